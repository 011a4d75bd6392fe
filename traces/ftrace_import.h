/* traces/ftrace_import.h - converts a kernel ftrace capture of the dma:
 * streaming-mapping events into a timed op trace for trace replay.
 *
 * Input: the text of /sys/kernel/tracing/trace or of `trace-cmd report`
 * (Linux 6.12+ event formats), plain, xz or gzip (told apart by the first
 * byte and decoded through `xz -dc` / `gzip -dc`). Read: dma_map_page,
 * dma_unmap_page, dma_map_sg, dma_unmap_sg, dma_sync_single_for_cpu/device,
 * dma_sync_sg_for_cpu/device. Every other event is skipped and counted.
 *
 * Output: the timed op-trace vocabulary of traces/optrace.h. A header of
 * `#` comments, one `dev name=` per device that has a map written, then in
 * time order one `map` per mapped page or scatter-gather segment, its
 * `unmap`, and `sync` lines. No `boot`: the scenario gives the machine.
 *
 * Rules:
 * - t= is nanoseconds since the capture's first event line (of any kind).
 *   Events are taken in capture order; if timestamps go backwards they are
 *   stable-sorted by time first.
 * - A mapping bounced when the kernel's dma_addr differs from its phys_addr
 *   (swiotlb returned a bounce-slot address). Only mappings that bounced are
 *   written unless `all_devices`; those that did not never reached swiotlb.
 *   This rule reads an IOMMU's or a bus offset's translation as a bounce.
 * - dma_unmap_page matches the oldest live page mapping of the same device
 *   and dma_addr; dma_unmap_sg, which gives only physical addresses, matches
 *   each address to the oldest live sg segment of that device with that
 *   phys_addr; syncs match a live mapping by device and dma_addr.
 * - An unmap or sync with no live mapping (mapped before the capture began)
 *   is dropped and counted; with `keep_unmatched` it is also written as a
 *   comment. A bounce address handed out again while its old mapping is
 *   still live means an unmap was lost: the old mapping is unmapped first.
 * - An sg list the kernel merged (ents != nents: an IOMMU) is left out; a
 *   list longer than the 128 entries the event records keeps its first 128.
 *
 * Errors: a malformed dma_ line, a non-event line, a truncated final line,
 * binary data or a failed decompression stop the import with
 * "PATH:LINE: what is wrong" in err. Nothing is written to `out` before the
 * whole capture has been read, so a failed import writes nothing. */
#ifndef SWSIM_TRACES_FTRACE_IMPORT_H
#define SWSIM_TRACES_FTRACE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ftrace_event_type {
	FTRACE_MAP_PAGE,
	FTRACE_UNMAP_PAGE,
	FTRACE_MAP_SG,
	FTRACE_UNMAP_SG,
	FTRACE_SYNC_SINGLE_FOR_CPU,
	FTRACE_SYNC_SINGLE_FOR_DEVICE,
	FTRACE_SYNC_SG_FOR_CPU,
	FTRACE_SYNC_SG_FOR_DEVICE,
	FTRACE_NTYPES
};

/* The event's ftrace name, e.g. "dma_map_sg". */
const char *ftrace_event_name(enum ftrace_event_type type);

/* What a capture does not hold about a device, given by the user. */
struct ftrace_dev_param {
	const char *name;
	bool has_min_align_mask, has_seg_boundary;
	uint64_t min_align_mask;   /* at most 32 bits */
	uint64_t seg_boundary;     /* 2^k - 1, at least 0x7ff */
};

struct ftrace_import_opts {
	bool all_devices;          /* also write mappings that did not bounce */
	bool keep_unmatched;       /* write dropped unmaps/syncs as comments */
	bool annotate;             /* "# kernel dma_addr=0x..." after each map */
	const struct ftrace_dev_param *dev_params;
	size_t ndev_params;
};

#define FTRACE_SUMMARY_NAMES 16
#define FTRACE_NAME_LEN 64

struct ftrace_name_count {
	char name[FTRACE_NAME_LEN];
	uint64_t count;
};

struct ftrace_import_summary {
	/* what was read */
	const char *compression;          /* "none", "xz" or "gzip" */
	uint64_t lines;
	uint64_t header_lines;            /* comments, blank, trace-cmd headers */
	uint64_t events[FTRACE_NTYPES];
	uint64_t other_events;            /* event lines of other kinds */
	struct ftrace_name_count other[FTRACE_SUMMARY_NAMES]; /* by name */
	size_t nother;                    /* names beyond the table: "other" */
	uint64_t lost_events;             /* "[LOST N EVENTS]" lines, summed */
	uint64_t lost_markers;            /* such lines, with or without N */
	uint64_t overwritten;             /* entries written - in buffer */
	unsigned cpus;                    /* "#P:N" in the header; 0 unknown */
	uint64_t out_of_order;            /* events earlier than their previous */
	uint64_t t0_ns, t_end_ns;         /* first and last event, absolute */
	uint64_t sg_truncated, sg_merged; /* dma_map_sg events, see the rules */
	/* what was written */
	size_t ndevices;
	struct ftrace_name_count devices[FTRACE_SUMMARY_NAMES]; /* maps each */
	uint64_t maps_written, maps_left_out;
	uint64_t unmaps_written, unmaps_left_out, unmaps_unmatched;
	uint64_t syncs_written, syncs_left_out, syncs_unmatched;
	uint64_t stale_unmapped;          /* unmaps inferred, see the rules */
	uint64_t maps_live_at_end;        /* written maps never unmapped */
	uint64_t dev_params_unused;       /* ftrace_dev_params naming no dev */
};

/* Reads the capture `in` (path is for messages; "-" reads as "<stdin>"),
 * writes the op trace to `out` and fills *s. o may be NULL (defaults).
 * Returns 0, or -1 with "PATH:LINE: what is wrong" (or "PATH: ..." when no
 * line is to blame) in err. May fork a decompressor; reaps it before
 * returning. */
int ftrace_import(FILE *in, const char *path, FILE *out,
		  const struct ftrace_import_opts *o,
		  struct ftrace_import_summary *s, char *err, size_t errlen);

/* The summary as the import command prints it on stderr. */
void ftrace_import_print_summary(FILE *f, const char *path,
				 const struct ftrace_import_summary *s);

#endif
