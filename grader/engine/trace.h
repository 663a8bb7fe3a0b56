/*
 * trace.h - --trace: one test's transcript, from what servers and flows
 * tell it.
 */
#ifndef SERVERLAB_TRACE_H
#define SERVERLAB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/flows.h"
#include "engine/sandbox.h"

/* One test's transcript (--trace): its connections, its servers' lines
 * and exits, with times from the test's start. It keeps a bounded number
 * of connections in full (the first, and the troubled) and counts the
 * rest. */
/* The record: what trace.c keeps and trace_print.c prints. Others use
 * the functions below. */
enum {
	FIRST_SHOWN = 5,    /* connections shown in full, from the first on */
	TROUBLE_SHOWN = 10, /* and after those, failed or unfinished ones */
	LINES_SHOWN = 40,   /* lines of server output, all servers together */
	LINE_KEPT = 160,    /* bytes kept of one line */
	PEEK = 8,	    /* bytes shown at each end of a transfer */
	/* A connection makes at most 6 events, a server 4 and its lines. */
	MAX_EVENTS = (FIRST_SHOWN + TROUBLE_SHOWN) * 6 + MAX_SERVERS * 4 +
		     LINES_SHOWN,
};

struct line {
	double t; /* when its first byte was read */
	int server, is_stderr;
	char text[LINE_KEPT];
	size_t len, total; /* bytes kept, bytes in the line */
};

struct traced_server {
	const struct server *s;
	double t_spawned;
	char cmd[256];
	int open[2]; /* the line being received on stdout, stderr; or -1 */
};

/* One line of the transcript: who (a server, a connection) and when. */
struct event {
	unsigned who; /* 1..MAX_SERVERS: a server; above: a connection */
	double t;
	unsigned seq; /* ties keep the order they were made in */
	char text[480];
};

struct trace {
	double t0;
	unsigned conns; /* connections numbered so far */
	struct flow shown[FIRST_SHOWN + TROUBLE_SHOWN];
	size_t nshown, ntrouble;
	/* The connections not shown, counted. */
	size_t rest, rest_done, rest_failed; /* done: or idle, echo back */
	uint64_t rest_sent, rest_echoed;
	double rest_from, rest_until;
	struct traced_server srv[MAX_SERVERS];
	int nsrv;
	struct line lines[LINES_SHOWN];
	size_t nlines, unshown_bytes, unshown_lines;
	struct event ev[MAX_EVENTS];
	size_t nev;
};

struct trace *trace_new(void); /* now is the test's start; NULL: no memory */
void trace_free(struct trace *t);
/* What servers and flows call to tell t what they do; t may be NULL
 * (nobody is told). */
struct server_watch trace_server_watch(struct trace *t);
struct flow_watch trace_flow_watch(struct trace *t);
void trace_print(struct trace *t, const char *test); /* on stdout */

#endif
