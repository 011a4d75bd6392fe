/* base/json.c - a small recursive-descent JSON reader for the
 * summary.json of finished runs. */
#include "base/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64

struct reader {
	const char *p, *end, *start;
	char *err;
	size_t errlen;
};

static int bad(struct reader *r, const char *what)
{
	snprintf(r->err, r->errlen, "offset %zu: %s", (size_t)(r->p - r->start),
		 what);
	return -1;
}

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' ||
				 *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

static bool take(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return false;
	r->p += n;
	return true;
}

static int hex4(struct reader *r, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++, r->p++) {
		char c = r->p < r->end ? *r->p : 0;

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (unsigned)(c - 'A' + 10);
		else
			return bad(r, "bad \\u escape");
	}
	return 0;
}

/* Appends code point u as UTF-8 (surrogates are kept as they come). */
static size_t put_utf8(char *o, unsigned u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xc0 | u >> 6);
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | u >> 12);
	o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}

static int read_string(struct reader *r, char **out)
{
	const char *q;
	char *o;
	size_t j = 0;

	r->p++;                             /* the opening quote */
	for (q = r->p; q < r->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= r->end)
		return bad(r, "unterminated string");
	o = malloc((size_t)(q - r->p) + 1);
	if (!o)
		return bad(r, "out of memory");
	while (*r->p != '"') {
		char c = *r->p++;
		unsigned u;

		if (c != '\\') {
			o[j++] = c;
			continue;
		}
		c = *r->p++;
		switch (c) {
		case 'n': o[j++] = '\n'; break;
		case 't': o[j++] = '\t'; break;
		case 'r': o[j++] = '\r'; break;
		case 'b': o[j++] = '\b'; break;
		case 'f': o[j++] = '\f'; break;
		case 'u':
			if (hex4(r, &u)) {
				free(o);
				return -1;
			}
			j += put_utf8(o + j, u);
			break;
		default: o[j++] = c; break;
		}
	}
	r->p++;
	o[j] = '\0';
	*out = o;
	return 0;
}

static int read_value(struct reader *r, struct json *v, int depth);

/* Appends one more item (and key) to an array or object. */
static struct json *grow(struct json *v, char *key)
{
	struct json *items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return NULL;
	v->items = items;
	if (v->type == JSON_OBJECT) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return NULL;
		v->keys = keys;
		keys[v->n] = key;
	}
	memset(&items[v->n], 0, sizeof(items[0]));
	return &items[v->n++];
}

static int read_container(struct reader *r, struct json *v, int depth)
{
	char close = *r->p == '{' ? '}' : ']';

	v->type = close == '}' ? JSON_OBJECT : JSON_ARRAY;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json *item;

		skip_space(r);
		if (v->type == JSON_OBJECT) {
			if (r->p >= r->end || *r->p != '"')
				return bad(r, "expected a key");
			if (read_string(r, &key))
				return -1;
			skip_space(r);
			if (r->p >= r->end || *r->p != ':') {
				free(key);
				return bad(r, "expected ':'");
			}
			r->p++;
		}
		item = grow(v, key);
		if (!item) {
			free(key);
			return bad(r, "out of memory");
		}
		if (read_value(r, item, depth + 1))
			return -1;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return bad(r, "expected ',' or a closing bracket");
	}
}

static int read_value(struct reader *r, struct json *v, int depth)
{
	char *end;

	memset(v, 0, sizeof(*v));
	if (depth > JSON_DEPTH_MAX)
		return bad(r, "nested too deep");
	skip_space(r);
	if (r->p >= r->end)
		return bad(r, "unexpected end");
	switch (*r->p) {
	case '{':
	case '[':
		return read_container(r, v, depth);
	case '"':
		v->type = JSON_STRING;
		return read_string(r, &v->str);
	default:
		break;
	}
	if (take(r, "true")) {
		v->type = JSON_BOOL;
		v->b = true;
		return 0;
	}
	if (take(r, "false")) {
		v->type = JSON_BOOL;
		return 0;
	}
	if (take(r, "null"))
		return 0;
	v->type = JSON_NUMBER;
	v->num = strtod(r->p, &end);
	if (end == r->p || end > r->end)
		return bad(r, "expected a value");
	r->p = end;
	return 0;
}

int json_parse(const char *text, size_t len, struct json *out, char *err,
	       size_t errlen)
{
	struct reader r = { text, text + len, text, err, errlen };
	char *copy = malloc(len + 1);

	memset(out, 0, sizeof(*out));
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* strtod needs a terminated string. */
	memcpy(copy, text, len);
	copy[len] = '\0';
	r.p = r.start = copy;
	r.end = copy + len;
	if (read_value(&r, out, 0) || (skip_space(&r), r.p != r.end &&
				       bad(&r, "text after the value"))) {
		json_free(out);
		free(copy);
		return -1;
	}
	free(copy);
	return 0;
}

void json_free(struct json *j)
{
	for (size_t i = 0; i < j->n; i++) {
		json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	memset(j, 0, sizeof(*j));
}

const struct json *json_get(const struct json *j, const char *path)
{
	while (j && *path) {
		size_t len = strcspn(path, ".");
		const struct json *next = NULL;

		if (j->type != JSON_OBJECT)
			return NULL;
		for (size_t i = 0; i < j->n && !next; i++)
			if (strlen(j->keys[i]) == len &&
			    !memcmp(j->keys[i], path, len))
				next = &j->items[i];
		j = next;
		path += len + (path[len] == '.');
	}
	return j;
}

double json_number(const struct json *j, const char *path, double dflt)
{
	const struct json *v = json_get(j, path);

	return v && v->type == JSON_NUMBER ? v->num : dflt;
}
