/*
 * options.c - what the grader's and bench's command-line parsers share.
 */
#include "cli/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* An option's argument, which must be there. */
