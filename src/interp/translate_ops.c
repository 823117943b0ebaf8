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
#undef UN
#undef TEST
#undef BIN
#undef BINI
#undef CMP
#undef CMPI
#undef TRAP_UN
#undef TRAP_BIN
#undef WIDE4
#undef WIDE2
#undef IS64_i
#undef IS64_I
};

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
    uint32_t pos = kint_tr_op(t, KINT_OP_I32_SHL_ADD);
    kint_tr_w(t, shl.a, shl.b);
    kint_tr_w(t, a, dst);
    kint_tr_set_last(t, pos, dst, pos + 2, true);
    t->last.a = shl.a;
    t->last.b = shl.b;
    t->last.c = a;
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
        uint32_t pos = kint_tr_op(t, (kint_op)(s == 0 ? fc->left : fc->right));
        kint_tr_w(t, l.a, l.b);
        kint_tr_w(t, c, dst);
        kint_tr_set_last(t, pos, dst, pos + 2, true);
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
    uint32_t pos = kint_tr_op(t, (kint_op)use->imm);
    kint_tr_w(t, a, imm);
    kint_tr_w(t, dst, 0);
    kint_tr_set_last(t, pos, dst, pos + 2, false);
    t->last.a = a;
    t->last.b = imm;
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
        uint32_t pos = kint_tr_op(t, (kint_op)ni->op);
        kint_tr_w(t, s[0], dst);
        kint_tr_set_last(t, pos, dst, pos + 1, true);
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
        uint32_t pos = kint_tr_op(t, (kint_op)ni->op);
        kint_tr_w(t, s[0], s[1]);
        kint_tr_w(t, dst, 0);
        kint_tr_set_last(t, pos, dst, pos + 2, false);
        t->last.a = s[0];
        t->last.b = s[1];
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
        kint_tr_op(t, (kint_op)ni->op);
        kint_tr_w(t, s[0], s[1]);
        if (n == 4)
            kint_tr_w(t, s[2], s[3]);
        kint_tr_w(t, lo, hi);
        return;
    }
    }
    if (ni->cls == NUM_TEST || ni->cls == NUM_CMP) {
        t->last.fusable = true;
        if (ni->cls == NUM_TEST)
            t->last.a = s[0];
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
#undef LOAD
#undef STORE
#undef ALOAD
#undef ASTORE
#undef ARMW
#undef ACMPXCHG
};

/* Whether accesses to memory x go unchecked (variant 0, guarded layout). */
static bool guarded(const kint_tr *t, uint32_t x)
{
    const kir_memory *mem = &t->m->memories[x];
    return t->variant == KINT_VARIANT_GUARDED && x == 0 && !mem->limits.is64 && mem->page_size_log2 == 16;
}

/* The checked form's trailing words: [mem|extra][offset]. */
static void checked_tail(kint_tr *t, const kdec_instr *in, uint32_t extra)
{
    kint_tr_w(t, in->memidx, extra);
    kint_tr_w64(t, in->memoffset);
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
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_tr_op(t, (kint_op)mi->add);
                kint_tr_w(t, l.a, l.b);
                kint_tr_w(t, dst, (uint32_t)in->memoffset);
                kint_tr_set_last(t, pos, dst, pos + 2, false);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD_I)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_tr_op(t, (kint_op)mi->add_imm);
                kint_tr_w(t, l.a, l.b);
                kint_tr_w(t, dst, (uint32_t)in->memoffset);
                kint_tr_set_last(t, pos, dst, pos + 2, false);
                return true;
            }
            if (kint_tr_is_last(t, &v[0], KINT_OP_I32_SHL_ADD)) {
                kint_last l = kint_tr_unemit_last(t);
                dst = kint_tr_push_home(t, 1);
                pos = kint_tr_op(t, (kint_op)mi->shl_add);
                kint_tr_w(t, l.a, l.b);
                kint_tr_w(t, l.c, dst);
                kint_tr_w(t, (uint32_t)in->memoffset, 0);
                kint_tr_set_last(t, pos, dst, pos + 2, true);
                return true;
            }
        }
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 1);
        if (mi->cls == MEM_LOAD && guarded(t, in->memidx)) {
            pos = kint_tr_op(t, (kint_op)mi->op);
            kint_tr_w(t, s[0], dst);
            kint_tr_w(t, (uint32_t)in->memoffset, 0);
        } else {
            pos = kint_tr_op(t, (kint_op)mi->checked);
            kint_tr_w(t, s[0], dst);
            checked_tail(t, in, 0);
        }
        kint_tr_set_last(t, pos, dst, pos + 1, true);
        return true;
    case MEM_STORE:
    case MEM_ASTORE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        if (mi->cls == MEM_STORE && guarded(t, in->memidx) && in->memoffset <= UINT32_MAX &&
            kint_tr_use_free(t, &v[1], &s[1])) {
            kint_op fused = kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD)     ? (kint_op)mi->add
                            : kint_tr_is_last(t, &v[0], KINT_OP_I32_ADD_I) ? (kint_op)mi->add_imm
                            : kint_tr_is_last(t, &v[0], KINT_OP_I32_SHL_ADD) ? (kint_op)mi->shl_add
                                                                             : KINT_OP_COUNT;
            if (fused != KINT_OP_COUNT) {
                kint_last l = kint_tr_unemit_last(t);
                kint_tr_op(t, fused);
                kint_tr_w(t, l.a, l.b);
                if (fused == (kint_op)mi->shl_add) {
                    kint_tr_w(t, l.c, s[1]);
                    kint_tr_w(t, (uint32_t)in->memoffset, 0);
                } else {
                    kint_tr_w(t, s[1], (uint32_t)in->memoffset);
                }
                return true;
            }
        }
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        if (mi->cls == MEM_STORE && guarded(t, in->memidx)) {
            kint_tr_op(t, (kint_op)mi->op);
            kint_tr_w(t, s[0], s[1]);
            kint_tr_w(t, (uint32_t)in->memoffset, 0);
        } else {
            kint_tr_op(t, (kint_op)mi->checked);
            kint_tr_w(t, s[0], s[1]);
            checked_tail(t, in, 0);
        }
        return true;
    case MEM_ARMW:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 1);
        kint_tr_op(t, (kint_op)mi->op);
        kint_tr_w(t, s[0], s[1]);
        checked_tail(t, in, dst);
        return true;
    case MEM_ACMPXCHG:
        v[2] = kint_tr_pop(t);
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        for (int i = 0; i < 3; i++)
            s[i] = kint_tr_use(t, &v[i]);
        dst = kint_tr_push_home(t, 1);
        kint_tr_op(t, (kint_op)mi->op);
        kint_tr_w(t, s[0], s[1]);
        checked_tail(t, in, dst);
        kint_tr_w(t, s[2], 0);
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

/* One instruction [op][a|b][c|d](...): pops `npop` operands, pushes a
 * result if `result`, and writes the words given as (lo, hi) pairs where
 * the codes below stand for operands and the result. */
enum { F_ZERO = 0x80000000u, F_OP0, F_OP1, F_OP2, F_DST };

/* `result`: 0 none, else the result's type. */
static void emit_form(kint_tr *t, kint_op op, uint32_t npop, kir_valtype result,
                      const uint32_t *fields, uint32_t nfields)
{
    uint32_t s[3] = {0, 0, 0};
    pop_n(t, npop, s);
    uint32_t dst = result ? kint_tr_push_type(t, result) : 0;
    uint32_t pos = kint_tr_op(t, op);
    uint32_t w[8];
    for (uint32_t i = 0; i < nfields; i++) {
        uint32_t f = fields[i];
        w[i] = f == F_ZERO ? 0 : f == F_OP0 ? s[0] : f == F_OP1 ? s[1] : f == F_OP2 ? s[2] : f == F_DST ? dst : f;
    }
    for (uint32_t i = 0; i + 1 < nfields; i += 2)
        kint_tr_w(t, w[i], w[i + 1]);
    /* Results in the first word's high half can be retargeted by local.set. */
    if (result && nfields >= 2 && fields[1] == F_DST)
        kint_tr_set_last(t, pos, dst, pos + 1, true);
}

/* `result`: false (none), true (an integer: true is KIR_I32), or a reference type. */
#define FORM(op, npop, result, ...)                                                       \
    do {                                                                                  \
        const uint32_t f_[] = {__VA_ARGS__};                                              \
        emit_form(t, KINT_OP_##op, npop, (kir_valtype)(result), f_,                       \
                  (uint32_t)(sizeof(f_) / sizeof(f_[0])));                                \
    } while (0)

bool kint_tr_misc(kint_tr *t, const kdec_instr *in)
{
    uint32_t x = in->idx[0], y = in->idx[1];
    switch (in->op) {
    case KIR_OP_GLOBAL_GET:
        if (krt_slots(t->m->globals[x].type) == 2) {
            uint32_t dst = kint_tr_push_home(t, 2);
            kint_tr_op(t, KINT_OP_GLOBAL_GET2);
            kint_tr_w(t, x, dst);
        } else {
            kir_valtype g = t->m->globals[x].type;
            FORM(GLOBAL_GET, 0, kir_vt_is_ref(g) ? g : kir_vt(KIR_I32), x, F_DST);
        }
        return true;
    case KIR_OP_GLOBAL_SET:
        if (krt_slots(t->m->globals[x].type) == 2) {
            kint_tv v = kint_tr_pop(t);
            kint_tr_op(t, KINT_OP_GLOBAL_SET2);
            kint_tr_w(t, kint_tr_use(t, &v), x);
        } else {
            FORM(GLOBAL_SET, 1, false, F_OP0, x);
        }
        return true;
    case KIR_OP_REF_FUNC: FORM(REF_FUNC, 0, KIR_FUNCREF, x, F_DST); return true;
    case KIR_OP_REF_AS_NON_NULL: {
        /* The reference stays where it is. */
        kint_tv *v = &t->vals[t->nvals - 1];
        uint32_t s = kint_tr_use(t, v);
        kint_tr_op(t, KINT_OP_REF_AS_NON_NULL);
        kint_tr_w(t, s, 0);
        return true;
    }
    case KIR_OP_MEMORY_SIZE: FORM(MEMORY_SIZE, 0, true, x, F_DST); return true;
    case KIR_OP_MEMORY_GROW: FORM(MEMORY_GROW, 1, true, F_OP0, F_DST, x, F_ZERO); return true;
    case KIR_OP_MEMORY_FILL: FORM(MEMORY_FILL, 3, false, F_OP0, F_OP1, F_OP2, x); return true;
    case KIR_OP_MEMORY_COPY: FORM(MEMORY_COPY, 3, false, F_OP0, F_OP1, F_OP2, F_ZERO, x, y); return true;
    case KIR_OP_MEMORY_INIT: FORM(MEMORY_INIT, 3, false, F_OP0, F_OP1, F_OP2, F_ZERO, x, y); return true;
    case KIR_OP_DATA_DROP: FORM(DATA_DROP, 0, false, x, F_ZERO); return true;
    case KIR_OP_TABLE_GET: FORM(TABLE_GET, 1, t->m->tables[x].elem, F_OP0, F_DST, x, F_ZERO); return true;
    case KIR_OP_TABLE_SET: FORM(TABLE_SET, 2, false, F_OP0, F_OP1, x, F_ZERO); return true;
    case KIR_OP_TABLE_SIZE: FORM(TABLE_SIZE, 0, true, x, F_DST); return true;
    case KIR_OP_TABLE_GROW: FORM(TABLE_GROW, 2, true, F_OP0, F_OP1, x, F_DST); return true;
    case KIR_OP_TABLE_FILL: FORM(TABLE_FILL, 3, false, F_OP0, F_OP1, F_OP2, x); return true;
    case KIR_OP_TABLE_COPY: FORM(TABLE_COPY, 3, false, F_OP0, F_OP1, F_OP2, F_ZERO, x, y); return true;
    case KIR_OP_TABLE_INIT: FORM(TABLE_INIT, 3, false, F_OP0, F_OP1, F_OP2, F_ZERO, x, y); return true;
    case KIR_OP_ELEM_DROP: FORM(ELEM_DROP, 0, false, x, F_ZERO); return true;
    case KIR_OP_ATOMIC_FENCE: kint_tr_op(t, KINT_OP_ATOMIC_FENCE); return true;
    case KIR_OP_MEMORY_ATOMIC_NOTIFY: {
        uint32_t s[3];
        pop_n(t, 2, s);
        uint32_t dst = kint_tr_push_home(t, 1);
        kint_tr_op(t, KINT_OP_ATOMIC_NOTIFY);
        kint_tr_w(t, s[0], s[1]);
        kint_tr_w(t, in->memidx, dst);
        kint_tr_w64(t, in->memoffset);
        return true;
    }
    case KIR_OP_MEMORY_ATOMIC_WAIT32:
    case KIR_OP_MEMORY_ATOMIC_WAIT64: {
        uint32_t s[3];
        pop_n(t, 3, s);
        uint32_t dst = kint_tr_push_home(t, 1);
        kint_tr_op(t, in->op == KIR_OP_MEMORY_ATOMIC_WAIT32 ? KINT_OP_ATOMIC_WAIT32 : KINT_OP_ATOMIC_WAIT64);
        kint_tr_w(t, s[0], s[1]);
        kint_tr_w(t, in->memidx, dst);
        kint_tr_w64(t, in->memoffset);
        kint_tr_w(t, s[2], 0);
        return true;
    }
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
        if (in->idx[0] < t->m->nfunc_imports) {
            kint_tr_op(t, tail ? KINT_OP_RETURN_CALL_FUNC : KINT_OP_CALL_FUNC);
            kint_tr_w(t, in->idx[0], base);
        } else {
            kint_tr_op(t, tail ? KINT_OP_RETURN_CALL : KINT_OP_CALL);
            kint_tr_w64(t, (uint64_t)(uintptr_t)&t->cells[in->idx[0]]);
            kint_tr_w(t, base, 0);
        }
        break;
    case KIR_OP_CALL_INDIRECT:
    case KIR_OP_RETURN_CALL_INDIRECT:
        kint_tr_op(t, tail ? KINT_OP_RETURN_CALL_INDIRECT : KINT_OP_CALL_INDIRECT);
        kint_tr_w(t, t->m->canon[type], in->idx[1]);
        kint_tr_w(t, extra, base);
        break;
    default:
        kint_tr_op(t, tail ? KINT_OP_RETURN_CALL_REF : KINT_OP_CALL_REF);
        kint_tr_w(t, extra, base);
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
