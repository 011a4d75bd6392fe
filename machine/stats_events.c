/* machine/stats_events.c - storage for the bounded event log of full events
 * and pool changes, and its CSV writer. */
#include "machine/stats_events.h"

#include "base/error.h"

#include <inttypes.h>
#include <stdlib.h>

struct stats_events {
	size_t limit, len, cap;
	uint64_t dropped;
	struct stats_event *ev;
};

struct stats_events *stats_events_new(size_t limit, char *err,
				      size_t errlen)
{
	struct stats_events *log = calloc(1, sizeof(*log));

	if (log)
		log->limit = limit;
	else
		error_oom(err, errlen, sizeof(*log), "event log");
	return log;
}

void stats_events_free(struct stats_events *log)
{
	if (!log)
		return;
	free(log->ev);
	free(log);
}

int stats_events_add(struct stats_events *log, const struct stats_event *ev,
		     char *err, size_t errlen)
{
	if (log->len >= log->limit) {
		log->dropped++;
		return 1;
	}
	if (log->len == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 64;
		struct stats_event *e;

		if (cap > log->limit)
			cap = log->limit;
		e = realloc(log->ev, cap * sizeof(*e));
		if (!e)
			return error_oom(err, errlen, cap * sizeof(*e),
					 "event log of %zu events", cap);
		log->ev = e;
		log->cap = cap;
	}
	log->ev[log->len++] = *ev;
	return 0;
}

size_t stats_events_len(const struct stats_events *log)
{
	return log->len;
}

uint64_t stats_events_dropped(const struct stats_events *log)
{
	return log->dropped;
}

const struct stats_event *stats_events_get(const struct stats_events *log,
					   size_t i)
{
	return i < log->len ? &log->ev[i] : NULL;
}

const char *stats_event_kind_name(enum stats_event_kind kind)
{
	switch (kind) {
	case STATS_EV_FULL: return "full";
	case STATS_EV_FULL_ATOMIC: return "full_atomic";
	case STATS_EV_MASK: return "mask";
	case STATS_EV_GROW_START: return "grow_start";
	case STATS_EV_POOL_ADDED: return "pool_added";
	case STATS_EV_GROW_FAILED: return "grow_failed";
	case STATS_EV_TRANSIENT_MADE: return "transient_made";
	case STATS_EV_TRANSIENT_FREED: return "transient_freed";
	}
	return "unknown";
}

static void write_device(FILE *out, int32_t device,
			 const char *const *names, size_t ndevices)
{
	if (device < 0)
		return;
	if (names && (size_t)device < ndevices)
		fputs(names[device], out);
	else
		fprintf(out, "%" PRId32, device);
}

int stats_events_write_csv(const struct stats_events *log, FILE *out,
			   const char *const *device_names, size_t ndevices)
{
	fputs("time_ns,kind,cpu,device,size,pool_id\n", out);
	for (size_t i = 0; i < log->len; i++) {
		const struct stats_event *e = &log->ev[i];

		fprintf(out, "%" PRIu64 ",%s,", e->time_ns,
			stats_event_kind_name(e->kind));
		if (e->cpu >= 0)
			fprintf(out, "%" PRId32, e->cpu);
		fputc(',', out);
		write_device(out, e->device, device_names, ndevices);
		fprintf(out, ",%" PRIu64 ",", e->size);
		if (e->pool_id >= 0)
			fprintf(out, "%" PRId64, e->pool_id);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
