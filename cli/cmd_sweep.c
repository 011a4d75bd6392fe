/* cli/cmd_sweep.c - the `sweep` command line: options into a
 * sweep_options, --vary and --replications into overrides. */
#define _GNU_SOURCE
#include "cli/cmd_sweep.h"

#include "sweep/sweep.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_run.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 256

static const char help[] =
"usage: swiotlb-sim sweep SCENARIO.yaml [-o DIR] [--set key.path=value]...\n"
"                         [--vary key.path=VALUES]... [--replications R]\n"
"                         [--jobs N] [--no-charts] [--quiet]\n"
"                         [--export gnu-parallel|slurm] [--exe PATH]\n"
"       swiotlb-sim sweep --collect DIR [--no-charts]\n"
"Runs the scenario at every point of a grid: the product of the values of\n"
"the varied keys (the scenario's sweep: section, plus --vary), each point\n"
"R times with seeds derived from run.seed. Each point runs as\n"
"`swiotlb-sim run SCENARIO -o DIR/points/<id> --set ... --quiet` in a\n"
"worker process; points already finished are not run again. Writes\n"
"DIR/sweep.csv (mean and 95%% confidence interval per point), the smallest\n"
"sufficient pool (recommendation.txt, also printed) and charts.\n"
"  -o DIR             the sweep's folder (default sweep.output, else\n"
"                     results/<name>-sweep)\n"
"  --set k=v          override a scenario key for every point\n"
"  --vary k=VALUES    vary a key: 1,2,4 (or 1;2;4), a..b+step, a..b*factor\n"
"                     (e.g. swiotlb.slabs=4096..262144*2); repeatable\n"
"  --replications R   runs of each point (default sweep.replications)\n"
"  --jobs N           worker processes (default: the CPUs, here %u)\n"
"  --no-charts        no gnuplot charts\n"
"  --quiet            no progress line\n"
"  --export gnu-parallel  write DIR/jobs.txt (a run command a line) for\n"
"                     the points still to run, instead of running them\n"
"  --export slurm     the same plus DIR/sweep.slurm, an sbatch array script\n"
"  --exe PATH         the swiotlb-sim the points run (default: this one)\n"
"  --collect DIR      sweep.csv, recommendation and charts from the\n"
"                     finished points in DIR/points, wherever they ran\n"
"Exit status: 0 all points finished, 1 some failed, 2 bad usage,\n"
"128+N stopped by signal N (run the same command again to resume).\n";

struct sweep_args {
	struct sweep_options o;
	const char *sets[MAX_ARGS], *varies[MAX_ARGS];
	size_t nsets, nvaries;
	long replications;
	const char *collect;
	bool quiet;
};

/* A growing list of override strings. */
struct ov_list {
	char **v;
	size_t n, cap;
};

static int ov_add(struct ov_list *l, char *s)
{
	if (!s)
		return -1;
	if (l->n == l->cap) {
		size_t cap = 2 * l->cap + 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* The entry of the file's sweep.vary list with that key (klen bytes), or
 * s->sweep.nvary. */
static size_t vary_entry(const struct scenario *s, const char *key,
			 size_t klen)
{
	size_t e = 0;

	for (; e < s->sweep.nvary; e++)
		if (strlen(s->sweep.vary[e].key) == klen &&
		    !strncmp(s->sweep.vary[e].key, key, klen))
			break;
	return e;
}

/* One --vary KEY=SPEC onto the list; *next is the next new entry. */
static int add_vary(struct ov_list *l, const struct scenario *s,
		    const char *arg, size_t *next, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char why[512], **values;
	size_t n, klen, entry;

	if (!eq || eq == arg || !eq[1]) {
		snprintf(err, errlen, "--vary %s: not of the form "
			 "key.path=values", arg);
		return -1;
	}
	if (sweep_values_expand(eq + 1, &values, &n, why, sizeof(why))) {
		snprintf(err, errlen, "--vary %s: %s", arg, why);
		return -1;
	}
	sweep_values_free(values, n);
	klen = (size_t)(eq - arg);
	entry = vary_entry(s, arg, klen);
	if (entry == s->sweep.nvary) {
		entry = (*next)++;
		if (ov_add(l, sweep_printf("sweep.vary.%zu.key=%.*s", entry,
				      (int)klen, arg)))
			goto oom;
	}
	if (ov_add(l, sweep_printf("sweep.vary.%zu.values=%s", entry, eq + 1)))
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int sweep_cli_overrides(const char *scenario, const char *const *sets,
			size_t nsets, const char *const *varies,
			size_t nvaries, long replications, char ***ov,
			char *err, size_t errlen)
{
	struct ov_list l = { 0 };
	struct scenario s;
	size_t next;

	*ov = NULL;
	if (scenario_load(scenario, sets, nsets, &s, err, errlen))
		return -1;
	next = s.sweep.nvary;
	for (size_t i = 0; i < nsets; i++)
		if (ov_add(&l, strdup(sets[i])))
			goto oom;
	for (size_t i = 0; i < nvaries; i++)
		if (add_vary(&l, &s, varies[i], &next, err, errlen))
			goto fail;
	if (replications > 0 &&
	    ov_add(&l, sweep_printf("sweep.replications=%ld", replications)))
		goto oom;
	scenario_free(&s);
	*ov = l.v;
	return (int)l.n;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	scenario_free(&s);
	sweep_overrides_free(l.v, l.n);
	return -1;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "swiotlb-sim sweep: %s%s%s%s (see --help)\n", what,
		arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return 2;
}

static bool read_count(const char *text, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(text, &end, 10);
	return !errno && end != text && !*end && *out >= 1 && *out <= max;
}

/* An option with a value, written "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(int argc, char **argv, int *i,
				const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name))
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static int parse_option(int argc, char **argv, int *i, struct sweep_args *a)
{
	const char *arg = argv[*i], *v;
	long n;

	if ((v = option_value(argc, argv, i, "--set")) ||
	    (v = option_value(argc, argv, i, "--vary"))) {
		bool set = !strncmp(arg, "--set", 5);

		if (!*v)
			return usage_error("missing value after", arg);
		if ((set ? a->nsets : a->nvaries) == MAX_ARGS)
			return usage_error("too many", arg);
		if (set)
			a->sets[a->nsets++] = v;
		else
			a->varies[a->nvaries++] = v;
	} else if ((v = option_value(argc, argv, i, "-o"))) {
		a->o.outdir = v;
	} else if ((v = option_value(argc, argv, i, "--replications"))) {
		if (!read_count(v, 100000, &a->replications))
			return usage_error("--replications wants 1..100000, "
					   "not", v);
	} else if ((v = option_value(argc, argv, i, "--jobs"))) {
		if (!read_count(v, 4096, &n))
			return usage_error("--jobs wants 1..4096, not", v);
		a->o.jobs = (unsigned)n;
	} else if ((v = option_value(argc, argv, i, "--export"))) {
		if (!strcmp(v, "gnu-parallel"))
			a->o.mode = SWEEP_EXPORT_PARALLEL;
		else if (!strcmp(v, "slurm"))
			a->o.mode = SWEEP_EXPORT_SLURM;
		else
			return usage_error("--export wants gnu-parallel or "
					   "slurm, not", v);
	} else if ((v = option_value(argc, argv, i, "--exe"))) {
		a->o.exe = v;
	} else if ((v = option_value(argc, argv, i, "--collect"))) {
		a->collect = v;
	} else if (!strcmp(arg, "--no-charts")) {
		a->o.charts = false;
	} else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
		a->quiet = true;
	} else {
		return usage_error("unknown option", arg);
	}
	if (v && !*v)
		return usage_error("missing value after", arg);
	return 0;
}

static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	memset(a, 0, sizeof(*a));
	a->o.charts = true;
	a->o.out = stdout;
	a->o.msgs = stderr;
	for (int i = 1; i < argc; i++) {
		int rc;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(help, sweep_cpu_count());
			return -1;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			rc = parse_option(argc, argv, &i, a);
			if (rc)
				return rc;
		} else if (!a->o.scenario) {
			a->o.scenario = argv[i];
		} else {
			return usage_error("unexpected argument", argv[i]);
		}
	}
	if (a->collect && (a->o.scenario || a->nsets || a->nvaries ||
			   a->o.mode != SWEEP_RUN))
		return usage_error("--collect DIR takes no scenario, --set, "
				   "--vary or --export", NULL);
	if (!a->collect && !a->o.scenario)
		return usage_error("no scenario file given", NULL);
	a->o.progress = !a->quiet && isatty(STDERR_FILENO);
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a;
	char err[SCENARIO_ERRS_LEN];
	char **ov = NULL;
	int n, rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (a.collect)
		return sweep_collect(a.collect, a.o.charts, stdout, stderr);
	n = sweep_cli_overrides(a.o.scenario, a.sets, a.nsets, a.varies,
				a.nvaries, a.replications, &ov, err,
				sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	a.o.sets = (const char *const *)ov;
	a.o.nsets = (size_t)n;
	rc = sweep_execute(&a.o);
	sweep_overrides_free(ov, (size_t)n);
	return rc;
}
