/* workloads/storage.h - an NVMe-like block I/O generator (fio on a raw
 * device with direct I/O): I/Os from a size distribution, split by the
 * block layer into requests and DMA segments, each segment mapped through
 * swiotlb before the request goes to the device, unmapped at completion.
 *
 * Model (what one I/O does)
 * -------------------------
 * 1. An I/O of `size` bytes (drawn from `sizes`; a read with probability
 *    read_fraction) gets a user buffer of whole 4 KiB pages at page-aligned
 *    physical addresses below phys_limit, drawn from the workload's RNG:
 *    with probability huge_page_fraction the buffer is fully contiguous
 *    (backed by a huge page); otherwise each page after the first is the
 *    previous page + 4096 with probability adjacent_page_probability, and a
 *    fresh random page that is *not* adjacent to it otherwise.
 * 2. The block layer cuts the I/O into requests and each request into DMA
 *    segments in one pass over its pages, as bio_split_rw() and
 *    blk_rq_map_sg() do: a page merges into the current segment when it is
 *    physically adjacent, the segment stays within the maximum segment size
 *    (machine_device_max_segment()) and does not cross the device's
 *    seg_boundary; a request ends when the next page would take it beyond
 *    max_transfer_bytes (the device's maximum segment rounded down to 4 KiB:
 *    252 KiB for min_align_mask 0xfff, so 512k -> 252k + 252k + 8k) or would
 *    need segment max_segments + 1 (the block layer splits there rather than
 *    build a request the device cannot take). NVMe's 4 KiB virtual boundary
 *    holds by construction: every segment starts and ends on a page
 *    boundary except the I/O's last byte.
 * 3. All requests of an I/O are submitted, in order, on the submitting
 *    CPU (one hardware queue per CPU, as NVMe has), one at a time: first
 *    submit_cost_ns of CPU (the application, the block layer, the driver),
 *    then blk-mq's direct issue: the request's segments are mapped one
 *    after the other (DMA_FROM_DEVICE for reads, DMA_TO_DEVICE for writes,
 *    no alloc_align_mask, as dma_map_sg does) and its bytes go to the
 *    device.
 * 4. When a map fails, the segments already mapped are unmapped (with
 *    DMA_ATTR_SKIP_CPU_SYNC, as dma_map_sg's error path does): the driver
 *    returns BLK_STS_RESOURCE. retry = BLK_MQ (the kernel's way, per
 *    hardware queue): the request goes to the tail of the dispatch list,
 *    and the queue is run at once on the same CPU. A run takes the whole
 *    list, marks the queue SCHED_RESTART and tries the requests in order
 *    until one fails; the rest go back to the list, and then the queue is
 *    run again at once (a kblockd work item on the CPU) if SCHED_RESTART was
 *    cleared meanwhile, else after BLK_MQ_RESOURCE_DELAY (3 ms, rounded up
 *    to ticks of machine hz; a later arming replaces a pending one: "mod"
 *    semantics). New requests go straight to the driver past the list. A
 *    request that completes clears SCHED_RESTART and runs the queue at once
 *    only when restart_on_completion (drivers that end requests one by
 *    one; NVMe ends them in batches, which do not). retry = FIXED: the
 *    request stays at the head of the CPU's submissions and is tried
 *    again requeue_delay_ns after the unmaps; requests behind it wait. No
 *    request is ever lost or failed.
 * 5. The device's completion interrupt runs on completion_cpu (-1: the
 *    submitting CPU); there the request's segments are unmapped one by one
 *    and complete_cost_ns of CPU follow (the request's end, the
 *    application's reap); then the request is complete. An I/O is
 *    complete when all its requests are.
 * 6. Closed loop: each submitting CPU keeps queue_depth I/Os in flight,
 *    issuing the next when one completes. Open loop: I/Os arrive as a
 *    Poisson process of rate_iops in total (on each submitting CPU a
 *    Poisson process of rate_iops / ncpus); an I/O that arrives while its
 *    CPU has queue_depth I/Os in flight waits in that CPU's backlog (its
 *    latency includes the wait).
 *
 * Statistics: a "request" of struct workload_stats is an I/O (fio's unit):
 * issued when created (or when it arrives), completed when its last
 * block request is; its latency runs from issue to completion; in_flight
 * counts issued I/Os not complete (the backlog included). Maps counts every
 * map call, retries included; map_failures every failed one (the kernel's
 * count of failed swiotlb_tbl_map_single calls); requeues every return of
 * a request to wait after a failure, requeue_wait_ns the time from the
 * end of a failed attempt to the start of the next. write_json adds the
 * block requests, the requests that failed at least once, the queue runs
 * and what started them, splits, segments per request, and the
 * kernel-style histograms of request and mapping sizes.
 *
 * Lifetime: the workload schedules engine events (arrivals, retries) and
 * passes itself to machine callbacks: do not run the engine after
 * workload_destroy().
 */
#ifndef SWSIM_WORKLOADS_STORAGE_H
#define SWSIM_WORKLOADS_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "workloads/sizedist_hist.h"
#include "workloads/workload.h"

/* Defaults. */
#define STORAGE_DEFAULT_QUEUE_DEPTH 32
#define STORAGE_DEFAULT_SIZES "128k"
#define STORAGE_DEFAULT_READ_FRACTION 1.0
#define STORAGE_DEFAULT_RATE_IOPS 10000.0
/* retry = FIXED: the wait before a failed request is tried again (the
 * simulator's earlier model; the kernel has no such delay). */
#define STORAGE_DEFAULT_REQUEUE_DELAY_NS 20000
/* block/blk-mq.c: BLK_MQ_RESOURCE_DELAY, in ms. */
#define STORAGE_RESOURCE_DELAY_NS 3000000ULL
/* BLK_MAX_SEGMENTS; NVMe under the ground-truth kernel reported 64. */
#define STORAGE_DEFAULT_MAX_SEGMENTS 128
#define STORAGE_DEFAULT_PHYS_LIMIT (64ULL << 30)
#define STORAGE_PAGE_SIZE 4096ULL
#define STORAGE_SECTOR_SIZE 512ULL

enum storage_loop {
	STORAGE_CLOSED_LOOP,       /* keep queue_depth I/Os in flight per CPU */
	STORAGE_OPEN_LOOP,         /* Poisson arrivals at rate_iops */
};

/* How a request whose map failed is tried again (point 4 above). */
enum storage_retry {
	STORAGE_RETRY_BLK_MQ,
	STORAGE_RETRY_FIXED,
};

struct storage_config {
	const char *device;        /* device name; NULL: the first device */
	const char *cpus;          /* submitting CPUs ("0-3,6"); NULL: all */
	uint32_t queue_depth;      /* I/Os in flight per submitting CPU, >= 1 */
	const char *sizes;         /* I/O size distribution (sizedist.h);
				      sizes must be multiples of 512 */
	double read_fraction;      /* share of I/Os that are reads, [0, 1] */
	enum storage_loop loop;
	double rate_iops;          /* open loop: I/Os per second, all CPUs */
	double huge_page_fraction; /* share of I/Os with one contiguous buffer */
	double adjacent_page_probability; /* otherwise: next page adjacent */
	enum storage_retry retry;
	uint64_t requeue_delay_ns; /* FIXED: retry delay after a failed map */
	/* BLK_MQ: a completed request reruns a SCHED_RESTART queue. */
	bool restart_on_completion;
	/* CPU per block request, at native speed (machine cpu_slowdown
	 * applies): before its first issue, and after its unmaps. */
	uint64_t submit_cost_ns, complete_cost_ns;
	uint32_t max_segments;     /* DMA segments per request, >= 1 */
	/* Largest request (max_sectors); 0: the device's maximum segment
	 * rounded down to 4 KiB. Otherwise a multiple of 4096. */
	uint64_t max_transfer_bytes;
	int completion_cpu;        /* -1: the submitting CPU */
	uint64_t phys_limit;       /* user buffers lie below this address */
	uint64_t max_ios;          /* stop after issuing this many; 0: never */
};

/* Fills cfg with the defaults (each named above): the first device, all
 * CPUs, queue depth 32, 128k reads in a closed loop, no huge pages and no
 * adjacent pages, blk-mq's retry without restart on completion (NVMe's;
 * 20 us for FIXED), the NVMe per-request CPU costs of machine/costs.h, 128
 * segments, max transfer from the device, completion on the submitting
 * CPU, buffers below 64 GiB, no I/O limit. */
void storage_config_init(struct storage_config *cfg);

/* Builds a storage generator on m (its RNG stream is "workload:<name>").
 * The config's strings are copied. Returns NULL with a one-line message
 * (bad configuration, unknown device, out of memory). */
struct workload *storage_new(struct machine *m, const char *name,
			     const struct storage_config *cfg, char *err,
			     size_t errlen);

/* Figures beyond struct workload_stats. */
struct storage_stats {
	uint64_t reads, writes;            /* I/Os issued */
	uint64_t block_requests;           /* requests made by splitting */
	uint64_t block_requests_done;
	uint64_t split_ios;                /* I/Os that became > 1 request */
	uint64_t segment_limit_splits;     /* request ends forced by
					      max_segments, not size */
	uint64_t dma_mask_failures;        /* of the map failures */
	uint64_t failed_requests;          /* block requests whose map failed
					      at least once */
	uint64_t queue_runs;               /* BLK_MQ: runs of a non-empty
					      dispatch list, by the trigger: */
	uint64_t runs_after_failure;       /* a new request failed */
	uint64_t runs_by_timer;            /* the 3 ms delayed run */
	uint64_t runs_by_restart;          /* at once: a completion or a
					      cleared SCHED_RESTART */
	uint64_t backlog_max;              /* open loop: most I/Os waiting */
	struct sizedist_hist rq_size;      /* bytes of each block request */
	struct sizedist_hist segments;     /* segments of each block request */
	struct sizedist_hist map_size;     /* bytes of each map call */
};

/* The storage figures of a workload made by storage_new(). */
const struct storage_stats *storage_stats(const struct workload *w);
/* The resolved maximum transfer (max_sectors) in bytes. */
uint64_t storage_max_transfer(const struct workload *w);

#endif
