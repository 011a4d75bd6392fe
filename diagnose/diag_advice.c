/* diagnose/diag_advice.c - the verdict on a group of full messages and
 * what to do about it, in words, from the figures diag_explain() found. */
#include "diagnose/diag_text.h"

#include <string.h>

#define GiB (1ULL << 30)
#define COCO_CAP GiB
/* A failure share at or below this is "rare" for random traffic. */
#define RARE_SHARE 0.05
/* Lines that carry on the verdict's paragraph. */
#define VERDICT_INDENT "           "

const char *diag_verdict_name(const struct diag_report *r)
{
	switch (r->verdict) {
	case DIAG_TOO_LARGE: return "too large for any pool";
	case DIAG_NO_COUNTS: return "no counts";
	case DIAG_FULL: return "pool full";
	case DIAG_TOO_SMALL: return "pool too small";
	case DIAG_FRAGMENTED: break;
	}
	if (!r->at_max.failed)
		return "fragmentation or alignment";
	return r->at_max.misaligned > r->at_max.no_run ? "alignment" :
	       "fragmentation";
}

static double share(const struct diag_probe *p)
{
	return p->fills ? (double)p->failed / p->fills : 0;
}

static void too_large(FILE *out, const struct diag_report *r)
{
	struct swiotlb_dev dev;

	swiotlb_dev_init(&dev, NULL, r->min_align_mask, 0xffffffffULL);
	diag_para(out, "  verdict: ", "too large for any pool. One map must "
		  "fit inside one segment of 128 slots (256 KiB) and this one "
		  "needs %u slots: no pool size, area count or growth serves "
		  "it (a dynamic swiotlb refuses it before searching). The "
		  "words \"buffer is full\" mislead here: the pool's size is "
		  "not the problem.", r->nslots);
	fputs("  what to do:\n", out);
	diag_para(out, "    - ", "the driver%s%s must keep every mapping "
		  "within dma_max_mapping_size(): %s for this device "
		  "(swiotlb_max_mapping_size(): 256 KiB less the "
		  "min_align_mask rounding). Find the layer that built a "
		  "%llu-byte mapping (the driver's own buffers, or a block "
		  "queue's max_sectors_kb or max_segment_size) and cap it "
		  "there.", r->g->driver[0] ? " " : "", r->g->driver,
		  diag_bytes(swiotlb_max_mapping_size(&dev)).s,
		  (unsigned long long)r->g->sz);
	diag_para(out, "    - ", "or keep this device's DMA off the "
		  "swiotlb: an IOMMU that translates for it, or (outside a "
		  "confidential VM) a DMA mask that reaches all of memory.");
}

static void coco_sizing(FILE *out, const struct diag_log *log,
			uint64_t want_bytes)
{
	const struct diag_machine *m = &log->m;
	char param[64];

	diag_param(param, sizeof(param), want_bytes >> IO_TLB_SHIFT, false);
	if (m->adjusted_bytes >= COCO_CAP || (m->coco && want_bytes > COCO_CAP))
		diag_para(out, "    - ", "in a confidential VM the 6%% rule "
			  "sizes the pool (6%% of memory, 64 MiB to 1 GiB) "
			  "and caps it at 1 GiB: more memory does not raise "
			  "it past that. Only the kernel command line goes "
			  "beyond: %s (swiotlb_adjust_size() leaves a size "
			  "given there alone). The pool is shared memory set "
			  "aside at boot, taken from the guest.", param);
	else if (m->adjusted_bytes)
		diag_para(out, "    - ", "the 6%% rule sized this pool from "
			  "the guest's memory: %s of memory gives %s; %s sets "
			  "it directly, whatever the memory.",
			  diag_bytes(want_bytes / 6 * 100).s,
			  diag_bytes(want_bytes).s, param);
	else if (m->coco)
		diag_para(out, "    - ", "in a confidential VM the pool is 6%% "
			  "of memory (64 MiB to 1 GiB) unless swiotlb= gives "
			  "its size.");
}

static void dynamic_advice(FILE *out, const struct diag_log *log,
			   const struct diag_report *r)
{
	if (r->grown || log->m.dynamic)
		diag_para(out, "    - ", "the swiotlb is dynamic: this map "
			  "failed in every pool and then got no transient "
			  "pool (in a confidential VM those come from the "
			  "atomic DMA pool, whose size coherent_pool= sets). "
			  "A bigger boot pool avoids the growth delay and the "
			  "transient pools.");
	else
		diag_para(out, "    - ", "or a kernel built with "
			  "CONFIG_SWIOTLB_DYNAMIC=y: a failed search adds a "
			  "pool (the boot size, at most 4 MiB on x86) in the "
			  "background and gives the map a transient pool "
			  "meanwhile, taken without sleeping (in a "
			  "confidential VM from the atomic DMA pool, "
			  "coherent_pool=), so bursts can still fail.");
}

/* Full or too small: the size that fits, and the ways to get it. */
static void sizing(FILE *out, const struct diag_log *log,
		   const struct diag_report *r)
{
	char param[64], fills[64];

	fputs("  what to do:\n", out);
	if (r->restricted) {
		diag_para(out, "    - ", "this is a restricted DMA pool: its "
			  "size is the device tree's restricted-dma-pool "
			  "node's, not swiotlb='s. Make that region bigger.");
	}
	if (r->fit_nslabs) {
		diag_param(param, sizeof(param), r->fit_nslabs, false);
		diag_share(fills, sizeof(fills), r->at_fit.failed,
			   r->at_fit.fills);
		diag_para(out, "    - ", "%s%s (%s): the smallest power-of-two "
			  "pool (the kernel rounds to one) in which this map "
			  "failed in at most 1%% of the fills holding the same "
			  "%llu slots (here %s). A lower bound: used counts "
			  "what was mapped when the map failed, not the "
			  "requests queued behind it; sweep the starter scenario (--scenario) "
			  "to size it for the real load.", r->restricted ?
			  "a region as big as " : "", param,
			  diag_bytes(r->fit_nslabs << IO_TLB_SHIFT).s,
			  (unsigned long long)r->g->used_max, fills);
	} else {
		diag_para(out, "    - ", "no pool up to %d times this one "
			  "served this map in 99%% of fills at that use: "
			  "size it with a sweep of the starter scenario "
			  "(--scenario).", 64);
	}
	if (r->restricted)
		return;
	coco_sizing(out, log, (r->fit_nslabs ? r->fit_nslabs :
			       r->g->total * 2) << IO_TLB_SHIFT);
	dynamic_advice(out, log, r);
}

static void full(FILE *out, const struct diag_log *log,
		 const struct diag_report *r)
{
	const struct diag_group *g = r->g;

	if (g->used_max >= g->total)
		diag_para(out, "  verdict: ", "pool full. used (%llu) is at or "
			  "above total: the pool was out of slots (read "
			  "without the locks and counting transient pools, "
			  "used can pass total).",
			  (unsigned long long)g->used_max);
	else
		diag_para(out, "  verdict: ", "pool full. %llu slots were "
			  "free and the map needed %u: however they lay, the "
			  "pool could not hold it. The in-flight demand is "
			  "above the pool.",
			  (unsigned long long)(g->total - g->used_max),
			  r->nslots);
	sizing(out, log, r);
}

static void too_small(FILE *out, const struct diag_log *log,
		      const struct diag_report *r)
{
	char fills[64];

	diag_share(fills, sizeof(fills), r->at_max.failed, r->at_max.fills);
	diag_para(out, "  verdict: ", "pool too small. %.1f%% in use, and "
		  "at that use a map of %u slots failed in %s: failing is "
		  "the rule there, not bad luck. The in-flight demand is "
		  "above what the pool holds in maps of this size.",
		  100.0 * (double)r->g->used_max / (double)r->g->total,
		  r->nslots, fills);
	sizing(out, log, r);
}

/* Where a map of this size may start: every slot, or every stride-th. */
static unsigned start_stride(const struct diag_report *r,
			     const char **why)
{
	uint64_t alloc_align = 0, iotlb;

	if (!r->min_align_mask && r->g->sz >= 4096)
		alloc_align = 4095;
	alloc_align |= IO_TLB_SIZE - 1;
	iotlb = r->min_align_mask & ~alloc_align;
	*why = iotlb ? "the buffer's address bits under min_align_mask must "
		       "match the slot's" : r->g->sz >= 4096 ?
		       "a map of a page or more starts on a page" :
		       "any slot will do";
	return (unsigned)(((alloc_align > iotlb ? alloc_align : iotlb) >>
			   IO_TLB_SHIFT) + 1);
}

static void fragmented(FILE *out, const struct diag_report *r)
{
	const struct diag_group *g = r->g;
	char fills[64], other[64], param[64];
	const char *why;
	unsigned stride = start_stride(r, &why);

	diag_share(fills, sizeof(fills), r->at_max.failed, r->at_max.fills);
	diag_para(out, "  verdict: ", "%s. Only %.1f%% in use (%llu slots "
		  "free), yet no %u free slots in a row at an allowed start "
		  "in any area. At this use the map failed in %s: %u for want "
		  "of any free run of %u slots (fragmentation), %u with a "
		  "run long enough but no allowed start (alignment: starts "
		  "every %u slot(s), as %s).", diag_verdict_name(r),
		  100.0 * (double)g->used_max / (double)g->total,
		  (unsigned long long)(g->total - g->used_max), r->nslots,
		  fills, r->at_max.no_run, r->nslots, r->at_max.misaligned,
		  stride, why);
	if (g->used_min != g->used_max) {
		diag_share(other, sizeof(other), r->at_min.failed,
			   r->at_min.fills);
		diag_para(out, VERDICT_INDENT, "At the lowest use seen "
			  "(%llu) it failed in %s.", (unsigned long long)g->used_min, other);
	}
	if (share(&r->at_max) <= RARE_SHARE)
		diag_para(out, VERDICT_INDENT, "Rare for random traffic at "
			  "this use: "
			  "suspect a pattern that pins slots across every "
			  "segment (many long-lived small mappings, such as "
			  "receive rings), or a moment of higher use than "
			  "used shows.");
	fputs("  what helps:\n", out);
	diag_param(param, sizeof(param), r->doubled.nslabs, false);
	diag_share(other, sizeof(other), r->doubled.failed, r->doubled.fills);
	diag_para(out, "    - ", "a bigger pool (%s, %s): at the same use "
		  "the map failed in %s.", param,
		  diag_bytes(r->doubled.nslabs << IO_TLB_SHIFT).s, other);
	if (r->one_area.fills) {
		diag_param(param, sizeof(param), g->total, true);
		diag_share(other, sizeof(other), r->one_area.failed,
			   r->one_area.fills);
		diag_para(out, "    - ", "one area (%s): the map failed in %s; "
			  "but one area is one lock for every CPU.", param,
			  other);
	}
	diag_para(out, "    - ", "fewer long-lived small mappings beside "
		  "the large ones, or smaller maps from this driver; sweep "
		  "swiotlb.slabs and swiotlb.areas in the starter scenario "
		  "(--scenario).");
}

void diag_print_verdict(FILE *out, const struct diag_log *log,
			const struct diag_report *r)
{
	switch (r->verdict) {
	case DIAG_TOO_LARGE:
		too_large(out, r);
		break;
	case DIAG_NO_COUNTS:
		diag_para(out, "  verdict: ", "no counts: kernels before 5.0 "
			  "printed only the size. The map needs %u slots, "
			  "within one segment, so the pool was out of room "
			  "(full, or fragmented); "
			  "/sys/kernel/debug/swiotlb/io_tlb_used shows the "
			  "use.", r->nslots);
		break;
	case DIAG_FULL:
		full(out, log, r);
		break;
	case DIAG_TOO_SMALL:
		too_small(out, log, r);
		break;
	case DIAG_FRAGMENTED:
		fragmented(out, r);
		break;
	}
}
