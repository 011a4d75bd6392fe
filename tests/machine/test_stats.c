/* tests/machine/test_stats.c - the statistics containers on their own: histogram
 * moments and quantiles, the time series' storage and CSV, the bounded
 * event log, and the cost helpers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "machine/costs.h"
#include "machine/stats.h"
#include "machine/stats_events.h"
#include "machine/stats_series.h"
#include "tests/testutil.h"

static void test_histogram(void)
{
	struct stats *s = stats_new(2, NULL, 0);
	struct stats_hist *h;
	double median, p99;

	CHECK(s != NULL);
	if (!s)
		return;
	h = stats_map_latency_mut(s);
	CHECK_EQ(stats_hist_quantile(h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		stats_hist_add(h, v * 1000);       /* 1 us .. 1 ms */
	stats_hist_add(h, 0);                      /* clamped into bin 0 */
	CHECK_EQ(h->n, 1001);
	CHECK_EQ(h->min, 0);
	CHECK_EQ(h->max, 1000000);
	CHECK_EQ(h->sum, 500500000);
	median = stats_hist_quantile(h, 0.5);
	p99 = stats_hist_quantile(h, 0.99);
	/* Within a bin's width (10^(1/20), ~12%) of the exact values. */
	CHECK(fabs(median / 500000.0 - 1) < 0.13);
	CHECK(fabs(p99 / 990000.0 - 1) < 0.13);
	CHECK(stats_hist_quantile(h, 1.0) <= 1000000.0);
	CHECK(fabs(stats_hist_mean(h) - 500500000.0 / 1001) < 1e-6);
	/* Beyond the last bin: clamped, but the exact max is kept. */
	stats_hist_add(h, UINT64_MAX / 2);
	CHECK_EQ(h->max, UINT64_MAX / 2);
	CHECK_EQ(stats_ncpus(s), 2);
	CHECK(stats_cpu(s, 2) == NULL);
	stats_free(s);
}

/* The bin stats_hist_add puts v in, against GSL's own search (values
 * outside the ranges clamped into the first or last bin). */
static void check_bin(struct stats_hist *h, uint64_t v)
{
	size_t want = 0, got = STATS_HIST_BINS;
	double x = (double)v;

	if (x >= h->h->range[STATS_HIST_BINS])
		want = STATS_HIST_BINS - 1;
	else if (x >= h->h->range[0])
		gsl_histogram_find(h->h, x, &want);
	gsl_histogram_reset(h->h);
	stats_hist_add(h, v);
	for (size_t b = 0; b < STATS_HIST_BINS; b++)
		if (h->h->bin[b] > 0)
			got = b;
	CHECK_EQ(got, want);
}

static void test_histogram_bins(void)
{
	struct stats_hist h;

	if (stats_hist_init(&h, NULL, 0))
		return;
	for (uint64_t v = 0; v < 5000; v++)
		check_bin(&h, v);
	for (size_t b = 1; b <= STATS_HIST_BINS; b++)
		for (uint64_t v = h.bin_lo[b] - 2; v <= h.bin_lo[b] + 1; v++)
			check_bin(&h, v);
	for (double x = 5000; x < 1e19; x *= 1.001)
		check_bin(&h, (uint64_t)x);
	check_bin(&h, UINT64_MAX);
	stats_hist_free(&h);
}

static void test_areas(void)
{
	struct stats *s = stats_new(1, NULL, 0);

	if (!s)
		return;
	for (uint32_t a = 0; a < 100; a++)
		CHECK_EQ(stats_area_add(s, 7, a, NULL, 0), a);
	CHECK_EQ(stats_nareas(s), 100);
	CHECK_EQ(stats_area(s, 99)->pool_id, 7);
	CHECK_EQ(stats_area(s, 99)->area, 99);
	CHECK(stats_area(s, 100) == NULL);
	stats_free(s);
}

static void test_series(void)
{
	struct stats_series *s = stats_series_new(2, NULL, 0);
	struct stats_row row = { 0 };
	uint64_t used[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!s)
		return;
	for (uint64_t i = 0; i < 1000; i++) {
		row.time_ns = (i + 1) * 10;
		row.interval_ns = 10;
		row.used_slots = i;
		used[0] = i;
		used[1] = 2 * i;
		CHECK(stats_series_append(s, &row, used, NULL, 0) == 0);
	}
	CHECK_EQ(stats_series_len(s), 1000);
	CHECK_EQ(stats_series_row(s, 999)->time_ns, 10000);
	CHECK_EQ(stats_series_area_used(s, 999)[1], 1998);
	CHECK(stats_series_row(s, 1000) == NULL);
	out = open_memstream(&buf, &len);
	CHECK(stats_series_write_csv(s, out) == 0);
	fclose(out);
	CHECK(strstr(buf, ",largest_free_run,area0_used,area1_used\n") != NULL);
	CHECK(strstr(buf, "\n10000,10,999,0,0,0,0,0,0,0,0,0,0,0,0,999,1998\n") != NULL);
	free(buf);
	stats_series_free(s);
}

static void test_event_log(void)
{
	struct stats_events *log = stats_events_new(3, NULL, 0);
	struct stats_event ev = { .kind = STATS_EV_FULL, .cpu = 1,
				  .device = 0, .size = 4096, .pool_id = -1 };
	const char *names[] = { "nvme0" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!log)
		return;
	for (int i = 0; i < 5; i++) {
		ev.time_ns = (uint64_t)i;
		stats_events_add(log, &ev, NULL, 0);
	}
	CHECK_EQ(stats_events_len(log), 3);
	CHECK_EQ(stats_events_dropped(log), 2);
	ev = (struct stats_event){ .time_ns = 9, .kind = STATS_EV_POOL_ADDED,
				   .cpu = -1, .device = -1, .size = 1 << 22,
				   .pool_id = 3 };
	CHECK(stats_events_add(log, &ev, NULL, 0) == 1);
	out = open_memstream(&buf, &len);
	CHECK(stats_events_write_csv(log, out, names, 1) == 0);
	fclose(out);
	CHECK(strcmp(buf, "time_ns,kind,cpu,device,size,pool_id\n"
			  "0,full,1,nvme0,4096,\n1,full,1,nvme0,4096,\n"
			  "2,full,1,nvme0,4096,\n") == 0);
	free(buf);
	CHECK(strcmp(stats_event_kind_name(STATS_EV_TRANSIENT_FREED),
		     "transient_freed") == 0);
	stats_events_free(log);
}

static void test_costs(void)
{
	struct machine_costs c;

	machine_costs_init(&c);
	CHECK_EQ(c.lock_handoff_ns, COST_LOCK_HANDOFF_NS);
	CHECK(c.copy_bytes_per_ns == COST_COPY_BYTES_PER_NS);
	CHECK_EQ(costs_transfer_ns(4096, 1.0), 4096);
	CHECK_EQ(costs_transfer_ns(4096, 6.5), 631);      /* 630.15 up */
	CHECK_EQ(costs_transfer_ns(4096, 0.0), 0);
	CHECK_EQ(costs_slot_lines(&c, 0), 0);
	CHECK_EQ(costs_slot_lines(&c, 1), 1);
	CHECK_EQ(costs_slot_lines(&c, 8), 3);             /* 192 bytes */
	CHECK_EQ(costs_slot_lines(&c, 128), 48);
}

int main(void)
{
	RUN(test_histogram);
	RUN(test_histogram_bins);
	RUN(test_areas);
	RUN(test_series);
	RUN(test_event_log);
	RUN(test_costs);
	return tu_finish();
}
