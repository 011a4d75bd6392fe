/* run/output.c - writes a finished run: CSV files, summary.json (see
 * output_summary.c), the resolved scenario, all in a temporary folder
 * renamed into place. */
#define _GNU_SOURCE
#include "run/output_impl.h"

#include "base/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		bad = output_write_summary_json(f, r, ms);
	else
		bad = write_latency(f, &ms->lat);
	bad |= fclose(f) != 0;
	if (bad)
		snprintf(err, errlen, "%s: write failed: %s", path,
			 strerror(errno ? errno : EIO));
	return bad ? -1 : 0;
}

/* Whether the existing folder dir may be replaced: it is empty, or holds
 * a run (summary.json). Anything else is not ours to delete. */
static bool replaceable(const char *dir)
{
	char path[OUTFILE_PATH_MAX];
	DIR *d;
	struct dirent *e;
	bool empty = true;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	if (access(path, F_OK) == 0)
		return true;
	d = opendir(dir);
	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

int output_check_run_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0 || (S_ISDIR(st.st_mode) && replaceable(dir)))
		return 0;
	snprintf(err, errlen, "%s: exists and is not a run directory (no "
		 "summary.json); not replacing it", dir);
	return -1;
}

/* Puts the finished folder `tmp` at `dir`, moving an older run aside
 * first (rename over a fresh empty folder is atomic) and deleting it. A
 * `dir` that is not a folder, or a folder that holds something other than
 * a run, is left alone and the install fails. */
static int install_dir(const char *tmp, const char *dir, char *err,
		       size_t errlen)
{
	char old[OUTFILE_PATH_MAX];
	struct stat st;

	if (output_check_run_dir(dir, err, errlen))
		return -1;
	if (stat(dir, &st) == 0) {
		snprintf(old, sizeof(old), "%s.old-XXXXXX", dir);
		if (!mkdtemp(old)) {
			snprintf(err, errlen, "%s: cannot replace: %s", dir,
				 strerror(errno));
			return -1;
		}
		if (rename(dir, old)) {
			snprintf(err, errlen, "%s: cannot replace: %s", dir,
				 strerror(errno));
			rmdir(old);
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
	char tmp[OUTFILE_PATH_MAX];
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
	status = measure(r, &ms, err, errlen);
	for (size_t i = 0; !status && i < sizeof(files) / sizeof(files[0]); i++)
		status = write_one(tmp, files[i].name, files[i].fn, r, &ms, err,
				   errlen);
	if (!status)
		status = install_dir(tmp, dir, err, errlen);
	if (status)
		remove_tree(tmp);
	measured_free(&ms);
	return status;
}
