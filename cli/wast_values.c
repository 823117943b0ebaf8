/*
 * kite wast: script values. Arguments become kite values; results are
 * matched against assert_return patterns (exact bits, NaN classes, v128
 * lanes, reference kinds) and both are formatted for failure reports.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wast.h"

void wast_buf_printf(wast_buf *b, const char *fmt, ...)
{
    size_t room = sizeof(b->text) - b->len;
    if (room <= 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* ---- arguments ---------------------------------------------------------- */

/* The store's host reference for `value`, made once per script file. */
static bool host_ref(wast_run *run, uintptr_t value, kite_ref_t *out, wast_buf *why)
{
    for (size_t i = 0; i < run->nhostrefs; i++) {
        if (run->hostrefs[i].value == value) {
            *out = run->hostrefs[i].ref;
            return true;
        }
    }
    if (run->nhostrefs == run->cap_hostrefs) {
        size_t cap = run->cap_hostrefs ? run->cap_hostrefs * 2 : 16;
        wast_hostref *n = realloc(run->hostrefs, cap * sizeof(*n));
        if (!n) {
            wast_buf_printf(why, "out of memory");
            return false;
        }
        run->hostrefs = n;
        run->cap_hostrefs = cap;
    }
    kite_error_t *err = kite_ref_new_host(run->store, value, out);
    if (err) {
        wast_buf_printf(why, "cannot make a host reference: %s", kite_error_message(err));
        kite_error_free(err);
        return false;
    }
    run->hostrefs[run->nhostrefs++] = (wast_hostref){value, *out};
    return true;
}

bool wast_arg(wast_run *run, const kscr_value *in, kite_val_t *out, wast_buf *why)
{
    memset(out, 0, sizeof(*out));
    switch (in->kind) {
    case KSCR_I32:
        out->kind = KITE_I32;
        out->of.i32 = (int32_t)in->u.i32;
        return true;
    case KSCR_I64:
        out->kind = KITE_I64;
        out->of.i64 = (int64_t)in->u.i64;
        return true;
    case KSCR_F32:
        out->kind = KITE_F32;
        out->of.f32_bits = in->u.f32;
        return true;
    case KSCR_F64:
        out->kind = KITE_F64;
        out->of.f64_bits = in->u.f64;
        return true;
    case KSCR_V128:
        out->kind = KITE_V128;
        memcpy(out->of.v128, in->u.v128, 16);
        return true;
    case KSCR_REF_NULL:
        out->kind = KITE_REF;
        out->of.ref = KITE_REF_NULL;
        return true;
    case KSCR_REF_EXTERN:
    case KSCR_REF_HOST:
        out->kind = KITE_REF;
        return host_ref(run, in->index, &out->of.ref, why);
    default:
        wast_buf_printf(why, "this value cannot be an argument");
        return false;
    }
}

/* ---- matching ------------------------------------------------------------ */

static bool match_f32(kscr_nan nan, uint32_t want, uint32_t got)
{
    switch (nan) {
    case KSCR_NAN_CANONICAL:
        return (got & 0x7fffffffu) == 0x7fc00000u;
    case KSCR_NAN_ARITHMETIC:
        return (got & 0x7fc00000u) == 0x7fc00000u;
    case KSCR_EXACT:
        break;
    }
    return got == want;
}

static bool match_f64(kscr_nan nan, uint64_t want, uint64_t got)
{
    switch (nan) {
    case KSCR_NAN_CANONICAL:
        return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    case KSCR_NAN_ARITHMETIC:
        return (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    case KSCR_EXACT:
        break;
    }
    return got == want;
}

static uint64_t lane(const uint8_t *bytes, unsigned bits, unsigned i)
{
    uint64_t x = 0;
    for (unsigned b = 0; b < bits / 8; b++)
        x |= (uint64_t)bytes[i * (bits / 8) + b] << (8 * b);
    return x;
}

static bool match_v128(const kscr_value *e, const uint8_t *got)
{
    if (!e->lane_float)
        return memcmp(e->u.v128, got, 16) == 0;
    unsigned lanes = 128u / e->lane_bits;
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t w = lane(e->u.v128, e->lane_bits, i), g = lane(got, e->lane_bits, i);
        bool ok = e->lane_bits == 32 ? match_f32(e->lane_nan[i], (uint32_t)w, (uint32_t)g)
                                     : match_f64(e->lane_nan[i], w, g);
        if (!ok)
            return false;
    }
    return true;
}

/* Non-null references of the any hierarchy (or internalized host ones). */
static bool is_anyref(kite_refkind_t k)
{
    return k == KITE_REFKIND_I31 || k == KITE_REFKIND_STRUCT || k == KITE_REFKIND_ARRAY ||
           k == KITE_REFKIND_HOST;
}

static bool match_ref(const kscr_value *e, kite_ref_t ref)
{
    kite_refkind_t k = kite_ref_kind(ref);
    uintptr_t hv;
    switch (e->kind) {
    case KSCR_REF_NULL:
        /* A null's hierarchy is not visible through the API: only null-ness. */
        return ref == KITE_REF_NULL;
    case KSCR_REF_EXTERN:
        if (e->has_index)
            return kite_ref_host_value(ref, &hv) && hv == e->index;
        /* any non-null extern: a host reference or an externalized any */
        return ref != KITE_REF_NULL && is_anyref(k);
    case KSCR_REF_HOST:
        return kite_ref_host_value(ref, &hv) && (!e->has_index || hv == e->index);
    case KSCR_REF_FUNC:
        return k == KITE_REFKIND_FUNC;
    case KSCR_REF_STRUCT:
        return k == KITE_REFKIND_STRUCT;
    case KSCR_REF_ARRAY:
        return k == KITE_REFKIND_ARRAY;
    case KSCR_REF_I31:
        return k == KITE_REFKIND_I31;
    case KSCR_REF_EQ:
        return k == KITE_REFKIND_I31 || k == KITE_REFKIND_STRUCT || k == KITE_REFKIND_ARRAY;
    case KSCR_REF_ANY:
        return ref != KITE_REF_NULL && is_anyref(k);
    case KSCR_REF_EXN:
        return k == KITE_REFKIND_EXN;
    default:
        return false;
    }
}

bool wast_match(const kscr_value *e, const kite_val_t *got)
{
    switch (e->kind) {
    case KSCR_I32:
        return got->kind == KITE_I32 && (uint32_t)got->of.i32 == e->u.i32;
    case KSCR_I64:
        return got->kind == KITE_I64 && (uint64_t)got->of.i64 == e->u.i64;
    case KSCR_F32:
        return got->kind == KITE_F32 && match_f32(e->nan, e->u.f32, got->of.f32_bits);
    case KSCR_F64:
        return got->kind == KITE_F64 && match_f64(e->nan, e->u.f64, got->of.f64_bits);
    case KSCR_V128:
        return got->kind == KITE_V128 && match_v128(e, got->of.v128);
    case KSCR_EITHER:
        for (uint32_t i = 0; i < e->nalts; i++)
            if (wast_match(&e->alts[i], got))
                return true;
        return false;
    default:
        return got->kind == KITE_REF && match_ref(e, got->of.ref);
    }
}

/* ---- formatting ------------------------------------------------------------ */

static void format_f32(wast_buf *b, uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof(f));
    if (isnan(f))
        wast_buf_printf(b, "%snan", bits >> 31 ? "-" : "");
    else
        wast_buf_printf(b, "%.9g", (double)f);
    wast_buf_printf(b, " (0x%08x)", (unsigned)bits);
}

static void format_f64(wast_buf *b, uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof(d));
    if (isnan(d))
        wast_buf_printf(b, "%snan", bits >> 63 ? "-" : "");
    else
        wast_buf_printf(b, "%.17g", d);
    wast_buf_printf(b, " (0x%016llx)", (unsigned long long)bits);
}

static const char *nan_name(kscr_nan nan)
{
    return nan == KSCR_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

static void format_lanes(wast_buf *b, const uint8_t *bytes, unsigned bits, bool fl,
                         const kscr_nan *nans)
{
    static const char *const int_shapes[] = {"i8x16", "i16x8", "i32x4", "i64x2"};
    unsigned lanes = 128u / bits;
    int shape = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
    wast_buf_printf(b, "v128 %s", fl ? (bits == 32 ? "f32x4" : "f64x2") : int_shapes[shape]);
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t x = lane(bytes, bits, i);
        wast_buf_printf(b, " ");
        if (fl && nans && nans[i] != KSCR_EXACT)
            wast_buf_printf(b, "%s", nan_name(nans[i]));
        else if (fl && bits == 32)
            format_f32(b, (uint32_t)x);
        else if (fl)
            format_f64(b, x);
        else
            wast_buf_printf(b, "0x%0*llx", (int)(bits / 4), (unsigned long long)x);
    }
}

static void format_i32(wast_buf *b, uint32_t x)
{
    wast_buf_printf(b, "i32 %d (0x%08x)", (int)(int32_t)x, (unsigned)x);
}

static void format_i64(wast_buf *b, uint64_t x)
{
    wast_buf_printf(b, "i64 %lld (0x%016llx)", (long long)(int64_t)x, (unsigned long long)x);
}

static const char *const heap_names[] = {
    [KITE_HEAP_EXN - KITE_HEAP_EXN] = "exn",           [KITE_HEAP_ARRAY - KITE_HEAP_EXN] = "array",
    [KITE_HEAP_STRUCT - KITE_HEAP_EXN] = "struct",     [KITE_HEAP_I31 - KITE_HEAP_EXN] = "i31",
    [KITE_HEAP_EQ - KITE_HEAP_EXN] = "eq",             [KITE_HEAP_ANY - KITE_HEAP_EXN] = "any",
    [KITE_HEAP_EXTERN - KITE_HEAP_EXN] = "extern",     [KITE_HEAP_FUNC - KITE_HEAP_EXN] = "func",
    [KITE_HEAP_NONE - KITE_HEAP_EXN] = "none",         [KITE_HEAP_NOEXTERN - KITE_HEAP_EXN] = "noextern",
    [KITE_HEAP_NOFUNC - KITE_HEAP_EXN] = "nofunc",     [KITE_HEAP_NOEXN - KITE_HEAP_EXN] = "noexn",
};

void wast_format_expected(wast_buf *b, const kscr_value *v)
{
    static const char *const ref_names[] = {
        [KSCR_REF_EXTERN] = "ref.extern", [KSCR_REF_HOST] = "ref.host",
        [KSCR_REF_FUNC] = "ref.func",     [KSCR_REF_STRUCT] = "ref.struct",
        [KSCR_REF_ARRAY] = "ref.array",   [KSCR_REF_I31] = "ref.i31",
        [KSCR_REF_EQ] = "ref.eq",         [KSCR_REF_ANY] = "ref.any",
        [KSCR_REF_EXN] = "ref.exn",
    };
    switch (v->kind) {
    case KSCR_I32:
        format_i32(b, v->u.i32);
        return;
    case KSCR_I64:
        format_i64(b, v->u.i64);
        return;
    case KSCR_F32:
        wast_buf_printf(b, "f32 ");
        if (v->nan != KSCR_EXACT)
            wast_buf_printf(b, "%s", nan_name(v->nan));
        else
            format_f32(b, v->u.f32);
        return;
    case KSCR_F64:
        wast_buf_printf(b, "f64 ");
        if (v->nan != KSCR_EXACT)
            wast_buf_printf(b, "%s", nan_name(v->nan));
        else
            format_f64(b, v->u.f64);
        return;
    case KSCR_V128:
        format_lanes(b, v->u.v128, v->lane_bits, v->lane_float, v->lane_nan);
        return;
    case KSCR_REF_NULL:
        if (v->heap >= KITE_HEAP_EXN && v->heap <= KITE_HEAP_NOEXN)
            wast_buf_printf(b, "ref.null %s", heap_names[v->heap - KITE_HEAP_EXN]);
        else
            wast_buf_printf(b, "ref.null");
        return;
    case KSCR_EITHER:
        wast_buf_printf(b, "either(");
        for (uint32_t i = 0; i < v->nalts; i++) {
            if (i)
                wast_buf_printf(b, " | ");
            wast_format_expected(b, &v->alts[i]);
        }
        wast_buf_printf(b, ")");
        return;
    default:
        wast_buf_printf(b, "%s", ref_names[v->kind]);
        if (v->has_index)
            wast_buf_printf(b, " %u", (unsigned)v->index);
        return;
    }
}

static void format_ref(wast_buf *b, kite_ref_t ref)
{
    uintptr_t hv;
    switch (kite_ref_kind(ref)) {
    case KITE_REFKIND_NULL:
        wast_buf_printf(b, "ref.null");
        return;
    case KITE_REFKIND_FUNC:
        wast_buf_printf(b, "ref.func");
        return;
    case KITE_REFKIND_HOST:
        if (kite_ref_host_value(ref, &hv))
            wast_buf_printf(b, "ref.host %llu", (unsigned long long)hv);
        else
            wast_buf_printf(b, "ref.host");
        return;
    case KITE_REFKIND_EXN:
        wast_buf_printf(b, "ref.exn");
        return;
    case KITE_REFKIND_I31:
        wast_buf_printf(b, "ref.i31");
        return;
    case KITE_REFKIND_STRUCT:
        wast_buf_printf(b, "ref.struct");
        return;
    case KITE_REFKIND_ARRAY:
        wast_buf_printf(b, "ref.array");
        return;
    }
    wast_buf_printf(b, "ref (unknown kind)");
}

void wast_format_value(wast_buf *b, const kite_val_t *v, const kscr_value *shape)
{
    switch (v->kind) {
    case KITE_I32:
        format_i32(b, (uint32_t)v->of.i32);
        return;
    case KITE_I64:
        format_i64(b, (uint64_t)v->of.i64);
        return;
    case KITE_F32:
        wast_buf_printf(b, "f32 ");
        format_f32(b, v->of.f32_bits);
        return;
    case KITE_F64:
        wast_buf_printf(b, "f64 ");
        format_f64(b, v->of.f64_bits);
        return;
    case KITE_V128:
        if (shape && shape->kind == KSCR_V128)
            format_lanes(b, v->of.v128, shape->lane_bits, shape->lane_float, NULL);
        else
            format_lanes(b, v->of.v128, 32, false, NULL);
        return;
    case KITE_REF:
        format_ref(b, v->of.ref);
        return;
    }
    wast_buf_printf(b, "(value of unknown kind %d)", (int)v->kind);
}
