/*
 * completion.c - lab 5's error completions on a live client: a recv or
 * send whose res is negative ends that client (or is tried again), and
 * is never taken as a byte count.
 */
#define _GNU_SOURCE
#include "checks/completion.h"
#include "checks/shim.h"
#include "checks/thresholds.h"
#include "engine/clock.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum { VICTIM_RECV, VICTIM_SEND, VICTIMS };
static const char *const op_name[VICTIMS] = {"recv", "send"};

/* Whether the shim has said on the server's stderr that it failed op. */
static int landed(struct server *s, int k)
{
	char said[64];

	snprintf(said, sizeof said, "shortio: a %s made to fail", op_name[k]);
	server_drain(s);
	return memmem(s->err.buf, s->err.len, said, strlen(said)) != NULL;
}

/* A victim whose op failed must have seen only right bytes, and then
 * either the end of its connection or all its echo: never a wait. */
static int judged(struct ctx *c, const struct flow *f, int k,
		  const char *expected)
{
	char story[400];

	if (f->state == FLOW_DONE || (f->state == FLOW_FAILED && f->log.ngot == 0))
		return 0;
	if (f->state == FLOW_RUNNING)
		return fail(c, expected, "after its %s failed the server neither "
			    "ended the client nor echoed to it for %.0f s "
			    "(%llu of %llu bytes came back)", op_name[k],
			    T.echo_s * c->scale, (unsigned long long)f->echoed,
			    (unsigned long long)f->spec.total);
	flow_describe(f, story, sizeof story);
	return fail(c, expected, "after its %s failed: %s", op_name[k], story);
}

/*
 * The shim (grader/inject/uring_errors.c) gives the first recv the
 * server queues for one client, and the first send to another, the
 * descriptor -1: the kernel moves nothing and completes each with
 * -EBADF while both connections stay up. Each of the two must then see
 * its connection end (or, a server that tries again, all its echo), with
 * no wrong byte; the clients that hold on keep their echo, and the
 * server serves the next. A send's negative res added to out_sent takes
 * the send for done: the client waits for that echo for good. A recv's
 * taken as a length asks for a send of some 4 GiB, which Linux refuses
 * (-EINVAL), so the client ends a completion later, as it should: no
 * client can tell that one apart.
 *
 * A server the shim cannot reach (no liburing, its own io_uring_enter,
 * registered files) gets no fault, and a note says so.
 */
int test_error_completion(struct ctx *c)
{
	static char fail_env[80];
	struct flow_spec held = {.total = 1000, .pattern = PAT_RANDOM,
				 .end = END_HOLD};
	struct flow_spec victim = {.rounds = T.victim_rounds, .msg_min = 1,
				   .msg_max = T.victim_msg_max,
				   .pattern = PAT_RANDOM, .end = END_CLOSE};
	char expected[300], ip_text[VICTIMS][INET_ADDRSTRLEN];
	uint32_t ips[VICTIMS] = {fresh_loopback(), fresh_loopback()};
	struct flows fs;
	struct server *s;
	int rc, n = T.idle_clients, seen = 0;

	for (int k = 0; k < VICTIMS; k++) {
		uint32_t be = htonl(ips[k]);
		inet_ntop(AF_INET, &be, ip_text[k], INET_ADDRSTRLEN);
	}
	if (preload_shim(c) < 0)
		return -1;
	snprintf(fail_env, sizeof fail_env, "SHORTIO_URING_FAIL=%s/%s",
		 ip_text[VICTIM_RECV], ip_text[VICTIM_SEND]);
	c->env[1] = fail_env;
	if ((s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs)) == NULL)
		return -1;
	if ((rc = shim_loaded(c, s)) < 0) {
		flows_free(&fs);
		return rc;
	}
	snprintf(expected, sizeof expected, "a client whose recv completes with "
		 "-EBADF, and one whose send does, each ended with nothing "
		 "but its echo, while %d others keep theirs and the server "
		 "serves the next", n);
	for (int i = 0; i < n; i++) {
		held.seed = 7000 + (uint32_t)i;
		flow_start(&fs, &held);
	}
	rc = await_settled(c, &fs, s, expected);
	for (int k = 0; k < VICTIMS && rc == 0; k++) {
		victim.seed = 78 + (uint32_t)k;
		victim.source = ips[k];
		if (flow_start(&fs, &victim) < 0)
			rc = fail(c, expected, "out of memory for a client");
	}
	if (rc == 0) {
		/* Both victims end, or are through, or wait: one bound for
		 * the two, the one a failure's message names. */
		double deadline = now_s() + T.echo_s * c->scale;
		flows_run_until(&fs, n, deadline);
		flows_run_until(&fs, n + 1, deadline);
	}
	for (int k = 0; k < VICTIMS && rc == 0; k++)
		if (landed(s, k) && ++seen)
			rc = judged(c, &fs.v[n + k], k, expected);
	for (int i = 0; i < n && rc == 0; i++)
		if (!flow_settled(&fs.v[i])) {
			char story[400];
			flow_describe(&fs.v[i], story, sizeof story);
			rc = fail(c, expected, "a client that held on: %s", story);
		}
	flows_free(&fs);
	if (rc == 0 && seen < VICTIMS)
		snprintf(c->note, sizeof c->note, "%s was failed: the server "
			 "queued %s through liburing's io_uring_submit or "
			 "io_uring_submit_and_wait",
			 seen == 0 ? "no op" : "one op only",
			 seen == 0 ? "no recv or send" : "not both");
	return rc == 0 ? still_serves(c, s, "two clients' error completions") : rc;
}
