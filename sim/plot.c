/* sim/plot.c - runs gnuplot on the plots/ scripts for a run directory,
 * passing the folder, the format and the first full event's time. */
#define _GNU_SOURCE
#include "sim/plot.h"

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

/* The first swiotlb-full event's time in seconds from events.csv, or -1. */
static double first_full_s(const char *dir)
{
	char path[4200], line[512];
	double t = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events.csv", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char kind[64];
		double s;

		if (sscanf(line, "%*[^,],%lf,%63[^,]", &s, kind) == 2 &&
		    !strncmp(kind, "full", 4)) {
			t = s;
			break;
		}
	}
	fclose(f);
	return t;
}

int plot_run_dir(const char *dir, FILE *msgs)
{
	static const char *const scripts[] = {
		"pool_use.gp", "full_events.gp", "area_heatmap.gp",
		"latency_cdf.gp",
	};
	char extra[64];
	int status = 0;

	if (!plot_have_gnuplot()) {
		if (msgs)
			fprintf(msgs, "plot: gnuplot not found; install it with "
				"`apt-get install gnuplot-nox` (or run "
				"scripts/setup.sh), then `swiotlb-sim plot %s`\n",
				dir);
		return 1;
	}
	snprintf(extra, sizeof(extra), "first_full=%.9f", first_full_s(dir));
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		if (plot_script(scripts[i], dir, extra, msgs))
			status = -1;
	return status;
}
