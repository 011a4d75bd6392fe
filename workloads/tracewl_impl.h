/* workloads/tracewl_impl.h - the trace-replay generator's private types,
 * shared by tracewl.c (set-up, statistics), tracewl_check.c (the checks
 * both passes make) and tracewl_run.c (issuing ops in time). */
#ifndef SWSIM_WORKLOADS_TRACEWL_IMPL_H
#define SWSIM_WORKLOADS_TRACEWL_IMPL_H

#include "base/idmap.h"
#include "traces/optrace.h"
#include "workloads/tracewl.h"

/* Declared devices: trace name -> machine device. */
struct tw_dev {
	char name[OPTRACE_NAME_MAX];
	struct machine_device *dev;
};

struct tw_devtab {
	struct tw_dev *devs;
	size_t n, cap;
};

/* An unmap or sync of a mapping: waiting behind its map, or in the
 * machine (then it is the callback's context). */
struct tw_op {
	struct tw_op *next;
	struct tw_map *map;
	enum optrace_op op;                 /* OPTRACE_UNMAP or OPTRACE_SYNC */
	enum machine_sync_target target;
	size_t size;
	sim_time_t issued;                  /* its trace time */
};

struct tw_op_chunk;

enum tw_state {
	TW_MAPPING,                         /* an attempt is in the machine */
	TW_RETRY_WAIT,                      /* failed, retry scheduled */
	TW_LIVE,                            /* mapped */
	TW_ABANDONED,                       /* gave up: never mapped */
};

/* One map line's mapping, from the map line until its unmap returns (or,
 * abandoned, until the trace unmaps it). */
struct tw_map {
	struct tw_map *prev, *next;         /* every tw_map, for destroy */
	struct tracewl *tw;
	uint64_t id;
	unsigned int cpu;
	struct machine_device *dev;
	uint64_t orig, size;
	uint32_t align;
	enum dma_data_direction dir;
	enum tw_state state;
	bool unmapped;                      /* the trace's unmap was read */
	struct machine_mapping *mapping;
	sim_time_t issued;                  /* the map line's time */
	uint32_t retries;
	sim_event_id retry;
	struct tw_op *wait_head, *wait_tail;
	uint32_t in_machine;                /* unmaps/syncs in the machine */
};

struct tracewl {
	struct workload *w;
	struct machine *m;
	struct tracewl_config cfg;          /* path and devnames: our copies */
	struct tracewl_counters c;
	/* reading */
	FILE *f;
	struct optrace_reader rd;
	bool reading;
	struct optrace_line next;           /* the look-ahead op line */
	bool have_next;
	bool have_base;
	uint64_t t_base;                    /* subtracted from every t */
	sim_time_t t0;                      /* start time */
	sim_event_id issue_event;
	/* state */
	struct tw_devtab devs;
	struct idmap ids;                   /* live id -> struct tw_map * */
	struct tw_map *maps;                /* list of every tw_map */
	struct tw_op *free_ops;
	struct tw_op_chunk *op_chunks;      /* where every tw_op lives */
	bool failed;
	char err[512];
};

static inline struct tracewl *tw_of(const struct workload *w)
{
	return w->impl;
}

/* ---- tracewl_check.c: checks both passes make ---------------------------- */

/* "PATH:LINE: " + the message into err. */
void tw_line_error(char *err, size_t errlen, const char *path,
		   const struct optrace_line *l, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A dev line: resolves its name (through devnames) to a machine device
 * and adds it to tab. Returns the device, or NULL with the error. */
struct machine_device *tw_dev_declare(const struct tracewl *tw,
				      struct tw_devtab *tab, const char *path,
				      const struct optrace_line *l, char *err,
				      size_t errlen);
void tw_devtab_free(struct tw_devtab *tab);
/* A map line's device, CPU and size; returns the device, or NULL with
 * the error. */
struct machine_device *tw_check_map(const struct tracewl *tw,
				    const struct tw_devtab *tab,
				    const char *path,
				    const struct optrace_line *l, char *err,
				    size_t errlen);
/* A sync line's size against its mapping's (0 means whole). Returns the
 * size to sync, or 0 with the error. */
uint64_t tw_check_sync(const char *path, const struct optrace_line *l,
		       uint64_t map_size, char *err, size_t errlen);
/* Reads the whole trace once, checking every line; 0 or -1 with err. */
int tw_prevalidate(const struct tracewl *tw, char *err, size_t errlen);

/* ---- tracewl_map.c ------------------------------------------------------- */

/* A map line (checked here against the live ids): the mapping's record,
 * and its first attempt. 0, or -1 with the error in tw->err. */
int tw_issue_map(struct tracewl *tw, const struct optrace_line *l);
/* An unmap or sync line: sent to the machine on the mapping CPU, queued
 * behind a map not yet made, or dropped with an abandoned one. 0, or -1
 * with the error in tw->err. */
int tw_issue_unmap_or_sync(struct tracewl *tw, const struct optrace_line *l);
/* The run cannot go on (tw->err says why): the workload stops and the
 * machine's run returns. */
void tw_run_fail(struct tracewl *tw);
/* Frees every mapping record and op. */
void tw_maps_free(struct tracewl *tw);

/* ---- tracewl_run.c ------------------------------------------------------- */

/* Opens the trace and issues what is due now; 0 or -1 with err. */
int tw_run_start(struct tracewl *tw, char *err, size_t errlen);
void tw_run_stop(struct tracewl *tw);
/* Frees every tw_map and tw_op and closes the trace. */
void tw_run_free(struct tracewl *tw);

#endif
