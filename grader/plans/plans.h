/*
 * plans.h - the labs: one file each (lab1.c ... lab5.c) with its tests,
 * README steps, hints and limits; plans.c lists them.
 */
#ifndef SERVERLAB_PLANS_H
#define SERVERLAB_PLANS_H

#include <stddef.h>

#include "checks/lab.h"

extern const struct lab lab1, lab2, lab3, lab4, lab5;

const struct lab *lab_find(int number); /* NULL: not in the kit */

#endif
