/*
 * Every SIMD and relaxed-SIMD instruction in per-lane C17 (included by
 * simd.h only). With a native backend (simd_x86.h, simd_neon.h) these are
 * named kint_simdg_<ID> and the backend's kint_simd_<ID> call them for what
 * it does not accelerate; otherwise they are kint_simd_<ID> themselves.
 * Float lanes use numeric.h's scalar operations, so the NaN, signed-zero
 * and rounding rules are the scalar instructions' (already tested against
 * the spec). Lane loops over unions compile to straight-line code.
 */
#ifndef KITE_INTERP_SIMD_GENERIC_H
#define KITE_INTERP_SIMD_GENERIC_H

#if defined(KINT_SIMD_X86) || defined(KINT_SIMD_NEON)
#define KINT_SG(ID) kint_simdg_##ID
#else
#define KINT_SG(ID) kint_simd_##ID
#endif

/* Lane-wise bodies: A, B, C are the operands' lanes, R the result's. */
#define KINT_SG_MAP1(T, N, EXPR)                  \
    kint_lanes A = kint_v128_lanes(a), R;         \
    for (unsigned i = 0; i < (N); i++)            \
        R.T[i] = (EXPR);                          \
    return kint_v128_of_lanes(R)
#define KINT_SG_MAP2(T, N, EXPR)                                          \
    kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b), R;         \
    for (unsigned i = 0; i < (N); i++)                                    \
        R.T[i] = (EXPR);                                                  \
    return kint_v128_of_lanes(R)
#define KINT_SG_UN(ID, T, N, EXPR) \
    static inline kint_v128 KINT_SG(ID)(kint_v128 a) { KINT_SG_MAP1(T, N, EXPR); }
#define KINT_SG_BIN(ID, T, N, EXPR) \
    static inline kint_v128 KINT_SG(ID)(kint_v128 a, kint_v128 b) { KINT_SG_MAP2(T, N, EXPR); }
/* Comparisons: all ones where EXPR holds (S: the signed view to compare). */
#define KINT_SG_CMP(ID, U, S, N, EXPR) \
    KINT_SG_BIN(ID, U, N, (uint64_t)0 - (uint64_t)((EXPR) != 0))

/* Portable arithmetic shift right of a W-bit lane held in a uint32_t/uint64_t. */
static inline uint64_t kint_sg_sar(uint64_t x, unsigned w, unsigned n)
{
    uint64_t mask = w == 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
    uint64_t s = (x >> (w - 1) & 1) ? mask : 0;
    return (((x ^ s) & mask) >> n) ^ s;
}

static inline int64_t kint_sg_clamp(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* (x * y + 0x4000) >> 15 for i16 x, y: the Q15 rounding multiply (floor shift). */
static inline int32_t kint_sg_q15(int32_t x, int32_t y)
{
    int32_t p = x * y + 0x4000;
    return p >= 0 ? p / 32768 : -(int32_t)(((uint32_t)-(int64_t)p + 32767u) / 32768u);
}

/* ---- memory (p: the accessed bytes, in bounds) ---- */

static inline kint_v128 KINT_SG(V128_LOAD)(const void *p) { return kint_v128_load(p); }
static inline void KINT_SG(V128_STORE)(void *p, kint_v128 v) { kint_v128_store(p, v); }

#define KINT_SG_LOAD_EXT(ID, T, N, ST)                     \
    static inline kint_v128 KINT_SG(ID)(const void *p)     \
    {                                                      \
        ST src[N];                                         \
        kint_lanes R;                                      \
        memcpy(src, p, sizeof src);                        \
        for (unsigned i = 0; i < (N); i++)                 \
            R.T[i] = src[i];                               \
        return kint_v128_of_lanes(R);                      \
    }
KINT_SG_LOAD_EXT(V128_LOAD8X8_S, i16, 8, int8_t)
KINT_SG_LOAD_EXT(V128_LOAD8X8_U, u16, 8, uint8_t)
KINT_SG_LOAD_EXT(V128_LOAD16X4_S, i32, 4, int16_t)
KINT_SG_LOAD_EXT(V128_LOAD16X4_U, u32, 4, uint16_t)
KINT_SG_LOAD_EXT(V128_LOAD32X2_S, i64, 2, int32_t)
KINT_SG_LOAD_EXT(V128_LOAD32X2_U, u64, 2, uint32_t)
#undef KINT_SG_LOAD_EXT

#define KINT_SG_LOAD_SPLAT(ID, T, N)                       \
    static inline kint_v128 KINT_SG(ID)(const void *p)     \
    {                                                      \
        kint_lanes R;                                      \
        memcpy(&R.T[0], p, sizeof R.T[0]);                 \
        for (unsigned i = 1; i < (N); i++)                 \
            R.T[i] = R.T[0];                               \
        return kint_v128_of_lanes(R);                      \
    }
KINT_SG_LOAD_SPLAT(V128_LOAD8_SPLAT, u8, 16)
KINT_SG_LOAD_SPLAT(V128_LOAD16_SPLAT, u16, 8)
KINT_SG_LOAD_SPLAT(V128_LOAD32_SPLAT, u32, 4)
KINT_SG_LOAD_SPLAT(V128_LOAD64_SPLAT, u64, 2)
#undef KINT_SG_LOAD_SPLAT

#define KINT_SG_LOAD_ZERO(ID, T)                           \
    static inline kint_v128 KINT_SG(ID)(const void *p)     \
    {                                                      \
        kint_lanes R = {{0}};                              \
        memcpy(&R.T[0], p, sizeof R.T[0]);                 \
        return kint_v128_of_lanes(R);                      \
    }
KINT_SG_LOAD_ZERO(V128_LOAD32_ZERO, u32)
KINT_SG_LOAD_ZERO(V128_LOAD64_ZERO, u64)
#undef KINT_SG_LOAD_ZERO

#define KINT_SG_LANE_MEM(LOAD, STORE, T)                                          \
    static inline kint_v128 KINT_SG(LOAD)(const void *p, kint_v128 v, unsigned lane) \
    {                                                                             \
        kint_lanes R = kint_v128_lanes(v);                                        \
        memcpy(&R.T[lane], p, sizeof R.T[0]);                                     \
        return kint_v128_of_lanes(R);                                             \
    }                                                                             \
    static inline void KINT_SG(STORE)(void *p, kint_v128 v, unsigned lane)        \
    {                                                                             \
        kint_lanes L = kint_v128_lanes(v);                                        \
        memcpy(p, &L.T[lane], sizeof L.T[0]);                                     \
    }
KINT_SG_LANE_MEM(V128_LOAD8_LANE, V128_STORE8_LANE, u8)
KINT_SG_LANE_MEM(V128_LOAD16_LANE, V128_STORE16_LANE, u16)
KINT_SG_LANE_MEM(V128_LOAD32_LANE, V128_STORE32_LANE, u32)
KINT_SG_LANE_MEM(V128_LOAD64_LANE, V128_STORE64_LANE, u64)
#undef KINT_SG_LANE_MEM

/* ---- constant, shuffles, splats, lanes ---- */

static inline kint_v128 KINT_SG(V128_CONST)(const uint8_t *bytes) { return kint_v128_load(bytes); }

static inline kint_v128 KINT_SG(I8X16_SHUFFLE)(kint_v128 a, kint_v128 b, const uint8_t *mask)
{
    kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b), R;
    for (unsigned i = 0; i < 16; i++)
        R.u8[i] = mask[i] < 16 ? A.u8[mask[i] & 15] : B.u8[mask[i] & 15];
    return kint_v128_of_lanes(R);
}

KINT_SG_BIN(I8X16_SWIZZLE, u8, 16, B.u8[i] < 16 ? A.u8[B.u8[i]] : 0)

#define KINT_SG_SPLAT(ID, T, N, S)                      \
    static inline kint_v128 KINT_SG(ID)(S x)            \
    {                                                   \
        kint_lanes R;                                   \
        for (unsigned i = 0; i < (N); i++)              \
            R.T[i] = x;             \
        return kint_v128_of_lanes(R);                   \
    }
KINT_SG_SPLAT(I8X16_SPLAT, u8, 16, uint32_t)
KINT_SG_SPLAT(I16X8_SPLAT, u16, 8, uint32_t)
KINT_SG_SPLAT(I32X4_SPLAT, u32, 4, uint32_t)
KINT_SG_SPLAT(I64X2_SPLAT, u64, 2, uint64_t)
KINT_SG_SPLAT(F32X4_SPLAT, u32, 4, uint32_t)
KINT_SG_SPLAT(F64X2_SPLAT, u64, 2, uint64_t)
#undef KINT_SG_SPLAT

#define KINT_SG_LANE(EXTRACT, REPLACE, T, S, GET)                                  \
    static inline S KINT_SG(EXTRACT)(kint_v128 v, unsigned lane)                   \
    {                                                                              \
        kint_lanes L = kint_v128_lanes(v);                                         \
        return GET;                                                                \
    }                                                                              \
    static inline kint_v128 KINT_SG(REPLACE)(kint_v128 v, unsigned lane, S x)      \
    {                                                                              \
        kint_lanes R = kint_v128_lanes(v);                                         \
        R.T[lane] = x;                                         \
        return kint_v128_of_lanes(R);                                              \
    }
KINT_SG_LANE(I8X16_EXTRACT_LANE_U, I8X16_REPLACE_LANE, u8, uint32_t, L.u8[lane])
KINT_SG_LANE(I16X8_EXTRACT_LANE_U, I16X8_REPLACE_LANE, u16, uint32_t, L.u16[lane])
KINT_SG_LANE(I32X4_EXTRACT_LANE, I32X4_REPLACE_LANE, u32, uint32_t, L.u32[lane])
KINT_SG_LANE(I64X2_EXTRACT_LANE, I64X2_REPLACE_LANE, u64, uint64_t, L.u64[lane])
KINT_SG_LANE(F32X4_EXTRACT_LANE, F32X4_REPLACE_LANE, u32, uint32_t, L.u32[lane])
KINT_SG_LANE(F64X2_EXTRACT_LANE, F64X2_REPLACE_LANE, u64, uint64_t, L.u64[lane])
#undef KINT_SG_LANE

static inline uint32_t KINT_SG(I8X16_EXTRACT_LANE_S)(kint_v128 v, unsigned lane)
{
    return kint_i32_extend8_s(kint_v128_lanes(v).u8[lane]);
}

static inline uint32_t KINT_SG(I16X8_EXTRACT_LANE_S)(kint_v128 v, unsigned lane)
{
    return kint_i32_extend16_s(kint_v128_lanes(v).u16[lane]);
}

/* ---- comparisons ---- */

KINT_SG_CMP(I8X16_EQ, u8, i8, 16, A.u8[i] == B.u8[i])
KINT_SG_CMP(I8X16_NE, u8, i8, 16, A.u8[i] != B.u8[i])
KINT_SG_CMP(I8X16_LT_S, u8, i8, 16, A.i8[i] < B.i8[i])
KINT_SG_CMP(I8X16_LT_U, u8, i8, 16, A.u8[i] < B.u8[i])
KINT_SG_CMP(I8X16_GT_S, u8, i8, 16, A.i8[i] > B.i8[i])
KINT_SG_CMP(I8X16_GT_U, u8, i8, 16, A.u8[i] > B.u8[i])
KINT_SG_CMP(I8X16_LE_S, u8, i8, 16, A.i8[i] <= B.i8[i])
KINT_SG_CMP(I8X16_LE_U, u8, i8, 16, A.u8[i] <= B.u8[i])
KINT_SG_CMP(I8X16_GE_S, u8, i8, 16, A.i8[i] >= B.i8[i])
KINT_SG_CMP(I8X16_GE_U, u8, i8, 16, A.u8[i] >= B.u8[i])
KINT_SG_CMP(I16X8_EQ, u16, i16, 8, A.u16[i] == B.u16[i])
KINT_SG_CMP(I16X8_NE, u16, i16, 8, A.u16[i] != B.u16[i])
KINT_SG_CMP(I16X8_LT_S, u16, i16, 8, A.i16[i] < B.i16[i])
KINT_SG_CMP(I16X8_LT_U, u16, i16, 8, A.u16[i] < B.u16[i])
KINT_SG_CMP(I16X8_GT_S, u16, i16, 8, A.i16[i] > B.i16[i])
KINT_SG_CMP(I16X8_GT_U, u16, i16, 8, A.u16[i] > B.u16[i])
KINT_SG_CMP(I16X8_LE_S, u16, i16, 8, A.i16[i] <= B.i16[i])
KINT_SG_CMP(I16X8_LE_U, u16, i16, 8, A.u16[i] <= B.u16[i])
KINT_SG_CMP(I16X8_GE_S, u16, i16, 8, A.i16[i] >= B.i16[i])
KINT_SG_CMP(I16X8_GE_U, u16, i16, 8, A.u16[i] >= B.u16[i])
KINT_SG_CMP(I32X4_EQ, u32, i32, 4, A.u32[i] == B.u32[i])
KINT_SG_CMP(I32X4_NE, u32, i32, 4, A.u32[i] != B.u32[i])
KINT_SG_CMP(I32X4_LT_S, u32, i32, 4, A.i32[i] < B.i32[i])
KINT_SG_CMP(I32X4_LT_U, u32, i32, 4, A.u32[i] < B.u32[i])
KINT_SG_CMP(I32X4_GT_S, u32, i32, 4, A.i32[i] > B.i32[i])
KINT_SG_CMP(I32X4_GT_U, u32, i32, 4, A.u32[i] > B.u32[i])
KINT_SG_CMP(I32X4_LE_S, u32, i32, 4, A.i32[i] <= B.i32[i])
KINT_SG_CMP(I32X4_LE_U, u32, i32, 4, A.u32[i] <= B.u32[i])
KINT_SG_CMP(I32X4_GE_S, u32, i32, 4, A.i32[i] >= B.i32[i])
KINT_SG_CMP(I32X4_GE_U, u32, i32, 4, A.u32[i] >= B.u32[i])
KINT_SG_CMP(I64X2_EQ, u64, i64, 2, A.u64[i] == B.u64[i])
KINT_SG_CMP(I64X2_NE, u64, i64, 2, A.u64[i] != B.u64[i])
KINT_SG_CMP(I64X2_LT_S, u64, i64, 2, A.i64[i] < B.i64[i])
KINT_SG_CMP(I64X2_GT_S, u64, i64, 2, A.i64[i] > B.i64[i])
KINT_SG_CMP(I64X2_LE_S, u64, i64, 2, A.i64[i] <= B.i64[i])
KINT_SG_CMP(I64X2_GE_S, u64, i64, 2, A.i64[i] >= B.i64[i])
KINT_SG_CMP(F32X4_EQ, u32, f32, 4, A.f32[i] == B.f32[i])
KINT_SG_CMP(F32X4_NE, u32, f32, 4, A.f32[i] != B.f32[i])
KINT_SG_CMP(F32X4_LT, u32, f32, 4, A.f32[i] < B.f32[i])
KINT_SG_CMP(F32X4_GT, u32, f32, 4, A.f32[i] > B.f32[i])
KINT_SG_CMP(F32X4_LE, u32, f32, 4, A.f32[i] <= B.f32[i])
KINT_SG_CMP(F32X4_GE, u32, f32, 4, A.f32[i] >= B.f32[i])
KINT_SG_CMP(F64X2_EQ, u64, f64, 2, A.f64[i] == B.f64[i])
KINT_SG_CMP(F64X2_NE, u64, f64, 2, A.f64[i] != B.f64[i])
KINT_SG_CMP(F64X2_LT, u64, f64, 2, A.f64[i] < B.f64[i])
KINT_SG_CMP(F64X2_GT, u64, f64, 2, A.f64[i] > B.f64[i])
KINT_SG_CMP(F64X2_LE, u64, f64, 2, A.f64[i] <= B.f64[i])
KINT_SG_CMP(F64X2_GE, u64, f64, 2, A.f64[i] >= B.f64[i])

/* ---- bitwise ---- */

KINT_SG_UN(V128_NOT, u64, 2, ~A.u64[i])
KINT_SG_BIN(V128_AND, u64, 2, A.u64[i] & B.u64[i])
KINT_SG_BIN(V128_ANDNOT, u64, 2, A.u64[i] & ~B.u64[i])
KINT_SG_BIN(V128_OR, u64, 2, A.u64[i] | B.u64[i])
KINT_SG_BIN(V128_XOR, u64, 2, A.u64[i] ^ B.u64[i])

static inline kint_v128 KINT_SG(V128_BITSELECT)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b), C = kint_v128_lanes(c), R;
    for (unsigned i = 0; i < 2; i++)
        R.u64[i] = (A.u64[i] & C.u64[i]) | (B.u64[i] & ~C.u64[i]);
    return kint_v128_of_lanes(R);
}

static inline uint32_t KINT_SG(V128_ANY_TRUE)(kint_v128 a)
{
    kint_lanes A = kint_v128_lanes(a);
    return (A.u64[0] | A.u64[1]) != 0;
}

#define KINT_SG_TESTS(ALL_TRUE, BITMASK, T, N, BITS)              \
    static inline uint32_t KINT_SG(ALL_TRUE)(kint_v128 a)         \
    {                                                             \
        kint_lanes A = kint_v128_lanes(a);                        \
        uint32_t r = 1;                                           \
        for (unsigned i = 0; i < (N); i++)                        \
            r &= A.T[i] != 0;                                     \
        return r;                                                 \
    }                                                             \
    static inline uint32_t KINT_SG(BITMASK)(kint_v128 a)          \
    {                                                             \
        kint_lanes A = kint_v128_lanes(a);                        \
        uint32_t r = 0;                                           \
        for (unsigned i = 0; i < (N); i++)                        \
            r |= (uint32_t)(A.T[i] >> ((BITS) - 1)) << i;         \
        return r;                                                 \
    }
KINT_SG_TESTS(I8X16_ALL_TRUE, I8X16_BITMASK, u8, 16, 8)
KINT_SG_TESTS(I16X8_ALL_TRUE, I16X8_BITMASK, u16, 8, 16)
KINT_SG_TESTS(I32X4_ALL_TRUE, I32X4_BITMASK, u32, 4, 32)
KINT_SG_TESTS(I64X2_ALL_TRUE, I64X2_BITMASK, u64, 2, 64)
#undef KINT_SG_TESTS

/* ---- integer lanes ---- */

#define KINT_SG_SHIFTS(SHL, SHR_S, SHR_U, T, N, BITS)                                       \
    static inline kint_v128 KINT_SG(SHL)(kint_v128 a, uint32_t n)                           \
    {                                                                                       \
        n &= (BITS) - 1;                                                                    \
        KINT_SG_MAP1(T, N, (uint64_t)A.T[i] << n);                              \
    }                                                                                       \
    static inline kint_v128 KINT_SG(SHR_S)(kint_v128 a, uint32_t n)                         \
    {                                                                                       \
        n &= (BITS) - 1;                                                                    \
        KINT_SG_MAP1(T, N, kint_sg_sar(A.T[i], (BITS), n));             \
    }                                                                                       \
    static inline kint_v128 KINT_SG(SHR_U)(kint_v128 a, uint32_t n)                         \
    {                                                                                       \
        n &= (BITS) - 1;                                                                    \
        KINT_SG_MAP1(T, N, A.T[i] >> n);                              \
    }
KINT_SG_SHIFTS(I8X16_SHL, I8X16_SHR_S, I8X16_SHR_U, u8, 16, 8)
KINT_SG_SHIFTS(I16X8_SHL, I16X8_SHR_S, I16X8_SHR_U, u16, 8, 16)
KINT_SG_SHIFTS(I32X4_SHL, I32X4_SHR_S, I32X4_SHR_U, u32, 4, 32)
KINT_SG_SHIFTS(I64X2_SHL, I64X2_SHR_S, I64X2_SHR_U, u64, 2, 64)
#undef KINT_SG_SHIFTS

/* add, sub, mul, neg, abs wrap: unsigned arithmetic, truncated. */
#define KINT_SG_WRAP(P, U, S, N)                                                             \
    KINT_SG_BIN(P##_ADD, U, N, (A.U[i] + B.U[i]))                        \
    KINT_SG_BIN(P##_SUB, U, N, (A.U[i] - B.U[i]))                        \
    KINT_SG_UN(P##_NEG, U, N, (0u - A.U[i]))                             \
    KINT_SG_UN(P##_ABS, U, N, (A.S[i] < 0 ? 0u - A.U[i] : A.U[i]))
KINT_SG_WRAP(I8X16, u8, i8, 16)
KINT_SG_WRAP(I16X8, u16, i16, 8)
KINT_SG_WRAP(I32X4, u32, i32, 4)
KINT_SG_WRAP(I64X2, u64, i64, 2)
#undef KINT_SG_WRAP

KINT_SG_BIN(I16X8_MUL, u16, 8, (uint16_t)((uint32_t)A.u16[i] * B.u16[i]))
KINT_SG_BIN(I32X4_MUL, u32, 4, (uint32_t)((uint64_t)A.u32[i] * B.u32[i]))
KINT_SG_BIN(I64X2_MUL, u64, 2, A.u64[i] * B.u64[i])

#define KINT_SG_MINMAX(P, U, S, N)                                         \
    KINT_SG_BIN(P##_MIN_S, S, N, A.S[i] < B.S[i] ? A.S[i] : B.S[i])        \
    KINT_SG_BIN(P##_MIN_U, U, N, A.U[i] < B.U[i] ? A.U[i] : B.U[i])        \
    KINT_SG_BIN(P##_MAX_S, S, N, A.S[i] > B.S[i] ? A.S[i] : B.S[i])        \
    KINT_SG_BIN(P##_MAX_U, U, N, A.U[i] > B.U[i] ? A.U[i] : B.U[i])
KINT_SG_MINMAX(I8X16, u8, i8, 16)
KINT_SG_MINMAX(I16X8, u16, i16, 8)
KINT_SG_MINMAX(I32X4, u32, i32, 4)
#undef KINT_SG_MINMAX

#define KINT_SG_SAT(P, U, S, N, SMIN, SMAX, UMAX)                                                   \
    KINT_SG_BIN(P##_ADD_SAT_S, S, N, kint_sg_clamp((int64_t)A.S[i] + B.S[i], SMIN, SMAX)) \
    KINT_SG_BIN(P##_ADD_SAT_U, U, N, kint_sg_clamp((int64_t)A.U[i] + B.U[i], 0, UMAX))    \
    KINT_SG_BIN(P##_SUB_SAT_S, S, N, kint_sg_clamp((int64_t)A.S[i] - B.S[i], SMIN, SMAX)) \
    KINT_SG_BIN(P##_SUB_SAT_U, U, N, kint_sg_clamp((int64_t)A.U[i] - B.U[i], 0, UMAX))    \
    KINT_SG_BIN(P##_AVGR_U, U, N, (((uint32_t)A.U[i] + B.U[i] + 1u) >> 1))
KINT_SG_SAT(I8X16, u8, i8, 16, INT8_MIN, INT8_MAX, UINT8_MAX)
KINT_SG_SAT(I16X8, u16, i16, 8, INT16_MIN, INT16_MAX, UINT16_MAX)
#undef KINT_SG_SAT

KINT_SG_UN(I8X16_POPCNT, u8, 16, (uint8_t)kint_i32_popcnt(A.u8[i]))

KINT_SG_BIN(I16X8_Q15MULR_SAT_S, i16, 8, (int16_t)kint_sg_clamp(kint_sg_q15(A.i16[i], B.i16[i]), INT16_MIN, INT16_MAX))

/* Narrowing: a's lanes then b's, each saturated to the narrower type. */
#define KINT_SG_NARROW(ID, WS, N, NT, LO, HI)                                         \
    static inline kint_v128 KINT_SG(ID)(kint_v128 a, kint_v128 b)                     \
    {                                                                                 \
        kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b), R;                 \
        for (unsigned i = 0; i < (N); i++) {                                          \
            R.NT[i] = kint_sg_clamp(A.WS[i], LO, HI);            \
            R.NT[i + (N)] = kint_sg_clamp(B.WS[i], LO, HI);      \
        }                                                                             \
        return kint_v128_of_lanes(R);                                                 \
    }
KINT_SG_NARROW(I8X16_NARROW_I16X8_S, i16, 8, i8, INT8_MIN, INT8_MAX)
KINT_SG_NARROW(I8X16_NARROW_I16X8_U, i16, 8, u8, 0, UINT8_MAX)
KINT_SG_NARROW(I16X8_NARROW_I32X4_S, i32, 4, i16, INT16_MIN, INT16_MAX)
KINT_SG_NARROW(I16X8_NARROW_I32X4_U, i32, 4, u16, 0, UINT16_MAX)
#undef KINT_SG_NARROW

/* Widening: WT lanes from the low (FROM 0) or high (FROM N) half's NT lanes. */
#define KINT_SG_EXTEND(ID, WT, N, NT, FROM) KINT_SG_UN(ID, WT, N, A.NT[i + (FROM)])
KINT_SG_EXTEND(I16X8_EXTEND_LOW_I8X16_S, i16, 8, i8, 0)
KINT_SG_EXTEND(I16X8_EXTEND_HIGH_I8X16_S, i16, 8, i8, 8)
KINT_SG_EXTEND(I16X8_EXTEND_LOW_I8X16_U, u16, 8, u8, 0)
KINT_SG_EXTEND(I16X8_EXTEND_HIGH_I8X16_U, u16, 8, u8, 8)
KINT_SG_EXTEND(I32X4_EXTEND_LOW_I16X8_S, i32, 4, i16, 0)
KINT_SG_EXTEND(I32X4_EXTEND_HIGH_I16X8_S, i32, 4, i16, 4)
KINT_SG_EXTEND(I32X4_EXTEND_LOW_I16X8_U, u32, 4, u16, 0)
KINT_SG_EXTEND(I32X4_EXTEND_HIGH_I16X8_U, u32, 4, u16, 4)
KINT_SG_EXTEND(I64X2_EXTEND_LOW_I32X4_S, i64, 2, i32, 0)
KINT_SG_EXTEND(I64X2_EXTEND_HIGH_I32X4_S, i64, 2, i32, 2)
KINT_SG_EXTEND(I64X2_EXTEND_LOW_I32X4_U, u64, 2, u32, 0)
KINT_SG_EXTEND(I64X2_EXTEND_HIGH_I32X4_U, u64, 2, u32, 2)
#undef KINT_SG_EXTEND

/* Extended multiplies: exact products of the narrow lanes (wrapping only
 * for i64x2's signed case, which cannot overflow). */
#define KINT_SG_EXTMUL(ID, WT, N, NT, FROM, CT) \
    KINT_SG_BIN(ID, WT, N, ((CT)A.NT[i + (FROM)] * (CT)B.NT[i + (FROM)]))
KINT_SG_EXTMUL(I16X8_EXTMUL_LOW_I8X16_S, i16, 8, i8, 0, int32_t)
KINT_SG_EXTMUL(I16X8_EXTMUL_HIGH_I8X16_S, i16, 8, i8, 8, int32_t)
KINT_SG_EXTMUL(I16X8_EXTMUL_LOW_I8X16_U, u16, 8, u8, 0, uint32_t)
KINT_SG_EXTMUL(I16X8_EXTMUL_HIGH_I8X16_U, u16, 8, u8, 8, uint32_t)
KINT_SG_EXTMUL(I32X4_EXTMUL_LOW_I16X8_S, i32, 4, i16, 0, int32_t)
KINT_SG_EXTMUL(I32X4_EXTMUL_HIGH_I16X8_S, i32, 4, i16, 4, int32_t)
KINT_SG_EXTMUL(I32X4_EXTMUL_LOW_I16X8_U, u32, 4, u16, 0, uint32_t)
KINT_SG_EXTMUL(I32X4_EXTMUL_HIGH_I16X8_U, u32, 4, u16, 4, uint32_t)
KINT_SG_EXTMUL(I64X2_EXTMUL_LOW_I32X4_S, i64, 2, i32, 0, int64_t)
KINT_SG_EXTMUL(I64X2_EXTMUL_HIGH_I32X4_S, i64, 2, i32, 2, int64_t)
KINT_SG_EXTMUL(I64X2_EXTMUL_LOW_I32X4_U, u64, 2, u32, 0, uint64_t)
KINT_SG_EXTMUL(I64X2_EXTMUL_HIGH_I32X4_U, u64, 2, u32, 2, uint64_t)
#undef KINT_SG_EXTMUL

/* Pairwise sums of adjacent narrow lanes, widened (never overflows). */
KINT_SG_UN(I16X8_EXTADD_PAIRWISE_I8X16_S, i16, 8, (int16_t)(A.i8[2 * i] + A.i8[2 * i + 1]))
KINT_SG_UN(I16X8_EXTADD_PAIRWISE_I8X16_U, u16, 8, (uint16_t)(A.u8[2 * i] + A.u8[2 * i + 1]))
KINT_SG_UN(I32X4_EXTADD_PAIRWISE_I16X8_S, i32, 4, (int32_t)A.i16[2 * i] + A.i16[2 * i + 1])
KINT_SG_UN(I32X4_EXTADD_PAIRWISE_I16X8_U, u32, 4, (uint32_t)A.u16[2 * i] + A.u16[2 * i + 1])

/* The only overflow, -32768 * -32768 * 2, wraps to INT32_MIN. */
KINT_SG_BIN(I32X4_DOT_I16X8_S, u32, 4,
            (uint32_t)((int64_t)A.i16[2 * i] * B.i16[2 * i] + (int64_t)A.i16[2 * i + 1] * B.i16[2 * i + 1]))

/* ---- float lanes ---- */

KINT_SG_UN(F32X4_ABS, u32, 4, A.u32[i] & ~KINT_F32_SIGN)
KINT_SG_UN(F32X4_NEG, u32, 4, A.u32[i] ^ KINT_F32_SIGN)
KINT_SG_UN(F64X2_ABS, u64, 2, A.u64[i] & ~KINT_F64_SIGN)
KINT_SG_UN(F64X2_NEG, u64, 2, A.u64[i] ^ KINT_F64_SIGN)
KINT_SG_UN(F32X4_SQRT, f32, 4, kint_f32_sqrt(A.f32[i]))
KINT_SG_UN(F64X2_SQRT, f64, 2, kint_f64_sqrt(A.f64[i]))
KINT_SG_UN(F32X4_CEIL, f32, 4, kint_f32_ceil(A.f32[i]))
KINT_SG_UN(F32X4_FLOOR, f32, 4, kint_f32_floor(A.f32[i]))
KINT_SG_UN(F32X4_TRUNC, f32, 4, kint_f32_trunc(A.f32[i]))
KINT_SG_UN(F32X4_NEAREST, f32, 4, kint_f32_nearest(A.f32[i]))
KINT_SG_UN(F64X2_CEIL, f64, 2, kint_f64_ceil(A.f64[i]))
KINT_SG_UN(F64X2_FLOOR, f64, 2, kint_f64_floor(A.f64[i]))
KINT_SG_UN(F64X2_TRUNC, f64, 2, kint_f64_trunc(A.f64[i]))
KINT_SG_UN(F64X2_NEAREST, f64, 2, kint_f64_nearest(A.f64[i]))

#define KINT_SG_FARITH(P, T, N, t)                                        \
    KINT_SG_BIN(P##_ADD, T, N, kint_##t##_add(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_SUB, T, N, kint_##t##_sub(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_MUL, T, N, kint_##t##_mul(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_DIV, T, N, kint_##t##_div(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_MIN, T, N, kint_##t##_min(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_MAX, T, N, kint_##t##_max(A.T[i], B.T[i]))            \
    KINT_SG_BIN(P##_PMIN, T, N, B.T[i] < A.T[i] ? B.T[i] : A.T[i])        \
    KINT_SG_BIN(P##_PMAX, T, N, A.T[i] < B.T[i] ? B.T[i] : A.T[i])
KINT_SG_FARITH(F32X4, f32, 4, f32)
KINT_SG_FARITH(F64X2, f64, 2, f64)
#undef KINT_SG_FARITH

/* ---- conversions ---- */

KINT_SG_UN(I32X4_TRUNC_SAT_F32X4_S, u32, 4, kint_i32_trunc_sat_f32_s(A.f32[i]))
KINT_SG_UN(I32X4_TRUNC_SAT_F32X4_U, u32, 4, kint_i32_trunc_sat_f32_u(A.f32[i]))
KINT_SG_UN(F32X4_CONVERT_I32X4_S, f32, 4, kint_f32_convert_i32_s(A.u32[i]))
KINT_SG_UN(F32X4_CONVERT_I32X4_U, f32, 4, kint_f32_convert_i32_u(A.u32[i]))
KINT_SG_UN(F64X2_CONVERT_LOW_I32X4_S, f64, 2, kint_f64_convert_i32_s(A.u32[i]))
KINT_SG_UN(F64X2_CONVERT_LOW_I32X4_U, f64, 2, kint_f64_convert_i32_u(A.u32[i]))
KINT_SG_UN(F64X2_PROMOTE_LOW_F32X4, f64, 2, kint_f64_promote_f32(A.f32[i]))

/* Two f64 lanes to the low two 32-bit lanes; the high two are zero. */
#define KINT_SG_ZERO_HIGH(ID, T, EXPR)                 \
    static inline kint_v128 KINT_SG(ID)(kint_v128 a)   \
    {                                                  \
        kint_lanes A = kint_v128_lanes(a), R = {{0}};  \
        for (unsigned i = 0; i < 2; i++)               \
            R.T[i] = (EXPR);                           \
        return kint_v128_of_lanes(R);                  \
    }
KINT_SG_ZERO_HIGH(F32X4_DEMOTE_F64X2_ZERO, f32, kint_f32_demote_f64(A.f64[i]))
KINT_SG_ZERO_HIGH(I32X4_TRUNC_SAT_F64X2_S_ZERO, u32, kint_i32_trunc_sat_f64_s(A.f64[i]))
KINT_SG_ZERO_HIGH(I32X4_TRUNC_SAT_F64X2_U_ZERO, u32, kint_i32_trunc_sat_f64_u(A.f64[i]))

/* ---- relaxed SIMD: kite's fixed choices (docs/NOTES.md, "Relaxed SIMD") ---- */

/* pshufb: an index with its top bit set gives 0, any other picks lane idx % 16. */
KINT_SG_BIN(I8X16_RELAXED_SWIZZLE, u8, 16, B.u8[i] & 0x80 ? 0 : A.u8[B.u8[i] & 15])

/* cvttps2dq / cvttpd2dq: NaN and out-of-range lanes give INT32_MIN. */
static inline uint32_t kint_sg_cvtt_f64(double x)
{
    return x > -2147483649.0 && x < 2147483648.0 ? (uint32_t)(int32_t)x : 0x80000000u;
}
KINT_SG_UN(I32X4_RELAXED_TRUNC_F32X4_S, u32, 4, kint_sg_cvtt_f64(A.f32[i]))
KINT_SG_ZERO_HIGH(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, u32, kint_sg_cvtt_f64(A.f64[i]))
/* The unsigned forms saturate (NaN -> 0), as trunc_sat. */
KINT_SG_UN(I32X4_RELAXED_TRUNC_F32X4_U, u32, 4, kint_i32_trunc_sat_f32_u(A.f32[i]))
KINT_SG_ZERO_HIGH(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, u32, kint_i32_trunc_sat_f64_u(A.f64[i]))
#undef KINT_SG_ZERO_HIGH

/* Unfused: a * b rounded, then + c (nmadd: c - a * b) rounded. */
#define KINT_SG_MADD(ID, T, N, FT, EXPR)                                              \
    static inline kint_v128 KINT_SG(ID)(kint_v128 a, kint_v128 b, kint_v128 c)    \
    {                                                                             \
        kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b);                \
        kint_lanes C = kint_v128_lanes(c), R;                                     \
        for (unsigned i = 0; i < (N); i++) {                                      \
            FT p = A.T[i] * B.T[i];                               \
            R.T[i] = (EXPR);                                                      \
        }                                                                         \
        return kint_v128_of_lanes(R);                                             \
    }
KINT_SG_MADD(F32X4_RELAXED_MADD, f32, 4, float, p + C.f32[i])
KINT_SG_MADD(F32X4_RELAXED_NMADD, f32, 4, float, C.f32[i] - p)
KINT_SG_MADD(F64X2_RELAXED_MADD, f64, 2, double, p + C.f64[i])
KINT_SG_MADD(F64X2_RELAXED_NMADD, f64, 2, double, C.f64[i] - p)
#undef KINT_SG_MADD

/* Every lane width: bitselect (c's bits pick a, else b). */
static inline kint_v128 KINT_SG(I8X16_RELAXED_LANESELECT)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    return KINT_SG(V128_BITSELECT)(a, b, c);
}
static inline kint_v128 KINT_SG(I16X8_RELAXED_LANESELECT)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    return KINT_SG(V128_BITSELECT)(a, b, c);
}
static inline kint_v128 KINT_SG(I32X4_RELAXED_LANESELECT)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    return KINT_SG(V128_BITSELECT)(a, b, c);
}
static inline kint_v128 KINT_SG(I64X2_RELAXED_LANESELECT)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    return KINT_SG(V128_BITSELECT)(a, b, c);
}

/* minps / maxps: a < b ? a : b (a > b ? a : b), so b, bit for bit, when
 * either is a NaN or both are zeros. */
KINT_SG_BIN(F32X4_RELAXED_MIN, u32, 4, A.f32[i] < B.f32[i] ? A.u32[i] : B.u32[i])
KINT_SG_BIN(F32X4_RELAXED_MAX, u32, 4, A.f32[i] > B.f32[i] ? A.u32[i] : B.u32[i])
KINT_SG_BIN(F64X2_RELAXED_MIN, u64, 2, A.f64[i] < B.f64[i] ? A.u64[i] : B.u64[i])
KINT_SG_BIN(F64X2_RELAXED_MAX, u64, 2, A.f64[i] > B.f64[i] ? A.u64[i] : B.u64[i])

/* pmulhrsw: the Q15 product wraps, so -32768 * -32768 gives -32768. */
KINT_SG_BIN(I16X8_RELAXED_Q15MULR_S, u16, 8, (uint16_t)kint_sg_q15(A.i16[i], B.i16[i]))

/* pmaddubsw(b, a): b's bytes unsigned, a's signed, adjacent products summed
 * with signed saturation to i16. */
static inline int32_t kint_sg_maddubs(kint_lanes A, kint_lanes B, unsigned i)
{
    int32_t s = (int32_t)B.u8[2 * i] * A.i8[2 * i] + (int32_t)B.u8[2 * i + 1] * A.i8[2 * i + 1];
    return (int32_t)kint_sg_clamp(s, INT16_MIN, INT16_MAX);
}
KINT_SG_BIN(I16X8_RELAXED_DOT_I8X16_I7X16_S, i16, 8, (int16_t)kint_sg_maddubs(A, B, i))

/* The i16 pairs above (saturated), summed in pairs to i32, plus c (wrapping). */
static inline kint_v128 KINT_SG(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S)(kint_v128 a, kint_v128 b, kint_v128 c)
{
    kint_lanes A = kint_v128_lanes(a), B = kint_v128_lanes(b), C = kint_v128_lanes(c), R;
    for (unsigned i = 0; i < 4; i++)
        R.u32[i] = C.u32[i] + (uint32_t)(kint_sg_maddubs(A, B, 2 * i) + kint_sg_maddubs(A, B, 2 * i + 1));
    return kint_v128_of_lanes(R);
}

#undef KINT_SG_MAP1
#undef KINT_SG_MAP2
#undef KINT_SG_UN
#undef KINT_SG_BIN
#undef KINT_SG_CMP

#endif
