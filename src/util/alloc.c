#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

const kite_allocator_t kutil_libc = {libc_realloc, NULL};

void *kutil_calloc(const kite_allocator_t *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = kutil_malloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}
