/*
 * bench_args.c - grader bench's command line: servers with their labels
 * and settings, the client counts, and the limits checked before any run.
 */
#define _GNU_SOURCE
#include "cli/bench.h"
#include "cli/options.h"
#include "checks/thresholds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void usage(const char *why)
{
	FILE *out = why ? stderr : stdout; /* --help is an answer, not an error */

	if (why)
		fprintf(stderr, "grader bench: %s\n", why);
	fprintf(out,
		"usage: grader bench [--clients LIST] [--size BYTES] [--seconds S]\n"
		"                    [--repeat N] [--idle N] [--csv FILE] [--svg FILE]\n"
		"                    [--quiet] [--as NAME] [--env NAME=VALUE]\n"
		"                    PATH/TO/server ...\n"
		"  --clients  client counts, each a run (default 1,10,100,1000,10000)\n"
		"  --size     bytes in each message (default 64)\n"
		"  --seconds  measured time of each run (default 3)\n"
		"  --repeat   runs of each server at each count, taking turns; the\n"
		"             median is shown, with the spread (default 1)\n"
		"  --idle     clients that echo once, then stay connected, idle\n"
		"  --csv      every run as a row of FILE\n"
		"  --svg      a plot of them, drawn by gnuplot from the CSV\n"
		"  --quiet    no progress line after each run (on stderr)\n"
		"  --as, --env  name the next server, or set its environment\n");
	exit(why ? 2 : 0);
}

static void parse_counts(struct bench_opts *o, const char *list)
{
	char buf[256], *save, *tok;

	if (list == NULL || strlen(list) >= sizeof buf)
		usage("--clients takes a list such as 1,10,100");
	snprintf(buf, sizeof buf, "%s", list);
	o->ncounts = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->ncounts == BENCH_MAX_COUNTS)
			usage("--clients takes at most 16 counts");
		o->counts[o->ncounts++] = (int)parse_number(tok, 1, 20000, "each client count", usage);
	}
	if (o->ncounts == 0)
		usage("--clients takes a list such as 1,10,100");
}

/* "solutions/lab2-multiplex/server" is "lab2-multiplex": the folder says
 * which lab, the name "server" says nothing. */
static void label_from_path(char *out, size_t len, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t dir_end = base ? (size_t)(base - path) : 0;

	base = base ? base + 1 : path;
	if (strcmp(base, "server") == 0 && dir_end > 0) {
		size_t start = dir_end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		snprintf(out, len, "%.*s", (int)(dir_end - start), path + start);
	} else {
		snprintf(out, len, "%s", base);
	}
}

/* A label is a CSV field and a line of the plot: no separators, and no
 * two servers under one name. */
static void check_label(const struct bench_opts *o, const char *label)
{
	char msg[160];

	if (strpbrk(label, ",\"\\'\n") != NULL) {
		snprintf(msg, sizeof msg, "name '%s' with --as: commas and quotes "
			 "would break the CSV", label);
		usage(msg);
	}
	for (size_t i = 0; i + 1 < o->nservers; i++)
		if (strcmp(o->servers[i].label, label) == 0) {
			snprintf(msg, sizeof msg, "two servers are called '%s': "
				 "tell them apart with --as NAME", label);
			usage(msg);
		}
}

static void parse_args(int argc, char **argv, struct bench_opts *o)
{
	const char *name = NULL, *env[4] = {NULL};
	size_t nenv = 0;

	memset(o, 0, sizeof *o);
	parse_counts(o, "1,10,100,1000,10000");
	o->size = 64;
	o->seconds = 3;
	o->repeat = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--clients") == 0)
			parse_counts(o, next), i++;
		else if (strcmp(a, "--size") == 0)
			o->size = (uint32_t)parse_number(next, 1, 1 << 20, "--size", usage), i++;
		else if (strcmp(a, "--seconds") == 0) {
			char *end;
			o->seconds = next ? strtod(next, &end) : 0;
			if (next == NULL || *end != '\0' || !(o->seconds >= 0.1 &&
							      o->seconds <= 600))
				usage("--seconds takes a time from 0.1 to 600");
			i++;
		} else if (strcmp(a, "--repeat") == 0)
			o->repeat = (int)parse_number(next, 1, BENCH_MAX_REPEATS,
						   "--repeat", usage), i++;
		else if (strcmp(a, "--idle") == 0)
			o->idle = (int)parse_number(next, 0, 20000, "--idle", usage), i++;
		else if (strcmp(a, "--csv") == 0 || strcmp(a, "--svg") == 0) {
			if (next == NULL)
				usage("--csv and --svg take a file name");
			*(a[2] == 'c' ? &o->csv : &o->svg) = next;
			i++;
		} else if (strcmp(a, "--as") == 0) {
			if (next == NULL || *next == '\0')
				usage("--as takes a name");
			name = next, i++;
		} else if (strcmp(a, "--env") == 0) {
			if (next == NULL || strchr(next, '=') == NULL || nenv == 3)
				usage("--env takes NAME=VALUE (at most 3 a server)");
			env[nenv++] = next, i++;
		} else if (strcmp(a, "--quiet") == 0)
			o->quiet = 1;
		else if (a[0] == '-')
			option_not_known(a, usage);
		else {
			if (o->nservers == BENCH_MAX_SERVERS)
				usage("at most 16 servers");
			if (access(a, X_OK) != 0) {
				char msg[300];
				snprintf(msg, sizeof msg, "cannot run '%s': %s", a,
					 strerror(errno));
				usage(msg);
			}
			struct bench_server *s = &o->servers[o->nservers++];
			s->path = a;
			if (name)
				snprintf(s->label, sizeof s->label, "%s", name);
			else
				label_from_path(s->label, sizeof s->label, a);
			check_label(o, s->label);
			memcpy(s->env, env, sizeof env);
			name = NULL, nenv = 0;
			memset(env, 0, sizeof env);
		}
	}
	if (o->nservers == 0)
		usage("name at least one server binary");
	if (name != NULL || nenv > 0)
		usage("--as and --env name the server after them: put them before it");
}

/* Our clients are descriptors: a count we cannot open is a usage error,
 * said before any run, not a server's failure at 10,000. */
static void check_descriptors(const struct bench_opts *o)
{
	struct rlimit rl;
	long most = 0;

	for (size_t k = 0; k < o->ncounts; k++)
		if (o->counts[k] > most)
			most = o->counts[k];
	most += o->idle + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)most > rl.rlim_cur) {
		char msg[200];
		snprintf(msg, sizeof msg, "%ld clients need as many descriptors, "
			 "and this process may open %llu (ulimit -n; its hard "
			 "limit allows %llu)", most, (unsigned long long)rl.rlim_cur,
			 (unsigned long long)rl.rlim_max);
		usage(msg);
	}
}

void bench_parse_args(int argc, char **argv, struct bench_opts *o)
{
	parse_args(argc, argv, o);
	check_descriptors(o);
}
