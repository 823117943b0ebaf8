/*
 * Compiled modules: validation and wrapping of a decoded or parsed module,
 * reference counting (instances keep their module alive), serialization,
 * and the introspection entry points of kite.h (function and extern types
 * included).
 */
#include <string.h>

#include "runtime/engine.h"
#include "runtime/objects.h"
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
    atomic_init(&m->owned, NULL);
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
    for (krt_owned *o = atomic_load_explicit(&m->owned, memory_order_acquire), *next; o; o = next) {
        next = o->next;
        o->destroy(o, NULL); /* (not a store's) */
    }
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

void krt_module_own(const kite_module_t *module, krt_owned *o)
{
    kite_module_t *m = (kite_module_t *)module;
    krt_owned *head = atomic_load_explicit(&m->owned, memory_order_relaxed);
    do
        o->next = head;
    while (!atomic_compare_exchange_weak_explicit(&m->owned, &head, o, memory_order_release,
                                                  memory_order_relaxed));
}

kite_module_t *kite_module_clone(const kite_module_t *module)
{
    krt_module_retain(module);
    return (kite_module_t *)module;
}

/* ---- serialization ----------------------------------------------------------------------- */

/* Reads a section header's LEB128 u32 at *p (the module was validated, so
 * it is well formed); false past the end. */
static bool read_u32(const uint8_t *b, size_t len, size_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35 && *p < len; shift += 7) {
        uint8_t byte = b[(*p)++];
        v |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Whether a section of the module's copy has contents: every section but
 * a custom section other than "name". */
static bool section_kept(const uint8_t *b, size_t len, size_t contents, uint8_t id)
{
    if (id != 0)
        return true;
    uint32_t name_len;
    size_t p = contents;
    return read_u32(b, len, &p, &name_len) && name_len == 4 && p + 4 <= len &&
           memcmp(b + p, "name", 4) == 0;
}

/* Walks the module's copy: the serialized binary's length, and (when out
 * is set) its bytes. */
static size_t copy_binary(const kir_module *m, uint8_t *out)
{
    const uint8_t *b = m->binary;
    size_t len = m->binary_len, n = len < 8 ? len : 8;
    if (out)
        memcpy(out, b, n);
    size_t p = n;
    while (p < len) {
        size_t start = p++;
        uint32_t size;
        if (!read_u32(b, len, &p, &size) || size > len - p)
            break; /* cannot happen after validation */
        size_t end = p + size;
        if (section_kept(b, len, p, b[start])) {
            if (out)
                memcpy(out + n, b + start, end - start);
            n += end - start;
        }
        p = end;
    }
    return n;
}

/*
 * The serialized form (runtime.h: KRT_SERIAL_*):
 *
 *   0        9     10    12          16
 *   | magic  | fmt | 0 0 | len (LE32) | binary (len bytes) ...
 *
 * magic is "\0kite-mod" (the NUL keeps it from being taken for text), fmt
 * the format version. The binary is the module's copy of its input with the
 * custom sections whose contents were not kept (all but "name") left out.
 * kite_module_deserialize (src/api/) reads it.
 */
kite_error_t *kite_module_serialize(const kite_module_t *module, uint8_t *buf, size_t size,
                                    size_t *len)
{
    *len = 0;
    const kir_module *m = module->ir;
    if (!m->binary)
        return kutil_error_new(&module->engine->config.alloc, KITE_ERROR_ARGUMENT,
                               "only a module made from a binary can be serialized");
    size_t body = copy_binary(m, NULL);
    *len = KRT_SERIAL_HEADER + body;
    if (!buf || size < *len)
        return NULL;
    memset(buf, 0, KRT_SERIAL_HEADER);
    memcpy(buf, KRT_SERIAL_MAGIC, KRT_SERIAL_MAGIC_LEN);
    buf[KRT_SERIAL_MAGIC_LEN] = KRT_SERIAL_FORMAT;
    for (int i = 0; i < 4; i++)
        buf[12 + i] = (uint8_t)(body >> (8 * i));
    copy_binary(m, buf + KRT_SERIAL_HEADER);
    return NULL;
}

/* ---- types --------------------------------------------------------------------------------- */

/* kite_functype_t is the engine's canonical function type. */
static const ktype_ctype *ctype_of(const kite_functype_t *type)
{
    return (const ktype_ctype *)(const void *)type;
}

size_t kite_functype_param_count(const kite_functype_t *type) { return ctype_of(type)->nparams; }
size_t kite_functype_result_count(const kite_functype_t *type) { return ctype_of(type)->nresults; }

kite_valtype_t kite_functype_param(const kite_functype_t *type, size_t index)
{
    const ktype_ctype *ct = ctype_of(type);
    kite_valtype_t none = {KITE_I32, false, 0};
    return index < ct->nparams ? krt_valtype_to_api(ct->types[index]) : none;
}

kite_valtype_t kite_functype_result(const kite_functype_t *type, size_t index)
{
    const ktype_ctype *ct = ctype_of(type);
    kite_valtype_t none = {KITE_I32, false, 0};
    return index < ct->nresults ? krt_valtype_to_api(ct->types[ct->nparams + index]) : none;
}

const kite_functype_t *krt_functype(const kite_engine_t *engine, uint32_t canon)
{
    return (const kite_functype_t *)(const void *)ktype_canon_type(engine->canon, canon);
}

static kite_limits_t limits_to_api(const kir_limits *l)
{
    kite_limits_t k = {l->min, l->has_max ? l->max : 0, l->has_max, l->is64, l->shared};
    return k;
}

kite_externtype_t krt_module_externtype(const kite_module_t *module, kir_extern_kind kind,
                                        uint32_t index)
{
    const kir_module *m = module->ir;
    kite_externtype_t t;
    memset(&t, 0, sizeof(t));
    t.kind = (kite_externkind_t)kind;
    switch (kind) {
    case KIR_EXTERN_FUNC:
        t.of.func = krt_functype(module->engine, m->canon[m->funcs[index].type]);
        break;
    case KIR_EXTERN_TABLE:
        t.of.table.elem = krt_valtype_to_api(krt_canon_valtype(m, m->tables[index].elem));
        t.of.table.limits = limits_to_api(&m->tables[index].limits);
        break;
    case KIR_EXTERN_MEMORY:
        t.of.memory.limits = limits_to_api(&m->memories[index].limits);
        t.of.memory.page_size_log2 = m->memories[index].page_size_log2;
        break;
    case KIR_EXTERN_GLOBAL:
        t.of.global.type = krt_valtype_to_api(krt_canon_valtype(m, m->globals[index].type));
        t.of.global.mutable_ = m->globals[index].mutable_;
        break;
    case KIR_EXTERN_TAG:
        t.of.tag = krt_functype(module->engine, m->canon[m->tags[index].type]);
        break;
    }
    return t;
}

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
    d.type = krt_module_externtype(module, imp->kind, imp->index);
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
    d.type = krt_module_externtype(module, ex->kind, ex->index);
    return d;
}
