/* diagnose/diagnose.h - from the swiotlb's kernel messages (traces/kmsg.h)
 * to what their numbers mean and what to do, decided by the allocator's own
 * rules (allocator/swiotlb.h): the largest map a pool can ever serve, the
 * boot sizing, areas, and synthetic fills through the real allocator.
 *
 * Contract: collect every line with diag_log_add() (the machine's lines and
 * the "buffer is full" ones, in any order), then diag_explain() each group
 * of full messages. Groups are full messages of one device, size and total;
 * their `used` figures are kept as a range. Everything is deterministic:
 * the same lines and options give the same report, byte for byte. */
#ifndef SWSIM_DIAGNOSE_DIAGNOSE_H
#define SWSIM_DIAGNOSE_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "allocator/swiotlb.h"
#include "base/sizedist.h"
#include "traces/kmsg.h"

#define DIAG_MAX_GROUPS 64

/* What the log (and the command line) says about the machine. Unknown
 * figures are 0 (min_align_mask: -1). */
struct diag_machine {
	uint64_t boot_nslabs;      /* "mapped": the default pool at boot */
	uint64_t boot_start;
	uint64_t adjusted_bytes;   /* "adjusted to NMB" (the arch's size) */
	uint64_t shrunk_from;      /* "adjusted A -> B slabs": boot halved A */
	uint32_t nareas_asked;     /* "area num N." (the pool may limit it) */
	bool encrypted;            /* "Memory encryption is active" */
	bool coco;                 /* encrypted, or the 6% rule's adjustment */
	bool dynamic;              /* CONFIG_SWIOTLB_DYNAMIC (option) */
	bool no_pool;              /* "Can not allocate SWIOTLB buffer" */
	uint64_t suppressed;       /* full messages the rate limit dropped */
	unsigned cpus;             /* option */
	uint64_t memory;           /* option: guest memory in bytes */
	int64_t min_align_mask;    /* option: the failing device's */
};

/* Full messages of one device, size and total. */
struct diag_group {
	char driver[KMSG_NAME_MAX], device[KMSG_NAME_MAX];
	uint64_t sz, total, used_min, used_max;
	bool has_counts;
	unsigned count;
	bool has_time;
	double first_s, last_s;
	char first_line[512];      /* the first message as given */
};

struct diag_log {
	struct diag_machine m;
	struct diag_group groups[DIAG_MAX_GROUPS];
	size_t ngroups;
	unsigned lines, recognised;
	unsigned groups_dropped;   /* full messages beyond DIAG_MAX_GROUPS */
};

void diag_log_init(struct diag_log *log);
/* Folds one recognised line (and its text, for the report) in. */
void diag_log_add(struct diag_log *log, const struct kmsg_line *l,
		  const char *text);

/* Synthetic fills of one pool: `fills` seeds, each filling the pool with
 * random maps to `used` slots, turning every mapping over once (unmap one,
 * map another) so that the holes are those of a pool in use, then asking
 * for one map of `probe_bytes`. */
struct diag_fill {
	uint64_t nslabs;           /* the pool (see diag_fill_run) */
	uint64_t boot_nslabs;      /* dynamic: the boot pool, the rest grown */
	uint32_t nareas;           /* areas asked for (the pool limits them) */
	bool restricted;           /* one area, any size (restricted pool) */
	uint32_t min_align_mask;
	uint64_t used, probe_bytes;
	const struct sizedist *sizes;
	unsigned fills;
	unsigned stop_after_failed; /* stop once this many failed (0: never) */
	uint64_t seed;
};

struct diag_probe {
	uint64_t nslabs;
	uint32_t nareas;           /* areas the pool was built with */
	uint64_t used;             /* asked for */
	double used_reached;       /* mean slots in use when probed */
	unsigned fills, failed;
	unsigned no_run;           /* failed: no free run long enough */
	unsigned misaligned;       /* failed: a run, but no aligned start */
};

int diag_fill_run(const struct diag_fill *f, struct diag_probe *out,
		  char *err, size_t errlen);

enum diag_verdict {
	DIAG_TOO_LARGE,    /* more than any pool can ever serve in one map */
	DIAG_NO_COUNTS,    /* pre-5.0 message: no total/used */
	DIAG_FULL,         /* fewer free slots than the map needs */
	DIAG_TOO_SMALL,    /* at this occupancy such a map mostly fails */
	DIAG_FRAGMENTED,   /* room in total, but not in one place */
};

struct diag_options {
	unsigned fills;            /* seeds per estimate */
	uint64_t seed;
	const char *fill_sizes;    /* NULL: the default mix (see docs) */
};

struct diag_report {
	const struct diag_group *g;
	enum diag_verdict verdict;
	uint32_t nslots;           /* slots the failed map needed */
	uint32_t min_align_mask;
	bool mask_assumed;         /* not given: from the driver, or 0 */
	uint32_t nareas;           /* areas asked for, as used in the fills */
	bool areas_assumed;
	bool grown;                /* total above the boot pool: dynamic */
	bool restricted;           /* total below it: a restricted pool */
	char sizes_text[1024];     /* the fill mix, in sizedist grammar */
	bool sizes_given;          /* --fill-sizes, not the default mix */
	bool have_here;            /* fills at the failing occupancy */
	struct diag_probe at_min, at_max;
	bool have_alternatives;    /* fragmented: what would help */
	struct diag_probe one_area, doubled;
	uint64_t fit_nslabs;       /* too small: the pool that fits (0: none
				      up to the largest the search tries) */
	struct diag_probe at_fit;
};

/* The most one map can take, whatever the pool: one segment (256 KiB). */
#define DIAG_SEGMENT_BYTES ((uint64_t)IO_TLB_SIZE * IO_TLB_SEGSIZE)

/* Share of fills that failed at or above which a pool counts as too small
 * at that occupancy (the map is the rule there, not the exception), and at
 * or below which a pool counts as fitting. */
#define DIAG_TOO_SMALL_SHARE 0.5
#define DIAG_FITS_SHARE 0.01

int diag_explain(const struct diag_log *log, const struct diag_group *g,
		 const struct diag_options *o, struct diag_report *r,
		 char *err, size_t errlen);

/* The verdict in a few words ("pool full", "fragmentation", ...). */
const char *diag_verdict_name(const struct diag_report *r);

/* The report as text (what the numbers mean, the verdict, what to do). */
void diag_print_machine(FILE *out, const struct diag_log *log);
void diag_print_report(FILE *out, const struct diag_log *log,
		       const struct diag_report *r);
/* All reports as one JSON object. */
void diag_print_json(FILE *out, const struct diag_log *log,
		     const struct diag_report *r, size_t n);

/* A starter scenario (YAML) for the reports' devices and sizes: the pool
 * as the log shows it, CoCo or not, one storage workload per device, and
 * a sweep of the pool size around it. Returns 0, or -1 on a write error. */
int diag_write_scenario(FILE *out, const struct diag_log *log,
			const struct diag_report *r, size_t n,
			const char *name);

#endif
