/* sweep/sweep_run.h - runs a sweep's points as child processes, a few at a
 * time, with a progress line, and stops cleanly on SIGINT, SIGTERM or
 * SIGHUP.
 *
 * Contract: each job is one exec of argv with stdin from /dev/null and
 * stdout and stderr into its log file; children run in their own process
 * group (the terminal's Ctrl-C reaches only the driver) and get SIGTERM if
 * the driver dies. `done` is called in the driver as each child is
 * reaped. On a stop signal no more jobs start, the running children get
 * SIGTERM (SIGKILL after a grace period) and are reaped. The signal mask
 * and handlers are restored before returning. */
#ifndef SWSIM_SWEEP_SWEEP_RUN_H
#define SWSIM_SWEEP_SWEEP_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct sweep_job {
	char **argv;                /* argv[0] the program; NULL-terminated */
	char *log;                  /* the child's stdout and stderr */
};

/* What the progress line counts, besides the jobs of this call. */
struct sweep_progress {
	size_t total;               /* points of the sweep */
	size_t done;                /* finished (or failed) points so far */
	size_t failed;              /* of which failed */
	bool show;                  /* draw the line on stderr */
};

/* Called as job `job` ends, with its waitpid() status; returns true when
 * the job counts as failed. */
typedef bool (*sweep_job_done)(void *ctx, size_t job, int status);

/* Runs the jobs, at most `parallel` at once, in order. Returns 0 when all
 * ran, the signal number when a signal stopped the sweep, or -1 with err
 * when the system would not start a child. */
int sweep_run_jobs(const struct sweep_job *jobs, size_t njobs,
		   unsigned parallel, struct sweep_progress *p,
		   sweep_job_done done, void *ctx, char *err, size_t errlen);

/* The CPUs this process may run on (its affinity mask), at least 1. */
unsigned sweep_cpu_count(void);

#endif
