/*
 * The engine: configuration, engine-wide canonical types, and the hooks
 * through which the runtime reaches the layers above it. Shared by threads.
 */
#ifndef KITE_RUNTIME_ENGINE_H
#define KITE_RUNTIME_ENGINE_H

#include "ir/config.h"
#include "ir/opcodes.h"
#include "kite.h"
#include "runtime/runtime.h"
#include "types/canon.h"

/*
 * What the runtime needs from the layers above it. Instantiation runs start
 * functions and evaluates constant expressions that may allocate GC
 * objects, and freeing a module frees its translated code, but execution
 * (src/interp/, later src/jit/) and the GC heap (src/gc/) sit above the
 * runtime. The layer that makes the engine (kite_engine_new in src/api/)
 * knows every layer and fills this in, so the runtime calls up only through
 * it (and a compiler tier can be chosen per engine). None of it is on a hot
 * path.
 */
typedef struct krt_hooks {
    /* Runs f (a Wasm or a host function): krt_call. */
    kite_trap_t *(*call)(kite_store_t *store, krt_func *f, uint64_t *slots);
    /* Frees one function's translated code (kite_module.code), which was
     * made with the engine's allocator `alloc`. */
    void (*code_free)(const kite_allocator_t *alloc, struct kint_code *code);
    /*
     * A GC object for a constant expression: `op` is struct.new,
     * struct.new_default, array.new, array.new_default or array.new_fixed of
     * canonical type `canon`; `operands` their operands in slot form (fields
     * or elements in order, v128 in two slots; NULL for the _default forms),
     * `count` the array length. False, with the trap kind in *why, when the
     * object cannot be made.
     */
    bool (*gc_new)(kite_store_t *store, kir_op op, uint32_t canon, const uint64_t *operands,
                   uint32_t count, krt_ref *out, kite_trap_kind_t *why);
} krt_hooks;

struct kint_thread;
struct kint_instance;
struct kint_code;

struct kite_engine {
    struct kite_config config;
    ktype_canon *canon;
    const krt_hooks *hooks;
    /* Run on a new instance before its start function (the compiler tier
     * compiles it there under KITE_TIER_JIT); NULL for nothing. */
    kite_error_t *(*prepare_instance)(struct kite_instance *inst);
    /* Under KITE_TIER_AUTO: compiles a function that became hot (the
     * interpreter calls it, src/jit implements it); NULL otherwise. */
    void (*tier_up)(struct kint_thread *th, struct kint_instance *ki, struct kint_code *code);
};

/* A new engine with a copy of `config` (NULL: defaults); NULL when out of
 * memory. */
kite_engine_t *krt_engine_new(const kite_config_t *config, const krt_hooks *hooks);

#endif
