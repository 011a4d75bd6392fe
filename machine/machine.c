/* machine/machine.c - building the machine from its configuration (checks,
 * allocator boot, CPUs, devices, statistics), tearing it down, and the
 * small accessors and run helpers of machine/machine.h.
 */
#include "machine/machine_impl.h"

#include "base/error.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A bound that catches a typo before it allocates gigabytes. */
#define MACHINE_MAX_CPUS 4096

void machine_config_init(struct machine_config *cfg, unsigned int ncpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ncpus = ncpus;
	swiotlb_boot_config_init(&cfg->boot, ncpus);
	cfg->force_bounce = true;
	machine_costs_init(&cfg->costs);
	cfg->cpu_slowdown = 1.0;
	cfg->hz = DEFAULT_HZ;
	cfg->slot_line_model = MACHINE_LINES_TOUCHED;
	cfg->atomic_pool_bytes = DEFAULT_ATOMIC_POOL_BYTES;
	cfg->grow_attempt_fail_prob = DEFAULT_GROW_ATTEMPT_FAIL_PROB;
	cfg->sample_interval_ns = DEFAULT_SAMPLE_INTERVAL_NS;
	cfg->event_log_limit = DEFAULT_EVENT_LOG_LIMIT;
	cfg->seed = DEFAULT_SEED;
}

static int check_jitter(const struct machine_device_config *d, char *err,
			size_t errlen)
{
	const struct machine_jitter *j = &d->jitter;
	const char *bad = NULL;

	if (!isfinite(j->a) || !isfinite(j->b))
		bad = "parameters must be finite";
	else if (j->kind == MACHINE_JITTER_EXPONENTIAL && j->a <= 0)
		bad = "exponential mean (a) must be > 0";
	else if (j->kind == MACHINE_JITTER_GAUSSIAN && j->a < 0)
		bad = "gaussian sigma (a) must be >= 0";
	else if (j->kind == MACHINE_JITTER_UNIFORM && j->a > j->b)
		bad = "uniform range needs a <= b";
	else if (j->kind == MACHINE_JITTER_LOGNORMAL && j->b < 0)
		bad = "lognormal sigma (b) must be >= 0";
	else if (j->kind == MACHINE_JITTER_GAMMA && (j->a <= 0 || j->b <= 0))
		bad = "gamma shape (a) and scale (b) must be > 0";
	else if (j->kind > MACHINE_JITTER_GAMMA)
		bad = "unknown kind";
	if (bad)
		snprintf(err, errlen, "device '%s': jitter: %s", d->name, bad);
	return bad ? -1 : 0;
}

static int check_device(const struct machine_config *cfg, size_t i,
			char *err, size_t errlen)
{
	const struct machine_device_config *d = &cfg->devices[i];
	const char *bad = NULL;

	if (!d->name || !*d->name) {
		snprintf(err, errlen, "device %zu: name must not be empty", i);
		return -1;
	}
	for (size_t j = 0; j < i; j++)
		if (strcmp(cfg->devices[j].name, d->name) == 0)
			bad = "name used twice";
	if (d->queue_depth < 1)
		bad = "queue_depth must be >= 1";
	else if (!(d->bytes_per_ns >= 0) || isinf(d->bytes_per_ns))
		bad = "bytes_per_ns must be finite and >= 0";
	else if ((d->seg_boundary & (d->seg_boundary + 1)) != 0 ||
		 d->seg_boundary < IO_TLB_SIZE - 1)
		bad = "seg_boundary must be 2^k - 1, at least 0x7ff";
	else if (d->dma_mask == 0)
		bad = "dma_mask must not be 0";
	else if (d->bounce > MACHINE_BOUNCE_NEVER)
		bad = "unknown bounce policy";
	else if (d->restricted_pool_bytes && d->bounce == MACHINE_BOUNCE_NEVER)
		bad = "a device with a restricted pool always bounces "
		      "(bounce must not be NEVER)";
	if (bad) {
		snprintf(err, errlen, "device '%s': %s", d->name, bad);
		return -1;
	}
	return check_jitter(d, err, errlen);
}

static int check_config(const struct machine_config *cfg, char *err,
			size_t errlen)
{
	const char *bad = NULL;

	if (cfg->ncpus < 1 || cfg->ncpus > MACHINE_MAX_CPUS)
		bad = "ncpus must be in 1..4096";
	else if (cfg->ndevices && !cfg->devices)
		bad = "ndevices > 0 but no devices";
	else if (!(cfg->costs.copy_bytes_per_ns >= 0) ||
		 isinf(cfg->costs.copy_bytes_per_ns))
		bad = "copy_bytes_per_ns must be finite and >= 0";
	else if (!(cfg->cpu_slowdown > 0) || isinf(cfg->cpu_slowdown))
		bad = "cpu_slowdown must be finite and > 0";
	else if (cfg->hz < 1)
		bad = "hz must be >= 1";
	else if (cfg->slot_line_model > MACHINE_LINES_DIRTY)
		bad = "unknown slot_line_model";
	else if (!(cfg->grow_attempt_fail_prob >= 0 &&
		   cfg->grow_attempt_fail_prob <= 1))
		bad = "grow_attempt_fail_prob must be in [0, 1]";
	if (bad) {
		snprintf(err, errlen, "machine: %s", bad);
		return -1;
	}
	for (size_t i = 0; i < cfg->ndevices; i++)
		if (check_device(cfg, i, err, errlen))
			return -1;
	return 0;
}

/* A failure machine_fail_oom() recorded while building, as its error. */
static int build_failed(const struct machine *m, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", m->error);
	return -1;
}

static int build_core(struct machine *m, char *err, size_t errlen)
{
	struct swiotlb_boot_config boot = m->cfg.boot;

	if (!boot.cpus)
		boot.cpus = m->ncpus;
	m->cfg.boot = boot;
	m->stats = stats_new(m->ncpus, err, errlen);
	if (!m->stats)
		return -1;
	m->events = stats_events_new(m->cfg.event_log_limit, err, errlen);
	if (!m->events)
		return -1;
	m->growth.rng = machine_rng_new(m, "growth", err, errlen);
	if (!m->growth.rng)
		return -1;
	m->mem = swiotlb_boot(&boot, err, errlen);
	if (!m->mem)
		return -1;
	atomic_attach(m);
	lock_table_init(&m->locks, m->mem, -1);
	for (const struct io_tlb_pool *p = m->mem->pools; p; p = p->next)
		if (lock_table_add_pool(m, &m->locks, p))
			return build_failed(m, err, errlen);
	return 0;
}

static int build_cpus_devices(struct machine *m, char *err, size_t errlen)
{
	size_t n = m->cfg.ndevices, nd = n ? n : 1;
	uint64_t restricted_at = MACHINE_RESTRICTED_BASE;

	if (!(m->cpus = calloc(m->ncpus, sizeof(*m->cpus))))
		return error_oom(err, errlen, m->ncpus * sizeof(*m->cpus),
				 "%u CPUs", m->ncpus);
	if (!(m->devices = calloc(nd, sizeof(*m->devices))) ||
	    !(m->device_cfgs = calloc(nd, sizeof(*m->device_cfgs))) ||
	    !(m->device_names = calloc(nd, sizeof(*m->device_names))))
		return error_oom(err, errlen, nd * sizeof(*m->devices),
				 "%zu devices", nd);
	for (unsigned int i = 0; i < m->ncpus; i++)
		m->cpus[i] = (struct machine_cpu){ .m = m, .id = i };
	for (size_t i = 0; i < n; i++) {
		if (device_init(m, &m->devices[i], i, &m->cfg.devices[i],
				&restricted_at, err, errlen))
			return -1;
		m->ndevices = i + 1;
		m->device_cfgs[i] = m->devices[i].cfg;
		m->device_names[i] = m->devices[i].name;
	}
	m->cfg.devices = m->device_cfgs;
	return 0;
}

struct machine *machine_new(const struct machine_config *cfg,
			    struct sim_engine *eng, char *err, size_t errlen)
{
	struct machine *m;

	assert(cfg && eng && err);
	if (check_config(cfg, err, errlen))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		error_oom(err, errlen, sizeof(*m), "machine");
		return NULL;
	}
	m->eng = eng;
	m->cfg = *cfg;
	machine_costs_scale(&m->cfg.costs, cfg->cpu_slowdown);
	m->ncpus = cfg->ncpus;
	m->host_free = cfg->host_cores && cfg->host_cores < cfg->ncpus ?
		       cfg->host_cores : cfg->ncpus;
	m->irq_cpu = -1;
	freelist_init(&m->ops, sizeof(struct machine_op), "CPU work items");
	freelist_init(&m->mappings, sizeof(struct machine_mapping),
		      "mappings");
	freelist_init(&m->ios, sizeof(struct machine_io), "device requests");
	if (build_core(m, err, errlen) ||
	    build_cpus_devices(m, err, errlen)) {
		machine_free(m);
		return NULL;
	}
	if (sampler_init(m, err, errlen)) {
		machine_free(m);
		return NULL;
	}
	return m;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	/* Transient pools give their bytes back through the atomic hook, so
	 * the devices go before the allocator. */
	for (size_t i = 0; i < m->ndevices; i++)
		device_destroy(&m->devices[i]);
	swiotlb_mem_free(m->mem);
	lock_table_free(&m->locks);
	sampler_destroy(&m->sampler);
	stats_series_free(m->series);
	stats_events_free(m->events);
	stats_free(m->stats);
	if (m->growth.rng)
		gsl_rng_free(m->growth.rng);
	freelist_destroy(&m->ops);
	freelist_destroy(&m->mappings);
	freelist_destroy(&m->ios);
	free(m->devices);
	free(m->device_cfgs);
	free(m->device_names);
	free(m->cpus);
	free(m);
}

void machine_log(struct machine *m, enum stats_event_kind kind, int32_t cpu,
		 int32_t device, uint64_t size, int64_t pool_id)
{
	struct stats_event ev = {
		.time_ns = sim_now(m->eng), .kind = kind, .cpu = cpu,
		.device = device, .size = size, .pool_id = pool_id,
	};

	char err[256];

	if (stats_events_add(m->events, &ev, err, sizeof(err)) < 0)
		machine_fail(m, err);
}

struct sim_engine *machine_engine(const struct machine *m)
{
	return m->eng;
}

sim_time_t machine_now(const struct machine *m)
{
	return sim_now(m->eng);
}

const struct machine_config *machine_config(const struct machine *m)
{
	return &m->cfg;
}

const struct io_tlb_mem *machine_mem(const struct machine *m)
{
	return m->mem;
}

void machine_reset_hiwater(struct machine *m)
{
	swiotlb_reset_hiwater(m->mem);
	for (size_t i = 0; i < m->ndevices; i++)
		if (m->devices[i].restricted)
			swiotlb_reset_hiwater(m->devices[i].restricted);
}

void machine_fail(struct machine *m, const char *msg)
{
	if (!m->error[0])
		snprintf(m->error, sizeof(m->error), "%s", msg);
	sim_stop(m->eng);
}

void machine_fail_oom(struct machine *m, uint64_t bytes, const char *what_fmt,
		      ...)
{
	char msg[sizeof(m->error)];
	va_list ap;

	va_start(ap, what_fmt);
	error_voom(msg, sizeof(msg), bytes, what_fmt, ap);
	va_end(ap);
	machine_fail(m, msg);
}

const char *machine_error(const struct machine *m)
{
	return m->error[0] ? m->error : NULL;
}

/* After a run: the engine's own failure becomes the machine's. */
static uint64_t run_checked(struct machine *m, uint64_t fired)
{
	const char *what;
	size_t bytes;

	if (sim_out_of_memory(m->eng, &what, &bytes))
		machine_fail_oom(m, bytes, "%s", what);
	return fired;
}

uint64_t machine_run(struct machine *m)
{
	return m->error[0] ? 0 : run_checked(m, sim_run(m->eng));
}

void machine_stop(struct machine *m)
{
	sim_stop(m->eng);
}

uint64_t machine_live_mappings(const struct machine *m)
{
	return m->live_mappings;
}

size_t machine_ndevices(const struct machine *m)
{
	return m->ndevices;
}

const struct stats *machine_stats(const struct machine *m)
{
	return m->stats;
}

const struct stats_series *machine_series(const struct machine *m)
{
	return m->series;
}

const struct stats_events *machine_events(const struct machine *m)
{
	return m->events;
}

uint64_t machine_run_until(struct machine *m, sim_time_t limit)
{
	return m->error[0] ? 0 :
			     run_checked(m, sim_run_until(m->eng, limit));
}

bool machine_idle(const struct machine *m)
{
	return m->busy_cpus == 0 && m->ios_in_flight == 0 &&
	       !m->growth.running;
}

struct machine_device *machine_device_at(struct machine *m, size_t i)
{
	return i < m->ndevices ? &m->devices[i] : NULL;
}

struct machine_device *machine_device_find(struct machine *m,
					   const char *name)
{
	for (size_t i = 0; i < m->ndevices; i++)
		if (strcmp(m->devices[i].name, name) == 0)
			return &m->devices[i];
	return NULL;
}

int machine_write_series_csv(const struct machine *m, FILE *out)
{
	return stats_series_write_csv(m->series, out);
}

int machine_write_events_csv(const struct machine *m, FILE *out)
{
	return stats_events_write_csv(m->events, out, m->device_names,
				      m->ndevices);
}

int machine_write_stats(const struct machine *m, FILE *out)
{
	return stats_write_text(m->stats, out);
}

sim_time_t machine_timer_at(const struct machine *m, sim_time_t delay_ns)
{
	sim_time_t tick = 1000000000ULL / m->cfg.hz;
	sim_time_t ticks = (delay_ns + tick - 1) / tick;
	sim_time_t now = sim_now(m->eng);

	if (!delay_ns)
		return now;
	return (now / tick + ticks) * tick;
}
