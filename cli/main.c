/* cli/main.c - the swiotlb-sim binary: one command line, subcommands. */
#include "cli/cmd_explain.h"
#include "cli/cmd_import.h"
#include "cli/cmd_run.h"
#include "cli/cmd_sweep.h"
#include "cli/replay.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "simulate a scenario and write its results" },
	{ "sweep", cmd_sweep, "run a scenario over a grid of values" },
	{ "validate", cmd_validate, "check a scenario and print it resolved" },
	{ "plot", cmd_plot, "render the charts of a run directory" },
	{ "replay", cmd_replay, "replay an op trace against the allocator core" },
	{ "import", cmd_import, "convert a kernel ftrace capture into a timed op trace" },
	{ "explain", cmd_explain, "explain the swiotlb's kernel messages; a starter scenario" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: swiotlb-sim COMMAND [ARGS]  (COMMAND --help for more)\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	/* Out of memory inside GSL is an error like any other, not an abort
	 * (docs/errors.md). */
	error_gsl_install();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "swiotlb-sim: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
