/*
 * broken_threads.c - a lab-3 echo server (a thread per client, blocking
 * calls, statistics under a mutex, signals taken by sigwait) that is
 * correct as written, with one student mistake switched on by name.
 *
 * The Makefile builds it once per "threads-" line of grader/tests/manifest,
 * with -DFLAW='"threads-NAME"'; each `if (flaw("threads-NAME"))` below
 * sits where that mistake is made, and the manifest says which lab-3
 * tests it must fail.
 */
#define _GNU_SOURCE
#include "listener.h"
#include "net.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FLAW
#define FLAW "threads-none"
#endif

#define THREAD_STACK (256 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long clients, bytes; /* under lock */

static int flaw(const char *name)
{
	return strcmp(FLAW, name) == 0;
}

static void count(unsigned long long c, unsigned long long b)
{
	// threads-unlocked-stats: updates the counters without the lock, as
	// a load, an add and a store (what += compiles to) with a yield
	// between, so two threads' updates overlap and one is lost
	if (flaw("threads-unlocked-stats")) {
		unsigned long long seen = bytes;
		sched_yield();
		bytes = seen + b;
		clients += c;
		return;
	}
	pthread_mutex_lock(&lock);
	clients += c;
	bytes += b;
	pthread_mutex_unlock(&lock);
}

static void print_stats(void)
{
	unsigned long long c, b;

	pthread_mutex_lock(&lock);
	c = clients;
	b = bytes;
	pthread_mutex_unlock(&lock);
	printf("stats: clients=%llu bytes=%llu\n", c, b);
	fflush(stdout);
}

/* threads-handler-printf: SIGUSR1 printed from a signal handler. */
static void on_usr1(int sig)
{
	(void)sig;
	print_stats(); /* printf and a mutex in a handler: not async-safe */
}

static void echo(int fd)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0) {
			if (net_write_all(fd, buf, (size_t)n) < 0)
				break;
			count(0, (unsigned long long)n);
		}
	close(fd);
}

static void *client_thread(void *arg)
{
	// threads-fd-by-pointer: start_client handed over &fd, its own
	// parameter's address: read here, once the next call has reused it
	echo(flaw("threads-fd-by-pointer") ? *(int *)arg : (int)(intptr_t)arg);
	// threads-never-exit: the client is closed, but its thread waits
	// forever instead of returning: one more thread for every client
	if (flaw("threads-never-exit"))
		for (;;)
			pause();
	return NULL;
}

static void *signal_thread(void *arg)
{
	const sigset_t *set = arg;
	int sig;

	while (sigwait(set, &sig) == 0)
		if (sig == SIGUSR1)
			print_stats();
		else
			exit(0);
	return NULL;
}

static void start_client(const pthread_attr_t *attr, int fd)
{
	pthread_t tid;

	// threads-one-at-a-time: echoes each client in the accept loop, as
	// lab 1 does: no thread, one client at a time
	if (flaw("threads-one-at-a-time")) {
		echo(fd);
		return;
	}
	if (pthread_create(&tid, attr, client_thread,
			   flaw("threads-fd-by-pointer") ? (void *)&fd
			   : (void *)(intptr_t)fd) != 0) {
		close(fd);
		usleep(100000);
	}
}

int main(int argc, char *argv[])
{
	static sigset_t set;
	pthread_attr_t attr;
	pthread_t tid;
	int lfd, fd;

	lfd = listener_open(argc, argv, 0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (flaw("threads-handler-printf"))
		signal(SIGUSR1, on_usr1);
	else
		sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&tid, NULL, signal_thread, &set) != 0)
		return 1;
	pthread_attr_init(&attr);
	// threads-joinable: threads nobody joins nor detaches, with default
	// stacks (lab 3 after step 2): each ended thread keeps its 8 MiB
	if (!flaw("threads-joinable"))
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	// threads-default-stack: leaves each thread the default stack, 8 MiB
	// of address space: the memory limit stops thread creation at ~120
	if (!flaw("threads-default-stack") && !flaw("threads-joinable"))
		pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			count(1, 0);
			start_client(&attr, fd);
		} else if (errno == EMFILE || errno == ENFILE ||
			   errno == ENOBUFS || errno == ENOMEM) {
			usleep(100000); /* until a client leaves */
		}
	}
}
