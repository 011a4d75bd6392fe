/* tests/allocator/test_allocator.c - the allocator's rules, one by one, each checked
 * against the concrete slot addresses the kernel would hand out. */
#include "allocator/swiotlb.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <string.h>

#define BASE 0x80000000ULL
#define SLOT(n) (BASE + (uint64_t)(n) * IO_TLB_SIZE)

static struct io_tlb_mem *boot(unsigned cpus, const char *spec, bool dynamic)
{
	struct swiotlb_boot_config cfg;
	struct io_tlb_mem *mem;
	char err[256];

	swiotlb_boot_config_init(&cfg, cpus);
	cfg.dynamic = dynamic;
	if (swiotlb_parse_param(spec, &cfg.param, err, sizeof(err)))
		return NULL;
	mem = swiotlb_boot(&cfg, err, sizeof(err));
	if (!mem)
		fprintf(stderr, "boot: %s\n", err);
	return mem;
}

static void check_invariants(const struct io_tlb_mem *mem)
{
	char err[256] = "";

	if (swiotlb_check(mem, err, sizeof(err)))
		tu_fail(__FILE__, __LINE__, "invariant: %s", err);
}

static uint64_t map(struct swiotlb_dev *dev, unsigned cpu, uint64_t orig,
		    size_t size, uint32_t align)
{
	struct swiotlb_work w;
	uint64_t addr = swiotlb_tbl_map_single(dev, cpu, orig, size, align, &w);

	check_invariants(dev->mem);
	return addr;
}

static void unmap(struct swiotlb_dev *dev, uint64_t addr)
{
	struct swiotlb_work w;

	swiotlb_tbl_unmap_single(dev, addr, &w);
	check_invariants(dev->mem);
}

static void sizing_case(unsigned cpus, const char *spec, uint64_t adjust,
			uint32_t nslabs, uint32_t nareas)
{
	struct swiotlb_boot_config cfg;
	struct io_tlb_mem *mem;
	char err[256];

	swiotlb_boot_config_init(&cfg, cpus);
	cfg.adjust_size_bytes = adjust;
	CHECK(swiotlb_parse_param(spec, &cfg.param, err, sizeof(err)) == 0);
	mem = swiotlb_boot(&cfg, err, sizeof(err));
	CHECK(mem != NULL);
	if (!mem)
		return;
	CHECK_EQ(mem->pools->nslabs, nslabs);
	CHECK_EQ(mem->pools->nareas, nareas);
	CHECK_EQ(mem->pools->area_nslabs, nslabs / nareas);
	swiotlb_mem_free(mem);
}

static void test_boot_sizing(void)
{
	sizing_case(4, "", 0, 32768, 4);           /* 64 MiB default */
	sizing_case(6, "", 0, 32768, 8);           /* areas round up to 2^n */
	sizing_case(2, "3000", 0, 4096, 2);        /* 3072 -> power of two */
	sizing_case(2, "1024,32", 0, 4096, 32);    /* a segment per area */
	sizing_case(3, "0x300,0", 0, 1024, 1);     /* NAREAS 0 counts as 1 */
	sizing_case(1, "0", 0, 128, 1);
	/* CoCo: 6% of 16 GiB, slot- and segment-aligned, then a power of 2. */
	sizing_case(16, "", (16ULL << 30) * 6 / 100, 524288, 16);
	/* An explicit size wins over the arch adjustment. */
	sizing_case(16, "8192", (16ULL << 30) * 6 / 100, 8192, 16);
}

static void test_noforce_has_no_pool(void)
{
	struct io_tlb_mem *mem = boot(4, "noforce", false);
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK(mem->pools == NULL);
	CHECK_EQ(map(&dev, 0, 0x1000, 64, 0), SWIOTLB_MAP_ERROR);
	swiotlb_mem_free(mem);
}

static void test_cpu_area_and_next_fit(void)
{
	struct io_tlb_mem *mem = boot(4, "1024", false); /* 4 areas of 256 */
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	/* Each CPU starts in its own area; consecutive maps are adjacent. */
	CHECK_EQ(map(&dev, 1, 0x10000, 4096, 0), SLOT(256));
	CHECK_EQ(map(&dev, 1, 0x20000, 4096, 0), SLOT(258));
	CHECK_EQ(map(&dev, 3, 0x30000, 100, 0), SLOT(768));
	CHECK_EQ(map(&dev, 3, 0x30000, 100, 0), SLOT(769));
	/* CPU 5 wraps to area 1 (5 & 3). */
	CHECK_EQ(map(&dev, 5, 0x40000, 2048, 0), SLOT(260));
	CHECK_EQ(mem->pools->areas[1].used, 5);
	CHECK_EQ(mem->pools->areas[3].used, 2);
	CHECK_EQ(mem->used, 7);
	swiotlb_mem_free(mem);
}

static void test_min_align_mask_keeps_offset(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev nvme;

	swiotlb_dev_init(&nvme, mem, 0xfff, UINT64_MAX);
	/* Bit 11 of the original is set: slot 1 matches it, and the low 11
	 * bits become the offset inside the slot. */
	CHECK_EQ(map(&nvme, 0, 0x1234a00, 512, 0), SLOT(1) + 0x200);
	/* Bit 11 clear: the next slot with bit 11 clear is slot 2. */
	CHECK_EQ(map(&nvme, 0, 0x5000100, 512, 0), SLOT(2) + 0x100);
	CHECK_EQ(swiotlb_max_mapping_size(&nvme), 252 * 1024);
	swiotlb_mem_free(mem);
}

static void test_page_alignment_rule(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(map(&dev, 0, 0x1000, 2048, 0), SLOT(0));
	/* A page or more with no other alignment skips to a page boundary. */
	CHECK_EQ(map(&dev, 0, 0x3000, 4096, 0), SLOT(2));
	CHECK_EQ(map(&dev, 0, 0x5000, 2048, 0), SLOT(4));
	/* Just below a page there is no such rule: slot 5 is not page
	 * aligned, and slot 1 stays behind the next-fit index. */
	CHECK_EQ(map(&dev, 0, 0x7000, 4095, 0), SLOT(5));
	swiotlb_mem_free(mem);
}

static void test_alloc_align_mask(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(map(&dev, 0, 0x1000, 100, 0), SLOT(0));
	/* 64 KiB alignment: the next 32-slot boundary. */
	CHECK_EQ(map(&dev, 0, 0x1000, 100, 0xffff), SLOT(32));
	swiotlb_mem_free(mem);
}

static void test_padding_slots(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev nvme;
	uint64_t addr;

	swiotlb_dev_init(&nvme, mem, 0xfff, UINT64_MAX);
	/* alloc_align_mask 0xfff with offset 0xa00: one whole padding slot
	 * before the buffer, which starts 0x200 into slot 1. */
	addr = map(&nvme, 0, 0x5000a00, 5000, 0xfff);
	CHECK_EQ(addr, SLOT(1) + 0x200);
	CHECK_EQ(mem->pools->slots[1].pad_slots, 1);
	CHECK_EQ(mem->used, 4); /* ALIGN(5000 + 0xa00, 4096) = 8192 */
	unmap(&nvme, addr);
	CHECK_EQ(mem->used, 0);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 0), 128);
	swiotlb_mem_free(mem);
}

static void test_segment_boundary(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;

	/* 64 KiB DMA segments: 32 slots. */
	swiotlb_dev_init(&dev, mem, 0, 0xffff);
	CHECK_EQ(map(&dev, 0, 0, 16 * 2048, 0), SLOT(0));
	/* 24 slots from slot 16 would cross the boundary at slot 32. */
	CHECK_EQ(map(&dev, 0, 0, 24 * 2048, 0), SLOT(32));
	swiotlb_mem_free(mem);
}

static void test_free_run_merging(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;
	uint64_t a, b, c;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	a = map(&dev, 0, 0, 2 * 2048, 0);
	b = map(&dev, 0, 0, 3 * 2048, 0);
	c = map(&dev, 0, 0, 1 * 2048, 0);
	CHECK_EQ(b, SLOT(2));
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 6), 122);
	unmap(&dev, b);
	/* The freed run counts down to the used slot after it. */
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 2), 3);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 4), 1);
	unmap(&dev, c);
	/* Freeing c merges b's run with the rest of the segment. */
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 2), 126);
	unmap(&dev, a);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 0), 128);
	CHECK_EQ(swiotlb_largest_free_run(mem), 128);
	swiotlb_mem_free(mem);
}

/* The map writes each slot's size to the mapping's end; the unmap clears
 * every field of every slot it frees, and the checker notices one left
 * set. */
/* A search that passes over used slots, a hole off the alignment, a run
 * too short and a run cut by a segment's end, in three used-map words,
 * before it finds its slots (with a free run behind its start): the same
 * answer and the same count of
 * examined candidates whether refused candidates are skipped or walked
 * one by one as in the kernel. */
static void search_past_refused(bool walk_every, uint64_t *addr,
				uint32_t *examined)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	static const unsigned holes[] = { 63, 100, 101, 126, 127, 128, 129,
					  134, 135, 136, 137 };
	struct swiotlb_work w;
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	for (unsigned i = 0; i < 1024; i++)
		map(&dev, 0, 0, 2048, 0);
	/* Full, the next-fit index wrapped to 0: a map of slots 4-7 moves it
	 * to 8, and slots 0-3 are left free behind it, in the first word. */
	for (unsigned i = 4; i < 8; i++)
		unmap(&dev, SLOT(i));
	CHECK_EQ(map(&dev, 0, 0, 4 * 2048, 0), SLOT(4));
	for (unsigned i = 0; i < 4; i++)
		unmap(&dev, SLOT(i));
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++)
		unmap(&dev, SLOT(holes[i]));
	mem->walk_every_candidate = walk_every;
	*addr = swiotlb_tbl_map_single(&dev, 0, 0, 4 * 2048, 0, &w);
	*examined = w.slots_examined;
	check_invariants(mem);
	swiotlb_dev_release(&dev);
	swiotlb_mem_free(mem);
}

static void test_search_past_refused_candidates(void)
{
	uint64_t skipped, walked;
	uint32_t skipped_examined, walked_examined;

	search_past_refused(false, &skipped, &skipped_examined);
	search_past_refused(true, &walked, &walked_examined);
	/* 8 KiB: page aligned, so even slots 8, 10, .. 134 are looked at. */
	CHECK_EQ(skipped, SLOT(134));
	CHECK_EQ(skipped_examined, (134 - 8) / 2 + 1);
	CHECK_EQ(walked, skipped);
	CHECK_EQ(walked_examined, skipped_examined);
}

static void test_slot_state_cleared(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;
	char err[256] = "";
	uint64_t a;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	a = map(&dev, 0, 0x7000, 3 * 2048, 0);
	CHECK_EQ(a, SLOT(0));
	CHECK_EQ(mem->pools->slots[0].alloc_size, 3 * 2048);
	CHECK_EQ(mem->pools->slots[2].alloc_size, 2048);
	unmap(&dev, a);
	CHECK_EQ(mem->pools->slots[0].alloc_size, 0);
	CHECK_EQ(mem->pools->slots[2].alloc_size, 0);
	mem->pools->slots[1].alloc_size = 2048;
	CHECK(swiotlb_check(mem, err, sizeof(err)) != 0);
	CHECK(strstr(err, "slot 1: free but holds") != NULL);
	mem->pools->slots[1].alloc_size = 0;
	mem->pools->slots[5].pad_slots = 1;
	CHECK(swiotlb_check(mem, err, sizeof(err)) != 0);
	swiotlb_mem_free(mem);
}

static void test_full_and_oversize(void)
{
	struct io_tlb_mem *mem = boot(1, "128", false);
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	uint64_t a;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(map(&dev, 0, 0, 256 * 1024 + 1, 0), SWIOTLB_MAP_ERROR);
	a = map(&dev, 0, 0, 256 * 1024, 0);
	CHECK_EQ(a, SLOT(0));
	CHECK_EQ(swiotlb_tbl_map_single(&dev, 0, 0, 1, 0, &w), SWIOTLB_MAP_ERROR);
	/* The used count rules the area out without looking at a slot. */
	CHECK_EQ(w.areas_tried, 1);
	CHECK_EQ(w.slots_examined, 0);
	unmap(&dev, a);
	CHECK_EQ(swiotlb_counters(mem).hiwater, 128);
	swiotlb_reset_hiwater(mem);
	CHECK_EQ(swiotlb_counters(mem).hiwater, 0);
	swiotlb_mem_free(mem);
}

static void test_work_report_walks_areas(void)
{
	struct io_tlb_mem *mem = boot(2, "256", false); /* 2 areas of 128 */
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	uint64_t addr;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	map(&dev, 0, 0, 100 * 2048, 0);
	addr = swiotlb_tbl_map_single(&dev, 0, 0, 40 * 2048, 0, &w);
	CHECK_EQ(addr, SLOT(128));
	CHECK_EQ(w.areas_tried, 2);
	CHECK_EQ(w.nvisits, 2);
	CHECK_EQ(w.visit[0].area, 0);
	CHECK_EQ(w.visit[1].area, 1);
	CHECK_EQ(w.visit[1].slots_examined, 1);
	CHECK_EQ(w.nslots, 40);
	CHECK_EQ(w.area, 1);
	swiotlb_tbl_unmap_single(&dev, addr, &w);
	CHECK_EQ(w.pools_searched, 1);
	CHECK_EQ(w.area, 1);
	swiotlb_mem_free(mem);
}

static void test_dynamic_growth_and_order(void)
{
	struct io_tlb_mem *mem = boot(2, "256", true);
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	struct io_tlb_pool *grown;
	uint64_t t;
	char err[128];

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	map(&dev, 0, 0, 128 * 2048, 0);
	map(&dev, 1, 0, 128 * 2048, 0);
	/* Pool full: growth is requested and a transient pool serves. */
	t = swiotlb_tbl_map_single(&dev, 0, 0x1000, 5000, 0, &w);
	CHECK(t != SWIOTLB_MAP_ERROR);
	CHECK(w.growth_requested && w.transient_made);
	CHECK(swiotlb_is_transient_addr(&dev, t));
	CHECK_EQ(swiotlb_counters(mem).transient_nslabs, 3);
	CHECK_EQ(swiotlb_counters(mem).used, 259);
	/* The worker's pool: boot size, boot areas, at the head of the list. */
	CHECK_EQ(swiotlb_dyn_pool_nslabs(mem), 256);
	grown = swiotlb_grow(mem, 0x100000000ULL, 256, NULL, err, sizeof(err));
	CHECK(grown != NULL);
	CHECK_EQ(mem->pools, grown);
	CHECK_EQ(grown->nareas, 2);
	CHECK_EQ(map(&dev, 1, 0, 2048, 0), 0x100000000ULL + 128 * 2048);
	unmap(&dev, t);
	CHECK_EQ(swiotlb_counters(mem).transient_nslabs, 0);
	CHECK_EQ(swiotlb_counters(mem).used, 257);
	CHECK_EQ(swiotlb_dyn_pool_shrink(2048), 1024);
	CHECK_EQ(swiotlb_dyn_pool_shrink(512), 0);
	swiotlb_dev_release(&dev);
	swiotlb_mem_free(mem);
}

/* The slot writes a work report gives, as counted by
 * swiotlb_work_writes(). */
struct writes {
	uint32_t locked, locked_lines, walk_back;
	uint32_t unlocked, unlocked_lines, unlocked_new_lines;
};

static void check_writes(const struct swiotlb_work *w, struct writes e,
			 int line)
{
	struct swiotlb_writes c = swiotlb_work_writes(w);
	struct writes got = {
		c.locked.slots, c.locked.lines, w->walk_back,
		c.unlocked.slots, c.unlocked.lines, c.unlocked_new_lines,
	};

	tu_checks++;
	if (memcmp(&got, &e, sizeof(got)))
		tu_fail(__FILE__, line, "slot writes: locked %u in %u lines, "
			"walk back %u, unlocked %u in %u lines (%u new); "
			"expected %u in %u, %u, %u in %u (%u)",
			got.locked, got.locked_lines, got.walk_back,
			got.unlocked, got.unlocked_lines,
			got.unlocked_new_lines, e.locked, e.locked_lines,
			e.walk_back, e.unlocked, e.unlocked_lines,
			e.unlocked_new_lines);
}

#define CHECK_WRITES(w, ...) \
	check_writes(&(w), (struct writes){ __VA_ARGS__ }, __LINE__)

static uint64_t map_w(struct swiotlb_dev *dev, uint64_t orig, size_t size,
		      uint32_t align, struct swiotlb_work *w)
{
	uint64_t addr = swiotlb_tbl_map_single(dev, 0, orig, size, align, w);

	check_invariants(dev->mem);
	return addr;
}

static void unmap_w(struct swiotlb_dev *dev, uint64_t addr,
		    struct swiotlb_work *w)
{
	swiotlb_tbl_unmap_single(dev, addr, w);
	check_invariants(dev->mem);
}

/* Hand-counted slot writes at the kernel's layout (slot i at byte 24 i,
 * 64-byte lines): a map walks back over a free run before its range; a
 * range at a segment's start walks back over nothing although the slots
 * before it are free; a first data slot whose orig_addr starts the line
 * before the locked writes' first. */
static void test_slot_writes_map(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;
	struct swiotlb_work w;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(map_w(&dev, 0, 2048, 0, &w), SLOT(0));
	/* list, alloc_size of slot 0: bytes 8-17, one line; orig_addr and
	 * pad_slots: bytes 0-7 and 18-19, the same line. */
	CHECK_WRITES(w, 1, 1, 0, 1, 1, 0);
	/* A page-aligned map skips slot 1, which the walk back rewrites:
	 * lists of slot 1 and alloc_size/list of 2-3, bytes 40-89, two
	 * lines; orig_addr of 2-3, bytes 48-79. */
	CHECK_EQ(map_w(&dev, 0, 4096, 0, &w), SLOT(2));
	CHECK_WRITES(w, 3, 2, 1, 2, 2, 0);
	swiotlb_mem_free(mem);

	mem = boot(1, "1024", false);
	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(map_w(&dev, 0, 120 * 2048, 0, &w), SLOT(0));
	CHECK_WRITES(w, 120, 45, 0, 120, 45, 0);
	CHECK_EQ(map_w(&dev, 0, 8 * 2048, 0, &w), SLOT(120));
	/* A run cut by the segment's end: the free slots from 128 on are
	 * not merged with. */
	unmap_w(&dev, SLOT(120), &w);
	CHECK_WRITES(w, 8, 3, 0, 0, 0, 0);
	/* Slots 120-127 free again; slot 128 starts the next segment, so
	 * the walk back from 127 stops at once. */
	CHECK_EQ(map_w(&dev, 0, 2048, 0, &w), SLOT(128));
	CHECK_WRITES(w, 1, 1, 0, 1, 1, 0);
	for (unsigned i = 129; i < 133; i++)
		CHECK_EQ(map_w(&dev, 0, 2048, 0, &w), SLOT(i));
	/* Slot 133 is bytes 3192-3215: alloc_size and list in line 50, its
	 * orig_addr in line 49, which no locked write touched. */
	CHECK_EQ(map_w(&dev, 0, 2048, 0, &w), SLOT(133));
	CHECK_WRITES(w, 1, 1, 0, 1, 2, 1);
	swiotlb_mem_free(mem);
}

/* Releases: the freed slots' four fields and the walk back over the free
 * run before them. Their counts (the kernel's list, which the allocator
 * derives) go on from the free run after them unless a segment's end cuts
 * it: that changes the values written, not how many. */
static void test_slot_writes_release(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;
	struct swiotlb_work w;

	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	map_w(&dev, 0, 120 * 2048, 0, &w);
	map_w(&dev, 0, 8 * 2048, 0, &w);
	for (unsigned i = 128; i < 134; i++)
		map_w(&dev, 0, 2048, 0, &w);
	/* 120-127: bytes 2880-3067; slot 128 free but in the next segment. */
	unmap_w(&dev, SLOT(120), &w);
	CHECK_EQ(w.nslots, 8);
	CHECK_WRITES(w, 8, 3, 0, 0, 0, 0);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 120), 8);
	/* Slot 130 between used ones: bytes 3120-3139, lines 48 and 49. */
	unmap_w(&dev, SLOT(130), &w);
	CHECK_WRITES(w, 1, 2, 0, 0, 0, 0);
	/* Slot 133 continues the run 134-255 of 122 slots. */
	unmap_w(&dev, SLOT(133), &w);
	CHECK_WRITES(w, 1, 2, 0, 0, 0, 0);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 133), 123);
	/* Slot 131 walks back over 130: bytes 3136-3163. */
	unmap_w(&dev, SLOT(131), &w);
	CHECK_WRITES(w, 2, 1, 1, 0, 0, 0);
	/* Slot 132 joins both: back over 131 and 130, on from 133. */
	unmap_w(&dev, SLOT(132), &w);
	CHECK_WRITES(w, 3, 1, 2, 0, 0, 0);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 130), 126);
	/* 0-119 from the segment's start, on into 120-127. */
	unmap_w(&dev, SLOT(0), &w);
	CHECK_WRITES(w, 120, 45, 0, 0, 0, 0);
	CHECK_EQ(swiotlb_slot_free_run(mem->pools, 0), 128);
	swiotlb_mem_free(mem);
}

/* A padding slot: taken and freed with the mapping, written under the
 * lock both times, but no orig_addr of its own. */
static void test_slot_writes_padding(void)
{
	struct io_tlb_mem *mem = boot(1, "1024", false);
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	uint64_t addr;

	swiotlb_dev_init(&dev, mem, 0xfff, UINT64_MAX);
	map_w(&dev, 0, 2048, 0, &w);
	/* 0xa00 of the original's page offset is kept: one padding slot,
	 * 4 slots in all, 4 KiB aligned at slot 2; the walk back passes
	 * slot 1. Locked bytes 40-137, orig_addr of 3-5 bytes 72-127. */
	addr = map_w(&dev, 0x1a00, 0x1000, 0xfff, &w);
	CHECK_EQ(addr, SLOT(3) + 0x200);
	CHECK_EQ(w.nslots, 4);
	CHECK_WRITES(w, 5, 3, 1, 3, 1, 0);
	/* Freed from slot 2, the run 6-127 continued, slot 1 walked back. */
	unmap_w(&dev, addr, &w);
	CHECK_EQ(w.nslots, 4);
	CHECK_WRITES(w, 5, 3, 1, 0, 0, 0);
	swiotlb_mem_free(mem);
}

/* A transient source with room for `budget` bytes. */
static bool budget_alloc(void *ctx, uint64_t bytes)
{
	uint64_t *budget = ctx;

	if (bytes > *budget)
		return false;
	*budget -= bytes;
	return true;
}

static void budget_free(void *ctx, uint64_t bytes)
{
	*(uint64_t *)ctx += bytes;
}

/* The transient source's answer reaches the caller in the work report:
 * the bytes asked, given back, and a refusal. */
static void test_transient_source_in_report(void)
{
	struct io_tlb_mem *mem = boot(1, "128", true);
	uint64_t budget = 4 * 2048;
	struct swiotlb_env env = { budget_alloc, budget_free, &budget };
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	uint64_t t;

	swiotlb_set_env(mem, &env);
	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	map(&dev, 0, 0, 128 * 2048, 0);
	t = swiotlb_tbl_map_single(&dev, 0, 0x1000, 3 * 2048, 0, &w);
	CHECK(t != SWIOTLB_MAP_ERROR && w.transient_made);
	CHECK(!w.transient_refused);
	CHECK_EQ(w.transient_bytes, 3 * 2048);
	CHECK_EQ(budget, 2048);
	CHECK_EQ(swiotlb_tbl_map_single(&dev, 0, 0x1000, 2 * 2048, 0, &w),
		 SWIOTLB_MAP_ERROR);
	CHECK(w.transient_refused && !w.transient_made);
	CHECK_EQ(w.transient_bytes, 2 * 2048);
	swiotlb_tbl_unmap_single(&dev, t, &w);
	CHECK(w.transient_freed && !w.transient_refused);
	CHECK_EQ(w.transient_bytes, 3 * 2048);
	CHECK_EQ(budget, 4 * 2048);
	/* Over a segment: no transient pool is even asked for. */
	CHECK_EQ(swiotlb_tbl_map_single(&dev, 0, 0, 128 * 2048 + 1, 0, &w),
		 SWIOTLB_MAP_ERROR);
	CHECK(!w.transient_refused && !w.transient_made);
	swiotlb_dev_release(&dev);
	swiotlb_mem_free(mem);
}

static void test_restricted_pool(void)
{
	char err[128];
	struct io_tlb_mem *mem = swiotlb_restricted_create(0x40000000, 1 << 20,
							   4096, err,
							   sizeof(err));
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	uint64_t a, b;

	CHECK(mem != NULL);
	if (!mem)
		return;
	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	CHECK_EQ(mem->pools->nareas, 1);
	a = swiotlb_alloc(&dev, 3, 6000, &w);
	CHECK_EQ(a, 0x40000000);
	/* The search's writes only: no orig_addr, no pad_slots after it. */
	CHECK_EQ(w.writes, SWIOTLB_WRITES_ALLOC);
	CHECK_WRITES(w, 3, 2, 0, 0, 0, 0);
	/* 16 KiB blocks are aligned to 16 KiB, as the page allocator's are;
	 * the walk back rewrites slots 3-7 (bytes 88-377). */
	b = swiotlb_alloc(&dev, 0, 16384, &w);
	CHECK_EQ(b, 0x40004000);
	CHECK_WRITES(w, 13, 5, 5, 0, 0, 0);
	CHECK(swiotlb_free(&dev, a, &w));
	CHECK_EQ(w.nslots, 3);
	CHECK_WRITES(w, 3, 2, 0, 0, 0, 0);
	CHECK(!swiotlb_free(&dev, 0x1000, &w));
	check_invariants(mem);
	swiotlb_mem_free(mem);
}

static void test_param_errors(void)
{
	struct swiotlb_param p;
	char err[256];

	CHECK(swiotlb_parse_param("4096,4,force", &p, err, sizeof(err)) == 0);
	CHECK(p.force && p.nslabs == 4096 && p.nareas == 4);
	CHECK(swiotlb_parse_param(",,noforce", &p, err, sizeof(err)) == 0);
	CHECK(p.noforce && !p.nslabs_set && !p.nareas_set);
	CHECK(swiotlb_parse_param("4096,4,forse", &p, err, sizeof(err)) != 0);
	CHECK(strstr(err, "forse") != NULL);
	CHECK(swiotlb_parse_param("99999999999", &p, err, sizeof(err)) != 0);
}

int main(void)
{
	RUN(test_boot_sizing);
	RUN(test_noforce_has_no_pool);
	RUN(test_cpu_area_and_next_fit);
	RUN(test_min_align_mask_keeps_offset);
	RUN(test_page_alignment_rule);
	RUN(test_alloc_align_mask);
	RUN(test_padding_slots);
	RUN(test_segment_boundary);
	RUN(test_free_run_merging);
	RUN(test_search_past_refused_candidates);
	RUN(test_slot_state_cleared);
	RUN(test_full_and_oversize);
	RUN(test_work_report_walks_areas);
	RUN(test_dynamic_growth_and_order);
	RUN(test_slot_writes_map);
	RUN(test_slot_writes_release);
	RUN(test_slot_writes_padding);
	RUN(test_transient_source_in_report);
	RUN(test_restricted_pool);
	RUN(test_param_errors);
	return tu_finish();
}
