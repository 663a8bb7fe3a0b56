/*
 * submission.c - which folder of a submission holds the lab's files.
 *
 * A submission comes in any shape: the lab folder's files at its top (an
 * upload), or a whole repository (Gradescope's GitHub submissions, what
 * gh classroom clone gives a TA), where every lab's folder is there and
 * the other labs are untouched skeletons. So: the lab's own folder
 * (labs/labN-*), at the top or a few folders down, first; then the files
 * at the top; then the shallowest folder with a server.c that is not
 * another lab's.
 */
#define _GNU_SOURCE
#include "cli/submission.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 4

/* The lab number of a folder named labN-..., or 0. */
static int lab_of(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "lab", 3) != 0 || name[3] < '1' || name[3] > '9')
		return 0;
	n = strtol(name + 3, &end, 10);
	return *end == '-' ? (int)n : 0;
}

struct found {
	int rank, depth; /* the best so far: the lower the better */
	char path[4096]; /* relative to the submission's root */
};

static void consider(struct found *f, int rank, int depth, const char *path)
{
	if (f->path[0] == '\0' || rank < f->rank ||
	    (rank == f->rank && depth < f->depth) ||
	    (rank == f->rank && depth == f->depth && strcmp(path, f->path) < 0)) {
		f->rank = rank;
		f->depth = depth;
		snprintf(f->path, sizeof f->path, "%s", path);
	}
}

/* A regular file or a folder (not a link), whatever the file system's
 * readdir says. */
static int kind_of(int dirfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return DT_UNKNOWN;
	return S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
}

/* rel: the folder's path from the root ("" for the root itself). */
static void walk(const char *root, const char *rel, int lab, int depth,
		 struct found *f)
{
	char dir[8192];
	int c_files = 0, server_c = 0;

	snprintf(dir, sizeof dir, "%s/%s", root, rel);
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		int kind = e->d_name[0] == '.' ? DT_UNKNOWN : kind_of(dirfd(d), e);
		if (kind == DT_REG && len > 2 && strcmp(e->d_name + len - 2, ".c") == 0) {
			c_files++;
			server_c |= strcmp(e->d_name, "server.c") == 0;
		}
		/* Not into another lab's folder, nor the kit's solutions. */
		if (kind == DT_DIR && depth < MAX_DEPTH &&
		    strcmp(e->d_name, "solutions") != 0 &&
		    (lab_of(e->d_name) == 0 || lab_of(e->d_name) == lab)) {
			char sub[4096];
			snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "",
				 e->d_name);
			walk(root, sub, lab, depth + 1, f);
		}
	}
	closedir(d);
	const char *name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (lab_of(name) == lab && c_files > 0)
		consider(f, 0, depth, rel);
	else if (depth == 0 && c_files > 0)
		consider(f, 1, depth, ".");
	else if (server_c)
		consider(f, 2, depth, rel);
}

int submission_folder(const char *root, int lab, char *out, size_t len)
{
	static struct found f;

	memset(&f, 0, sizeof f);
	walk(root, "", lab, 0, &f);
	if (f.path[0] == '\0')
		return -1;
	snprintf(out, len, "%s", f.path);
	return 0;
}
