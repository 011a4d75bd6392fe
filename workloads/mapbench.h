/* workloads/mapbench.h - the kernel's tools/dma/dma_map_benchmark pattern
 * (kernel/dma/map_benchmark.c): T threads, each bound to a CPU, loop
 * map, optional busy delay, unmap of one fixed-size buffer, and report the
 * mean and standard deviation of map and unmap latency.
 *
 * Model (one iteration of one thread, on its CPU)
 * -----------------------------------------------
 * 1. Unless dir is DMA_FROM_DEVICE, the thread stains its buffer (memset of
 *    granule pages) when stain_buffer is set: CPU work of size bytes at the
 *    machine's copy bandwidth (0 ns when that bandwidth is 0).
 * 2. dma_map_single() of the buffer: granule x 4096 bytes at a fixed
 *    page-aligned physical address below 64 GiB drawn per thread from the
 *    workload's RNG (alloc_pages_exact: one contiguous buffer), direction
 *    dir, no alloc_align_mask. Its latency is the map's time on the CPU
 *    (machine_map_result finished - started: the thread reads the clock
 *    when it runs, so time queued behind other work on the CPU is not
 *    counted; lock spinning and the bounce copy are).
 * 3. ndelay(delay_ns): the tool's "DMA is transmitting" busy wait, the
 *    CPU held for delay_ns of wall-clock time however slow it is
 *    (machine_cpu_wait; skipped when 0).
 * 4. dma_unmap_single(); its latency likewise finished - started.
 * A failed map ends the thread, as in the tool (pr_err and out), unless
 * stop_on_failure is false; then the failure is counted and the thread
 * goes on with its next iteration.
 *
 * Statistics: a "request" of struct workload_stats is one iteration
 * (issued when its map is issued, completed when its unmap is done;
 * latency from the stain or map to the unmap's end). Means and standard
 * deviations are over successful iterations, in ns (the tool prints units
 * of 100 ns, truncating each sample; we keep exact ns). The standard
 * deviation is the population one, as the tool's sqrt(E[x^2] - E[x]^2).
 *
 * A loop that costs no simulated time would never let time pass: an
 * iteration that ends at the instant it started (all costs 0 and no delay)
 * ends its thread and counts as stalled; give the machine a non-zero
 * map_call_ns or a delay. Do not run the engine after workload_destroy().
 */
#ifndef SWSIM_WORKLOADS_MAPBENCH_H
#define SWSIM_WORKLOADS_MAPBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "workloads/workload.h"

#define MAPBENCH_PAGE_SIZE 4096ULL
#define MAPBENCH_MAX_GRANULE 1024          /* the tool's limit */
#define MAPBENCH_PHYS_LIMIT (64ULL << 30)

struct mapbench_config {
	const char *device;        /* device name; NULL: the first device */
	const char *cpus;          /* the threads' CPUs; NULL: all */
	/* Threads; 0: one per CPU of the list. More threads than CPUs are
	 * placed round-robin over the list (thread i on cpus[i % n]). */
	uint32_t threads;
	uint32_t granule;          /* pages per map, 1..1024 */
	enum dma_data_direction dir;
	uint64_t delay_ns;         /* busy wait between map and unmap */
	uint64_t iterations;       /* per thread; 0: until stopped */
	bool stain_buffer;         /* memset before each map (not FROM_DEVICE) */
	bool stop_on_failure;      /* a failed map ends the thread */
};

/* Fills cfg with the tool's defaults: first device, all CPUs, one thread
 * per CPU, granule 1, DMA_BIDIRECTIONAL, no delay, no iteration limit,
 * staining on, stop on failure. */
void mapbench_config_init(struct mapbench_config *cfg);

/* Builds the generator on m (RNG stream "workload:<name>"). Returns NULL
 * with a one-line message (bad configuration, unknown device, a map larger
 * than the device's maximum segment, out of memory). */
struct workload *mapbench_new(struct machine *m, const char *name,
			      const struct mapbench_config *cfg, char *err,
			      size_t errlen);

/* Running mean and population variance (Welford), exact in order. */
struct mapbench_moments {
	uint64_t n;
	double mean, m2;
	uint64_t min, max;
};

void mapbench_moments_add(struct mapbench_moments *mo, uint64_t x);
double mapbench_moments_stddev(const struct mapbench_moments *mo);

struct mapbench_stats {
	struct mapbench_moments map_ns, unmap_ns;
	uint32_t threads;
	uint32_t threads_failed;   /* ended by a failed map */
	uint32_t threads_stalled;  /* ended by a zero-time iteration */
	uint32_t threads_running;
};

const struct mapbench_stats *mapbench_stats(const struct workload *w);
/* Bytes of each map: granule x 4096. */
uint64_t mapbench_map_size(const struct workload *w);

#endif
