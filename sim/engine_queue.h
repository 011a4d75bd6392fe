/* sim/engine_queue.h - private to sim/engine.c: the monotone radix queue of
 * event records, ordered by time and, among equal times, by arrival. */

/* Why a radix queue: simulated time is an integer that never goes back, so
 * records can be sorted by their 8-bit digits relative to `last`, a time no
 * later than any queued record, instead of by comparisons. A record sits
 * in bucket (level, digit): level is the highest digit in which its time
 * differs from `last`, digit is its time's value there. A level-0 bucket
 * holds one exact time. The records of the earliest 256 ns window are
 * counting-sorted into `run`, an array fired front to back; records that
 * arrive for that window afterwards are inserted into the run while it is
 * short and level 0 is empty, else wait in level-0 buckets. When both are
 * empty, the first bucket of the lowest level is taken: a level-1 bucket
 * becomes the next run, a higher one is redistributed into the levels
 * below, with `last` moved to its smallest time. A record moves about once
 * and always by appending, so memory traffic is sequential and the cost per
 * event barely depends on how many are pending.
 *
 * Why no sequence numbers: events with equal times always share a bucket;
 * a new record is appended after every record already queued; a bucket is
 * taken only while every lower level (and the run) is empty, so its records
 * land, in order, in empty buckets or, by a stable sort, in the run; and at
 * equal times the run, built first, fires before the level-0 bucket. Every
 * bucket thus stays in scheduling order, and equal times fire FIFO.
 */
#ifndef SWSIM_SIM_ENGINE_QUEUE_H
#define SWSIM_SIM_ENGINE_QUEUE_H

#include "sim/engine.h"

#define EQ_DIGIT_BITS 8
#define EQ_DIGITS (1u << EQ_DIGIT_BITS)
#define EQ_DIGIT_MASK ((sim_time_t)EQ_DIGITS - 1)
#define EQ_LEVELS (64 / EQ_DIGIT_BITS)
#define EQ_DIGIT_WORDS (EQ_DIGITS / 64)
/* Chunks grow 8, 16, ... 1024 records as a bucket grows: small buckets stay
 * small (level 0 often holds one record per bucket), big ones stream. */
#define EQ_CHUNK_MIN 8u
#define EQ_CHUNK_CLASSES 8u

/* An event as queued (40 bytes). The action travels with the time, so
 * firing reads it from the run in order instead of from a table at random.
 */
struct eq_rec {
	sim_time_t at;
	sim_action_fn fn;
	void *subject;
	uint64_t arg;
	uint32_t slot;		/* the engine's slot that names the event */
	uint32_t gen;		/* the slot's generation when scheduled */
};

struct eq_chunk {
	struct eq_chunk *next;
	uint32_t count;		/* records written; for a bucket's tail chunk
				   only when eq_sync_tail() has run */
	uint32_t size_class;	/* capacity is EQ_CHUNK_MIN << size_class */
	struct eq_rec rec[];
};

/* Scheduling into a bucket touches only the bucket: where the next record
 * of its tail chunk goes and where that chunk ends are kept here (the
 * chunk's header would be a second cache miss on every event). */
struct eq_bucket {
	struct eq_chunk *head, *tail;
	struct eq_rec *next, *end;	/* tail's free room; NULL, NULL: no chunk */
	uint32_t read;		/* records of head already taken (level 0) */
	sim_time_t min;		/* no later than any time held; MAX if empty */
};

struct eq_queue {
	sim_time_t last;	/* <= every queued time */
	struct eq_rec *run;	/* the earliest window, sorted */
	size_t run_pos, run_len, run_cap;
	/* Which buckets hold records, as bitmaps with summaries, so the
	 * first is found by two ctz and no loop: bit L of level_mask says
	 * level L has records, bit W of occupied_words[L] its word W does. */
	unsigned level_mask;
	unsigned occupied_words[EQ_LEVELS];
	uint64_t occupied[EQ_LEVELS][EQ_DIGIT_WORDS];
	struct eq_bucket bucket[EQ_LEVELS][EQ_DIGITS];
	struct eq_chunk *free_chunks[EQ_CHUNK_CLASSES];
	uint32_t digit_count[EQ_DIGITS];	/* counting sort scratch */
};

typedef bool (*eq_live_fn)(const void *ctx, const struct eq_rec *rec);

void eq_init(struct eq_queue *q);
void eq_free(struct eq_queue *q);
/* Cold paths of the inline functions below. */
__attribute__((cold)) struct eq_rec *eq_claim_slow(struct eq_queue *q,
						   sim_time_t at);
void eq_next_chunk(struct eq_queue *q, struct eq_bucket *b, unsigned d);
bool eq_refill(struct eq_queue *q, sim_time_t limit);
/* Drops every record `live` rejects, keeping order; returns how many. */
size_t eq_purge(struct eq_queue *q, eq_live_fn live, const void *ctx);

static inline bool eq_empty(const struct eq_queue *q)
{
	return !q->level_mask && q->run_pos == q->run_len;
}

static inline void eq_mark_occupied(struct eq_queue *q, unsigned l,
				    unsigned d)
{
	q->occupied[l][d / 64] |= 1ull << (d % 64);
	q->occupied_words[l] |= 1u << (d / 64);
	q->level_mask |= 1u << l;
}

/* Branch-free on purpose: whether a bucket empties is a coin toss the
 * branch predictor would lose. */
static inline void eq_mark_empty(struct eq_queue *q, unsigned l, unsigned d)
{
	uint64_t word = q->occupied[l][d / 64] & ~(1ull << (d % 64));

	q->occupied[l][d / 64] = word;
	q->occupied_words[l] &= ~((unsigned)(word == 0) << (d / 64));
	q->level_mask &= ~((unsigned)(q->occupied_words[l] == 0) << l);
}

/* The smallest occupied digit of a level that has one. */
static inline unsigned eq_first_digit(const struct eq_queue *q, unsigned l)
{
	unsigned w = (unsigned)__builtin_ctz(q->occupied_words[l]);

	return w * 64 + (unsigned)__builtin_ctzll(q->occupied[l][w]);
}

/* Records in the tail chunk, written back to its header. */
static inline void eq_sync_tail(struct eq_bucket *b)
{
	if (b->tail)
		b->tail->count = (uint32_t)(b->next - b->tail->rec);
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
static inline struct eq_rec *eq_run_insert(struct eq_queue *q, sim_time_t at)
{
	size_t j = q->run_len++;

	while (j > q->run_pos && q->run[j - 1].at > at) {
		q->run[j] = q->run[j - 1];
		j--;
	}
	return &q->run[j];
}

/* Room for a record of time `at` (>= last): in the run (see above), or at
 * the end of the bucket that time selects if its tail chunk has some; else
 * NULL and nothing changes. The caller writes the record in place. */
static inline struct eq_rec *eq_claim_fast(struct eq_queue *q, sim_time_t at)
{
	sim_time_t diff = at ^ q->last;
	unsigned l = (63u - (unsigned)__builtin_clzll(diff | 1)) /
		     EQ_DIGIT_BITS;
	unsigned d = (unsigned)(at >> (l * EQ_DIGIT_BITS) & EQ_DIGIT_MASK);
	struct eq_bucket *b;
	struct eq_rec *rec;

	if (l == 0 && !(q->level_mask & 1)) {
		if (q->run_pos == q->run_len)
			q->run_pos = q->run_len = 0;
		if (q->run_len - q->run_pos < EQ_RUN_INSERT_MAX &&
		    q->run_len < q->run_cap)
			return eq_run_insert(q, at);
	}
	b = &q->bucket[l][d];
	rec = b->next;
	if (__builtin_expect(rec == b->end, 0))
		return NULL;
	eq_mark_occupied(q, l, d);
	b->min = at < b->min ? at : b->min;
	b->next = rec + 1;
	return rec;
}

/* The same, growing the bucket when it must. */
static inline struct eq_rec *eq_claim(struct eq_queue *q, sim_time_t at)
{
	struct eq_rec *rec = eq_claim_fast(q, at);

	return rec ? rec : eq_claim_slow(q, at);
}

/* Takes the first record of the first level-0 bucket, if due. */
static inline bool eq_take_level0(struct eq_queue *q, sim_time_t limit,
				  struct eq_rec *out)
{
	unsigned d = eq_first_digit(q, 0);
	struct eq_bucket *b = &q->bucket[0][d];

	if (((q->last & ~EQ_DIGIT_MASK) | d) > limit)
		return false;
	uint32_t count = b->head == b->tail ?
			 (uint32_t)(b->next - b->head->rec) : b->head->count;

	*out = b->head->rec[b->read];
	if (++b->read == count)
		eq_next_chunk(q, b, d);
	return true;
}

/* Takes the earliest record (it may be a cancelled one) if its time is
 * <= limit. At equal times the run goes first: it was built before any
 * level-0 record of its window arrived. */
static inline bool eq_take(struct eq_queue *q, sim_time_t limit,
			   struct eq_rec *out)
{
	for (;;) {
		if (q->run_pos < q->run_len) {
			const struct eq_rec *r = &q->run[q->run_pos];

			if (!(q->level_mask & 1) ||
			    r->at <= ((q->last & ~EQ_DIGIT_MASK) |
				      eq_first_digit(q, 0))) {
				if (r->at > limit)
					return false;
				*out = *r;
				q->run_pos++;
				return true;
			}
		}
		if (q->level_mask & 1)
			return eq_take_level0(q, limit, out);
		if (!eq_refill(q, limit))
			return false;
	}
}

/* The record `ahead` places on in the run, or NULL. Lets the engine fetch
 * that record's slot before it is needed. */
static inline const struct eq_rec *eq_run_ahead(const struct eq_queue *q,
						size_t ahead)
{
	size_t i = q->run_pos + ahead;

	return i < q->run_len ? &q->run[i] : NULL;
}

#endif
