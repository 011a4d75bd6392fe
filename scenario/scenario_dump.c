/* scenario/scenario_dump.c - prints a loaded scenario back as YAML, every key
 * resolved, and prints the format's reference from the same tables. */
#include "scenario/scenario_schema.h"
#include "scenario/scenario_units.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <yaml.h>

static int emit(yaml_emitter_t *em, yaml_event_t *e, int made)
{
	return made && yaml_emitter_emit(em, e) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *em, const char *text)
{
	yaml_event_t e;

	/* '' reads better than nothing after the colon. */
	return emit(em, &e, yaml_scalar_event_initialize(
			&e, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
			1, 1, *text ? YAML_ANY_SCALAR_STYLE
				    : YAML_SINGLE_QUOTED_SCALAR_STYLE));
}

static int emit_struct(yaml_emitter_t *em, const struct sc_table *t,
		       const void *obj);

static int emit_list(yaml_emitter_t *em, const struct sc_field *f,
		     const char *owner)
{
	const char *list = *(char *const *)(owner + f->offset);
	size_t n = *(const size_t *)(owner + f->count_offset);
	yaml_event_t e;

	if (emit(em, &e, yaml_sequence_start_event_initialize(
			 &e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (emit_struct(em, f->sub, list + i * f->sub->size))
			return -1;
	return emit(em, &e, yaml_sequence_end_event_initialize(&e));
}

/* Whether the table has a `param` string that is set: then the keys it
 * excludes are left out. */
static bool param_set(const struct sc_table *t, const char *obj)
{
	const struct sc_field *p = sc_find(t, "param");

	return p && p->type == SC_STRING && *(char *const *)(obj + p->offset)
	       && **(char *const *)(obj + p->offset);
}

static int emit_field(yaml_emitter_t *em, const struct sc_field *f,
		      const char *obj)
{
	char buf[UNITS_BUF];
	const char *str;

	if (f->type == SC_MAP)
		return emit_scalar(em, f->key) ||
		       emit_struct(em, f->sub, obj + f->offset);
	if (f->type == SC_LIST)
		return emit_scalar(em, f->key) || emit_list(em, f, obj);
	sc_format_value(f, obj + f->offset, buf, sizeof(buf), &str);
	if (!str && !buf[0])
		return 0;           /* a string that was never set */
	return emit_scalar(em, f->key) || emit_scalar(em, str ? str : buf);
}

static int emit_struct(yaml_emitter_t *em, const struct sc_table *t,
		       const void *obj)
{
	int kind = sc_kind_of(t, obj);
	bool skip_param_keys = param_set(t, obj);
	yaml_event_t e;

	if (emit(em, &e, yaml_mapping_start_event_initialize(
			 &e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)))
		return -1;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *f = &t->fields[i];

		if (!sc_applies(f, kind) ||
		    (skip_param_keys && (f->flags & SC_NOT_WITH_PARAM)))
			continue;
		if (emit_field(em, f, obj))
			return -1;
	}
	return emit(em, &e, yaml_mapping_end_event_initialize(&e));
}

int scenario_dump_yaml(const struct scenario *s, FILE *f)
{
	yaml_emitter_t em;
	yaml_event_t e;
	int r;

	if (fputs("# swiotlb-sim scenario, resolved: every key with its "
		  "value\n", f) == EOF || fflush(f))
		return -1;
	if (!yaml_emitter_initialize(&em))
		return -1;
	yaml_emitter_set_output_file(&em, f);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	r = emit(&em, &e, yaml_stream_start_event_initialize(
			 &e, YAML_UTF8_ENCODING)) ||
	    emit(&em, &e, yaml_document_start_event_initialize(
			 &e, NULL, NULL, NULL, 1)) ||
	    emit_struct(&em, &sc_scenario_table, s) ||
	    emit(&em, &e, yaml_document_end_event_initialize(&e, 1)) ||
	    emit(&em, &e, yaml_stream_end_event_initialize(&e)) ||
	    !yaml_emitter_flush(&em) ? -1 : 0;
	yaml_emitter_delete(&em);
	return r || fflush(f) || ferror(f) ? -1 : 0;
}

/* The reference: one Markdown table per YAML mapping. */

static const char *type_words(const struct sc_field *f)
{
	static const char *const words[] = {
		[SC_STRING] = "string", [SC_BOOL] = "bool",
		[SC_INT] = "integer", [SC_UINT] = "integer (or 0x hex)",
		[SC_REAL] = "number", [SC_SIZE] = "size",
		[SC_TIME] = "time", [SC_BANDWIDTH] = "bandwidth",
		[SC_RATE] = "rate", [SC_MASK] = "mask 2^n-1",
		[SC_ENUM] = "choice", [SC_SIZE_DIST] = "size distribution",
		[SC_CPU_LIST] = "CPU list", [SC_MAP] = "mapping",
		[SC_LIST] = "list",
	};

	return words[f->type];
}

static void range_words(const struct sc_field *f, char *buf, size_t len)
{
	char lo[UNITS_BUF];

	buf[0] = '\0';
	if (f->type == SC_ENUM) {
		for (const struct sc_name *n = f->names; n->name; n++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 n == f->names ? ": " : " \\| ", n->name);
	} else if (f->type == SC_INT && f->max) {
		snprintf(buf, len, ", %s%" PRId64 "..%" PRIu64,
			 f->flags & SC_ZERO_OK ? "0 or " : "", f->min, f->max);
	} else if (f->type == SC_INT) {
		snprintf(buf, len, ", >= %" PRId64, f->min);
	} else if (f->type == SC_REAL) {
		if (f->fmax == HUGE_VAL)
			snprintf(buf, len, ", >= %g", f->fmin);
		else
			snprintf(buf, len, ", %g..%g", f->fmin, f->fmax);
	} else if (f->type == SC_SIZE && f->min > 1) {
		units_format_size((uint64_t)f->min, lo);
		snprintf(buf, len, ", >= %s%s", lo,
			 f->flags & SC_ZERO_OK ? " or 0" : "");
	} else if ((f->type == SC_TIME || f->type == SC_BANDWIDTH ||
		    f->type == SC_SIZE) && f->min == 1) {
		snprintf(buf, len, ", > 0");
	} else if (f->type == SC_MASK && f->min) {
		snprintf(buf, len, ", >= 0x%" PRIx64, (uint64_t)f->min);
	}
	if (f->flags & SC_POW2)
		snprintf(buf + strlen(buf), len - strlen(buf),
			 ", power of two");
}

static void kinds_words(const struct sc_table *t, const struct sc_field *f,
			char *buf, size_t len)
{
	buf[0] = '\0';
	if (!f->kinds || t->kind_field < 0)
		return;
	for (const struct sc_name *n = t->fields[t->kind_field].names;
	     n->name; n++)
		if (f->kinds & SC_KIND(n->value))
			snprintf(buf + strlen(buf), len - strlen(buf),
				 "%s%s", buf[0] ? ", " : "(", n->name);
	snprintf(buf + strlen(buf), len - strlen(buf), ") ");
}

static void write_table(FILE *f, const struct sc_table *t, const char *path)
{
	char range[256], kinds[64], sub[128];

	if (*path)
		fprintf(f, "\n#### `%s`\n", path);
	else
		fprintf(f, "\n#### Top level\n");
	fprintf(f, "\n| key | type | default | meaning |\n"
		   "|---|---|---|---|\n");
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *fl = &t->fields[i];
		bool required = fl->required == ~0u;

		range_words(fl, range, sizeof(range));
		kinds_words(t, fl, kinds, sizeof(kinds));
		fprintf(f, "| `%s` | %s%s | ", fl->key, type_words(fl), range);
		if (fl->def_doc)
			fprintf(f, "%s", fl->def_doc);
		else if (fl->def && fl->def[0])
			fprintf(f, "`%s`", fl->def);
		else if (fl->def)
			fprintf(f, "`\"\"`");
		else if (required || fl->required)
			fprintf(f, "required");
		else
			fprintf(f, "see below");
		fprintf(f, " | %s%s |\n", kinds, fl->doc);
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *fl = &t->fields[i];

		if (fl->type != SC_MAP && fl->type != SC_LIST)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s%s", path, *path ? "." : "",
			 fl->key, fl->type == SC_LIST ? "[]" : "");
		write_table(f, fl->sub, sub);
	}
}

void scenario_write_reference(FILE *f)
{
	write_table(f, &sc_scenario_table, "");
}
