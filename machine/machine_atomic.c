/* machine/machine_atomic.c - the bounded DMA atomic pool that pays for
 * transient pools, hooked into the allocator through struct swiotlb_env.
 *
 * A transient pool takes its bytes from the budget when it is made and gives
 * them back when its mapping is unmapped; a request the budget cannot cover
 * is refused and the map fails (the map's work report says so: the hooks
 * keep the budget and nothing else). The kernel's pool can also grow in the
 * background, and it can fragment; neither is modelled.
 */
#include "machine/machine_impl.h"

#include <assert.h>

static bool atomic_alloc(void *ctx, uint64_t bytes)
{
	struct machine *m = ctx;
	struct machine_atomic *a = &m->atomic;

	if (bytes > a->budget - a->used)
		return false;
	a->used += bytes;
	if (a->used > a->hiwater)
		a->hiwater = a->used;
	return true;
}

static void atomic_free(void *ctx, uint64_t bytes)
{
	struct machine *m = ctx;
	struct machine_atomic *a = &m->atomic;

	assert(bytes <= a->used);
	a->used -= bytes;
}

void atomic_attach(struct machine *m)
{
	struct swiotlb_env env = {
		.transient_alloc = atomic_alloc,
		.transient_free = atomic_free,
		.ctx = m,
	};

	m->atomic.budget = m->cfg.atomic_pool_bytes;
	swiotlb_set_env(m->mem, &env);
}

uint64_t machine_atomic_used(const struct machine *m)
{
	return m->atomic.used;
}
