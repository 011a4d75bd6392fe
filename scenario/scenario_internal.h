/* scenario/scenario_internal.h - what the loader's files share: the load
 * context, source positions by key path, and the error formatter.
 * Private to the files of scenario/.
 *
 * A key path names a value the way messages print it: `machine.cpus`,
 * `workloads[1].queue_depth`; "" is the document itself.
 */
#ifndef SWSIM_SCENARIO_SCENARIO_INTERNAL_H
#define SWSIM_SCENARIO_SCENARIO_INTERNAL_H

#include "scenario/scenario_schema.h"

#include <stddef.h>
#include <yaml.h>

#define SC_PATH_MAX 256

/* Where a node came from: a line and column of the file (1-based), or the
 * --set override that made it (origin >= 0, its index). */
struct sc_mark {
	size_t line, column;
	int origin;
};

/* A key as written: its path, where its key and its value are. */
struct sc_pos {
	char *path;
	struct sc_mark key, value;
};

struct sc_ctx {
	const char *file;                /* names the file in messages */
	const char *const *overrides;
	size_t noverrides;
	struct sc_pos *pos;
	size_t npos, pos_cap;
	int *origin;                     /* by node id - 1; -1: the file */
	size_t norigin;
	char *err;
	size_t errlen;
	char cyaml_msg[256];             /* libcyaml's first error */
};

/* Formats "FILE:LINE:COLUMN: PATH: what (expected ...)" (or "--set SPEC:
 * PATH: ..." for a mark from an override) into c->err. Path "" is the
 * document, printed "(document)"; a NULL path is left out (only for an
 * override that has no key path). Returns -1. */
int sc_error(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* sc_error() with "out of memory: WHAT (N bytes)". Returns -1. */
int sc_oom(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	   size_t bytes, const char *what);
/* A YAML node could not be made: libyaml ran out of memory (its sizes are
 * its own), unless sc_set_origin() did and said so already. Returns -1. */
int sc_oom_node(struct sc_ctx *c, const struct sc_mark *m, const char *path);

/* The position of the key at path, or NULL when it was not written. */
const struct sc_pos *sc_pos_find(const struct sc_ctx *c, const char *path);
/* The mark of the value at path, or of its nearest written ancestor. */
struct sc_mark sc_mark_of(const struct sc_ctx *c, const char *path);
void sc_ctx_free(struct sc_ctx *c);
int sc_add_position(struct sc_ctx *c, const char *path, struct sc_mark key,
		    struct sc_mark value);
void sc_clear_positions(struct sc_ctx *c);

/* path + "." + key (or key alone at the top), and path + "[i]". */
void sc_path_key(char *out, const char *path, const char *key);
void sc_path_index(char *out, const char *path, size_t i);

/* scenario_yaml.c: reads text as one YAML document, checks its structure
 * against the schema (keys, mappings, lists, scalars), applies the
 * overrides, records every key's position, and prints the result as YAML
 * for libcyaml in a malloc'd *out. Returns 0 or -1 (message in c->err). */
int sc_yaml_prepare(struct sc_ctx *c, const char *text, size_t len,
		    char **out, size_t *outlen);

/* The mark of node id: the file's, or the override's that made it. */
struct sc_mark sc_node_mark(const struct sc_ctx *c, yaml_document_t *doc,
			    int id);
/* Notes that override number `origin` made node id; -1 with the error
 * when out of memory. */
int sc_set_origin(struct sc_ctx *c, int id, int origin);

/* scenario_shape.c: checks doc's keys and shapes against the schema and
 * records every key's position (afresh at each call). An empty document
 * becomes an empty mapping; a key written with no value (`machine:`)
 * becomes an empty mapping or list when the schema has one there. */
int sc_check_shape(struct sc_ctx *c, yaml_document_t *doc);

/* scenario_override.c: applies override number idx to doc. */
int sc_apply_override(struct sc_ctx *c, yaml_document_t *doc, size_t idx);

/* scenario_check.c: the checks across keys (names unique, devices named,
 * CPUs that exist, param against slabs, ...) and the derived fields. */
int sc_resolve(struct sc_ctx *c, struct scenario *s);

#endif
