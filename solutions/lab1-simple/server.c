/*
 * server.c - lab 1: an echo server that serves one client at a time.
 *
 * The whole strategy is the loop in main: open a passive (listening)
 * socket, then forever accept one client, echo to it until it has nothing
 * more to send, close it, and accept the next. Every call blocks, so while
 * one client is served the others wait in the kernel's accept queue, and a
 * client that connects and sends nothing holds up everybody behind it.
 * Labs 2 to 4 remove that limit; this lab gets everything else right.
 *
 * stdout carries exactly one line, "listening on ADDRESS:PORT", for
 * whoever started the server (the grader reads it to learn the port);
 * everything else goes to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE "usage: server ADDRESS:PORT (e.g. 127.0.0.1:7000 or [::1]:0)"

/* What one read may bring: big enough that 8 MiB takes few calls, small
 * enough for the stack. */
#define BUFSIZE 16384

/*
 * The listening socket for the address on the command line, already
 * announced on stdout. Failing here ends the program: status 2 when the
 * command line is wrong, 1 when the system refuses (port in use, an
 * address this machine does not have).
 */
static int open_listener(int argc, char *argv[])
{
	// TODO(step 1): check that there is exactly one argument; call
	// net_listen (common/net.h) on it. NET_EUSAGE: print the reason and
	// USAGE on one stderr line, exit 2. NET_ESYS: print the reason (it
	// already names the address), exit 1. Then net_print_listening.
	// skeleton: (void)argc;
	// skeleton: (void)argv;
	// skeleton: fputs("server: not listening yet (TODO step 1)\n", stderr);
	// skeleton: exit(1);
	struct net_err err;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "%s\n", USAGE);
		exit(2);
	}
	fd = net_listen(argv[1], 0, &err);
	if (fd == NET_EUSAGE) {
		fprintf(stderr, "server: %s; %s\n", err.msg, USAGE);
		exit(2);
	}
	if (fd < 0) {
		fprintf(stderr, "server: %s\n", err.msg);
		exit(1);
	}
	if (net_print_listening(fd, stdout) < 0) {
		perror("server: stdout");
		exit(1);
	}
	return fd;
	// END TODO
}

/*
 * Wait for the next client; return its (active) socket and write its
 * address into name. -1 when that client could not be accepted: either
 * it gave up before we got to it (ECONNABORTED) or the server ran short
 * of something for a moment. Neither is a reason to stop serving.
 */
static int accept_client(int lfd, char *name, size_t len)
{
	// TODO(step 2): accept on lfd (accept's address arguments can be
	// NULL), then net_peer_name(fd, name, len) to fill in name for the
	// log line. A signal may interrupt the wait (EINTR): just accept
	// again. Any other failure: say so on stderr and return -1.
	// skeleton: (void)lfd;
	// skeleton: (void)name;
	// skeleton: (void)len;
	// skeleton: pause();
	// skeleton: return -1;
	int fd;

	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		perror("server: accept");
		return -1;
	}
	net_peer_name(fd, name, len);
	return fd;
	// END TODO
}

/*
 * Send all len bytes. write may take fewer than it was offered: a signal
 * can interrupt it after part of the data was copied, a socket with a
 * time limit or in non-blocking mode (lab 2) takes what fits, and POSIX
 * promises nothing more. The bytes it did not take are still ours to send.
 * Returns 0, or -1 with errno set.
 */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	// TODO(step 3): call write until all len bytes are gone, moving buf
	// past what each call took. EINTR before anything was written:
	// write again. Any other failure: return -1.
	// skeleton: n = write(fd, buf, len);
	// skeleton: return n == (ssize_t)len ? 0 : -1;
	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
	// END TODO
}

/*
 * Read what the client has sent so far (read blocks until there is at
 * least one byte) and send it straight back. Returns the number of bytes
 * echoed, 0 when the client has shut down its sending side, or -1 with
 * errno set when the connection failed.
 */
static ssize_t echo_once(int fd)
{
	char buf[BUFSIZE];
	ssize_t n;

	// TODO(step 2): read from fd into buf and leave the result in n.
	// Interrupted by a signal (EINTR): read again.
	// skeleton: n = 0;
	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	// END TODO
	if (n > 0 && write_all(fd, buf, (size_t)n) < 0)
		return -1;
	return n;
}

/*
 * Echo until the client shuts down its sending side. TCP is a byte
 * stream: one read returns whatever has arrived, which may be part of
 * what the client sent or several of its writes at once, so only end of
 * file says the client is done. Returns 0 then (every byte has been sent
 * back, the caller may close), or -1 with errno set.
 */
static int echo(int fd)
{
	ssize_t n;

	// TODO(step 3): call echo_once until it returns 0 (end of file) or
	// -1 (the connection failed).
	// skeleton: n = echo_once(fd);
	do
		n = echo_once(fd);
	while (n > 0);
	// END TODO
	return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[])
{
	char name[NET_ADDRSTRLEN];
	int lfd, cfd;

	// TODO(step 4): writing to a connection the client has closed raises
	// SIGPIPE, and its default action kills the whole server. Ignore it:
	// then write fails with EPIPE and only that client ends. Then review
	// steps 2 and 3 with the list in the README.
	signal(SIGPIPE, SIG_IGN);
	// END TODO
	lfd = open_listener(argc, argv);
	for (;;) {
		cfd = accept_client(lfd, name, sizeof name);
		if (cfd < 0)
			continue;
		fprintf(stderr, "client %s connected\n", name);
		if (echo(cfd) < 0)
			fprintf(stderr, "client %s: %s\n", name,
				strerror(errno));
		close(cfd);
		fprintf(stderr, "client %s closed\n", name);
	}
}
