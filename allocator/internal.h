/* allocator/internal.h - helpers shared by the allocator's own files; not
 * part of its contract (see swiotlb.h). */
#ifndef SWSIM_ALLOCATOR_INTERNAL_H
#define SWSIM_ALLOCATOR_INTERNAL_H

#include "allocator/swiotlb.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* Slots needed to hold `bytes`. */
static inline uint64_t nr_slots(uint64_t bytes)
{
	return (bytes + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT;
}

/* Position of a slot inside its 128-slot segment. */
static inline uint64_t io_tlb_offset(uint64_t slot)
{
	return slot & (IO_TLB_SEGSIZE - 1);
}

static inline uint64_t slot_addr(uint64_t start, uint64_t idx)
{
	return start + (idx << IO_TLB_SHIFT);
}

static inline bool is_power_of_2(uint64_t n)
{
	return n && !(n & (n - 1));
}

static inline uint64_t roundup_pow_of_two(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* get_order(): smallest order with (page_size << order) >= bytes. */
static inline unsigned int page_order(uint64_t bytes, uint64_t page_size)
{
	unsigned int order = 0;

	while ((page_size << order) < bytes)
		order++;
	return order;
}

/* limit_nareas(): no more areas than whole segments in the pool. */
static inline uint64_t limit_nareas(uint64_t nareas, uint64_t nslots)
{
	if (nslots < nareas * IO_TLB_SEGSIZE)
		return nslots / IO_TLB_SEGSIZE;
	return nareas;
}

/* Clears a work report; the visit array is left as is (nvisits says how
 * much of it is valid), which keeps the hot path cheap. */
static inline void work_reset(struct swiotlb_work *w)
{
	memset(w, 0, offsetof(struct swiotlb_work, visit));
}

/* Allocates and initialises a pool the way swiotlb_init_io_tlb_pool() does.
 * Returns NULL when memory runs out. */
struct io_tlb_pool *pool_create(uint64_t start, uint64_t nslabs,
				uint64_t nareas);
void pool_destroy(struct io_tlb_pool *pool);

/* Physical space for a pool allocated at run time: a fresh block aligned to
 * its size rounded up to a power of two pages, as the page allocator's are. */
uint64_t mem_alloc_phys(struct io_tlb_mem *mem, uint64_t bytes);

/* The slot search shared by map and restricted alloc: returns the first
 * slot index and the pool, or -1. */
int64_t swiotlb_find_slots(struct swiotlb_dev *dev, unsigned int cpu,
			   uint64_t orig_addr, uint64_t alloc_size,
			   uint32_t alloc_align_mask,
			   struct io_tlb_pool **retpool,
			   struct swiotlb_work *work);
void swiotlb_release_slots(struct swiotlb_dev *dev, struct io_tlb_pool *pool,
			   uint64_t tlb_addr, struct swiotlb_work *work);

void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
