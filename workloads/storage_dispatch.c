/* workloads/storage_dispatch.c - the life of a block request: issue (closed
 * loop) or arrival (open loop) of I/Os; on each submitting CPU a chain that
 * does one thing at a time: submit a new request (its CPU cost, its maps,
 * the device) or run the hardware queue; blk-mq's resource retry (dispatch
 * list, SCHED_RESTART, the delayed run) or the fixed-delay one; completion
 * with its unmaps and CPU cost. */
#include "workloads/storage_impl.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

static void issue(struct storage_cpu *sc);
static void try_issue(struct storage_cpu *sc);

static struct machine *machine_of(const struct storage *st)
{
	return st->w->m;
}

/* Whether the generator may start another I/O. */
static bool may_issue(const struct storage *st)
{
	return !st->w->stopped && (!st->cfg.max_ios ||
				   st->ios_issued < st->cfg.max_ios);
}

/* A machine call found no memory: the machine recorded the error and
 * stopped the run (machine_error()); the workload goes on only so that its
 * state stays whole until the run returns. */
static void machine_failed(struct storage *st)
{
	(void)st;
}

static void rq_append(struct storage_rq **head, struct storage_rq **tail,
		      struct storage_rq *rq)
{
	rq->next = NULL;
	if (*tail)
		(*tail)->next = rq;
	else
		*head = rq;
	*tail = rq;
}

static struct storage_rq *rq_pop(struct storage_rq **head,
				 struct storage_rq **tail)
{
	struct storage_rq *rq = *head;

	if (!rq)
		return NULL;
	*head = rq->next;
	if (!*head)
		*tail = NULL;
	rq->next = NULL;
	return rq;
}

/* ---- the delayed queue run (blk_mq_delay_run_hw_queue) ----------------- */

enum run_reason { RUN_TIMER, RUN_RESTART };

static void run_timer_action(struct sim_engine *eng, void *subject,
			     uint64_t arg)
{
	struct storage_cpu *sc = subject;

	(void)eng;
	sc->run_timer = 0;
	sc->run_due = true;
	sc->run_by_timer = arg == RUN_TIMER;
	storage_advance(sc);
}

/* kblockd_mod_delayed_work_on(): the run happens at `at` on the queue's
 * CPU, replacing a pending one, even one due and not started yet. */
static void arm_run(struct storage_cpu *sc, sim_time_t at,
		    enum run_reason why)
{
	struct sim_engine *eng = machine_engine(machine_of(sc->st));

	if (sc->run_timer)
		sim_cancel(eng, sc->run_timer);
	sc->run_due = false;
	sc->run_timer = sim_schedule_at(eng, at, run_timer_action, sc, why);
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
		if (storage_split_io(st, next)) {
			machine_failed(st);
			return;
		}
		sc->active++;
		storage_advance(sc);
	} else if (st->cfg.loop == STORAGE_CLOSED_LOOP && may_issue(st)) {
		issue(sc);
	}
}

/* The request is freed: a driver that ends requests one by one reruns a
 * SCHED_RESTART queue at once (blk_mq_sched_restart); then the I/O may be
 * complete. */
static void rq_done(struct storage *st, struct storage_rq *rq)
{
	struct storage_io *io = rq->io;
	struct storage_cpu *sc = io->sc;

	st->stats.block_requests_done++;
	storage_rq_put(st, rq);
	if (st->cfg.retry == STORAGE_RETRY_BLK_MQ &&
	    st->cfg.restart_on_completion && sc->restart) {
		/* blk_mq_run_hw_queue() runs only a queue with requests
		 * waiting: not one whose run has them in hand. */
		sc->restart = false;
		if (sc->disp_head)
			arm_run(sc, machine_now(machine_of(st)), RUN_RESTART);
	}
	if (++io->rqs_done == io->nrqs)
		io_done(st, io);
}

static void on_completed(struct machine *m, void *ctx,
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
 * (dma_unmap_sg walks the list in order), then the rest of the completion
 * path's CPU. */
static void on_io_done(struct machine *m, void *ctx,
		       const struct machine_io_result *res)
{
	struct storage_rq *rq = ctx;
	struct storage *st = rq->io->sc->st;

	rq->nunmapped = 0;
	rq->nunmapping = rq->nsegs + 1;
	for (uint32_t i = 0; i < rq->nsegs; i++) {
		st->w->stats.unmaps++;
		if (machine_unmap(m, res->cpu, rq->maps[i], false, on_completed,
				  rq)) {
			machine_failed(st);
			rq->nunmapping--;
		}
	}
	if (!st->cfg.complete_cost_ns) {
		rq->nunmapping--;
	} else if (machine_cpu_work(m, res->cpu, st->cfg.complete_cost_ns,
				    on_completed, rq)) {
		machine_failed(st);
		rq->nunmapping--;
	}
	if (rq->nunmapping == 0)
		rq_done(st, rq);
}

/* ---- the chain --------------------------------------------------------- */

static void chain_done(struct storage_cpu *sc)
{
	sc->step = STEP_IDLE;
	sc->cur = NULL;
	storage_advance(sc);
}

/* The next request of a queue run, or the run's end. */
static void run_next(struct storage_cpu *sc)
{
	sc->cur = rq_pop(&sc->run_head, &sc->run_tail);
	if (!sc->cur) {
		chain_done(sc);
		return;
	}
	try_issue(sc);
}

/* blk_mq_sched_dispatch_requests() on this CPU: the whole dispatch list,
 * SCHED_RESTART set, tried in order. `trigger` counts what started a run
 * that has work. */
static void queue_run(struct storage_cpu *sc, uint64_t *trigger)
{
	if (!sc->disp_head) {
		chain_done(sc);
		return;
	}
	sc->st->stats.queue_runs++;
	(*trigger)++;
	sc->run_head = sc->disp_head;
	sc->run_tail = sc->disp_tail;
	sc->disp_head = sc->disp_tail = NULL;
	sc->restart = true;
	sc->step = STEP_RUN;
	run_next(sc);
}

static void on_submit_cost(struct machine *m, void *ctx,
			   const struct machine_op_result *res)
{
	(void)m;
	(void)res;
	try_issue(ctx);
}

/* A new request: the submission path's CPU, then the direct issue. */
static void submit_new(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;

	sc->step = STEP_SUBMIT;
	sc->cur = rq;
	if (!st->cfg.submit_cost_ns) {
		try_issue(sc);
	} else if (machine_cpu_work(machine_of(st), sc->cpu,
				    st->cfg.submit_cost_ns, on_submit_cost,
				    sc)) {
		machine_failed(st);
		try_issue(sc);
	}
}

void storage_advance(struct storage_cpu *sc)
{
	struct storage_rq *rq;

	if (sc->step != STEP_IDLE)
		return;
	if (sc->run_due) {
		struct storage_stats *s = &sc->st->stats;

		sc->run_due = false;
		queue_run(sc, sc->run_by_timer ? &s->runs_by_timer :
						 &s->runs_by_restart);
		return;
	}
	rq = rq_pop(&sc->head, &sc->tail);
	if (rq)
		submit_new(sc, rq);
}

/* ---- an attempt: map the segments, hand the request to the device ------ */

static void attempt_ok(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	struct storage_rq *rq = sc->cur;
	int ccpu = st->cfg.completion_cpu;

	if (machine_device_submit(machine_of(st), st->dev, rq->bytes,
				  ccpu < 0 ? sc->cpu : (unsigned int)ccpu,
				  on_io_done, rq))
		machine_failed(st);
	if (sc->step == STEP_RUN)
		run_next(sc);
	else
		chain_done(sc);
}

static void fixed_retry_action(struct sim_engine *eng, void *subject,
			       uint64_t arg)
{
	(void)eng;
	(void)arg;
	try_issue(subject);
}

/* The driver returned BLK_STS_RESOURCE for sc->cur (its maps given
 * back). */
static void attempt_failed(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	struct storage_rq *rq = sc->cur;
	sim_time_t now = machine_now(machine_of(st));

	st->stats.failed_requests += !rq->failed;
	rq->failed = true;
	rq->failed_at = now;
	st->w->stats.requeues++;
	if (st->cfg.retry == STORAGE_RETRY_FIXED) {
		sc->step = STEP_FIXED;
		sim_post_in(machine_engine(machine_of(st)),
			    st->cfg.requeue_delay_ns, fixed_retry_action, sc,
			    0);
		return;
	}
	rq_append(&sc->disp_head, &sc->disp_tail, rq);
	if (sc->step == STEP_SUBMIT) {
		/* blk_mq_try_issue_directly(): to the list's tail, and a
		 * synchronous run of the queue. */
		queue_run(sc, &st->stats.runs_after_failure);
		return;
	}
	/* blk_mq_dispatch_rq_list(): the failed request and the rest of
	 * the run back to the list; run again at once when SCHED_RESTART
	 * was cleared meanwhile, else after BLK_MQ_RESOURCE_DELAY. */
	while (sc->run_head)
		rq_append(&sc->disp_head, &sc->disp_tail,
			  rq_pop(&sc->run_head, &sc->run_tail));
	if (!sc->restart)
		arm_run(sc, now, RUN_RESTART);
	else
		arm_run(sc, machine_timer_at(machine_of(st),
					     STORAGE_RESOURCE_DELAY_NS),
			RUN_TIMER);
	chain_done(sc);
}

static void on_failed_unmapped(struct machine *m, void *ctx,
			       const struct machine_op_result *res)
{
	struct storage_cpu *sc = ctx;
	struct storage_rq *rq = sc->cur;

	(void)m;
	(void)res;
	if (++rq->nunmapped == rq->nunmapping)
		attempt_failed(sc);
}

/* A map failed: give back what this attempt mapped (skipping the copy
 * back, as dma_map_sg's error path does). */
static void unwind(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;

	rq->nunmapped = 0;
	rq->nunmapping = rq->nmapped;
	for (uint32_t i = 0; i < rq->nmapped; i++) {
		st->w->stats.unmaps++;
		if (machine_unmap(machine_of(st), sc->cpu, rq->maps[i], true,
				  on_failed_unmapped, sc)) {
			machine_failed(st);
			rq->nunmapping--;
		}
	}
	if (rq->nunmapping == 0)
		attempt_failed(sc);
}

static void map_next(struct storage_cpu *sc, struct storage_rq *rq);

static void on_mapped(struct machine *m, void *ctx,
		      const struct machine_map_result *res)
{
	struct storage_cpu *sc = ctx;
	struct storage *st = sc->st;
	struct storage_rq *rq = sc->cur;

	(void)m;
	st->w->stats.maps++;
	if (res->status != MACHINE_MAP_OK) {
		st->w->stats.map_failures++;
		if (res->status == MACHINE_MAP_DMA_MASK)
			st->stats.dma_mask_failures++;
		unwind(sc, rq);
		return;
	}
	rq->maps[rq->nmapped++] = res->mapping;
	if (rq->nmapped == rq->nsegs)
		attempt_ok(sc);
	else
		map_next(sc, rq);
}

static void map_next(struct storage_cpu *sc, struct storage_rq *rq)
{
	struct storage *st = sc->st;
	const struct storage_seg *seg = &rq->segs[rq->nmapped];
	enum dma_data_direction dir = rq->io->dir;

	if (sizedist_hist_add(&st->stats.map_size, seg->len))
		workload_fail_oom(st->w,
				  sizedist_hist_grow_bytes(&st->stats.map_size),
				  "map size histogram");
	if (machine_map(machine_of(st), sc->cpu, st->dev, seg->addr,
			(size_t)seg->len, dir, 0, on_mapped, sc))
		machine_failed(st);
}

/* Issues sc->cur to the driver (nvme_queue_rq): its maps in order. */
static void try_issue(struct storage_cpu *sc)
{
	struct storage_rq *rq = sc->cur;

	if (rq->failed)
		sc->st->w->stats.requeue_wait_ns +=
			machine_now(machine_of(sc->st)) - rq->failed_at;
	rq->nmapped = 0;
	map_next(sc, rq);
}

/* ---- issue and arrival ------------------------------------------------- */

/* A new I/O on sc: size and direction drawn; NULL when out of memory. */
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
	st->ios_issued++;
	if (io->dir == DMA_FROM_DEVICE)
		st->stats.reads++;
	else
		st->stats.writes++;
	return io;
}

/* Closed loop: a new I/O's requests after the CPU's submissions. */
static void issue(struct storage_cpu *sc)
{
	struct storage *st = sc->st;
	struct storage_io *io = new_io(sc);

	if (!io || storage_split_io(st, io)) {
		machine_failed(st);
		return;
	}
	sc->active++;
	storage_advance(sc);
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
		machine_failed(st);
	} else if (sc->active < st->cfg.queue_depth) {
		if (storage_split_io(st, io)) {
			machine_failed(st);
		} else {
			sc->active++;
			storage_advance(sc);
		}
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
