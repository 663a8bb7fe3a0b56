/*
 * outbuf.h - a connection's output ring buffer (xv6's pipe, for sockets).
 *
 * Bytes wait here between being read from a client and being written
 * back to it. The capacity is a power of two, and two counters never go
 * back: wpos counts every byte ever put in, rpos every byte ever taken
 * out. Then
 *
 *	bytes pending   = wpos - rpos
 *	where a byte is = counter & (cap - 1)
 *
 * and wrap-around needs no special case. The counters are 32-bit and do
 * wrap (after 4 GiB through one connection); that is harmless because
 * unsigned subtraction is modular, so wpos - rpos stays right as long as
 * it is at most 2^31 (cap is), and because cap divides 2^32, a counter's
 * position runs on smoothly from cap - 1 to 0 when the counter wraps.
 * The free or pending bytes are at most two contiguous pieces (before and
 * after the end of the array), so one readv or writev moves them all.
 *
 * The storage is allocated when a byte arrives in an empty buffer and
 * given back whenever the buffer empties again, so a connection with no
 * echo owed costs only this struct, whatever it sent before: ten thousand
 * idle clients cost no rings. The price is one malloc and one free for
 * each burst of bytes, which glibc serves from its free lists without a
 * system call. The struct is public so that it can live inside the
 * caller's connection; treat its fields as read-only (the unit tests
 * alone set the counters, to start them near the wrap).
 *
 * Errors are values: -1 with errno set; nothing here prints or exits.
 * EINTR is retried inside. EAGAIN is returned, not hidden: it is how a
 * non-blocking caller learns to wait for readiness.
 */
#ifndef SERVERLAB_OUTBUF_H
#define SERVERLAB_OUTBUF_H

#include <stddef.h>
#include <sys/types.h>

/* The largest capacity: pending bytes must fit in 31 bits (see above). */
#define OUTBUF_MAX_CAP (1u << 31)

struct outbuf {
	char *data;	/* cap bytes, or NULL until the first byte arrives */
	unsigned cap;	/* a power of two, 1 .. OUTBUF_MAX_CAP */
	unsigned rpos;	/* bytes ever taken out (written or copied out) */
	unsigned wpos;	/* bytes ever put in (read or appended) */
};

/* An empty buffer of cap bytes; allocates nothing yet. Returns 0, or -1
 * with errno EINVAL when cap is not a power of two up to OUTBUF_MAX_CAP. */
int outbuf_init(struct outbuf *ob, size_t cap);

/* Give back the storage; the buffer is then empty (and may be reused). */
void outbuf_free(struct outbuf *ob);

/* Bytes waiting to be written; room left for more. */
size_t outbuf_used(const struct outbuf *ob);
size_t outbuf_space(const struct outbuf *ob);

/* Copy in as much of src[0..n) as fits. Returns the count copied (less
 * than n when the buffer fills), or -1 with errno ENOMEM. */
ssize_t outbuf_append(struct outbuf *ob, const void *src, size_t n);

/* Copy out and remove up to n pending bytes into dst. Returns the count. */
size_t outbuf_take(struct outbuf *ob, void *dst, size_t n);

/*
 * One read(2) (a readv) from fd straight into the free space, at most max
 * bytes. Returns the count read, 0 at end of file, or -1 with errno:
 * EAGAIN (nothing to read now), ENOBUFS (no room, or max is 0: asking
 * would make a 0 that looks like end of file), ENOMEM, or read's errors.
 */
ssize_t outbuf_read_from(struct outbuf *ob, int fd, size_t max);

/*
 * One write of the pending bytes to fd, at most max. Returns the count
 * written (0 when nothing is pending), or -1 with errno: EAGAIN when the
 * socket takes nothing now, EPIPE or ECONNRESET when the peer is gone.
 * On a socket it sends with MSG_NOSIGNAL, so a reset peer is an EPIPE and
 * never a SIGPIPE, whatever the caller did with that signal. Any other
 * descriptor (a pipe, a file) gets a plain writev: there SIGPIPE is the
 * caller's business.
 */
ssize_t outbuf_write_to(struct outbuf *ob, int fd, size_t max);

#endif
