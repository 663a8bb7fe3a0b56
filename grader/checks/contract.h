/*
 * contract.h - the tests of the echo contract, every lab, once the
 * server runs.
 */
#ifndef SERVERLAB_CONTRACT_H
#define SERVERLAB_CONTRACT_H

#include "checks/harness.h"

int test_echo_basic(struct ctx *c);
int test_echo_binary(struct ctx *c);
int test_echo_large(struct ctx *c);
int test_many_messages(struct ctx *c);
int test_sequential(struct ctx *c);
int test_half_close(struct ctx *c);
int test_client_reset(struct ctx *c);
int test_early_close(struct ctx *c);

#endif
