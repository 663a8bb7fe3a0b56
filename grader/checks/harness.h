/*
 * harness.h - what the tests share: the grading's settings, one test's
 * world (ctx), starting servers, failing, waiting, counting.
 */
#ifndef SERVERLAB_HARNESS_H
#define SERVERLAB_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/flows.h"
#include "engine/sandbox.h"
#include "engine/trace.h"
#include "checks/lab.h"
#include "net.h"

/* What the command line asked of this grading. */
struct options {
	int lab;
	int step;             /* 0 = every step */
	const char *only;     /* --test NAME, or NULL */
	/* --valgrind: "memcheck", --helgrind: "helgrind"; NULL: neither.
	 * Servers run under that valgrind tool, every test's findings
	 * failing that test. */
	const char *vg_tool;
	int verbose;
	int trace;            /* --trace: the test's transcript */
	const char *json;     /* --json FILE, or NULL */
	const char *prairielearn; /* --prairielearn FILE, or NULL */
	int autolab;          /* --autolab: Autolab's line, last on stdout */
	int leaderboard;      /* --leaderboard: race the server after grading */
	const char *batch;    /* --batch DIR, or NULL */
	const char *csv;      /* --csv FILE (with --batch) */
	const char *build_failed; /* --build-failed LOG (with --json), or NULL */
	int jobs;             /* --jobs J: submissions graded at once */
	int classroom;        /* --classroom: print the workflow, grade nothing */
	const char *find;     /* --find DIR: print the folder of DIR graded */
	/* --from FOLDER: the submission's folder that was graded, as its
	 * author knows it (said first in the output); --shown-as PATH: the
	 * server as the student's repository has it, for the reproduce
	 * lines (run there, from its top: grader/grader ... PATH). */
	const char *from, *shown_as;
	const char *client;   /* --client PATH: lab 1's client, or NULL */
	/* --if-unavailable: the score of a lab this system cannot run (lab 5
	 * where io_uring is refused) in --json's file: "full", "zero" or
	 * "pending" (0, the tests shown once the instructor publishes). */
	const char *if_unavailable;
	int list;             /* --list: print the lab's tests, grade nothing */
	const char *server;   /* the binary under test, as typed */
	/* --args TEMPLATE: the server keeps another contract (no listening
	 * line, stdout a log); its arguments, {addr} {host} {port} filled
	 * in (harness_any.c). NULL: the kit's contract, `server ADDRESS`. */
	const char *args_template;
	const char *self;     /* the grader, as typed (argv[0]) */
};

/* One test's world: the servers it started and what it found. */
struct ctx {
	const struct options *opt;
	const struct lab *lab;
	double scale;         /* multiplies every time threshold */
	struct server srv[MAX_SERVERS];
	int nsrv;
	unsigned long nofile; /* RLIMIT_NOFILE for the next server; 0 = lab's */
	const char *env[5];   /* "NAME=value" for the next server, NULL-ended */
	const char *hint;     /* a failure's own hint, over the plan's; NULL */
	const char *path;     /* the next spawn's binary; NULL: the server */
	struct trace *trace;  /* --trace, or NULL */
	char addr[NET_ADDRSTRLEN]; /* from the first server's listening line */
	int skipped;
	const char *skip_why; /* why, when not "not available on this
			       * machine": what it lacks, or why this run
			       * cannot judge the test */
	int not_started;      /* no "listening on" line: blame step 1 */
	/* A failure the tests that need this one can run despite (starts:
	 * stdout carries more than the line). */
	int dependents_may_run;
	int started;          /* a server of the test printed its line */
	char note[240];       /* said beside a pass: what the grader could
			       * not check, or a convention not the kit's */
	int no_by_hand;       /* a mistake nc's one client cannot show */
	char expected[256];   /* set by a failing test */
	char happened[768];
};

/* What the test's own hint may not know, into c->hint: a thread leak or
 * big stacks, a descriptor handed over by pointer, a blocking socket
 * (harness_diagnose.c). */
void diagnose(struct ctx *c);
/* "; its stderr said \"...\"": the first line that looks like an error
 * and the last, or "" when the server wrote nothing there. */
void stderr_quote(const struct server *s, char *buf, size_t len);
/* Record a failure; always returns -1. */
int fail(struct ctx *c, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A short pause, only doubled under valgrind (T.brief_scale). */
double brief(const struct ctx *c, double seconds);
/* The server runs under valgrind or was built with a sanitizer: its CPU,
 * memory and maps are partly the tool's. */
int under_tool(const struct ctx *c, const struct server *s);
/* 1 and "the server was killed by SIGPIPE" in buf if it is gone. */
int server_gone(struct server *s, double wait_s, char *buf, size_t len);
/* Start the student's binary with args, within the lab's limits. */
struct server *spawn(struct ctx *c, const char *const *args);
/* Start it on addr and read its line; c->addr is then HOST:PORT. */
struct server *start_server(struct ctx *c, const char *addr,
			    const char *want_host);
/* start_server for --args: on a port the grader picked, started once
 * it listens there (harness_any.c). */
struct server *start_any_server(struct ctx *c, const char *addr,
				const char *want_host);
/* The server printed no line: if it listens anyway, a hint saying so. */
void listening_anyway(struct ctx *c, struct server *s);
/* The server's process tree is at the lab's task budget: a hint that
 * says so (a lab's limit, not a flaw of the echo); else NULL. */
const char *budget_hint(const struct ctx *c, const struct server *s);
#define TEMPLATE_WORD 256
/* The template's words with {addr}, {host} and {port} from addr (a
 * leading SERVER dropped: the binary is argv[0]); addr NULL drops the
 * words that would carry it. Into argv (NULL-ended, at most max); the
 * count. */
int template_args(const char *tmpl, const char *addr,
		  char words[][TEMPLATE_WORD], const char **argv, int max);
/* A port free on loopback now (IPv6's when v6); 0 if none was had. */
unsigned pick_port(int v6);
/* The port of a TCP socket pid listens on (want, or any when 0): the
 * port, 0 for none, -1 when pid's descriptors cannot be read. */
int proc_listen_port(pid_t pid, unsigned want);
/* A server started as above and flows aimed at it. */
struct server *serve(struct ctx *c, const char *addr, const char *want_host,
		     struct flows *fs);
int aim_flows(struct ctx *c, struct server *s, struct flows *fs);
/* Run every flow to its end; a failure explains the first bad one. */
int run_flows(struct ctx *c, struct flows *fs, struct server *s,
	      double seconds, const char *expected);
/* Let non-reading flow i send until the buffers between are full. */
void push_until_stuck(struct ctx *c, struct flows *fs, size_t i,
		      double seconds);
/* Narrow clients that send, shut down, and read only later. */
size_t start_late_readers(struct ctx *c, struct flows *fs, int count,
			  uint32_t step, uint32_t seed);
/* One client with one script, on a fresh server. */
int echo_once(struct ctx *c, const struct flow_spec *spec, double seconds,
	      const char *expected);
/* A small echo to a new client on a running server; a failure has the
 * probe's own hint (the server died of what, or is stuck), not the
 * test's: the test's own check may have passed. */
int still_serves(struct ctx *c, struct server *s, const char *after);
/* The same probe as a test's whole subject (client-reset: the server
 * survives a reset): a failure keeps the test's own hint. */
int survives(struct ctx *c, struct server *s, const char *after);
/* A /proc reading failed: explain why (never a pass). */
int unreadable(struct ctx *c, struct server *s, const char *expected);
/* Descriptors after a first client. */
int fd_baseline(struct ctx *c, struct server *s, int *baseline);
/* A count /proc gives, and what it staying high means. */
struct gauge {
	const char *name;
	int (*read)(pid_t pid);
	const char *advice;
};
extern const struct gauge gauge_fds, gauge_threads;
/* Wait (up to T.settle_s) until the gauge reads baseline or less. */
int settle(struct ctx *c, struct server *s, const struct gauge *g,
	   int baseline, const char *after);
/* While other clients hold the server, client B's echo comes back. */
int b_is_served(struct ctx *c, struct flows *fs, struct server *s,
		const char *expected);
/* A thread per client's stacks, all its clients connected, fit what the
 * lab allows them (stack_space_mb): checked, not left to the address
 * space backstop, which grows with the machine's cores. 0 if they fit. */
int stacks_fit(struct ctx *c, struct server *s, const char *expected);
/* Every flow (END_HOLD) has had all its echo, within T.echo_s; or
 * within seconds (both scaled for valgrind). */
int await_settled(struct ctx *c, struct flows *fs, struct server *s,
		  const char *expected);
int await_settled_within(struct ctx *c, struct flows *fs, struct server *s,
			 double seconds, const char *expected);
/* The server's death or the first failed flow, explained; else 0. */
int any_flow_failed(struct ctx *c, struct flows *fs, struct server *s,
		    const char *expected);

#endif
