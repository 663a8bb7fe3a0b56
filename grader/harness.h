/*
 * harness.h - what every test function is made of (harness.c), and the
 * test functions themselves (contract.c, concurrency.c), which the
 * catalogue lists. A test returns 0 for a pass; on failure it fills
 * ctx->expected and ctx->happened (through fail) and returns -1. main.c
 * stops every server a test started, whatever the outcome.
 */
#ifndef SERVERLAB_HARNESS_H
#define SERVERLAB_HARNESS_H

#include "grader.h"

/* Record a failure; always returns -1. */
int fail(struct ctx *c, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "8 MiB", "100 KiB", "1000 bytes": a threshold as a message says it. */
const char *size_text(uint64_t bytes, char buf[32]);
/* A short pause, only doubled under valgrind (T.brief_scale). */
double brief(const struct ctx *c, double seconds);
/* 1 and "the server was killed by SIGPIPE" in buf if it is gone. */
int server_gone(struct server *s, double wait_s, char *buf, size_t len);
/* Start the student's binary with args, within the lab's limits. */
struct server *spawn(struct ctx *c, const char *const *args);
/* Start it on addr and read its line; c->addr is then HOST:PORT. */
struct server *start_server(struct ctx *c, const char *addr,
			    const char *want_host);
/* A server started as above and flows aimed at it. */
struct server *serve(struct ctx *c, const char *addr, const char *want_host,
		     struct flows *fs);
int aim_flows(struct ctx *c, struct server *s, struct flows *fs);
/* Run every flow to its end; a failure explains the first bad one. */
int run_flows(struct ctx *c, struct flows *fs, struct server *s,
	      double seconds, const char *expected);
/* Let non-reading flow i send until the buffers between are full. */
void push_until_stuck(struct ctx *c, struct flows *fs, size_t i,
		      double seconds);
/* Narrow clients that send, shut down, and read only later. */
size_t start_late_readers(struct ctx *c, struct flows *fs, int count,
			  uint32_t step, uint32_t seed);
/* One client with one script, on a fresh server. */
int echo_once(struct ctx *c, const struct flow_spec *spec, double seconds,
	      const char *expected);
/* A small echo to a new client on a running server. */
int still_serves(struct ctx *c, struct server *s, const char *after);
/* A /proc reading failed: explain why (never a pass). */
int unreadable(struct ctx *c, struct server *s, const char *expected);
/* Descriptors after a first client. */
int fd_baseline(struct ctx *c, struct server *s, int *baseline);
/* A count /proc gives, and what it staying high means. */
struct gauge {
	const char *name;
	int (*read)(pid_t pid);
	const char *advice;
};
extern const struct gauge gauge_fds, gauge_threads;
/* Wait (up to T.settle_s) until the gauge reads baseline or less. */
int settle(struct ctx *c, struct server *s, const struct gauge *g,
	   int baseline, const char *after);
/* While other clients hold the server, client B's echo comes back. */
int b_is_served(struct ctx *c, struct flows *fs, struct server *s,
		const char *expected);
/* Every flow (END_HOLD) has had all its echo, within T.echo_s. */
int await_settled(struct ctx *c, struct flows *fs, struct server *s,
		  const char *expected);
/* The server's death or the first failed flow, explained; else 0. */
int any_flow_failed(struct ctx *c, struct flows *fs, struct server *s,
		    const char *expected);

/* With clients connected (each echoed once), sig to a fresh server ends
 * it within T.term_exit_s: exit status 0, or unless zero_only, death by
 * that very signal. 0, or -1 with the failure (contract.c). */
int signal_ends_server(struct ctx *c, int sig, int clients, int zero_only);

/* contract.c: the echo contract, every lab */
int test_starts(struct ctx *c);
int test_bad_args(struct ctx *c);
int test_addr_in_use(struct ctx *c);
int test_echo_basic(struct ctx *c);
int test_echo_binary(struct ctx *c);
int test_echo_large(struct ctx *c);
int test_many_messages(struct ctx *c);
int test_partial_io(struct ctx *c);
int test_sequential(struct ctx *c);
int test_half_close(struct ctx *c);
int test_client_reset(struct ctx *c);
int test_sigterm(struct ctx *c);
int test_early_close(struct ctx *c);
int test_ipv6(struct ctx *c);

/* concurrency.c: many clients at once, labs 2-5 */
int test_idle_client(struct ctx *c);
int test_idle_cpu(struct ctx *c);
int test_slow_sender(struct ctx *c);
int test_slow_reader(struct ctx *c);
int test_concurrent(struct ctx *c);
int test_churn(struct ctx *c);
int test_fd_limit(struct ctx *c);
int test_strategy(struct ctx *c);

/* client.c: lab 1's client (step 5) */
int test_client(struct ctx *c);

/* threads.c: a thread per client, lab 3 */
int test_stats(struct ctx *c);
int test_orderly_exit(struct ctx *c);
int strategy_threads(struct ctx *c); /* test_strategy, for lab 3 */

#endif
