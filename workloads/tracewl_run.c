/* workloads/tracewl_run.c - trace replay in time: the trace read one op
 * ahead of the clock, each op line handed on at its time, dev and ignored
 * lines handled as they are read. */
#include "workloads/tracewl_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading in time ----------------------------------------------------- */

/* Whether a dev line's attributes differ from the machine device's (an
 * absent seg_boundary= reads as all ones and is not compared). */
static bool dev_mismatch(const struct optrace_line *l,
			 const struct machine_device *dev)
{
	const struct machine_device_config *dc = machine_device_config(dev);

	return l->min_align_mask != dc->min_align_mask ||
	       (l->seg_boundary != UINT64_MAX &&
		l->seg_boundary != dc->seg_boundary);
}

/* The next op line into tw->next, handling dev and ignored lines on the
 * way. 1: an op; 0: end of the trace; -1: error in tw->err. */
static int read_op(struct tracewl *tw)
{
	struct optrace_line *l = &tw->next;
	struct machine_device *dev;
	int got;

	while ((got = optrace_next(&tw->rd, l)) == 1) {
		switch (l->op) {
		case OPTRACE_DEV:
			dev = tw_dev_declare(tw, &tw->devs, tw->rd.path, l,
					     tw->err, sizeof(tw->err));
			if (!dev)
				return -1;
			tw->c.dev_mismatches += dev_mismatch(l, dev);
			continue;
		case OPTRACE_MAP:
		case OPTRACE_UNMAP:
		case OPTRACE_SYNC:
			if (!tw->have_base) {
				tw->have_base = true;
				tw->t_base = tw->cfg.rebase_time ? l->t : 0;
			}
			return 1;
		default:
			tw->c.ignored_lines++;
			continue;
		}
	}
	if (got < 0)
		snprintf(tw->err, sizeof(tw->err), "%s", tw->rd.err);
	return got;
}

static void close_trace(struct tracewl *tw)
{
	if (!tw->reading)
		return;
	optrace_reader_free(&tw->rd);
	if (tw->f && tw->f != stdin)
		fclose(tw->f);
	tw->f = NULL;
	tw->reading = false;
}

static void due_action(struct sim_engine *eng, void *subject, uint64_t arg);

/* Issues every op that is due, reads on, and schedules the next one.
 * Returns -1 on an error (in tw->err). */
static int pump(struct tracewl *tw)
{
	sim_time_t now = machine_now(tw->m), at;
	int got;

	for (;;) {
		if (tw->w->stopped)
			return 0;
		if (!tw->have_next) {
			got = read_op(tw);
			if (got < 0)
				return -1;
			if (!got) {
				tw->c.done = true;
				close_trace(tw);
				return 0;
			}
			tw->have_next = true;
		}
		at = tw->t0 + (tw->next.t - tw->t_base);
		if (at > now) {
			tw->issue_event = sim_schedule_at(
				machine_engine(tw->m), at, due_action, tw, 0);
			return 0;
		}
		tw->have_next = false;
		tw->c.op_lines++;
		if (tw->next.op == OPTRACE_MAP ?
			    tw_issue_map(tw, &tw->next) :
			    tw_issue_unmap_or_sync(tw, &tw->next))
			return -1;
	}
}

static void due_action(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct tracewl *tw = subject;

	(void)eng;
	(void)arg;
	tw->issue_event = 0;
	if (pump(tw))
		tw_run_fail(tw);
}

int tw_run_start(struct tracewl *tw, char *err, size_t errlen)
{
	bool std = !strcmp(tw->cfg.path, "-");

	tw->f = std ? stdin : fopen(tw->cfg.path, "r");
	if (!tw->f) {
		snprintf(err, errlen, "%s: cannot open: %s", tw->cfg.path,
			 strerror(errno));
		return -1;
	}
	optrace_reader_init(&tw->rd, tw->f, tw->cfg.path, true);
	tw->reading = true;
	tw->t0 = machine_now(tw->m);
	if (pump(tw)) {
		tw->failed = true;
		workload_stop(tw->w);
		snprintf(err, errlen, "%s", tw->err);
		return -1;
	}
	return 0;
}

void tw_run_stop(struct tracewl *tw)
{
	if (tw->issue_event)
		sim_cancel(machine_engine(tw->m), tw->issue_event);
	tw->issue_event = 0;
}

void tw_run_free(struct tracewl *tw)
{
	close_trace(tw);
	tw_maps_free(tw);
	idmap_free(&tw->ids);
	tw_devtab_free(&tw->devs);
}
