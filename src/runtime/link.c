/*
 * Linking: whether an extern may satisfy an import (the spec's extern type
 * matching), and the linker, a table of externs by (module, name).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- extern type matching ------------------------------------------------------------ */

static const char *extern_kind_name(unsigned kind)
{
    static const char *const names[] = {"function", "table", "memory", "global", "tag"};
    return kind < 5 ? names[kind] : "unknown extern";
}

/* Import names are length-delimited bytes; messages show at most this much. */
#define NAME_MAX_SHOWN 64

static const char *name_bytes(const kir_name *n) { return n->ptr ? n->ptr : ""; }

static kite_error_t *incompatible(const kite_engine_t *e, const kir_import *imp, const char *fmt,
                                  ...) KITE_PRINTF(3, 4);

static kite_error_t *incompatible(const kite_engine_t *e, const kir_import *imp, const char *fmt,
                                  ...)
{
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    int ml = imp->module.len > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : (int)imp->module.len;
    int fl = imp->field.len > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : (int)imp->field.len;
    return kutil_error_new(&e->config.alloc, KITE_ERROR_UNLINKABLE,
                           "incompatible import type for \"%.*s\" \"%.*s\": %s", ml,
                           name_bytes(&imp->module), fl, name_bytes(&imp->field), detail);
}

/* Limits matching: at least the import's minimum, and when the import has a
 * maximum, a maximum within it. `cur` is the extern's current size. */
static bool limits_match(uint64_t cur, bool has_max, uint64_t max, const kir_limits *want)
{
    if (cur < want->min)
        return false;
    return !want->has_max || (has_max && max <= want->max);
}

static kite_error_t *match_func(const kite_engine_t *e, const kir_module *m,
                                const kir_import *imp, const krt_func *f)
{
    uint32_t want = m->canon[m->funcs[imp->index].type];
    if (!ktype_canon_is_subtype(e->canon, f->hdr.canon, want))
        return incompatible(e, imp, "function type mismatch");
    return NULL;
}

static kite_error_t *match_table(const kite_engine_t *e, const kir_module *m, const kir_import *imp,
                                 const struct kite_table *t)
{
    const kir_table *want = &m->tables[imp->index];
    if (t->elem != krt_canon_valtype(m, want->elem))
        return incompatible(e, imp, "table element type mismatch");
    if (t->table->is64 != want->limits.is64)
        return incompatible(e, imp, "table address type mismatch");
    if (!limits_match(t->table->size, t->has_max, t->table->max, &want->limits))
        return incompatible(e, imp, "table limits mismatch");
    return NULL;
}

static kite_error_t *match_memory(const kite_engine_t *e, const kir_module *m,
                                  const kir_import *imp, const struct kite_memory *mem)
{
    const kir_memory *want = &m->memories[imp->index];
    const krt_memory *k = mem->mem;
    if (k->is64 != want->limits.is64)
        return incompatible(e, imp, "memory address type mismatch");
    if (k->shared != want->limits.shared)
        return incompatible(e, imp, "memory sharing mismatch");
    if (k->page_size_log2 != want->page_size_log2)
        return incompatible(e, imp, "memory page size mismatch");
    if (!limits_match(krt_memory_pages(k), mem->has_max, k->max_pages, &want->limits))
        return incompatible(e, imp, "memory limits mismatch");
    return NULL;
}

static kite_error_t *match_global(const kite_engine_t *e, const kir_module *m,
                                  const kir_import *imp, const struct kite_global *g)
{
    const kir_global *want = &m->globals[imp->index];
    kir_valtype t = krt_canon_valtype(m, want->type);
    if (g->mutable_ != want->mutable_)
        return incompatible(e, imp, "global mutability mismatch");
    bool ok = want->mutable_ ? g->type == t : ktype_canon_valtype_sub(e->canon, g->type, t);
    if (!ok)
        return incompatible(e, imp, "global type mismatch");
    return NULL;
}

kite_store_t *krt_extern_store(const kite_extern_t *ext)
{
    switch (ext->kind) {
    case KITE_EXTERN_FUNC: return ext->of.func ? ext->of.func->store : NULL;
    case KITE_EXTERN_TABLE: return ext->of.table ? ext->of.table->store : NULL;
    case KITE_EXTERN_MEMORY: return ext->of.memory ? ext->of.memory->store : NULL;
    case KITE_EXTERN_GLOBAL: return ext->of.global ? ext->of.global->store : NULL;
    case KITE_EXTERN_TAG: return ext->of.tag ? ext->of.tag->store : NULL;
    }
    return NULL;
}

kite_error_t *krt_import_match(const kite_engine_t *engine, const kir_module *m,
                               const kir_import *imp, const kite_extern_t *ext)
{
    const kite_engine_t *e = engine;
    if ((unsigned)ext->kind != (unsigned)imp->kind)
        return incompatible(e, imp, "expected a %s, got a %s", extern_kind_name(imp->kind),
                            extern_kind_name(ext->kind));
    const void *obj = NULL;
    switch (ext->kind) {
    case KITE_EXTERN_FUNC: obj = ext->of.func; break;
    case KITE_EXTERN_TABLE: obj = ext->of.table; break;
    case KITE_EXTERN_MEMORY: obj = ext->of.memory; break;
    case KITE_EXTERN_GLOBAL: obj = ext->of.global; break;
    case KITE_EXTERN_TAG: obj = ext->of.tag; break;
    }
    if (!obj)
        return kutil_error_new(&e->config.alloc, KITE_ERROR_ARGUMENT,
                               "import %u (\"%s\" \"%s\") is NULL", (unsigned)(imp - m->imports),
                               name_bytes(&imp->module), name_bytes(&imp->field));
    switch (ext->kind) {
    case KITE_EXTERN_FUNC: return match_func(engine, m, imp, ext->of.func);
    case KITE_EXTERN_TABLE: return match_table(engine, m, imp, ext->of.table);
    case KITE_EXTERN_MEMORY: return match_memory(engine, m, imp, ext->of.memory);
    case KITE_EXTERN_GLOBAL: return match_global(engine, m, imp, ext->of.global);
    case KITE_EXTERN_TAG:
        if (ext->of.tag->canon != m->canon[m->tags[imp->index].type])
            return incompatible(e, imp, "tag type mismatch");
        return NULL;
    }
    return NULL;
}

/* ---- the linker ---------------------------------------------------------------------- */

/*
 * Definitions live in an open-addressing hash table keyed by the bytes of
 * (module, name); the load factor stays at most one half.
 */
typedef struct link_def {
    uint64_t hash;
    char *module; /* module bytes, then name bytes, in one allocation */
    size_t module_len, name_len;
    kite_extern_t ext;
} link_def;

struct kite_linker {
    link_def *slots; /* module == NULL: empty */
    size_t cap, count;
    const kite_allocator_t *alloc; /* the engine's */
};

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

static uint64_t key_hash(const char *module, size_t ml, const char *name, size_t nl)
{
    uint64_t h = hash_bytes(0xCBF29CE484222325ull, module, ml);
    h = hash_bytes(h ^ 0xFF, name, nl);
    return h ^ ml;
}

static link_def *find(const kite_linker_t *l, uint64_t hash, const char *module, size_t ml,
                      const char *name, size_t nl)
{
    if (l->cap == 0)
        return NULL;
    for (size_t i = (size_t)hash & (l->cap - 1);; i = (i + 1) & (l->cap - 1)) {
        link_def *d = &l->slots[i];
        if (!d->module)
            return d;
        if (d->hash == hash && d->module_len == ml && d->name_len == nl &&
            memcmp(d->module, module, ml) == 0 && memcmp(d->module + ml, name, nl) == 0)
            return d;
    }
}

static bool grow(kite_linker_t *l)
{
    size_t cap = l->cap ? l->cap * 2 : 16;
    link_def *slots = kutil_calloc(l->alloc, cap, sizeof(link_def));
    if (!slots)
        return false;
    for (size_t i = 0; i < l->cap; i++) {
        link_def *d = &l->slots[i];
        if (!d->module)
            continue;
        size_t j = (size_t)d->hash & (cap - 1);
        while (slots[j].module)
            j = (j + 1) & (cap - 1);
        slots[j] = *d;
    }
    kutil_free(l->alloc, l->slots);
    l->slots = slots;
    l->cap = cap;
    return true;
}

kite_linker_t *kite_linker_new(kite_engine_t *engine)
{
    kite_linker_t *l = kutil_calloc(&engine->config.alloc, 1, sizeof(kite_linker_t));
    if (l)
        l->alloc = &engine->config.alloc;
    return l;
}

void kite_linker_free(kite_linker_t *linker)
{
    if (!linker)
        return;
    for (size_t i = 0; i < linker->cap; i++)
        kutil_free(linker->alloc, linker->slots[i].module);
    kutil_free(linker->alloc, linker->slots);
    kutil_free(linker->alloc, linker);
}

static kite_error_t *define(kite_linker_t *l, const char *module, size_t ml, const char *name,
                            size_t nl, kite_extern_t ext)
{
    if ((l->count + 1) * 2 > l->cap && !grow(l))
        return kutil_error_oom();
    uint64_t hash = key_hash(module, ml, name, nl);
    link_def *d = find(l, hash, module, ml, name, nl);
    if (d->module) {
        d->ext = ext;
        return NULL;
    }
    if (ml > SIZE_MAX - nl - 1)
        return kutil_error_oom();
    char *key = kutil_malloc(l->alloc, ml + nl + 1);
    if (!key)
        return kutil_error_oom();
    memcpy(key, module, ml);
    memcpy(key + ml, name, nl);
    key[ml + nl] = '\0';
    *d = (link_def){hash, key, ml, nl, ext};
    l->count++;
    return NULL;
}

kite_error_t *kite_linker_define(kite_linker_t *linker, const char *module, size_t module_len,
                                 const char *name, size_t name_len, kite_extern_t ext)
{
    if ((!module && module_len) || (!name && name_len))
        return kutil_error_new(linker->alloc, KITE_ERROR_ARGUMENT,
                               "linker definition without a name");
    return define(linker, module ? module : "", module_len, name ? name : "", name_len, ext);
}

kite_error_t *kite_linker_define_instance(kite_linker_t *linker, const char *module,
                                          size_t module_len, const kite_instance_t *instance)
{
    if ((!module && module_len) || !instance)
        return kutil_error_new(linker->alloc, KITE_ERROR_ARGUMENT,
                               "linker definition without a module name");
    if (!module)
        module = "";
    size_t ml = module_len;
    size_t n = kite_instance_export_count(instance);
    for (size_t i = 0; i < n; i++) {
        kite_export_desc_t d = kite_instance_export_desc(instance, i);
        kite_error_t *err =
            define(linker, module, ml, d.name, d.name_len, kite_instance_export_at(instance, i));
        if (err)
            return err;
    }
    return NULL;
}

bool kite_linker_get(const kite_linker_t *linker, const char *module, size_t module_len,
                     const char *name, size_t name_len, kite_extern_t *out)
{
    if ((!module && module_len) || (!name && name_len))
        return false;
    module = module ? module : "";
    name = name ? name : "";
    const link_def *d = find(linker, key_hash(module, module_len, name, name_len), module,
                             module_len, name, name_len);
    if (!d || !d->module)
        return false;
    *out = d->ext;
    return true;
}

kite_error_t *kite_linker_instantiate(kite_linker_t *linker, kite_store_t *store,
                                      const kite_module_t *module, kite_instance_t **out,
                                      kite_trap_t **trap)
{
    *out = NULL;
    if (trap)
        *trap = NULL;
    const kir_module *m = module->ir;
    kite_extern_t *imports =
        kutil_calloc(linker->alloc, m->nimports ? m->nimports : 1, sizeof(kite_extern_t));
    if (!imports)
        return kutil_error_oom();
    for (uint32_t i = 0; i < m->nimports; i++) {
        const kir_import *imp = &m->imports[i];
        const char *mp = name_bytes(&imp->module), *fp = name_bytes(&imp->field);
        uint64_t hash = key_hash(mp, imp->module.len, fp, imp->field.len);
        const link_def *d = find(linker, hash, mp, imp->module.len, fp, imp->field.len);
        if (!d || !d->module) {
            int ml = imp->module.len > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : (int)imp->module.len;
            int fl = imp->field.len > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : (int)imp->field.len;
            kutil_free(linker->alloc, imports);
            return kutil_error_new(linker->alloc, KITE_ERROR_UNLINKABLE,
                                   "unknown import \"%.*s\" \"%.*s\"", ml, mp, fl, fp);
        }
        imports[i] = d->ext;
    }
    kite_error_t *err = kite_instance_new(store, module, imports, m->nimports, out, trap);
    kutil_free(linker->alloc, imports);
    return err;
}
