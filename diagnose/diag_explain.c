/* diagnose/diag_explain.c - the verdict on one group of "buffer is full"
 * messages: too large for any pool, out of slots, too small at that
 * occupancy, or fragmented; and the figures that say what would help. */
#include "diagnose/diagnose.h"

#include <string.h>

/* Candidate pools for "the size that fits": doublings of the pool, up to
 * this many times its size. */
#define FIT_MAX_FACTOR 64

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static uint64_t pow2_above(uint64_t v)
{
	uint64_t p = IO_TLB_SEGSIZE;

	while (p <= v)
		p <<= 1;
	return p;
}

/* The failing device's min_align_mask: given, or what its driver sets
 * (NVMe: NVME_CTRL_PAGE_SIZE - 1), or none. */
static uint32_t device_mask(const struct diag_log *log,
			    const struct diag_group *g, bool *assumed)
{
	*assumed = log->m.min_align_mask < 0;
	if (!*assumed)
		return (uint32_t)log->m.min_align_mask;
	return !strcmp(g->driver, "nvme") ? 0xfff : 0;
}

/* Areas asked for: "area num N.", or the CPU count rounded up as the
 * kernel does, or one. */
static uint32_t areas_asked(const struct diag_log *log, bool *assumed)
{
	uint32_t n = 1;

	*assumed = false;
	if (log->m.nareas_asked)
		return log->m.nareas_asked;
	if (log->m.cpus) {
		while (n < log->m.cpus)
			n <<= 1;
		return n;
	}
	*assumed = true;
	return 1;
}

/* The default mix: half the maps of the failed size (the device goes on
 * doing what it did), half spread evenly over the powers of two from 512 B
 * to a segment (the rest of the machine's I/O). */
static void default_mix(uint64_t sz, char *buf, size_t len)
{
	int n = 0;
	size_t used;

	for (uint64_t s = 512; s <= DIAG_SEGMENT_BYTES; s <<= 1)
		n++;
	used = (size_t)snprintf(buf, len, "%llu:%d", (unsigned long long)sz,
				n);
	for (uint64_t s = 512; s <= DIAG_SEGMENT_BYTES && used < len; s <<= 1)
		used += (size_t)snprintf(buf + used, len - used, ",%llu:1",
					 (unsigned long long)s);
}

/* The pool as the log shows it, for the fills. */
static void pool_model(const struct diag_log *log, const struct diag_group *g,
		       struct diag_report *r, struct diag_fill *f)
{
	uint64_t boot = log->m.boot_nslabs;

	f->nslabs = g->total;
	f->nareas = r->nareas;
	r->restricted = boot && g->total < boot;
	r->grown = boot && g->total > boot;
	f->restricted = r->restricted;
	if (r->restricted)
		f->nareas = r->nareas = 1;
	if (r->grown) {
		f->boot_nslabs = boot;
	} else if (!boot && !is_pow2(g->total)) {
		/* A boot pool is a power of two: the rest was grown. */
		f->boot_nslabs = pow2_above(g->total) >> 1;
		r->grown = f->boot_nslabs < g->total;
	}
}

/* The smallest power-of-two pool in which the map fails in at most
 * DIAG_FITS_SHARE of the fills holding the same slots. */
static int find_fit(const struct diag_fill *base, struct diag_report *r,
		    char *err, size_t errlen)
{
	struct diag_fill f = *base;
	uint64_t n = pow2_above(base->nslabs);

	if (n < pow2_above(base->used + r->nslots))
		n = pow2_above(base->used + r->nslots);
	f.restricted = false;
	f.boot_nslabs = 0;
	/* A candidate is out as soon as it failed more than its share. */
	f.stop_after_failed = (unsigned)(DIAG_FITS_SHARE * f.fills) + 1;
	for (; n <= base->nslabs * FIT_MAX_FACTOR && n <= SWIOTLB_MAX_NSLABS;
	     n <<= 1) {
		f.nslabs = n;
		if (diag_fill_run(&f, &r->at_fit, err, errlen))
			return -1;
		if (r->at_fit.failed <= DIAG_FITS_SHARE * r->at_fit.fills) {
			r->fit_nslabs = n;
			return 0;
		}
	}
	return 0;
}

/* Fragmented: the same use in one area, and in a pool twice the size. */
static int alternatives(const struct diag_fill *base, struct diag_report *r,
			char *err, size_t errlen)
{
	struct diag_fill f = *base;

	r->have_alternatives = true;
	f.restricted = false;
	f.boot_nslabs = 0;
	f.nslabs = pow2_above(base->nslabs);
	if (diag_fill_run(&f, &r->doubled, err, errlen))
		return -1;
	if (r->at_max.nareas <= 1)
		return 0;
	f = *base;
	f.nareas = 1;
	return diag_fill_run(&f, &r->one_area, err, errlen);
}

/* The failed map at the highest use seen; when that is not the rule,
 * also at the lowest (the most puzzling moment). */
static int estimate(const struct diag_group *g, const struct diag_fill *base,
		    struct diag_report *r, char *err, size_t errlen)
{
	struct diag_fill f = *base;

	r->have_here = true;
	f.used = g->used_max;
	if (diag_fill_run(&f, &r->at_max, err, errlen))
		return -1;
	r->at_min = r->at_max;
	if (r->at_max.failed >= DIAG_TOO_SMALL_SHARE * r->at_max.fills ||
	    g->used_min == g->used_max)
		return 0;
	f.used = g->used_min;
	return diag_fill_run(&f, &r->at_min, err, errlen);
}

int diag_explain(const struct diag_log *log, const struct diag_group *g,
		 const struct diag_options *o, struct diag_report *r,
		 char *err, size_t errlen)
{
	struct diag_fill f = { 0 };
	struct sizedist mix;

	memset(r, 0, sizeof(*r));
	r->g = g;
	r->nslots = (uint32_t)((g->sz + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT);
	r->min_align_mask = device_mask(log, g, &r->mask_assumed);
	r->nareas = areas_asked(log, &r->areas_assumed);
	if (g->sz > DIAG_SEGMENT_BYTES) {
		r->verdict = DIAG_TOO_LARGE;
		return 0;
	}
	if (!g->has_counts) {
		r->verdict = DIAG_NO_COUNTS;
		return 0;
	}
	r->sizes_given = o->fill_sizes != NULL;
	if (o->fill_sizes)
		snprintf(r->sizes_text, sizeof(r->sizes_text), "%s",
			 o->fill_sizes);
	else
		default_mix(g->sz, r->sizes_text, sizeof(r->sizes_text));
	if (sizedist_parse(r->sizes_text, &mix, err, errlen))
		return -1;
	pool_model(log, g, r, &f);
	f.min_align_mask = r->min_align_mask;
	f.used = g->used_max;
	f.probe_bytes = g->sz;
	f.sizes = &mix;
	f.fills = o->fills;
	f.seed = o->seed;
	if (g->used_max + r->nslots > g->total) {
		r->verdict = DIAG_FULL;
		return find_fit(&f, r, err, errlen);
	}
	if (estimate(g, &f, r, err, errlen))
		return -1;
	if (r->at_max.failed >= DIAG_TOO_SMALL_SHARE * r->at_max.fills) {
		r->verdict = DIAG_TOO_SMALL;
		return find_fit(&f, r, err, errlen);
	}
	r->verdict = DIAG_FRAGMENTED;
	return alternatives(&f, r, err, errlen);
}
