/*
 * contain.c - what keeps a hostile server in, beyond its process group.
 *
 * Every server runs with no new privileges (PR_SET_NO_NEW_PRIVS), a cap on
 * the size of any file it writes (RLIMIT_FSIZE), and a private scratch
 * folder as its working directory. Run by root (Gradescope, CI), the
 * grader also gives servers an unprivileged uid of their own, one per
 * grading process: then a server cannot signal the grader, cannot write
 * where others may not, and RLIMIT_NPROC, which binds nothing for root,
 * counts that uid's tasks alone (a batch's parallel workers each get
 * another). A server running as that uid may not be able to reach its
 * binary (a folder on the way closed to others, as /root is), so it runs
 * a root-owned copy from the scratch folder.
 *
 * Where the system allows (root, or a user namespace for anyone else),
 * the grading process also becomes pid 1 of a PID namespace of its own,
 * with its own /proc: a server cannot signal its init, nothing of it can
 * outlive the grader (when a namespace's init dies, the kernel kills the
 * rest; and if whatever started the grader is killed, init dies with it),
 * and no server sees another grading's processes. There, and in a network
 * namespace with only loopback, servers and the grader's clients reach no
 * one else. What could not be had is said once under --verbose.
 */
#define _GNU_SOURCE
#include "engine/contain.h"
#include "engine/clock.h"
#include "engine/files.h"
#include "engine/namespace.h"
#include "engine/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Servers' uids when the grader is root: far above any account's and any
 * container's subordinate range, so no process but ours ever has one. */
#define UID_BASE 1900000000u
#define UIDS 50000u
#define FILE_LIMIT_MB 64

static uid_t server_uid;          /* 0: the grader's own */
static char scratch[64];          /* root of it all; "" when none */
static char work_dir[80];         /* the servers' working directory */
static char copies[MAX_SERVERS * 2][2][4200]; /* original, copy */
static size_t ncopies;

int contain_slot; /* set before sandbox_init: batch's job slot + 1; 0 */
static pid_t outer_pid;           /* ours as the machine sees it */

static void remove_scratch(void)
{
	if (scratch[0] != '\0')
		remove_tree(scratch);
}

/* Before anything else of sandbox_init: the process that returns is the
 * one that grades. */
void contain_enter(void)
{
	outer_pid = getpid();
	namespaces_enter();
}

/* Whether a child can take uid (root in a user namespace that does not
 * map it cannot: a rootless container). */
static int can_become(uid_t uid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(setgroups(0, NULL) == 0 && setgid(uid) == 0 && setuid(uid) == 0
		      ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* A uid no other grading on this machine uses now: each is claimed with
 * a lock on a file of its own, held until we exit (a batch slot, or our
 * pid, says where to start looking). 0 when there is none to have. */
static uid_t claim_uid(void)
{
	unsigned start = contain_slot > 0 ? (unsigned)contain_slot
			 : 1000 + (unsigned)outer_pid % (UIDS - 1000);

	for (unsigned k = 0; k < UIDS; k++) {
		uid_t uid = UID_BASE + (start + k) % UIDS;
		char lock[64];
		snprintf(lock, sizeof lock, "/tmp/serverlab-uid.%u.lock", (unsigned)uid);
		int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return can_become(uid) ? uid : 0; /* fd stays open: ours */
		close(fd);
	}
	return 0;
}

/* A scratch folder where a root-owned copy can be run: /tmp may be
 * mounted noexec. */
static int make_scratch(void)
{
	static const char *const places[] = {"/tmp", "/var/tmp", "/dev/shm"};
	struct statvfs fs;

	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
		snprintf(scratch, sizeof scratch, "%s/grader-run.XXXXXX", places[i]);
		if (mkdtemp(scratch) == NULL)
			continue;
		if (geteuid() != 0 || (statvfs(scratch, &fs) == 0 &&
				       !(fs.f_flag & ST_NOEXEC)))
			return 0;
		rmdir(scratch);
	}
	snprintf(scratch, sizeof scratch, "/tmp/grader-run.XXXXXX");
	return mkdtemp(scratch) != NULL ? 0 : -1;
}

void contain_init(const char *vg_dir)
{
	if (make_scratch() != 0) {
		scratch[0] = work_dir[0] = '\0';
		return;
	}
	atexit(remove_scratch);
	snprintf(work_dir, sizeof work_dir, "%s/cwd", scratch);
	mkdir(work_dir, 0700);
	if (geteuid() != 0)
		return;
	server_uid = claim_uid();
	if (server_uid == 0)
		return;
	/* Theirs to write in; the rest of scratch is root's, 0711 (set
	 * here: the umask may take x from others). */
	chmod(scratch, 0711);
	if (chown(work_dir, server_uid, server_uid) != 0)
		work_dir[0] = '\0';
	/* Valgrind writes its log as the server's uid. */
	if (vg_dir != NULL && vg_dir[0] != '\0' &&
	    chown(vg_dir, server_uid, server_uid) != 0)
		fprintf(stderr, "grader: cannot hand %s to uid %u: %s\n", vg_dir,
			(unsigned)server_uid, strerror(errno));
}

unsigned contain_uid(void)
{
	return (unsigned)server_uid;
}

const char *contain_work_dir(void)
{
	return work_dir;
}

const char *contain_path(const char *path)
{
	for (size_t i = 0; i < ncopies; i++)
		if (strcmp(copies[i][0], path) == 0)
			return copies[i][1];
	if (ncopies == sizeof copies / sizeof copies[0])
		return path;
	char *copy = copies[ncopies][1];
	/* The server starts in the scratch folder: a relative path would
	 * name nothing there. */
	if (server_uid == 0 || scratch[0] == '\0') {
		if (realpath(path, copy) == NULL)
			return path; /* then the server's exec says why */
		snprintf(copies[ncopies++][0], sizeof copies[0][0], "%s", path);
		return copy;
	}
	const char *base = strrchr(path, '/');
	/* Under its own name, in a folder of its own: the grader finds the
	 * shim in a server's maps by its name. */
	snprintf(copy, sizeof copies[0][1], "%s/%zu", scratch, ncopies);
	mkdir(copy, 0711);
	chmod(copy, 0711);
	snprintf(copy + strlen(copy), sizeof copies[0][1] - strlen(copy), "/%s",
		 base ? base + 1 : path);
	if (copy_file(path, copy, 0755) != 0)
		return path; /* then the server's exec says why */
	snprintf(copies[ncopies++][0], sizeof copies[0][0], "%s", path);
	return copy;
}

/* In the child between fork and exec (async-signal-safe calls only): a
 * failure here must stop the server rather than run it uncontained. */
static void refuse(const char *what)
{
	dprintf(STDERR_FILENO, "grader: cannot contain the server (%s: %s)\n",
		what, strerror(errno));
	_exit(126);
}

void contain_child(void)
{
	struct rlimit fsize = {(rlim_t)FILE_LIMIT_MB << 20, (rlim_t)FILE_LIMIT_MB << 20};

	setrlimit(RLIMIT_FSIZE, &fsize);
	if (work_dir[0] != '\0' && chdir(work_dir) != 0)
		refuse("chdir");
	if (server_uid != 0 &&
	    (setgroups(0, NULL) != 0 || setgid(server_uid) != 0 ||
	     setuid(server_uid) != 0))
		refuse("setuid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		refuse("no_new_privs");
}

void contain_describe(FILE *f)
{
	if (no_pid_namespace[0] != '\0')
		fprintf(f, "grader: %s: servers are found through /proc and swept "
			"instead; %s\n", no_pid_namespace, server_uid
			? "if the grader is killed from outside, what a server left "
			  "behind outlives it"
			: "a server can kill the grader (the same uid) and leave "
			  "processes behind");
	if (no_net_namespace[0] != '\0')
		fprintf(f, "grader: %s: servers share the machine's network\n",
			no_net_namespace);
	if (server_uid != 0)
		fprintf(f, "grader: servers run as uid %u (the grader is root), ",
			(unsigned)server_uid);
	else if (geteuid() == 0)
		fprintf(f, "grader: servers run as root, like the grader (no uid "
			"of their own could be had: a user namespace that maps "
			"none?), ");
	else
		fprintf(f, "grader: servers run as uid %u, like the grader, ",
			(unsigned)getuid());
	fprintf(f, "in %s, with no new privileges and files of at most %d MiB\n",
		work_dir[0] ? work_dir : "the grader's folder", FILE_LIMIT_MB);
}
