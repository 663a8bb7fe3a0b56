/*
 * fairness.c - one thread serving everyone (lab 4's coroutines) must not
 * let busy clients starve a quiet one: small echoes stay quick while
 * other clients keep the server busy with bulk transfers.
 */
#define _GNU_SOURCE
#include "checks/fairness.h"
#include "checks/thresholds.h"
#include "engine/clock.h"
#include "engine/latency.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A client that sends zeros and reads whatever comes back as fast as one
 * process can, checking nothing: the grader's own clients check every
 * byte, and run slower than a server echoes, so its coroutines would run
 * dry and park now and then however it schedules them. A process of its
 * own, killed and reaped by the caller; it ends by itself when the server
 * closes the connection.
 */
static pid_t start_blaster(const struct flows *fs)
{
	static char buf[1 << 16];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int fd = socket(fs->target.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&fs->target,
			      fs->target_len) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		_exit(1);
	for (struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};;) {
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			_exit(1);
		if ((p.revents & POLLOUT) &&
		    send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			_exit(0);
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    recv(fd, buf, sizeof buf, 0) <= 0 && errno != EAGAIN)
			_exit(0);
	}
}

/*
 * Two such clients blast; meanwhile a third sends small messages one at
 * a time. Each of its round trips must take under T.fair_echo_s: a
 * correct scheduler answers in milliseconds, since it asks epoll between
 * rounds. One whose round lasts until its run queue is empty never asks
 * epoll while the blasters keep each other ready: seconds.
 */
int test_fairness(struct ctx *c)
{
	struct flow_spec quiet = {.rounds = (uint32_t)T.fair_rounds, .msg_min = 4,
				  .msg_max = 4, .pattern = PAT_RANDOM, .seed = 90,
				  .nodelay = 1, .end = END_CLOSE};
	static struct latency rtt;
	char expected[240];
	struct flows fs;
	struct server *s = serve(c, "127.0.0.1:0", "127.0.0.1", &fs);
	double bound = T.fair_echo_s * c->scale;
	pid_t blasters[2];
	int rc;

	if (s == NULL)
		return -1;
	snprintf(expected, sizeof expected, "while 2 clients send and read bulk "
		 "data as fast as they can, a third's %d round trips of 4 bytes "
		 "each take under %.1f s", T.fair_rounds, bound);
	for (int i = 0; i < 2; i++)
		blasters[i] = start_blaster(&fs);
	flows_run_for(&fs, brief(c, 0.2)); /* the blast is under way */
	memset(&rtt, 0, sizeof rtt);
	fs.latency = &rtt;
	size_t q = (size_t)flow_start(&fs, &quiet);
	flows_run_until(&fs, q, now_s() + T.fair_rounds * bound);
	const struct flow *f = &fs.v[q];
	if (f->state == FLOW_FAILED)
		rc = any_flow_failed(c, &fs, s, expected);
	else if (f->state != FLOW_DONE)
		rc = fail(c, expected, "only %llu of its %d round trips came back "
			  "within %.0f s", (unsigned long long)rtt.count,
			  T.fair_rounds, T.fair_rounds * bound);
	else if (rtt.max_s > bound)
		rc = fail(c, expected, "one took %.2f s (half of them under "
			  "%.3f s)", rtt.max_s, latency_quantile(&rtt, 0.5));
	else
		rc = 0;
	for (int i = 0; i < 2; i++)
		if (blasters[i] > 0) {
			kill(blasters[i], SIGKILL);
			waitpid(blasters[i], NULL, 0);
		}
	flows_free(&fs);
	return rc;
}
