/* diagnose/diag_scenario.c - a starter scenario from the reports: the pool,
 * its areas, CoCo and the failing devices as the log shows them, and a
 * guessed workload per device (its failed size, as many in flight as the
 * used slots held), with a sweep of the pool size around it. */
#include "diagnose/diag_text.h"

#include <inttypes.h>
#include <string.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define DEFAULT_CPUS 4
#define DEFAULT_MEMORY (16 * GiB)
#define DEVICE_QUEUE_DEPTH 1024   /* the scenario's device default */
#define SECTOR 512ULL

static void yaml_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static unsigned machine_cpus(const struct diag_log *log)
{
	if (log->m.cpus)
		return log->m.cpus;
	return log->m.nareas_asked ? log->m.nareas_asked : DEFAULT_CPUS;
}

/* Given, or in a CoCo VM the most memory whose 6% rule gives no bigger a
 * pool than the log's (the rule still applies to swiotlb=32768, the
 * default, as swiotlb_adjust_size() does). */
static uint64_t machine_memory(const struct diag_log *log, uint64_t slabs)
{
	uint64_t pool = slabs << IO_TLB_SHIFT;

	if (log->m.memory)
		return log->m.memory;
	if (log->m.coco && pool < GiB)
		return pool * 100 / 6 / MiB * MiB;
	return DEFAULT_MEMORY;
}

/* Whether r[i] is its device's first report: devices are written in the
 * order they first appear. */
static bool first_of_device(const struct diag_report *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(r[j].g->device, r[i].g->device))
			return false;
	return true;
}

/* The device's report with the largest failed map: the one to model. */
static const struct diag_report *largest_of_device(const struct diag_report *r,
						   size_t n, size_t i)
{
	const struct diag_report *best = &r[i];

	for (size_t j = i + 1; j < n; j++)
		if (!strcmp(r[j].g->device, r[i].g->device) &&
		    r[j].g->sz > best->g->sz)
			best = &r[j];
	return best;
}

/* I/Os in flight that hold the used slots, at least one. */
static uint64_t in_flight(const struct diag_report *r)
{
	uint64_t n = r->g->has_counts ? r->g->used_max / r->nslots : 0;

	return n ? n : 1;
}

/* A device slow enough that the submitting CPUs keep its queue full: a
 * request lasts as long as its CPU takes to submit the whole queue at 1
 * byte per ns, slower than any bounce copy (Little's law then puts the
 * queue depth in flight). */
static uint64_t device_latency_ns(const struct diag_log *log,
				  const struct diag_report *r)
{
	uint64_t cpus = machine_cpus(log);

	return (in_flight(r) + cpus - 1) / cpus * r->g->sz;
}

static void write_device(FILE *out, const struct diag_log *log,
			 const struct diag_report *r)
{
	uint64_t flight = in_flight(r);

	fputs("  - name: ", out);
	yaml_string(out, r->g->device);
	fprintf(out, "\n    kind: %s\n", !strcmp(r->g->driver, "nvme") ?
		"nvme" : "generic");
	if (!r->mask_assumed || strcmp(r->g->driver, "nvme"))
		fprintf(out, "    min_align_mask: 0x%" PRIx32 "\n",
			r->min_align_mask);
	if (!log->m.coco && !r->restricted)
		fputs("    bounce: always     # it bounced: why is not in the "
		      "log\n", out);
	if (r->restricted)
		fprintf(out, "    restricted_pool: %" PRIu64 "\n",
			r->g->total << IO_TLB_SHIFT);
	if (flight > DEVICE_QUEUE_DEPTH)
		fprintf(out, "    queue_depth: %" PRIu64 "\n", flight);
	fprintf(out, "    latency: %" PRIu64 "ns   # slow enough to keep "
		"the queue full\n", device_latency_ns(log, r));
}

static void write_workload(FILE *out, const struct diag_log *log,
			   const struct diag_report *r, size_t i)
{
	uint64_t cpus = machine_cpus(log);
	uint64_t size = (r->g->sz + SECTOR - 1) / SECTOR * SECTOR;

	fprintf(out, "  - name: io%zu\n    kind: storage\n    device: ", i);
	yaml_string(out, r->g->device);
	fprintf(out, "\n    size: %" PRIu64 "\n    queue_depth: %" PRIu64
		"     # per CPU: %" PRIu64 " I/Os hold the used slots\n"
		"    huge_page_fraction: 1   # one buffer, one map\n", size,
		(in_flight(r) + cpus - 1) / cpus, in_flight(r));
}

/* The pool the scenario boots with: the log's boot pool, or the total. */
static uint64_t boot_slabs(const struct diag_log *log,
			   const struct diag_report *r)
{
	return log->m.boot_nslabs ? log->m.boot_nslabs : r->g->total;
}

/* The pool the scenario boots with, and the sweep's range around it. */
static void write_swiotlb(FILE *out, const struct diag_log *log,
			  const struct diag_report *r)
{
	uint64_t slabs = boot_slabs(log, r);

	fprintf(out, "swiotlb:\n  coco: %s\n  slabs: %" PRIu64 "\n",
		log->m.coco ? "true" : "false", slabs);
	if (log->m.nareas_asked)
		fprintf(out, "  areas: %" PRIu32 "\n", log->m.nareas_asked);
	if (r->grown || log->m.dynamic)
		fputs("  dynamic: true\n", out);
}

static void write_sweep(FILE *out, const struct diag_report *r)
{
	uint64_t base = r->g->total, lo = IO_TLB_SEGSIZE, hi;

	while (lo * 2 <= base / 2)
		lo *= 2;
	hi = lo * 8;
	if (hi < r->fit_nslabs * 2)
		hi = r->fit_nslabs * 2;
	if (hi > SWIOTLB_MAX_NSLABS)
		hi = SWIOTLB_MAX_NSLABS;
	fputs("sweep:\n  replications: 3\n  vary:\n", out);
	if (r->restricted)
		fprintf(out, "    - key: devices.0.restricted_pool\n"
			"      values: %" PRIu64 "..%" PRIu64 "*2\n",
			lo << IO_TLB_SHIFT, hi << IO_TLB_SHIFT);
	else
		fprintf(out, "    - key: swiotlb.slabs\n      values: %" PRIu64
			"..%" PRIu64 "*2\n", lo, hi);
}

/* Long enough for every device's queue to fill twice over, and then some:
 * the warm-up is two of the slowest device's requests. */
static void write_run(FILE *out, const struct diag_log *log,
		      const struct diag_report *r, size_t n)
{
	uint64_t slowest = 0, ms;

	for (size_t i = 0; i < n; i++)
		if (device_latency_ns(log, &r[i]) > slowest)
			slowest = device_latency_ns(log, &r[i]);
	ms = (slowest * 2 + 999999) / 1000000;
	fprintf(out, "run:\n  duration: %" PRIu64 "ms\n  warmup: %" PRIu64
		"ms\n  sample_interval: %" PRIu64 "ms\n",
		ms * 10 > 200 ? ms * 10 : 200, ms, ms > 2 ? ms / 2 : 1);
}

static void write_header(FILE *out, const struct diag_report *r, size_t n,
			 const char *name)
{
	fprintf(out, "# %s.yaml - a starter scenario written by "
		"`swiotlb-sim explain` from:\n", name);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "#   %s\n", r[i].g->first_line);
	fputs("# The pool, its areas, CoCo and the devices come from the "
	      "log. The workloads\n# are a guess from the failed maps: I/Os "
	      "of that size, as many in flight as\n# the used slots held. "
	      "Put your own workload in (or a trace workload from\n"
	      "# `swiotlb-sim import`), then `swiotlb-sim run` it and "
	      "`swiotlb-sim sweep` it.\n", out);
}

int diag_write_scenario(FILE *out, const struct diag_log *log,
			const struct diag_report *r, size_t n,
			const char *name)
{
	size_t w = 0;

	if (!n)
		return -1;
	write_header(out, r, n, name);
	fputs("description: ", out);
	yaml_string(out, r[0].g->first_line);
	fprintf(out, "\nmachine:\n  cpus: %u\n  memory: %" PRIu64 "\n",
		machine_cpus(log), machine_memory(log, boot_slabs(log, &r[0])));
	write_swiotlb(out, log, &r[0]);
	fputs("devices:\n", out);
	for (size_t i = 0; i < n; i++)
		if (first_of_device(r, i))
			write_device(out, log, largest_of_device(r, n, i));
	fputs("workloads:\n", out);
	for (size_t i = 0; i < n; i++)
		if (first_of_device(r, i))
			write_workload(out, log, largest_of_device(r, n, i),
				       w++);
	write_run(out, log, r, n);
	write_sweep(out, &r[0]);
	return ferror(out) ? -1 : 0;
}
