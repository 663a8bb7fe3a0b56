/*
 * flows_run.c - the loop that drives a set of flows: epoll_wait with a
 * timeout for paced senders, each event to its flow (flows.c), until the
 * flows are done, a deadline, a stall or an interrupt; and what a test
 * asks of the flows meanwhile or afterwards.
 */
#include "engine/flows.h"
#include "engine/clock.h"
#include "engine/sandbox.h"

#include <netinet/in.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* When a paced flow next wants to send, as an epoll timeout in ms. */
static int next_wakeup_ms(const struct flows *fs, double now, double deadline)
{
	double t = deadline;

	for (size_t i = 0; fs->paced > 0 && i < fs->n; i++) {
		const struct flow *f = &fs->v[i];
		/* A time already past is armed in epoll: nothing to wake for. */
		if (f->state == FLOW_RUNNING && f->spec.gap_s > 0 &&
		    f->sent < f->msg_end && f->next_send > now &&
		    f->next_send < t)
			t = f->next_send;
	}
	t -= now;
	if (t > 0.05)
		t = 0.05; /* check the interrupt flag and the server often */
	return t <= 0 ? 0 : (int)(t * 1000) + 1;
}

static void flows_step(struct flows *fs, double deadline)
{
	struct epoll_event evs[256];
	double now = now_s();
	int n = epoll_wait(fs->epfd, evs, 256, next_wakeup_ms(fs, now, deadline));

	now = fs->last_look = now_s();
	/* The clock is read again for each event: a round trip's latency is
	 * timed to the event, not to the start of a batch of 256. */
	for (int k = 0; k < n; k++)
		flow_event(fs, evs[k].data.u64, evs[k].events, now_s());
	now = now_s();
	for (int k = 0; k < n; k++)
		flow_rearm(fs, &fs->v[evs[k].data.u64], evs[k].data.u64, now);
	for (size_t i = 0; fs->paced > 0 && i < fs->n; i++)
		if (fs->v[i].spec.gap_s > 0)
			flow_rearm(fs, &fs->v[i], i, now);
	if (fs->srv)
		server_drain(fs->srv);
}

/* Nothing moved for stall_s, as seen by a look at the sockets at the end
 * of that time: a grader that was not scheduled for a while (a loaded
 * machine) looks again before it blames the server. */
static int stalled(const struct flows *fs)
{
	return fs->stall_s > 0 && fs->last_look - fs->last_progress > fs->stall_s;
}

int flows_run_below(struct flows *fs, size_t limit, double deadline)
{
	fs->last_progress = fs->last_look = now_s();
	while (fs->active >= limit && now_s() < deadline && !time_is_up() &&
	       !stalled(fs))
		flows_step(fs, deadline);
	return fs->active < limit ? 0 : -1;
}

int flows_run(struct flows *fs, double deadline)
{
	return flows_run_below(fs, 1, deadline);
}

int flow_settled(const struct flow *f)
{
	return f->state == FLOW_RUNNING && f->sent == f->spec.total &&
	       f->echoed == f->spec.total;
}

int flows_run_until(struct flows *fs, size_t i, double deadline)
{
	while ((fs->v[i].state == FLOW_CONNECTING || fs->v[i].state == FLOW_RUNNING) &&
	       now_s() < deadline && !time_is_up())
		flows_step(fs, deadline);
	return fs->v[i].state == FLOW_DONE ? 0 : -1;
}

void flows_run_for(struct flows *fs, double seconds)
{
	double until = now_s() + seconds;

	while (now_s() < until && !time_is_up())
		flows_step(fs, until);
}

const struct flow *flows_first_failure(const struct flows *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].state == FLOW_FAILED)
			return &fs->v[i];
	return NULL;
}

void flow_describe(const struct flow *f, char *buf, size_t len)
{
	unsigned long long total = f->spec.total;

	switch (f->state) {
	case FLOW_FAILED:
		snprintf(buf, len, "%s (%llu of %llu bytes sent, %llu came back)",
			 f->why, (unsigned long long)f->sent, total,
			 (unsigned long long)f->echoed);
		break;
	case FLOW_CONNECTING:
		snprintf(buf, len, "the connection never completed");
		break;
	case FLOW_RUNNING:
		if (f->spec.end == END_HALFCLOSE && f->echoed == total &&
		    f->sent == total) {
			snprintf(buf, len, "all %llu bytes came back, but no end "
				 "of file followed in %.1f s: the server never "
				 "closed the connection", total,
				 now_s() - f->last_progress);
			break;
		}
		snprintf(buf, len, "%llu of %llu bytes sent, %llu came back, "
			 "then nothing for %.1f s",
			 (unsigned long long)f->sent, total,
			 (unsigned long long)f->echoed, now_s() - f->last_progress);
		break;
	case FLOW_DONE:
		snprintf(buf, len, "all %llu bytes came back", total);
		break;
	}
}

void flow_resume(struct flows *fs, size_t i)
{
	fs->v[i].spec.paused = 0;
	fs->v[i].log.t_resumed = now_s();
	flow_rearm(fs, &fs->v[i], i, fs->v[i].log.t_resumed);
}

unsigned flow_local_port(const struct flows *fs, size_t i)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (fs->v[i].fd < 0 ||
	    getsockname(fs->v[i].fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

long flow_unread(const struct flows *fs, size_t i)
{
	int n = 0;

	return fs->v[i].fd >= 0 && ioctl(fs->v[i].fd, FIONREAD, &n) == 0 ? n : -1;
}
