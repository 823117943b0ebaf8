#include "ir/module.h"

#include <string.h>

#include "util/alloc.h"

kir_module *kir_module_new(const kite_allocator_t *alloc)
{
    kir_module *m = kutil_calloc(alloc, 1, sizeof(*m));
    if (!m)
        return NULL;
    kutil_arena_init(&m->arena, alloc);
    m->start = KIR_NONE;
    return m;
}

void kir_module_free(kir_module *m)
{
    if (!m)
        return;
    const kite_allocator_t *alloc = m->arena.alloc;
    kutil_arena_release(&m->arena);
    kutil_free(alloc, m);
}

void *kir_push(kir_module *m, void **array, uint32_t *count, size_t elem_size)
{
    uint32_t n = *count;
    if (n == UINT32_MAX)
        return NULL;
    /* Capacity is the smallest power of two >= n (at least 4): full when n is
     * 4 or a larger power of two, or at the very start. */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n == 0 ? 4 : (size_t)n * 2;
        void *grown = kutil_arena_array(&m->arena, cap, elem_size);
        if (!grown)
            return NULL;
        if (n)
            memcpy(grown, *array, (size_t)n * elem_size);
        *array = grown;
    }
    *count = n + 1;
    unsigned char *slot = (unsigned char *)*array + (size_t)n * elem_size;
    memset(slot, 0, elem_size);
    return slot;
}

bool kir_name_copy(kir_module *m, kir_name *out, const char *s, size_t len)
{
    if (len > UINT32_MAX - 1)
        return false;
    char *p = kutil_arena_alloc(&m->arena, len + 1);
    if (!p)
        return false;
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    out->ptr = p;
    out->len = (uint32_t)len;
    return true;
}

bool kir_module_srcpos(const kir_module *m, uint32_t offset, uint32_t *line, uint32_t *col)
{
    if (m->nsrcpos == 0 || m->srcpos[0].offset > offset)
        return false;
    uint32_t lo = 0, hi = m->nsrcpos; /* last entry with .offset <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->srcpos[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = m->srcpos[lo].line;
    *col = m->srcpos[lo].col;
    return true;
}
