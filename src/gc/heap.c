/*
 * The GC heap's memory: size-class blocks with free lists, large objects,
 * the allocation slow path and its collection policy, sweeping, and host
 * handles. Marking is in mark.c.
 */
#include <string.h>

#include "gc/gc.h"
#include "gc/internal.h"
#include "runtime/engine.h"
#include "util/alloc.h"

/* ---- blocks and large objects --------------------------------------------------------------- */

/* Cells of one size class. */
typedef struct kgc_block {
    struct kgc_block *next;
    uint32_t cls, cell, ncells, pad_;
} kgc_block;

#define BLOCK_HDR ((sizeof(kgc_block) + 15u) & ~(size_t)15u)

static uint8_t *block_cells(kgc_block *b) { return (uint8_t *)b + BLOCK_HDR; }

/* One large object, after this header. */
typedef struct kgc_large {
    struct kgc_large *next;
    uint64_t bytes; /* what was charged: header and object */
} kgc_large;

static kgc_obj *large_obj(kgc_large *l) { return (kgc_obj *)(void *)(l + 1); }

/* Whether the heap may grow by n bytes now: never past the limit, and not
 * past the trigger until a collection has had its chance. */
static bool may_grow(const kgc_heap *h, uint64_t n, bool collected)
{
    if (h->limit && (n > h->limit || h->bytes > h->limit - n))
        return false;
    return collected || h->bytes + n <= h->next_gc;
}

static void charge(kgc_heap *h, uint64_t n)
{
    h->bytes += n;
    if (h->bytes > h->peak_bytes)
        h->peak_bytes = h->bytes;
}

/* A new block for class cls, its cells on the free list. */
static bool new_block(kgc_heap *h, unsigned cls)
{
    kgc_block *b = kutil_malloc(h->alloc, KGC_BLOCK_BYTES);
    if (!b)
        return false;
    b->cls = cls;
    b->cell = (cls + 1) * KGC_GRANULE;
    b->ncells = (uint32_t)((KGC_BLOCK_BYTES - BLOCK_HDR) / b->cell);
    b->next = h->blocks;
    h->blocks = b;
    charge(h, KGC_BLOCK_BYTES);
    uint8_t *p = block_cells(b);
    kgc_cell *list = h->free[cls];
    for (uint32_t i = b->ncells; i-- > 0;) {
        kgc_cell *c = (kgc_cell *)(void *)(p + (size_t)i * b->cell);
        c->hdr.kind = 0;
        c->hdr.canon = 0;
        c->next = list;
        list = c;
        KGC_POISON((uint8_t *)c + sizeof(kgc_cell), b->cell - sizeof(kgc_cell));
    }
    h->free[cls] = list;
    return true;
}

static void *new_large(kgc_heap *h, uint64_t size)
{
    uint64_t bytes = sizeof(kgc_large) + size;
    if (size > KGC_MAX_OBJECT || bytes > SIZE_MAX)
        return NULL;
    kgc_large *l = kutil_malloc(h->alloc, (size_t)bytes);
    if (!l)
        return NULL;
    l->bytes = bytes;
    l->next = h->large;
    h->large = l;
    charge(h, bytes);
    return large_obj(l);
}

/* In stress mode every allocation takes the slow path: the free lists are
 * emptied after each (their cells stay marked free, for the next sweep). */
static void *finish_alloc(kgc_heap *h, void *p)
{
    if (h->stress)
        memset(h->free, 0, sizeof(h->free));
    return p;
}

void *kgc_alloc_slow(kgc_heap *h, uint64_t size)
{
    bool collected = false;
    if (h->stress) {
        kgc_collect(h);
        collected = true;
    }
    for (;;) {
        if (size <= KGC_SMALL_MAX) {
            void *p = kgc_alloc_fast(h, size);
            if (p)
                return finish_alloc(h, p);
            unsigned cls = (unsigned)((size - 1) / KGC_GRANULE);
            if (may_grow(h, KGC_BLOCK_BYTES, collected) && new_block(h, cls))
                continue;
        } else if (may_grow(h, sizeof(kgc_large) + size, collected)) {
            void *p = new_large(h, size);
            if (p)
                return finish_alloc(h, p);
        }
        if (collected)
            return NULL;
        kgc_collect(h);
        collected = true;
    }
}

/* ---- sweeping ------------------------------------------------------------------------------- */

/* A dead object's memory, made unusable: poisoned under ASan, scribbled
 * in stress mode so that a use after a missed root shows. */
static void kill_payload(kgc_heap *h, uint8_t *p, size_t n)
{
    if (h->stress)
        memset(p, 0xA5, n);
    KGC_POISON(p, n);
}

/* A host reference is going: its finalizer, if any, runs now (documented
 * in kite.h as unable to use the store). */
static void finalize(kgc_heap *h, krt_obj *o)
{
    if (o->kind != KRT_OBJ_HOST)
        return;
    krt_hostref *r = (krt_hostref *)(void *)o;
    if (r->finalize) {
        h->finalizers--;
        r->finalize(r->value);
    }
}

/* Rebuilds the free lists from the blocks, freeing blocks without a live
 * object; unmarks the survivors. Returns the bytes of live objects. */
static uint64_t sweep_blocks(kgc_heap *h)
{
    uint64_t live_bytes = 0;
    memset(h->free, 0, sizeof(h->free));
    kgc_block **link = &h->blocks;
    while (*link) {
        kgc_block *b = *link;
        uint8_t *p = block_cells(b);
        kgc_cell *first = NULL, *last = NULL;
        uint32_t live = 0;
        for (uint32_t i = 0; i < b->ncells; i++) {
            kgc_cell *c = (kgc_cell *)(void *)(p + (size_t)i * b->cell);
            if (c->hdr.kind != 0) {
                kgc_obj *o = (kgc_obj *)(void *)c;
                if (o->rtt & 1u) {
                    o->rtt &= ~(uintptr_t)1;
                    live++;
                    continue;
                }
                finalize(h, &c->hdr);
                kill_payload(h, (uint8_t *)c + sizeof(kgc_cell), b->cell - sizeof(kgc_cell));
                c->hdr.kind = 0;
                c->hdr.canon = 0;
            }
            c->next = NULL;
            if (last)
                last->next = c;
            else
                first = c;
            last = c;
        }
        if (live == 0) {
            *link = b->next;
            h->bytes -= KGC_BLOCK_BYTES;
            KGC_UNPOISON(b, KGC_BLOCK_BYTES);
            kutil_free(h->alloc, b);
            continue;
        }
        live_bytes += (uint64_t)live * b->cell;
        if (first) {
            last->next = h->free[b->cls];
            h->free[b->cls] = first;
        }
        link = &b->next;
    }
    return live_bytes;
}

static uint64_t sweep_large(kgc_heap *h)
{
    uint64_t live_bytes = 0;
    kgc_large **link = &h->large;
    while (*link) {
        kgc_large *l = *link;
        kgc_obj *o = large_obj(l);
        if (o->rtt & 1u) {
            o->rtt &= ~(uintptr_t)1;
            live_bytes += l->bytes;
            link = &l->next;
            continue;
        }
        finalize(h, &o->hdr);
        *link = l->next;
        h->bytes -= l->bytes;
        kutil_free(h->alloc, l);
    }
    return live_bytes;
}

uint64_t kgc_sweep(kgc_heap *h)
{
    uint64_t live = sweep_blocks(h) + sweep_large(h);
    /* The next collection when the heap has doubled (not below the minimum
     * trigger, not above the limit). */
    uint64_t next = h->bytes * 2;
    if (next < KGC_MIN_TRIGGER)
        next = KGC_MIN_TRIGGER;
    if (h->limit && next > h->limit)
        next = h->limit;
    h->next_gc = next;
    return live;
}

/* Calls fn on every object in the heap (for the mark-stack overflow rescan). */
void kgc_each_object(kgc_heap *h, void (*fn)(kgc_heap *h, kgc_obj *o))
{
    for (kgc_block *b = h->blocks; b; b = b->next) {
        uint8_t *p = block_cells(b);
        for (uint32_t i = 0; i < b->ncells; i++) {
            kgc_obj *o = (kgc_obj *)(void *)(p + (size_t)i * b->cell);
            if (o->hdr.kind != 0)
                fn(h, o);
        }
    }
    for (kgc_large *l = h->large; l; l = l->next)
        fn(h, large_obj(l));
}

/* ---- the heap ---------------------------------------------------------------------------------- */

kgc_heap *kgc_heap_new(kite_store_t *store, const ktype_canon *canon)
{
    kgc_heap *h = kutil_calloc(store->alloc, 1, sizeof(*h));
    if (!h)
        return NULL;
    h->store = store;
    h->alloc = store->alloc;
    h->canon = canon;
    h->next_gc = KGC_MIN_TRIGGER;
    h->handles.next = h->handles.prev = &h->handles;
    h->marker.mark = kgc_marker_mark;
    h->stress = store->engine->config.gc_stress;
    return h;
}

void kgc_heap_set_limit(kgc_heap *h, uint64_t bytes)
{
    h->limit = bytes;
    if (bytes && h->next_gc > bytes)
        h->next_gc = bytes;
}

static void finalize_live(kgc_heap *h, kgc_obj *o) { finalize(h, &o->hdr); }

void kgc_heap_free(kgc_heap *h)
{
    if (!h)
        return;
    if (h->finalizers)
        kgc_each_object(h, finalize_live);
    while (h->blocks) {
        kgc_block *b = h->blocks;
        h->blocks = b->next;
        KGC_UNPOISON(b, KGC_BLOCK_BYTES);
        kutil_free(h->alloc, b);
    }
    while (h->large) {
        kgc_large *l = h->large;
        h->large = l->next;
        kutil_free(h->alloc, l);
    }
    while (h->handles.next != &h->handles)
        kgc_handle_free(h->handles.next);
    kgc_rtts_free(h);
    kutil_free(h->alloc, h->mark);
    kutil_free(h->alloc, h);
}

/* ---- host handles ------------------------------------------------------------------------------------ */

kite_root_t *kgc_handle_new(kgc_heap *h, krt_ref r)
{
    kite_root_t *root = kutil_malloc(h->alloc, sizeof(*root));
    if (!root)
        return NULL;
    root->heap = h;
    root->ref = r;
    root->next = h->handles.next;
    root->prev = &h->handles;
    h->handles.next->prev = root;
    h->handles.next = root;
    return root;
}

void kgc_handle_free(kite_root_t *root)
{
    root->prev->next = root->next;
    root->next->prev = root->prev;
    kutil_free(root->heap->alloc, root);
}
