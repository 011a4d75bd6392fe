/* scenario/scenario_shape.c - checks a YAML document against the schema before
 * any value is read: known keys (of the entry's kind), no key twice,
 * mappings, lists and single values where the schema has them; and notes
 * the position of every key on the way. A key or list entry found wrong is
 * reported and taken out of the document, so that the rest still loads
 * and its own mistakes are found too.
 *
 * The checks below return 0 (keep), DROP (reported: take it out) or -1
 * (fatal: stop). */
#include "scenario/scenario_internal.h"

#include <string.h>

static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(v, nulls[i]))
			return true;
	return false;
}

static const char *node_shape(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return "a single value";
}

/* Replaces a null value (`machine:` with nothing after it) by an empty
 * mapping or list at the same place. Returns the new node id, or 0. */
static int empty_node(yaml_document_t *doc, int pair_owner, size_t k,
		      bool list)
{
	yaml_node_t *n = yaml_document_get_node(doc, pair_owner);
	yaml_mark_t mark = yaml_document_get_node(
		doc, n->data.mapping.pairs.start[k].value)->start_mark;
	int id = list ? yaml_document_add_sequence(doc, NULL,
						   YAML_BLOCK_SEQUENCE_STYLE)
		      : yaml_document_add_mapping(doc, NULL,
						  YAML_BLOCK_MAPPING_STYLE);

	if (!id)
		return 0;
	yaml_document_get_node(doc, id)->start_mark = mark;
	n = yaml_document_get_node(doc, pair_owner);
	n->data.mapping.pairs.start[k].value = id;
	return id;
}

#define DROP 1

static int check_map(struct sc_ctx *c, yaml_document_t *doc, int id,
		     const struct sc_table *t, const char *path);

/* Takes item i out of a list, or pair i out of a mapping (the node itself
 * stays in the document, unreferenced). */
static void remove_item(yaml_document_t *doc, int id, size_t i)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	if (n->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it = n->data.sequence.items.start;
		size_t count = (size_t)(n->data.sequence.items.top - it);

		memmove(it + i, it + i + 1, (count - i - 1) * sizeof(*it));
		n->data.sequence.items.top--;
	} else {
		yaml_node_pair_t *p = n->data.mapping.pairs.start;
		size_t count = (size_t)(n->data.mapping.pairs.top - p);

		memmove(p + i, p + i + 1, (count - i - 1) * sizeof(*p));
		n->data.mapping.pairs.top--;
	}
}

static size_t item_count(yaml_document_t *doc, int id)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(n->data.sequence.items.top -
				n->data.sequence.items.start);
	return (size_t)(n->data.mapping.pairs.top -
			n->data.mapping.pairs.start);
}

static int check_list(struct sc_ctx *c, yaml_document_t *doc, int id,
		      const struct sc_field *f, const char *path)
{
	char item_path[SC_PATH_MAX];
	size_t shown = 0;    /* the entry's index as written, for messages */

	for (size_t i = 0; i < item_count(doc, id) && !sc_stop(c); shown++) {
		yaml_node_t *n = yaml_document_get_node(doc, id);
		int item = n->data.sequence.items.start[i];
		struct sc_mark m = sc_node_mark(c, doc, item);

		sc_path_index(item_path, path, shown);
		if (yaml_document_get_node(doc, item)->type !=
		    YAML_MAPPING_NODE) {
			sc_error(c, &m, item_path, "found %s (expected a "
				 "mapping: each entry of %s is %s)",
				 node_shape(yaml_document_get_node(doc, item)),
				 f->key, f->sub->what);
			remove_item(doc, id, i);
			continue;
		}
		sc_path_index(item_path, path, i);
		if (sc_add_position(c, item_path, m, m) ||
		    check_map(c, doc, item, f->sub, item_path))
			return -1;
		i++;
	}
	return 0;
}

/* Checks the value of field f (pair k of mapping `owner`, its key at km),
 * and records the key's position. */
static int check_value(struct sc_ctx *c, yaml_document_t *doc, int owner,
		       size_t k, const struct sc_field *f, const char *path,
		       struct sc_mark km)
{
	yaml_node_t *o = yaml_document_get_node(doc, owner);
	int id = o->data.mapping.pairs.start[k].value;
	yaml_node_t *v = yaml_document_get_node(doc, id);
	struct sc_mark m = sc_node_mark(c, doc, id);
	char expect[SCENARIO_ERR_MAX];
	bool list = f->type == SC_LIST;
	bool nested = f->type == SC_MAP || list;

	sc_expect(f, expect, sizeof(expect));
	if (f->type == SC_MAP || list) {
		if (is_null(v)) {
			id = empty_node(doc, owner, k, list);
			if (!id)
				return sc_oom_node(c, &m, path);
			if (m.origin >= 0 && sc_set_origin(c, id, m.origin))
				return -1;
			v = yaml_document_get_node(doc, id);
		}
		if (v->type != (list ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE))
			return sc_error(c, &m, path, "found %s (expected %s)",
					node_shape(v), expect);
		return list ? check_list(c, doc, id, f, path)
			    : check_map(c, doc, id, f->sub, path);
	}
	if (nested ? v->type != (list ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE)
		   : v->type != YAML_SCALAR_NODE) {
		sc_error(c, &m, path, "found %s (expected %s)", node_shape(v),
			 expect);
		return DROP;
	}
	if (sc_add_position(c, path, km, m))
		return -1;
	if (!nested)
		return 0;
	return list ? check_list(c, doc, id, f, path)
		    : check_map(c, doc, id, f->sub, path);
}

/* The kind written in a mapping of t (its kind field's value), or -1. */
static int written_kind(yaml_document_t *doc, int id,
			const struct sc_table *t)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	const struct sc_field *kf;

	if (t->kind_field < 0)
		return -1;
	kf = &t->fields[t->kind_field];
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(doc, p->key);
		yaml_node_t *val = yaml_document_get_node(doc, p->value);

		if (key->type == YAML_SCALAR_NODE &&
		    val->type == YAML_SCALAR_NODE &&
		    !strcmp((char *)key->data.scalar.value, kf->key))
			return sc_enum_value(kf->names,
					     (char *)val->data.scalar.value);
	}
	return -1;
}

/* Whether pair k's key repeats an earlier key of the mapping; *first gets
 * the earlier key's node. */
static bool repeated_key(yaml_document_t *doc, int id, size_t k, int *first)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	const char *key = (const char *)yaml_document_get_node(
		doc, n->data.mapping.pairs.start[k].key)->data.scalar.value;

	for (size_t j = 0; j < k; j++) {
		yaml_node_t *kj = yaml_document_get_node(
			doc, n->data.mapping.pairs.start[j].key);

		if (kj->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)kj->data.scalar.value, key)) {
			*first = n->data.mapping.pairs.start[j].key;
			return true;
		}
	}
	return false;
}

static int unknown_key(struct sc_ctx *c, const struct sc_mark *km,
		       const char *child, const struct sc_table *t, int kind,
		       const char *key)
{
	char list[SCENARIO_ERR_MAX], hint[SCENARIO_ERR_MAX];

	sc_key_list(t, kind, list, sizeof(list));
	sc_suggest_key(t, kind, key, hint, sizeof(hint));
	sc_error(c, km, child, "unknown key%s%s (expected one of: %s)",
		 hint[0] ? "; " : "", hint, list);
	return DROP;
}

static int check_key(struct sc_ctx *c, yaml_document_t *doc, int id,
		     size_t k, const struct sc_table *t, int kind,
		     const char *path)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	int key_id = n->data.mapping.pairs.start[k].key;
	yaml_node_t *key = yaml_document_get_node(doc, key_id);
	struct sc_mark km = sc_node_mark(c, doc, key_id);
	char child[SC_PATH_MAX], list[SCENARIO_ERR_MAX], noun[64];
	const char *name;
	const struct sc_field *f;
	int first;

	if (key->type != YAML_SCALAR_NODE) {
		sc_error(c, &km, path, "a key that is %s (expected a plain "
			 "key)", node_shape(key));
		return DROP;
	}
	name = (const char *)key->data.scalar.value;
	sc_path_key(child, path, name);
	f = sc_find(t, name);
	if (!f)
		return unknown_key(c, &km, child, t, kind, name);
	if (!sc_applies(f, kind)) {
		sc_key_list(t, kind, list, sizeof(list));
		sc_kind_noun(t, kind, noun, sizeof(noun));
		sc_error(c, &km, child, "not a key of %s (expected one of: "
			 "%s)", noun, list);
		return DROP;
	}
	if (repeated_key(doc, id, k, &first)) {
		struct sc_mark fm = sc_node_mark(c, doc, first);

		sc_error(c, &km, child, "duplicate key, also at line %zu, "
			 "column %zu (expected each key once)", fm.line,
			 fm.column);
		return DROP;
	}
	return check_value(c, doc, id, k, f, child, km);
}

static int check_map(struct sc_ctx *c, yaml_document_t *doc, int id,
		     const struct sc_table *t, const char *path)
{
	int kind = written_kind(doc, id, t);

	for (size_t k = 0; k < item_count(doc, id) && !sc_stop(c);) {
		int r = check_key(c, doc, id, k, t, kind, path);

		if (r < 0)
			return -1;
		if (r == DROP)
			remove_item(doc, id, k);
		else
			k++;
	}
	return 0;
}

int sc_check_shape(struct sc_ctx *c, yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	struct sc_mark m = { 1, 1, -1 };
	char expect[SCENARIO_ERR_MAX];

	sc_clear_positions(c);
	if (!root || is_null(root)) {
		yaml_document_delete(doc);
		if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1) ||
		    !yaml_document_add_mapping(doc, NULL,
					       YAML_BLOCK_MAPPING_STYLE))
			return sc_oom_node(c, NULL, "");
		root = yaml_document_get_root_node(doc);
	}
	m = sc_node_mark(c, doc, 1);
	if (sc_add_position(c, "", m, m))
		return -1;
	if (root->type != YAML_MAPPING_NODE) {
		sc_key_list(&sc_scenario_table, -1, expect, sizeof(expect));
		return sc_fatal(c, &m, "", "found %s (expected a mapping with "
				"the keys %s)", node_shape(root), expect);
	}
	return check_map(c, doc, 1, &sc_scenario_table, "");
}
