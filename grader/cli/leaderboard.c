/*
 * leaderboard.c - --leaderboard: the server's round trips per second under
 * grader bench's load, for Gradescope's leaderboard and Autolab's
 * scoreboard, so students can race their servers (labs 2-5: a server that
 * serves one client at a time has nothing to race). It scores nothing: a
 * figure beside the grade, measured after the tests.
 */
#define _GNU_SOURCE
#include "cli/leaderboard.h"
#include "cli/bench.h"

#include <stdio.h>
#include <string.h>

#define RACE_CLIENTS 50  /* in lockstep, each ... */
#define RACE_SIZE 64     /* ... with messages this long, */
#define RACE_SECONDS 3.0 /* measured so long after the warm-up */

void grade_leaderboard(const struct options *o, const struct lab *lab,
		       struct grading *g)
{
	static struct bench_opts bo;
	static struct bench_run r;
	int concurrent = 0;

	for (size_t i = 0; i < lab->nplan; i++)
		concurrent |= strcmp(lab->plan[i].test, "concurrent") == 0;
	if (!concurrent) {
		printf("leaderboard: none for lab %d (one client at a time)\n", lab->number);
		return;
	}
	memset(&bo, 0, sizeof bo);
	memset(&r, 0, sizeof r);
	bo.size = RACE_SIZE;
	bo.seconds = RACE_SECONDS;
	bo.repeat = 1;
	bo.quiet = 1;
	bo.servers[0].path = o->server;
	r.clients = RACE_CLIENTS;
	bench_run(&bo, &bo.servers[0], &r);
	g->ranked = 1;
	g->leaderboard = r.status == RUN_OK ? r.per_s : 0;
	printf("leaderboard: %.0f round trips/s (%d clients, %d-byte messages, "
	       "%.0f s)%s%s\n", g->leaderboard, RACE_CLIENTS, RACE_SIZE, RACE_SECONDS,
	       r.status == RUN_OK ? "" : ": ", r.status == RUN_OK ? "" : r.why);
}
