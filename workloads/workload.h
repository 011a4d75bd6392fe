/* workloads/workload.h - what every workload generator has in common: a
 * name, its own RNG stream, start/stop, and the statistics a run reports.
 *
 * Contract: a generator is built on a machine (it talks to the machine only
 * through machine/machine.h), draws randomness only from its own GSL stream
 * (machine_rng_new(m, "workload:<name>"), so adding a workload does not
 * change the others' streams), schedules its first activity in start(), and
 * after stop() issues no new request (work in flight completes normally).
 * Figures count from the start, or from workload_measure_from_now() (the
 * end of the warm-up): a map is counted when the machine answers it, as
 * the machine's own counters do, so that the workloads' figures add up to
 * the machine's over any span. The run driver owns the struct workload and
 * frees it with workload_destroy(). */
#ifndef SWSIM_WORKLOADS_WORKLOAD_H
#define SWSIM_WORKLOADS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "machine/machine.h"
#include "machine/stats.h"

/* Figures every generator keeps (a request is the generator's unit: a
 * block I/O, a packet, a map+unmap loop iteration, a trace op). */
struct workload_stats {
	uint64_t requests_issued;     /* requests started */
	uint64_t requests_completed;  /* requests fully done */
	uint64_t bytes;               /* payload of completed requests */
	uint64_t maps, map_failures;  /* map calls answered, and failed */
	uint64_t unmaps, syncs;
	uint64_t requeues;            /* retried after a failed map */
	uint64_t requeue_wait_ns;     /* time spent waiting to retry */
	uint64_t drops;               /* given up (packets dropped, ...) */
	struct stats_hist latency;    /* request latency, issue to done, ns */
};

struct workload;

struct workload_ops {
	/* Schedules the first activity (at the current simulated time or
	 * later). Returns 0, or -1 with a message. */
	int (*start)(struct workload *w, char *err, size_t errlen);
	/* No new requests from now on. */
	void (*stop)(struct workload *w);
	/* Requests issued and not yet completed (stop does not change it),
	 * from the figures since the last measure_from_now: modulo 2^64, so
	 * that requests issued before it and completed after it make the
	 * difference wrap below zero (workload_in_flight() adds them back). */
	uint64_t (*in_flight)(const struct workload *w);
	/* Zeroes the kind's own figures (counters, histograms, maxima), not
	 * its state (rings, live mappings, threads); may be NULL. */
	void (*measure_from_now)(struct workload *w);
	/* Kind-specific figures as JSON members (`"key": value` pairs,
	 * comma-separated, no braces); may be NULL. */
	int (*write_json)(const struct workload *w, FILE *out);
	/* Frees what the generator allocated (impl). */
	void (*destroy)(struct workload *w);
	/* A fault found while running (e.g. a bad line deep in a trace) that
	 * makes the run's results meaningless, as one line; NULL when none.
	 * May be NULL. */
	const char *(*error)(const struct workload *w);
};

struct workload {
	char name[64];
	const char *kind;             /* "storage", "network", ... */
	struct machine *m;
	gsl_rng *rng;
	const struct workload_ops *ops;
	struct workload_stats stats;
	uint64_t in_flight_before;    /* at the last measure_from_now */
	bool stopped;
	void *impl;
};

/* Common set-up for a generator's constructor: name, kind, machine, its RNG
 * stream and empty statistics. Returns 0, or -1 with a message. */
int workload_init(struct workload *w, struct machine *m, const char *name,
		  const char *kind, const struct workload_ops *ops,
		  char *err, size_t errlen);
int workload_start(struct workload *w, char *err, size_t errlen);
/* The generator ran out of memory making `what` (bytes of it): stops the
 * run with that error (machine_fail_oom()). A machine call that returned
 * -1 for want of memory has stopped it already. */
void workload_fail_oom(struct workload *w, uint64_t bytes, const char *what);
void workload_stop(struct workload *w);
uint64_t workload_in_flight(const struct workload *w);
/* Starts the measured span: every figure workload_write_json() reports
 * counts from now (the run calls it at the end of the warm-up); requests
 * in flight and the generator's state are kept. */
void workload_measure_from_now(struct workload *w);
/* The generator's run-time fault, or NULL. */
const char *workload_error(const struct workload *w);
/* Frees everything, the struct itself included. */
void workload_destroy(struct workload *w);

/* Writes s as a JSON string, quotes included (quotes, backslashes and
 * control characters escaped; NULL writes ""). */
void workload_json_string(FILE *out, const char *s);

/* The common figures and the kind-specific ones as one JSON object. */
int workload_write_json(const struct workload *w, FILE *out);

/* Parses a CPU list like "0-3,8,10-11" into a sorted array of distinct CPU
 * numbers below ncpus; an empty or NULL list means every CPU. Returns the
 * count (>= 1), or -1 with a message. *out is malloc'ed. */
int workload_parse_cpus(const char *list, unsigned int ncpus,
			unsigned int **out, char *err, size_t errlen);

#endif
