/* tests/workloads/test_storage_time.c - the storage generator's time with
 * exact expectations: the per-request CPU costs (a CPU saturates, at
 * iodepth 1 and at depth), the slow-CPU factor on them, and blk-mq's
 * resource retry on concrete timelines (the direct issue and its
 * synchronous run, the 3 ms delayed run on ticks, new requests past the
 * dispatch list, the restart on completion, the rerun when SCHED_RESTART
 * was cleared meanwhile). */
#include <stdlib.h>
#include <string.h>

#include "tests/machine_fixture.h"
#include "workloads/storage.h"

static struct machine_device_config dev;

/* ncpus CPUs, nslabs in one area, quiet costs but for `c`, a quiet device
 * of `latency`; slowdown and hz as given. */
static bool timed_machine(struct fixture *f, unsigned int ncpus,
			  uint64_t nslabs, sim_time_t latency,
			  const struct machine_costs *c, double slowdown,
			  unsigned int hz)
{
	struct machine_config cfg;

	fixture_config(&cfg, ncpus, nslabs, 1, false);
	if (c)
		cfg.costs = *c;
	cfg.cpu_slowdown = slowdown;
	cfg.hz = hz;
	quiet_device(&dev, "d0");
	dev.latency_ns = latency;
	cfg.devices = &dev;
	cfg.ndevices = 1;
	return fixture_new(f, &cfg);
}

static struct workload *start(struct fixture *f, const struct storage_config *c)
{
	char err[512] = "";
	struct workload *w = storage_new(f->m, "st0", c, err, sizeof(err));

	if (!w)
		fprintf(stderr, "storage_new: %s\n", err);
	CHECK(w != NULL);
	if (w)
		CHECK(workload_start(w, err, sizeof(err)) == 0);
	return w;
}

/* ---- CPU costs per request ---- */

/* map and unmap calls of 100 ns, an interrupt of 1000 ns, a wake-up of
 * 3000 ns; nothing else. */
static struct machine_costs io_costs(void)
{
	struct machine_costs c;

	memset(&c, 0, sizeof(c));
	c.slot_meta_bytes = SLOT_META_BYTES;
	c.cache_line_bytes = CACHE_LINE_BYTES;
	c.map_call_ns = 100;
	c.unmap_call_ns = 100;
	c.irq_ns = 1000;
	c.idle_wakeup_ns = 3000;
	return c;
}

/* 4 KiB reads at iodepth 1 on one CPU: each I/O is submit (1200) + map
 * (100), the device (10 us), the interrupt on the idle CPU (1000 + 3000),
 * unmap (100) + complete (800): 16200 ns at native speed; with the CPU 2x
 * slower every CPU part doubles and the device stays. */
static void qd1_run(double slowdown, sim_time_t per_io)
{
	struct machine_costs c = io_costs();
	struct fixture f;
	struct storage_config sc;
	struct workload *w;

	if (!timed_machine(&f, 1, 1024, 10000, &c, slowdown, 250))
		return;
	storage_config_init(&sc);
	sc.queue_depth = 1;
	sc.sizes = "4k";
	sc.max_ios = 10;
	CHECK_EQ(sc.submit_cost_ns, COST_STORAGE_SUBMIT_NS);
	CHECK_EQ(sc.complete_cost_ns, COST_STORAGE_COMPLETE_NS);
	sc.submit_cost_ns = 1200;
	sc.complete_cost_ns = 800;
	w = start(&f, &sc);
	if (w) {
		machine_run(f.m);
		CHECK_EQ(w->stats.requests_completed, 10);
		CHECK_EQ(machine_now(f.m), 10 * per_io);
		CHECK_EQ(stats_counters(machine_stats(f.m))->irqs, 10);
		workload_destroy(w);
	}
	fixture_free(&f);
}

static void test_saturation_qd1(void)
{
	qd1_run(1.0, 1200 + 100 + 10000 + 1000 + 3000 + 100 + 800);
	qd1_run(2.0, 2 * (1200 + 100 + 1000 + 3000 + 100 + 800) + 10000);
}

/* Depth 32 against a 10 us device: the CPU is the bottleneck. It is busy
 * all the time and completes an I/O per submit + map + unmap + complete
 * (2200 ns) plus its share of an interrupt (completions that wait share
 * one: at most 1000 ns each); a 3x slower CPU takes 3x as long per I/O
 * (its share of interrupts depends on how completions line up against
 * the device's unscaled 10 us). */
static double depth_iops(double slowdown, double *busy)
{
	struct machine_costs c = io_costs();
	struct fixture f;
	struct storage_config sc;
	struct workload *w;
	double iops = 0;

	if (!timed_machine(&f, 1, 4096, 10000, &c, slowdown, 250))
		return 0;
	storage_config_init(&sc);
	sc.queue_depth = 32;
	sc.sizes = "4k";
	sc.submit_cost_ns = 1200;
	sc.complete_cost_ns = 800;
	w = start(&f, &sc);
	if (w) {
		uint64_t done0, busy0;

		machine_run_until(f.m, SIM_MS(10));
		done0 = w->stats.requests_completed;
		busy0 = stats_counters(machine_stats(f.m))->busy_ns;
		machine_run_until(f.m, SIM_MS(110));
		iops = (double)(w->stats.requests_completed - done0) / 0.1;
		*busy = (double)(stats_counters(machine_stats(f.m))->busy_ns -
				 busy0) / 1e8;
		workload_stop(w);
		workload_destroy(w);
	}
	fixture_free(&f);
	return iops;
}

static void test_saturation_depth(void)
{
	double busy1 = 0, busy3 = 0;
	double iops1 = depth_iops(1.0, &busy1), iops3 = depth_iops(3.0, &busy3);

	CHECK(busy1 > 0.999 && busy3 > 0.999);
	CHECK(iops1 <= 1e9 / 2200.0);
	CHECK(iops1 > 0.99e9 / 3200.0);
	CHECK(iops3 <= 1e9 / (3 * 2200.0));
	CHECK(iops3 > 0.99e9 / (3 * 3200.0));
}

/* ---- blk-mq's resource retry ---- */

/* One CPU, a pool of two 128 KiB I/Os (64 slots each, one segment from a
 * huge page), depth 3 and at most max_ios I/Os: the third fails. */
static struct workload *retry_case(struct fixture *f, uint32_t max_ios,
				   bool restart, sim_time_t latency,
				   unsigned int hz)
{
	struct storage_config sc;

	if (!timed_machine(f, 1, 128, latency, NULL, 1.0, hz))
		return NULL;
	storage_config_init(&sc);
	sc.queue_depth = 3;
	sc.sizes = "128k";
	sc.huge_page_fraction = 1.0;
	sc.max_ios = max_ios;
	sc.submit_cost_ns = 0;
	sc.complete_cost_ns = 0;
	sc.restart_on_completion = restart;
	return start(f, &sc);
}

/* NVMe (no restart on completion), HZ 250, device 1.5 ms, 7 I/Os. t=0:
 * rq1, rq2 mapped; rq3 fails its direct issue and the synchronous run
 * (2 failures), the delayed run is armed for 3 ms = the next tick, 4 ms.
 * t=1.5 and 3.0 ms: completions, and the new I/Os 4-7 go straight to the
 * driver past rq3. t=4 ms: the run fails (rq6, rq7 hold the pool) and
 * arms the next tick, 8 ms; t=8 ms: rq3 is mapped, done at 9.5 ms. */
static void test_retry_delayed_run(void)
{
	struct fixture f;
	struct workload *w = retry_case(&f, 7, false, 1500000, 250);
	const struct storage_stats *s;

	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	s = storage_stats(w);
	CHECK_EQ(w->stats.requests_completed, 7);
	CHECK_EQ(machine_now(f.m), SIM_US(9500));
	CHECK_EQ(w->stats.map_failures, 3);
	CHECK_EQ(stats_counters(machine_stats(f.m))->full_events, 3);
	CHECK_EQ(s->failed_requests, 1);
	CHECK_EQ(w->stats.requeues, 3);
	CHECK_EQ(s->runs_after_failure, 1);
	CHECK_EQ(s->runs_by_timer, 2);
	CHECK_EQ(s->runs_by_restart, 0);
	CHECK_EQ(s->queue_runs, 3);
	/* failed at 0, tried at 0; failed at 0, tried at 4 ms; then 8 ms */
	CHECK_EQ(w->stats.requeue_wait_ns, SIM_MS(8));
	workload_destroy(w);
	fixture_free(&f);
}

/* A driver that ends requests one by one: rq1's end at 1.5 ms clears
 * SCHED_RESTART and runs the queue at once (the 4 ms run is replaced):
 * rq3 is mapped at 1.5 ms and done at 3 ms. */
static void test_retry_restart_on_completion(void)
{
	struct fixture f;
	struct workload *w = retry_case(&f, 3, true, 1500000, 250);
	const struct storage_stats *s;

	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	s = storage_stats(w);
	CHECK_EQ(w->stats.requests_completed, 3);
	CHECK_EQ(machine_now(f.m), SIM_US(3000));
	CHECK_EQ(w->stats.map_failures, 2);
	CHECK_EQ(s->runs_after_failure, 1);
	CHECK_EQ(s->runs_by_restart, 1);
	CHECK_EQ(s->runs_by_timer, 0);
	workload_destroy(w);
	fixture_free(&f);
}

/* SCHED_RESTART cleared while a run tries rq3: completions on CPU 1, maps
 * of 100 us on CPU 0, device 250 us, HZ 1000. rq1 mapped 0-100 us (done
 * at 350), rq2 100-200 (done at 450); rq3 fails at 200-300 and in the
 * synchronous run at 300-400. rq1's end at 350 clears SCHED_RESTART, but
 * the list is empty (the run holds rq3): no run. At 400 the failed run
 * sees the flag clear and reruns at once: rq3 mapped 400-500, done at
 * 750. The 3 ms run was never armed. */
static void test_retry_restart_cleared_meanwhile(void)
{
	struct machine_costs c;
	struct fixture f;
	struct storage_config sc;
	struct workload *w;
	const struct storage_stats *s;

	quiet_costs(&c);
	c.map_call_ns = 100000;
	if (!timed_machine(&f, 2, 128, 250000, &c, 1.0, 1000))
		return;
	storage_config_init(&sc);
	sc.cpus = "0";
	sc.completion_cpu = 1;
	sc.queue_depth = 3;
	sc.sizes = "128k";
	sc.huge_page_fraction = 1.0;
	sc.max_ios = 3;
	sc.submit_cost_ns = 0;
	sc.complete_cost_ns = 0;
	sc.restart_on_completion = true;
	w = start(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	s = storage_stats(w);
	CHECK_EQ(w->stats.requests_completed, 3);
	CHECK_EQ(machine_now(f.m), SIM_US(750));
	CHECK_EQ(w->stats.map_failures, 2);
	CHECK_EQ(s->runs_after_failure, 1);
	CHECK_EQ(s->runs_by_restart, 1);
	CHECK_EQ(s->runs_by_timer, 0);
	CHECK_EQ(s->queue_runs, 2);
	workload_destroy(w);
	fixture_free(&f);
}

/* The fixed delay, kept as an option: the failed request blocks its CPU's
 * submissions and is tried every 20 us until rq1 ends at 1.5 ms. */
static void test_retry_fixed(void)
{
	struct fixture f;
	struct storage_config sc;
	struct workload *w;

	if (!timed_machine(&f, 1, 128, 1500000, NULL, 1.0, 250))
		return;
	storage_config_init(&sc);
	sc.queue_depth = 3;
	sc.sizes = "128k";
	sc.huge_page_fraction = 1.0;
	sc.max_ios = 3;
	sc.submit_cost_ns = 0;
	sc.complete_cost_ns = 0;
	sc.retry = STORAGE_RETRY_FIXED;
	w = start(&f, &sc);
	if (!w) {
		fixture_free(&f);
		return;
	}
	machine_run(f.m);
	CHECK_EQ(w->stats.requests_completed, 3);
	/* tries at 0, 20 us, ..., 1480 us fail; 1500 us succeeds */
	CHECK_EQ(w->stats.map_failures, 75);
	CHECK_EQ(machine_now(f.m), SIM_US(3000));
	CHECK_EQ(storage_stats(w)->queue_runs, 0);
	CHECK_EQ(storage_stats(w)->failed_requests, 1);
	workload_destroy(w);
	fixture_free(&f);
}

int main(void)
{
	RUN(test_saturation_qd1);
	RUN(test_saturation_depth);
	RUN(test_retry_delayed_run);
	RUN(test_retry_restart_on_completion);
	RUN(test_retry_restart_cleared_meanwhile);
	RUN(test_retry_fixed);
	return tu_finish();
}
