/* allocator/check.c - what the allocator can say about itself: debugfs
 * counters, the largest free run, and the invariant checker. */
#include "allocator/internal.h"

struct swiotlb_counters swiotlb_counters(const struct io_tlb_mem *mem)
{
	struct swiotlb_counters c = { mem->nslabs, mem->used, mem->hiwater,
				      mem->transient_nslabs };
	return c;
}

void swiotlb_reset_hiwater(struct io_tlb_mem *mem)
{
	/* debugfs only accepts 0; the next map raises it to the use again. */
	mem->hiwater = 0;
}

/* The longest free run in a pool, within segments. The samplers call
 * this over whole pools, so it goes a run at a time, not a slot, and stops
 * at the first whole free segment. */
static uint32_t pool_largest_free_run(const struct io_tlb_pool *p)
{
	uint32_t best = 0;

	for (uint32_t seg = 0; seg < p->nslabs && best < IO_TLB_SEGSIZE;
	     seg += IO_TLB_SEGSIZE) {
		uint32_t end = run_limit(p, seg);

		for (uint32_t i = next_free_slot(p, seg, end); i < end;) {
			uint32_t run = free_run_len(p, i);

			best = run > best ? run : best;
			i = next_free_slot(p, i + run, end);
		}
	}
	return best;
}

uint32_t swiotlb_slot_free_run(const struct io_tlb_pool *pool, uint32_t slot)
{
	return free_run_len(pool, slot);
}

uint32_t swiotlb_largest_free_run(const struct io_tlb_mem *mem)
{
	uint32_t best = 0;

	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next) {
		uint32_t run = pool_largest_free_run(p);

		best = run > best ? run : best;
	}
	return best;
}

/* A free slot holds nothing: a release clears every field of the slots it
 * frees, padding included, as the kernel's does. */
static int check_free_slot(const struct io_tlb_pool *p, uint32_t i,
			   char *err, size_t errlen)
{
	const struct io_tlb_slot *s = &p->slots[i];

	if (slot_used(p, i) || (!s->alloc_size && !s->pad_slots))
		return 0;
	swiotlb_set_err(err, errlen, "pool %u slot %u: free but holds "
			"alloc_size %u pad_slots %u", p->id, i, s->alloc_size,
			s->pad_slots);
	return -1;
}

static int check_pool(const struct io_tlb_pool *p, uint64_t *used_out,
		      char *err, size_t errlen)
{
	uint64_t used = 0, area_used = 0;
	/* A run can only spill into the next area when areas are not whole
	 * segments (a grown pool with an odd area count). */
	bool areas_exact = p->area_nslabs % IO_TLB_SEGSIZE == 0;

	for (uint32_t a = 0; a < p->nareas; a++) {
		uint64_t in_area = 0;

		for (uint32_t i = a * p->area_nslabs;
		     i < (a + 1) * p->area_nslabs; i++)
			in_area += slot_used(p, i);
		if (areas_exact && in_area != p->areas[a].used) {
			swiotlb_set_err(err, errlen, "pool %u area %u: used "
				"%llu but %llu slots are taken", p->id, a,
				(unsigned long long)p->areas[a].used,
				(unsigned long long)in_area);
			return -1;
		}
		area_used += p->areas[a].used;
	}
	for (uint32_t i = 0; i < p->nslabs; i++) {
		used += slot_used(p, i);
		if (check_free_slot(p, i, err, errlen))
			return -1;
	}
	if (used != area_used) {
		swiotlb_set_err(err, errlen, "pool %u: areas count %llu used, "
				"slots %llu", p->id,
				(unsigned long long)area_used,
				(unsigned long long)used);
		return -1;
	}
	*used_out = used;
	return 0;
}

int swiotlb_check(const struct io_tlb_mem *mem, char *err, size_t errlen)
{
	uint64_t used = 0, nslabs = 0;

	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next) {
		uint64_t pool_used;

		if (check_pool(p, &pool_used, err, errlen))
			return -1;
		used += pool_used;
		nslabs += p->nslabs;
	}
	/* A transient pool counts whole in `used` while it lives. */
	used += mem->transient_nslabs;
	if (used != mem->used || nslabs != mem->nslabs) {
		swiotlb_set_err(err, errlen, "counters: used %llu nslabs %llu, "
			"slots say used %llu nslabs %llu",
			(unsigned long long)mem->used,
			(unsigned long long)mem->nslabs,
			(unsigned long long)used, (unsigned long long)nslabs);
		return -1;
	}
	if (mem->hiwater < mem->used && mem->hiwater) {
		swiotlb_set_err(err, errlen, "hiwater %llu below used %llu",
			(unsigned long long)mem->hiwater,
			(unsigned long long)mem->used);
		return -1;
	}
	return 0;
}
