/* sweep/sweep_point.h - one point's run directory as a sweep sees it: is it
 * finished for this scenario, and what did it measure.
 *
 * Contract: a point is finished when its folder holds summary.json and a
 * scenario.resolved.yaml equal to the point's own resolved scenario (the
 * `sweep:` section aside, so that growing a grid or its replications keeps
 * the points already run). Reading never changes the folder. Errors come
 * back as one line. */
#ifndef SWSIM_SWEEP_SWEEP_POINT_H
#define SWSIM_SWEEP_SWEEP_POINT_H

#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The figures sweep.csv gives for each point, from summary.json. */
enum sweep_metric {
	SWEEP_FULL_EVENTS,       /* totals.full_events */
	SWEEP_REQUEUES_DROPS,    /* sum of workloads[].requeues + drops */
	SWEEP_HIWATER_SLOTS,     /* hiwater_slots */
	SWEEP_MAP_P99_NS,        /* map_latency_ns.p99 */
	SWEEP_LOCK_WAIT_SHARE,   /* lock_wait_share */
	SWEEP_COPY_CPU_SHARE,    /* copy_cpu_share */
	SWEEP_POOLS_ADDED,       /* totals.pools_added */
	SWEEP_TRANSIENT_POOLS,   /* totals.transient_pools */
	SWEEP_NMETRICS,
};

/* Column names in sweep.csv: "<name>_mean", "<name>_ci95". */
extern const char *const sweep_metric_names[SWEEP_NMETRICS];

/* One finished run. */
struct sweep_result {
	double metric[SWEEP_NMETRICS];
	uint64_t seed;              /* run.seed of the point's scenario */
	uint64_t boot_nslabs;       /* the boot pool the kernel built */
	uint64_t boot_bytes;
	uint32_t boot_nareas;
	uint64_t nslabs_end;        /* all pools at the end (growth) */
	/* From the point's scenario: */
	uint64_t pool_slabs;        /* swiotlb.slabs, or NSLABS of
				       swiotlb.param; 0: the kernel's */
	uint32_t areas;             /* swiotlb.areas, or NAREAS of the
				       param; 0: from the CPUs */
	bool dynamic;
};

/* NSLABS (returned) and NAREAS (*areas, 0 when absent) of a swiotlb=
 * string, read as the kernel reads them (numbers in C syntax). */
uint64_t sweep_param_sizes(const char *param, uint32_t *areas);

/* The scenario as YAML text (scenario_dump_yaml), malloc'd, or NULL. */
char *sweep_resolved_text(const struct scenario *s);

/* Whether two resolved scenarios are the same run: equal text once each
 * one's top-level `sweep:` block is left out. */
bool sweep_resolved_same(const char *a, const char *b);

/* A whole file, NUL-terminated and malloc'd, or NULL (errno set). */
char *sweep_read_file(const char *path, size_t *len);

/* Whether dir holds a finished run of the scenario whose resolved text is
 * `resolved`. */
bool sweep_point_finished(const char *dir, const char *resolved);

/* Reads the finished run in dir: its scenario.resolved.yaml into *s
 * (release with scenario_free) and *text (malloc'd; may be NULL when not
 * wanted), its summary.json into *r. Returns 0 or -1 with err. */
int sweep_point_load(const char *dir, struct scenario *s, char **text,
		     struct sweep_result *r, char *err, size_t errlen);

#endif
