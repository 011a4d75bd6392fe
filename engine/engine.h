/* engine/engine.h - the discrete-event engine: simulated time in integer
 * nanoseconds and a queue of pending events.
 *
 * Contract: an event is an action plus what it acts on (subject, arg),
 * nothing more. Events fire in time order; events at the same time fire in
 * the order they were scheduled, so a run is deterministic. Time never goes
 * backwards: scheduling before now() is a programming error (asserted).
 * The engine is a value: many can run side by side in one process.
 * Out of memory it never aborts: see sim_out_of_memory().
 */
#ifndef SWSIM_ENGINE_ENGINE_H
#define SWSIM_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_time_t;          /* nanoseconds since the run started */
typedef uint64_t sim_event_id;        /* 0 is never a valid id */

#define SIM_TIME_MAX UINT64_MAX
#define SIM_NS(x) ((sim_time_t)(x))
#define SIM_US(x) ((sim_time_t)(x) * 1000ULL)
#define SIM_MS(x) ((sim_time_t)(x) * 1000000ULL)
#define SIM_S(x) ((sim_time_t)(x) * 1000000000ULL)

struct sim_engine;
typedef void (*sim_action_fn)(struct sim_engine *eng, void *subject,
			      uint64_t arg);

/* NULL when out of memory: sim_engine_bytes() is what it asked for. */
struct sim_engine *sim_engine_new(void);
size_t sim_engine_bytes(void);
void sim_engine_free(struct sim_engine *eng);

sim_time_t sim_now(const struct sim_engine *eng);
size_t sim_pending(const struct sim_engine *eng);
uint64_t sim_fired(const struct sim_engine *eng);   /* events fired so far */

/* Schedules fn(eng, subject, arg) at absolute time `at` (>= now). 0 when
 * out of memory (sim_out_of_memory()). */
sim_event_id sim_schedule_at(struct sim_engine *eng, sim_time_t at,
			     sim_action_fn fn, void *subject, uint64_t arg);
/* Same, `delay` nanoseconds from now. */
sim_event_id sim_schedule_in(struct sim_engine *eng, sim_time_t delay,
			     sim_action_fn fn, void *subject, uint64_t arg);
/* Posts fn(eng, subject, arg) at `at` (>= now), or `delay` from now: an
 * event like the above, in the same order, but with no id, so it cannot
 * be cancelled. Cheaper: no slot to take and give back. */
void sim_post_at(struct sim_engine *eng, sim_time_t at, sim_action_fn fn,
		 void *subject, uint64_t arg);
void sim_post_in(struct sim_engine *eng, sim_time_t delay, sim_action_fn fn,
		 void *subject, uint64_t arg);
/* Cancels a pending event; false when it already fired or was cancelled. */
bool sim_cancel(struct sim_engine *eng, sim_event_id id);

/* Fires every event with time <= limit, then sets now to limit (unless
 * stopped earlier). Returns the number of events fired. */
uint64_t sim_run_until(struct sim_engine *eng, sim_time_t limit);
/* Fires events until none is left or sim_stop() is called. */
uint64_t sim_run(struct sim_engine *eng);
/* Called from an action: the current run returns after this action. */
void sim_stop(struct sim_engine *eng);

/* Whether the engine ran out of memory. A schedule or post that finds none
 * loses its event and stops the current run after the action that asked
 * (so does a move inside the queue, losing the records it moves); from
 * then on no run fires anything. What it was allocating and how many bytes
 * go to *what and *bytes (either may be NULL), for the caller's error. */
bool sim_out_of_memory(const struct sim_engine *eng, const char **what,
		       size_t *bytes);

#endif
