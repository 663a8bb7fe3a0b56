/*
 * pool.c - lab 5's step 6: the kernel picks receive buffers from a pool
 * (a provided-buffer ring) only when bytes arrive, so an idle client pins
 * none; a receive the empty pool ended (-ENOBUFS) starts again once
 * buffers are back. Where the kernel has no such pool, these tests are
 * skipped, said in one line, and the lab's other steps grade as before.
 */
#define _GNU_SOURCE
#include "checks/pool.h"
#include "checks/concurrency.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/procfs.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Why this system has no pool for step 6, or NULL: the grader registers
 * a one-buffer ring itself (Linux 5.19) and wants multishot receive,
 * which has no probe of its own, by the kernel's version (6.0). */
static const char *pool_unavailable(void)
{
	static _Alignas(4096) struct io_uring_buf ring[1];
	static char why[160];
	struct io_uring_buf_reg reg = {.ring_addr = (uintptr_t)ring,
				       .ring_entries = 1};
	struct io_uring_params p;
	struct utsname u;
	int major = 0, minor = 0;
	long fd, rc;

	memset(&p, 0, sizeof p);
	if ((fd = syscall(SYS_io_uring_setup, 1, &p)) < 0)
		return "io_uring_setup failed"; /* the lab is skipped before */
	rc = syscall(SYS_io_uring_register, fd, IORING_REGISTER_PBUF_RING, &reg, 1);
	int err = errno;
	close((int)fd);
	if (rc < 0)
		snprintf(why, sizeof why, "the kernel registers no provided-buffer "
			 "ring (io_uring_register: %s; Linux 5.19 has them)",
			 strerror(err));
	else if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
		 major < 6)
		snprintf(why, sizeof why, "Linux %s has no multishot receive "
			 "(it came in 6.0)", u.release);
	return rc < 0 || major < 6 ? why : NULL;
}

static int pool_skipped(struct ctx *c)
{
	static char why[200];
	const char *lacks = pool_unavailable();

	if (lacks != NULL) {
		snprintf(why, sizeof why, "not available on this machine: %s", lacks);
		c->skip_why = why;
		c->skipped = 1;
	}
	return c->skipped;
}

/* A failure of the pool's clients: wrong bytes (kept in the flow's log)
 * mean a buffer went back while a send still read it; a stall, what the
 * test says (stalled); a closed connection, the plan's hint. */
static void pool_hint(struct ctx *c, const struct flows *fs, const char *stalled)
{
	const struct flow *bad = flows_first_failure(fs);

	c->hint = bad == NULL ? stalled : bad->log.ngot == 0 ? NULL
		: "step 6: a buffer goes back to the pool only once its send "
		  "has completed: the kernel may pick it for another receive "
		  "at once";
}

/*
 * Thousands of clients, each echoed once and then silent, as a chat or a
 * push service holds them. A receive that waits with a buffer of its own
 * pins that buffer for as long as the client is silent; with the pool,
 * a waiting client holds its few dozen bytes of state and nothing else.
 */
int test_idle_memory(struct ctx *c)
{
	struct flow_spec f = {.total = 64, .pattern = PAT_RANDOM, .end = END_HOLD};
	char expected[200];
	struct flows fs;
	struct server *s;
	int rc, n = T.pool_idle_clients;

	if (pool_skipped(c) || (s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs)) == NULL)
		return c->skipped ? 0 : -1;
	long limit = mem_bound(c, s, (long)n * T.pool_idle_kb);
	snprintf(expected, sizeof expected, "%d clients, each echoed once and "
		 "then idle, grow the server's memory by less than %ld KiB "
		 "(%ld bytes a client)", n, limit, (limit << 10) / n);
	long before = proc_rss_kb(s->pid);
	for (int i = 0; i < n; i++) {
		f.seed = 60000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	rc = await_settled(c, &fs, s, expected);
	if (rc < 0)
		pool_hint(c, &fs, "step 6: the pool ran dry: give each buffer "
			  "back to the ring (io_uring_buf_ring_add, _advance) "
			  "once all its bytes are sent");
	flows_run_for(&fs, brief(c, 0.2));
	long after = proc_rss_kb(s->pid);
	if (rc == 0 && (before < 0 || after < 0))
		rc = unreadable(c, s, expected);
	if (rc == 0 && after - before > limit)
		rc = fail(c, expected, "it grew by %ld KiB, %ld bytes a client",
			  after - before, ((after - before) << 10) / n);
	flows_free(&fs);
	return rc;
}

/*
 * Clients that send much and read slowly hold the pool's buffers until
 * their echo can go, and together they empty it: every other receive
 * ends with -ENOBUFS. Once they read, buffers come back, and each of
 * those receives must start again, or its client is never heard again.
 */
int test_pool_dry(struct ctx *c)
{
	struct flow_spec f = {.total = T.pool_dry_bytes, .pattern = PAT_RANDOM,
			      .narrow = 1, .paused = 1, .end = END_CLOSE};
	char expected[200], size[32];
	struct flows fs;
	struct server *s;
	int rc;

	if (pool_skipped(c) || (s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs)) == NULL)
		return c->skipped ? 0 : -1;
	snprintf(expected, sizeof expected, "%d clients send %s each and read "
		 "only after a while (the pool runs dry meanwhile); then every "
		 "echo comes back intact", T.pool_dry_clients,
		 size_text(T.pool_dry_bytes, size));
	for (int i = 0; i < T.pool_dry_clients; i++) {
		f.seed = 70000 + (uint32_t)i;
		f.source = fresh_loopback();
		flow_start(&fs, &f);
	}
	flows_run_for(&fs, brief(c, 1.0)); /* they send until stuck */
	for (size_t i = 0; i < fs.n; i++)
		flow_resume(&fs, i);
	if ((rc = run_flows(c, &fs, s, T.bulk_s, expected)) < 0)
		pool_hint(c, &fs, NULL); /* a stall: the plan's hint */
	flows_free(&fs);
	return rc;
}
