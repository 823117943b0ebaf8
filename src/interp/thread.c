/*
 * The interpreter's run-time state: a store's stacks, per-instance caches
 * and the per-function code cells (translation on first use).
 */
#include <string.h>

#include "gc/gc.h"
#include "interp/interp.h"
#include "runtime/engine.h"
#include "util/alloc.h"

/* ---- stacks ------------------------------------------------------------------------------- */

/*
 * The stacks are allocated at their full size on first use; large
 * allocations are mapped lazily by the system allocator, so only the part
 * actually used costs memory.
 */
kint_thread *kint_thread_get(kite_store_t *store)
{
    if (store->thread)
        return store->thread;
    uint64_t slots = store->limits.stack_slots ? store->limits.stack_slots : KINT_DEFAULT_STACK_SLOTS;
    uint64_t depth = store->limits.call_depth ? store->limits.call_depth : KINT_DEFAULT_CALL_DEPTH;
    kint_thread *th = kutil_calloc(store->alloc, 1, sizeof(*th));
    if (!th)
        return NULL;
    th->stack = kutil_malloc(store->alloc, (size_t)slots * sizeof(uint64_t));
    th->frames = kutil_malloc(store->alloc, (size_t)depth * sizeof(kint_frame));
    if (!th->stack || !th->frames) {
        kutil_free(store->alloc, th->stack);
        kutil_free(store->alloc, th->frames);
        kutil_free(store->alloc, th);
        return NULL;
    }
    th->store = store;
    th->tier_up = store->engine->tier_up;
    th->hot = store->engine->config.tier_threshold ? store->engine->config.tier_threshold - 1 : KINT_HOT;
    th->stack_end = th->stack + slots;
    th->frames_end = th->frames + depth;
    th->sp = th->stack;
    th->top = th->frames - 1;
    store->thread = th;
    store->gc->scan_stacks = kint_gc_scan_stacks;
    return th;
}

void kint_thread_free(kint_thread *t)
{
    if (!t)
        return;
    const kite_allocator_t *a = t->store->alloc;
    kutil_free(a, t->stack);
    kutil_free(a, t->frames);
    kint_tr_keep_free(a, t->tr_keep);
    kutil_free(a, t);
}

/* ---- instances ------------------------------------------------------------------------------- */

static void instance_destroy(krt_owned *o, kite_store_t *store)
{
    kint_instance *ki = (kint_instance *)((char *)o - offsetof(kint_instance, owned));
    kutil_free(store->alloc, ki->globals);
    kutil_free(store->alloc, ki->mems);
    kutil_free(store->alloc, ki->tables);
    kutil_free(store->alloc, ki->rtts);
    kutil_free(store->alloc, ki);
}

/* Whether memory 0 of inst has the shape variant 0 can leave unchecked but
 * did not get the guarded layout. */
static bool needs_checked_variant(const krt_instance *inst)
{
    const kir_module *m = inst->m;
    if (!m->nmemories)
        return false;
    const kir_memory *mem = &m->memories[0];
    return !mem->limits.is64 && mem->page_size_log2 == 16 && inst->memories[0]->mem->needs_bounds_checks;
}

kint_instance *kint_instance_get(krt_instance *inst)
{
    if (inst->kint)
        return inst->kint;
    const kir_module *m = inst->m;
    const kite_store_t *store = inst->store;
    kint_instance *ki = kutil_calloc(store->alloc, 1, sizeof(*ki));
    if (!ki)
        return NULL;
    ki->inst = inst;
    ki->nfuncs = m->nfuncs;
    ki->canon = inst->module->engine->canon;
    ki->heap = inst->store->gc;
    ki->globals = kutil_calloc(store->alloc, m->nglobals ? m->nglobals : 1, sizeof(uint64_t *));
    ki->mems = kutil_calloc(store->alloc, m->nmemories ? m->nmemories : 1, sizeof(krt_memory *));
    ki->tables = kutil_calloc(store->alloc, m->ntables ? m->ntables : 1, sizeof(krt_table *));
    ki->rtts = kutil_calloc(store->alloc, m->ntypes ? m->ntypes : 1, sizeof(*ki->rtts));
    ki->variant = needs_checked_variant(inst) ? KINT_VARIANT_CHECKED : KINT_VARIANT_GUARDED;
    bool ok = ki->globals && ki->mems && ki->tables && ki->rtts;
    /* The layouts of the module's struct and array types (the RTTs belong
     * to the store's heap). */
    for (uint32_t i = 0; ok && i < m->ntypes; i++)
        if (m->types[i].comp != KIR_COMP_FUNC && !(ki->rtts[i] = kgc_rtt_get(inst->store->gc, m->canon[i])))
            ok = false;
    if (!ok) {
        kutil_free(store->alloc, ki->globals);
        kutil_free(store->alloc, ki->mems);
        kutil_free(store->alloc, ki->tables);
        kutil_free(store->alloc, ki->rtts);
        kutil_free(store->alloc, ki);
        return NULL;
    }
    ki->cells = inst->module->code + (size_t)ki->variant * m->nfuncs;
    for (uint32_t i = 0; i < m->nglobals; i++)
        ki->globals[i] = inst->globals[i]->value;
    for (uint32_t i = 0; i < m->nmemories; i++)
        ki->mems[i] = inst->memories[i]->mem;
    for (uint32_t i = 0; i < m->ntables; i++)
        ki->tables[i] = inst->tables[i]->table;
    ki->mem0 = m->nmemories ? ki->mems[0]->base : NULL;
    ki->owned.destroy = instance_destroy;
    krt_store_own(inst->store, &ki->owned);
    inst->kint = ki;
    return ki;
}

/* ---- code ------------------------------------------------------------------------------------- */

/*
 * Translation happens outside any lock: threads sharing a module may both
 * translate a function, and the first to publish wins (the other frees its
 * copy). Publication is a release store, so a thread that loads the pointer
 * (acquire) sees the finished code.
 */
kint_code *kint_code_get(kint_instance *ki, uint32_t funcidx, const void *const *labels, kint_thread *th)
{
    _Atomic(kint_code *) *cell = &ki->cells[funcidx];
    kint_code *c = atomic_load_explicit(cell, memory_order_acquire);
    if (c)
        return c;
    c = kint_translate(ki->inst->module, funcidx, ki->variant, ki->cells, ki->rtts, labels,
                       th ? &th->tr_keep : NULL);
    if (!c)
        return NULL;
    kint_code *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(cell, &expected, c, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        kint_code_free(ki->inst->store->alloc, c);
        c = expected;
    }
    return c;
}
