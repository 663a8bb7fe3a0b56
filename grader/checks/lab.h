/*
 * lab.h - what a lab asks of its server, as the checks read it: its plan
 * (tests, README steps, hints), its variants and its limits. plans/ fills
 * one in for each lab.
 */
#ifndef SERVERLAB_LAB_H
#define SERVERLAB_LAB_H

#include <stddef.h>

#include "engine/sandbox.h"

/* Where a test sits in one lab: its README step and the hint for it. */
struct plan_entry {
	const char *test;
	int step;
	const char *hint;
};

/* A test run again, under a name of its own, with a setting in the
 * server's environment (lab 2: the poll backend once epoll is in), or
 * under a valgrind tool of its own (lab 3: the statistics under
 * helgrind, which sees a race whether or not it bit this time). */
struct plan_variant {
	const char *name;
	struct plan_entry entry;
	const char *env;      /* "NAME=value", or NULL */
	const char *vg_tool;  /* "helgrind", over --valgrind; or NULL */
};

/* The grader's exit status when the lab cannot run here at all (lab 5
 * without io_uring): automake's "skipped", neither a pass nor a fail. */
#define SKIPPED_EXIT 77

/* One lab: its plan, and the limits its servers run within (a thread per
 * client needs other ones than a single thread). */
struct lab {
	int number;
	const struct plan_entry *plan;
	size_t nplan;
	const struct plan_variant *variants; /* run after the plan */
	size_t nvariants;
	/* Every socket of its server non-blocking: a blocking one explains
	 * any failure first. (That it is one thread is strategy's test.) */
	int nonblocking;
	/* Its server gives each client a thread (lab 3): concurrent uses
	 * T.concurrent_threads clients, strategy counts threads. */
	int thread_per_client;
	/* Its server hands operations to an io_uring (lab 5): strategy wants
	 * one, and no epoll or poll; unavailable() says why this system
	 * cannot run it (NULL: it can), and then the lab is skipped. */
	int completion;
	const char *(*unavailable)(void);
	/* With NAME=value in the grader's environment (which its servers
	 * inherit) the lab's server may wait in poll instead of epoll, and
	 * reproduce lines keep NAME; name NULL: the lab has no such switch. */
	struct {
		const char *name, *value;
	} poll_switch;
	struct limits limits;
};

/* What main runs: the plan's entries, then its variants, in order. */
struct plan_run {
	const char *name;
	const struct plan_entry *entry;
	const char *env;      /* or NULL */
	const char *vg_tool;  /* or NULL: --valgrind/--helgrind's, if any */
};

/* Where the lab's plan puts test, or NULL when the lab has no such. */
const struct plan_entry *plan_entry_of(const struct lab *lab, const char *test);
/* The lab's runs in order, at most max; returns the count. */
size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max);
/* The value of the lab's poll switch in the grader's environment, or
 * NULL: unset, or the lab has none. */
const char *poll_switch_set(const struct lab *lab);

#endif
