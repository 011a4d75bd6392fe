/* machine/stats_series.h - the time series: one row of machine state per
 * sampling interval, kept in memory for an output module to write.
 *
 * Contract: rows are appended in time order and never change afterwards,
 * except that the last row may be replaced by a row for the same time
 * (to take in work that finished at that very instant after it was taken).
 * Each row has the fixed fields of struct stats_row plus `nareas` per-area
 * used-slot counts (area i summed over all non-transient pools). Interval
 * figures (maps, full events, lock wait, shares) cover (time - interval_ns,
 * time]; work is counted in the interval in which it finished.
 */
#ifndef SWSIM_MACHINE_STATS_SERIES_H
#define SWSIM_MACHINE_STATS_SERIES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct stats_row {
	uint64_t time_ns;          /* end of the interval */
	uint64_t interval_ns;      /* its length (the last row may be short) */
	uint64_t used_slots;       /* io_tlb_used, transient slots included */
	uint64_t transient_slots;  /* io_tlb_transient_nslabs */
	uint64_t nslabs;           /* all non-transient pools */
	uint64_t hiwater;          /* io_tlb_used_hiwater */
	uint64_t maps;             /* maps finished in the interval */
	double maps_per_s;
	uint64_t full_events;      /* in the interval */
	uint64_t transient_pools;  /* alive at the end of the interval */
	uint64_t pools;            /* non-transient pools */
	uint64_t lock_wait_ns;     /* spun in the interval, all locks */
	double copy_cpu_share;     /* copy time / (interval x CPUs) */
	double busy_cpu_share;     /* busy time / (interval x CPUs) */
	uint32_t largest_free_run; /* swiotlb_largest_free_run() */
};

struct stats_series;

/* NULL with a message in err when out of memory. */
struct stats_series *stats_series_new(uint32_t nareas, char *err,
				      size_t errlen);
void stats_series_free(struct stats_series *s);

/* Appends a row and its nareas per-area counts; returns 0, or -1 with a
 * message in err when out of memory (the row is then lost). */
int stats_series_append(struct stats_series *s, const struct stats_row *row,
			const uint64_t *area_used, char *err, size_t errlen);

/* Replaces the last row (there must be one) and its per-area counts. */
void stats_series_replace_last(struct stats_series *s,
			       const struct stats_row *row,
			       const uint64_t *area_used);

size_t stats_series_len(const struct stats_series *s);
uint32_t stats_series_nareas(const struct stats_series *s);
const struct stats_row *stats_series_row(const struct stats_series *s,
					 size_t i);
/* The row's nareas per-area used-slot counts. */
const uint64_t *stats_series_area_used(const struct stats_series *s,
				       size_t i);

/* Writes a header line and every row as CSV (columns: time_ns,
 * interval_ns, used_slots, transient_slots, nslabs, hiwater, maps,
 * maps_per_s, full_events, transient_pools, pools, lock_wait_ns,
 * copy_cpu_share, busy_cpu_share, largest_free_run, area0_used, ...).
 * Returns 0, or -1 on a write error. */
int stats_series_write_csv(const struct stats_series *s, FILE *out);

#endif
