/* scenario/scenario_check.c - what no single key can say: defaults made from
 * other keys (name, output, CPU lists), and rules across keys (unique
 * names, devices that exist, CPUs that exist, param against slabs, a
 * restricted pool against bounce: never). Every check runs, whatever the
 * others found; a key whose value did not read holds its default here,
 * and a required string that was missing is NULL. */
#include "scenario/scenario_internal.h"
#include "scenario/scenario_units.h"

#include "allocator/swiotlb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a, b and c end to end, malloc'd. */
static char *concat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* name: the file's name without .yaml; dir: its folder; output. */
static int resolve_names(struct sc_ctx *c, struct scenario *s)
{
	const char *base = strrchr(c->file, '/');
	size_t n, dirlen;

	base = base ? base + 1 : c->file;
	dirlen = base > c->file + 1 ? (size_t)(base - c->file - 1) : 1;
	if (base == c->file)
		s->dir = strdup(".");
	else if (base == c->file + 1)
		s->dir = strdup("/");
	else
		s->dir = strndup(c->file, dirlen);
	if (!s->dir)
		return sc_oom(c, NULL, "", dirlen + 1, "the scenario's folder");
	if (!s->name) {
		n = strlen(base);
		if (n > 5 && !strcmp(base + n - 5, ".yaml"))
			n -= 5;
		else if (n > 4 && !strcmp(base + n - 4, ".yml"))
			n -= 4;
		s->name = n ? strndup(base, n) : strdup("scenario");
		if (!s->name)
			return sc_oom(c, NULL, "name", n ? n + 1 : 9,
				      "the scenario's name");
	}
	if (!s->run.output) {
		s->run.output = concat3("results", "/", s->name);
		if (!s->run.output)
			return sc_oom(c, NULL, "run.output",
				      strlen(s->name) + 9,
				      "the results folder's name");
	}
	return 0;
}

static int check_param(struct sc_ctx *c, const struct scenario *s)
{
	const struct sc_table *t = sc_find(&sc_scenario_table,
					   "swiotlb")->sub;
	struct swiotlb_param param;
	char why[SCENARIO_ERR_MAX], path[SC_PATH_MAX];
	struct sc_mark m;

	if (!s->swiotlb.param[0])
		return 0;
	if (swiotlb_parse_param(s->swiotlb.param, &param, why, sizeof(why))) {
		m = sc_mark_of(c, "swiotlb.param");
		return sc_error(c, &m, "swiotlb.param", "%s (expected %s)",
				why, sc_find(t, "param")->expect);
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_pos *pos;

		if (!(t->fields[i].flags & SC_NOT_WITH_PARAM))
			continue;
		sc_path_key(path, "swiotlb", t->fields[i].key);
		pos = sc_pos_find(c, path);
		if (pos)
			sc_error(c, &pos->key, path, "cannot be set together "
				 "with swiotlb.param (expected either param, "
				 "or slabs, areas and force)");
	}
	return 0;
}

/* An address or size that must be a whole number of pages. */
static int check_paged(struct sc_ctx *c, const struct scenario *s,
		       const char *path, uint64_t v)
{
	struct sc_mark m;
	char page[UNITS_BUF];

	if (v % s->machine.page_size == 0)
		return 0;
	m = sc_mark_of(c, path);
	units_format_size(s->machine.page_size, page);
	return sc_error(c, &m, path, "0x%" PRIx64 " is not a multiple of "
			"the page size (expected a multiple of "
			"machine.page_size, %s)", v, page);
}

/* No two entries of a list with the same value of an SC_UNIQUE key. */
static int check_unique(struct sc_ctx *c, const char *list_key,
			const void *list, size_t n)
{
	const struct sc_field *lf = sc_find(&sc_scenario_table, list_key);
	const struct sc_table *t = lf->sub;

	for (size_t k = 0; k < t->nfields; k++) {
		const struct sc_field *f = &t->fields[k];

		if (!(f->flags & SC_UNIQUE))
			continue;
		for (size_t i = 1; i < n; i++) {
			const char *a = *(char *const *)((const char *)list +
				i * t->size + f->offset);

			for (size_t j = 0; a && j < i; j++) {
				const char *b = *(char *const *)(
					(const char *)list + j * t->size +
					f->offset);
				char p[SC_PATH_MAX], q[SC_PATH_MAX];
				struct sc_mark m;

				if (!b || strcmp(a, b))
					continue;
				sc_path_index(p, list_key, i);
				sc_path_key(p, p, f->key);
				sc_path_index(q, list_key, j);
				m = sc_mark_of(c, p);
				sc_error(c, &m, p, "\"%s\" is also the %s of "
					 "%s (expected %s)", a, f->key, q,
					 f->expect);
				break;
			}
		}
	}
	return 0;
}

static int check_devices(struct sc_ctx *c, struct scenario *s)
{
	char path[SC_PATH_MAX], base[SC_PATH_MAX];
	struct sc_mark m;

	check_unique(c, "devices", s->devices, s->ndevices);
	for (size_t i = 0; i < s->ndevices; i++) {
		const struct scenario_device *d = &s->devices[i];

		sc_path_index(base, "devices", i);
		if (d->completion_cpu >= (int32_t)s->machine.cpus) {
			sc_path_key(path, base, "completion_cpu");
			m = sc_blame(c, path, "machine.cpus");
			sc_error(c, &m, path, "CPU %" PRId32 " does not exist "
				 "(expected -1, or a CPU below machine.cpus, %"
				 PRIu32 ")", d->completion_cpu,
				 s->machine.cpus);
		}
		sc_path_key(path, base, "restricted_pool");
		check_paged(c, s, path, d->restricted_pool);
		if (d->restricted_pool && d->bounce == SCENARIO_BOUNCE_NEVER) {
			sc_path_key(path, base, "bounce");
			m = sc_mark_of(c, path);
			sc_error(c, &m, path, "never, but the device has a "
				 "restricted pool, whose maps always bounce "
				 "(expected auto or always, or no "
				 "restricted_pool)");
		}
	}
	return 0;
}

static int find_device(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->ndevices; i++)
		if (s->devices[i].name && !strcmp(s->devices[i].name, name))
			return (int)i;
	return -1;
}

static int unknown_device(struct sc_ctx *c, const struct scenario *s,
			  const char *path, const char *name)
{
	struct sc_mark m = sc_mark_of(c, path);
	char names[SCENARIO_ERR_MAX] = "";

	if (!s->ndevices)
		return sc_error(c, &m, path, "no device named \"%s\" (expected "
				"the name of a device, and the scenario has "
				"none)", name);
	for (size_t i = 0; i < s->ndevices; i++) {
		size_t used = strlen(names);

		if (s->devices[i].name)
			snprintf(names + used, sizeof(names) - used, "%s%s",
				 used ? ", " : "", s->devices[i].name);
	}
	return sc_error(c, &m, path, "no device named \"%s\" (expected one "
			"of: %s)", name, names);
}

/* The workload's CPU list: all CPUs when not written, else CPUs that
 * exist. */
static int resolve_cpus(struct sc_ctx *c, const struct scenario *s,
			struct scenario_workload *w, const char *path)
{
	const struct sc_field *f = sc_find(sc_find(&sc_scenario_table,
						   "workloads")->sub, "cpus");
	char text[32], why[SCENARIO_ERR_MAX];
	uint32_t last = s->machine.cpus - 1;
	struct sc_mark m;

	if (!w->cpus.text) {
		if (last)
			snprintf(text, sizeof(text), "0-%" PRIu32, last);
		else
			snprintf(text, sizeof(text), "0");
		if (sc_parse_value(f, text, &w->cpus, why, sizeof(why)))
			return sc_fatal(c, NULL, path, "%s", why);
		return 0;
	}
	if (w->cpus.cpu[w->cpus.n - 1] <= last)
		return 0;
	m = sc_blame(c, path, "machine.cpus");
	return sc_error(c, &m, path, "\"%s\": CPU %" PRIu32 " does not exist "
			"(expected CPUs below machine.cpus, %" PRIu32 ")",
			w->cpus.text, w->cpus.cpu[w->cpus.n - 1],
			s->machine.cpus);
}

/* A storage or network workload's per-request CPU costs: the device's,
 * unless written. */
static void resolve_costs(struct sc_ctx *c, const struct scenario *s,
			  struct scenario_workload *w, const char *base)
{
	const struct scenario_device *d;
	char path[SC_PATH_MAX];

	if (w->device_index < 0 || (w->kind != SCENARIO_WORKLOAD_STORAGE &&
				    w->kind != SCENARIO_WORKLOAD_NETWORK))
		return;
	d = &s->devices[w->device_index];
	sc_path_key(path, base, "submit_cost");
	if (!sc_pos_find(c, path))
		w->submit_cost = d->submit_cost;
	sc_path_key(path, base, "complete_cost");
	if (!sc_pos_find(c, path))
		w->complete_cost = d->complete_cost;
}

/* machine.profile: coco-vm for a confidential guest unless written. */
static void resolve_profile(struct sc_ctx *c, struct scenario *s)
{
	if (!sc_pos_find(c, "machine.profile"))
		s->machine.profile = s->swiotlb.coco ? SCENARIO_PROFILE_COCO_VM
						     : SCENARIO_PROFILE_HOST;
}

static int resolve_workloads(struct sc_ctx *c, struct scenario *s)
{
	char path[SC_PATH_MAX], base[SC_PATH_MAX];

	check_unique(c, "workloads", s->workloads, s->nworkloads);
	for (size_t i = 0; i < s->nworkloads && !sc_stop(c); i++) {
		struct scenario_workload *w = &s->workloads[i];

		sc_path_index(base, "workloads", i);
		w->device_index = -1;
		if (w->device) {
			w->device_index = find_device(s, w->device);
			sc_path_key(path, base, "device");
			if (w->device_index < 0)
				unknown_device(c, s, path, w->device);
		}
		sc_path_key(path, base, "cpus");
		resolve_cpus(c, s, w, path);
		resolve_costs(c, s, w, base);
		if (w->file) {
			bool root = !strcmp(s->dir, "/");

			w->file_path = w->file[0] == '/'
				? strdup(w->file)
				: concat3(s->dir, root ? "" : "/", w->file);
			if (!w->file_path)
				return sc_oom(c, NULL, base, strlen(s->dir) +
					      strlen(w->file) + 2,
					      "the trace's path");
		}
	}
	return 0;
}

static int check_run(struct sc_ctx *c, const struct scenario *s)
{
	char warmup[UNITS_BUF], duration[UNITS_BUF];
	struct sc_mark m;

	if (s->run.warmup < s->run.duration)
		return 0;
	units_format_time(s->run.warmup, warmup);
	units_format_time(s->run.duration, duration);
	m = sc_blame(c, "run.warmup", "run.duration");
	return sc_error(c, &m, "run.warmup", "%s is not shorter than "
			"run.duration, %s (expected a warmup shorter than the "
			"run)", warmup, duration);
}

int sc_resolve(struct sc_ctx *c, struct scenario *s)
{
	resolve_profile(c, s);
	if (resolve_names(c, s))
		return -1;
	check_param(c, s);
	check_paged(c, s, "swiotlb.start", s->swiotlb.start);
	check_devices(c, s);
	if (resolve_workloads(c, s))
		return -1;
	check_run(c, s);
	return 0;
}
