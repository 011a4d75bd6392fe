/* allocator/boot.c - building the allocator: boot-time sizing from swiotlb=
 * and the CPU count, pools and areas, dynamic growth, restricted pools. */
#include "allocator/internal.h"

#include <stdlib.h>
#include <string.h>

/* The kernel's default_nslabs / default_nareas while it boots. */
struct sizing {
	uint64_t nslabs;
	uint64_t nareas;
};

/* round_up_default_nslabs(): at least a segment per area, and a power of two
 * so that every area holds whole segments. */
static void round_up_default_nslabs(struct sizing *s)
{
	if (!s->nareas)
		return;
	if (s->nslabs < IO_TLB_SEGSIZE * s->nareas)
		s->nslabs = IO_TLB_SEGSIZE * s->nareas;
	else if (is_power_of_2(s->nslabs))
		return;
	s->nslabs = roundup_pow_of_two(s->nslabs);
}

/* swiotlb_adjust_nareas(): 0 counts as 1, others round up to a power of 2. */
static void swiotlb_adjust_nareas(struct sizing *s, uint64_t nareas)
{
	s->nareas = nareas ? roundup_pow_of_two(nareas) : 1;
	round_up_default_nslabs(s);
}

/* swiotlb_adjust_size(): arch code's size, only when swiotlb= left it. */
static void swiotlb_adjust_size(struct sizing *s, uint64_t bytes)
{
	if (s->nslabs != IO_TLB_DEFAULT_NSLABS)
		return;
	bytes = align_up(bytes, IO_TLB_SIZE);
	s->nslabs = align_up(bytes >> IO_TLB_SHIFT, IO_TLB_SEGSIZE);
	round_up_default_nslabs(s);
}

void swiotlb_boot_config_init(struct swiotlb_boot_config *cfg, unsigned cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cpus = cpus;
	cfg->start = SWIOTLB_DEFAULT_START;
	cfg->page_size = 4096;
	cfg->max_page_order = SWIOTLB_DEFAULT_MAX_PAGE_ORDER;
}

/* swiotlb_init_io_tlb_pool(): a pool's geometry over arrays that are
 * already zeroed, which is every slot free and every area empty. */
static void swiotlb_init_io_tlb_pool(struct io_tlb_pool *pool, uint64_t start,
				     uint64_t nslabs, uint64_t nareas)
{
	pool->start = start;
	pool->end = start + (nslabs << IO_TLB_SHIFT);
	pool->nslabs = (uint32_t)nslabs;
	pool->nareas = (uint32_t)nareas;
	pool->area_nslabs = (uint32_t)(nslabs / nareas);
	pool->area_shift = is_power_of_2(pool->area_nslabs) ?
			   (uint32_t)__builtin_ctz(pool->area_nslabs) : 0;
}

struct io_tlb_pool *swiotlb_alloc_pool(uint64_t start, uint64_t nslabs,
				       uint64_t nareas)
{
	struct io_tlb_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->areas = calloc(nareas, sizeof(*pool->areas));
	pool->slots = calloc(nslabs, sizeof(*pool->slots));
	pool->used_map = calloc((nslabs + 63) / 64, sizeof(*pool->used_map));
	if (!pool->areas || !pool->slots || !pool->used_map) {
		swiotlb_free_pool(pool);
		return NULL;
	}
	swiotlb_init_io_tlb_pool(pool, start, nslabs, nareas);
	return pool;
}

uint64_t swiotlb_alloc_pool_bytes(uint64_t nslabs, uint64_t nareas)
{
	const struct io_tlb_pool *pool = NULL;

	return sizeof(*pool) + nareas * sizeof(*pool->areas) +
	       nslabs * sizeof(*pool->slots) +
	       (nslabs + 63) / 64 * sizeof(*pool->used_map);
}

void swiotlb_free_pool(struct io_tlb_pool *pool)
{
	if (!pool)
		return;
	free(pool->areas);
	free(pool->slots);
	free(pool->used_map);
	free(pool);
}

/* Pools made at run time are placed far above any boot-time pool. */
#define DYN_PHYS_BASE (1ULL << 44)

uint64_t swiotlb_alloc_tlb(struct io_tlb_mem *mem, uint64_t bytes)
{
	uint64_t block = mem->page_size << page_order(bytes, mem->page_size);
	uint64_t addr = align_up(mem->next_dyn_phys, block);

	mem->next_dyn_phys = addr + block;
	return addr;
}

static int check_boot_config(const struct swiotlb_boot_config *cfg,
			     char *err, size_t errlen)
{
	if (!cfg->cpus) {
		swiotlb_set_err(err, errlen, "cpus must be at least 1");
		return -1;
	}
	if (cfg->page_size < 4096 || !is_power_of_2(cfg->page_size)) {
		swiotlb_set_err(err, errlen,
			"page_size %llu is not a power of two >= 4096",
			(unsigned long long)cfg->page_size);
		return -1;
	}
	if (cfg->start % cfg->page_size) {
		swiotlb_set_err(err, errlen, "start 0x%llx is not a multiple "
				"of the page size",
				(unsigned long long)cfg->start);
		return -1;
	}
	if (cfg->max_page_order > 20) {
		swiotlb_set_err(err, errlen, "max_page_order %u is above 20",
			cfg->max_page_order);
		return -1;
	}
	return 0;
}

static struct io_tlb_mem *mem_create(const struct swiotlb_boot_config *cfg)
{
	struct io_tlb_mem *mem = calloc(1, sizeof(*mem));

	if (!mem)
		return NULL;
	mem->page_size = cfg->page_size;
	mem->max_page_order = cfg->max_page_order;
	mem->dynamic = cfg->dynamic;
	mem->walk_every_candidate = cfg->walk_every_candidate;
	mem->next_dyn_phys = DYN_PHYS_BASE;
	return mem;
}

static void add_mem_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool)
{
	pool->id = mem->next_pool_id++;
	pool->next = mem->pools;
	mem->pools = pool;
	mem->npools++;
	mem->nslabs += pool->nslabs;
}

/* swiotlb_init_remap() with the memory always there: sizes the default pool
 * from the parameter, the arch adjustment and the CPU count. */
struct io_tlb_mem *swiotlb_boot(const struct swiotlb_boot_config *cfg,
				char *err, size_t errlen)
{
	struct sizing s = { IO_TLB_DEFAULT_NSLABS, 0 };
	struct io_tlb_mem *mem;
	struct io_tlb_pool *pool;
	uint64_t nareas;

	if (check_boot_config(cfg, err, errlen))
		return NULL;
	if (cfg->param.nslabs_set)
		s.nslabs = align_up(cfg->param.nslabs, IO_TLB_SEGSIZE);
	if (cfg->param.nareas_set)
		swiotlb_adjust_nareas(&s, cfg->param.nareas);
	if (cfg->adjust_size_bytes)
		swiotlb_adjust_size(&s, cfg->adjust_size_bytes);
	mem = mem_create(cfg);
	if (!mem) {
		swiotlb_err_oom(err, errlen, sizeof(*mem), "swiotlb");
		return NULL;
	}
	if (cfg->param.noforce)
		return mem;
	if (!s.nareas)
		swiotlb_adjust_nareas(&s, cfg->cpus);
	if (s.nslabs > SWIOTLB_MAX_NSLABS) {
		swiotlb_set_err(err, errlen, "a pool of %llu slabs is more "
				"than this simulator supports (%lu)",
				(unsigned long long)s.nslabs,
				SWIOTLB_MAX_NSLABS);
		free(mem);
		return NULL;
	}
	nareas = limit_nareas(s.nareas, s.nslabs);
	pool = swiotlb_alloc_pool(cfg->start, s.nslabs, nareas);
	if (!pool) {
		swiotlb_err_oom(err, errlen,
				swiotlb_alloc_pool_bytes(s.nslabs, nareas),
				"pool of %llu slabs",
				(unsigned long long)s.nslabs);
		free(mem);
		return NULL;
	}
	add_mem_pool(mem, pool);
	mem->default_nslabs = s.nslabs;
	mem->default_nareas = (uint32_t)s.nareas;
	mem->can_grow = cfg->dynamic;
	if (pool->end > mem->next_dyn_phys)
		mem->next_dyn_phys = pool->end;
	return mem;
}

void swiotlb_mem_free(struct io_tlb_mem *mem)
{
	if (!mem)
		return;
	while (mem->pools) {
		struct io_tlb_pool *next = mem->pools->next;

		swiotlb_free_pool(mem->pools);
		mem->pools = next;
	}
	free(mem);
}

void swiotlb_set_env(struct io_tlb_mem *mem, const struct swiotlb_env *env)
{
	mem->env = *env;
}

void swiotlb_dev_init(struct swiotlb_dev *dev, struct io_tlb_mem *mem,
		      uint32_t min_align_mask, uint64_t seg_boundary)
{
	memset(dev, 0, sizeof(*dev));
	dev->mem = mem;
	dev->min_align_mask = min_align_mask;
	dev->seg_boundary = seg_boundary;
}

void swiotlb_dev_release(struct swiotlb_dev *dev)
{
	while (dev->transient) {
		struct io_tlb_pool *next = dev->transient->next;

		swiotlb_free_pool(dev->transient);
		dev->transient = next;
	}
}

/* swiotlb_dyn_alloc() asks for the boot size, capped by MAX_PAGE_ORDER. */
uint64_t swiotlb_dyn_pool_nslabs(const struct io_tlb_mem *mem)
{
	uint64_t cap = (mem->page_size >> IO_TLB_SHIFT) << mem->max_page_order;

	return mem->default_nslabs < cap ? mem->default_nslabs : cap;
}

/* swiotlb_alloc_pool() halves a failed try, down to IO_TLB_MIN_SLABS. */
uint64_t swiotlb_dyn_pool_shrink(uint64_t nslabs)
{
	if (nslabs <= IO_TLB_MIN_SLABS)
		return 0;
	return align_up(nslabs >> 1, IO_TLB_SEGSIZE);
}

static bool overlaps_pool(const struct io_tlb_mem *mem, uint64_t start,
			  uint64_t end)
{
	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next)
		if (start < p->end && p->start < end)
			return true;
	return false;
}

struct io_tlb_pool *swiotlb_grow(struct io_tlb_mem *mem, uint64_t start,
				 uint64_t nslabs, bool *oom, char *err,
				 size_t errlen)
{
	struct io_tlb_pool *pool;
	uint64_t bytes = nslabs << IO_TLB_SHIFT, nareas;
	bool no_oom;

	oom = oom ? oom : &no_oom;
	*oom = false;
	if (!mem->can_grow) {
		swiotlb_set_err(err, errlen,
				"the allocator cannot grow (not dynamic)");
		return NULL;
	}
	if (!nslabs || nslabs % IO_TLB_SEGSIZE || nslabs > SWIOTLB_MAX_NSLABS) {
		swiotlb_set_err(err, errlen, "nslabs %llu is not a positive "
				"multiple of %d up to %lu",
				(unsigned long long)nslabs, IO_TLB_SEGSIZE,
				SWIOTLB_MAX_NSLABS);
		return NULL;
	}
	if (!start)
		start = swiotlb_alloc_tlb(mem, bytes);
	if (start % mem->page_size || overlaps_pool(mem, start, start + bytes)) {
		swiotlb_set_err(err, errlen, "start 0x%llx is not page "
				"aligned or overlaps another pool",
				(unsigned long long)start);
		return NULL;
	}
	nareas = limit_nareas(mem->default_nareas, nslabs);
	pool = swiotlb_alloc_pool(start, nslabs, nareas);
	if (!pool) {
		*oom = true;
		swiotlb_err_oom(err, errlen, swiotlb_alloc_pool_bytes(nslabs, nareas),
				"grown pool of %llu slabs",
				(unsigned long long)nslabs);
		return NULL;
	}
	add_mem_pool(mem, pool);
	if (pool->end > mem->next_dyn_phys)
		mem->next_dyn_phys = pool->end;
	return pool;
}

/* rmem_swiotlb_device_init(): one area, bounce everything, allocations. */
struct io_tlb_mem *swiotlb_restricted_create(uint64_t base, uint64_t size,
					     uint64_t page_size, char *err,
					     size_t errlen)
{
	struct swiotlb_boot_config cfg;
	struct io_tlb_mem *mem;
	struct io_tlb_pool *pool;
	uint64_t nslabs = size >> IO_TLB_SHIFT;

	swiotlb_boot_config_init(&cfg, 1);
	cfg.page_size = page_size;
	cfg.start = base;
	if (check_boot_config(&cfg, err, errlen))
		return NULL;
	if (!size || size % page_size || nslabs > SWIOTLB_MAX_NSLABS) {
		swiotlb_set_err(err, errlen, "restricted pool size %llu is not "
				"a positive multiple of the page size up to "
				"%lu slabs", (unsigned long long)size,
				SWIOTLB_MAX_NSLABS);
		return NULL;
	}
	mem = mem_create(&cfg);
	if (!mem) {
		swiotlb_err_oom(err, errlen, sizeof(*mem), "restricted pool");
		return NULL;
	}
	pool = swiotlb_alloc_pool(base, nslabs, 1);
	if (!pool) {
		free(mem);
		swiotlb_err_oom(err, errlen, swiotlb_alloc_pool_bytes(nslabs, 1),
				"restricted pool of %llu slabs",
				(unsigned long long)nslabs);
		return NULL;
	}
	add_mem_pool(mem, pool);
	mem->default_nslabs = nslabs;
	mem->default_nareas = 1;
	mem->for_alloc = true;
	return mem;
}
