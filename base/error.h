/* base/error.h - the one wording of an allocation failure, and GSL's errors
 * made returns instead of aborts.
 *
 * Contract (the policy, docs/errors.md): running out of memory is an error
 * like any other, returned up to the command as "out of memory: WHAT (N
 * bytes)"; nothing aborts. error_oom() writes that line and returns -1.
 * error_gsl_install(), called once at start-up, makes a GSL call that runs
 * out of memory return its error value (NULL, a status) instead of aborting
 * the process; error_gsl_oom() then words the failure, with the reason GSL
 * gave. (GSL's other errors are bad arguments, bugs: they still abort.)
 */
#ifndef SWSIM_BASE_ERROR_H
#define SWSIM_BASE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "out of memory: WHAT (N bytes)", WHAT formatted from what_fmt; -1. */
int error_oom(char *err, size_t errlen, uint64_t bytes, const char *what_fmt,
	      ...) __attribute__((format(printf, 4, 5)));
int error_voom(char *err, size_t errlen, uint64_t bytes,
	       const char *what_fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Whether msg is an error_oom() line: a caller that collects errors and
 * goes on must stop at one of these. */
bool error_is_oom(const char *msg);

/* *out = a copy of s (NULL for NULL); 0, or -1 with error_oom() naming
 * `what` when out of memory. */
int error_strdup(char **out, const char *s, const char *what, char *err,
		 size_t errlen);

/* Installs the handler; GSL's default one aborts. */
void error_gsl_install(void);
/* What GSL reported last ("" when nothing since the last call), and
 * forgets it. GSL's handler is process-wide, so this is the one piece of
 * global state the simulator keeps (per thread). */
const char *error_gsl_take(void);
/* error_oom() for a GSL allocation that returned NULL, followed by GSL's
 * reason when it gave one: "out of memory: WHAT (N bytes) (GSL: REASON)". */
int error_gsl_oom(char *err, size_t errlen, uint64_t bytes,
		  const char *what_fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
