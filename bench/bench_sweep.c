/* bench/bench_sweep.c - the sweep driver at work: a 64-point sweep of a
 * short scenario with --jobs 1 and --jobs 2 (wall time and speed-up),
 * against the same 64 runs started one after another without the driver,
 * which gives the driver's overhead per point. */

/* Usage: bench_sweep [--exe PATH/swiotlb-sim] [--keep DIR]
 * The points run the real binary: --exe, else $SWSIM_BINARY, else
 * ../swiotlb-sim beside this program. The scenario (8 pool sizes x 4 area
 * counts x 2 replications, 50 ms simulated each) is written to a temporary
 * folder, which is removed unless --keep names one to use instead.
 * Figures (wall time, medians of 3 interleaved runs; the machine may be
 * shared, so the load average is printed before and after):
 *   direct      64 `swiotlb-sim run` children, one at a time, no driver
 *   jobs 1, 2   the sweep from scratch (triage, runs, sweep.csv,
 *               recommendation; no charts)
 *   overhead    (jobs 1 - direct) / 64
 *   resume      the sweep again with every point finished: what the driver
 *               alone costs (loading and checking each point, the report)
 *   charts      rendering the three charts, PNG and SVG, once
 *   control     32 points that sleep 50 ms, jobs 1 and 2: the driver's
 *               parallelism alone, whatever else holds the CPUs
 */
#define _GNU_SOURCE
#include "base/outfile.h"
#include "sweep/sweep.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POINTS 64
#define REPEATS 3

static const char scenario_yaml[] =
	"name: bench-sweep\n"
	"machine: {cpus: 8}\n"
	"swiotlb: {force: true}\n"
	"devices:\n"
	"  - {name: nvme0, kind: nvme, latency: 1ms, jitter: exponential,\n"
	"     jitter_cv: 0.5}\n"
	"workloads:\n"
	"  - {name: fio, kind: storage, device: nvme0, queue_depth: 32,\n"
	"     size: 128k, huge_page_fraction: 0.5,\n"
	"     adjacent_page_probability: 0.9}\n"
	"run: {duration: 50ms, warmup: 5ms, sample_interval: 1ms}\n"
	"sweep:\n"
	"  replications: 2\n"
	"  vary:\n"
	"    - {key: swiotlb.slabs, values: \"2048..262144*2\"}\n"
	"    - {key: swiotlb.areas, values: \"1,2,4,8\"}\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One sweep from an empty folder (or as it is, when `fresh` is false). */
static double time_sweep(const char *scenario, const char *exe,
			 const char *dir, unsigned jobs, bool fresh,
			 bool charts, int *status)
{
	FILE *null = fopen("/dev/null", "w");
	struct sweep_options o = {
		.mode = SWEEP_RUN, .scenario = scenario, .outdir = dir,
		.jobs = jobs, .exe = exe, .charts = charts, .out = null,
		.msgs = null,
	};
	double t0;

	if (fresh)
		remove_tree(dir);
	t0 = now_s();
	*status = sweep_execute(&o);
	t0 = now_s() - t0;
	fclose(null);
	return t0;
}

/* The 64 runs without the driver: the same command lines, one child at a
 * time. */
static double time_direct(const char *scenario, const char *exe,
			  const char *dir)
{
	static const char *const slabs[] = { "2048", "4096", "8192", "16384",
		"32768", "65536", "131072", "262144" };
	static const char *const areas[] = { "1", "2", "4", "8" };
	static const char *const seeds[] = { "run.seed=1",
		"run.seed=10451216379200822465" };
	double t0 = now_s();

	for (int i = 0; i < POINTS; i++) {
		char out[PATH_MAX + 64], s[64], a[64];
		pid_t pid;
		int st;

		snprintf(out, sizeof(out), "%s/p%d", dir, i);
		snprintf(s, sizeof(s), "swiotlb.slabs=%s", slabs[i / 8]);
		snprintf(a, sizeof(a), "swiotlb.areas=%s", areas[i / 2 % 4]);
		pid = fork();
		if (pid == 0) {
			freopen("/dev/null", "w", stdout);
			execl(exe, exe, "run", scenario, "-o", out, "--set", s,
			      "--set", a, "--set", seeds[i % 2], "--quiet",
			      (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
	}
	return now_s() - t0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return v[n / 2];
}

/* The load average, to read the figures by: the machine may be shared. */
static void print_load(const char *when)
{
	double l1 = 0, l5 = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f && fscanf(f, "%lf %lf", &l1, &l5) == 2)
		printf("  load average %s: %.2f (1 min), %.2f (5 min) on %ld "
		       "CPUs\n", when, l1, l5, sysconf(_SC_NPROCESSORS_ONLN));
	if (f)
		fclose(f);
}

/* A control that needs no CPU: each point sleeps 50 ms before its (tiny)
 * run, so the speed-up shows the driver's parallelism even when other
 * work holds the CPUs. */
static void control(const char *base, const char *exe)
{
	char wrapper[PATH_MAX + 32], scenario[PATH_MAX + 32];
	char dir[PATH_MAX + 32];
	double t[2];
	int status;
	FILE *f;

	snprintf(wrapper, sizeof(wrapper), "%s/sleeper.sh", base);
	snprintf(scenario, sizeof(scenario), "%s/control.yaml", base);
	snprintf(dir, sizeof(dir), "%s/control", base);
	f = fopen(wrapper, "w");
	fprintf(f, "#!/bin/sh\nsleep 0.05\nexec '%s' \"$@\"\n", exe);
	fclose(f);
	chmod(wrapper, 0755);
	f = fopen(scenario, "w");
	fputs("name: control\ndevices:\n  - {name: d}\nworkloads:\n"
	      "  - {name: w, kind: mapbench, device: d}\n"
	      "run: {duration: 100us, sample_interval: 50us}\n"
	      "sweep:\n  replications: 8\n  vary:\n"
	      "    - {key: swiotlb.slabs, values: \"1024..8192*2\"}\n", f);
	fclose(f);
	for (unsigned j = 1; j <= 2; j++)
		t[j - 1] = time_sweep(scenario, wrapper, dir, j, true, false,
				      &status);
	printf("  control: 32 points that sleep 50 ms: jobs 1 %.2f s, jobs 2 "
	       "%.2f s, speed-up %.2fx\n", t[0], t[1], t[0] / t[1]);
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX], base[PATH_MAX] = "/tmp/swsim-bench-sweep-XXXXXX";
	char scenario[PATH_MAX + 32], dir[PATH_MAX + 32], direct[PATH_MAX + 32];
	const char *keep = NULL, *env = getenv("SWSIM_BINARY");
	double t1[REPEATS], t2[REPEATS], tdirect[REPEATS], tresume[REPEATS];
	double tcharts, td, tj1, tj2;
	int status, bad = 0;
	FILE *f;

	snprintf(exe, sizeof(exe), "%s", env && *env ? env : "");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exe") && i + 1 < argc)
			snprintf(exe, sizeof(exe), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--keep") && i + 1 < argc)
			keep = argv[++i];
		else {
			fprintf(stderr, "usage: bench_sweep [--exe PATH] "
				"[--keep DIR]\n");
			return 2;
		}
	}
	if (!*exe) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);

		if (n < 0)
			return 1;
		exe[n] = '\0';
		snprintf(strrchr(exe, '/'), 32, "/../swiotlb-sim");
	}
	if (access(exe, X_OK)) {
		fprintf(stderr, "bench_sweep: no swiotlb-sim at %s (use --exe)\n",
			exe);
		return 1;
	}
	if (keep) {
		snprintf(base, sizeof(base), "%s", keep);
		mkdir(base, 0755);
	} else if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(scenario, sizeof(scenario), "%s/bench-sweep.yaml", base);
	snprintf(dir, sizeof(dir), "%s/sweep", base);
	snprintf(direct, sizeof(direct), "%s/direct", base);
	f = fopen(scenario, "w");
	fputs(scenario_yaml, f);
	fclose(f);

	printf("bench_sweep: %d points (8 pool sizes x 4 area counts x 2 "
	       "replications, 50 ms simulated each), %s\n", POINTS, exe);
	print_load("before");
	fflush(stdout);                 /* before any fork */
	/* Interleaved, so that a change in the machine's load hits all. */
	for (int r = 0; r < REPEATS; r++) {
		remove_tree(direct);
		mkdir(direct, 0755);
		tdirect[r] = time_direct(scenario, exe, direct);
		t1[r] = time_sweep(scenario, exe, dir, 1, true, false, &status);
		bad |= status;
		t2[r] = time_sweep(scenario, exe, dir, 2, true, false, &status);
		bad |= status;
	}
	for (int r = 0; r < REPEATS; r++) {
		tresume[r] = time_sweep(scenario, exe, dir, 2, false, false,
					&status);
		bad |= status;
	}
	tcharts = time_sweep(scenario, exe, dir, 2, false, true, &status);
	tcharts -= median(tresume, REPEATS);
	td = median(tdirect, REPEATS);
	tj1 = median(t1, REPEATS);
	tj2 = median(t2, REPEATS);
	printf("  (medians of %d, interleaved)\n", REPEATS);
	printf("  direct runs, one at a time   %7.2f s  (%.1f ms a point)\n",
	       td, 1e3 * td / POINTS);
	printf("  sweep --jobs 1               %7.2f s\n", tj1);
	printf("  sweep --jobs 2               %7.2f s\n", tj2);
	printf("  speed-up, jobs 2 over 1      %7.2fx\n", tj1 / tj2);
	printf("  driver overhead per point    %7.2f ms  ((jobs 1 - direct) "
	       "/ %d)\n", 1e3 * (tj1 - td) / POINTS, POINTS);
	printf("  resume, all %d finished     %7.3f s  (%.2f ms a point: "
	       "check, read back, report)\n", POINTS, median(tresume, REPEATS),
	       1e3 * median(tresume, REPEATS) / POINTS);
	printf("  charts (3, PNG and SVG)      %7.2f s\n", tcharts);
	fflush(stdout);
	control(base, exe);
	print_load("after");
	if (bad)
		printf("  (some sweep reported failures: see %s)\n", dir);
	if (!keep && !bad)
		remove_tree(base);
	return bad ? 1 : 0;
}
