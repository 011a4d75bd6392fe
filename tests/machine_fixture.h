/* tests/machine_fixture.h - what the machine tests share: a quiet
 * configuration (every cost 0, so each test turns on only what it checks),
 * an engine + machine pair, and callbacks that record what they are given. */
#ifndef SWSIM_TESTS_MACHINE_FIXTURE_H
#define SWSIM_TESTS_MACHINE_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "machine/machine.h"
#include "tests/testutil.h"

#define FIXTURE_LOG_MAX 256

/* Every cost 0 (copies and transfers free), the structure facts kept. */
static inline void quiet_costs(struct machine_costs *c)
{
	memset(c, 0, sizeof(*c));
	c->slot_meta_bytes = SLOT_META_BYTES;
	c->cache_line_bytes = CACHE_LINE_BYTES;
}

/* ncpus CPUs, a pool of nslabs in nareas areas, quiet costs, no sampler,
 * no devices. */
static inline void fixture_config(struct machine_config *cfg,
				  unsigned int ncpus, uint64_t nslabs,
				  uint64_t nareas, bool dynamic)
{
	machine_config_init(cfg, ncpus);
	cfg->boot.param.nslabs_set = true;
	cfg->boot.param.nslabs = nslabs;
	cfg->boot.param.nareas_set = true;
	cfg->boot.param.nareas = nareas;
	cfg->boot.dynamic = dynamic;
	quiet_costs(&cfg->costs);
	cfg->sample_interval_ns = 0;
}

/* A device with no latency, instant transfers and no jitter. */
static inline void quiet_device(struct machine_device_config *dc,
				const char *name)
{
	machine_device_config_init(dc, name);
	dc->latency_ns = 0;
	dc->bytes_per_ns = 0;
}

struct fixture {
	struct sim_engine *eng;
	struct machine *m;
};

static inline bool fixture_new(struct fixture *f,
			       const struct machine_config *cfg)
{
	char err[256] = "";

	f->eng = sim_engine_new();
	f->m = f->eng ? machine_new(cfg, f->eng, err, sizeof(err)) : NULL;
	if (!f->m)
		fprintf(stderr, "fixture: %s\n", err);
	return f->m != NULL;
}

static inline void fixture_free(struct fixture *f)
{
	machine_free(f->m);
	sim_engine_free(f->eng);
	f->m = NULL;
	f->eng = NULL;
}

struct map_log {
	size_t n;
	struct machine_map_result r[FIXTURE_LOG_MAX];
};

static inline void on_map(struct machine *m, void *ctx,
			  const struct machine_map_result *r)
{
	struct map_log *log = ctx;

	(void)m;
	if (log->n < FIXTURE_LOG_MAX)
		log->r[log->n++] = *r;
}

struct done_log {
	size_t n;
	struct machine_op_result r[FIXTURE_LOG_MAX];
};

static inline void on_done(struct machine *m, void *ctx,
			   const struct machine_op_result *r)
{
	struct done_log *log = ctx;

	(void)m;
	if (log->n < FIXTURE_LOG_MAX)
		log->r[log->n++] = *r;
}

struct io_log {
	size_t n;
	struct machine_io_result r[FIXTURE_LOG_MAX];
};

static inline void on_io(struct machine *m, void *ctx,
			 const struct machine_io_result *r)
{
	struct io_log *log = ctx;

	(void)m;
	if (log->n < FIXTURE_LOG_MAX)
		log->r[log->n++] = *r;
}

#endif
