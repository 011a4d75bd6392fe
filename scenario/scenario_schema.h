/* scenario/scenario_schema.h - the scenario format as data: one table of fields
 * per YAML mapping. The structural check, the libcyaml schema, the value
 * conversion, the dump, the equality test and the reference are all driven
 * by these tables, so a new key is one line in scenario/scenario_schema.c (and
 * a member in scenario/scenario.h). Private to the files of scenario/.
 */
#ifndef SWSIM_SCENARIO_SCENARIO_SCHEMA_H
#define SWSIM_SCENARIO_SCENARIO_SCHEMA_H

#include "scenario/scenario.h"

#include <stddef.h>
#include <stdint.h>

enum sc_type {
	SC_STRING,     /* char *, malloc'd */
	SC_BOOL,       /* bool */
	SC_INT,        /* int32_t/uint32_t/int64_t/uint64_t (see .size, .min) */
	SC_UINT,       /* uint64_t, decimal or 0x hex, full range */
	SC_REAL,       /* double in [fmin, fmax] */
	SC_SIZE,       /* uint64_t bytes */
	SC_TIME,       /* uint64_t ns */
	SC_BANDWIDTH,  /* double bytes/ns */
	SC_RATE,       /* double per second */
	SC_MASK,       /* uint64_t of the form 2^n - 1 */
	SC_ENUM,       /* an enum, names in .names */
	SC_SIZE_DIST,  /* struct scenario_size_spec */
	SC_CPU_LIST,   /* struct scenario_cpu_list */
	SC_MAP,        /* a nested struct described by .sub */
	SC_LIST,       /* a malloc'd array of .sub structs, count at
			  .count_offset (size_t) */
};

/* Field flags. */
#define SC_HEX             (1u << 0) /* printed as 0x hex */
#define SC_ZERO_OK         (1u << 1) /* 0 allowed whatever min says */
#define SC_POW2            (1u << 2) /* a power of two */
#define SC_POOL            (1u << 3) /* a pool size: >= one segment */
#define SC_NOT_WITH_PARAM  (1u << 4) /* swiotlb: excludes swiotlb.param */
#define SC_UNIQUE          (1u << 5) /* no two list entries alike */
#define SC_COMPUTED        (1u << 6) /* default derived from other keys */

#define SC_KIND(k) (1u << (k))

struct sc_name {
	const char *name;
	int value;
};

struct sc_table;

struct sc_field {
	const char *key;
	enum sc_type type;
	size_t offset, size;        /* of the member in the table's struct */
	unsigned flags;
	/* With a kind field in the table: the kinds that take this key (0:
	 * every kind), the kinds that must write it, and a default that
	 * replaces `def` for some kinds. */
	unsigned kinds, required;
	const char *def;            /* as text, read by the field's parser;
				       NULL: none (required, computed, or
				       an absent string) */
	unsigned def_alt_kinds;
	const char *def_alt;
	int64_t min;                /* SC_INT, SC_SIZE, SC_TIME, SC_MASK */
	uint64_t max;               /* the same; 0: the type's limit */
	double fmin, fmax;          /* SC_REAL */
	const struct sc_name *names; /* SC_ENUM, ends with a NULL name */
	const struct sc_table *sub;  /* SC_MAP, SC_LIST */
	size_t count_offset;         /* SC_LIST */
	const char *expect;          /* what a good value is; NULL: from the
					type and range */
	const char *def_doc;         /* the default in words, for the
					reference when `def` does not say */
	const char *doc;             /* meaning and unit, one line */
};

struct sc_table {
	const char *what;            /* "a device", for messages */
	const struct sc_field *fields;
	size_t nfields;
	size_t size;                 /* of the C struct */
	int kind_field;              /* index of the enum that selects the
					kind, or -1 */
};

extern const struct sc_table sc_scenario_table;

/* The field called key in t, or NULL. */
const struct sc_field *sc_find(const struct sc_table *t, const char *key);
/* Whether the field applies to a table entry of that kind (-1: unknown). */
bool sc_applies(const struct sc_field *f, int kind);
/* The enum value of name, or -1. */
int sc_enum_value(const struct sc_name *names, const char *name);
const char *sc_enum_name(const struct sc_name *names, int value);
/* "a storage workload": the kind's name and the table's noun. */
void sc_kind_noun(const struct sc_table *t, int kind, char *buf, size_t len);
/* The keys t takes for that kind, ", " separated. */
void sc_key_list(const struct sc_table *t, int kind, char *buf, size_t len);
/* What a good value of f looks like: "an integer in 1..8192". */
void sc_expect(const struct sc_field *f, char *buf, size_t len);
/* The default of f for that kind, as text (NULL for none). */
const char *sc_default(const struct sc_field *f, int kind);

/* "did you mean `queue_depth`?" for an unknown key of table t (of that
 * kind; -1: any), or for a name fio uses; "" when nothing is close
 * (scenario_suggest.c). */
void sc_suggest_key(const struct sc_table *t, int kind, const char *key,
		    char *buf, size_t len);
/* The same for a choice of an enum. */
void sc_suggest_name(const struct sc_name *names, const char *name,
		     char *buf, size_t len);

/* Reads `text` into the member at `member` (with its range checks).
 * Returns 0, or -1 with what is wrong in why (quoting the text). The
 * member may hold an earlier value: strings and lists are released. */
int sc_parse_value(const struct sc_field *f, const char *text, void *member,
		   char *why, size_t len);
/* Prints the member as text that sc_parse_value reads back the same
 * (a string field's own text is returned through *str instead). */
void sc_format_value(const struct sc_field *f, const void *member,
		     char *buf, size_t len, const char **str);
/* Releases what the member owns (strings, CPU lists, nested tables). */
void sc_free_value(const struct sc_field *f, void *member);
void sc_free_struct(const struct sc_table *t, void *obj);
bool sc_equal_struct(const struct sc_table *t, const void *a, const void *b);
/* The kind of a struct of t (the value of its kind field), or -1. */
int sc_kind_of(const struct sc_table *t, const void *obj);

#endif
