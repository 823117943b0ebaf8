/*
 * Compiled modules: validation and wrapping of a decoded or parsed module,
 * reference counting (instances keep their module alive), and the
 * introspection entry points of kite.h.
 */
#include <string.h>

#include "runtime/engine.h"
#include "util/alloc.h"
#include "util/error.h"
#include "valid/validate.h"

kite_error_t *krt_module_new(kite_engine_t *engine, kir_module *ir, kite_module_t **out)
{
    const kite_allocator_t *alloc = &engine->config.alloc;
    *out = NULL;
    kite_error_t *err = kval_validate(&engine->config, engine->canon, ir);
    if (err) {
        kir_module_free(ir);
        return err;
    }
    kite_module_t *m = kutil_malloc(alloc, sizeof(*m));
    /* One cell per function and code variant (interp.h). */
    size_t ncells = (size_t)ir->nfuncs * KRT_CODE_VARIANTS;
    _Atomic(struct kint_code *) *code = kutil_calloc(alloc, ncells ? ncells : 1, sizeof(*code));
    if (!m || !code) {
        kutil_free(alloc, m);
        kutil_free(alloc, code);
        kir_module_free(ir);
        return kutil_error_oom();
    }
    for (size_t i = 0; i < ncells; i++)
        atomic_init(&code[i], NULL);
    m->engine = engine;
    m->ir = ir;
    m->code = code;
    atomic_init(&m->refs, 1);
    *out = m;
    return NULL;
}

void krt_module_retain(const kite_module_t *module)
{
    kite_module_t *m = (kite_module_t *)module;
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

/* The last reference frees the translated code too: nothing can run the
 * module's functions any more. */
void krt_module_release(const kite_module_t *module)
{
    kite_module_t *m = (kite_module_t *)module;
    if (!m || atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1)
        return;
    const kite_allocator_t *alloc = &m->engine->config.alloc;
    for (size_t i = 0; i < (size_t)m->ir->nfuncs * KRT_CODE_VARIANTS; i++) {
        struct kint_code *c = atomic_load_explicit(&m->code[i], memory_order_relaxed);
        if (c)
            m->engine->hooks->code_free(alloc, c);
    }
    kutil_free(alloc, m->code);
    kir_module_free(m->ir);
    kutil_free(alloc, m);
}

void kite_module_free(kite_module_t *module) { krt_module_release(module); }

/* ---- introspection ------------------------------------------------------------------- */

size_t kite_module_import_count(const kite_module_t *module) { return module->ir->nimports; }

bool kite_module_import_memory(const kite_module_t *module, size_t index, kite_limits_t *out)
{
    if (index >= module->ir->nimports || module->ir->imports[index].kind != KIR_EXTERN_MEMORY)
        return false;
    const kir_memory *mem = &module->ir->memories[module->ir->imports[index].index];
    const kir_limits *l = &mem->limits;
    *out = (kite_limits_t){l->min, l->max, l->has_max, l->is64, l->shared};
    return mem->page_size_log2 == 16;
}

kite_import_desc_t kite_module_import(const kite_module_t *module, size_t index)
{
    kite_import_desc_t d = {0};
    if (index >= module->ir->nimports)
        return d;
    const kir_import *imp = &module->ir->imports[index];
    d.module = imp->module.ptr;
    d.module_len = imp->module.len;
    d.name = imp->field.ptr;
    d.name_len = imp->field.len;
    d.kind = (kite_externkind_t)imp->kind;
    return d;
}

size_t kite_module_export_count(const kite_module_t *module) { return module->ir->nexports; }

kite_export_desc_t kite_module_export(const kite_module_t *module, size_t index)
{
    kite_export_desc_t d = {0};
    if (index >= module->ir->nexports)
        return d;
    const kir_export *ex = &module->ir->exports[index];
    d.name = ex->name.ptr;
    d.name_len = ex->name.len;
    d.kind = (kite_externkind_t)ex->kind;
    return d;
}
