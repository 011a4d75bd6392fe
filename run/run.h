/* run/run.h - one simulation run from a loaded scenario: the machine and
 * workloads it describes, simulated for the run's duration, results written
 * to its output directory.
 *
 * Contract: run_build_machine_config() and run_make_workloads() turn the
 * scenario into the machine's and the generators' configurations (errors
 * name the scenario key). run_scenario() does everything; on any error it
 * returns -1 with one line in err and leaves no output directory behind. */
#ifndef SWSIM_RUN_RUN_H
#define SWSIM_RUN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "machine/machine.h"
#include "scenario/scenario.h"
#include "workloads/workload.h"

struct run_options {
	const char *scenario_path;
	const char *outdir;         /* NULL: the scenario's run.output */
	bool quiet;                 /* no human summary */
	bool plot;                  /* render the charts at the end */
	bool progress;              /* a progress line on stderr */
	FILE *summary_out;          /* where the human summary goes */
};

/* Fills cfg (whose device array is malloc'ed into *devices; free it after
 * machine_new) from the scenario. */
int run_build_machine_config(const struct scenario *s,
			     struct machine_config *cfg,
			     struct machine_device_config **devices,
			     char *err, size_t errlen);

/* Builds the scenario's workloads on m into *out (malloc'ed array of
 * s->nworkloads); on error nothing is left allocated. */
int run_make_workloads(const struct scenario *s, struct machine *m,
		       struct workload ***out, char *err, size_t errlen);

int run_scenario(const struct scenario *s, const struct run_options *o,
		 char *err, size_t errlen);

/* The directory a run writes to: o->outdir, or the scenario's run.output
 * with "<name>" replaced by the scenario's name; trailing slashes
 * dropped. */
void run_output_dir(const struct scenario *s, const struct run_options *o,
		    char *buf, size_t len);

#endif
