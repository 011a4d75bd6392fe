/* sweep/sweep_export.c - job files for GNU parallel and a Slurm array
 * script, so a sweep's points can run on other machines. */
#include "sweep/sweep_export.h"

#include "base/outfile.h"

#include <stdlib.h>
#include <string.h>

void sweep_shell_quote(FILE *f, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_-+=.,/:@%^";

	if (*s && strspn(s, safe) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

int sweep_write_jobs(const char *path, char **const *argvs, size_t n,
		     char *err, size_t errlen)
{
	struct outfile o;

	if (outfile_open(&o, path, err, errlen))
		return -1;
	for (size_t j = 0; j < n; j++) {
		for (size_t i = 0; argvs[j][i]; i++) {
			if (i)
				fputc(' ', o.f);
			sweep_shell_quote(o.f, argvs[j][i]);
		}
		fputc('\n', o.f);
	}
	return outfile_commit(&o, err, errlen);
}

int sweep_write_slurm(const char *path, const char *jobs_path,
		      const char *name, const char *logdir, size_t njobs,
		      char *err, size_t errlen)
{
	struct outfile o;

	if (outfile_open(&o, path, err, errlen))
		return -1;
	fputs("#!/bin/sh\n", o.f);
	fprintf(o.f, "#SBATCH --job-name=%s-sweep\n", name);
	fprintf(o.f, "#SBATCH --array=1-%zu\n", njobs);
	fputs("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n", o.f);
	fprintf(o.f, "#SBATCH --output=%s/slurm-%%A_%%a.log\n", logdir);
	fputs("# Written by `swiotlb-sim sweep --export slurm`: array task N "
	      "runs line N of\n# the job file, one point of the sweep, into "
	      "its own folder. Submit it\n# with `sbatch` from the folder "
	      "the sweep was exported in; when every task\n# is done, "
	      "`swiotlb-sim sweep --collect` the sweep's folder.\n", o.f);
	fputs("set -eu\njobs=", o.f);
	sweep_shell_quote(o.f, jobs_path);
	fputs("\nline=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" \"$jobs\")\n"
	      "[ -n \"$line\" ] || { echo \"no line $SLURM_ARRAY_TASK_ID in "
	      "$jobs\" >&2; exit 1; }\n"
	      "exec sh -c \"$line\"\n", o.f);
	return outfile_commit(&o, err, errlen);
}

void sweep_free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
