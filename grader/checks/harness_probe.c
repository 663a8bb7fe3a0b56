/*
 * harness_probe.c - questions a test asks a running server: does it still
 * serve a fresh client (with a hint of its own when not), and do its
 * descriptors and threads settle back to where they were.
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

/*
 * The "still serves?" probe's own hint, when it fails: it is no part of
 * the enclosing test's subject (a test may pass its own check and leave
 * the server broken), so that test's hint would name another mistake. A
 * death by SIGPIPE is what the lab's early-close hint is about.
 */
static const char *probe_hint(const struct ctx *c, const struct server *s)
{
	static char text[300];
	const struct plan_entry *sigpipe = plan_entry_of(c->lab, "early-close");
	const struct plan_entry *reset = plan_entry_of(c->lab, "client-reset");

	if (s->exited && WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGPIPE)
		return sigpipe ? sigpipe->hint : "ignore SIGPIPE: a write to a "
			"client that left must fail with EPIPE, not kill the server";
	if (s->exited && WIFSIGNALED(s->status))
		return "the server crashed: run this test again under valgrind "
		       "(add --valgrind to the reproduce line) or built with "
		       "make SAN=address; the first error it reports names the "
		       "line";
	if (!s->exited)
		return "the server still runs but no longer serves a new client: "
		       "what happened before left it stuck (waiting in a read or "
		       "write for a client that is gone or does not read, or no "
		       "longer accepting or watching the listener); the "
		       "reproduce line's --trace shows the probe's connection";
	char step[24] = "";
	if (reset != NULL)
		snprintf(step, sizeof step, " (step %d)", reset->step);
	snprintf(text, sizeof text, "the server ended itself: its stderr says "
		 "why; whatever fails for one client (a read, a write, an "
		 "accept) must end that client only, or be tried again later, "
		 "never end the server%s", step);
	return text;
}

/* A small echo on an already running server: is it still serving? On
 * failure, the probe's own hint if own_hint (else the test's). */
static int probe(struct ctx *c, struct server *s, const char *after,
		 int own_hint)
{
	/* Text: this asks "still serving?", binary safety is tested apart. */
	struct flow_spec probe = {.total = T.probe_bytes, .pattern = PAT_TEXT,
				  .end = END_CLOSE};
	const char *hint = c->hint;
	struct flows fs;
	char expected[200], why[512];
	int rc;

	snprintf(expected, sizeof expected,
		 "after %s, the server still echoes to the next client", after);
	if (server_gone(s, 0, why, sizeof why))
		rc = fail(c, expected, "%s", why);
	else if (aim_flows(c, s, &fs) < 0)
		return -1;
	else {
		flow_start(&fs, &probe);
		rc = run_flows(c, &fs, s, T.echo_s, expected);
		flows_free(&fs);
	}
	if (rc == 0)
		return 0;
	/* What the server said, if it is alive (a death quotes it). */
	if (!s->exited) {
		size_t used = strlen(c->happened);
		server_drain(s);
		stderr_quote(s, c->happened + used, sizeof c->happened - used);
	}
	/* diagnose()'s finding, if it had one, is the cause. */
	if (own_hint && c->hint == hint)
		c->hint = probe_hint(c, s);
	return -1;
}

int still_serves(struct ctx *c, struct server *s, const char *after)
{
	return probe(c, s, after, 1);
}

int survives(struct ctx *c, struct server *s, const char *after)
{
	return probe(c, s, after, 0);
}

/* A /proc reading failed: the process the grader started is gone (it
 * exited, perhaps leaving a child to serve). Never a pass. */
int unreadable(struct ctx *c, struct server *s, const char *expected)
{
	char why[512];

	if (server_gone(s, 0, why, sizeof why))
		return fail(c, expected, "%s (a server must not leave its "
			    "work to a child and exit)", why);
	return fail(c, expected, "/proc/%d cannot be read", (int)s->pid);
}

/* The server's open descriptors once it has served a first client: a
 * server may open things (an epoll instance, a log) after its line. */
int fd_baseline(struct ctx *c, struct server *s, int *baseline)
{
	if (still_serves(c, s, "it printed its listening line") < 0)
		return -1;
	sleep_s(brief(c, 0.1)); /* it closes that first client */
	*baseline = proc_fd_count(s->pid);
	if (*baseline < 0)
		return unreadable(c, s, "the server's /proc entry is readable");
	return 0;
}

const struct gauge gauge_fds = {
	"open descriptors", proc_fd_count,
	"each finished client's socket must be closed"};
const struct gauge gauge_threads = {
	"threads", proc_threads,
	"a client's thread must end when its client leaves"};

int settle(struct ctx *c, struct server *s, const struct gauge *g, int baseline,
	   const char *after)
{
	double deadline = now_s() + T.settle_s * c->scale;
	char expected[200];
	int n;

	snprintf(expected, sizeof expected, "after %s, the server's %s back "
		 "to %d", after, g->name, baseline);
	while ((n = g->read(s->pid)) > baseline && now_s() < deadline)
		sleep_s(0.02);
	if (n < 0)
		return unreadable(c, s, expected);
	if (n > baseline)
		return fail(c, expected, "it still has %d (%s)", n, g->advice);
	return 0;
}

/* ---- concurrency (labs 2-4) ---------------------------------------- */
