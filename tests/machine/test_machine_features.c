/* tests/machine/test_machine_features.c - per-device bounce decisions (AUTO, ALWAYS,
 * NEVER, the machine's force bounce, no swiotlb at all), restricted
 * per-device pools (placement, their own slots and locks, full, counters),
 * and the time series at the end of a run, with exact expectations. */
#include <stdlib.h>

#include "tests/machine_fixture.h"

#define GiB (1ULL << 30)
#define MASK32 0xffffffffULL

/* Map, unmap and sync calls of 100, 100 and 50 ns, copies at 1 byte/ns,
 * nothing else costs; ndev devices d0, d1, ... (64-bit, AUTO). */
static struct machine_device_config devs[4];

static void feature_config(struct machine_config *cfg, unsigned int ncpus,
			   bool force, size_t ndev)
{
	static const char *const names[] = { "d0", "d1", "d2", "d3" };

	fixture_config(cfg, ncpus, 1024, 1, false);
	cfg->force_bounce = force;
	cfg->costs.map_call_ns = 100;
	cfg->costs.unmap_call_ns = 100;
	cfg->costs.sync_call_ns = 50;
	cfg->costs.copy_bytes_per_ns = 1.0;
	for (size_t i = 0; i < ndev; i++)
		quiet_device(&devs[i], names[i]);
	cfg->devices = devs;
	cfg->ndevices = ndev;
}

static uint64_t pool_used(const struct io_tlb_mem *mem)
{
	return swiotlb_counters(mem).used;
}

/* Maps [orig, +size) on CPU 0 and runs the machine to the end. */
static struct machine_map_result map_one(struct fixture *f, size_t dev,
					 uint64_t orig, size_t size)
{
	struct map_log log = { 0 };

	machine_map(f->m, 0, machine_device_at(f->m, dev), orig, size,
		    DMA_BIDIRECTIONAL, 0, on_map, &log);
	machine_run(f->m);
	if (log.n != 1) {
		tu_fail(__FILE__, __LINE__, "map did not call back once");
		return (struct machine_map_result){ .status = MACHINE_MAP_FULL };
	}
	return log.r[0];
}

/* AUTO without force: a buffer the 32-bit device reaches is not bounced; it
 * costs the map call only, its address is its own, and its sync and unmap
 * cost their calls only. */
static void test_auto_within_mask_is_direct(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct machine_map_result r;
	struct done_log done = { 0 };
	const struct stats_counters *c;

	feature_config(&cfg, 1, false, 1);
	devs[0].dma_mask = MASK32;
	if (!fixture_new(&f, &cfg))
		return;
	r = map_one(&f, 0, 0x100000, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK_EQ(r.tlb_addr, 0x100000);
	CHECK_EQ(r.finished, 100);
	CHECK(r.mapping && !machine_mapping_bounced(r.mapping));
	CHECK_EQ(machine_mapping_addr(r.mapping), 0x100000);
	CHECK_EQ(pool_used(machine_mem(f.m)), 0);
	CHECK_EQ(machine_live_mappings(f.m), 1);
	machine_sync(f.m, 0, r.mapping, MACHINE_SYNC_FOR_CPU, 4096, on_done,
		     &done);
	machine_unmap(f.m, 0, r.mapping, false, on_done, &done);
	machine_run(f.m);
	CHECK_EQ(done.n, 2);
	CHECK_EQ(done.r[0].finished - done.r[0].started, 50);
	CHECK_EQ(done.r[1].finished - done.r[1].started, 100);
	c = stats_counters(machine_stats(f.m));
	CHECK_EQ(c->maps, 1);
	CHECK_EQ(c->maps_ok, 1);
	CHECK_EQ(c->maps_direct, 1);
	CHECK_EQ(c->bytes_copied, 0);
	CHECK_EQ(c->unmaps, 1);
	CHECK_EQ(c->syncs, 1);
	CHECK_EQ(machine_live_mappings(f.m), 0);
	CHECK_EQ(machine_device_counters(machine_device_at(f.m, 0))->maps_direct,
		 1);
	fixture_free(&f);
}

/* AUTO without force bounces exactly the buffers that end beyond the mask
 * (dma_capable() of [orig, orig + size)). */
static void test_auto_beyond_mask_bounces(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct machine_map_result r;
	const struct io_tlb_pool *pool;

	feature_config(&cfg, 1, false, 1);
	devs[0].dma_mask = MASK32;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	CHECK(!machine_device_force_bounce(d));
	CHECK(!machine_device_bounces(d, 0xfffff000, 4096));   /* ends at 4G-1 */
	CHECK(machine_device_bounces(d, 0xfffff000, 4097));    /* one byte over */
	CHECK(machine_device_bounces(d, 4 * GiB, 1));
	pool = machine_mem(f.m)->pools;
	/* The last page below 4 GiB: direct. */
	r = map_one(&f, 0, 0xfffff000, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK_EQ(r.tlb_addr, 0xfffff000);
	CHECK_EQ(pool_used(machine_mem(f.m)), 0);
	/* Straddling 4 GiB: bounced, 4 slots, the copy of 8192 bytes. */
	r = map_one(&f, 0, 0xfffff000, 8192);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK(r.tlb_addr >= pool->start && r.tlb_addr < pool->end);
	CHECK(machine_mapping_bounced(r.mapping));
	CHECK_EQ(r.finished - r.started, 100 + 8192);
	CHECK_EQ(pool_used(machine_mem(f.m)), 4);
	/* Above 4 GiB: bounced. */
	r = map_one(&f, 0, 4 * GiB, 2048);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK(r.tlb_addr >= pool->start && r.tlb_addr < pool->end);
	CHECK_EQ(pool_used(machine_mem(f.m)), 5);
	CHECK_EQ(stats_counters(machine_stats(f.m))->maps, 3);
	CHECK_EQ(stats_counters(machine_stats(f.m))->maps_direct, 1);
	CHECK_EQ(stats_counters(machine_stats(f.m))->bytes_copied, 8192 + 2048);
	fixture_free(&f);
}

/* The machine's force bounce makes AUTO bounce everything; ALWAYS bounces
 * without it; NEVER bounces in neither case, even beyond its mask. */
static void test_policies(void)
{
	static const struct {
		bool force;
		enum machine_bounce bounce;
		uint64_t mask, orig;
		bool bounced;
	} cases[] = {
		{ true, MACHINE_BOUNCE_AUTO, UINT64_MAX, 0x100000, true },
		{ false, MACHINE_BOUNCE_AUTO, UINT64_MAX, 0x100000, false },
		{ false, MACHINE_BOUNCE_AUTO, UINT64_MAX, 60 * GiB, false },
		{ false, MACHINE_BOUNCE_ALWAYS, UINT64_MAX, 0x100000, true },
		{ true, MACHINE_BOUNCE_ALWAYS, UINT64_MAX, 0x100000, true },
		{ true, MACHINE_BOUNCE_NEVER, UINT64_MAX, 0x100000, false },
		{ false, MACHINE_BOUNCE_NEVER, MASK32, 8 * GiB, false },
		{ true, MACHINE_BOUNCE_NEVER, MASK32, 8 * GiB, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct machine_config cfg;
		struct fixture f;
		struct machine_map_result r;

		feature_config(&cfg, 1, cases[i].force, 1);
		devs[0].bounce = cases[i].bounce;
		devs[0].dma_mask = cases[i].mask;
		if (!fixture_new(&f, &cfg))
			return;
		r = map_one(&f, 0, cases[i].orig, 4096);
		if (r.status != MACHINE_MAP_OK ||
		    machine_mapping_bounced(r.mapping) != cases[i].bounced ||
		    pool_used(machine_mem(f.m)) != (cases[i].bounced ? 2 : 0) ||
		    (r.tlb_addr == cases[i].orig) == cases[i].bounced)
			tu_fail(__FILE__, __LINE__, "case %zu: status %d, "
				"bounced %d, used %llu", i, (int)r.status,
				r.status == MACHINE_MAP_OK &&
				machine_mapping_bounced(r.mapping),
				(unsigned long long)pool_used(machine_mem(f.m)));
		tu_checks++;
		fixture_free(&f);
	}
}

/* swiotlb=noforce: no pool. AUTO maps the buffers the device reaches and
 * fails the others on the mask (dma_direct's overflow), at the cost of the
 * call; a forced bounce goes to the allocator, which refuses it. */
static void test_no_swiotlb(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct machine_map_result r;

	feature_config(&cfg, 1, false, 2);
	cfg.boot.param.noforce = true;
	devs[0].dma_mask = MASK32;
	devs[1].bounce = MACHINE_BOUNCE_ALWAYS;
	if (!fixture_new(&f, &cfg))
		return;
	CHECK_EQ(machine_mem(f.m)->nslabs, 0);
	r = map_one(&f, 0, 0x100000, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK_EQ(r.tlb_addr, 0x100000);
	r = map_one(&f, 0, 8 * GiB, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_DMA_MASK);
	CHECK_EQ(r.tlb_addr, SWIOTLB_MAP_ERROR);
	CHECK_EQ(r.finished - r.started, 100);
	r = map_one(&f, 1, 0x100000, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_FULL);
	CHECK_EQ(stats_counters(machine_stats(f.m))->mask_failures, 1);
	CHECK_EQ(stats_counters(machine_stats(f.m))->full_events, 1);
	CHECK_EQ(machine_device_counters(machine_device_at(f.m, 0))->mask_failures,
		 1);
	CHECK_EQ(machine_live_mappings(f.m), 1);
	fixture_free(&f);
}

/* A 32-bit device and a 64-bit one map the same buffers above 4 GiB on a
 * machine without force: only the 32-bit device's maps take slots. */
static void test_pool_used_by_one_device(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };

	feature_config(&cfg, 2, false, 2);
	devs[0].dma_mask = MASK32;
	if (!fixture_new(&f, &cfg))
		return;
	for (int i = 0; i < 8; i++) {
		machine_map(f.m, 0, machine_device_at(f.m, 0),
			    5 * GiB + (uint64_t)i * 4096, 4096, DMA_TO_DEVICE,
			    0, on_map, &log);
		machine_map(f.m, 1, machine_device_at(f.m, 1),
			    5 * GiB + (uint64_t)i * 4096, 4096, DMA_TO_DEVICE,
			    0, on_map, &log);
	}
	machine_run(f.m);
	CHECK_EQ(log.n, 16);
	CHECK_EQ(pool_used(machine_mem(f.m)), 8 * 2);
	CHECK_EQ(machine_device_counters(machine_device_at(f.m, 0))->maps_direct,
		 0);
	CHECK_EQ(machine_device_counters(machine_device_at(f.m, 1))->maps_direct,
		 8);
	CHECK_EQ(machine_device_counters(machine_device_at(f.m, 1))->maps, 8);
	fixture_free(&f);
}

/* Restricted pools go at 0x40000000 upward, page aligned, one after the
 * other, past the default pool when they would overlap it; one area each. */
static void test_restricted_placement(void)
{
	struct machine_config cfg;
	struct fixture f;
	const struct io_tlb_mem *r0, *r2;

	feature_config(&cfg, 4, true, 3);
	cfg.boot.start = 0x40080000;          /* 2 MiB of default pool */
	devs[0].restricted_pool_bytes = 256 * 1024;
	devs[2].restricted_pool_bytes = 1 << 20;
	if (!fixture_new(&f, &cfg))
		return;
	r0 = machine_device_restricted(machine_device_at(f.m, 0));
	r2 = machine_device_restricted(machine_device_at(f.m, 2));
	CHECK(machine_device_restricted(machine_device_at(f.m, 1)) == NULL);
	CHECK(r0 && r2);
	if (r0 && r2) {
		CHECK_EQ(r0->pools->start, 0x40000000);
		CHECK_EQ(r0->pools->end, 0x40040000);
		CHECK_EQ(r0->nslabs, 128);
		CHECK_EQ(r0->pools->nareas, 1);
		/* 0x40040000 would overlap [0x40080000, 0x40280000). */
		CHECK_EQ(r2->pools->start, 0x40280000);
		CHECK_EQ(r2->nslabs, 512);
	}
	CHECK_EQ(machine_mem(f.m)->pools->start, 0x40080000);
	fixture_free(&f);
}

/* A restricted device's maps bounce into its own pool even on a machine
 * that forces nothing; the default swiotlb is untouched; the unmap gives
 * the slots back there. */
static void test_restricted_maps(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct machine_map_result r;
	const struct io_tlb_mem *rm;

	feature_config(&cfg, 1, false, 1);
	cfg.costs.pool_step_ns = 7;
	devs[0].restricted_pool_bytes = 1 << 20;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	rm = machine_device_restricted(d);
	CHECK(machine_device_force_bounce(d));
	r = map_one(&f, 0, 0x100000, 4096);
	CHECK_EQ(r.status, MACHINE_MAP_OK);
	CHECK_EQ(r.tlb_addr, 0x40000000);     /* the pool's first slots */
	CHECK_EQ(r.finished - r.started, 100 + 4096);
	CHECK_EQ(pool_used(rm), 2);
	CHECK_EQ(swiotlb_counters(rm).hiwater, 2);
	CHECK_EQ(pool_used(machine_mem(f.m)), 0);
	CHECK_EQ(machine_device_max_segment(d), 256 * 1024);

	struct done_log done = { 0 };
	machine_unmap(f.m, 0, r.mapping, false, on_done, &done);
	machine_run(f.m);
	CHECK_EQ(done.n, 1);
	/* call + one pool walked + the copy back */
	CHECK_EQ(done.r[0].finished - done.r[0].started, 100 + 7 + 4096);
	CHECK_EQ(pool_used(rm), 0);
	machine_reset_hiwater(f.m);
	CHECK_EQ(swiotlb_counters(rm).hiwater, 0);
	CHECK_EQ(machine_live_mappings(f.m), 0);
	fixture_free(&f);
}

/* A full restricted pool refuses the map (a full event of that device)
 * without growth or transient pools, though the default swiotlb is dynamic
 * and empty. */
static void test_restricted_full(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	const struct stats_events *ev;

	feature_config(&cfg, 1, true, 2);
	cfg.boot.dynamic = true;
	devs[1].restricted_pool_bytes = 256 * 1024;     /* one segment */
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 1);
	for (int i = 0; i < 3; i++)
		machine_map(f.m, 0, d, 0x100000 + (uint64_t)i * 0x20000,
			    128 * 1024, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 3);
	CHECK_EQ(log.r[0].status, MACHINE_MAP_OK);
	CHECK_EQ(log.r[1].status, MACHINE_MAP_OK);
	CHECK_EQ(log.r[2].status, MACHINE_MAP_FULL);
	CHECK_EQ(pool_used(machine_device_restricted(d)), 128);
	CHECK_EQ(pool_used(machine_mem(f.m)), 0);
	CHECK(!machine_growing(f.m));
	CHECK_EQ(stats_counters(machine_stats(f.m))->grow_started, 0);
	CHECK_EQ(stats_counters(machine_stats(f.m))->transient_made, 0);
	CHECK_EQ(machine_device_counters(d)->full_events, 1);
	ev = machine_events(f.m);
	CHECK_EQ(stats_events_len(ev), 1);
	if (stats_events_len(ev) == 1) {
		CHECK_EQ(stats_events_get(ev, 0)->kind, STATS_EV_FULL);
		CHECK_EQ(stats_events_get(ev, 0)->device, 1);
	}
	fixture_free(&f);
}

/* Two CPUs map at the same instant into pool 0, area 0 of two different
 * io_tlb_mems (the default swiotlb, a restricted pool): no one waits.
 * Into the same mem, the second waits for the first's hold. */
static void test_restricted_locks_apart(void)
{
	for (int same = 0; same <= 1; same++) {
		struct machine_config cfg;
		struct fixture f;
		struct map_log log = { 0 };
		const struct stats *s;

		feature_config(&cfg, 2, true, 2);
		cfg.costs.lock_ns = 10;
		devs[1].restricted_pool_bytes = 1 << 20;
		if (!fixture_new(&f, &cfg))
			return;
		machine_map(f.m, 0, machine_device_at(f.m, 0), 0x100000, 4096,
			    DMA_TO_DEVICE, 0, on_map, &log);
		machine_map(f.m, 1, machine_device_at(f.m, same ? 0 : 1),
			    0x200000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
		machine_run(f.m);
		CHECK_EQ(log.n, 2);
		CHECK_EQ(log.r[0].lock_wait_ns, 0);
		CHECK_EQ(log.r[1].lock_wait_ns, same ? 10 : 0);
		s = machine_stats(f.m);
		/* One lock of the default pool, one of the restricted pool. */
		CHECK_EQ(stats_nareas(s), 2);
		CHECK_EQ(stats_area(s, 0)->device, -1);
		CHECK_EQ(stats_area(s, 1)->device, 1);
		CHECK_EQ(stats_area(s, 1)->pool_id, 0);
		CHECK_EQ(stats_area(s, 0)->acquisitions, same ? 2 : 1);
		CHECK_EQ(stats_area(s, 1)->acquisitions, same ? 0 : 1);
		fixture_free(&f);
	}
}

/* A restricted pool and bounce NEVER contradict each other; a restricted
 * pool that is not whole pages is refused by the allocator. */
static void test_restricted_config_errors(void)
{
	struct machine_config cfg;
	struct sim_engine *eng = sim_engine_new();
	char err[256] = "";

	feature_config(&cfg, 1, true, 1);
	devs[0].restricted_pool_bytes = 1 << 20;
	devs[0].bounce = MACHINE_BOUNCE_NEVER;
	CHECK(machine_new(&cfg, eng, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "device 'd0'") && strstr(err, "restricted"));
	devs[0].bounce = MACHINE_BOUNCE_AUTO;
	devs[0].restricted_pool_bytes = (1 << 20) + 512;
	CHECK(machine_new(&cfg, eng, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "device 'd0': restricted pool:") != NULL);
	sim_engine_free(eng);
}

/* Work that finishes at a row's very instant, after the row was taken,
 * goes into that row when the run ends there (machine_sample redoes it),
 * so the rows add up to the counters. */
static void test_last_row_takes_in_work_at_its_instant(void)
{
	struct machine_config cfg;
	struct fixture f;
	const struct stats_series *ts;

	feature_config(&cfg, 1, true, 1);
	cfg.costs.map_call_ns = 1000;
	cfg.costs.copy_bytes_per_ns = 0;
	cfg.sample_interval_ns = 1000;
	if (!fixture_new(&f, &cfg))
		return;
	machine_map(f.m, 0, machine_device_at(f.m, 0), 0x100000, 4096,
		    DMA_TO_DEVICE, 0, NULL, NULL);
	machine_run_until(f.m, 1000);
	CHECK_EQ(stats_counters(machine_stats(f.m))->maps, 1);
	CHECK_EQ(machine_sample(f.m), 0);
	ts = machine_series(f.m);
	CHECK_EQ(stats_series_len(ts), 1);
	if (stats_series_len(ts) == 1) {
		CHECK_EQ(stats_series_row(ts, 0)->time_ns, 1000);
		CHECK_EQ(stats_series_row(ts, 0)->interval_ns, 1000);
		CHECK_EQ(stats_series_row(ts, 0)->maps, 1);
		CHECK_EQ(stats_series_row(ts, 0)->used_slots, 2);
	}
	fixture_free(&f);
}

/* A run that ends after an idle stretch gets a row at every multiple of
 * the interval through it, then the partial one. */
static void test_idle_tail_rows(void)
{
	struct machine_config cfg;
	struct fixture f;
	const struct stats_series *ts;

	feature_config(&cfg, 1, true, 1);
	cfg.costs.copy_bytes_per_ns = 0;       /* the map ends at 100 ns */
	cfg.sample_interval_ns = 1000;
	if (!fixture_new(&f, &cfg))
		return;
	machine_map(f.m, 0, machine_device_at(f.m, 0), 0x100000, 4096,
		    DMA_TO_DEVICE, 0, NULL, NULL);
	machine_run_until(f.m, 5500);
	CHECK_EQ(machine_sample(f.m), 0);
	ts = machine_series(f.m);
	CHECK_EQ(stats_series_len(ts), 6);
	for (size_t i = 0; i < stats_series_len(ts) && i < 6; i++) {
		CHECK_EQ(stats_series_row(ts, i)->time_ns,
			 i < 5 ? 1000 * (i + 1) : 5500);
		CHECK_EQ(stats_series_row(ts, i)->maps, i == 0);
	}
	fixture_free(&f);
}

int main(void)
{
	RUN(test_auto_within_mask_is_direct);
	RUN(test_auto_beyond_mask_bounces);
	RUN(test_policies);
	RUN(test_no_swiotlb);
	RUN(test_pool_used_by_one_device);
	RUN(test_restricted_placement);
	RUN(test_restricted_maps);
	RUN(test_restricted_full);
	RUN(test_restricted_locks_apart);
	RUN(test_restricted_config_errors);
	RUN(test_last_row_takes_in_work_at_its_instant);
	RUN(test_idle_tail_rows);
	return tu_finish();
}
