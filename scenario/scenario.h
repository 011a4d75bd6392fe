/* scenario/scenario.h - a scenario: one YAML document that describes a whole run
 * (machine, swiotlb, devices, workloads, run), loaded into plain data.
 *
 * Contract: the loader fills struct scenario in the user's units, every
 * field resolved (defaults filled in); it knows nothing of the simulated
 * machine or the workloads, a later step turns it into their configs.
 * Units everywhere in this struct:
 *   times       uint64_t nanoseconds
 *   sizes       uint64_t bytes
 *   bandwidths  double bytes per nanosecond (1.0 is 1 GB/s)
 *   rates       double events per second
 *   masks       uint64_t of the form 2^n - 1
 * Member names are the YAML keys. The format, every key with its default
 * and unit, is in README.md ("Scenario files"); the schema itself is the
 * field tables in scenario/scenario_schema.c. Errors are returned as one line of
 * text, never printed, and nothing here exits.
 */
#ifndef SWSIM_SCENARIO_SCENARIO_H
#define SWSIM_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/sizedist.h"

#define SCENARIO_MAX_CPUS 8192     /* NR_CPUS of an x86 MAXSMP kernel */
#define SCENARIO_ERR_MAX 512       /* room enough for any error message */
#define SCENARIO_ERRORS_MAX 20     /* errors one load reports, at most */
/* Room for all the errors of one load, one line each. */
#define SCENARIO_ERRS_LEN (SCENARIO_ERRORS_MAX * SCENARIO_ERR_MAX + 256)

/* Costs of the simulated machine. 0 means "the built-in default", which
 * lives in machine/costs.h with its source (see ../shared/costs.md). */
struct scenario_costs {
	uint64_t map_call, unmap_call, sync_call;
	uint64_t area_try, slot_examine, slot_write, pool_step;
	double copy_bandwidth;
	uint64_t lock, lock_handoff, slot_line_transfer;
	uint64_t irq, idle_wakeup;
	uint64_t transient_create, transient_page, transient_free;
	uint64_t grow_queue, grow_attempt, page_alloc, page_decrypt;
};

/* Which slot-metadata lines a lock holder fetches from another CPU (see
 * machine.slot_lines in README.md). */
enum scenario_slot_lines {
	SCENARIO_LINES_TOUCHED,
	SCENARIO_LINES_DIRTY,
};

/* Where the CPUs run: a preset of machine.costs (see machine.profile in
 * README.md). */
enum scenario_profile {
	SCENARIO_PROFILE_HOST,
	SCENARIO_PROFILE_VM,
	SCENARIO_PROFILE_COCO_VM,
};

struct scenario_machine {
	uint32_t cpus;
	uint64_t memory;            /* guest memory: the CoCo sizing rule, and
				       which devices are addressing-limited */
	uint64_t page_size;
	enum scenario_slot_lines slot_lines;
	enum scenario_profile profile;  /* not written: coco-vm when
					   swiotlb.coco, else host */
	double cpu_slowdown;        /* every CPU cost this many times longer */
	uint32_t host_cores;        /* 0: one per CPU */
	uint32_t hz;                /* the kernel's CONFIG_HZ */
	struct scenario_costs costs;
};

struct scenario_swiotlb {
	char *param;                /* the kernel's swiotlb= string, or "" */
	uint64_t slabs;             /* 0: the kernel's default (64 MiB) */
	uint32_t areas;             /* 0: from the CPU count */
	bool force;                 /* swiotlb=force: every map bounces */
	bool coco;                  /* 6% of memory, clamped [64 MiB, 1 GiB];
				       every map bounces */
	bool dynamic;
	double growth_failure_probability;
	uint64_t max_pool_size;     /* largest dynamic pool */
	uint64_t atomic_pool;       /* budget for transient pools */
	uint64_t start;             /* the default pool's physical address */
};

enum scenario_device_kind {
	SCENARIO_DEVICE_GENERIC,
	SCENARIO_DEVICE_NVME,
	SCENARIO_DEVICE_NIC,
};

/* Whether a device's maps bounce (see devices[].bounce in README.md). */
enum scenario_bounce {
	SCENARIO_BOUNCE_AUTO,
	SCENARIO_BOUNCE_ALWAYS,
	SCENARIO_BOUNCE_NEVER,
};

enum scenario_jitter {
	SCENARIO_JITTER_NONE,
	SCENARIO_JITTER_EXPONENTIAL,
	SCENARIO_JITTER_LOGNORMAL,
};

struct scenario_device {
	char *name;
	enum scenario_device_kind kind;
	uint32_t queue_depth;
	uint64_t latency;
	double bandwidth;
	enum scenario_jitter jitter;
	double jitter_cv;           /* coefficient of variation of the jitter */
	uint64_t min_align_mask;
	uint64_t seg_boundary;
	uint32_t dma_bits;
	enum scenario_bounce bounce;
	uint32_t max_segments;
	uint64_t max_segment_size;  /* 0: swiotlb_max_mapping_size() */
	uint64_t virt_boundary;
	double iops_limit;          /* 0: none */
	double bandwidth_limit;     /* 0: none */
	uint64_t restricted_pool;   /* 0: the device uses the default swiotlb */
	int32_t completion_cpu;     /* -1: the submitting CPU */
	uint64_t submit_cost;       /* CPU per request (or packet sent) */
	uint64_t complete_cost;     /* CPU per request (or packet received) */
};

/* A request-size distribution, as text and parsed by the workloads' own
 * parser (base/sizedist.h), so a scenario that loads also runs:
 *   "128k"                  fixed
 *   "4k-256k"               uniform between the bounds (inclusive)
 *   "4k:70,64k:20,256k:10"  weighted mix (weights need not sum to 100)
 *   "lognormal:64k,2.0"     log-normal with that median and sigma */
struct scenario_size_spec {
	char *text;                 /* as written (or the default) */
	struct sizedist dist;
};

/* A CPU list such as "0-3,8": the text, and the CPUs it names, ascending
 * and without repeats. */
struct scenario_cpu_list {
	char *text;
	uint32_t n;
	uint32_t *cpu;
};

enum scenario_workload_kind {
	SCENARIO_WORKLOAD_STORAGE,
	SCENARIO_WORKLOAD_NETWORK,
	SCENARIO_WORKLOAD_MAPBENCH,
	SCENARIO_WORKLOAD_TRACE,
};

/* How a storage request whose map failed is tried again. */
enum scenario_retry {
	SCENARIO_RETRY_BLK_MQ,
	SCENARIO_RETRY_FIXED,
};

/* The kernel's enum dma_data_direction values. */
enum scenario_direction {
	SCENARIO_DIR_BIDIRECTIONAL = 0,
	SCENARIO_DIR_TO_DEVICE = 1,
	SCENARIO_DIR_FROM_DEVICE = 2,
};

/* A workload. Only the keys of its kind may be written; the others hold
 * their defaults. */
struct scenario_workload {
	char *name;
	enum scenario_workload_kind kind;
	char *device;               /* NULL only for a trace without one */
	struct scenario_cpu_list cpus;
	/* storage */
	uint32_t queue_depth;       /* per submitting CPU */
	struct scenario_size_spec size;
	double read_fraction;
	double rate;                /* 0: closed loop */
	double huge_page_fraction;
	double adjacent_page_probability;
	enum scenario_retry retry;
	uint64_t requeue_delay;
	/* storage and network; not written: the device's */
	uint64_t submit_cost, complete_cost;
	/* network */
	uint32_t rx_queues;         /* 0: one per CPU */
	uint32_t ring_size;
	uint64_t rx_buffer;
	double rx_rate, tx_rate;
	struct scenario_size_spec tx_size;
	/* mapbench */
	uint32_t threads;
	uint32_t granule;           /* pages */
	uint64_t delay;
	enum scenario_direction direction;
	/* trace */
	char *file;                 /* as written */
	uint64_t retry_delay;
	/* Derived, not keys: */
	int32_t device_index;       /* into scenario.devices; -1 for none */
	char *file_path;            /* `file` resolved against scenario.dir */
};

struct scenario_run {
	uint64_t duration, warmup, sample_interval;
	uint64_t seed;
	char *output;               /* results directory */
};

/* A key a sweep varies and the values it takes, as written: a list
 * "1,2,4" (or ';' separated when a value holds commas), a linear range
 * "a..b+step" or a geometric range "a..b*factor" (sweep/sweep_grid.h). */
struct scenario_sweep_vary {
	char *key;                  /* a key path, as --set takes it */
	char *values;
};

/* How `swiotlb-sim sweep` runs this scenario; `run` ignores it. The grid
 * is the product of the varied keys' values. */
struct scenario_sweep {
	uint32_t replications;      /* runs of each grid point */
	struct scenario_sweep_vary *vary;
	size_t nvary;
	char *output;               /* "": results/<name>-sweep */
};

struct scenario {
	char *name;
	char *description;
	struct scenario_machine machine;
	struct scenario_swiotlb swiotlb;
	struct scenario_device *devices;
	size_t ndevices;
	struct scenario_workload *workloads;
	size_t nworkloads;
	struct scenario_run run;
	struct scenario_sweep sweep;
	char *dir;                  /* the scenario file's folder: not a key */
};

/* Loads the scenario at `path` and applies `overrides`, each
 * "key.path=value" as given to --set (a list element is addressed as
 * `workloads.0.size` or `workloads[0].size`; the value is taken literally
 * as a scalar). On success fills *out (release it with scenario_free) and
 * returns 0. On failure returns -1 with every error found (up to
 * SCENARIO_ERRORS_MAX, sorted by place), one line each, in err:
 *   FILE:LINE:COLUMN: KEY.PATH: what is wrong (expected ...)
 * or, when the culprit is an override,
 *   --set key.path=value: KEY.PATH: what is wrong (expected ...)
 * joined by newlines (no newline at the end); lines that do not fit in
 * errlen are left out (SCENARIO_ERRS_LEN holds them all). *out then holds
 * nothing to release. */
int scenario_load(const char *path, const char *const *overrides,
		  size_t noverrides, struct scenario *out, char *err,
		  size_t errlen);

/* The same for a document already in memory; `path` names it in messages
 * and gives the default name and the folder for relative trace files. */
int scenario_load_string(const char *text, size_t len, const char *path,
			 const char *const *overrides, size_t noverrides,
			 struct scenario *out, char *err, size_t errlen);

void scenario_free(struct scenario *s);

/* Prints the scenario resolved (every key, defaults filled in) as YAML that
 * scenario_load reads back to an equal struct. Returns 0, or -1 when
 * writing failed. */
int scenario_dump_yaml(const struct scenario *s, FILE *f);

/* True when every key of a and b holds the same value (and the derived
 * fields agree). */
bool scenario_equal(const struct scenario *a, const struct scenario *b);

/* Prints the format's reference, every key with its unit, default and
 * meaning, as Markdown tables (the README's "Scenario files" section). */
void scenario_write_reference(FILE *f);

#endif
