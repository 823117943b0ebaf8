/*
 * The numeric instructions of Wasm (everything but SIMD), with the spec's
 * exact semantics, as static inline functions for the interpreter, constant
 * evaluation and tests.
 *
 * Value conventions:
 *   i32 / i64   uint32_t / uint64_t: integers are sign-agnostic bit patterns;
 *               the _s operations reinterpret them as two's complement.
 *   f32 / f64   float / double, moved bit-exactly (sNaNs too) since C floats
 *               live in SSE registers or memory on the supported targets.
 * Trapping operations return a kint_trapcode and write their result through
 * a pointer only when they return KINT_TRAP_NONE.
 *
 * NaNs. Wasm lets an operation that returns a NaN pick any "arithmetic" NaN
 * (quiet bit set), and requires the canonical NaN (payload = quiet bit only)
 * when every NaN operand was canonical. The hardware operations (add, sub,
 * mul, div, sqrt) already behave so: they return the first NaN operand with
 * its quiet bit set, or the default NaN (canonical) for invalid operations.
 * Where we compute NaN results ourselves (rounding, promote/demote, min/max)
 * we keep the payload and set the quiet bit, which satisfies both rules.
 * abs, neg, copysign and the reinterprets are pure bit operations.
 *
 * Floating-point environment. add/sub/mul/div/sqrt, demote and the integer
 * to float conversions round in the current rounding mode, so execution must
 * run with the default (round to nearest even, no flush-to-zero/DAZ); kite
 * never changes it, and a host that does must restore it before calling into
 * Wasm. ceil/floor/trunc/nearest, min/max, promote and the float to integer
 * conversions never depend on it: rounding to an integer is done on the bit
 * pattern (no rint/nearbyint), and the trapping conversions compare against
 * exact bounds before any C cast (so no out-of-range cast, no UB).
 *
 * The C code below must be compiled with IEEE semantics: no -ffast-math
 * (checked below), no x87 excess precision (FLT_EVAL_METHOD must be 0, as on
 * x86-64 with SSE2). FMA contraction across inlined operations would change
 * results on targets with FMA: build the executor with -ffp-contract=off.
 */
#ifndef KITE_INTERP_NUMERIC_H
#define KITE_INTERP_NUMERIC_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ir/opcodes.h"

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "kite's numeric core needs FLT_EVAL_METHOD == 0 (e.g. SSE2 math, not x87)"
#endif
#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "kite's numeric core must not be compiled with -ffast-math / -ffinite-math-only"
#endif

/* GCC/Clang builtins, __int128 and sign-extending >> where available;
 * defining KINT_PORTABLE selects the portable fallbacks everywhere (the
 * unit tests build both). */
#if defined(__GNUC__) && !defined(KINT_PORTABLE)
#define KINT_GNUC 1
#else
#define KINT_GNUC 0
#endif

#if KINT_GNUC && defined(__SIZEOF_INT128__)
#define KINT_HAVE_INT128 1
__extension__ typedef unsigned __int128 kint_u128;
__extension__ typedef __int128 kint_s128;
#else
#define KINT_HAVE_INT128 0
#endif

/* Why an operation trapped. The messages are the spec's (kint_trap_message). */
typedef enum kint_trapcode {
    KINT_TRAP_NONE = 0,
    KINT_TRAP_INT_DIV_BY_ZERO,     /* "integer divide by zero" */
    KINT_TRAP_INT_OVERFLOW,        /* "integer overflow" */
    KINT_TRAP_INVALID_CONVERSION,  /* "invalid conversion to integer" */
} kint_trapcode;

/* The spec testsuite's message for a trap code ("" for KINT_TRAP_NONE). */
const char *kint_trap_message(kint_trapcode code);

/*
 * Evaluates the numeric instruction `op` (no immediates, no SIMD): every
 * integer and float unary/binary/test/compare/conversion instruction, the
 * saturating truncations and wide arithmetic. Operands come in stack order
 * (args[0] is the deepest), results likewise, one 64-bit slot each: i32 and
 * f32 values in the low 32 bits (upper bits ignored on input, zero on
 * output), f32/f64 as their bit patterns. Returns false (nothing written) if
 * op is not such an instruction; otherwise stores the trap code in *trap
 * (results are written only for KINT_TRAP_NONE). results may be args (the
 * operands are read before any result is written), as on a value stack.
 */
bool kint_numeric_eval(kir_op op, const uint64_t *args, uint64_t *results, kint_trapcode *trap);

/* ---- bit patterns ---------------------------------------------------- */

static inline uint32_t kint_f32_bits(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline float kint_f32_from_bits(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static inline uint64_t kint_f64_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double kint_f64_from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

#define KINT_F32_SIGN 0x80000000u
#define KINT_F32_EXP 0x7F800000u
#define KINT_F32_QUIET 0x00400000u
#define KINT_F64_SIGN UINT64_C(0x8000000000000000)
#define KINT_F64_EXP UINT64_C(0x7FF0000000000000)
#define KINT_F64_QUIET UINT64_C(0x0008000000000000)

/* Two's complement reading of a bit pattern, without the implementation-
 * defined conversion of an out-of-range unsigned value (compiles to nothing). */
static inline int32_t kint_s32(uint32_t x)
{
    return x < 0x80000000u ? (int32_t)x : (int32_t)(x - 0x80000000u) - INT32_MAX - 1;
}

static inline int64_t kint_s64(uint64_t x)
{
    return x < UINT64_C(0x8000000000000000) ? (int64_t)x
                                             : (int64_t)(x - UINT64_C(0x8000000000000000)) - INT64_MAX - 1;
}

/* ---- bit counting (portable versions always compiled, for the tests) -- */

static inline uint32_t kint_clz64_portable(uint64_t x)
{
    uint32_t n = 0;
    if (!x)
        return 64;
    for (unsigned step = 32; step; step >>= 1) {
        if (!(x >> (64 - step))) {
            n += step;
            x <<= step;
        }
    }
    return n;
}

static inline uint32_t kint_ctz64_portable(uint64_t x)
{
    uint32_t n = 0;
    if (!x)
        return 64;
    for (unsigned step = 32; step; step >>= 1) {
        if (!(x & ((UINT64_C(1) << step) - 1))) {
            n += step;
            x >>= step;
        }
    }
    return n;
}

static inline uint32_t kint_popcnt64_portable(uint64_t x)
{
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
    return (uint32_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* ---- i32 ------------------------------------------------------------- */

static inline uint32_t kint_i32_clz(uint32_t x)
{
#if KINT_GNUC
    return x ? (uint32_t)__builtin_clz(x) : 32;
#else
    return kint_clz64_portable(x) - 32;
#endif
}

static inline uint32_t kint_i32_ctz(uint32_t x)
{
#if KINT_GNUC
    return x ? (uint32_t)__builtin_ctz(x) : 32;
#else
    return x ? kint_ctz64_portable(x) : 32;
#endif
}

static inline uint32_t kint_i32_popcnt(uint32_t x)
{
#if KINT_GNUC
    return (uint32_t)__builtin_popcount(x);
#else
    return kint_popcnt64_portable(x);
#endif
}

static inline uint32_t kint_i32_add(uint32_t a, uint32_t b) { return a + b; }
static inline uint32_t kint_i32_sub(uint32_t a, uint32_t b) { return a - b; }
static inline uint32_t kint_i32_mul(uint32_t a, uint32_t b) { return a * b; }
static inline uint32_t kint_i32_and(uint32_t a, uint32_t b) { return a & b; }
static inline uint32_t kint_i32_or(uint32_t a, uint32_t b) { return a | b; }
static inline uint32_t kint_i32_xor(uint32_t a, uint32_t b) { return a ^ b; }
static inline uint32_t kint_i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
static inline uint32_t kint_i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }

/* Arithmetic shift. >> of a negative signed value is implementation-
 * defined in C; GCC and Clang document it as sign-extending (one sar), the
 * fallback uses unsigned shifts only. */
static inline uint32_t kint_i32_shr_s(uint32_t a, uint32_t b)
{
#if KINT_GNUC
    return (uint32_t)(kint_s32(a) >> (b & 31));
#else
    uint32_t n = b & 31;
    return (a & 0x80000000u) ? ~(~a >> n) : a >> n;
#endif
}

static inline uint32_t kint_i32_rotl(uint32_t a, uint32_t b)
{
    return (a << (b & 31)) | (a >> ((32 - b) & 31));
}

static inline uint32_t kint_i32_rotr(uint32_t a, uint32_t b)
{
    return (a >> (b & 31)) | (a << ((32 - b) & 31));
}

/* Division traps on a zero divisor first, then on the one overflowing
 * quotient INT32_MIN / -1 (whose remainder is 0 and does not trap). */
static inline kint_trapcode kint_i32_div_s(uint32_t a, uint32_t b, uint32_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    if (a == 0x80000000u && b == 0xFFFFFFFFu)
        return KINT_TRAP_INT_OVERFLOW;
    *r = (uint32_t)(kint_s32(a) / kint_s32(b));
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i32_div_u(uint32_t a, uint32_t b, uint32_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    *r = a / b;
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i32_rem_s(uint32_t a, uint32_t b, uint32_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    /* x rem -1 is 0 for every x; C's INT32_MIN % -1 would be UB. */
    *r = b == 0xFFFFFFFFu ? 0 : (uint32_t)(kint_s32(a) % kint_s32(b));
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i32_rem_u(uint32_t a, uint32_t b, uint32_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    *r = a % b;
    return KINT_TRAP_NONE;
}

static inline uint32_t kint_i32_eqz(uint32_t a) { return a == 0; }
static inline uint32_t kint_i32_eq(uint32_t a, uint32_t b) { return a == b; }
static inline uint32_t kint_i32_ne(uint32_t a, uint32_t b) { return a != b; }
static inline uint32_t kint_i32_lt_s(uint32_t a, uint32_t b) { return kint_s32(a) < kint_s32(b); }
static inline uint32_t kint_i32_lt_u(uint32_t a, uint32_t b) { return a < b; }
static inline uint32_t kint_i32_gt_s(uint32_t a, uint32_t b) { return kint_s32(a) > kint_s32(b); }
static inline uint32_t kint_i32_gt_u(uint32_t a, uint32_t b) { return a > b; }
static inline uint32_t kint_i32_le_s(uint32_t a, uint32_t b) { return kint_s32(a) <= kint_s32(b); }
static inline uint32_t kint_i32_le_u(uint32_t a, uint32_t b) { return a <= b; }
static inline uint32_t kint_i32_ge_s(uint32_t a, uint32_t b) { return kint_s32(a) >= kint_s32(b); }
static inline uint32_t kint_i32_ge_u(uint32_t a, uint32_t b) { return a >= b; }

/* Sign extension by flipping the sign bit and subtracting it back, in
 * unsigned arithmetic (wraps, no implementation-defined narrowing). */
static inline uint32_t kint_i32_extend8_s(uint32_t a) { return ((a & 0xFFu) ^ 0x80u) - 0x80u; }
static inline uint32_t kint_i32_extend16_s(uint32_t a) { return ((a & 0xFFFFu) ^ 0x8000u) - 0x8000u; }
static inline uint32_t kint_i32_wrap_i64(uint64_t a) { return (uint32_t)a; }

/* ---- i64 ------------------------------------------------------------- */

static inline uint64_t kint_i64_clz(uint64_t x)
{
#if KINT_GNUC
    return x ? (uint64_t)__builtin_clzll(x) : 64;
#else
    return kint_clz64_portable(x);
#endif
}

static inline uint64_t kint_i64_ctz(uint64_t x)
{
#if KINT_GNUC
    return x ? (uint64_t)__builtin_ctzll(x) : 64;
#else
    return kint_ctz64_portable(x);
#endif
}

static inline uint64_t kint_i64_popcnt(uint64_t x)
{
#if KINT_GNUC
    return (uint64_t)__builtin_popcountll(x);
#else
    return kint_popcnt64_portable(x);
#endif
}

static inline uint64_t kint_i64_add(uint64_t a, uint64_t b) { return a + b; }
static inline uint64_t kint_i64_sub(uint64_t a, uint64_t b) { return a - b; }
static inline uint64_t kint_i64_mul(uint64_t a, uint64_t b) { return a * b; }
static inline uint64_t kint_i64_and(uint64_t a, uint64_t b) { return a & b; }
static inline uint64_t kint_i64_or(uint64_t a, uint64_t b) { return a | b; }
static inline uint64_t kint_i64_xor(uint64_t a, uint64_t b) { return a ^ b; }
static inline uint64_t kint_i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
static inline uint64_t kint_i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }

static inline uint64_t kint_i64_shr_s(uint64_t a, uint64_t b)
{
#if KINT_GNUC
    return (uint64_t)(kint_s64(a) >> (b & 63));
#else
    uint64_t n = b & 63;
    return (a >> 63) ? ~(~a >> n) : a >> n;
#endif
}

static inline uint64_t kint_i64_rotl(uint64_t a, uint64_t b)
{
    return (a << (b & 63)) | (a >> ((64 - b) & 63));
}

static inline uint64_t kint_i64_rotr(uint64_t a, uint64_t b)
{
    return (a >> (b & 63)) | (a << ((64 - b) & 63));
}

static inline kint_trapcode kint_i64_div_s(uint64_t a, uint64_t b, uint64_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    if (a == UINT64_C(0x8000000000000000) && b == UINT64_MAX)
        return KINT_TRAP_INT_OVERFLOW;
    *r = (uint64_t)(kint_s64(a) / kint_s64(b));
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i64_div_u(uint64_t a, uint64_t b, uint64_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    *r = a / b;
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i64_rem_s(uint64_t a, uint64_t b, uint64_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    *r = b == UINT64_MAX ? 0 : (uint64_t)(kint_s64(a) % kint_s64(b));
    return KINT_TRAP_NONE;
}

static inline kint_trapcode kint_i64_rem_u(uint64_t a, uint64_t b, uint64_t *r)
{
    if (b == 0)
        return KINT_TRAP_INT_DIV_BY_ZERO;
    *r = a % b;
    return KINT_TRAP_NONE;
}

static inline uint32_t kint_i64_eqz(uint64_t a) { return a == 0; }
static inline uint32_t kint_i64_eq(uint64_t a, uint64_t b) { return a == b; }
static inline uint32_t kint_i64_ne(uint64_t a, uint64_t b) { return a != b; }
static inline uint32_t kint_i64_lt_s(uint64_t a, uint64_t b) { return kint_s64(a) < kint_s64(b); }
static inline uint32_t kint_i64_lt_u(uint64_t a, uint64_t b) { return a < b; }
static inline uint32_t kint_i64_gt_s(uint64_t a, uint64_t b) { return kint_s64(a) > kint_s64(b); }
static inline uint32_t kint_i64_gt_u(uint64_t a, uint64_t b) { return a > b; }
static inline uint32_t kint_i64_le_s(uint64_t a, uint64_t b) { return kint_s64(a) <= kint_s64(b); }
static inline uint32_t kint_i64_le_u(uint64_t a, uint64_t b) { return a <= b; }
static inline uint32_t kint_i64_ge_s(uint64_t a, uint64_t b) { return kint_s64(a) >= kint_s64(b); }
static inline uint32_t kint_i64_ge_u(uint64_t a, uint64_t b) { return a >= b; }

static inline uint64_t kint_i64_extend8_s(uint64_t a) { return ((a & 0xFFu) ^ 0x80u) - 0x80u; }
static inline uint64_t kint_i64_extend16_s(uint64_t a)
{
    return ((a & 0xFFFFu) ^ 0x8000u) - 0x8000u;
}
static inline uint64_t kint_i64_extend32_s(uint64_t a)
{
    return ((a & 0xFFFFFFFFu) ^ 0x80000000u) - 0x80000000u;
}
static inline uint64_t kint_i64_extend_i32_s(uint32_t a) { return kint_i64_extend32_s(a); }
static inline uint64_t kint_i64_extend_i32_u(uint32_t a) { return a; }

/* ---- wide arithmetic: 128-bit values as (lo, hi) pairs of i64 -------- */

static inline void kint_i64_add128(uint64_t a_lo, uint64_t a_hi, uint64_t b_lo, uint64_t b_hi,
                                   uint64_t *lo, uint64_t *hi)
{
    uint64_t l = a_lo + b_lo;
    *hi = a_hi + b_hi + (l < a_lo);
    *lo = l;
}

static inline void kint_i64_sub128(uint64_t a_lo, uint64_t a_hi, uint64_t b_lo, uint64_t b_hi,
                                   uint64_t *lo, uint64_t *hi)
{
    *hi = a_hi - b_hi - (a_lo < b_lo);
    *lo = a_lo - b_lo;
}

/* Schoolbook product over 32-bit halves: mid collects the carries into
 * bit 32 and stays below 3 * 2^32. */
static inline void kint_mul_wide_u_portable(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static inline void kint_i64_mul_wide_u(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
#if KINT_HAVE_INT128
    kint_u128 p = (kint_u128)a * b;
    *lo = (uint64_t)p;
    *hi = (uint64_t)(p >> 64);
#else
    kint_mul_wide_u_portable(a, b, lo, hi);
#endif
}

/* With a = ua - 2^64 [a < 0] (same for b), the signed product modulo 2^128
 * differs from the unsigned one only in the high word, by b [a < 0] and
 * a [b < 0]. */
static inline void kint_mul_wide_s_portable(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t h;
    kint_mul_wide_u_portable(a, b, lo, &h);
    h -= (a >> 63) ? b : 0;
    h -= (b >> 63) ? a : 0;
    *hi = h;
}

static inline void kint_i64_mul_wide_s(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
#if KINT_HAVE_INT128
    kint_u128 p = (kint_u128)((kint_s128)kint_s64(a) * kint_s64(b));
    *lo = (uint64_t)p;
    *hi = (uint64_t)(p >> 64);
#else
    kint_mul_wide_s_portable(a, b, lo, hi);
#endif
}

/* ---- float bit operations (exact on every input, NaNs included) ------ */

static inline float kint_f32_abs(float x) { return kint_f32_from_bits(kint_f32_bits(x) & ~KINT_F32_SIGN); }
static inline float kint_f32_neg(float x) { return kint_f32_from_bits(kint_f32_bits(x) ^ KINT_F32_SIGN); }
static inline float kint_f32_copysign(float x, float y)
{
    return kint_f32_from_bits((kint_f32_bits(x) & ~KINT_F32_SIGN) | (kint_f32_bits(y) & KINT_F32_SIGN));
}

static inline double kint_f64_abs(double x) { return kint_f64_from_bits(kint_f64_bits(x) & ~KINT_F64_SIGN); }
static inline double kint_f64_neg(double x) { return kint_f64_from_bits(kint_f64_bits(x) ^ KINT_F64_SIGN); }
static inline double kint_f64_copysign(double x, double y)
{
    return kint_f64_from_bits((kint_f64_bits(x) & ~KINT_F64_SIGN) | (kint_f64_bits(y) & KINT_F64_SIGN));
}

/* ---- rounding to an integral value, on the bit pattern ---------------- */

typedef enum kint_rounding {
    KINT_ROUND_CEIL,
    KINT_ROUND_FLOOR,
    KINT_ROUND_TRUNC,
    KINT_ROUND_NEAREST, /* ties to even */
} kint_rounding;

/*
 * Rounds the float with bit pattern `bits` (mant fraction bits, expw
 * exponent bits: 23/8 for f32, 52/11 for f64) to an integral value:
 *
 *   sign | exponent (expw) | fraction (mant)      value 1.f * 2^(e - bias)
 *
 * With e - bias in [0, mant) the lowest `mant - (e - bias)` bits of the
 * fraction are the fractional part: clear them and, if the mode says so,
 * add one unit in the last integral place (a carry out of the fraction
 * correctly bumps the exponent). Magnitudes below 1 become 0 or 1 keeping
 * the sign (so ceil(-0.5) = -0); larger values, infinities and zeros are
 * already integral; NaNs get their quiet bit set.
 */
static inline uint64_t kint_round_bits(uint64_t bits, unsigned mant, unsigned expw, kint_rounding mode)
{
    const uint64_t sign = UINT64_C(1) << (mant + expw);
    const uint64_t mag = bits & (sign - 1);
    const uint64_t bias = (UINT64_C(1) << (expw - 1)) - 1;
    const uint64_t e = mag >> mant;
    const bool neg = (bits & sign) != 0;
    bool up;

    if (e >= bias + mant) {
        bool nan = e == (UINT64_C(1) << expw) - 1 && (mag & ((UINT64_C(1) << mant) - 1));
        return nan ? bits | (UINT64_C(1) << (mant - 1)) : bits;
    }
    if (e < bias) {
        /* 0 < |x| < 1 (or a zero): the result is 0 or 1 in magnitude. */
        switch (mode) {
        case KINT_ROUND_CEIL: up = !neg && mag; break;
        case KINT_ROUND_FLOOR: up = neg && mag; break;
        case KINT_ROUND_NEAREST: up = mag > ((bias - 1) << mant); break; /* > 0.5 */
        default: up = false; break;
        }
        return (bits & sign) | (up ? bias << mant : 0);
    }
    const unsigned fbits = mant - (unsigned)(e - bias); /* 1 .. mant */
    const uint64_t unit = UINT64_C(1) << fbits;
    const uint64_t frac = mag & (unit - 1);
    if (!frac)
        return bits;
    const uint64_t t = mag - frac;
    switch (mode) {
    case KINT_ROUND_CEIL: up = !neg; break;
    case KINT_ROUND_FLOOR: up = neg; break;
    case KINT_ROUND_NEAREST: {
        /* The integral part's lowest bit; for 1 <= |x| < 2 that is the
         * implicit leading 1 (not stored), so the integer 1 is odd. */
        bool odd = fbits == mant || ((t >> fbits) & 1);
        up = frac > (unit >> 1) || (frac == (unit >> 1) && odd);
        break;
    }
    default: up = false; break;
    }
    return (bits & sign) | (up ? t + unit : t);
}

static inline float kint_f32_round_(float x, kint_rounding mode)
{
    return kint_f32_from_bits((uint32_t)kint_round_bits(kint_f32_bits(x), 23, 8, mode));
}

static inline double kint_f64_round_(double x, kint_rounding mode)
{
    return kint_f64_from_bits(kint_round_bits(kint_f64_bits(x), 52, 11, mode));
}

static inline float kint_f32_ceil(float x) { return kint_f32_round_(x, KINT_ROUND_CEIL); }
static inline float kint_f32_floor(float x) { return kint_f32_round_(x, KINT_ROUND_FLOOR); }
static inline float kint_f32_trunc(float x) { return kint_f32_round_(x, KINT_ROUND_TRUNC); }
static inline float kint_f32_nearest(float x) { return kint_f32_round_(x, KINT_ROUND_NEAREST); }
static inline double kint_f64_ceil(double x) { return kint_f64_round_(x, KINT_ROUND_CEIL); }
static inline double kint_f64_floor(double x) { return kint_f64_round_(x, KINT_ROUND_FLOOR); }
static inline double kint_f64_trunc(double x) { return kint_f64_round_(x, KINT_ROUND_TRUNC); }
static inline double kint_f64_nearest(double x) { return kint_f64_round_(x, KINT_ROUND_NEAREST); }

/* ---- float arithmetic ------------------------------------------------- */

static inline float kint_f32_add(float a, float b) { return a + b; }
static inline float kint_f32_sub(float a, float b) { return a - b; }
static inline float kint_f32_mul(float a, float b) { return a * b; }
static inline float kint_f32_div(float a, float b) { return a / b; }
static inline float kint_f32_sqrt(float a) { return sqrtf(a); }
static inline double kint_f64_add(double a, double b) { return a + b; }
static inline double kint_f64_sub(double a, double b) { return a - b; }
static inline double kint_f64_mul(double a, double b) { return a * b; }
static inline double kint_f64_div(double a, double b) { return a / b; }
static inline double kint_f64_sqrt(double a) { return sqrt(a); }

/*
 * min/max: a NaN operand gives a NaN; a + b returns that NaN quieted (so a
 * canonical NaN stays canonical). Equal operands can only differ in the
 * sign of a zero: OR-ing the patterns makes min(-0, +0) = -0, AND-ing makes
 * max(-0, +0) = +0.
 */
static inline float kint_f32_min(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return kint_f32_from_bits(kint_f32_bits(a) | kint_f32_bits(b));
    return a < b ? a : b;
}

static inline float kint_f32_max(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return kint_f32_from_bits(kint_f32_bits(a) & kint_f32_bits(b));
    return a > b ? a : b;
}

static inline double kint_f64_min(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return kint_f64_from_bits(kint_f64_bits(a) | kint_f64_bits(b));
    return a < b ? a : b;
}

static inline double kint_f64_max(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return kint_f64_from_bits(kint_f64_bits(a) & kint_f64_bits(b));
    return a > b ? a : b;
}

/* IEEE comparisons: false when either operand is a NaN, except ne. */
static inline uint32_t kint_f32_eq(float a, float b) { return a == b; }
static inline uint32_t kint_f32_ne(float a, float b) { return a != b; }
static inline uint32_t kint_f32_lt(float a, float b) { return a < b; }
static inline uint32_t kint_f32_gt(float a, float b) { return a > b; }
static inline uint32_t kint_f32_le(float a, float b) { return a <= b; }
static inline uint32_t kint_f32_ge(float a, float b) { return a >= b; }
static inline uint32_t kint_f64_eq(double a, double b) { return a == b; }
static inline uint32_t kint_f64_ne(double a, double b) { return a != b; }
static inline uint32_t kint_f64_lt(double a, double b) { return a < b; }
static inline uint32_t kint_f64_gt(double a, double b) { return a > b; }
static inline uint32_t kint_f64_le(double a, double b) { return a <= b; }
static inline uint32_t kint_f64_ge(double a, double b) { return a >= b; }

/* ---- float <-> float -------------------------------------------------- */

/* NaNs are converted on the bit pattern (sign and payload kept, the payload
 * shifted into place, quiet bit set) so the result does not depend on what
 * the compiler or the hardware does with signalling NaNs. */
static inline double kint_f64_promote_f32(float x)
{
    uint32_t b = kint_f32_bits(x);
    if ((b & ~KINT_F32_SIGN) > KINT_F32_EXP) {
        return kint_f64_from_bits(((uint64_t)(b & KINT_F32_SIGN) << 32) | KINT_F64_EXP | KINT_F64_QUIET |
                                  ((uint64_t)(b & 0x003FFFFFu) << 29));
    }
    return (double)x;
}

static inline float kint_f32_demote_f64(double x)
{
    uint64_t b = kint_f64_bits(x);
    if ((b & ~KINT_F64_SIGN) > KINT_F64_EXP) {
        return kint_f32_from_bits((uint32_t)((b & KINT_F64_SIGN) >> 32) | KINT_F32_EXP | KINT_F32_QUIET |
                                  (uint32_t)((b >> 29) & 0x003FFFFFu));
    }
    return (float)x;
}

/* ---- integer -> float (one correct rounding each) --------------------- */

static inline float kint_f32_convert_i32_s(uint32_t a) { return (float)kint_s32(a); }
/* Through int64: exact operand, a single rounding. */
static inline float kint_f32_convert_i32_u(uint32_t a) { return (float)(int64_t)a; }
static inline float kint_f32_convert_i64_s(uint64_t a) { return (float)kint_s64(a); }
static inline double kint_f64_convert_i32_s(uint32_t a) { return (double)kint_s32(a); }
static inline double kint_f64_convert_i32_u(uint32_t a) { return (double)a; }
static inline double kint_f64_convert_i64_s(uint64_t a) { return (double)kint_s64(a); }

/* u64 at or above 2^63: halve it, keeping the dropped bit as a sticky bit
 * (it lies far below the rounding position, so it only breaks ties the way
 * the full value would), convert as signed and double exactly. Not via
 * double, which would round twice. */
static inline float kint_f32_convert_i64_u(uint64_t a)
{
    if (!(a >> 63))
        return (float)(int64_t)a;
    return (float)(int64_t)((a >> 1) | (a & 1)) * 2.0f;
}

static inline double kint_f64_convert_i64_u(uint64_t a)
{
    if (!(a >> 63))
        return (double)(int64_t)a;
    return (double)(int64_t)((a >> 1) | (a & 1)) * 2.0;
}

/* ---- reinterpretations ------------------------------------------------ */

static inline uint32_t kint_i32_reinterpret_f32(float x) { return kint_f32_bits(x); }
static inline uint64_t kint_i64_reinterpret_f64(double x) { return kint_f64_bits(x); }
static inline float kint_f32_reinterpret_i32(uint32_t a) { return kint_f32_from_bits(a); }
static inline double kint_f64_reinterpret_i64(uint64_t a) { return kint_f64_from_bits(a); }

/* ---- float -> integer ------------------------------------------------- */

/*
 * A float converts iff its truncation fits: lo < x < hi with the exact
 * bounds below (the nearest representable values outside the range; e.g.
 * f32 -> i32_s: -2147483904 = -(2^31 + 2^8) is the f32 just below -2^31).
 * The C cast happens only inside the range, where it is defined.
 */
#define KINT_TRUNC_(name, F, I, U, lo, hi)                          \
    static inline kint_trapcode name(F x, U *r)                     \
    {                                                               \
        if (x != x)                                                 \
            return KINT_TRAP_INVALID_CONVERSION;                    \
        if (!(x > (lo) && x < (hi)))                                \
            return KINT_TRAP_INT_OVERFLOW;                          \
        *r = (U)(I)x;                                               \
        return KINT_TRAP_NONE;                                      \
    }

KINT_TRUNC_(kint_i32_trunc_f32_s, float, int32_t, uint32_t, -0x1.000002p31f, 0x1p31f)
KINT_TRUNC_(kint_i32_trunc_f32_u, float, uint32_t, uint32_t, -1.0f, 0x1p32f)
KINT_TRUNC_(kint_i32_trunc_f64_s, double, int32_t, uint32_t, -0x1.00000002p31, 0x1p31)
KINT_TRUNC_(kint_i32_trunc_f64_u, double, uint32_t, uint32_t, -1.0, 0x1p32)
KINT_TRUNC_(kint_i64_trunc_f32_s, float, int64_t, uint64_t, -0x1.000002p63f, 0x1p63f)
KINT_TRUNC_(kint_i64_trunc_f32_u, float, uint64_t, uint64_t, -1.0f, 0x1p64f)
KINT_TRUNC_(kint_i64_trunc_f64_s, double, int64_t, uint64_t, -0x1.0000000000001p63, 0x1p63)
KINT_TRUNC_(kint_i64_trunc_f64_u, double, uint64_t, uint64_t, -1.0, 0x1p64)
#undef KINT_TRUNC_

/* Saturating: NaN -> 0, out of range -> the nearest bound. Between the
 * bounds (exclusive) the cast is defined. */
#define KINT_TRUNC_SAT_(name, F, I, U, lo, hi, min, max)            \
    static inline U name(F x)                                       \
    {                                                               \
        if (x != x)                                                 \
            return 0;                                               \
        if (x <= (lo))                                              \
            return (min);                                           \
        if (x >= (hi))                                              \
            return (max);                                           \
        return (U)(I)x;                                             \
    }

KINT_TRUNC_SAT_(kint_i32_trunc_sat_f32_s, float, int32_t, uint32_t, -0x1p31f, 0x1p31f, 0x80000000u,
                0x7FFFFFFFu)
KINT_TRUNC_SAT_(kint_i32_trunc_sat_f32_u, float, uint32_t, uint32_t, -1.0f, 0x1p32f, 0, UINT32_MAX)
KINT_TRUNC_SAT_(kint_i32_trunc_sat_f64_s, double, int32_t, uint32_t, -0x1p31, 0x1p31, 0x80000000u,
                0x7FFFFFFFu)
KINT_TRUNC_SAT_(kint_i32_trunc_sat_f64_u, double, uint32_t, uint32_t, -1.0, 0x1p32, 0, UINT32_MAX)
KINT_TRUNC_SAT_(kint_i64_trunc_sat_f32_s, float, int64_t, uint64_t, -0x1p63f, 0x1p63f,
                UINT64_C(0x8000000000000000), UINT64_C(0x7FFFFFFFFFFFFFFF))
KINT_TRUNC_SAT_(kint_i64_trunc_sat_f32_u, float, uint64_t, uint64_t, -1.0f, 0x1p64f, 0, UINT64_MAX)
KINT_TRUNC_SAT_(kint_i64_trunc_sat_f64_s, double, int64_t, uint64_t, -0x1p63, 0x1p63,
                UINT64_C(0x8000000000000000), UINT64_C(0x7FFFFFFFFFFFFFFF))
KINT_TRUNC_SAT_(kint_i64_trunc_sat_f64_u, double, uint64_t, uint64_t, -1.0, 0x1p64, 0, UINT64_MAX)
#undef KINT_TRUNC_SAT_

#endif
