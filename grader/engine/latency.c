/*
 * latency.c - round-trip times kept as a histogram of log-spaced buckets.
 *
 * A time in nanoseconds, v, goes to the bucket named by its highest set
 * bit and the four bits below it: 16 buckets for each doubling, so each
 * is at most 1/16 of its lower end wide. Below 16 ns every value has a
 * bucket of its own.
 */
#include "engine/latency.h"

static unsigned bucket_of(uint64_t v)
{
	if (v < 16)
		return (unsigned)v;
	unsigned top = 63 - (unsigned)__builtin_clzll(v); /* >= 4 */
	return (top - 3) * 16 + (unsigned)((v >> (top - 4)) & 15);
}

/* The smallest value of the bucket after b: b's upper end. */
static uint64_t bucket_end(unsigned b)
{
	if (b < 16)
		return b + 1;
	unsigned top = b / 16 + 3, sub = b % 16;
	if (top == 63 && sub == 15)
		return UINT64_MAX; /* the last: its end does not fit */
	return (uint64_t)(16 + sub + 1) << (top - 4);
}

void latency_add(struct latency *h, double seconds)
{
	double ns = seconds * 1e9;
	uint64_t v = ns <= 0 ? 0 : ns >= 1.8e19 ? UINT64_MAX : (uint64_t)ns;

	h->bucket[bucket_of(v)]++;
	h->count++;
	if (seconds > h->max_s)
		h->max_s = seconds;
}

double latency_quantile(const struct latency *h, double q)
{
	/* The nearest rank: the smallest with at least q of them at or
	 * below it (rounding would fall one short below a half). */
	double want = q * (double)h->count;
	uint64_t rank = (uint64_t)want, seen = 0;

	if ((double)rank < want - 1e-9)
		rank++;
	if (rank < 1)
		rank = 1;

	if (h->count == 0)
		return 0;
	for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			double end = (double)bucket_end(b) / 1e9;
			return end < h->max_s ? end : h->max_s;
		}
	}
	return h->max_s;
}
