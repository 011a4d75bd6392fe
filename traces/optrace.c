/* traces/optrace.c - the op-trace reader: tokenises a line, checks its
 * keys against the op's table and reads the numbers. */
#include "traces/optrace.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum key {
	K_T, K_CPUS, K_SWIOTLB, K_DYNAMIC, K_START, K_PAGE_SIZE, K_NAME,
	K_MIN_ALIGN_MASK, K_SEG_BOUNDARY, K_ID, K_CPU, K_DEV, K_ORIG, K_SIZE,
	K_ALIGN, K_DIR, K_NSLABS, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"t", "cpus", "swiotlb", "dynamic", "start", "page_size", "name",
	"min_align_mask", "seg_boundary", "id", "cpu", "dev", "orig", "size",
	"align", "dir", "nslabs",
};

#define BIT(k) (1u << (k))

/* Per op: its name, the keys it takes and those it requires. `t` is added
 * (and required for map/unmap/sync) in timed traces. */
static const struct op_spec {
	const char *name;
	unsigned allowed, required;
	bool timed_only;
} op_specs[] = {
	[OPTRACE_BOOT] = { "boot", BIT(K_CPUS) | BIT(K_SWIOTLB) | BIT(K_DYNAMIC) |
			   BIT(K_START) | BIT(K_PAGE_SIZE),
			   BIT(K_CPUS) | BIT(K_SWIOTLB), false },
	[OPTRACE_DEV] = { "dev", BIT(K_NAME) | BIT(K_MIN_ALIGN_MASK) |
			  BIT(K_SEG_BOUNDARY), BIT(K_NAME), false },
	[OPTRACE_MAP] = { "map", BIT(K_ID) | BIT(K_CPU) | BIT(K_DEV) |
			  BIT(K_ORIG) | BIT(K_SIZE) | BIT(K_ALIGN),
			  BIT(K_ID) | BIT(K_CPU) | BIT(K_DEV) | BIT(K_ORIG) |
			  BIT(K_SIZE), false },
	[OPTRACE_UNMAP] = { "unmap", BIT(K_ID), BIT(K_ID), false },
	[OPTRACE_GROW] = { "grow", BIT(K_START) | BIT(K_NSLABS),
			   BIT(K_START) | BIT(K_NSLABS), false },
	[OPTRACE_STATS] = { "stats", 0, 0, false },
	[OPTRACE_SYNC] = { "sync", BIT(K_ID) | BIT(K_DIR) | BIT(K_SIZE),
			   BIT(K_ID) | BIT(K_DIR), true },
};

void optrace_reader_init(struct optrace_reader *r, FILE *f, const char *path,
			 bool timed)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->path = strcmp(path, "-") ? path : "<stdin>";
	r->timed = timed;
}

void optrace_reader_free(struct optrace_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

void optrace_error(struct optrace_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return;
	n = snprintf(r->err, sizeof(r->err), "%s:%lu: ", r->path, r->lineno);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->failed = true;
}

/* Decimal or 0x hex, the whole token, no sign. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -1 : 0;
}

static int parse_dir(const char *v, enum optrace_op op, enum optrace_dir *d)
{
	static const struct { const char *name; enum optrace_dir dir; bool sync; }
	dirs[] = {
		{ "to_device", OPTRACE_DIR_TO_DEVICE, false },
		{ "from_device", OPTRACE_DIR_FROM_DEVICE, false },
		{ "bidirectional", OPTRACE_DIR_BIDIRECTIONAL, false },
		{ "cpu", OPTRACE_DIR_CPU, true },
		{ "device", OPTRACE_DIR_DEVICE, true },
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strcmp(v, dirs[i].name) &&
		    dirs[i].sync == (op == OPTRACE_SYNC)) {
			*d = dirs[i].dir;
			return 0;
		}
	return -1;
}

static bool is_mask(uint64_t v)
{
	return !(v & (v + 1));
}

/* Stores one key's value; returns -1 after reporting what is wrong. */
static int set_field(struct optrace_reader *r, struct optrace_line *l,
		     enum key k, const char *v)
{
	uint64_t n = 0;
	uint64_t *num[K_COUNT] = {
		[K_T] = &l->t, [K_CPUS] = &l->cpus, [K_START] = &l->start,
		[K_PAGE_SIZE] = &l->page_size,
		[K_MIN_ALIGN_MASK] = &l->min_align_mask,
		[K_SEG_BOUNDARY] = &l->seg_boundary, [K_ID] = &l->id,
		[K_CPU] = &l->cpu, [K_ORIG] = &l->orig, [K_SIZE] = &l->size,
		[K_ALIGN] = &l->align, [K_NSLABS] = &l->nslabs,
	};

	if (k == K_SWIOTLB || k == K_NAME || k == K_DEV) {
		char *dst = k == K_SWIOTLB ? l->spec : l->name;
		size_t max = k == K_SWIOTLB ? OPTRACE_SPEC_MAX : OPTRACE_NAME_MAX;

		if (strlen(v) >= max || (k != K_SWIOTLB && !*v)) {
			optrace_error(r, "%s=: empty or longer than %zu characters",
				      key_names[k], max - 1);
			return -1;
		}
		strcpy(dst, v);
		return 0;
	}
	if (k == K_DIR) {
		if (parse_dir(v, l->op, &l->dir)) {
			optrace_error(r, "dir=%s: expected %s", v,
				      l->op == OPTRACE_SYNC ? "cpu or device" :
				      "to_device, from_device or bidirectional");
			return -1;
		}
		return 0;
	}
	if (parse_u64(v, &n)) {
		optrace_error(r, "%s=%s: not a number (decimal or 0x hex)",
			      key_names[k], v);
		return -1;
	}
	if (k == K_DYNAMIC) {
		if (n > 1) {
			optrace_error(r, "dynamic=%s: expected 0 or 1", v);
			return -1;
		}
		l->dynamic = n;
		return 0;
	}
	*num[k] = n;
	return 0;
}

/* Range checks that need only the line itself. */
static int check_values(struct optrace_reader *r, const struct optrace_line *l)
{
	if (l->op == OPTRACE_BOOT && (l->cpus < 1 || l->cpus > 65536))
		optrace_error(r, "cpus=%llu: expected 1 to 65536",
			      (unsigned long long)l->cpus);
	else if (l->op == OPTRACE_BOOT && (l->page_size < 4096 ||
					   (l->page_size & (l->page_size - 1))))
		optrace_error(r, "page_size=%llu: expected a power of two >= 4096",
			      (unsigned long long)l->page_size);
	else if (l->op == OPTRACE_DEV && l->min_align_mask > UINT32_MAX)
		optrace_error(r, "min_align_mask=0x%llx: wider than 32 bits",
			      (unsigned long long)l->min_align_mask);
	else if (l->op == OPTRACE_DEV && (!is_mask(l->seg_boundary) ||
					  l->seg_boundary < 0x7ff))
		optrace_error(r, "seg_boundary=0x%llx: expected 2^k-1, at least 0x7ff",
			      (unsigned long long)l->seg_boundary);
	else if (l->op == OPTRACE_MAP && !l->size)
		optrace_error(r, "size=0: a map needs at least 1 byte");
	else if (l->op == OPTRACE_MAP && (!is_mask(l->align) ||
					  l->align >= (1ULL << 31)))
		optrace_error(r, "align=0x%llx: expected 0 or 2^k-1 below 2^31",
			      (unsigned long long)l->align);
	else if (l->op == OPTRACE_GROW && (!l->nslabs || l->nslabs % 128))
		optrace_error(r, "nslabs=%llu: expected a positive multiple of 128",
			      (unsigned long long)l->nslabs);
	else if (l->op == OPTRACE_MAP && l->size > (1ULL << 40))
		optrace_error(r, "size=%llu: too large", (unsigned long long)l->size);
	return r->failed ? -1 : 0;
}

static int find_op(const char *word, bool timed, enum optrace_op *op)
{
	for (size_t i = 0; i < sizeof(op_specs) / sizeof(op_specs[0]); i++)
		if (!strcmp(word, op_specs[i].name) &&
		    (timed || !op_specs[i].timed_only)) {
			*op = (enum optrace_op)i;
			return 0;
		}
	return -1;
}

static int find_key(const char *name, enum key *k)
{
	for (int i = 0; i < K_COUNT; i++)
		if (!strcmp(name, key_names[i])) {
			*k = (enum key)i;
			return 0;
		}
	return -1;
}

/* Which keys this op takes in this kind of trace, and which it needs. */
static void op_keys(const struct optrace_reader *r, enum optrace_op op,
		    unsigned *allowed, unsigned *required)
{
	*allowed = op_specs[op].allowed;
	*required = op_specs[op].required;
	if (!r->timed)
		return;
	*allowed |= BIT(K_T);
	if (op == OPTRACE_MAP)
		*allowed |= BIT(K_DIR);
	if (op == OPTRACE_MAP || op == OPTRACE_UNMAP || op == OPTRACE_SYNC)
		*required |= BIT(K_T);
}

static int parse_fields(struct optrace_reader *r, struct optrace_line *l,
			char *save, unsigned *seen)
{
	unsigned allowed, required;
	char *tok;

	op_keys(r, l->op, &allowed, &required);
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		char *eq = strchr(tok, '=');
		enum key k;

		if (!eq) {
			optrace_error(r, "\"%s\": expected key=value", tok);
			return -1;
		}
		*eq = '\0';
		if (find_key(tok, &k) || !(allowed & BIT(k))) {
			optrace_error(r, "unknown key \"%s\" for %s", tok,
				      op_specs[l->op].name);
			return -1;
		}
		if (*seen & BIT(k)) {
			optrace_error(r, "key \"%s\" given twice", tok);
			return -1;
		}
		*seen |= BIT(k);
		if (set_field(r, l, k, eq + 1))
			return -1;
	}
	for (int k = 0; k < K_COUNT; k++)
		if ((required & BIT(k)) && !(*seen & BIT(k))) {
			optrace_error(r, "%s needs %s=", op_specs[l->op].name,
				      key_names[k]);
			return -1;
		}
	return 0;
}

static void line_defaults(struct optrace_line *l, unsigned long lineno)
{
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	l->page_size = 4096;
	l->seg_boundary = UINT64_MAX;
}

/* 1 when the line held an op, 0 when blank or a comment, -1 on error. */
static int parse_line(struct optrace_reader *r, char *text,
		      struct optrace_line *l)
{
	char *save = NULL, *word;
	unsigned seen = 0;
	char *hash = strchr(text, '#');

	if (hash)
		*hash = '\0';
	word = strtok_r(text, " \t\r\n", &save);
	if (!word)
		return 0;
	line_defaults(l, r->lineno);
	if (find_op(word, r->timed, &l->op)) {
		optrace_error(r, "unknown op \"%s\"", word);
		return -1;
	}
	if (parse_fields(r, l, save, &seen) || check_values(r, l))
		return -1;
	l->has_t = seen & BIT(K_T);
	if (l->has_t && l->t < r->last_t) {
		optrace_error(r, "t=%llu is before the previous op's t=%llu",
			      (unsigned long long)l->t,
			      (unsigned long long)r->last_t);
		return -1;
	}
	if (l->has_t)
		r->last_t = l->t;
	return 1;
}

int optrace_next(struct optrace_reader *r, struct optrace_line *out)
{
	ssize_t n;

	if (r->failed)
		return -1;
	/* errno tells a getline() that found no memory from the end. */
	while ((errno = 0, n = getline(&r->buf, &r->bufsize, r->f)) >= 0) {
		int got;

		r->lineno++;
		if (memchr(r->buf, '\0', (size_t)n)) {
			optrace_error(r, "binary data (a NUL byte) in the trace");
			return -1;
		}
		got = parse_line(r, r->buf, out);
		if (got)
			return got;
	}
	if (errno == ENOMEM) {
		/* getline() asks for 120 bytes first, then twice as many. */
		optrace_error(r, "out of memory: the line's buffer (%zu bytes)",
			      r->bufsize ? 2 * r->bufsize : 120);
		return -1;
	}
	if (ferror(r->f)) {
		optrace_error(r, "read error");
		return -1;
	}
	return 0;
}
