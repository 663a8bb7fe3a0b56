/*
 * namespace.c - the grader as pid 1 of namespaces of its own, where the
 * system allows (root, or a user namespace for anyone else): a PID
 * namespace with its own /proc (a server cannot signal its init, and
 * nothing of it outlives the grader: when init dies the kernel kills the
 * rest), and a network namespace with only loopback, up. The process that
 * started it stays outside as a relay: it forwards stop signals in and
 * leaves with init's exit status. Each is probed in a child first; what
 * could not be had is kept, in words, for --verbose.
 */
#define _GNU_SOURCE
#include "engine/namespace.h"
#include "engine/clock.h"
#include "engine/files.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

char no_pid_namespace[160], no_net_namespace[160];
static pid_t inner; /* in the outer process: pid 1's pid */

int user_namespace_as(const char *uid_map, const char *gid_map)
{
	if (unshare(CLONE_NEWUSER) != 0)
		return -1;
	/* Unmapped, we would see our own files owned by nobody. */
	int mapped = write_text("/proc/self/uid_map", uid_map) == 0;
	write_text("/proc/self/setgroups", "deny");
	mapped &= write_text("/proc/self/gid_map", gid_map) == 0;
	return mapped ? 0 : 1;
}

/* A user namespace where we are who we were: it lends a non-root grader
 * the right to make the others. */
static int enter_user_namespace(void)
{
	char uid_map[32], gid_map[32];

	snprintf(uid_map, sizeof uid_map, "%u %u 1\n", (unsigned)getuid(),
		 (unsigned)getuid());
	snprintf(gid_map, sizeof gid_map, "%u %u 1\n", (unsigned)getgid(),
		 (unsigned)getgid());
	return user_namespace_as(uid_map, gid_map) == 0 ? 0 : -1;
}

static int loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A network namespace with loopback up, tried first in a child: once in
 * one, there is no way back to the old network for a non-root user. */
static void enter_net_namespace(void)
{
	int status;
	pid_t probe = fork();

	if (probe == 0)
		_exit(unshare(CLONE_NEWNET) == 0 && loopback_up() == 0 ? 0 : 1);
	if (probe < 0 || waitpid(probe, &status, 0) != probe ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(no_net_namespace, sizeof no_net_namespace, "no network namespace with "
			 "loopback up could be made here");
		return;
	}
	/* The probe could: failing now leaves us with no loopback at all. */
	if (unshare(CLONE_NEWNET) != 0 || loopback_up() != 0) {
		fprintf(stderr, "grader: a network namespace that worked a moment "
			"ago does not: %s\n", strerror(errno));
		fflush(NULL);
		_exit(2);
	}
}

static void forward_signal(int sig)
{
	if (inner > 0)
		kill(inner, sig);
}

/* The outer process, once pid 1 runs: pass signals on, then leave as it
 * left (its exit status, or killed by its signal). */
static void relay(void)
{
	int status = 0;

	while (waitpid(inner, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* Its own /proc, or the grader would read other pids'. */
static int mount_own_proc(void)
{
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	       mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL) == 0 ? 0 : -1;
}

/* The namespaces, in a child first: once a process has unshared a PID
 * namespace, its next child is that namespace's init, and if that init
 * fails, the process can fork no more. 0, or -1 with why set. */
static int pid_namespace_works(void)
{
	int status;
	pid_t probe = fork();

	if (probe == 0) {
		if (geteuid() != 0 && enter_user_namespace() != 0)
			_exit(2);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0)
			_exit(3);
		pid_t init = fork();
		if (init == 0)
			_exit(mount_own_proc() == 0 ? 0 : 4);
		_exit(init > 0 && waitpid(init, &status, 0) == init &&
		      WIFEXITED(status) ? WEXITSTATUS(status) : 5);
	}
	if (probe < 0 || waitpid(probe, &status, 0) != probe || !WIFEXITED(status))
		status = 5 << 8;
	static const char *const why[] = {
		"", "", "no user namespace for a non-root user",
		"unshare(CLONE_NEWPID) refused", "its own /proc could not be mounted",
		"the probe failed"};
	int rc = WEXITSTATUS(status) <= 5 ? WEXITSTATUS(status) : 5;
	if (rc != 0)
		snprintf(no_pid_namespace, sizeof no_pid_namespace, "no PID namespace: %s", why[rc]);
	return rc == 0 ? 0 : -1;
}

static void enter_pid_namespace(void)
{
	int ready[2], life[2];
	char ok;

	if (pid_namespace_works() != 0 || pipe2(ready, O_CLOEXEC) != 0)
		return;
	if (pipe2(life, O_CLOEXEC) != 0 ||
	    (geteuid() != 0 && enter_user_namespace() != 0) ||
	    unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
		fprintf(stderr, "grader: namespaces that worked a moment ago do "
			"not: %s\n", strerror(errno));
		_exit(2); /* exit's handlers belong to whoever called us */
	}
	/* A stop signal before the relay's handler is in place would be
	 * taken for ours: hold them until then. */
	hold_stop_signals(1);
	fflush(NULL);
	inner = fork();
	if (inner == 0) {
		/* pid 1: dies if the outer does, and takes the rest along. */
		struct pollfd outer = {.fd = life[0], .events = POLLIN};
		close(ready[0]);
		close(life[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Gone before that took hold? Then its end of life is closed. */
		if (poll(&outer, 1, 0) != 0 || mount_own_proc() != 0 ||
		    write(ready[1], "y", 1) != 1)
			_exit(2);
		close(ready[1]);
		stop_signals_from_outside = 1;
		hold_stop_signals(0);
		return;
	}
	close(ready[1]);
	close(life[0]);
	if (inner > 0) {
		on_stop_signals(forward_signal);
		hold_stop_signals(0);
		ssize_t got;
		while ((got = read(ready[0], &ok, 1)) < 0 && errno == EINTR)
			;
		if (got == 1)
			relay(); /* it grades; we wait, and leave as it does */
	}
	fprintf(stderr, "grader: the PID namespace's init failed: %s\n",
		strerror(errno));
	fflush(NULL);
	_exit(2);
}

void namespaces_enter(void)
{
	enter_pid_namespace();
	enter_net_namespace();
}
