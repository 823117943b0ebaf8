/*
 * kite wast: script values. Arguments become kite values; results are
 * matched against assert_return patterns (exact bits, NaN classes, v128
 * lanes, reference kinds) and both are formatted for failure reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wast.h"

/* ---- arguments ---------------------------------------------------------- */

/* The store's host reference for `value`, made once per script file. */
static bool host_ref(wast_run *run, uintptr_t value, kite_ref_t *out, cli_buf *why)
{
    for (size_t i = 0; i < run->nhostrefs; i++) {
        if (run->hostrefs[i].value == value) {
            *out = kite_root_get(run->hostrefs[i].root);
            return true;
        }
    }
    if (run->nhostrefs == run->cap_hostrefs) {
        size_t cap = run->cap_hostrefs ? run->cap_hostrefs * 2 : 16;
        wast_hostref *n = realloc(run->hostrefs, cap * sizeof(*n));
        if (!n) {
            cli_buf_printf(why, "out of memory");
            return false;
        }
        run->hostrefs = n;
        run->cap_hostrefs = cap;
    }
    kite_root_t *root = NULL;
    kite_error_t *err = kite_ref_new_host(run->store, value, out);
    if (!err)
        err = kite_root_new(run->store, *out, &root);
    if (err) {
        cli_buf_printf(why, "cannot make a host reference: %s", kite_error_message(err));
        kite_error_free(err);
        return false;
    }
    run->hostrefs[run->nhostrefs++] = (wast_hostref){value, root};
    return true;
}

bool wast_arg(wast_run *run, const kscr_value *in, kite_val_t *out, cli_buf *why)
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
        cli_buf_printf(why, "this value cannot be an argument");
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

static bool match_v128(const kscr_value *e, const uint8_t *got)
{
    if (!e->lane_float)
        return memcmp(e->u.v128, got, 16) == 0;
    unsigned lanes = 128u / e->lane_bits;
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t w = cli_v128_lane(e->u.v128, e->lane_bits, i);
        uint64_t g = cli_v128_lane(got, e->lane_bits, i);
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

static const char *nan_name(kscr_nan nan)
{
    return nan == KSCR_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

/* An expected float: its NaN class, or the exact value. */
static void format_expected_float(cli_buf *b, kscr_nan nan, uint64_t bits, unsigned width)
{
    if (nan != KSCR_EXACT)
        cli_buf_printf(b, "%s", nan_name(nan));
    else
        cli_format_float(b, bits, width, CLI_VALUE_TYPED);
}

static void format_expected_lanes(cli_buf *b, const kscr_value *v)
{
    if (!v->lane_float) {
        cli_format_lanes(b, v->u.v128, v->lane_bits, false);
        return;
    }
    unsigned n = 128u / v->lane_bits;
    cli_buf_printf(b, "v128 f%ux%u", v->lane_bits, n);
    for (unsigned i = 0; i < n; i++) {
        cli_buf_printf(b, " ");
        uint64_t bits = cli_v128_lane(v->u.v128, v->lane_bits, i);
        format_expected_float(b, v->lane_nan[i], bits, v->lane_bits);
    }
}

static const char *const heap_names[] = {
    [KITE_HEAP_EXN - KITE_HEAP_EXN] = "exn",           [KITE_HEAP_ARRAY - KITE_HEAP_EXN] = "array",
    [KITE_HEAP_STRUCT - KITE_HEAP_EXN] = "struct",     [KITE_HEAP_I31 - KITE_HEAP_EXN] = "i31",
    [KITE_HEAP_EQ - KITE_HEAP_EXN] = "eq",             [KITE_HEAP_ANY - KITE_HEAP_EXN] = "any",
    [KITE_HEAP_EXTERN - KITE_HEAP_EXN] = "extern",     [KITE_HEAP_FUNC - KITE_HEAP_EXN] = "func",
    [KITE_HEAP_NONE - KITE_HEAP_EXN] = "none",         [KITE_HEAP_NOEXTERN - KITE_HEAP_EXN] = "noextern",
    [KITE_HEAP_NOFUNC - KITE_HEAP_EXN] = "nofunc",     [KITE_HEAP_NOEXN - KITE_HEAP_EXN] = "noexn",
};

void wast_format_expected(cli_buf *b, const kscr_value *v)
{
    static const char *const ref_names[] = {
        [KSCR_REF_EXTERN] = "ref.extern", [KSCR_REF_HOST] = "ref.host",
        [KSCR_REF_FUNC] = "ref.func",     [KSCR_REF_STRUCT] = "ref.struct",
        [KSCR_REF_ARRAY] = "ref.array",   [KSCR_REF_I31] = "ref.i31",
        [KSCR_REF_EQ] = "ref.eq",         [KSCR_REF_ANY] = "ref.any",
        [KSCR_REF_EXN] = "ref.exn",
    };
    kite_val_t exact = {0};
    switch (v->kind) {
    case KSCR_I32:
        exact.kind = KITE_I32;
        exact.of.i32 = (int32_t)v->u.i32;
        cli_format_value(b, &exact, CLI_VALUE_TYPED);
        return;
    case KSCR_I64:
        exact.kind = KITE_I64;
        exact.of.i64 = (int64_t)v->u.i64;
        cli_format_value(b, &exact, CLI_VALUE_TYPED);
        return;
    case KSCR_F32:
        cli_buf_printf(b, "f32 ");
        format_expected_float(b, v->nan, v->u.f32, 32);
        return;
    case KSCR_F64:
        cli_buf_printf(b, "f64 ");
        format_expected_float(b, v->nan, v->u.f64, 64);
        return;
    case KSCR_V128:
        format_expected_lanes(b, v);
        return;
    case KSCR_REF_NULL:
        if (v->heap >= KITE_HEAP_EXN && v->heap <= KITE_HEAP_NOEXN)
            cli_buf_printf(b, "ref.null %s", heap_names[v->heap - KITE_HEAP_EXN]);
        else
            cli_buf_printf(b, "ref.null");
        return;
    case KSCR_EITHER:
        cli_buf_printf(b, "either(");
        for (uint32_t i = 0; i < v->nalts; i++) {
            if (i)
                cli_buf_printf(b, " | ");
            wast_format_expected(b, &v->alts[i]);
        }
        cli_buf_printf(b, ")");
        return;
    default:
        cli_buf_printf(b, "%s", ref_names[v->kind]);
        if (v->has_index)
            cli_buf_printf(b, " %u", (unsigned)v->index);
        return;
    }
}

void wast_format_value(cli_buf *b, const kite_val_t *v, const kscr_value *shape)
{
    if (v->kind == KITE_V128 && shape && shape->kind == KSCR_V128)
        cli_format_lanes(b, v->of.v128, shape->lane_bits, shape->lane_float);
    else
        cli_format_value(b, v, CLI_VALUE_TYPED);
}
