/*
 * Entering and leaving Wasm: kint_call (behind krt_call, the runtime's and
 * API's way into the interpreter) and calls of host functions (from Wasm or
 * from krt_call).
 */
#include <string.h>

#include "gc/gc.h"
#include "interp/interp.h"
#include "runtime/os/os.h"
#include "util/alloc.h"

/*
 * The stack's bounds come from the OS layer (cached per thread there: a
 * store may move between threads, and asking the system can be slow). A
 * frame outside them is on a stack of the embedder's making (a coroutine):
 * then entries are counted, as nothing better is known.
 */
bool kint_c_stack_ok(const kint_thread *th)
{
    uintptr_t lo, hi, here = KOS_STACK_HERE();
    if (kos_stack_bounds(&lo, &hi) != 0 || here <= lo || here > hi)
        return th->nesting < KINT_MAX_NESTING;
    return here - lo >= kint_c_stack_margin(th->store);
}

size_t kint_c_stack_margin(const kite_store_t *store)
{
    uint32_t margin = store->limits.c_stack_margin;
    return margin ? margin : KINT_DEFAULT_C_STACK_MARGIN;
}

size_t kint_native_stack_reserve(const kite_store_t *store)
{
    size_t margin = kint_c_stack_margin(store);
    return margin > KINT_NATIVE_STACK_RESERVE ? margin : KINT_NATIVE_STACK_RESERVE;
}

kite_trap_t *kint_call(kite_store_t *store, krt_func *f, uint64_t *slots)
{
    if (f->host)
        return kint_host_call(store, f, slots, NULL);
    return kint_exec_call(store, f, slots);
}

static kite_valkind_t valkind_of(kir_valtype t)
{
    switch (kir_vt_kind(t)) {
    case KIR_I32: return KITE_I32;
    case KIR_I64: return KITE_I64;
    case KIR_F32: return KITE_F32;
    case KIR_F64: return KITE_F64;
    case KIR_V128: return KITE_V128;
    default: return KITE_REF;
    }
}

/* A host function's arguments and results, GC roots while it runs (it may
 * allocate, or call Wasm, and still use them). */
typedef struct host_roots {
    krt_roots roots; /* first */
    const kite_val_t *vals;
    size_t n;
} host_roots;

static void scan_host_vals(const krt_roots *r, krt_marker *m)
{
    const host_roots *hr = (const host_roots *)(const void *)r;
    for (size_t i = 0; i < hr->n; i++)
        if (hr->vals[i].kind == KITE_REF)
            m->mark(m, (krt_ref)hr->vals[i].of.ref);
}

/* Value-stack slots a kite_val_t takes when put there. */
#define VAL_SLOTS ((sizeof(kite_val_t) + sizeof(uint64_t) - 1) / sizeof(uint64_t))
_Static_assert(_Alignof(kite_val_t) <= _Alignof(uint64_t), "kite_val_t fits slot alignment");

/* The call itself, with room for the arguments and results in `vals`. */
static kite_trap_t *host_call_with(kite_store_t *store, krt_func *f, uint64_t *slots,
                                   krt_instance *caller, kite_val_t *vals)
{
    size_t n = (size_t)f->nparams + f->nresults;
    kite_val_t *results = vals + f->nparams;
    uint32_t s = 0;
    for (uint32_t i = 0; i < f->nparams; i++) {
        vals[i] = krt_val_from_slots(f->params[i], slots + s);
        s += krt_slots(f->params[i]);
    }
    for (uint32_t i = 0; i < f->nresults; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].kind = valkind_of(f->results[i]);
    }
    struct kite_caller c = {store, caller};
    host_roots roots = {{NULL, scan_host_vals}, vals, n};
    krt_roots_push(store, &roots.roots);
    kos_exec *saved = kos_exec_pause();
    kite_trap_t *trap = f->host(f->env, &c, vals, results);
    kos_exec_resume(saved);
    krt_roots_pop(store, &roots.roots);
    if (!trap) {
        s = 0;
        for (uint32_t i = 0; i < f->nresults; i++) {
            if (results[i].kind != valkind_of(f->results[i]))
                return kite_trap_new(store, "host function returned a value of the wrong type");
            krt_val_to_slots(&results[i], slots + s);
            s += krt_slots(f->results[i]);
        }
    }
    return trap;
}

/*
 * Arguments and results travel as kite_val_t arrays, put on the store's
 * Wasm value stack above the calling frame (th->sp moves past them, so a
 * nested entry into Wasm starts above), not on the C stack: this path is
 * taken once per level of Wasm -> host -> Wasm nesting, whose C stack use
 * is to stay small. A call with no value stack yet (from the host API) or
 * with it full uses the heap. The callback runs outside the Wasm execution
 * context, so a fault in host code is never taken for a Wasm memory fault.
 */
kite_trap_t *kint_host_call(kite_store_t *store, krt_func *f, uint64_t *slots, krt_instance *caller)
{
    size_t n = (size_t)f->nparams + f->nresults;
    kint_thread *th = store->thread;
    if (th && (size_t)(th->stack_end - th->sp) / VAL_SLOTS >= n) {
        uint64_t *sp = th->sp;
        th->sp += n * VAL_SLOTS;
        kite_trap_t *trap = host_call_with(store, f, slots, caller, (kite_val_t *)(void *)sp);
        th->sp = sp;
        return trap;
    }
    kite_val_t *vals = kutil_malloc(store->alloc, n ? n * sizeof(kite_val_t) : 1);
    if (!vals)
        return krt_trap_oom();
    kite_trap_t *trap = host_call_with(store, f, slots, caller, vals);
    kutil_free(store->alloc, vals);
    return trap;
}
