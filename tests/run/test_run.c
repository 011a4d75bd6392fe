/* tests/run/test_run.c - the run pipeline end to end: every example scenario
 * (each .yaml in scenarios/) loads and runs briefly, its files have the
 * right columns and agree with summary.json, runs repeat byte for byte,
 * --set reaches the run, bounce decisions and restricted pools show in the
 * summary, and the charts render. The scenario files are in
 * $SWSIM_SOURCE_DIR/scenarios; the command lines are test_run_cli.c's. */
#define _GNU_SOURCE
#include "run/plot.h"
#include "run/run.h"
#include "tests/run_fixture.h"
#include "tests/testutil.h"

#include <glob.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The examples this test knows must be there; every scenario in scenarios/ is
 * tested, these included. */
static const char *const known[] = {
	"default", "coco-nvme-small-pool", "coco-network",
	"legacy-32bit-device", "dynamic-growth", "restricted-pool",
	"mapbench",
};

static char *examples[64];
static size_t nexamples;

/* The names of the .yaml files in scenarios/, sorted. */
static void find_examples(void)
{
	char pattern[1024];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/scenarios/*.yaml", rf_source());
	if (glob(pattern, 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc && nexamples < 64; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;

		examples[nexamples++] = strndup(base, strlen(base) - 5);
	}
	globfree(&g);
}

static void test_examples_present(void)
{
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < nexamples; i++)
			found |= !strcmp(examples[i], known[k]);
		if (!found)
			tu_fail(__FILE__, __LINE__, "scenarios/%s.yaml missing",
				known[k]);
		tu_checks++;
	}
}
#define NEXAMPLES nexamples

static const char *const run_files[] = {
	"timeseries.csv", "events.csv", "area_use.csv", "latency.csv",
	"summary.json", "scenario.resolved.yaml",
};
#define NFILES (sizeof(run_files) / sizeof(run_files[0]))

/* Every example loads, and the machine accepts what it says. */
static void test_examples_validate(void)
{
	for (size_t i = 0; i < NEXAMPLES; i++) {
		struct scenario s;
		struct machine_config cfg;
		struct machine_device_config *devs;
		char err[1024];

		if (!rf_load(examples[i], NULL, 0, &s))
			continue;
		if (run_build_machine_config(&s, &cfg, &devs, err, sizeof(err)))
			tu_fail(__FILE__, __LINE__, "%s: %s", examples[i], err);
		else
			free(devs);
		tu_checks++;
		scenario_free(&s);
	}
}

/* machine.memory and machine.slot_lines reach the machine's configuration
 * (test_machine.c checks what they do there). */
static void test_machine_keys_reach_config(void)
{
	static const char *const dirty[] = { "machine.slot_lines=dirty" };
	struct scenario s;
	struct machine_config cfg;
	struct machine_device_config *devs;
	char err[1024];

	if (!rf_load("legacy-32bit-device", dirty, 1, &s))
		return;
	CHECK(!run_build_machine_config(&s, &cfg, &devs, err, sizeof(err)));
	CHECK_EQ(cfg.memory_bytes, 64ULL << 30);
	CHECK_EQ(cfg.slot_line_model, MACHINE_LINES_DIRTY);
	free(devs);
	scenario_free(&s);
	if (!rf_load("legacy-32bit-device", NULL, 0, &s))
		return;
	CHECK(!run_build_machine_config(&s, &cfg, &devs, err, sizeof(err)));
	CHECK_EQ(cfg.slot_line_model, MACHINE_LINES_TOUCHED);
	free(devs);
	scenario_free(&s);
}

static bool machine_of(const char *name, const char *const *ov, size_t n,
		       struct machine_config *cfg)
{
	struct scenario s;
	struct machine_device_config *devs;
	char err[1024];
	bool ok;

	if (!rf_load(name, ov, n, &s))
		return false;
	ok = !run_build_machine_config(&s, cfg, &devs, err, sizeof(err));
	CHECK(ok);
	free(devs);
	scenario_free(&s);
	return ok;
}

/* machine.profile's default follows swiotlb.coco; a written profile wins
 * over it, and a written cost over the profile. */
static void test_profile_precedence(void)
{
	static const char *const host[] = { "machine.profile=host" };
	static const char *const vm[] = { "machine.profile=vm",
					  "machine.costs.irq=7us" };
	static const char *const slow[] = { "machine.cpu_slowdown=2.5",
					    "machine.host_cores=1",
					    "machine.hz=1000" };
	struct machine_config cfg;

	if (machine_of("default", NULL, 0, &cfg)) {
		CHECK_EQ(cfg.costs.irq_ns, COST_COCO_IRQ_NS);
		CHECK_EQ(cfg.costs.idle_wakeup_ns, COST_COCO_IDLE_WAKEUP_NS);
		CHECK_EQ(cfg.costs.page_decrypt_ns, COST_PAGE_DECRYPT_NS);
		CHECK(cfg.cpu_slowdown == 1.0);
		CHECK_EQ(cfg.host_cores, 0);
		CHECK_EQ(cfg.hz, 250);
	}
	if (machine_of("default", host, 1, &cfg)) {
		CHECK_EQ(cfg.costs.irq_ns, COST_IRQ_NS);
		CHECK_EQ(cfg.costs.page_decrypt_ns, 0);
	}
	if (machine_of("default", vm, 2, &cfg)) {
		CHECK_EQ(cfg.costs.irq_ns, 7000);
		CHECK_EQ(cfg.costs.idle_wakeup_ns, COST_VM_IDLE_WAKEUP_NS);
	}
	if (machine_of("legacy-32bit-device", NULL, 0, &cfg)) {
		CHECK_EQ(cfg.costs.irq_ns, COST_IRQ_NS);
		CHECK_EQ(cfg.costs.idle_wakeup_ns, COST_IDLE_WAKEUP_NS);
	}
	if (machine_of("legacy-32bit-device", slow, 3, &cfg)) {
		CHECK(cfg.cpu_slowdown == 2.5);
		CHECK_EQ(cfg.host_cores, 1);
		CHECK_EQ(cfg.hz, 1000);
	}
}

/* The JSON of the scenario's workload i, built on its machine. */
static char *workload_json(const char *name, const char *const *ov, size_t n,
			   size_t i)
{
	struct scenario s;
	struct machine_config cfg;
	struct machine_device_config *devs = NULL;
	struct sim_engine *eng = sim_engine_new();
	struct machine *m = NULL;
	struct workload **wls = NULL;
	char err[1024], *buf = NULL;
	size_t len = 0;

	if (!rf_load(name, ov, n, &s))
		return NULL;
	if (!run_build_machine_config(&s, &cfg, &devs, err, sizeof(err)))
		m = machine_new(&cfg, eng, err, sizeof(err));
	if (m && !run_make_workloads(&s, m, &wls, err, sizeof(err))) {
		FILE *out = open_memstream(&buf, &len);

		workload_write_json(wls[i], out);
		fclose(out);
		for (size_t k = 0; k < s.nworkloads; k++)
			workload_destroy(wls[k]);
		free(wls);
	}
	CHECK(buf != NULL);
	machine_free(m);
	sim_engine_free(eng);
	free(devs);
	scenario_free(&s);
	return buf;
}

static void check_json(char *j, const char *member)
{
	if (!j || !strstr(j, member))
		tu_fail(__FILE__, __LINE__, "no %s in %s", member,
			j ? j : "(null)");
	tu_checks++;
}

/* Per-request CPU costs come from the device's kind unless the device or
 * the workload writes them; the retry mode and the restart on completion
 * (not for nvme) reach the storage workload. */
static void test_request_costs_reach_workloads(void)
{
	static const char *const dev[] = { "devices.0.submit_cost=5us" };
	static const char *const wl[] = { "devices.0.submit_cost=5us",
					   "workloads.0.submit_cost=7us",
					   "workloads.0.retry=fixed" };
	char *j;

	j = workload_json("default", NULL, 0, 0);
	check_json(j, "\"retry\": \"blk-mq\"");
	check_json(j, "\"restart_on_completion\": false");
	check_json(j, "\"submit_cost_ns\": 1200, \"complete_cost_ns\": 800");
	free(j);
	j = workload_json("default", NULL, 0, 1);
	check_json(j, "\"tx_cost_ns\": 1500, \"rx_cost_ns\": 2000");
	free(j);
	j = workload_json("default", dev, 1, 0);
	check_json(j, "\"submit_cost_ns\": 5000, \"complete_cost_ns\": 800");
	free(j);
	j = workload_json("default", wl, 3, 0);
	check_json(j, "\"retry\": \"fixed\"");
	check_json(j, "\"submit_cost_ns\": 7000");
	free(j);
	j = workload_json("legacy-32bit-device", NULL, 0, 0);
	check_json(j, "\"restart_on_completion\": true");
	free(j);
}

/* The columns of timeseries.csv before the per-area ones. */
static const char series_head[] =
	"time_ns,interval_ns,used_slots,transient_slots,nslabs,hiwater,maps,"
	"maps_per_s,full_events,transient_pools,pools,lock_wait_ns,"
	"copy_cpu_share,busy_cpu_share,largest_free_run";

/* timeseries.csv: its header, rows covering [0, duration] without gaps,
 * and interval figures adding up to the totals (no warm-up here). */
static void check_series(const char *name, const char *dir,
			 uint64_t duration)
{
	struct rf_csv t;
	uint64_t maps = 0, full = 0, last = 0, nareas;
	bool gaps = false;

	if (!rf_csv_read(&t, dir, "timeseries.csv"))
		return;
	CHECK(!strncmp(t.header, series_head, strlen(series_head)));
	nareas = t.ncols - 15;
	CHECK(nareas >= 1);
	for (uint64_t a = 0; a < nareas && 15 + a < t.ncols; a++) {
		char col[32];

		snprintf(col, sizeof(col), "area%" PRIu64 "_used", a);
		CHECK(!strcmp(t.col[15 + a], col));
	}
	for (size_t r = 0; r < t.nrows; r++) {
		uint64_t time = rf_csv_u64(&t, r, "time_ns");

		gaps |= time - last != rf_csv_u64(&t, r, "interval_ns");
		last = time;
		maps += rf_csv_u64(&t, r, "maps");
		full += rf_csv_u64(&t, r, "full_events");
	}
	if (gaps || last != duration || t.bad_rows)
		tu_fail(__FILE__, __LINE__, "%s: rows gapped (%d) or end at "
			"%" PRIu64 " not %" PRIu64 ", %zu bad rows", name, gaps,
			last, duration, t.bad_rows);
	CHECK_EQ(maps, rf_json_u64(dir, "totals", "maps"));
	CHECK_EQ(full, rf_json_u64(dir, "totals", "full_events"));
	rf_csv_free(&t);
}

/* events.csv, area_use.csv and latency.csv: headers, and agreement with
 * summary.json. */
static void check_other_csvs(const char *name, const char *dir)
{
	struct rf_csv t;
	uint64_t n = 0;

	if (rf_csv_read(&t, dir, "events.csv")) {
		CHECK(!strcmp(t.header, "time_ns,time_s,kind,cpu,device,"
				       "size_bytes,pool_id,pool_slots"));
		for (size_t r = 0; r < t.nrows; r++)
			n += !strncmp(rf_csv_str(&t, r, "kind"), "full", 4);
		CHECK_EQ(n, rf_json_u64(dir, "totals", "full_events"));
		CHECK_EQ(t.bad_rows, 0);
		rf_csv_free(&t);
	}
	if (rf_csv_read(&t, dir, "area_use.csv")) {
		CHECK(!strcmp(t.header, "time_ns,area,used_slots,used_share"));
		CHECK(t.nrows > 0);
		CHECK_EQ(t.bad_rows, 0);
		rf_csv_free(&t);
	}
	if (rf_csv_read(&t, dir, "latency.csv")) {
		CHECK(!strcmp(t.header, "lower_ns,upper_ns,count,cumulative"));
		n = 0;
		for (size_t r = 0; r < t.nrows; r++)
			n += rf_csv_u64(&t, r, "count");
		CHECK_EQ(n, rf_json_u64(dir, "totals", "maps"));
		if (t.nrows)
			CHECK(!strcmp(rf_csv_str(&t, t.nrows - 1, "cumulative"),
				      "1.000000"));
		rf_csv_free(&t);
	}
	(void)name;
}

/* summary.json's own identities, and the resolved scenario reloading to the
 * scenario that ran. */
static void check_summary(const struct scenario *s, const char *dir)
{
	char path[OUTFILE_PATH_MAX], err[SCENARIO_ERR_MAX];
	struct scenario back;

	CHECK_EQ(rf_json_u64(dir, "totals", "maps_ok") -
		 rf_json_u64(dir, "totals", "unmaps"),
		 rf_json_u64(dir, "totals", "live_mappings_end"));
	CHECK(rf_json_u64(dir, "totals", "maps") >=
	      rf_json_u64(dir, "totals", "maps_ok"));
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	if (scenario_load(path, NULL, 0, &back, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	CHECK(scenario_equal(s, &back));
	scenario_free(&back);
}

/* Every example, 20 ms from time 0: all files, right columns, figures that
 * agree with each other. */
static void test_examples_run(void)
{
	static const char *const ov[] = { "run.duration=20ms", "run.warmup=0" };

	for (size_t i = 0; i < NEXAMPLES; i++) {
		struct scenario s;
		char dir[4096];

		if (!rf_load(examples[i], ov, 2, &s))
			continue;
		rf_subdir(dir, sizeof(dir), examples[i]);
		if (rf_run(&s, dir)) {
			for (size_t f = 0; f < NFILES; f++)
				if (!rf_file_size(dir, run_files[f]))
					tu_fail(__FILE__, __LINE__, "%s: %s missing "
						"or empty", examples[i],
						run_files[f]);
			check_series(examples[i], dir, s.run.duration);
			check_other_csvs(examples[i], dir);
			check_summary(&s, dir);
		}
		scenario_free(&s);
	}
}

/* With a warm-up, the totals cover what follows it: the rows after the
 * warm-up's end add up to them. */
static void test_warmup_totals(void)
{
	static const char *const ov[] = {
		"run.duration=30ms", "run.warmup=10ms", "run.sample_interval=1ms",
	};
	struct scenario s;
	struct rf_csv t;
	char dir[4096];
	uint64_t full = 0, maps = 0;

	if (!rf_load("coco-nvme-small-pool", ov, 3, &s))
		return;
	rf_subdir(dir, sizeof(dir), "warmup");
	if (rf_run(&s, dir) && rf_csv_read(&t, dir, "timeseries.csv")) {
		for (size_t r = 0; r < t.nrows; r++) {
			if (rf_csv_u64(&t, r, "time_ns") <= 10000000)
				continue;
			full += rf_csv_u64(&t, r, "full_events");
			maps += rf_csv_u64(&t, r, "maps");
		}
		CHECK(full > 0);
		CHECK_EQ(full, rf_json_u64(dir, "totals", "full_events"));
		CHECK_EQ(maps, rf_json_u64(dir, "totals", "maps"));
		rf_csv_free(&t);
	}
	scenario_free(&s);
}

/* One rule for the warm-up: every figure of summary.json counts after
 * it, so the workloads' maps and failures, the devices' full events and
 * the totals agree, and the first full event comes after the warm-up
 * although the pool ran out during it too. */
static void test_warmup_scope(void)
{
	static const char *const ov[] = {
		"run.duration=30ms", "run.warmup=10ms", "run.sample_interval=1ms",
	};
	struct scenario s;
	struct rf_csv t;
	struct json j;
	char dir[4096];
	uint64_t warmup_full = 0;

	if (!rf_load("coco-nvme-small-pool", ov, 3, &s))
		return;
	rf_subdir(dir, sizeof(dir), "warmup-scope");
	if (!rf_run(&s, dir) || !rf_json_load(dir, &j)) {
		scenario_free(&s);
		return;
	}
	CHECK(json_number(&j, "totals.full_events", 0) > 0);
	CHECK_EQ(rf_json_sum(&j, "workloads", "maps"),
		 json_number(&j, "totals.maps", -1));
	CHECK_EQ(rf_json_sum(&j, "workloads", "map_failures"),
		 json_number(&j, "totals.maps", 0) -
		 json_number(&j, "totals.maps_ok", 0));
	CHECK_EQ(rf_json_sum(&j, "workloads", "requeues"),
		 json_number(&j, "totals.full_events", -1));
	CHECK_EQ(rf_json_sum(&j, "devices", "full_events"),
		 json_number(&j, "totals.full_events", -1));
	CHECK_EQ(rf_json_sum(&j, "devices", "maps"),
		 json_number(&j, "totals.maps", -1));
	CHECK(json_number(&j, "first_full_ns", 0) > 10e6);
	if (rf_csv_read(&t, dir, "timeseries.csv")) {
		for (size_t r = 0; r < t.nrows; r++)
			if (rf_csv_u64(&t, r, "time_ns") <= 10000000)
				warmup_full += rf_csv_u64(&t, r, "full_events");
		CHECK(warmup_full > 0);
		rf_csv_free(&t);
	}
	json_free(&j);
	scenario_free(&s);
}

/* The same seed gives the same files byte for byte; another seed does not. */
static void test_determinism(void)
{
	static const char *const seed1[] = {
		"run.duration=20ms", "run.warmup=5ms", "run.seed=7",
	};
	static const char *const seed2[] = {
		"run.duration=20ms", "run.warmup=5ms", "run.seed=8",
	};
	char a[4096], b[4096], c[4096];
	struct scenario s;
	size_t differ = 0;

	rf_subdir(a, sizeof(a), "seed-a");
	rf_subdir(b, sizeof(b), "seed-b");
	rf_subdir(c, sizeof(c), "seed-c");
	if (!rf_load("default", seed1, 3, &s))
		return;
	bool ok = rf_run(&s, a) && rf_run(&s, b);
	scenario_free(&s);
	if (!ok || !rf_load("default", seed2, 3, &s))
		return;
	ok = rf_run(&s, c);
	scenario_free(&s);
	if (!ok)
		return;
	for (size_t f = 0; f < NFILES; f++) {
		if (!rf_same_file(a, b, run_files[f]))
			tu_fail(__FILE__, __LINE__, "%s differs between two runs "
				"of one seed", run_files[f]);
		tu_checks++;
		differ += !rf_same_file(a, c, run_files[f]);
	}
	/* The seed is in the resolved scenario and summary.json; the point
	 * is that the simulation itself changes. */
	CHECK(!rf_same_file(a, c, "timeseries.csv"));
	CHECK(!rf_same_file(a, c, "events.csv"));
	CHECK(differ >= 4);
}

/* --set reaches the machine: the pool size shows in summary.json. */
static void test_set_reaches_run(void)
{
	static const char *const ov[] = {
		"run.duration=10ms", "run.warmup=0", "swiotlb.slabs=4096",
		"swiotlb.areas=2",
	};
	struct scenario s;
	char dir[4096];

	if (!rf_load("default", ov, 4, &s))
		return;
	rf_subdir(dir, sizeof(dir), "set");
	if (rf_run(&s, dir)) {
		CHECK_EQ(rf_json_u64(dir, "pool", "boot_nslabs"), 4096);
		CHECK_EQ(rf_json_u64(dir, "pool", "boot_nareas"), 2);
		CHECK(rf_file_contains(dir, "scenario.resolved.yaml",
				       "  slabs: 4096\n"));
	}
	scenario_free(&s);
}

/* The bounce decision reaches the run: on the legacy machine only the
 * 32-bit device bounces; with coco on, the NVMe bounces too. */
static void test_bounce_in_summary(void)
{
	static const char *const ov[] = { "run.duration=10ms", "run.warmup=0" };
	static const char *const coco[] = {
		"run.duration=10ms", "run.warmup=0", "swiotlb.coco=true",
	};
	struct scenario s;
	char dir[4096];

	if (!rf_load("legacy-32bit-device", ov, 2, &s))
		return;
	rf_subdir(dir, sizeof(dir), "legacy");
	if (rf_run(&s, dir)) {
		CHECK(rf_json_dev_u64(dir, "hba0", "maps_bounced") > 0);
		CHECK(rf_json_dev_u64(dir, "hba0", "maps_direct") > 0);
		CHECK(rf_json_dev_u64(dir, "nvme0", "maps") > 0);
		CHECK_EQ(rf_json_dev_u64(dir, "nvme0", "maps_bounced"), 0);
		CHECK(rf_file_contains(dir, "summary.json",
				       "\"force_bounce\": false}"));
	}
	scenario_free(&s);
	if (!rf_load("legacy-32bit-device", coco, 3, &s))
		return;
	rf_subdir(dir, sizeof(dir), "legacy-coco");
	if (rf_run(&s, dir)) {
		CHECK_EQ(rf_json_dev_u64(dir, "nvme0", "maps_direct"), 0);
		CHECK_EQ(rf_json_dev_u64(dir, "hba0", "maps_direct"), 0);
	}
	scenario_free(&s);
}

/* The restricted pool's figures reach summary.json; the default pool
 * stays empty. */
static void test_restricted_in_summary(void)
{
	static const char *const ov[] = { "run.duration=10ms", "run.warmup=0" };
	struct scenario s;
	char dir[4096];

	if (!rf_load("restricted-pool", ov, 2, &s))
		return;
	rf_subdir(dir, sizeof(dir), "restricted");
	if (rf_run(&s, dir)) {
		CHECK(rf_file_contains(dir, "summary.json",
				       "\"restricted_pool\": {\"start\": "
				       "1073741824, \"nslabs\": 2048"));
		CHECK(rf_json_dev_u64(dir, "eth0", "hiwater_slots") > 0);
		CHECK_EQ(rf_json_u64(dir, NULL, "hiwater_slots"), 0);
		CHECK_EQ(rf_json_dev_u64(dir, "eth0", "maps_direct"), 0);
	}
	scenario_free(&s);
}

/* Charts: PNG and SVG of each, not empty, when gnuplot is installed. */
static void test_plot(void)
{
	static const char *const ov[] = { "run.duration=20ms", "run.warmup=5ms" };
	static const char *const charts[] = {
		"pool_use", "full_events", "area_use", "map_latency",
	};
	struct scenario s;
	char dir[4096], name[64];

	if (!plot_have_gnuplot()) {
		printf("gnuplot not installed: chart test skipped\n");
		return;
	}
	if (!rf_load("dynamic-growth", ov, 2, &s))
		return;
	rf_subdir(dir, sizeof(dir), "plot");
	if (rf_run(&s, dir)) {
		CHECK_EQ(plot_run_dir(dir, stderr), 0);
		for (size_t i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "%s.png", charts[i]);
			CHECK(rf_file_starts_with(dir, name, "\x89PNG"));
			CHECK(rf_file_size(dir, name) > 1000);
			snprintf(name, sizeof(name), "%s.svg", charts[i]);
			CHECK(rf_file_contains(dir, name, "<svg"));
			CHECK(rf_file_size(dir, name) > 1000);
		}
	}
	scenario_free(&s);
}

int main(void)
{
	if (!rf_setup())
		return 1;
	find_examples();
	RUN(test_examples_present);
	RUN(test_examples_validate);
	RUN(test_machine_keys_reach_config);
	RUN(test_profile_precedence);
	RUN(test_request_costs_reach_workloads);
	RUN(test_examples_run);
	RUN(test_warmup_totals);
	RUN(test_warmup_scope);
	RUN(test_determinism);
	RUN(test_set_reaches_run);
	RUN(test_bounce_in_summary);
	RUN(test_restricted_in_summary);
	RUN(test_plot);
	rf_teardown();
	for (size_t i = 0; i < nexamples; i++)
		free(examples[i]);
	return tu_finish();
}
