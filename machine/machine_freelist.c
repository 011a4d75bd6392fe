/* machine/machine_freelist.c - free lists of fixed-size objects (ops, mappings,
 * device requests) carved from chunks, all released at once at the end. */
#include "machine/machine_impl.h"

#include <stdlib.h>

#define FREELIST_CHUNK_OBJECTS 64

/* A chunk: a link to the previous chunk, then the objects. */
struct freelist_chunk {
	struct freelist_chunk *prev;
	max_align_t objects[];
};

void freelist_init(struct freelist *fl, size_t size, const char *what)
{
	if (size < sizeof(void *))
		size = sizeof(void *);
	/* Keep every object aligned like max_align_t. */
	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	       sizeof(max_align_t);
	fl->what = what;
	fl->size = size;
	fl->free = NULL;
	fl->chunks = NULL;
}

size_t freelist_chunk_bytes(const struct freelist *fl)
{
	return sizeof(struct freelist_chunk) +
	       FREELIST_CHUNK_OBJECTS * fl->size;
}

/* noinline: rare, and LTO would copy it into every inlined take. */
__attribute__((noinline)) int freelist_refill(struct freelist *fl)
{
	struct freelist_chunk *c = malloc(freelist_chunk_bytes(fl));
	char *base;

	if (!c)
		return -1;
	c->prev = fl->chunks;
	fl->chunks = c;
	base = (char *)c->objects;
	for (size_t i = 0; i < FREELIST_CHUNK_OBJECTS; i++)
		freelist_put(fl, base + i * fl->size);
	return 0;
}

void freelist_destroy(struct freelist *fl)
{
	struct freelist_chunk *c = fl->chunks;

	while (c) {
		struct freelist_chunk *prev = c->prev;

		free(c);
		c = prev;
	}
	fl->chunks = NULL;
	fl->free = NULL;
}

__attribute__((cold)) void freelist_failed(struct machine *m,
					   const struct freelist *fl)
{
	machine_fail_oom(m, freelist_chunk_bytes(fl), "%s", fl->what);
}
