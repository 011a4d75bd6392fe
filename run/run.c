/* run/run.c - runs one scenario: builds the machine and its workloads,
 * simulates warm-up and measurement with a progress line, writes results. */
#include "run/run.h"

#include "run/output.h"
#include "run/plot.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void run_output_dir(const struct scenario *s, const struct run_options *o,
		    char *buf, size_t len)
{
	const char *tmpl = o->outdir ? o->outdir : s->run.output;
	const char *hole = o->outdir ? NULL : strstr(tmpl, "<name>");

	size_t n;

	if (hole)
		snprintf(buf, len, "%.*s%s%s", (int)(hole - tmpl), tmpl, s->name,
			 hole + strlen("<name>"));
	else
		snprintf(buf, len, "%s", tmpl);
	/* "out/" is the folder "out": the run is renamed into place. */
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
}

/* Everything one run holds, freed together. */
struct run_state {
	struct sim_engine *eng;
	struct machine *m;
	struct workload **wls;
	size_t nwls;
	struct run_snapshot since;
	bool have_since;
};

static void run_state_free(struct run_state *st)
{
	for (size_t i = 0; st->wls && i < st->nwls; i++)
		workload_destroy(st->wls[i]);
	free(st->wls);
	if (st->have_since)
		run_snapshot_free(&st->since);
	machine_free(st->m);
	sim_engine_free(st->eng);
}

static int build(const struct scenario *s, struct run_state *st, char *err,
		 size_t errlen)
{
	struct machine_config cfg;
	struct machine_device_config *devs;
	char why[512];

	if (run_build_machine_config(s, &cfg, &devs, err, errlen))
		return -1;
	st->eng = sim_engine_new();
	if (!st->eng)
		error_oom(why, sizeof(why), sim_engine_bytes(), "event engine");
	else
		st->m = machine_new(&cfg, st->eng, why, sizeof(why));
	free(devs);
	if (!st->m) {
		snprintf(err, errlen, "machine: %s", why);
		return -1;
	}
	if (run_make_workloads(s, st->m, &st->wls, err, errlen))
		return -1;
	st->nwls = s->nworkloads;
	for (size_t i = 0; i < st->nwls; i++)
		if (workload_start(st->wls[i], why, sizeof(why))) {
			snprintf(err, errlen, "workloads[%zu] (%s): %s", i,
				 st->wls[i]->name, why);
			return -1;
		}
	return 0;
}

/* Out of memory stopped the simulation: the machine's error is the run's. */
static int machine_failed(const struct run_state *st,
			  const struct run_options *o, char *err,
			  size_t errlen)
{
	if (!machine_error(st->m))
		return 0;
	if (o->progress)
		fputs("\r\033[K", stderr);
	snprintf(err, errlen, "%s", machine_error(st->m));
	return -1;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Simulates up to `until`, in steps so that a progress line can say how
 * far it got (simulated time, events per second, time left). Stops early
 * when memory runs out (machine_error()). */
static void simulate(struct run_state *st, sim_time_t until, sim_time_t total,
		     bool progress, double t0)
{
	sim_time_t step = total / 100 ? total / 100 : 1;

	while (machine_now(st->m) < until && !machine_error(st->m)) {
		sim_time_t next = machine_now(st->m) + step;
		double wall;

		machine_run_until(st->m, next < until ? next : until);
		if (!progress)
			continue;
		wall = wall_now() - t0;
		double done = (double)machine_now(st->m) / (double)total;

		fprintf(stderr, "\r%.3f / %.3f s simulated, %.2f M events/s, "
			"ETA %.0f s   ", machine_now(st->m) / 1e9, total / 1e9,
			sim_fired(st->eng) / (wall > 0 ? wall : 1) / 1e6,
			done > 0 ? wall * (1 - done) / done : 0.0);
	}
}

int run_scenario(const struct scenario *s, const struct run_options *o,
		 char *err, size_t errlen)
{
	struct run_state st = { 0 };
	struct run_result r;
	char dir[4096], *yaml = NULL;
	size_t yaml_len = 0;
	FILE *yf;
	double t0 = wall_now();
	int status = -1;

	run_output_dir(s, o, dir, sizeof(dir));
	if (output_check_run_dir(dir, err, errlen) ||
	    build(s, &st, err, errlen))
		goto out;
	simulate(&st, s->run.warmup, s->run.duration, o->progress, t0);
	/* A warm-up that ends on a row: the row takes in all the work done at
	 * that instant, as the snapshot does, so that the rows after it add
	 * up to the totals. */
	if (s->run.warmup && s->run.warmup % s->run.sample_interval == 0)
		machine_sample(st.m);
	if (machine_failed(&st, o, err, errlen))
		goto out;
	if (s->run.warmup) {
		machine_reset_hiwater(st.m);
		for (size_t i = 0; i < st.nwls; i++)
			workload_measure_from_now(st.wls[i]);
	}
	if (run_snapshot_take(&st.since, st.m, err, errlen))
		goto out;
	st.have_since = true;
	simulate(&st, s->run.duration, s->run.duration, o->progress, t0);
	for (size_t i = 0; i < st.nwls; i++)
		workload_stop(st.wls[i]);
	machine_sample(st.m);
	if (machine_failed(&st, o, err, errlen))
		goto out;
	for (size_t i = 0; i < st.nwls; i++)
		if (workload_error(st.wls[i])) {
			if (o->progress)
				fputs("\r\033[K", stderr);
			snprintf(err, errlen, "workloads[%zu] (%s): %s", i,
				 st.wls[i]->name, workload_error(st.wls[i]));
			goto out;
		}
	if (o->progress)
		fputs("\r\033[K", stderr);
	yf = open_memstream(&yaml, &yaml_len);
	if (!yf) {
		error_oom(err, errlen, 0, "resolved scenario");
		goto out;
	}
	if (scenario_dump_yaml(s, yf) | fclose(yf)) {
		error_oom(err, errlen, yaml_len, "resolved scenario");
		goto out;
	}
	r = (struct run_result){ s->name, o->scenario_path, yaml, s->run.seed,
				 s->run.duration, s->run.warmup, st.m, st.wls,
				 st.nwls, &st.since };
	if (output_write_run_dir(dir, &r, err, errlen))
		goto out;
	/* Out of memory here leaves the results, whole, in place. */
	if (!o->quiet) {
		if (output_print_summary(o->summary_out ? o->summary_out :
					 stdout, &r, err, errlen))
			goto out;
		fprintf(o->summary_out ? o->summary_out : stdout,
			"results: %s/ (%.2f s wall, %.1f M events)\n", dir,
			wall_now() - t0, sim_fired(st.eng) / 1e6);
	}
	status = 0;
	if (o->plot && plot_run_dir(dir, o->quiet ? NULL : stderr))
		status = 0; /* charts are a bonus: the run itself succeeded */
out:
	free(yaml);
	run_state_free(&st);
	return status;
}
