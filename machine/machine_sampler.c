/* machine/machine_sampler.c - the sampler: an engine event at every multiple
 * of the interval that appends one time-series row of machine state.
 *
 * So that sim_run() still ends, the sampler only reschedules itself while
 * other events are pending; when work arrives after it stopped, the rows of
 * the idle stretch (state unchanged: nothing ran) are filled in and it
 * starts again.
 */
#include "machine/machine_impl.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* Per-area used slots, area i summed over all non-transient pools. */
static void area_used(const struct machine *m, uint64_t *used,
		      uint32_t nareas)
{
	for (uint32_t a = 0; a < nareas; a++)
		used[a] = 0;
	for (const struct io_tlb_pool *p = m->mem->pools; p; p = p->next) {
		if (p->transient)
			continue;
		for (uint32_t a = 0; a < p->nareas; a++)
			used[a % nareas] += p->areas[a].used;
	}
}

static double share(uint64_t ns, uint64_t interval, unsigned int ncpus)
{
	return interval ? (double)ns / ((double)interval * ncpus) : 0.0;
}

static void row_fill(const struct machine *m, struct stats_row *r,
		     const struct stats_counters *now,
		     const struct stats_counters *last)
{
	struct swiotlb_counters sc = swiotlb_counters(m->mem);

	r->used_slots = sc.used;
	r->transient_slots = sc.transient_nslabs;
	r->nslabs = sc.nslabs;
	r->hiwater = sc.hiwater;
	r->maps = now->maps - last->maps;
	r->maps_per_s = r->interval_ns ?
		(double)r->maps * 1e9 / (double)r->interval_ns : 0.0;
	r->full_events = now->full_events - last->full_events;
	r->transient_pools = m->transient_live;
	r->pools = m->mem->npools;
	r->lock_wait_ns = now->lock_wait_ns - last->lock_wait_ns;
	r->copy_cpu_share = share(now->copy_ns - last->copy_ns,
				  r->interval_ns, m->ncpus);
	r->busy_cpu_share = share(now->busy_ns - last->busy_ns,
				  r->interval_ns, m->ncpus);
	r->largest_free_run = swiotlb_largest_free_run(m->mem);
}

/* Appends the row for (last row, t]; out of memory stops the run (-1). */
static int sampler_record(struct machine *m, sim_time_t t)
{
	struct machine_sampler *s = &m->sampler;
	const struct stats_counters *now = stats_counters(m->stats);
	struct stats_row row = { .time_ns = t,
				 .interval_ns = t - s->last_time };
	char err[256];

	if (t <= s->last_time)
		return 0;          /* machine_sample() already wrote it */
	row_fill(m, &row, now, &s->last);
	area_used(m, s->area_used, s->nareas);
	s->prev = s->last;
	s->prev_time = s->last_time;
	s->last = *now;
	s->last_time = t;
	if (stats_series_append(m->series, &row, s->area_used, err,
				sizeof(err))) {
		machine_fail(m, err);
		return -1;
	}
	return 0;
}

/* Redoes the last row (at now) when work finished after it was taken, at
 * the same instant: the row then covers it, as its interval (ending at
 * now, inclusive) says. */
static void sampler_redo_last(struct machine *m)
{
	struct machine_sampler *s = &m->sampler;
	const struct stats_counters *now = stats_counters(m->stats);
	struct stats_row row = { .time_ns = s->last_time,
				 .interval_ns = s->last_time - s->prev_time };

	if (!stats_series_len(m->series) ||
	    !memcmp(now, &s->last, sizeof(*now)))
		return;
	row_fill(m, &row, now, &s->prev);
	area_used(m, s->area_used, s->nareas);
	s->last = *now;
	stats_series_replace_last(m->series, &row, s->area_used);
}

static void sampler_action(struct sim_engine *eng, void *subject,
			   uint64_t arg)
{
	struct machine *m = subject;
	struct machine_sampler *s = &m->sampler;

	(void)arg;
	(void)sampler_record(m, s->next);
	s->next += s->interval;
	s->scheduled = sim_pending(eng) > 0;
	if (s->scheduled)
		sim_post_at(eng, s->next, sampler_action, m, 0);
}

void sampler_restart(struct machine *m)
{
	struct machine_sampler *s = &m->sampler;
	sim_time_t now = sim_now(m->eng);

	if (!s->interval || s->scheduled)
		return;
	for (; s->next < now; s->next += s->interval)
		(void)sampler_record(m, s->next);
	s->scheduled = true;
	sim_post_at(m->eng, s->next, sampler_action, m, 0);
}

int sampler_init(struct machine *m, char *err, size_t errlen)
{
	struct machine_sampler *s = &m->sampler;
	uint32_t nareas = 1;

	for (const struct io_tlb_pool *p = m->mem->pools; p; p = p->next)
		if (p->nareas > nareas)
			nareas = p->nareas;
	if (m->mem->default_nareas > nareas)
		nareas = m->mem->default_nareas;
	s->interval = m->cfg.sample_interval_ns;
	s->nareas = nareas;
	s->area_used = calloc(nareas, sizeof(*s->area_used));
	if (!s->area_used)
		return error_oom(err, errlen, nareas * sizeof(*s->area_used),
				 "sampler of %u areas", nareas);
	m->series = stats_series_new(nareas, err, errlen);
	if (!m->series)
		return -1;
	s->next = s->interval;
	sampler_wake(m);
	return 0;
}

void sampler_destroy(struct machine_sampler *s)
{
	free(s->area_used);
	s->area_used = NULL;
}

int machine_sample(struct machine *m)
{
	struct machine_sampler *s = &m->sampler;
	sim_time_t now = sim_now(m->eng);

	/* Rows of an idle stretch the stopped sampler did not write. */
	for (; s->interval && !s->scheduled && s->next < now;
	     s->next += s->interval)
		if (sampler_record(m, s->next))
			return -1;
	if (now > s->last_time)
		return sampler_record(m, now);
	sampler_redo_last(m);
	return 0;
}
