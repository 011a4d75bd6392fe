/* machine/stats_events.h - the event log: every full event and every pool
 * change, with its simulated time, CPU, device and size.
 *
 * Contract: entries are appended in time order. At most `limit` are kept;
 * later ones are counted in stats_events_dropped() and not stored.
 */
#ifndef SWSIM_MACHINE_STATS_EVENTS_H
#define SWSIM_MACHINE_STATS_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum stats_event_kind {
	STATS_EV_FULL,            /* the allocator refused a map */
	STATS_EV_FULL_ATOMIC,     /* refused: atomic pool exhausted */
	STATS_EV_MASK,            /* bounce address beyond the DMA mask */
	STATS_EV_GROW_START,      /* the growth worker was scheduled */
	STATS_EV_POOL_ADDED,      /* it added a pool (size: pool bytes) */
	STATS_EV_GROW_FAILED,     /* it gave up */
	STATS_EV_TRANSIENT_MADE,  /* size: the transient pool's bytes */
	STATS_EV_TRANSIENT_FREED,
};

struct stats_event {
	uint64_t time_ns;
	enum stats_event_kind kind;
	int32_t cpu;              /* -1: no CPU (the background worker) */
	int32_t device;           /* device index; -1: none */
	uint64_t size;            /* bytes: the map's, or the pool's */
	int64_t pool_id;          /* -1: none */
};

struct stats_events;

/* NULL with a message in err when out of memory. */
struct stats_events *stats_events_new(size_t limit, char *err,
				      size_t errlen);
void stats_events_free(struct stats_events *log);
/* Appends; returns 0, or 1 when the limit is reached (counted as dropped),
 * or -1 with a message in err when out of memory. */
int stats_events_add(struct stats_events *log, const struct stats_event *ev,
		     char *err, size_t errlen);

size_t stats_events_len(const struct stats_events *log);
uint64_t stats_events_dropped(const struct stats_events *log);
const struct stats_event *stats_events_get(const struct stats_events *log,
					   size_t i);
/* "full", "full_atomic", "mask", "grow_start", "pool_added",
 * "grow_failed", "transient_made", "transient_freed". */
const char *stats_event_kind_name(enum stats_event_kind kind);

/* Writes "time_ns,kind,cpu,device,size,pool_id" and one line per entry.
 * device_names (may be NULL) maps device indexes to names; an empty field
 * stands for -1. Returns 0, or -1 on a write error. */
int stats_events_write_csv(const struct stats_events *log, FILE *out,
			   const char *const *device_names, size_t ndevices);

#endif
