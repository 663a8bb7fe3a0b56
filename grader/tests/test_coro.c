/*
 * test_coro.c - unit tests (Check) of lab 4's coroutine runtime, built
 * against whichever coro.c the Makefile names (the reference's in make
 * test; a student's with make check-lab4). Each test runs in a process
 * of its own (Check's fork mode), so each starts with a fresh scheduler.
 *
 * The last line is "coro: N passed, M failed", as unit.c's.
 */
#define _GNU_SOURCE
#include "coro.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_STACK (64 * 1024)

/* What the coroutines of a test did, in order, as one letter each. */
static char trail[256];

static void note(char what)
{
	size_t n = strlen(trail);

	if (n + 1 < sizeof trail)
		trail[n] = what;
}

static void start(void)
{
	memset(trail, 0, sizeof trail);
	ck_assert_int_eq(coro_init(TEST_STACK), 0);
}

/* Three rounds of: note the letter, yield. */
static void yielder(void *arg)
{
	for (int i = 0; i < 3; i++) {
		note((char)(intptr_t)arg);
		coro_yield();
	}
}

START_TEST(yields_take_turns_in_spawn_order)
{
	start();
	for (char c = 'a'; c <= 'c'; c++)
		ck_assert_int_eq(coro_spawn(yielder, (void *)(intptr_t)c), 0);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "abcabcabc");
}
END_TEST

static int pipe_fds[2];

static void reader(void *arg)
{
	char buf[8];

	(void)arg;
	note('r'); /* about to park: the pipe is empty */
	ck_assert_int_eq(coro_read(pipe_fds[0], buf, sizeof buf), 2);
	note(buf[0]);
}

static void writer(void *arg)
{
	(void)arg;
	note('w');
	ck_assert_int_eq(coro_write(pipe_fds[1], "xy", 2), 2);
}

START_TEST(a_read_parks_until_epoll_says_readable)
{
	start();
	ck_assert_int_eq(pipe2(pipe_fds, O_NONBLOCK), 0);
	coro_spawn(reader, NULL);
	coro_spawn(writer, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "rwx");
}
END_TEST

/* Sleeps its letter's share of 10 ms steps, then notes the letter. */
static void sleeper(void *arg)
{
	char c = (char)(intptr_t)arg;

	coro_sleep_until(coro_now() + 0.01 * (c - 'a' + 1));
	note(c);
}

START_TEST(sleepers_wake_in_deadline_order)
{
	double t0;

	start();
	coro_spawn(sleeper, (void *)(intptr_t)'c');
	coro_spawn(sleeper, (void *)(intptr_t)'a');
	coro_spawn(sleeper, (void *)(intptr_t)'b');
	t0 = coro_now();
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "abc");
	ck_assert(coro_now() - t0 >= 0.03); /* and not before their time */
}
END_TEST

/* The process's address space, in KiB (VmSize). */
static long vm_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

static int ended;

static void short_lived(void *arg)
{
	(void)arg;
	ended++;
}

/* Each generation spawns the next and ends: one stack at a time is
 * needed, so the scheduler must free (or reuse) the ended ones. */
static void generations(void *arg)
{
	intptr_t left = (intptr_t)arg;

	short_lived(NULL);
	if (left > 0)
		coro_spawn(generations, (void *)(left - 1));
}

START_TEST(ended_coroutines_give_their_stacks_back)
{
	start();
	coro_spawn(short_lived, NULL); /* the first stack, before measuring */
	coro_run();
	long before = vm_kb();
	coro_spawn(generations, (void *)(intptr_t)2000);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_int_eq(ended, 2002);
	/* 2,000 stacks of 68 KiB kept would be 136 MiB. */
	ck_assert_msg(vm_kb() - before < 16 << 10, "address space grew by %ld KiB",
		      vm_kb() - before);
}
END_TEST

static int deep(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	return n == 0 ? pad[0] : deep(n - 1) + pad[0];
}

static volatile uintptr_t stack_top; /* near the top of the overflowing stack */

/* The fault must land just below the stack: on its guard page, not in
 * whatever lies further down (another coroutine's stack, silently). */
static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t at = (uintptr_t)si->si_addr, bottom = stack_top - TEST_STACK;

	(void)sig, (void)ctx;
	_exit(at < bottom && at + 2 * 4096 >= bottom ? 42 : 43);
}

static void overflow(void *arg)
{
	char here;

	(void)arg;
	stack_top = (uintptr_t)&here;
	deep(1 << 20); /* a GiB of frames: far beyond 64 KiB */
}

START_TEST(a_stack_overflow_faults_on_the_guard_page)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		static char alt[64 * 1024];
		stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
		struct sigaction sa = {.sa_sigaction = on_segv,
				       .sa_flags = SA_SIGINFO | SA_ONSTACK};
		sigaltstack(&ss, NULL);
		sigaction(SIGSEGV, &sa, NULL);
		start();
		/* Its stack is mapped next, just below: without a guard page
		 * the overflow runs on into it without a fault. */
		coro_spawn(overflow, NULL);
		coro_spawn(short_lived, NULL);
		coro_run();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 42,
		      "no fault on the guard page (status %#x)", status);
}
END_TEST

/* Writes that never wait (/dev/null) must still let others run. */
static void busy(void *arg)
{
	int fd = open("/dev/null", O_WRONLY | O_NONBLOCK);

	(void)arg;
	for (int i = 0; i < 1000; i++)
		coro_write(fd, "z", 1);
	note('B');
	close(fd);
}

static void patient(void *arg)
{
	(void)arg;
	coro_yield();
	note('p');
}

START_TEST(a_coroutine_that_never_waits_still_yields)
{
	start();
	coro_spawn(busy, NULL);
	coro_spawn(patient, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "pB");
}
END_TEST

/* Yields until the parked one has run, counting its own turns. */
static int woke, turns_before_woke;

static void spinner(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000 && !woke; i++) {
		coro_yield();
		turns_before_woke = i + 1;
	}
}

static void parked(void *arg)
{
	(void)arg;
	ck_assert_int_eq(coro_wait(pipe_fds[0], 0), 0);
	woke = 1;
}

/* Two coroutines that are always ready must not keep one that waits on
 * a descriptor (ready at once) from running: the scheduler asks epoll
 * after each round, not only once nobody is ready. */
START_TEST(a_parked_coroutine_runs_while_others_stay_ready)
{
	start();
	ck_assert_int_eq(pipe2(pipe_fds, O_NONBLOCK), 0);
	ck_assert_int_eq(write(pipe_fds[1], "x", 1), 1);
	coro_spawn(parked, NULL);
	coro_spawn(spinner, NULL);
	coro_spawn(spinner, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_msg(woke && turns_before_woke <= 5, "the coroutine waiting for "
		      "a readable pipe ran only after the others had yielded %d "
		      "times each", turns_before_woke);
}
END_TEST

/* The runtime's calls of epoll_wait, counted: this program's own
 * definition stands in for the C library's (epoll_pwait does the work).
 * A coroutine that waits must leave the process asleep in one call, not
 * make the scheduler ask again and again; a count, not a time, so a busy
 * machine cannot change the verdict. */
static int epoll_waits;

int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)
{
	epoll_waits++;
	return epoll_pwait(epfd, events, max, timeout, NULL);
}

static void late_writer(void *arg)
{
	(void)arg;
	coro_sleep_until(coro_now() + 0.2);
	ck_assert_int_eq(coro_write(pipe_fds[1], "xy", 2), 2);
}

/* A read that must wait parks until epoll says so: the process sleeps
 * meanwhile, instead of asking again and again (yield, retry). */
START_TEST(a_waiting_coroutine_leaves_the_cpu_alone)
{
	start();
	ck_assert_int_eq(pipe2(pipe_fds, O_NONBLOCK), 0);
	coro_spawn(reader, NULL);
	coro_spawn(late_writer, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "rx");
	ck_assert_msg(epoll_waits <= 10, "the scheduler called epoll_wait %d "
		      "times while one coroutine waited 0.2 s for a descriptor "
		      "and another slept: coro_wait must park until epoll says "
		      "it is ready, not yield and try again", epoll_waits);
}
END_TEST

static int second_rc, second_errno;

static void second_reader(void *arg)
{
	(void)arg;
	second_rc = coro_wait(pipe_fds[0], 0);
	second_errno = errno;
	ck_assert_int_eq(write(pipe_fds[1], "xy", 2), 2); /* for the first */
}

/* One reader per descriptor: a second one is refused (EBUSY), and the
 * first is still woken. */
START_TEST(a_second_reader_of_one_descriptor_gets_ebusy)
{
	start();
	ck_assert_int_eq(pipe2(pipe_fds, O_NONBLOCK), 0);
	coro_spawn(reader, NULL);
	coro_spawn(second_reader, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_int_eq(second_rc, -1);
	ck_assert_int_eq(second_errno, EBUSY);
	ck_assert_str_eq(trail, "rx");
}
END_TEST

static void file_waiter(void *arg)
{
	FILE *f = tmpfile();

	(void)arg;
	ck_assert_ptr_nonnull(f);
	/* epoll refuses regular files (EPERM): the wait fails, no parking */
	ck_assert_int_eq(coro_wait(fileno(f), 0), -1);
	note('f');
	fclose(f);
}

START_TEST(a_wait_epoll_refuses_fails_at_once)
{
	start();
	coro_spawn(file_waiter, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "f");
}
END_TEST

/* Reads one byte of two, then sleeps with the other still unread: the
 * readiness nobody waits for any more must be taken back from epoll, or
 * level-triggered epoll reports it again and again while it sleeps. */
static void reads_one_then_sleeps(void *arg)
{
	char c;

	(void)arg;
	ck_assert_int_eq(coro_read(pipe_fds[0], &c, 1), 1);
	coro_sleep_until(coro_now() + 0.2);
	note(c);
}

static void writes_later(void *arg)
{
	(void)arg;
	coro_yield(); /* the reader parks first */
	ck_assert_int_eq(write(pipe_fds[1], "xy", 2), 2);
}

START_TEST(an_event_nobody_waits_for_is_taken_back)
{
	start();
	ck_assert_int_eq(pipe2(pipe_fds, O_NONBLOCK), 0);
	coro_spawn(reads_one_then_sleeps, NULL);
	coro_spawn(writes_later, NULL);
	ck_assert_int_eq(coro_run(), 0);
	ck_assert_str_eq(trail, "x");
	ck_assert_msg(epoll_waits <= 10, "the scheduler called epoll_wait %d "
		      "times while the one coroutine slept 0.2 s and a byte "
		      "waited unread: an event that fired for nobody must be "
		      "taken back (arm(fd, 1)), or epoll reports it again at "
		      "once, every time", epoll_waits);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("coro");
	TCase *tc = tcase_create("runtime");
	SRunner *sr;
	int run, failed;

	tcase_set_timeout(tc, 2);
	tcase_add_test(tc, yields_take_turns_in_spawn_order);
	tcase_add_test(tc, a_read_parks_until_epoll_says_readable);
	tcase_add_test(tc, sleepers_wake_in_deadline_order);
	tcase_add_test(tc, ended_coroutines_give_their_stacks_back);
	tcase_add_test(tc, a_stack_overflow_faults_on_the_guard_page);
	tcase_add_test(tc, a_coroutine_that_never_waits_still_yields);
	tcase_add_test(tc, a_parked_coroutine_runs_while_others_stay_ready);
	tcase_add_test(tc, a_waiting_coroutine_leaves_the_cpu_alone);
	tcase_add_test(tc, a_second_reader_of_one_descriptor_gets_ebusy);
	tcase_add_test(tc, a_wait_epoll_refuses_fails_at_once);
	tcase_add_test(tc, an_event_nobody_waits_for_is_taken_back);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("coro: %d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
