/* workloads/mapbench.c - dma_map_benchmark's threads: stain, map, delay,
 * unmap, again; map and unmap latency moments; statistics as JSON. */
#include "workloads/mapbench.h"

#include "base/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mapbench;

/* One benchmark thread (a kthread bound to a CPU in the tool). */
struct mapbench_thread {
	struct mapbench *mb;
	unsigned int cpu;
	uint64_t orig;                 /* its buffer's physical address */
	uint64_t started;              /* iterations begun */
	sim_time_t iter_start;
	struct machine_mapping *mapping;
	bool running;
};

struct mapbench {
	struct workload *w;
	struct mapbench_config cfg;    /* strings point at the copies below */
	char *device_name, *cpus_text;
	struct machine_device *dev;
	uint64_t size;                 /* granule x page */
	uint64_t stain_ns;             /* memset of the buffer */
	struct mapbench_thread *thread;
	struct mapbench_stats stats;
};

static struct mapbench *mapbench_of(const struct workload *w)
{
	return w->impl;
}

/* ---- moments ----------------------------------------------------------- */

void mapbench_moments_add(struct mapbench_moments *mo, uint64_t x)
{
	double delta = (double)x - mo->mean;

	if (!mo->n || x < mo->min)
		mo->min = x;
	if (!mo->n || x > mo->max)
		mo->max = x;
	mo->n++;
	mo->mean += delta / (double)mo->n;
	mo->m2 += delta * ((double)x - mo->mean);
}

double mapbench_moments_stddev(const struct mapbench_moments *mo)
{
	return mo->n ? sqrt(mo->m2 / (double)mo->n) : 0.0;
}

/* ---- the loop ---------------------------------------------------------- */

static void iteration_begin(struct mapbench_thread *t);

/* A machine call found no memory: it stopped the run (machine_error()). */
static void machine_failed(struct mapbench_thread *t)
{
	t->running = false;
	t->mb->stats.threads_running--;
}

static void thread_end(struct mapbench_thread *t, uint32_t *reason)
{
	t->running = false;
	t->mb->stats.threads_running--;
	if (reason)
		(*reason)++;
}

/* The iteration is over (done or dropped): the next one, unless the
 * thread must end. An iteration of zero simulated time would repeat
 * forever at this instant, so it ends the thread. */
static void iteration_end(struct mapbench_thread *t)
{
	struct mapbench *mb = t->mb;

	if (machine_now(mb->w->m) == t->iter_start) {
		thread_end(t, &mb->stats.threads_stalled);
		return;
	}
	iteration_begin(t);
}

static void on_unmapped(struct machine *m, void *ctx,
			const struct machine_op_result *res)
{
	struct mapbench_thread *t = ctx;
	struct workload *w = t->mb->w;

	mapbench_moments_add(&t->mb->stats.unmap_ns, res->finished - res->started);
	w->stats.requests_completed++;
	w->stats.bytes += t->mb->size;
	stats_hist_add(&w->stats.latency, machine_now(m) - t->iter_start);
	iteration_end(t);
}

static void unmap(struct mapbench_thread *t)
{
	struct mapbench *mb = t->mb;

	mb->w->stats.unmaps++;
	if (machine_unmap(mb->w->m, t->cpu, t->mapping, false, on_unmapped, t))
		machine_failed(t);
	t->mapping = NULL;
}

static void on_delayed(struct machine *m, void *ctx,
		       const struct machine_op_result *res)
{
	(void)m;
	(void)res;
	unmap(ctx);
}

static void on_mapped(struct machine *m, void *ctx,
		      const struct machine_map_result *res)
{
	struct mapbench_thread *t = ctx;
	struct mapbench *mb = t->mb;

	mb->w->stats.maps++;
	if (res->status != MACHINE_MAP_OK) {
		mb->w->stats.map_failures++;
		mb->w->stats.drops++;
		if (mb->cfg.stop_on_failure)
			thread_end(t, &mb->stats.threads_failed);
		else
			iteration_end(t);
		return;
	}
	mapbench_moments_add(&mb->stats.map_ns, res->finished - res->started);
	t->mapping = res->mapping;
	if (!mb->cfg.delay_ns)
		unmap(t);
	else if (machine_cpu_wait(m, t->cpu, mb->cfg.delay_ns, on_delayed, t))
		machine_failed(t);
}

static void map(struct mapbench_thread *t)
{
	struct mapbench *mb = t->mb;

	if (machine_map(mb->w->m, t->cpu, mb->dev, t->orig, (size_t)mb->size,
			mb->cfg.dir, 0, on_mapped, t))
		machine_failed(t);
}

static void on_stained(struct machine *m, void *ctx,
		       const struct machine_op_result *res)
{
	(void)m;
	(void)res;
	map(ctx);
}

static void iteration_begin(struct mapbench_thread *t)
{
	struct mapbench *mb = t->mb;

	if (mb->w->stopped ||
	    (mb->cfg.iterations && t->started == mb->cfg.iterations)) {
		thread_end(t, NULL);
		return;
	}
	t->started++;
	t->iter_start = machine_now(mb->w->m);
	mb->w->stats.requests_issued++;
	if (!mb->stain_ns)
		map(t);
	else if (machine_cpu_work(mb->w->m, t->cpu, mb->stain_ns, on_stained, t))
		machine_failed(t);
}

/* ---- workload_ops ------------------------------------------------------ */

static int mapbench_start(struct workload *w, char *err, size_t errlen)
{
	struct mapbench *mb = mapbench_of(w);

	(void)err;
	(void)errlen;
	for (uint32_t i = 0; i < mb->stats.threads; i++) {
		mb->thread[i].running = true;
		mb->stats.threads_running++;
	}
	for (uint32_t i = 0; i < mb->stats.threads; i++)
		iteration_begin(&mb->thread[i]);
	return 0;
}

static uint64_t mapbench_in_flight(const struct workload *w)
{
	return w->stats.requests_issued - w->stats.requests_completed -
	       w->stats.drops;
}

static void mapbench_destroy(struct workload *w)
{
	struct mapbench *mb = mapbench_of(w);

	if (!mb)
		return;
	free(mb->thread);
	free(mb->device_name);
	free(mb->cpus_text);
	free(mb);
	w->impl = NULL;
}

static void write_moments(FILE *out, const char *key,
			  const struct mapbench_moments *mo)
{
	fprintf(out, ", \"%s\": {\"n\": %" PRIu64 ", \"mean\": %.17g"
		", \"stddev\": %.17g, \"min\": %" PRIu64 ", \"max\": %" PRIu64
		"}", key, mo->n, mo->mean, mapbench_moments_stddev(mo),
		mo->min, mo->max);
}

static const char *dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL: return "bidirectional";
	case DMA_TO_DEVICE: return "to_device";
	case DMA_FROM_DEVICE: return "from_device";
	}
	return "?";
}

static int mapbench_write_json(const struct workload *w, FILE *out)
{
	const struct mapbench *mb = mapbench_of(w);
	const struct mapbench_config *c = &mb->cfg;
	const struct mapbench_stats *s = &mb->stats;

	fprintf(out, "\"config\": {\"threads\": %" PRIu32 ", \"granule\": %"
		PRIu32 ", \"map_bytes\": %" PRIu64 ", \"dir\": \"%s\""
		", \"delay_ns\": %" PRIu64 ", \"iterations\": %" PRIu64
		", \"stain_buffer\": %s, \"stop_on_failure\": %s}",
		s->threads, c->granule, mb->size, dir_name(c->dir), c->delay_ns,
		c->iterations, c->stain_buffer ? "true" : "false",
		c->stop_on_failure ? "true" : "false");
	write_moments(out, "map_latency_ns", &s->map_ns);
	write_moments(out, "unmap_latency_ns", &s->unmap_ns);
	fprintf(out, ", \"threads_failed\": %" PRIu32 ", \"threads_stalled\": %"
		PRIu32 ", \"threads_running\": %" PRIu32, s->threads_failed,
		s->threads_stalled, s->threads_running);
	return ferror(out) ? -1 : 0;
}

/* The latency moments start afresh; the threads' state stays. */
static void mapbench_measure_from_now(struct workload *w)
{
	struct mapbench_stats *s = &mapbench_of(w)->stats;

	memset(&s->map_ns, 0, sizeof(s->map_ns));
	memset(&s->unmap_ns, 0, sizeof(s->unmap_ns));
}

static const struct workload_ops mapbench_ops = {
	.start = mapbench_start,
	.stop = NULL,
	.in_flight = mapbench_in_flight,
	.measure_from_now = mapbench_measure_from_now,
	.write_json = mapbench_write_json,
	.destroy = mapbench_destroy,
};

/* ---- construction ------------------------------------------------------ */

void mapbench_config_init(struct mapbench_config *cfg)
{
	*cfg = (struct mapbench_config){
		.device = NULL,
		.cpus = NULL,
		.threads = 0,
		.granule = 1,
		.dir = DMA_BIDIRECTIONAL,
		.delay_ns = 0,
		.iterations = 0,
		.stain_buffer = true,
		.stop_on_failure = true,
	};
}

static int find_device(struct mapbench *mb, char *err, size_t errlen)
{
	struct machine *m = mb->w->m;
	const char *name = mb->cfg.device;
	uint64_t max;

	mb->dev = name ? machine_device_find(m, name) :
		  machine_ndevices(m) ? machine_device_at(m, 0) : NULL;
	if (!mb->dev) {
		if (name)
			snprintf(err, errlen, "no device named \"%s\"", name);
		else
			snprintf(err, errlen, "the machine has no device");
		return -1;
	}
	max = machine_device_max_segment(mb->dev);
	if (mb->size > max) {
		snprintf(err, errlen, "granule %" PRIu32 " (%" PRIu64 " bytes) "
			 "exceeds device \"%s\"'s maximum mapping of %" PRIu64
			 " bytes", mb->cfg.granule, mb->size,
			 machine_device_name(mb->dev), max);
		return -1;
	}
	return 0;
}

/* Threads on their CPUs, each with its own buffer. */
static int make_threads(struct mapbench *mb, char *err, size_t errlen)
{
	struct machine *m = mb->w->m;
	unsigned int *cpus;
	int n = workload_parse_cpus(mb->cfg.cpus, machine_ncpus(m), &cpus, err,
				    errlen);
	uint64_t pages = MAPBENCH_PHYS_LIMIT / MAPBENCH_PAGE_SIZE;

	if (n < 0)
		return -1;
	mb->stats.threads = mb->cfg.threads ? mb->cfg.threads : (uint32_t)n;
	mb->thread = calloc(mb->stats.threads, sizeof(*mb->thread));
	if (!mb->thread) {
		free(cpus);
		return error_oom(err, errlen,
				 mb->stats.threads * sizeof(*mb->thread),
				 "%" PRIu32 " threads", mb->stats.threads);
	}
	for (uint32_t i = 0; i < mb->stats.threads; i++) {
		struct mapbench_thread *t = &mb->thread[i];

		t->mb = mb;
		t->cpu = cpus[i % (uint32_t)n];
		t->orig = rng_uniform_int(mb->w->rng, pages -
					      mb->cfg.granule + 1) *
			  MAPBENCH_PAGE_SIZE;
	}
	free(cpus);
	return 0;
}

static int setup(struct mapbench *mb, const struct mapbench_config *cfg,
		 char *err, size_t errlen)
{
	const struct machine_costs *costs = &machine_config(mb->w->m)->costs;

	mb->cfg = *cfg;
	if (error_strdup(&mb->device_name, cfg->device, "device name", err,
			 errlen) ||
	    error_strdup(&mb->cpus_text, cfg->cpus, "CPU list", err, errlen))
		return -1;
	mb->cfg.device = mb->device_name;
	mb->cfg.cpus = mb->cpus_text;
	if (cfg->granule < 1 || cfg->granule > MAPBENCH_MAX_GRANULE) {
		snprintf(err, errlen, "granule %" PRIu32 ": expected 1 to %d pages",
			 cfg->granule, MAPBENCH_MAX_GRANULE);
		return -1;
	}
	if (cfg->dir != DMA_BIDIRECTIONAL && cfg->dir != DMA_TO_DEVICE &&
	    cfg->dir != DMA_FROM_DEVICE) {
		snprintf(err, errlen, "dir %d: expected 0 (bidirectional), 1 "
			 "(to device) or 2 (from device)", (int)cfg->dir);
		return -1;
	}
	mb->size = (uint64_t)cfg->granule * MAPBENCH_PAGE_SIZE;
	if (cfg->stain_buffer && cfg->dir != DMA_FROM_DEVICE)
		mb->stain_ns = costs_transfer_ns(mb->size,
						 costs->copy_bytes_per_ns);
	return find_device(mb, err, errlen) ? -1 :
	       make_threads(mb, err, errlen);
}

struct workload *mapbench_new(struct machine *m, const char *name,
			      const struct mapbench_config *cfg, char *err,
			      size_t errlen)
{
	struct workload *w = calloc(1, sizeof(*w));
	struct mapbench *mb;
	char why[256] = "";

	if (!w) {
		error_oom(err, errlen, sizeof(*w), "workload %s", name);
		return NULL;
	}
	if (workload_init(w, m, name, "mapbench", &mapbench_ops, err, errlen)) {
		free(w);
		return NULL;
	}
	mb = calloc(1, sizeof(*mb));
	if (!mb) {
		error_oom(why, sizeof(why), sizeof(*mb), "mapbench state");
		goto fail;
	}
	mb->w = w;
	w->impl = mb;
	if (setup(mb, cfg, why, sizeof(why)))
		goto fail;
	return w;
fail:
	snprintf(err, errlen, "mapbench %s: %s", w->name, why);
	workload_destroy(w);
	return NULL;
}

const struct mapbench_stats *mapbench_stats(const struct workload *w)
{
	return &mapbench_of(w)->stats;
}

uint64_t mapbench_map_size(const struct workload *w)
{
	return mapbench_of(w)->size;
}
