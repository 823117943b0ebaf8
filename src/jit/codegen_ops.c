/*
 * Numeric, memory and fused instructions: how each lowers to the
 * macro-assembler.
 *
 * The numeric ops come from interp/numeric_ops.def, the same table the
 * interpreter's handlers and translator are made from. Each Wasm numeric
 * instruction gets one lowering below (LOWER_<id>: a kind and its
 * parameters); the op table g_num is derived from the .def with every
 * form of the instruction (plain, immediate operand, fused branch if
 * true, if false), so an instruction without a lowering is a compile
 * error here, not a gap found at run time.
 */
#include <string.h>

#include "interp/numeric.h"
#include "jit/codegen.h"

#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))

/* Lowering kinds. */
enum {
    N_NONE, N_ALU, N_SHIFT, N_DIV, N_CMP, N_EQZ, N_UNOP, N_WRAP, N_ZEXT, N_FALU, N_FCMP, N_FABS, N_FNEG,
    N_FROUND, N_FSQRT, N_FMIN, N_FMAX, N_FCOPYSIGN, N_CONVERT, N_FCVT, N_F2I, N_I2F, N_TRUNC, N_TRUNC_SAT,
    N_EXEC,
};
/* Forms of an instruction. */
enum { FORM_PLAIN, FORM_IMM, FORM_BR, FORM_BRN, FORM_BR_IMM, FORM_BRN_IMM };

/*
 * kind, op (masm op, condition or rounding mode), w (integer width, or the
 * float precision for float-only ops), x (float precision for
 * conversions; signedness for truncations and conversions in bit 7).
 */
typedef struct numop {
    uint8_t kind, op, w, x, form;
} numop;

#define L(kind, op, w, x) N_##kind, op, w, x
#define S 0x80 /* signed */

#define LOWER_I32_EQZ L(EQZ, KJIT_EQ, 32, 0)
#define LOWER_I32_EQ L(CMP, KJIT_EQ, 32, 0)
#define LOWER_I32_NE L(CMP, KJIT_NE, 32, 0)
#define LOWER_I32_LT_S L(CMP, KJIT_LT_S, 32, 0)
#define LOWER_I32_LT_U L(CMP, KJIT_LT_U, 32, 0)
#define LOWER_I32_GT_S L(CMP, KJIT_GT_S, 32, 0)
#define LOWER_I32_GT_U L(CMP, KJIT_GT_U, 32, 0)
#define LOWER_I32_LE_S L(CMP, KJIT_LE_S, 32, 0)
#define LOWER_I32_LE_U L(CMP, KJIT_LE_U, 32, 0)
#define LOWER_I32_GE_S L(CMP, KJIT_GE_S, 32, 0)
#define LOWER_I32_GE_U L(CMP, KJIT_GE_U, 32, 0)
#define LOWER_I32_CLZ L(UNOP, KJIT_CLZ, 32, 0)
#define LOWER_I32_CTZ L(UNOP, KJIT_CTZ, 32, 0)
#define LOWER_I32_POPCNT L(UNOP, KJIT_POPCNT, 32, 0)
#define LOWER_I32_ADD L(ALU, KJIT_ADD, 32, 0)
#define LOWER_I32_SUB L(ALU, KJIT_SUB, 32, 0)
#define LOWER_I32_MUL L(ALU, KJIT_MUL, 32, 0)
#define LOWER_I32_DIV_S L(DIV, KJIT_DIVS, 32, 0)
#define LOWER_I32_DIV_U L(DIV, KJIT_DIVU, 32, 0)
#define LOWER_I32_REM_S L(DIV, KJIT_REMS, 32, 0)
#define LOWER_I32_REM_U L(DIV, KJIT_REMU, 32, 0)
#define LOWER_I32_AND L(ALU, KJIT_AND, 32, 0)
#define LOWER_I32_OR L(ALU, KJIT_OR, 32, 0)
#define LOWER_I32_XOR L(ALU, KJIT_XOR, 32, 0)
#define LOWER_I32_SHL L(SHIFT, KJIT_SHL, 32, 0)
#define LOWER_I32_SHR_S L(SHIFT, KJIT_SAR, 32, 0)
#define LOWER_I32_SHR_U L(SHIFT, KJIT_SHR, 32, 0)
#define LOWER_I32_ROTL L(SHIFT, KJIT_ROL, 32, 0)
#define LOWER_I32_ROTR L(SHIFT, KJIT_ROR, 32, 0)
#define LOWER_I32_EXTEND8_S L(UNOP, KJIT_EXT8S, 32, 0)
#define LOWER_I32_EXTEND16_S L(UNOP, KJIT_EXT16S, 32, 0)

#define LOWER_I64_EQZ L(EQZ, KJIT_EQ, 64, 0)
#define LOWER_I64_EQ L(CMP, KJIT_EQ, 64, 0)
#define LOWER_I64_NE L(CMP, KJIT_NE, 64, 0)
#define LOWER_I64_LT_S L(CMP, KJIT_LT_S, 64, 0)
#define LOWER_I64_LT_U L(CMP, KJIT_LT_U, 64, 0)
#define LOWER_I64_GT_S L(CMP, KJIT_GT_S, 64, 0)
#define LOWER_I64_GT_U L(CMP, KJIT_GT_U, 64, 0)
#define LOWER_I64_LE_S L(CMP, KJIT_LE_S, 64, 0)
#define LOWER_I64_LE_U L(CMP, KJIT_LE_U, 64, 0)
#define LOWER_I64_GE_S L(CMP, KJIT_GE_S, 64, 0)
#define LOWER_I64_GE_U L(CMP, KJIT_GE_U, 64, 0)
#define LOWER_I64_CLZ L(UNOP, KJIT_CLZ, 64, 0)
#define LOWER_I64_CTZ L(UNOP, KJIT_CTZ, 64, 0)
#define LOWER_I64_POPCNT L(UNOP, KJIT_POPCNT, 64, 0)
#define LOWER_I64_ADD L(ALU, KJIT_ADD, 64, 0)
#define LOWER_I64_SUB L(ALU, KJIT_SUB, 64, 0)
#define LOWER_I64_MUL L(ALU, KJIT_MUL, 64, 0)
#define LOWER_I64_DIV_S L(DIV, KJIT_DIVS, 64, 0)
#define LOWER_I64_DIV_U L(DIV, KJIT_DIVU, 64, 0)
#define LOWER_I64_REM_S L(DIV, KJIT_REMS, 64, 0)
#define LOWER_I64_REM_U L(DIV, KJIT_REMU, 64, 0)
#define LOWER_I64_AND L(ALU, KJIT_AND, 64, 0)
#define LOWER_I64_OR L(ALU, KJIT_OR, 64, 0)
#define LOWER_I64_XOR L(ALU, KJIT_XOR, 64, 0)
#define LOWER_I64_SHL L(SHIFT, KJIT_SHL, 64, 0)
#define LOWER_I64_SHR_S L(SHIFT, KJIT_SAR, 64, 0)
#define LOWER_I64_SHR_U L(SHIFT, KJIT_SHR, 64, 0)
#define LOWER_I64_ROTL L(SHIFT, KJIT_ROL, 64, 0)
#define LOWER_I64_ROTR L(SHIFT, KJIT_ROR, 64, 0)
#define LOWER_I64_EXTEND8_S L(UNOP, KJIT_EXT8S, 64, 0)
#define LOWER_I64_EXTEND16_S L(UNOP, KJIT_EXT16S, 64, 0)
#define LOWER_I64_EXTEND32_S L(UNOP, KJIT_EXT32S, 64, 0)

#define LOWER_F32_EQ L(FCMP, KJIT_FEQ, 32, 0)
#define LOWER_F32_NE L(FCMP, KJIT_FNE, 32, 0)
#define LOWER_F32_LT L(FCMP, KJIT_FLT, 32, 0)
#define LOWER_F32_GT L(FCMP, KJIT_FGT, 32, 0)
#define LOWER_F32_LE L(FCMP, KJIT_FLE, 32, 0)
#define LOWER_F32_GE L(FCMP, KJIT_FGE, 32, 0)
#define LOWER_F32_ABS L(FABS, 0, 32, 0)
#define LOWER_F32_NEG L(FNEG, 0, 32, 0)
#define LOWER_F32_CEIL L(FROUND, KJIT_ROUND_CEIL, 32, 0)
#define LOWER_F32_FLOOR L(FROUND, KJIT_ROUND_FLOOR, 32, 0)
#define LOWER_F32_TRUNC L(FROUND, KJIT_ROUND_TRUNC, 32, 0)
#define LOWER_F32_NEAREST L(FROUND, KJIT_ROUND_NEAREST, 32, 0)
#define LOWER_F32_SQRT L(FSQRT, 0, 32, 0)
#define LOWER_F32_ADD L(FALU, KJIT_FADD, 32, 0)
#define LOWER_F32_SUB L(FALU, KJIT_FSUB, 32, 0)
#define LOWER_F32_MUL L(FALU, KJIT_FMUL, 32, 0)
#define LOWER_F32_DIV L(FALU, KJIT_FDIV, 32, 0)
#define LOWER_F32_MIN L(FMIN, 0, 32, 0)
#define LOWER_F32_MAX L(FMAX, 0, 32, 0)
#define LOWER_F32_COPYSIGN L(FCOPYSIGN, 0, 32, 0)
#define LOWER_F64_EQ L(FCMP, KJIT_FEQ, 64, 0)
#define LOWER_F64_NE L(FCMP, KJIT_FNE, 64, 0)
#define LOWER_F64_LT L(FCMP, KJIT_FLT, 64, 0)
#define LOWER_F64_GT L(FCMP, KJIT_FGT, 64, 0)
#define LOWER_F64_LE L(FCMP, KJIT_FLE, 64, 0)
#define LOWER_F64_GE L(FCMP, KJIT_FGE, 64, 0)
#define LOWER_F64_ABS L(FABS, 0, 64, 0)
#define LOWER_F64_NEG L(FNEG, 0, 64, 0)
#define LOWER_F64_CEIL L(FROUND, KJIT_ROUND_CEIL, 64, 0)
#define LOWER_F64_FLOOR L(FROUND, KJIT_ROUND_FLOOR, 64, 0)
#define LOWER_F64_TRUNC L(FROUND, KJIT_ROUND_TRUNC, 64, 0)
#define LOWER_F64_NEAREST L(FROUND, KJIT_ROUND_NEAREST, 64, 0)
#define LOWER_F64_SQRT L(FSQRT, 0, 64, 0)
#define LOWER_F64_ADD L(FALU, KJIT_FADD, 64, 0)
#define LOWER_F64_SUB L(FALU, KJIT_FSUB, 64, 0)
#define LOWER_F64_MUL L(FALU, KJIT_FMUL, 64, 0)
#define LOWER_F64_DIV L(FALU, KJIT_FDIV, 64, 0)
#define LOWER_F64_MIN L(FMIN, 0, 64, 0)
#define LOWER_F64_MAX L(FMAX, 0, 64, 0)
#define LOWER_F64_COPYSIGN L(FCOPYSIGN, 0, 64, 0)

/* conversions: w the integer width, x the float precision (| S signed) */
#define LOWER_I32_WRAP_I64 L(WRAP, 0, 32, 0)
#define LOWER_I32_TRUNC_F32_S L(TRUNC, 0, 32, 32 | S)
#define LOWER_I32_TRUNC_F32_U L(TRUNC, 0, 32, 32)
#define LOWER_I32_TRUNC_F64_S L(TRUNC, 0, 32, 64 | S)
#define LOWER_I32_TRUNC_F64_U L(TRUNC, 0, 32, 64)
#define LOWER_I64_EXTEND_I32_S L(UNOP, KJIT_EXT32S, 64, 0)
#define LOWER_I64_EXTEND_I32_U L(ZEXT, 0, 64, 0)
#define LOWER_I64_TRUNC_F32_S L(TRUNC, 0, 64, 32 | S)
#define LOWER_I64_TRUNC_F32_U L(TRUNC, 0, 64, 32)
#define LOWER_I64_TRUNC_F64_S L(TRUNC, 0, 64, 64 | S)
#define LOWER_I64_TRUNC_F64_U L(TRUNC, 0, 64, 64)
#define LOWER_F32_CONVERT_I32_S L(CONVERT, 0, 32, 32 | S)
#define LOWER_F32_CONVERT_I32_U L(CONVERT, 0, 32, 32)
#define LOWER_F32_CONVERT_I64_S L(CONVERT, 0, 64, 32 | S)
#define LOWER_F32_CONVERT_I64_U L(CONVERT, 0, 64, 32)
#define LOWER_F32_DEMOTE_F64 L(FCVT, 0, 32, 64)
#define LOWER_F64_CONVERT_I32_S L(CONVERT, 0, 32, 64 | S)
#define LOWER_F64_CONVERT_I32_U L(CONVERT, 0, 32, 64)
#define LOWER_F64_CONVERT_I64_S L(CONVERT, 0, 64, 64 | S)
#define LOWER_F64_CONVERT_I64_U L(CONVERT, 0, 64, 64)
#define LOWER_F64_PROMOTE_F32 L(FCVT, 0, 64, 32)
#define LOWER_I32_REINTERPRET_F32 L(F2I, 0, 32, 32)
#define LOWER_I64_REINTERPRET_F64 L(F2I, 0, 64, 64)
#define LOWER_F32_REINTERPRET_I32 L(I2F, 0, 32, 32)
#define LOWER_F64_REINTERPRET_I64 L(I2F, 0, 64, 64)
#define LOWER_I32_TRUNC_SAT_F32_S L(TRUNC_SAT, 0, 32, 32 | S)
#define LOWER_I32_TRUNC_SAT_F32_U L(TRUNC_SAT, 0, 32, 32)
#define LOWER_I32_TRUNC_SAT_F64_S L(TRUNC_SAT, 0, 32, 64 | S)
#define LOWER_I32_TRUNC_SAT_F64_U L(TRUNC_SAT, 0, 32, 64)
#define LOWER_I64_TRUNC_SAT_F32_S L(TRUNC_SAT, 0, 64, 32 | S)
#define LOWER_I64_TRUNC_SAT_F32_U L(TRUNC_SAT, 0, 64, 32)
#define LOWER_I64_TRUNC_SAT_F64_S L(TRUNC_SAT, 0, 64, 64 | S)
#define LOWER_I64_TRUNC_SAT_F64_U L(TRUNC_SAT, 0, 64, 64)

/* wide arithmetic: rare, run by the helper */
#define LOWER_I64_ADD128 L(EXEC, 0, 64, 0)
#define LOWER_I64_SUB128 L(EXEC, 0, 64, 0)
#define LOWER_I64_MUL_WIDE_S L(EXEC, 0, 64, 0)
#define LOWER_I64_MUL_WIDE_U L(EXEC, 0, 64, 0)

static const numop g_num[KINT_OP_COUNT] = {
#define UN(id, fn, a, r) [KINT_OP_##id] = {LOWER_##id, FORM_PLAIN},
#define TEST(id, fn, a) \
    UN(id, fn, a, i)[KINT_OP_BR_##id] = {LOWER_##id, FORM_BR}, [KINT_OP_BRN_##id] = {LOWER_##id, FORM_BRN},
#define BIN(id, fn, a, r) [KINT_OP_##id] = {LOWER_##id, FORM_PLAIN},
#define CMP(id, fn, a) TEST(id, fn, a)
#define BINI(id, fn, a, r) BIN(id, fn, a, r)[KINT_OP_##id##_I] = {LOWER_##id, FORM_IMM},
#define CMPI(id, fn, a)                                                                          \
    CMP(id, fn, a)[KINT_OP_##id##_I] = {LOWER_##id, FORM_IMM},                                    \
    [KINT_OP_BR_##id##_I] = {LOWER_##id, FORM_BR_IMM}, [KINT_OP_BRN_##id##_I] = {LOWER_##id, FORM_BRN_IMM},
#define TRAP_UN(id, fn, a, R) UN(id, fn, a, R)
#define TRAP_BIN(id, fn, R) BIN(id, fn, R, R)
#define WIDE4(id, fn) UN(id, fn, I, I)
#define WIDE2(id, fn) UN(id, fn, I, I)
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
};

/* ---- integers ---------------------------------------------------------------------------------- */

static bool is_imm_form(uint8_t form) { return form == FORM_IMM || form == FORM_BR_IMM || form == FORM_BRN_IMM; }
static bool is_br_form(uint8_t form) { return form >= FORM_BR; }
static bool is_brn_form(uint8_t form) { return form == FORM_BRN || form == FORM_BRN_IMM; }

/* The second operand: the immediate of an _I form (sign-extended for i64),
 * else slot b. */
static kjit_opnd operand_b(kjit_cg *cg, const numop *n, unsigned w)
{
    if (is_imm_form(n->form)) {
        uint32_t imm = kjit_fld(cg, KINT_FN_imm);
        return kjit_i(w == 64 ? (int64_t)(int32_t)imm : (int64_t)imm);
    }
    return kjit_gopnd(cg, kjit_fld(cg, KINT_FN_b), w);
}

static void emit_alu(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    kjit_opnd b = operand_b(cg, n, n->w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout_reuse(cg, dst, a);
    kjit_alu(cg->m, (kjit_alu_op)n->op, n->w, r, a, b);
    kjit_gdone(cg, dst, r, n->w);
}

static void emit_shift(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    kjit_opnd b = is_imm_form(n->form) ? kjit_i(kjit_fld(cg, KINT_FN_imm))
                                       : kjit_r(kjit_gin(cg, kjit_fld(cg, KINT_FN_b), 32));
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout_reuse(cg, dst, a);
    if (b.kind == KJIT_O_REG)
        for (kjit_reg x = 0; x < KJIT_NGPR; x++)
            if (((KJIT_SHIFT_CLOBBER >> x) & 1u) && x != r)
                kjit_gclobber(cg, x); /* (its value, if an operand, is read first) */
    kjit_shift(cg->m, (kjit_shift_op)n->op, n->w, r, a, b);
    kjit_gdone(cg, dst, r, n->w);
}

static void emit_div(kjit_cg *cg, const numop *n)
{
    kjit_masm *m = cg->m;
    unsigned w = n->w;
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), w);
    kjit_reg b = kjit_gin(cg, kjit_fld(cg, KINT_FN_b), w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout(cg, dst);
    /* Stored before the first branch: the rem_s -1 path skips the division
     * but the cache forgets these registers on both paths. */
    for (kjit_reg x = 0; x < KJIT_NGPR; x++)
        if (((KJIT_DIV_CLOBBER >> x) & 1u) && x != r)
            kjit_gclobber(cg, x); /* (its value, if an operand, is read first) */
    kjit_test(m, w, b, kjit_r(b));
    kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_INTEGER_DIVIDE_BY_ZERO);
    kjit_label done = kjit_label_new(m);
    int64_t min = w == 64 ? INT64_MIN : (int64_t)INT32_MIN;
    if (n->op == KJIT_DIVS) {
        kjit_label go = kjit_label_new(m);
        kjit_cmp(m, w, b, kjit_i(-1));
        kjit_jcc(m, KJIT_NE, go);
        kjit_cmp(m, w, a, kjit_i(min));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_INTEGER_OVERFLOW);
        kjit_bind(m, go);
    } else if (n->op == KJIT_REMS) {
        /* x rem -1 is 0 (and the machine would fault on min rem -1) */
        kjit_label go = kjit_label_new(m);
        kjit_cmp(m, w, b, kjit_i(-1));
        kjit_jcc(m, KJIT_NE, go);
        kjit_mov(m, 32, kjit_r(r), kjit_i(0));
        kjit_jmp(m, done);
        kjit_bind(m, go);
    }
    kjit_div(m, (kjit_div_op)n->op, w, r, a, b);
    kjit_bind(m, done);
    kjit_gdone(cg, dst, r, w);
}

/* Comparisons and eqz, producing 0/1 or branching. */
static void emit_cmp(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    if (n->kind == N_EQZ)
        kjit_test(cg->m, n->w, a, kjit_r(a));
    else
        kjit_cmp(cg->m, n->w, a, operand_b(cg, n, n->w));
    kjit_cond c = (kjit_cond)n->op;
    if (is_br_form(n->form)) {
        kjit_jcc(cg->m, is_brn_form(n->form) ? kjit_cond_negate(c) : c, kjit_taken(cg));
        return;
    }
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout_reuse(cg, dst, a);
    kjit_setcc(cg->m, c, r);
    kjit_gdone(cg, dst, r, 32);
    cg->flags_slot = dst;
    cg->flags_cond = c;
    cg->flags_next = cg->next;
}

static void emit_unop(kjit_cg *cg, const numop *n)
{
    if ((n->op == KJIT_POPCNT && !(cg->m->cpu & KJIT_CPU_POPCNT))) {
        kjit_emit_exec(cg);
        return;
    }
    unsigned win = n->op == KJIT_EXT32S ? 32 : n->w;
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), win);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout_reuse(cg, dst, a);
    switch (n->kind) {
    case N_WRAP:
    case N_ZEXT: kjit_mov(cg->m, 32, kjit_r(r), kjit_r(a)); break;
    default: kjit_unop(cg->m, (kjit_un_op)n->op, n->w, r, a); break;
    }
    kjit_gdone(cg, dst, r, n->w);
}

/* ---- floats ---------------------------------------------------------------------------------------- */

static uint64_t sign_bit(unsigned p) { return p == 64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31; }

static void emit_falu(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    kjit_opnd b = kjit_fopnd(cg, kjit_fld(cg, KINT_FN_b), n->w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout_reuse(cg, dst, a);
    kjit_fbin(cg->m, (kjit_fop)n->op, n->w, r, a, b);
    kjit_fdone(cg, dst, r, n->w);
}

static void emit_fcmp(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    kjit_opnd b = kjit_fopnd(cg, kjit_fld(cg, KINT_FN_b), n->w);
    if (is_br_form(n->form)) {
        kjit_fcmp_jump(cg->m, n->w, (kjit_fcond)n->op, a, b, !is_brn_form(n->form), kjit_taken(cg));
        return;
    }
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout(cg, dst);
    kjit_fcmp_set(cg->m, n->w, (kjit_fcond)n->op, r, a, b);
    kjit_gdone(cg, dst, r, 32);
}

/* abs and neg: a bit mask on the sign */
static void emit_fsign(kjit_cg *cg, const numop *n)
{
    unsigned p = n->w;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    bool abs = n->kind == N_FABS;
    kjit_reg mask = kjit_fconst(cg, p, abs ? sign_bit(p) - 1 : sign_bit(p));
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_fbin(cg->m, abs ? KJIT_FAND : KJIT_FXOR, p, r, a, kjit_r(mask));
    kjit_fdone(cg, dst, r, p);
}

static void emit_fcopysign(kjit_cg *cg, const numop *n)
{
    kjit_masm *m = cg->m;
    unsigned p = n->w;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    kjit_reg b = kjit_fin(cg, kjit_fld(cg, KINT_FN_b), p);
    kjit_reg ga = kjit_gtmp(cg), gb = kjit_gtmp(cg);
    kjit_mov_f2i(m, p, ga, a);
    kjit_mov_f2i(m, p, gb, b);
    kjit_alu(m, KJIT_AND, p, ga, ga, kjit_i((int64_t)(sign_bit(p) - 1)));
    kjit_alu(m, KJIT_AND, p, gb, gb, kjit_i((int64_t)sign_bit(p)));
    kjit_alu(m, KJIT_OR, p, ga, ga, kjit_r(gb));
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_mov_i2f(m, p, r, ga);
    kjit_fdone(cg, dst, r, p);
}

/*
 * Wasm min/max: a NaN operand gives a NaN (a + b, quieted); equal operands
 * (zeros of either sign) combine their bits (OR for min: -0 wins, AND for
 * max: +0 wins); otherwise the machine's min/max, exact for ordered
 * distinct values.
 */
static void emit_fminmax(kjit_cg *cg, const numop *n)
{
    kjit_masm *m = cg->m;
    unsigned p = n->w;
    bool min = n->kind == N_FMIN;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    kjit_reg b = kjit_fin(cg, kjit_fld(cg, KINT_FN_b), p);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_label nan = kjit_label_new(m), eq = kjit_label_new(m), done = kjit_label_new(m);
    kjit_fcmp_jump(m, p, KJIT_FEQ, a, kjit_r(a), false, nan);
    kjit_fcmp_jump(m, p, KJIT_FEQ, b, kjit_r(b), false, nan);
    kjit_fcmp_jump(m, p, KJIT_FEQ, a, kjit_r(b), true, eq);
    kjit_fbin(m, min ? KJIT_FMIN_RAW : KJIT_FMAX_RAW, p, r, a, kjit_r(b));
    kjit_jmp(m, done);
    kjit_bind(m, eq);
    kjit_fbin(m, min ? KJIT_FOR : KJIT_FAND, p, r, a, kjit_r(b));
    kjit_jmp(m, done);
    kjit_bind(m, nan);
    kjit_fbin(m, KJIT_FADD, p, r, a, kjit_r(b));
    kjit_bind(m, done);
    kjit_fdone(cg, dst, r, p);
}

static void emit_fround(kjit_cg *cg, const numop *n)
{
    if (!(cg->m->cpu & KJIT_CPU_SSE41)) {
        kjit_emit_exec(cg);
        return;
    }
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_fround(cg->m, n->w, (kjit_fround_mode)n->op, r, a);
    kjit_fdone(cg, dst, r, n->w);
}

static void emit_fsqrt(kjit_cg *cg, const numop *n)
{
    kjit_opnd a = kjit_fopnd(cg, kjit_fld(cg, KINT_FN_a), n->w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_fsqrt(cg->m, n->w, r, a);
    kjit_fdone(cg, dst, r, n->w);
}

static void emit_convert(kjit_cg *cg, const numop *n)
{
    unsigned p = n->x & 0x7F;
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), n->w);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_cvt_i2f(cg->m, p, n->w, (n->x & S) != 0, r, a);
    kjit_fdone(cg, dst, r, p);
}

static void emit_fcvt(kjit_cg *cg, const numop *n)
{
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), n->x);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_fout(cg, dst);
    kjit_fcvt(cg->m, n->w, r, a);
    kjit_fdone(cg, dst, r, n->w);
}

static void emit_reinterpret(kjit_cg *cg, const numop *n)
{
    uint32_t a = kjit_fld(cg, KINT_FN_a), dst = kjit_fld(cg, KINT_FN_dst);
    if (n->kind == N_F2I) {
        kjit_reg f = kjit_fin(cg, a, n->w);
        kjit_reg r = kjit_gout(cg, dst);
        kjit_mov_f2i(cg->m, n->w, r, f);
        kjit_gdone(cg, dst, r, n->w);
    } else {
        kjit_reg g = kjit_gin(cg, a, n->w);
        kjit_reg r = kjit_fout(cg, dst);
        kjit_mov_i2f(cg->m, n->w, r, g);
        kjit_fdone(cg, dst, r, n->w);
    }
}

/* The bits of float constant v in precision p. */
static uint64_t fbits(unsigned p, double v)
{
    return p == 64 ? kint_f64_bits(v) : kint_f32_bits((float)v);
}

/*
 * Float -> integer, trapping: NaN is "invalid conversion", anything whose
 * truncation does not fit "integer overflow". The bounds are exclusive and
 * exact (the interpreter's, numeric.h): the nearest representable values
 * outside the range.
 */
static void trunc_bounds(const numop *n, double *lo, double *hi)
{
    unsigned p = n->x & 0x7F;
    bool sgn = (n->x & S) != 0;
    if (n->w == 32) {
        *lo = sgn ? (p == 32 ? (double)-0x1.000002p31f : -0x1.00000002p31) : -1.0;
        *hi = sgn ? 0x1p31 : 0x1p32;
    } else {
        *lo = sgn ? (p == 32 ? (double)-0x1.000002p63f : -0x1.0000000000001p63) : -1.0;
        *hi = sgn ? 0x1p63 : 0x1p64;
    }
}

static void convert_in_range(kjit_cg *cg, const numop *n, kjit_reg r, kjit_reg a)
{
    unsigned p = n->x & 0x7F;
    bool sgn = (n->x & S) != 0;
    if (n->w == 64 && !sgn)
        kjit_cvt_f2u64(cg->m, p, r, a, kjit_ftmp(cg));
    else
        kjit_cvt_f2i(cg->m, p, n->w, sgn, r, a);
}

static void emit_trunc(kjit_cg *cg, const numop *n)
{
    kjit_masm *m = cg->m;
    unsigned p = n->x & 0x7F;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    double lo, hi;
    trunc_bounds(n, &lo, &hi);
    kjit_fcmp_jump(m, p, KJIT_FEQ, a, kjit_r(a), false, kjit_trap_label(cg, KITE_TRAP_INVALID_CONVERSION));
    uint32_t gbusy = cg->busy, fbusy = cg->fbusy;
    kjit_reg c = kjit_fconst(cg, p, fbits(p, lo));
    kjit_fcmp_jump(m, p, KJIT_FGT, a, kjit_r(c), false, kjit_trap_label(cg, KITE_TRAP_INTEGER_OVERFLOW));
    cg->busy = gbusy; /* the constant's temporaries are free again */
    cg->fbusy = fbusy;
    c = kjit_fconst(cg, p, fbits(p, hi));
    kjit_fcmp_jump(m, p, KJIT_FLT, a, kjit_r(c), false, kjit_trap_label(cg, KITE_TRAP_INTEGER_OVERFLOW));
    cg->busy = gbusy;
    cg->fbusy = fbusy;
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout(cg, dst);
    convert_in_range(cg, n, r, a);
    kjit_gdone(cg, dst, r, n->w);
}

/* Saturating: NaN -> 0, at or below lo -> the minimum, at or above hi ->
 * the maximum (numeric.h's bounds), else truncation. */
static void emit_trunc_sat(kjit_cg *cg, const numop *n)
{
    kjit_masm *m = cg->m;
    unsigned p = n->x & 0x7F;
    bool sgn = (n->x & S) != 0;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    double lo = sgn ? (n->w == 32 ? -0x1p31 : -0x1p63) : -1.0;
    double hi = n->w == 32 ? (sgn ? 0x1p31 : 0x1p32) : (sgn ? 0x1p63 : 0x1p64);
    int64_t vmin = sgn ? (n->w == 32 ? INT32_MIN : INT64_MIN) : 0;
    int64_t vmax = sgn ? (n->w == 32 ? INT32_MAX : INT64_MAX) : (n->w == 32 ? (int64_t)UINT32_MAX : -1);
    kjit_label zero = kjit_label_new(m), below = kjit_label_new(m), above = kjit_label_new(m);
    kjit_label done = kjit_label_new(m);
    kjit_fcmp_jump(m, p, KJIT_FEQ, a, kjit_r(a), false, zero);
    uint32_t gbusy = cg->busy, fbusy = cg->fbusy;
    kjit_reg c = kjit_fconst(cg, p, fbits(p, lo));
    kjit_fcmp_jump(m, p, KJIT_FGT, a, kjit_r(c), false, below);
    cg->busy = gbusy;
    cg->fbusy = fbusy;
    c = kjit_fconst(cg, p, fbits(p, hi));
    kjit_fcmp_jump(m, p, KJIT_FLT, a, kjit_r(c), false, above);
    cg->busy = gbusy;
    cg->fbusy = fbusy;
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout(cg, dst);
    convert_in_range(cg, n, r, a);
    kjit_jmp(m, done);
    kjit_bind(m, zero);
    kjit_mov(m, 64, kjit_r(r), kjit_i(0));
    kjit_jmp(m, done);
    kjit_bind(m, below);
    kjit_mov(m, n->w, kjit_r(r), kjit_i(vmin));
    kjit_jmp(m, done);
    kjit_bind(m, above);
    kjit_mov(m, n->w, kjit_r(r), kjit_i(vmax));
    kjit_bind(m, done);
    kjit_gdone(cg, dst, r, n->w);
}

static bool is_tmp(const kjit_cg *cg, kjit_reg r);

/* Float chains: dst = OP2(OP1(a, b), c) (_L) or OP2(c, OP1(a, b)) (_R). */
static bool emit_fchain(kjit_cg *cg)
{
    static const struct {
        uint8_t p, op1, op2, right;
    } chains[KINT_OP_COUNT] = {
#define KJIT_FOP_ADD KJIT_FADD
#define KJIT_FOP_SUB KJIT_FSUB
#define KJIT_FOP_MUL KJIT_FMUL
#define KJIT_PREC_F64 64
#define KJIT_PREC_F32 32
#define FCHAIN(T, t, L, O1, o1, O2, o2)                                                      \
    [KINT_OP_##T##_##O1##_##O2##_L] = {KJIT_PREC_##T, KJIT_FOP_##O1, KJIT_FOP_##O2, 0},      \
    [KINT_OP_##T##_##O1##_##O2##_R] = {KJIT_PREC_##T, KJIT_FOP_##O1, KJIT_FOP_##O2, 1},
        KINT_FCHAIN(FCHAIN)
#undef FCHAIN
    };
    unsigned p = chains[cg->op].p;
    if (!p)
        return false;
    kjit_masm *m = cg->m;
    kjit_fop op2 = (kjit_fop)chains[cg->op].op2;
    kjit_reg a = kjit_fin(cg, kjit_fld(cg, KINT_FN_a), p);
    kjit_opnd b = kjit_fopnd(cg, kjit_fld(cg, KINT_FN_b), p);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg t = kjit_ftmp(cg);
    kjit_fbin(m, (kjit_fop)chains[cg->op].op1, p, t, a, b);
    cg->fbusy = 1u << t; /* a's and b's temporaries may be reused for c */
    kjit_reg r = kjit_pinned(cg, dst) ? kjit_fout(cg, dst) : t;
    uint32_t c = kjit_fld(cg, KINT_FN_c);
    if (!chains[cg->op].right || op2 != KJIT_FSUB)
        kjit_fbin(m, op2, p, r, t, kjit_fopnd(cg, c, p)); /* (c + t = t + c, c * t = t * c) */
    else
        kjit_fbin(m, op2, p, r, kjit_fin(cg, c, p), kjit_r(t));
    kjit_fdone(cg, dst, r, p);
    return true;
}

static bool emit_shl_add(kjit_cg *cg)
{
    if (cg->op != KINT_OP_I32_SHL_ADD)
        return false;
    kjit_reg x = kjit_gin(cg, kjit_fld(cg, KINT_FN_x), 32);
    uint32_t k = kjit_fld(cg, KINT_FN_k) & 31;
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), 32);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gout(cg, dst);
    if (k <= 3) {
        kjit_lea(cg->m, 32, r, kjit_mx(a, x, (uint8_t)(1u << k), 0));
    } else {
        /* shift where it does not clobber a: the result's temporary, else
         * x's (unless x is a), else a fresh one */
        kjit_reg t;
        if (!kjit_pinned(cg, dst))
            t = r;
        else if (is_tmp(cg, x) && x != a) {
            kjit_gclobber(cg, x);
            t = x;
        } else {
            t = kjit_gtmp(cg);
        }
        kjit_shift(cg->m, KJIT_SHL, 32, t, x, kjit_i(k));
        kjit_alu(cg->m, KJIT_ADD, 32, r, a, kjit_r(t));
    }
    kjit_gdone(cg, dst, r, 32);
    return true;
}

bool kjit_emit_numeric(kjit_cg *cg)
{
    const numop *n = &g_num[cg->op];
    switch (n->kind) {
    case N_NONE: return emit_fchain(cg) || emit_shl_add(cg);
    case N_ALU: emit_alu(cg, n); return true;
    case N_SHIFT: emit_shift(cg, n); return true;
    case N_DIV: emit_div(cg, n); return true;
    case N_CMP:
    case N_EQZ: emit_cmp(cg, n); return true;
    case N_UNOP:
    case N_WRAP:
    case N_ZEXT: emit_unop(cg, n); return true;
    case N_FALU: emit_falu(cg, n); return true;
    case N_FCMP: emit_fcmp(cg, n); return true;
    case N_FABS:
    case N_FNEG: emit_fsign(cg, n); return true;
    case N_FROUND: emit_fround(cg, n); return true;
    case N_FSQRT: emit_fsqrt(cg, n); return true;
    case N_FMIN:
    case N_FMAX: emit_fminmax(cg, n); return true;
    case N_FCOPYSIGN: emit_fcopysign(cg, n); return true;
    case N_CONVERT: emit_convert(cg, n); return true;
    case N_FCVT: emit_fcvt(cg, n); return true;
    case N_F2I:
    case N_I2F: emit_reinterpret(cg, n); return true;
    case N_TRUNC: emit_trunc(cg, n); return true;
    case N_TRUNC_SAT: emit_trunc_sat(cg, n); return true;
    default: kjit_emit_exec(cg); return true;
    }
}

/* ---- memory ------------------------------------------------------------------------------------------- */

/* Forms of the memory instructions (memory_ops.def). */
enum { M_NONE, M_PLAIN, M_CHECKED, M_ADD, M_ADD_IMM, M_SHL_ADD };

typedef struct memop {
    uint8_t form;  /* M_ */
    uint8_t store; /* 1 for stores */
    uint8_t size;  /* bytes */
    uint8_t sgn;   /* a load sign-extends */
    uint8_t x;     /* result width of a load: 32 or 64 */
    uint8_t flt;   /* f32/f64 value */
} memop;

#define IS_FLT(id) (KINT_OP_##id == KINT_OP_F32_LOAD || KINT_OP_##id == KINT_OP_F64_LOAD || \
                    KINT_OP_##id == KINT_OP_F32_STORE || KINT_OP_##id == KINT_OP_F64_STORE)
/* (T)-1 / 2 is 0 exactly for a signed T */
#define MEMOP(form, st, T, X, id) {form, st, sizeof(T), (T)-1 / 2 == 0, X, IS_FLT(id)}

static const memop g_mem[KINT_OP_COUNT] = {
#define LOAD(id, T, X)                                                                              \
    [KINT_OP_##id] = MEMOP(M_PLAIN, 0, T, X, id), [KINT_OP_C_##id] = MEMOP(M_CHECKED, 0, T, X, id),   \
    [KINT_OP_LA_##id] = MEMOP(M_ADD, 0, T, X, id), [KINT_OP_LAI_##id] = MEMOP(M_ADD_IMM, 0, T, X, id), \
    [KINT_OP_LSA_##id] = MEMOP(M_SHL_ADD, 0, T, X, id),
#define STORE(id, T)                                                                                  \
    [KINT_OP_##id] = MEMOP(M_PLAIN, 1, T, 64, id), [KINT_OP_C_##id] = MEMOP(M_CHECKED, 1, T, 64, id),   \
    [KINT_OP_SA_##id] = MEMOP(M_ADD, 1, T, 64, id), [KINT_OP_SAI_##id] = MEMOP(M_ADD_IMM, 1, T, 64, id), \
    [KINT_OP_SSA_##id] = MEMOP(M_SHL_ADD, 1, T, 64, id),
#define ALOAD(id, T, X)
#define ASTORE(id, T)
#define ARMW(id, T, X, OP)
#define ACMPXCHG(id, T, X)
#include "interp/memory_ops.def"
#undef LOAD
#undef STORE
#undef ALOAD
#undef ASTORE
#undef ARMW
#undef ACMPXCHG
};

static kjit_load_kind load_kind(const memop *o)
{
    switch (o->size) {
    case 1: return o->sgn ? (o->x == 64 ? KJIT_L8S64 : KJIT_L8S32) : KJIT_L8U;
    case 2: return o->sgn ? (o->x == 64 ? KJIT_L16S64 : KJIT_L16S32) : KJIT_L16U;
    case 4: return o->sgn && o->x == 64 ? KJIT_L32S64 : KJIT_L32U;
    default: return KJIT_L64;
    }
}

static bool is_tmp(const kjit_cg *cg, kjit_reg r) { return r < KJIT_NGPR && ((cg->gtmps >> r) & 1u); }

/* A temporary for a result computed from r1 and r2: one of them when it
 * is a temporary (its cached slot is then forgotten), else a fresh one. */
static kjit_reg reuse_tmp(kjit_cg *cg, kjit_reg r1, kjit_reg r2)
{
    if (is_tmp(cg, r1)) {
        kjit_gclobber(cg, r1);
        return r1;
    }
    if (r2 != KJIT_NOREG && is_tmp(cg, r2)) {
        kjit_gclobber(cg, r2);
        return r2;
    }
    return kjit_gtmp(cg);
}

/*
 * The value a store writes: a register (or an immediate, when it fits in
 * the store's immediate field), loaded before the address so that the
 * trap site is the store itself.
 */
static kjit_opnd store_value(kjit_cg *cg, const memop *o, uint32_t val)
{
    if (o->flt)
        return kjit_r(kjit_fin(cg, val, o->size * 8u));
    kjit_opnd v = kjit_gopnd(cg, val, o->size == 8 ? 64 : 32);
    if (v.kind == KJIT_O_IMM && o->size == 8 && (v.imm < INT32_MIN || v.imm > INT32_MAX))
        v = kjit_r(kjit_gin(cg, val, 64));
    if (v.kind == KJIT_O_MEM)
        v = kjit_r(kjit_gin(cg, val, o->size == 8 ? 64 : 32));
    return v;
}

/* The access itself at memory operand `at`; a trap site when `site`. */
static void access(kjit_cg *cg, const memop *o, kjit_opnd at, bool site, kjit_opnd v, kjit_reg into)
{
    kjit_masm *m = cg->m;
    uint32_t dst = o->store ? 0 : kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = KJIT_NOREG;
    if (!o->store) {
        if (o->flt)
            r = kjit_fout(cg, dst);
        else if (into != KJIT_NOREG && !kjit_pinned(cg, dst))
            r = into; /* a temporary the address no longer needs once loaded */
        else
            r = kjit_gout(cg, dst);
    }
    if (site)
        kjit_site_add(&cg->u->sites, kjit_masm_offset(m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
                      cg->pos);
    if (o->store) {
        if (o->flt)
            kjit_fmov(m, o->size * 8u, at, v);
        else
            kjit_mov(m, o->size * 8u, at, v);
        return;
    }
    if (o->flt) {
        kjit_fmov(m, o->size * 8u, kjit_r(r), at);
        kjit_fdone(cg, dst, r, o->size * 8u);
    } else {
        kjit_load(m, load_kind(o), r, at);
        kjit_gdone(cg, dst, r, o->x);
    }
}

/* The operand of a guarded access to memory 0: base + zero-extended
 * 32-bit address in register `addr` + a 32-bit offset, faulting in the
 * guard region when out of bounds. */
static kjit_opnd guarded_at(kjit_cg *cg, kjit_reg addr, uint32_t offset)
{
    if (offset <= (uint32_t)INT32_MAX)
        return kjit_mx(KJIT_R_MEM, addr, 1, (int32_t)offset);
    kjit_reg t = is_tmp(cg, addr) ? addr : kjit_gtmp(cg);
    if (t == addr)
        kjit_gclobber(cg, t);
    kjit_mov(cg->m, 32, kjit_r(t), kjit_r(addr)); /* (zero-extends) */
    kjit_reg u = kjit_gtmp(cg);
    kjit_mov(cg->m, 64, kjit_r(u), kjit_i(offset));
    kjit_alu(cg->m, KJIT_ADD, 64, t, t, kjit_r(u));
    return kjit_mx(KJIT_R_MEM, t, 1, 0);
}

/* The operand of a checked access of `size` bytes to any memory: explicit
 * bounds check, then base + address (in *into, a temporary). */
static kjit_opnd checked_at(kjit_cg *cg, unsigned size, kjit_reg *into)
{
    kjit_masm *m = cg->m;
    uint32_t mem = kjit_fld(cg, KINT_FN_mem);
    uint64_t offset = kjit_fld64(cg, KINT_FN_offset);
    kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_addr), 64);
    kjit_reg t = a;
    if (is_tmp(cg, a))
        kjit_gclobber(cg, a); /* computed in place */
    else
        t = kjit_gtmp(cg);
    kjit_reg mr = kjit_gtmp(cg);
    kjit_label oob = kjit_trap_label(cg, KITE_TRAP_MEMORY_OUT_OF_BOUNDS);
    kjit_mov(m, 64, kjit_r(t), kjit_r(a));
    if (offset) {
        kjit_alu(m, KJIT_ADD, 64, t, t, kjit_i((int64_t)offset)); /* (large ones through the scratch) */
        kjit_jcc(m, KJIT_LT_U, oob);                              /* carry: past 2^64 */
    }
    kjit_alu(m, KJIT_ADD, 64, t, t, kjit_i(size));
    kjit_jcc(m, KJIT_LT_U, oob);
    kjit_mov(m, 64, kjit_r(mr), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, mems)));
    kjit_mov(m, 64, kjit_r(mr), kjit_m(mr, (int32_t)(mem * 8u)));
    kjit_cmp(m, 64, t, kjit_m(mr, (int32_t)offsetof(krt_memory, size)));
    kjit_jcc(m, KJIT_GT_U, oob);
    kjit_mov(m, 64, kjit_r(mr), kjit_m(mr, (int32_t)offsetof(krt_memory, base)));
    *into = t;
    return kjit_mx(mr, t, 1, -(int32_t)size);
}

/* The 32-bit address of memory 0 that a plain, add, add-immediate or
 * shift-add form computes, in a register. */
static kjit_reg address32(kjit_cg *cg, uint8_t form)
{
    kjit_masm *m = cg->m;
    kjit_reg addr;
    switch (form) {
    case M_PLAIN: addr = kjit_gin(cg, kjit_fld(cg, KINT_FN_addr), 32); break;
    case M_ADD:
    case M_ADD_IMM: {
        kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), 32);
        kjit_opnd b = form == M_ADD_IMM ? kjit_i(kjit_fld(cg, KINT_FN_imm))
                                        : kjit_gopnd(cg, kjit_fld(cg, KINT_FN_b), 32);
        addr = reuse_tmp(cg, a, b.kind == KJIT_O_REG ? b.reg : KJIT_NOREG);
        kjit_alu(m, KJIT_ADD, 32, addr, a, b);
        break;
    }
    default: { /* a + (x << k), 32 bits */
        kjit_reg x = kjit_gin(cg, kjit_fld(cg, KINT_FN_x), 32);
        uint32_t k = kjit_fld(cg, KINT_FN_k) & 31;
        uint64_t c;
        if (kjit_const(cg, kjit_fld(cg, KINT_FN_a), &c)) {
            /* a constant base (a static array): shift, add the immediate */
            addr = reuse_tmp(cg, x, KJIT_NOREG);
            kjit_shift(m, KJIT_SHL, 32, addr, x, kjit_i(k));
            kjit_alu(m, KJIT_ADD, 32, addr, addr, kjit_i((int64_t)(uint32_t)c));
            break;
        }
        kjit_reg a = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), 32);
        if (k <= 3) {
            addr = reuse_tmp(cg, a, x);
            kjit_lea(m, 32, addr, kjit_mx(a, x, (uint8_t)(1u << k), 0));
        } else {
            /* shifted in x's temporary (never in a's, which the add still reads) */
            addr = x != a ? reuse_tmp(cg, x, KJIT_NOREG) : kjit_gtmp(cg);
            kjit_shift(m, KJIT_SHL, 32, addr, x, kjit_i(k));
            kjit_alu(m, KJIT_ADD, 32, addr, addr, kjit_r(a));
        }
        break;
    }
    }
    return addr;
}

_Static_assert((int)M_PLAIN == (int)KJIT_ADDR_PLAIN && (int)M_CHECKED == (int)KJIT_ADDR_CHECKED &&
                   (int)M_ADD == (int)KJIT_ADDR_ADD && (int)M_ADD_IMM == (int)KJIT_ADDR_ADD_IMM &&
                   (int)M_SHL_ADD == (int)KJIT_ADDR_SHL_ADD,
               "address forms");

kjit_opnd kjit_mem_operand(kjit_cg *cg, uint8_t form, unsigned size, bool *site)
{
    *site = form != M_CHECKED;
    if (form == M_CHECKED) {
        kjit_reg into;
        return checked_at(cg, size, &into);
    }
    return guarded_at(cg, address32(cg, form), (uint32_t)kjit_fld(cg, KINT_FN_offset));
}

bool kjit_emit_memory(kjit_cg *cg)
{
    const memop *o = &g_mem[cg->op];
    kjit_masm *m = cg->m;
    if (o->form == M_NONE) {
        if (cg->op != KINT_OP_MEMORY_SIZE)
            return false;
        kjit_reg t = kjit_gtmp(cg);
        kjit_mov(m, 64, kjit_r(t), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, mems)));
        kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)(kjit_fld(cg, KINT_FN_mem) * 8u)));
        kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)offsetof(krt_memory, pages)));
        kjit_gdone(cg, kjit_fld(cg, KINT_FN_dst), t, 64);
        return true;
    }
    kjit_opnd v = kjit_i(0);
    if (o->store)
        v = store_value(cg, o, kjit_fld(cg, KINT_FN_val));
    if (o->form == M_CHECKED) {
        kjit_reg into;
        kjit_opnd at = checked_at(cg, o->size, &into);
        access(cg, o, at, false, v, into);
        return true;
    }
    access(cg, o, guarded_at(cg, address32(cg, o->form), (uint32_t)kjit_fld(cg, KINT_FN_offset)), true, v,
           KJIT_NOREG);
    return true;
}
