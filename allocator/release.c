/* allocator/release.c - giving slots back: unmap, releasing slots and
 * merging free runs, deleting transient pools, finding a buffer's pool. */
#include "allocator/internal.h"

#include <string.h>

struct io_tlb_pool *swiotlb_find_pool(const struct swiotlb_dev *dev,
				      uint64_t paddr, uint32_t *steps)
{
	uint32_t n = 0;
	struct io_tlb_pool *pool;

	/* The kernel walks the allocator's pools, then the device's transient
	 * ones; the walk is the cost of every unmap and sync. */
	for (pool = dev->mem ? dev->mem->pools : NULL; pool; pool = pool->next) {
		n++;
		if (paddr >= pool->start && paddr < pool->end)
			goto out;
	}
	for (pool = dev->transient; pool; pool = pool->next) {
		n++;
		if (paddr >= pool->start && paddr < pool->end)
			goto out;
	}
out:
	if (steps)
		*steps = n;
	return pool;
}

void swiotlb_prefetch_release(const struct swiotlb_dev *dev,
			      uint64_t tlb_addr)
{
	const struct io_tlb_pool *pool = swiotlb_find_pool(dev, tlb_addr, NULL);
	uint32_t index;

	if (!pool || pool->transient)
		return;
	index = (uint32_t)((tlb_addr - pool->start) >> IO_TLB_SHIFT);
	__builtin_prefetch(&pool->slots[index], 1);
	__builtin_prefetch(&pool->used_map[index / 64], 1);
}

bool swiotlb_is_transient_addr(const struct swiotlb_dev *dev, uint64_t addr)
{
	const struct io_tlb_pool *pool = swiotlb_find_pool(dev, addr, NULL);

	return pool && pool->transient;
}

/* Clears the state of n freed slots from `index`: no size, no padding.
 * Short runs take one 8-byte store a slot; GCC would turn any loop of
 * whole records into a memset call, which costs more for a few slots. */
static void clear_slots(struct io_tlb_pool *pool, uint32_t index, uint32_t n)
{
	struct io_tlb_slot *s = &pool->slots[index];
	static const struct io_tlb_slot empty;

	switch (n) {
	case 4: s[3] = empty; /* fall through */
	case 3: s[2] = empty; /* fall through */
	case 2: s[1] = empty; /* fall through */
	case 1: s[0] = empty; return;
	default: memset(s, 0, n * sizeof(*s));
	}
}

/* swiotlb_release_slots(): frees the mapping with its padding slots.
 * Clearing their used bits is all the kernel's merging of free-run counts
 * amounts to here (see free_run_len()). */
void swiotlb_release_slots(struct swiotlb_dev *dev, struct io_tlb_pool *pool,
			   uint64_t tlb_addr, struct swiotlb_work *work)
{
	uint32_t offset = (uint32_t)(tlb_addr & dev->min_align_mask &
				     (IO_TLB_SIZE - 1));
	uint32_t index = (uint32_t)((tlb_addr - offset - pool->start) >>
				    IO_TLB_SHIFT);
	struct io_tlb_slot *slots = pool->slots;
	uint32_t nslots, aindex;

	/* The used bits' line is needed after the slot record's: asking for
	 * it first lets the two misses overlap (padding is rare, so the
	 * first slot's word is nearly always the right one). */
	__builtin_prefetch(&pool->used_map[index / 64], 1);
	index -= slots[index].pad_slots;
	nslots = (uint32_t)nr_slots(slots[index].alloc_size + offset);
	aindex = slot_area(pool, index);
	used_map_mark(pool, index, nslots, false);
	clear_slots(pool, index, nslots);
	/* The kernel's walk back from index - 1 (see free_run_before()). */
	work->slot = index;
	work->walk_back = (uint8_t)free_run_before(pool, index);
	work->writes = SWIOTLB_WRITES_RELEASE;
	pool->areas[aindex].used -= nslots;
	dev->mem->used -= nslots;
	work->nslots = (uint32_t)nslots;
	work->pool_id = pool->id;
	work->area = (uint32_t)aindex;
	work->areas_tried++;
}

/* swiotlb_del_transient(): the kernel takes the whole pool's slabs off the
 * used count, whatever the mapping used. */
static void swiotlb_del_transient(struct swiotlb_dev *dev,
				  struct io_tlb_pool *pool,
				  struct swiotlb_work *work)
{
	struct io_tlb_mem *mem = dev->mem;
	struct io_tlb_pool **link = &dev->transient;

	while (*link != pool)
		link = &(*link)->next;
	*link = pool->next;
	mem->used -= pool->nslabs;
	mem->transient_nslabs -= pool->nslabs;
	work->transient_bytes = (uint64_t)pool->nslabs << IO_TLB_SHIFT;
	if (mem->env.transient_free)
		mem->env.transient_free(mem->env.ctx, work->transient_bytes);
	work->nslots = pool->nslabs;
	work->pool_id = pool->id;
	work->area = 0;
	work->transient_freed = true;
	swiotlb_free_pool(pool);
}

void swiotlb_tbl_unmap_single(struct swiotlb_dev *dev, uint64_t tlb_addr,
			      struct swiotlb_work *work)
{
	struct io_tlb_pool *pool;

	work_reset(work);
	pool = swiotlb_find_pool(dev, tlb_addr, &work->pools_searched);
	if (!pool)
		return;
	if (pool->transient)
		swiotlb_del_transient(dev, pool, work);
	else
		swiotlb_release_slots(dev, pool, tlb_addr, work);
}

uint64_t swiotlb_alloc(struct swiotlb_dev *dev, unsigned int cpu, size_t size,
		       struct swiotlb_work *work)
{
	struct io_tlb_mem *mem = dev->mem;
	struct io_tlb_pool *pool;
	uint64_t align, addr;
	int64_t index;

	work_reset(work);
	if (!mem || !mem->nslabs)
		return SWIOTLB_MAP_ERROR;
	/* Page blocks are naturally aligned to their order. */
	align = (mem->page_size << page_order(size, mem->page_size)) - 1;
	index = swiotlb_find_slots(dev, cpu, 0, size, (uint32_t)align, &pool,
				   work);
	if (index < 0)
		return SWIOTLB_MAP_ERROR;
	addr = slot_addr(pool->start, (uint64_t)index);
	work->nslots = (uint32_t)nr_slots(size);
	work->pool_id = pool->id;
	work->area = slot_area(pool, (uint32_t)index);
	work->writes = SWIOTLB_WRITES_ALLOC;
	if (addr & (mem->page_size - 1)) {
		swiotlb_release_slots(dev, pool, addr, work);
		return SWIOTLB_MAP_ERROR;
	}
	return addr;
}

bool swiotlb_free(struct swiotlb_dev *dev, uint64_t addr,
		  struct swiotlb_work *work)
{
	struct io_tlb_pool *pool;

	work_reset(work);
	pool = swiotlb_find_pool(dev, addr, &work->pools_searched);
	if (!pool)
		return false;
	swiotlb_release_slots(dev, pool, addr, work);
	return true;
}

size_t swiotlb_max_mapping_size(const struct swiotlb_dev *dev)
{
	uint64_t min_align = 0;

	/* The search may skip up to min_align_mask's worth of slots to match
	 * the original address, so that much of a segment is not usable. */
	if (dev->min_align_mask)
		min_align = align_up(dev->min_align_mask, IO_TLB_SIZE);
	return IO_TLB_SIZE * IO_TLB_SEGSIZE - min_align;
}
