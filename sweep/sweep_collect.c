/* sweep/sweep_collect.c - `sweep --collect DIR`: the results of a sweep
 * whose points ran anywhere, read from DIR/points/. Each point's grid
 * comes from the `sweep:` section of its scenario.resolved.yaml, and its
 * values by asking which value of each varied key, set over the resolved
 * scenario, leaves it unchanged. */
#define _GNU_SOURCE
#include "sweep/sweep.h"

#include "sweep/sweep_grid.h"
#include "sweep/sweep_point.h"
#include "sweep/sweep_report.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A finished point found in the folder. */
struct found {
	char **values;              /* per axis of the merged grid */
	struct sweep_result r;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The point folders' names, sorted; leftovers of killed runs skipped. */
static char **list_points(const char *points, size_t *n)
{
	DIR *d = opendir(points);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char path[2 * PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp-") ||
		    strstr(e->d_name, ".old-"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", points, e->d_name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap) {
			char **more = realloc(names, (cap = 2 * cap + 16) *
					      sizeof(*names));

			if (!more)
				break;
			names = more;
		}
		names[*n] = strdup(e->d_name);
		if (names[*n])
			(*n)++;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), by_name);
	return names;
}

/* Whether `value` of scenario text, set over it, leaves s unchanged. */
static bool value_is(const char *text, const char *path,
		     const struct scenario *s, const char *const *ov,
		     size_t nov)
{
	char err[SCENARIO_ERR_MAX];
	struct scenario t;
	bool same;

	if (scenario_load_string(text, strlen(text), path, ov, nov, &t, err,
				 sizeof(err)))
		return false;
	same = scenario_equal(s, &t);
	scenario_free(&t);
	return same;
}

static char *override_of(const struct sweep_axis *ax, const char *value)
{
	char *ov = malloc(strlen(ax->key) + strlen(value) + 2);

	if (ov)
		sprintf(ov, "%s=%s", ax->key, value);
	return ov;
}

/* The value of axis ax that the point has: the one that, set over its
 * own resolved scenario, changes nothing. NULL when none does. */
static const char *probe_value(const char *text, const char *path,
			       const struct scenario *s,
			       const struct sweep_axis *ax)
{
	for (size_t v = 0; v < ax->nvalues; v++) {
		char *ov = override_of(ax, ax->values[v]);
		bool same = ov && value_is(text, path, s,
					   (const char *const *)&ov, 1);

		free(ov);
		if (same)
			return ax->values[v];
	}
	return NULL;
}

/* The values the folder's name spells ("slabs=4096_areas=4_r0"), if it
 * names one of each axis, checked by setting them all at once over the
 * resolved scenario: one load instead of one per value. */
static bool guess_values(const char *text, const char *path,
			 const char *name, const struct scenario *s,
			 const struct sweep_grid *g, const char **guess)
{
	char **ov = calloc(g->naxes ? g->naxes : 1, sizeof(*ov)), frag[1100];
	bool ok = ov != NULL;

	for (size_t a = 0; ok && a < g->naxes; a++) {
		guess[a] = NULL;
		for (size_t v = 0; v < g->axes[a].nvalues && !guess[a]; v++) {
			const char *at;

			sweep_id_fragment(&g->axes[a], g->axes[a].values[v],
					  frag, sizeof(frag) - 1);
			strcat(frag, "_");
			at = strstr(name, frag);
			if (at && (at == name || at[-1] == '_'))
				guess[a] = g->axes[a].values[v];
		}
		ok = guess[a] && (ov[a] = override_of(&g->axes[a], guess[a]));
	}
	ok = ok && value_is(text, path, s, (const char *const *)ov, g->naxes);
	for (size_t a = 0; ov && a < g->naxes; a++)
		free(ov[a]);
	free(ov);
	return ok;
}

/* Whether g varies the same keys, in the same order, as the merged grid. */
static bool same_keys(const struct sweep_grid *a, const struct sweep_grid *b)
{
	if (a->naxes != b->naxes)
		return false;
	for (size_t i = 0; i < a->naxes; i++)
		if (strcmp(a->axes[i].key, b->axes[i].key))
			return false;
	return true;
}

struct collection {
	struct sweep_grid grid;     /* merged over the points */
	bool have_grid;
	char *name;
	struct found *found;
	size_t nfound;
	size_t unfinished, skipped;
};

static void free_values(char **values, size_t n)
{
	for (size_t a = 0; values && a < n; a++)
		free(values[a]);
	free(values);
}

/* The point's value of each axis of g, malloc'd, or NULL (said on msgs)
 * when one is none of the axis's values. */
static char **probe_values(const char *text, const char *path,
			   const char *name, const struct scenario *s,
			   const struct sweep_grid *g, FILE *msgs)
{
	char **values = calloc(g->naxes ? g->naxes : 1, sizeof(*values));
	const char **guess = calloc(g->naxes ? g->naxes : 1, sizeof(*guess));
	bool guessed = values && guess &&
		       guess_values(text, path, name, s, g, guess);

	for (size_t a = 0; values && guess && a < g->naxes; a++) {
		const char *v = guessed ? guess[a] :
				probe_value(text, path, s, &g->axes[a]);

		if (!v || !(values[a] = strdup(v))) {
			fprintf(msgs, "sweep: skipped %s: its %s is none of "
				"its grid's values\n", path, g->axes[a].key);
			free_values(values, a);
			values = NULL;
		}
	}
	free(guess);
	return values;
}

/* Merges a point's grid into the collection's: the first point's grid
 * is taken whole (and g emptied); later ones must vary the same keys. */
static int merge_grid(struct collection *c, struct sweep_grid *g,
		      const char *name)
{
	if (!c->have_grid) {
		c->grid = *g;
		memset(g, 0, sizeof(*g));
		c->have_grid = true;
		c->name = strdup(name);
		return 0;
	}
	if (!same_keys(&c->grid, g))
		return -1;
	if (g->replications > c->grid.replications) {
		c->grid.replications = g->replications;
		c->grid.npoints = c->grid.ncombos * g->replications;
	}
	return 0;
}

/* Reads one point folder into c (or counts it as unfinished or
 * skipped, saying why on msgs). Returns -1 only when memory ran out. */
static int read_point(struct collection *c, const char *path, FILE *msgs)
{
	char err[1024], file[2 * PATH_MAX + 64];
	struct scenario s;
	struct sweep_grid g;
	struct found f, *more;
	char *text;

	snprintf(file, sizeof(file), "%s/summary.json", path);
	if (access(file, R_OK)) {
		c->unfinished++;
		return 0;
	}
	if (sweep_point_load(path, &s, &text, &f.r, err, sizeof(err))) {
		fprintf(msgs, "sweep: skipped %s: %s\n", path, err);
		c->skipped++;
		return 0;
	}
	snprintf(file, sizeof(file), "%s/scenario.resolved.yaml", path);
	f.values = NULL;
	if (sweep_grid_build(&s, &g, err, sizeof(err))) {
		fprintf(msgs, "sweep: skipped %s: %s\n", path, err);
		memset(&g, 0, sizeof(g));
	} else if (c->have_grid && !same_keys(&c->grid, &g)) {
		fprintf(msgs, "sweep: skipped %s: it varies other keys than "
			"the points before it\n", path);
	} else {
		f.values = probe_values(text, file, strrchr(path, '/') + 1,
					&s, &g, msgs);
	}
	if (f.values && merge_grid(c, &g, s.name) == 0) {
		for (size_t a = 0; a < c->grid.naxes; a++)
			if (sweep_grid_add_value(&c->grid, a, f.values[a]))
				goto oom;
		more = realloc(c->found, (c->nfound + 1) * sizeof(*more));
		if (!more)
			goto oom;
		c->found = more;
		c->found[c->nfound++] = f;
		f.values = NULL;
	} else {
		c->skipped++;
	}
	sweep_grid_free(&g);
	free(text);
	scenario_free(&s);
	return 0;
oom:
	fprintf(msgs, "sweep: out of memory\n");
	free_values(f.values, c->grid.naxes);
	sweep_grid_free(&g);
	free(text);
	scenario_free(&s);
	return -1;
}

static void collection_free(struct collection *c)
{
	for (size_t i = 0; i < c->nfound; i++)
		free_values(c->found[i].values, c->grid.naxes);
	free(c->found);
	free(c->name);
	sweep_grid_free(&c->grid);
}

/* The table of every point found, on the merged grid. */
static int fill_table(struct collection *c, struct sweep_table *t)
{
	size_t *idx = calloc(c->grid.naxes ? c->grid.naxes : 1, sizeof(*idx));

	if (!idx || sweep_table_init(t, &c->grid, c->name)) {
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < c->nfound; i++) {
		for (size_t a = 0; a < c->grid.naxes; a++)
			idx[a] = (size_t)sweep_value_index(&c->grid, a,
							   c->found[i].values[a]);
		if (sweep_table_add(t, sweep_combo_of(&c->grid, idx),
				    &c->found[i].r)) {
			free(idx);
			sweep_table_free(t);
			return -1;
		}
	}
	free(idx);
	sweep_table_sort(t);
	return 0;
}

int sweep_collect(const char *dir, bool charts, FILE *out, FILE *msgs)
{
	struct collection c = { 0 };
	struct sweep_table t;
	char points[PATH_MAX + 16], path[2 * PATH_MAX];
	size_t n;
	char **names;
	int status = 0;

	snprintf(points, sizeof(points), "%s/points", dir);
	names = list_points(points, &n);
	for (size_t i = 0; i < n && !status; i++) {
		snprintf(path, sizeof(path), "%s/%s", points, names[i]);
		status = read_point(&c, path, msgs);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!status && !c.nfound) {
		fprintf(msgs, "sweep: %s: no finished point (a folder with "
			"summary.json and scenario.resolved.yaml)\n", points);
		status = -1;
	}
	if (!status && fill_table(&c, &t)) {
		fprintf(msgs, "sweep: out of memory\n");
		status = -1;
	}
	if (!status) {
		status = sweep_write_results(&t, dir, charts, out, msgs);
		sweep_table_free(&t);
		fprintf(msgs, "sweep: collected %zu points from %s (%zu "
			"unfinished, %zu skipped) into %s/sweep.csv\n",
			c.nfound, points, c.unfinished, c.skipped, dir);
	}
	collection_free(&c);
	return status ? 1 : 0;
}
