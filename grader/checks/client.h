/*
 * client.h - lab 1's client (README step 5), graded as a test.
 */
#ifndef SERVERLAB_CLIENT_H
#define SERVERLAB_CLIENT_H

#include "checks/harness.h"

int test_client(struct ctx *c);

#endif
