/*
 * WAT parser helpers: errors, token access, byte encodings, the identifier
 * table, value types and type uses (including implicit function types).
 */
#include <stdarg.h>
#include <string.h>

#include "ir/config.h"
#include "text/numlit.h"
#include "text/parse_int.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- errors -------------------------------------------------------------- */

bool ktext_fail(ktext_parser *p, const ktext_token *at, const char *fmt, ...)
{
    if (p->err)
        return false;
    kite_position_t pos = {0};
    if (at) {
        pos.has_line = true;
        pos.line = at->line;
        pos.column = at->col;
    }
    va_list ap;
    va_start(ap, fmt);
    p->err = kutil_error_vnew(p->alloc, KITE_ERROR_MALFORMED, pos, fmt, ap);
    va_end(ap);
    return false;
}

bool ktext_oom(ktext_parser *p)
{
    if (!p->err)
        p->err = kutil_error_oom();
    return false;
}

/* Keywords of the text and script formats that are not instruction names:
 * meeting one of them in the wrong place is "unexpected token", while any
 * other keyword is "unknown operator" (the reference lexer's distinction). */
#define KW(s) {s, sizeof(s) - 1}
static const struct {
    const char *s;
    uint32_t len;
} g_keywords[] = {
    KW("module"), KW("type"), KW("func"), KW("param"), KW("result"), KW("local"), KW("global"),
    KW("table"), KW("memory"), KW("elem"), KW("data"), KW("start"), KW("import"), KW("export"),
    KW("tag"), KW("mut"), KW("field"), KW("struct"), KW("array"), KW("sub"), KW("final"),
    KW("rec"), KW("ref"), KW("null"), KW("i32"), KW("i64"), KW("f32"), KW("f64"), KW("v128"),
    KW("i8"), KW("i16"), KW("any"), KW("eq"), KW("i31"), KW("none"), KW("extern"),
    KW("noextern"), KW("nofunc"), KW("exn"), KW("noexn"), KW("anyref"), KW("eqref"),
    KW("i31ref"), KW("structref"), KW("arrayref"), KW("nullref"), KW("funcref"),
    KW("nullfuncref"), KW("externref"), KW("nullexternref"), KW("exnref"), KW("nullexnref"),
    KW("i8x16"), KW("i16x8"), KW("i32x4"), KW("i64x2"), KW("f32x4"), KW("f64x2"), KW("then"),
    KW("item"), KW("offset"), KW("declare"), KW("shared"), KW("pagesize"), KW("do"),
    KW("catch_ref"), KW("catch_all_ref"), KW("binary"), KW("quote"), KW("definition"),
    KW("instance"), KW("script"), KW("register"), KW("invoke"), KW("get"),
    KW("assert_malformed"), KW("assert_invalid"), KW("assert_unlinkable"), KW("assert_return"),
    KW("assert_trap"), KW("assert_exception"), KW("assert_exhaustion"),
    KW("assert_malformed_custom"), KW("assert_invalid_custom"), KW("nan:canonical"),
    KW("nan:arithmetic"), KW("either"), KW("input"), KW("output"), KW("ref.extern"),
    KW("ref.host"), KW("ref.struct"), KW("ref.array"), KW("ref.exn"), KW("ref.any"),
};
#undef KW

/* offset=N / align=N with N a well-formed natural number. */
static bool is_memarg_kw(const ktext_token *t)
{
    size_t skip;
    if (t->len > 7 && memcmp(t->text, "offset=", 7) == 0)
        skip = 7;
    else if (t->len > 6 && memcmp(t->text, "align=", 6) == 0)
        skip = 6;
    else
        return false;
    ktext_numsyn syn;
    return ktext_numscan(t->text + skip, t->len - skip, &syn) == KTEXT_NAT;
}

/* A keyword of the grammar other than an instruction name. */
static bool grammar_keyword(const ktext_token *t)
{
    if (is_memarg_kw(t))
        return true;
    for (size_t i = 0; i < sizeof(g_keywords) / sizeof(g_keywords[0]); i++)
        if (g_keywords[i].len == t->len && memcmp(g_keywords[i].s, t->text, t->len) == 0)
            return true;
    return false;
}

/* Classify a keyword token once: whether it is known, and its opcode. */
static void classify(ktext_parser *p, const ktext_token *t)
{
    if (p->kw_text == t->text)
        return;
    p->kw_text = t->text;
    p->kw_op = kir_op_by_mnemonic(t->text, t->len);
    p->kw_known = p->kw_op != KIR_OP_COUNT || grammar_keyword(t);
}

static bool op_enabled(const ktext_parser *p, kir_op op)
{
    uint8_t feat = kir_op_info(op)->feature;
    return feat == KIR_FEATURE_CORE || !p->config || kir_feature(p->config, (kite_feature_t)feat);
}

bool ktext_unexpected(ktext_parser *p, const ktext_token *t)
{
    bool unknown = t->kind == KTEXT_RESERVED;
    if (t->kind == KTEXT_KEYWORD) {
        classify(p, t);
        /* An instruction of a disabled feature is no operator either. */
        unknown = !p->kw_known || (p->kw_op != KIR_OP_COUNT && !op_enabled(p, p->kw_op));
    }
    if (unknown) {
        int n = t->len > 200 ? 200 : (int)t->len;
        return ktext_fail(p, t, "unknown operator %.*s", n, t->text);
    }
    if (t->kind == KTEXT_EOF)
        return ktext_fail(p, t, "unexpected token: unexpected end of text");
    int n = t->len > 40 ? 40 : (int)t->len;
    return ktext_fail(p, t, "unexpected token %.*s", n, t->text);
}

kir_op ktext_lookup_op(ktext_parser *p, const ktext_token *t)
{
    if (t->kind != KTEXT_KEYWORD)
        return KIR_OP_COUNT;
    classify(p, t);
    return p->kw_op != KIR_OP_COUNT && op_enabled(p, p->kw_op) ? p->kw_op : KIR_OP_COUNT;
}

/* ---- tokens -------------------------------------------------------------- */

bool ktext_get(ktext_parser *p, ktext_token *t)
{
    if (!ktext_next(&p->lx, t)) {
        if (!p->err)
            p->err = p->lx.error
                         ? p->lx.error
                         : kutil_error_new(p->alloc, KITE_ERROR_MALFORMED, "unexpected token");
        else
            kite_error_free(p->lx.error);
        p->lx.error = NULL;
        return false;
    }
    /* Like the reference lexer, reject a token that is no keyword of the
     * format at all as soon as it is read, whatever the parser expects. */
    if (t->kind == KTEXT_KEYWORD) {
        classify(p, t);
        if (!p->kw_known)
            return ktext_unexpected(p, t);
    }
    if (t->kind == KTEXT_RESERVED)
        return ktext_unexpected(p, t);
    return true;
}

bool ktext_look(ktext_parser *p, ktext_token *t)
{
    ktext_lexer save = p->lx;
    bool ok = ktext_get(p, t);
    p->lx = save;
    p->lx.error = NULL;
    return ok;
}

bool ktext_look2(ktext_parser *p, ktext_token *t1, ktext_token *t2)
{
    ktext_lexer save = p->lx;
    bool ok = ktext_get(p, t1) && ktext_get(p, t2);
    p->lx = save;
    p->lx.error = NULL;
    return ok;
}

bool ktext_at_sexpr(ktext_parser *p, const char *kw, bool *yes)
{
    ktext_token a, b;
    *yes = false;
    ktext_lexer save = p->lx;
    if (!ktext_get(p, &a))
        return false;
    if (a.kind != KTEXT_LPAREN) {
        p->lx = save;
        return true;
    }
    bool ok = ktext_get(p, &b);
    p->lx = save;
    p->lx.error = NULL;
    if (ok)
        *yes = ktext_is_kw(&b, kw);
    return ok;
}

bool ktext_take_sexpr(ktext_parser *p, const char *kw, bool *taken)
{
    if (!ktext_at_sexpr(p, kw, taken))
        return false;
    if (*taken) {
        ktext_token t;
        return ktext_get(p, &t) && ktext_get(p, &t);
    }
    return true;
}

bool ktext_expect(ktext_parser *p, ktext_tok kind, ktext_token *t)
{
    ktext_token tmp;
    if (!t)
        t = &tmp;
    if (!ktext_get(p, t))
        return false;
    if (t->kind != kind)
        return ktext_unexpected(p, t);
    return true;
}

bool ktext_expect_kw(ktext_parser *p, const char *kw)
{
    ktext_token t;
    if (!ktext_get(p, &t))
        return false;
    if (!ktext_is_kw(&t, kw))
        return ktext_unexpected(p, &t);
    return true;
}

/* ---- buffers ------------------------------------------------------------- */

bool ktext_reserve(ktext_parser *p, ktext_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2)
            return ktext_oom(p);
        cap *= 2;
    }
    uint8_t *n = kutil_realloc(p->alloc, b->data, cap);
    if (!n)
        return ktext_oom(p);
    b->data = n;
    b->cap = cap;
    return true;
}

bool ktext_byte(ktext_parser *p, ktext_buf *b, uint8_t v)
{
    if (b->len == b->cap && !ktext_reserve(p, b, 1))
        return false;
    b->data[b->len++] = v;
    return true;
}

bool ktext_bytes(ktext_parser *p, ktext_buf *b, const void *src, size_t n)
{
    if (!ktext_reserve(p, b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, src, n);
    b->len += n;
    return true;
}

bool ktext_u64(ktext_parser *p, ktext_buf *b, uint64_t v)
{
    if (!ktext_reserve(p, b, 10))
        return false;
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        b->data[b->len++] = byte | (v ? 0x80 : 0);
    } while (v);
    return true;
}

bool ktext_s64(ktext_parser *p, ktext_buf *b, int64_t v)
{
    if (!ktext_reserve(p, b, 10))
        return false;
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7F);
        /* Arithmetic shift done portably: v >> 7 rounding toward -inf. */
        int64_t next = v < 0 ? ~(~v >> 7) : v >> 7;
        bool done = (next == 0 && !(byte & 0x40)) || (next == -1 && (byte & 0x40));
        b->data[b->len++] = byte | (done ? 0 : 0x80);
        if (done)
            return true;
        v = next;
    }
}

bool ktext_op(ktext_parser *p, ktext_buf *b, kir_op op)
{
    const kir_opinfo *info = kir_op_info(op);
    if (info->prefix == KIR_PREFIX_NONE)
        return ktext_byte(p, b, (uint8_t)info->code);
    return ktext_byte(p, b, info->prefix) && ktext_u64(p, b, info->code);
}

/*
 * Value types in the binary encoding: one byte for number and vector types
 * and for nullable abstract references (funcref = 0x70 ...), otherwise
 * 0x63 (ref null) / 0x64 (ref) followed by the heap type, which is an
 * abstract type's byte or a type index as signed LEB128 (s33).
 */
bool ktext_heaptype_enc(ktext_parser *p, ktext_buf *b, kir_valtype t)
{
    if (kir_vt_concrete(t))
        return ktext_s64(p, b, (int64_t)kir_vt_heap(t));
    return ktext_byte(p, b, (uint8_t)kir_vt_heap(t));
}

bool ktext_valtype_enc(ktext_parser *p, ktext_buf *b, kir_valtype t)
{
    switch (kir_vt_kind(t)) {
    case KIR_I32: return ktext_byte(p, b, 0x7F);
    case KIR_I64: return ktext_byte(p, b, 0x7E);
    case KIR_F32: return ktext_byte(p, b, 0x7D);
    case KIR_F64: return ktext_byte(p, b, 0x7C);
    case KIR_V128: return ktext_byte(p, b, 0x7B);
    case KIR_I8: return ktext_byte(p, b, 0x78);
    case KIR_I16: return ktext_byte(p, b, 0x77);
    case KIR_REF:
        if (kir_vt_nullable(t) && !kir_vt_concrete(t))
            return ktext_byte(p, b, (uint8_t)kir_vt_heap(t));
        return ktext_byte(p, b, kir_vt_nullable(t) ? 0x63 : 0x64) && ktext_heaptype_enc(p, b, t);
    default: return ktext_byte(p, b, 0x40);
    }
}

/* ---- identifiers --------------------------------------------------------- */

bool ktext_id_name(ktext_parser *p, const ktext_token *t, ktext_name *out)
{
    if (t->len >= 2 && t->text[1] == '"') {
        /* $"...": the name is the decoded string, which must be UTF-8. */
        ktext_token s = *t;
        s.kind = KTEXT_STRING;
        s.text++;
        s.len--;
        uint8_t *buf = kutil_arena_alloc(&p->tmp, s.len + 1);
        size_t n = 0;
        if (!buf)
            return ktext_oom(p);
        if (!ktext_string_decode(&s, buf, &n))
            return ktext_fail(p, t, "malformed identifier");
        if (!ktext_utf8_valid(buf, n))
            return ktext_fail(p, t, "malformed UTF-8 encoding");
        if (n == 0)
            return ktext_fail(p, t, "empty identifier");
        out->ptr = (const char *)buf;
        out->len = (uint32_t)n;
        return true;
    }
    out->ptr = t->text + 1;
    out->len = t->len - 1;
    return true;
}

static uint32_t sym_hash(ktext_space sp, uint32_t scope, ktext_name n)
{
    uint32_t h = 2166136261u ^ (uint32_t)sp;
    h = (h ^ scope) * 16777619u;
    h = (h ^ (scope >> 16)) * 16777619u;
    for (uint32_t i = 0; i < n.len; i++)
        h = (h ^ (uint8_t)n.ptr[i]) * 16777619u;
    return h ? h : 1;
}

static ktext_sym *sym_find(ktext_symtab *st, ktext_space sp, uint32_t scope, ktext_name n,
                           uint32_t h)
{
    uint32_t mask = st->cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        ktext_sym *s = &st->slots[i];
        if (!s->name)
            return s;
        if (s->hash == h && s->space == sp && s->scope == scope && s->len == n.len &&
            memcmp(s->name, n.ptr, n.len) == 0)
            return s;
    }
}

static bool sym_grow(ktext_parser *p)
{
    ktext_symtab *st = &p->syms;
    uint32_t cap = st->cap ? st->cap * 2 : 256;
    if (cap > (1u << 30))
        return ktext_oom(p);
    ktext_sym *slots = kutil_calloc(p->alloc, cap, sizeof(*slots));
    if (!slots)
        return ktext_oom(p);
    ktext_symtab n = {slots, cap, st->count};
    for (uint32_t i = 0; i < st->cap; i++) {
        ktext_sym *s = &st->slots[i];
        if (s->name) {
            ktext_name nm = {s->name, s->len};
            *sym_find(&n, (ktext_space)s->space, s->scope, nm, s->hash) = *s;
        }
    }
    kutil_free(p->alloc, st->slots);
    *st = n;
    return true;
}

bool ktext_sym_get(ktext_parser *p, ktext_space sp, uint32_t scope, ktext_name n,
                   uint32_t *value)
{
    if (!p->syms.cap)
        return false;
    ktext_sym *s = sym_find(&p->syms, sp, scope, n, sym_hash(sp, scope, n));
    if (!s->name || s->value == KIR_NONE)
        return false;
    *value = s->value;
    return true;
}

bool ktext_sym_set(ktext_parser *p, ktext_space sp, uint32_t scope, ktext_name n,
                   uint32_t value)
{
    if ((p->syms.count + 1) * 2 > p->syms.cap && !sym_grow(p))
        return false;
    uint32_t h = sym_hash(sp, scope, n);
    ktext_sym *s = sym_find(&p->syms, sp, scope, n, h);
    if (!s->name) {
        s->name = n.ptr;
        s->len = n.len;
        s->scope = scope;
        s->space = (uint8_t)sp;
        s->hash = h;
        p->syms.count++;
    }
    s->value = value;
    return true;
}

static const char *const g_space_names[KTEXT_SP_COUNT] = {
    [KTEXT_SP_TYPE] = "type",
    [KTEXT_SP_FUNC] = "function",
    [KTEXT_SP_TABLE] = "table",
    [KTEXT_SP_MEMORY] = "memory",
    [KTEXT_SP_GLOBAL] = "global",
    [KTEXT_SP_TAG] = "tag",
    [KTEXT_SP_ELEM] = "elem segment",
    [KTEXT_SP_DATA] = "data segment",
    [KTEXT_SP_LOCAL] = "local",
    [KTEXT_SP_LABEL] = "label",
    [KTEXT_SP_FIELD] = "field",
};

bool ktext_sym_bind(ktext_parser *p, ktext_space sp, uint32_t scope, const ktext_token *t,
                    uint32_t value)
{
    ktext_name n;
    uint32_t old;
    if (!ktext_id_name(p, t, &n))
        return false;
    if (ktext_sym_get(p, sp, scope, n, &old)) {
        int len = t->len > 60 ? 60 : (int)t->len;
        return ktext_fail(p, t, "duplicate %s %.*s", g_space_names[sp], len, t->text);
    }
    return ktext_sym_set(p, sp, scope, n, value);
}

bool ktext_nat_tok(ktext_parser *p, unsigned bits, ktext_token *t, uint64_t *out)
{
    if (!ktext_get(p, t))
        return false;
    if (t->kind != KTEXT_NAT)
        return ktext_unexpected(p, t);
    if (!ktext_nat(t, bits, out))
        return ktext_fail(p, t, "i%u constant out of range", bits);
    return true;
}

bool ktext_resolve(ktext_parser *p, ktext_space sp, uint32_t scope, const ktext_token *t,
                   uint32_t *out)
{
    if (t->kind == KTEXT_NAT) {
        uint64_t v;
        if (!ktext_nat(t, 32, &v))
            return ktext_fail(p, t, "i32 constant out of range");
        *out = (uint32_t)v;
        return true;
    }
    if (t->kind != KTEXT_ID)
        return ktext_unexpected(p, t);
    ktext_name n;
    if (!ktext_id_name(p, t, &n))
        return false;
    if (!ktext_sym_get(p, sp, scope, n, out)) {
        int len = t->len > 60 ? 60 : (int)t->len;
        return ktext_fail(p, t, "unknown %s %.*s", g_space_names[sp], len, t->text);
    }
    return true;
}

bool ktext_idx(ktext_parser *p, ktext_space sp, uint32_t scope, uint32_t *out)
{
    ktext_token t;
    return ktext_get(p, &t) && ktext_resolve(p, sp, scope, &t, out);
}

bool ktext_opt_idx(ktext_parser *p, ktext_space sp, uint32_t scope, uint32_t *out,
                   bool *present)
{
    ktext_token t;
    *present = false;
    if (!ktext_look(p, &t))
        return false;
    if (!ktext_is_idx_tok(&t))
        return true;
    *present = true;
    return ktext_idx(p, sp, scope, out);
}

/* ---- value types --------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t heap;
} g_heaps[] = {
    {"func", KIR_HEAP_FUNC},     {"extern", KIR_HEAP_EXTERN}, {"any", KIR_HEAP_ANY},
    {"eq", KIR_HEAP_EQ},         {"i31", KIR_HEAP_I31},       {"struct", KIR_HEAP_STRUCT},
    {"array", KIR_HEAP_ARRAY},   {"none", KIR_HEAP_NONE},     {"noextern", KIR_HEAP_NOEXTERN},
    {"nofunc", KIR_HEAP_NOFUNC}, {"exn", KIR_HEAP_EXN},       {"noexn", KIR_HEAP_NOEXN},
};

static const struct {
    const char *name;
    uint32_t heap;
} g_refs[] = {
    {"funcref", KIR_HEAP_FUNC},
    {"externref", KIR_HEAP_EXTERN},
    {"anyref", KIR_HEAP_ANY},
    {"eqref", KIR_HEAP_EQ},
    {"i31ref", KIR_HEAP_I31},
    {"structref", KIR_HEAP_STRUCT},
    {"arrayref", KIR_HEAP_ARRAY},
    {"nullref", KIR_HEAP_NONE},
    {"nullexternref", KIR_HEAP_NOEXTERN},
    {"nullfuncref", KIR_HEAP_NOFUNC},
    {"exnref", KIR_HEAP_EXN},
    {"nullexnref", KIR_HEAP_NOEXN},
};

/* A heap type: an abstract keyword or a type index (number or $id). */
static bool heaptype_tok(ktext_parser *p, const ktext_token *t, kir_valtype *out)
{
    if (t->kind == KTEXT_KEYWORD) {
        for (size_t i = 0; i < sizeof(g_heaps) / sizeof(g_heaps[0]); i++)
            if (ktext_is_kw(t, g_heaps[i].name)) {
                *out = kir_vt_ref(false, false, g_heaps[i].heap);
                return true;
            }
        return ktext_unexpected(p, t);
    }
    uint32_t idx;
    if (!ktext_resolve(p, KTEXT_SP_TYPE, 0, t, &idx))
        return false;
    /* Indices beyond the packed field stay out of range for the validator. */
    if (idx > KIR_MAX_TYPE_INDEX)
        idx = KIR_MAX_TYPE_INDEX;
    *out = kir_vt_ref(false, true, idx);
    return true;
}

bool ktext_heaptype(ktext_parser *p, kir_valtype *out)
{
    ktext_token t;
    return ktext_get(p, &t) && heaptype_tok(p, &t, out);
}

/* After `(`: `ref null? heaptype )`. */
static bool ref_sexpr(ktext_parser *p, kir_valtype *out)
{
    ktext_token t;
    if (!ktext_expect_kw(p, "ref") || !ktext_get(p, &t))
        return false;
    bool nullable = ktext_is_kw(&t, "null");
    if (nullable && !ktext_get(p, &t))
        return false;
    if (!heaptype_tok(p, &t, out))
        return false;
    *out = kir_vt_with_nullable(*out, nullable);
    return ktext_expect(p, KTEXT_RPAREN, NULL);
}

static bool ref_abbrev(const ktext_token *t, kir_valtype *out)
{
    for (size_t i = 0; i < sizeof(g_refs) / sizeof(g_refs[0]); i++)
        if (ktext_is_kw(t, g_refs[i].name)) {
            *out = kir_vt_ref(true, false, g_refs[i].heap);
            return true;
        }
    return false;
}

bool ktext_reftype(ktext_parser *p, kir_valtype *out)
{
    ktext_token t;
    if (!ktext_get(p, &t))
        return false;
    if (t.kind == KTEXT_LPAREN)
        return ref_sexpr(p, out);
    if (ref_abbrev(&t, out))
        return true;
    return ktext_unexpected(p, &t);
}

static bool valtype_tok(ktext_parser *p, const ktext_token *t, bool storage, kir_valtype *out)
{
    static const struct {
        const char *name;
        kir_kind kind;
        bool storage_only;
    } nums[] = {
        {"i32", KIR_I32, false}, {"i64", KIR_I64, false}, {"f32", KIR_F32, false},
        {"f64", KIR_F64, false}, {"v128", KIR_V128, false}, {"i8", KIR_I8, true},
        {"i16", KIR_I16, true},
    };
    if (t->kind == KTEXT_LPAREN)
        return ref_sexpr(p, out);
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if ((storage || !nums[i].storage_only) && ktext_is_kw(t, nums[i].name)) {
            *out = kir_vt(nums[i].kind);
            return true;
        }
    if (ref_abbrev(t, out))
        return true;
    return ktext_unexpected(p, t);
}

bool ktext_valtype(ktext_parser *p, kir_valtype *out)
{
    ktext_token t;
    return ktext_get(p, &t) && valtype_tok(p, &t, false, out);
}

bool ktext_storagetype(ktext_parser *p, kir_valtype *out)
{
    ktext_token t;
    return ktext_get(p, &t) && valtype_tok(p, &t, true, out);
}

bool ktext_vt_push(ktext_parser *p, kir_valtype t)
{
    if (p->nvt == p->vt_cap) {
        uint32_t cap = p->vt_cap ? p->vt_cap * 2 : 32;
        if (cap > (1u << 28))
            return ktext_oom(p);
        kir_valtype *n = kutil_realloc(p->alloc, p->vt, cap * sizeof(*n));
        if (!n)
            return ktext_oom(p);
        p->vt = n;
        p->vt_cap = cap;
    }
    p->vt[p->nvt++] = t;
    return true;
}

static bool pname_push(ktext_parser *p, const ktext_name *n, const ktext_token *t)
{
    if (p->npnames == p->pnames_cap) {
        uint32_t cap = p->pnames_cap ? p->pnames_cap * 2 : 32;
        if (cap > (1u << 26))
            return ktext_oom(p);
        ktext_name *nn = kutil_realloc(p->alloc, p->pnames, cap * sizeof(*nn));
        if (!nn)
            return ktext_oom(p);
        p->pnames = nn;
        ktext_token *nt = kutil_realloc(p->alloc, p->pname_toks, cap * sizeof(*nt));
        if (!nt)
            return ktext_oom(p);
        p->pname_toks = nt;
        p->pnames_cap = cap;
    }
    p->pnames[p->npnames] = *n;
    p->pname_toks[p->npnames] = *t;
    p->npnames++;
    return true;
}

/* Value types up to and including `)`. */
static bool valtypes_until_rparen(ktext_parser *p, uint32_t *count, bool names)
{
    ktext_token t;
    for (;;) {
        if (!ktext_get(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        kir_valtype vt;
        if (!valtype_tok(p, &t, false, &vt) || !ktext_vt_push(p, vt))
            return false;
        (*count)++;
        if (names) {
            ktext_name none = {NULL, 0};
            if (!pname_push(p, &none, &t))
                return false;
        }
    }
}

/*
 * `(type x)? (param ...)* (result ...)*`. Parameter names are accepted
 * (and recorded in p->pnames, one entry per parameter) only where the
 * grammar allows them: functions, imports, tags and function types.
 */
bool ktext_parse_typeuse(ktext_parser *p, bool param_names, ktext_typeuse *tu)
{
    bool yes;
    memset(tu, 0, sizeof(*tu));
    p->nvt = 0;
    p->npnames = 0;
    if (!ktext_take_sexpr(p, "type", &yes))
        return false;
    if (yes) {
        tu->has_type = true;
        if (!ktext_get(p, &tu->type_tok) ||
            !ktext_resolve(p, KTEXT_SP_TYPE, 0, &tu->type_tok, &tu->type) ||
            !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
    }
    for (;;) {
        if (!ktext_take_sexpr(p, "param", &yes))
            return false;
        if (!yes)
            break;
        ktext_token t;
        if (!ktext_look(p, &t))
            return false;
        if (t.kind == KTEXT_ID) {
            kir_valtype vt;
            ktext_name n;
            if (!param_names)
                return ktext_get(p, &t) && ktext_unexpected(p, &t);
            if (!ktext_get(p, &t) || !ktext_id_name(p, &t, &n) ||
                !ktext_name_here(p, KTEXT_NAME_LOCAL, p->names_func, tu->nparams) ||
                !ktext_valtype(p, &vt) || !ktext_vt_push(p, vt) || !pname_push(p, &n, &t) ||
                !ktext_expect(p, KTEXT_RPAREN, NULL))
                return false;
            tu->nparams++;
            continue;
        }
        /* A name only for a declaration of exactly one parameter. */
        ktext_annot *name;
        uint32_t first = tu->nparams;
        if (!ktext_name_find(p, KTEXT_NAME_LOCAL, &name) ||
            !valtypes_until_rparen(p, &tu->nparams, param_names))
            return false;
        if (name && tu->nparams == first + 1 &&
            !ktext_name_take(p, name, KTEXT_NAME_LOCAL, p->names_func, first))
            return false;
    }
    for (;;) {
        if (!ktext_take_sexpr(p, "result", &yes))
            return false;
        if (!yes)
            break;
        if (!valtypes_until_rparen(p, &tu->nresults, false))
            return false;
    }
    /* Out-of-order clauses are a syntax error, reported before any check of
     * the inline signature. */
    ktext_token a, b;
    if (!ktext_look2(p, &a, &b))
        return false;
    if (a.kind == KTEXT_LPAREN && (ktext_is_kw(&b, "param") || ktext_is_kw(&b, "type")))
        return ktext_fail(p, &b, "unexpected token %s", ktext_is_kw(&b, "type") ? "type" : "param");
    return true;
}

/* ---- implicit function types --------------------------------------------- */

static uint32_t sig_hash(const kir_valtype *ts, uint32_t np, uint32_t nr)
{
    uint32_t h = 2166136261u ^ np;
    h = (h ^ nr) * 16777619u;
    for (uint32_t i = 0; i < np + nr; i++)
        h = (h ^ ts[i]) * 16777619u;
    return h;
}

/* A type the implicit-type rule may reuse: a final function type without
 * supertypes that forms a rec group on its own. */
static bool sig_eligible(const kir_type *t)
{
    return t->comp == KIR_COMP_FUNC && t->final && t->super == KIR_NO_SUPER && t->rec_size == 1;
}

static bool sig_equal(const kir_type *t, const kir_valtype *ts, uint32_t np, uint32_t nr)
{
    return t->comp == KIR_COMP_FUNC && t->nparams == np && t->nresults == nr &&
           (np + nr == 0 || memcmp(t->types, ts, (size_t)(np + nr) * sizeof(*ts)) == 0);
}

/* Slot for the signature: holding an equal type, or empty (KIR_NONE). */
static uint32_t *sig_slot(ktext_parser *p, const kir_valtype *ts, uint32_t np, uint32_t nr)
{
    uint32_t mask = p->sig_cap - 1;
    for (uint32_t i = sig_hash(ts, np, nr) & mask;; i = (i + 1) & mask) {
        uint32_t v = p->sigs[i];
        if (v == KIR_NONE || sig_equal(&p->m->types[v], ts, np, nr))
            return &p->sigs[i];
    }
}

static bool sig_grow(ktext_parser *p)
{
    uint32_t cap = p->sig_cap ? p->sig_cap * 2 : 64;
    if (cap > (1u << 28))
        return ktext_oom(p);
    uint32_t *old = p->sigs, old_cap = p->sig_cap;
    p->sigs = kutil_malloc(p->alloc, (size_t)cap * sizeof(uint32_t));
    if (!p->sigs) {
        p->sigs = old;
        return ktext_oom(p);
    }
    memset(p->sigs, 0xFF, (size_t)cap * sizeof(uint32_t));
    p->sig_cap = cap;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i] != KIR_NONE) {
            const kir_type *t = &p->m->types[old[i]];
            *sig_slot(p, t->types, t->nparams, t->nresults) = old[i];
        }
    kutil_free(p->alloc, old);
    return true;
}

/* Make an eligible type findable (the first of equal types wins). */
bool ktext_sig_insert(ktext_parser *p, uint32_t typeidx)
{
    const kir_type *t = &p->m->types[typeidx];
    if (!sig_eligible(t))
        return true;
    if ((p->sig_count + 1) * 2 > p->sig_cap && !sig_grow(p))
        return false;
    t = &p->m->types[typeidx];
    uint32_t *slot = sig_slot(p, t->types, t->nparams, t->nresults);
    if (*slot == KIR_NONE) {
        *slot = typeidx;
        p->sig_count++;
    }
    return true;
}

static bool implicit_type(ktext_parser *p, uint32_t np, uint32_t nr, uint32_t *out)
{
    kir_module *m = p->m;
    if (p->sig_cap) {
        uint32_t v = *sig_slot(p, p->vt, np, nr);
        if (v != KIR_NONE) {
            *out = v;
            return true;
        }
    }
    kir_valtype *ts = NULL;
    if (np + nr) {
        ts = kutil_arena_array(&m->arena, np + nr, sizeof(*ts));
        if (!ts)
            return ktext_oom(p);
        memcpy(ts, p->vt, (size_t)(np + nr) * sizeof(*ts));
    }
    uint32_t idx = m->ntypes;
    kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
    if (!t)
        return ktext_oom(p);
    t->comp = KIR_COMP_FUNC;
    t->final = true;
    t->super = KIR_NO_SUPER;
    t->rec_start = idx;
    t->rec_size = 1;
    t->nparams = np;
    t->nresults = nr;
    t->types = ts;
    *out = idx;
    return ktext_sig_insert(p, idx);
}

bool ktext_typeuse_index(ktext_parser *p, const ktext_typeuse *tu, uint32_t *out)
{
    if (!tu->has_type)
        return implicit_type(p, tu->nparams, tu->nresults, out);
    *out = tu->type;
    if (tu->nparams == 0 && tu->nresults == 0)
        return true;
    if (tu->type >= p->m->ntypes) {
        int len = tu->type_tok.len > 60 ? 60 : (int)tu->type_tok.len;
        return ktext_fail(p, &tu->type_tok, "unknown type %.*s", len, tu->type_tok.text);
    }
    if (!sig_equal(&p->m->types[tu->type], p->vt, tu->nparams, tu->nresults))
        return ktext_fail(p, &tu->type_tok,
                          "inline function type does not match explicit type");
    return true;
}

bool ktext_func_type_params(const kir_module *m, uint32_t typeidx, uint32_t *nparams)
{
    if (typeidx >= m->ntypes || m->types[typeidx].comp != KIR_COMP_FUNC) {
        *nparams = 0;
        return false;
    }
    *nparams = m->types[typeidx].nparams;
    return true;
}
