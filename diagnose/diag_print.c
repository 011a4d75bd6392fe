/* diagnose/diag_print.c - the reports as text: what the log says about the
 * pool, then for each group of full messages what its numbers mean; the
 * verdict and advice are diag_advice.c's. */
#include "diagnose/diag_text.h"

#include <string.h>

static void machine_pool(FILE *out, const struct diag_machine *m)
{
	if (m->no_pool)
		diag_para(out, "  ", "no pool: the kernel printed \"Can not "
			  "allocate SWIOTLB buffer earlier\": the swiotlb was "
			  "never set up (swiotlb=noforce, or no memory at "
			  "boot), so every map that must bounce fails, "
			  "whatever its size.");
	if (m->boot_nslabs)
		diag_para(out, "  ", "boot pool: %llu slots (%s) at 0x%llx.",
			  (unsigned long long)m->boot_nslabs,
			  diag_bytes(m->boot_nslabs << IO_TLB_SHIFT).s,
			  (unsigned long long)m->boot_start);
	if (m->nareas_asked)
		diag_para(out, "  ", "areas: %u asked for (\"area num\"); a "
			  "pool keeps at most one per 128 slots.",
			  m->nareas_asked);
	if (m->shrunk_from)
		diag_para(out, "  ", "boot shortfall: the kernel could not "
			  "allocate %llu slabs in one block and halved the "
			  "pool.", (unsigned long long)m->shrunk_from);
}

void diag_print_machine(FILE *out, const struct diag_log *log)
{
	const struct diag_machine *m = &log->m;

	fputs("swiotlb, as the log shows it:\n", out);
	machine_pool(out, m);
	if (m->coco)
		diag_para(out, "  ", "confidential VM: %s%s.", m->encrypted ?
			  "memory encryption is active, every DMA bounces" :
			  "the arch code sized the pool "
			  "(swiotlb_adjust_size())", m->adjusted_bytes ?
			  diag_coco_rule(m->adjusted_bytes) : "");
	if (m->suppressed)
		diag_para(out, "  ", "rate limit: %llu more full messages were "
			  "suppressed (\"callbacks suppressed\").",
			  (unsigned long long)m->suppressed);
	if (!m->no_pool && !m->boot_nslabs && !m->nareas_asked &&
	    !m->shrunk_from && !m->coco && !m->suppressed)
		diag_para(out, "  ", "no boot lines: give the whole dmesg for "
			  "the pool, its areas and whether the VM is "
			  "confidential, or --areas/--cpus and --coco.");
}

static void print_seen(FILE *out, const struct diag_group *g)
{
	if (g->count < 2)
		return;
	if (g->has_time)
		diag_para(out, "  ", "seen %u times from %.6f s to %.6f s, "
			  "used %llu to %llu.", g->count, g->first_s,
			  g->last_s, (unsigned long long)g->used_min,
			  (unsigned long long)g->used_max);
	else
		diag_para(out, "  ", "seen %u times, used %llu to %llu.",
			  g->count, (unsigned long long)g->used_min,
			  (unsigned long long)g->used_max);
}

static void print_request(FILE *out, const struct diag_report *r)
{
	const struct diag_group *g = r->g;

	diag_para(out, "  request: ", "sz %llu bytes = %u slots of 2 KiB. sz "
		  "is what the search looked for: the mapping plus its offset "
		  "inside the first slot (min_align_mask), rounded up to any "
		  "alignment asked; it can be up to 2 KiB more than the "
		  "driver mapped.", (unsigned long long)g->sz, r->nslots);
	diag_para(out, "  device: ", "%s%s%s; min_align_mask 0x%x%s.",
		  g->device, g->driver[0] ? ", driver " : "", g->driver,
		  r->min_align_mask, !r->mask_assumed ? " (given)" :
		  r->min_align_mask ? " (assumed: the nvme driver sets it; "
		  "--min-align-mask to change)" :
		  " (assumed: --min-align-mask to change)");
}

static void print_pool(FILE *out, const struct diag_report *r)
{
	const struct diag_group *g = r->g;

	diag_para(out, "  pool: ", "total %llu slots (%s)%s; used %llu "
		  "(%.1f%%). used is read after the search, without the area "
		  "locks, and counts transient pools: a rough figure that can "
		  "even exceed total.", (unsigned long long)g->total,
		  diag_bytes(g->total << IO_TLB_SHIFT).s, r->restricted ?
		  ", below the boot pool: a restricted DMA pool of its own" :
		  r->grown ? ", more than a boot pool: pools grown "
		  "(CONFIG_SWIOTLB_DYNAMIC) are counted" : "",
		  (unsigned long long)g->used_max,
		  100.0 * (double)g->used_max / (double)g->total);
}

static void print_fills(FILE *out, const struct diag_report *r)
{
	const struct diag_group *g = r->g;
	char sizes[1100], pool[96];

	if (r->sizes_given)
		snprintf(sizes, sizeof(sizes), "of sizes %s", r->sizes_text);
	else
		snprintf(sizes, sizeof(sizes), "half of %llu bytes, half of "
			 "512 B to 256 KiB", (unsigned long long)g->sz);
	snprintf(pool, sizeof(pool), r->have_here ? "a pool of %llu slots" :
		 "pools of twice, four times ... %llu slots",
		 (unsigned long long)g->total);
	diag_para(out, "  fills: ", "%u seeds, each filling %s in %u "
		  "area(s)%s with random maps (%s) up to the used slots, then "
		  "unmapping and mapping at random until as many slots have "
		  "been mapped again, then asking for this map.",
		  r->have_here ? r->at_max.fills : r->at_fit.fills, pool,
		  r->nareas, r->areas_assumed ? " (assumed: --areas N)" : "",
		  sizes);
}

void diag_print_report(FILE *out, const struct diag_log *log,
		       const struct diag_report *r)
{
	fprintf(out, "\n%s\n", r->g->first_line);
	print_seen(out, r->g);
	print_request(out, r);
	if (r->g->has_counts)
		print_pool(out, r);
	if (r->have_here || r->fit_nslabs)
		print_fills(out, r);
	diag_print_verdict(out, log, r);
}
