/* traces/ftrace_convert.c - turns the capture's dma: events into op-trace
 * lines: decides which mappings bounced, numbers those written, and matches
 * unmaps and syncs to the live mappings. */
#include "traces/ftrace_internal.h"

#include <inttypes.h>
#include <stdlib.h>

#define NIL SIZE_MAX

enum map_kind { KIND_PAGE, KIND_SG };

/* One mapping the capture made (a page or one sg segment). Live ones are
 * linked into the hash chains that find them: by device and dma_addr
 * (unmap_page, syncs), and for sg segments by device and phys_addr
 * (unmap_sg). */
struct live_map {
	uint64_t dma, phys, size;
	uint64_t id;               /* op-trace id; 0 when left out */
	size_t next_dma, next_phys;
	uint32_t dev;
	uint8_t kind;              /* enum map_kind */
	bool bounced;
	bool in_dma, in_phys;      /* linked into by_dma / by_phys */
};

struct conv {
	const struct ft_capture *cap;
	const struct ftrace_import_opts *o;
	FILE *out;                 /* NULL: count only */
	struct ftrace_import_summary *s;
	uint64_t *dev_maps;
	struct live_map *maps;
	size_t nmaps;
	size_t *by_dma, *by_phys;  /* chain heads, newest first */
	size_t mask;
	uint64_t next_id;
	uint64_t live_written;
};

static const char *const map_dirs[] = {
	[FT_BIDIRECTIONAL] = " dir=bidirectional",
	[FT_TO_DEVICE] = " dir=to_device",
	[FT_FROM_DEVICE] = " dir=from_device",
	[FT_DIR_NONE] = "",
};

static size_t bucket(const struct conv *c, uint32_t dev, uint64_t addr)
{
	uint64_t k = (addr >> 9) ^ ((uint64_t)dev * 0x9e3779b97f4a7c15ULL);

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & c->mask;
}

static uint64_t rel_t(const struct conv *c, const struct ft_event *ev)
{
	return ev->ts_ns - c->s->t0_ns;
}

/* The oldest live mapping of dev at dma_addr (of `kind`, or any when
 * kind < 0), or NIL. Chains run newest first, so the last match wins. */
static size_t find_by_dma(const struct conv *c, uint32_t dev, uint64_t dma,
			  int kind)
{
	size_t found = NIL;

	for (size_t i = c->by_dma[bucket(c, dev, dma)]; i != NIL;
	     i = c->maps[i].next_dma) {
		const struct live_map *m = &c->maps[i];

		if (m->dev == dev && m->dma == dma && (kind < 0 || m->kind == kind))
			found = i;
	}
	return found;
}

/* The oldest live sg segment of dev at phys_addr, or NIL. */
static size_t find_sg_by_phys(const struct conv *c, uint32_t dev,
			      uint64_t phys)
{
	size_t found = NIL;

	for (size_t i = c->by_phys[bucket(c, dev, phys)]; i != NIL;
	     i = c->maps[i].next_phys) {
		const struct live_map *m = &c->maps[i];

		if (m->dev == dev && m->phys == phys)
			found = i;
	}
	return found;
}

static void link_map(struct conv *c, size_t i)
{
	struct live_map *m = &c->maps[i];

	if (m->in_dma) {
		size_t *head = &c->by_dma[bucket(c, m->dev, m->dma)];

		m->next_dma = *head;
		*head = i;
	}
	if (m->in_phys) {
		size_t *head = &c->by_phys[bucket(c, m->dev, m->phys)];

		m->next_phys = *head;
		*head = i;
	}
	if (m->id)
		c->live_written++;
}

static void unlink_map(struct conv *c, size_t i)
{
	struct live_map *m = &c->maps[i];
	size_t *p;

	if (m->in_dma) {
		for (p = &c->by_dma[bucket(c, m->dev, m->dma)]; *p != i;
		     p = &c->maps[*p].next_dma)
			;
		*p = m->next_dma;
		m->in_dma = false;
	}
	if (m->in_phys) {
		for (p = &c->by_phys[bucket(c, m->dev, m->phys)]; *p != i;
		     p = &c->maps[*p].next_phys)
			;
		*p = m->next_phys;
		m->in_phys = false;
	}
	if (m->id)
		c->live_written--;
}

/* A bounce address handed out again while a mapping at it is live: that
 * mapping's unmap was lost (lost events), so it is unmapped here first. */
static void retire_stale(struct conv *c, const struct ft_event *ev,
			 uint32_t dev, uint64_t dma)
{
	size_t i;

	while ((i = find_by_dma(c, dev, dma, -1)) != NIL) {
		struct live_map *m = &c->maps[i];

		if (!m->bounced)
			return;
		unlink_map(c, i);
		c->s->stale_unmapped++;
		if (c->out && m->id)
			fprintf(c->out, "unmap id=%" PRIu64 " t=%" PRIu64
				" # inferred: 0x%" PRIx64 " bounced again, its "
				"unmap is not in the capture\n", m->id,
				rel_t(c, ev), dma);
	}
}

static void put_map(struct conv *c, const struct ft_event *ev,
		    const struct live_map *m)
{
	fprintf(c->out, "map id=%" PRIu64 " cpu=%" PRIu32 " dev=%s orig=0x%"
		PRIx64 " size=%" PRIu64 "%s t=%" PRIu64, m->id, ev->cpu,
		c->cap->devs[m->dev], m->phys, m->size, map_dirs[ev->dir],
		rel_t(c, ev));
	if (c->o->annotate)
		fprintf(c->out, " # kernel dma_addr=0x%" PRIx64, m->dma);
	fputc('\n', c->out);
}

/* dma_map_page, dma_map_sg: one live mapping per page or segment. */
static void do_map(struct conv *c, const struct ft_event *ev)
{
	for (size_t k = 0; k < ev->nseg; k++) {
		const struct ft_seg *seg = &c->cap->segs[ev->seg + k];
		size_t i = c->nmaps++;
		struct live_map *m = &c->maps[i];

		*m = (struct live_map){
			.dma = seg->dma, .phys = seg->phys, .size = seg->size,
			.dev = ev->dev,
			.kind = ev->type == FTRACE_MAP_SG ? KIND_SG : KIND_PAGE,
			.bounced = !ev->merged && seg->dma != seg->phys,
			.in_dma = !ev->merged,
			.in_phys = ev->type == FTRACE_MAP_SG,
		};
		if (m->bounced)
			retire_stale(c, ev, m->dev, m->dma);
		if (!ev->merged && (m->bounced || c->o->all_devices)) {
			m->id = ++c->next_id;
			c->s->maps_written++;
			c->dev_maps[m->dev]++;
			if (c->out)
				put_map(c, ev, m);
		} else {
			c->s->maps_left_out++;
		}
		link_map(c, i);
	}
}

static void put_unmatched(struct conv *c, const struct ft_event *ev,
			  const char *field, uint64_t addr)
{
	if (c->out && c->o->keep_unmatched)
		fprintf(c->out, "# unmatched %s dev=%s %s=0x%" PRIx64 " t=%"
			PRIu64 " (capture line %" PRIu64 "): mapped before "
			"the capture began\n", ftrace_event_name(ev->type),
			c->cap->devs[ev->dev], field, addr, rel_t(c, ev),
			ev->lineno);
}

/* Ends mapping i (NIL: no live mapping matched `addr`). */
static void end_map(struct conv *c, const struct ft_event *ev, size_t i,
		    const char *field, uint64_t addr)
{
	uint64_t id;

	if (i == NIL) {
		c->s->unmaps_unmatched++;
		put_unmatched(c, ev, field, addr);
		return;
	}
	id = c->maps[i].id;
	unlink_map(c, i);
	if (!id) {
		c->s->unmaps_left_out++;
		return;
	}
	c->s->unmaps_written++;
	if (c->out)
		fprintf(c->out, "unmap id=%" PRIu64 " t=%" PRIu64 "\n", id,
			rel_t(c, ev));
}

static void do_unmap(struct conv *c, const struct ft_event *ev)
{
	for (size_t k = 0; k < ev->nseg; k++) {
		const struct ft_seg *seg = &c->cap->segs[ev->seg + k];

		if (ev->type == FTRACE_UNMAP_PAGE)
			end_map(c, ev, find_by_dma(c, ev->dev, seg->dma,
						   KIND_PAGE), "dma_addr",
				seg->dma);
		else
			end_map(c, ev, find_sg_by_phys(c, ev->dev, seg->phys),
				"phys_addr", seg->phys);
	}
}

static void do_sync(struct conv *c, const struct ft_event *ev)
{
	bool for_cpu = ev->type == FTRACE_SYNC_SINGLE_FOR_CPU ||
		       ev->type == FTRACE_SYNC_SG_FOR_CPU;

	for (size_t k = 0; k < ev->nseg; k++) {
		const struct ft_seg *seg = &c->cap->segs[ev->seg + k];
		size_t i = find_by_dma(c, ev->dev, seg->dma, -1);

		if (i == NIL) {
			c->s->syncs_unmatched++;
			put_unmatched(c, ev, "dma_addr", seg->dma);
		} else if (!c->maps[i].id) {
			c->s->syncs_left_out++;
		} else {
			c->s->syncs_written++;
			if (!c->out)
				continue;
			fprintf(c->out, "sync id=%" PRIu64 " dir=%s",
				c->maps[i].id, for_cpu ? "cpu" : "device");
			if (seg->size)
				fprintf(c->out, " size=%" PRIu64, seg->size);
			fprintf(c->out, " t=%" PRIu64 "\n", rel_t(c, ev));
		}
	}
}

int ft_convert(const struct ft_capture *cap, const struct ftrace_import_opts *o,
	       FILE *out, struct ftrace_import_summary *s, uint64_t *dev_maps)
{
	struct conv c = { .cap = cap, .o = o, .out = out, .s = s,
			  .dev_maps = dev_maps };
	size_t nbuckets = 64;
	int status = -1;

	while (nbuckets < 2 * cap->map_segs)
		nbuckets *= 2;
	c.mask = nbuckets - 1;
	c.maps = malloc((cap->map_segs ? cap->map_segs : 1) * sizeof(*c.maps));
	c.by_dma = malloc(nbuckets * sizeof(*c.by_dma));
	c.by_phys = malloc(nbuckets * sizeof(*c.by_phys));
	if (!c.maps || !c.by_dma || !c.by_phys)
		goto out;
	for (size_t b = 0; b < nbuckets; b++)
		c.by_dma[b] = c.by_phys[b] = NIL;
	for (size_t d = 0; d < cap->ndevs; d++)
		dev_maps[d] = 0;
	for (size_t e = 0; e < cap->nevents; e++) {
		const struct ft_event *ev = &cap->events[e];

		switch ((enum ftrace_event_type)ev->type) {
		case FTRACE_MAP_PAGE:
		case FTRACE_MAP_SG:
			do_map(&c, ev);
			break;
		case FTRACE_UNMAP_PAGE:
		case FTRACE_UNMAP_SG:
			do_unmap(&c, ev);
			break;
		default:
			do_sync(&c, ev);
			break;
		}
	}
	s->maps_live_at_end = c.live_written;
	status = 0;
out:
	free(c.maps);
	free(c.by_dma);
	free(c.by_phys);
	return status;
}
