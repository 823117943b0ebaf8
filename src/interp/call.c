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

kint_exec_fn *kint_executor = kint_exec_call;

kite_trap_t *kint_call(kite_store_t *store, krt_func *f, uint64_t *slots)
{
    if (f->host)
        return kint_host_call(store, f, slots, NULL);
    return kint_executor(store, f, slots);
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

/*
 * Arguments and results travel as kite_val_t arrays (on the C stack for
 * the usual few). The callback runs outside the Wasm execution context, so
 * a fault in host code is never taken for a Wasm memory fault.
 */
kite_trap_t *kint_host_call(kite_store_t *store, krt_func *f, uint64_t *slots, krt_instance *caller)
{
    kite_val_t small[16];
    size_t n = (size_t)f->nparams + f->nresults;
    kite_val_t *args = small;
    if (n > sizeof(small) / sizeof(small[0])) {
        args = kutil_malloc(store->alloc, n * sizeof(kite_val_t));
        if (!args)
            return krt_trap_oom();
    }
    kite_val_t *results = args + f->nparams;
    uint32_t s = 0;
    for (uint32_t i = 0; i < f->nparams; i++) {
        args[i] = krt_val_from_slots(f->params[i], slots + s);
        s += krt_slots(f->params[i]);
    }
    for (uint32_t i = 0; i < f->nresults; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].kind = valkind_of(f->results[i]);
    }
    struct kite_caller c = {store, caller};
    host_roots roots = {{NULL, scan_host_vals}, args, n};
    krt_roots_push(store, &roots.roots);
    kos_exec *saved = kos_exec_pause();
    kite_trap_t *trap = f->host(f->env, &c, args, results);
    kos_exec_resume(saved);
    krt_roots_pop(store, &roots.roots);
    if (!trap) {
        s = 0;
        for (uint32_t i = 0; i < f->nresults; i++) {
            if (results[i].kind != valkind_of(f->results[i])) {
                trap = kite_trap_new(store, "host function returned a value of the wrong type");
                break;
            }
            krt_val_to_slots(&results[i], slots + s);
            s += krt_slots(f->results[i]);
        }
    }
    if (args != small)
        kutil_free(store->alloc, args);
    return trap;
}
