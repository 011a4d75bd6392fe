/* machine/machine_growth.c - the dynamic-mode growth worker (the kernel's
 * swiotlb_dyn_alloc): one background pool allocation per failure burst.
 *
 * The first failed search schedules it; failures while it runs start no
 * other. Its plan is drawn when it starts: each alloc_pages() try fails with
 * grow_attempt_fail_prob and the size halves the kernel's way
 * (swiotlb_dyn_pool_shrink) down to 1 MiB, after which the growth fails. It
 * completes after grow_queue + one grow_attempt per try + pages x
 * (page_alloc + page_decrypt) for the pages it got, then adds the pool with
 * swiotlb_grow(mem, 0, nslabs). The delay runs on no simulated CPU.
 */
#include "machine/machine_impl.h"

#include <stdio.h>

/* Pages of the machine's page size in a pool of nslabs. */
static uint64_t pool_pages(const struct machine *m, uint64_t nslabs)
{
	uint64_t page = machine_page_size(m);

	return ((nslabs << IO_TLB_SHIFT) + page - 1) / page;
}

/* Draws the worker's tries; sets m->growth.nslabs (0: it fails) and
 * returns how long the worker runs. */
static sim_time_t growth_plan(struct machine *m)
{
	const struct machine_costs *c = &m->cfg.costs;
	double fail = m->cfg.grow_attempt_fail_prob;
	uint64_t nslabs = swiotlb_dyn_pool_nslabs(m->mem);
	sim_time_t delay = c->grow_queue_ns;

	while (nslabs) {
		delay += c->grow_attempt_ns;
		if (rng_uniform(m->growth.rng) >= fail)
			break;
		nslabs = swiotlb_dyn_pool_shrink(nslabs);
	}
	m->growth.nslabs = nslabs;
	if (nslabs)
		delay += pool_pages(m, nslabs) *
			 (c->page_alloc_ns + c->page_decrypt_ns);
	return delay;
}

static void growth_fail(struct machine *m, uint64_t nslabs)
{
	stats_counters_mut(m->stats)->grow_failed++;
	machine_log(m, STATS_EV_GROW_FAILED, -1, -1,
		    nslabs << IO_TLB_SHIFT, -1);
}

static void growth_done_action(struct sim_engine *eng, void *subject,
			       uint64_t arg)
{
	struct machine *m = subject;
	uint64_t nslabs = m->growth.nslabs;
	struct io_tlb_pool *pool;
	bool oom;
	char err[256];

	(void)eng;
	(void)arg;
	m->growth.running = false;
	if (!nslabs) {
		growth_fail(m, 0);
		return;
	}
	pool = swiotlb_grow(m->mem, 0, nslabs, &oom, err, sizeof(err));
	if (oom) {
		machine_fail(m, err);
		return;
	}
	if (!pool) {
		growth_fail(m, nslabs);
		return;
	}
	if (lock_table_add_pool(m, &m->locks, pool))
		return;
	stats_counters_mut(m->stats)->pools_added++;
	machine_log(m, STATS_EV_POOL_ADDED, -1, -1,
		    (uint64_t)pool->nslabs << IO_TLB_SHIFT, pool->id);
}

void growth_request(struct machine *m, const struct machine_op *op)
{
	sim_time_t delay;

	if (m->growth.running)
		return;
	m->growth.running = true;
	delay = growth_plan(m);
	stats_counters_mut(m->stats)->grow_started++;
	machine_log(m, STATS_EV_GROW_START, (int32_t)op->cpu->id,
		    (int32_t)op->dev->index, op->size, -1);
	sim_post_in(m->eng, delay, growth_done_action, m, 0);
}

bool machine_growing(const struct machine *m)
{
	return m->growth.running;
}
