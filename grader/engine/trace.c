/*
 * trace.c - --trace: one test's transcript, recorded. flows.c and
 * sandbox.c note what happens as it happens (times, counts, a few bytes)
 * and tell this file through their watches; it keeps a bounded part of it
 * (the first connections and the troubled ones in full, the rest counted),
 * which trace_print.c prints.
 */
#define _GNU_SOURCE
#include "engine/trace.h"
#include "engine/clock.h"
#include "engine/flows.h"
#include "engine/pattern.h"
#include "engine/sandbox.h"
#include "engine/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace *trace_new(void)
{
	struct trace *t = calloc(1, sizeof *t);

	if (t != NULL)
		t->t0 = now_s();
	return t;
}

void trace_free(struct trace *t)
{
	free(t);
}

static unsigned conn_number(void *arg)
{
	struct trace *t = arg;

	return ++t->conns;
}

static void spawned(void *arg, const struct server *s, char *const argv[])
{
	struct trace *t = arg;

	if (t->nsrv == MAX_SERVERS)
		return;
	struct traced_server *ts = &t->srv[t->nsrv++];
	size_t used = 0;

	ts->s = s;
	ts->t_spawned = now_s();
	ts->open[0] = ts->open[1] = -1;
	for (int i = 0; argv[i] != NULL && used < sizeof ts->cmd; i++)
		used += (size_t)snprintf(ts->cmd + used, sizeof ts->cmd - used,
					 "%s%s", i ? " " : "", argv[i]);
}

static void output(void *arg, const struct server *s, int is_stderr,
		   const char *p, size_t n)
{
	struct trace *t = arg;
	struct traced_server *ts = NULL;
	double now = now_s();

	for (int i = 0; i < t->nsrv && ts == NULL; i++)
		if (t->srv[i].s == s)
			ts = &t->srv[i];
	if (ts == NULL)
		return;
	int *open = &ts->open[is_stderr];
	for (size_t i = 0; i < n; i++) {
		if (*open < 0 && t->nlines < LINES_SHOWN) {
			struct line *l = &t->lines[t->nlines];
			l->t = now;
			l->server = (int)(ts - t->srv);
			l->is_stderr = is_stderr;
			*open = (int)t->nlines++;
		}
		if (*open < 0) { /* no room left: only counted */
			t->unshown_bytes++;
			t->unshown_lines += p[i] == '\n';
			continue;
		}
		struct line *l = &t->lines[*open];
		if (p[i] == '\n') {
			*open = -1;
			continue;
		}
		if (l->len < LINE_KEPT)
			l->text[l->len++] = p[i];
		l->total++;
	}
}

/* Failed, or neither done nor idle with its echo back: worth showing. */
static int troubled(const struct flow *f)
{
	return f->state == FLOW_FAILED ||
	       (f->state != FLOW_DONE && !flow_settled(f));
}

static void flow_ended(void *arg, const struct flow *f)
{
	struct trace *t = arg;
	if (t->nshown < FIRST_SHOWN ||
	    (troubled(f) && t->ntrouble < TROUBLE_SHOWN)) {
		t->ntrouble += t->nshown >= FIRST_SHOWN;
		t->shown[t->nshown++] = *f;
		return;
	}
	double from = f->log.t_start - t->t0, until = f->log.t_end - t->t0;
	if (t->rest == 0 || from < t->rest_from)
		t->rest_from = from;
	if (t->rest == 0 || until > t->rest_until)
		t->rest_until = until;
	t->rest++;
	t->rest_done += f->state == FLOW_DONE || flow_settled(f);
	t->rest_failed += f->state == FLOW_FAILED;
	t->rest_sent += f->sent;
	t->rest_echoed += f->echoed;
}

struct server_watch trace_server_watch(struct trace *t)
{
	if (t == NULL)
		return (struct server_watch){0};
	return (struct server_watch){t, spawned, output};
}

struct flow_watch trace_flow_watch(struct trace *t)
{
	if (t == NULL)
		return (struct flow_watch){0};
	return (struct flow_watch){t, conn_number, flow_ended};
}
