/*
 * A region allocator: many small allocations, one release. Modules and
 * parse results own an arena so that error paths never free piecemeal.
 */
#ifndef KITE_UTIL_ARENA_H
#define KITE_UTIL_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#include "kite.h"

typedef struct kutil_arena_chunk kutil_arena_chunk;

typedef struct kutil_arena {
    kutil_arena_chunk *head;
    size_t used, size; /* of head */
    const kite_allocator_t *alloc; /* of the chunks; must outlive the arena */
} kutil_arena;

void kutil_arena_init(kutil_arena *a, const kite_allocator_t *alloc);
/* Zeroed, 16-byte aligned memory, or NULL when out of memory. */
void *kutil_arena_alloc(kutil_arena *a, size_t size);
/* Like kutil_arena_alloc for count * size bytes, with overflow checked. */
void *kutil_arena_array(kutil_arena *a, size_t count, size_t size);
/* Like kutil_arena_alloc, without zeroing: for memory written at once. */
void *kutil_arena_alloc_uninit(kutil_arena *a, size_t size);
/* A copy of size bytes. */
void *kutil_arena_dup(kutil_arena *a, const void *src, size_t size);
void kutil_arena_release(kutil_arena *a);

#endif
