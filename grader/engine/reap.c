/*
 * reap.c - children reaped as they die.
 *
 * The grader is a child subreaper: a forking server's orphans (ncat's
 * cat once its relay exits, a double fork's grandchild) become its
 * children, and their zombies count against the server's task budget
 * until reaped. So every child that dies is reaped at once (whenever a
 * server's pipes are drained, which every wait of the grader does), and
 * a server's own status is kept here for server_check_exit.
 */
#include "engine/reap.h"
#include "engine/sandbox.h"

#include <sys/wait.h>

enum { WATCHED = 2 * MAX_SERVERS };
static struct {
	pid_t pid;   /* a server spawned and not yet seen to exit; 0: free */
	int reaped;  /* and then status is its end */
	int status;
} watched[WATCHED];

void reap_watch(pid_t pid)
{
	for (int i = 0; i < WATCHED; i++)
		if (watched[i].pid == 0) {
			watched[i].pid = pid;
			watched[i].reaped = 0;
			return;
		}
}

void reap_dead(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < WATCHED; i++)
			if (watched[i].pid == pid) {
				watched[i].reaped = 1;
				watched[i].status = status;
			}
}

int reap_status(pid_t pid, int *status)
{
	for (int i = 0; i < WATCHED; i++)
		if (watched[i].pid == pid && watched[i].reaped) {
			*status = watched[i].status;
			watched[i].pid = 0;
			return 1;
		}
	return 0;
}

void reap_forget(pid_t pid)
{
	for (int i = 0; i < WATCHED; i++)
		if (watched[i].pid == pid)
			watched[i].pid = 0;
}

