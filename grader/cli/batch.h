/*
 * batch.h - --batch: every submission folder built and graded, a CSV row each.
 */
#ifndef SERVERLAB_BATCH_H
#define SERVERLAB_BATCH_H

#include "checks/harness.h"
#include "checks/lab.h"

/* --batch: grade every submission folder of o->batch. */
int batch_main(const struct options *o, const struct lab *lab);

#endif
