/* bench/exp_ziggurat.h - exponential variates of a given mean, rounded to
 * whole nanoseconds, from a sim_rng_mt19937 stream by the ziggurat method
 * (Marsaglia & Tsang 2000), for the hold-model benchmark.
 *
 * Contract: exp_ziggurat_ns() returns floor(mean * X + 0.5) for X a
 * standard exponential variate (X = Exp(1)), consuming 32-bit words of the
 * generator's stream (the same words gsl_rng_get() would return).
 */

/* Why: gsl_ran_exponential takes a uniform and a log1p, about 30 ns here,
 * as much as the engine's own work per event; the ziggurat needs one 32-bit
 * draw and two table reads 99% of the time. The low 8 bits of the draw pick
 * one of 256 layers of equal area, the high 24 bits the point within it;
 * points outside the layer's inner rectangle fall back to an exact test.
 * Inside it the variate is point * width, linear in the point, so scaling
 * and rounding are folded into one fixed-point multiply: no int-to-double
 * conversion, no floating-point latency on the path to the engine. The
 * fixed-point width is exact to 2^-40 ns per point, so the result differs
 * from the double computation only when mean * X lies within ~1e-5 ns of a
 * half nanosecond.
 */
#ifndef SWSIM_BENCH_EXP_ZIGGURAT_H
#define SWSIM_BENCH_EXP_ZIGGURAT_H

#include "base/rng.h"
#include <math.h>
#include <stdint.h>

#define ZIG_LAYERS 256
#define ZIG_TAIL_START 7.69711747013104972	/* where the tail begins */
#define ZIG_LAYER_AREA 3.949659822581572e-3
#define ZIG_POINT_SCALE 16777216.0		/* 2^24 points per layer */
#define ZIG_NS_SHIFT 40				/* fixed-point ns: 2^-40 */

struct exp_ziggurat {
	double mean;
	uint32_t inner[ZIG_LAYERS];	/* points below it: inside the curve */
	uint64_t ns_width[ZIG_LAYERS];	/* mean * width in 2^-40 ns */
	double width[ZIG_LAYERS];	/* x per point */
	double height[ZIG_LAYERS];	/* exp(-x) at the layer's right edge */
};

/* Builds the layers from the bottom (which holds the tail) upwards, for
 * variates of the given mean (in ns, at most ~10^6 so that 2^24 points
 * times a width stay below 2^64 in fixed point). */
static inline void exp_ziggurat_init(struct exp_ziggurat *z, double mean)
{
	double x = ZIG_TAIL_START, x_below = x;
	double base = ZIG_LAYER_AREA / exp(-x);

	z->mean = mean;
	z->inner[0] = (uint32_t)(x / base * ZIG_POINT_SCALE);
	z->inner[1] = 0;
	z->width[0] = base / ZIG_POINT_SCALE;
	z->width[ZIG_LAYERS - 1] = x / ZIG_POINT_SCALE;
	z->height[0] = 1.0;
	z->height[ZIG_LAYERS - 1] = exp(-x);
	for (int i = ZIG_LAYERS - 2; i >= 1; i--) {
		x = -log(ZIG_LAYER_AREA / x + exp(-x));
		z->inner[i + 1] = (uint32_t)(x / x_below * ZIG_POINT_SCALE);
		x_below = x;
		z->height[i] = exp(-x);
		z->width[i] = x / ZIG_POINT_SCALE;
	}
	for (int i = 0; i < ZIG_LAYERS; i++)
		z->ns_width[i] = (uint64_t)llround(ldexp(mean * z->width[i],
							 ZIG_NS_SHIFT));
}

/* gsl_rng_uniform_pos(): (0, 1). */
static inline double zig_uniform_pos(struct sim_mt_state *mt)
{
	uint32_t k;

	do
		k = sim_mt_next(mt);
	while (k == 0);
	return k / 4294967296.0;
}

/* A draw outside its layer's inner rectangle: the standard exponential
 * variate it gives, or -1 when it is rejected. */
static inline double zig_outside(const struct exp_ziggurat *z,
				 struct sim_mt_state *mt, unsigned layer,
				 uint32_t point)
{
	double x = point * z->width[layer];
	double u;

	if (layer == 0)
		return ZIG_TAIL_START - log(zig_uniform_pos(mt));
	u = sim_mt_next(mt) / 4294967296.0;
	if (z->height[layer] + u * (z->height[layer - 1] - z->height[layer]) <
	    exp(-x))
		return x;
	return -1;
}

/* A draw inside its layer's inner rectangle, scaled and rounded. */
static inline uint64_t zig_inner_ns(const struct exp_ziggurat *z,
				    unsigned layer, uint32_t point)
{
	return (point * z->ns_width[layer] + (1ull << (ZIG_NS_SHIFT - 1))) >>
	       ZIG_NS_SHIFT;
}

/* The rare rest of exp_ziggurat_ns(): out of line, so the inline part
 * stays a handful of instructions. */
static __attribute__((noinline)) uint64_t exp_ziggurat_ns_slow(
	const struct exp_ziggurat *z, struct sim_mt_state *mt,
	unsigned layer, uint32_t point)
{
	for (;;) {
		double x = zig_outside(z, mt, layer, point);
		uint32_t bits;

		if (x >= 0)
			return (uint64_t)(z->mean * x + 0.5);
		bits = sim_mt_next(mt);
		layer = bits % ZIG_LAYERS;
		point = bits / ZIG_LAYERS;
		if (point < z->inner[layer])
			return zig_inner_ns(z, layer, point);
	}
}

/* An exponential variate of the mean given to exp_ziggurat_init(),
 * rounded to whole ns (halves up). */
static inline uint64_t exp_ziggurat_ns(const struct exp_ziggurat *z,
				       struct sim_mt_state *mt)
{
	uint32_t bits = sim_mt_next(mt);
	unsigned layer = bits % ZIG_LAYERS;
	uint32_t point = bits / ZIG_LAYERS;

	if (__builtin_expect(point < z->inner[layer], 1))
		return zig_inner_ns(z, layer, point);
	return exp_ziggurat_ns_slow(z, mt, layer, point);
}

#endif
