/* machine/machine_impl.h - the machine's private types and the functions its
 * files share; nothing outside machine/ includes this.
 *
 * Event subjects: an op (CPU work phases), an io (device completion), the
 * machine itself (growth worker, sampler).
 */
#ifndef SWSIM_MACHINE_MACHINE_IMPL_H
#define SWSIM_MACHINE_MACHINE_IMPL_H

#include "machine/machine.h"

#include <assert.h>
#include <string.h>

/* ---- fixed-size object free lists (ops, mappings, device requests) ---- */

struct freelist {
	const char *what;          /* what the objects are, for errors */
	size_t size;               /* bytes per object */
	void *free;                /* chain through each object's first word */
	void *chunks;              /* chain of allocated chunks */
};

void freelist_init(struct freelist *fl, size_t size, const char *what);
/* Adds a chunk of objects to the list; -1 when out of memory. */
int freelist_refill(struct freelist *fl);
/* The bytes of one chunk: what a failed refill asked for. */
size_t freelist_chunk_bytes(const struct freelist *fl);
/* An object, not zeroed (callers set every field: cheaper than zeroing a
 * run-time size and then writing the fields); NULL: no memory. Inline:
 * every op takes one, every map two. */
static inline void *freelist_take(struct freelist *fl)
{
	void *obj;

	if (!fl->free && freelist_refill(fl))
		return NULL;
	obj = fl->free;
	memcpy(&fl->free, obj, sizeof(void *));
	return obj;
}
/* Inline for the same reason. */
static inline void freelist_put(struct freelist *fl, void *obj)
{
	memcpy(obj, &fl->free, sizeof(void *));
	fl->free = obj;
}
void freelist_destroy(struct freelist *fl);
/* Stops the run: fl could not grow (machine_fail_oom()). */
void freelist_failed(struct machine *m, const struct freelist *fl);

/* ---- area locks ---- */

struct machine_lock {
	sim_time_t free_at;        /* when the last reservation releases it */
	int32_t last_cpu;          /* -1: never held */
	long stats_area;           /* index in struct stats; -1: none */
	/* MACHINE_LINES_DIRTY: slot lines a CPU wrote and no other CPU has
	 * read since. */
	int32_t dirty_cpu;         /* -1: none */
	uint64_t dirty_lines;
};

/* One hold of a lock, as an op asks for it. */
struct lock_hold {
	sim_time_t arrive;
	sim_time_t work_ns;        /* the search or release under the lock */
	uint64_t touched_lines;    /* slot-metadata lines read or written */
	uint64_t written_lines;    /* of those, written */
};

struct lock_pool {
	uint32_t pool_id;
	uint32_t nareas;
	struct machine_lock *locks;
};

/* One lock per area of every non-transient pool of one io_tlb_mem (the
 * default swiotlb, or a device's restricted pool: pool ids start at 0 in
 * each, so locks are keyed by (mem, pool id): one table per mem), sorted
 * by pool id (ids grow as pools are added). */
struct lock_table {
	const struct io_tlb_mem *mem;
	int32_t device;            /* -1: the default swiotlb; else the device
				      whose restricted pool (for statistics) */
	struct lock_pool *pools;
	size_t npools, cap;
};

/* What one op spent on locks, added to the counters when it finishes. */
struct lock_tally {
	sim_time_t wait_ns;
	uint64_t acquisitions, handoffs;
};

void lock_init(struct machine_lock *lk, long stats_area);
/* An empty table for mem's pools. */
void lock_table_init(struct lock_table *t, const struct io_tlb_mem *mem,
		     int32_t device);
/* Adds the locks of a non-transient pool not in t yet; -1 when out of
 * memory, which has stopped the run (machine_fail_oom()). */
int lock_table_add_pool(struct machine *m, struct lock_table *t,
			const struct io_tlb_pool *pool);
void lock_table_free(struct lock_table *t);
/* lock_find() when t has more than one pool or not this one. */
struct machine_lock *lock_find_slow(struct machine *m, struct lock_table *t,
				    uint32_t pool_id, uint32_t area);
/* The lock of an area of a non-transient pool of t's mem (registering a
 * pool it has not seen yet), or NULL for a transient pool (or when out of
 * memory, which stops the run). Inline: without
 * growth there is one pool, and every map and unmap asks. */
static inline struct machine_lock *lock_find(struct machine *m,
					     struct lock_table *t,
					     uint32_t pool_id, uint32_t area)
{
	if (t->npools == 1 && t->pools[0].pool_id == pool_id) {
		assert(area < t->pools[0].nareas);
		return &t->pools[0].locks[area];
	}
	return lock_find_slow(m, t, pool_id, area);
}

/* ---- CPUs and their work ---- */

enum op_kind { OP_MAP, OP_UNMAP, OP_SYNC, OP_IRQ, OP_WORK };

struct machine_io;

struct machine_op {
	struct machine_op *next;   /* queue link (first word: free list) */
	enum op_kind kind;
	bool irq;                  /* interrupt priority */
	struct machine_cpu *cpu;
	struct machine_device *dev;
	struct machine_mapping *mapping;
	struct machine_io *io;
	uint64_t orig_addr, size;
	enum dma_data_direction dir;
	uint32_t alloc_align_mask;
	bool skip_cpu_sync;
	enum machine_sync_target target;
	sim_time_t cost_ns;        /* OP_WORK */
	sim_time_t issued, started;
	struct lock_tally locks;
	sim_time_t copy_ns;
	uint64_t bytes_copied;
	/* outcome, for the accounting at the finish */
	bool direct;               /* a map that did not bounce */
	enum machine_map_status status;
	uint64_t tlb_addr;
	uint32_t pool_id;
	bool transient_made, transient_freed;
	uint64_t transient_bytes;
	union {
		machine_map_fn map;
		machine_done_fn done;
		machine_io_fn io;
	} cb;
	void *ctx;
};

struct op_fifo {
	struct machine_op *head, *tail;
	size_t len;
};

struct machine_cpu {
	struct machine *m;
	unsigned int id;
	struct op_fifo irq_q, q;
	struct machine_op *current;
	/* Waiting for a host core (machine_config.host_cores). */
	bool host_waiting;
	struct machine_cpu *host_next;
};

/* Queues op on its CPU and starts it if the CPU is idle. */
void cpu_enqueue(struct machine *m, struct machine_op *op);
/* Schedules the op's finish (accounting, callback, next work) at t. */
void op_finish_at(struct machine *m, struct machine_op *op, sim_time_t t);
/* Adds a copy of `bytes` to the op at time t; returns when it ends. */
sim_time_t op_copy(struct machine *m, struct machine_op *op, sim_time_t t,
		   uint64_t bytes);
/* Runs a callback in the op's context (interrupt priority or not). */
void op_context_enter(struct machine *m, const struct machine_op *op,
		      int *saved);
void op_context_leave(struct machine *m, int saved);

void map_begin(struct machine *m, struct machine_op *op);
void map_finish(struct machine *m, struct machine_op *op);
void unmap_begin(struct machine *m, struct machine_op *op);
void unmap_finish(struct machine *m, struct machine_op *op);
void sync_begin(struct machine *m, struct machine_op *op);
void sync_finish(struct machine *m, struct machine_op *op);
/* The time of a release the allocator reported in w, laid out from t. */
sim_time_t release_layout(struct machine *m, struct machine_op *op,
			  const struct swiotlb_work *w, sim_time_t t);
void io_irq_begin(struct machine *m, struct machine_op *op);
void io_irq_finish(struct machine *m, struct machine_op *op);

/* ---- mappings and devices ---- */

struct machine_mapping {
	struct machine_mapping *next_free;
	struct machine_device *dev;
	uint64_t tlb_addr, orig_addr, size;
	enum dma_data_direction dir;
	bool transient;
	bool bounced;              /* false: tlb_addr is orig_addr, no slots */
	bool unmap_issued;         /* the caller gave it up */
	bool released;             /* the allocator freed its slots */
	uint32_t refs;             /* ops queued or running on it */
};

void mapping_put(struct machine *m, struct machine_mapping *mp);

struct machine_io {
	struct machine_io *next;   /* device wait queue, then its interrupt's
				      batch (first word) */
	struct machine_device *dev;
	unsigned int cpu;
	uint64_t bytes;
	sim_time_t submitted, started, completed;
	machine_io_fn cb;
	void *ctx;
};

struct machine_device {
	struct machine *m;
	size_t index;
	char *name;
	struct machine_device_config cfg;   /* cfg.name points at name */
	struct swiotlb_dev sdev;   /* sdev.mem: restricted, or the machine's */
	struct io_tlb_mem *restricted;      /* owned; NULL: none */
	struct lock_table restricted_locks; /* the restricted pool's locks */
	struct lock_table *locks;  /* the locks of sdev.mem's pools */
	struct machine_device_counters counters;
	gsl_rng *rng;
	uint32_t in_service;
	struct machine_io *wait_head, *wait_tail;
	size_t nwaiting;
	/* When the throttle's IOPS and bandwidth buckets admit the next
	 * request, and when the link is free for the next transfer. */
	sim_time_t iops_at, bytes_at, link_at;
	struct machine_lock transient_lock;  /* dev->dma_io_tlb_lock */
	/* Per CPU: the interrupt queued there and not started yet, which
	 * further completions join (its batch ends at batch_tail). */
	struct machine_op **irq_pending;
	struct machine_io **batch_tail;
};

/* Sets the device up; `*restricted_at` is where its restricted pool goes
 * (placement moves it on past the pool). */
int device_init(struct machine *m, struct machine_device *dev, size_t index,
		const struct machine_device_config *cfg,
		uint64_t *restricted_at, char *err, size_t errlen);
void device_destroy(struct machine_device *dev);

/* ---- growth worker, atomic pool, sampler ---- */

struct machine_growth {
	bool running;
	uint64_t nslabs;           /* what the running worker will add; 0: fail */
	int32_t cpu, device;       /* who asked, for the log */
	gsl_rng *rng;
};

/* Starts the worker unless it is running (work.growth_requested). */
void growth_request(struct machine *m, const struct machine_op *op);

struct machine_atomic {
	uint64_t budget, used, hiwater;
};

/* Installs the atomic pool as the allocator's transient page source. */
void atomic_attach(struct machine *m);

struct machine_sampler {
	uint64_t interval;
	sim_time_t next;           /* time of the next row */
	bool scheduled;
	sim_time_t last_time;      /* time of the last row */
	struct stats_counters last;
	/* The row before the last one, to redo the last row. */
	sim_time_t prev_time;
	struct stats_counters prev;
	uint32_t nareas;
	uint64_t *area_used;
};

int sampler_init(struct machine *m, char *err, size_t errlen);
void sampler_destroy(struct machine_sampler *s);
/* Restarts a sampler that stopped when the engine ran dry, filling in the
 * rows of the idle stretch (sampler_wake(), below, when it must). */
void sampler_restart(struct machine *m);

/* ---- the machine ---- */

struct machine {
	struct sim_engine *eng;
	struct machine_config cfg;
	struct io_tlb_mem *mem;
	unsigned int ncpus;
	struct machine_cpu *cpus;
	size_t ndevices;
	struct machine_device *devices;
	struct machine_device_config *device_cfgs;  /* cfg.devices */
	const char **device_names;
	struct lock_table locks;
	struct machine_atomic atomic;
	struct machine_growth growth;
	struct machine_sampler sampler;
	struct stats *stats;
	struct stats_series *series;
	struct stats_events *events;
	struct freelist ops, mappings, ios;
	char error[256];           /* what stopped the run; "" while none */
	int irq_cpu;               /* CPU whose interrupt-priority callback is
				      running; -1: none */
	/* Host cores not running a work item, and the CPUs waiting for one
	 * (FIFO through host_next). */
	unsigned int host_free;
	struct machine_cpu *host_wait_head, *host_wait_tail;
	/* The CPU whose work item's finish (callbacks) is running. */
	struct machine_cpu *finishing;
	uint64_t live_mappings;
	uint64_t transient_live;
	size_t busy_cpus, ios_in_flight;
};

/* ---- taking an area lock (the model: machine_lock.c) ---- */

/* What one hold adds to the op's tally and the lock's statistics. */
static inline void lock_account(struct machine *m, struct machine_lock *lk,
				sim_time_t wait, sim_time_t hold,
				bool handoff, struct lock_tally *tally)
{
	struct stats_area *sa = lk->stats_area >= 0 ?
		stats_area_mut(m->stats, (size_t)lk->stats_area) : NULL;

	tally->wait_ns += wait;
	tally->acquisitions++;
	tally->handoffs += handoff;
	stats_hist_add(stats_lock_wait_mut(m->stats), wait);
	if (!sa)
		return;
	sa->acquisitions++;
	sa->handoffs += handoff;
	sa->lock_wait_ns += wait;
	sa->hold_ns += hold;
}

/* Slot lines the holder on cpu has to fetch from another CPU's cache;
 * updates what is left dirty. */
static inline uint64_t lines_moved(struct machine *m,
				   struct machine_lock *lk, unsigned int cpu,
				   const struct lock_hold *h, bool handoff)
{
	uint64_t moved = 0;

	if (m->cfg.slot_line_model == MACHINE_LINES_TOUCHED)
		return handoff ? h->touched_lines : 0;
	if (lk->dirty_cpu >= 0 && (unsigned int)lk->dirty_cpu != cpu)
		moved = h->touched_lines < lk->dirty_lines ? h->touched_lines :
							     lk->dirty_lines;
	if (h->written_lines) {
		lk->dirty_cpu = (int32_t)cpu;
		lk->dirty_lines = h->written_lines;
	} else {
		lk->dirty_lines -= moved;
	}
	return moved;
}

/* Lays one hold of lk out in time: cpu arrives at h->arrive, spins until
 * the lock is free, pays lock_ns + h->work_ns + the cache-line transfers
 * (the lock's line when another CPU held it last, and slot lines as the
 * configured slot_line_model says). Returns the release time. Inline, with
 * its helpers: every map and unmap takes a lock (always_inline: GCC keeps
 * the unmap's a call otherwise). */
__attribute__((always_inline)) static inline sim_time_t lock_take(
	struct machine *m, struct machine_lock *lk, unsigned int cpu,
	const struct lock_hold *h, struct lock_tally *tally)
{
	const struct machine_costs *c = &m->cfg.costs;
	sim_time_t acquire = lk->free_at > h->arrive ? lk->free_at : h->arrive;
	bool handoff = lk->last_cpu >= 0 && (unsigned int)lk->last_cpu != cpu;
	sim_time_t hold = c->lock_ns + h->work_ns +
			  lines_moved(m, lk, cpu, h, handoff) *
				  c->slot_line_transfer_ns;

	if (handoff)
		hold += c->lock_handoff_ns;
	lk->free_at = acquire + hold;
	lk->last_cpu = (int32_t)cpu;
	lock_account(m, lk, acquire - h->arrive, hold, handoff, tally);
	return lk->free_at;
}

/* Every field of struct machine_op, when this fails, has to be set below. */
_Static_assert(sizeof(struct machine_op) == 192,
	       "op_new() sets every field of struct machine_op");

/* The fields no caller sets at once, zeroed (false, NULL, the enums'
 * first values) one by one: a memset or a struct assignment of this size
 * is a libc call or a `rep stos`, dearer than the stores. */
static inline void op_clear(struct machine_op *op)
{
	op->next = NULL;
	op->dev = NULL;
	op->mapping = NULL;
	op->io = NULL;
	op->orig_addr = 0;
	op->size = 0;
	op->dir = DMA_BIDIRECTIONAL;
	op->alloc_align_mask = 0;
	op->skip_cpu_sync = false;
	op->target = MACHINE_SYNC_FOR_CPU;
	op->cost_ns = 0;
	op->started = 0;
	op->locks = (struct lock_tally){ 0 };
	op->copy_ns = 0;
	op->bytes_copied = 0;
	op->direct = false;
	op->status = MACHINE_MAP_OK;
	op->tlb_addr = 0;
	op->pool_id = 0;
	op->transient_made = false;
	op->transient_freed = false;
	op->transient_bytes = 0;
	op->cb.map = NULL;
}

/* freelist_take() on the machine's behalf: NULL when out of memory, and
 * then the run stops with that error. */
static inline void *machine_take(struct machine *m, struct freelist *fl)
{
	void *obj = freelist_take(fl);

	if (!obj)
		freelist_failed(m, fl);
	return obj;
}

/* A new work item of `kind` for `cpu`, issued now; NULL: no memory (the
 * run stops). Inline: every map, unmap, sync and interrupt makes one. */
static inline struct machine_op *op_new(struct machine *m, enum op_kind kind,
					unsigned int cpu, void *ctx)
{
	struct machine_op *op = machine_take(m, &m->ops);

	if (!op)
		return NULL;
	op_clear(op);
	op->kind = kind;
	op->cpu = &m->cpus[cpu];
	op->ctx = ctx;
	op->issued = sim_now(m->eng);
	/* Work issued by an interrupt-priority callback onto the same CPU
	 * continues that handler. */
	op->irq = kind == OP_IRQ || m->irq_cpu == (int)cpu;
	return op;
}

/* Called on every API entry: a sampler that stopped restarts. Inline: the
 * answer is almost always "it runs". */
static inline void sampler_wake(struct machine *m)
{
	if (m->sampler.interval && !m->sampler.scheduled)
		sampler_restart(m);
}

/* Stops the run with msg (already worded, e.g. by error_oom()) as its
 * error, unless an earlier one stopped it: see machine_fail_oom(). */
void machine_fail(struct machine *m, const char *msg);

/* The machine's page size: the allocator's, 4 KiB when it keeps none (a
 * mem booted without one). */
static inline uint64_t machine_page_size(const struct machine *m)
{
	return m->mem->page_size ? m->mem->page_size : 4096;
}

/* Appends to the event log. */
void machine_log(struct machine *m, enum stats_event_kind kind, int32_t cpu,
		 int32_t device, uint64_t size, int64_t pool_id);

#endif
