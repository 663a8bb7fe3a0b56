/*
 * lab4.c - lab 4 (coroutines in one thread): which tests, in which step
 * of labs/lab4-coroutines/README.md, with which hint, and the limits.
 */
#include "plans/plans.h"
#include "checks/thresholds.h"

static const struct plan_entry plan[] = {
	{"starts", 1, "step 1: call listener_open(argc, argv, NET_NONBLOCK) "
		      "first: it prints the line; nothing else on stdout"},
	{"sigterm", 1, "step 1: leave SIGTERM and SIGINT their default action, "
		       "which ends the process: do not ignore or block them"},
	{"bad-args", 1, "step 1: listener_open checks the command line: call "
			"it with main's argc and argv unchanged"},
	{"addr-in-use", 1, "step 1: listener_open exits 1 when the address is "
			   "taken: call it before anything else"},
	{"ipv6", 1, "step 1: hand argv to listener_open unchanged"},
	{"echo-basic", 1, "step 1: client() reads with coro_read and writes "
			  "back with coro_write until coro_read returns 0"},
	{"sequential", 1, "step 1: client() closes its descriptor when its "
			  "loop ends, whichever way"},
	{"echo-binary", 1, "step 1: write back exactly the n bytes coro_read "
			   "returned; no string functions on the data"},
	{"echo-large", 1, "step 1: keep reading until coro_read returns 0; "
			  "coro_write writes every byte or fails"},
	{"partial-io", 1, "step 1: coro_read may return fewer bytes than "
			  "asked: write back n, then read again"},
	{"many-messages", 1, "step 1: keep the loop going until end of file"},
	{"half-close", 1, "step 1: coro_read returning 0 is the client's "
			  "half-close: all it sent is written back by then"},
	{"client-reset", 1, "step 1: coro_read or coro_write failing ends "
			    "that client's coroutine only"},
	{"early-close", 1, "step 1: SIGPIPE is ignored for you; an EPIPE from "
			   "coro_write ends that client only"},
	{"idle-client", 2, "step 2: coro_spawn must queue the coroutine, not "
			   "run it to its end: a waiting client parks and the "
			   "scheduler runs the next one"},
	{"slow-sender", 2, "step 2: a coroutine that waits yields; coro_run "
			   "gives every ready coroutine its turn each round"},
	{"slow-reader", 2, "step 2: a client that does not read parks its "
			   "coroutine in coro_write: the others run meanwhile"},
	{"concurrent", 2, "step 2: each coroutine keeps its own stack: "
			  "check coro_spawn's context and the spare list"},
	{"churn", 2, "step 2: an ended coroutine goes to S.ended and run() "
		     "recycles it; nothing of it may stay behind"},
	{"strategy", 2, "step 2: one thread, and the scheduler asks an epoll "
			"instance (coro_init makes it): no threads"},
	{"fairness", 2, "step 2: a round runs the coroutines that were ready "
			"when it began, then the scheduler asks epoll: a round "
			"that runs until the queue is empty starves every "
			"coroutine parked on a descriptor while busy ones keep "
			"yielding; and a coroutine that never has to wait still "
			"yields now and then (fair())"},
	{"idle-cpu", 3, "step 3: a coroutine waiting for a descriptor must "
			"sleep in epoll_wait, not poll it again and again: "
			"coro_wait arms epoll and parks"},
	{"fd-limit", 4, "step 4: on EMFILE the acceptor sleeps (coro_sleep_"
			"until) before trying again, and the scheduler's epoll "
			"wait ends at the first sleeper's deadline"},
};

/* One thread, like lab 2: descriptors for concurrent's 1,000 clients,
 * CPU time for valgrind; the task budget of lab 2, so that a server of
 * threads loses strategy only, alike for root and a student. */
const struct lab lab4 = {
	.number = 4,
	.plan = plan,
	.nplan = sizeof plan / sizeof plan[0],
	.nonblocking = 1,
	.limits = {.mem_mb = 1024, .nofile = 4096, .nproc = 1100, .cpu_s = 120},
};
