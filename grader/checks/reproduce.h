/*
 * reproduce.h - the lines a failure gives to paste: the grader's own
 * command for one test, and a by-hand line with nc and cmp.
 */
#ifndef SERVERLAB_REPRODUCE_H
#define SERVERLAB_REPRODUCE_H

#include <stddef.h>

#include "checks/catalogue.h"
#include "checks/harness.h"

/* The grader's own command line for one test with --trace, with the
 * paths as the user typed them. */
void reproduce_line(const struct options *o, const struct lab *lab,
		    const char *test, char *out, size_t len);
/* A plain sh line that shows test's problem with nc and cmp and stops
 * the server it started on every path; -1 where the test has none. */
int by_hand_line(const struct test *t, const char *server, char *out,
		 size_t len);

#endif
