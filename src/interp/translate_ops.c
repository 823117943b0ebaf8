/*
 * The translator's non-control instructions: numerics, memory accesses
 * (plain and atomic), globals, references, tables, bulk memory and calls.
 * Which internal instruction implements a Wasm instruction comes from the
 * tables numeric_ops.def and memory_ops.def.
 */
#include "interp/translate.h"

/* ---- numerics ------------------------------------------------------------------------------- */

enum { NUM_NONE, NUM_UN, NUM_TEST, NUM_BIN, NUM_CMP, NUM_WIDE4, NUM_WIDE2 };

typedef struct num_info {
    uint8_t cls;
    uint8_t is64;               /* immediate forms: i64 (else i32) */
    uint16_t op, br, brn;       /* the op, and a comparison's fused branches */
    uint16_t imm, br_imm, brn_imm; /* the same with an immediate, or 0 */
} num_info;

static const num_info numeric[KIR_OP_COUNT] = {
#define IS64_i 0
#define IS64_I 1
#define UN(id, fn, a, r) [KIR_OP_##id] = {NUM_UN, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#define TEST(id, fn, a) [KIR_OP_##id] = {NUM_TEST, 0, KINT_OP_##id, KINT_OP_BR_##id, KINT_OP_BRN_##id, 0, 0, 0},
#define BIN(id, fn, a, r) [KIR_OP_##id] = {NUM_BIN, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#define BINI(id, fn, a, r) [KIR_OP_##id] = {NUM_BIN, IS64_##a, KINT_OP_##id, 0, 0, KINT_OP_##id##_I, 0, 0},
#define CMP(id, fn, a) [KIR_OP_##id] = {NUM_CMP, 0, KINT_OP_##id, KINT_OP_BR_##id, KINT_OP_BRN_##id, 0, 0, 0},
#define CMPI(id, fn, a)                                                                          \
    [KIR_OP_##id] = {NUM_CMP, IS64_##a, KINT_OP_##id, KINT_OP_BR_##id, KINT_OP_BRN_##id,         \
                     KINT_OP_##id##_I, KINT_OP_BR_##id##_I, KINT_OP_BRN_##id##_I},
#define TRAP_UN(id, fn, a, R) [KIR_OP_##id] = {NUM_UN, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#define TRAP_BIN(id, fn, R) [KIR_OP_##id] = {NUM_BIN, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#define WIDE4(id, fn) [KIR_OP_##id] = {NUM_WIDE4, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#define WIDE2(id, fn) [KIR_OP_##id] = {NUM_WIDE2, 0, KINT_OP_##id, 0, 0, 0, 0, 0},
#include "interp/numeric_ops.def"
#undef IS64_i
#undef IS64_I
};

/* A comparison or test fuses with the branch after it (emit_cond in
 * translate.c), which takes the operand fields of its fused branch op by
 * name from it: they must exist in both. */
#define FUSES(cmp, field)                                                                     \
    _Static_assert(KINT_AT_##cmp##_##field >= 0 && KINT_AT_BR_##cmp##_##field >= 0 &&         \
                       KINT_AT_BRN_##cmp##_##field >= 0,                                      \
                   #cmp ": its branches take " #field);
#define UN(id, fn, a, r)
#define TEST(id, fn, ta) FUSES(id, a)
#define BIN(id, fn, a, r)
#define BINI(id, fn, a, r)
#define CMP(id, fn, ta) FUSES(id, a) FUSES(id, b)
#define CMPI(id, fn, ta) CMP(id, fn, ta) FUSES(id##_I, a) FUSES(id##_I, imm)
#define TRAP_UN(id, fn, a, R)
#define TRAP_BIN(id, fn, R)
#define WIDE4(id, fn)
#define WIDE2(id, fn)
#include "interp/numeric_ops.def"
#undef FUSES

/* Whether constant v fits an immediate of an i32 (any) or i64 operation
 * (sign-extended 32 bits). */
static bool fits_imm(const kint_tv *v, bool is64)
{
    return v->kind == KINT_TV_IMM &&
           (!is64 || v->imm + UINT64_C(0x80000000) <= UINT64_C(0xFFFFFFFF));
}

/* i32.add of an i32.shl by a constant just computed (and not needed
 * otherwise): one instruction. The other operand must be readable without
 * emitting anything, which could overwrite the shift's operand. */
static bool add_shl(kint_tr *t, kint_tv *v)
{
    uint32_t a;
    if (!(kint_tr_is_last(t, &v[1], KINT_OP_I32_SHL_I) && kint_tr_use_free(t, &v[0], &a)) &&
        !(kint_tr_is_last(t, &v[0], KINT_OP_I32_SHL_I) && kint_tr_use_free(t, &v[1], &a)))
        return false;
    kint_last shl = kint_tr_unemit_last(t);
    uint32_t dst = kint_tr_push_home(t, 1);
    uint32_t pos = kint_emit_SHL_ADD(t, KINT_OP_I32_SHL_ADD, KINT_OPND(shl.words, I32_SHL_I, a),
                                     KINT_OPND(shl.words, I32_SHL_I, imm), a, dst);
    KINT_TR_RESULT(t, SHL_ADD, pos, dst);
    return true;
}

/* Float chains (KINT_FCHAIN): op1 computed just before feeds op2. */
typedef struct fchain {
    uint16_t op1, op2, left, right;
} fchain;

static const fchain fchains[] = {
#define FCHAIN(T, t, L, O1, o1, O2, o2) \
    {KINT_OP_##T##_##O1, KINT_OP_##T##_##O2, KINT_OP_##T##_##O1##_##O2##_L, KINT_OP_##T##_##O1##_##O2##_R},
    KINT_FCHAIN(FCHAIN)
#undef FCHAIN
};

/* The first operation of a chain is read with F64_ADD's layout. */
#define FCHAIN_SHAPES(T, t, L, O1, o1, O2, o2)                                               \
    _Static_assert(KINT_SHAPE_OF_##T##_##O1 == KINT_SHAPE_OF_F64_ADD, #T "_" #O1 ": not BINARY"); \
    _Static_assert(KINT_SHAPE_OF_##T##_##O1##_##O2##_L == (int)KINT_SHAPE_FCHAIN &&               \
                       KINT_SHAPE_OF_##T##_##O1##_##O2##_R == (int)KINT_SHAPE_FCHAIN, #T "_" #O1 "_" #O2);
KINT_FCHAIN(FCHAIN_SHAPES)
#undef FCHAIN_SHAPES

static bool float_chain(kint_tr *t, kint_tv *v, kint_op op2)
{
    if (!t->last.valid)
        return false;
    for (size_t i = 0; i < sizeof(fchains) / sizeof(fchains[0]); i++) {
        const fchain *fc = &fchains[i];
        if (fc->op2 != op2 || fc->op1 != t->last.op)
            continue;
        int s;
        uint32_t c;
        if (kint_tr_is_last(t, &v[0], t->last.op) && kint_tr_use_free(t, &v[1], &c))
            s = 0;
        else if (kint_tr_is_last(t, &v[1], t->last.op) && kint_tr_use_free(t, &v[0], &c))
            s = 1;
        else
            return false;
        kint_last l = kint_tr_unemit_last(t);
        uint32_t dst = kint_tr_push_home(t, 1);
        /* op1 is a BINARY (float_chain_shapes below). */
        uint32_t pos = kint_emit_FCHAIN(t, (kint_op)(s == 0 ? fc->left : fc->right),
                                        KINT_OPND(l.words, F64_ADD, a), KINT_OPND(l.words, F64_ADD, b), c, dst);
        KINT_TR_RESULT(t, FCHAIN, pos, dst);
        return true;
    }
    return false;
}

/* A binary operation or comparison with a constant second operand (or
 * first, when it commutes): the form with an immediate. */
static bool imm_form(kint_tr *t, const num_info *ni, kint_tv *v)
{
    const num_info *use = ni;
    uint32_t imm;
    if (ni->op == KINT_OP_I32_SUB && v[1].kind == KINT_TV_IMM) {
        use = &numeric[KIR_OP_I32_ADD];
        imm = (uint32_t)(0u - (uint32_t)v[1].imm);
    } else if (ni->op == KINT_OP_I64_SUB && fits_imm(&v[1], true) && v[1].imm != UINT64_C(0xFFFFFFFF80000000)) {
        use = &numeric[KIR_OP_I64_ADD];
        imm = (uint32_t)(0u - (uint32_t)v[1].imm);
    } else {
        if (!ni->imm)
            return false;
        bool commutes = ni->op == KINT_OP_I32_ADD || ni->op == KINT_OP_I32_MUL || ni->op == KINT_OP_I32_AND ||
                        ni->op == KINT_OP_I32_OR || ni->op == KINT_OP_I32_XOR || ni->op == KINT_OP_I64_ADD ||
                        ni->op == KINT_OP_I64_MUL || ni->op == KINT_OP_I64_AND || ni->op == KINT_OP_I64_OR ||
                        ni->op == KINT_OP_I64_XOR || ni->op == KINT_OP_I32_EQ || ni->op == KINT_OP_I32_NE ||
                        ni->op == KINT_OP_I64_EQ || ni->op == KINT_OP_I64_NE;
        if (!fits_imm(&v[1], ni->is64)) {
            if (!commutes || !fits_imm(&v[0], ni->is64) || v[1].kind == KINT_TV_IMM)
                return false;
            kint_tv tmp = v[0];
            v[0] = v[1];
            v[1] = tmp;
        }
        imm = (uint32_t)v[1].imm;
    }
    uint32_t a = kint_tr_use(t, &v[0]);
    uint32_t dst = kint_tr_push_home(t, 1);
    uint32_t pos;
    if (use->is64) {
        pos = kint_emit_BINARY_IMM64(t, (kint_op)use->imm, a, imm, dst);
        KINT_TR_RESULT(t, BINARY_IMM64, pos, dst);
    } else {
        pos = kint_emit_BINARY_IMM(t, (kint_op)use->imm, a, imm, dst);
        KINT_TR_RESULT(t, BINARY_IMM, pos, dst);
    }
    if (use->cls == NUM_CMP) {
        t->last.fusable = true;
        t->last.br_op = (kint_op)use->br_imm;
        t->last.brn_op = (kint_op)use->brn_imm;
    }
    return true;
}

static void emit_numeric(kint_tr *t, const num_info *ni)
{
    kint_tv v[4];
    uint32_t s[4];
    switch (ni->cls) {
    case NUM_UN:
    case NUM_TEST: {
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        uint32_t dst = kint_tr_push_home(t, 1);
        uint32_t pos = kint_emit_UNARY(t, (kint_op)ni->op, s[0], dst);
        KINT_TR_RESULT(t, UNARY, pos, dst);
        break;
    }
    case NUM_BIN:
    case NUM_CMP: {
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        if (ni->op == KINT_OP_I32_ADD && add_shl(t, v))
            return;
        if (float_chain(t, v, (kint_op)ni->op))
            return;
        if (imm_form(t, ni, v))
            return;
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        uint32_t dst = kint_tr_push_home(t, 1);
        uint32_t pos = kint_emit_BINARY(t, (kint_op)ni->op, s[0], s[1], dst);
        KINT_TR_RESULT(t, BINARY, pos, dst);
        break;
    }
    default: {
        uint32_t n = ni->cls == NUM_WIDE4 ? 4 : 2;
        for (uint32_t i = n; i-- > 0;)
            v[i] = kint_tr_pop(t);
        for (uint32_t i = 0; i < n; i++)
            s[i] = kint_tr_use(t, &v[i]);
        uint32_t lo = kint_tr_push_home(t, 1);
        uint32_t hi = kint_tr_push_home(t, 1);
        if (n == 4)
            kint_emit_WIDE4(t, (kint_op)ni->op, s[0], s[1], s[2], s[3], lo, hi);
        else
            kint_emit_WIDE2(t, (kint_op)ni->op, s[0], s[1], lo, hi);
        return;
    }
    }
    if (ni->cls == NUM_TEST || ni->cls == NUM_CMP) {
        t->last.fusable = true;
        t->last.br_op = (kint_op)ni->br;
        t->last.brn_op = (kint_op)ni->brn;
    }
}

bool kint_tr_numeric(kint_tr *t, const kdec_instr *in)
{
    switch (in->op) {
    /* Slots hold i32 and f32 bits zero-extended, so these change nothing. */
    case KIR_OP_I32_REINTERPRET_F32:
    case KIR_OP_F32_REINTERPRET_I32:
    case KIR_OP_I64_REINTERPRET_F64:
    case KIR_OP_F64_REINTERPRET_I64:
    case KIR_OP_I64_EXTEND_I32_U: return true;
    /* References: null is 0 and equal references are equal words. */
    case KIR_OP_REF_IS_NULL: emit_numeric(t, &numeric[KIR_OP_I64_EQZ]); return true;
    case KIR_OP_REF_EQ: emit_numeric(t, &numeric[KIR_OP_I64_EQ]); return true;
    default: break;
    }
    const num_info *ni = &numeric[in->op];
    if (ni->cls == NUM_NONE)
        return false;
    emit_numeric(t, ni);
    return true;
}

/* ---- memory accesses --------------------------------------------------------------------- */

enum { MEM_NONE, MEM_LOAD, MEM_STORE, MEM_ALOAD, MEM_ASTORE, MEM_ARMW, MEM_ACMPXCHG };

typedef struct mem_info {
    uint8_t cls;
    uint16_t op, checked;
    uint16_t add, add_imm, shl_add; /* fused with the address computation (guarded) */
} mem_info;

static const mem_info memops[KIR_OP_COUNT] = {
#define LOAD(id, T, X) \
    [KIR_OP_##id] = {MEM_LOAD, KINT_OP_##id, KINT_OP_C_##id, KINT_OP_LA_##id, KINT_OP_LAI_##id, KINT_OP_LSA_##id},
#define STORE(id, T) \
    [KIR_OP_##id] = {MEM_STORE, KINT_OP_##id, KINT_OP_C_##id, KINT_OP_SA_##id, KINT_OP_SAI_##id, KINT_OP_SSA_##id},
#define ALOAD(id, T, X) [KIR_OP_##id] = {MEM_ALOAD, KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#define ASTORE(id, T) [KIR_OP_##id] = {MEM_ASTORE, KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#define ARMW(id, T, X, OP) [KIR_OP_##id] = {MEM_ARMW, KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#define ACMPXCHG(id, T, X) [KIR_OP_##id] = {MEM_ACMPXCHG, KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#include "interp/memory_ops.def"
};

/* Each access's C type has the width the opcode table gives the
 * instruction (its natural alignment). */
enum {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) WASM_WIDTH_##id = (width),
#include "ir/opcodes.def"
#undef OP
};
#define WIDTH_OF(id, T) _Static_assert(sizeof(T) == WASM_WIDTH_##id, #id ": sizeof(" #T ") is not its width");
#define LOAD(id, T, X) WIDTH_OF(id, T)
#define STORE(id, T) WIDTH_OF(id, T)
#define ALOAD(id, T, X) WIDTH_OF(id, T)
#define ASTORE(id, T) WIDTH_OF(id, T)
#define ARMW(id, T, X, OP) WIDTH_OF(id, T)
#define ACMPXCHG(id, T, X) WIDTH_OF(id, T)
#include "interp/memory_ops.def"
#undef WIDTH_OF

/* Whether accesses to memory x go unchecked (variant 0, guarded layout). */
static bool guarded(const kint_tr *t, uint32_t x)
{
    const kir_memory *mem = &t->m->memories[x];
    return t->variant == KINT_VARIANT_GUARDED && x == 0 && !mem->limits.is64 && mem->page_size_log2 == 16;
}

bool kint_tr_memory(kint_tr *t, const kdec_instr *in)
{
    const mem_info *mi = &memops[in->op];
    kint_tv v[3];
    uint32_t s[3], pos, dst;
    switch (mi->cls) {
    case MEM_LOAD:
    case MEM_ALOAD:
        v[0] = kint_tr_pop(t);
        if (mi->cls == MEM_LOAD && guarded(t, in->memidx) && in->memoffset <= UINT32_MAX) {
            /* The address was just computed by an add (of a shift). */
            uint32_t offset = (uint32_t)in->memoffset;
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_emit_LOAD_ADD(t, (kint_op)mi->add, KINT_OPND(l.words, I32_ADD, a),
                                         KINT_OPND(l.words, I32_ADD, b), dst, offset);
                KINT_TR_RESULT(t, LOAD_ADD, pos, dst);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD_I)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_emit_LOAD_ADD_IMM(t, (kint_op)mi->add_imm, KINT_OPND(l.words, I32_ADD_I, a),
                                             KINT_OPND(l.words, I32_ADD_I, imm), dst, offset);
                KINT_TR_RESULT(t, LOAD_ADD_IMM, pos, dst);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_SHL_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_emit_LOAD_SHL_ADD(t, (kint_op)mi->shl_add, KINT_OPND(l.words, I32_SHL_ADD, x),
                                             KINT_OPND(l.words, I32_SHL_ADD, k),
                                             KINT_OPND(l.words, I32_SHL_ADD, a), dst, offset);
                KINT_TR_RESULT(t, LOAD_SHL_ADD, pos, dst);
                return true;
            }
        }
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 1);
        if (mi->cls == MEM_LOAD && guarded(t, in->memidx)) {
            pos = kint_emit_LOAD(t, (kint_op)mi->op, s[0], dst, (uint32_t)in->memoffset);
            KINT_TR_RESULT(t, LOAD, pos, dst);
        } else {
            pos = kint_emit_LOAD_CHECKED(t, (kint_op)mi->checked, s[0], dst, in->memidx, in->memoffset);
            KINT_TR_RESULT(t, LOAD_CHECKED, pos, dst);
        }
        return true;
    case MEM_STORE:
    case MEM_ASTORE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        if (mi->cls == MEM_STORE && guarded(t, in->memidx) && in->memoffset <= UINT32_MAX &&
            kint_tr_use_free(t, &v[1], &s[1])) {
            uint32_t offset = (uint32_t)in->memoffset;
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                kint_emit_STORE_ADD(t, (kint_op)mi->add, KINT_OPND(l.words, I32_ADD, a),
                                    KINT_OPND(l.words, I32_ADD, b), s[1], offset);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD_I)) {
                kint_last l = kint_tr_unemit_last(t);
                kint_emit_STORE_ADD_IMM(t, (kint_op)mi->add_imm, KINT_OPND(l.words, I32_ADD_I, a),
                                        KINT_OPND(l.words, I32_ADD_I, imm), s[1], offset);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_SHL_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                kint_emit_STORE_SHL_ADD(t, (kint_op)mi->shl_add, KINT_OPND(l.words, I32_SHL_ADD, x),
                                        KINT_OPND(l.words, I32_SHL_ADD, k),
                                        KINT_OPND(l.words, I32_SHL_ADD, a), s[1], offset);
                return true;
            }
        }
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        if (mi->cls == MEM_STORE && guarded(t, in->memidx))
            kint_emit_STORE(t, (kint_op)mi->op, s[0], s[1], (uint32_t)in->memoffset);
        else
            kint_emit_STORE_CHECKED(t, (kint_op)mi->checked, s[0], s[1], in->memidx, in->memoffset);
        return true;
    case MEM_ARMW:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 1);
        kint_emit_ATOMIC_RMW(t, (kint_op)mi->op, s[0], s[1], dst, in->memidx, in->memoffset);
        return true;
    case MEM_ACMPXCHG:
        v[2] = kint_tr_pop(t);
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        for (int i = 0; i < 3; i++)
            s[i] = kint_tr_use(t, &v[i]);
        dst = kint_tr_push_home(t, 1);
        kint_emit_ATOMIC_CMPXCHG(t, (kint_op)mi->op, s[0], s[1], s[2], dst, in->memidx, in->memoffset);
        return true;
    default: return false;
    }
}

/* ---- globals, references, tables, bulk memory, waits ----------------------------------------- */

/* Pops n operands and returns their slots in s[0..n) (deepest first). */
static void pop_n(kint_tr *t, uint32_t n, uint32_t *s)
{
    kint_tv v[3];
    for (uint32_t i = n; i-- > 0;)
        v[i] = kint_tr_pop(t);
    for (uint32_t i = 0; i < n; i++)
        s[i] = kint_tr_use(t, &v[i]);
}

bool kint_tr_misc(kint_tr *t, const kdec_instr *in)
{
    uint32_t x = in->idx[0], y = in->idx[1], s[3], dst, pos;
    switch (in->op) {
    case KIR_OP_GLOBAL_GET: {
        kir_valtype g = t->m->globals[x].type;
        if (krt_slots(g) == 2) {
            kint_emit_GLOBAL_GET2(t, KINT_OP_GLOBAL_GET2, kint_tr_push_home(t, 2), x);
            return true;
        }
        dst = kint_tr_push_type(t, g);
        pos = kint_emit_GLOBAL_GET(t, KINT_OP_GLOBAL_GET, dst, x);
        KINT_TR_RESULT(t, GLOBAL_GET, pos, dst);
        return true;
    }
    case KIR_OP_GLOBAL_SET:
        pop_n(t, 1, s);
        if (krt_slots(t->m->globals[x].type) == 2)
            kint_emit_GLOBAL_SET2(t, KINT_OP_GLOBAL_SET2, s[0], x);
        else
            kint_emit_GLOBAL_SET(t, KINT_OP_GLOBAL_SET, s[0], x);
        return true;
    case KIR_OP_REF_FUNC:
        dst = kint_tr_push_type(t, KIR_FUNCREF);
        pos = kint_emit_REF_FUNC(t, KINT_OP_REF_FUNC, dst, x);
        KINT_TR_RESULT(t, REF_FUNC, pos, dst);
        return true;
    case KIR_OP_REF_AS_NON_NULL:
        /* The reference stays where it is. */
        kint_emit_SRC(t, KINT_OP_REF_AS_NON_NULL, kint_tr_use(t, &t->vals[t->nvals - 1]));
        return true;
    case KIR_OP_MEMORY_SIZE:
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_MEMORY_SIZE(t, KINT_OP_MEMORY_SIZE, dst, x);
        KINT_TR_RESULT(t, MEMORY_SIZE, pos, dst);
        return true;
    case KIR_OP_MEMORY_GROW:
        pop_n(t, 1, s);
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_MEMORY_GROW(t, KINT_OP_MEMORY_GROW, s[0], dst, x);
        KINT_TR_RESULT(t, MEMORY_GROW, pos, dst);
        return true;
    case KIR_OP_MEMORY_FILL:
        pop_n(t, 3, s);
        kint_emit_MEMORY_FILL(t, KINT_OP_MEMORY_FILL, s[0], s[1], s[2], x);
        return true;
    case KIR_OP_MEMORY_COPY:
        pop_n(t, 3, s);
        kint_emit_MEMORY_COPY(t, KINT_OP_MEMORY_COPY, s[0], s[1], s[2], x, y);
        return true;
    case KIR_OP_MEMORY_INIT:
        pop_n(t, 3, s);
        kint_emit_MEMORY_INIT(t, KINT_OP_MEMORY_INIT, s[0], s[1], s[2], x, y);
        return true;
    case KIR_OP_DATA_DROP: kint_emit_DATA_DROP(t, KINT_OP_DATA_DROP, x); return true;
    case KIR_OP_TABLE_GET:
        pop_n(t, 1, s);
        dst = kint_tr_push_type(t, t->m->tables[x].elem);
        pos = kint_emit_TABLE_GET(t, KINT_OP_TABLE_GET, s[0], dst, x);
        KINT_TR_RESULT(t, TABLE_GET, pos, dst);
        return true;
    case KIR_OP_TABLE_SET:
        pop_n(t, 2, s);
        kint_emit_TABLE_SET(t, KINT_OP_TABLE_SET, s[0], s[1], x);
        return true;
    case KIR_OP_TABLE_SIZE:
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_TABLE_SIZE(t, KINT_OP_TABLE_SIZE, dst, x);
        KINT_TR_RESULT(t, TABLE_SIZE, pos, dst);
        return true;
    case KIR_OP_TABLE_GROW:
        pop_n(t, 2, s);
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_TABLE_GROW(t, KINT_OP_TABLE_GROW, s[0], s[1], dst, x);
        KINT_TR_RESULT(t, TABLE_GROW, pos, dst);
        return true;
    case KIR_OP_TABLE_FILL:
        pop_n(t, 3, s);
        kint_emit_TABLE_FILL(t, KINT_OP_TABLE_FILL, s[0], s[1], s[2], x);
        return true;
    case KIR_OP_TABLE_COPY:
        pop_n(t, 3, s);
        kint_emit_TABLE_COPY(t, KINT_OP_TABLE_COPY, s[0], s[1], s[2], x, y);
        return true;
    case KIR_OP_TABLE_INIT:
        pop_n(t, 3, s);
        kint_emit_TABLE_INIT(t, KINT_OP_TABLE_INIT, s[0], s[1], s[2], x, y);
        return true;
    case KIR_OP_ELEM_DROP: kint_emit_ELEM_DROP(t, KINT_OP_ELEM_DROP, x); return true;
    case KIR_OP_ATOMIC_FENCE: kint_emit_NONE(t, KINT_OP_ATOMIC_FENCE); return true;
    case KIR_OP_MEMORY_ATOMIC_NOTIFY:
        pop_n(t, 2, s);
        dst = kint_tr_push_home(t, 1);
        kint_emit_ATOMIC_NOTIFY(t, KINT_OP_ATOMIC_NOTIFY, s[0], s[1], dst, in->memidx, in->memoffset);
        return true;
    case KIR_OP_MEMORY_ATOMIC_WAIT32:
    case KIR_OP_MEMORY_ATOMIC_WAIT64:
        pop_n(t, 3, s);
        dst = kint_tr_push_home(t, 1);
        kint_emit_ATOMIC_WAIT(t, in->op == KIR_OP_MEMORY_ATOMIC_WAIT32 ? KINT_OP_ATOMIC_WAIT32 : KINT_OP_ATOMIC_WAIT64,
                              s[0], s[1], s[2], dst, in->memidx, in->memoffset);
        return true;
    default: return false;
    }
}

/* ---- calls ------------------------------------------------------------------------------------ */

void kint_tr_call(kint_tr *t, const kdec_instr *in)
{
    bool tail = in->op == KIR_OP_RETURN_CALL || in->op == KIR_OP_RETURN_CALL_INDIRECT ||
                in->op == KIR_OP_RETURN_CALL_REF;
    uint32_t type, extra = 0;
    kint_tv callee;
    switch (in->op) {
    case KIR_OP_CALL:
    case KIR_OP_RETURN_CALL: type = t->m->funcs[in->idx[0]].type; break;
    default:
        /* call_indirect's index or call_ref's reference, above the arguments */
        type = in->idx[0];
        callee = kint_tr_pop(t);
        extra = kint_tr_use(t, &callee);
        break;
    }
    const kir_type *ft = &t->m->types[type];
    kint_tr_materialize_top(t, ft->nparams);
    uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, ft->nparams);
    /* The callee (or a host function it reaches) may collect. */
    kint_tr_safepoint(t, ft->nparams);
    switch (in->op) {
    case KIR_OP_CALL:
    case KIR_OP_RETURN_CALL:
        if (in->idx[0] < t->m->nfunc_imports)
            kint_emit_CALL_FUNC(t, tail ? KINT_OP_RETURN_CALL_FUNC : KINT_OP_CALL_FUNC, base, in->idx[0]);
        else
            kint_emit_CALL(t, tail ? KINT_OP_RETURN_CALL : KINT_OP_CALL, base,
                           (uint64_t)(uintptr_t)&t->cells[in->idx[0]]);
        break;
    case KIR_OP_CALL_INDIRECT:
    case KIR_OP_RETURN_CALL_INDIRECT:
        kint_emit_CALL_INDIRECT(t, tail ? KINT_OP_RETURN_CALL_INDIRECT : KINT_OP_CALL_INDIRECT, extra, base,
                                t->m->canon[type], in->idx[1]);
        break;
    default:
        kint_emit_CALL_REF(t, tail ? KINT_OP_RETURN_CALL_REF : KINT_OP_CALL_REF, extra, base);
        break;
    }
    kint_tr_safepoint_end(t);
    if (tail)
        return;
    for (uint32_t i = 0; i < ft->nparams; i++)
        kint_tr_pop(t);
    const kir_valtype *rs = kir_type_results(ft);
    for (uint32_t i = 0; i < ft->nresults; i++)
        kint_tr_push_type(t, rs[i]);
}
