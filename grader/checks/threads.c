/*
 * threads.c - the tests of a thread per client (lab 3): the statistics
 * the client threads share come out exact, the threads come and go with
 * their clients, and SIGTERM is an orderly exit.
 */
#define _GNU_SOURCE
#include "checks/threads.h"
#include "checks/startup.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/pattern.h"
#include "engine/procfs.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* The first complete stdout line the server wrote after byte `from` of
 * its stdout, into line; -1 while there is none. */
static int line_since(const struct server *s, size_t from, char *line,
		      size_t len)
{
	size_t fresh = s->out.total - from;

	if (fresh > s->out.len) /* more than the tail keeps: take the tail */
		fresh = s->out.len;
	const char *p = s->out.buf + s->out.len - fresh;
	const char *nl = memchr(p, '\n', fresh);
	if (nl == NULL)
		return -1;
	snprintf(line, len, "%.*s", (int)(nl - p), p);
	return 0;
}

/* SIGUSR1, then the line it brings, parsed into clients and bytes. */
static int ask_stats(struct ctx *c, struct server *s, unsigned long long *clients,
		     unsigned long long *bytes, const char *expected)
{
	size_t from = s->out.total;
	double deadline = now_s() + T.stats_answer_s * c->scale;
	char line[256], why[512], tail;

	kill(s->pid, SIGUSR1);
	while (server_drain(s), line_since(s, from, line, sizeof line) < 0) {
		if (server_gone(s, 0, why, sizeof why)) {
			if (WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGUSR1)
				c->hint = "step 3: SIGUSR1's default action ends the "
					  "process: block it in main before any "
					  "thread starts (threads inherit the mask), "
					  "and take it in the signal thread's sigwait";
			return fail(c, expected, "after SIGUSR1, %s", why);
		}
		if (now_s() > deadline || time_is_up())
			return fail(c, expected, "no line on stdout within %.0f s "
				    "of SIGUSR1 (print it, then fflush(stdout))",
				    T.stats_answer_s * c->scale);
		sleep_s(0.01);
	}
	if (sscanf(line, "stats: clients=%llu bytes=%llu%c", clients, bytes,
		   &tail) != 2)
		return fail(c, expected, "after SIGUSR1 it printed \"%s\"", line);
	return 0;
}

/*
 * The counts must be exact once every client has gone. A client thread
 * may add its last bytes just after the client has read them, so a short
 * count is asked again until T.stats_answer_s has passed; a count too
 * high is wrong at once.
 */
static int stats_agree(struct ctx *c, struct server *s, const struct flows *fs,
		       const char *expected)
{
	unsigned long long want_bytes = 0, clients, bytes;
	double deadline = now_s() + T.stats_answer_s * c->scale;

	for (size_t i = 0; i < fs->n; i++)
		want_bytes += fs->v[i].echoed;
	for (;;) {
		if (ask_stats(c, s, &clients, &bytes, expected) < 0)
			return -1;
		if (clients == fs->n && bytes == want_bytes)
			return 0;
		if (clients > fs->n || bytes > want_bytes || now_s() > deadline ||
		    time_is_up())
			break;
		sleep_s(0.1);
	}
	return fail(c, expected, "it printed \"stats: clients=%llu bytes=%llu\" "
		    "after %zu clients and %llu bytes echoed", clients, bytes,
		    fs->n, want_bytes);
}

/* The round trips of each stats client: fewer under valgrind's tools. */
static int stats_rounds(const struct ctx *c)
{
	return c->opt->vg_tool ? T.stats_tool_rounds : T.stats_rounds;
}

/* Clients that each do stats_rounds round trips at the same time. */
static int stats_workload(struct ctx *c, struct flows *fs, struct server *s,
			  uint32_t seed, const char *expected)
{
	for (int i = 0; i < T.stats_clients; i++) {
		struct flow_spec f = {.rounds = (uint32_t)stats_rounds(c),
				      .msg_min = 1, .msg_max = T.stats_max_message,
				      .pattern = PAT_RANDOM, .seed = seed + (uint32_t)i,
				      .end = END_CLOSE};
		flow_start(fs, &f);
	}
	return run_flows(c, fs, s, T.bulk_s, expected);
}

int test_stats(struct ctx *c)
{
	char expected[256];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected, "after %d clients at once, each %d "
		 "round trips of 1..%u bytes, SIGUSR1 prints \"stats: clients=N "
		 "bytes=M\" with the exact totals; again after %d more",
		 T.stats_clients, stats_rounds(c), T.stats_max_message,
		 T.stats_clients);
	rc = stats_workload(c, &fs, s, 60000, expected);
	/* Valgrind catches every signal itself: only a plain run shows
	 * whose handler SIGUSR1 has. */
	if (rc == 0 && c->opt->vg_tool == NULL &&
	    proc_catches_signal(s->pid, SIGUSR1) == 1) {
		c->hint = "step 3: no signal handler: block SIGUSR1 in main and "
			  "take it with sigwait in a thread of its own, which may "
			  "lock and print (a handler may do neither safely)";
		rc = fail(c, expected, "SIGUSR1 has a signal handler: a handler "
			  "runs in whatever thread the signal interrupts, maybe "
			  "one holding the stats lock or inside printf");
	}
	if (rc == 0)
		rc = stats_agree(c, s, &fs, expected);
	if (rc == 0)
		rc = stats_workload(c, &fs, s, 61000, expected);
	if (rc == 0)
		rc = stats_agree(c, s, &fs, expected);
	flows_free(&fs);
	return rc;
}

/* A thread for each connected client, and none left once they go. */
int strategy_threads(struct ctx *c)
{
	struct flow_spec f = {.total = 100, .pattern = PAT_RANDOM, .end = END_HOLD};
	int n = T.strategy_clients, rc, fds, base, threads;
	char expected[200], after[64];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);

	if (s == NULL)
		return -1;
	if (fd_baseline(c, s, &fds) < 0) {
		flows_free(&fs);
		return -1;
	}
	/* The first client's thread may still be ending: then base is one
	 * high, and one thread fewer than base + n is right too. */
	base = proc_threads(s->pid);
	snprintf(expected, sizeof expected, "a thread for each of %d connected "
		 "clients: %d to %d threads, the server had %d before", n,
		 base + n - 1, base + n + T.thread_slack, base);
	for (int i = 0; i < n; i++) {
		f.seed = 31000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	rc = await_settled(c, &fs, s, expected);
	threads = proc_threads(s->pid);
	if (rc == 0 && threads < 0)
		rc = unreadable(c, s, expected);
	else if (rc == 0 && (threads < base + n - 1 ||
			     threads > base + n + T.thread_slack))
		rc = fail(c, expected, "it has %d threads", threads);
	flows_free(&fs);
	snprintf(after, sizeof after, "its %d clients left", n);
	if (rc == 0)
		rc = settle(c, s, &gauge_threads, base, after);
	return rc;
}

/* SIGTERM, then SIGINT (each to a server of its own, clients connected):
 * an exit with status 0 within T.term_exit_s, not death by the signal. */
int test_orderly_exit(struct ctx *c)
{
	int rc = signal_ends_server(c, SIGTERM, T.idle_clients, 1);

	return rc == 0 ? signal_ends_server(c, SIGINT, T.idle_clients, 1) : rc;
}
