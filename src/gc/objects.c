/*
 * Making GC objects and moving values in and out of them, for the
 * constant-expression evaluator and the host API (the interpreter inlines
 * its own allocation fast path but shares the value helpers); exceptions
 * and host references.
 */
#include <string.h>

#include "gc/gc.h"

void kgc_store_value(uint8_t *p, uint32_t width, const uint64_t *slots)
{
    switch (width) {
    case 1: *p = (uint8_t)slots[0]; break;
    case 2: {
        uint16_t v = (uint16_t)slots[0];
        memcpy(p, &v, 2);
        break;
    }
    case 4: {
        uint32_t v = (uint32_t)slots[0];
        memcpy(p, &v, 4);
        break;
    }
    case 8: memcpy(p, slots, 8); break;
    default:
        memcpy(p, &slots[0], 8);
        memcpy(p + 8, &slots[1], 8);
        break;
    }
}

void kgc_load_value(const uint8_t *p, uint32_t width, uint64_t *slots)
{
    switch (width) {
    case 1: slots[0] = *p; break;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        slots[0] = v;
        break;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        slots[0] = v;
        break;
    }
    case 8: memcpy(slots, p, 8); break;
    default:
        memcpy(&slots[0], p, 8);
        memcpy(&slots[1], p + 8, 8);
        break;
    }
}

/* One element written, then copies doubling in size: every width at memcpy speed. */
void kgc_fill(uint8_t *dst, uint32_t width, uint64_t n, const uint64_t *val)
{
    if (n == 0)
        return;
    bool zero = val[0] == 0 && (width != 16 || val[1] == 0);
    size_t total = (size_t)(n * width);
    if (zero) {
        memset(dst, 0, total);
        return;
    }
    if (width == 1) {
        memset(dst, (int)(uint8_t)val[0], total);
        return;
    }
    kgc_store_value(dst, width, val);
    size_t done = width;
    while (done < total) {
        size_t k = done < total - done ? done : total - done;
        memcpy(dst + done, dst, k);
        done += k;
    }
}

static void set_header(kgc_obj *o, const kgc_rtt *rtt)
{
    o->hdr.kind = rtt->kind;
    o->hdr.canon = rtt->canon;
    o->rtt = (uintptr_t)rtt;
}

kgc_obj *kgc_struct_new(kgc_heap *h, const kgc_rtt *rtt, const uint64_t *slots)
{
    kgc_obj *o = kgc_alloc(h, rtt->size);
    if (!o)
        return NULL;
    set_header(o, rtt);
    uint8_t *p = (uint8_t *)o;
    memset(p + KGC_STRUCT_FIELDS, 0, rtt->size - KGC_STRUCT_FIELDS);
    if (slots)
        for (uint32_t i = 0; i < rtt->nfields; i++)
            kgc_store_value(p + rtt->fields[i].offset, rtt->fields[i].width, slots + rtt->fields[i].slot);
    return o;
}

/* An array of n elements, uninitialized. */
static kgc_array *array_alloc(kgc_heap *h, const kgc_rtt *rtt, uint32_t n, kite_trap_kind_t *trap)
{
    uint64_t size = kgc_array_size(n, rtt->elem_width);
    if (!size) {
        *trap = KITE_TRAP_ARRAY_TOO_LARGE;
        return NULL;
    }
    kgc_array *a = kgc_alloc(h, size);
    if (!a) {
        *trap = KITE_TRAP_GC_HEAP_EXHAUSTED;
        return NULL;
    }
    set_header(&a->obj, rtt);
    a->len = n;
    a->pad_ = 0;
    return a;
}

kgc_array *kgc_array_new(kgc_heap *h, const kgc_rtt *rtt, uint32_t n, const uint64_t *init,
                         kite_trap_kind_t *trap)
{
    kgc_array *a = array_alloc(h, rtt, n, trap);
    if (!a)
        return NULL;
    static const uint64_t zero[2] = {0, 0};
    kgc_fill(kgc_array_data(a), rtt->elem_width, n, init ? init : zero);
    return a;
}

kgc_array *kgc_array_new_fixed(kgc_heap *h, const kgc_rtt *rtt, uint32_t n,
                               const uint64_t *slots, kite_trap_kind_t *trap)
{
    kgc_array *a = array_alloc(h, rtt, n, trap);
    if (!a)
        return NULL;
    uint32_t w = rtt->elem_width, step = w == 16 ? 2 : 1;
    for (uint32_t i = 0; i < n; i++)
        kgc_store_value(kgc_array_data(a) + (size_t)i * w, w, slots + (size_t)i * step);
    return a;
}

/* ---- exceptions and host references ------------------------------------------------------ */

const kgc_rtt kgc_exn_rtt = {.kind = KRT_OBJ_EXN};
const kgc_rtt kgc_hostref_rtt = {.kind = KRT_OBJ_HOST};

krt_exn *kgc_exn_new(kgc_heap *h, struct kite_tag *tag, const uint64_t *payload)
{
    /* A tag's parameters are few (a type's count is bounded by the
     * validator), far below any size limit. */
    size_t bytes = (size_t)tag->param_slots * sizeof(uint64_t);
    uint64_t size = (sizeof(krt_exn) + bytes + 15u) & ~(uint64_t)15u;
    kgc_obj *o = kgc_alloc(h, size);
    if (!o)
        return NULL;
    set_header(o, &kgc_exn_rtt);
    krt_exn *e = (krt_exn *)(void *)o;
    e->tag = tag;
    e->nslots = tag->param_slots;
    e->pad_ = 0;
    if (bytes)
        memcpy(e->slots, payload, bytes);
    return e;
}

krt_hostref *kgc_hostref_new(kgc_heap *h, uintptr_t value, void (*finalize)(uintptr_t value))
{
    kgc_obj *o = kgc_alloc(h, sizeof(krt_hostref));
    if (!o)
        return NULL;
    set_header(o, &kgc_hostref_rtt);
    krt_hostref *r = (krt_hostref *)(void *)o;
    r->value = value;
    r->finalize = finalize;
    if (finalize)
        h->finalizers++;
    return r;
}

bool kgc_new_for_const(kite_store_t *store, kir_op op, uint32_t canon, const uint64_t *operands,
                       uint32_t count, krt_ref *out, kite_trap_kind_t *why)
{
    kgc_heap *h = store->gc;
    const kgc_rtt *rtt = kgc_rtt_get(h, canon);
    if (!rtt) {
        *why = KITE_TRAP_OUT_OF_MEMORY;
        return false;
    }
    kgc_obj *o;
    switch (op) {
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT:
        *why = KITE_TRAP_GC_HEAP_EXHAUSTED;
        o = kgc_struct_new(h, rtt, operands);
        break;
    case KIR_OP_ARRAY_NEW_FIXED:
        o = (kgc_obj *)kgc_array_new_fixed(h, rtt, count, operands, why);
        break;
    default: o = (kgc_obj *)kgc_array_new(h, rtt, count, operands, why); break;
    }
    *out = krt_ref_from_obj(o);
    return o != NULL;
}
