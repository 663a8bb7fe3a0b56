/*
 * sandbox.c - the student's server as a process the grader contains.
 *
 * The server runs in a process group of its own, with rlimits set in the
 * child before exec. The grader is a child subreaper, so anything the server
 * forks, even after setsid(), comes back to the grader when its parent dies;
 * server_stop then kills and reaps descendants, found through /proc, until
 * none is left. Its stdout and stderr are pipes the grader drains whenever it
 * waits, keeping a bounded tail, so a server that floods them never blocks.
 */
#define _GNU_SOURCE
#include "engine/sandbox.h"
#include "engine/clock.h"
#include "engine/contain.h"
#include "engine/namespace.h"
#include "engine/procfs.h"
#include "engine/reap.h"
#include "engine/status.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t current_group;
static char vg_dir[32];
static double kill_give_up_s;

void sandbox_kill_current(void)
{
	if (current_group > 0)
		kill(-current_group, SIGKILL);
}

static void remove_vg_dir(void)
{
	if (vg_dir[0] != '\0')
		rmdir(vg_dir);
}

void sandbox_init(double give_up_s)
{
	kill_give_up_s = give_up_s;
	contain_enter();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	snprintf(vg_dir, sizeof vg_dir, "/tmp/grader.XXXXXX");
	if (mkdtemp(vg_dir) == NULL)
		vg_dir[0] = '\0';
	else
		atexit(remove_vg_dir);
	contain_init(vg_dir);
}

/* Soft and hard limit to value, or to the hard limit we have if value is
 * above it (asking for more would fail and leave no limit at all). */
static void set_limit(int resource, rlim_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    value > rl.rlim_max)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	setrlimit(resource, &rl);
}

/* The server gets stdin, stdout, stderr and nothing else of ours. */
static void close_inherited(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3, ~0U, 0) == 0)
		return;
#endif
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/*
 * AddressSanitizer and ThreadSanitizer reserve terabytes of address space
 * up front, so a memory limit on RLIMIT_AS kills them at start. A binary
 * (or archive) built with one names its runtime's functions (__asan_*,
 * __tsan_*) in its symbol table; such a server runs without that limit.
 */
const char *sanitizer_of(const char *path)
{
	static const char *const marks[] = {"__asan_", "__tsan_"};
	static const char *const names[] = {"address", "thread"};
	char buf[65536 + 16];
	size_t keep = 0, n;
	int found = -1;
	FILE *f = fopen(path, "rbe");

	if (f == NULL)
		return NULL;
	while (found < 0 && (n = fread(buf + keep, 1, sizeof buf - keep, f)) > 0) {
		n += keep;
		for (int m = 0; m < 2 && found < 0; m++)
			if (memmem(buf, n, marks[m], strlen(marks[m])) != NULL)
				found = m;
		keep = n < 16 ? n : 16; /* a mark may straddle two reads */
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return found < 0 ? NULL : names[found];
}

/* The grader's environment with o->env's settings added or replaced, in
 * envp (at most max - 1 entries). Built before fork: it allocates. */
static void build_env(const struct spawn_opts *o, char **envp, size_t max)
{
	extern char **environ;
	size_t n = 0, ours = 0;
	/* Its temporary files in its scratch folder too: valgrind names
	 * its own there by pid, and in PID namespaces pids repeat. */
	static char tmpdir[128];
	const char *extra[8];

	snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", contain_work_dir());
	while (o->env && o->env[ours] && ours < 6)
		extra[ours] = o->env[ours], ours++;
	if (contain_work_dir()[0] != '\0')
		extra[ours++] = tmpdir;
	extra[ours] = NULL;
	/* Ours first in the count: a long environment must not crowd out
	 * the settings the test depends on. */
	for (char **e = environ; *e != NULL && n + ours + 1 < max; e++) {
		int replaced = 0;
		for (size_t k = 0; extra[k]; k++) {
			size_t len = strcspn(extra[k], "=") + 1;
			replaced |= strncmp(*e, extra[k], len) == 0;
		}
		if (!replaced)
			envp[n++] = *e;
	}
	for (size_t k = 0; extra[k] && n + 1 < max; k++)
		envp[n++] = (char *)extra[k];
	envp[n] = NULL;
}

/* The task budget, as RLIMIT_NPROC. That limit counts every task of the
 * real uid in the caller's user namespace: for a student, their desktop
 * and any other grading running meanwhile too. In a user namespace of
 * its own (the uid mapped to itself, so the server is no more privileged
 * there: exec drops every capability of a non-zero uid) the server's
 * tasks are counted apart. Where the system refuses unprivileged user
 * namespaces, the budget is added to what the user runs now (a snapshot,
 * which others may eat into). Root is bound by neither. */
struct nproc_plan {
	char uid_map[32], gid_map[32]; /* "UID UID 1\n"; "" for root */
	unsigned long alone, beside;   /* the limit in a namespace / not */
};

static void plan_nproc(const struct limits *lim, struct nproc_plan *p)
{
	p->uid_map[0] = p->gid_map[0] = '\0';
	p->alone = lim->nproc;
	if (contain_uid() != 0) { /* a uid of the server's own: it alone */
		p->beside = lim->nproc;
		return;
	}
	long running = proc_user_tasks(getuid());
	if (getuid() != 0) {
		snprintf(p->uid_map, sizeof p->uid_map, "%u %u 1\n", getuid(), getuid());
		snprintf(p->gid_map, sizeof p->gid_map, "%u %u 1\n", getgid(), getgid());
	}
	p->beside = lim->nproc + (running > 0 ? (unsigned long)running : 0);
}

/* In the child: a user namespace of its own, if it can have one. */
static int own_user_namespace(const struct nproc_plan *p)
{
	/* In one even if a map could not be written: then counted apart too. */
	return p->uid_map[0] != '\0' && user_namespace_as(p->uid_map, p->gid_map) >= 0;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void exec_contained(const struct spawn_opts *o, const struct nproc_plan *np,
			   char *const argv[], char *const envp[], int out,
			   int err)
{
	setpgid(0, 0);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	close_inherited();
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL); /* the student decides, not the grader */
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_NOFILE, o->lim.nofile);
	set_limit(RLIMIT_NPROC, own_user_namespace(np) ? np->alone : np->beside);
	set_limit(RLIMIT_CPU, o->lim.cpu_s);
	if (o->lim.mem_mb != 0)
		set_limit(RLIMIT_AS, (rlim_t)address_space_mb(&o->lim) << 20);
	contain_child();
	/* After contain_child: a change of uid clears it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvpe(argv[0], argv, envp);
	dprintf(STDERR_FILENO, "grader: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

unsigned long address_space_mb(const struct limits *lim)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (lim->mem_mb == 0)
		return 0;
	return stack_space_mb(lim) + 8 * 64 * (unsigned long)(cores > 0 ? cores : 1);
}

unsigned long stack_space_mb(const struct limits *lim)
{
	return 2 * lim->mem_mb;
}

int server_spawn(struct server *s, const struct spawn_opts *o, char *why,
		 size_t whylen)
{
	char *argv[32], *envp[512], vg_logopt[96], vg_toolopt[32];
	int out[2], err[2], n = 0;

	memset(s, 0, sizeof *s);
	s->out_fd = s->err_fd = -1;
	s->watch = o->watch;
	/* Valgrind and the sanitizers need far more address space than the
	 * server they watch; the other limits still hold. */
	struct spawn_opts local = *o;
	s->sanitized = sanitizer_of(o->path) != NULL;
	if (o->vg_tool || s->sanitized)
		local.lim.mem_mb = 0;
	/* A budget, not a ceiling: the same for a student whose desktop
	 * already runs 300 threads as for a fresh CI user. */
	struct nproc_plan np;
	plan_nproc(&local.lim, &np);
	o = &local;
	s->mem_limit_kb = (long)(o->lim.mem_mb << 10);
	if (o->vg_tool != NULL) {
		static unsigned spawned;
		snprintf(s->vg_log, sizeof s->vg_log, "%s/vg.%u", vg_dir,
			 spawned++);
		snprintf(vg_logopt, sizeof vg_logopt, "--log-file=%s",
			 s->vg_log);
		snprintf(vg_toolopt, sizeof vg_toolopt, "--tool=%s", o->vg_tool);
		argv[n++] = "valgrind";
		argv[n++] = vg_toolopt;
		argv[n++] = vg_logopt;
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--child-silent-after-fork=yes";
		argv[n++] = "--vgdb=no"; /* no FIFOs: nobody attaches gdb */
		/* lab 3's concurrent holds 500 client threads at once, and
		 * valgrind's default is at most 500 threads in all */
		argv[n++] = "--max-threads=1000";
	}
	if (o->vg_tool != NULL && strcmp(o->vg_tool, "memcheck") == 0) {
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=definite";
		argv[n++] = "--errors-for-leak-kinds=definite";
	}
	/* Helgrind's full access history makes each new thread cost more
	 * than the last: churn's 5,000 client threads took 110 s of CPU
	 * here, against 8 s with the approximate history, which still
	 * reports every race (with a vaguer account of the earlier access). */
	if (o->vg_tool != NULL && strcmp(o->vg_tool, "helgrind") == 0)
		argv[n++] = "--history-level=approx";
	argv[n++] = (char *)contain_path(o->path);
	for (size_t i = 0; o->args[i] != NULL && n < 31; i++)
		argv[n++] = (char *)o->args[i];
	argv[n] = NULL;

	if (pipe2(out, O_CLOEXEC) < 0)
		goto fail;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	build_env(o, envp, sizeof envp / sizeof envp[0]);
	pid_t pid = fork();
	if (pid == 0)
		exec_contained(o, &np, argv, envp, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		goto fail;
	}
	/* Both sides set the group, so no signal can find it unset. */
	setpgid(pid, pid);
	reap_watch(pid);
	s->pid = pid;
	current_group = pid;
	s->out_fd = out[0];
	s->err_fd = err[0];
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
	if (s->watch.spawned != NULL)
		s->watch.spawned(s->watch.arg, s, argv);
	return 0;
fail:
	snprintf(why, whylen, "cannot start %s: %s", o->path, strerror(errno));
	return -1;
}

/* Reap whatever has died among our children (the server and orphans). */
static void reap_children(struct server *s)
{
	reap_dead();
	if (s != NULL)
		server_check_exit(s);
}

static int kill_descendants(int sig)
{
	pid_t pids[4096];
	int n = proc_descendants(getpid(), pids, 4096);

	for (int i = 0; i < n; i++)
		kill(pids[i], sig);
	return n;
}

static void kill_until_gone(struct server *s)
{
	double give_up = now_s() + kill_give_up_s;

	do {
		if (s != NULL && s->pid > 0)
			kill(-s->pid, SIGKILL);
		int left = kill_descendants(SIGKILL);
		reap_children(s);
		if (left == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return;
		sleep_s(0.002);
	} while (now_s() < give_up);
	fprintf(stderr, "grader: warning: descendants still alive after %.0f s\n",
		kill_give_up_s);
}

void sandbox_sweep(void)
{
	kill_until_gone(NULL);
}

void server_stop(struct server *s, double grace_s)
{
	if (s->pid > 0 && !s->stopped) {
		s->stopped = 1;
		if (!s->exited) {
			s->t_term = now_s();
			kill(-s->pid, SIGTERM);
			server_await_exit(s, s->t_term + grace_s);
			if (!s->exited)
				s->t_kill = now_s();
		}
		kill_until_gone(s);
		server_drain(s);
		reap_forget(s->pid);
		current_group = 0;
	}
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	s->out_fd = s->err_fd = -1;
}
