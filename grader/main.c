/*
 * main.c - the grader's command line: run a lab's plan against one server
 * binary, one fresh server per test, and report each test as it finishes.
 */
#define _GNU_SOURCE
#include "grader.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct result {
	const struct test *test;
	const struct plan_run *run;
	const char *name;     /* run->name */
	int score, skipped, stopped;
	char output[3200];
};

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

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "grader: %s\n", why);
	fprintf(stderr,
		"usage: grader --lab N [--step K] [--test NAME[,NAME...] [--trace]]\n"
		"              [--valgrind | --helgrind] [--json FILE] [--verbose]\n"
		"              PATH/TO/server\n"
		"       grader bench [--help | OPTIONS] PATH/TO/server ...\n");
	exit(2);
}

void option_not_known(const char *a, void (*usage_fn)(const char *why))
{
	char msg[128];

	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		usage_fn(NULL);
	snprintf(msg, sizeof msg, "unknown option '%s'", a);
	usage_fn(msg);
}

long parse_number(const char *s, long lo, long hi, const char *what,
		  void (*usage_fn)(const char *why))
{
	char *end, msg[120];
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	if (s == NULL || *s == '\0' || *end != '\0' || errno || v < lo || v > hi) {
		snprintf(msg, sizeof msg, "%s takes a whole number from %ld to %ld",
			 what, lo, hi);
		usage_fn(msg);
	}
	return v;
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
		else if (strcmp(a, "--test") == 0) {
			if (next == NULL)
				usage("--test takes a test name (or several, comma-separated)");
			o->only = next;
			i++;
		} else if (strcmp(a, "--json") == 0) {
			if (next == NULL)
				usage("--json takes a file name");
			o->json = next;
			i++;
		} else if (strcmp(a, "--valgrind") == 0 ||
			   strcmp(a, "--helgrind") == 0) {
			const char *tool = a[2] == 'v' ? "memcheck" : "helgrind";
			if (o->vg_tool != NULL && strcmp(o->vg_tool, tool) != 0)
				usage("--valgrind and --helgrind are two tools: "
				      "choose one");
			o->vg_tool = tool;
		}
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
	if (o->trace && o->only == NULL) {
		/* One line: the transcript is of one test, so say only that. */
		fprintf(stderr, "grader: --trace shows one test: add --test NAME\n");
		exit(2);
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
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Valgrind's verdict from its log: 0 if clean, else a summary in buf. */
static int valgrind_errors(const char *tool, const char *log, char *buf,
			   size_t len)
{
	char line[512], first[300] = "";
	int errors = 0;
	FILE *f = fopen(log, "re");

	if (f == NULL)
		return 0;
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
		int hand = !c.not_started && !vg_bad &&
			   by_hand_line(r->test, o->server, by_hand,
					sizeof by_hand) == 0;
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

/* How many bytes of s make one valid UTF-8 character (1 to 4), or 0: a
 * server's stderr reaches the JSON and may hold any bytes at all. */
static int utf8_length(const unsigned char *s)
{
	int n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		: s[0] >= 0xe0 && s[0] <= 0xef ? 3
		: s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	for (int k = 1; k < n; k++) /* a NUL ends it: never read past */
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF: not UTF-8. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* s as a JSON string that is valid UTF-8 whatever s holds: a byte that
 * is no part of a character becomes U+FFFD, a control character \u00XX. */
static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		int n = utf8_length(p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (n == 0)
			fputs("\\ufffd", f);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* Gradescope's results.json, as its autograder specification has it:
 * score, execution_time, output, and tests[] with name, number, score,
 * max_score, status, output and visibility (max_score on top too). */
static int write_json(const char *path, const struct result *r, size_t n,
		      int score, int max, double seconds)
{
	FILE *f = fopen(path, "w");
	char summary[64];

	if (f == NULL) {
		fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(summary, sizeof summary, "score: %d/%d", score, max);
	fprintf(f, "{\n  \"score\": %d,\n  \"max_score\": %d,\n  "
		"\"execution_time\": %.0f,\n  \"output\": ", score, max, seconds);
	json_string(f, summary);
	fprintf(f, ",\n  \"tests\": [");
	for (size_t i = 0; i < n; i++) {
		int points = r[i].skipped ? 0 : r[i].test->points;
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, r[i].name);
		fprintf(f, ", \"score\": %d, \"max_score\": %d, \"number\": "
			"\"%zu\", \"status\": \"%s\", \"visibility\": \"visible\", "
			"\"output\": ", r[i].score, points, i + 1,
			r[i].score == points ? "passed" : "failed");
		json_string(f, r[i].output);
		fputc('}', f);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
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

int main(int argc, char **argv)
{
	struct options o;
	struct result results[64];
	const struct lab *lab;
	size_t n = 0;
	int score = 0, max = 0;

	if (argc > 1 && strcmp(argv[1], "bench") == 0) {
		catch_signals();
		sandbox_init();
		take_all_descriptors();
		return bench_main(argc - 1, argv + 1);
	}
	parse_args(argc, argv, &o);
	double started = now_s();
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
	struct plan_run runs[64];
	size_t nruns = lab_runs(lab, runs, 64);
	/* Every name in --test's list must be one of the lab's tests. */
	for (const char *t = o.only; t != NULL && *t != '\0';) {
		size_t len = strcspn(t, ","), i = 0;
		while (i < nruns && !(strlen(runs[i].name) == len &&
				      strncmp(runs[i].name, t, len) == 0))
			i++;
		if (i == nruns) {
			fprintf(stderr, "grader: lab %d has no test '%.*s'; its tests:",
				o.lab, (int)len, t);
			for (i = 0; i < nruns; i++)
				fprintf(stderr, " %s", runs[i].name);
			fputc('\n', stderr);
			return 2;
		}
		t += len + (t[len] == ',');
	}
	const char *why = lab->unavailable ? lab->unavailable() : NULL;
	if (why != NULL) {
		printf("skipped: lab %d cannot run on this system: %s\n", o.lab, why);
		return SKIPPED_EXIT;
	}
	catch_signals();
	sandbox_init();
	take_all_descriptors();
	for (size_t i = 0; i < nruns && !grader_interrupted; i++) {
		const struct plan_run *p = &runs[i];
		if ((o.step && p->entry->step > o.step) ||
		    (o.only && !in_list(o.only, p->name)))
			continue;
		struct result *r = &results[n++];
		memset(r, 0, sizeof *r);
		r->run = p;
		r->name = p->name;
		r->test = test_find(p->entry->test);
		run_one(&o, lab, r);
		if (r->stopped) {
			n--;
			break;
		}
		score += r->score;
		max += r->skipped ? 0 : r->test->points;
	}
	sandbox_sweep();
	if (grader_interrupted) {
		fprintf(stderr, "grader: interrupted; every server process was stopped\n");
		return 128 + grader_interrupted;
	}
	printf("score: %d/%d\n", score, max);
	if (o.json && write_json(o.json, results, n, score, max,
				 now_s() - started) < 0)
		return 2;
	return score == max ? 0 : 1;
}
