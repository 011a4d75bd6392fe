/* sweep/sweep_report.c - a sweep's table of finished replications and
 * sweep.csv, one row per combination of grid values. */
#include "sweep/sweep_report.h"

#include "base/outfile.h"
#include "sweep/sweep_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sweep_table_init(struct sweep_table *t, const struct sweep_grid *g,
		     const char *name)
{
	memset(t, 0, sizeof(*t));
	t->grid = g;
	t->cells = calloc(g->ncombos ? g->ncombos : 1, sizeof(*t->cells));
	t->name = strdup(name ? name : "sweep");
	if (!t->cells || !t->name) {
		sweep_table_free(t);
		return -1;
	}
	return 0;
}

int sweep_table_add(struct sweep_table *t, size_t combo,
		    const struct sweep_result *r)
{
	struct sweep_cell *c = &t->cells[combo];
	struct sweep_result *runs;

	runs = realloc(c->runs, (c->nruns + 1) * sizeof(*runs));
	if (!runs)
		return -1;
	runs[c->nruns++] = *r;
	c->runs = runs;
	return 0;
}

static int by_seed(const void *a, const void *b)
{
	const struct sweep_result *x = a, *y = b;

	return (x->seed > y->seed) - (x->seed < y->seed);
}

void sweep_table_sort(struct sweep_table *t)
{
	for (size_t c = 0; t->cells && c < t->grid->ncombos; c++)
		if (t->cells[c].nruns > 1)
			qsort(t->cells[c].runs, t->cells[c].nruns,
			      sizeof(*t->cells[c].runs), by_seed);
}

void sweep_table_free(struct sweep_table *t)
{
	for (size_t c = 0; t->cells && c < t->grid->ncombos; c++)
		free(t->cells[c].runs);
	free(t->cells);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

size_t sweep_table_max_runs(const struct sweep_table *t)
{
	size_t most = 1;

	for (size_t c = 0; c < t->grid->ncombos; c++)
		if (t->cells[c].nruns > most)
			most = t->cells[c].nruns;
	return most;
}

int sweep_pool_axis(const struct sweep_grid *g)
{
	int a = sweep_axis_index(g, "swiotlb.slabs");

	return a >= 0 ? a : sweep_axis_index(g, "swiotlb.param");
}

void sweep_series(const struct sweep_table *t, size_t group, size_t axis,
		  sweep_order_key key, size_t *combos)
{
	size_t n = t->grid->axes[axis].nvalues;

	for (size_t v = 0; v < n; v++)
		combos[v] = sweep_combo_with(t->grid, group, axis, v);
	for (size_t i = 1; i < n; i++) {        /* stable insertion sort */
		size_t c = combos[i], j = i;
		double k = key(t, c, axis);

		for (; j > 0 && key(t, combos[j - 1], axis) > k; j--)
			combos[j] = combos[j - 1];
		combos[j] = c;
	}
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_number(FILE *f, double v)
{
	if (isnan(v))
		fputs(",nan", f);
	else
		fprintf(f, ",%.10g", v);
}

int sweep_write_csv(const struct sweep_table *t, const char *path,
		    char *err, size_t errlen)
{
	const struct sweep_grid *g = t->grid;
	struct outfile o;
	double *x = malloc(sweep_table_max_runs(t) * sizeof(*x));

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (outfile_open(&o, path, err, errlen)) {
		free(x);
		return -1;
	}
	for (size_t a = 0; a < g->naxes; a++) {
		csv_field(o.f, g->axes[a].key);
		fputc(',', o.f);
	}
	fputs("replications", o.f);
	for (int m = 0; m < SWEEP_NMETRICS; m++)
		fprintf(o.f, ",%s_mean,%s_ci95", sweep_metric_names[m],
			sweep_metric_names[m]);
	fputc('\n', o.f);
	for (size_t c = 0; c < g->ncombos; c++) {
		const struct sweep_cell *cell = &t->cells[c];

		for (size_t a = 0; a < g->naxes; a++) {
			csv_field(o.f, g->axes[a].values[
				sweep_combo_value(g, c, a)]);
			fputc(',', o.f);
		}
		fprintf(o.f, "%zu", cell->nruns);
		for (int m = 0; m < SWEEP_NMETRICS; m++) {
			struct sweep_ci ci;

			for (size_t r = 0; r < cell->nruns; r++)
				x[r] = cell->runs[r].metric[m];
			ci = sweep_ci95(x, cell->nruns);
			csv_number(o.f, ci.mean);
			csv_number(o.f, ci.half);
		}
		fputc('\n', o.f);
	}
	free(x);
	return outfile_commit(&o, err, errlen);
}

int sweep_write_results(const struct sweep_table *t, const char *dir,
			bool charts, FILE *out, FILE *msgs)
{
	char path[OUTFILE_PATH_MAX], err[1024];

	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	if (sweep_write_csv(t, path, err, sizeof(err))) {
		fprintf(msgs, "sweep: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/recommendation.txt", dir);
	if (sweep_write_recommendation(t, path, err, sizeof(err))) {
		fprintf(msgs, "sweep: %s\n", err);
		return -1;
	}
	sweep_recommend(t, out);
	if (sweep_charts(t, dir, charts, msgs))
		return -1;
	return 0;
}
