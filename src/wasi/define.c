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

kite_error_t *kite_wasi_define(kite_wasi_t *wasi, kite_linker_t *linker, kite_store_t *store)
{
    if (!wasi || !linker || !store)
        return kite_error_new(KITE_ERROR_ARGUMENT, "kite_wasi_define needs a WASI object, a "
                                                   "linker and a store");
    if (!wasi->bindings) {
        wasi->bindings = kite_calloc(KWASI_NDEFS, sizeof(kwasi_binding));
        if (!wasi->bindings)
            return kite_error_oom();
        for (size_t i = 0; i < KWASI_NDEFS; i++)
            wasi->bindings[i] = (kwasi_binding){wasi, &g_defs[i]};
    }
    for (size_t i = 0; i < KWASI_NDEFS; i++) {
        const kwasi_def *d = &g_defs[i];
        kite_valtype_t params[16], results[1];
        size_t np = to_types(d->params, params), nr = to_types(d->results, results);
        kite_func_t *func;
        kite_error_t *err = kite_func_new_host(store, params, np, results, nr, trampoline,
                                               &wasi->bindings[i], NULL, &func);
        if (err)
            return err;
        kite_extern_t ext = {.kind = KITE_EXTERN_FUNC, .of.func = func};
        err = kite_linker_define(linker, KWASI_MODULE, d->name, strlen(d->name), ext);
        if (err)
            return err;
    }
    return NULL;
}
