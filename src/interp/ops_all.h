/*
 * Every internal instruction, as KINT_OP(name, layout) lines: include this
 * file with KINT_OP defined (it is undefined afterwards). The list is
 * derived from the three tables:
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
 *   ops.def           everything else.
 *
 * Layout notation: after the handler word, each [x|y] is one 64-bit word
 * whose low half is x and high half is y (32 bits each); a bare [x] is a
 * whole 64-bit word. Operands named a, b, src, dst, base ... are frame slot
 * indices (fp[i]); imm is an immediate (32 bits, sign-extended for i64
 * operations); off is a signed branch offset in words from the start of
 * the instruction; fuel is the fuel a taken backward branch costs.
 */
#define UN(id, fn, a, r) KINT_OP(id, "[a|dst]")
#define TEST(id, fn, a) KINT_OP(id, "[a|dst]") KINT_OP(BR_##id, "[a|-][off|fuel]") \
    KINT_OP(BRN_##id, "[a|-][off|fuel]")
#define BIN(id, fn, a, r) KINT_OP(id, "[a|b][dst|-]")
#define CMP(id, fn, a) KINT_OP(id, "[a|b][dst|-]") KINT_OP(BR_##id, "[a|b][off|fuel]") \
    KINT_OP(BRN_##id, "[a|b][off|fuel]")
#define BINI(id, fn, a, r) BIN(id, fn, a, r) KINT_OP(id##_I, "[a|imm][dst|-]")
#define CMPI(id, fn, a) CMP(id, fn, a) KINT_OP(id##_I, "[a|imm][dst|-]") \
    KINT_OP(BR_##id##_I, "[a|imm][off|fuel]") KINT_OP(BRN_##id##_I, "[a|imm][off|fuel]")
#define TRAP_UN(id, fn, a, R) KINT_OP(id, "[a|dst]")
#define TRAP_BIN(id, fn, R) KINT_OP(id, "[a|b][dst|-]")
#define WIDE4(id, fn) KINT_OP(id, "[a|b][c|d][dst_lo|dst_hi]")
#define WIDE2(id, fn) KINT_OP(id, "[a|b][dst_lo|dst_hi]")
#include "interp/numeric_ops.def"
#undef UN
#undef TEST
#undef BIN
#undef CMP
#undef BINI
#undef CMPI
#undef TRAP_UN
#undef TRAP_BIN
#undef WIDE4
#undef WIDE2

#define LOAD(id, T, X) KINT_OP(id, "[addr|dst][offset|-]") \
    KINT_OP(C_##id, "[addr|dst][mem|-][offset]") \
    KINT_OP(LA_##id, "[a|b][dst|offset]  address a + b") \
    KINT_OP(LAI_##id, "[a|imm][dst|offset]  address a + imm") \
    KINT_OP(LSA_##id, "[x|imm k][a|dst][offset|-]  address a + (x << k)")
#define STORE(id, T) KINT_OP(id, "[addr|val][offset|-]") \
    KINT_OP(C_##id, "[addr|val][mem|-][offset]") \
    KINT_OP(SA_##id, "[a|b][val|offset]  address a + b") \
    KINT_OP(SAI_##id, "[a|imm][val|offset]  address a + imm") \
    KINT_OP(SSA_##id, "[x|imm k][a|val][offset|-]  address a + (x << k)")
#define ALOAD(id, T, X) KINT_OP(id, "[addr|dst][mem|-][offset]")
#define ASTORE(id, T) KINT_OP(id, "[addr|val][mem|-][offset]")
#define ARMW(id, T, X, OP) KINT_OP(id, "[addr|val][mem|dst][offset]")
#define ACMPXCHG(id, T, X) KINT_OP(id, "[addr|expected][mem|dst][offset][replacement|-]")
#include "interp/memory_ops.def"
#undef LOAD
#undef STORE
#undef ALOAD
#undef ASTORE
#undef ARMW
#undef ACMPXCHG

#define KINT_FCHAIN_OP(T, t, L, O1, o1, O2, o2) \
    KINT_OP(T##_##O1##_##O2##_L, "[a|b][c|dst]") KINT_OP(T##_##O1##_##O2##_R, "[a|b][c|dst]")
KINT_FCHAIN(KINT_FCHAIN_OP)
#undef KINT_FCHAIN_OP

#include "interp/ops.def"
#undef KINT_OP
