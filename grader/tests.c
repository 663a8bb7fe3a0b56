/*
 * tests.c - the test catalogue: thresholds, the tests (one function each),
 * and each lab's plan (which tests, in which README step, with which hint).
 *
 * A test starts the servers it needs through start_server, drives clients
 * through flows.c, and on failure fills ctx->expected and ctx->happened.
 * main.c stops every server a test started, whatever the outcome.
 */
#define _GNU_SOURCE
#include "grader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every threshold in one place. Times are multiplied by ctx->scale (valgrind
 * slows a server 10-50 times) and are generous: a correct server on a busy
 * 2-core machine answers in milliseconds; these fail only at seconds. */
static const struct thresholds {
	double listen_s;      /* until the "listening on" line */
	double exit_s;        /* a server that must refuse to start */
	double echo_s;        /* a small echo */
	double bulk_s;        /* a test's bulk transfer */
	double settle_s;      /* descriptors back to baseline after clients */
	uint64_t large_bytes; /* echo-large */
	int messages;         /* many-messages round trips */
	uint32_t message_size;
	int sequential;       /* clients one after another */
	uint64_t halfclose_bytes;
	uint64_t reset_bytes; /* client-reset and early-close */
} T = {
	.listen_s = 2,
	.exit_s = 5,
	.echo_s = 5,
	.bulk_s = 30,
	.settle_s = 3,
	.large_bytes = 8u << 20,
	.messages = 1000,
	.message_size = 100,
	.sequential = 200,
	.halfclose_bytes = 100u << 10,
	.reset_bytes = 1u << 20,
};

static int fail(struct ctx *c, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const char *expected, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->expected, sizeof c->expected, "%s", expected);
	va_start(ap, fmt);
	vsnprintf(c->happened, sizeof c->happened, fmt, ap);
	va_end(ap);
	return -1;
}

/* The last line the server wrote to stderr, quoted, or "". */
static void last_err_line(const struct server *s, char *buf, size_t len)
{
	size_t end = s->err.len;

	while (end > 0 && s->err.buf[end - 1] == '\n')
		end--;
	size_t start = end;
	while (start > 0 && s->err.buf[start - 1] != '\n')
		start--;
	if (end == start)
		buf[0] = '\0';
	else
		snprintf(buf, len, "; its stderr said \"%.*s\"",
			 (int)(end - start > 200 ? 200 : end - start),
			 s->err.buf + start);
}

/* Why the server is gone, if it is: "the server was killed by SIGPIPE". */
static int server_gone(struct server *s, char *buf, size_t len)
{
	char status[96], err[256];

	if (!server_check_exit(s))
		return 0;
	server_drain(s);
	describe_status(s->status, status, sizeof status);
	last_err_line(s, err, sizeof err);
	snprintf(buf, len, "the server %s%s", status, err);
	return 1;
}

static struct server *spawn(struct ctx *c, const char *const *args)
{
	struct spawn_opts o = {
		.path = c->opt->server,
		.args = args,
		.lim = lab_limits(c->opt->lab),
		.valgrind = c->opt->valgrind,
	};
	struct server *s = &c->srv[c->nsrv];
	char why[256];

	if (c->nsrv == MAX_SERVERS) {
		fail(c, "at most 4 servers a test", "the grader ran out of room");
		return NULL;
	}
	if (server_spawn(s, &o, why, sizeof why) < 0) {
		fail(c, "the server to start", "%s", why);
		return NULL;
	}
	c->nsrv++;
	return s;
}

/*
 * Start the server on addr and wait for its "listening on HOST:PORT" line;
 * on success c->addr holds HOST:PORT. The line's host must be want_host.
 */
static struct server *start_server(struct ctx *c, const char *addr,
				   const char *want_host)
{
	const char *args[] = {addr, NULL};
	char expected[160], gone[512];
	struct server *s = spawn(c, args);

	if (s == NULL)
		return NULL;
	snprintf(expected, sizeof expected,
		 "\"listening on %s:PORT\" on stdout within %.0f s", want_host,
		 T.listen_s);
	if (server_await_line(s, now_s() + T.listen_s * c->scale) < 0) {
		if (server_gone(s, gone, sizeof gone))
			fail(c, expected, "%s before printing it", gone);
		else if (s->out.total > 0)
			fail(c, expected, "stdout had \"%.80s\" but no complete line",
			     s->out.buf);
		else
			fail(c, expected, "nothing on stdout after %.0f s (if it "
			     "printf'ed, call fflush(stdout))", T.listen_s * c->scale);
		return NULL;
	}
	const char *line = s->first_line;
	size_t hlen = strlen(want_host);
	const char *prefix = "listening on ";
	if (strncmp(line, prefix, strlen(prefix)) != 0 ||
	    strncmp(line + strlen(prefix), want_host, hlen) != 0 ||
	    line[strlen(prefix) + hlen] != ':') {
		fail(c, expected, "the first line was \"%s\"", line);
		return NULL;
	}
	const char *port = line + strlen(prefix) + hlen + 1;
	char *end;
	long p = strtol(port, &end, 10);
	if (end == port || *end != '\0' || p <= 0 || p > 65535) {
		fail(c, expected, "\"%s\" has no real port (use getsockname "
		     "after bind)", line);
		return NULL;
	}
	snprintf(c->addr, sizeof c->addr, "%s", line + strlen(prefix));
	return s;
}

/* Run the flows to the deadline; on failure explain the first one. */
static int run_flows(struct ctx *c, struct flows *fs, struct server *s,
		     double seconds, const char *expected)
{
	char why[512];
	int timed_out = flows_run(fs, now_s() + seconds * c->scale) < 0;
	const struct flow *bad = flows_first_failure(fs);

	if (!timed_out && bad == NULL)
		return 0;
	if (server_gone(s, why, sizeof why))
		return fail(c, expected, "%s", why);
	if (bad == NULL)
		for (size_t i = 0; i < fs->n && bad == NULL; i++)
			if (fs->v[i].state != FLOW_DONE)
				bad = &fs->v[i];
	flow_describe(bad, why, sizeof why);
	if (fs->n > 1)
		return fail(c, expected, "client %zu of %zu: %s",
			    (size_t)(bad - fs->v) + 1, fs->n, why);
	return fail(c, expected, "%s", why);
}

/* One client, one script, on a fresh server. */
static int echo_once(struct ctx *c, const struct flow_spec *spec,
		     double seconds, const char *expected)
{
	struct server *s = start_server(c, "127.0.0.1:0", "127.0.0.1");
	struct flows fs;
	int rc;

	if (s == NULL)
		return -1;
	if (flows_init(&fs, c->addr, s) < 0)
		return fail(c, expected, "cannot reach %s", c->addr);
	flow_start(&fs, spec);
	rc = run_flows(c, &fs, s, seconds, expected);
	flows_free(&fs);
	return rc;
}

/* A small echo on an already running server: is it still serving? */
static int still_serves(struct ctx *c, struct server *s, const char *after)
{
	struct flow_spec probe = {.total = 1000, .pattern = PAT_RANDOM,
				  .seed = 99, .end = END_CLOSE};
	struct flows fs;
	char expected[200], why[512];
	int rc;

	snprintf(expected, sizeof expected,
		 "after %s, the server still echoes to the next client", after);
	if (server_gone(s, why, sizeof why))
		return fail(c, expected, "%s", why);
	if (flows_init(&fs, c->addr, s) < 0)
		return fail(c, expected, "cannot reach %s", c->addr);
	flow_start(&fs, &probe);
	rc = run_flows(c, &fs, s, T.echo_s, expected);
	flows_free(&fs);
	return rc;
}

/* Wait until the server holds no more descriptors than baseline. */
static int fds_settle(struct ctx *c, struct server *s, int baseline,
		      const char *after)
{
	double deadline = now_s() + T.settle_s * c->scale;
	char expected[200];
	int n;

	snprintf(expected, sizeof expected,
		 "after %s, the server's open descriptors back to %d", after,
		 baseline);
	while ((n = proc_fd_count(s->pid)) > baseline && now_s() < deadline)
		sleep_s(0.02);
	if (n > baseline)
		return fail(c, expected, "it still has %d open (each finished "
			    "client's socket must be closed)", n);
	return 0;
}

/* ---- the tests ------------------------------------------------------ */

static int test_starts(struct ctx *c)
{
	struct net_err err;
	struct server *s = start_server(c, "127.0.0.1:0", "127.0.0.1");

	if (s == NULL)
		return -1;
	int fd = net_connect(c->addr, 0, &err);
	if (fd < 0)
		return fail(c, "a connection to the printed address succeeds",
			    "%s", err.msg);
	close(fd);
	return 0;
}

/* Run the server with args; it must exit by itself with want_status and
 * exactly one line on stderr. */
static int expect_refusal(struct ctx *c, const char *const *args,
			  int want_status, const char *shown)
{
	char expected[200], status[96];
	struct server *s = spawn(c, args);

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected,
		 "`server%s`: one line on stderr, then exit status %d",
		 shown, want_status);
	if (server_await_exit(s, now_s() + T.exit_s * c->scale) < 0) {
		if (s->have_line)
			return fail(c, expected, "it started: \"%s\"",
				    s->first_line);
		return fail(c, expected, "it was still running after %.0f s",
			    T.exit_s * c->scale);
	}
	describe_status(s->status, status, sizeof status);
	if (!WIFEXITED(s->status) || WEXITSTATUS(s->status) != want_status)
		return fail(c, expected, "it %s", status);
	if (s->err.total == 0)
		return fail(c, expected, "it %s but wrote nothing on stderr",
			    status);
	if (s->err.lines > 1)
		return fail(c, expected, "it wrote %zu lines on stderr",
			    s->err.lines);
	return 0;
}

static int test_bad_args(struct ctx *c)
{
	static const char *const none[] = {NULL};
	static const char *const nonsense[] = {"nonsense", NULL};
	static const char *const big_port[] = {"127.0.0.1:99999", NULL};

	if (expect_refusal(c, none, 2, "") < 0 ||
	    expect_refusal(c, nonsense, 2, " nonsense") < 0 ||
	    expect_refusal(c, big_port, 2, " 127.0.0.1:99999") < 0)
		return -1;
	return 0;
}

static int test_addr_in_use(struct ctx *c)
{
	char shown[NET_ADDRSTRLEN + 1];

	if (start_server(c, "127.0.0.1:0", "127.0.0.1") == NULL)
		return -1;
	const char *const args[] = {c->addr, NULL};
	snprintf(shown, sizeof shown, " %s", c->addr);
	return expect_refusal(c, args, 1, shown);
}

static int test_echo_basic(struct ctx *c)
{
	struct flow_spec f = {.total = 6, .pattern = PAT_TEXT, .end = END_CLOSE};

	return echo_once(c, &f, T.echo_s, "\"hello\\n\" comes back exactly");
}

static int test_echo_binary(struct ctx *c)
{
	struct flow_spec f = {.total = 256, .pattern = PAT_ALLBYTES,
			      .end = END_CLOSE};

	return echo_once(c, &f, T.echo_s,
			 "all 256 byte values (0 included) come back in order");
}

static int test_echo_large(struct ctx *c)
{
	struct flow_spec f = {.total = T.large_bytes, .pattern = PAT_RANDOM,
			      .seed = 1, .end = END_CLOSE};

	return echo_once(c, &f, T.bulk_s,
			 "8 MiB of random bytes, sent while reading, come back intact");
}

static int test_many_messages(struct ctx *c)
{
	struct flow_spec f = {
		.total = (uint64_t)T.messages * T.message_size,
		.pattern = PAT_RANDOM, .seed = 2,
		.msg_min = T.message_size, .msg_max = T.message_size,
		.end = END_CLOSE,
	};

	return echo_once(c, &f, T.bulk_s,
			 "1000 messages of 100 bytes, each echoed before the next is sent");
}

static int test_sequential(struct ctx *c)
{
	struct server *s = start_server(c, "127.0.0.1:0", "127.0.0.1");
	const char *expected = "200 clients one after another, each echoed";

	if (s == NULL)
		return -1;
	int baseline = proc_fd_count(s->pid);
	for (int i = 0; i < T.sequential; i++) {
		struct flow_spec f = {.total = 64, .pattern = PAT_RANDOM,
				      .seed = (uint32_t)i, .end = END_CLOSE};
		struct flows fs;
		if (flows_init(&fs, c->addr, s) < 0)
			return fail(c, expected, "cannot reach %s", c->addr);
		flow_start(&fs, &f);
		int rc = run_flows(c, &fs, s, T.echo_s, expected);
		flows_free(&fs);
		if (rc < 0) {
			char more[sizeof c->happened + 16];
			snprintf(more, sizeof more, "client %d: %s", i + 1,
				 c->happened);
			memcpy(c->happened, more, sizeof c->happened - 1);
			return -1;
		}
	}
	return fds_settle(c, s, baseline, "200 clients came and went");
}

static int test_half_close(struct ctx *c)
{
	struct flow_spec f = {.total = T.halfclose_bytes, .pattern = PAT_RANDOM,
			      .seed = 3, .end = END_HALFCLOSE};

	return echo_once(c, &f, T.bulk_s,
			 "after shutdown(SHUT_WR), all 100 KiB come back, then EOF");
}

static int test_client_reset(struct ctx *c)
{
	struct flow_spec f = {.total = T.reset_bytes, .pattern = PAT_RANDOM,
			      .seed = 4, .end = END_RESET};
	struct server *s = start_server(c, "127.0.0.1:0", "127.0.0.1");
	struct flows fs;

	if (s == NULL)
		return -1;
	if (flows_init(&fs, c->addr, s) < 0)
		return fail(c, "a client can connect", "cannot reach %s", c->addr);
	flow_start(&fs, &f);
	flows_run(&fs, now_s() + T.bulk_s * c->scale);
	flows_free(&fs);
	sleep_s(0.1 * c->scale); /* let the reset reach the server */
	return still_serves(c, s, "a client reset its connection mid-stream");
}

static int test_early_close(struct ctx *c)
{
	struct flow_spec f = {.total = T.reset_bytes, .pattern = PAT_RANDOM,
			      .seed = 5, .paused = 1, .end = END_ABANDON};
	struct server *s = start_server(c, "127.0.0.1:0", "127.0.0.1");
	struct flows fs;

	if (s == NULL)
		return -1;
	if (flows_init(&fs, c->addr, s) < 0)
		return fail(c, "a client can connect", "cannot reach %s", c->addr);
	flow_start(&fs, &f);
	/* If the buffers fill before all is sent, close anyway: the point
	 * is a peer that goes away while the server still owes it data. */
	flows_run(&fs, now_s() + T.echo_s * c->scale);
	flows_free(&fs);
	sleep_s(0.1 * c->scale);
	return still_serves(c, s, "a client sent 1 MiB and closed without reading");
}

static int test_ipv6(struct ctx *c)
{
	struct flow_spec f = {.total = 1000, .pattern = PAT_RANDOM, .seed = 6,
			      .end = END_CLOSE};
	struct net_err err;
	struct flows fs;
	int probe = net_listen("[::1]:0", 0, &err);

	if (probe < 0) {
		c->skipped = 1; /* this machine has no IPv6 loopback */
		return 0;
	}
	close(probe);
	struct server *s = start_server(c, "[::1]:0", "[::1]");
	if (s == NULL)
		return -1;
	if (flows_init(&fs, c->addr, s) < 0)
		return fail(c, "an IPv6 client can connect", "cannot reach %s",
			    c->addr);
	flow_start(&fs, &f);
	int rc = run_flows(c, &fs, s, T.echo_s, "1000 bytes echoed over [::1]");
	flows_free(&fs);
	return rc;
}

/* ---- the catalogue -------------------------------------------------- */

#define LISTEN7000 "SERVER 127.0.0.1:7000 & sleep 1; "
static const struct test tests[] = {
	{"starts", 2, test_starts,
	 "SERVER 127.0.0.1:0    # expect: listening on 127.0.0.1:PORT, then: nc -zv 127.0.0.1 PORT"},
	{"bad-args", 2, test_bad_args,
	 "SERVER nonsense; echo \"exit $?\"    # expect one usage line, then: exit 2"},
	{"addr-in-use", 2, test_addr_in_use,
	 LISTEN7000 "SERVER 127.0.0.1:7000; echo \"exit $?\"; kill %1    # expect one line, then: exit 1"},
	{"echo-basic", 2, test_echo_basic,
	 LISTEN7000 "printf 'hello\\n' | nc -N 127.0.0.1 7000 | od -c"},
	{"echo-binary", 2, test_echo_binary,
	 LISTEN7000 "python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' > /tmp/in; "
	 "nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same"},
	{"echo-large", 3, test_echo_large,
	 LISTEN7000 "head -c 8M /dev/urandom > /tmp/in; nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same"},
	{"many-messages", 2, test_many_messages,
	 LISTEN7000 "for i in $(seq 1000); do echo \"message $i\"; sleep 0.001; done | nc -N 127.0.0.1 7000 | tail -n 2"},
	{"sequential", 3, test_sequential,
	 LISTEN7000 "for i in $(seq 200); do echo hi | nc -N 127.0.0.1 7000 > /dev/null || echo \"client $i failed\"; done; "
	 "ls /proc/$!/fd | wc -l"},
	{"half-close", 2, test_half_close,
	 LISTEN7000 "head -c 100K /dev/urandom > /tmp/in; nc -N 127.0.0.1 7000 < /tmp/in | cmp - /tmp/in && echo same"},
	{"client-reset", 2, test_client_reset,
	 LISTEN7000 "python3 -c 'import socket,struct; s=socket.create_connection((\"127.0.0.1\",7000)); "
	 "s.sendall(bytes(1<<20)); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\",1,0)); s.close()'; "
	 "echo still there | nc -N 127.0.0.1 7000"},
	{"early-close", 2, test_early_close,
	 LISTEN7000 "python3 -c 'import socket; s=socket.create_connection((\"127.0.0.1\",7000)); "
	 "s.sendall(bytes(1<<20)); s.close()'; echo still there | nc -N 127.0.0.1 7000"},
	{"ipv6", 1, test_ipv6,
	 "SERVER [::1]:7000 & sleep 1; echo hello | nc -N ::1 7000"},
};

const struct test *test_find(const char *name)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

static const struct plan_entry lab1_plan[] = {
	{"starts", 1, "step 1: check argc, call net_listen, then print the line "
		      "with net_print_listening (it flushes stdout)"},
	{"bad-args", 1, "step 1: a bad command line is a usage line on stderr "
			"and exit(2); NET_EUSAGE from net_listen means the same"},
	{"addr-in-use", 1, "step 1: when net_listen returns NET_ESYS, print "
			   "err.msg on stderr and exit(1)"},
	{"ipv6", 1, "step 1: pass the address text to net_listen unchanged; "
		    "it understands [::1]:PORT"},
	{"echo-basic", 2, "step 2: accept a client, read what it sent, write "
			  "it back, close the client, accept the next"},
	{"sequential", 2, "step 2: close every client's socket when you are "
			  "done with it, or descriptors leak"},
	{"echo-binary", 3, "step 3: echo exactly the n bytes read returned: no "
			   "strlen, no string functions on the data"},
	{"echo-large", 3, "step 3: write may write fewer bytes than asked: loop "
			  "until all n are written"},
	{"many-messages", 3, "step 3: keep reading and echoing until read "
			     "returns 0, not just once"},
	{"half-close", 3, "step 3: read returning 0 means the client is done "
			  "sending; everything read is written back by then"},
	{"client-reset", 4, "step 4: a failed read or write ends that client "
			    "only: close it and go back to accept"},
	{"early-close", 4, "step 4: writing to a closed connection raises "
			   "SIGPIPE, which kills the server: ignore SIGPIPE"},
};

const struct plan_entry *lab_plan(int lab, size_t *n)
{
	if (lab == 1) {
		*n = sizeof lab1_plan / sizeof lab1_plan[0];
		return lab1_plan;
	}
	*n = 0;
	return NULL;
}

struct limits lab_limits(int lab)
{
	struct limits lim = {.mem_mb = 1024, .nofile = 4096, .nproc = 256,
			     .cpu_s = 120};

	(void)lab;
	return lim;
}
