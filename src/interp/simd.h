/*
 * The SIMD and relaxed-SIMD instructions of Wasm (the 0xFD prefix) as
 * static inline functions on one value type, kint_v128, for the
 * interpreter's handlers, constant evaluation and tests.
 *
 * One function per instruction, named after its opcode-table id:
 * kint_simd_<ID> for KIR_OP_<ID> (kint_simd_I8X16_ADD is i8x16.add), so
 * handlers and kint_simd_eval are derived from src/ir/opcodes.def and a
 * missing instruction is a compile error. Scalars are bit patterns: i32
 * and f32 lanes as uint32_t, i64 and f64 lanes as uint64_t. Lane indices
 * and shuffle masks are validated immediates (lane < lane count, mask
 * bytes < 32). Memory forms take a pointer to the (little-endian) bytes;
 * the caller has already checked the bounds.
 *
 * Implementations, chosen at build time:
 *   simd_x86.h    SSE2 (x86-64 baseline), with SSSE3 / SSE4.1 / AVX2
 *                 sequences where the compiler targets them (-msse4.1,
 *                 -mavx2 or -march=...: CMake option KITE_X86_ISA).
 *   simd_neon.h   AArch64 Advanced SIMD.
 *   simd_generic.h  per-lane C for every instruction: the whole
 *                 implementation on other targets, the fallback for what a
 *                 backend does not accelerate, and what KINT_SIMD_SCALAR
 *                 forces (the unit tests build both).
 * Build-time rather than start-up selection: an instruction must inline
 * into its handler as a few native instructions, and a call through a
 * function pointer per v128 operation would cost more than most of them.
 * (The upgrade path is building the executor once per ISA level and
 * choosing the executor once per engine, which keeps every op inline.)
 *
 * Floating point follows numeric.h: NaN results are arithmetic NaNs, and
 * canonical when every NaN operand was (backends may differ in which
 * arithmetic NaN; Wasm allows that). The relaxed instructions give one
 * fixed result per input on every backend: the choices are listed in
 * docs/NOTES.md ("Relaxed SIMD") and at each function.
 */
#ifndef KITE_INTERP_SIMD_H
#define KITE_INTERP_SIMD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "interp/numeric.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kite's SIMD lanes assume a little-endian host"
#endif

/* The lanes of a v128 in Wasm order (lane 0 at byte 0; hosts are LE). */
typedef union kint_lanes {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} kint_lanes;

#if defined(KINT_SIMD_SCALAR)
#define KINT_SIMD_BACKEND "scalar"
#elif defined(__SSE2__) && (defined(__x86_64__) || defined(__i386__))
#define KINT_SIMD_X86 1
#elif defined(__aarch64__) && defined(__ARM_NEON)
#define KINT_SIMD_NEON 1
#else
#define KINT_SIMD_BACKEND "scalar"
#endif

#if defined(KINT_SIMD_X86)
#include <emmintrin.h>
typedef __m128i kint_v128;
#elif defined(KINT_SIMD_NEON)
#include <arm_neon.h>
typedef uint8x16_t kint_v128;
#else
typedef kint_lanes kint_v128;
#endif

/* A v128 from / to 16 bytes anywhere (frame slots, memory, immediates). */
static inline kint_v128 kint_v128_load(const void *p)
{
    kint_v128 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void kint_v128_store(void *p, kint_v128 v) { memcpy(p, &v, sizeof v); }

static inline kint_lanes kint_v128_lanes(kint_v128 v)
{
    kint_lanes l;
    memcpy(&l, &v, sizeof l);
    return l;
}

static inline kint_v128 kint_v128_of_lanes(kint_lanes l)
{
    kint_v128 v;
    memcpy(&v, &l, sizeof v);
    return v;
}

/* The per-lane definitions first: a backend falls back on them. */
#include "interp/simd_generic.h"
#if defined(KINT_SIMD_X86)
#include "interp/simd_x86.h"
#elif defined(KINT_SIMD_NEON)
#include "interp/simd_neon.h"
#endif

/* An i8x16.shuffle whose lanes all come from one operand v, with indices
 * idx[i] < 16 into it (the translator reduces such a mask): a relaxed
 * swizzle, which every backend computes exactly for indices below 16. */
static inline kint_v128 kint_simd_shuffle1(kint_v128 v, const uint8_t *idx)
{
    return kint_simd_I8X16_RELAXED_SWIZZLE(v, kint_v128_load(idx));
}

/*
 * Evaluates SIMD instruction `op` without memory: the value operations,
 * v128.const, shuffles and lane instructions (immediates in imm: the 16
 * bytes of v128.const / i8x16.shuffle, or the lane index in imm[0]).
 * Operands and results in slot form as kint_numeric_eval (args[0] deepest;
 * a v128 in two slots, low half first). Returns false, writing nothing,
 * for an op that is not such an instruction (loads and stores included).
 * results may be args.
 */
bool kint_simd_eval(kir_op op, const uint64_t *args, const uint8_t *imm, uint64_t *results);

/* The backend this build uses ("sse2", "sse4.1", "avx2", "neon", "scalar"). */
const char *kint_simd_backend(void);

#endif
