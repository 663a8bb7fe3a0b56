/*
 * lab5.c - lab 5 (io_uring, one thread): which tests, in which step of
 * labs/lab5-uring/README.md, with which hint, the limits, and whether
 * this system lets a process have an io_uring at all. No partial-io: its
 * shim shortens the C library's read and write, which an io_uring server
 * does not call; the short sends loopback makes on its own (echo-large,
 * slow-reader) are what step 3 is graded on.
 */
#define _GNU_SOURCE
#include "plans/plans.h"
#include "checks/thresholds.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct plan_entry plan[] = {
	{"starts", 1, "step 1: set up the ring (io_uring_queue_init) and call "
		      "listener_open, which prints the line; nothing else on "
		      "stdout"},
	{"bad-args", 1, "step 1: listener_open checks the command line: call "
			"it with main's argc and argv unchanged"},
	{"addr-in-use", 1, "step 1: listener_open exits 1 when the address is "
			   "taken"},
	{"ipv6", 1, "step 1: hand argv to listener_open unchanged"},
	{"echo-basic", 1, "step 1: submit an accept, wait for its completion "
			  "(io_uring_submit_and_wait), and hand res, the new "
			  "socket, to client_start"},
	{"sequential", 1, "step 1: after each accept's completion submit the "
			  "next one; mark every completion seen"},
	{"sigterm", 2, "step 2: SIGTERM and SIGINT are blocked and read from a "
		       "signalfd through the ring: the loop must come back to "
		       "the ring (no blocking call of step 1's stand-in left) "
		       "and end when that read completes"},
	{"echo-binary", 2, "step 2: send exactly the res bytes the recv "
			   "completion reported; no string functions on the data"},
	{"many-messages", 2, "step 2: a client sends many messages: once an "
			     "echo is sent, its next recv must be in flight "
			     "(echo_received submits it with the send)"},
	{"idle-client", 2, "step 2: never wait for one client: submit its recv "
			   "and go back to the completion loop; every client "
			   "has its own struct client and ops"},
	{"slow-sender", 2, "step 2: a recv completes with whatever bytes "
			   "arrived: echo those, and submit the next recv"},
	{"concurrent", 2, "step 2: user_data must point at the op of the "
			  "right client; a recv buffer is not touched while "
			  "the kernel holds it (send_op busy: wait)"},
	{"strategy", 2, "step 2: one thread waiting in io_uring_enter "
			"(io_uring_submit_and_wait): no epoll, no poll, no "
			"threads"},
	{"idle-cpu", 2, "step 2: wait for a completion "
			"(io_uring_submit_and_wait with 1), never peek in a loop"},
	{"echo-large", 3, "step 3: a send may complete with fewer bytes than "
			  "asked: submit the rest before anything else"},
	{"slow-reader", 3, "step 3: backpressure: no new recv for a client "
			   "until its send has completed in full"},
	{"half-close", 4, "step 4: end of file while a send is busy: set eof, "
			  "and end the client when on_send has sent it all"},
	{"client-reset", 4, "step 4: an error completion ends that client only "
			    "(client_end), and only after both of its ops are back"},
	{"early-close", 4, "step 4: an error on one client ends that client "
			   "only; cancel its other op, free it after that op's "
			   "completion"},
	{"error-completion", 4, "step 4: a negative res is an error, never a "
				"byte count: end the client (client_end); "
				"added to out_sent (a size_t) it takes the "
				"send for done, and the client waits for good"},
	{"churn", 4, "step 4: every client ends in client_end, which closes "
		     "its socket and frees it once neither op is busy"},
	{"fd-limit", 5, "step 5: on -EMFILE rest (a timeout op) before the "
			"next accept: one submitted at once fails at once, again "
			"and again while descriptors are short"},
	{"idle-memory", 6, "step 6: a receive that waits must pin no buffer: "
			   "each client's own two buffers stay pinned while it "
			   "is silent; a multishot receive with "
			   "IOSQE_BUFFER_SELECT takes one from the pool only "
			   "when bytes arrive (and clients allocate none)"},
	{"pool-dry", 6, "step 6: a receive that ends with -ENOBUFS (the pool "
			"ran dry) must be rearmed once buffers are back, and "
			"one that ends for another reason (no IORING_CQE_F_MORE) "
			"rearmed or its client ended"},
};

/* Whether this system lets a process set up an io_uring: some kernels
 * are built without it, the kernel.io_uring_disabled sysctl refuses it,
 * and container seccomp profiles (Docker's default) block its calls. The
 * grader asks for itself, as its servers would. */
static const char *uring_unavailable(void)
{
	static char why[160];
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof p);
	fd = syscall(SYS_io_uring_setup, 1, &p);
	if (fd >= 0) {
		close((int)fd);
		return NULL;
	}
	snprintf(why, sizeof why, "io_uring_setup failed: %s%s", strerror(errno),
		 errno == EPERM ? " (the kernel.io_uring_disabled sysctl, or a "
		 "seccomp profile such as Docker's default, refuses it)"
		 : errno == ENOSYS ? " (a kernel without io_uring, or a seccomp "
		 "profile that blocks it)" : "");
	return why;
}

/* One thread, like lab 2: descriptors for concurrent's 1,000 clients,
 * CPU time for valgrind; the task budget of lab 2, so that a server of
 * threads loses strategy only, alike for root and a student. Its sockets
 * may block: the kernel does the waiting. */
const struct lab lab5 = {
	.number = 5,
	.plan = plan,
	.nplan = sizeof plan / sizeof plan[0],
	.completion = 1,
	.unavailable = uring_unavailable,
	.limits = {.mem_mb = 1024, .nofile = 4096, .nproc = 1100, .cpu_s = 120},
};
