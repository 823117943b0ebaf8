/*
 * Function, global, tag, memory and table objects. Those the host makes
 * are allocated one by one and registered with the store; those an
 * instance defines live in the instance's arrays and are set up with the
 * *_init helpers here. (Host references and exceptions are GC objects:
 * src/gc/.)
 */
#include <stddef.h>
#include <string.h>

#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static uint32_t count_slots(const kir_valtype *types, uint32_t n)
{
    uint32_t slots = 0;
    for (uint32_t i = 0; i < n; i++)
        slots += krt_slots(types[i]);
    return slots;
}

/* ---- functions ----------------------------------------------------------------------- */

/* A Wasm function of `inst`: its types are the canonical function type's. */
void krt_func_init_wasm(krt_func *f, krt_instance *inst, uint32_t index)
{
    const kir_module *m = inst->m;
    uint32_t canon = m->canon[m->funcs[index].type];
    const ktype_ctype *ct = ktype_canon_type(inst->store->engine->canon, canon);
    memset(f, 0, sizeof(*f));
    f->hdr.kind = KRT_OBJ_FUNC;
    f->hdr.canon = canon;
    f->instance = inst;
    f->store = inst->store;
    f->index = index;
    f->nparams = ct->nparams;
    f->nresults = ct->nresults;
    f->params = ct->types;
    f->results = ct->types + ct->nparams;
    f->param_slots = count_slots(f->params, f->nparams);
    f->result_slots = count_slots(f->results, f->nresults);
}

static void destroy_host_func(krt_owned *o, kite_store_t *s)
{
    krt_func *f = CONTAINER(o, krt_func, owned);
    if (f->finalize)
        f->finalize(f->env);
    kutil_free(s->alloc, f);
}

kite_error_t *krt_host_func_new(kite_store_t *s, const kir_valtype *params, uint32_t nparams,
                                const kir_valtype *results, uint32_t nresults,
                                kite_host_func_t callback, void *env, void (*finalize)(void *),
                                krt_func **out)
{
    *out = NULL;
    if (!callback)
        return kutil_error_new(s->alloc, KITE_ERROR_ARGUMENT, "a host function needs a callback");
    uint32_t canon;
    kite_error_t *err =
        ktype_canon_func(s->engine->canon, params, nparams, results, nresults, &canon);
    if (err)
        return err;
    /* The registry keeps the canonical type's value types for as long as
     * the engine lives, so the function can point at them. */
    const ktype_ctype *ct = ktype_canon_type(s->engine->canon, canon);
    krt_func *f = kutil_calloc(s->alloc, 1, sizeof(*f));
    if (!f)
        return kutil_error_oom();
    f->hdr.kind = KRT_OBJ_FUNC;
    f->hdr.canon = canon;
    f->nparams = nparams;
    f->nresults = nresults;
    f->params = ct->types;
    f->results = ct->types + nparams;
    f->param_slots = count_slots(f->params, nparams);
    f->result_slots = count_slots(f->results, nresults);
    f->index = UINT32_MAX;
    f->host = callback;
    f->env = env;
    f->finalize = finalize;
    f->store = s;
    f->owned.destroy = destroy_host_func;
    krt_store_own(s, &f->owned);
    *out = f;
    return NULL;
}

/* ---- globals and tags ---------------------------------------------------------------- */

static void destroy_global(krt_owned *o, kite_store_t *s)
{
    kutil_free(s->alloc, CONTAINER(o, struct kite_global, owned));
}

kite_error_t *krt_global_new(kite_store_t *s, kir_valtype type, bool mutable_,
                             const uint64_t value[2], struct kite_global **out)
{
    *out = NULL;
    struct kite_global *g = kutil_calloc(s->alloc, 1, sizeof(*g));
    if (!g)
        return kutil_error_oom();
    g->alloc = s->alloc;
    g->store = s;
    g->type = type;
    g->mutable_ = mutable_;
    g->value[0] = value[0];
    g->value[1] = value[1];
    g->owned.destroy = destroy_global;
    krt_store_own(s, &g->owned);
    /* Its value is a GC root (for reference globals). */
    if (kir_vt_is_ref(type) && !krt_root_global(s, g))
        return kutil_error_oom(); /* owned by the store, freed with it */
    *out = g;
    return NULL;
}

void krt_tag_init(struct kite_tag *t, const ktype_canon *c, uint32_t canon)
{
    const ktype_ctype *ct = ktype_canon_type(c, canon);
    t->canon = canon;
    t->nparams = ct->nparams;
    t->params = ct->types;
    t->param_slots = count_slots(ct->types, ct->nparams);
}

static void destroy_tag(krt_owned *o, kite_store_t *s)
{
    kutil_free(s->alloc, CONTAINER(o, struct kite_tag, owned));
}

kite_error_t *krt_tag_new(kite_store_t *s, uint32_t canon, struct kite_tag **out)
{
    *out = NULL;
    struct kite_tag *t = kutil_calloc(s->alloc, 1, sizeof(*t));
    if (!t)
        return kutil_error_oom();
    krt_tag_init(t, s->engine->canon, canon);
    t->store = s;
    t->owned.destroy = destroy_tag;
    krt_store_own(s, &t->owned);
    *out = t;
    return NULL;
}

/* ---- memories and tables ------------------------------------------------------------- */

kite_error_t *krt_memory_obj_init(kite_store_t *s, struct kite_memory *obj,
                                  const kir_limits *limits, uint32_t page_size_log2)
{
    krt_memory_opts opts = {.budget = &s->memory_budget,
                            .reserve_cap = s->engine->config.memory_reserve,
                            .shared_reserve_cap = s->engine->config.shared_memory_reserve};
    obj->store = s;
    kite_error_t *err = krt_memory_new(s->alloc, limits, page_size_log2, &opts, &obj->mem);
    obj->has_max = limits->has_max;
    obj->budget = &s->memory_budget;
    return err;
}

static void destroy_memory(krt_owned *o, kite_store_t *s)
{
    struct kite_memory *m = CONTAINER(o, struct kite_memory, owned);
    krt_memory_release_from(m->mem, m->budget);
    kutil_free(s->alloc, m);
}

kite_error_t *krt_memory_obj_new(kite_store_t *s, const kir_limits *limits,
                                 uint32_t page_size_log2, struct kite_memory **out)
{
    *out = NULL;
    struct kite_memory *m = kutil_calloc(s->alloc, 1, sizeof(*m));
    if (!m)
        return kutil_error_oom();
    kite_error_t *err = krt_memory_obj_init(s, m, limits, page_size_log2);
    if (err) {
        kutil_free(s->alloc, m);
        return err;
    }
    m->owned.destroy = destroy_memory;
    krt_store_own(s, &m->owned);
    *out = m;
    return NULL;
}

kite_error_t *krt_memory_obj_wrap(kite_store_t *s, krt_memory *mem, struct kite_memory **out)
{
    *out = NULL;
    struct kite_memory *m = kutil_calloc(s->alloc, 1, sizeof(*m));
    if (!m)
        return kutil_error_oom();
    krt_memory_retain(mem);
    m->store = s;
    m->mem = mem;
    m->has_max = true;
    m->owned.destroy = destroy_memory;
    krt_store_own(s, &m->owned);
    *out = m;
    return NULL;
}

kite_error_t *krt_table_obj_init(kite_store_t *s, struct kite_table *obj, kir_valtype elem,
                                 const kir_limits *limits, krt_ref init)
{
    krt_table_opts opts = {.budget = &s->table_budget};
    obj->store = s;
    obj->elem = elem;
    obj->has_max = limits->has_max;
    return krt_table_new(s->alloc, elem, limits, init, &opts, &obj->table);
}

static void destroy_table(krt_owned *o, kite_store_t *s)
{
    struct kite_table *t = CONTAINER(o, struct kite_table, owned);
    krt_table_free(t->table);
    kutil_free(s->alloc, t);
}

kite_error_t *krt_table_obj_new(kite_store_t *s, kir_valtype elem, const kir_limits *limits,
                                krt_ref init, struct kite_table **out)
{
    *out = NULL;
    struct kite_table *t = kutil_calloc(s->alloc, 1, sizeof(*t));
    if (!t)
        return kutil_error_oom();
    kite_error_t *err = krt_table_obj_init(s, t, elem, limits, init);
    if (err) {
        kutil_free(s->alloc, t);
        return err;
    }
    t->owned.destroy = destroy_table;
    krt_store_own(s, &t->owned);
    if (!krt_root_table(s, t))
        return kutil_error_oom(); /* owned by the store, freed with it */
    *out = t;
    return NULL;
}
