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
	// skeleton: (void)op, (void)fd, (void)events, (void)poll_count;
	// skeleton: return -1;
	while (poll_count <= (nfds_t)fd)
		pollset[poll_count++].fd = -1;
	pollset[fd].fd = op == EPOLL_CTL_DEL ? -1 : fd;
	pollset[fd].events = (short)events;
	return 0;
	// END TODO
}

static int poll_wait(struct pollfd *out, int timeout_ms)
{
	// TODO(step 1): poll, then copy the entries with revents into out[].
	// skeleton: (void)out, (void)timeout_ms, (void)pollset;
	// skeleton: return -1;
	int n = poll(pollset, poll_count, timeout_ms), count = 0;

	for (nfds_t i = 0; n > 0 && i < poll_count; i++)
		if (pollset[i].revents != 0)
			out[count++] = pollset[i];
	return n < 0 ? -1 : count;
	// END TODO
}

static const struct backend with_poll = { poll_watch, poll_wait };
static const struct backend *backend = &with_poll; /* or main picks epoll */

// TODO(step 5): epoll_watch, epoll_wait_ready: poll_watch and poll_wait's
// jobs done with epoll_ctl (the kernel keeps the set), epoll_wait; with_epoll.
static int epoll_watch(int op, int fd, unsigned events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(epoll_fd, op, fd, &ev);
}

static int epoll_wait_ready(struct pollfd *out, int timeout_ms)
{
	struct epoll_event ev[256];
	int n = epoll_wait(epoll_fd, ev, 256, timeout_ms);

	for (int i = 0; i < n; i++)
		out[i] = (struct pollfd){ .fd = ev[i].data.fd,
					  .revents = (short)ev[i].events };
	return n;
}

static const struct backend with_epoll = { epoll_watch, epoll_wait_ready };
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
	// skeleton: close(fd); /* until step 2, a client is closed at once */
	if (fd < MAX_FDS && backend->watch(EPOLL_CTL_ADD, fd, POLLIN) == 0) {
		conns[fd] = (struct conn){ .open = 1, .watched = POLLIN };
		outbuf_init(&conns[fd].out, OUT_CAP);
	} else {
		close(fd);
	}
	// END TODO
}

static void conn_close(int fd)
{
	// TODO(step 2): stop watching, free the ring and slot, close fd last.
	// skeleton: close(fd);
	backend->watch(EPOLL_CTL_DEL, fd, 0);
	outbuf_free(&conns[fd].out);
	conns[fd].open = 0;
	close(fd);
	// END TODO
	listener_watch(1); /* a descriptor is free again (step 6) */
}

static void accept_clients(void)
{
	// TODO(step 1): accept4 (non-blocking, close-on-exec) and conn_open
	// clients until it fails (EAGAIN: none left; others: next turn).
	// skeleton: (void)conn_open;
	for (int fd; (fd = accept4(listen_fd, NULL, NULL,
				   SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;)
		conn_open(fd);
	// END TODO
	// TODO(step 6): out of descriptors or memory? Rest the listener.
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM)
		listener_watch(0);
	// END TODO
}

/* The events a client needs watched next. */
static unsigned conn_wants(const struct conn *c)
{
	// TODO(step 3): POLLIN unless eof or HIGH_WATER; POLLOUT if pending.
	// skeleton: return (void)c, POLLIN;
	size_t pending = outbuf_used(&c->out);

	return (!c->eof && pending < HIGH_WATER ? POLLIN : 0u) |
	       (pending > 0 ? POLLOUT : 0u);
	// END TODO
}

/* One turn for one client that the backend reported in revents. */
static void conn_serve(int fd, int revents)
{
	struct conn *c = &conns[fd];
	int gone = 0;

	// TODO(step 3): if readable (or in error) and conn_wants says so, read
	// TURN_BUDGET at most; then write what the socket takes now.
	// skeleton: char buf[4096]; /* the lecture's lazy echo (README) */
	// skeleton: ssize_t n = read(fd, buf, sizeof buf);
	// skeleton: (void)revents;
	// skeleton: if (n > 0) /* and hope the socket takes all n */
	// skeleton: 	n = write(fd, buf, (size_t)n);
	// skeleton: gone = n == 0 || (n < 0 && errno != EAGAIN);
	if ((revents & (POLLIN | POLLERR | POLLHUP)) &&
	    (conn_wants(c) & POLLIN)) {
		ssize_t n = outbuf_read_from(&c->out, fd, TURN_BUDGET);

		c->eof = n == 0;
		gone = n < 0 && errno != EAGAIN;
	}
	if (!gone && outbuf_write_to(&c->out, fd, OUT_CAP) < 0)
		gone = errno != EAGAIN;
	// END TODO
	// TODO(step 4): a client that has shut down is owed its echo first.
	// skeleton: gone |= c->eof; /* at once: the echo's tail is lost */
	gone |= c->eof && outbuf_used(&c->out) == 0;
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
	const char *choice = getenv("LAB2_BACKEND");

	if (choice == NULL || strcmp(choice, "poll") != 0)
		epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd >= 0)
		backend = &with_epoll;
	// END TODO
	// TODO(step 1): net_listen (non-blocking) and net_print_listening;
	// exit 2 with USAGE on NET_EUSAGE, 1 on NET_ESYS.
	// skeleton: (void)argv;
	// skeleton: fputs("server: not listening yet (TODO step 1)\n", stderr);
	// skeleton: return 1;
	struct net_err err;

	listen_fd = net_listen(argv[1], NET_NONBLOCK, &err);
	if (listen_fd < 0) {
		fprintf(stderr, "server: %s%s\n", err.msg,
			listen_fd == NET_EUSAGE ? "; " USAGE : "");
		return listen_fd == NET_EUSAGE ? 2 : 1;
	}
	if (net_print_listening(listen_fd, stdout) < 0)
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
