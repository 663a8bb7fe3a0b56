/*
 * listener.c - see listener.h.
 */
#include "listener.h"
#include "net.h"

#include <stdio.h>
#include <stdlib.h>

int listener_open(int argc, char *argv[], int flags)
{
	struct net_err err;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "%s\n", LISTENER_USAGE);
		exit(2);
	}
	fd = net_listen(argv[1], flags, &err);
	if (fd < 0) {
		fprintf(stderr, "server: %s%s\n", err.msg,
			fd == NET_EUSAGE ? "; " LISTENER_USAGE : "");
		exit(fd == NET_EUSAGE ? 2 : 1);
	}
	if (net_print_listening(fd, stdout) < 0) {
		perror("server: stdout");
		exit(1);
	}
	return fd;
}
