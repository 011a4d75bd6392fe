/* run/plot.c - runs gnuplot on the plots/ scripts for a run directory,
 * passing the folder, the format, and facts about the run the scripts
 * cannot read safely themselves (first full event, pools added, latency
 * rows, duration and warm-up). */
#define _GNU_SOURCE
#include "run/plot.h"

#include "base/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SWSIM_PLOTS_DIR
#define SWSIM_PLOTS_DIR "plots"
#endif

const char *plot_scripts_dir(void)
{
	const char *env = getenv("SWSIM_PLOTS_DIR");

	return env && *env ? env : SWSIM_PLOTS_DIR;
}

int plot_have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, buf[4096];
	int found = 0;

	if (!path || !(copy = strdup(path)))
		return 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/gnuplot", d);
		found = access(buf, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* Runs gnuplot with -e ASSIGNMENTS SCRIPT; 0 when it exited cleanly. */
static int run_gnuplot(const char *assign, const char *script)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", "-e", assign, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int plot_script(const char *script, const char *dir, const char *extra,
		FILE *msgs)
{
	static const char *const formats[] = { "png", "svg" };
	char path[4096], assign[8192];

	snprintf(path, sizeof(path), "%s/%s", plot_scripts_dir(), script);
	for (size_t i = 0; i < 2; i++) {
		snprintf(assign, sizeof(assign),
			 "dir='%s'; fmt='%s'; plotdir='%s'; %s", dir, formats[i],
			 plot_scripts_dir(), extra ? extra : "");
		if (run_gnuplot(assign, path)) {
			if (msgs)
				fprintf(msgs, "plot: gnuplot failed on %s for %s\n",
					path, dir);
			return -1;
		}
	}
	return 0;
}

/* What the scripts are told about a run, beyond its CSV files (they
 * cannot ask gnuplot's `stats` about a file with no data rows). */
struct run_facts {
	double first_full_s;       /* the first swiotlb-full event, or -1 */
	long pools_added;          /* pool_added events */
	long latency_rows;         /* data rows of latency.csv */
	double duration_s, warmup_s;  /* from summary.json; -1: unknown */
};

static FILE *open_in(const char *dir, const char *name)
{
	char path[OUTFILE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "r");
}

/* events.csv: the first full event, and pool additions. */
static void read_events(const char *dir, struct run_facts *rf)
{
	char line[512], kind[64];
	FILE *f = open_in(dir, "events.csv");
	double s;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*[^,],%lf,%63[^,]", &s, kind) != 2)
			continue;
		if (!strncmp(kind, "full", 4) && rf->first_full_s < 0)
			rf->first_full_s = s;
		rf->pools_added += !strcmp(kind, "pool_added");
	}
	fclose(f);
}

static long data_rows(const char *dir, const char *name)
{
	FILE *f = open_in(dir, name);
	long n = -1;
	int ch, last = '\n';

	if (!f)
		return 0;
	while ((ch = getc(f)) != EOF) {
		n += ch == '\n';
		last = ch;
	}
	fclose(f);
	return (n < 0 ? 0 : n) + (last != '\n');
}

/* The value of "key": NUMBER in summary.json, in seconds from ns; -1. */
static double summary_seconds(const char *dir, const char *key)
{
	char line[8192], pat[64];
	FILE *f = open_in(dir, "summary.json");
	double v = -1;

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	while (v < 0 && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, pat);
		unsigned long long ns;

		if (at && sscanf(at + strlen(pat), "%llu", &ns) == 1)
			v = (double)ns / 1e9;
	}
	fclose(f);
	return v;
}

int plot_run_dir(const char *dir, FILE *msgs)
{
	static const char *const scripts[] = {
		"pool_use.gp", "full_events.gp", "area_heatmap.gp",
		"latency_cdf.gp",
	};
	struct run_facts rf = { .first_full_s = -1 };
	char extra[256];
	int status = 0;

	if (!plot_have_gnuplot()) {
		if (msgs)
			fprintf(msgs, "plot: gnuplot not found; install it with "
				"`apt-get install gnuplot-nox` (or run "
				"scripts/setup.sh), then `swiotlb-sim plot %s`\n",
				dir);
		return 1;
	}
	read_events(dir, &rf);
	rf.latency_rows = data_rows(dir, "latency.csv");
	rf.duration_s = summary_seconds(dir, "duration_ns");
	rf.warmup_s = summary_seconds(dir, "warmup_ns");
	snprintf(extra, sizeof(extra), "first_full=%.9f; pools_added=%ld; "
		 "latency_rows=%ld; duration=%.9f; warmup=%.9f",
		 rf.first_full_s, rf.pools_added, rf.latency_rows,
		 rf.duration_s, rf.warmup_s);
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		if (plot_script(scripts[i], dir, extra, msgs))
			status = -1;
	return status;
}
