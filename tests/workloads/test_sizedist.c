/* tests/workloads/test_sizedist.c - size distributions: what the parser makes of each
 * form and unit, its error messages, exact means, and the frequencies of
 * 10^5 draws from a fixed seed. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "tests/testutil.h"
#include "base/sizedist.h"
#include "workloads/sizedist_hist.h"

#define DRAWS 100000

static gsl_rng *seeded(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	return r;
}

static void test_units(void)
{
	static const struct { const char *text; uint64_t bytes; } cases[] = {
		{ "512", 512 }, { "1", 1 }, { "4k", 4096 }, { "4K", 4096 },
		{ "4KiB", 4096 }, { "2m", 2 << 20 }, { "2M", 2 << 20 },
		{ "2MiB", 2 << 20 }, { "1G", 1 << 30 }, { "1GiB", 1 << 30 },
		{ " 64k ", 65536 }, { "1500", 1500 },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;

		CHECK(sizedist_parse_size(cases[i].text, &v, err, sizeof(err)) == 0);
		CHECK_EQ(v, cases[i].bytes);
	}
}

static void test_fixed(void)
{
	struct sizedist d;
	char err[256];
	gsl_rng *r = seeded(1);
	unsigned long before;

	CHECK(sizedist_parse("128k", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.kind, SIZEDIST_FIXED);
	CHECK_EQ(sizedist_min(&d), 131072);
	CHECK_EQ(sizedist_max(&d), 131072);
	CHECK(sizedist_mean(&d) == 131072.0);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(sizedist_sample(&d, r), 131072);
	/* A fixed size draws nothing from the stream. */
	before = gsl_rng_get(r);
	gsl_rng_set(r, 1);
	for (int i = 0; i < 10; i++)
		sizedist_sample(&d, r);
	CHECK_EQ(gsl_rng_get(r), before);
	gsl_rng_free(r);
}

/* Every draw lies on the grid; each of the 64 sizes of 4k-256k turns up
 * with frequency 1/64 (+- 0.004, ~6.5 sigma). */
static void test_uniform(void)
{
	struct sizedist d;
	char err[256];
	gsl_rng *r = seeded(7);
	unsigned counts[64] = { 0 };
	bool on_grid = true;

	CHECK(sizedist_parse("4k-256k", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.kind, SIZEDIST_UNIFORM);
	CHECK_EQ(d.lo, 4096);
	CHECK_EQ(d.hi, 262144);
	CHECK_EQ(d.step, 4096);
	CHECK(sizedist_mean(&d) == 133120.0);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t s = sizedist_sample(&d, r);

		if (s % 4096 || s < 4096 || s > 262144)
			on_grid = false;
		else
			counts[s / 4096 - 1]++;
	}
	CHECK(on_grid);
	for (int i = 0; i < 64; i++)
		CHECK(fabs(counts[i] / (double)DRAWS - 1.0 / 64) < 0.004);
	CHECK(sizedist_parse("1k-3k", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.step, 512);
	CHECK(sizedist_parse("64-1500", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.step, 1);
	CHECK(sizedist_mean(&d) == 782.0);
	CHECK(sizedist_parse("8k-8k", &d, err, sizeof(err)) == 0);
	CHECK_EQ(sizedist_sample(&d, r), 8192);
	gsl_rng_free(r);
}

/* 4k:70,64k:20,256k:10 over 10^5 draws: each share within 0.01 (about 7
 * sigma for the 70% share), and the exact mean. */
static void test_mix(void)
{
	struct sizedist d;
	char err[256];
	gsl_rng *r = seeded(12345);
	unsigned n4 = 0, n64 = 0, n256 = 0, other = 0;

	CHECK(sizedist_parse("4k:70,64k:20,256k:10", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.kind, SIZEDIST_MIX);
	CHECK_EQ(d.n, 3);
	CHECK_EQ(d.entry[1].size, 65536);
	CHECK(d.entry[1].weight == 20);
	CHECK_EQ(sizedist_min(&d), 4096);
	CHECK_EQ(sizedist_max(&d), 262144);
	CHECK(fabs(sizedist_mean(&d) - 42188.8) < 1e-9);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t s = sizedist_sample(&d, r);

		if (s == 4096)
			n4++;
		else if (s == 65536)
			n64++;
		else if (s == 262144)
			n256++;
		else
			other++;
	}
	CHECK_EQ(other, 0);
	CHECK(fabs(n4 / (double)DRAWS - 0.7) < 0.01);
	CHECK(fabs(n64 / (double)DRAWS - 0.2) < 0.01);
	CHECK(fabs(n256 / (double)DRAWS - 0.1) < 0.01);
	gsl_rng_free(r);
}

/* Zero weights are never drawn and do not count toward min/max/mean. */
static void test_mix_zero_weight(void)
{
	struct sizedist d;
	char err[256];
	gsl_rng *r = seeded(3);
	bool only_8k = true;

	CHECK(sizedist_parse("1k:0, 8k:1, 1M:0", &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.n, 3);
	CHECK_EQ(sizedist_min(&d), 8192);
	CHECK_EQ(sizedist_max(&d), 8192);
	CHECK(sizedist_mean(&d) == 8192.0);
	for (int i = 0; i < 10000; i++)
		if (sizedist_sample(&d, r) != 8192)
			only_8k = false;
	CHECK(only_8k);
	gsl_rng_free(r);
}

/* Draws are multiples of 512 in [512, 16 MiB]; half of them at or below
 * the median (the rounding maps (m-512, m] to m for a 512-aligned m); the
 * sample mean agrees with the exact mean. */
static void lognormal_check(const char *text, double median, double tol)
{
	struct sizedist d;
	char err[256];
	gsl_rng *r = seeded(99);
	unsigned at_or_below = 0;
	double sum = 0;
	bool ok = true;

	CHECK(sizedist_parse(text, &d, err, sizeof(err)) == 0);
	CHECK_EQ(d.kind, SIZEDIST_LOGNORMAL);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t s = sizedist_sample(&d, r);

		if (s % 512 || s < 512 || s > (16u << 20))
			ok = false;
		at_or_below += s <= median;
		sum += (double)s;
	}
	CHECK(ok);
	CHECK(fabs(at_or_below / (double)DRAWS - 0.5) < 0.01);
	CHECK(fabs(sum / DRAWS / sizedist_mean(&d) - 1) < tol);
	gsl_rng_free(r);
}

/* E[min(max(X, 512), 16 MiB)] for ln X ~ N(ln median, sigma^2). */
static double clamped_mean(double median, double sigma)
{
	double mu = log(median), a = 512, c = 16 << 20;
	double lo = (log(a) - mu) / sigma, hi = (log(c) - mu) / sigma;
	double body = median * exp(sigma * sigma / 2) *
		(gsl_cdf_ugaussian_P(hi - sigma) - gsl_cdf_ugaussian_P(lo - sigma));

	return a * gsl_cdf_ugaussian_P(lo) + body + c * gsl_cdf_ugaussian_Q(hi);
}

static void test_lognormal(void)
{
	struct sizedist d;
	char err[256];

	CHECK(sizedist_parse("lognormal:64k,2.0", &d, err, sizeof(err)) == 0);
	CHECK(d.median == 65536.0);
	CHECK(d.sigma == 2.0);
	CHECK_EQ(sizedist_min(&d), 512);
	CHECK_EQ(sizedist_max(&d), 16u << 20);
	/* The mean of the clamped, unrounded lognormal in closed form; rounding
	 * up to 512 adds between 0 and 512 bytes to it. */
	CHECK(sizedist_mean(&d) - clamped_mean(65536, 2.0) >= 0);
	CHECK(sizedist_mean(&d) - clamped_mean(65536, 2.0) < 512);
	lognormal_check("lognormal:64k,2.0", 65536, 0.03);
	lognormal_check("lognormal:64k,0.5", 65536, 0.01);
	/* A tight one: almost all draws 64k or the 512-step on either side,
	 * so the mean is within 1% of 64k + 256. */
	CHECK(sizedist_parse("lognormal:64k,0.001", &d, err, sizeof(err)) == 0);
	CHECK(fabs(sizedist_mean(&d) / (65536 + 256) - 1) < 0.01);
	/* The lower clamp: with median 512 half of all draws are 512. */
	lognormal_check("lognormal:512,1", 512, 0.01);
}

static void test_errors(void)
{
	static const char *bad[] = {
		"", "abc", "4x", "0", "-4k", "4k-2k", "4k-", "2G", "4k:-1",
		"4k:0", "4k:70,,", "4k:70,64k", "4k:abc", "lognormal:64k",
		"lognormal:64k,0", "lognormal:64k,-1", "lognormal:64k,11",
		"lognormal:,2", "4.5k", "4k 8k",
	};
	struct sizedist d;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(sizedist_parse(bad[i], &d, err, sizeof(err)) == -1);
		CHECK(strstr(err, "size distribution \"") == err);
		CHECK(strstr(err, bad[i]) != NULL);
	}
	CHECK(sizedist_parse("4x", &d, err, sizeof(err)) == -1);
	CHECK(!strcmp(err, "size distribution \"4x\": \"4x\" is not a size "
		      "(a whole number of bytes, optionally with k, K, KiB, M, "
		      "MiB, G or GiB) (expected SIZE, LO-HI, SIZE:WEIGHT,... or "
		      "lognormal:MEDIAN,SIGMA)"));
	CHECK(sizedist_parse("4k-2k", &d, err, sizeof(err)) == -1);
	CHECK(strstr(err, "upper end is below its lower end") != NULL);
}

/* Formatting and parsing again gives the same distribution. */
static void test_format_round_trip(void)
{
	static const char *texts[] = {
		"128k", "4k-256k", "4k:70,64k:20,256k:10", "lognormal:64k,2.0",
		"1k:0.1,2k:0.3",
	};
	char err[256], buf[512];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct sizedist a, b;

		CHECK(sizedist_parse(texts[i], &a, err, sizeof(err)) == 0);
		CHECK(sizedist_format(&a, buf, sizeof(buf)) < (int)sizeof(buf));
		CHECK(sizedist_parse(buf, &b, err, sizeof(err)) == 0);
		CHECK(!memcmp(&a, &b, sizeof(a)));
	}
	CHECK(sizedist_parse("4k:70,64k:20,256k:10", &(struct sizedist){ 0 },
			     err, sizeof(err)) == 0);
	{
		struct sizedist d;

		sizedist_parse("4k:70,64k:20,256k:10", &d, err, sizeof(err));
		sizedist_format(&d, buf, sizeof(buf));
		CHECK(!strcmp(buf, "4096:70,65536:20,262144:10"));
		/* Truncation still reports the full length. */
		CHECK_EQ(sizedist_format(&d, buf, 5), strlen("4096:70,65536:20,262144:10"));
		CHECK(!strcmp(buf, "4096"));
	}
}

/* Exact counts, sorted by value, written as the kernel's histograms. */
static void test_value_hist(void)
{
	static const uint64_t values[] = { 131072, 4096, 4096, 8192, 4096, 131072 };
	struct sizedist_hist h = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&buf, &len);
	CHECK(sizedist_hist_write(&h, out) == 0);
	fflush(out);
	CHECK(len == 0);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		CHECK(sizedist_hist_add(&h, values[i]) == 0);
	for (uint64_t v = 1000; v > 0; v--)       /* growth, reverse order */
		CHECK(sizedist_hist_add(&h, v) == 0);
	CHECK_EQ(h.n, 1003);
	CHECK_EQ(h.total, 1006);
	CHECK_EQ(sizedist_hist_count(&h, 4096), 3);
	CHECK_EQ(sizedist_hist_count(&h, 131072), 2);
	CHECK_EQ(sizedist_hist_count(&h, 5), 1);
	CHECK_EQ(sizedist_hist_count(&h, 4095), 0);
	CHECK(sizedist_hist_mean(&h) ==
	      (3 * 4096.0 + 8192 + 2 * 131072 + 500500) / 1006);
	sizedist_hist_free(&h);
	CHECK(sizedist_hist_add(&h, 131072) == 0);
	CHECK(sizedist_hist_add(&h, 4096) == 0);
	CHECK(sizedist_hist_add(&h, 4096) == 0);
	CHECK(sizedist_hist_write(&h, out) == 0);
	fclose(out);
	CHECK(buf && !strcmp(buf, "4096x2;131072x1"));
	free(buf);
	sizedist_hist_free(&h);
	CHECK_EQ(h.n, 0);
}

int main(void)
{
	RUN(test_units);
	RUN(test_fixed);
	RUN(test_uniform);
	RUN(test_mix);
	RUN(test_mix_zero_weight);
	RUN(test_lognormal);
	RUN(test_errors);
	RUN(test_format_round_trip);
	RUN(test_value_hist);
	return tu_finish();
}
