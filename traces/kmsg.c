/* traces/kmsg.c - recognises the swiotlb's kernel log lines (traces/kmsg.h)
 * by the fixed text of their format strings, and reads their numbers. */
#include "traces/kmsg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWIOTLB_PREFIX "software IO TLB: "
#define FULL_TEXT "swiotlb buffer is full (sz: "
#define NO_POOL_TEXT "Can not allocate SWIOTLB buffer earlier"
#define SUPPRESSED_TEXT "swiotlb_tbl_map_single: "

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads an unsigned decimal (hex with base 16 or 0) at *p and moves past
 * it; false when there is none or it overflows. */
static bool read_u64(const char **p, int base, uint64_t *v)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*v = strtoull(*p, &end, base);
	if (errno || end == *p)
		return false;
	*p = end;
	return true;
}

/* Moves past `text` at *p; false when *p does not start with it. */
static bool skip(const char **p, const char *text)
{
	size_t n = strlen(text);

	if (strncmp(*p, text, n))
		return false;
	*p += n;
	return true;
}

/* The dmesg timestamp "[ 12.345678]" after an optional "<N>" level. */
static void read_time(const char *line, struct kmsg_line *out)
{
	const char *p = line;
	char *end;
	double t;

	if (*p == '<' && (p = strchr(p, '>')))
		p++;
	else
		p = line;
	while (*p == ' ')
		p++;
	if (*p++ != '[')
		return;
	t = strtod(p, &end);
	if (end != p && *end == ']' && t >= 0) {
		out->has_time = true;
		out->time_s = t;
	}
}

/* dev_printk's "DRIVER DEVICE: " before the message at `msg`: the last
 * word before the ": " is the device, the one before it the driver
 * (unless it is a timestamp or a syslog field, which end in ']' or ':'). */
static void read_device(const char *line, const char *msg,
			struct kmsg_line *out)
{
	const char *end = msg, *dev, *drv;
	size_t n;

	while (end > line && end[-1] == ' ')
		end--;
	if (end > line && end[-1] == ':')
		end--;
	for (dev = end; dev > line && dev[-1] != ' '; dev--)
		;
	n = (size_t)(end - dev);
	if (n >= KMSG_NAME_MAX)
		n = KMSG_NAME_MAX - 1;
	memcpy(out->device, dev, n);
	out->device[n] = '\0';
	end = dev;
	while (end > line && end[-1] == ' ')
		end--;
	for (drv = end; drv > line && drv[-1] != ' '; drv--)
		;
	n = (size_t)(end - drv);
	if (!n || end[-1] == ']' || end[-1] == ':' || drv[0] == '[' ||
	    drv[0] == '<')
		return;
	if (n >= KMSG_NAME_MAX)
		n = KMSG_NAME_MAX - 1;
	memcpy(out->driver, drv, n);
	out->driver[n] = '\0';
}

/* "sz: %zd bytes), total %lu (slots), used %lu (slots)", or the old form
 * that ends after "bytes)". p points just past "(sz: ". */
static int parse_full(const char *p, struct kmsg_line *out, char *err,
		      size_t errlen)
{
	out->kind = KMSG_FULL;
	if (!read_u64(&p, 10, &out->sz) || !skip(&p, " bytes)"))
		return bad(err, errlen, "swiotlb buffer is full: cannot read "
			   "\"sz: N bytes)\"");
	if (!*p || *p == '\n' || *p == '\r')
		return 1;
	if (!skip(&p, ", total ") || !read_u64(&p, 10, &out->total) ||
	    !skip(&p, " (slots), used ") || !read_u64(&p, 10, &out->used) ||
	    !skip(&p, " (slots)"))
		return bad(err, errlen, "swiotlb buffer is full: cannot read "
			   "\"total T (slots), used U (slots)\"");
	if (!out->total)
		return bad(err, errlen, "swiotlb buffer is full: total 0 "
			   "slots (the kernel prints no such line)");
	out->has_counts = true;
	return 1;
}

/* "mapped [mem 0x...-0x...] (NMB)" */
static int parse_mapped(const char *p, struct kmsg_line *out, char *err,
			size_t errlen)
{
	out->kind = KMSG_MAPPED;
	if (!skip(&p, "[mem 0x") || !read_u64(&p, 16, &out->start) ||
	    !skip(&p, "-0x") || !read_u64(&p, 16, &out->end) ||
	    !skip(&p, "] (") || !read_u64(&p, 10, &out->value) ||
	    !skip(&p, "MB)"))
		return bad(err, errlen, "software IO TLB: mapped: cannot read "
			   "\"[mem 0xSTART-0xEND] (NMB)\"");
	if (out->end <= out->start)
		return bad(err, errlen, "software IO TLB: mapped: the pool "
			   "ends (0x%" PRIx64 ") before it starts (0x%" PRIx64
			   ")", out->end, out->start);
	return 1;
}

/* The "SWIOTLB bounce buffer size ..." family. */
static int parse_size(const char *p, struct kmsg_line *out, char *err,
		      size_t errlen)
{
	if (skip(&p, "adjusted to ")) {
		out->kind = KMSG_ADJUSTED;
		if (read_u64(&p, 10, &out->value) && skip(&p, "MB"))
			return 1;
	} else if (skip(&p, "roundup to ")) {
		out->kind = KMSG_ROUNDUP;
		if (read_u64(&p, 10, &out->value) && skip(&p, "MB"))
			return 1;
	} else if (skip(&p, "adjusted ")) {
		out->kind = KMSG_SHRUNK;
		if (read_u64(&p, 10, &out->value) && skip(&p, " -> ") &&
		    read_u64(&p, 10, &out->value_to) && skip(&p, " slabs"))
			return 1;
	} else {
		return 0;
	}
	return bad(err, errlen, "software IO TLB: SWIOTLB bounce buffer "
		   "size: cannot read the size");
}

/* A line after "software IO TLB: ". */
static int parse_swiotlb(const char *p, struct kmsg_line *out, char *err,
			 size_t errlen)
{
	if (skip(&p, "mapped "))
		return parse_mapped(p, out, err, errlen);
	if (skip(&p, "SWIOTLB bounce buffer size "))
		return parse_size(p, out, err, errlen);
	if (skip(&p, "area num ")) {
		out->kind = KMSG_AREAS;
		if (!read_u64(&p, 10, &out->value) || !out->value ||
		    out->value > (1u << 20))
			return bad(err, errlen, "software IO TLB: area num: "
				   "cannot read the count");
		return 1;
	}
	if (skip(&p, "Memory encryption is active and system is using DMA "
		 "bounce buffers")) {
		out->kind = KMSG_ENCRYPTED;
		return 1;
	}
	return 0;
}

int kmsg_parse(const char *line, struct kmsg_line *out, char *err,
	       size_t errlen)
{
	const char *msg;

	memset(out, 0, sizeof(*out));
	read_time(line, out);
	if ((msg = strstr(line, FULL_TEXT))) {
		read_device(line, msg, out);
		return parse_full(msg + strlen(FULL_TEXT), out, err, errlen);
	}
	if ((msg = strstr(line, NO_POOL_TEXT))) {
		read_device(line, msg, out);
		out->kind = KMSG_NO_POOL;
		return 1;
	}
	if ((msg = strstr(line, SWIOTLB_PREFIX)))
		return parse_swiotlb(msg + strlen(SWIOTLB_PREFIX), out, err,
				     errlen);
	if ((msg = strstr(line, SUPPRESSED_TEXT))) {
		const char *p = msg + strlen(SUPPRESSED_TEXT);

		out->kind = KMSG_SUPPRESSED;
		if (read_u64(&p, 10, &out->value) &&
		    skip(&p, " callbacks suppressed"))
			return 1;
	}
	return 0;
}

const char *kmsg_kind_name(enum kmsg_kind kind)
{
	static const char *const names[] = {
		[KMSG_FULL] = "full", [KMSG_MAPPED] = "mapped",
		[KMSG_ADJUSTED] = "adjusted", [KMSG_ROUNDUP] = "roundup",
		[KMSG_SHRUNK] = "shrunk", [KMSG_AREAS] = "areas",
		[KMSG_ENCRYPTED] = "encrypted",
		[KMSG_SUPPRESSED] = "suppressed", [KMSG_NO_POOL] = "no_pool",
	};

	return names[kind];
}
