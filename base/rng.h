/* base/rng.h - the simulator's random streams: a GSL generator type of our
 * own that gives exactly gsl_rng_mt19937's numbers, and inline draws.
 *
 * Contract: rng_uniform(), rng_uniform_int() and rng_exponential() return
 * what gsl_rng_uniform(), gsl_rng_uniform_int() and gsl_ran_exponential()
 * return for the same generator, and advance it the same way. On a
 * generator of type sim_rng_mt19937 they draw inline (no call through
 * GSL's function pointers); on any other they call GSL. Every GSL
 * function (gsl_ran_gaussian, gsl_rng_set, ...) works on both types.
 * rng_llround() is llround() for the values draws give.
 */
#ifndef SWSIM_BASE_RNG_H
#define SWSIM_BASE_RNG_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define SIM_MT_N 624

/* MT19937 (Matsumoto and Nishimura), seeded as GSL seeds it. */
extern const gsl_rng_type *const sim_rng_mt19937;

struct sim_mt_state {
	uint32_t mt[SIM_MT_N];
	int mti;                   /* next word of mt[]; SIM_MT_N: refill */
};

/* Makes the next SIM_MT_N words (out of line: once per SIM_MT_N draws). */
void sim_mt_refill(struct sim_mt_state *s);

static inline uint32_t sim_mt_next(struct sim_mt_state *s)
{
	uint32_t k;

	if (__builtin_expect(s->mti >= SIM_MT_N, 0))
		sim_mt_refill(s);
	k = s->mt[s->mti++];
	k ^= k >> 11;
	k ^= (k << 7) & 0x9d2c5680u;
	k ^= (k << 15) & 0xefc60000u;
	k ^= k >> 18;
	return k;
}

/* gsl_rng_get(): the next 32-bit word. */
static inline unsigned long rng_get(const gsl_rng *r)
{
	if (r->type != sim_rng_mt19937)
		return gsl_rng_get(r);
	return sim_mt_next(r->state);
}

/* gsl_rng_uniform(): [0, 1). */
static inline double rng_uniform(const gsl_rng *r)
{
	if (r->type != sim_rng_mt19937)
		return gsl_rng_uniform(r);
	return sim_mt_next(r->state) / 4294967296.0;
}

/* gsl_rng_uniform_int(): [0, n), by GSL's rejection of the top rest. */
static inline unsigned long rng_uniform_int(const gsl_rng *r, unsigned long n)
{
	uint32_t scale, k;

	if (r->type != sim_rng_mt19937 || n == 0 || n > 0xffffffffUL)
		return gsl_rng_uniform_int(r, n);   /* GSL reports the error */
	/* Every operand fits 32 bits here: 32-bit divisions, quicker than
	 * the 64-bit ones unsigned long would make, give the same values. */
	scale = 0xffffffffu / (uint32_t)n;
	do
		k = sim_mt_next(r->state) / scale;
	while (k >= n);
	return k;
}

/* gsl_ran_exponential(): mean mu. */
static inline double rng_exponential(const gsl_rng *r, double mu)
{
	return -mu * log1p(-rng_uniform(r));
}

/* llround() of a finite x below 2^63 in magnitude (a drawn gap in ns),
 * without the libm call every arrival made: halves away from zero, the
 * same value. x minus its truncation is exact (Sterbenz from 1 up, x
 * itself below), so the comparisons with 0.5 are. */
static inline long long rng_llround(double x)
{
	long long whole = (long long)x;
	double frac = x - (double)whole;

	return whole + (frac >= 0.5) - (frac <= -0.5);
}

#endif
