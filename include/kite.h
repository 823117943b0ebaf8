/*
 * kite — an embeddable WebAssembly runtime.
 *
 * Conventions, for every function of this header:
 *
 * Ownership. A function that gives the caller something to release says
 * so, and names the function that releases it (kite_*_free). Everything
 * else a function returns is borrowed, with its lifetime stated.
 * `kite_error_t *` results are NULL on success, otherwise the caller's, to
 * release with kite_error_free. What a store makes (instances, functions,
 * memories, tables, globals, tags, host references) belongs to the store and
 * lives until kite_store_free; the kite_*_t pointers to those objects are
 * borrowed from the store.
 *
 * Strings. Names from WebAssembly (import module and field names, export
 * names, linker names) are byte strings that may hold any byte, NUL
 * included: they are always passed and returned as (pointer, length)
 * pairs, and returned ones are also NUL-terminated for convenience. Host
 * strings (file paths, program arguments, environment entries, messages,
 * feature names) are NUL-terminated `const char *`. Strings passed in are
 * copied when the callee keeps them; none has to outlive the call.
 *
 * Threads. An engine and a module (once created: it is immutable, and its
 * code is translated once for all its instances, whichever thread calls
 * first) may be used by any number of threads at once. A store, and
 * everything in it, is used by one thread at a time (handing it to another
 * thread is fine); kite_store_interrupt is the exception. Shared memories
 * cross stores and threads through kite_shared_memory_t. Each thread of a
 * threaded program runs in its own store (see wasi-threads below).
 *
 * Failure. The library never prints, never exits and never aborts; every
 * allocation may fail, which is reported as KITE_ERROR_OUT_OF_MEMORY (or a
 * trap "out of memory" while code runs).
 */
#ifndef KITE_H
#define KITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define KITE_API
#elif defined(__GNUC__)
#define KITE_API __attribute__((visibility("default")))
#else
#define KITE_API
#endif

/* ---- version --------------------------------------------------------------- */

/* The version of this header; kite_version() is the library's, which may be
 * newer (the library keeps the API and ABI of its major version; while the
 * major version is 0, of its minor version). */
#define KITE_VERSION_MAJOR 0
#define KITE_VERSION_MINOR 1
#define KITE_VERSION_PATCH 0
#define KITE_VERSION_STRING "0.1.0"
/* The library's version as "MAJOR.MINOR.PATCH" (static storage). */
KITE_API const char *kite_version(void);

/* ---- allocation ---------------------------------------------------------- */

/*
 * An allocator, one function in the manner of Lua's lua_Alloc:
 *
 *   realloc(user, NULL, size)  a new block of size bytes;
 *   realloc(user, ptr, size)   the block ptr resized (moved or not);
 *   realloc(user, ptr, 0)      frees ptr and returns NULL.
 *
 * kite never asks for 0 bytes except to free. A NULL result for size > 0 is
 * an out-of-memory, which kite reports as an error or trap (ptr stays
 * valid). Blocks must be aligned as malloc's are.
 *
 * Each engine has one (kite_config_set_allocator): the engine and everything
 * made from it — modules, stores and what they hold, linkers, WASI objects,
 * and the errors and traps they return — allocate only through it. An engine
 * is shared between threads, so the function must be thread-safe. What exists
 * before or without an engine (kite_config_t, kite_wasi_config_t and their
 * errors) uses the C library's malloc/realloc/free.
 */
typedef struct kite_allocator {
    void *(*realloc)(void *user, void *ptr, size_t size);
    void *user;
} kite_allocator_t;

/* ---- errors ------------------------------------------------------------ */

typedef enum kite_error_code {
    KITE_ERROR_MALFORMED = 1,   /* the binary or text cannot be read */
    KITE_ERROR_INVALID,         /* the module does not validate */
    KITE_ERROR_UNLINKABLE,      /* imports cannot be satisfied */
    KITE_ERROR_UNINSTANTIABLE,  /* instantiation failed (e.g. a trap in init) */
    KITE_ERROR_OUT_OF_MEMORY,
    KITE_ERROR_LIMIT,           /* an implementation or configured limit */
    KITE_ERROR_IO,
    KITE_ERROR_ARGUMENT,        /* a bad argument from the embedder or user */
    KITE_ERROR_UNSUPPORTED,     /* valid, but not supported here (e.g. by the compiler tier) */
} kite_error_code_t;

typedef struct kite_error kite_error_t;

/* Where an error was found: a byte offset in a binary, or a line and column
 * (both 1-based) in a text. Unknown parts are 0 / has_* false. */
typedef struct kite_position {
    bool has_offset;
    uint64_t offset;
    bool has_line;
    uint32_t line, column;
} kite_position_t;

KITE_API kite_error_code_t kite_error_code(const kite_error_t *error);
/* The cause, in the spec's wording where the spec has one (e.g. "unexpected
 * end"); owned by the error, valid until kite_error_free. */
KITE_API const char *kite_error_message(const kite_error_t *error);
KITE_API kite_position_t kite_error_position(const kite_error_t *error);
/* NULL is ignored. */
KITE_API void kite_error_free(kite_error_t *error);

/* ---- features and configuration ------------------------------------------ */

typedef enum kite_feature {
#define KITE_FEATURE(id, name, on_by_default, implies, help) KITE_FEATURE_##id,
#include "kite_features.def"
#undef KITE_FEATURE
    KITE_FEATURE_COUNT
} kite_feature_t;

typedef struct kite_config kite_config_t;

/* A configuration with every default; NULL when out of memory. */
KITE_API kite_config_t *kite_config_new(void);
KITE_API void kite_config_free(kite_config_t *config);
/* Enabling a feature also enables the features it implies. */
KITE_API void kite_config_set_feature(kite_config_t *config, kite_feature_t feature, bool enabled);
KITE_API bool kite_config_feature(const kite_config_t *config, kite_feature_t feature);
/* The allocator of engines made with this configuration (copied); NULL
 * restores the default, the C library's. */
KITE_API void kite_config_set_allocator(kite_config_t *config, const kite_allocator_t *allocator);
/*
 * GC stress, a testing aid (default off): every store of the engine collects
 * at every GC allocation and scribbles over what it frees, so that a missing
 * root shows at once as a wrong value or, under AddressSanitizer, a use
 * after free. Much slower.
 */
KITE_API void kite_config_set_gc_stress(kite_config_t *config, bool enabled);
/* Feature by its name (as in the CLI flags), or -1. Names and help texts
 * are static strings. */
KITE_API int kite_feature_by_name(const char *name);
KITE_API const char *kite_feature_name(kite_feature_t feature);
KITE_API const char *kite_feature_help(kite_feature_t feature);
/*
 * The most address space one shared memory reserves, guard region included
 * (0: the default, 64 GiB). A shared memory never moves, so it is reserved
 * up to its declared maximum at creation: a 32-bit one takes 8 GiB + 64 KiB
 * (the guarded layout, below which it falls back to bounds checks and a
 * reservation of its maximum), a memory64 one its maximum. Where this cap
 * (or the OS) leaves the reservation short of the maximum, memory.grow past
 * it returns -1 and the store's diagnostic handler says why.
 */
KITE_API void kite_config_set_shared_memory_reserve(kite_config_t *config, uint64_t bytes);
/*
 * The most address space one unshared linear memory reserves (0: the
 * default). By default a 32-bit memory with 64 KiB pages reserves 8 GiB +
 * 64 KiB so that its accesses need no bounds checks (an access past its end
 * faults in the reserved guard region and becomes a trap), and any other
 * memory up to 16 GiB. A cap below 8 GiB + 64 KiB makes every memory check
 * bounds instead of relying on faults: for address-space-limited hosts, and
 * for tools such as valgrind, which report each access to a guard page.
 * Where the cap leaves the reservation short of the maximum, memory.grow
 * past it returns -1 and the store's diagnostic handler says why.
 */
KITE_API void kite_config_set_memory_reserve(kite_config_t *config, uint64_t bytes);

/*
 * Execution tiers. KITE_TIER_INTERP interprets everything. KITE_TIER_JIT
 * compiles every function to native code before it runs (x86-64 only); a
 * module using an instruction the compiler does not handle yet fails to
 * instantiate with KITE_ERROR_UNSUPPORTED, naming it. KITE_TIER_AUTO, the
 * default, interprets and compiles the functions that become hot (a
 * function the compiler does not handle stays interpreted; where there is
 * no compiler, everything is interpreted).
 */
typedef enum kite_tier {
    KITE_TIER_INTERP = 0,
    KITE_TIER_JIT = 1,
    KITE_TIER_AUTO = 2,
} kite_tier_t;

KITE_API void kite_config_set_tier(kite_config_t *config, kite_tier_t tier);
/* KITE_TIER_AUTO: calls plus loop iterations after which a function is
 * compiled (0: the default, 1000). A test can set 1 to compile everything
 * as soon as it runs, continuing running loops in compiled code. */
KITE_API void kite_config_set_tier_threshold(kite_config_t *config, uint32_t n);
/* Compiled code uses only the architecture's baseline instructions (on
 * x86-64: SSE2), not the extensions detected at start-up (SSE4.1, POPCNT,
 * LZCNT, BMI1): code the same on every machine, and a way to test the
 * compiler's fallbacks (calls of the interpreter's functions). Off by default. */
KITE_API void kite_config_set_jit_baseline(kite_config_t *config, bool baseline);
/* Compiled SIMD code uses the VEX (AVX) encodings where the CPU has them:
 * three-operand forms, which need no register copies. On by default; off,
 * the SSE encodings (what a CPU without AVX runs, and a way to test them). */
KITE_API void kite_config_set_jit_avx(kite_config_t *config, bool avx);
KITE_API kite_tier_t kite_config_tier(const kite_config_t *config);
/* "interp", "jit" or "auto", or -1. */
KITE_API int kite_tier_by_name(const char *name);

/* ---- engine ---------------------------------------------------------------- */

typedef struct kite_engine kite_engine_t;

/* The config is copied; NULL config means defaults. NULL when out of memory.
 * Free the engine after every store and module made with it. */
KITE_API kite_engine_t *kite_engine_new(const kite_config_t *config);
/* Free the engine last: after every module, store, linker and WASI object
 * made with it (errors and traps may outlive it). */
KITE_API void kite_engine_free(kite_engine_t *engine);
/* The engine's allocator (for host code that wants to allocate with it). */
KITE_API kite_allocator_t kite_engine_allocator(const kite_engine_t *engine);

/* ---- modules ----------------------------------------------------------------- */

typedef struct kite_module kite_module_t;

/* Decode and validate a binary module. On success *out is the caller's. */
KITE_API kite_error_t *kite_module_new(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                                       kite_module_t **out);
/* Parse (WAT) and validate a text module. */
KITE_API kite_error_t *kite_module_new_text(kite_engine_t *engine, const char *text, size_t len,
                                            kite_module_t **out);
/* Either of the above, chosen by the content (binary magic or text). */
KITE_API kite_error_t *kite_module_new_any(kite_engine_t *engine, const uint8_t *bytes,
                                           size_t len, kite_module_t **out);
/* Decode and validate a binary module without keeping it: NULL when the
 * module is valid, else the error kite_module_new would report. */
KITE_API kite_error_t *kite_module_validate(kite_engine_t *engine, const uint8_t *bytes,
                                            size_t len);
/* Another reference to the same module, for a holder with its own lifetime
 * (another thread, another store): each reference is released with
 * kite_module_free, and the module is freed with the last one. Instances
 * hold a reference of their own, so a module may be freed while instances
 * of it still run. */
KITE_API kite_module_t *kite_module_clone(const kite_module_t *module);
KITE_API void kite_module_free(kite_module_t *module);

/*
 * Serialized modules. kite keeps no machine code, so a serialized module is
 * the module's binary (custom sections other than "name" left out) behind
 * a 16-byte header ("\0kite-mod", a format version, the binary's length);
 * deserializing decodes and validates it again, exactly as kite_module_new,
 * so a damaged or forged input is an error, never a risk. Only modules
 * made from a binary can be serialized (KITE_ERROR_ARGUMENT for text).
 *
 * kite_module_serialize sets *len to the size of the serialized module and
 * writes it to buf when size >= *len (call it with size 0 to learn the size).
 */
KITE_API kite_error_t *kite_module_serialize(const kite_module_t *module, uint8_t *buf,
                                             size_t size, size_t *len);
KITE_API kite_error_t *kite_module_deserialize(kite_engine_t *engine, const uint8_t *bytes,
                                               size_t len, kite_module_t **out);

/* ---- debugging ---------------------------------------------------------------------- */

/* Receives text: len bytes at text (not NUL-terminated), valid only during
 * the call. */
typedef void kite_write_fn(void *ud, const char *text, size_t len);

/*
 * A debugging aid: writes the interpreter's translated code of defined
 * function func_index (in the module's function index space, imports
 * first), or of every defined function when func_index is KITE_FUNC_ALL,
 * readable: per instruction its position, Wasm offset, internal op and
 * fields (slots as s12, branch targets as @position). The format is not
 * stable. KITE_ERROR_ARGUMENT for an imported or out-of-range index.
 */
#define KITE_FUNC_ALL UINT32_MAX
KITE_API kite_error_t *kite_module_disassemble(const kite_module_t *module, uint32_t func_index,
                                               kite_write_fn *write, void *ud);
/* The index of the function exported as `name`, else of the function the
 * name section (or a text module's $identifier, without the $) calls so. */
KITE_API bool kite_module_func_index(const kite_module_t *module, const char *name, size_t len,
                                     uint32_t *index);

/* ---- values ------------------------------------------------------------------------ */

/*
 * A reference value. Null is 0. Otherwise opaque: it may be a function, a
 * host (extern) reference, an exception, or (with GC) an i31, struct or
 * array. Use the kite_ref_* functions; never dereference it.
 */
typedef uintptr_t kite_ref_t;
#define KITE_REF_NULL ((kite_ref_t)0)

typedef enum kite_valkind {
    KITE_I32,
    KITE_I64,
    KITE_F32,
    KITE_F64,
    KITE_V128,
    KITE_REF,
} kite_valkind_t;

/* The kind's name in the text format: "i32", "i64", "f32", "f64", "v128" or
 * "ref"; NULL for a number that is not a kind. */
KITE_API const char *kite_valkind_name(kite_valkind_t kind);

/*
 * A value. Floats are kept as their IEEE bit patterns, so NaN payloads
 * survive a round trip through the host.
 */
typedef struct kite_val {
    kite_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        uint8_t v128[16];
        kite_ref_t ref;
    } of;
} kite_val_t;

/*
 * A value type: the kind, and for references whether null is allowed and
 * the heap type: one of the KITE_HEAP_* abstract codes (their binary
 * encodings), or a concrete type, for which heap is KITE_HEAP_CONCRETE.
 */
typedef struct kite_valtype {
    kite_valkind_t kind;
    bool nullable;
    uint32_t heap;
} kite_valtype_t;

#define KITE_HEAP_EXN 0x69
#define KITE_HEAP_ARRAY 0x6A
#define KITE_HEAP_STRUCT 0x6B
#define KITE_HEAP_I31 0x6C
#define KITE_HEAP_EQ 0x6D
#define KITE_HEAP_ANY 0x6E
#define KITE_HEAP_EXTERN 0x6F
#define KITE_HEAP_FUNC 0x70
#define KITE_HEAP_NONE 0x71
#define KITE_HEAP_NOEXTERN 0x72
#define KITE_HEAP_NOFUNC 0x73
#define KITE_HEAP_NOEXN 0x74
#define KITE_HEAP_CONCRETE 0xFFFFFFFFu

/* ---- types of imports, exports and externs ------------------------------------------------ */

/* Sizes: of memories in pages, of tables in elements. `is64`: addressed by
 * i64 (memory64, table64); `shared`: a shared memory (threads). */
typedef struct kite_limits {
    uint64_t min, max;
    bool has_max;
    bool is64;
    bool shared;
} kite_limits_t;

/*
 * A function type (also a tag's type: its parameters, no results). Borrowed
 * from the engine, which keeps it as long as it lives: it may be kept after
 * its module, function or tag is freed.
 */
typedef struct kite_functype kite_functype_t;
KITE_API size_t kite_functype_param_count(const kite_functype_t *type);
KITE_API size_t kite_functype_result_count(const kite_functype_t *type);
/* Parameter or result `index`; an index out of range gives an i32. */
KITE_API kite_valtype_t kite_functype_param(const kite_functype_t *type, size_t index);
KITE_API kite_valtype_t kite_functype_result(const kite_functype_t *type, size_t index);

typedef enum kite_externkind {
    KITE_EXTERN_FUNC = 0,
    KITE_EXTERN_TABLE = 1,
    KITE_EXTERN_MEMORY = 2,
    KITE_EXTERN_GLOBAL = 3,
    KITE_EXTERN_TAG = 4,
} kite_externkind_t;

/* The type of an import, an export or an extern. */
typedef struct kite_externtype {
    kite_externkind_t kind;
    union {
        const kite_functype_t *func;
        struct {
            kite_valtype_t elem;
            kite_limits_t limits;
        } table;
        struct {
            kite_limits_t limits;
            uint32_t page_size_log2; /* 16 (64 KiB pages), or 0 (custom-page-sizes) */
        } memory;
        struct {
            kite_valtype_t type;
            bool mutable_;
        } global;
        const kite_functype_t *tag;
    } of;
} kite_externtype_t;

/* ---- module introspection ---------------------------------------------------------- */

/* Names are borrowed from the module (valid while it lives), given with
 * their lengths (they may contain NUL bytes) and NUL-terminated. `kind` is
 * type.kind, kept for older users. */
typedef struct kite_import_desc {
    const char *module;
    size_t module_len;
    const char *name;
    size_t name_len;
    kite_externkind_t kind;
    kite_externtype_t type;
} kite_import_desc_t;

typedef struct kite_export_desc {
    const char *name;
    size_t name_len;
    kite_externkind_t kind;
    kite_externtype_t type;
} kite_export_desc_t;

/* Imports and exports in the module's order; an index out of range gives a
 * zeroed descriptor. */
KITE_API size_t kite_module_import_count(const kite_module_t *module);
KITE_API kite_import_desc_t kite_module_import(const kite_module_t *module, size_t index);
/* The declared type of memory import `index` (in pages); false when it is
 * not a memory, or its pages are not 64 KiB (custom page sizes). */
KITE_API bool kite_module_import_memory(const kite_module_t *module, size_t index,
                                        struct kite_limits *out);
KITE_API size_t kite_module_export_count(const kite_module_t *module);
KITE_API kite_export_desc_t kite_module_export(const kite_module_t *module, size_t index);

/* ---- store ---------------------------------------------------------------------------- */

/*
 * A store owns everything instantiated in it (instances, functions,
 * memories, tables, globals, tags) and frees it all with kite_store_free;
 * GC objects (structs, arrays, exceptions, host references) it frees
 * earlier, once nothing reaches them. One thread at a time may use a store.
 */
typedef struct kite_store kite_store_t;

typedef struct kite_store_limits {
    uint64_t memory_bytes;   /* all memories of the store together; 0: no limit */
    uint64_t table_elements; /* all tables together; 0: no limit */
    uint32_t instances;      /* 0: no limit */
    uint32_t stack_slots;    /* Wasm value stack per call into Wasm (8-byte slots); 0: default */
    uint32_t call_depth;     /* nested Wasm calls; 0: default */
    uint64_t gc_heap_bytes;  /* the GC heap (structs, arrays, exceptions, host
                                references); 0: no limit. A GC allocation that does not
                                fit after a full collection traps with "GC heap
                                exhausted" (an error KITE_ERROR_LIMIT from the API). */
    /* Bytes of the calling thread's C stack that a call into Wasm must find
     * free: entering Wasm (from the host, or again from a host function
     * Wasm called) with less left traps with "call stack exhausted" instead
     * of overflowing the stack. What Wasm runs in between (the interpreter,
     * WASI, your host functions) lives in this margin: raise it for host
     * functions that use much stack. 0: the default, 64 KiB (256 KiB in a
     * sanitizer build). On a stack whose bounds the system does not tell
     * (a coroutine's), nested entries are counted instead (at most 256). */
    uint32_t c_stack_margin;
} kite_store_limits_t;

KITE_API kite_store_t *kite_store_new(kite_engine_t *engine);
KITE_API void kite_store_free(kite_store_t *store);
/* Set before instantiating anything. */
KITE_API void kite_store_set_limits(kite_store_t *store, const kite_store_limits_t *limits);
/*
 * Fuel: when set (non-zero), Wasm execution consumes fuel (about one unit
 * per instruction) and traps with "all fuel consumed" when it runs out.
 */
KITE_API void kite_store_set_fuel(kite_store_t *store, uint64_t fuel);
KITE_API uint64_t kite_store_fuel(const kite_store_t *store);

/*
 * Interruption, for wall-clock limits and cancellation. After
 * kite_store_enable_interrupts, Wasm code in the store checks for a pending
 * interrupt where it would charge fuel (at every call, taken backward branch
 * and throw), which costs about as much as fuel does; without it, code runs
 * unchecked and interrupts have no effect.
 *
 * kite_store_interrupt may be called from any thread, and from a signal
 * handler. The Wasm code running in the store (or, if none is, the next
 * that runs) traps with KITE_TRAP_INTERRUPTED at its next check; the trap
 * consumes the request. A host function that blocks is not interrupted:
 * the trap comes when it returns to Wasm.
 *
 * memory.atomic.wait: a wait in progress wakes at once for an interrupt
 * (when interrupts are enabled) and traps with KITE_TRAP_INTERRUPTED, its
 * message saying it was blocked in memory.atomic.wait. With fuel, a wait
 * costs one unit of fuel per nanosecond it sleeps (about what running code
 * for that long costs), so a wait longer than the fuel left traps with
 * "all fuel consumed" when the fuel runs out: fuel alone bounds a program,
 * even one whose threads wait on each other forever.
 */
KITE_API void kite_store_enable_interrupts(kite_store_t *store);
KITE_API void kite_store_interrupt(kite_store_t *store);

/*
 * Diagnostics: notes for the embedder about something the runtime refused
 * although the module's own limits and the store's limits allowed it, e.g.
 * memory.grow returning -1 because the reservation (capped by
 * kite_config_set_shared_memory_reserve, or cut short by the OS) ends
 * before the memory's maximum, or the OS refused to commit the pages. The handler (NULL: none) is called on the thread running the
 * store, with a message valid during the call; the last message is also
 * kept (NULL when there was none).
 */
KITE_API void kite_store_set_diagnostic_handler(kite_store_t *store,
                                                void (*handler)(void *user, const char *message),
                                                void *user);
KITE_API const char *kite_store_last_diagnostic(const kite_store_t *store);

/* ---- references --------------------------------------------------------------------- */

typedef struct kite_func kite_func_t;

/*
 * A host reference (externref) wrapping a host value. It lives in the
 * store's GC heap, as structs and arrays do (see "GC values" below): it
 * stays valid while Wasm can reach it (a global, a table, a GC object, an
 * exception, a frame) or a root handle holds it (kite_root_new), and is
 * freed once neither is true. A kite_ref_t in the host's own variables is
 * not a root: root it before the next call that may allocate in the store
 * (making another reference, a struct or array, calling Wasm,
 * kite_store_gc) if it must stay valid. Errors: KITE_ERROR_LIMIT when the
 * GC heap is exhausted.
 */
KITE_API kite_error_t *kite_ref_new_host(kite_store_t *store, uintptr_t host_value, kite_ref_t *out);
/*
 * The same with a finalizer, called with host_value once the reference is
 * freed (collected, or its store freed), for the host to release what the
 * value stands for. It runs inside a collection, so it must not use the
 * store (no kite_* call on it or its objects).
 */
KITE_API kite_error_t *kite_ref_new_host_with_finalizer(kite_store_t *store, uintptr_t host_value,
                                                        void (*finalize)(uintptr_t host_value),
                                                        kite_ref_t *out);
/* The host value of a host reference; false for anything else. */
KITE_API bool kite_ref_host_value(kite_ref_t ref, uintptr_t *out);
/* The function of a function reference, or NULL. */
KITE_API kite_func_t *kite_ref_func(kite_ref_t ref);
KITE_API kite_ref_t kite_func_ref(kite_func_t *func);

typedef enum kite_refkind {
    KITE_REFKIND_NULL,
    KITE_REFKIND_FUNC,
    KITE_REFKIND_HOST,   /* made by kite_ref_new_host */
    KITE_REFKIND_EXN,
    KITE_REFKIND_I31,
    KITE_REFKIND_STRUCT,
    KITE_REFKIND_ARRAY,
} kite_refkind_t;
KITE_API kite_refkind_t kite_ref_kind(kite_ref_t ref);

/* ---- GC values: i31, structs, arrays -------------------------------------------------- */

/*
 * Structs, arrays, exceptions (exnref) and host references live in the
 * store's GC heap, which frees them once nothing reaches them; i31
 * references are plain values. A kite_ref_t the host keeps in its own
 * variables is not a root: it stays valid only until the next call that
 * may allocate in the store (calling Wasm, making a struct, array or host
 * reference, kite_store_gc). To keep a reference longer, hold it in a root
 * handle (kite_root_new), in a global or in a table. The arguments and
 * results of a host function are roots while the host function runs, and a
 * trap holds its exception (kite_trap_exception_ref) until it is freed.
 * Functions are not in the heap: they live as long as their store.
 */

/* ref.i31: the low 31 bits of value. */
KITE_API kite_ref_t kite_ref_i31(uint32_t value);
/* i31.get_s (sign_extend) or i31.get_u of an i31 reference; false for
 * anything else (null included). */
KITE_API bool kite_ref_i31_get(kite_ref_t ref, bool sign_extend, uint32_t *out);

/*
 * A new struct of the struct type at `type_index` in `module`'s type
 * section (the module must belong to the store's engine), with one value
 * per field (packed i8/i16 fields take a KITE_I32 and keep its low bits),
 * or all fields zero / null when `fields` is NULL and nfields is 0.
 * Errors: KITE_ERROR_ARGUMENT for a wrong type index, count or value;
 * KITE_ERROR_LIMIT when the GC heap is exhausted ("GC heap exhausted").
 */
KITE_API kite_error_t *kite_struct_new(kite_store_t *store, const kite_module_t *module,
                                       uint32_t type_index, const kite_val_t *fields,
                                       size_t nfields, kite_ref_t *out);
/* A new array of `length` elements, each `init` (NULL: zero / null). */
KITE_API kite_error_t *kite_array_new(kite_store_t *store, const kite_module_t *module,
                                      uint32_t type_index, uint32_t length,
                                      const kite_val_t *init, kite_ref_t *out);
/* A new array with the n given elements. */
KITE_API kite_error_t *kite_array_new_fixed(kite_store_t *store, const kite_module_t *module,
                                            uint32_t type_index, const kite_val_t *elems,
                                            size_t n, kite_ref_t *out);

/* Fields of a struct of `store`: the count (0 for anything but a struct),
 * and reads and writes. Packed fields read as KITE_I32 zero-extended. Writes
 * check the value's type and the field's mutability. */
KITE_API size_t kite_struct_field_count(kite_ref_t ref);
KITE_API kite_error_t *kite_struct_get(kite_store_t *store, kite_ref_t ref, size_t field,
                                       kite_val_t *out);
KITE_API kite_error_t *kite_struct_set(kite_store_t *store, kite_ref_t ref, size_t field,
                                       const kite_val_t *value);
/* Elements of an array of `store`: its length (0 for anything but an
 * array), reads and writes (an index out of bounds is KITE_ERROR_ARGUMENT). */
KITE_API uint32_t kite_array_len(kite_ref_t ref);
KITE_API kite_error_t *kite_array_get(kite_store_t *store, kite_ref_t ref, uint32_t index,
                                      kite_val_t *out);
KITE_API kite_error_t *kite_array_set(kite_store_t *store, kite_ref_t ref, uint32_t index,
                                      const kite_val_t *value);

/*
 * Root handles: the reference a handle holds (of any kind, null included)
 * is kept alive until the handle is released. Release every handle before
 * freeing its store (kite_store_free releases those left, after which
 * they must not be used).
 */
typedef struct kite_root kite_root_t;
KITE_API kite_error_t *kite_root_new(kite_store_t *store, kite_ref_t ref, kite_root_t **out);
KITE_API kite_ref_t kite_root_get(const kite_root_t *root);
KITE_API void kite_root_set(kite_root_t *root, kite_ref_t ref);
KITE_API void kite_root_free(kite_root_t *root);

/* A full collection now. */
KITE_API void kite_store_gc(kite_store_t *store);

typedef struct kite_gc_stats {
    uint64_t collections;     /* so far */
    uint64_t heap_bytes;      /* the heap's size now (blocks and large objects) */
    uint64_t peak_heap_bytes; /* its largest size so far */
    uint64_t live_bytes;      /* what survived the last collection */
} kite_gc_stats_t;
KITE_API void kite_store_gc_stats(const kite_store_t *store, kite_gc_stats_t *out);

/* ---- traps ------------------------------------------------------------------------------ */

typedef enum kite_trap_kind {
#define KITE_TRAP(id, message) KITE_TRAP_##id,
#include "kite_traps.def"
#undef KITE_TRAP
    KITE_TRAP_KIND_COUNT
} kite_trap_kind_t;

typedef struct kite_trap kite_trap_t;

/*
 * Traps are the caller's: kite_func_call and kite_instance_new hand them
 * out, to be released with kite_trap_free. A trap a host function returns
 * is handed to the runtime, which releases it or passes it on (with the
 * Wasm frames it crossed added) to whoever called into Wasm.
 */

/* A trap made by a host function (kind KITE_TRAP_HOST), message copied,
 * allocated with the allocator of the store's engine (a host function finds
 * its store with kite_caller_store). Never NULL: when out of memory, a
 * shared out-of-memory trap. */
KITE_API kite_trap_t *kite_trap_new(kite_store_t *store, const char *message);
KITE_API kite_trap_kind_t kite_trap_kind(const kite_trap_t *trap);
/* The spec's message for the kind ("integer divide by zero", ...), or the
 * host's for KITE_TRAP_HOST. Owned by the trap. */
KITE_API const char *kite_trap_message(const kite_trap_t *trap);

/*
 * The Wasm call stack at the trap, innermost frame first. The names are
 * borrowed from the frame's module and the instance from its store: both
 * stay valid until the store that ran the code is freed (an instance keeps
 * its module alive), even after the trap is freed.
 */
typedef struct kite_frame {
    uint32_t func_index;     /* in its module's function index space */
    const char *func_name;   /* from the name section, or NULL */
    const char *module_name; /* from the name section, or NULL */
    uint64_t code_offset;    /* byte offset of the instruction in the module, or 0 */
    /* Text modules: where the instruction is in the source, 1-based (for
     * kite_module_new_text, lines of the text given); 0 when unknown. */
    uint32_t line, column;
    const struct kite_instance *instance; /* the instance the function belongs to */
    uint64_t func_offset;    /* code_offset from the start of the function (in a
                                binary: its code entry's local declarations; in
                                a text module: its first instruction) */
} kite_frame_t;
KITE_API size_t kite_trap_frame_count(const kite_trap_t *trap);
KITE_API kite_frame_t kite_trap_frame(const kite_trap_t *trap, size_t index);

/*
 * The trap as text, in one call: the message, then one line per frame,
 * as the kite command prints it:
 *
 *     integer divide by zero
 *       at div (calc.wasm+0x4f)            a binary module: the byte offset
 *       at $main (calc.wat:12:5)           a text module: line and column
 *
 * `module_label` names the module (e.g. its file name; NULL: "wasm"); a
 * binary module's own name (name section) goes first. Deep backtraces show
 * their 25 innermost and 5 outermost frames with a "... N more frames ..."
 * line between. Like snprintf: writes at most `size` bytes, NUL included,
 * and returns the length of the whole text (without the NUL).
 */
KITE_API size_t kite_trap_format(const kite_trap_t *trap, const char *module_label, char *buf,
                                 size_t size);
/* One frame as kite_trap_format writes it, without the "at ": "NAME
 * (LABEL:LINE:COLUMN)" for a text module, "NAME (MODULE+0xOFFSET)" for a
 * binary one (MODULE its own name, else `module_label`), for embedders
 * that lay out backtraces their own way. Like snprintf. */
KITE_API size_t kite_frame_format(const kite_frame_t *frame, const char *module_label, char *buf,
                                  size_t size);

typedef struct kite_tag kite_tag_t;
/* For KITE_TRAP_EXCEPTION (an exception that reached the host): its tag and
 * payload (values written to `values`, at most `max`; returns the count),
 * and the exception itself as an exnref. The trap keeps the exception alive
 * until it is freed; once its store is freed, the trap no longer has one
 * (NULL, 0 and KITE_REF_NULL). A host function that returns the trap to
 * its Wasm caller in the same store rethrows the exception there. */
KITE_API kite_tag_t *kite_trap_exception_tag(const kite_trap_t *trap);
KITE_API size_t kite_trap_exception_values(const kite_trap_t *trap, kite_val_t *values, size_t max);
KITE_API kite_ref_t kite_trap_exception_ref(const kite_trap_t *trap);
KITE_API void kite_trap_free(kite_trap_t *trap);

/* ---- functions --------------------------------------------------------------------------- */

/* The function's type (borrowed from the engine), and its parts. */
KITE_API const kite_functype_t *kite_func_type(const kite_func_t *func);
KITE_API size_t kite_func_param_count(const kite_func_t *func);
KITE_API size_t kite_func_result_count(const kite_func_t *func);
KITE_API kite_valtype_t kite_func_param(const kite_func_t *func, size_t index);
KITE_API kite_valtype_t kite_func_result(const kite_func_t *func, size_t index);

/*
 * Call a function. An argument count or type that does not match is an
 * error (KITE_ERROR_ARGUMENT) and nothing runs. A trap during the call is
 * returned in *trap (caller frees) and the store stays usable.
 */
KITE_API kite_error_t *kite_func_call(kite_store_t *store, kite_func_t *func, const kite_val_t *args,
                                      size_t nargs, kite_val_t *results, size_t nresults,
                                      kite_trap_t **trap);

typedef struct kite_caller kite_caller_t;
typedef struct kite_extern kite_extern_t;

/*
 * A host function. `args` and `results` are borrowed for the call;
 * `results` has room for the declared results, each preset to its kind and
 * zero. Return NULL, or a trap (e.g. kite_trap_new) to stop the Wasm code
 * that called: the runtime takes the trap (see "traps"). `finalize` (may be
 * NULL) is called with `env` when the store is freed.
 */
typedef kite_trap_t *(*kite_host_func_t)(void *env, kite_caller_t *caller, const kite_val_t *args,
                                         kite_val_t *results);
KITE_API kite_error_t *kite_func_new_host(kite_store_t *store, const kite_valtype_t *params,
                                          size_t nparams, const kite_valtype_t *results,
                                          size_t nresults, kite_host_func_t callback, void *env,
                                          void (*finalize)(void *env), kite_func_t **out);
/* From inside a host function (the caller is valid only during its call):
 * the store, and an export of the calling instance (e.g. its "memory");
 * false when there is none. */
KITE_API kite_store_t *kite_caller_store(kite_caller_t *caller);
KITE_API bool kite_caller_export(kite_caller_t *caller, const char *name, size_t name_len,
                                 kite_extern_t *out);

/* ---- memories, tables, globals, tags -------------------------------------------------------- */

typedef struct kite_memory kite_memory_t;
typedef struct kite_table kite_table_t;
typedef struct kite_global kite_global_t;

KITE_API kite_error_t *kite_memory_new(kite_store_t *store, const kite_limits_t *pages,
                                       kite_memory_t **out);
/* kite_memory_new with pages of 2^page_size_log2 bytes: 16 (64 KiB, as
 * kite_memory_new) or 0 (one byte, the custom-page-sizes proposal), as for
 * a memory import that declares it (kite_externtype_t.of.memory). */
KITE_API kite_error_t *kite_memory_new_paged(kite_store_t *store, const kite_limits_t *pages,
                                             uint32_t page_size_log2, kite_memory_t **out);
KITE_API uint8_t *kite_memory_data(kite_memory_t *memory);
KITE_API uint64_t kite_memory_size(const kite_memory_t *memory); /* bytes */
KITE_API uint64_t kite_memory_pages(const kite_memory_t *memory);
/* Returns the old page count, or UINT64_MAX when the memory cannot grow.
 * For a shared memory any thread may call this and the size functions. */
KITE_API uint64_t kite_memory_grow(kite_memory_t *memory, uint64_t delta_pages);

/*
 * Shared memories across stores and threads. A kite_shared_memory_t is a
 * reference to a shared memory that belongs to no store: each store that
 * uses it attaches it (a kite_memory_t of that store, for imports and the
 * functions above) and the memory lives until its last reference, shared
 * memory handle or store, is gone. Any thread may use the handle.
 */
typedef struct kite_shared_memory kite_shared_memory_t;
/* A new shared memory (pages->shared and has_max must be set), reserved as
 * kite_config_set_shared_memory_reserve says. */
KITE_API kite_error_t *kite_shared_memory_new(kite_engine_t *engine, const kite_limits_t *pages,
                                              kite_shared_memory_t **out);
/* A new reference to the shared memory behind `memory` (an instance's, or
 * one made by kite_memory_new), or NULL when it is not shared or out of
 * memory. */
KITE_API kite_shared_memory_t *kite_memory_share(kite_memory_t *memory);
/* The shared memory as a memory of `store` (owned by the store). */
KITE_API kite_error_t *kite_shared_memory_attach(kite_shared_memory_t *shared,
                                                 kite_store_t *store, kite_memory_t **out);
/* Another reference to the same shared memory; NULL when out of memory. */
KITE_API kite_shared_memory_t *kite_shared_memory_clone(const kite_shared_memory_t *shared);
KITE_API void kite_shared_memory_free(kite_shared_memory_t *shared);

KITE_API kite_error_t *kite_table_new(kite_store_t *store, kite_valtype_t elem,
                                      const kite_limits_t *limits, kite_ref_t init,
                                      kite_table_t **out);
KITE_API uint64_t kite_table_size(const kite_table_t *table);
KITE_API bool kite_table_get(const kite_table_t *table, uint64_t index, kite_ref_t *out);
KITE_API kite_error_t *kite_table_set(kite_table_t *table, uint64_t index, kite_ref_t ref);
KITE_API uint64_t kite_table_grow(kite_table_t *table, uint64_t delta, kite_ref_t init);

KITE_API kite_error_t *kite_global_new(kite_store_t *store, kite_valtype_t type, bool mutable_,
                                       const kite_val_t *value, kite_global_t **out);
KITE_API kite_val_t kite_global_get(const kite_global_t *global);
KITE_API kite_error_t *kite_global_set(kite_global_t *global, const kite_val_t *value);

/* A tag with the given parameter types (for host-defined exceptions). */
KITE_API kite_error_t *kite_tag_new(kite_store_t *store, const kite_valtype_t *params,
                                    size_t nparams, kite_tag_t **out);

/* ---- externs and instances ----------------------------------------------------------------- */

/* An object of a store, borrowed from it. */
struct kite_extern {
    kite_externkind_t kind;
    union {
        kite_func_t *func;
        kite_table_t *table;
        kite_memory_t *memory;
        kite_global_t *global;
        kite_tag_t *tag;
    } of;
};

/* The extern's type as it is now: a table's or memory's current size is
 * its minimum. */
KITE_API kite_externtype_t kite_extern_type(const kite_extern_t *ext);

typedef struct kite_instance kite_instance_t;

/*
 * Instantiate `module` in `store` with `imports` given in the module's
 * import order; every import must belong to `store` (KITE_ERROR_ARGUMENT
 * otherwise). Link errors (a missing or mismatching import) are
 * KITE_ERROR_UNLINKABLE with a message in the spec's words ("unknown
 * import", "incompatible import type"); a trap while initializing or in the
 * start function is returned in *trap with a NULL error and no instance
 * (KITE_ERROR_UNINSTANTIABLE is not used for traps). The instance is owned
 * by the store.
 */
KITE_API kite_error_t *kite_instance_new(kite_store_t *store, const kite_module_t *module,
                                         const kite_extern_t *imports, size_t nimports,
                                         kite_instance_t **out, kite_trap_t **trap);
/* An export by name; false when there is none. */
KITE_API bool kite_instance_export(const kite_instance_t *instance, const char *name,
                                   size_t name_len, kite_extern_t *out);
KITE_API size_t kite_instance_export_count(const kite_instance_t *instance);
KITE_API kite_export_desc_t kite_instance_export_desc(const kite_instance_t *instance,
                                                     size_t index);
KITE_API kite_extern_t kite_instance_export_at(const kite_instance_t *instance, size_t index);

/*
 * A linker resolves imports by (module, name): define externs one by one or
 * all exports of an instance under a module name, then instantiate. Names
 * are copied. The linker belongs to no store, but what it holds does: a
 * linker may serve several stores only when each instantiation finds
 * externs of its own store (kite_linker_instantiate reports an extern of
 * another store as KITE_ERROR_ARGUMENT), so the usual pattern is one linker
 * per store, or a linker of host functions defined again per store. Free
 * it whenever convenient: instances do not refer to it.
 */
typedef struct kite_linker kite_linker_t;
/* NULL when out of memory. */
KITE_API kite_linker_t *kite_linker_new(kite_engine_t *engine);
KITE_API void kite_linker_free(kite_linker_t *linker);
/* Later definitions of the same (module, name) replace earlier ones. */
KITE_API kite_error_t *kite_linker_define(kite_linker_t *linker, const char *module,
                                          size_t module_len, const char *name, size_t name_len,
                                          kite_extern_t ext);
KITE_API kite_error_t *kite_linker_define_instance(kite_linker_t *linker, const char *module,
                                                   size_t module_len,
                                                   const kite_instance_t *instance);
/* The definition of (module, name); false when there is none. */
KITE_API bool kite_linker_get(const kite_linker_t *linker, const char *module, size_t module_len,
                              const char *name, size_t name_len, kite_extern_t *out);
KITE_API kite_error_t *kite_linker_instantiate(kite_linker_t *linker, kite_store_t *store,
                                               const kite_module_t *module, kite_instance_t **out,
                                               kite_trap_t **trap);

/* ---- WASI preview1 --------------------------------------------------------------------------- */

/*
 * wasi_snapshot_preview1 as a library module: configure it, make a WASI
 * object, define its functions in a linker for a store, instantiate a
 * command module and call its "_start".
 *
 *     kite_wasi_config_t *cfg = kite_wasi_config_new();
 *     kite_wasi_config_push_arg(cfg, "prog.wasm");
 *     kite_wasi_config_preopen_dir(cfg, "/srv/data", "/data", KITE_WASI_READONLY);
 *     kite_wasi_t *wasi;
 *     kite_error_t *err = kite_wasi_new(engine, cfg, &wasi);
 *     kite_wasi_config_free(cfg);
 *     err = kite_wasi_define(wasi, linker, store);
 *     ... kite_linker_instantiate, kite_func_call(store, _start, ...) ...
 *     uint32_t code;
 *     if (trap && kite_wasi_exit_code(wasi, &code)) ... the guest called proc_exit(code)
 *
 * The guest reaches host files only through pre-opened directories: no path
 * (with "..", absolute, through symbolic links, or racing with renames)
 * resolves outside one. Every guest pointer is checked against the calling
 * instance's exported "memory"; a bad one gives the guest EFAULT. A module
 * that calls a WASI function needing memory without exporting "memory" traps.
 *
 * Paths resolve with openat2(RESOLVE_BENEATH) where the kernel has it, else
 * component by component (kite_wasi_config_no_openat2 forces the second way).
 *
 * The WASI object owns the host descriptors the guest opens (and copies of
 * those given in the configuration) and closes them when freed. It must
 * outlive every call into the stores it was defined in: free it after the
 * stores. Any number of threads may run guests using one WASI object at
 * once (the descriptor table and captured streams are locked; a descriptor
 * closed by one thread stays valid for a call in progress in another).
 */
typedef struct kite_wasi_config kite_wasi_config_t;
typedef struct kite_wasi kite_wasi_t;

/* Flags of kite_wasi_config_preopen_dir. */
#define KITE_WASI_READONLY 1u /* the guest may read but not change anything beneath */

/* NULL when out of memory. Defaults: no arguments, no environment, no
 * pre-opened directories, stdio on the host's descriptors 0, 1 and 2. */
KITE_API kite_wasi_config_t *kite_wasi_config_new(void);
KITE_API void kite_wasi_config_free(kite_wasi_config_t *config);
/* Appends one argument (argv[0] is the program name by convention). Copied. */
KITE_API kite_error_t *kite_wasi_config_push_arg(kite_wasi_config_t *config, const char *arg);
/* Sets NAME=VALUE in the guest environment (replacing an earlier NAME).
 * NAME must be non-empty without '='. Copied. */
KITE_API kite_error_t *kite_wasi_config_push_env(kite_wasi_config_t *config, const char *name,
                                                 const char *value);
/* Copies the whole host environment into the guest's (later push_env calls
 * still replace or add). */
KITE_API kite_error_t *kite_wasi_config_inherit_env(kite_wasi_config_t *config);
/*
 * Pre-opens host directory `host_path` under the name `guest_path` (what the
 * guest's libc matches paths against: "/data", "." ...). Directories get
 * descriptors 3, 4, ... in the order given, before sockets. The directory is
 * opened by kite_wasi_new.
 */
KITE_API kite_error_t *kite_wasi_config_preopen_dir(kite_wasi_config_t *config,
                                                    const char *host_path,
                                                    const char *guest_path, uint32_t flags);
/* Pre-opens a host socket (listening or connected; duplicated by
 * kite_wasi_new, the caller keeps its own) for sock_accept/recv/send/shutdown. */
KITE_API kite_error_t *kite_wasi_config_preopen_socket(kite_wasi_config_t *config, int host_fd);
/*
 * Guest stream 0, 1 or 2 uses host descriptor `host_fd` (duplicated by
 * kite_wasi_new), or is closed when host_fd is -1 (the default is the
 * host's own 0, 1 and 2).
 *
 * The guest sees a stream, as it would a pipe, whatever host_fd is (a
 * terminal, a pipe, a socket or a regular file, as with `> out.txt`): it
 * reads and writes in order and can neither move nor size it. fd_seek,
 * fd_tell, fd_pread, fd_pwrite, fd_allocate, fd_advise and
 * fd_filestat_set_times fail with ESPIPE, fd_filestat_set_size, fd_sync
 * and fd_datasync with EINVAL; its file type is "unknown" unless it is a
 * terminal or a socket, its size 0; setting FDFLAG_APPEND changes only
 * what fd_fdstat_get reports. A regular file's open file description is
 * made append-only (O_APPEND) while the WASI object lives, so the guest's
 * writes land only at the file's current end (kite_wasi_free restores the
 * flags). To give the guest the file itself, use kite_wasi_config_stdio_file.
 */
KITE_API kite_error_t *kite_wasi_config_stdio_fd(kite_wasi_config_t *config, int stream,
                                                 int host_fd);
/* Resolve guest paths component by component even where the kernel has
 * openat2 (the way taken on systems without it; for testing it on Linux).
 * Default: false. */
KITE_API void kite_wasi_config_no_openat2(kite_wasi_config_t *config, bool enabled);
/* Guest stream 0, 1 or 2 is the host file behind `host_fd` (duplicated by
 * kite_wasi_new), with the rights of its kind: the guest can seek in it,
 * read and write at any offset, truncate, grow and preallocate it and set
 * its times. Only for a file the guest may change at will. */
KITE_API kite_error_t *kite_wasi_config_stdio_file(kite_wasi_config_t *config, int stream,
                                                   int host_fd);
/* The guest's stdin reads these bytes (copied), then end of file. */
KITE_API kite_error_t *kite_wasi_config_stdin_bytes(kite_wasi_config_t *config, const void *data,
                                                    size_t len);
/* Guest stream 1 or 2 is kept in a buffer (read with kite_wasi_captured);
 * writes beyond max_bytes (0: no limit) fail with ENOSPC. */
KITE_API kite_error_t *kite_wasi_config_stdio_capture(kite_wasi_config_t *config, int stream,
                                                      size_t max_bytes);

/* Makes a WASI object from a configuration (which may be freed afterwards),
 * allocated with `engine`'s allocator; it may be defined in stores of that
 * engine. KITE_ERROR_IO when a pre-opened directory or descriptor cannot be
 * opened. */
KITE_API kite_error_t *kite_wasi_new(kite_engine_t *engine, const kite_wasi_config_t *config,
                                     kite_wasi_t **out);
KITE_API void kite_wasi_free(kite_wasi_t *wasi);
/* Defines every wasi_snapshot_preview1 function in `linker`, as host
 * functions of `store`. May be called for several stores. */
KITE_API kite_error_t *kite_wasi_define(kite_wasi_t *wasi, kite_linker_t *linker,
                                        kite_store_t *store);
/* The same, for only the functions `module` imports from
 * wasi_snapshot_preview1: quicker to start a program that uses a few. */
KITE_API kite_error_t *kite_wasi_define_imports(kite_wasi_t *wasi, kite_linker_t *linker,
                                               kite_store_t *store, const kite_module_t *module);
/* Whether the guest called proc_exit, and its code. proc_exit stops the guest
 * with a trap (KITE_TRAP_HOST); the embedder tells it from other traps here. */
KITE_API bool kite_wasi_exit_code(const kite_wasi_t *wasi, uint32_t *code);
/* What a captured stream (1 or 2) holds so far; NULL (length 0) if the
 * stream is not captured. Valid until the guest writes again. */
KITE_API const uint8_t *kite_wasi_captured(const kite_wasi_t *wasi, int stream, size_t *len);

/*
 * A shared memory for the guest's memory import (module, name), e.g. a
 * threaded program's "env" "memory": kite_wasi_define* defines it (in each
 * store) when the module imports it, and so do the instances of spawned
 * threads. The WASI object keeps its own reference. Names are copied.
 */
KITE_API kite_error_t *kite_wasi_share_memory(kite_wasi_t *wasi, const char *module,
                                              size_t module_len, const char *name,
                                              size_t name_len, kite_shared_memory_t *memory);

/*
 * wasi-threads: after kite_wasi_threads_enable, kite_wasi_define* also
 * define "wasi" "thread-spawn" (param i32) (result i32). A spawn makes a
 * new store (interrupts enabled; then the setup hook, e.g. for limits and
 * fuel), instantiates `module` in it with the WASI functions, thread-spawn
 * and the shared memories, and starts a thread that calls its export
 * wasi_thread_start(tid, arg). The result is the thread id, positive and
 * unique among running threads (at most 0x1FFFFFFF), or -1 when spawning
 * failed (out of memory, instantiation failed, no wasi_thread_start, no
 * thread). The module's code is shared, not translated again.
 *
 * The program ends at the first proc_exit or trap in any thread:
 * kite_wasi_exit_code then gives the code, kite_wasi_threads_trap the trap
 * of a spawned thread; every other store of the program (the threads', and
 * the embedder's stores given to kite_wasi_define*, whose interrupts are
 * enabled for this) is interrupted, which stops Wasm code and waits at
 * once; a thread blocked in a host call stops when it returns. When the end
 * comes from a spawned thread, on_exit (if set) is called on that thread:
 * the embedder's own thread may be blocked in a host call, and this is the
 * moment to end it (kite run ends the process after a short grace period).
 *
 * When the embedder's call of _start has returned, kite_wasi_threads_stop
 * ends the rest: it interrupts every thread and waits for them at most
 * timeout_ns (UINT64_MAX: as long as it takes); true when all are gone.
 * Call it before freeing the stores given to kite_wasi_define*;
 * kite_wasi_free stops and joins every thread itself (waiting as long as
 * it takes). The engine and module must outlive the WASI object.
 */
typedef struct kite_wasi_threads_config {
    kite_engine_t *engine;
    const kite_module_t *module;
    /* Optional: a new thread's store and linker before its instance is made;
     * an error fails the spawn (-1). */
    kite_error_t *(*setup)(void *user, kite_store_t *store, kite_linker_t *linker);
    /* Optional: a spawned thread ended the program (see above). */
    void (*on_exit)(void *user);
    void *user;
} kite_wasi_threads_config_t;
KITE_API kite_error_t *kite_wasi_threads_enable(kite_wasi_t *wasi,
                                               const kite_wasi_threads_config_t *config);
KITE_API bool kite_wasi_threads_stop(kite_wasi_t *wasi, uint64_t timeout_ns);
/* The trap of a spawned thread that ended the program (owned by the WASI
 * object), or NULL. */
KITE_API const kite_trap_t *kite_wasi_threads_trap(const kite_wasi_t *wasi);

#ifdef __cplusplus
}
#endif

#endif
