/* base/error.c - allocation failures as messages, and the GSL error handler
 * that lets a failed GSL call return (see base/error.h). */
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

/* How every allocation failure's message begins (error_is_oom reads it). */
#define OOM_PREFIX "out of memory: "

int error_voom(char *err, size_t errlen, uint64_t bytes,
	       const char *what_fmt, va_list ap)
{
	char what[256];

	vsnprintf(what, sizeof(what), what_fmt, ap);
	snprintf(err, errlen, OOM_PREFIX "%s (%llu bytes)", what,
		 (unsigned long long)bytes);
	return -1;
}

int error_oom(char *err, size_t errlen, uint64_t bytes, const char *what_fmt,
	      ...)
{
	va_list ap;

	va_start(ap, what_fmt);
	error_voom(err, errlen, bytes, what_fmt, ap);
	va_end(ap);
	return -1;
}

bool error_is_oom(const char *msg)
{
	return !strncmp(msg, OOM_PREFIX, sizeof(OOM_PREFIX) - 1);
}

int error_strdup(char **out, const char *s, const char *what, char *err,
		 size_t errlen)
{
	*out = s ? strdup(s) : NULL;
	if (s && !*out)
		return error_oom(err, errlen, strlen(s) + 1, "%s", what);
	return 0;
}

static _Thread_local char gsl_reason[256];

/* GSL calls this where its default handler aborts. Out of memory: the call
 * then returns its error value, which the caller checks. Any other error is
 * a bad argument of ours, a bug like a failed assertion: it still aborts,
 * as before. */
static void gsl_handler(const char *reason, const char *file, int line,
			int gsl_errno)
{
	snprintf(gsl_reason, sizeof(gsl_reason), "%s, %s at %s:%d", reason,
		 gsl_strerror(gsl_errno), file, line);
	if (gsl_errno == GSL_ENOMEM)
		return;
	fprintf(stderr, "GSL error: %s\n", gsl_reason);
	abort();
}

void error_gsl_install(void)
{
	gsl_set_error_handler(gsl_handler);
}

const char *error_gsl_take(void)
{
	static _Thread_local char taken[sizeof(gsl_reason)];

	memcpy(taken, gsl_reason, sizeof(taken));
	gsl_reason[0] = '\0';
	return taken;
}

int error_gsl_oom(char *err, size_t errlen, uint64_t bytes,
		  const char *what_fmt, ...)
{
	const char *reason = error_gsl_take();
	size_t n;
	va_list ap;

	va_start(ap, what_fmt);
	error_voom(err, errlen, bytes, what_fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (*reason && n < errlen)
		snprintf(err + n, errlen - n, " (GSL: %s)", reason);
	return -1;
}
