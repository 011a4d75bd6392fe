/* sweep/sweep_report.h - what a sweep makes of its finished points:
 * sweep.csv (means and 95% confidence intervals per grid combination),
 * the recommended swiotlb= pool size, and the charts.
 *
 * Contract: a table is the grid plus, for each combination of values, the
 * replications that finished. Whether it was filled by the sweep that ran
 * the points or by --collect from point folders, the same table gives
 * byte-identical files: replications are ordered by seed before any sum.
 * Files are written atomically into the sweep's folder; errors come back
 * as one line. */
#ifndef SWSIM_SWEEP_SWEEP_REPORT_H
#define SWSIM_SWEEP_SWEEP_REPORT_H

#include "sweep/sweep_grid.h"
#include "sweep/sweep_point.h"

#include <stdio.h>

struct sweep_cell {
	struct sweep_result *runs;  /* finished replications */
	size_t nruns;
};

struct sweep_table {
	const struct sweep_grid *grid;
	struct sweep_cell *cells;   /* one per combination */
	char *name;                 /* the scenario's name, for titles */
};

int sweep_table_init(struct sweep_table *t, const struct sweep_grid *g,
		     const char *name);
/* Adds a finished replication of combination `combo`. */
int sweep_table_add(struct sweep_table *t, size_t combo,
		    const struct sweep_result *r);
/* Orders each cell's replications by seed. */
void sweep_table_sort(struct sweep_table *t);
void sweep_table_free(struct sweep_table *t);
/* The most replications any cell holds (at least 1). */
size_t sweep_table_max_runs(const struct sweep_table *t);

/* sweep.csv: the grid's keys, `replications` (finished), then
 * <metric>_mean and <metric>_ci95 for each metric (see sweep_point.h);
 * "nan" where there is no figure (no run; a single run's interval). */
int sweep_write_csv(const struct sweep_table *t, const char *path,
		    char *err, size_t errlen);

/* The recommendation as text (recommendation.txt and the end of the
 * sweep's output): for each combination of the keys other than the pool
 * size (swiotlb.slabs or swiotlb.param), the smallest pool size whose
 * every replication finished with no swiotlb-full event (and no transient
 * pool when swiotlb.dynamic is off), as a swiotlb= parameter with its
 * memory. */
void sweep_recommend(const struct sweep_table *t, FILE *out);
int sweep_write_recommendation(const struct sweep_table *t,
			       const char *path, char *err, size_t errlen);

/* The charts: chart_pool.csv and chart_areas.csv (series blocks), then,
 * when `render`, plots/sweep_full_events.gp and sweep_hiwater.gp (against
 * pool size, when it is varied) and sweep_lock_wait.gp (against
 * swiotlb.areas, when varied) rendered as PNG and SVG with gnuplot if it
 * is installed. Returns 0, or -1 when a chart could not be made (said on
 * msgs). */
int sweep_charts(const struct sweep_table *t, const char *dir, bool render,
		 FILE *msgs);

/* The pool that combination `combo` boots with, in slabs: what its runs
 * report the kernel built, else the pool axis's value (the kernel's
 * default for 0). Pools are ordered and charted by this size. */
uint64_t sweep_cell_slabs(const struct sweep_table *t, size_t combo,
			  size_t axis);

/* The combinations of one series: `group` with each value of `axis` in
 * turn, into combos (nvalues of the axis), ordered by key, ties kept in
 * grid order. */
typedef double (*sweep_order_key)(const struct sweep_table *t, size_t combo,
				  size_t axis);
void sweep_series(const struct sweep_table *t, size_t group, size_t axis,
		  sweep_order_key key, size_t *combos);

/* The pool-size axis (swiotlb.slabs, else swiotlb.param), or -1. */
int sweep_pool_axis(const struct sweep_grid *g);


/* Everything at once into dir: sweep.csv, recommendation.txt (also
 * printed on out), the chart data, and the charts rendered when
 * `charts`. Returns 0 or -1 (said on msgs). */
int sweep_write_results(const struct sweep_table *t, const char *dir,
			bool charts, FILE *out, FILE *msgs);

#endif
