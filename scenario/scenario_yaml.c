/* scenario/scenario_yaml.c - the libyaml pass: reads the text as one YAML
 * document (syntax errors with their line, column and key), has its shape
 * checked, applies --set overrides, and prints it again for libcyaml. */
#include "scenario/scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key path of the place a parser has reached, followed event by
 * event: libyaml reports a syntax error with a position but no key. */
#define TRACK_DEPTH 32

struct track_frame {
	bool map;          /* a mapping, else a list */
	bool want_key;     /* mapping: the next node is a key */
	char key[64];      /* mapping: the key whose value is being read */
	long index;        /* list: the entry being read, -1 before any */
};

struct path_tracker {
	struct track_frame frame[TRACK_DEPTH];
	int depth;         /* may exceed TRACK_DEPTH; deeper is not kept */
};

static struct track_frame *track_top(struct path_tracker *t)
{
	return t->depth > 0 && t->depth <= TRACK_DEPTH
	       ? &t->frame[t->depth - 1] : NULL;
}

/* A node (scalar, alias, mapping or list) begins inside the top frame. */
static void track_node(struct path_tracker *t, const yaml_event_t *e)
{
	struct track_frame *top = track_top(t);

	if (!top)
		return;
	if (!top->map) {
		top->index++;
	} else if (top->want_key && e->type == YAML_SCALAR_EVENT) {
		snprintf(top->key, sizeof(top->key), "%s",
			 (const char *)e->data.scalar.value);
		top->want_key = false;
	} else if (e->type == YAML_SCALAR_EVENT ||
		   e->type == YAML_ALIAS_EVENT) {
		top->want_key = true;          /* a value ends its pair */
	}
}

static void track_event(struct path_tracker *t, const yaml_event_t *e)
{
	struct track_frame *top;

	switch (e->type) {
	case YAML_SCALAR_EVENT:
	case YAML_ALIAS_EVENT:
		track_node(t, e);
		break;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		track_node(t, e);
		if (++t->depth <= TRACK_DEPTH)
			t->frame[t->depth - 1] = (struct track_frame){
				e->type == YAML_MAPPING_START_EVENT, true,
				"", -1 };
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		t->depth--;
		top = track_top(t);
		if (top && top->map)
			top->want_key = true;  /* the mapping or list was a
						  value */
		break;
	default:
		break;
	}
}

/* The path to the innermost key whose value was being read. */
static void tracked_path(const struct path_tracker *t, char *out)
{
	out[0] = '\0';
	for (int i = 0; i < t->depth && i < TRACK_DEPTH; i++) {
		const struct track_frame *f = &t->frame[i];

		if (f->map && !f->want_key)
			sc_path_key(out, out, f->key);
		else if (!f->map && f->index >= 0 && i + 1 < t->depth)
			sc_path_index(out, out, (size_t)f->index);
		else
			break;
	}
}

/* The key path at byte `stop` of text (where an error was found). */
static void error_path(const char *text, size_t len, size_t stop, char *out)
{
	struct path_tracker t = { .depth = 0 };
	yaml_parser_t p;
	yaml_event_t e;

	out[0] = '\0';
	if (!yaml_parser_initialize(&p))
		return;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (yaml_parser_parse(&p, &e)) {
		bool done = e.type == YAML_STREAM_END_EVENT ||
			    e.start_mark.index >= stop;

		if (!done)
			track_event(&t, &e);
		yaml_event_delete(&e);
		if (done)
			break;
	}
	yaml_parser_delete(&p);
	tracked_path(&t, out);
}

/* The line and column of byte `offset` of text. */
static struct sc_mark offset_mark(const char *text, size_t len,
				  size_t offset)
{
	struct sc_mark m = { 1, 1, -1 };

	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.column++;    /* count characters, not bytes */
		}
	}
	return m;
}

static int syntax_error(struct sc_ctx *c, yaml_parser_t *p, const char *text,
			size_t len)
{
	struct sc_mark m = { p->problem_mark.line + 1,
			     p->problem_mark.column + 1, -1 };
	char path[SC_PATH_MAX];

	if (p->error == YAML_READER_ERROR)
		m = offset_mark(text, len, p->problem_offset);
	error_path(text, len, p->error == YAML_READER_ERROR
		   ? p->problem_offset : p->problem_mark.index, path);
	switch (p->error) {
	case YAML_READER_ERROR:
		return sc_fatal(c, &m, path, "not YAML text: %s (expected "
				"UTF-8 text without control characters)",
				p->problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
	case YAML_COMPOSER_ERROR:
		break;
	default:
		return sc_fatal(c, NULL, "", "cannot read the YAML: %s",
				p->problem ? p->problem : "out of memory");
	}
	if (p->context)
		return sc_fatal(c, &m, path, "YAML syntax error: %s (%s "
				"started at line %zu, column %zu)",
				p->problem, p->context,
				p->context_mark.line + 1,
				p->context_mark.column + 1);
	return sc_fatal(c, &m, path, "YAML syntax error: %s", p->problem);
}

/* Loads the first document, and makes sure no second one follows. */
static int load_document(struct sc_ctx *c, const char *text, size_t len,
			 yaml_document_t *doc)
{
	yaml_parser_t p;
	yaml_document_t extra;
	int r = 0;

	if (!yaml_parser_initialize(&p))
		return sc_fatal(c, NULL, "", "out of memory: libyaml's parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, doc)) {
		r = syntax_error(c, &p, text, len);
		yaml_parser_delete(&p);
		return r;
	}
	if (!yaml_parser_load(&p, &extra)) {
		r = syntax_error(c, &p, text, len);
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&extra);

		if (root) {
			struct sc_mark m = { extra.start_mark.line + 1,
					     extra.start_mark.column + 1, -1 };

			r = sc_fatal(c, &m, "", "a second YAML document "
				     "(expected one document per scenario)");
		}
		yaml_document_delete(&extra);
	}
	if (r)
		yaml_document_delete(doc);
	yaml_parser_delete(&p);
	return r;
}

struct out_buf {
	char *data;
	size_t len, cap;
	size_t oom_bytes;          /* a growth that found no memory */
};

static int write_out(void *ctx, unsigned char *buffer, size_t size)
{
	struct out_buf *b = ctx;

	if (b->len + size + 1 > b->cap) {
		size_t cap = 2 * (b->len + size + 1);
		char *d = realloc(b->data, cap);

		if (!d) {
			b->oom_bytes = cap;
			return 0;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buffer, size);
	b->len += size;
	b->data[b->len] = '\0';
	return 1;
}

/* Prints doc (and consumes it, as yaml_emitter_dump does). */
static int emit_document(struct sc_ctx *c, yaml_document_t *doc, char **out,
			 size_t *outlen)
{
	yaml_emitter_t em;
	struct out_buf b = { NULL, 0, 0, 0 };
	char problem[128];
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		yaml_document_delete(doc);
		return sc_fatal(c, NULL, "", "out of memory: libyaml's emitter");
	}
	yaml_emitter_set_output(&em, write_out, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	ok = yaml_emitter_open(&em);
	if (!ok)
		yaml_document_delete(doc);
	/* yaml_emitter_dump releases the document, even when it fails. */
	ok = ok && yaml_emitter_dump(&em, doc) && yaml_emitter_close(&em) &&
	     yaml_emitter_flush(&em);
	snprintf(problem, sizeof(problem), "%s",
		 em.problem ? em.problem : "out of memory");
	yaml_emitter_delete(&em);
	if (!ok || !b.data) {
		free(b.data);
		if (b.oom_bytes)
			return sc_oom(c, NULL, "", b.oom_bytes,
				      "the document's text");
		return sc_fatal(c, NULL, "", "cannot print the document: %s",
				problem);
	}
	*out = b.data;
	*outlen = b.len;
	return 0;
}

int sc_yaml_prepare(struct sc_ctx *c, const char *text, size_t len,
		    char **out, size_t *outlen)
{
	yaml_document_t doc;

	if (load_document(c, text, len, &doc))
		return -1;
	/* Check the file as written first, so that its own mistakes are
	 * reported at their place (and taken out); then again with the
	 * overrides in, for what they bring. */
	if (sc_check_shape(c, &doc))
		goto fail;
	for (size_t i = 0; i < c->noverrides && !sc_stop(c); i++)
		sc_apply_override(c, &doc, i);
	if (sc_stop(c) || (c->noverrides && sc_check_shape(c, &doc)))
		goto fail;
	return emit_document(c, &doc, out, outlen);
fail:
	yaml_document_delete(&doc);
	return -1;
}
