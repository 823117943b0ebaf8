/*
 * wasm.h modules (with serialization and sharing across threads) and
 * instances. A module handle shares a counted record holding one kite
 * module reference; a shared module holds a reference of its own, so a
 * module obtained in another thread's store is the same compiled module.
 */
#include <string.h>

#include "api/module_internal.h"
#include "api/wasm_internal.h"
#include "util/alloc.h"
#include "kite_wasm.h"
#include "runtime/runtime.h"
#include "util/error.h"

struct wasm_shared_module_t {
    kite_module_t *module;
    kite_allocator_t alloc; /* its engine's */
};

void kapi_module_retain(kapi_module *m) { m->refs++; }

void kapi_module_release(kapi_module *m)
{
    if (--m->refs)
        return;
    if (m->finalizer)
        m->finalizer(m->host_info);
    kite_module_free(m->module);
    kite_allocator_t alloc = m->alloc;
    kutil_free(&alloc, m);
}

/* A handle on a new record taking over `module`; NULL (module freed) when
 * out of memory. */
static wasm_module_t *module_handle(wasm_store_t *store, kite_module_t *module)
{
    kapi_module *m = kutil_calloc(&store->alloc, 1, sizeof(*m));
    if (m)
        m->alloc = store->alloc;
    kapi_ref *r = m ? kapi_ref_new(store, KAPI_MODULE, m) : NULL;
    if (!r) {
        kutil_free(&store->alloc, m);
        kite_module_free(module);
        return NULL;
    }
    m->refs = 1;
    m->module = module;
    return (wasm_module_t *)(void *)r;
}

wasm_module_t *kite_wasm_module_from_kite(wasm_store_t *store, const kite_module_t *module)
{
    if (module->engine != store->engine->engine)
        return NULL;
    return module_handle(store, kite_module_clone(module));
}

static kite_module_t *kite_module_of(const wasm_module_t *module)
{
    return module->r.of.module->module;
}

wasm_module_t *kapi_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                               kite_error_t **error)
{
    kite_module_t *m;
    kite_error_t *err = kite_module_new(store->engine->engine, (const uint8_t *)binary->data,
                                        binary->size, &m);
    if (err) {
        *error = err;
        return NULL;
    }
    wasm_module_t *h = module_handle(store, m);
    *error = h ? NULL : kutil_error_oom();
    return h;
}

wasm_module_t *wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
    kite_error_t *err;
    wasm_module_t *m = kapi_module_new(store, binary, &err);
    kite_error_free(err);
    return m;
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
    kite_error_t *err =
        kite_module_validate(store->engine->engine, (const uint8_t *)binary->data, binary->size);
    kite_error_free(err);
    return err == NULL;
}

/* ---- imports and exports ------------------------------------------------------------------ */

/* The canonical table element or global type of item (kind, index), which
 * kite_externtype_t leaves out. */
static kir_valtype content_type(const kir_module *m, kir_extern_kind kind, uint32_t index)
{
    switch (kind) {
    case KIR_EXTERN_TABLE: return krt_canon_valtype(m, m->tables[index].elem);
    case KIR_EXTERN_GLOBAL: return krt_canon_valtype(m, m->globals[index].type);
    default: return 0;
    }
}

static bool name_from(wasm_name_t *out, const char *bytes, size_t len)
{
    wasm_name_new(out, len, bytes);
    return out->size == len;
}

void wasm_module_imports(const wasm_module_t *module, wasm_importtype_vec_t *out)
{
    const kite_module_t *km = kite_module_of(module);
    const kir_module *m = kapi_module_ir(km);
    const kite_engine_t *engine = module->r.store->engine->engine;
    size_t n = 0;
    for (uint32_t i = 0; i < m->nimports; i++)
        n += m->imports[i].kind != KIR_EXTERN_TAG;
    wasm_importtype_vec_new_uninitialized(out, n);
    if (out->size != n)
        return;
    for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
        const kir_import *imp = &m->imports[i];
        if (imp->kind == KIR_EXTERN_TAG)
            continue;
        kite_import_desc_t d = kite_module_import(km, i);
        wasm_name_t mod, name;
        bool ok = name_from(&mod, d.module, d.module_len);
        ok = name_from(&name, d.name, d.name_len) && ok;
        wasm_externtype_t *type =
            kapi_externtype_from_kite(engine, &d.type, content_type(m, imp->kind, imp->index));
        if (!ok) {
            wasm_externtype_delete(type);
            type = NULL;
        }
        out->data[k] = wasm_importtype_new(&mod, &name, type);
        if (!out->data[k++]) {
            wasm_importtype_vec_delete(out);
            return;
        }
    }
}

void wasm_module_exports(const wasm_module_t *module, wasm_exporttype_vec_t *out)
{
    const kite_module_t *km = kite_module_of(module);
    const kir_module *m = kapi_module_ir(km);
    const kite_engine_t *engine = module->r.store->engine->engine;
    size_t n = 0;
    for (uint32_t i = 0; i < m->nexports; i++)
        n += m->exports[i].kind != KIR_EXTERN_TAG;
    wasm_exporttype_vec_new_uninitialized(out, n);
    if (out->size != n)
        return;
    for (uint32_t i = 0, k = 0; i < m->nexports; i++) {
        const kir_export *ex = &m->exports[i];
        if (ex->kind == KIR_EXTERN_TAG)
            continue;
        kite_export_desc_t d = kite_module_export(km, i);
        wasm_name_t name;
        bool ok = name_from(&name, d.name, d.name_len);
        wasm_externtype_t *type =
            kapi_externtype_from_kite(engine, &d.type, content_type(m, ex->kind, ex->index));
        if (!ok) {
            wasm_externtype_delete(type);
            type = NULL;
        }
        out->data[k] = wasm_exporttype_new(&name, type);
        if (!out->data[k++]) {
            wasm_exporttype_vec_delete(out);
            return;
        }
    }
}

/* ---- serialization and sharing ------------------------------------------------------------- */

/* An empty vector when the module cannot be serialized (made from text
 * through kite.h) or memory runs out. */
void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out)
{
    wasm_byte_vec_new_empty(out);
    size_t len = 0;
    kite_error_t *err = kite_module_serialize(kite_module_of(module), NULL, 0, &len);
    if (!err) {
        wasm_byte_vec_new_uninitialized(out, len);
        if (out->size == len)
            err = kite_module_serialize(kite_module_of(module), (uint8_t *)out->data, len, &len);
    }
    if (err) {
        kite_error_free(err);
        wasm_byte_vec_delete(out);
    }
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *bytes)
{
    kite_module_t *m;
    kite_error_t *err = kite_module_deserialize(store->engine->engine,
                                                (const uint8_t *)bytes->data, bytes->size, &m);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    return module_handle(store, m);
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module)
{
    const kite_allocator_t *alloc = &module->r.of.module->alloc;
    wasm_shared_module_t *s = kutil_malloc(alloc, sizeof(*s));
    if (s) {
        s->module = kite_module_clone(kite_module_of(module));
        s->alloc = *alloc;
    }
    return s;
}

void wasm_shared_module_delete(wasm_shared_module_t *shared)
{
    if (!shared)
        return;
    kite_allocator_t alloc = shared->alloc;
    kite_module_free(shared->module);
    kutil_free(&alloc, shared);
}

/* Only a store of the module's engine can use it. */
wasm_module_t *wasm_module_obtain(wasm_store_t *store, const wasm_shared_module_t *shared)
{
    if (!store || !shared || shared->module->engine != store->engine->engine)
        return NULL;
    return module_handle(store, kite_module_clone(shared->module));
}

/* ---- instances ------------------------------------------------------------------------------- */

static kite_externkind_t kite_kind_of(kapi_kind k)
{
    switch (k) {
    case KAPI_GLOBAL: return KITE_EXTERN_GLOBAL;
    case KAPI_TABLE: return KITE_EXTERN_TABLE;
    case KAPI_MEMORY: return KITE_EXTERN_MEMORY;
    default: return KITE_EXTERN_FUNC;
    }
}

/* The imports as kite externs (in externs[nimports]); NULL, or the trap
 * saying what is wrong with them. */
static wasm_trap_t *convert_imports(wasm_store_t *store, const kir_module *m,
                                    const wasm_extern_vec_t *imports, kite_extern_t *externs)
{
    size_t given = imports ? imports->size : 0;
    for (uint32_t i = 0; i < m->nimports; i++)
        if (m->imports[i].kind == KIR_EXTERN_TAG)
            return kapi_trap_printf(store,
                                    "import %u is a tag, which wasm.h cannot provide "
                                    "(instantiate through kite.h)",
                                    i);
    if (given != m->nimports)
        return kapi_trap_printf(store, "the module has %u imports, %zu were given",
                                m->nimports, given);
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wasm_extern_t *e = imports->data[i];
        if (!e)
            return kapi_trap_printf(store, "import %u is NULL", i);
        if (e->r.store != store)
            return kapi_trap_printf(store, "import %u belongs to another store", i);
        memset(&externs[i], 0, sizeof(externs[i]));
        externs[i].kind = kite_kind_of(e->r.kind);
        switch (e->r.kind) {
        case KAPI_FUNC: externs[i].of.func = e->r.of.func; break;
        case KAPI_GLOBAL: externs[i].of.global = e->r.of.global; break;
        case KAPI_TABLE: externs[i].of.table = e->r.of.table; break;
        case KAPI_MEMORY: externs[i].of.memory = e->r.of.memory; break;
        default: return kapi_trap_printf(store, "import %u is not an extern", i);
        }
    }
    return NULL;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap)
{
    if (trap)
        *trap = NULL;
    const kite_module_t *km = kite_module_of(module);
    const kir_module *m = kapi_module_ir(km);
    kite_extern_t *externs =
        kutil_calloc(&store->alloc, m->nimports ? m->nimports : 1, sizeof(kite_extern_t));
    wasm_trap_t *t = externs ? convert_imports(store, m, imports, externs)
                             : kapi_trap_printf(store, "out of memory");
    kite_instance_t *inst = NULL;
    if (!t) {
        kite_trap_t *kt = NULL;
        kite_error_t *err = kite_instance_new(store->store, km, externs, m->nimports, &inst, &kt);
        if (err)
            t = kapi_trap_from_error(store, err);
        else if (kt)
            t = kapi_trap_wrap(store, kt);
    }
    kutil_free(&store->alloc, externs);
    kapi_ref *r = inst ? kapi_ref_new(store, KAPI_INSTANCE, inst) : NULL;
    if (inst && !r)
        t = kapi_trap_printf(store, "out of memory");
    if (t && trap)
        *trap = t;
    else
        wasm_trap_delete(t);
    return (wasm_instance_t *)(void *)r;
}

static kapi_ref *extern_handle(wasm_store_t *store, const kite_extern_t *e)
{
    switch (e->kind) {
    case KITE_EXTERN_FUNC: return kapi_ref_new(store, KAPI_FUNC, e->of.func);
    case KITE_EXTERN_GLOBAL: return kapi_ref_new(store, KAPI_GLOBAL, e->of.global);
    case KITE_EXTERN_TABLE: return kapi_ref_new(store, KAPI_TABLE, e->of.table);
    case KITE_EXTERN_MEMORY: return kapi_ref_new(store, KAPI_MEMORY, e->of.memory);
    case KITE_EXTERN_TAG: return NULL;
    }
    return NULL;
}

void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out)
{
    const kite_instance_t *inst = instance->r.of.instance;
    size_t count = kite_instance_export_count(inst), n = 0;
    for (size_t i = 0; i < count; i++)
        n += kite_instance_export_at(inst, i).kind != KITE_EXTERN_TAG;
    wasm_extern_vec_new_uninitialized(out, n);
    if (out->size != n)
        return;
    for (size_t i = 0, k = 0; i < count; i++) {
        kite_extern_t e = kite_instance_export_at(inst, i);
        if (e.kind == KITE_EXTERN_TAG)
            continue;
        out->data[k] = (wasm_extern_t *)(void *)extern_handle(instance->r.store, &e);
        if (!out->data[k++]) {
            wasm_extern_vec_delete(out);
            return;
        }
    }
}
