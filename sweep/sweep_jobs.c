/* sweep/sweep_jobs.c - a sweep's points as jobs: the run command of each,
 * run here in worker processes (with the outcome of each), or written
 * out for GNU parallel and Slurm. */
#define _GNU_SOURCE
#include "sweep/sweep_plan.h"

#include "sweep/sweep_export.h"
#include "sweep/sweep_point.h"
#include "sweep/sweep_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* argv of the run command for point p (free with sweep_free_argv). */
static char **run_argv(const struct plan *pl, size_t p)
{
	size_t n = 0, k = 0;
	char **ov = plan_point_overrides(pl, p, &n), **argv;
	char dir[PATH_MAX + 300];

	if (!ov)
		return NULL;
	argv = calloc(2 * n + 8, sizeof(*argv));
	if (!argv) {
		plan_free_overrides(pl, ov, n);
		return NULL;
	}
	plan_point_dir(pl, p, dir, sizeof(dir));
	argv[k++] = strdup(pl->exe);
	argv[k++] = strdup("run");
	argv[k++] = strdup(pl->o->scenario);
	argv[k++] = strdup("-o");
	argv[k++] = strdup(dir);
	for (size_t i = 0; i < n; i++) {
		argv[k++] = strdup("--set");
		argv[k++] = strdup(ov[i]);
	}
	argv[k++] = strdup("--quiet");
	plan_free_overrides(pl, ov, n);
	for (size_t i = 0; i < k; i++)
		if (!argv[i]) {         /* out of memory: free around holes */
			for (size_t j = 0; j < k; j++)
				free(argv[j]);
			free(argv);
			return NULL;
		}
	return argv;
}

/* The last non-empty line of a log, or "". */
static void last_line(const char *path, char *buf, size_t len)
{
	char *text = sweep_read_file(path, NULL), *end;

	buf[0] = '\0';
	if (!text)
		return;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
			      end[-1] == ' '))
		*--end = '\0';
	while (end > text && end[-1] != '\n')
		end--;
	snprintf(buf, len, "%s", end);
	free(text);
}

struct run_ctx {
	struct plan *pl;
	size_t *point;              /* job -> point */
	struct sweep_job *jobs;
};

static bool on_point_done(void *ctx, size_t job, int status)
{
	struct run_ctx *rc = ctx;
	struct point *pt = &rc->pl->points[rc->point[job]];
	char dir[PATH_MAX + 300], path[PATH_MAX + 340], line[1024];

	plan_point_dir(rc->pl, rc->point[job], dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    access(path, R_OK) == 0) {
		pt->state = POINT_DONE;
		unlink(rc->jobs[job].log);
		return false;
	}
	last_line(rc->jobs[job].log, line, sizeof(line));
	pt->state = POINT_FAILED;
	if (WIFSIGNALED(status))
		pt->error = sweep_printf("killed by signal %d (%s)%s%s",
				       WTERMSIG(status),
				       strsignal(WTERMSIG(status)),
				       *line ? "; last words: " : "", line);
	else if (WEXITSTATUS(status))
		pt->error = sweep_printf("exit status %d: %s", WEXITSTATUS(status),
				       *line ? line : "(no message)");
	else
		pt->error = sweep_printf("exited 0 without writing %s", path);
	return true;
}

static void free_jobs(struct sweep_job *jobs, size_t n)
{
	for (size_t j = 0; jobs && j < n; j++) {
		sweep_free_argv(jobs[j].argv);
		free(jobs[j].log);
	}
	free(jobs);
}

/* The jobs of the points still to run; *which maps them to points. */
static struct sweep_job *make_jobs(const struct plan *pl, size_t *n,
				   size_t **which)
{
	size_t todo = plan_count(pl, POINT_TODO), j = 0;
	struct sweep_job *jobs = calloc(todo ? todo : 1, sizeof(*jobs));
	char id[SWEEP_ID_MAX];

	*which = calloc(todo ? todo : 1, sizeof(**which));
	if (!jobs || !*which)
		goto fail;
	for (size_t p = 0; p < pl->grid.npoints; p++) {
		if (pl->points[p].state != POINT_TODO)
			continue;
		sweep_point_id(&pl->grid, p, id, sizeof(id));
		(*which)[j] = p;
		jobs[j].argv = run_argv(pl, p);
		jobs[j].log = sweep_printf("%s/logs/%s.log", pl->outdir, id);
		if (!jobs[j++].argv || !jobs[j - 1].log)
			goto fail;
	}
	*n = j;
	return jobs;
fail:
	free_jobs(jobs, j);
	free(*which);
	*which = NULL;
	return NULL;
}

/* Runs the points still to do; returns 0, the stopping signal, or -1. */
int plan_run_points(struct plan *pl)
{
	const struct sweep_options *o = pl->o;
	struct sweep_progress prog = {
		.total = pl->grid.npoints, .show = o->progress,
		.failed = plan_count(pl, POINT_FAILED),
	};
	struct run_ctx rc = { pl, NULL, NULL };
	size_t n = 0;
	char err[256];
	int status;

	prog.done = prog.failed + plan_count(pl, POINT_DONE);
	rc.jobs = make_jobs(pl, &n, &rc.point);
	if (!rc.jobs) {
		fprintf(o->msgs, "sweep: out of memory\n");
		return -1;
	}
	status = sweep_run_jobs(rc.jobs, n, o->jobs ? o->jobs :
				sweep_cpu_count(), &prog, on_point_done, &rc,
				err, sizeof(err));
	if (status < 0)
		fprintf(o->msgs, "sweep: %s\n", err);
	free_jobs(rc.jobs, n);
	free(rc.point);
	return status;
}

int plan_export_points(struct plan *pl)
{
	const struct sweep_options *o = pl->o;
	char jobs_path[PATH_MAX + 32], path[PATH_MAX + 32], logs[PATH_MAX + 32];
	char err[PATH_MAX + 128];
	size_t n = 0, *which = NULL;
	struct sweep_job *jobs = make_jobs(pl, &n, &which);
	char ***all = calloc(n ? n : 1, sizeof(*all));
	int status = 0;

	if (!jobs || !all) {
		fprintf(o->msgs, "sweep: out of memory\n");
		free_jobs(jobs, n);
		free(which);
		free(all);
		return -1;
	}
	for (size_t j = 0; j < n; j++)
		all[j] = jobs[j].argv;
	snprintf(jobs_path, sizeof(jobs_path), "%s/jobs.txt", pl->outdir);
	snprintf(logs, sizeof(logs), "%s/logs", pl->outdir);
	if (sweep_write_jobs(jobs_path, all, n, err, sizeof(err)))
		status = -1;
	snprintf(path, sizeof(path), "%s/sweep.slurm", pl->outdir);
	if (!status && o->mode == SWEEP_EXPORT_SLURM &&
	    sweep_write_slurm(path, jobs_path, pl->base.name, logs, n, err,
			      sizeof(err)))
		status = -1;
	if (status)
		fprintf(o->msgs, "sweep: %s\n", err);
	else if (o->mode == SWEEP_EXPORT_SLURM)
		fprintf(o->msgs, "sweep: %zu of %zu points to run: %s (line N is "
			"array task N); submit with `sbatch %s`, then "
			"`swiotlb-sim sweep --collect %s`\n", n,
			pl->grid.npoints, jobs_path, path, pl->outdir);
	else
		fprintf(o->msgs, "sweep: %zu of %zu points to run: %s; run them "
			"with `parallel --jobs N < %s`, then "
			"`swiotlb-sim sweep --collect %s`\n", n,
			pl->grid.npoints, jobs_path, jobs_path, pl->outdir);
	free_jobs(jobs, n);
	free(which);
	free(all);
	return status;
}

