/*
 * flows.c - client connections driven from one epoll loop.
 *
 * A flow is one client connection with a script (struct flow_spec): how many
 * bytes to send, in lockstep messages or as a stream, at what pace, and how
 * to end. Every byte that comes back is checked against the pattern at its
 * offset, so nothing is stored: a 64 MiB flow costs no more than a 6-byte
 * one, and ten thousand flows fit in one loop.
 */
#define _GNU_SOURCE
#include "engine/flows.h"
#include "net.h"
#include "engine/clock.h"
#include "engine/latency.h"
#include "engine/pattern.h"
#include "engine/sandbox.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define IO_CHUNK 65536
/* Most bytes one flow may read per event, so one busy flow cannot stall
 * the loop's view of the others. */
#define READ_BUDGET (4 * IO_CHUNK)

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: cheap, and deterministic from the flow's seed */
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

int flows_init(struct flows *fs, const char *addr, struct server *srv)
{
	struct addrinfo *ai;
	struct net_err err;

	memset(fs, 0, sizeof *fs);
	fs->epfd = -1;
	fs->srv = srv;
	if (net_resolve(addr, 0, &ai, &err) != NET_OK)
		return -1;
	memcpy(&fs->target, ai->ai_addr, ai->ai_addrlen);
	fs->target_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	fs->epfd = epoll_create1(EPOLL_CLOEXEC);
	return fs->epfd < 0 ? -1 : 0;
}

static void flow_close(struct flows *fs, struct flow *f, enum flow_state st)
{
	f->log.t_end = now_s();
	if (f->fd >= 0) {
		epoll_ctl(fs->epfd, EPOLL_CTL_DEL, f->fd, NULL);
		close(f->fd);
		f->fd = -1;
	}
	if (f->state == FLOW_CONNECTING || f->state == FLOW_RUNNING)
		fs->active--;
	f->state = st;
}

/* Fail flow f: why is what went wrong, then err's text where err is set. */
static void flow_fail(struct flows *fs, struct flow *f, const char *what, int err)
{
	if (err)
		snprintf(f->why, sizeof f->why, "%s: %s", what, strerror(err));
	else
		snprintf(f->why, sizeof f->why, "%s", what);
	flow_close(fs, f, FLOW_FAILED);
}

/* Close and forget every flow's socket (counts as neither pass nor fail). */
static void flows_close_all(struct flows *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].fd >= 0)
			flow_close(fs, &fs->v[i], fs->v[i].state);
	fs->active = 0;
}

void flows_free(struct flows *fs)
{
	flows_close_all(fs);
	for (size_t i = 0; fs->watch.ended != NULL && i < fs->n; i++)
		fs->watch.ended(fs->watch.arg, &fs->v[i]);
	if (fs->epfd >= 0)
		close(fs->epfd);
	free(fs->v);
	memset(fs, 0, sizeof *fs);
	fs->epfd = -1;
}

static int wants_to_send(const struct flow *f, double now)
{
	return f->state == FLOW_RUNNING && f->sent < f->msg_end &&
	       now >= f->next_send;
}

static int wants_to_read(const struct flow *f)
{
	return f->state == FLOW_RUNNING && !f->spec.paused;
}

/* Level-triggered interest that follows the flow's state. */
void flow_rearm(struct flows *fs, struct flow *f, size_t i, double now)
{
	struct epoll_event ev = {0};

	if (f->fd < 0)
		return;
	if (f->state == FLOW_CONNECTING || wants_to_send(f, now))
		ev.events |= EPOLLOUT;
	if (wants_to_read(f))
		ev.events |= EPOLLIN | EPOLLRDHUP;
	if (ev.events == f->armed)
		return;
	f->armed = ev.events;
	ev.data.u64 = i;
	epoll_ctl(fs->epfd, EPOLL_CTL_MOD, f->fd, &ev);
}

static void next_message(struct flow *f)
{
	uint64_t size = f->spec.total - f->sent;

	if (f->spec.msg_max > 0) {
		uint32_t span = f->spec.msg_max - f->spec.msg_min + 1;
		uint64_t want = f->spec.msg_min + next_random(&f->rng) % span;
		if (want < size)
			size = want;
	}
	f->msg_start = f->sent;
	f->msg_end = f->sent + size;
	f->msg_sent_at = 0;
}

long flow_start(struct flows *fs, const struct flow_spec *spec)
{
	struct epoll_event ev = {0};
	struct flow *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct flow *v = realloc(fs->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		fs->v = v;
		fs->cap = cap;
	}
	f = &fs->v[fs->n];
	memset(f, 0, sizeof *f);
	f->spec = *spec;
	f->rng = spec->seed * 2654435761u + 1;
	if (spec->rounds > 0) {
		/* The same sizes next_message will draw, summed. */
		uint32_t rng = f->rng, span = spec->msg_max - spec->msg_min + 1;
		f->spec.total = 0;
		for (uint32_t r = 0; r < spec->rounds; r++)
			f->spec.total += spec->msg_min + next_random(&rng) % span;
	}
	f->last_progress = fs->last_progress = f->log.t_start = now_s();
	if (fs->watch.number != NULL)
		f->log.id = fs->watch.number(fs->watch.arg);
	f->state = FLOW_CONNECTING;
	fs->active++;
	fs->paced += spec->gap_s > 0;
	f->fd = socket(fs->target.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0) {
		flow_fail(fs, f, "cannot create a client socket", errno);
		return (long)fs->n++;
	}
	if (spec->narrow) {
		/* Set before connect: the MSS and window are negotiated then.
		 * A small MSS also keeps the server's send buffer small. */
		int rcvbuf = 4096, mss = 536;
		setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		setsockopt(f->fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
	}
	if (spec->nodelay) {
		int one = 1;
		setsockopt(f->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	if (spec->source != 0 && fs->target.ss_family == AF_INET) {
		struct sockaddr_in src = {.sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(spec->source)};
		if (bind(f->fd, (struct sockaddr *)&src, sizeof src) < 0) {
			flow_fail(fs, f, "cannot bind a client to 127/8", errno);
			return (long)fs->n++;
		}
	}
	if (connect(f->fd, (struct sockaddr *)&fs->target, fs->target_len) < 0 &&
	    errno != EINPROGRESS) {
		flow_fail(fs, f, "connect failed", errno);
		return (long)fs->n++;
	}
	ev.events = f->armed = EPOLLOUT;
	ev.data.u64 = fs->n;
	epoll_ctl(fs->epfd, EPOLL_CTL_ADD, f->fd, &ev);
	return (long)fs->n++;
}

void flow_reset(struct flows *fs, size_t i)
{
	struct linger hard = {1, 0};

	if (fs->v[i].fd >= 0)
		setsockopt(fs->v[i].fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
	flow_close(fs, &fs->v[i], FLOW_DONE);
}

/* All bytes sent: what the script says to do next. */
static void flow_finish_sending(struct flows *fs, struct flow *f, double now)
{
	switch (f->spec.end) {
	case END_HALFCLOSE:
		f->log.t_shutdown = now;
		if (shutdown(f->fd, SHUT_WR) < 0)
			flow_fail(fs, f, "shutdown(SHUT_WR) failed", errno);
		break;
	case END_RESET:
		flow_reset(fs, (size_t)(f - fs->v));
		break;
	case END_CLOSE:
	case END_HOLD:
		break;
	}
}

static void flow_send(struct flows *fs, struct flow *f, double now)
{
	static uint8_t buf[IO_CHUNK];

	while (f->state == FLOW_RUNNING && f->sent < f->msg_end) {
		uint64_t n = f->msg_end - f->sent;
		if (n > IO_CHUNK)
			n = IO_CHUNK;
		if (f->spec.chunk > 0 && n > f->spec.chunk)
			n = f->spec.chunk;
		pattern_fill(f->spec.pattern, f->spec.seed, f->sent, buf, n);
		/* Read now, not the event's time: a round trip times the
		 * server, not this loop's work before the send. */
		if (f->sent == f->msg_start)
			f->msg_sent_at = now_s();
		ssize_t w = send(f->fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			flow_fail(fs, f, "sending failed", errno);
			return;
		}
		f->sent += (uint64_t)w;
		f->last_progress = fs->last_progress = now;
		if (f->log.sends++ == 0)
			f->log.t_first_send = now;
		f->log.t_last_send = now;
		if (f->sent == f->spec.total)
			flow_finish_sending(fs, f, now);
		if (f->spec.gap_s > 0) {
			f->next_send = now + f->spec.gap_s;
			return;
		}
	}
}

/* The echo went wrong at byte `at`: what came back from there on, for
 * --trace (a failed flow's echoed is where it went wrong). */
static void keep_got(struct flow *f, uint64_t at, const uint8_t *p, size_t n)
{
	f->echoed = at;
	f->log.ngot = n < GOT_KEPT ? (uint8_t)n : GOT_KEPT;
	memcpy(f->log.got, p, f->log.ngot);
}

/* The echo of a lockstep message is complete: time it, and send the next
 * at once (the socket has room: nothing of ours is in flight), which saves
 * waiting a turn for EPOLLOUT. */
static void message_echoed(struct flows *fs, struct flow *f, double now)
{
	if (fs->latency != NULL && f->msg_sent_at > 0)
		latency_add(fs->latency, now - f->msg_sent_at);
	if (f->sent == f->spec.total)
		return;
	next_message(f);
	if (wants_to_send(f, now))
		flow_send(fs, f, now);
}

/* Check r received bytes against the pattern; 0, or -1 with f failed. */
static int check_echo(struct flows *fs, struct flow *f, const uint8_t *got,
		      size_t r)
{
	static uint8_t want[IO_CHUNK];
	uint64_t owed = f->sent - f->echoed;
	size_t valid = r < owed ? r : (size_t)owed, k = 0;

	pattern_fill(f->spec.pattern, f->spec.seed, f->echoed, want, valid);
	if (memcmp(got, want, valid) == 0 && valid == r)
		return 0;
	while (k < valid && got[k] == want[k])
		k++;
	uint64_t at = f->echoed + k;
	keep_got(f, at, got + k, r - k);
	if (k == valid)
		snprintf(f->why, sizeof f->why,
			 "received byte %llu, but only %llu were sent",
			 (unsigned long long)at, (unsigned long long)f->sent);
	else
		snprintf(f->why, sizeof f->why,
			 "byte %llu came back as 0x%02x, sent 0x%02x",
			 (unsigned long long)at, got[k], want[k]);
	flow_close(fs, f, FLOW_FAILED);
	return -1;
}

static void flow_receive(struct flows *fs, struct flow *f, double now)
{
	static uint8_t buf[IO_CHUNK];
	size_t budget = READ_BUDGET;

	while (f->state == FLOW_RUNNING && budget > 0) {
		ssize_t r = recv(f->fd, buf, sizeof buf, 0);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			flow_fail(fs, f, "the connection failed", errno);
			return;
		}
		if (r == 0) {
			f->log.t_eof = now;
			if (f->echoed == f->spec.total && f->spec.end == END_HALFCLOSE)
				flow_close(fs, f, FLOW_DONE);
			else
				flow_fail(fs, f, "the server closed the connection", 0);
			return;
		}
		budget -= (size_t)r < budget ? (size_t)r : budget;
		if (f->log.recvs++ == 0)
			f->log.t_first_recv = now;
		f->log.t_last_recv = now;
		if (check_echo(fs, f, buf, (size_t)r) < 0)
			return;
		f->echoed += (uint64_t)r;
		f->last_progress = fs->last_progress = now;
		if (f->echoed == f->msg_end)
			message_echoed(fs, f, now);
		if (f->echoed == f->spec.total && f->spec.end == END_CLOSE)
			flow_close(fs, f, FLOW_DONE);
		/* Less than asked for: the socket is empty for now, and level-
		 * triggered epoll says when it is not; a recv to hear EAGAIN
		 * would cost a system call a round trip. */
		if ((size_t)r < sizeof buf)
			return;
	}
}

static void flow_connected(struct flows *fs, struct flow *f)
{
	int err = 0;
	socklen_t len = sizeof err;

	getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		flow_fail(fs, f, "connect failed", err);
		return;
	}
	f->state = FLOW_RUNNING;
	f->last_progress = fs->last_progress = f->log.t_connected = now_s();
	if (fs->watch.number != NULL)
		f->log.port = flow_local_port(fs, (size_t)(f - fs->v));
	next_message(f);
	if (f->spec.total == 0)
		flow_finish_sending(fs, f, f->log.t_connected);
}

void flow_event(struct flows *fs, size_t i, uint32_t events, double now)
{
	struct flow *f = &fs->v[i];

	if (f->state == FLOW_CONNECTING) {
		flow_connected(fs, f);
		return;
	}
	/* A hang-up or error is reported even to a paused flow, and level-
	 * triggered epoll would report it forever: the connection is over, so
	 * read what is left even though the script said not to read yet. */
	if ((events & (EPOLLHUP | EPOLLERR)) ||
	    ((events & (EPOLLIN | EPOLLRDHUP)) && wants_to_read(f)))
		flow_receive(fs, f, now);
	if ((events & EPOLLOUT) && wants_to_send(f, now))
		flow_send(fs, f, now);
}
