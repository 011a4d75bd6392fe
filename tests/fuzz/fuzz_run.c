/* tests/fuzz/fuzz_run.c - a scenario of arbitrary bytes run for 300 us of
 * simulated time (overrides cap the length, so one input stays cheap):
 * machine, workloads, statistics and the atomic output directory. */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/error.h"
#include "base/outfile.h"
#include "run/run.h"
#include "scenario/scenario.h"

static const char *const short_run[] = {
	"run.duration=300us", "run.warmup=0", "run.sample_interval=50us",
};

static char scratch_dir[] = "/tmp/swsim-fuzz-XXXXXX";

static void scratch_remove(void)
{
	remove_tree(scratch_dir);
}

/* One scratch folder per process for the run directories, gone at exit. */
static const char *scratch(void)
{
	static bool made;

	if (!made) {
		if (!mkdtemp(scratch_dir))
			abort();
		atexit(scratch_remove);
		made = true;
	}
	return scratch_dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX], out[128];
	struct run_options o = { .quiet = true };

	error_gsl_install();	/* as main() does */
	if (scenario_load_string((const char *)data, size, "fuzz.yaml",
				 short_run, 3, &s, err, sizeof(err)))
		return 0;
	snprintf(out, sizeof(out), "%s/run", scratch());
	o.outdir = out;
	o.summary_out = fopen("/dev/null", "w");
	if (o.summary_out) {
		run_scenario(&s, &o, err, sizeof(err));
		fclose(o.summary_out);
	}
	scenario_free(&s);
	return 0;
}
