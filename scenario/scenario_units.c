/* scenario/scenario_units.c - reads and prints the values of scenario files:
 * sizes, times, bandwidths, rates, numbers (grammar in scenario_units.h). */
#include "scenario/scenario_units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *name;
	uint64_t factor;
};

struct real_unit {
	const char *name;
	double factor;
};

static const struct unit size_units[] = {
	{ "", 1 }, { "B", 1 },
	{ "k", 1ULL << 10 }, { "K", 1ULL << 10 }, { "Ki", 1ULL << 10 },
	{ "KiB", 1ULL << 10 },
	{ "M", 1ULL << 20 }, { "Mi", 1ULL << 20 }, { "MiB", 1ULL << 20 },
	{ "G", 1ULL << 30 }, { "Gi", 1ULL << 30 }, { "GiB", 1ULL << 30 },
	{ "T", 1ULL << 40 }, { "Ti", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	{ "kB", 1000ULL }, { "KB", 1000ULL }, { "MB", 1000000ULL },
	{ "GB", 1000000000ULL }, { "TB", 1000000000000ULL },
	{ NULL, 0 },
};

/* No bare numbers: "100" would be 100 ns, a trap when 100 ms was meant. */
static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
	{ "ms", 1000000ULL }, { "s", 1000000000ULL },
	{ NULL, 0 },
};

/* Factors to bytes per nanosecond. GB/s is exactly 1, which is what the
 * formatter uses, so a printed bandwidth reads back bit for bit. */
static const struct real_unit bandwidth_units[] = {
	{ "", 1e-9 }, { "B/s", 1e-9 },
	{ "kB/s", 1e-6 }, { "KB/s", 1e-6 }, { "MB/s", 1e-3 }, { "GB/s", 1.0 },
	{ "TB/s", 1e3 },
	{ "KiB/s", 1024e-9 }, { "MiB/s", 1048576e-9 },
	{ "GiB/s", 1073741824e-9 }, { "TiB/s", 1099511627776e-9 },
	{ "bit/s", 0.125e-9 }, { "kbit/s", 0.125e-6 }, { "Mbit/s", 0.125e-3 },
	{ "Gbit/s", 0.125 }, { "Tbit/s", 125.0 },
	{ NULL, 0 },
};

static const struct real_unit rate_units[] = {
	{ "", 1 }, { "/s", 1 },
	{ "k", 1e3 }, { "k/s", 1e3 }, { "K", 1e3 }, { "K/s", 1e3 },
	{ "M", 1e6 }, { "M/s", 1e6 }, { "G", 1e9 }, { "G/s", 1e9 },
	{ NULL, 0 },
};

int units_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

bool units_trim(const char *s, char *buf, size_t len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Reads digits with an optional fraction at *p ("12", "1.5", ".5") as
 * mant / 10^scale, trailing zeros of the fraction dropped. Returns 1, 0
 * when *p holds no number, -1 when it has too many digits. */
static int read_decimal(const char **p, uint64_t *mant, unsigned *scale)
{
	const char *s = *p;
	bool any = false, frac = false;

	*mant = 0;
	*scale = 0;
	for (;; s++) {
		if (*s == '.' && !frac) {
			frac = true;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			break;
		any = true;
		if (*mant > (UINT64_MAX - 9) / 10)
			return -1;
		*mant = *mant * 10 + (uint64_t)(*s - '0');
		*scale += frac;
	}
	if (!any)
		return 0;
	while (*scale && *mant % 10 == 0) {
		*mant /= 10;
		(*scale)--;
	}
	if (*scale > 19)
		return -1;
	*p = s;
	return 1;
}

/* mant / 10^scale * factor, exactly. Returns 0, -1 when the result is not
 * whole, -2 when it does not fit. */
static int scale_exact(uint64_t mant, unsigned scale, uint64_t factor,
		       uint64_t *out)
{
	uint64_t p = 1, g;

	for (unsigned i = 0; i < scale; i++)
		p *= 10;
	g = gcd(mant, p);
	mant /= g;
	p /= g;
	if (factor % p)
		return -1;
	factor /= p;
	if (factor && mant > UINT64_MAX / factor)
		return -2;
	*out = mant * factor;
	return 0;
}

static const struct unit *find_unit(const struct unit *u, const char *name)
{
	for (; u->name; u++)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

static const struct real_unit *find_real_unit(const struct real_unit *u,
					      const char *name)
{
	for (; u->name; u++)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

/* A number with a unit from `units`, exact; `what` names the quantity in
 * "not a whole number of ..." ("bytes", "nanoseconds"). */
static int parse_exact(const char *text, const struct unit *units,
		       const char *what, uint64_t *out, char *why, size_t len)
{
	char s[128];
	const char *p;
	const struct unit *u;
	uint64_t mant;
	unsigned scale;
	int r;

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	if (s[0] == '-')
		return units_fail(why, len, "\"%s\" is negative", s);
	p = s;
	r = read_decimal(&p, &mant, &scale);
	if (r == 0)
		return units_fail(why, len, "\"%s\" is not a number", s);
	if (r < 0)
		return units_fail(why, len, "\"%s\" has too many digits", s);
	p = skip_blanks(p);
	u = find_unit(units, p);
	if (!u && !*p && mant == 0) {
		*out = 0;           /* nothing is nothing in any unit */
		return 0;
	}
	if (!u && !*p)
		return units_fail(why, len, "\"%s\" has no unit; only 0 may "
				  "be written without one", s);
	if (!u)
		return units_fail(why, len, "\"%s\" has an unknown unit \"%s\"",
				  s, p);
	r = scale_exact(mant, scale, u->factor, out);
	if (r == -1)
		return units_fail(why, len,
				  "\"%s\" is not a whole number of %s",
				  s, what);
	if (r == -2)
		return units_fail(why, len, "\"%s\" is too large", s);
	return 0;
}

static bool is_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* An unsigned integer in s (trimmed, no sign): decimal or 0x hex. `quote`
 * is the text to name in messages. */
static int parse_u64(const char *s, const char *quote, uint64_t *v,
		     char *why, size_t len)
{
	char *end;
	bool hex = is_hex_prefix(s);
	unsigned long long x;

	if (!isxdigit((unsigned char)s[hex ? 2 : 0]) ||
	    (!hex && !isdigit((unsigned char)s[0])))
		return units_fail(why, len, "\"%s\" is not an integer", quote);
	errno = 0;
	x = strtoull(s + (hex ? 2 : 0), &end, hex ? 16 : 10);
	if (*end)
		return units_fail(why, len, "\"%s\" is not an integer", quote);
	if (errno == ERANGE)
		return units_fail(why, len, "\"%s\" is too large", quote);
	*v = x;
	return 0;
}

int units_parse_uint(const char *text, uint64_t *v, char *why, size_t len)
{
	char s[128];

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	if (s[0] == '-')
		return units_fail(why, len, "\"%s\" is negative", s);
	return parse_u64(s, s, v, why, len);
}

int units_parse_int(const char *text, int64_t *v, char *why, size_t len)
{
	char s[128];
	uint64_t u;
	bool neg;

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	neg = s[0] == '-';
	if (parse_u64(s + neg, s, &u, why, len))
		return -1;
	if (u > (uint64_t)INT64_MAX + neg)
		return units_fail(why, len, "\"%s\" is too large", s);
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

int units_parse_size(const char *text, uint64_t *bytes, char *why,
		     size_t len)
{
	char s[128];

	if (units_trim(text, s, sizeof(s)) && is_hex_prefix(s))
		return units_parse_uint(s, bytes, why, len);
	return parse_exact(text, size_units, "bytes", bytes, why, len);
}

int units_parse_time(const char *text, uint64_t *ns, char *why, size_t len)
{
	return parse_exact(text, time_units, "nanoseconds", ns, why, len);
}

/* A real at the start of s: digits, optional fraction and exponent; no
 * inf, nan or hex floats. Returns the end, or NULL. */
static const char *read_real(const char *s, double *v)
{
	char *end;
	const char *d = s + (*s == '-' || *s == '+');

	if (!isdigit((unsigned char)*d) &&
	    !(*d == '.' && isdigit((unsigned char)d[1])))
		return NULL;
	if (is_hex_prefix(d))
		return NULL;
	*v = strtod(s, &end);
	if (!isfinite(*v))
		return NULL;
	return end;
}

static int parse_real_unit(const char *text, const struct real_unit *units,
			   double *out, char *why, size_t len)
{
	char s[128];
	const char *p;
	const struct real_unit *u;
	double v;

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	p = read_real(s, &v);
	if (!p)
		return units_fail(why, len, "\"%s\" is not a number", s);
	if (v < 0)
		return units_fail(why, len, "\"%s\" is negative", s);
	p = skip_blanks(p);
	u = find_real_unit(units, p);
	if (!u)
		return units_fail(why, len, "\"%s\" has an unknown unit \"%s\"",
				  s, p);
	*out = v * u->factor;
	if (!isfinite(*out))
		return units_fail(why, len, "\"%s\" is too large", s);
	return 0;
}

int units_parse_bandwidth(const char *text, double *bytes_per_ns, char *why,
			  size_t len)
{
	return parse_real_unit(text, bandwidth_units, bytes_per_ns, why, len);
}

int units_parse_rate(const char *text, double *per_s, char *why, size_t len)
{
	return parse_real_unit(text, rate_units, per_s, why, len);
}

int units_parse_real(const char *text, double *v, char *why, size_t len)
{
	char s[128];
	const char *end;

	if (!units_trim(text, s, sizeof(s)))
		return units_fail(why, len, "\"%.40s...\" is too long", text);
	if (!*s)
		return units_fail(why, len, "the value is empty");
	end = read_real(s, v);
	if (!end || *end)
		return units_fail(why, len, "\"%s\" is not a number", s);
	return 0;
}

int units_parse_bool(const char *text, bool *v, char *why, size_t len)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char s[16];

	if (units_trim(text, s, sizeof(s))) {
		for (size_t i = 0; i < 3; i++) {
			if (!strcasecmp(s, yes[i])) {
				*v = true;
				return 0;
			}
			if (!strcasecmp(s, no[i])) {
				*v = false;
				return 0;
			}
		}
	}
	return units_fail(why, len, "\"%.40s\" is not a boolean", text);
}

void units_format_size(uint64_t bytes, char *buf)
{
	static const struct { const char *name; unsigned shift; } u[] = {
		{ "TiB", 40 }, { "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 },
	};

	for (size_t i = 0; bytes && i < sizeof(u) / sizeof(u[0]); i++) {
		if (!(bytes & ((1ULL << u[i].shift) - 1))) {
			snprintf(buf, UNITS_BUF, "%llu%s",
				 (unsigned long long)(bytes >> u[i].shift),
				 u[i].name);
			return;
		}
	}
	snprintf(buf, UNITS_BUF, "%llu", (unsigned long long)bytes);
}

void units_format_time(uint64_t ns, char *buf)
{
	static const struct { const char *name; uint64_t div; } u[] = {
		{ "s", 1000000000ULL }, { "ms", 1000000ULL }, { "us", 1000 },
	};

	for (size_t i = 0; ns && i < sizeof(u) / sizeof(u[0]); i++) {
		if (ns % u[i].div == 0) {
			snprintf(buf, UNITS_BUF, "%llu%s",
				 (unsigned long long)(ns / u[i].div),
				 u[i].name);
			return;
		}
	}
	snprintf(buf, UNITS_BUF, ns ? "%lluns" : "%llu",
		 (unsigned long long)ns);
}

/* The shortest text t, without an exponent when one can be avoided, such
 * that strtod(t) * factor == v. False when there is none. */
static bool real_text(double v, double factor, char *buf, size_t len)
{
	double x = v / factor;

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) * factor == v && !strchr(buf, 'e'))
			return true;
	}
	if (fabs(x) < 1e15 && x == floor(x)) {
		snprintf(buf, len, "%.0f", x);
		if (strtod(buf, NULL) * factor == v)
			return true;
	}
	return false;
}

void units_format_real(double v, char *buf)
{
	if (!real_text(v, 1.0, buf, UNITS_BUF))
		snprintf(buf, UNITS_BUF, "%.17g", v);
}

/* v in the unit of `units` that prints shortest and reads back exactly;
 * `fallback` (whose factor is 1) when none does. */
static void format_real_unit(double v, const struct real_unit *units,
			     const char *fallback, char *buf)
{
	char best[UNITS_BUF] = "", text[UNITS_BUF];

	if (v == 0) {
		snprintf(buf, UNITS_BUF, "0");
		return;
	}
	for (const struct real_unit *u = units; u->name; u++) {
		if (!strchr(u->name, '/') ||
		    !real_text(v, u->factor, text, sizeof(text)))
			continue;
		if (strlen(text) + strlen(u->name) >= sizeof(text))
			continue;
		strcat(text, u->name);
		if (!best[0] || strlen(text) < strlen(best))
			strcpy(best, text);
	}
	if (!best[0])
		snprintf(best, sizeof(best), "%.17g%s", v, fallback);
	strcpy(buf, best);
}

void units_format_bandwidth(double bytes_per_ns, char *buf)
{
	format_real_unit(bytes_per_ns, bandwidth_units, "GB/s", buf);
}

void units_format_rate(double per_s, char *buf)
{
	format_real_unit(per_s, rate_units, "/s", buf);
}
