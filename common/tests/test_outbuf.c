/*
 * test_outbuf.c - unit tests for common/outbuf.c.
 *
 * The socket tests use a socketpair on this machine only. Each test frees
 * and closes what it opens, so the suite also runs under valgrind with
 * CK_FORK=no. With CK_FORK=no a SIGPIPE would kill the whole runner: the
 * reset-peer test relies on outbuf_write_to never raising it.
 */
#define _GNU_SOURCE
#include "suites.h"
#include "outbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------- */

/* A connected pair of non-blocking stream sockets. */
static void stream_pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX,
				    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				    0, sv),
			 0);
}

/* A pattern that shows misplaced bytes: byte i of a stream is (i*7+i/251)
 * mod 256, so neither a shift by one nor a repeat of a block matches. */
static void fill_pattern(unsigned char *buf, size_t len, size_t from)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((from + i) * 7 + (from + i) / 251);
}

static int matches_pattern(const unsigned char *buf, size_t len, size_t from)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != (unsigned char)((from + i) * 7 + (from + i) / 251))
			return 0;
	return 1;
}

/* Read everything fd has now (non-blocking) into buf; returns the count. */
static size_t drain(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = read(fd, buf + got, len - got)) > 0)
		got += (size_t)n;
	return got;
}

/* ---- init, empty, full ------------------------------------------------ */

START_TEST(init_wants_a_power_of_two)
{
	struct outbuf ob;

	errno = 0;
	ck_assert_int_eq(outbuf_init(&ob, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(outbuf_init(&ob, 3), -1);
	ck_assert_int_eq(outbuf_init(&ob, 1000), -1);
	ck_assert_int_eq(outbuf_init(&ob, (size_t)OUTBUF_MAX_CAP * 2), -1);
	ck_assert_int_eq(outbuf_init(&ob, 1), 0);
	ck_assert_int_eq(outbuf_init(&ob, 4096), 0);
	ck_assert_ptr_null(ob.data); /* nothing allocated before a byte */
	outbuf_free(&ob);
}
END_TEST

START_TEST(empty_buffer)
{
	struct outbuf ob;
	char byte;
	int sv[2];

	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ck_assert_uint_eq(outbuf_used(&ob), 0);
	ck_assert_uint_eq(outbuf_space(&ob), 8);
	ck_assert_uint_eq(outbuf_take(&ob, &byte, 1), 0);
	stream_pair(sv);
	/* Nothing pending: no write call at all, and 0, not an error. */
	ck_assert_int_eq(outbuf_write_to(&ob, sv[0], 100), 0);
	ck_assert_ptr_null(ob.data);
	outbuf_free(&ob);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(append_stops_when_full)
{
	struct outbuf ob;
	unsigned char in[10], out[10];

	fill_pattern(in, sizeof in, 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ck_assert_int_eq(outbuf_append(&ob, in, 10), 8);
	ck_assert_uint_eq(outbuf_used(&ob), 8);
	ck_assert_uint_eq(outbuf_space(&ob), 0);
	ck_assert_int_eq(outbuf_append(&ob, in + 8, 2), 0);
	ck_assert_uint_eq(outbuf_take(&ob, out, sizeof out), 8);
	ck_assert(matches_pattern(out, 8, 0));
	ck_assert_uint_eq(outbuf_used(&ob), 0);
	ck_assert_uint_eq(outbuf_space(&ob), 8);
	outbuf_free(&ob);
	outbuf_free(&ob); /* freeing twice is harmless */
}
END_TEST

/* ---- wrap-around ------------------------------------------------------ */

/* Pending bytes that straddle the end of the array come out in order. */
START_TEST(wraps_around_the_array)
{
	struct outbuf ob;
	unsigned char in[64], out[64];
	size_t sent = 0, got = 0;

	fill_pattern(in, sizeof in, 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	/* Steps of 5 in and 3 then 5 out walk the start across the end
	 * again and again, and split both copies at every offset. */
	while (got < 60) {
		size_t more = sizeof in - sent < 5 ? sizeof in - sent : 5;

		sent += (size_t)outbuf_append(&ob, in + sent, more);
		got += outbuf_take(&ob, out + got, got % 2 ? 3 : 5);
		ck_assert_uint_eq(outbuf_used(&ob), sent - got);
	}
	ck_assert(matches_pattern(out, got, 0));
	outbuf_free(&ob);
}
END_TEST

/* Counters that pass UINT_MAX keep counting right (see outbuf.h). */
START_TEST(counters_wrap_past_uint_max)
{
	struct outbuf ob;
	unsigned char in[12], out[12];

	fill_pattern(in, sizeof in, 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ob.rpos = ob.wpos = UINT_MAX - 2; /* 3 bytes before the wrap */
	ck_assert_int_eq(outbuf_append(&ob, in, 7), 7);
	ck_assert_uint_lt(ob.wpos, ob.rpos); /* wpos has wrapped, rpos not */
	ck_assert_uint_eq(outbuf_used(&ob), 7);
	ck_assert_uint_eq(outbuf_space(&ob), 1);
	ck_assert_uint_eq(outbuf_take(&ob, out, 4), 4);
	ck_assert_int_eq(outbuf_append(&ob, in + 7, 5), 5);
	ck_assert_uint_eq(outbuf_used(&ob), 8);
	ck_assert_uint_eq(outbuf_take(&ob, out + 4, 8), 8);
	ck_assert(matches_pattern(out, 12, 0));
	ck_assert_uint_eq(outbuf_used(&ob), 0);
	outbuf_free(&ob);
}
END_TEST

/* ---- read_from -------------------------------------------------------- */

START_TEST(read_from_reads_then_sees_eof)
{
	struct outbuf ob;
	unsigned char out[16];
	int sv[2];

	stream_pair(sv);
	ck_assert_int_eq(outbuf_init(&ob, 16), 0);
	errno = 0;
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 16), -1);
	ck_assert_int_eq(errno, EAGAIN); /* nothing sent yet */
	ck_assert_int_eq(write(sv[1], "hello", 5), 5);
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 16), 5);
	ck_assert_uint_eq(outbuf_take(&ob, out, sizeof out), 5);
	ck_assert_mem_eq(out, "hello", 5);
	close(sv[1]);
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 16), 0); /* EOF */
	outbuf_free(&ob);
	close(sv[0]);
}
END_TEST

/* One call fills free space in two pieces, and respects max and room. */
START_TEST(read_from_fills_both_pieces)
{
	struct outbuf ob;
	unsigned char in[32], out[32];
	int sv[2];

	stream_pair(sv);
	fill_pattern(in, sizeof in, 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ck_assert_int_eq(outbuf_append(&ob, "xxxxx", 5), 5);
	ck_assert_uint_eq(outbuf_take(&ob, out, 5), 5);
	/* Now the free space is bytes 5..7 then 0..4 of the array. */
	ck_assert_int_eq(write(sv[1], in, sizeof in), (ssize_t)sizeof in);
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 2), 2); /* max */
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 100), 6); /* room */
	ck_assert_uint_eq(outbuf_space(&ob), 0);
	errno = 0;
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 100), -1);
	ck_assert_int_eq(errno, ENOBUFS); /* full: no fake end of file */
	ck_assert_uint_eq(outbuf_take(&ob, out, 8), 8);
	ck_assert(matches_pattern(out, 8, 0));
	errno = 0;
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 0), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	outbuf_free(&ob);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ---- write_to --------------------------------------------------------- */

/* A socket with a small send buffer takes part of what is pending, then
 * nothing (EAGAIN); once the peer reads, the rest follows, intact. */
START_TEST(write_to_partial_then_eagain)
{
	enum { total = 256 * 1024 };
	unsigned char *in = malloc(total), *out = malloc(total);
	struct outbuf ob;
	size_t got = 0;
	int sv[2], small = 4096, rounds = 0;
	ssize_t n;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	stream_pair(sv);
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small,
				    sizeof small),
			 0);
	fill_pattern(in, total, 0);
	ck_assert_int_eq(outbuf_init(&ob, total), 0);
	ck_assert_int_eq(outbuf_append(&ob, in, total), total);

	n = outbuf_write_to(&ob, sv[0], total);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, total); /* partial: the socket took what fit */
	ck_assert_uint_eq(outbuf_used(&ob), total - (size_t)n);
	while ((n = outbuf_write_to(&ob, sv[0], total)) > 0)
		;
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, EAGAIN); /* full: returned, not hidden */

	while (got < total && rounds++ < 100000) {
		got += drain(sv[1], out + got, total - got);
		n = outbuf_write_to(&ob, sv[0], 1000); /* at most max */
		ck_assert(n <= 1000);
		ck_assert(n >= 0 || errno == EAGAIN);
	}
	ck_assert_uint_eq(got, total);
	ck_assert_uint_eq(outbuf_used(&ob), 0);
	ck_assert(matches_pattern(out, total, 0));
	outbuf_free(&ob);
	free(in);
	free(out);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* EAGAIN leaves the pending bytes pending. */
START_TEST(write_to_full_socket_keeps_bytes)
{
	static unsigned char junk[65536];
	struct outbuf ob;
	int sv[2];

	stream_pair(sv);
	while (write(sv[0], junk, sizeof junk) > 0)
		; /* fill the socket until it takes nothing */
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(outbuf_init(&ob, 64), 0);
	ck_assert_int_eq(outbuf_append(&ob, "abc", 3), 3);
	errno = 0;
	ck_assert_int_eq(outbuf_write_to(&ob, sv[0], 64), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(outbuf_used(&ob), 3);
	outbuf_free(&ob);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A peer that is gone gives EPIPE, not SIGPIPE (which would kill us). */
START_TEST(write_to_closed_peer_is_epipe)
{
	struct outbuf ob;
	int sv[2];

	stream_pair(sv);
	close(sv[1]);
	ck_assert_int_eq(outbuf_init(&ob, 64), 0);
	ck_assert_int_eq(outbuf_append(&ob, "abc", 3), 3);
	errno = 0;
	ck_assert_int_eq(outbuf_write_to(&ob, sv[0], 64), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_uint_eq(outbuf_used(&ob), 3);
	outbuf_free(&ob);
	close(sv[0]);
}
END_TEST

/* Pending bytes that straddle the end go out in one call, in order. */
START_TEST(write_to_sends_both_pieces)
{
	struct outbuf ob;
	unsigned char in[8], out[8];
	int sv[2];

	stream_pair(sv);
	fill_pattern(in, sizeof in, 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ob.rpos = ob.wpos = 6;
	ck_assert_int_eq(outbuf_append(&ob, in, 8), 8);
	ck_assert_int_eq(outbuf_write_to(&ob, sv[0], 8), 8);
	ck_assert_int_eq(read(sv[1], out, sizeof out), 8);
	ck_assert(matches_pattern(out, 8, 0));
	outbuf_free(&ob);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Not a socket: write_to falls back to writev. */
START_TEST(write_to_a_pipe)
{
	struct outbuf ob;
	char out[8];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ck_assert_int_eq(outbuf_append(&ob, "piped", 5), 5);
	ck_assert_int_eq(outbuf_write_to(&ob, p[1], 8), 5);
	ck_assert_int_eq(read(p[0], out, sizeof out), 5);
	ck_assert_mem_eq(out, "piped", 5);
	outbuf_free(&ob);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Emptied by a take, a write, or a read that brought nothing: no storage
 * is held (an idle client costs no ring), and the buffer still works. */
START_TEST(an_emptied_buffer_holds_no_storage)
{
	struct outbuf ob;
	char out[8];
	int sv[2];

	stream_pair(sv);
	ck_assert_int_eq(outbuf_init(&ob, 8), 0);
	ck_assert_int_eq(outbuf_append(&ob, "abc", 3), 3);
	ck_assert_ptr_nonnull(ob.data);
	ck_assert_uint_eq(outbuf_take(&ob, out, 2), 2);
	ck_assert_ptr_nonnull(ob.data); /* one byte still pending */
	ck_assert_uint_eq(outbuf_take(&ob, out, 8), 1);
	ck_assert_ptr_null(ob.data);
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 8), -1); /* EAGAIN */
	ck_assert_ptr_null(ob.data);
	ck_assert_int_eq(write(sv[1], "ping", 4), 4);
	ck_assert_int_eq(outbuf_read_from(&ob, sv[0], 8), 4);
	ck_assert_int_eq(outbuf_write_to(&ob, sv[0], 8), 4);
	ck_assert_ptr_null(ob.data);
	ck_assert_int_eq(read(sv[1], out, sizeof out), 4);
	ck_assert_mem_eq(out, "ping", 4);
	outbuf_free(&ob);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *outbuf_suite(void)
{
	Suite *s = suite_create("outbuf");
	TCase *ring = tcase_create("ring");
	TCase *io = tcase_create("io");

	tcase_add_test(ring, init_wants_a_power_of_two);
	tcase_add_test(ring, empty_buffer);
	tcase_add_test(ring, append_stops_when_full);
	tcase_add_test(ring, wraps_around_the_array);
	tcase_add_test(ring, counters_wrap_past_uint_max);
	tcase_add_test(io, read_from_reads_then_sees_eof);
	tcase_add_test(io, read_from_fills_both_pieces);
	tcase_add_test(io, write_to_partial_then_eagain);
	tcase_add_test(io, write_to_full_socket_keeps_bytes);
	tcase_add_test(io, write_to_closed_peer_is_epipe);
	tcase_add_test(io, write_to_sends_both_pieces);
	tcase_add_test(io, write_to_a_pipe);
	tcase_add_test(io, an_emptied_buffer_holds_no_storage);
	suite_add_tcase(s, ring);
	suite_add_tcase(s, io);
	return s;
}
