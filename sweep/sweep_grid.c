/* sweep/sweep_grid.c - a sweep's grid: expanding value specs (lists, linear
 * and geometric ranges), the points, their seeds, names and overrides. */
#include "sweep/sweep_grid.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_SLACK 1e-9            /* relative: b is reached despite rounding */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A growing list of value strings. */
struct value_list {
	char **v;
	size_t n, cap;
};

static int push(struct value_list *l, const char *text)
{
	char *copy;

	if (l->n >= SWEEP_MAX_VALUES)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(text);
	if (!copy)
		return -1;
	l->v[l->n++] = copy;
	return 0;
}

/* A range bound or step: a number and the unit written after it. */
struct bound {
	bool integer, hex;
	int64_t i;
	double d;
	char unit[32];
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Reads "64", "-1", "0.25", "0x1000", "4k", "1.5 ms" into b. */
static int read_bound(const char *text, struct bound *b, char *err,
		      size_t errlen)
{
	const char *p = text, *num_end;
	char *end;

	memset(b, 0, sizeof(*b));
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		uint64_t u;

		errno = 0;
		u = strtoull(p, &end, 16);
		if (end == p + 2 || errno || u > INT64_MAX)
			return fail(err, errlen, "\"%s\" is not a number",
				    text);
		b->integer = b->hex = true;
		b->i = (int64_t)u;
		b->d = (double)u;
		num_end = end;
	} else {
		size_t k = (*p == '-' || *p == '+') ? 1 : 0;
		bool digits = false, dot = false;

		for (; isdigit((unsigned char)p[k]) || (p[k] == '.' && !dot &&
			p[k + 1] != '.'); k++) {
			dot |= p[k] == '.';
			digits |= p[k] != '.';
		}
		if (!digits)
			return fail(err, errlen, "\"%s\" is not a number",
				    text);
		num_end = p + k;
		errno = 0;
		b->d = strtod(p, &end);
		if (end != num_end || errno)
			return fail(err, errlen, "\"%s\" is not a number",
				    text);
		b->integer = !dot;
		if (b->integer) {
			errno = 0;
			b->i = strtoll(p, &end, 10);
			if (errno)
				return fail(err, errlen, "\"%s\" is too large",
					    text);
		}
	}
	while (isspace((unsigned char)*num_end))
		num_end++;
	if (strlen(num_end) >= sizeof(b->unit))
		return fail(err, errlen, "\"%s\": unit too long", text);
	snprintf(b->unit, sizeof(b->unit), "%s", num_end);
	return 0;
}

static void format_int(char *buf, size_t len, int64_t v, bool hex,
		       const char *unit)
{
	if (hex && v >= 0)
		snprintf(buf, len, "0x%" PRIx64 "%s", (uint64_t)v, unit);
	else
		snprintf(buf, len, "%" PRId64 "%s", v, unit);
}

static void format_real(char *buf, size_t len, double v, const char *unit)
{
	snprintf(buf, len, "%.15g%s", v, unit);
}

static int too_many(const char *spec, char *err, size_t errlen)
{
	return fail(err, errlen, "\"%s\" gives more than %d values (or memory "
		    "ran out)", spec, SWEEP_MAX_VALUES);
}

static int linear_range(const char *spec, const struct bound *a,
			const struct bound *b, const struct bound *step,
			struct value_list *out, char *err, size_t errlen)
{
	char buf[96];

	if (strcmp(step->unit, a->unit) && step->unit[0])
		return fail(err, errlen, "\"%s\": the step's unit \"%s\" is "
			    "not the bounds' \"%s\"", spec, step->unit,
			    a->unit);
	if (step->d <= 0)
		return fail(err, errlen, "\"%s\": the step must be above 0",
			    spec);
	if (a->integer && b->integer && step->integer) {
		for (int64_t v = a->i; v <= b->i; v += step->i) {
			format_int(buf, sizeof(buf), v, a->hex, a->unit);
			if (push(out, buf))
				return too_many(spec, err, errlen);
			if (v > INT64_MAX - step->i)
				break;
		}
		return 0;
	}
	double n = floor((b->d - a->d) / step->d + RANGE_SLACK);

	if (n + 1 > SWEEP_MAX_VALUES)
		return too_many(spec, err, errlen);
	for (double i = 0; i <= n; i++) {
		format_real(buf, sizeof(buf), a->d + i * step->d, a->unit);
		if (push(out, buf))
			return too_many(spec, err, errlen);
	}
	return 0;
}

static int geometric_range(const char *spec, const struct bound *a,
			   const struct bound *b, const struct bound *factor,
			   struct value_list *out, char *err, size_t errlen)
{
	char buf[96];

	if (factor->unit[0])
		return fail(err, errlen, "\"%s\": the factor takes no unit",
			    spec);
	if (factor->d <= 1 || a->d <= 0)
		return fail(err, errlen, "\"%s\": a geometric range needs a "
			    "start above 0 and a factor above 1", spec);
	if (a->integer && b->integer && factor->integer) {
		for (int64_t v = a->i; v <= b->i; v *= factor->i) {
			format_int(buf, sizeof(buf), v, a->hex, a->unit);
			if (push(out, buf))
				return too_many(spec, err, errlen);
			if (v > INT64_MAX / factor->i)
				break;
		}
		return 0;
	}
	for (double i = 0;; i++) {
		double v = a->d * pow(factor->d, i);

		if (v > b->d * (1 + RANGE_SLACK))
			break;
		format_real(buf, sizeof(buf), v, a->unit);
		if (push(out, buf))
			return too_many(spec, err, errlen);
	}
	return 0;
}

/* One item: a value, or a range "a..b", "a..b+step", "a..b*factor". */
static int expand_item(char *item, struct value_list *out, char *err,
		       size_t errlen)
{
	char *dots = strstr(item, ".."), *right, *op, *star, *plus;
	struct bound a, b, step;
	char spec[256];
	bool geometric;

	snprintf(spec, sizeof(spec), "%s", item);
	if (!*item)
		return fail(err, errlen, "an empty value");
	/* A range starts with a number: "../x.trace" is a value. */
	if (!isdigit((unsigned char)item[item[0] == '-']))
		dots = NULL;
	if (!dots) {
		if (push(out, item))
			return too_many(spec, err, errlen);
		return 0;
	}
	*dots = '\0';
	right = dots + 2;
	star = strrchr(right, '*');
	plus = strrchr(right, '+');
	op = star ? star : (plus && plus != right ? plus : NULL);
	geometric = op && op == star;
	if (op)
		*op = '\0';
	if (read_bound(trim(item), &a, err, errlen) ||
	    read_bound(trim(right), &b, err, errlen))
		return -1;
	if (strcmp(a.unit, b.unit))
		return fail(err, errlen, "\"%s\": the bounds' units \"%s\" and "
			    "\"%s\" differ", spec, a.unit, b.unit);
	if (b.d < a.d)
		return fail(err, errlen, "\"%s\": the range ends below its "
			    "start", spec);
	if (op && read_bound(trim(op + 1), &step, err, errlen))
		return -1;
	if (!op) {
		memset(&step, 0, sizeof(step));
		step.integer = true;
		step.i = 1;
		step.d = 1;
	}
	if (geometric)
		return geometric_range(spec, &a, &b, &step, out, err, errlen);
	return linear_range(spec, &a, &b, &step, out, err, errlen);
}

int sweep_values_expand(const char *spec, char ***values, size_t *n,
			char *err, size_t errlen)
{
	struct value_list out = { 0 };
	char sep = strchr(spec, ';') ? ';' : ',';
	char *copy = strdup(spec), *item, *rest;

	*values = NULL;
	*n = 0;
	if (!copy)
		return fail(err, errlen, "out of memory");
	for (item = copy; item; item = rest) {
		rest = strchr(item, sep);
		if (rest)
			*rest++ = '\0';
		if (expand_item(trim(item), &out, err, errlen)) {
			sweep_values_free(out.v, out.n);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (!out.n) {
		sweep_values_free(out.v, out.n);
		return fail(err, errlen, "no values");
	}
	*values = out.v;
	*n = out.n;
	return 0;
}

void sweep_values_free(char **values, size_t n)
{
	for (size_t i = 0; values && i < n; i++)
		free(values[i]);
	free(values);
}

uint64_t sweep_seed(uint64_t base, uint32_t r)
{
	uint64_t z;

	if (!r)
		return base;
	z = base + (uint64_t)r * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Keys a sweep may not vary: the seed is the replications', and the
 * sweep's own keys describe the grid. */
static bool key_reserved(const char *key)
{
	return !strcmp(key, "run.seed") || !strncmp(key, "sweep.", 6) ||
	       !strcmp(key, "sweep");
}

/* "workloads[0].size" -> "workloads.0.size", the form ids use. */
static void dotted(const char *key, char *buf, size_t len)
{
	size_t j = 0;

	for (const char *p = key; *p && j + 1 < len; p++) {
		if (*p == ']')
			continue;
		buf[j++] = *p == '[' ? '.' : *p;
	}
	buf[j] = '\0';
}

/* Short names: each key's last component, or its whole dotted path when
 * another axis has the same last component. */
static int name_axes(struct sweep_grid *g)
{
	char full[512];

	for (size_t a = 0; a < g->naxes; a++) {
		const char *last_a = strrchr(g->axes[a].key, '.');
		bool clash = false;

		last_a = last_a ? last_a + 1 : g->axes[a].key;
		for (size_t b = 0; b < g->naxes; b++) {
			const char *last_b = strrchr(g->axes[b].key, '.');

			last_b = last_b ? last_b + 1 : g->axes[b].key;
			clash |= b != a && !strcmp(last_a, last_b);
		}
		dotted(clash ? g->axes[a].key : last_a, full, sizeof(full));
		g->axes[a].name = strdup(full);
		if (!g->axes[a].name)
			return -1;
	}
	return 0;
}

int sweep_grid_build(const struct scenario *s, struct sweep_grid *g,
		     char *err, size_t errlen)
{
	const struct scenario_sweep *sw = &s->sweep;
	char why[SCENARIO_ERR_MAX];

	memset(g, 0, sizeof(*g));
	g->replications = sw->replications ? sw->replications : 1;
	g->base_seed = s->run.seed;
	g->ncombos = 1;
	g->axes = calloc(sw->nvary ? sw->nvary : 1, sizeof(*g->axes));
	if (!g->axes)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < sw->nvary; i++) {
		const struct scenario_sweep_vary *v = &sw->vary[i];
		struct sweep_axis *ax = &g->axes[g->naxes];

		if (key_reserved(v->key)) {
			sweep_grid_free(g);
			return fail(err, errlen, "sweep.vary[%zu].key: %s cannot "
				    "be varied (expected a scenario key other "
				    "than run.seed, which --replications sets, "
				    "and sweep.*)", i, v->key);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sw->vary[j].key, v->key)) {
				sweep_grid_free(g);
				return fail(err, errlen, "sweep.vary[%zu].key: %s "
					    "is also sweep.vary[%zu].key "
					    "(expected each key once)", i,
					    v->key, j);
			}
		ax->key = strdup(v->key);
		if (!ax->key) {
			sweep_grid_free(g);
			return fail(err, errlen, "out of memory");
		}
		g->naxes++;
		if (sweep_values_expand(v->values, &ax->values, &ax->nvalues,
					why, sizeof(why))) {
			sweep_grid_free(g);
			return fail(err, errlen, "sweep.vary[%zu].values: %s: "
				    "%s", i, v->key, why);
		}
		if (g->ncombos > SWEEP_MAX_POINTS / ax->nvalues) {
			sweep_grid_free(g);
			return fail(err, errlen, "the grid has more than %d "
				    "points", SWEEP_MAX_POINTS);
		}
		g->ncombos *= ax->nvalues;
	}
	if (g->ncombos > SWEEP_MAX_POINTS / g->replications) {
		sweep_grid_free(g);
		return fail(err, errlen, "the grid has more than %d points",
			    SWEEP_MAX_POINTS);
	}
	g->npoints = g->ncombos * g->replications;
	if (name_axes(g)) {
		sweep_grid_free(g);
		return fail(err, errlen, "out of memory");
	}
	return 0;
}

void sweep_grid_free(struct sweep_grid *g)
{
	for (size_t a = 0; g->axes && a < g->naxes; a++) {
		free(g->axes[a].key);
		free(g->axes[a].name);
		sweep_values_free(g->axes[a].values, g->axes[a].nvalues);
	}
	free(g->axes);
	memset(g, 0, sizeof(*g));
}

size_t sweep_combo_value(const struct sweep_grid *g, size_t combo, size_t a)
{
	size_t stride = 1;

	assert(a < g->naxes && combo < g->ncombos);
	for (size_t b = g->naxes - 1; b > a; b--)
		stride *= g->axes[b].nvalues;
	return combo / stride % g->axes[a].nvalues;
}

size_t sweep_combo_with(const struct sweep_grid *g, size_t combo, size_t a,
			size_t v)
{
	size_t stride = 1;

	assert(a < g->naxes && v < g->axes[a].nvalues);
	for (size_t b = g->naxes - 1; b > a; b--)
		stride *= g->axes[b].nvalues;
	return combo - sweep_combo_value(g, combo, a) * stride + v * stride;
}

static void append_escaped(char *buf, size_t len, const char *s)
{
	size_t j = strlen(buf);

	for (; *s && j + 4 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || strchr("._+-", ch))
			buf[j++] = (char)ch;
		else
			j += (size_t)snprintf(buf + j, len - j, "%%%02X", ch);
	}
	buf[j] = '\0';
}

/* FNV-1a, for names too long to spell out. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

#define ID_BODY_MAX 160

void sweep_id_fragment(const struct sweep_axis *ax, const char *value,
		       char *buf, size_t len)
{
	buf[0] = '\0';
	append_escaped(buf, len, ax->name);
	if (strlen(buf) + 1 < len)
		strcat(buf, "=");
	append_escaped(buf, len, value);
}

void sweep_point_id(const struct sweep_grid *g, size_t point, char *buf,
		    size_t len)
{
	size_t combo = point / g->replications;
	uint32_t rep = (uint32_t)(point % g->replications);
	char body[2048] = "", part[1024];

	assert(point < g->npoints && len >= 32);
	for (size_t a = 0; a < g->naxes; a++) {
		const struct sweep_axis *ax = &g->axes[a];

		sweep_id_fragment(ax, ax->values[sweep_combo_value(g, combo, a)],
				  part, sizeof(part));
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
			 "%s%s", a ? "_" : "", part);
	}
	if (strlen(body) > ID_BODY_MAX) {
		uint64_t h = fnv1a(body);

		snprintf(body + ID_BODY_MAX - 17, 18, "~%016" PRIx64, h);
	}
	snprintf(buf, len, "%s%sr%" PRIu32, body, *body ? "_" : "", rep);
}

int sweep_point_overrides(const struct sweep_grid *g, size_t point,
			  char ***ov)
{
	size_t combo = point / g->replications, n = 0;
	uint32_t rep = (uint32_t)(point % g->replications);
	char **out = calloc(g->naxes + 1, sizeof(*out));

	*ov = NULL;
	if (!out)
		return -1;
	for (size_t a = 0; a < g->naxes; a++, n++) {
		const struct sweep_axis *ax = &g->axes[a];
		const char *v = ax->values[sweep_combo_value(g, combo, a)];

		out[n] = malloc(strlen(ax->key) + strlen(v) + 2);
		if (!out[n])
			goto fail;
		sprintf(out[n], "%s=%s", ax->key, v);
	}
	out[n] = malloc(48);
	if (!out[n])
		goto fail;
	sprintf(out[n++], "run.seed=%" PRIu64, sweep_seed(g->base_seed, rep));
	*ov = out;
	return (int)n;
fail:
	sweep_overrides_free(out, n);
	return -1;
}

void sweep_overrides_free(char **ov, size_t n)
{
	for (size_t i = 0; ov && i < n; i++)
		free(ov[i]);
	free(ov);
}

int sweep_axis_index(const struct sweep_grid *g, const char *key)
{
	for (size_t a = 0; a < g->naxes; a++)
		if (!strcmp(g->axes[a].key, key))
			return (int)a;
	return -1;
}

long sweep_value_index(const struct sweep_grid *g, size_t a,
		       const char *value)
{
	for (size_t v = 0; v < g->axes[a].nvalues; v++)
		if (!strcmp(g->axes[a].values[v], value))
			return (long)v;
	return -1;
}

int sweep_grid_add_value(struct sweep_grid *g, size_t a, const char *value)
{
	struct sweep_axis *ax = &g->axes[a];
	size_t combos = 1;
	char **values, *copy;

	if (sweep_value_index(g, a, value) >= 0)
		return 0;
	for (size_t b = 0; b < g->naxes; b++)
		combos *= g->axes[b].nvalues + (b == a);
	if (combos > SWEEP_MAX_POINTS / g->replications)
		return -1;
	values = realloc(ax->values, (ax->nvalues + 1) * sizeof(*values));
	if (!values)
		return -1;
	ax->values = values;
	copy = strdup(value);
	if (!copy)
		return -1;
	ax->values[ax->nvalues++] = copy;
	g->ncombos = combos;
	g->npoints = combos * g->replications;
	return 0;
}

size_t sweep_combo_of(const struct sweep_grid *g, const size_t *idx)
{
	size_t combo = 0;

	for (size_t a = 0; a < g->naxes; a++) {
		assert(idx[a] < g->axes[a].nvalues);
		combo = combo * g->axes[a].nvalues + idx[a];
	}
	return combo;
}
