/* base/rng.c - the MT19937 generator type behind base/rng.h: GSL's mt19937,
 * word for word (same seeding, same output), with a state layout that the
 * inline draws can read. */
#include "base/rng.h"

#define SIM_MT_M 397
#define SIM_MT_UPPER 0x80000000u
#define SIM_MT_LOWER 0x7fffffffu

static uint32_t twist(uint32_t upper, uint32_t lower, uint32_t far)
{
	uint32_t y = (upper & SIM_MT_UPPER) | (lower & SIM_MT_LOWER);

	return far ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
}

void sim_mt_refill(struct sim_mt_state *s)
{
	uint32_t *mt = s->mt;
	int k;

	for (k = 0; k < SIM_MT_N - SIM_MT_M; k++)
		mt[k] = twist(mt[k], mt[k + 1], mt[k + SIM_MT_M]);
	for (; k < SIM_MT_N - 1; k++)
		mt[k] = twist(mt[k], mt[k + 1], mt[k + SIM_MT_M - SIM_MT_N]);
	mt[SIM_MT_N - 1] = twist(mt[SIM_MT_N - 1], mt[0], mt[SIM_MT_M - 1]);
	s->mti = 0;
}

/* gsl_rng_set(): seed 0 means GSL's default, 4357. */
static void mt_set(void *vstate, unsigned long seed)
{
	struct sim_mt_state *s = vstate;

	s->mt[0] = (uint32_t)(seed ? seed : 4357);
	for (int i = 1; i < SIM_MT_N; i++)
		s->mt[i] = 1812433253u * (s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) +
			   (uint32_t)i;
	s->mti = SIM_MT_N;
}

static unsigned long mt_get(void *vstate)
{
	return sim_mt_next(vstate);
}

static double mt_get_double(void *vstate)
{
	return sim_mt_next(vstate) / 4294967296.0;
}

static const gsl_rng_type mt19937_type = {
	.name = "mt19937",
	.max = 0xffffffffUL,
	.min = 0,
	.size = sizeof(struct sim_mt_state),
	.set = mt_set,
	.get = mt_get,
	.get_double = mt_get_double,
};

const gsl_rng_type *const sim_rng_mt19937 = &mt19937_type;
