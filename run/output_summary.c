/* run/output_summary.c - a run's figures after the warm-up: the snapshot
 * they are measured from, summary.json, and the human summary. */
#include "run/output_impl.h"

#include "base/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The bytes gsl_histogram_clone() of h asks for. */
static size_t hist_bytes(const gsl_histogram *h)
{
	return sizeof(*h) + (2 * h->n + 1) * sizeof(double);
}

int run_snapshot_take(struct run_snapshot *s, const struct machine *m,
		      char *err, size_t errlen)
{
	const struct stats *st = machine_stats(m);
	const struct stats_hist *lat = stats_map_latency(st);
	unsigned int ncpus = machine_ncpus(m);
	size_t ndev = machine_ndevices(m), nd = ndev ? ndev : 1;

	memset(s, 0, sizeof(*s));
	s->time_ns = machine_now(m);
	s->counters = *stats_counters(st);
	s->map_latency = *lat;
	s->map_latency.h = gsl_histogram_clone(lat->h);
	if (!s->map_latency.h)
		return error_gsl_oom(err, errlen, hist_bytes(lat->h),
				     "map latencies at the warm-up's end");
	s->cpu_busy_ns = calloc(ncpus, sizeof(*s->cpu_busy_ns));
	s->dev_counters = calloc(nd, sizeof(*s->dev_counters));
	if (!s->cpu_busy_ns || !s->dev_counters) {
		error_oom(err, errlen, !s->cpu_busy_ns ?
			  ncpus * sizeof(*s->cpu_busy_ns) :
			  nd * sizeof(*s->dev_counters),
			  "figures at the warm-up's end");
		run_snapshot_free(s);
		return -1;
	}
	for (unsigned int c = 0; c < ncpus; c++)
		s->cpu_busy_ns[c] = stats_cpu(st, c)->busy_ns;
	for (size_t i = 0; i < ndev; i++)
		s->dev_counters[i] = *machine_device_counters(
			machine_device_at((struct machine *)m, i));
	return 0;
}

void run_snapshot_free(struct run_snapshot *s)
{
	stats_hist_free(&s->map_latency);
	free(s->cpu_busy_ns);
	free(s->dev_counters);
	s->cpu_busy_ns = NULL;
	s->dev_counters = NULL;
}

double output_share(uint64_t part, double whole)
{
	return whole > 0 ? (double)part / whole : 0.0;
}

#define SUB(f) (now->f - base->f)

static void measure_counters(const struct stats_counters *now,
			     const struct stats_counters *base,
			     struct stats_counters *out)
{
	*out = *now;
	out->maps = SUB(maps);
	out->maps_ok = SUB(maps_ok);
	out->maps_direct = SUB(maps_direct);
	out->full_events = SUB(full_events);
	out->atomic_refusals = SUB(atomic_refusals);
	out->mask_failures = SUB(mask_failures);
	out->unmaps = SUB(unmaps);
	out->syncs = SUB(syncs);
	out->bytes_copied = SUB(bytes_copied);
	out->copy_ns = SUB(copy_ns);
	out->transient_made = SUB(transient_made);
	out->transient_freed = SUB(transient_freed);
	out->grow_started = SUB(grow_started);
	out->pools_added = SUB(pools_added);
	out->grow_failed = SUB(grow_failed);
	out->lock_wait_ns = SUB(lock_wait_ns);
	out->busy_ns = SUB(busy_ns);
}

static void measure_devices(const struct run_result *r, struct measured *out)
{
	for (size_t i = 0; i < out->ndevices; i++) {
		struct machine_device *d = machine_device_at(r->m, i);
		const struct machine_device_counters *now =
			machine_device_counters(d),
			*base = &r->since->dev_counters[i];
		struct machine_device_counters *o = &out->dev[i];

		o->maps = SUB(maps);
		o->maps_direct = SUB(maps_direct);
		o->full_events = SUB(full_events);
		o->mask_failures = SUB(mask_failures);
		o->unmaps = SUB(unmaps);
		if (machine_device_restricted(d))
			out->restricted_full += o->full_events;
	}
}

#undef SUB

static bool in_restricted(const struct run_result *r, int32_t device)
{
	return device >= 0 && machine_device_restricted(
		machine_device_at(r->m, (size_t)device));
}

/* The first full event after the warm-up, of any pool and of the default
 * swiotlb: the log holds every full event in order, and the snapshot
 * counted those before it. */
static void first_full(const struct run_result *r, struct measured *out)
{
	const struct stats_events *ev = machine_events(r->m);
	uint64_t skip = r->since->counters.full_events;

	for (size_t i = 0; i < stats_events_len(ev); i++) {
		const struct stats_event *e = stats_events_get(ev, i);

		if (e->kind != STATS_EV_FULL && e->kind != STATS_EV_FULL_ATOMIC)
			continue;
		if (skip) {
			skip--;
			continue;
		}
		if (!out->any_full) {
			out->any_full = true;
			out->first_full_ns = e->time_ns;
		}
		if (!in_restricted(r, e->device)) {
			out->first_default_full_ns = e->time_ns;
			return;
		}
	}
}

int measure(const struct run_result *r, struct measured *out, char *err,
	    size_t errlen)
{
	const struct stats *st = machine_stats(r->m);
	const struct stats_hist *lat = stats_map_latency(st);
	struct swiotlb_counters sc = swiotlb_counters(machine_mem(r->m));
	sim_time_t span = machine_now(r->m) - r->since->time_ns;

	memset(out, 0, sizeof(*out));
	measure_counters(stats_counters(st), &r->since->counters, &out->c);
	out->ndevices = machine_ndevices(r->m);
	out->dev = calloc(out->ndevices ? out->ndevices : 1,
			  sizeof(*out->dev));
	if (!out->dev)
		return error_oom(err, errlen, (out->ndevices ? out->ndevices :
					       1) * sizeof(*out->dev),
				 "figures of %zu devices", out->ndevices);
	out->lat = *lat;
	out->lat.h = gsl_histogram_clone(lat->h);
	if (!out->lat.h) {
		measured_free(out);
		return error_gsl_oom(err, errlen, hist_bytes(lat->h),
				     "measured map latencies");
	}
	gsl_histogram_sub(out->lat.h, r->since->map_latency.h);
	out->lat.n = lat->n - r->since->map_latency.n;
	out->lat.sum = lat->sum - r->since->map_latency.sum;
	out->span_ns = (double)span * machine_ncpus(r->m);
	out->hiwater = sc.hiwater;
	out->nslabs = sc.nslabs;
	measure_devices(r, out);
	first_full(r, out);
	return 0;
}

void measured_free(struct measured *ms)
{
	stats_hist_free(&ms->lat);
	free(ms->dev);
	ms->dev = NULL;
}

/* ---- summary.json --------------------------------------------------------- */

static const struct io_tlb_pool *boot_pool(const struct io_tlb_mem *mem)
{
	const struct io_tlb_pool *boot = mem->pools;

	while (boot && boot->next)
		boot = boot->next;
	return boot;
}

static void write_pool_json(FILE *f, const struct run_result *r,
			    const struct measured *ms)
{
	const struct io_tlb_mem *mem = machine_mem(r->m);
	const struct io_tlb_pool *boot = boot_pool(mem);

	fprintf(f, "  \"pool\": {\"boot_nslabs\": %" PRIu32 ", \"boot_nareas\": %"
		PRIu32 ", \"boot_bytes\": %" PRIu64 ", \"nslabs_end\": %" PRIu64
		", \"pools_end\": %" PRIu32 ", \"dynamic\": %s"
		", \"force_bounce\": %s},\n",
		boot ? boot->nslabs : 0, boot ? boot->nareas : 0,
		boot ? (uint64_t)boot->nslabs << IO_TLB_SHIFT : 0, ms->nslabs,
		mem->npools, mem->dynamic ? "true" : "false",
		machine_config(r->m)->force_bounce ? "true" : "false");
}

static void write_totals_json(FILE *f, const struct run_result *r,
			      const struct measured *ms)
{
	const struct stats_counters *c = &ms->c;

	fprintf(f, "  \"totals\": {\"maps\": %" PRIu64 ", \"maps_ok\": %" PRIu64
		", \"maps_direct\": %" PRIu64
		", \"full_events\": %" PRIu64 ", \"atomic_refusals\": %" PRIu64
		", \"mask_failures\": %" PRIu64 ", \"unmaps\": %" PRIu64
		", \"syncs\": %" PRIu64 ", \"bytes_copied\": %" PRIu64
		", \"transient_pools\": %" PRIu64 ", \"pools_added\": %" PRIu64
		", \"grow_failed\": %" PRIu64 ", \"lock_wait_ns\": %" PRIu64
		", \"copy_ns\": %" PRIu64 ", \"busy_ns\": %" PRIu64
		", \"live_mappings_end\": %" PRIu64 "},\n",
		c->maps, c->maps_ok, c->maps_direct, c->full_events,
		c->atomic_refusals, c->mask_failures, c->unmaps, c->syncs,
		c->bytes_copied, c->transient_made, c->pools_added,
		c->grow_failed, c->lock_wait_ns, c->copy_ns, c->busy_ns,
		machine_live_mappings(r->m));
}

static void write_latency_json(FILE *f, const struct stats_hist *h)
{
	fprintf(f, "  \"map_latency_ns\": {\"count\": %" PRIu64 ", \"mean\": %.1f"
		", \"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p999\": %.1f"
		", \"max\": %" PRIu64 "},\n", h->n, stats_hist_mean(h),
		stats_hist_quantile(h, 0.5), stats_hist_quantile(h, 0.9),
		stats_hist_quantile(h, 0.99), stats_hist_quantile(h, 0.999),
		h->n ? h->max : 0);
}

static const char *bounce_name(enum machine_bounce b)
{
	switch (b) {
	case MACHINE_BOUNCE_ALWAYS: return "always";
	case MACHINE_BOUNCE_NEVER: return "never";
	case MACHINE_BOUNCE_AUTO: break;
	}
	return "auto";
}

/* A restricted pool: where, how big, its use now and its high-water mark
 * (since the warm-up). */
static void write_restricted_json(FILE *f, const struct io_tlb_mem *mem)
{
	struct swiotlb_counters sc;

	if (!mem) {
		fputs("null", f);
		return;
	}
	sc = swiotlb_counters(mem);
	fprintf(f, "{\"start\": %" PRIu64 ", \"nslabs\": %" PRIu64
		", \"bytes\": %" PRIu64 ", \"used_end\": %" PRIu64
		", \"hiwater_slots\": %" PRIu64 ", \"hiwater_share\": %.6f}",
		mem->pools ? mem->pools->start : 0, sc.nslabs,
		sc.nslabs << IO_TLB_SHIFT, sc.used, sc.hiwater,
		output_share(sc.hiwater, (double)sc.nslabs));
}

static void write_devices_json(FILE *f, const struct run_result *r,
			       const struct measured *ms)
{
	fputs("  \"devices\": [", f);
	for (size_t i = 0; i < ms->ndevices; i++) {
		struct machine_device *d = machine_device_at(r->m, i);
		const struct machine_device_config *dc =
			machine_device_config(d);
		const struct machine_device_counters *c = &ms->dev[i];

		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
		workload_json_string(f, machine_device_name(d));
		fprintf(f, ", \"bounce\": \"%s\", \"force_bounce\": %s"
			", \"dma_mask\": \"0x%" PRIx64 "\", \"maps\": %" PRIu64
			", \"maps_direct\": %" PRIu64
			", \"maps_bounced\": %" PRIu64
			", \"full_events\": %" PRIu64
			", \"mask_failures\": %" PRIu64 ", \"unmaps\": %" PRIu64
			", \"restricted_pool\": ", bounce_name(dc->bounce),
			machine_device_force_bounce(d) ? "true" : "false",
			dc->dma_mask, c->maps, c->maps_direct,
			c->maps - c->maps_direct, c->full_events,
			c->mask_failures, c->unmaps);
		write_restricted_json(f, machine_device_restricted(d));
		fputc('}', f);
	}
	fputs(ms->ndevices ? "\n  ],\n" : "],\n", f);
}

int output_write_summary_json(FILE *f, const struct run_result *r,
			      const struct measured *ms)
{
	fputs("{\n  \"scenario\": {\"name\": ", f);
	workload_json_string(f, r->name);
	fputs(", \"file\": ", f);
	workload_json_string(f, r->scenario_path);
	fprintf(f, ", \"seed\": %" PRIu64 ", \"duration_ns\": %" PRIu64
		", \"warmup_ns\": %" PRIu64 ", \"resolved_yaml\": ", r->seed,
		r->duration_ns, r->warmup_ns);
	workload_json_string(f, r->resolved_yaml);
	fputs("},\n", f);
	write_pool_json(f, r, ms);
	write_totals_json(f, r, ms);
	fprintf(f, "  \"first_full_ns\": ");
	if (ms->any_full)
		fprintf(f, "%" PRIu64 ",\n", ms->first_full_ns);
	else
		fputs("null,\n", f);
	fprintf(f, "  \"hiwater_slots\": %" PRIu64 ", \"hiwater_bytes\": %" PRIu64
		", \"hiwater_share\": %.6f,\n", ms->hiwater,
		ms->hiwater << IO_TLB_SHIFT,
		output_share(ms->hiwater, (double)ms->nslabs));
	write_latency_json(f, &ms->lat);
	fprintf(f, "  \"copy_cpu_share\": %.6f, \"lock_wait_share\": %.6f"
		", \"busy_cpu_share\": %.6f,\n",
		output_share(ms->c.copy_ns, ms->span_ns),
		output_share(ms->c.lock_wait_ns, ms->span_ns),
		output_share(ms->c.busy_ns, ms->span_ns));
	write_devices_json(f, r, ms);
	fputs("  \"workloads\": [", f);
	for (size_t i = 0; i < r->nworkloads; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		if (workload_write_json(r->workloads[i], f))
			return -1;
	}
	fputs(r->nworkloads ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- the human summary ------------------------------------------------------ */

/* Maps that bounced through the default swiotlb (not a restricted pool). */
static uint64_t default_bounced(const struct run_result *r,
				const struct measured *ms)
{
	uint64_t n = ms->c.maps - ms->c.maps_direct;

	for (size_t i = 0; i < ms->ndevices; i++)
		if (machine_device_restricted(machine_device_at(r->m, i)))
			n -= ms->dev[i].maps - ms->dev[i].maps_direct;
	return n;
}

/* The default swiotlb's verdict (restricted pools get their own lines). */
static void print_verdict(FILE *out, const struct run_result *r,
			  const struct measured *ms, double hw_share)
{
	uint64_t full = ms->c.full_events - ms->restricted_full;

	if (full && ms->c.pools_added)
		fprintf(out, "verdict: swiotlb buffer is full %" PRIu64
			" times (first at %.6f s, %" PRIu64 " for want of "
			"atomic pool) while growth added %" PRIu64 " pools; "
			"high-water %.0f%% of the grown pool: boot with a "
			"bigger pool\n", full,
			(double)ms->first_default_full_ns / 1e9,
			ms->c.atomic_refusals, ms->c.pools_added,
			100 * hw_share);
	else if (full)
		fprintf(out, "verdict: swiotlb buffer is full %" PRIu64
			" times (first at %.6f s); high-water %.0f%% of the pool: "
			"a bigger pool, more areas or dynamic growth needed\n",
			full, (double)ms->first_default_full_ns / 1e9,
			100 * hw_share);
	else if (ms->c.transient_made)
		fprintf(out, "verdict: no swiotlb-full events, but %" PRIu64
			" transient pools: the pool was outgrown; high-water "
			"%.0f%% of the pool\n", ms->c.transient_made,
			100 * hw_share);
	else if (ms->c.maps && !default_bounced(r, ms))
		fprintf(out, "verdict: no map bounced through the default "
			"swiotlb (swiotlb.force and coco are off; buffers were "
			"within their devices' DMA masks or went to restricted "
			"pools)\n");
	else
		fprintf(out, "verdict: no swiotlb-full events; high-water %.0f%% "
			"of the pool\n", 100 * hw_share);
}

/* One line per restricted pool, and a verdict line when it was full. */
static void print_restricted(FILE *out, const struct run_result *r,
			     const struct measured *ms)
{
	for (size_t i = 0; i < ms->ndevices; i++) {
		struct machine_device *d = machine_device_at(r->m, i);
		const struct io_tlb_mem *mem = machine_device_restricted(d);
		struct swiotlb_counters sc;
		double hw;

		if (!mem)
			continue;
		sc = swiotlb_counters(mem);
		hw = output_share(sc.hiwater, (double)sc.nslabs);
		fprintf(out, "restricted pool of %s: %" PRIu64 " slabs (%.1f MiB)"
			", high-water %" PRIu64 " slots = %.1f%%, %" PRIu64
			" maps, %" PRIu64 " full\n", machine_device_name(d),
			sc.nslabs, (double)(sc.nslabs << IO_TLB_SHIFT) /
			1048576.0, sc.hiwater, 100 * hw, ms->dev[i].maps,
			ms->dev[i].full_events);
		if (ms->dev[i].full_events)
			fprintf(out, "verdict: the restricted pool of %s is full "
				"%" PRIu64 " times; high-water %.0f%% of it: a "
				"bigger restricted_pool needed\n",
				machine_device_name(d), ms->dev[i].full_events,
				100 * hw);
	}
}

int output_print_summary(FILE *out, const struct run_result *r, char *err,
			 size_t errlen)
{
	const struct io_tlb_mem *mem = machine_mem(r->m);
	struct measured ms;
	double hw_share;

	if (measure(r, &ms, err, errlen))
		return -1;
	hw_share = output_share(ms.hiwater, (double)ms.nslabs);
	fprintf(out, "scenario %s: %.3f s simulated (%.3f s warm-up), seed %"
		PRIu64 "\n", r->name, (double)r->duration_ns / 1e9,
		(double)r->warmup_ns / 1e9, r->seed);
	fprintf(out, "pool: %" PRIu64 " slabs (%.1f MiB) in %" PRIu32
		" pool(s), %" PRIu32 " areas in the boot pool\n", ms.nslabs,
		(double)(ms.nslabs << IO_TLB_SHIFT) / 1048576.0, mem->npools,
		boot_pool(mem) ? boot_pool(mem)->nareas : 0);
	fprintf(out, "maps: %" PRIu64 " (", ms.c.maps);
	if (ms.c.maps_direct)
		fprintf(out, "%" PRIu64 " not bounced; ", ms.c.maps_direct);
	fprintf(out, "%" PRIu64 " failed: swiotlb full %" PRIu64 ")\n",
		ms.c.maps - ms.c.maps_ok, ms.c.full_events);
	fprintf(out, "high-water: %" PRIu64 " slots = %.1f MiB = %.1f%% of the "
		"pool\n", ms.hiwater, (double)(ms.hiwater << IO_TLB_SHIFT) /
		1048576.0, 100 * hw_share);
	fprintf(out, "transient pools: %" PRIu64 ", pools added: %" PRIu64 "\n",
		ms.c.transient_made, ms.c.pools_added);
	fprintf(out, "map latency: p50 %.2f us, p99 %.2f us\n",
		stats_hist_quantile(&ms.lat, 0.5) / 1e3,
		stats_hist_quantile(&ms.lat, 0.99) / 1e3);
	fprintf(out, "CPU: bounce copies %.2f%%, lock wait %.2f%%\n",
		100 * output_share(ms.c.copy_ns, ms.span_ns),
		100 * output_share(ms.c.lock_wait_ns, ms.span_ns));
	print_restricted(out, r, &ms);
	print_verdict(out, r, &ms, hw_share);
	measured_free(&ms);
	return 0;
}
