/* base/sizedist.c - request-size distributions: the text grammar of
 * sizedist.h, the exact means, and sampling from a GSL stream. */
#include "base/sizedist.h"

#include "base/rng.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#define TOKEN_MAX 64
#define LOGNORMAL_PREFIX "lognormal:"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copies [begin, end) without surrounding spaces into tok (TOKEN_MAX).
 * Returns -1 when it does not fit. */
static int take_token(const char *begin, const char *end, char *tok)
{
	while (begin < end && isspace((unsigned char)*begin))
		begin++;
	while (end > begin && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - begin) >= TOKEN_MAX)
		return -1;
	memcpy(tok, begin, (size_t)(end - begin));
	tok[end - begin] = '\0';
	return 0;
}

static const struct unit {
	const char *name;
	uint64_t factor;
} units[] = {
	{ "", 1 },
	{ "k", 1ULL << 10 }, { "K", 1ULL << 10 }, { "KiB", 1ULL << 10 },
	{ "m", 1ULL << 20 }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
	{ "g", 1ULL << 30 }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
};

int sizedist_parse_size(const char *text, uint64_t *out, char *err,
			size_t errlen)
{
	char tok[TOKEN_MAX];
	char *end;
	unsigned long long v;

	if (take_token(text, text + strlen(text), tok) ||
	    !isdigit((unsigned char)tok[0]))
		goto bad;
	errno = 0;
	v = strtoull(tok, &end, 10);
	if (errno == ERANGE)
		goto range;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].name))
			continue;
		if (v == 0 || v > SIZEDIST_MAX_BYTES / units[i].factor)
			goto range;
		*out = v * units[i].factor;
		return 0;
	}
bad:
	set_err(err, errlen, "\"%s\" is not a size (a whole number of bytes, "
		"optionally with k, K, KiB, M, MiB, G or GiB)", text);
	return -1;
range:
	set_err(err, errlen, "size \"%s\" is out of range (1 byte to 1 GiB)",
		text);
	return -1;
}

/* Parses the SIZE in [begin, end). */
static int size_between(const char *begin, const char *end, uint64_t *out,
			char *err, size_t errlen)
{
	char tok[TOKEN_MAX];

	if (take_token(begin, end, tok)) {
		set_err(err, errlen, "a size is longer than %d characters",
			TOKEN_MAX - 1);
		return -1;
	}
	return sizedist_parse_size(tok, out, err, errlen);
}

/* A finite number >= 0 (weights) or > 0 (sigma) in [begin, end). */
static int number_between(const char *begin, const char *end, bool positive,
			  double *out)
{
	char tok[TOKEN_MAX];
	char *stop;

	if (take_token(begin, end, tok) || !tok[0])
		return -1;
	errno = 0;
	*out = strtod(tok, &stop);
	if (errno || *stop || !isfinite(*out) || *out < 0 ||
	    (positive && *out == 0))
		return -1;
	return 0;
}

/* Largest of 4096, 512, 1 that divides both ends. */
static uint64_t uniform_step(uint64_t lo, uint64_t hi)
{
	if (!(lo % 4096) && !(hi % 4096))
		return 4096;
	if (!(lo % 512) && !(hi % 512))
		return 512;
	return 1;
}

static int parse_uniform(const char *text, const char *dash,
			 struct sizedist *d, char *err, size_t errlen)
{
	if (size_between(text, dash, &d->lo, err, errlen) ||
	    size_between(dash + 1, text + strlen(text), &d->hi, err, errlen))
		return -1;
	if (d->hi < d->lo) {
		set_err(err, errlen, "the range's upper end is below its lower end");
		return -1;
	}
	d->kind = SIZEDIST_UNIFORM;
	d->step = uniform_step(d->lo, d->hi);
	d->mean = ((double)d->lo + (double)d->hi) / 2;
	return 0;
}

/* One "SIZE:W" item of a mix, [begin, end). */
static int parse_mix_entry(const char *begin, const char *end,
			   struct sizedist_entry *e, char *err, size_t errlen)
{
	const char *colon = memchr(begin, ':', (size_t)(end - begin));

	if (!colon) {
		set_err(err, errlen, "mix item \"%.*s\" is not SIZE:WEIGHT",
			(int)(end - begin), begin);
		return -1;
	}
	if (size_between(begin, colon, &e->size, err, errlen))
		return -1;
	if (number_between(colon + 1, end, false, &e->weight)) {
		set_err(err, errlen, "weight \"%.*s\" is not a number >= 0",
			(int)(end - colon - 1), colon + 1);
		return -1;
	}
	return 0;
}

static int parse_mix(const char *text, struct sizedist *d, char *err,
		     size_t errlen)
{
	const char *p = text;
	double total = 0, sum = 0;

	d->kind = SIZEDIST_MIX;
	d->lo = UINT64_MAX;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		struct sizedist_entry *e;

		if (d->n == SIZEDIST_MAX_ENTRIES) {
			set_err(err, errlen, "a mix has at most %d sizes",
				SIZEDIST_MAX_ENTRIES);
			return -1;
		}
		e = &d->entry[d->n];
		if (parse_mix_entry(p, end, e, err, errlen))
			return -1;
		total += e->weight;
		e->cumulative = total;
		d->n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!(total > 0) || !isfinite(total)) {
		set_err(err, errlen, "the weights must sum to a finite number > 0");
		return -1;
	}
	for (size_t i = 0; i < d->n; i++) {
		if (d->entry[i].weight == 0)
			continue;
		sum += (double)d->entry[i].size * d->entry[i].weight;
		if (d->entry[i].size < d->lo)
			d->lo = d->entry[i].size;
		if (d->entry[i].size > d->hi)
			d->hi = d->entry[i].size;
	}
	d->mean = sum / total;
	return 0;
}

/* Mean of the rounded, clamped lognormal: sum of size x P(size) over the
 * 32768 sizes 512, 1024, ..., 16 MiB. A draw x becomes 512k for x in
 * (512(k-1), 512k]; everything below 512 becomes 512, above 16 MiB 16 MiB. */
static double lognormal_mean(double zeta, double sigma)
{
	const uint64_t r = SIZEDIST_LOGNORMAL_ROUND;
	double mean = 0, below = 0;

	for (uint64_t s = SIZEDIST_LOGNORMAL_MIN; s < SIZEDIST_LOGNORMAL_MAX;
	     s += r) {
		double cdf = gsl_cdf_lognormal_P((double)s, zeta, sigma);

		mean += (double)s * (cdf - below);
		below = cdf;
	}
	return mean + (double)SIZEDIST_LOGNORMAL_MAX * (1 - below);
}

static int parse_lognormal(const char *text, struct sizedist *d, char *err,
			   size_t errlen)
{
	const char *args = text + strlen(LOGNORMAL_PREFIX);
	const char *comma = strchr(args, ',');
	uint64_t median;

	if (!comma) {
		set_err(err, errlen, "expected lognormal:MEDIAN,SIGMA");
		return -1;
	}
	if (size_between(args, comma, &median, err, errlen))
		return -1;
	if (number_between(comma + 1, args + strlen(args), true, &d->sigma) ||
	    d->sigma > SIZEDIST_LOGNORMAL_SIGMA_MAX) {
		set_err(err, errlen, "sigma \"%s\" is not a number in (0, %g]",
			comma + 1, SIZEDIST_LOGNORMAL_SIGMA_MAX);
		return -1;
	}
	d->kind = SIZEDIST_LOGNORMAL;
	d->median = (double)median;
	d->lo = SIZEDIST_LOGNORMAL_MIN;
	d->hi = SIZEDIST_LOGNORMAL_MAX;
	d->mean = lognormal_mean(log(d->median), d->sigma);
	return 0;
}

int sizedist_parse(const char *text, struct sizedist *out, char *err,
		   size_t errlen)
{
	char why[256] = "";
	const char *p = text ? text : "";
	const char *dash;
	int rc;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*p))
		p++;
	if (!strncmp(p, LOGNORMAL_PREFIX, strlen(LOGNORMAL_PREFIX))) {
		rc = parse_lognormal(p, out, why, sizeof(why));
	} else if (strchr(p, ':')) {
		rc = parse_mix(p, out, why, sizeof(why));
	} else if ((dash = strchr(p, '-'))) {
		rc = parse_uniform(p, dash, out, why, sizeof(why));
	} else {
		rc = sizedist_parse_size(p, &out->lo, why, sizeof(why));
		out->kind = SIZEDIST_FIXED;
		out->hi = out->lo;
		out->mean = (double)out->lo;
	}
	if (rc) {
		set_err(err, errlen, "size distribution \"%s\": %s (expected "
			"SIZE, LO-HI, SIZE:WEIGHT,... or lognormal:MEDIAN,SIGMA)",
			text ? text : "", why);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

/* The first entry whose cumulative weight exceeds u (skips zero weights). */
static uint64_t mix_pick(const struct sizedist *d, double u)
{
	size_t lo = 0, hi = d->n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->entry[mid].cumulative > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return d->entry[lo].size;
}

static uint64_t lognormal_draw(const struct sizedist *d, gsl_rng *rng)
{
	const uint64_t r = SIZEDIST_LOGNORMAL_ROUND;
	double x = gsl_ran_lognormal(rng, log(d->median), d->sigma);

	if (!(x < (double)SIZEDIST_LOGNORMAL_MAX))
		return SIZEDIST_LOGNORMAL_MAX;
	if (x <= (double)SIZEDIST_LOGNORMAL_MIN)
		return SIZEDIST_LOGNORMAL_MIN;
	return ((uint64_t)ceil(x) + r - 1) / r * r;
}

uint64_t sizedist_sample(const struct sizedist *d, gsl_rng *rng)
{
	switch (d->kind) {
	case SIZEDIST_FIXED:
		return d->lo;
	case SIZEDIST_UNIFORM:
		return d->lo + d->step *
			rng_uniform_int(rng, (d->hi - d->lo) / d->step + 1);
	case SIZEDIST_MIX:
		return mix_pick(d, rng_uniform(rng) *
				d->entry[d->n - 1].cumulative);
	case SIZEDIST_LOGNORMAL:
		return lognormal_draw(d, rng);
	}
	return d->lo;
}

double sizedist_mean(const struct sizedist *d)
{
	return d->mean;
}

uint64_t sizedist_min(const struct sizedist *d)
{
	return d->lo;
}

uint64_t sizedist_max(const struct sizedist *d)
{
	return d->hi;
}

int sizedist_format(const struct sizedist *d, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	switch (d->kind) {
	case SIZEDIST_FIXED:
		return snprintf(buf, len, "%llu", (unsigned long long)d->lo);
	case SIZEDIST_UNIFORM:
		return snprintf(buf, len, "%llu-%llu", (unsigned long long)d->lo,
				(unsigned long long)d->hi);
	case SIZEDIST_LOGNORMAL:
		return snprintf(buf, len, "lognormal:%.0f,%.17g", d->median,
				d->sigma);
	case SIZEDIST_MIX:
		break;
	}
	for (size_t i = 0; i < d->n; i++) {
		n = snprintf(used < len ? buf + used : NULL,
			     used < len ? len - used : 0, "%s%llu:%.17g",
			     i ? "," : "", (unsigned long long)d->entry[i].size,
			     d->entry[i].weight);
		if (n < 0)
			return n;
		used += (size_t)n;
	}
	if (!d->n && len)
		buf[0] = '\0';
	return (int)used;
}
