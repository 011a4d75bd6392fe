/* tests/allocator/test_allocator_property.c - randomized property test of the allocator
 * core: long runs of interleaved maps and unmaps, every guarantee re-checked. */
#include "allocator/swiotlb.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: tiny, and a fixed seed replays the same run anywhere. */
struct prng {
	uint64_t state;
};

static uint64_t prng_next(struct prng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough below n for a test (n is tiny next to 2^64). */
static uint64_t prng_below(struct prng *r, uint64_t n)
{
	return prng_next(r) % n;
}

#define PAGE_SIZE 4096ULL
#define MAX_MAP_BYTES ((uint64_t)IO_TLB_SEGSIZE * IO_TLB_SIZE)

/* Every device combines one min_align_mask with one seg_boundary. */
static const uint32_t min_align_masks[] = { 0, 0xfff, 0x7ff };
static const uint64_t seg_boundaries[] = { 0xffff, 0xffffffff, UINT64_MAX };
static const uint32_t alloc_align_masks[] = { 0, 0xfff, 0xffff };
#define NDEVS 9

struct prop_config {
	const char *name;
	uint64_t seed;
	unsigned cpus;
	const char *spec;        /* the swiotlb= parameter */
	bool dynamic;
	uint64_t start;          /* default pool address; 0 for the default */
	unsigned ops;
	unsigned max_grown;      /* dynamic: pools the worker may add */
	bool walk_every;         /* the search's walk_every_candidate hook */
};

/* What the test knows about one live mapping. */
struct live_map {
	uint64_t addr, orig, size;
	uint64_t slot_start;     /* first slot taken, padding slots included */
	uint32_t nslots;
	unsigned dev;
	bool transient;
};

/* A pool's slot metadata kept the kernel's way: its list array, updated
 * as swiotlb_search_pool_area(), swiotlb_tbl_map_single() and
 * swiotlb_release_slots() update theirs, slot by slot. */
struct shadow_pool {
	uint32_t nslabs;
	uint16_t *list;          /* NULL: no such pool (any more) */
};

/* The writes one op makes in a shadow pool and the cache lines they
 * touch, at the kernel's layout (24-byte slots from a line-aligned
 * array, 64-byte lines), counted one field at a time. */
#define SHADOW_MAX_LINES 2048
struct shadow_writes {
	uint32_t locked, unlocked, walk_back, merge_run;
	uint64_t locked_line[SHADOW_MAX_LINES], unlocked_line[SHADOW_MAX_LINES];
	size_t nlocked_lines, nunlocked_lines;
};

struct prop_state {
	const struct prop_config *cfg;
	struct prng rng;
	struct io_tlb_mem *mem;
	struct swiotlb_dev devs[NDEVS];
	struct live_map *live;
	size_t nlive, cap;
	/* The counters as the test expects them. */
	uint64_t used, max_used, nslabs, transient_slots;
	/* How much of the interesting ground a run covered. */
	unsigned nmapped, nfull, ntransient, npadded, ngrown, nunmap_all;
	unsigned nsmall_full;    /* FULL for 8 slots or fewer: truly full */
	unsigned op;
	uint64_t trace;          /* every map's answer and work, hashed */
	struct shadow_pool *shadow;  /* by pool id */
	size_t nshadow;
	unsigned nwalked_back, nmerged;  /* ops whose counts say so */
};

/* FNV-1a over one more value. */
static void trace_add(uint64_t *h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		*h = (*h ^ (v & 0xff)) * 0x100000001b3ULL;
}

/* A map's answer and the work it reports, visit by visit. */
static void trace_map(struct prop_state *st, uint64_t addr,
		      const struct swiotlb_work *w)
{
	uint32_t n = w->nvisits < SWIOTLB_WORK_VISITS ? w->nvisits :
						       SWIOTLB_WORK_VISITS;

	trace_add(&st->trace, addr);
	trace_add(&st->trace, w->slots_examined);
	trace_add(&st->trace, w->areas_tried);
	trace_add(&st->trace, w->pools_searched);
	for (uint32_t i = 0; i < n; i++) {
		trace_add(&st->trace, w->visit[i].pool_id);
		trace_add(&st->trace, w->visit[i].area);
		trace_add(&st->trace, w->visit[i].slots_examined);
	}
}

static uint64_t slots_of(uint64_t bytes)
{
	return (bytes + IO_TLB_SIZE - 1) / IO_TLB_SIZE;
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* Mostly log-uniform from 1 byte to 256 KiB, some exact powers of two (the
 * page rule's favourite case) and some over the 256 KiB a map can hold. */
static uint64_t random_size(struct prng *r)
{
	uint64_t pick = prng_below(r, 100), k, size;

	if (pick < 5)
		return MAX_MAP_BYTES + 1 + prng_below(r, 64 * 1024);
	if (pick < 15)
		return 1ULL << (9 + prng_below(r, 10));
	k = prng_below(r, 19);
	size = (1ULL << k) + prng_below(r, 1ULL << k);
	return size < MAX_MAP_BYTES ? size : MAX_MAP_BYTES;
}

/* Never 0: orig_addr 0 means "no original" to the search, which then
 * ignores min_align_mask; a quarter are page aligned, as real buffers. */
static uint64_t random_orig(struct prng *r)
{
	uint64_t orig = prng_next(r) & 0xffffffffffffULL;

	if (!prng_below(r, 4))
		orig &= ~(PAGE_SIZE - 1);
	return orig ? orig : PAGE_SIZE;
}

/* ---- the kernel's slot metadata, kept beside the allocator ---- */

#define KSLOT_BYTES 24
#define LINE_BYTES 64
#define F_ORIG_ADDR 0          /* phys_addr_t */
#define F_ALLOC_SIZE 8         /* size_t */
#define F_LIST 16              /* unsigned short */
#define F_PAD_SLOTS 18         /* unsigned short */

static uint32_t seg_offset(uint32_t slot)
{
	return slot & (IO_TLB_SEGSIZE - 1);
}

/* swiotlb_init_io_tlb_pool()'s counts: free to the segment's end, or to
 * the pool's end in a pool that is not whole segments. */
static void shadow_add(struct prop_state *st, const struct io_tlb_pool *pool)
{
	struct shadow_pool *sp;

	if (pool->id >= st->nshadow) {
		size_t n = pool->id + 16;

		st->shadow = realloc(st->shadow, n * sizeof(*st->shadow));
		if (!st->shadow) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		memset(st->shadow + st->nshadow, 0,
		       (n - st->nshadow) * sizeof(*st->shadow));
		st->nshadow = n;
	}
	sp = &st->shadow[pool->id];
	sp->nslabs = pool->nslabs;
	sp->list = malloc(pool->nslabs * sizeof(*sp->list));
	if (!sp->list) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < pool->nslabs; i++) {
		uint32_t to_seg = IO_TLB_SEGSIZE - seg_offset(i);

		sp->list[i] = (uint16_t)(to_seg < pool->nslabs - i ?
					 to_seg : pool->nslabs - i);
	}
}

static void shadow_drop(struct prop_state *st, uint32_t pool_id)
{
	free(st->shadow[pool_id].list);
	st->shadow[pool_id].list = NULL;
}

static void shadow_free(struct prop_state *st)
{
	for (size_t i = 0; i < st->nshadow; i++)
		free(st->shadow[i].list);
	free(st->shadow);
}

/* One field of slots[slot] written: the lines its bytes lie in. */
static void touch(uint64_t *lines, size_t *n, uint32_t slot, uint32_t field,
		  uint32_t size)
{
	uint64_t first = (uint64_t)slot * KSLOT_BYTES + field;

	for (uint64_t l = first / LINE_BYTES;
	     l <= (first + size - 1) / LINE_BYTES; l++) {
		if (*n == SHADOW_MAX_LINES) {
			tu_fail(__FILE__, __LINE__, "more lines than kept");
			return;
		}
		lines[(*n)++] = l;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts and removes repeats; returns how many lines are left. */
static size_t distinct(uint64_t *lines, size_t n)
{
	size_t out = 0;

	qsort(lines, n, sizeof(*lines), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!out || lines[out - 1] != lines[i])
			lines[out++] = lines[i];
	return out;
}

/* The walk back from slot - 1, as both the map and the release make it:
 * on through free slots (list non-zero) until the segment's start. The
 * index is unsigned as the kernel's is: slot 0 steps back to offset 127. */
static void shadow_walk_back(struct shadow_pool *sp, uint32_t slot,
			     uint32_t count, struct shadow_writes *sw)
{
	for (uint32_t i = slot - 1;
	     seg_offset(i) != IO_TLB_SEGSIZE - 1 && sp->list[i]; i--) {
		sp->list[i] = (uint16_t)++count;
		touch(sw->locked_line, &sw->nlocked_lines, i, F_LIST, 2);
		sw->locked++;
		sw->walk_back++;
	}
}

/* swiotlb_search_pool_area()'s writes for n slots from s under the lock,
 * then swiotlb_tbl_map_single()'s after it, pad_slots padding slots
 * first. */
static void shadow_map(struct shadow_pool *sp, uint32_t s, uint32_t n,
		       uint32_t pad_slots, struct shadow_writes *sw)
{
	for (uint32_t i = s; i < s + n; i++) {
		sp->list[i] = 0;
		touch(sw->locked_line, &sw->nlocked_lines, i, F_LIST, 2);
		touch(sw->locked_line, &sw->nlocked_lines, i, F_ALLOC_SIZE, 8);
		sw->locked++;
	}
	shadow_walk_back(sp, s, 0, sw);
	touch(sw->unlocked_line, &sw->nunlocked_lines, s + pad_slots,
	      F_PAD_SLOTS, 2);
	for (uint32_t i = s + pad_slots; i < s + n; i++) {
		touch(sw->unlocked_line, &sw->nunlocked_lines, i,
		      F_ORIG_ADDR, 8);
		sw->unlocked++;
	}
}

/* swiotlb_release_slots()'s writes for n slots from s, padding included. */
static void shadow_release(struct shadow_pool *sp, uint32_t s, uint32_t n,
			   struct shadow_writes *sw)
{
	uint32_t seg_end = (s + 1 + IO_TLB_SEGSIZE - 1) &
			   ~(uint32_t)(IO_TLB_SEGSIZE - 1);
	uint32_t count = s + n < seg_end && s + n < sp->nslabs ?
			 sp->list[s + n] : 0;

	sw->merge_run = count;
	for (int64_t i = (int64_t)s + n - 1; i >= s; i--) {
		sp->list[i] = (uint16_t)++count;
		touch(sw->locked_line, &sw->nlocked_lines, (uint32_t)i,
		      F_ORIG_ADDR, 8);
		touch(sw->locked_line, &sw->nlocked_lines, (uint32_t)i,
		      F_ALLOC_SIZE, 8);
		touch(sw->locked_line, &sw->nlocked_lines, (uint32_t)i,
		      F_LIST, 2);
		touch(sw->locked_line, &sw->nlocked_lines, (uint32_t)i,
		      F_PAD_SLOTS, 2);
		sw->locked++;
	}
	shadow_walk_back(sp, s, count, sw);
}

/* The report against the shadow's count of the same op. */
static void check_writes(struct prop_state *st, struct shadow_writes *sw,
			 const struct swiotlb_work *w)
{
	struct swiotlb_writes c = swiotlb_work_writes(w);
	size_t locked = distinct(sw->locked_line, sw->nlocked_lines);
	size_t unlocked = distinct(sw->unlocked_line, sw->nunlocked_lines);
	size_t fresh = 0;

	for (size_t i = 0; i < unlocked; i++)
		fresh += !bsearch(&sw->unlocked_line[i], sw->locked_line,
				  locked, sizeof(uint64_t), cmp_u64);
	CHECK_EQ(c.locked.slots, sw->locked);
	CHECK_EQ(c.locked.lines, locked);
	CHECK_EQ(w->walk_back, sw->walk_back);
	CHECK_EQ(c.unlocked.slots, sw->unlocked);
	CHECK_EQ(c.unlocked.lines, unlocked);
	CHECK_EQ(c.unlocked_new_lines, fresh);
	st->nwalked_back += sw->walk_back > 0;
	st->nmerged += sw->merge_run > 0;
}

/* The shadow's counts against the ones the allocator derives, over the
 * segments of [s, s + n). */
static void check_shadow_segments(const struct prop_state *st,
				  const struct io_tlb_pool *pool, uint32_t s,
				  uint32_t n)
{
	const struct shadow_pool *sp = &st->shadow[pool->id];
	uint32_t from = s & ~(uint32_t)(IO_TLB_SEGSIZE - 1);
	uint32_t to = s + n + IO_TLB_SEGSIZE - 1;

	to &= ~(uint32_t)(IO_TLB_SEGSIZE - 1);
	for (uint32_t i = from; i < to && i < pool->nslabs; i++)
		if (sp->list[i] != swiotlb_slot_free_run(pool, i)) {
			tu_fail(__FILE__, __LINE__, "pool %u slot %u: the "
				"kernel's list %u, the allocator's %u",
				pool->id, i, sp->list[i],
				swiotlb_slot_free_run(pool, i));
			return;
		}
}

/* A map's writes in the shadow, against its report. */
static void shadow_check_map(struct prop_state *st, const struct live_map *m,
			     const struct swiotlb_work *w)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(&st->devs[m->dev],
						     m->addr, NULL);
	struct shadow_writes *sw = calloc(1, sizeof(*sw));
	uint32_t s;

	if (!pool || !sw) {
		free(sw);
		return;
	}
	if (pool->transient)
		shadow_add(st, pool);
	s = (uint32_t)((m->slot_start - pool->start) / IO_TLB_SIZE);
	shadow_map(&st->shadow[pool->id], s, m->nslots,
		   (uint32_t)((m->addr - m->slot_start) / IO_TLB_SIZE), sw);
	check_writes(st, sw, w);
	check_shadow_segments(st, pool, s, m->nslots);
	free(sw);
}

/* An unmap's, its first slot s in the pool of that id: a transient pool
 * is deleted whole (and is gone now), with no slot written. */
static void shadow_check_unmap(struct prop_state *st, const struct live_map *m,
			       uint32_t pool_id, uint32_t s,
			       const struct swiotlb_work *w)
{
	struct shadow_writes *sw = calloc(1, sizeof(*sw));

	if (!sw)
		return;
	if (m->transient)
		shadow_drop(st, pool_id);
	else
		shadow_release(&st->shadow[pool_id], s, m->nslots, sw);
	check_writes(st, sw, w);
	if (!m->transient)
		check_shadow_segments(st,
				      swiotlb_find_pool(&st->devs[m->dev],
							m->slot_start, NULL),
				      s, m->nslots);
	free(sw);
}

static bool boot_config(struct prop_state *st)
{
	struct swiotlb_boot_config cfg;
	char err[256];

	swiotlb_boot_config_init(&cfg, st->cfg->cpus);
	cfg.dynamic = st->cfg->dynamic;
	cfg.walk_every_candidate = st->cfg->walk_every;
	if (st->cfg->start)
		cfg.start = st->cfg->start;
	if (swiotlb_parse_param(st->cfg->spec, &cfg.param, err, sizeof(err)) ||
	    !(st->mem = swiotlb_boot(&cfg, err, sizeof(err)))) {
		tu_fail(__FILE__, __LINE__, "%s: boot: %s", st->cfg->name, err);
		return false;
	}
	for (unsigned i = 0; i < NDEVS; i++)
		swiotlb_dev_init(&st->devs[i], st->mem, min_align_masks[i / 3],
				 seg_boundaries[i % 3]);
	st->nslabs = st->mem->nslabs;
	for (const struct io_tlb_pool *p = st->mem->pools; p; p = p->next)
		shadow_add(st, p);
	return true;
}

/* The longest free run, slot by slot from the used bits: what
 * swiotlb_largest_free_run() must find going a run at a time. */
static uint32_t largest_run_by_slot(const struct io_tlb_mem *mem)
{
	uint32_t best = 0;

	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next) {
		uint32_t run = 0;

		for (uint32_t i = 0; i < p->nslabs; i++) {
			bool used = p->used_map[i / 64] >> (i % 64) & 1;

			run = used || i % IO_TLB_SEGSIZE == 0 ? !used : run + 1;
			best = run > best ? run : best;
		}
	}
	return best;
}

/* The allocator's own invariants, then its counters against ours. */
static void check_state(struct prop_state *st)
{
	struct swiotlb_counters c = swiotlb_counters(st->mem);
	char err[256] = "";

	if (swiotlb_check(st->mem, err, sizeof(err)))
		tu_fail(__FILE__, __LINE__, "swiotlb_check: %s", err);
	CHECK_EQ(c.used, st->used);
	CHECK_EQ(c.hiwater, st->max_used);
	CHECK(c.hiwater >= c.used);
	CHECK_EQ(c.nslabs, st->nslabs);
	CHECK_EQ(c.transient_nslabs, st->transient_slots);
	CHECK_EQ(swiotlb_largest_free_run(st->mem),
		 largest_run_by_slot(st->mem));
}

/* The slot range [start, end) overlaps no other live mapping's slots
 * (padding slots are taken too, so this covers the buffers). */
static void check_no_overlap(const struct prop_state *st, uint64_t start,
			     uint64_t end)
{
	for (size_t i = 0; i < st->nlive; i++) {
		const struct live_map *l = &st->live[i];
		uint64_t l_end = l->slot_start + (uint64_t)l->nslots * IO_TLB_SIZE;

		if (start < l_end && l->slot_start < end) {
			tu_fail(__FILE__, __LINE__, "slots [0x%llx, 0x%llx) overlap "
				"live mapping at 0x%llx (%u slots)",
				(unsigned long long)start,
				(unsigned long long)end,
				(unsigned long long)l->slot_start, l->nslots);
			return;
		}
	}
}

/* Where the search starts and where the slots were taken, for the one
 * pool of a static allocator. */
static void check_static_area(const struct io_tlb_pool *pool, unsigned cpu,
			      uint64_t slot_start,
			      const struct swiotlb_work *w)
{
	uint64_t index = (slot_start - pool->start) / IO_TLB_SIZE;

	CHECK(w->nvisits >= 1);
	CHECK_EQ(w->visit[0].area, cpu & (pool->nareas - 1));
	CHECK_EQ(w->area, index / pool->area_nslabs);
	CHECK(!w->transient_made && !w->growth_requested);
}

/* Everything the kernel guarantees about one successful map. */
static void check_map(struct prop_state *st, const struct live_map *m,
		      uint32_t align, unsigned cpu, const struct swiotlb_work *w)
{
	const struct swiotlb_dev *dev = &st->devs[m->dev];
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, m->addr, NULL);
	uint64_t slot_end = m->slot_start + (uint64_t)m->nslots * IO_TLB_SIZE;

	CHECK(pool != NULL);
	if (!pool)
		return;
	CHECK_EQ(pool->transient, w->transient_made);
	CHECK_EQ(pool->id, w->pool_id);
	CHECK_EQ(w->nslots, m->nslots);
	/* The whole allocation, so the buffer too, lies in this one pool. */
	CHECK(m->slot_start >= pool->start && slot_end <= pool->end);
	CHECK(m->addr + m->size <= slot_end);
	CHECK_EQ((m->slot_start - pool->start) % IO_TLB_SIZE, 0);
	CHECK_EQ(m->addr & dev->min_align_mask, m->orig & dev->min_align_mask);
	CHECK_EQ(m->slot_start & (align | (IO_TLB_SIZE - 1)), 0);
	if (!align && !dev->min_align_mask && m->size >= PAGE_SIZE)
		CHECK_EQ(m->addr & (PAGE_SIZE - 1), 0);
	/* The kernel applies the boundary to transient pools as well, so the
	 * check holds for every map; first and last byte share a window. */
	CHECK_EQ(m->slot_start & ~dev->seg_boundary,
		 (slot_end - 1) & ~dev->seg_boundary);
	check_no_overlap(st, m->slot_start, slot_end);
	if (!st->cfg->dynamic)
		check_static_area(pool, cpu, m->slot_start, w);
}

static void remember(struct prop_state *st, const struct live_map *m)
{
	if (st->nlive == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->live = realloc(st->live, st->cap * sizeof(*st->live));
		if (!st->live) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	st->live[st->nlive++] = *m;
	st->used += m->nslots;
	if (st->used > st->max_used)
		st->max_used = st->used;
	if (m->transient)
		st->transient_slots += m->nslots;
}

/* What the background worker does when a map asked for growth: add a
 * pool, of the kernel's sizes mostly, sometimes of an odd area count. */
static void grow(struct prop_state *st)
{
	uint64_t first = swiotlb_dyn_pool_nslabs(st->mem);
	const uint64_t sizes[] = { first, swiotlb_dyn_pool_shrink(first),
				   3 * IO_TLB_SEGSIZE, 5 * IO_TLB_SEGSIZE };
	uint64_t nslabs = sizes[prng_below(&st->rng, 4)];
	uint64_t want_areas;
	struct io_tlb_pool *pool;
	char err[256];

	if (!nslabs)
		nslabs = first;     /* the boot size was already the minimum */
	want_areas = nslabs / IO_TLB_SEGSIZE;
	pool = swiotlb_grow(st->mem, 0, nslabs, NULL, err, sizeof(err));
	if (!pool) {
		tu_fail(__FILE__, __LINE__, "swiotlb_grow(%llu): %s",
			(unsigned long long)nslabs, err);
		return;
	}
	if (want_areas > st->mem->default_nareas)
		want_areas = st->mem->default_nareas;
	CHECK(st->mem->pools == pool);
	shadow_add(st, pool);
	CHECK_EQ(pool->nslabs, nslabs);
	CHECK_EQ(pool->nareas, want_areas);
	st->nslabs += nslabs;
	st->ngrown++;
}

static void map_one(struct prop_state *st)
{
	struct live_map m = { 0 };
	struct swiotlb_work w;
	uint32_t align = alloc_align_masks[prng_below(&st->rng, 3)];
	unsigned cpu = (unsigned)prng_below(&st->rng, st->cfg->cpus);
	uint64_t offset, alloc_size;

	m.dev = (unsigned)prng_below(&st->rng, NDEVS);
	m.size = random_size(&st->rng);
	m.orig = random_orig(&st->rng);
	/* The map's own arithmetic: the min_align_mask bits kept below the
	 * buffer, then the size rounded to the alignment. */
	offset = m.orig & st->devs[m.dev].min_align_mask &
		 (align | (IO_TLB_SIZE - 1));
	alloc_size = round_up(m.size + offset, (uint64_t)align + 1);
	m.nslots = (uint32_t)slots_of(alloc_size);
	m.addr = swiotlb_tbl_map_single(&st->devs[m.dev], cpu, m.orig, m.size,
					align, &w);
	trace_map(st, m.addr, &w);
	if (w.growth_requested && st->ngrown < st->cfg->max_grown &&
	    !prng_below(&st->rng, 3))
		grow(st);
	if (m.addr == SWIOTLB_MAP_ERROR) {
		CHECK(!w.transient_made);
		CHECK_EQ(w.writes, SWIOTLB_WRITES_NONE);
		st->nfull++;
		st->nsmall_full += m.nslots <= 8;
		return;
	}
	/* No segment holds more than 128 slots: such a map cannot succeed. */
	CHECK(m.nslots <= IO_TLB_SEGSIZE);
	m.slot_start = m.addr - offset;
	m.transient = w.transient_made;
	check_map(st, &m, align, cpu, &w);
	shadow_check_map(st, &m, &w);
	remember(st, &m);
	st->nmapped++;
	st->ntransient += m.transient;
	st->npadded += offset >= IO_TLB_SIZE;
}

static void unmap_at(struct prop_state *st, size_t i)
{
	struct live_map m = st->live[i];
	struct swiotlb_work w;
	const struct io_tlb_pool *pool = swiotlb_find_pool(&st->devs[m.dev],
							   m.addr, NULL);
	uint32_t pool_id = pool->id;
	uint32_t s = (uint32_t)((m.slot_start - pool->start) / IO_TLB_SIZE);

	swiotlb_tbl_unmap_single(&st->devs[m.dev], m.addr, &w);
	shadow_check_unmap(st, &m, pool_id, s, &w);
	CHECK_EQ(w.nslots, m.nslots);
	CHECK_EQ(w.transient_freed, m.transient);
	st->live[i] = st->live[--st->nlive];
	st->used -= m.nslots;
	if (m.transient)
		st->transient_slots -= m.nslots;
}

/* Unmaps everything, checking after each unmap; then the pools must be
 * back to empty, every segment whole again. */
static void unmap_all(struct prop_state *st)
{
	int before = tu_failures;

	while (st->nlive && tu_failures == before) {
		unmap_at(st, (size_t)prng_below(&st->rng, st->nlive));
		check_state(st);
	}
	CHECK_EQ(swiotlb_counters(st->mem).used, 0);
	CHECK_EQ(swiotlb_counters(st->mem).transient_nslabs, 0);
	CHECK_EQ(swiotlb_largest_free_run(st->mem), IO_TLB_SEGSIZE);
	for (const struct io_tlb_pool *p = st->mem->pools; p; p = p->next)
		check_shadow_segments(st, p, 0, p->nslabs);
	st->nunmap_all++;
}

/* One step. Out of every 1000, the first 600 mostly map, so that even
 * small maps come to find the pool full; the rest mostly unmap, which
 * leaves holes behind. Now and then the pool is drained. */
static void step(struct prop_state *st)
{
	unsigned map_percent = st->op % 1000 < 600 ? 90 : 45;

	if (st->nlive && !prng_below(&st->rng, 1500))
		unmap_all(st);
	else if (!st->nlive || prng_below(&st->rng, 100) < map_percent)
		map_one(st);
	else
		unmap_at(st, (size_t)prng_below(&st->rng, st->nlive));
	check_state(st);
}

/* The run must have reached what it claims to test, or it proves little. */
static void check_coverage(const struct prop_state *st)
{
	CHECK(st->nmapped >= st->cfg->ops / 4);
	CHECK(st->nfull > 0);
	CHECK(st->npadded > 0);
	CHECK(st->nunmap_all >= 2);
	CHECK(st->nwalked_back > 0 && st->nmerged > 0);
	if (st->cfg->dynamic) {
		CHECK(st->ngrown > 0);
		CHECK(st->ntransient > 0);
	} else {
		CHECK(st->nsmall_full > 0);
	}
}

/* Runs one configuration; returns the hash of its maps' answers. */
static uint64_t run_config(const struct prop_config *cfg)
{
	struct prop_state st = { .cfg = cfg, .rng = { cfg->seed },
				 .trace = 0xcbf29ce484222325ULL };
	int before = tu_failures;

	if (!boot_config(&st))
		return 0;
	for (st.op = 0; st.op < cfg->ops && tu_failures == before; st.op++)
		step(&st);
	if (tu_failures == before)
		unmap_all(&st);
	if (tu_failures == before)
		check_coverage(&st);
	if (tu_failures != before)
		fprintf(stderr, "  in config \"%s\" (seed %llu), op %u, %zu live\n",
			cfg->name, (unsigned long long)cfg->seed, st.op,
			st.nlive);
	for (unsigned i = 0; i < NDEVS; i++)
		swiotlb_dev_release(&st.devs[i]);
	swiotlb_mem_free(st.mem);
	free(st.live);
	shadow_free(&st);
	return st.trace;
}

static void test_static_one_area(void)
{
	const struct prop_config a = { "1 area", 1, 1, "4096", false, 0, 6000,
				       0, false };
	const struct prop_config b = { "1 area b", 2, 1, "2048", false, 0,
				       6000, 0, false };

	run_config(&a);
	run_config(&b);
}

static void test_static_many_areas(void)
{
	const struct prop_config a = { "8 areas", 3, 8, "4096", false, 0,
				       6000, 0, false };
	/* A pool start off any 64 KiB line moves where boundaries fall. */
	const struct prop_config b = { "4 areas, odd start", 4, 4, "2048", false,
				       0x80003000, 6000, 0, false };

	run_config(&a);
	run_config(&b);
}

static void test_dynamic(void)
{
	const struct prop_config a = { "dynamic 4 areas", 5, 4, "1024", true, 0,
				       6000, 4, false };
	const struct prop_config b = { "dynamic 1 area", 6, 1, "512", true, 0,
				       6000, 6, false };

	run_config(&a);
	run_config(&b);
}

/* Passing over refused runs at once must choose the slots, and report the
 * work, of the kernel's one-by-one walk: the same runs both ways give the
 * same answers, op for op. */
static void test_run_skipping_is_exact(void)
{
	static const struct prop_config cfgs[] = {
		{ "skip 1 area", 1, 1, "4096", false, 0, 6000, 0, false },
		{ "skip 8 areas", 3, 8, "4096", false, 0, 6000, 0, false },
		{ "skip dynamic", 5, 4, "1024", true, 0, 6000, 4, false },
	};

	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct prop_config walk = cfgs[i];
		uint64_t skipping, walking;

		walk.walk_every = true;
		skipping = run_config(&cfgs[i]);
		walking = run_config(&walk);
		if (skipping != walking)
			tu_fail(__FILE__, __LINE__, "%s: the skipping search "
				"answered differently", cfgs[i].name);
		tu_checks++;
	}
}

int main(void)
{
	RUN(test_static_one_area);
	RUN(test_run_skipping_is_exact);
	RUN(test_static_many_areas);
	RUN(test_dynamic);
	return tu_finish();
}
