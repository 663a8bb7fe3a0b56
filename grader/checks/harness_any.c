/*
 * anyserver.c - servers that keep another contract than the kit's (other
 * languages, other people's servers): no "listening on" line, perhaps a
 * log on stdout, their own argument syntax. grader --args TEMPLATE runs
 * them as TEMPLATE says, with {addr}, {host} and {port} filled in for a
 * port the grader picked, and takes them as started once a socket
 * listening on that port shows among their own descriptors in /proc.
 * Nothing here connects: a probe would be a client the tests did not
 * plan.
 */
#define _GNU_SOURCE
#include "checks/harness.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/procfs.h"
#include "engine/status.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* addr's host and port: "[::1]:80" gives "::1" and "80", "127.0.0.1:80"
 * "127.0.0.1" and "80"; text with no colon is both ("nonsense"). */
static void split_addr(const char *addr, char *host, size_t hlen, char *port,
		       size_t plen)
{
	const char *colon = strrchr(addr, ':');

	if (colon == NULL) {
		snprintf(host, hlen, "%s", addr);
		snprintf(port, plen, "%s", addr);
		return;
	}
	const char *h = addr;
	size_t n = (size_t)(colon - addr);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		h++, n -= 2;
	snprintf(host, hlen, "%.*s", (int)n, h);
	snprintf(port, plen, "%s", colon + 1);
}

/* One word of the template with its placeholders filled in. */
static void fill_word(const char *w, size_t wlen, const char *addr,
		      const char *host, const char *port, char *out, size_t len)
{
	static const char *const names[] = {"{addr}", "{host}", "{port}"};
	const char *values[] = {addr, host, port};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < wlen && used + 1 < len;) {
		int k = 0;
		while (k < 3 && strncmp(w + i, names[k], strlen(names[k])) != 0)
			k++;
		if (k < 3 && i + strlen(names[k]) <= wlen) {
			used += (size_t)snprintf(out + used, len - used, "%s",
						 values[k]);
			i += strlen(names[k]);
		} else {
			out[used++] = w[i++];
		}
		if (used >= len)
			used = len - 1;
		out[used] = '\0';
	}
}

int template_args(const char *tmpl, const char *addr,
		  char words[][TEMPLATE_WORD], const char **argv, int max)
{
	char host[TEMPLATE_WORD], port[TEMPLATE_WORD];
	int n = 0, first = 1;

	split_addr(addr ? addr : "", host, sizeof host, port, sizeof port);
	for (const char *p = tmpl; n + 1 < max;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t");
		if (len == 0)
			break;
		/* SERVER first stands for the binary, which is argv[0] anyway */
		int is_server = first && len == 6 && strncmp(p, "SERVER", 6) == 0;
		int has_addr = memchr(p, '{', len) != NULL;
		first = 0;
		/* no address given: the words that would carry it go */
		if (!is_server && !(addr == NULL && has_addr)) {
			fill_word(p, len, addr, host, port, words[n], TEMPLATE_WORD);
			argv[n] = words[n];
			n++;
		}
		p += len;
	}
	argv[n] = NULL;
	return n;
}

unsigned pick_port(int v6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	/* Released at once: in the grader's own network namespace nobody
	 * else takes it meanwhile; elsewhere the kernel's pick is rarely
	 * picked again within the moment it takes the server to bind it. */
	if (fd >= 0 && bind(fd, (struct sockaddr *)&ss,
			    v6 ? sizeof(struct sockaddr_in6)
			       : sizeof(struct sockaddr_in)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				: ((struct sockaddr_in *)&ss)->sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* The socket inodes among pid's descriptors, at most max; -1 unreadable. */
static int socket_inodes(pid_t pid, unsigned long *out, int max)
{
	char dir[64], path[320], target[64];
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ssize_t len = readlink(path, target, sizeof target - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &out[n]) == 1)
			n++;
	}
	closedir(d);
	return n;
}

int proc_listen_port(pid_t pid, unsigned want)
{
	static const char *const tables[] = {"tcp", "tcp6"};
	enum { MAX_SOCKETS = 4096 };
	static unsigned long inodes[MAX_SOCKETS];
	int n = socket_inodes(pid, inodes, MAX_SOCKETS), found = 0;
	char path[64], line[512];

	if (n < 0)
		return -1;
	for (int t = 0; t < 2 && found == 0 && n > 0; t++) {
		snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, tables[t]);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			continue;
		while (found == 0 && fgets(line, sizeof line, f) != NULL) {
			unsigned port, st;
			unsigned long inode;
			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s "
				   "%*u %*u %lu", &port, &st, &inode) != 3 ||
			    st != 0x0A /* TCP_LISTEN */ || (want && port != want))
				continue;
			for (int i = 0; i < n; i++)
				if (inodes[i] == inode)
					found = (int)port;
		}
		fclose(f);
	}
	return found;
}

/* The hint for a server that listens but printed no "listening on" line:
 * a kit server that forgot fflush, or one that keeps another contract. */
void listening_anyway(struct ctx *c, struct server *s)
{
	static char hint[400];
	int port = proc_listen_port(s->pid, 0);

	if (port <= 0)
		return;
	snprintf(hint, sizeof hint, "the server listens (on port %d, its "
		 "descriptors say), but its stdout has no \"listening on\" line: "
		 "a kit server prints it and calls fflush(stdout); a server that "
		 "prints none is graded with --args TEMPLATE (e.g. --args "
		 "'SERVER {addr}'; see the README)", port);
	c->hint = hint;
}

struct server *start_any_server(struct ctx *c, const char *addr,
				const char *want_host)
{
	char real[NET_ADDRSTRLEN], expected[200], gone[512];
	unsigned port = pick_port(want_host[0] == '[');
	const char *args[] = {real, NULL};
	int got = 0, other;

	(void)addr; /* always port 0 on want_host: the grader picks it */
	snprintf(real, sizeof real, "%.60s:%u", want_host, port);
	if (port == 0) {
		fail(c, "a free port on loopback", "the grader found none");
		return NULL;
	}
	struct server *s = spawn(c, args);
	if (s == NULL)
		return NULL;
	snprintf(expected, sizeof expected, "a socket listening on %s among "
		 "the server's descriptors within %.0f s", real,
		 T.listen_s * c->scale);
	c->not_started = 1; /* until it listens */
	double deadline = now_s() + T.listen_s * c->scale;
	while (!time_is_up() && (got = proc_listen_port(s->pid, port)) <= 0) {
		server_drain(s); /* its log */
		if (server_check_exit(s) || now_s() >= deadline)
			break;
		sleep_s(0.01);
	}
	if (got <= 0) {
		if (want_host[0] == '[') /* ipv6 */
			c->hint = "with --args, this test fills in [::1]:PORT as "
				  "{addr}, ::1 as {host}: a server (or a template) "
				  "that takes IPv4 only fails it";
		if (server_gone(s, 0, gone, sizeof gone)) {
			fail(c, expected, "it never did: %s", gone);
		} else if ((other = proc_listen_port(s->pid, 0)) > 0) {
			c->hint = "the server listens, but not on the address "
				  "its arguments gave: --args TEMPLATE must pass "
				  "it ({addr}, or {host} and {port})";
			fail(c, expected, "it listens on port %d instead", other);
		} else {
			fail(c, expected, "no such socket after %.0f s",
			     T.listen_s * c->scale);
		}
		return NULL;
	}
	snprintf(c->addr, sizeof c->addr, "%s", real);
	c->not_started = 0;
	c->started = 1;
	return s;
}

/* A process that has died and waits to be reaped. */
static int is_zombie(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *end = strrchr(buf, ')'); /* after the name, whatever it is */
	return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

const char *budget_hint(const struct ctx *c, const struct server *s)
{
	enum { MAX_TREE = 4096 };
	static pid_t kids[MAX_TREE];
	static char hint[480];
	unsigned long budget = c->lab->limits.nproc;
	/* The grader's descendants: the server and what it forked, orphans
	 * the grader adopted too (they count against the budget alike). */
	int n = proc_descendants(getpid(), kids, MAX_TREE), zombies = 0;
	int tasks = 0;

	(void)s;
	for (int i = 0; i < n; i++) {
		int t = proc_threads(kids[i]);
		tasks += t > 0 ? t : 0;
		zombies += is_zombie(kids[i]);
	}
	/* Two thirds of it or more, processes (not the server's own
	 * threads, which a thread-per-client lab counts on) making most of
	 * it: a fork was likely refused a moment ago (by the time a test
	 * fails, the clients that got one may have left: one server that
	 * forked a process per client to 600 tasks was down to 420). */
	if (budget == 0 || (unsigned long)tasks < budget / 3 * 2 || n < tasks / 2)
		return NULL;
	if (zombies >= n / 2)
		snprintf(hint, sizeof hint, "the server's processes reached lab "
			 "%d's task budget of %lu, %d of them zombies: children "
			 "that ended and were never waited for; reap them "
			 "(waitpid, or SIGCHLD set to SIG_IGN)", c->lab->number,
			 budget, zombies);
	else
		snprintf(hint, sizeof hint, "a lab limit, not an echo bug: the "
			 "server ran %d tasks (%d processes), at "
			 "lab %d's task budget of %lu, so it could start no more "
			 "and clients were refused; this lab's design is %s",
			 tasks, n, c->lab->number, budget, c->lab->thread_per_client
			 ? "a thread per client, not a process (nor two)"
			 : "one thread for every client");
	return hint;
}
