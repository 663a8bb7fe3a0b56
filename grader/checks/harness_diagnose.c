/*
 * harness_diagnose.c - what a failing test's own finding may not say: why
 * a thread per client ran out of room (big stacks, or threads nobody
 * reclaims), a descriptor handed to its thread by pointer, a blocking
 * socket in a server that must have none, and which lines of the server's
 * stderr say what went wrong.
 */
#define _GNU_SOURCE
#include "checks/harness.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/flows.h"
#include "engine/pattern.h"
#include "engine/procfs.h"

#include <stdio.h>
#include <string.h>

/*
 * Thread stacks in /proc/PID/maps, as glibc's pthread_create makes them: an
 * anonymous read-write mapping right above a small inaccessible one, its
 * guard. (A malloc arena's inaccessible reserve is large, and lies above
 * its heap.) Live threads' stacks, and those of threads that ended but
 * were never joined: a joinable thread's stack stays until pthread_join.
 * Their count and total size; -1 when the maps are unreadable.
 */
static int thread_stacks(pid_t pid, int *count, long *total_kb)
{
	char path[64], line[4096], perms[8];
	unsigned long start, end, inode, guard_end = 1;
	FILE *f;

	*count = 0;
	*total_kb = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		int name = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &start, &end, perms,
			   &inode, &name) < 4 || name == 0)
			continue;
		int anon = inode == 0 && line[name] == '\0';
		if (anon && strcmp(perms, "rw-p") == 0 && start == guard_end) {
			(*count)++;
			*total_kb += (long)((end - start) >> 10);
		}
		guard_end = anon && strcmp(perms, "---p") == 0 &&
			    end - start <= (64u << 10) ? end : 1;
	}
	fclose(f);
	return 0;
}

int stacks_fit(struct ctx *c, struct server *s, const char *expected)
{
	unsigned long room_kb = stack_space_mb(&c->lab->limits) << 10;
	int stacks;
	long stack_kb;

	/* Under valgrind or a sanitizer, the maps are theirs. */
	if (under_tool(c, s) || room_kb == 0 ||
	    thread_stacks(s->pid, &stacks, &stack_kb) < 0 || stack_kb <= (long)room_kb)
		return 0;
	c->hint = "give client threads a small stack with "
		  "pthread_attr_setstacksize (step 4): a thread per client "
		  "needs little, and the default is 8 MiB";
	return fail(c, expected, "its %d thread stacks took %ld MiB of address "
		    "space, %ld MiB each, past the %lu MiB they may have",
		    stacks, stack_kb >> 10, (stack_kb / stacks + 512) >> 10,
		    room_kb >> 10);
}

/*
 * A thread per client (lab 3): which of three mistakes the failure comes
 * from, when one does. Threads that end but are never joined nor detached
 * keep their stacks; threads that never end pile up past their clients;
 * stacks of the default size (8 MiB of address space each) exhaust the
 * address space backstop at a few hundred clients. The first two are leaks and
 * show as many stacks (or threads) for few clients; the third as few
 * threads, each large. In buf, or NULL when none shows.
 */
/* What glibc keeps of ended threads' stacks for new ones (its default). */
#define STACK_CACHE_KB (40L << 10)

static const char *thread_trouble(const struct ctx *c, const struct server *s,
				  char *buf, size_t len)
{
	unsigned long limit_kb = address_space_mb(&c->lab->limits) << 10;
	int threads = proc_threads(s->pid) - proc_io_workers(s->pid);
	int sockets = proc_sockets(s->pid), stacks = 0;
	long stack_kb = 0;
	/* Under valgrind or a sanitizer, maps and address space are theirs. */
	int ours = c->opt->vg_tool == NULL && !s->sanitized;
	int full = ours && limit_kb > 0 &&
		   proc_vm_peak_kb(s->pid) > (long)(limit_kb / 10 * 9);
	int known = ours && thread_stacks(s->pid, &stacks, &stack_kb) == 0 &&
		    stacks > 0;
	long each = known ? stack_kb / stacks : 0;
	/* The main thread's stack is [stack], not one of these. */
	long ended = known ? stacks - (threads - 1) : 0;

	/* glibc keeps up to 40 MiB of ended threads' stacks for reuse: more
	 * than twice that is a leak, whether or not it filled the backstop
	 * yet (resident, each ended thread's touched pages count too). */
	if (known && (ended * each > (long)limit_kb / 2 ||
		      ended * each > STACK_CACHE_KB * 2)) {
		char size[32];
		snprintf(buf, len, "%ld client threads have ended but were never "
			 "joined nor detached: each keeps its stack (%s) until "
			 "pthread_join, %ld MiB in all%s; create client threads "
			 "detached (pthread_attr_setdetachstate, step 1)", ended,
			 size_text((uint64_t)each << 10, size), ended * each >> 10,
			 full ? ", until the server had no address space left "
				"for new ones" : "");
		return buf;
	}
	if (threads > 0 && sockets >= 0 && threads > 2 * sockets + 32) {
		snprintf(buf, len, "%d threads are alive for %d open socket%s: "
			 "client threads outlive their clients; a client's "
			 "thread must return once its client is gone and its "
			 "socket closed (step 2)", threads, sockets,
			 sockets == 1 ? "" : "s");
		return buf;
	}
	if (!full)
		return NULL;
	if (known && each < 1024)
		snprintf(buf, len, "the server used all the address space it may "
			 "(%lu MiB), but its %d thread stacks hold only %ld MiB "
			 "of it: look for other large reservations (glibc gives "
			 "threads that malloc arenas of 64 MiB each; "
			 "mallopt(M_ARENA_MAX, 2) at start bounds them)",
			 address_space_mb(&c->lab->limits), stacks, stack_kb >> 10);
	else
		snprintf(buf, len, "the server used all the address space it may "
			 "(%lu MiB), so new threads got no stack: each thread's "
			 "stack takes %ld MiB of it (8 MiB is the default); give "
			 "client threads a small one with pthread_attr_setstacksize "
			 "(step 4)", address_space_mb(&c->lab->limits),
			 known ? (each + 512) >> 10 : 8);
	return buf;
}

/*
 * What a failing test's own hint may not know, looked at the moment it
 * fails, while its clients are connected: a thread per client that ran
 * out of room, or a blocking socket in a one-thread server, which stalls
 * every client behind one and fails tests whose hints speak of other
 * things (backpressure, slow clients). How many threads a one-thread
 * server has is strategy's business, which says so with its own hint.
 */
/*
 * A client's descriptor passed to its thread as a pointer (&fd) is read
 * by the thread after the accept loop, or the next call, has put another
 * number there: two threads then read one socket, and another socket has
 * none. Clients arriving together show it; one at a time (nc by hand)
 * almost never does. The failing test's own clients may be gone by now,
 * so a few more arrive together, hold on, and the threads are looked at.
 */
static int shares_a_socket(struct ctx *c, struct server *s)
{
	struct flow_spec f = {.total = 1, .pattern = PAT_TEXT, .end = END_HOLD};
	struct flows fs;
	int shared = proc_shared_read_fd(s->pid) >= 0;

	/* Missed, the test's generic hint and a by-hand line that cannot
	 * show the bug would stand: a few waves (T.handover_waves). */
	for (int wave = 0; !shared && wave < T.handover_waves; wave++) {
		if (c->addr[0] == '\0' || flows_init(&fs, c->addr, NULL) < 0)
			break;
		for (int i = 0; i < T.strategy_clients; i++)
			flow_start(&fs, &f);
		flows_run_for(&fs, brief(c, 0.3));
		shared = proc_shared_read_fd(s->pid) >= 0;
		flows_free(&fs);
	}
	return shared;
}

static void handover_diagnose(struct ctx *c)
{
	for (int i = 0; i < c->nsrv; i++) {
		if (c->srv[i].exited || !shares_a_socket(c, &c->srv[i]))
			continue;
		c->hint = "step 1: each thread must get its own descriptor, by "
			  "value: (void *)(intptr_t)fd, not &fd; two threads "
			  "were reading one client's socket, so the pointer "
			  "was read after the next client's number replaced "
			  "it. Clients arriving together show it, one client "
			  "by hand (nc) cannot: use the reproduce line";
		c->no_by_hand = 1;
		return;
	}
}

void diagnose(struct ctx *c)
{
	static char text[400];

	const char *over;

	for (int i = 0; i < c->nsrv; i++)
		if (c->srv[i].exited)
			continue;
		/* At the task budget: whatever else follows from that. */
		else if ((over = budget_hint(c, &c->srv[i])) != NULL)
			c->hint = over;
		else if (c->lab->thread_per_client &&
			 thread_trouble(c, &c->srv[i], text, sizeof text) != NULL)
			c->hint = text;
		else if (c->lab->nonblocking &&
			 proc_blocking_sockets(c->srv[i].pid) > 0)
			c->hint = "the server holds a blocking socket: one read "
				  "or write that waits stops every client; make "
				  "the listener non-blocking (NET_NONBLOCK) and "
				  "accept clients with accept4(..., SOCK_NONBLOCK)";
	if (c->lab->thread_per_client)
		handover_diagnose(c);
}

/* Whether a line of a server's stderr looks like it says what went wrong. */
static int looks_wrong(const char *p, size_t n)
{
	static const char *const words[] = {
		"error", "panic", "fatal", "fail", "abort", "assert", "cannot",
		"can't", "unable", "denied", "refused", "invalid", "exception",
		"segmentation", "too many", "no such", "in use", "bad ", "broken",
		"reset", "killed", "overflow", "out of memory", "not permitted",
		"corrupt", "double free",
	};
	char line[256];

	snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), p);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(line, words[i]) != NULL)
			return 1;
	return 0;
}

/* The line of buf[0..len) that starts at from: its end (at the newline or
 * len). */
static size_t line_end(const char *buf, size_t len, size_t from)
{
	const char *nl = memchr(buf + from, '\n', len - from);

	return nl ? (size_t)(nl - buf) : len;
}

void stderr_quote(const struct server *s, char *buf, size_t len)
{
	const char *t = s->err.buf;
	size_t n = s->err.len, at = 0;
	size_t a = n, a_end = n, z = n, z_end = n; /* n: none */

	/* A tail that starts mid-line: its first line is a fragment. */
	if (s->err.total > n)
		at = line_end(t, n, 0) + 1;
	for (; at < n; at = line_end(t, n, at) + 1) {
		size_t e = line_end(t, n, at);
		if (e == at)
			continue;
		if (a == n && looks_wrong(t + at, e - at))
			a = at, a_end = e;
		z = at, z_end = e;
	}
	buf[0] = '\0';
	if (z == n)
		return;
	/* "panicked at src/main.rs:5:5:", as Rust says it: the message is on
	 * the next line. */
	if (a != n && t[a_end - 1] == ':' && a_end + 1 < n && a_end != z_end)
		a_end = line_end(t, n, a_end + 1);
	if (a == n || a == z)
		snprintf(buf, len, "; its stderr said \"%.*s\"",
			 (int)(z_end - z > 200 ? 200 : z_end - z), t + z);
	else if (a_end >= z_end)
		snprintf(buf, len, "; its stderr said \"%.*s\"",
			 (int)(a_end - a > 300 ? 300 : a_end - a), t + a);
	else
		snprintf(buf, len, "; its stderr said \"%.*s\", and last \"%.*s\"",
			 (int)(a_end - a > 200 ? 200 : a_end - a), t + a,
			 (int)(z_end - z > 160 ? 160 : z_end - z), t + z);
	/* A control character (an escape sequence, a carriage return, the
	 * newline inside a two-line quote) would act on the student's
	 * terminal instead of being read there. */
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
