/* machine/machine_rng.c - per-entity GSL RNG streams, each seeded from the run
 * seed and the stream's name, so that runs repeat exactly.
 */
#include "machine/machine_impl.h"

#include "base/error.h"

/* FNV-1a, 64-bit: the stream name as a number. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finaliser: spreads nearby inputs far apart. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

gsl_rng *machine_rng_new(const struct machine *m, const char *stream,
			 char *err, size_t errlen)
{
	uint64_t seed = mix64(m->cfg.seed ^ mix64(name_hash(stream)));
	unsigned long seed32 = (unsigned long)(seed & 0xffffffffULL);
	gsl_rng *r = gsl_rng_alloc(sim_rng_mt19937);

	if (!r) {
		error_gsl_oom(err, errlen,
			      sizeof(*r) + sim_rng_mt19937->size,
			      "random stream \"%s\"", stream);
		return NULL;
	}
	/* mt19937 takes a 32-bit seed; 0 would mean "the default seed". */
	gsl_rng_set(r, seed32 ? seed32 : 0x9e3779b9UL);
	return r;
}
