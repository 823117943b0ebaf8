/*
 * The interpreter's internal interface: the translator (validated code ->
 * internal code, code.h), the executor, and the run-time state they share:
 * per-store stacks (kint_thread), per-instance caches (kint_instance) and
 * frame records (kint_frame).
 */
#ifndef KITE_INTERP_INTERP_H
#define KITE_INTERP_INTERP_H

#include <stdatomic.h>
#include <stdint.h>

#include "interp/code.h"
#include "runtime/runtime.h"
#include "types/canon.h"

/* Defaults for the store limits kite_store_limits_t.stack_slots / call_depth. */
#define KINT_DEFAULT_STACK_SLOTS (UINT32_C(1) << 20)
#define KINT_DEFAULT_CALL_DEPTH UINT32_C(100000)
/*
 * Entries into Wasm nest (Wasm -> host -> Wasm ...), each taking C stack
 * (the executor's loop, the host call, the host function): an entry needs
 * the store's c_stack_margin of C stack left, this much by default. The
 * sanitizers multiply frame sizes, so their builds keep more. Where the
 * stack's bounds are unknown, at most KINT_MAX_NESTING entries nest.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define KINT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define KINT_SANITIZED 1
#endif
#endif
#if defined(KINT_SANITIZED)
/* ASan frames are several times larger: one Wasm -> host -> Wasm entry
 * takes about 400 KiB of C stack in the sanitizer build (measured with
 * tests/fuzz/regressions/v8/host-reentry-unbounded.wat). */
#define KINT_DEFAULT_C_STACK_MARGIN (UINT32_C(1) << 20)
#else
#define KINT_DEFAULT_C_STACK_MARGIN (UINT32_C(32) << 10)
#endif
#define KINT_MAX_NESTING 256u
/* Native stack left below compiled code's limit for the C code it calls
 * (helpers, host functions, a nested interpreter) and a signal handler
 * without an alternate stack: at least this, and at least the store's
 * c_stack_margin (kint_native_stack_reserve). */
#define KINT_NATIVE_STACK_RESERVE ((size_t)256 * 1024)
/* A function whose frame would be larger than this many slots is translated
 * to code that traps with "call stack exhausted" when called. */
#define KINT_MAX_FRAME_SLOTS (UINT32_C(1) << 26)

/*
 * Code variants. Variant 0 accesses memory 0 (when it is a 32-bit memory
 * with 64 KiB pages) without bounds checks, relying on the guarded
 * reservation; variant 1 checks every access. An instance whose memory 0 did
 * get the guarded layout runs variant 0, otherwise variant 1; either is
 * translated once per module and shared by all its instances (every thread
 * of a wasi-threads program) through kite_module.code.
 */
enum { KINT_VARIANT_GUARDED = 0, KINT_VARIANT_CHECKED = 1 };
_Static_assert(KINT_VARIANT_CHECKED < KRT_CODE_VARIANTS, "a code cell per variant");

/*
 * A cast target in one 32-bit operand: the heap type (an abstract code, or
 * a canonical id when KINT_CAST_CONCRETE) and whether null passes.
 */
#define KINT_CAST_HEAP 0x00FFFFFFu
#define KINT_CAST_CONCRETE 0x40000000u
#define KINT_CAST_NULLABLE 0x80000000u

/* The interpreter's view of an instance, made on the first call into it. */
typedef struct kint_instance {
    krt_owned owned;
    krt_instance *inst;
    const ktype_canon *canon;         /* the engine's canonical types */
    uint8_t *mem0;                    /* base of memory 0, or NULL */
    _Atomic(kint_code *) *cells;      /* translated code per function index */
    uint64_t **globals;               /* each global's value */
    krt_memory **mems;
    krt_table **tables;
    const struct kgc_rtt **rtts;      /* per type index: struct/array layouts, else NULL */
    struct kgc_heap *heap;            /* the store's GC heap */
    unsigned variant;
    uint32_t nfuncs;
} kint_instance;

/*
 * A frame record. The executor keeps one per active Wasm frame on the
 * thread's record stack; `pc` is where the frame resumes (set when it makes
 * a call). Records are in memory, so a fault can still walk them.
 */
typedef struct kint_frame {
    const kint_word *pc;
    uint64_t *fp;
    const kint_code *code;
    kint_instance *ki;
    /* Compiled code of a function with exception handlers: its native
     * stack pointer after the prologue, where a caught exception resumes
     * it (docs/JIT.md). Not kept for other frames. */
    uintptr_t nsp;
} kint_frame;

/* A store's execution stacks, made on its first call into Wasm. */
struct kint_thread {
    kite_store_t *store;
    uint64_t *stack, *stack_end;   /* value slots */
    kint_frame *frames, *frames_end;
    uint64_t *sp;                  /* first free slot: where a nested entry starts */
    kint_frame *top;               /* innermost record in use, or frames - 1 */
    uint32_t nesting;              /* entries in progress */
    struct kint_tr_keep *tr_keep;  /* translator buffers (made on first use) */
    /* Compiled code (src/jit, docs/JIT.md) reaches these through a fixed
     * register; a run that did not end with KINT_RUN_OK leaves its outcome
     * in the last four. */
    uintptr_t native_sp;           /* stack pointer of the innermost entry into compiled code */
    uintptr_t native_limit;        /* compiled code traps "call stack exhausted" below this */
    uint32_t checks;               /* fuel or interrupts are on (krt_store_checks) */
    /* tier auto: compiles a function that became hot (the engine's hook) */
    void (*tier_up)(struct kint_thread *th, struct kint_instance *ki, struct kint_code *code);
    uint32_t hot;                  /* ... after this many calls and loop iterations (KINT_HOT) */
    uint32_t trap_kind, trap_pos;  /* KINT_RUN_TRAP: kind, and code position in th->top's frame */
    const char *trap_detail;       /* KINT_RUN_TRAP: a message instead of the kind's, or NULL */
    kite_trap_t *trap_obj;         /* KINT_RUN_TRAP_OBJ: a host function's trap (at trap_pos) */
    krt_exn *exn;                  /* KINT_RUN_EXN: the exception leaving the run */
};
typedef struct kint_thread kint_thread;

/*
 * How a run of Wasm code ended, in either tier. On anything but OK the
 * outcome is in the thread (trap_kind and trap_pos, trap_obj or exn), and
 * th->top is the innermost frame's record, so that the whole backtrace can
 * be read from the records.
 */
enum { KINT_RUN_OK = 0, KINT_RUN_TRAP = 1, KINT_RUN_TRAP_OBJ = 2, KINT_RUN_EXN = 3 };

/* ---- thread.c: state ---------------------------------------------------------------- */

/* The store's stacks (made on first use); NULL when out of memory. */
kint_thread *kint_thread_get(kite_store_t *store);
/* The instance's cache (made on first use); NULL when out of memory. */
kint_instance *kint_instance_get(krt_instance *inst);
/* The code of defined function `funcidx` of ki's instance, translated on
 * first use (with th's translator buffers; th may be NULL) and published
 * for every later caller; `labels` are the executor's handler addresses
 * (NULL: keep op numbers). NULL when out of memory. */
kint_code *kint_code_get(kint_instance *ki, uint32_t funcidx, const void *const *labels, kint_thread *th);

/* The store's stacks and translator buffers, freed with the store. NULL is ignored. */
void kint_thread_free(kint_thread *t);
/* Marks the references in the frames of a store's Wasm stacks: installed in
 * the store's GC heap (kgc_heap.scan_stacks) when the stacks are made, so
 * the collector does not depend on the interpreter. */
void kint_gc_scan_stacks(kint_thread *th, struct kgc_heap *h);

/* ---- translate.c ------------------------------------------------------------------------ */

/* Frees one function's translated code, made with the module's engine's
 * allocator a (krt_hooks.code_free). NULL is ignored. */
void kint_code_free(const kite_allocator_t *a, kint_code *code);

/* The translator's working buffers, kept by a thread between translations
 * so that translating a function allocates little more than its result. */
typedef struct kint_tr_keep kint_tr_keep;
void kint_tr_keep_free(const kite_allocator_t *a, kint_tr_keep *keep);

/*
 * Translates defined function `funcidx` of a validated module into internal
 * code of `variant`; direct calls refer to the code cells `cells` (indexed
 * by function index), GC instructions take field offsets from `rtts` (per
 * type index, NULL for function types). `keep` (may be NULL) holds buffers
 * to reuse, made on first use; only one thread may use it at a time. NULL
 * when out of memory (or when an op was emitted against its layout, a
 * translator bug that must not produce code).
 */
kint_code *kint_translate(const kite_module_t *module, uint32_t funcidx, unsigned variant,
                          _Atomic(kint_code *) *cells, const struct kgc_rtt *const *rtts,
                          const void *const *labels, kint_tr_keep **keep);

/* ---- trap.c ------------------------------------------------------------------------------ */

/* The Wasm byte offset of the instruction holding code position pos. */
uint64_t kint_wasm_offset(const kint_code *code, uint32_t pos);
/*
 * Adds the backtrace of records [entry, top] to trap (innermost first):
 * the innermost frame at code position inner_pos (UINT32_MAX: unknown, as
 * after a memory fault), the others at their calls.
 */
void kint_trap_backtrace(kite_trap_t *trap, const kint_frame *entry, const kint_frame *top,
                         uint32_t inner_pos);

/* ---- exceptions.c ------------------------------------------------------------------------ */

/* The handler clause of `code` that catches exn thrown at position pos, or NULL. */
const kint_catch *kint_find_catch(const kint_code *code, uint32_t pos, const krt_exn *exn,
                                  const krt_instance *inst);

/* ---- call.c ------------------------------------------------------------------------------ */

/* krt_call of an engine whose tier is the interpreter (krt_hooks.call). */
kite_trap_t *kint_call(kite_store_t *store, krt_func *f, uint64_t *slots);
/* Whether the calling thread has C stack enough to enter Wasm once more
 * (see KINT_DEFAULT_C_STACK_MARGIN). */
bool kint_c_stack_ok(const kint_thread *th);
/* The C stack an entry into Wasm needs left (the store's c_stack_margin or
 * the build's default), and what compiled code leaves below its limit. */
size_t kint_c_stack_margin(const kite_store_t *store);
size_t kint_native_stack_reserve(const kite_store_t *store);

/* Calls host function f with its arguments in slots (results written back
 * there), outside the Wasm execution context. `caller` may be NULL. */
kite_trap_t *kint_host_call(kite_store_t *store, krt_func *f, uint64_t *slots,
                            krt_instance *caller);

/* ---- exec.c ------------------------------------------------------------------------------ */

/* Runs Wasm function f (not a host function), as krt_call. exec.c is its
 * only definition in the library; the switch-dispatch test links its own
 * build of exec.c, whose definition then replaces the library's. */
kite_trap_t *kint_exec_call(kite_store_t *store, krt_func *f, uint64_t *slots);
/*
 * Interprets the frame of `code` at fp (its parameters in place) as a new
 * frame record above th->top, until it returns: a KINT_RUN_ status (see
 * above; th->top is back where it was on KINT_RUN_OK). How compiled code
 * calls a function that is not compiled.
 */
int kint_run_frame(kint_thread *th, uint64_t *fp, const kint_code *code, kint_instance *ki);
/* Tier auto: calls and loop iterations a function runs interpreted before
 * it is compiled, unless the configuration says otherwise. */
#define KINT_HOT 1000u
/* Counts one call or loop iteration of code; once it is hot, compiles it
 * (th->tier_up, once). Its compiled code, or NULL. */
const kint_native *kint_hot(kint_thread *th, kint_instance *ki, const kint_code *code);
/* The native entry of compiled code n at loop header pos, or NULL. */
const void *kint_osr_entry(const kint_native *n, uint32_t pos);
/* The executor's handler addresses, by op: what the code words of
 * translated code hold (NULL with switch dispatch, where they are op
 * numbers). */
const void *const *kint_handlers(void);

#endif
