/* base/json.h - a small JSON reader, enough to read back the
 * summary.json a run writes.
 *
 * Contract: json_parse() builds a tree that owns its strings; look values
 * up by dotted path ("totals.full_events"); json_free() releases it.
 * Numbers are doubles (exact below 2^53). Errors come back as one line. */
#ifndef SWSIM_BASE_JSON_H
#define SWSIM_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool b;
	double num;
	char *str;
	struct json *items;   /* array elements or object values */
	char **keys;          /* object keys, beside items */
	size_t n;
};

/* Parses text (len bytes) into *out. Returns 0, or -1 with err. */
int json_parse(const char *text, size_t len, struct json *out, char *err,
	       size_t errlen);
void json_free(struct json *j);

/* The member at a dotted path of object keys, or NULL. */
const struct json *json_get(const struct json *j, const char *path);
/* The number at path, or `dflt` when absent or not a number. */
double json_number(const struct json *j, const char *path, double dflt);

#endif
