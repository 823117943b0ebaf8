/*
 * The helpers of helpers_simd.h: each internal SIMD instruction of
 * interp/simd_ops.def as a function over the frame's slots, written as
 * the interpreter's handler (interp/exec.c) is, around the same
 * kint_simd_<id>. The forms the interpreter runs unchecked on memory 0
 * (relying on its guard pages) are checked here explicitly: a fault in C
 * would not be a trap site. The result is the same trap.
 */
#include "jit/helpers_simd.h"

#include "interp/simd.h"
#include "runtime/memory.h"

/* Bytes accessed by each memory instruction of opcodes.def. */
enum {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) KJIT_SIMD_WIDTH_##id = (width),
#include "ir/opcodes.def"
#undef OP
};

#define OPND(op, f) KINT_OPND(pc, op, f)
#define OPND64(op, f) KINT_OPND64(pc, op, f)
#define VIN(op, f) kint_v128_load(fp + OPND(op, f))
#define VOUT(op, v) kint_v128_store(fp + OPND(op, dst), (v))
#define HELPER(op) static int h_##op(kint_thread *th, uint64_t *fp, const kint_word *pc)
#define UNUSED_TH (void)th

/* The address of an access of n bytes to memory `mem` at addr + offset,
 * or NULL when it is out of bounds. */
static uint8_t *at(kint_thread *th, uint32_t mem, uint64_t addr, uint64_t offset, uint64_t n)
{
    return krt_memory_ptr(th->top->ki->mems[mem], addr, offset, n);
}

/* Address forms (interp/exec.c's ADDR_*): 32-bit sums into memory 0. */
#define A_PLAIN(op) ((uint64_t)(uint32_t)fp[OPND(op, addr)])
#define A_ADD(op) ((uint64_t)kint_i32_add((uint32_t)fp[OPND(op, a)], (uint32_t)fp[OPND(op, b)]))
#define A_ADD_I(op) ((uint64_t)kint_i32_add((uint32_t)fp[OPND(op, a)], OPND(op, imm)))
#define A_SHL_ADD(op) \
    ((uint64_t)kint_i32_add((uint32_t)fp[OPND(op, a)], kint_i32_shl((uint32_t)fp[OPND(op, x)], OPND(op, k))))
/* p = memory 0 at the address form's value + the 32-bit offset, or trap. */
#define MEM0(p, op, addr, n)                                      \
    uint8_t *p = at(th, 0, (addr), OPND(op, offset), (n));        \
    if (!p)                                                       \
        return KITE_TRAP_MEMORY_OUT_OF_BOUNDS
/* p = memory `mem` at the 64-bit address and offset, or trap. */
#define CHECKED(p, op, n)                                                         \
    uint8_t *p = at(th, OPND(op, mem), fp[OPND(op, addr)], OPND64(op, offset), (n)); \
    if (!p)                                                                       \
        return KITE_TRAP_MEMORY_OUT_OF_BOUNDS

#define UN(id)                                 \
    HELPER(id)                                 \
    {                                          \
        UNUSED_TH;                             \
        VOUT(id, kint_simd_##id(VIN(id, a)));  \
        return 0;                              \
    }
#define BIN(id)                                            \
    HELPER(id)                                             \
    {                                                      \
        UNUSED_TH;                                         \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b)));  \
        return 0;                                          \
    }
#define BINM(id)                                                                     \
    BIN(id)                                                                          \
    HELPER(BL_##id)                                                                  \
    {                                                                                \
        MEM0(p_, BL_##id, A_PLAIN(BL_##id), 16);                                     \
        VOUT(BL_##id, kint_simd_##id(VIN(BL_##id, a), kint_simd_V128_LOAD(p_)));     \
        return 0;                                                                    \
    }                                                                                \
    HELPER(BS_##id)                                                                  \
    {                                                                                \
        MEM0(p_, BS_##id, A_PLAIN(BS_##id), 16);                                     \
        kint_simd_V128_STORE(p_, kint_simd_##id(VIN(BS_##id, a), VIN(BS_##id, b)));  \
        return 0;                                                                    \
    }                                                                                \
    HELPER(BU_##id)                                                                  \
    {                                                                                \
        MEM0(p_, BU_##id, A_PLAIN(BU_##id), 16);                                     \
        kint_simd_V128_STORE(p_, kint_simd_##id(VIN(BU_##id, a), kint_simd_V128_LOAD(p_))); \
        return 0;                                                                    \
    }
#define TERN(id)                                                       \
    HELPER(id)                                                         \
    {                                                                  \
        UNUSED_TH;                                                     \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b), VIN(id, c)));  \
        return 0;                                                      \
    }
#define SHIFT(id)                                                             \
    HELPER(id)                                                                \
    {                                                                         \
        UNUSED_TH;                                                            \
        VOUT(id, kint_simd_##id(VIN(id, a), (uint32_t)fp[OPND(id, b)]));      \
        return 0;                                                             \
    }
#define TEST(id)                                       \
    HELPER(id)                                         \
    {                                                  \
        UNUSED_TH;                                     \
        fp[OPND(id, dst)] = kint_simd_##id(VIN(id, a)); \
        return 0;                                      \
    }
#define SPLAT(id)                                  \
    HELPER(id)                                     \
    {                                              \
        UNUSED_TH;                                 \
        VOUT(id, kint_simd_##id(fp[OPND(id, a)])); \
        return 0;                                  \
    }
#define EXTRACT(id)                                                      \
    HELPER(id)                                                           \
    {                                                                    \
        UNUSED_TH;                                                       \
        fp[OPND(id, dst)] = kint_simd_##id(VIN(id, a), OPND(id, lane));  \
        return 0;                                                        \
    }
#define REPLACE(id)                                                                \
    HELPER(id)                                                                     \
    {                                                                              \
        UNUSED_TH;                                                                 \
        VOUT(id, kint_simd_##id(VIN(id, a), OPND(id, lane), fp[OPND(id, b)]));     \
        return 0;                                                                  \
    }
#define SHUFFLE(id)                                                                               \
    HELPER(id)                                                                                    \
    {                                                                                             \
        UNUSED_TH;                                                                                \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b), (const uint8_t *)&OPND64(id, mask_lo)));  \
        return 0;                                                                                 \
    }                                                                                             \
    HELPER(id##1)                                                                                 \
    {                                                                                             \
        UNUSED_TH;                                                                                \
        VOUT(id##1, kint_simd_shuffle1(VIN(id##1, a), (const uint8_t *)&OPND64(id##1, mask_lo))); \
        return 0;                                                                                 \
    }
#define CONST(id)                                          \
    HELPER(CONST2)                                         \
    {                                                      \
        UNUSED_TH;                                         \
        fp[OPND(CONST2, dst)] = OPND64(CONST2, value);     \
        fp[OPND(CONST2, dst) + 1] = OPND64(CONST2, value_hi); \
        return 0;                                          \
    }
#define LOAD(id)                                                  \
    HELPER(id)                                                    \
    {                                                             \
        MEM0(p_, id, A_PLAIN(id), KJIT_SIMD_WIDTH_##id);          \
        VOUT(id, kint_simd_##id(p_));                             \
        return 0;                                                 \
    }                                                             \
    HELPER(C_##id)                                                \
    {                                                             \
        CHECKED(p_, C_##id, KJIT_SIMD_WIDTH_##id);                \
        VOUT(C_##id, kint_simd_##id(p_));                         \
        return 0;                                                 \
    }                                                             \
    HELPER(LA_##id)                                               \
    {                                                             \
        MEM0(p_, LA_##id, A_ADD(LA_##id), KJIT_SIMD_WIDTH_##id);  \
        VOUT(LA_##id, kint_simd_##id(p_));                        \
        return 0;                                                 \
    }                                                             \
    HELPER(LAI_##id)                                              \
    {                                                             \
        MEM0(p_, LAI_##id, A_ADD_I(LAI_##id), KJIT_SIMD_WIDTH_##id); \
        VOUT(LAI_##id, kint_simd_##id(p_));                       \
        return 0;                                                 \
    }                                                             \
    HELPER(LSA_##id)                                              \
    {                                                             \
        MEM0(p_, LSA_##id, A_SHL_ADD(LSA_##id), KJIT_SIMD_WIDTH_##id); \
        VOUT(LSA_##id, kint_simd_##id(p_));                       \
        return 0;                                                 \
    }
#define STORE(id)                                                 \
    HELPER(id)                                                    \
    {                                                             \
        MEM0(p_, id, A_PLAIN(id), KJIT_SIMD_WIDTH_##id);          \
        kint_simd_##id(p_, VIN(id, val));                         \
        return 0;                                                 \
    }                                                             \
    HELPER(C_##id)                                                \
    {                                                             \
        CHECKED(p_, C_##id, KJIT_SIMD_WIDTH_##id);                \
        kint_simd_##id(p_, VIN(C_##id, val));                     \
        return 0;                                                 \
    }                                                             \
    HELPER(SA_##id)                                               \
    {                                                             \
        MEM0(p_, SA_##id, A_ADD(SA_##id), KJIT_SIMD_WIDTH_##id);  \
        kint_simd_##id(p_, VIN(SA_##id, val));                    \
        return 0;                                                 \
    }                                                             \
    HELPER(SAI_##id)                                              \
    {                                                             \
        MEM0(p_, SAI_##id, A_ADD_I(SAI_##id), KJIT_SIMD_WIDTH_##id); \
        kint_simd_##id(p_, VIN(SAI_##id, val));                   \
        return 0;                                                 \
    }                                                             \
    HELPER(SSA_##id)                                              \
    {                                                             \
        MEM0(p_, SSA_##id, A_SHL_ADD(SSA_##id), KJIT_SIMD_WIDTH_##id); \
        kint_simd_##id(p_, VIN(SSA_##id, val));                   \
        return 0;                                                 \
    }
#define LOAD_LANE(id)                                              \
    HELPER(id)                                                     \
    {                                                              \
        CHECKED(p_, id, KJIT_SIMD_WIDTH_##id);                     \
        VOUT(id, kint_simd_##id(p_, VIN(id, a), OPND(id, lane)));  \
        return 0;                                                  \
    }
#define STORE_LANE(id)                                             \
    HELPER(id)                                                     \
    {                                                              \
        CHECKED(p_, id, KJIT_SIMD_WIDTH_##id);                     \
        kint_simd_##id(p_, VIN(id, val), OPND(id, lane));          \
        return 0;                                                  \
    }
#include "interp/simd_ops.def"

/* The table: the same list, naming each helper at its op. */
#define E(op) [KINT_OP_##op] = h_##op,
#define UN(id) E(id)
#define BIN(id) E(id)
#define BINM(id) E(id) E(BL_##id) E(BS_##id) E(BU_##id)
#define TERN(id) E(id)
#define SHIFT(id) E(id)
#define TEST(id) E(id)
#define SPLAT(id) E(id)
#define EXTRACT(id) E(id)
#define REPLACE(id) E(id)
#define SHUFFLE(id) E(id) E(id##1)
#define CONST(id) E(CONST2)
#define LOAD(id) E(id) E(C_##id) E(LA_##id) E(LAI_##id) E(LSA_##id)
#define STORE(id) E(id) E(C_##id) E(SA_##id) E(SAI_##id) E(SSA_##id)
#define LOAD_LANE(id) E(id)
#define STORE_LANE(id) E(id)
const kjit_simd_helper kjit_h_simd[KINT_OP_COUNT] = {
#include "interp/simd_ops.def"
};
#undef E
