/* sweep/sweep_charts.c - a sweep's charts: series files (one block per
 * combination of the other varied keys) and the plots/sweep_*.gp scripts
 * rendered by gnuplot. */
#include "sweep/sweep_report.h"

#include "allocator/swiotlb.h"
#include "base/outfile.h"
#include "run/plot.h"
#include "sweep/sweep_stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)
#define SLABS_PER_MiB (MiB / IO_TLB_SIZE)

/* A series' label: "areas=4 dynamic=false" over the axes but `skip`;
 * commas and quotes are changed so that it stays one CSV field. */
static void series_label(const struct sweep_table *t, size_t combo,
			 size_t skip, char *buf, size_t len)
{
	const struct sweep_grid *g = t->grid;

	buf[0] = '\0';
	for (size_t a = 0; a < g->naxes; a++) {
		size_t used = strlen(buf);

		if (a != skip)
			snprintf(buf + used, len - used, "%s%s=%s",
				 used ? " " : "", g->axes[a].name,
				 g->axes[a].values[sweep_combo_value(g, combo,
								     a)]);
	}
	if (!buf[0])
		snprintf(buf, len, "%s", t->name);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = ';';
		else if (*p == '"')
			*p = '\'';
}

static struct sweep_ci metric_ci(const struct sweep_cell *c, int m,
				 double scale, double *x)
{
	struct sweep_ci ci;

	for (size_t r = 0; r < c->nruns; r++)
		x[r] = c->runs[r].metric[m] * scale;
	ci = sweep_ci95(x, c->nruns);
	return ci;
}

static void put(FILE *f, double v)
{
	if (isnan(v))
		fputs(",nan", f);
	else
		fprintf(f, ",%.10g", v);
}

/* The x value of a cell on a chart: the pool in MiB, or the area count
 * (the kernel's when the value leaves it open). */
static double pool_x(const struct sweep_table *t, size_t combo, size_t axis)
{
	return (double)sweep_cell_slabs(t, combo, axis) / SLABS_PER_MiB;
}

static double areas_x(const struct sweep_table *t, size_t combo, size_t axis)
{
	const struct sweep_cell *c = &t->cells[combo];
	double v = strtod(t->grid->axes[axis].values[
		sweep_combo_value(t->grid, combo, axis)], NULL);

	return v > 0 || !c->nruns ? v : (double)c->runs[0].boot_nareas;
}

/* One series: a header line whose first field is its label (gnuplot's
 * columnheader(1)), then a row for each cell with runs, in increasing x.
 * x has room for any cell's runs. */
static void write_block(FILE *f, const struct sweep_table *t,
			const size_t *combos, size_t axis, bool pool,
			const char *label, double *x)
{
	sweep_order_key x_of = pool ? pool_x : areas_x;

	fprintf(f, "%s,x%s\n", label, pool ?
		",full_events_mean,full_events_ci95,hiwater_mib_mean,"
		"hiwater_mib_ci95" : ",lock_wait_pct_mean,lock_wait_pct_ci95");
	for (size_t j = 0; j < t->grid->axes[axis].nvalues; j++) {
		const struct sweep_cell *c = &t->cells[combos[j]];
		struct sweep_ci ci;

		if (!c->nruns)
			continue;
		fputs(label, f);
		put(f, x_of(t, combos[j], axis));
		ci = metric_ci(c, pool ? SWEEP_FULL_EVENTS :
			       SWEEP_LOCK_WAIT_SHARE, pool ? 1 : 100, x);
		put(f, ci.mean);
		put(f, ci.half);
		if (pool) {
			ci = metric_ci(c, SWEEP_HIWATER_SLOTS,
				       1 / SLABS_PER_MiB, x);
			put(f, ci.mean);
			put(f, ci.half);
		}
		fputc('\n', f);
	}
}

/* A chart's data: one block per series (a combination of the other
 * axes), by pool size or by area count; blocks are separated by two
 * blank lines (gnuplot's `index`). */
static int write_series(const struct sweep_table *t, size_t axis, bool pool,
			const char *path, char *err, size_t errlen)
{
	const struct sweep_grid *g = t->grid;
	size_t *combos = malloc(g->axes[axis].nvalues * sizeof(*combos));
	double *x = malloc(sweep_table_max_runs(t) * sizeof(*x));
	struct outfile o;
	bool first = true;

	if (!combos || !x || outfile_open(&o, path, err, errlen)) {
		if (!combos || !x)
			snprintf(err, errlen, "out of memory");
		free(combos);
		free(x);
		return -1;
	}
	fprintf(o.f, "# swiotlb-sim sweep: one block per series, by %s; "
		"plots/sweep_*.gp read it\n", g->axes[axis].key);
	for (size_t group = 0; group < g->ncombos; group++) {
		char label[1024];

		if (sweep_combo_value(g, group, axis))
			continue;
		sweep_series(t, group, axis, pool ? pool_x : areas_x, combos);
		series_label(t, group, axis, label, sizeof(label));
		if (!first)
			fputs("\n\n", o.f);
		first = false;
		write_block(o.f, t, combos, axis, pool, label, x);
	}
	free(combos);
	free(x);
	return outfile_commit(&o, err, errlen);
}

static bool any_runs(const struct sweep_table *t)
{
	for (size_t c = 0; c < t->grid->ncombos; c++)
		if (t->cells[c].nruns)
			return true;
	return false;
}

/* name='...' for gnuplot, with quotes doubled. */
static void gnuplot_name(const char *name, char *buf, size_t len)
{
	size_t j = (size_t)snprintf(buf, len, "name='");

	for (; *name && j + 4 < len; name++) {
		if (*name == '\'')
			buf[j++] = '\'';
		buf[j++] = *name;
	}
	snprintf(buf + j, len - j, "'");
}

int sweep_charts(const struct sweep_table *t, const char *dir, bool render,
		 FILE *msgs)
{
	int pool = sweep_pool_axis(t->grid);
	int areas = sweep_axis_index(t->grid, "swiotlb.areas");
	char path[OUTFILE_PATH_MAX], err[512], extra[600];
	int status = 0;

	if (pool >= 0) {
		snprintf(path, sizeof(path), "%s/chart_pool.csv", dir);
		if (write_series(t, (size_t)pool, true, path, err,
				 sizeof(err))) {
			fprintf(msgs, "sweep: %s\n", err);
			return -1;
		}
	}
	if (areas >= 0) {
		snprintf(path, sizeof(path), "%s/chart_areas.csv", dir);
		if (write_series(t, (size_t)areas, false, path, err,
				 sizeof(err))) {
			fprintf(msgs, "sweep: %s\n", err);
			return -1;
		}
	}
	if ((pool < 0 && areas < 0) || !render || !any_runs(t))
		return 0;
	if (!plot_have_gnuplot()) {
		fprintf(msgs, "sweep: gnuplot not found, so no charts; install "
			"it with `apt-get install gnuplot-nox`, then "
			"`swiotlb-sim sweep --collect %s`\n", dir);
		return 0;
	}
	gnuplot_name(t->name, extra, sizeof(extra));
	if (pool >= 0 && (plot_script("sweep_full_events.gp", dir, extra, msgs) ||
			  plot_script("sweep_hiwater.gp", dir, extra, msgs)))
		status = -1;
	if (areas >= 0 && plot_script("sweep_lock_wait.gp", dir, extra, msgs))
		status = -1;
	return status;
}
