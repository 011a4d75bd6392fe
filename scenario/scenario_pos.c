/* scenario/scenario_pos.c - where things are: key paths, and the line and
 * column (or --set override) of every key. */
#include "scenario/scenario_internal.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sc_oom(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	   size_t bytes, const char *what)
{
	char msg[256];

	error_oom(msg, sizeof(msg), bytes, "%s", what);
	return sc_fatal(c, m, path, "%s", msg);
}

int sc_oom_node(struct sc_ctx *c, const struct sc_mark *m, const char *path)
{
	if (c->fatal)
		return -1;
	return sc_fatal(c, m, path, "out of memory: libyaml, making a node");
}

/* out may be path itself; a path too long for SC_PATH_MAX is cut. */
static void path_join(char *out, const char *path, const char *sep,
		      const char *tail, const char *end)
{
	char buf[2 * SC_PATH_MAX];
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "%s%s%s%s", path, sep, tail,
			     end);
	if (n >= SC_PATH_MAX)
		n = SC_PATH_MAX - 1;
	memcpy(out, buf, n);
	out[n] = '\0';
}

void sc_path_key(char *out, const char *path, const char *key)
{
	path_join(out, path, *path ? "." : "", key, "");
}

void sc_path_index(char *out, const char *path, size_t i)
{
	char index[24];

	snprintf(index, sizeof(index), "%zu", i);
	path_join(out, path, "[", index, "]");
}

const struct sc_pos *sc_pos_find(const struct sc_ctx *c, const char *path)
{
	for (size_t i = 0; i < c->npos; i++)
		if (!strcmp(c->pos[i].path, path))
			return &c->pos[i];
	return NULL;
}

struct sc_mark sc_mark_of(const struct sc_ctx *c, const char *path)
{
	char p[SC_PATH_MAX];
	const struct sc_pos *pos;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		char *cut;

		pos = sc_pos_find(c, p);
		if (pos)
			return pos->value;
		cut = strrchr(p, '.');
		if (!cut)
			cut = strrchr(p, '[');
		if (!cut)
			break;
		*cut = '\0';
	}
	pos = sc_pos_find(c, "");
	if (pos)
		return pos->value;
	return (struct sc_mark){ 1, 1, -1 };
}

struct sc_mark sc_blame(const struct sc_ctx *c, const char *a, const char *b)
{
	const struct sc_pos *pa = sc_pos_find(c, a), *pb = sc_pos_find(c, b);
	int oa = pa ? pa->value.origin : -1, ob = pb ? pb->value.origin : -1;

	if (oa >= 0 || ob >= 0)
		return oa > ob ? pa->value : pb->value;
	if (pa)
		return pa->value;
	if (pb)
		return pb->value;
	return sc_mark_of(c, a);
}

void sc_clear_positions(struct sc_ctx *c)
{
	for (size_t i = 0; i < c->npos; i++)
		free(c->pos[i].path);
	c->npos = 0;
}

void sc_ctx_free(struct sc_ctx *c)
{
	sc_clear_positions(c);
	free(c->pos);
	free(c->origin);
	c->pos = NULL;
	c->origin = NULL;
	c->pos_cap = c->norigin = 0;
}

int sc_add_position(struct sc_ctx *c, const char *path,
		    struct sc_mark key, struct sc_mark value)
{
	if (c->npos == c->pos_cap) {
		size_t cap = c->pos_cap ? 2 * c->pos_cap : 64;
		struct sc_pos *p = realloc(c->pos, cap * sizeof(*p));

		if (!p)
			return sc_oom(c, NULL, path, cap * sizeof(*p),
				      "key positions");
		c->pos = p;
		c->pos_cap = cap;
	}
	c->pos[c->npos].path = strdup(path);
	if (!c->pos[c->npos].path)
		return sc_oom(c, NULL, path, strlen(path) + 1, "key path");
	c->pos[c->npos].key = key;
	c->pos[c->npos].value = value;
	c->npos++;
	return 0;
}

int sc_set_origin(struct sc_ctx *c, int id, int origin)
{
	if ((size_t)id > c->norigin) {
		size_t n = (size_t)id + 32;
		int *o = realloc(c->origin, n * sizeof(*o));

		if (!o)
			return sc_oom(c, NULL, "", n * sizeof(*o),
				      "override origins");
		for (size_t i = c->norigin; i < n; i++)
			o[i] = -1;
		c->origin = o;
		c->norigin = n;
	}
	c->origin[id - 1] = origin;
	return 0;
}

struct sc_mark sc_node_mark(const struct sc_ctx *c, yaml_document_t *doc,
			    int id)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	struct sc_mark m = { 1, 1, -1 };

	if ((size_t)id <= c->norigin && c->origin[id - 1] >= 0) {
		m.origin = c->origin[id - 1];
		return m;
	}
	if (n) {
		m.line = n->start_mark.line + 1;
		m.column = n->start_mark.column + 1;
	}
	return m;
}
