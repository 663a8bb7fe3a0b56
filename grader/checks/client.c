/*
 * client.c - lab 1's client (README step 5), graded like any test so that
 * every platform counts its points: `client ADDRESS:PORT MESSAGE` against
 * an echo the grader serves itself (a student's broken server must not
 * fail their client), then against a port nobody listens on, then with no
 * arguments. The client is the binary given with --client, else the
 * `client` beside the server.
 */
#define _GNU_SOURCE
#include "checks/client.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/pattern.h"
#include "engine/status.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MESSAGE "hello, server"

static const char *client_path(const struct ctx *c)
{
	static char path[4096];
	const char *slash = strrchr(c->opt->server, '/');

	if (c->opt->client != NULL)
		return c->opt->client;
	snprintf(path, sizeof path, "%.*sclient",
		 slash ? (int)(slash - c->opt->server + 1) : 0, c->opt->server);
	return path;
}

/* The client with args, as spawn runs a server: contained, limited. */
static struct server *run_client(struct ctx *c, const char *const *args)
{
	c->path = client_path(c);
	struct server *s = spawn(c, args);
	c->path = NULL;
	return s;
}

/* Its exit status, within T.exit_s; -1 (failed, with why) otherwise. */
static int client_status(struct ctx *c, struct server *s, const char *expected)
{
	char status[96];

	if (server_await_exit(s, now_s() + T.exit_s * c->scale) != 0)
		return fail(c, expected, "it was still running after %.0f s",
			    T.exit_s * c->scale);
	if (!WIFEXITED(s->status)) {
		describe_status(s->status, status, sizeof status);
		return fail(c, expected, "it %s", status);
	}
	return WEXITSTATUS(s->status);
}

/* The grader's own echo for one connection: every byte back, then, at
 * the client's end of file, close. What happened, for a failure. */
struct echo_seen {
	int connected, eof;
	size_t bytes;
};

static void serve_one(struct ctx *c, int lfd, struct server *s,
		      struct echo_seen *e)
{
	double deadline = now_s() + T.echo_s * c->scale;
	int fd = -1;
	char buf[4096];

	while (!e->eof && now_s() < deadline && !grader_interrupted) {
		struct pollfd p = {fd < 0 ? lfd : fd, POLLIN, 0};
		server_drain(s);
		if (fd < 0 && server_check_exit(s))
			return; /* gone without connecting */
		if (poll(&p, 1, 20) <= 0)
			continue;
		if (fd < 0) {
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			e->connected = fd >= 0;
			continue;
		}
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0 && net_write_all(fd, buf, (size_t)n) == 0)
			e->bytes += (size_t)n;
		else if (n == 0)
			e->eof = 1;
		else if (!(n < 0 && errno == EINTR))
			break;
	}
	if (fd >= 0)
		close(fd);
}

static int client_echoes(struct ctx *c)
{
	const char *expected = "`client ADDRESS:PORT 'hello, server'` against "
			       "an echo server: prints \"hello, server\", exit 0";
	char addr[NET_ADDRSTRLEN];
	struct net_err err;
	struct echo_seen e = {0, 0, 0};
	int lfd = net_listen("127.0.0.1:0", 0, &err);

	if (lfd < 0 || net_local_name(lfd, addr, sizeof addr) < 0) {
		if (lfd >= 0)
			close(lfd);
		return fail(c, expected, "the grader could not listen: %s", err.msg);
	}
	const char *const args[] = {addr, MESSAGE, NULL};
	struct server *s = run_client(c, args);
	if (s != NULL)
		serve_one(c, lfd, s, &e);
	close(lfd);
	if (s == NULL)
		return -1;
	if (!e.connected && server_check_exit(s)) {
		char status[96];
		size_t said = strcspn(s->err.buf, "\n");
		describe_status(s->status, status, sizeof status);
		return fail(c, expected, "it %s without connecting to %s%s%.*s%s",
			    status, addr, said ? "; its stderr: \"" : "",
			    (int)(said > 200 ? 200 : said), s->err.buf, said ? "\"" : "");
	}
	if (!e.eof) {
		c->hint = "step 5: after sending the message, shutdown(fd, SHUT_WR) "
			  "tells the server you are done; then read until read "
			  "returns 0";
		if (!e.connected)
			return fail(c, expected, "it never connected to %s", addr);
		return fail(c, expected, "it sent %zu bytes, then never shut "
			    "down its sending side within %.0f s", e.bytes,
			    T.echo_s * c->scale);
	}
	int status = client_status(c, s, expected);
	if (status < 0)
		return -1;
	size_t len = s->out.len;
	if (len > 0 && s->out.buf[len - 1] == '\n')
		len--; /* a newline of its own is no harm */
	if (len != strlen(MESSAGE) || memcmp(s->out.buf, MESSAGE, len) != 0)
		return fail(c, expected, "it printed \"%.*s\"", (int)(len > 100 ? 100 : len),
			    s->out.buf);
	if (status != 0)
		return fail(c, expected, "it exited with status %d", status);
	return 0;
}

int test_client(struct ctx *c)
{
	static const char *const refused[] = {"127.0.0.1:1", "hi", NULL};
	static const char *const none[] = {NULL};
	const char *path = client_path(c);
	struct server *s;
	int status;

	/* A server of another contract (--args) comes without lab 1's
	 * client unless one is named: there is nothing to grade. */
	if (c->opt->args_template != NULL && c->opt->client == NULL) {
		c->skip_why = "--args grades a server alone (--client PATH grades "
			      "a client too)";
		c->skipped = 1;
		return 0;
	}
	if (access(path, X_OK) != 0) {
		char source[4096];
		snprintf(source, sizeof source, "%s.c", path);
		if (access(source, R_OK) != 0)
			return fail(c, "lab 1's client, built beside the server",
				    "no client.c was handed in");
		return fail(c, "lab 1's client, built beside the server",
			    "there is no %s: make builds it from client.c", path);
	}
	if (client_echoes(c) < 0)
		return -1;
	const char *expected = "`client 127.0.0.1:1 hi`, where nobody listens: "
			       "exit status 1";
	if ((s = run_client(c, refused)) == NULL ||
	    (status = client_status(c, s, expected)) < 0)
		return -1;
	if (status != 1)
		return fail(c, expected, "it exited with status %d", status);
	expected = "`client` with no arguments: a usage line, exit status 2";
	if ((s = run_client(c, none)) == NULL ||
	    (status = client_status(c, s, expected)) < 0)
		return -1;
	if (status != 2)
		return fail(c, expected, "it exited with status %d", status);
	return 0;
}
