/* tests/machine/test_machine.c - the machine's timing, with exact expectations:
 * lock contention between CPUs, a CPU's work serializing, the costs of map,
 * unmap and sync, device queues and their interrupts, Little's law. */
#include <stdlib.h>

#include "tests/machine_fixture.h"

/* 4096-byte maps, map_call 100 ns, locks 10 ns, handoffs 40 ns a line. */
static void lock_config(struct machine_config *cfg, unsigned int ncpus)
{
	fixture_config(cfg, ncpus, 1024, 1, false);
	cfg->costs.map_call_ns = 100;
	cfg->costs.lock_ns = 10;
	cfg->costs.lock_handoff_ns = 40;
	cfg->costs.slot_line_transfer_ns = 40;
}

static struct machine_device_config dev0;

static void with_device(struct machine_config *cfg)
{
	quiet_device(&dev0, "d0");
	cfg->devices = &dev0;
	cfg->ndevices = 1;
}

/* Two CPUs map into the one area at the same instant: the second spins for
 * exactly the first one's hold, then pays the handoff. */
static void test_two_cpus_one_area(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	const struct stats_area *a;

	lock_config(&cfg, 2);
	with_device(&cfg);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_find(f.m, "d0");
	CHECK(machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &log) == 0);
	CHECK(machine_map(f.m, 1, d, 0x200000, 4096, DMA_TO_DEVICE, 0, on_map, &log) == 0);
	machine_run(f.m);
	CHECK_EQ(log.n, 2);
	CHECK_EQ(log.r[0].cpu, 0);
	CHECK_EQ(log.r[0].status, MACHINE_MAP_OK);
	CHECK_EQ(log.r[0].lock_wait_ns, 0);
	CHECK_EQ(log.r[0].finished, 110);          /* 100 call + 10 lock */
	CHECK_EQ(log.r[1].cpu, 1);
	CHECK_EQ(log.r[1].status, MACHINE_MAP_OK);
	CHECK_EQ(log.r[1].lock_wait_ns, 10);       /* CPU 0's hold */
	a = stats_area(machine_stats(f.m), 0);
	CHECK(a != NULL);
	if (a) {
		CHECK_EQ(a->pool_id, 0);
		CHECK_EQ(a->acquisitions, 2);
		CHECK_EQ(a->handoffs, 1);
		CHECK_EQ(a->lock_wait_ns, 10);
		/* CPU 1's hold: lock + handoff + at least one slot line */
		CHECK(a->hold_ns >= 10 + 10 + 40 + 40);
		CHECK_EQ(log.r[1].finished, 110 + (a->hold_ns - 10));
	}
	CHECK_EQ(stats_counters(machine_stats(f.m))->lock_wait_ns, 10);
	CHECK_EQ(stats_cpu(machine_stats(f.m), 1)->lock_wait_ns, 10);
	/* The spin is busy time: CPU 1 ran from 0 to its finish. */
	CHECK_EQ(stats_cpu(machine_stats(f.m), 1)->busy_ns, log.r[1].finished);
	fixture_free(&f);
}

/* Hold time of one uncontended 4 KiB map with search costs on. */
static uint64_t lone_hold(const struct machine_config *cfg)
{
	struct fixture f;
	uint64_t hold = 0;

	if (!fixture_new(&f, cfg))
		return 0;
	machine_map(f.m, 0, machine_device_at(f.m, 0), 0x100000, 4096,
		    DMA_TO_DEVICE, 0, NULL, NULL);
	machine_run(f.m);
	hold = stats_area(machine_stats(f.m), 0)->hold_ns;
	fixture_free(&f);
	return hold;
}

/* The same with the search's own costs: the wait is the first hold, which
 * now includes the area try, the slots examined and the slots written. */
static void test_wait_is_first_hold(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	uint64_t hold;

	lock_config(&cfg, 2);
	with_device(&cfg);
	cfg.costs.area_try_ns = 5;
	cfg.costs.slot_examine_ns = 2;
	cfg.costs.slot_write_ns = 3;
	hold = lone_hold(&cfg);
	CHECK(hold >= 10 + 5 + 2 * 3);   /* lock, try, 2 slots written */
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_map(f.m, 1, d, 0x200000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 2);
	CHECK_EQ(log.r[0].finished, 100 + hold);
	CHECK_EQ(log.r[1].lock_wait_ns, hold);
	fixture_free(&f);
}

/* Different areas do not contend; the same CPU never pays a handoff. */
static void test_areas_and_handoffs(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	const struct stats *s;

	lock_config(&cfg, 2);
	cfg.boot.param.nareas = 2;
	with_device(&cfg);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_map(f.m, 1, d, 0x200000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_map(f.m, 0, d, 0x300000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 3);
	CHECK_EQ(log.r[0].finished, 110);
	CHECK_EQ(log.r[1].finished, 110);          /* its own area */
	CHECK_EQ(log.r[2].finished, 220);          /* CPU 0 again, no handoff */
	s = machine_stats(f.m);
	CHECK_EQ(stats_nareas(s), 2);
	CHECK_EQ(stats_counters(s)->lock_wait_ns, 0);
	CHECK_EQ(stats_counters(s)->lock_handoffs, 0);
	CHECK_EQ(stats_counters(s)->lock_acquisitions, 3);
	fixture_free(&f);
}

/* Runs, on a one-area pool fragmented by CPU 0 (eight maps of 127 slots,
 * one free slot left per segment), a 4 KiB map that fails on CPU 1 and then
 * one on CPU 0; returns the two holds. */
static void failing_scans(enum machine_line_model model, uint64_t holds[2])
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };

	lock_config(&cfg, 2);
	cfg.costs.map_call_ns = 0;
	cfg.slot_line_model = model;
	with_device(&cfg);
	holds[0] = holds[1] = 0;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	for (int i = 0; i < 8; i++)
		machine_map(f.m, 0, d, 0x100000 * (i + 1), 127 * 2048,
			    DMA_TO_DEVICE, 0, NULL, NULL);
	machine_run(f.m);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).used, 1016);
	machine_map(f.m, 1, d, 0x1000000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	machine_map(f.m, 0, d, 0x2000000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 2);
	for (size_t i = 0; i < 2 && i < log.n; i++) {
		CHECK_EQ(log.r[i].status, MACHINE_MAP_FULL);
		CHECK_EQ(log.r[i].lock_wait_ns, 0);
		holds[i] = log.r[i].finished - log.r[i].started;
	}
	fixture_free(&f);
}

/* TOUCHED: each scan by another CPU pays for every line it reads. DIRTY:
 * CPU 1 fetches only the 48 lines CPU 0's last map wrote (127 slots of 24
 * bytes); CPU 0, coming back, fetches none: nobody wrote since. */
static void test_slot_line_models(void)
{
	uint64_t touched[2], dirty[2];

	failing_scans(MACHINE_LINES_TOUCHED, touched);
	failing_scans(MACHINE_LINES_DIRTY, dirty);
	CHECK_EQ(dirty[0], 10 + 40 + 48 * 40);
	CHECK_EQ(dirty[1], 10 + 40);
	CHECK_EQ(touched[0], touched[1]);
	CHECK(touched[0] > dirty[0]);
	CHECK_EQ((touched[0] - 50) % 40, 0);
}

/* One CPU's maps run one after the other; each is call + lock + copy, and
 * a FROM_DEVICE map copies in too. */
static void test_cpu_serializes(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	const struct stats *s;

	lock_config(&cfg, 2);
	cfg.costs.copy_bytes_per_ns = 1.0;
	with_device(&cfg);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_map(f.m, 0, d, 0x200000, 4096, DMA_FROM_DEVICE, 0, on_map, &log);
	machine_map(f.m, 0, d, 0x300000, 4096, DMA_BIDIRECTIONAL, 0, on_map, &log);
	CHECK_EQ(machine_cpu_queue_len(f.m, 0), 3);
	machine_run(f.m);
	CHECK_EQ(log.n, 3);
	for (size_t i = 0; i < 3 && i < log.n; i++) {
		CHECK_EQ(log.r[i].issued, 0);
		CHECK_EQ(log.r[i].started, 4206 * i);
		CHECK_EQ(log.r[i].finished, 4206 * (i + 1));
	}
	s = machine_stats(f.m);
	CHECK_EQ(stats_cpu(s, 0)->busy_ns, 3 * 4206);
	CHECK_EQ(stats_cpu(s, 0)->copy_ns, 3 * 4096);
	CHECK_EQ(stats_cpu(s, 1)->busy_ns, 0);
	CHECK_EQ(stats_counters(s)->bytes_copied, 3 * 4096);
	CHECK_EQ(stats_map_latency(s)->n, 3);
	CHECK_EQ(stats_map_latency(s)->sum, 4206 + 8412 + 12618);
	CHECK_EQ(machine_live_mappings(f.m), 3);
	fixture_free(&f);
}

/* Unmap: call + one pool step + the copy back (FROM_DEVICE and
 * BIDIRECTIONAL, unless skipped) + the release's lock. Sync: call + step +
 * the copy its direction calls for. */
static void test_unmap_and_sync_costs(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log maps = { 0 };
	struct done_log done = { 0 };
	sim_time_t t0;

	lock_config(&cfg, 1);
	cfg.costs.copy_bytes_per_ns = 1.0;
	cfg.costs.unmap_call_ns = 100;
	cfg.costs.sync_call_ns = 50;
	cfg.costs.pool_step_ns = 5;
	with_device(&cfg);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL, DMA_FROM_DEVICE,
	};
	for (int i = 0; i < 4; i++)
		machine_map(f.m, 0, d, 0x100000 * (i + 1), 4096, dirs[i], 0,
			    on_map, &maps);
	machine_run(f.m);
	CHECK_EQ(maps.n, 4);
	if (maps.n != 4) {
		fixture_free(&f);
		return;
	}
	t0 = machine_now(f.m);
	machine_sync(f.m, 0, maps.r[1].mapping, MACHINE_SYNC_FOR_CPU, 1000, on_done, &done);
	machine_sync(f.m, 0, maps.r[1].mapping, MACHINE_SYNC_FOR_DEVICE, 1000, on_done, &done);
	machine_sync(f.m, 0, maps.r[0].mapping, MACHINE_SYNC_FOR_DEVICE, 1000, on_done, &done);
	machine_unmap(f.m, 0, maps.r[0].mapping, false, on_done, &done);
	machine_unmap(f.m, 0, maps.r[1].mapping, false, on_done, &done);
	machine_unmap(f.m, 0, maps.r[2].mapping, false, on_done, &done);
	machine_unmap(f.m, 0, maps.r[3].mapping, true, on_done, &done);
	machine_run(f.m);
	CHECK_EQ(done.n, 7);
	sim_time_t expect[] = {
		55 + 1000,      /* for CPU, FROM_DEVICE: copies */
		55,             /* for device, FROM_DEVICE: nothing */
		55 + 1000,      /* for device, TO_DEVICE: copies */
		115,            /* unmap TO_DEVICE: no copy back */
		115 + 4096,     /* FROM_DEVICE */
		115 + 4096,     /* BIDIRECTIONAL */
		115,            /* FROM_DEVICE, skip_cpu_sync */
	};
	sim_time_t t = t0;
	for (size_t i = 0; i < 7 && i < done.n; i++) {
		t += expect[i];
		CHECK_EQ(done.r[i].finished, t);
	}
	CHECK_EQ(machine_live_mappings(f.m), 0);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).used, 0);
	CHECK_EQ(stats_counters(machine_stats(f.m))->unmaps, 4);
	CHECK_EQ(stats_counters(machine_stats(f.m))->syncs, 3);
	fixture_free(&f);
}

/* The slots come free when the copy back is over, not when unmap starts. */
static void test_release_after_copy(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log maps = { 0 };

	lock_config(&cfg, 1);
	cfg.costs.copy_bytes_per_ns = 1.0;
	cfg.costs.unmap_call_ns = 100;
	with_device(&cfg);
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_FROM_DEVICE, 0, on_map, &maps);
	machine_run(f.m);
	CHECK_EQ(maps.n, 1);
	sim_time_t t0 = machine_now(f.m);
	machine_unmap(f.m, 0, maps.r[0].mapping, false, NULL, NULL);
	machine_run_until(f.m, t0 + 100 + 4095);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).used, 2);
	machine_run_until(f.m, t0 + 100 + 4096);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).used, 0);
	machine_run(f.m);
	fixture_free(&f);
}

/* A device at depth 2: requests served two at a time; their transfers
 * (1000 bytes at 2 bytes/ns: 500 ns) take the link one after another, each
 * followed by its 500 ns of latency; interrupts queue on the completion
 * CPU. */
static void test_device_queue(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct io_log log = { 0 };

	fixture_config(&cfg, 1, 1024, 1, false);
	cfg.costs.irq_ns = 100;
	quiet_device(&dev0, "nvme0");
	dev0.queue_depth = 2;
	dev0.latency_ns = 500;
	dev0.bytes_per_ns = 2.0;
	cfg.devices = &dev0;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_find(f.m, "nvme0");
	for (int i = 0; i < 5; i++)
		CHECK(machine_device_submit(f.m, d, 1000, 0, on_io, &log) == 0);
	CHECK_EQ(machine_device_in_flight(d), 2);
	CHECK_EQ(machine_device_waiting(d), 3);
	machine_run(f.m);
	static const sim_time_t started[] = { 0, 0, 1000, 1500, 2000 };
	static const sim_time_t completed[] = { 1000, 1500, 2000, 2500, 3000 };
	static const sim_time_t handled[] = { 1100, 1600, 2100, 2600, 3100 };
	CHECK_EQ(log.n, 5);
	for (size_t i = 0; i < 5 && i < log.n; i++) {
		CHECK_EQ(log.r[i].submitted, 0);
		CHECK_EQ(log.r[i].started, started[i]);
		CHECK_EQ(log.r[i].completed, completed[i]);
		CHECK_EQ(log.r[i].handled, handled[i]);
		CHECK_EQ(log.r[i].cpu, 0);
	}
	CHECK_EQ(stats_counters(machine_stats(f.m))->irqs, 5);
	CHECK(machine_idle(f.m));
	fixture_free(&f);
}

/* A device's bandwidth is its own, shared by every request in service: a
 * 1 GB/s device 12 requests deep moves 64 KiB reads at 1 GB/s in all (not
 * 12 GB/s, a request each), and a lone request still takes latency plus
 * its transfer. */
static void test_device_shared_link(void)
{
	enum { N = 240, BYTES = 65536, DEPTH = 12 };
	struct machine_config cfg;
	struct fixture f;
	static struct io_log log;
	sim_time_t last = 0;
	double rate;

	memset(&log, 0, sizeof(log));
	fixture_config(&cfg, 1, 1024, 1, false);
	cfg.costs.irq_ns = 0;
	quiet_device(&dev0, "nvme0");
	dev0.queue_depth = DEPTH;
	dev0.latency_ns = 10000;
	dev0.bytes_per_ns = 1.0;
	cfg.devices = &dev0;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_find(f.m, "nvme0");
	for (int i = 0; i < N; i++)
		CHECK(machine_device_submit(f.m, d, BYTES, 0, on_io, &log) == 0);
	machine_run(f.m);
	CHECK_EQ(log.n, N);
	for (size_t i = 0; i < log.n; i++)
		if (log.r[i].completed > last)
			last = log.r[i].completed;
	rate = (double)N * BYTES / (double)last;
	CHECK(rate > 0.99 && rate <= 1.0);
	CHECK_EQ(log.r[0].completed, 10000 + BYTES);
	/* The second waits for the first's transfer only. */
	CHECK_EQ(log.r[1].completed, 10000 + 2 * BYTES);
	fixture_free(&f);
}

struct irq_case {
	struct done_log order;
	struct machine_mapping *mapping;
};

static void irq_unmapped(struct machine *m, void *ctx,
			 const struct machine_op_result *r)
{
	on_done(m, ctx, r);
}

static void irq_handler(struct machine *m, void *ctx,
			const struct machine_io_result *r)
{
	struct irq_case *c = ctx;

	(void)r;
	machine_unmap(m, 0, c->mapping, true, irq_unmapped, &c->order);
}

static void test_interrupt_priority(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log maps = { 0 };
	struct irq_case c = { 0 };

	lock_config(&cfg, 1);
	cfg.costs.irq_ns = 100;
	cfg.costs.unmap_call_ns = 100;
	with_device(&cfg);
	dev0.latency_ns = 1000;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &maps);
	machine_run(f.m);
	CHECK_EQ(maps.n, 1);
	c.mapping = maps.r[0].mapping;
	sim_time_t t0 = machine_now(f.m);
	/* CPU 0: a long item, then an ordinary one queued behind it. */
	machine_cpu_work(f.m, 0, 10000, on_done, &c.order);
	machine_cpu_work(f.m, 0, 10, on_done, &c.order);
	machine_device_submit(f.m, d, 0, 0, irq_handler, &c);
	machine_run(f.m);
	/* long work, the interrupt's unmap (before the queued work), then the
	 * ordinary item. */
	CHECK_EQ(c.order.n, 3);
	CHECK_EQ(c.order.r[0].finished, t0 + 10000);
	CHECK_EQ(c.order.r[1].finished, t0 + 10000 + 100 + 110);
	CHECK_EQ(c.order.r[1].issued, t0 + 10000 + 100);
	CHECK_EQ(c.order.r[2].finished, t0 + 10000 + 100 + 110 + 10);
	fixture_free(&f);
}

/* ---- Little's law: q loops of map -> device -> interrupt -> unmap ---- */

struct little {
	struct machine *m;
	struct machine_device *dev;
	sim_time_t t0, t1;         /* measurement window */
	uint64_t in_flight, completed, latency_sum;
	double area;               /* integral of in_flight over the window */
	sim_time_t last;
};

struct loop {
	struct little *L;
	unsigned int cpu;
	uint64_t orig;
	sim_time_t issued;
	struct machine_mapping *mapping;
};

static void little_change(struct little *L, int delta)
{
	sim_time_t now = machine_now(L->m);
	sim_time_t from = L->last > L->t0 ? L->last : L->t0;
	sim_time_t to = now < L->t1 ? now : L->t1;

	if (to > from)
		L->area += (double)L->in_flight * (double)(to - from);
	L->last = now;
	L->in_flight += delta;
}

static void loop_start(struct loop *lp);

static void loop_unmapped(struct machine *m, void *ctx,
			  const struct machine_op_result *r)
{
	struct loop *lp = ctx;
	struct little *L = lp->L;

	(void)m;
	little_change(L, -1);
	if (r->finished > L->t0 && r->finished <= L->t1) {
		L->completed++;
		L->latency_sum += r->finished - lp->issued;
	}
	loop_start(lp);
}

static void loop_io(struct machine *m, void *ctx,
		    const struct machine_io_result *r)
{
	struct loop *lp = ctx;

	machine_unmap(m, r->cpu, lp->mapping, false, loop_unmapped, lp);
}

static void loop_mapped(struct machine *m, void *ctx,
			const struct machine_map_result *r)
{
	struct loop *lp = ctx;

	CHECK_EQ(r->status, MACHINE_MAP_OK);
	lp->mapping = r->mapping;
	machine_device_submit(m, lp->L->dev, r->size, lp->cpu, loop_io, lp);
}

static void loop_start(struct loop *lp)
{
	struct little *L = lp->L;

	little_change(L, +1);
	lp->issued = machine_now(L->m);
	machine_map(L->m, lp->cpu, L->dev, lp->orig, 4096, DMA_FROM_DEVICE, 0,
		    loop_mapped, lp);
}

/* A closed loop at depth q with a fixed size and service time: mean in
 * flight is q, and throughput is q over the mean latency, within 1%. */
static void test_littles_law(void)
{
	enum { Q = 8 };
	struct machine_config cfg;
	struct fixture f;
	struct little L = { 0 };
	struct loop loops[Q];
	double mean_in_flight, throughput, latency;

	machine_config_init(&cfg, 2);
	cfg.sample_interval_ns = 0;
	machine_device_config_init(&dev0, "nvme0");
	dev0.latency_ns = 20000;
	cfg.devices = &dev0;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	L.m = f.m;
	L.dev = machine_device_at(f.m, 0);
	L.t0 = SIM_MS(1);
	L.t1 = SIM_MS(51);
	for (unsigned int i = 0; i < Q; i++) {
		loops[i] = (struct loop){ .L = &L, .cpu = i % 2,
					  .orig = 0x10000000ULL + i * 0x10000 };
		loop_start(&loops[i]);
	}
	machine_run_until(f.m, L.t1);
	little_change(&L, 0);
	mean_in_flight = L.area / (double)(L.t1 - L.t0);
	throughput = (double)L.completed / (double)(L.t1 - L.t0);
	latency = L.completed ? (double)L.latency_sum / (double)L.completed : 0;
	CHECK(L.completed > 1000);
	CHECK(mean_in_flight > Q * 0.99 && mean_in_flight < Q * 1.01);
	CHECK(throughput * latency > Q * 0.99 && throughput * latency < Q * 1.01);
	if (getenv("SWSIM_TEST_VERBOSE") ||
	    !(throughput * latency > Q * 0.99 && throughput * latency < Q * 1.01))
		fprintf(stderr, "little: L %.4f X %.6g/ns W %.1f ns XW %.4f\n",
			mean_in_flight, throughput, latency,
			throughput * latency);
	fixture_free(&f);
}

static void test_config_errors(void)
{
	struct machine_config cfg;
	struct sim_engine *eng = sim_engine_new();
	char err[256] = "";

	fixture_config(&cfg, 1, 1024, 1, false);
	quiet_device(&dev0, "d0");
	dev0.queue_depth = 0;
	cfg.devices = &dev0;
	cfg.ndevices = 1;
	CHECK(machine_new(&cfg, eng, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "d0") && strstr(err, "queue_depth"));
	dev0.queue_depth = 1;
	dev0.seg_boundary = 0x1234;
	CHECK(machine_new(&cfg, eng, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "seg_boundary") != NULL);
	dev0.seg_boundary = 0xffffffff;
	cfg.ncpus = 0;
	CHECK(machine_new(&cfg, eng, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "ncpus") != NULL);
	sim_engine_free(eng);
}

/* The maximum segment: the allocator's max mapping size, or less. */
static void test_max_segment(void)
{
	struct machine_config cfg;
	struct machine_device_config devs[2];
	struct fixture f;

	fixture_config(&cfg, 1, 1024, 1, false);
	quiet_device(&devs[0], "nvme0");
	devs[0].min_align_mask = 0xfff;
	quiet_device(&devs[1], "nic0");
	devs[1].max_segment_size = 65536;
	cfg.devices = devs;
	cfg.ndevices = 2;
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_device_max_segment(machine_device_find(f.m, "nvme0")),
		 252 * 1024);
	CHECK_EQ(machine_device_max_segment(machine_device_find(f.m, "nic0")),
		 65536);
	CHECK(machine_device_find(f.m, "nope") == NULL);
	CHECK_EQ(machine_device_index(machine_device_find(f.m, "nic0")), 1);
	CHECK(strcmp(machine_config(f.m)->devices[1].name, "nic0") == 0);
	fixture_free(&f);
}

/* dma_max_mapping_size(): the swiotlb limit holds only for a device that
 * may bounce. 64 GiB of memory needs a 36-bit mask to reach it all. */
static void test_max_segment_by_bouncing(void)
{
	struct machine_config cfg;
	struct machine_device_config devs[5];
	struct fixture f;
	static const char *const names[] = { "wide", "mask36", "mask35",
					     "never", "always" };

	fixture_config(&cfg, 1, 1024, 1, false);
	cfg.force_bounce = false;
	cfg.memory_bytes = 64ULL << 30;
	for (int i = 0; i < 5; i++)
		quiet_device(&devs[i], names[i]);
	devs[1].dma_mask = (1ULL << 36) - 1;
	devs[2].dma_mask = (1ULL << 35) - 1;
	devs[2].max_segment_size = 65536;
	devs[3].dma_mask = 0xffffffff;
	devs[3].bounce = MACHINE_BOUNCE_NEVER;
	devs[4].bounce = MACHINE_BOUNCE_ALWAYS;
	cfg.devices = devs;
	cfg.ndevices = 5;
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 0)),
		 UINT64_MAX);
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 1)),
		 UINT64_MAX);
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 2)),
		 65536);
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 3)),
		 UINT64_MAX);
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 4)),
		 256 * 1024);
	fixture_free(&f);

	/* One byte more memory than the 36-bit mask reaches. */
	cfg.memory_bytes = (64ULL << 30) + 4096 + 1;
	devs[2].max_segment_size = 0;
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 1)),
		 256 * 1024);
	fixture_free(&f);

	/* Forced bouncing (a CoCo guest) holds every AUTO device to it. */
	cfg.force_bounce = true;
	cfg.memory_bytes = 64ULL << 30;
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 0)),
		 256 * 1024);
	CHECK_EQ(machine_device_max_segment(machine_device_at(f.m, 3)),
		 UINT64_MAX);
	fixture_free(&f);
}

int main(void)
{
	RUN(test_two_cpus_one_area);
	RUN(test_wait_is_first_hold);
	RUN(test_areas_and_handoffs);
	RUN(test_slot_line_models);
	RUN(test_cpu_serializes);
	RUN(test_unmap_and_sync_costs);
	RUN(test_release_after_copy);
	RUN(test_device_queue);
	RUN(test_device_shared_link);
	RUN(test_interrupt_priority);
	RUN(test_littles_law);
	RUN(test_config_errors);
	RUN(test_max_segment);
	RUN(test_max_segment_by_bouncing);
	return tu_finish();
}
