/* Memories, tables, globals, tags and references in kite.h. */
#include <string.h>

#include "api/module_internal.h"
#include "gc/gc.h"
#include "runtime/engine.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

/* Public limits as module limits. */
static kir_limits limits_from_api(const kite_limits_t *l)
{
    kir_limits k = {l->min, l->max, l->has_max, l->is64, l->shared};
    return k;
}

/* ---- memories ------------------------------------------------------------------------ */

kite_error_t *kite_memory_new(kite_store_t *store, const kite_limits_t *pages, kite_memory_t **out)
{
    return kite_memory_new_paged(store, pages, 16, out);
}

kite_error_t *kite_memory_new_paged(kite_store_t *store, const kite_limits_t *pages,
                                    uint32_t page_size_log2, kite_memory_t **out)
{
    *out = NULL;
    if (page_size_log2 != 16 && page_size_log2 != 0)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "memory pages are 2^16 or 2^0 bytes, not 2^%u", page_size_log2);
    if (pages->has_max && pages->max < pages->min)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "size minimum must not be greater than maximum");
    if (pages->shared && !pages->has_max)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "shared memory must have maximum");
    kir_limits l = limits_from_api(pages);
    return krt_memory_obj_new(store, &l, page_size_log2, out);
}

uint8_t *kite_memory_data(kite_memory_t *memory) { return memory->mem->base; }
uint64_t kite_memory_size(const kite_memory_t *memory) { return krt_memory_size(memory->mem); }
uint64_t kite_memory_pages(const kite_memory_t *memory) { return krt_memory_pages(memory->mem); }

uint64_t kite_memory_grow(kite_memory_t *memory, uint64_t delta_pages)
{
    return krt_memory_grow(memory->mem, delta_pages);
}

/* ---- shared memories ----------------------------------------------------------------- */

struct kite_shared_memory {
    krt_memory *mem; /* one reference */
};

/* A handle allocated with the memory's allocator (its engine's). */
static kite_shared_memory_t *share(krt_memory *mem)
{
    kite_shared_memory_t *s = kutil_malloc(mem->alloc, sizeof(*s));
    if (!s)
        return NULL;
    krt_memory_retain(mem);
    s->mem = mem;
    return s;
}

kite_error_t *kite_shared_memory_new(kite_engine_t *engine, const kite_limits_t *pages,
                                     kite_shared_memory_t **out)
{
    *out = NULL;
    const kite_allocator_t *a = &engine->config.alloc;
    if (!pages->shared || !pages->has_max)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT,
                               "a shared memory must be shared and have a maximum");
    if (pages->max < pages->min)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT,
                               "size minimum must not be greater than maximum");
    kir_limits l = limits_from_api(pages);
    krt_memory_opts opts = {.shared_reserve_cap = engine->config.shared_memory_reserve};
    krt_memory *mem;
    kite_error_t *err = krt_memory_new(a, &l, 16, &opts, &mem);
    if (err)
        return err;
    *out = share(mem);
    krt_memory_release(mem);
    return *out ? NULL : kutil_error_oom();
}

kite_shared_memory_t *kite_memory_share(kite_memory_t *memory)
{
    return memory && memory->mem->shared ? share(memory->mem) : NULL;
}

kite_error_t *kite_shared_memory_attach(kite_shared_memory_t *shared, kite_store_t *store,
                                        kite_memory_t **out)
{
    return krt_memory_obj_wrap(store, shared->mem, out);
}

kite_shared_memory_t *kite_shared_memory_clone(const kite_shared_memory_t *shared)
{
    return share(shared->mem);
}

void kite_shared_memory_free(kite_shared_memory_t *shared)
{
    if (!shared)
        return;
    const kite_allocator_t *a = shared->mem->alloc;
    krt_memory_release(shared->mem);
    kutil_free(a, shared);
}

/* ---- tables -------------------------------------------------------------------------- */

kite_error_t *kite_table_new(kite_store_t *store, kite_valtype_t elem, const kite_limits_t *limits,
                             kite_ref_t init, kite_table_t **out)
{
    *out = NULL;
    kir_valtype t;
    kite_error_t *err = krt_valtype_from_api(store->alloc, elem, &t);
    if (err)
        return err;
    if (!kir_vt_is_ref(t))
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "a table's elements must be references");
    if (limits->shared)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "tables cannot be shared");
    if (limits->has_max && limits->max < limits->min)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "size minimum must not be greater than maximum");
    kite_val_t v = {.kind = KITE_REF, .of.ref = init};
    err = krt_val_check(store->alloc, store->engine->canon, &v, t, "initial element");
    if (err)
        return err;
    kir_limits l = limits_from_api(limits);
    return krt_table_obj_new(store, t, &l, (krt_ref)init, out);
}

uint64_t kite_table_size(const kite_table_t *table) { return table->table->size; }

bool kite_table_get(const kite_table_t *table, uint64_t index, kite_ref_t *out)
{
    uintptr_t r;
    if (krt_table_get(table->table, index, &r) != KRT_TABLE_OK)
        return false;
    *out = (kite_ref_t)r;
    return true;
}

/*
 * Whether `ref` fits canonical type t, for tables and globals, which do not
 * lead to their engine's type registry. Only a concrete heap type needs it:
 * a Wasm function leads to the registry through its instance, a struct or
 * array through its RTT, and a host function's type is final without
 * supertypes, so it matches exactly its own canonical id. Everything else
 * is decided without the registry.
 */
static bool ref_fits(kite_ref_t ref, kir_valtype t)
{
    const krt_obj *o = krt_ref_obj((krt_ref)ref);
    if (!o || !kir_vt_is_ref(t) || !kir_vt_concrete(t))
        return krt_ref_matches(NULL, (krt_ref)ref, t);
    if (o->kind == KRT_OBJ_STRUCT || o->kind == KRT_OBJ_ARRAY)
        return krt_ref_matches(kgc_rtt_of((const kgc_obj *)o)->registry, (krt_ref)ref, t);
    if (o->kind != KRT_OBJ_FUNC)
        return false;
    const krt_func *f = (const krt_func *)o;
    if (f->instance)
        return krt_ref_matches(f->instance->store->engine->canon, (krt_ref)ref, t);
    return o->canon == kir_vt_heap(t);
}

kite_error_t *kite_table_set(kite_table_t *table, uint64_t index, kite_ref_t ref)
{
    const kite_allocator_t *a = table->table->alloc;
    if (!ref_fits(ref, table->elem))
        return kutil_error_new(a, KITE_ERROR_ARGUMENT,
                               "the reference does not fit the table's type");
    if (krt_table_set(table->table, index, (uintptr_t)ref) != KRT_TABLE_OK)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT, "out of bounds table access");
    return NULL;
}

uint64_t kite_table_grow(kite_table_t *table, uint64_t delta, kite_ref_t init)
{
    if (!ref_fits(init, table->elem))
        return KRT_TABLE_GROW_FAILED;
    return krt_table_grow(table->table, delta, (uintptr_t)init);
}

/* ---- globals ------------------------------------------------------------------------- */

kite_error_t *kite_global_new(kite_store_t *store, kite_valtype_t type, bool mutable_,
                              const kite_val_t *value, kite_global_t **out)
{
    *out = NULL;
    kir_valtype t;
    kite_error_t *err = krt_valtype_from_api(store->alloc, type, &t);
    if (!err)
        err = krt_val_check(store->alloc, store->engine->canon, value, t, "global value");
    if (err)
        return err;
    uint64_t slots[2] = {0, 0};
    krt_val_to_slots(value, slots);
    return krt_global_new(store, t, mutable_, slots, out);
}

kite_val_t kite_global_get(const kite_global_t *global)
{
    return krt_val_from_slots(global->type, global->value);
}

kite_error_t *kite_global_set(kite_global_t *global, const kite_val_t *value)
{
    const kite_allocator_t *a = global->alloc;
    if (!global->mutable_)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT, "global is immutable");
    kite_valtype_t want = krt_valtype_to_api(global->type);
    if (value->kind != want.kind)
        return kutil_error_new(a, KITE_ERROR_ARGUMENT, "global value: wrong kind of value");
    if (value->kind == KITE_REF && !ref_fits(value->of.ref, global->type))
        return kutil_error_new(a, KITE_ERROR_ARGUMENT,
                               "global value: the reference does not fit the global's type");
    uint64_t slots[2] = {0, 0};
    krt_val_to_slots(value, slots);
    global->value[0] = slots[0];
    global->value[1] = slots[1];
    return NULL;
}

/* ---- tags ---------------------------------------------------------------------------- */

kite_error_t *kite_tag_new(kite_store_t *store, const kite_valtype_t *params, size_t nparams,
                           kite_tag_t **out)
{
    *out = NULL;
    if (nparams > UINT32_MAX / 4)
        return kutil_error_new(store->alloc, KITE_ERROR_LIMIT, "too many tag parameters");
    kir_valtype *ps = kutil_malloc(store->alloc, nparams ? nparams * sizeof(kir_valtype) : 1);
    if (!ps)
        return kutil_error_oom();
    kite_error_t *err = NULL;
    for (size_t i = 0; i < nparams && !err; i++)
        err = krt_valtype_from_api(store->alloc, params[i], &ps[i]);
    uint32_t canon = 0;
    if (!err)
        err = ktype_canon_func(store->engine->canon, ps, (uint32_t)nparams, NULL, 0, &canon);
    kutil_free(store->alloc, ps);
    return err ? err : krt_tag_new(store, canon, out);
}

/* ---- references ---------------------------------------------------------------------- */

kite_error_t *kite_ref_new_host_with_finalizer(kite_store_t *store, uintptr_t host_value,
                                               void (*finalize)(uintptr_t host_value),
                                               kite_ref_t *out)
{
    krt_hostref *h = kgc_hostref_new(store->gc, host_value, finalize);
    *out = (kite_ref_t)krt_ref_from_obj(h);
    return h ? NULL
             : kutil_error_new(store->alloc, KITE_ERROR_LIMIT, "%s",
                               krt_trap_kind_message(KITE_TRAP_GC_HEAP_EXHAUSTED));
}

kite_error_t *kite_ref_new_host(kite_store_t *store, uintptr_t host_value, kite_ref_t *out)
{
    return kite_ref_new_host_with_finalizer(store, host_value, NULL, out);
}

bool kite_ref_host_value(kite_ref_t ref, uintptr_t *out)
{
    const krt_obj *o = krt_ref_obj((krt_ref)ref);
    if (!o || o->kind != KRT_OBJ_HOST)
        return false;
    *out = ((const krt_hostref *)o)->value;
    return true;
}

kite_func_t *kite_ref_func(kite_ref_t ref)
{
    krt_obj *o = krt_ref_obj((krt_ref)ref);
    return o && o->kind == KRT_OBJ_FUNC ? (kite_func_t *)o : NULL;
}

kite_ref_t kite_func_ref(kite_func_t *func) { return (kite_ref_t)krt_ref_from_obj(func); }

kite_refkind_t kite_ref_kind(kite_ref_t ref)
{
    if (krt_ref_is_null((krt_ref)ref))
        return KITE_REFKIND_NULL;
    if (krt_ref_is_i31((krt_ref)ref))
        return KITE_REFKIND_I31;
    switch ((krt_obj_kind)krt_ref_obj((krt_ref)ref)->kind) {
    case KRT_OBJ_FUNC: return KITE_REFKIND_FUNC;
    case KRT_OBJ_HOST: return KITE_REFKIND_HOST;
    case KRT_OBJ_EXN: return KITE_REFKIND_EXN;
    case KRT_OBJ_STRUCT: return KITE_REFKIND_STRUCT;
    case KRT_OBJ_ARRAY: return KITE_REFKIND_ARRAY;
    }
    return KITE_REFKIND_NULL;
}

/* ---- extern types ---------------------------------------------------------------------- */

kite_externtype_t kite_extern_type(const kite_extern_t *ext)
{
    kite_externtype_t t;
    memset(&t, 0, sizeof(t));
    t.kind = ext->kind;
    switch (ext->kind) {
    case KITE_EXTERN_FUNC: t.of.func = kite_func_type(ext->of.func); break;
    case KITE_EXTERN_TABLE: {
        const krt_table *k = ext->of.table->table;
        t.of.table.elem = krt_valtype_to_api(ext->of.table->elem);
        t.of.table.limits =
            (kite_limits_t){k->size, k->max, ext->of.table->has_max, k->is64, false};
        if (!t.of.table.limits.has_max)
            t.of.table.limits.max = 0;
        break;
    }
    case KITE_EXTERN_MEMORY: {
        const krt_memory *k = ext->of.memory->mem;
        t.of.memory.limits = (kite_limits_t){krt_memory_pages(k), k->max_pages,
                                             ext->of.memory->has_max, k->is64, k->shared};
        if (!t.of.memory.limits.has_max)
            t.of.memory.limits.max = 0;
        t.of.memory.page_size_log2 = k->page_size_log2;
        break;
    }
    case KITE_EXTERN_GLOBAL:
        t.of.global.type = krt_valtype_to_api(ext->of.global->type);
        t.of.global.mutable_ = ext->of.global->mutable_;
        break;
    case KITE_EXTERN_TAG:
        t.of.tag = krt_functype(ext->of.tag->store->engine, ext->of.tag->canon);
        break;
    }
    return t;
}
