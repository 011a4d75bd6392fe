/* scenario/scenario_suggest.c - "did you mean ...?": the known key or choice
 * closest to a misspelt one, and the keys that stand for fio's job options,
 * which users bring along from their job files. */
#include "scenario/scenario_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 64

/* fio's option, the key that says it here, and how. */
static const struct fio_name {
	const char *fio, *key, *how;
} fio_names[] = {
	{ "iodepth", "queue_depth", "fio's iodepth" },
	{ "bs", "size", "fio's bs" },
	{ "blocksize", "size", "fio's blocksize" },
	{ "numjobs", "cpus", "fio's numjobs: one CPU per job, numjobs=4 is "
			     "cpus: 0-3" },
	{ "rw", "read_fraction", "fio's rw: 1 for randread, 0 for randwrite" },
	{ "readwrite", "read_fraction", "fio's readwrite: 1 for randread, 0 "
					"for randwrite" },
	{ "rwmixread", "read_fraction", "fio's rwmixread, as a fraction: 70 "
					"is 0.7" },
	{ "rate_iops", "rate", "fio's rate_iops" },
	{ "runtime", "run.duration", "fio's runtime, with a unit: 10s" },
};

/* Lower case, '-' as '_': "Queue-Depth" and "queue_depth" are one name. */
static void fold(const char *s, char *out)
{
	size_t i = 0;

	for (; s[i] && i + 1 < NAME_MAX_LEN; i++)
		out[i] = s[i] == '-' ? '_' : (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b. */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];

	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

/* How far a name of that length may be from a known one: a slip or two,
 * not a different word. */
static size_t tolerance(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

struct closest {
	char want[NAME_MAX_LEN];
	const char *best;
	size_t dist;
};

static void consider(struct closest *cl, const char *name)
{
	char f[NAME_MAX_LEN];
	size_t d;

	fold(name, f);
	d = distance(cl->want, f);
	if (d < cl->dist && d <= tolerance(strlen(cl->want))) {
		cl->best = name;
		cl->dist = d;
	}
}

static bool start_closest(struct closest *cl, const char *name)
{
	if (strlen(name) >= NAME_MAX_LEN)
		return false;
	fold(name, cl->want);
	cl->best = NULL;
	cl->dist = (size_t)-1;
	return true;
}

static bool fio_suggestion(const struct sc_table *t, const char *key,
			   char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(fio_names) / sizeof(fio_names[0]); i++) {
		const struct fio_name *n = &fio_names[i];

		if (strcmp(n->fio, key) ||
		    (!strchr(n->key, '.') && !sc_find(t, n->key)))
			continue;
		snprintf(buf, len, "did you mean `%s`? (%s)", n->key, n->how);
		return true;
	}
	return false;
}

void sc_suggest_key(const struct sc_table *t, int kind, const char *key,
		    char *buf, size_t len)
{
	struct closest cl;

	buf[0] = '\0';
	if (fio_suggestion(t, key, buf, len) || !start_closest(&cl, key))
		return;
	for (size_t i = 0; i < t->nfields; i++)
		if (sc_applies(&t->fields[i], kind))
			consider(&cl, t->fields[i].key);
	if (cl.best)
		snprintf(buf, len, "did you mean `%s`?", cl.best);
}

void sc_suggest_name(const struct sc_name *names, const char *name,
		     char *buf, size_t len)
{
	struct closest cl;

	buf[0] = '\0';
	if (!start_closest(&cl, name))
		return;
	for (; names->name; names++)
		consider(&cl, names->name);
	if (cl.best)
		snprintf(buf, len, "did you mean `%s`?", cl.best);
}
