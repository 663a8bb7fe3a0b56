/*
 * startup.h - a server's start and end: the tests of listening, the
 * command line, and SIGTERM/SIGINT, every lab.
 */
#ifndef SERVERLAB_STARTUP_H
#define SERVERLAB_STARTUP_H

#include "checks/harness.h"

/* With clients connected (each echoed once), sig to a fresh server ends
 * it within T.term_exit_s: exit status 0, or unless zero_only, death by
 * that very signal. 0, or -1 with the failure. */
int signal_ends_server(struct ctx *c, int sig, int clients, int zero_only);

int test_starts(struct ctx *c);
int test_bad_args(struct ctx *c);
int test_addr_in_use(struct ctx *c);
int test_ipv6(struct ctx *c);
int test_sigterm(struct ctx *c);

#endif
