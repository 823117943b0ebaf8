/* Engine and module entry points of kite.h. */
#include <string.h>

#include "binary/decode.h"
#include "api/module_internal.h"
#include "kite.h"
#include "runtime/engine.h"
#include "runtime/runtime.h"
#include "text/parse.h"
#include "util/alloc.h"
#include "util/error.h"
#include "valid/validate.h"

kite_engine_t *kite_engine_new(const kite_config_t *config)
{
    kite_engine_t *e = kite_calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    if (config)
        e->config = *config;
    else
        kir_config_defaults(&e->config);
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

/* Validate a freshly built ir module and wrap it; takes ownership of `ir`. */
static kite_error_t *finish_module(kite_engine_t *engine, kir_module *ir, kite_module_t **out)
{
    kite_error_t *err = kval_validate(&engine->config, engine->canon, ir);
    if (err) {
        kir_module_free(ir);
        return err;
    }
    kite_module_t *m = kite_malloc(sizeof(*m));
    /* One cell per function and code variant (interp.h). */
    size_t ncells = (size_t)ir->nfuncs * KRT_CODE_VARIANTS;
    _Atomic(struct kint_code *) *code = kite_calloc(ncells ? ncells : 1, sizeof(*code));
    if (!m || !code) {
        kite_free(m);
        kite_free(code);
        kir_module_free(ir);
        return kite_error_oom();
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

kite_error_t *kite_module_new(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                              kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    kite_error_t *err = kdec_decode(&engine->config, bytes, len, &ir);
    if (err)
        return err;
    return finish_module(engine, ir, out);
}

kite_error_t *kapi_module_new_text_at(kite_engine_t *engine, const char *text, size_t len,
                                      uint32_t base_line, uint32_t base_col, kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    kite_error_t *err = ktext_parse_module(&engine->config, text, len, base_line, base_col, &ir);
    if (err)
        return err;
    return finish_module(engine, ir, out);
}

kite_error_t *kite_module_new_text(kite_engine_t *engine, const char *text, size_t len,
                                   kite_module_t **out)
{
    return kapi_module_new_text_at(engine, text, len, 1, 1, out);
}

const kir_module *kapi_module_ir(const kite_module_t *module) { return module->ir; }

kite_error_t *kite_module_new_any(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                                  kite_module_t **out)
{
    if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0)
        return kite_module_new(engine, bytes, len, out);
    return kite_module_new_text(engine, (const char *)bytes, len, out);
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
    for (size_t i = 0; i < (size_t)m->ir->nfuncs * KRT_CODE_VARIANTS; i++)
        kint_code_free(atomic_load_explicit(&m->code[i], memory_order_relaxed));
    kite_free(m->code);
    kir_module_free(m->ir);
    kite_free(m);
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
