/* workloads/storage_impl.h - the storage generator's internals, shared by
 * storage.c (set-up, statistics), storage_split.c (buffers, splitting) and
 * storage_dispatch.c (mapping, submission, completion). Not a public
 * header: the contract is workloads/storage.h. */
#ifndef SWSIM_WORKLOADS_STORAGE_IMPL_H
#define SWSIM_WORKLOADS_STORAGE_IMPL_H

#include "base/sizedist.h"
#include "workloads/storage.h"

struct storage;
struct storage_cpu;

/* One DMA segment: physically contiguous bytes of the user buffer. */
struct storage_seg {
	uint64_t addr;
	uint64_t len;
};

/* One I/O as the application submitted it. */
struct storage_io {
	struct storage_cpu *sc;          /* submitting CPU */
	sim_time_t issued;
	uint64_t size;
	enum dma_data_direction dir;
	uint32_t nrqs, rqs_done;
	struct storage_io *next;         /* backlog or free list */
	struct storage_io *all_next;     /* every io ever allocated */
};

/* One block request after splitting: its segments and their mappings. */
struct storage_rq {
	struct storage_io *io;
	uint64_t bytes;
	uint32_t nsegs;                  /* <= max_segments */
	uint32_t nmapped;                /* mapped so far in this attempt */
	uint32_t nunmapped;              /* unmaps finished */
	uint32_t nunmapping;             /* unmaps to wait for */
	bool failed;                     /* a map of it has failed */
	sim_time_t failed_at;            /* its last failed attempt ended */
	struct storage_rq *next;         /* a queue or the free list */
	struct storage_rq *all_next;     /* every rq ever allocated */
	struct storage_seg *segs;        /* max_segments of them */
	struct machine_mapping **maps;   /* max_segments of them */
};

/* What a submitting CPU's chain is doing. */
enum storage_step {
	STEP_IDLE,
	STEP_SUBMIT,                     /* a new request: cost, then issue */
	STEP_RUN,                        /* a queue run over `run` */
	STEP_FIXED,                      /* the fixed-delay retry of `cur` */
};

/* A submitting CPU: its I/Os, its hardware queue (blk-mq's dispatch list,
 * SCHED_RESTART, the delayed run), and in open loop its backlog and
 * pending arrival. The CPU does one thing at a time (the chain): submit
 * the next new request, or run the queue. */
struct storage_cpu {
	struct storage *st;
	unsigned int cpu;
	uint32_t active;                 /* I/Os admitted and not complete */
	struct storage_rq *head, *tail;  /* new requests, not tried yet */
	enum storage_step step;
	struct storage_rq *cur;          /* the request being tried */
	struct storage_rq *run_head, *run_tail; /* the rest of a queue run */
	struct storage_rq *disp_head, *disp_tail; /* hctx->dispatch */
	bool restart;                    /* BLK_MQ_S_SCHED_RESTART */
	bool run_due;                    /* a queue run waits for the chain */
	bool run_by_timer;               /* ... armed as the delayed run */
	sim_event_id run_timer;          /* the pending run; 0: none */
	struct storage_io *backlog_head, *backlog_tail;
	uint64_t backlog;
	sim_event_id arrival;            /* 0: none pending */
};

struct storage {
	struct workload *w;
	struct storage_config cfg;       /* strings point at the copies below */
	char *device_name, *cpus_text, *sizes_text;
	struct sizedist sizes;
	struct machine_device *dev;
	uint64_t max_segment;            /* machine_device_max_segment() */
	uint64_t max_transfer;           /* resolved max_sectors, bytes */
	uint64_t seg_boundary;           /* the device's, 2^k - 1 */
	uint64_t phys_pages;             /* pages below phys_limit */
	unsigned int ncpus;
	struct storage_cpu *cpu;
	struct storage_rq *free_rqs, *all_rqs;
	struct storage_io *free_ios, *all_ios;
	uint64_t ios_issued;             /* since the start, for max_ios */
	struct storage_stats stats;
};

static inline struct storage *storage_of(const struct workload *w)
{
	return w->impl;
}

/* storage_split.c: draws the I/O's buffer and cuts it into requests,
 * appended in order to the I/O's CPU's dispatch queue. Returns 0, or -1
 * when out of memory (nothing queued then; the run stops). */
int storage_split_io(struct storage *st, struct storage_io *io);
/* A request from the free list or the heap; NULL when out of memory (the
 * run stops: workload_fail_oom()). */
struct storage_rq *storage_rq_get(struct storage *st);
void storage_rq_put(struct storage *st, struct storage_rq *rq);

/* storage_dispatch.c */
/* Starts the generator's activity (closed loop: fills every queue; open
 * loop: schedules the first arrivals). */
int storage_begin(struct storage *st, char *err, size_t errlen);
/* Cancels pending arrivals. */
void storage_end(struct storage *st);
/* The chain of sc: starts its next step unless one runs. */
void storage_advance(struct storage_cpu *sc);

#endif
