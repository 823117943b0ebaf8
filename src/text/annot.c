/*
 * The annotations the text format gives a meaning (the spec's appendix on
 * custom sections and annotations), turned into the custom sections they
 * denote:
 *
 *   (@custom "name" (before|after <section>|first|last)? "data"*)
 *       a custom section, placed among the known ones; only at module level
 *   (@name "text")
 *       an entry of the name section: right after the keyword (and id) of a
 *       module, function, parameter, local, type, struct field or tag; for
 *       the module, function and local entries also the names kite shows
 *       (they take precedence over identifiers)
 *   (@metadata.code.branch_hint "\00"|"\01")
 *       a branch hint for the `if` or `br_if` that comes next in the
 *       function's text, in the "metadata.code.branch_hint" section
 *
 * The lexer records each of them once, with its position (ktext_annots);
 * the parser claims the @name annotations at binding positions as it meets
 * them (ktext_name_find/ktext_name_take) and resolves everything else by
 * position once the module is parsed (ktext_annots_finish). Malformed or
 * misplaced annotations are errors with the reference interpreter's words.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/opcodes.h"
#include "text/parse_int.h"
#include "util/alloc.h"

/* A position to report an annotation's error at. */
static ktext_token annot_tok(const ktext_annot *a)
{
    ktext_token t = {.kind = KTEXT_LPAREN, .text = a->start, .len = 1, .line = a->line, .col = a->col};
    return t;
}

/* The tokens of an annotation's contents, up to its closing ')'. */
typedef struct items {
    ktext_lexer lx;
    ktext_token t; /* current token; KTEXT_RPAREN of the annotation at the end */
} items;

static bool items_next(ktext_parser *p, items *it)
{
    if (ktext_next_raw(&it->lx, &it->t))
        return true;
    if (!p->err)
        p->err = it->lx.error;
    else
        kite_error_free(it->lx.error);
    it->lx.error = NULL;
    return false;
}

static bool items_begin(ktext_parser *p, const ktext_annot *a, items *it)
{
    it->lx = a->body;
    return items_next(p, it);
}

/* The current token, a string, decoded into p->scratch (appended). */
static bool string_append(ktext_parser *p, const ktext_token *t)
{
    size_t n = 0;
    if (!ktext_reserve(p, &p->scratch, t->len))
        return false;
    if (!ktext_string_decode(t, p->scratch.data + p->scratch.len, &n))
        return ktext_fail(p, t, "malformed string");
    p->scratch.len += n;
    return true;
}

/* p->scratch as a module-owned name. */
static bool scratch_name(ktext_parser *p, kir_name *out)
{
    return kir_name_copy(p->m, out, (const char *)p->scratch.data, p->scratch.len) || ktext_oom(p);
}

/* ---- @name ------------------------------------------------------------------------ */

static const char *const g_name_what[] = {
    [KTEXT_NAME_MODULE] = "module", [KTEXT_NAME_FUNC] = "function", [KTEXT_NAME_LOCAL] = "local",
    [KTEXT_NAME_TYPE] = "type",     [KTEXT_NAME_FIELD] = "field",   [KTEXT_NAME_TAG] = "tag",
};

/* The name an @name annotation gives. */
static bool name_content(ktext_parser *p, const ktext_annot *a, kir_name *out)
{
    items it;
    ktext_token at = annot_tok(a);
    if (!items_begin(p, a, &it))
        return false;
    if (it.t.kind != KTEXT_STRING)
        return ktext_fail(p, &at, "@name annotation: string expected");
    p->scratch.len = 0;
    if (!string_append(p, &it.t))
        return false;
    if (!ktext_utf8_valid(p->scratch.data, p->scratch.len))
        return ktext_fail(p, &it.t, "malformed UTF-8 encoding");
    if (!scratch_name(p, out) || !items_next(p, &it))
        return false;
    if (it.t.kind != KTEXT_RPAREN)
        return ktext_fail(p, &it.t, "@name annotation: unexpected token");
    return true;
}

/* The first recorded annotation starting at or after `at`. */
static uint32_t first_at(const ktext_annots *as, const char *at)
{
    uint32_t lo = 0, hi = as->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (as->items[mid].start < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool ktext_name_find(ktext_parser *p, ktext_name_sub sub, ktext_annot **out)
{
    *out = NULL;
    ktext_annots *as = &p->annots;
    if (!as->count[KTEXT_ANNOT_NAME])
        return true;
    /* Lexing the next token records what lies before it (it already is). */
    const char *from = p->lx.cur;
    ktext_token next;
    if (!ktext_look(p, &next))
        return false;
    for (uint32_t i = first_at(as, from); i < as->n && as->items[i].start < next.text; i++) {
        ktext_annot *a = &as->items[i];
        if (a->kind != KTEXT_ANNOT_NAME || a->end > next.text)
            continue;
        if (*out) {
            ktext_token at = annot_tok(a);
            return ktext_fail(p, &at, "@name annotation: multiple %s names", g_name_what[sub]);
        }
        *out = a;
    }
    return true;
}

bool ktext_name_take(ktext_parser *p, ktext_annot *a, ktext_name_sub sub, uint32_t idx,
                     uint32_t sub_idx)
{
    a->used = true;
    if (idx == KIR_NONE)
        return true; /* a binding the name section has no place for */
    if (p->nnamed == p->named_cap) {
        uint32_t cap = p->named_cap ? p->named_cap * 2 : 16;
        ktext_named *n = cap > (1u << 26) ? NULL : kutil_realloc(p->alloc, p->named, cap * sizeof(*n));
        if (!n)
            return ktext_oom(p);
        p->named = n;
        p->named_cap = cap;
    }
    ktext_named *e = &p->named[p->nnamed];
    e->sub = (uint8_t)sub;
    e->idx = idx;
    e->sub_idx = sub_idx;
    if (!name_content(p, a, &e->name))
        return false;
    p->nnamed++;
    return true;
}

bool ktext_name_here(ktext_parser *p, ktext_name_sub sub, uint32_t idx, uint32_t sub_idx)
{
    ktext_annot *a;
    return ktext_name_find(p, sub, &a) && (!a || ktext_name_take(p, a, sub, idx, sub_idx));
}

/* ---- binary encoding helpers ------------------------------------------------------ */

static bool put_u32(ktext_parser *p, ktext_buf *b, uint32_t v)
{
    return ktext_u64(p, b, v);
}

static bool put_name(ktext_parser *p, ktext_buf *b, const kir_name *n)
{
    return put_u32(p, b, n->len) && ktext_bytes(p, b, n->ptr, n->len);
}

/* Appends a custom section with the contents of b (copied into the module). */
static bool push_custom(ktext_parser *p, const char *name, size_t name_len, const ktext_buf *b,
                        bool before, uint8_t section)
{
    kir_custom *c = KIR_PUSH(p->m, p->m->customs, p->m->ncustoms);
    if (!c || !kir_name_copy(p->m, &c->name, name, name_len))
        return ktext_oom(p);
    if (b->len > UINT32_MAX)
        return ktext_fail(p, NULL, "custom section too large");
    uint8_t *bytes = kutil_arena_alloc(&p->m->arena, b->len ? b->len : 1);
    if (!bytes)
        return ktext_oom(p);
    if (b->len)
        memcpy(bytes, b->data, b->len);
    c->bytes = bytes;
    c->len = (uint32_t)b->len;
    c->before = before;
    c->section = section;
    return true;
}

/* ---- @custom ------------------------------------------------------------------------ */

/* After `(` of a placement: (before|after) <section>|first|last `)`. */
static bool placement(ktext_parser *p, items *it, bool *before, uint8_t *section)
{
    static const struct {
        const char *kw;
        uint8_t id;
    } sections[] = {
#define SECTION_KW(name, id, keyword) {keyword, id},
        KIR_SECTIONS(SECTION_KW)
#undef SECTION_KW
        {"first", KIR_PLACE_FIRST},
        {"last", KIR_PLACE_LAST},
    };
    ktext_token open = it->t;
    if (!items_next(p, it))
        return false;
    if (!ktext_is_kw(&it->t, "before") && !ktext_is_kw(&it->t, "after"))
        return ktext_fail(p, &open, "@custom annotation: malformed placement");
    *before = ktext_is_kw(&it->t, "before");
    if (!items_next(p, it))
        return false;
    size_t i, n = sizeof(sections) / sizeof(sections[0]);
    for (i = 0; i < n && !ktext_is_kw(&it->t, sections[i].kw); i++)
        ;
    if (i == n)
        return ktext_fail(p, &open, "@custom annotation: malformed section kind");
    *section = sections[i].id;
    if (!items_next(p, it))
        return false;
    if (it->t.kind != KTEXT_RPAREN)
        return ktext_fail(p, &it->t, "@custom annotation: unexpected token");
    return items_next(p, it);
}

static bool inside(const ktext_annot *a, const ktext_span *s)
{
    return a->start >= s->open && a->end <= s->close;
}

/* The span containing annotation a, or NULL (spans are in text order and
 * do not overlap). */
static const ktext_span *span_of(const ktext_annot *a, const ktext_span *spans, uint32_t n)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (spans[mid].open <= a->start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && inside(a, &spans[lo - 1]) ? &spans[lo - 1] : NULL;
}

static bool custom_annot(ktext_parser *p, const ktext_annot *a, const ktext_span *spans,
                         uint32_t nspans, const char *header_end)
{
    items it;
    ktext_token at = annot_tok(a);
    bool before = false;
    uint8_t section = KIR_PLACE_LAST;
    if (!items_begin(p, a, &it))
        return false;
    if (it.t.kind != KTEXT_STRING)
        return ktext_fail(p, &at, "@custom annotation: missing section name");
    p->scratch.len = 0;
    if (!string_append(p, &it.t))
        return false;
    if (!ktext_utf8_valid(p->scratch.data, p->scratch.len))
        return ktext_fail(p, &it.t, "@custom annotation: malformed UTF-8 encoding");
    kir_name name;
    if (!scratch_name(p, &name) || !items_next(p, &it))
        return false;
    if (it.t.kind == KTEXT_LPAREN && !placement(p, &it, &before, &section))
        return false;
    p->scratch.len = 0;
    while (it.t.kind == KTEXT_STRING)
        if (!string_append(p, &it.t) || !items_next(p, &it))
            return false;
    if (it.t.kind != KTEXT_RPAREN)
        return ktext_fail(p, &it.t, "@custom annotation: unexpected token");
    if (a->start < header_end || span_of(a, spans, nspans))
        return ktext_fail(p, &at, "misplaced @custom annotation");
    return push_custom(p, name.ptr, name.len, &p->scratch, before, section);
}

/* ---- @name: the module's, the unclaimed, and the name section ------------------------ */

static bool module_names(ktext_parser *p, const ktext_span *spans, uint32_t nspans,
                         const char *header_end)
{
    const char *first_field = nspans ? spans[0].open : NULL;
    bool have_module = false;
    for (uint32_t i = 0; i < p->annots.n; i++) {
        ktext_annot *a = &p->annots.items[i];
        if (a->kind != KTEXT_ANNOT_NAME || a->used)
            continue;
        ktext_token at = annot_tok(a);
        if (a->start < header_end || (first_field && a->start > first_field))
            return ktext_fail(p, &at, "misplaced @name annotation");
        if (have_module)
            return ktext_fail(p, &at, "@name annotation: multiple module names");
        have_module = true;
        if (!ktext_name_take(p, a, KTEXT_NAME_MODULE, 0, 0))
            return false;
    }
    return true;
}

/* Named entries by subsection, then index. */
static int by_binding(const void *x, const void *y)
{
    const ktext_named *a = x, *b = y;
    if (a->sub != b->sub)
        return a->sub < b->sub ? -1 : 1;
    if (a->idx != b->idx)
        return a->idx < b->idx ? -1 : 1;
    return a->sub_idx < b->sub_idx ? -1 : a->sub_idx > b->sub_idx;
}

/* Subsection ids of the name section, by ktext_name_sub. */
static const uint8_t g_subsection_id[] = {
    [KTEXT_NAME_MODULE] = 0, [KTEXT_NAME_FUNC] = 1, [KTEXT_NAME_LOCAL] = 2,
    [KTEXT_NAME_TYPE] = 4,   [KTEXT_NAME_FIELD] = 10, [KTEXT_NAME_TAG] = 11,
};
_Static_assert(sizeof(g_subsection_id) == KTEXT_NAME_COUNT, "a subsection id per name kind");

/* One subsection's contents for entries e[0..n) (all of one kind). */
static bool name_subsection(ktext_parser *p, ktext_buf *b, const ktext_named *e, uint32_t n)
{
    if (e[0].sub == KTEXT_NAME_MODULE)
        return put_name(p, b, &e[0].name);
    bool indirect = e[0].sub == KTEXT_NAME_LOCAL || e[0].sub == KTEXT_NAME_FIELD;
    if (!indirect) {
        if (!put_u32(p, b, n))
            return false;
        for (uint32_t i = 0; i < n; i++)
            if (!put_u32(p, b, e[i].idx) || !put_name(p, b, &e[i].name))
                return false;
        return true;
    }
    uint32_t groups = 0;
    for (uint32_t i = 0; i < n; i++)
        groups += i == 0 || e[i].idx != e[i - 1].idx;
    if (!put_u32(p, b, groups))
        return false;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        while (j < n && e[j].idx == e[i].idx)
            j++;
        if (!put_u32(p, b, e[i].idx) || !put_u32(p, b, j - i))
            return false;
        for (; i < j; i++)
            if (!put_u32(p, b, e[i].sub_idx) || !put_name(p, b, &e[i].name))
                return false;
    }
    return true;
}

/* Applies the names kite shows (module, functions, locals) and makes the
 * name section, placed after the data section as the spec asks. */
static bool name_section(ktext_parser *p)
{
    kir_module *m = p->m;
    ktext_named *e = p->named;
    uint32_t n = p->nnamed;
    if (!n)
        return true;
    qsort(e, n, sizeof(*e), by_binding);
    for (uint32_t i = 0; i < n; i++) {
        if (i && e[i].sub == e[i - 1].sub && e[i].idx == e[i - 1].idx &&
            e[i].sub_idx == e[i - 1].sub_idx)
            return ktext_fail(p, NULL, "@name annotation: multiple %s names", g_name_what[e[i].sub]);
        switch (e[i].sub) {
        case KTEXT_NAME_MODULE: m->module_name = e[i].name; break;
        case KTEXT_NAME_FUNC:
            if (!m->func_names && m->nfuncs &&
                !(m->func_names = kutil_arena_array(&m->arena, m->nfuncs, sizeof(kir_name))))
                return ktext_oom(p);
            if (e[i].idx < m->nfuncs)
                m->func_names[e[i].idx] = e[i].name;
            break;
        case KTEXT_NAME_LOCAL: {
            uint32_t k;
            for (k = 0; k < m->nlocal_names; k++)
                if (m->local_names[k].func == e[i].idx && m->local_names[k].local == e[i].sub_idx)
                    break;
            if (k == m->nlocal_names && !KIR_PUSH(m, m->local_names, m->nlocal_names))
                return ktext_oom(p);
            m->local_names[k] = (kir_local_name){e[i].idx, e[i].sub_idx, e[i].name};
            break;
        }
        default: break;
        }
    }
    ktext_buf sec = {0}, sub = {0};
    bool ok = true;
    for (uint32_t i = 0; ok && i < n;) {
        uint32_t j = i;
        while (j < n && e[j].sub == e[i].sub)
            j++;
        sub.len = 0;
        ok = name_subsection(p, &sub, e + i, j - i) && ktext_byte(p, &sec, g_subsection_id[e[i].sub]) &&
             put_u32(p, &sec, (uint32_t)sub.len) && ktext_bytes(p, &sec, sub.data, sub.len);
        i = j;
    }
    ok = ok && push_custom(p, "name", 4, &sec, false, KIR_SECTION_DATA);
    kutil_free(p->alloc, sec.data);
    kutil_free(p->alloc, sub.data);
    return ok;
}

/* ---- branch hints ------------------------------------------------------------------- */

typedef struct hint {
    uint32_t func, offset; /* offset: code offset space (kir_expr.offset) */
    uint8_t value;
    const ktext_annot *annot;
} hint;

/* Whether srcpos entry s is at or after line:col. */
static bool at_or_after(const kir_srcpos *s, uint32_t line, uint32_t col)
{
    return s->line > line || (s->line == line && s->col >= col);
}

/* The opcode at code offset `off` of a function body (KIR_OP_COUNT for a
 * prefixed one, which is never a branch). */
static kir_op op_at(const kir_func *f, uint32_t off)
{
    uint16_t v = kir_plain_ops[f->body.code[off - f->body.offset]];
    return v ? (kir_op)(v - 1) : KIR_OP_COUNT;
}

/* Instructions of the binary encoding that are no instructions of the text
 * (they close or divide a block), which a hint cannot be attached to. */
static bool is_delimiter(kir_op op)
{
    return op == KIR_OP_END || op == KIR_OP_ELSE || op == KIR_OP_CATCH ||
           op == KIR_OP_CATCH_ALL || op == KIR_OP_DELEGATE;
}

/* A function's instructions in text order (its srcpos entries are in code
 * order, which differs for folded instructions), made once per function
 * that has hints. */
typedef struct text_order {
    uint32_t func;
    kir_srcpos *s;
    uint32_t n;
} text_order;

static int by_position(const void *x, const void *y)
{
    const kir_srcpos *a = x, *b = y;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

static bool text_order_of(ktext_parser *p, uint32_t func, text_order *o)
{
    if (o->s && o->func == func)
        return true;
    const kir_module *m = p->m;
    const kir_func *f = &m->funcs[func];
    uint32_t lo = 0, hi = m->nsrcpos;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->srcpos[mid].offset < f->body.offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t end = lo;
    while (end < m->nsrcpos && m->srcpos[end].offset < f->body.offset + f->body.len)
        end++;
    kutil_free(p->alloc, o->s);
    o->s = kutil_malloc(p->alloc, (end - lo + 1) * sizeof(*o->s));
    if (!o->s)
        return ktext_oom(p);
    o->func = func;
    o->n = 0;
    for (uint32_t i = lo; i < end; i++)
        if (!is_delimiter(op_at(f, m->srcpos[i].offset)))
            o->s[o->n++] = m->srcpos[i];
    qsort(o->s, o->n, sizeof(*o->s), by_position);
    return true;
}

/* The instruction a hint annotation is attached to: of the function's
 * instructions, the first in the text after the annotation. */
static bool hint_target(ktext_parser *p, const ktext_annot *a, uint32_t func, text_order *o,
                        hint *h)
{
    const kir_func *f = &p->m->funcs[func];
    ktext_token at = annot_tok(a);
    if (!text_order_of(p, func, o))
        return false;
    uint32_t lo = 0, hi = o->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (!at_or_after(&o->s[mid], a->end_line, a->end_col))
            lo = mid + 1;
        else
            hi = mid;
    }
    const kir_srcpos *best = lo < o->n ? &o->s[lo] : NULL;
    if (!best)
        return ktext_fail(p, &at, "@metadata.code.branch_hint annotation: invalid placement");
    kir_op op = op_at(f, best->offset);
    if (op != KIR_OP_IF && op != KIR_OP_BR_IF)
        return ktext_fail(p, &at, "@metadata.code.branch_hint annotation: invalid target");
    h->func = func;
    h->offset = best->offset;
    h->annot = a;
    return true;
}

static bool hint_value(ktext_parser *p, const ktext_annot *a, uint8_t *value)
{
    items it;
    ktext_token at = annot_tok(a);
    if (!items_begin(p, a, &it))
        return false;
    p->scratch.len = 0;
    for (; it.t.kind != KTEXT_RPAREN; )
        if (it.t.kind != KTEXT_STRING)
            return ktext_fail(p, &it.t, "@metadata.code.branch_hint annotation: unexpected token");
        else if (!string_append(p, &it.t) || !items_next(p, &it))
            return false;
    if (p->scratch.len != 1 || p->scratch.data[0] > 1)
        return ktext_fail(p, &at, "@metadata.code.branch_hint annotation: invalid hint value");
    *value = p->scratch.data[0];
    return true;
}

/* Bytes the function's local declarations take in the binary encoding
 * (the hint offsets count from the start of them). */
static bool locals_size(ktext_parser *p, const kir_func *f, uint32_t *out)
{
    ktext_buf b = {0};
    bool ok = put_u32(p, &b, f->nlocal_groups);
    for (uint32_t g = 0; ok && g < f->nlocal_groups; g++)
        ok = put_u32(p, &b, f->local_groups[g].count) && ktext_valtype_enc(p, &b, f->local_groups[g].type);
    *out = (uint32_t)b.len;
    kutil_free(p->alloc, b.data);
    return ok;
}

/* Hints by function, then offset. */
static int by_place(const void *x, const void *y)
{
    const hint *a = x, *b = y;
    if (a->func != b->func)
        return a->func < b->func ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static bool encode_hints(ktext_parser *p, hint *hs, uint32_t n)
{
    qsort(hs, n, sizeof(*hs), by_place);
    for (uint32_t i = 1; i < n; i++) {
        if (hs[i].func == hs[i - 1].func && hs[i].offset == hs[i - 1].offset) {
            const hint *later = hs[i].annot->start > hs[i - 1].annot->start ? &hs[i] : &hs[i - 1];
            ktext_token at = annot_tok(later->annot);
            return ktext_fail(p, &at, "@metadata.code.branch_hint annotation: duplicate annotation");
        }
    }
    ktext_buf b = {0};
    uint32_t nfuncs = 0;
    for (uint32_t i = 0; i < n; i++)
        nfuncs += i == 0 || hs[i].func != hs[i - 1].func;
    bool ok = put_u32(p, &b, nfuncs);
    for (uint32_t i = 0; ok && i < n;) {
        uint32_t j = i, base;
        while (j < n && hs[j].func == hs[i].func)
            j++;
        const kir_func *f = &p->m->funcs[hs[i].func];
        ok = locals_size(p, f, &base) && put_u32(p, &b, hs[i].func) && put_u32(p, &b, j - i);
        for (; ok && i < j; i++)
            ok = put_u32(p, &b, base + (hs[i].offset - f->body.offset)) && put_u32(p, &b, 1) &&
                 ktext_byte(p, &b, hs[i].value);
    }
    static const char name[] = "metadata.code.branch_hint";
    ok = ok && push_custom(p, name, sizeof(name) - 1, &b, true, KIR_SECTION_CODE);
    kutil_free(p->alloc, b.data);
    return ok;
}

static bool branch_hints(ktext_parser *p, const ktext_span *spans, uint32_t nspans)
{
    uint32_t n = p->annots.count[KTEXT_ANNOT_BRANCH_HINT];
    if (!n)
        return true;
    hint *hs = kutil_malloc(p->alloc, n * sizeof(*hs));
    if (!hs)
        return ktext_oom(p);
    uint32_t k = 0;
    bool ok = true;
    text_order order = {0};
    for (uint32_t i = 0; ok && i < p->annots.n; i++) {
        const ktext_annot *a = &p->annots.items[i];
        if (a->kind != KTEXT_ANNOT_BRANCH_HINT)
            continue;
        const ktext_span *s = span_of(a, spans, nspans);
        if (!s || s->func == KIR_NONE || s->func >= p->m->nfuncs ||
            p->m->funcs[s->func].import != KIR_NONE) {
            ktext_token at = annot_tok(a);
            ok = ktext_fail(p, &at, "@metadata.code.branch_hint annotation: not in a function");
            break;
        }
        ok = hint_value(p, a, &hs[k].value) && hint_target(p, a, s->func, &order, &hs[k]);
        k++;
    }
    ok = ok && encode_hints(p, hs, k);
    kutil_free(p->alloc, order.s);
    kutil_free(p->alloc, hs);
    return ok;
}

/* ---- after parsing ------------------------------------------------------------------ */

bool ktext_annots_finish(ktext_parser *p, const ktext_span *spans, uint32_t nspans,
                         const char *header_end)
{
    for (uint32_t i = 0; i < p->annots.n; i++) {
        const ktext_annot *a = &p->annots.items[i];
        if (a->kind == KTEXT_ANNOT_CUSTOM && !custom_annot(p, a, spans, nspans, header_end))
            return false;
    }
    return module_names(p, spans, nspans, header_end) && name_section(p) &&
           branch_hints(p, spans, nspans);
}
