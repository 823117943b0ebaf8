/*
 * The one allocator every part of kite goes through. Allocation can fail:
 * callers check for NULL and turn it into an error, never a crash.
 *
 * The hook is process-wide and set once, before any other kite call, by
 * kite_set_allocator; test builds may also arm failure injection (fail the
 * Nth allocation) to exercise every out-of-memory path.
 */
#ifndef KITE_UTIL_ALLOC_H
#define KITE_UTIL_ALLOC_H

#include <stddef.h>

void *kite_malloc(size_t size);
void *kite_calloc(size_t count, size_t size);
void *kite_realloc(void *ptr, size_t size);
void kite_free(void *ptr);

/* Testing aid: make the Nth allocation from now fail (0 disarms). */
void kite_alloc_fail_after(unsigned long n);

#endif
