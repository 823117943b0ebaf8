/* kite_wasm.h: kite's additions to wasm.h (kite objects, reasons, WASI). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/wasm_internal.h"
#include "kite_wasm.h"

kite_config_t *kite_wasm_config(wasm_config_t *config) { return config->config; }
kite_engine_t *kite_wasm_engine(wasm_engine_t *engine) { return engine->engine; }
kite_store_t *kite_wasm_store(wasm_store_t *store) { return store->store; }

/* ---- reasons ------------------------------------------------------------------------------- */

static void set_message(wasm_message_t *error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_message(wasm_message_t *error, const char *fmt, ...)
{
    if (!error)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    wasm_name_new_from_string_nt(error, msg);
}

/* Reports an error (which it frees) through `error`. */
static void set_error(wasm_message_t *error, kite_error_t *err)
{
    set_message(error, "%s", kite_error_message(err));
    kite_error_free(err);
}

wasm_module_t *kite_wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                                    wasm_message_t *error)
{
    kite_error_t *err;
    wasm_module_t *m = kapi_module_new(store, binary, &err);
    if (err)
        set_error(error, err);
    return m;
}

bool kite_wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary,
                               wasm_message_t *error)
{
    kite_error_t *err =
        kite_module_validate(store->engine->engine, (const uint8_t *)binary->data, binary->size);
    if (err)
        set_error(error, err);
    return err == NULL;
}

void kite_wasm_trap_format(const wasm_trap_t *trap, const char *module_label, wasm_message_t *out)
{
    const kapi_trap *t = trap->r.of.trap;
    if (!t->trap) {
        wasm_name_new_from_string_nt(out, "out of memory");
        return;
    }
    size_t len = kite_trap_format(t->trap, module_label, NULL, 0);
    wasm_byte_vec_new_uninitialized(out, len + 1);
    if (out->size == len + 1)
        kite_trap_format(t->trap, module_label, out->data, len + 1);
}

/* ---- WASI -------------------------------------------------------------------------------- */

#define WASI_MODULE "wasi_snapshot_preview1"

bool kite_wasm_store_set_wasi(wasm_store_t *store, const kite_wasi_config_t *config,
                              wasm_message_t *error)
{
    if (store->wasi) {
        set_message(error, "WASI is already set for this store");
        return false;
    }
    kite_wasi_t *wasi;
    kite_error_t *err = kite_wasi_new(store->engine->engine, config, &wasi);
    if (err) {
        set_error(error, err);
        return false;
    }
    kite_linker_t *linker = kite_linker_new(store->engine->engine);
    err = linker ? kite_wasi_define(wasi, linker, store->store) : NULL;
    if (!linker || err) {
        if (err)
            set_error(error, err);
        else
            set_message(error, "out of memory");
        kite_linker_free(linker);
        /* Functions already defined in the store refer to `wasi`: it is
         * kept with the store, unused. */
        store->wasi = wasi;
        store->wasi_linker = NULL;
        return false;
    }
    store->wasi = wasi;
    store->wasi_linker = linker;
    return true;
}

wasm_extern_t *kite_wasm_wasi_import(wasm_store_t *store, const wasm_importtype_t *import)
{
    const wasm_name_t *mod = wasm_importtype_module(import), *name = wasm_importtype_name(import);
    kite_extern_t e;
    if (!store->wasi_linker ||
        wasm_externtype_kind(wasm_importtype_type(import)) != WASM_EXTERN_FUNC ||
        !kite_linker_get(store->wasi_linker, mod->data, mod->size, name->data, name->size, &e) ||
        e.kind != KITE_EXTERN_FUNC)
        return NULL;
    return (wasm_extern_t *)(void *)kapi_ref_new(store, KAPI_FUNC, e.of.func);
}

bool kite_wasm_wasi_imports(wasm_store_t *store, const wasm_module_t *module,
                            wasm_extern_vec_t *out, wasm_message_t *error)
{
    wasm_extern_vec_new_empty(out);
    if (!store->wasi_linker) {
        set_message(error, "the store has no WASI (kite_wasm_store_set_wasi)");
        return false;
    }
    wasm_importtype_vec_t imports;
    wasm_module_imports(module, &imports);
    wasm_extern_vec_new_uninitialized(out, imports.size);
    bool ok = out->size == imports.size;
    if (!ok)
        set_message(error, "out of memory");
    for (size_t i = 0; ok && i < imports.size; i++) {
        out->data[i] = kite_wasm_wasi_import(store, imports.data[i]);
        if (!out->data[i]) {
            const wasm_name_t *m = wasm_importtype_module(imports.data[i]);
            const wasm_name_t *n = wasm_importtype_name(imports.data[i]);
            set_message(error, "import %zu (\"%.*s\" \"%.*s\") is not a function of " WASI_MODULE,
                        i, (int)(m->size > 64 ? 64 : m->size), m->size ? m->data : "",
                        (int)(n->size > 64 ? 64 : n->size), n->size ? n->data : "");
            ok = false;
        }
    }
    wasm_importtype_vec_delete(&imports);
    if (!ok)
        wasm_extern_vec_delete(out);
    return ok;
}

bool kite_wasm_wasi_exit_code(const wasm_store_t *store, uint32_t *code)
{
    return store->wasi && kite_wasi_exit_code(store->wasi, code);
}
