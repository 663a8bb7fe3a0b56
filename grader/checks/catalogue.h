/*
 * catalogue.h - every test: its name, points, function and by-hand line.
 */
#ifndef SERVERLAB_CATALOGUE_H
#define SERVERLAB_CATALOGUE_H

#include "checks/harness.h"

/* One test of the catalogue. */
struct test {
	const char *name;
	int points;
	int (*run)(struct ctx *); /* 0 pass, -1 fail (expected/happened set) */
	/* The client part of a by-hand line (see reproduce.c), or NULL. */
	const char *by_hand;
	/* The hint for a server written to no lab's skeleton (--args): what
	 * any server must do, in no lab's words; NULL: the lab's own. */
	const char *any_hint;
};

/* NULL: no test of that name. */
const struct test *test_find(const char *name);
/* The test that must have passed for this one to show anything: starts,
 * or echo-basic for every test that sends bytes; NULL for starts. */
const char *test_needs(const char *name);

#endif
