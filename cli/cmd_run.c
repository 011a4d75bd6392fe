/* cli/cmd_run.c - command lines of `run` (simulate a scenario), `validate`
 * (check it and print it resolved) and `plot` (charts of a run). */
#include "cli/cmd_run.h"

#include "run/plot.h"
#include "run/run.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SETS 256

/* What `run` and `validate` take: a scenario, overrides, an output dir. */
struct scenario_args {
	const char *path;
	const char *outdir;
	const char *sets[MAX_SETS];
	size_t nsets;
	bool plot, quiet;
};

static int usage_error(const char *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "swiotlb-sim %s: %s%s%s%s (see --help)\n", cmd, what,
		arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return 2;
}

/* Parses the shared options; returns -1 after --help, 2 on an error. */
static int parse_args(const char *cmd, int argc, char **argv,
		      struct scenario_args *a, const char *help)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(help, stdout);
			return -1;
		} else if (!strcmp(arg, "--set") || !strcmp(arg, "-o")) {
			if (++i >= argc)
				return usage_error(cmd, "missing value after", arg);
			if (!strcmp(arg, "-o"))
				a->outdir = argv[i];
			else if (a->nsets == MAX_SETS)
				return usage_error(cmd, "too many --set", NULL);
			else
				a->sets[a->nsets++] = argv[i];
		} else if (!strncmp(arg, "--set=", 6)) {
			if (a->nsets == MAX_SETS)
				return usage_error(cmd, "too many --set", NULL);
			a->sets[a->nsets++] = arg + 6;
		} else if (!strcmp(arg, "--plot")) {
			a->plot = true;
		} else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
			a->quiet = true;
		} else if (arg[0] == '-' && arg[1]) {
			return usage_error(cmd, "unknown option", arg);
		} else if (!a->path) {
			a->path = arg;
		} else {
			return usage_error(cmd, "unexpected argument", arg);
		}
	}
	if (!a->path)
		return usage_error(cmd, "no scenario file given", NULL);
	return 0;
}

static int load(const struct scenario_args *a, struct scenario *s)
{
	char err[SCENARIO_ERRS_LEN];

	if (scenario_load(a->path, a->sets, a->nsets, s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

static const char run_help[] =
	"usage: swiotlb-sim run SCENARIO.yaml [-o DIR] [--set key.path=value]...\n"
	"                       [--plot] [--quiet]\n"
	"Simulates the scenario and writes timeseries.csv, events.csv,\n"
	"area_use.csv, latency.csv, summary.json and scenario.resolved.yaml to\n"
	"DIR (default: the scenario's run.output, results/<name>).\n"
	"  --set k=v  override any scenario key (e.g. --set swiotlb.slabs=8192)\n"
	"  --plot     render the charts (PNG and SVG) into DIR at the end\n"
	"  --quiet    no summary on stdout\n";

int cmd_run(int argc, char **argv)
{
	struct scenario_args a;
	struct scenario s;
	struct run_options o = { 0 };
	char err[1024];
	int rc = parse_args("run", argc, argv, &a, run_help);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (load(&a, &s))
		return 1;
	o.scenario_path = a.path;
	o.outdir = a.outdir;
	o.quiet = a.quiet;
	o.plot = a.plot;
	o.progress = !a.quiet && isatty(STDERR_FILENO);
	rc = run_scenario(&s, &o, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: %s\n", a.path, err);
	scenario_free(&s);
	return rc ? 1 : 0;
}

static const char validate_help[] =
	"usage: swiotlb-sim validate SCENARIO.yaml [--set key.path=value]...\n"
	"       swiotlb-sim validate --reference\n"
	"Checks the scenario and prints it resolved (every default filled in)\n"
	"as YAML; errors name the file, line, column and key.\n"
	"  --reference  print every scenario key's type, default and meaning\n"
	"               as Markdown tables (the end of docs/scenario-keys.md)\n";

/* The key tables, printed from the schema, so the docs can be
 * regenerated rather than edited by hand. */
static int print_reference(void)
{
	scenario_write_reference(stdout);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "swiotlb-sim validate: cannot write the "
			"reference to stdout\n");
		return 1;
	}
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	struct scenario_args a;
	struct scenario s;
	struct machine_config cfg;
	struct machine_device_config *devs;
	char err[1024];
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--reference"))
		return print_reference();
	rc = parse_args("validate", argc, argv, &a, validate_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (load(&a, &s))
		return 1;
	/* What only the machine can say (e.g. the swiotlb= string's sizes). */
	rc = run_build_machine_config(&s, &cfg, &devs, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: %s\n", a.path, err);
	else
		free(devs);
	if (!rc && scenario_dump_yaml(&s, stdout))
		rc = 1;
	scenario_free(&s);
	return rc ? 1 : 0;
}

static const char plot_help[] =
	"usage: swiotlb-sim plot RUN_DIR...\n"
	"Renders the charts of run directories with gnuplot, as PNG and SVG:\n"
	"pool_use, full_events, area_use, map_latency.\n";

int cmd_plot(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return usage_error("plot", "no run directory given", NULL);
	for (int i = 1; i < argc; i++) {
		char series[4200];
		int rc;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(plot_help, stdout);
			return 0;
		}
		snprintf(series, sizeof(series), "%s/timeseries.csv", argv[i]);
		if (access(argv[i], R_OK) != 0 || access(series, R_OK) != 0) {
			fprintf(stderr, "%s: not a readable run directory (no "
				"timeseries.csv)\n", argv[i]);
			status = 1;
			continue;
		}
		rc = plot_run_dir(argv[i], stderr);
		if (rc)
			status = 1;
	}
	return status;
}
