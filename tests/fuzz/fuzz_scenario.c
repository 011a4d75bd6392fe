/* tests/fuzz/fuzz_scenario.c - a scenario of arbitrary bytes: loading, the
 * resolved dump, and the machine configuration built from it. */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "run/run.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario s;
	struct machine_config cfg;
	struct machine_device_config *devs;
	char err[SCENARIO_ERR_MAX];
	FILE *sink;

	if (scenario_load_string((const char *)data, size, "fuzz.yaml", NULL,
				 0, &s, err, sizeof(err)))
		return 0;
	sink = fopen("/dev/null", "w");
	if (sink) {
		scenario_dump_yaml(&s, sink);
		fclose(sink);
	}
	if (!run_build_machine_config(&s, &cfg, &devs, err, sizeof(err)))
		free(devs);
	scenario_free(&s);
	return 0;
}
