/*
 * server.c - lab 5: an echo server on io_uring, in one thread.
 *
 * Labs 2 and 4 ask the kernel "may I read now?", then read. This server
 * hands the kernel whole operations (accept, receive into this buffer,
 * send these bytes) through a submission queue, and collects each one's
 * result from a completion queue. A submission's user_data comes back
 * with its completion: here it points at the operation, in its client.
 *
 * The rule: from submission to completion, an operation's buffer is the
 * kernel's. Nothing may reuse it or free it before the completion.
 *
 * Step 6 lends no buffer to a receive that waits: the kernel picks one
 * from a pool only when bytes arrive, and the server gives it back once
 * they are sent. Where the kernel has no pool (before 6.0), each client
 * lends two buffers of its own, as in steps 2 to 5.
 */
#define _GNU_SOURCE
#include "listener.h"
#include "net.h"

#include <errno.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define RING_ENTRIES 1024 /* submissions queued before the kernel takes them */
#define BUFSIZE 4096
#define REST_NS 100000000 /* the rest when descriptors run out: 0.1 s */
#define POOL_BUFS 512     /* the pool's buffers (a power of two) */
#define POOL_GROUP 0      /* its buffer group: what a receive picks from */
#define HELD_MAX 8        /* a client holding so many stops receiving */

enum op_kind { OP_ACCEPT, OP_REST, OP_CANCEL, OP_STOP, OP_RECV, OP_SEND };

struct op { /* what user_data points at */
	enum op_kind kind;
	int busy;              /* submitted, its completion not yet back */
	struct client *client; /* the owner of a recv or send */
};

/* Two buffers: the kernel receives into one while the other is sent. */
struct client {
	int fd;
	struct op recv_op, send_op;
	int eof;    /* the client sent all it will: finish the send, then end */
	int ending; /* no more submissions; free once neither op is busy */
	char *in;   /* the next recv goes here; in_len bytes wait to be sent */
	char *out;  /* being sent: out_sent of out_len bytes so far */
	size_t in_len, out_len, out_sent;
	int held, first, last; /* pool buffers received, first one oldest */
	struct client *next_starved;
	char bufs[][BUFSIZE]; /* its own two, without the pool */
};

/* With the pool, the kernel picks a buffer when bytes arrive; held ones
 * are chained in arrival order (held[id].next) until they are sent. */
static struct io_uring_buf_ring *pool; /* NULL: clients lend their own */
static _Alignas(4096) struct io_uring_buf pool_ring[POOL_BUFS];
static char pool_bufs[POOL_BUFS][BUFSIZE];
static struct { int next, len; } held[POOL_BUFS];
static struct client *starved; /* their receive ended on an empty pool */
static size_t client_size = sizeof(struct client) + 2 * BUFSIZE;

static struct io_uring ring;
static int listen_fd;
static struct op accept_op = {.kind = OP_ACCEPT}, rest_op = {.kind = OP_REST};
static struct op cancel_op = {.kind = OP_CANCEL}, stop_op = {.kind = OP_STOP};

/* A submission queue entry for op; a full queue is handed over first. */
static struct io_uring_sqe *sqe_for(struct op *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (sqe == NULL && io_uring_submit(&ring) >= 0)
		sqe = io_uring_get_sqe(&ring);
	if (sqe == NULL) {
		fputs("server: the submission queue stays full\n", stderr);
		exit(1);
	}
	io_uring_sqe_set_data(sqe, op);
	op->busy = 1;
	return sqe;
}

static void submit_accept(void)
{
	// TODO(step 5): a multishot accept (io_uring_prep_multishot_accept):
	// one submission, a completion for every client, until it ends.
	// skeleton: io_uring_prep_accept(sqe_for(&accept_op), listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_prep_multishot_accept(sqe_for(&accept_op), listen_fd, NULL,
				       NULL, SOCK_CLOEXEC);
	// END TODO
}

static void submit_recv(struct client *c)
{
	// TODO(step 6): with the pool, one multishot receive for good; the
	// kernel picks each buffer from POOL_GROUP (IOSQE_BUFFER_SELECT).
	if (pool != NULL) {
		struct io_uring_sqe *sqe = sqe_for(&c->recv_op);
		io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = POOL_GROUP;
		return;
	}
	// skeleton: (void)pool, (void)pool_ring, (void)pool_bufs, (void)held;
	// skeleton: (void)starved, (void)client_size;
	// END TODO
	io_uring_prep_recv(sqe_for(&c->recv_op), c->fd, c->in, BUFSIZE, 0);
}

static void submit_send(struct client *c)
{
	io_uring_prep_send(sqe_for(&c->send_op), c->fd, c->out + c->out_sent,
			   c->out_len - c->out_sent, MSG_NOSIGNAL);
}

// TODO(step 2): delete this stand-in once client_start is yours.
// skeleton: /* Until step 2, each client is served to its end: lab 1's loop. */
// skeleton: static void serve_blocking(int fd)
// skeleton: {
// skeleton: 	char buf[BUFSIZE];
// skeleton: 	ssize_t n;
// skeleton:
// skeleton: 	while ((n = read(fd, buf, sizeof buf)) > 0)
// skeleton: 		if (net_write_all(fd, buf, (size_t)n) < 0)
// skeleton: 			break;
// skeleton: 	close(fd);
// skeleton: }
// END TODO

static void client_start(int fd)
{
	// TODO(step 2): a client, its ops, its buffers; its first recv.
	// skeleton: serve_blocking(fd); /* until step 2: one client at a time */
	struct client *c = calloc(1, client_size);

	if (c == NULL) {
		close(fd); /* no memory for this one: refuse it */
		return;
	}
	c->fd = fd;
	c->recv_op = (struct op){.kind = OP_RECV, .client = c};
	c->send_op = (struct op){.kind = OP_SEND, .client = c};
	c->in = c->bufs[0]; /* with the pool, these are not used */
	c->out = c->bufs[1];
	submit_recv(c);
	// END TODO
}

static void cancel(struct op *op)
{
	io_uring_prep_cancel(sqe_for(&cancel_op), op, 0);
}

// TODO(step 6): the pool's work (README, step 6). give_back returns a
// buffer to the ring (io_uring_buf_ring_add, io_uring_buf_ring_advance)
// and rearms the starved receives; hold chains a buffer the kernel picked
// to its client, unhold takes the oldest off; pool_next sends and rearms.
static void give_back(int id)
{
	io_uring_buf_ring_add(pool, pool_bufs[id], BUFSIZE, (unsigned short)id,
			      io_uring_buf_ring_mask(POOL_BUFS), 0);
	io_uring_buf_ring_advance(pool, 1);
	for (; starved != NULL; starved = starved->next_starved)
		submit_recv(starved);
}

static void hold(struct client *c, int id, int len)
{
	held[id].len = len;
	if (c->held++ == 0)
		c->first = id;
	else
		held[c->last].next = id;
	c->last = id;
}

static int unhold(struct client *c)
{
	int id = c->first;

	c->first = held[id].next;
	c->held--;
	return id;
}

/* After a completion of c's: its oldest buffer goes out if no send is
 * busy. Its receive goes on (F_MORE) until c holds HELD_MAX, and is
 * rearmed once c holds fewer; after -ENOBUFS, only once a buffer is
 * back: here if c holds none, else when its send completes. */
static void pool_next(struct client *c, int res)
{
	if (c->held > 0 && !c->send_op.busy) {
		c->out = pool_bufs[c->first];
		c->out_len = (size_t)held[c->first].len;
		c->out_sent = 0;
		submit_send(c);
	}
	if (c->recv_op.busy) {
		if (c->held == HELD_MAX)
			cancel(&c->recv_op);
	} else if (res == -ENOBUFS && c->held == 0) {
		c->next_starved = starved;
		starved = c;
	} else if (res != -ENOBUFS && !c->eof && c->held < HELD_MAX) {
		submit_recv(c);
	}
}
// END TODO

/* c takes no more submissions, and is freed once every operation of it
 * has completed; cancelling them makes that soon (a recv would wait for
 * the client). */
static void client_end(struct client *c)
{
	// TODO(step 6): once neither op is busy (no send reads them), give
	// back every buffer c holds.
	while (c->held > 0 && !c->recv_op.busy && !c->send_op.busy)
		give_back(unhold(c));
	// END TODO
	// TODO(step 4): the first time: ending, and cancel the busy ops.
	// Once neither is busy: close the socket, free c.
	// skeleton: close(c->fd);
	// skeleton: free(c); /* the kernel may still hold a buffer of it! */
	// skeleton: (void)cancel;
	if (!c->ending) {
		c->ending = 1;
		if (c->recv_op.busy)
			cancel(&c->recv_op);
		if (c->send_op.busy)
			cancel(&c->send_op);
	}
	if (!c->recv_op.busy && !c->send_op.busy) {
		close(c->fd);
		free(c);
	}
	// END TODO
}

/* What came in goes out; the buffer sent takes the next recv meanwhile. */
static void echo_received(struct client *c)
{
	char *sent = c->out;

	c->out = c->in;
	c->out_len = c->in_len;
	c->out_sent = 0;
	c->in = sent;
	c->in_len = 0;
	submit_send(c);
	submit_recv(c);
}

static void on_recv(struct client *c, int res)
{
	// TODO(step 6): with the pool, bytes, -ENOBUFS (the pool ran dry)
	// and -ECANCELED (c held HELD_MAX) go to pool_next.
	if (pool != NULL && (res > 0 || res == -ENOBUFS || res == -ECANCELED)) {
		pool_next(c, res);
		return;
	}
	// END TODO
	// TODO(step 4): end of file while a send is busy: set eof (on_send
	// ends the client once all is sent).
	if (res == 0 && c->send_op.busy) {
		c->eof = 1;
		return;
	}
	// END TODO
	// TODO(step 2): end of file or an error: client_end. Else echo the res
	// bytes in c->in, now if no send is busy (else on_send will).
	// skeleton: (void)c, (void)res, (void)echo_received, (void)client_end;
	if (res <= 0) {
		client_end(c);
		return;
	}
	c->in_len = (size_t)res;
	if (!c->send_op.busy)
		echo_received(c);
	// END TODO
}

static void on_send(struct client *c, int res)
{
	// TODO(step 2): an error: client_end. Else res more bytes are sent.
	// skeleton: (void)c, (void)res, (void)submit_send;
	if (res < 0) {
		client_end(c);
		return;
	}
	c->out_sent += (size_t)res;
	// END TODO
	// TODO(step 3): a short send: submit the rest, and nothing else.
	if (c->out_sent < c->out_len) {
		submit_send(c);
		return;
	}
	// END TODO
	// TODO(step 6): with the pool, the buffer sent goes back (unhold,
	// give_back), then pool_next; done here while c holds more.
	if (pool != NULL) {
		give_back(unhold(c)); /* all its bytes are sent */
		pool_next(c, 0);
		if (c->held > 0)
			return;
	}
	// END TODO
	// TODO(step 2): all sent: if a recv brought more meanwhile, echo it.
	if (c->in_len > 0)
		echo_received(c);
	// END TODO
	// TODO(step 4): all sent after end of file: client_end.
	if (c->eof)
		client_end(c);
	// END TODO
}

/* SIGINT and SIGTERM come as a completion too, read from a signalfd:
 * valgrind delivers no signal while io_uring_enter waits. */
static void watch_stop_signals(void)
{
	static struct signalfd_siginfo info;
	sigset_t stop;
	int fd;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0 ||
	    (fd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0) {
		perror("server: signalfd");
		exit(1);
	}
	io_uring_prep_read(sqe_for(&stop_op), fd, &info, sizeof info, 0);
}

static void on_accept(int res)
{
	if (res >= 0)
		client_start(res);
	if (accept_op.busy)
		return; /* a multishot accept goes on by itself */
	// TODO(step 5): EMFILE, ENFILE, ENOBUFS or ENOMEM: a timeout of
	// REST_NS on rest_op first (accept would fail again at once).
	// skeleton: (void)rest_op;
	if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
		static struct __kernel_timespec rest = {.tv_nsec = REST_NS};
		io_uring_prep_timeout(sqe_for(&rest_op), &rest, 0, 0);
		return;
	}
	// END TODO
	submit_accept();
}

/* Its op is no longer busy, unless a multishot one goes on (F_MORE).
 * A cancel's result is not needed: the op it cancels completes too. */
static void on_completion(struct op *op, int res, unsigned flags)
{
	op->busy = (flags & IORING_CQE_F_MORE) != 0;
	// TODO(step 6): a buffer the kernel picked (IORING_CQE_F_BUFFER, its id
	// in flags >> IORING_CQE_BUFFER_SHIFT) is held by the op's client.
	if (flags & IORING_CQE_F_BUFFER)
		hold(op->client, (int)(flags >> IORING_CQE_BUFFER_SHIFT), res);
	// END TODO
	if (op->kind == OP_STOP)
		exit(0);
	else if (op->kind == OP_ACCEPT)
		on_accept(res);
	else if (op->kind == OP_REST)
		submit_accept();
	// TODO(step 4): an ending client: client_end counts it back.
	else if (op->client != NULL && op->client->ending)
		client_end(op->client);
	// END TODO
	else if (op->kind == OP_RECV)
		on_recv(op->client, res);
	else if (op->kind == OP_SEND)
		on_send(op->client, res);
}

int main(int argc, char *argv[])
{
	int rc;

	// TODO(step 1): a ring of RING_ENTRIES: io_uring_queue_init with
	// flags 0, as the README says (the reference first asks for two
	// flags of kernel 6.1, then falls back to 0 on -EINVAL); -errno on
	// failure: say so, exit 1. Then listener_open (blocking is fine: the
	// kernel waits, not us); submit the first accept.
	// skeleton: (void)argc, (void)argv, (void)rc;
	// skeleton: fputs("server: not listening yet (TODO step 1)\n", stderr);
	// skeleton: return 1;
	/* One thread submits, and the kernel finishes its work on our
	 * completions only when we wait (not by interrupting us): 5-20% more
	 * round trips. Kernels before 6.1 know neither flag. */
	rc = io_uring_queue_init(RING_ENTRIES, &ring, IORING_SETUP_SINGLE_ISSUER |
				 IORING_SETUP_DEFER_TASKRUN);
	if (rc == -EINVAL)
		rc = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (rc < 0) {
		fprintf(stderr, "server: io_uring: %s\n", strerror(-rc));
		return 1;
	}
	listen_fd = listener_open(argc, argv, 0);
	submit_accept();
	// END TODO
	// TODO(step 6): the pool: register a ring of POOL_BUFS for POOL_GROUP
	// (io_uring_register_buf_ring), give it every buffer, and clients need
	// none of their own. A kernel without it refuses: clients lend theirs.
	struct io_uring_buf_reg reg = {.ring_addr = (uintptr_t)pool_ring,
				       .ring_entries = POOL_BUFS, .bgid = POOL_GROUP};
	if (io_uring_register_buf_ring(&ring, &reg, 0) == 0) {
		pool = (struct io_uring_buf_ring *)pool_ring;
		io_uring_buf_ring_init(pool);
		for (int id = 0; id < POOL_BUFS; id++)
			give_back(id);
		client_size = sizeof(struct client);
	}
	// END TODO
	signal(SIGPIPE, SIG_IGN); /* step 1's stand-in writes with write() */
	watch_stop_signals();
	for (;;) {
		struct io_uring_cqe *cqe;

		// TODO(step 1): submit what is queued, wait for a completion
		// (io_uring_submit_and_wait); then, for each (io_uring_peek_cqe),
		// take op, res and flags, io_uring_cqe_seen, on_completion.
		// skeleton: (void)cqe, (void)on_completion;
		if ((rc = io_uring_submit_and_wait(&ring, 1)) < 0 && rc != -EINTR) {
			fprintf(stderr, "server: io_uring: %s\n", strerror(-rc));
			return 1;
		}
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			struct op *op = io_uring_cqe_get_data(cqe);
			int res = cqe->res;
			unsigned flags = cqe->flags;

			io_uring_cqe_seen(&ring, cqe);
			on_completion(op, res, flags);
		}
		// END TODO
	}
}
