/*
 * test_latency.c - unit tests for grader/latency.c, the histogram grader
 * bench keeps its round-trip times in (Check).
 */
#include "engine/latency.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Within the 1/16 of a doubling a bucket spans, and never below truth. */
static void assert_close_above(double got, double want)
{
	ck_assert_msg(got >= want && got <= want * (1 + 1.0 / 16) + 1e-9,
		      "%g is not within a bucket above %g", got, want);
}

START_TEST(quantiles_of_a_uniform_spread)
{
	static struct latency h;

	memset(&h, 0, sizeof h);
	for (int us = 1; us <= 100000; us++) /* 1 us .. 100 ms */
		latency_add(&h, us / 1e6);
	ck_assert_uint_eq(h.count, 100000);
	assert_close_above(latency_quantile(&h, 0.50), 0.050);
	assert_close_above(latency_quantile(&h, 0.99), 0.099);
	ck_assert(latency_quantile(&h, 1.0) == h.max_s);
	ck_assert(h.max_s == 0.1);
}
END_TEST

/* One slow round trip among many fast ones: p50 and p99 stay fast, the
 * largest is kept exactly, and no quantile exceeds it. */
START_TEST(one_outlier_moves_only_the_max)
{
	static struct latency h;

	memset(&h, 0, sizeof h);
	for (int i = 0; i < 999; i++)
		latency_add(&h, 20e-6);
	latency_add(&h, 2.5);
	assert_close_above(latency_quantile(&h, 0.50), 20e-6);
	assert_close_above(latency_quantile(&h, 0.99), 20e-6);
	ck_assert(h.max_s == 2.5);
	ck_assert(latency_quantile(&h, 1.0) <= 2.5);
}
END_TEST

/* The nearest rank: p99 of 170 is the 169th, here the first slow one. */
START_TEST(a_quantile_is_the_nearest_rank)
{
	static struct latency h;

	memset(&h, 0, sizeof h);
	for (int i = 0; i < 168; i++)
		latency_add(&h, 10e-6);
	latency_add(&h, 1.0);
	latency_add(&h, 1.0);
	assert_close_above(latency_quantile(&h, 0.99), 1.0);
	assert_close_above(latency_quantile(&h, 0.50), 10e-6);
}
END_TEST

/* Nothing recorded: 0, not a division by zero or a stray bucket. */
START_TEST(an_empty_histogram_says_zero)
{
	static struct latency h;

	memset(&h, 0, sizeof h);
	ck_assert(latency_quantile(&h, 0.99) == 0);
	latency_add(&h, 0); /* a zero time has a bucket too */
	ck_assert(latency_quantile(&h, 0.5) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("latency");
	TCase *tc = tcase_create("histogram");
	SRunner *sr;
	int run, failed;

	tcase_add_test(tc, quantiles_of_a_uniform_spread);
	tcase_add_test(tc, one_outlier_moves_only_the_max);
	tcase_add_test(tc, a_quantile_is_the_nearest_rank);
	tcase_add_test(tc, an_empty_histogram_says_zero);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("latency: %d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
