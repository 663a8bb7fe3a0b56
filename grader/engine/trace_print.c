/*
 * trace_print.c - --trace: a recorded transcript printed, in seconds from
 * the test's start: each server's story (its start, output lines and
 * exit), then each kept connection's: when it connected, what it sent and
 * got back, its shutdown, EOF or reset, and where the echo first went
 * wrong.
 */
#define _GNU_SOURCE
#include "engine/trace.h"
#include "engine/pattern.h"
#include "engine/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct trace *t, double abs_t, unsigned who, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void add(struct trace *t, double abs_t, unsigned who, const char *fmt,
		...)
{
	if (t->nev == MAX_EVENTS)
		return;
	struct event *e = &t->ev[t->nev];
	va_list ap;

	e->who = who;
	e->t = abs_t;
	e->seq = (unsigned)t->nev++;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

/* Bytes as a C string: printable ones as they are, the rest escaped. */
static void quote(char *out, size_t len, const uint8_t *p, size_t n)
{
	size_t used = 0;

	used += (size_t)snprintf(out, len, "\"");
	for (size_t i = 0; i < n && used + 6 <= len; i++) {
		const char *esc = p[i] == '\n'	 ? "\\n"
				  : p[i] == '\t' ? "\\t"
				  : p[i] == '\r' ? "\\r"
				  : p[i] == '"'	 ? "\\\""
				  : p[i] == '\\' ? "\\\\"
						 : NULL;
		if (esc != NULL)
			used += (size_t)snprintf(out + used, len - used, "%s",
						 esc);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[used++] = (char)p[i];
		else
			used += (size_t)snprintf(out + used, len - used,
						 "\\x%02x", p[i]);
	}
	snprintf(out + used, len - used, "\"");
}

/* n bytes of f's pattern from offset from, quoted (n <= PEEK * 2). */
static void quote_pattern(char *out, size_t len, const struct flow *f,
			  uint64_t from, uint64_t n)
{
	uint8_t b[PEEK * 2];

	size_t count = n < sizeof b ? (size_t)n : sizeof b;

	pattern_fill(f->spec.pattern, f->spec.seed, from, b, count);
	quote(out, len, b, count);
}

/* The first n bytes of f's pattern: all of them, or both ends. */
static void quote_ends(char *out, size_t len, const struct flow *f, uint64_t n)
{
	char head[PEEK * 4 + 3], tail[PEEK * 4 + 3];

	if (n <= PEEK * 2) {
		quote_pattern(out, len, f, 0, n);
		return;
	}
	quote_pattern(head, sizeof head, f, 0, PEEK);
	quote_pattern(tail, sizeof tail, f, n - PEEK, PEEK);
	snprintf(out, len, "%s ... %s", head, tail);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The bytes around the first wrong one: what both sides agree on before
 * it, what was sent from there, and what came back instead. */
static void add_mismatch(struct trace *t, const struct flow *f, unsigned who)
{
	uint64_t at = f->echoed, before = at < PEEK ? at : PEEK;
	uint64_t more = f->sent - at < PEEK ? f->sent - at : PEEK;
	char agreed[PEEK * 4 + 3], sent[PEEK * 4 + 3], got[GOT_KEPT * 4 + 3];

	quote_pattern(agreed, sizeof agreed, f, at - before, before);
	quote_pattern(sent, sizeof sent, f, at, more);
	quote(got, sizeof got, f->log.got, f->log.ngot);
	add(t, f->log.t_end, who, "at byte %llu, after %s: sent %s, got %s",
	    (unsigned long long)at, agreed, more ? sent : "nothing more", got);
}

/* How it ended. An EOF always ends a flow, done or failed, so it is
 * told here rather than on a line of its own. */
static void add_end(struct trace *t, const struct flow *f, unsigned who)
{
	unsigned long long total = f->spec.total, sent = f->sent,
			   back = f->echoed;
	double end = f->log.t_end;

	if (f->state == FLOW_FAILED && f->log.t_eof > 0)
		add(t, end, who, "FAILED: %s, %llu bytes of echo still owed",
		    f->why, sent - back);
	else if (f->state == FLOW_FAILED)
		add(t, end, who, "FAILED: %s", f->why);
	else if (f->state == FLOW_DONE && f->spec.end == END_RESET)
		add(t, end, who,
		    "reset the connection (close with SO_LINGER 0)");
	else if (f->state == FLOW_DONE && f->log.t_eof > 0)
		add(t, end, who, "EOF after all %llu bytes came back: done",
		    total);
	else if (f->state == FLOW_DONE)
		add(t, end, who, "all %llu bytes came back: closed", total);
	else if (f->state == FLOW_CONNECTING)
		add(t, end, who,
		    "the connection never completed; the test "
		    "closed it");
	else if (flow_settled(f))
		add(t, end, who,
		    "idle, all %llu bytes back, when the test "
		    "closed it",
		    total);
	else if (f->spec.paused)
		add(t, end, who,
		    "closed by the test without reading, %llu of "
		    "%llu bytes sent (echo left unread makes it a reset)",
		    sent, total);
	else
		add(t, end, who,
		    "still open when the test closed it: %llu of "
		    "%llu bytes sent, %llu came back; nothing moved after %.4f",
		    sent, total, back, f->last_progress - t->t0);
	if (f->log.ngot > 0)
		add_mismatch(t, f, who);
}

/* ", the last at 1.2345" for more than one call. */
static const char *until(const struct trace *t, uint32_t calls, double last)
{
	static char buf[48];

	if (calls < 2)
		return "";
	snprintf(buf, sizeof buf, ", the last at %.4f", last - t->t0);
	return buf;
}

static void add_flow(struct trace *t, const struct flow *f)
{
	const struct flow_log *l = &f->log;
	unsigned who = MAX_SERVERS + l->id;
	char ends[PEEK * 8 + 16];

	if (l->t_connected > 0)
		add(t, l->t_connected, who, "connected from port %u", l->port);
	/* A flow shuts down as its last send returns: one line for both. */
	if (l->sends > 0) {
		quote_ends(ends, sizeof ends, f, f->sent);
		add(t, l->t_first_send, who,
		    "sent %llu bytes in %u call%s%s%s: "
		    "%s",
		    (unsigned long long)f->sent, l->sends, plural(l->sends),
		    until(t, l->sends, l->t_last_send),
		    l->t_shutdown > 0 ? ", then shutdown(SHUT_WR)" : "", ends);
	} else if (l->t_shutdown > 0)
		add(t, l->t_shutdown, who,
		    "nothing to send: shutdown(SHUT_WR)");
	if (l->t_resumed > 0)
		add(t, l->t_resumed, who, "starts reading");
	if (f->echoed > 0) { /* up to the first wrong byte, if any */
		quote_ends(ends, sizeof ends, f, f->echoed);
		add(t, l->t_first_recv, who,
		    "received %llu bytes as sent, in "
		    "%u read%s%s: %s",
		    (unsigned long long)f->echoed, l->recvs, plural(l->recvs),
		    until(t, l->recvs, l->t_last_recv), ends);
	}
	add_end(t, f, who);
}

static void add_server(struct trace *t, const struct traced_server *ts,
		       int number)
{
	const struct server *s = ts->s;
	unsigned who = (unsigned)number;
	char status[96];

	add(t, ts->t_spawned, who, "started, pid %d: %s", (int)s->pid, ts->cmd);
	if (s->t_term > 0)
		add(t, s->t_term, who, "the test is over: SIGTERM");
	if (s->t_kill > 0)
		add(t, s->t_kill, who, "still running after SIGTERM: SIGKILL");
	if (s->exited) {
		describe_status(s->status, status, sizeof status);
		add(t, s->t_exited, who, "%s", status);
	}
}

static void add_line(struct trace *t, const struct line *l, size_t index)
{
	const struct traced_server *ts = &t->srv[l->server];
	unsigned who = (unsigned)l->server + 1;
	char text[LINE_KEPT * 4 + 3];

	quote(text, sizeof text, (const uint8_t *)l->text, l->len);
	add(t, l->t, who, "%s: %s%s%s", l->is_stderr ? "stderr" : "stdout",
	    text, l->total > l->len ? " (cut)" : "",
	    ts->open[l->is_stderr] == (int)index ? " (no newline)" : "");
}

/* Each server's story, then each connection's, each in time order. */
static int by_who_then_time(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->who != y->who)
		return x->who < y->who ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void trace_print(struct trace *t, const char *test)
{
	t->nev = 0;
	for (int i = 0; i < t->nsrv; i++)
		add_server(t, &t->srv[i], i + 1);
	for (size_t i = 0; i < t->nlines; i++)
		add_line(t, &t->lines[i], i);
	for (size_t i = 0; i < t->nshown; i++)
		add_flow(t, &t->shown[i]);
	qsort(t->ev, t->nev, sizeof t->ev[0], by_who_then_time);
	printf("trace of %s (seconds since it started):\n", test);
	for (size_t i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		int first = i == 0 || e->who != e[-1].who;
		char who[24] = ""; /* only on a story's first line */
		if (first && e->who <= MAX_SERVERS)
			snprintf(who, sizeof who, "server %u", e->who);
		else if (first)
			snprintf(who, sizeof who, "conn %u",
				 e->who - MAX_SERVERS);
		printf("  %-11s %9.4f  %s\n", who, e->t - t->t0, e->text);
	}
	if (t->rest > 0)
		printf("  ... and %zu more connection%s, not shown: %zu done, "
		       "%zu failed, %zu unfinished; %llu bytes sent, %llu came "
		       "back; from %.4f to %.4f\n",
		       t->rest, plural(t->rest), t->rest_done, t->rest_failed,
		       t->rest - t->rest_done - t->rest_failed,
		       (unsigned long long)t->rest_sent,
		       (unsigned long long)t->rest_echoed, t->rest_from,
		       t->rest_until);
	if (t->unshown_bytes > 0)
		printf("  ... and %zu more bytes of server output (%zu lines), "
		       "not shown\n",
		       t->unshown_bytes, t->unshown_lines);
}
