/* workloads/tracewl_map.c - one traced mapping's life in trace replay: its
 * map attempts and their retries, the unmaps and syncs queued behind a map
 * that has not succeeded, and what is dropped with an abandoned map. */
#include "workloads/tracewl_impl.h"

#include "base/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(size_t) >= sizeof(uintptr_t),
	       "idmap values hold pointers");

#define OP_CHUNK 256

struct tw_op_chunk {
	struct tw_op_chunk *next;
	struct tw_op ops[OP_CHUNK];
};

/* ---- small helpers ------------------------------------------------------- */

static void answer(struct tracewl *tw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One answer line: the time since start, then the outcome. */
static void answer(struct tracewl *tw, const char *fmt, ...)
{
	va_list ap;

	if (!tw->cfg.answers)
		return;
	fprintf(tw->cfg.answers, "%" PRIu64 " ",
		(uint64_t)(machine_now(tw->m) - tw->t0));
	va_start(ap, fmt);
	vfprintf(tw->cfg.answers, fmt, ap);
	va_end(ap);
	fputc('\n', tw->cfg.answers);
}

void tw_run_fail(struct tracewl *tw)
{
	tw->failed = true;
	workload_stop(tw->w);
	machine_stop(tw->m);
}

/* Out of memory for `what` (bytes of it; NULL: a machine call that said
 * so itself): the run stops with that error, and the trace's own error
 * repeats it. */
static int out_of_memory(struct tracewl *tw, uint64_t bytes,
			 const char *what)
{
	const char *why;

	if (what)
		workload_fail_oom(tw->w, bytes, what);
	why = machine_error(tw->m);
	snprintf(tw->err, sizeof(tw->err), "%s", why ? why : "out of memory");
	return -1;
}

static void request_done(struct tracewl *tw, sim_time_t issued)
{
	struct workload_stats *s = &tw->w->stats;

	s->requests_completed++;
	stats_hist_add(&s->latency, machine_now(tw->m) - issued);
}

/* Ops come from chunks, freed at destroy even when the machine still
 * holds some as callback contexts. */
static struct tw_op *op_get(struct tracewl *tw)
{
	struct tw_op *op = tw->free_ops;

	if (!op) {
		struct tw_op_chunk *ch = calloc(1, sizeof(*ch));

		if (!ch) {
			out_of_memory(tw, sizeof(*ch), "trace ops");
			return NULL;
		}
		ch->next = tw->op_chunks;
		tw->op_chunks = ch;
		for (size_t i = OP_CHUNK; i-- > 0;) {
			ch->ops[i].next = tw->free_ops;
			tw->free_ops = &ch->ops[i];
		}
		op = tw->free_ops;
	}
	tw->free_ops = op->next;
	*op = (struct tw_op){ 0 };
	return op;
}

static void op_put(struct tracewl *tw, struct tw_op *op)
{
	op->next = tw->free_ops;
	tw->free_ops = op;
}

static void map_free(struct tracewl *tw, struct tw_map *mp)
{
	if (mp->prev)
		mp->prev->next = mp->next;
	else
		tw->maps = mp->next;
	if (mp->next)
		mp->next->prev = mp->prev;
	free(mp);
}

static const char *op_name(const struct tw_op *op)
{
	return op->op == OPTRACE_UNMAP ? "unmap" : "sync";
}

/* ---- unmap and sync ------------------------------------------------------ */

static void op_done(struct machine *m, void *ctx,
		    const struct machine_op_result *res)
{
	struct tw_op *op = ctx;
	struct tw_map *mp = op->map;
	struct tracewl *tw = mp->tw;

	(void)m;
	(void)res;
	mp->in_machine--;
	answer(tw, "%s %" PRIu64, op_name(op), mp->id);
	if (op->op == OPTRACE_UNMAP) {
		tw->c.unmaps_done++;
		tw->c.live--;
		mp->mapping = NULL;
	} else {
		tw->c.syncs_done++;
	}
	request_done(tw, op->issued);
	op_put(tw, op);
	if (mp->unmapped && !mp->mapping && !mp->in_machine)
		map_free(tw, mp);
}

/* Hands an op on a mapped buffer to the machine, on the mapping CPU. */
static int op_send(struct tracewl *tw, struct tw_op *op)
{
	struct tw_map *mp = op->map;
	int rc;

	if (op->op == OPTRACE_UNMAP) {
		rc = machine_unmap(tw->m, mp->cpu, mp->mapping, false,
				   op_done, op);
		tw->w->stats.unmaps += !rc;
	} else {
		rc = machine_sync(tw->m, mp->cpu, mp->mapping, op->target,
				  op->size, op_done, op);
		tw->w->stats.syncs += !rc;
	}
	if (rc)
		return out_of_memory(tw, 0, NULL);
	mp->in_machine++;
	return 0;
}

/* An op on a mapping that was abandoned: dropped. */
static void op_skip(struct tracewl *tw, struct tw_op *op)
{
	answer(tw, "skip %s %" PRIu64, op_name(op), op->map->id);
	tw->c.skipped_ops++;
	tw->w->stats.drops++;
	op_put(tw, op);
}

/* Sends op now, queues it behind its map, or drops it. */
static int op_submit(struct tracewl *tw, struct tw_op *op)
{
	struct tw_map *mp = op->map;

	switch (mp->state) {
	case TW_LIVE:
		return op_send(tw, op);
	case TW_ABANDONED:
		op_skip(tw, op);
		if (mp->unmapped)
			map_free(tw, mp);
		return 0;
	case TW_MAPPING:
	case TW_RETRY_WAIT:
		break;
	}
	if (mp->wait_tail)
		mp->wait_tail->next = op;
	else
		mp->wait_head = op;
	mp->wait_tail = op;
	tw->c.deferred_ops++;
	return 0;
}

/* ---- maps and their retries ---------------------------------------------- */

static void map_abandon(struct tracewl *tw, struct tw_map *mp)
{
	struct tw_op *op = mp->wait_head;

	mp->state = TW_ABANDONED;
	mp->wait_head = mp->wait_tail = NULL;
	answer(tw, "map %" PRIu64 " ABANDONED", mp->id);
	tw->c.maps_abandoned++;
	tw->w->stats.drops++;
	while (op) {
		struct tw_op *next = op->next;

		op_skip(tw, op);
		op = next;
	}
	if (mp->unmapped)
		map_free(tw, mp);
}

/* The map succeeded: what waited behind it goes to the machine, in order. */
static void map_flush(struct tracewl *tw, struct tw_map *mp)
{
	struct tw_op *op = mp->wait_head;

	mp->wait_head = mp->wait_tail = NULL;
	while (op) {
		struct tw_op *next = op->next;

		op->next = NULL;
		if (op_send(tw, op)) {
			tw_run_fail(tw);
			return;
		}
		op = next;
	}
}

static int map_attempt(struct tracewl *tw, struct tw_map *mp);

static void retry_action(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct tw_map *mp = subject;
	struct tracewl *tw = mp->tw;

	(void)eng;
	(void)arg;
	mp->retry = 0;
	if (tw->w->stopped)
		map_abandon(tw, mp);
	else if (map_attempt(tw, mp))
		tw_run_fail(tw);
}

static const char *status_name(enum machine_map_status s)
{
	return s == MACHINE_MAP_DMA_MASK ? "DMA_MASK" : "FULL";
}

static void map_failed(struct tracewl *tw, struct tw_map *mp,
		       enum machine_map_status status)
{
	uint64_t delay = tw->cfg.retry_delay_ns;

	tw->w->stats.map_failures++;
	tw->c.map_attempts_failed++;
	answer(tw, "map %" PRIu64 " %s", mp->id, status_name(status));
	if (tw->w->stopped ||
	    (tw->cfg.max_retries && mp->retries >= tw->cfg.max_retries)) {
		map_abandon(tw, mp);
		return;
	}
	mp->retries++;
	tw->w->stats.requeues++;
	tw->w->stats.requeue_wait_ns += delay;
	mp->state = TW_RETRY_WAIT;
	mp->retry = sim_schedule_in(machine_engine(tw->m), delay, retry_action,
				    mp, 0);
}

static void map_done(struct machine *m, void *ctx,
		     const struct machine_map_result *res)
{
	struct tw_map *mp = ctx;
	struct tracewl *tw = mp->tw;

	(void)m;
	tw->w->stats.maps++;
	if (res->status != MACHINE_MAP_OK) {
		map_failed(tw, mp, res->status);
		return;
	}
	mp->state = TW_LIVE;
	mp->mapping = res->mapping;
	tw->c.maps_ok++;
	tw->c.live++;
	if (res->transient)
		answer(tw, "map %" PRIu64 " TRANSIENT", mp->id);
	else
		answer(tw, "map %" PRIu64 " 0x%" PRIx64, mp->id, res->tlb_addr);
	request_done(tw, mp->issued);
	map_flush(tw, mp);
}

static int map_attempt(struct tracewl *tw, struct tw_map *mp)
{
	mp->state = TW_MAPPING;
	if (machine_map(tw->m, mp->cpu, mp->dev, mp->orig, (size_t)mp->size,
			mp->dir, mp->align, map_done, mp))
		return out_of_memory(tw, 0, NULL);
	return 0;
}

/* ---- the trace's op lines ------------------------------------------------ */

static enum dma_data_direction map_dir(enum optrace_dir d)
{
	switch (d) {
	case OPTRACE_DIR_TO_DEVICE: return DMA_TO_DEVICE;
	case OPTRACE_DIR_FROM_DEVICE: return DMA_FROM_DEVICE;
	default: return DMA_BIDIRECTIONAL;
	}
}

int tw_issue_map(struct tracewl *tw, const struct optrace_line *l)
{
	struct machine_device *dev = tw_check_map(tw, &tw->devs, tw->rd.path,
						  l, tw->err, sizeof(tw->err));
	struct tw_map *mp;

	if (!dev)
		return -1;
	if (idmap_get(&tw->ids, l->id, NULL)) {
		tw_line_error(tw->err, sizeof(tw->err), tw->rd.path, l,
			      "id=%" PRIu64 " is already live", l->id);
		return -1;
	}
	mp = calloc(1, sizeof(*mp));
	if (!mp)
		return out_of_memory(tw, sizeof(*mp), "trace map");
	*mp = (struct tw_map){
		.next = tw->maps, .tw = tw, .id = l->id,
		.cpu = (unsigned int)l->cpu, .dev = dev, .orig = l->orig,
		.size = l->size, .align = (uint32_t)l->align,
		.dir = map_dir(l->dir), .issued = machine_now(tw->m),
	};
	if (tw->maps)
		tw->maps->prev = mp;
	tw->maps = mp;
	if (idmap_put(&tw->ids, l->id, (size_t)(uintptr_t)mp))
		return out_of_memory(tw, idmap_grow_bytes(&tw->ids),
				     "table of live ids");
	tw->w->stats.requests_issued++;
	return map_attempt(tw, mp);
}

/* An unmap or sync line: the mapping it names, or NULL with the error. */
static struct tw_map *line_map(struct tracewl *tw,
			       const struct optrace_line *l)
{
	size_t v;

	if (!idmap_get(&tw->ids, l->id, &v)) {
		tw_line_error(tw->err, sizeof(tw->err), tw->rd.path, l,
			      "id=%" PRIu64 " is not a live mapping", l->id);
		return NULL;
	}
	return (struct tw_map *)(uintptr_t)v;
}

int tw_issue_unmap_or_sync(struct tracewl *tw, const struct optrace_line *l)
{
	struct tw_map *mp = line_map(tw, l);
	struct tw_op *op;
	uint64_t size = 0;

	if (!mp)
		return -1;
	if (l->op == OPTRACE_SYNC) {
		size = tw_check_sync(tw->rd.path, l, mp->size, tw->err,
				     sizeof(tw->err));
		if (!size)
			return -1;
	}
	op = op_get(tw);
	if (!op)
		return -1;
	op->map = mp;
	op->op = l->op;
	op->target = l->dir == OPTRACE_DIR_CPU ? MACHINE_SYNC_FOR_CPU :
						 MACHINE_SYNC_FOR_DEVICE;
	op->size = (size_t)size;
	op->issued = machine_now(tw->m);
	if (l->op == OPTRACE_UNMAP) {
		idmap_del(&tw->ids, l->id);
		mp->unmapped = true;
	}
	tw->w->stats.requests_issued++;
	return op_submit(tw, op);
}

void tw_maps_free(struct tracewl *tw)
{
	while (tw->maps)
		map_free(tw, tw->maps);
	while (tw->op_chunks) {
		struct tw_op_chunk *ch = tw->op_chunks;

		tw->op_chunks = ch->next;
		free(ch);
	}
	tw->free_ops = NULL;
}
