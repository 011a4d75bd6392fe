/* workloads/storage.c - the storage generator's set-up: configuration
 * defaults and checks, construction, the workload_ops, statistics as JSON.
 * The I/O path is in storage_split.c and storage_dispatch.c. */
#include "workloads/storage_impl.h"

#include "base/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void storage_config_init(struct storage_config *cfg)
{
	*cfg = (struct storage_config){
		.device = NULL,
		.cpus = NULL,
		.queue_depth = STORAGE_DEFAULT_QUEUE_DEPTH,
		.sizes = STORAGE_DEFAULT_SIZES,
		.read_fraction = STORAGE_DEFAULT_READ_FRACTION,
		.loop = STORAGE_CLOSED_LOOP,
		.rate_iops = STORAGE_DEFAULT_RATE_IOPS,
		.huge_page_fraction = 0.0,
		.adjacent_page_probability = 0.0,
		.retry = STORAGE_RETRY_BLK_MQ,
		.requeue_delay_ns = STORAGE_DEFAULT_REQUEUE_DELAY_NS,
		.restart_on_completion = false,
		.submit_cost_ns = COST_STORAGE_SUBMIT_NS,
		.complete_cost_ns = COST_STORAGE_COMPLETE_NS,
		.max_segments = STORAGE_DEFAULT_MAX_SEGMENTS,
		.max_transfer_bytes = 0,
		.completion_cpu = -1,
		.phys_limit = STORAGE_DEFAULT_PHYS_LIMIT,
		.max_ios = 0,
	};
}

static bool is_probability(double p)
{
	return p >= 0.0 && p <= 1.0;   /* false for NaN */
}

/* Every size the distribution can draw is a whole number of sectors. */
static bool sizes_are_sectors(const struct sizedist *d)
{
	switch (d->kind) {
	case SIZEDIST_FIXED:
		return d->lo % STORAGE_SECTOR_SIZE == 0;
	case SIZEDIST_UNIFORM:
		return d->lo % STORAGE_SECTOR_SIZE == 0 &&
		       d->step % STORAGE_SECTOR_SIZE == 0;
	case SIZEDIST_MIX:
		for (size_t i = 0; i < d->n; i++)
			if (d->entry[i].weight > 0 &&
			    d->entry[i].size % STORAGE_SECTOR_SIZE)
				return false;
		return true;
	case SIZEDIST_LOGNORMAL:
		return true;
	}
	return false;
}

/* Checks that need no machine. Returns 0, or -1 with a message. */
static int check_config(const struct storage_config *c, char *err,
			size_t errlen)
{
	const char *bad = NULL;

	if (c->queue_depth < 1)
		bad = "queue_depth must be at least 1";
	else if (!is_probability(c->read_fraction))
		bad = "read_fraction must be in [0, 1]";
	else if (!is_probability(c->huge_page_fraction))
		bad = "huge_page_fraction must be in [0, 1]";
	else if (!is_probability(c->adjacent_page_probability))
		bad = "adjacent_page_probability must be in [0, 1]";
	else if (c->loop == STORAGE_OPEN_LOOP &&
		 !(c->rate_iops > 0 && isfinite(c->rate_iops)))
		bad = "rate_iops must be a positive number in open loop";
	else if (c->loop != STORAGE_OPEN_LOOP && c->loop != STORAGE_CLOSED_LOOP)
		bad = "loop must be open or closed";
	else if (c->retry != STORAGE_RETRY_BLK_MQ &&
		 c->retry != STORAGE_RETRY_FIXED)
		bad = "retry must be blk-mq or fixed";
	else if (c->max_segments < 1)
		bad = "max_segments must be at least 1";
	else if (c->max_transfer_bytes % STORAGE_PAGE_SIZE)
		bad = "max_transfer_bytes must be a multiple of 4096 (or 0)";
	else if (c->phys_limit % STORAGE_PAGE_SIZE ||
		 c->phys_limit / STORAGE_PAGE_SIZE > UINT32_MAX)
		bad = "phys_limit must be a multiple of 4096, at most 16 TiB";
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	return 0;
}

/* Strings, sizes, CPUs and per-CPU state. */
static int setup(struct storage *st, const struct storage_config *cfg,
		 char *err, size_t errlen)
{
	struct machine *m = st->w->m;
	unsigned int *cpus = NULL;
	int n;

	st->cfg = *cfg;
	if (error_strdup(&st->device_name, cfg->device, "device name", err,
			 errlen) ||
	    error_strdup(&st->cpus_text, cfg->cpus, "CPU list", err, errlen) ||
	    error_strdup(&st->sizes_text, cfg->sizes ? cfg->sizes :
			 STORAGE_DEFAULT_SIZES, "sizes", err, errlen))
		return -1;
	st->cfg.device = st->device_name;
	st->cfg.cpus = st->cpus_text;
	st->cfg.sizes = st->sizes_text;
	if (sizedist_parse(st->sizes_text, &st->sizes, err, errlen))
		return -1;
	if (!sizes_are_sectors(&st->sizes)) {
		snprintf(err, errlen, "sizes \"%s\": every size must be a "
			 "multiple of 512 (a sector)", st->sizes_text);
		return -1;
	}
	n = workload_parse_cpus(cfg->cpus, machine_ncpus(m), &cpus, err,
				errlen);
	if (n < 0)
		return -1;
	st->ncpus = (unsigned int)n;
	st->cpu = calloc(st->ncpus, sizeof(*st->cpu));
	if (!st->cpu) {
		free(cpus);
		return error_oom(err, errlen, st->ncpus * sizeof(*st->cpu),
				 "state of %u CPUs", st->ncpus);
	}
	for (unsigned int i = 0; i < st->ncpus; i++)
		st->cpu[i] = (struct storage_cpu){ .st = st, .cpu = cpus[i] };
	free(cpus);
	return 0;
}

/* The device and the limits derived from it. */
static int setup_device(struct storage *st, char *err, size_t errlen)
{
	struct machine *m = st->w->m;
	const struct storage_config *c = &st->cfg;
	uint64_t largest_pages;

	st->dev = c->device ? machine_device_find(m, c->device) :
		  machine_ndevices(m) ? machine_device_at(m, 0) : NULL;
	if (!st->dev && c->device) {
		snprintf(err, errlen, "no device named \"%s\"", c->device);
		return -1;
	}
	if (!st->dev) {
		snprintf(err, errlen, "the machine has no device");
		return -1;
	}
	if (c->completion_cpu < -1 ||
	    (c->completion_cpu >= 0 &&
	     (unsigned int)c->completion_cpu >= machine_ncpus(m))) {
		snprintf(err, errlen, "completion_cpu %d: expected -1 or a CPU "
			 "below %u", c->completion_cpu, machine_ncpus(m));
		return -1;
	}
	st->max_segment = machine_device_max_segment(st->dev);
	st->seg_boundary = machine_device_config(st->dev)->seg_boundary;
	if (st->max_segment < STORAGE_PAGE_SIZE) {
		snprintf(err, errlen, "device \"%s\": its maximum segment (%" PRIu64
			 " bytes) is smaller than a page",
			 machine_device_name(st->dev), st->max_segment);
		return -1;
	}
	st->max_transfer = c->max_transfer_bytes ? c->max_transfer_bytes :
			   st->max_segment == UINT64_MAX ? UINT64_MAX :
			   st->max_segment / STORAGE_PAGE_SIZE * STORAGE_PAGE_SIZE;
	st->phys_pages = c->phys_limit / STORAGE_PAGE_SIZE;
	largest_pages = (sizedist_max(&st->sizes) + STORAGE_PAGE_SIZE - 1) /
			STORAGE_PAGE_SIZE;
	if (st->phys_pages < 2 || st->phys_pages < largest_pages) {
		snprintf(err, errlen, "phys_limit %" PRIu64 " is too small for "
			 "the largest I/O", c->phys_limit);
		return -1;
	}
	return 0;
}

/* ---- workload_ops ------------------------------------------------------ */

static int storage_start(struct workload *w, char *err, size_t errlen)
{
	return storage_begin(storage_of(w), err, errlen);
}

static void storage_stop(struct workload *w)
{
	storage_end(storage_of(w));
}

static uint64_t storage_in_flight(const struct workload *w)
{
	return w->stats.requests_issued - w->stats.requests_completed;
}

static void storage_destroy(struct workload *w)
{
	struct storage *st = storage_of(w);

	if (!st)
		return;
	while (st->all_rqs) {
		struct storage_rq *next = st->all_rqs->all_next;

		free(st->all_rqs);
		st->all_rqs = next;
	}
	while (st->all_ios) {
		struct storage_io *next = st->all_ios->all_next;

		free(st->all_ios);
		st->all_ios = next;
	}
	sizedist_hist_free(&st->stats.rq_size);
	sizedist_hist_free(&st->stats.segments);
	sizedist_hist_free(&st->stats.map_size);
	free(st->cpu);
	free(st->device_name);
	free(st->cpus_text);
	free(st->sizes_text);
	free(st);
	w->impl = NULL;
}

/* A size limit; UINT64_MAX (none) as null, which JSON readers keep exact. */
static void write_limit_json(FILE *out, const char *key, uint64_t bytes)
{
	if (bytes == UINT64_MAX)
		fprintf(out, ", \"%s\": null", key);
	else
		fprintf(out, ", \"%s\": %" PRIu64, key, bytes);
}

static void write_config_json(const struct storage *st, FILE *out)
{
	const struct storage_config *c = &st->cfg;
	char sizes[1024];

	sizedist_format(&st->sizes, sizes, sizeof(sizes));
	fputs("\"config\": {\"device\": ", out);
	workload_json_string(out, machine_device_name(st->dev));
	fputs(", \"cpus\": ", out);
	workload_json_string(out, c->cpus ? c->cpus : "");
	fputs(", \"sizes\": ", out);
	workload_json_string(out, sizes);
	fprintf(out, ", \"queue_depth\": %" PRIu32 ", \"read_fraction\": %.17g"
		", \"loop\": \"%s\", \"rate_iops\": %.17g"
		", \"huge_page_fraction\": %.17g"
		", \"adjacent_page_probability\": %.17g"
		", \"retry\": \"%s\", \"requeue_delay_ns\": %" PRIu64
		", \"restart_on_completion\": %s"
		", \"submit_cost_ns\": %" PRIu64 ", \"complete_cost_ns\": %" PRIu64
		", \"max_segments\": %" PRIu32,
		c->queue_depth, c->read_fraction,
		c->loop == STORAGE_OPEN_LOOP ? "open" : "closed", c->rate_iops,
		c->huge_page_fraction, c->adjacent_page_probability,
		c->retry == STORAGE_RETRY_FIXED ? "fixed" : "blk-mq",
		c->requeue_delay_ns,
		c->restart_on_completion ? "true" : "false",
		c->submit_cost_ns, c->complete_cost_ns, c->max_segments);
	write_limit_json(out, "max_transfer_bytes", st->max_transfer);
	write_limit_json(out, "max_segment_bytes", st->max_segment);
	fprintf(out, ", \"completion_cpu\": %d, \"phys_limit\": %" PRIu64
		", \"max_ios\": %" PRIu64 "}",
		c->completion_cpu, c->phys_limit, c->max_ios);
}

static void write_hist_json(FILE *out, const char *key,
			    const struct sizedist_hist *h)
{
	fprintf(out, ", \"%s\": \"", key);
	sizedist_hist_write(h, out);
	fputc('"', out);
}

static int storage_write_json(const struct workload *w, FILE *out)
{
	const struct storage *st = storage_of(w);
	const struct storage_stats *s = &st->stats;
	const struct sizedist_hist *segs = &s->segments;

	write_config_json(st, out);
	fprintf(out, ", \"reads\": %" PRIu64 ", \"writes\": %" PRIu64
		", \"block_requests\": %" PRIu64
		", \"block_requests_completed\": %" PRIu64
		", \"split_ios\": %" PRIu64 ", \"segment_limit_splits\": %" PRIu64
		", \"dma_mask_failures\": %" PRIu64
		", \"failed_requests\": %" PRIu64 ", \"queue_runs\": %" PRIu64
		", \"runs_after_failure\": %" PRIu64
		", \"runs_by_timer\": %" PRIu64
		", \"runs_by_restart\": %" PRIu64
		", \"backlog_max\": %" PRIu64
		", \"segments_per_request\": {\"mean\": %.17g, \"min\": %" PRIu64
		", \"max\": %" PRIu64 "}",
		s->reads, s->writes, s->block_requests, s->block_requests_done,
		s->split_ios, s->segment_limit_splits, s->dma_mask_failures,
		s->failed_requests, s->queue_runs, s->runs_after_failure,
		s->runs_by_timer, s->runs_by_restart, s->backlog_max,
		sizedist_hist_mean(segs),
		segs->n ? segs->bins[0].value : 0,
		segs->n ? segs->bins[segs->n - 1].value : 0);
	write_hist_json(out, "segments_per_request_hist", segs);
	write_hist_json(out, "rq_size_hist", &s->rq_size);
	write_hist_json(out, "map_size_hist", &s->map_size);
	return ferror(out) ? -1 : 0;
}

/* The figures start afresh; the backlog's maximum from what waits now. */
static void storage_measure_from_now(struct workload *w)
{
	struct storage *st = storage_of(w);
	struct storage_stats *s = &st->stats;

	sizedist_hist_free(&s->rq_size);
	sizedist_hist_free(&s->segments);
	sizedist_hist_free(&s->map_size);
	memset(s, 0, sizeof(*s));
	for (unsigned int c = 0; c < st->ncpus; c++)
		if (st->cpu[c].backlog > s->backlog_max)
			s->backlog_max = st->cpu[c].backlog;
}

static const struct workload_ops storage_ops = {
	.start = storage_start,
	.stop = storage_stop,
	.in_flight = storage_in_flight,
	.measure_from_now = storage_measure_from_now,
	.write_json = storage_write_json,
	.destroy = storage_destroy,
};

/* ---- construction ------------------------------------------------------ */

struct workload *storage_new(struct machine *m, const char *name,
			     const struct storage_config *cfg, char *err,
			     size_t errlen)
{
	struct workload *w = calloc(1, sizeof(*w));
	struct storage *st;
	char why[512] = "";

	if (!w) {
		error_oom(err, errlen, sizeof(*w), "workload %s", name);
		return NULL;
	}
	if (workload_init(w, m, name, "storage", &storage_ops, err, errlen)) {
		free(w);
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		error_oom(why, sizeof(why), sizeof(*st), "storage state");
		goto fail;
	}
	st->w = w;
	w->impl = st;
	if (check_config(cfg, why, sizeof(why)) ||
	    setup(st, cfg, why, sizeof(why)) ||
	    setup_device(st, why, sizeof(why)))
		goto fail;
	return w;
fail:
	snprintf(err, errlen, "storage %s: %s", w->name, why);
	workload_destroy(w);
	return NULL;
}

const struct storage_stats *storage_stats(const struct workload *w)
{
	return &storage_of(w)->stats;
}

uint64_t storage_max_transfer(const struct workload *w)
{
	return storage_of(w)->max_transfer;
}
