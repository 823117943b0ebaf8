/*
 * SIMD and relaxed SIMD in compiled code (docs/JIT.md, "SIMD").
 *
 * A v128 lives in two 8-byte frame slots (low half first), as in the
 * interpreter. Every internal SIMD instruction of interp/simd_ops.def is
 * compiled: the common ones inline as SSE (SSE4.1 being the baseline the
 * compiler requires for them, kjit_cpu_features), every other one as a
 * call of its helper (helpers_simd.c), which runs the interpreter's own
 * kint_simd_<id> on the frame's slots, so that both tiers make the same
 * relaxed-SIMD choices by construction.
 */
#include "jit/codegen.h"

#include "jit/helpers_simd.h"

#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))

/* The generic path: the frame written back, the helper called on it. */
static void emit_helper(kjit_cg *cg, kjit_simd_helper fn)
{
    kjit_masm *m = cg->m;
    kjit_sync_out(cg);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_mov(m, 64, kjit_r(KJIT_ARG1), kjit_r(KJIT_R_FP));
    kjit_mov(m, 64, kjit_r(KJIT_ARG2), kjit_i((int64_t)(uintptr_t)(cg->w + cg->pos)));
    kjit_call_c(cg, (const void *)fn);
    kjit_sync_in(cg);
    if (kint_layout_field(cg->op, KINT_FN_addr)) /* (only memory accesses can trap) */
        kjit_check_kind(cg);
}

bool kjit_emit_simd(kjit_cg *cg)
{
    kjit_simd_helper fn = kjit_h_simd[cg->op];
    if (!fn)
        return false;
    emit_helper(cg, fn);
    return true;
}
