/*
 * harness.c - what the tests share: starting the server and reading its
 * line, failing with what was expected and what happened, explaining a
 * server that is gone, and the waits (flows to finish, descriptors to come
 * back) every test is made of.
 */
#define _GNU_SOURCE
#include "checks/harness.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/pattern.h"
#include "engine/procfs.h"
#include "engine/status.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A short pause for something to happen (a connect, a reset to arrive).
 * Deadlines scale with valgrind's slowness; these only double, since a
 * test spends them whether or not the server is quick. */
double brief(const struct ctx *c, double seconds)
{
	return c->scale > 1 ? T.brief_scale * seconds : seconds;
}

int under_tool(const struct ctx *c, const struct server *s)
{
	return c->opt->vg_tool != NULL || s->sanitized;
}

int fail(struct ctx *c, const char *expected, const char *fmt, ...)
{
	va_list ap;

	diagnose(c);

	snprintf(c->expected, sizeof c->expected, "%s", expected);
	va_start(ap, fmt);
	vsnprintf(c->happened, sizeof c->happened, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Why the server is gone, if it is: "the server was killed by SIGPIPE".
 * After a client saw a reset or an EOF, wait up to wait_s: a crashing
 * server's sockets close before the grader can reap it, and the crash,
 * not the reset, is what the student needs to hear.
 */
int server_gone(struct server *s, double wait_s, char *buf, size_t len)
{
	char status[160], err[600];
	double until = now_s() + wait_s;

	while (!server_check_exit(s) && now_s() < until)
		sleep_s(0.01);
	if (!s->exited)
		return 0;
	server_drain(s);
	describe_status(s->status, status, sizeof status);
	if (s->mem_killed_kb > 0)
		snprintf(status, sizeof status, "was killed by the grader: its "
			 "resident memory reached %ld MiB, over the lab's %ld MiB",
			 s->mem_killed_kb >> 10, s->mem_limit_kb >> 10);
	stderr_quote(s, err, sizeof err);
	snprintf(buf, len, "the server %s%s", status, err);
	return 1;
}

struct server *spawn(struct ctx *c, const char *const *args)
{
	struct spawn_opts o = {
		.path = c->path ? c->path : c->opt->server,
		.args = args,
		.lim = c->lab->limits,
		.vg_tool = c->opt->vg_tool,
		.env = c->env,
		.watch = trace_server_watch(c->trace),
	};
	if (c->nofile != 0)
		o.lim.nofile = c->nofile;
	struct server *s = &c->srv[c->nsrv];
	char why[256], words[16][TEMPLATE_WORD];
	const char *filled[17];

	/* The template is the server's command line; a client (c->path)
	 * keeps its own. */
	if (c->opt->args_template != NULL && c->path == NULL) {
		template_args(c->opt->args_template, args[0], words, filled, 17);
		o.args = filled;
	}

	if (c->nsrv == MAX_SERVERS) {
		char expected[64];
		snprintf(expected, sizeof expected, "at most %d servers a test",
			 MAX_SERVERS);
		fail(c, expected, "the grader ran out of room");
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
struct server *start_server(struct ctx *c, const char *addr,
			    const char *want_host)
{
	const char *args[] = {addr, NULL};
	char expected[160], gone[512];

	if (c->opt->args_template != NULL)
		return start_any_server(c, addr, want_host);
	struct server *s = spawn(c, args);
	if (s == NULL)
		return NULL;
	snprintf(expected, sizeof expected,
		 "\"listening on %s:PORT\" on stdout within %.0f s", want_host,
		 T.listen_s);
	c->not_started = 1; /* until the line is right */
	if (server_await_line(s, now_s() + T.listen_s * c->scale) < 0) {
		if (server_gone(s, 0, gone, sizeof gone))
			fail(c, expected, "it never came: %s", gone);
		else if (s->out.total > 0)
			fail(c, expected, "stdout had \"%.80s\" but no complete line",
			     s->out.buf);
		else
			fail(c, expected, "nothing on stdout after %.0f s (if it "
			     "printf'ed, call fflush(stdout))", T.listen_s * c->scale);
		listening_anyway(c, s);
		return NULL;
	}
	const char *line = s->first_line;
	size_t hlen = strlen(want_host);
	const char *prefix = "listening on ";
	if (strncmp(line, prefix, strlen(prefix)) != 0 ||
	    strncmp(line + strlen(prefix), want_host, hlen) != 0 ||
	    line[strlen(prefix) + hlen] != ':') {
		fail(c, expected, "the first line was \"%s\"", line);
		listening_anyway(c, s);
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
	c->not_started = 0;
	c->started = 1;
	return s;
}

/* Run the flows to the deadline; on failure explain the first one. */
int run_flows(struct ctx *c, struct flows *fs, struct server *s, double seconds,
	      const char *expected)
{
	char why[512];
	int timed_out = flows_run(fs, now_s() + seconds * c->scale) < 0;
	const struct flow *bad = flows_first_failure(fs);

	if (!timed_out && bad == NULL)
		return 0;
	if (server_gone(s, brief(c, 0.3), why, sizeof why))
		return fail(c, expected, "%s", why);
	if (bad == NULL)
		for (size_t i = 0; i < fs->n && bad == NULL; i++)
			if (fs->v[i].state != FLOW_DONE)
				bad = &fs->v[i];
	flow_describe(bad, why, sizeof why);
	if (bad->state == FLOW_FAILED && bad->spec.end == END_HALFCLOSE &&
	    bad->sent == bad->spec.total && strstr(bad->why, "reset") != NULL)
		c->hint = "the server reset the connection instead of closing "
			  "it: close() with input still unread, or SO_LINGER "
			  "0, sends a reset that destroys the echo in flight; "
			  "read until read returns 0, write it all, then close";
	if (bad->state == FLOW_RUNNING && bad->spec.end == END_HALFCLOSE &&
	    bad->echoed == bad->spec.total)
		c->hint = "the echo is complete but the client is still waiting "
			  "for end of file: once read returns 0 and everything "
			  "is written back, close the client's socket";
	if (fs->n > 1)
		return fail(c, expected, "client %zu of %zu: %s",
			    (size_t)(bad - fs->v) + 1, fs->n, why);
	return fail(c, expected, "%s", why);
}

/* An empty set of flows aimed at the server's address. */
int aim_flows(struct ctx *c, struct server *s, struct flows *fs)
{
	if (flows_init(fs, c->addr, s) < 0)
		return fail(c, "clients can connect", "cannot reach %s", c->addr);
	fs->stall_s = T.stall_s * c->scale;
	fs->watch = trace_flow_watch(c->trace);
	return 0;
}

/* A fresh server on addr, and an empty set of flows aimed at it. */
struct server *serve(struct ctx *c, const char *addr, const char *want_host,
		     struct flows *fs)
{
	struct server *s = start_server(c, addr, want_host);

	if (s == NULL)
		return NULL;
	return aim_flows(c, s, fs) < 0 ? NULL : s;
}

/* Run while flow i, which does not read, sends: until all is sent, it
 * has made no progress for half a second (the buffers between are full),
 * or seconds have passed. */
void push_until_stuck(struct ctx *c, struct flows *fs, size_t i, double seconds)
{
	const struct flow *f = &fs->v[i];
	double give_up = now_s() + seconds * c->scale;

	do
		flows_run_for(fs, 0.05);
	while (f->sent < f->spec.total && now_s() < give_up &&
	       now_s() - f->last_progress < brief(c, 0.5) && !time_is_up());
}

/*
 * Start count narrow clients that send 2 * step, step, 3 * step, ... bytes
 * without reading, then shut down their side; return once all are stuck or done
 * sending and the server has had a moment with their EOFs. Whatever the
 * server's buffer sizes, for some of them the EOF arrives while echo is
 * still waiting to go out. Returns the index of the first.
 */
size_t start_late_readers(struct ctx *c, struct flows *fs, int count,
			  uint32_t step, uint32_t seed)
{
	struct flow_spec f = {.pattern = PAT_RANDOM, .narrow = 1, .paused = 1,
			      .end = END_HALFCLOSE};

	/* Each from an address of its own: buffer sizes, and so the moment
	 * an EOF finds echo pending, then never hang on cached metrics. */
	size_t first = fs->n;

	for (int k = 1; k <= count; k++) {
		/* 2, 1, 3, 4, ... steps: a server that serves one client at a
		 * time meets only the first (the rest wait behind it), and
		 * twice the step is the surer to leave echo pending. */
		f.total = (uint64_t)(k == 1 ? 2 : k == 2 ? 1 : k) * step;
		f.seed = seed + (uint32_t)k;
		f.source = fresh_loopback();
		flow_start(fs, &f);
	}
	for (size_t k = first; k < fs->n; k++)
		push_until_stuck(c, fs, k, T.echo_s);
	flows_run_for(fs, brief(c, 0.2));
	return first;
}

/* One client, one script, on a fresh server. */
int echo_once(struct ctx *c, const struct flow_spec *spec, double seconds,
	      const char *expected)
{
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	flow_start(&fs, spec);
	rc = run_flows(c, &fs, s, seconds, expected);
	flows_free(&fs);
	return rc;
}

/* While other clients hold the server's attention, client B's small echo
 * must still come back within T.other_echo_s. */
int b_is_served(struct ctx *c, struct flows *fs, struct server *s,
		const char *expected)
{
	struct flow_spec b = {.total = T.probe_bytes, .pattern = PAT_RANDOM, .seed = 77,
			      .end = END_CLOSE};
	char why[512];
	long i = flow_start(fs, &b);

	if (i < 0)
		return fail(c, expected, "the grader ran out of memory");
	if (flows_run_until(fs, (size_t)i, now_s() + T.other_echo_s * c->scale) == 0)
		return 0;
	if (server_gone(s, brief(c, 0.3), why, sizeof why))
		return fail(c, expected, "%s", why);
	flow_describe(&fs->v[i], why, sizeof why);
	return fail(c, expected, "client B: %s", why);
}

/* The server's death or the first failed flow, explained; else 0. */
int any_flow_failed(struct ctx *c, struct flows *fs, struct server *s,
		    const char *expected)
{
	const struct flow *bad = flows_first_failure(fs);
	char why[512];

	if (server_gone(s, bad ? brief(c, 0.3) : 0, why, sizeof why))
		return fail(c, expected, "%s", why);
	if (bad == NULL)
		return 0;
	flow_describe(bad, why, sizeof why);
	return fail(c, expected, "client %zu: %s", (size_t)(bad - fs->v) + 1, why);
}

/* Every flow (END_HOLD) has had all its echo, within T.echo_s. */
int await_settled(struct ctx *c, struct flows *fs, struct server *s,
		  const char *expected)
{
	return await_settled_within(c, fs, s, T.echo_s, expected);
}

int await_settled_within(struct ctx *c, struct flows *fs, struct server *s,
			 double seconds, const char *expected)
{
	double deadline = now_s() + seconds * c->scale;
	size_t settled = 0;

	while (settled < fs->n && now_s() < deadline && !time_is_up()) {
		flows_run_for(fs, 0.05);
		settled = 0;
		for (size_t i = 0; i < fs->n; i++)
			settled += flow_settled(&fs->v[i]);
	}
	if (settled == fs->n)
		return 0;
	if (any_flow_failed(c, fs, s, expected) < 0)
		return -1;
	return fail(c, expected, "only %zu of %zu clients got their echo",
		    settled, fs->n);
}
