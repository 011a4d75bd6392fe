/* sweep/sweep_export.h - a sweep beyond one machine: the points' run
 * commands as a job file (one shell command a line, for GNU parallel or
 * anything that runs lines) and a Slurm array script whose task N runs
 * line N.
 *
 * Contract: files are written atomically; every argument is quoted for
 * sh so that a line runs exactly the argv it was made from. */
#ifndef SWSIM_SWEEP_SWEEP_EXPORT_H
#define SWSIM_SWEEP_SWEEP_EXPORT_H

#include <stddef.h>
#include <stdio.h>

/* Prints s quoted for sh (as is when it needs no quoting). */
void sweep_shell_quote(FILE *f, const char *s);

/* One line per argv (NULL-terminated arrays). */
int sweep_write_jobs(const char *path, char **const *argvs, size_t n,
		     char *err, size_t errlen);

/* An sbatch script: an array of njobs tasks, task i running line i of
 * jobs_path, output in logdir. */
int sweep_write_slurm(const char *path, const char *jobs_path,
		      const char *name, const char *logdir, size_t njobs,
		      char *err, size_t errlen);

/* Frees a NULL-terminated argv of malloc'd strings. */
void sweep_free_argv(char **argv);

#endif
