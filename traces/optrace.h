/* traces/optrace.h - reads op traces: the conformance vocabulary of
 * tests/conformance/FORMAT.md (boot, dev, map, unmap, grow, stats), plus the
 * timed extension (t=<ns> on map/unmap, and sync) used by trace replay.
 *
 * Contract: optrace_next() returns one validated line at a time. Every error
 * is reported once as "FILE:LINE: what is wrong" in reader->err; after an
 * error the reader returns -1 forever. Checks made here are per line
 * (syntax, keys, number forms); what needs state (unknown ids, devices) is
 * the caller's. */
#ifndef SWSIM_TRACES_OPTRACE_H
#define SWSIM_TRACES_OPTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum optrace_op {
	OPTRACE_BOOT,
	OPTRACE_DEV,
	OPTRACE_MAP,
	OPTRACE_UNMAP,
	OPTRACE_GROW,
	OPTRACE_STATS,
	OPTRACE_SYNC,
};

enum optrace_dir {
	OPTRACE_DIR_NONE,          /* not given */
	OPTRACE_DIR_TO_DEVICE,
	OPTRACE_DIR_FROM_DEVICE,
	OPTRACE_DIR_BIDIRECTIONAL,
	OPTRACE_DIR_CPU,           /* sync for the CPU */
	OPTRACE_DIR_DEVICE,        /* sync for the device */
};

#define OPTRACE_NAME_MAX 64
#define OPTRACE_SPEC_MAX 128

struct optrace_line {
	enum optrace_op op;
	unsigned long lineno;
	bool has_t;
	uint64_t t;                      /* ns, timed traces */
	/* boot */
	uint64_t cpus;
	char spec[OPTRACE_SPEC_MAX];
	bool dynamic;
	uint64_t start;                  /* boot and grow; 0 when absent */
	uint64_t page_size;
	/* dev */
	char name[OPTRACE_NAME_MAX];     /* dev name=, or map dev= */
	uint64_t min_align_mask;
	uint64_t seg_boundary;
	/* map, unmap, sync */
	uint64_t id;
	uint64_t cpu;
	uint64_t orig;
	uint64_t size;                   /* map size; sync size (0: whole) */
	uint64_t align;
	enum optrace_dir dir;
	/* grow */
	uint64_t nslabs;
};

struct optrace_reader {
	FILE *f;
	const char *path;
	unsigned long lineno;
	bool timed;        /* accept t= and sync; require t= on map/unmap/sync */
	bool failed;
	uint64_t last_t;   /* timed: times never go backwards */
	char err[512];
	char *buf;
	size_t bufsize;
};

/* path is only used in messages ("-" reads as "<stdin>"). */
void optrace_reader_init(struct optrace_reader *r, FILE *f, const char *path,
			 bool timed);
void optrace_reader_free(struct optrace_reader *r);
/* 1: a line in *out; 0: end of input; -1: error in r->err. */
int optrace_next(struct optrace_reader *r, struct optrace_line *out);
/* Formats "FILE:LINE: message" into r->err for errors found by the caller
 * (for the line last returned) and marks the reader failed. */
void optrace_error(struct optrace_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
