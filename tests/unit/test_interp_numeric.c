/*
 * The numeric core (src/interp/numeric.h):
 *   1. coverage: kint_numeric_eval handles exactly the numeric instructions
 *      of the opcode table;
 *   2. hand-written edge cases for every operation (trap order, boundaries,
 *      signed zeros, NaN payloads, rounding ties, large values);
 *   3. the spec testsuite's assert_return/assert_trap on every exported
 *      function whose body is a single numeric instruction, read straight
 *      from the .wast files (skipped when the testsuite is absent);
 *   4. randomized comparisons against independent reference code (libm,
 *      integer-only rounding, wider arithmetic).
 * KITE_NUMERIC_EXHAUSTIVE=1 additionally sweeps all 2^32 f32 patterns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp/numeric.h"
#include "ir/opcodes.h"
#include "check.h"

/* Inputs go through volatile so the compiler cannot fold an operation on
 * constants at build time (its folding of sNaNs differs from hardware). */
static float f32v(uint32_t bits)
{
    volatile uint32_t v = bits;
    return kint_f32_from_bits(v);
}

static double f64v(uint64_t bits)
{
    volatile uint64_t v = bits;
    return kint_f64_from_bits(v);
}

static bool f32_is_nan(uint32_t b) { return (b & 0x7FFFFFFFu) > 0x7F800000u; }
static bool f64_is_nan(uint64_t b) { return (b & ~KINT_F64_SIGN) > KINT_F64_EXP; }
static bool f32_is_arith(uint32_t b) { return (b & 0x7FC00000u) == 0x7FC00000u; }
static bool f64_is_arith(uint64_t b)
{
    return (b & UINT64_C(0x7FF8000000000000)) == UINT64_C(0x7FF8000000000000);
}
static bool f32_is_canon(uint32_t b) { return (b & 0x7FFFFFFFu) == 0x7FC00000u; }
static bool f64_is_canon(uint64_t b) { return (b & ~KINT_F64_SIGN) == UINT64_C(0x7FF8000000000000); }

/* ---- 1. coverage ----------------------------------------------------- */

/* A numeric instruction in the opcode table: no immediates, not SIMD, a
 * signature with operands and results over i32/i64/f32/f64 only. */
static bool is_numeric_row(const kir_opinfo *info)
{
    if (info->imm != KIR_IMM_NONE || !info->sig || info->prefix == KIR_PREFIX_FD || info->width)
        return false;
    const char *gt = strchr(info->sig, '>');
    if (!gt || gt == info->sig || !gt[1])
        return false;
    for (const char *p = info->sig; *p; p++) {
        if (*p != '>' && !strchr("iIfF", *p))
            return false;
    }
    return true;
}

static void test_coverage(void)
{
    int covered = 0;
    for (int op = 0; op < KIR_OP_COUNT; op++) {
        const kir_opinfo *info = kir_op_info((kir_op)op);
        uint64_t args[4] = {1, 2, 3, 4}, res[2] = {0, 0};
        kint_trapcode trap = KINT_TRAP_NONE;
        bool handled = kint_numeric_eval((kir_op)op, args, res, &trap);
        CHECK(handled == is_numeric_row(info), "%s: eval handles it: %d, numeric row: %d",
              info->mnemonic, handled, is_numeric_row(info));
        covered += handled;
    }
    CHECK(covered == 140, "numeric instructions covered: %d", covered);
}

/* ---- 2. hand-written cases ------------------------------------------- */

enum { EXACT, CANON, ARITH };

/* Operands and results as slots (f32/f64 as bit patterns). */
typedef struct bits_case {
    const char *op;
    uint64_t a[4];
    uint64_t r[2];
    kint_trapcode trap;
    int nan; /* how r[0] is compared: exactly, or as a canonical/arithmetic NaN */
} bits_case;

#define T_DIV KINT_TRAP_INT_DIV_BY_ZERO
#define T_OVF KINT_TRAP_INT_OVERFLOW
#define T_CVT KINT_TRAP_INVALID_CONVERSION
#define M64 UINT64_MAX
#define MIN64 UINT64_C(0x8000000000000000)
#define MAX64 UINT64_C(0x7FFFFFFFFFFFFFFF)

/* f32: 1.0 3F800000, 0.5 3F000000, 1.5 3FC00000, 2.5 40200000, 2^23 4B000000,
 * inf 7F800000, qNaN 7FC00000, sNaN 7FA00000 (payload 0x200000).
 * f64: 1.0 3FF0..., 0.5 3FE0..., inf 7FF0..., qNaN 7FF8..., sNaN 7FF4.... */
static const bits_case g_bits_cases[] = {
    /* i32 bit counting */
    {"i32.clz", {0}, {32}, 0, EXACT},
    {"i32.clz", {1}, {31}, 0, EXACT},
    {"i32.clz", {0x80000000u}, {0}, 0, EXACT},
    {"i32.ctz", {0}, {32}, 0, EXACT},
    {"i32.ctz", {0x80000000u}, {31}, 0, EXACT},
    {"i32.popcnt", {0xFFFFFFFFu}, {32}, 0, EXACT},
    {"i32.popcnt", {0xAAAA5555u}, {16}, 0, EXACT},
    {"i64.clz", {0}, {64}, 0, EXACT},
    {"i64.clz", {1}, {63}, 0, EXACT},
    {"i64.ctz", {0}, {64}, 0, EXACT},
    {"i64.ctz", {MIN64}, {63}, 0, EXACT},
    {"i64.popcnt", {M64}, {64}, 0, EXACT},
    /* i32 arithmetic wraps; upper slot bits of operands are ignored */
    {"i32.add", {0x7FFFFFFFu, 1}, {0x80000000u}, 0, EXACT},
    {"i32.add", {UINT64_C(0xDEAD00000001), UINT64_C(0xBEEF00000002)}, {3}, 0, EXACT},
    {"i32.sub", {0, 1}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.mul", {0x10000u, 0x10000u}, {0}, 0, EXACT},
    {"i32.mul", {0x80000000u, 0xFFFFFFFFu}, {0x80000000u}, 0, EXACT},
    {"i64.mul", {MIN64, M64}, {MIN64}, 0, EXACT},
    /* division: divide by zero first, then overflow, rem by -1 is 0 */
    {"i32.div_s", {0x80000000u, 0}, {0}, T_DIV, EXACT},
    {"i32.div_s", {0x80000000u, 0xFFFFFFFFu}, {0}, T_OVF, EXACT},
    {"i32.div_s", {0x80000000u, 2}, {0xC0000000u}, 0, EXACT},
    {"i32.div_s", {0xFFFFFFF9u, 2}, {0xFFFFFFFDu}, 0, EXACT}, /* -7/2 = -3 */
    {"i32.div_u", {0xFFFFFFFFu, 0}, {0}, T_DIV, EXACT},
    {"i32.div_u", {0x80000000u, 0xFFFFFFFFu}, {0}, 0, EXACT},
    {"i32.rem_s", {0x80000000u, 0xFFFFFFFFu}, {0}, 0, EXACT},
    {"i32.rem_s", {5, 0}, {0}, T_DIV, EXACT},
    {"i32.rem_s", {0xFFFFFFF9u, 2}, {0xFFFFFFFFu}, 0, EXACT}, /* -7 rem 2 = -1 */
    {"i32.rem_s", {7, 0xFFFFFFFEu}, {1}, 0, EXACT},            /* 7 rem -2 = 1 */
    {"i32.rem_u", {0x80000000u, 0xFFFFFFFFu}, {0x80000000u}, 0, EXACT},
    {"i32.rem_u", {1, 0}, {0}, T_DIV, EXACT},
    {"i64.div_s", {MIN64, M64}, {0}, T_OVF, EXACT},
    {"i64.div_s", {MIN64, 0}, {0}, T_DIV, EXACT},
    {"i64.div_s", {M64 - 6, 2}, {M64 - 2}, 0, EXACT},
    {"i64.div_u", {M64, 0}, {0}, T_DIV, EXACT},
    {"i64.div_u", {M64, 2}, {MAX64}, 0, EXACT},
    {"i64.rem_s", {MIN64, M64}, {0}, 0, EXACT},
    {"i64.rem_s", {M64 - 6, 2}, {M64}, 0, EXACT},
    {"i64.rem_u", {M64, 0}, {0}, T_DIV, EXACT},
    {"i64.rem_u", {MIN64 + 1, 0x10}, {1}, 0, EXACT},
    /* shifts and rotates: counts are masked */
    {"i32.shl", {1, 32}, {1}, 0, EXACT},
    {"i32.shl", {1, 33}, {2}, 0, EXACT},
    {"i32.shl", {1, 0xFFFFFFFFu}, {0x80000000u}, 0, EXACT},
    {"i32.shr_s", {0x80000000u, 31}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.shr_s", {0x80000000u, 63}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.shr_s", {0x40000000u, 30}, {1}, 0, EXACT},
    {"i32.shr_u", {0x80000000u, 31}, {1}, 0, EXACT},
    {"i32.shr_u", {0x80000000u, 32}, {0x80000000u}, 0, EXACT},
    {"i32.rotl", {0x80000001u, 1}, {3}, 0, EXACT},
    {"i32.rotl", {0x12345678u, 32}, {0x12345678u}, 0, EXACT},
    {"i32.rotl", {0x12345678u, 0}, {0x12345678u}, 0, EXACT},
    {"i32.rotr", {1, 1}, {0x80000000u}, 0, EXACT},
    {"i32.rotr", {0x12345678u, 36}, {0x81234567u}, 0, EXACT},
    {"i64.shl", {1, 64}, {1}, 0, EXACT},
    {"i64.shl", {1, 127}, {MIN64}, 0, EXACT},
    {"i64.shr_s", {MIN64, 63}, {M64}, 0, EXACT},
    {"i64.shr_s", {MIN64, 64}, {MIN64}, 0, EXACT},
    {"i64.shr_u", {MIN64, 63}, {1}, 0, EXACT},
    {"i64.rotl", {MIN64 | 1, 1}, {3}, 0, EXACT},
    {"i64.rotr", {1, 65}, {MIN64}, 0, EXACT},
    {"i64.rotr", {UINT64_C(0x0123456789ABCDEF), 0}, {UINT64_C(0x0123456789ABCDEF)}, 0, EXACT},
    /* tests and comparisons */
    {"i32.eqz", {0}, {1}, 0, EXACT},
    {"i32.eqz", {UINT64_C(0x100000000)}, {1}, 0, EXACT}, /* only the low 32 bits count */
    {"i64.eqz", {UINT64_C(0x100000000)}, {0}, 0, EXACT},
    {"i32.lt_s", {0x80000000u, 0x7FFFFFFFu}, {1}, 0, EXACT},
    {"i32.lt_u", {0x80000000u, 0x7FFFFFFFu}, {0}, 0, EXACT},
    {"i32.ge_s", {0xFFFFFFFFu, 0}, {0}, 0, EXACT},
    {"i32.gt_u", {0xFFFFFFFFu, 0}, {1}, 0, EXACT},
    {"i64.le_s", {MIN64, MAX64}, {1}, 0, EXACT},
    {"i64.gt_s", {M64, 0}, {0}, 0, EXACT},
    {"i64.gt_u", {M64, 0}, {1}, 0, EXACT},
    /* sign extension and width changes */
    {"i32.extend8_s", {0x80}, {0xFFFFFF80u}, 0, EXACT},
    {"i32.extend8_s", {0x1237F}, {0x7F}, 0, EXACT},
    {"i32.extend16_s", {0x8000}, {0xFFFF8000u}, 0, EXACT},
    {"i64.extend8_s", {0xFF}, {M64}, 0, EXACT},
    {"i64.extend16_s", {UINT64_C(0x123457FFF)}, {0x7FFF}, 0, EXACT},
    {"i64.extend32_s", {UINT64_C(0x80000000)}, {UINT64_C(0xFFFFFFFF80000000)}, 0, EXACT},
    {"i64.extend32_s", {UINT64_C(0xFFFFFFFF7FFFFFFF)}, {0x7FFFFFFF}, 0, EXACT},
    {"i64.extend_i32_s", {0x80000000u}, {UINT64_C(0xFFFFFFFF80000000)}, 0, EXACT},
    {"i64.extend_i32_u", {0x80000000u}, {0x80000000u}, 0, EXACT},
    {"i32.wrap_i64", {UINT64_C(0x123456789)}, {0x23456789u}, 0, EXACT},
    /* abs/neg/copysign are bit operations, even on signalling NaNs */
    {"f32.abs", {0xFFA00001u}, {0x7FA00001u}, 0, EXACT},
    {"f32.neg", {0x7FA00001u}, {0xFFA00001u}, 0, EXACT},
    {"f32.neg", {0}, {0x80000000u}, 0, EXACT},
    {"f32.copysign", {0x7FA00001u, 0x80000000u}, {0xFFA00001u}, 0, EXACT},
    {"f32.copysign", {0x3F800000u, 0xFFC00000u}, {0xBF800000u}, 0, EXACT},
    {"f64.abs", {UINT64_C(0xFFF4000000000001)}, {UINT64_C(0x7FF4000000000001)}, 0, EXACT},
    {"f64.neg", {UINT64_C(0x7FF4000000000001)}, {UINT64_C(0xFFF4000000000001)}, 0, EXACT},
    {"f64.copysign", {UINT64_C(0x7FF4000000000001), MIN64}, {UINT64_C(0xFFF4000000000001)}, 0, EXACT},
    /* rounding: signed zeros, halves, large values, NaNs quieted with payload */
    {"f32.ceil", {0xBF000000u}, {0x80000000u}, 0, EXACT},   /* ceil(-0.5) = -0 */
    {"f32.ceil", {0x3F000000u}, {0x3F800000u}, 0, EXACT},   /* ceil(0.5) = 1 */
    {"f32.ceil", {0x00000001u}, {0x3F800000u}, 0, EXACT},   /* ceil(min subnormal) = 1 */
    {"f32.ceil", {0x80000000u}, {0x80000000u}, 0, EXACT},
    {"f32.floor", {0x80000001u}, {0xBF800000u}, 0, EXACT},  /* floor(-subnormal) = -1 */
    {"f32.floor", {0x3F7FFFFFu}, {0}, 0, EXACT},
    {"f32.floor", {0xBFC00000u}, {0xC0000000u}, 0, EXACT},  /* floor(-1.5) = -2 */
    {"f32.trunc", {0xBF7FFFFFu}, {0x80000000u}, 0, EXACT},
    {"f32.trunc", {0x4B7FFFFFu}, {0x4B7FFFFFu}, 0, EXACT},  /* 2^24 - 1 */
    {"f32.trunc", {0x4AFFFFFFu}, {0x4AFFFFFEu}, 0, EXACT},  /* 2^23 - 0.5 -> 2^23 - 1 */
    {"f32.nearest", {0x3F000000u}, {0}, 0, EXACT},          /* 0.5 -> 0 */
    {"f32.nearest", {0xBF000000u}, {0x80000000u}, 0, EXACT},/* -0.5 -> -0 */
    {"f32.nearest", {0x3F000001u}, {0x3F800000u}, 0, EXACT},/* just above 0.5 -> 1 */
    {"f32.nearest", {0x3EFFFFFFu}, {0}, 0, EXACT},          /* just below 0.5 -> 0 */
    {"f32.nearest", {0x3FC00000u}, {0x40000000u}, 0, EXACT},/* 1.5 -> 2 */
    {"f32.nearest", {0x40200000u}, {0x40000000u}, 0, EXACT},/* 2.5 -> 2 */
    {"f32.nearest", {0xC0600000u}, {0xC0800000u}, 0, EXACT},/* -3.5 -> -4 */
    {"f32.nearest", {0x4AFFFFFFu}, {0x4B000000u}, 0, EXACT},/* 8388607.5 -> 8388608 */
    {"f32.nearest", {0x4AFFFFFDu}, {0x4AFFFFFCu}, 0, EXACT},/* 8388606.5 -> 8388606 */
    {"f32.nearest", {0x4B000001u}, {0x4B000001u}, 0, EXACT},/* 2^23 + 1: integral */
    {"f32.nearest", {0x7F7FFFFFu}, {0x7F7FFFFFu}, 0, EXACT},
    {"f32.nearest", {0xFF800000u}, {0xFF800000u}, 0, EXACT},
    {"f32.nearest", {0x7FA00000u}, {0x7FE00000u}, 0, EXACT},/* sNaN: quieted, payload kept */
    {"f32.ceil", {0xFFC00000u}, {0xFFC00000u}, 0, EXACT},   /* canonical stays canonical */
    {"f32.floor", {0x7F800001u}, {0x7FC00001u}, 0, EXACT},
    {"f64.ceil", {UINT64_C(0xBFE0000000000000)}, {MIN64}, 0, EXACT},
    {"f64.floor", {UINT64_C(0x8000000000000001)}, {UINT64_C(0xBFF0000000000000)}, 0, EXACT},
    {"f64.trunc", {UINT64_C(0xC32FFFFFFFFFFFFF)}, {UINT64_C(0xC32FFFFFFFFFFFFE)}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x3FE0000000000000)}, {0}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0xBFE0000000000000)}, {MIN64}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x4004000000000000)}, {UINT64_C(0x4000000000000000)}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x432FFFFFFFFFFFFF)}, {UINT64_C(0x4330000000000000)}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x432FFFFFFFFFFFFD)}, {UINT64_C(0x432FFFFFFFFFFFFC)}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x4330000000000001)}, {UINT64_C(0x4330000000000001)}, 0, EXACT},
    {"f64.nearest", {UINT64_C(0x7FF4000000000000)}, {UINT64_C(0x7FFC000000000000)}, 0, EXACT},
    /* sqrt */
    {"f32.sqrt", {0x80000000u}, {0x80000000u}, 0, EXACT},
    {"f32.sqrt", {0xBF800000u}, {0}, 0, CANON},
    {"f32.sqrt", {0x7FA00000u}, {0}, 0, ARITH},
    {"f32.sqrt", {0x40800000u}, {0x40000000u}, 0, EXACT},
    {"f64.sqrt", {UINT64_C(0xFFF0000000000000)}, {0}, 0, CANON},
    {"f64.sqrt", {UINT64_C(0x4010000000000000)}, {UINT64_C(0x4000000000000000)}, 0, EXACT},
    /* arithmetic NaNs */
    {"f32.add", {0x7F800000u, 0xFF800000u}, {0}, 0, CANON},
    {"f32.add", {0x7FA00000u, 0x3F800000u}, {0}, 0, ARITH},
    {"f32.add", {0x7FC00000u, 0x3F800000u}, {0}, 0, CANON},
    {"f32.mul", {0, 0x7F800000u}, {0}, 0, CANON},
    {"f32.div", {0, 0}, {0}, 0, CANON},
    {"f32.div", {0x3F800000u, 0x80000000u}, {0xFF800000u}, 0, EXACT},
    {"f32.sub", {0, 0}, {0}, 0, EXACT},                    /* 0 - 0 = +0 */
    {"f32.add", {0x80000000u, 0x80000000u}, {0x80000000u}, 0, EXACT},
    {"f32.add", {0x00000001u, 0x00000001u}, {0x00000002u}, 0, EXACT}, /* subnormals kept */
    {"f32.mul", {0x00800000u, 0x3F000000u}, {0x00400000u}, 0, EXACT},
    {"f64.sub", {UINT64_C(0x7FF0000000000000), UINT64_C(0x7FF0000000000000)}, {0}, 0, CANON},
    {"f64.div", {UINT64_C(0x7FF4000000000000), 0}, {0}, 0, ARITH},
    /* min/max: NaNs win, -0 < +0 */
    {"f32.min", {0x80000000u, 0}, {0x80000000u}, 0, EXACT},
    {"f32.min", {0, 0x80000000u}, {0x80000000u}, 0, EXACT},
    {"f32.max", {0x80000000u, 0}, {0}, 0, EXACT},
    {"f32.max", {0, 0x80000000u}, {0}, 0, EXACT},
    {"f32.max", {0x80000000u, 0x80000000u}, {0x80000000u}, 0, EXACT},
    {"f32.min", {0x7FC00000u, 0xFF800000u}, {0}, 0, CANON},
    {"f32.min", {0xFF800000u, 0x7FC00000u}, {0}, 0, CANON},
    {"f32.max", {0x3F800000u, 0x7FA00000u}, {0}, 0, ARITH},
    {"f32.max", {0x7FA00000u, 0x7FC00000u}, {0}, 0, ARITH},
    {"f32.min", {0xFF800000u, 0x7F800000u}, {0xFF800000u}, 0, EXACT},
    {"f64.min", {MIN64, 0}, {MIN64}, 0, EXACT},
    {"f64.max", {MIN64, 0}, {0}, 0, EXACT},
    {"f64.max", {UINT64_C(0x7FF8000000000000), UINT64_C(0x7FF0000000000000)}, {0}, 0, CANON},
    {"f64.min", {UINT64_C(0x7FF4000000000000), 0}, {0}, 0, ARITH},
    /* float comparisons: NaN unordered */
    {"f32.eq", {0x7FC00000u, 0x7FC00000u}, {0}, 0, EXACT},
    {"f32.ne", {0x7FC00000u, 0x7FC00000u}, {1}, 0, EXACT},
    {"f32.eq", {0, 0x80000000u}, {1}, 0, EXACT},
    {"f32.lt", {0x80000000u, 0}, {0}, 0, EXACT},
    {"f32.le", {0x7FA00000u, 0x7F800000u}, {0}, 0, EXACT},
    {"f32.ge", {0x7F800000u, 0x7F7FFFFFu}, {1}, 0, EXACT},
    {"f32.gt", {0x00000001u, 0}, {1}, 0, EXACT},
    {"f64.eq", {UINT64_C(0x7FF8000000000000), UINT64_C(0x7FF8000000000000)}, {0}, 0, EXACT},
    {"f64.ne", {UINT64_C(0x7FF8000000000000), 0}, {1}, 0, EXACT},
    {"f64.lt", {UINT64_C(0xFFF0000000000000), MIN64}, {1}, 0, EXACT},
    {"f64.ge", {MIN64, 0}, {1}, 0, EXACT},
    /* promote/demote: NaNs quieted with payload kept (shifted) and sign */
    {"f64.promote_f32", {0x7FA00000u}, {UINT64_C(0x7FFC000000000000)}, 0, EXACT},
    {"f64.promote_f32", {0xFFC00000u}, {UINT64_C(0xFFF8000000000000)}, 0, EXACT},
    {"f64.promote_f32", {0x7F800001u}, {UINT64_C(0x7FF8000020000000)}, 0, EXACT},
    {"f64.promote_f32", {0x00000001u}, {UINT64_C(0x36A0000000000000)}, 0, EXACT},
    {"f64.promote_f32", {0x80000000u}, {MIN64}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x7FF4000000000000)}, {0x7FE00000u}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0xFFF8000000000000)}, {0xFFC00000u}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x7FF0000000000001)}, {0x7FC00000u}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x47EFFFFFF0000000)}, {0x7F800000u}, 0, EXACT}, /* tie to even: inf */
    {"f32.demote_f64", {UINT64_C(0x47EFFFFFEFFFFFFF)}, {0x7F7FFFFFu}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x36A0000000000000)}, {0x00000001u}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x3690000000000000)}, {0}, 0, EXACT},            /* 2^-150 tie: 0 */
    {"f32.demote_f64", {UINT64_C(0x3690000000000001)}, {0x00000001u}, 0, EXACT},
    {"f32.demote_f64", {UINT64_C(0x8000000000000001)}, {0x80000000u}, 0, EXACT},
    /* integer -> float: single correct rounding */
    {"f32.convert_i32_s", {0x80000000u}, {0xCF000000u}, 0, EXACT},
    {"f32.convert_i32_s", {0x01000001u}, {0x4B800000u}, 0, EXACT},     /* tie to even */
    {"f32.convert_i32_s", {0x01000003u}, {0x4B800002u}, 0, EXACT},
    {"f32.convert_i32_u", {0xFFFFFFFFu}, {0x4F800000u}, 0, EXACT},
    {"f32.convert_i32_u", {0xFFFFFF7Fu}, {0x4F7FFFFFu}, 0, EXACT},
    {"f32.convert_i32_u", {0xFFFFFF80u}, {0x4F800000u}, 0, EXACT},     /* tie to even: up */
    {"f32.convert_i64_s", {MIN64}, {0xDF000000u}, 0, EXACT},
    {"f32.convert_i64_s", {UINT64_C(0x0020000020000001)}, {0x5A000001u}, 0, EXACT},
    {"f32.convert_i64_s", {UINT64_C(0x0020000010000001)}, {0x5A000000u}, 0, EXACT}, /* below half */
    {"f32.convert_i64_s", {UINT64_C(0xFFDFFFFFDFFFFFFF)}, {0xDA000001u}, 0, EXACT}, /* no double rounding */
    {"f32.convert_i64_u", {M64}, {0x5F800000u}, 0, EXACT},
    {"f32.convert_i64_u", {UINT64_C(0x8000008000000000)}, {0x5F000000u}, 0, EXACT}, /* tie, even */
    {"f32.convert_i64_u", {UINT64_C(0x8000008000000001)}, {0x5F000001u}, 0, EXACT}, /* sticky bit */
    {"f32.convert_i64_u", {UINT64_C(0x8000018000000000)}, {0x5F000002u}, 0, EXACT}, /* tie, odd */
    {"f32.convert_i64_u", {UINT64_C(0xFFFFFF7FFFFFFFFF)}, {0x5F7FFFFFu}, 0, EXACT},
    {"f32.convert_i64_u", {UINT64_C(0x0020000020000001)}, {0x5A000001u}, 0, EXACT}, /* no double rounding */
    {"f64.convert_i32_s", {0x80000000u}, {UINT64_C(0xC1E0000000000000)}, 0, EXACT},
    {"f64.convert_i32_u", {0xFFFFFFFFu}, {UINT64_C(0x41EFFFFFFFE00000)}, 0, EXACT},
    {"f64.convert_i64_s", {MIN64}, {UINT64_C(0xC3E0000000000000)}, 0, EXACT},
    {"f64.convert_i64_s", {UINT64_C(0x0020000000000001)}, {UINT64_C(0x4340000000000000)}, 0, EXACT},
    {"f64.convert_i64_u", {M64}, {UINT64_C(0x43F0000000000000)}, 0, EXACT},
    {"f64.convert_i64_u", {UINT64_C(0x8000000000000400)}, {UINT64_C(0x43E0000000000000)}, 0, EXACT},
    {"f64.convert_i64_u", {UINT64_C(0x8000000000000401)}, {UINT64_C(0x43E0000000000001)}, 0, EXACT},
    {"f64.convert_i64_u", {UINT64_C(0x8000000000000C00)}, {UINT64_C(0x43E0000000000002)}, 0, EXACT},
    /* reinterpret keeps every bit */
    {"i32.reinterpret_f32", {0x7FA00001u}, {0x7FA00001u}, 0, EXACT},
    {"f32.reinterpret_i32", {0xFF800001u}, {0xFF800001u}, 0, EXACT},
    {"i64.reinterpret_f64", {UINT64_C(0x7FF0000000000001)}, {UINT64_C(0x7FF0000000000001)}, 0, EXACT},
    {"f64.reinterpret_i64", {UINT64_C(0xFFF0000000000001)}, {UINT64_C(0xFFF0000000000001)}, 0, EXACT},
    /* float -> int: exact bounds, NaN before range */
    {"i32.trunc_f32_s", {0xCF000000u}, {0x80000000u}, 0, EXACT},  /* -2^31 */
    {"i32.trunc_f32_s", {0xCF000001u}, {0}, T_OVF, EXACT},        /* -2147483904 */
    {"i32.trunc_f32_s", {0x4EFFFFFFu}, {0x7FFFFF80u}, 0, EXACT},
    {"i32.trunc_f32_s", {0x4F000000u}, {0}, T_OVF, EXACT},        /* 2^31 */
    {"i32.trunc_f32_s", {0x7FC00000u}, {0}, T_CVT, EXACT},
    {"i32.trunc_f32_s", {0xFF800000u}, {0}, T_OVF, EXACT},
    {"i32.trunc_f32_s", {0xBF7FFFFFu}, {0}, 0, EXACT},
    {"i32.trunc_f32_u", {0xBF7FFFFFu}, {0}, 0, EXACT},            /* -0.99999994 -> 0 */
    {"i32.trunc_f32_u", {0xBF800000u}, {0}, T_OVF, EXACT},        /* -1 */
    {"i32.trunc_f32_u", {0x4F7FFFFFu}, {0xFFFFFF00u}, 0, EXACT},
    {"i32.trunc_f32_u", {0x4F800000u}, {0}, T_OVF, EXACT},        /* 2^32 */
    {"i32.trunc_f32_u", {0xFFC00000u}, {0}, T_CVT, EXACT},
    {"i32.trunc_f64_s", {UINT64_C(0xC1E00000001FFFFF)}, {0x80000000u}, 0, EXACT}, /* -2147483648.99... */
    {"i32.trunc_f64_s", {UINT64_C(0xC1E0000000200000)}, {0}, T_OVF, EXACT},       /* -2147483649 */
    {"i32.trunc_f64_s", {UINT64_C(0x41DFFFFFFFFFFFFF)}, {0x7FFFFFFFu}, 0, EXACT}, /* 2^31 - tiny */
    {"i32.trunc_f64_s", {UINT64_C(0x41E0000000000000)}, {0}, T_OVF, EXACT},
    {"i32.trunc_f64_u", {UINT64_C(0x41EFFFFFFFFFFFFF)}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.trunc_f64_u", {UINT64_C(0x41F0000000000000)}, {0}, T_OVF, EXACT},
    {"i32.trunc_f64_u", {UINT64_C(0xBFEFFFFFFFFFFFFF)}, {0}, 0, EXACT},
    {"i32.trunc_f64_u", {UINT64_C(0xBFF0000000000000)}, {0}, T_OVF, EXACT},
    {"i32.trunc_f64_u", {UINT64_C(0x7FF4000000000000)}, {0}, T_CVT, EXACT},
    {"i64.trunc_f32_s", {0xDF000000u}, {MIN64}, 0, EXACT},
    {"i64.trunc_f32_s", {0xDF000001u}, {0}, T_OVF, EXACT},
    {"i64.trunc_f32_s", {0x5EFFFFFFu}, {UINT64_C(0x7FFFFF8000000000)}, 0, EXACT},
    {"i64.trunc_f32_s", {0x5F000000u}, {0}, T_OVF, EXACT},
    {"i64.trunc_f32_u", {0x5F7FFFFFu}, {UINT64_C(0xFFFFFF0000000000)}, 0, EXACT},
    {"i64.trunc_f32_u", {0x5F800000u}, {0}, T_OVF, EXACT},
    {"i64.trunc_f32_u", {0xBF7FFFFFu}, {0}, 0, EXACT},
    {"i64.trunc_f64_s", {UINT64_C(0xC3E0000000000000)}, {MIN64}, 0, EXACT},
    {"i64.trunc_f64_s", {UINT64_C(0xC3E0000000000001)}, {0}, T_OVF, EXACT},
    {"i64.trunc_f64_s", {UINT64_C(0x43DFFFFFFFFFFFFF)}, {UINT64_C(0x7FFFFFFFFFFFFC00)}, 0, EXACT},
    {"i64.trunc_f64_s", {UINT64_C(0x43E0000000000000)}, {0}, T_OVF, EXACT},
    {"i64.trunc_f64_u", {UINT64_C(0x43EFFFFFFFFFFFFF)}, {UINT64_C(0xFFFFFFFFFFFFF800)}, 0, EXACT},
    {"i64.trunc_f64_u", {UINT64_C(0x43F0000000000000)}, {0}, T_OVF, EXACT},
    {"i64.trunc_f64_u", {UINT64_C(0xFFF8000000000000)}, {0}, T_CVT, EXACT},
    /* saturating */
    {"i32.trunc_sat_f32_s", {0x7FC00000u}, {0}, 0, EXACT},
    {"i32.trunc_sat_f32_s", {0xCF000001u}, {0x80000000u}, 0, EXACT},
    {"i32.trunc_sat_f32_s", {0x4F000000u}, {0x7FFFFFFFu}, 0, EXACT},
    {"i32.trunc_sat_f32_s", {0xFF800000u}, {0x80000000u}, 0, EXACT},
    {"i32.trunc_sat_f32_u", {0xBF800000u}, {0}, 0, EXACT},
    {"i32.trunc_sat_f32_u", {0x4F800000u}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.trunc_sat_f32_u", {0x4F7FFFFFu}, {0xFFFFFF00u}, 0, EXACT},
    {"i32.trunc_sat_f64_s", {UINT64_C(0xC1E0000000200000)}, {0x80000000u}, 0, EXACT},
    {"i32.trunc_sat_f64_s", {UINT64_C(0x41DFFFFFFFFFFFFF)}, {0x7FFFFFFFu}, 0, EXACT},
    {"i32.trunc_sat_f64_u", {UINT64_C(0x41F0000000000000)}, {0xFFFFFFFFu}, 0, EXACT},
    {"i32.trunc_sat_f64_u", {UINT64_C(0xFFF8000000000000)}, {0}, 0, EXACT},
    {"i64.trunc_sat_f32_s", {0xDF000001u}, {MIN64}, 0, EXACT},
    {"i64.trunc_sat_f32_s", {0x5F000000u}, {MAX64}, 0, EXACT},
    {"i64.trunc_sat_f32_u", {0x5F800000u}, {M64}, 0, EXACT},
    {"i64.trunc_sat_f32_u", {0xFF800000u}, {0}, 0, EXACT},
    {"i64.trunc_sat_f64_s", {UINT64_C(0x43E0000000000000)}, {MAX64}, 0, EXACT},
    {"i64.trunc_sat_f64_s", {UINT64_C(0xC3E0000000000001)}, {MIN64}, 0, EXACT},
    {"i64.trunc_sat_f64_s", {UINT64_C(0x7FF8000000000000)}, {0}, 0, EXACT},
    {"i64.trunc_sat_f64_u", {UINT64_C(0x43EFFFFFFFFFFFFF)}, {UINT64_C(0xFFFFFFFFFFFFF800)}, 0, EXACT},
    {"i64.trunc_sat_f64_u", {UINT64_C(0x7FF0000000000000)}, {M64}, 0, EXACT},
    /* wide arithmetic: (lo, hi) pairs */
    {"i64.add128", {M64, 0, 1, 0}, {0, 1}, 0, EXACT},
    {"i64.add128", {M64, M64, 1, 0}, {0, 0}, 0, EXACT},
    {"i64.add128", {M64, MAX64, M64, 0}, {M64 - 1, MIN64}, 0, EXACT},
    {"i64.sub128", {0, 1, 1, 0}, {M64, 0}, 0, EXACT},
    {"i64.sub128", {0, 0, 1, 0}, {M64, M64}, 0, EXACT},
    {"i64.sub128", {5, 7, 5, 7}, {0, 0}, 0, EXACT},
    {"i64.mul_wide_u", {M64, M64}, {1, M64 - 1}, 0, EXACT},
    {"i64.mul_wide_s", {M64, M64}, {1, 0}, 0, EXACT},
    {"i64.mul_wide_s", {MIN64, MIN64}, {0, UINT64_C(0x4000000000000000)}, 0, EXACT},
    {"i64.mul_wide_s", {MIN64, 1}, {MIN64, M64}, 0, EXACT},
    {"i64.mul_wide_s", {MAX64, MIN64}, {MIN64, UINT64_C(0xC000000000000000)}, 0, EXACT},
    {"i64.mul_wide_u", {MIN64, 2}, {0, 1}, 0, EXACT},
};

/* Compares one result slot of type letter t against expected slot e. */
static bool slot_matches(char t, uint64_t got, uint64_t e, int nan)
{
    switch (t) {
    case 'i':
        return got == (uint32_t)e;
    case 'f':
        if (got >> 32)
            return false;
        if (nan == CANON)
            return f32_is_canon((uint32_t)got);
        if (nan == ARITH)
            return f32_is_arith((uint32_t)got);
        return got == (uint32_t)e;
    case 'F':
        if (nan == CANON)
            return f64_is_canon(got);
        if (nan == ARITH)
            return f64_is_arith(got);
        return got == e;
    default:
        return got == e;
    }
}

static void test_bits_cases(void)
{
    for (size_t i = 0; i < sizeof g_bits_cases / sizeof g_bits_cases[0]; i++) {
        const bits_case *c = &g_bits_cases[i];
        kir_op op = kir_op_by_mnemonic(c->op, strlen(c->op));
        CHECK(op != KIR_OP_COUNT, "unknown mnemonic %s", c->op);
        if (op == KIR_OP_COUNT)
            continue;
        const char *sig = kir_op_info(op)->sig;
        const char *res = strchr(sig, '>') + 1;
        uint64_t got[2] = {UINT64_C(0x5A5A5A5A5A5A5A5A), UINT64_C(0x5A5A5A5A5A5A5A5A)};
        kint_trapcode trap = KINT_TRAP_NONE;
        bool handled = kint_numeric_eval(op, c->a, got, &trap);
        CHECK(handled, "%s not handled", c->op);
        CHECK(trap == c->trap, "case %zu %s(%#llx, %#llx): trap %d, expected %d", i, c->op,
              (unsigned long long)c->a[0], (unsigned long long)c->a[1], trap, c->trap);
        if (c->trap) {
            CHECK(got[0] == UINT64_C(0x5A5A5A5A5A5A5A5A), "%s wrote a result while trapping", c->op);
            continue;
        }
        /* in place, as on a value stack */
        uint64_t stack[4];
        memcpy(stack, c->a, sizeof stack);
        kint_numeric_eval(op, stack, stack, &trap);
        for (size_t k = 0; res[k]; k++) {
            CHECK(stack[k] == got[k], "case %zu %s in place: result %zu differs", i, c->op, k);
            CHECK(slot_matches(res[k], got[k], c->r[k], k ? EXACT : c->nan),
                  "case %zu %s(%#llx, %#llx, %#llx, %#llx) result %zu = %#llx, expected %#llx%s", i, c->op,
                  (unsigned long long)c->a[0], (unsigned long long)c->a[1], (unsigned long long)c->a[2],
                  (unsigned long long)c->a[3], k, (unsigned long long)got[k], (unsigned long long)c->r[k],
                  c->nan == CANON ? " (canonical NaN)" : c->nan == ARITH ? " (arithmetic NaN)" : "");
        }
    }
}

/* The inline API directly: trapping functions leave *r alone on a trap,
 * and the portable fallbacks agree with the builtins. */
static void test_direct_api(void)
{
    uint32_t r32 = 77;
    uint64_t r64 = 77;
    CHECK(kint_i32_div_s(0x80000000u, 0xFFFFFFFFu, &r32) == KINT_TRAP_INT_OVERFLOW && r32 == 77,
          "i32.div_s overflow");
    CHECK(kint_i64_rem_u(1, 0, &r64) == KINT_TRAP_INT_DIV_BY_ZERO && r64 == 77, "i64.rem_u by zero");
    CHECK(kint_i64_trunc_f64_u(f64v(UINT64_C(0x7FF8000000000000)), &r64) == KINT_TRAP_INVALID_CONVERSION &&
              r64 == 77,
          "i64.trunc_f64_u NaN");
    CHECK(kint_i32_trunc_f32_s(f32v(0xCEFFFFFFu), &r32) == KINT_TRAP_NONE && r32 == 0x80000080u,
          "i32.trunc_f32_s(-2147483520) = %#x", r32);
    CHECK(strcmp(kint_trap_message(KINT_TRAP_INT_DIV_BY_ZERO), "integer divide by zero") == 0, "message");
    CHECK(strcmp(kint_trap_message(KINT_TRAP_INT_OVERFLOW), "integer overflow") == 0, "message");
    CHECK(strcmp(kint_trap_message(KINT_TRAP_INVALID_CONVERSION), "invalid conversion to integer") == 0,
          "message");
    CHECK(kint_s32(0x80000000u) == INT32_MIN && kint_s32(0xFFFFFFFFu) == -1 && kint_s32(5) == 5, "kint_s32");
    CHECK(kint_s64(MIN64) == INT64_MIN && kint_s64(M64) == -1 && kint_s64(MAX64) == INT64_MAX, "kint_s64");
    CHECK(kint_clz64_portable(0) == 64 && kint_ctz64_portable(0) == 64 && kint_popcnt64_portable(0) == 0,
          "portable bit counts of 0");
    CHECK(kint_f32_bits(kint_f32_neg(f32v(0x7FA00000u))) == 0xFFA00000u, "neg keeps sNaN");
    CHECK(kint_f64_bits(kint_f64_copysign(f64v(UINT64_C(0x7FF0000000000001)), f64v(MIN64))) ==
              UINT64_C(0xFFF0000000000001),
          "copysign keeps sNaN");
}

/* ---- 3. the spec testsuite ------------------------------------------- */

typedef struct tok {
    char kind; /* '(' ')' 'a' atom, '"' string (contents only) */
    const char *s;
    size_t n;
    size_t match; /* for parens: index of the partner */
} tok;

typedef struct wast {
    tok *t;
    size_t n;
    struct {
        char name[64];
        kir_op op;
    } exports[256];
    size_t nexports;
    long checked, skipped;
} wast;

static bool tok_is(const tok *t, const char *s)
{
    return t->kind == 'a' && t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

static bool tokenize(wast *w, const char *src, size_t len)
{
    size_t cap = 1024, depth = 0, stack[256];
    w->t = malloc(cap * sizeof *w->t);
    w->n = 0;
    if (!w->t)
        return false;
    for (size_t i = 0; i < len;) {
        char c = src[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (c == ';' && i + 1 < len && src[i + 1] == ';') {
            while (i < len && src[i] != '\n')
                i++;
            continue;
        }
        if (c == '(' && i + 1 < len && src[i + 1] == ';') {
            int nest = 0;
            do {
                if (src[i] == '(' && i + 1 < len && src[i + 1] == ';') {
                    nest++;
                    i += 2;
                } else if (src[i] == ';' && i + 1 < len && src[i + 1] == ')') {
                    nest--;
                    i += 2;
                } else {
                    i++;
                }
            } while (nest > 0 && i < len);
            continue;
        }
        if (w->n == cap) {
            tok *nt = realloc(w->t, 2 * cap * sizeof *w->t);
            if (!nt)
                return false;
            w->t = nt;
            cap *= 2;
        }
        tok *t = &w->t[w->n];
        if (c == '(' || c == ')') {
            t->kind = c;
            t->s = src + i;
            t->n = 1;
            if (c == '(') {
                if (depth == 256)
                    return false;
                stack[depth++] = w->n;
            } else {
                if (!depth)
                    return false;
                t->match = stack[--depth];
                w->t[t->match].match = w->n;
            }
            i++;
        } else if (c == '"') {
            size_t j = i + 1;
            while (j < len && src[j] != '"')
                j += src[j] == '\\' ? 2 : 1;
            t->kind = '"';
            t->s = src + i + 1;
            t->n = j - i - 1;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < len && !strchr(" \t\r\n()\";", src[j]))
                j++;
            t->kind = 'a';
            t->s = src + i;
            t->n = j - i;
            i = j;
        }
        w->n++;
    }
    return depth == 0;
}

/* Copies an atom without underscores (digit separators) into buf. */
static void atom_text(const tok *t, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n && k + 1 < size; i++) {
        if (t->s[i] != '_')
            buf[k++] = t->s[i];
    }
    buf[k] = 0;
}

/* A constant `(T.const lit)`: its type letter (i I f F) and slot, with
 * *nan set for nan:canonical / nan:arithmetic. Returns 0 if unsupported. */
static char parse_const(const wast *w, size_t at, uint64_t *slot, int *nan)
{
    const tok *t = w->t;
    if (t[at].kind != '(' || t[at].match != at + 3 || t[at + 1].kind != 'a' || t[at + 2].kind != 'a')
        return 0;
    char type, lit[128];
    if (tok_is(&t[at + 1], "i32.const"))
        type = 'i';
    else if (tok_is(&t[at + 1], "i64.const"))
        type = 'I';
    else if (tok_is(&t[at + 1], "f32.const"))
        type = 'f';
    else if (tok_is(&t[at + 1], "f64.const"))
        type = 'F';
    else
        return 0;
    atom_text(&t[at + 2], lit, sizeof lit);
    *nan = EXACT;
    const char *p = lit;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (type == 'i' || type == 'I') {
        int base = (p[0] == '0' && p[1] == 'x') ? 16 : 10;
        uint64_t v = strtoull(base == 16 ? p + 2 : p, NULL, base);
        v = neg ? 0 - v : v;
        *slot = type == 'i' ? (uint32_t)v : v;
        return type;
    }
    bool f32 = type == 'f';
    uint64_t sign = neg ? (f32 ? KINT_F32_SIGN : KINT_F64_SIGN) : 0;
    uint64_t exp = f32 ? KINT_F32_EXP : KINT_F64_EXP, quiet = f32 ? KINT_F32_QUIET : KINT_F64_QUIET;
    if (strncmp(p, "nan", 3) == 0) {
        if (strcmp(p, "nan:canonical") == 0)
            *nan = CANON;
        else if (strcmp(p, "nan:arithmetic") == 0)
            *nan = ARITH;
        uint64_t payload = strncmp(p, "nan:0x", 6) == 0 ? strtoull(p + 6, NULL, 16) : quiet;
        *slot = sign | exp | payload;
    } else if (strcmp(p, "inf") == 0) {
        *slot = sign | exp;
    } else if (f32) {
        *slot = kint_f32_bits(strtof(lit, NULL));
    } else {
        *slot = kint_f64_bits(strtod(lit, NULL));
    }
    return type;
}

/* Records the module's exported functions whose body is one numeric
 * instruction applied to the parameters in order. */
static void read_module(wast *w, size_t start)
{
    const tok *t = w->t;
    w->nexports = 0;
    for (size_t j = start + 1; j < t[start].match; j++) {
        if (!(t[j].kind == '(' && tok_is(&t[j + 1], "func")))
            continue;
        size_t end = t[j].match;
        const tok *name = NULL;
        kir_op op = KIR_OP_COUNT;
        int nops = 0, nparams = 0, nget = 0;
        bool in_order = true;
        char pnames[8][32];
        for (size_t k = j + 2; k < end; k++) {
            if (t[k].kind == '(' && tok_is(&t[k + 1], "export") && t[k + 2].kind == '"' && !name) {
                name = &t[k + 2];
            } else if (t[k].kind == '(' && tok_is(&t[k + 1], "param")) {
                for (size_t q = k + 2; q < t[k].match; q++) {
                    if (t[q].s[0] == '$') {
                        if (nparams < 8)
                            snprintf(pnames[nparams], sizeof pnames[0], "%.*s", (int)t[q].n, t[q].s);
                        nparams++;
                        break;
                    }
                    if (nparams < 8)
                        pnames[nparams][0] = 0;
                    nparams++;
                }
                k = t[k].match;
            } else if (tok_is(&t[k], "local.get") && t[k + 1].kind == 'a') {
                char ref[32];
                snprintf(ref, sizeof ref, "%.*s", (int)t[k + 1].n, t[k + 1].s);
                /* pnames holds only the parameters declared so far. */
                bool named = nget < nparams && nget < 8;
                bool ok = ref[0] == '$' ? named && strcmp(ref, pnames[nget]) == 0
                                        : strtol(ref, NULL, 10) == nget;
                in_order = in_order && ok;
                nget++;
                k++;
            } else if (t[k].kind == 'a') {
                kir_op o = kir_op_by_mnemonic(t[k].s, t[k].n);
                if (o != KIR_OP_COUNT) {
                    op = o;
                    nops++;
                }
            }
        }
        if (name && nops == 1 && in_order && nget == nparams && nparams <= 8 &&
            w->nexports < sizeof w->exports / sizeof w->exports[0] && name->n < sizeof w->exports[0].name) {
            memcpy(w->exports[w->nexports].name, name->s, name->n);
            w->exports[w->nexports].name[name->n] = 0;
            w->exports[w->nexports].op = op;
            w->nexports++;
        }
        j = end;
    }
}

/* Runs one `(invoke "name" const*)` at index at; returns false if it is not
 * one of our single-instruction functions or its operands are unsupported. */
static bool run_invoke(wast *w, size_t at, kir_op *op, uint64_t *res, kint_trapcode *trap)
{
    const tok *t = w->t;
    if (t[at].kind != '(' || !tok_is(&t[at + 1], "invoke") || t[at + 2].kind != '"')
        return false;
    *op = KIR_OP_COUNT;
    for (size_t e = 0; e < w->nexports; e++) {
        if (strlen(w->exports[e].name) == t[at + 2].n && memcmp(w->exports[e].name, t[at + 2].s, t[at + 2].n) == 0)
            *op = w->exports[e].op;
    }
    if (*op == KIR_OP_COUNT)
        return false;
    const char *sig = kir_op_info(*op)->sig;
    uint64_t args[4];
    size_t nargs = 0;
    for (size_t k = at + 3; k < t[at].match; k = t[k].match + 1) {
        int nan;
        char type = parse_const(w, k, &args[nargs < 4 ? nargs : 3], &nan);
        if (!type || nargs >= 4 || !sig || sig[nargs] != type)
            return false;
        nargs++;
    }
    if (!sig || sig[nargs] != '>')
        return false;
    return kint_numeric_eval(*op, args, res, trap);
}

static void run_assertion(wast *w, size_t at, const char *file)
{
    const tok *t = w->t;
    bool is_trap = tok_is(&t[at + 1], "assert_trap");
    kir_op op;
    uint64_t res[2];
    kint_trapcode trap;
    size_t inv = at + 2;
    size_t line = 1;
    for (const char *p = t[at].s; p > t[0].s; p--)
        line += p[-1] == '\n';
    if (!run_invoke(w, inv, &op, res, &trap)) {
        if (getenv("KITE_NUMERIC_VERBOSE"))
            printf("skipped %s:%zu\n", file, line);
        w->skipped++;
        return;
    }
    const char *mn = kir_op_info(op)->mnemonic;
    if (is_trap) {
        const tok *msg = &t[t[inv].match + 1];
        const char *want = kint_trap_message(trap);
        CHECK(msg->kind == '"' && trap != KINT_TRAP_NONE && msg->n <= strlen(want) &&
                  memcmp(want, msg->s, msg->n) == 0,
              "%s:%zu: %s: trap \"%s\", expected \"%.*s\"", file, line, mn, want, (int)msg->n, msg->s);
        w->checked++;
        return;
    }
    const char *results = strchr(kir_op_info(op)->sig, '>') + 1;
    size_t k = 0;
    CHECK(trap == KINT_TRAP_NONE, "%s:%zu: %s trapped: %s", file, line, mn, kint_trap_message(trap));
    for (size_t e = t[inv].match + 1; e < t[at].match; e = t[e].match + 1, k++) {
        uint64_t want;
        int nan;
        char type = parse_const(w, e, &want, &nan);
        if (!type || type != results[k]) {
            w->skipped++;
            return;
        }
        if (trap == KINT_TRAP_NONE)
            CHECK(slot_matches(type, res[k], want, nan), "%s:%zu: %s result %zu = %#llx, expected %#llx%s", file,
                  line, mn, k, (unsigned long long)res[k], (unsigned long long)want,
                  nan == CANON ? " (nan:canonical)" : nan == ARITH ? " (nan:arithmetic)" : "");
    }
    CHECK(k == strlen(results), "%s:%zu: %s: %zu results, expected %zu", file, line, mn, k, strlen(results));
    w->checked++;
}

static long run_wast_file(const char *dir, const char *name, long *skipped)
{
    char path[2200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)len + 1);
    wast *w = calloc(1, sizeof *w);
    bool ok = src && w && fread(src, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    ok = ok && tokenize(w, src, (size_t)len);
    CHECK(ok, "%s: could not read or tokenize", path);
    long checked = 0;
    if (ok) {
        for (size_t i = 0; i + 1 < w->n; i++) {
            if (w->t[i].kind != '(')
                continue;
            if (tok_is(&w->t[i + 1], "module"))
                read_module(w, i);
            else if (tok_is(&w->t[i + 1], "assert_return") || tok_is(&w->t[i + 1], "assert_trap"))
                run_assertion(w, i, name);
            i = w->t[i].match;
        }
        checked = w->checked;
        *skipped += w->skipped;
    }
    if (w)
        free(w->t);
    free(w);
    free(src);
    return checked;
}

static void test_spec_testsuite(void)
{
    static const char *const files[] = {
        "core/i32.wast",         "core/i64.wast",         "core/f32.wast",
        "core/f64.wast",         "core/conversions.wast", "core/float_misc.wast",
        "core/f32_cmp.wast",     "core/f64_cmp.wast",     "core/f32_bitwise.wast",
        "core/f64_bitwise.wast", "core/int_exprs.wast",   "core/float_exprs.wast",
        "proposals/wide-arithmetic/wide-arithmetic.wast",
    };
    char dir[1024];
    const char *env = getenv("KITE_TESTSUITE");
    const char *here = __FILE__, *unit = strstr(here, "tests/unit/");
    if (env)
        snprintf(dir, sizeof dir, "%s", env);
    else if (unit)
        snprintf(dir, sizeof dir, "%.*s../shared/testsuite", (int)(unit - here), here);
    else
        snprintf(dir, sizeof dir, "../shared/testsuite");
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/core/i32.wast", dir);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("note: spec testsuite not found at %s (set KITE_TESTSUITE); skipping its assertions\n", dir);
        return;
    }
    fclose(f);
    long total = 0, skipped = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        long n = run_wast_file(dir, files[i], &skipped);
        total += n;
    }
    printf("spec testsuite: %ld assertions on single numeric instructions checked, %ld others skipped\n", total,
           skipped);
    /* A reader that silently stops matching would otherwise pass. */
    CHECK(total > 10000, "only %ld testsuite assertions checked", total);
}

/* ---- 4. randomized reference comparisons ------------------------------ */

static uint64_t g_rng = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

/* Random integers biased towards the interesting ones: small, near the
 * limits, single bits, and uniform. */
static uint64_t rnd_int(void)
{
    uint64_t r = rnd();
    switch (r & 7) {
    case 0: return (r >> 3) & 0xFF;
    case 1: return 0 - ((r >> 3) & 0xFF);
    case 2: return UINT64_C(1) << ((r >> 3) & 63);
    case 3: return (MIN64 >> ((r >> 3) & 63)) ^ ((r >> 9) & 3);
    case 4: return (uint64_t)(uint32_t)(r >> 16) ^ ((r >> 8) & 1 ? MIN64 : 0);
    default: return rnd();
    }
}

/* Random float bit patterns: uniform, around 1..2^mant (where rounding is
 * interesting), halves, NaNs and boundaries. */
static uint32_t rnd_f32(void)
{
    uint64_t r = rnd();
    uint32_t sign = (uint32_t)(r >> 63) << 31;
    switch (r & 7) {
    case 0: case 1: return (uint32_t)(r >> 8);
    case 2: case 3: return sign | (uint32_t)(((r >> 8) % 36 + 112) << 23) | (uint32_t)((r >> 20) & 0x7FFFFF);
    case 4: return sign | (uint32_t)(((r >> 8) % 26 + 126) << 23) | (uint32_t)(((r >> 20) & 0xF) << 19);
    case 5: return sign | (uint32_t)(((r >> 8) % 12 + 153) << 23) | (uint32_t)((r >> 20) & 0x7FFFFF);
    case 6: return sign | 0x7F800000u | (uint32_t)((r >> 20) & 0x7FFFFF);
    default: return sign | (uint32_t)((r >> 8) & 0x7FFFFF);
    }
}

static uint64_t rnd_f64(void)
{
    uint64_t r = rnd(), m = rnd() & UINT64_C(0xFFFFFFFFFFFFF), sign = r & KINT_F64_SIGN;
    switch (r & 7) {
    case 0: case 1: return rnd();
    case 2: case 3: return sign | (((r >> 8) % 70 + 990) << 52) | m;
    case 4: return sign | (((r >> 8) % 56 + 1022) << 52) | (m & (UINT64_C(0xF) << 48));
    case 5: return sign | (((r >> 8) % 16 + 1050) << 52) | m;
    case 6: return sign | KINT_F64_EXP | m;
    default: return sign | m;
    }
}

/* u64 -> float by integer arithmetic alone: keep mant + 1 significant bits,
 * round to nearest even on the rest. */
static uint64_t ref_u64_to_float(uint64_t x, unsigned mant)
{
    if (!x)
        return 0;
    unsigned n = 64 - kint_clz64_portable(x), bias = mant == 23 ? 127 : 1023;
    uint64_t m = x;
    if (n > mant + 1) {
        unsigned shift = n - (mant + 1);
        uint64_t rest = x & ((UINT64_C(1) << shift) - 1), half = UINT64_C(1) << (shift - 1);
        m = x >> shift;
        if (rest > half || (rest == half && (m & 1)))
            m++;
        if (m >> (mant + 1)) {
            m >>= 1;
            n++;
        }
    } else {
        m = x << (mant + 1 - n);
    }
    return ((uint64_t)(bias + n - 1) << mant) | (m & ((UINT64_C(1) << mant) - 1));
}

static uint64_t ref_i64_to_float(uint64_t x, unsigned mant)
{
    if (!(x >> 63))
        return ref_u64_to_float(x, mant);
    return ref_u64_to_float(0 - x, mant) | (UINT64_C(1) << (mant == 23 ? 31 : 63));
}

static void test_random_conversions_to_float(void)
{
    for (int i = 0; i < 400000; i++) {
        uint64_t x = rnd_int();
        if (i & 1) /* near rounding boundaries: few bits set below the top */
            x = (rnd() | UINT64_C(1) << 63) >> (rnd() & 63) & ~((rnd() & 0xFFFFFF) << 8);
        uint32_t x32 = (uint32_t)x;
        CHECK(kint_f32_bits(kint_f32_convert_i64_u(x)) == ref_u64_to_float(x, 23), "f32.convert_i64_u(%#llx)",
              (unsigned long long)x);
        CHECK(kint_f32_bits(kint_f32_convert_i64_s(x)) == ref_i64_to_float(x, 23), "f32.convert_i64_s(%#llx)",
              (unsigned long long)x);
        CHECK(kint_f64_bits(kint_f64_convert_i64_u(x)) == ref_u64_to_float(x, 52), "f64.convert_i64_u(%#llx)",
              (unsigned long long)x);
        CHECK(kint_f64_bits(kint_f64_convert_i64_s(x)) == ref_i64_to_float(x, 52), "f64.convert_i64_s(%#llx)",
              (unsigned long long)x);
        CHECK(kint_f32_bits(kint_f32_convert_i32_u(x32)) == ref_u64_to_float(x32, 23), "f32.convert_i32_u(%#x)",
              x32);
        CHECK(kint_f32_bits(kint_f32_convert_i32_s(x32)) ==
                  ref_i64_to_float(kint_i64_extend_i32_s(x32), 23),
              "f32.convert_i32_s(%#x)", x32);
        CHECK(kint_f64_bits(kint_f64_convert_i32_u(x32)) == ref_u64_to_float(x32, 52), "f64.convert_i32_u(%#x)",
              x32);
        CHECK(kint_f64_bits(kint_f64_convert_i32_s(x32)) ==
                  ref_i64_to_float(kint_i64_extend_i32_s(x32), 52),
              "f64.convert_i32_s(%#x)", x32);
    }
}

/* float -> int by truncating first (exact), then range-checking the
 * integral value; `v` is an f32 or f64 value widened exactly to double. */
static kint_trapcode ref_trunc(double v, bool sign, unsigned width, uint64_t *r)
{
    if (isnan(v))
        return KINT_TRAP_INVALID_CONVERSION;
    double t = trunc(v);
    double lo = sign ? -ldexp(1.0, (int)width - 1) : 0.0;
    double hi = ldexp(1.0, sign ? (int)width - 1 : (int)width);
    if (t < lo || t >= hi)
        return KINT_TRAP_INT_OVERFLOW;
    uint64_t u = t < 0 ? 0 - (uint64_t)(-t) : (uint64_t)t;
    *r = width == 32 ? (uint32_t)u : u;
    return KINT_TRAP_NONE;
}

static uint64_t ref_trunc_sat(double v, bool sign, unsigned width)
{
    uint64_t r = 0;
    kint_trapcode t = ref_trunc(v, sign, width, &r);
    if (t == KINT_TRAP_INVALID_CONVERSION)
        return 0;
    if (t == KINT_TRAP_INT_OVERFLOW) {
        uint64_t max = sign ? (UINT64_C(1) << (width - 1)) - 1 : (width == 64 ? M64 : (UINT64_C(1) << width) - 1);
        uint64_t min = sign ? (width == 64 ? MIN64 : UINT64_C(0x80000000)) : 0;
        return v < 0 ? min : max;
    }
    return r;
}

#define CHECK_TRUNC(fn, v, sign, width, U)                                                   \
    do {                                                                                          \
        U got_ = 0xA5;                                                                            \
        uint64_t want_ = 0;                                                                       \
        kint_trapcode t_ = fn(v, &got_), wt_ = ref_trunc((double)(v), sign, width, &want_);       \
        CHECK(t_ == wt_ && (t_ || got_ == want_), #fn "(%a): trap %d value %#llx, want %d %#llx", \
              (double)(v), t_, (unsigned long long)got_, wt_, (unsigned long long)want_);         \
    } while (0)

static void check_f32_to_int(uint32_t b)
{
    float v = f32v(b);
    CHECK_TRUNC(kint_i32_trunc_f32_s, v, true, 32, uint32_t);
    CHECK_TRUNC(kint_i32_trunc_f32_u, v, false, 32, uint32_t);
    CHECK_TRUNC(kint_i64_trunc_f32_s, v, true, 64, uint64_t);
    CHECK_TRUNC(kint_i64_trunc_f32_u, v, false, 64, uint64_t);
    CHECK(kint_i32_trunc_sat_f32_s(v) == ref_trunc_sat(v, true, 32), "i32.trunc_sat_f32_s(%#x)", b);
    CHECK(kint_i32_trunc_sat_f32_u(v) == ref_trunc_sat(v, false, 32), "i32.trunc_sat_f32_u(%#x)", b);
    CHECK(kint_i64_trunc_sat_f32_s(v) == ref_trunc_sat(v, true, 64), "i64.trunc_sat_f32_s(%#x)", b);
    CHECK(kint_i64_trunc_sat_f32_u(v) == ref_trunc_sat(v, false, 64), "i64.trunc_sat_f32_u(%#x)", b);
}

static void check_f64_to_int(uint64_t b)
{
    double v = f64v(b);
    CHECK_TRUNC(kint_i32_trunc_f64_s, v, true, 32, uint32_t);
    CHECK_TRUNC(kint_i32_trunc_f64_u, v, false, 32, uint32_t);
    CHECK_TRUNC(kint_i64_trunc_f64_s, v, true, 64, uint64_t);
    CHECK_TRUNC(kint_i64_trunc_f64_u, v, false, 64, uint64_t);
    CHECK(kint_i32_trunc_sat_f64_s(v) == ref_trunc_sat(v, true, 32), "i32.trunc_sat_f64_s(%#llx)",
          (unsigned long long)b);
    CHECK(kint_i32_trunc_sat_f64_u(v) == ref_trunc_sat(v, false, 32), "i32.trunc_sat_f64_u(%#llx)",
          (unsigned long long)b);
    CHECK(kint_i64_trunc_sat_f64_s(v) == ref_trunc_sat(v, true, 64), "i64.trunc_sat_f64_s(%#llx)",
          (unsigned long long)b);
    CHECK(kint_i64_trunc_sat_f64_u(v) == ref_trunc_sat(v, false, 64), "i64.trunc_sat_f64_u(%#llx)",
          (unsigned long long)b);
}

/* Rounding against libm (ceil, floor, trunc, and rint in the default
 * round-to-nearest-even mode); NaNs: quiet bit set, the rest kept. */
static void check_f32_rounding(uint32_t b)
{
    float v = f32v(b);
    uint32_t got[4] = {kint_f32_bits(kint_f32_ceil(v)), kint_f32_bits(kint_f32_floor(v)),
                       kint_f32_bits(kint_f32_trunc(v)), kint_f32_bits(kint_f32_nearest(v))};
    if (f32_is_nan(b)) {
        for (int k = 0; k < 4; k++)
            CHECK(got[k] == (b | KINT_F32_QUIET), "f32 rounding %d of NaN %#x = %#x", k, b, got[k]);
        return;
    }
    uint32_t want[4] = {kint_f32_bits(ceilf(v)), kint_f32_bits(floorf(v)), kint_f32_bits(truncf(v)),
                        kint_f32_bits(rintf(v))};
    for (int k = 0; k < 4; k++)
        CHECK(got[k] == want[k], "f32 rounding %d (ceil floor trunc nearest) of %#x = %#x, want %#x", k, b,
              got[k], want[k]);
}

static void check_f64_rounding(uint64_t b)
{
    double v = f64v(b);
    uint64_t got[4] = {kint_f64_bits(kint_f64_ceil(v)), kint_f64_bits(kint_f64_floor(v)),
                       kint_f64_bits(kint_f64_trunc(v)), kint_f64_bits(kint_f64_nearest(v))};
    if (f64_is_nan(b)) {
        for (int k = 0; k < 4; k++)
            CHECK(got[k] == (b | KINT_F64_QUIET), "f64 rounding %d of NaN %#llx", k, (unsigned long long)b);
        return;
    }
    uint64_t want[4] = {kint_f64_bits(ceil(v)), kint_f64_bits(floor(v)), kint_f64_bits(trunc(v)),
                        kint_f64_bits(rint(v))};
    for (int k = 0; k < 4; k++)
        CHECK(got[k] == want[k], "f64 rounding %d (ceil floor trunc nearest) of %#llx = %#llx, want %#llx", k,
              (unsigned long long)b, (unsigned long long)got[k], (unsigned long long)want[k]);
}

/* Total order key of a non-NaN float pattern, with -0 == +0. */
static int64_t ord32(uint32_t b) { return (b >> 31) ? -(int64_t)(b & 0x7FFFFFFFu) : (int64_t)b; }
static int64_t ord64(uint64_t b) { return (b >> 63) ? -(int64_t)(b & ~KINT_F64_SIGN) : (int64_t)b; }

/* The NaN rule of a binary operation with a NaN result. */
static bool nan_result_ok32(uint32_t r, uint32_t a, uint32_t b)
{
    bool any_noncanon = (f32_is_nan(a) && !f32_is_canon(a)) || (f32_is_nan(b) && !f32_is_canon(b));
    return any_noncanon ? f32_is_arith(r) : f32_is_canon(r);
}

static bool nan_result_ok64(uint64_t r, uint64_t a, uint64_t b)
{
    bool any_noncanon = (f64_is_nan(a) && !f64_is_canon(a)) || (f64_is_nan(b) && !f64_is_canon(b));
    return any_noncanon ? f64_is_arith(r) : f64_is_canon(r);
}

static void check_f32_binary(uint32_t a, uint32_t b)
{
    float x = f32v(a), y = f32v(b);
    bool nan = f32_is_nan(a) || f32_is_nan(b);
    /* comparisons against the total order of the patterns */
    int64_t oa = ord32(a), ob = ord32(b);
    uint32_t cmp[6] = {kint_f32_eq(x, y), kint_f32_ne(x, y), kint_f32_lt(x, y),
                       kint_f32_gt(x, y), kint_f32_le(x, y), kint_f32_ge(x, y)};
    uint32_t want[6] = {!nan && oa == ob, nan || oa != ob, !nan && oa < ob,
                        !nan && oa > ob,  !nan && oa <= ob, !nan && oa >= ob};
    for (int k = 0; k < 6; k++)
        CHECK(cmp[k] == want[k], "f32 comparison %d (eq ne lt gt le ge) of %#x, %#x", k, a, b);
    /* min/max */
    uint32_t mn = kint_f32_bits(kint_f32_min(x, y)), mx = kint_f32_bits(kint_f32_max(x, y));
    if (nan) {
        CHECK(nan_result_ok32(mn, a, b) && nan_result_ok32(mx, a, b), "f32 min/max NaN rule %#x %#x", a, b);
    } else {
        uint32_t wmin = oa < ob ? a : ob < oa ? b : (a | b), wmax = oa > ob ? a : ob > oa ? b : (a & b);
        CHECK(mn == wmin && mx == wmax, "f32 min/max of %#x, %#x = %#x, %#x", a, b, mn, mx);
    }
    /* arithmetic: in double then rounded once to float is the correctly
     * rounded f32 result (double has more than 2 * 24 + 2 bits) */
    double dx = x, dy = y;
    uint32_t got[4] = {kint_f32_bits(kint_f32_add(x, y)), kint_f32_bits(kint_f32_sub(x, y)),
                       kint_f32_bits(kint_f32_mul(x, y)), kint_f32_bits(kint_f32_div(x, y))};
    volatile double wide[4] = {dx + dy, dx - dy, dx * dy, dx / dy};
    for (int k = 0; k < 4; k++) {
        uint32_t w = kint_f32_bits((float)wide[k]);
        if (f32_is_nan(got[k]) || f32_is_nan(w))
            CHECK(f32_is_nan(got[k]) && f32_is_nan(w) && nan_result_ok32(got[k], a, b),
                  "f32 arithmetic %d (add sub mul div) of %#x, %#x = %#x (NaN rule)", k, a, b, got[k]);
        else
            CHECK(got[k] == w, "f32 arithmetic %d (add sub mul div) of %#x, %#x = %#x, want %#x", k, a, b, got[k],
                  w);
    }
    uint32_t s = kint_f32_bits(kint_f32_sqrt(x)), ws = kint_f32_bits((float)sqrt(dx));
    if (f32_is_nan(s) || f32_is_nan(ws))
        CHECK(f32_is_nan(s) && nan_result_ok32(s, a, a), "f32.sqrt(%#x) = %#x (NaN rule)", a, s);
    else
        CHECK(s == ws, "f32.sqrt(%#x) = %#x, want %#x", a, s, ws);
    /* promote is exact, demote of the promoted value is the identity */
    uint64_t p = kint_f64_bits(kint_f64_promote_f32(x));
    if (f32_is_nan(a)) {
        CHECK(p == (((uint64_t)(a & KINT_F32_SIGN) << 32) | KINT_F64_EXP | KINT_F64_QUIET |
                    ((uint64_t)(a & 0x3FFFFFu) << 29)),
              "f64.promote_f32(%#x) = %#llx", a, (unsigned long long)p);
        CHECK(kint_f32_bits(kint_f32_demote_f64(f64v(p))) == (a | KINT_F32_QUIET), "demote(promote(%#x))", a);
    } else {
        CHECK(kint_f32_bits(kint_f32_demote_f64(f64v(p))) == a, "demote(promote(%#x))", a);
    }
}

static void check_f64_binary(uint64_t a, uint64_t b)
{
    double x = f64v(a), y = f64v(b);
    bool nan = f64_is_nan(a) || f64_is_nan(b);
    int64_t oa = ord64(a), ob = ord64(b);
    uint32_t cmp[6] = {kint_f64_eq(x, y), kint_f64_ne(x, y), kint_f64_lt(x, y),
                       kint_f64_gt(x, y), kint_f64_le(x, y), kint_f64_ge(x, y)};
    uint32_t want[6] = {!nan && oa == ob, nan || oa != ob, !nan && oa < ob,
                        !nan && oa > ob,  !nan && oa <= ob, !nan && oa >= ob};
    for (int k = 0; k < 6; k++)
        CHECK(cmp[k] == want[k], "f64 comparison %d of %#llx, %#llx", k, (unsigned long long)a,
              (unsigned long long)b);
    uint64_t mn = kint_f64_bits(kint_f64_min(x, y)), mx = kint_f64_bits(kint_f64_max(x, y));
    if (nan) {
        CHECK(nan_result_ok64(mn, a, b) && nan_result_ok64(mx, a, b), "f64 min/max NaN rule");
    } else {
        uint64_t wmin = oa < ob ? a : ob < oa ? b : (a | b), wmax = oa > ob ? a : ob > oa ? b : (a & b);
        CHECK(mn == wmin && mx == wmax, "f64 min/max of %#llx, %#llx", (unsigned long long)a,
              (unsigned long long)b);
    }
    uint64_t got[4] = {kint_f64_bits(kint_f64_add(x, y)), kint_f64_bits(kint_f64_sub(x, y)),
                       kint_f64_bits(kint_f64_mul(x, y)), kint_f64_bits(kint_f64_div(x, y))};
    for (int k = 0; k < 4; k++) {
        if (f64_is_nan(got[k]))
            CHECK(nan_result_ok64(got[k], a, b), "f64 arithmetic %d NaN rule of %#llx, %#llx", k,
                  (unsigned long long)a, (unsigned long long)b);
    }
    /* demote: NaNs by rule, other values against the f32 neighbours */
    uint32_t d = kint_f32_bits(kint_f32_demote_f64(x));
    if (f64_is_nan(a)) {
        CHECK(d == ((uint32_t)((a & KINT_F64_SIGN) >> 32) | 0x7FC00000u | (uint32_t)((a >> 29) & 0x3FFFFFu)),
              "f32.demote_f64(%#llx) = %#x", (unsigned long long)a, d);
    } else if (!f32_is_nan(d) && (d & 0x7FFFFFFFu) < 0x7F800000u) {
        /* |x - demote(x)| <= |x - either neighbour| */
        double r = kint_f64_promote_f32(f32v(d));
        double up = nextafterf(f32v(d), INFINITY), dn = nextafterf(f32v(d), -INFINITY);
        CHECK(fabs(x - r) <= fabs(x - up) && fabs(x - r) <= fabs(x - dn), "f32.demote_f64(%#llx) = %#x",
              (unsigned long long)a, d);
    }
}

static void test_random_floats(void)
{
    for (int i = 0; i < 300000; i++) {
        uint32_t a = rnd_f32(), b = (i & 3) ? rnd_f32() : (a ^ (uint32_t)(rnd() & 0x8000000F));
        check_f32_to_int(a);
        check_f32_rounding(a);
        check_f32_binary(a, b);
        uint64_t c = rnd_f64(), d = (i & 3) ? rnd_f64() : (c ^ (rnd() & UINT64_C(0x800000000000000F)));
        check_f64_to_int(c);
        check_f64_rounding(c);
        check_f64_binary(c, d);
    }
    /* every f32 and f64 just around each conversion bound */
    static const double bounds[] = {0x1p31, 0x1p32, 0x1p63, 0x1p64, 1.0, 0.5, 0x1p23, 0x1p52};
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        for (int s = 0; s < 2; s++) {
            double v = s ? -bounds[i] : bounds[i];
            uint32_t fb = kint_f32_bits((float)v);
            uint64_t db = kint_f64_bits(v);
            for (int k = -300; k <= 300; k++) {
                check_f32_to_int(fb + (uint32_t)k);
                check_f32_rounding(fb + (uint32_t)k);
                check_f64_to_int(db + (uint64_t)(int64_t)k);
                check_f64_rounding(db + (uint64_t)(int64_t)k);
            }
        }
    }
}

static uint32_t ref_clz(uint64_t x, unsigned w)
{
    uint32_t n = 0;
    for (int i = (int)w - 1; i >= 0 && !((x >> i) & 1); i--)
        n++;
    return n;
}

static uint32_t ref_ctz(uint64_t x, unsigned w)
{
    uint32_t n = 0;
    while (n < w && !((x >> n) & 1))
        n++;
    return n;
}

static uint32_t ref_popcnt(uint64_t x)
{
    uint32_t n = 0;
    for (; x; x >>= 1)
        n += x & 1;
    return n;
}

static uint64_t ref_rotl(uint64_t x, uint64_t n, unsigned w)
{
    uint64_t mask = w == 64 ? M64 : (UINT64_C(1) << w) - 1;
    x &= mask;
    for (uint64_t i = 0; i < n % w; i++)
        x = ((x << 1) | (x >> (w - 1))) & mask;
    return x;
}

/* 128-bit product by shift-and-add over bits. */
static void ref_mul_wide_u(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0, al = a, ah = 0;
    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            uint64_t nl = l + al;
            h += ah + (nl < l);
            l = nl;
        }
        ah = (ah << 1) | (al >> 63);
        al <<= 1;
    }
    *lo = l;
    *hi = h;
}

static void test_random_integers(void)
{
    for (int i = 0; i < 400000; i++) {
        uint64_t a = rnd_int(), b = rnd_int();
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
        /* bit counting: builtins, portable fallbacks, bit loops */
        CHECK(kint_i32_clz(a32) == ref_clz(a32, 32) && kint_clz64_portable(a32) - 32 == ref_clz(a32, 32),
              "i32.clz(%#x)", a32);
        CHECK(kint_i32_ctz(a32) == ref_ctz(a32, 32), "i32.ctz(%#x)", a32);
        CHECK(kint_i32_popcnt(a32) == ref_popcnt(a32), "i32.popcnt(%#x)", a32);
        CHECK(kint_i64_clz(a) == ref_clz(a, 64) && kint_clz64_portable(a) == ref_clz(a, 64), "i64.clz");
        CHECK(kint_i64_ctz(a) == ref_ctz(a, 64) && kint_ctz64_portable(a) == ref_ctz(a, 64), "i64.ctz");
        CHECK(kint_i64_popcnt(a) == ref_popcnt(a) && kint_popcnt64_portable(a) == ref_popcnt(a), "i64.popcnt");
        /* i32 division against i64 arithmetic (no overflow possible there) */
        uint32_t r = 0;
        int64_t sa = kint_s32(a32), sb = kint_s32(b32);
        kint_trapcode t = kint_i32_div_s(a32, b32, &r);
        if (!b32)
            CHECK(t == KINT_TRAP_INT_DIV_BY_ZERO, "i32.div_s by 0");
        else if (sa / sb > INT32_MAX)
            CHECK(t == KINT_TRAP_INT_OVERFLOW, "i32.div_s overflow");
        else
            CHECK(t == KINT_TRAP_NONE && kint_s32(r) == sa / sb, "i32.div_s(%#x, %#x)", a32, b32);
        t = kint_i32_rem_s(a32, b32, &r);
        CHECK(b32 ? (t == KINT_TRAP_NONE && kint_s32(r) == sa % sb) : t == KINT_TRAP_INT_DIV_BY_ZERO,
              "i32.rem_s(%#x, %#x)", a32, b32);
        t = kint_i32_div_u(a32, b32, &r);
        CHECK(b32 ? (t == KINT_TRAP_NONE && r == (uint64_t)a32 / b32) : t == KINT_TRAP_INT_DIV_BY_ZERO,
              "i32.div_u");
        /* i64 division against sign-magnitude unsigned division */
        uint64_t q = 0, ma = (a >> 63) ? 0 - a : a, mb = (b >> 63) ? 0 - b : b;
        bool qneg = (a >> 63) != (b >> 63);
        t = kint_i64_div_s(a, b, &q);
        if (!b)
            CHECK(t == KINT_TRAP_INT_DIV_BY_ZERO, "i64.div_s by 0");
        else if (a == MIN64 && b == M64)
            CHECK(t == KINT_TRAP_INT_OVERFLOW, "i64.div_s overflow");
        else
            CHECK(t == KINT_TRAP_NONE && q == (qneg ? 0 - ma / mb : ma / mb), "i64.div_s(%#llx, %#llx)",
                  (unsigned long long)a, (unsigned long long)b);
        t = kint_i64_rem_s(a, b, &q);
        if (b)
            CHECK(t == KINT_TRAP_NONE && q == ((a >> 63) ? 0 - ma % mb : ma % mb), "i64.rem_s(%#llx, %#llx)",
                  (unsigned long long)a, (unsigned long long)b);
        /* shifts and rotates against masked counts and bit loops */
        uint32_t n32 = b32 & 31;
        CHECK(kint_i32_shl(a32, b32) == (uint32_t)(a32 << n32), "i32.shl");
        CHECK(kint_i32_shr_u(a32, b32) == a32 >> n32, "i32.shr_u");
        CHECK(kint_s32(kint_i32_shr_s(a32, b32)) == (int32_t)floor(ldexp((double)kint_s32(a32), -(int)n32)),
              "i32.shr_s(%#x, %u)", a32, n32);
        CHECK(kint_i32_rotl(a32, b32) == ref_rotl(a32, b32, 32), "i32.rotl");
        CHECK(kint_i32_rotr(a32, b32) == ref_rotl(a32, 32 - n32, 32), "i32.rotr");
        uint64_t n64 = b & 63;
        CHECK(kint_i64_shr_s(a, b) == ((a >> 63) ? ~(M64 >> n64) | (a >> n64) : a >> n64),
              "i64.shr_s(%#llx, %llu)", (unsigned long long)a, (unsigned long long)n64);
        CHECK(kint_i64_rotl(a, b) == ref_rotl(a, b, 64), "i64.rotl");
        CHECK(kint_i64_rotr(a, b) == ref_rotl(a, 64 - n64, 64), "i64.rotr");
        /* comparisons */
        CHECK(kint_i32_lt_s(a32, b32) == (sa < sb) && kint_i32_ge_u(a32, b32) == (a32 >= b32), "i32 compare");
        CHECK(kint_i64_lt_s(a, b) == ((a ^ MIN64) < (b ^ MIN64)) &&
                  kint_i64_ge_s(a, b) == ((a ^ MIN64) >= (b ^ MIN64)),
              "i64 compare");
        /* extensions */
        CHECK(kint_i32_extend8_s(a32) == ((a32 & 0x80u) ? (a32 | ~0xFFu) : (a32 & 0xFFu)), "i32.extend8_s");
        CHECK(kint_i32_extend16_s(a32) == ((a32 & 0x8000u) ? (a32 | ~0xFFFFu) : (a32 & 0xFFFFu)),
              "i32.extend16_s");
        CHECK(kint_i64_extend8_s(a) == ((a & 0x80u) ? (a | ~UINT64_C(0xFF)) : (a & 0xFFu)), "i64.extend8_s");
        CHECK(kint_i64_extend16_s(a) == ((a & 0x8000u) ? (a | ~UINT64_C(0xFFFF)) : (a & 0xFFFFu)),
              "i64.extend16_s");
        CHECK(kint_i64_extend32_s(a) == ((a & 0x80000000u) ? (a | ~UINT64_C(0xFFFFFFFF)) : (a & 0xFFFFFFFFu)),
              "i64.extend32_s");
        /* wide arithmetic */
        uint64_t c = rnd_int(), d = rnd_int(), lo, hi, rlo, rhi, plo, phi;
        kint_i64_mul_wide_u(a, b, &lo, &hi);
        ref_mul_wide_u(a, b, &rlo, &rhi);
        kint_mul_wide_u_portable(a, b, &plo, &phi);
        CHECK(lo == rlo && hi == rhi && plo == rlo && phi == rhi, "i64.mul_wide_u(%#llx, %#llx)",
              (unsigned long long)a, (unsigned long long)b);
        kint_i64_mul_wide_s(a, b, &lo, &hi);
        kint_mul_wide_s_portable(a, b, &plo, &phi);
        ref_mul_wide_u(ma, mb, &rlo, &rhi);
        if (qneg) /* negate the 128-bit magnitude */
            kint_i64_sub128(0, 0, rlo, rhi, &rlo, &rhi);
        CHECK(lo == rlo && hi == rhi && plo == rlo && phi == rhi, "i64.mul_wide_s(%#llx, %#llx)",
              (unsigned long long)a, (unsigned long long)b);
        kint_i64_add128(a, b, c, d, &lo, &hi);
        CHECK(lo == a + c && hi == b + d + (a + c < a), "i64.add128");
        kint_i64_sub128(lo, hi, c, d, &rlo, &rhi);
        CHECK(rlo == a && rhi == b, "i64.sub128 inverts add128");
    }
}

/* All 2^32 f32 patterns through rounding and conversions (minutes). */
static void test_exhaustive_f32(void)
{
    uint32_t b = 0;
    do {
        check_f32_rounding(b);
        check_f32_to_int(b);
        CHECK(kint_f32_bits(kint_f32_convert_i32_u(b)) == ref_u64_to_float(b, 23), "f32.convert_i32_u(%#x)", b);
        CHECK(kint_f32_bits(kint_f32_convert_i32_s(b)) == ref_i64_to_float(kint_i64_extend_i32_s(b), 23),
              "f32.convert_i32_s(%#x)", b);
        b++;
    } while (b != 0 && g_failures < 100);
}

int main(void)
{
    test_coverage();
    test_bits_cases();
    test_direct_api();
    test_spec_testsuite();
    test_random_integers();
    test_random_conversions_to_float();
    test_random_floats();
    const char *ex = getenv("KITE_NUMERIC_EXHAUSTIVE");
    if (ex && *ex == '1')
        test_exhaustive_f32();
    printf("%s: %ld checks, %d failures\n", g_failures ? "FAIL" : "ok", g_checks, g_failures);
    return g_failures != 0;
}
