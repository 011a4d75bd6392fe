/* run/output.h - a finished run's results: the run directory (timeseries,
 * events, per-area use, latency distribution, summary.json, the resolved
 * scenario) and the short human summary.
 *
 * Contract: output_write_run_dir() builds everything in a temporary folder
 * beside `dir` and renames it into place only when every file was written,
 * replacing an older run in `dir`; on failure nothing is left behind and
 * err says why. Figures in summary.json and the human summary cover the time
 * after the warm-up (the `since` snapshot); the CSV files cover the whole
 * run. Nothing written depends on wall-clock time, so the same scenario and
 * seed give byte-identical files. */
#ifndef SWSIM_RUN_OUTPUT_H
#define SWSIM_RUN_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/machine.h"
#include "workloads/workload.h"

/* Machine figures at one instant, to take differences from. */
struct run_snapshot {
	sim_time_t time_ns;
	struct stats_counters counters;
	struct stats_hist map_latency;   /* a copy; free with run_snapshot_free */
	uint64_t *cpu_busy_ns;           /* per CPU */
	struct machine_device_counters *dev_counters;  /* per device */
};

/* 0, or -1 with a message in err when out of memory. */
int run_snapshot_take(struct run_snapshot *s, const struct machine *m,
		      char *err, size_t errlen);
void run_snapshot_free(struct run_snapshot *s);

struct run_result {
	const char *name;              /* scenario name */
	const char *scenario_path;     /* the YAML file, for the record */
	const char *resolved_yaml;     /* the scenario with defaults, as text */
	uint64_t seed;
	sim_time_t duration_ns, warmup_ns;
	struct machine *m;
	struct workload *const *workloads;
	size_t nworkloads;
	const struct run_snapshot *since;  /* the end of the warm-up */
};

int output_write_run_dir(const char *dir, const struct run_result *r,
			 char *err, size_t errlen);
/* Whether output_write_run_dir() may write to dir: it does not exist, or
 * it is an empty folder, or a folder holding a run (summary.json), which
 * the new run replaces. Anything else is refused (-1, and err says so),
 * so that `-o` never deletes a folder of the user's. */
int output_check_run_dir(const char *dir, char *err, size_t errlen);
/* pool size and areas, maps (and those not bounced), full events (and the
 * first), high-water mark, restricted pools, transient pools, pools added,
 * map latency p50/p99, copy and lock shares, and a one-line verdict (one
 * more per restricted pool that was full). 0, or -1 with a message in err
 * when out of memory (nothing printed then). */
int output_print_summary(FILE *out, const struct run_result *r, char *err,
			 size_t errlen);

#endif
