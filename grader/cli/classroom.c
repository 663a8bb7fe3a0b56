/*
 * classroom.c - --classroom: a lab's GitHub Classroom workflow, one
 * autograding-command-grader step per test, so students see each test's
 * points. That action is all-or-nothing per step with whole points, which
 * is how the grader scores a test anyway.
 */
#define _GNU_SOURCE
#include "cli/classroom.h"
#include "cli/grade.h"
#include "checks/catalogue.h"
#include "plans/plans.h"

#include <stdio.h>
#include <string.h>

/* A step's timeout, in minutes: the test's own limit (T.test_limit_s),
 * and a minute for make (the first step builds the grader and server). */
#define STEP_MINUTES 2

/* A step id is the test's name: GitHub wants [A-Za-z0-9_-], which
 * every test name is made of; the reporter finds a step's result in
 * NAME_RESULTS, with the id in capitals. */
static void print_upper(const char *s)
{
	for (; *s; s++)
		putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

int classroom_print(const struct lab *lab)
{
	struct plan_run runs[MAX_RUNS];
	size_t n = lab_runs(lab, runs, MAX_RUNS);

	printf("# .github/workflows/classroom.yml for lab %d, written by\n"
	       "# grader/grader --lab %d --classroom: one step per test, its points\n"
	       "# as max-score, so each student sees which tests pass.\n"
	       "name: Autograding Tests\n"
	       "'on':\n- push\n- repository_dispatch\n"
	       "permissions:\n  checks: write\n  actions: read\n  contents: read\n"
	       "jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n"
	       "    if: github.actor != 'github-classroom[bot]'\n"
	       "    steps:\n    - name: Checkout code\n      uses: actions/checkout@v4\n",
	       lab->number, lab->number);
	/* io_uring's headers are not on the runner's image: installed in a
	 * step of their own, so a slow mirror costs no graded step its time
	 * limit. */
	if (lab->completion)
		printf("    - name: Install liburing\n      run: sudo apt-get update "
		       "&& sudo apt-get install -y liburing-dev\n");
	for (size_t i = 0; i < n; i++) {
		const char *name = runs[i].name;
		printf("    - name: %s\n      id: %s\n"
		       "      uses: classroom-resources/autograding-command-grader@v1\n"
		       "      with:\n        test-name: %s\n", name, name, name);
		printf("        command: make -s grade LAB=%d TEST=%s\n"
		       "        timeout: %d\n        max-score: %d\n", lab->number,
		       name, STEP_MINUTES, test_find(runs[i].entry->test)->points);
	}
	printf("    - name: Autograding Reporter\n"
	       "      uses: classroom-resources/autograding-grading-reporter@v1\n"
	       "      env:\n");
	for (size_t i = 0; i < n; i++) {
		printf("        ");
		print_upper(runs[i].name);
		printf("_RESULTS: \"${{steps.%s.outputs.result}}\"\n", runs[i].name);
	}
	printf("      with:\n        runners: ");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", runs[i].name);
	printf("\n");
	return 0;
}
