/* sweep/sweep_point.c - a sweep point's run directory: finished or not,
 * and its figures read back from summary.json. */
#include "sweep/sweep_point.h"

#include "base/json.h"
#include "base/outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const sweep_metric_names[SWEEP_NMETRICS] = {
	[SWEEP_FULL_EVENTS] = "full_events",
	[SWEEP_REQUEUES_DROPS] = "requeues_drops",
	[SWEEP_HIWATER_SLOTS] = "hiwater_slots",
	[SWEEP_MAP_P99_NS] = "map_latency_p99_ns",
	[SWEEP_LOCK_WAIT_SHARE] = "lock_wait_share",
	[SWEEP_COPY_CPU_SHARE] = "copy_cpu_share",
	[SWEEP_POOLS_ADDED] = "pools_added",
	[SWEEP_TRANSIENT_POOLS] = "transient_pools",
};

char *sweep_resolved_text(const struct scenario *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (scenario_dump_yaml(s, f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* The next line of *p that is not part of a top-level `sweep:` block;
 * sets *len to its length (newline included) and advances *p. */
static const char *next_line(const char **p, size_t *len)
{
	bool in_sweep = false;

	while (**p) {
		const char *line = *p, *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);

		*p += n;
		/* A top-level block goes on while lines are indented or
		 * list entries ("- name: ..."). */
		if (line[0] != ' ' && line[0] != '-')
			in_sweep = !strncmp(line, "sweep:", 6);
		if (in_sweep)
			continue;
		*len = n;
		return line;
	}
	*len = 0;
	return NULL;
}

bool sweep_resolved_same(const char *a, const char *b)
{
	for (;;) {
		size_t na, nb;
		const char *la = next_line(&a, &na), *lb = next_line(&b, &nb);

		if (!la || !lb)
			return !la && !lb;
		if (na != nb || memcmp(la, lb, na))
			return false;
	}
}

char *sweep_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4097 > cap) {
			char *t = realloc(text, cap = 2 * cap + 8192);

			if (!t) {
				free(text);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			text = t;
		}
		size_t got = fread(text + n, 1, cap - n - 1, f);

		n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	text[n] = '\0';
	if (len)
		*len = n;
	return text;
}

bool sweep_point_finished(const char *dir, const char *resolved)
{
	char path[OUTFILE_PATH_MAX];
	char *text;
	bool same;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	if (access(path, R_OK))
		return false;
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	text = sweep_read_file(path, NULL);
	same = text && sweep_resolved_same(text, resolved);
	free(text);
	return same;
}

uint64_t sweep_param_sizes(const char *param, uint32_t *areas)
{
	uint64_t slabs;
	char *end;

	*areas = 0;
	if (!param || !*param)
		return 0;
	/* simple_strtoul(str, &str, 0) in the kernel */
	slabs = strtoull(param, &end, 0);
	if (*end == ',' && end[1] >= '0' && end[1] <= '9')
		*areas = (uint32_t)strtoul(end + 1, NULL, 0);
	return slabs;
}

static void read_summary(const struct json *j, struct sweep_result *r)
{
	const struct json *w = json_get(j, "workloads");
	double lost = 0;

	r->metric[SWEEP_FULL_EVENTS] = json_number(j, "totals.full_events", 0);
	r->metric[SWEEP_HIWATER_SLOTS] = json_number(j, "hiwater_slots", 0);
	r->metric[SWEEP_MAP_P99_NS] = json_number(j, "map_latency_ns.p99", 0);
	r->metric[SWEEP_LOCK_WAIT_SHARE] = json_number(j, "lock_wait_share", 0);
	r->metric[SWEEP_COPY_CPU_SHARE] = json_number(j, "copy_cpu_share", 0);
	r->metric[SWEEP_POOLS_ADDED] = json_number(j, "totals.pools_added", 0);
	r->metric[SWEEP_TRANSIENT_POOLS] =
		json_number(j, "totals.transient_pools", 0);
	for (size_t i = 0; w && w->type == JSON_ARRAY && i < w->n; i++)
		lost += json_number(&w->items[i], "requeues", 0) +
			json_number(&w->items[i], "drops", 0);
	r->metric[SWEEP_REQUEUES_DROPS] = lost;
	r->boot_nslabs = (uint64_t)json_number(j, "pool.boot_nslabs", 0);
	r->boot_bytes = (uint64_t)json_number(j, "pool.boot_bytes", 0);
	r->boot_nareas = (uint32_t)json_number(j, "pool.boot_nareas", 0);
	r->nslabs_end = (uint64_t)json_number(j, "pool.nslabs_end", 0);
}

int sweep_point_load(const char *dir, struct scenario *s, char **text,
		     struct sweep_result *r, char *err, size_t errlen)
{
	char path[OUTFILE_PATH_MAX];
	char *yaml, *json_text;
	size_t len;
	struct json j;
	char why[SCENARIO_ERR_MAX];

	memset(r, 0, sizeof(*r));
	if (text)
		*text = NULL;
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	yaml = sweep_read_file(path, &len);
	if (!yaml) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -1;
	}
	if (scenario_load_string(yaml, len, path, NULL, 0, s, why,
				 sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		free(yaml);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	json_text = sweep_read_file(path, &len);
	if (!json_text || json_parse(json_text, len, &j, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path,
			 json_text ? why : strerror(errno));
		free(json_text);
		free(yaml);
		scenario_free(s);
		return -1;
	}
	read_summary(&j, r);
	json_free(&j);
	free(json_text);
	r->seed = s->run.seed;      /* exact: JSON numbers are doubles */
	r->dynamic = s->swiotlb.dynamic;
	if (s->swiotlb.param && *s->swiotlb.param) {
		r->pool_slabs = sweep_param_sizes(s->swiotlb.param,
						  &r->areas);
	} else {
		r->pool_slabs = s->swiotlb.slabs;
		r->areas = s->swiotlb.areas;
	}
	if (text)
		*text = yaml;
	else
		free(yaml);
	return 0;
}
