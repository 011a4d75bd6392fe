/* bench/bench_alloc.c - how fast the allocator core maps and unmaps: ns per
 * map+unmap pair at fixed pool occupancies, beside the kernel's own figures.
 *
 * Each row boots a 64 MiB pool, fills it with random live mappings to the
 * target occupancy (in slots), then repeats one step: map a new buffer on
 * the next CPU (they take turns), then unmap random live mappings until the
 * occupancy is back at the target. With 4 KiB maps that is exactly one
 * map+unmap pair a step. With the size mix a step is one map attempt plus,
 * on average, one unmap; a failed map still counts as a step, and the
 * failure rate is printed beside it. Time covers the whole step, PRNG and
 * bookkeeping included, so the bookkeeping is kept to what the pattern
 * needs: a live mapping is only its 32-bit offset in the pool (the unmap's
 * work report says how many slots it gave back), and no division anywhere.
 *
 * Usage: bench_alloc [SECONDS_PER_ROW [ROW_SUBSTRING]]   (default 0.5 s,
 * all rows; a substring picks rows, e.g. for a profiler)
 *        bench_alloc -n STEPS [ROW_SUBSTRING]
 * The second form times nothing: each row runs exactly STEPS steps after
 * its fill, so that an instruction count (valgrind --tool=callgrind) of a
 * run with 2N steps less one with N, over N, is the instructions a step.
 */
#include "allocator/swiotlb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* splitmix64: a fixed seed gives every run the same operations. */
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

/* Below n (< 2^32) by multiply and shift: a division here would cost
 * as much as a fair part of what is being measured. */
static uint64_t prng_below(struct prng *r, uint64_t n)
{
	return ((prng_next(r) >> 32) * n) >> 32;
}

#define POOL_SLABS 32768               /* 64 MiB */
#define SEED 0x5eed5eedULL

static const size_t mix_sizes[] = { 512, 1500, 4096, 16384, 65536, 131072,
				    262144 };
#define NMIX (sizeof(mix_sizes) / sizeof(mix_sizes[0]))

struct bench_row {
	const char *name;
	unsigned cpus;
	const char *spec;            /* swiotlb= */
	unsigned occupancy_percent;
	bool size_mix;               /* the mix, or 4 KiB maps only */
	double ref_ns;               /* the kernel's code here; 0: none */
};

/* The kernel's own slot search and release, built in userspace with gcc
 * -O2 on the same machine and driven by the same pattern. The 8-area
 * figure is one number; it is set beside our 50% row. */
static const struct bench_row rows[] = {
	{ "4 KiB, 1 area, 10%", 1, "32768,1", 10, false, 66 },
	{ "4 KiB, 1 area, 50%", 1, "32768,1", 50, false, 56 },
	{ "4 KiB, 1 area, 90%", 1, "32768,1", 90, false, 58 },
	{ "4 KiB, 8 areas, 10%", 8, "32768,8", 10, false, 0 },
	{ "4 KiB, 8 areas, 50%", 8, "32768,8", 50, false, 55 },
	{ "4 KiB, 8 areas, 90%", 8, "32768,8", 90, false, 0 },
	{ "size mix, 1 area, 50%", 1, "32768,1", 50, true, 265 },
};

struct bench {
	const struct bench_row *row;
	struct prng rng;
	struct io_tlb_mem *mem;
	struct swiotlb_dev dev;
	uint64_t base;               /* the pool's first address */
	uint32_t *live;              /* live mappings' offsets from base */
	size_t nlive;
	uint64_t used, target;       /* slots */
	unsigned next_cpu;
	uint64_t steps, failures;
};

static bool bench_init(struct bench *b, const struct bench_row *row)
{
	struct swiotlb_boot_config cfg;
	char err[256];

	*b = (struct bench){ .row = row, .rng = { SEED } };
	swiotlb_boot_config_init(&cfg, row->cpus);
	if (swiotlb_parse_param(row->spec, &cfg.param, err, sizeof(err)) ||
	    !(b->mem = swiotlb_boot(&cfg, err, sizeof(err)))) {
		fprintf(stderr, "%s: boot: %s\n", row->name, err);
		return false;
	}
	swiotlb_dev_init(&b->dev, b->mem, 0, UINT64_MAX);
	b->base = b->mem->pools->start;
	/* Every live mapping holds at least one slot. */
	b->live = malloc(POOL_SLABS * sizeof(*b->live));
	if (!b->live) {
		fprintf(stderr, "out of memory\n");
		swiotlb_mem_free(b->mem);
		return false;
	}
	b->target = (uint64_t)POOL_SLABS * row->occupancy_percent / 100;
	return true;
}

static void bench_free(struct bench *b)
{
	swiotlb_mem_free(b->mem);
	free(b->live);
}

/* Maps one buffer of the row's size on the next CPU; false when FULL. */
static bool map_one(struct bench *b)
{
	struct swiotlb_work w;
	size_t size = b->row->size_mix ?
		      mix_sizes[prng_below(&b->rng, NMIX)] : 4096;
	uint64_t orig = prng_next(&b->rng) & 0xfffffffff000ULL;
	unsigned cpu = b->next_cpu;
	uint64_t addr;

	b->next_cpu = cpu + 1 == b->row->cpus ? 0 : cpu + 1;
	addr = swiotlb_tbl_map_single(&b->dev, cpu, orig, size, 0, &w);
	if (addr == SWIOTLB_MAP_ERROR)
		return false;
	b->live[b->nlive++] = (uint32_t)(addr - b->base);
	b->used += w.nslots;
	return true;
}

static void unmap_random(struct bench *b)
{
	struct swiotlb_work w;
	size_t i = (size_t)prng_below(&b->rng, b->nlive);

	swiotlb_tbl_unmap_single(&b->dev, b->base + b->live[i], &w);
	b->used -= w.nslots;
	b->live[i] = b->live[--b->nlive];
}

/* One step: a map, then unmaps back down to the target occupancy. */
static void step(struct bench *b)
{
	if (!map_one(b))
		b->failures++;
	while (b->used > b->target && b->nlive)
		unmap_random(b);
	b->steps++;
}

/* Fills to the target; returns false when the pool cannot hold it. */
static bool fill(struct bench *b)
{
	unsigned misses = 0;

	while (b->used < b->target)
		if (!map_one(b) && ++misses > 1000)
			return false;
	return true;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs steps in batches until `seconds` have passed; returns ns a step. */
static double timed_slice(struct bench *b, double seconds)
{
	double start = now_seconds(), elapsed;
	uint64_t steps = 0;

	do {
		for (int i = 0; i < 4096; i++)
			step(b);
		steps += 4096;
		elapsed = now_seconds() - start;
	} while (elapsed < seconds);
	return elapsed * 1e9 / (double)steps;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define SLICES 15

struct timing {
	double median, best;        /* ns a step over the slices */
};

/* SLICES timed slices: their median, which a build running beside the
 * bench barely moves, and their best, the figure of a quiet machine (on a
 * shared host interference only ever adds time). */
static struct timing timed_steps(struct bench *b, double seconds)
{
	double ns[SLICES];

	b->steps = b->failures = 0;
	for (int i = 0; i < SLICES; i++)
		ns[i] = timed_slice(b, seconds / SLICES);
	qsort(ns, SLICES, sizeof(ns[0]), cmp_double);
	return (struct timing){ .median = ns[SLICES / 2], .best = ns[0] };
}

static void print_row(const struct bench_row *row, struct timing t,
		      const struct bench *b)
{
	double fail = 100.0 * (double)b->failures / (double)b->steps;

	printf("%-24s %8.1f %8.1f", row->name, t.median, t.best);
	if (row->ref_ns)
		printf(" %6.0f %6.2f %6.2f", row->ref_ns, row->ref_ns / t.median,
		       row->ref_ns / t.best);
	else
		printf(" %6s %6s %6s", "-", "-", "-");
	printf(" %7.2f%% %10llu %8zu\n", fail, (unsigned long long)b->steps,
	       b->nlive);
}

/* The row's pool, filled to its occupancy; false (said on stderr) when
 * that cannot be done. */
static bool row_ready(struct bench *b, const struct bench_row *row)
{
	if (!bench_init(b, row))
		return false;
	if (!fill(b)) {
		fprintf(stderr, "%s: cannot fill to %u%%\n", row->name,
			row->occupancy_percent);
		bench_free(b);
		return false;
	}
	return true;
}

static int run_row(const struct bench_row *row, double seconds)
{
	struct bench b;
	struct timing t;

	if (!row_ready(&b, row))
		return -1;
	/* Warm-up: caches, branch predictors, and a pool that has been
	 * churned a while rather than filled in order. */
	timed_steps(&b, seconds / 4);
	t = timed_steps(&b, seconds);
	print_row(row, t, &b);
	bench_free(&b);
	return 0;
}

/* Fills the row's pool and runs exactly `steps` steps, untimed. */
static int count_row(const struct bench_row *row, uint64_t steps)
{
	struct bench b;

	if (!row_ready(&b, row))
		return -1;
	while (b.steps < steps)
		step(&b);
	printf("%-24s %10llu steps, %llu failed, %zu live\n", row->name,
	       (unsigned long long)b.steps, (unsigned long long)b.failures,
	       b.nlive);
	bench_free(&b);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_alloc [SECONDS_PER_ROW [ROW_SUBSTRING]]\n"
		"       bench_alloc -n STEPS [ROW_SUBSTRING]\n");
	return 2;
}

int main(int argc, char **argv)
{
	bool counted = argc > 1 && !strcmp(argv[1], "-n");
	int arg = counted ? 2 : 1;
	double seconds = argc > arg ? atof(argv[arg]) : 0.5;
	const char *only = argc > arg + 1 ? argv[arg + 1] : "";
	int status = 0;

	if (seconds <= 0 || argc > arg + 2 || (counted && argc < 3))
		return usage();
	if (counted) {
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			if (strstr(rows[i].name, only) &&
			    count_row(&rows[i], (uint64_t)seconds))
				status = 1;
		return status;
	}
	printf("%-24s %8s %8s %6s %6s %6s %8s %10s %8s\n", "row (ns/pair)",
	       "median", "best", "ref", "r/med", "r/best", "fail", "steps",
	       "live");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strstr(rows[i].name, only) && run_row(&rows[i], seconds))
			status = 1;
	printf("median and best of %d slices; ref: the kernel's allocator "
	       "code, userspace,\ngcc -O2, same pattern; r/med, r/best = ref "
	       "over ours: > 1 means this allocator\nis faster.\n", SLICES);
	return status;
}
