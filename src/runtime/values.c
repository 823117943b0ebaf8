/*
 * Values between the host and the runtime: kite_val_t <-> slots, public
 * value types <-> kir_valtype, and the type checks of values the host hands
 * in (arguments, global and table values).
 *
 * Slot encoding (the same for every tier, globals and constant
 * expressions): i32 and f32 bits zero-extended to 64 bits; i64 and f64 bits
 * as they are; a v128 in two slots, bytes 0..7 then 8..15, each little-endian;
 * a reference as its pointer-sized word.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/objects.h"
#include "util/error.h"

kir_valtype krt_canon_valtype(const kir_module *m, kir_valtype t)
{
    if (!kir_vt_is_ref(t) || !kir_vt_concrete(t))
        return t;
    uint32_t id = m->canon[kir_vt_heap(t)];
    return (t & ((1u << KIR_VT_HEAP_SHIFT) - 1u)) | (id << KIR_VT_HEAP_SHIFT);
}

static uint64_t le64(const uint8_t *b)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | b[i];
    return x;
}

static void put_le64(uint8_t *b, uint64_t x)
{
    for (int i = 0; i < 8; i++, x >>= 8)
        b[i] = (uint8_t)x;
}

void krt_val_to_slots(const kite_val_t *v, uint64_t *slots)
{
    switch (v->kind) {
    case KITE_I32: slots[0] = (uint32_t)v->of.i32; break;
    case KITE_I64: slots[0] = (uint64_t)v->of.i64; break;
    case KITE_F32: slots[0] = v->of.f32_bits; break;
    case KITE_F64: slots[0] = v->of.f64_bits; break;
    case KITE_V128:
        slots[0] = le64(v->of.v128);
        slots[1] = le64(v->of.v128 + 8);
        break;
    case KITE_REF: slots[0] = (uint64_t)v->of.ref; break;
    }
}

kite_val_t krt_val_from_slots(kir_valtype t, const uint64_t *slots)
{
    kite_val_t v;
    memset(&v, 0, sizeof(v));
    switch (kir_vt_kind(t)) {
    case KIR_I32: v.kind = KITE_I32; v.of.i32 = (int32_t)(uint32_t)slots[0]; break;
    case KIR_I64: v.kind = KITE_I64; v.of.i64 = (int64_t)slots[0]; break;
    case KIR_F32: v.kind = KITE_F32; v.of.f32_bits = (uint32_t)slots[0]; break;
    case KIR_F64: v.kind = KITE_F64; v.of.f64_bits = slots[0]; break;
    case KIR_V128:
        v.kind = KITE_V128;
        put_le64(v.of.v128, slots[0]);
        put_le64(v.of.v128 + 8, slots[1]);
        break;
    default: v.kind = KITE_REF; v.of.ref = (kite_ref_t)slots[0]; break;
    }
    return v;
}

/* ---- public value types -------------------------------------------------------------- */

kite_error_t *krt_valtype_from_api(const kite_allocator_t *a, kite_valtype_t t, kir_valtype *out)
{
    switch (t.kind) {
    case KITE_I32: *out = kir_vt(KIR_I32); return NULL;
    case KITE_I64: *out = kir_vt(KIR_I64); return NULL;
    case KITE_F32: *out = kir_vt(KIR_F32); return NULL;
    case KITE_F64: *out = kir_vt(KIR_F64); return NULL;
    case KITE_V128: *out = kir_vt(KIR_V128); return NULL;
    case KITE_REF:
        if (t.heap < KITE_HEAP_EXN || t.heap > KITE_HEAP_NOEXN)
            return kutil_error_new(a, KITE_ERROR_ARGUMENT,
                                   "reference types made by the host need an abstract heap "
                                   "type (KITE_HEAP_*), got 0x%x",
                                   t.heap);
        *out = kir_vt_ref(t.nullable, false, t.heap);
        return NULL;
    }
    return kutil_error_new(a, KITE_ERROR_ARGUMENT, "unknown value kind %d", (int)t.kind);
}

kite_valtype_t krt_valtype_to_api(kir_valtype t)
{
    kite_valtype_t v = {KITE_I32, false, 0};
    switch (kir_vt_kind(t)) {
    case KIR_I64: v.kind = KITE_I64; break;
    case KIR_F32: v.kind = KITE_F32; break;
    case KIR_F64: v.kind = KITE_F64; break;
    case KIR_V128: v.kind = KITE_V128; break;
    case KIR_REF:
        v.kind = KITE_REF;
        v.nullable = kir_vt_nullable(t);
        v.heap = kir_vt_concrete(t) ? KITE_HEAP_CONCRETE : kir_vt_heap(t);
        break;
    default: break;
    }
    return v;
}

static const char *heap_name(uint32_t h)
{
    static const char *const names[] = {
        "exn", "array", "struct", "i31", "eq", "any", "extern", "func", "none", "noextern",
        "nofunc", "noexn",
    };
    return h >= KIR_HEAP_EXN && h <= KIR_HEAP_NOEXN ? names[h - KIR_HEAP_EXN] : "?";
}

const char *kite_valkind_name(kite_valkind_t kind)
{
    static const char *const names[] = {
        [KITE_I32] = "i32", [KITE_I64] = "i64",   [KITE_F32] = "f32",
        [KITE_F64] = "f64", [KITE_V128] = "v128", [KITE_REF] = "ref",
    };
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : NULL;
}

const char *krt_valtype_name(kir_valtype t, char *buf, size_t size)
{
    kir_kind k = kir_vt_kind(t);
    if (k != KIR_REF) {
        bool numeric = k >= KIR_I32 && k <= KIR_V128;
        snprintf(buf, size, "%s", numeric ? kite_valkind_name(krt_valtype_to_api(t).kind) : "?");
        return buf;
    }
    const char *null = kir_vt_nullable(t) ? "null " : "";
    if (kir_vt_concrete(t))
        snprintf(buf, size, "(ref %s%u)", null, kir_vt_heap(t));
    else
        snprintf(buf, size, "(ref %s%s)", null, heap_name(kir_vt_heap(t)));
    return buf;
}

/* ---- checks of host values ----------------------------------------------------------- */

/* Whether an object of canonical type `canon` and composite kind `comp`
 * belongs to heap type (abstract or canonical id) of t. */
static bool composite_matches(const ktype_canon *c, uint32_t canon, kir_comp comp, kir_valtype t)
{
    uint32_t h = kir_vt_heap(t);
    if (kir_vt_concrete(t))
        return ktype_canon_is_subtype(c, canon, h);
    switch (comp) {
    case KIR_COMP_FUNC: return h == KIR_HEAP_FUNC;
    case KIR_COMP_STRUCT:
        return h == KIR_HEAP_STRUCT || h == KIR_HEAP_EQ || h == KIR_HEAP_ANY;
    case KIR_COMP_ARRAY: return h == KIR_HEAP_ARRAY || h == KIR_HEAP_EQ || h == KIR_HEAP_ANY;
    }
    return false;
}

bool krt_ref_matches(const ktype_canon *c, krt_ref r, kir_valtype t)
{
    if (!kir_vt_is_ref(t))
        return false;
    if (krt_ref_is_null(r))
        return kir_vt_nullable(t);
    uint32_t h = kir_vt_heap(t);
    bool concrete = kir_vt_concrete(t);
    /* any.convert_extern and extern.convert_any keep the reference as it
     * is: a host reference is also an anyref, and an i31, struct or array
     * also an externref. */
    if (krt_ref_is_i31(r))
        return !concrete && (h == KIR_HEAP_I31 || h == KIR_HEAP_EQ || h == KIR_HEAP_ANY ||
                             h == KIR_HEAP_EXTERN);
    const krt_obj *o = krt_ref_obj(r);
    switch ((krt_obj_kind)o->kind) {
    case KRT_OBJ_FUNC: return composite_matches(c, o->canon, KIR_COMP_FUNC, t);
    case KRT_OBJ_STRUCT:
        return composite_matches(c, o->canon, KIR_COMP_STRUCT, t) || (!concrete && h == KIR_HEAP_EXTERN);
    case KRT_OBJ_ARRAY:
        return composite_matches(c, o->canon, KIR_COMP_ARRAY, t) || (!concrete && h == KIR_HEAP_EXTERN);
    case KRT_OBJ_HOST: return !concrete && (h == KIR_HEAP_EXTERN || h == KIR_HEAP_ANY);
    case KRT_OBJ_EXN: return !concrete && h == KIR_HEAP_EXN;
    }
    return false;
}

static const char *valkind_name(kite_valkind_t k)
{
    const char *name = kite_valkind_name(k);
    return k == KITE_REF ? "a reference" : name ? name : "an unknown kind";
}

kite_error_t *krt_val_check(const kite_allocator_t *a, const ktype_canon *c, const kite_val_t *v,
                            kir_valtype t, const char *what)
{
    char name[48];
    kite_valtype_t want = krt_valtype_to_api(t);
    if (v->kind != want.kind)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT, "%s: expected %s, got %s", what,
                               krt_valtype_name(t, name, sizeof(name)), valkind_name(v->kind));
    if (v->kind != KITE_REF || krt_ref_matches(c, v->of.ref, t))
        return NULL;
    if (v->of.ref == KITE_REF_NULL)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT, "%s: null is not a value of type %s", what,
                               krt_valtype_name(t, name, sizeof(name)));
    return kutil_error_new(a, KITE_ERROR_ARGUMENT, "%s: the reference is not of type %s", what,
                           krt_valtype_name(t, name, sizeof(name)));
}
