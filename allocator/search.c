/* allocator/search.c - choosing slots: the area search, the pool and area
 * order, transient pools, and the map that uses them (giving slots back is
 * in release.c). */
#include "allocator/internal.h"

#include <string.h>

/* swiotlb_align_offset(): bytes before the buffer inside its first slot(s)
 * that keep the min_align_mask bits of the original address. */
static uint64_t swiotlb_align_offset(const struct swiotlb_dev *dev,
				     uint32_t align_mask, uint64_t addr)
{
	return addr & dev->min_align_mask & (align_mask | (IO_TLB_SIZE - 1));
}

/* Slots in one window of the device's segment boundary (the mask may be
 * all ones: shift first, then add). */
static uint64_t get_max_slots(uint64_t boundary_mask)
{
	return (boundary_mask >> IO_TLB_SHIFT) + 1;
}

/* iommu_is_span_boundary(): would nr slots from index cross a segment
 * boundary of the device? shift is the pool's start in slots. */
static bool iommu_is_span_boundary(uint64_t index, uint64_t nr,
				   uint64_t shift, uint64_t boundary_size)
{
	uint64_t pos = (shift + index) & (boundary_size - 1);

	return pos + nr > boundary_size;
}

static uint32_t wrap_area_index(const struct io_tlb_pool *pool, uint64_t index)
{
	return index >= pool->area_nslabs ? 0 : (uint32_t)index;
}

static void note_visit(struct swiotlb_work *w, const struct io_tlb_pool *pool,
		       uint32_t area, uint32_t examined)
{
	w->areas_tried++;
	w->slots_examined += examined;
	if (w->nvisits < SWIOTLB_WORK_VISITS) {
		struct swiotlb_area_visit *v = &w->visit[w->nvisits++];

		v->pool_id = pool->id;
		v->area = area;
		v->slots_examined = examined;
	}
}

/* The masks one search uses: what the slot address must match. */
struct search_masks {
	uint64_t alloc_align;  /* bits that must be zero in the slot address */
	uint64_t iotlb_align;  /* bits that must equal the original's */
	uint64_t stride;       /* slots to skip after an aligned miss */
};

static struct search_masks search_masks(const struct swiotlb_dev *dev,
					uint64_t alloc_size,
					uint32_t alloc_align_mask,
					uint64_t page_size)
{
	struct search_masks m;
	uint32_t iotlb = dev->min_align_mask;

	/* Streaming maps of a page or more stay page aligned unless the
	 * caller or the device asked for something else. */
	if (!alloc_align_mask && !iotlb && alloc_size >= page_size)
		alloc_align_mask = (uint32_t)(page_size - 1);
	alloc_align_mask |= IO_TLB_SIZE - 1;
	iotlb &= ~alloc_align_mask;
	m.alloc_align = alloc_align_mask;
	m.iotlb_align = iotlb;
	m.stride = get_max_slots(alloc_align_mask > iotlb ? alloc_align_mask
							  : iotlb);
	return m;
}

/* Marks nslots from slot_index used (which is all the kernel's walk back
 * amounts to here: the free run before them now ends at slot_index) and
 * gives each slot the bytes from it to the mapping's end. */
static void take_slots(struct io_tlb_pool *pool, uint32_t slot_index,
		       uint32_t nslots, uint64_t alloc_size, uint32_t offset)
{
	struct io_tlb_slot *slots = pool->slots;

	used_map_mark(pool, slot_index, nslots, true);
	for (uint32_t i = 0; i < nslots; i++)
		slots[slot_index + i].alloc_size =
			(uint32_t)(alloc_size - (offset + (i << IO_TLB_SHIFT)));
}

/* Records a successful search: the slots, the area's next-fit index and
 * the counters. */
static void claim(struct swiotlb_dev *dev, struct io_tlb_pool *pool,
		  struct io_tlb_area *area, uint32_t slot_index, uint32_t index,
		  uint32_t nslots, uint64_t alloc_size, uint64_t orig_addr,
		  struct swiotlb_work *w)
{
	struct io_tlb_mem *mem = dev->mem;

	/* The kernel's walk back from slot_index - 1, counted from the used
	 * bits before it, which the take does not change. */
	w->slot = slot_index;
	w->walk_back = (uint8_t)free_run_before(pool, slot_index);
	w->writes = SWIOTLB_WRITES_MAP;
	take_slots(pool, slot_index, nslots, alloc_size,
		   (uint32_t)swiotlb_align_offset(dev, 0, orig_addr));
	area->index = wrap_area_index(pool, (uint64_t)index + nslots);
	area->used += nslots;
	mem->used += nslots;
	if (mem->used > mem->hiwater)
		mem->hiwater = mem->used;
}

/* Refused candidates skip_refused() steps over one by one before it looks
 * for where runs end: most walks end sooner, and a step costs less. */
#define SINGLE_STEPS_FIRST 16

/* skip_refused()'s steps for a long walk (nearly full areas), a run at a
 * time: every candidate inside a run of used slots, or inside a free run
 * too short from it, is refused. From the refused candidate `index`,
 * returns the last candidate before `end` in the same refused stretch. Out
 * of line: short walks never come here. */
static __attribute__((noinline)) uint32_t skip_refused_runs(
	const struct io_tlb_pool *pool, uint32_t slot_base, uint32_t index,
	uint32_t stride_shift, uint32_t nslots, uint32_t end)
{
	uint32_t stride = 1u << stride_shift;

	while (index + stride < end &&
	       !run_fits(pool, slot_base + index + stride, nslots)) {
		uint32_t next = slot_base + index + stride, span, steps, fit;

		span = slot_used(pool, next) ?
		       next_free_slot(pool, next, slot_base + end) - next :
		       free_run_len(pool, next);
		steps = (span + stride - 1) >> stride_shift;
		fit = (end - 1 - index) >> stride_shift;
		index += (steps < fit ? steps : fit) << stride_shift;
	}
	return index;
}

/* Bits set at the slots of used-map word w from which n (<= 64) free
 * slots run without leaving their segment: the candidates run_fits()
 * accepts, 64 slots at a time. For pools of whole segments, where a
 * segment is words 2k and 2k + 1. */
static inline uint64_t fitting_starts(const struct io_tlb_pool *pool,
				      uint32_t w, uint32_t n)
{
	uint64_t lo = ~pool->used_map[w];
	uint64_t hi = w % 2 ? 0 : ~pool->used_map[w + 1];

	/* Invariant: bit p of hi:lo is set when slots p .. p + k - 1 are all
	 * free; doubling k (capped at n) takes log2(n) steps. */
	for (uint32_t k = 1, step; k < n; k += step) {
		step = k < n - k ? k : n - k;
		lo &= lo >> step | hi << (64 - step);
		hi &= hi >> step;
	}
	return lo;
}

/* Whether first_fit_words() can serve a walk: maps of up to a word of
 * slots, strides of up to a word, pools of whole segments. */
static bool words_serve(const struct io_tlb_pool *pool, uint32_t nslots,
			uint32_t stride_shift)
{
	return nslots <= 64 && stride_shift <= 6 &&
	       pool->nslabs % IO_TLB_SEGSIZE == 0;
}

/* One bit every 2^k slots of a word, k = 0 .. 6. */
static const uint64_t every_stride[] = {
	~0ULL, 0x5555555555555555ULL, 0x1111111111111111ULL,
	0x0101010101010101ULL, 0x0001000100010001ULL, 0x0000000100000001ULL,
	1ULL,
};

/* The candidates from `index` on, every stride, before `end`, a used-map
 * word at a time (see words_serve()): the first that fits, or end when
 * none does. */
static uint32_t first_fit_words(const struct io_tlb_pool *pool,
				uint32_t slot_base, uint32_t index,
				uint32_t stride_shift, uint32_t nslots,
				uint32_t end)
{
	uint32_t from = slot_base + index, last = slot_base + end;
	/* Words start at multiples of 64 slots, so of the stride too: the
	 * candidates sit in every word at from's offset in its stride. */
	uint64_t every = every_stride[stride_shift]
			 << (from & ((1u << stride_shift) - 1));
	uint64_t keep = every & (~0ULL << (from % 64));

	for (uint32_t w = from / 64; w * 64 < last; w++, keep = every) {
		uint64_t fits = fitting_starts(pool, w, nslots) & keep;

		if (last - w * 64 < 64)
			fits &= (1ULL << (last - w * 64)) - 1;
		if (fits)
			return w * 64 + (uint32_t)__builtin_ctzll(fits) -
			       slot_base;
	}
	return end;
}

/* Where an area walk that has covered `checked` of the area's n slots
 * stops stepping on from `index` without wrapping: the next candidate must
 * be below it, inside the area and not yet covered. */
static inline uint32_t walk_end(uint32_t n, uint32_t checked, uint32_t index)
{
	uint64_t end = (uint64_t)n - checked + index;

	return end < n ? (uint32_t)end : n;
}

/* From the refused candidate `index`, the loop below would step on by
 * `stride`, aligned each time, while it neither wraps nor ends its walk and
 * needs no boundary test, refusing every candidate in a free run shorter
 * than nslots or among used slots. Takes those steps here (a long walk a
 * run at a time), counting each candidate as examined; returns the last
 * one refused, from which the loop goes on as before. */
static inline uint32_t skip_refused(const struct io_tlb_pool *pool,
				    uint32_t slot_base, uint32_t index,
				    uint32_t stride_shift, uint32_t nslots,
				    uint32_t *checked, uint32_t *examined)
{
	uint32_t stride = 1u << stride_shift;
	uint32_t start = index;
	uint32_t end = walk_end(pool->area_nslabs, *checked, index);
	uint32_t single = index + (SINGLE_STEPS_FIRST << stride_shift);

	while (index + stride < end &&
	       !run_fits(pool, slot_base + index + stride, nslots)) {
		index += stride;
		if (index >= single) {
			index = skip_refused_runs(pool, slot_base, index,
						  stride_shift, nslots, end);
			break;
		}
	}
	*checked += index - start;
	*examined += (index - start) >> stride_shift;
	return index;
}

/**
 * swiotlb_search_pool_area() - next-fit search of one area of one pool
 * @dev:	the device (its min_align_mask and segment boundary)
 * @pool:	the pool
 * @area_index:	the area, below @pool->nareas
 * @orig_addr:	the original's address, 0 for none
 * @alloc_size:	bytes with the padding before the buffer
 * @alloc_align_mask:	alignment of the allocation
 * @w:		the visit, and on success the slot writes, are added to it
 *
 * Runs where the kernel holds the area's lock: from the area's index, the
 * first candidate that fits; takes its slots and moves the index past them.
 *
 * The walk is the kernel's, step for step; two of its tests are folded for
 * speed without changing what they decide: the alignment and min_align_mask
 * tests are one masked compare (their masks never overlap), and the segment
 * boundary test is skipped when no run inside this pool can reach a
 * boundary (a device whose boundary is far above the pool). The
 * candidates after a refused one are looked at a used-map word at a time
 * (first_fit_words()) or, for maps or strides of over a word, stepped over
 * in skip_refused(); either way counted as the walk would have counted
 * them.
 *
 * Return: the first slot taken (an index in @pool), or -1.
 */
static inline int64_t swiotlb_search_pool_area(struct swiotlb_dev *dev,
						struct io_tlb_pool *pool,
						uint32_t area_index,
						uint64_t orig_addr,
						uint64_t alloc_size,
						uint32_t alloc_align_mask,
						struct swiotlb_work *w)
{
	struct io_tlb_area *area = &pool->areas[area_index];
	uint64_t tbl_dma_addr = pool->start & dev->seg_boundary;
	uint64_t max_slots = get_max_slots(dev->seg_boundary);
	uint64_t tbl_shift = nr_slots(tbl_dma_addr);
	uint64_t nslots = nr_slots(alloc_size);
	struct search_masks m = search_masks(dev, alloc_size, alloc_align_mask,
					     dev->mem->page_size);
	uint64_t mask = m.alloc_align | (orig_addr ? m.iotlb_align : 0);
	uint64_t want = orig_addr & m.iotlb_align;
	bool check_boundary = max_slots < tbl_shift + pool->nslabs + nslots;
	uint32_t n = pool->area_nslabs, stride = (uint32_t)m.stride;
	/* A stride of exactly the alignment (a power of two then) keeps every
	 * step aligned. */
	bool aligned_steps = ((uint64_t)stride << IO_TLB_SHIFT) == mask + 1;
	bool skip = aligned_steps && !check_boundary &&
		    !dev->mem->walk_every_candidate;
	uint32_t stride_shift = (uint32_t)__builtin_ctz(stride);
	bool words = skip && words_serve(pool, (uint32_t)nslots, stride_shift);
	/* In an area three quarters used, the first candidate is more often
	 * refused than not: testing it alone first costs a mispredicted
	 * branch more than it saves. */
	bool crowded = words && area->used >= n - n / 4;
	uint32_t slot_base = area_index * n;
	uint64_t area_addr = slot_addr(tbl_dma_addr, slot_base);
	uint32_t index, checked, examined = 0;

	if (nslots > n - area->used) {
		note_visit(w, pool, area_index, 0);
		return -1;
	}
	for (index = area->index, checked = 0; checked < n;) {
		uint64_t tlb_addr = area_addr + ((uint64_t)index << IO_TLB_SHIFT);

		examined++;
		if ((tlb_addr & mask) != want) {
			index = index + 1 >= n ? 0 : index + 1;
			checked++;
			continue;
		}
		if (!crowded &&
		    run_fits(pool, slot_base + index, (uint32_t)nslots) &&
		    (!check_boundary ||
		     !iommu_is_span_boundary(slot_base + index, nslots,
					     tbl_shift, max_slots)))
			goto found;
		if (words) {
			/* The candidates up to the walk's end, a word at a
			 * time (after the one just refused, or all of them in
			 * a crowded area); the loop goes on from the last one
			 * refused. */
			uint32_t end = walk_end(n, checked, index);
			uint32_t from = crowded ? index : index + stride;
			uint32_t fit = from < end ?
				first_fit_words(pool, slot_base, from,
						stride_shift, (uint32_t)nslots,
						end) : end;
			uint32_t last = fit < end ? fit :
				index + (((end - 1 - index) >> stride_shift)
					 << stride_shift);

			examined += (last - index) >> stride_shift;
			checked += last - index;
			index = last;
			if (fit < end)
				goto found;
		} else if (skip) {
			/* The same steps as the loop's, while they neither
			 * wrap nor end the walk, nor need the alignment or
			 * boundary tests: each is a candidate examined and
			 * refused. A long walk goes on a run at a time. */
			index = skip_refused(pool, slot_base, index,
					     stride_shift, (uint32_t)nslots,
					     &checked, &examined);
		}
		index = index + stride >= n ? 0 : index + stride;
		checked += stride;
	}
	note_visit(w, pool, area_index, examined);
	return -1;
found:
	claim(dev, pool, area, slot_base + index, index, (uint32_t)nslots,
	      alloc_size, orig_addr, w);
	note_visit(w, pool, area_index, examined);
	return (int64_t)(slot_base + index);
}

/* swiotlb_find_slots() without CONFIG_SWIOTLB_DYNAMIC: the one pool, from
 * the CPU's area on. */
static int64_t find_slots_static(struct swiotlb_dev *dev, unsigned int cpu,
				 uint64_t orig_addr, uint64_t alloc_size,
				 uint32_t alloc_align_mask,
				 struct io_tlb_pool **retpool,
				 struct swiotlb_work *w)
{
	struct io_tlb_pool *pool = dev->mem->pools;
	uint32_t start = cpu & (pool->nareas - 1), i = start;

	*retpool = pool;
	w->pools_searched = 1;
	do {
		int64_t index = swiotlb_search_pool_area(dev, pool, i,
							 orig_addr, alloc_size,
							 alloc_align_mask, w);
		if (index >= 0)
			return index;
		if (++i >= pool->nareas)
			i = 0;
	} while (i != start);
	return -1;
}

/* swiotlb_search_area(): area offset `cpu_offset` from the CPU's, in every
 * pool that has that many areas, newest pool first. */
static int64_t swiotlb_search_area(struct swiotlb_dev *dev, unsigned cpu,
				     uint32_t cpu_offset, uint64_t orig_addr,
				     uint64_t alloc_size,
				     uint32_t alloc_align_mask,
				     struct io_tlb_pool **retpool,
				     struct swiotlb_work *w)
{
	for (struct io_tlb_pool *pool = dev->mem->pools; pool; pool = pool->next) {
		int64_t index;

		if (cpu_offset >= pool->nareas)
			continue;
		index = swiotlb_search_pool_area(dev, pool,
					 (cpu + cpu_offset) & (pool->nareas - 1),
					 orig_addr, alloc_size, alloc_align_mask, w);
		if (index >= 0) {
			*retpool = pool;
			return index;
		}
	}
	return -1;
}

/* The transient pool swiotlb_find_slots() makes when every pool is full:
 * exactly the request's slots, on the device. Its pages come from the
 * environment's transient source (the atomic pool in a CoCo VM); a refusal
 * there fails the map, and the report says so. */
static int64_t make_transient(struct swiotlb_dev *dev, uint64_t orig_addr,
			      uint64_t alloc_size, uint32_t alloc_align_mask,
			      struct io_tlb_pool **retpool,
			      struct swiotlb_work *w)
{
	struct io_tlb_mem *mem = dev->mem;
	uint64_t nslabs = nr_slots(alloc_size);
	uint64_t bytes = nslabs << IO_TLB_SHIFT;
	struct io_tlb_pool *pool;
	int64_t index;

	w->transient_bytes = bytes;
	if (mem->env.transient_alloc &&
	    !mem->env.transient_alloc(mem->env.ctx, bytes)) {
		w->transient_refused = true;
		return -1;
	}
	pool = swiotlb_alloc_pool(swiotlb_alloc_tlb(mem, bytes), nslabs, 1);
	if (!pool) {
		w->oom_bytes = swiotlb_alloc_pool_bytes(nslabs, 1);
		if (mem->env.transient_free)
			mem->env.transient_free(mem->env.ctx, bytes);
		return -1;
	}
	pool->id = mem->next_pool_id++;
	index = swiotlb_search_pool_area(dev, pool, 0, orig_addr, alloc_size,
					 alloc_align_mask, w);
	if (index < 0) {
		swiotlb_free_pool(pool);
		if (mem->env.transient_free)
			mem->env.transient_free(mem->env.ctx, bytes);
		return -1;
	}
	pool->transient = true;
	pool->next = dev->transient;
	dev->transient = pool;
	mem->transient_nslabs += pool->nslabs;
	w->transient_made = true;
	*retpool = pool;
	return index;
}

/* swiotlb_find_slots() with CONFIG_SWIOTLB_DYNAMIC: area offset outer,
 * pools inner; then ask for growth and try a transient pool. */
static int64_t find_slots_dynamic(struct swiotlb_dev *dev, unsigned int cpu,
				  uint64_t orig_addr, uint64_t alloc_size,
				  uint32_t alloc_align_mask,
				  struct io_tlb_pool **retpool,
				  struct swiotlb_work *w)
{
	struct io_tlb_mem *mem = dev->mem;

	if (alloc_size > IO_TLB_SEGSIZE * IO_TLB_SIZE)
		return -1;
	w->pools_searched = mem->npools;
	for (uint32_t i = 0; i < mem->default_nareas; i++) {
		int64_t index = swiotlb_search_area(dev, cpu, i, orig_addr,
						      alloc_size,
						      alloc_align_mask,
						      retpool, w);
		if (index >= 0)
			return index;
	}
	if (!mem->can_grow)
		return -1;
	w->growth_requested = true;
	return make_transient(dev, orig_addr, alloc_size, alloc_align_mask,
			      retpool, w);
}

int64_t swiotlb_find_slots(struct swiotlb_dev *dev, unsigned int cpu,
			   uint64_t orig_addr, uint64_t alloc_size,
			   uint32_t alloc_align_mask,
			   struct io_tlb_pool **retpool,
			   struct swiotlb_work *work)
{
	if (dev->mem->dynamic)
		return find_slots_dynamic(dev, cpu, orig_addr, alloc_size,
					  alloc_align_mask, retpool, work);
	return find_slots_static(dev, cpu, orig_addr, alloc_size,
				 alloc_align_mask, retpool, work);
}

uint64_t swiotlb_tbl_map_single(struct swiotlb_dev *dev, unsigned int cpu,
				uint64_t orig_addr, size_t mapping_size,
				uint32_t alloc_align_mask,
				struct swiotlb_work *work)
{
	struct io_tlb_mem *mem = dev->mem;
	struct io_tlb_pool *pool;
	uint64_t offset, size, pad_slots;
	int64_t index;

	work_reset(work);
	if (!mem || !mem->nslabs)
		return SWIOTLB_MAP_ERROR;
	offset = swiotlb_align_offset(dev, alloc_align_mask, orig_addr);
	size = align_up(mapping_size + offset, (uint64_t)alloc_align_mask + 1);
	index = swiotlb_find_slots(dev, cpu, orig_addr, size, alloc_align_mask,
				   &pool, work);
	if (index < 0)
		return SWIOTLB_MAP_ERROR;
	/* Whole padding slots before the buffer are remembered in its first
	 * real slot so that unmap can give them back. */
	pad_slots = offset >> IO_TLB_SHIFT;
	offset &= IO_TLB_SIZE - 1;
	work->nslots = (uint32_t)nr_slots(size);
	work->pool_id = pool->id;
	work->area = slot_area(pool, (uint32_t)index);
	work->pad_slots = (uint16_t)pad_slots;
	index += (int64_t)pad_slots;
	pool->slots[index].pad_slots = (uint16_t)pad_slots;
	return slot_addr(pool->start, (uint64_t)index) + offset;
}
