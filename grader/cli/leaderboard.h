/*
 * leaderboard.h - --leaderboard: a graded server raced under bench's load.
 */
#ifndef SERVERLAB_LEADERBOARD_H
#define SERVERLAB_LEADERBOARD_H

#include "cli/grade.h"

/* g's round trips per second under bench's load (labs with a concurrent
 * test), printed and kept for the results. */
void grade_leaderboard(const struct options *o, const struct lab *lab,
		       struct grading *g);

#endif
