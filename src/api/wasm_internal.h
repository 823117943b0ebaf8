/*
 * The standard C API (wasm.h) on top of kite.h: what its files share.
 *
 * Handles. Every wasm.h reference (wasm_func_t, wasm_instance_t,
 * wasm_ref_t, wasm_extern_t, ...) is one small heap record, kapi_ref: the
 * kind of object, its store, and the kite object. The typed handle structs
 * all consist of just that record, so the as_ref / as_extern / ref_as_*
 * views are casts, and a handle's kind is the kind of its object (a
 * wasm_extern_t view of a function is still a function). Deleting a handle
 * frees the record only:
 *
 *   kind           object                    lives until
 *   FUNC, GLOBAL,  kite_func_t ... kite_      its store is deleted
 *   TABLE, MEMORY, instance_t
 *   INSTANCE
 *   FOREIGN        a host reference          its store is deleted
 *   GCREF          any other reference       a root handle per wasm handle
 *                  (struct, array, i31, exn)  keeps it alive
 *   MODULE         kapi_module               its last handle (counted)
 *   TRAP           kapi_trap                 its last handle (counted)
 *
 * Identity (wasm_*_same) and host info follow the object, never the
 * handle. Host info of store objects lives in the store's registry, keyed
 * by the object's address (or reference value), and is finalized when the
 * store is deleted; modules and traps keep theirs in their shared record.
 *
 * References as values. A wasm_val_t reference becomes the kite reference
 * of its object when the target type admits it (functions for funcref,
 * foreign objects and GC references for externref and anyref). Any other
 * object passed where an externref is expected (an instance, a memory, a
 * function as externref, ...) is boxed: the store makes one host reference
 * per object, remembered both ways in the registry, so the same object
 * always crosses as the same externref and comes back as a handle of its
 * own kind.
 */
#ifndef KITE_API_WASM_INTERNAL_H
#define KITE_API_WASM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/types.h"
#include "kite.h"
#include "wasm.h"

/* ---- allocation ----------------------------------------------------------------------- */

/*
 * wasm.h's plain data (vectors, names, types, frames, configurations)
 * belongs to no engine: the C library's allocator, through these. Objects
 * (engines, stores, handles, modules, traps, host functions) and the
 * temporaries of calls use their engine's allocator (wasm_store_t.alloc,
 * and a copy in what may outlive its store: modules and traps).
 */
void *kapi_alloc(size_t size);
void *kapi_calloc(size_t count, size_t size);
void kapi_free(void *p);

/* ---- handles ------------------------------------------------------------------------------ */

typedef enum kapi_kind {
    KAPI_FUNC = 1,
    KAPI_GLOBAL,
    KAPI_TABLE,
    KAPI_MEMORY,
    KAPI_INSTANCE,
    KAPI_MODULE,
    KAPI_FOREIGN,
    KAPI_TRAP,
    KAPI_GCREF,
} kapi_kind;

typedef struct kapi_module kapi_module;
typedef struct kapi_trap kapi_trap;

typedef struct kapi_ref {
    kapi_kind kind;
    wasm_store_t *store;
    union {
        kite_func_t *func;
        kite_global_t *global;
        kite_table_t *table;
        kite_memory_t *memory;
        kite_instance_t *instance;
        kapi_module *module;
        kite_ref_t host;    /* FOREIGN */
        kapi_trap *trap;
        kite_root_t *root;  /* GCREF */
        void *ptr;
    } of;
} kapi_ref;

#define KAPI_HANDLE(name) \
    struct wasm_##name##_t { \
        kapi_ref r; \
    }
KAPI_HANDLE(ref);
KAPI_HANDLE(func);
KAPI_HANDLE(global);
KAPI_HANDLE(table);
KAPI_HANDLE(memory);
KAPI_HANDLE(extern);
KAPI_HANDLE(instance);
KAPI_HANDLE(module);
KAPI_HANDLE(foreign);
KAPI_HANDLE(trap);
#undef KAPI_HANDLE

/* A new handle of `kind` for `obj` (which it does not retain), or NULL;
 * made with the allocator of the store, or of the module or trap record. */
kapi_ref *kapi_ref_new(wasm_store_t *store, kapi_kind kind, void *obj);
/* A handle for a kite reference (NULL for null, and when out of memory:
 * *ok tells). */
wasm_ref_t *kapi_ref_from_kite(wasm_store_t *store, kite_ref_t ref, bool *ok);
/* The kite reference standing for `ref` where a value of canonical type t
 * is expected (boxing it when needed); false when it cannot be one (or out
 * of memory). */
bool kapi_ref_to_kite(wasm_store_t *store, const wasm_ref_t *ref, kir_valtype t, kite_ref_t *out);

/* ---- modules and traps: shared records ---------------------------------------------------- */

struct kapi_module {
    uint32_t refs; /* handles and registry entries; one store's thread only */
    kite_allocator_t alloc; /* the engine's: the record and its handles */
    kite_module_t *module;
    void *host_info;
    void (*finalizer)(void *);
};

struct kapi_trap {
    uint32_t refs;
    kite_allocator_t alloc; /* the engine's: the record and its handles */
    kite_trap_t *trap;
    wasm_store_t *store; /* where it happened (for its frames' instances) */
    void *host_info;
    void (*finalizer)(void *);
};

/* wasm_module_new, with the reason for a NULL result in *error (the
 * caller's to free). */
wasm_module_t *kapi_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                               kite_error_t **error);
void kapi_module_retain(kapi_module *m);
void kapi_module_release(kapi_module *m);
void kapi_trap_retain(kapi_trap *t);
void kapi_trap_release(kapi_trap *t);
/* Whether a trap handle is (or shares the record of) the static
 * out-of-memory trap, which is never freed or changed. */
bool kapi_trap_is_static(const kapi_ref *r);
bool kapi_trap_handle_is_static(const kapi_ref *r);

/* A trap handle taking over `trap` (never NULL: out of memory gives a
 * shared "out of memory" trap handle). */
wasm_trap_t *kapi_trap_wrap(wasm_store_t *store, kite_trap_t *trap);
/* A trap handle with this message (printf-style). */
wasm_trap_t *kapi_trap_printf(wasm_store_t *store, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A trap handle for an error, which it frees. */
wasm_trap_t *kapi_trap_from_error(wasm_store_t *store, kite_error_t *err);
/* The kite trap for a trap handle, which this deletes: taken over when the
 * handle was the last one, else a copy of its message (made in `store`). */
kite_trap_t *kapi_trap_take(wasm_store_t *store, wasm_trap_t *trap);

/* ---- engine, store, registry ----------------------------------------------------------------- */

struct wasm_config_t {
    kite_config_t *config;
};

struct wasm_engine_t {
    kite_engine_t *engine;
    kite_allocator_t alloc; /* the engine's (this record's too) */
};

/* What the store knows of an object (see the top of this file). */
typedef struct kapi_info {
    uintptr_t key;
    void *host_info;
    void (*finalizer)(void *);
    kite_ref_t boxed_as;  /* the host reference boxing this object, or 0 */
    kapi_kind box_kind;   /* when the key is such a box: the object's kind (else 0) */
    void *box_obj;        /*   and the object (modules and traps retained) */
    kite_root_t *pin;     /* keeps a GC object with host info alive */
} kapi_info;

struct wasm_store_t {
    kite_store_t *store;
    wasm_engine_t *engine;
    kite_allocator_t alloc; /* the engine's */
    kapi_info *infos;     /* in the order they were made */
    uint32_t ninfos, cap_infos;
    uint32_t *index;      /* open addressing: 1 + position in infos, 0 empty */
    uint32_t index_cap;
    /* kite_wasm.h: WASI, when configured */
    kite_wasi_t *wasi;
    kite_linker_t *wasi_linker;
};

/* The registry entry for `key`: found, or made (NULL when out of memory).
 * Pointers into the registry stay valid only until the next kapi_info_get. */
kapi_info *kapi_info_find(const wasm_store_t *store, uintptr_t key);
kapi_info *kapi_info_get(wasm_store_t *store, uintptr_t key);

/* ---- values and types ------------------------------------------------------------------------ */

/* Whether kite reference r is a value of canonical type t. */
bool kapi_ref_fits(const wasm_store_t *store, kite_ref_t r, kir_valtype t);

/* The wasm.h kind of a canonical value type. */
wasm_valkind_t kapi_valkind(const kite_engine_t *engine, kir_valtype t);
/* The kite type made for a wasm.h kind (references nullable and abstract);
 * false for an unknown kind or v128 (not representable in wasm_val_t). */
bool kapi_valtype_to_kite(wasm_valkind_t kind, kite_valtype_t *out);

/* A kite value as a wasm.h value (a reference gets a new handle); false
 * when out of memory. */
bool kapi_val_from_kite(wasm_store_t *store, kir_valtype t, const kite_val_t *in, wasm_val_t *out);
/* A wasm.h value as a kite value of canonical type t: numbers must be of
 * the type's kind, references of any reference kind that fits; false with
 * a reason in why[size] otherwise. */
bool kapi_val_to_kite(wasm_store_t *store, kir_valtype t, const wasm_val_t *in, kite_val_t *out,
                      char *why, size_t size);

/* A wasm.h function type for a kite function type (NULL when out of memory). */
wasm_functype_t *kapi_functype_from_kite(const kite_engine_t *engine,
                                         const kite_functype_t *type);
/* A wasm.h extern type for a kite one, whose table element or global type
 * is the canonical `content` (kite_valtype_t does not tell a concrete
 * function type from a struct type); NULL for tags, and out of memory. */
wasm_externtype_t *kapi_externtype_from_kite(const kite_engine_t *engine,
                                             const kite_externtype_t *type, kir_valtype content);

/* ---------------------------------------------------------------------------------------------- */

struct wasm_valtype_t {
    wasm_valkind_t kind;
};

struct wasm_externtype_t {
    wasm_externkind_t kind;
};

struct wasm_functype_t {
    wasm_externtype_t ext; /* first: the externtype view */
    wasm_valtype_vec_t params, results;
};

struct wasm_globaltype_t {
    wasm_externtype_t ext;
    wasm_valtype_t *content;
    wasm_mutability_t mutability;
};

struct wasm_tabletype_t {
    wasm_externtype_t ext;
    wasm_valtype_t *element;
    wasm_limits_t limits;
};

struct wasm_memorytype_t {
    wasm_externtype_t ext;
    wasm_limits_t limits;
};

struct wasm_importtype_t {
    wasm_name_t module, name;
    wasm_externtype_t *type;
};

struct wasm_exporttype_t {
    wasm_name_t name;
    wasm_externtype_t *type;
};

/* kite limits as wasm.h limits (a maximum beyond 32 bits, or none, is
 * wasm_limits_max_default; a minimum beyond 32 bits is clamped). */
wasm_limits_t kapi_limits_from_kite(const kite_limits_t *l);
kite_limits_t kapi_limits_to_kite(const wasm_limits_t *l);

/* ---------------------------------------------------------------------------------------------- */

struct wasm_frame_t {
    kapi_ref instance; /* kind 0 when the frame has no instance */
    uint32_t func_index;
    size_t func_offset, module_offset;
};

#endif
