/*
 * broken.c - a lab-1 echo server (one client at a time, blocking calls)
 * that is correct as written, with one student mistake switched on by name.
 *
 * The Makefile builds it once per line of grader/tests/manifest, with
 * -DFLAW='"NAME"'; each `if (flaw("NAME"))` below sits where that mistake
 * is made. The manifest says which grader tests each one must fail, so every
 * test is shown able to fail. The hostile ones (crash, silent, forker,
 * ignore-term, flood, kill-parent, fork-400, write-kit-file,
 * forge-results) attack the
 * grader's containment instead.
 */
#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FLAW
#define FLAW "none"
#endif

#define USAGE "usage: server ADDRESS:PORT (e.g. 127.0.0.1:7000 or [::1]:0)"
#define BUFSIZE 16384

static int flaw(const char *name)
{
	return strcmp(FLAW, name) == 0;
}

static void usage_exit(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "server: %s; %s\n", why, USAGE);
	else
		fprintf(stderr, "%s\n", USAGE);
	// bad-args-exit: exits 1 on a bad command line, as on any failure
	exit(flaw("bad-args-exit") ? 1 : 2);
}

/* What a student writes instead of net_listen; only two flaws use it. */
static int listen_by_hand(const char *text, struct net_err *err)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai;
	char host[NET_ADDRSTRLEN], port[8];
	int fd, rc, on = 1;

	if (net_split(text, host, sizeof host, port, sizeof port, err) < 0)
		return NET_EUSAGE;
	// ipv4-only: asks getaddrinfo for IPv4 addresses only: [::1] fails
	hints.ai_family = flaw("ipv4-only") ? AF_INET : AF_UNSPEC;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err->msg, sizeof err->msg, "'%s': %s", text,
			 gai_strerror(rc));
		return NET_EUSAGE;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	// reuseport: SO_REUSEPORT lets a second server bind the same port
	int opt = flaw("reuseport") ? SO_REUSEPORT : SO_REUSEADDR;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, opt, &on, sizeof on);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		snprintf(err->msg, sizeof err->msg, "bind %s: %s", text,
			 strerror(errno));
		fd = NET_ESYS;
	}
	freeaddrinfo(ai);
	return fd;
}

static int open_listener(int argc, char *argv[])
{
	struct net_err err;
	char name[NET_ADDRSTRLEN];
	int fd;

	if (argc != 2)
		usage_exit(NULL);
	if (flaw("ipv4-only") || flaw("reuseport"))
		fd = listen_by_hand(argv[1], &err);
	else
		fd = net_listen(argv[1], 0, &err);
	if (fd == NET_EUSAGE)
		usage_exit(err.msg);
	if (fd < 0) {
		fprintf(stderr, "server: %s\n", err.msg);
		exit(1);
	}
	// silent (hostile): never prints its line; sleeps forever
	while (flaw("silent"))
		pause();
	if (flaw("no-listen-line")) {
		// no-listen-line: printf, no fflush: a pipe's stdout keeps it
		net_local_name(fd, name, sizeof name);
		printf("listening on %s\n", name);
	} else if (flaw("wrong-port")) {
		// wrong-port: prints the port asked for (0), not getsockname's
		printf("listening on %s\n", argv[1]);
		fflush(stdout);
	} else if (net_print_listening(fd, stdout) < 0) {
		perror("server: stdout");
		exit(1);
	}
	return fd;
}

/* Send all len bytes; write may take fewer. 0, or -1 with errno set. */
static int send_back(int fd, char *buf, size_t n)
{
	if (flaw("strlen-echo")) {
		// strlen-echo: treats the bytes as a C string: a NUL ends them
		buf[n] = '\0';
		n = strlen(buf);
	}
	if (flaw("short-write")) {
		// short-write: one non-blocking send, count ignored: rest lost
		if (send(fd, buf, n, MSG_DONTWAIT) < 0 && errno != EAGAIN)
			return -1;
		return 0;
	}
	// corrupt-rare: flips the millionth byte echoed, and each millionth
	// after it: what grader bench must notice among many round trips
	static unsigned long long echoed;
	if (flaw("corrupt-rare") && (echoed + n) / 1000000 > echoed / 1000000)
		buf[1000000 - 1 - echoed % 1000000] ^= 0x20;
	echoed += n;
	// write-once: lab 1's step-3 stand-in: one write, a short count ends it
	if (flaw("write-once"))
		return write(fd, buf, n) == (ssize_t)n ? 0 : -1;
	// retry-write: tries a failed write again, a pause between, until it
	// goes through: a client that reset holds the server for good
	int rc;
	while ((rc = net_write_all(fd, buf, n)) < 0 && flaw("retry-write"))
		usleep(100000);
	return rc;
}

/* Echo until the client shuts down its sending side: 0, or -1 (errno). */
static int echo(int fd)
{
	char buf[BUFSIZE + 1]; /* + 1: room for strlen-echo's NUL */
	ssize_t n;

	for (;;) {
		// eintr-fatal: takes an interrupted read for a failed client
		do
			n = read(fd, buf, BUFSIZE);
		while (n < 0 && errno == EINTR && !flaw("eintr-fatal"));
		if (n <= 0)
			return n < 0 ? -1 : 0;
		// sizeof-buf: writes sizeof buf bytes, not the n read returned
		if (flaw("sizeof-buf"))
			n = sizeof buf;
		if (send_back(fd, buf, (size_t)n) < 0)
			return -1;
		// read-once: takes one read for all the client will send
		if (flaw("read-once"))
			return 0;
	}
}

/* One client, from accept to close. */
static void serve(int cfd)
{
	// crash (hostile): stands for any bad pointer in the client code
	if (flaw("crash"))
		raise(SIGSEGV);
	if (flaw("leak-per-client")) {
		// leak-per-client: mallocs each client's name, never frees it
		char *name = malloc(NET_ADDRSTRLEN);
		if (name != NULL)
			net_peer_name(cfd, name, NET_ADDRSTRLEN);
	}
	if (echo(cfd) < 0) {
		fprintf(stderr, "server: client: %s\n", strerror(errno));
		// exit-on-reset: takes a client's failed read/write for its own
		if (flaw("exit-on-reset"))
			exit(1);
	}
	if (flaw("linger-reset")) {
		// linger-reset: SO_LINGER 0 "against TIME_WAIT": close resets
		struct linger now = {1, 0};
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
	}
	// fd-leak: shutdown instead of close: the descriptor stays open
	if (flaw("fd-leak"))
		shutdown(cfd, SHUT_RDWR);
	else
		close(cfd);
}

/* forker (hostile): processes that leave the server's process group and
 * ignore SIGTERM. Bounded: 3 children, one orphaned grandchild, and one
 * child that respawns its own child at most 4 times: 10 processes at most. */
static void spawn_strays(void)
{
	for (int i = 0; i < 3; i++) {
		if (fork() != 0)
			continue;
		setsid();
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (i == 0 && fork() != 0)
			_exit(0); /* double fork: the grandchild is an orphan */
		for (int k = 0; i == 1 && k < 4; k++) { /* respawns its child */
			pid_t pid = fork();
			if (pid == 0)
				break;
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		alarm(300); /* a safety net, whatever the grader does */
		for (;;)
			pause();
	}
}

/* kill-parent (hostile): a daemon of its own first (setsid, out of the
 * server's group), so that if the grader dies something is left behind;
 * then SIGTERM (which the grader handles), and SIGKILL. It goes on
 * serving either way. */
static void kill_parent(void)
{
	if (fork() == 0) {
		setsid();
		alarm(120); /* a safety net, whatever the grader does */
		for (;;)
			pause();
	}
	kill(getppid(), SIGTERM);
	if (kill(getppid(), SIGKILL) != 0)
		fprintf(stderr, "server: cannot kill the grader: %s\n", strerror(errno));
}

/* fork-400 (hostile): 400 children that sleep, or as many as it is let
 * have; says how many on stderr, then serves. */
static void fork_400(void)
{
	int forked = 0;

	while (forked < 400) {
		pid_t pid = fork();
		if (pid == 0) {
			alarm(60);
			for (;;)
				pause();
		}
		if (pid < 0)
			break;
		forked++;
	}
	fprintf(stderr, "server: forked %d of 400 children\n", forked);
}

/* write-kit-file (hostile): a file in the folder the grader was started
 * from ($PWD, which the server inherits), and in its own working folder;
 * says on stderr what it could create. */
static void write_kit_file(void)
{
	const char *pwd = getenv("PWD");
	char path[4200];

	snprintf(path, sizeof path, "%s/written-by-server", pwd ? pwd : ".");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fprintf(stderr, "server: %s %s: %s\n", fd >= 0 ? "created" : "cannot create",
		path, fd >= 0 ? "done" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* forge-results (hostile): finds the grader's --json FILE in its command
 * line, writes a full score there, and SIGTERMs the grader so that it
 * never writes its own. Says on stderr how far it got. */
static void forge_results(void)
{
	char path[64], args[4096];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getppid());
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, args, sizeof args - 1) : -1;
	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(args + i) + 1) {
		args[n] = '\0';
		if (strcmp(args + i, "--json") != 0 || i + 7 >= n)
			continue;
		FILE *f = fopen(args + i + 7, "w");
		fprintf(stderr, "server: %s %s\n", f ? "forged" : "cannot forge",
			args + i + 7);
		if (f != NULL) {
			fputs("{\"score\": 999, \"tests\": []}\n", f);
			fclose(f);
		}
	}
	kill(getppid(), SIGTERM);
}

/* flood (hostile): megabytes on stdout and stderr, for as long as it can. */
static void *flood(void *unused)
{
	static char junk[65536];

	(void)unused;
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = i % 64 == 63 ? '\n' : 'x';
	while (write(STDOUT_FILENO, junk, sizeof junk) > 0 &&
	       write(STDERR_FILENO, junk, sizeof junk) > 0)
		;
	return NULL;
}

/* fork-per-client: a process per client, as ncat --exec does it: the
 * echo runs in a child (which the server, ignoring SIGCHLD, never has
 * to reap), with a helper process of its own that outlives it by a
 * moment (ncat's cat after its relay): then an orphan, which the grader,
 * a subreaper, adopts and must reap, or its zombie counts against the
 * task budget. Two tasks a client. */
static void serve_in_child(int lfd, int cfd)
{
	int life[2];

	if (fork() == 0) {
		close(lfd);
		// fork-linger: two helpers a client, which stay 5 s more:
		// processes pile up past lab 3's task budget (not built by
		// the manifest: make test builds it for concurrent's hint)
		for (int k = flaw("fork-linger") ? 2 : 1; k > 0; k--)
			if (pipe(life) == 0 && fork() == 0) {
				char end;
				close(life[1]);
				close(cfd);
				while (read(life[0], &end, 1) < 0 && errno == EINTR)
					; /* until the echo process is gone */
				if (flaw("fork-linger"))
					sleep(5);
				_exit(0);
			}
		serve(cfd);
		_exit(0);
	}
	close(cfd);
}

static void exit_one(int sig)
{
	(void)sig;
	_exit(1);
}

static void on_hup(int sig)
{
	(void)sig;
}

int main(int argc, char *argv[])
{
	pthread_t flooder;
	int lfd, cfd;

	// no-sigpipe: keeps SIGPIPE's default: death on writing to a gone peer
	if (!flaw("no-sigpipe"))
		signal(SIGPIPE, SIG_IGN);
	if (flaw("ignore-term")) {
		// ignore-term (hostile): ignores Ctrl-C and kill
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
	}
	if (flaw("stderr-garbage")) {
		// stderr-garbage: dies at start saying bytes that are no UTF-8
		// (and control characters), which the grader's JSON must carry
		fputs("server: \xff\xfe \xc3\x28 \xed\xa0\x80 \x01\x1b[31m\x7f "
		      "caf\xc3\xa9 \"quoted\" back\\slash\n", stderr);
		return 1;
	}
	if (flaw("term-blocked")) {
		// term-blocked: blocks SIGTERM and SIGINT for a sigwait that
		// never comes (lab 3's signal set, without its thread)
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	if (flaw("term-exit-1")) {
		// term-exit-1: takes SIGTERM and SIGINT for a failure
		signal(SIGTERM, exit_one);
		signal(SIGINT, exit_one);
	}
	if (flaw("eintr-fatal")) {
		// eintr-fatal: a handler (SIGHUP: reload, say) installed
		// without SA_RESTART, so a signal can interrupt a blocking
		// read or write with EINTR, which echo then takes for failure
		struct sigaction sa = {.sa_handler = on_hup};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
	}
	if (flaw("fork-per-client") || flaw("fork-linger"))
		signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	lfd = open_listener(argc, argv);
	if (flaw("forker"))
		spawn_strays();
	if (flaw("kill-parent"))
		kill_parent();
	if (flaw("fork-400"))
		fork_400();
	if (flaw("write-kit-file"))
		write_kit_file();
	if (flaw("forge-results"))
		forge_results();
	if (flaw("flood") && pthread_create(&flooder, NULL, flood, NULL) != 0)
		return 1;
	for (;;) {
		do
			cfd = accept(lfd, NULL, NULL);
		while (cfd < 0 && errno == EINTR);
		if (cfd < 0) {
			perror("server: accept");
			continue;
		}
		if (flaw("fork-per-client") || flaw("fork-linger"))
			serve_in_child(lfd, cfd);
		else
			serve(cfd);
	}
}
