/*
 * hold_threads.c - a busy desktop, for make test: N threads that sleep for
 * S seconds, then exit. The user's tasks are what RLIMIT_NPROC counts, so
 * grading lab 3 while this runs shows whether the grader's task budget
 * still leaves the server its share.
 *
 * usage: hold_threads N S   (prints "holding N" once all are running)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char *argv[])
{
	pthread_attr_t attr;
	pthread_t tid;
	int n = argc == 3 ? atoi(argv[1]) : -1;
	unsigned secs = argc == 3 ? (unsigned)atoi(argv[2]) : 0;

	if (n < 0) {
		fprintf(stderr, "usage: hold_threads N SECONDS\n");
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++)
		if (pthread_create(&tid, &attr, sleeper, NULL) != 0) {
			fprintf(stderr, "hold_threads: only %d threads\n", i);
			return 1;
		}
	printf("holding %d\n", n);
	fflush(stdout);
	sleep(secs);
	return 0;
}
