/*
 * bench.c - grader bench: the same echo load against each server named.
 *
 * Each run starts the server afresh, as the grader does (contained, on
 * 127.0.0.1:0, its "listening on" line read), connects the clients, and
 * lets each one send a message, wait for its whole echo, and send the
 * next, from the grader's own epoll loop (flows.c), which checks every
 * byte. A warm-up until every client has had one echo comes first, so
 * the measured seconds see only the steady state.
 */
#define _GNU_SOURCE
#include "cli/bench.h"
#include "cli/options.h"
#include "checks/harness.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/flows.h"
#include "engine/latency.h"
#include "engine/procfs.h"
#include "engine/sandbox.h"
#include "engine/status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* The warm-up waits while clients keep getting their first echo; this
 * long with no new one ends it (WAVE: see warm_up). */
#define WARM_STALL_S 4.0
#define WAVE 1000

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void run_failed(struct bench_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void run_failed(struct bench_run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	r->status = RUN_FAILED;
}

/* Clients that have had at least one whole echo. */
static int clients_served(const struct flows *fs, uint32_t size)
{
	int n = 0;

	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].echoed >= size;
	return n;
}

/* The server's exit, or the first failed client, into r; 1 if either. */
static int run_went_wrong(struct flows *fs, struct server *s,
			  struct bench_run *r)
{
	char why[300];
	const struct flow *bad = flows_first_failure(fs);

	/* A crashing server's sockets close before it can be reaped: after
	 * a client failed, wait a moment for the crash, which explains it. */
	if (server_gone(s, bad ? 0.5 : 0, why, sizeof why)) {
		run_failed(r, "%.300s", why);
		return 1;
	}
	if (bad == NULL)
		return 0;
	/* Its own why: a bench client's script has no end to count up to. */
	run_failed(r, "client %zu of %zu, after %llu bytes came back right: %s",
		   (size_t)(bad - fs->v) + 1, fs->n,
		   (unsigned long long)bad->echoed, bad->why);
	return 1;
}

static void start_client(const struct bench_opts *o, struct flows *fs,
			 uint64_t total, uint32_t seed)
{
	struct flow_spec spec = {
		.total = total, .pattern = PAT_RANDOM, .seed = seed,
		.msg_min = o->size, .msg_max = o->size, .end = END_HOLD,
		.nodelay = 1,
	};

	flow_start(fs, &spec);
}

/*
 * Connect the idle clients (one message each), then the busy ones
 * (endless), until every one has had an echo, or the server serves only
 * some. They connect in waves, at most WAVE of them not yet served: a
 * burst beyond the server's accept queue (SOMAXCONN) would have SYNs
 * dropped and sent again seconds later, a pause the warm-up would have to
 * tell from a server that serves one client at a time.
 */
static int warm_up(const struct bench_opts *o, struct flows *fs,
		   struct server *s, struct bench_run *r)
{
	int want = o->idle + r->clients, started = 0, served = 0;
	double last_new = now_s();

	while (served < want && now_s() - last_new < WARM_STALL_S) {
		for (; started < want && started - served < WAVE; started++)
			if (started < o->idle)
				start_client(o, fs, o->size, (1u << 20) + (uint32_t)started);
			else
				start_client(o, fs, UINT64_MAX / 2, (uint32_t)started);
		flows_run_for(fs, 0.05);
		if (time_is_up() || run_went_wrong(fs, s, r))
			return -1;
		int now_served = clients_served(fs, o->size);
		if (now_served > served)
			served = now_served, last_new = now_s();
	}
	if (served == 0) {
		run_failed(r, "no client had an echo within %.0f s of "
			   "connecting", WARM_STALL_S);
		return -1;
	}
	if (served < want) {
		r->status = RUN_SERIALISED;
		snprintf(r->why, sizeof r->why, "serialised: %d of %d clients "
			 "served; the other %d waited %.0f s for an echo",
			 served, want, want - served, WARM_STALL_S);
		return -1;
	}
	return 0;
}

static void measure(const struct bench_opts *o, struct flows *fs,
		    struct server *s, struct bench_run *r)
{
	static struct latency lat;
	double srv0 = proc_cpu_s(s->pid), own0 = self_cpu_s(), t0 = now_s();

	memset(&lat, 0, sizeof lat);
	fs->latency = &lat;
	/* Every client stays active to the end, unless one fails: stop there. */
	flows_run_below(fs, fs->n, t0 + o->seconds);
	fs->latency = NULL;
	r->wall_s = now_s() - t0;
	r->grader_cpu_s = self_cpu_s() - own0;
	r->server_cpu_s = proc_cpu_s(s->pid) - srv0;
	r->rss_kb = proc_rss_kb(s->pid);
	r->threads = proc_threads(s->pid);
	if (run_went_wrong(fs, s, r))
		return;
	r->round_trips = lat.count;
	r->per_s = (double)lat.count / r->wall_s;
	r->p50_s = latency_quantile(&lat, 0.50);
	r->p99_s = latency_quantile(&lat, 0.99);
	r->max_s = lat.max_s;
}

void bench_run(const struct bench_opts *o, const struct bench_server *bs,
	       struct bench_run *r)
{
	const char *args[] = {"127.0.0.1:0", NULL};
	/* No address-space limit: a thread per client reserves a stack each
	 * (8 MiB at 10,000 clients is 80 GB), touching little of it. */
	struct spawn_opts so = {
		.path = bs->path, .args = args, .env = bs->env,
		.lim = {.nofile = (unsigned long)(r->clients + o->idle) + 256,
			.nproc = (unsigned long)(r->clients + o->idle) + 256,
			.cpu_s = 3600},
	};
	struct server s;
	struct flows fs;
	char why[256];

	if (server_spawn(&s, &so, why, sizeof why) < 0) {
		run_failed(r, "the server did not start: %.250s", why);
		return;
	}
	if (server_await_line(&s, now_s() + T.listen_s) < 0) {
		if (server_gone(&s, 0.5, why, sizeof why))
			run_failed(r, "it never listened: %.300s", why);
		else
			run_failed(r, "no \"listening on\" line within %.0f s",
				   T.listen_s);
	} else if (strncmp(s.first_line, "listening on ", 13) != 0) {
		run_failed(r, "its first line was \"%.200s\", not \"listening "
			   "on HOST:PORT\"", s.first_line);
	} else if (flows_init(&fs, s.first_line + 13, &s) < 0) {
		run_failed(r, "cannot aim clients at %.200s", s.first_line + 13);
	} else {
		if (warm_up(o, &fs, &s, r) == 0)
			measure(o, &fs, &s, r);
		/* A reset leaves no TIME_WAIT behind on our side: 10,000 of
		 * them a run would use up the ephemeral ports of later runs. */
		for (size_t i = 0; i < fs.n; i++)
			flow_reset(&fs, i);
		flows_free(&fs);
	}
	server_stop(&s, T.stop_grace_s);
}

/* The run of median rate among a server's repeats at one count, with the
 * spread of all; a failed repeat, or a serialised one, speaks for all. */
static void pick_median(struct bench_run *reps, int n, struct bench_run *out)
{
	struct bench_run *ok[BENCH_MAX_REPEATS];
	int nok = 0;

	for (int j = 0; j < n; j++) {
		if (reps[j].status != RUN_OK) {
			*out = reps[j];
			return;
		}
		ok[nok++] = &reps[j];
	}
	for (int a = 1; a < nok; a++) /* insertion sort by rate: n <= 9 */
		for (int b = a; b > 0 && ok[b]->per_s < ok[b - 1]->per_s; b--) {
			struct bench_run *t = ok[b];
			ok[b] = ok[b - 1], ok[b - 1] = t;
		}
	*out = *ok[nok / 2];
	out->per_s_min = ok[0]->per_s;
	out->per_s_max = ok[nok - 1]->per_s;
	out->repeats = n;
}

int bench_main(int argc, char **argv)
{
	static struct bench_run runs[BENCH_MAX_SERVERS][BENCH_MAX_COUNTS];
	static struct bench_run reps[BENCH_MAX_SERVERS][BENCH_MAX_REPEATS];
	int serialised_at[BENCH_MAX_SERVERS] = {0}; /* clients; 0: not */
	struct bench_opts o;
	int failed = 0;

	bench_parse_args(argc, argv, &o);
	/* Servers take turns within each count and each repeat: a machine
	 * that slows down for a while slows them all, not one. */
	for (size_t k = 0; k < o.ncounts && !grader_interrupted; k++) {
		for (int j = 0; j < o.repeat && !grader_interrupted; j++)
			for (size_t i = 0; i < o.nservers && !grader_interrupted; i++) {
				struct bench_run *r = &reps[i][j];
				memset(r, 0, sizeof *r);
				r->clients = o.counts[k];
				if (serialised_at[i] != 0) {
					/* More clients, or another try, would
					 * wait the same way. */
					r->status = RUN_SERIALISED;
					snprintf(r->why, sizeof r->why, "serialised at "
						 "%d clients already: not run",
						 serialised_at[i]);
					continue;
				}
				bench_run(&o, &o.servers[i], r);
				if (r->status == RUN_SERIALISED)
					serialised_at[i] = r->clients;
				if (!grader_interrupted && !o.quiet)
					bench_progress(&o.servers[i], r);
			}
		for (size_t i = 0; i < o.nservers && !grader_interrupted; i++) {
			pick_median(reps[i], o.repeat, &runs[i][k]);
			failed |= runs[i][k].status == RUN_FAILED;
		}
	}
	sandbox_sweep();
	if (grader_interrupted) {
		fprintf(stderr, "grader bench: interrupted; every server was stopped\n");
		return 128 + grader_interrupted;
	}
	bench_table(&o, runs);
	/* The plot is drawn from the CSV: without --csv, from a scratch one. */
	char scratch[] = "/tmp/grader-bench.XXXXXX";
	const char *csv = o.csv;
	if (csv == NULL && o.svg != NULL) {
		int fd = mkstemp(scratch);
		if (fd < 0) {
			perror("grader bench: a scratch CSV for the plot");
			return 2;
		}
		close(fd);
		csv = scratch;
	}
	int bad_output = csv != NULL && bench_csv(&o, runs, csv) < 0;
	if (!bad_output && o.svg != NULL)
		bad_output = bench_svg(&o, csv, o.svg) < 0;
	if (csv == scratch)
		unlink(scratch);
	return bad_output ? 2 : failed;
}
