/* run/output_impl.h - what the output files share: a run's figures over the
 * measured span (after the warm-up); nothing outside run/ includes
 * this. */
#ifndef SWSIM_RUN_OUTPUT_IMPL_H
#define SWSIM_RUN_OUTPUT_IMPL_H

#include "run/output.h"

#include <stdbool.h>

/* Figures over the measured span (after the warm-up). */
struct measured {
	struct stats_counters c;
	struct stats_hist lat;       /* owns lat.h */
	double span_ns;              /* measured time x CPUs */
	uint64_t hiwater, nslabs;
	bool any_full;
	uint64_t first_full_ns;       /* of any pool, when any_full */
	uint64_t first_default_full_ns;  /* of the default swiotlb */
	size_t ndevices;
	struct machine_device_counters *dev;  /* per device, owned */
	uint64_t restricted_full;    /* of c.full_events: restricted pools' */
};

/* Fills out from the run; returns 0, or -1 with a message in err when out
 * of memory (nothing to free then). Free with measured_free(). */
int measure(const struct run_result *r, struct measured *out, char *err,
	    size_t errlen);
void measured_free(struct measured *ms);

/* summary.json. Returns 0, or -1 on a write error. */
int output_write_summary_json(FILE *f, const struct run_result *r,
			      const struct measured *ms);

/* part / whole, 0 when whole is 0. */
double output_share(uint64_t part, double whole);

#endif
