/* tests/testutil.c - the harness behind tests/testutil.h. */
#include "tests/testutil.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	error_gsl_install();	/* as main() does */
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

char *tu_file_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int ch;

	if (!f)
		return strdup("");
	m = open_memstream(&text, &len);
	while ((ch = getc(f)) != EOF)
		putc(ch, m);
	fclose(f);
	fclose(m);
	return text;
}
