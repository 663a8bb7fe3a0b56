/*
 * completion.c - lab 5's error completions on a live client: a recv or
 * send whose res is negative ends that client (and nothing else), and is
 * never taken as a byte count.
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

/* A victim: lockstep messages from source address ip, enough round
 * trips that its fault lands with more to come, whichever the server
 * first lets the shim see. */
static void start_victim(struct flows *fs, uint32_t ip, uint32_t seed)
{
	struct flow_spec f = {.rounds = T.victim_rounds, .msg_min = 1,
			      .msg_max = T.victim_msg_max, .pattern = PAT_RANDOM,
			      .seed = seed, .source = ip, .end = END_CLOSE};

	flow_start(fs, &f);
}

/* Whether the shim has said on the server's stderr that op failed. */
static int landed(struct server *s, int k)
{
	char said[64];

	snprintf(said, sizeof said, "shortio: a %s completion made", op_name[k]);
	server_drain(s);
	return memmem(s->err.buf, s->err.len, said, strlen(said)) != NULL;
}

/* Whether a victim whose fault landed shows what the server did: it
 * ended (or failed), or it has had more echo than the failed round's. */
static int resolved(const struct flow *f, uint64_t echoed_then)
{
	return f->state != FLOW_RUNNING ||
	       f->echoed > echoed_then + T.victim_msg_max;
}

/* What the client whose op failed saw, once resolved: its connection
 * ended, after nothing but correct echo. At most the failed round's echo
 * may come after the fault was seen (a failed send did reach the client):
 * any more, and the server served it on. A fault on the last round
 * leaves nothing to tell by. */
static int ended_cleanly(struct ctx *c, const struct flow *f, int k,
			 uint64_t echoed_then, const char *expected)
{
	char story[400];

	if ((f->state == FLOW_FAILED && f->log.ngot == 0) ||
	    (f->state == FLOW_DONE && echoed_then + T.victim_msg_max >= f->spec.total))
		return 0;
	if (!resolved(f, echoed_then))
		return fail(c, expected, "after its %s failed the server neither "
			    "ended the client nor served it for %.0f s",
			    op_name[k], T.echo_s * c->scale);
	c->hint = k == VICTIM_SEND
		? "step 4: an error completion ends that client (client_end), "
		  "whatever else it was doing: on_send adding a negative res "
		  "to out_sent goes on serving it as if all were sent"
		: "step 4: a negative res is an error, never a byte count: "
		  "on_recv and on_send end the client (client_end) when res < "
		  "0; cast it to size_t and it becomes a length of gigabytes";
	if (f->state == FLOW_FAILED) {
		flow_describe(f, story, sizeof story);
		return fail(c, expected, "after its %s failed: %s", op_name[k], story);
	}
	return fail(c, expected, "after its %s failed the server went on "
		    "serving the client: %llu more bytes of echo came back",
		    op_name[k], (unsigned long long)(f->echoed - echoed_then));
}

/*
 * The shim (grader/inject/uring_errors.c) turns the first good recv
 * completion of one client, and the first send completion of another,
 * into -ECONNRESET, while both connections stay up. Each of the two must
 * end with nothing but correct echo, the clients that hold on keep their
 * echo, and the server serves the next. A send's negative res added to
 * out_sent goes on serving the client. A recv's taken as a length asks
 * for a send of some 4 GiB, which Linux 6 refuses (-EINVAL): the client
 * then ends a completion later, which no client can tell from the right
 * thing (an older kernel would send what lies beyond the buffer, and the
 * client would see those bytes).
 *
 * Which completion the shim gets to rewrite is up to the server's
 * timing (one that comes while the server reads the ring inline is not
 * seen), so the victims have many round trips, and each is judged from
 * the moment the shim says its fault landed. One that never lands (a
 * multishot recv's completions all say more will come) is not judged.
 */
int test_error_completion(struct ctx *c)
{
	static char fail_env[80];
	struct flow_spec held = {.total = 1000, .pattern = PAT_RANDOM,
				 .end = END_HOLD};
	char expected[300], ip_text[VICTIMS][INET_ADDRSTRLEN];
	uint32_t ips[VICTIMS] = {fresh_loopback(), fresh_loopback()};
	uint64_t echoed_then[VICTIMS];
	int seen[VICTIMS] = {0, 0};
	struct flows fs;
	struct server *s;
	int rc, n = T.idle_clients;

	/* Under valgrind, on a loaded machine, the reference once went on
	 * echoing to the client whose send the shim failed (33,598 bytes),
	 * which neither its code nor twelve runs since (six loaded) explain: a test
	 * that may fail a correct server says so instead. */
	if (c->opt->vg_tool != NULL) {
		c->skip_why = "not judged under valgrind (run it without)";
		c->skipped = 1;
		return 0;
	}
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
		 "-ECONNRESET, and one whose send does, each ended with nothing "
		 "but its echo, while %d others keep theirs and the server "
		 "serves the next", n);
	for (int i = 0; i < n; i++) {
		held.seed = 7000 + (uint32_t)i;
		flow_start(&fs, &held);
	}
	rc = await_settled(c, &fs, s, expected);
	if (rc == 0) {
		double deadline = now_s() + T.echo_s * c->scale;

		for (int k = 0; k < VICTIMS; k++)
			start_victim(&fs, ips[k], 78 + (uint32_t)k);
		/* Until each victim's fault landed and shows its outcome, or
		 * the victim is through without one (a bound, not a wait). */
		while (!time_is_up() && now_s() < deadline) {
			int waiting = 0;
			flows_run_for(&fs, T.victim_look_s);
			for (int k = 0; k < VICTIMS; k++) {
				const struct flow *f = &fs.v[n + k];
				if (!seen[k] && (seen[k] = landed(s, k)))
					echoed_then[k] = f->echoed;
				waiting += seen[k] ? !resolved(f, echoed_then[k])
						   : f->state == FLOW_RUNNING;
			}
			if (waiting == 0)
				break;
		}
		for (int k = 0; k < VICTIMS && rc == 0; k++)
			if (seen[k])
				rc = ended_cleanly(c, &fs.v[n + k], k, echoed_then[k],
						   expected);
	}
	for (int i = 0; i < n && rc == 0; i++)
		if (!flow_settled(&fs.v[i])) {
			char story[400];
			flow_describe(&fs.v[i], story, sizeof story);
			rc = fail(c, expected, "a client that held on: %s", story);
		}
	flows_free(&fs);
	return rc == 0 ? still_serves(c, s, "two clients' error completions") : rc;
}
