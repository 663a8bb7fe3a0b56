/*
 * contract.h - the tests of the echo contract, every lab.
 */
#ifndef SERVERLAB_CONTRACT_H
#define SERVERLAB_CONTRACT_H

#include "checks/harness.h"

/* With clients connected (each echoed once), sig to a fresh server ends
 * it within T.term_exit_s: exit status 0, or unless zero_only, death by
 * that very signal. 0, or -1 with the failure. */
int signal_ends_server(struct ctx *c, int sig, int clients, int zero_only);

/* The grader's shim (grader/inject/) for the next server: LD_PRELOAD in
 * c->env[0], its setting in c->env[1]; then whether it was loaded. */
int preload_shim(struct ctx *c);
int shim_loaded(struct ctx *c, struct server *s);

int test_starts(struct ctx *c);
int test_bad_args(struct ctx *c);
int test_addr_in_use(struct ctx *c);
int test_echo_basic(struct ctx *c);
int test_echo_binary(struct ctx *c);
int test_echo_large(struct ctx *c);
int test_many_messages(struct ctx *c);
int test_partial_io(struct ctx *c);
int test_sequential(struct ctx *c);
int test_half_close(struct ctx *c);
int test_client_reset(struct ctx *c);
int test_sigterm(struct ctx *c);
int test_early_close(struct ctx *c);
int test_ipv6(struct ctx *c);

#endif
