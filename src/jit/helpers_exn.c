/*
 * Exceptions raised in compiled code and their unwinding through the
 * compiled frames of one entry (codegen_exn.c describes the scheme).
 */
#include <string.h>

#include "binary/reader.h"
#include "gc/gc.h"
#include "jit/helpers.h"
#include "jit/jit.h"

/* The exception leaves the instruction at pos: fuel (throw costs 1, as in
 * the interpreter), then KINT_RUN_EXN. */
static int raise_at(kint_thread *th, krt_exn *exn, uint32_t pos)
{
    kite_trap_kind_t stop;
    if (th->checks && !krt_store_check(th->store, 1, &stop)) {
        th->trap_kind = stop;
        th->trap_pos = pos;
        return KINT_RUN_TRAP;
    }
    th->exn = exn;
    return KINT_RUN_EXN;
}

int kjit_h_throw(kint_thread *th, uint64_t *fp, uint32_t tag, uint32_t base, uint32_t pos)
{
    kint_instance *ki = th->top->ki;
    krt_exn *exn = kgc_exn_new(ki->heap, ki->inst->tags[tag], fp + base);
    if (!exn) {
        th->trap_kind = KITE_TRAP_GC_HEAP_EXHAUSTED;
        th->trap_pos = pos;
        return KINT_RUN_TRAP;
    }
    return raise_at(th, exn, pos);
}

int kjit_h_throw_ref(kint_thread *th, uint64_t *fp, uint32_t src, uint32_t pos)
{
    if (!fp[src]) {
        th->trap_kind = KITE_TRAP_NULL_EXCEPTION_REFERENCE;
        th->trap_pos = pos;
        return KINT_RUN_TRAP;
    }
    return raise_at(th, (krt_exn *)(uintptr_t)fp[src], pos);
}

/* The landing pad of compiled code n for the handler at code position pos. */
static const void *landing(const kint_native *n, uint32_t pos)
{
    uint32_t lo = 0, hi = n->ncatch;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (n->catches[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n->ncatch && n->catches[lo].pos == pos ? n->catches[lo].entry : NULL;
}

const void *kjit_h_unwind(kint_thread *th)
{
    kint_frame *base;
    memcpy(&base, (const char *)th->native_sp + KJIT_ENTRY_BASE_OFFSET, sizeof(base));
    krt_exn *exn = th->exn;
    for (kint_frame *rec = th->top; rec > base; rec--) {
        const kint_code *c = rec->code;
        if (!c->nhandlers || !rec->pc)
            continue;
        uint32_t pos = (uint32_t)(rec->pc - c->code) - 1; /* in the call or throw */
        const kint_catch *k = kint_find_catch(c, pos, exn, rec->ki->inst);
        if (!k)
            continue;
        const kint_native *n = atomic_load_explicit(&c->native, memory_order_acquire);
        const void *at = n ? landing(n, k->target) : NULL;
        if (!at)
            continue; /* (cannot happen: every catch target has a pad) */
        if (k->kind == KDEC_CATCH || k->kind == KDEC_CATCH_REF)
            memcpy(rec->fp + k->dst, exn->slots, (size_t)exn->nslots * sizeof(uint64_t));
        if (k->ref_slot != UINT32_MAX)
            rec->fp[k->ref_slot] = (uint64_t)krt_ref_from_obj(exn);
        th->top = rec;
        th->exn = NULL;
        return at;
    }
    th->top = base;
    return NULL;
}
