/* scenario/scenario_dist.c - the compound values of scenario files: CPU lists
 * ("0-3,8"). Size distributions use the workloads' parser (sizedist). */
#include "scenario/scenario_units.h"

#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
		return error_oom(why, len, count * sizeof(**cpu), "CPU list");
	for (uint32_t c = 0; c < SCENARIO_MAX_CPUS; c++)
		if ((set[c / bits] >> (c % bits)) & 1)
			(*cpu)[k++] = c;
	*n = count;
	return 0;
}
