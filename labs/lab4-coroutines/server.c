/*
 * server.c - lab 4: an echo server written as straight-line code, one
 * coroutine per client, all in one thread (coro.h).
 *
 * client() reads like lab 1's loop and lab 3's thread: read, write back,
 * until end of file. The difference is underneath: coro_read and
 * coro_write never block the process. Where lab 1 would wait, they park
 * this coroutine and the scheduler runs another, so one thread serves
 * every client, as in lab 2, without lab 2's table of half-done work.
 */
#define _GNU_SOURCE
#include "coro.h"
#include "listener.h"
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* A client coroutine's stack: the echo loop's buffer and the calls it
 * makes, with room to spare. Idle clients touch only its top pages. */
#define STACK_SIZE (64 * 1024)
#define BUFSIZE 4096
#define REST_S 0.1 /* the acceptor's rest when descriptors run out */

static int listen_fd;

/* One client, its descriptor handed over by value: echo until it is
 * done, then close. */
static void client(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[BUFSIZE];
	ssize_t n;

	// TODO(step 1): coro_read into buf until it returns 0 (end of
	// file) or -1; send each read's n bytes back with coro_write (all
	// of them, or -1: then stop).
	(void)buf, (void)n;
	// END TODO
	coro_close(fd);
}

/* The first coroutine: a client coroutine for everyone who connects. */
static void acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = coro_accept(listen_fd);
		if (fd >= 0 && coro_spawn(client, (void *)(intptr_t)fd) < 0)
			coro_close(fd); /* no stack for it: refuse this one */
		// TODO(step 4): out of descriptors or memory (EMFILE, ENFILE,
		// ENOBUFS, ENOMEM)? Sleep REST_S (coro_sleep_until): accept
		// fails again at once until a client leaves.
		// END TODO
	}
}

int main(int argc, char *argv[])
{
	// TODO(step 1): listen_fd = listener_open(argc, argv, NET_NONBLOCK):
	// the wrappers need non-blocking descriptors.
	(void)argc, (void)argv;
	fputs("server: not listening yet (TODO step 1)\n", stderr);
	return 1;
	// END TODO
	signal(SIGPIPE, SIG_IGN); /* or a write to a reset client kills us */
	if (coro_init(STACK_SIZE) < 0 || coro_spawn(acceptor, NULL) < 0) {
		perror("server: coroutines");
		return 1;
	}
	coro_run(); /* returns only if the scheduler fails */
	perror("server: scheduler");
	return 1;
}
