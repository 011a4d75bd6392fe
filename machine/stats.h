/* machine/stats.h - the machine's running statistics: counters, per-CPU and
 * per-area figures, and GSL histograms, updated as events happen.
 *
 * Contract: the machine owns one struct stats and is its only writer; every
 * reader gets const views. Nothing here knows about time passing: callers
 * pass durations in nanoseconds. Histograms have log-spaced bins from 1 ns
 * to 1000 s (STATS_HIST_BINS_PER_DECADE per decade); values outside are
 * clamped into the first or last bin, and the exact sum, minimum and
 * maximum are kept beside each histogram.
 */
#ifndef SWSIM_MACHINE_STATS_H
#define SWSIM_MACHINE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_histogram.h>

#define STATS_HIST_DECADES 12
#define STATS_HIST_BINS_PER_DECADE 20
#define STATS_HIST_BINS (STATS_HIST_DECADES * STATS_HIST_BINS_PER_DECADE)

/* Machine-wide totals since the start of the run. */
struct stats_counters {
	uint64_t maps;             /* map calls finished, whatever the outcome */
	uint64_t maps_ok;
	uint64_t maps_direct;      /* maps that did not bounce (no slots) */
	uint64_t full_events;      /* maps the allocator refused ("swiotlb
				      buffer is full"), atomic refusals included */
	uint64_t atomic_refusals;  /* of those: the atomic pool could not pay
				      for a transient pool */
	uint64_t mask_failures;    /* bounce address beyond the DMA mask */
	uint64_t unmaps, syncs;
	uint64_t bytes_copied;
	uint64_t copy_ns;          /* CPU time spent in bounce copies */
	uint64_t transient_made, transient_freed;
	uint64_t grow_started, pools_added, grow_failed;
	uint64_t lock_acquisitions, lock_handoffs, lock_wait_ns;
	uint64_t io_submitted, io_completed, io_bytes;
	uint64_t irqs, work_items;
	uint64_t busy_ns;          /* CPU time of all work, spins included */
};

/* One CPU's share. */
struct stats_cpu {
	uint64_t ops;              /* work items finished */
	uint64_t busy_ns;          /* running work, spinning included */
	uint64_t lock_wait_ns;     /* spinning on a held lock */
	uint64_t copy_ns;          /* bounce copies */
};

/* One area lock of one pool (pool_id as in io_tlb_pool.id, unique within
 * its io_tlb_mem). */
struct stats_area {
	uint32_t pool_id, area;
	int32_t device;            /* -1: the default swiotlb; else the index
				      of the device whose restricted pool */
	uint64_t acquisitions;
	uint64_t handoffs;         /* acquisitions from a different CPU */
	uint64_t lock_wait_ns;     /* spun by CPUs waiting for it */
	uint64_t hold_ns;          /* held, handoff costs included */
};

/* A histogram and the exact moments beside it. */
struct stats_hist {
	gsl_histogram *h;
	uint64_t n, sum, min, max;
	/* bin_lo[i]: the smallest integer in bin i (ceil of its lower range),
	 * so that adding a value compares integers only. */
	uint64_t bin_lo[STATS_HIST_BINS + 1];
	/* first_bin[16 e + t]: the bin of the smallest value whose leading
	 * bit is bit e and whose next four bits are t. Such a slice spans at
	 * most 1/16 of an octave, less than a bin, so a value is at most one
	 * bin above its slice's entry. */
	uint8_t first_bin[64 * 16];
};

struct stats;

/* NULL with a message in err when out of memory. */
struct stats *stats_new(unsigned int ncpus, char *err, size_t errlen);
void stats_free(struct stats *s);

/* ---- reading ---- */
const struct stats_counters *stats_counters(const struct stats *s);
unsigned int stats_ncpus(const struct stats *s);
const struct stats_cpu *stats_cpu(const struct stats *s, unsigned int cpu);
size_t stats_nareas(const struct stats *s);
const struct stats_area *stats_area(const struct stats *s, size_t i);
/* Map latency, issue to the CPU's return, every map (failed ones too). */
const struct stats_hist *stats_map_latency(const struct stats *s);
/* Spin time of each lock acquisition (0 included). */
const struct stats_hist *stats_lock_wait(const struct stats *s);
/* Device I/O, submit to the end of its completion interrupt. */
const struct stats_hist *stats_io_latency(const struct stats *s);
/* The q-quantile (0 <= q <= 1) from the histogram, interpolated within a
 * bin on the log scale; 0 when the histogram is empty. */
double stats_hist_quantile(const struct stats_hist *hist, double q);
double stats_hist_mean(const struct stats_hist *hist);

/* Writes every counter, per-CPU and per-area figure and histogram as
 * "key value" lines (a debugging and determinism aid; the output module
 * writes the real summary). Returns 0, or -1 on a write error. */
int stats_write_text(const struct stats *s, FILE *out);

/* ---- writing (the machine only) ---- */
struct stats_counters *stats_counters_mut(struct stats *s);
struct stats_cpu *stats_cpu_mut(struct stats *s, unsigned int cpu);
/* Adds an area of the default swiotlb (device -1); returns its index, or
 * -1 with a message in err when out of memory. */
long stats_area_add(struct stats *s, uint32_t pool_id, uint32_t area,
		    char *err, size_t errlen);
struct stats_area *stats_area_mut(struct stats *s, size_t i);
/* Inline, with the bin search: every map, lock hold and I/O adds one. */
static inline void stats_hist_add(struct stats_hist *hist, uint64_t value);
/* A histogram of its own (for workloads' statistics): the same log bins.
 * init returns 0, or -1 with a message in err when out of memory. */
int stats_hist_init(struct stats_hist *hist, char *err, size_t errlen);
/* Empties it (a measured span starts afresh). */
void stats_hist_clear(struct stats_hist *hist);
void stats_hist_free(struct stats_hist *hist);
struct stats_hist *stats_map_latency_mut(struct stats *s);
struct stats_hist *stats_lock_wait_mut(struct stats *s);
struct stats_hist *stats_io_latency_mut(struct stats *s);

/* The slice of value in first_bin: its leading bit's position and the
 * four bits after it (shifting the leading bit to the top and keeping five
 * bits works for values under 16 too). */
static inline size_t stats_hist_slice(uint64_t value)
{
	unsigned int e = 63u - (unsigned int)__builtin_clzll(value | 1);

	return e * 16 + (size_t)((value << (63 - e)) >> 59 & 15);
}

/* The bin of value: the last bin whose integer lower bound it reaches. The
 * slice's entry is its first value's bin; below 16 a slice holds one value,
 * above it spans less than a bin, so the value is at most one bin on.
 * (gsl_histogram_increment's binary search over doubles cost a tenth of a
 * run.) */
static inline size_t stats_hist_bin(const struct stats_hist *hist,
				    uint64_t value)
{
	const uint64_t *lo = hist->bin_lo;
	size_t b = hist->first_bin[stats_hist_slice(value)];

	b += value >= lo[b + 1];
	/* lo[STATS_HIST_BINS] is the end of the last bin: clamp. */
	return b < STATS_HIST_BINS ? b : STATS_HIST_BINS - 1;
}

static inline void stats_hist_add(struct stats_hist *hist, uint64_t value)
{
	/* Values outside [1 ns, 1000 s) land in the first or last bin; the
	 * first is common (a lock taken without spinning waits 0 ns). */
	hist->h->bin[value < hist->bin_lo[1] ? 0 :
		     stats_hist_bin(hist, value)] += 1.0;
	hist->n++;
	hist->sum += value;
	if (value < hist->min)
		hist->min = value;
	if (value > hist->max)
		hist->max = value;
}

#endif
