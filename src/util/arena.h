/*
 * A region allocator: many small allocations, one release. Modules and
 * parse results own an arena so that error paths never free piecemeal.
 */
#ifndef KITE_UTIL_ARENA_H
#define KITE_UTIL_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kite_arena_chunk kite_arena_chunk;

typedef struct kite_arena {
    kite_arena_chunk *head;
    size_t used, size; /* of head */
} kite_arena;

void kite_arena_init(kite_arena *a);
/* Zeroed, 16-byte aligned memory, or NULL when out of memory. */
void *kite_arena_alloc(kite_arena *a, size_t size);
/* Like kite_arena_alloc for count * size bytes, with overflow checked. */
void *kite_arena_array(kite_arena *a, size_t count, size_t size);
/* Like kite_arena_alloc, without zeroing: for memory written at once. */
void *kite_arena_alloc_uninit(kite_arena *a, size_t size);
/* A copy of size bytes. */
void *kite_arena_dup(kite_arena *a, const void *src, size_t size);
void kite_arena_release(kite_arena *a);

#endif
