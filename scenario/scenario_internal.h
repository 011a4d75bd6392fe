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

/* One recorded error: its line of text, the key path it is about (for
 * reporting each path once) and where it points (for sorting). */
struct sc_error {
	char text[SCENARIO_ERR_MAX];
	char *path;
	size_t place[3];
	size_t seq;
};

struct sc_ctx {
	const char *file;                /* names the file in messages */
	const char *const *overrides;
	size_t noverrides;
	struct sc_pos *pos;
	size_t npos, pos_cap;
	int *origin;                     /* by node id - 1; -1: the file */
	size_t norigin;
	char *err;                       /* the caller's buffer */
	size_t errlen;
	struct sc_error errors[SCENARIO_ERRORS_MAX];
	size_t nerrors;
	bool more;                       /* errors past the limit were lost */
	bool fatal;                      /* nothing more can be checked */
	char cyaml_msg[256];             /* libcyaml's first error */
};

/* Errors (scenario_errors.c). A check that finds a mistake records it with
 * sc_error() and returns -1, and its caller goes on with the next check:
 * the load collects every error, up to SCENARIO_ERRORS_MAX, and fails at
 * the end with all of them, one line each, sorted by place. A check that
 * finds a bad value leaves the default in its place, so later checks see
 * a whole scenario. New checks plug in the same way: sc_error() and on.
 *
 * sc_error formats "FILE:LINE:COLUMN: PATH: what (expected ...)" (or
 * "--set SPEC: PATH: ..." for a mark from an override; "FILE: PATH: ..."
 * without a mark). Path "" is the document, printed "(document)"; a NULL
 * path is left out (only for an override that has no key path). Only the
 * first error about a path is kept. Returns -1.
 * sc_fatal records an error after which nothing can be checked (the YAML
 * does not read, memory ran out); sc_oom (below) is sc_fatal for out of memory.
 * sc_stop says whether to stop looking: fatal, or the limit reached. */
int sc_error(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int sc_fatal(struct sc_ctx *c, const struct sc_mark *m, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool sc_stop(const struct sc_ctx *c);
/* Writes the recorded errors into c->err, sorted; then releases them. */
void sc_errors_finish(struct sc_ctx *c);
void sc_errors_free(struct sc_ctx *c);

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
/* Where to point for a rule between the keys at paths a and b: at an
 * override that set either (the later one when both did: the user's last
 * word caused it), else at a if written, else at b if written, else at
 * a's nearest written ancestor. */
struct sc_mark sc_blame(const struct sc_ctx *c, const char *a, const char *b);
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
