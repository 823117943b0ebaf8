/* Engines, and calls into Wasm through the engine's execution tier. */
#include "runtime/engine.h"
#include "util/alloc.h"

kite_engine_t *krt_engine_new(const kite_config_t *config, const krt_hooks *hooks)
{
    kite_engine_t *e = kite_calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    if (config)
        e->config = *config;
    else
        kir_config_defaults(&e->config);
    e->hooks = hooks;
    e->canon = ktype_canon_new();
    if (!e->canon) {
        kite_free(e);
        return NULL;
    }
    return e;
}

void kite_engine_free(kite_engine_t *engine)
{
    if (!engine)
        return;
    ktype_canon_free(engine->canon);
    kite_free(engine);
}

kite_trap_t *krt_call(kite_store_t *store, krt_func *f, uint64_t *slots)
{
    return store->engine->hooks->call(store, f, slots);
}
