/* sweep/sweep_grid.h - a sweep's grid: the varied keys with their values
 * expanded, the points (one per combination of values and replication),
 * their seeds, names and --set overrides.
 *
 * Contract: a grid is built from a loaded scenario's `sweep:` section and
 * owns copies of everything; nothing here runs anything or touches files.
 * Points are numbered combination-major: point p is combination
 * p / replications, replication p % replications; combinations are
 * numbered with the first varied key slowest, so the grid's order is the
 * order of the `vary` list and of each key's values. Errors come back as
 * one line of text. */
#ifndef SWSIM_SWEEP_SWEEP_GRID_H
#define SWSIM_SWEEP_SWEEP_GRID_H

#include "scenario/scenario.h"

#include <stddef.h>
#include <stdint.h>

#define SWEEP_MAX_VALUES 100000    /* values of one key, at most */
#define SWEEP_MAX_POINTS 10000000  /* points of a grid, at most */
#define SWEEP_ID_MAX 256           /* a point's name, with its NUL */

/* One varied key and its values, as text that --set takes. */
struct sweep_axis {
	char *key;
	char **values;
	size_t nvalues;
	char *name;                 /* short name in point ids: "slabs" */
};

struct sweep_grid {
	struct sweep_axis *axes;
	size_t naxes;
	uint32_t replications;
	uint64_t base_seed;         /* run.seed of the base scenario */
	size_t ncombos;             /* product of the axes' value counts */
	size_t npoints;             /* ncombos * replications */
};

/* Expands one `values` spec into its values, in order:
 *   "1,2,4"          a list (split on ';' instead when the spec has one,
 *                    so that values may hold commas); each item may
 *                    itself be a range
 *   "a..b+step"      a, a+step, ... up to b (step > 0; a..b means +1)
 *   "a..b*factor"    a, a*factor, ... up to b (factor > 1, a > 0)
 * Range bounds are numbers with an optional unit suffix that must be the
 * same on both (and on a linear step): "4k..64k*2" gives 4k, 8k, ... 64k,
 * so the key's own grammar reads the unit. Integers are computed exactly;
 * b is included when the steps land on it (within 1e-9 relative).
 * Returns 0 with a malloc'd array of malloc'd strings, or -1 with err. */
int sweep_values_expand(const char *spec, char ***values, size_t *n,
			char *err, size_t errlen);
void sweep_values_free(char **values, size_t n);

/* Builds the grid of s->sweep. Keys that cannot be varied (run.seed,
 * which replications set, and sweep.*) and a key varied twice are
 * errors; so is an empty value list. */
int sweep_grid_build(const struct scenario *s, struct sweep_grid *g,
		     char *err, size_t errlen);
void sweep_grid_free(struct sweep_grid *g);

/* The seed of replication r: the base seed for r = 0, else the r-th
 * output of a SplitMix64 generator seeded with the base seed:
 *   z = base + r * 0x9e3779b97f4a7c15
 *   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
 *   z = (z ^ (z >> 27)) * 0x94d049bb133111eb
 *   seed = z ^ (z >> 31)
 * so a sweep of one replication runs exactly what `run` runs. */
uint64_t sweep_seed(uint64_t base, uint32_t r);

/* Value index of axis a in combination c. */
size_t sweep_combo_value(const struct sweep_grid *g, size_t combo, size_t a);

/* The combination equal to `combo` but with value v on axis a. */
size_t sweep_combo_with(const struct sweep_grid *g, size_t combo, size_t a,
			size_t v);

/* The point's folder name: "slabs=4096_areas=4_r0" (short key names; the
 * whole key path when two short names clash; bytes outside
 * [A-Za-z0-9._+-] as %XX, so that '=' only ever follows a name and names
 * stay distinct). Over-long names end in a hash instead. */
void sweep_point_id(const struct sweep_grid *g, size_t point, char *buf,
		    size_t len);

/* "name=value", escaped as in point names, into buf. */
void sweep_id_fragment(const struct sweep_axis *ax, const char *value,
		       char *buf, size_t len);

/* The point's overrides: "key=value" for each axis, then "run.seed=S".
 * Fills ov (naxes + 1 strings, malloc'd); returns the count or -1. */
int sweep_point_overrides(const struct sweep_grid *g, size_t point,
			  char ***ov);
void sweep_overrides_free(char **ov, size_t n);

/* Appends value to axis a unless it has it already (for grids merged
 * from several points' scenarios). Returns 0 or -1 (out of memory, or the
 * grid would grow too large). */
int sweep_grid_add_value(struct sweep_grid *g, size_t a, const char *value);

/* The index of value on axis a, or -1. */
long sweep_value_index(const struct sweep_grid *g, size_t a,
		       const char *value);

/* The combination with value index idx[a] on each axis a. */
size_t sweep_combo_of(const struct sweep_grid *g, const size_t *idx);

/* The index of axis `key` or -1. */
int sweep_axis_index(const struct sweep_grid *g, const char *key);

#endif
