/* engine/engine_queue.h - private to engine/engine.c: the monotone radix queue of
 * event records, ordered by time and, among equal times, by arrival. */

/* Why a radix queue: simulated time is an integer that never goes back, so
 * records can be sorted by their digits relative to `last`, a time no
 * later than any queued record, instead of by comparisons. A record sits
 * in bucket (level, digit): level is the one holding the highest bit in
 * which its time differs from `last`, digit is its time's value there.
 * Level 0 is the low 8 bits, or 6 where events are dense (see
 * engine_queue.c), each level above the next 8: a level-0 bucket holds one
 * exact time, a level-1 bucket a 256 (or 64) ns window. The records of the
 * earliest window are counting-sorted into `run`, an array
 * fired front to back; records that arrive for that window afterwards are
 * inserted into the run while it is short and level 0 is empty, else wait
 * in level-0 buckets. When both are empty, the first bucket of the lowest
 * level is taken: a level-1 bucket becomes the next run, a higher one is
 * redistributed into the levels below, with `last` moved to the earliest
 * time the bucket can hold. A record moves about once and always by
 * appending, so memory traffic is sequential and the cost per event barely
 * depends on how many are pending.
 *
 * Why no sequence numbers: events with equal times always share a bucket;
 * a new record is appended after every record already queued; a bucket is
 * taken only while every lower level (and the run) is empty, so its records
 * land, in order, in empty buckets or, by a stable sort, in the run; and at
 * equal times the run, built first, fires before the level-0 bucket. Every
 * bucket thus stays in scheduling order, and equal times fire FIFO. A
 * change of level 0's width refiles bucket by bucket, with the same
 * effect.
 */
#ifndef SWSIM_ENGINE_ENGINE_QUEUE_H
#define SWSIM_ENGINE_ENGINE_QUEUE_H

#include "engine/engine.h"

#define EQ_DIGIT_BITS 8
#define EQ_DIGITS (1u << EQ_DIGIT_BITS)
#define EQ_DIGIT_MASK ((sim_time_t)EQ_DIGITS - 1)
#define EQ_DIGIT_WORDS (EQ_DIGITS / 64)
/* Level 0 is 8 - skew bits wide, every level above a full digit: level
 * l >= 1 is bits [8l - skew, 8l + 8 - skew) of the time. skew is 0 while
 * events are sparse, EQ_SKEW_DENSE while dense (see "the width of level
 * 0" in engine_queue.c). */
#define EQ_SKEW_DENSE 2u
#define EQ_LEVELS ((63 + EQ_SKEW_DENSE) / EQ_DIGIT_BITS + 1)
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
};

struct eq_queue {
	sim_time_t last;	/* <= every queued time */
	/* The time of level 0's first record, SIM_TIME_MAX while it has
	 * none: what the run's next record is compared with on every take. */
	sim_time_t level0_first;
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
	/* Per level, the class of a bucket's first chunk, from the size of
	 * the last bucket taken there: a bucket fills two chunks rather than
	 * 8, 16, 32, ... (each a loop exit to mispredict when the bucket is
	 * sorted or refiled). */
	uint8_t first_class[EQ_LEVELS];
	uint32_t digit_count[EQ_DIGITS];	/* counting sort scratch */
	unsigned skew;		/* level 0 is 8 - skew bits */
	/* Set by the engine when many events are pending: then a bucket's
	 * next line is out of cache by the time its next record comes, and
	 * each append fetches it early. Where few are, that costs more than
	 * it saves. */
	bool prefetch_tails;
	unsigned votes;		/* runs in a row that ask for the other skew */
	/* What the queue could not allocate, and its size; NULL while
	 * memory never ran out. The record it was for is lost. */
	const char *oom_what;
	size_t oom_bytes;
};

typedef bool (*eq_live_fn)(const void *ctx, const struct eq_rec *rec);

void eq_init(struct eq_queue *q);
void eq_free(struct eq_queue *q);
/* Slow paths of the inline functions below. noinline: inlined (by LTO)
 * into the engine's loops, they would take registers from the fast path.
 * eq_claim_slow() returns NULL when out of memory (oom_what says why). */
__attribute__((noinline)) struct eq_rec *eq_claim_slow(struct eq_queue *q,
						       sim_time_t at);
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

/* The level a time selects: the one holding the highest bit in which it
 * differs from `last`. */
static inline unsigned eq_level(const struct eq_queue *q, sim_time_t at)
{
	unsigned high = 63u - (unsigned)__builtin_clzll((at ^ q->last) | 1);

	return (high + q->skew) / EQ_DIGIT_BITS;
}

/* Where level l's digit starts in a time. */
static inline unsigned eq_shift(const struct eq_queue *q, unsigned l)
{
	return l ? l * EQ_DIGIT_BITS - q->skew : 0;
}

/* The digit of `at` at level l. At level 0 it is the low 8 bits even when
 * level 0 is narrower: the bits above are last's, so the digit still names
 * one time. */
static inline unsigned eq_digit(const struct eq_queue *q, sim_time_t at,
				unsigned l)
{
	return (unsigned)(at >> eq_shift(q, l) & EQ_DIGIT_MASK);
}

/* The time of level-0 digit d. */
static inline sim_time_t eq_level0_time(const struct eq_queue *q, unsigned d)
{
	return (q->last & ~EQ_DIGIT_MASK) | d;
}

/* Room at the end of bucket (l, d), l >= 1, if its tail chunk has some;
 * else NULL and nothing changes. Above level 0 a bucket has a chunk only
 * while it holds records (it gets one for its first record and loses all
 * when it is taken), so room here means it is already marked occupied. */
static inline struct eq_rec *eq_append(struct eq_queue *q, unsigned l,
				       unsigned d)
{
	struct eq_bucket *b = &q->bucket[l][d];
	struct eq_rec *rec = b->next;

	if (__builtin_expect(rec == b->end, 0))
		return NULL;
	b->next = rec + 1;
	if (q->prefetch_tails)
		__builtin_prefetch(rec + 2, 1);
	return rec;
}

/* Room for a record of time `at` (>= last) at the end of the bucket that
 * time selects, if that is above level 0 and its tail chunk has some; else
 * NULL and nothing changes. The caller writes the record in place. Calls
 * nothing, so a caller that hands every other case to a slow path in a
 * tail call needs no stack frame. always_inline: GCC otherwise keeps it a
 * call on the hottest path. */
__attribute__((always_inline)) static inline struct eq_rec *eq_claim_fast(
	struct eq_queue *q, sim_time_t at)
{
	unsigned l = eq_level(q, at);

	if (__builtin_expect(l == 0, 0))
		return NULL;
	return eq_append(q, l, eq_digit(q, at, l));
}

/* The same, growing the bucket when it must; NULL when out of memory. */
static inline struct eq_rec *eq_claim(struct eq_queue *q, sim_time_t at)
{
	struct eq_rec *rec = eq_claim_fast(q, at);

	return rec ? rec : eq_claim_slow(q, at);
}

/* Takes the earliest record when the run or level 0 is not the plain case
 * eq_take() handles inline. noinline: see eq_claim_slow(). */
__attribute__((noinline)) const struct eq_rec *eq_take_slow(
	struct eq_queue *q, sim_time_t limit);

/* Takes the earliest record (it may be a cancelled one) if its time is
 * <= limit, else NULL. The record stays readable until the queue is next
 * changed (a returned pointer, not a copy: the caller's copy of what it
 * needs stays in registers). Inline while the run's next record is the
 * earliest: no later than level 0's first (the run goes first at equal
 * times). */
__attribute__((always_inline)) static inline const struct eq_rec *eq_take(
	struct eq_queue *q, sim_time_t limit)
{
	if (__builtin_expect(q->run_pos < q->run_len, 1)) {
		const struct eq_rec *r = &q->run[q->run_pos];

		if (__builtin_expect(r->at <= q->level0_first, 1)) {
			if (r->at > limit)
				return NULL;
			q->run_pos++;
			return r;
		}
	}
	return eq_take_slow(q, limit);
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
