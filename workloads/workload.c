/* workloads/workload.c - the parts every generator shares: set-up, start
 * and stop, statistics as JSON, CPU lists. */
#include "workloads/workload.h"

#include "base/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int workload_init(struct workload *w, struct machine *m, const char *name,
		  const char *kind, const struct workload_ops *ops,
		  char *err, size_t errlen)
{
	char stream[96], why[256];

	memset(w, 0, sizeof(*w));
	if (!name || !*name || strlen(name) >= sizeof(w->name)) {
		snprintf(err, errlen, "workload name must be 1 to %zu characters",
			 sizeof(w->name) - 1);
		return -1;
	}
	strcpy(w->name, name);
	w->kind = kind;
	w->m = m;
	w->ops = ops;
	snprintf(stream, sizeof(stream), "workload:%s", name);
	w->rng = machine_rng_new(m, stream, why, sizeof(why));
	if (!w->rng || stats_hist_init(&w->stats.latency, why, sizeof(why))) {
		snprintf(err, errlen, "workload %s: %s", name, why);
		if (w->rng)
			gsl_rng_free(w->rng);
		w->rng = NULL;
		return -1;
	}
	return 0;
}

int workload_start(struct workload *w, char *err, size_t errlen)
{
	return w->ops->start(w, err, errlen);
}

void workload_fail_oom(struct workload *w, uint64_t bytes, const char *what)
{
	machine_fail_oom(w->m, bytes, "%s of workload %s", what, w->name);
}

void workload_stop(struct workload *w)
{
	w->stopped = true;
	if (w->ops->stop)
		w->ops->stop(w);
}

uint64_t workload_in_flight(const struct workload *w)
{
	return w->ops->in_flight(w) + w->in_flight_before;
}

void workload_measure_from_now(struct workload *w)
{
	struct workload_stats *s = &w->stats;
	struct stats_hist latency = s->latency;

	w->in_flight_before = workload_in_flight(w);
	memset(s, 0, sizeof(*s));
	s->latency = latency;
	stats_hist_clear(&s->latency);
	if (w->ops->measure_from_now)
		w->ops->measure_from_now(w);
}

const char *workload_error(const struct workload *w)
{
	return w->ops->error ? w->ops->error(w) : NULL;
}

void workload_destroy(struct workload *w)
{
	if (!w)
		return;
	if (w->ops && w->ops->destroy)
		w->ops->destroy(w);
	if (w->rng)
		gsl_rng_free(w->rng);
	stats_hist_free(&w->stats.latency);
	free(w);
}

void workload_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

int workload_write_json(const struct workload *w, FILE *out)
{
	const struct workload_stats *s = &w->stats;
	const struct stats_hist *h = &s->latency;

	fputs("{\"name\": ", out);
	workload_json_string(out, w->name);
	fprintf(out, ", \"kind\": \"%s\", "
		"\"requests_issued\": %" PRIu64 ", \"requests_completed\": %" PRIu64
		", \"in_flight\": %" PRIu64 ", \"bytes\": %" PRIu64
		", \"maps\": %" PRIu64 ", \"map_failures\": %" PRIu64
		", \"unmaps\": %" PRIu64 ", \"syncs\": %" PRIu64
		", \"requeues\": %" PRIu64 ", \"requeue_wait_ns\": %" PRIu64
		", \"drops\": %" PRIu64 ", \"latency_ns\": {\"mean\": %.1f, "
		"\"p50\": %.1f, \"p99\": %.1f, \"max\": %" PRIu64 "}",
		w->kind, s->requests_issued, s->requests_completed,
		workload_in_flight(w), s->bytes, s->maps, s->map_failures,
		s->unmaps, s->syncs, s->requeues, s->requeue_wait_ns, s->drops,
		stats_hist_mean(h), stats_hist_quantile(h, 0.5),
		stats_hist_quantile(h, 0.99), h->n ? h->max : 0);
	if (w->ops->write_json) {
		fputs(", ", out);
		if (w->ops->write_json(w, out))
			return -1;
	}
	fputs("}", out);
	return ferror(out) ? -1 : 0;
}

/* One "a" or "a-b" item of a CPU list, marked in `on`. */
static int parse_cpu_item(const char *item, unsigned int ncpus, bool *on,
			  char *err, size_t errlen)
{
	char *end;
	unsigned long a = strtoul(item, &end, 10), b = a;

	if (end == item)
		goto bad;
	if (*end == '-') {
		const char *second = end + 1;

		b = strtoul(second, &end, 10);
		if (end == second)
			goto bad;
	}
	if (*end || b < a)
		goto bad;
	if (b >= ncpus) {
		snprintf(err, errlen, "CPU %lu in \"%s\": the machine has %u CPUs",
			 b, item, ncpus);
		return -1;
	}
	for (unsigned long c = a; c <= b; c++)
		on[c] = true;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a CPU or a range like 0-3", item);
	return -1;
}

int workload_parse_cpus(const char *list, unsigned int ncpus,
			unsigned int **out, char *err, size_t errlen)
{
	bool *on = calloc(ncpus, sizeof(*on));
	char *copy = NULL, *save = NULL, *item;
	int n = 0;

	*out = NULL;
	if (!on) {
		error_oom(err, errlen, ncpus * sizeof(*on), "CPU list");
		goto fail;
	}
	if (error_strdup(&copy, list ? list : "", "CPU list", err, errlen))
		goto fail;
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save))
		if (parse_cpu_item(item, ncpus, on, err, errlen))
			goto fail;
	if (!list || !*list)
		for (unsigned int c = 0; c < ncpus; c++)
			on[c] = true;
	*out = malloc(ncpus * sizeof(**out));
	if (!*out) {
		error_oom(err, errlen, ncpus * sizeof(**out), "CPU list");
		goto fail;
	}
	for (unsigned int c = 0; c < ncpus; c++)
		if (on[c])
			(*out)[n++] = c;
	if (!n) {
		snprintf(err, errlen, "\"%s\" names no CPU", list);
		free(*out);
		*out = NULL;
		n = -1;
	}
	free(on);
	free(copy);
	return n;
fail:
	free(on);
	free(copy);
	return -1;
}
