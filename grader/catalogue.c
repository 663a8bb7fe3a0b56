/*
 * catalogue.c - the test table: every test's name, points, function and
 * by-hand line (reproduce.c), and the labs that put them in order
 * (labN.c).
 */
#include "harness.h"

#include <string.h>

static const struct test tests[] = {
	{"starts", 2, test_starts, NULL},
	{"bad-args", 2, test_bad_args, NULL},
	{"addr-in-use", 2, test_addr_in_use, NULL},
	{"echo-basic", 2, test_echo_basic, NULL},
	{"echo-binary", 2, test_echo_binary, NULL},
	{"echo-large", 3, test_echo_large, NULL},
	{"many-messages", 2, test_many_messages, NULL},
	{"sequential", 3, test_sequential, NULL},
	{"half-close", 2, test_half_close, NULL},
	{"client-reset", 2, test_client_reset, NULL},
	{"early-close", 2, test_early_close, NULL},
	{"ipv6", 1, test_ipv6, NULL},
	{"idle-client", 3, test_idle_client, NULL},
	{"slow-sender", 2, test_slow_sender, NULL},
	{"slow-reader", 3, test_slow_reader, NULL},
	{"concurrent", 3, test_concurrent, NULL},
	{"churn", 3, test_churn, NULL},
	{"fd-limit", 3, test_fd_limit, NULL},
	{"strategy", 2, test_strategy, NULL},
};

const struct test *test_find(const char *name)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

extern const struct lab lab1, lab2;
static const struct lab *const all_labs[] = {&lab1, &lab2};

const struct lab *lab_find(int number)
{
	for (size_t i = 0; i < sizeof all_labs / sizeof all_labs[0]; i++)
		if (all_labs[i]->number == number)
			return all_labs[i];
	return NULL;
}
