/*
 * contain.h - what holds a server in: no new privileges, a file-size
 * limit, a scratch working folder; as root, an unprivileged uid of its own;
 * where the system allows, the grader as pid 1 of namespaces of its own.
 */
#ifndef SERVERLAB_CONTAIN_H
#define SERVERLAB_CONTAIN_H

#include <stdio.h>

extern int contain_slot; /* before sandbox_init: batch's job slot + 1, or 0 */
/* sandbox_init calls both: contain_enter first (the namespaces; only the
 * process that grades returns from it), contain_init once vg_dir is made. */
void contain_enter(void);
void contain_init(const char *vg_dir);
unsigned contain_uid(void);            /* servers' uid if not ours, or 0 */
const char *contain_work_dir(void);    /* their working folder, or "" */
/* A path the servers' uid can run: path itself, or a copy of it. */
const char *contain_path(const char *path);
void contain_child(void);              /* in the child, before exec */
void contain_describe(FILE *f);        /* what holds, for --verbose */

#endif
