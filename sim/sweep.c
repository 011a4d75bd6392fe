/* sim/sweep.c - the sweep driver: the plan (scenario, grid, folder), which
 * points still need running, running them or exporting them as jobs, and
 * the results at the end. */
#define _GNU_SOURCE
#include "sim/sweep.h"

#include "sim/outfile.h"
#include "sim/sweep_export.h"
#include "sim/sweep_grid.h"
#include "sim/sweep_point.h"
#include "sim/sweep_report.h"
#include "sim/sweep_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	char exe[PATH_MAX];
	struct point *points;
	int lock_fd;
};

static char *dup_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *dup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int sweep_cli_overrides(const char *scenario, const char *const *sets,
			size_t nsets, const char *const *varies,
			size_t nvaries, long replications, char ***ov,
			char *err, size_t errlen)
{
	struct scenario s;
	size_t n = 0, cap = nsets + 2 * nvaries + 1, next;
	char **out;

	*ov = NULL;
	if (scenario_load(scenario, sets, nsets, &s, err, errlen))
		return -1;
	out = calloc(cap, sizeof(*out));
	if (!out)
		goto oom;
	for (size_t i = 0; i < nsets; i++)
		if (!(out[n++] = strdup(sets[i])))
			goto oom;
	next = s.sweep.nvary;
	for (size_t i = 0; i < nvaries; i++) {
		const char *eq = strchr(varies[i], '=');
		size_t klen, entry;

		if (!eq || eq == varies[i] || !eq[1]) {
			snprintf(err, errlen, "--vary %s: not of the form "
				 "key.path=values", varies[i]);
			sweep_overrides_free(out, n);
			scenario_free(&s);
			return -1;
		}
		klen = (size_t)(eq - varies[i]);
		for (entry = 0; entry < s.sweep.nvary; entry++)
			if (strlen(s.sweep.vary[entry].key) == klen &&
			    !strncmp(s.sweep.vary[entry].key, varies[i], klen))
				break;
		if (entry == s.sweep.nvary) {
			entry = next++;
			out[n++] = dup_printf("sweep.vary.%zu.key=%.*s", entry,
					      (int)klen, varies[i]);
			if (!out[n - 1])
				goto oom;
		}
		out[n++] = dup_printf("sweep.vary.%zu.values=%s", entry,
				      eq + 1);
		if (!out[n - 1])
			goto oom;
	}
	if (replications > 0 &&
	    !(out[n++] = dup_printf("sweep.replications=%ld", replications)))
		goto oom;
	scenario_free(&s);
	*ov = out;
	return (int)n;
oom:
	sweep_overrides_free(out, n);
	scenario_free(&s);
	snprintf(err, errlen, "out of memory");
	return -1;
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

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
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
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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
	char err[SCENARIO_ERR_MAX];

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
static char **point_overrides(const struct plan *pl, size_t p, size_t *n)
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

static void free_point_overrides(const struct plan *pl, char **all, size_t n)
{
	for (size_t i = pl->o->nsets; i < n; i++)
		free(all[i]);
	free(all);
}

static void point_dir(const struct plan *pl, size_t p, char *buf, size_t len)
{
	char id[SWEEP_ID_MAX];

	sweep_point_id(&pl->grid, p, id, sizeof(id));
	snprintf(buf, len, "%s/points/%s", pl->outdir, id);
}

/* Decides what each point needs: its values are checked by loading the
 * scenario with them (a bad value fails the point before any run), and a
 * point whose folder holds the same resolved scenario is done. */
static void triage(struct plan *pl)
{
	char err[SCENARIO_ERR_MAX], dir[PATH_MAX + 300];

	for (size_t p = 0; p < pl->grid.npoints; p++) {
		struct point *pt = &pl->points[p];
		struct scenario s;
		size_t n = 0;
		char **ov = point_overrides(pl, p, &n), *text;

		if (!ov) {
			pt->state = POINT_FAILED;
			pt->error = strdup("out of memory");
			continue;
		}
		if (scenario_load(pl->o->scenario, (const char *const *)ov, n,
				  &s, err, sizeof(err))) {
			pt->state = POINT_FAILED;
			pt->error = strdup(err);
			free_point_overrides(pl, ov, n);
			continue;
		}
		free_point_overrides(pl, ov, n);
		text = sweep_resolved_text(&s);
		scenario_free(&s);
		point_dir(pl, p, dir, sizeof(dir));
		if (text && sweep_point_finished(dir, text)) {
			pt->state = POINT_DONE;
			pt->reused = true;
		}
		free(text);
	}
}

/* argv of the run command for point p (free with free_argv). */
static char **run_argv(const struct plan *pl, size_t p)
{
	size_t n = 0, k = 0;
	char **ov = point_overrides(pl, p, &n), **argv;
	char dir[PATH_MAX + 300];

	if (!ov)
		return NULL;
	argv = calloc(2 * n + 8, sizeof(*argv));
	if (!argv) {
		free_point_overrides(pl, ov, n);
		return NULL;
	}
	point_dir(pl, p, dir, sizeof(dir));
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
	free_point_overrides(pl, ov, n);
	for (size_t i = 0; i < k; i++)
		if (!argv[i]) {
			sweep_free_argv(argv);
			return NULL;
		}
	return argv;
}

static size_t count_state(const struct plan *pl, enum point_state st)
{
	size_t n = 0;

	for (size_t p = 0; p < pl->grid.npoints; p++)
		n += pl->points[p].state == st;
	return n;
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

	point_dir(rc->pl, rc->point[job], dir, sizeof(dir));
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
		pt->error = dup_printf("killed by signal %d (%s)%s%s",
				       WTERMSIG(status),
				       strsignal(WTERMSIG(status)),
				       *line ? "; last words: " : "", line);
	else if (WEXITSTATUS(status))
		pt->error = dup_printf("exit status %d: %s", WEXITSTATUS(status),
				       *line ? line : "(no message)");
	else
		pt->error = dup_printf("exited 0 without writing %s", path);
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
	size_t todo = count_state(pl, POINT_TODO), j = 0;
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
		jobs[j].log = dup_printf("%s/logs/%s.log", pl->outdir, id);
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
static int run_points(struct plan *pl)
{
	const struct sweep_options *o = pl->o;
	struct sweep_progress prog = {
		.total = pl->grid.npoints, .show = o->progress,
		.failed = count_state(pl, POINT_FAILED),
	};
	struct run_ctx rc = { pl, NULL, NULL };
	size_t n = 0;
	char err[256];
	int status;

	prog.done = prog.failed + count_state(pl, POINT_DONE);
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

/* Says which points failed and why, on msgs and in failures.txt (which
 * is removed when none did). */
static void report_failures(const struct plan *pl)
{
	char path[PATH_MAX + 32], err[PATH_MAX + 128], what[2048];
	char id[SWEEP_ID_MAX];
	struct outfile of;
	bool any = count_state(pl, POINT_FAILED) > 0;

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
		fprintf(pl->o->msgs, "sweep: point %s failed (%s): %s\n", id,
			what, pt->error ? pt->error : "?");
		if (of.f)
			fprintf(of.f, "%s\t%s\t%s\n", id, what,
				pt->error ? pt->error : "?");
	}
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
		point_dir(pl, p, dir, sizeof(dir));
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

static int export_points(struct plan *pl)
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
			count_state(pl, POINT_DONE), pl->grid.npoints);
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
	failed = count_state(pl, POINT_FAILED);
	for (size_t p = 0; p < pl->grid.npoints; p++)
		reused += pl->points[p].reused;
	fprintf(o->msgs, "sweep: %zu points: %zu run, %zu reused, %zu failed; "
		"results in %s/\n", pl->grid.npoints,
		count_state(pl, POINT_DONE) - reused, reused, failed,
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
	if (o->mode != SWEEP_RUN) {
		report_failures(&pl);
		status = export_points(&pl) || count_state(&pl, POINT_FAILED);
		plan_free(&pl);
		return status ? 1 : 0;
	}
	status = run_points(&pl);
	status = finish(&pl, status);
	plan_free(&pl);
	return status;
}
