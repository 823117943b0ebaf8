#include "util/arena.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

struct kutil_arena_chunk {
    kutil_arena_chunk *next;
    size_t pad; /* keeps data 16-byte aligned */
    _Alignas(16) unsigned char data[];
};

enum { ARENA_CHUNK = 64 * 1024 };

void kutil_arena_init(kutil_arena *a, const kite_allocator_t *alloc)
{
    memset(a, 0, sizeof(*a));
    a->alloc = alloc;
}

void *kutil_arena_alloc_uninit(kutil_arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size)
        return NULL;
    if (!a->head || a->size - a->used < need) {
        /* Large requests get a chunk of their own, so the current one is kept. */
        size_t cap = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
        if (cap > SIZE_MAX - sizeof(kutil_arena_chunk))
            return NULL;
        kutil_arena_chunk *c = kutil_malloc(a->alloc, sizeof(kutil_arena_chunk) + cap);
        if (!c)
            return NULL;
        if (a->head && cap != ARENA_CHUNK) {
            c->next = a->head->next;
            a->head->next = c;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->used = 0;
        a->size = cap;
    }
    void *p = a->head->data + a->used;
    a->used += need;
    return p;
}

void *kutil_arena_alloc(kutil_arena *a, size_t size)
{
    void *p = kutil_arena_alloc_uninit(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *kutil_arena_array(kutil_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return kutil_arena_alloc(a, count * size);
}

void *kutil_arena_dup(kutil_arena *a, const void *src, size_t size)
{
    void *p = kutil_arena_alloc_uninit(a, size ? size : 1);
    if (p && size)
        memcpy(p, src, size);
    return p;
}

void kutil_arena_release(kutil_arena *a)
{
    kutil_arena_chunk *c = a->head;
    while (c) {
        kutil_arena_chunk *next = c->next;
        kutil_free(a->alloc, c);
        c = next;
    }
    kutil_arena_init(a, a->alloc);
}
