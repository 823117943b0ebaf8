/*
 * Store lifetime in kite.h. A store is the runtime's (src/runtime/store.c),
 * plus the GC heap (src/gc/) and the interpreter's stacks (src/interp/),
 * which sit above the runtime: this layer puts them together and takes them
 * apart in order.
 */
#include "gc/gc.h"
#include "interp/interp.h"
#include "runtime/objects.h"

kite_store_t *kite_store_new(kite_engine_t *engine)
{
    if (!engine)
        return NULL;
    kite_store_t *s = krt_store_new(engine);
    if (!s)
        return NULL;
    s->gc = kgc_heap_new(s, engine->canon);
    if (!s->gc) {
        krt_store_free(s);
        return NULL;
    }
    return s;
}

void kite_store_free(kite_store_t *store)
{
    if (!store)
        return;
    kint_thread_free(store->thread);
    krt_store_destroy_objects(store);
    /* Last: nothing destroyed above reads GC objects. */
    kgc_heap_free(store->gc);
    krt_store_free(store);
}

void kite_store_set_limits(kite_store_t *store, const kite_store_limits_t *limits)
{
    krt_store_set_limits(store, limits);
    kgc_heap_set_limit(store->gc, limits->gc_heap_bytes);
}
