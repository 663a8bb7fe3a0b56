/*
 * platforms.h - a grading in PrairieLearn's and Autolab's formats, and
 * every format the command line asked for.
 */
#ifndef SERVERLAB_PLATFORMS_H
#define SERVERLAB_PLATFORMS_H

#include "cli/grade.h"

/* PrairieLearn's results.json at path (gradable 0: a submission that
 * cannot be graded); Autolab's autoresult line on stdout; and every format
 * o asks for (-1 if a file could not be written). */
int report_prairielearn(const char *path, const struct grading *g, int gradable);
void report_autolab(const struct grading *g);
int report_all(const struct options *o, const struct grading *g, int gradable);

#endif
