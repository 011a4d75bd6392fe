/* workloads/sizedist_hist.c - exact value counts kept sorted, and their
 * "VALUExCOUNT;..." text. */
#include "workloads/sizedist_hist.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Index of the first bin whose value is >= value. */
static size_t lower_bound(const struct sizedist_hist *h, uint64_t value)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->bins[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where value's bin is remembered. Sizes are mostly page multiples and
 * segment counts small numbers: folding the page number onto the low bits
 * spreads both kinds over the slots. */
static size_t recent_slot(uint64_t value)
{
	return (size_t)(value ^ value >> 12) & (SIZEDIST_RECENT - 1);
}

static void count(struct sizedist_hist *h, size_t i, uint64_t value)
{
	h->bins[i].count++;
	h->total++;
	h->sum += (double)value;
}

size_t sizedist_hist_grow_bytes(const struct sizedist_hist *h)
{
	return (h->cap ? 2 * h->cap : 16) * sizeof(*h->bins);
}

/* A value not in `recent`: its bin found or made. noinline: it keeps the
 * common case below free of its stack frame. */
__attribute__((noinline)) static int add_slow(struct sizedist_hist *h,
					      uint64_t value, uint32_t *recent)
{
	size_t i = lower_bound(h, value);

	if (i == h->n || h->bins[i].value != value) {
		if (h->n == h->cap) {
			struct sizedist_bin *b = realloc(h->bins,
				sizedist_hist_grow_bytes(h));

			if (!b)
				return -1;
			h->bins = b;
			h->cap = h->cap ? 2 * h->cap : 16;
		}
		memmove(&h->bins[i + 1], &h->bins[i],
			(h->n - i) * sizeof(h->bins[0]));
		h->bins[i] = (struct sizedist_bin){ .value = value };
		h->n++;
	}
	*recent = (uint32_t)i;
	count(h, i, value);
	return 0;
}

int sizedist_hist_add(struct sizedist_hist *h, uint64_t value)
{
	uint32_t *recent = &h->recent[recent_slot(value)];
	size_t i = *recent;

	if (i >= h->n || h->bins[i].value != value)
		return add_slow(h, value, recent);
	count(h, i, value);
	return 0;
}

uint64_t sizedist_hist_count(const struct sizedist_hist *h, uint64_t value)
{
	size_t i = lower_bound(h, value);

	return i < h->n && h->bins[i].value == value ? h->bins[i].count : 0;
}

double sizedist_hist_mean(const struct sizedist_hist *h)
{
	return h->total ? h->sum / (double)h->total : 0.0;
}

void sizedist_hist_free(struct sizedist_hist *h)
{
	free(h->bins);
	memset(h, 0, sizeof(*h));
}

int sizedist_hist_write(const struct sizedist_hist *h, FILE *out)
{
	for (size_t i = 0; i < h->n; i++)
		fprintf(out, "%s%" PRIu64 "x%" PRIu64, i ? ";" : "",
			h->bins[i].value, h->bins[i].count);
	return ferror(out) ? -1 : 0;
}
