/*
 * bench.h - grader bench: one echo load, many servers, side by side.
 *
 *   bench.c         one run: a server started as the grader starts one,
 *                   its clients in lockstep
 *   bench_args.c    the command line
 *   bench_report.c  the progress lines, the table, the CSV and the plot
 */
#ifndef SERVERLAB_BENCH_H
#define SERVERLAB_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_SERVERS 16
#define BENCH_MAX_COUNTS 16
#define BENCH_MAX_REPEATS 9

struct bench_server {
	const char *path;
	char label[64];           /* --as NAME, or from the path */
	const char *env[4];       /* --env NAME=value settings, NULL-ended */
};

struct bench_opts {
	int counts[BENCH_MAX_COUNTS]; /* --clients: each a run */
	size_t ncounts;
	uint32_t size;            /* bytes a message */
	double seconds;           /* each run's measured time */
	int repeat;               /* runs of each server at each count */
	int idle;                 /* --idle: connected, echoed once, idle */
	const char *csv, *svg;
	int quiet;                /* no progress lines */
	struct bench_server servers[BENCH_MAX_SERVERS];
	size_t nservers;
};

enum run_status {
	RUN_OK,
	RUN_SERIALISED, /* some clients never got an echo while others did */
	RUN_FAILED,     /* a wrong byte, a dead server, no start */
};

/* One server at one client count. */
struct bench_run {
	int clients;
	enum run_status status;
	char why[400];            /* serialised or failed: what was seen */
	uint64_t round_trips;     /* completed in the measured time */
	double per_s;             /* round trips per second */
	double per_s_min, per_s_max; /* over the repeats (the median shown) */
	int repeats;
	double p50_s, p99_s, max_s;
	long rss_kb;
	int threads;
	double server_cpu_s, grader_cpu_s; /* in the measured time */
	double wall_s;
};

/* One server at r->clients clients (bench.c; also --leaderboard's run). */
void bench_run(const struct bench_opts *o, const struct bench_server *bs,
	       struct bench_run *r);

/* bench_report.c */
void bench_progress(const struct bench_server *s, const struct bench_run *r);
/* runs[server][count], as the options list them. */
void bench_table(const struct bench_opts *o,
		 struct bench_run runs[][BENCH_MAX_COUNTS]);
int bench_csv(const struct bench_opts *o,
	      struct bench_run runs[][BENCH_MAX_COUNTS], const char *path);
int bench_svg(const struct bench_opts *o, const char *csv, const char *svg);

/* grader bench ARGS: argv[0] is "bench". */
int bench_main(int argc, char **argv);
/* o from bench's arguments (argv[0] is "bench"), descriptors checked;
 * a usage error exits 2 (bench_args.c). */
void bench_parse_args(int argc, char **argv, struct bench_opts *o);

#endif
