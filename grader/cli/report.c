/*
 * report.c - a grading as Gradescope's results.json: strict JSON in valid
 * UTF-8, whatever bytes the student's server printed.
 */
#define _GNU_SOURCE
#include "cli/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
void json_string(FILE *f, const char *s)
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

void report_text(FILE *f, const struct grading *g)
{
	char head[512] = "", summary[64], *text = NULL;

	if (g->from && strcmp(g->from, ".") == 0)
		snprintf(head, sizeof head, "Graded the files at the top of the "
			 "submission.\n");
	else if (g->from)
		snprintf(head, sizeof head, "Graded the files in %.400s of the "
			 "submission.\n", g->from);
	snprintf(summary, sizeof summary, "score: %d/%d", g->score, g->max);
	if (asprintf(&text, "%s%s", head, g->output[0] ? g->output : summary) < 0)
		text = NULL;
	json_string(f, text ? text : summary);
	free(text);
}

/* Gradescope's results.json, as its autograder specification has it:
 * score, execution_time, output, and tests[] with name, number, score,
 * max_score, status, output and visibility (max_score on top too). */
int report_json(const char *path, const struct grading *g)
{
	const struct result *r = g->results;
	int score = g->score, max = g->max;
	FILE *f = open_report(path);

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"score\": %d,\n  \"max_score\": %d,\n  "
		"\"execution_time\": %.0f,\n  \"output\": ", score, max, g->seconds);
	/* Plain text: Gradescope's default format reads "<x.h>" as a tag. */
	report_text(f, g);
	fprintf(f, ",\n  \"output_format\": \"text\",\n  ");
	if (g->ranked)
		fprintf(f, "\"leaderboard\": [{\"name\": \"Round trips/s\", "
			"\"value\": %.0f}],\n  ", g->leaderboard);
	fprintf(f, "\"tests\": [");
	for (size_t i = 0; i < g->n; i++) {
		int points = r[i].skipped ? 0 : r[i].test->points;
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, r[i].name);
		fprintf(f, ", \"score\": %d, \"max_score\": %d, \"number\": "
			"\"%zu\", \"status\": \"%s\", \"visibility\": \"%s\", "
			"\"output_format\": \"text\", \"output\": ", r[i].score, points,
			i + 1, r[i].score == points ? "passed" : "failed",
			g->visibility ? g->visibility : "visible");
		json_string(f, r[i].output);
		fputc('}', f);
	}
	return close_report(f, path);
}

FILE *open_report(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

int close_report(FILE *f, const char *path)
{
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

void report_unbuilt(const struct options *o, const struct lab *lab,
		    const char *log, struct grading *g)
{
	grade_plan(o, lab, g);
	int len = snprintf(g->output, sizeof g->output, "The submission did not "
			   "build, so no test ran: score 0. The compiler said:\n\n");
	for (size_t i = 0; i < g->n; i++)
		snprintf(g->results[i].output, sizeof g->results[i].output, "not run: "
			 "the submission did not build (the compiler's message is "
			 "at the top)");
	/* As much of the log as fits: its first lines are the ones to read. */
	FILE *f = fopen(log, "re");
	size_t got = f ? fread(g->output + len, 1, sizeof g->output - (size_t)len - 1, f)
		       : 0;
	g->output[(size_t)len + got] = '\0';
	if (f == NULL)
		snprintf(g->output + len, sizeof g->output - (size_t)len,
			 "(no log: %s: %s)", log, strerror(errno));
	else
		fclose(f);
}

void report_unavailable(const struct options *o, const struct lab *lab,
			const char *why, struct grading *g)
{
	const char *policy = o->if_unavailable ? o->if_unavailable : "pending";
	int full = strcmp(policy, "full") == 0;

	grade_plan(o, lab, g);
	snprintf(g->output, sizeof g->output,
		 "Lab %d was not graded: the grading machine cannot run it (%s). "
		 "This says nothing about your code, and no test ran.\n%s\n\n"
		 "For the instructor: grade where io_uring is allowed (README: "
		 "\"When io_uring is refused\"), then regrade; this result "
		 "follows the policy '%s' (--if-unavailable).",
		 o->lab, why, full ? "By the course's policy every test counts "
		 "as passed until then." : strcmp(policy, "zero") == 0 ? "The "
		 "score is 0 until your instructor regrades it." : "The score is "
		 "pending: your instructor will regrade it (the tests are shown "
		 "once the grades are published).", policy);
	for (size_t i = 0; i < g->n; i++) {
		g->results[i].score = full ? g->results[i].test->points : 0;
		g->score += g->results[i].score;
		snprintf(g->results[i].output, sizeof g->results[i].output,
			 "not run: the grading machine cannot run lab %d (see the "
			 "top)", o->lab);
	}
	if (strcmp(policy, "pending") == 0)
		g->visibility = "after_published";
}

/* s between quotes q, a quote inside written twice: how both a CSV field
 * ("...") and a gnuplot string ('...') escape one. */
void put_quoted(FILE *f, const char *s, char q)
{
	fputc(q, f);
	for (; *s; s++) {
		if (*s == q)
			fputc(q, f);
		fputc(*s, f);
	}
	fputc(q, f);
}
