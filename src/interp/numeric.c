/*
 * The out-of-line part of the numeric core: trap messages and a generic
 * evaluator over 64-bit slots (for constant expressions and tests, and the
 * reference a compiler tier will be compared against). The interpreter's own dispatch
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

/*
 * numeric_ops.def gives each instruction's operand and result types as the
 * opcode table's letters (the executor picks its slot conversions by them);
 * here they are checked against the C types of the function that
 * implements the instruction. That the letters are the opcode table's
 * signature (src/ir/opcodes.def, a string, which C cannot take apart at
 * compile time) is checked by tests/unit/test_interp_layout.c.
 */
#define CTYPE_i uint32_t
#define CTYPE_I uint64_t
#define CTYPE_f float
#define CTYPE_F double
#define TYPED(id, fn, type) \
    _Static_assert(_Generic(&fn, type: 1, default: 0), #id ": the C types of " #fn " differ from its letters");
#define UN(id, fn, a, r) TYPED(id, fn, CTYPE_##r (*)(CTYPE_##a))
#define TEST(id, fn, a) UN(id, fn, a, i)
#define BIN(id, fn, a, r) TYPED(id, fn, CTYPE_##r (*)(CTYPE_##a, CTYPE_##a))
#define CMP(id, fn, a) BIN(id, fn, a, i)
#define BINI BIN
#define CMPI CMP
#define TRAP_UN(id, fn, a, R) TYPED(id, fn, kint_trapcode (*)(CTYPE_##a, R *))
#define TRAP_BIN(id, fn, R) TYPED(id, fn, kint_trapcode (*)(R, R, R *))
#define WIDE4(id, fn) TYPED(id, fn, void (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t *, uint64_t *))
#define WIDE2(id, fn) TYPED(id, fn, void (*)(uint64_t, uint64_t, uint64_t *, uint64_t *))
#include "interp/numeric_ops.def"
#undef TYPED

/* Slot readers and writers by the opcode table's type letters. */
#define GET_i(v) ((uint32_t)(v))
#define GET_I(v) ((uint64_t)(v))
#define GET_f(v) kint_f32_from_bits((uint32_t)(v))
#define GET_F(v) kint_f64_from_bits((uint64_t)(v))
#define PUT_i(x) ((uint64_t)(uint32_t)(x))
#define PUT_I(x) ((uint64_t)(x))
#define PUT_f(x) ((uint64_t)kint_f32_bits(x))
#define PUT_F(x) kint_f64_bits(x)

/* The line kinds of numeric_ops.def: unary, binary, and trapping
 * unary/binary (the trapping ones write through a temporary of the result
 * type). */
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
#define TEST(id, fn, a) UN(id, fn, a, i)
#define CMP(id, fn, a) BIN(id, fn, a, i)
#define BINI BIN
#define CMPI CMP
#define WIDE4(id, fn)                                                                  \
    case KIR_OP_##id:                                                                  \
        fn(args[0], args[1], args[2], args[3], &results[0], &results[1]);               \
        break;
#define WIDE2(id, fn)                                                                  \
    case KIR_OP_##id:                                                                  \
        fn(args[0], args[1], &results[0], &results[1]);                                \
        break;
#include "interp/numeric_ops.def"

    default:
        return false;
    }
    *trap = KINT_TRAP_NONE;
    return true;
}
