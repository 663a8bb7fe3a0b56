/*
 * lab.c - a lab's plan read as the tests and the grading loop read it:
 * where it puts a test, and its runs in order.
 */
#include "checks/lab.h"

#include <stdlib.h>
#include <string.h>

const struct plan_entry *plan_entry_of(const struct lab *lab, const char *test)
{
	for (size_t i = 0; i < lab->nplan; i++)
		if (strcmp(lab->plan[i].test, test) == 0)
			return &lab->plan[i];
	return NULL;
}

size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->nplan && n < max; i++)
		out[n++] = (struct plan_run){lab->plan[i].test, &lab->plan[i], NULL, NULL};
	for (size_t i = 0; i < lab->nvariants && n < max; i++)
		out[n++] = (struct plan_run){lab->variants[i].name,
					     &lab->variants[i].entry,
					     lab->variants[i].env,
					     lab->variants[i].vg_tool};
	return n;
}

const char *poll_switch_set(const struct lab *lab)
{
	return lab->poll_switch.name ? getenv(lab->poll_switch.name) : NULL;
}
