/*
 * plans.h - the labs: one file each (lab1.c ... lab5.c) with its tests,
 * README steps, hints and limits; plans.c lists them.
 */
#ifndef SERVERLAB_PLANS_H
#define SERVERLAB_PLANS_H

#include <stddef.h>

#include "checks/lab.h"

/* What main runs: the plan's entries, then its variants, in order. */
struct plan_run {
	const char *name;
	const struct plan_entry *entry;
	const char *env;      /* or NULL */
};

extern const struct lab lab1, lab2, lab3, lab4, lab5;

const struct lab *lab_find(int number); /* NULL: not in the kit */
/* The lab's runs in order, at most max; returns the count. */
size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max);

#endif
