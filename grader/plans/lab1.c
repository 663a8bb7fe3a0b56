/*
 * lab1.c - lab 1 (one client at a time): which tests, in which step of
 * labs/lab1-simple/README.md, with which hint, and the server's limits.
 */
#include "plans/plans.h"
#include "checks/thresholds.h"

static const struct plan_entry plan[] = {
	{"starts", 1, "step 1: check argc, call net_listen, then print the line "
		      "with net_print_listening (it flushes stdout); nothing "
		      "else on stdout"},
	{"sigterm", 1, "step 1: leave SIGTERM and SIGINT their default action, "
		       "which ends the process: do not ignore or block them"},
	{"bad-args", 1, "step 1: a bad command line is a usage line on stderr "
			"and exit(2); NET_EUSAGE from net_listen means the same"},
	{"addr-in-use", 1, "step 1: when net_listen returns NET_ESYS, print "
			   "err.msg on stderr and exit(1)"},
	{"ipv6", 1, "step 1: pass the address text to net_listen unchanged; "
		    "it understands [::1]:PORT"},
	{"echo-basic", 2, "step 2: accept a client, read what it sent, write "
			  "it back, close the client, accept the next"},
	{"sequential", 2, "step 2: close every client's socket when you are "
			  "done with it, or descriptors leak"},
	{"echo-binary", 3, "step 3: echo exactly the n bytes read returned: no "
			   "strlen, no string functions on the data"},
	{"echo-large", 3, "step 3: call echo_once until it returns 0, and make "
			  "write_all loop: write may write fewer bytes than asked"},
	{"partial-io", 3, "step 3: make write_all loop until every byte is "
			  "gone (write may take fewer bytes than asked: "
			  "write the rest from buf + n); when read or write "
			  "fails with EINTR (a signal handler installed without "
			  "SA_RESTART ran), call it again"},
	{"many-messages", 3, "step 3: keep reading and echoing until read "
			     "returns 0, not just once"},
	{"half-close", 3, "step 3: read returning 0 means the client is done "
			  "sending; everything read is written back by then"},
	{"client-reset", 4, "step 4: a failed read or write ends that client "
			    "only: close it and go back to accept"},
	{"early-close", 4, "step 4: writing to a closed connection raises "
			   "SIGPIPE, which kills the server: ignore SIGPIPE"},
	{"client", 5, "step 5 (client.c): net_connect (NET_EUSAGE: exit 2, "
		      "NET_ESYS: exit 1, after err.msg on stderr), send the "
		      "message with net_write_all, shutdown(fd, SHUT_WR), then "
		      "print what comes back until read returns 0, and exit 0"},
};

/* One thread, one client at a time: little memory, few descriptors. The
 * task budget (beyond what the user already runs): lab 1 never has more
 * than a few dozen clients at once (half-close's sweep: 65), so even a
 * server that forks or starts a thread per client fits; a fork bomb not. */
const struct lab lab1 = {
	.number = 1,
	.plan = plan,
	.nplan = sizeof plan / sizeof plan[0],
	.limits = {.mem_mb = 1024, .nofile = 4096, .nproc = 256, .cpu_s = 120},
};
