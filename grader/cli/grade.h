/*
 * grade.h - grading one server: the selected tests, run one by one, each
 * line printed as it finishes, the verdicts kept for the reports.
 */
#ifndef SERVERLAB_GRADE_H
#define SERVERLAB_GRADE_H

#include <stddef.h>

#include "checks/catalogue.h"
#include "checks/harness.h"
#include "plans/plans.h"

#define MAX_RUNS 64

/* One test's verdict, as printed, kept for --json and batch's rows. */
struct result {
	const struct test *test;
	const struct plan_run *run;
	const char *name;     /* run->name */
	int score, skipped, stopped;
	/* What batch's status says: a server killed by a signal of its own
	 * (SIGSEGV...), the test over its time limit, a server that never
	 * printed "listening on", one that did. */
	int crashed, late, not_started, started;
	/* Not run: the failed test it needs (the first of a chain), or NULL. */
	const char *not_run;
	int blocks;           /* failed or not run: what needs it is not run */
	char output[3200];
};

/* One server graded: the tests that ran, in the lab's order. */
struct grading {
	struct plan_run runs[MAX_RUNS]; /* the lab's, selected or not */
	size_t nruns;
	struct result results[MAX_RUNS];
	size_t n;
	int score, max;
	double seconds;
	char output[4096];    /* results.json's top-level output; "": the score */
	const char *from;     /* --from: said first in that output; or NULL */
	const char *visibility; /* every test's in results.json; NULL: visible */
	int ranked;           /* --leaderboard measured (leaderboard.c): */
	double leaderboard;   /* round trips per second; 0 if the run failed */
};

/* g as a plan: the lab's runs, and in results[0..n) those --step and
 * --test leave in (run, name and test set), max their points. */
void grade_plan(const struct options *o, const struct lab *lab,
		struct grading *g);
/* Run the selected tests against o->server, each line printed as it
 * finishes; stops early only when the grader is interrupted. */
void grade_server(const struct options *o, const struct lab *lab,
		  struct grading *g);

#endif
