/*
 * Every internal instruction, as KINT_OP(name, shape) lines: include this
 * file with KINT_OP defined (it is undefined afterwards). `shape` names
 * the instruction's operand layout in layout.h. The list is derived from
 * the three tables:
 *
 *   numeric_ops.def   one op per numeric Wasm instruction (same id), and for
 *                     comparisons and tests two fused conditional branches:
 *                     BR_<id> (jump if the result is 1) and BRN_<id> (if 0);
 *                     <id>_I forms with an immediate second operand for the
 *                     BINI and CMPI lines (and BR_/BRN_<id>_I);
 *   memory_ops.def    loads and stores: <id> for memory 0 in the guarded
 *                     layout (no bounds check) and C_<id> bounds-checked for
 *                     any memory; atomics are always checked. Guarded loads
 *                     and stores also come fused with the address
 *                     computation before them: LA_/SA_<id> with an i32.add,
 *                     LAI_/SAI_<id> with an i32.add of an immediate,
 *                     LSA_/SSA_<id> with an i32.add of an i32.shl by an
 *                     immediate;
 *   KINT_FCHAIN       (code.h) pairs of float additions, subtractions and
 *                     multiplications where one feeds the other;
 *   simd_ops.def      one op per SIMD instruction (same id), the memory
 *                     forms also checked (C_) and fused with an address
 *                     computation (LA_, LAI_, LSA_, SA_, SAI_, SSA_);
 *                     the BINM/BINMC lines also with b loaded (BL_<id>)
 *                     and with the result stored (BS_<id>), or both at
 *                     one address (BU_<id>); I8X16_SHUFFLE1 a shuffle
 *                     of one operand;
 *   ops.def           everything else.
 */
/* A shape chosen by macro (the immediate forms by operand type): expanded
 * before KINT_OP pastes it. */
#define KINT_OP_(name, shape) KINT_OP(name, shape)
#define KINT_IMM_SHAPE_i BINARY_IMM
#define KINT_IMM_SHAPE_I BINARY_IMM64
#define KINT_BR_IMM_SHAPE_i BR_BINARY_IMM
#define KINT_BR_IMM_SHAPE_I BR_BINARY_IMM64

#define UN(id, fn, a, r) KINT_OP(id, UNARY)
#define TEST(id, fn, a) KINT_OP(id, UNARY) KINT_OP(BR_##id, BR_UNARY) KINT_OP(BRN_##id, BR_UNARY)
#define BIN(id, fn, a, r) KINT_OP(id, BINARY)
#define CMP(id, fn, a) KINT_OP(id, BINARY) KINT_OP(BR_##id, BR_BINARY) KINT_OP(BRN_##id, BR_BINARY)
#define BINI(id, fn, a, r) BIN(id, fn, a, r) KINT_OP_(id##_I, KINT_IMM_SHAPE_##a)
#define CMPI(id, fn, a)                                                                        \
    CMP(id, fn, a) KINT_OP_(id##_I, KINT_IMM_SHAPE_##a) KINT_OP_(BR_##id##_I, KINT_BR_IMM_SHAPE_##a) \
    KINT_OP_(BRN_##id##_I, KINT_BR_IMM_SHAPE_##a)
#define TRAP_UN(id, fn, a, R) KINT_OP(id, UNARY)
#define TRAP_BIN(id, fn, R) KINT_OP(id, BINARY)
#define WIDE4(id, fn) KINT_OP(id, WIDE4)
#define WIDE2(id, fn) KINT_OP(id, WIDE2)
#include "interp/numeric_ops.def"

#define LOAD(id, T, X)                                                                    \
    KINT_OP(id, LOAD) KINT_OP(C_##id, LOAD_CHECKED) KINT_OP(LA_##id, LOAD_ADD)            \
    KINT_OP(LAI_##id, LOAD_ADD_IMM) KINT_OP(LSA_##id, LOAD_SHL_ADD)
#define STORE(id, T)                                                                      \
    KINT_OP(id, STORE) KINT_OP(C_##id, STORE_CHECKED) KINT_OP(SA_##id, STORE_ADD)         \
    KINT_OP(SAI_##id, STORE_ADD_IMM) KINT_OP(SSA_##id, STORE_SHL_ADD)
#define ALOAD(id, T, X) KINT_OP(id, LOAD_CHECKED)
#define ASTORE(id, T) KINT_OP(id, STORE_CHECKED)
#define ARMW(id, T, X, OP) KINT_OP(id, ATOMIC_RMW)
#define ACMPXCHG(id, T, X) KINT_OP(id, ATOMIC_CMPXCHG)
#include "interp/memory_ops.def"

#define KINT_FCHAIN_OP(T, t, L, O1, o1, O2, o2) \
    KINT_OP(T##_##O1##_##O2##_L, FCHAIN) KINT_OP(T##_##O1##_##O2##_R, FCHAIN)
KINT_FCHAIN(KINT_FCHAIN_OP)
#undef KINT_FCHAIN_OP

#define UN(id) KINT_OP(id, SIMD_UNARY)
#define BIN(id) KINT_OP(id, SIMD_BINARY)
#define BINM(id)                                                                                    \
    KINT_OP(id, SIMD_BINARY) KINT_OP(BL_##id, SIMD_BINARY_LOAD) KINT_OP(BS_##id, SIMD_BINARY_STORE) \
    KINT_OP(BU_##id, SIMD_BINARY_UPDATE)
#define TERN(id) KINT_OP(id, SIMD_TERNARY)
#define SHIFT(id) KINT_OP(id, SIMD_SHIFT)
#define TEST(id) KINT_OP(id, SIMD_TEST)
#define SPLAT(id) KINT_OP(id, SIMD_SPLAT)
#define EXTRACT(id) KINT_OP(id, SIMD_EXTRACT)
#define REPLACE(id) KINT_OP(id, SIMD_REPLACE)
#define SHUFFLE(id) KINT_OP(id, SIMD_SHUFFLE) KINT_OP(id##1, SIMD_SHUFFLE1)
#define CONST(id) KINT_OP(CONST2, CONST2)
#define LOAD(id)                                                                          \
    KINT_OP(id, SIMD_LOAD) KINT_OP(C_##id, SIMD_LOAD_CHECKED) KINT_OP(LA_##id, SIMD_LOAD_ADD) \
    KINT_OP(LAI_##id, SIMD_LOAD_ADD_IMM) KINT_OP(LSA_##id, SIMD_LOAD_SHL_ADD)
#define STORE(id)                                                                         \
    KINT_OP(id, SIMD_STORE) KINT_OP(C_##id, SIMD_STORE_CHECKED) KINT_OP(SA_##id, SIMD_STORE_ADD) \
    KINT_OP(SAI_##id, SIMD_STORE_ADD_IMM) KINT_OP(SSA_##id, SIMD_STORE_SHL_ADD)
#define LOAD_LANE(id) KINT_OP(id, SIMD_LOAD_LANE)
#define STORE_LANE(id) KINT_OP(id, SIMD_STORE_LANE)
#include "interp/simd_ops.def"

#include "interp/ops.def"
#undef KINT_OP
#undef KINT_OP_
#undef KINT_IMM_SHAPE_i
#undef KINT_IMM_SHAPE_I
#undef KINT_BR_IMM_SHAPE_i
#undef KINT_BR_IMM_SHAPE_I
