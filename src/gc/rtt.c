/*
 * Runtime types: per canonical struct or array type, the layout the
 * interpreter, the collector and the host API use. Made on first use and
 * kept by the heap (one table per store, keyed by canonical id), so no lock
 * is needed; the canonical type itself is the engine's and outlives the
 * store.
 */
#include <string.h>

#include "gc/gc.h"
#include "gc/internal.h"
#include "util/alloc.h"

/* Bytes a field or element of storage type t takes. */
static uint32_t width_of(kir_valtype t)
{
    switch (kir_vt_kind(t)) {
    case KIR_I8: return 1;
    case KIR_I16: return 2;
    case KIR_I32:
    case KIR_F32: return 4;
    case KIR_V128: return 16;
    default: return 8; /* i64, f64, references */
    }
}

/* A struct's layout: fields in order, each at its natural alignment (at
 * most 8), so a subtype (which extends the field list) keeps the offsets
 * of its supertype. */
static kgc_rtt *struct_rtt(const kgc_heap *h, const ktype_ctype *ct)
{
    uint32_t n = ct->nfields, nrefs = 0;
    for (uint32_t i = 0; i < n; i++)
        nrefs += kir_vt_is_ref(ct->fields[i].type);
    size_t size = sizeof(kgc_rtt) + (size_t)n * sizeof(kgc_field) + (size_t)nrefs * sizeof(uint32_t);
    kgc_rtt *rtt = kutil_calloc(h->alloc, 1, size);
    if (!rtt)
        return NULL;
    kgc_field *fields = (kgc_field *)(void *)(rtt + 1);
    uint32_t *refs = (uint32_t *)(void *)(fields + n);
    uint64_t off = KGC_STRUCT_FIELDS;
    uint32_t slot = 0, r = 0;
    bool all64 = true;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = width_of(ct->fields[i].type);
        uint32_t align = w > 8 ? 8 : w;
        off = (off + align - 1) & ~(uint64_t)(align - 1);
        fields[i].offset = (uint32_t)off;
        fields[i].slot = slot;
        fields[i].width = (uint8_t)w;
        fields[i].ref = kir_vt_is_ref(ct->fields[i].type);
        if (fields[i].ref)
            refs[r++] = (uint32_t)off;
        all64 = all64 && w == 8;
        off += w;
        slot += w == 16 ? 2 : 1;
    }
    rtt->kind = KRT_OBJ_STRUCT;
    rtt->size = (uint32_t)((off + 15) & ~(uint64_t)15);
    rtt->nfields = n;
    rtt->nslots = slot;
    rtt->nrefs = nrefs;
    rtt->fields = fields;
    rtt->ref_offsets = refs;
    rtt->all64 = all64;
    return rtt;
}

static kgc_rtt *array_rtt(const kgc_heap *h, const ktype_ctype *ct)
{
    kgc_rtt *rtt = kutil_calloc(h->alloc, 1, sizeof(kgc_rtt));
    if (!rtt)
        return NULL;
    rtt->kind = KRT_OBJ_ARRAY;
    rtt->elem_width = (uint8_t)width_of(ct->fields[0].type);
    rtt->elem_ref = kir_vt_is_ref(ct->fields[0].type);
    return rtt;
}

static uint32_t hash_canon(uint32_t canon, uint32_t cap)
{
    return (uint32_t)((canon * UINT64_C(0x9E3779B97F4A7C15)) >> 40) & (cap - 1);
}

static bool table_grow(kgc_heap *h)
{
    uint32_t cap = h->cap_rtts ? h->cap_rtts * 2 : 64;
    kgc_rtt **t = kutil_calloc(h->alloc, cap, sizeof(*t));
    if (!t)
        return false;
    for (uint32_t i = 0; i < h->cap_rtts; i++) {
        kgc_rtt *r = h->rtts[i];
        if (!r)
            continue;
        uint32_t k = hash_canon(r->canon, cap);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = r;
    }
    kutil_free(h->alloc, h->rtts);
    h->rtts = t;
    h->cap_rtts = cap;
    return true;
}

const kgc_rtt *kgc_rtt_get(kgc_heap *h, uint32_t canon)
{
    if (h->cap_rtts) {
        for (uint32_t k = hash_canon(canon, h->cap_rtts);; k = (k + 1) & (h->cap_rtts - 1)) {
            if (!h->rtts[k])
                break;
            if (h->rtts[k]->canon == canon)
                return h->rtts[k];
        }
    }
    if ((h->nrtts + 1) * 2 > h->cap_rtts && !table_grow(h))
        return NULL;
    const ktype_ctype *ct = ktype_canon_type(h->canon, canon);
    kgc_rtt *rtt;
    switch (ct->comp) {
    case KIR_COMP_STRUCT: rtt = struct_rtt(h, ct); break;
    case KIR_COMP_ARRAY: rtt = array_rtt(h, ct); break;
    default: return NULL;
    }
    if (!rtt)
        return NULL;
    rtt->canon = canon;
    rtt->type = ct;
    rtt->registry = h->canon;
    uint32_t k = hash_canon(canon, h->cap_rtts);
    while (h->rtts[k])
        k = (k + 1) & (h->cap_rtts - 1);
    h->rtts[k] = rtt;
    h->nrtts++;
    return rtt;
}

void kgc_rtts_free(kgc_heap *h)
{
    for (uint32_t i = 0; i < h->cap_rtts; i++)
        kutil_free(h->alloc, h->rtts[i]);
    kutil_free(h->alloc, h->rtts);
    h->rtts = NULL;
    h->cap_rtts = h->nrtts = 0;
}
