/*
 * procfs_tasks.c - what /proc tells about a server's threads, one task
 * file at a time: the kernel's io_uring workers among them, time spent
 * runnable, two threads blocked reading one descriptor, and whether it
 * sleeps in poll, select or epoll_wait.
 */
#define _GNU_SOURCE
#include "engine/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls fn with /proc/PID/task/TID/name open, for each thread TID of the
 * process; returns the sum of fn's answers, -1 if the list is unreadable. */
static int each_task_file(pid_t pid, const char *name,
			  int (*fn)(FILE *f, void *arg), void *arg)
{
	char path[64];
	struct dirent *e;
	int sum = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char file[384];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%.256s/%.32s", path, e->d_name, name);
		if ((f = fopen(file, "re")) == NULL)
			continue;
		sum += fn(f, arg);
		fclose(f);
	}
	closedir(d);
	return sum;
}

static int is_io_worker(FILE *comm, void *unused)
{
	char name[32];

	(void)unused;
	return fgets(name, sizeof name, comm) != NULL && strncmp(name, "iou-", 4) == 0;
}

/* The kernel's own threads that serve a process's io_uring (io-wq
 * workers "iou-wrk-PID", an SQPOLL thread "iou-sqp-PID") are tasks of
 * it, counted in Threads: without being the student's. */
int proc_io_workers(pid_t pid)
{
	int n = each_task_file(pid, "comm", is_io_worker, NULL);

	return n < 0 ? 0 : n;
}

/* The descriptors the process's threads are blocked reading (read or
 * recvfrom, as /proc/PID/task/TID/syscall shows them), and the first
 * one two of them wait on at once. */
struct readers {
	int fd[512];
	int n, shared;
};

static int note_reader(FILE *syscall_file, void *arg)
{
	struct readers *r = arg;
	unsigned long fd;
	long nr;

	if (fscanf(syscall_file, "%ld %lx", &nr, &fd) != 2 ||
	    (nr != SYS_read && nr != SYS_recvfrom))
		return 0;
	for (int i = 0; i < r->n; i++)
		if (r->fd[i] == (int)fd && r->shared < 0)
			r->shared = (int)fd;
	if (r->n < (int)(sizeof r->fd / sizeof r->fd[0]))
		r->fd[r->n++] = (int)fd;
	return 0;
}

int proc_shared_read_fd(pid_t pid)
{
	struct readers r = {.n = 0, .shared = -1};

	each_task_file(pid, "syscall", note_reader, &r);
	return r.shared;
}

static int add_schedstat(FILE *schedstat, void *total_s)
{
	unsigned long long run, wait;

	if (fscanf(schedstat, "%llu %llu", &run, &wait) != 2)
		return 0;
	*(double *)total_s += (double)(run + wait) / 1e9;
	return 1;
}

/*
 * Seconds the process's threads have been runnable: on a CPU, or waiting
 * in the run queue for one (the first two fields of each thread's
 * schedstat, in ns). Unlike CPU time this does not shrink when the machine
 * is busy: a server that spins is runnable all the time, however few
 * cycles it gets, and one that sleeps almost never. -1 if unreadable.
 */
double proc_runnable_s(pid_t pid)
{
	double total = 0;

	return each_task_file(pid, "schedstat", add_schedstat, &total) > 0 ? total : -1;
}

/* Whether the process is blocked in a readiness wait (poll, select, epoll),
 * from the syscall number /proc/PID/syscall shows while it sleeps. */
int proc_waits_in_poll(pid_t pid)
{
	static const long waits[] = {
#ifdef SYS_poll
		SYS_poll,
#endif
#ifdef SYS_select
		SYS_select,
#endif
#ifdef SYS_epoll_wait
		SYS_epoll_wait,
#endif
		SYS_ppoll, SYS_pselect6, SYS_epoll_pwait,
#ifdef SYS_epoll_pwait2
		SYS_epoll_pwait2,
#endif
	};
	char path[64];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++)
		if (nr == waits[i])
			return 1;
	return 0;
}
