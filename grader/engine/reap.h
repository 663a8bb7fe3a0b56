/*
 * reap.h - every child of the grader reaped as it dies: as a child
 * subreaper it adopts a forking server's orphans, and their zombies would
 * count as tasks against the lab's budget until the test ended.
 */
#ifndef SERVERLAB_REAP_H
#define SERVERLAB_REAP_H

#include <sys/types.h>

void reap_watch(pid_t pid);  /* a server's pid: its status is kept */
void reap_dead(void);        /* reap every dead child, never blocking */
int reap_status(pid_t pid, int *status); /* reaped: 1 and its status */
void reap_forget(pid_t pid); /* a stopped server: its status is not needed */

#endif
