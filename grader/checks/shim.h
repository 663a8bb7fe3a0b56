/*
 * shim.h - the grader's shim in a server (short counts, EINTR), and
 * partial-io, the test that uses it.
 */
#ifndef SERVERLAB_SHIM_H
#define SERVERLAB_SHIM_H

#include "checks/harness.h"

/* The grader's shim (grader/inject/) for the next server: LD_PRELOAD in
 * c->env[0], its setting in c->env[1]; then whether it was loaded. */
int preload_shim(struct ctx *c);
int shim_loaded(struct ctx *c, struct server *s);

int test_partial_io(struct ctx *c);

#endif
