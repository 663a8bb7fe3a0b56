/*
 * outbuf.c - a connection's output ring buffer. See outbuf.h.
 */
#define _GNU_SOURCE
#include "outbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

int outbuf_init(struct outbuf *ob, size_t cap)
{
	if (cap == 0 || cap > OUTBUF_MAX_CAP || (cap & (cap - 1)) != 0) {
		errno = EINVAL;
		return -1;
	}
	ob->data = NULL;
	ob->cap = (unsigned)cap;
	ob->rpos = 0;
	ob->wpos = 0;
	return 0;
}

void outbuf_free(struct outbuf *ob)
{
	free(ob->data);
	ob->data = NULL;
	ob->rpos = ob->wpos;
}

size_t outbuf_used(const struct outbuf *ob)
{
	return ob->wpos - ob->rpos;
}

size_t outbuf_space(const struct outbuf *ob)
{
	return ob->cap - (ob->wpos - ob->rpos);
}

/* Every call that can empty the buffer ends here (see outbuf.h). */
static void release_if_empty(struct outbuf *ob)
{
	if (ob->rpos == ob->wpos && ob->data != NULL) {
		free(ob->data);
		ob->data = NULL;
	}
}

/* The storage, allocated on first use. */
static int ensure_data(struct outbuf *ob)
{
	if (ob->data == NULL)
		ob->data = malloc(ob->cap);
	return ob->data == NULL ? -1 : 0; /* malloc has set ENOMEM */
}

/*
 * Describe len bytes starting at counter pos as at most two pieces of
 * the array: up to its end, then from its start. Returns how many pieces.
 * The caller has checked that len fits (in the pending or the free part).
 */
static int pieces(const struct outbuf *ob, unsigned pos, size_t len,
		  struct iovec iov[2])
{
	size_t at = pos & (ob->cap - 1);
	size_t first = ob->cap - at;

	if (first > len)
		first = len;
	iov[0].iov_base = ob->data + at;
	iov[0].iov_len = first;
	iov[1].iov_base = ob->data;
	iov[1].iov_len = len - first;
	return iov[1].iov_len > 0 ? 2 : 1;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

ssize_t outbuf_append(struct outbuf *ob, const void *src, size_t n)
{
	struct iovec iov[2];
	int count;

	n = min_size(n, outbuf_space(ob));
	if (n == 0)
		return 0;
	if (ensure_data(ob) < 0)
		return -1;
	count = pieces(ob, ob->wpos, n, iov);
	memcpy(iov[0].iov_base, src, iov[0].iov_len);
	if (count == 2)
		memcpy(iov[1].iov_base, (const char *)src + iov[0].iov_len,
		       iov[1].iov_len);
	ob->wpos += (unsigned)n;
	return (ssize_t)n;
}

size_t outbuf_take(struct outbuf *ob, void *dst, size_t n)
{
	struct iovec iov[2];
	int count;

	n = min_size(n, outbuf_used(ob));
	if (n == 0)
		return 0;
	count = pieces(ob, ob->rpos, n, iov);
	memcpy(dst, iov[0].iov_base, iov[0].iov_len);
	if (count == 2)
		memcpy((char *)dst + iov[0].iov_len, iov[1].iov_base,
		       iov[1].iov_len);
	ob->rpos += (unsigned)n;
	release_if_empty(ob);
	return n;
}

ssize_t outbuf_read_from(struct outbuf *ob, int fd, size_t max)
{
	struct iovec iov[2];
	size_t room = min_size(max, outbuf_space(ob));
	ssize_t n;
	int count;

	if (room == 0) {
		errno = ENOBUFS;
		return -1;
	}
	if (ensure_data(ob) < 0)
		return -1;
	count = pieces(ob, ob->wpos, room, iov);
	do
		n = readv(fd, iov, count);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		ob->wpos += (unsigned)n;
	release_if_empty(ob);
	return n;
}

ssize_t outbuf_write_to(struct outbuf *ob, int fd, size_t max)
{
	struct msghdr msg;
	struct iovec iov[2];
	size_t len = min_size(max, outbuf_used(ob));
	ssize_t n;

	if (len == 0)
		return 0;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)pieces(ob, ob->rpos, len, iov);
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ENOTSOCK) {
		do
			n = writev(fd, iov, (int)msg.msg_iovlen);
		while (n < 0 && errno == EINTR);
	}
	if (n > 0)
		ob->rpos += (unsigned)n;
	release_if_empty(ob);
	return n;
}
