/* bench/bench_engine.c - the classic hold model on engine/ at N = 10^3 ..
 * 10^6 pending events, beside SimPy 2 and reference figures. */

/* Usage: bench_engine [--events M] [--simpy PATH/hold_simpy.py]
 * Each N runs in a child process, so its peak RSS and memory per pending
 * event are its own and no allocator state carries over between sizes.
 * The timed events run in SEGMENTS parts; the median part's rate is the
 * figure (the machine is shared, so single runs are noisy), the best part's
 * is shown beside it. Increments are exponential variates drawn from a
 * gsl_rng_mt19937 stream by the ziggurat method, scaled and rounded to
 * whole ns in fixed point (see exp_ziggurat.h); one
 * row repeats N = 10^4 with gsl_ran_exponential, slower to draw, to
 * show what the sampler costs. The SimPy script is found by
 * --simpy, else $SWSIM_SIMPY_SCRIPT, else beside this source file.
 */
#include "engine/engine.h"
#include "bench/exp_ziggurat.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEAN_NS 1000.0
#define SEED 20240601ul
#define NR_SIZES 4
#define SEGMENTS 5
#define SIMPY_N 10000
#define SIMPY_EVENTS 300000

static const size_t sizes[NR_SIZES] = {1000, 10000, 100000, 1000000};
/* Reference figures on this machine (M events/s), same model; 0: none. */
static const double cimba_meps[NR_SIZES] = {7.6, 5.5, 3.7, 1.8};
static const double heap4_meps[NR_SIZES] = {0, 7.0, 0, 3.5};

enum sampler { ZIGGURAT, GSL_RAN_EXPONENTIAL };

struct hold {
	gsl_rng *rng;
	struct sim_mt_state *mt;	/* rng's state: the ziggurat reads it */
	struct exp_ziggurat zig;
	enum sampler sampler;
	uint64_t remaining;	/* events to fire before stopping */
};

struct result {			/* what a child reports for one N */
	double median_eps, best_eps, bytes_per_pending;
	long peak_rss_kib;
	bool pending_ok;
};

/* CPU time of this process: the machine is shared, and time spent
 * descheduled says nothing about the engine. */
static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An exponential increment rounded to whole nanoseconds, at least 1. */
static sim_time_t increment(struct hold *h)
{
	sim_time_t ns = h->sampler == ZIGGURAT
			 ? exp_ziggurat_ns(&h->zig, h->mt)
			 : (sim_time_t)(gsl_ran_exponential(h->rng, MEAN_NS) +
					0.5);

	return ns ? ns : 1;
}

/* Each fired event schedules its successor: the pending count stays N. */
static void hold_fire(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct hold *h = subject;

	(void)arg;
	sim_schedule_in(eng, increment(h), hold_fire, h, 0);
	if (--h->remaining == 0)
		sim_stop(eng);
}

static void hold_init(struct hold *h, enum sampler sampler)
{
	h->rng = gsl_rng_alloc(sim_rng_mt19937);
	gsl_rng_set(h->rng, SEED);
	h->mt = gsl_rng_state(h->rng);
	exp_ziggurat_init(&h->zig, MEAN_NS);
	h->sampler = sampler;
}

static long rss_kib(void)		/* current resident set, KiB */
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Fires n events; returns the seconds they took. */
static double run_events(struct sim_engine *eng, struct hold *h, uint64_t n)
{
	double t0 = seconds();

	h->remaining = n;
	sim_run(eng);
	return seconds() - t0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The hold model at one N: warm up until the queue has turned over a few
 * times, then time `events` events in SEGMENTS parts. */
static struct result measure(size_t n, uint64_t events, enum sampler sampler)
{
	struct hold h;
	long rss_before = rss_kib();
	struct sim_engine *eng = sim_engine_new();
	double eps[SEGMENTS];
	struct result r;
	struct rusage ru;

	hold_init(&h, sampler);
	for (size_t i = 0; i < n; i++)
		sim_schedule_in(eng, increment(&h), hold_fire, &h, 0);
	run_events(eng, &h, 3 * n + 1000000);
	for (int i = 0; i < SEGMENTS; i++)
		eps[i] = (double)(events / SEGMENTS) /
			 run_events(eng, &h, events / SEGMENTS);
	qsort(eps, SEGMENTS, sizeof(eps[0]), by_value);
	r.median_eps = eps[SEGMENTS / 2];
	r.best_eps = eps[SEGMENTS - 1];
	r.bytes_per_pending = (double)(rss_kib() - rss_before) * 1024 /
			      (double)n;
	getrusage(RUSAGE_SELF, &ru);
	r.peak_rss_kib = ru.ru_maxrss;
	r.pending_ok = sim_pending(eng) == n;
	sim_engine_free(eng);
	gsl_rng_free(h.rng);
	return r;
}

/* Runs measure() in a child; false when the child failed. */
static bool measure_isolated(size_t n, uint64_t events, enum sampler sampler,
			     struct result *r)
{
	int fd[2];
	int status;

	fflush(stdout);
	if (pipe(fd) != 0)
		return false;
	pid_t pid = fork();
	if (pid == 0) {
		struct result mine = measure(n, events, sampler);
		ssize_t w = write(fd[1], &mine, sizeof(mine));
		_exit(w == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t got = pid > 0 ? read(fd[0], r, sizeof(*r)) : -1;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return got == (ssize_t)sizeof(*r) && r->pending_ok;
}

/* What drawing one increment costs, included in every figure. */
static double sampler_ns(enum sampler sampler)
{
	struct hold h;
	sim_time_t sum = 0;
	const int draws = 10000000;

	hold_init(&h, sampler);
	double t0 = seconds();
	for (int i = 0; i < draws; i++)
		sum += increment(&h);
	double dt = seconds() - t0;
	gsl_rng_free(h.rng);
	if (sum == 0)
		puts("");		/* keeps the loop from being dropped */
	return dt * 1e9 / draws;
}

/* The ziggurat's increments against Exp(1000): mean and P(X > 1000). */
static void check_sampler(void)
{
	struct hold h;
	const int draws = 4000000;
	double sum = 0;
	int above = 0;

	hold_init(&h, ZIGGURAT);
	for (int i = 0; i < draws; i++) {
		sim_time_t x = increment(&h);

		sum += (double)x;
		above += x > 1000;
	}
	gsl_rng_free(h.rng);
	printf("sampler check (%d draws): mean %.1f ns (want 1000), "
	       "P(X > 1000) %.4f (want %.4f)\n", draws, sum / draws,
	       (double)above / draws, exp(-1000.5 / MEAN_NS));
}

static void print_ratio(double ours, double ref)
{
	if (ref > 0)
		printf("  %5.1f M %5.1fx", ref, ours / 1e6 / ref);
	else
		printf("  %15s", "-");
}

static void print_row(const char *label, size_t n, const struct result *r,
		      int i)
{
	printf("%-8s%8zu %7.2f M %7.2f M %8.1f %9.1f %8.1f", label, n,
	       r->median_eps / 1e6, r->best_eps / 1e6, 1e9 / r->median_eps,
	       r->bytes_per_pending, (double)r->peak_rss_kib / 1024);
	if (i >= 0) {
		print_ratio(r->median_eps, cimba_meps[i]);
		print_ratio(r->median_eps, heap4_meps[i]);
	}
	putchar('\n');
}

static void default_simpy_path(char *buf, size_t len)
{
	const char *env = getenv("SWSIM_SIMPY_SCRIPT");
	const char *slash = strrchr(__FILE__, '/');

	if (env)
		snprintf(buf, len, "%s", env);
	else if (slash)
		snprintf(buf, len, "%.*s/hold_simpy.py",
			 (int)(slash - __FILE__), __FILE__);
	else
		snprintf(buf, len, "hold_simpy.py");
}

/* Runs the SimPy hold model; its events/s, or 0 when it could not run. */
static double simpy_events_per_s(const char *script)
{
	char cmd[4200], line[256];
	double eps = 0;

	if (access("/usr/bin/python3", X_OK) != 0) {
		puts("SimPy 2: /usr/bin/python3 missing: skipped");
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' %d %d", script,
		 SIMPY_N, SIMPY_EVENTS);
	fflush(stdout);
	FILE *p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "events/s %lf", &eps) != 1)
			fputs(line, stdout);	/* e.g. "not installed" */
	pclose(p);
	return eps;
}

static void print_header(uint64_t events)
{
	printf("hold model: each event schedules one at now + Exp(mean %.0f "
	       "ns) rounded, >= 1 ns;\n"
	       "gsl_rng_mt19937 seed %lu, ziggurat; warm-up 3N + 10^6 events, "
	       "then %llu timed (CPU time) in %d parts\n", MEAN_NS, SEED,
	       (unsigned long long)events, SEGMENTS);
	check_sampler();
	printf("\n%-8s%8s %9s %9s %8s %9s %8s  %15s  %15s\n", "", "N",
	       "median/s", "best/s", "ns/ev", "B/pending", "RSS MiB",
	       "Cimba (ours x)", "4-ary (ours x)");
}

static void print_summary(const struct result *r, double zig_ns)
{
	printf("\nslow-down 10^3 -> 10^6: %.2fx (Cimba %.2fx); "
	       "10^4 -> 10^6: %.2fx (4-ary heap %.2fx)\n",
	       r[0].median_eps / r[3].median_eps,
	       cimba_meps[0] / cimba_meps[3],
	       r[1].median_eps / r[3].median_eps,
	       heap4_meps[1] / heap4_meps[3]);
	printf("drawing one increment: ziggurat %.1f ns, gsl_ran_exponential "
	       "%.1f ns; the rest at 10^4: ~%.1f ns/event\n", zig_ns,
	       sampler_ns(GSL_RAN_EXPONENTIAL),
	       1e9 / r[1].median_eps - zig_ns);
}

int main(int argc, char **argv)
{
	uint64_t events = 10000000;
	char script[4096];
	struct result r[NR_SIZES], gsl;

	default_simpy_path(script, sizeof(script));
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--events"))
			events = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--simpy"))
			snprintf(script, sizeof(script), "%s", argv[i + 1]);
	}
	if (events < SEGMENTS || gsl_rng_mt19937->max != 0xffffffffUL) {
		fprintf(stderr, "bench: need --events >= %d and 32-bit "
			"mt19937 output\n", SEGMENTS);
		return 2;
	}
	print_header(events);
	for (int i = 0; i < NR_SIZES; i++) {
		if (!measure_isolated(sizes[i], events, ZIGGURAT, &r[i])) {
			fprintf(stderr, "bench: N=%zu failed\n", sizes[i]);
			return 1;
		}
		print_row("", sizes[i], &r[i], i);
	}
	if (measure_isolated(sizes[1], events, GSL_RAN_EXPONENTIAL, &gsl))
		print_row("gsl_ran", sizes[1], &gsl, -1);
	print_summary(r, sampler_ns(ZIGGURAT));

	double simpy = simpy_events_per_s(script);
	if (simpy > 0)
		printf("SimPy 2 at N=%d: %.3f M events/s; ours %.2f M: %.0fx\n",
		       SIMPY_N, simpy / 1e6, r[1].median_eps / 1e6,
		       r[1].median_eps / simpy);
	return 0;
}
