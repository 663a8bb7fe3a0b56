/*
 * report.h - a grading as files: Gradescope's results.json, and the
 * quoting CSV and gnuplot share.
 */
#ifndef SERVERLAB_REPORT_H
#define SERVERLAB_REPORT_H

#include <stdio.h>

#include "cli/grade.h"

/* Gradescope's results.json of g at path; -1 (said on stderr) if it
 * cannot be written. */
int report_json(const char *path, const struct grading *g);
/* g for a submission that did not build: every selected test at 0, the
 * compiler's first lines (from the file log) as the output. */
void report_unbuilt(const struct options *o, const struct lab *lab,
		    const char *log, struct grading *g);
/* s between q's, each q inside doubled (CSV's and gnuplot's quoting). */
void put_quoted(FILE *f, const char *s, char q);

#endif
