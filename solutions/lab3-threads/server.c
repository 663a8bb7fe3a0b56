/*
 * server.c - lab 3: an echo server that gives every client a thread.
 *
 * Each client thread runs lab 1's blocking loop (read, write back, until
 * end of file), so the code reads top to bottom; the kernel switches
 * between threads whenever one waits. What the threads share is the one
 * new difficulty: the server-wide statistics, which every client thread
 * updates and SIGUSR1 prints, live under one mutex. Signals are taken by
 * a thread of their own in sigwait: nothing runs in a signal handler.
 *
 * stdout carries "listening on ADDRESS:PORT" and the stats lines; the
 * rest goes to stderr.
 */
#define _GNU_SOURCE
#include "listener.h"
#include "net.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What one read may bring. It lives on the thread's stack. */
#define BUFSIZE 16384

/* A client thread's stack: the echo loop needs its buffer and a few
 * kilobytes for the calls it makes, so 256 KiB is a wide margin; the
 * default, 8 MiB of address space a thread, would make 500 clients 4 GiB. */
#define STACK_SIZE (256 * 1024)

/* How long the accept loop rests when the system runs short of
 * descriptors or memory: a blocking accept that fails returns at once,
 * so without the rest it would spin. */
#define SHORT_REST_MS 100

/* Server-wide statistics. Every field is read and written with lock held:
 * a client thread adding its bytes and the signal thread printing them
 * may run at the same moment, on different CPUs. */
static struct {
	pthread_mutex_t lock;
	unsigned long long clients; /* connections accepted so far */
	unsigned long long bytes;   /* bytes echoed back so far */
} stats = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void stats_add(unsigned long long clients, unsigned long long bytes)
{
	// TODO(step 3): add both to stats, holding stats.lock (lock, add,
	// unlock: keep the lock for as short a time as you can).
	// skeleton: (void)clients, (void)bytes, (void)stats;
	pthread_mutex_lock(&stats.lock);
	stats.clients += clients;
	stats.bytes += bytes;
	pthread_mutex_unlock(&stats.lock);
	// END TODO
}

static void stats_print(void)
{
	// TODO(step 3): copy both counters while holding the lock, then,
	// with the lock released, print "stats: clients=N bytes=M" on stdout
	// and flush it.
	// skeleton: fputs("stats: (TODO step 3)\n", stdout);
	// skeleton: fflush(stdout);
	unsigned long long clients, bytes;

	pthread_mutex_lock(&stats.lock);
	clients = stats.clients;
	bytes = stats.bytes;
	pthread_mutex_unlock(&stats.lock);
	printf("stats: clients=%llu bytes=%llu\n", clients, bytes);
	fflush(stdout);
	// END TODO
}

/*
 * One client's thread: lab 1's echo loop, on blocking calls. It owns the
 * descriptor it was given and closes it on every way out. The bytes go
 * into the statistics once they are written back: they count as echoed.
 */
static void *client_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[BUFSIZE];
	ssize_t n;

	// TODO(step 2): read into buf until end of file (0) or an error;
	// send back each read's n bytes with net_write_all, and add them to
	// the statistics with stats_add(0, n). EINTR: read again.
	// skeleton: (void)buf, (void)n;
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || net_write_all(fd, buf, (size_t)n) < 0)
			break;
		stats_add(0, (unsigned long long)n);
	}
	if (n < 0)
		fprintf(stderr, "server: client: %s\n", strerror(errno));
	// END TODO
	close(fd);
	return NULL;
}

/*
 * The only thread that sees signals: main blocked them before any other
 * thread existed, and every thread inherits its creator's mask, so the
 * kernel can deliver them nowhere else. sigwait takes one at a time, in
 * ordinary code: it may lock, print, and call anything.
 */
static void *signal_thread(void *arg)
{
	const sigset_t *set = arg;
	int sig;

	while (sigwait(set, &sig) == 0) {
		if (sig == SIGUSR1)
			stats_print();
		// TODO(step 5): SIGINT or SIGTERM: say so on stderr and end
		// the server with exit(0). The kernel closes every socket as
		// the process ends, so each client gets its end of file.
		if (sig == SIGINT || sig == SIGTERM) {
			fprintf(stderr, "server: %s, exiting\n",
				strsignal(sig));
			exit(0);
		}
		// END TODO
	}
	return NULL; /* sigwait fails only on a set it cannot wait for */
}

/* Start the thread that takes the signals of set, blocked from now on in
 * this thread and in every thread it starts. */
static void start_signal_thread(sigset_t *set)
{
	pthread_t tid;
	int err;

	// TODO(step 3): block set with pthread_sigmask, then start
	// signal_thread with set as its argument. If either fails, print
	// why and exit(1): a server that SIGUSR1 would kill must not run.
	// skeleton: (void)set, (void)tid, (void)err, (void)signal_thread;
	err = pthread_sigmask(SIG_BLOCK, set, NULL);
	if (err == 0)
		err = pthread_create(&tid, NULL, signal_thread, set);
	if (err != 0) {
		fprintf(stderr, "server: signal thread: %s\n", strerror(err));
		exit(1);
	}
	// END TODO
}

static void rest(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Give client fd a thread of its own; the thread owns fd from then on.
 * Returns 0, or -1 (fd closed: that client is refused, nobody else). */
static int start_client_thread(const pthread_attr_t *attr, int fd)
{
	pthread_t tid;
	int err;

	// TODO(step 1): pthread_create with attr, running client_thread on
	// fd, handed over by value: (void *)(intptr_t)fd. Never a pointer to
	// a variable of this loop: the loop reuses it for the next client
	// before the thread has read it. If it fails, print why (its return
	// value is the error number), close fd and return -1.
	// skeleton: (void)attr, (void)tid, (void)err, (void)client_thread;
	// skeleton: close(fd);
	// skeleton: return -1;
	err = pthread_create(&tid, attr, client_thread, (void *)(intptr_t)fd);
	if (err != 0) {
		fprintf(stderr, "server: no thread for a client: %s\n",
			strerror(err));
		close(fd);
		return -1;
	}
	return 0;
	// END TODO
}

int main(int argc, char *argv[])
{
	pthread_attr_t attr;
	sigset_t set;
	int listen_fd, fd;

	// TODO(step 1): listen_fd = listener_open(argc, argv, 0): it checks
	// the command line, listens, prints the line (common/listener.h).
	// skeleton: (void)argc, (void)argv;
	// skeleton: fputs("server: not listening yet (TODO step 1)\n", stderr);
	// skeleton: return 1;
	listen_fd = listener_open(argc, argv, 0);
	// END TODO
	signal(SIGPIPE, SIG_IGN); /* or a write to a reset client kills us */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	// TODO(step 5): add SIGINT and SIGTERM to set.
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	// END TODO
	start_signal_thread(&set);
	// TODO(step 1): attr makes threads detached (pthread_attr_init,
	// pthread_attr_setdetachstate): nobody joins them, and a detached
	// thread gives its stack back as it ends.
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	// END TODO
	// TODO(step 4): and gives each thread a STACK_SIZE stack
	// (pthread_attr_setstacksize).
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	// END TODO
	for (;;) {
		do
			fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		while (fd < 0 && errno == EINTR);
		if (fd >= 0) {
			stats_add(1, 0);
			if (start_client_thread(&attr, fd) < 0)
				rest(SHORT_REST_MS); /* out of threads */
			continue;
		}
		// TODO(step 4): out of descriptors (EMFILE, ENFILE) or memory
		// (ENOBUFS, ENOMEM)? accept fails again at once until a client
		// leaves: rest(SHORT_REST_MS) instead of spinning.
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			rest(SHORT_REST_MS);
		// END TODO
	}
}
