/* workloads/tracewl.h - trace replay: a timed op trace (the conformance
 * vocabulary of tests/conformance/FORMAT.md plus t=<ns>, read by optrace in
 * timed mode) issued against the machine at the times it names.
 *
 * Contract
 * --------
 * Times. An op with t=T is issued at start + T (with `rebase_time`, at
 * start + T - the first op's T). Ops with equal times are issued in file
 * order.
 *
 * Lines. `boot`, `grow` and `stats` are ignored (the scenario builds the
 * machine; its growth worker decides growth) and counted. `dev name=X`
 * declares X; X, or the machine name `devnames` maps it to, must be a
 * device of the machine. The device's properties are the machine's: a
 * dev line's min_align_mask / seg_boundary that differ from them are
 * counted as dev_mismatches, not used.
 *
 * map id=K cpu=C dev=X orig=A size=S [align=M] [dir=D] t=T: machine_map on
 * CPU C at its time, direction D (to_device, from_device, bidirectional;
 * default bidirectional). A map that fails (full, atomic pool refused,
 * beyond the DMA mask) is counted and retried after `retry_delay_ns`, again
 * and again, as the block layer requeues, until it succeeds; after
 * `max_retries` failed retries (0: no limit), or at a retry due after
 * stop(), it is abandoned (a drop).
 *
 * unmap id=K t=T and sync id=K dir=cpu|device [size=S] t=T: the unmap format
 * has no cpu= key, so both run on the CPU that mapped K. While K's map has
 * not succeeded yet (still in its CPU's queue, or waiting to retry), they
 * wait behind it and are issued, in trace order, when it succeeds; when it
 * is abandoned they are dropped too. sync size 0 (or absent) means the
 * whole mapping. Unmaps run without DMA_ATTR_SKIP_CPU_SYNC.
 *
 * Errors, each "FILE:LINE: what" (tracewl_error): anything optrace rejects
 * (syntax, unknown keys, t= going backwards, missing t=), a device not in
 * the machine, a dev declared twice, a map naming an undeclared device, a
 * CPU the machine lacks, a size above the device's maximum segment (it
 * could never succeed), a map of a live id, an unmap or sync of an id that
 * is not live, a sync larger than its mapping. With `prevalidate` (the
 * default) start() reads the whole file once first, so these are start()'s
 * errors and the run never begins; otherwise they stop the run where they
 * are found: the workload stops and calls machine_stop().
 *
 * Memory: the trace is read one op ahead of the clock; what is held is the
 * live mappings and the ops waiting behind retried maps, never the file.
 *
 * Requests (struct workload_stats) are the ops map, unmap and sync: issued
 * at their trace time, completed when the machine's callback returns (a
 * map: when an attempt succeeds, so its latency includes retries), dropped
 * when abandoned. requeues counts retries, requeue_wait_ns their delays.
 *
 * Answers: when `answers` is set, one line per op outcome, in the order
 * they happen: "T map K 0xADDR" (or "T map K TRANSIENT"), "T map K FULL"
 * / "T map K DMA_MASK" for each failed attempt, "T map K ABANDONED",
 * "T unmap K", "T sync K", "T skip unmap K" / "T skip sync K" for ops
 * dropped with an abandoned map; T is the time since start in ns.
 */
#ifndef SWSIM_WORKLOADS_TRACEWL_H
#define SWSIM_WORKLOADS_TRACEWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/machine.h"
#include "workloads/workload.h"

/* Delay before a failed map is retried: a 20 us guess (issue #4's
 * default). blk-mq re-runs a queue 3 ms (BLK_MQ_RESOURCE_DELAY) after a
 * driver reported BLK_STS_DEV_RESOURCE with nothing in flight, sooner when
 * a completion restarts it; sweep 10 us - 3 ms. */
#define TRACEWL_DEFAULT_RETRY_DELAY_NS 20000ULL

/* A trace's device name and the machine device it means. */
struct tracewl_devname {
	const char *trace;
	const char *machine;
};

struct tracewl_config {
	/* The timed op trace to replay (required). */
	const char *path;
	/* Renames: a dev line naming `trace` means machine device `machine`;
	 * names not listed mean the machine device of the same name.
	 * Copied. */
	const struct tracewl_devname *devnames;
	size_t ndevnames;
	/* Delay before a failed map is tried again (default 20 us). */
	uint64_t retry_delay_ns;
	/* Failed retries after which a map is abandoned; 0 (default): none. */
	uint32_t max_retries;
	/* Check the whole trace in start() (default true). */
	bool prevalidate;
	/* Subtract the first timed op's t from every t (default false). */
	bool rebase_time;
	/* Where to write answer lines; NULL (default): nowhere. Not owned. */
	FILE *answers;
};

void tracewl_config_init(struct tracewl_config *cfg, const char *path);

struct tracewl_counters {
	uint64_t op_lines;         /* map, unmap and sync lines issued */
	uint64_t ignored_lines;    /* boot, grow, stats */
	uint64_t dev_mismatches;
	uint64_t maps_ok;          /* maps that (eventually) succeeded */
	uint64_t map_attempts_failed;
	uint64_t maps_abandoned;
	uint64_t deferred_ops;     /* unmaps and syncs that waited for a map */
	uint64_t skipped_ops;      /* dropped with an abandoned map */
	uint64_t unmaps_done, syncs_done;
	uint64_t live;             /* the trace's mappings mapped now */
	bool done;                 /* every line was read and issued */
};

/* Builds the generator; the file is opened by start(). Returns NULL with a
 * message (no path, out of memory). */
struct workload *tracewl_new(struct machine *m, const char *name,
			     const struct tracewl_config *cfg, char *err,
			     size_t errlen);

/* The error that stopped the run ("FILE:LINE: what"), or NULL. */
const char *tracewl_error(const struct workload *w);
const struct tracewl_counters *tracewl_counters(const struct workload *w);

#endif
