/*
 * The x86 backend of simd.h: SSE2 (the x86-64 baseline) everywhere, with
 * SSSE3 (pshufb, pabs, pmulhrsw, pmaddubsw), SSE4.1 (pmin/pmax of every
 * width, pmovsx/zx, roundps, pmulld, ptest) and SSE4.2 (pcmpgtq) used when
 * the compiler targets them; with AVX/AVX2 the same intrinsics get the VEX
 * encodings (three operands, fewer moves). Each kint_simd_<ID> is a few
 * instructions; lane access by a run-time index and lane loads and stores
 * use the per-lane kint_simdg_<ID> (through memory, which is where the
 * lanes are anyway).
 *
 * The float min/max sequences are V8's: minps/maxps in both operand
 * orders, merged so that -0 < +0 and NaNs propagate, and NaN lanes made
 * canonical (0xFFC00000 / 0xFFF8000000000000).
 */
#ifndef KITE_INTERP_SIMD_X86_H
#define KITE_INTERP_SIMD_X86_H

#include <emmintrin.h>
#include <smmintrin.h>
#include <tmmintrin.h>
#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

/*
 * Below SSSE3 / SSE4.1 (the x86-64 baseline build), the instructions with
 * no short SSE2 form (shuffles, swizzles, rounding, the relaxed dots,
 * signed i64 extmul) call an SSSE3 / SSE4.1 version of themselves when the
 * CPU has it (__builtin_cpu_supports: a load and a test; every x86-64 CPU
 * since 2008 passes), else the per-lane code. Built for SSSE3 / SSE4.1 or
 * later, the test folds away and the versions inline.
 */
#if defined(__SSSE3__)
#define KX_SSSE3_FN static inline
#define KX_HAVE_SSSE3() 1
#else
#define KX_SSSE3_FN static __attribute__((target("ssse3"), noinline, unused))
#define KX_HAVE_SSSE3() __builtin_cpu_supports("ssse3")
#endif
#if defined(__SSE4_1__)
#define KX_SSE41_FN static inline
#define KX_HAVE_SSE41() 1
#else
#define KX_SSE41_FN static __attribute__((target("sse4.1"), noinline, unused))
#define KX_HAVE_SSE41() __builtin_cpu_supports("sse4.1")
#endif

#define KX_PS(v) _mm_castsi128_ps(v)
#define KX_PD(v) _mm_castsi128_pd(v)
#define KX_IS(v) _mm_castps_si128(v)
#define KX_ID(v) _mm_castpd_si128(v)

#define KX_UN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a) { return (EXPR); }
#define KX_BIN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a, kint_v128 b) { return (EXPR); }
#define KX_TERN(ID, EXPR) \
    static inline kint_v128 kint_simd_##ID(kint_v128 a, kint_v128 b, kint_v128 c) { return (EXPR); }

static inline __m128i kx_ones(void) { return _mm_set1_epi32(-1); }
static inline __m128i kx_not(__m128i a) { return _mm_xor_si128(a, kx_ones()); }
/* Each 64-bit lane's sign bit copied over the lane. */
static inline __m128i kx_sign64(__m128i a) { return _mm_srai_epi32(_mm_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 1, 1)), 31); }
static inline __m128i kx_select(__m128i mask, __m128i a, __m128i b)
{
    return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}

/* ---- memory ---- */

static inline kint_v128 kint_simd_V128_LOAD(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void kint_simd_V128_STORE(void *p, kint_v128 v) { _mm_storeu_si128((__m128i *)p, v); }
static inline __m128i kx_load64(const void *p) { return _mm_loadl_epi64((const __m128i *)p); }

static inline __m128i kx_ext8_s_lo(__m128i x)
{
#if defined(__SSE4_1__)
    return _mm_cvtepi8_epi16(x);
#else
    return _mm_srai_epi16(_mm_unpacklo_epi8(x, x), 8);
#endif
}
static inline __m128i kx_ext16_s_lo(__m128i x)
{
#if defined(__SSE4_1__)
    return _mm_cvtepi16_epi32(x);
#else
    return _mm_srai_epi32(_mm_unpacklo_epi16(x, x), 16);
#endif
}
static inline __m128i kx_ext32_s_lo(__m128i x)
{
#if defined(__SSE4_1__)
    return _mm_cvtepi32_epi64(x);
#else
    return _mm_unpacklo_epi32(x, _mm_srai_epi32(x, 31));
#endif
}
static inline __m128i kx_ext8_u_lo(__m128i x) { return _mm_unpacklo_epi8(x, _mm_setzero_si128()); }
static inline __m128i kx_ext16_u_lo(__m128i x) { return _mm_unpacklo_epi16(x, _mm_setzero_si128()); }
static inline __m128i kx_ext32_u_lo(__m128i x) { return _mm_unpacklo_epi32(x, _mm_setzero_si128()); }
static inline __m128i kx_hi(__m128i x) { return _mm_unpackhi_epi64(x, x); }

static inline kint_v128 kint_simd_V128_LOAD8X8_S(const void *p) { return kx_ext8_s_lo(kx_load64(p)); }
static inline kint_v128 kint_simd_V128_LOAD8X8_U(const void *p) { return kx_ext8_u_lo(kx_load64(p)); }
static inline kint_v128 kint_simd_V128_LOAD16X4_S(const void *p) { return kx_ext16_s_lo(kx_load64(p)); }
static inline kint_v128 kint_simd_V128_LOAD16X4_U(const void *p) { return kx_ext16_u_lo(kx_load64(p)); }
static inline kint_v128 kint_simd_V128_LOAD32X2_S(const void *p) { return kx_ext32_s_lo(kx_load64(p)); }
static inline kint_v128 kint_simd_V128_LOAD32X2_U(const void *p) { return kx_ext32_u_lo(kx_load64(p)); }

static inline kint_v128 kint_simd_V128_LOAD8_SPLAT(const void *p) { return _mm_set1_epi8(*(const char *)p); }
static inline kint_v128 kint_simd_V128_LOAD16_SPLAT(const void *p)
{
    int16_t x;
    memcpy(&x, p, sizeof x);
    return _mm_set1_epi16(x);
}
static inline kint_v128 kint_simd_V128_LOAD32_SPLAT(const void *p)
{
    int32_t x;
    memcpy(&x, p, sizeof x);
    return _mm_set1_epi32(x);
}
static inline kint_v128 kint_simd_V128_LOAD64_SPLAT(const void *p)
{
    __m128i x = kx_load64(p);
    return _mm_unpacklo_epi64(x, x);
}
static inline kint_v128 kint_simd_V128_LOAD32_ZERO(const void *p)
{
    int32_t x;
    memcpy(&x, p, sizeof x);
    return _mm_cvtsi32_si128(x);
}
static inline kint_v128 kint_simd_V128_LOAD64_ZERO(const void *p) { return kx_load64(p); }

/* Lane loads and stores: through memory at a run-time lane index. */
#define KX_LANE_MEM(LOAD, STORE)                                                          \
    static inline kint_v128 kint_simd_##LOAD(const void *p, kint_v128 v, unsigned lane)   \
    {                                                                                     \
        return kint_simdg_##LOAD(p, v, lane);                                             \
    }                                                                                     \
    static inline void kint_simd_##STORE(void *p, kint_v128 v, unsigned lane)             \
    {                                                                                     \
        kint_simdg_##STORE(p, v, lane);                                                   \
    }
KX_LANE_MEM(V128_LOAD8_LANE, V128_STORE8_LANE)
KX_LANE_MEM(V128_LOAD16_LANE, V128_STORE16_LANE)
KX_LANE_MEM(V128_LOAD32_LANE, V128_STORE32_LANE)
KX_LANE_MEM(V128_LOAD64_LANE, V128_STORE64_LANE)
#undef KX_LANE_MEM

/* ---- constant, shuffles, splats, lanes ---- */

static inline kint_v128 kint_simd_V128_CONST(const uint8_t *bytes) { return _mm_loadu_si128((const __m128i *)bytes); }

/* Two pshufb, each giving 0 where its index has the top bit set: for a,
 * mask + 0x70 saturating (0x70-0x7F below 16, 0x80 and up from 16); for b,
 * mask - 16 (0xF0-0xFF below 16, 0-15 from 16). */
KX_SSSE3_FN __m128i kx_shuffle_ssse3(__m128i a, __m128i b, const uint8_t *mask)
{
    __m128i m = _mm_loadu_si128((const __m128i *)mask);
    __m128i ia = _mm_adds_epu8(m, _mm_set1_epi8(0x70)), ib = _mm_sub_epi8(m, _mm_set1_epi8(16));
    return _mm_or_si128(_mm_shuffle_epi8(a, ia), _mm_shuffle_epi8(b, ib));
}
/* Indices >= 16 get their top bit set (saturating add), so pshufb gives 0. */
KX_SSSE3_FN __m128i kx_swizzle_ssse3(__m128i a, __m128i b)
{
    return _mm_shuffle_epi8(a, _mm_adds_epu8(b, _mm_set1_epi8(0x70)));
}
KX_SSSE3_FN __m128i kx_pshufb_ssse3(__m128i a, __m128i b) { return _mm_shuffle_epi8(a, b); }

static inline kint_v128 kint_simd_I8X16_SHUFFLE(kint_v128 a, kint_v128 b, const uint8_t *mask)
{
    return KX_HAVE_SSSE3() ? kx_shuffle_ssse3(a, b, mask) : kint_simdg_I8X16_SHUFFLE(a, b, mask);
}
KX_BIN(I8X16_SWIZZLE, KX_HAVE_SSSE3() ? kx_swizzle_ssse3(a, b) : kint_simdg_I8X16_SWIZZLE(a, b))
KX_BIN(I8X16_RELAXED_SWIZZLE, KX_HAVE_SSSE3() ? kx_pshufb_ssse3(a, b) : kint_simdg_I8X16_RELAXED_SWIZZLE(a, b))

static inline kint_v128 kint_simd_I8X16_SPLAT(uint32_t x) { return _mm_set1_epi8((char)(uint8_t)x); }
static inline kint_v128 kint_simd_I16X8_SPLAT(uint32_t x) { return _mm_set1_epi16((short)(uint16_t)x); }
static inline kint_v128 kint_simd_I32X4_SPLAT(uint32_t x) { return _mm_set1_epi32((int)x); }
static inline kint_v128 kint_simd_I64X2_SPLAT(uint64_t x) { return _mm_set1_epi64x((long long)x); }
static inline kint_v128 kint_simd_F32X4_SPLAT(uint32_t x) { return _mm_set1_epi32((int)x); }
static inline kint_v128 kint_simd_F64X2_SPLAT(uint64_t x) { return _mm_set1_epi64x((long long)x); }

/* Lane access at a run-time index goes through memory. */
#define KX_LANE(EXTRACT, REPLACE, S)                                                \
    static inline S kint_simd_##EXTRACT(kint_v128 v, unsigned lane)                 \
    {                                                                               \
        return kint_simdg_##EXTRACT(v, lane);                                       \
    }                                                                               \
    static inline kint_v128 kint_simd_##REPLACE(kint_v128 v, unsigned lane, S x)    \
    {                                                                               \
        return kint_simdg_##REPLACE(v, lane, x);                                    \
    }
KX_LANE(I8X16_EXTRACT_LANE_U, I8X16_REPLACE_LANE, uint32_t)
KX_LANE(I16X8_EXTRACT_LANE_U, I16X8_REPLACE_LANE, uint32_t)
KX_LANE(I32X4_EXTRACT_LANE, I32X4_REPLACE_LANE, uint32_t)
KX_LANE(I64X2_EXTRACT_LANE, I64X2_REPLACE_LANE, uint64_t)
KX_LANE(F32X4_EXTRACT_LANE, F32X4_REPLACE_LANE, uint32_t)
KX_LANE(F64X2_EXTRACT_LANE, F64X2_REPLACE_LANE, uint64_t)
#undef KX_LANE
static inline uint32_t kint_simd_I8X16_EXTRACT_LANE_S(kint_v128 v, unsigned lane)
{
    return kint_simdg_I8X16_EXTRACT_LANE_S(v, lane);
}
static inline uint32_t kint_simd_I16X8_EXTRACT_LANE_S(kint_v128 v, unsigned lane)
{
    return kint_simdg_I16X8_EXTRACT_LANE_S(v, lane);
}

/* ---- comparisons ---- */

/* Unsigned order through the signed compares: flip the sign bits. */
#define KX_FLIP8 _mm_set1_epi8((char)0x80)
#define KX_FLIP16 _mm_set1_epi16((short)0x8000)
#define KX_FLIP32 _mm_set1_epi32((int)0x80000000u)

KX_BIN(I8X16_EQ, _mm_cmpeq_epi8(a, b))
KX_BIN(I8X16_NE, kx_not(_mm_cmpeq_epi8(a, b)))
KX_BIN(I8X16_LT_S, _mm_cmplt_epi8(a, b))
KX_BIN(I8X16_GT_S, _mm_cmpgt_epi8(a, b))
KX_BIN(I8X16_LE_S, kx_not(_mm_cmpgt_epi8(a, b)))
KX_BIN(I8X16_GE_S, kx_not(_mm_cmplt_epi8(a, b)))
KX_BIN(I8X16_LE_U, _mm_cmpeq_epi8(_mm_min_epu8(a, b), a))
KX_BIN(I8X16_GE_U, _mm_cmpeq_epi8(_mm_max_epu8(a, b), a))
KX_BIN(I8X16_LT_U, kx_not(_mm_cmpeq_epi8(_mm_max_epu8(a, b), a)))
KX_BIN(I8X16_GT_U, kx_not(_mm_cmpeq_epi8(_mm_min_epu8(a, b), a)))
KX_BIN(I16X8_EQ, _mm_cmpeq_epi16(a, b))
KX_BIN(I16X8_NE, kx_not(_mm_cmpeq_epi16(a, b)))
KX_BIN(I16X8_LT_S, _mm_cmplt_epi16(a, b))
KX_BIN(I16X8_GT_S, _mm_cmpgt_epi16(a, b))
KX_BIN(I16X8_LE_S, kx_not(_mm_cmpgt_epi16(a, b)))
KX_BIN(I16X8_GE_S, kx_not(_mm_cmplt_epi16(a, b)))
KX_BIN(I16X8_LT_U, _mm_cmplt_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16)))
KX_BIN(I16X8_GT_U, _mm_cmpgt_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16)))
KX_BIN(I16X8_LE_U, kx_not(_mm_cmpgt_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16))))
KX_BIN(I16X8_GE_U, kx_not(_mm_cmplt_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16))))
KX_BIN(I32X4_EQ, _mm_cmpeq_epi32(a, b))
KX_BIN(I32X4_NE, kx_not(_mm_cmpeq_epi32(a, b)))
KX_BIN(I32X4_LT_S, _mm_cmplt_epi32(a, b))
KX_BIN(I32X4_GT_S, _mm_cmpgt_epi32(a, b))
KX_BIN(I32X4_LE_S, kx_not(_mm_cmpgt_epi32(a, b)))
KX_BIN(I32X4_GE_S, kx_not(_mm_cmplt_epi32(a, b)))
KX_BIN(I32X4_LT_U, _mm_cmplt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32)))
KX_BIN(I32X4_GT_U, _mm_cmpgt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32)))
KX_BIN(I32X4_LE_U, kx_not(_mm_cmpgt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32))))
KX_BIN(I32X4_GE_U, kx_not(_mm_cmplt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32))))

static inline __m128i kx_eq64(__m128i a, __m128i b)
{
#if defined(__SSE4_1__)
    return _mm_cmpeq_epi64(a, b);
#else
    __m128i t = _mm_cmpeq_epi32(a, b);
    return _mm_and_si128(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
#endif
}
/* a > b, signed 64-bit. */
static inline __m128i kx_gt64(__m128i a, __m128i b)
{
#if defined(__SSE4_2__)
    return _mm_cmpgt_epi64(a, b);
#else
    /* b < a  <=>  sign of (b - a) ^ ((b ^ a) & ((b - a) ^ b)) (Hacker's Delight 2-12) */
    __m128i d = _mm_sub_epi64(b, a);
    return kx_sign64(_mm_xor_si128(d, _mm_and_si128(_mm_xor_si128(b, a), _mm_xor_si128(d, b))));
#endif
}
KX_BIN(I64X2_EQ, kx_eq64(a, b))
KX_BIN(I64X2_NE, kx_not(kx_eq64(a, b)))
KX_BIN(I64X2_LT_S, kx_gt64(b, a))
KX_BIN(I64X2_GT_S, kx_gt64(a, b))
KX_BIN(I64X2_LE_S, kx_not(kx_gt64(a, b)))
KX_BIN(I64X2_GE_S, kx_not(kx_gt64(b, a)))

KX_BIN(F32X4_EQ, KX_IS(_mm_cmpeq_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_NE, KX_IS(_mm_cmpneq_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_LT, KX_IS(_mm_cmplt_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_GT, KX_IS(_mm_cmpgt_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_LE, KX_IS(_mm_cmple_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_GE, KX_IS(_mm_cmpge_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F64X2_EQ, KX_ID(_mm_cmpeq_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_NE, KX_ID(_mm_cmpneq_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_LT, KX_ID(_mm_cmplt_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_GT, KX_ID(_mm_cmpgt_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_LE, KX_ID(_mm_cmple_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_GE, KX_ID(_mm_cmpge_pd(KX_PD(a), KX_PD(b))))

/* ---- bitwise ---- */

KX_UN(V128_NOT, kx_not(a))
KX_BIN(V128_AND, _mm_and_si128(a, b))
KX_BIN(V128_ANDNOT, _mm_andnot_si128(b, a))
KX_BIN(V128_OR, _mm_or_si128(a, b))
KX_BIN(V128_XOR, _mm_xor_si128(a, b))
KX_TERN(V128_BITSELECT, kx_select(c, a, b))
/* relaxed_laneselect: bitselect at every lane width (kite's choice) */
KX_TERN(I8X16_RELAXED_LANESELECT, kx_select(c, a, b))
KX_TERN(I16X8_RELAXED_LANESELECT, kx_select(c, a, b))
KX_TERN(I32X4_RELAXED_LANESELECT, kx_select(c, a, b))
KX_TERN(I64X2_RELAXED_LANESELECT, kx_select(c, a, b))

static inline uint32_t kint_simd_V128_ANY_TRUE(kint_v128 a)
{
#if defined(__SSE4_1__)
    return !_mm_testz_si128(a, a);
#else
    return _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) != 0xFFFF;
#endif
}
static inline uint32_t kint_simd_I8X16_ALL_TRUE(kint_v128 a)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0;
}
static inline uint32_t kint_simd_I16X8_ALL_TRUE(kint_v128 a)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi16(a, _mm_setzero_si128())) == 0;
}
static inline uint32_t kint_simd_I32X4_ALL_TRUE(kint_v128 a)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi32(a, _mm_setzero_si128())) == 0;
}
static inline uint32_t kint_simd_I64X2_ALL_TRUE(kint_v128 a)
{
    return _mm_movemask_epi8(kx_eq64(a, _mm_setzero_si128())) == 0;
}
static inline uint32_t kint_simd_I8X16_BITMASK(kint_v128 a) { return (uint32_t)_mm_movemask_epi8(a); }
static inline uint32_t kint_simd_I16X8_BITMASK(kint_v128 a)
{
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, _mm_setzero_si128()));
}
static inline uint32_t kint_simd_I32X4_BITMASK(kint_v128 a) { return (uint32_t)_mm_movemask_ps(KX_PS(a)); }
static inline uint32_t kint_simd_I64X2_BITMASK(kint_v128 a) { return (uint32_t)_mm_movemask_pd(KX_PD(a)); }

/* ---- shifts (count modulo the lane width) ---- */

static inline kint_v128 kint_simd_I8X16_SHL(kint_v128 a, uint32_t n)
{
    n &= 7;
    return _mm_and_si128(_mm_sll_epi16(a, _mm_cvtsi32_si128((int)n)), _mm_set1_epi8((char)(uint8_t)(0xFFu << n)));
}
static inline kint_v128 kint_simd_I8X16_SHR_U(kint_v128 a, uint32_t n)
{
    n &= 7;
    return _mm_and_si128(_mm_srl_epi16(a, _mm_cvtsi32_si128((int)n)), _mm_set1_epi8((char)(uint8_t)(0xFFu >> n)));
}
static inline kint_v128 kint_simd_I8X16_SHR_S(kint_v128 a, uint32_t n)
{
    __m128i k = _mm_cvtsi32_si128((int)((n & 7) + 8));
    return _mm_packs_epi16(_mm_sra_epi16(_mm_unpacklo_epi8(a, a), k), _mm_sra_epi16(_mm_unpackhi_epi8(a, a), k));
}
#define KX_SHIFTS(P, W, BITS)                                                                              \
    static inline kint_v128 kint_simd_##P##_SHL(kint_v128 a, uint32_t n)                                   \
    {                                                                                                      \
        return _mm_sll_epi##W(a, _mm_cvtsi32_si128((int)(n & (BITS - 1))));                                \
    }                                                                                                      \
    static inline kint_v128 kint_simd_##P##_SHR_U(kint_v128 a, uint32_t n)                                 \
    {                                                                                                      \
        return _mm_srl_epi##W(a, _mm_cvtsi32_si128((int)(n & (BITS - 1))));                                \
    }
KX_SHIFTS(I16X8, 16, 16)
KX_SHIFTS(I32X4, 32, 32)
KX_SHIFTS(I64X2, 64, 64)
#undef KX_SHIFTS
static inline kint_v128 kint_simd_I16X8_SHR_S(kint_v128 a, uint32_t n)
{
    return _mm_sra_epi16(a, _mm_cvtsi32_si128((int)(n & 15)));
}
static inline kint_v128 kint_simd_I32X4_SHR_S(kint_v128 a, uint32_t n)
{
    return _mm_sra_epi32(a, _mm_cvtsi32_si128((int)(n & 31)));
}
static inline kint_v128 kint_simd_I64X2_SHR_S(kint_v128 a, uint32_t n)
{
    __m128i s = kx_sign64(a);
    return _mm_xor_si128(_mm_srl_epi64(_mm_xor_si128(a, s), _mm_cvtsi32_si128((int)(n & 63))), s);
}

/* ---- integer arithmetic ---- */

KX_BIN(I8X16_ADD, _mm_add_epi8(a, b))
KX_BIN(I16X8_ADD, _mm_add_epi16(a, b))
KX_BIN(I32X4_ADD, _mm_add_epi32(a, b))
KX_BIN(I64X2_ADD, _mm_add_epi64(a, b))
KX_BIN(I8X16_SUB, _mm_sub_epi8(a, b))
KX_BIN(I16X8_SUB, _mm_sub_epi16(a, b))
KX_BIN(I32X4_SUB, _mm_sub_epi32(a, b))
KX_BIN(I64X2_SUB, _mm_sub_epi64(a, b))
KX_UN(I8X16_NEG, _mm_sub_epi8(_mm_setzero_si128(), a))
KX_UN(I16X8_NEG, _mm_sub_epi16(_mm_setzero_si128(), a))
KX_UN(I32X4_NEG, _mm_sub_epi32(_mm_setzero_si128(), a))
KX_UN(I64X2_NEG, _mm_sub_epi64(_mm_setzero_si128(), a))
KX_BIN(I16X8_MUL, _mm_mullo_epi16(a, b))

static inline kint_v128 kint_simd_I32X4_MUL(kint_v128 a, kint_v128 b)
{
#if defined(__SSE4_1__)
    return _mm_mullo_epi32(a, b);
#else
    __m128i even = _mm_mul_epu32(a, b);
    __m128i odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32));
    return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                              _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
#endif
}
static inline kint_v128 kint_simd_I64X2_MUL(kint_v128 a, kint_v128 b)
{
    __m128i lo = _mm_mul_epu32(a, b);
    __m128i cross = _mm_add_epi64(_mm_mul_epu32(a, _mm_srli_epi64(b, 32)), _mm_mul_epu32(_mm_srli_epi64(a, 32), b));
    return _mm_add_epi64(lo, _mm_slli_epi64(cross, 32));
}

#if defined(__SSSE3__)
KX_UN(I8X16_ABS, _mm_abs_epi8(a))
KX_UN(I16X8_ABS, _mm_abs_epi16(a))
KX_UN(I32X4_ABS, _mm_abs_epi32(a))
#else
KX_UN(I8X16_ABS, _mm_min_epu8(a, _mm_sub_epi8(_mm_setzero_si128(), a)))
KX_UN(I16X8_ABS, _mm_max_epi16(a, _mm_sub_epi16(_mm_setzero_si128(), a)))
KX_UN(I32X4_ABS, _mm_sub_epi32(_mm_xor_si128(a, _mm_srai_epi32(a, 31)), _mm_srai_epi32(a, 31)))
#endif
KX_UN(I64X2_ABS, _mm_sub_epi64(_mm_xor_si128(a, kx_sign64(a)), kx_sign64(a)))

KX_BIN(I8X16_ADD_SAT_S, _mm_adds_epi8(a, b))
KX_BIN(I8X16_ADD_SAT_U, _mm_adds_epu8(a, b))
KX_BIN(I8X16_SUB_SAT_S, _mm_subs_epi8(a, b))
KX_BIN(I8X16_SUB_SAT_U, _mm_subs_epu8(a, b))
KX_BIN(I16X8_ADD_SAT_S, _mm_adds_epi16(a, b))
KX_BIN(I16X8_ADD_SAT_U, _mm_adds_epu16(a, b))
KX_BIN(I16X8_SUB_SAT_S, _mm_subs_epi16(a, b))
KX_BIN(I16X8_SUB_SAT_U, _mm_subs_epu16(a, b))
KX_BIN(I8X16_AVGR_U, _mm_avg_epu8(a, b))
KX_BIN(I16X8_AVGR_U, _mm_avg_epu16(a, b))

KX_BIN(I8X16_MIN_U, _mm_min_epu8(a, b))
KX_BIN(I8X16_MAX_U, _mm_max_epu8(a, b))
KX_BIN(I16X8_MIN_S, _mm_min_epi16(a, b))
KX_BIN(I16X8_MAX_S, _mm_max_epi16(a, b))
#if defined(__SSE4_1__)
KX_BIN(I8X16_MIN_S, _mm_min_epi8(a, b))
KX_BIN(I8X16_MAX_S, _mm_max_epi8(a, b))
KX_BIN(I16X8_MIN_U, _mm_min_epu16(a, b))
KX_BIN(I16X8_MAX_U, _mm_max_epu16(a, b))
KX_BIN(I32X4_MIN_S, _mm_min_epi32(a, b))
KX_BIN(I32X4_MAX_S, _mm_max_epi32(a, b))
KX_BIN(I32X4_MIN_U, _mm_min_epu32(a, b))
KX_BIN(I32X4_MAX_U, _mm_max_epu32(a, b))
#else
KX_BIN(I8X16_MIN_S, _mm_xor_si128(_mm_min_epu8(_mm_xor_si128(a, KX_FLIP8), _mm_xor_si128(b, KX_FLIP8)), KX_FLIP8))
KX_BIN(I8X16_MAX_S, _mm_xor_si128(_mm_max_epu8(_mm_xor_si128(a, KX_FLIP8), _mm_xor_si128(b, KX_FLIP8)), KX_FLIP8))
KX_BIN(I16X8_MIN_U, _mm_xor_si128(_mm_min_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16)), KX_FLIP16))
KX_BIN(I16X8_MAX_U, _mm_xor_si128(_mm_max_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_xor_si128(b, KX_FLIP16)), KX_FLIP16))
KX_BIN(I32X4_MIN_S, kx_select(_mm_cmpgt_epi32(a, b), b, a))
KX_BIN(I32X4_MAX_S, kx_select(_mm_cmpgt_epi32(a, b), a, b))
KX_BIN(I32X4_MIN_U, kx_select(_mm_cmpgt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32)), b, a))
KX_BIN(I32X4_MAX_U, kx_select(_mm_cmpgt_epi32(_mm_xor_si128(a, KX_FLIP32), _mm_xor_si128(b, KX_FLIP32)), a, b))
#endif

static inline kint_v128 kint_simd_I8X16_POPCNT(kint_v128 a)
{
#if defined(__SSSE3__)
    const __m128i lut = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m128i low = _mm_set1_epi8(0x0F);
    return _mm_add_epi8(_mm_shuffle_epi8(lut, _mm_and_si128(a, low)),
                        _mm_shuffle_epi8(lut, _mm_and_si128(_mm_srli_epi16(a, 4), low)));
#else
    __m128i x = _mm_sub_epi8(a, _mm_and_si128(_mm_srli_epi16(a, 1), _mm_set1_epi8(0x55)));
    x = _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x33)), _mm_and_si128(_mm_srli_epi16(x, 2), _mm_set1_epi8(0x33)));
    return _mm_and_si128(_mm_add_epi8(x, _mm_srli_epi16(x, 4)), _mm_set1_epi8(0x0F));
#endif
}

/* (a * b + 0x4000) >> 15 per i16 lane, saturated by packssdw. */
static inline __m128i kx_q15_sat(__m128i a, __m128i b)
{
    __m128i lo = _mm_mullo_epi16(a, b), hi = _mm_mulhi_epi16(a, b), r = _mm_set1_epi32(0x4000);
    __m128i p0 = _mm_srai_epi32(_mm_add_epi32(_mm_unpacklo_epi16(lo, hi), r), 15);
    __m128i p1 = _mm_srai_epi32(_mm_add_epi32(_mm_unpackhi_epi16(lo, hi), r), 15);
    return _mm_packs_epi32(p0, p1);
}
/* Only -32768 * -32768 overflows: pmulhrsw gives 0x8000 there. */
static inline __m128i kx_both_min16(__m128i a, __m128i b)
{
    return _mm_and_si128(_mm_cmpeq_epi16(a, KX_FLIP16), _mm_cmpeq_epi16(b, KX_FLIP16));
}
#if defined(__SSSE3__)
KX_BIN(I16X8_Q15MULR_SAT_S, _mm_xor_si128(_mm_mulhrs_epi16(a, b), _mm_cmpeq_epi16(_mm_mulhrs_epi16(a, b), KX_FLIP16)))
KX_BIN(I16X8_RELAXED_Q15MULR_S, _mm_mulhrs_epi16(a, b))
#else
KX_BIN(I16X8_Q15MULR_SAT_S, kx_q15_sat(a, b))
KX_BIN(I16X8_RELAXED_Q15MULR_S, _mm_xor_si128(kx_q15_sat(a, b), kx_both_min16(a, b)))
#endif

KX_BIN(I8X16_NARROW_I16X8_S, _mm_packs_epi16(a, b))
KX_BIN(I8X16_NARROW_I16X8_U, _mm_packus_epi16(a, b))
KX_BIN(I16X8_NARROW_I32X4_S, _mm_packs_epi32(a, b))
#if defined(__SSE4_1__)
KX_BIN(I16X8_NARROW_I32X4_U, _mm_packus_epi32(a, b))
#else
/* Clamp to [0, 65535], bias into i16 range, packssdw, unbias. */
static inline __m128i kx_clamp_u16(__m128i x)
{
    x = _mm_and_si128(x, _mm_cmpgt_epi32(x, _mm_setzero_si128()));
    __m128i big = _mm_cmpgt_epi32(x, _mm_set1_epi32(0xFFFF));
    return _mm_sub_epi32(kx_select(big, _mm_set1_epi32(0xFFFF), x), _mm_set1_epi32(0x8000));
}
KX_BIN(I16X8_NARROW_I32X4_U, _mm_add_epi16(_mm_packs_epi32(kx_clamp_u16(a), kx_clamp_u16(b)), KX_FLIP16))
#endif

KX_UN(I16X8_EXTEND_LOW_I8X16_S, kx_ext8_s_lo(a))
KX_UN(I16X8_EXTEND_HIGH_I8X16_S, kx_ext8_s_lo(kx_hi(a)))
KX_UN(I16X8_EXTEND_LOW_I8X16_U, kx_ext8_u_lo(a))
KX_UN(I16X8_EXTEND_HIGH_I8X16_U, _mm_unpackhi_epi8(a, _mm_setzero_si128()))
KX_UN(I32X4_EXTEND_LOW_I16X8_S, kx_ext16_s_lo(a))
KX_UN(I32X4_EXTEND_HIGH_I16X8_S, kx_ext16_s_lo(kx_hi(a)))
KX_UN(I32X4_EXTEND_LOW_I16X8_U, kx_ext16_u_lo(a))
KX_UN(I32X4_EXTEND_HIGH_I16X8_U, _mm_unpackhi_epi16(a, _mm_setzero_si128()))
KX_UN(I64X2_EXTEND_LOW_I32X4_S, kx_ext32_s_lo(a))
KX_UN(I64X2_EXTEND_HIGH_I32X4_S, kx_ext32_s_lo(kx_hi(a)))
KX_UN(I64X2_EXTEND_LOW_I32X4_U, kx_ext32_u_lo(a))
KX_UN(I64X2_EXTEND_HIGH_I32X4_U, _mm_unpackhi_epi32(a, _mm_setzero_si128()))

KX_BIN(I16X8_EXTMUL_LOW_I8X16_S, _mm_mullo_epi16(kx_ext8_s_lo(a), kx_ext8_s_lo(b)))
KX_BIN(I16X8_EXTMUL_HIGH_I8X16_S, _mm_mullo_epi16(kx_ext8_s_lo(kx_hi(a)), kx_ext8_s_lo(kx_hi(b))))
KX_BIN(I16X8_EXTMUL_LOW_I8X16_U, _mm_mullo_epi16(kx_ext8_u_lo(a), kx_ext8_u_lo(b)))
KX_BIN(I16X8_EXTMUL_HIGH_I8X16_U, _mm_mullo_epi16(kx_ext8_u_lo(kx_hi(a)), kx_ext8_u_lo(kx_hi(b))))
KX_BIN(I32X4_EXTMUL_LOW_I16X8_S, _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b)))
KX_BIN(I32X4_EXTMUL_HIGH_I16X8_S, _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b)))
KX_BIN(I32X4_EXTMUL_LOW_I16X8_U, _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b)))
KX_BIN(I32X4_EXTMUL_HIGH_I16X8_U, _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b)))
/* pmuludq / pmuldq multiply lanes 0 and 2: spread the half's lanes there. */
#define KX_LO_PAIR(x) _mm_shuffle_epi32((x), _MM_SHUFFLE(1, 1, 0, 0))
#define KX_HI_PAIR(x) _mm_shuffle_epi32((x), _MM_SHUFFLE(3, 3, 2, 2))
KX_BIN(I64X2_EXTMUL_LOW_I32X4_U, _mm_mul_epu32(KX_LO_PAIR(a), KX_LO_PAIR(b)))
KX_BIN(I64X2_EXTMUL_HIGH_I32X4_U, _mm_mul_epu32(KX_HI_PAIR(a), KX_HI_PAIR(b)))
KX_SSE41_FN __m128i kx_mul_epi32_sse41(__m128i a, __m128i b) { return _mm_mul_epi32(a, b); }
KX_BIN(I64X2_EXTMUL_LOW_I32X4_S, KX_HAVE_SSE41() ? kx_mul_epi32_sse41(KX_LO_PAIR(a), KX_LO_PAIR(b))
                                                  : kint_simdg_I64X2_EXTMUL_LOW_I32X4_S(a, b))
KX_BIN(I64X2_EXTMUL_HIGH_I32X4_S, KX_HAVE_SSE41() ? kx_mul_epi32_sse41(KX_HI_PAIR(a), KX_HI_PAIR(b))
                                                   : kint_simdg_I64X2_EXTMUL_HIGH_I32X4_S(a, b))
#undef KX_LO_PAIR
#undef KX_HI_PAIR

#if defined(__SSSE3__)
KX_UN(I16X8_EXTADD_PAIRWISE_I8X16_S, _mm_maddubs_epi16(_mm_set1_epi8(1), a))
KX_UN(I16X8_EXTADD_PAIRWISE_I8X16_U, _mm_maddubs_epi16(a, _mm_set1_epi8(1)))
#else
KX_UN(I16X8_EXTADD_PAIRWISE_I8X16_S, _mm_add_epi16(_mm_srai_epi16(_mm_slli_epi16(a, 8), 8), _mm_srai_epi16(a, 8)))
KX_UN(I16X8_EXTADD_PAIRWISE_I8X16_U, _mm_add_epi16(_mm_and_si128(a, _mm_set1_epi16(0xFF)), _mm_srli_epi16(a, 8)))
#endif
KX_UN(I32X4_EXTADD_PAIRWISE_I16X8_S, _mm_madd_epi16(a, _mm_set1_epi16(1)))
KX_UN(I32X4_EXTADD_PAIRWISE_I16X8_U,
      _mm_add_epi32(_mm_madd_epi16(_mm_xor_si128(a, KX_FLIP16), _mm_set1_epi16(1)), _mm_set1_epi32(0x10000)))
KX_BIN(I32X4_DOT_I16X8_S, _mm_madd_epi16(a, b))

/* relaxed dot: pmaddubsw(b, a) (b unsigned, a signed, saturated to i16) */
KX_SSSE3_FN __m128i kx_maddubs_ssse3(__m128i b, __m128i a) { return _mm_maddubs_epi16(b, a); }
KX_BIN(I16X8_RELAXED_DOT_I8X16_I7X16_S,
       KX_HAVE_SSSE3() ? kx_maddubs_ssse3(b, a) : kint_simdg_I16X8_RELAXED_DOT_I8X16_I7X16_S(a, b))
KX_TERN(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S,
        KX_HAVE_SSSE3() ? _mm_add_epi32(_mm_madd_epi16(kx_maddubs_ssse3(b, a), _mm_set1_epi16(1)), c)
                        : kint_simdg_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S(a, b, c))

/* ---- float arithmetic ---- */

KX_UN(F32X4_ABS, _mm_and_si128(a, _mm_set1_epi32(0x7FFFFFFF)))
KX_UN(F32X4_NEG, _mm_xor_si128(a, KX_FLIP32))
KX_UN(F64X2_ABS, _mm_and_si128(a, _mm_set1_epi64x(INT64_MAX)))
KX_UN(F64X2_NEG, _mm_xor_si128(a, _mm_set1_epi64x(INT64_MIN)))
KX_UN(F32X4_SQRT, KX_IS(_mm_sqrt_ps(KX_PS(a))))
KX_UN(F64X2_SQRT, KX_ID(_mm_sqrt_pd(KX_PD(a))))
KX_BIN(F32X4_ADD, KX_IS(_mm_add_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_SUB, KX_IS(_mm_sub_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_MUL, KX_IS(_mm_mul_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_DIV, KX_IS(_mm_div_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F64X2_ADD, KX_ID(_mm_add_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_SUB, KX_ID(_mm_sub_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_MUL, KX_ID(_mm_mul_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_DIV, KX_ID(_mm_div_pd(KX_PD(a), KX_PD(b))))

/* minps(x, y) is x < y ? x : y: pmin(a, b) = b < a ? b : a, and relaxed
 * min/max are minps/maxps as they come (kite's choice). */
KX_BIN(F32X4_PMIN, KX_IS(_mm_min_ps(KX_PS(b), KX_PS(a))))
KX_BIN(F32X4_PMAX, KX_IS(_mm_max_ps(KX_PS(b), KX_PS(a))))
KX_BIN(F64X2_PMIN, KX_ID(_mm_min_pd(KX_PD(b), KX_PD(a))))
KX_BIN(F64X2_PMAX, KX_ID(_mm_max_pd(KX_PD(b), KX_PD(a))))
KX_BIN(F32X4_RELAXED_MIN, KX_IS(_mm_min_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F32X4_RELAXED_MAX, KX_IS(_mm_max_ps(KX_PS(a), KX_PS(b))))
KX_BIN(F64X2_RELAXED_MIN, KX_ID(_mm_min_pd(KX_PD(a), KX_PD(b))))
KX_BIN(F64X2_RELAXED_MAX, KX_ID(_mm_max_pd(KX_PD(a), KX_PD(b))))

static inline kint_v128 kint_simd_F32X4_MIN(kint_v128 a, kint_v128 b)
{
    __m128 x = KX_PS(a), y = KX_PS(b);
    __m128 m = _mm_or_ps(_mm_min_ps(y, x), _mm_min_ps(x, y)); /* -0 and NaNs propagate */
    __m128 nan = _mm_cmpunord_ps(m, m);
    m = _mm_or_ps(m, nan);
    return KX_IS(_mm_andnot_ps(KX_PS(_mm_srli_epi32(KX_IS(nan), 10)), m));
}
static inline kint_v128 kint_simd_F32X4_MAX(kint_v128 a, kint_v128 b)
{
    __m128 x = KX_PS(a), y = KX_PS(b);
    __m128 m1 = _mm_max_ps(y, x), m2 = _mm_max_ps(x, y);
    __m128 d = _mm_xor_ps(m2, m1);     /* where the orders disagree */
    __m128 m = _mm_or_ps(m1, d);       /* NaNs propagate */
    m = _mm_sub_ps(m, d);              /* +0 over -0, NaNs stay NaN */
    __m128 nan = _mm_cmpunord_ps(m, m);
    return KX_IS(_mm_andnot_ps(KX_PS(_mm_srli_epi32(KX_IS(nan), 10)), m));
}
static inline kint_v128 kint_simd_F64X2_MIN(kint_v128 a, kint_v128 b)
{
    __m128d x = KX_PD(a), y = KX_PD(b);
    __m128d m = _mm_or_pd(_mm_min_pd(y, x), _mm_min_pd(x, y));
    __m128d nan = _mm_cmpunord_pd(m, m);
    m = _mm_or_pd(m, nan);
    return KX_ID(_mm_andnot_pd(KX_PD(_mm_srli_epi64(KX_ID(nan), 13)), m));
}
static inline kint_v128 kint_simd_F64X2_MAX(kint_v128 a, kint_v128 b)
{
    __m128d x = KX_PD(a), y = KX_PD(b);
    __m128d m1 = _mm_max_pd(y, x), m2 = _mm_max_pd(x, y);
    __m128d d = _mm_xor_pd(m2, m1);
    __m128d m = _mm_sub_pd(_mm_or_pd(m1, d), d);
    __m128d nan = _mm_cmpunord_pd(m, m);
    return KX_ID(_mm_andnot_pd(KX_PD(_mm_srli_epi64(KX_ID(nan), 13)), m));
}

#define KX_ROUND(ID, MODE)                                                                    \
    KX_SSE41_FN __m128i kx_round_##ID(__m128i a)                                              \
    {                                                                                         \
        return KX_IS(_mm_round_ps(KX_PS(a), (MODE) | _MM_FROUND_NO_EXC));                     \
    }                                                                                         \
    KX_UN(ID, KX_HAVE_SSE41() ? kx_round_##ID(a) : kint_simdg_##ID(a))
#define KX_ROUNDD(ID, MODE)                                                                   \
    KX_SSE41_FN __m128i kx_round_##ID(__m128i a)                                              \
    {                                                                                         \
        return KX_ID(_mm_round_pd(KX_PD(a), (MODE) | _MM_FROUND_NO_EXC));                     \
    }                                                                                         \
    KX_UN(ID, KX_HAVE_SSE41() ? kx_round_##ID(a) : kint_simdg_##ID(a))
KX_ROUND(F32X4_CEIL, _MM_FROUND_TO_POS_INF)
KX_ROUND(F32X4_FLOOR, _MM_FROUND_TO_NEG_INF)
KX_ROUND(F32X4_TRUNC, _MM_FROUND_TO_ZERO)
KX_ROUND(F32X4_NEAREST, _MM_FROUND_TO_NEAREST_INT)
KX_ROUNDD(F64X2_CEIL, _MM_FROUND_TO_POS_INF)
KX_ROUNDD(F64X2_FLOOR, _MM_FROUND_TO_NEG_INF)
KX_ROUNDD(F64X2_TRUNC, _MM_FROUND_TO_ZERO)
KX_ROUNDD(F64X2_NEAREST, _MM_FROUND_TO_NEAREST_INT)
#undef KX_ROUND
#undef KX_ROUNDD

/* relaxed madd / nmadd: unfused (kite's choice), c - a * b for nmadd */
KX_TERN(F32X4_RELAXED_MADD, KX_IS(_mm_add_ps(_mm_mul_ps(KX_PS(a), KX_PS(b)), KX_PS(c))))
KX_TERN(F32X4_RELAXED_NMADD, KX_IS(_mm_sub_ps(KX_PS(c), _mm_mul_ps(KX_PS(a), KX_PS(b)))))
KX_TERN(F64X2_RELAXED_MADD, KX_ID(_mm_add_pd(_mm_mul_pd(KX_PD(a), KX_PD(b)), KX_PD(c))))
KX_TERN(F64X2_RELAXED_NMADD, KX_ID(_mm_sub_pd(KX_PD(c), _mm_mul_pd(KX_PD(a), KX_PD(b)))))

/* ---- conversions ---- */

static inline kint_v128 kint_simd_I32X4_TRUNC_SAT_F32X4_S(kint_v128 a)
{
    __m128 x = KX_PS(a);
    x = _mm_and_ps(x, _mm_cmpeq_ps(x, x)); /* NaN -> 0 */
    __m128i r = _mm_cvttps_epi32(x);      /* out of range -> INT32_MIN */
    return _mm_xor_si128(r, KX_IS(_mm_cmpge_ps(x, _mm_set1_ps(0x1p31f))));
}
static inline __m128i kx_trunc_sat_u32(__m128 x)
{
    x = _mm_max_ps(x, _mm_setzero_ps()); /* NaN and negatives -> 0 */
    __m128 two31 = _mm_set1_ps(0x1p31f);
    __m128 big = _mm_cmpge_ps(x, two31);
    __m128i lo = _mm_cvttps_epi32(x);
    __m128i hi = _mm_and_si128(_mm_cvttps_epi32(_mm_sub_ps(x, two31)), KX_IS(big));
    return _mm_or_si128(_mm_add_epi32(lo, hi), KX_IS(_mm_cmpge_ps(x, _mm_set1_ps(0x1p32f))));
}
KX_UN(I32X4_TRUNC_SAT_F32X4_U, kx_trunc_sat_u32(KX_PS(a)))
KX_UN(I32X4_RELAXED_TRUNC_F32X4_U, kx_trunc_sat_u32(KX_PS(a)))
/* relaxed_trunc_s: cvttps2dq / cvttpd2dq as they come (kite's choice) */
KX_UN(I32X4_RELAXED_TRUNC_F32X4_S, _mm_cvttps_epi32(KX_PS(a)))
KX_UN(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, _mm_cvttpd_epi32(KX_PD(a)))

static inline kint_v128 kint_simd_I32X4_TRUNC_SAT_F64X2_S_ZERO(kint_v128 a)
{
    __m128d x = KX_PD(a);
    x = _mm_and_pd(x, _mm_cmpeq_pd(x, x));
    x = _mm_max_pd(_mm_min_pd(x, _mm_set1_pd(2147483647.0)), _mm_set1_pd(-2147483648.0));
    return _mm_cvttpd_epi32(x);
}
static inline __m128i kx_trunc_sat_u32_f64(__m128d x)
{
    x = _mm_min_pd(_mm_max_pd(x, _mm_setzero_pd()), _mm_set1_pd(4294967295.0));
    __m128d big = _mm_cmpge_pd(x, _mm_set1_pd(0x1p31));
    __m128i r = _mm_cvttpd_epi32(_mm_sub_pd(x, _mm_and_pd(big, _mm_set1_pd(0x1p31))));
    __m128i big32 = _mm_move_epi64(_mm_shuffle_epi32(KX_ID(big), _MM_SHUFFLE(3, 3, 2, 0)));
    return _mm_xor_si128(r, _mm_and_si128(big32, KX_FLIP32));
}
KX_UN(I32X4_TRUNC_SAT_F64X2_U_ZERO, kx_trunc_sat_u32_f64(KX_PD(a)))
KX_UN(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, kx_trunc_sat_u32_f64(KX_PD(a)))

KX_UN(F32X4_CONVERT_I32X4_S, KX_IS(_mm_cvtepi32_ps(a)))
/* hi * 2^16 and lo are exact floats: one rounding, in the add */
KX_UN(F32X4_CONVERT_I32X4_U,
      KX_IS(_mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(a, 16)), _mm_set1_ps(65536.0f)),
                       _mm_cvtepi32_ps(_mm_and_si128(a, _mm_set1_epi32(0xFFFF))))))
KX_UN(F64X2_CONVERT_LOW_I32X4_S, KX_ID(_mm_cvtepi32_pd(a)))
/* 2^52 + x as a double's bits, minus 2^52: exact */
KX_UN(F64X2_CONVERT_LOW_I32X4_U,
      KX_ID(_mm_sub_pd(KX_PD(_mm_unpacklo_epi32(a, _mm_set1_epi32(0x43300000))), _mm_set1_pd(0x1p52))))
KX_UN(F32X4_DEMOTE_F64X2_ZERO, KX_IS(_mm_cvtpd_ps(KX_PD(a))))
KX_UN(F64X2_PROMOTE_LOW_F32X4, KX_ID(_mm_cvtps_pd(KX_PS(a))))

#undef KX_FLIP8
#undef KX_FLIP16
#undef KX_FLIP32
#undef KX_UN
#undef KX_BIN
#undef KX_TERN
#undef KX_SSSE3_FN
#undef KX_SSE41_FN
#undef KX_HAVE_SSSE3
#undef KX_HAVE_SSE41

#endif
