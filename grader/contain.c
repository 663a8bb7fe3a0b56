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
 */
#define _GNU_SOURCE
#include "grader.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_scratch(void)
{
	if (scratch[0] != '\0')
		nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void contain_init(const char *vg_dir)
{
	snprintf(scratch, sizeof scratch, "/tmp/grader-run.XXXXXX");
	if (mkdtemp(scratch) == NULL) {
		scratch[0] = work_dir[0] = '\0';
		return;
	}
	atexit(remove_scratch);
	snprintf(work_dir, sizeof work_dir, "%s/cwd", scratch);
	mkdir(work_dir, 0700);
	if (geteuid() != 0)
		return;
	server_uid = UID_BASE + (contain_slot > 0 ? (unsigned)contain_slot
				 : 1000 + (unsigned)getpid() % (UIDS - 1000));
	/* Theirs to write in; the rest of scratch is root's, 0711. */
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

static int copy_executable(const char *from, const char *to)
{
	char buf[65536];
	ssize_t got = 0;
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	while (out >= 0 && (got = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)got) != got)
			got = -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		got = -1;
	return in < 0 || out < 0 || got < 0 ? -1 : 0;
}

const char *contain_path(const char *path)
{
	if (server_uid == 0 || scratch[0] == '\0')
		return path;
	for (size_t i = 0; i < ncopies; i++)
		if (strcmp(copies[i][0], path) == 0)
			return copies[i][1];
	if (ncopies == sizeof copies / sizeof copies[0])
		return path;
	const char *base = strrchr(path, '/');
	char *copy = copies[ncopies][1];
	/* Under its own name, in a folder of its own: the grader finds the
	 * shim in a server's maps by its name. */
	snprintf(copy, sizeof copies[0][1], "%s/%zu", scratch, ncopies);
	mkdir(copy, 0711);
	snprintf(copy + strlen(copy), sizeof copies[0][1] - strlen(copy), "/%s",
		 base ? base + 1 : path);
	if (copy_executable(path, copy) != 0)
		return path; /* then the server's exec says why */
	snprintf(copies[ncopies++][0], sizeof copies[0][0], "%s", path);
	return copy;
}

/* In the child between fork and exec (async-signal-safe calls only): a
 * failure here must stop the server rather than run it uncontained. */
void contain_child(void)
{
	struct rlimit fsize = {(rlim_t)FILE_LIMIT_MB << 20, (rlim_t)FILE_LIMIT_MB << 20};

	setrlimit(RLIMIT_FSIZE, &fsize);
	if (work_dir[0] != '\0' && chdir(work_dir) != 0)
		_exit(126);
	if (server_uid != 0 &&
	    (setgroups(0, NULL) != 0 || setgid(server_uid) != 0 ||
	     setuid(server_uid) != 0))
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		_exit(126);
}

void contain_describe(FILE *f)
{
	if (server_uid != 0)
		fprintf(f, "grader: servers run as uid %u (the grader is root), ",
			(unsigned)server_uid);
	else
		fprintf(f, "grader: servers run as uid %u, like the grader, ",
			(unsigned)getuid());
	fprintf(f, "in %s, with no new privileges and files of at most %d MiB\n",
		work_dir[0] ? work_dir : "the grader's folder", FILE_LIMIT_MB);
}
