/*
 * The collector's view of the interpreter's stacks: every active frame's
 * reference slots, from the stack maps the translator recorded (code.h).
 *
 * Each frame record's pc is where the frame resumes, set whenever a
 * collection can happen below or in it: at a call (the caller's record),
 * in a host call, and on an allocation's slow path (the allocating frame).
 * So at a collection every record's pc is the end of the instruction the
 * frame is in, which is what safepoints are keyed by.
 */
#include "gc/gc.h"
#include "interp/interp.h"

static const kint_safepoint *find_safepoint(const kint_code *c, uint32_t pos)
{
    uint32_t lo = 0, hi = c->nsafepoints;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->safepoints[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nsafepoints && c->safepoints[lo].pos == pos ? &c->safepoints[lo] : NULL;
}

void kint_gc_scan_stacks(kint_thread *th, kgc_heap *h)
{
    for (const kint_frame *f = th->frames; f <= th->top; f++) {
        const kint_code *c = f->code;
        const uint64_t *fp = f->fp;
        for (uint32_t i = 0; i < c->nlocal_refs; i++)
            kgc_mark(h, (krt_ref)fp[c->refslots[i]]);
        if (!f->pc)
            continue;
        const kint_safepoint *sp = find_safepoint(c, (uint32_t)(f->pc - c->code));
        if (!sp)
            continue; /* no operand references there */
        const uint32_t *slots = c->refslots + c->nlocal_refs + sp->first;
        for (uint32_t k = 0; k < sp->count; k++)
            kgc_mark(h, (krt_ref)fp[slots[k]]);
    }
}
