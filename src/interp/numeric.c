/*
 * The out-of-line part of the numeric core: trap messages and a generic
 * evaluator over 64-bit slots (for constant expressions, tests and as the
 * reference the JIT is compared against). The interpreter's own dispatch
 * calls the inline functions of numeric.h directly.
 */
#include "interp/numeric.h"

const char *kint_trap_message(kint_trapcode code)
{
    switch (code) {
    case KINT_TRAP_NONE: return "";
    case KINT_TRAP_INT_DIV_BY_ZERO: return "integer divide by zero";
    case KINT_TRAP_INT_OVERFLOW: return "integer overflow";
    case KINT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    }
    return "unknown trap";
}

/* Slot readers and writers by the opcode table's type letters. */
#define GET_i(v) ((uint32_t)(v))
#define GET_I(v) ((uint64_t)(v))
#define GET_f(v) kint_f32_from_bits((uint32_t)(v))
#define GET_F(v) kint_f64_from_bits((uint64_t)(v))
#define PUT_i(x) ((uint64_t)(uint32_t)(x))
#define PUT_I(x) ((uint64_t)(x))
#define PUT_f(x) ((uint64_t)kint_f32_bits(x))
#define PUT_F(x) kint_f64_bits(x)

/* One line per instruction: unary, binary, and trapping unary/binary
 * (the trapping ones write through a temporary of the result type). */
#define UN(id, fn, a, r)                    \
    case KIR_OP_##id:                       \
        results[0] = PUT_##r(fn(GET_##a(args[0]))); \
        break;
#define BIN(id, fn, a, r)                   \
    case KIR_OP_##id:                       \
        results[0] = PUT_##r(fn(GET_##a(args[0]), GET_##a(args[1]))); \
        break;
#define TRAP_UN(id, fn, a, R)               \
    case KIR_OP_##id: {                     \
        R v_;                               \
        *trap = fn(GET_##a(args[0]), &v_);  \
        if (*trap == KINT_TRAP_NONE)        \
            results[0] = v_;                \
        return true;                        \
    }
#define TRAP_BIN(id, fn, R)                                  \
    case KIR_OP_##id: {                                      \
        R v_;                                                \
        *trap = fn((R)args[0], (R)args[1], &v_);             \
        if (*trap == KINT_TRAP_NONE)                         \
            results[0] = v_;                                 \
        return true;                                         \
    }

bool kint_numeric_eval(kir_op op, const uint64_t *args, uint64_t *results, kint_trapcode *trap)
{
    switch (op) {
    /* i32 */
    UN(I32_EQZ, kint_i32_eqz, i, i)
    BIN(I32_EQ, kint_i32_eq, i, i)
    BIN(I32_NE, kint_i32_ne, i, i)
    BIN(I32_LT_S, kint_i32_lt_s, i, i)
    BIN(I32_LT_U, kint_i32_lt_u, i, i)
    BIN(I32_GT_S, kint_i32_gt_s, i, i)
    BIN(I32_GT_U, kint_i32_gt_u, i, i)
    BIN(I32_LE_S, kint_i32_le_s, i, i)
    BIN(I32_LE_U, kint_i32_le_u, i, i)
    BIN(I32_GE_S, kint_i32_ge_s, i, i)
    BIN(I32_GE_U, kint_i32_ge_u, i, i)
    UN(I32_CLZ, kint_i32_clz, i, i)
    UN(I32_CTZ, kint_i32_ctz, i, i)
    UN(I32_POPCNT, kint_i32_popcnt, i, i)
    BIN(I32_ADD, kint_i32_add, i, i)
    BIN(I32_SUB, kint_i32_sub, i, i)
    BIN(I32_MUL, kint_i32_mul, i, i)
    TRAP_BIN(I32_DIV_S, kint_i32_div_s, uint32_t)
    TRAP_BIN(I32_DIV_U, kint_i32_div_u, uint32_t)
    TRAP_BIN(I32_REM_S, kint_i32_rem_s, uint32_t)
    TRAP_BIN(I32_REM_U, kint_i32_rem_u, uint32_t)
    BIN(I32_AND, kint_i32_and, i, i)
    BIN(I32_OR, kint_i32_or, i, i)
    BIN(I32_XOR, kint_i32_xor, i, i)
    BIN(I32_SHL, kint_i32_shl, i, i)
    BIN(I32_SHR_S, kint_i32_shr_s, i, i)
    BIN(I32_SHR_U, kint_i32_shr_u, i, i)
    BIN(I32_ROTL, kint_i32_rotl, i, i)
    BIN(I32_ROTR, kint_i32_rotr, i, i)
    UN(I32_EXTEND8_S, kint_i32_extend8_s, i, i)
    UN(I32_EXTEND16_S, kint_i32_extend16_s, i, i)

    /* i64 */
    UN(I64_EQZ, kint_i64_eqz, I, i)
    BIN(I64_EQ, kint_i64_eq, I, i)
    BIN(I64_NE, kint_i64_ne, I, i)
    BIN(I64_LT_S, kint_i64_lt_s, I, i)
    BIN(I64_LT_U, kint_i64_lt_u, I, i)
    BIN(I64_GT_S, kint_i64_gt_s, I, i)
    BIN(I64_GT_U, kint_i64_gt_u, I, i)
    BIN(I64_LE_S, kint_i64_le_s, I, i)
    BIN(I64_LE_U, kint_i64_le_u, I, i)
    BIN(I64_GE_S, kint_i64_ge_s, I, i)
    BIN(I64_GE_U, kint_i64_ge_u, I, i)
    UN(I64_CLZ, kint_i64_clz, I, I)
    UN(I64_CTZ, kint_i64_ctz, I, I)
    UN(I64_POPCNT, kint_i64_popcnt, I, I)
    BIN(I64_ADD, kint_i64_add, I, I)
    BIN(I64_SUB, kint_i64_sub, I, I)
    BIN(I64_MUL, kint_i64_mul, I, I)
    TRAP_BIN(I64_DIV_S, kint_i64_div_s, uint64_t)
    TRAP_BIN(I64_DIV_U, kint_i64_div_u, uint64_t)
    TRAP_BIN(I64_REM_S, kint_i64_rem_s, uint64_t)
    TRAP_BIN(I64_REM_U, kint_i64_rem_u, uint64_t)
    BIN(I64_AND, kint_i64_and, I, I)
    BIN(I64_OR, kint_i64_or, I, I)
    BIN(I64_XOR, kint_i64_xor, I, I)
    BIN(I64_SHL, kint_i64_shl, I, I)
    BIN(I64_SHR_S, kint_i64_shr_s, I, I)
    BIN(I64_SHR_U, kint_i64_shr_u, I, I)
    BIN(I64_ROTL, kint_i64_rotl, I, I)
    BIN(I64_ROTR, kint_i64_rotr, I, I)
    UN(I64_EXTEND8_S, kint_i64_extend8_s, I, I)
    UN(I64_EXTEND16_S, kint_i64_extend16_s, I, I)
    UN(I64_EXTEND32_S, kint_i64_extend32_s, I, I)

    /* f32 */
    BIN(F32_EQ, kint_f32_eq, f, i)
    BIN(F32_NE, kint_f32_ne, f, i)
    BIN(F32_LT, kint_f32_lt, f, i)
    BIN(F32_GT, kint_f32_gt, f, i)
    BIN(F32_LE, kint_f32_le, f, i)
    BIN(F32_GE, kint_f32_ge, f, i)
    UN(F32_ABS, kint_f32_abs, f, f)
    UN(F32_NEG, kint_f32_neg, f, f)
    UN(F32_CEIL, kint_f32_ceil, f, f)
    UN(F32_FLOOR, kint_f32_floor, f, f)
    UN(F32_TRUNC, kint_f32_trunc, f, f)
    UN(F32_NEAREST, kint_f32_nearest, f, f)
    UN(F32_SQRT, kint_f32_sqrt, f, f)
    BIN(F32_ADD, kint_f32_add, f, f)
    BIN(F32_SUB, kint_f32_sub, f, f)
    BIN(F32_MUL, kint_f32_mul, f, f)
    BIN(F32_DIV, kint_f32_div, f, f)
    BIN(F32_MIN, kint_f32_min, f, f)
    BIN(F32_MAX, kint_f32_max, f, f)
    BIN(F32_COPYSIGN, kint_f32_copysign, f, f)

    /* f64 */
    BIN(F64_EQ, kint_f64_eq, F, i)
    BIN(F64_NE, kint_f64_ne, F, i)
    BIN(F64_LT, kint_f64_lt, F, i)
    BIN(F64_GT, kint_f64_gt, F, i)
    BIN(F64_LE, kint_f64_le, F, i)
    BIN(F64_GE, kint_f64_ge, F, i)
    UN(F64_ABS, kint_f64_abs, F, F)
    UN(F64_NEG, kint_f64_neg, F, F)
    UN(F64_CEIL, kint_f64_ceil, F, F)
    UN(F64_FLOOR, kint_f64_floor, F, F)
    UN(F64_TRUNC, kint_f64_trunc, F, F)
    UN(F64_NEAREST, kint_f64_nearest, F, F)
    UN(F64_SQRT, kint_f64_sqrt, F, F)
    BIN(F64_ADD, kint_f64_add, F, F)
    BIN(F64_SUB, kint_f64_sub, F, F)
    BIN(F64_MUL, kint_f64_mul, F, F)
    BIN(F64_DIV, kint_f64_div, F, F)
    BIN(F64_MIN, kint_f64_min, F, F)
    BIN(F64_MAX, kint_f64_max, F, F)
    BIN(F64_COPYSIGN, kint_f64_copysign, F, F)

    /* conversions */
    UN(I32_WRAP_I64, kint_i32_wrap_i64, I, i)
    TRAP_UN(I32_TRUNC_F32_S, kint_i32_trunc_f32_s, f, uint32_t)
    TRAP_UN(I32_TRUNC_F32_U, kint_i32_trunc_f32_u, f, uint32_t)
    TRAP_UN(I32_TRUNC_F64_S, kint_i32_trunc_f64_s, F, uint32_t)
    TRAP_UN(I32_TRUNC_F64_U, kint_i32_trunc_f64_u, F, uint32_t)
    UN(I64_EXTEND_I32_S, kint_i64_extend_i32_s, i, I)
    UN(I64_EXTEND_I32_U, kint_i64_extend_i32_u, i, I)
    TRAP_UN(I64_TRUNC_F32_S, kint_i64_trunc_f32_s, f, uint64_t)
    TRAP_UN(I64_TRUNC_F32_U, kint_i64_trunc_f32_u, f, uint64_t)
    TRAP_UN(I64_TRUNC_F64_S, kint_i64_trunc_f64_s, F, uint64_t)
    TRAP_UN(I64_TRUNC_F64_U, kint_i64_trunc_f64_u, F, uint64_t)
    UN(F32_CONVERT_I32_S, kint_f32_convert_i32_s, i, f)
    UN(F32_CONVERT_I32_U, kint_f32_convert_i32_u, i, f)
    UN(F32_CONVERT_I64_S, kint_f32_convert_i64_s, I, f)
    UN(F32_CONVERT_I64_U, kint_f32_convert_i64_u, I, f)
    UN(F32_DEMOTE_F64, kint_f32_demote_f64, F, f)
    UN(F64_CONVERT_I32_S, kint_f64_convert_i32_s, i, F)
    UN(F64_CONVERT_I32_U, kint_f64_convert_i32_u, i, F)
    UN(F64_CONVERT_I64_S, kint_f64_convert_i64_s, I, F)
    UN(F64_CONVERT_I64_U, kint_f64_convert_i64_u, I, F)
    UN(F64_PROMOTE_F32, kint_f64_promote_f32, f, F)
    UN(I32_REINTERPRET_F32, kint_i32_reinterpret_f32, f, i)
    UN(I64_REINTERPRET_F64, kint_i64_reinterpret_f64, F, I)
    UN(F32_REINTERPRET_I32, kint_f32_reinterpret_i32, i, f)
    UN(F64_REINTERPRET_I64, kint_f64_reinterpret_i64, I, F)
    UN(I32_TRUNC_SAT_F32_S, kint_i32_trunc_sat_f32_s, f, i)
    UN(I32_TRUNC_SAT_F32_U, kint_i32_trunc_sat_f32_u, f, i)
    UN(I32_TRUNC_SAT_F64_S, kint_i32_trunc_sat_f64_s, F, i)
    UN(I32_TRUNC_SAT_F64_U, kint_i32_trunc_sat_f64_u, F, i)
    UN(I64_TRUNC_SAT_F32_S, kint_i64_trunc_sat_f32_s, f, I)
    UN(I64_TRUNC_SAT_F32_U, kint_i64_trunc_sat_f32_u, f, I)
    UN(I64_TRUNC_SAT_F64_S, kint_i64_trunc_sat_f64_s, F, I)
    UN(I64_TRUNC_SAT_F64_U, kint_i64_trunc_sat_f64_u, F, I)

    /* wide arithmetic */
    case KIR_OP_I64_ADD128:
        kint_i64_add128(args[0], args[1], args[2], args[3], &results[0], &results[1]);
        break;
    case KIR_OP_I64_SUB128:
        kint_i64_sub128(args[0], args[1], args[2], args[3], &results[0], &results[1]);
        break;
    case KIR_OP_I64_MUL_WIDE_S:
        kint_i64_mul_wide_s(args[0], args[1], &results[0], &results[1]);
        break;
    case KIR_OP_I64_MUL_WIDE_U:
        kint_i64_mul_wide_u(args[0], args[1], &results[0], &results[1]);
        break;

    default:
        return false;
    }
    *trap = KINT_TRAP_NONE;
    return true;
}
