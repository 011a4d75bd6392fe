/* scenario/scenario_shape.c - checks a YAML document against the schema before
 * any value is read: known keys (of the entry's kind), no key twice,
 * mappings, lists and single values where the schema has them; and notes
 * the position of every key on the way. */
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

static int check_map(struct sc_ctx *c, yaml_document_t *doc, int id,
		     const struct sc_table *t, const char *path);

static int check_list(struct sc_ctx *c, yaml_document_t *doc, int id,
		      const struct sc_field *f, const char *path)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	size_t count = (size_t)(n->data.sequence.items.top -
				n->data.sequence.items.start);
	char item_path[SC_PATH_MAX];

	for (size_t i = 0; i < count; i++) {
		int item;
		struct sc_mark m;

		n = yaml_document_get_node(doc, id);
		item = n->data.sequence.items.start[i];
		m = sc_node_mark(c, doc, item);
		sc_path_index(item_path, path, i);
		if (sc_add_position(c, item_path, m, m))
			return -1;
		if (yaml_document_get_node(doc, item)->type !=
		    YAML_MAPPING_NODE)
			return sc_error(c, &m, item_path, "found %s (expected "
					"a mapping: each entry of %s is %s)",
					node_shape(yaml_document_get_node(
						doc, item)),
					f->key, f->sub->what);
		if (check_map(c, doc, item, f->sub, item_path))
			return -1;
	}
	return 0;
}

/* Checks the value of field f (pair k of mapping `owner`). */
static int check_value(struct sc_ctx *c, yaml_document_t *doc, int owner,
		       size_t k, const struct sc_field *f, const char *path)
{
	yaml_node_t *o = yaml_document_get_node(doc, owner);
	int id = o->data.mapping.pairs.start[k].value;
	yaml_node_t *v = yaml_document_get_node(doc, id);
	struct sc_mark m = sc_node_mark(c, doc, id);
	char expect[SCENARIO_ERR_MAX];
	bool list = f->type == SC_LIST;

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
	if (v->type != YAML_SCALAR_NODE)
		return sc_error(c, &m, path, "found %s (expected %s)",
				node_shape(v), expect);
	return 0;
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

static int check_key(struct sc_ctx *c, yaml_document_t *doc, int id,
		     size_t k, const struct sc_table *t, int kind,
		     const char *path)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	int key_id = n->data.mapping.pairs.start[k].key;
	int value_id = n->data.mapping.pairs.start[k].value;
	yaml_node_t *key = yaml_document_get_node(doc, key_id);
	struct sc_mark km = sc_node_mark(c, doc, key_id);
	char child[SC_PATH_MAX], list[SCENARIO_ERR_MAX], noun[64];
	const struct sc_field *f;
	int first;

	if (key->type != YAML_SCALAR_NODE)
		return sc_error(c, &km, path, "a key that is %s (expected a "
				"plain key)", node_shape(key));
	sc_path_key(child, path, (const char *)key->data.scalar.value);
	f = sc_find(t, (const char *)key->data.scalar.value);
	sc_key_list(t, kind, list, sizeof(list));
	if (!f)
		return sc_error(c, &km, child, "unknown key (expected one of: "
				"%s)", list);
	if (!sc_applies(f, kind)) {
		sc_kind_noun(t, kind, noun, sizeof(noun));
		return sc_error(c, &km, child, "not a key of %s (expected "
				"one of: %s)", noun, list);
	}
	if (repeated_key(doc, id, k, &first)) {
		struct sc_mark fm = sc_node_mark(c, doc, first);

		return sc_error(c, &km, child, "duplicate key, also at line "
				"%zu, column %zu (expected each key once)",
				fm.line, fm.column);
	}
	if (sc_add_position(c, child, km, sc_node_mark(c, doc, value_id)))
		return -1;
	return check_value(c, doc, id, k, f, child);
}

static int check_map(struct sc_ctx *c, yaml_document_t *doc, int id,
		     const struct sc_table *t, const char *path)
{
	int kind = written_kind(doc, id, t);
	yaml_node_t *n = yaml_document_get_node(doc, id);
	size_t count = (size_t)(n->data.mapping.pairs.top -
				n->data.mapping.pairs.start);

	for (size_t k = 0; k < count; k++)
		if (check_key(c, doc, id, k, t, kind, path))
			return -1;
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
		return sc_error(c, &m, "", "found %s (expected a mapping with "
				"the keys %s)", node_shape(root), expect);
	}
	return check_map(c, doc, 1, &sc_scenario_table, "");
}
