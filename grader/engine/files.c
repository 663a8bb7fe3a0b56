/*
 * files.c - the few file chores more than one part of the grader needs:
 * copy one, write a short text into one (the /proc maps of a user
 * namespace), remove a scratch tree.
 */
#define _GNU_SOURCE
#include "engine/files.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int copy_file(const char *from, const char *to, unsigned mode)
{
	char buf[65536];
	ssize_t got = 0;
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (out >= 0)
		fchmod(out, (mode_t)mode); /* whatever the umask took away */
	while (out >= 0 && (got = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)got) != got)
			got = -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		got = -1;
	return in < 0 || out < 0 || got < 0 ? -1 : 0;
}

int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	int ok = fd >= 0 && write(fd, text, (size_t)len) == len;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
