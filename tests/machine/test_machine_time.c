/* tests/machine/test_machine_time.c - the machine's CPU-time mechanisms with
 * exact expectations: the slow-CPU factor on every cost, CPUs sharing fewer
 * host cores, completions sharing an interrupt, the wake-up of an idle CPU,
 * kernel timers on ticks, and the cost profiles. */
#include <stdlib.h>

#include "tests/machine_fixture.h"

static struct machine_device_config dev0;

static void with_device(struct machine_config *cfg, sim_time_t latency)
{
	quiet_device(&dev0, "d0");
	dev0.latency_ns = latency;
	cfg->devices = &dev0;
	cfg->ndevices = 1;
}

/* ---- the slow-CPU factor ---- */

/* Every time field of struct machine_costs, by offset: the structure
 * facts and the copy bandwidth are checked apart. */
static const size_t time_fields[] = {
	offsetof(struct machine_costs, map_call_ns),
	offsetof(struct machine_costs, unmap_call_ns),
	offsetof(struct machine_costs, sync_call_ns),
	offsetof(struct machine_costs, area_try_ns),
	offsetof(struct machine_costs, slot_examine_ns),
	offsetof(struct machine_costs, slot_write_ns),
	offsetof(struct machine_costs, pool_step_ns),
	offsetof(struct machine_costs, lock_ns),
	offsetof(struct machine_costs, lock_handoff_ns),
	offsetof(struct machine_costs, slot_line_transfer_ns),
	offsetof(struct machine_costs, irq_ns),
	offsetof(struct machine_costs, idle_wakeup_ns),
	offsetof(struct machine_costs, transient_create_ns),
	offsetof(struct machine_costs, transient_page_ns),
	offsetof(struct machine_costs, transient_free_ns),
	offsetof(struct machine_costs, grow_queue_ns),
	offsetof(struct machine_costs, grow_attempt_ns),
	offsetof(struct machine_costs, page_alloc_ns),
	offsetof(struct machine_costs, page_decrypt_ns),
};

static uint64_t field(const struct machine_costs *c, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)c + off, sizeof(v));
	return v;
}

/* machine_costs_scale multiplies every time cost and divides the copy
 * bandwidth; the layout facts stay. Every uint64_t of the struct that is
 * not a structure fact is in time_fields (a new cost must be scaled). */
static void test_scale_every_cost(void)
{
	struct machine_costs c, s;
	size_t nwords = sizeof(c) / sizeof(uint64_t);

	machine_costs_profile(&c, MACHINE_PROFILE_COCO_VM);
	c.transient_page_ns = 7;
	s = c;
	machine_costs_scale(&s, 3.0);
	for (size_t i = 0; i < sizeof(time_fields) / sizeof(time_fields[0]);
	     i++) {
		CHECK(field(&c, time_fields[i]) > 0);
		CHECK_EQ(field(&s, time_fields[i]),
			 3 * field(&c, time_fields[i]));
	}
	CHECK(s.copy_bytes_per_ns * 3.0 == c.copy_bytes_per_ns);
	CHECK_EQ(s.slot_meta_bytes, c.slot_meta_bytes);
	CHECK_EQ(s.cache_line_bytes, c.cache_line_bytes);
	/* time fields + the bandwidth + the two structure facts */
	CHECK_EQ(sizeof(time_fields) / sizeof(time_fields[0]) + 3, nwords);
	s = c;
	machine_costs_scale(&s, 1.0);
	CHECK(!memcmp(&s, &c, sizeof(c)));
}

struct timeline {
	sim_time_t map, sync, unmap, work, wait, io;
};

static void on_map_t(struct machine *m, void *ctx,
		     const struct machine_map_result *r)
{
	struct timeline *t = ctx;

	(void)m;
	t->map = r->finished - r->started;
}

static void on_sync_t(struct machine *m, void *ctx,
		      const struct machine_op_result *r)
{
	struct timeline *t = ctx;

	(void)m;
	t->sync = r->finished - r->started;
}

static void on_unmap_t(struct machine *m, void *ctx,
		       const struct machine_op_result *r)
{
	struct timeline *t = ctx;

	(void)m;
	t->unmap = r->finished - r->started;
}

static void on_work_t(struct machine *m, void *ctx,
		      const struct machine_op_result *r)
{
	sim_time_t *d = ctx;

	(void)m;
	*d = r->finished - r->started;
}

static void on_io_t(struct machine *m, void *ctx,
		    const struct machine_io_result *r)
{
	struct timeline *t = ctx;

	(void)m;
	t->io = r->handled - r->submitted;
}

/* A map, a sync, an unmap, CPU work, a busy wait and a device request
 * (latency 5000 ns, its interrupt on an idle CPU) with the built-in costs
 * and one area that two CPUs share (lock and line handoffs included),
 * slowed by `factor`. */
static struct timeline run_timeline(double factor)
{
	struct machine_config cfg;
	struct fixture f;
	struct timeline t = { 0 };
	struct map_log maps = { 0 };

	fixture_config(&cfg, 2, 16384, 1, false);
	machine_costs_init(&cfg.costs);
	/* copies of 8192 and 4096 bytes in whole ns at 8 and 4 bytes/ns */
	cfg.costs.copy_bytes_per_ns = 8.0;
	cfg.cpu_slowdown = factor;
	with_device(&cfg, 5000);
	if (!fixture_new(&f, &cfg))
		return t;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 8192, DMA_FROM_DEVICE, 0, on_map,
		    &maps);
	machine_run(f.m);
	machine_map(f.m, 1, d, 0x200000, 8192, DMA_FROM_DEVICE, 0, on_map_t,
		    &t);
	machine_run(f.m);
	if (maps.n == 1) {
		machine_sync(f.m, 1, maps.r[0].mapping, MACHINE_SYNC_FOR_CPU,
			     4096, on_sync_t, &t);
		machine_run(f.m);
		machine_unmap(f.m, 1, maps.r[0].mapping, false, on_unmap_t,
			      &t);
		machine_run(f.m);
	}
	machine_cpu_work(f.m, 0, 1000, on_work_t, &t.work);
	machine_run(f.m);
	machine_cpu_wait(f.m, 0, 1000, on_work_t, &t.wait);
	machine_run(f.m);
	machine_device_submit(f.m, d, 4096, 0, on_io_t, &t);
	machine_run(f.m);
	fixture_free(&f);
	return t;
}

/* cpu_slowdown multiplies every CPU cost (map with its lock handoff and
 * copy, sync, unmap, work, the interrupt and the idle wake-up), not the
 * device's time nor a busy wait. */
static void test_slowdown_timeline(void)
{
	struct timeline a = run_timeline(1.0), b = run_timeline(2.0);

	CHECK(a.map > 8192 / 8 && a.sync > 4096 / 8 && a.unmap > 8192 / 8);
	CHECK_EQ(b.map, 2 * a.map);
	CHECK_EQ(b.sync, 2 * a.sync);
	CHECK_EQ(b.unmap, 2 * a.unmap);
	CHECK_EQ(a.work, 1000);
	CHECK_EQ(b.work, 2000);
	CHECK_EQ(a.wait, 1000);
	CHECK_EQ(b.wait, 1000);
	CHECK_EQ(a.io, 5000 + COST_IRQ_NS + COST_IDLE_WAKEUP_NS);
	CHECK_EQ(b.io, 5000 + 2 * (COST_IRQ_NS + COST_IDLE_WAKEUP_NS));
}

/* ---- host cores ---- */

struct finish_log {
	size_t n;
	unsigned int cpu[16];
	sim_time_t at[16];
};

static void on_finish(struct machine *m, void *ctx,
		      const struct machine_op_result *r)
{
	struct finish_log *log = ctx;

	(void)m;
	if (log->n < 16) {
		log->cpu[log->n] = r->cpu;
		log->at[log->n++] = r->finished;
	}
}

/* 4 CPUs with 1000 ns of work each, CPU 0 with a second item, on
 * `cores` host cores; the finish times in order. */
static struct finish_log share(unsigned int cores)
{
	struct machine_config cfg;
	struct fixture f;
	struct finish_log log = { 0 };

	fixture_config(&cfg, 4, 1024, 1, false);
	cfg.host_cores = cores;
	if (!fixture_new(&f, &cfg))
		return log;
	machine_cpu_work(f.m, 0, 1000, on_finish, &log);
	machine_cpu_work(f.m, 0, 1000, on_finish, &log);
	for (unsigned int c = 1; c < 4; c++)
		machine_cpu_work(f.m, c, 1000, on_finish, &log);
	machine_run(f.m);
	CHECK_EQ(stats_counters(machine_stats(f.m))->busy_ns, 5000);
	fixture_free(&f);
	return log;
}

/* One core: the CPUs take turns an item at a time, CPU 0's second item
 * after the others (it gave its core to the CPU that waited longest). Two
 * cores: two at once. None (one each): all at once. */
static void test_host_cores(void)
{
	static const unsigned int one_cpu[] = { 0, 1, 2, 3, 0 };
	static const unsigned int two_cpu[] = { 0, 1, 2, 3, 0 };
	struct finish_log one = share(1), two = share(2), all = share(0);

	CHECK_EQ(one.n, 5);
	for (size_t i = 0; i < one.n && i < 5; i++) {
		CHECK_EQ(one.cpu[i], one_cpu[i]);
		CHECK_EQ(one.at[i], 1000 * (i + 1));
	}
	CHECK_EQ(two.n, 5);
	for (size_t i = 0; i < two.n && i < 5; i++) {
		CHECK_EQ(two.cpu[i], two_cpu[i]);
		CHECK_EQ(two.at[i], 1000 * (i / 2 + 1));
	}
	CHECK_EQ(all.n, 5);
	for (size_t i = 0; i < all.n && i < 5; i++)
		CHECK_EQ(all.at[i], all.cpu[i] == 0 && i == 4 ? 2000 : 1000);
	CHECK_EQ(share(4).at[4], 2000);
}

/* ---- interrupts ---- */

struct irq_log {
	size_t n;
	sim_time_t handled[8];
};

static void on_irq(struct machine *m, void *ctx,
		   const struct machine_io_result *r)
{
	struct irq_log *log = ctx;

	(void)m;
	if (log->n < 8)
		log->handled[log->n++] = r->handled;
}

/* Three completions while CPU 0 runs a long item share one interrupt
 * (100 ns) after it; one on the idle CPU pays the wake-up (1000 ns) too;
 * one more while that interrupt runs raises its own. */
static void test_irq_batch_and_wakeup(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct irq_log log = { 0 };

	fixture_config(&cfg, 1, 1024, 1, false);
	cfg.costs.irq_ns = 100;
	cfg.costs.idle_wakeup_ns = 1000;
	with_device(&cfg, 500);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_cpu_work(f.m, 0, 10000, NULL, NULL);
	for (int i = 0; i < 3; i++)
		machine_device_submit(f.m, d, 0, 0, on_irq, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 3);
	for (size_t i = 0; i < log.n; i++)
		CHECK_EQ(log.handled[i], 10000 + 100);
	CHECK_EQ(stats_counters(machine_stats(f.m))->irqs, 1);

	sim_time_t t0 = machine_now(f.m);
	machine_device_submit(f.m, d, 0, 0, on_irq, &log);
	machine_run_until(f.m, t0 + 600);
	machine_device_submit(f.m, d, 0, 0, on_irq, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 5);
	CHECK_EQ(log.handled[3], t0 + 500 + 1000 + 100);
	/* completed at t0 + 1100, while the first handler runs */
	CHECK_EQ(log.handled[4], t0 + 500 + 1000 + 100 + 100);
	CHECK_EQ(stats_counters(machine_stats(f.m))->irqs, 3);
	fixture_free(&f);
}

/* ---- timers ---- */

static void nothing(struct sim_engine *eng, void *subject, uint64_t arg)
{
	(void)eng;
	(void)subject;
	(void)arg;
}

/* HZ 250: 3 ms is one tick, so the timer fires at the next tick boundary
 * (0-4 ms away); HZ 1000: three ticks. Delay 0: now. */
static void test_timer_ticks(void)
{
	struct machine_config cfg;
	struct fixture f;

	fixture_config(&cfg, 1, 1024, 1, false);
	CHECK_EQ(cfg.hz, 250);
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_timer_at(f.m, 3000000), 4000000);
	sim_schedule_at(machine_engine(f.m), 5000000, nothing, NULL, 0);
	machine_run(f.m);
	CHECK_EQ(machine_timer_at(f.m, 3000000), 8000000);
	CHECK_EQ(machine_timer_at(f.m, 4000001), 12000000);
	CHECK_EQ(machine_timer_at(f.m, 0), 5000000);
	fixture_free(&f);

	cfg.hz = 1000;
	if (!fixture_new(&f, &cfg))
		return;
	sim_schedule_at(machine_engine(f.m), 500000, nothing, NULL, 0);
	machine_run(f.m);
	CHECK_EQ(machine_timer_at(f.m, 3000000), 3000000);
	fixture_free(&f);
}

/* ---- profiles ---- */

/* host is the defaults without page decryption; vm and coco-vm raise the
 * interrupt and the idle wake-up, coco-vm keeps the decryption. */
static void test_profiles(void)
{
	struct machine_costs def, host, vm, coco;

	machine_costs_init(&def);
	machine_costs_profile(&host, MACHINE_PROFILE_HOST);
	machine_costs_profile(&vm, MACHINE_PROFILE_VM);
	machine_costs_profile(&coco, MACHINE_PROFILE_COCO_VM);
	CHECK_EQ(host.page_decrypt_ns, 0);
	CHECK_EQ(host.irq_ns, def.irq_ns);
	CHECK_EQ(vm.irq_ns, COST_VM_IRQ_NS);
	CHECK_EQ(vm.idle_wakeup_ns, COST_VM_IDLE_WAKEUP_NS);
	CHECK_EQ(vm.page_decrypt_ns, 0);
	CHECK_EQ(coco.irq_ns, COST_COCO_IRQ_NS);
	CHECK_EQ(coco.idle_wakeup_ns, COST_COCO_IDLE_WAKEUP_NS);
	CHECK_EQ(coco.page_decrypt_ns, COST_PAGE_DECRYPT_NS);
	CHECK(host.irq_ns < vm.irq_ns && vm.irq_ns < coco.irq_ns);
	/* the rest is the host's */
	host.page_decrypt_ns = coco.page_decrypt_ns;
	host.irq_ns = coco.irq_ns;
	host.idle_wakeup_ns = coco.idle_wakeup_ns;
	CHECK(!memcmp(&host, &coco, sizeof(host)));
}

static void test_config_errors(void)
{
	struct machine_config cfg;
	struct sim_engine *eng = sim_engine_new();
	char err[256];

	fixture_config(&cfg, 1, 1024, 1, false);
	cfg.cpu_slowdown = 0;
	CHECK(!machine_new(&cfg, eng, err, sizeof(err)));
	CHECK(strstr(err, "cpu_slowdown") != NULL);
	cfg.cpu_slowdown = 1;
	cfg.hz = 0;
	CHECK(!machine_new(&cfg, eng, err, sizeof(err)));
	CHECK(strstr(err, "hz") != NULL);
	sim_engine_free(eng);
}

int main(void)
{
	RUN(test_scale_every_cost);
	RUN(test_slowdown_timeline);
	RUN(test_host_cores);
	RUN(test_irq_batch_and_wakeup);
	RUN(test_timer_ticks);
	RUN(test_profiles);
	RUN(test_config_errors);
	return tu_finish();
}
