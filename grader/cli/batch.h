/*
 * batch.h - --batch: every submission folder built and graded, a CSV row each.
 */
#ifndef SERVERLAB_BATCH_H
#define SERVERLAB_BATCH_H

#include "checks/harness.h"
#include "checks/lab.h"
#include "cli/grade.h"

#include <limits.h>
#include <sys/types.h>

/* --batch: grade every submission folder of o->batch. */
int batch_main(const struct options *o, const struct lab *lab);

#define MAX_STUDENTS 2000
#define BUILD_LIMIT_S 120.0
#define MAX_SOURCE_BYTES (1L << 20)

struct student {
	char name[256];
	pid_t pid;             /* its worker while it runs, else 0 */
	int slot;              /* which of the --jobs places it runs in */
	int row_fd;            /* the read end of the worker's row pipe */
	double started, deadline;
	int graded;            /* its row below is final */
	char status[32];       /* ok, build failed, crashed, timed out, ... */
	char folder[256];      /* of its folder, the one graded ("." its top) */
	int total, max;
	int scores[MAX_RUNS];  /* one per selected test, in the lab's order */
};

struct batch {
	const struct options *o;
	const struct lab *lab;
	char kit[PATH_MAX];     /* the kit's root: the grader is KIT/grader/grader */
	char scratch[PATH_MAX]; /* private copies, removed at the end */
	char logs[PATH_MAX];    /* FILE's name without .csv, then -logs */
	char shown[PATH_MAX];   /* the server in a student's repository */
	struct grading plan;    /* the tests each is graded on: plan.n, plan.max */
	struct student *s;
	size_t n;
};

/* Inside the module (batch_student.c), for batch.c: dir/name into out
 * (-1 when it does not fit); argv run with its output to fd, killed
 * after limit_s (its exit status, or -1); one student graded in its
 * worker, the row written to fd. */
int path_join(char *out, size_t len, const char *dir, const char *name);
int run_logged(char *const argv[], int fd, double limit_s);
void grade_student(const struct batch *b, const struct student *st, int log,
		   int fd);

#endif
