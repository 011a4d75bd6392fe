/* sweep/sweep_plan.h - what the sweep driver's files share: the plan (the
 * scenario, its grid, the folder, the binary) and each point's state.
 * Private to sweep/sweep.c and sweep/sweep_jobs.c. */
#ifndef SWSIM_SWEEP_SWEEP_PLAN_H
#define SWSIM_SWEEP_SWEEP_PLAN_H

#include "sweep/sweep.h"
#include "sweep/sweep_grid.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum point_state {
	POINT_TODO,                 /* to run */
	POINT_DONE,                 /* finished, now or before */
	POINT_FAILED,               /* a bad value, or its run failed */
};

struct point {
	enum point_state state;
	bool reused;                /* finished before this sweep */
	char *error;                /* why it failed */
};

/* What a sweep works from. */
struct plan {
	const struct sweep_options *o;
	struct scenario base;       /* the scenario with the base overrides */
	struct sweep_grid grid;
	char outdir[PATH_MAX];
	char exe[PATH_MAX];         /* the swiotlb-sim the points run */
	struct point *points;       /* grid.npoints */
	int lock_fd;
};

/* vasprintf into a new string, or NULL. */
char *sweep_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Point p's overrides: the base ones (borrowed), then its own; *n gets
 * the count. Release with plan_free_overrides. */
char **plan_point_overrides(const struct plan *pl, size_t p, size_t *n);
void plan_free_overrides(const struct plan *pl, char **all, size_t n);
/* OUTDIR/points/<id> */
void plan_point_dir(const struct plan *pl, size_t p, char *buf, size_t len);
size_t plan_count(const struct plan *pl, enum point_state st);

/* sweep_jobs.c: runs the points still to do in worker processes; returns
 * 0, the signal that stopped it, or -1 (said on msgs). */
int plan_run_points(struct plan *pl);
/* Writes jobs.txt (and sweep.slurm) for the points still to do; 0 or -1. */
int plan_export_points(struct plan *pl);

#endif
