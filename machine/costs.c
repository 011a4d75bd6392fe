/* machine/costs.c - fills struct machine_costs from the named defaults in
 * costs.h (and a profile's figures over them), slows them by a factor, and
 * the two conversions every cost user needs. */
#include "machine/costs.h"

#include <math.h>
#include <stddef.h>


void machine_costs_init(struct machine_costs *c)
{
	*c = (struct machine_costs){
		.map_call_ns = COST_MAP_CALL_NS,
		.unmap_call_ns = COST_UNMAP_CALL_NS,
		.sync_call_ns = COST_SYNC_CALL_NS,
		.area_try_ns = COST_AREA_TRY_NS,
		.slot_examine_ns = COST_SLOT_EXAMINE_NS,
		.slot_write_ns = COST_SLOT_WRITE_NS,
		.pool_step_ns = COST_POOL_STEP_NS,
		.copy_bytes_per_ns = COST_COPY_BYTES_PER_NS,
		.lock_ns = COST_LOCK_NS,
		.lock_handoff_ns = COST_LOCK_HANDOFF_NS,
		.slot_line_transfer_ns = COST_SLOT_LINE_TRANSFER_NS,
		.slot_meta_bytes = SLOT_META_BYTES,
		.cache_line_bytes = CACHE_LINE_BYTES,
		.irq_ns = COST_IRQ_NS,
		.idle_wakeup_ns = COST_IDLE_WAKEUP_NS,
		.transient_create_ns = COST_TRANSIENT_CREATE_NS,
		.transient_page_ns = COST_TRANSIENT_PAGE_NS,
		.transient_free_ns = COST_TRANSIENT_FREE_NS,
		.grow_queue_ns = COST_GROW_QUEUE_NS,
		.grow_attempt_ns = COST_GROW_ATTEMPT_NS,
		.page_alloc_ns = COST_PAGE_ALLOC_NS,
		.page_decrypt_ns = COST_PAGE_DECRYPT_NS,
	};
}

uint64_t costs_transfer_ns(uint64_t bytes, double bytes_per_ns)
{
	double ns;
	uint64_t whole;

	if (bytes_per_ns <= 0.0 || bytes == 0)
		return 0;
	/* ceil() of the quotient without a call into libm (every copy and
	 * every device request asks): truncate, then round up a fraction. */
	ns = (double)bytes / bytes_per_ns;
	whole = (uint64_t)ns;
	return whole + ((double)whole < ns);
}

uint64_t costs_slot_lines(const struct machine_costs *c, uint64_t nslots)
{
	uint64_t bytes = nslots * c->slot_meta_bytes;
	uint64_t line = c->cache_line_bytes;

	if (line == 0)
		return 0;
	/* Every lock hold asks; a cache line is a power of two, and a
	 * shift is much cheaper than a 64-bit division. */
	if ((line & (line - 1)) == 0)
		return (bytes + line - 1) >> __builtin_ctzll(line);
	return (bytes + line - 1) / line;
}

void machine_costs_profile(struct machine_costs *c, enum machine_profile p)
{
	machine_costs_init(c);
	switch (p) {
	case MACHINE_PROFILE_HOST:
		c->page_decrypt_ns = 0;
		break;
	case MACHINE_PROFILE_VM:
		c->irq_ns = COST_VM_IRQ_NS;
		c->idle_wakeup_ns = COST_VM_IDLE_WAKEUP_NS;
		c->page_decrypt_ns = 0;
		break;
	case MACHINE_PROFILE_COCO_VM:
		c->irq_ns = COST_COCO_IRQ_NS;
		c->idle_wakeup_ns = COST_COCO_IDLE_WAKEUP_NS;
		break;
	}
}

uint64_t costs_scaled_ns(uint64_t ns, double factor)
{
	if (factor == 1.0)
		return ns;
	return (uint64_t)llround((double)ns * factor);
}

/* A new time field in struct machine_costs has to be scaled below. */
_Static_assert(sizeof(struct machine_costs) == 22 * sizeof(uint64_t),
	       "machine_costs_scale() scales every time cost");

void machine_costs_scale(struct machine_costs *c, double f)
{
	uint64_t *times[] = {
		&c->map_call_ns, &c->unmap_call_ns, &c->sync_call_ns,
		&c->area_try_ns, &c->slot_examine_ns, &c->slot_write_ns,
		&c->pool_step_ns, &c->lock_ns, &c->lock_handoff_ns,
		&c->slot_line_transfer_ns, &c->irq_ns, &c->idle_wakeup_ns,
		&c->transient_create_ns, &c->transient_page_ns,
		&c->transient_free_ns, &c->grow_queue_ns,
		&c->grow_attempt_ns, &c->page_alloc_ns, &c->page_decrypt_ns,
	};

	if (f == 1.0)
		return;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		*times[i] = costs_scaled_ns(*times[i], f);
	c->copy_bytes_per_ns /= f;
}
