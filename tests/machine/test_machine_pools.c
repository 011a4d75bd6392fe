/* tests/machine/test_machine_pools.c - the machine's pools and records: the growth
 * worker, the atomic pool behind transient pools, the DMA-mask check, the
 * time series and event log, and runs repeating byte for byte. */
#include <stdlib.h>

#include "tests/machine_fixture.h"

static struct machine_device_config dev0;

/* Dynamic mode, one CPU, one area, nslabs slots; growth takes
 * 1000 + 500 per try + 100 per page. */
static void grow_config(struct machine_config *cfg, uint64_t nslabs)
{
	fixture_config(cfg, 1, nslabs, 1, true);
	cfg->costs.grow_queue_ns = 1000;
	cfg->costs.grow_attempt_ns = 500;
	cfg->costs.page_alloc_ns = 10;
	cfg->costs.page_decrypt_ns = 90;
	cfg->atomic_pool_bytes = 0;
	quiet_device(&dev0, "d0");
	cfg->devices = &dev0;
	cfg->ndevices = 1;
}

static size_t count_events(const struct machine *m, enum stats_event_kind k)
{
	const struct stats_events *log = machine_events(m);
	size_t n = 0;

	for (size_t i = 0; i < stats_events_len(log); i++)
		n += stats_events_get(log, i)->kind == k;
	return n;
}

static const struct stats_event *find_event(const struct machine *m,
					    enum stats_event_kind k)
{
	const struct stats_events *log = machine_events(m);

	for (size_t i = 0; i < stats_events_len(log); i++)
		if (stats_events_get(log, i)->kind == k)
			return stats_events_get(log, i);
	return NULL;
}

/* Maps n buffers of 256 KiB (128 slots, a whole segment) on CPU 0. */
static void map_segments(struct machine *m, int n, uint64_t orig,
			 struct map_log *log)
{
	for (int i = 0; i < n; i++)
		machine_map(m, 0, machine_device_at(m, 0),
			    orig + (uint64_t)i * 0x40000, 256 * 1024,
			    DMA_TO_DEVICE, 0, on_map, log);
}

/* A burst of failures starts the worker once; it adds a pool of the
 * kernel's size (the boot size capped at 4 MiB) after its modelled delay;
 * the next burst starts it again. */
static void test_growth_once_per_burst(void)
{
	struct machine_config cfg;
	struct fixture f;
	static struct map_log log;
	const struct stats_counters *c;
	const struct stats_event *ev;

	memset(&log, 0, sizeof(log));
	grow_config(&cfg, 4096);                 /* 8 MiB: grows by 4 MiB */
	if (!fixture_new(&f, &cfg))
		return;
	c = stats_counters(machine_stats(f.m));
	CHECK_EQ(swiotlb_dyn_pool_nslabs(machine_mem(f.m)), 2048);
	map_segments(f.m, 32, 0x100000000ULL, &log);   /* fills the pool */
	map_segments(f.m, 3, 0x200000000ULL, &log);    /* the burst */
	machine_run_until(f.m, 0);
	CHECK(machine_growing(f.m));
	machine_run(f.m);
	CHECK_EQ(log.n, 35);
	CHECK_EQ(c->maps_ok, 32);
	CHECK_EQ(c->full_events, 3);
	CHECK_EQ(c->grow_started, 1);
	CHECK_EQ(c->pools_added, 1);
	CHECK_EQ(count_events(f.m, STATS_EV_GROW_START), 1);
	ev = find_event(f.m, STATS_EV_POOL_ADDED);
	CHECK(ev != NULL);
	if (ev) {
		CHECK_EQ(ev->size, 4ULL << 20);
		CHECK_EQ(ev->time_ns, 1000 + 500 + 1024 * 100);
		CHECK(ev->pool_id > 0);
	}
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).nslabs, 4096 + 2048);
	CHECK_EQ(machine_mem(f.m)->npools, 2);
	/* The new pool takes 16 more; then a second burst, a second pool. */
	map_segments(f.m, 16, 0x300000000ULL, &log);
	map_segments(f.m, 2, 0x400000000ULL, &log);
	machine_run(f.m);
	CHECK_EQ(c->maps_ok, 48);
	CHECK_EQ(c->full_events, 5);
	CHECK_EQ(c->grow_started, 2);
	CHECK_EQ(c->pools_added, 2);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).nslabs, 4096 + 2 * 2048);
	/* The grown pools have locks and statistics of their own. */
	CHECK_EQ(stats_nareas(machine_stats(f.m)), 3);
	fixture_free(&f);
}

/* Every try fails: the worker halves 2048 -> 1024 -> 512 slabs, then gives
 * up, after three tries. */
static void test_growth_fails(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };
	const struct stats_event *ev;

	grow_config(&cfg, 4096);
	cfg.grow_attempt_fail_prob = 1.0;
	if (!fixture_new(&f, &cfg))
		return;
	map_segments(f.m, 33, 0x100000000ULL, &log);
	machine_run(f.m);
	CHECK_EQ(stats_counters(machine_stats(f.m))->grow_failed, 1);
	CHECK_EQ(stats_counters(machine_stats(f.m))->pools_added, 0);
	ev = find_event(f.m, STATS_EV_GROW_FAILED);
	CHECK(ev != NULL);
	if (ev)
		CHECK_EQ(ev->time_ns, 1000 + 3 * 500);
	CHECK(!machine_growing(f.m));
	fixture_free(&f);
}

/* Tries fail half the time: whatever a seed draws, the pool is 2048, 1024
 * or 512 slabs and the delay matches the tries it took; some seed halves. */
static void test_growth_halves(void)
{
	bool halved = false;

	for (uint64_t seed = 1; seed <= 16; seed++) {
		struct machine_config cfg;
		struct fixture f;
		struct map_log log = { 0 };
		const struct stats_event *ev;

		grow_config(&cfg, 4096);
		cfg.grow_attempt_fail_prob = 0.5;
		cfg.seed = seed;
		if (!fixture_new(&f, &cfg))
			return;
		map_segments(f.m, 33, 0x100000000ULL, &log);
		machine_run(f.m);
		ev = find_event(f.m, STATS_EV_POOL_ADDED);
		if (ev) {
			uint64_t nslabs = ev->size >> IO_TLB_SHIFT;
			uint64_t tries = nslabs == 2048 ? 1 : nslabs == 1024 ? 2 : 3;

			CHECK(nslabs == 2048 || nslabs == 1024 || nslabs == 512);
			CHECK_EQ(ev->time_ns, 1000 + tries * 500 +
					      (ev->size / 4096) * 100);
			halved |= nslabs < 2048;
		} else {
			CHECK(find_event(f.m, STATS_EV_GROW_FAILED) != NULL);
		}
		fixture_free(&f);
	}
	CHECK(halved);
}

/* Transient pools draw on the atomic pool and give it back at unmap; a
 * request the budget cannot cover fails the map. */
static void test_atomic_pool(void)
{
	struct machine_config cfg;
	struct fixture f;
	static struct map_log log;
	const struct stats_counters *c;

	memset(&log, 0, sizeof(log));
	grow_config(&cfg, 1024);
	cfg.atomic_pool_bytes = 64 * 1024;
	cfg.costs.transient_create_ns = 700;
	cfg.costs.transient_free_ns = 300;
	cfg.costs.grow_queue_ns = SIM_S(1);          /* growth comes late */
	if (!fixture_new(&f, &cfg))
		return;
	c = stats_counters(machine_stats(f.m));
	map_segments(f.m, 8, 0x100000000ULL, &log);  /* pool full */
	machine_run_until(f.m, 1000);
	CHECK_EQ(log.n, 8);
	machine_map(f.m, 0, machine_device_at(f.m, 0), 0x200000000ULL, 16384,
		    DMA_TO_DEVICE, 0, on_map, &log);
	machine_run_until(f.m, 2000);
	CHECK_EQ(log.n, 9);
	CHECK_EQ(log.r[8].status, MACHINE_MAP_OK);
	CHECK(log.r[8].transient);
	CHECK(machine_mapping_transient(log.r[8].mapping));
	CHECK_EQ(log.r[8].finished - log.r[8].started, 700);
	CHECK_EQ(machine_atomic_used(f.m), 16384);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).transient_nslabs, 8);
	/* 16 KiB held, 64 KiB more would exceed the 64 KiB budget. */
	machine_map(f.m, 0, machine_device_at(f.m, 0), 0x300000000ULL, 65536,
		    DMA_TO_DEVICE, 0, on_map, &log);
	machine_run_until(f.m, 3000);
	CHECK_EQ(log.n, 10);
	CHECK_EQ(log.r[9].status, MACHINE_MAP_FULL_ATOMIC);
	CHECK(log.r[9].mapping == NULL);
	CHECK_EQ(c->atomic_refusals, 1);
	CHECK_EQ(c->full_events, 1);
	CHECK_EQ(machine_atomic_used(f.m), 16384);
	/* Unmap gives the bytes back. */
	struct done_log done = { 0 };
	machine_unmap(f.m, 0, log.r[8].mapping, false, on_done, &done);
	machine_run_until(f.m, 4000);
	CHECK_EQ(done.n, 1);
	CHECK_EQ(done.r[0].finished - done.r[0].started, 300);
	CHECK_EQ(machine_atomic_used(f.m), 0);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).transient_nslabs, 0);
	CHECK_EQ(c->transient_made, 1);
	CHECK_EQ(c->transient_freed, 1);
	CHECK_EQ(count_events(f.m, STATS_EV_TRANSIENT_MADE), 1);
	CHECK_EQ(count_events(f.m, STATS_EV_TRANSIENT_FREED), 1);
	CHECK_EQ(count_events(f.m, STATS_EV_FULL_ATOMIC), 1);
	const struct stats_event *ev = find_event(f.m, STATS_EV_TRANSIENT_FREED);
	if (ev)
		CHECK_EQ(ev->size, 16384);
	machine_run(f.m);
	fixture_free(&f);
}

/* A bounce address beyond the device's DMA mask: the map fails and its
 * slots are given back. */
static void test_dma_mask(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct map_log log = { 0 };

	fixture_config(&cfg, 1, 1024, 1, false);
	quiet_device(&dev0, "narrow");
	/* The pool starts at 0x80000000: only its first 4 KiB is reachable. */
	dev0.dma_mask = SWIOTLB_DEFAULT_START + 4095;
	cfg.devices = &dev0;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	struct machine_device *d = machine_device_at(f.m, 0);
	machine_map(f.m, 0, d, 0x100000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_map(f.m, 0, d, 0x200000, 4096, DMA_TO_DEVICE, 0, on_map, &log);
	machine_run(f.m);
	CHECK_EQ(log.n, 2);
	CHECK_EQ(log.r[0].status, MACHINE_MAP_OK);
	CHECK_EQ(log.r[1].status, MACHINE_MAP_DMA_MASK);
	CHECK_EQ(log.r[1].tlb_addr, SWIOTLB_MAP_ERROR);
	CHECK_EQ(swiotlb_counters(machine_mem(f.m)).used, 2);
	CHECK_EQ(stats_counters(machine_stats(f.m))->mask_failures, 1);
	CHECK_EQ(count_events(f.m, STATS_EV_MASK), 1);
	CHECK_EQ(machine_live_mappings(f.m), 1);
	fixture_free(&f);
}

/* A row at every multiple of the interval, through busy and idle
 * stretches, until the engine runs dry. */
static void test_time_series(void)
{
	struct machine_config cfg;
	struct fixture f;
	const struct stats_series *s;
	uint64_t busy = 0;

	fixture_config(&cfg, 2, 1024, 2, false);
	cfg.sample_interval_ns = 1000;
	if (!fixture_new(&f, &cfg))
		return;
	machine_cpu_work(f.m, 0, 10500, NULL, NULL);
	machine_run(f.m);
	s = machine_series(f.m);
	CHECK_EQ(stats_series_len(s), 11);
	CHECK_EQ(stats_series_nareas(s), 2);
	for (size_t i = 0; i < stats_series_len(s); i++) {
		const struct stats_row *r = stats_series_row(s, i);

		CHECK_EQ(r->time_ns, 1000 * (i + 1));
		CHECK_EQ(r->interval_ns, 1000);
		CHECK_EQ(r->nslabs, 1024);
		CHECK_EQ(r->pools, 1);
		busy += (uint64_t)(r->busy_cpu_share * 2 * 1000 + 0.5);
	}
	CHECK_EQ(busy, 10500);
	/* Idle until 50 us, then more work: the idle rows are filled in. */
	machine_run_until(f.m, 50500);
	machine_cpu_work(f.m, 1, 100, NULL, NULL);
	machine_run(f.m);
	CHECK_EQ(stats_series_len(s), 51);
	for (size_t i = 0; i < stats_series_len(s); i++)
		CHECK_EQ(stats_series_row(s, i)->time_ns, 1000 * (i + 1));
	/* A closing partial row. */
	machine_run_until(f.m, 51700);
	CHECK(machine_sample(f.m) == 0);
	CHECK_EQ(stats_series_len(s), 52);
	CHECK_EQ(stats_series_row(s, 51)->interval_ns, 700);
	fixture_free(&f);
}

/* Rows see the pool filling: used slots, per-area use, full events. */
static void test_time_series_contents(void)
{
	struct machine_config cfg;
	struct fixture f;
	static struct map_log log;
	const struct stats_series *s;
	const struct stats_row *r;

	memset(&log, 0, sizeof(log));
	grow_config(&cfg, 1024);
	cfg.sample_interval_ns = 1000;
	cfg.costs.grow_queue_ns = SIM_S(1);
	if (!fixture_new(&f, &cfg))
		return;
	map_segments(f.m, 9, 0x100000000ULL, &log);      /* 8 fit, 1 fails */
	machine_run_until(f.m, 1000);
	s = machine_series(f.m);
	CHECK_EQ(stats_series_len(s), 1);
	r = stats_series_row(s, 0);
	if (r) {
		CHECK_EQ(r->used_slots, 1024);
		CHECK_EQ(r->maps, 9);
		CHECK_EQ(r->maps_per_s, 9e6);
		CHECK_EQ(r->full_events, 1);
		CHECK_EQ(r->largest_free_run, 0);
		CHECK_EQ(stats_series_area_used(s, 0)[0], 1024);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	CHECK(machine_write_series_csv(f.m, out) == 0);
	CHECK(machine_write_events_csv(f.m, out) == 0);
	fclose(out);
	CHECK(strstr(buf, "time_ns,interval_ns,used_slots") == buf);
	CHECK(strstr(buf, "\n1000,1000,1024,0,1024,1024,9,9e+06,1,0,1,0,0,0,0,1024\n") != NULL);
	CHECK(strstr(buf, "time_ns,kind,cpu,device,size,pool_id\n") != NULL);
	CHECK(strstr(buf, "\n0,full_atomic,0,d0,262144,\n") != NULL);
	free(buf);
	fixture_free(&f);
}

/* ---- the same seed gives byte-identical statistics ---- */

struct churn {
	struct machine *m;
	gsl_rng *rng;
	unsigned int cpu;
	struct machine_mapping *mapping;
	uint64_t size;
};

static void churn_start(struct churn *c);

static void churn_retry(struct sim_engine *eng, void *subject, uint64_t arg)
{
	(void)eng;
	(void)arg;
	churn_start(subject);
}

static void churn_unmapped(struct machine *m, void *ctx,
			   const struct machine_op_result *r)
{
	(void)m;
	(void)r;
	churn_start(ctx);
}

static void churn_io(struct machine *m, void *ctx,
		     const struct machine_io_result *r)
{
	struct churn *c = ctx;

	(void)r;
	machine_unmap(m, c->cpu, c->mapping, false, churn_unmapped, c);
}

static void churn_synced(struct machine *m, void *ctx,
			 const struct machine_op_result *r)
{
	struct churn *c = ctx;
	unsigned int irq_cpu = (unsigned int)gsl_rng_uniform_int(c->rng, 2);

	(void)r;
	machine_device_submit(m, machine_mapping_device(c->mapping), c->size,
			      irq_cpu, churn_io, c);
}

static void churn_mapped(struct machine *m, void *ctx,
			 const struct machine_map_result *r)
{
	struct churn *c = ctx;

	if (r->status != MACHINE_MAP_OK) {
		sim_schedule_in(machine_engine(m), SIM_US(20), churn_retry, c, 0);
		return;
	}
	c->mapping = r->mapping;
	c->size = r->size;
	if (gsl_rng_uniform(c->rng) < 0.3)
		machine_sync(m, c->cpu, c->mapping, MACHINE_SYNC_FOR_DEVICE,
			     r->size, churn_synced, c);
	else
		churn_synced(m, c, NULL);
}

static void churn_start(struct churn *c)
{
	uint64_t size = 512 + gsl_rng_uniform_int(c->rng, 128 * 1024);
	enum dma_data_direction dir =
		(enum dma_data_direction)gsl_rng_uniform_int(c->rng, 3);
	struct machine_device *d =
		machine_device_at(c->m, gsl_rng_uniform_int(c->rng, 2));

	if (machine_now(c->m) > SIM_MS(20))
		return;
	machine_map(c->m, c->cpu, d, 0x100000000ULL + size * 7, size, dir, 0,
		    churn_mapped, c);
}

/* Runs a random closed-loop workload and returns every record as text. */
static char *churn_run(uint64_t seed)
{
	enum { LOOPS = 24 };
	struct machine_config cfg;
	struct machine_device_config devs[2];
	struct fixture f;
	struct churn loops[LOOPS];
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	machine_config_init(&cfg, 2);
	cfg.boot.param.nslabs_set = true;
	cfg.boot.param.nslabs = 1024;
	cfg.boot.dynamic = true;
	cfg.atomic_pool_bytes = 256 * 1024;
	cfg.grow_attempt_fail_prob = 0.5;
	cfg.sample_interval_ns = SIM_US(500);
	cfg.seed = seed;
	machine_device_config_init(&devs[0], "nvme0");
	devs[0].jitter = (struct machine_jitter){ MACHINE_JITTER_EXPONENTIAL,
						  5000, 0 };
	devs[0].min_align_mask = 0xfff;
	machine_device_config_init(&devs[1], "nic0");
	devs[1].jitter = (struct machine_jitter){ MACHINE_JITTER_LOGNORMAL,
						  8, 1 };
	cfg.devices = devs;
	cfg.ndevices = 2;
	if (!fixture_new(&f, &cfg))
		return NULL;
	for (unsigned int i = 0; i < LOOPS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "loop:%u", i);
		loops[i] = (struct churn){ .m = f.m, .cpu = i % 2,
					   .rng = machine_rng_new(f.m, name,
								   NULL, 0) };
		churn_start(&loops[i]);
	}
	machine_run(f.m);
	machine_sample(f.m);
	out = open_memstream(&buf, &len);
	machine_write_stats(f.m, out);
	machine_write_series_csv(f.m, out);
	machine_write_events_csv(f.m, out);
	fclose(out);
	for (unsigned int i = 0; i < LOOPS; i++)
		gsl_rng_free(loops[i].rng);
	fixture_free(&f);
	return buf;
}

static void test_same_seed_same_bytes(void)
{
	char *a = churn_run(42), *b = churn_run(42), *c = churn_run(43);

	CHECK(a && b && c);
	if (a && getenv("SWSIM_TEST_VERBOSE"))
		fputs(a, stderr);
	if (a && b && c) {
		CHECK(strcmp(a, b) == 0);
		CHECK(strcmp(a, c) != 0);
		/* The run did what it was meant to exercise. */
		CHECK(strstr(a, "\nfull_events 0\n") == NULL);
		CHECK(strstr(a, "\npools_added 0\n") == NULL);
		CHECK(strstr(a, "\ntransient_made 0\n") == NULL);
	}
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	RUN(test_growth_once_per_burst);
	RUN(test_growth_fails);
	RUN(test_growth_halves);
	RUN(test_atomic_pool);
	RUN(test_dma_mask);
	RUN(test_time_series);
	RUN(test_time_series_contents);
	RUN(test_same_seed_same_bytes);
	return tu_finish();
}
