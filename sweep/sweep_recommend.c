/* sweep/sweep_recommend.c - the pool size to boot with: for each combination
 * of the other varied keys, the smallest pool in the grid that never ran
 * out in any replication, as a swiotlb= parameter. */
#include "sweep/sweep_report.h"

#include "allocator/swiotlb.h"
#include "base/outfile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)

uint64_t sweep_cell_slabs(const struct sweep_table *t, size_t combo,
			  size_t axis)
{
	const struct sweep_cell *c = &t->cells[combo];
	const char *v = t->grid->axes[axis].values[
		sweep_combo_value(t->grid, combo, axis)];
	uint32_t areas;
	uint64_t slabs;

	/* What the kernel built: in a CoCo VM swiotlb=32768, the default,
	 * still gets the CoCo size, as swiotlb_adjust_size() decides. */
	if (c->nruns && c->runs[0].boot_nslabs)
		return c->runs[0].boot_nslabs;
	if (!strcmp(t->grid->axes[axis].key, "swiotlb.param"))
		slabs = sweep_param_sizes(v, &areas);
	else
		slabs = strtoull(v, NULL, 0);
	return slabs ? slabs : IO_TLB_DEFAULT_NSLABS;
}

/* Whether a replication ran out: a full event, or a transient pool when
 * the pool may not grow. */
static bool run_ran_out(const struct sweep_result *r)
{
	return r->metric[SWEEP_FULL_EVENTS] > 0 ||
	       (!r->dynamic && r->metric[SWEEP_TRANSIENT_POOLS] > 0);
}

/* A cell's verdict: every replication finished and none ran out (SUFFICES),
 * some replication ran out (RAN_OUT), or the finished ones did not but
 * some are missing (UNKNOWN). */
enum verdict { SUFFICES, RAN_OUT, UNKNOWN };

static enum verdict cell_verdict(const struct sweep_table *t, size_t combo)
{
	const struct sweep_cell *c = &t->cells[combo];

	for (size_t r = 0; r < c->nruns; r++)
		if (run_ran_out(&c->runs[r]))
			return RAN_OUT;
	return c->nruns < t->grid->replications ? UNKNOWN : SUFFICES;
}

/* "areas=4 dynamic=false": the group's values of the other axes. */
static void group_label(const struct sweep_grid *g, size_t combo,
			size_t pool_axis, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t a = 0; a < g->naxes; a++) {
		size_t used = strlen(buf);

		if (a == pool_axis)
			continue;
		snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
			 g->axes[a].name,
			 g->axes[a].values[sweep_combo_value(g, combo, a)]);
	}
}

/* The swiotlb= text for a cell that suffices. */
static void boot_param(const struct sweep_table *t, size_t combo,
		       size_t pool_axis, char *buf, size_t len)
{
	const struct sweep_grid *g = t->grid;
	const struct sweep_result *r = &t->cells[combo].runs[0];

	if (!strcmp(g->axes[pool_axis].key, "swiotlb.param")) {
		snprintf(buf, len, "swiotlb=%s", g->axes[pool_axis].values[
			sweep_combo_value(g, combo, pool_axis)]);
		return;
	}
	snprintf(buf, len, "swiotlb=%" PRIu64,
		 r->pool_slabs ? r->pool_slabs : r->boot_nslabs);
	if (sweep_axis_index(g, "swiotlb.areas") >= 0 || r->areas)
		snprintf(buf + strlen(buf), len - strlen(buf), ",%" PRIu32,
			 r->areas ? r->areas : r->boot_nareas);
}

/* ", growing to at most 40 MiB": the largest a dynamic pool became. */
static void print_growth(const struct sweep_cell *c, FILE *out)
{
	uint64_t most = 0;

	for (size_t r = 0; r < c->nruns; r++)
		if (c->runs[r].nslabs_end > most)
			most = c->runs[r].nslabs_end;
	if (most > c->runs[0].boot_nslabs)
		fprintf(out, ", growing to at most %g MiB",
			(double)most * IO_TLB_SIZE / MiB);
}

static double pool_key(const struct sweep_table *t, size_t combo,
		       size_t axis)
{
	return (double)sweep_cell_slabs(t, combo, axis);
}

/* One line for a combination of the other keys: its pool sizes smallest
 * first, the first that suffices. combos has room for the pool axis's
 * values. */
static void recommend_group(const struct sweep_table *t, size_t group,
			    size_t axis, size_t *combos, FILE *out)
{
	const struct sweep_grid *g = t->grid;
	size_t n = g->axes[axis].nvalues, pick = n;
	bool incomplete_below = false, failed_above = false;
	char label[1024], param[256];

	group_label(g, group, axis, label, sizeof(label));
	sweep_series(t, group, axis, pool_key, combos);
	for (size_t k = 0; k < n; k++) {
		enum verdict v = cell_verdict(t, combos[k]);

		if (pick == n && v == SUFFICES)
			pick = k;
		else if (pick == n && v == UNKNOWN)
			incomplete_below = true;
		else if (pick < n && v == RAN_OUT)
			failed_above = true;
	}
	fprintf(out, "  %s%s", label, *label ? ": " : "");
	if (pick == n) {
		fprintf(out, "no pool size in the grid suffices (up to %" PRIu64
			" slabs)%s\n", sweep_cell_slabs(t, combos[n - 1], axis),
			incomplete_below ? "; some pool sizes have runs that "
			"failed or never ran" : "");
		return;
	}
	boot_param(t, combos[pick], axis, param, sizeof(param));
	fprintf(out, "%s (%g MiB", param,
		(double)t->cells[combos[pick]].runs[0].boot_bytes / MiB);
	print_growth(&t->cells[combos[pick]], out);
	fputc(')', out);
	if (incomplete_below)
		fputs("; a smaller pool has runs that failed or never ran, "
		      "so it is not known", out);
	if (failed_above)
		fputs("; note: a larger pool in the grid still ran out, so the "
		      "margin is thin (more replications would tell)", out);
	fputc('\n', out);
}

void sweep_recommend(const struct sweep_table *t, FILE *out)
{
	const struct sweep_grid *g = t->grid;
	int axis = sweep_pool_axis(g);
	size_t *combos;

	if (axis < 0) {
		fputs("recommendation: none; the grid does not vary the pool "
		      "size (swiotlb.slabs or swiotlb.param)\n", out);
		return;
	}
	combos = malloc(g->axes[axis].nvalues * sizeof(*combos));
	if (!combos)
		return;
	if (g->replications == 1)
		fputs("recommendation: the smallest pool in the grid whose run "
		      "had no swiotlb-full event", out);
	else
		fprintf(out, "recommendation: the smallest pool in the grid with "
			"no swiotlb-full event in any of its %" PRIu32
			" replications", g->replications);
	fputs(" (and no transient pool when swiotlb.dynamic is off):\n", out);
	for (size_t c = 0; c < g->ncombos; c++)
		if (sweep_combo_value(g, c, (size_t)axis) == 0)
			recommend_group(t, c, (size_t)axis, combos, out);
	free(combos);
}

int sweep_write_recommendation(const struct sweep_table *t,
			       const char *path, char *err, size_t errlen)
{
	struct outfile o;

	if (outfile_open(&o, path, err, errlen))
		return -1;
	sweep_recommend(t, o.f);
	return outfile_commit(&o, err, errlen);
}
