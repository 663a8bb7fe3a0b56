/*
 * bench_report.c - what grader bench prints and writes: a progress line a
 * run, the table (each server against the first one named), the CSV, and
 * the plot, which gnuplot draws from the CSV.
 */
#define _GNU_SOURCE
#include "cli/bench.h"
#include "cli/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define US(s) ((s) * 1e6)

void bench_progress(const struct bench_server *s, const struct bench_run *r)
{
	if (r->status == RUN_OK)
		fprintf(stderr, "bench: %s, %d clients: %.0f round trips/s, "
			"p99 %.0f us\n", s->label, r->clients, r->per_s,
			US(r->p99_s));
	else
		fprintf(stderr, "bench: %s, %d clients: %s\n", s->label,
			r->clients, r->why);
}

/* Server i's rate at count k against the first server's, or 0 if either
 * was not measured there. */
static double ratio(struct bench_run runs[][BENCH_MAX_COUNTS], size_t i,
		    size_t k)
{
	const struct bench_run *r = &runs[i][k], *first = &runs[0][k];

	if (r->status != RUN_OK || first->status != RUN_OK || first->per_s <= 0)
		return 0;
	return r->per_s / first->per_s;
}

static double per_trip_us(double cpu_s, const struct bench_run *r)
{
	return r->round_trips ? US(cpu_s) / (double)r->round_trips : 0;
}

void bench_table(const struct bench_opts *o,
		 struct bench_run runs[][BENCH_MAX_COUNTS])
{
	printf("%u-byte messages, each client in lockstep, %.1f s a run", o->size,
	       o->seconds);
	if (o->repeat > 1)
		printf(", the median of %d (+-%%: half their range)", o->repeat);
	printf("%s", o->idle ? "" : "\n");
	if (o->idle)
		printf(", with %d idle clients connected\n", o->idle);
	printf("ratio: round trips/s against %s's at the same count; cpu: "
	       "microseconds per round trip, and cores kept busy\n",
	       o->servers[0].label);
	printf("%-20s %7s %10s %6s %6s %8s %8s %8s %9s %7s %15s %15s\n",
	       "server", "clients", "trips/s", "+-%", "ratio", "p50 us", "p99 us",
	       "max us",
	       "RSS KiB", "threads", "server cpu", "grader cpu");
	for (size_t i = 0; i < o->nservers; i++)
		for (size_t k = 0; k < o->ncounts; k++) {
			const struct bench_run *r = &runs[i][k];
			printf("%-20s %7d ", o->servers[i].label, r->clients);
			if (r->status != RUN_OK) {
				printf("%s\n", r->why);
				continue;
			}
			char rel[16] = "-"; /* the first was not measured here */
			if (ratio(runs, i, k) > 0)
				snprintf(rel, sizeof rel, "%.2f", ratio(runs, i, k));
			/* Half the range of the repeats, against the median. */
			char spread[16] = "-";
			if (r->repeats > 1)
				snprintf(spread, sizeof spread, "%.0f",
					 50 * (r->per_s_max - r->per_s_min) / r->per_s);
			printf("%10.0f %6s %6s %8.0f %8.0f %8.0f %9ld %7d "
			       "%7.2f us %4.2f %7.2f us %4.2f\n", r->per_s,
			       spread, rel, US(r->p50_s), US(r->p99_s),
			       US(r->max_s), r->rss_kb, r->threads,
			       per_trip_us(r->server_cpu_s, r),
			       r->server_cpu_s / r->wall_s,
			       per_trip_us(r->grader_cpu_s, r),
			       r->grader_cpu_s / r->wall_s);
		}
	printf("on loopback a send runs the receiver's TCP code too, so each "
	       "cpu figure holds some of\nthe other side's work: compare servers "
	       "by their ratios, taken in one run\n");
	fflush(stdout);
}

static const char *status_word(enum run_status s)
{
	return s == RUN_OK ? "ok" : s == RUN_SERIALISED ? "serialised" : "failed";
}

int bench_csv(const struct bench_opts *o,
	      struct bench_run runs[][BENCH_MAX_COUNTS], const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "grader bench: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fprintf(f, "server,clients,size,idle,seconds,status,round_trips,"
		"trips_per_s,ratio,p50_us,p99_us,max_us,rss_kb,threads,"
		"server_cpu_us_per_trip,grader_cpu_us_per_trip,server_cores,"
		"grader_cores,repeats,trips_per_s_min,trips_per_s_max,why\n");
	for (size_t i = 0; i < o->nservers; i++)
		for (size_t k = 0; k < o->ncounts; k++) {
			const struct bench_run *r = &runs[i][k];
			fprintf(f, "%s,%d,%u,%d,%g,%s", o->servers[i].label,
				r->clients, o->size, o->idle, o->seconds,
				status_word(r->status));
			/* Unmeasured: empty fields, which gnuplot skips, and why
			 * (quoted: it may hold commas; quotes in it doubled). */
			if (r->status != RUN_OK) {
				fputs(",,,,,,,,,,,,,,,,", f);
				put_quoted(f, r->why, '"');
				fputc('\n', f);
				continue;
			}
			char rel[16] = "";
			if (ratio(runs, i, k) > 0)
				snprintf(rel, sizeof rel, "%.3f", ratio(runs, i, k));
			fprintf(f, ",%llu,%.0f,%s,%.1f,%.1f,%.1f,%ld,%d,%.3f,%.3f,"
				"%.3f,%.3f,%d,%.0f,%.0f,\n",
				(unsigned long long)r->round_trips,
				r->per_s, rel, US(r->p50_s),
				US(r->p99_s), US(r->max_s), r->rss_kb, r->threads,
				per_trip_us(r->server_cpu_s, r),
				per_trip_us(r->grader_cpu_s, r),
				r->server_cpu_s / r->wall_s,
				r->grader_cpu_s / r->wall_s, r->repeats,
				r->per_s_min, r->per_s_max);
		}
	if (fclose(f) != 0) {
		fprintf(stderr, "grader bench: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Two panels from the CSV: round trips per second (column 8, with the
 * repeats' range in 20 and 21) and p99 latency (column 11) against
 * clients (column 2), a line per server. */
int bench_svg(const struct bench_opts *o, const char *csv, const char *svg)
{
	FILE *gp = popen("gnuplot", "w");

	if (gp == NULL) {
		fprintf(stderr, "grader bench: cannot run gnuplot: %s\n",
			strerror(errno));
		return -1;
	}
	fputs("set terminal svg size 1200,500 dynamic font 'sans,13' "
	      "background rgb 'white'\nset output ", gp);
	put_quoted(gp, svg, '\'');
	fprintf(gp, "\nset datafile separator comma\n"
		"set logscale xy\nset grid\nset key below\n"
		"set xlabel 'clients, each in lockstep'\n"
		"array names[%zu]\n", o->nservers);
	for (size_t i = 0; i < o->nservers; i++) {
		fprintf(gp, "names[%zu] = ", i + 1);
		put_quoted(gp, o->servers[i].label, '\'');
		fputc('\n', gp);
	}
	fprintf(gp, "set multiplot layout 1,2 title '%u-byte echo round trips%s'\n",
		o->size, o->idle ? ", beside idle clients" : "");
	/* Each panel: its column, its label, its tick format (100k, not
	 * 1x10^5; but 0.1 ms, not 100m ms). */
	const char *panels[2][3] = {{"8:20:21", "round trips per second", "%.0s%c"},
				    {"($11/1000)", "p99 latency, ms", "%g"}};
	for (int p = 0; p < 2; p++) {
		fprintf(gp, "set ylabel '%s'\nset format y '%s'\nplot for [i=1:%zu] ",
			panels[p][1], panels[p][2], o->nservers);
		put_quoted(gp, csv, '\'');
		/* The rates: the median, and a bar from the slowest repeat
		 * to the fastest. */
		fprintf(gp, " skip 1 using (strcol(1) eq names[i] ? $2 : NaN):%s "
			"with %s lw 2 title names[i]\n", panels[p][0],
			p == 0 ? "yerrorlines" : "linespoints");
	}
	fputs("unset multiplot\n", gp);
	int rc = pclose(gp);
	if (rc != 0) {
		if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
			fprintf(stderr, "grader bench: no plot: gnuplot is not "
				"installed (Debian: apt-get install gnuplot-nox); "
				"the table and the CSV are complete\n");
		else
			fprintf(stderr, "grader bench: gnuplot failed drawing %s "
				"(its messages are above)\n", svg);
		return -1;
	}
	return 0;
}
