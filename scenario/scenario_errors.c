/* scenario/scenario_errors.c - the errors of one load: each check records
 * its error and the load goes on, so a user sees every mistake of a
 * scenario at once (up to SCENARIO_ERRORS_MAX), sorted by where it is,
 * each on its own line. */
#include "scenario/scenario_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a message points, for sorting: the file's lines first, then the
 * overrides in their order, then what has no place. */
static void place_of(const struct sc_mark *m, size_t key[3])
{
	key[0] = !m ? 2 : m->origin >= 0 ? 1 : 0;
	key[1] = !m ? 0 : m->origin >= 0 ? (size_t)m->origin : m->line;
	key[2] = !m || m->origin >= 0 ? 0 : m->column;
}

static void format_line(struct sc_ctx *c, const struct sc_mark *m,
			const char *path, const char *what, char *out,
			size_t len)
{
	if (m && m->origin >= 0 && !path)
		snprintf(out, len, "--set %s: %s", c->overrides[m->origin],
			 what);
	else if (m && m->origin >= 0)
		snprintf(out, len, "--set %s: %s: %s", c->overrides[m->origin],
			 *path ? path : "(document)", what);
	else if (m)
		snprintf(out, len, "%s:%zu:%zu: %s: %s", c->file, m->line,
			 m->column, path && *path ? path : "(document)", what);
	else
		snprintf(out, len, "%s: %s: %s", c->file,
			 path && *path ? path : "(document)", what);
	/* One line, whatever the document's strings hold. */
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
}

static bool reported(const struct sc_ctx *c, const char *path)
{
	for (size_t i = 0; path && i < c->nerrors; i++)
		if (c->errors[i].path && !strcmp(c->errors[i].path, path))
			return true;
	return false;
}

static int record(struct sc_ctx *c, const struct sc_mark *m, const char *path,
		  const char *fmt, va_list ap)
{
	char what[SCENARIO_ERR_MAX];
	struct sc_error *e;

	if (c->fatal || reported(c, path))
		return -1;
	if (c->nerrors == SCENARIO_ERRORS_MAX) {
		c->more = true;
		return -1;
	}
	e = &c->errors[c->nerrors];
	vsnprintf(what, sizeof(what), fmt, ap);
	format_line(c, m, path, what, e->text, sizeof(e->text));
	e->path = path ? strdup(path) : NULL;
	place_of(m, e->place);
	e->seq = c->nerrors++;
	return -1;
}

int sc_error(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(c, m, path, fmt, ap);
	va_end(ap);
	return -1;
}

int sc_fatal(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(c, m, path, fmt, ap);
	va_end(ap);
	c->fatal = true;
	return -1;
}

bool sc_stop(const struct sc_ctx *c)
{
	return c->fatal || c->more;
}

static int by_place(const void *a, const void *b)
{
	const struct sc_error *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x->place[i] != y->place[i])
			return x->place[i] < y->place[i] ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends line to err when it fits whole (a short buffer keeps whole
 * lines). */
static void append_line(char *err, size_t errlen, const char *line)
{
	size_t used = strlen(err), n = strlen(line) + (used ? 1 : 0);

	if (used + n >= errlen)
		return;
	snprintf(err + used, errlen - used, "%s%s", used ? "\n" : "", line);
}

void sc_errors_finish(struct sc_ctx *c)
{
	char more[SCENARIO_ERR_MAX];

	qsort(c->errors, c->nerrors, sizeof(c->errors[0]), by_place);
	c->err[0] = '\0';
	for (size_t i = 0; i < c->nerrors; i++)
		append_line(c->err, c->errlen, c->errors[i].text);
	if (c->more) {
		snprintf(more, sizeof(more), "%s: more errors follow; the "
			 "first %d are above (fix them and load again)",
			 c->file, SCENARIO_ERRORS_MAX);
		append_line(c->err, c->errlen, more);
	}
	/* Whatever fits, at least the start of the first line. */
	if (!c->err[0] && c->nerrors)
		snprintf(c->err, c->errlen, "%s", c->errors[0].text);
}

void sc_errors_free(struct sc_ctx *c)
{
	for (size_t i = 0; i < c->nerrors; i++)
		free(c->errors[i].path);
	c->nerrors = 0;
}
