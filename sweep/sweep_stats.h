/* sweep/sweep_stats.h - the statistics of a sweep's replications: the mean
 * and the half-width of its 95% confidence interval.
 *
 * Contract: pure functions of their arguments. The interval is Student's
 * t: half = t(0.975, n-1) * s / sqrt(n), s the sample standard deviation
 * (n - 1 in the denominator), t from GSL's gsl_cdf_tdist_Pinv. */
#ifndef SWSIM_SWEEP_SWEEP_STATS_H
#define SWSIM_SWEEP_SWEEP_STATS_H

#include <stddef.h>

struct sweep_ci {
	size_t n;
	double mean;    /* NaN when n = 0 */
	double half;    /* NaN when n < 2: one run gives no spread */
};

struct sweep_ci sweep_ci95(const double *x, size_t n);

#endif
