/*
 * wasm.h values: wasm_val_t to and from kite values (references through
 * handles), and kite types as wasm.h types.
 */
#include <stdio.h>
#include <string.h>

#include "api/wasm_internal.h"
#include "runtime/objects.h"

bool kapi_ref_fits(const wasm_store_t *store, kite_ref_t r, kir_valtype t)
{
    return krt_ref_matches(store->store->engine->canon, (krt_ref)r, t);
}

/* ---- kinds ------------------------------------------------------------------------------- */

wasm_valkind_t kapi_valkind(const kite_engine_t *engine, kir_valtype t)
{
    switch (kir_vt_kind(t)) {
    case KIR_I32: return WASM_I32;
    case KIR_I64: return WASM_I64;
    case KIR_F32: return WASM_F32;
    case KIR_F64: return WASM_F64;
    case KIR_V128: return WASM_V128;
    default: break;
    }
    if (kir_vt_concrete(t))
        return ktype_canon_type(engine->canon, kir_vt_heap(t))->comp == KIR_COMP_FUNC ? WASM_FUNCREF
                                                                                      : WASM_ANYREF;
    switch (kir_vt_heap(t)) {
    case KIR_HEAP_FUNC:
    case KIR_HEAP_NOFUNC: return WASM_FUNCREF;
    case KIR_HEAP_EXTERN:
    case KIR_HEAP_NOEXTERN: return WASM_EXTERNREF;
    case KIR_HEAP_EXN:
    case KIR_HEAP_NOEXN: return WASM_EXNREF;
    default: return WASM_ANYREF;
    }
}

bool kapi_valtype_to_kite(wasm_valkind_t kind, kite_valtype_t *out)
{
    kite_valtype_t t = {KITE_I32, false, 0};
    switch (kind) {
    case WASM_I32: break;
    case WASM_I64: t.kind = KITE_I64; break;
    case WASM_F32: t.kind = KITE_F32; break;
    case WASM_F64: t.kind = KITE_F64; break;
    case WASM_EXTERNREF: t = (kite_valtype_t){KITE_REF, true, KITE_HEAP_EXTERN}; break;
    case WASM_FUNCREF: t = (kite_valtype_t){KITE_REF, true, KITE_HEAP_FUNC}; break;
    case WASM_ANYREF: t = (kite_valtype_t){KITE_REF, true, KITE_HEAP_ANY}; break;
    case WASM_EXNREF: t = (kite_valtype_t){KITE_REF, true, KITE_HEAP_EXN}; break;
    default: return false; /* v128 and unknown kinds */
    }
    *out = t;
    return true;
}

/* ---- values ------------------------------------------------------------------------------ */

void wasm_val_delete(wasm_val_t *v)
{
    if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
        wasm_ref_delete(v->of.ref);
        v->of.ref = NULL;
    }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
    *out = *v;
    if (wasm_valkind_is_ref(v->kind) && v->of.ref)
        out->of.ref = wasm_ref_copy(v->of.ref);
}

bool kapi_val_from_kite(wasm_store_t *store, kir_valtype t, const kite_val_t *in, wasm_val_t *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = kapi_valkind(store->engine->engine, t);
    switch (in->kind) {
    case KITE_I32: out->of.i32 = in->of.i32; return true;
    case KITE_I64: out->of.i64 = in->of.i64; return true;
    case KITE_F32: memcpy(&out->of.f32, &in->of.f32_bits, sizeof(float)); return true;
    case KITE_F64: memcpy(&out->of.f64, &in->of.f64_bits, sizeof(double)); return true;
    case KITE_V128: return true; /* no room: callers refuse v128 before */
    case KITE_REF: {
        bool ok;
        out->of.ref = kapi_ref_from_kite(store, in->of.ref, &ok);
        return ok;
    }
    }
    return false;
}

static const char *kind_name(wasm_valkind_t k)
{
    switch (k) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_V128: return "v128";
    case WASM_EXTERNREF: return "externref";
    case WASM_FUNCREF: return "funcref";
    case WASM_ANYREF: return "anyref";
    case WASM_EXNREF: return "exnref";
    default: return "an unknown kind";
    }
}

bool kapi_val_to_kite(wasm_store_t *store, kir_valtype t, const wasm_val_t *in, kite_val_t *out,
                      char *why, size_t size)
{
    memset(out, 0, sizeof(*out));
    wasm_valkind_t want = kapi_valkind(store->engine->engine, t);
    bool ref_ok = wasm_valkind_is_ref(want) && wasm_valkind_is_ref(in->kind) &&
                  in->kind != WASM_V128;
    if (in->kind != want && !ref_ok) {
        snprintf(why, size, "expected %s, got %s", kind_name(want), kind_name(in->kind));
        return false;
    }
    switch (in->kind) {
    case WASM_I32: out->kind = KITE_I32; out->of.i32 = in->of.i32; return true;
    case WASM_I64: out->kind = KITE_I64; out->of.i64 = in->of.i64; return true;
    case WASM_F32:
        out->kind = KITE_F32;
        memcpy(&out->of.f32_bits, &in->of.f32, sizeof(float));
        return true;
    case WASM_F64:
        out->kind = KITE_F64;
        memcpy(&out->of.f64_bits, &in->of.f64, sizeof(double));
        return true;
    case WASM_V128:
        snprintf(why, size, "v128 values cannot be passed through wasm.h");
        return false;
    default: break;
    }
    out->kind = KITE_REF;
    if (kapi_ref_to_kite(store, in->of.ref, t, &out->of.ref))
        return true;
    char name[48];
    snprintf(why, size, "%s is not a value of type %s", in->of.ref ? "the reference" : "null",
             krt_valtype_name(t, name, sizeof(name)));
    return false;
}

/* ---- types ------------------------------------------------------------------------------- */

static bool valtypes_from_kite(const kite_engine_t *engine, const kir_valtype *types, uint32_t n,
                               wasm_valtype_vec_t *out)
{
    wasm_valtype_vec_new_uninitialized(out, n);
    if (out->size != n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        out->data[i] = wasm_valtype_new(kapi_valkind(engine, types[i]));
        if (!out->data[i]) {
            wasm_valtype_vec_delete(out);
            return false;
        }
    }
    return true;
}

wasm_functype_t *kapi_functype_from_kite(const kite_engine_t *engine, const kite_functype_t *type)
{
    /* kite_functype_t is the engine's canonical function type. */
    const ktype_ctype *ct = (const ktype_ctype *)(const void *)type;
    wasm_valtype_vec_t ps, rs;
    if (!valtypes_from_kite(engine, ct->types, ct->nparams, &ps))
        return NULL;
    if (!valtypes_from_kite(engine, ct->types + ct->nparams, ct->nresults, &rs)) {
        wasm_valtype_vec_delete(&ps);
        return NULL;
    }
    return wasm_functype_new(&ps, &rs);
}

wasm_externtype_t *kapi_externtype_from_kite(const kite_engine_t *engine,
                                             const kite_externtype_t *type, kir_valtype content)
{
    switch (type->kind) {
    case KITE_EXTERN_FUNC:
        return (wasm_externtype_t *)kapi_functype_from_kite(engine, type->of.func);
    case KITE_EXTERN_GLOBAL:
        return (wasm_externtype_t *)wasm_globaltype_new(
            wasm_valtype_new(kapi_valkind(engine, content)),
            type->of.global.mutable_ ? WASM_VAR : WASM_CONST);
    case KITE_EXTERN_TABLE: {
        wasm_limits_t l = kapi_limits_from_kite(&type->of.table.limits);
        return (wasm_externtype_t *)wasm_tabletype_new(
            wasm_valtype_new(kapi_valkind(engine, content)), &l);
    }
    case KITE_EXTERN_MEMORY: {
        wasm_limits_t l = kapi_limits_from_kite(&type->of.memory.limits);
        return (wasm_externtype_t *)wasm_memorytype_new(&l);
    }
    case KITE_EXTERN_TAG: return NULL;
    }
    return NULL;
}
