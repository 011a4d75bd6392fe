/* tests/sweep/test_sweep_report.c - what a sweep makes of finished points:
 * confidence intervals (zero width for a constant, a hand-computed
 * Student-t value), the JSON reader, sweep.csv and the recommendation on
 * hand-made tables, and --collect with charts on hand-made point
 * folders. */
#define _GNU_SOURCE
#include "base/outfile.h"
#include "sweep/sweep.h"
#include "base/json.h"
#include "sweep/sweep_report.h"
#include "sweep/sweep_stats.h"
#include "tests/testutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEAR(a, b, eps) CHECK(fabs((a) - (b)) <= (eps))

static void test_ci(void)
{
	static const double constant[] = { 5, 5, 5, 5 };
	static const double tenths[] = { 0.1, 0.1, 0.1 };
	static const double known[] = { 1, 2, 3, 4, 5 };
	static const double pair[] = { 5, 3 };
	struct sweep_ci ci;

	ci = sweep_ci95(constant, 4);
	CHECK(ci.mean == 5 && ci.half == 0 && ci.n == 4);
	ci = sweep_ci95(tenths, 3);
	CHECK(ci.mean == 0.1 && ci.half == 0);
	/* Mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451051977987:
	 * half = t * sqrt(2.5) / sqrt(5) = t * sqrt(0.5). */
	ci = sweep_ci95(known, 5);
	NEAR(ci.mean, 3.0, 1e-12);
	NEAR(ci.half, 2.7764451051977987 * sqrt(0.5), 1e-9);
	NEAR(ci.half, 1.9632432, 1e-7);
	/* Two runs: t(0.975, 1) = 12.706204736174707, s = sqrt(2). */
	ci = sweep_ci95(pair, 2);
	NEAR(ci.mean, 4.0, 1e-12);
	NEAR(ci.half, 12.706204736174707, 1e-9);
	ci = sweep_ci95(known, 1);
	CHECK(ci.mean == 1 && isnan(ci.half));
	ci = sweep_ci95(known, 0);
	CHECK(isnan(ci.mean) && isnan(ci.half));
}

static void test_json(void)
{
	const char *text = "{\"a\": {\"b\": [1, 2.5e3, -3], \"c\": \"x\\\"y"
			   "\\u00e9\\n\"}, \"t\": true, \"f\": false, "
			   "\"n\": null, \"w\": [{\"k\": 7}, {\"k\": 8}]}";
	struct json j;
	const struct json *b, *w;
	char err[128];

	if (json_parse(text, strlen(text), &j, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "parse: %s", err);
		return;
	}
	b = json_get(&j, "a.b");
	CHECK(b && b->type == JSON_ARRAY && b->n == 3);
	CHECK(b && b->items[1].num == 2500 && b->items[2].num == -3);
	CHECK(!strcmp(json_get(&j, "a.c")->str, "x\"y\xc3\xa9\n"));
	CHECK(json_get(&j, "t")->b && !json_get(&j, "f")->b);
	CHECK(json_get(&j, "n")->type == JSON_NULL);
	CHECK(json_get(&j, "a.zz") == NULL && json_get(&j, "t.x") == NULL);
	CHECK(json_number(&j, "missing", 42) == 42);
	w = json_get(&j, "w");
	CHECK(w && w->n == 2 && json_number(&w->items[1], "k", 0) == 8);
	json_free(&j);
	CHECK(json_parse("{\"a\": [1, 2", 11, &j, err, sizeof(err)) == -1);
	CHECK(json_parse("{} x", 4, &j, err, sizeof(err)) == -1);
	CHECK(json_parse("[1, 2] ", 7, &j, err, sizeof(err)) == 0);
	json_free(&j);
}

static const char base_yaml[] =
	"name: hand\n"
	"machine: {cpus: 2}\n"
	"devices:\n  - {name: d}\n"
	"workloads:\n  - {name: w, kind: mapbench, device: d}\n"
	"run: {duration: 1ms, seed: 3}\n"
	"sweep:\n"
	"  replications: 2\n"
	"  vary:\n"
	"    - {key: swiotlb.slabs, values: \"1024,2048,4096\"}\n"
	"    - {key: swiotlb.areas, values: \"1,2\"}\n";

static bool make_grid(const char *const *ov, size_t nov, struct scenario *s,
		      struct sweep_grid *g)
{
	char err[SCENARIO_ERR_MAX];

	if (scenario_load_string(base_yaml, strlen(base_yaml), "hand.yaml", ov,
				 nov, s, err, sizeof(err)) ||
	    sweep_grid_build(s, g, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "%s", err);
		return false;
	}
	return true;
}

/* Full events of each replication, by slabs (rows) and areas (columns):
 * areas=1 needs 4096 slabs, areas=2 needs 2048. */
static const double hand_full[3][2][2] = {
	{ { 5, 3 }, { 2, 0 } },
	{ { 0, 1 }, { 0, 0 } },
	{ { 0, 0 }, { 0, 0 } },
};

static struct sweep_result hand_result(size_t i, size_t j, size_t r)
{
	static const uint64_t slabs[] = { 1024, 2048, 4096 };
	struct sweep_result res = { 0 };

	res.metric[SWEEP_FULL_EVENTS] = hand_full[i][j][r];
	res.metric[SWEEP_HIWATER_SLOTS] = 900 + 10 * (double)r;
	res.metric[SWEEP_LOCK_WAIT_SHARE] = j ? 0.01 : 0.1;
	res.seed = 100 - r;             /* sorted by seed: reversed */
	res.pool_slabs = slabs[i];
	res.boot_nslabs = slabs[i];
	res.boot_bytes = slabs[i] * 2048;
	res.areas = (uint32_t)j + 1;
	res.boot_nareas = (uint32_t)j + 1;
	return res;
}

static char *recommend_text(const struct sweep_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	sweep_recommend(t, m);
	fclose(m);
	return text;
}

static void test_csv_and_recommendation(void)
{
	struct scenario s;
	struct sweep_grid g;
	struct sweep_table t;
	char dir[] = "/tmp/swsim-sweep-report-XXXXXX", path[256], err[256];
	char *csv, *rec;

	if (!make_grid(NULL, 0, &s, &g) || !mkdtemp(dir))
		return;
	CHECK(!sweep_table_init(&t, &g, s.name));
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++)
			for (size_t r = 0; r < 2; r++) {
				struct sweep_result res = hand_result(i, j, r);

				CHECK(!sweep_table_add(&t, i * 2 + j, &res));
			}
	sweep_table_sort(&t);
	CHECK_EQ(t.cells[0].runs[0].seed, 99);
	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	CHECK(!sweep_write_csv(&t, path, err, sizeof(err)));
	csv = tu_file_text(path);
	CHECK(!strncmp(csv, "swiotlb.slabs,swiotlb.areas,replications,"
		       "full_events_mean,full_events_ci95,requeues_drops_mean,"
		       "requeues_drops_ci95,hiwater_slots_mean,"
		       "hiwater_slots_ci95,map_latency_p99_ns_mean,"
		       "map_latency_p99_ns_ci95,lock_wait_share_mean,"
		       "lock_wait_share_ci95,copy_cpu_share_mean,"
		       "copy_cpu_share_ci95,pools_added_mean,pools_added_ci95,"
		       "transient_pools_mean,transient_pools_ci95\n", 300));
	/* 5 and 3: mean 4, half t(0.975,1) * sqrt(2) / sqrt(2); hiwater
	 * 900 and 910: mean 905, half 12.706... * 5 * sqrt(2) / sqrt(2). */
	CHECK(strstr(csv, "\n1024,1,2,4,12.70620474,0,0,905,63.53102368,0,0,"
			  "0.1,0,0,0,0,0,0,0\n") != NULL);
	CHECK(strstr(csv, "\n4096,2,2,0,0,") != NULL);
	CHECK_EQ(strlen(csv) > 0, 1);
	free(csv);

	rec = recommend_text(&t);
	CHECK(strstr(rec, "  areas=1: swiotlb=4096,1 (8 MiB)\n") != NULL);
	CHECK(strstr(rec, "  areas=2: swiotlb=2048,2 (4 MiB)\n") != NULL);
	free(rec);

	/* A transient pool disqualifies a pool unless it may grow. */
	t.cells[2 * 2 + 0].runs[1].metric[SWEEP_TRANSIENT_POOLS] = 1;
	rec = recommend_text(&t);
	CHECK(strstr(rec, "  areas=1: no pool size in the grid suffices (up "
		      "to 4096 slabs)\n") != NULL);
	t.cells[2 * 2 + 0].runs[1].dynamic = true;
	rec = (free(rec), recommend_text(&t));
	CHECK(strstr(rec, "  areas=1: swiotlb=4096,1 (8 MiB)") != NULL);
	free(rec);

	/* A pool whose replications did not all finish is not picked. */
	t.cells[1 * 2 + 1].nruns = 1;
	rec = recommend_text(&t);
	CHECK(strstr(rec, "  areas=2: swiotlb=4096,2 (8 MiB); a smaller pool "
		      "has runs that failed or never ran, so it is not "
		      "known\n") != NULL);
	free(rec);
	sweep_table_free(&t);
	sweep_grid_free(&g);
	scenario_free(&s);

	/* No pool size varied: no recommendation, said so. */
	static const char *const areas_only[] = {
		"sweep.vary.0.key=swiotlb.areas", "sweep.vary.0.values=1,2",
		"sweep.vary.1.key=machine.cpus", "sweep.vary.1.values=2" };

	if (!make_grid(areas_only, 4, &s, &g))
		return;
	CHECK(!sweep_table_init(&t, &g, s.name));
	rec = recommend_text(&t);
	CHECK(strstr(rec, "recommendation: none; the grid does not vary the "
		      "pool size") != NULL);
	free(rec);
	sweep_table_free(&t);
	sweep_grid_free(&g);
	scenario_free(&s);
	unlink(path);
	rmdir(dir);
}

/* The pool size given as swiotlb.param: the recommendation is the
 * parameter itself. Values with commas are listed with ';'. */
static void test_recommend_param(void)
{
	static const char *const ov[] = {
		"sweep.vary.0.key=swiotlb.param",
		"sweep.vary.0.values=4096,2;1024,2;2048,2",
		"sweep.vary.1.key=swiotlb.dynamic",
		"sweep.vary.1.values=false,true",
		"sweep.replications=1",
	};
	static const uint64_t slabs[] = { 4096, 1024, 2048 };
	struct scenario s;
	struct sweep_grid g;
	struct sweep_table t;
	char *rec;

	if (!make_grid(ov, 5, &s, &g))
		return;
	CHECK(!sweep_table_init(&t, &g, s.name));
	for (size_t i = 0; i < 3; i++)
		for (size_t d = 0; d < 2; d++) {
			struct sweep_result r = { 0 };

			r.pool_slabs = r.boot_nslabs = slabs[i];
			r.boot_bytes = slabs[i] * 2048;
			r.areas = r.boot_nareas = 2;
			r.dynamic = d;
			/* 1024 runs out; 2048 makes transient pools. */
			r.metric[SWEEP_FULL_EVENTS] = slabs[i] == 1024;
			r.metric[SWEEP_TRANSIENT_POOLS] = slabs[i] == 2048;
			CHECK(!sweep_table_add(&t, i * 2 + d, &r));
		}
	rec = recommend_text(&t);
	CHECK(strstr(rec, "  dynamic=false: swiotlb=4096,2 (8 MiB)\n") != NULL);
	CHECK(strstr(rec, "  dynamic=true: swiotlb=2048,2 (4 MiB)\n") != NULL);
	free(rec);
	sweep_table_free(&t);
	sweep_grid_free(&g);
	scenario_free(&s);
}

/* A run folder made by hand: the point's resolved scenario and a
 * summary.json with the figures given. */
static void make_point(const char *sweep_dir, const struct sweep_grid *g,
		       size_t p, double full, double hiwater, bool finished)
{
	char dir[512], path[600], id[SWEEP_ID_MAX], err[SCENARIO_ERR_MAX];
	char **ov;
	int n = sweep_point_overrides(g, p, &ov);
	struct scenario s;
	FILE *f;

	sweep_point_id(g, p, id, sizeof(id));
	snprintf(dir, sizeof(dir), "%s/points/%s", sweep_dir, id);
	mkdir(dir, 0755);
	if (scenario_load_string(base_yaml, strlen(base_yaml), "hand.yaml",
				 (const char *const *)ov, (size_t)n, &s, err,
				 sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "%s", err);
		sweep_overrides_free(ov, (size_t)n);
		return;
	}
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	f = fopen(path, "w");
	scenario_dump_yaml(&s, f);
	fclose(f);
	if (finished) {
		snprintf(path, sizeof(path), "%s/summary.json", dir);
		f = fopen(path, "w");
		fprintf(f, "{\"scenario\": {\"seed\": %" PRIu64 "},\n"
			"\"pool\": {\"boot_nslabs\": %" PRIu64 ", "
			"\"boot_nareas\": %u, \"boot_bytes\": %" PRIu64 "},\n"
			"\"totals\": {\"full_events\": %g, \"pools_added\": 0, "
			"\"transient_pools\": 0},\n"
			"\"hiwater_slots\": %g, \"map_latency_ns\": {\"p99\": "
			"1500.5}, \"copy_cpu_share\": 0.25, "
			"\"lock_wait_share\": %g,\n\"workloads\": [{\"requeues\""
			": 3, \"drops\": 1}, {\"requeues\": 0, \"drops\": 2}]}\n",
			s.run.seed, s.swiotlb.slabs, s.swiotlb.areas,
			s.swiotlb.slabs * 2048, full, hiwater,
			0.2 / s.swiotlb.areas);
		fclose(f);
	}
	scenario_free(&s);
	sweep_overrides_free(ov, (size_t)n);
}

static void test_collect_handmade(void)
{
	struct scenario s;
	struct sweep_grid g;
	char dir[] = "/tmp/swsim-sweep-collect-XXXXXX", path[256], path2[256];
	char *csv, *rec, *chart, *out = NULL, *msgs = NULL;
	size_t outlen = 0, msglen = 0;
	FILE *fo, *fm;
	int rc;

	if (!make_grid(NULL, 0, &s, &g) || !mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/points", dir);
	mkdir(path, 0755);
	for (size_t p = 0; p < g.npoints; p++) {
		size_t combo = p / 2, i = combo / 2, j = combo % 2, r = p % 2;

		/* Replication 1 of slabs=1024 areas=2 never finished. */
		make_point(dir, &g, p, hand_full[i][j][r], 700 + 100 * (double)i,
			   !(i == 0 && j == 1 && r == 1));
	}
	/* A folder renamed: its values are still read from its scenario. */
	snprintf(path, sizeof(path), "%s/points/slabs=4096_areas=2_r1", dir);
	snprintf(path2, sizeof(path2), "%s/points/moved", dir);
	CHECK(!rename(path, path2));
	/* A run killed while writing leaves its temporary folder. */
	snprintf(path, sizeof(path), "%s/points/slabs=1024_areas=1_r0.tmp-"
		 "AbC123", dir);
	mkdir(path, 0755);
	fo = open_memstream(&out, &outlen);
	fm = open_memstream(&msgs, &msglen);
	rc = sweep_collect(dir, true, fo, fm);
	fclose(fo);
	fclose(fm);
	CHECK_EQ(rc, 0);
	CHECK(strstr(msgs, "collected 11 points") && strstr(msgs,
		      "(1 unfinished, 0 skipped)"));
	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	csv = tu_file_text(path);
	CHECK(strstr(csv, "\n1024,1,2,4,12.70620474,6,0,700,0,1500.5,0,0.2,0,"
			  "0.25,0,0,0,0,0\n") != NULL);
	CHECK(strstr(csv, "\n1024,2,1,2,nan,6,nan,700,nan,") != NULL);
	CHECK(strstr(csv, "\n4096,2,2,0,0,6,0,900,0,") != NULL);
	snprintf(path, sizeof(path), "%s/recommendation.txt", dir);
	rec = tu_file_text(path);
	CHECK(!strcmp(rec, out));
	CHECK(strstr(rec, "  areas=1: swiotlb=4096,1 (8 MiB)\n") != NULL);
	CHECK(strstr(rec, "  areas=2: swiotlb=2048,2 (4 MiB)\n") != NULL);
	snprintf(path, sizeof(path), "%s/chart_pool.csv", dir);
	chart = tu_file_text(path);
	CHECK(strstr(chart, "\nareas=1,x,full_events_mean,full_events_ci95,"
			    "hiwater_mib_mean,hiwater_mib_ci95\n"
			    "areas=1,2,4,12.70620474,1.3671875,0\n") != NULL);
	CHECK(strstr(chart, "\n\n\nareas=2,x,") != NULL);
	free(chart);
	snprintf(path, sizeof(path), "%s/chart_areas.csv", dir);
	chart = tu_file_text(path);
	CHECK(strstr(chart, "\nslabs=2048,x,lock_wait_pct_mean,"
			    "lock_wait_pct_ci95\nslabs=2048,1,20,0\n"
			    "slabs=2048,2,10,0\n") != NULL);
	free(chart);
	if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
		static const char *const charts[] = {
			"sweep_full_events.png", "sweep_full_events.svg",
			"sweep_hiwater.png", "sweep_hiwater.svg",
			"sweep_lock_wait.png", "sweep_lock_wait.svg",
		};
		struct stat st;

		for (size_t k = 0; k < 6; k++) {
			snprintf(path, sizeof(path), "%s/%s", dir, charts[k]);
			if (stat(path, &st) || st.st_size < 1000)
				tu_fail(__FILE__, __LINE__, "no chart %s", path);
		}
	}
	free(csv);
	free(rec);
	free(out);
	free(msgs);
	sweep_grid_free(&g);
	scenario_free(&s);
	remove_tree(dir);
}

/* Nothing finished: said, and the status says it failed. */
static void test_collect_empty(void)
{
	char dir[] = "/tmp/swsim-sweep-empty-XXXXXX";
	char *msgs = NULL;
	size_t len = 0;
	FILE *m;

	if (!mkdtemp(dir))
		return;
	m = open_memstream(&msgs, &len);
	CHECK_EQ(sweep_collect(dir, false, m, m), 1);
	fclose(m);
	CHECK(strstr(msgs, "no finished point") != NULL);
	free(msgs);
	rmdir(dir);
}

int main(void)
{
	RUN(test_ci);
	RUN(test_json);
	RUN(test_csv_and_recommendation);
	RUN(test_recommend_param);
	RUN(test_collect_handmade);
	RUN(test_collect_empty);
	return tu_finish();
}
