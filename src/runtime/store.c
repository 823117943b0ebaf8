/*
 * Stores: the owner of everything instantiated or made by the host, limits
 * and fuel.
 */
#include "gc/gc.h"
#include "runtime/objects.h"
#include "util/alloc.h"

/* A budget limit of 0 in kite_store_limits_t means "none". */
static uint64_t limit_or_none(uint64_t limit) { return limit ? limit : UINT64_MAX; }

kite_store_t *kite_store_new(kite_engine_t *engine)
{
    if (!engine)
        return NULL;
    kite_store_t *s = kite_calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->engine = engine;
    atomic_init(&s->interrupt_requested, false);
    krt_budget_init(&s->memory_budget, UINT64_MAX);
    krt_budget_init(&s->table_budget, UINT64_MAX);
    s->gc = kgc_heap_new(s, engine->canon);
    if (!s->gc) {
        kite_free(s);
        return NULL;
    }
    return s;
}

/*
 * The owned list is pushed at the front, so walking it destroys objects in
 * the reverse order of their creation: an instance goes before the host
 * functions and memories it imported (destroying one never touches another,
 * but host finalizers then run after every user of their function is gone).
 */
void kite_store_free(kite_store_t *store)
{
    if (!store)
        return;
    kint_thread_free(store->thread);
    krt_owned *o = store->owned;
    while (o) {
        krt_owned *next = o->next;
        o->destroy(o);
        o = next;
    }
    /* Last: nothing destroyed above reads GC objects. */
    kgc_heap_free(store->gc);
    kite_free(store);
}

void krt_store_own(kite_store_t *store, krt_owned *o)
{
    o->next = store->owned;
    store->owned = o;
}

void kite_store_set_limits(kite_store_t *store, const kite_store_limits_t *limits)
{
    store->limits = *limits;
    store->memory_budget.limit = limit_or_none(limits->memory_bytes);
    store->table_budget.limit = limit_or_none(limits->table_elements);
    kgc_heap_set_limit(store->gc, limits->gc_heap_bytes);
}

void kite_store_set_fuel(kite_store_t *store, uint64_t fuel)
{
    store->fuel_enabled = fuel != 0;
    store->fuel = fuel;
}

uint64_t kite_store_fuel(const kite_store_t *store) { return store->fuel; }

void kite_store_enable_interrupts(kite_store_t *store) { store->interrupts_enabled = true; }

/* A lock-free atomic store: safe from other threads and signal handlers. */
void kite_store_interrupt(kite_store_t *store)
{
    atomic_store_explicit(&store->interrupt_requested, true, memory_order_relaxed);
}
