/*
 * completion.h - an error completion on a live client (lab 5).
 */
#ifndef SERVERLAB_COMPLETION_H
#define SERVERLAB_COMPLETION_H

#include "checks/harness.h"

int test_error_completion(struct ctx *c);

#endif
