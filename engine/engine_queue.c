/* engine/engine_queue.c - the cold paths of the engine's radix queue (see
 * engine/engine_queue.h): chunks, building runs, redistributing, purging. */
#include "engine/engine_queue.h"

#include <stdlib.h>
#include <string.h>

/* realloc() that, when memory runs out, leaves `old` as it was and records
 * the failure for the engine (sim_out_of_memory()): the caller drops the
 * record it was making room for, and the engine stops. */
static void *eq_alloc(struct eq_queue *q, void *old, size_t bytes,
		      const char *what)
{
	void *p = realloc(old, bytes);

	if (!p && !q->oom_what) {
		q->oom_what = what;
		q->oom_bytes = bytes;
	}
	return p;
}

void eq_init(struct eq_queue *q)
{
	memset(q, 0, sizeof(*q));
	q->level0_first = SIM_TIME_MAX;
}

static void free_chunk_list(struct eq_chunk *c)
{
	while (c) {
		struct eq_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void eq_free(struct eq_queue *q)
{
	for (unsigned l = 0; l < EQ_LEVELS; l++)
		for (unsigned d = 0; d < EQ_DIGITS; d++)
			free_chunk_list(q->bucket[l][d].head);
	for (unsigned c = 0; c < EQ_CHUNK_CLASSES; c++)
		free_chunk_list(q->free_chunks[c]);
	free(q->run);
}

/* ---- chunks ---- */

/* NULL when out of memory. */
static struct eq_chunk *alloc_chunk(struct eq_queue *q, unsigned size_class)
{
	struct eq_chunk *c = q->free_chunks[size_class];

	if (c)
		q->free_chunks[size_class] = c->next;
	else
		c = eq_alloc(q, NULL, sizeof(*c) + sizeof(struct eq_rec) *
			     (EQ_CHUNK_MIN << size_class), "event queue chunk");
	if (!c)
		return NULL;
	c->next = NULL;
	c->count = 0;
	c->size_class = size_class;
	return c;
}

static void release_chunk(struct eq_queue *q, struct eq_chunk *c)
{
	c->next = q->free_chunks[c->size_class];
	q->free_chunks[c->size_class] = c;
}

/* Makes c the bucket's tail, with all its room free. */
static void set_tail(struct eq_bucket *b, struct eq_chunk *c)
{
	b->tail = c;
	b->next = c->rec;
	b->end = c->rec + (EQ_CHUNK_MIN << c->size_class);
}

/* The bucket is empty or its tail chunk is full: each new chunk is twice
 * the last, up to the largest class. -1 when out of memory (the bucket is
 * unchanged). */
static int grow_bucket(struct eq_queue *q, unsigned l, struct eq_bucket *b)
{
	struct eq_chunk *c;

	if (!b->tail) {
		c = alloc_chunk(q, q->first_class[l]);
		if (!c)
			return -1;
		b->head = c;
		b->read = 0;
	} else {
		unsigned cls = b->tail->size_class + 1;

		c = alloc_chunk(q, cls < EQ_CHUNK_CLASSES ? cls :
				EQ_CHUNK_CLASSES - 1);
		if (!c)
			return -1;
		eq_sync_tail(b);
		b->tail->next = c;
	}
	set_tail(b, c);
	return 0;
}

/* Room at the end of bucket (l, d), growing it when it must; NULL when
 * out of memory. */
static struct eq_rec *append_grow(struct eq_queue *q, unsigned l, unsigned d)
{
	struct eq_bucket *b = &q->bucket[l][d];

	if (b->next == b->end && grow_bucket(q, l, b))
		return NULL;
	eq_mark_occupied(q, l, d);
	return b->next++;
}

/* Level 0 changed: finds its first record again. */
static void level0_refresh(struct eq_queue *q)
{
	q->level0_first = q->level_mask & 1 ?
			  eq_level0_time(q, eq_first_digit(q, 0)) :
			  SIM_TIME_MAX;
}

/* A record for the run's own window goes into the run, in order, while
 * the run has at most this many records left: a few moves instead of a
 * level-0 bucket to fill and a second source for eq_take() to compare. */
#define EQ_RUN_INSERT_MAX 16u

/* Room in the run for a record of time `at` in the run's window, after
 * every record of the run with a time <= at. Only while level 0 is empty:
 * level-0 records were scheduled after every run record, and the run goes
 * first at equal times, so a record of this window that arrives once level
 * 0 has records must join them there. */
static struct eq_rec *run_insert(struct eq_queue *q, sim_time_t at)
{
	size_t j = q->run_len++;

	while (j > q->run_pos && q->run[j - 1].at > at) {
		q->run[j] = q->run[j - 1];
		j--;
	}
	return &q->run[j];
}

/* Room for a record of time `at` in the run's window: in the run (see
 * above), else in its level-0 bucket (NULL when out of memory). */
static struct eq_rec *claim_window(struct eq_queue *q, sim_time_t at)
{
	if (!(q->level_mask & 1)) {
		if (q->run_pos == q->run_len)
			q->run_pos = q->run_len = 0;
		if (q->run_len - q->run_pos < EQ_RUN_INSERT_MAX &&
		    q->run_len < q->run_cap)
			return run_insert(q, at);
	}
	q->level0_first = at < q->level0_first ? at : q->level0_first;
	return append_grow(q, 0, eq_digit(q, at, 0));
}

/* The first record of empty bucket (l, d), l >= 1, when a chunk of the
 * level's first class is free: the usual way a bucket starts (every run
 * taken empties one), so it goes without append_grow()'s calls. NULL when
 * no such chunk is free. */
static struct eq_rec *open_bucket(struct eq_queue *q, unsigned l, unsigned d)
{
	struct eq_bucket *b = &q->bucket[l][d];
	unsigned cls = q->first_class[l];
	struct eq_chunk *c = q->free_chunks[cls];

	if (b->tail || !c)
		return NULL;
	q->free_chunks[cls] = c->next;
	c->next = NULL;
	c->count = 0;
	b->head = b->tail = c;
	b->read = 0;
	b->next = c->rec + 1;
	b->end = c->rec + (EQ_CHUNK_MIN << cls);
	eq_mark_occupied(q, l, d);
	return c->rec;
}

struct eq_rec *eq_claim_slow(struct eq_queue *q, sim_time_t at)
{
	unsigned l = eq_level(q, at);
	unsigned d;
	struct eq_rec *rec;

	if (l == 0)
		return claim_window(q, at);
	d = eq_digit(q, at, l);
	rec = open_bucket(q, l, d);
	return rec ? rec : append_grow(q, l, d);
}

/* Level-0 bucket d has used up its head chunk. A drained bucket keeps a
 * small chunk: at low density these buckets fill and drain about once per
 * event, and a kept chunk saves the round trip through the free list. */
static void next_chunk(struct eq_queue *q, struct eq_bucket *b, unsigned d)
{
	struct eq_chunk *c = b->head;

	b->read = 0;
	if (c->next) {
		b->head = c->next;
		release_chunk(q, c);
		return;
	}
	eq_mark_empty(q, 0, d);
	level0_refresh(q);
	if (c->size_class == 0) {
		c->count = 0;
		set_tail(b, c);
		return;
	}
	release_chunk(q, c);
	b->head = b->tail = NULL;
	b->next = b->end = NULL;
}

/* ---- moving records down ---- */

/* The first chunk for a bucket after one of n records: room for n and an
 * eighth more, so that a bucket like it fits in one; but at most class 4
 * (128 records, 5 KiB): every bucket ahead with even one record has a
 * chunk, and a dense bucket goes on with longer chunks anyway. */
#define EQ_FIRST_CLASS_MAX 4u

static uint8_t first_class_after(size_t n)
{
	uint8_t cls = 0;

	while (cls < EQ_FIRST_CLASS_MAX && (EQ_CHUNK_MIN << cls) < n + n / 8)
		cls++;
	return cls;
}

/* Takes a bucket's records out, leaving it empty; returns its chunk list
 * and, in *read, how many records of the first chunk were already taken.
 * Above level 0 it sizes the next bucket's first chunk there. */
static struct eq_chunk *detach(struct eq_queue *q, unsigned l, unsigned d,
			       uint32_t *read)
{
	struct eq_bucket *b = &q->bucket[l][d];
	struct eq_chunk *c = b->head;
	size_t n = 0;

	eq_sync_tail(b);
	for (struct eq_chunk *k = c; k; k = k->next)
		n += k->count;
	if (l > 0)
		q->first_class[l] = first_class_after(n);
	*read = b->read;
	b->head = b->tail = NULL;
	b->next = b->end = NULL;
	b->read = 0;
	eq_mark_empty(q, l, d);
	if (l == 0)
		level0_refresh(q);
	return c;
}

/* Files again, in order, the records of a detached chunk list that `live`
 * accepts (all when it is NULL), and recycles the chunks. A record that
 * finds no memory is lost, and the queue records why (eq_alloc()). */
static size_t refile(struct eq_queue *q, struct eq_chunk *c, uint32_t read,
		     eq_live_fn live, const void *ctx)
{
	size_t dropped = 0;

	while (c) {
		struct eq_chunk *next = c->next;

		for (uint32_t i = read; i < c->count; i++) {
			if (live && !live(ctx, &c->rec[i])) {
				dropped++;
				continue;
			}
			struct eq_rec *to = eq_claim(q, c->rec[i].at);

			if (to)		/* else lost: out of memory */
				*to = c->rec[i];
		}
		release_chunk(q, c);
		read = 0;
		c = next;
	}
	return dropped;
}

/* Room for n records in the run; -1 when out of memory. */
static int ensure_run_cap(struct eq_queue *q, size_t n)
{
	size_t cap = n > 2 * q->run_cap ? n : 2 * q->run_cap;
	struct eq_rec *run;

	if (n <= q->run_cap)
		return 0;
	run = eq_alloc(q, q->run, cap * sizeof(*run), "event run");
	if (!run)
		return -1;
	q->run = run;
	q->run_cap = cap;
	return 0;
}

/* Below this many records a run is built by insertion sort: the counting
 * sort's passes over all 256 digits cost more than a few moves per record.
 * At the densities the simulator sees (a handful of events per 256 ns
 * window) this is the common case. */
#define EQ_INSERTION_MAX 48u

/* Stable insertion sort of a detached chunk list into the run (room for
 * its records made). */
static void build_run_small(struct eq_queue *q, struct eq_chunk *list)
{
	struct eq_rec *run = q->run;
	size_t k = 0;

	while (list) {
		struct eq_chunk *next = list->next;

		for (uint32_t i = 0; i < list->count; i++) {
			sim_time_t at = list->rec[i].at;
			size_t j = k++;

			while (j > 0 && run[j - 1].at > at) {
				run[j] = run[j - 1];
				j--;
			}
			run[j] = list->rec[i];
		}
		release_chunk(q, list);
		list = next;
	}
}

/* Stable counting sort on the lowest digit: two sequential passes (room
 * made, as above). */
static void build_run_counting(struct eq_queue *q, struct eq_chunk *list)
{
	uint32_t *pos = q->digit_count;
	unsigned mask = EQ_DIGIT_MASK >> q->skew;

	memset(pos, 0, (mask + 1) * sizeof(*pos));
	for (struct eq_chunk *c = list; c; c = c->next)
		for (uint32_t i = 0; i < c->count; i++)
			pos[c->rec[i].at & mask]++;
	for (uint32_t k = 0, sum = 0; k <= mask; k++) {
		uint32_t here = pos[k];

		pos[k] = sum;
		sum += here;
	}
	while (list) {
		struct eq_chunk *next = list->next;

		for (uint32_t i = 0; i < list->count; i++)
			q->run[pos[list->rec[i].at & mask]++] =
				list->rec[i];
		release_chunk(q, list);
		list = next;
	}
}

/* The earliest time bucket (l, d), l >= 1, can hold: `last` may move
 * there, as it is no later than any queued time. */
static sim_time_t eq_bucket_start(const struct eq_queue *q, unsigned l,
				  unsigned d)
{
	unsigned above = eq_shift(q, l) + EQ_DIGIT_BITS;
	sim_time_t high = above < 64 ? q->last >> above << above : 0;

	return high | (sim_time_t)d << eq_shift(q, l);
}

/* ---- the width of level 0 ---- */

/* Why two widths: where events are dense (the hold model at 1000 ns per
 * event and 10^3 pending or more), a 256 ns run window takes ~12% of new
 * records into level 0 and its interleaving with the run, against ~3% for
 * 64 ns; where they are sparse (the simulator: a few per 256 ns), a 64 ns
 * window builds a run for every one or two records, and 256 ns does less
 * work per event. A run of n records votes for the other width when
 * n >= EQ_DENSE_RUN at 256 ns (one record per 2 ns) or n < EQ_SPARSE_RUN
 * at 64 ns (one per 8 ns); EQ_VOTES runs in a row switch. The gap between
 * the two densities and the votes in a row keep a mixed load from
 * switching back and forth: a switch refiles every queued record. */
#define EQ_DENSE_RUN 128u
#define EQ_SPARSE_RUN 8u
#define EQ_VOTES 16u

static void vote_skew(struct eq_queue *q, size_t n)
{
	bool other = q->skew ? n < EQ_SPARSE_RUN : n >= EQ_DENSE_RUN;

	q->votes = other ? q->votes + 1 : 0;
}

/* Moves every record to where the other skew puts it; the run and level 0
 * are empty. Records of one time share one bucket before and after, and
 * each bucket is refiled in order, so equal times stay FIFO. */
static void switch_skew(struct eq_queue *q)
{
	struct eq_chunk *all = NULL, **end = &all;

	for (unsigned l = 1; l < EQ_LEVELS; l++) {
		for (unsigned w = 0; w < EQ_DIGIT_WORDS; w++) {
			uint64_t bits = q->occupied[l][w];

			for (; bits; bits &= bits - 1) {
				unsigned d = w * 64 +
					     (unsigned)__builtin_ctzll(bits);
				uint32_t read;

				*end = detach(q, l, d, &read);
				while (*end)
					end = &(*end)->next;
			}
		}
	}
	q->skew ^= EQ_SKEW_DENSE;
	q->votes = 0;
	memset(q->first_class, 0, sizeof(q->first_class));
	if (q->skew) {
		/* Runs will be a quarter as long: give back the memory of
		 * the long ones (10 MB where 10^6 events are pending). */
		free(q->run);
		q->run = NULL;
		q->run_cap = 0;
	}
	refile(q, all, 0, NULL, NULL);
}

static bool drop_all(const void *ctx, const struct eq_rec *rec)
{
	(void)ctx;
	(void)rec;
	return false;
}

/* Level-1 bucket d is the earliest window: sorting its records by their
 * bits below level 1, stably, makes it the run. */
static void build_run(struct eq_queue *q, unsigned d)
{
	uint32_t read;
	sim_time_t start = eq_bucket_start(q, 1, d);
	struct eq_chunk *list = detach(q, 1, d, &read);
	size_t n = 0;

	for (struct eq_chunk *c = list; c; c = c->next)
		n += c->count;
	if (ensure_run_cap(q, n)) {
		/* Out of memory: the window's records are lost. */
		refile(q, list, 0, drop_all, NULL);
		n = 0;
	} else if (n <= EQ_INSERTION_MAX) {
		build_run_small(q, list);
	} else {
		build_run_counting(q, list);
	}
	q->last = start;
	q->run_pos = 0;
	q->run_len = n;
	vote_skew(q, n);
}

/* Bucket (l, d), l >= 2, is the first non-empty one: moving `last` to the
 * earliest time it can hold sends each of its records to a lower level; no
 * other record changes bucket. */
static void redistribute(struct eq_queue *q, unsigned l, unsigned d)
{
	uint32_t read;
	sim_time_t start = eq_bucket_start(q, l, d);
	struct eq_chunk *list = detach(q, l, d, &read);

	q->last = start;
	refile(q, list, read, NULL, NULL);
}

/* The run and level 0 are empty: brings the next window forward, first
 * changing level 0's width if the runs voted so. False when nothing is
 * queued or the next bucket starts after `limit` (then nothing moves, so
 * `last` stays <= limit); true may bring only records later than it. */
bool eq_refill(struct eq_queue *q, sim_time_t limit)
{
	q->run_pos = q->run_len = 0;
	if (q->votes >= EQ_VOTES) {
		switch_skew(q);
		/* Narrowing level 0 moves nothing into it; widening may. */
		if ((q->level_mask & 1) || q->run_pos < q->run_len)
			return true;
	}
	while (q->level_mask) {
		unsigned l = (unsigned)__builtin_ctz(q->level_mask);
		unsigned d = eq_first_digit(q, l);

		if (eq_bucket_start(q, l, d) > limit)
			return false;
		if (l == 1) {
			build_run(q, d);
			return true;
		}
		redistribute(q, l, d);
		/* Records of the new window went to level 0, or into the
		 * run (claim_window()). */
		if ((q->level_mask & 1) || q->run_pos < q->run_len)
			return true;
	}
	return false;
}

/* ---- taking ---- */

/* The run's next record if due, else NULL. */
static const struct eq_rec *take_run(struct eq_queue *q, sim_time_t limit)
{
	const struct eq_rec *r = &q->run[q->run_pos];

	if (r->at > limit)
		return NULL;
	q->run_pos++;
	return r;
}

/* The first record of level-0 bucket d. A chunk it empties goes to the
 * free list, where the record stays as it is until the queue changes. */
static const struct eq_rec *take_level0(struct eq_queue *q, unsigned d)
{
	struct eq_bucket *b = &q->bucket[0][d];
	uint32_t count = b->head == b->tail ?
			 (uint32_t)(b->next - b->head->rec) : b->head->count;
	const struct eq_rec *r = &b->head->rec[b->read];

	if (++b->read == count)
		next_chunk(q, b, d);
	return r;
}

/* At equal times the run goes first: it was built before any level-0
 * record of its window arrived. NULL, too, once a refill ran out of
 * memory: records are lost, the engine stops. */
const struct eq_rec *eq_take_slow(struct eq_queue *q, sim_time_t limit)
{
	for (;;) {
		bool run = q->run_pos < q->run_len;

		if (q->level_mask & 1) {
			sim_time_t at = q->level0_first;

			if (run && q->run[q->run_pos].at <= at)
				return take_run(q, limit);
			if (at > limit)
				return NULL;
			return take_level0(q, (unsigned)(at & EQ_DIGIT_MASK));
		}
		if (run)
			return take_run(q, limit);
		if (!eq_refill(q, limit) || q->oom_what)
			return NULL;
	}
}

/* ---- purging ---- */

static size_t purge_run(struct eq_queue *q, eq_live_fn live, const void *ctx)
{
	size_t kept = q->run_pos;

	for (size_t i = q->run_pos; i < q->run_len; i++)
		if (live(ctx, &q->run[i]))
			q->run[kept++] = q->run[i];
	size_t dropped = q->run_len - kept;
	q->run_len = kept;
	return dropped;
}

/* Each bucket is refiled where it was: `last` does not move. */
size_t eq_purge(struct eq_queue *q, eq_live_fn live, const void *ctx)
{
	size_t dropped = purge_run(q, live, ctx);

	for (unsigned l = 0; l < EQ_LEVELS; l++) {
		for (unsigned w = 0; w < EQ_DIGIT_WORDS; w++) {
			uint64_t bits = q->occupied[l][w];

			while (bits) {
				unsigned d = w * 64 +
					     (unsigned)__builtin_ctzll(bits);
				uint32_t read;
				struct eq_chunk *c = detach(q, l, d, &read);

				bits &= bits - 1;
				dropped += refile(q, c, read, live, ctx);
			}
		}
	}
	return dropped;
}
