/* cli/cmd_explain.c - the explain command line: kernel log lines in (as
 * arguments or on stdin), what the swiotlb's messages mean and what to do
 * out, and optionally a starter scenario written whole or not at all. */
#include "cli/cmd_explain.h"

#include "base/outfile.h"
#include "base/sizedist.h"
#include "diagnose/diagnose.h"
#include "scenario/scenario.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Fills per estimate unless --fills says: 100, fewer for big pools (a
 * fill's searches grow with the pool), down to MIN_AUTO_FILLS. */
#define DEFAULT_FILLS 100
#define MAX_LINE_ARGS 256
#define MIN_AUTO_FILLS 10
#define AUTO_FILLS_SLOTS 65536ULL

struct explain_args {
	const char *lines[MAX_LINE_ARGS];
	size_t nlines;
	const char *scenario_path;
	bool json;
	struct diag_options o;
	bool fills_given;
	struct diag_log log;
};

static const char explain_help[] =
	"usage: swiotlb-sim explain [LINE...] [--scenario FILE] [--format text|json]\n"
	"                           [--areas N] [--cpus N] [--min-align-mask MASK]\n"
	"                           [--coco] [--dynamic] [--memory SIZE]\n"
	"                           [--fills N] [--seed N] [--fill-sizes DIST]\n"
	"Reads kernel log lines (the arguments, or stdin when none is given:\n"
	"`dmesg | swiotlb-sim explain`), with or without dmesg timestamps, and\n"
	"explains the swiotlb's messages: \"swiotlb buffer is full (sz: ...)\",\n"
	"\"software IO TLB: mapped [mem ...]\", \"... adjusted to NMB\", \"area num\",\n"
	"\"Memory encryption is active ...\". For each device and size that ran\n"
	"out it says what the numbers mean, why the map failed (too large for\n"
	"any pool, pool full, pool too small, fragmentation, alignment) and\n"
	"what to do, with the swiotlb= value that fits.\n"
	"  --scenario FILE     also write a starter scenario for run and sweep\n"
	"  --format json       the reports as JSON\n"
	"  --areas N           areas the kernel asked for (its \"area num N.\")\n"
	"  --cpus N            the machine's CPUs (the areas follow them)\n"
	"  --min-align-mask M  the failing device's mask (nvme: 0xfff assumed)\n"
	"  --coco              a confidential VM (also read from the log)\n"
	"  --dynamic           a kernel with CONFIG_SWIOTLB_DYNAMIC=y\n"
	"  --memory SIZE       guest memory, for the scenario (e.g. 16G)\n"
	"  --fills N           synthetic fills per estimate (default 100; fewer,\n"
	"                      down to 10, for pools over 128 MiB)\n"
	"  --seed N            first seed of the fills (default 1)\n"
	"  --fill-sizes DIST   sizes of the fills' maps (default: half the\n"
	"                      failed size, half 512 B..256 KiB)\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "swiotlb-sim explain: %s%s%s%s (see --help)\n", what,
		arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return 2;
}

/* A whole number in [lo, hi] (0x hex allowed). */
static bool read_number(const char *s, uint64_t lo, uint64_t hi,
			uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && *s != '-' && !errno && !*end && *v >= lo && *v <= hi;
}

/* An option that takes a value; returns 0, or 2 after a usage error. */
static int option_value(struct explain_args *a, const char *opt,
			const char *val)
{
	struct diag_machine *m = &a->log.m;
	char err[256];
	uint64_t v;

	if (!strcmp(opt, "--scenario")) {
		a->scenario_path = val;
	} else if (!strcmp(opt, "--format")) {
		if (strcmp(val, "json") && strcmp(val, "text"))
			return usage_error("--format takes text or json, not",
					   val);
		a->json = !strcmp(val, "json");
	} else if (!strcmp(opt, "--fill-sizes")) {
		struct sizedist d;

		if (sizedist_parse(val, &d, err, sizeof(err)))
			return usage_error(err, NULL);
		a->o.fill_sizes = val;
	} else if (!strcmp(opt, "--memory")) {
		if (sizedist_parse_size(val, &m->memory, err, sizeof(err)))
			return usage_error(err, NULL);
	} else if (!strcmp(opt, "--min-align-mask")) {
		if (!read_number(val, 0, UINT32_MAX, &v) || (v & (v + 1)))
			return usage_error("--min-align-mask takes a mask "
					   "2^n-1, not", val);
		m->min_align_mask = (int64_t)v;
	} else if (!read_number(val, 1, !strcmp(opt, "--seed") ? UINT64_MAX :
				1u << 20, &v)) {
		return usage_error("expected a positive number, not", val);
	} else if (!strcmp(opt, "--areas")) {
		m->nareas_asked = (uint32_t)v;
	} else if (!strcmp(opt, "--cpus")) {
		m->cpus = (unsigned)v;
	} else if (!strcmp(opt, "--fills")) {
		a->o.fills = (unsigned)v;
		a->fills_given = true;
	} else {
		a->o.seed = v;
	}
	return 0;
}

static bool takes_value(const char *opt)
{
	static const char *const opts[] = { "--scenario", "--format",
		"--areas", "--cpus", "--min-align-mask", "--memory", "--fills",
		"--seed", "--fill-sizes" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(opt, opts[i]))
			return true;
	return false;
}

/* Returns 0, -1 after --help, or 2 after a usage error. */
static int parse_args(int argc, char **argv, struct explain_args *a)
{
	diag_log_init(&a->log);
	a->o.fills = DEFAULT_FILLS;
	a->o.seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(explain_help, stdout);
			return -1;
		} else if (!strcmp(arg, "--coco")) {
			a->log.m.coco = true;
		} else if (!strcmp(arg, "--dynamic")) {
			a->log.m.dynamic = true;
		} else if (takes_value(arg)) {
			if (++i == argc)
				return usage_error("missing value after", arg);
			if ((rc = option_value(a, arg, argv[i])))
				return rc;
		} else if (arg[0] == '-' && arg[1]) {
			/* Kernel log lines never start with '-'. */
			return usage_error("unknown option", arg);
		} else if (a->nlines == MAX_LINE_ARGS) {
			return usage_error("too many lines as arguments (pipe "
					   "them to stdin)", NULL);
		} else {
			a->lines[a->nlines++] = arg;
		}
	}
	return 0;
}

/* One line of input; `where` names it in an error. */
static int take_line(struct explain_args *a, const char *text,
		     const char *where)
{
	struct kmsg_line l;
	char err[256];
	int got = kmsg_parse(text, &l, err, sizeof(err));

	a->log.lines++;
	if (got < 0) {
		fprintf(stderr, "%s: %s\n", where, err);
		return -1;
	}
	if (got)
		diag_log_add(&a->log, &l, text);
	return 0;
}

/* Arguments may hold several lines each (a pasted block). */
static int read_arguments(struct explain_args *a)
{
	for (size_t i = 0; i < a->nlines; i++) {
		char *copy = strdup(a->lines[i]), *save = NULL, *line;
		char where[64];
		int rc = 0;

		if (!copy)
			return -1;
		snprintf(where, sizeof(where), "argument %zu", i + 1);
		for (line = strtok_r(copy, "\n", &save); line && !rc;
		     line = strtok_r(NULL, "\n", &save))
			rc = take_line(a, line, where);
		free(copy);
		if (rc)
			return -1;
	}
	return 0;
}

static int read_stdin(struct explain_args *a)
{
	char *line = NULL, where[64];
	size_t cap = 0;
	unsigned n = 0;
	int rc = 0;

	while (!rc && getline(&line, &cap, stdin) >= 0) {
		snprintf(where, sizeof(where), "stdin:%u", ++n);
		rc = take_line(a, line, where);
	}
	free(line);
	return rc;
}

/* The scenario's name: the file's, without its folder and .yaml. */
static void scenario_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".yaml"))
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
}

/* Writes the starter scenario beside its final name, checks that it loads,
 * then renames it into place. */
static int write_scenario(const struct explain_args *a,
			  const struct diag_report *r, size_t n)
{
	struct outfile of;
	struct scenario s;
	char err[SCENARIO_ERR_MAX], name[256];

	scenario_name(a->scenario_path, name, sizeof(name));
	if (outfile_open(&of, a->scenario_path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (diag_write_scenario(of.f, &a->log, r, n, name) ||
	    fflush(of.f)) {
		fprintf(stderr, "%s: write failed\n", a->scenario_path);
		outfile_abort(&of);
		return -1;
	}
	if (scenario_load(of.tmp, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s: the starter scenario does not load (a "
			"bug): %s\n", a->scenario_path, err);
		outfile_abort(&of);
		return -1;
	}
	scenario_free(&s);
	if (outfile_commit(&of, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static const struct diag_options *fills_for(struct explain_args *a,
					    const struct diag_group *g)
{
	uint64_t n = DEFAULT_FILLS * AUTO_FILLS_SLOTS /
		     (g->total ? g->total : 1);

	if (!a->fills_given)
		a->o.fills = n > DEFAULT_FILLS ? DEFAULT_FILLS :
			     n < MIN_AUTO_FILLS ? MIN_AUTO_FILLS : (unsigned)n;
	return &a->o;
}

static int report(struct explain_args *a, struct diag_report *r)
{
	char err[512];
	size_t n = a->log.ngroups;

	for (size_t i = 0; i < n; i++)
		if (diag_explain(&a->log, &a->log.groups[i],
				 fills_for(a, &a->log.groups[i]), &r[i], err,
				 sizeof(err))) {
			fprintf(stderr, "swiotlb-sim explain: %s\n", err);
			return 1;
		}
	if (a->json) {
		diag_print_json(stdout, &a->log, r, n);
	} else {
		diag_print_machine(stdout, &a->log);
		if (!n)
			fputs("\nno \"swiotlb buffer is full\" message: "
			      "nothing ran out.\n", stdout);
		for (size_t i = 0; i < n; i++)
			diag_print_report(stdout, &a->log, &r[i]);
	}
	if (a->scenario_path && !n) {
		fprintf(stderr, "swiotlb-sim explain: --scenario needs a "
			"\"swiotlb buffer is full\" message\n");
		return 1;
	}
	if (a->scenario_path && write_scenario(a, r, n))
		return 1;
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	struct explain_args *a = calloc(1, sizeof(*a));
	struct diag_report *r = calloc(DIAG_MAX_GROUPS, sizeof(*r));
	int rc = a && r ? parse_args(argc, argv, a) : 1;

	if (!rc && a->nlines == 1 && !strcmp(a->lines[0], "-"))
		a->nlines = 0;
	if (!rc)
		rc = (a->nlines ? read_arguments(a) : read_stdin(a)) ? 1 : 0;
	if (!rc && !a->log.recognised) {
		fprintf(stderr, "swiotlb-sim explain: no swiotlb message in %u "
			"line(s) (see --help for the messages read)\n",
			a->log.lines);
		rc = 1;
	}
	if (!rc)
		rc = report(a, r);
	free(a);
	free(r);
	return rc < 0 ? 0 : rc;
}
