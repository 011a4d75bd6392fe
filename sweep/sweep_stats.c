/* sweep/sweep_stats.c - mean and 95% Student-t confidence interval of a
 * sweep point's replications. */
#include "sweep/sweep_stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

struct sweep_ci sweep_ci95(const double *x, size_t n)
{
	struct sweep_ci ci = { .n = n, .mean = NAN, .half = NAN };
	double sum = 0, ss = 0;
	size_t same = 1;

	if (!n)
		return ci;
	while (same < n && x[same] == x[0])
		same++;
	if (same == n) {
		/* A constant: exactly its value, with no spread (summing
		 * would round). */
		ci.mean = x[0];
		ci.half = n > 1 ? 0.0 : NAN;
		return ci;
	}
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	ci.mean = sum / (double)n;
	if (n < 2)
		return ci;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - ci.mean) * (x[i] - ci.mean);
	ci.half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) *
		  sqrt(ss / (double)(n - 1)) / sqrt((double)n);
	return ci;
}
