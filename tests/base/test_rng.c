/* tests/base/test_rng.c - base/rng.h gives exactly GSL's mt19937 numbers: raw
 * words, uniforms, integers in a range, exponentials, after any seed, and
 * through GSL's own functions too; and rng_llround() is libm's llround(). */
#include "base/rng.h"
#include "tests/testutil.h"

#include <math.h>

#include <gsl/gsl_randist.h>

static void test_same_stream(unsigned long seed)
{
	gsl_rng *ours = gsl_rng_alloc(sim_rng_mt19937);
	gsl_rng *gsl = gsl_rng_alloc(gsl_rng_mt19937);
	int mismatches = 0;

	CHECK(ours && gsl);
	if (!ours || !gsl)
		return;
	gsl_rng_set(ours, seed);
	gsl_rng_set(gsl, seed);
	for (int i = 0; i < 200000; i++) {
		unsigned long n = 1 + (unsigned long)i * 7919 % 100000;

		switch (i % 6) {
		case 0:
			mismatches += gsl_rng_get(ours) != gsl_rng_get(gsl);
			break;
		case 1:
			mismatches += rng_uniform(ours) != gsl_rng_uniform(gsl);
			break;
		case 2:
			mismatches += rng_uniform_int(ours, n) !=
				      gsl_rng_uniform_int(gsl, n);
			break;
		case 3:
			mismatches += rng_exponential(ours, 1000.0) !=
				      gsl_ran_exponential(gsl, 1000.0);
			break;
		case 4:
			/* GSL's own samplers through the type's pointers. */
			mismatches += gsl_ran_gaussian(ours, 3.0) !=
				      gsl_ran_gaussian(gsl, 3.0);
			break;
		default:
			mismatches += rng_uniform_int(ours, 0xffffffffUL) !=
				      gsl_rng_uniform_int(gsl, 0xffffffffUL);
			break;
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(gsl_rng_max(ours), gsl_rng_max(gsl));
	CHECK_EQ(gsl_rng_min(ours), gsl_rng_min(gsl));
	gsl_rng_free(ours);
	gsl_rng_free(gsl);
}

static void test_seeds(void)
{
	/* 0 is GSL's default seed (4357); the others are run-seed mixes. */
	test_same_stream(0);
	test_same_stream(1);
	test_same_stream(4357);
	test_same_stream(0x9e3779b9UL);
	test_same_stream(0xffffffffUL);
}

/* Other generator types go through GSL. */
static void test_other_types(void)
{
	gsl_rng *a = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng *b = gsl_rng_alloc(gsl_rng_taus2);

	CHECK(a && b);
	if (!a || !b)
		return;
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(rng_uniform_int(a, 77), gsl_rng_uniform_int(b, 77));
		CHECK(rng_uniform(a) == gsl_rng_uniform(b));
	}
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* rng_llround() against libm's llround(): halves and their neighbours,
 * small and large values, both signs, and a sweep. */
static void check_round(double x)
{
	CHECK_EQ(rng_llround(x), llround(x));
	CHECK_EQ(rng_llround(-x), llround(-x));
}

static void test_llround(void)
{
	for (long long k = 0; k < 2000; k++) {
		double half = (double)k + 0.5;

		check_round((double)k);
		check_round(half);
		check_round(nextafter(half, 0.0));
		check_round(nextafter(half, INFINITY));
	}
	check_round(0.49999999999999994);
	check_round(4503599627370495.5);      /* 2^52 - 0.5 */
	check_round(4503599627370497.0);
	check_round(9007199254740993.0);
	check_round(9.2e18);
	for (double x = 1e-3; x < 9e18; x *= 1.0137)
		check_round(x);
}

int main(void)
{
	RUN(test_seeds);
	RUN(test_other_types);
	RUN(test_llround);
	return tu_finish();
}
