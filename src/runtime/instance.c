/*
 * Instantiation, in the spec's order:
 *
 *   1. match the imports against the module's import types (nothing is
 *      made if one does not match);
 *   2. make the instance: functions, globals (initializers evaluated in
 *      order, each seeing the globals before it), tables (with their
 *      initializer), memories, tags, and every element segment's
 *      references;
 *   3. initialize: active element segments (table.init, then elem.drop),
 *      declarative ones dropped, active data segments (memory.init, then
 *      data.drop), then the start function.
 *
 * A failure in 1 or 2 (link error, limit, out of memory) leaves no trace.
 * A trap in 3 keeps what was already written, as the spec says: an
 * imported table may by then hold functions of the new instance, so from
 * step 3 on the instance belongs to the store even when it is not handed
 * out.
 */
#include <string.h>

#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

/* An instance with the storage of everything it defines, and its index
 * spaces, in one allocation: a store keeps every instance until it is
 * freed (docs/NOTES.md), so an instance should cost one small block, not a
 * dozen. */
typedef struct inst_box {
    struct kite_instance inst; /* first: the owned list leads back to the box */
    krt_func *def_funcs;
    struct kite_global *def_globals;
    struct kite_table *def_tables;
    struct kite_memory *def_memories;
    struct kite_tag *def_tags;
    bool module_retained;
} inst_box;

/* Where an array of n items of `size` and `align` goes after *end bytes. */
static size_t place(size_t *end, uint32_t n, size_t size, size_t align)
{
    size_t at = (*end + align - 1) / align * align;
    *end = at + (size_t)n * size;
    return at;
}

static void box_free(inst_box *b)
{
    struct kite_instance *inst = &b->inst;
    const kir_module *m = inst->m;
    const kite_store_t *store = inst->store;
    /* Only what was made so far: make_storage fills in order. */
    for (uint32_t i = m->ntable_imports; i < m->ntables && inst->tables[i]; i++)
        krt_table_free(b->def_tables[i - m->ntable_imports].table);
    for (uint32_t i = m->nmemory_imports; i < m->nmemories && inst->memories[i]; i++)
        krt_memory_release_from(b->def_memories[i - m->nmemory_imports].mem,
                                &inst->store->memory_budget);
    for (uint32_t i = 0; i < m->nelems; i++)
        kutil_free(store->alloc, inst->elems[i].refs);
    if (b->module_retained)
        krt_module_release(inst->module);
    kutil_free(store->alloc, b);
}

static void destroy_instance(krt_owned *o, kite_store_t *store)
{
    (void)store;
    box_free((inst_box *)(void *)o);
}

static inst_box *box_new(kite_store_t *store, const kite_module_t *module)
{
    const kir_module *m = module->ir;
    size_t end = sizeof(inst_box);
#define PLACE(n, type) place(&end, (n), sizeof(type), _Alignof(type))
    size_t funcs = PLACE(m->nfuncs, krt_func *);
    size_t tables = PLACE(m->ntables, struct kite_table *);
    size_t memories = PLACE(m->nmemories, struct kite_memory *);
    size_t globals = PLACE(m->nglobals, struct kite_global *);
    size_t tags = PLACE(m->ntags, struct kite_tag *);
    size_t elems = PLACE(m->nelems, krt_elem_seg);
    size_t def_funcs = PLACE(m->nfuncs - m->nfunc_imports, krt_func);
    size_t def_globals = PLACE(m->nglobals - m->nglobal_imports, struct kite_global);
    size_t def_tables = PLACE(m->ntables - m->ntable_imports, struct kite_table);
    size_t def_memories = PLACE(m->nmemories - m->nmemory_imports, struct kite_memory);
    size_t def_tags = PLACE(m->ntags - m->ntag_imports, struct kite_tag);
    size_t data_dropped = PLACE(m->ndatas, bool);
#undef PLACE
    char *block = kutil_calloc(store->alloc, 1, end);
    if (!block)
        return NULL;
    inst_box *b = (inst_box *)(void *)block;
    struct kite_instance *inst = &b->inst;
    inst->store = store;
    inst->module = module;
    inst->m = m;
    inst->canon = m->canon;
    inst->funcs = (krt_func **)(void *)(block + funcs);
    inst->tables = (struct kite_table **)(void *)(block + tables);
    inst->memories = (struct kite_memory **)(void *)(block + memories);
    inst->globals = (struct kite_global **)(void *)(block + globals);
    inst->tags = (struct kite_tag **)(void *)(block + tags);
    inst->elems = (krt_elem_seg *)(void *)(block + elems);
    inst->data_dropped = (bool *)(void *)(block + data_dropped);
    b->def_funcs = (krt_func *)(void *)(block + def_funcs);
    b->def_globals = (struct kite_global *)(void *)(block + def_globals);
    b->def_tables = (struct kite_table *)(void *)(block + def_tables);
    b->def_memories = (struct kite_memory *)(void *)(block + def_memories);
    b->def_tags = (struct kite_tag *)(void *)(block + def_tags);
    return b;
}

/* The import index spaces come first, in import order. */
static void bind_imports(struct kite_instance *inst, const kite_extern_t *imports)
{
    const kir_module *m = inst->m;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const kir_import *imp = &m->imports[i];
        const kite_extern_t *ext = &imports[i];
        switch (imp->kind) {
        case KIR_EXTERN_FUNC: inst->funcs[imp->index] = ext->of.func; break;
        case KIR_EXTERN_TABLE: inst->tables[imp->index] = ext->of.table; break;
        case KIR_EXTERN_MEMORY: inst->memories[imp->index] = ext->of.memory; break;
        case KIR_EXTERN_GLOBAL: inst->globals[imp->index] = ext->of.global; break;
        case KIR_EXTERN_TAG: inst->tags[imp->index] = ext->of.tag; break;
        }
    }
}

/* Globals in order: an initializer sees the globals before its own. */
static kite_trap_t *make_globals(inst_box *b)
{
    struct kite_instance *inst = &b->inst;
    const kir_module *m = inst->m;
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        const kir_global *g = &m->globals[i];
        struct kite_global *obj = &b->def_globals[i - m->nglobal_imports];
        obj->alloc = inst->store->alloc;
        obj->store = inst->store;
        obj->type = krt_canon_valtype(m, g->type);
        obj->mutable_ = g->mutable_;
        kite_trap_t *t = krt_eval_const(inst, &g->init, obj->value);
        if (t)
            return t;
        inst->globals[i] = obj;
    }
    return NULL;
}

/* Tables (after the globals their initializers may read), memories, tags.
 * Creation failures are errors: a limit or the OS said no. */
static kite_error_t *make_storage(inst_box *b, kite_trap_t **trap)
{
    struct kite_instance *inst = &b->inst;
    const kir_module *m = inst->m;
    kite_store_t *s = inst->store;
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const kir_table *t = &m->tables[i];
        uint64_t init[2] = {0, 0};
        if (t->has_init && (*trap = krt_eval_const(inst, &t->init, init)) != NULL)
            return NULL;
        struct kite_table *obj = &b->def_tables[i - m->ntable_imports];
        kite_error_t *err =
            krt_table_obj_init(s, obj, krt_canon_valtype(m, t->elem), &t->limits, (krt_ref)init[0]);
        if (err)
            return err;
        inst->tables[i] = obj;
    }
    for (uint32_t i = m->nmemory_imports; i < m->nmemories; i++) {
        const kir_memory *mem = &m->memories[i];
        struct kite_memory *obj = &b->def_memories[i - m->nmemory_imports];
        kite_error_t *err = krt_memory_obj_init(s, obj, &mem->limits, mem->page_size_log2);
        if (err)
            return err;
        inst->memories[i] = obj;
    }
    for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
        struct kite_tag *obj = &b->def_tags[i - m->ntag_imports];
        krt_tag_init(obj, s->engine->canon, m->canon[m->tags[i].type]);
        obj->store = s;
        inst->tags[i] = obj;
    }
    return NULL;
}

/* Every element segment's references, whatever its mode. */
static kite_trap_t *make_elems(struct kite_instance *inst)
{
    const kir_module *m = inst->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const kir_elem *e = &m->elems[i];
        krt_ref *refs = kutil_calloc(inst->store->alloc, e->count ? e->count : 1, sizeof(krt_ref));
        if (!refs)
            return krt_trap_oom();
        inst->elems[i].refs = refs;
        inst->elems[i].count = e->count;
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->funcs) {
                refs[k] = krt_ref_from_obj(inst->funcs[e->funcs[k]]);
                continue;
            }
            uint64_t v[2];
            kite_trap_t *t = krt_eval_const(inst, &e->exprs[k], v);
            if (t)
                return t;
            refs[k] = (krt_ref)v[0];
        }
    }
    return NULL;
}

static kite_trap_t *trap_of(const struct kite_instance *inst, kite_trap_kind_t kind)
{
    kite_trap_t *t = krt_trap_new(inst->store->alloc, kind);
    return t ? t : krt_trap_oom();
}

/* Step 3: segments, then the start function. */
static kite_trap_t *initialize(struct kite_instance *inst)
{
    const kir_module *m = inst->m;
    uint64_t v[2];
    for (uint32_t i = 0; i < m->nelems; i++) {
        const kir_elem *e = &m->elems[i];
        krt_elem_seg *seg = &inst->elems[i];
        if (e->mode == KIR_SEG_ACTIVE) {
            kite_trap_t *t = krt_eval_const(inst, &e->offset, v);
            if (t)
                return t;
            krt_table *table = inst->tables[e->table]->table;
            uint64_t d = table->is64 ? v[0] : (uint32_t)v[0];
            if (krt_table_init(table, d, seg->refs, seg->count, 0, seg->count) != KRT_TABLE_OK)
                return trap_of(inst, KITE_TRAP_TABLE_OUT_OF_BOUNDS);
        }
        if (e->mode != KIR_SEG_PASSIVE)
            seg->count = 0;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const kir_data *d = &m->datas[i];
        if (d->mode != KIR_SEG_ACTIVE)
            continue;
        kite_trap_t *t = krt_eval_const(inst, &d->offset, v);
        if (t)
            return t;
        krt_memory *mem = inst->memories[d->memory]->mem;
        uint64_t at = mem->is64 ? v[0] : (uint32_t)v[0];
        if (krt_memory_init(mem, at, d->bytes, d->len, 0, d->len) != KRT_MEM_OK)
            return trap_of(inst, KITE_TRAP_MEMORY_OUT_OF_BOUNDS);
        inst->data_dropped[i] = true;
    }
    if (m->start == KIR_NONE)
        return NULL;
    uint64_t slots[2] = {0, 0}; /* the start function has type [] -> [] */
    return krt_call(inst->store, inst->funcs[m->start], slots);
}

static kite_error_t *check_imports(kite_store_t *store, const kite_module_t *module,
                                   const kite_extern_t *imports, size_t nimports)
{
    const kir_module *m = module->ir;
    if (nimports < m->nimports)
        return kutil_error_new(store->alloc, KITE_ERROR_UNLINKABLE,
                               "unknown import: the module has %u imports, %zu were given",
                               m->nimports, nimports);
    if (nimports > m->nimports)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the module has %u imports, %zu were given", m->nimports, nimports);
    for (uint32_t i = 0; i < m->nimports; i++) {
        kite_error_t *err = krt_import_match(store->engine, m, &m->imports[i], &imports[i]);
        if (err)
            return err;
        /* Another store's object would be freed with its store while this
         * instance still refers to it. */
        if (krt_extern_store(&imports[i]) != store) {
            const kir_import *imp = &m->imports[i];
            int ml = imp->module.len > 64 ? 64 : (int)imp->module.len;
            int fl = imp->field.len > 64 ? 64 : (int)imp->field.len;
            return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                                   "import %u (\"%.*s\" \"%.*s\") belongs to another store", i,
                                   ml, imp->module.ptr ? imp->module.ptr : "", fl,
                                   imp->field.ptr ? imp->field.ptr : "");
        }
    }
    return NULL;
}

/* Steps 1 and 2; on failure nothing is left behind. */
static kite_error_t *build(kite_store_t *store, const kite_module_t *module,
                           const kite_extern_t *imports, size_t nimports, inst_box **out,
                           kite_trap_t **trap)
{
    *out = NULL;
    kite_error_t *err = check_imports(store, module, imports, nimports);
    if (err)
        return err;
    inst_box *b = box_new(store, module);
    if (!b)
        return kutil_error_oom();
    struct kite_instance *inst = &b->inst;
    /* A root from now on: initializers may allocate GC objects and collect,
     * and what they made so far must survive. */
    if (!krt_root_instance(store, inst)) {
        box_free(b);
        return kutil_error_oom();
    }
    const kir_module *m = module->ir;
    bind_imports(inst, imports);
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        krt_func *f = &b->def_funcs[i - m->nfunc_imports];
        krt_func_init_wasm(f, inst, i);
        inst->funcs[i] = f;
    }
    *trap = make_globals(b);
    if (!*trap)
        err = make_storage(b, trap);
    if (!*trap && !err)
        *trap = make_elems(inst);
    if (*trap || err) {
        krt_unroot_instance(store, inst);
        box_free(b);
        return err;
    }
    *out = b;
    return NULL;
}

kite_error_t *kite_instance_new(kite_store_t *store, const kite_module_t *module,
                                const kite_extern_t *imports, size_t nimports,
                                kite_instance_t **out, kite_trap_t **trap)
{
    *out = NULL;
    if (!trap)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "kite_instance_new needs a place for a trap");
    *trap = NULL;
    if (module->engine != store->engine)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the module and the store belong to different engines");
    if (store->limits.instances && store->ninstances >= store->limits.instances)
        return kutil_error_new(store->alloc, KITE_ERROR_LIMIT,
                               "the store's limit of %u instances is reached",
                               store->limits.instances);
    if (nimports && !imports)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "imports missing");
    inst_box *b;
    kite_error_t *err = build(store, module, imports, nimports, &b, trap);
    if (err || *trap)
        return err;
    krt_module_retain(module);
    b->module_retained = true;
    b->inst.owned.destroy = destroy_instance;
    krt_store_own(store, &b->inst.owned);
    store->ninstances++;
    if (store->engine->prepare_instance && (err = store->engine->prepare_instance(&b->inst)) != NULL)
        return err;
    *trap = initialize(&b->inst);
    if (*trap)
        return NULL;
    *out = &b->inst;
    return NULL;
}

/* ---- exports ------------------------------------------------------------------------- */

static kite_extern_t extern_of(const struct kite_instance *inst, kir_extern_kind kind,
                               uint32_t index)
{
    kite_extern_t e;
    memset(&e, 0, sizeof(e));
    e.kind = (kite_externkind_t)kind;
    switch (kind) {
    case KIR_EXTERN_FUNC: e.of.func = inst->funcs[index]; break;
    case KIR_EXTERN_TABLE: e.of.table = inst->tables[index]; break;
    case KIR_EXTERN_MEMORY: e.of.memory = inst->memories[index]; break;
    case KIR_EXTERN_GLOBAL: e.of.global = inst->globals[index]; break;
    case KIR_EXTERN_TAG: e.of.tag = inst->tags[index]; break;
    }
    return e;
}

bool kite_instance_export(const kite_instance_t *instance, const char *name, size_t name_len,
                          kite_extern_t *out)
{
    const kir_module *m = instance->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const kir_export *ex = &m->exports[i];
        if (ex->name.len == name_len &&
            (name_len == 0 || memcmp(ex->name.ptr, name, name_len) == 0)) {
            *out = extern_of(instance, ex->kind, ex->index);
            return true;
        }
    }
    return false;
}

size_t kite_instance_export_count(const kite_instance_t *instance)
{
    return instance->m->nexports;
}

kite_export_desc_t kite_instance_export_desc(const kite_instance_t *instance, size_t index)
{
    return kite_module_export(instance->module, index);
}

kite_extern_t kite_instance_export_at(const kite_instance_t *instance, size_t index)
{
    kite_extern_t none;
    memset(&none, 0, sizeof(none));
    if (index >= instance->m->nexports)
        return none;
    const kir_export *ex = &instance->m->exports[index];
    return extern_of(instance, ex->kind, ex->index);
}
