/*
 * sandbox_run.c - a running server watched: its pipes drained whenever
 * the grader waits (a bounded tail of each kept, its first stdout line
 * and a sanitizer's report noted, what it prints told to its watch), its
 * resident memory held to its bound, its line and its exit awaited.
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

static void tail_add(struct tail *t, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->lines += p[i] == '\n';
	t->total += n;
	if (n >= TAIL_BYTES) {
		memcpy(t->buf, p + n - TAIL_BYTES, TAIL_BYTES);
		t->len = TAIL_BYTES;
		return;
	}
	if (t->len + n > TAIL_BYTES) {
		size_t drop = t->len + n - TAIL_BYTES;
		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* The first stdout line is the contract's: keep it whole (up to its
 * size), however much the server writes after it. */
static void note_first_line(struct server *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !s->have_line; i++) {
		if (p[i] == '\n')
			s->have_line = 1;
		else if (s->line_len + 1 < sizeof s->first_line)
			s->first_line[s->line_len++] = p[i];
	}
	s->first_line[s->line_len] = '\0';
}

/*
 * A sanitizer reports on stderr, and the process goes on (TSan) or exits
 * later: keep the first report's line, found in what just arrived and a
 * little before it (a line may come in two reads).
 */
static void note_sanitizer_report(struct server *s, size_t fresh)
{
	static const char mark[] = "Sanitizer: ";
	const struct tail *t = &s->err;
	size_t look = fresh + 256 < t->len ? fresh + 256 : t->len;
	const char *end = t->buf + t->len, *hit, *line, *nl;

	if (s->san_report[0] != '\0')
		return;
	hit = memmem(end - look, look, mark, sizeof mark - 1);
	if (hit == NULL || (nl = memchr(hit, '\n', (size_t)(end - hit))) == NULL)
		return; /* none, or its line is not complete yet */
	for (line = hit; line > t->buf && line[-1] != '\n'; line--)
		;
	snprintf(s->san_report, sizeof s->san_report, "%.*s",
		 (int)(nl - line), line);
}

static int drain_fd(struct server *s, int *fd, struct tail *t)
{
	char buf[8192];
	int got = 0;
	ssize_t n;

	/* Bounded: a flooding server must not keep the grader here. */
	for (int rounds = 0; *fd >= 0 && rounds < 64; rounds++) {
		n = read(*fd, buf, sizeof buf);
		if (n > 0) {
			if (t == &s->out)
				note_first_line(s, buf, (size_t)n);
			tail_add(t, buf, (size_t)n);
			if (t == &s->err && s->sanitized)
				note_sanitizer_report(s, (size_t)n);
			if (s->watch.output != NULL)
				s->watch.output(s->watch.arg, s, t == &s->err,
						buf, (size_t)n);
			got = 1;
			continue;
		}
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(*fd);
			*fd = -1;
		}
		break;
	}
	return got;
}

/* Resident memory over the bound: SIGKILL, as a memory cgroup would.
 * Looked at every 50 ms at most, whenever the grader drains its pipes. */
static void bound_memory(struct server *s)
{
	double now = now_s();

	if (s->mem_limit_kb == 0 || s->exited || s->stopped ||
	    now - s->mem_checked < 0.05)
		return;
	s->mem_checked = now;
	long rss = proc_rss_kb(s->pid);
	if (rss > s->mem_limit_kb) {
		s->mem_killed_kb = rss;
		kill(-s->pid, SIGKILL);
	}
}

int server_drain(struct server *s)
{
	int got = drain_fd(s, &s->out_fd, &s->out);

	bound_memory(s);
	reap_dead();
	got |= drain_fd(s, &s->err_fd, &s->err);
	return got;
}

/* What it wrote before it died is in the pipes now: read that first, so
 * --trace shows its last words before its exit. */
static void mark_exited(struct server *s, int status)
{
	server_drain(s);
	s->exited = 1;
	s->status = status;
	s->t_exited = now_s();
}

int server_check_exit(struct server *s)
{
	int status;

	if (s->pid <= 0 || s->exited)
		return s->exited;
	reap_dead();
	if (reap_status(s->pid, &status)) {
		mark_exited(s, status);
		return 1;
	}
	pid_t got = waitpid(s->pid, &status, WNOHANG);
	if (got == s->pid)
		mark_exited(s, status);
	else if (got < 0 && errno == ECHILD)
		/* Reaped already, by the sweep after another server's test. */
		mark_exited(s, 0);
	return s->exited;
}

int server_await_line(struct server *s, double deadline)
{
	while (!time_is_up()) {
		server_drain(s);
		if (s->have_line)
			return 0;
		if (server_check_exit(s)) {
			server_drain(s);
			return s->have_line ? 0 : -1;
		}
		if (now_s() >= deadline)
			return -1;
		sleep_s(0.005);
	}
	return -1;
}

int server_await_exit(struct server *s, double deadline)
{
	while (!grader_interrupted) {
		server_drain(s);
		if (server_check_exit(s)) {
			server_drain(s);
			return 0;
		}
		if (now_s() >= deadline)
			return -1;
		sleep_s(0.005);
	}
	return -1;
}
