/*
 * main.c - the grader's command line: run a lab's plan against one server
 * binary, one fresh server per test, and report each test as it finishes.
 */
#define _GNU_SOURCE
#include "cli/batch.h"
#include "cli/bench.h"
#include "cli/classroom.h"
#include "cli/grade.h"
#include "cli/options.h"
#include "cli/leaderboard.h"
#include "cli/platforms.h"
#include "cli/report.h"
#include "cli/submission.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/contain.h"
#include "engine/sandbox.h"
#include "plans/plans.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "grader: %s\n", why);
	fprintf(stderr,
		"usage: grader --lab N [--step K] [--test NAME[,NAME...] [--trace]]\n"
		"              [--valgrind | --helgrind] [--json FILE] [--verbose]\n"
		"              [--args TEMPLATE] PATH/TO/server\n"
		"       grader --lab N [--step K] [--test ...] --json FILE --build-failed LOG\n"
		"       (--prairielearn FILE, --autolab: those platforms' formats,\n"
		"        like --json; with them: [--from FOLDER] [--shown-as PATH]\n"
		"        [--leaderboard] [--if-unavailable full|zero|pending])\n"
		"       grader --lab N [--step K] [--test ...] [--valgrind | --helgrind]\n"
		"              --batch DIR --csv FILE [--jobs J]\n"
		"       grader --lab N --classroom\n"
		"       grader --lab N [--step K] [--test ...] --list\n"
		"       grader --lab N --find SUBMISSION_DIR\n"
		"       grader bench [--help | OPTIONS] PATH/TO/server ...\n");
	exit(2);
}

static const char *string_arg(const char *next, const char *why)
{
	if (next == NULL)
		usage(why);
	return next;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->self = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--lab") == 0)
			o->lab = (int)parse_number(next, 1, 99, "--lab", usage), i++;
		else if (strcmp(a, "--step") == 0)
			o->step = (int)parse_number(next, 1, 20, "--step", usage), i++;
		else if (strcmp(a, "--test") == 0)
			o->only = string_arg(next, "--test takes a test name (or "
					     "several, comma-separated)"), i++;
		else if (strcmp(a, "--json") == 0)
			o->json = string_arg(next, "--json takes a file name"), i++;
		else if (strcmp(a, "--prairielearn") == 0)
			o->prairielearn = string_arg(next, "--prairielearn takes a file "
						     "name"), i++;
		else if (strcmp(a, "--autolab") == 0)
			o->autolab = 1;
		else if (strcmp(a, "--leaderboard") == 0)
			o->leaderboard = 1;
		else if (strcmp(a, "--build-failed") == 0)
			o->build_failed = string_arg(next, "--build-failed takes "
						     "the build's log file"), i++;
		else if (strcmp(a, "--batch") == 0)
			o->batch = string_arg(next, "--batch takes a folder of "
					      "submission folders"), i++;
		else if (strcmp(a, "--csv") == 0)
			o->csv = string_arg(next, "--csv takes a file name"), i++;
		else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0)
			o->jobs = (int)parse_number(next, 1, 256, "--jobs", usage), i++;
		else if (strcmp(a, "--classroom") == 0)
			o->classroom = 1;
		else if (strcmp(a, "--list") == 0)
			o->list = 1;
		else if (strcmp(a, "--find") == 0)
			o->find = string_arg(next, "--find takes a submission's folder"), i++;
		else if (strcmp(a, "--from") == 0)
			o->from = string_arg(next, "--from takes the folder graded"), i++;
		else if (strcmp(a, "--shown-as") == 0)
			o->shown_as = string_arg(next, "--shown-as takes the server's "
						 "path in the student's repository"), i++;
		else if (strcmp(a, "--if-unavailable") == 0) {
			o->if_unavailable = string_arg(next, "--if-unavailable takes "
						       "full, zero or pending"), i++;
			if (strcmp(next, "full") && strcmp(next, "zero") &&
			    strcmp(next, "pending"))
				usage("--if-unavailable takes full, zero or pending");
		} else if (strcmp(a, "--client") == 0)
			o->client = string_arg(next, "--client takes lab 1's client"), i++;
		else if (strcmp(a, "--valgrind") == 0 ||
			   strcmp(a, "--helgrind") == 0) {
			const char *tool = a[2] == 'v' ? "memcheck" : "helgrind";
			if (o->vg_tool != NULL && strcmp(o->vg_tool, tool) != 0)
				usage("--valgrind and --helgrind are two tools: "
				      "choose one");
			o->vg_tool = tool;
		}
		else if (strcmp(a, "--args") == 0)
			o->args_template = string_arg(next, "--args takes the "
						      "server's arguments, e.g. "
						      "'SERVER {addr}'"), i++;
		else if (strcmp(a, "--trace") == 0)
			o->trace = 1;
		else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
			o->verbose = 1;
		else if (a[0] == '-')
			option_not_known(a, usage);
		else if (o->server != NULL)
			usage("give one server binary");
		else
			o->server = a;
	}
	/* A bare name would be looked up in PATH when it is run: the
	 * student means the file here, as access() below checks it. */
	static char here[4096];
	if (o->server != NULL && strchr(o->server, '/') == NULL) {
		snprintf(here, sizeof here, "./%s", o->server);
		o->server = here;
	}
	if (o->lab == 0)
		usage("--lab N is required");
	if (o->args_template != NULL && strstr(o->args_template, "{addr}") == NULL &&
	    strstr(o->args_template, "{port}") == NULL)
		usage("--args TEMPLATE must give the server its address: {addr} "
		      "(HOST:PORT), or {host} and {port}");
	if (o->trace && o->only == NULL) {
		/* One line: the transcript is of one test, so say only that. */
		fprintf(stderr, "grader: --trace shows one test: add --test NAME\n");
		exit(2);
	}
	if (o->list) {
		if (o->server || o->batch || o->json || o->vg_tool || o->classroom)
			usage("--list prints the lab's tests: give it --lab N "
			      "and perhaps --step K or --test NAMES");
		return;
	}
	if (o->find != NULL) {
		if (o->server || o->batch || o->json || o->classroom)
			usage("--find prints the folder of a submission to grade: "
			      "give it --lab N alone");
		return;
	}
	if (o->classroom) {
		if (o->server || o->batch || o->json || o->vg_tool || o->only || o->step)
			usage("--classroom prints the workflow for the whole lab: "
			      "give it --lab N alone");
		return;
	}
	if (o->batch != NULL) {
		if (o->server != NULL)
			usage("--batch grades the folders in DIR: give no server binary");
		if (o->csv == NULL)
			usage("--batch needs --csv FILE for its rows");
		if (o->json != NULL || o->prairielearn != NULL || o->autolab ||
		    o->trace || o->leaderboard)
			usage("--json, --prairielearn, --autolab, --leaderboard and "
			      "--trace are for one server, not --batch");
		if (o->jobs == 0)
			o->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) > 0
				  ? (int)sysconf(_SC_NPROCESSORS_ONLN) : 1;
		return;
	}
	if (o->csv != NULL || o->jobs != 0)
		usage("--csv and --jobs go with --batch DIR");
	if (o->build_failed != NULL) {
		if ((o->json == NULL && o->prairielearn == NULL && !o->autolab) ||
		    o->server != NULL)
			usage("--build-failed LOG writes results for a submission that "
			      "did not build: give --json, --prairielearn or --autolab, "
			      "and no server");
		return;
	}
	if (o->server == NULL)
		usage("give the server binary to grade");
	if (access(o->server, X_OK) != 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "cannot run '%s': %s (did you build "
			 "it with make?)", o->server, strerror(errno));
		usage(msg);
	}
}

static void on_signal(int sig)
{
	grader_interrupted = sig;
	sandbox_kill_current();
}

static void catch_signals(void)
{
	on_stop_signals(on_signal);
	signal(SIGPIPE, SIG_IGN);
}

/* Clients of the concurrent tests are our descriptors: take all the hard
 * limit allows, or the grader fails a correct server. */
static void take_all_descriptors(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Every name in --test's list must be one of the lab's tests. */
static int check_test_names(const struct options *o, const struct lab *lab)
{
	struct plan_run runs[MAX_RUNS];
	size_t nruns = lab_runs(lab, runs, MAX_RUNS);

	for (const char *t = o->only; t != NULL && *t != '\0';) {
		size_t len = strcspn(t, ","), i = 0;
		while (i < nruns && !(strlen(runs[i].name) == len &&
				      strncmp(runs[i].name, t, len) == 0))
			i++;
		if (i == nruns) {
			fprintf(stderr, "grader: lab %d has no test '%.*s'; its tests:",
				o->lab, (int)len, t);
			for (i = 0; i < nruns; i++)
				fprintf(stderr, " %s", runs[i].name);
			fputc('\n', stderr);
			return -1;
		}
		t += len + (t[len] == ',');
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct grading g;
	struct options o;
	const struct lab *lab;

	if (argc > 1 && strcmp(argv[1], "bench") == 0) {
		catch_signals();
		sandbox_init(T.kill_give_up_s);
		take_all_descriptors();
		return bench_main(argc - 1, argv + 1);
	}
	parse_args(argc, argv, &o);
	lab = lab_find(o.lab);
	if (lab == NULL) {
		/* The catalogue says which labs there are, not a bound here. */
		fprintf(stderr, "grader: lab %d has no tests yet; labs:", o.lab);
		for (int k = 1; k < 100; k++)
			if (lab_find(k) != NULL)
				fprintf(stderr, " %d", k);
		fputc('\n', stderr);
		return 2;
	}
	if (check_test_names(&o, lab) != 0)
		return 2;
	if (o.classroom)
		return classroom_print(lab);
	if (o.list) {
		grade_plan(&o, lab, &g);
		/* NAME step K[ with VAR=value], P points: a variant says
		 * what it sets in the server's environment. */
		for (size_t i = 0; i < g.n; i++)
			printf("%s step %d%s%s, %d point%s\n", g.results[i].name,
			       g.results[i].run->entry->step,
			       g.results[i].run->env ? " with " : "",
			       g.results[i].run->env ? g.results[i].run->env : "",
			       g.results[i].test->points,
			       g.results[i].test->points == 1 ? "" : "s");
		return 0;
	}
	if (o.find != NULL) {
		char folder[4096];
		if (submission_folder(o.find, o.lab, folder, sizeof folder) != 0) {
			fprintf(stderr, "grader: no lab %d sources in %s: neither a "
				"folder labs/lab%d-* nor .c files\n", o.lab, o.find, o.lab);
			return 1;
		}
		printf("%s\n", folder);
		return 0;
	}
	if (o.build_failed != NULL) {
		report_unbuilt(&o, lab, o.build_failed, &g);
		g.from = o.from;
		printf("score: 0/%d (the submission did not build)\n", g.max);
		return report_all(&o, &g, 0) < 0 ? 2 : 1;
	}
	const char *why = lab->unavailable ? lab->unavailable() : NULL;
	if (why != NULL) {
		printf("skipped: lab %d cannot run on this system: %s\n", o.lab, why);
		report_unavailable(&o, lab, why, &g);
		g.from = o.from;
		/* pending: PrairieLearn takes no attempt for "not gradable" */
		if (report_all(&o, &g, g.visibility == NULL) < 0)
			return 2;
		return SKIPPED_EXIT;
	}
	catch_signals();
	sandbox_init(T.kill_give_up_s);
	take_all_descriptors();
	if (o.verbose)
		contain_describe(stdout);
	if (o.batch != NULL)
		return batch_main(&o, lab);
	if (o.from != NULL)
		printf("grading the files %s%s of the submission\n",
		       strcmp(o.from, ".") ? "in " : "at the top", strcmp(o.from, ".")
		       ? o.from : "");
	grade_server(&o, lab, &g);
	g.from = o.from;
	if (o.leaderboard && !grader_interrupted)
		grade_leaderboard(&o, lab, &g);
	sandbox_sweep();
	if (grader_interrupted) {
		fprintf(stderr, "grader: interrupted; every server process was stopped\n");
		return 128 + grader_interrupted;
	}
	printf("score: %d/%d\n", g.score, g.max);
	if (report_all(&o, &g, 1) < 0)
		return 2;
	return g.score == g.max ? 0 : 1;
}
