/* diagnose/diag_log.c - folds kernel log lines into what they say about
 * the machine, and groups the "buffer is full" messages. */
#include "diagnose/diagnose.h"

#include <string.h>

#define MiB (1ULL << 20)

void diag_log_init(struct diag_log *log)
{
	memset(log, 0, sizeof(*log));
	log->m.min_align_mask = -1;
}

/* "mapped [mem A-B] (NMB)": the pool's slots from its range; the MB
 * figure is rounded down by the kernel, the range is exact. */
static void note_mapped(struct diag_machine *m, const struct kmsg_line *l)
{
	m->boot_start = l->start;
	m->boot_nslabs = (l->end - l->start) >> IO_TLB_SHIFT;
	if (!m->boot_nslabs)
		m->boot_nslabs = (l->value * MiB) >> IO_TLB_SHIFT;
}

static void note_machine(struct diag_machine *m, const struct kmsg_line *l)
{
	switch (l->kind) {
	case KMSG_MAPPED:
		note_mapped(m, l);
		break;
	case KMSG_ADJUSTED:
		/* On x86 only the confidential-computing setup calls
		 * swiotlb_adjust_size() (the 6% rule). */
		m->adjusted_bytes = l->value * MiB;
		m->coco = true;
		break;
	case KMSG_SHRUNK:
		m->shrunk_from = l->value;
		break;
	case KMSG_AREAS:
		m->nareas_asked = (uint32_t)l->value;
		break;
	case KMSG_ENCRYPTED:
		m->encrypted = m->coco = true;
		break;
	case KMSG_SUPPRESSED:
		m->suppressed += l->value;
		break;
	case KMSG_NO_POOL:
		m->no_pool = true;
		break;
	case KMSG_ROUNDUP:
	case KMSG_FULL:
		break;
	}
}

static struct diag_group *find_group(struct diag_log *log,
				     const struct kmsg_line *l)
{
	for (size_t i = 0; i < log->ngroups; i++) {
		struct diag_group *g = &log->groups[i];

		if (g->sz == l->sz && g->total == l->total &&
		    g->has_counts == l->has_counts &&
		    !strcmp(g->device, l->device) &&
		    !strcmp(g->driver, l->driver))
			return g;
	}
	return NULL;
}

static void note_full(struct diag_log *log, const struct kmsg_line *l,
		      const char *text)
{
	struct diag_group *g = find_group(log, l);

	if (!g) {
		if (log->ngroups == DIAG_MAX_GROUPS) {
			log->groups_dropped++;
			return;
		}
		g = &log->groups[log->ngroups++];
		memset(g, 0, sizeof(*g));
		strcpy(g->driver, l->driver);
		strcpy(g->device, l->device);
		g->sz = l->sz;
		g->total = l->total;
		g->has_counts = l->has_counts;
		g->used_min = g->used_max = l->used;
		g->has_time = l->has_time;
		g->first_s = g->last_s = l->time_s;
		snprintf(g->first_line, sizeof(g->first_line), "%.*s",
			 (int)strcspn(text, "\r\n"), text);
	}
	g->count++;
	if (l->used < g->used_min)
		g->used_min = l->used;
	if (l->used > g->used_max)
		g->used_max = l->used;
	if (l->has_time && g->has_time) {
		if (l->time_s < g->first_s)
			g->first_s = l->time_s;
		if (l->time_s > g->last_s)
			g->last_s = l->time_s;
	}
}

void diag_log_add(struct diag_log *log, const struct kmsg_line *l,
		  const char *text)
{
	log->recognised++;
	if (l->kind == KMSG_FULL)
		note_full(log, l, text);
	else
		note_machine(&log->m, l);
}
