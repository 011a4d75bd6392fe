/* cli/cmd_import.c - the import command line: options, the input file, and
 * an output that appears whole or not at all. */
#include "cli/cmd_import.h"

#include "traces/ftrace_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEV_PARAMS 64

struct import_args {
	const char *in_path, *out_path;
	struct ftrace_import_opts opts;
	struct ftrace_dev_param params[MAX_DEV_PARAMS];
	char names[MAX_DEV_PARAMS][FTRACE_NAME_LEN];
	size_t nparams;
};

static void usage(FILE *f)
{
	fputs("usage: swiotlb-sim import FILE|- [-o OUT|-] [--all-devices] "
	      "[--keep-unmatched]\n"
	      "                          [--annotate] [--min-align-mask DEV=MASK]... "
	      "[--seg-boundary DEV=MASK]...\n"
	      "Converts a kernel ftrace capture of the dma: events (the text of\n"
	      "/sys/kernel/tracing/trace or of `trace-cmd report`, plain, xz or gzip)\n"
	      "into a timed op trace: dev lines, then map/unmap/sync with t= in ns.\n"
	      "A mapping bounced when its dma_addr differs from its phys_addr; only\n"
	      "those are written. Unmaps and syncs of mappings made before the\n"
	      "capture began are dropped and counted. A summary goes to stderr.\n"
	      "  -o, --output OUT      write the trace to OUT (atomically); default or -:\n"
	      "                        stdout\n"
	      "  --all-devices         also write mappings that did not bounce\n"
	      "  --keep-unmatched      write dropped unmaps/syncs as # comments\n"
	      "  --annotate            end each map line with \"# kernel dma_addr=0x...\"\n"
	      "  --min-align-mask DEV=MASK  add min_align_mask=MASK to DEV's dev line\n"
	      "                        (not in a capture: e.g. NVMe uses 0xfff)\n"
	      "  --seg-boundary DEV=MASK    add seg_boundary=MASK (2^k-1) likewise\n", f);
}

/* The entry for the device named by the len bytes at name, made when new;
 * NULL when the table is full or the name too long. */
static struct ftrace_dev_param *param_for(struct import_args *a,
					  const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < a->nparams; i++)
		if (strlen(a->names[i]) == len && !strncmp(a->names[i], name, len))
			return &a->params[i];
	if (a->nparams == MAX_DEV_PARAMS || len >= FTRACE_NAME_LEN)
		return NULL;
	memcpy(a->names[i], name, len);
	a->names[i][len] = '\0';
	a->params[i] = (struct ftrace_dev_param){ .name = a->names[i] };
	a->nparams++;
	return &a->params[i];
}

/* "DEV=MASK" for --min-align-mask or --seg-boundary. */
static int parse_dev_param(struct import_args *a, const char *opt,
			   const char *arg)
{
	const char *eq = strrchr(arg, '=');
	char *end;
	bool boundary = !strcmp(opt, "--seg-boundary");
	struct ftrace_dev_param *p;
	uint64_t v;

	if (!eq || eq == arg || !eq[1]) {
		fprintf(stderr, "swiotlb-sim import: %s %s: expected DEV=MASK\n",
			opt, arg);
		return -1;
	}
	errno = 0;
	v = strtoull(eq + 1, &end, 0);
	if (errno || *end || eq[1] == '-' ||
	    (boundary ? (v & (v + 1)) || v < 0x7ff : v > UINT32_MAX)) {
		fprintf(stderr, "swiotlb-sim import: %s %s: expected %s\n", opt,
			arg, boundary ? "a mask 2^k-1 of at least 0x7ff" :
			"a mask of at most 32 bits");
		return -1;
	}
	if (!(p = param_for(a, arg, (size_t)(eq - arg)))) {
		fprintf(stderr, "swiotlb-sim import: %s %s: more than %d devices, "
			"or a name longer than %d characters\n", opt, arg,
			MAX_DEV_PARAMS, FTRACE_NAME_LEN - 1);
		return -1;
	}
	if (boundary) {
		p->has_seg_boundary = true;
		p->seg_boundary = v;
	} else {
		p->has_min_align_mask = true;
		p->min_align_mask = v;
	}
	return 0;
}

/* Returns 0, 1 after --help, or 2 after a usage error. */
static int parse_args(int argc, char **argv, struct import_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool takes_value = !strcmp(o, "-o") || !strcmp(o, "--output") ||
				   !strcmp(o, "--min-align-mask") ||
				   !strcmp(o, "--seg-boundary");

		if (takes_value && i + 1 == argc) {
			fprintf(stderr, "swiotlb-sim import: %s needs a value\n", o);
			return 2;
		}
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			a->out_path = argv[++i];
		} else if (!strcmp(o, "--all-devices")) {
			a->opts.all_devices = true;
		} else if (!strcmp(o, "--keep-unmatched")) {
			a->opts.keep_unmatched = true;
		} else if (!strcmp(o, "--annotate")) {
			a->opts.annotate = true;
		} else if (takes_value) {
			if (parse_dev_param(a, o, argv[++i]))
				return 2;
		} else if (o[0] == '-' && o[1]) {
			fprintf(stderr, "swiotlb-sim import: unknown option \"%s\"\n",
				o);
			return 2;
		} else if (!a->in_path) {
			a->in_path = o;
		} else {
			fprintf(stderr, "swiotlb-sim import: unexpected argument "
				"\"%s\"\n", o);
			return 2;
		}
	}
	if (!a->in_path) {
		fprintf(stderr, "swiotlb-sim import: no capture given (FILE or -)\n");
		usage(stderr);
		return 2;
	}
	a->opts.dev_params = a->params;
	a->opts.ndev_params = a->nparams;
	return 0;
}

/* Opens a temporary file beside out_path, named into tmp. */
static FILE *open_temp(const char *out_path, char **tmp)
{
	mode_t mask = umask(0);
	FILE *f = NULL;
	int fd;

	umask(mask);
	*tmp = malloc(strlen(out_path) + sizeof(".tmp.XXXXXX"));
	if (!*tmp)
		return NULL;
	strcpy(*tmp, out_path);
	strcat(*tmp, ".tmp.XXXXXX");
	fd = mkstemp(*tmp);
	if (fd >= 0) {
		fchmod(fd, 0666 & ~mask);
		f = fdopen(fd, "w");
		if (!f) {
			close(fd);
			unlink(*tmp);
		}
	}
	if (!f) {
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

int cmd_import(int argc, char **argv)
{
	struct import_args a = { 0 };
	struct ftrace_import_summary sum;
	bool to_stdout;
	char err[1024], *tmp = NULL;
	FILE *in, *out;
	int status = parse_args(argc, argv, &a);

	if (status)
		return status == 1 ? 0 : status;
	to_stdout = !a.out_path || !strcmp(a.out_path, "-");
	in = strcmp(a.in_path, "-") ? fopen(a.in_path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", a.in_path, strerror(errno));
		return 1;
	}
	out = to_stdout ? stdout : open_temp(a.out_path, &tmp);
	if (!out) {
		fprintf(stderr, "%s: cannot create a file beside it: %s\n",
			a.out_path, strerror(errno));
		if (in != stdin)
			fclose(in);
		return 1;
	}
	status = ftrace_import(in, a.in_path, out, &a.opts, &sum, err,
			       sizeof(err)) ? 1 : 0;
	if (in != stdin)
		fclose(in);
	if (!to_stdout) {
		if (fclose(out) && !status) {
			snprintf(err, sizeof(err), "%s: cannot write: %s",
				 a.out_path, strerror(errno));
			status = 1;
		}
		if (!status && rename(tmp, a.out_path)) {
			snprintf(err, sizeof(err), "%s: cannot rename %s over it: %s",
				 a.out_path, tmp, strerror(errno));
			status = 1;
		}
		if (status)
			unlink(tmp);
		free(tmp);
	}
	if (status)
		fprintf(stderr, "%s\n", err);
	else
		ftrace_import_print_summary(stderr, a.in_path, &sum);
	return status;
}
