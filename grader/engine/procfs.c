/*
 * procfs.c - what /proc tells about the server: descriptors, threads,
 * resident memory, CPU time, whether it holds an epoll instance or has
 * loaded a library, which processes descend from the grader, and the
 * state of a TCP connection.
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

/* Calls fn for each entry of /proc/PID/fd with the descriptor's number
 * (as text), what it links to and arg; returns the sum of fn's answers,
 * or with no fn the count of entries; -1 on error. */
static int each_fd(pid_t pid, int (*fn)(pid_t pid, const char *fd,
					const char *target, const char *arg),
		   const char *arg)
{
	char path[64], link[384], target[256];
	struct dirent *e;
	DIR *d;
	int n = 0, hits = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (fn == NULL)
			continue;
		snprintf(link, sizeof link, "%s/%s", path, e->d_name);
		ssize_t len = readlink(link, target, sizeof target - 1);
		if (len > 0) {
			target[len] = '\0';
			hits += fn(pid, e->d_name, target, arg);
		}
	}
	closedir(d);
	return fn == NULL ? n : hits;
}

/* Sockets among the process's descriptors that are in blocking mode
 * (no O_NONBLOCK in /proc/PID/fdinfo/N's octal flags); -1 if unreadable. */
static int is_blocking_socket(pid_t pid, const char *fd, const char *target,
			      const char *unused)
{
	char path[320], line[128];
	unsigned long flags = 0;
	FILE *f;

	(void)unused;
	if (strncmp(target, "socket:", 7) != 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%s", (int)pid, fd);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "flags: %lo", &flags) == 1)
			break;
	fclose(f);
	return !(flags & O_NONBLOCK);
}

int proc_blocking_sockets(pid_t pid)
{
	return each_fd(pid, is_blocking_socket, NULL);
}

int proc_fd_count(pid_t pid)
{
	return each_fd(pid, NULL, NULL);
}

static int links_to(pid_t pid, const char *fd, const char *target,
		    const char *want)
{
	(void)pid, (void)fd;
	return strcmp(target, want) == 0;
}

static int is_socket(pid_t pid, const char *fd, const char *target,
		     const char *unused)
{
	(void)pid, (void)fd, (void)unused;
	return strncmp(target, "socket:", 7) == 0;
}

int proc_sockets(pid_t pid)
{
	return each_fd(pid, is_socket, NULL);
}

int proc_uses_epoll(pid_t pid)
{
	return each_fd(pid, links_to, "anon_inode:[eventpoll]") > 0;
}

int proc_uses_uring(pid_t pid)
{
	return each_fd(pid, links_to, "anon_inode:[io_uring]") > 0;
}

/* Whether a file whose path ends in name is mapped into the process (a
 * shared library it loaded): 1, 0, or -1 when the maps are unreadable. */
int proc_maps_file(pid_t pid, const char *name)
{
	char path[64], line[4096];
	size_t len = strlen(name);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\n");
		found = n >= len && memcmp(line + n - len, name, len) == 0;
	}
	fclose(f);
	return found;
}

/* The text after "Key:" in /proc/PID/status into buf; -1 if none. */
static int status_text(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t keylen = strlen(key);
	int found = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, keylen) == 0 && line[keylen] == ':') {
			snprintf(buf, len, "%s", line + keylen + 1);
			found = 0;
		}
	fclose(f);
	return found;
}

/* The number after "Key:" in /proc/PID/status, or -1. */
static long status_field(pid_t pid, const char *key)
{
	char text[128];

	return status_text(pid, key, text, sizeof text) < 0
		       ? -1 : strtol(text, NULL, 10);
}

long proc_vm_peak_kb(pid_t pid)
{
	return status_field(pid, "VmPeak");
}

int proc_catches_signal(pid_t pid, int sig)
{
	char text[128];

	if (status_text(pid, "SigCgt", text, sizeof text) < 0)
		return -1;
	return (int)(strtoull(text, NULL, 16) >> (sig - 1) & 1);
}

int proc_threads(pid_t pid)
{
	return (int)status_field(pid, "Threads");
}

long proc_rss_kb(pid_t pid)
{
	return status_field(pid, "VmRSS");
}

/* Fields of /proc/PID/stat after the command name, which may hold spaces
 * and parentheses: so parse from the last ')'. Fills ppid, utime, stime. */
static int read_stat(pid_t pid, pid_t *ppid, double *cpu_s)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	int parent;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (p == NULL || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&parent, &utime, &stime) != 3)
		return -1;
	if (ppid)
		*ppid = parent;
	if (cpu_s)
		*cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

double proc_cpu_s(pid_t pid)
{
	double cpu;

	return read_stat(pid, NULL, &cpu) == 0 ? cpu : -1;
}

/*
 * Every process whose chain of parents leads to root. One pass over /proc
 * collects (pid, ppid) pairs; then the set grows until it stops growing.
 */
int proc_descendants(pid_t root, pid_t *out, int max)
{
	enum { CAP = 32768 };
	static pid_t pid[CAP], parent[CAP];
	struct dirent *e;
	int n = 0, found = 0, grew;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < CAP) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (*end != '\0' || v <= 0)
			continue;
		if (read_stat((pid_t)v, &parent[n], NULL) == 0)
			pid[n++] = (pid_t)v;
	}
	closedir(d);
	do {
		grew = 0;
		for (int i = 0; i < n && found < max; i++) {
			if (pid[i] == 0)
				continue;
			int ours = parent[i] == root;
			for (int j = 0; j < found && !ours; j++)
				ours = parent[i] == out[j];
			if (ours) {
				out[found++] = pid[i];
				pid[i] = 0;
				grew = 1;
			}
		}
	} while (grew);
	return found;
}

/*
 * The IPv4 sockets bound to local_port and connected to each of
 * remote_ports, from /proc/net/tcp: their state (TCP_ESTABLISHED,
 * TCP_CLOSE_WAIT, ...) and the bytes in their send queue (written by the
 * process, not yet acknowledged). One pass, however many are asked about:
 * on a machine that just closed thousands (TIME_WAIT entries are listed
 * too) the file has tens of thousands of lines, and a pass per connection
 * would take most of a second.
 */
int proc_tcp_sockets(unsigned local_port, size_t n, const unsigned *remote_ports,
		     int *states, long *send_queues)
{
	char line[256];
	unsigned lport, rport, st;
	unsigned long txq;
	FILE *f = fopen("/proc/net/tcp", "re");

	if (f == NULL)
		return -1;
	for (size_t k = 0; k < n; k++)
		states[k] = -1;
	/* sl local rem st tx_queue:rx_queue ...; addresses are HEX:PORT */
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, " %*u: %*x:%x %*x:%x %x %lx:%*x", &lport,
			   &rport, &st, &txq) != 4 || lport != local_port)
			continue;
		for (size_t k = 0; k < n; k++)
			if (rport == remote_ports[k]) {
				states[k] = (int)st;
				send_queues[k] = (long)txq;
			}
	}
	fclose(f);
	return 0;
}

/*
 * Tasks (processes and threads) whose real uid is uid, machine-wide: what
 * RLIMIT_NPROC counts against a new process of that user. A task that
 * exits while we look is simply not counted.
 */
long proc_user_tasks(uid_t uid)
{
	char path[64], line[256];
	struct dirent *e;
	long total = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			continue;
		long real = -1, threads = 0;
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "Uid:", 4) == 0)
				real = strtol(line + 4, NULL, 10);
			else if (strncmp(line, "Threads:", 8) == 0)
				threads = strtol(line + 8, NULL, 10);
		fclose(f);
		if (real == (long)uid)
			total += threads;
	}
	closedir(d);
	return total;
}
