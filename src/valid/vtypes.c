/* Subtyping over module-relative value types, type names, error helper. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "valid/internal.h"

kite_error_t *kval_verror_kind(const kval_ctx *v, kite_error_code_t code, uint64_t offset,
                               const char *fmt, va_list ap)
{
    kite_position_t pos = {0};
    uint32_t line, col;
    if (offset != KVAL_NOPOS) {
        if (v->m->nsrcpos > 0 && offset <= UINT32_MAX &&
            kir_module_srcpos(v->m, (uint32_t)offset, &line, &col)) {
            pos.has_line = true;
            pos.line = line;
            pos.column = col;
        } else if (v->m->nsrcpos == 0) {
            pos.has_offset = true;
            pos.offset = offset;
        }
    }
    return kutil_error_vnew(v->alloc, code, pos, fmt, ap);
}

kite_error_t *kval_error_kind(const kval_ctx *v, kite_error_code_t code, uint64_t offset,
                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kite_error_t *e = kval_verror_kind(v, code, offset, fmt, ap);
    va_end(ap);
    return e;
}

/* ---- subtyping ------------------------------------------------------------ */

#define HBIT(h) (1u << ((h) - KIR_HEAP_EXN))

/* For each abstract heap type, the set of abstract heap types above it. */
static uint32_t abstract_supers(uint32_t h)
{
    switch (h) {
    case KIR_HEAP_ANY: return HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_EQ: return HBIT(KIR_HEAP_EQ) | HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_I31: return HBIT(KIR_HEAP_I31) | HBIT(KIR_HEAP_EQ) | HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_STRUCT: return HBIT(KIR_HEAP_STRUCT) | HBIT(KIR_HEAP_EQ) | HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_ARRAY: return HBIT(KIR_HEAP_ARRAY) | HBIT(KIR_HEAP_EQ) | HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_NONE:
        return HBIT(KIR_HEAP_NONE) | HBIT(KIR_HEAP_I31) | HBIT(KIR_HEAP_STRUCT) |
               HBIT(KIR_HEAP_ARRAY) | HBIT(KIR_HEAP_EQ) | HBIT(KIR_HEAP_ANY);
    case KIR_HEAP_FUNC: return HBIT(KIR_HEAP_FUNC);
    case KIR_HEAP_NOFUNC: return HBIT(KIR_HEAP_NOFUNC) | HBIT(KIR_HEAP_FUNC);
    case KIR_HEAP_EXTERN: return HBIT(KIR_HEAP_EXTERN);
    case KIR_HEAP_NOEXTERN: return HBIT(KIR_HEAP_NOEXTERN) | HBIT(KIR_HEAP_EXTERN);
    case KIR_HEAP_EXN: return HBIT(KIR_HEAP_EXN);
    case KIR_HEAP_NOEXN: return HBIT(KIR_HEAP_NOEXN) | HBIT(KIR_HEAP_EXN);
    default: return 0;
    }
}

static bool abstract_heap_valid(uint32_t h) { return h >= KIR_HEAP_EXN && h <= KIR_HEAP_NOEXN; }

bool kval_heap_sub(const kval_ctx *v, kir_valtype a, kir_valtype b)
{
    const kir_module *m = v->m;
    bool ca = kir_vt_concrete(a), cb = kir_vt_concrete(b);
    uint32_t ha = kir_vt_heap(a), hb = kir_vt_heap(b);
    if (!ca && ha == KVAL_HEAP_BOT)
        return true;
    if (ca && cb)
        return ha == hb || ktype_canon_is_subtype(v->canon, m->canon[ha], m->canon[hb]);
    if (ca) {
        if (!abstract_heap_valid(hb))
            return false;
        switch (m->types[ha].comp) {
        case KIR_COMP_STRUCT: return hb == KIR_HEAP_STRUCT || hb == KIR_HEAP_EQ || hb == KIR_HEAP_ANY;
        case KIR_COMP_ARRAY: return hb == KIR_HEAP_ARRAY || hb == KIR_HEAP_EQ || hb == KIR_HEAP_ANY;
        case KIR_COMP_FUNC: return hb == KIR_HEAP_FUNC;
        }
        return false;
    }
    if (cb) {
        kir_comp comp = m->types[hb].comp;
        return (ha == KIR_HEAP_NONE && comp != KIR_COMP_FUNC) ||
               (ha == KIR_HEAP_NOFUNC && comp == KIR_COMP_FUNC);
    }
    if (!abstract_heap_valid(hb))
        return false;
    return (abstract_supers(ha) & HBIT(hb)) != 0;
}

bool kval_sub(const kval_ctx *v, kir_valtype a, kir_valtype b)
{
    if (a == b)
        return true;
    kir_kind ka = kir_vt_kind(a);
    if (ka == KIR_BOT)
        return true;
    if (ka != KIR_REF || kir_vt_kind(b) != KIR_REF)
        return false;
    if (kir_vt_nullable(a) && !kir_vt_nullable(b))
        return false;
    return kval_heap_sub(v, a, b);
}

bool kval_storage_sub(const kval_ctx *v, kir_valtype a, kir_valtype b)
{
    if (kval_is_packed(a) || kval_is_packed(b))
        return a == b;
    return kval_sub(v, a, b);
}

bool kval_field_sub(const kval_ctx *v, const kir_field *a, const kir_field *b)
{
    if (a->mutable_ != b->mutable_ || !kval_storage_sub(v, a->type, b->type))
        return false;
    return !a->mutable_ || kval_storage_sub(v, b->type, a->type);
}

uint32_t kval_top_heap(const kval_ctx *v, kir_valtype ref)
{
    uint32_t h = kir_vt_heap(ref);
    if (kir_vt_concrete(ref))
        return v->m->types[h].comp == KIR_COMP_FUNC ? KIR_HEAP_FUNC : KIR_HEAP_ANY;
    switch (h) {
    case KIR_HEAP_FUNC:
    case KIR_HEAP_NOFUNC: return KIR_HEAP_FUNC;
    case KIR_HEAP_EXTERN:
    case KIR_HEAP_NOEXTERN: return KIR_HEAP_EXTERN;
    case KIR_HEAP_EXN:
    case KIR_HEAP_NOEXN: return KIR_HEAP_EXN;
    case KVAL_HEAP_BOT: return KVAL_HEAP_BOT;
    default: return KIR_HEAP_ANY;
    }
}

kite_error_t *kval_check_valtype(const kval_ctx *v, kir_valtype t, uint32_t limit, uint64_t offset)
{
    switch (kir_vt_kind(t)) {
    case KIR_I32:
    case KIR_I64:
    case KIR_F32:
    case KIR_F64:
    case KIR_V128:
    case KIR_I8:
    case KIR_I16: return NULL;
    case KIR_REF:
        if (kir_vt_concrete(t)) {
            if (kir_vt_heap(t) >= limit || kir_vt_heap(t) >= v->m->ntypes)
                return kval_error(v, offset, "unknown type %u", kir_vt_heap(t));
        } else if (!abstract_heap_valid(kir_vt_heap(t))) {
            return kval_error(v, offset, "unknown type: heap type 0x%x", kir_vt_heap(t));
        }
        return NULL;
    default: return kval_error(v, offset, "unknown type: value type 0x%x", t);
    }
}

/* ---- messages ------------------------------------------------------------ */

void kval_sb_puts(kval_sb *sb, const char *s)
{
    size_t cap = sizeof(sb->buf) - 4; /* room for "..." and NUL */
    size_t len = strlen(s);
    if (sb->n >= cap)
        return;
    if (len > cap - sb->n) {
        memcpy(sb->buf + sb->n, s, cap - sb->n);
        sb->n = cap;
        memcpy(sb->buf + sb->n, "...", 4);
        return;
    }
    memcpy(sb->buf + sb->n, s, len);
    sb->n += len;
    sb->buf[sb->n] = 0;
}

static const char *abstract_name(uint32_t h)
{
    switch (h) {
    case KIR_HEAP_EXN: return "exn";
    case KIR_HEAP_ARRAY: return "array";
    case KIR_HEAP_STRUCT: return "struct";
    case KIR_HEAP_I31: return "i31";
    case KIR_HEAP_EQ: return "eq";
    case KIR_HEAP_ANY: return "any";
    case KIR_HEAP_EXTERN: return "extern";
    case KIR_HEAP_FUNC: return "func";
    case KIR_HEAP_NONE: return "none";
    case KIR_HEAP_NOEXTERN: return "noextern";
    case KIR_HEAP_NOFUNC: return "nofunc";
    case KIR_HEAP_NOEXN: return "noexn";
    case KVAL_HEAP_BOT: return "bot";
    default: return "?";
    }
}

void kval_sb_type(kval_sb *sb, kir_valtype t)
{
    static const char *const names[] = {"?", "i32", "i64", "f32", "f64", "v128", "ref", "i8", "i16", "bot"};
    kir_kind k = kir_vt_kind(t);
    if (k != KIR_REF) {
        kval_sb_puts(sb, (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?");
        return;
    }
    char buf[48];
    uint32_t h = kir_vt_heap(t);
    if (kir_vt_concrete(t))
        snprintf(buf, sizeof(buf), "(ref %s%u)", kir_vt_nullable(t) ? "null " : "", h);
    else if (kir_vt_nullable(t) && h == KIR_HEAP_NONE)
        snprintf(buf, sizeof(buf), "nullref");
    else if (kir_vt_nullable(t) && (h == KIR_HEAP_NOFUNC || h == KIR_HEAP_NOEXTERN || h == KIR_HEAP_NOEXN))
        snprintf(buf, sizeof(buf), "null%sref", abstract_name(h) + 2);
    else if (kir_vt_nullable(t))
        snprintf(buf, sizeof(buf), "%sref", abstract_name(h));
    else
        snprintf(buf, sizeof(buf), "(ref %s)", abstract_name(h));
    kval_sb_puts(sb, buf);
}

void kval_sb_types(kval_sb *sb, const kir_valtype *ts, uint32_t n)
{
    kval_sb_puts(sb, "[");
    for (uint32_t i = 0; i < n && sb->n < sizeof(sb->buf) - 4; i++) {
        if (i)
            kval_sb_puts(sb, " ");
        kval_sb_type(sb, ts[i]);
    }
    kval_sb_puts(sb, "]");
}
