/*
 * The collector's mark phase and the collection itself: roots, an explicit
 * mark stack (no recursion, however deep the object graph), and a rescan of
 * the heap when the mark stack cannot grow.
 */
#include <stddef.h>

#include "gc/gc.h"
#include "gc/internal.h"
#include "util/alloc.h"

static void push(kgc_heap *h, kgc_obj *o)
{
    if (h->nmark == h->cap_mark) {
        size_t cap = h->cap_mark ? h->cap_mark * 2 : 1024;
        kgc_obj **m = cap <= SIZE_MAX / sizeof(*m)
                          ? kutil_realloc(h->alloc, h->mark, cap * sizeof(*m))
                          : NULL;
        if (!m) {
            /* The object stays marked; the rescan finds its children. */
            h->overflow = true;
            return;
        }
        h->mark = m;
        h->cap_mark = cap;
    }
    h->mark[h->nmark++] = o;
}

void kgc_mark(kgc_heap *h, krt_ref r)
{
    if (r == 0 || (r & 1u))
        return; /* null or an i31: not a pointer */
    krt_obj *o = (krt_obj *)r;
    if (o->kind == KRT_OBJ_FUNC || o->kind == 0) {
        /* Functions are not in this heap (they live as long as their
         * store). Kind 0 is a free cell: a reference that outlived its
         * object, counted for tests. */
        if (o->kind == 0)
            h->stale++;
        return;
    }
    kgc_obj *g = (kgc_obj *)o;
    if (g->rtt & 1u)
        return;
    g->rtt |= 1u;
    push(h, g);
}

/* Marks the references in an exception's payload. */
static void trace_exn(kgc_heap *h, const krt_exn *e)
{
    const struct kite_tag *tag = e->tag;
    uint32_t s = 0;
    for (uint32_t i = 0; i < tag->nparams && s < e->nslots; i++) {
        if (kir_vt_is_ref(tag->params[i]))
            kgc_mark(h, (krt_ref)e->slots[s]);
        s += krt_slots(tag->params[i]);
    }
}

/* Marks what object o refers to. */
static void trace(kgc_heap *h, kgc_obj *o)
{
    const kgc_rtt *rtt = kgc_rtt_of(o);
    if (rtt->kind == KRT_OBJ_EXN) {
        trace_exn(h, (const krt_exn *)(const void *)o);
    } else if (rtt->kind == KRT_OBJ_STRUCT) {
        const uint8_t *base = (const uint8_t *)o;
        for (uint32_t i = 0; i < rtt->nrefs; i++)
            kgc_mark(h, (krt_ref) * (const uint64_t *)(const void *)(base + rtt->ref_offsets[i]));
    } else if (rtt->elem_ref) {
        kgc_array *a = (kgc_array *)o;
        const uint64_t *e = (const uint64_t *)(void *)kgc_array_data(a);
        for (uint32_t i = 0; i < a->len; i++)
            kgc_mark(h, (krt_ref)e[i]);
    }
}

static void drain(kgc_heap *h)
{
    while (h->nmark)
        trace(h, h->mark[--h->nmark]);
}

static void retrace(kgc_heap *h, kgc_obj *o)
{
    if (o->rtt & 1u) {
        trace(h, o);
        drain(h);
    }
}

/* ---- roots --------------------------------------------------------------------------------- */

/* Whether a value of canonical type t can refer to a heap object:
 * references of the any, extern and exn hierarchies (an externalized
 * struct is the struct itself), not functions. */
static bool may_hold_gc(const ktype_canon *c, kir_valtype t)
{
    if (!kir_vt_is_ref(t))
        return false;
    uint32_t h = kir_vt_heap(t);
    if (kir_vt_concrete(t))
        return ktype_canon_type(c, h)->comp != KIR_COMP_FUNC;
    switch (h) {
    case KIR_HEAP_FUNC:
    case KIR_HEAP_NOFUNC:
    case KIR_HEAP_NOEXN:
    case KIR_HEAP_NOEXTERN:
    case KIR_HEAP_NONE: return false;
    default: return true;
    }
}

static void mark_global(kgc_heap *h, const struct kite_global *g)
{
    if (g && may_hold_gc(h->canon, g->type))
        kgc_mark(h, (krt_ref)g->value[0]);
}

static void mark_table(kgc_heap *h, const struct kite_table *t)
{
    if (!t || !t->table || !may_hold_gc(h->canon, t->elem))
        return;
    const krt_table *tab = t->table;
    for (uint64_t i = 0; i < tab->size; i++)
        kgc_mark(h, tab->elems[i]);
}

static void mark_instance(kgc_heap *h, const krt_instance *inst)
{
    const kir_module *m = inst->m;
    for (uint32_t i = 0; i < m->nglobals; i++)
        mark_global(h, inst->globals[i]);
    for (uint32_t i = 0; i < m->ntables; i++)
        mark_table(h, inst->tables[i]);
    for (uint32_t i = 0; i < m->nelems; i++) {
        const krt_elem_seg *s = &inst->elems[i];
        if (!s->refs || !s->count || !may_hold_gc(h->canon, krt_canon_valtype(m, m->elems[i].type)))
            continue;
        for (uint32_t k = 0; k < s->count; k++)
            kgc_mark(h, s->refs[k]);
    }
}

void kgc_marker_mark(krt_marker *m, krt_ref r)
{
    kgc_mark((kgc_heap *)(void *)((char *)m - offsetof(kgc_heap, marker)), r);
}

static void mark_roots(kgc_heap *h)
{
    const krt_rootset *roots = &h->store->roots;
    if (h->store->thread && h->scan_stacks)
        h->scan_stacks(h->store->thread, h);
    for (const krt_roots *r = roots->scoped; r; r = r->prev)
        r->scan(r, &h->marker);
    for (kite_root_t *r = h->handles.next; r != &h->handles; r = r->next)
        kgc_mark(h, r->ref);
    for (uint32_t i = 0; i < roots->ninstances; i++)
        mark_instance(h, roots->instances[i]);
    for (uint32_t i = 0; i < roots->nglobals; i++)
        mark_global(h, roots->globals[i]);
    for (uint32_t i = 0; i < roots->ntables; i++)
        mark_table(h, roots->tables[i]);
    for (const kite_trap_t *t = roots->traps; t; t = t->exn_next)
        kgc_mark(h, krt_ref_from_obj(t->exn));
}

void kgc_collect(kgc_heap *h)
{
    if (h->collecting)
        return;
    h->collecting = true;
    h->collections++;
    h->overflow = false;
    mark_roots(h);
    drain(h);
    while (h->overflow) {
        h->overflow = false;
        kgc_each_object(h, retrace);
    }
    h->live_bytes = kgc_sweep(h);
    h->collecting = false;
}
