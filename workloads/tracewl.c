/* workloads/tracewl.c - the trace-replay generator's set-up: its
 * configuration, the workload interface (start with the checking pass,
 * stop, in flight, JSON) and accessors. */
#include "workloads/tracewl_impl.h"

#include "base/error.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void tracewl_config_init(struct tracewl_config *cfg, const char *path)
{
	*cfg = (struct tracewl_config){
		.path = path,
		.devnames = NULL,
		.ndevnames = 0,
		.retry_delay_ns = TRACEWL_DEFAULT_RETRY_DELAY_NS,
		.max_retries = 0,
		.prevalidate = true,
		.rebase_time = false,
		.answers = NULL,
	};
}

/* ---- the workload interface ---------------------------------------------- */

static int tracewl_start(struct workload *w, char *err, size_t errlen)
{
	struct tracewl *tw = tw_of(w);

	/* stdin cannot be read twice. */
	if (tw->cfg.prevalidate && strcmp(tw->cfg.path, "-") &&
	    tw_prevalidate(tw, err, errlen)) {
		tw->failed = true;
		snprintf(tw->err, sizeof(tw->err), "%s", err);
		return -1;
	}
	return tw_run_start(tw, err, errlen);
}

static void tracewl_stop(struct workload *w)
{
	tw_run_stop(tw_of(w));
}

static uint64_t tracewl_in_flight(const struct workload *w)
{
	const struct workload_stats *s = &w->stats;

	return s->requests_issued - s->requests_completed - s->drops;
}

static int tracewl_write_json(const struct workload *w, FILE *out)
{
	const struct tracewl *tw = tw_of(w);
	const struct tracewl_counters *c = &tw->c;

	fputs("\"trace\": ", out);
	workload_json_string(out, tw->cfg.path);
	fprintf(out, ", \"done\": %s, \"error\": ", c->done ? "true" : "false");
	if (tw->failed)
		workload_json_string(out, tw->err);
	else
		fputs("null", out);
	fprintf(out, ", \"op_lines\": %" PRIu64 ", \"ignored_lines\": %" PRIu64
		", \"dev_mismatches\": %" PRIu64 ", \"maps_ok\": %" PRIu64
		", \"map_attempts_failed\": %" PRIu64
		", \"maps_abandoned\": %" PRIu64 ", \"deferred_ops\": %" PRIu64
		", \"skipped_ops\": %" PRIu64 ", \"unmaps_done\": %" PRIu64
		", \"syncs_done\": %" PRIu64 ", \"live_mappings\": %" PRIu64,
		c->op_lines, c->ignored_lines, c->dev_mismatches, c->maps_ok,
		c->map_attempts_failed, c->maps_abandoned, c->deferred_ops,
		c->skipped_ops, c->unmaps_done, c->syncs_done, c->live);
	return ferror(out) ? -1 : 0;
}

static void tracewl_destroy(struct workload *w)
{
	struct tracewl *tw = tw_of(w);

	if (!tw)
		return;
	tw_run_free(tw);
	for (size_t i = 0; i < tw->cfg.ndevnames; i++) {
		free((void *)tw->cfg.devnames[i].trace);
		free((void *)tw->cfg.devnames[i].machine);
	}
	free((void *)tw->cfg.devnames);
	free((void *)tw->cfg.path);
	free(tw);
	w->impl = NULL;
}

/* Counters start afresh; the live mappings and the end of the trace are
 * state. */
static void tracewl_measure_from_now(struct workload *w)
{
	struct tracewl_counters *c = &tw_of(w)->c;
	uint64_t live = c->live;
	bool done = c->done;

	memset(c, 0, sizeof(*c));
	c->live = live;
	c->done = done;
}

static const struct workload_ops tracewl_ops = {
	.start = tracewl_start,
	.stop = tracewl_stop,
	.in_flight = tracewl_in_flight,
	.measure_from_now = tracewl_measure_from_now,
	.write_json = tracewl_write_json,
	.destroy = tracewl_destroy,
	.error = tracewl_error,
};

/* ---- construction -------------------------------------------------------- */

/* Our own copies of the path and the renames. */
static int copy_config(struct tracewl *tw, const struct tracewl_config *cfg,
		       char *err, size_t errlen)
{
	struct tracewl_devname *names = NULL;
	char *path;

	tw->cfg = *cfg;
	tw->cfg.path = NULL;
	tw->cfg.devnames = NULL;
	tw->cfg.ndevnames = 0;
	if (error_strdup(&path, cfg->path, "trace path", err, errlen))
		return -1;
	tw->cfg.path = path;
	if (!cfg->ndevnames)
		return 0;
	names = calloc(cfg->ndevnames, sizeof(*names));
	if (!names)
		return error_oom(err, errlen,
				 cfg->ndevnames * sizeof(*names),
				 "%zu device renames", cfg->ndevnames);
	tw->cfg.devnames = names;
	for (size_t i = 0; i < cfg->ndevnames; i++) {
		char *trace, *machine;

		tw->cfg.ndevnames = i + 1;
		if (error_strdup(&trace, cfg->devnames[i].trace,
				 "device rename", err, errlen))
			return -1;
		names[i].trace = trace;
		if (error_strdup(&machine, cfg->devnames[i].machine,
				 "device rename", err, errlen))
			return -1;
		names[i].machine = machine;
	}
	return 0;
}

static int check_config(const struct tracewl_config *cfg, char *err,
			size_t errlen)
{
	if (!cfg->path || !*cfg->path) {
		snprintf(err, errlen, "no trace file given");
		return -1;
	}
	for (size_t i = 0; i < cfg->ndevnames; i++)
		if (!cfg->devnames[i].trace || !cfg->devnames[i].machine) {
			snprintf(err, errlen,
				 "devnames[%zu]: both names needed", i);
			return -1;
		}
	return 0;
}

struct workload *tracewl_new(struct machine *m, const char *name,
			     const struct tracewl_config *cfg, char *err,
			     size_t errlen)
{
	struct workload *w;
	struct tracewl *tw;
	char msg[128];

	assert(m && name && cfg && err);
	if (check_config(cfg, msg, sizeof(msg))) {
		snprintf(err, errlen, "trace %s: %s", name, msg);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	tw = calloc(1, sizeof(*tw));
	if (!w || !tw) {
		error_oom(err, errlen, w ? sizeof(*tw) : sizeof(*w),
			  "workload %s", name);
		free(w);
		free(tw);
		return NULL;
	}
	if (workload_init(w, m, name, "trace", &tracewl_ops, err, errlen)) {
		free(w);
		free(tw);
		return NULL;
	}
	w->impl = tw;
	tw->w = w;
	tw->m = m;
	idmap_init(&tw->ids);
	if (copy_config(tw, cfg, msg, sizeof(msg))) {
		snprintf(err, errlen, "trace %s: %s", name, msg);
		workload_destroy(w);
		return NULL;
	}
	return w;
}

/* ---- accessors ----------------------------------------------------------- */

const char *tracewl_error(const struct workload *w)
{
	const struct tracewl *tw = tw_of(w);

	return tw->failed ? tw->err : NULL;
}

const struct tracewl_counters *tracewl_counters(const struct workload *w)
{
	return &tw_of(w)->c;
}
