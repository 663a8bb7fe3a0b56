/*
 * sandbox.h - the student's server as a contained process group: started
 * within limits, its output drained, stopped with every descendant.
 */
#ifndef SERVERLAB_SANDBOX_H
#define SERVERLAB_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

/* Servers one test may have started at once. */
#define MAX_SERVERS 4

#define TAIL_BYTES 2048

/* Bytes a process wrote, of which only the last TAIL_BYTES are kept. */
struct tail {
	char buf[TAIL_BYTES];
	size_t len;     /* bytes kept, <= TAIL_BYTES */
	size_t total;   /* bytes ever written */
	size_t lines;   /* newlines ever written */
};

struct limits {
	unsigned long mem_mb;   /* resident memory (sampled); 0 = none. The
				 * address space has a far backstop only:
				 * address_space_mb */
	unsigned long nofile;   /* RLIMIT_NOFILE */
	unsigned long nproc;    /* tasks the server may add to those its user
				 * already runs (RLIMIT_NPROC counts every
				 * task of the uid; root is not limited) */
	unsigned long cpu_s;    /* RLIMIT_CPU */
};

struct server;

/* Who is told what a server does (--trace); all NULL: nobody. */
struct server_watch {
	void *arg;
	void (*spawned)(void *arg, const struct server *s, char *const argv[]);
	void (*output)(void *arg, const struct server *s, int is_stderr,
		       const char *p, size_t n);
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
	/* Its resident memory bound (KiB; 0: none), when it was last
	 * looked at, and what it had when the grader killed it for going
	 * over (0: never). */
	long mem_limit_kb, mem_killed_kb;
	double mem_checked;
	/* The first line of a sanitizer's report on its stderr ("WARNING:
	 * ThreadSanitizer: data race ..."), "" while there is none. */
	char san_report[160];
	int sanitized;        /* built with ASan or TSan: more memory, kept
			       * longer (ASan's quarantine) */
	/* For --trace: when it was reaped, and when server_stop sent SIGTERM
	 * and, if that was not enough, SIGKILL (0: never). */
	double t_exited, t_term, t_kill;
	struct server_watch watch;
};

struct spawn_opts {
	const char *path;       /* the student's binary */
	const char *const *args; /* its arguments, NULL-terminated */
	struct limits lim;
	const char *vg_tool;    /* run it under this valgrind tool, or NULL */
	/* "NAME=value" settings added to (or replacing) the grader's own
	 * environment, NULL-terminated; NULL for none. */
	const char *const *env;
	struct server_watch watch; /* or {0} */
};

/* Before any server: containment, the subreaper, valgrind's folder.
 * Servers that outlive their kill are warned about after give_up_s. */
void sandbox_init(double give_up_s);
/* RLIMIT_AS for a server of these limits, in MiB (0: none): twice its
 * memory, plus what glibc's malloc may reserve untouched (an arena of
 * 64 MiB for each of up to 8 threads a core), which is address space,
 * not memory; a backstop, as resident memory is what is bounded. */
unsigned long address_space_mb(const struct limits *lim);
/* Of that, what thread stacks may take whatever the cores: twice the
 * memory (a stack is mostly untouched address space). */
unsigned long stack_space_mb(const struct limits *lim);
/* "address" or "thread" when the binary (or archive) at path was built
 * with that sanitizer (it names its runtime's functions), else NULL. */
const char *sanitizer_of(const char *path);


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
/* For the signal handler: SIGKILL the running group, async-signal-safe. */
void sandbox_kill_current(void);

#endif
