/*
 * The WAT module parser: module fields to an ir module.
 *
 * Pass 1 walks the fields, binds every identifier of the module-level index
 * spaces (types, functions, tables, memories, globals, tags, elem and data
 * segments) and records where each field starts; it also enforces the
 * field-order rules of the text format (imports before definitions, one
 * start). Pass 2 re-reads each field from its saved lexer state: all type
 * definitions first (inline type uses are matched against them, implicit
 * types are appended after them), then every other field in text order.
 * Because imports precede definitions, text order is index order in every
 * index space.
 */
#include "text/parse.h"

#include <string.h>

#include "ir/config.h"
#include "text/parse_int.h"
#include "util/alloc.h"
#include "util/error.h"

enum field_kind {
    FD_TYPE,
    FD_REC,
    FD_IMPORT,
    FD_FUNC,
    FD_TABLE,
    FD_MEMORY,
    FD_GLOBAL,
    FD_TAG,
    FD_EXPORT,
    FD_START,
    FD_ELEM,
    FD_DATA,
};

typedef struct field_rec {
    ktext_lexer at; /* just after the field keyword */
    uint8_t kind;
    ktext_span span; /* where it is (for annotations) */
} field_rec;

/* A growable temporary array (the parser's allocator). */
typedef struct tvec {
    void *data;
    uint32_t n, cap;
} tvec;

static void *tvec_push(ktext_parser *p, tvec *v, size_t size)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 16;
        if (cap > (1u << 28)) {
            ktext_oom(p);
            return NULL;
        }
        void *n = kutil_realloc(p->alloc, v->data, (size_t)cap * size);
        if (!n) {
            ktext_oom(p);
            return NULL;
        }
        v->data = n;
        v->cap = cap;
    }
    return (uint8_t *)v->data + (size_t)(v->n++) * size;
}

typedef struct pass1 {
    uint32_t count[KTEXT_SP_COUNT];
    int last_def; /* field kind of the latest definition, -1 if none */
    bool func_named;
    tvec fields;
} pass1;

static const struct {
    const char *kw;
    uint8_t kind;
    ktext_space space;
} g_fields[] = {
    {"type", FD_TYPE, KTEXT_SP_TYPE},        {"rec", FD_REC, KTEXT_SP_TYPE},
    {"import", FD_IMPORT, KTEXT_SP_COUNT},   {"func", FD_FUNC, KTEXT_SP_FUNC},
    {"table", FD_TABLE, KTEXT_SP_TABLE},     {"memory", FD_MEMORY, KTEXT_SP_MEMORY},
    {"global", FD_GLOBAL, KTEXT_SP_GLOBAL},  {"tag", FD_TAG, KTEXT_SP_TAG},
    {"export", FD_EXPORT, KTEXT_SP_COUNT},   {"start", FD_START, KTEXT_SP_COUNT},
    {"elem", FD_ELEM, KTEXT_SP_ELEM},        {"data", FD_DATA, KTEXT_SP_DATA},
};

static const char *def_name(int kind)
{
    switch (kind) {
    case FD_FUNC: return "function";
    case FD_TABLE: return "table";
    case FD_MEMORY: return "memory";
    case FD_GLOBAL: return "global";
    default: return "tag";
    }
}

static bool skip_rest(ktext_parser *p)
{
    if (ktext_skip_sexpr(&p->lx))
        return true;
    if (!p->err)
        p->err = p->lx.error ? p->lx.error
                             : kutil_error_new(p->alloc, KITE_ERROR_MALFORMED, "unexpected token");
    else
        kite_error_free(p->lx.error);
    p->lx.error = NULL;
    return false;
}

/* ---- pass 1 -------------------------------------------------------------- */

/* The optional $id of a definition: bound to the next index of its space. */
static bool p1_bind(ktext_parser *p, pass1 *s, ktext_space sp, bool *named)
{
    ktext_token t;
    if (named)
        *named = false;
    if (!ktext_look(p, &t))
        return false;
    if (t.kind == KTEXT_ID) {
        if (!ktext_get(p, &t) || !ktext_sym_bind(p, sp, 0, &t, s->count[sp]))
            return false;
        if (named)
            *named = true;
    }
    s->count[sp]++;
    return true;
}

/* The rest of a definition field: is it an inline import, and does it use
 * the inline (elem ...) / (data ...) abbreviation? */
static bool p1_scan(ktext_parser *p, bool *import, bool *elem, bool *data)
{
    *import = *elem = *data = false;
    for (;;) {
        ktext_token t;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        if (t.kind == KTEXT_EOF)
            return ktext_unexpected(p, &t);
        if (t.kind != KTEXT_LPAREN)
            continue;
        if (!ktext_get(p, &t))
            return false;
        *import |= ktext_is_kw(&t, "import");
        *elem |= ktext_is_kw(&t, "elem");
        *data |= ktext_is_kw(&t, "data");
        if (t.kind == KTEXT_RPAREN)
            continue;
        if (t.kind == KTEXT_LPAREN && !skip_rest(p))
            return false;
        if (!skip_rest(p))
            return false;
    }
}

static bool p1_import_after(ktext_parser *p, pass1 *s, const ktext_token *at)
{
    if (s->last_def >= 0)
        return ktext_fail(p, at, "import after %s", def_name(s->last_def));
    return true;
}

static bool p1_import(ktext_parser *p, pass1 *s, const ktext_token *kw)
{
    ktext_token t;
    if (!p1_import_after(p, s, kw) || !ktext_expect(p, KTEXT_STRING, NULL) ||
        !ktext_expect(p, KTEXT_STRING, NULL) || !ktext_expect(p, KTEXT_LPAREN, NULL) ||
        !ktext_get(p, &t))
        return false;
    for (size_t i = 0; i < sizeof(g_fields) / sizeof(g_fields[0]); i++) {
        uint8_t k = g_fields[i].kind;
        if (ktext_is_kw(&t, g_fields[i].kw) && k >= FD_FUNC && k <= FD_TAG) {
            bool named;
            if (!p1_bind(p, s, g_fields[i].space, &named))
                return false;
            s->func_named |= named && k == FD_FUNC;
            return skip_rest(p) && ktext_expect(p, KTEXT_RPAREN, NULL);
        }
    }
    return ktext_unexpected(p, &t);
}

static bool p1_field(ktext_parser *p, pass1 *s, const ktext_token *kw, uint8_t kind,
                     ktext_space sp)
{
    bool named, import, elem, data;
    switch (kind) {
    case FD_TYPE: return p1_bind(p, s, KTEXT_SP_TYPE, NULL) && skip_rest(p);
    case FD_REC:
        for (;;) {
            ktext_token t;
            if (!ktext_get(p, &t))
                return false;
            if (t.kind == KTEXT_RPAREN)
                return true;
            if (t.kind != KTEXT_LPAREN)
                return ktext_unexpected(p, &t);
            if (!ktext_expect_kw(p, "type") || !p1_bind(p, s, KTEXT_SP_TYPE, NULL) ||
                !skip_rest(p))
                return false;
        }
    case FD_IMPORT: return p1_import(p, s, kw);
    case FD_FUNC:
    case FD_TABLE:
    case FD_MEMORY:
    case FD_GLOBAL:
    case FD_TAG:
        if (!p1_bind(p, s, sp, &named) || !p1_scan(p, &import, &elem, &data))
            return false;
        s->func_named |= named && kind == FD_FUNC;
        if (import)
            return p1_import_after(p, s, kw);
        s->last_def = kind;
        if (kind == FD_TABLE && elem)
            s->count[KTEXT_SP_ELEM]++;
        if (kind == FD_MEMORY && data)
            s->count[KTEXT_SP_DATA]++;
        return true;
    case FD_ELEM:
    case FD_DATA: return p1_bind(p, s, sp, NULL) && skip_rest(p);
    default: return skip_rest(p);
    }
}

static bool pass_1(ktext_parser *p, pass1 *s, bool wrapped)
{
    for (;;) {
        ktext_token t, kw;
        if (!ktext_get(p, &t))
            return false;
        if (wrapped ? t.kind == KTEXT_RPAREN : t.kind == KTEXT_EOF)
            break;
        if (t.kind != KTEXT_LPAREN || !ktext_get(p, &kw))
            return t.kind != KTEXT_LPAREN ? ktext_unexpected(p, &t) : false;
        size_t i, n = sizeof(g_fields) / sizeof(g_fields[0]);
        for (i = 0; i < n && !ktext_is_kw(&kw, g_fields[i].kw); i++)
            ;
        if (i == n)
            return ktext_unexpected(p, &kw);
        field_rec *r = tvec_push(p, &s->fields, sizeof(*r));
        if (!r)
            return false;
        r->at = p->lx;
        r->kind = g_fields[i].kind;
        r->span = (ktext_span){t.text, NULL, KIR_NONE};
        if (!p1_field(p, s, &kw, g_fields[i].kind, g_fields[i].space))
            return false;
        r->span.close = p->lx.cur;
    }
    if (wrapped) {
        ktext_token t;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind != KTEXT_EOF)
            return ktext_unexpected(p, &t);
    }
    return true;
}

/* ---- pass 2: shared pieces ----------------------------------------------- */

/* A string token decoded into a NUL-terminated, module-owned name that must
 * be valid UTF-8. */
static bool name_str(ktext_parser *p, kir_name *out)
{
    ktext_token t;
    size_t n = 0;
    if (!ktext_expect(p, KTEXT_STRING, &t))
        return false;
    char *buf = kutil_arena_alloc(&p->m->arena, (size_t)t.len + 1);
    if (!buf)
        return ktext_oom(p);
    if (!ktext_string_decode(&t, (uint8_t *)buf, &n))
        return ktext_fail(p, &t, "malformed string");
    if (!ktext_utf8_valid((const uint8_t *)buf, n))
        return ktext_fail(p, &t, "malformed UTF-8 encoding");
    if (n > UINT32_MAX - 1)
        return ktext_fail(p, &t, "name too long");
    buf[n] = 0;
    out->ptr = buf;
    out->len = (uint32_t)n;
    return true;
}

static bool opt_id(ktext_parser *p, ktext_token *t, bool *has)
{
    *has = false;
    if (!ktext_look(p, t))
        return false;
    if (t->kind != KTEXT_ID)
        return true;
    *has = true;
    return ktext_get(p, t);
}

static bool set_func_name(ktext_parser *p, uint32_t idx, const ktext_token *id)
{
    ktext_name n;
    if (!p->m->func_names)
        return true;
    return ktext_id_name(p, id, &n) &&
           (kir_name_copy(p->m, &p->m->func_names[idx], n.ptr, n.len) || ktext_oom(p));
}

static bool push_export(ktext_parser *p, kir_name name, kir_extern_kind kind, uint32_t idx)
{
    kir_export *e = KIR_PUSH(p->m, p->m->exports, p->m->nexports);
    if (!e)
        return ktext_oom(p);
    e->name = name;
    e->kind = kind;
    e->index = idx;
    return true;
}

/* (export "name")* of a definition. */
static bool inline_exports(ktext_parser *p, kir_extern_kind kind, uint32_t idx)
{
    for (;;) {
        bool yes;
        kir_name n;
        if (!ktext_take_sexpr(p, "export", &yes))
            return false;
        if (!yes)
            return true;
        if (!name_str(p, &n) || !ktext_expect(p, KTEXT_RPAREN, NULL) ||
            !push_export(p, n, kind, idx))
            return false;
    }
}

typedef struct import_names {
    bool present;
    kir_name module, field;
} import_names;

static bool inline_import(ktext_parser *p, import_names *im)
{
    if (!ktext_take_sexpr(p, "import", &im->present))
        return false;
    if (!im->present)
        return true;
    return name_str(p, &im->module) && name_str(p, &im->field) &&
           ktext_expect(p, KTEXT_RPAREN, NULL);
}

static bool push_import(ktext_parser *p, const import_names *im, kir_extern_kind kind,
                        uint32_t idx, uint32_t *import_idx)
{
    *import_idx = p->m->nimports;
    kir_import *i = KIR_PUSH(p->m, p->m->imports, p->m->nimports);
    if (!i)
        return ktext_oom(p);
    i->module = im->module;
    i->field = im->field;
    i->kind = kind;
    i->index = idx;
    return true;
}

static bool addrtype(ktext_parser *p, bool *is64)
{
    ktext_token t;
    *is64 = false;
    if (!ktext_look(p, &t))
        return false;
    if (ktext_is_kw(&t, "i64") || ktext_is_kw(&t, "i32")) {
        *is64 = ktext_is_kw(&t, "i64");
        return ktext_get(p, &t);
    }
    return true;
}

/* A limit bound: 64-bit in the Wasm 3.0 grammar; without memory64 the
 * grammar (and so the older proposal tests) has 32-bit bounds. */
static bool limit_tok(ktext_parser *p, uint64_t *v)
{
    ktext_token t;
    bool wide = !p->config || kir_feature(p->config, KITE_FEATURE_MEMORY64);
    return ktext_nat_tok(p, wide ? 64 : 32, &t, v);
}

static bool limits(ktext_parser *p, kir_limits *l)
{
    ktext_token t;
    if (!limit_tok(p, &l->min) || !ktext_look(p, &t))
        return false;
    if (t.kind == KTEXT_NAT) {
        l->has_max = true;
        return limit_tok(p, &l->max);
    }
    return true;
}

static bool tabletype(ktext_parser *p, kir_table *t)
{
    return addrtype(p, &t->limits.is64) && limits(p, &t->limits) && ktext_reftype(p, &t->elem);
}

static bool pagesize(ktext_parser *p, kir_memory *mem)
{
    ktext_token t;
    uint64_t v;
    if (!ktext_nat_tok(p, 64, &t, &v))
        return false;
    /* As the binary decoder: no page size at all without the feature. */
    if (p->config && !kir_feature(p->config, KITE_FEATURE_CUSTOM_PAGE_SIZES))
        return ktext_fail(p, &t, "custom page sizes are not enabled (feature custom-page-sizes)");
    if (v == 0 || (v & (v - 1)) != 0)
        return ktext_fail(p, &t, "invalid custom page size");
    unsigned n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    mem->page_size_log2 = n;
    return ktext_expect(p, KTEXT_RPAREN, NULL);
}

/* limits, then `shared` and `(pagesize N)` in either order. */
static bool memtype_rest(ktext_parser *p, kir_memory *mem)
{
    bool shared = false, sized = false;
    if (!limits(p, &mem->limits))
        return false;
    for (;;) {
        ktext_token t;
        bool yes;
        if (!ktext_look(p, &t))
            return false;
        if (!shared && ktext_is_kw(&t, "shared")) {
            shared = mem->limits.shared = true;
            if (!ktext_get(p, &t))
                return false;
            continue;
        }
        if (!sized) {
            if (!ktext_take_sexpr(p, "pagesize", &yes))
                return false;
            if (yes) {
                sized = true;
                if (!pagesize(p, mem))
                    return false;
                continue;
            }
        }
        return true;
    }
}

static bool globaltype(ktext_parser *p, kir_global *g)
{
    bool yes;
    if (!ktext_take_sexpr(p, "mut", &yes))
        return false;
    g->mutable_ = yes;
    if (!ktext_valtype(p, &g->type))
        return false;
    return !yes || ktext_expect(p, KTEXT_RPAREN, NULL);
}

/* A type use of a function or tag: the type index (implicit types are
 * created here), with parameter names left in p->pnames. */
static bool func_typeuse(ktext_parser *p, uint32_t *type, uint32_t *nparams)
{
    ktext_typeuse tu;
    if (!ktext_parse_typeuse(p, true, &tu) || !ktext_typeuse_index(p, &tu, type))
        return false;
    if (tu.nparams || tu.nresults || !tu.has_type)
        *nparams = tu.nparams;
    else
        ktext_func_type_params(p->m, *type, nparams);
    return true;
}

/* Strings up to `)`, concatenated into p->scratch. */
static bool data_strings(ktext_parser *p)
{
    p->scratch.len = 0;
    for (;;) {
        ktext_token t;
        size_t n = 0;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        if (t.kind != KTEXT_STRING)
            return ktext_unexpected(p, &t);
        if (!ktext_reserve(p, &p->scratch, t.len))
            return false;
        if (!ktext_string_decode(&t, p->scratch.data + p->scratch.len, &n))
            return ktext_fail(p, &t, "malformed string");
        p->scratch.len += n;
    }
}

static bool scratch_bytes(ktext_parser *p, const uint8_t **bytes, uint32_t *len)
{
    if (p->scratch.len > UINT32_MAX)
        return ktext_fail(p, NULL, "data segment too large");
    *len = (uint32_t)p->scratch.len;
    /* Never NULL, even when empty. */
    uint8_t *b = kutil_arena_alloc(&p->m->arena, p->scratch.len ? p->scratch.len : 1);
    if (!b)
        return ktext_oom(p);
    if (p->scratch.len)
        memcpy(b, p->scratch.data, p->scratch.len);
    *bytes = b;
    return true;
}

/* ---- pass 2: types -------------------------------------------------------- */

static bool fieldtype(ktext_parser *p, kir_field *f)
{
    bool yes;
    if (!ktext_take_sexpr(p, "mut", &yes))
        return false;
    f->mutable_ = yes;
    if (!ktext_storagetype(p, &f->type))
        return false;
    return !yes || ktext_expect(p, KTEXT_RPAREN, NULL);
}

static bool struct_fields(ktext_parser *p, uint32_t typeidx, tvec *fields)
{
    for (;;) {
        bool yes;
        ktext_token t;
        if (!ktext_take_sexpr(p, "field", &yes))
            return false;
        if (!yes)
            return ktext_expect(p, KTEXT_RPAREN, NULL);
        if (!ktext_look(p, &t))
            return false;
        if (t.kind == KTEXT_ID) {
            kir_field *f;
            if (!ktext_get(p, &t) ||
                !ktext_sym_bind(p, KTEXT_SP_FIELD, typeidx, &t, fields->n) ||
                !ktext_name_here(p, KTEXT_NAME_FIELD, typeidx, fields->n) ||
                !(f = tvec_push(p, fields, sizeof(*f))) || !fieldtype(p, f) ||
                !ktext_expect(p, KTEXT_RPAREN, NULL))
                return false;
            continue;
        }
        /* A name only for a declaration of exactly one field (else it is
         * left unclaimed: misplaced). */
        ktext_annot *name;
        uint32_t first = fields->n;
        if (!ktext_name_find(p, KTEXT_NAME_FIELD, &name))
            return false;
        for (;;) {
            kir_field *f;
            if (!ktext_look(p, &t))
                return false;
            if (t.kind == KTEXT_RPAREN) {
                if (!ktext_get(p, &t))
                    return false;
                break;
            }
            if (!(f = tvec_push(p, fields, sizeof(*f))) || !fieldtype(p, f))
                return false;
        }
        if (name && fields->n == first + 1 &&
            !ktext_name_take(p, name, KTEXT_NAME_FIELD, typeidx, first))
            return false;
    }
}

/* After `(func`, `(struct` or `(array` (keyword in kw): the composite type. */
static bool comptype(ktext_parser *p, const ktext_token *kw, uint32_t typeidx, kir_type *t,
                     tvec *fields)
{
    if (ktext_is_kw(kw, "func")) {
        ktext_typeuse tu;
        if (!ktext_parse_typeuse(p, true, &tu))
            return false;
        if (tu.has_type)
            return ktext_unexpected(p, &tu.type_tok);
        t->comp = KIR_COMP_FUNC;
        t->nparams = tu.nparams;
        t->nresults = tu.nresults;
        if (p->nvt) {
            t->types = kutil_arena_dup(&p->m->arena, p->vt, (size_t)p->nvt * sizeof(*p->vt));
            if (!t->types)
                return ktext_oom(p);
        }
        return ktext_expect(p, KTEXT_RPAREN, NULL);
    }
    fields->n = 0;
    if (ktext_is_kw(kw, "struct")) {
        t->comp = KIR_COMP_STRUCT;
        if (!struct_fields(p, typeidx, fields))
            return false;
    } else if (ktext_is_kw(kw, "array")) {
        kir_field *f = tvec_push(p, fields, sizeof(*f));
        t->comp = KIR_COMP_ARRAY;
        if (!f || !fieldtype(p, f) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
    } else {
        return ktext_unexpected(p, kw);
    }
    t->nfields = fields->n;
    if (fields->n) {
        t->fields =
            kutil_arena_dup(&p->m->arena, fields->data, (size_t)fields->n * sizeof(kir_field));
        if (!t->fields)
            return ktext_oom(p);
    }
    return true;
}

/* After `(type`: one type definition, appended to m->types. */
static bool typedef_field(ktext_parser *p, uint32_t rec_start, tvec *fields)
{
    kir_module *m = p->m;
    uint32_t idx = m->ntypes;
    kir_type t = {0};
    ktext_token id, kw;
    bool has;
    t.final = true;
    t.super = KIR_NO_SUPER;
    t.rec_start = rec_start;
    if (!opt_id(p, &id, &has) || !ktext_name_here(p, KTEXT_NAME_TYPE, idx, 0) ||
        !ktext_expect(p, KTEXT_LPAREN, NULL) || !ktext_get(p, &kw))
        return false;
    if (ktext_is_kw(&kw, "sub")) {
        ktext_token tok;
        uint32_t nsupers = 0;
        t.final = false;
        if (!ktext_look(p, &tok))
            return false;
        if (ktext_is_kw(&tok, "final")) {
            t.final = true;
            if (!ktext_get(p, &tok))
                return false;
        }
        for (;;) {
            if (!ktext_look(p, &tok))
                return false;
            if (!ktext_is_idx_tok(&tok))
                break;
            if (!ktext_get(p, &tok) || !ktext_resolve(p, KTEXT_SP_TYPE, 0, &tok, &t.super))
                return false;
            /* The ir has room for one supertype (all that validation allows). */
            if (++nsupers > 1)
                return ktext_fail(p, &tok, "multiple supertypes are not supported");
        }
        if (!ktext_expect(p, KTEXT_LPAREN, NULL) || !ktext_get(p, &kw) ||
            !comptype(p, &kw, idx, &t, fields) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
    } else if (!comptype(p, &kw, idx, &t, fields)) {
        return false;
    }
    kir_type *slot = KIR_PUSH(m, m->types, m->ntypes);
    if (!slot)
        return ktext_oom(p);
    *slot = t;
    return ktext_expect(p, KTEXT_RPAREN, NULL);
}

static bool type_field(ktext_parser *p, uint8_t kind, tvec *fields)
{
    kir_module *m = p->m;
    uint32_t start = m->ntypes;
    if (kind == FD_TYPE) {
        if (!typedef_field(p, start, fields))
            return false;
    } else {
        for (;;) {
            bool yes;
            if (!ktext_take_sexpr(p, "type", &yes))
                return false;
            if (!yes)
                break;
            if (!typedef_field(p, start, fields))
                return false;
        }
        if (!ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
    }
    for (uint32_t i = start; i < m->ntypes; i++)
        m->types[i].rec_size = m->ntypes - start;
    return true;
}

/* ---- pass 2: imports and definitions --------------------------------------- */

static bool import_field(ktext_parser *p)
{
    kir_module *m = p->m;
    import_names im = {true, {0}, {0}};
    ktext_token kw, id;
    bool has;
    uint32_t imp, nparams;
    if (!name_str(p, &im.module) || !name_str(p, &im.field) ||
        !ktext_expect(p, KTEXT_LPAREN, NULL) || !ktext_get(p, &kw) || !opt_id(p, &id, &has))
        return false;
    if (ktext_is_kw(&kw, "func")) {
        uint32_t idx = m->nfuncs, type;
        p->names_func = idx;
        bool ok = ktext_name_here(p, KTEXT_NAME_FUNC, idx, 0) && func_typeuse(p, &type, &nparams);
        p->names_func = KIR_NONE;
        if (!ok || !push_import(p, &im, KIR_EXTERN_FUNC, idx, &imp))
            return false;
        kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
        if (!f)
            return ktext_oom(p);
        f->type = type;
        f->import = imp;
        m->nfunc_imports++;
        if (has && !set_func_name(p, idx, &id))
            return false;
    } else if (ktext_is_kw(&kw, "table")) {
        kir_table t = {0};
        if (!tabletype(p, &t) || !push_import(p, &im, KIR_EXTERN_TABLE, m->ntables, &imp))
            return false;
        kir_table *slot = KIR_PUSH(m, m->tables, m->ntables);
        if (!slot)
            return ktext_oom(p);
        *slot = t;
        slot->import = imp;
        m->ntable_imports++;
    } else if (ktext_is_kw(&kw, "memory")) {
        kir_memory mem = {.page_size_log2 = 16};
        if (!addrtype(p, &mem.limits.is64) || !memtype_rest(p, &mem) ||
            !push_import(p, &im, KIR_EXTERN_MEMORY, m->nmemories, &imp))
            return false;
        kir_memory *slot = KIR_PUSH(m, m->memories, m->nmemories);
        if (!slot)
            return ktext_oom(p);
        *slot = mem;
        slot->import = imp;
        m->nmemory_imports++;
    } else if (ktext_is_kw(&kw, "global")) {
        kir_global g = {0};
        if (!globaltype(p, &g) || !push_import(p, &im, KIR_EXTERN_GLOBAL, m->nglobals, &imp))
            return false;
        kir_global *slot = KIR_PUSH(m, m->globals, m->nglobals);
        if (!slot)
            return ktext_oom(p);
        *slot = g;
        slot->import = imp;
        m->nglobal_imports++;
    } else if (ktext_is_kw(&kw, "tag")) {
        uint32_t type;
        if (!ktext_name_here(p, KTEXT_NAME_TAG, m->ntags, 0) || !func_typeuse(p, &type, &nparams) ||
            !push_import(p, &im, KIR_EXTERN_TAG, m->ntags, &imp))
            return false;
        kir_tag *slot = KIR_PUSH(m, m->tags, m->ntags);
        if (!slot)
            return ktext_oom(p);
        slot->type = type;
        slot->import = imp;
        m->ntag_imports++;
    } else {
        return ktext_unexpected(p, &kw);
    }
    return ktext_expect(p, KTEXT_RPAREN, NULL) && ktext_expect(p, KTEXT_RPAREN, NULL);
}

static bool push_local_name(ktext_parser *p, uint32_t func, uint32_t local, ktext_name n)
{
    kir_local_name *ln = KIR_PUSH(p->m, p->m->local_names, p->m->nlocal_names);
    if (!ln)
        return ktext_oom(p);
    ln->func = func;
    ln->local = local;
    return kir_name_copy(p->m, &ln->name, n.ptr, n.len) || ktext_oom(p);
}

/* Parameter names (from the type use) and (local ...) declarations; the
 * local types are left in p->vt. */
static bool func_locals(ktext_parser *p, uint32_t func, uint32_t nparams)
{
    for (uint32_t i = 0; i < p->npnames; i++) {
        if (!p->pnames[i].len)
            continue;
        if (!ktext_sym_bind(p, KTEXT_SP_LOCAL, p->local_scope, &p->pname_toks[i], i) ||
            !push_local_name(p, func, i, p->pnames[i]))
            return false;
    }
    p->nvt = 0;
    for (;;) {
        bool yes;
        ktext_token t;
        if (!ktext_take_sexpr(p, "local", &yes))
            return false;
        if (!yes)
            return true;
        if (!ktext_look(p, &t))
            return false;
        if (t.kind == KTEXT_ID) {
            kir_valtype vt;
            ktext_name n;
            uint32_t idx = nparams + p->nvt;
            if (idx < nparams)
                return ktext_fail(p, &t, "too many locals");
            if (!ktext_get(p, &t) || !ktext_sym_bind(p, KTEXT_SP_LOCAL, p->local_scope, &t, idx) ||
                !ktext_id_name(p, &t, &n) || !push_local_name(p, func, idx, n) ||
                !ktext_name_here(p, KTEXT_NAME_LOCAL, func, idx) ||
                !ktext_valtype(p, &vt) || !ktext_vt_push(p, vt) ||
                !ktext_expect(p, KTEXT_RPAREN, NULL))
                return false;
            continue;
        }
        /* A name only for a declaration of exactly one local. */
        ktext_annot *name;
        uint32_t first = p->nvt;
        if (!ktext_name_find(p, KTEXT_NAME_LOCAL, &name))
            return false;
        for (;;) {
            kir_valtype vt;
            if (!ktext_look(p, &t))
                return false;
            if (t.kind == KTEXT_RPAREN) {
                if (!ktext_get(p, &t))
                    return false;
                break;
            }
            if (nparams + p->nvt + 1 <= nparams)
                return ktext_fail(p, &t, "too many locals");
            if (!ktext_valtype(p, &vt) || !ktext_vt_push(p, vt))
                return false;
        }
        if (name && p->nvt == first + 1 &&
            !ktext_name_take(p, name, KTEXT_NAME_LOCAL, func, nparams + first))
            return false;
    }
}

/* Runs of equal local types, as the binary format groups them. */
static bool local_groups(ktext_parser *p, kir_func *f)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->nvt; i++)
        if (i == 0 || p->vt[i] != p->vt[i - 1])
            n++;
    f->nlocals = p->nvt;
    f->nlocal_groups = n;
    if (!n)
        return true;
    f->local_groups = kutil_arena_array(&p->m->arena, n, sizeof(kir_local_group));
    if (!f->local_groups)
        return ktext_oom(p);
    n = 0;
    for (uint32_t i = 0; i < p->nvt; i++) {
        if (i == 0 || p->vt[i] != p->vt[i - 1])
            f->local_groups[n++] = (kir_local_group){0, p->vt[i]};
        f->local_groups[n - 1].count++;
    }
    return true;
}

static bool func_field(ktext_parser *p)
{
    kir_module *m = p->m;
    uint32_t idx = m->nfuncs, type, nparams, imp = KIR_NONE;
    import_names im;
    ktext_token id;
    bool has;
    if (!opt_id(p, &id, &has) || (has && !set_func_name(p, idx, &id)) ||
        !ktext_name_here(p, KTEXT_NAME_FUNC, idx, 0) || !inline_exports(p, KIR_EXTERN_FUNC, idx) ||
        !inline_import(p, &im))
        return false;
    p->names_func = idx;
    bool typed = func_typeuse(p, &type, &nparams);
    p->names_func = KIR_NONE;
    if (!typed)
        return false;
    if (im.present && !push_import(p, &im, KIR_EXTERN_FUNC, idx, &imp))
        return false;
    kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
    if (!f)
        return ktext_oom(p);
    f->type = type;
    f->import = imp;
    if (im.present) {
        m->nfunc_imports++;
        return ktext_expect(p, KTEXT_RPAREN, NULL);
    }
    p->local_scope = p->next_scope++;
    if (!func_locals(p, idx, nparams) || !local_groups(p, &m->funcs[idx]))
        return false;
    return ktext_parse_expr(p, false, &m->funcs[idx].body);
}

static bool global_field(ktext_parser *p)
{
    kir_module *m = p->m;
    uint32_t idx = m->nglobals;
    import_names im;
    ktext_token id;
    bool has;
    kir_global g = {.import = KIR_NONE};
    if (!opt_id(p, &id, &has) || !inline_exports(p, KIR_EXTERN_GLOBAL, idx) ||
        !inline_import(p, &im) || !globaltype(p, &g))
        return false;
    if (im.present) {
        if (!ktext_expect(p, KTEXT_RPAREN, NULL) ||
            !push_import(p, &im, KIR_EXTERN_GLOBAL, idx, &g.import))
            return false;
        m->nglobal_imports++;
    } else {
        p->local_scope = UINT32_MAX;
        if (!ktext_parse_expr(p, false, &g.init))
            return false;
    }
    kir_global *slot = KIR_PUSH(m, m->globals, m->nglobals);
    if (!slot)
        return ktext_oom(p);
    *slot = g;
    return true;
}

static bool tag_field(ktext_parser *p)
{
    kir_module *m = p->m;
    uint32_t idx = m->ntags, nparams;
    import_names im;
    ktext_token id;
    bool has;
    kir_tag t = {.import = KIR_NONE};
    if (!opt_id(p, &id, &has) || !ktext_name_here(p, KTEXT_NAME_TAG, idx, 0) ||
        !inline_exports(p, KIR_EXTERN_TAG, idx) || !inline_import(p, &im) ||
        !func_typeuse(p, &t.type, &nparams) ||
        !ktext_expect(p, KTEXT_RPAREN, NULL))
        return false;
    if (im.present) {
        if (!push_import(p, &im, KIR_EXTERN_TAG, idx, &t.import))
            return false;
        m->ntag_imports++;
    }
    kir_tag *slot = KIR_PUSH(m, m->tags, m->ntags);
    if (!slot)
        return ktext_oom(p);
    *slot = t;
    return true;
}

/* ---- element segments ------------------------------------------------------ */

#define REF_FUNC_NONNULL kir_vt_ref(false, false, KIR_HEAP_FUNC)

/* An element expression: (item instr*) or one folded instruction. */
static bool elem_expr(ktext_parser *p, kir_expr *e)
{
    bool item;
    p->local_scope = UINT32_MAX;
    if (!ktext_take_sexpr(p, "item", &item))
        return false;
    return ktext_parse_expr(p, !item, e);
}

/* Whether e is exactly `ref.func x end`, and x. */
static bool is_ref_func(const kir_expr *e, uint32_t *x)
{
    const uint8_t *c = e->code;
    uint32_t v = 0, i = 1;
    if (e->len < 3 || c[0] != (uint8_t)kir_op_info(KIR_OP_REF_FUNC)->code)
        return false;
    for (unsigned shift = 0; i < e->len && shift < 35; shift += 7) {
        v |= (uint32_t)(c[i] & 0x7F) << shift;
        if (!(c[i++] & 0x80))
            break;
    }
    *x = v;
    return i == e->len - 1 && c[i] == (uint8_t)kir_op_info(KIR_OP_END)->code;
}

/*
 * Store the elements as function indices when the type is funcref or
 * (ref func) and every element is a plain ref.func, expressions otherwise.
 * (The binary format keeps the index form for (ref func) only; funcref with
 * indices behaves identically and keeps pre-reference-types modules free of
 * ref.func.)
 */
static bool elem_store(ktext_parser *p, kir_elem *e, const tvec *funcs, const tvec *exprs,
                       const ktext_token *at)
{
    kir_module *m = p->m;
    if (exprs) {
        const kir_expr *xs = exprs->data;
        uint32_t x;
        bool all = kir_vt_with_nullable(e->type, false) == REF_FUNC_NONNULL;
        for (uint32_t i = 0; all && i < exprs->n; i++)
            all = is_ref_func(&xs[i], &x);
        e->count = exprs->n;
        if (all) {
            e->funcs = kutil_arena_array(&m->arena, exprs->n ? exprs->n : 1, sizeof(uint32_t));
            if (!e->funcs)
                return ktext_oom(p);
            for (uint32_t i = 0; i < exprs->n; i++)
                is_ref_func(&xs[i], &e->funcs[i]);
            return true;
        }
        e->exprs = kutil_arena_array(&m->arena, exprs->n ? exprs->n : 1, sizeof(kir_expr));
        if (!e->exprs)
            return ktext_oom(p);
        if (exprs->n)
            memcpy(e->exprs, xs, (size_t)exprs->n * sizeof(kir_expr));
        return true;
    }
    const uint32_t *fs = funcs->data;
    e->count = funcs->n;
    if (kir_vt_with_nullable(e->type, false) == REF_FUNC_NONNULL) {
        e->funcs = kutil_arena_array(&m->arena, funcs->n ? funcs->n : 1, sizeof(uint32_t));
        if (!e->funcs)
            return ktext_oom(p);
        if (funcs->n)
            memcpy(e->funcs, fs, (size_t)funcs->n * sizeof(uint32_t));
        return true;
    }
    e->exprs = kutil_arena_array(&m->arena, funcs->n ? funcs->n : 1, sizeof(kir_expr));
    if (!e->exprs)
        return ktext_oom(p);
    for (uint32_t i = 0; i < funcs->n; i++)
        if (!ktext_make_const_expr(p, KIR_OP_REF_FUNC, fs[i], at, &e->exprs[i]))
            return false;
    return true;
}

/* Function indices up to and including `)`. */
static bool func_indices(ktext_parser *p, tvec *funcs)
{
    for (;;) {
        ktext_token t;
        uint32_t *x;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        if (!(x = tvec_push(p, funcs, sizeof(*x))) || !ktext_resolve(p, KTEXT_SP_FUNC, 0, &t, x))
            return false;
    }
}

/* Element expressions up to and including `)`. */
static bool elem_exprs(ktext_parser *p, tvec *exprs)
{
    for (;;) {
        ktext_token t;
        kir_expr *e;
        if (!ktext_look(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return ktext_get(p, &t);
        if (t.kind != KTEXT_LPAREN)
            return ktext_get(p, &t) && ktext_unexpected(p, &t);
        if (!(e = tvec_push(p, exprs, sizeof(*e))) || !elem_expr(p, e))
            return false;
    }
}

/* An element list through the closing `)`: `func x*`, `reftype expr*`, or
 * (where allow_bare) a bare list of function indices. */
static bool elem_list(ktext_parser *p, kir_elem *e, bool allow_bare, tvec *funcs, tvec *exprs)
{
    ktext_token t;
    if (!ktext_look(p, &t))
        return false;
    bool bare = allow_bare && (ktext_is_idx_tok(&t) || t.kind == KTEXT_RPAREN);
    if (ktext_is_kw(&t, "func") || bare) {
        if (ktext_is_kw(&t, "func") && !ktext_get(p, &t))
            return false;
        e->type = REF_FUNC_NONNULL;
        return func_indices(p, funcs) && elem_store(p, e, funcs, NULL, &t);
    }
    return ktext_reftype(p, &e->type) && elem_exprs(p, exprs) &&
           elem_store(p, e, NULL, exprs, &t);
}

/* An active segment's offset: (offset instr*) or one folded instruction. */
static bool seg_offset(ktext_parser *p, kir_expr *off)
{
    bool yes;
    p->local_scope = UINT32_MAX;
    if (!ktext_take_sexpr(p, "offset", &yes))
        return false;
    return ktext_parse_expr(p, !yes, off);
}

static bool elem_field(ktext_parser *p, tvec *funcs, tvec *exprs)
{
    kir_module *m = p->m;
    kir_elem e = {0};
    ktext_token id, t1, t2;
    bool has, yes, bare = false;
    funcs->n = exprs->n = 0;
    if (!opt_id(p, &id, &has) || !ktext_look2(p, &t1, &t2))
        return false;
    if (ktext_is_kw(&t1, "declare")) {
        e.mode = KIR_SEG_DECLARATIVE;
        if (!ktext_get(p, &t1))
            return false;
    } else {
        if (!ktext_take_sexpr(p, "table", &yes))
            return false;
        if (yes) {
            if (!ktext_idx(p, KTEXT_SP_TABLE, 0, &e.table) || !ktext_expect(p, KTEXT_RPAREN, NULL))
                return false;
            e.mode = KIR_SEG_ACTIVE;
        } else if (ktext_is_idx_tok(&t1) && t2.kind == KTEXT_LPAREN) {
            /* MVP syntax: a bare table index before the offset. */
            if (!ktext_idx(p, KTEXT_SP_TABLE, 0, &e.table))
                return false;
            e.mode = KIR_SEG_ACTIVE;
        } else if (t1.kind == KTEXT_LPAREN && !ktext_is_kw(&t2, "ref")) {
            e.mode = KIR_SEG_ACTIVE;
        }
        if (e.mode == KIR_SEG_ACTIVE) {
            bare = true;
            if (!seg_offset(p, &e.offset))
                return false;
        }
    }
    if (!elem_list(p, &e, bare, funcs, exprs))
        return false;
    kir_elem *slot = KIR_PUSH(m, m->elems, m->nelems);
    if (!slot)
        return ktext_oom(p);
    *slot = e;
    return true;
}

/* ---- tables, memories, data ------------------------------------------------ */

static bool table_field(ktext_parser *p, tvec *funcs, tvec *exprs)
{
    kir_module *m = p->m;
    uint32_t idx = m->ntables;
    import_names im;
    ktext_token id, t;
    bool has, yes;
    kir_table tab = {.import = KIR_NONE};
    if (!opt_id(p, &id, &has) || !inline_exports(p, KIR_EXTERN_TABLE, idx) ||
        !inline_import(p, &im))
        return false;
    if (im.present) {
        if (!tabletype(p, &tab) || !ktext_expect(p, KTEXT_RPAREN, NULL) ||
            !push_import(p, &im, KIR_EXTERN_TABLE, idx, &tab.import))
            return false;
        m->ntable_imports++;
    } else {
        if (!addrtype(p, &tab.limits.is64) || !ktext_look(p, &t))
            return false;
        if (t.kind == KTEXT_NAT) {
            if (!limits(p, &tab.limits) || !ktext_reftype(p, &tab.elem) || !ktext_look(p, &t))
                return false;
            if (t.kind == KTEXT_RPAREN) {
                if (!ktext_get(p, &t))
                    return false;
            } else {
                tab.has_init = true;
                p->local_scope = UINT32_MAX;
                if (!ktext_parse_expr(p, false, &tab.init))
                    return false;
            }
        } else {
            /* (table addrtype? reftype (elem ...)): sized by its elements. */
            kir_elem e = {.mode = KIR_SEG_ACTIVE, .table = idx};
            funcs->n = exprs->n = 0;
            if (!ktext_reftype(p, &tab.elem) || !ktext_take_sexpr(p, "elem", &yes))
                return false;
            if (!yes)
                return ktext_get(p, &t) && ktext_unexpected(p, &t);
            e.type = tab.elem;
            if (!ktext_look(p, &t))
                return false;
            bool ok = t.kind == KTEXT_LPAREN
                          ? elem_exprs(p, exprs) && elem_store(p, &e, NULL, exprs, &t)
                          : func_indices(p, funcs) && elem_store(p, &e, funcs, NULL, &t);
            kir_op zero = tab.limits.is64 ? KIR_OP_I64_CONST : KIR_OP_I32_CONST;
            if (!ok || !ktext_make_const_expr(p, zero, 0, &id, &e.offset))
                return false;
            tab.limits.min = tab.limits.max = e.count;
            tab.limits.has_max = true;
            kir_elem *slot = KIR_PUSH(m, m->elems, m->nelems);
            if (!slot)
                return ktext_oom(p);
            *slot = e;
            if (!ktext_expect(p, KTEXT_RPAREN, NULL))
                return false;
        }
    }
    kir_table *slot = KIR_PUSH(m, m->tables, m->ntables);
    if (!slot)
        return ktext_oom(p);
    *slot = tab;
    return true;
}

static bool memory_field(ktext_parser *p)
{
    kir_module *m = p->m;
    uint32_t idx = m->nmemories;
    import_names im;
    ktext_token id, t;
    bool has, yes;
    kir_memory mem = {.page_size_log2 = 16, .import = KIR_NONE};
    if (!opt_id(p, &id, &has) || !inline_exports(p, KIR_EXTERN_MEMORY, idx) ||
        !inline_import(p, &im) || !addrtype(p, &mem.limits.is64) || !ktext_look(p, &t))
        return false;
    if (im.present || t.kind == KTEXT_NAT) {
        if (!memtype_rest(p, &mem) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
        if (im.present) {
            if (!push_import(p, &im, KIR_EXTERN_MEMORY, idx, &mem.import))
                return false;
            m->nmemory_imports++;
        }
    } else {
        /* (memory addrtype? (pagesize N)? (data "...")): sized by its data. */
        kir_data d = {.mode = KIR_SEG_ACTIVE, .memory = idx};
        if (!ktext_take_sexpr(p, "pagesize", &yes) || (yes && !pagesize(p, &mem)) ||
            !ktext_take_sexpr(p, "data", &yes))
            return false;
        if (!yes)
            return ktext_get(p, &t) && ktext_unexpected(p, &t);
        if (!data_strings(p) || !scratch_bytes(p, &d.bytes, &d.len) ||
            !ktext_make_const_expr(p, mem.limits.is64 ? KIR_OP_I64_CONST : KIR_OP_I32_CONST, 0,
                                   &t, &d.offset) ||
            !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
        uint64_t page = (uint64_t)1 << mem.page_size_log2;
        mem.limits.min = mem.limits.max = ((uint64_t)d.len + page - 1) >> mem.page_size_log2;
        mem.limits.has_max = true;
        kir_data *slot = KIR_PUSH(m, m->datas, m->ndatas);
        if (!slot)
            return ktext_oom(p);
        *slot = d;
    }
    kir_memory *slot = KIR_PUSH(m, m->memories, m->nmemories);
    if (!slot)
        return ktext_oom(p);
    *slot = mem;
    return true;
}

static bool data_field(ktext_parser *p)
{
    kir_module *m = p->m;
    kir_data d = {0};
    ktext_token id, t1, t2;
    bool has, yes;
    if (!opt_id(p, &id, &has) || !ktext_look2(p, &t1, &t2) ||
        !ktext_take_sexpr(p, "memory", &yes))
        return false;
    if (yes) {
        if (!ktext_idx(p, KTEXT_SP_MEMORY, 0, &d.memory) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
        d.mode = KIR_SEG_ACTIVE;
    } else if (ktext_is_idx_tok(&t1) && t2.kind == KTEXT_LPAREN) {
        /* MVP syntax: a bare memory index before the offset. */
        if (!ktext_idx(p, KTEXT_SP_MEMORY, 0, &d.memory))
            return false;
        d.mode = KIR_SEG_ACTIVE;
    } else if (t1.kind == KTEXT_LPAREN) {
        d.mode = KIR_SEG_ACTIVE;
    }
    if (d.mode == KIR_SEG_ACTIVE && !seg_offset(p, &d.offset))
        return false;
    if (!data_strings(p) || !scratch_bytes(p, &d.bytes, &d.len))
        return false;
    kir_data *slot = KIR_PUSH(m, m->datas, m->ndatas);
    if (!slot)
        return ktext_oom(p);
    *slot = d;
    return true;
}

/* ---- exports and start ------------------------------------------------------ */

static bool export_field(ktext_parser *p)
{
    static const struct {
        const char *kw;
        kir_extern_kind kind;
        ktext_space sp;
    } kinds[] = {
        {"func", KIR_EXTERN_FUNC, KTEXT_SP_FUNC},
        {"table", KIR_EXTERN_TABLE, KTEXT_SP_TABLE},
        {"memory", KIR_EXTERN_MEMORY, KTEXT_SP_MEMORY},
        {"global", KIR_EXTERN_GLOBAL, KTEXT_SP_GLOBAL},
        {"tag", KIR_EXTERN_TAG, KTEXT_SP_TAG},
    };
    kir_name n;
    ktext_token kw;
    uint32_t idx;
    if (!name_str(p, &n) || !ktext_expect(p, KTEXT_LPAREN, NULL) || !ktext_get(p, &kw))
        return false;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (ktext_is_kw(&kw, kinds[i].kw))
            return ktext_idx(p, kinds[i].sp, 0, &idx) && ktext_expect(p, KTEXT_RPAREN, NULL) &&
                   ktext_expect(p, KTEXT_RPAREN, NULL) && push_export(p, n, kinds[i].kind, idx);
    return ktext_unexpected(p, &kw);
}

static bool start_field(ktext_parser *p)
{
    ktext_token t;
    uint32_t idx;
    if (!ktext_get(p, &t) || !ktext_resolve(p, KTEXT_SP_FUNC, 0, &t, &idx) ||
        !ktext_expect(p, KTEXT_RPAREN, NULL))
        return false;
    if (p->m->start != KIR_NONE)
        return ktext_fail(p, &t, "multiple start sections");
    p->m->start = idx;
    return true;
}

/* ---- the module ------------------------------------------------------------- */

static bool pass_2(ktext_parser *p, pass1 *s)
{
    kir_module *m = p->m;
    field_rec *fs = s->fields.data;
    tvec a = {0}, b = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < s->fields.n; i++)
        if (fs[i].kind == FD_TYPE || fs[i].kind == FD_REC) {
            p->lx = fs[i].at;
            ok = type_field(p, fs[i].kind, &a);
        }
    for (uint32_t i = 0; ok && i < m->ntypes; i++)
        ok = ktext_sig_insert(p, i);
    for (uint32_t i = 0; ok && i < s->fields.n; i++) {
        p->lx = fs[i].at;
        switch (fs[i].kind) {
        case FD_IMPORT: ok = import_field(p); break;
        case FD_FUNC:
            fs[i].span.func = m->nfuncs;
            ok = func_field(p);
            break;
        case FD_TABLE: ok = table_field(p, &a, &b); break;
        case FD_MEMORY: ok = memory_field(p); break;
        case FD_GLOBAL: ok = global_field(p); break;
        case FD_TAG: ok = tag_field(p); break;
        case FD_EXPORT: ok = export_field(p); break;
        case FD_START: ok = start_field(p); break;
        case FD_ELEM: ok = elem_field(p, &a, &b); break;
        case FD_DATA: ok = data_field(p); break;
        default: break;
        }
    }
    kutil_free(p->alloc, a.data);
    kutil_free(p->alloc, b.data);
    return ok;
}

/* The annotations, once everything else is parsed (annot.c). */
static bool finish_annots(ktext_parser *p, const pass1 *s, const char *header_end)
{
    if (!p->annots.n)
        return true;
    ktext_span *spans = kutil_malloc(p->alloc, (s->fields.n ? s->fields.n : 1) * sizeof(*spans));
    if (!spans)
        return ktext_oom(p);
    const field_rec *fs = s->fields.data;
    for (uint32_t i = 0; i < s->fields.n; i++)
        spans[i] = fs[i].span;
    bool ok = ktext_annots_finish(p, spans, s->fields.n, header_end);
    kutil_free(p->alloc, spans);
    return ok;
}

static bool parse_module(ktext_parser *p)
{
    kir_module *m = p->m;
    ktext_token t1, t2;
    pass1 s = {.last_def = -1};
    bool wrapped = false, ok;
    if (!ktext_look2(p, &t1, &t2))
        return false;
    const char *header_end = p->lx.src;
    if (t1.kind == KTEXT_LPAREN && ktext_is_kw(&t2, "module")) {
        wrapped = true;
        if (!ktext_get(p, &t1) || !ktext_get(p, &t2) || !ktext_look(p, &t1))
            return false;
        if (ktext_is_kw(&t1, "definition") && (!ktext_get(p, &t1) || !ktext_look(p, &t1)))
            return false;
        if (t1.kind == KTEXT_ID) {
            ktext_name n;
            if (!ktext_get(p, &t1) || !ktext_id_name(p, &t1, &n) ||
                !kir_name_copy(m, &m->module_name, n.ptr, n.len))
                return p->err ? false : ktext_oom(p);
        }
        header_end = p->lx.cur;
    }
    ok = pass_1(p, &s, wrapped);
    if (ok && s.func_named && s.count[KTEXT_SP_FUNC]) {
        m->func_names = kutil_arena_array(&m->arena, s.count[KTEXT_SP_FUNC], sizeof(kir_name));
        ok = m->func_names || ktext_oom(p);
    }
    ok = ok && pass_2(p, &s) && finish_annots(p, &s, header_end);
    if (ok && p->uses_data) {
        m->has_data_count = true;
        m->data_count = m->ndatas;
    }
    kutil_free(p->alloc, s.fields.data);
    return ok;
}

kite_error_t *ktext_parse_module(const struct kite_config *config, const char *text, size_t len,
                                 uint32_t base_line, uint32_t base_col, kir_module **out)
{
    ktext_parser p;
    *out = NULL;
    const kite_allocator_t *alloc = config ? &config->alloc : &kutil_libc;
    if (len > UINT32_MAX)
        return kutil_error_new(alloc, KITE_ERROR_LIMIT, "text too large");
    memset(&p, 0, sizeof(p));
    p.config = config;
    p.alloc = alloc;
    p.m = kir_module_new(alloc);
    if (!p.m)
        return kutil_error_oom();
    kutil_arena_init(&p.tmp, alloc);
    ktext_lexer_init(&p.lx, alloc, text, len, base_line, base_col);
    p.lx.annots = &p.annots;
    p.names_func = KIR_NONE;
    bool ok = parse_module(&p);
    ktext_annots_free(&p.annots, alloc);
    kutil_free(alloc, p.named);
    kutil_arena_release(&p.tmp);
    kutil_free(alloc, p.syms.slots);
    kutil_free(alloc, p.sigs);
    kutil_free(alloc, p.vt);
    kutil_free(alloc, p.pnames);
    kutil_free(alloc, p.pname_toks);
    ktext_code_release(&p);
    if (!ok) {
        kir_module_free(p.m);
        return p.err ? p.err : kutil_error_new(alloc, KITE_ERROR_MALFORMED, "unexpected token");
    }
    *out = p.m;
    return NULL;
}
