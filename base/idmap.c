/* base/idmap.c - open-addressing hash map from ids to indices, linear
 * probing, kept at most half full (counting deleted entries). */
#include "base/idmap.h"

#include <stdlib.h>

enum { EMPTY, FULL, DELETED };

void idmap_init(struct idmap *m)
{
	*m = (struct idmap){ 0 };
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->values);
	free(m->state);
	idmap_init(m);
}

static size_t hash(uint64_t key, size_t cap)
{
	/* A multiplicative mix: trace ids are often sequential. */
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

/* The slot holding key, or SIZE_MAX. */
static size_t find(const struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return SIZE_MAX;
	for (size_t i = hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->state[i] == EMPTY)
			return SIZE_MAX;
		if (m->state[i] == FULL && m->keys[i] == key)
			return i;
	}
}

/* The capacity the next growth gives m. */
static size_t grow_cap(const struct idmap *m)
{
	if (m->count * 4 < m->cap)
		return m->cap; /* mostly tombstones: rebuild at the same size */
	return m->cap ? m->cap * 2 : 64;
}

size_t idmap_grow_bytes(const struct idmap *m)
{
	return grow_cap(m) * (sizeof(*m->keys) + sizeof(*m->values) +
			      sizeof(*m->state));
}

static int grow(struct idmap *m)
{
	struct idmap old = *m;
	size_t cap = grow_cap(m);

	m->keys = malloc(cap * sizeof(*m->keys));
	m->values = malloc(cap * sizeof(*m->values));
	m->state = calloc(cap, 1);
	if (!m->keys || !m->values || !m->state) {
		free(m->keys);
		free(m->values);
		free(m->state);
		*m = old;
		return -1;
	}
	m->cap = cap;
	m->count = m->tombstones = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.state[i] == FULL)
			idmap_put(m, old.keys[i], old.values[i]);
	free(old.keys);
	free(old.values);
	free(old.state);
	return 0;
}

int idmap_put(struct idmap *m, uint64_t key, size_t value)
{
	size_t i = find(m, key);

	if (i != SIZE_MAX) {
		m->values[i] = value;
		return 0;
	}
	if (2 * (m->count + m->tombstones + 1) > m->cap && grow(m))
		return -1;
	for (i = hash(key, m->cap); m->state[i] == FULL;
	     i = (i + 1) & (m->cap - 1))
		;
	if (m->state[i] == DELETED)
		m->tombstones--;
	m->state[i] = FULL;
	m->keys[i] = key;
	m->values[i] = value;
	m->count++;
	return 0;
}

bool idmap_get(const struct idmap *m, uint64_t key, size_t *value)
{
	size_t i = find(m, key);

	if (i == SIZE_MAX)
		return false;
	if (value)
		*value = m->values[i];
	return true;
}

bool idmap_del(struct idmap *m, uint64_t key)
{
	size_t i = find(m, key);

	if (i == SIZE_MAX)
		return false;
	m->state[i] = DELETED;
	m->count--;
	m->tombstones++;
	return true;
}

size_t idmap_count(const struct idmap *m)
{
	return m->count;
}
