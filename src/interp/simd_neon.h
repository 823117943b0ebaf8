/*
 * The AArch64 backend of simd.h: Advanced SIMD (always present on
 * AArch64). Most Wasm SIMD instructions are one NEON instruction (Wasm's
 * float min/max, saturating conversions, swizzle and q15mulr_sat are
 * NEON's own semantics); the relaxed instructions are made to give
 * kite's x86-derived choices (docs/NOTES.md), usually with one extra
 * compare and bsl. Lane access at a run-time index and the 64-bit
 * multiply use the per-lane kint_simdg_<ID>.
 */
#ifndef KITE_INTERP_SIMD_NEON_H
#define KITE_INTERP_SIMD_NEON_H

#include <arm_neon.h>

/* kint_v128 is uint8x16_t; views of it. */
#define KN_S8(v) vreinterpretq_s8_u8(v)
#define KN_U16(v) vreinterpretq_u16_u8(v)
#define KN_S16(v) vreinterpretq_s16_u8(v)
#define KN_U32(v) vreinterpretq_u32_u8(v)
#define KN_S32(v) vreinterpretq_s32_u8(v)
#define KN_U64(v) vreinterpretq_u64_u8(v)
#define KN_S64(v) vreinterpretq_s64_u8(v)
#define KN_F32(v) vreinterpretq_f32_u8(v)
#define KN_F64(v) vreinterpretq_f64_u8(v)
#define KN_V(T, x) KN_V_##T(x)
#define KN_V_u8(x) (x)
#define KN_V_s8(x) vreinterpretq_u8_s8(x)
#define KN_V_u16(x) vreinterpretq_u8_u16(x)
#define KN_V_s16(x) vreinterpretq_u8_s16(x)
#define KN_V_u32(x) vreinterpretq_u8_u32(x)
#define KN_V_s32(x) vreinterpretq_u8_s32(x)
#define KN_V_u64(x) vreinterpretq_u8_u64(x)
#define KN_V_s64(x) vreinterpretq_u8_s64(x)
#define KN_V_f32(x) vreinterpretq_u8_f32(x)
#define KN_V_f64(x) vreinterpretq_u8_f64(x)
#define KN_AS(T, v) KN_AS_##T(v)
#define KN_AS_u8(v) (v)
#define KN_AS_s8(v) vreinterpretq_s8_u8(v)
#define KN_AS_u16(v) vreinterpretq_u16_u8(v)
#define KN_AS_s16(v) vreinterpretq_s16_u8(v)
#define KN_AS_u32(v) vreinterpretq_u32_u8(v)
#define KN_AS_s32(v) vreinterpretq_s32_u8(v)
#define KN_AS_u64(v) vreinterpretq_u64_u8(v)
#define KN_AS_s64(v) vreinterpretq_s64_u8(v)

#define KN_UN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a) { return (EXPR); }
#define KN_BIN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a, kint_v128 b) { return (EXPR); }
#define KN_TERN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a, kint_v128 b, kint_v128 c) { return (EXPR); }

/* ---- memory ---- */

static inline kint_v128 kint_simd_V128_LOAD(const void *p) { return vld1q_u8((const uint8_t *)p); }
static inline void kint_simd_V128_STORE(void *p, kint_v128 v) { vst1q_u8((uint8_t *)p, v); }
static inline kint_v128 kint_simd_V128_LOAD8X8_S(const void *p) { return KN_V(s16, vmovl_s8(vld1_s8((const int8_t *)p))); }
static inline kint_v128 kint_simd_V128_LOAD8X8_U(const void *p) { return KN_V(u16, vmovl_u8(vld1_u8((const uint8_t *)p))); }
static inline kint_v128 kint_simd_V128_LOAD16X4_S(const void *p)
{
    return KN_V(s32, vmovl_s16(vreinterpret_s16_u8(vld1_u8((const uint8_t *)p))));
}
static inline kint_v128 kint_simd_V128_LOAD16X4_U(const void *p)
{
    return KN_V(u32, vmovl_u16(vreinterpret_u16_u8(vld1_u8((const uint8_t *)p))));
}
static inline kint_v128 kint_simd_V128_LOAD32X2_S(const void *p)
{
    return KN_V(s64, vmovl_s32(vreinterpret_s32_u8(vld1_u8((const uint8_t *)p))));
}
static inline kint_v128 kint_simd_V128_LOAD32X2_U(const void *p)
{
    return KN_V(u64, vmovl_u32(vreinterpret_u32_u8(vld1_u8((const uint8_t *)p))));
}
static inline kint_v128 kint_simd_V128_LOAD8_SPLAT(const void *p) { return vld1q_dup_u8((const uint8_t *)p); }
static inline kint_v128 kint_simd_V128_LOAD16_SPLAT(const void *p)
{
    uint16_t x;
    memcpy(&x, p, sizeof x);
    return KN_V(u16, vdupq_n_u16(x));
}
static inline kint_v128 kint_simd_V128_LOAD32_SPLAT(const void *p)
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
    return KN_V(u32, vdupq_n_u32(x));
}
static inline kint_v128 kint_simd_V128_LOAD64_SPLAT(const void *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return KN_V(u64, vdupq_n_u64(x));
}
static inline kint_v128 kint_simd_V128_LOAD32_ZERO(const void *p)
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
    return KN_V(u32, vsetq_lane_u32(x, vdupq_n_u32(0), 0));
}
static inline kint_v128 kint_simd_V128_LOAD64_ZERO(const void *p)
{
    return vcombine_u8(vld1_u8((const uint8_t *)p), vdup_n_u8(0));
}

#define KN_LANE_MEM(LOAD, STORE)                                                          \
    static inline kint_v128 kint_simd_##LOAD(const void *p, kint_v128 v, unsigned lane)   \
    {                                                                                     \
        return kint_simdg_##LOAD(p, v, lane);                                             \
    }                                                                                     \
    static inline void kint_simd_##STORE(void *p, kint_v128 v, unsigned lane)             \
    {                                                                                     \
        kint_simdg_##STORE(p, v, lane);                                                   \
    }
KN_LANE_MEM(V128_LOAD8_LANE, V128_STORE8_LANE)
KN_LANE_MEM(V128_LOAD16_LANE, V128_STORE16_LANE)
KN_LANE_MEM(V128_LOAD32_LANE, V128_STORE32_LANE)
KN_LANE_MEM(V128_LOAD64_LANE, V128_STORE64_LANE)
#undef KN_LANE_MEM

/* ---- constant, shuffles, splats, lanes ---- */

static inline kint_v128 kint_simd_V128_CONST(const uint8_t *bytes) { return vld1q_u8(bytes); }
static inline kint_v128 kint_simd_I8X16_SHUFFLE(kint_v128 a, kint_v128 b, const uint8_t *mask)
{
    uint8x16x2_t t = {{a, b}};
    return vqtbl2q_u8(t, vld1q_u8(mask));
}
/* tbl gives 0 for indices out of range: swizzle exactly. */
KN_BIN(I8X16_SWIZZLE, vqtbl1q_u8(a, b))
/* kite's relaxed_swizzle is pshufb: keep the top bit (-> 0) and the low nibble. */
KN_BIN(I8X16_RELAXED_SWIZZLE, vqtbl1q_u8(a, vandq_u8(b, vdupq_n_u8(0x8F))))

static inline kint_v128 kint_simd_I8X16_SPLAT(uint32_t x) { return vdupq_n_u8((uint8_t)x); }
static inline kint_v128 kint_simd_I16X8_SPLAT(uint32_t x) { return KN_V(u16, vdupq_n_u16((uint16_t)x)); }
static inline kint_v128 kint_simd_I32X4_SPLAT(uint32_t x) { return KN_V(u32, vdupq_n_u32(x)); }
static inline kint_v128 kint_simd_I64X2_SPLAT(uint64_t x) { return KN_V(u64, vdupq_n_u64(x)); }
static inline kint_v128 kint_simd_F32X4_SPLAT(uint32_t x) { return KN_V(u32, vdupq_n_u32(x)); }
static inline kint_v128 kint_simd_F64X2_SPLAT(uint64_t x) { return KN_V(u64, vdupq_n_u64(x)); }

#define KN_LANE(EXTRACT, REPLACE, S)                                                \
    static inline S kint_simd_##EXTRACT(kint_v128 v, unsigned lane)                 \
    {                                                                               \
        return kint_simdg_##EXTRACT(v, lane);                                       \
    }                                                                               \
    static inline kint_v128 kint_simd_##REPLACE(kint_v128 v, unsigned lane, S x)    \
    {                                                                               \
        return kint_simdg_##REPLACE(v, lane, x);                                    \
    }
KN_LANE(I8X16_EXTRACT_LANE_U, I8X16_REPLACE_LANE, uint32_t)
KN_LANE(I16X8_EXTRACT_LANE_U, I16X8_REPLACE_LANE, uint32_t)
KN_LANE(I32X4_EXTRACT_LANE, I32X4_REPLACE_LANE, uint32_t)
KN_LANE(I64X2_EXTRACT_LANE, I64X2_REPLACE_LANE, uint64_t)
KN_LANE(F32X4_EXTRACT_LANE, F32X4_REPLACE_LANE, uint32_t)
KN_LANE(F64X2_EXTRACT_LANE, F64X2_REPLACE_LANE, uint64_t)
#undef KN_LANE
static inline uint32_t kint_simd_I8X16_EXTRACT_LANE_S(kint_v128 v, unsigned lane)
{
    return kint_simdg_I8X16_EXTRACT_LANE_S(v, lane);
}
static inline uint32_t kint_simd_I16X8_EXTRACT_LANE_S(kint_v128 v, unsigned lane)
{
    return kint_simdg_I16X8_EXTRACT_LANE_S(v, lane);
}

/* ---- comparisons ---- */

#define KN_CMP(P, VIEW, T, U)                                                   \
    KN_BIN(P##_EQ, KN_V(U, vceqq_##T(VIEW(a), VIEW(b))))                        \
    KN_BIN(P##_NE, vmvnq_u8(KN_V(U, vceqq_##T(VIEW(a), VIEW(b)))))
#define KN_ORDER(P, S, VIEW, T, U)                                              \
    KN_BIN(P##_LT##S, KN_V(U, vcltq_##T(VIEW(a), VIEW(b))))                     \
    KN_BIN(P##_GT##S, KN_V(U, vcgtq_##T(VIEW(a), VIEW(b))))                     \
    KN_BIN(P##_LE##S, KN_V(U, vcleq_##T(VIEW(a), VIEW(b))))                     \
    KN_BIN(P##_GE##S, KN_V(U, vcgeq_##T(VIEW(a), VIEW(b))))
#define KN_ID8(v) (v)
KN_BIN(I8X16_EQ, vceqq_u8(a, b))
KN_BIN(I8X16_NE, vmvnq_u8(vceqq_u8(a, b)))
KN_ORDER(I8X16, _S, KN_S8, s8, u8)
KN_ORDER(I8X16, _U, KN_ID8, u8, u8)
KN_CMP(I16X8, KN_U16, u16, u16)
KN_ORDER(I16X8, _S, KN_S16, s16, u16)
KN_ORDER(I16X8, _U, KN_U16, u16, u16)
KN_CMP(I32X4, KN_U32, u32, u32)
KN_ORDER(I32X4, _S, KN_S32, s32, u32)
KN_ORDER(I32X4, _U, KN_U32, u32, u32)
KN_CMP(I64X2, KN_U64, u64, u64)
KN_ORDER(I64X2, _S, KN_S64, s64, u64)
KN_CMP(F32X4, KN_F32, f32, u32)
KN_ORDER(F32X4, , KN_F32, f32, u32)
KN_CMP(F64X2, KN_F64, f64, u64)
KN_ORDER(F64X2, , KN_F64, f64, u64)
#undef KN_CMP
#undef KN_ORDER
#undef KN_ID8

/* ---- bitwise and tests ---- */

KN_UN(V128_NOT, vmvnq_u8(a))
KN_BIN(V128_AND, vandq_u8(a, b))
KN_BIN(V128_ANDNOT, vbicq_u8(a, b))
KN_BIN(V128_OR, vorrq_u8(a, b))
KN_BIN(V128_XOR, veorq_u8(a, b))
KN_TERN(V128_BITSELECT, vbslq_u8(c, a, b))
/* relaxed_laneselect: bitselect at every lane width (kite's choice) */
KN_TERN(I8X16_RELAXED_LANESELECT, vbslq_u8(c, a, b))
KN_TERN(I16X8_RELAXED_LANESELECT, vbslq_u8(c, a, b))
KN_TERN(I32X4_RELAXED_LANESELECT, vbslq_u8(c, a, b))
KN_TERN(I64X2_RELAXED_LANESELECT, vbslq_u8(c, a, b))

static inline uint32_t kint_simd_V128_ANY_TRUE(kint_v128 a) { return vmaxvq_u32(KN_U32(a)) != 0; }
static inline uint32_t kint_simd_I8X16_ALL_TRUE(kint_v128 a) { return vminvq_u8(a) != 0; }
static inline uint32_t kint_simd_I16X8_ALL_TRUE(kint_v128 a) { return vminvq_u16(KN_U16(a)) != 0; }
static inline uint32_t kint_simd_I32X4_ALL_TRUE(kint_v128 a) { return vminvq_u32(KN_U32(a)) != 0; }
static inline uint32_t kint_simd_I64X2_ALL_TRUE(kint_v128 a)
{
    return vmaxvq_u32(vreinterpretq_u32_u64(vceqzq_u64(KN_U64(a)))) == 0;
}
/* Each lane's top bit moved to its position, then summed across. */
static inline uint32_t kint_simd_I8X16_BITMASK(kint_v128 a)
{
    static const int8_t pos[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
    uint8x16_t m = vshlq_u8(vshrq_n_u8(a, 7), vld1q_s8(pos));
    return vaddv_u8(vget_low_u8(m)) | (uint32_t)vaddv_u8(vget_high_u8(m)) << 8;
}
static inline uint32_t kint_simd_I16X8_BITMASK(kint_v128 a)
{
    static const int16_t pos[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    return vaddvq_u16(vshlq_u16(vshrq_n_u16(KN_U16(a), 15), vld1q_s16(pos)));
}
static inline uint32_t kint_simd_I32X4_BITMASK(kint_v128 a)
{
    static const int32_t pos[4] = {0, 1, 2, 3};
    return vaddvq_u32(vshlq_u32(vshrq_n_u32(KN_U32(a), 31), vld1q_s32(pos)));
}
static inline uint32_t kint_simd_I64X2_BITMASK(kint_v128 a)
{
    uint64x2_t m = vshrq_n_u64(KN_U64(a), 63);
    return (uint32_t)(vgetq_lane_u64(m, 0) | vgetq_lane_u64(m, 1) << 1);
}

/* ---- shifts: NEON shifts left by a signed per-lane count (negative: right) ---- */

#define KN_SHIFTS(P, BITS, S, U, NT)                                                              \
    static inline kint_v128 kint_simd_##P##_SHL(kint_v128 a, uint32_t n)                          \
    {                                                                                             \
        return KN_V(U, vshlq_##U(KN_AS(U, a), vdupq_n_##S((NT)(n & (BITS - 1))))); \
    }                                                                                             \
    static inline kint_v128 kint_simd_##P##_SHR_U(kint_v128 a, uint32_t n)                        \
    {                                                                                             \
        return KN_V(U, vshlq_##U(KN_AS(U, a), vdupq_n_##S(-(NT)(n & (BITS - 1))))); \
    }                                                                                             \
    static inline kint_v128 kint_simd_##P##_SHR_S(kint_v128 a, uint32_t n)                        \
    {                                                                                             \
        return KN_V(S, vshlq_##S(KN_AS(S, a), vdupq_n_##S(-(NT)(n & (BITS - 1))))); \
    }
KN_SHIFTS(I8X16, 8, s8, u8, int8_t)
KN_SHIFTS(I16X8, 16, s16, u16, int16_t)
KN_SHIFTS(I32X4, 32, s32, u32, int32_t)
KN_SHIFTS(I64X2, 64, s64, u64, int64_t)
#undef KN_SHIFTS

/* ---- integer arithmetic ---- */

#define KN_WRAP(P, VIEW, S, U)                                              \
    KN_BIN(P##_ADD, KN_V(U, vaddq_##U(VIEW(a), VIEW(b))))                   \
    KN_BIN(P##_SUB, KN_V(U, vsubq_##U(VIEW(a), VIEW(b))))                   \
    KN_UN(P##_NEG, KN_V(S, vnegq_##S(KN_AS(S, a))))          \
    KN_UN(P##_ABS, KN_V(S, vabsq_##S(KN_AS(S, a))))
#define KN_U8V(v) (v)
KN_BIN(I8X16_ADD, vaddq_u8(a, b))
KN_BIN(I8X16_SUB, vsubq_u8(a, b))
KN_UN(I8X16_NEG, KN_V(s8, vnegq_s8(KN_S8(a))))
KN_UN(I8X16_ABS, KN_V(s8, vabsq_s8(KN_S8(a))))
KN_WRAP(I16X8, KN_U16, s16, u16)
KN_WRAP(I32X4, KN_U32, s32, u32)
KN_WRAP(I64X2, KN_U64, s64, u64)
#undef KN_WRAP
#undef KN_U8V
KN_BIN(I16X8_MUL, KN_V(u16, vmulq_u16(KN_U16(a), KN_U16(b))))
KN_BIN(I32X4_MUL, KN_V(u32, vmulq_u32(KN_U32(a), KN_U32(b))))
KN_BIN(I64X2_MUL, kint_simdg_I64X2_MUL(a, b))

KN_BIN(I8X16_ADD_SAT_S, KN_V(s8, vqaddq_s8(KN_S8(a), KN_S8(b))))
KN_BIN(I8X16_ADD_SAT_U, vqaddq_u8(a, b))
KN_BIN(I8X16_SUB_SAT_S, KN_V(s8, vqsubq_s8(KN_S8(a), KN_S8(b))))
KN_BIN(I8X16_SUB_SAT_U, vqsubq_u8(a, b))
KN_BIN(I16X8_ADD_SAT_S, KN_V(s16, vqaddq_s16(KN_S16(a), KN_S16(b))))
KN_BIN(I16X8_ADD_SAT_U, KN_V(u16, vqaddq_u16(KN_U16(a), KN_U16(b))))
KN_BIN(I16X8_SUB_SAT_S, KN_V(s16, vqsubq_s16(KN_S16(a), KN_S16(b))))
KN_BIN(I16X8_SUB_SAT_U, KN_V(u16, vqsubq_u16(KN_U16(a), KN_U16(b))))
KN_BIN(I8X16_AVGR_U, vrhaddq_u8(a, b))
KN_BIN(I16X8_AVGR_U, KN_V(u16, vrhaddq_u16(KN_U16(a), KN_U16(b))))

KN_BIN(I8X16_MIN_S, KN_V(s8, vminq_s8(KN_S8(a), KN_S8(b))))
KN_BIN(I8X16_MIN_U, vminq_u8(a, b))
KN_BIN(I8X16_MAX_S, KN_V(s8, vmaxq_s8(KN_S8(a), KN_S8(b))))
KN_BIN(I8X16_MAX_U, vmaxq_u8(a, b))
KN_BIN(I16X8_MIN_S, KN_V(s16, vminq_s16(KN_S16(a), KN_S16(b))))
KN_BIN(I16X8_MIN_U, KN_V(u16, vminq_u16(KN_U16(a), KN_U16(b))))
KN_BIN(I16X8_MAX_S, KN_V(s16, vmaxq_s16(KN_S16(a), KN_S16(b))))
KN_BIN(I16X8_MAX_U, KN_V(u16, vmaxq_u16(KN_U16(a), KN_U16(b))))
KN_BIN(I32X4_MIN_S, KN_V(s32, vminq_s32(KN_S32(a), KN_S32(b))))
KN_BIN(I32X4_MIN_U, KN_V(u32, vminq_u32(KN_U32(a), KN_U32(b))))
KN_BIN(I32X4_MAX_S, KN_V(s32, vmaxq_s32(KN_S32(a), KN_S32(b))))
KN_BIN(I32X4_MAX_U, KN_V(u32, vmaxq_u32(KN_U32(a), KN_U32(b))))

KN_UN(I8X16_POPCNT, vcntq_u8(a))
/* sqrdmulh is exactly q15mulr_sat_s; kite's relaxed form wraps
 * -32768 * -32768 to -32768 (pmulhrsw). */
KN_BIN(I16X8_Q15MULR_SAT_S, KN_V(s16, vqrdmulhq_s16(KN_S16(a), KN_S16(b))))
KN_BIN(I16X8_RELAXED_Q15MULR_S,
       veorq_u8(KN_V(s16, vqrdmulhq_s16(KN_S16(a), KN_S16(b))),
                KN_V(u16, vandq_u16(vceqq_u16(KN_U16(a), vdupq_n_u16(0x8000)),
                                    vceqq_u16(KN_U16(b), vdupq_n_u16(0x8000))))))

KN_BIN(I8X16_NARROW_I16X8_S, KN_V(s8, vcombine_s8(vqmovn_s16(KN_S16(a)), vqmovn_s16(KN_S16(b)))))
KN_BIN(I8X16_NARROW_I16X8_U, vcombine_u8(vqmovun_s16(KN_S16(a)), vqmovun_s16(KN_S16(b))))
KN_BIN(I16X8_NARROW_I32X4_S, KN_V(s16, vcombine_s16(vqmovn_s32(KN_S32(a)), vqmovn_s32(KN_S32(b)))))
KN_BIN(I16X8_NARROW_I32X4_U, KN_V(u16, vcombine_u16(vqmovun_s32(KN_S32(a)), vqmovun_s32(KN_S32(b)))))

KN_UN(I16X8_EXTEND_LOW_I8X16_S, KN_V(s16, vmovl_s8(vget_low_s8(KN_S8(a)))))
KN_UN(I16X8_EXTEND_HIGH_I8X16_S, KN_V(s16, vmovl_high_s8(KN_S8(a))))
KN_UN(I16X8_EXTEND_LOW_I8X16_U, KN_V(u16, vmovl_u8(vget_low_u8(a))))
KN_UN(I16X8_EXTEND_HIGH_I8X16_U, KN_V(u16, vmovl_high_u8(a)))
KN_UN(I32X4_EXTEND_LOW_I16X8_S, KN_V(s32, vmovl_s16(vget_low_s16(KN_S16(a)))))
KN_UN(I32X4_EXTEND_HIGH_I16X8_S, KN_V(s32, vmovl_high_s16(KN_S16(a))))
KN_UN(I32X4_EXTEND_LOW_I16X8_U, KN_V(u32, vmovl_u16(vget_low_u16(KN_U16(a)))))
KN_UN(I32X4_EXTEND_HIGH_I16X8_U, KN_V(u32, vmovl_high_u16(KN_U16(a))))
KN_UN(I64X2_EXTEND_LOW_I32X4_S, KN_V(s64, vmovl_s32(vget_low_s32(KN_S32(a)))))
KN_UN(I64X2_EXTEND_HIGH_I32X4_S, KN_V(s64, vmovl_high_s32(KN_S32(a))))
KN_UN(I64X2_EXTEND_LOW_I32X4_U, KN_V(u64, vmovl_u32(vget_low_u32(KN_U32(a)))))
KN_UN(I64X2_EXTEND_HIGH_I32X4_U, KN_V(u64, vmovl_high_u32(KN_U32(a))))

#define KN_EXTMUL(P, N, VIEW, T, W)                                                                \
    KN_BIN(P##_EXTMUL_LOW_##N, KN_V(W, vmull_##T(vget_low_##T(VIEW(a)), vget_low_##T(VIEW(b)))))    \
    KN_BIN(P##_EXTMUL_HIGH_##N, KN_V(W, vmull_high_##T(VIEW(a), VIEW(b))))
#define KN_SELF(v) (v)
KN_EXTMUL(I16X8, I8X16_S, KN_S8, s8, s16)
KN_EXTMUL(I16X8, I8X16_U, KN_SELF, u8, u16)
KN_EXTMUL(I32X4, I16X8_S, KN_S16, s16, s32)
KN_EXTMUL(I32X4, I16X8_U, KN_U16, u16, u32)
KN_EXTMUL(I64X2, I32X4_S, KN_S32, s32, s64)
KN_EXTMUL(I64X2, I32X4_U, KN_U32, u32, u64)
#undef KN_EXTMUL
#undef KN_SELF

KN_UN(I16X8_EXTADD_PAIRWISE_I8X16_S, KN_V(s16, vpaddlq_s8(KN_S8(a))))
KN_UN(I16X8_EXTADD_PAIRWISE_I8X16_U, KN_V(u16, vpaddlq_u8(a)))
KN_UN(I32X4_EXTADD_PAIRWISE_I16X8_S, KN_V(s32, vpaddlq_s16(KN_S16(a))))
KN_UN(I32X4_EXTADD_PAIRWISE_I16X8_U, KN_V(u32, vpaddlq_u16(KN_U16(a))))
KN_BIN(I32X4_DOT_I16X8_S, KN_V(s32, vpaddq_s32(vmull_s16(vget_low_s16(KN_S16(a)), vget_low_s16(KN_S16(b))),
                                               vmull_high_s16(KN_S16(a), KN_S16(b)))))

/* kite's relaxed dot is pmaddubsw(b, a): b unsigned, a signed, adjacent
 * products summed with i16 saturation. */
static inline int16x8_t kn_maddubs(kint_v128 a, kint_v128 b)
{
    int16x8_t lo = vmulq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(b))), vmovl_s8(vget_low_s8(KN_S8(a))));
    int16x8_t hi = vmulq_s16(vreinterpretq_s16_u16(vmovl_high_u8(b)), vmovl_high_s8(KN_S8(a)));
    return vqaddq_s16(vuzp1q_s16(lo, hi), vuzp2q_s16(lo, hi));
}
KN_BIN(I16X8_RELAXED_DOT_I8X16_I7X16_S, KN_V(s16, kn_maddubs(a, b)))
KN_TERN(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, KN_V(s32, vpadalq_s16(KN_S32(c), kn_maddubs(a, b))))

/* ---- float arithmetic ---- */

/* Compare masks as bytes. */
#define KN_M32(x) vreinterpretq_u8_u32(x)
#define KN_M64(x) vreinterpretq_u8_u64(x)
#define KN_FLOAT(P, T, VIEW, M)                                                             \
    KN_UN(P##_ABS, KN_V(T, vabsq_##T(VIEW(a))))                                             \
    KN_UN(P##_NEG, KN_V(T, vnegq_##T(VIEW(a))))                                             \
    KN_UN(P##_SQRT, KN_V(T, vsqrtq_##T(VIEW(a))))                                           \
    KN_UN(P##_CEIL, KN_V(T, vrndpq_##T(VIEW(a))))                                           \
    KN_UN(P##_FLOOR, KN_V(T, vrndmq_##T(VIEW(a))))                                          \
    KN_UN(P##_TRUNC, KN_V(T, vrndq_##T(VIEW(a))))                                           \
    KN_UN(P##_NEAREST, KN_V(T, vrndnq_##T(VIEW(a))))                                        \
    KN_BIN(P##_ADD, KN_V(T, vaddq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_SUB, KN_V(T, vsubq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_MUL, KN_V(T, vmulq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_DIV, KN_V(T, vdivq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_MIN, KN_V(T, vminq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_MAX, KN_V(T, vmaxq_##T(VIEW(a), VIEW(b))))                                   \
    KN_BIN(P##_PMIN, vbslq_u8(M(vcltq_##T(VIEW(b), VIEW(a))), b, a))                        \
    KN_BIN(P##_PMAX, vbslq_u8(M(vcltq_##T(VIEW(a), VIEW(b))), b, a))                        \
    KN_BIN(P##_RELAXED_MIN, vbslq_u8(M(vcltq_##T(VIEW(a), VIEW(b))), a, b))                 \
    KN_BIN(P##_RELAXED_MAX, vbslq_u8(M(vcgtq_##T(VIEW(a), VIEW(b))), a, b))                 \
    KN_TERN(P##_RELAXED_MADD, KN_V(T, vaddq_##T(vmulq_##T(VIEW(a), VIEW(b)), VIEW(c))))     \
    KN_TERN(P##_RELAXED_NMADD, KN_V(T, vsubq_##T(VIEW(c), vmulq_##T(VIEW(a), VIEW(b)))))
KN_FLOAT(F32X4, f32, KN_F32, KN_M32)
KN_FLOAT(F64X2, f64, KN_F64, KN_M64)
#undef KN_FLOAT

/* ---- conversions (fcvtzs/fcvtzu saturate and give 0 for NaN: trunc_sat) ---- */

KN_UN(I32X4_TRUNC_SAT_F32X4_S, KN_V(s32, vcvtq_s32_f32(KN_F32(a))))
KN_UN(I32X4_TRUNC_SAT_F32X4_U, KN_V(u32, vcvtq_u32_f32(KN_F32(a))))
KN_UN(I32X4_RELAXED_TRUNC_F32X4_U, KN_V(u32, vcvtq_u32_f32(KN_F32(a))))
KN_UN(I32X4_TRUNC_SAT_F64X2_S_ZERO, KN_V(s32, vcombine_s32(vqmovn_s64(vcvtq_s64_f64(KN_F64(a))), vdup_n_s32(0))))
KN_UN(I32X4_TRUNC_SAT_F64X2_U_ZERO, KN_V(u32, vcombine_u32(vqmovn_u64(vcvtq_u64_f64(KN_F64(a))), vdup_n_u32(0))))
KN_UN(I32X4_RELAXED_TRUNC_F64X2_U_ZERO,
      KN_V(u32, vcombine_u32(vqmovn_u64(vcvtq_u64_f64(KN_F64(a))), vdup_n_u32(0))))
/* kite's relaxed_trunc_s is cvttps2dq: INT32_MIN for NaN and out of range. */
static inline kint_v128 kint_simd_I32X4_RELAXED_TRUNC_F32X4_S(kint_v128 a)
{
    float32x4_t x = KN_F32(a);
    uint32x4_t ok = vandq_u32(vcgeq_f32(x, vdupq_n_f32(-0x1p31f)), vcltq_f32(x, vdupq_n_f32(0x1p31f)));
    return KN_V(s32, vbslq_s32(ok, vcvtq_s32_f32(x), vdupq_n_s32(INT32_MIN)));
}
static inline kint_v128 kint_simd_I32X4_RELAXED_TRUNC_F64X2_S_ZERO(kint_v128 a)
{
    float64x2_t x = KN_F64(a);
    uint64x2_t ok = vandq_u64(vcgtq_f64(x, vdupq_n_f64(-2147483649.0)), vcltq_f64(x, vdupq_n_f64(2147483648.0)));
    int32x2_t r = vbsl_s32(vmovn_u64(ok), vqmovn_s64(vcvtq_s64_f64(x)), vdup_n_s32(INT32_MIN));
    return KN_V(s32, vcombine_s32(r, vdup_n_s32(0)));
}
KN_UN(F32X4_CONVERT_I32X4_S, KN_V(f32, vcvtq_f32_s32(KN_S32(a))))
KN_UN(F32X4_CONVERT_I32X4_U, KN_V(f32, vcvtq_f32_u32(KN_U32(a))))
KN_UN(F64X2_CONVERT_LOW_I32X4_S, KN_V(f64, vcvtq_f64_s64(vmovl_s32(vget_low_s32(KN_S32(a))))))
KN_UN(F64X2_CONVERT_LOW_I32X4_U, KN_V(f64, vcvtq_f64_u64(vmovl_u32(vget_low_u32(KN_U32(a))))))
KN_UN(F32X4_DEMOTE_F64X2_ZERO, KN_V(f32, vcombine_f32(vcvt_f32_f64(KN_F64(a)), vdup_n_f32(0.0f))))
KN_UN(F64X2_PROMOTE_LOW_F32X4, KN_V(f64, vcvt_f64_f32(vget_low_f32(KN_F32(a)))))

#undef KN_M32
#undef KN_M64
#undef KN_UN
#undef KN_BIN
#undef KN_TERN

#endif
