/*
 * concurrency.c - serving many clients at once (labs 2-5): nobody waits
 * behind an idle or slow client, memory stays bounded against one that
 * never reads, thousands come and go without leaking, the descriptor limit
 * is met calmly, and the server works the way its lab says it does.
 */
#define _GNU_SOURCE
#include "checks/concurrency.h"
#include "checks/thresholds.h"
#include "checks/threads.h"
#include "engine/clock.h"
#include "engine/pattern.h"
#include "engine/procfs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_idle_client(struct ctx *c)
{
	struct flow_spec idle = {.total = 0, .end = END_HOLD};
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	flow_start(&fs, &idle);
	flows_run_for(&fs, brief(c, 0.2)); /* A connects first */
	char expected[160];
	snprintf(expected, sizeof expected, "while client A is connected and "
		 "sends nothing, client B's %u bytes come back within %.0f s",
		 T.probe_bytes, T.other_echo_s * c->scale);
	rc = b_is_served(c, &fs, s, expected);
	flows_free(&fs);
	return rc;
}

/* A memory bound in KiB for this server: memcheck's bookkeeping grows
 * with the server's memory, and ASan keeps freed memory in quarantine
 * (256 MiB by default) and shadows it, so neither says anything about the
 * server's own growth. Helgrind keeps every thread's history for good
 * (about 90 KiB a client thread here): under it, memory is not graded;
 * the plain and memcheck runs grade it. */
long mem_bound(const struct ctx *c, const struct server *s, long kb)
{
	if (c->opt->vg_tool != NULL && strcmp(c->opt->vg_tool, "helgrind") == 0)
		return LONG_MAX;
	if (s->sanitized)
		return kb + (T.sanitizer_mem_mb << 10);
	return c->opt->vg_tool ? (long)((double)kb * T.valgrind_mem_scale) : kb;
}

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
 * is both runnable over `share` of the time and on a CPU over T.spin_cpu.
 */
static int spun(struct ctx *c, struct server *s, struct usage u0, double share,
		const char *expected, const char *when)
{
	struct usage u = usage_now(s->pid);
	double spent = u.t - u0.t, runnable = u.runnable - u0.runnable;
	double cpu = u.cpu - u0.cpu;

	if (u0.runnable < 0 || u.runnable < 0 || u0.cpu < 0 || u.cpu < 0)
		return unreadable(c, s, expected);
	if (runnable > share * spent && cpu > T.spin_cpu * spent)
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
	rc = await_settled(c, &fs, s, expected);
	if (rc < 0) /* not this test's subject: idle-client's */
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

int test_slow_sender(struct ctx *c)
{
	struct flow_spec a = {.total = T.slow_sender_bytes, .pattern = PAT_RANDOM,
			      .seed = 8, .chunk = 1, .gap_s = T.slow_gap_s,
			      .end = END_CLOSE};
	char expected[160];
	snprintf(expected, sizeof expected, "while client A sends a byte every "
		 "%.0f ms, client B is served, and A's bytes come back too",
		 T.slow_gap_s * 1000);
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	flow_start(&fs, &a);
	flows_run_for(&fs, brief(c, 0.3));
	rc = b_is_served(c, &fs, s, expected);
	if (rc == 0) {
		double deadline = now_s() + T.echo_s * c->scale;
		while (fs.v[0].echoed == 0 && now_s() < deadline &&
		       !time_is_up())
			flows_run_for(&fs, 0.05);
		rc = any_flow_failed(c, &fs, s, expected);
	}
	if (rc == 0 && fs.v[0].echoed == 0)
		rc = fail(c, expected, "client A sent %llu bytes and none came back",
			  (unsigned long long)fs.v[0].sent);
	flows_free(&fs);
	return rc;
}

int test_slow_reader(struct ctx *c)
{
	/* END_CLOSE, not a half-close: this is a step-3 test, and finishing
	 * the echo after a half-close is step 4's lesson. */
	struct flow_spec a = {.total = T.slow_reader_bytes, .pattern = PAT_RANDOM,
			      .seed = 9, .paused = 1, .end = END_CLOSE};
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	char expected[200];
	int rc;

	if (s == NULL)
		return -1;
	long before = proc_rss_kb(s->pid);
	flow_start(&fs, &a);
	/* A pushes until the server stops taking its bytes (or all of them
	 * are gone, if the server buffers without bound). */
	push_until_stuck(c, &fs, 0, 10);
	char size[32], b_served[160], all_back[96];
	size_text(T.slow_reader_bytes, size);
	snprintf(b_served, sizeof b_served, "while client A sends %s and reads "
		 "nothing, client B is served within %.0f s", size,
		 T.other_echo_s * c->scale);
	snprintf(all_back, sizeof all_back, "when client A reads at last, all "
		 "%s come back intact", size);
	rc = b_is_served(c, &fs, s, b_served);
	long after = proc_rss_kb(s->pid), grown = after - before;
	long limit = mem_bound(c, s, T.rss_growth_kb);
	snprintf(expected, sizeof expected, "while client A sends and reads "
		 "nothing, the server's memory grows less than %ld MiB", limit >> 10);
	if (rc == 0 && (before < 0 || after < 0))
		rc = unreadable(c, s, expected);
	if (rc == 0 && grown > limit)
		rc = fail(c, expected, "it grew by %ld MiB after A sent %llu MiB",
			  grown >> 10, (unsigned long long)(fs.v[0].sent >> 20));
	if (rc == 0) {
		flow_resume(&fs, 0);
		rc = run_flows(c, &fs, s, T.bulk_s, all_back);
	}
	flows_free(&fs);
	return rc;
}

int test_concurrent(struct ctx *c)
{
	int n = c->lab->thread_per_client ? T.concurrent_threads : T.concurrent;
	char expected[200];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected, "%d clients at once, each %d round "
		 "trips of 1..%u bytes, every byte intact", n, T.rounds, T.max_message);
	/* Each holds on until all are through: "at once" holds for the
	 * server however fast it serves (a thread per client has n threads
	 * alive at the end, not however many the timing left). */
	for (int i = 0; i < n; i++) {
		struct flow_spec f = {.rounds = (uint32_t)T.rounds,
				      .msg_min = 1, .msg_max = T.max_message,
				      .pattern = PAT_RANDOM, .seed = 1000 + (uint32_t)i,
				      .end = END_HOLD};
		flow_start(&fs, &f);
	}
	rc = await_settled_within(c, &fs, s, T.bulk_s, expected);
	if (rc == 0 && c->lab->thread_per_client)
		rc = stacks_fit(c, s, expected);
	flows_free(&fs);
	return rc;
}

/*
 * Clients that come and go, many at a time: each is echoed, and none leaves
 * anything behind, neither a descriptor nor memory. Each sends enough that
 * a buffer leaked per client (T.churn_bytes touched in it) adds up to far
 * more than T.churn_rss_growth_kb, which a correct server never nears.
 */
int test_churn(struct ctx *c)
{
	char expected[200];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc = 0, fds;

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected, "%d connect/echo/close cycles, %d "
		 "at a time, each echoed (one in %d resets, owed echo)",
		 T.churn_cycles, T.churn_parallel, T.churn_reset_every);
	if (fd_baseline(c, s, &fds) < 0) {
		flows_free(&fs);
		return -1;
	}
	long rss0 = proc_rss_kb(s->pid);
	int threads = proc_threads(s->pid);
	double deadline = now_s() + T.bulk_s * c->scale;
	for (int i = 0; i < T.churn_cycles && rc == 0; i++) {
		struct flow_spec f = {.total = T.churn_bytes, .pattern = PAT_RANDOM,
				      .seed = 5000 + (uint32_t)i, .end = END_CLOSE};
		/* Every churn_reset_every-th client sends more than the buffers
		 * between hold, reads nothing and resets: the server still owes
		 * it echo, held in memory that must go with it. */
		if (i % T.churn_reset_every == T.churn_reset_every - 1)
			f = (struct flow_spec){.total = T.churn_reset_bytes,
					       .pattern = PAT_RANDOM, .paused = 1,
					       .narrow = 1, .end = END_RESET};
		flow_start(&fs, &f);
		if (flows_run_below(&fs, (size_t)T.churn_parallel, deadline) < 0 ||
		    flows_first_failure(&fs) != NULL)
			rc = run_flows(c, &fs, s, 0, expected);
	}
	if (rc == 0)
		rc = run_flows(c, &fs, s, T.echo_s, expected);
	flows_free(&fs);
	char after[64];
	snprintf(after, sizeof after, "%d clients came and went", T.churn_cycles);
	if (rc == 0)
		rc = settle(c, s, &gauge_fds, fds, after);
	if (rc == 0)
		rc = settle(c, s, &gauge_threads, threads, after);
	long rss = proc_rss_kb(s->pid), limit = mem_bound(c, s, T.churn_rss_growth_kb);
	if (rc == 0 && (rss0 < 0 || rss < 0))
		rc = unreadable(c, s, "the server's /proc entry is readable");
	if (rc == 0 && rss - rss0 > limit) {
		snprintf(expected, sizeof expected, "after %s, the server's "
			 "memory grown by less than %ld MiB", after, limit >> 10);
		rc = fail(c, expected, "it grew by %ld MiB (%ld KiB a client): "
			  "memory is kept for clients that are gone",
			  (rss - rss0) >> 10, (rss - rss0) / T.churn_cycles);
	}
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

/* What a one-thread server waits in, and why it is not what this lab
 * asks for (in buf, or a constant); NULL if it is. Readiness labs wait
 * in epoll, or in poll where the lab's poll_switch is on (lab 2's
 * step 5 is the move to epoll); lab 5 hands its operations to an
 * io_uring, and waits for nothing else. */
static const char *wrong_wait(struct ctx *c, pid_t pid, char *buf, size_t len)
{
	const char *name = c->lab->poll_switch.name, *value = getenv(name ? name : "");
	int poll_ok = value != NULL && strcmp(value, c->lab->poll_switch.value) == 0;

	if (c->lab->completion)
		return !proc_uses_uring(pid) ? "it holds no io_uring instance"
		     : proc_uses_epoll(pid) ? "it holds an epoll instance too: "
		       "readiness, not completions"
		     : proc_waits_in_poll(pid) ? "it is asleep in poll, select "
		       "or epoll_wait, not in io_uring_enter" : NULL;
	if (proc_uses_epoll(pid) || (poll_ok && proc_waits_in_poll(pid)))
		return NULL;
	if (poll_ok)
		return "it holds no epoll instance and is not asleep in poll "
		       "or select";
	if (name == NULL)
		return "it holds no epoll instance";
	snprintf(buf, len, "it holds no epoll instance (with %s=%s, poll "
		 "counts too)", name, c->lab->poll_switch.value);
	return buf;
}

int test_strategy(struct ctx *c)
{
	struct flow_spec f = {.total = 100, .pattern = PAT_RANDOM, .end = END_HOLD};
	char expected[128], why[128];
	const char *wrong;
	struct flows fs;
	struct server *s;
	int rc = 0, threads;

	if (c->lab->thread_per_client)
		return strategy_threads(c);
	if ((s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs)) == NULL)
		return -1;
	snprintf(expected, sizeof expected, "one thread, %s, serving %d idle "
		 "clients", c->lab->completion ? "an io_uring and no epoll or "
		 "poll" : c->lab->poll_switch.name ? "waiting in epoll (or poll where "
		 "allowed)" : "waiting in epoll", T.strategy_clients);
	for (int i = 0; i < T.strategy_clients; i++) {
		f.seed = 30000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	rc = await_settled(c, &fs, s, expected);
	sleep_s(brief(c, 0.2)); /* let it go back to sleep */
	/* The kernel's io_uring workers are threads of the server too. */
	threads = proc_threads(s->pid) - proc_io_workers(s->pid);
	if (rc == 0 && threads != 1)
		rc = fail(c, expected, "it has %d threads", threads);
	if (rc == 0 && (wrong = wrong_wait(c, s->pid, why, sizeof why)) != NULL)
		rc = fail(c, expected, "%s", wrong);
	flows_free(&fs);
	return rc;
}
