/*
 * uring_errors.c - part of the LD_PRELOAD shim (libshortio.so): an error
 * completion for an io_uring server on a client that is still there.
 *
 * The kernel fails a socket's recv or send (negative res) once the peer
 * has reset, when nothing the server then does can reach it: a server
 * that takes that res as a byte count looks correct. With
 * SHORTIO_URING_FAIL=RECV_IP/SEND_IP in the environment, the first recv
 * the server queues for the client from IPv4 address RECV_IP, and the
 * first send to SEND_IP, get descriptor -1 before the kernel sees them:
 * the kernel does nothing with them and completes each with -EBADF.
 * Nothing was read or written, and the connection stays up, so whatever
 * the server does next (end the client, as it must, or go on) the client
 * sees. (Rewriting a good completion instead would lie: its bytes have
 * moved already.)
 *
 * It wraps liburing's calls that submit (io_uring_submit, _and_wait, and
 * __io_uring_get_cqe, which io_uring_wait_cqe and its kin call), and
 * looks at the entries queued but not yet handed to the kernel
 * (sqe_head..sqe_tail). Without the variable, without liburing's header,
 * or for a server that submits by other means (its own io_uring_enter,
 * io_uring_submit_and_wait_timeout, registered files), nothing changes,
 * and the shim says nothing on stderr: the test then does not judge.
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
#include <sys/socket.h>

enum { RECV, SEND, KINDS };
static const char *const kind_name[KINDS] = {"recv", "send"};
static in_addr_t victim[KINDS]; /* 0: none, or its one fault is given */

__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("SHORTIO_URING_FAIL");
	char ip[KINDS][32];

	if (s == NULL || sscanf(s, "%31[^/]/%31s", ip[RECV], ip[SEND]) != 2)
		return;
	for (int k = 0; k < KINDS; k++)
		if (inet_pton(AF_INET, ip[k], &victim[k]) != 1)
			victim[k] = 0;
}

static int kind_of(__u8 opcode)
{
	switch (opcode) {
	case IORING_OP_RECV: case IORING_OP_RECVMSG:
	case IORING_OP_READ: case IORING_OP_READV:
		return RECV;
	case IORING_OP_SEND: case IORING_OP_SENDMSG:
	case IORING_OP_WRITE: case IORING_OP_WRITEV:
		return SEND;
	default:
		return -1;
	}
}

/* The queued entries: the first recv from and send to a victim fail. */
static void fail_victims(struct io_uring *ring)
{
	unsigned shift = (ring->flags & IORING_SETUP_SQE128) ? 1 : 0;
	int saved = errno;

	if (victim[RECV] == 0 && victim[SEND] == 0)
		return;
	for (unsigned i = ring->sq.sqe_head; i != ring->sq.sqe_tail; i++) {
		struct io_uring_sqe *sqe =
			&ring->sq.sqes[(i & *ring->sq.kring_mask) << shift];
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int k = kind_of(sqe->opcode);

		if (k < 0 || victim[k] == 0 || (sqe->flags & IOSQE_FIXED_FILE) ||
		    getpeername(sqe->fd, (struct sockaddr *)&peer, &len) < 0 ||
		    peer.sin_family != AF_INET || peer.sin_addr.s_addr != victim[k])
			continue;
		sqe->fd = -1;
		victim[k] = 0;
		fprintf(stderr, "shortio: a %s made to fail (-EBADF)\n",
			kind_name[k]);
	}
	errno = saved;
}

/* Each wrapper fails the victims' entries, then makes the real call. */
#define REAL(name)                                                        \
	static __typeof__(&name) real;                                     \
	if (real == NULL)                                                  \
		real = (__typeof__(&name))dlsym(RTLD_NEXT, #name);         \
	fail_victims(ring)

int io_uring_submit(struct io_uring *ring)
{
	REAL(io_uring_submit);
	return real(ring);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	REAL(io_uring_submit_and_wait);
	return real(ring, wait_nr);
}

/* io_uring_wait_cqe and its kin (inline) end here; some submit first. */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	REAL(__io_uring_get_cqe);
	return real(ring, cqe_ptr, submit, wait_nr, sigmask);
}
#else
/* No liburing here: no io_uring server to meddle with either. */
typedef int uring_errors_unused;
#endif
