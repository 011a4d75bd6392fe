/* run/plot.h - charts of a run directory, rendered by gnuplot from the
 * scripts in plots/ as PNG and SVG beside the CSV files.
 *
 * Contract: plot_run_dir() returns 0 when every chart was written; when
 * gnuplot is missing it says how to install it (on `msgs`, if not NULL)
 * and returns 1; a failing script returns -1. The scripts are found in
 * $SWSIM_PLOTS_DIR, else in the source tree's plots/ folder. */
#ifndef SWSIM_RUN_PLOT_H
#define SWSIM_RUN_PLOT_H

#include <stdio.h>

int plot_run_dir(const char *dir, FILE *msgs);
/* Renders one script for `dir` in both formats with extra gnuplot
 * assignments (may be NULL); used for runs and sweeps. */
int plot_script(const char *script, const char *dir, const char *extra,
		FILE *msgs);
/* The folder holding the gnuplot scripts. */
const char *plot_scripts_dir(void);
/* Whether a gnuplot binary is on PATH. */
int plot_have_gnuplot(void);

#endif
