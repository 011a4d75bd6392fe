/* scenario/scenario_load.c - scenario_load(): the libyaml pass, then libcyaml
 * loads the document through a schema built from the field tables (every
 * value as its text), then each text is read by its field's grammar. A
 * value that does not read is reported and its default used, so every
 * error of the scenario is found in one load. */
#include "scenario/scenario_internal.h"

#include "base/error.h"

#include <assert.h>
#include <cyaml/cyaml.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What libcyaml fills for one key: the value's text (or nested mapping,
 * or list entries) and, for a list, how many entries. A mapping of table t
 * is t->nfields of these, in the table's order. */
struct raw_slot {
	void *p;
	uint32_t n;
};

static uint32_t raw_size(const struct sc_table *t)
{
	return (uint32_t)(t->nfields * sizeof(struct raw_slot));
}

static void free_fields(cyaml_schema_field_t *fs, const struct sc_table *t)
{
	if (!fs)
		return;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *f = &t->fields[i];

		if (f->type == SC_MAP) {
			free_fields((cyaml_schema_field_t *)
				    fs[i].value.mapping.fields, f->sub);
		} else if (f->type == SC_LIST && fs[i].value.sequence.entry) {
			cyaml_schema_value_t *e = (cyaml_schema_value_t *)
				fs[i].value.sequence.entry;

			free_fields((cyaml_schema_field_t *)e->mapping.fields,
				    f->sub);
			free(e);
		}
	}
	free(fs);
}

/* The libcyaml fields of table t: every key optional; scalars are
 * strings, nested tables mappings, lists sequences of mappings. NULL when
 * out of memory, with the size asked for in *oom_bytes. */
static cyaml_schema_field_t *build_fields(const struct sc_table *t,
					  size_t *oom_bytes)
{
	cyaml_schema_field_t *fs = calloc(t->nfields + 1, sizeof(*fs));

	if (!fs)
		*oom_bytes = (t->nfields + 1) * sizeof(*fs);
	for (size_t i = 0; fs && i < t->nfields; i++) {
		const struct sc_field *f = &t->fields[i];
		cyaml_schema_field_t *cf = &fs[i];
		cyaml_schema_value_t *v = &cf->value, *entry;

		cf->key = f->key;
		cf->data_offset = (uint32_t)(i * sizeof(struct raw_slot));
		v->flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL;
		if (f->type == SC_MAP) {
			v->type = CYAML_MAPPING;
			v->data_size = raw_size(f->sub);
			v->mapping.fields = build_fields(f->sub, oom_bytes);
			if (!v->mapping.fields)
				goto fail;
		} else if (f->type == SC_LIST) {
			entry = calloc(1, sizeof(*entry));
			v->sequence.entry = entry;
			if (!entry) {
				*oom_bytes = sizeof(*entry);
				goto fail;
			}
			entry->type = CYAML_MAPPING;
			entry->flags = CYAML_FLAG_DEFAULT;
			entry->data_size = raw_size(f->sub);
			entry->mapping.fields = build_fields(f->sub, oom_bytes);
			if (!entry->mapping.fields)
				goto fail;
			v->type = CYAML_SEQUENCE;
			v->data_size = raw_size(f->sub);
			v->sequence.min = 0;
			v->sequence.max = CYAML_UNLIMITED;
			cf->count_offset = cf->data_offset +
				(uint32_t)offsetof(struct raw_slot, n);
			cf->count_size = sizeof(uint32_t);
		} else {
			v->type = CYAML_STRING;
			v->data_size = sizeof(char);
			v->string.min = 0;
			v->string.max = CYAML_UNLIMITED;
		}
	}
	return fs;
fail:
	free_fields(fs, t);
	return NULL;
}

/* Keeps libcyaml's first error, for the message should it fail. */
static void cyaml_log_capture(cyaml_log_t level, void *ctx, const char *fmt,
			      va_list args)
{
	struct sc_ctx *c = ctx;

	if (level < CYAML_LOG_ERROR || c->cyaml_msg[0])
		return;
	vsnprintf(c->cyaml_msg, sizeof(c->cyaml_msg), fmt, args);
	c->cyaml_msg[strcspn(c->cyaml_msg, "\n")] = '\0';
}

static int convert_struct(struct sc_ctx *c, const struct sc_table *t,
			  const struct raw_slot *raw, void *obj,
			  const char *path);

static int convert_list(struct sc_ctx *c, const struct sc_field *f,
			const struct raw_slot *slot, char *obj,
			const char *path)
{
	size_t n = slot && slot->p ? slot->n : 0;
	char *list = calloc(n ? n : 1, f->sub->size);
	char entry_path[SC_PATH_MAX];

	*(char **)(obj + f->offset) = list;
	if (!list)
		return sc_oom(c, NULL, path, (n ? n : 1) * f->sub->size,
			      "the list");
	*(size_t *)(obj + f->count_offset) = n;
	for (size_t j = 0; j < n && !sc_stop(c); j++) {
		const char *raw = (const char *)slot->p + j * raw_size(f->sub);

		sc_path_index(entry_path, path, j);
		convert_struct(c, f->sub, (const struct raw_slot *)raw,
			       list + j * f->sub->size, entry_path);
	}
	return 0;
}

static bool required_here(const struct sc_field *f, int kind)
{
	return kind < 0 ? f->required != 0 : (f->required & SC_KIND(kind));
}

/* Field i of t: from its text, or its default when not written (or when
 * its text is wrong: reported, and the default stands in). */
static int convert_field(struct sc_ctx *c, const struct sc_table *t,
			 size_t i, const struct raw_slot *raw, char *obj,
			 const char *path, int kind)
{
	const struct sc_field *f = &t->fields[i];
	const struct raw_slot *slot = raw ? &raw[i] : NULL;
	char fpath[SC_PATH_MAX], why[SCENARIO_ERR_MAX];
	char expect[SCENARIO_ERR_MAX];
	const char *text = slot ? slot->p : NULL;
	struct sc_mark m;

	sc_path_key(fpath, path, f->key);
	if (f->type == SC_MAP)
		return convert_struct(c, f->sub, slot ? slot->p : NULL,
				      obj + f->offset, fpath);
	if (f->type == SC_LIST)
		return convert_list(c, f, slot, obj, fpath);
	sc_expect(f, expect, sizeof(expect));
	if (!text) {
		m = sc_mark_of(c, path);
		if (required_here(f, kind))
			return sc_error(c, &m, fpath, "missing (expected %s)",
					expect);
		text = sc_default(f, kind);
		if (!text)
			return 0;
		if (sc_parse_value(f, text, obj + f->offset, why, sizeof(why)))
			return sc_fatal(c, &m, fpath, "%s%s",
					error_is_oom(why) ? "" : "the built-in "
					"default is wrong: ", why);
		return 0;
	}
	if (sc_parse_value(f, text, obj + f->offset, why, sizeof(why))) {
		m = sc_mark_of(c, fpath);
		/* No memory for the value: nothing later can be checked. */
		if (error_is_oom(why))
			return sc_fatal(c, &m, fpath, "%s", why);
		sc_error(c, &m, fpath, "%s (expected %s)", why, expect);
		text = sc_default(f, kind);
		if (text)
			sc_parse_value(f, text, obj + f->offset, why,
				       sizeof(why));
		return -1;
	}
	return 0;
}

static int convert_struct(struct sc_ctx *c, const struct sc_table *t,
			  const struct raw_slot *raw, void *obj,
			  const char *path)
{
	int kind = -1;

	/* The kind first: it decides the defaults of the other keys. */
	if (t->kind_field >= 0) {
		convert_field(c, t, (size_t)t->kind_field, raw, obj, path, -1);
		kind = sc_kind_of(t, obj);
	}
	for (size_t i = 0; i < t->nfields && !sc_stop(c); i++)
		if ((int)i != t->kind_field)
			convert_field(c, t, i, raw, obj, path, kind);
	return 0;
}

/* Loads the prepared YAML with libcyaml and converts it into *out. */
static int load_prepared(struct sc_ctx *c, const char *yaml, size_t len,
			 struct scenario *out)
{
	cyaml_config_t cfg = {
		.log_fn = cyaml_log_capture, .log_ctx = c,
		.mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_DEFAULT,
	};
	cyaml_schema_value_t top = {
		.type = CYAML_MAPPING, .flags = CYAML_FLAG_POINTER,
		.data_size = raw_size(&sc_scenario_table),
	};
	struct raw_slot *raw = NULL;
	size_t bytes = 0;
	cyaml_err_t e;
	int r;

	top.mapping.fields = build_fields(&sc_scenario_table, &bytes);
	if (!top.mapping.fields)
		return sc_oom(c, NULL, "", bytes, "the loader's schema");
	e = cyaml_load_data((const uint8_t *)yaml, len, &cfg, &top,
			    (cyaml_data_t **)&raw, NULL);
	if (e != CYAML_OK)
		r = sc_fatal(c, NULL, "", "libcyaml cannot load the document: "
			     "%s%s%s", cyaml_strerror(e),
			     c->cyaml_msg[0] ? ": " : "", c->cyaml_msg);
	else
		r = convert_struct(c, &sc_scenario_table, raw, out, "");
	cyaml_free(&cfg, &top, raw, 0);
	free_fields((cyaml_schema_field_t *)top.mapping.fields,
		    &sc_scenario_table);
	return r;
}

int scenario_load_string(const char *text, size_t len, const char *path,
			 const char *const *overrides, size_t noverrides,
			 struct scenario *out, char *err, size_t errlen)
{
	struct sc_ctx *c = calloc(1, sizeof(*c));
	char *yaml = NULL;
	size_t yaml_len = 0;
	bool failed;

	assert(out && path && err && errlen && (text || !len));
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (!c) {
		char msg[128];

		error_oom(msg, sizeof(msg), sizeof(*c), "the loader's state");
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	*c = (struct sc_ctx){
		.file = path, .overrides = overrides,
		.noverrides = noverrides, .err = err, .errlen = errlen,
	};
	if (!sc_yaml_prepare(c, text, len, &yaml, &yaml_len) &&
	    !load_prepared(c, yaml, yaml_len, out) && !sc_stop(c))
		sc_resolve(c, out);
	failed = c->nerrors > 0 || c->fatal;
	if (failed)
		sc_errors_finish(c);
	sc_errors_free(c);
	free(yaml);
	sc_ctx_free(c);
	free(c);
	if (failed)
		scenario_free(out);
	return failed ? -1 : 0;
}

int scenario_load(const char *path, const char *const *overrides,
		  size_t noverrides, struct scenario *out, char *err,
		  size_t errlen)
{
	FILE *f;
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int r;

	assert(out && path && err && errlen);
	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read: is a directory "
			 "(expected a scenario file)", path);
		return -1;
	}
	for (;;) {
		size_t got;

		if (len + 4096 > cap) {
			char *t = realloc(text, cap = 2 * cap + 4096);

			if (!t) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "%s: ", path);
				error_oom(err + strlen(err),
					  errlen - strlen(err), cap,
					  "the scenario's text");
				return -1;
			}
			text = t;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	r = ferror(f);
	fclose(f);
	if (r) {
		free(text);
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(EIO));
		return -1;
	}
	r = scenario_load_string(text, len, path, overrides, noverrides, out,
				 err, errlen);
	free(text);
	return r;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->workloads && i < s->nworkloads; i++)
		free(s->workloads[i].file_path);
	sc_free_struct(&sc_scenario_table, s);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

bool scenario_equal(const struct scenario *a, const struct scenario *b)
{
	if (!sc_equal_struct(&sc_scenario_table, a, b))
		return false;
	for (size_t i = 0; i < a->nworkloads; i++)
		if (a->workloads[i].device_index !=
		    b->workloads[i].device_index)
			return false;
	return true;
}
