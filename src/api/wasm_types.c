/*
 * wasm.h vectors and type objects: value, function, global, table, memory,
 * extern, import and export types. Types are plain records owned by whoever
 * holds them; nothing here touches a store.
 */
#include <string.h>

#include "api/wasm_internal.h"
#include "util/alloc.h"

void *kapi_alloc(size_t size) { return kutil_malloc(&kutil_libc, size); }
void *kapi_calloc(size_t count, size_t size) { return kutil_calloc(&kutil_libc, count, size); }
void kapi_free(void *p) { kutil_free(&kutil_libc, p); }

/* ---- vectors ------------------------------------------------------------------------------- */

/*
 * One definition per vector type. `copy_elem(dst, src)` makes an owned copy
 * of one element (false when out of memory) and `delete_elem(e)` releases
 * one; both are given element addresses.
 */
#define KAPI_VEC(name, elem_t, copy_elem, delete_elem)                                      \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out)                              \
    {                                                                                       \
        out->size = 0;                                                                      \
        out->data = NULL;                                                                   \
    }                                                                                       \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size)         \
    {                                                                                       \
        out->data = size ? kapi_calloc(size, sizeof(elem_t)) : NULL;                        \
        out->size = out->data ? size : 0;                                                   \
    }                                                                                       \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size, elem_t const data[])  \
    {                                                                                       \
        wasm_##name##_vec_new_uninitialized(out, size);                                     \
        if (out->size) {                                                                    \
            memcpy(out->data, data, size * sizeof(elem_t));                                 \
            return;                                                                         \
        }                                                                                   \
        for (size_t i = 0; i < size; i++) { /* out of memory: the elements were given */    \
            elem_t given = data[i];                                                         \
            delete_elem(&given);                                                            \
        }                                                                                   \
    }                                                                                       \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src)   \
    {                                                                                       \
        wasm_##name##_vec_new_uninitialized(out, src->size);                                \
        for (size_t i = 0; i < out->size; i++) {                                            \
            if (!copy_elem(&out->data[i], &src->data[i])) {                                 \
                wasm_##name##_vec_delete(out);                                              \
                return;                                                                     \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *vec)                                 \
    {                                                                                       \
        if (!vec)                                                                           \
            return;                                                                         \
        for (size_t i = 0; i < vec->size; i++)                                              \
            delete_elem(&vec->data[i]);                                                     \
        kapi_free(vec->data);                                                               \
        vec->size = 0;                                                                      \
        vec->data = NULL;                                                                   \
    }

static bool copy_byte(wasm_byte_t *dst, const wasm_byte_t *src)
{
    *dst = *src;
    return true;
}
static void delete_byte(wasm_byte_t *b) { (void)b; }
KAPI_VEC(byte, wasm_byte_t, copy_byte, delete_byte)

static bool copy_val(wasm_val_t *dst, const wasm_val_t *src)
{
    wasm_val_copy(dst, src);
    return !(wasm_valkind_is_ref(src->kind) && src->of.ref && !dst->of.ref);
}
KAPI_VEC(val, wasm_val_t, copy_val, wasm_val_delete)

/* Vectors of owned objects: elements are copied with wasm_X_copy. */
#define KAPI_PTR_VEC(name)                                                                \
    static bool copy_##name(wasm_##name##_t **dst, wasm_##name##_t *const *src)           \
    {                                                                                     \
        *dst = *src ? wasm_##name##_copy(*src) : NULL;                                    \
        return *dst || !*src;                                                             \
    }                                                                                     \
    static void delete_##name(wasm_##name##_t **e) { wasm_##name##_delete(*e); }          \
    KAPI_VEC(name, wasm_##name##_t *, copy_##name, delete_##name)

KAPI_PTR_VEC(valtype)
KAPI_PTR_VEC(functype)
KAPI_PTR_VEC(globaltype)
KAPI_PTR_VEC(tabletype)
KAPI_PTR_VEC(memorytype)
KAPI_PTR_VEC(externtype)
KAPI_PTR_VEC(importtype)
KAPI_PTR_VEC(exporttype)
KAPI_PTR_VEC(frame)
KAPI_PTR_VEC(extern)

/* ---- value types ------------------------------------------------------------------------- */

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind)
{
    switch (kind) {
    case WASM_I32:
    case WASM_I64:
    case WASM_F32:
    case WASM_F64:
    case WASM_V128:
    case WASM_EXTERNREF:
    case WASM_FUNCREF:
    case WASM_ANYREF:
    case WASM_EXNREF: break;
    default: return NULL;
    }
    wasm_valtype_t *t = kapi_alloc(sizeof(*t));
    if (t)
        t->kind = kind;
    return t;
}

void wasm_valtype_delete(wasm_valtype_t *t) { kapi_free(t); }
wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) { return wasm_valtype_new(t->kind); }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }

/* ---- function types ---------------------------------------------------------------------- */

/* Whether every element is there (a valtype made when memory ran out is
 * NULL). */
static bool complete(const wasm_valtype_vec_t *v)
{
    for (size_t i = 0; i < v->size; i++)
        if (!v->data[i])
            return false;
    return true;
}

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results)
{
    wasm_functype_t *f = complete(params) && complete(results) ? kapi_alloc(sizeof(*f)) : NULL;
    if (!f) {
        wasm_valtype_vec_delete(params);
        wasm_valtype_vec_delete(results);
        return NULL;
    }
    f->ext.kind = WASM_EXTERN_FUNC;
    f->params = *params;
    f->results = *results;
    return f;
}

void wasm_functype_delete(wasm_functype_t *f)
{
    if (!f)
        return;
    wasm_valtype_vec_delete(&f->params);
    wasm_valtype_vec_delete(&f->results);
    kapi_free(f);
}

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *f)
{
    wasm_valtype_vec_t ps, rs;
    wasm_valtype_vec_copy(&ps, &f->params);
    wasm_valtype_vec_copy(&rs, &f->results);
    if (ps.size != f->params.size || rs.size != f->results.size) {
        wasm_valtype_vec_delete(&ps);
        wasm_valtype_vec_delete(&rs);
        return NULL;
    }
    return wasm_functype_new(&ps, &rs);
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *f) { return &f->params; }
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *f) { return &f->results; }

/* ---- global, table and memory types ------------------------------------------------------ */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mutability)
{
    wasm_globaltype_t *g = content ? kapi_alloc(sizeof(*g)) : NULL;
    if (!g) {
        wasm_valtype_delete(content);
        return NULL;
    }
    g->ext.kind = WASM_EXTERN_GLOBAL;
    g->content = content;
    g->mutability = mutability;
    return g;
}

void wasm_globaltype_delete(wasm_globaltype_t *g)
{
    if (!g)
        return;
    wasm_valtype_delete(g->content);
    kapi_free(g);
}

wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *g)
{
    return wasm_globaltype_new(wasm_valtype_copy(g->content), g->mutability);
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *g) { return g->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *g) { return g->mutability; }

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element, const wasm_limits_t *limits)
{
    wasm_tabletype_t *t = element ? kapi_alloc(sizeof(*t)) : NULL;
    if (!t) {
        wasm_valtype_delete(element);
        return NULL;
    }
    t->ext.kind = WASM_EXTERN_TABLE;
    t->element = element;
    t->limits = *limits;
    return t;
}

void wasm_tabletype_delete(wasm_tabletype_t *t)
{
    if (!t)
        return;
    wasm_valtype_delete(t->element);
    kapi_free(t);
}

wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t)
{
    return wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits);
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) { return t->element; }
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) { return &t->limits; }

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
    wasm_memorytype_t *m = kapi_alloc(sizeof(*m));
    if (!m)
        return NULL;
    m->ext.kind = WASM_EXTERN_MEMORY;
    m->limits = *limits;
    return m;
}

void wasm_memorytype_delete(wasm_memorytype_t *m) { kapi_free(m); }

wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *m)
{
    return wasm_memorytype_new(&m->limits);
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *m) { return &m->limits; }

wasm_limits_t kapi_limits_from_kite(const kite_limits_t *l)
{
    wasm_limits_t w;
    w.min = l->min > UINT32_MAX ? UINT32_MAX : (uint32_t)l->min;
    w.max = l->has_max && l->max < wasm_limits_max_default ? (uint32_t)l->max
                                                           : wasm_limits_max_default;
    return w;
}

kite_limits_t kapi_limits_to_kite(const wasm_limits_t *l)
{
    kite_limits_t k = {l->min, 0, false, false, false};
    if (l->max != wasm_limits_max_default) {
        k.max = l->max;
        k.has_max = true;
    }
    return k;
}

/* ---- extern types ------------------------------------------------------------------------ */

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *e) { return e->kind; }

void wasm_externtype_delete(wasm_externtype_t *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case WASM_EXTERN_FUNC: wasm_functype_delete(wasm_externtype_as_functype(e)); break;
    case WASM_EXTERN_GLOBAL: wasm_globaltype_delete(wasm_externtype_as_globaltype(e)); break;
    case WASM_EXTERN_TABLE: wasm_tabletype_delete(wasm_externtype_as_tabletype(e)); break;
    case WASM_EXTERN_MEMORY: wasm_memorytype_delete(wasm_externtype_as_memorytype(e)); break;
    }
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *e)
{
    switch (e->kind) {
    case WASM_EXTERN_FUNC:
        return (wasm_externtype_t *)wasm_functype_copy(wasm_externtype_as_functype_const(e));
    case WASM_EXTERN_GLOBAL:
        return (wasm_externtype_t *)wasm_globaltype_copy(wasm_externtype_as_globaltype_const(e));
    case WASM_EXTERN_TABLE:
        return (wasm_externtype_t *)wasm_tabletype_copy(wasm_externtype_as_tabletype_const(e));
    case WASM_EXTERN_MEMORY:
        return (wasm_externtype_t *)wasm_memorytype_copy(wasm_externtype_as_memorytype_const(e));
    }
    return NULL;
}

/* The views: the extern type is the first member of each specific type. */
#define KAPI_EXTERNTYPE_VIEWS(name, KIND)                                                     \
    wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) { return &t->ext; }    \
    const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t)      \
    {                                                                                         \
        return &t->ext;                                                                       \
    }                                                                                         \
    wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *e)                          \
    {                                                                                         \
        return e && e->kind == KIND ? (wasm_##name##_t *)(void *)e : NULL;                   \
    }                                                                                         \
    const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *e)      \
    {                                                                                         \
        return e && e->kind == KIND ? (const wasm_##name##_t *)(const void *)e : NULL;       \
    }

KAPI_EXTERNTYPE_VIEWS(functype, WASM_EXTERN_FUNC)
KAPI_EXTERNTYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
KAPI_EXTERNTYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
KAPI_EXTERNTYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

/* ---- import and export types ------------------------------------------------------------- */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type)
{
    wasm_importtype_t *i = type ? kapi_alloc(sizeof(*i)) : NULL;
    if (!i) {
        wasm_name_delete(module);
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    i->module = *module;
    i->name = *name;
    i->type = type;
    return i;
}

void wasm_importtype_delete(wasm_importtype_t *i)
{
    if (!i)
        return;
    wasm_name_delete(&i->module);
    wasm_name_delete(&i->name);
    wasm_externtype_delete(i->type);
    kapi_free(i);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *i)
{
    wasm_name_t module, name;
    wasm_name_copy(&module, &i->module);
    wasm_name_copy(&name, &i->name);
    wasm_externtype_t *type = wasm_externtype_copy(i->type);
    if (module.size != i->module.size || name.size != i->name.size) {
        wasm_externtype_delete(type);
        type = NULL; /* wasm_importtype_new releases the names */
    }
    return wasm_importtype_new(&module, &name, type);
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *i) { return &i->module; }
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *i) { return &i->name; }
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *i) { return i->type; }

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type)
{
    wasm_exporttype_t *e = type ? kapi_alloc(sizeof(*e)) : NULL;
    if (!e) {
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    e->name = *name;
    e->type = type;
    return e;
}

void wasm_exporttype_delete(wasm_exporttype_t *e)
{
    if (!e)
        return;
    wasm_name_delete(&e->name);
    wasm_externtype_delete(e->type);
    kapi_free(e);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *e)
{
    wasm_name_t name;
    wasm_name_copy(&name, &e->name);
    wasm_externtype_t *type = wasm_externtype_copy(e->type);
    if (name.size != e->name.size) {
        wasm_externtype_delete(type);
        type = NULL;
    }
    return wasm_exporttype_new(&name, type);
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *e) { return &e->name; }
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *e) { return e->type; }
