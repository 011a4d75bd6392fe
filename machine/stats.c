/* machine/stats.c - counters, per-CPU and per-area figures and log-binned GSL
 * histograms of the machine, with a plain-text dump of all of them. */
#include "machine/stats.h"

#include "base/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

_Static_assert(STATS_HIST_BINS <= 256, "first_bin holds bins in a byte");

struct stats {
	struct stats_counters c;
	unsigned int ncpus;
	struct stats_cpu *cpus;
	struct stats_area *areas;
	size_t nareas, areas_cap;
	struct stats_hist map_latency, lock_wait, io_latency;
};

/* Slices in increasing order start at nondecreasing values (under 16 some
 * slices hold no value; their start rounds down, which keeps the order),
 * so one pass moves the bin forward as it goes. */
static void hist_fill_slices(struct stats_hist *hist)
{
	size_t b = 0;

	for (unsigned int e = 0; e < 64; e++) {
		for (unsigned int t = 0; t < 16; t++) {
			uint64_t top = 16 + t;
			uint64_t first = e >= 4 ? top << (e - 4) :
						  top >> (4 - e);

			while (b + 1 < STATS_HIST_BINS &&
			       first >= hist->bin_lo[b + 1])
				b++;
			hist->first_bin[e * 16 + t] = (uint8_t)b;
		}
	}
}

int stats_hist_init(struct stats_hist *hist, char *err, size_t errlen)
{
	size_t nbins = STATS_HIST_BINS;
	double ranges[STATS_HIST_BINS + 1];

	hist->h = gsl_histogram_alloc(nbins);
	if (!hist->h)
		return error_gsl_oom(err, errlen, sizeof(gsl_histogram) +
				     (2 * nbins + 1) * sizeof(double),
				     "histogram");
	for (size_t i = 0; i <= nbins; i++)
		ranges[i] = pow(10.0, (double)i / STATS_HIST_BINS_PER_DECADE);
	gsl_histogram_set_ranges(hist->h, ranges, nbins + 1);
	/* An integer v (exact as a double below 2^53, and beyond every range
	 * above it) is >= range[i] exactly when v >= ceil(range[i]). */
	for (size_t i = 0; i <= nbins; i++)
		hist->bin_lo[i] = (uint64_t)ceil(hist->h->range[i]);
	hist_fill_slices(hist);
	hist->n = hist->sum = hist->max = 0;
	hist->min = UINT64_MAX;
	return 0;
}

struct stats *stats_new(unsigned int ncpus, char *err, size_t errlen)
{
	struct stats *s = calloc(1, sizeof(*s));
	size_t n = ncpus ? ncpus : 1;

	if (!s) {
		error_oom(err, errlen, sizeof(*s), "machine statistics");
		return NULL;
	}
	s->ncpus = ncpus;
	s->cpus = calloc(n, sizeof(*s->cpus));
	if (!s->cpus)
		error_oom(err, errlen, n * sizeof(*s->cpus),
			  "statistics of %zu CPUs", n);
	if (!s->cpus || stats_hist_init(&s->map_latency, err, errlen) ||
	    stats_hist_init(&s->lock_wait, err, errlen) ||
	    stats_hist_init(&s->io_latency, err, errlen)) {
		stats_free(s);
		return NULL;
	}
	return s;
}

void stats_hist_clear(struct stats_hist *hist)
{
	gsl_histogram_reset(hist->h);
	hist->n = hist->sum = hist->max = 0;
	hist->min = UINT64_MAX;
}

void stats_hist_free(struct stats_hist *hist)
{
	if (hist->h)
		gsl_histogram_free(hist->h);
	hist->h = NULL;
}

void stats_free(struct stats *s)
{
	if (!s)
		return;
	if (s->map_latency.h)
		gsl_histogram_free(s->map_latency.h);
	if (s->lock_wait.h)
		gsl_histogram_free(s->lock_wait.h);
	if (s->io_latency.h)
		gsl_histogram_free(s->io_latency.h);
	free(s->cpus);
	free(s->areas);
	free(s);
}

const struct stats_counters *stats_counters(const struct stats *s)
{
	return &s->c;
}

struct stats_counters *stats_counters_mut(struct stats *s)
{
	return &s->c;
}

unsigned int stats_ncpus(const struct stats *s)
{
	return s->ncpus;
}

size_t stats_nareas(const struct stats *s)
{
	return s->nareas;
}

const struct stats_hist *stats_map_latency(const struct stats *s)
{
	return &s->map_latency;
}

const struct stats_hist *stats_lock_wait(const struct stats *s)
{
	return &s->lock_wait;
}

const struct stats_hist *stats_io_latency(const struct stats *s)
{
	return &s->io_latency;
}

struct stats_hist *stats_map_latency_mut(struct stats *s)
{
	return &s->map_latency;
}

struct stats_hist *stats_lock_wait_mut(struct stats *s)
{
	return &s->lock_wait;
}

struct stats_hist *stats_io_latency_mut(struct stats *s)
{
	return &s->io_latency;
}

const struct stats_cpu *stats_cpu(const struct stats *s, unsigned int cpu)
{
	return cpu < s->ncpus ? &s->cpus[cpu] : NULL;
}

struct stats_cpu *stats_cpu_mut(struct stats *s, unsigned int cpu)
{
	return cpu < s->ncpus ? &s->cpus[cpu] : NULL;
}

const struct stats_area *stats_area(const struct stats *s, size_t i)
{
	return i < s->nareas ? &s->areas[i] : NULL;
}

struct stats_area *stats_area_mut(struct stats *s, size_t i)
{
	return i < s->nareas ? &s->areas[i] : NULL;
}

long stats_area_add(struct stats *s, uint32_t pool_id, uint32_t area,
		    char *err, size_t errlen)
{
	if (s->nareas == s->areas_cap) {
		size_t cap = s->areas_cap ? 2 * s->areas_cap : 16;
		struct stats_area *a = realloc(s->areas, cap * sizeof(*a));

		if (!a)
			return error_oom(err, errlen, cap * sizeof(*a),
					 "statistics of %zu areas", cap);
		s->areas = a;
		s->areas_cap = cap;
	}
	s->areas[s->nareas] = (struct stats_area){ .pool_id = pool_id,
						   .area = area, .device = -1 };
	return (long)s->nareas++;
}

double stats_hist_mean(const struct stats_hist *hist)
{
	return hist->n ? (double)hist->sum / (double)hist->n : 0.0;
}

double stats_hist_quantile(const struct stats_hist *hist, double q)
{
	double total = gsl_histogram_sum(hist->h), want, cum = 0.0;
	size_t nbins = gsl_histogram_bins(hist->h);

	if (hist->n == 0 || total <= 0.0)
		return 0.0;
	want = q * total;
	for (size_t i = 0; i < nbins; i++) {
		double count = gsl_histogram_get(hist->h, i), lo, hi, v;

		if (count <= 0.0 || cum + count < want) {
			cum += count;
			continue;
		}
		gsl_histogram_get_range(hist->h, i, &lo, &hi);
		v = lo * pow(hi / lo, (want - cum) / count);
		if (v < (double)hist->min)
			v = (double)hist->min;
		if (v > (double)hist->max)
			v = (double)hist->max;
		return v;
	}
	return (double)hist->max;
}

static void write_hist(FILE *out, const char *name,
		       const struct stats_hist *hist)
{
	size_t nbins = gsl_histogram_bins(hist->h);

	fprintf(out, "%s.n %" PRIu64 "\n%s.sum %" PRIu64 "\n", name, hist->n,
		name, hist->sum);
	fprintf(out, "%s.min %" PRIu64 "\n%s.max %" PRIu64 "\n", name,
		hist->n ? hist->min : 0, name, hist->max);
	for (size_t i = 0; i < nbins; i++) {
		double lo, hi, count = gsl_histogram_get(hist->h, i);

		if (count <= 0.0)
			continue;
		gsl_histogram_get_range(hist->h, i, &lo, &hi);
		fprintf(out, "%s.bin %.6g %.6g %.0f\n", name, lo, hi, count);
	}
}

static void write_counters(FILE *out, const struct stats_counters *c)
{
#define W(field) fprintf(out, #field " %" PRIu64 "\n", c->field)
	W(maps); W(maps_ok); W(maps_direct); W(full_events); W(atomic_refusals);
	W(mask_failures); W(unmaps); W(syncs); W(bytes_copied); W(copy_ns);
	W(transient_made); W(transient_freed); W(grow_started);
	W(pools_added); W(grow_failed); W(lock_acquisitions);
	W(lock_handoffs); W(lock_wait_ns); W(io_submitted); W(io_completed);
	W(io_bytes); W(irqs); W(work_items); W(busy_ns);
#undef W
}

int stats_write_text(const struct stats *s, FILE *out)
{
	write_counters(out, &s->c);
	for (unsigned int i = 0; i < s->ncpus; i++) {
		const struct stats_cpu *c = &s->cpus[i];

		fprintf(out, "cpu %u ops %" PRIu64 " busy_ns %" PRIu64
			" lock_wait_ns %" PRIu64 " copy_ns %" PRIu64 "\n",
			i, c->ops, c->busy_ns, c->lock_wait_ns, c->copy_ns);
	}
	for (size_t i = 0; i < s->nareas; i++) {
		const struct stats_area *a = &s->areas[i];

		if (a->device >= 0)
			fprintf(out, "restricted device %" PRId32 " ",
				a->device);
		fprintf(out, "area pool %" PRIu32 " area %" PRIu32
			" acquisitions %" PRIu64 " handoffs %" PRIu64
			" lock_wait_ns %" PRIu64 " hold_ns %" PRIu64 "\n",
			a->pool_id, a->area, a->acquisitions, a->handoffs,
			a->lock_wait_ns, a->hold_ns);
	}
	write_hist(out, "map_latency_ns", &s->map_latency);
	write_hist(out, "lock_wait_ns", &s->lock_wait);
	write_hist(out, "io_latency_ns", &s->io_latency);
	return ferror(out) ? -1 : 0;
}
