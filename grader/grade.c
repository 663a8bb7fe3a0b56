/*
 * grade.c - one lab's plan against one server binary: a fresh server per
 * test, each test's verdict printed as it finishes and kept for --json and
 * for batch's row.
 */
#define _GNU_SOURCE
#include "grader.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether name is one of the comma-separated list's names. */
static int in_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *t = list; *t != '\0'; t += strcspn(t, ",") + 1) {
		if (strncmp(t, name, len) == 0 && (t[len] == ',' || t[len] == '\0'))
			return 1;
		if (t[strcspn(t, ",")] == '\0')
			break;
	}
	return 0;
}

/* Valgrind's verdict from its log: 0 if clean, else a summary in buf. */
static int valgrind_errors(const char *tool, const char *log, char *buf,
			   size_t len)
{
	char line[512], first[300] = "";
	int errors = 0;
	FILE *f = fopen(log, "re");

	/* Valgrind makes it before the server runs: a server that deletes
	 * it would hide its errors. */
	if (f == NULL) {
		snprintf(buf, len, "valgrind's log %s is gone (%s)", log,
			 strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = strstr(line, "== ");
		const char *text = p ? p + 3 : line;
		int n;
		if (sscanf(text, "ERROR SUMMARY: %d errors", &n) == 1 && n > errors)
			errors = n;
		else if (first[0] == '\0' &&
			 (strncmp(text, "Invalid", 7) == 0 ||
			  strncmp(text, "Conditional", 11) == 0 ||
			  strncmp(text, "Syscall param", 13) == 0 ||
			  strstr(text, "definitely lost in") != NULL ||
			  strncmp(text, "Possible data race", 18) == 0 ||
			  strncmp(text, "Mismatched", 10) == 0))
			snprintf(first, sizeof first, "%.*s",
				 (int)strcspn(text, "\n"), text);
	}
	fclose(f);
	if (errors > 0)
		snprintf(buf, len, "valgrind's %s found %d error%s, the first: %s", tool,
			 errors, errors == 1 ? "" : "s",
			 first[0] ? first : "(see the log)");
	return errors;
}

static void show_server_output(const struct ctx *c)
{
	for (int i = 0; i < c->nsrv; i++) {
		const struct tail *t = &c->srv[i].err;
		if (t->total == 0)
			continue;
		printf("    server %d stderr (last %zu of %zu bytes):\n", i + 1,
		       t->len, t->total);
		printf("%.*s%s", (int)t->len, t->buf,
		       t->len && t->buf[t->len - 1] == '\n' ? "" : "\n");
	}
}

/* The hint of the lab's "starts" test: the one that matters whenever a
 * test could not even start the server. */
static const char *start_hint(const struct lab *lab)
{
	for (size_t i = 0; i < lab->nplan; i++)
		if (strcmp(lab->plan[i].test, "starts") == 0)
			return lab->plan[i].hint;
	return "step 1";
}

/* Killed by a signal of its own making (SIGSEGV, SIGABRT, SIGPIPE...),
 * not by the grader's SIGTERM, SIGINT or SIGKILL. */
static int crashed(const struct server *s)
{
	int sig = WTERMSIG(s->status);

	return s->exited && WIFSIGNALED(s->status) && sig != SIGTERM &&
	       sig != SIGINT && sig != SIGKILL;
}

static void run_one(const struct options *o, const struct lab *lab,
		    struct result *r)
{
	struct ctx c;
	char vg[400] = "", vg_kept[MAX_SERVERS][64];
	int rc, vg_bad = 0, nkept = 0;

	memset(&c, 0, sizeof c);
	c.opt = o;
	c.lab = lab;
	c.env[0] = r->run->env;
	if (o->trace && (c.trace = trace_new()) == NULL)
		fprintf(stderr, "grader: no memory for --trace\n");
	c.scale = o->vg_tool ? T.valgrind_scale : 1;
	test_deadline = now_s() + T.test_limit_s * c.scale;
	rc = r->test->run(&c);
	int late = now_s() > test_deadline;
	test_deadline = 0;
	for (int i = 0; i < c.nsrv; i++) {
		server_stop(&c.srv[i], T.stop_grace_s * c.scale);
		if (c.srv[i].vg_log[0] != '\0') {
			if (!vg_bad && valgrind_errors(o->vg_tool, c.srv[i].vg_log, vg,
						     sizeof vg))
				vg_bad = 1;
			if (o->verbose || vg_bad)
				snprintf(vg_kept[nkept++], sizeof vg_kept[0], "%s",
					 c.srv[i].vg_log);
			else
				unlink(c.srv[i].vg_log);
		}
	}
	if (c.trace != NULL) {
		trace_print(c.trace, r->name);
		trace_free(c.trace);
	}
	for (int i = 0; i < c.nsrv && rc == 0 && !vg_bad; i++)
		if (c.srv[i].san_report[0] != '\0') {
			snprintf(c.expected, sizeof c.expected, "no sanitizer reports");
			snprintf(c.happened, sizeof c.happened, "the server's stderr "
				 "had \"%s\"", c.srv[i].san_report);
			c.hint = "the sanitizer the server was built with saw the "
				 "bug: read its whole report on the server's stderr "
				 "(--verbose prints the tail); its stacks name the lines";
			rc = -1;
		}
	if (rc == 0 && vg_bad) {
		snprintf(c.expected, sizeof c.expected, "no %s errors", o->vg_tool);
		snprintf(c.happened, sizeof c.happened, "%s", vg);
		rc = -1;
	}
	if (grader_interrupted) {
		/* Nothing to blame on the server: the run was stopped. */
		printf("STOPPED %s: the grader was interrupted\n", r->name);
		r->stopped = 1;
		return;
	}
	if (late) {
		snprintf(c.expected, sizeof c.expected, "the test to finish "
			 "within its time limit of %.0f s", T.test_limit_s * c.scale);
		char seen[400];
		snprintf(seen, sizeof seen, "%.300s", c.happened[0] ? c.happened : "nothing");
		snprintf(c.happened, sizeof c.happened, "it was still running "
			 "(the last thing seen: %s)", seen);
		rc = -1;
	}
	r->skipped = c.skipped;
	r->late = late;
	r->not_started = c.not_started;
	r->started = c.started;
	for (int i = 0; i < c.nsrv; i++)
		r->crashed |= crashed(&c.srv[i]);
	r->score = rc == 0 ? r->test->points : 0;
	if (c.skipped) {
		printf("SKIP %s: not available on this machine\n", r->name);
		snprintf(r->output, sizeof r->output, "skipped: not available on this machine");
	} else if (rc == 0) {
		printf("PASS %s (%d/%d)\n", r->name, r->score, r->test->points);
		snprintf(r->output, sizeof r->output, "passed");
	} else {
		char repro[700], by_hand[1200];
		/* A later step's test that could not start the server: step 1
		 * is the problem. A step-1 test's own hint says more. */
		int blame_start = c.not_started && r->run->entry->step > 1;
		const char *hint = blame_start ? start_hint(lab)
				   : c.hint ? c.hint : r->run->entry->hint;
		/* The test's own hint is about behaviour; this is memory, or
		 * a race. */
		if (vg_bad && strcmp(o->vg_tool, "memcheck") == 0)
			hint = "memory: run the server under valgrind yourself and "
			       "fix the first error it reports (its stack names "
			       "the line)";
		else if (vg_bad)
			hint = "a data race: two threads touch the same memory, "
			       "one of them writing, with no lock held by both; "
			       "run the server under valgrind --tool=helgrind "
			       "yourself: the first report's two stacks name the "
			       "lines, and the data they share belongs under "
			       "its mutex";
		reproduce_line(o, r->name, repro, sizeof repro);
		/* nc shows what the test's clients saw only once the server
		 * has started, and nothing of valgrind's findings. */
		const char *shown = o->shown_as ? o->shown_as : o->server;
		int hand = !c.not_started && !vg_bad &&
			   by_hand_line(r->test, shown, by_hand, sizeof by_hand) == 0;
		snprintf(r->output, sizeof r->output,
			 "expected %s; %s\nhint: %s\nreproduce: %s%s%s", c.expected,
			 c.happened, hint, repro, hand ? "\nby hand: " : "",
			 hand ? by_hand : "");
		printf("FAIL %s (0/%d): expected %s; %s\n  hint: %s\n  reproduce: %s\n",
		       r->name, r->test->points, c.expected, c.happened,
		       hint, repro);
		if (hand)
			printf("  by hand: %s\n", by_hand);
	}
	for (int i = 0; i < nkept; i++)
		printf("  valgrind log: %s\n", vg_kept[i]);
	if (o->verbose)
		show_server_output(&c);
	fflush(stdout);
}

void grade_plan(const struct options *o, const struct lab *lab,
		struct grading *g)
{
	memset(g, 0, sizeof *g);
	g->nruns = lab_runs(lab, g->runs, MAX_RUNS);
	for (size_t i = 0; i < g->nruns; i++) {
		const struct plan_run *p = &g->runs[i];
		if ((o->step && p->entry->step > o->step) ||
		    (o->only && !in_list(o->only, p->name)))
			continue;
		struct result *r = &g->results[g->n++];
		r->run = p;
		r->name = p->name;
		r->test = test_find(p->entry->test);
		g->max += r->test->points;
	}
}

void grade_server(const struct options *o, const struct lab *lab,
		  struct grading *g)
{
	double started = now_s();

	grade_plan(o, lab, g);
	size_t planned = g->n;
	g->n = 0;
	g->max = 0; /* from here, of the tests that ran and were not skipped */
	for (size_t i = 0; i < planned && !grader_interrupted; i++) {
		struct result *r = &g->results[i];
		run_one(o, lab, r);
		if (r->stopped)
			break;
		g->n++;
		g->score += r->score;
		g->max += r->skipped ? 0 : r->test->points;
	}
	g->seconds = now_s() - started;
}
