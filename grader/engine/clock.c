/*
 * clock.c - the grader's clock, the running test's deadline, and the
 * signals that stop the grader. Every wait in the grader asks time_is_up,
 * so Ctrl-C or a test over its time ends any of them within a few ms.
 */
#define _GNU_SOURCE
#include "engine/clock.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

volatile int grader_interrupted;
double test_deadline;
double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !grader_interrupted)
		;
}

int time_is_up(void)
{
	return grader_interrupted || (test_deadline > 0 && now_s() > test_deadline);
}

static void (*volatile stop_handler)(int);
volatile int stop_signals_from_outside;

/* In a PID namespace of ours a server cannot kill us (its init) with a
 * signal we leave at its default, but it could with one we handle: there
 * we take a stop signal only from outside the namespace (the relay, the
 * terminal), whose sender has no pid in it (si_pid 0). */
static void on_stop(int sig, siginfo_t *si, void *context)
{
	(void)context;
	if (stop_signals_from_outside && si != NULL && si->si_pid != 0)
		return;
	stop_handler(sig);
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void hold_stop_signals(int hold)
{
	static sigset_t before; /* the mask to go back to */
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		sigaddset(&set, stop_signals[i]);
	if (hold)
		sigprocmask(SIG_BLOCK, &set, &before);
	else
		sigprocmask(SIG_SETMASK, &before, NULL);
}

void on_stop_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	stop_handler = handler;
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO;
	for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		sigaction(stop_signals[i], &sa, NULL);
}
