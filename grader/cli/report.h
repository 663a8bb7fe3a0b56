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
/* A results file: opened for writing, and closed after its tests[]'s
 * last entry (the list and the object ended); each says why it failed. */
FILE *open_report(const char *path);
int close_report(FILE *f, const char *path);
/* JSON's string of s, valid UTF-8 whatever s holds. */
void json_string(FILE *f, const char *s);
/* g's top-level output as a JSON string: which folder was graded
 * (--from), then the output or the score. */
void report_text(FILE *f, const struct grading *g);
/* g for a lab this system cannot run (why): every selected test scored
 * as o->if_unavailable says, and the output says why, plainly. */
void report_unavailable(const struct options *o, const struct lab *lab,
			const char *why, struct grading *g);
/* s between q's, each q inside doubled (CSV's and gnuplot's quoting). */
void put_quoted(FILE *f, const char *s, char q);

#endif
