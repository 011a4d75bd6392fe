/* diagnose/diag_fill.c - synthetic fills: how often a map of a given size
 * fails in a pool holding a given number of slots, estimated by filling the
 * real allocator with random maps over many seeds. */
#include "diagnose/diagnose.h"

#include "base/rng.h"

#include <stdlib.h>
#include <string.h>

#define RESTRICTED_BASE 0x40000000ULL
#define PAGE 4096ULL
/* Buffers live below 4 GiB; where exactly only matters to min_align_mask. */
#define ORIG_PAGES (1ULL << 20)
/* A fill gives up after this many maps in a row failed: the pool cannot
 * take more of this mix. */
#define FILL_GIVE_UP 8
#define SECTOR 512ULL

/* One seed's allocator: the pool as the log shows it, no transient pools
 * (a fill asks what the pools themselves can serve). */
struct fill_state {
	struct io_tlb_mem *mem;
	struct swiotlb_dev dev;
	gsl_rng *rng;
	uint64_t *live;            /* bounce addresses of live mappings */
	size_t nlive;
	uint64_t mapped_slots;     /* slots taken by every map so far */
	size_t max_map;            /* swiotlb_max_mapping_size() */
	uint32_t ncpus;
};

static bool no_transient(void *ctx, uint64_t bytes)
{
	(void)ctx;
	(void)bytes;
	return false;
}

/* The boot pool, then grown pools (each the kernel's growth size) up to
 * f->nslabs: what a dynamic swiotlb of that total looks like. */
static struct io_tlb_mem *boot_dynamic(const struct diag_fill *f,
				       char *err, size_t errlen)
{
	struct swiotlb_boot_config cfg;
	struct io_tlb_mem *mem;

	swiotlb_boot_config_init(&cfg, f->nareas ? f->nareas : 1);
	cfg.param.nslabs_set = cfg.param.nareas_set = true;
	cfg.param.nslabs = f->boot_nslabs;
	cfg.param.nareas = f->nareas;
	cfg.dynamic = true;
	mem = swiotlb_boot(&cfg, err, errlen);
	while (mem && mem->nslabs < f->nslabs) {
		uint64_t n = swiotlb_dyn_pool_nslabs(mem);
		uint64_t left = f->nslabs - mem->nslabs;

		if (n > left)
			n = (left + IO_TLB_SEGSIZE - 1) / IO_TLB_SEGSIZE *
			    IO_TLB_SEGSIZE;
		if (!swiotlb_grow(mem, 0, n, NULL, err, errlen)) {
			swiotlb_mem_free(mem);
			return NULL;
		}
	}
	return mem;
}

static struct io_tlb_mem *boot_pool(const struct diag_fill *f, char *err,
				    size_t errlen)
{
	struct swiotlb_boot_config cfg;

	if (f->restricted)
		return swiotlb_restricted_create(RESTRICTED_BASE, f->nslabs <<
						 IO_TLB_SHIFT, PAGE, err,
						 errlen);
	if (f->boot_nslabs && f->boot_nslabs < f->nslabs)
		return boot_dynamic(f, err, errlen);
	swiotlb_boot_config_init(&cfg, f->nareas ? f->nareas : 1);
	cfg.param.nslabs_set = cfg.param.nareas_set = true;
	cfg.param.nslabs = f->nslabs;
	cfg.param.nareas = f->nareas;
	return swiotlb_boot(&cfg, err, errlen);
}

/* A buffer for a map of `size` bytes: page-aligned from a page up, else
 * anywhere inside one page on a sector boundary. */
static uint64_t random_orig(struct fill_state *s, uint64_t size)
{
	uint64_t orig = rng_uniform_int(s->rng, ORIG_PAGES) * PAGE;

	if (size < PAGE)
		orig += rng_uniform_int(s->rng, (PAGE - size) / SECTOR + 1) *
			SECTOR;
	return orig;
}

static bool map_one(struct fill_state *s, uint64_t size)
{
	struct swiotlb_work work;
	uint32_t cpu = (uint32_t)rng_uniform_int(s->rng, s->ncpus);
	uint64_t addr;

	if (size > s->max_map)
		size = s->max_map;
	if (!size)
		size = 1;
	/* More slots than are free: it would fail after searching them all. */
	if ((size + 2 * IO_TLB_SIZE - 1) >> IO_TLB_SHIFT >
	    s->mem->nslabs - s->mem->used)
		return false;
	addr = swiotlb_tbl_map_single(&s->dev, cpu, random_orig(s, size), size,
				      0, &work);
	if (addr == SWIOTLB_MAP_ERROR)
		return false;
	s->live[s->nlive++] = addr;
	s->mapped_slots += work.nslots;
	return true;
}

static void unmap_random(struct fill_state *s)
{
	struct swiotlb_work work;
	size_t i = rng_uniform_int(s->rng, s->nlive);

	swiotlb_tbl_unmap_single(&s->dev, s->live[i], &work);
	s->live[i] = s->live[--s->nlive];
}

/* Maps random sizes until `used` slots are in use, or the mix no longer
 * fits: FILL_GIVE_UP failures in a row, or one failure within a segment of
 * the target (a failed search costs a look at the whole pool, and close to
 * the target it is the usual outcome). */
static void fill_to(struct fill_state *s, const struct diag_fill *f)
{
	unsigned failed = 0;

	while (s->mem->used < f->used && failed < FILL_GIVE_UP) {
		if (map_one(s, sizedist_sample(f->sizes, s->rng)))
			failed = 0;
		else if (s->mem->used + IO_TLB_SEGSIZE >= f->used)
			return;
		else
			failed++;
	}
}

/* The probe: one map of probe_bytes on a random CPU, page-aligned buffer.
 * Returns 0 served, 1 no run long enough, 2 a run but not aligned. */
static int probe(struct fill_state *s, const struct diag_fill *f)
{
	struct swiotlb_work work;
	uint32_t cpu = (uint32_t)rng_uniform_int(s->rng, s->ncpus);
	uint64_t nslots = (f->probe_bytes + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT;
	uint64_t addr = swiotlb_tbl_map_single(&s->dev, cpu,
		rng_uniform_int(s->rng, ORIG_PAGES) * PAGE, f->probe_bytes, 0,
		&work);

	if (addr != SWIOTLB_MAP_ERROR) {
		swiotlb_tbl_unmap_single(&s->dev, addr, &work);
		return 0;
	}
	return swiotlb_largest_free_run(s->mem) >= nslots ? 2 : 1;
}

/* Areas of the boot pool (the last in the list): those the kernel built. */
static uint32_t boot_areas(const struct io_tlb_mem *mem)
{
	const struct io_tlb_pool *p = mem->pools;

	while (p->next)
		p = p->next;
	return p->nareas;
}

/* Unmaps a random mapping and fills up again until the used slots have
 * been mapped once more and every first-fill mapping had a turn: the
 * areas' next-fit indexes move on by as much again, and the mappings that
 * live long are left spread behind them, as in a pool in use. */
static void churn(struct fill_state *s, const struct diag_fill *f)
{
	uint64_t target = s->mapped_slots * 2;
	size_t turns = s->nlive;

	while (s->nlive && (turns || s->mapped_slots < target)) {
		unmap_random(s);
		fill_to(s, f);
		if (turns)
			turns--;
	}
}

/* One seed: fill, churn, probe. */
static int fill_once(const struct diag_fill *f, uint64_t seed,
		     struct diag_probe *out, char *err, size_t errlen)
{
	struct swiotlb_env env = { .transient_alloc = no_transient };
	struct fill_state s = { 0 };
	int got;

	s.mem = boot_pool(f, err, errlen);
	if (!s.mem)
		return -1;
	swiotlb_set_env(s.mem, &env);
	swiotlb_dev_init(&s.dev, s.mem, f->min_align_mask, 0xffffffffULL);
	s.max_map = swiotlb_max_mapping_size(&s.dev);
	s.ncpus = s.mem->default_nareas ? s.mem->default_nareas : 1;
	s.live = malloc((s.mem->nslabs + 1) * sizeof(*s.live));
	s.rng = gsl_rng_alloc(sim_rng_mt19937);
	if (!s.live || !s.rng) {
		snprintf(err, errlen, "out of memory");
		free(s.live);
		if (s.rng)
			gsl_rng_free(s.rng);
		swiotlb_mem_free(s.mem);
		return -1;
	}
	gsl_rng_set(s.rng, seed);
	fill_to(&s, f);
	churn(&s, f);
	out->used_reached += (double)s.mem->used;
	out->nareas = boot_areas(s.mem);
	got = probe(&s, f);
	out->failed += got != 0;
	out->no_run += got == 1;
	out->misaligned += got == 2;
	free(s.live);
	gsl_rng_free(s.rng);
	swiotlb_mem_free(s.mem);
	return 0;
}

int diag_fill_run(const struct diag_fill *f, struct diag_probe *out,
		  char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->nslabs = f->nslabs;
	out->used = f->used;
	for (unsigned i = 0; i < f->fills; i++) {
		/* Seeds a fixed stride apart: fills of one estimate never
		 * share a stream, and estimates of one report share theirs. */
		if (fill_once(f, f->seed + 0x9e3779b97f4a7c15ULL * i, out, err,
			      errlen))
			return -1;
		out->fills++;
		if (f->stop_after_failed && out->failed >= f->stop_after_failed)
			break;
	}
	if (out->fills)
		out->used_reached /= out->fills;
	return 0;
}
