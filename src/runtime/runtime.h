/*
 * Runtime objects: store, instances, functions, globals, tags, exceptions,
 * traps. The public handles of kite.h (kite_func_t, kite_instance_t, ...)
 * are these structs.
 *
 * Values at run time are 8-byte slots (uint64_t); a v128 takes two slots
 * (low half first). A reference is pointer-sized, kept in a slot:
 *
 *   0                      null
 *   ...xxxxxxx1 (low bit)  an i31: (value << 1) | 1
 *   ...xxxxxxx0            a pointer to an object whose first member is
 *                          krt_obj (8-byte aligned)
 *
 * krt_ref_* below are the one place that encodes and decodes this.
 */
#ifndef KITE_RUNTIME_RUNTIME_H
#define KITE_RUNTIME_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"
#include "runtime/budget.h"
#include "runtime/memory.h"
#include "runtime/table.h"

struct kint_code;
struct kint_thread;
struct kint_instance;

/* ---- references and objects ----------------------------------------------------------- */

typedef enum krt_obj_kind {
    KRT_OBJ_FUNC = 1,
    KRT_OBJ_HOST,   /* a host reference (externref made by the host) */
    KRT_OBJ_EXN,    /* an exception (exnref) */
    KRT_OBJ_STRUCT, /* a GC struct (src/gc/gc.h) */
    KRT_OBJ_ARRAY,  /* a GC array */
} krt_obj_kind;

/* The first member of every object a reference can point at. */
typedef struct krt_obj {
    uint32_t kind;  /* krt_obj_kind */
    uint32_t canon; /* canonical type id (functions, structs, arrays), else 0 */
} krt_obj;

typedef uintptr_t krt_ref;

static inline bool krt_ref_is_null(krt_ref r) { return r == 0; }
static inline bool krt_ref_is_i31(krt_ref r) { return (r & 1u) != 0; }
static inline krt_obj *krt_ref_obj(krt_ref r)
{
    return (r == 0 || (r & 1u)) ? (krt_obj *)0 : (krt_obj *)r;
}
static inline krt_ref krt_ref_from_obj(const void *obj) { return (krt_ref)obj; }

/*
 * i31: the one encoder and the two decoders, for every tier, constant
 * expressions and the host API. ref.i31 keeps the low 31 bits of any i32
 * (0x40000000 and above, and negative values, included):
 *
 *   bit 31 .. 1                 bit 0
 *   | x & 0x7fffffff (31 bits) |  1  |
 *
 * i31.get_u gives those 31 bits zero-extended, i31.get_s sign-extends bit 30.
 */
static inline krt_ref krt_ref_i31_new(uint32_t x)
{
    return ((krt_ref)(x & UINT32_C(0x7fffffff)) << 1) | 1u;
}
static inline uint32_t krt_ref_i31_get_u(krt_ref r) { return (uint32_t)(r >> 1) & UINT32_C(0x7fffffff); }
static inline uint32_t krt_ref_i31_get_s(krt_ref r)
{
    uint32_t u = krt_ref_i31_get_u(r);
    return u | (0u - (u & UINT32_C(0x40000000)));
}

/* ---- store ----------------------------------------------------------------------------- */

/* Everything a store owns is on one list of allocations, freed with it. */
typedef struct krt_owned {
    struct krt_owned *next;
    void (*destroy)(struct krt_owned *self, struct kite_store *store);
} krt_owned;

/*
 * GC roots. The store records what can hold references to GC objects; the
 * collector (src/gc/) reads these records and traces from them, so the
 * runtime never calls the collector.
 *
 * A scoped root set is pushed by C code that holds references in its own
 * variables across something that may allocate (the constant-expression
 * evaluator's stack, a host function's arguments and results, the API's
 * inputs) and popped in LIFO order; `scan` hands every reference it holds
 * to m->mark.
 */
typedef struct krt_marker {
    void (*mark)(struct krt_marker *self, krt_ref r);
} krt_marker;

typedef struct krt_roots {
    struct krt_roots *prev;
    void (*scan)(const struct krt_roots *self, krt_marker *m);
} krt_roots;

typedef struct krt_rootset {
    krt_roots *scoped;                /* innermost first */
    struct kite_instance **instances; /* their globals, tables and element segments */
    uint32_t ninstances, cap_instances;
    struct kite_global **globals;     /* made by the host, reference-typed */
    uint32_t nglobals, cap_globals;
    struct kite_table **tables;       /* made by the host */
    uint32_t ntables, cap_tables;
    struct kite_trap *traps;          /* traps holding an exception of this store */
} krt_rootset;

struct kite_store {
    kite_engine_t *engine;
    const kite_allocator_t *alloc; /* the engine's, for everything in the store */
    kite_store_limits_t limits;
    krt_budget memory_budget;
    krt_budget table_budget;
    uint32_t ninstances;
    bool fuel_enabled;
    uint64_t fuel;
    bool interrupts_enabled;
    _Atomic bool interrupt_requested; /* set by kite_store_interrupt, from any thread */
    _Atomic(void *) wait_sem;         /* the semaphore of a memory.atomic.wait in progress */
    _Atomic(uint32_t) wait_wakers;    /* interrupters posting it now (parking.c) */
    /* kite_store_set_diagnostic_handler, and the last diagnostic */
    void (*diag_handler)(void *user, const char *message);
    void *diag_user;
    char last_diag[256];
    krt_owned *owned;
    krt_rootset roots;
    /* What the layers above keep per store; the runtime never looks inside. */
    struct kint_thread *thread; /* the interpreter's stacks, made on first call */
    struct kgc_heap *gc;        /* the GC heap (src/gc/) */
};

/* Whether running code must check fuel or interrupts at calls and back edges. */
static inline bool krt_store_checks(const kite_store_t *store)
{
    return store->fuel_enabled || store->interrupts_enabled;
}

/* At a check (when krt_store_checks): charges `cost` fuel and consumes a
 * pending interrupt request. False, with the trap in *kind, when execution
 * must stop. */
static inline bool krt_store_check(kite_store_t *store, uint64_t cost, kite_trap_kind_t *kind)
{
    if (store->fuel_enabled) {
        if (store->fuel < cost) {
            store->fuel = 0;
            *kind = KITE_TRAP_OUT_OF_FUEL;
            return false;
        }
        store->fuel -= cost;
    }
    if (atomic_load_explicit(&store->interrupt_requested, memory_order_relaxed)) {
        atomic_store_explicit(&store->interrupt_requested, false, memory_order_relaxed);
        *kind = KITE_TRAP_INTERRUPTED;
        return false;
    }
    return true;
}

/* memory.grow of memory m by code running in `store`: krt_memory_grow, and
 * when a limit of the host's (not the module's maximum) refuses, a
 * diagnostic for the embedder (kite_store_set_diagnostic_handler). */
uint64_t krt_store_memory_grow(kite_store_t *store, krt_memory *m, uint64_t delta);
/* table.grow by code running in `store`: krt_table_grow, and a diagnostic
 * when the allocation failed (the spec lets table.grow fail for any reason,
 * so that is -1 too, but the embedder should hear of it). */
uint64_t krt_store_table_grow(kite_store_t *store, krt_table *t, uint64_t delta, uintptr_t init);


/* A store without GC heap or execution state (kite_store_new adds them);
 * NULL when out of memory. */
kite_store_t *krt_store_new(kite_engine_t *engine);
/* Destroys every object the store owns, newest first, after the traps
 * holding its exceptions let go of them. kite_store_free calls it, and then
 * krt_store_free, around what the layers above keep. */
void krt_store_destroy_objects(kite_store_t *store);
void krt_store_free(kite_store_t *store);
void krt_store_set_limits(kite_store_t *store, const kite_store_limits_t *limits);
/* Register `o` to be destroyed with the store. */
void krt_store_own(kite_store_t *store, krt_owned *o);

/* Scoped roots (see krt_roots). */
static inline void krt_roots_push(kite_store_t *store, krt_roots *r)
{
    r->prev = store->roots.scoped;
    store->roots.scoped = r;
}
static inline void krt_roots_pop(kite_store_t *store, krt_roots *r)
{
    store->roots.scoped = r->prev;
}

/* Long-lived roots. False when out of memory. An instance is rooted while
 * it is built (its globals, tables and segments fill in as construction
 * goes on) and unrooted if construction fails. */
bool krt_root_instance(kite_store_t *store, struct kite_instance *inst);
void krt_unroot_instance(kite_store_t *store, struct kite_instance *inst);
bool krt_root_global(kite_store_t *store, struct kite_global *g);
bool krt_root_table(kite_store_t *store, struct kite_table *t);

/* ---- functions --------------------------------------------------------------------------- */

typedef struct kite_instance krt_instance;

/*
 * A function instance: a Wasm function of an instance, or a host function.
 * `params`/`results` are canonical value types (concrete heap types hold
 * canonical ids, see krt_canon_valtype).
 */
struct kite_func {
    krt_obj hdr;               /* KRT_OBJ_FUNC, canonical function type id */
    krt_owned owned;
    krt_instance *instance;    /* NULL for host functions */
    uint32_t index;            /* in the instance's module */
    uint32_t nparams, nresults;
    const kir_valtype *params, *results;
    uint32_t param_slots, result_slots; /* 8-byte slots (v128 counts 2) */
    /* host functions */
    kite_host_func_t host;
    void *env;
    void (*finalize)(void *env);
    kite_store_t *store;       /* the owner (an instance's for Wasm functions) */
};
typedef struct kite_func krt_func;

/* ---- globals, tags, memories, tables ------------------------------------------------------------ */

struct kite_global {
    krt_owned owned;
    const kite_allocator_t *alloc; /* its store's (for errors) */
    kite_store_t *store; /* the owner */
    kir_valtype type;  /* canonical */
    bool mutable_;
    uint64_t value[2]; /* v128 uses both */
};

struct kite_tag {
    krt_owned owned;
    kite_store_t *store; /* the owner */
    uint32_t canon;    /* canonical function type id of [params] -> [] */
    uint32_t nparams;
    const kir_valtype *params; /* canonical */
    uint32_t param_slots;
};

struct kite_memory {
    krt_owned owned;
    kite_store_t *store; /* the owner */
    krt_memory *mem;   /* reference-counted: shared memories outlive stores */
    bool has_max;      /* whether the type declares a maximum (import matching) */
    krt_budget *budget; /* the owning store's, for krt_memory_release_from */
};

struct kite_table {
    krt_owned owned;
    kite_store_t *store; /* the owner */
    kir_valtype elem;  /* canonical */
    krt_table *table;
    bool has_max;      /* whether the type declares a maximum (import matching) */
};

/*
 * Exceptions and host references live in the store's GC heap (src/gc/) and
 * are collected like structs and arrays: their second word is the GC's (the
 * object's layout descriptor, with the mark bit), so that the collector
 * treats every heap object alike. The GC makes them (kgc_exn_new,
 * kgc_hostref_new); the runtime only reads them.
 */
typedef struct krt_exn {
    krt_obj hdr;      /* KRT_OBJ_EXN */
    uintptr_t gc;     /* the GC's word */
    struct kite_tag *tag;
    uint32_t nslots;
    uint32_t pad_;
    uint64_t slots[]; /* the payload, traced by the tag's parameter types */
} krt_exn;

/* A host reference (externref made by the host). */
typedef struct krt_hostref {
    krt_obj hdr;  /* KRT_OBJ_HOST */
    uintptr_t gc; /* the GC's word */
    uintptr_t value;
    void (*finalize)(uintptr_t value); /* when collected or the store goes; may be NULL */
} krt_hostref;

/* ---- instances ----------------------------------------------------------------------------- */

/* An element segment at run time: its references, or dropped (count 0).
 * Dropping only sets count to 0; `refs` is freed with the instance. */
typedef struct krt_elem_seg {
    uint32_t count;
    krt_ref *refs;
} krt_elem_seg;

struct kite_instance {
    krt_owned owned;
    kite_store_t *store;
    const kite_module_t *module;
    const kir_module *m;
    krt_func **funcs;           /* m->nfuncs */
    struct kite_table **tables; /* m->ntables */
    struct kite_memory **memories;
    struct kite_global **globals;
    struct kite_tag **tags;
    krt_elem_seg *elems;        /* m->nelems */
    bool *data_dropped;         /* m->ndatas */
    uint32_t *canon;            /* module type index -> canonical id (= m->canon) */
    /* The interpreter's per-instance cache (memory bases, code variant), made
     * and owned by src/interp/ on the first call into the instance; must
     * start out NULL (zero-initialized instance). */
    struct kint_instance *kint;
};

/* What a host function sees of its caller. */
struct kite_caller {
    kite_store_t *store;
    krt_instance *instance; /* the calling Wasm function's instance, or NULL */
};

/* ---- modules (the engine-side, shared part) ----------------------------------------------- */

/*
 * A compiled module: the validated ir module, and per defined function its
 * translated code, made on first call by the execution tier and published
 * atomically (threads may race to translate; the loser frees its copy). Every
 * instance of the module, in any store and thread, runs this one copy of each
 * function's code, in one of KRT_CODE_VARIANTS variants (the interpreter's
 * bounds-check modes).
 */
#define KRT_CODE_VARIANTS 2
struct kite_module {
    kite_engine_t *engine;
    kir_module *ir;
    /* variant v of function i at [v * ir->nfuncs + i] (imports stay NULL) */
    _Atomic(struct kint_code *) *code;
    _Atomic(uint32_t) refs; /* the creator's, and one per instance made from it */
    _Atomic(krt_owned *) owned; /* compiled code of `code` (src/jit), destroyed with the module */
};

/* Validates `ir` (decoded or parsed for this engine's configuration) and
 * wraps it in a module; takes ownership of `ir`, also on failure. */
kite_error_t *krt_module_new(kite_engine_t *engine, kir_module *ir, kite_module_t **out);
/* Register `o` to be destroyed with the module (any thread). */
void krt_module_own(const kite_module_t *module, krt_owned *o);
/* Instances keep their module alive: kite_module_free drops the creator's
 * reference, the store drops the instances'. The last reference frees the
 * module with its translated code. */
void krt_module_retain(const kite_module_t *module);
void krt_module_release(const kite_module_t *module);

/* The engine's canonical function type `canon` as a public type. */
const kite_functype_t *krt_functype(const kite_engine_t *engine, uint32_t canon);
/* The declared type of item `index` of `kind` in the module's index spaces. */
kite_externtype_t krt_module_externtype(const kite_module_t *module, kir_extern_kind kind,
                                        uint32_t index);

/* The serialized form of a module (kite_module_serialize): a header of
 * KRT_SERIAL_HEADER bytes (magic, format, the binary's length at 12, LE32),
 * then the binary. */
#define KRT_SERIAL_MAGIC "\0kite-mod"
#define KRT_SERIAL_MAGIC_LEN 9
#define KRT_SERIAL_FORMAT 1
#define KRT_SERIAL_HEADER 16

/* A module-relative value type with concrete heap indices made canonical. */
kir_valtype krt_canon_valtype(const kir_module *m, kir_valtype t);
/* Slots a value of type t takes (1, or 2 for v128). */
static inline uint32_t krt_slots(kir_valtype t) { return kir_vt_kind(t) == KIR_V128 ? 2u : 1u; }

/* ---- traps ----------------------------------------------------------------------------------- */

typedef struct krt_frame_info {
    const krt_instance *instance;
    uint32_t func_index;
    uint64_t code_offset;
} krt_frame_info;

struct kite_trap {
    kite_trap_kind_t kind;
    char *message; /* in the same block, after the struct */
    size_t nframes;
    kite_frame_t *frames;    /* owned; names borrowed from modules */
    /* KITE_TRAP_EXCEPTION: the exception, a GC root of exn_store while the
     * trap holds it (on the store's krt_rootset.traps); both NULL once the
     * trap is freed or the store goes first. */
    krt_exn *exn;
    kite_store_t *exn_store;
    struct kite_trap *exn_prev, *exn_next;
    kite_allocator_t alloc; /* of all of it (a copy: a trap may outlive its store) */
};

/* A new trap of `kind` with its spec message, made with allocator a; NULL
 * only when out of memory (callers then use krt_trap_oom()). */
kite_trap_t *krt_trap_new(const kite_allocator_t *a, kite_trap_kind_t kind);
/* The same with another message (copied) than the kind's. */
kite_trap_t *krt_trap_new_message(const kite_allocator_t *a, kite_trap_kind_t kind,
                                  const char *message);
kite_trap_t *krt_trap_oom(void);
/* The spec message of a trap kind. */
const char *krt_trap_kind_message(kite_trap_kind_t kind);
/* Makes trap hold exception exn of store (a root until the trap is freed
 * or the store goes). Ignored for the shared out-of-memory trap. */
void krt_trap_hold_exn(kite_trap_t *trap, kite_store_t *store, krt_exn *exn);
/* Takes the exception out of a trap of `store` that holds one, freeing the
 * trap; NULL (the trap untouched) for any other trap. */
krt_exn *krt_trap_take_exn(kite_trap_t *trap, const kite_store_t *store);
/* The store is going: every trap holding one of its exceptions lets go. */
void krt_store_release_traps(kite_store_t *store);
/* Append a backtrace frame (innermost first). */
void krt_trap_add_frame(kite_trap_t *trap, const krt_instance *instance, uint32_t func_index,
                        uint64_t code_offset);

/* ---- calling ------------------------------------------------------------------------------------ */

/*
 * Call `f` with its arguments in slots[0 .. param_slots) and get its
 * results in slots[0 .. result_slots) (the array must hold the larger of the
 * two). Returns NULL or a trap. Used by the API, instantiation (start
 * function) and host-to-Wasm calls; runs through the engine's execution
 * tier (krt_hooks.call).
 */
kite_trap_t *krt_call(kite_store_t *store, krt_func *f, uint64_t *slots);

/* Convert between kite_val_t and slots for a function's params/results. */
void krt_val_to_slots(const kite_val_t *v, uint64_t *slots);
kite_val_t krt_val_from_slots(kir_valtype t, const uint64_t *slots);

/* Evaluate a validated constant expression in an instance under
 * construction (globals [0, nglobals) are ready). Result in out[0..1]. */
kite_trap_t *krt_eval_const(krt_instance *inst, const kir_expr *e, uint64_t out[2]);

#endif
