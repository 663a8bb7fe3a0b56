/*
 * batch_student.c - one student of a batch, in its worker process: the
 * submission's sources copied into a scratch folder of their own, built
 * with the kit's Makefile, graded, and the row written to the pipe.
 */
#define _GNU_SOURCE
#include "cli/batch.h"
#include "cli/grade.h"
#include "cli/report.h"
#include "cli/submission.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/contain.h"
#include "engine/files.h"
#include "engine/sandbox.h"
#include "engine/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* dir/name into out; -1 when it does not fit. */
int path_join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Run argv with stdout and stderr to fd, within limit_s seconds; its exit
 * status, or -1 when it could not start or ran out of time. */
int run_logged(char *const argv[], int fd, double limit_s)
{
	double deadline = now_s() + limit_s;
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0); /* so a hung build dies with everything it ran */
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		dprintf(fd, "grader: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return -1;
	pid_t got;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_s() > deadline || grader_interrupted) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			dprintf(fd, "grader: %s stopped after %.0f s\n", argv[0], limit_s);
			return -1;
		}
		sleep_s(0.02);
	}
	return got == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The submission's .c and .h files, as handed in, into dest; how many. */
static int copy_sources(const char *from, const char *dest, int log)
{
	DIR *d = opendir(from);
	struct dirent *e;
	int copied = 0;

	if (d == NULL) {
		dprintf(log, "grader: cannot read %s: %s\n", from, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char src[PATH_MAX], dst[PATH_MAX];
		struct stat st;
		if (len < 3 || e->d_name[0] == '.' ||
		    (strcmp(e->d_name + len - 2, ".c") != 0 &&
		     strcmp(e->d_name + len - 2, ".h") != 0))
			continue;
		if (path_join(src, sizeof src, from, e->d_name) != 0 ||
		    path_join(dst, sizeof dst, dest, e->d_name) != 0 ||
		    stat(src, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_size > MAX_SOURCE_BYTES) {
			dprintf(log, "grader: %s left out: over %ld bytes\n",
				e->d_name, MAX_SOURCE_BYTES);
			continue;
		}
		if (copy_file(src, dst, 0644) != 0) {
			dprintf(log, "grader: cannot copy %s: %s\n", src, strerror(errno));
			closedir(d);
			return -1;
		}
		copied++;
	}
	closedir(d);
	return copied;
}

/* What the status column says of a graded server. */
static const char *grading_status(const struct grading *g)
{
	int crashed = 0, late = 0, tried = 0, started = 0;

	for (size_t i = 0; i < g->n; i++) {
		crashed |= g->results[i].crashed;
		late |= g->results[i].late;
		tried |= g->results[i].not_started;
		started |= g->results[i].started;
	}
	return crashed ? "crashed" : tried && !started ? "no server"
	       : late ? "timed out" : "ok";
}

/* In the worker: build, grade, and write one row to fd, as
 * "STATUS\tTOTAL\tMAX\tSCORE..." (scores in the lab's order). */
void grade_student(const struct batch *b, const struct student *st, int log,
		   int fd)
{
	static struct grading g;
	char src[PATH_MAX], dir[PATH_MAX], target[PATH_MAX], var[PATH_MAX + 16];
	char number[24];
	const char *status = "build failed";
	int max = b->plan.max;

	/* The scratch copy is named by number: a student's folder name
	 * may hold what make would take for syntax (spaces, colons). */
	snprintf(number, sizeof number, "%04zu", (size_t)(st - b->s));
	if (path_join(src, sizeof src, b->o->batch, st->name) != 0 ||
	    path_join(dir, sizeof dir, b->scratch, number) != 0 ||
	    path_join(target, sizeof target, dir, "server") != 0) {
		dprintf(fd, "\nbuild failed\t0\t0\n");
		return;
	}
	snprintf(var, sizeof var, "SUBMISSION=%s", dir);
	/* Built as the kit's common/ was (make SAN=...), or it cannot link. */
	char san[32] = "SAN=", lib[PATH_MAX + 32];
	snprintf(lib, sizeof lib, "%s/common/libcommon.a", b->kit);
	const char *kind = sanitizer_of(lib);
	snprintf(san + 4, sizeof san - 4, "%s", kind ? kind : "");
	char *make[] = {"make", "-s", "--no-print-directory", "-C", (char *)b->kit,
			var, san, target, NULL, NULL};
	/* A whole repository (gh classroom clone) or the lab's files. */
	char folder[PATH_MAX] = "";
	size_t end = strlen(src);
	if (submission_folder(src, b->lab->number, folder, sizeof folder) != 0 ||
	    (strcmp(folder, ".") != 0 &&
	     path_join(src + end, sizeof src - end, "", folder) != 0))
		folder[0] = '\0';
	dprintf(fd, "%s\n", folder);
	dprintf(log, "== %s: building %s in %s\n", st->name, src, dir);
	int copied = mkdir(dir, 0700) == 0 ? copy_sources(src, dir, log) : -1;
	/* lab 1's client, which the client test grades, where there is one */
	char client[PATH_MAX], client_c[PATH_MAX];
	if (path_join(client, sizeof client, dir, "client") == 0 &&
	    path_join(client_c, sizeof client_c, dir, "client.c") == 0 &&
	    access(client_c, R_OK) == 0)
		make[8] = client;
	if (copied == 0)
		dprintf(log, "grader: no .c file in %s\n", src);
	memset(&g, 0, sizeof g);
	if (copied > 0 && run_logged(make, log, BUILD_LIMIT_S) == 0 &&
	    access(target, X_OK) == 0) {
		struct options o = *b->o;
		o.server = target;
		o.json = o.prairielearn = NULL;
		if (b->shown[0] != '\0') /* not the scratch copy, gone by then */
			o.shown_as = b->shown;
		dprintf(log, "== %s: grading\n", st->name);
		grade_server(&o, b->lab, &g);
		sandbox_sweep();
		printf("score: %d/%d\n", g.score, g.max);
		fflush(stdout);
		/* A grading cut short (stopped) is no score, whatever ran. */
		status = g.n < b->plan.n ? "interrupted" : grading_status(&g);
		max = g.n < b->plan.n ? b->plan.max : g.max; /* g.max: less any test
							 * skipped here */
	}
	dprintf(fd, "%s\t%d\t%d", status, g.score, max);
	for (size_t i = 0; i < g.n; i++)
		dprintf(fd, "\t%d", g.results[i].score);
	dprintf(fd, "\n");
}
