/* workloads/sizedist_hist.h - exact counts of the sizes a workload used
 * (mapping sizes, request sizes, segments per request), written the way
 * the ground truth's kernel histograms are: "4096x123;131072x45".
 *
 * Contract: a value histogram keeps one (value, count) pair per distinct
 * value, sorted by value; it grows as needed. Zero-initialised is empty
 * and valid. Not for values with many distinct sizes (insertion is linear
 * in the number of distinct values). */
#ifndef SWSIM_WORKLOADS_SIZEDIST_HIST_H
#define SWSIM_WORKLOADS_SIZEDIST_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIZEDIST_RECENT 8

struct sizedist_bin {
	uint64_t value;
	uint64_t count;
};

struct sizedist_hist {
	struct sizedist_bin *bins;   /* sorted by value */
	size_t n, cap;
	uint64_t total;              /* sum of the counts */
	double sum;                  /* sum of value x count */
	/* Bins of values added lately, by a hash of the value: a workload
	 * repeats a few sizes, often in turns, so the next value's bin is
	 * usually here. An entry is checked before use, so one made stale
	 * by an insertion costs a search, never a wrong count. */
	uint32_t recent[SIZEDIST_RECENT];
};

/* Counts `value` once more. Returns 0, or -1 when out of memory (the
 * histogram is unchanged then: sizedist_hist_grow_bytes() is what it
 * asked for). */
int sizedist_hist_add(struct sizedist_hist *h, uint64_t value);
size_t sizedist_hist_grow_bytes(const struct sizedist_hist *h);
/* The count of `value` (0 when never added). */
uint64_t sizedist_hist_count(const struct sizedist_hist *h, uint64_t value);
double sizedist_hist_mean(const struct sizedist_hist *h);
void sizedist_hist_free(struct sizedist_hist *h);

/* "VALUExCOUNT;VALUExCOUNT" in increasing value, "" when empty. Returns 0,
 * or -1 on a write error. */
int sizedist_hist_write(const struct sizedist_hist *h, FILE *out);

#endif
