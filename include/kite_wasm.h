/*
 * kite_wasm.h — kite's additions to the standard C API (wasm.h), for
 * programs written against wasm.h that want what wasm.h cannot say:
 *
 *   - the kite objects behind wasm.h's engine configuration and stores,
 *     to set features and the engine's allocator (kite_config_set_feature,
 *     kite_config_set_allocator), fuel, limits and interrupts
 *     (kite_store_set_fuel, kite_store_set_limits, ...) with kite.h;
 *   - the reason a module does not compile or validate, and a trap as text
 *     with its backtrace;
 *   - WASI preview1, configured as with Wasmtime's wasi.h: make a
 *     kite_wasi_config_t (kite.h: arguments, environment, pre-opened
 *     directories, stdio), attach it to a store, and take the externs for
 *     a module's WASI imports from the store.
 *
 *     kite_wasi_config_t *cfg = kite_wasi_config_new();
 *     kite_wasi_config_push_arg(cfg, "prog");
 *     kite_wasi_config_preopen_dir(cfg, "/srv/data", "/data", 0);
 *     wasm_message_t why;
 *     if (!kite_wasm_store_set_wasi(store, cfg, &why)) ... why.data says why
 *     kite_wasi_config_free(cfg);
 *     wasm_extern_vec_t imports;
 *     if (!kite_wasm_wasi_imports(store, module, &imports, &why)) ...
 *     wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
 *     ... call "_start"; after a trap, kite_wasm_wasi_exit_code tells
 *     whether the program called proc_exit, and with which code.
 *
 * Messages returned through `own wasm_message_t *error` parameters are
 * NUL-terminated (the NUL counted in their size) and the caller's, to
 * release with wasm_name_delete; `error` may be NULL when the reason is
 * not wanted. Nothing is written to it on success.
 */
#ifndef KITE_WASM_H
#define KITE_WASM_H

#include "kite.h"
#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the kite objects behind wasm.h objects ---------------------------------------------- */

/* Borrowed from their wasm.h object, valid while it lives. A configuration
 * changed through kite.h takes effect when the engine is made from it. */
KITE_API kite_config_t *kite_wasm_config(wasm_config_t *config);
KITE_API kite_engine_t *kite_wasm_engine(wasm_engine_t *engine);
KITE_API kite_store_t *kite_wasm_store(wasm_store_t *store);

/* A wasm.h module for a kite.h module (one made from text with
 * kite_module_new_text, say), which it references on its own: the caller
 * keeps its reference. NULL when the module belongs to another engine
 * than the store, or when out of memory. */
KITE_API wasm_module_t *kite_wasm_module_from_kite(wasm_store_t *store,
                                                   const kite_module_t *module);

/* ---- reasons ----------------------------------------------------------------------------- */

/* wasm_module_new and wasm_module_validate, saying why on failure. */
KITE_API wasm_module_t *kite_wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                                             wasm_message_t *error);
KITE_API bool kite_wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary,
                                        wasm_message_t *error);

/* The trap's message and backtrace as text (see kite_trap_format in
 * kite.h), NUL-terminated, into *out (the caller's). */
KITE_API void kite_wasm_trap_format(const wasm_trap_t *trap, const char *module_label,
                                    wasm_message_t *out);

/* ---- WASI -------------------------------------------------------------------------------- */

/*
 * Gives the store a WASI instance made from `config` (which is copied: free
 * it whenever convenient). The WASI state (open files, exit code) belongs
 * to the store and is freed with it. False, with the reason, when a
 * pre-opened directory cannot be opened, WASI is already set for this
 * store, or memory runs out.
 */
KITE_API bool kite_wasm_store_set_wasi(wasm_store_t *store, const kite_wasi_config_t *config,
                                       wasm_message_t *error);

/* The extern satisfying one import of module "wasi_snapshot_preview1" (a
 * new handle, the caller's), or NULL when the store has no WASI or the
 * import is not a WASI function. */
KITE_API wasm_extern_t *kite_wasm_wasi_import(wasm_store_t *store, const wasm_importtype_t *import);

/* Every import of a module that only imports WASI functions (commands
 * usually do), in the order wasm_instance_new takes them: false, with the
 * first import that is not one, otherwise. */
KITE_API bool kite_wasm_wasi_imports(wasm_store_t *store, const wasm_module_t *module,
                                     wasm_extern_vec_t *out, wasm_message_t *error);

/* Whether the program called proc_exit (which stops it with a trap), and
 * its exit code. */
KITE_API bool kite_wasm_wasi_exit_code(const wasm_store_t *store, uint32_t *code);

#ifdef __cplusplus
}
#endif

#endif
