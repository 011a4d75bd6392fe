/* scenario/scenario_values.c - one field's value, whatever its type: reading it
 * from text with its range checks, printing it back, comparing, releasing. */
#include "scenario/scenario_schema.h"

#include "base/error.h"
#include "scenario/scenario_units.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest value an SC_INT member can hold. */
static uint64_t int_type_max(const struct sc_field *f)
{
	if (f->size == 4)
		return f->min < 0 ? INT32_MAX : UINT32_MAX;
	return INT64_MAX;
}

static uint64_t int_max(const struct sc_field *f)
{
	return f->max ? f->max : int_type_max(f);
}

static int check_int(const struct sc_field *f, const char *text, int64_t v,
		     char *why, size_t len)
{
	bool below = f->min >= 0 ? v < 0 || (uint64_t)v < (uint64_t)f->min
				 : v < f->min;

	if (v == 0 && (f->flags & SC_ZERO_OK))
		return 0;
	if (below && (f->flags & SC_POOL))
		return units_fail(why, len, "\"%s\" is smaller than one "
				  "segment, 128 slabs or 256KiB", text);
	if (below || (v > 0 && (uint64_t)v > int_max(f)))
		return units_fail(why, len, "\"%s\" is out of range", text);
	return 0;
}

static void store_int(const struct sc_field *f, void *member, int64_t v)
{
	if (f->size == 4 && f->min < 0) {
		int32_t x = (int32_t)v;

		memcpy(member, &x, 4);
	} else if (f->size == 4) {
		uint32_t x = (uint32_t)v;

		memcpy(member, &x, 4);
	} else {
		assert(f->size == 8);
		memcpy(member, &v, 8);
	}
}

static int64_t load_int(const struct sc_field *f, const void *member)
{
	int32_t i;
	uint32_t u;
	int64_t v;

	if (f->size == 4 && f->min < 0) {
		memcpy(&i, member, 4);
		return i;
	}
	if (f->size == 4) {
		memcpy(&u, member, 4);
		return u;
	}
	memcpy(&v, member, 8);
	return v;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* A size: range, zero, power of two, pool rules. */
static int check_size(const struct sc_field *f, const char *text,
		      uint64_t v, char *why, size_t len)
{
	if (v == 0 && (f->flags & SC_ZERO_OK))
		return 0;
	if (v < (uint64_t)f->min && (f->flags & SC_POOL))
		return units_fail(why, len, "\"%s\" is smaller than one "
				  "segment, 128 slabs or 256KiB", text);
	if (v < (uint64_t)f->min || (f->max && v > f->max))
		return units_fail(why, len, "\"%s\" is out of range", text);
	if ((f->flags & SC_POW2) && !is_pow2(v))
		return units_fail(why, len, "\"%s\" is not a power of two",
				  text);
	return 0;
}

static int parse_string(const struct sc_field *f, const char *text,
			void *member, char *why, size_t len)
{
	char *copy;

	if (!*text && (f->required || (f->flags & SC_COMPUTED)))
		return units_fail(why, len, "the value is empty");
	if (error_strdup(&copy, text, "the value", why, len))
		return -1;
	free(*(char **)member);
	*(char **)member = copy;
	return 0;
}

static int parse_dist(const char *text, void *member, char *why, size_t len)
{
	struct scenario_size_spec *spec = member;
	struct sizedist d;
	char *copy;

	if (sizedist_parse(text, &d, why, len)) {
		/* The field's own "(expected ...)" follows: keep one. */
		char *exp = strstr(why, " (expected ");

		if (exp)
			*exp = '\0';
		return -1;
	}
	if (error_strdup(&copy, text, "the value", why, len))
		return -1;
	free(spec->text);
	spec->text = copy;
	spec->dist = d;
	return 0;
}

static int parse_cpus(const char *text, void *member, char *why, size_t len)
{
	struct scenario_cpu_list *l = member;
	uint32_t *cpu, n;
	char *copy;

	if (units_parse_cpu_list(text, &cpu, &n, why, len))
		return -1;
	if (error_strdup(&copy, text, "the value", why, len)) {
		free(cpu);
		return -1;
	}
	free(l->text);
	free(l->cpu);
	l->text = copy;
	l->cpu = cpu;
	l->n = n;
	return 0;
}

static int parse_mask(const struct sc_field *f, const char *text,
		      void *member, char *why, size_t len)
{
	uint64_t v;

	if (units_parse_uint(text, &v, why, len))
		return -1;
	if (v & (v + 1))
		return units_fail(why, len, "\"%s\" is not of the form 2^n-1",
				  text);
	if (v < (uint64_t)f->min)
		return units_fail(why, len, "\"%s\" is below 0x%" PRIx64, text,
				  (uint64_t)f->min);
	memcpy(member, &v, sizeof(v));
	return 0;
}

static int parse_double(const struct sc_field *f, const char *text,
			void *member, char *why, size_t len)
{
	double v;
	int r;

	if (f->type == SC_REAL)
		r = units_parse_real(text, &v, why, len);
	else if (f->type == SC_BANDWIDTH)
		r = units_parse_bandwidth(text, &v, why, len);
	else
		r = units_parse_rate(text, &v, why, len);
	if (r)
		return -1;
	if (f->type == SC_REAL && !(v >= f->fmin && v <= f->fmax))
		return units_fail(why, len, "\"%s\" is out of range", text);
	if (f->type != SC_REAL && f->min > 0 && !(v > 0))
		return units_fail(why, len, "\"%s\" is not above 0", text);
	memcpy(member, &v, sizeof(v));
	return 0;
}

static int not_a_choice(const struct sc_field *f, const char *text,
			char *why, size_t len)
{
	char hint[SCENARIO_ERR_MAX];

	sc_suggest_name(f->names, text, hint, sizeof(hint));
	return units_fail(why, len, "\"%s\" is not a choice%s%s", text,
			  hint[0] ? "; " : "", hint);
}

int sc_parse_value(const struct sc_field *f, const char *text, void *member,
		   char *why, size_t len)
{
	uint64_t u;
	int64_t i;
	bool b;
	int e;

	switch (f->type) {
	case SC_STRING:
		return parse_string(f, text, member, why, len);
	case SC_BOOL:
		if (units_parse_bool(text, &b, why, len))
			return -1;
		memcpy(member, &b, sizeof(b));
		return 0;
	case SC_INT:
		if (units_parse_int(text, &i, why, len) ||
		    check_int(f, text, i, why, len))
			return -1;
		store_int(f, member, i);
		return 0;
	case SC_UINT:
		if (units_parse_uint(text, &u, why, len))
			return -1;
		memcpy(member, &u, sizeof(u));
		return 0;
	case SC_SIZE:
	case SC_TIME:
		if ((f->type == SC_SIZE ? units_parse_size(text, &u, why, len)
					: units_parse_time(text, &u, why, len))
		    || check_size(f, text, u, why, len))
			return -1;
		memcpy(member, &u, sizeof(u));
		return 0;
	case SC_REAL:
	case SC_BANDWIDTH:
	case SC_RATE:
		return parse_double(f, text, member, why, len);
	case SC_MASK:
		return parse_mask(f, text, member, why, len);
	case SC_ENUM:
		e = sc_enum_value(f->names, text);
		if (e < 0)
			return not_a_choice(f, text, why, len);
		memcpy(member, &e, sizeof(e));
		return 0;
	case SC_SIZE_DIST:
		return parse_dist(text, member, why, len);
	case SC_CPU_LIST:
		return parse_cpus(text, member, why, len);
	case SC_MAP:
	case SC_LIST:
		break;
	}
	return units_fail(why, len, "\"%s\" is a single value", text);
}

void sc_format_value(const struct sc_field *f, const void *member,
		     char *buf, size_t len, const char **str)
{
	uint64_t u;
	double d;
	bool b;
	int e;

	*str = NULL;
	buf[0] = '\0';
	switch (f->type) {
	case SC_STRING:
		*str = *(char *const *)member;
		break;
	case SC_SIZE_DIST:
		*str = ((const struct scenario_size_spec *)member)->text;
		break;
	case SC_CPU_LIST:
		*str = ((const struct scenario_cpu_list *)member)->text;
		break;
	case SC_BOOL:
		memcpy(&b, member, sizeof(b));
		snprintf(buf, len, "%s", b ? "true" : "false");
		break;
	case SC_INT:
		snprintf(buf, len, "%" PRId64, load_int(f, member));
		break;
	case SC_UINT:
	case SC_MASK:
		memcpy(&u, member, sizeof(u));
		if (u && ((f->flags & SC_HEX) || f->type == SC_MASK))
			snprintf(buf, len, "0x%" PRIx64, u);
		else
			snprintf(buf, len, "%" PRIu64, u);
		break;
	case SC_SIZE:
	case SC_TIME:
		memcpy(&u, member, sizeof(u));
		assert(len >= UNITS_BUF);
		if (f->type == SC_SIZE)
			units_format_size(u, buf);
		else
			units_format_time(u, buf);
		break;
	case SC_REAL:
	case SC_BANDWIDTH:
	case SC_RATE:
		memcpy(&d, member, sizeof(d));
		assert(len >= UNITS_BUF);
		if (f->type == SC_REAL)
			units_format_real(d, buf);
		else if (f->type == SC_BANDWIDTH)
			units_format_bandwidth(d, buf);
		else
			units_format_rate(d, buf);
		break;
	case SC_ENUM:
		memcpy(&e, member, sizeof(e));
		snprintf(buf, len, "%s", sc_enum_name(f->names, e));
		break;
	case SC_MAP:
	case SC_LIST:
		break;
	}
}

void sc_free_value(const struct sc_field *f, void *member)
{
	struct scenario_size_spec *spec = member;
	struct scenario_cpu_list *l = member;
	char *list;
	size_t n;

	switch (f->type) {
	case SC_STRING:
		free(*(char **)member);
		*(char **)member = NULL;
		break;
	case SC_SIZE_DIST:
		free(spec->text);
		spec->text = NULL;
		break;
	case SC_CPU_LIST:
		free(l->text);
		free(l->cpu);
		l->text = NULL;
		l->cpu = NULL;
		l->n = 0;
		break;
	case SC_MAP:
		sc_free_struct(f->sub, member);
		break;
	case SC_LIST:
		list = *(char **)member;
		n = *(size_t *)((char *)member - f->offset + f->count_offset);
		for (size_t i = 0; list && i < n; i++)
			sc_free_struct(f->sub, list + i * f->sub->size);
		free(list);
		*(char **)member = NULL;
		break;
	default:
		break;
	}
}

void sc_free_struct(const struct sc_table *t, void *obj)
{
	for (size_t i = 0; i < t->nfields; i++)
		sc_free_value(&t->fields[i], (char *)obj + t->fields[i].offset);
}

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool dist_equal(const struct scenario_size_spec *a,
		       const struct scenario_size_spec *b)
{
	const struct sizedist *x = &a->dist, *y = &b->dist;

	if (!str_equal(a->text, b->text) || x->kind != y->kind ||
	    x->lo != y->lo || x->hi != y->hi || x->step != y->step ||
	    x->median != y->median || x->sigma != y->sigma || x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (x->entry[i].size != y->entry[i].size ||
		    x->entry[i].weight != y->entry[i].weight)
			return false;
	return true;
}

static bool value_equal(const struct sc_field *f, const char *a,
			const char *b)
{
	const struct scenario_cpu_list *la = (const void *)a;
	const struct scenario_cpu_list *lb = (const void *)b;
	size_t na, nb;
	const char *ea, *eb;

	switch (f->type) {
	case SC_STRING:
		return str_equal(*(char *const *)a, *(char *const *)b);
	case SC_SIZE_DIST:
		return dist_equal((const void *)a, (const void *)b);
	case SC_CPU_LIST:
		return str_equal(la->text, lb->text) && la->n == lb->n &&
		       (!la->n || !memcmp(la->cpu, lb->cpu,
					  la->n * sizeof(*la->cpu)));
	case SC_MAP:
		return sc_equal_struct(f->sub, a, b);
	case SC_LIST:
		na = *(const size_t *)(a - f->offset + f->count_offset);
		nb = *(const size_t *)(b - f->offset + f->count_offset);
		ea = *(char *const *)a;
		eb = *(char *const *)b;
		if (na != nb)
			return false;
		for (size_t i = 0; i < na; i++)
			if (!sc_equal_struct(f->sub, ea + i * f->sub->size,
					     eb + i * f->sub->size))
				return false;
		return true;
	default:
		/* Scalars: the member's bytes (bool, integers, enums and
		 * doubles that are never NaN). */
		return !memcmp(a, b, f->size);
	}
}

bool sc_equal_struct(const struct sc_table *t, const void *a, const void *b)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *f = &t->fields[i];

		if (!value_equal(f, (const char *)a + f->offset,
				 (const char *)b + f->offset))
			return false;
	}
	return true;
}
