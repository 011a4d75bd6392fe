/* traces/ftrace_line.c - the line layout of an ftrace capture, as tracefs
 * and trace-cmd print it: header lines, and the "TASK-PID [CPU] FLAGS
 * TIMESTAMP: EVENT:" prefix of an event line. */
#include "traces/ftrace_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static char *skip_spaces(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool all_digits(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* ---- header lines ---------------------------------------------------- */

/* "# entries-in-buffer/entries-written: 108895/108895   #P:4" */
static void read_comment(struct ftrace_import_summary *s, const char *p)
{
	const char *e = strstr(p, "entries-in-buffer/entries-written:");
	const char *cpus = strstr(p, "#P:");
	unsigned long long in_buf, written;

	if (e && sscanf(e + strlen("entries-in-buffer/entries-written:"),
			" %llu/%llu", &in_buf, &written) == 2 &&
	    written > in_buf)
		s->overwritten += written - in_buf;
	if (cpus && isdigit((unsigned char)cpus[3]))
		s->cpus = (unsigned)strtoul(cpus + 3, NULL, 10);
}

/* tracefs "CPU:2 [LOST 123 EVENTS]"; trace-cmd "CPU:2 [123 EVENTS DROPPED]"
 * or "CPU:2 [EVENTS DROPPED]". */
static bool read_lost_line(struct ftrace_import_summary *s, const char *p)
{
	const char *b;

	if (strncmp(p, "CPU:", 4) || !(b = strchr(p, '[')) ||
	    !strstr(b, "EVENTS"))
		return false;
	s->lost_markers++;
	while (*b && !isdigit((unsigned char)*b))
		b++;
	if (*b)
		s->lost_events += strtoull(b, NULL, 10);
	return true;
}

/* trace-cmd report's own lines: "cpus=4", "version = 6", "CPU 3 is empty". */
static bool read_trace_cmd_header(struct ftrace_import_summary *s,
				  const char *p)
{
	unsigned cpu;
	int end = 0;

	if (!strncmp(p, "cpus=", 5) && all_digits(p + 5, strlen(p + 5))) {
		s->cpus = (unsigned)strtoul(p + 5, NULL, 10);
		return true;
	}
	if (!strncmp(p, "version = ", 10))
		return true;
	return sscanf(p, "CPU %u is empty%n", &cpu, &end) == 1 && !p[end];
}

/* ---- the common prefix of an event line ------------------------------ */

/* "SECS.FRAC:" (FRAC of 1 to 9+ digits, cut to ns) or "COUNT:" (a clock
 * without a fraction, taken as ns). */
static bool parse_timestamp(const char *tok, size_t len, uint64_t *ns)
{
	const char *dot;
	size_t nsec_digits;
	uint64_t secs = 0, frac = 0;

	if (len < 2 || tok[len - 1] != ':')
		return false;
	len--;
	dot = memchr(tok, '.', len);
	nsec_digits = dot ? (size_t)(tok + len - dot - 1) : 0;
	if (!all_digits(tok, dot ? (size_t)(dot - tok) : len) ||
	    (dot && !all_digits(dot + 1, nsec_digits)))
		return false;
	if ((dot ? (size_t)(dot - tok) : len) > 10 + (dot ? 0 : 9))
		return false;      /* beyond ~300 years: not a timestamp */
	for (const char *p = tok; p < (dot ? dot : tok + len); p++)
		secs = secs * 10 + (uint64_t)(*p - '0');
	if (!dot) {
		*ns = secs;
		return true;
	}
	for (size_t i = 0; i < 9; i++)
		frac = frac * 10 + (i < nsec_digits ? (uint64_t)(dot[1 + i] - '0') : 0);
	*ns = secs * 1000000000ULL + frac;
	return true;
}

/* The "[CPU]" field: the first '[' followed by digits, ']' and a blank.
 * The task name before it may hold anything, even blanks. */
static char *find_cpu_field(char *line, uint32_t *cpu)
{
	for (char *p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		size_t n = strspn(p + 1, "0123456789");

		if (n && n <= 6 && p[1 + n] == ']' &&
		    (p[2 + n] == ' ' || p[2 + n] == '\t')) {
			*cpu = (uint32_t)strtoul(p + 1, NULL, 10);
			return p + 2 + n;
		}
	}
	return NULL;
}

/* "TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: DATA" (FLAGS optional, as with
 * trace-cmd). Returns 0, or -1 for a line that is no event line. */
static int parse_head(char *line, struct ft_line_head *h, char *why,
		      size_t whylen)
{
	char *p = find_cpu_field(line, &h->cpu), *tok, *name;
	size_t len;

	if (!p)
		return fail(why, whylen, "not an ftrace event line (no \"[CPU]\" field)");
	p = skip_spaces(p);
	len = strcspn(p, " \t");
	if (!parse_timestamp(p, len, &h->ts_ns)) {
		if (memchr(p, ':', len))
			return fail(why, whylen, "bad timestamp \"%.*s\"", (int)len, p);
		tok = skip_spaces(p + len);             /* p was the flags */
		len = strcspn(tok, " \t");
		if (!parse_timestamp(tok, len, &h->ts_ns))
			return fail(why, whylen, "no timestamp after the CPU field");
		p = tok;
	}
	name = skip_spaces(p + len);
	len = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_");
	if (!len || name[len] != ':') {
		h->event = NULL;   /* function tracer and the like */
		h->data = name;
		return 0;
	}
	name[len] = '\0';
	h->event = name;
	h->data = skip_spaces(name + len + 1);
	return 0;
}

int ft_parse_line(char *line, struct ftrace_import_summary *s,
		  struct ft_line_head *h, char *why, size_t whylen)
{
	char *p = skip_spaces(line);

	if (!*p || *p == '#') {
		s->header_lines++;
		if (*p == '#')
			read_comment(s, p);
		return 0;
	}
	if (read_lost_line(s, p) || read_trace_cmd_header(s, p)) {
		s->header_lines++;
		return 0;
	}
	return parse_head(line, h, why, whylen) ? -1 : 1;
}
