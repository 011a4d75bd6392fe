/* scenario/scenario_override.c - `--set key.path=value`: puts one scalar into
 * the YAML document before it is loaded, making the mappings, list entries
 * and keys on the way when the schema has them.
 *
 * A path is keys joined by dots; a list entry is `.N` or `[N]`
 * (`workloads.0.size`, `workloads[0].size`). N may be the list's length,
 * which appends an entry. The value is taken literally as a string. */
#include "scenario/scenario_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 16

struct segment {
	char name[64];
	bool is_index;
	size_t index;
};

struct walk {
	struct sc_ctx *c;
	yaml_document_t *doc;
	int origin;                   /* the override's index */
	struct sc_mark mark;          /* for messages: from the override */
	char canon[SC_PATH_MAX];      /* the path so far, as messages say it */
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int add_segment(struct segment *seg, size_t *n, const char *s,
		       size_t len, bool bracket)
{
	if (*n == MAX_SEGMENTS || !len || len >= sizeof(seg->name))
		return -1;
	memcpy(seg[*n].name, s, len);
	seg[*n].name[len] = '\0';
	seg[*n].is_index = bracket || all_digits(seg[*n].name);
	if (seg[*n].is_index) {
		if (!all_digits(seg[*n].name))
			return -1;
		seg[*n].index = strtoul(seg[*n].name, NULL, 10);
	}
	(*n)++;
	return 0;
}

/* Splits "workloads[0].size" or "workloads.0.size" into segments. */
static int split_path(const char *path, struct segment *seg, size_t *n)
{
	const char *p = path;

	*n = 0;
	while (*p) {
		size_t len = strcspn(p, ".[");

		if (len ? add_segment(seg, n, p, len, false) : *p != '[')
			return -1;
		p += len;
		while (*p == '[') {
			const char *close = strchr(p, ']');

			if (!close ||
			    add_segment(seg, n, p + 1,
					(size_t)(close - p - 1), true))
				return -1;
			p = close + 1;
		}
		if (*p == '.' && !*++p)
			return -1;          /* a trailing dot */
		if (*p && p[-1] != '.')
			return -1;          /* "a[0]b" */
	}
	return *n ? 0 : -1;
}

static int new_node(struct walk *w, int id)
{
	if (!id || sc_set_origin(w->c, id, w->origin))
		return 0;
	return id;
}

static int new_scalar(struct walk *w, const char *text)
{
	return new_node(w, yaml_document_add_scalar(
				   w->doc, NULL, (yaml_char_t *)text,
				   (int)strlen(text), YAML_ANY_SCALAR_STYLE));
}

/* The value of key in mapping `map`; with `make`, creates it (a mapping,
 * a list or an empty scalar as f says) when missing. Returns its id, 0 on
 * failure; *k gets the pair's index. */
static int child(struct walk *w, int map, const struct sc_field *f,
		 size_t *k)
{
	yaml_node_t *n = yaml_document_get_node(w->doc, map);
	size_t count = (size_t)(n->data.mapping.pairs.top -
				n->data.mapping.pairs.start);
	int key, value;

	for (*k = 0; *k < count; (*k)++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[*k];
		yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);

		if (kn->type == YAML_SCALAR_NODE &&
		    !strcmp((char *)kn->data.scalar.value, f->key))
			return p->value;
	}
	key = new_scalar(w, f->key);
	if (f->type == SC_MAP)
		value = new_node(w, yaml_document_add_mapping(
				     w->doc, NULL, YAML_BLOCK_MAPPING_STYLE));
	else if (f->type == SC_LIST)
		value = new_node(w, yaml_document_add_sequence(
				     w->doc, NULL, YAML_BLOCK_SEQUENCE_STYLE));
	else
		value = new_scalar(w, "");
	if (!key || !value ||
	    !yaml_document_append_mapping_pair(w->doc, map, key, value))
		return 0;
	return value;
}

/* Entry `index` of list `seq`; index == length appends an empty one. */
static int list_entry(struct walk *w, int seq, size_t index)
{
	yaml_node_t *n = yaml_document_get_node(w->doc, seq);
	size_t count = (size_t)(n->data.sequence.items.top -
				n->data.sequence.items.start);
	int id;

	if (index < count)
		return n->data.sequence.items.start[index];
	if (index > count) {
		sc_error(w->c, &w->mark, w->canon, "no entry %zu, the list has "
			 "%zu (expected an index up to %zu; %zu appends an "
			 "entry)", index, count, count, count);
		return -1;
	}
	id = new_node(w, yaml_document_add_mapping(w->doc, NULL,
						    YAML_BLOCK_MAPPING_STYLE));
	if (!id || !yaml_document_append_sequence_item(w->doc, seq, id))
		return sc_oom_node(w->c, &w->mark, w->canon);
	return id;
}

static int replace_value(struct walk *w, int map, size_t k, const char *text)
{
	int id = new_scalar(w, text);
	yaml_node_t *n;

	if (!id)
		return sc_oom_node(w->c, &w->mark, w->canon);
	n = yaml_document_get_node(w->doc, map);
	n->data.mapping.pairs.start[k].value = id;
	return 0;
}

/* Follows the segments from the root, through the schema's tables. */
static int walk_path(struct walk *w, const struct segment *seg, size_t n,
		     const char *value)
{
	const struct sc_table *t = &sc_scenario_table;
	int node = 1;
	char keys[SCENARIO_ERR_MAX], hint[SCENARIO_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct sc_field *f = seg[i].is_index
					   ? NULL : sc_find(t, seg[i].name);
		bool last = i + 1 == n;
		size_t k;
		int id;

		if (!f) {
			sc_key_list(t, -1, keys, sizeof(keys));
			sc_suggest_key(t, -1, seg[i].name, hint, sizeof(hint));
			sc_path_key(w->canon, w->canon, seg[i].name);
			return sc_error(w->c, &w->mark, w->canon, "unknown key"
					"%s%s (expected one of: %s)",
					hint[0] ? "; " : "", hint, keys);
		}
		sc_path_key(w->canon, w->canon, f->key);
		if (f->type != SC_MAP && f->type != SC_LIST && !last)
			return sc_error(w->c, &w->mark, w->canon, "a single "
					"value has no key \"%s\" (expected the "
					"path to end here)", seg[i + 1].name);
		if (f->type == SC_MAP && last)
			return sc_error(w->c, &w->mark, w->canon, "a mapping, "
					"not a single value (expected a path "
					"to a single value, "
					"such as %s.%s)", w->canon,
					f->sub->fields[0].key);
		if (f->type == SC_LIST && (last || !seg[i + 1].is_index))
			return sc_error(w->c, &w->mark, w->canon, "a list, "
					"not a single value (expected an entry "
					"and a key, such as "
					"%s.0.%s)", w->canon,
					f->sub->fields[0].key);
		id = child(w, node, f, &k);
		if (!id)
			return sc_oom_node(w->c, &w->mark, w->canon);
		if (f->type != SC_MAP && f->type != SC_LIST)
			return replace_value(w, node, k, value);
		if (f->type == SC_LIST) {
			i++;
			id = list_entry(w, id, seg[i].index);
			if (id < 0)
				return -1;
			sc_path_index(w->canon, w->canon, seg[i].index);
			if (i + 1 == n)
				return sc_error(w->c, &w->mark, w->canon,
						"a list entry, not a single "
						"value (expected a key of it, "
						"such as %s.%s)",
						w->canon,
						f->sub->fields[0].key);
		}
		node = id;
		t = f->sub;
	}
	return 0;
}

int sc_apply_override(struct sc_ctx *c, yaml_document_t *doc, size_t idx)
{
	const char *spec = c->overrides[idx];
	const char *eq = strchr(spec, '=');
	struct segment seg[MAX_SEGMENTS];
	struct walk w = { c, doc, (int)idx, { 0, 0, (int)idx }, "" };
	char path[SC_PATH_MAX];
	size_t n;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(path))
		return sc_error(c, &w.mark, NULL, "not of the form "
				"key.path=value "
				"(expected --set machine.cpus=8)");
	memcpy(path, spec, (size_t)(eq - spec));
	path[eq - spec] = '\0';
	if (split_path(path, seg, &n))
		return sc_error(c, &w.mark, path, "cannot read the key path "
				"(expected keys joined by dots, list entries "
				"as .N or [N])");
	if (seg[0].is_index)
		return sc_error(c, &w.mark, path, "the document is not a list "
				"(expected a key first)");
	return walk_path(&w, seg, n, eq + 1);
}
