/*
 * latency.h - round-trip times as a log-bucket histogram.
 */
#ifndef SERVERLAB_LATENCY_H
#define SERVERLAB_LATENCY_H

#include <stdint.h>

/* A histogram of times with buckets 1/16 of a doubling wide (HdrHistogram's
 * idea): a quantile is within 7% of the truth whatever the count, in a
 * fixed 8 KiB, where a sorted array of every sample grows with the run. */
#define LATENCY_BUCKETS (64 * 16)
struct latency {
	uint64_t count;
	double max_s;
	uint64_t bucket[LATENCY_BUCKETS];
};
void latency_add(struct latency *h, double seconds);
/* The time below which a fraction q of them fell (0 <= q <= 1), in
 * seconds: a bucket's upper end, never above the largest seen. */
double latency_quantile(const struct latency *h, double q);

#endif
