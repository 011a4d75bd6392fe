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

/* Clears a work report up to its first conditional field (see struct
 * swiotlb_work): 40 bytes, three stores, on every call. */
static inline void work_reset(struct swiotlb_work *w)
{
	memset(w, 0, offsetof(struct swiotlb_work, slot));
}

/* The area a slot belongs to: a shift for the usual power-of-two areas,
 * a division only for grown pools with odd area counts. */
static inline uint32_t slot_area(const struct io_tlb_pool *pool, uint32_t slot)
{
	if (pool->area_shift || pool->area_nslabs == 1)
		return slot >> pool->area_shift;
	return slot / pool->area_nslabs;
}

/* Marks n slots from `first` used or free in the pool's used_map. */
static inline void used_map_mark(struct io_tlb_pool *pool, uint32_t first,
				 uint32_t n, bool used)
{
	uint32_t bit = first % 64;
	uint64_t mask;

	/* Most mappings are a few slots inside one word. */
	if (bit + n < 64) {
		mask = ((1ULL << n) - 1) << bit;
		if (used)
			pool->used_map[first / 64] |= mask;
		else
			pool->used_map[first / 64] &= ~mask;
		return;
	}
	while (n) {
		uint32_t take;

		bit = first % 64;
		take = 64 - bit < n ? 64 - bit : n;
		mask = (~0ULL >> (64 - take)) << bit;
		if (used)
			pool->used_map[first / 64] |= mask;
		else
			pool->used_map[first / 64] &= ~mask;
		first += take;
		n -= take;
	}
}

static inline bool slot_used(const struct io_tlb_pool *pool, uint32_t slot)
{
	return pool->used_map[slot / 64] >> (slot % 64) & 1;
}

/* The first slot in [from, end) of the pool whose used bit is `used`,
 * or end. */
static inline uint32_t next_slot_marked(const struct io_tlb_pool *pool,
					uint32_t from, uint32_t end, bool used)
{
	uint64_t flip = used ? 0 : ~0ULL;
	uint32_t w = from / 64;
	uint64_t bits;

	if (from >= end)
		return end;
	bits = (pool->used_map[w] ^ flip) & (~0ULL << (from % 64));
	while (!bits) {
		if (++w * 64 >= end)
			return end;
		bits = pool->used_map[w] ^ flip;
	}
	from = w * 64 + (uint32_t)__builtin_ctzll(bits);
	return from < end ? from : end;
}

static inline uint32_t next_free_slot(const struct io_tlb_pool *pool,
				      uint32_t from, uint32_t end)
{
	return next_slot_marked(pool, from, end, false);
}

/* One past the last slot a free run from `slot` may reach: its segment's
 * end, or the pool's end for a pool that is not whole segments. */
static inline uint32_t run_limit(const struct io_tlb_pool *pool, uint32_t slot)
{
	uint32_t seg_end = (slot | (IO_TLB_SEGSIZE - 1)) + 1;

	return seg_end < pool->nslabs ? seg_end : pool->nslabs;
}

/* The kernel's slots[slot].list, which this allocator derives from the
 * used bits instead of storing: free slots from `slot` up to the next used
 * one, its segment's end or the pool's end (0 for a used slot). The kernel
 * keeps every count equal to exactly that, so both answer alike. */
static inline uint32_t free_run_len(const struct io_tlb_pool *pool,
				    uint32_t slot)
{
	return next_slot_marked(pool, slot, run_limit(pool, slot), true) - slot;
}

/* Free slots right before `slot` in its segment: how far the kernel's walk
 * back from slot - 1 goes (it stops at a used slot or at the segment's
 * start). A segment is used-map words 2k and 2k + 1 (slot bit 6 says
 * which), so at most two words decide; the bits below `slot` are shifted
 * to the top of the word, where the leading zeros count the run. Every map
 * and release asks. */
static inline uint32_t free_run_before(const struct io_tlb_pool *pool,
				       uint32_t slot)
{
	uint32_t bit = slot % 64;
	uint64_t below = pool->used_map[slot / 64] << 1 << (63 - bit);

	if (__builtin_expect(below != 0, 1))
		return (uint32_t)__builtin_clzll(below);
	if (!(slot & 64))
		return bit;
	below = pool->used_map[slot / 64 - 1];
	return below ? bit + (uint32_t)__builtin_clzll(below) : bit + 64;
}

/* free_run_len(slot) >= n, the search's test, without measuring the run:
 * inside a segment (two aligned words) one or two masked words decide. */
static inline bool run_fits(const struct io_tlb_pool *pool, uint32_t slot,
			    uint32_t n)
{
	uint32_t bit = slot % 64;
	const uint64_t *word = &pool->used_map[slot / 64];

	if (slot + n > run_limit(pool, slot))
		return false;
	if (bit + n <= 64)
		return !(word[0] & ((n < 64 ? (1ULL << n) : 0) - 1) << bit);
	return !(word[0] >> bit) &&
	       !(word[1] & ~0ULL >> (128 - bit - n));
}

/**
 * swiotlb_alloc_pool() - a new pool, every slot free
 * @start:	its physical address
 * @nslabs:	its slots
 * @nareas:	its areas, dividing @nslabs
 *
 * The memory of swiotlb_alloc_pool() and the set-up of
 * swiotlb_init_io_tlb_pool(); the caller links it where it belongs.
 *
 * Return: the pool (free it with swiotlb_free_pool()), or NULL when memory
 * runs out.
 */
struct io_tlb_pool *swiotlb_alloc_pool(uint64_t start, uint64_t nslabs,
				       uint64_t nareas);
/* The host memory swiotlb_alloc_pool() asks for: what its failure
 * reports. */
uint64_t swiotlb_alloc_pool_bytes(uint64_t nslabs, uint64_t nareas);

/**
 * swiotlb_free_pool() - free a pool that is on no list
 * @pool:	the pool, or NULL
 */
void swiotlb_free_pool(struct io_tlb_pool *pool);

/**
 * swiotlb_alloc_tlb() - physical space for a pool made at run time
 * @mem:	the allocator, which hands addresses out upwards
 * @bytes:	the pool's size
 *
 * Return: a fresh block aligned to @bytes rounded up to a power of two
 * pages, as the page allocator's blocks are.
 */
uint64_t swiotlb_alloc_tlb(struct io_tlb_mem *mem, uint64_t bytes);

/**
 * swiotlb_find_slots() - the slot search shared by map and restricted alloc
 * @dev:	the device
 * @cpu:	where the area search starts
 * @orig_addr:	the original's address (0: none, min_align_mask ignored)
 * @alloc_size:	bytes with the padding before the buffer
 * @alloc_align_mask:	alignment of the allocation
 * @retpool:	set to the pool of the slots found
 * @work:	the search's work is added to it
 *
 * Return: the first slot's index in *@retpool, or -1 when nothing fits.
 */
int64_t swiotlb_find_slots(struct swiotlb_dev *dev, unsigned int cpu,
			   uint64_t orig_addr, uint64_t alloc_size,
			   uint32_t alloc_align_mask,
			   struct io_tlb_pool **retpool,
			   struct swiotlb_work *work);

/**
 * swiotlb_release_slots() - free a mapping's slots in a non-transient pool
 * @dev:	the device that mapped it
 * @pool:	the pool holding @tlb_addr
 * @tlb_addr:	the address the map returned
 * @work:	what was freed is written to it
 */
void swiotlb_release_slots(struct swiotlb_dev *dev, struct io_tlb_pool *pool,
			   uint64_t tlb_addr, struct swiotlb_work *work);

/* snprintf() of a message into err, when there is one: the allocator's
 * one way of saying what went wrong. */
void swiotlb_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "out of memory: WHAT (N bytes)": the project's wording of an allocation
 * failure (base/error.h, which the allocator may not include). */
void swiotlb_err_oom(char *err, size_t errlen, uint64_t bytes,
		     const char *what_fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
