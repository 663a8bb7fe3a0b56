/*
 * classroom.h - --classroom: a lab's GitHub Classroom workflow.
 */
#ifndef SERVERLAB_CLASSROOM_H
#define SERVERLAB_CLASSROOM_H

#include "checks/lab.h"

/* --classroom: the lab's GitHub Classroom workflow on stdout. */
int classroom_print(const struct lab *lab);

#endif
