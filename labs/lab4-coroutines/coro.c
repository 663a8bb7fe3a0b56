/*
 * coro.c - coroutines over epoll (see coro.h).
 *
 * The scheduler is coro_run's own context. A coroutine that must wait
 * puts itself where it will be found again (the run queue, the sleepers,
 * or a descriptor's waiters) and switches to the scheduler, which runs
 * the ready ones in turn and, between rounds, asks epoll who may go on.
 * A coroutine never frees itself: it still runs on the stack it would
 * free. The scheduler does, once it has switched away from it.
 */
#define _GNU_SOURCE
#include "coro.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#define FAIR_BUDGET 16 /* calls that did not wait, before a yield */
#define SPARE_MAX 64   /* ended coroutines kept for their stacks */

struct coro {
	ucontext_t ctx;
	void (*fn)(void *);
	void *arg;
	char *stack;       /* the mapping: a guard page, then the stack */
	unsigned vg_stack; /* valgrind's id for it */
	double deadline;   /* while sleeping */
	int budget;        /* calls left before a fairness yield */
	struct coro *next; /* in one list, or none while it runs */
};

/* Who waits for a descriptor, and what it is registered for in epoll.
 * The registration stays between waits (an echo's reader waits for the
 * same thing over and over: no epoll_ctl each time); an event that fires
 * for nobody takes it back, or level-triggered epoll repeats it forever. */
struct waiters {
	struct coro *in, *out;
	int added;      /* in the epoll set */
	uint32_t armed; /* the events registered there */
};

static struct {
	size_t stack_size, page;
	int epfd;
	ucontext_t sched;     /* where a parking coroutine switches to */
	struct coro *running; /* NULL while the scheduler runs */
	struct coro *head, *tail; /* the run queue, first in, first out */
	struct coro *sleepers;    /* soonest deadline first */
	struct coro *ended;       /* ended, stack still to free */
	struct coro *spare;       /* ended, kept for reuse */
	int nspare, live, waiting; /* live coroutines; those parked on fds */
	struct waiters *fds; /* one per descriptor number below nfds */
	int nfds;
} S = {.epfd = -1};

static void make_ready(struct coro *c)
{
	// TODO(step 2): append c to the run queue (S.head .. S.tail).
	(void)c;
	// END TODO
}

/* Switch to the scheduler; returns once someone has made us ready. */
static void park(void)
{
	struct coro *self = S.running;

	swapcontext(&self->ctx, &S.sched);
	self->budget = FAIR_BUDGET;
}

/* A call that did not have to wait: now and then, let the others run. */
static void fair(void)
{
	if (S.running != NULL && --S.running->budget <= 0)
		coro_yield();
}

static void trampoline(void)
{
	S.running->fn(S.running->arg);
	coro_exit();
}

int coro_init(size_t stack_size)
{
	struct rlimit nofile;

	/* A table as long as the descriptor limit: no descriptor falls off
	 * its end, and pages nobody touches cost no memory. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return -1;
	S.nfds = nofile.rlim_cur > 1 << 20 ? 1 << 20 : (int)nofile.rlim_cur;
	S.fds = calloc((size_t)S.nfds, sizeof *S.fds);
	S.page = (size_t)sysconf(_SC_PAGESIZE);
	S.stack_size = (stack_size + S.page - 1) / S.page * S.page;
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	return S.fds == NULL || S.epfd < 0 ? -1 : 0;
}

static struct coro *coro_new(void)
{
	struct coro *c = calloc(1, sizeof *c);
	size_t len = S.page + S.stack_size;

	if (c == NULL)
		return NULL;
	c->stack = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	/* An overflow faults on the guard page instead of quietly writing
	 * over whatever lies below. */
	if (c->stack == MAP_FAILED || mprotect(c->stack, S.page, PROT_NONE) < 0) {
		if (c->stack != MAP_FAILED)
			munmap(c->stack, len);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	/* Or memcheck takes every switch for a wild stack pointer. */
	c->vg_stack = VALGRIND_STACK_REGISTER(c->stack + S.page, c->stack + len);
	return c;
}

/* getcontext may return twice (as setjmp does), so the compiler must
 * assume its caller's locals clobbered: it gets a function of its own. */
static __attribute__((noinline)) void context_init(ucontext_t *ctx)
{
	getcontext(ctx);
}

int coro_spawn(void (*fn)(void *), void *arg)
{
	// TODO(step 2): a spare coroutine or coro_new(); its context on its
	// stack (context_init, uc_stack, uc_link, makecontext(trampoline));
	// fn, arg, budget; one more live; make it ready.
	fn(arg); /* until step 2: run it here and now */
	return (void)coro_new, (void)context_init, (void)trampoline, 0;
	// END TODO
}

void coro_yield(void)
{
	// TODO(step 2): go to the back of the run queue, and park.
	usleep(1000); /* until step 2, nobody else to run */
	(void)park;
	// END TODO
}

void coro_exit(void)
{
	// TODO(step 2): onto S.ended, one live fewer, and setcontext to the
	// scheduler for good; then abort(): coro_exit is noreturn, and the
	// compiler cannot know that setcontext never comes back.
	exit(1);
	// END TODO
}

double coro_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void coro_sleep_until(double deadline)
{
	// TODO(step 4): into S.sleepers after every sleeper due no later
	// (equal deadlines wake in order), with its deadline; park.
	while (coro_now() < deadline)
		coro_yield();
	// END TODO
}

static uint32_t wanted(const struct waiters *w)
{
	return (w->in ? EPOLLIN | EPOLLRDHUP : 0u) | (w->out ? EPOLLOUT : 0u);
}

/* Register what fd's waiters wait for, if it is not registered already;
 * exact: drop what nobody waits for too (nothing left: leave the set, or
 * a hang-up would be reported forever). The entry also leaves the set
 * when fd is closed: a new fd of that number has none (ENOENT). */
static int arm(int fd, int exact)
{
	struct waiters *w = &S.fds[fd];
	struct epoll_event ev = {.data.fd = fd, .events = wanted(w)};
	int rc = -1;

	if (w->added && (exact ? w->armed == ev.events
			       : (w->armed & ev.events) == ev.events))
		return 0;
	if (w->added && ev.events == 0) {
		w->added = 0;
		return epoll_ctl(S.epfd, EPOLL_CTL_DEL, fd, NULL);
	}
	if (w->added)
		rc = epoll_ctl(S.epfd, EPOLL_CTL_MOD, fd, &ev);
	if (rc < 0 && (!w->added || errno == ENOENT))
		rc = epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev);
	w->added = rc == 0;
	w->armed = ev.events;
	return rc;
}

int coro_wait(int fd, int out)
{
	if (fd < 0 || fd >= S.nfds) {
		errno = EBADF;
		return -1;
	}
	// TODO(step 3): be fd's reader (out == 0) or writer (EBUSY if one
	// is already); arm(fd, 0) (failed: undo, -1); one more waiting; park.
	struct pollfd p = {.fd = fd, .events = out ? POLLOUT : POLLIN};
	while (poll(&p, 1, 0) == 0) /* until step 3: ask, and ask */
		coro_yield();
	return (void)arm, 0;
	// END TODO
}

static void wake(struct coro **slot)
{
	make_ready(*slot);
	*slot = NULL;
	S.waiting--;
}

/* Wait up to timeout_ms (-1: no limit) for descriptors and wake their
 * waiters; then wake the sleepers whose time has come. */
static int poll_events(int timeout_ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(S.epfd, ev, 64, timeout_ms);

	if (n < 0 && errno != EINTR)
		return -1;
	// TODO(step 3): wake fd's reader on EPOLLIN, EPOLLRDHUP, EPOLLHUP or
	// EPOLLERR, its writer on EPOLLOUT, EPOLLHUP or EPOLLERR; an event
	// that fired for nobody: arm(fd, 1) takes it back.
	(void)wake;
	// END TODO
	// TODO(step 4): make ready every sleeper whose deadline has come.
	// END TODO
	return 0;
}

/* How long epoll may wait: not at all while some are ready; else until
 * the first sleeper's deadline; else for a descriptor. */
static int poll_timeout(void)
{
	if (S.head != NULL)
		return 0;
	// TODO(step 4): sleepers: milliseconds to the first deadline, rounded up.
	// END TODO
	return -1;
}

/* Run c until it parks or ends, then free what ended (off its stack). */
static void run(struct coro *c)
{
	S.running = c;
	swapcontext(&S.sched, &c->ctx);
	S.running = NULL;
	while ((c = S.ended) != NULL) {
		S.ended = c->next;
		if (S.nspare < SPARE_MAX) {
			c->next = S.spare;
			S.spare = c;
			S.nspare++;
		} else {
			VALGRIND_STACK_DEREGISTER(c->vg_stack);
			munmap(c->stack, S.page + S.stack_size);
			free(c);
		}
	}
}

int coro_run(void)
{
	while (S.live > 0) {
		// TODO(step 2): one round: run() each off the head of the queue
		// up to the one last when the round began (later ones wait).
		return (void)run, 0;
		// END TODO
		if (S.live == 0)
			break;
		if (S.head == NULL && S.sleepers == NULL && S.waiting == 0) {
			errno = EDEADLK; /* nothing could ever wake anyone */
			return -1;
		}
		if (poll_events(poll_timeout()) < 0)
			return -1;
	}
	return 0;
}

/* A call on fd failed: 0 to try it again (it was interrupted, or it
 * would have blocked and we parked until fd is ready), -1 to give up. */
static int retry(int fd, int out)
{
	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return -1;
	return coro_wait(fd, out);
}

ssize_t coro_read(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0) {
			fair();
			return n;
		}
		if (retry(fd, 0) < 0)
			return -1;
	}
}

ssize_t coro_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && retry(fd, 1) < 0)
			return -1;
	}
	fair();
	return (ssize_t)done;
}

int coro_accept(int listen_fd)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= S.nfds) { /* the limit was raised after coro_init */
			close(fd);
			errno = EMFILE;
			return -1;
		}
		if (fd >= 0) {
			S.fds[fd] = (struct waiters){0}; /* a new socket: none */
			fair();
			return fd;
		}
		/* ECONNABORTED: that client gave up; the next may not. */
		if (errno != ECONNABORTED && retry(listen_fd, 0) < 0)
			return -1;
	}
}

int coro_close(int fd)
{
	if (fd >= 0 && fd < S.nfds)
		S.fds[fd] = (struct waiters){0};
	return close(fd);
}
