/* machine/machine_device.c - DMA devices: up to queue_depth requests in
 * service at once, sharing one link whose transfers run one at a time at
 * the device's bandwidth, each followed by the request's latency and
 * jitter; completions come back as interrupts on a chosen CPU;
 * completions that arrive while that CPU's interrupt from the device
 * still waits to run join it.
 */
#include "machine/machine_impl.h"

#include "base/error.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

void machine_device_config_init(struct machine_device_config *dc,
				const char *name)
{
	*dc = (struct machine_device_config){
		.name = name,
		.queue_depth = DEFAULT_DEVICE_QUEUE_DEPTH,
		.latency_ns = DEFAULT_DEVICE_LATENCY_NS,
		.bytes_per_ns = DEFAULT_DEVICE_BYTES_PER_NS,
		.jitter = { .kind = MACHINE_JITTER_NONE },
		.min_align_mask = DEFAULT_DEVICE_MIN_ALIGN_MASK,
		.seg_boundary = DEFAULT_DEVICE_SEG_BOUNDARY,
		.dma_mask = DEFAULT_DEVICE_DMA_MASK,
		.max_segment_size = 0,
	};
}

/* Where a restricted pool of `bytes` goes: at *at rounded up to a page,
 * or past any pool of the default swiotlb it would overlap. */
static uint64_t restricted_place(const struct machine *m, uint64_t at,
				 uint64_t bytes)
{
	uint64_t page = machine_page_size(m);
	bool moved = true;

	at = (at + page - 1) / page * page;
	while (moved) {
		moved = false;
		for (const struct io_tlb_pool *p = m->mem->pools; p;
		     p = p->next) {
			if (at < p->end && p->start < at + bytes) {
				at = (p->end + page - 1) / page * page;
				moved = true;
			}
		}
	}
	return at;
}

/* The device's own io_tlb_mem and its lock table, when it has one. */
static int restricted_init(struct machine *m, struct machine_device *dev,
			   uint64_t *at, char *err, size_t errlen)
{
	uint64_t bytes = dev->cfg.restricted_pool_bytes;
	uint64_t base;
	char why[256];

	dev->locks = &m->locks;
	if (!bytes)
		return 0;
	base = restricted_place(m, *at, bytes);
	dev->restricted = swiotlb_restricted_create(base, bytes,
						    m->mem->page_size, why,
						    sizeof(why));
	if (!dev->restricted) {
		snprintf(err, errlen, "device '%s': restricted pool: %s",
			 dev->name, why);
		return -1;
	}
	*at = base + bytes;
	lock_table_init(&dev->restricted_locks, dev->restricted,
			(int32_t)dev->index);
	dev->locks = &dev->restricted_locks;
	if (lock_table_add_pool(m, dev->locks, dev->restricted->pools)) {
		snprintf(err, errlen, "device '%s': %s", dev->name,
			 machine_error(m));
		return -1;
	}
	return 0;
}

int device_init(struct machine *m, struct machine_device *dev, size_t index,
		const struct machine_device_config *cfg,
		uint64_t *restricted_at, char *err, size_t errlen)
{
	char stream[256];

	dev->m = m;
	dev->index = index;
	dev->cfg = *cfg;
	dev->name = strdup(cfg->name);
	snprintf(stream, sizeof(stream), "device:%s", cfg->name);
	if (!dev->name)
		error_oom(err, errlen, strlen(cfg->name) + 1,
			  "device name '%s'", cfg->name);
	else
		dev->rng = machine_rng_new(m, stream, err, errlen);
	if (!dev->rng) {
		free(dev->name);
		*dev = (struct machine_device){ 0 };
		return -1;
	}
	dev->cfg.name = dev->name;
	dev->irq_pending = calloc(m->ncpus, sizeof(*dev->irq_pending));
	dev->batch_tail = calloc(m->ncpus, sizeof(*dev->batch_tail));
	if (!dev->irq_pending || !dev->batch_tail) {
		error_oom(err, errlen, 2 * m->ncpus * sizeof(void *),
			  "device '%s': interrupt batches", cfg->name);
		device_destroy(dev);
		*dev = (struct machine_device){ 0 };
		return -1;
	}
	lock_init(&dev->transient_lock, -1);
	if (restricted_init(m, dev, restricted_at, err, errlen)) {
		device_destroy(dev);
		*dev = (struct machine_device){ 0 };
		return -1;
	}
	swiotlb_dev_init(&dev->sdev, dev->restricted ? dev->restricted : m->mem,
			 cfg->min_align_mask, cfg->seg_boundary);
	return 0;
}

/* Releases the device's transient pools (before the allocator goes), its
 * restricted pool and its own memory. */
void device_destroy(struct machine_device *dev)
{
	if (dev->m && dev->sdev.mem)
		swiotlb_dev_release(&dev->sdev);
	lock_table_free(&dev->restricted_locks);
	swiotlb_mem_free(dev->restricted);
	dev->restricted = NULL;
	if (dev->rng)
		gsl_rng_free(dev->rng);
	dev->rng = NULL;
	free(dev->name);
	dev->name = NULL;
	free(dev->irq_pending);
	dev->irq_pending = NULL;
	free(dev->batch_tail);
	dev->batch_tail = NULL;
}

static double jitter_draw(const struct machine_jitter *j, gsl_rng *r)
{
	switch (j->kind) {
	case MACHINE_JITTER_NONE: return 0.0;
	case MACHINE_JITTER_EXPONENTIAL: return gsl_ran_exponential(r, j->a);
	case MACHINE_JITTER_GAUSSIAN: return gsl_ran_gaussian(r, j->a);
	case MACHINE_JITTER_UNIFORM: return gsl_ran_flat(r, j->a, j->b);
	case MACHINE_JITTER_LOGNORMAL: return gsl_ran_lognormal(r, j->a, j->b);
	case MACHINE_JITTER_GAMMA: return gsl_ran_gamma(r, j->a, j->b);
	}
	return 0.0;
}

/* latency + jitter, at least 0, in whole nanoseconds: the part of a
 * request's service that is its own, not the link's. */
static sim_time_t latency_ns(struct machine_device *dev)
{
	double t = (double)dev->cfg.latency_ns;

	if (dev->cfg.jitter.kind == MACHINE_JITTER_NONE)
		return dev->cfg.latency_ns;
	t += jitter_draw(&dev->cfg.jitter, dev->rng);
	return t > 0.0 ? (sim_time_t)llround(t) : 0;
}

/* The device's link: transfers take it one at a time, in the order their
 * requests enter service, each for bytes / bandwidth. So a device with
 * many requests in service moves bytes at its bandwidth in all, not at
 * its bandwidth per request. First come first served needs no event of
 * its own: when a request starts, its transfer's end is known already.
 * Returns that end. */
static sim_time_t link_transfer(struct machine_device *dev, sim_time_t now,
				uint64_t bytes)
{
	sim_time_t start = dev->link_at > now ? dev->link_at : now;

	dev->link_at = start + costs_transfer_ns(bytes, dev->cfg.bytes_per_ns);
	return dev->link_at;
}

static void io_complete_action(struct sim_engine *eng, void *subject,
			       uint64_t arg);

/* The throttle, like QEMU's: an IOPS bucket and a bandwidth bucket, each
 * admitting requests in arrival order at its own rate; a request completes
 * no earlier than both have admitted it. */
static sim_time_t throttle_done(struct machine_device *dev, sim_time_t now,
				uint64_t bytes)
{
	sim_time_t done = now;

	if (dev->cfg.iops_limit > 0) {
		sim_time_t start = dev->iops_at > now ? dev->iops_at : now;

		dev->iops_at = start + (sim_time_t)llround(1e9 / dev->cfg.iops_limit);
		done = dev->iops_at;
	}
	if (dev->cfg.bandwidth_limit > 0) {
		sim_time_t start = dev->bytes_at > now ? dev->bytes_at : now;

		dev->bytes_at = start + (sim_time_t)llround((double)bytes /
							  dev->cfg.bandwidth_limit);
		if (dev->bytes_at > done)
			done = dev->bytes_at;
	}
	return done;
}

static void io_start(struct machine *m, struct machine_io *io)
{
	struct machine_device *dev = io->dev;
	sim_time_t done, admitted;

	dev->in_service++;
	io->started = sim_now(m->eng);
	done = link_transfer(dev, io->started, io->bytes) + latency_ns(dev);
	admitted = throttle_done(dev, io->started, io->bytes);
	sim_post_at(m->eng, done > admitted ? done : admitted,
		    io_complete_action, io, 0);
}

static struct machine_io *io_pop_waiting(struct machine_device *dev)
{
	struct machine_io *io = dev->wait_head;

	if (!io)
		return NULL;
	dev->wait_head = io->next;
	if (!dev->wait_head)
		dev->wait_tail = NULL;
	dev->nwaiting--;
	io->next = NULL;
	return io;
}

/* The device is done: free its slot, start the next waiting request,
 * raise the interrupt on the completion CPU. */
static void io_complete_action(struct sim_engine *eng, void *subject,
			       uint64_t arg)
{
	struct machine_io *io = subject;
	struct machine_device *dev = io->dev;
	struct machine *m = dev->m;
	struct machine_io *next;
	struct machine_op *op;

	(void)arg;
	io->completed = sim_now(eng);
	dev->in_service--;
	stats_counters_mut(m->stats)->io_completed++;
	next = io_pop_waiting(dev);
	if (next)
		io_start(m, next);
	io->next = NULL;
	if (dev->irq_pending[io->cpu]) {
		dev->batch_tail[io->cpu]->next = io;
		dev->batch_tail[io->cpu] = io;
		return;
	}
	op = op_new(m, OP_IRQ, io->cpu, io->ctx);
	if (!op)
		return;		/* out of memory: the run stops */
	op->io = io;
	op->dev = dev;
	op->cost_ns = m->cfg.costs.irq_ns;
	dev->irq_pending[io->cpu] = op;
	dev->batch_tail[io->cpu] = io;
	cpu_enqueue(m, op);
}

/* The handler runs: its batch is closed (later completions raise a new
 * interrupt). */
void io_irq_begin(struct machine *m, struct machine_op *op)
{
	struct machine_device *dev = op->dev;
	unsigned int cpu = op->cpu->id;

	if (dev->irq_pending[cpu] == op)
		dev->irq_pending[cpu] = NULL;
	op_finish_at(m, op, op->started + op->cost_ns);
}

/* One completion of the batch: accounted, its callback fired, in the
 * interrupt's context. */
static void io_handled(struct machine *m, const struct machine_op *op,
		       struct machine_io *io)
{
	struct machine_io_result res = {
		.dev = io->dev, .cpu = io->cpu, .bytes = io->bytes,
		.submitted = io->submitted, .started = io->started,
		.completed = io->completed, .handled = sim_now(m->eng),
	};
	machine_io_fn cb = io->cb;
	void *ctx = io->ctx;
	int saved;

	stats_hist_add(stats_io_latency_mut(m->stats),
		       res.handled - io->submitted);
	m->ios_in_flight--;
	freelist_put(&m->ios, io);
	if (!cb)
		return;
	op_context_enter(m, op, &saved);
	cb(m, ctx, &res);
	op_context_leave(m, saved);
}

void io_irq_finish(struct machine *m, struct machine_op *op)
{
	struct machine_io *io = op->io;

	stats_counters_mut(m->stats)->irqs++;
	while (io) {
		struct machine_io *next = io->next;

		io_handled(m, op, io);
		io = next;
	}
}

int machine_device_submit(struct machine *m, struct machine_device *dev,
			  uint64_t bytes, unsigned int completion_cpu,
			  machine_io_fn cb, void *ctx)
{
	struct machine_io *io;
	struct stats_counters *c;

	assert(m && dev && dev->m == m && completion_cpu < m->ncpus);
	sampler_wake(m);
	io = machine_take(m, &m->ios);
	if (!io)
		return -1;
	*io = (struct machine_io){ .dev = dev, .cpu = completion_cpu,
				   .bytes = bytes, .cb = cb, .ctx = ctx,
				   .submitted = sim_now(m->eng) };
	c = stats_counters_mut(m->stats);
	c->io_submitted++;
	c->io_bytes += bytes;
	m->ios_in_flight++;
	if (dev->in_service < dev->cfg.queue_depth) {
		io_start(m, io);
		return 0;
	}
	if (dev->wait_tail)
		dev->wait_tail->next = io;
	else
		dev->wait_head = io;
	dev->wait_tail = io;
	dev->nwaiting++;
	return 0;
}

size_t machine_device_index(const struct machine_device *dev)
{
	return dev->index;
}

const char *machine_device_name(const struct machine_device *dev)
{
	return dev->name;
}

uint32_t machine_device_in_flight(const struct machine_device *dev)
{
	return dev->in_service;
}

size_t machine_device_waiting(const struct machine_device *dev)
{
	return dev->nwaiting;
}

const struct machine_device_config *
machine_device_config(const struct machine_device *dev)
{
	return &dev->cfg;
}

const struct io_tlb_mem *
machine_device_restricted(const struct machine_device *dev)
{
	return dev->restricted;
}

const struct machine_device_counters *
machine_device_counters(const struct machine_device *dev)
{
	return &dev->counters;
}

/* dma_addressing_limited(): the mask falls short of the required mask,
 * the all-ones mask that covers the last page of memory. */
static bool addressing_limited(const struct machine_device *dev)
{
	uint64_t memory = dev->m->cfg.memory_bytes;
	uint64_t page = machine_page_size(dev->m);
	uint64_t last, required;

	if (!memory)
		return true;
	last = memory > page ? memory - page : 0;
	required = last ? UINT64_MAX >> __builtin_clzll(last) : 0;
	return dev->cfg.dma_mask < required;
}

/* dma_direct_max_mapping_size(): only a device that may bounce is held to
 * the swiotlb's limit; one that never takes the direct path (an IOMMU
 * translates for it) has none from here. */
static uint64_t dma_max_mapping_size(const struct machine_device *dev)
{
	bool may_bounce;

	if (dev->cfg.bounce == MACHINE_BOUNCE_NEVER && !dev->restricted)
		return UINT64_MAX;
	may_bounce = machine_device_force_bounce(dev) ||
		     addressing_limited(dev);
	if (!may_bounce || !dev->sdev.mem->nslabs)
		return UINT64_MAX;
	return swiotlb_max_mapping_size(&dev->sdev);
}

uint64_t machine_device_max_segment(const struct machine_device *dev)
{
	uint64_t max = dma_max_mapping_size(dev);

	if (dev->cfg.max_segment_size && dev->cfg.max_segment_size < max)
		max = dev->cfg.max_segment_size;
	return max;
}
