/*
 * concurrency.c - serving many clients at once (labs 2-5): nobody waits
 * behind an idle or slow client, memory stays bounded against one that
 * never reads, thousands come and go without leaking, the descriptor limit
 * is met calmly (concurrency_sleep.c: and an idle server sleeps), and the
 * server works the way its lab says it does.
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
	long rss0 = proc_rss_kb(s->pid), rss_half = -1;
	int threads = proc_threads(s->pid), half = T.churn_cycles / 2;
	double deadline = now_s() + T.bulk_s * c->scale;
	for (int i = 0; i < T.churn_cycles && rc == 0; i++) {
		if (i == half)
			rss_half = proc_rss_kb(s->pid);
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
	if (rc == 0 && (rss0 < 0 || rss_half < 0 || rss < 0))
		rc = unreadable(c, s, "the server's /proc entry is readable");
	if (rc == 0 && rss - rss0 > limit) {
		snprintf(expected, sizeof expected, "after %s, the server's "
			 "memory grown by less than %ld MiB", after, limit >> 10);
		rc = fail(c, expected, "it grew by %ld MiB (%ld KiB a client): "
			  "memory is kept for clients that are gone",
			  (rss - rss0) >> 10, (rss - rss0) / T.churn_cycles);
	}
	/* A small leak shows against the second half alone, once what the
	 * server reuses has been allocated. */
	limit = mem_bound(c, s, T.churn_half_growth_kb);
	if (rc == 0 && rss - rss_half > limit) {
		snprintf(expected, sizeof expected, "over the last %d of %d "
			 "clients, the server's memory grown by less than %ld "
			 "MiB", T.churn_cycles - half, T.churn_cycles, limit >> 10);
		rc = fail(c, expected, "it grew by %ld KiB (%ld bytes a client): "
			  "memory is kept for clients that are gone",
			  rss - rss_half, ((rss - rss_half) << 10) / (T.churn_cycles - half));
	}
	return rc;
}

/* What a one-thread server waits in, and why it is not what this lab
 * asks for (in buf, or a constant); NULL if it is. Readiness labs wait
 * in epoll, or in poll where the lab's poll_switch is on (lab 2's
 * step 5 is the move to epoll); lab 5 hands its operations to an
 * io_uring, and waits for nothing else. */
static const char *wrong_wait(struct ctx *c, pid_t pid, char *buf, size_t len)
{
	const char *name = c->lab->poll_switch.name, *value = poll_switch_set(c->lab);
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
