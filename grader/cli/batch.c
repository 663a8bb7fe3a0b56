/*
 * batch.c - grade a folder of submissions (--batch DIR --csv FILE).
 *
 * Each subfolder of DIR is one student's copy of the lab folder. A worker
 * process per student copies its sources into a private scratch folder,
 * builds them with the kit's Makefile against the kit's common/, and grades
 * the server. The grader keeps global state (one server at a time, one
 * process group to kill), so a process is the unit; servers listen on port
 * 0, so workers never race for ports. The CSV lists students by name,
 * whatever order they finished in, so --jobs never changes a row.
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

static void log_path(const struct batch *b, const struct student *st, char *out,
		     size_t len)
{
	snprintf(out, len, "%s/%s.log", b->logs, st->name);
}

static int start_worker(struct batch *b, struct student *st)
{
	char path[PATH_MAX * 2];
	int pipefd[2];

	log_path(b, st, path, sizeof path);
	int log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(errno));
		if (log >= 0)
			close(log);
		return -1;
	}
	fflush(NULL); /* or the worker would print our buffered lines again */
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		/* A uid of its own for its servers when root (contain.c):
		 * no two workers at once share one. */
		contain_slot = st->slot + 1;
		sandbox_init(T.kill_give_up_s); /* a subreaper of its own: not inherited */
		grade_student(b, st, log, pipefd[1]);
		exit(0);
	}
	close(log);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		fprintf(stderr, "grader: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	st->pid = pid;
	st->row_fd = pipefd[0];
	st->started = now_s();
	/* Every test is bounded in the worker; this bounds the worker. */
	double scale = b->o->vg_tool ? T.valgrind_scale : 1;
	st->deadline = st->started + BUILD_LIMIT_S + (double)b->plan.n *
		       ((T.test_limit_s + T.stop_grace_s) * scale + T.kill_give_up_s);
	return 0;
}

/* The compiler's first error in a build log, so the progress line says
 * why, with the student's folder name for the scratch copy's; "" when
 * there is none. */
static void first_error(const struct batch *b, const struct student *st,
			const char *log, char *out, size_t len)
{
	FILE *f = fopen(log, "re");
	char line[512];
	size_t skip = strlen(b->scratch) + 6; /* "/NNNN/" */

	out[0] = '\0';
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "error") != NULL) {
			int scratch = strncmp(line, b->scratch, skip - 6) == 0 &&
				      strlen(line) > skip;
			snprintf(out, len, "%s%s%.*s", scratch ? st->name : "",
				 scratch ? "/" : "", (int)strcspn(line + (scratch ? skip : 0), "\n"),
				 line + (scratch ? skip : 0));
			break;
		}
	if (f != NULL)
		fclose(f);
}

/* The worker's row, once it has exited (status: its wait status, or -1
 * when it was stopped for running too long). */
static void finish_worker(struct batch *b, struct student *st, int status,
			  size_t done)
{
	char buf[MAX_RUNS * 12 + 64 + PATH_MAX] = "";
	ssize_t got = read(st->row_fd, buf, sizeof buf - 1);
	/* Its folder's line, then its row. */
	char *row = got > 0 && strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf;
	char *p = row, *tab = strchr(row, '\t');

	close(st->row_fd);
	st->pid = 0;
	if (got > 0 && tab != NULL && status == 0) {
		st->graded = strncmp(row, "interrupted\t", 12) != 0;
		snprintf(st->folder, sizeof st->folder, "%.*s", (int)(row - 1 - buf), buf);
		snprintf(st->status, sizeof st->status, "%.*s", (int)(tab - row), row);
		p = tab + 1;
		st->total = (int)strtol(p, &p, 10);
		st->max = (int)strtol(p, &p, 10);
		for (size_t i = 0; i < b->plan.n && *p == '\t'; i++)
			st->scores[i] = (int)strtol(p, &p, 10);
	} else {
		snprintf(st->status, sizeof st->status, "%s",
			 grader_interrupted ? "interrupted"
			 : status < 0 ? "timed out" : "grader failed");
		st->total = 0;
		memset(st->scores, 0, sizeof st->scores);
	}
	char log[PATH_MAX * 2];
	log_path(b, st, log, sizeof log);
	printf("[%zu/%zu] %s: %d/%d %s (%s%s%s%.1f s; log %s)\n", done, b->n,
	       st->name, st->total, st->max, st->status, st->folder[0] ? "from " : "",
	       strcmp(st->folder, ".") == 0 ? "its top" : st->folder,
	       st->folder[0] ? ", " : "", now_s() - st->started, log);
	char error[300];
	if (strcmp(st->status, "build failed") == 0) {
		first_error(b, st, log, error, sizeof error);
		if (error[0] != '\0')
			printf("    %s\n", error);
	}
	fflush(stdout);
}

/* Run every student's worker, at most jobs at once. */
static void run_workers(struct batch *b, int jobs)
{
	size_t next = 0, running = 0, done = 0;
	char busy[256] = {0}; /* slots in use; jobs <= 256 */

	while ((next < b->n || running > 0)) {
		while (running < (size_t)jobs && next < b->n && !grader_interrupted) {
			int slot = 0;
			while (busy[slot])
				slot++;
			b->s[next].slot = slot;
			if (start_worker(b, &b->s[next]) == 0)
				running++, busy[slot] = 1;
			else
				snprintf(b->s[next].status, sizeof b->s[next].status,
					 "grader failed");
			next++;
		}
		if (grader_interrupted && next < b->n)
			next = b->n; /* the rest stay ungraded */
		/* One wait for all: workers, and servers orphaned by a worker
		 * that died (they come back to us). Reaped first, so a worker
		 * that finished is never taken for one out of time. */
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (size_t i = 0; i < b->n; i++)
				if (b->s[i].pid == pid) {
					finish_worker(b, &b->s[i], status, ++done);
					running--, busy[b->s[i].slot] = 0;
				}
		for (size_t i = 0; i < b->n; i++) {
			struct student *st = &b->s[i];
			if (st->pid == 0 || !(grader_interrupted || now_s() > st->deadline))
				continue;
			kill(st->pid, grader_interrupted ? SIGTERM : SIGKILL);
			waitpid(st->pid, NULL, 0);
			finish_worker(b, st, -1, ++done);
			running--, busy[st->slot] = 0;
		}
		sleep_s(0.05);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct student *)a)->name,
		      ((const struct student *)b)->name);
}

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int write_csv(const struct batch *b)
{
	FILE *f = fopen(b->o->csv, "w");

	if (f == NULL) {
		fprintf(stderr, "grader: cannot write %s: %s\n", b->o->csv, strerror(errno));
		return -1;
	}
	fprintf(f, "name,total,max");
	for (size_t i = 0; i < b->plan.n; i++)
		fprintf(f, ",%s", b->plan.results[i].name);
	fprintf(f, ",status\n");
	for (size_t k = 0; k < b->n; k++) {
		const struct student *st = &b->s[k];
		put_quoted(f, st->name, '"');
		fprintf(f, ",%d,%d", st->total, st->max);
		for (size_t i = 0; i < b->plan.n; i++)
			fprintf(f, ",%d", st->scores[i]);
		fprintf(f, ",%s\n", st->status[0] ? st->status : "not graded");
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "grader: cannot write %s: %s\n", b->o->csv, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_summary(const struct batch *b, double seconds)
{
	int totals[MAX_STUDENTS], full = 0, max = b->plan.max;
	double sum = 0;
	size_t n = 0;

	for (size_t k = 0; k < b->n; k++) {
		if (!b->s[k].graded)
			continue;
		totals[n++] = b->s[k].total;
		sum += b->s[k].total;
		full += b->s[k].total == b->s[k].max && b->s[k].max > 0;
	}
	qsort(totals, n, sizeof totals[0], compare_ints);
	double median = n == 0 ? 0 : n % 2 ? totals[n / 2]
			: (totals[n / 2 - 1] + totals[n / 2]) / 2.0;
	printf("%zu of %zu submissions graded in %.0f s: mean %.1f/%d, median "
	       "%.1f/%d, %d at full marks\n", n, b->n, seconds, n ? sum / (double)n : 0,
	       max, median, max, full);
	printf("rows: %s; logs: %s/\n", b->o->csv, b->logs);
}

/* The kit's root, from where this grader binary is (KIT/grader/grader);
 * -1 when it holds no Makefile. */
static int kit_root(char *out, size_t len)
{
	ssize_t got = readlink("/proc/self/exe", out, len - 1);
	char *slash;

	if (got <= 0)
		return -1;
	out[got] = '\0';
	for (int up = 0; up < 2; up++)
		if ((slash = strrchr(out, '/')) != NULL)
			*slash = '\0';
	char makefile[PATH_MAX + 16];
	snprintf(makefile, sizeof makefile, "%s/Makefile", out);
	return access(makefile, R_OK);
}

static int list_students(struct batch *b)
{
	DIR *d = opendir(b->o->batch);
	struct dirent *e;

	if (d == NULL) {
		fprintf(stderr, "grader: cannot read %s: %s\n", b->o->batch, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && b->n < MAX_STUDENTS) {
		char path[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' ||
		    path_join(path, sizeof path, b->o->batch, e->d_name) != 0 ||
		    stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(b->s[b->n++].name, sizeof b->s[0].name, "%s", e->d_name);
	}
	closedir(d);
	if (b->n == 0) {
		fprintf(stderr, "grader: %s holds no submission folders\n", b->o->batch);
		return -1;
	}
	qsort(b->s, b->n, sizeof b->s[0], by_name);
	return 0;
}

int batch_main(const struct options *o, const struct lab *lab)
{
	static struct batch b;
	double started = now_s();

	b.o = o;
	b.lab = lab;
	grade_plan(o, lab, &b.plan);
	if (kit_root(b.kit, sizeof b.kit) != 0) {
		fprintf(stderr, "grader: no Makefile beside the grader (%s): batch "
			"builds with the kit's\n", b.kit);
		return 2;
	}
	/* Reproduce lines as a student runs them in their repository. */
	char pattern[PATH_MAX + 32];
	glob_t found;
	snprintf(pattern, sizeof pattern, "%s/labs/lab%d-*", b.kit, lab->number);
	if (glob(pattern, 0, NULL, &found) == 0) {
		snprintf(b.shown, sizeof b.shown, "labs/%s/server",
			 strrchr(found.gl_pathv[0], '/') + 1);
		globfree(&found);
	}
	b.s = calloc(MAX_STUDENTS, sizeof *b.s);
	if (b.s == NULL || list_students(&b) != 0)
		return 2;
	for (size_t k = 0; k < b.n; k++)
		b.s[k].max = b.plan.max;
	size_t len = strlen(o->csv);
	if (len > 4 && strcmp(o->csv + len - 4, ".csv") == 0)
		len -= 4;
	snprintf(b.logs, sizeof b.logs, "%.*s-logs", (int)len, o->csv);
	if (mkdir(b.logs, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "grader: cannot make %s: %s\n", b.logs, strerror(errno));
		return 2;
	}
	/* Built once here, so workers in parallel never race to build it. */
	char *common[] = {"make", "-s", "--no-print-directory", "-C", b.kit,
			  "common/libcommon.a", "grader/inject/libshortio.so", NULL};
	if (run_logged(common, STDERR_FILENO, BUILD_LIMIT_S) != 0) {
		fprintf(stderr, "grader: cannot build the kit's common/ in %s\n", b.kit);
		return 2;
	}
	/* make -C KIT takes the scratch path: absolute, and with nothing in
	 * it that make reads as syntax. */
	char tmp[PATH_MAX];
	const char *env = getenv("TMPDIR");
	if (env == NULL || realpath(env, tmp) == NULL || strpbrk(tmp, " \t\n:#=$%") != NULL)
		snprintf(tmp, sizeof tmp, "/tmp");
	if (path_join(b.scratch, sizeof b.scratch, tmp, "serverlab-batch.XXXXXX") != 0)
		snprintf(b.scratch, sizeof b.scratch, "/tmp/serverlab-batch.XXXXXX");
	if (mkdtemp(b.scratch) == NULL) {
		fprintf(stderr, "grader: cannot make %s: %s\n", b.scratch, strerror(errno));
		return 2;
	}
	printf("grading %zu submissions of lab %d, %d at a time\n", b.n, o->lab,
	       o->jobs);
	run_workers(&b, o->jobs);
	sandbox_sweep();
	remove_tree(b.scratch);
	int rc = write_csv(&b) == 0 ? 0 : 2;
	print_summary(&b, now_s() - started);
	if (grader_interrupted) {
		fprintf(stderr, "grader: interrupted; the rows not graded say so\n");
		return 128 + grader_interrupted;
	}
	return rc;
}
