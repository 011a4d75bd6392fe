/* tests/testutil.c - the harness behind tests/testutil.h. */
#include "tests/testutil.h"

#include <stdarg.h>
#include <stdio.h>

int tu_failures;
int tu_checks;
static int tests_passed, tests_failed;

void tu_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: FAIL: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	tu_failures++;
}

void tu_run(const char *name, void (*fn)(void))
{
	int before = tu_failures;

	fn();
	if (tu_failures == before) {
		tests_passed++;
	} else {
		tests_failed++;
		fprintf(stderr, "test %s failed\n", name);
	}
}

int tu_finish(void)
{
	printf("%d passed, %d failed\n", tests_passed, tests_failed);
	return tests_failed || !tests_passed ? 1 : 0;
}
