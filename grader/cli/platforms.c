/*
 * platforms.c - a grading in the formats of the other platforms, each as
 * its documentation has it: PrairieLearn's external grader results
 * (/grade/results/results.json: score in [0, 1], tests[] with name,
 * points, max_points, message and output; "gradable": false for a
 * submission that cannot be graded, such as one that does not build) and
 * Autolab's autoresult (the last line of stdout: {"scores": {...},
 * "scoreboard": [...]}, one score per problem, named as the tests are).
 */
#define _GNU_SOURCE
#include "cli/platforms.h"
#include "cli/report.h"

#include <stdio.h>
#include <string.h>

int report_prairielearn(const char *path, const struct grading *g, int gradable)
{
	FILE *f = open_report(path);

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"gradable\": %s,\n  \"score\": %.4f,\n  \"message\": ",
		gradable ? "true" : "false", g->max > 0 ? (double)g->score / g->max : 0);
	report_text(f, g);
	if (!gradable) { /* shown as "invalid, not gradable": no attempt lost */
		fprintf(f, ",\n  \"format_errors\": [");
		report_text(f, g);
		fputc(']', f);
	}
	fprintf(f, ",\n  \"tests\": [");
	for (size_t i = 0; i < g->n; i++) {
		const struct result *r = &g->results[i];
		const char *rest = strchr(r->output, '\n');
		char message[1024];
		/* The verdict's first line is the message; hint and reproduce
		 * lines, the output. */
		snprintf(message, sizeof message, "%.*s", (int)(rest ? rest - r->output
			 : (long)strlen(r->output)), r->output);
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, r->name);
		fprintf(f, ", \"points\": %d, \"max_points\": %d, \"message\": ",
			r->score, r->skipped ? 0 : r->test->points);
		json_string(f, message);
		fprintf(f, ", \"output\": ");
		json_string(f, rest ? rest + 1 : "");
		fputc('}', f);
	}
	return close_report(f, path);
}

void report_autolab(const struct grading *g)
{
	fflush(stdout);
	printf("{\"scores\": {");
	for (size_t i = 0; i < g->n; i++) {
		printf("%s", i ? ", " : "");
		json_string(stdout, g->results[i].name);
		printf(": %d", g->results[i].score);
	}
	printf("}, \"scoreboard\": [%d", g->score);
	if (g->ranked)
		printf(", %.0f", g->leaderboard);
	printf("]}\n");
	fflush(stdout);
}

int report_all(const struct options *o, const struct grading *g, int gradable)
{
	int rc = 0;

	if (o->json != NULL && report_json(o->json, g) < 0)
		rc = -1;
	if (o->prairielearn != NULL && report_prairielearn(o->prairielearn, g, gradable) < 0)
		rc = -1;
	if (o->autolab)
		report_autolab(g);
	return rc;
}
