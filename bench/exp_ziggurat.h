/* bench/exp_ziggurat.h - exponential variates from a GSL generator by the
 * ziggurat method (Marsaglia & Tsang 2000), for the hold-model benchmark. */

/* Why: gsl_ran_exponential takes a uniform and a log1p, about 30 ns here,
 * as much as the engine's own work per event; the ziggurat needs one 32-bit
 * draw and two table reads 99% of the time. The low 8 bits of the draw pick
 * one of 256 layers of equal area, the high 24 bits the point within it;
 * points outside the layer's inner rectangle fall back to an exact test.
 */
#ifndef SWSIM_BENCH_EXP_ZIGGURAT_H
#define SWSIM_BENCH_EXP_ZIGGURAT_H

#include "sim/rng.h"
#include <math.h>
#include <stdint.h>

#define ZIG_LAYERS 256
#define ZIG_TAIL_START 7.69711747013104972	/* where the tail begins */
#define ZIG_LAYER_AREA 3.949659822581572e-3
#define ZIG_POINT_SCALE 16777216.0		/* 2^24 points per layer */

struct exp_ziggurat {
	uint32_t inner[ZIG_LAYERS];	/* points below it: inside the curve */
	double width[ZIG_LAYERS];	/* x per point */
	double height[ZIG_LAYERS];	/* exp(-x) at the layer's right edge */
};

/* Builds the layers from the bottom (which holds the tail) upwards. */
static inline void exp_ziggurat_init(struct exp_ziggurat *z)
{
	double x = ZIG_TAIL_START, x_below = x;
	double base = ZIG_LAYER_AREA / exp(-x);

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
}

/* gsl_rng_uniform_pos(): (0, 1). */
static inline double uniform_pos(gsl_rng *rng)
{
	double u;

	do
		u = rng_uniform(rng);
	while (u == 0);
	return u;
}

/* A standard exponential variate (mean 1). */
static inline double exp_ziggurat_draw(const struct exp_ziggurat *z,
				       gsl_rng *rng)
{
	for (;;) {
		uint32_t bits = (uint32_t)rng_get(rng);
		unsigned layer = bits % ZIG_LAYERS;
		uint32_t point = bits / ZIG_LAYERS;
		double x = point * z->width[layer];

		if (point < z->inner[layer])
			return x;
		if (layer == 0)
			return ZIG_TAIL_START - log(uniform_pos(rng));
		if (z->height[layer] + rng_uniform(rng) *
		    (z->height[layer - 1] - z->height[layer]) < exp(-x))
			return x;
	}
}

#endif
