/* tests/workloads/test_mapbench.c - the dma_map_benchmark generator with exact
 * expectations: one thread holds one slot run, loop counts and latencies
 * from known costs, the delay is CPU time, failures end a thread (or not),
 * a zero-cost loop is caught, the moments' arithmetic, determinism. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/machine_fixture.h"
#include "workloads/mapbench.h"

static struct machine_device_config dev;

/* ncpus CPUs, nslabs in nareas, quiet costs but a 100 ns map call and a
 * 100 ns unmap call, one device with the given min_align_mask. */
static bool bench_machine(struct fixture *f, unsigned int ncpus,
			  uint64_t nslabs, uint64_t nareas,
			  uint32_t min_align_mask, bool default_costs)
{
	struct machine_config cfg;

	fixture_config(&cfg, ncpus, nslabs, nareas, false);
	if (default_costs)
		machine_costs_init(&cfg.costs);
	cfg.costs.map_call_ns = 100;
	cfg.costs.unmap_call_ns = 100;
	quiet_device(&dev, "dev0");
	dev.min_align_mask = min_align_mask;
	cfg.devices = &dev;
	cfg.ndevices = 1;
	return fixture_new(f, &cfg);
}

static struct workload *make(struct fixture *f, const struct mapbench_config *c)
{
	char err[512] = "";
	struct workload *w = mapbench_new(f->m, "mb0", c, err, sizeof(err));

	if (!w)
		fprintf(stderr, "mapbench_new: %s\n", err);
	CHECK(w != NULL);
	if (w)
		CHECK(workload_start(w, err, sizeof(err)) == 0);
	return w;
}

/* One thread, no delay, default machine costs (search, locks, copies):
 * the pool never holds more than one mapping's slots, and its high-water
 * mark is exactly that run. granule 16 = 64 KiB = 32 slots; 1 = 2 slots. */
static void one_thread_one_run(uint32_t granule, uint64_t slots)
{
	struct fixture f;
	struct mapbench_config c;
	struct workload *w;
	bool within = true;

	if (!bench_machine(&f, 2, 32768, 2, 0, true))
		return;
	mapbench_config_init(&c);
	c.cpus = "1";
	c.granule = granule;
	w = make(&f, &c);
	if (!w) {
		fixture_free(&f);
		return;
	}
	CHECK_EQ(mapbench_stats(w)->threads, 1);
	for (int k = 1; k <= 1000; k++) {
		machine_run_until(f.m, (sim_time_t)k * 9973);
		if (machine_mem(f.m)->used > slots ||
		    machine_live_mappings(f.m) > 1)
			within = false;
	}
	CHECK(within);
	CHECK_EQ(machine_mem(f.m)->hiwater, slots);
	CHECK(w->stats.requests_completed > 50);
	CHECK(workload_in_flight(w) <= 1);
	CHECK_EQ(w->stats.map_failures, 0);
	workload_stop(w);
	machine_run(f.m);
	CHECK_EQ(machine_mem(f.m)->used, 0);
	CHECK_EQ(workload_in_flight(w), 0);
	CHECK_EQ(mapbench_stats(w)->threads_running, 0);
	CHECK_EQ(w->stats.maps, w->stats.unmaps);
	CHECK_EQ(stats_counters(machine_stats(f.m))->maps, w->stats.maps);
	workload_destroy(w);
	fixture_free(&f);
}

static void test_one_thread_one_slot_run(void)
{
	one_thread_one_run(16, 32);
	one_thread_one_run(1, 2);
	one_thread_one_run(63, 126);
}

/* Map 100 ns + delay 300 ns + unmap 100 ns: an iteration every 500 ns, so
 * by 1 ms + 100 ns exactly 2000 are done and the 2001st is under way on
 * each of two CPUs (their own areas: no contention). Every latency is
 * exact: mean 100, stddev 0. */
static void test_loop_timing(void)
{
	struct fixture f;
	struct mapbench_config c;
	struct workload *w;
	const struct mapbench_stats *s;

	if (!bench_machine(&f, 2, 32768, 2, 0, false))
		return;
	mapbench_config_init(&c);
	c.delay_ns = 300;
	w = make(&f, &c);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run_until(f.m, SIM_MS(1) + 100);
	s = mapbench_stats(w);
	CHECK_EQ(s->threads, 2);
	CHECK_EQ(w->stats.requests_completed, 2 * 2000);
	CHECK_EQ(w->stats.requests_issued, 2 * 2001);
	CHECK_EQ(s->map_ns.n, 2 * 2001);
	CHECK_EQ(s->unmap_ns.n, 2 * 2000);
	CHECK(s->map_ns.mean == 100.0);
	CHECK(mapbench_moments_stddev(&s->map_ns) == 0.0);
	CHECK(s->unmap_ns.mean == 100.0);
	CHECK_EQ(s->unmap_ns.max, 100);
	CHECK_EQ(w->stats.latency.min, 500);
	CHECK_EQ(w->stats.latency.max, 500);
	/* The delay is busy CPU time: 2000 whole iterations of 500 ns and
	 * the 2001st one's map. */
	CHECK_EQ(stats_cpu(machine_stats(f.m), 0)->busy_ns, 2000 * 500 + 100);
	workload_destroy(w);
	fixture_free(&f);
}

/* Two threads on one CPU take turns: each iteration still costs 200 ns
 * of that CPU, so the pair completes one per 200 ns between them. */
static void test_threads_share_cpu(void)
{
	struct fixture f;
	struct mapbench_config c;
	struct workload *w;

	if (!bench_machine(&f, 1, 32768, 1, 0, false))
		return;
	mapbench_config_init(&c);
	c.threads = 2;
	c.iterations = 1000;
	w = make(&f, &c);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	CHECK_EQ(w->stats.requests_completed, 2000);
	CHECK_EQ(machine_now(f.m), 2000 * 200);
	CHECK_EQ(machine_mem(f.m)->hiwater, 4);   /* two 2-slot maps */
	CHECK_EQ(mapbench_stats(w)->threads_running, 0);
	workload_destroy(w);
	fixture_free(&f);
}

/* A pool with room for one 252 KiB map (126 slots of a 128-slot segment
 * with min_align_mask 0xfff) and two threads: the second map fails, and
 * that thread ends as the tool's does; with stop_on_failure off it goes
 * on and counts failures. */
static void test_failure(void)
{
	for (int stop = 0; stop <= 1; stop++) {
		struct fixture f;
		struct mapbench_config c;
		struct workload *w;
		const struct mapbench_stats *s;

		if (!bench_machine(&f, 2, 128, 1, 0xfff, false))
			return;
		mapbench_config_init(&c);
		c.granule = 63;
		c.delay_ns = 1000;
		c.stop_on_failure = stop;
		w = make(&f, &c);
		if (!w) {
			fixture_free(&f);
			return;
		}
		machine_run_until(f.m, SIM_US(100));
		s = mapbench_stats(w);
		CHECK(w->stats.map_failures >= 1);
		CHECK_EQ(w->stats.drops, w->stats.map_failures);
		CHECK_EQ(s->threads_failed, stop ? 1 : 0);
		CHECK_EQ(s->threads_running, stop ? 1 : 2);
		CHECK_EQ(stats_counters(machine_stats(f.m))->full_events,
			 w->stats.map_failures);
		workload_stop(w);
		machine_run(f.m);
		CHECK_EQ(workload_in_flight(w), 0);
		CHECK_EQ(machine_mem(f.m)->used, 0);
		workload_destroy(w);
		fixture_free(&f);
	}
}

/* With every cost 0 an iteration takes no time: the thread ends as
 * stalled instead of looping forever at t = 0. */
static void test_zero_time_loop_stalls(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct mapbench_config c;
	struct workload *w;

	fixture_config(&cfg, 1, 32768, 1, false);
	quiet_device(&dev, "dev0");
	cfg.devices = &dev;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	mapbench_config_init(&c);
	w = make(&f, &c);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	CHECK_EQ(mapbench_stats(w)->threads_stalled, 1);
	CHECK_EQ(w->stats.requests_completed, 1);
	CHECK_EQ(machine_now(f.m), 0);
	workload_destroy(w);
	fixture_free(&f);
}

/* The population standard deviation, as the tool's sqrt(E[x^2]-E[x]^2):
 * {2, 4, 4, 4, 5, 5, 7, 9} has mean 5 and stddev 2. */
static void test_moments(void)
{
	static const uint64_t xs[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct mapbench_moments mo = { 0 };

	CHECK(mapbench_moments_stddev(&mo) == 0.0);
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		mapbench_moments_add(&mo, xs[i]);
	CHECK_EQ(mo.n, 8);
	CHECK(mo.mean == 5.0);
	CHECK(mapbench_moments_stddev(&mo) == 2.0);
	CHECK_EQ(mo.min, 2);
	CHECK_EQ(mo.max, 9);
}

static char *run_json(uint64_t seed)
{
	struct machine_config cfg;
	struct fixture f;
	struct mapbench_config c;
	struct workload *w;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fixture_config(&cfg, 4, 1024, 2, false);
	machine_costs_init(&cfg.costs);
	quiet_device(&dev, "dev0");
	cfg.devices = &dev;
	cfg.ndevices = 1;
	cfg.seed = seed;
	if (!fixture_new(&f, &cfg))
		return NULL;
	mapbench_config_init(&c);
	c.threads = 6;
	c.granule = 8;
	c.delay_ns = 250;
	w = make(&f, &c);
	if (!w) {
		fixture_free(&f);
		return NULL;
	}
	machine_run_until(f.m, SIM_MS(2));
	out = open_memstream(&buf, &len);
	if (out) {
		CHECK(workload_write_json(w, out) == 0);
		fclose(out);
	}
	workload_destroy(w);
	fixture_free(&f);
	return buf;
}

/* Same seed, same bytes; the lock contention of 6 threads on 4 CPUs and
 * 2 areas makes the map latency vary. */
static void test_determinism_and_json(void)
{
	char *a = run_json(3), *b = run_json(3);

	CHECK(a && b && !strcmp(a, b));
	CHECK(a && strstr(a, "\"kind\": \"mapbench\""));
	CHECK(a && strstr(a, "\"config\": {\"threads\": 6, \"granule\": 8, "
			  "\"map_bytes\": 32768, \"dir\": \"bidirectional\""));
	CHECK(a && strstr(a, "\"map_latency_ns\": {\"n\": "));
	CHECK(a && !strstr(a, "\"stddev\": 0,"));
	free(a);
	free(b);
}

static void test_config_errors(void)
{
	struct fixture f;
	struct mapbench_config c;
	char err[512];

	if (!bench_machine(&f, 2, 32768, 1, 0xfff, false))
		return;
	mapbench_config_init(&c);
	c.granule = 64;      /* 256 KiB > 252 KiB with min_align_mask 0xfff */
	CHECK(mapbench_new(f.m, "x", &c, err, sizeof(err)) == NULL);
	CHECK(!strcmp(err, "mapbench x: granule 64 (262144 bytes) exceeds "
		      "device \"dev0\"'s maximum mapping of 258048 bytes"));
	c.granule = 0;
	CHECK(mapbench_new(f.m, "x", &c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "granule 0: expected 1 to 1024 pages") != NULL);
	mapbench_config_init(&c);
	c.device = "nope";
	CHECK(mapbench_new(f.m, "x", &c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no device named \"nope\"") != NULL);
	mapbench_config_init(&c);
	c.cpus = "7";
	CHECK(mapbench_new(f.m, "x", &c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "the machine has 2 CPUs") != NULL);
	fixture_free(&f);
}

int main(void)
{
	RUN(test_one_thread_one_slot_run);
	RUN(test_loop_timing);
	RUN(test_threads_share_cpu);
	RUN(test_failure);
	RUN(test_zero_time_loop_stalls);
	RUN(test_moments);
	RUN(test_determinism_and_json);
	RUN(test_config_errors);
	return tu_finish();
}
