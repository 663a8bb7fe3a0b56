/*
 * unit.c - runs every suite listed in suites.h through one SRunner.
 *
 * The last line is "unit: N passed, M failed" so that scripts (make test)
 * can read the totals without parsing Check's own report.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>

/* One line per suite; keep in step with suites.h. */
static Suite *(*const suites[])(void) = {
	net_suite,
	outbuf_suite,
};

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int run, failed;

	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("unit: %d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
