/* machine/machine_map.c - dma_map on a simulated CPU: whether it bounces, the
 * allocator's search laid out under the area locks, transient pools, the
 * bounce copy, the DMA-mask check, and the map's accounting and callback.
 */
#include "machine/machine_impl.h"

#include <assert.h>

int machine_map(struct machine *m, unsigned int cpu,
		struct machine_device *dev, uint64_t orig_addr, size_t size,
		enum dma_data_direction dir, uint32_t alloc_align_mask,
		machine_map_fn cb, void *ctx)
{
	struct machine_op *op;

	assert(m && cpu < m->ncpus && dev && dev->m == m);
	assert(size > 0 && dir <= DMA_FROM_DEVICE);
	sampler_wake(m);
	op = op_new(m, OP_MAP, cpu, ctx);
	if (!op)
		return -1;
	/* Taken now so that running out of memory is reported here. */
	/* Set in full when the map succeeds. */
	op->mapping = machine_take(m, &m->mappings);
	if (!op->mapping) {
		freelist_put(&m->ops, op);
		return -1;
	}
	op->cb.map = cb;
	op->dev = dev;
	op->orig_addr = orig_addr;
	op->size = size;
	op->dir = dir;
	op->alloc_align_mask = alloc_align_mask;
	cpu_enqueue(m, op);
	return 0;
}

/* Making the transient pool: its allocation and set-up, then linking it
 * into the device's list under dev->dma_io_tlb_lock. */
static sim_time_t transient_create_layout(struct machine *m,
					  struct machine_op *op, sim_time_t t)
{
	const struct machine_costs *c = &m->cfg.costs;
	uint64_t page = machine_page_size(m);
	uint64_t pages = (op->transient_bytes + page - 1) / page;

	struct lock_hold h = {
		.arrive = t + c->transient_create_ns +
			  pages * c->transient_page_ns,
	};

	return lock_take(m, &op->dev->transient_lock, op->cpu->id, &h,
			 &op->locks);
}

/* The visit that took the slots: the last one in the pool and area the
 * work report names. -1 when the map failed. */
static int taking_visit(const struct swiotlb_work *w, uint32_t nvisits,
			bool ok)
{
	for (int i = (int)nvisits - 1; ok && i >= 0; i--)
		if (w->visit[i].pool_id == w->pool_id &&
		    w->visit[i].area == w->area)
			return i;
	return -1;
}

/* Lays out the search the allocator reported, from t; returns its end.
 * Each visit holds its area's lock for area_try + slots examined (+ the
 * slots written, for the visit that took them). Searches beyond the
 * report's visit[] array are charged as time with no lock. */
static sim_time_t search_layout(struct machine *m, struct machine_op *op,
				const struct swiotlb_work *w, bool ok,
				sim_time_t t)
{
	const struct machine_costs *c = &m->cfg.costs;
	uint32_t n = w->nvisits < SWIOTLB_WORK_VISITS ? w->nvisits :
						       SWIOTLB_WORK_VISITS;
	int taker = taking_visit(w, n, ok);
	bool transient_done = !w->transient_made;
	uint64_t seen = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct swiotlb_area_visit *v = &w->visit[i];
		uint64_t written = (int)i == taker ? w->nslots : 0;
		sim_time_t work = c->area_try_ns +
				  v->slots_examined * c->slot_examine_ns +
				  written * c->slot_write_ns;
		struct machine_lock *lk = lock_find(m, op->dev->locks,
						    v->pool_id, v->area);

		seen += v->slots_examined;
		if (lk) {
			struct lock_hold h = {
				.arrive = t, .work_ns = work,
				.touched_lines = costs_slot_lines(
					c, v->slots_examined + written),
				.written_lines = costs_slot_lines(c, written),
			};

			t = lock_take(m, lk, op->cpu->id, &h, &op->locks);
			continue;
		}
		/* A transient pool: made just before this search, private to
		 * this map, so its lock is never contended. */
		if (!transient_done) {
			t = transient_create_layout(m, op, t);
			transient_done = true;
		}
		t += c->lock_ns + work;
	}
	if (w->areas_tried > n)
		t += (sim_time_t)(w->areas_tried - n) * c->area_try_ns;
	if (w->slots_examined > seen)
		t += (w->slots_examined - seen) * c->slot_examine_ns;
	if (!transient_done)
		t = transient_create_layout(m, op, t);
	return t;
}

static bool dma_capable(const struct machine_device *dev, uint64_t addr,
			uint64_t size)
{
	return addr + (size - 1) >= addr &&
	       addr + (size - 1) <= dev->cfg.dma_mask;
}

/* A restricted pool always bounces; else the device's policy, AUTO
 * following the machine. */
bool machine_device_force_bounce(const struct machine_device *dev)
{
	if (dev->restricted)
		return true;
	switch (dev->cfg.bounce) {
	case MACHINE_BOUNCE_ALWAYS: return true;
	case MACHINE_BOUNCE_NEVER: return false;
	case MACHINE_BOUNCE_AUTO: break;
	}
	return dev->m->cfg.force_bounce;
}

bool machine_device_bounces(const struct machine_device *dev,
			    uint64_t orig_addr, uint64_t size)
{
	if (machine_device_force_bounce(dev))
		return true;
	return dev->cfg.bounce == MACHINE_BOUNCE_AUTO &&
	       !dma_capable(dev, orig_addr, size ? size : 1);
}

/* dma_direct_map_page() without a bounce: the call, and the buffer's own
 * address; or, when the buffer is beyond the mask and there is no swiotlb
 * to bounce it (swiotlb=noforce), the "overflow" failure. */
static void map_direct(struct machine *m, struct machine_op *op)
{
	bool capable = dma_capable(op->dev, op->orig_addr, op->size) ||
		       op->dev->cfg.bounce == MACHINE_BOUNCE_NEVER;

	op->direct = true;
	op->tlb_addr = capable ? op->orig_addr : SWIOTLB_MAP_ERROR;
	op->status = capable ? MACHINE_MAP_OK : MACHINE_MAP_DMA_MASK;
	if (capable) {
		*op->mapping = (struct machine_mapping){
			.dev = op->dev, .tlb_addr = op->orig_addr,
			.orig_addr = op->orig_addr, .size = op->size,
			.dir = op->dir, .bounced = false,
		};
	}
	op_finish_at(m, op, op->started + m->cfg.costs.map_call_ns);
}

/* swiotlb_map()'s answer to an unreachable bounce address: unmap it again
 * (DMA_ATTR_SKIP_CPU_SYNC) and fail. */
static sim_time_t map_undo(struct machine *m, struct machine_op *op,
			   uint64_t tlb_addr, sim_time_t t)
{
	struct swiotlb_work w;

	swiotlb_tbl_unmap_single(&op->dev->sdev, tlb_addr, &w);
	if (w.transient_freed)
		m->transient_live--;
	return release_layout(m, op, &w, t);
}

void map_begin(struct machine *m, struct machine_op *op)
{
	struct swiotlb_work w;
	sim_time_t t = op->started + m->cfg.costs.map_call_ns;
	uint64_t tlb;

	/* Nothing to bounce; or a buffer beyond the mask and no swiotlb to
	 * bounce it with (a forced bounce without one goes on to the
	 * allocator, which refuses it as the kernel's does). */
	if (!machine_device_bounces(op->dev, op->orig_addr, op->size) ||
	    (!machine_device_force_bounce(op->dev) &&
	     !op->dev->sdev.mem->nslabs)) {
		map_direct(m, op);
		return;
	}
	tlb = swiotlb_tbl_map_single(&op->dev->sdev, op->cpu->id,
				     op->orig_addr, op->size,
				     op->alloc_align_mask, &w);
	if (w.oom_bytes)
		machine_fail_oom(m, w.oom_bytes, "transient pool");
	op->transient_made = w.transient_made;
	if (w.transient_made) {
		op->transient_bytes = w.transient_bytes;
		m->transient_live++;
	}
	t = search_layout(m, op, &w, tlb != SWIOTLB_MAP_ERROR, t);
	if (w.growth_requested)
		growth_request(m, op);
	op->tlb_addr = tlb;
	if (tlb == SWIOTLB_MAP_ERROR) {
		op->status = w.transient_refused ? MACHINE_MAP_FULL_ATOMIC :
						   MACHINE_MAP_FULL;
		op_finish_at(m, op, t);
		return;
	}
	op->pool_id = w.pool_id;
	/* swiotlb_tbl_map_single() copies in whatever the direction. */
	t = op_copy(m, op, t, op->size);
	if (!dma_capable(op->dev, tlb, op->size)) {
		t = map_undo(m, op, tlb, t);
		op->status = MACHINE_MAP_DMA_MASK;
	} else {
		*op->mapping = (struct machine_mapping){
			.dev = op->dev, .tlb_addr = tlb,
			.orig_addr = op->orig_addr, .size = op->size,
			.dir = op->dir, .transient = w.transient_made,
			.bounced = true,
		};
	}
	op_finish_at(m, op, t);
}

static void map_log(struct machine *m, const struct machine_op *op)
{
	int32_t cpu = (int32_t)op->cpu->id, dev = (int32_t)op->dev->index;
	static const enum stats_event_kind failure[] = {
		[MACHINE_MAP_FULL] = STATS_EV_FULL,
		[MACHINE_MAP_FULL_ATOMIC] = STATS_EV_FULL_ATOMIC,
		[MACHINE_MAP_DMA_MASK] = STATS_EV_MASK,
	};

	if (op->transient_made)
		machine_log(m, STATS_EV_TRANSIENT_MADE, cpu, dev,
			    op->transient_bytes, op->pool_id);
	if (op->status != MACHINE_MAP_OK)
		machine_log(m, failure[op->status], cpu, dev, op->size, -1);
	if (op->transient_freed)
		machine_log(m, STATS_EV_TRANSIENT_FREED, cpu, dev,
			    op->transient_bytes, op->pool_id);
}

static void map_count(struct machine *m, const struct machine_op *op)
{
	struct stats_counters *c = stats_counters_mut(m->stats);
	struct machine_device_counters *dc = &op->dev->counters;
	bool full = op->status == MACHINE_MAP_FULL ||
		    op->status == MACHINE_MAP_FULL_ATOMIC;

	dc->maps++;
	dc->maps_direct += op->direct;
	dc->full_events += full;
	dc->mask_failures += op->status == MACHINE_MAP_DMA_MASK;
	m->live_mappings += op->status == MACHINE_MAP_OK;
	c->maps++;
	c->maps_ok += op->status == MACHINE_MAP_OK;
	c->maps_direct += op->direct;
	c->full_events += full;
	c->atomic_refusals += op->status == MACHINE_MAP_FULL_ATOMIC;
	c->mask_failures += op->status == MACHINE_MAP_DMA_MASK;
	c->transient_made += op->transient_made;
	c->transient_freed += op->transient_freed;
	stats_hist_add(stats_map_latency_mut(m->stats),
		       sim_now(m->eng) - op->issued);
}

void map_finish(struct machine *m, struct machine_op *op)
{
	bool ok = op->status == MACHINE_MAP_OK;
	struct machine_map_result res = {
		.status = op->status,
		.mapping = ok ? op->mapping : NULL,
		.tlb_addr = ok ? op->tlb_addr : SWIOTLB_MAP_ERROR,
		.transient = ok && op->transient_made,
		.cpu = op->cpu->id,
		.dev = op->dev,
		.orig_addr = op->orig_addr,
		.size = op->size,
		.issued = op->issued,
		.started = op->started,
		.finished = sim_now(m->eng),
		.lock_wait_ns = op->locks.wait_ns,
	};
	int saved;

	map_count(m, op);
	map_log(m, op);
	if (!ok)
		freelist_put(&m->mappings, op->mapping);
	if (!op->cb.map)
		return;
	op_context_enter(m, op, &saved);
	op->cb.map(m, op->ctx, &res);
	op_context_leave(m, saved);
}
