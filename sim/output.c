/* sim/output.c - writes a finished run: CSV files, summary.json, the
 * resolved scenario, all in a temporary folder renamed into place. */
#define _GNU_SOURCE
#include "sim/output.h"

#include "sim/outfile.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int run_snapshot_take(struct run_snapshot *s, const struct machine *m)
{
	const struct stats *st = machine_stats(m);
	const struct stats_hist *lat = stats_map_latency(st);
	unsigned int ncpus = machine_ncpus(m);

	memset(s, 0, sizeof(*s));
	s->time_ns = machine_now(m);
	s->counters = *stats_counters(st);
	s->map_latency = *lat;
	s->map_latency.h = gsl_histogram_clone(lat->h);
	s->cpu_busy_ns = calloc(ncpus, sizeof(*s->cpu_busy_ns));
	if (!s->map_latency.h || !s->cpu_busy_ns) {
		run_snapshot_free(s);
		return -1;
	}
	for (unsigned int c = 0; c < ncpus; c++)
		s->cpu_busy_ns[c] = stats_cpu(st, c)->busy_ns;
	return 0;
}

void run_snapshot_free(struct run_snapshot *s)
{
	stats_hist_free(&s->map_latency);
	free(s->cpu_busy_ns);
	s->cpu_busy_ns = NULL;
}

/* Figures over the measured span (after the warm-up). */
struct measured {
	struct stats_counters c;
	struct stats_hist lat;       /* owns lat.h */
	double span_ns;              /* measured time x CPUs */
	uint64_t hiwater, nslabs, first_full_ns;
	bool any_full;
};

#define SUB(f) (now->f - base->f)

static int measure(const struct run_result *r, struct measured *out)
{
	const struct stats *st = machine_stats(r->m);
	const struct stats_counters *now = stats_counters(st), *base =
		&r->since->counters;
	const struct stats_hist *lat = stats_map_latency(st);
	const struct stats_events *ev = machine_events(r->m);
	struct swiotlb_counters sc = swiotlb_counters(machine_mem(r->m));
	sim_time_t span = machine_now(r->m) - r->since->time_ns;

	memset(out, 0, sizeof(*out));
	out->c = *now;
	out->c.maps = SUB(maps);
	out->c.maps_ok = SUB(maps_ok);
	out->c.full_events = SUB(full_events);
	out->c.atomic_refusals = SUB(atomic_refusals);
	out->c.mask_failures = SUB(mask_failures);
	out->c.unmaps = SUB(unmaps);
	out->c.syncs = SUB(syncs);
	out->c.bytes_copied = SUB(bytes_copied);
	out->c.copy_ns = SUB(copy_ns);
	out->c.transient_made = SUB(transient_made);
	out->c.transient_freed = SUB(transient_freed);
	out->c.grow_started = SUB(grow_started);
	out->c.pools_added = SUB(pools_added);
	out->c.grow_failed = SUB(grow_failed);
	out->c.lock_wait_ns = SUB(lock_wait_ns);
	out->c.busy_ns = SUB(busy_ns);
	out->lat = *lat;
	out->lat.h = gsl_histogram_clone(lat->h);
	if (!out->lat.h)
		return -1;
	gsl_histogram_sub(out->lat.h, r->since->map_latency.h);
	out->lat.n = lat->n - r->since->map_latency.n;
	out->lat.sum = lat->sum - r->since->map_latency.sum;
	out->span_ns = (double)span * machine_ncpus(r->m);
	out->hiwater = sc.hiwater;
	out->nslabs = sc.nslabs;
	for (size_t i = 0; i < stats_events_len(ev); i++) {
		const struct stats_event *e = stats_events_get(ev, i);

		if (e->kind == STATS_EV_FULL || e->kind == STATS_EV_FULL_ATOMIC) {
			out->any_full = true;
			out->first_full_ns = e->time_ns;
			break;
		}
	}
	return 0;
}

static double share(uint64_t part, double whole)
{
	return whole > 0 ? (double)part / whole : 0.0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void write_pool_json(FILE *f, const struct run_result *r,
			    const struct measured *ms)
{
	const struct io_tlb_mem *mem = machine_mem(r->m);
	const struct io_tlb_pool *boot = mem->pools;

	while (boot && boot->next)
		boot = boot->next;
	fprintf(f, "  \"pool\": {\"boot_nslabs\": %" PRIu32 ", \"boot_nareas\": %"
		PRIu32 ", \"boot_bytes\": %" PRIu64 ", \"nslabs_end\": %" PRIu64
		", \"pools_end\": %" PRIu32 ", \"dynamic\": %s},\n",
		boot ? boot->nslabs : 0, boot ? boot->nareas : 0,
		boot ? (uint64_t)boot->nslabs << IO_TLB_SHIFT : 0, ms->nslabs,
		mem->npools, mem->dynamic ? "true" : "false");
}

static void write_totals_json(FILE *f, const struct run_result *r,
			      const struct measured *ms)
{
	const struct stats_counters *c = &ms->c;

	fprintf(f, "  \"totals\": {\"maps\": %" PRIu64 ", \"maps_ok\": %" PRIu64
		", \"full_events\": %" PRIu64 ", \"atomic_refusals\": %" PRIu64
		", \"mask_failures\": %" PRIu64 ", \"unmaps\": %" PRIu64
		", \"syncs\": %" PRIu64 ", \"bytes_copied\": %" PRIu64
		", \"transient_pools\": %" PRIu64 ", \"pools_added\": %" PRIu64
		", \"grow_failed\": %" PRIu64 ", \"lock_wait_ns\": %" PRIu64
		", \"copy_ns\": %" PRIu64 ", \"busy_ns\": %" PRIu64
		", \"live_mappings_end\": %" PRIu64 "},\n",
		c->maps, c->maps_ok, c->full_events, c->atomic_refusals,
		c->mask_failures, c->unmaps, c->syncs, c->bytes_copied,
		c->transient_made, c->pools_added, c->grow_failed,
		c->lock_wait_ns, c->copy_ns, c->busy_ns,
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

static int write_summary(FILE *f, const struct run_result *r,
			 const struct measured *ms)
{
	fputs("{\n  \"scenario\": {\"name\": ", f);
	json_string(f, r->name);
	fputs(", \"file\": ", f);
	json_string(f, r->scenario_path);
	fprintf(f, ", \"seed\": %" PRIu64 ", \"duration_ns\": %" PRIu64
		", \"warmup_ns\": %" PRIu64 ", \"resolved_yaml\": ", r->seed,
		r->duration_ns, r->warmup_ns);
	json_string(f, r->resolved_yaml);
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
		ms->hiwater << IO_TLB_SHIFT, share(ms->hiwater, (double)ms->nslabs));
	write_latency_json(f, &ms->lat);
	fprintf(f, "  \"copy_cpu_share\": %.6f, \"lock_wait_share\": %.6f"
		", \"busy_cpu_share\": %.6f,\n", share(ms->c.copy_ns, ms->span_ns),
		share(ms->c.lock_wait_ns, ms->span_ns),
		share(ms->c.busy_ns, ms->span_ns));
	fputs("  \"workloads\": [", f);
	for (size_t i = 0; i < r->nworkloads; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		if (workload_write_json(r->workloads[i], f))
			return -1;
	}
	fputs(r->nworkloads ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -1 : 0;
}

/* events.csv: the machine's event log, with the pool size after each event
 * so that charts can mark pool additions at the right height. */
static int write_events(FILE *f, const struct run_result *r)
{
	const struct stats_events *ev = machine_events(r->m);
	const struct io_tlb_mem *mem = machine_mem(r->m);
	const struct io_tlb_pool *boot = mem->pools;
	uint64_t pool_slots;

	while (boot && boot->next)
		boot = boot->next;
	pool_slots = boot ? boot->nslabs : 0;
	fputs("time_ns,time_s,kind,cpu,device,size_bytes,pool_id,pool_slots\n", f);
	for (size_t i = 0; i < stats_events_len(ev); i++) {
		const struct stats_event *e = stats_events_get(ev, i);
		const char *dev = e->device >= 0 ? machine_device_name(
			machine_device_at(r->m, (size_t)e->device)) : "";

		if (e->kind == STATS_EV_POOL_ADDED)
			pool_slots += e->size >> IO_TLB_SHIFT;
		fprintf(f, "%" PRIu64 ",%.9f,%s,%d,%s,%" PRIu64 ",%" PRId64 ",%"
			PRIu64 "\n", e->time_ns, (double)e->time_ns / 1e9,
			stats_event_kind_name(e->kind), e->cpu, dev, e->size,
			e->pool_id, pool_slots);
	}
	return ferror(f) ? -1 : 0;
}

/* Slots of area index a over the pools that existed in a row: pools are
 * never removed, so those are the oldest `npools` of the list. */
static uint64_t area_capacity(const struct io_tlb_mem *mem, uint64_t npools,
			      uint32_t a)
{
	uint64_t skip = mem->npools > npools ? mem->npools - npools : 0, cap = 0;

	for (const struct io_tlb_pool *p = mem->pools; p; p = p->next) {
		if (skip) {
			skip--;
			continue;
		}
		if (a < p->nareas)
			cap += p->area_nslabs;
	}
	return cap;
}

/* area_use.csv: long form (time, area, share in use) for the heat map. */
static int write_area_use(FILE *f, const struct run_result *r)
{
	const struct stats_series *s = machine_series(r->m);
	const struct io_tlb_mem *mem = machine_mem(r->m);
	uint32_t nareas = stats_series_nareas(s);

	fputs("time_ns,area,used_slots,used_share\n", f);
	for (size_t i = 0; i < stats_series_len(s); i++) {
		const struct stats_row *row = stats_series_row(s, i);
		const uint64_t *used = stats_series_area_used(s, i);

		for (uint32_t a = 0; a < nareas; a++) {
			uint64_t cap = area_capacity(mem, row->pools, a);

			fprintf(f, "%" PRIu64 ",%" PRIu32 ",%" PRIu64 ",%.6f\n",
				row->time_ns, a, used[a],
				cap ? (double)used[a] / (double)cap : 0.0);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* latency.csv: the measured map-latency histogram with its CDF. */
static int write_latency(FILE *f, const struct stats_hist *h)
{
	double total = gsl_histogram_sum(h->h), cum = 0;

	fputs("lower_ns,upper_ns,count,cumulative\n", f);
	for (size_t i = 0; i < gsl_histogram_bins(h->h); i++) {
		double lo, hi, n = gsl_histogram_get(h->h, i);

		if (n <= 0)
			continue;
		cum += n;
		gsl_histogram_get_range(h->h, i, &lo, &hi);
		fprintf(f, "%.1f,%.1f,%.0f,%.6f\n", lo, hi, n, cum / total);
	}
	return ferror(f) ? -1 : 0;
}

static int write_series(FILE *f, const struct run_result *r)
{
	return machine_write_series_csv(r->m, f);
}

static int write_yaml(FILE *f, const struct run_result *r)
{
	fputs(r->resolved_yaml ? r->resolved_yaml : "", f);
	return ferror(f) ? -1 : 0;
}

static int write_one(const char *dir, const char *name,
		     int (*fn)(FILE *, const struct run_result *),
		     const struct run_result *r, const struct measured *ms,
		     char *err, size_t errlen)
{
	char path[4400];
	FILE *f;
	int bad;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fn)
		bad = fn(f, r);
	else if (!strcmp(name, "summary.json"))
		bad = write_summary(f, r, ms);
	else
		bad = write_latency(f, &ms->lat);
	bad |= fclose(f) != 0;
	if (bad)
		snprintf(err, errlen, "%s: write failed: %s", path,
			 strerror(errno ? errno : EIO));
	return bad ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Puts the finished folder `tmp` at `dir`, moving an older run aside
 * first (rename over a fresh empty folder is atomic) and deleting it. */
static int install_dir(const char *tmp, const char *dir, char *err,
		       size_t errlen)
{
	char old[4200];
	struct stat st;

	if (stat(dir, &st) == 0) {
		snprintf(old, sizeof(old), "%s.old-XXXXXX", dir);
		if (!mkdtemp(old) || rename(dir, old)) {
			snprintf(err, errlen, "%s: cannot replace: %s", dir,
				 strerror(errno));
			return -1;
		}
		if (rename(tmp, dir)) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			rename(old, dir);
			return -1;
		}
		remove_tree(old);
		return 0;
	}
	if (rename(tmp, dir)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int parent_dirs(const char *dir, char *err, size_t errlen)
{
	char parent[4096];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return 0;
	*slash = '\0';
	return make_dirs(parent, err, errlen);
}

int output_write_run_dir(const char *dir, const struct run_result *r,
			 char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int (*fn)(FILE *, const struct run_result *);
	} files[] = {
		{ "timeseries.csv", write_series },
		{ "events.csv", write_events },
		{ "area_use.csv", write_area_use },
		{ "latency.csv", NULL },
		{ "summary.json", NULL },
		{ "scenario.resolved.yaml", write_yaml },
	};
	char tmp[4200];
	struct measured ms;
	int status = 0;

	if (parent_dirs(dir, err, errlen))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	chmod(tmp, 0755);
	if (measure(r, &ms)) {
		snprintf(err, errlen, "out of memory");
		status = -1;
	}
	for (size_t i = 0; !status && i < sizeof(files) / sizeof(files[0]); i++)
		status = write_one(tmp, files[i].name, files[i].fn, r, &ms, err,
				   errlen);
	if (!status)
		status = install_dir(tmp, dir, err, errlen);
	if (status)
		remove_tree(tmp);
	stats_hist_free(&ms.lat);
	return status;
}

static void print_verdict(FILE *out, const struct measured *ms,
			  double hw_share)
{
	if (ms->c.full_events)
		fprintf(out, "verdict: swiotlb buffer is full %" PRIu64
			" times (first at %.6f s); high-water %.0f%% of the pool: "
			"a bigger pool, more areas or dynamic growth needed\n",
			ms->c.full_events, (double)ms->first_full_ns / 1e9,
			100 * hw_share);
	else if (ms->c.transient_made)
		fprintf(out, "verdict: no swiotlb-full events, but %" PRIu64
			" transient pools: the pool was outgrown; high-water "
			"%.0f%% of the pool\n", ms->c.transient_made,
			100 * hw_share);
	else
		fprintf(out, "verdict: no swiotlb-full events; high-water %.0f%% "
			"of the pool\n", 100 * hw_share);
}

void output_print_summary(FILE *out, const struct run_result *r)
{
	const struct io_tlb_mem *mem = machine_mem(r->m);
	struct measured ms;
	double hw_share;

	if (measure(r, &ms)) {
		fprintf(out, "(no summary: out of memory)\n");
		return;
	}
	hw_share = share(ms.hiwater, (double)ms.nslabs);
	fprintf(out, "scenario %s: %.3f s simulated (%.3f s warm-up), seed %"
		PRIu64 "\n", r->name, (double)r->duration_ns / 1e9,
		(double)r->warmup_ns / 1e9, r->seed);
	fprintf(out, "pool: %" PRIu64 " slabs (%.1f MiB) in %" PRIu32
		" pool(s), %" PRIu32 " areas in the boot pool\n", ms.nslabs,
		(double)(ms.nslabs << IO_TLB_SHIFT) / 1048576.0, mem->npools,
		mem->pools ? mem->pools->nareas : 0);
	fprintf(out, "maps: %" PRIu64 " (%" PRIu64 " failed: swiotlb full %"
		PRIu64 ")\n", ms.c.maps, ms.c.maps - ms.c.maps_ok,
		ms.c.full_events);
	fprintf(out, "high-water: %" PRIu64 " slots = %.1f MiB = %.1f%% of the "
		"pool\n", ms.hiwater, (double)(ms.hiwater << IO_TLB_SHIFT) /
		1048576.0, 100 * hw_share);
	fprintf(out, "transient pools: %" PRIu64 ", pools added: %" PRIu64 "\n",
		ms.c.transient_made, ms.c.pools_added);
	fprintf(out, "map latency: p50 %.2f us, p99 %.2f us\n",
		stats_hist_quantile(&ms.lat, 0.5) / 1e3,
		stats_hist_quantile(&ms.lat, 0.99) / 1e3);
	fprintf(out, "CPU: bounce copies %.2f%%, lock wait %.2f%%\n",
		100 * share(ms.c.copy_ns, ms.span_ns),
		100 * share(ms.c.lock_wait_ns, ms.span_ns));
	print_verdict(out, &ms, hw_share);
	stats_hist_free(&ms.lat);
}
