/* tests/testutil.h - a minimal test harness: CHECK macros that record
 * failures with file and line, and a closing "N passed, N failed" line. */
#ifndef SWSIM_TESTS_TESTUTIL_H
#define SWSIM_TESTS_TESTUTIL_H

#include <stdint.h>

extern int tu_failures;
extern int tu_checks;

void tu_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs one test function, counting it as passed when it added no failure. */
void tu_run(const char *name, void (*fn)(void));
/* Prints the closing line; returns the process exit status. */
int tu_finish(void);
/* The whole text of a file (malloc'd; "" when it cannot be opened). */
char *tu_file_text(const char *path);

#define CHECK(cond)                                                        \
	do {                                                               \
		tu_checks++;                                               \
		if (!(cond))                                               \
			tu_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);   \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		unsigned long long tu_a = (unsigned long long)(a);         \
		unsigned long long tu_b = (unsigned long long)(b);         \
		tu_checks++;                                               \
		if (tu_a != tu_b)                                          \
			tu_fail(__FILE__, __LINE__,                        \
				"%s == %s: 0x%llx (%llu) != 0x%llx (%llu)", \
				#a, #b, tu_a, tu_a, tu_b, tu_b);           \
	} while (0)

#define RUN(fn) tu_run(#fn, fn)

#endif
