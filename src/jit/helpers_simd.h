/*
 * SIMD for compiled code, the C side (helpers_simd.c): one helper per
 * internal SIMD instruction, generated from interp/simd_ops.def, each
 * running the interpreter's own kint_simd_<id> (interp/simd.h) on the
 * frame's slots. Compiled code calls the helper of an instruction it has
 * no inline sequence for, after writing its register cache back, so both
 * tiers compute every SIMD and relaxed-SIMD result with the same code.
 */
#ifndef KITE_JIT_HELPERS_SIMD_H
#define KITE_JIT_HELPERS_SIMD_H

#include <stdint.h>

#include "interp/interp.h"

/* Runs the instruction at pc on the frame at fp of th's innermost record:
 * a trap kind (memory out of bounds), or 0. */
typedef int (*kjit_simd_helper)(kint_thread *th, uint64_t *fp, const kint_word *pc);

/* By internal op; NULL for ops that are not SIMD instructions. */
extern const kjit_simd_helper kjit_h_simd[KINT_OP_COUNT];

#endif
