/* machine/machine_unmap.c - dma_unmap and dma_sync on a simulated CPU: the
 * pool lookup, the copy back, the release under the area lock, and the
 * mapping handles' life cycle.
 *
 * An unmap runs in two phases, as the kernel's does: the lookup and the
 * copy first, then (an event later) the release, so that the slots come
 * free when the copy is over, not when the unmap starts.
 */
#include "machine/machine_impl.h"

#include <assert.h>

static bool copies_back(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool copies_out(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* swiotlb_find_pool()'s walk for the mapping's address. */
static sim_time_t lookup_ns(struct machine *m, const struct machine_mapping *mp)
{
	uint32_t steps = 0;

	swiotlb_find_pool(&mp->dev->sdev, mp->tlb_addr, &steps);
	return (sim_time_t)steps * m->cfg.costs.pool_step_ns;
}

/* always_inline here and in done_callback(): called for every unmap and
 * sync, and GCC keeps them calls otherwise. */
__attribute__((always_inline)) static inline struct machine_op *mapping_op(
	struct machine *m, enum op_kind kind, unsigned int cpu,
	struct machine_mapping *mp, void *ctx)
{
	struct machine_op *op;

	assert(m && cpu < m->ncpus && mp && mp->dev->m == m);
	assert(!mp->unmap_issued);
	sampler_wake(m);
	op = op_new(m, kind, cpu, ctx);
	if (!op)
		return NULL;
	op->mapping = mp;
	op->dev = mp->dev;
	op->dir = mp->dir;
	mp->refs++;
	return op;
}

int machine_unmap(struct machine *m, unsigned int cpu,
		  struct machine_mapping *mapping, bool skip_cpu_sync,
		  machine_done_fn cb, void *ctx)
{
	struct machine_op *op = mapping_op(m, OP_UNMAP, cpu, mapping, ctx);

	if (!op)
		return -1;
	mapping->unmap_issued = true;
	op->cb.done = cb;
	op->skip_cpu_sync = skip_cpu_sync;
	op->size = mapping->size;
	cpu_enqueue(m, op);
	return 0;
}

int machine_sync(struct machine *m, unsigned int cpu,
		 struct machine_mapping *mapping,
		 enum machine_sync_target target, size_t size,
		 machine_done_fn cb, void *ctx)
{
	struct machine_op *op;

	assert(mapping && size <= mapping->size);
	op = mapping_op(m, OP_SYNC, cpu, mapping, ctx);
	if (!op)
		return -1;
	op->cb.done = cb;
	op->target = target;
	op->size = size;
	cpu_enqueue(m, op);
	return 0;
}

sim_time_t release_layout(struct machine *m, struct machine_op *op,
			  const struct swiotlb_work *w, sim_time_t t)
{
	const struct machine_costs *c = &m->cfg.costs;
	struct lock_hold h = {
		.arrive = t,
		.work_ns = w->nslots * c->slot_write_ns +
			   w->slots_examined * c->slot_examine_ns,
		.touched_lines = costs_slot_lines(
			c, (uint64_t)w->nslots + w->slots_examined),
		.written_lines = costs_slot_lines(c, w->nslots),
	};
	struct machine_lock *lk;

	if (w->transient_freed) {
		/* swiotlb_del_transient() under dev->dma_io_tlb_lock, then
		 * the pool's free. */
		struct lock_hold list_del = { .arrive = t };

		op->transient_freed = true;
		op->pool_id = w->pool_id;
		t = lock_take(m, &op->dev->transient_lock, op->cpu->id,
			      &list_del, &op->locks);
		return t + c->transient_free_ns;
	}
	lk = lock_find(m, op->dev->locks, w->pool_id, w->area);
	if (!lk)
		return t + c->lock_ns + h.work_ns;
	return lock_take(m, lk, op->cpu->id, &h, &op->locks);
}

static void unmap_release_action(struct sim_engine *eng, void *subject,
				 uint64_t arg)
{
	struct machine_op *op = subject;
	struct machine_mapping *mp = op->mapping;
	struct machine *m = op->cpu->m;
	struct swiotlb_work w;

	(void)arg;
	swiotlb_tbl_unmap_single(&mp->dev->sdev, mp->tlb_addr, &w);
	mp->released = true;
	if (w.transient_freed) {
		op->transient_bytes = w.transient_bytes;
		m->transient_live--;
	}
	op_finish_at(m, op, release_layout(m, op, &w, sim_now(eng)));
}

void unmap_begin(struct machine *m, struct machine_op *op)
{
	struct machine_mapping *mp = op->mapping;
	sim_time_t t;

	assert(!mp->released);
	if (!mp->bounced) {
		/* dma_direct_unmap_page() of a buffer that was not bounced:
		 * the call, nothing to copy or release. */
		mp->released = true;
		op_finish_at(m, op, op->started + m->cfg.costs.unmap_call_ns);
		return;
	}
	/* The release comes after the call (and the copy): fetch the slot
	 * state it needs meanwhile. */
	swiotlb_prefetch_release(&mp->dev->sdev, mp->tlb_addr);
	t = op->started + m->cfg.costs.unmap_call_ns + lookup_ns(m, mp);
	if (!op->skip_cpu_sync && copies_back(mp->dir))
		t = op_copy(m, op, t, mp->size);
	sim_post_at(m->eng, t, unmap_release_action, op, 0);
}

void sync_begin(struct machine *m, struct machine_op *op)
{
	struct machine_mapping *mp = op->mapping;
	sim_time_t t = op->started + m->cfg.costs.sync_call_ns;
	bool copy = op->target == MACHINE_SYNC_FOR_CPU ? copies_back(mp->dir) :
							 copies_out(mp->dir);

	/* An interrupt-priority unmap can overtake a sync queued earlier on
	 * the same CPU; the sync then finds no buffer and costs its call. A
	 * mapping that did not bounce has no buffer either. */
	if (mp->released || !mp->bounced) {
		op_finish_at(m, op, op->started + m->cfg.costs.sync_call_ns);
		return;
	}
	t += lookup_ns(m, mp);
	if (copy)
		t = op_copy(m, op, t, op->size);
	op_finish_at(m, op, t);
}

void mapping_put(struct machine *m, struct machine_mapping *mp)
{
	assert(mp->refs > 0);
	if (--mp->refs == 0 && mp->released)
		freelist_put(&m->mappings, mp);
}

__attribute__((always_inline)) static inline void done_callback(
	struct machine *m, struct machine_op *op)
{
	struct machine_op_result res = {
		.cpu = op->cpu->id,
		.issued = op->issued,
		.started = op->started,
		.finished = sim_now(m->eng),
		.lock_wait_ns = op->locks.wait_ns,
	};
	int saved;

	if (!op->cb.done)
		return;
	op_context_enter(m, op, &saved);
	op->cb.done(m, op->ctx, &res);
	op_context_leave(m, saved);
}

void unmap_finish(struct machine *m, struct machine_op *op)
{
	struct stats_counters *c = stats_counters_mut(m->stats);

	c->unmaps++;
	op->dev->counters.unmaps++;
	m->live_mappings--;
	if (op->transient_freed) {
		c->transient_freed++;
		machine_log(m, STATS_EV_TRANSIENT_FREED, (int32_t)op->cpu->id,
			    (int32_t)op->dev->index, op->transient_bytes,
			    op->pool_id);
	}
	mapping_put(m, op->mapping);
	done_callback(m, op);
}

void sync_finish(struct machine *m, struct machine_op *op)
{
	stats_counters_mut(m->stats)->syncs++;
	mapping_put(m, op->mapping);
	done_callback(m, op);
}

uint64_t machine_mapping_addr(const struct machine_mapping *mp)
{
	return mp->tlb_addr;
}

uint64_t machine_mapping_orig(const struct machine_mapping *mp)
{
	return mp->orig_addr;
}

size_t machine_mapping_size(const struct machine_mapping *mp)
{
	return (size_t)mp->size;
}

enum dma_data_direction machine_mapping_dir(const struct machine_mapping *mp)
{
	return mp->dir;
}

struct machine_device *machine_mapping_device(const struct machine_mapping *mp)
{
	return mp->dev;
}

bool machine_mapping_transient(const struct machine_mapping *mp)
{
	return mp->transient;
}

bool machine_mapping_bounced(const struct machine_mapping *mp)
{
	return mp->bounced;
}
