/*
 * concurrency.h - the tests of many clients at once, labs 2-5.
 */
#ifndef SERVERLAB_CONCURRENCY_H
#define SERVERLAB_CONCURRENCY_H

#include "checks/harness.h"

int test_idle_client(struct ctx *c);
int test_idle_cpu(struct ctx *c);
int test_slow_sender(struct ctx *c);
int test_slow_reader(struct ctx *c);
int test_concurrent(struct ctx *c);
int test_churn(struct ctx *c);
int test_fd_limit(struct ctx *c);
int test_strategy(struct ctx *c);

/* A memory bound of kb KiB for this server, as valgrind or a sanitizer
 * leaves it. */
long mem_bound(const struct ctx *c, const struct server *s, long kb);

#endif
