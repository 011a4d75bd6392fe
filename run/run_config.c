/* run/run_config.c - from a scenario to the machine's configuration: the
 * swiotlb boot parameters and force bounce, the cost model, the devices
 * (bounce policy, restricted pools). */
#include "run/run.h"

#include "base/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* The CoCo rule of arch/x86/mm/mem_encrypt.c: 6% of memory, clamped to
 * [IO_TLB_DEFAULT_SIZE, 1 GiB]. */
static uint64_t coco_pool_bytes(uint64_t memory)
{
	uint64_t bytes = memory / 100 * 6 + memory % 100 * 6 / 100;

	if (bytes < 64 * MiB)
		bytes = 64 * MiB;
	if (bytes > GiB)
		bytes = GiB;
	return bytes;
}

/* kernel/dma/pool.c: 128 KiB per GiB of memory, at least 128 KiB, at most
 * MAX_ORDER_NR_PAGES (4 MiB with 4 KiB pages). */
static uint64_t atomic_pool_bytes(uint64_t memory)
{
	uint64_t bytes = memory / GiB * (128 << 10);

	if (bytes < (128 << 10))
		bytes = 128 << 10;
	return bytes > 4 * MiB ? 4 * MiB : bytes;
}

static int boot_config(const struct scenario *s, struct swiotlb_boot_config *b,
		       char *err, size_t errlen)
{
	const struct scenario_swiotlb *sw = &s->swiotlb;
	unsigned int order = 0;

	swiotlb_boot_config_init(b, s->machine.cpus);
	if (sw->param && *sw->param) {
		if (swiotlb_parse_param(sw->param, &b->param, err, errlen))
			return -1;
	} else {
		b->param.nslabs_set = sw->slabs != 0;
		b->param.nslabs = sw->slabs;
		b->param.nareas_set = sw->areas != 0;
		b->param.nareas = sw->areas;
		b->param.force = sw->force;
	}
	if (sw->coco)
		b->adjust_size_bytes = coco_pool_bytes(s->machine.memory);
	b->dynamic = sw->dynamic;
	b->start = sw->start;
	b->page_size = s->machine.page_size;
	while ((b->page_size << order) < sw->max_pool_size)
		order++;
	b->max_page_order = order;
	return 0;
}

static enum machine_profile machine_profile(enum scenario_profile p)
{
	switch (p) {
	case SCENARIO_PROFILE_VM: return MACHINE_PROFILE_VM;
	case SCENARIO_PROFILE_COCO_VM: return MACHINE_PROFILE_COCO_VM;
	case SCENARIO_PROFILE_HOST: break;
	}
	return MACHINE_PROFILE_HOST;
}

/* A cost the scenario wrote (not 0) replaces the profile's. */
#define COST(field, key) \
	do { if (c->key) m->field = c->key; } while (0)

static void costs_config(const struct scenario_costs *c,
			 struct machine_costs *m)
{
	COST(map_call_ns, map_call);
	COST(unmap_call_ns, unmap_call);
	COST(sync_call_ns, sync_call);
	COST(area_try_ns, area_try);
	COST(slot_examine_ns, slot_examine);
	COST(slot_write_ns, slot_write);
	COST(pool_step_ns, pool_step);
	COST(copy_bytes_per_ns, copy_bandwidth);
	COST(lock_ns, lock);
	COST(lock_handoff_ns, lock_handoff);
	COST(slot_line_transfer_ns, slot_line_transfer);
	COST(irq_ns, irq);
	COST(idle_wakeup_ns, idle_wakeup);
	COST(transient_create_ns, transient_create);
	COST(transient_page_ns, transient_page);
	COST(transient_free_ns, transient_free);
	COST(grow_queue_ns, grow_queue);
	COST(grow_attempt_ns, grow_attempt);
	COST(page_alloc_ns, page_alloc);
	COST(page_decrypt_ns, page_decrypt);
}

/* Jitter with mean jitter_cv x latency: exponential, or log-normal with
 * sigma 1 (so the median is mean / e^0.5). */
static struct machine_jitter device_jitter(const struct scenario_device *d)
{
	struct machine_jitter j = { MACHINE_JITTER_NONE, 0, 0 };
	double mean = d->jitter_cv * (double)d->latency;

	if (d->jitter == SCENARIO_JITTER_EXPONENTIAL && mean > 0) {
		j.kind = MACHINE_JITTER_EXPONENTIAL;
		j.a = mean;
	} else if (d->jitter == SCENARIO_JITTER_LOGNORMAL && mean > 0) {
		j.kind = MACHINE_JITTER_LOGNORMAL;
		j.b = 1.0;
		j.a = log(mean) - 0.5;
	}
	return j;
}

static enum machine_bounce device_bounce(enum scenario_bounce b)
{
	switch (b) {
	case SCENARIO_BOUNCE_ALWAYS: return MACHINE_BOUNCE_ALWAYS;
	case SCENARIO_BOUNCE_NEVER: return MACHINE_BOUNCE_NEVER;
	case SCENARIO_BOUNCE_AUTO: break;
	}
	return MACHINE_BOUNCE_AUTO;
}

static void device_config(const struct scenario_device *d,
			  struct machine_device_config *dc)
{
	machine_device_config_init(dc, d->name);
	dc->bounce = device_bounce(d->bounce);
	dc->restricted_pool_bytes = d->restricted_pool;
	dc->queue_depth = d->queue_depth;
	dc->latency_ns = d->latency;
	dc->bytes_per_ns = d->bandwidth;
	dc->jitter = device_jitter(d);
	dc->min_align_mask = (uint32_t)d->min_align_mask;
	dc->seg_boundary = d->seg_boundary;
	dc->dma_mask = d->dma_bits >= 64 ? UINT64_MAX :
		       (1ULL << d->dma_bits) - 1;
	dc->max_segment_size = d->max_segment_size;
	dc->iops_limit = d->iops_limit;
	dc->bandwidth_limit = d->bandwidth_limit;
}

int run_build_machine_config(const struct scenario *s,
			     struct machine_config *cfg,
			     struct machine_device_config **devices,
			     char *err, size_t errlen)
{
	struct machine_device_config *devs;

	machine_config_init(cfg, s->machine.cpus);
	if (boot_config(s, &cfg->boot, err, errlen))
		return -1;
	/* swiotlb=force (written as param or as force), or a CoCo guest
	 * (x86 adds SWIOTLB_FORCE for CC_ATTR_GUEST_MEM_ENCRYPT). */
	cfg->force_bounce = cfg->boot.param.force || s->swiotlb.coco;
	machine_costs_profile(&cfg->costs, machine_profile(s->machine.profile));
	costs_config(&s->machine.costs, &cfg->costs);
	cfg->cpu_slowdown = s->machine.cpu_slowdown;
	cfg->host_cores = s->machine.host_cores;
	cfg->hz = s->machine.hz;
	cfg->memory_bytes = s->machine.memory;
	cfg->slot_line_model = s->machine.slot_lines == SCENARIO_LINES_DIRTY ?
			       MACHINE_LINES_DIRTY : MACHINE_LINES_TOUCHED;
	devs = calloc(s->ndevices ? s->ndevices : 1, sizeof(*devs));
	if (!devs)
		return error_oom(err, errlen, (s->ndevices ? s->ndevices : 1) *
				 sizeof(*devs), "%zu devices", s->ndevices);
	for (size_t i = 0; i < s->ndevices; i++)
		device_config(&s->devices[i], &devs[i]);
	cfg->devices = devs;
	cfg->ndevices = s->ndevices;
	cfg->atomic_pool_bytes = s->swiotlb.atomic_pool ? s->swiotlb.atomic_pool :
				 atomic_pool_bytes(s->machine.memory);
	cfg->grow_attempt_fail_prob = s->swiotlb.growth_failure_probability;
	cfg->sample_interval_ns = s->run.sample_interval;
	cfg->seed = s->run.seed;
	*devices = devs;
	return 0;
}
