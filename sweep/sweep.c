/* sweep/sweep.c - the sweep driver: the plan (scenario, grid, folder),
 * which points still need running, and the results at the end (running
 * and exporting the points is sweep/sweep_jobs.c). */
#define _GNU_SOURCE
#include "sweep/sweep_plan.h"

#include "base/outfile.h"
#include "sweep/sweep_point.h"
#include "sweep/sweep_report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAILURES_SAID 10         /* failed points told on msgs; all in
				    failures.txt */

char *sweep_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void plan_free(struct plan *pl)
{
	for (size_t p = 0; pl->points && p < pl->grid.npoints; p++)
		free(pl->points[p].error);
	free(pl->points);
	sweep_grid_free(&pl->grid);
	scenario_free(&pl->base);
	if (pl->lock_fd >= 0)
		close(pl->lock_fd);
}

/* The sweep's folder: -o, sweep.output, or results/<name>-sweep. */
static void choose_outdir(struct plan *pl)
{
	const struct sweep_options *o = pl->o;

	if (o->outdir)
		snprintf(pl->outdir, sizeof(pl->outdir), "%s", o->outdir);
	else if (pl->base.sweep.output && *pl->base.sweep.output)
		snprintf(pl->outdir, sizeof(pl->outdir), "%s",
			 pl->base.sweep.output);
	else
		snprintf(pl->outdir, sizeof(pl->outdir), "results/%s-sweep",
			 pl->base.name);
	/* "dir/" and "dir" are one folder; keep paths tidy. */
	for (size_t n = strlen(pl->outdir); n > 1 && pl->outdir[n - 1] == '/';)
		pl->outdir[--n] = '\0';
}

static int find_exe(struct plan *pl, FILE *msgs)
{
	ssize_t n;

	if (pl->o->exe) {
		if (!realpath(pl->o->exe, pl->exe)) {
			fprintf(msgs, "sweep: %s: %s\n", pl->o->exe,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	n = readlink("/proc/self/exe", pl->exe, sizeof(pl->exe) - 1);
	if (n < 0) {
		fprintf(msgs, "sweep: cannot find this program "
			"(/proc/self/exe): %s\n", strerror(errno));
		return -1;
	}
	pl->exe[n] = '\0';
	return 0;
}

/* Leftovers of runs killed while writing (the run command's temporary
 * "<id>.tmp-XXXXXX" and "<id>.old-XXXXXX" folders). */
static void remove_leftovers(const char *points)
{
	DIR *d = opendir(points);
	struct dirent *e;
	char path[2 * PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *mark = strstr(e->d_name, ".tmp-");

		if (!mark)
			mark = strstr(e->d_name, ".old-");
		if (!mark || strlen(mark) != strlen(".tmp-XXXXXX"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", points, e->d_name);
		remove_tree(path);
	}
	closedir(d);
}

/* The folders, and a lock so that two sweeps never share one. */
static int prepare_outdir(struct plan *pl, FILE *msgs)
{
	char path[PATH_MAX + 32], err[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/points", pl->outdir);
	if (make_dirs(path, err, sizeof(err))) {
		fprintf(msgs, "sweep: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/logs", pl->outdir);
	if (make_dirs(path, err, sizeof(err))) {
		fprintf(msgs, "sweep: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/.lock", pl->outdir);
	pl->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pl->lock_fd < 0 || flock(pl->lock_fd, LOCK_EX | LOCK_NB)) {
		fprintf(msgs, "sweep: %s: %s\n", pl->outdir, errno ==
			EWOULDBLOCK ? "another sweep is using this folder" :
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/points", pl->outdir);
	remove_leftovers(path);
	return 0;
}

static int load_plan(struct plan *pl, const struct sweep_options *o)
{
	char err[SCENARIO_ERRS_LEN];

	memset(pl, 0, sizeof(*pl));
	pl->o = o;
	pl->lock_fd = -1;
	if (scenario_load(o->scenario, o->sets, o->nsets, &pl->base, err,
			  sizeof(err))) {
		fprintf(o->msgs, "%s\n", err);
		return -1;
	}
	if (sweep_grid_build(&pl->base, &pl->grid, err, sizeof(err))) {
		fprintf(o->msgs, "%s: %s\n", o->scenario, err);
		return -1;
	}
	pl->points = calloc(pl->grid.npoints, sizeof(*pl->points));
	if (!pl->points) {
		fprintf(o->msgs, "sweep: out of memory\n");
		return -1;
	}
	choose_outdir(pl);
	return find_exe(pl, o->msgs);
}

/* The point's overrides after the base ones; *n gets the count. */
char **plan_point_overrides(const struct plan *pl, size_t p, size_t *n)
{
	char **own, **all;
	int k = sweep_point_overrides(&pl->grid, p, &own);

	if (k < 0)
		return NULL;
	all = calloc(pl->o->nsets + (size_t)k, sizeof(*all));
	if (!all) {
		sweep_overrides_free(own, (size_t)k);
		return NULL;
	}
	for (size_t i = 0; i < pl->o->nsets; i++)
		all[i] = (char *)pl->o->sets[i];
	memcpy(all + pl->o->nsets, own, (size_t)k * sizeof(*own));
	free(own);
	*n = pl->o->nsets + (size_t)k;
	return all;
}

void plan_free_overrides(const struct plan *pl, char **all, size_t n)
{
	for (size_t i = pl->o->nsets; i < n; i++)
		free(all[i]);
	free(all);
}

void plan_point_dir(const struct plan *pl, size_t p, char *buf, size_t len)
{
	char id[SWEEP_ID_MAX];

	sweep_point_id(&pl->grid, p, id, sizeof(id));
	snprintf(buf, len, "%s/points/%s", pl->outdir, id);
}

/* The loader's errors, one a line, as one line ("; " between them): a
 * failed point is one line of failures.txt. */
static char *one_line(const char *err)
{
	size_t n = strlen(err) + 1;
	char *s;

	for (const char *p = err; *p; p++)
		n += *p == '\n';
	s = malloc(n);
	if (!s)
		return NULL;
	for (char *q = s; ; err++) {
		if (*err == '\n') {
			*q++ = ';';
			*q++ = ' ';
		} else if (!(*q++ = *err)) {
			break;
		}
	}
	return s;
}

/* Decides what each point needs: its values are checked by loading the
 * scenario with them (a bad value fails the point before any run), and a
 * point whose folder holds the same resolved scenario is done. */
static void triage(struct plan *pl)
{
	char err[SCENARIO_ERRS_LEN], dir[PATH_MAX + 300];

	for (size_t p = 0; p < pl->grid.npoints; p++) {
		struct point *pt = &pl->points[p];
		struct scenario s;
		size_t n = 0;
		char **ov = plan_point_overrides(pl, p, &n), *text;

		if (!ov) {
			pt->state = POINT_FAILED;
			pt->error = strdup("out of memory");
			continue;
		}
		if (scenario_load(pl->o->scenario, (const char *const *)ov, n,
				  &s, err, sizeof(err))) {
			pt->state = POINT_FAILED;
			pt->error = one_line(err);
			plan_free_overrides(pl, ov, n);
			continue;
		}
		plan_free_overrides(pl, ov, n);
		text = sweep_resolved_text(&s);
		scenario_free(&s);
		plan_point_dir(pl, p, dir, sizeof(dir));
		if (text && sweep_point_finished(dir, text)) {
			pt->state = POINT_DONE;
			pt->reused = true;
		}
		free(text);
	}
}

size_t plan_count(const struct plan *pl, enum point_state st)
{
	size_t n = 0;

	for (size_t p = 0; p < pl->grid.npoints; p++)
		n += pl->points[p].state == st;
	return n;
}

/* "swiotlb.slabs=4096 swiotlb.areas=4 run.seed=1" */
static void describe_point(const struct plan *pl, size_t p, char *buf,
			   size_t len)
{
	char **ov;
	int n = sweep_point_overrides(&pl->grid, p, &ov);

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 i ? " " : "", ov[i]);
	sweep_overrides_free(ov, n > 0 ? (size_t)n : 0);
}

/* Says which points failed and why: the first FAILURES_SAID on msgs,
 * all of them in failures.txt (which is removed when none did). */
static void report_failures(const struct plan *pl)
{
	char path[PATH_MAX + 32], err[PATH_MAX + 128], what[2048];
	char id[SWEEP_ID_MAX];
	struct outfile of;
	bool any = plan_count(pl, POINT_FAILED) > 0;
	size_t said = 0;

	snprintf(path, sizeof(path), "%s/failures.txt", pl->outdir);
	if (!any) {
		unlink(path);
		return;
	}
	if (outfile_open(&of, path, err, sizeof(err)))
		of.f = NULL;
	for (size_t p = 0; p < pl->grid.npoints; p++) {
		const struct point *pt = &pl->points[p];

		if (pt->state != POINT_FAILED)
			continue;
		sweep_point_id(&pl->grid, p, id, sizeof(id));
		describe_point(pl, p, what, sizeof(what));
		if (++said <= FAILURES_SAID)
			fprintf(pl->o->msgs, "sweep: point %s failed (%s): %s\n",
				id, what, pt->error ? pt->error : "?");
		if (of.f)
			fprintf(of.f, "%s\t%s\t%s\n", id, what,
				pt->error ? pt->error : "?");
	}
	if (said > FAILURES_SAID)
		fprintf(pl->o->msgs, "sweep: ... and %zu more failed points; "
			"all are in %s\n", said - FAILURES_SAID, path);
	if (of.f && outfile_commit(&of, err, sizeof(err)))
		fprintf(pl->o->msgs, "sweep: %s\n", err);
}

/* The table of finished points, read back from their folders. */
static int build_table(struct plan *pl, struct sweep_table *t)
{
	char dir[PATH_MAX + 300], err[1024];

	if (sweep_table_init(t, &pl->grid, pl->base.name)) {
		fprintf(pl->o->msgs, "sweep: out of memory\n");
		return -1;
	}
	for (size_t p = 0; p < pl->grid.npoints; p++) {
		struct point *pt = &pl->points[p];
		struct sweep_result r;
		struct scenario s;

		if (pt->state != POINT_DONE)
			continue;
		plan_point_dir(pl, p, dir, sizeof(dir));
		if (sweep_point_load(dir, &s, NULL, &r, err, sizeof(err))) {
			pt->state = POINT_FAILED;
			pt->error = strdup(err);
			continue;
		}
		scenario_free(&s);
		if (sweep_table_add(t, p / pl->grid.replications, &r)) {
			fprintf(pl->o->msgs, "sweep: out of memory\n");
			return -1;
		}
	}
	sweep_table_sort(t);
	return 0;
}

static int finish(struct plan *pl, int run_status)
{
	const struct sweep_options *o = pl->o;
	struct sweep_table t;
	size_t reused = 0, failed;
	int rc = 0;

	if (run_status > 0) {
		fprintf(o->msgs, "sweep: stopped by signal %d (%s); %zu of %zu "
			"points finished; run the same command again to "
			"resume\n", run_status, strsignal(run_status),
			plan_count(pl, POINT_DONE), pl->grid.npoints);
		return 128 + run_status;
	}
	if (run_status < 0)
		return 1;
	if (build_table(pl, &t))
		return 1;
	if (sweep_write_results(&t, pl->outdir, o->charts, o->out, o->msgs))
		rc = 1;
	sweep_table_free(&t);
	report_failures(pl);
	failed = plan_count(pl, POINT_FAILED);
	for (size_t p = 0; p < pl->grid.npoints; p++)
		reused += pl->points[p].reused;
	fprintf(o->msgs, "sweep: %zu points: %zu run, %zu reused, %zu failed; "
		"results in %s/\n", pl->grid.npoints,
		plan_count(pl, POINT_DONE) - reused, reused, failed,
		pl->outdir);
	return failed || rc ? 1 : 0;
}

int sweep_execute(const struct sweep_options *o)
{
	struct plan pl;
	int status;

	if (load_plan(&pl, o) || prepare_outdir(&pl, o->msgs)) {
		plan_free(&pl);
		return 1;
	}
	triage(&pl);
	if (plan_count(&pl, POINT_FAILED) == pl.grid.npoints) {
		/* A mistake in the grid, not in its points: said once. */
		fprintf(o->msgs, "sweep: no point of the grid loads, so nothing "
			"was run; the first says: %s\n", pl.points[0].error);
		plan_free(&pl);
		return 1;
	}
	if (o->mode != SWEEP_RUN) {
		report_failures(&pl);
		status = plan_export_points(&pl) || plan_count(&pl, POINT_FAILED);
		plan_free(&pl);
		return status ? 1 : 0;
	}
	status = plan_run_points(&pl);
	status = finish(&pl, status);
	plan_free(&pl);
	return status;
}
