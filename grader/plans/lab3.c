/*
 * lab3.c - lab 3 (a thread per client): which tests, in which step of
 * labs/lab3-threads/README.md, with which hint, and the limits.
 */
#include "plans/plans.h"
#include "checks/thresholds.h"

static const struct plan_entry plan[] = {
	{"starts", 1, "step 1: call listener_open(argc, argv, 0) first: it "
		      "prints the line; nothing else on stdout"},
	{"sigterm", 1, "step 1: until step 5 takes them in the signal thread, "
		       "leave SIGTERM and SIGINT out of the blocked set: their "
		       "default action ends the process"},
	{"bad-args", 1, "step 1: listener_open checks the command line: call "
			"it with main's argc and argv unchanged"},
	{"addr-in-use", 1, "step 1: listener_open exits 1 when the address is "
			   "taken: call it before anything else"},
	{"ipv6", 1, "step 1: hand argv to listener_open unchanged"},
	{"echo-basic", 2, "step 2: the client thread reads and writes back "
			  "until read returns 0; is start_client_thread "
			  "(step 1) creating it, with the descriptor by value?"},
	{"sequential", 2, "step 2: the client thread closes its descriptor on "
			  "every way out"},
	{"idle-client", 2, "step 2: every client has a thread of its own "
			   "(start_client_thread, step 1), and the accept loop "
			   "never waits for a client"},
	{"echo-binary", 2, "step 2: write back exactly the n bytes read "
			   "returned; no string functions on the data"},
	{"echo-large", 2, "step 2: net_write_all, not one write: write may "
			  "take fewer bytes than asked"},
	{"partial-io", 2, "step 2: read returning -1 with EINTR means read "
			  "again; net_write_all already loops over short writes"},
	{"many-messages", 2, "step 2: keep reading until read returns 0, not "
			     "just once"},
	{"half-close", 2, "step 2: read returning 0 means the client is done "
			  "sending; everything read is written back by then"},
	{"client-reset", 2, "step 2: a failed read or write ends that "
			    "client's thread only: close and return"},
	{"early-close", 2, "step 2: SIGPIPE is ignored for you; an EPIPE from "
			   "write ends that client's thread only"},
	{"slow-sender", 2, "step 2: each thread waits for its own client "
			   "only; no lock is held while reading or writing"},
	{"idle-cpu", 2, "step 2: a thread with nothing to do sleeps in read: "
			"no polling loops, no sleeps and retries"},
	{"slow-reader", 2, "step 2: a client that does not read blocks its "
			   "thread in write, which is the backpressure: no "
			   "buffering beyond one read"},
	{"strategy", 2, "step 2: one thread per client, started at accept "
			"(step 1) and ended, returning from client_thread, "
			"when its client leaves"},
	{"stats", 3, "step 3: every update and every read of the counters "
		     "under stats.lock; count a client at accept, bytes once "
		     "written back; print the copy after unlocking, then fflush"},
	{"concurrent", 4, "step 4: each thread's stack is 8 MiB of address "
			  "space by default: give client threads a small stack "
			  "size (pthread_attr_setstacksize)"},
	{"churn", 4, "step 4: a detached thread that returns gives back its "
		     "stack; every way out of client_thread closes its socket "
		     "and frees what the thread allocated"},
	{"fd-limit", 4, "step 4: when accept fails with EMFILE it fails again "
			"at once until a client leaves: rest before trying "
			"again, or the accept loop spins"},
	{"orderly-exit", 5, "step 5: add SIGINT and SIGTERM to the signal "
			    "thread's set, and exit(0) when one arrives"},
};

/* The statistics again under helgrind, which sees two threads touch them
 * without a lock both hold whether or not an update was lost this time
 * (a plain run sees a short count only when the race bites). About 1 s. */
static const struct plan_variant variants[] = {
	{"stats-race", {"stats", 3, "step 3: a data race on the statistics: "
			"every update and every read of stats.clients and "
			"stats.bytes under stats.lock, in stats_add and "
			"stats_print alike; run the server under valgrind "
			"--tool=helgrind yourself: its first report's two "
			"stacks name the lines"}, NULL, "helgrind"},
};

/* A thread per client: tasks for concurrent's 500 clients and the
 * server's own two, beyond what the user already runs (RLIMIT_NPROC
 * counts every task of the uid), so a budget that means the same for a
 * student whose desktop runs 300 threads as for root. Memory is bounded
 * resident; address space has a backstop (address_space_mb: 3 GiB on 2
 * cores), where glibc's malloc arenas of 500 threads fit, and 500
 * stacks of 256 KiB, but not of 8 MiB (about 380). */
const struct lab lab3 = {
	.number = 3,
	.plan = plan,
	.nplan = sizeof plan / sizeof plan[0],
	.variants = variants,
	.nvariants = sizeof variants / sizeof variants[0],
	.thread_per_client = 1,
	.limits = {.mem_mb = 1024, .nofile = 4096, .nproc = 600, .cpu_s = 120},
};
