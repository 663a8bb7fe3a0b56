/*
 * fairness.h - small echoes stay quick beside bulk transfers (lab 4).
 */
#ifndef SERVERLAB_FAIRNESS_H
#define SERVERLAB_FAIRNESS_H

#include "checks/harness.h"

int test_fairness(struct ctx *c);

#endif
