/* machine/machine_lock.c - the area spinlocks: one per area of every pool of
 * every io_tlb_mem, granted first come first served, with cross-CPU
 * cache-line costs.
 *
 * Model: a lock is its "free at" time and its last holder. An op lays each
 * hold out when it starts, so locks go to ops in the order the ops start
 * (ties: in event order); a CPU that arrives before "free at" spins until
 * then, and that spin is both lock wait and busy CPU time. When the last
 * holder was another CPU the new holder also pays for moving the lock's
 * line, and for slot-metadata lines: with MACHINE_LINES_TOUCHED every line
 * it touches (all assumed dirty over there: an upper bound), with
 * MACHINE_LINES_DIRTY only those another CPU wrote and nobody read since.
 * The tables and their look-up are here; taking a lock (lock_take()) is
 * inline in machine_impl.h.
 */
#include "machine/machine_impl.h"

#include <assert.h>
#include <stdlib.h>

void lock_init(struct machine_lock *lk, long stats_area)
{
	lk->free_at = 0;
	lk->last_cpu = -1;
	lk->stats_area = stats_area;
	lk->dirty_cpu = -1;
	lk->dirty_lines = 0;
}

static struct lock_pool *lock_pool_lookup(struct lock_table *t,
					  uint32_t pool_id)
{
	size_t lo = 0, hi = t->npools;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->pools[mid].pool_id == pool_id)
			return &t->pools[mid];
		if (t->pools[mid].pool_id < pool_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Where pool_id goes to keep the table sorted. */
static size_t lock_pool_slot(const struct lock_table *t, uint32_t pool_id)
{
	size_t i = t->npools;

	while (i > 0 && t->pools[i - 1].pool_id > pool_id)
		i--;
	return i;
}

void lock_table_init(struct lock_table *t, const struct io_tlb_mem *mem,
		     int32_t device)
{
	*t = (struct lock_table){ .mem = mem, .device = device };
}

/* A statistics entry for one area lock of t's mem; -1 when out of memory
 * (the run stops). */
static long lock_stats_area(struct machine *m, const struct lock_table *t,
			    uint32_t pool_id, uint32_t area)
{
	char err[256];
	long i = stats_area_add(m->stats, pool_id, area, err, sizeof(err));

	if (i < 0)
		machine_fail(m, err);
	else
		stats_area_mut(m->stats, (size_t)i)->device = t->device;
	return i;
}

int lock_table_add_pool(struct machine *m, struct lock_table *t,
			const struct io_tlb_pool *pool)
{
	struct machine_lock *locks;
	size_t at, n;

	if (pool->transient || lock_pool_lookup(t, pool->id))
		return 0;
	if (t->npools == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct lock_pool *p = realloc(t->pools, cap * sizeof(*p));

		if (!p) {
			machine_fail_oom(m, cap * sizeof(*p),
					 "lock table of %zu pools", cap);
			return -1;
		}
		t->pools = p;
		t->cap = cap;
	}
	n = pool->nareas ? pool->nareas : 1;
	locks = calloc(n, sizeof(*locks));
	if (!locks) {
		machine_fail_oom(m, n * sizeof(*locks), "%zu area locks", n);
		return -1;
	}
	for (uint32_t a = 0; a < pool->nareas; a++) {
		long stats_area = lock_stats_area(m, t, pool->id, a);

		if (stats_area < 0) {
			free(locks);
			return -1;
		}
		lock_init(&locks[a], stats_area);
	}
	at = lock_pool_slot(t, pool->id);
	for (size_t i = t->npools; i > at; i--)
		t->pools[i] = t->pools[i - 1];
	t->pools[at] = (struct lock_pool){ .pool_id = pool->id,
					   .nareas = pool->nareas,
					   .locks = locks };
	t->npools++;
	return 0;
}

void lock_table_free(struct lock_table *t)
{
	for (size_t i = 0; i < t->npools; i++)
		free(t->pools[i].locks);
	free(t->pools);
	t->pools = NULL;
	t->npools = t->cap = 0;
}

/* A non-transient pool of the allocator with this id, or NULL. */
static const struct io_tlb_pool *mem_pool(const struct io_tlb_mem *mem,
					  uint32_t pool_id)
{
	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next)
		if (p->id == pool_id && !p->transient)
			return p;
	return NULL;
}

struct machine_lock *lock_find_slow(struct machine *m, struct lock_table *t,
				    uint32_t pool_id, uint32_t area)
{
	struct lock_pool *lp = lock_pool_lookup(t, pool_id);

	if (!lp) {
		const struct io_tlb_pool *pool = mem_pool(t->mem, pool_id);

		if (!pool || lock_table_add_pool(m, t, pool))
			return NULL;
		lp = lock_pool_lookup(t, pool_id);
	}
	assert(area < lp->nareas);
	return &lp->locks[area];
}
