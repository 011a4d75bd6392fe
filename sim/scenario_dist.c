/* sim/scenario_dist.c - the compound values of scenario files: request
 * size distributions ("4k:70,64k:30") and CPU lists ("0-3,8"). */
#include "sim/scenario_units.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One size of a distribution: at least one byte. `role` names it. */
static int dist_size(const char *text, const char *part, const char *role,
		     uint64_t *v, char *why, size_t len)
{
	char sub[160];

	if (units_parse_size(part, v, sub, sizeof(sub)))
		return units_fail(why, len, "\"%s\": %s %s", text, role, sub);
	if (!*v)
		return units_fail(why, len, "\"%s\": %s is zero", text, role);
	return 0;
}

static int dist_real(const char *text, const char *part, const char *role,
		     double *v, char *why, size_t len)
{
	char sub[160];

	if (units_parse_real(part, v, sub, sizeof(sub)))
		return units_fail(why, len, "\"%s\": %s %s", text, role, sub);
	if (!(*v > 0))
		return units_fail(why, len, "\"%s\": %s must be above 0",
				  text, role);
	return 0;
}

static int parse_mix(const char *s, char *body, struct scenario_size_dist *d,
		     char *why, size_t len)
{
	char *save = NULL;

	d->kind = SCENARIO_DIST_MIX;
	for (char *e = strtok_r(body, ",", &save); e;
	     e = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(e, ':');
		uint32_t i = d->nmix;

		if (!colon)
			return units_fail(why, len, "\"%s\": entry \"%s\" has "
					  "no \":WEIGHT\"", s, e);
		if (i == SCENARIO_MIX_MAX)
			return units_fail(why, len, "\"%s\": more than %d "
					  "entries", s, SCENARIO_MIX_MAX);
		*colon = '\0';
		if (dist_size(s, e, "size", &d->mix_size[i], why, len) ||
		    dist_real(s, colon + 1, "weight", &d->mix_weight[i], why,
			      len))
			return -1;
		d->nmix++;
	}
	if (!d->nmix)
		return units_fail(why, len, "\"%s\": the mix is empty", s);
	return 0;
}

int units_parse_size_dist(const char *text, struct scenario_size_dist *d,
			  char *why, size_t len)
{
	char s[512], body[512];
	char *dash;

	memset(d, 0, sizeof(*d));
	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	strcpy(body, s);
	if (!strncmp(s, "lognormal:", 10)) {
		char *comma = strchr(body + 10, ',');

		d->kind = SCENARIO_DIST_LOGNORMAL;
		if (!comma)
			return units_fail(why, len, "\"%s\": lognormal needs "
					  "MEDIAN,SIGMA", s);
		*comma = '\0';
		return dist_size(s, body + 10, "median", &d->median, why,
				 len) ||
		       dist_real(s, comma + 1, "sigma", &d->sigma, why, len);
	}
	if (strchr(s, ':'))
		return parse_mix(s, body, d, why, len);
	dash = strchr(body + 1, '-');
	if (dash) {
		d->kind = SCENARIO_DIST_UNIFORM;
		*dash = '\0';
		if (dist_size(s, body, "lower bound", &d->min, why, len) ||
		    dist_size(s, dash + 1, "upper bound", &d->max, why, len))
			return -1;
		if (d->max < d->min)
			return units_fail(why, len, "\"%s\": the upper bound "
					  "is below the lower", s);
		return 0;
	}
	d->kind = SCENARIO_DIST_FIXED;
	if (dist_size(s, body, "size", &d->min, why, len))
		return -1;
	d->max = d->min;
	return 0;
}

static int cpu_number(const char *s, const char *part, uint32_t *v,
		      char *why, size_t len)
{
	char p[32], *end;
	unsigned long x;

	if (!units_trim(part, p, sizeof(p)) || !isdigit((unsigned char)p[0]))
		return units_fail(why, len, "\"%s\": \"%s\" is not a CPU "
				  "number", s, part);
	errno = 0;
	x = strtoul(p, &end, 10);
	if (*end)
		return units_fail(why, len, "\"%s\": \"%s\" is not a CPU "
				  "number", s, part);
	if (errno == ERANGE || x >= SCENARIO_MAX_CPUS)
		return units_fail(why, len, "\"%s\": CPU %s is beyond the "
				  "largest machine (%d CPUs)", s, p,
				  SCENARIO_MAX_CPUS);
	*v = (uint32_t)x;
	return 0;
}

int units_parse_cpu_list(const char *text, uint32_t **cpu, uint32_t *n,
			 char *why, size_t len)
{
	static const unsigned bits = 64;
	uint64_t set[SCENARIO_MAX_CPUS / 64] = { 0 };
	char s[512], body[512], *save = NULL;
	uint32_t count = 0, k = 0;

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	strcpy(body, s);
	for (char *e = strtok_r(body, ",", &save); e;
	     e = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(e, '-');
		uint32_t lo, hi;

		if (dash)
			*dash = '\0';
		if (cpu_number(s, e, &lo, why, len) ||
		    cpu_number(s, dash ? dash + 1 : e, &hi, why, len))
			return -1;
		if (hi < lo)
			return units_fail(why, len, "\"%s\": range %u-%u is "
					  "backwards", s, lo, hi);
		for (uint32_t c = lo; c <= hi; c++)
			set[c / bits] |= 1ULL << (c % bits);
	}
	for (uint32_t c = 0; c < SCENARIO_MAX_CPUS; c++)
		count += (set[c / bits] >> (c % bits)) & 1;
	if (!count)
		return units_fail(why, len, "\"%s\" names no CPU", s);
	*cpu = malloc(count * sizeof(**cpu));
	if (!*cpu)
		return units_fail(why, len, "out of memory");
	for (uint32_t c = 0; c < SCENARIO_MAX_CPUS; c++)
		if ((set[c / bits] >> (c % bits)) & 1)
			(*cpu)[k++] = c;
	*n = count;
	return 0;
}
