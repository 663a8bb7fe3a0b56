/*
 * concurrency_sleep.c - part of concurrency.c: a server with nothing to
 * do sleeps, whether its clients have gone quiet (idle-cpu) or it has no
 * descriptor left for the ones that wait (fd-limit).
 */
#define _GNU_SOURCE
#include "checks/concurrency.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/pattern.h"
#include "engine/procfs.h"

#include <stdio.h>

/* What a server has used so far: seconds runnable (on a CPU or queued
 * for one) and seconds on a CPU; -1 where /proc is unreadable. */
struct usage {
	double runnable, cpu, t;
};

static struct usage usage_now(pid_t pid)
{
	struct usage u = {proc_runnable_s(pid), proc_cpu_s(pid), now_s()};

	if (u.runnable >= 0 && u.runnable < u.cpu) /* no sched_info: zeros */
		u.runnable = u.cpu;
	return u;
}

/*
 * Whether the server spun since u0: fails the test with what it used, 0
 * if it slept, -1 if /proc could not say. It takes both measures, since
 * each alone fails somebody on a loaded machine: a spinner is runnable
 * all the time but gets few cycles, while a sleeper that wakes now and
 * then (a rest between accepts, a sanitizer's own thread) gets almost no
 * cycles yet waits its turn in the queue at each wake-up. Only a spinner
 * is both runnable over `share` of the time and on a CPU over T.spin_cpu
 * (T.spin_cpu_tool under a sanitizer or valgrind).
 */
static int spun(struct ctx *c, struct server *s, struct usage u0, double share,
		const char *expected, const char *when)
{
	struct usage u = usage_now(s->pid);
	double spent = u.t - u0.t, runnable = u.runnable - u0.runnable;
	double cpu = u.cpu - u0.cpu;

	/* A sanitizer's or valgrind's own work goes on while the server
	 * sleeps: its bound is the larger, and its plain build is the one
	 * graded for spinning. */
	double cpu_share = under_tool(c, s) ? T.spin_cpu_tool : T.spin_cpu;

	if (u0.runnable < 0 || u.runnable < 0 || u0.cpu < 0 || u.cpu < 0)
		return unreadable(c, s, expected);
	if (runnable > share * spent && cpu > cpu_share * spent)
		return fail(c, expected, "it was runnable for %.2f s and on a CPU "
			    "for %.2f s of %.2f s%s: a busy loop", runnable, cpu,
			    spent, when);
	return 0;
}

/*
 * A server with nothing to do sleeps. Clients that have had their echo and
 * now say nothing must cost it no CPU: a server that keeps asking for
 * write-readiness with nothing to write is woken at once, forever (it is
 * level-triggered), and spins while looking perfectly correct.
 */
int test_idle_cpu(struct ctx *c)
{
	struct flow_spec f = {.total = 1000, .pattern = PAT_RANDOM, .end = END_HOLD};
	char expected[200];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected, "with %d clients connected and "
		 "silent after their echo, and one gone, the server sleeps "
		 "(runnable under %.0f%% of the time)", T.idle_clients,
		 T.idle_cpu * 100);
	for (int i = 0; i < T.idle_clients; i++) {
		f.seed = 40000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	const char *found = c->hint;
	rc = await_settled(c, &fs, s, expected);
	/* Not this test's subject, idle-client's; but diagnose()'s finding,
	 * if it had one (a descriptor handed over by pointer), is the cause. */
	if (rc < 0 && c->hint == found)
		c->hint = "serve every connected client, not one at a time "
			  "(see idle-client)";
	/* Then one that comes and goes, its descriptor's number not taken
	 * again: nothing of it may be left awake (a closed descriptor left
	 * in poll's set is ready at once, forever). */
	struct flows gone;
	struct flow_spec g = {.total = 1000, .pattern = PAT_RANDOM, .end = END_CLOSE};
	if (rc == 0 && (rc = aim_flows(c, s, &gone)) == 0) {
		flow_start(&gone, &g);
		rc = run_flows(c, &gone, s, T.echo_s, expected);
		flows_free(&gone);
	}
	if (rc == 0) {
		flows_run_for(&fs, brief(c, 0.2)); /* it goes back to sleep */
		struct usage u0 = usage_now(s->pid);
		flows_run_for(&fs, T.idle_watch_s);
		rc = spun(c, s, u0, T.idle_cpu, expected, " while nothing happened");
	}
	flows_free(&fs);
	return rc;
}

int test_fd_limit(struct ctx *c)
{
	struct flow_spec f = {.total = 100, .pattern = PAT_RANDOM, .end = END_HOLD};
	char expected[240];
	struct flows fs;
	struct server *s;
	int rc, served = 0;

	c->nofile = T.fd_limit;
	s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	if (s == NULL)
		return -1;
	int idle_fds = proc_fd_count(s->pid);
	for (int i = 0; i < T.fd_limit_clients; i++) {
		f.seed = 20000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	/* They arrive and the server fills up. Valgrind's slowness matters
	 * less here than elsewhere: this only waits for accepts. */
	flows_run_for(&fs, c->scale > 1 ? 3.0 : 1.0);
	struct usage u0 = usage_now(s->pid);
	flows_run_for(&fs, 2.0);
	char why[512];
	snprintf(expected, sizeof expected, "with %lu descriptors and %d clients "
		 "waiting, the server sleeps (runnable under %.0f%% of the time) and serves "
		 "those it holds", T.fd_limit, T.fd_limit_clients, T.fd_limit_cpu * 100);
	/* Closing a client it cannot hold is fair (libuv's spare-descriptor
	 * trick does it), so a failed flow alone is no failure here. */
	rc = server_gone(s, 0, why, sizeof why) ? fail(c, expected, "%s", why) : 0;
	if (rc == 0)
		rc = spun(c, s, u0, T.fd_limit_cpu, expected, "");
	for (size_t i = 0; i < fs.n; i++)
		served += flow_settled(&fs.v[i]);
	if (rc == 0 && served == 0)
		rc = fail(c, expected, "none of the %d clients got its echo",
			  T.fd_limit_clients);
	flows_free(&fs); /* every client leaves */
	/* Probe once the server has closed them (or after T.settle_s): a
	 * probe that comes while it still sits at the limit asks for what the
	 * test does not grade, and under valgrind, which keeps descriptors
	 * at the top of the range for itself, it gets a reset. */
	double settled = now_s() + T.settle_s * c->scale;
	while (rc == 0 && idle_fds >= 0 && proc_fd_count(s->pid) > idle_fds + 2 &&
	       now_s() < settled && !time_is_up())
		sleep_s(0.02);
	if (rc == 0)
		rc = still_serves(c, s, "clients beyond the descriptor limit left");
	return rc;
}
