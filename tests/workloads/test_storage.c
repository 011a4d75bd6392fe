/* tests/workloads/test_storage.c - the storage generator with exact expectations:
 * slots held by a closed loop at steady state, the block layer's split of a
 * 512 KiB read on an NVMe-like device, segments following contiguity,
 * requeues without loss when the pool is too small, directions, completion
 * CPUs, open-loop arrivals, determinism, and configuration errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/machine_fixture.h"
#include "workloads/storage.h"

#define LATENCY_NS 100000         /* device service time: 100 us */

static struct machine_device_config nvme;

/* ncpus CPUs, a pool of nslabs in nareas areas, quiet costs, one NVMe-like
 * device (min_align_mask 0xfff, 100 us per request, deep queue). */
static bool storage_machine(struct fixture *f, unsigned int ncpus,
			    uint64_t nslabs, uint64_t nareas, uint64_t seed)
{
	struct machine_config cfg;

	fixture_config(&cfg, ncpus, nslabs, nareas, false);
	quiet_device(&nvme, "nvme0");
	nvme.min_align_mask = 0xfff;
	nvme.latency_ns = LATENCY_NS;
	cfg.devices = &nvme;
	cfg.ndevices = 1;
	cfg.seed = seed;
	return fixture_new(f, &cfg);
}

/* The defaults without the per-request CPU costs (the machine is quiet
 * too): each test turns on only what it checks. */
static void quiet_storage_config(struct storage_config *c)
{
	storage_config_init(c);
	c->submit_cost_ns = 0;
	c->complete_cost_ns = 0;
}

static struct workload *make(struct fixture *f, const struct storage_config *c)
{
	char err[512] = "";
	struct workload *w = storage_new(f->m, "st0", c, err, sizeof(err));

	if (!w)
		fprintf(stderr, "storage_new: %s\n", err);
	CHECK(w != NULL);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) == 0);
	}
	return w;
}

static char *json_of(const struct workload *w)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	CHECK(out != NULL);
	if (!out)
		return NULL;
	CHECK(workload_write_json(w, out) == 0);
	fclose(out);
	return buf;
}

/* Whether the JSON holds `"key": "want"` (histogram strings). */
static bool json_has(const struct workload *w, const char *member)
{
	char *j = json_of(w);
	bool found = j && strstr(j, member);

	if (!found)
		fprintf(stderr, "missing %s in %s\n", member, j ? j : "(null)");
	free(j);
	return found;
}

/* Stops the workload and runs the machine dry: every I/O completes. */
static void drain(struct fixture *f, struct workload *w)
{
	workload_stop(w);
	machine_run(f->m);
	CHECK(machine_idle(f->m));
	CHECK_EQ(w->stats.requests_completed, w->stats.requests_issued);
	CHECK_EQ(workload_in_flight(w), 0);
	CHECK_EQ(storage_stats(w)->block_requests_done,
		 storage_stats(w)->block_requests);
	CHECK_EQ(machine_live_mappings(f->m), 0);
	CHECK_EQ(machine_mem(f->m)->used, 0);
}

/* Closed loop, 128 KiB reads from huge pages, depth q on c CPUs: each I/O
 * is one 64-slot map, and between completions (which come every 100 us)
 * exactly q * c * 64 slots are in use; the high-water mark is that too. */
static void closed_loop_holds(unsigned int c, uint32_t q)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;
	const struct io_tlb_mem *mem;

	if (!storage_machine(&f, c, 32768, c, 1))
		return;
	quiet_storage_config(&sc);
	sc.queue_depth = q;
	sc.sizes = "128k";
	sc.huge_page_fraction = 1.0;
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	mem = machine_mem(f.m);
	for (int k = 0; k < 20; k++) {
		machine_run_until(f.m, SIM_US(100) * k + SIM_US(50));
		CHECK_EQ(mem->used, (uint64_t)q * c * 64);
		CHECK_EQ(workload_in_flight(w), q * c);
		CHECK_EQ(w->stats.requests_issued, (uint64_t)q * c * (k + 1));
	}
	CHECK_EQ(mem->hiwater, (uint64_t)q * c * 64);
	CHECK_EQ(w->stats.map_failures, 0);
	CHECK_EQ(storage_stats(w)->split_ios, 0);
	CHECK_EQ(w->stats.maps, w->stats.requests_issued);
	CHECK_EQ(sizedist_hist_count(&storage_stats(w)->map_size, 131072),
		 w->stats.maps);
	CHECK_EQ(sizedist_hist_count(&storage_stats(w)->segments, 1),
		 w->stats.requests_issued);
	drain(&f, w);
	CHECK_EQ(mem->hiwater, (uint64_t)q * c * 64);
	CHECK_EQ(w->stats.bytes, w->stats.requests_completed * 131072);
	workload_destroy(w);
	fixture_free(&f);
}

static void test_closed_loop_steady_state(void)
{
	closed_loop_holds(1, 1);
	closed_loop_holds(4, 8);
	closed_loop_holds(2, 32);
}

/* One 512 KiB read (max_ios 1) and what it holds while in flight. */
struct one_read {
	uint64_t used_in_flight, hiwater;
	char *json;
};

static void one_512k_read(double huge, uint32_t max_segments,
			  struct one_read *out)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;

	memset(out, 0, sizeof(*out));
	if (!storage_machine(&f, 1, 32768, 1, 1))
		return;
	quiet_storage_config(&sc);
	sc.queue_depth = 1;
	sc.sizes = "512k";
	sc.huge_page_fraction = huge;
	sc.adjacent_page_probability = 0.0;
	sc.max_segments = max_segments;
	sc.max_ios = 1;
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	CHECK_EQ(storage_max_transfer(w), 252 * 1024);
	machine_run_until(f.m, SIM_US(50));
	out->used_in_flight = machine_mem(f.m)->used;
	CHECK_EQ(machine_device_in_flight(machine_device_at(f.m, 0)),
		 storage_stats(w)->block_requests);
	machine_run(f.m);
	CHECK_EQ(w->stats.requests_issued, 1);
	CHECK_EQ(w->stats.requests_completed, 1);
	CHECK_EQ(w->stats.bytes, 512 * 1024);
	CHECK_EQ(storage_stats(w)->split_ios, 1);
	CHECK_EQ(storage_stats(w)->reads, 1);
	CHECK_EQ(machine_mem(f.m)->used, 0);
	out->hiwater = machine_mem(f.m)->hiwater;
	out->json = json_of(w);
	workload_destroy(w);
	fixture_free(&f);
}

/* 252k with min_align_mask 0xfff is 126 slots: 126 + 126 + 4 = 256. */
static void test_512k_contiguous(void)
{
	struct one_read r;

	one_512k_read(1.0, 128, &r);
	CHECK_EQ(r.used_in_flight, 256);
	CHECK_EQ(r.hiwater, 256);
	CHECK(r.json && strstr(r.json, "\"rq_size_hist\": \"8192x1;258048x2\""));
	CHECK(r.json && strstr(r.json, "\"map_size_hist\": \"8192x1;258048x2\""));
	CHECK(r.json && strstr(r.json, "\"segments_per_request_hist\": \"1x3\""));
	CHECK(r.json && strstr(r.json, "\"block_requests\": 3,"));
	CHECK(r.json && strstr(r.json, "\"maps\": 3,"));
	free(r.json);
}

/* No two pages adjacent: 128 one-page maps of 2 slots, the same 256 slots,
 * the same 252k + 252k + 8k requests with 63 + 63 + 2 segments. */
static void test_512k_scattered(void)
{
	struct one_read r;

	one_512k_read(0.0, 128, &r);
	CHECK_EQ(r.used_in_flight, 256);
	CHECK_EQ(r.hiwater, 256);
	CHECK(r.json && strstr(r.json, "\"rq_size_hist\": \"8192x1;258048x2\""));
	CHECK(r.json && strstr(r.json, "\"map_size_hist\": \"4096x128\""));
	CHECK(r.json && strstr(r.json, "\"segments_per_request_hist\": \"2x1;63x2\""));
	CHECK(r.json && strstr(r.json, "\"segment_limit_splits\": 0,"));
	free(r.json);
}

/* max_segments 32 on scattered pages: the block layer splits at 32
 * segments first, so four 128 KiB requests of 32 pages each. */
static void test_512k_segment_limit(void)
{
	struct one_read r;

	one_512k_read(0.0, 32, &r);
	CHECK_EQ(r.used_in_flight, 256);
	CHECK(r.json && strstr(r.json, "\"rq_size_hist\": \"131072x4\""));
	CHECK(r.json && strstr(r.json, "\"segments_per_request_hist\": \"32x4\""));
	CHECK(r.json && strstr(r.json, "\"segment_limit_splits\": 3,"));
	free(r.json);
}

/* Adjacent pages merge up to the device's maximum segment: with every page
 * adjacent a 512k read is cut only by max_sectors, like a huge page. And
 * 256k becomes 252k + 4k (groundtruth point 2). */
static void test_adjacent_pages_merge(void)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;

	if (!storage_machine(&f, 1, 32768, 1, 1))
		return;
	quiet_storage_config(&sc);
	sc.queue_depth = 1;
	sc.sizes = "256k";
	sc.adjacent_page_probability = 1.0;
	sc.max_ios = 5;
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	CHECK_EQ(w->stats.requests_completed, 5);
	CHECK(json_has(w, "\"rq_size_hist\": \"4096x5;258048x5\""));
	CHECK(json_has(w, "\"map_size_hist\": \"4096x5;258048x5\""));
	CHECK(json_has(w, "\"segments_per_request_hist\": \"1x10\""));
	CHECK_EQ(machine_mem(f.m)->hiwater, 126 + 2);
	workload_destroy(w);
	fixture_free(&f);
}

/* A pool of 1024 slots against 4 CPUs x depth 8 x 64 slots: maps fail,
 * requests are requeued (every 20 us with the fixed delay), and every I/O
 * still completes. */
static void small_pool(double huge, enum storage_retry retry)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;
	const struct stats_counters *mc;

	if (!storage_machine(&f, 4, 1024, 1, 1))
		return;
	quiet_storage_config(&sc);
	sc.queue_depth = 8;
	sc.sizes = "128k";
	sc.huge_page_fraction = huge;
	sc.adjacent_page_probability = 0.5;
	sc.retry = retry;
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run_until(f.m, SIM_MS(20));
	mc = stats_counters(machine_stats(f.m));
	CHECK(mc->full_events > 0);
	CHECK(w->stats.requeues > 0);
	CHECK(w->stats.requests_completed > 0);
	/* Closed loop: a requeued I/O is still in flight, none is lost. */
	CHECK_EQ(workload_in_flight(w), 32);
	CHECK(machine_mem(f.m)->hiwater <= 1024);
	drain(&f, w);
	/* Counted the same way by the workload and the machine. */
	CHECK_EQ(w->stats.map_failures, mc->full_events);
	CHECK_EQ(w->stats.requeues, w->stats.map_failures);
	CHECK(storage_stats(w)->failed_requests > 0);
	CHECK(storage_stats(w)->failed_requests <= w->stats.requeues);
	if (retry == STORAGE_RETRY_FIXED) {
		CHECK_EQ(w->stats.requeue_wait_ns, w->stats.requeues * 20000);
		CHECK_EQ(storage_stats(w)->queue_runs, 0);
	} else {
		CHECK(storage_stats(w)->queue_runs > 0);
		CHECK(w->stats.requeue_wait_ns > 0);
	}
	CHECK_EQ(w->stats.maps, mc->maps);
	CHECK_EQ(w->stats.unmaps, mc->unmaps);
	CHECK(!machine_error(f.m));
	workload_destroy(w);
	fixture_free(&f);
}

static void test_small_pool_requeues(void)
{
	small_pool(1.0, STORAGE_RETRY_FIXED);
	small_pool(0.0, STORAGE_RETRY_FIXED);
	small_pool(1.0, STORAGE_RETRY_BLK_MQ);
	small_pool(0.0, STORAGE_RETRY_BLK_MQ);
}

/* Reads bounce twice (in at map, back at unmap), writes once; the
 * completion interrupt and the unmaps run on completion_cpu. */
static void test_direction_and_completion_cpu(void)
{
	for (int reads = 0; reads <= 1; reads++) {
		struct fixture f;
		struct storage_config sc;
		struct workload *w;
		const struct stats *s;

		if (!storage_machine(&f, 2, 32768, 2, 1))
			return;
		quiet_storage_config(&sc);
		sc.cpus = "0";
		sc.completion_cpu = 1;
		sc.read_fraction = reads;
		sc.sizes = "4k-64k";
		sc.queue_depth = 4;
		sc.max_ios = 100;
		w = make(&f, &sc);
		if (!w) {
			fixture_free(&f);
			return;
		}
		machine_run(f.m);
		s = machine_stats(f.m);
		CHECK_EQ(w->stats.requests_completed, 100);
		CHECK_EQ(storage_stats(w)->reads, reads ? 100 : 0);
		CHECK_EQ(storage_stats(w)->writes, reads ? 0 : 100);
		CHECK_EQ(stats_counters(s)->bytes_copied,
			 (reads ? 2 : 1) * w->stats.bytes);
		CHECK_EQ(stats_cpu(s, 0)->ops, w->stats.maps);
		/* Completions that arrive while their interrupt waits share
		 * it. */
		CHECK_EQ(stats_cpu(s, 1)->ops,
			 w->stats.unmaps + stats_counters(s)->irqs);
		CHECK(stats_counters(s)->irqs <=
		      storage_stats(w)->block_requests);
		CHECK(stats_counters(s)->irqs > 0);
		workload_destroy(w);
		fixture_free(&f);
	}
}

/* Open loop at 200k I/Os per second over 2 CPUs for 100 ms: ~20000
 * arrivals (Poisson: sd ~141, we allow 3%); a depth of 1 per CPU against a
 * 100 us device makes a backlog; latency includes it. */
static void test_open_loop(void)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;

	if (!storage_machine(&f, 2, 32768, 2, 1))
		return;
	quiet_storage_config(&sc);
	sc.loop = STORAGE_OPEN_LOOP;
	sc.rate_iops = 200000;
	sc.queue_depth = 64;
	sc.sizes = "4k";
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run_until(f.m, SIM_MS(100));
	CHECK(fabs(w->stats.requests_issued / 20000.0 - 1) < 0.03);
	/* Little: ~200k/s x 100 us = 20 in flight on average, far below
	 * 2 x 64: no backlog, every latency is the device's 100 us. */
	CHECK_EQ(storage_stats(w)->backlog_max, 0);
	drain(&f, w);
	CHECK_EQ(w->stats.latency.min, LATENCY_NS);
	CHECK_EQ(w->stats.latency.max, LATENCY_NS);
	workload_destroy(w);

	fixture_free(&f);
	if (!storage_machine(&f, 1, 32768, 1, 1))
		return;
	sc.queue_depth = 1;
	sc.rate_iops = 20000;       /* 2 per device service time */
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run_until(f.m, SIM_MS(10));
	CHECK(storage_stats(w)->backlog_max > 10);
	CHECK(w->stats.latency.max > 10 * LATENCY_NS);
	CHECK(w->stats.requests_completed <= 100);
	drain(&f, w);
	workload_destroy(w);
	fixture_free(&f);
}

/* The whole JSON of a mixed workload run for 5 ms. */
static char *mixed_run(uint64_t seed)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;
	char *j;

	if (!storage_machine(&f, 4, 2048, 2, seed))
		return NULL;
	quiet_storage_config(&sc);
	sc.sizes = "4k:50,64k:30,512k:20";
	sc.read_fraction = 0.7;
	sc.huge_page_fraction = 0.3;
	sc.adjacent_page_probability = 0.5;
	sc.queue_depth = 4;
	w = make(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return NULL;
	}
	machine_run_until(f.m, SIM_MS(5));
	j = json_of(w);
	workload_destroy(w);
	fixture_free(&f);
	return j;
}

static void test_determinism(void)
{
	char *a = mixed_run(7), *b = mixed_run(7), *c = mixed_run(8);

	CHECK(a && b && c);
	if (a && b && c) {
		CHECK(!strcmp(a, b));
		CHECK(strcmp(a, c) != 0);
		CHECK(strstr(a, "\"requeues\": 0,") == NULL);  /* pool pressure */
	}
	free(a);
	free(b);
	free(c);
}

static void expect_error(struct fixture *f, const struct storage_config *c,
			 const char *message)
{
	char err[512] = "";
	struct workload *w = storage_new(f->m, "bad", c, err, sizeof(err));

	CHECK(w == NULL);
	workload_destroy(w);
	if (!strstr(err, message))
		fprintf(stderr, "expected \"%s\" in \"%s\"\n", message, err);
	CHECK(strstr(err, message) != NULL);
	CHECK(strstr(err, "storage bad: ") == err);
}

static void test_config_errors(void)
{
	struct fixture f;
	struct storage_config c;

	if (!storage_machine(&f, 2, 32768, 1, 1))
		return;
	storage_config_init(&c);
	c.queue_depth = 0;
	expect_error(&f, &c, "queue_depth must be at least 1");
	storage_config_init(&c);
	c.read_fraction = 1.5;
	expect_error(&f, &c, "read_fraction must be in [0, 1]");
	storage_config_init(&c);
	c.adjacent_page_probability = NAN;
	expect_error(&f, &c, "adjacent_page_probability");
	storage_config_init(&c);
	c.loop = STORAGE_OPEN_LOOP;
	c.rate_iops = 0;
	expect_error(&f, &c, "rate_iops must be a positive number");
	storage_config_init(&c);
	c.device = "sda";
	expect_error(&f, &c, "no device named \"sda\"");
	storage_config_init(&c);
	c.sizes = "4k:1,1000:1";
	expect_error(&f, &c, "multiple of 512");
	storage_config_init(&c);
	c.sizes = "4q";
	expect_error(&f, &c, "size distribution \"4q\"");
	storage_config_init(&c);
	c.cpus = "0-5";
	expect_error(&f, &c, "the machine has 2 CPUs");
	storage_config_init(&c);
	c.completion_cpu = 2;
	expect_error(&f, &c, "completion_cpu 2");
	storage_config_init(&c);
	c.max_transfer_bytes = 6000;
	expect_error(&f, &c, "max_transfer_bytes must be a multiple of 4096");
	storage_config_init(&c);
	c.phys_limit = 8192;
	c.sizes = "64k";
	expect_error(&f, &c, "phys_limit 8192 is too small");
	fixture_free(&f);
}

int main(void)
{
	RUN(test_closed_loop_steady_state);
	RUN(test_512k_contiguous);
	RUN(test_512k_scattered);
	RUN(test_512k_segment_limit);
	RUN(test_adjacent_pages_merge);
	RUN(test_small_pool_requeues);
	RUN(test_direction_and_completion_cpu);
	RUN(test_open_loop);
	RUN(test_determinism);
	RUN(test_config_errors);
	return tu_finish();
}
