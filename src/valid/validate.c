/*
 * Module-level validation: the order follows the spec's module rule (types,
 * imports and their types, tags, globals, memories, tables, then data and
 * element segments, function bodies, start, exports). Constant expressions
 * of globals see only the globals before them; table initializers only
 * imported globals; segments all globals.
 *
 * Functions that ref.func may name in function bodies (C.refs) are those
 * named anywhere outside function bodies: exports, element segments, and
 * ref.func in any constant expression. They are recorded in
 * m->func_declared before the bodies are checked.
 */
#include "valid/validate.h"

#include <string.h>

#include "ir/config.h"
#include "util/alloc.h"
#include "valid/internal.h"

#define TRY(x)                   \
    do {                         \
        kite_error_t *e_ = (x);  \
        if (e_)                  \
            return e_;           \
    } while (0)

static bool feature(const kval_ctx *v, kite_feature_t f) { return !v->config || kir_feature(v->config, f); }

static kite_error_t *check_func_type(const kval_ctx *v, uint32_t type)
{
    if (type >= v->m->ntypes)
        return kval_error(v, KVAL_NOPOS, "unknown type %u", type);
    if (v->m->types[type].comp != KIR_COMP_FUNC)
        return kval_error(v, KVAL_NOPOS, "type mismatch: type %u is not a function type", type);
    return NULL;
}

static kite_error_t *check_tags(const kval_ctx *v)
{
    for (uint32_t i = 0; i < v->m->ntags; i++) {
        uint32_t type = v->m->tags[i].type;
        TRY(check_func_type(v, type));
        if (v->m->types[type].nresults != 0)
            return kval_error(v, KVAL_NOPOS, "non-empty tag result type (tag %u)", i);
    }
    return NULL;
}

static kite_error_t *check_globals(kval_ctx *v)
{
    const kir_module *m = v->m;
    for (uint32_t i = 0; i < m->nglobals; i++) {
        const kir_global *g = &m->globals[i];
        TRY(kval_check_valtype(v, g->type, m->ntypes, KVAL_NOPOS));
        if (kval_is_packed(g->type))
            return kval_error(v, KVAL_NOPOS, "type mismatch: packed global type");
        if (g->import == KIR_NONE)
            TRY(kval_check_const(v, &g->init, g->type, i));
    }
    return NULL;
}

static kite_error_t *check_limits(const kval_ctx *v, const kir_limits *l, uint64_t bound, const char *what)
{
    if (l->min > bound || (l->has_max && l->max > bound))
        return kval_error(v, KVAL_NOPOS, "%s", what);
    if (l->has_max && l->min > l->max)
        return kval_error(v, KVAL_NOPOS, "size minimum must not be greater than maximum");
    return NULL;
}

static kite_error_t *check_memories(const kval_ctx *v)
{
    const kir_module *m = v->m;
    if (m->nmemories > 1 && !feature(v, KITE_FEATURE_MULTI_MEMORY))
        return kval_error(v, KVAL_NOPOS, "multiple memories");
    if (m->ntables > 1 && !feature(v, KITE_FEATURE_REFERENCE_TYPES))
        return kval_error(v, KVAL_NOPOS, "multiple tables");
    for (uint32_t i = 0; i < m->nmemories; i++) {
        const kir_memory *mem = &m->memories[i];
        const kir_limits *l = &mem->limits;
        uint64_t bound;
        const char *msg;
        if (mem->page_size_log2 == 16) {
            bound = l->is64 ? (uint64_t)1 << 48 : (uint64_t)1 << 16;
            msg = l->is64 ? "memory size must be at most 2^48 pages (256TiB)"
                          : "memory size must be at most 65536 pages (4GiB)";
        } else if (mem->page_size_log2 == 0) {
            bound = l->is64 ? UINT64_MAX : UINT32_MAX;
            msg = l->is64 ? "memory size must be at most 2^64-1 pages of 1 byte"
                          : "memory size must be at most 2^32-1 pages of 1 byte";
        } else {
            return kval_error(v, KVAL_NOPOS, "invalid custom page size");
        }
        TRY(check_limits(v, l, bound, msg));
        if (l->shared && !l->has_max)
            return kval_error(v, KVAL_NOPOS, "shared memory must have maximum");
    }
    return NULL;
}

static kite_error_t *check_tables(kval_ctx *v)
{
    const kir_module *m = v->m;
    for (uint32_t i = 0; i < m->ntables; i++) {
        const kir_table *t = &m->tables[i];
        TRY(kval_check_valtype(v, t->elem, m->ntypes, KVAL_NOPOS));
        if (!kir_vt_is_ref(t->elem))
            return kval_error(v, KVAL_NOPOS, "type mismatch: table element type must be a reference type");
        TRY(check_limits(v, &t->limits, t->limits.is64 ? UINT64_MAX : UINT32_MAX,
                         t->limits.is64 ? "table size must be at most 2^64-1" : "table size must be at most 2^32-1"));
        if (t->import != KIR_NONE)
            continue;
        if (t->has_init)
            TRY(kval_check_const(v, &t->init, t->elem, m->nglobal_imports));
        else if (!kir_vt_nullable(t->elem))
            return kval_error(v, KVAL_NOPOS, "type mismatch: table of non-nullable type needs an initializer");
    }
    return NULL;
}

static kite_error_t *check_datas(kval_ctx *v)
{
    const kir_module *m = v->m;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const kir_data *d = &m->datas[i];
        if (d->mode != KIR_SEG_ACTIVE)
            continue;
        if (d->memory >= m->nmemories)
            return kval_error(v, d->offset.offset, "unknown memory %u", d->memory);
        kir_valtype at = kir_vt(m->memories[d->memory].limits.is64 ? KIR_I64 : KIR_I32);
        TRY(kval_check_const(v, &d->offset, at, m->nglobals));
    }
    return NULL;
}

static kite_error_t *check_elems(kval_ctx *v)
{
    kir_module *m = v->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const kir_elem *e = &m->elems[i];
        TRY(kval_check_valtype(v, e->type, m->ntypes, KVAL_NOPOS));
        if (!kir_vt_is_ref(e->type))
            return kval_error(v, KVAL_NOPOS, "type mismatch: element type must be a reference type");
        for (uint32_t j = 0; j < e->count; j++) {
            if (e->funcs) {
                uint32_t f = e->funcs[j];
                if (f >= m->nfuncs)
                    return kval_error(v, KVAL_NOPOS, "unknown function %u", f);
                if (!kval_sub(v, kir_vt_ref(false, true, m->funcs[f].type), e->type))
                    return kval_error(v, KVAL_NOPOS, "type mismatch: function %u does not match the element type", f);
            } else if (e->exprs) {
                TRY(kval_check_const(v, &e->exprs[j], e->type, m->nglobals));
            }
        }
        if (e->mode != KIR_SEG_ACTIVE)
            continue;
        if (e->table >= m->ntables)
            return kval_error(v, e->offset.offset, "unknown table %u", e->table);
        const kir_table *t = &m->tables[e->table];
        if (!kval_sub(v, e->type, t->elem)) {
            kval_sb a = {0}, b = {0};
            kval_sb_type(&a, e->type);
            kval_sb_type(&b, t->elem);
            return kval_error(v, e->offset.offset,
                              "type mismatch: element segment's type %s does not match table's element type %s",
                              a.buf, b.buf);
        }
        TRY(kval_check_const(v, &e->offset, kir_vt(t->limits.is64 ? KIR_I64 : KIR_I32), m->nglobals));
    }
    return NULL;
}

static kite_error_t *check_start(const kval_ctx *v)
{
    const kir_module *m = v->m;
    if (m->start == KIR_NONE)
        return NULL;
    if (m->start >= m->nfuncs)
        return kval_error(v, KVAL_NOPOS, "unknown function %u", m->start);
    const kir_type *t = kir_func_type(m, m->start);
    if (t->nparams || t->nresults)
        return kval_error(v, KVAL_NOPOS, "start function must not have parameters or results");
    return NULL;
}

static uint32_t name_hash(const kir_name *n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n->len; i++)
        h = (h ^ (uint8_t)n->ptr[i]) * 16777619u;
    return h;
}

/* Export index ranges (marking exported functions declared) and unique names. */
static kite_error_t *check_exports(const kval_ctx *v)
{
    const kir_module *m = v->m;
    static const char *const kinds[] = {"function", "table", "memory", "global", "tag"};
    for (uint32_t i = 0; i < m->nexports; i++) {
        const kir_export *e = &m->exports[i];
        uint32_t n;
        switch (e->kind) {
        case KIR_EXTERN_FUNC: n = m->nfuncs; break;
        case KIR_EXTERN_TABLE: n = m->ntables; break;
        case KIR_EXTERN_MEMORY: n = m->nmemories; break;
        case KIR_EXTERN_GLOBAL: n = m->nglobals; break;
        case KIR_EXTERN_TAG: n = m->ntags; break;
        default: return kval_error(v, KVAL_NOPOS, "malformed export kind");
        }
        if (e->index >= n)
            return kval_error(v, KVAL_NOPOS, "unknown %s %u", kinds[e->kind], e->index);
        if (e->kind == KIR_EXTERN_FUNC)
            m->func_declared[e->index] = 1;
    }
    if (m->nexports < 2)
        return NULL;
    uint32_t cap = 4;
    while (cap < m->nexports * 2u)
        cap *= 2;
    uint32_t *slots = kutil_calloc(v->alloc, cap, sizeof(uint32_t));
    if (!slots)
        return kutil_error_oom();
    kite_error_t *err = NULL;
    for (uint32_t i = 0; i < m->nexports && !err; i++) {
        const kir_name *nm = &m->exports[i].name;
        uint32_t s = name_hash(nm) & (cap - 1);
        for (; slots[s]; s = (s + 1) & (cap - 1)) {
            const kir_name *other = &m->exports[slots[s] - 1].name;
            if (other->len == nm->len && memcmp(other->ptr, nm->ptr, nm->len) == 0) {
                err = kval_error(v, KVAL_NOPOS, "duplicate export name \"%s\"", nm->ptr);
                break;
            }
        }
        slots[s] = i + 1;
    }
    kutil_free(v->alloc, slots);
    return err;
}

static kite_error_t *validate_module(kval_ctx *v)
{
    kir_module *m = v->m;
    if (m->nexports > UINT32_MAX / 2)
        return kval_error_kind(v, KITE_ERROR_LIMIT, KVAL_NOPOS, "too many exports");
    m->func_declared = kutil_arena_alloc(&m->arena, m->nfuncs ? m->nfuncs : 1);
    if (!m->func_declared)
        return kutil_error_oom();
    TRY(kval_check_types(v));
    for (uint32_t i = 0; i < m->nfuncs; i++)
        TRY(check_func_type(v, m->funcs[i].type));
    TRY(check_tags(v));
    TRY(check_exports(v));
    for (uint32_t i = 0; i < m->nelems; i++) {
        const kir_elem *e = &m->elems[i];
        for (uint32_t j = 0; e->funcs && j < e->count; j++)
            if (e->funcs[j] < m->nfuncs)
                m->func_declared[e->funcs[j]] = 1;
    }
    TRY(check_globals(v));
    TRY(check_memories(v));
    TRY(check_tables(v));
    TRY(check_datas(v));
    TRY(check_elems(v));
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++)
        if (m->funcs[i].import == KIR_NONE)
            TRY(kval_check_body(v, i));
    return check_start(v);
}

kite_error_t *kval_validate(const struct kite_config *config, ktype_canon *canon, kir_module *m)
{
    kval_ctx v = {config, config ? &config->alloc : &kutil_libc, canon, m, NULL};
    kite_error_t *err = validate_module(&v);
    kval_code_free(&v);
    if (!err)
        m->validated = true;
    return err;
}
