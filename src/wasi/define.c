/*
 * The wasi_snapshot_preview1 functions as host functions: their Wasm
 * signatures (from the witx: every pointer, size, enum and flag word is an
 * i32, every 64-bit quantity an i64, results are stored through pointers and
 * the return value is the errno) and the trampoline all of them share.
 */
#include "wasi/wasi.h"

#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

#define KWASI_MODULE "wasi_snapshot_preview1"

typedef struct kwasi_def {
    const char *name;
    const char *params;  /* 'i' i32, 'I' i64 */
    const char *results;
    kwasi_fn fn;
} kwasi_def;

#define KWASI_ROW(name, params, results) {#name, params, results, kwasi_##name},
static const kwasi_def g_defs[] = {KWASI_FUNCS(KWASI_ROW)};
#undef KWASI_ROW

#define KWASI_NDEFS (sizeof(g_defs) / sizeof(g_defs[0]))

/* What a host function's env points at: the WASI object and which function. */
struct kwasi_binding {
    kite_wasi_t *wasi;
    const kwasi_def *def;
};

static kite_trap_t *trampoline(void *env, kite_caller_t *caller, const kite_val_t *args,
                               kite_val_t *results)
{
    const kwasi_binding *b = env;
    kwasi_call c = {.wasi = b->wasi, .caller = caller};
    uint16_t err = b->def->fn(&c, args);
    kwasi_call_release(&c);
    if (c.trap)
        return c.trap;
    if (b->def->results[0]) {
        results[0].kind = KITE_I32;
        results[0].of.i32 = err;
    }
    return NULL;
}

static size_t to_types(const char *sig, kite_valtype_t *out)
{
    size_t n = 0;
    for (; sig[n]; n++)
        out[n] = (kite_valtype_t){sig[n] == 'I' ? KITE_I64 : KITE_I32, false, 0};
    return n;
}

static kite_error_t *define_one(kite_wasi_t *wasi, kite_linker_t *linker, kite_store_t *store,
                                size_t i)
{
    const kwasi_def *d = &g_defs[i];
    kite_valtype_t params[16], results[1];
    size_t np = to_types(d->params, params), nr = to_types(d->results, results);
    kite_func_t *func;
    kite_error_t *err = kite_func_new_host(store, params, np, results, nr, trampoline,
                                           &wasi->bindings[i], NULL, &func);
    if (err)
        return err;
    kite_extern_t ext = {.kind = KITE_EXTERN_FUNC, .of.func = func};
    return kite_linker_define(linker, KWASI_MODULE, sizeof(KWASI_MODULE) - 1, d->name,
                              strlen(d->name), ext);
}

static kite_error_t *prepare(kite_wasi_t *wasi, kite_linker_t *linker, kite_store_t *store)
{
    if (!wasi || !linker || !store)
        return kutil_error_new(wasi ? &wasi->alloc : &kutil_libc, KITE_ERROR_ARGUMENT,
                               "kite_wasi_define needs a WASI object, a linker and a store");
    /* Stores on several threads may define the functions at once. */
    pthread_mutex_lock(&wasi->lock);
    if (!wasi->bindings) {
        kwasi_binding *b = kutil_calloc(&wasi->alloc, KWASI_NDEFS, sizeof(kwasi_binding));
        for (size_t i = 0; b && i < KWASI_NDEFS; i++)
            b[i] = (kwasi_binding){wasi, &g_defs[i]};
        wasi->bindings = b;
    }
    bool ok = wasi->bindings != NULL;
    pthread_mutex_unlock(&wasi->lock);
    return ok ? NULL : kutil_error_oom();
}

kite_error_t *kite_wasi_define(kite_wasi_t *wasi, kite_linker_t *linker, kite_store_t *store)
{
    kite_error_t *err = prepare(wasi, linker, store);
    for (size_t i = 0; !err && i < KWASI_NDEFS; i++)
        err = define_one(wasi, linker, store, i);
    if (!err)
        err = kwasi_define_extras(wasi, linker, store, NULL, true);
    return err;
}

/* Only what the module uses: a command imports a handful of the 46, and
 * making a host function costs more than looking a name up. */
kite_error_t *kite_wasi_define_imports(kite_wasi_t *wasi, kite_linker_t *linker,
                                      kite_store_t *store, const kite_module_t *module)
{
    return kwasi_define_imports_of(wasi, linker, store, module, true);
}

kite_error_t *kwasi_define_imports_of(kite_wasi_t *wasi, kite_linker_t *linker,
                                      kite_store_t *store, const kite_module_t *module,
                                      bool embedder)
{
    kite_error_t *err = prepare(wasi, linker, store);
    bool done[KWASI_NDEFS] = {false};
    size_t n = err || !module ? 0 : kite_module_import_count(module);
    for (size_t k = 0; !err && k < n; k++) {
        kite_import_desc_t imp = kite_module_import(module, k);
        if (imp.kind != KITE_EXTERN_FUNC || imp.module_len != sizeof(KWASI_MODULE) - 1 ||
            memcmp(imp.module, KWASI_MODULE, imp.module_len) != 0)
            continue;
        for (size_t i = 0; i < KWASI_NDEFS; i++) {
            if (!done[i] && strlen(g_defs[i].name) == imp.name_len &&
                memcmp(g_defs[i].name, imp.name, imp.name_len) == 0) {
                done[i] = true;
                err = define_one(wasi, linker, store, i);
                break;
            }
        }
    }
    if (!err && module)
        err = kwasi_define_extras(wasi, linker, store, module, embedder);
    return err;
}
