/*
 * Section bodies of the binary format, except code (code.c): types, imports,
 * functions, tables, memories, tags, globals, exports, start, elements, data
 * count and data. Each reads from the decoder's module-wide reader; the
 * driver checks afterwards that the section's size was matched.
 */
#include <string.h>

#include "binary/internal.h"
#include "util/error.h"

/* ---- types ------------------------------------------------------------------- */

/* A vector of value types into a fresh arena array (NULL when empty). */
static bool valtype_vec(kdec_state *d, uint32_t *n, kir_valtype **out)
{
    if (!kdec_count(&d->r, n))
        return false;
    *out = NULL;
    if (*n == 0)
        return true;
    *out = kutil_arena_array(&d->m->arena, *n, sizeof(kir_valtype));
    if (!*out)
        return kdec_oom(&d->r);
    for (uint32_t i = 0; i < *n; i++)
        if (!kdec_valtype(&d->r, &(*out)[i]))
            return false;
    return true;
}

static bool mutability(kdec_reader *r, bool *out)
{
    uint8_t b;
    if (!kdec_u8(r, &b))
        return false;
    if (b > 1)
        return kdec_fail_at(r, kdec_offset(r) - 1, "malformed mutability");
    *out = b == 1;
    return true;
}

static bool fieldtype(kdec_reader *r, kir_field *f)
{
    return kdec_storagetype(r, &f->type) && mutability(r, &f->mutable_);
}

/*
 * comptype ::= 0x60 vec(valtype) vec(valtype)   func
 *            | 0x5F vec(fieldtype)              struct
 *            | 0x5E fieldtype                   array
 */
static bool comptype(kdec_state *d, kir_type *t)
{
    kdec_reader *r = &d->r;
    uint8_t b;
    if (!kdec_u8(r, &b))
        return false;
    if (b & 0x80)
        return kdec_fail(r, "integer representation too long");
    bool gc = kir_feature(d->config, KITE_FEATURE_GC);
    if (b == 0x60) {
        t->comp = KIR_COMP_FUNC;
        kir_valtype *params, *results;
        if (!valtype_vec(d, &t->nparams, &params) || !valtype_vec(d, &t->nresults, &results))
            return false;
        if (t->nresults == 0) {
            t->types = params;
        } else if (t->nparams == 0) {
            t->types = results;
        } else {
            t->types = kutil_arena_array(&d->m->arena, (size_t)t->nparams + t->nresults,
                                         sizeof(kir_valtype));
            if (!t->types)
                return kdec_oom(r);
            memcpy(t->types, params, t->nparams * sizeof(kir_valtype));
            memcpy(t->types + t->nparams, results, t->nresults * sizeof(kir_valtype));
        }
        return true;
    }
    if (b == 0x5F && gc) {
        t->comp = KIR_COMP_STRUCT;
        if (!kdec_count(r, &t->nfields) || !kdec_limit(r, 0, t->nfields, KDEC_MAX_FIELDS, "fields"))
            return false;
        if (t->nfields) {
            t->fields = kutil_arena_array(&d->m->arena, t->nfields, sizeof(kir_field));
            if (!t->fields)
                return kdec_oom(r);
        }
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!fieldtype(r, &t->fields[i]))
                return false;
        return true;
    }
    if (b == 0x5E && gc) {
        t->comp = KIR_COMP_ARRAY;
        t->nfields = 1;
        t->fields = kutil_arena_alloc(&d->m->arena, sizeof(kir_field));
        if (!t->fields)
            return kdec_oom(r);
        return fieldtype(r, &t->fields[0]);
    }
    return kdec_fail_at(r, kdec_offset(r) - 1, "malformed definition type");
}

/* subtype ::= 0x50 vec(typeidx) comptype | 0x4F vec(typeidx) comptype | comptype */
static bool subtype(kdec_state *d, uint32_t rec_start, uint32_t rec_size)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    if (!kdec_limit(r, m->ntypes, 1, KDEC_MAX_TYPES, "types"))
        return false;
    kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
    if (!t)
        return kdec_oom(r);
    t->final = true;
    t->super = KIR_NO_SUPER;
    t->rec_start = rec_start;
    t->rec_size = rec_size;
    if (r->p < r->end && (*r->p == 0x50 || *r->p == 0x4F) &&
        kir_feature(d->config, KITE_FEATURE_GC)) {
        t->final = *r->p == 0x4F;
        r->p++;
        uint64_t at = kdec_offset(r);
        uint32_t nsupers;
        if (!kdec_count(r, &nsupers))
            return false;
        for (uint32_t i = 0; i < nsupers; i++)
            if (!kdec_u32(r, &t->super))
                return false;
        if (nsupers > 1) {
            if (!r->error)
                r->error =
                    kutil_error_at_offset(r->alloc, KITE_ERROR_INVALID, at, "multiple supertypes");
            return false;
        }
    }
    return comptype(d, t);
}

/* rectype ::= 0x4E vec(subtype) | subtype (a group of one) */
bool kdec_type_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    uint32_t n;
    if (!kdec_count(r, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t start = d->m->ntypes;
        if (r->p < r->end && *r->p == 0x4E && kir_feature(d->config, KITE_FEATURE_GC)) {
            r->p++;
            uint32_t size;
            if (!kdec_count(r, &size))
                return false;
            for (uint32_t k = 0; k < size; k++)
                if (!subtype(d, start, size))
                    return false;
        } else if (!subtype(d, start, 1)) {
            return false;
        }
    }
    return true;
}

/* ---- tables, memories, globals, tags ------------------------------------------------ */

/*
 * limits ::= flags:byte min:u64 [max:u64] [pagesize:u32]
 *
 *   flags bit 0: max present   bit 1: shared (memories, threads)
 *         bit 2: 64-bit addresses   bit 3: custom page size follows (memories)
 */
static bool limits(kdec_state *d, bool memory, kir_limits *lim, uint32_t *page_log2)
{
    kdec_reader *r = &d->r;
    uint8_t flags;
    if (!kdec_u8(r, &flags))
        return false;
    uint8_t allowed = 0x05;
    if (memory) {
        if (kir_feature(d->config, KITE_FEATURE_THREADS))
            allowed |= 0x02;
        if (kir_feature(d->config, KITE_FEATURE_CUSTOM_PAGE_SIZES))
            allowed |= 0x08;
    }
    if (!kir_feature(d->config, KITE_FEATURE_MEMORY64))
        allowed &= (uint8_t)~0x04;
    if (flags & ~allowed)
        return kdec_fail_at(r, kdec_offset(r) - 1, "malformed limits flags");
    lim->has_max = flags & 0x01;
    lim->shared = flags & 0x02;
    lim->is64 = flags & 0x04;
    if (!kdec_u64(r, &lim->min))
        return false;
    if (lim->has_max && !kdec_u64(r, &lim->max))
        return false;
    if (memory)
        *page_log2 = 16;
    if (flags & 0x08) {
        uint64_t at = kdec_offset(r);
        if (!kdec_u32(r, page_log2))
            return false;
        /* Whether the size is one the proposal allows is for the validator;
         * one that does not even fit 64 bits cannot be represented. */
        if (*page_log2 >= 64)
            return kdec_fail_at(r, at, "invalid custom page size");
    }
    return true;
}

static bool tabletype(kdec_state *d, kir_table *t)
{
    return kdec_reftype(&d->r, &t->elem) && limits(d, false, &t->limits, NULL);
}

static bool globaltype(kdec_state *d, kir_global *g)
{
    return kdec_valtype(&d->r, &g->type) && mutability(&d->r, &g->mutable_);
}

/* tagtype ::= 0x00 typeidx (the attribute byte is always 0: exception) */
static bool tagtype(kdec_reader *r, kir_tag *t)
{
    uint8_t attr;
    if (!kdec_u8(r, &attr))
        return false;
    if (attr != 0)
        return kdec_fail_at(r, kdec_offset(r) - 1, "zero byte expected");
    return kdec_u32(r, &t->type);
}

/* ---- imports ------------------------------------------------------------------ */

static bool import_desc(kdec_state *d, kir_import *imp, uint32_t import_index)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint8_t kind;
    if (!kdec_u8(r, &kind))
        return false;
    imp->kind = (kir_extern_kind)kind;
    switch (kind) {
    case KIR_EXTERN_FUNC: {
        kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
        if (!f)
            return kdec_oom(r);
        imp->index = m->nfuncs - 1;
        m->nfunc_imports = m->nfuncs;
        f->import = import_index;
        return kdec_u32(r, &f->type);
    }
    case KIR_EXTERN_TABLE: {
        kir_table *t = KIR_PUSH(m, m->tables, m->ntables);
        if (!t)
            return kdec_oom(r);
        imp->index = m->ntables - 1;
        m->ntable_imports = m->ntables;
        t->import = import_index;
        return tabletype(d, t);
    }
    case KIR_EXTERN_MEMORY: {
        kir_memory *mem = KIR_PUSH(m, m->memories, m->nmemories);
        if (!mem)
            return kdec_oom(r);
        imp->index = m->nmemories - 1;
        m->nmemory_imports = m->nmemories;
        mem->import = import_index;
        return limits(d, true, &mem->limits, &mem->page_size_log2);
    }
    case KIR_EXTERN_GLOBAL: {
        kir_global *g = KIR_PUSH(m, m->globals, m->nglobals);
        if (!g)
            return kdec_oom(r);
        imp->index = m->nglobals - 1;
        m->nglobal_imports = m->nglobals;
        g->import = import_index;
        return globaltype(d, g);
    }
    case KIR_EXTERN_TAG:
        if (kir_feature(d->config, KITE_FEATURE_EXCEPTIONS)) {
            kir_tag *t = KIR_PUSH(m, m->tags, m->ntags);
            if (!t)
                return kdec_oom(r);
            imp->index = m->ntags - 1;
            m->ntag_imports = m->ntags;
            t->import = import_index;
            return tagtype(r, t);
        }
        break;
    default:
        break;
    }
    return kdec_fail_at(r, kdec_offset(r) - 1, "malformed import kind");
}

bool kdec_import_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, 0, n, KDEC_MAX_IMPORTS, "imports"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_name module, field;
        if (!kdec_name(r, m, &module) || !kdec_name(r, m, &field))
            return false;
        kir_import *imp = KIR_PUSH(m, m->imports, m->nimports);
        if (!imp)
            return kdec_oom(r);
        imp->module = module;
        imp->field = field;
        if (!import_desc(d, imp, m->nimports - 1))
            return false;
    }
    return true;
}

/* ---- functions, tables, memories, tags, globals ------------------------------------------ */

bool kdec_function_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    if (!kdec_count(r, &d->nfunc_decls) ||
        !kdec_limit(r, m->nfuncs, d->nfunc_decls, KDEC_MAX_FUNCS, "functions"))
        return false;
    for (uint32_t i = 0; i < d->nfunc_decls; i++) {
        kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
        if (!f)
            return kdec_oom(r);
        f->import = KIR_NONE;
        if (!kdec_u32(r, &f->type))
            return false;
    }
    return true;
}

/*
 * table ::= tabletype                          (initialized with ref.null)
 *         | 0x40 0x00 tabletype expr           (explicit initializer)
 * The spec tries the second form first and, if it fails, reads the first,
 * which then fails on the 0x40: the reported error is that one.
 */
static bool table(kdec_state *d, kir_table *t)
{
    kdec_reader *r = &d->r;
    const uint8_t *start = r->p;
    if (r->p < r->end && *r->p == 0x40) {
        r->p++;
        uint8_t zero;
        if (kdec_u8(r, &zero) && zero == 0 && tabletype(d, t) && kdec_const_expr(d, &t->init)) {
            t->has_init = true;
            return true;
        }
        if (r->error && kite_error_code(r->error) != KITE_ERROR_MALFORMED)
            return false;
        kite_error_free(r->error);
        r->error = NULL;
        r->p = start;
        return kdec_fail(r, "malformed reference type");
    }
    return tabletype(d, t);
}

bool kdec_table_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, m->ntables, n, KDEC_MAX_TABLES, "tables"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_table *t = KIR_PUSH(m, m->tables, m->ntables);
        if (!t)
            return kdec_oom(r);
        t->import = KIR_NONE;
        if (!table(d, t))
            return false;
    }
    return true;
}

bool kdec_memory_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, m->nmemories, n, KDEC_MAX_MEMORIES, "memories"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_memory *mem = KIR_PUSH(m, m->memories, m->nmemories);
        if (!mem)
            return kdec_oom(r);
        mem->import = KIR_NONE;
        if (!limits(d, true, &mem->limits, &mem->page_size_log2))
            return false;
    }
    return true;
}

bool kdec_tag_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, m->ntags, n, KDEC_MAX_TAGS, "tags"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_tag *t = KIR_PUSH(m, m->tags, m->ntags);
        if (!t)
            return kdec_oom(r);
        t->import = KIR_NONE;
        if (!tagtype(r, t))
            return false;
    }
    return true;
}

bool kdec_global_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, m->nglobals, n, KDEC_MAX_GLOBALS, "globals"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_global *g = KIR_PUSH(m, m->globals, m->nglobals);
        if (!g)
            return kdec_oom(r);
        g->import = KIR_NONE;
        if (!globaltype(d, g) || !kdec_const_expr(d, &g->init))
            return false;
    }
    return true;
}

/* ---- exports and start -------------------------------------------------------------- */

bool kdec_export_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, 0, n, KDEC_MAX_EXPORTS, "exports"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_name name;
        uint8_t kind;
        if (!kdec_name(r, m, &name) || !kdec_u8(r, &kind))
            return false;
        if (kind > KIR_EXTERN_TAG ||
            (kind == KIR_EXTERN_TAG && !kir_feature(d->config, KITE_FEATURE_EXCEPTIONS)))
            return kdec_fail_at(r, kdec_offset(r) - 1, "malformed export kind");
        kir_export *e = KIR_PUSH(m, m->exports, m->nexports);
        if (!e)
            return kdec_oom(r);
        e->name = name;
        e->kind = (kir_extern_kind)kind;
        if (!kdec_u32(r, &e->index))
            return false;
    }
    return true;
}

bool kdec_start_section(kdec_state *d) { return kdec_u32(&d->r, &d->m->start); }

/* ---- element segments ------------------------------------------------------------------ */

/* elemkind ::= 0x00 (funcref) */
static bool elemkind(kdec_reader *r, kir_valtype *type)
{
    uint8_t b;
    if (!kdec_u8(r, &b))
        return false;
    if (b != 0x00)
        return kdec_fail_at(r, kdec_offset(r) - 1, "malformed element kind");
    *type = kir_vt_ref(false, false, KIR_HEAP_FUNC);
    return true;
}

static bool elem_funcs(kdec_state *d, kir_elem *e)
{
    kdec_reader *r = &d->r;
    if (!kdec_count(r, &e->count))
        return false;
    e->funcs = kutil_arena_array(&d->m->arena, e->count ? e->count : 1, sizeof(uint32_t));
    if (!e->funcs)
        return kdec_oom(r);
    for (uint32_t i = 0; i < e->count; i++)
        if (!kdec_u32(r, &e->funcs[i]))
            return false;
    return true;
}

static bool elem_exprs(kdec_state *d, kir_elem *e)
{
    kdec_reader *r = &d->r;
    if (!kdec_count(r, &e->count))
        return false;
    e->exprs = kutil_arena_array(&d->m->arena, e->count ? e->count : 1, sizeof(kir_expr));
    if (!e->exprs)
        return kdec_oom(r);
    for (uint32_t i = 0; i < e->count; i++)
        if (!kdec_const_expr(d, &e->exprs[i]))
            return false;
    return true;
}

/*
 * elem ::= flags:u32 then, by the flags' bits (0: passive or declarative,
 * 1: explicit table index (active) / declarative (otherwise), 2: elements
 * are expressions with a reference type, else function indices with an
 * element kind):
 *
 *   0  expr vec(funcidx)                      active, table 0, (ref func)
 *   1  elemkind vec(funcidx)                  passive
 *   2  tableidx expr elemkind vec(funcidx)    active
 *   3  elemkind vec(funcidx)                  declarative
 *   4  expr vec(expr)                         active, table 0, funcref
 *   5  reftype vec(expr)                      passive
 *   6  tableidx expr reftype vec(expr)        active
 *   7  reftype vec(expr)                      declarative
 */
static bool elem(kdec_state *d, kir_elem *e)
{
    kdec_reader *r = &d->r;
    uint64_t at = kdec_offset(r);
    uint32_t flags;
    if (!kdec_u32(r, &flags))
        return false;
    if (flags > 7)
        return kdec_fail_at(r, at, "malformed elements segment kind");
    bool exprs = flags & 4;
    if (flags & 1) {
        e->mode = (flags & 2) ? KIR_SEG_DECLARATIVE : KIR_SEG_PASSIVE;
    } else {
        e->mode = KIR_SEG_ACTIVE;
        if ((flags & 2) && !kdec_u32(r, &e->table))
            return false;
        if (!kdec_const_expr(d, &e->offset))
            return false;
    }
    if (flags == 0) {
        e->type = kir_vt_ref(false, false, KIR_HEAP_FUNC);
    } else if (flags == 4) {
        e->type = KIR_FUNCREF;
    } else if (exprs) {
        if (!kdec_reftype(r, &e->type))
            return false;
    } else if (!elemkind(r, &e->type)) {
        return false;
    }
    return exprs ? elem_exprs(d, e) : elem_funcs(d, e);
}

bool kdec_elem_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, 0, n, KDEC_MAX_ELEMS, "element segments"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_elem *e = KIR_PUSH(m, m->elems, m->nelems);
        if (!e)
            return kdec_oom(r);
        if (!elem(d, e))
            return false;
    }
    return true;
}

/* ---- data ---------------------------------------------------------------------------- */

bool kdec_datacount_section(kdec_state *d)
{
    d->m->has_data_count = true;
    return kdec_u32(&d->r, &d->m->data_count);
}

/*
 * data ::= 0 expr vec(byte)              active, memory 0
 *        | 1 vec(byte)                   passive
 *        | 2 memidx expr vec(byte)       active
 */
static bool data(kdec_state *d, kir_data *seg)
{
    kdec_reader *r = &d->r;
    uint64_t at = kdec_offset(r);
    uint32_t flags;
    if (!kdec_u32(r, &flags))
        return false;
    if (flags > 2)
        return kdec_fail_at(r, at, "malformed data segment kind");
    if (flags == 1) {
        seg->mode = KIR_SEG_PASSIVE;
    } else {
        seg->mode = KIR_SEG_ACTIVE;
        if (flags == 2 && !kdec_u32(r, &seg->memory))
            return false;
        if (!kdec_const_expr(d, &seg->offset))
            return false;
    }
    return kdec_count(r, &seg->len) && kdec_bytes(r, seg->len, &seg->bytes);
}

bool kdec_data_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    uint32_t n;
    if (!kdec_count(r, &n) || !kdec_limit(r, 0, n, KDEC_MAX_DATAS, "data segments"))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        kir_data *seg = KIR_PUSH(m, m->datas, m->ndatas);
        if (!seg)
            return kdec_oom(r);
        if (!data(d, seg))
            return false;
    }
    return true;
}
