/* base/idmap.h - a hash map from 64-bit ids (mapping ids, request ids) to
 * indices, with open addressing; used wherever traces name things by id.
 *
 * Contract: keys are any uint64_t; put on an existing key replaces its
 * value. Operations are amortised O(1). Returns -1 only when memory runs
 * out. */
#ifndef SWSIM_BASE_IDMAP_H
#define SWSIM_BASE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint64_t *keys;
	size_t *values;
	uint8_t *state;     /* 0 empty, 1 full, 2 deleted */
	size_t cap, count, tombstones;
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
int idmap_put(struct idmap *m, uint64_t key, size_t value);
/* What the next growth asks for: the bytes a failed put could not get. */
size_t idmap_grow_bytes(const struct idmap *m);
/* True when key is present; its value goes to *value when not NULL. */
bool idmap_get(const struct idmap *m, uint64_t key, size_t *value);
bool idmap_del(struct idmap *m, uint64_t key);
size_t idmap_count(const struct idmap *m);

#endif
