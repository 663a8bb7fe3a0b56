/*
 * trace.h - --trace: one test's transcript, from what servers and flows
 * tell it.
 */
#ifndef SERVERLAB_TRACE_H
#define SERVERLAB_TRACE_H

#include <stddef.h>

#include "engine/flows.h"
#include "engine/sandbox.h"

/* One test's transcript (--trace): its connections, its servers' lines
 * and exits, with times from the test's start. It keeps a bounded number
 * of connections in full (the first, and the troubled) and counts the
 * rest. */
struct trace;
struct trace *trace_new(void); /* now is the test's start; NULL: no memory */
void trace_free(struct trace *t);
/* What servers and flows call to tell t what they do; t may be NULL
 * (nobody is told). */
struct server_watch trace_server_watch(struct trace *t);
struct flow_watch trace_flow_watch(struct trace *t);
void trace_print(struct trace *t, const char *test); /* on stdout */

#endif
