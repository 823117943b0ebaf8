/*
 * Runtime internals shared by the runtime's files and the API layer:
 * value and type conversions, type checks of host-supplied values, object
 * constructors, import matching. (runtime.h is the object layout every tier
 * sees; this is what only the runtime and src/api/ need.)
 */
#ifndef KITE_RUNTIME_OBJECTS_H
#define KITE_RUNTIME_OBJECTS_H

#include <stddef.h>

#include "runtime/engine.h"
#include "runtime/runtime.h"

/* ---- values.c ------------------------------------------------------------------------ */

/* A public value type as a kir_valtype (numeric, v128, or an abstract
 * reference; KITE_ERROR_ARGUMENT, made with a, for anything else). */
kite_error_t *krt_valtype_from_api(const kite_allocator_t *a, kite_valtype_t t, kir_valtype *out);
/* A canonical value type for the host (concrete heap types become
 * KITE_HEAP_CONCRETE). */
kite_valtype_t krt_valtype_to_api(kir_valtype t);
/* The text-format name of a canonical value type, e.g. "(ref null func)". */
const char *krt_valtype_name(kir_valtype t, char *buf, size_t size);

/* Whether a reference value belongs to canonical reference type t. The
 * registry `c` is only read for concrete heap types (it may be NULL otherwise). */
bool krt_ref_matches(const ktype_canon *c, krt_ref r, kir_valtype t);
/* Whether a host value fits canonical type t: its kind, and for
 * references, nullability and the referenced object's type. The error
 * (KITE_ERROR_ARGUMENT) starts with `what` ("argument 1", ...). */
kite_error_t *krt_val_check(const kite_allocator_t *a, const ktype_canon *c, const kite_val_t *v,
                            kir_valtype t, const char *what);

/* ---- objects.c ----------------------------------------------------------------------- */

/* Store-owned objects made by the host. Each is registered with the store
 * on success. Types are canonical. */
kite_error_t *krt_host_func_new(kite_store_t *s, const kir_valtype *params, uint32_t nparams,
                                const kir_valtype *results, uint32_t nresults,
                                kite_host_func_t callback, void *env, void (*finalize)(void *),
                                krt_func **out);
kite_error_t *krt_global_new(kite_store_t *s, kir_valtype type, bool mutable_,
                             const uint64_t value[2], struct kite_global **out);
kite_error_t *krt_tag_new(kite_store_t *s, uint32_t canon, struct kite_tag **out);
kite_error_t *krt_memory_obj_new(kite_store_t *s, const kir_limits *limits,
                                 uint32_t page_size_log2, struct kite_memory **out);
/* A store's handle of an existing memory (a shared memory made elsewhere):
 * one more reference, not charged to the store's budget. */
kite_error_t *krt_memory_obj_wrap(kite_store_t *s, krt_memory *mem, struct kite_memory **out);
kite_error_t *krt_table_obj_new(kite_store_t *s, kir_valtype elem, const kir_limits *limits,
                                krt_ref init, struct kite_table **out);

/* The parts of those constructors that instances reuse for the objects they
 * define (kept in the instance's own arrays, not registered separately). */
void krt_func_init_wasm(krt_func *f, krt_instance *inst, uint32_t index);
void krt_tag_init(struct kite_tag *t, const ktype_canon *c, uint32_t canon);
kite_error_t *krt_memory_obj_init(kite_store_t *s, struct kite_memory *obj,
                                  const kir_limits *limits, uint32_t page_size_log2);
kite_error_t *krt_table_obj_init(kite_store_t *s, struct kite_table *obj, kir_valtype elem,
                                 const kir_limits *limits, krt_ref init);

/* ---- link.c -------------------------------------------------------------------------- */

/* The store an extern belongs to (NULL for a NULL object). */
kite_store_t *krt_extern_store(const kite_extern_t *ext);

/* Whether `ext` can be the import `imp` of module `m`: the kinds agree and
 * the extern's type matches the import's (the spec's extern type matching).
 * Error: KITE_ERROR_UNLINKABLE "incompatible import type ...". */
kite_error_t *krt_import_match(const kite_engine_t *engine, const kir_module *m,
                               const kir_import *imp, const kite_extern_t *ext);

#endif
