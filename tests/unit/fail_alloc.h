/*
 * A failing allocator for the tests of out-of-memory paths: the C library's
 * allocator, except that it can be told to fail the Nth allocation from now
 * (fail_after) or every allocation (fail_all). Freeing always works. A test
 * installs it where the library takes an allocator: on an engine
 * (kite_config_set_allocator(config, &g_fail_alloc)) or in an internal
 * constructor. The library itself has no fault injection.
 */
#ifndef KITE_TESTS_FAIL_ALLOC_H
#define KITE_TESTS_FAIL_ALLOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "kite.h"

#if defined(__GNUC__)
#define FAIL_ALLOC_UNUSED __attribute__((unused))
#else
#define FAIL_ALLOC_UNUSED
#endif

static atomic_ulong g_fail_countdown FAIL_ALLOC_UNUSED; /* 0: off */
static atomic_bool g_fail_everything FAIL_ALLOC_UNUSED;

static void *fail_alloc_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (atomic_load(&g_fail_everything))
        return NULL;
    unsigned long left = atomic_load(&g_fail_countdown);
    while (left != 0) {
        if (atomic_compare_exchange_weak(&g_fail_countdown, &left, left - 1)) {
            if (left == 1)
                return NULL;
            break;
        }
    }
    return realloc(ptr, size);
}

static const kite_allocator_t g_fail_alloc FAIL_ALLOC_UNUSED = {fail_alloc_realloc, NULL};

/* The Nth allocation from now fails (then no more); 0 disarms. */
static inline void fail_after(unsigned long n) { atomic_store(&g_fail_countdown, n); }
/* Every allocation fails while `on`. */
static inline void fail_all(bool on) { atomic_store(&g_fail_everything, on); }

#endif
