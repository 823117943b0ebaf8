/*
 * wasm.h runtime environment: configuration, engines and stores (with the
 * store's registry of host info and externref boxes), the operations every
 * reference shares (copy, same, delete, host info, views), foreign objects.
 */
#include <string.h>

#include "api/wasm_internal.h"
#include "util/alloc.h"

/* ---- configuration and engines ------------------------------------------------------------- */

wasm_config_t *wasm_config_new(void)
{
    wasm_config_t *c = kapi_alloc(sizeof(*c));
    if (c && !(c->config = kite_config_new())) {
        kapi_free(c);
        c = NULL;
    }
    return c;
}

void wasm_config_delete(wasm_config_t *config)
{
    if (!config)
        return;
    kite_config_free(config->config);
    kapi_free(config);
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config)
{
    kite_engine_t *engine = kite_engine_new(config ? config->config : NULL);
    wasm_config_delete(config);
    if (!engine)
        return NULL;
    kite_allocator_t alloc = kite_engine_allocator(engine);
    wasm_engine_t *e = kutil_malloc(&alloc, sizeof(*e));
    if (!e) {
        kite_engine_free(engine);
        return NULL;
    }
    e->engine = engine;
    e->alloc = alloc;
    return e;
}

wasm_engine_t *wasm_engine_new(void) { return wasm_engine_new_with_config(NULL); }

void wasm_engine_delete(wasm_engine_t *engine)
{
    if (!engine)
        return;
    kite_allocator_t alloc = engine->alloc;
    kite_engine_free(engine->engine);
    kutil_free(&alloc, engine);
}

/* ---- stores ------------------------------------------------------------------------------ */

wasm_store_t *wasm_store_new(wasm_engine_t *engine)
{
    if (!engine)
        return NULL;
    wasm_store_t *s = kutil_calloc(&engine->alloc, 1, sizeof(*s));
    if (s && !(s->store = kite_store_new(engine->engine))) {
        kutil_free(&engine->alloc, s);
        s = NULL;
    }
    if (s) {
        s->engine = engine;
        s->alloc = engine->alloc;
    }
    return s;
}

/*
 * Host-info finalizers first, in the order the entries were made (while
 * every object is still there), then what the registry holds (boxed
 * modules and traps, pins), then the kite store, whose host functions'
 * finalizers run as it goes, and last WASI, which must outlive every call.
 */
void wasm_store_delete(wasm_store_t *store)
{
    if (!store)
        return;
    for (uint32_t i = 0; i < store->ninfos; i++) {
        kapi_info *info = &store->infos[i];
        if (info->finalizer)
            info->finalizer(info->host_info);
    }
    for (uint32_t i = 0; i < store->ninfos; i++) {
        kapi_info *info = &store->infos[i];
        if (info->box_kind == KAPI_MODULE)
            kapi_module_release(info->box_obj);
        else if (info->box_kind == KAPI_TRAP)
            kapi_trap_release(info->box_obj);
        kite_root_free(info->pin);
    }
    kite_store_free(store->store);
    kite_linker_free(store->wasi_linker);
    kite_wasi_free(store->wasi);
    kite_allocator_t alloc = store->alloc;
    kutil_free(&alloc, store->infos);
    kutil_free(&alloc, store->index);
    kutil_free(&alloc, store);
}

/* ---- the registry ---------------------------------------------------------------------- */

static uint32_t key_hash(uintptr_t key)
{
    uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (uint32_t)(h >> 32);
}

/* The index slot for key: its entry's, or the empty slot where it would go. */
static uint32_t *index_slot(const wasm_store_t *s, uintptr_t key)
{
    uint32_t mask = s->index_cap - 1;
    for (uint32_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &s->index[i];
        if (*slot == 0 || s->infos[*slot - 1].key == key)
            return slot;
    }
}

kapi_info *kapi_info_find(const wasm_store_t *s, uintptr_t key)
{
    if (!s->index_cap)
        return NULL;
    uint32_t *slot = index_slot(s, key);
    return *slot ? &s->infos[*slot - 1] : NULL;
}

/* The index is kept at most half full and rebuilt from the entries. */
static bool grow_index(wasm_store_t *s)
{
    uint32_t cap = s->index_cap ? s->index_cap * 2 : 64;
    uint32_t *index = kutil_calloc(&s->alloc, cap, sizeof(uint32_t));
    if (!index)
        return false;
    kutil_free(&s->alloc, s->index);
    s->index = index;
    s->index_cap = cap;
    for (uint32_t i = 0; i < s->ninfos; i++)
        *index_slot(s, s->infos[i].key) = i + 1;
    return true;
}

kapi_info *kapi_info_get(wasm_store_t *s, uintptr_t key)
{
    kapi_info *found = kapi_info_find(s, key);
    if (found)
        return found;
    if (s->ninfos == UINT32_MAX / 2)
        return NULL;
    if ((s->ninfos + 1) * 2 > s->index_cap && !grow_index(s))
        return NULL;
    if (s->ninfos == s->cap_infos) {
        uint32_t cap = s->cap_infos ? s->cap_infos * 2 : 16;
        kapi_info *infos = kutil_realloc(&s->alloc, s->infos, (size_t)cap * sizeof(kapi_info));
        if (!infos)
            return NULL;
        s->infos = infos;
        s->cap_infos = cap;
    }
    kapi_info *info = &s->infos[s->ninfos];
    memset(info, 0, sizeof(*info));
    info->key = key;
    *index_slot(s, key) = ++s->ninfos;
    return info;
}

/* ---- handles -------------------------------------------------------------------------------- */

/* The allocator of a handle: its store's, or for modules and traps (which
 * may outlive their store) their record's. */
static const kite_allocator_t *alloc_of(kapi_kind kind, const wasm_store_t *store, void *obj)
{
    if (kind == KAPI_MODULE)
        return &((kapi_module *)obj)->alloc;
    if (kind == KAPI_TRAP) {
        kapi_ref probe = {KAPI_TRAP, NULL, {.ptr = obj}};
        return kapi_trap_is_static(&probe) ? &kutil_libc : &((kapi_trap *)obj)->alloc;
    }
    return &store->alloc;
}

kapi_ref *kapi_ref_new(wasm_store_t *store, kapi_kind kind, void *obj)
{
    kapi_ref *r = kutil_malloc(alloc_of(kind, store, obj), sizeof(*r));
    if (!r)
        return NULL;
    r->kind = kind;
    r->store = store;
    r->of.ptr = obj;
    return r;
}

/* The registry key of a handle's object (modules and traps have none). */
static uintptr_t ref_key(const kapi_ref *r)
{
    switch (r->kind) {
    case KAPI_FOREIGN: return (uintptr_t)r->of.host;
    case KAPI_GCREF: return (uintptr_t)kite_root_get(r->of.root);
    default: return (uintptr_t)r->of.ptr;
    }
}

static kapi_ref *ref_copy(const kapi_ref *r)
{
    if (!r)
        return NULL;
    if (r->kind == KAPI_GCREF) {
        kite_root_t *root;
        kite_error_t *err = kite_root_new(r->store->store, kite_root_get(r->of.root), &root);
        if (err) {
            kite_error_free(err);
            return NULL;
        }
        kapi_ref *c = kapi_ref_new(r->store, KAPI_GCREF, root);
        if (!c)
            kite_root_free(root);
        return c;
    }
    kapi_ref *c = kapi_ref_new(r->store, r->kind, r->of.ptr);
    if (c && r->kind == KAPI_MODULE)
        kapi_module_retain(r->of.module);
    else if (c && r->kind == KAPI_TRAP)
        kapi_trap_retain(r->of.trap);
    return c;
}

static void ref_delete(kapi_ref *r)
{
    if (!r || (r->kind == KAPI_TRAP && kapi_trap_handle_is_static(r)))
        return;
    /* The record may go with its last handle: the allocator is copied first. */
    kite_allocator_t alloc = *alloc_of(r->kind, r->store, r->of.ptr);
    switch (r->kind) {
    case KAPI_MODULE: kapi_module_release(r->of.module); break;
    case KAPI_TRAP: kapi_trap_release(r->of.trap); break;
    case KAPI_GCREF: kite_root_free(r->of.root); break;
    default: break;
    }
    kutil_free(&alloc, r);
}

static bool ref_same(const kapi_ref *a, const kapi_ref *b)
{
    if (!a || !b)
        return a == b;
    return a->kind == b->kind && ref_key(a) == ref_key(b);
}

static void *ref_host_info(const kapi_ref *r)
{
    switch (r->kind) {
    case KAPI_MODULE: return r->of.module->host_info;
    case KAPI_TRAP: return r->of.trap->host_info;
    default: {
        const kapi_info *info = kapi_info_find(r->store, ref_key(r));
        return info ? info->host_info : NULL;
    }
    }
}

/* Host info is set in place; a GC object that has some is kept alive until
 * its store is deleted, so that its finalizer runs once, then. Out of
 * memory leaves the object without host info (the API has no way to say). */
static void ref_set_host_info(kapi_ref *r, void *info, void (*finalizer)(void *))
{
    if (r->kind == KAPI_TRAP && kapi_trap_is_static(r))
        return;
    if (r->kind == KAPI_MODULE || r->kind == KAPI_TRAP) {
        void **slot = r->kind == KAPI_MODULE ? &r->of.module->host_info : &r->of.trap->host_info;
        *slot = info;
        if (r->kind == KAPI_MODULE)
            r->of.module->finalizer = finalizer;
        else
            r->of.trap->finalizer = finalizer;
        return;
    }
    uintptr_t key = ref_key(r);
    kapi_info *e = kapi_info_get(r->store, key);
    if (!e)
        return;
    if (r->kind == KAPI_GCREF && !e->pin) {
        kite_error_t *err = kite_root_new(r->store->store, (kite_ref_t)key, &e->pin);
        if (err) {
            kite_error_free(err);
            return;
        }
    }
    e->host_info = info;
    e->finalizer = finalizer;
}

/* Which handle kinds a view of each wasm.h type admits. */
static bool kind_is(kapi_kind want, kapi_kind have)
{
    return want == have;
}
static bool kind_is_extern(kapi_kind have)
{
    return have == KAPI_FUNC || have == KAPI_GLOBAL || have == KAPI_TABLE || have == KAPI_MEMORY;
}

/* The common part of every reference type's functions. */
#define KAPI_REF_BASE(name)                                                                     \
    void wasm_##name##_delete(wasm_##name##_t *x) { ref_delete(x ? &x->r : NULL); }             \
    wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x)                               \
    {                                                                                           \
        return (wasm_##name##_t *)(void *)ref_copy(x ? &x->r : NULL);                           \
    }                                                                                           \
    bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b)                 \
    {                                                                                           \
        return ref_same(a ? &a->r : NULL, b ? &b->r : NULL);                                    \
    }                                                                                           \
    void *wasm_##name##_get_host_info(const wasm_##name##_t *x)                                 \
    {                                                                                           \
        return x ? ref_host_info(&x->r) : NULL;                                                 \
    }                                                                                           \
    void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info)                            \
    {                                                                                           \
        if (x)                                                                                  \
            ref_set_host_info(&x->r, info, NULL);                                               \
    }                                                                                           \
    void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info,             \
                                                    void (*finalizer)(void *))                  \
    {                                                                                           \
        if (x)                                                                                  \
            ref_set_host_info(&x->r, info, finalizer);                                          \
    }

/* The views between a specific reference type and wasm_ref_t. */
#define KAPI_REF(name, admits)                                                                   \
    KAPI_REF_BASE(name)                                                                          \
    wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) { return (wasm_ref_t *)(void *)x; }     \
    const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x)                       \
    {                                                                                            \
        return (const wasm_ref_t *)(const void *)x;                                              \
    }                                                                                            \
    wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r)                                           \
    {                                                                                            \
        return r && admits ? (wasm_##name##_t *)(void *)r : NULL;                                \
    }                                                                                            \
    const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r)                       \
    {                                                                                            \
        return r && admits ? (const wasm_##name##_t *)(const void *)r : NULL;                    \
    }

KAPI_REF_BASE(ref)
KAPI_REF(trap, kind_is(KAPI_TRAP, r->r.kind))
KAPI_REF(foreign, kind_is(KAPI_FOREIGN, r->r.kind))
KAPI_REF(module, kind_is(KAPI_MODULE, r->r.kind))
KAPI_REF(func, kind_is(KAPI_FUNC, r->r.kind))
KAPI_REF(global, kind_is(KAPI_GLOBAL, r->r.kind))
KAPI_REF(table, kind_is(KAPI_TABLE, r->r.kind))
KAPI_REF(memory, kind_is(KAPI_MEMORY, r->r.kind))
KAPI_REF(extern, kind_is_extern(r->r.kind))
KAPI_REF(instance, kind_is(KAPI_INSTANCE, r->r.kind))

/* ---- foreign objects ------------------------------------------------------------------------- */

/*
 * A host reference for wasm.h (a foreign object, or the box of an object),
 * pinned in its registry entry until the store is deleted: wasm.h handles
 * and the registry hold it by address, and kite frees unreachable host
 * references, so without the pin a handle could outlive its reference and
 * a new reference inherit the old one's host info. NULL when out of memory.
 */
static kapi_info *pinned_host_ref(wasm_store_t *store, kite_ref_t *out)
{
    kite_ref_t host;
    kite_error_t *err = kite_ref_new_host(store->store, 0, &host);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    kapi_info *e = kapi_info_get(store, (uintptr_t)host);
    if (!e)
        return NULL; /* unreachable, the reference is collected */
    err = kite_root_new(store->store, host, &e->pin);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    *out = host;
    return e;
}

wasm_foreign_t *wasm_foreign_new(wasm_store_t *store)
{
    kite_ref_t host;
    if (!pinned_host_ref(store, &host))
        return NULL;
    return (wasm_foreign_t *)(void *)kapi_ref_new(store, KAPI_FOREIGN, (void *)host);
}

/* ---------------------------------------------------------------------------------------------- */

wasm_ref_t *kapi_ref_from_kite(wasm_store_t *store, kite_ref_t ref, bool *ok)
{
    *ok = true;
    if (ref == KITE_REF_NULL)
        return NULL;
    kapi_ref *r = NULL;
    switch (kite_ref_kind(ref)) {
    case KITE_REFKIND_FUNC: r = kapi_ref_new(store, KAPI_FUNC, kite_ref_func(ref)); break;
    case KITE_REFKIND_HOST: {
        const kapi_info *box = kapi_info_find(store, (uintptr_t)ref);
        if (box && box->box_kind) {
            kapi_ref tmp = {box->box_kind, store, {.ptr = box->box_obj}};
            r = ref_copy(&tmp);
        } else {
            r = kapi_ref_new(store, KAPI_FOREIGN, (void *)ref);
        }
        break;
    }
    default: {
        kite_root_t *root;
        kite_error_t *err = kite_root_new(store->store, ref, &root);
        if (err) {
            kite_error_free(err);
            break;
        }
        r = kapi_ref_new(store, KAPI_GCREF, root);
        if (!r)
            kite_root_free(root);
        break;
    }
    }
    *ok = r != NULL;
    return (wasm_ref_t *)(void *)r;
}

/* The externref that boxes object `r`, made on first use. */
static bool box_of(wasm_store_t *store, const kapi_ref *r, kite_ref_t *out)
{
    const kapi_info *known = kapi_info_find(store, (uintptr_t)r->of.ptr);
    if (known && known->boxed_as) {
        *out = known->boxed_as;
        return true;
    }
    kite_ref_t box;
    kapi_info *b = pinned_host_ref(store, &box);
    if (!b)
        return false;
    b->box_kind = r->kind;
    b->box_obj = r->of.ptr;
    if (r->kind == KAPI_MODULE)
        kapi_module_retain(r->of.module);
    else if (r->kind == KAPI_TRAP)
        kapi_trap_retain(r->of.trap);
    kapi_info *o = kapi_info_get(store, (uintptr_t)r->of.ptr);
    if (!o)
        return false; /* the box stays registered; a later call makes another */
    o->boxed_as = box;
    *out = box;
    return true;
}

/* The kite reference an object is itself, when it is one. */
static bool native_ref(const kapi_ref *r, kite_ref_t *out)
{
    switch (r->kind) {
    case KAPI_FUNC: *out = kite_func_ref(r->of.func); return true;
    case KAPI_FOREIGN: *out = r->of.host; return true;
    case KAPI_GCREF: *out = kite_root_get(r->of.root); return true;
    default: return false;
    }
}

/* Whether t is externref or a supertype kite gives host references. */
static bool takes_boxes(kir_valtype t)
{
    return kir_vt_is_ref(t) && !kir_vt_concrete(t) &&
           (kir_vt_heap(t) == KIR_HEAP_EXTERN || kir_vt_heap(t) == KIR_HEAP_ANY);
}

bool kapi_ref_to_kite(wasm_store_t *store, const wasm_ref_t *ref, kir_valtype t, kite_ref_t *out)
{
    *out = KITE_REF_NULL;
    if (!ref)
        return kir_vt_is_ref(t) && kir_vt_nullable(t);
    const kapi_ref *r = &ref->r;
    if (r->store != store)
        return false; /* it would outlive its store in this one */
    kite_ref_t native;
    if (native_ref(r, &native)) {
        if (kapi_ref_fits(store, native, t)) {
            *out = native;
            return true;
        }
        /* Only a function is boxed where an externref goes: GC references
         * and foreign objects are externrefs already, or not at all. */
        if (r->kind != KAPI_FUNC)
            return false;
    }
    return takes_boxes(t) && box_of(store, r, out);
}
