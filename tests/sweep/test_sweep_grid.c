/* tests/sweep/test_sweep_grid.c - a sweep's grid: value lists, linear and
 * geometric ranges with exact expected values, products of several keys
 * in order, point names, overrides, replication seeds, --vary. */
#include "cli/cmd_sweep.h"
#include "sweep/sweep_grid.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Expands spec and checks it gives exactly `want` (a NULL-ended list). */
static void expands_to(const char *spec, const char *const *want, int line)
{
	char err[256], **v;
	size_t n, nwant = 0;

	while (want[nwant])
		nwant++;
	tu_checks++;
	if (sweep_values_expand(spec, &v, &n, err, sizeof(err))) {
		tu_fail(__FILE__, line, "\"%s\": %s", spec, err);
		return;
	}
	if (n != nwant)
		tu_fail(__FILE__, line, "\"%s\" gave %zu values, not %zu", spec,
			n, nwant);
	for (size_t i = 0; i < n && i < nwant; i++)
		if (strcmp(v[i], want[i]))
			tu_fail(__FILE__, line, "\"%s\" value %zu is \"%s\", not "
				"\"%s\"", spec, i, v[i], want[i]);
	sweep_values_free(v, n);
}

#define EXPANDS(spec, ...) \
	expands_to(spec, (const char *const[]){ __VA_ARGS__, NULL }, __LINE__)

static void fails_with(const char *spec, const char *why, int line)
{
	char err[256], **v;
	size_t n;

	tu_checks++;
	if (!sweep_values_expand(spec, &v, &n, err, sizeof(err))) {
		tu_fail(__FILE__, line, "\"%s\" expanded to %zu values", spec, n);
		sweep_values_free(v, n);
		return;
	}
	if (!strstr(err, why))
		tu_fail(__FILE__, line, "\"%s\": \"%s\" does not say \"%s\"",
			spec, err, why);
}

#define FAILS(spec, why) fails_with(spec, why, __LINE__)

static void test_lists(void)
{
	EXPANDS("1,2,4,8,16", "1", "2", "4", "8", "16");
	EXPANDS("false,true", "false", "true");
	EXPANDS(" 1 , 2 ", "1", "2");
	EXPANDS("4096", "4096");
	/* ';' lets values hold commas. */
	EXPANDS("0-3;0-3,8", "0-3", "0-3,8");
	EXPANDS("4k:70,64k:30;128k", "4k:70,64k:30", "128k");
	/* A value that only looks like a range is a value. */
	EXPANDS("../a.trace,../b.trace", "../a.trace", "../b.trace");
	/* Items may be ranges. */
	EXPANDS("1,4..16*2,100", "1", "4", "8", "16", "100");
}

static void test_linear_ranges(void)
{
	EXPANDS("0..10+5", "0", "5", "10");
	EXPANDS("0..9+5", "0", "5");
	EXPANDS("1..3", "1", "2", "3");
	EXPANDS("-1..1", "-1", "0", "1");
	EXPANDS("0..1+0.25", "0", "0.25", "0.5", "0.75", "1");
	EXPANDS("0.1..0.3+0.1", "0.1", "0.2", "0.3");
	EXPANDS("1ms..3ms+1ms", "1ms", "2ms", "3ms");
	EXPANDS("10us..30us+10", "10us", "20us", "30us");
	EXPANDS("5..5+1", "5");
}

static void test_geometric_ranges(void)
{
	EXPANDS("4096..262144*2", "4096", "8192", "16384", "32768", "65536",
		"131072", "262144");
	EXPANDS("4096..300000*2", "4096", "8192", "16384", "32768", "65536",
		"131072", "262144");
	EXPANDS("1..1000*10", "1", "10", "100", "1000");
	EXPANDS("4k..64k*2", "4k", "8k", "16k", "32k", "64k");
	EXPANDS("64 MiB..256 MiB*2", "64MiB", "128MiB", "256MiB");
	EXPANDS("0x1000..0x4000*2", "0x1000", "0x2000", "0x4000");
	EXPANDS("1..10*1.5", "1", "1.5", "2.25", "3.375", "5.0625",
		"7.59375");
	EXPANDS("0.5..2*2", "0.5", "1", "2");
}

static void test_bad_specs(void)
{
	FAILS("", "empty");
	FAILS("1,,2", "empty");
	FAILS("4k..64M*2", "units");
	FAILS("1ms..3ms+1us", "unit");
	FAILS("10..1", "ends below");
	FAILS("1..10*1", "factor above 1");
	FAILS("0..10*2", "start above 0");
	FAILS("1..10+0", "above 0");
	FAILS("1..10*2k", "no unit");
	FAILS("1..x", "not a number");
	FAILS("0..1000000+1", "more than");
}

static bool load_text(const char *text, const char *const *ov, size_t nov,
		      struct scenario *s)
{
	char err[SCENARIO_ERR_MAX];

	if (scenario_load_string(text, strlen(text), "t.yaml", ov, nov, s,
				 err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "load: %s", err);
		return false;
	}
	return true;
}

static const char grid_yaml[] =
	"devices:\n  - {name: d, kind: nvme}\n"
	"workloads:\n  - {name: w, kind: storage, device: d}\n"
	"run:\n  seed: 7\n"
	"sweep:\n"
	"  replications: 2\n"
	"  vary:\n"
	"    - key: swiotlb.slabs\n      values: 4096..16384*2\n"
	"    - key: swiotlb.areas\n      values: 1,4\n"
	"    - key: swiotlb.dynamic\n      values: false,true\n";

/* The grid is the product of the keys, first key slowest, then the
 * replications; every point with its name and overrides. */
static void test_product(void)
{
	static const char *const slabs[] = { "4096", "8192", "16384" };
	static const char *const areas[] = { "1", "4" };
	static const char *const dyn[] = { "false", "true" };
	struct scenario s;
	struct sweep_grid g;
	char err[256], id[SWEEP_ID_MAX], want[256];
	size_t p = 0;

	if (!load_text(grid_yaml, NULL, 0, &s))
		return;
	if (sweep_grid_build(&s, &g, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "grid: %s", err);
		scenario_free(&s);
		return;
	}
	CHECK_EQ(g.naxes, 3);
	CHECK_EQ(g.ncombos, 12);
	CHECK_EQ(g.replications, 2);
	CHECK_EQ(g.npoints, 24);
	CHECK_EQ(g.base_seed, 7);
	CHECK(!strcmp(g.axes[0].name, "slabs") &&
	      !strcmp(g.axes[1].name, "areas") &&
	      !strcmp(g.axes[2].name, "dynamic"));
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++)
			for (size_t k = 0; k < 2; k++)
				for (uint32_t r = 0; r < 2; r++, p++) {
					char **ov;
					int n = sweep_point_overrides(&g, p, &ov);

					sweep_point_id(&g, p, id, sizeof(id));
					snprintf(want, sizeof(want),
						 "slabs=%s_areas=%s_dynamic=%s_r%u",
						 slabs[i], areas[j], dyn[k], r);
					if (strcmp(id, want))
						tu_fail(__FILE__, __LINE__, "point "
							"%zu is %s, not %s", p,
							id, want);
					CHECK_EQ(n, 4);
					if (n != 4)
						continue;
					snprintf(want, sizeof(want),
						 "swiotlb.slabs=%s", slabs[i]);
					CHECK(!strcmp(ov[0], want));
					snprintf(want, sizeof(want),
						 "swiotlb.areas=%s", areas[j]);
					CHECK(!strcmp(ov[1], want));
					snprintf(want, sizeof(want),
						 "swiotlb.dynamic=%s", dyn[k]);
					CHECK(!strcmp(ov[2], want));
					snprintf(want, sizeof(want),
						 "run.seed=%" PRIu64,
						 sweep_seed(7, r));
					CHECK(!strcmp(ov[3], want));
					CHECK_EQ(sweep_combo_value(&g, p / 2, 0), i);
					CHECK_EQ(sweep_combo_value(&g, p / 2, 2), k);
					sweep_overrides_free(ov, 4);
				}
	/* Combination arithmetic both ways. */
	size_t idx[3] = { 2, 0, 1 };

	CHECK_EQ(sweep_combo_of(&g, idx), 9);
	CHECK_EQ(sweep_combo_with(&g, 9, 1, 1), 11);
	CHECK_EQ(sweep_axis_index(&g, "swiotlb.areas"), 1);
	CHECK_EQ(sweep_axis_index(&g, "swiotlb.force"), -1);
	sweep_grid_free(&g);
	scenario_free(&s);
}

/* No sweep section: one point per replication, named r0, r1, ... */
static void test_no_axes(void)
{
	static const char *const ov[] = { "sweep.replications=3" };
	struct scenario s;
	struct sweep_grid g;
	char err[256], id[SWEEP_ID_MAX];

	if (!load_text("", ov, 1, &s))
		return;
	CHECK(!sweep_grid_build(&s, &g, err, sizeof(err)));
	CHECK_EQ(g.npoints, 3);
	sweep_point_id(&g, 2, id, sizeof(id));
	CHECK(!strcmp(id, "r2"));
	sweep_grid_free(&g);
	scenario_free(&s);
}

/* Replication seeds: the base seed first, then SplitMix64's outputs;
 * distinct and the same every time. */
static void test_seeds(void)
{
	enum { R = 2000 };
	static uint64_t seen[R];

	CHECK_EQ(sweep_seed(12345, 0), 12345);
	/* SplitMix64 seeded with 0: its first two outputs. */
	CHECK_EQ(sweep_seed(0, 1), 0xe220a8397b1dcdafULL);
	CHECK_EQ(sweep_seed(0, 2), 0x6e789e6aa1b965f4ULL);
	for (uint32_t r = 0; r < R; r++) {
		seen[r] = sweep_seed(1, r);
		CHECK_EQ(sweep_seed(1, r), seen[r]);
		for (uint32_t q = 0; q < r; q++)
			if (seen[q] == seen[r])
				tu_fail(__FILE__, __LINE__, "replications %u "
					"and %u share seed %" PRIu64, q, r,
					seen[r]);
	}
}

static void grid_error(const char *const *ov, size_t nov, const char *why,
		       int line)
{
	struct scenario s;
	struct sweep_grid g;
	char err[512];

	if (!load_text("", ov, nov, &s))
		return;
	tu_checks++;
	if (!sweep_grid_build(&s, &g, err, sizeof(err))) {
		tu_fail(__FILE__, line, "grid built");
		sweep_grid_free(&g);
	} else if (!strstr(err, why)) {
		tu_fail(__FILE__, line, "\"%s\" does not say \"%s\"", err, why);
	}
	scenario_free(&s);
}

static void test_grid_errors(void)
{
	static const char *const seed[] = { "sweep.vary.0.key=run.seed",
					    "sweep.vary.0.values=1,2" };
	static const char *const twice[] = {
		"sweep.vary.0.key=swiotlb.slabs", "sweep.vary.0.values=4096",
		"sweep.vary.1.key=swiotlb.slabs", "sweep.vary.1.values=8192" };
	static const char *const bad[] = { "sweep.vary.0.key=swiotlb.slabs",
					   "sweep.vary.0.values=1..x" };

	grid_error(seed, 2, "run.seed cannot be varied", __LINE__);
	grid_error(twice, 4, "sweep.vary[1].key: swiotlb.slabs is also "
		   "sweep.vary[0].key", __LINE__);
	grid_error(bad, 2, "sweep.vary[0].values: swiotlb.slabs: ", __LINE__);
}

/* Names: bytes outside [A-Za-z0-9.+-] escaped; keys whose last parts
 * clash are named in full; over-long names end in a hash. */
static void test_point_names(void)
{
	static const char *const ov[] = {
		"sweep.vary.0.key=workloads[0].queue_depth",
		"sweep.vary.0.values=8",
		"sweep.vary.1.key=devices.0.queue_depth",
		"sweep.vary.1.values=16",
		"sweep.vary.2.key=workloads.0.size",
		"sweep.vary.2.values=4k:70,64k:30;128k",
	};
	static const char *const long_ov[] = {
		"sweep.vary.0.key=description",
		"sweep.vary.0.values=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"
		";aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac",
	};
	const char *wl = "devices:\n  - {name: d, kind: nvme}\n"
			 "workloads:\n  - {name: w, kind: storage, "
			 "device: d}\n";
	struct scenario s;
	struct sweep_grid g;
	char err[256], id[SWEEP_ID_MAX], id2[SWEEP_ID_MAX];

	if (!load_text(wl, ov, 6, &s))
		return;
	CHECK(!sweep_grid_build(&s, &g, err, sizeof(err)));
	sweep_point_id(&g, 0, id, sizeof(id));
	CHECK(!strcmp(id, "workloads.0.queue_depth=8_devices.0.queue_depth=16"
		      "_size=4k%3A70%2C64k%3A30_r0"));
	sweep_point_id(&g, 1, id, sizeof(id));
	CHECK(!strcmp(id, "workloads.0.queue_depth=8_devices.0.queue_depth=16"
		      "_size=128k_r0"));
	sweep_grid_free(&g);
	scenario_free(&s);

	if (!load_text("", long_ov, 2, &s))
		return;
	CHECK(!sweep_grid_build(&s, &g, err, sizeof(err)));
	sweep_point_id(&g, 0, id, sizeof(id));
	sweep_point_id(&g, 1, id2, sizeof(id2));
	CHECK(strlen(id) < 200 && strchr(id, '~'));
	CHECK(strcmp(id, id2));
	sweep_grid_free(&g);
	scenario_free(&s);
}

/* --vary replaces the values of a key the file varies, and adds a key it
 * does not; --replications sets sweep.replications. */
static void test_cli_overrides(void)
{
	static const char *const sets[] = { "run.duration=1ms" };
	static const char *const varies[] = { "swiotlb.areas=2,8",
					      "swiotlb.force=false,true" };
	char path[] = "/tmp/swsim-sweep-grid-XXXXXX";
	char err[512], **ov;
	int fd = mkstemp(path), n;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		tu_fail(__FILE__, __LINE__, "cannot make %s", path);
		return;
	}
	fputs(grid_yaml, f);
	fclose(f);
	n = sweep_cli_overrides(path, sets, 1, varies, 2, 5, &ov, err,
				sizeof(err));
	CHECK_EQ(n, 5);
	if (n == 5) {
		CHECK(!strcmp(ov[0], "run.duration=1ms"));
		CHECK(!strcmp(ov[1], "sweep.vary.1.values=2,8"));
		CHECK(!strcmp(ov[2], "sweep.vary.3.key=swiotlb.force"));
		CHECK(!strcmp(ov[3], "sweep.vary.3.values=false,true"));
		CHECK(!strcmp(ov[4], "sweep.replications=5"));
		sweep_overrides_free(ov, 5);
	}
	CHECK_EQ(sweep_cli_overrides(path, NULL, 0, (const char *const[]){
			"swiotlb.areas" }, 1, 0, &ov, err, sizeof(err)), -1);
	CHECK(strstr(err, "not of the form key.path=values") != NULL);
	unlink(path);
}

int main(void)
{
	RUN(test_lists);
	RUN(test_linear_ranges);
	RUN(test_geometric_ranges);
	RUN(test_bad_specs);
	RUN(test_product);
	RUN(test_no_axes);
	RUN(test_seeds);
	RUN(test_grid_errors);
	RUN(test_point_names);
	RUN(test_cli_overrides);
	return tu_finish();
}
