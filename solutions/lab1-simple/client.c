/*
 * client.c - lab 1's simple client: ./client ADDRESS:PORT MESSAGE
 *
 * Connect, send MESSAGE, then shut down the sending side. TCP carries
 * bytes, not messages, so that end of file is the only way the server can
 * tell the message is complete. Whatever comes back goes to stdout until
 * the server closes. Exit 0 when it all arrived, 1 when the connection
 * failed, 2 on a bad command line.
 */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define USAGE "usage: client ADDRESS:PORT MESSAGE"
#define BUFSIZE 16384

/*
 * A socket connected to addr that has carried msg and is shut for
 * sending. Failing here ends the program: status 2 when addr is not an
 * address, 1 when nobody answers there or the connection breaks.
 */
static int send_message(const char *addr, const char *msg)
{
	// TODO(step 5): net_connect to addr (NET_EUSAGE: exit 2, NET_ESYS:
	// exit 1, each after one line on stderr), send msg with
	// net_write_all (common/net.h: the loop your server's write_all has),
	// then shutdown(fd, SHUT_WR): the server's read returns 0 once it
	// has the whole message, while our side can still read the echo.
	// skeleton: (void)addr;
	// skeleton: (void)msg;
	// skeleton: fputs("client: not written yet (TODO step 5)\n", stderr);
	// skeleton: exit(1);
	struct net_err err;
	int fd;

	fd = net_connect(addr, 0, &err);
	if (fd < 0) {
		fprintf(stderr, "client: %s\n", err.msg);
		exit(fd == NET_EUSAGE ? 2 : 1);
	}
	if (net_write_all(fd, msg, strlen(msg)) < 0 ||
	    shutdown(fd, SHUT_WR) < 0) {
		fprintf(stderr, "client: send to %s: %s\n", addr,
			strerror(errno));
		exit(1);
	}
	return fd;
	// END TODO
}

int main(int argc, char *argv[])
{
	char buf[BUFSIZE];
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "%s\n", USAGE);
		return 2;
	}
	/* A server that goes away mid-message is an error to report, not a
	 * signal to die of. */
	signal(SIGPIPE, SIG_IGN);
	fd = send_message(argv[1], argv[2]);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (net_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			perror("client: stdout");
			return 1;
		}
	}
	if (n < 0) {
		fprintf(stderr, "client: read from %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
