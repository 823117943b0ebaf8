/*
 * wasm.h functions (host functions and calls), globals, tables, memories
 * and the extern views over them, on kite.h's objects.
 */
#include <stdio.h>
#include <string.h>

#include "api/wasm_internal.h"
#include "util/alloc.h"
#include "runtime/objects.h"

/* Calls with up to this many parameters and results convert their values
 * on the C stack. */
#define SMALL_VALS 16

/* Whether any of the types is v128, which wasm_val_t cannot hold. */
static bool has_v128(const kir_valtype *types, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (kir_vt_kind(types[i]) == KIR_V128)
            return true;
    return false;
}

/* ---- host functions ---------------------------------------------------------------------- */

typedef struct kapi_host {
    wasm_store_t *store;
    kite_allocator_t alloc; /* the store's: this record is freed with the kite store */
    kite_func_t *func;
    wasm_func_callback_t callback;
    wasm_func_callback_with_env_t callback_with_env;
    void *env;
    void (*finalizer)(void *);
} kapi_host;

/*
 * Runs a wasm.h callback for kite: the arguments become wasm.h values (with
 * handles the runtime deletes afterwards), the results are preset to their
 * kinds and null, and what the callback writes is checked against the
 * function's result types before kite gets it.
 */
static kite_trap_t *host_trampoline(void *env, kite_caller_t *caller, const kite_val_t *args,
                                    kite_val_t *results)
{
    (void)caller;
    kapi_host *h = env;
    const krt_func *f = h->func;
    wasm_store_t *s = h->store;
    size_t n = (size_t)f->nparams + f->nresults;
    wasm_val_t small[SMALL_VALS];
    wasm_val_t *vals = n <= SMALL_VALS ? small : kutil_calloc(&s->alloc, n, sizeof(wasm_val_t));
    if (!vals)
        return kite_trap_new(s->store, "out of memory");
    wasm_val_t *wargs = vals, *wres = vals + f->nparams;
    bool ok = true;
    for (uint32_t i = 0; i < f->nparams; i++)
        ok = kapi_val_from_kite(s, f->params[i], &args[i], &wargs[i]) && ok;
    for (uint32_t i = 0; i < f->nresults; i++) {
        memset(&wres[i], 0, sizeof(wres[i]));
        wres[i].kind = kapi_valkind(s->engine->engine, f->results[i]);
    }
    kite_trap_t *trap = NULL;
    if (!ok) {
        trap = kite_trap_new(s->store, "out of memory");
    } else {
        wasm_val_vec_t av = {f->nparams, wargs}, rv = {f->nresults, wres};
        wasm_trap_t *t = h->callback ? h->callback(&av, &rv)
                                     : h->callback_with_env(h->env, &av, &rv);
        if (t)
            trap = kapi_trap_take(s, t);
        for (uint32_t i = 0; !trap && i < f->nresults; i++) {
            char why[160], msg[200];
            if (!kapi_val_to_kite(s, f->results[i], &wres[i], &results[i], why, sizeof(why))) {
                snprintf(msg, sizeof(msg), "host function result %u: %s", i, why);
                trap = kite_trap_new(s->store, msg);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        wasm_val_delete(&vals[i]);
    if (vals != small)
        kutil_free(&s->alloc, vals);
    return trap;
}

static void host_finalize(void *env)
{
    kapi_host *h = env;
    if (h->finalizer)
        h->finalizer(h->env);
    kite_allocator_t alloc = h->alloc;
    kutil_free(&alloc, h);
}

/* The kite types of a wasm.h type vector (false for v128). */
static bool kite_types(const wasm_valtype_vec_t *v, kite_valtype_t *out)
{
    for (size_t i = 0; i < v->size; i++)
        if (!kapi_valtype_to_kite(v->data[i]->kind, &out[i]))
            return false;
    return true;
}

/* A host function of `type` calling what `proto` says; NULL for v128 types
 * and when out of memory. */
static wasm_func_t *host_func_new(wasm_store_t *store, const wasm_functype_t *type,
                                  const kapi_host *proto)
{
    size_t np = type->params.size, nr = type->results.size;
    kite_valtype_t small[SMALL_VALS];
    const kite_allocator_t *a = &store->alloc;
    kite_valtype_t *types = np + nr <= SMALL_VALS ? small : kutil_calloc(a, np + nr, sizeof(*types));
    kapi_host *h = kutil_malloc(a, sizeof(*h));
    kite_func_t *func = NULL;
    if (types && h && kite_types(&type->params, types) &&
        kite_types(&type->results, types + np)) {
        *h = *proto;
        h->store = store;
        h->alloc = *a;
        kite_error_t *err = kite_func_new_host(store->store, types, np, types + np, nr,
                                               host_trampoline, h, host_finalize, &func);
        if (err)
            kite_error_free(err);
        else
            h->func = func;
    }
    if (!func)
        kutil_free(a, h); /* else the store's: host_finalize frees it */
    if (types != small)
        kutil_free(a, types);
    return func ? (wasm_func_t *)(void *)kapi_ref_new(store, KAPI_FUNC, func) : NULL;
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t callback)
{
    kapi_host proto = {.callback = callback};
    return callback ? host_func_new(store, type, &proto) : NULL;
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t callback, void *env,
                                    void (*finalizer)(void *))
{
    kapi_host proto = {.callback_with_env = callback, .env = env, .finalizer = finalizer};
    return callback ? host_func_new(store, type, &proto) : NULL;
}

/* ---- functions ------------------------------------------------------------------------------ */

wasm_functype_t *wasm_func_type(const wasm_func_t *func)
{
    return kapi_functype_from_kite(func->r.store->engine->engine, kite_func_type(func->r.of.func));
}

size_t wasm_func_param_arity(const wasm_func_t *func)
{
    return kite_func_param_count(func->r.of.func);
}
size_t wasm_func_result_arity(const wasm_func_t *func)
{
    return kite_func_result_count(func->r.of.func);
}

/* The call, once the values are in kite's form; results are written as
 * far as `results` has room. */
static wasm_trap_t *call(wasm_store_t *s, kite_func_t *f, const kite_val_t *kargs,
                         kite_val_t *kres, wasm_val_vec_t *results)
{
    kite_trap_t *kt = NULL;
    kite_error_t *err = kite_func_call(s->store, f, kargs, f->nparams, kres, f->nresults, &kt);
    if (err)
        return kapi_trap_from_error(s, err);
    if (kt)
        return kapi_trap_wrap(s, kt);
    size_t room = results ? results->size : 0;
    for (uint32_t i = 0; i < f->nresults && i < room; i++) {
        if (!kapi_val_from_kite(s, f->results[i], &kres[i], &results->data[i])) {
            for (uint32_t k = 0; k <= i; k++)
                wasm_val_delete(&results->data[k]);
            return kapi_trap_printf(s, "out of memory");
        }
    }
    if (room < f->nresults)
        return kapi_trap_printf(s,
                                "wasm_func_call: the function returned %u results, the results "
                                "vector has room for %zu",
                                f->nresults, room);
    return NULL;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
    wasm_store_t *s = func->r.store;
    kite_func_t *f = func->r.of.func;
    size_t na = args ? args->size : 0, nr = f->nresults;
    if (na != f->nparams)
        return kapi_trap_printf(s, "wasm_func_call: the function takes %u arguments, %zu given",
                                f->nparams, na);
    if (has_v128(f->params, f->nparams) || has_v128(f->results, f->nresults))
        return kapi_trap_printf(s, "wasm_func_call: v128 parameters and results cannot be "
                                   "passed through wasm.h");
    size_t n = na + nr;
    kite_val_t small[SMALL_VALS];
    kite_val_t *vals = n <= SMALL_VALS ? small : kutil_calloc(&s->alloc, n, sizeof(kite_val_t));
    if (!vals)
        return kapi_trap_printf(s, "out of memory");
    wasm_trap_t *trap = NULL;
    for (size_t i = 0; i < na && !trap; i++) {
        char why[160];
        if (!kapi_val_to_kite(s, f->params[i], &args->data[i], &vals[i], why, sizeof(why)))
            trap = kapi_trap_printf(s, "wasm_func_call: argument %zu: %s", i, why);
    }
    if (!trap)
        trap = call(s, f, vals, vals + na, results);
    if (vals != small)
        kutil_free(&s->alloc, vals);
    return trap;
}

/* ---- globals ------------------------------------------------------------------------------ */

/* The canonical type made for a wasm.h kind (false for v128 and unknown). */
static bool kir_type_of(wasm_valkind_t kind, kite_valtype_t *kt, kir_valtype *t)
{
    if (!kapi_valtype_to_kite(kind, kt))
        return false;
    kite_error_t *err = krt_valtype_from_api(&kutil_libc, *kt, t);
    kite_error_free(err);
    return err == NULL;
}

wasm_global_t *wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *type,
                               const wasm_val_t *val)
{
    kite_valtype_t kt;
    kir_valtype t;
    kite_val_t kv;
    char why[160];
    if (!kir_type_of(type->content->kind, &kt, &t) ||
        !kapi_val_to_kite(store, t, val, &kv, why, sizeof(why)))
        return NULL;
    kite_global_t *g;
    kite_error_t *err = kite_global_new(store->store, kt, type->mutability == WASM_VAR, &kv, &g);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    return (wasm_global_t *)(void *)kapi_ref_new(store, KAPI_GLOBAL, g);
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *global)
{
    const kite_global_t *g = global->r.of.global;
    wasm_valkind_t kind = kapi_valkind(global->r.store->engine->engine, g->type);
    return wasm_globaltype_new(wasm_valtype_new(kind), g->mutable_ ? WASM_VAR : WASM_CONST);
}

void wasm_global_get(const wasm_global_t *global, wasm_val_t *out)
{
    const kite_global_t *g = global->r.of.global;
    kite_val_t v = kite_global_get(g);
    kapi_val_from_kite(global->r.store, g->type, &v, out);
}

void wasm_global_set(wasm_global_t *global, const wasm_val_t *val)
{
    kite_global_t *g = global->r.of.global;
    kite_val_t v;
    char why[160];
    if (kapi_val_to_kite(global->r.store, g->type, val, &v, why, sizeof(why)))
        kite_error_free(kite_global_set(g, &v));
}

/* ---- tables -------------------------------------------------------------------------------- */

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type, wasm_ref_t *init)
{
    kite_valtype_t kt;
    kir_valtype t;
    kite_ref_t kinit;
    if (!kir_type_of(type->element->kind, &kt, &t) || !kir_vt_is_ref(t) ||
        !kapi_ref_to_kite(store, init, t, &kinit))
        return NULL;
    kite_limits_t limits = kapi_limits_to_kite(&type->limits);
    kite_table_t *table;
    kite_error_t *err = kite_table_new(store->store, kt, &limits, kinit, &table);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    return (wasm_table_t *)(void *)kapi_ref_new(store, KAPI_TABLE, table);
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *table)
{
    kite_extern_t e = {.kind = KITE_EXTERN_TABLE, .of.table = table->r.of.table};
    kite_externtype_t t = kite_extern_type(&e);
    wasm_limits_t l = kapi_limits_from_kite(&t.of.table.limits);
    wasm_valkind_t kind = kapi_valkind(table->r.store->engine->engine, table->r.of.table->elem);
    return wasm_tabletype_new(wasm_valtype_new(kind), &l);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *table, wasm_table_size_t index)
{
    kite_ref_t r;
    if (!kite_table_get(table->r.of.table, index, &r))
        return NULL;
    bool ok;
    return kapi_ref_from_kite(table->r.store, r, &ok);
}

bool wasm_table_set(wasm_table_t *table, wasm_table_size_t index, wasm_ref_t *ref)
{
    kite_table_t *t = table->r.of.table;
    kite_ref_t r;
    if (index >= kite_table_size(t) || !kapi_ref_to_kite(table->r.store, ref, t->elem, &r))
        return false;
    kite_error_t *err = kite_table_set(t, index, r);
    kite_error_free(err);
    return err == NULL;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *table)
{
    uint64_t n = kite_table_size(table->r.of.table);
    return n > UINT32_MAX ? UINT32_MAX : (wasm_table_size_t)n;
}

bool wasm_table_grow(wasm_table_t *table, wasm_table_size_t delta, wasm_ref_t *init)
{
    kite_table_t *t = table->r.of.table;
    kite_ref_t r;
    if (!kapi_ref_to_kite(table->r.store, init, t->elem, &r))
        return false;
    return kite_table_grow(t, delta, r) != UINT64_MAX;
}

/* ---- memories ------------------------------------------------------------------------------ */

wasm_memory_t *wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *type)
{
    kite_limits_t limits = kapi_limits_to_kite(&type->limits);
    kite_memory_t *m;
    kite_error_t *err = kite_memory_new(store->store, &limits, &m);
    if (err) {
        kite_error_free(err);
        return NULL;
    }
    return (wasm_memory_t *)(void *)kapi_ref_new(store, KAPI_MEMORY, m);
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *memory)
{
    kite_extern_t e = {.kind = KITE_EXTERN_MEMORY, .of.memory = memory->r.of.memory};
    kite_externtype_t t = kite_extern_type(&e);
    wasm_limits_t l = kapi_limits_from_kite(&t.of.memory.limits);
    return wasm_memorytype_new(&l);
}

byte_t *wasm_memory_data(wasm_memory_t *memory)
{
    return (byte_t *)kite_memory_data(memory->r.of.memory);
}

size_t wasm_memory_data_size(const wasm_memory_t *memory)
{
    return (size_t)kite_memory_size(memory->r.of.memory);
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *memory)
{
    uint64_t n = kite_memory_pages(memory->r.of.memory);
    return n > UINT32_MAX ? UINT32_MAX : (wasm_memory_pages_t)n;
}

bool wasm_memory_grow(wasm_memory_t *memory, wasm_memory_pages_t delta)
{
    return kite_memory_grow(memory->r.of.memory, delta) != UINT64_MAX;
}

/* ---- externs -------------------------------------------------------------------------------- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e)
{
    switch (e->r.kind) {
    case KAPI_GLOBAL: return WASM_EXTERN_GLOBAL;
    case KAPI_TABLE: return WASM_EXTERN_TABLE;
    case KAPI_MEMORY: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
    }
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e)
{
    kite_extern_t ke;
    memset(&ke, 0, sizeof(ke));
    kir_valtype content = 0;
    switch (e->r.kind) {
    case KAPI_FUNC: ke.kind = KITE_EXTERN_FUNC; ke.of.func = e->r.of.func; break;
    case KAPI_GLOBAL:
        ke.kind = KITE_EXTERN_GLOBAL;
        ke.of.global = e->r.of.global;
        content = e->r.of.global->type;
        break;
    case KAPI_TABLE:
        ke.kind = KITE_EXTERN_TABLE;
        ke.of.table = e->r.of.table;
        content = e->r.of.table->elem;
        break;
    case KAPI_MEMORY: ke.kind = KITE_EXTERN_MEMORY; ke.of.memory = e->r.of.memory; break;
    default: return NULL;
    }
    kite_externtype_t t = kite_extern_type(&ke);
    return kapi_externtype_from_kite(e->r.store->engine->engine, &t, content);
}

#define KAPI_EXTERN_VIEWS(name, KIND)                                                      \
    wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x)                             \
    {                                                                                      \
        return (wasm_extern_t *)(void *)x;                                                 \
    }                                                                                      \
    const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x)           \
    {                                                                                      \
        return (const wasm_extern_t *)(const void *)x;                                     \
    }                                                                                      \
    wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e)                               \
    {                                                                                      \
        return e && e->r.kind == KIND ? (wasm_##name##_t *)(void *)e : NULL;              \
    }                                                                                      \
    const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e)           \
    {                                                                                      \
        return e && e->r.kind == KIND ? (const wasm_##name##_t *)(const void *)e : NULL;  \
    }

KAPI_EXTERN_VIEWS(func, KAPI_FUNC)
KAPI_EXTERN_VIEWS(global, KAPI_GLOBAL)
KAPI_EXTERN_VIEWS(table, KAPI_TABLE)
KAPI_EXTERN_VIEWS(memory, KAPI_MEMORY)
