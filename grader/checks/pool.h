/*
 * pool.h - the tests of lab 5's step 6: the kernel's pool of receive
 * buffers (a provided-buffer ring and multishot receive).
 */
#ifndef SERVERLAB_POOL_H
#define SERVERLAB_POOL_H

#include "checks/harness.h"

int test_idle_memory(struct ctx *c);
int test_pool_dry(struct ctx *c);

#endif
