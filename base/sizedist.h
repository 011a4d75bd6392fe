/* base/sizedist.h - request-size distributions written as text (a
 * fixed size, a uniform range, a weighted mix, a lognormal), parsed once and
 * sampled from a workload's GSL stream. Shared by the storage and network
 * generators.
 *
 * Grammar (spaces around items are ignored)
 * ------------------------------------------
 *   SIZE                    fixed: always SIZE                  "128k"
 *   SIZE-SIZE               uniform over [lo, hi] (see below)   "4k-256k"
 *   SIZE:W,SIZE:W,...       weighted mix, W >= 0, sum > 0       "4k:70,64k:20"
 *   lognormal:MEDIAN,SIGMA  lognormal (see below)               "lognormal:64k,2"
 *
 * SIZE is a whole number of bytes with an optional unit, all 1024-based:
 * k, K, KiB (x 1024), m, M, MiB (x 1024^2), g, G, GiB (x 1024^3). Sizes are
 * 1 byte to SIZEDIST_MAX_BYTES.
 *
 * Uniform: the sizes drawn are lo, lo + step, ..., hi with equal chance,
 * where step is the largest of 4096, 512 and 1 that divides both lo and hi
 * (so "4k-256k" draws 4 KiB-aligned sizes, the page-sized I/O of a block
 * workload; "1k-3k" draws 512-byte sectors; "64-1500" draws any byte
 * count, as packets have). The mean is (lo + hi) / 2.
 *
 * Lognormal: ln(size) is normal with mean ln(MEDIAN) and standard deviation
 * SIGMA (> 0, at most 10); each draw is rounded up to a multiple of 512 and
 * clamped to [512 B, 16 MiB] (SIZEDIST_LOGNORMAL_MIN/MAX). The mean is that
 * of the rounded, clamped distribution, computed exactly (a sum over the
 * 32768 possible sizes) at parse time.
 *
 * Randomness: a fixed size draws nothing from the RNG; uniform and mix draw
 * one number; lognormal draws what gsl_ran_lognormal() draws. The same
 * stream therefore gives the same sizes.
 *
 * A struct sizedist is a plain value (no pointers): copy it freely.
 */
#ifndef SWSIM_BASE_SIZEDIST_H
#define SWSIM_BASE_SIZEDIST_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define SIZEDIST_MAX_BYTES (1ULL << 30)          /* 1 GiB */
#define SIZEDIST_MAX_ENTRIES 64                  /* entries of a mix */
#define SIZEDIST_LOGNORMAL_ROUND 512ULL
#define SIZEDIST_LOGNORMAL_MIN 512ULL
#define SIZEDIST_LOGNORMAL_MAX (16ULL << 20)     /* 16 MiB */
#define SIZEDIST_LOGNORMAL_SIGMA_MAX 10.0

enum sizedist_kind {
	SIZEDIST_FIXED,
	SIZEDIST_UNIFORM,
	SIZEDIST_MIX,
	SIZEDIST_LOGNORMAL,
};

struct sizedist_entry {
	uint64_t size;
	double weight;
	double cumulative;     /* sum of the weights up to and including this */
};

struct sizedist {
	enum sizedist_kind kind;
	uint64_t lo, hi;       /* fixed: lo == hi; uniform: the range; mix and
				  lognormal: the smallest and largest size
				  that can be drawn */
	uint64_t step;         /* uniform: spacing of the sizes drawn */
	double median, sigma;  /* lognormal */
	double mean;           /* exact mean of the sizes drawn */
	size_t n;              /* mix: entries in use */
	struct sizedist_entry entry[SIZEDIST_MAX_ENTRIES];
};

/* Parses `text` into *out. Returns 0, or -1 with a one-line message in err
 * that quotes the text and says what is wrong. */
int sizedist_parse(const char *text, struct sizedist *out, char *err,
		   size_t errlen);

/* Parses one SIZE ("64k", "1500", "2MiB"). Returns 0, or -1 with a
 * message. Exposed for configuration fields that take a single size. */
int sizedist_parse_size(const char *text, uint64_t *out, char *err,
			size_t errlen);

/* One size in bytes, drawn from rng. */
uint64_t sizedist_sample(const struct sizedist *d, gsl_rng *rng);

/* The exact mean of the sizes sizedist_sample() draws, in bytes. */
double sizedist_mean(const struct sizedist *d);
/* Smallest and largest size that can be drawn. */
uint64_t sizedist_min(const struct sizedist *d);
uint64_t sizedist_max(const struct sizedist *d);

/* Writes the distribution back as text in the grammar above, sizes in
 * plain bytes ("131072", "4096-262144", "4096:70,65536:20",
 * "lognormal:65536,2"); parsing it gives the same distribution. Returns
 * what snprintf would (the length needed). */
int sizedist_format(const struct sizedist *d, char *buf, size_t len);

#endif
