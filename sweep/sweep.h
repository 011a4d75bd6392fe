/* sweep/sweep.h - `swiotlb-sim sweep`: a scenario's grid run point by point
 * in worker processes (or exported as jobs for GNU parallel or Slurm),
 * resumed after interruption, and summed up in sweep.csv, a recommended
 * pool size and charts; or all of that collected from point folders that
 * ran elsewhere.
 *
 * Contract: the grid is the loaded scenario's `sweep:` section, after the
 * overrides (which is how --vary and --replications arrive). Each point
 * runs `swiotlb-sim run FILE -o DIR/points/<id> --set ... --set
 * run.seed=S --quiet`, whose run directory appears whole or not at all;
 * a point whose folder already holds its finished run is not run again.
 * Everything the sweep writes itself is written atomically. Messages go
 * to `msgs`, the recommendation to `out`. The result is the exit status:
 * 0 all points finished, 1 some failed (or nothing to collect), 128 + the
 * signal when SIGINT/SIGTERM/SIGHUP stopped it. */
#ifndef SWSIM_SWEEP_SWEEP_H
#define SWSIM_SWEEP_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum sweep_mode {
	SWEEP_RUN,                  /* run the points here */
	SWEEP_EXPORT_PARALLEL,      /* write jobs.txt for GNU parallel */
	SWEEP_EXPORT_SLURM,         /* jobs.txt and a Slurm array script */
};

struct sweep_options {
	enum sweep_mode mode;
	const char *scenario;       /* the scenario file */
	const char *const *sets;    /* base overrides, applied to every point */
	size_t nsets;
	const char *outdir;         /* NULL: sweep.output, else
				       results/<name>-sweep */
	unsigned jobs;              /* worker processes; 0: the CPUs */
	const char *exe;            /* the swiotlb-sim binary the points run;
				       NULL: this process's own */
	bool progress;              /* the progress line on stderr */
	bool charts;                /* render the charts */
	FILE *out, *msgs;
};

int sweep_execute(const struct sweep_options *o);

/* Builds sweep.csv, recommendation.txt and the charts in `dir` from the
 * finished runs in dir/points/ (however they were run): each point's grid
 * values are read back from its scenario.resolved.yaml. */
int sweep_collect(const char *dir, bool charts, FILE *out, FILE *msgs);

#endif
