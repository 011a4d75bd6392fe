/* machine/stats_series.c - growable in-memory storage for the time series'
 * rows and their per-area columns, and the CSV writer. */
#include "machine/stats_series.h"

#include "base/error.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

struct stats_series {
	uint32_t nareas;
	size_t len, cap;
	struct stats_row *rows;
	uint64_t *area_used;       /* len x nareas */
};

struct stats_series *stats_series_new(uint32_t nareas, char *err,
				      size_t errlen)
{
	struct stats_series *s = calloc(1, sizeof(*s));

	if (s)
		s->nareas = nareas;
	else
		error_oom(err, errlen, sizeof(*s), "time series");
	return s;
}

void stats_series_free(struct stats_series *s)
{
	if (!s)
		return;
	free(s->rows);
	free(s->area_used);
	free(s);
}

static int series_grow(struct stats_series *s, char *err, size_t errlen)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	size_t nused = s->nareas ? cap * s->nareas : 1;
	struct stats_row *rows = realloc(s->rows, cap * sizeof(*rows));
	uint64_t *used;

	if (!rows)
		return error_oom(err, errlen, cap * sizeof(*rows),
				 "time series of %zu rows", cap);
	s->rows = rows;
	used = realloc(s->area_used, nused * sizeof(*used));
	if (!used)
		return error_oom(err, errlen, nused * sizeof(*used),
				 "time series of %zu rows, per area", cap);
	s->area_used = used;
	s->cap = cap;
	return 0;
}

int stats_series_append(struct stats_series *s, const struct stats_row *row,
			const uint64_t *area_used, char *err, size_t errlen)
{
	if (s->len == s->cap && series_grow(s, err, errlen))
		return -1;
	s->rows[s->len] = *row;
	for (uint32_t a = 0; a < s->nareas; a++)
		s->area_used[s->len * s->nareas + a] = area_used[a];
	s->len++;
	return 0;
}

void stats_series_replace_last(struct stats_series *s,
			       const struct stats_row *row,
			       const uint64_t *area_used)
{
	assert(s->len > 0);
	s->len--;
	s->rows[s->len] = *row;
	for (uint32_t a = 0; a < s->nareas; a++)
		s->area_used[s->len * s->nareas + a] = area_used[a];
	s->len++;
}

size_t stats_series_len(const struct stats_series *s)
{
	return s->len;
}

uint32_t stats_series_nareas(const struct stats_series *s)
{
	return s->nareas;
}

const struct stats_row *stats_series_row(const struct stats_series *s, size_t i)
{
	return i < s->len ? &s->rows[i] : NULL;
}

const uint64_t *stats_series_area_used(const struct stats_series *s, size_t i)
{
	return i < s->len ? &s->area_used[i * s->nareas] : NULL;
}

int stats_series_write_csv(const struct stats_series *s, FILE *out)
{
	fputs("time_ns,interval_ns,used_slots,transient_slots,nslabs,hiwater,"
	      "maps,maps_per_s,full_events,transient_pools,pools,lock_wait_ns,"
	      "copy_cpu_share,busy_cpu_share,largest_free_run", out);
	for (uint32_t a = 0; a < s->nareas; a++)
		fprintf(out, ",area%" PRIu32 "_used", a);
	fputc('\n', out);
	for (size_t i = 0; i < s->len; i++) {
		const struct stats_row *r = &s->rows[i];

		fprintf(out, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6g,%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6g,%.6g,%" PRIu32,
			r->time_ns, r->interval_ns, r->used_slots,
			r->transient_slots, r->nslabs, r->hiwater, r->maps,
			r->maps_per_s, r->full_events, r->transient_pools,
			r->pools, r->lock_wait_ns, r->copy_cpu_share,
			r->busy_cpu_share, r->largest_free_run);
		for (uint32_t a = 0; a < s->nareas; a++)
			fprintf(out, ",%" PRIu64,
				s->area_used[i * s->nareas + a]);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
