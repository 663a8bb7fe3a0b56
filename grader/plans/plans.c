/*
 * plans.c - the labs of the kit, and the order a lab's tests run in.
 */
#include "plans/plans.h"

static const struct lab *const all_labs[] = {&lab1, &lab2, &lab3, &lab4, &lab5};

const struct lab *lab_find(int number)
{
	for (size_t i = 0; i < sizeof all_labs / sizeof all_labs[0]; i++)
		if (all_labs[i]->number == number)
			return all_labs[i];
	return NULL;
}

size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->nplan && n < max; i++)
		out[n++] = (struct plan_run){lab->plan[i].test, &lab->plan[i], NULL};
	for (size_t i = 0; i < lab->nvariants && n < max; i++)
		out[n++] = (struct plan_run){lab->variants[i].name,
					     &lab->variants[i].entry,
					     lab->variants[i].env};
	return n;
}
