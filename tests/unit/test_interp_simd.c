/*
 * The SIMD library (src/interp/simd.h) against a per-lane reference that
 * is driven by each instruction's mnemonic (shape and operation name), not
 * by the library's structure: every 0xFD instruction of the opcode table
 * is evaluated on edge values (NaNs with payloads, signalling NaNs, +-0,
 * +-inf, integer bounds, conversion bounds, ties) and random vectors. An
 * instruction the reference does not know fails the test, so a new row in
 * opcodes.def needs a reference here.
 *
 * Built twice: as is (the native backend, SSE2 to AVX2 by build flags, or
 * NEON) and by test_interp_simd_scalar.c with KINT_SIMD_SCALAR (the
 * per-lane fallback every other target uses). The library's kint_simd_eval
 * is compiled into this test (simd.c is included) so both builds test
 * their own backend.
 *
 * Float results: a NaN may be any arithmetic (quiet) NaN, and must be the
 * canonical NaN where the reference's is (the Wasm rule), except for the
 * relaxed min/max, whose results are bit-exact by kite's choice.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/interp/simd.c"
#include "check.h"
#include "interp/numeric.h"

typedef struct V {
    uint8_t b[16];
} V;

static uint64_t lu(const V *v, unsigned w, unsigned i)
{
    uint64_t x = 0;
    memcpy(&x, v->b + i * (w / 8), w / 8);
    return x;
}

static int64_t ls(const V *v, unsigned w, unsigned i)
{
    uint64_t x = lu(v, w, i);
    if (w < 64 && (x >> (w - 1)) & 1)
        return (int64_t)(x | ~((UINT64_C(1) << w) - 1));
    return (int64_t)x;
}

static void setl(V *v, unsigned w, unsigned i, uint64_t x) { memcpy(v->b + i * (w / 8), &x, w / 8); }

static float lf32(const V *v, unsigned i) { return kint_f32_from_bits((uint32_t)lu(v, 32, i)); }
static double lf64(const V *v, unsigned i) { return kint_f64_from_bits(lu(v, 64, i)); }
static void setf32(V *v, unsigned i, float x) { setl(v, 32, i, kint_f32_bits(x)); }
static void setf64(V *v, unsigned i, double x) { setl(v, 64, i, kint_f64_bits(x)); }

static int64_t clampi(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }
static int64_t smin(unsigned w) { return -(INT64_C(1) << (w - 1)); }
static int64_t smax(unsigned w) { return (INT64_C(1) << (w - 1)) - 1; }
static int64_t umax(unsigned w) { return (INT64_C(1) << w) - 1; }
/* floor((x * y + 2^14) / 2^15) */
static int64_t q15(int64_t x, int64_t y)
{
    int64_t p = x * y + 16384;
    return p >= 0 ? p / 32768 : -((-p + 32767) / 32768);
}

enum { R_NONE, R_VEC, R_SCALAR };

/* The reference result of op: a vector (*out) or a scalar (*sout). */
static int ref(kir_op op, const V *a, const V *b, const V *c, uint64_t s, const uint8_t *imm, V *out,
               uint64_t *sout)
{
    const char *mn = kir_op_info(op)->mnemonic;
    const char *dot = strchr(mn, '.');
    const char *nm = dot + 1;
    unsigned w = mn[0] == 'v' ? 64 : (unsigned)atoi(mn + 1);
    bool flt = mn[0] == 'f';
    unsigned n = 128 / w;
    V r;
    memset(&r, 0, sizeof r);
#define IS(x) (strcmp(nm, (x)) == 0)
#define STARTS(x) (strncmp(nm, (x), strlen(x)) == 0)
#define LANES for (unsigned i = 0; i < n; i++)

    if (mn[0] == 'v') {
        if (IS("const")) {
            memcpy(r.b, imm, 16);
        } else if (IS("any_true")) {
            *sout = (lu(a, 64, 0) | lu(a, 64, 1)) != 0;
            return R_SCALAR;
        } else if (IS("bitselect")) {
            LANES setl(&r, 64, i, (lu(a, 64, i) & lu(c, 64, i)) | (lu(b, 64, i) & ~lu(c, 64, i)));
        } else if (IS("not")) {
            LANES setl(&r, 64, i, ~lu(a, 64, i));
        } else if (IS("and")) {
            LANES setl(&r, 64, i, lu(a, 64, i) & lu(b, 64, i));
        } else if (IS("andnot")) {
            LANES setl(&r, 64, i, lu(a, 64, i) & ~lu(b, 64, i));
        } else if (IS("or")) {
            LANES setl(&r, 64, i, lu(a, 64, i) | lu(b, 64, i));
        } else if (IS("xor")) {
            LANES setl(&r, 64, i, lu(a, 64, i) ^ lu(b, 64, i));
        } else {
            return R_NONE;
        }
        *out = r;
        return R_VEC;
    }

    if (IS("splat")) {
        LANES setl(&r, w, i, s);
    } else if (STARTS("extract_lane")) {
        *sout = nm[12] == '_' && nm[13] == 's' ? (uint64_t)ls(a, w, imm[0]) : lu(a, w, imm[0]);
        if (w < 64)
            *sout &= 0xFFFFFFFFu;
        return R_SCALAR;
    } else if (IS("replace_lane")) {
        r = *a;
        setl(&r, w, imm[0], s);
    } else if (IS("all_true")) {
        uint64_t t = 1;
        LANES t &= lu(a, w, i) != 0;
        *sout = t;
        return R_SCALAR;
    } else if (IS("bitmask")) {
        uint64_t m = 0;
        LANES m |= (uint64_t)(ls(a, w, i) < 0) << i;
        *sout = m;
        return R_SCALAR;
    } else if (IS("shuffle")) {
        for (unsigned i = 0; i < 16; i++)
            r.b[i] = imm[i] < 16 ? a->b[imm[i]] : b->b[imm[i] - 16];
    } else if (IS("swizzle")) {
        for (unsigned i = 0; i < 16; i++)
            r.b[i] = b->b[i] < 16 ? a->b[b->b[i]] : 0;
    } else if (IS("relaxed_swizzle")) {
        for (unsigned i = 0; i < 16; i++)
            r.b[i] = b->b[i] >= 128 ? 0 : a->b[b->b[i] % 16];
    } else if (IS("shl") || IS("shr_s") || IS("shr_u")) {
        unsigned k = (unsigned)(s % w);
        LANES setl(&r, w, i,
                   IS("shl") ? lu(a, w, i) << k
                   : IS("shr_u") ? lu(a, w, i) >> k
                                 : (uint64_t)(ls(a, w, i) >= 0 ? ls(a, w, i) >> k : ~(~ls(a, w, i) >> k)));
    } else if (!flt && (IS("eq") || IS("ne") || STARTS("lt_") || STARTS("gt_") || STARTS("le_") ||
                        STARTS("ge_"))) {
        bool sg = nm[strlen(nm) - 1] == 's' && nm[strlen(nm) - 2] == '_';
        LANES {
            int64_t x = sg ? ls(a, w, i) : 0, y = sg ? ls(b, w, i) : 0;
            uint64_t ux = lu(a, w, i), uy = lu(b, w, i);
            bool t = IS("eq")    ? ux == uy
                     : IS("ne")  ? ux != uy
                     : nm[0] == 'l' && nm[1] == 't' ? (sg ? x < y : ux < uy)
                     : nm[0] == 'g' && nm[1] == 't' ? (sg ? x > y : ux > uy)
                     : nm[0] == 'l' ? (sg ? x <= y : ux <= uy)
                                    : (sg ? x >= y : ux >= uy);
            setl(&r, w, i, t ? UINT64_MAX : 0);
        }
    } else if (!flt && (IS("add") || IS("sub") || IS("mul") || IS("neg") || IS("abs"))) {
        LANES {
            uint64_t x = lu(a, w, i), y = lu(b, w, i);
            setl(&r, w, i,
                 IS("add")   ? x + y
                 : IS("sub") ? x - y
                 : IS("mul") ? x * y
                 : IS("neg") ? 0 - x
                             : (ls(a, w, i) < 0 ? 0 - x : x));
        }
    } else if (STARTS("add_sat") || STARTS("sub_sat")) {
        bool sg = nm[8] == 's';
        LANES {
            int64_t x = sg ? ls(a, w, i) : (int64_t)lu(a, w, i), y = sg ? ls(b, w, i) : (int64_t)lu(b, w, i);
            int64_t t = nm[0] == 'a' ? x + y : x - y;
            setl(&r, w, i, (uint64_t)(sg ? clampi(t, smin(w), smax(w)) : clampi(t, 0, umax(w))));
        }
    } else if (!flt && (STARTS("min_") || STARTS("max_"))) {
        bool sg = nm[4] == 's';
        LANES {
            int64_t x = sg ? ls(a, w, i) : (int64_t)lu(a, w, i), y = sg ? ls(b, w, i) : (int64_t)lu(b, w, i);
            setl(&r, w, i, (uint64_t)(nm[1] == 'i' ? (x < y ? x : y) : (x > y ? x : y)));
        }
    } else if (IS("avgr_u")) {
        LANES setl(&r, w, i, (lu(a, w, i) + lu(b, w, i) + 1) / 2);
    } else if (IS("popcnt")) {
        LANES {
            unsigned k = 0;
            for (uint64_t x = lu(a, w, i); x; x &= x - 1)
                k++;
            setl(&r, w, i, k);
        }
    } else if (IS("q15mulr_sat_s")) {
        LANES setl(&r, w, i, (uint64_t)clampi(q15(ls(a, w, i), ls(b, w, i)), -32768, 32767));
    } else if (IS("relaxed_q15mulr_s")) {
        LANES setl(&r, w, i, (uint64_t)q15(ls(a, w, i), ls(b, w, i)));
    } else if (STARTS("narrow_")) {
        bool sg = nm[strlen(nm) - 1] == 's';
        for (unsigned i = 0; i < n; i++) {
            const V *src = i < n / 2 ? a : b;
            int64_t x = ls(src, 2 * w, i % (n / 2));
            setl(&r, w, i, (uint64_t)(sg ? clampi(x, smin(w), smax(w)) : clampi(x, 0, umax(w))));
        }
    } else if (STARTS("extend_")) {
        bool sg = nm[strlen(nm) - 1] == 's', hi = nm[7] == 'h';
        LANES {
            unsigned j = i + (hi ? n : 0);
            setl(&r, w, i, sg ? (uint64_t)ls(a, w / 2, j) : lu(a, w / 2, j));
        }
    } else if (STARTS("extmul_")) {
        bool sg = nm[strlen(nm) - 1] == 's', hi = nm[7] == 'h';
        LANES {
            unsigned j = i + (hi ? n : 0);
            setl(&r, w, i,
                 sg ? (uint64_t)(ls(a, w / 2, j) * ls(b, w / 2, j)) : lu(a, w / 2, j) * lu(b, w / 2, j));
        }
    } else if (STARTS("extadd_pairwise_")) {
        bool sg = nm[strlen(nm) - 1] == 's';
        LANES setl(&r, w, i,
                   sg ? (uint64_t)(ls(a, w / 2, 2 * i) + ls(a, w / 2, 2 * i + 1))
                      : lu(a, w / 2, 2 * i) + lu(a, w / 2, 2 * i + 1));
    } else if (IS("dot_i16x8_s")) {
        LANES setl(&r, w, i, (uint64_t)(ls(a, 16, 2 * i) * ls(b, 16, 2 * i) + ls(a, 16, 2 * i + 1) * ls(b, 16, 2 * i + 1)));
    } else if (IS("relaxed_dot_i8x16_i7x16_s") || IS("relaxed_dot_i8x16_i7x16_add_s")) {
        /* kite's choice: pmaddubsw(b, a), then (add) pairwise to i32 + c */
        int64_t p[8];
        for (unsigned j = 0; j < 8; j++)
            p[j] = clampi((int64_t)lu(b, 8, 2 * j) * ls(a, 8, 2 * j) + (int64_t)lu(b, 8, 2 * j + 1) * ls(a, 8, 2 * j + 1),
                          -32768, 32767);
        if (w == 16)
            LANES setl(&r, 16, i, (uint64_t)p[i]);
        else
            LANES setl(&r, 32, i, (uint64_t)(p[2 * i] + p[2 * i + 1]) + lu(c, 32, i));
    } else if (STARTS("relaxed_laneselect")) {
        LANES setl(&r, w, i, (lu(a, w, i) & lu(c, w, i)) | (lu(b, w, i) & ~lu(c, w, i)));
    } else if (STARTS("trunc_sat_f32x4") || STARTS("relaxed_trunc_f32x4")) {
        bool sg = nm[strlen(nm) - 1] == 's', relaxed = nm[0] == 'r';
        LANES {
            float x = lf32(a, i);
            uint64_t v;
            if (relaxed && sg)
                v = isnan(x) || x < -2147483648.0f || x >= 2147483648.0f ? 0x80000000u : (uint32_t)(int32_t)x;
            else if (sg)
                v = isnan(x) ? 0 : x <= -2147483648.0f ? 0x80000000u : x >= 2147483648.0f ? 0x7FFFFFFFu : (uint32_t)(int32_t)x;
            else
                v = isnan(x) || x <= -1.0f ? 0 : x >= 4294967296.0f ? 0xFFFFFFFFu : (uint32_t)x;
            setl(&r, 32, i, v);
        }
    } else if (STARTS("trunc_sat_f64x2") || STARTS("relaxed_trunc_f64x2")) {
        bool sg = strstr(nm, "_s_zero") != NULL, relaxed = nm[0] == 'r';
        for (unsigned i = 0; i < 2; i++) {
            double x = lf64(a, i);
            uint64_t v;
            if (relaxed && sg)
                v = isnan(x) || x <= -2147483649.0 || x >= 2147483648.0 ? 0x80000000u : (uint32_t)(int32_t)x;
            else if (sg)
                v = isnan(x) ? 0 : x <= -2147483649.0 ? 0x80000000u : x >= 2147483648.0 ? 0x7FFFFFFFu : (uint32_t)(int32_t)x;
            else
                v = isnan(x) || x <= -1.0 ? 0 : x >= 4294967296.0 ? 0xFFFFFFFFu : (uint32_t)x;
            setl(&r, 32, i, v);
        }
    } else if (flt && w == 32) {
        LANES {
            float x = lf32(a, i), y = lf32(b, i), z = lf32(c, i);
            uint32_t xb = kint_f32_bits(x), yb = kint_f32_bits(y);
            if (IS("eq") || IS("ne") || IS("lt") || IS("gt") || IS("le") || IS("ge")) {
                bool t = IS("eq") ? x == y : IS("ne") ? x != y : IS("lt") ? x < y : IS("gt") ? x > y : IS("le") ? x <= y : x >= y;
                setl(&r, 32, i, t ? 0xFFFFFFFFu : 0);
                continue;
            }
            float v;
            if (IS("abs")) v = kint_f32_from_bits(xb & 0x7FFFFFFFu);
            else if (IS("neg")) v = kint_f32_from_bits(xb ^ 0x80000000u);
            else if (IS("sqrt")) v = sqrtf(x);
            else if (IS("ceil")) v = kint_f32_ceil(x);
            else if (IS("floor")) v = kint_f32_floor(x);
            else if (IS("trunc")) v = kint_f32_trunc(x);
            else if (IS("nearest")) v = kint_f32_nearest(x);
            else if (IS("add")) v = x + y;
            else if (IS("sub")) v = x - y;
            else if (IS("mul")) v = x * y;
            else if (IS("div")) v = x / y;
            else if (IS("min")) v = kint_f32_min(x, y);
            else if (IS("max")) v = kint_f32_max(x, y);
            else if (IS("pmin")) v = y < x ? y : x;
            else if (IS("pmax")) v = x < y ? y : x;
            else if (IS("relaxed_min")) v = kint_f32_from_bits(x < y ? xb : yb);
            else if (IS("relaxed_max")) v = kint_f32_from_bits(x > y ? xb : yb);
            else if (IS("relaxed_madd")) { volatile float p = x * y; v = p + z; }
            else if (IS("relaxed_nmadd")) { volatile float p = x * y; v = z - p; }
            else if (IS("convert_i32x4_s")) v = (float)(int32_t)lu(a, 32, i);
            else if (IS("convert_i32x4_u")) v = (float)(uint32_t)lu(a, 32, i);
            else if (IS("demote_f64x2_zero")) v = i < 2 ? kint_f32_demote_f64(lf64(a, i)) : 0.0f;
            else return R_NONE;
            setf32(&r, i, v);
        }
    } else if (flt && w == 64) {
        LANES {
            double x = lf64(a, i), y = lf64(b, i), z = lf64(c, i);
            uint64_t xb = kint_f64_bits(x), yb = kint_f64_bits(y);
            if (IS("eq") || IS("ne") || IS("lt") || IS("gt") || IS("le") || IS("ge")) {
                bool t = IS("eq") ? x == y : IS("ne") ? x != y : IS("lt") ? x < y : IS("gt") ? x > y : IS("le") ? x <= y : x >= y;
                setl(&r, 64, i, t ? UINT64_MAX : 0);
                continue;
            }
            double v;
            if (IS("abs")) v = kint_f64_from_bits(xb & ~KINT_F64_SIGN);
            else if (IS("neg")) v = kint_f64_from_bits(xb ^ KINT_F64_SIGN);
            else if (IS("sqrt")) v = sqrt(x);
            else if (IS("ceil")) v = kint_f64_ceil(x);
            else if (IS("floor")) v = kint_f64_floor(x);
            else if (IS("trunc")) v = kint_f64_trunc(x);
            else if (IS("nearest")) v = kint_f64_nearest(x);
            else if (IS("add")) v = x + y;
            else if (IS("sub")) v = x - y;
            else if (IS("mul")) v = x * y;
            else if (IS("div")) v = x / y;
            else if (IS("min")) v = kint_f64_min(x, y);
            else if (IS("max")) v = kint_f64_max(x, y);
            else if (IS("pmin")) v = y < x ? y : x;
            else if (IS("pmax")) v = x < y ? y : x;
            else if (IS("relaxed_min")) v = kint_f64_from_bits(x < y ? xb : yb);
            else if (IS("relaxed_max")) v = kint_f64_from_bits(x > y ? xb : yb);
            else if (IS("relaxed_madd")) { volatile double p = x * y; v = p + z; }
            else if (IS("relaxed_nmadd")) { volatile double p = x * y; v = z - p; }
            else if (IS("convert_low_i32x4_s")) v = (double)(int32_t)lu(a, 32, i);
            else if (IS("convert_low_i32x4_u")) v = (double)(uint32_t)lu(a, 32, i);
            else if (IS("promote_low_f32x4")) v = kint_f64_promote_f32(lf32(a, i));
            else return R_NONE;
            setf64(&r, i, v);
        }
    } else {
        return R_NONE;
    }
    *out = r;
    return R_VEC;
#undef IS
#undef STARTS
#undef LANES
}

/* ---- inputs ---- */

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const uint32_t edge32[] = {
    0, 1, 2, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0x80, 0x7F, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x8001,
    0x00807F81u, 0x7F80FF01u,
    /* floats */
    0x3F800000u, 0xBF800000u, 0x3FC00000u, 0xC0200000u, 0x40200000u, 0x3F000000u, 0xBF000000u,
    0x3F400000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00000u, 0x7FC12345u, 0xFFA00001u,
    0x7F800001u, 0x7FBFFFFFu, 0x00000001u, 0x807FFFFFu, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x4F000000u,
    0xCF000000u, 0x4F7FFFFFu, 0x4F800000u, 0x4EFFFFFFu, 0xCF000001u, 0x4B000000u, 0x4B7FFFFFu,
    0xCB000001u, 0x3EFFFFFFu, 0xBF7FFFFFu, 0x5F000000u,
};
static const uint64_t edge64[] = {
    0, 1, UINT64_MAX, UINT64_C(0x8000000000000000), UINT64_C(0x7FFFFFFFFFFFFFFF),
    UINT64_C(0x3FF0000000000000), UINT64_C(0xBFF8000000000000), UINT64_C(0x4004000000000000),
    UINT64_C(0xC004000000000000), UINT64_C(0x3FE0000000000000), UINT64_C(0x7FF0000000000000),
    UINT64_C(0xFFF0000000000000), UINT64_C(0x7FF8000000000000), UINT64_C(0xFFF8000000000000),
    UINT64_C(0x7FF8000000012345), UINT64_C(0x7FF0000000000001), UINT64_C(0xFFF4000000000000),
    UINT64_C(0x0000000000000001), UINT64_C(0x7FEFFFFFFFFFFFFF), UINT64_C(0x41E0000000000000),
    UINT64_C(0xC1E0000000000000), UINT64_C(0xC1E0000000200000), UINT64_C(0xC1E00000001FFFFF),
    UINT64_C(0x41DFFFFFFFFFFFFF), UINT64_C(0x41EFFFFFFFE00000), UINT64_C(0x41F0000000000000),
    UINT64_C(0x4330000000000000), UINT64_C(0x432FFFFFFFFFFFFF), UINT64_C(0x47EFFFFFE0000000),
    UINT64_C(0x47EFFFFFF0000000), UINT64_C(0x36A0000000000000), UINT64_C(0xBFEFFFFFFFFFFFFF),
};

static V rnd_vec(void)
{
    V v;
    switch (rnd() % 4) {
    case 0:
        for (unsigned i = 0; i < 16; i++)
            v.b[i] = (uint8_t)rnd();
        break;
    case 1:
        for (unsigned i = 0; i < 4; i++)
            setl(&v, 32, i, edge32[rnd() % (sizeof edge32 / sizeof edge32[0])]);
        break;
    case 2:
        for (unsigned i = 0; i < 2; i++)
            setl(&v, 64, i, edge64[rnd() % (sizeof edge64 / sizeof edge64[0])]);
        break;
    default: {
        static const uint8_t bytes[] = {0, 1, 0x7F, 0x80, 0x81, 0xFF, 0xFE, 15, 16, 31, 32, 127, 128, 200};
        static const uint16_t halves[] = {0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x00FF, 0xFF00, 0x4000, 0xC000};
        if (rnd() & 1)
            for (unsigned i = 0; i < 16; i++)
                v.b[i] = bytes[rnd() % sizeof bytes];
        else
            for (unsigned i = 0; i < 8; i++)
                setl(&v, 16, i, halves[rnd() % (sizeof halves / sizeof halves[0])]);
    }
    }
    return v;
}

static uint64_t rnd_scalar(void)
{
    switch (rnd() % 3) {
    case 0: return edge32[rnd() % (sizeof edge32 / sizeof edge32[0])];
    case 1: return edge64[rnd() % (sizeof edge64 / sizeof edge64[0])];
    default: return rnd() % 3 ? rnd() % 140 : rnd();
    }
}

/* ---- comparison ---- */

static bool is_canonical(uint64_t x, unsigned w)
{
    return w == 32 ? (x & 0x7FFFFFFFu) == 0x7FC00000u : (x & ~KINT_F64_SIGN) == UINT64_C(0x7FF8000000000000);
}

static bool is_nan_bits(uint64_t x, unsigned w)
{
    return w == 32 ? (x & 0x7FFFFFFFu) > 0x7F800000u : (x & ~KINT_F64_SIGN) > KINT_F64_EXP;
}

static bool is_quiet(uint64_t x, unsigned w) { return w == 32 ? (x & KINT_F32_QUIET) != 0 : (x & KINT_F64_QUIET) != 0; }

/* Whether every NaN among the float inputs of result lane i (width w) is
 * canonical: then a NaN result must be canonical too. */
static bool inputs_canonical(kir_op op, const V *const *in, unsigned nin, unsigned w, unsigned i)
{
    const char *nm = strchr(kir_op_info(op)->mnemonic, '.') + 1;
    unsigned iw = strstr(nm, "promote") ? 32 : strstr(nm, "demote") ? 64 : w;
    if (iw == 64 && i >= 2)
        return true;
    for (unsigned k = 0; k < nin; k++) {
        uint64_t x = lu(in[k], iw, i);
        if (is_nan_bits(x, iw) && !is_canonical(x, iw))
            return false;
    }
    return true;
}

/* Whether got matches want for op (float NaN rules as above). */
static bool same(kir_op op, const V *want, const V *got, const V *const *in, unsigned nin)
{
    const char *mn = kir_op_info(op)->mnemonic;
    const char *nm = strchr(mn, '.') + 1;
    bool float_result = mn[0] == 'f' && strcmp(nm, "eq") && strcmp(nm, "ne") && strcmp(nm, "lt") &&
                        strcmp(nm, "gt") && strcmp(nm, "le") && strcmp(nm, "ge") &&
                        strncmp(nm, "relaxed_m", 9) != 0;
    if (!strncmp(nm, "relaxed_madd", 12) || !strncmp(nm, "relaxed_nmadd", 13))
        float_result = true;
    if (!float_result)
        return memcmp(want, got, 16) == 0;
    unsigned w = mn[1] == '3' ? 32 : 64;
    for (unsigned i = 0; i < 128 / w; i++) {
        uint64_t x = lu(want, w, i), y = lu(got, w, i);
        if (x == y)
            continue;
        if (!is_nan_bits(x, w) || !is_nan_bits(y, w) || !is_quiet(y, w))
            return false;
        if (inputs_canonical(op, in, nin, w, i) && !is_canonical(y, w))
            return false;
    }
    return true;
}

static void show(const char *what, const V *v)
{
    printf("  %s:", what);
    for (unsigned i = 0; i < 16; i++)
        printf(" %02x", v->b[i]);
    printf("\n");
}

/* ---- the walk over the opcode table ---- */

static unsigned lanes_of(kir_op op)
{
    const char *mn = kir_op_info(op)->mnemonic;
    return mn[0] == 'v' ? 16 : 128 / (unsigned)atoi(mn + 1);
}

static void check_op(kir_op op, unsigned rounds)
{
    const kir_opinfo *info = kir_op_info(op);
    for (unsigned round = 0; round < rounds; round++) {
        V a = rnd_vec(), b = rnd_vec(), c = rnd_vec(), want, gotv;
        uint64_t s = rnd_scalar(), want_s = 0;
        uint8_t imm[16];
        if (info->imm == KIR_IMM_SHUFFLE)
            for (unsigned i = 0; i < 16; i++)
                imm[i] = (uint8_t)(rnd() % 32);
        else if (info->imm == KIR_IMM_V128)
            memcpy(imm, a.b, 16);
        else
            imm[0] = (uint8_t)(round % lanes_of(op));
        /* operands in slot form, as the sig orders them */
        uint64_t args[8] = {0}, res[4] = {0};
        unsigned k = 0, nv = 0;
        const V *vs[3] = {&a, &b, &c};
        for (const char *p = info->sig; *p && *p != '>'; p++) {
            if (*p == 'v') {
                memcpy(&args[k], vs[nv++], 16);
                k += 2;
            } else {
                args[k++] = *p == 'i' || *p == 'f' ? (uint32_t)s : s;
            }
        }
        int kind = ref(op, &a, &b, &c, strchr(info->sig, 'I') || strchr(info->sig, 'F') ? s : (uint32_t)s, imm,
                       &want, &want_s);
        if (kind == R_NONE) {
            CHECK(0, "%s: no reference", info->mnemonic);
            return;
        }
        if (!kint_simd_eval(op, args, imm, res)) {
            CHECK(0, "%s: kint_simd_eval refused it", info->mnemonic);
            return;
        }
        if (kind == R_SCALAR) {
            if (res[0] != want_s) {
                CHECK(0, "%s: got %llx want %llx", info->mnemonic, (unsigned long long)res[0],
                      (unsigned long long)want_s);
                show("a", &a);
                return;
            }
            continue;
        }
        memcpy(&gotv, res, 16);
        if (!same(op, &want, &gotv, vs, nv)) {
            CHECK(0, "%s (scalar %llx, imm %u):", info->mnemonic, (unsigned long long)s, imm[0]);
            show("a", &a);
            show("b", &b);
            show("c", &c);
            show("want", &want);
            show("got", &gotv);
            return;
        }
    }
}

/* Loads and stores: the library's forms against lanes of a byte buffer. */
static void check_memory(void)
{
    uint8_t mem[32], mem2[32];
    for (unsigned round = 0; round < 200; round++) {
        for (unsigned i = 0; i < 32; i++)
            mem[i] = (uint8_t)rnd();
        V v = rnd_vec(), want, got;
        const uint8_t *p = mem + round % 16;
#define GOT(expr) kint_v128_store(got.b, (expr))
        for (unsigned w = 8; w <= 32; w *= 2) {
            for (int sg = 0; sg < 2; sg++) {
                V src;
                memcpy(src.b, p, 16);
                for (unsigned i = 0; i < 64 / w; i++)
                    setl(&want, 2 * w, i, sg ? (uint64_t)ls(&src, w, i) : lu(&src, w, i));
                GOT(w == 8    ? (sg ? kint_simd_V128_LOAD8X8_S(p) : kint_simd_V128_LOAD8X8_U(p))
                    : w == 16 ? (sg ? kint_simd_V128_LOAD16X4_S(p) : kint_simd_V128_LOAD16X4_U(p))
                              : (sg ? kint_simd_V128_LOAD32X2_S(p) : kint_simd_V128_LOAD32X2_U(p)));
                CHECK(!memcmp(&want, &got, 16), "load%ux%u_%c", w, 64 / w, sg ? 's' : 'u');
            }
        }
        for (unsigned w = 8; w <= 64; w *= 2) {
            V src;
            memcpy(src.b, p, 16);
            for (unsigned i = 0; i < 128 / w; i++)
                setl(&want, w, i, lu(&src, w, 0));
            GOT(w == 8 ? kint_simd_V128_LOAD8_SPLAT(p) : w == 16 ? kint_simd_V128_LOAD16_SPLAT(p)
                : w == 32 ? kint_simd_V128_LOAD32_SPLAT(p) : kint_simd_V128_LOAD64_SPLAT(p));
            CHECK(!memcmp(&want, &got, 16), "load%u_splat", w);
            unsigned lane = round % (128 / w);
            want = v;
            setl(&want, w, lane, lu(&src, w, 0));
            kint_v128 vv = kint_v128_load(v.b);
            GOT(w == 8 ? kint_simd_V128_LOAD8_LANE(p, vv, lane) : w == 16 ? kint_simd_V128_LOAD16_LANE(p, vv, lane)
                : w == 32 ? kint_simd_V128_LOAD32_LANE(p, vv, lane) : kint_simd_V128_LOAD64_LANE(p, vv, lane));
            CHECK(!memcmp(&want, &got, 16), "load%u_lane %u", w, lane);
            memcpy(mem2, mem, 32);
            uint8_t *q = mem2 + round % 16;
            if (w == 8) kint_simd_V128_STORE8_LANE(q, vv, lane);
            else if (w == 16) kint_simd_V128_STORE16_LANE(q, vv, lane);
            else if (w == 32) kint_simd_V128_STORE32_LANE(q, vv, lane);
            else kint_simd_V128_STORE64_LANE(q, vv, lane);
            uint64_t x = lu(&v, w, lane);
            CHECK(!memcmp(q, &x, w / 8) && !memcmp(mem2, mem, (size_t)(q - mem2)) &&
                      !memcmp(q + w / 8, mem + (q - mem2) + w / 8, (size_t)(32 - (q - mem2) - w / 8)),
                  "store%u_lane %u", w, lane);
            if (w >= 32) {
                memset(&want, 0, sizeof want);
                memcpy(want.b, p, w / 8);
                GOT(w == 32 ? kint_simd_V128_LOAD32_ZERO(p) : kint_simd_V128_LOAD64_ZERO(p));
                CHECK(!memcmp(&want, &got, 16), "load%u_zero", w);
            }
        }
        GOT(kint_simd_V128_LOAD(p));
        CHECK(!memcmp(p, &got, 16), "v128.load");
        memcpy(mem2, mem, 32);
        kint_simd_V128_STORE(mem2 + 3, kint_v128_load(v.b));
        CHECK(!memcmp(mem2 + 3, v.b, 16) && !memcmp(mem2, mem, 3) && !memcmp(mem2 + 19, mem + 19, 13),
              "v128.store");
#undef GOT
    }
}

/* Spot checks of the spec's edge cases, independent of the reference. */
static void check_spot(void)
{
    uint64_t args[6], res[2];
    /* f32x4.min(-0, +0) = -0 both ways; min(NaN, 1) is NaN */
    uint32_t a[4] = {0x80000000u, 0x00000000u, 0x7FC00000u, 0x3F800000u};
    uint32_t b[4] = {0x00000000u, 0x80000000u, 0x3F800000u, 0x7FC00000u};
    memcpy(args, a, 16);
    memcpy(args + 2, b, 16);
    CHECK(kint_simd_eval(KIR_OP_F32X4_MIN, args, NULL, res), "f32x4.min");
    uint32_t r[4];
    memcpy(r, res, 16);
    CHECK(r[0] == 0x80000000u && r[1] == 0x80000000u && (r[2] & 0x7FFFFFFFu) == 0x7FC00000u &&
              (r[3] & 0x7FFFFFFFu) == 0x7FC00000u,
          "f32x4.min edge: %08x %08x %08x %08x", r[0], r[1], r[2], r[3]);
    CHECK(kint_simd_eval(KIR_OP_F32X4_MAX, args, NULL, res), "f32x4.max");
    memcpy(r, res, 16);
    CHECK(r[0] == 0 && r[1] == 0, "f32x4.max(-0, +0) = +0: %08x %08x", r[0], r[1]);
    /* nearest: ties to even */
    float f[4] = {2.5f, -2.5f, 3.5f, -0.5f};
    memcpy(args, f, 16);
    CHECK(kint_simd_eval(KIR_OP_F32X4_NEAREST, args, NULL, res), "nearest");
    memcpy(r, res, 16);
    CHECK(r[0] == 0x40000000u && r[1] == 0xC0000000u && r[2] == 0x40800000u && r[3] == 0x80000000u,
          "f32x4.nearest ties: %08x %08x %08x %08x", r[0], r[1], r[2], r[3]);
    /* q15mulr_sat_s(-32768, -32768) = 32767; relaxed gives -32768 */
    uint16_t h[8] = {0x8000, 0x8000, 0x4000, 0xC000, 1, 0x7FFF, 0x8001, 0};
    memcpy(args, h, 16);
    memcpy(args + 2, h, 16);
    uint16_t hr[8];
    CHECK(kint_simd_eval(KIR_OP_I16X8_Q15MULR_SAT_S, args, NULL, res), "q15");
    memcpy(hr, res, 16);
    CHECK(hr[0] == 0x7FFF && hr[2] == 0x2000 && hr[3] == 0x2000 && hr[5] == 0x7FFE, "q15mulr_sat_s: %04x %04x", hr[0], hr[2]);
    memcpy(args, h, 16);
    memcpy(args + 2, h, 16);
    CHECK(kint_simd_eval(KIR_OP_I16X8_RELAXED_Q15MULR_S, args, NULL, res), "relaxed q15");
    memcpy(hr, res, 16);
    CHECK(hr[0] == 0x8000, "relaxed_q15mulr_s(-32768, -32768) = -32768: %04x", hr[0]);
    /* shifts mask the count: i8x16.shl by 9 shifts by 1 */
    memset(args, 0x81, 16);
    args[2] = 9;
    CHECK(kint_simd_eval(KIR_OP_I8X16_SHL, args, NULL, res) && res[0] == UINT64_C(0x0202020202020202),
          "i8x16.shl 9");
    memset(args, 0x81, 16);
    args[2] = 33;
    CHECK(kint_simd_eval(KIR_OP_I8X16_SHR_S, args, NULL, res) && res[0] == UINT64_C(0xC0C0C0C0C0C0C0C0),
          "i8x16.shr_s 33");
}

int main(void)
{
    unsigned covered = 0;
    for (unsigned op = 0; op < KIR_OP_COUNT; op++) {
        const kir_opinfo *info = kir_op_info((kir_op)op);
        if (info->prefix != KIR_PREFIX_FD || info->imm == KIR_IMM_MEMARG || info->imm == KIR_IMM_MEMARG_LANE)
            continue;
        check_op((kir_op)op, 3000);
        covered++;
    }
    check_memory();
    check_spot();
    CHECK(covered > 200, "only %u SIMD instructions walked", covered);
    printf("simd (%s): %u instructions, %d failures\n", kint_simd_backend(), covered, g_failures);
    return g_failures != 0;
}
