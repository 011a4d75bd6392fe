/* workloads/storage_dispatch.c - the life of an I/O: issue (closed loop) or
 * arrival (open loop), the per-CPU dispatch queue that maps a request's
 * segments and submits it, the requeue after a failed map, and completion
 * with its unmaps. */
#include "workloads/storage_impl.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

static void dispatch(struct storage_cpu *sc);
static void issue(struct storage_cpu *sc);

static struct machine *machine_of(const struct storage *st)
{
	return st->w->m;
}

/* Whether the generator may start another I/O. */
static bool may_issue(const struct storage *st)
{
	return !st->w->stopped && (!st->cfg.max_ios ||
				   st->w->stats.requests_issued < st->cfg.max_ios);
}

/* ---- completion -------------------------------------------------------- */

static void io_done(struct storage *st, struct storage_io *io)
{
	struct workload_stats *ws = &st->w->stats;
	struct storage_cpu *sc = io->sc;

	ws->requests_completed++;
	ws->bytes += io->size;
	stats_hist_add(&ws->latency, machine_now(machine_of(st)) - io->issued);
	sc->active--;
	io->next = st->free_ios;
	st->free_ios = io;
	if (sc->backlog_head) {
		struct storage_io *next = sc->backlog_head;

		sc->backlog_head = next->next;
		if (!sc->backlog_head)
			sc->backlog_tail = NULL;
		sc->backlog--;
		if (storage_split_io(st, next))
			return;	/* out of memory: the run stops */
		sc->active++;
		dispatch(sc);
	} else if (st->cfg.loop == STORAGE_CLOSED_LOOP && may_issue(st)) {
		issue(sc);
	}
}

static void rq_done(struct storage *st, struct storage_rq *rq)
{
	struct storage_io *io = rq->io;

	st->stats.block_requests_done++;
	storage_rq_put(st, rq);
	if (++io->rqs_done == io->nrqs)
		io_done(st, io);
}

static void on_unmapped(struct machine *m, void *ctx,
			const struct machine_op_result *res)
{
	struct storage_rq *rq = ctx;
	struct storage *st = rq->io->sc->st;

	(void)m;
	(void)res;
	if (++rq->nunmapped == rq->nunmapping)
		rq_done(st, rq);
}

/* The completion interrupt: unmap every segment on the CPU that took it
 * (dma_unmap_sg walks the list in order). */
static void on_io_done(struct machine *m, void *ctx,
		       const struct machine_io_result *res)
{
	struct storage_rq *rq = ctx;
	struct storage *st = rq->io->sc->st;

	rq->nunmapped = 0;
	rq->nunmapping = rq->nsegs;
	for (uint32_t i = 0; i < rq->nsegs; i++) {
		st->w->stats.unmaps++;
		/* -1: out of memory, and the run stops. */
		if (machine_unmap(m, res->cpu, rq->maps[i], false, on_unmapped,
				  rq))
			rq->nunmapping--;
	}
	if (rq->nunmapping == 0)
		rq_done(st, rq);
}

/* ---- dispatch ---------------------------------------------------------- */

static void submit(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;
	int ccpu = st->cfg.completion_cpu;

	sc->head = rq->next;
	if (!sc->head)
		sc->tail = NULL;
	sc->dispatching = false;
	if (machine_device_submit(machine_of(st), st->dev, rq->bytes,
				  ccpu < 0 ? sc->cpu : (unsigned int)ccpu,
				  on_io_done, rq))
		return;		/* out of memory: the run stops */
	dispatch(sc);
}

static void retry_action(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct storage_cpu *sc = subject;

	(void)eng;
	(void)arg;
	sc->head->nmapped = 0;
	sc->dispatching = false;
	dispatch(sc);
}

/* The failed attempt's unmaps are done: retry after the requeue delay. */
static void requeue(struct storage_cpu *sc)
{
	struct storage *st = sc->st;

	st->w->stats.requeues++;
	st->w->stats.requeue_wait_ns += st->cfg.requeue_delay_ns;
	sim_post_in(machine_engine(machine_of(st)), st->cfg.requeue_delay_ns,
		    retry_action, sc, 0);
}

static void on_failed_unmapped(struct machine *m, void *ctx,
			       const struct machine_op_result *res)
{
	struct storage_cpu *sc = ctx;
	struct storage_rq *rq = sc->head;

	(void)m;
	(void)res;
	if (++rq->nunmapped == rq->nunmapping)
		requeue(sc);
}

/* A map failed: give back what this attempt mapped (skipping the copy
 * back, as dma_map_sg's error path does), then requeue. */
static void unwind(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;

	rq->nunmapped = 0;
	rq->nunmapping = rq->nmapped;
	for (uint32_t i = 0; i < rq->nmapped; i++) {
		st->w->stats.unmaps++;
		if (machine_unmap(machine_of(st), sc->cpu, rq->maps[i], true,
				  on_failed_unmapped, sc))
			rq->nunmapping--;	/* out of memory: run stops */
	}
	if (rq->nunmapping == 0)
		requeue(sc);
}

static void map_next(struct storage_cpu *sc, struct storage_rq *rq);

static void on_mapped(struct machine *m, void *ctx,
		      const struct machine_map_result *res)
{
	struct storage_cpu *sc = ctx;
	struct storage *st = sc->st;
	struct storage_rq *rq = sc->head;

	(void)m;
	if (res->status != MACHINE_MAP_OK) {
		st->w->stats.map_failures++;
		if (res->status == MACHINE_MAP_DMA_MASK)
			st->stats.dma_mask_failures++;
		unwind(sc, rq);
		return;
	}
	rq->maps[rq->nmapped++] = res->mapping;
	if (rq->nmapped == rq->nsegs)
		submit(sc, rq);
	else
		map_next(sc, rq);
}

static void map_next(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;
	const struct storage_seg *seg = &rq->segs[rq->nmapped];
	enum dma_data_direction dir = rq->io->dir;

	st->w->stats.maps++;
	if (sizedist_hist_add(&st->stats.map_size, seg->len))
		workload_fail_oom(st->w,
				  sizedist_hist_grow_bytes(&st->stats.map_size),
				  "map size histogram");
	/* -1: out of memory, and the run stops (machine_fail_oom()). */
	(void)machine_map(machine_of(st), sc->cpu, st->dev, seg->addr,
			  (size_t)seg->len, dir, 0, on_mapped, sc);
}

/* Starts mapping the request at the head of sc's queue, unless one is
 * being mapped or waits for its retry. */
static void dispatch(struct storage_cpu *sc)
{
	if (sc->dispatching || !sc->head)
		return;
	sc->dispatching = true;
	map_next(sc, sc->head);
}

/* ---- issue and arrival ------------------------------------------------- */

/* A new I/O on sc: size and direction drawn; NULL when out of memory (the
 * run stops). */
static struct storage_io *new_io(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	struct storage_io *io = st->free_ios;

	if (io) {
		st->free_ios = io->next;
	} else {
		io = malloc(sizeof(*io));
		if (!io) {
			workload_fail_oom(st->w, sizeof(*io), "I/O");
			return NULL;
		}
		io->all_next = st->all_ios;
		st->all_ios = io;
	}
	io->sc = sc;
	io->issued = machine_now(machine_of(st));
	io->size = sizedist_sample(&st->sizes, st->w->rng);
	io->dir = rng_uniform(st->w->rng) < st->cfg.read_fraction ?
		  DMA_FROM_DEVICE : DMA_TO_DEVICE;
	io->nrqs = io->rqs_done = 0;
	io->next = NULL;
	st->w->stats.requests_issued++;
	if (io->dir == DMA_FROM_DEVICE)
		st->stats.reads++;
	else
		st->stats.writes++;
	return io;
}

/* Closed loop: a new I/O straight onto the dispatch queue. */
static void issue(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	struct storage_io *io = new_io(sc);

	if (!io || storage_split_io(st, io))
		return;		/* out of memory: the run stops */
	sc->active++;
	dispatch(sc);
}

static void schedule_arrival(struct storage_cpu *sc);

/* Open loop: an I/O arrives; it starts now or waits in the backlog. */
static void arrival_action(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct storage_cpu *sc = subject;
	struct storage *st = sc->st;
	struct storage_io *io;

	(void)eng;
	(void)arg;
	sc->arrival = 0;
	if (!may_issue(st))
		return;
	io = new_io(sc);
	if (!io) {
		return;		/* out of memory: the run stops */
	} else if (sc->active < st->cfg.queue_depth) {
		if (storage_split_io(st, io))
			return;	/* out of memory: the run stops */
		sc->active++;
		dispatch(sc);
	} else {
		if (sc->backlog_tail)
			sc->backlog_tail->next = io;
		else
			sc->backlog_head = io;
		sc->backlog_tail = io;
		if (++sc->backlog > st->stats.backlog_max)
			st->stats.backlog_max = sc->backlog;
	}
	schedule_arrival(sc);
}

static void schedule_arrival(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	double mean_ns = 1e9 * st->ncpus / st->cfg.rate_iops;
	double gap = rng_exponential(st->w->rng, mean_ns);

	if (!may_issue(st))
		return;
	sc->arrival = sim_schedule_in(machine_engine(machine_of(st)),
				      (sim_time_t)rng_llround(gap),
				      arrival_action, sc, 0);
}

int storage_begin(struct storage *st, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < st->ncpus; i++) {
		struct storage_cpu *sc = &st->cpu[i];

		if (st->cfg.loop == STORAGE_OPEN_LOOP) {
			schedule_arrival(sc);
			continue;
		}
		for (uint32_t q = 0; q < st->cfg.queue_depth && may_issue(st); q++)
			issue(sc);
	}
	return 0;
}

void storage_end(struct storage *st)
{
	for (unsigned int i = 0; i < st->ncpus; i++) {
		struct storage_cpu *sc = &st->cpu[i];

		if (sc->arrival)
			sim_cancel(machine_engine(machine_of(st)), sc->arrival);
		sc->arrival = 0;
	}
}
