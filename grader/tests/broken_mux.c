/*
 * broken_mux.c - a lab-2 echo server (one thread, one epoll loop, no socket
 * ever blocks) that is correct as written, with one student mistake
 * switched on by name.
 *
 * The Makefile builds it once per "mux-" line of grader/tests/manifest, with
 * -DFLAW='"mux-NAME"'; each `if (flaw("mux-NAME"))` below sits where that
 * mistake is made, and the manifest says which lab-2 tests it must fail.
 *
 * Each client has an output buffer, buf[off..len): bytes read from it and
 * not yet written back. A turn reads what the client sent (until EAGAIN,
 * end of file or HIGH_WATER), then writes what its socket takes now.
 * EPOLLOUT is asked for only while bytes are pending, and a client with
 * HIGH_WATER bytes pending is not read until it drains (backpressure).
 * SIGUSR1 prints lab 3's stats line, read from a signalfd in the loop, so
 * graded as lab 3 it is a correct server of the wrong design (strategy).
 */
#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef FLAW
#define FLAW "mux-none"
#endif

#define USAGE "usage: server ADDRESS:PORT (e.g. 127.0.0.1:7000 or [::1]:0)"
#define CHUNK 65536		    /* most bytes one read takes */
#define HIGH_WATER (256 * 1024)	    /* pending bytes that stop reading */
#define THREAD_STACK (256 * 1024)   /* mux-threads only */

struct conn {
	int fd;
	int eof;	  /* the client has shut down its sending side */
	uint32_t watched; /* the events epoll watches for it */
	char *buf;	  /* pending output is buf[off..len) */
	size_t off, len, cap;
};

static int epfd, lfd, sigfd;
static unsigned long long accepted, echoed; /* one thread: no lock */

static int flaw(const char *name)
{
	return strcmp(FLAW, name) == 0;
}

/* Watch the listener (on), or rest it while descriptors run out. Called
 * again when nothing changes: EEXIST and ENOENT are harmless. */
static void listener_watch(int on)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, lfd, &ev);
}

/* mux-et and mux-et-short-write watch clients edge-triggered (mio's
 * and tokio's way): every read and write goes on until EAGAIN (or the
 * high-water mark), and conn_serve re-arms each turn. */
static uint32_t trigger(void)
{
	return flaw("mux-et") || flaw("mux-et-short-write") ? EPOLLET : 0u;
}

/* Backpressure: a client that is owed HIGH_WATER bytes is not read. */
static int may_read(const struct conn *c)
{
	// mux-unbounded: reads whatever comes, however much is still owed:
	// a client that sends and never reads grows the buffer without bound
	if (flaw("mux-unbounded"))
		return !c->eof;
	return !c->eof && c->len - c->off < HIGH_WATER;
}

/* Room for one more read at the end of buf: slide the pending bytes to
 * the front when that frees a CHUNK, else grow. 0, or -1 (ENOMEM). */
static int make_room(struct conn *c)
{
	size_t pending = c->len - c->off, cap = c->cap ? c->cap : CHUNK;

	if (c->cap - c->len >= CHUNK)
		return 0;
	if (c->off >= CHUNK) {
		memmove(c->buf, c->buf + c->off, pending);
		c->off = 0;
		c->len = pending;
		return 0;
	}
	while (cap - c->len < CHUNK)
		cap *= 2;
	char *p = realloc(c->buf, cap);
	if (p == NULL)
		return -1;
	c->buf = p;
	c->cap = cap;
	return 0;
}

/* Read what the client sent, while it may be read. -1: it is gone. */
static int conn_read(struct conn *c)
{
	while (may_read(c)) {
		if (make_room(c) < 0)
			return -1;
		ssize_t n = read(c->fd, c->buf + c->len, CHUNK);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		// mux-close-on-eof: takes the client's half-close for goodbye
		// and closes at once: the echo it is still owed is lost
		if (flaw("mux-close-on-eof"))
			return -1;
		c->eof = 1; /* read no more; close once the echo is out */
	}
	return 0;
}

/* Write what the socket takes now. -1: the client is gone. */
static int conn_flush(struct conn *c)
{
	while (c->off < c->len) {
		size_t pending = c->len - c->off;
		ssize_t n = write(c->fd, c->buf + c->off, pending);
		// mux-short-write: takes a write that succeeded to have sent
		// all it was offered: what the socket did not take is dropped
		// (mux-et-short-write: the same, on edge-triggered clients)
		if ((flaw("mux-short-write") || flaw("mux-et-short-write")) && n > 0)
			n = (ssize_t)pending;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->off += (size_t)n;
		echoed += (unsigned long long)n;
	}
	c->off = c->len = 0;
	return 0;
}

static void conn_close(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	// mux-fd-leak: shutdown ends the connection but is not close: the
	// descriptor stays open, one more for every client
	if (flaw("mux-fd-leak"))
		shutdown(c->fd, SHUT_RDWR);
	else
		close(c->fd);
	// mux-leak-buffer: frees the connection but not its buffer
	if (!flaw("mux-leak-buffer"))
		free(c->buf);
	free(c);
	listener_watch(1); /* a descriptor is free again */
}

/* One turn for a client epoll reported: read, write, watch what is next. */
static void conn_serve(struct conn *c, uint32_t events)
{
	int gone = 0;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		gone = conn_read(c) < 0;
	if (!gone)
		gone = conn_flush(c) < 0;
	if (!gone && c->eof && c->off == c->len)
		gone = 1; /* the client said it is done and has its echo */
	uint32_t want = (may_read(c) ? EPOLLIN : 0u) |
			(c->off < c->len ? EPOLLOUT : 0u);
	// mux-always-pollout: asks for write-readiness whether or not there
	// is anything to write: an idle client's socket is always writable
	if (flaw("mux-always-pollout"))
		want |= EPOLLOUT;
	/* Edge-triggered, re-arm every turn: EPOLL_CTL_MOD reports input
	 * that waits unread (left at the high-water mark) with no edge to
	 * come. */
	if (!gone && (want != c->watched || trigger())) {
		struct epoll_event ev = {.events = want | trigger(), .data.ptr = c};
		c->watched = want;
		gone = epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0;
	}
	if (gone)
		conn_close(c);
}

static void conn_open(int fd)
{
	struct conn *c = calloc(1, sizeof *c);
	struct epoll_event ev = {.events = EPOLLIN | trigger(), .data.ptr = c};

	if (c == NULL || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->watched = EPOLLIN;
	accepted++;
	if (flaw("mux-log-stdout")) {
		printf("client %llu connected\n", accepted);
		fflush(stdout);
	}
}

/* SIGUSR1 (and SIGINT, SIGTERM: exit 0), blocked, arrive as a readable
 * signalfd the loop watches. */
static void stats_open(void)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &sigfd};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev);
}

static void stats_print(void)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo != SIGUSR1)
			exit(0);
		printf("stats: clients=%llu bytes=%llu\n", accepted, echoed);
		fflush(stdout);
	}
}

/* mux-threads: lab 1's blocking echo, in a thread of its own. */
static void *client_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[16384];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && net_write_all(fd, buf, (size_t)n) < 0)
			break;
	close(fd);
	listener_watch(1); /* a descriptor is free again */
	return NULL;
}

static void thread_per_client(int fd)
{
	pthread_attr_t attr;
	pthread_t tid;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, client_thread, (void *)(intptr_t)fd) != 0)
		close(fd);
	pthread_attr_destroy(&attr);
}

static void accept_clients(void)
{
	// mux-threads: a thread per client, blocking calls, instead of the
	// loop: lab 3's design, not lab 2's
	int blocking = flaw("mux-threads");

	for (;;) {
		int fd = accept4(lfd, NULL, NULL,
				 SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK));
		if (fd >= 0 && blocking)
			thread_per_client(fd);
		else if (fd >= 0)
			conn_open(fd);
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		else if (errno == EMFILE || errno == ENFILE ||
			 errno == ENOBUFS || errno == ENOMEM) {
			// mux-emfile-spin: leaves the listener watched: it stays
			// readable, so epoll_wait returns at once, forever
			if (!flaw("mux-emfile-spin"))
				listener_watch(0); /* until a client leaves */
			return;
		}
		/* else the client's error (ECONNABORTED, ...): the next one */
	}
}

int main(int argc, char *argv[])
{
	struct epoll_event ev[64];
	struct net_err err;

	if (argc != 2) {
		fprintf(stderr, "%s\n", USAGE);
		return 2;
	}
	// mux-no-sigpipe: forgets that a write to a connection the client
	// has closed raises SIGPIPE, which kills the whole server
	if (!flaw("mux-no-sigpipe"))
		signal(SIGPIPE, SIG_IGN);
	lfd = net_listen(argv[1], NET_NONBLOCK, &err);
	if (lfd < 0) {
		fprintf(stderr, "server: %s%s\n", err.msg,
			lfd == NET_EUSAGE ? "; " USAGE : "");
		return lfd == NET_EUSAGE ? 2 : 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	// mux-log-stdout: another contract: no "listening on" line, a log
	// on stdout instead (correct when graded with --args)
	if (flaw("mux-log-stdout"))
		printf("echo server started\n");
	else if (epfd < 0 || net_print_listening(lfd, stdout) < 0) {
		perror("server");
		return 1;
	}
	listener_watch(1);
	stats_open();
	for (;;) {
		int n = epoll_wait(epfd, ev, 64, -1);
		if (n < 0 && errno != EINTR) {
			perror("server: epoll_wait");
			return 1;
		}
		/* A turn closes only its own client, so no later event in
		 * this batch can point at a freed conn. */
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				accept_clients();
			else if (ev[i].data.ptr == &sigfd)
				stats_print();
			else
				conn_serve(ev[i].data.ptr, ev[i].events);
		}
	}
}
