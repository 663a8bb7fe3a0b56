/*
 * status.c - a process's wait status in words, for failures and --trace.
 */
#define _GNU_SOURCE
#include "engine/status.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by SIG%s (%s)",
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped (status 0x%x)", status);
}
