/*
 * startup.c - a server's start and end, as the contract has them: it
 * listens where it is told and says where, on IPv4 and IPv6; it refuses a
 * bad command line and an address in use with the right status; SIGTERM
 * and SIGINT end it promptly.
 */
#define _GNU_SOURCE
#include "checks/startup.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/contain.h"
#include "engine/pattern.h"
#include "engine/procfs.h"
#include "engine/status.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Listening on the address given, reporting the port, taking a
 * connection: what starts checks, for host, as the line must show it. */
static int listens_on(struct ctx *c, const char *addr, const char *host)
{
	struct net_err err;
	char expected[160];

	if (start_server(c, addr, host) == NULL)
		return -1;
	snprintf(expected, sizeof expected, "a connection to %s succeeds",
		 c->addr);
	/* Non-blocking: a full accept queue must cost seconds, not the
	 * minutes of SYN retries a blocking connect would wait. */
	int fd = net_connect(c->addr, NET_NONBLOCK, &err);
	if (fd < 0)
		return fail(c, expected, "%s", err.msg);
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int ready = poll(&p, 1, (int)(T.echo_s * c->scale * 1000));
	int soerr = 0;
	socklen_t len = sizeof soerr;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	close(fd);
	if (ready <= 0)
		return fail(c, expected, "it did not complete in %.0f s",
			    T.echo_s * c->scale);
	if (soerr != 0)
		return fail(c, expected, "%s", strerror(soerr));
	return 0;
}

/* SPEC §3 as a whole: the line and nothing else on stdout, a connection,
 * and a prompt exit on SIGTERM. */
int test_starts(struct ctx *c)
{
	if (listens_on(c, "127.0.0.1:0", "127.0.0.1") < 0)
		return -1;
	struct server *s = &c->srv[0];
	if (c->opt->args_template != NULL)
		return 0; /* its stdout is a log: any lines will do */
	/* What it printed, all of it: stopped (SIGKILL if it must be, which
	 * is sigterm's business, not this test's), then drained. */
	sleep_s(brief(c, 0.1));
	server_stop(s, T.stop_grace_s * c->scale);
	c->dependents_may_run = 1; /* it started: the rest can be graded */
	if (s->out.lines != 1)
		return fail(c, "stdout carries only the \"listening on\" line "
			    "(logs go to stderr)", "it wrote %zu lines", s->out.lines);
	return 0;
}

/* Every flow connected (the server's backlog holds it; no accept needed),
 * and, if the server accepts, accepted: its descriptor count rose. A
 * signal in the middle of setting a client up catches memory in no
 * variable yet, which memcheck would call lost; this test is about the
 * signal, so it waits (briefly: a server that never accepts is still
 * signalled). */
static int await_connected(struct ctx *c, struct server *s, struct flows *fs,
			   int fds_before, const char *expected)
{
	double until = now_s() + T.echo_s * c->scale;

	for (size_t i = 0; i < fs->n; i++) {
		while (fs->v[i].state == FLOW_CONNECTING && now_s() < until &&
		       !time_is_up())
			flows_run_for(fs, 0.01);
		/* Connected is enough, even if the server closed it since. */
		if (fs->v[i].log.t_connected == 0)
			return fail(c, expected, "a client could not connect: %s",
				    fs->v[i].why[0] ? fs->v[i].why : "no answer");
	}
	until = now_s() + brief(c, 1);
	while (proc_fd_count(s->pid) <= fds_before && now_s() < until &&
	       !time_is_up())
		flows_run_for(fs, 0.01);
	flows_run_for(fs, brief(c, 0.1));
	return 0;
}

int signal_ends_server(struct ctx *c, int sig, int clients, int zero_only)
{
	const char *name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
	/* An orderly exit is owed to clients that were served; the signal's
	 * plain effect needs only one connected (no echo: not this test's). */
	struct flow_spec f = {.total = zero_only ? 100 : 0, .pattern = PAT_RANDOM,
			      .end = END_HOLD};
	char expected[200], how[96];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	int rc;

	if (s == NULL)
		return -1;
	if (zero_only)
		snprintf(expected, sizeof expected, "with %d clients connected, "
			 "%s ends the server with exit status 0 within %.0f s",
			 clients, name, T.term_exit_s * c->scale);
	else
		snprintf(expected, sizeof expected, "with a client connected, %s "
			 "ends the server within %.0f s (exit status 0, or killed "
			 "by %s)", name, T.term_exit_s * c->scale, name);
	int fds_before = proc_fd_count(s->pid);
	for (int i = 0; i < clients; i++) {
		f.seed = 32000 + (uint32_t)i;
		flow_start(&fs, &f);
	}
	if (zero_only)
		rc = await_settled(c, &fs, s, expected);
	else
		rc = await_connected(c, s, &fs, fds_before, expected);
	if (rc == 0) {
		kill(s->pid, sig);
		server_await_exit(s, now_s() + T.term_exit_s * c->scale);
		if (!s->exited)
			rc = fail(c, expected, "it was still running %.0f s later",
				  T.term_exit_s * c->scale);
	}
	if (rc == 0 && !(WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0) &&
	    !(!zero_only && WIFSIGNALED(s->status) && WTERMSIG(s->status) == sig)) {
		describe_status(s->status, how, sizeof how);
		/* --args: it ended promptly, the subject here; its status
		 * (socat exits 143) is its own convention: said, not failed. */
		if (c->opt->args_template != NULL && !zero_only) {
			if (c->note[0] == '\0')
				snprintf(c->note, sizeof c->note, "after %s it %s (the "
					 "kit's servers: 0, or killed by %s)", name,
					 how, name);
		} else {
			rc = fail(c, expected, "it %s", how);
		}
	}
	flows_free(&fs);
	return rc;
}

/* SIGTERM, then SIGINT, each to a server of its own (SPEC section 3). */
int test_sigterm(struct ctx *c)
{
	int rc = signal_ends_server(c, SIGTERM, 1, 0);

	return rc == 0 ? signal_ends_server(c, SIGINT, 1, 0) : rc;
}

/* --args: a server of another contract refuses in its own way. Any
 * non-zero exit is a refusal; a status or stderr not the kit's is said
 * in a note (what the status means is the server's business). */
static int refused_anyhow(struct ctx *c, const struct server *s,
			  int want_status, const char *shown,
			  const char *expected)
{
	char status[96];

	describe_status(s->status, status, sizeof status);
	if (!WIFEXITED(s->status) || WEXITSTATUS(s->status) == 0)
		return fail(c, expected, "it %s", status);
	if ((WEXITSTATUS(s->status) != want_status || s->err.lines != 1) &&
	    c->note[0] == '\0')
		snprintf(c->note, sizeof c->note, "`server%s` %s, %zu lines on "
			 "stderr (the kit's servers: status %d, one line)", shown,
			 status, s->err.lines, want_status);
	return 0;
}

/* Run the server with args; it must exit by itself with want_status and
 * exactly one line on stderr (--args: with any status but 0). */
static int expect_refusal(struct ctx *c, const char *const *args,
			  int want_status, const char *shown)
{
	char expected[200], status[96];
	struct server *s = spawn(c, args);
	int any = c->opt->args_template != NULL;

	if (s == NULL)
		return -1;
	if (any) {
		snprintf(expected, sizeof expected, "`server%s` (--args filled "
			 "in): a refusal, exit status not 0", shown);
		/* the plan's hints speak of the kit's code */
		c->hint = want_status == 2
			  ? "a server must refuse an address it cannot use (not "
			    "a literal or a name, a port above 65535): say so and "
			    "exit with a status other than 0"
			  : "a server whose address is in use must say so and exit "
			    "with a status other than 0, not wait or take another";
	}
	else
		snprintf(expected, sizeof expected,
			 "`server%s`: one line on stderr, then exit status %d",
			 shown, want_status);
	/* Waits for the line or the exit, whichever comes: either answers.
	 * With --args stdout is a log, and only the exit answers. */
	if (any)
		server_await_exit(s, now_s() + T.exit_s * c->scale);
	else
		server_await_line(s, now_s() + T.exit_s * c->scale);
	if (s->have_line && !any)
		return fail(c, expected, "it started: \"%s\"", s->first_line);
	if (!s->exited)
		return fail(c, expected, "it was still running after %.0f s",
			    T.exit_s * c->scale);
	if (any)
		return refused_anyhow(c, s, want_status, shown, expected);
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

int test_bad_args(struct ctx *c)
{
	static const char *const none[] = {NULL};
	static const char *const nonsense[] = {"nonsense", NULL};
	static const char *const big_port[] = {"127.0.0.1:99999", NULL};

	/* --args: a template's words without the address may be a command
	 * line of its own (a default address): only bad addresses count. */
	if ((c->opt->args_template == NULL && expect_refusal(c, none, 2, "") < 0) ||
	    expect_refusal(c, nonsense, 2, " nonsense") < 0 ||
	    expect_refusal(c, big_port, 2, " 127.0.0.1:99999") < 0)
		return -1;
	return 0;
}

int test_addr_in_use(struct ctx *c)
{
	char shown[NET_ADDRSTRLEN + 1];

	if (start_server(c, "127.0.0.1:0", "127.0.0.1") == NULL)
		return -1;
	const char *const args[] = {c->addr, NULL};
	snprintf(shown, sizeof shown, " %s", c->addr);
	return expect_refusal(c, args, 1, shown);
}

int test_ipv6(struct ctx *c)
{
	struct net_err err;
	int probe = net_listen("[::1]:0", 0, &err);

	if (probe < 0) {
		c->skipped = 1; /* this machine has no IPv6 loopback */
		return 0;
	}
	close(probe);
	return listens_on(c, "[::1]:0", "[::1]");
}
