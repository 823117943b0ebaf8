/* Engines, and calls into Wasm through the engine's execution tier. */
#include "runtime/engine.h"
#include "util/alloc.h"

kite_engine_t *krt_engine_new(const kite_config_t *config, const krt_hooks *hooks)
{
    struct kite_config c;
    if (config)
        c = *config;
    else
        kir_config_defaults(&c);
    kite_engine_t *e = kutil_calloc(&c.alloc, 1, sizeof(*e));
    if (!e)
        return NULL;
    e->config = c;
    e->hooks = hooks;
    e->canon = ktype_canon_new(&e->config.alloc);
    if (!e->canon) {
        kutil_free(&c.alloc, e);
        return NULL;
    }
    return e;
}

void kite_engine_free(kite_engine_t *engine)
{
    if (!engine)
        return;
    kite_allocator_t a = engine->config.alloc;
    ktype_canon_free(engine->canon);
    kutil_free(&a, engine);
}

kite_allocator_t kite_engine_allocator(const kite_engine_t *engine) { return engine->config.alloc; }

kite_trap_t *krt_call(kite_store_t *store, krt_func *f, uint64_t *slots)
{
    return store->engine->hooks->call(store, f, slots);
}
