/*
 * threads.h - the tests of a thread per client, lab 3.
 */
#ifndef SERVERLAB_THREADS_H
#define SERVERLAB_THREADS_H

#include "checks/harness.h"

int test_stats(struct ctx *c);
int test_orderly_exit(struct ctx *c);
int strategy_threads(struct ctx *c); /* test_strategy, for lab 3 */


#endif
