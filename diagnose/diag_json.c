/* diagnose/diag_json.c - the reports as one JSON object, for scripts:
 * the machine as the log shows it, and per group its figures, verdict and
 * the fills behind them. */
#include "diagnose/diag_text.h"

#include <inttypes.h>

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_probe(FILE *out, const char *name,
		       const struct diag_probe *p)
{
	fprintf(out, ",\n      \"%s\": {\"nslabs\": %" PRIu64 ", \"nareas\": %"
		PRIu32 ", \"used\": %" PRIu64 ", \"used_reached\": %.1f, "
		"\"fills\": %u, \"failed\": %u, \"no_run\": %u, "
		"\"misaligned\": %u}", name, p->nslabs, p->nareas, p->used,
		p->used_reached, p->fills, p->failed, p->no_run,
		p->misaligned);
}

static void json_machine(FILE *out, const struct diag_machine *m)
{
	fprintf(out, "  \"machine\": {\"boot_nslabs\": %" PRIu64
		", \"boot_start\": %" PRIu64 ", \"nareas_asked\": %" PRIu32
		", \"adjusted_bytes\": %" PRIu64 ", \"encrypted\": %s, "
		"\"coco\": %s, \"no_pool\": %s, \"suppressed\": %" PRIu64
		"},\n", m->boot_nslabs, m->boot_start, m->nareas_asked,
		m->adjusted_bytes, m->encrypted ? "true" : "false",
		m->coco ? "true" : "false", m->no_pool ? "true" : "false",
		m->suppressed);
}

static void json_report(FILE *out, const struct diag_report *r)
{
	const struct diag_group *g = r->g;

	fputs("    {\"line\": ", out);
	json_string(out, g->first_line);
	fputs(", \"driver\": ", out);
	json_string(out, g->driver);
	fputs(", \"device\": ", out);
	json_string(out, g->device);
	fprintf(out, ",\n      \"count\": %u, \"sz\": %" PRIu64
		", \"nslots\": %" PRIu32 ", \"total\": %" PRIu64 ", \"used_min\": %" PRIu64
		", \"used_max\": %" PRIu64 ", \"has_counts\": %s, "
		"\"min_align_mask\": %" PRIu32 ", \"nareas\": %" PRIu32
		", \"grown\": %s, \"restricted\": %s,\n      \"verdict\": ",
		g->count, g->sz, r->nslots, g->total, g->used_min, g->used_max,
		g->has_counts ? "true" : "false", r->min_align_mask, r->nareas,
		r->grown ? "true" : "false", r->restricted ? "true" : "false");
	json_string(out, diag_verdict_name(r));
	fprintf(out, ", \"fit_nslabs\": %" PRIu64, r->fit_nslabs);
	if (r->have_here) {
		json_probe(out, "at_used_max", &r->at_max);
		json_probe(out, "at_used_min", &r->at_min);
	}
	if (r->fit_nslabs)
		json_probe(out, "at_fit", &r->at_fit);
	if (r->have_alternatives) {
		json_probe(out, "doubled", &r->doubled);
		if (r->one_area.fills)
			json_probe(out, "one_area", &r->one_area);
	}
	fputs("}", out);
}

void diag_print_json(FILE *out, const struct diag_log *log,
		     const struct diag_report *r, size_t n)
{
	fputs("{\n", out);
	json_machine(out, &log->m);
	fputs("  \"reports\": [\n", out);
	for (size_t i = 0; i < n; i++) {
		json_report(out, &r[i]);
		fputs(i + 1 < n ? ",\n" : "\n", out);
	}
	fprintf(out, "  ],\n  \"lines\": %u, \"recognised\": %u, "
		"\"groups_dropped\": %u\n}\n", log->lines, log->recognised,
		log->groups_dropped);
}
