/*
 * diagnose.h - what a failure's own finding may not say: a thread leak or
 * big stacks, a blocking socket, and the stderr line worth quoting.
 */
#ifndef SERVERLAB_DIAGNOSE_H
#define SERVERLAB_DIAGNOSE_H

#include <stddef.h>

#include "checks/harness.h"

/* What the test's own hint may not know, into c->hint. */
void diagnose(struct ctx *c);
/* "; its stderr said \"...\"": the first line that looks like an error
 * and the last, or "" when the server wrote nothing there. */
void stderr_quote(const struct server *s, char *buf, size_t len);

#endif
