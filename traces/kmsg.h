/* traces/kmsg.h - the swiotlb's kernel log lines, read back: what dmesg
 * (with or without its timestamps), journalctl -k or /dev/kmsg shows of the
 * messages Linux 6.12 prints about the bounce-buffer pool.
 *
 * Recognised, by the format strings that print them:
 *   kernel/dma/swiotlb.c, prefixed "software IO TLB: " (its pr_fmt):
 *     "mapped [mem %pa-%pa] (%luMB)"                 the boot pool
 *     "SWIOTLB bounce buffer size adjusted to %luMB" arch code's size (CoCo)
 *     "SWIOTLB bounce buffer size roundup to %luMB"  rounded for the areas
 *     "SWIOTLB bounce buffer size adjusted %lu -> %lu slabs"  boot halved it
 *     "area num %d."                                 areas asked for
 *     "Memory encryption is active and system is using DMA bounce buffers"
 *   dev_warn_ratelimited(), prefixed "DRIVER DEVICE: " (dev_printk):
 *     "swiotlb buffer is full (sz: %zd bytes), total %lu (slots),
 *      used %lu (slots)"
 *     "swiotlb buffer is full (sz: %zd bytes)"       before Linux 5.0
 *     "Can not allocate SWIOTLB buffer earlier and can't now provide you
 *      with the DMA bounce buffer"                   no pool at all
 *   lib/ratelimit.c, for the full message's limiter:
 *     "swiotlb_tbl_map_single: %d callbacks suppressed"
 *
 * Contract: kmsg_parse() returns 1 and fills *out for a recognised line, 0
 * for any other line (logs are mostly other things: not an error), and -1
 * with a message in err for a line that carries one of these messages with
 * numbers that do not read. Whatever precedes the message (a "[ 1.234]"
 * timestamp, a "<4>" level, a syslog "host kernel: " prefix) is skipped;
 * a dmesg timestamp in seconds is kept. */
#ifndef SWSIM_TRACES_KMSG_H
#define SWSIM_TRACES_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kmsg_kind {
	KMSG_FULL,        /* swiotlb buffer is full */
	KMSG_MAPPED,      /* mapped [mem A-B] (NMB) */
	KMSG_ADJUSTED,    /* size adjusted to NMB (swiotlb_adjust_size) */
	KMSG_ROUNDUP,     /* size roundup to NMB */
	KMSG_SHRUNK,      /* size adjusted FROM -> TO slabs */
	KMSG_AREAS,       /* area num N. */
	KMSG_ENCRYPTED,   /* memory encryption is active */
	KMSG_SUPPRESSED,  /* swiotlb_tbl_map_single: N callbacks suppressed */
	KMSG_NO_POOL,     /* can not allocate SWIOTLB buffer earlier */
};

#define KMSG_NAME_MAX 64

struct kmsg_line {
	enum kmsg_kind kind;
	bool has_time;
	double time_s;                 /* the dmesg timestamp */
	char driver[KMSG_NAME_MAX];    /* dev_printk's prefix ("" if none) */
	char device[KMSG_NAME_MAX];
	/* KMSG_FULL: sz (bytes), total and used (slots) as printed; no counts
	 * in the pre-5.0 form. */
	bool has_counts;
	uint64_t sz, total, used;
	/* KMSG_MAPPED: [start, end) as printed (end is the pool's end). */
	uint64_t start, end;
	/* MAPPED, ADJUSTED, ROUNDUP: the MB figure; AREAS: the count;
	 * SUPPRESSED: how many; SHRUNK: from -> to slabs. */
	uint64_t value, value_to;
};

int kmsg_parse(const char *line, struct kmsg_line *out, char *err,
	       size_t errlen);

/* The message's name for what the kind says, for reports ("full", ...). */
const char *kmsg_kind_name(enum kmsg_kind kind);

#endif
