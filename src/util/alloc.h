/*
 * Allocation. Every allocation of kite goes through an allocator
 * (kite_allocator_t, kite.h): the one of the engine the memory belongs to
 * (its configuration's), or, for what exists before or without an engine,
 * kutil_libc. Callers pass it explicitly; there is no process-wide hook.
 * Allocation can fail: callers check for NULL and turn it into an error,
 * never a crash.
 */
#ifndef KITE_UTIL_ALLOC_H
#define KITE_UTIL_ALLOC_H

#include <stddef.h>

#include "kite.h"

/* The C library's allocator (malloc, realloc, free). */
extern const kite_allocator_t kutil_libc;

/* Like realloc(p, n) and malloc(n), through allocator a (never a request of
 * 0 bytes: those get 1). NULL when out of memory. */
static inline void *kutil_realloc(const kite_allocator_t *a, void *p, size_t n)
{
    return a->realloc(a->user, p, n ? n : 1);
}
static inline void *kutil_malloc(const kite_allocator_t *a, size_t n)
{
    return a->realloc(a->user, NULL, n ? n : 1);
}
/* count * size zeroed bytes; NULL when out of memory or on overflow. */
void *kutil_calloc(const kite_allocator_t *a, size_t count, size_t size);
/* Frees p (NULL is ignored), which a must have made. */
static inline void kutil_free(const kite_allocator_t *a, void *p)
{
    if (p)
        a->realloc(a->user, p, 0);
}

#endif
