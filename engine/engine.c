/* engine/engine.c - the discrete-event engine behind engine/engine.h: time, the
 * slots that make ids cancellable, the firing loop (order: engine_queue.h). */

/* Why slots: an id names a slot and a generation (id = gen << 32 | slot);
 * the slot holds the generation of its pending event, or 0. Firing or
 * cancelling clears it, so the id goes stale, and frees the slot. A
 * cancelled record stays queued and is dropped when it surfaces (lazy
 * cancel); dead records are purged whenever they outnumber the live ones,
 * so memory stays proportional to the pending events. While none is dead,
 * firing only writes its slot, never waits to read it: at large N the
 * table is out of cache, and a store does not stall the loop.
 */
#include "engine/engine.h"
#include "engine/engine_queue.h"

#include <assert.h>
#include <stdlib.h>

/* Purging costs a pass over the queue; below this many dead records it
 * cannot pay for itself. */
#define PURGE_MIN_DEAD 1024u
/* From how many slots on (a table past the L2 cache) the firing loop
 * fetches slots early, and how many records ahead; from then on the queue
 * also fetches bucket tails early (eq_append()). */
#define PREFETCH_MIN_SLOTS 65536u
#define PREFETCH_AHEAD 8u
/* The slot of a posted event (sim_post_at): none, always live. Also what
 * new_slot() returns when out of memory. */
#define NO_SLOT UINT32_MAX

struct sim_engine {
	sim_time_t now;
	size_t live;			/* pending events */
	size_t dead;			/* cancelled records still queued */
	uint64_t fired;
	bool running, stopped;
	uint32_t *slot_gen;		/* per slot: its event's gen, 0 if free */
	uint32_t *free_slots;		/* a stack of free slots */
	uint32_t nr_free, nr_slots, slots_cap;
	uint32_t next_gen;		/* never 0, so no id is 0 */
	struct eq_queue queue;		/* oom_what: the engine's too */
};

struct sim_engine *sim_engine_new(void)
{
	struct sim_engine *eng = malloc(sizeof(*eng));

	if (!eng)
		return NULL;
	*eng = (struct sim_engine){.next_gen = 1};
	eq_init(&eng->queue);
	return eng;
}

size_t sim_engine_bytes(void)
{
	return sizeof(struct sim_engine);
}

void sim_engine_free(struct sim_engine *eng)
{
	if (!eng)
		return;
	eq_free(&eng->queue);
	free(eng->slot_gen);
	free(eng->free_slots);
	free(eng);
}

sim_time_t sim_now(const struct sim_engine *eng) { return eng->now; }
size_t sim_pending(const struct sim_engine *eng) { return eng->live; }
uint64_t sim_fired(const struct sim_engine *eng) { return eng->fired; }

/* ---- slots ---- */

/* Grows one slot array to cap entries; false when out of memory (the
 * array is as it was, and the queue records the failure). */
static bool grow_slots(struct sim_engine *eng, uint32_t **array, size_t cap)
{
	uint32_t *p = realloc(*array, cap * sizeof(**array));

	if (!p) {
		if (!eng->queue.oom_what) {
			eng->queue.oom_what = "event slots";
			eng->queue.oom_bytes = cap * sizeof(**array);
		}
		return false;
	}
	*array = p;
	return true;
}

/* Slow path of alloc_slot: no freed slot to reuse. NO_SLOT when out of
 * memory. */
__attribute__((cold)) static uint32_t new_slot(struct sim_engine *eng)
{
	assert(eng->nr_slots < UINT32_MAX - 1);
	if (eng->nr_slots == eng->slots_cap) {
		size_t cap = eng->slots_cap ? 2 * (size_t)eng->slots_cap : 64;

		cap = cap < NO_SLOT ? cap : NO_SLOT;
		if (!grow_slots(eng, &eng->slot_gen, cap) ||
		    !grow_slots(eng, &eng->free_slots, cap))
			return NO_SLOT;
		eng->slots_cap = (uint32_t)cap;
	}
	eng->queue.prefetch_tails = eng->nr_slots >= PREFETCH_MIN_SLOTS;
	return eng->nr_slots++;
}

/* A generation from a counter, not per slot, so that a slot never needs
 * reading: ids of earlier events in the slot (2^32 - 1 generations ago at
 * the least) no longer match. */
static inline uint32_t take_gen(struct sim_engine *eng)
{
	uint32_t gen = eng->next_gen++;

	eng->next_gen += eng->next_gen == 0;
	return gen;
}

static inline uint32_t alloc_slot(struct sim_engine *eng)
{
	if (!eng->nr_free)
		return new_slot(eng);
	return eng->free_slots[--eng->nr_free];
}

/* Writes only: at large N the slot is out of cache, and a store does not
 * stall the firing loop where a load would. */
static inline void release_slot(struct sim_engine *eng, uint32_t s)
{
	eng->slot_gen[s] = 0;
	eng->free_slots[eng->nr_free++] = s;
}

static bool record_is_live(const void *ctx, const struct eq_rec *rec)
{
	const struct sim_engine *eng = ctx;

	return rec->slot == NO_SLOT || eng->slot_gen[rec->slot] == rec->gen;
}

/* ---- scheduling and cancelling ---- */

/* Writes the record of a newly scheduled event in slot s; returns its id. */
static inline sim_event_id fill(struct sim_engine *eng, struct eq_rec *rec,
				uint32_t s, sim_time_t at, sim_action_fn fn,
				void *subject, uint64_t arg)
{
	uint32_t gen = take_gen(eng);

	eng->slot_gen[s] = gen;
	rec->at = at;
	rec->fn = fn;
	rec->subject = subject;
	rec->arg = arg;
	rec->slot = s;
	rec->gen = gen;
	eng->live++;
	return (sim_event_id)gen << 32 | s;
}

/* Out of memory in a schedule or a post: the event is lost, and the run
 * returns after the action that asked. */
__attribute__((cold)) static void schedule_failed(struct sim_engine *eng)
{
	eng->stopped = true;
}

/* Slow path of sim_schedule_at: a new slot, a new chunk, or the run's
 * window. */
__attribute__((noinline)) static sim_event_id schedule_slow(
	struct sim_engine *eng, sim_time_t at, sim_action_fn fn,
	void *subject, uint64_t arg)
{
	uint32_t s = alloc_slot(eng);
	struct eq_rec *rec;

	if (s == NO_SLOT) {
		schedule_failed(eng);
		return 0;
	}
	rec = eq_claim(&eng->queue, at);
	if (!rec) {
		release_slot(eng, s);
		schedule_failed(eng);
		return 0;
	}
	return fill(eng, rec, s, at, fn, subject, arg);
}

/* The fast path calls nothing. */
sim_event_id sim_schedule_at(struct sim_engine *eng, sim_time_t at,
			     sim_action_fn fn, void *subject, uint64_t arg)
{
	assert(fn && at >= eng->now);

	struct eq_rec *rec;

	if (__builtin_expect(!eng->nr_free, 0) ||
	    !(rec = eq_claim_fast(&eng->queue, at)))
		return schedule_slow(eng, at, fn, subject, arg);
	return fill(eng, rec, eng->free_slots[--eng->nr_free], at, fn,
		    subject, arg);
}

/* Writes the record of a posted event. */
static inline void fill_posted(struct sim_engine *eng, struct eq_rec *rec,
			       sim_time_t at, sim_action_fn fn, void *subject,
			       uint64_t arg)
{
	rec->at = at;
	rec->fn = fn;
	rec->subject = subject;
	rec->arg = arg;
	rec->slot = NO_SLOT;
	rec->gen = 0;
	eng->live++;
}

/* Slow path of sim_post_at: a new chunk, or the run's window. */
__attribute__((noinline)) static void post_slow(struct sim_engine *eng,
						sim_time_t at,
						sim_action_fn fn,
						void *subject, uint64_t arg)
{
	struct eq_rec *rec = eq_claim_slow(&eng->queue, at);

	if (!rec) {
		schedule_failed(eng);
		return;
	}
	fill_posted(eng, rec, at, fn, subject, arg);
}

/* The fast path calls nothing (the slow one is a tail call), so it needs
 * no stack frame: most of the machine's events are posted. */
void sim_post_at(struct sim_engine *eng, sim_time_t at, sim_action_fn fn,
		 void *subject, uint64_t arg)
{
	assert(fn && at >= eng->now);

	struct eq_rec *rec = eq_claim_fast(&eng->queue, at);

	if (!rec) {
		post_slow(eng, at, fn, subject, arg);
		return;
	}
	fill_posted(eng, rec, at, fn, subject, arg);
}

void sim_post_in(struct sim_engine *eng, sim_time_t delay, sim_action_fn fn,
		 void *subject, uint64_t arg)
{
	assert(delay <= SIM_TIME_MAX - eng->now);
	sim_post_at(eng, eng->now + delay, fn, subject, arg);
}

sim_event_id sim_schedule_in(struct sim_engine *eng, sim_time_t delay,
			     sim_action_fn fn, void *subject, uint64_t arg)
{
	assert(delay <= SIM_TIME_MAX - eng->now);
	return sim_schedule_at(eng, eng->now + delay, fn, subject, arg);
}

bool sim_cancel(struct sim_engine *eng, sim_event_id id)
{
	uint32_t s = (uint32_t)id;
	uint32_t gen = (uint32_t)(id >> 32);

	assert(eng);
	if (gen == 0 || s >= eng->nr_slots || eng->slot_gen[s] != gen)
		return false;
	release_slot(eng, s);
	eng->live--;
	eng->dead++;
	if (eng->dead >= PURGE_MIN_DEAD && eng->dead > eng->live) {
		size_t dropped = eq_purge(&eng->queue, record_is_live, eng);

		/* Out of memory, the purge loses live records too. */
		assert(dropped == eng->dead || eng->queue.oom_what);
		eng->dead -= dropped < eng->dead ? dropped : eng->dead;
		if (eng->queue.oom_what)
			schedule_failed(eng);
	}
	return true;
}

/* ---- firing ---- */

/* Firing writes the slot of the record fired: fetch it a few records
 * early, or at large N each store would wait on a miss and the queue of
 * stores behind it would fill. always_inline: GCC deems a function
 * holding only a prefetch pure and deletes the call before inlining it. */
__attribute__((always_inline)) static inline void prefetch_slot(
	const struct sim_engine *eng)
{
	const struct eq_rec *ahead = eq_run_ahead(&eng->queue, PREFETCH_AHEAD);

	if (ahead && ahead->slot != NO_SLOT)
		__builtin_prefetch(&eng->slot_gen[ahead->slot], 1);
}

/* Fires due events in order until none is due by `limit` or an action
 * calls sim_stop(). */
static uint64_t run_loop(struct sim_engine *eng, sim_time_t limit)
{
	uint64_t fired_before = eng->fired;
	const struct eq_rec *taken;

	assert(eng && !eng->running);
	eng->running = true;
	eng->stopped = false;
	while (!eng->stopped && (taken = eq_take(&eng->queue, limit))) {
		struct eq_rec rec = *taken;	/* before the queue changes */

		if (eng->nr_slots >= PREFETCH_MIN_SLOTS)
			prefetch_slot(eng);
		if (eng->dead && !record_is_live(eng, &rec)) {
			eng->dead--;
			continue;
		}
		if (rec.slot != NO_SLOT)
			release_slot(eng, rec.slot);
		eng->live--;
		eng->now = rec.at;
		eng->fired++;
		rec.fn(eng, rec.subject, rec.arg);
	}
	eng->running = false;
	/* Dead records skipped at the end may have left the queue's `last`
	 * past now; with nothing queued it can restart from now. */
	if (eq_empty(&eng->queue))
		eng->queue.last = eng->now;
	return eng->fired - fired_before;
}

/* Out of memory, the engine fires nothing more (sim_out_of_memory()). */
uint64_t sim_run_until(struct sim_engine *eng, sim_time_t limit)
{
	assert(eng && limit >= eng->now);

	uint64_t n = eng->queue.oom_what ? 0 : run_loop(eng, limit);

	/* A refill that ran out of memory ends the loop without sim_stop():
	 * time does not move on to the limit then either. */
	if (!eng->stopped && !eng->queue.oom_what)
		eng->now = limit;
	return n;
}

uint64_t sim_run(struct sim_engine *eng)
{
	return eng->queue.oom_what ? 0 : run_loop(eng, SIM_TIME_MAX);
}

void sim_stop(struct sim_engine *eng)
{
	assert(eng);
	eng->stopped = true;
}

bool sim_out_of_memory(const struct sim_engine *eng, const char **what,
		       size_t *bytes)
{
	if (what)
		*what = eng->queue.oom_what;
	if (bytes)
		*bytes = eng->queue.oom_bytes;
	return eng->queue.oom_what != NULL;
}
