/*
 * grader.h - the pieces of the grader and how they fit.
 *
 *   main.c         command line, running the plan, PASS/FAIL lines, JSON
 *   thresholds.c   every threshold a verdict depends on (T)
 *   catalogue.c    the test table (name, points, function, by-hand line)
 *                  and the list of labs
 *   labN.c         one lab's plan: its tests, README steps, hints, limits
 *   harness.c      what tests share: starting servers, failing, waiting
 *   contract.c     the tests of the echo contract (every lab)
 *   concurrency.c  the tests of serving many clients at once (labs 2-5)
 *   sandbox.c      the student's server as a contained process group
 *   flows.c        client connections driven from one epoll loop
 *   pattern.c      the bytes they send, from a seed and an offset
 *   procfs.c       what /proc says about a process (fds, threads, RSS, CPU)
 *   trace.c        --trace: one test's transcript, from what the above note
 *   reproduce.c    the lines a failure gives to paste: reproduce, by hand
 *   client.c       lab 1's client, graded against the grader's own echo
 *   leaderboard.c  --leaderboard: round trips per second, for racing
 *   platforms.c    PrairieLearn's and Autolab's formats of a grading
 *   submission.c   which folder of a submission (a repository) is graded
 *   latency.c      round-trip times as a log-bucket histogram
 *   bench*.c       grader bench: servers side by side (bench.h)
 *   inject/shortio.c  not part of the grader binary: the shared library
 *              partial-io preloads into the server (short counts, EINTR)
 */
#ifndef SERVERLAB_GRADER_H
#define SERVERLAB_GRADER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net.h"

/* ---- thresholds.c ------------------------------------------------ */

/* Every threshold in one place. Times are multiplied by ctx->scale (valgrind
 * slows a server 10-50 times) and are generous: a correct server on a busy
 * 2-core machine answers in milliseconds; these fail only at seconds. */
struct thresholds {
	double listen_s;      /* until the "listening on" line */
	double exit_s;        /* a server that must refuse to start */
	double echo_s;        /* a small echo */
	double bulk_s;        /* a test's bulk transfer */
	double settle_s;      /* descriptors back to baseline after clients */
	double stall_s;       /* no byte moved on any connection: give up */
	uint64_t large_bytes; /* echo-large */
	int messages;         /* many-messages round trips */
	uint32_t message_size;
	uint64_t partial_bytes; /* partial-io: a bulk echo, then */
	int partial_messages;   /* so many lockstep messages */
	int sequential;       /* clients one after another, */
	uint32_t sequential_bytes; /* each echoing so much text */
	uint64_t halfclose_bytes;
	int halfclose_sweep;  /* half-close's late readers: so many, */
	uint32_t halfclose_step; /* sending this much more each */
	uint64_t reset_bytes; /* client-reset */
	int early_sweep;      /* early-close: so many clients, */
	uint32_t early_step;  /* each sending this much more */
	double early_watch_s; /* watching for CLOSE_WAIT: give up after so
			       * long without catching one */
	double early_stable_s; /* caught only when stuck so long */
	/* Labs 2-4. SPEC's idle-client says 200 ms; a server that serves one
	 * client at a time never answers B at all, so 2 s loses nothing and
	 * keeps a correct server safe on a loaded machine. */
	double other_echo_s;  /* B's echo while A idles or dawdles */
	double slow_gap_s;    /* slow-sender: one byte per gap, */
	uint64_t slow_sender_bytes; /* at most so many */
	uint32_t probe_bytes; /* client B's echo; "still serves?" probes */
	uint64_t slow_reader_bytes;
	long rss_growth_kb;   /* slow-reader: server memory may grow this much */
	int concurrent;       /* clients at once */
	int concurrent_threads; /* for a thread per client (lab 3) */
	int rounds;           /* round trips per concurrent client */
	uint32_t max_message; /* concurrent: message sizes 1..max_message */
	int churn_cycles, churn_parallel;
	uint32_t churn_bytes; /* each cycle's echo: enough that a buffer
			       * leaked per client shows in memory */
	long churn_rss_growth_kb; /* churn: server memory may grow this much */
	int idle_clients;     /* idle-cpu: connected, echoed once, then idle */
	double idle_watch_s;  /* for so long, using under */
	double idle_cpu;      /* runnable seconds per second */
	unsigned long fd_limit; /* fd-limit: the server's RLIMIT_NOFILE */
	int fd_limit_clients;
	double fd_limit_cpu;  /* runnable seconds per second (on a CPU or
			       * queued for one) while clients wait */
	int strategy_clients;
	int thread_slack;     /* lab 3's strategy: threads beyond one a client */
	int stats_clients;    /* stats: each of two workloads, clients at once */
	int stats_rounds;     /* each client's round trips, of */
	uint32_t stats_max_message; /* 1..this many bytes */
	double stats_answer_s; /* SIGUSR1 to its stats line, counts complete */
	double term_exit_s;   /* orderly-exit: SIGTERM to exit(0) */
	/* Under valgrind a server runs 10-50 times slower: deadlines are
	 * multiplied by valgrind_scale, short pauses (which a test spends
	 * whether or not the server is quick) only by brief_scale, and memory
	 * bounds by valgrind_mem_scale (memcheck's own bookkeeping: its queue
	 * of freed blocks, 20 MB, and a record of every thread; lab 3's churn
	 * grew by 52 MiB under memcheck against 16 MiB allowed without). */
	double valgrind_scale, brief_scale, valgrind_mem_scale;
	long sanitizer_mem_mb; /* ASan's quarantine, added to memory bounds */
	double test_limit_s;  /* one test, start to end (times the scale) */
	double stop_grace_s;  /* SIGTERM to SIGKILL when a test ends (same) */
	double kill_give_up_s; /* descendants still alive: warn, give up */
};
extern const struct thresholds T;

/* ---- time ---------------------------------------------------------- */

double now_s(void); /* CLOCK_MONOTONIC, in seconds */
void sleep_s(double s);

/* Set by SIGINT/SIGTERM/SIGHUP/SIGQUIT: every wait in the grader checks it. */
extern volatile int grader_interrupted;
/* When the running test must end (0: no limit). */
extern double test_deadline;
/* Interrupted, or the test's time is up: every wait stops. */
int time_is_up(void);

/* ---- sandbox.c ----------------------------------------------------- */

#define TAIL_BYTES 2048

/* Bytes a process wrote, of which only the last TAIL_BYTES are kept. */
struct tail {
	char buf[TAIL_BYTES];
	size_t len;     /* bytes kept, <= TAIL_BYTES */
	size_t total;   /* bytes ever written */
	size_t lines;   /* newlines ever written */
};

struct limits {
	unsigned long mem_mb;   /* RLIMIT_AS; 0 = none */
	unsigned long nofile;   /* RLIMIT_NOFILE */
	unsigned long nproc;    /* tasks the server may add to those its user
				 * already runs (RLIMIT_NPROC counts every
				 * task of the uid; root is not limited) */
	unsigned long cpu_s;    /* RLIMIT_CPU */
};

struct server {
	pid_t pid;            /* 0 when not running; also its process group */
	int out_fd, err_fd;   /* read ends of its stdout and stderr, or -1 */
	struct tail out, err;
	char first_line[256]; /* the first stdout line, once complete */
	size_t line_len;
	int have_line;
	int exited;           /* reaped; status below is valid */
	int stopped;          /* server_stop ran: never signal pid again */
	int status;           /* as from waitpid */
	char vg_log[64];      /* valgrind's log file, "" when not used */
	/* The first line of a sanitizer's report on its stderr ("WARNING:
	 * ThreadSanitizer: data race ..."), "" while there is none. */
	char san_report[160];
	int sanitized;        /* built with ASan or TSan: more memory, kept
			       * longer (ASan's quarantine) */
	/* For --trace: when it was reaped, and when server_stop sent SIGTERM
	 * and, if that was not enough, SIGKILL (0: never). */
	double t_exited, t_term, t_kill;
	struct trace *trace;  /* told what it prints; NULL when not tracing */
};

struct spawn_opts {
	const char *path;       /* the student's binary */
	const char *const *args; /* its arguments, NULL-terminated */
	struct limits lim;
	const char *vg_tool;    /* run it under this valgrind tool, or NULL */
	/* "NAME=value" settings added to (or replacing) the grader's own
	 * environment, NULL-terminated; NULL for none. */
	const char *const *env;
	struct trace *trace;    /* --trace, or NULL */
};

void sandbox_init(void);
/* "address" or "thread" when the binary (or archive) at path was built
 * with that sanitizer (it names its runtime's functions), else NULL. */
const char *sanitizer_of(const char *path);

/* ---- files.c ------------------------------------------------------ */

int copy_file(const char *from, const char *to, unsigned mode); /* 0 or -1 */
int write_text(const char *path, const char *text);  /* all of it: 0, or -1 */
void remove_tree(const char *path);                  /* what it can of it */

/* ---- contain.c: no new privileges, a file-size limit, a scratch
 * working directory; as root, an unprivileged uid for servers ---------- */

extern int contain_slot; /* before sandbox_init: batch's job slot + 1, or 0 */
/* sandbox_init calls both: contain_enter first (the namespaces; only the
 * process that grades returns from it), contain_init once vg_dir is made. */
void contain_enter(void);
void contain_init(const char *vg_dir);
unsigned contain_uid(void);            /* servers' uid if not ours, or 0 */
const char *contain_work_dir(void);    /* their working folder, or "" */
/* A path the servers' uid can run: path itself, or a copy of it. */
const char *contain_path(const char *path);
void contain_child(void);              /* in the child, before exec */
void contain_describe(FILE *f);        /* what holds, for --verbose */
/* unshare a user namespace and write its maps ("ID ID 1\n"): 0; -1 when
 * there is none to have; 1 when in one whose maps could not be written. */
int user_namespace_as(const char *uid_map, const char *gid_map);
int server_spawn(struct server *s, const struct spawn_opts *o, char *why,
		 size_t whylen);
/* Drain its pipes; 1 when something was read. Never blocks. */
int server_drain(struct server *s);
/* Reap it if it has exited; returns s->exited. Never blocks. */
int server_check_exit(struct server *s);
/* Wait for the "listening on" line, or exit, or the deadline. */
int server_await_line(struct server *s, double deadline);
/* Wait up to the deadline for the process to exit by itself. */
int server_await_exit(struct server *s, double deadline);
/* SIGTERM, a grace period, then SIGKILL for the whole group and every
 * descendant, until none is left; pipes closed. Safe to call twice. */
void server_stop(struct server *s, double grace_s);
/* Kill and reap every descendant of the grader, wherever it went. */
void sandbox_sweep(void);
/* handler for SIGINT, SIGTERM, SIGHUP and SIGQUIT: the ways to stop us. */
void on_stop_signals(void (*handler)(int));
/* Hold those four signals back (1), or put the mask back as it was (0). */
void hold_stop_signals(int hold);
/* Set once the grader is pid 1 of its namespace: stop signals from inside
 * it (a server's) are then ignored. */
extern volatile int stop_signals_from_outside;
/* For the signal handler: SIGKILL the running group, async-signal-safe. */
void sandbox_kill_current(void);
/* "exited with status 3", "killed by SIGSEGV (segmentation fault)" */
void describe_status(int status, char *buf, size_t len);

/* ---- procfs.c ------------------------------------------------------ */

int proc_fd_count(pid_t pid);          /* -1 if unreadable */
int proc_blocking_sockets(pid_t pid);  /* sockets without O_NONBLOCK */
int proc_threads(pid_t pid);           /* -1 if unreadable */
long proc_rss_kb(pid_t pid);           /* -1 if unreadable */
long proc_vm_peak_kb(pid_t pid);       /* the most address space it held */
int proc_catches_signal(pid_t pid, int sig); /* a handler is set: 1, 0, -1 */
double proc_cpu_s(pid_t pid);          /* user + system; -1 if unreadable */
double proc_runnable_s(pid_t pid);     /* on a CPU or queued for one */
int proc_uses_epoll(pid_t pid);        /* an anon_inode:[eventpoll] fd */
int proc_uses_uring(pid_t pid);        /* an anon_inode:[io_uring] fd */
int proc_io_workers(pid_t pid);        /* the kernel's io_uring threads */
int proc_maps_file(pid_t pid, const char *name); /* 1, 0, -1 unreadable */
int proc_waits_in_poll(pid_t pid);      /* asleep in poll/select/epoll_wait */
int proc_descendants(pid_t root, pid_t *out, int max); /* count found */
long proc_user_tasks(uid_t uid);       /* what RLIMIT_NPROC counts */
/* For each of n connections from remote_ports[k] to local_port: its TCP
 * state (-1: none such) and send queue. 0, or -1 if unreadable. */
int proc_tcp_sockets(unsigned local_port, size_t n, const unsigned *remote_ports,
		     int *states, long *send_queues);

/* ---- latency.c ----------------------------------------------------- */

/* A histogram of times with buckets 1/16 of a doubling wide (HdrHistogram's
 * idea): a quantile is within 7% of the truth whatever the count, in a
 * fixed 8 KiB, where a sorted array of every sample grows with the run. */
#define LATENCY_BUCKETS (64 * 16)
struct latency {
	uint64_t count;
	double max_s;
	uint64_t bucket[LATENCY_BUCKETS];
};
void latency_add(struct latency *h, double seconds);
/* The time below which a fraction q of them fell (0 <= q <= 1), in
 * seconds: a bucket's upper end, never above the largest seen. */
double latency_quantile(const struct latency *h, double q);

/* ---- flows.c ------------------------------------------------------- */

enum pattern { PAT_RANDOM, PAT_ALLBYTES, PAT_TEXT };

/* What a flow does once it has sent everything it means to send. */
enum flow_end {
	END_CLOSE,      /* after every byte came back, close */
	END_HALFCLOSE,  /* shutdown(SHUT_WR) at once; done at EOF after all bytes */
	END_RESET,      /* close with SO_LINGER 0: the server sees a reset */
	END_HOLD,       /* after every byte came back, stay connected, idle */
};

struct flow_spec {
	uint64_t total;        /* bytes to send (computed when rounds > 0) */
	uint32_t rounds;       /* lockstep messages to send; 0 = as total says */
	enum pattern pattern;
	uint32_t seed;
	uint32_t msg_min, msg_max; /* lockstep message sizes; 0 = stream */
	uint32_t chunk;        /* most bytes per send(); 0 = no cap */
	double gap_s;          /* pause between chunks (slow sender) */
	int paused;            /* do not read until flow_resume() */
	int narrow;            /* tiny receive buffer and MSS: the server's
				* writes to this client go out in pieces */
	int nodelay;           /* TCP_NODELAY: each send goes out at once */
	uint32_t source;       /* bind to this IPv4 address (host order)
				* before connecting; 0 = the kernel's pick */
	enum flow_end end;
};

enum flow_state { FLOW_CONNECTING, FLOW_RUNNING, FLOW_DONE, FLOW_FAILED };

/* What --trace tells of a flow, noted as it runs: times, counts, and the
 * bytes that came instead of the first wrong one. The rest needs no
 * copy: what a flow sent, and what came back before that byte, is its
 * pattern. */
#define GOT_KEPT 12
struct flow_log {
	unsigned id;           /* its number in the test's trace; 0: none */
	unsigned port;         /* its local port (traced flows only) */
	double t_start, t_connected, t_first_send, t_last_send, t_shutdown,
	       t_resumed, t_first_recv, t_last_recv, t_eof, t_end;
	uint32_t sends, recvs; /* calls that moved bytes */
	uint8_t got[GOT_KEPT]; /* received from byte `echoed` on, on a */
	uint8_t ngot;          /* mismatch or bytes never sent */
};

struct flow {
	struct flow_spec spec;
	enum flow_state state;
	int fd;
	uint64_t sent, echoed;   /* bytes sent; bytes received and checked */
	uint64_t msg_start, msg_end; /* lockstep: the current message's offsets */
	double msg_sent_at;      /* when its first byte went out; 0: not yet */
	double next_send;        /* paced flows: earliest next send */
	double last_progress;
	uint32_t rng;            /* lockstep message sizes */
	uint32_t armed;          /* epoll events currently asked for */
	char why[200];           /* for FLOW_FAILED */
	struct flow_log log;
};

struct flows {
	int epfd;
	struct sockaddr_storage target;
	socklen_t target_len;
	struct flow *v;
	size_t n, cap;
	size_t active;           /* neither DONE nor FAILED */
	double stall_s;          /* flows_run gives up after this long with no
				  * progress on any flow; 0 = never */
	double last_progress;
	double last_look;        /* when epoll_wait last returned */
	struct server *srv;      /* drained while flows run; may be NULL */
	struct trace *trace;     /* told of every flow once freed; or NULL */
	struct latency *latency; /* given each lockstep message's round trip
				  * time; or NULL */
	size_t paced;            /* flows with a gap_s: the loop's timers */
};

int flows_init(struct flows *fs, const char *addr, struct server *srv);
void flows_free(struct flows *fs);
/* Start a flow; returns its index, or -1 with why set. */
long flow_start(struct flows *fs, const struct flow_spec *spec);
void flow_resume(struct flows *fs, size_t i);
/* Close flow i at once with SO_LINGER 0: the server sees a reset. */
void flow_reset(struct flows *fs, size_t i);
/* Flow i's local port, and the bytes waiting unread in its socket. */
unsigned flow_local_port(const struct flows *fs, size_t i);
long flow_unread(const struct flows *fs, size_t i);
/* Close and forget every flow's socket (counts as neither pass nor fail). */
void flows_close_all(struct flows *fs);
/* Run until no flow is active, or the deadline; 0 when all finished. */
int flows_run(struct flows *fs, double deadline);
/* Run until fewer than limit flows are active, or the deadline. */
int flows_run_below(struct flows *fs, size_t limit, double deadline);
/* Flow i is done sending and every byte came back (END_HOLD, idle). */
int flow_settled(const struct flow *f);
/* Run until flow i is DONE/FAILED, or the deadline. */
int flows_run_until(struct flows *fs, size_t i, double deadline);
/* Run for a while (idle connections, paced flows), then return. */
void flows_run_for(struct flows *fs, double seconds);
/* The first failed flow's story, or NULL. */
const struct flow *flows_first_failure(const struct flows *fs);
void flow_describe(const struct flow *f, char *buf, size_t len);

/* n bytes of a pattern, from offset from on (pattern.c). */
void pattern_fill(enum pattern p, uint32_t seed, uint64_t from, uint8_t *buf,
		  size_t n);
/* A loopback address (in 127/8) that this run alone uses, for flows whose
 * fate must not depend on what the kernel remembers of a peer: Linux
 * caches TCP metrics (cwnd, reordering) per address, and those size the
 * server's buffers. A fresh one on each call (pattern.c). */
uint32_t fresh_loopback(void);

/* ---- trace.c ------------------------------------------------------- */

/* One test's transcript (--trace): its connections, its servers' lines
 * and exits, with times from the test's start. It keeps a bounded number
 * of connections in full (the first, and the troubled) and counts the
 * rest. */
struct trace;
struct trace *trace_new(void); /* now is the test's start; NULL: no memory */
void trace_free(struct trace *t);
unsigned trace_conn_id(struct trace *t); /* the next connection's number */
void trace_spawned(struct trace *t, const struct server *s,
		   char *const argv[]);
void trace_output(struct trace *t, const struct server *s, int is_stderr,
		  const char *p, size_t n);
void trace_flow(struct trace *t, const struct flow *f); /* before it goes */
void trace_print(struct trace *t, const char *test); /* on stdout */

/* ---- the catalogue and main.c -------------------------------------- */

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
	const char *server;   /* the binary under test, as typed */
	const char *self;     /* the grader, as typed (argv[0]) */
};

#define MAX_SERVERS 4

/* Where a test sits in one lab: its README step and the hint for it. */
struct plan_entry {
	const char *test;
	int step;
	const char *hint;
};

/* A test run again, under a name of its own, with a setting in the
 * server's environment (lab 2: the poll backend once epoll is in). */
struct plan_variant {
	const char *name;
	struct plan_entry entry;
	const char *env;      /* "NAME=value" */
};

/* The grader's exit status when the lab cannot run here at all (lab 5
 * without io_uring): automake's "skipped", neither a pass nor a fail. */
#define SKIPPED_EXIT 77

/* One lab: its plan, and the limits its servers run within (a thread per
 * client needs other ones than a single thread). */
struct lab {
	int number;
	const struct plan_entry *plan;
	size_t nplan;
	const struct plan_variant *variants; /* run after the plan */
	size_t nvariants;
	/* Its server is one thread, and every socket of it non-blocking: a
	 * second thread or a blocking socket explains any failure first. */
	int one_thread, nonblocking;
	/* Its server gives each client a thread (lab 3): concurrent uses
	 * T.concurrent_threads clients, strategy counts threads. */
	int thread_per_client;
	/* Its server hands operations to an io_uring (lab 5): strategy wants
	 * one, and no epoll or poll; unavailable() says why this system
	 * cannot run it (NULL: it can), and then the lab is skipped. */
	int completion;
	const char *(*unavailable)(void);
	struct limits limits;
};

/* What main runs: the plan's entries, then its variants, in order. */
struct plan_run {
	const char *name;
	const struct plan_entry *entry;
	const char *env;      /* or NULL */
};

/* One test's world: the servers it started and what it found. */
struct ctx {
	const struct options *opt;
	const struct lab *lab;
	double scale;         /* multiplies every time threshold */
	struct server srv[MAX_SERVERS];
	int nsrv;
	unsigned long nofile; /* RLIMIT_NOFILE for the next server; 0 = lab's */
	const char *env[4];   /* "NAME=value" for the next server, NULL-ended */
	const char *hint;     /* a failure's own hint, over the plan's; NULL */
	const char *path;     /* the next spawn's binary; NULL: the server */
	struct trace *trace;  /* --trace, or NULL */
	char addr[NET_ADDRSTRLEN]; /* from the first server's listening line */
	int skipped;
	int not_started;      /* no "listening on" line: blame step 1 */
	int started;          /* a server of the test printed its line */
	char expected[256];   /* set by a failing test */
	char happened[768];
};

struct test {
	const char *name;
	int points;
	int (*run)(struct ctx *); /* 0 pass, -1 fail (expected/happened set) */
	/* The client part of a by-hand line (see reproduce.c), or NULL. */
	const char *by_hand;
};

const struct test *test_find(const char *name);
const struct lab *lab_find(int number); /* NULL: not in the kit */
/* The lab's runs in order, at most max; returns the count. */
size_t lab_runs(const struct lab *lab, struct plan_run *out, size_t max);

/* ---- grade.c and report.c ----------------------------------------- */

#define MAX_RUNS 64

/* One test's verdict, as printed, kept for --json and batch's rows. */
struct result {
	const struct test *test;
	const struct plan_run *run;
	const char *name;     /* run->name */
	int score, skipped, stopped;
	/* What batch's status says: a server killed by a signal of its own
	 * (SIGSEGV...), the test over its time limit, a server that never
	 * printed "listening on", one that did. */
	int crashed, late, not_started, started;
	char output[3200];
};

/* One server graded: the tests that ran, in the lab's order. */
struct grading {
	struct plan_run runs[MAX_RUNS]; /* the lab's, selected or not */
	size_t nruns;
	struct result results[MAX_RUNS];
	size_t n;
	int score, max;
	double seconds;
	char output[4096];    /* results.json's top-level output; "": the score */
	const char *from;     /* --from: said first in that output; or NULL */
	const char *visibility; /* every test's in results.json; NULL: visible */
	int ranked;           /* --leaderboard measured (leaderboard.c): */
	double leaderboard;   /* round trips per second; 0 if the run failed */
};

/* g as a plan: the lab's runs, and in results[0..n) those --step and
 * --test leave in (run, name and test set), max their points. */
void grade_plan(const struct options *o, const struct lab *lab,
		struct grading *g);
/* Run the selected tests against o->server, each line printed as it
 * finishes; stops early only when the grader is interrupted. */
void grade_server(const struct options *o, const struct lab *lab,
		  struct grading *g);
/* Gradescope's results.json of g at path; -1 (said on stderr) if it
 * cannot be written. */
int report_json(const char *path, const struct grading *g);
/* g for a submission that did not build: every selected test at 0, the
 * compiler's first lines (from the file log) as the output. */
void report_unbuilt(const struct options *o, const struct lab *lab,
		    const char *log, struct grading *g);
/* A results file: opened for writing, and closed after its tests[]'s
 * last entry (the list and the object ended); each says why it failed. */
FILE *open_report(const char *path);
int close_report(FILE *f, const char *path);
/* JSON's string of s, valid UTF-8 whatever s holds (report.c). */
void json_string(FILE *f, const char *s);
/* g's top-level output as a JSON string: which folder was graded
 * (--from), then the output or the score. */
void report_text(FILE *f, const struct grading *g);
/* platforms.c: PrairieLearn's results.json at path (gradable 0: a
 * submission that cannot be graded); Autolab's autoresult line on stdout;
 * and every format o asks for (-1 if a file could not be written). */
int report_prairielearn(const char *path, const struct grading *g, int gradable);
void report_autolab(const struct grading *g);
int report_all(const struct options *o, const struct grading *g, int gradable);
/* g for a lab this system cannot run (why): every selected test scored
 * as o->if_unavailable says, and the output says why, plainly. */
void report_unavailable(const struct options *o, const struct lab *lab,
			const char *why, struct grading *g);
/* s between q's, each q inside doubled (CSV's and gnuplot's quoting). */
void put_quoted(FILE *f, const char *s, char q);
/* --leaderboard: g's round trips per second under bench's load (labs
 * with a concurrent test), printed and kept for the results. */
void grade_leaderboard(const struct options *o, const struct lab *lab,
		       struct grading *g);
/* --batch: grade every submission folder of o->batch (batch.c). */
int batch_main(const struct options *o, const struct lab *lab);
/* The folder of the submission at root that holds lab's files, relative
 * to root ("." for its top): 0, or -1 when none has any (submission.c). */
int submission_folder(const char *root, int lab, char *out, size_t len);
/* --classroom: the lab's GitHub Classroom workflow on stdout. */
int classroom_print(const struct lab *lab);

/* s as a whole number from lo to hi; anything else goes to usage_fn with
 * "WHAT takes a whole number from LO to HI" (usage_fn does not return). */
long parse_number(const char *s, long lo, long hi, const char *what,
		  void (*usage_fn)(const char *why));
/* An option neither parser knows: --help and -h ask usage_fn for the
 * usage (NULL), anything else is "unknown option 'A'". */
void option_not_known(const char *a, void (*usage_fn)(const char *why));
/* grader bench ARGS (bench.c): argv[0] is "bench". */
int bench_main(int argc, char **argv);

/* ---- reproduce.c --------------------------------------------------- */

/* The grader's own command line for one test with --trace, with the
 * paths as the user typed them. */
void reproduce_line(const struct options *o, const char *test, char *out,
		    size_t len);
/* A plain sh line that shows test's problem with nc and cmp and stops
 * the server it started on every path; -1 where the test has none. */
int by_hand_line(const struct test *t, const char *server, char *out,
		 size_t len);

#endif
