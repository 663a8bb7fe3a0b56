/*
 * uring_errors.c - part of the LD_PRELOAD shim (libshortio.so): error
 * completions for an io_uring server on a client that is still there.
 *
 * The kernel fails a socket's recv or send (negative res) once the peer
 * has reset, when nothing the server then does can reach it: a server
 * that takes that res as a length (adds it to what was sent, sends that
 * many bytes) looks correct. Out of memory (ENOBUFS, ENOMEM) fails them
 * on a live connection too, and that the grader cannot bring about.
 * With SHORTIO_URING_FAIL=RECV_IP/SEND_IP in the environment, this turns
 * the first successful recv completion on a socket whose peer is IPv4
 * address RECV_IP into -ECONNRESET, and likewise the first send to
 * SEND_IP: the connection itself stays up, so whatever the server does
 * next (end the client, as it must, or echo) the client sees.
 *
 * It wraps liburing's exported calls that submit or wait: before one, it
 * notes which queued submissions are receives or sends to those peers
 * (their user_data); after it, it rewrites the matching completions
 * waiting in the ring, before the server's inline peek can read them.
 * Without the variable, or without liburing's header, nothing changes.
 */
#define _GNU_SOURCE
#if __has_include(<liburing.h>)
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { RECV, SEND, KINDS };

static struct {
	int (*submit)(struct io_uring *);
	int (*submit_and_wait)(struct io_uring *, unsigned);
	int (*get_cqe)(struct io_uring *, struct io_uring_cqe **, unsigned,
		       unsigned, sigset_t *);
} real;

static in_addr_t victim[KINDS]; /* 0: none */
static int done[KINDS];         /* that one error has been given */
#define NOTED 64
static __u64 noted[KINDS][NOTED]; /* user_data of the victims' ops */
static int nnoted[KINDS];

__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("SHORTIO_URING_FAIL");
	char recv_ip[32], send_ip[32];

	real.submit = dlsym(RTLD_NEXT, "io_uring_submit");
	real.submit_and_wait = dlsym(RTLD_NEXT, "io_uring_submit_and_wait");
	real.get_cqe = dlsym(RTLD_NEXT, "__io_uring_get_cqe");
	if (s == NULL || sscanf(s, "%31[^/]/%31s", recv_ip, send_ip) != 2)
		return;
	inet_pton(AF_INET, recv_ip, &victim[RECV]);
	inet_pton(AF_INET, send_ip, &victim[SEND]);
}

static int kind_of(__u8 opcode)
{
	if (opcode == IORING_OP_RECV || opcode == IORING_OP_READ ||
	    opcode == IORING_OP_RECVMSG)
		return RECV;
	if (opcode == IORING_OP_SEND || opcode == IORING_OP_WRITE ||
	    opcode == IORING_OP_SENDMSG)
		return SEND;
	return -1;
}

/* Queued, not yet submitted: the receives and sends to a victim. */
static void note_victims(struct io_uring *ring)
{
	unsigned shift = (ring->flags & IORING_SETUP_SQE128) ? 1 : 0;
	int saved = errno;

	for (unsigned i = ring->sq.sqe_head; i != ring->sq.sqe_tail; i++) {
		struct io_uring_sqe *sqe =
			&ring->sq.sqes[(i & *ring->sq.kring_mask) << shift];
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int k = kind_of(sqe->opcode);

		if (k < 0 || done[k] || victim[k] == 0 ||
		    (sqe->flags & IOSQE_FIXED_FILE) || nnoted[k] == NOTED ||
		    getpeername(sqe->fd, (struct sockaddr *)&peer, &len) < 0 ||
		    peer.sin_family != AF_INET ||
		    peer.sin_addr.s_addr != victim[k])
			continue;
		noted[k][nnoted[k]++] = sqe->user_data;
	}
	errno = saved;
}

/* Completions waiting in the ring: the first good one of each kind of a
 * victim's op fails instead. */
static void fail_victims(struct io_uring *ring)
{
	unsigned shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
	unsigned tail = __atomic_load_n(ring->cq.ktail, __ATOMIC_ACQUIRE);

	for (unsigned i = *ring->cq.khead; i != tail; i++) {
		struct io_uring_cqe *cqe =
			&ring->cq.cqes[(i & *ring->cq.kring_mask) << shift];
		for (int k = 0; k < KINDS; k++)
			for (int j = 0; j < nnoted[k] && !done[k]; j++)
				if (noted[k][j] == cqe->user_data && cqe->res > 0 &&
				    !(cqe->flags & IORING_CQE_F_MORE)) {
					cqe->res = -ECONNRESET;
					done[k] = 1;
					nnoted[k] = 0;
					fprintf(stderr, "shortio: a %s completion made "
						"-ECONNRESET\n", k == RECV ? "recv" : "send");
				}
	}
}

static int active(void)
{
	return (victim[RECV] && !done[RECV]) || (victim[SEND] && !done[SEND]);
}

int io_uring_submit(struct io_uring *ring)
{
	if (active())
		note_victims(ring);
	int rc = real.submit(ring);
	if (active())
		fail_victims(ring);
	return rc;
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	if (active())
		note_victims(ring);
	int rc = real.submit_and_wait(ring, wait_nr);
	if (active())
		fail_victims(ring);
	return rc;
}

/* io_uring_wait_cqe and its kin, inline, end here when the ring is empty. */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	if (active())
		note_victims(ring);
	int rc = real.get_cqe(ring, cqe_ptr, submit, wait_nr, sigmask);
	if (active())
		fail_victims(ring);
	return rc;
}
#else
/* No liburing here: no io_uring server to meddle with either. */
typedef int uring_errors_unused;
#endif
