/*
 * grade.c - one lab's plan against one server binary: a fresh server per
 * test, each test's verdict printed as it finishes and kept for --json and
 * for batch's row.
 */
#define _GNU_SOURCE
#include "cli/grade.h"
#include "checks/reproduce.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/sandbox.h"
#include "engine/status.h"
#include "engine/trace.h"

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

/* Its stderr, and with --args its stdout too: there a log. */
static void show_server_output(const struct ctx *c)
{
	for (int i = 0; i < c->nsrv * 2; i++) {
		const struct tail *t = i % 2 ? &c->srv[i / 2].out : &c->srv[i / 2].err;
		if (t->total == 0 || (i % 2 && c->opt->args_template == NULL))
			continue;
		printf("    server %d %s (last %zu of %zu bytes):\n", i / 2 + 1,
		       i % 2 ? "stdout" : "stderr", t->len, t->total);
		printf("%.*s%s", (int)t->len, t->buf,
		       t->len && t->buf[t->len - 1] == '\n' ? "" : "\n");
	}
}

/* Killed by a signal of its own making (SIGSEGV, SIGABRT, SIGPIPE...),
 * not by the grader's SIGTERM, SIGINT or SIGKILL. */
static int crashed(const struct server *s)
{
	int sig = WTERMSIG(s->status);

	return s->exited && WIFSIGNALED(s->status) && sig != SIGTERM &&
	       sig != SIGINT && sig != SIGKILL;
}

/* Whether valgrind is on PATH: a run that asks for its tool by itself
 * (not by --valgrind or --helgrind) is skipped where it is not. */
static int valgrind_found(void)
{
	const char *path = getenv("PATH");
	char file[4096];

	for (const char *p = path ? path : ""; *p != '\0'; p += strcspn(p, ":")) {
		p += *p == ':';
		snprintf(file, sizeof file, "%.*s/valgrind", (int)strcspn(p, ":"), p);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* What a finished test's servers leave to judge by: valgrind's first
 * error (vg, "" if none) and the logs worth keeping. */
struct leftovers {
	char vg[400], kept[MAX_SERVERS][64];
	int vg_bad, nkept;
};

/* Stop the test's servers, reading valgrind's logs as they go. */
static void stop_servers(const struct options *o, struct ctx *c,
			 struct leftovers *l)
{
	for (int i = 0; i < c->nsrv; i++) {
		server_stop(&c->srv[i], T.stop_grace_s * c->scale);
		if (c->srv[i].vg_log[0] == '\0')
			continue;
		if (!l->vg_bad && valgrind_errors(o->vg_tool, c->srv[i].vg_log,
						  l->vg, sizeof l->vg))
			l->vg_bad = 1;
		if (o->verbose || l->vg_bad)
			snprintf(l->kept[l->nkept++], sizeof l->kept[0], "%s",
				 c->srv[i].vg_log);
		else
			unlink(c->srv[i].vg_log);
	}
}

/* The verdict: the test's own (rc), unless a sanitizer, valgrind or the
 * time limit says otherwise; r's status fields follow from it. */
static int judge(const struct options *o, struct ctx *c, struct result *r,
		 int rc, int late, const struct leftovers *l)
{
	for (int i = 0; i < c->nsrv && rc == 0 && !l->vg_bad; i++)
		if (c->srv[i].san_report[0] != '\0') {
			snprintf(c->expected, sizeof c->expected, "no sanitizer reports");
			snprintf(c->happened, sizeof c->happened, "the server's stderr "
				 "had \"%s\"", c->srv[i].san_report);
			c->hint = "the sanitizer the server was built with saw the "
				  "bug: read its whole report on the server's stderr "
				  "(--verbose prints the tail); its stacks name the lines";
			rc = -1;
		}
	if (rc == 0 && l->vg_bad) {
		snprintf(c->expected, sizeof c->expected, "no %s errors", o->vg_tool);
		snprintf(c->happened, sizeof c->happened, "%s", l->vg);
		rc = -1;
	}
	if (late) {
		snprintf(c->expected, sizeof c->expected, "the test to finish "
			 "within its time limit of %.0f s", T.test_limit_s * c->scale);
		char seen[400];
		snprintf(seen, sizeof seen, "%.300s", c->happened[0] ? c->happened : "nothing");
		snprintf(c->happened, sizeof c->happened, "it was still running "
			 "(the last thing seen: %s)", seen);
		rc = -1;
	}
	r->skipped = c->skipped;
	r->late = late;
	r->not_started = c->not_started;
	r->started = c->started;
	for (int i = 0; i < c->nsrv; i++)
		r->crashed |= crashed(&c->srv[i]);
	r->score = rc == 0 && !c->skipped ? r->test->points : 0; /* skipped: 0/0 */
	return rc;
}

/* A failure's hint: the test's own, unless another cause comes first. */
static const char *failure_hint(const struct options *o, const struct lab *lab,
				const struct ctx *c, const struct result *r,
				int vg_bad)
{
	/* A later step's test that could not start the server: step 1 is
	 * the problem. A step-1 test's own hint says more. */
	int blame_start = c->not_started && r->run->entry->step > 1;
	const struct plan_entry *start = plan_entry_of(lab, "starts");

	/* The test's own hint is about behaviour; this is memory, or a race. */
	if (vg_bad && strcmp(o->vg_tool, "memcheck") == 0)
		return "memory: run the server under valgrind yourself and fix "
		       "the first error it reports (its stack names the line)";
	if (vg_bad && r->run->vg_tool == NULL)
		return "a data race: two threads touch the same memory, one of "
		       "them writing, with no lock held by both; run the server "
		       "under valgrind --tool=helgrind yourself: the first "
		       "report's two stacks name the lines, and the data they "
		       "share belongs under its mutex";
	const char *hint = blame_start && start ? start->hint
			 : c->hint ? c->hint
			 : o->args_template && r->test->any_hint ? r->test->any_hint
			 : r->run->entry->hint;
	/* A server of another design has no steps: "step 4: " says nothing
	 * to its author. */
	int skip = 0;
	if (o->args_template && sscanf(hint, "step %*d: %n", &skip) == 0 && skip > 0)
		hint += skip;
	return hint;
}

/* The verdict, said: a line (and a failure's hint, reproduce and by-hand
 * lines) on stdout, and the same in r->output for the reports. */
static void tell(const struct options *asked, const struct options *o,
		 const struct lab *lab, const struct ctx *c, struct result *r,
		 int rc, const struct leftovers *l)
{
	if (c->skipped) {
		const char *why = c->skip_why ? c->skip_why : "not available on this machine";
		printf("SKIP %s: %s\n", r->name, why);
		snprintf(r->output, sizeof r->output, "skipped: %s", why);
	} else if (rc == 0) {
		printf("PASS %s (%d/%d)\n", r->name, r->score, r->test->points);
		snprintf(r->output, sizeof r->output, "passed%s%s",
			 c->note[0] ? "; note: " : "", c->note);
		if (c->note[0])
			printf("  note: %s\n", c->note);
	} else {
		char repro[700], by_hand[1200];
		const char *hint = failure_hint(o, lab, c, r, l->vg_bad);
		reproduce_line(asked, lab, r->name, repro, sizeof repro);
		/* nc shows what the test's clients saw only once the server
		 * has started, and nothing of valgrind's findings. */
		const char *shown = o->shown_as ? o->shown_as : o->server;
		int hand = !c->not_started && !l->vg_bad && !c->no_by_hand &&
			   !o->args_template &&
			   by_hand_line(r->test, shown, by_hand, sizeof by_hand) == 0;
		snprintf(r->output, sizeof r->output,
			 "expected %s; %s\nhint: %s\nreproduce: %s%s%s", c->expected,
			 c->happened, hint, repro, hand ? "\nby hand: " : "",
			 hand ? by_hand : "");
		printf("FAIL %s (0/%d): expected %s; %s\n  hint: %s\n  reproduce: %s\n",
		       r->name, r->test->points, c->expected, c->happened,
		       hint, repro);
		if (hand)
			printf("  by hand: %s\n", by_hand);
	}
	for (int i = 0; i < l->nkept; i++)
		printf("  valgrind log: %s\n", l->kept[i]);
	if (o->verbose)
		show_server_output(c);
	fflush(stdout);
}

static void run_one(const struct options *o, const struct lab *lab,
		    struct result *r)
{
	struct ctx c;
	struct leftovers l = {.nkept = 0};
	int rc;
	/* A run under a valgrind tool of its own: as if asked for (but its
	 * reproduce line need not ask: the run does). */
	struct options run_opt = *o;
	const struct options *asked = o;

	if (r->run->vg_tool != NULL)
		run_opt.vg_tool = r->run->vg_tool;
	o = &run_opt;
	memset(&c, 0, sizeof c);
	c.opt = o;
	c.lab = lab;
	c.env[0] = r->run->env;
	if (o->trace && (c.trace = trace_new()) == NULL)
		fprintf(stderr, "grader: no memory for --trace\n");
	c.scale = o->vg_tool ? T.valgrind_scale : 1;
	test_deadline = now_s() + T.test_limit_s * c.scale;
	/* Valgrind cannot run a sanitizer's build; it does the same job. */
	if (r->run->vg_tool != NULL &&
	    (!valgrind_found() || sanitizer_of(o->server) != NULL))
		c.skipped = 1, rc = 0;
	else
		rc = r->test->run(&c);
	int late = now_s() > test_deadline;
	/* What needs this test runs unless its own check failed. */
	r->blocks = (rc < 0 || late) && !c.dependents_may_run;
	test_deadline = 0;
	stop_servers(o, &c, &l);
	if (c.trace != NULL) {
		trace_print(c.trace, r->name);
		trace_free(c.trace);
	}
	if (grader_interrupted) {
		/* Nothing to blame on the server: the run was stopped. */
		printf("STOPPED %s: the grader was interrupted\n", r->name);
		r->stopped = 1;
		return;
	}
	rc = judge(o, &c, r, rc, late, &l);
	tell(asked, o, lab, &c, r, rc, &l);
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

/* The result of the test r needs, among those before it; NULL when that
 * test is not among them (not selected, or later in the plan). */
static const struct result *parent_of(const struct grading *g,
				      const struct result *r)
{
	const char *need = test_needs(r->test->name);

	for (const struct result *p = g->results; need != NULL && p < r; p++)
		if (strcmp(p->name, need) == 0)
			return p;
	return NULL;
}

/* r is not run: the test it needs failed (or was not run either). */
static void mark_not_run(struct result *r, const struct result *parent)
{
	r->not_run = parent->not_run ? parent->not_run : parent->name;
	r->blocks = 1;
	snprintf(r->output, sizeof r->output, "not run because %s failed: this "
		 "test needs %s to pass first, so fix that first", r->not_run,
		 parent->name);
}

/* One line for each failed test that kept others from running, naming
 * them, wrapped: "NOT RUN because starts failed: sigterm bad-args ...". */
static void print_not_run(const struct grading *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const char *root = g->results[i].not_run;
		int first = 1, col = 0;
		for (size_t k = 0; k < i && root != NULL; k++)
			if (g->results[k].not_run == root)
				root = NULL; /* said already */
		for (size_t k = i; k < g->n && root != NULL; k++) {
			const char *name = g->results[k].name;
			if (g->results[k].not_run != root)
				continue;
			if (first)
				col = printf("NOT RUN because %s failed:", root);
			else if (col + 1 + (int)strlen(name) > 78)
				col = printf("\n ") - 1;
			col += printf(" %s", name);
			first = 0;
		}
		if (root != NULL)
			printf("\n");
	}
	fflush(stdout);
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
		const struct result *parent = parent_of(g, r);
		if (parent != NULL && parent->blocks)
			mark_not_run(r, parent);
		else
			run_one(o, lab, r);
		if (r->stopped)
			break;
		g->n++;
		g->score += r->score;
		g->max += r->skipped ? 0 : r->test->points;
	}
	print_not_run(g);
	g->seconds = now_s() - started;
}
