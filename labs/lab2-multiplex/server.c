/*
 * server.c - lab 2: an echo server that serves every client from one thread.
 * No socket blocks: one loop asks the kernel which are ready (epoll; poll if
 * LAB2_BACKEND=poll) and does what can be done now. A client's bytes go
 * through its output ring (common/outbuf.h), out as far as the socket takes
 * them; a client whose ring is above HIGH_WATER is not read until it drains.
 */
#define _GNU_SOURCE
#include "net.h"
#include "outbuf.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define USAGE "usage: server ADDRESS:PORT (e.g. 127.0.0.1:7000 or [::1]:0)"
#define MAX_FDS 65536		/* a descriptor at or above it is refused */
#define OUT_CAP (64 * 1024)	/* each client's output ring */
#define TURN_BUDGET (16 * 1024) /* most bytes read per client per turn */
#define HIGH_WATER (OUT_CAP - TURN_BUDGET) /* read only if a turn's bytes fit */
#define PAUSE_MS 1000		/* the listener's rest when accept runs short */

/* Both backends speak poll's flags (POLLERR, POLLHUP come unasked) and
 * epoll_ctl's operations; epoll's flags are the same bits on Linux. */
_Static_assert(EPOLLIN == POLLIN && EPOLLOUT == POLLOUT &&
	       EPOLLERR == POLLERR && EPOLLHUP == POLLHUP, "epoll != poll");
struct backend {
	int (*watch)(int op, int fd, unsigned events); /* EPOLL_CTL_ADD .. */
	int (*wait)(struct pollfd *ready, int timeout_ms); /* fd, revents */
};

struct conn {
	int open, eof;	  /* eof: the client has shut down its sending side */
	unsigned watched; /* the events the backend watches for it */
	struct outbuf out;
};

/* Indexed by descriptor: the kernel hands out the lowest free one. */
static struct conn conns[MAX_FDS];
static struct pollfd ready[MAX_FDS];
static struct pollfd pollset[MAX_FDS]; /* fd -1: not watched, poll skips it */
static nfds_t poll_count;	       /* entries in use, from 0 */
static int epoll_fd = -1, listen_fd, listening;

static int poll_watch(int op, int fd, unsigned events)
{
	// TODO(step 1): set pollset[fd] (fd -1 when op is EPOLL_CTL_DEL).
	(void)op, (void)fd, (void)events, (void)poll_count;
	return -1;
	// END TODO
}

static int poll_wait(struct pollfd *out, int timeout_ms)
{
	// TODO(step 1): poll, then copy the entries with revents into out[].
	(void)out, (void)timeout_ms, (void)pollset;
	return -1;
	// END TODO
}

static const struct backend with_poll = { poll_watch, poll_wait };
static const struct backend *backend = &with_poll; /* or main picks epoll */

// TODO(step 5): epoll_watch, epoll_wait_ready: poll_watch and poll_wait's
// jobs done with epoll_ctl (the kernel keeps the set), epoll_wait; with_epoll.
// END TODO

/* Watch the listener (on) or rest it (step 6). */
static void listener_watch(int on)
{
	int op = on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL;

	if (on != listening && backend->watch(op, listen_fd, POLLIN) == 0)
		listening = on;
}

static void conn_open(int fd)
{
	// TODO(step 2): watch fd for reading and fill conns[fd]; or close fd.
	close(fd); /* until step 2, a client is closed at once */
	// END TODO
}

static void conn_close(int fd)
{
	// TODO(step 2): stop watching, free the ring and slot, close fd last.
	close(fd);
	// END TODO
	listener_watch(1); /* a descriptor is free again (step 6) */
}

static void accept_clients(void)
{
	// TODO(step 1): accept4 (non-blocking, close-on-exec) and conn_open
	// clients until it fails (EAGAIN: none left; others: next turn).
	(void)conn_open;
	// END TODO
	// TODO(step 6): out of descriptors or memory? Rest the listener.
	// END TODO
}

/* The events a client needs watched next. */
static unsigned conn_wants(const struct conn *c)
{
	// TODO(step 3): POLLIN unless eof or HIGH_WATER; POLLOUT if pending.
	return (void)c, POLLIN;
	// END TODO
}

/* One turn for one client that the backend reported in revents. */
static void conn_serve(int fd, int revents)
{
	struct conn *c = &conns[fd];
	int gone = 0;

	// TODO(step 3): if readable (or in error) and conn_wants says so, read
	// TURN_BUDGET at most; then write what the socket takes now.
	char buf[4096]; /* the lecture's lazy echo (README) */
	ssize_t n = read(fd, buf, sizeof buf);
	(void)revents;
	if (n > 0) /* and hope the socket takes all n */
		n = write(fd, buf, (size_t)n);
	gone = n == 0 || (n < 0 && errno != EAGAIN);
	// END TODO
	// TODO(step 4): a client that has shut down is owed its echo first.
	gone |= c->eof; /* at once: the echo's tail is lost */
	// END TODO
	if (!gone && conn_wants(c) != c->watched) {
		c->watched = conn_wants(c);
		gone = backend->watch(EPOLL_CTL_MOD, fd, c->watched) < 0;
	}
	if (gone)
		conn_close(fd);
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "%s\n", USAGE);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* or a write to a reset client kills us */
	// TODO(step 5): unless LAB2_BACKEND is poll, open epoll_fd and use it.
	// END TODO
	// TODO(step 1): net_listen (non-blocking) and net_print_listening;
	// exit 2 with USAGE on NET_EUSAGE, 1 on NET_ESYS.
	(void)argv;
	fputs("server: not listening yet (TODO step 1)\n", stderr);
	return 1;
	// END TODO
	fprintf(stderr, "server: using %s\n", epoll_fd >= 0 ? "epoll" : "poll");
	listener_watch(1);
	for (;;) {
		int n = backend->wait(ready, listening ? -1 : PAUSE_MS);

		if (n < 0 && errno != EINTR) {
			perror("server: waiting for events");
			return 1;
		}
		if (n == 0) /* PAUSE_MS of rest: try the listener again */
			listener_watch(1);
		/* Skip a slot an earlier handler closed (a server whose clients
		 * act on each other can). */
		for (int i = 0; i < n; i++) {
			if (ready[i].fd == listen_fd)
				accept_clients();
			else if (conns[ready[i].fd].open)
				conn_serve(ready[i].fd, ready[i].revents);
		}
	}
}
