/*
 * shortio.c - an LD_PRELOAD shim that gives a server's socket calls the
 * short counts and EINTRs that POSIX allows and loopback never shows.
 *
 * write may take fewer bytes than asked, and a call interrupted before it
 * moved anything fails with EINTR; a correct server loops on both. On a
 * blocking loopback socket Linux almost never does either, so a server
 * that writes once and ignores the count passes every plain echo test.
 * The grader's partial-io test starts the server with this library in
 * LD_PRELOAD and SHORTIO_SEED=SEED in its environment. Then, on
 * stream sockets only, about one call in 8 fails with EINTR having done
 * nothing, where the server could see one (below), and about one in 3 of
 * the others passes the kernel a shorter count (1..n-1 bytes). Without
 * the variable every call passes through.
 *
 * EINTR only where a signal could cause it: POSIX fails a call with
 * EINTR only when a signal handler ran, and Linux restarts a socket call
 * whose handler was installed with SA_RESTART. So the shim watches
 * sigaction and signal, and injects EINTR into a blocking call only
 * while some signal has a handler without SA_RESTART and the calling
 * thread does not block that signal. Faults a process raises on itself
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS; Rust's runtime
 * catches SIGSEGV and SIGBUS) and SIGPIPE (raised by the very write that
 * fails with EPIPE) interrupt nothing and do not count. A server that
 * catches no signal (lab 3's take them with sigwait) never sees EINTR.
 * When the shim first injects one it creates the file SHORTIO_MARK names
 * (if set): the grader's note says when none could be.
 *
 * Why not Debian's libfiu (fiu-run)? Its POSIX preload can shorten read,
 * readv, write and writev (the /reduce points), but send, sendto, sendmsg,
 * recv, recvfrom and recvmsg have failure points only: -1 with an errno,
 * never a short count. A lab-1 student may well echo with send(), and
 * lab 2's output ring writes with sendmsg, so exactly the calls the lesson
 * is about would escape. libfiu also acts on every descriptor (files and
 * pipes too) and cannot spare the non-blocking calls from EINTR.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define EINTR_ONE_IN 8 /* of the calls that could sleep */
#define SHORT_ONE_IN 3 /* of the others */
#define TRIM_MAX 16    /* iovec entries a trimmed copy may hold */

static struct {
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
			    socklen_t *);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	sighandler_t (*signal)(int, sighandler_t);
} real;

/*
 * Descriptors watched edge-triggered (EPOLLET) get no count of ours:
 * epoll(7) lets such a server take a short read as "the queue is
 * drained", and a short write as "the buffer is full", and wait for the
 * next edge, which a count we shortened never brings (tokio does both).
 * Their short writes are real instead: their send buffer is made small
 * (ET_SNDBUF), so writes come back short whenever the client reads a
 * little behind, and the kernel brings the edge once room is made. One
 * bit a descriptor; a bit left set after a close only spares the next
 * user's calls.
 */
#define ET_FDS 65536
#define ET_SNDBUF 4096 /* Linux doubles it: 8 KiB */
static _Atomic uint8_t edge_triggered[ET_FDS / 8];

static int enabled;
static uint64_t seed;
static atomic_uint_fast64_t calls;
/* Signals whose handler does not restart calls (bit sig - 1); a mark
 * file to create at the first EINTR injected, or NULL. */
static _Atomic uint64_t interrupting;
static const char *mark;
static atomic_int marked;

/* ld.so runs a preloaded library's constructor before any code of the
 * program itself, so every wrapper finds real filled in. */
__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("SHORTIO_SEED");

	real.write = dlsym(RTLD_NEXT, "write");
	real.send = dlsym(RTLD_NEXT, "send");
	real.sendto = dlsym(RTLD_NEXT, "sendto");
	real.writev = dlsym(RTLD_NEXT, "writev");
	real.sendmsg = dlsym(RTLD_NEXT, "sendmsg");
	real.read = dlsym(RTLD_NEXT, "read");
	real.recv = dlsym(RTLD_NEXT, "recv");
	real.recvfrom = dlsym(RTLD_NEXT, "recvfrom");
	real.readv = dlsym(RTLD_NEXT, "readv");
	real.recvmsg = dlsym(RTLD_NEXT, "recvmsg");
	real.epoll_ctl = dlsym(RTLD_NEXT, "epoll_ctl");
	real.sigaction = dlsym(RTLD_NEXT, "sigaction");
	real.signal = dlsym(RTLD_NEXT, "signal");
	mark = getenv("SHORTIO_MARK");
	enabled = s != NULL;
	seed = s ? strtoull(s, NULL, 10) : 0;
}

/* splitmix64 of the seed and a call counter: the same seed gives the same
 * sequence of draws, and threads share it through one atomic counter. */
static uint64_t draw(void)
{
	uint64_t z = seed + atomic_fetch_add(&calls, 1) * 0x9e3779b97f4a7c15u;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* What sig's handler now is, into interrupting. */
static void note_handler(int sig)
{
	static const int inert[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
				    SIGSYS, SIGPIPE};
	struct sigaction now;
	int counts = sig >= 1 && sig <= 64 &&
		     real.sigaction(sig, NULL, &now) == 0 &&
		     now.sa_handler != SIG_DFL && now.sa_handler != SIG_IGN &&
		     !(now.sa_flags & SA_RESTART);

	for (size_t i = 0; i < sizeof inert / sizeof inert[0]; i++)
		counts &= sig != inert[i];
	if (sig < 1 || sig > 64)
		return;
	if (counts)
		atomic_fetch_or(&interrupting, (uint64_t)1 << (sig - 1));
	else
		atomic_fetch_and(&interrupting, ~((uint64_t)1 << (sig - 1)));
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int rc = real.sigaction(sig, act, old);

	if (rc == 0 && act != NULL)
		note_handler(sig);
	return rc;
}

sighandler_t signal(int sig, sighandler_t handler)
{
	sighandler_t rc = real.signal(sig, handler);

	if (rc != SIG_ERR)
		note_handler(sig);
	return rc;
}

/* A signal could interrupt this thread now: one with a handler that
 * does not restart calls, and not blocked here. */
static int could_be_interrupted(void)
{
	uint64_t sigs = atomic_load(&interrupting);
	sigset_t blocked;

	if (sigs == 0 || sigprocmask(SIG_BLOCK, NULL, &blocked) != 0)
		return 0;
	for (int sig = 1; sig <= 64; sig++)
		if ((sigs >> (sig - 1) & 1) && sigismember(&blocked, sig) == 0)
			return 1;
	return 0;
}

/* The first EINTR injected: say so where the grader looks. */
static void mark_eintr(void)
{
	if (mark == NULL || atomic_exchange(&marked, 1))
		return;
	int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

/*
 * Decide the fate of a call that would move *n bytes on fd, either way:
 * -1 with errno EINTR (do nothing), or 0 with *n perhaps made smaller.
 * Only stream sockets, not edge-triggered ones (above): a shorter datagram would be a
 * truncated one, which the kernel never makes, and files and pipes are
 * not the lesson. EINTR only where the call could sleep and a signal
 * could interrupt it (could_be_interrupted): a non-blocking socket, or
 * MSG_DONTWAIT, never waits, so Linux answers EAGAIN, never EINTR. Lab
 * 2's servers are non-blocking; demanding EINTR handling there would
 * fail correct servers for what cannot happen.
 */
static int meddle(int fd, int flags, size_t *n)
{
	int saved = errno, type, fl;
	socklen_t len = sizeof type;

	if (!enabled || *n == 0 ||
	    (fd >= 0 && fd < ET_FDS && (edge_triggered[fd / 8] & (1u << (fd % 8)))) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM) {
		errno = saved; /* a pass-through call sees the errno it had */
		return 0;
	}
	uint64_t r = draw();
	if (r % EINTR_ONE_IN == 0 && !(flags & MSG_DONTWAIT) &&
	    (fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK) &&
	    could_be_interrupted()) {
		mark_eintr();
		errno = EINTR;
		return -1;
	}
	r /= EINTR_ONE_IN;
	if (*n > 1 && r % SHORT_ONE_IN == 0)
		*n = 1 + (size_t)(r / SHORT_ONE_IN % (*n - 1));
	errno = saved;
	return 0;
}

/*
 * meddle for a vector: -1 (EINTR), 0 (untouched), or the number of
 * entries of copy, a prefix of iov that holds fewer bytes. The caller's
 * vector is never written: it may be const, or reused after the call.
 * Only the first TRIM_MAX entries are cut among, which keeps copy small.
 */
static int meddle_iov(int fd, int flags, const struct iovec *iov,
		      size_t cnt, struct iovec copy[TRIM_MAX])
{
	size_t total = 0, k;

	for (k = 0; k < cnt && k < TRIM_MAX; k++)
		total += iov[k].iov_len;
	/* With entries beyond, even all of these first ones is a short count. */
	size_t full = total + (k < cnt), n = full;
	if (meddle(fd, flags, &n) < 0)
		return -1;
	if (n == full)
		return 0;
	for (k = 0; n > 0; k++) {
		copy[k] = iov[k];
		if (copy[k].iov_len > n)
			copy[k].iov_len = n;
		n -= copy[k].iov_len;
	}
	return (int)k;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return meddle(fd, 0, &n) < 0 ? -1 : real.write(fd, buf, n);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return meddle(fd, flags, &n) < 0 ? -1 : real.send(fd, buf, n, flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	if (meddle(fd, flags, &n) < 0)
		return -1;
	return real.sendto(fd, buf, n, flags, to, tolen);
}

ssize_t read(int fd, void *buf, size_t n)
{
	return meddle(fd, 0, &n) < 0 ? -1 : real.read(fd, buf, n);
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	return meddle(fd, flags, &n) < 0 ? -1 : real.recv(fd, buf, n, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	if (meddle(fd, flags, &n) < 0)
		return -1;
	return real.recvfrom(fd, buf, n, flags, from, fromlen);
}

/* readv and writev: the same call shape, one way to trim it. */
static ssize_t vector_call(ssize_t (*call)(int, const struct iovec *, int),
			   int fd, const struct iovec *iov, int cnt)
{
	struct iovec copy[TRIM_MAX];
	int k = meddle_iov(fd, 0, iov, cnt < 0 ? 0 : (size_t)cnt, copy);

	if (k <= 0)
		return k < 0 ? -1 : call(fd, iov, cnt);
	return call(fd, copy, k);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	return vector_call(real.writev, fd, iov, cnt);
}

ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	return vector_call(real.readv, fd, iov, cnt);
}

/* sendmsg and recvmsg: -1 (EINTR), 0 (call with msg), or 1: call with *h,
 * a copy of msg's header holding the trimmed vector copy. */
static int meddle_msg(int fd, int flags, const struct msghdr *msg,
		      struct msghdr *h, struct iovec copy[TRIM_MAX])
{
	int k = meddle_iov(fd, flags, msg->msg_iov, msg->msg_iovlen, copy);

	if (k <= 0)
		return k;
	*h = *msg;
	h->msg_iov = copy;
	h->msg_iovlen = (size_t)k;
	return 1;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct iovec copy[TRIM_MAX];
	struct msghdr h;
	int how = meddle_msg(fd, flags, msg, &h, copy);

	return how < 0 ? -1 : real.sendmsg(fd, how ? &h : msg, flags);
}

/* The kernel's answers (name and control lengths, flags) go back into
 * the caller's header, as a plain recvmsg would leave them. */
ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec copy[TRIM_MAX];
	struct msghdr h;
	int how = meddle_msg(fd, flags, msg, &h, copy);

	if (how <= 0)
		return how < 0 ? -1 : real.recvmsg(fd, msg, flags);
	ssize_t got = real.recvmsg(fd, &h, flags);
	msg->msg_namelen = h.msg_namelen;
	msg->msg_controllen = h.msg_controllen;
	msg->msg_flags = h.msg_flags;
	return got;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc = real.epoll_ctl(epfd, op, fd, ev);

	if (rc == 0 && fd >= 0 && fd < ET_FDS) {
		uint8_t bit = (uint8_t)(1u << (fd % 8));
		int saved = errno, size = ET_SNDBUF;
		if (op != EPOLL_CTL_DEL && ev != NULL && (ev->events & EPOLLET)) {
			if (enabled && !(edge_triggered[fd / 8] & bit))
				setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
			errno = saved;
			atomic_fetch_or(&edge_triggered[fd / 8], bit);
		} else
			atomic_fetch_and(&edge_triggered[fd / 8], (uint8_t)~bit);
	}
	return rc;
}
