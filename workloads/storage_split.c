/* workloads/storage_split.c - an I/O's user buffer (page addresses from the
 * contiguity model) and its cutting into block requests and DMA segments,
 * as bio_split_rw() and blk_rq_map_sg() would cut it. */
#include "workloads/storage_impl.h"

#include <stdlib.h>

struct storage_rq *storage_rq_get(struct storage *st)
{
	struct storage_rq *rq = st->free_rqs;
	size_t n = st->cfg.max_segments;
	size_t bytes = sizeof(*rq) + n * sizeof(rq->segs[0]) +
		       n * sizeof(rq->maps[0]);

	if (rq) {
		st->free_rqs = rq->next;
	} else {
		rq = malloc(bytes);
		if (!rq) {
			workload_fail_oom(st->w, bytes, "block request");
			return NULL;
		}
		rq->all_next = st->all_rqs;
		st->all_rqs = rq;
		rq->segs = (struct storage_seg *)(rq + 1);
		rq->maps = (struct machine_mapping **)(rq->segs + n);
	}
	rq->io = NULL;
	rq->bytes = 0;
	rq->nsegs = rq->nmapped = rq->nunmapped = rq->nunmapping = 0;
	rq->next = NULL;
	rq->failed = false;
	rq->failed_at = 0;
	return rq;
}

void storage_rq_put(struct storage *st, struct storage_rq *rq)
{
	rq->next = st->free_rqs;
	st->free_rqs = rq;
}

/* A page-aligned address below phys_limit; `npages` pages from it fit. */
static uint64_t random_page(struct storage *st, uint64_t npages)
{
	return rng_uniform_int(st->w->rng, st->phys_pages - npages + 1) *
	       STORAGE_PAGE_SIZE;
}

/* The page after `prev` in a buffer that is not a huge page: adjacent
 * (prev + 4096) with probability adjacent_page_probability, otherwise a
 * random page that is not adjacent, so that the probability is exact. */
static uint64_t next_page(struct storage *st, uint64_t prev)
{
	double p = st->cfg.adjacent_page_probability;
	uint64_t adjacent = prev + STORAGE_PAGE_SIZE;
	uint64_t page;

	if ((p >= 1 || (p > 0 && rng_uniform(st->w->rng) < p)) &&
	    adjacent < st->phys_pages * STORAGE_PAGE_SIZE)
		return adjacent;
	do
		page = random_page(st, 1);
	while (page == adjacent);
	return page;
}

/* Whether [addr, addr + len) may join rq's last segment: physically
 * adjacent, within the maximum segment size, inside one seg_boundary
 * window (blk_rq_map_sg's merge rules). */
static bool can_merge(const struct storage *st, const struct storage_rq *rq,
		      uint64_t addr, uint64_t len)
{
	const struct storage_seg *last;

	if (!rq->nsegs)
		return false;
	last = &rq->segs[rq->nsegs - 1];
	return last->addr + last->len == addr &&
	       last->len + len <= st->max_segment &&
	       (last->addr | st->seg_boundary) ==
	       ((addr + len - 1) | st->seg_boundary);
}

/* Ends rq (counting it) and puts it on the dispatch queue's tail list. */
static void close_rq(struct storage *st, struct storage_rq *rq,
		     struct storage_rq **head, struct storage_rq **tail)
{
	struct storage_stats *s = &st->stats;

	rq->next = NULL;
	if (*tail)
		(*tail)->next = rq;
	else
		*head = rq;
	*tail = rq;
	rq->io->nrqs++;
	s->block_requests++;
	if (sizedist_hist_add(&s->rq_size, rq->bytes))
		workload_fail_oom(st->w, sizedist_hist_grow_bytes(&s->rq_size),
				  "request size histogram");
	if (sizedist_hist_add(&s->segments, rq->nsegs))
		workload_fail_oom(st->w, sizedist_hist_grow_bytes(&s->segments),
				  "segment count histogram");
}

/* Adds one page (or the I/O's last partial page) to the request being
 * built, starting a new request when the block layer would split here. */
static int add_page(struct storage *st, struct storage_io *io,
		    struct storage_rq **rq, uint64_t addr, uint64_t len,
		    struct storage_rq **head, struct storage_rq **tail)
{
	bool merge = *rq && can_merge(st, *rq, addr, len);

	if (*rq && (*rq)->bytes + len > st->max_transfer) {
		close_rq(st, *rq, head, tail);
		*rq = NULL;
	} else if (*rq && !merge && (*rq)->nsegs == st->cfg.max_segments) {
		st->stats.segment_limit_splits++;
		close_rq(st, *rq, head, tail);
		*rq = NULL;
	}
	if (!*rq) {
		*rq = storage_rq_get(st);
		if (!*rq)
			return -1;
		(*rq)->io = io;
		merge = false;
	}
	if (merge)
		(*rq)->segs[(*rq)->nsegs - 1].len += len;
	else
		(*rq)->segs[(*rq)->nsegs++] = (struct storage_seg){ addr, len };
	(*rq)->bytes += len;
	return 0;
}

/* How many of the next `pages` whole pages from addr (contiguous, as in a
 * huge page) add_page() would merge one by one into rq's last segment,
 * which ends at addr, without closing rq: each must keep the segment
 * within the maximum segment size and its seg_boundary window and rq
 * within the maximum transfer. */
static uint64_t contiguous_merges(const struct storage *st,
				  const struct storage_rq *rq, uint64_t addr,
				  uint64_t pages)
{
	const struct storage_seg *last = &rq->segs[rq->nsegs - 1];
	uint64_t window_end = last->addr | st->seg_boundary;
	uint64_t n = pages, fit;

	fit = (st->max_segment - last->len) / STORAGE_PAGE_SIZE;
	n = fit < n ? fit : n;
	fit = (st->max_transfer - rq->bytes) / STORAGE_PAGE_SIZE;
	n = fit < n ? fit : n;
	/* The segment may end right at its window's end. */
	if (window_end < addr || window_end - addr < STORAGE_PAGE_SIZE - 1)
		return 0;
	fit = (window_end - addr - (STORAGE_PAGE_SIZE - 1)) /
	      STORAGE_PAGE_SIZE + 1;
	return fit < n ? fit : n;
}

/* Gives back requests built for an I/O that could not be finished. */
static void undo(struct storage *st, struct storage_io *io,
		 struct storage_rq *head, struct storage_rq *rq)
{
	while (head) {
		struct storage_rq *next = head->next;

		storage_rq_put(st, head);
		head = next;
	}
	if (rq)
		storage_rq_put(st, rq);
	io->nrqs = 0;
}

int storage_split_io(struct storage *st, struct storage_io *io)
{
	struct storage_cpu *sc = io->sc;
	struct storage_rq *head = NULL, *tail = NULL, *rq = NULL;
	uint64_t npages = (io->size + STORAGE_PAGE_SIZE - 1) / STORAGE_PAGE_SIZE;
	bool huge = rng_uniform(st->w->rng) < st->cfg.huge_page_fraction;
	uint64_t addr = random_page(st, huge ? npages : 1);

	io->nrqs = 0;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t off = i * STORAGE_PAGE_SIZE;
		uint64_t len = io->size - off < STORAGE_PAGE_SIZE ?
			       io->size - off : STORAGE_PAGE_SIZE;

		if (i)
			addr = huge ? addr + STORAGE_PAGE_SIZE :
				      next_page(st, addr);
		/* A huge page's run of whole pages merges in one step. */
		if (huge && rq && len == STORAGE_PAGE_SIZE) {
			uint64_t whole = io->size / STORAGE_PAGE_SIZE - i;
			uint64_t k = contiguous_merges(st, rq, addr, whole);

			if (k) {
				rq->segs[rq->nsegs - 1].len +=
					k * STORAGE_PAGE_SIZE;
				rq->bytes += k * STORAGE_PAGE_SIZE;
				addr += (k - 1) * STORAGE_PAGE_SIZE;
				i += k - 1;
				continue;
			}
		}
		if (add_page(st, io, &rq, addr, len, &head, &tail)) {
			undo(st, io, head, rq);
			return -1;
		}
	}
	close_rq(st, rq, &head, &tail);
	if (io->nrqs > 1)
		st->stats.split_ios++;
	if (sc->tail)
		sc->tail->next = head;
	else
		sc->head = head;
	sc->tail = tail;
	return 0;
}
