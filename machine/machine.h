/* machine/machine.h - the simulated computer: CPUs that run DMA-API calls, the
 * swiotlb area spinlocks, DMA devices, the growth worker and the atomic pool,
 * built around the real allocator core and driven by a sim_engine.
 *
 * Contract
 * --------
 * Workload generators see the machine only through this header (and the
 * headers it includes). Everything is a value: no global state, so many
 * machines can run side by side.
 *
 * CPUs. Each CPU runs one work item at a time; the rest wait behind it in
 * FIFO order. Map, unmap and sync run on the CPU named by the caller and take
 * CPU time (see machine/costs.h for every cost). Work issued from a device
 * completion's callback onto the CPU that took the interrupt runs at
 * interrupt priority: it is served before ordinary queued work (but never
 * preempts the item running).
 *
 * Asynchronous calls. machine_map/unmap/sync/cpu_work/device_submit only
 * queue the work and return at once (0, or -1 when out of memory, which
 * stops the run: see machine_fail_oom()). The
 * callback (which may be NULL) fires at the simulated time the work is done:
 * for a map, when the issuing CPU returns from dma_map (with the bounce
 * address, or the failure); for a device request, when its completion
 * interrupt has been handled on the chosen CPU. Callbacks may issue further
 * calls. The result structs they receive live only during the callback.
 *
 * Mappings. A successful map hands out a struct machine_mapping; it stays
 * valid until the caller issues machine_unmap() on it, after which the caller
 * must not touch it (and must not issue a sync on it). A sync issued earlier
 * that an interrupt-priority unmap overtakes on its CPU finds the buffer
 * gone and costs only its call.
 *
 * Time model, and where it approximates the kernel:
 * - The allocator is called when a map starts on its CPU (or, for an unmap,
 *   when the copy-back is done and the slots are released); its state
 *   changes at that instant, not spread over the call.
 * - Each area search in the allocator's work report takes that area's lock
 *   for its search time (area_try + slots examined, + slots written for the
 *   area that served the map). Locks are granted first come first served in
 *   the order ops start: each lock keeps a "free at" time, and an op lays
 *   all its lock holds out when it starts. A later-starting op never slips
 *   into an idle gap before an earlier op's reservation, even if in the
 *   kernel it would have reached that lock first. Searches beyond the work
 *   report's visit[] array cost time but take no lock.
 * - A lock last held by another CPU costs a cache-line transfer for the lock
 *   and one per slot-metadata line the hold touches (an upper bound: every
 *   touched line is assumed dirty in the other CPU's cache; see
 *   enum machine_line_model for a tighter choice). Transient pools' own
 *   locks are never contended; the device's transient-list lock
 *   (dma_io_tlb_lock) is modelled like an area lock.
 * - Interrupt-priority work never preempts the item running (items last
 *   microseconds).
 * - A device serves up to queue_depth requests at once; their transfers
 *   share one link, first come first served at the device's rate (one
 *   direction: reads and writes queue on the same link), and each request
 *   completes its own latency + jitter after its transfer ends.
 * - A device's completions on one CPU share an interrupt while it waits to
 *   run (a driver's handler drains its completion queue: NVMe's nvme_irq,
 *   NAPI): one irq_ns for the batch. An interrupt that finds its CPU idle
 *   costs idle_wakeup_ns more (idle exit and the switch to the woken
 *   task).
 * - CPUs sharing fewer host cores (host_cores) switch between work items
 *   only; a lock holder is never preempted (no lock-holder preemption).
 * - The DMA-mask check comes after the copy; a failing map is unmapped at
 *   once (without a copy back), as swiotlb_map() does.
 * - The growth worker's delay is background time on no CPU; failures while
 *   it runs start no other (the kernel would queue one more run).
 * - The atomic pool is a byte budget: no fragmentation, no background
 *   refill.
 * - Statistics count work in the sampling interval in which it finished.
 * - A map that does not bounce never looks up the pool list at unmap or
 *   sync (the kernel's is_swiotlb_buffer() walks it once the device has
 *   bounced anything in dynamic mode).
 *
 * Randomness comes only from GSL RNG streams derived from the run seed and a
 * stream name (machine_rng_new), one per entity, so a run is a function of
 * its configuration and seed.
 */
#ifndef SWSIM_MACHINE_MACHINE_H
#define SWSIM_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "allocator/swiotlb.h"
#include "machine/costs.h"
#include "engine/engine.h"
#include "base/rng.h"
#include "machine/stats.h"
#include "machine/stats_events.h"
#include "machine/stats_series.h"

/* The kernel's enum dma_data_direction, same values. */
enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
};

/* dma_sync_single_for_cpu() or dma_sync_single_for_device(). */
enum machine_sync_target {
	MACHINE_SYNC_FOR_CPU,
	MACHINE_SYNC_FOR_DEVICE,
};

/* ---- configuration ------------------------------------------------------- */

/* Random extra service time, added to latency + transfer (the sum is
 * clamped at 0). Parameters by kind, in nanoseconds:
 *   EXPONENTIAL: a = mean          GAUSSIAN: a = sigma (mean 0)
 *   UNIFORM:     in [a, b)         LOGNORMAL: a = zeta, b = sigma
 *   GAMMA:       a = shape, b = scale */
enum machine_jitter_kind {
	MACHINE_JITTER_NONE,
	MACHINE_JITTER_EXPONENTIAL,
	MACHINE_JITTER_GAUSSIAN,
	MACHINE_JITTER_UNIFORM,
	MACHINE_JITTER_LOGNORMAL,
	MACHINE_JITTER_GAMMA,
};

struct machine_jitter {
	enum machine_jitter_kind kind;
	double a, b;
};

/* Whether a device's streaming DMA bounces (dma_direct_map_page()'s
 * choice):
 *   AUTO    the kernel's rule: bounce every map when the machine forces
 *           bouncing (machine_config.force_bounce: swiotlb=force, or a
 *           confidential VM), otherwise only a buffer [orig, orig + size)
 *           that lies beyond the device's dma_mask (dma_capable() fails);
 *   ALWAYS  bounce every map, whatever the machine says (a device the
 *           platform does not trust with its memory);
 *   NEVER   never bounce and never fail on the mask (the device does not
 *           take the dma_direct path: an IOMMU translates for it, or a
 *           confidential VM trusts it with private memory).
 * A device with a restricted pool always bounces, into that pool. */
enum machine_bounce {
	MACHINE_BOUNCE_AUTO,
	MACHINE_BOUNCE_ALWAYS,
	MACHINE_BOUNCE_NEVER,
};

/* Restricted pools are placed from here upward in device order, each at
 * the previous one's end rounded up to a page, skipping the default pool. */
#define MACHINE_RESTRICTED_BASE 0x40000000ULL

struct machine_device_config {
	const char *name;          /* unique, non-empty; copied */
	enum machine_bounce bounce;
	uint32_t queue_depth;      /* requests served at once, >= 1 */
	uint64_t latency_ns;       /* fixed part of each request's service */
	double bytes_per_ns;       /* the link's rate, shared by the requests
				      in service; 0: instant */
	struct machine_jitter jitter;
	uint32_t min_align_mask;   /* dma_get_min_align_mask() */
	uint64_t seg_boundary;     /* dma_get_seg_boundary(), 2^k - 1 */
	uint64_t dma_mask;         /* highest address the device can reach */
	/* dma_get_max_seg_size(); 0: none. The device's maximum segment is
	 * the smaller of this and dma_max_mapping_size() (see
	 * machine_device_max_segment()). */
	uint64_t max_segment_size;
	/* A throttle on the whole device, like QEMU's (iops / bps limits):
	 * requests are admitted at most iops_limit per second and
	 * bandwidth_limit bytes per ns, on top of their service time; 0: no
	 * limit. */
	double iops_limit;
	double bandwidth_limit;
	/* Bytes of the device's own restricted DMA pool (a multiple of the
	 * page size, at least one segment), or 0: the device uses the
	 * default swiotlb. Its maps always bounce, into that pool, with its
	 * own area lock; the pool never grows. */
	uint64_t restricted_pool_bytes;
};

/* Fills dc with the defaults of machine/costs.h (an NVMe-like device). */
void machine_device_config_init(struct machine_device_config *dc,
				const char *name);

/* Which slot-metadata cache lines a lock holder fetches from another CPU.
 * TOUCHED (the default): when the lock was last held by another CPU, every
 * line the hold reads or writes (an upper bound: it takes them all to be
 * dirty over there). DIRTY: only lines another CPU wrote under the lock and
 * no CPU has read since, whoever held the lock last (read-only scans of a
 * full area then cost little). */
enum machine_line_model {
	MACHINE_LINES_TOUCHED,
	MACHINE_LINES_DIRTY,
};

struct machine_config {
	unsigned int ncpus;        /* >= 1 */
	/* The allocator's boot configuration; boot.cpus 0 means ncpus. */
	struct swiotlb_boot_config boot;
	/* is_swiotlb_force_bounce() of the default swiotlb (swiotlb=force, or
	 * a confidential VM): every map of a device whose bounce is AUTO
	 * bounces. machine_config_init() sets it (the machine exists to
	 * study bouncing); a run sets it from swiotlb.force and coco. */
	bool force_bounce;
	struct machine_costs costs;
	/* Every CPU cost (the costs above and machine_cpu_work()) takes this
	 * many times longer: a slow or emulated CPU (QEMU's TCG runs a guest
	 * ~50x slower than hardware). > 0; 1: the costs as they are. Device
	 * times and machine_cpu_wait() are not CPU costs and stay. */
	double cpu_slowdown;
	/* Host cores the CPUs run on (a VM's vCPUs on its host); 0: one
	 * each. With fewer, CPUs that have work take turns on the cores,
	 * one work item at a time, first come first served (an
	 * overcommitted host; single-threaded TCG with host_cores 1). An
	 * idle CPU takes no core. */
	unsigned int host_cores;
	/* CONFIG_HZ of the simulated kernel: a timer of some milliseconds
	 * fires on a tick (machine_timer_at()). */
	unsigned int hz;
	enum machine_line_model slot_line_model;
	/* Top of RAM, for dma_addressing_limited(): a device whose DMA mask
	 * reaches all of it and that is not forced to bounce may map segments
	 * of any size. 0: unknown, every device is held to the swiotlb's
	 * maximum mapping size. */
	uint64_t memory_bytes;
	const struct machine_device_config *devices;  /* copied */
	size_t ndevices;
	uint64_t atomic_pool_bytes;        /* budget for transient pools */
	double grow_attempt_fail_prob;     /* in [0, 1] */
	uint64_t sample_interval_ns;       /* 0: no time series */
	size_t event_log_limit;
	uint64_t seed;
};

/* Fills cfg with the defaults of machine/costs.h and the kernel's boot defaults
 * for ncpus CPUs (swiotlb_boot_config_init), and no devices. */
void machine_config_init(struct machine_config *cfg, unsigned int ncpus);

/* ---- life cycle ---------------------------------------------------------- */

struct machine;
struct machine_device;
struct machine_mapping;

/* Builds the machine on `eng` (which it does not own and which must outlive
 * it): boots the allocator, makes CPUs and devices, starts the sampler.
 * Returns NULL with a one-line message in err (bad configuration, the
 * allocator refused, out of memory). */
struct machine *machine_new(const struct machine_config *cfg,
			    struct sim_engine *eng, char *err, size_t errlen);
/* Frees the machine, its allocator and its statistics. Events it scheduled
 * may still sit in the engine: free the machine only when the engine will
 * not run again (or free the engine first). */
void machine_free(struct machine *m);

struct sim_engine *machine_engine(const struct machine *m);
sim_time_t machine_now(const struct machine *m);
/* The configuration as resolved (devices point at the machine's copies;
 * costs multiplied by cpu_slowdown, as they are charged). */
const struct machine_config *machine_config(const struct machine *m);
/* The allocator (the default swiotlb), to read (pools, counters); never
 * call its map/unmap. */
const struct io_tlb_mem *machine_mem(const struct machine *m);
/* Resets io_tlb_used_hiwater, of the default swiotlb and of every
 * restricted pool, as writing 0 to debugfs does (e.g. at the end of a
 * warm-up). */
void machine_reset_hiwater(struct machine *m);

/* ---- running -------------------------------------------------------------- */

/* sim_run / sim_run_until / sim_stop on the machine's engine (see
 * machine_error()). */
uint64_t machine_run(struct machine *m);
uint64_t machine_run_until(struct machine *m, sim_time_t limit);
void machine_stop(struct machine *m);
/* No CPU work, no device request and no growth in progress. */
bool machine_idle(const struct machine *m);

/* Running out of memory stops the run (docs/errors.md): the machine keeps
 * the first failure as "out of memory: WHAT (N bytes)" (WHAT from
 * what_fmt) and the engine returns after the current action; from then on
 * machine_run() and machine_run_until() fire nothing. The machine calls it
 * for its own allocations and the engine's, workloads for theirs; a call
 * that returns -1 for want of memory (machine_map(), ...) has called it. */
void machine_fail_oom(struct machine *m, uint64_t bytes, const char *what_fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* What stopped the run, or NULL while nothing did. Check it after every
 * run call: the results of a stopped run are incomplete. */
const char *machine_error(const struct machine *m);

/* ---- CPUs and devices ------------------------------------------------------ */

unsigned int machine_ncpus(const struct machine *m);
/* Work items on the CPU: the one running plus those waiting. */
size_t machine_cpu_queue_len(const struct machine *m, unsigned int cpu);

size_t machine_ndevices(const struct machine *m);
struct machine_device *machine_device_at(struct machine *m, size_t i);
/* NULL when no device has that name. */
struct machine_device *machine_device_find(struct machine *m,
					   const char *name);
size_t machine_device_index(const struct machine_device *dev);
const char *machine_device_name(const struct machine_device *dev);
const struct machine_device_config *
machine_device_config(const struct machine_device *dev);
/* Largest map the device may ask for: min(max_segment_size,
 * dma_max_mapping_size()), the latter swiotlb_max_mapping_size() for a
 * device that may bounce (forced to, or addressing-limited: its DMA mask
 * below the machine's memory_bytes, or memory_bytes unknown) while the
 * swiotlb has slabs, else unlimited (UINT64_MAX). Callers split larger
 * transfers. */
uint64_t machine_device_max_segment(const struct machine_device *dev);
uint32_t machine_device_in_flight(const struct machine_device *dev);
size_t machine_device_waiting(const struct machine_device *dev);
/* The device's restricted pool (its own io_tlb_mem), or NULL when it uses
 * the default swiotlb. To read; never call its map/unmap. */
const struct io_tlb_mem *
machine_device_restricted(const struct machine_device *dev);
/* is_swiotlb_force_bounce(): whether every map of dev bounces (a
 * restricted pool, ALWAYS, or AUTO on a machine that forces bouncing). */
bool machine_device_force_bounce(const struct machine_device *dev);
/* Whether a map of [orig_addr, +size) by dev bounces (the AUTO rule, the
 * device's policy, a restricted pool), as machine_map() will decide. */
bool machine_device_bounces(const struct machine_device *dev,
			    uint64_t orig_addr, uint64_t size);

/* The device's share of the map/unmap counters (struct stats_counters
 * has the machine's totals). */
struct machine_device_counters {
	uint64_t maps;             /* map calls finished, whatever the outcome */
	uint64_t maps_direct;      /* of those: not bounced (no slots, no copy) */
	uint64_t full_events;      /* refused by the allocator */
	uint64_t mask_failures;    /* beyond the DMA mask */
	uint64_t unmaps;
};
const struct machine_device_counters *
machine_device_counters(const struct machine_device *dev);

/* ---- DMA-API calls --------------------------------------------------------- */

enum machine_map_status {
	MACHINE_MAP_OK,
	MACHINE_MAP_FULL,          /* "swiotlb buffer is full" */
	MACHINE_MAP_FULL_ATOMIC,   /* full, and the atomic pool could not pay
				      for a transient pool */
	MACHINE_MAP_DMA_MASK,      /* bounce address beyond the DMA mask */
};

struct machine_map_result {
	enum machine_map_status status;
	struct machine_mapping *mapping;   /* NULL unless OK */
	uint64_t tlb_addr;                 /* SWIOTLB_MAP_ERROR unless OK */
	bool transient;                    /* served by a transient pool */
	unsigned int cpu;
	struct machine_device *dev;
	uint64_t orig_addr;
	size_t size;
	sim_time_t issued, started, finished;
	sim_time_t lock_wait_ns;
};

struct machine_op_result {
	unsigned int cpu;
	sim_time_t issued, started, finished;
	sim_time_t lock_wait_ns;
};

struct machine_io_result {
	struct machine_device *dev;
	unsigned int cpu;          /* where the interrupt was handled */
	uint64_t bytes;
	sim_time_t submitted, started, completed, handled;
};

typedef void (*machine_map_fn)(struct machine *m, void *ctx,
			       const struct machine_map_result *res);
typedef void (*machine_done_fn)(struct machine *m, void *ctx,
				const struct machine_op_result *res);
typedef void (*machine_io_fn)(struct machine *m, void *ctx,
			      const struct machine_io_result *res);

/* dma_map_page() of [orig_addr, +size) for dev on cpu. When it bounces
 * (machine_device_bounces()): the allocator's swiotlb_tbl_map_single()
 * with alloc_align_mask on the device's pool (its restricted pool, or the
 * default swiotlb), then the copy of size bytes into the bounce buffer
 * (whatever dir is), then the DMA-mask check. Time: map_call + the search
 * under the area locks (+ a transient pool's creation) + the copy. A size
 * beyond machine_device_max_segment() fails as the kernel's does (a full
 * event); callers split. In dynamic mode a failed search also wakes the
 * growth worker. When it needs to bounce (AUTO, beyond the mask) but there
 * is no swiotlb (swiotlb=noforce), it fails as MACHINE_MAP_DMA_MASK.
 * When it does not bounce: map_call only, and the mapping's address is
 * orig_addr (no slots, no copy, no size limit). */
int machine_map(struct machine *m, unsigned int cpu,
		struct machine_device *dev, uint64_t orig_addr, size_t size,
		enum dma_data_direction dir, uint32_t alloc_align_mask,
		machine_map_fn cb, void *ctx);

/* dma_unmap_page() on cpu: the pool lookup, the copy back of the whole
 * mapping for DMA_FROM_DEVICE and DMA_BIDIRECTIONAL unless skip_cpu_sync,
 * then the release under the area lock (or the transient pool's free).
 * A mapping that did not bounce costs unmap_call only. */
int machine_unmap(struct machine *m, unsigned int cpu,
		  struct machine_mapping *mapping, bool skip_cpu_sync,
		  machine_done_fn cb, void *ctx);

/* dma_sync_single_for_{cpu,device}() of the first size bytes on cpu: the
 * pool lookup, and a copy when the mapping's direction calls for one (for
 * CPU: FROM_DEVICE and BIDIRECTIONAL; for device: TO_DEVICE and
 * BIDIRECTIONAL). size <= the mapping's size. A mapping that did not
 * bounce costs sync_call only. */
int machine_sync(struct machine *m, unsigned int cpu,
		 struct machine_mapping *mapping,
		 enum machine_sync_target target, size_t size,
		 machine_done_fn cb, void *ctx);

/* Any other CPU work (a driver's submission path, an application's
 * processing): occupies cpu for duration_ns at native speed, that is
 * duration_ns x cpu_slowdown, queued like the rest. */
int machine_cpu_work(struct machine *m, unsigned int cpu,
		     sim_time_t duration_ns, machine_done_fn cb, void *ctx);
/* A busy wait of duration_ns of wall-clock time (udelay()), whatever the
 * CPU's speed; queued like the rest. */
int machine_cpu_wait(struct machine *m, unsigned int cpu,
		     sim_time_t duration_ns, machine_done_fn cb, void *ctx);
/* When a kernel timer armed now with a delay of delay_ns fires: the delay
 * rounded up to whole ticks of 1/hz (msecs_to_jiffies()), counted from the
 * current tick, so it fires on a tick boundary. */
sim_time_t machine_timer_at(const struct machine *m, sim_time_t delay_ns);

/* Hands a request of `bytes` to the device's DMA queue. It is served when
 * fewer than queue_depth requests are in service (FIFO otherwise): its
 * transfer of bytes / bytes_per_ns waits for the link's earlier transfers,
 * then latency + jitter pass; then its completion interrupt
 * (irq_ns) runs on completion_cpu, queued at interrupt priority, and cb
 * fires when that handler is done. */
int machine_device_submit(struct machine *m, struct machine_device *dev,
			  uint64_t bytes, unsigned int completion_cpu,
			  machine_io_fn cb, void *ctx);

/* ---- mappings -------------------------------------------------------------- */

/* The bounce address, or orig when the map did not bounce. */
uint64_t machine_mapping_addr(const struct machine_mapping *mp);
uint64_t machine_mapping_orig(const struct machine_mapping *mp);
size_t machine_mapping_size(const struct machine_mapping *mp);
enum dma_data_direction machine_mapping_dir(const struct machine_mapping *mp);
struct machine_device *machine_mapping_device(const struct machine_mapping *mp);
bool machine_mapping_transient(const struct machine_mapping *mp);
bool machine_mapping_bounced(const struct machine_mapping *mp);

/* Mappings handed out (their map returned OK) whose unmap has not returned
 * yet: always stats maps_ok - unmaps. */
uint64_t machine_live_mappings(const struct machine *m);
/* Bytes of the atomic pool held by transient pools now. */
uint64_t machine_atomic_used(const struct machine *m);
/* Whether the growth worker is running. */
bool machine_growing(const struct machine *m);

/* ---- statistics ------------------------------------------------------------- */

const struct stats *machine_stats(const struct machine *m);
/* One row per sample_interval_ns, at every multiple of it, for as long as
 * the machine has work or the engine has events; idle stretches are filled
 * in when work resumes. */
const struct stats_series *machine_series(const struct machine *m);
const struct stats_events *machine_events(const struct machine *m);
/* Brings the time series up to now (e.g. at the end of a run): the rows
 * of an idle stretch the sampler skipped, then a row at now for the
 * partial interval since the last row; when now is the last row's time,
 * that row is redone to take in work finished at that instant after it
 * was taken. Then the rows' interval figures add up to the counters.
 * Returns 0, or -1 when out of memory (machine_error() says so). */
int machine_sample(struct machine *m);

/* CSV writers (time series; event log with device names) and the text
 * dump of struct stats. Return 0, or -1 on a write error. */
int machine_write_series_csv(const struct machine *m, FILE *out);
int machine_write_events_csv(const struct machine *m, FILE *out);
int machine_write_stats(const struct machine *m, FILE *out);

/* ---- randomness ------------------------------------------------------------- */

/* A fresh GSL RNG (mt19937, of base/rng.h's type: draw with rng_uniform()
 * and its siblings for speed) seeded from the run seed and `stream` (e.g.
 * "workload:storage0"); the same pair always gives the same sequence, and
 * different names give independent-looking ones. The caller frees it with
 * gsl_rng_free(). NULL with a message in err when out of memory. The
 * machine's own streams are "device:<name>" and "growth". */
gsl_rng *machine_rng_new(const struct machine *m, const char *stream,
			 char *err, size_t errlen);

#endif
