/* traces/ftrace_read.c - reads an ftrace capture's text into memory: the
 * fields of the dma: events, into events and segments (ftrace_line.c splits
 * the lines). */
#include "traces/ftrace_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* DMA_TRACE_MAX_ENTRIES: dma_map_sg records at most this many entries. */
#define DMA_TRACE_MAX_ENTRIES 128
/* Longest array we accept in one event (the kernel's sg lists are far
 * shorter; a longer one is garbage). */
#define FT_MAX_ARRAY 65536

static const char *const type_names[FTRACE_NTYPES] = {
	[FTRACE_MAP_PAGE] = "dma_map_page",
	[FTRACE_UNMAP_PAGE] = "dma_unmap_page",
	[FTRACE_MAP_SG] = "dma_map_sg",
	[FTRACE_UNMAP_SG] = "dma_unmap_sg",
	[FTRACE_SYNC_SINGLE_FOR_CPU] = "dma_sync_single_for_cpu",
	[FTRACE_SYNC_SINGLE_FOR_DEVICE] = "dma_sync_single_for_device",
	[FTRACE_SYNC_SG_FOR_CPU] = "dma_sync_sg_for_cpu",
	[FTRACE_SYNC_SG_FOR_DEVICE] = "dma_sync_sg_for_device",
};

const char *ftrace_event_name(enum ftrace_event_type type)
{
	return type < FTRACE_NTYPES ? type_names[type] : "?";
}

/* The fields of the events' print formats that the importer needs. */
enum fkey {
	F_DIR, F_DMA_ADDR, F_SIZE, F_PHYS_ADDR, F_ATTRS, F_NENTS, F_ENTS,
	F_DMA_ADDRS, F_SIZES, F_PHYS_ADDRS, F_NKEYS
};

static const char *const fkey_names[F_NKEYS] = {
	"dir", "dma_addr", "size", "phys_addr", "attrs", "nents", "ents",
	"dma_addrs", "sizes", "phys_addrs",
};

#define FB(k) (1u << (k))

/* Per event type, the fields its print fmt always has (event_formats.txt). */
static const unsigned type_fields[FTRACE_NTYPES] = {
	[FTRACE_MAP_PAGE] = FB(F_DIR) | FB(F_DMA_ADDR) | FB(F_SIZE) |
			    FB(F_PHYS_ADDR) | FB(F_ATTRS),
	[FTRACE_UNMAP_PAGE] = FB(F_DIR) | FB(F_DMA_ADDR) | FB(F_SIZE) |
			      FB(F_ATTRS),
	[FTRACE_MAP_SG] = FB(F_DIR) | FB(F_NENTS) | FB(F_ENTS) |
			  FB(F_DMA_ADDRS) | FB(F_SIZES) | FB(F_PHYS_ADDRS) |
			  FB(F_ATTRS),
	[FTRACE_UNMAP_SG] = FB(F_DIR) | FB(F_PHYS_ADDRS) | FB(F_ATTRS),
	[FTRACE_SYNC_SINGLE_FOR_CPU] = FB(F_DIR) | FB(F_DMA_ADDR) | FB(F_SIZE),
	[FTRACE_SYNC_SINGLE_FOR_DEVICE] = FB(F_DIR) | FB(F_DMA_ADDR) |
					  FB(F_SIZE),
	[FTRACE_SYNC_SG_FOR_CPU] = FB(F_DIR) | FB(F_DMA_ADDRS) | FB(F_SIZES),
	[FTRACE_SYNC_SG_FOR_DEVICE] = FB(F_DIR) | FB(F_DMA_ADDRS) | FB(F_SIZES),
};

/* A growable array of numbers parsed from one `{0x..,0x..}` field. */
struct numvec {
	uint64_t *v;
	size_t n, cap;
};

struct reader {
	struct ft_capture *cap;
	struct ftrace_import_summary *s;
	char *why;
	size_t whylen;
	uint64_t lineno;
	bool have_ts;
	uint64_t last_dma_ts;
	bool have_dma_ts;
	uint32_t last_dev;                  /* cache for find_dev */
	struct numvec phys, dma, sizes;     /* scratch for the array fields */
};

static int fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, r->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

void ft_capture_free(struct ft_capture *cap)
{
	free(cap->events);
	free(cap->segs);
	free(cap->devs);
	*cap = (struct ft_capture){ 0 };
}

/* Makes room for `more` elements of `size` bytes in *arr; -1 when out of
 * memory. */
static int reserve(void **arr, size_t *cap, size_t n, size_t more, size_t size)
{
	size_t want = *cap ? *cap : 256;
	void *p;

	if (n + more <= *cap)
		return 0;
	while (want < n + more)
		want *= 2;
	p = realloc(*arr, want * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

/* Counts a skipped event by name; the table's last entry takes every name
 * that does not fit. */
static void count_other(struct reader *r, const char *name)
{
	struct ftrace_import_summary *s = r->s;
	size_t i;

	s->other_events++;
	for (i = 0; i < s->nother; i++)
		if (!strcmp(s->other[i].name, name))
			break;
	if (i == FTRACE_SUMMARY_NAMES) {
		i = FTRACE_SUMMARY_NAMES - 1;
	} else if (i == s->nother) {
		snprintf(s->other[i].name, FTRACE_NAME_LEN, "%s",
			 i == FTRACE_SUMMARY_NAMES - 1 ? "(other)" : name);
		s->nother++;
	}
	s->other[i].count++;
}

/* ---- the dma: events' fields ----------------------------------------- */

static int parse_hex(const char *v, uint64_t *out)
{
	char *end;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	if (!isxdigit((unsigned char)*v) || strlen(v) > 16)
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 16);
	return errno || *end ? -1 : 0;
}

static int parse_dec(const char *v, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "{0x1000,0x2000}" into vec. */
static int parse_array(struct reader *r, const char *key, const char *v,
		       struct numvec *vec)
{
	size_t len = strlen(v);
	char *copy, *save = NULL, *tok;

	vec->n = 0;
	if (len < 2 || v[0] != '{' || v[len - 1] != '}')
		return fail(r, "%s=%s: expected {0x..,0x..}", key, v);
	copy = strndup(v + 1, len - 2);
	if (!copy)
		return fail(r, "out of memory");
	if (*copy && (copy[0] == ',' || copy[strlen(copy) - 1] == ',' ||
		      strstr(copy, ",,"))) {
		free(copy);
		return fail(r, "%s=: empty element in the list", key);
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (vec->n == FT_MAX_ARRAY ||
		    reserve((void **)&vec->v, &vec->cap, vec->n, 1,
			    sizeof(*vec->v))) {
			free(copy);
			return fail(r, "%s=: list too long", key);
		}
		if (parse_hex(tok, &vec->v[vec->n])) {
			fail(r, "%s=: \"%s\" is not a hex number", key, tok);
			free(copy);
			return -1;
		}
		vec->n++;
	}
	free(copy);
	return 0;
}

/* "32/32" into traced and full counts. */
static int parse_counts(struct reader *r, const char *key, const char *v,
			uint64_t *traced, uint64_t *full)
{
	const char *slash = strchr(v, '/');
	char head[24];

	if (!slash || (size_t)(slash - v) >= sizeof(head))
		return fail(r, "%s=%s: expected N/M", key, v);
	memcpy(head, v, (size_t)(slash - v));
	head[slash - v] = '\0';
	if (parse_dec(head, traced) || parse_dec(slash + 1, full) ||
	    *traced > *full || *full > INT32_MAX)
		return fail(r, "%s=%s: expected N/M", key, v);
	return 0;
}

static int parse_dir(struct reader *r, const char *v, uint8_t *dir)
{
	static const char *const names[] = {
		[FT_BIDIRECTIONAL] = "BIDIRECTIONAL",
		[FT_TO_DEVICE] = "TO_DEVICE",
		[FT_FROM_DEVICE] = "FROM_DEVICE",
		[FT_DIR_NONE] = "NONE",
	};

	for (uint8_t d = 0; d < 4; d++)
		if (!strcmp(v, names[d])) {
			*dir = d;
			return 0;
		}
	return fail(r, "dir=%s: expected TO_DEVICE, FROM_DEVICE, "
		    "BIDIRECTIONAL or NONE", v);
}

/* The device's index, adding it when new. Names go into op traces, so they
 * must be one token there. */
static int find_dev(struct reader *r, const char *name, uint32_t *dev)
{
	struct ft_capture *cap = r->cap;

	if (r->last_dev < cap->ndevs && !strcmp(cap->devs[r->last_dev], name)) {
		*dev = r->last_dev;
		return 0;
	}
	for (size_t i = 0; i < cap->ndevs; i++)
		if (!strcmp(cap->devs[i], name)) {
			*dev = r->last_dev = (uint32_t)i;
			return 0;
		}
	if (strlen(name) >= OPTRACE_NAME_MAX || strpbrk(name, "#="))
		return fail(r, "device name \"%s\" cannot be used in an op trace "
			    "(longer than %d characters, or holds '#' or '=')",
			    name, OPTRACE_NAME_MAX - 1);
	if (reserve((void **)&cap->devs, &cap->devs_cap, cap->ndevs, 1,
		    sizeof(*cap->devs)))
		return fail(r, "out of memory");
	strcpy(cap->devs[cap->ndevs], name);
	*dev = r->last_dev = (uint32_t)cap->ndevs++;
	return 0;
}

/* Splits DATA ("DEV key=value ...") into the device and the known fields. */
static int split_fields(struct reader *r, char *data, const char **dev,
			char *val[F_NKEYS], bool *truncated)
{
	char *save = NULL, *tok;

	*dev = strtok_r(data, " \t", &save);
	if (!*dev || strchr(*dev, '='))
		return fail(r, "no device name");
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');

		if (!strcmp(tok, "[TRUNCATED]")) {
			*truncated = true;
			continue;
		}
		if (!eq)
			return fail(r, "\"%s\": expected key=value", tok);
		*eq = '\0';
		for (int k = 0; k < F_NKEYS; k++)
			if (!strcmp(tok, fkey_names[k])) {
				if (val[k])
					return fail(r, "%s= given twice", tok);
				val[k] = eq + 1;
			}
	}
	return 0;
}

static int add_event(struct reader *r, struct ft_event *ev, size_t nseg)
{
	struct ft_capture *cap = r->cap;

	if (reserve((void **)&cap->events, &cap->events_cap, cap->nevents, 1,
		    sizeof(*cap->events)) ||
	    reserve((void **)&cap->segs, &cap->segs_cap, cap->nsegs, nseg,
		    sizeof(*cap->segs)))
		return fail(r, "out of memory");
	ev->seg = cap->nsegs;
	ev->nseg = (uint32_t)nseg;
	memset(&cap->segs[cap->nsegs], 0, nseg * sizeof(*cap->segs));
	cap->nsegs += nseg;
	if (ev->type == FTRACE_MAP_PAGE || ev->type == FTRACE_MAP_SG)
		cap->map_segs += nseg;
	cap->events[cap->nevents++] = *ev;
	return 0;
}

/* dma_map_sg: pairs phys_addrs[i] with dma_addrs[i] and sizes[i]. */
static int read_map_sg(struct reader *r, struct ft_event *ev, char *val[])
{
	uint64_t nents, full_nents, ents, full_ents;
	struct ft_seg *seg;

	if (parse_counts(r, "nents", val[F_NENTS], &nents, &full_nents) ||
	    parse_counts(r, "ents", val[F_ENTS], &ents, &full_ents) ||
	    parse_array(r, "phys_addrs", val[F_PHYS_ADDRS], &r->phys) ||
	    parse_array(r, "dma_addrs", val[F_DMA_ADDRS], &r->dma) ||
	    parse_array(r, "sizes", val[F_SIZES], &r->sizes))
		return -1;
	if (r->phys.n != nents || r->dma.n != ents || r->sizes.n != ents)
		return fail(r, "nents=%s ents=%s but %zu phys_addrs, %zu "
			    "dma_addrs and %zu sizes", val[F_NENTS], val[F_ENTS],
			    r->phys.n, r->dma.n, r->sizes.n);
	if (nents > DMA_TRACE_MAX_ENTRIES || ents > DMA_TRACE_MAX_ENTRIES)
		return fail(r, "more than %d entries recorded",
			    DMA_TRACE_MAX_ENTRIES);
	ev->merged = full_ents != full_nents;
	r->s->sg_merged += ev->merged;
	r->s->sg_truncated += nents < full_nents;
	if (add_event(r, ev, nents))
		return -1;
	seg = &r->cap->segs[ev->seg];
	for (size_t i = 0; i < nents; i++) {
		seg[i].phys = r->phys.v[i];
		if (ev->merged)
			continue;
		if (!r->sizes.v[i])
			return fail(r, "sizes=: entry %zu is 0", i);
		seg[i].dma = r->dma.v[i];
		seg[i].size = r->sizes.v[i];
	}
	return 0;
}

/* The list events: dma_unmap_sg (phys_addrs) and dma_sync_sg_* (dma_addrs
 * and sizes). */
static int read_list(struct reader *r, struct ft_event *ev, char *val[])
{
	bool unmap = ev->type == FTRACE_UNMAP_SG;
	struct ft_seg *seg;

	if (unmap ? parse_array(r, "phys_addrs", val[F_PHYS_ADDRS], &r->phys) :
	    (parse_array(r, "dma_addrs", val[F_DMA_ADDRS], &r->dma) ||
	     parse_array(r, "sizes", val[F_SIZES], &r->sizes)))
		return -1;
	if (!unmap && r->dma.n != r->sizes.n)
		return fail(r, "%zu dma_addrs but %zu sizes", r->dma.n,
			    r->sizes.n);
	if (add_event(r, ev, unmap ? r->phys.n : r->dma.n))
		return -1;
	seg = &r->cap->segs[ev->seg];
	for (size_t i = 0; i < ev->nseg; i++) {
		if (unmap) {
			seg[i].phys = r->phys.v[i];
		} else {
			seg[i].dma = r->dma.v[i];
			seg[i].size = r->sizes.v[i];
		}
	}
	return 0;
}

/* dma_map_page, dma_unmap_page, dma_sync_single_*: one address each. */
static int read_single(struct reader *r, struct ft_event *ev, char *val[])
{
	struct ft_seg seg = { 0 };

	if (parse_hex(val[F_DMA_ADDR], &seg.dma))
		return fail(r, "dma_addr=%s: not a hex number", val[F_DMA_ADDR]);
	if (parse_dec(val[F_SIZE], &seg.size))
		return fail(r, "size=%s: not a decimal number", val[F_SIZE]);
	if (ev->type == FTRACE_MAP_PAGE) {
		if (parse_hex(val[F_PHYS_ADDR], &seg.phys))
			return fail(r, "phys_addr=%s: not a hex number",
				    val[F_PHYS_ADDR]);
		if (!seg.size)
			return fail(r, "size=0: a mapping has at least 1 byte");
	}
	if (add_event(r, ev, 1))
		return -1;
	r->cap->segs[ev->seg] = seg;
	return 0;
}

static int read_dma_event(struct reader *r, enum ftrace_event_type type,
			  const struct ft_line_head *h)
{
	char *val[F_NKEYS] = { 0 };
	const char *dev;
	bool truncated = false;
	struct ft_event ev = { .ts_ns = h->ts_ns, .lineno = r->lineno,
			       .cpu = h->cpu, .type = (uint8_t)type };

	if (!strncmp(h->data, "[FAILED TO PARSE]", 17))
		return fail(r, "%s: trace-cmd could not format this event "
			    "([FAILED TO PARSE]); use a newer trace-cmd, or "
			    "the text of /sys/kernel/tracing/trace",
			    type_names[type]);
	if (split_fields(r, h->data, &dev, val, &truncated))
		return -1;
	for (int k = 0; k < F_NKEYS; k++)
		if ((type_fields[type] & FB(k)) && !val[k])
			return fail(r, "%s: no %s= field", type_names[type],
				    fkey_names[k]);
	if (find_dev(r, dev, &ev.dev) || parse_dir(r, val[F_DIR], &ev.dir))
		return -1;
	r->s->events[type]++;
	if (r->have_dma_ts && h->ts_ns < r->last_dma_ts)
		r->s->out_of_order++;
	r->have_dma_ts = true;
	r->last_dma_ts = h->ts_ns;
	switch (type) {
	case FTRACE_MAP_SG:
		return read_map_sg(r, &ev, val);
	case FTRACE_UNMAP_SG:
	case FTRACE_SYNC_SG_FOR_CPU:
	case FTRACE_SYNC_SG_FOR_DEVICE:
		return read_list(r, &ev, val);
	default:
		return read_single(r, &ev, val);
	}
}

/* ---- lines ------------------------------------------------------------ */

static int read_line(struct reader *r, char *line)
{
	struct ft_line_head h = { 0 };
	int kind = ft_parse_line(line, r->s, &h, r->why, r->whylen);

	if (kind <= 0)
		return kind;
	if (!r->have_ts || h.ts_ns < r->s->t0_ns)
		r->s->t0_ns = h.ts_ns;
	if (!r->have_ts || h.ts_ns > r->s->t_end_ns)
		r->s->t_end_ns = h.ts_ns;
	r->have_ts = true;
	if (h.event)
		for (int t = 0; t < FTRACE_NTYPES; t++)
			if (!strcmp(h.event, type_names[t]))
				return read_dma_event(r, (enum ftrace_event_type)t,
						      &h);
	count_other(r, h.event ? h.event : "(no event name)");
	return 0;
}

int ft_read_capture(FILE *f, struct ft_capture *cap,
		    struct ftrace_import_summary *s, char *why, size_t whylen,
		    uint64_t *lineno)
{
	struct reader r = { .cap = cap, .s = s, .why = why, .whylen = whylen };
	char *buf = NULL;
	size_t bufsize = 0;
	ssize_t n;
	int status = 0;

	*lineno = 0;
	while ((n = getline(&buf, &bufsize, f)) >= 0) {
		*lineno = r.lineno = ++s->lines;
		if (memchr(buf, '\0', (size_t)n)) {
			status = fail(&r, "binary data (a NUL byte): not the "
				      "text of an ftrace capture");
			break;
		}
		if (!n || buf[n - 1] != '\n') {
			status = fail(&r, "truncated final line (no newline at "
				      "the end of the capture)");
			break;
		}
		buf[--n] = '\0';
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';
		if ((status = read_line(&r, buf)))
			break;
	}
	if (!status && ferror(f)) {
		*lineno = 0;
		status = fail(&r, "read error: %s", strerror(errno));
	}
	free(buf);
	free(r.phys.v);
	free(r.dma.v);
	free(r.sizes.v);
	return status;
}
