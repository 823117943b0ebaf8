#include "util/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "kite.h"

static kite_allocator_t g_allocator; /* written only by kite_set_allocator */
static atomic_ulong g_fail_countdown;

void kite_set_allocator(const kite_allocator_t *allocator)
{
    if (allocator)
        g_allocator = *allocator;
    else
        g_allocator = (kite_allocator_t){0};
}

void kite_alloc_fail_after(unsigned long n) { atomic_store(&g_fail_countdown, n); }

/* True when failure injection says this allocation must fail. */
static int injected_failure(void)
{
    unsigned long left = atomic_load_explicit(&g_fail_countdown, memory_order_relaxed);
    while (left != 0) {
        if (atomic_compare_exchange_weak(&g_fail_countdown, &left, left - 1))
            return left == 1;
    }
    return 0;
}

void *kite_realloc(void *ptr, size_t size)
{
    if (size == 0)
        size = 1;
    if (injected_failure())
        return NULL;
    if (g_allocator.realloc)
        return g_allocator.realloc(g_allocator.user, ptr, size);
    return realloc(ptr, size);
}

void *kite_malloc(size_t size) { return kite_realloc(NULL, size); }

void *kite_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = kite_malloc(count * size);
    if (p) {
        unsigned char *b = p;
        for (size_t i = 0, n = count * size; i < n; i++)
            b[i] = 0;
    }
    return p;
}

void kite_free(void *ptr)
{
    if (!ptr)
        return;
    if (g_allocator.free)
        g_allocator.free(g_allocator.user, ptr);
    else
        free(ptr);
}
