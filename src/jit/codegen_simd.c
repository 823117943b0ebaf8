/*
 * SIMD and relaxed SIMD in compiled code (docs/JIT.md, "SIMD").
 *
 * A v128 lives in two 8-byte frame slots (low half first), as in the
 * interpreter. Every internal SIMD instruction of interp/simd_ops.def is
 * compiled: the common ones inline as SSE when the CPU has SSE4.1 (the
 * baseline for inline SIMD; kjit_cpu_features), every other one as a call
 * of its helper (helpers_simd.c), which runs the interpreter's own
 * kint_simd_<id> on the frame's slots. Inline sequences compute exactly
 * what the interpreter's x86 backend (interp/simd_x86.h) does, operand
 * order included (which NaN a float operation returns), so both tiers
 * agree bit for bit, and the relaxed instructions make the same choices.
 *
 * v128 values are read from their slots into xmm temporaries and written
 * back at once (unaligned moves: slots are 8-byte aligned, so SSE memory
 * operands, which want 16, are never used on them).
 */
#include "jit/codegen.h"

#include <string.h>

#include "jit/helpers_simd.h"
#include "util/alloc.h"

#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))

/* ---- the generic path ---------------------------------------------------------------------------- */

static void emit_helper(kjit_cg *cg, kjit_simd_helper fn)
{
    kjit_masm *m = cg->m;
    kjit_sync_out(cg);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_mov(m, 64, kjit_r(KJIT_ARG1), kjit_r(KJIT_R_FP));
    kjit_mov(m, 64, kjit_r(KJIT_ARG2), kjit_i((int64_t)(uintptr_t)(cg->w + cg->pos)));
    kjit_call_c(cg, (const void *)fn);
    kjit_sync_in(cg);
    if (kint_layout_field(cg->op, KINT_FN_offset)) /* (only memory accesses trap: every form has an offset) */
        kjit_check_kind(cg);
}

/* ---- the instruction each internal op performs ------------------------------------------------- */

/* For every internal SIMD op, the plain op of its simd_ops.def line (the
 * value operation of a fused load/store form, the access of a memory
 * form), plus one; 0 elsewhere. */
#define B(op, id) [KINT_OP_##op] = KINT_OP_##id + 1,
#define UN(id) B(id, id)
#define BIN(id) B(id, id)
#define BINM(id) B(id, id) B(BL_##id, id) B(BS_##id, id) B(BU_##id, id)
#define TERN(id) B(id, id)
#define SHIFT(id) B(id, id)
#define TEST(id) B(id, id)
#define SPLAT(id) B(id, id)
#define EXTRACT(id) B(id, id)
#define REPLACE(id) B(id, id)
#define SHUFFLE(id) B(id, id) B(id##1, id)
#define CONST(id) B(CONST2, CONST2)
#define LOAD(id) B(id, id) B(C_##id, id) B(LA_##id, id) B(LAI_##id, id) B(LSA_##id, id)
#define STORE(id) B(id, id) B(C_##id, id) B(SA_##id, id) B(SAI_##id, id) B(SSA_##id, id)
#define LOAD_LANE(id) B(id, id)
#define STORE_LANE(id) B(id, id)
static const uint16_t g_base[KINT_OP_COUNT] = {
#include "interp/simd_ops.def"
};
#undef B

/* How a binary value operation is computed inline: dst = a OP b with the
 * machine operation `vop`, in one of these ways (as simd_x86.h does). */
enum {
    H_NONE,      /* no inline sequence: the helper */
    H_AB,        /* vop(a, b) */
    H_BA,        /* vop(b, a) */
    H_NOT_AB,    /* ~vop(a, b) */
    H_NOT_BA,    /* ~vop(b, a) */
    H_EQ_AMIN,   /* eq(vop(a, b), a), vop a min or max: unsigned <= and >= */
    H_NEQ_AMIN,  /* ~eq(vop(a, b), a): unsigned > and < */
    H_FMIN, H_FMAX, /* Wasm's min and max (NaN and -0 rules), vop the raw one */
};

typedef struct binop {
    uint8_t how, vop, eq; /* eq: the equality of the lane width (H_*EQ*) */
    uint8_t p;            /* float precision (H_FMIN/H_FMAX) */
} binop;

static const binop g_bin[KINT_OP_COUNT] = {
#define AB(id, v) [KINT_OP_##id] = {H_AB, KJIT_V_##v, 0, 0},
#define BA(id, v) [KINT_OP_##id] = {H_BA, KJIT_V_##v, 0, 0},
#define NAB(id, v) [KINT_OP_##id] = {H_NOT_AB, KJIT_V_##v, 0, 0},
#define NBA(id, v) [KINT_OP_##id] = {H_NOT_BA, KJIT_V_##v, 0, 0},
#define EQM(id, v, e) [KINT_OP_##id] = {H_EQ_AMIN, KJIT_V_##v, KJIT_V_##e, 0},
#define NEQM(id, v, e) [KINT_OP_##id] = {H_NEQ_AMIN, KJIT_V_##v, KJIT_V_##e, 0},
#define INTCMP(W, N)                                                                                   \
    AB(I##W##_EQ, EQ##N) NAB(I##W##_NE, EQ##N) BA(I##W##_LT_S, GT##N##S) AB(I##W##_GT_S, GT##N##S)     \
    NAB(I##W##_LE_S, GT##N##S) NBA(I##W##_GE_S, GT##N##S) NEQM(I##W##_LT_U, MAX##N##U, EQ##N)          \
    NEQM(I##W##_GT_U, MIN##N##U, EQ##N) EQM(I##W##_LE_U, MIN##N##U, EQ##N) EQM(I##W##_GE_U, MAX##N##U, EQ##N)
    INTCMP(8X16, 8) INTCMP(16X8, 16) INTCMP(32X4, 32)
#undef INTCMP
    AB(I64X2_EQ, EQ64) NAB(I64X2_NE, EQ64)
#define FLOAT(W, P)                                                                                    \
    AB(F##W##_EQ, FEQ##P) AB(F##W##_NE, FNE##P) AB(F##W##_LT, FLT##P) BA(F##W##_GT, FLT##P)             \
    AB(F##W##_LE, FLE##P) BA(F##W##_GE, FLE##P) AB(F##W##_ADD, FADD##P) AB(F##W##_SUB, FSUB##P)         \
    AB(F##W##_MUL, FMUL##P) AB(F##W##_DIV, FDIV##P) BA(F##W##_PMIN, FMIN##P) BA(F##W##_PMAX, FMAX##P)   \
    AB(F##W##_RELAXED_MIN, FMIN##P) AB(F##W##_RELAXED_MAX, FMAX##P)                                   \
    [KINT_OP_F##W##_MIN] = {H_FMIN, KJIT_V_FMIN##P, 0, P}, [KINT_OP_F##W##_MAX] = {H_FMAX, KJIT_V_FMAX##P, 0, P},
    FLOAT(32X4, 32) FLOAT(64X2, 64)
#undef FLOAT
    AB(V128_AND, AND) AB(V128_OR, OR) AB(V128_XOR, XOR) BA(V128_ANDNOT, ANDN)
    AB(I8X16_ADD, ADD8) AB(I16X8_ADD, ADD16) AB(I32X4_ADD, ADD32) AB(I64X2_ADD, ADD64)
    AB(I8X16_SUB, SUB8) AB(I16X8_SUB, SUB16) AB(I32X4_SUB, SUB32) AB(I64X2_SUB, SUB64)
    AB(I16X8_MUL, MUL16) AB(I32X4_MUL, MUL32)
    AB(I8X16_ADD_SAT_S, ADDSAT8S) AB(I8X16_ADD_SAT_U, ADDSAT8U) AB(I16X8_ADD_SAT_S, ADDSAT16S)
    AB(I16X8_ADD_SAT_U, ADDSAT16U) AB(I8X16_SUB_SAT_S, SUBSAT8S) AB(I8X16_SUB_SAT_U, SUBSAT8U)
    AB(I16X8_SUB_SAT_S, SUBSAT16S) AB(I16X8_SUB_SAT_U, SUBSAT16U)
    AB(I8X16_MIN_S, MIN8S) AB(I8X16_MIN_U, MIN8U) AB(I8X16_MAX_S, MAX8S) AB(I8X16_MAX_U, MAX8U)
    AB(I16X8_MIN_S, MIN16S) AB(I16X8_MIN_U, MIN16U) AB(I16X8_MAX_S, MAX16S) AB(I16X8_MAX_U, MAX16U)
    AB(I32X4_MIN_S, MIN32S) AB(I32X4_MIN_U, MIN32U) AB(I32X4_MAX_S, MAX32S) AB(I32X4_MAX_U, MAX32U)
    AB(I8X16_AVGR_U, AVG8U) AB(I16X8_AVGR_U, AVG16U)
    AB(I8X16_RELAXED_SWIZZLE, SHUFB)
    AB(I8X16_NARROW_I16X8_S, PACKSS16) AB(I8X16_NARROW_I16X8_U, PACKUS16)
    AB(I16X8_NARROW_I32X4_S, PACKSS32) AB(I16X8_NARROW_I32X4_U, PACKUS32)
    AB(I32X4_DOT_I16X8_S, MADD16)
    AB(I16X8_RELAXED_Q15MULR_S, MULHRS16) BA(I16X8_RELAXED_DOT_I8X16_I7X16_S, MADDUBS)
    AB(I64X2_GT_S, GT64S) BA(I64X2_LT_S, GT64S) NAB(I64X2_LE_S, GT64S) NBA(I64X2_GE_S, GT64S)
#undef AB
#undef BA
#undef NAB
#undef NBA
#undef EQM
#undef NEQM
};

/* ---- v128 operands ------------------------------------------------------------------------------- */

/*
 * v128 values are cached in float temporaries like scalars (codegen.c):
 * width 128, the register standing for slots s and s + 1, written back
 * when dirty at the same points as every other temporary. The macro-
 * assembler's float scratch serves as a fourth register where a sequence
 * needs one (never while an operation that uses it runs).
 */
#define FS KJIT_MASM_FSCRATCH

static bool is_ftmp(const kjit_cg *cg, kjit_reg r) { return r < KJIT_NFPR && ((cg->ftmps >> r) & 1u); }

/* A register holding the v128 in slots s, s + 1: the temporary caching
 * it, or one loaded now (and then caching it). Read-only for the caller. */
static kjit_reg vin(kjit_cg *cg, uint32_t s)
{
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (cg->fslot[r] == s && cg->fwidth[r] == 128 && is_ftmp(cg, r)) {
            cg->fbusy |= 1u << r;
            return r;
        }
    kjit_flush_slot(cg, s);
    kjit_flush_slot(cg, s + 1);
    kjit_reg r = kjit_ftmp(cg);
    kjit_vmov(cg->m, kjit_r(r), SLOT(s));
    cg->fslot[r] = s;
    cg->fwidth[r] = 128;
    return r;
}

/* A temporary of the caller's own, holding nothing yet. */
static kjit_reg vtmp(kjit_cg *cg) { return kjit_ftmp(cg); }

/* A temporary of the caller's own holding the v128 in slots s, s + 1 (to
 * compute a result in). */
static kjit_reg vin_own(kjit_cg *cg, uint32_t s)
{
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (cg->fslot[r] == s && cg->fwidth[r] == 128 && is_ftmp(cg, r)) {
            cg->fbusy |= 1u << r;
            kjit_reg t = vtmp(cg);
            kjit_vmov(cg->m, kjit_r(t), kjit_r(r));
            return t;
        }
    kjit_flush_slot(cg, s);
    kjit_flush_slot(cg, s + 1);
    kjit_reg t = vtmp(cg);
    kjit_vmov(cg->m, kjit_r(t), SLOT(s));
    return t;
}

/* Slots s, s + 1 get a new value: what cached either is forgotten (an
 * exact v128 copy without a store: both halves are overwritten). */
static void vforget(kjit_cg *cg, uint32_t s)
{
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (cg->fslot[r] == s && cg->fwidth[r] == 128) {
            cg->fslot[r] = KJIT_NONE;
            cg->fdirty &= ~(1u << r);
        }
    kjit_forget_slot(cg, s);
    kjit_forget_slot(cg, s + 1);
}

/* The result in r (a temporary of the caller's) becomes slots s, s + 1:
 * cached, dirty. */
static void vout(kjit_cg *cg, uint32_t s, kjit_reg r)
{
    vforget(cg, s);
    if (!is_ftmp(cg, r)) {
        kjit_vmov(cg->m, SLOT(s), kjit_r(r));
        return;
    }
    cg->fslot[r] = s;
    cg->fwidth[r] = 128;
    cg->fdirty |= 1u << r;
}

/* r = all ones. */
static void ones(kjit_masm *m, kjit_reg r) { kjit_vbin(m, KJIT_V_EQ32, r, r, r); }

/* r = ~r. */
static void vnot(kjit_masm *m, kjit_reg r)
{
    ones(m, FS);
    kjit_vbin(m, KJIT_V_XOR, r, r, FS);
}

/* Wasm's f32x4/f64x2 min and max, as simd_x86.h computes them (V8's
 * sequences: both operand orders merged, NaN lanes made canonical), of
 * the read-only x and y: the result in a temporary of the caller's. */
static kjit_reg fminmax(kjit_cg *cg, const binop *o, kjit_reg x, kjit_reg y)
{
    kjit_masm *m = cg->m;
    kjit_reg t = vtmp(cg);
    kjit_vop fsub = o->p == 32 ? KJIT_V_FSUB32 : KJIT_V_FSUB64;
    kjit_vop unord = o->p == 32 ? KJIT_V_FUNORD32 : KJIT_V_FUNORD64;
    kjit_vshift_op shr = o->p == 32 ? KJIT_VSHR32 : KJIT_VSHR64;
    unsigned nanbits = o->p == 32 ? 10 : 13;
    kjit_vbin(m, (kjit_vop)o->vop, t, y, x);  /* min/max(y, x) */
    kjit_vbin(m, (kjit_vop)o->vop, FS, x, y); /* min/max(x, y) */
    if (o->how == H_FMIN) {
        kjit_vbin(m, KJIT_V_OR, FS, FS, t);   /* -0 and NaNs propagate */
        kjit_vbin(m, unord, t, FS, FS);       /* NaN lanes */
        kjit_vbin(m, KJIT_V_OR, FS, FS, t);
        kjit_vshift(m, shr, t, nanbits);
        kjit_vbin(m, KJIT_V_ANDN, t, t, FS);  /* the NaN lanes canonical */
        return t;
    }
    kjit_vbin(m, KJIT_V_XOR, FS, FS, t);      /* d: where the orders disagree */
    kjit_vbin(m, KJIT_V_OR, t, t, FS);        /* NaNs propagate */
    kjit_vbin(m, fsub, t, t, FS);             /* +0 over -0, NaNs stay NaN */
    kjit_vbin(m, unord, FS, t, t);
    kjit_vshift(m, shr, FS, nanbits);
    kjit_vbin(m, KJIT_V_ANDN, FS, FS, t);     /* the NaN lanes canonical */
    kjit_vmov(m, kjit_r(t), kjit_r(FS));
    return t;
}

/* a OP b for binary op `base`, a and b in slots (sa, sb) or, for the
 * fused load form, b already in register yb (a temporary of ours): the
 * result in a temporary of the caller's. */
static kjit_reg binary(kjit_cg *cg, kint_op base, uint32_t sa, uint32_t sb, kjit_reg yb)
{
    kjit_masm *m = cg->m;
    const binop *o = &g_bin[base];
    kjit_vop v = (kjit_vop)o->vop;
    kjit_reg r;
    switch (o->how) {
    case H_AB:
    case H_NOT_AB:
        r = vin_own(cg, sa);
        kjit_vbin(m, v, r, r, yb != KJIT_NOREG ? yb : vin(cg, sb));
        if (o->how == H_NOT_AB)
            vnot(m, r);
        return r;
    case H_BA:
    case H_NOT_BA:
        r = yb != KJIT_NOREG ? yb : vin_own(cg, sb);
        kjit_vbin(m, v, r, r, vin(cg, sa));
        if (o->how == H_NOT_BA)
            vnot(m, r);
        return r;
    case H_EQ_AMIN:
    case H_NEQ_AMIN: {
        kjit_reg x = vin(cg, sa);
        r = yb != KJIT_NOREG ? yb : vin_own(cg, sb);
        kjit_vbin(m, v, r, r, x);              /* min/max(b, a): commutes exactly */
        kjit_vbin(m, (kjit_vop)o->eq, r, r, x);
        if (o->how == H_NEQ_AMIN)
            vnot(m, r);
        return r;
    }
    default: {
        kjit_reg x = vin(cg, sa);
        return fminmax(cg, o, x, yb != KJIT_NOREG ? yb : vin(cg, sb));
    }
    }
}

static kjit_label vconst(kjit_cg *cg, uint64_t lo, uint64_t hi);
static kjit_label vconst8(kjit_cg *cg, uint8_t b);

/* r = the low half of x, or the high half moved low (high). */
static void half(kjit_masm *m, kjit_reg r, kjit_reg x, bool high)
{
    if (high)
        kjit_vshuf32(m, r, x, 0xEE);
    else
        kjit_vmov(m, kjit_r(r), kjit_r(x));
}

/* Binary operations of more than one machine operation that no fused
 * form has (as simd_x86.h computes them); false for the others. */
static bool emit_binary_special(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    uint32_t sa = kjit_fld(cg, KINT_FN_a), sb = kjit_fld(cg, KINT_FN_b);
    kjit_reg r;
    switch (base) {
    case KINT_OP_I16X8_EXTMUL_LOW_I8X16_S:
    case KINT_OP_I16X8_EXTMUL_HIGH_I8X16_S:
    case KINT_OP_I16X8_EXTMUL_LOW_I8X16_U:
    case KINT_OP_I16X8_EXTMUL_HIGH_I8X16_U: {
        bool high = base == KINT_OP_I16X8_EXTMUL_HIGH_I8X16_S || base == KINT_OP_I16X8_EXTMUL_HIGH_I8X16_U;
        kjit_vop ext = base == KINT_OP_I16X8_EXTMUL_LOW_I8X16_S || base == KINT_OP_I16X8_EXTMUL_HIGH_I8X16_S
                           ? KJIT_V_EXT8S16 : KJIT_V_EXT8U16;
        kjit_reg x = vin(cg, sa), y = vin(cg, sb);
        r = vtmp(cg);
        half(m, r, x, high);
        kjit_vbin(m, ext, r, r, r);
        half(m, FS, y, high);
        kjit_vbin(m, ext, FS, FS, FS);
        kjit_vbin(m, KJIT_V_MUL16, r, r, FS);
        break;
    }
    case KINT_OP_I32X4_EXTMUL_LOW_I16X8_S:
    case KINT_OP_I32X4_EXTMUL_HIGH_I16X8_S:
    case KINT_OP_I32X4_EXTMUL_LOW_I16X8_U:
    case KINT_OP_I32X4_EXTMUL_HIGH_I16X8_U: {
        bool high = base == KINT_OP_I32X4_EXTMUL_HIGH_I16X8_S || base == KINT_OP_I32X4_EXTMUL_HIGH_I16X8_U;
        bool sgn = base == KINT_OP_I32X4_EXTMUL_LOW_I16X8_S || base == KINT_OP_I32X4_EXTMUL_HIGH_I16X8_S;
        kjit_reg x = vin(cg, sa), y = vin(cg, sb);
        r = vtmp(cg);
        kjit_vbin(m, KJIT_V_MUL16, r, x, y);
        kjit_vbin(m, sgn ? KJIT_V_MULHI16S : KJIT_V_MULHI16U, FS, x, y);
        kjit_vbin(m, high ? KJIT_V_UNPACKHI16 : KJIT_V_UNPACKLO16, r, r, FS);
        break;
    }
    case KINT_OP_I64X2_EXTMUL_LOW_I32X4_S:
    case KINT_OP_I64X2_EXTMUL_HIGH_I32X4_S:
    case KINT_OP_I64X2_EXTMUL_LOW_I32X4_U:
    case KINT_OP_I64X2_EXTMUL_HIGH_I32X4_U: {
        bool high = base == KINT_OP_I64X2_EXTMUL_HIGH_I32X4_S || base == KINT_OP_I64X2_EXTMUL_HIGH_I32X4_U;
        bool sgn = base == KINT_OP_I64X2_EXTMUL_LOW_I32X4_S || base == KINT_OP_I64X2_EXTMUL_HIGH_I32X4_S;
        uint8_t pairs = high ? 0xFA : 0x50; /* lanes 2, 3 or 0, 1 into the even positions */
        kjit_reg x = vin(cg, sa), y = vin(cg, sb);
        r = vtmp(cg);
        kjit_vshuf32(m, r, x, pairs);
        kjit_vshuf32(m, FS, y, pairs);
        kjit_vbin(m, sgn ? KJIT_V_MULS32 : KJIT_V_MULU32, r, r, FS);
        break;
    }
    case KINT_OP_I64X2_MUL: { /* lo*lo + ((hi*lo + lo*hi) << 32) */
        kjit_reg x = vin(cg, sa), y = vin(cg, sb);
        r = vtmp(cg);
        kjit_vmov(m, kjit_r(r), kjit_r(x));
        kjit_vshift(m, KJIT_VSHR64, r, 32);
        kjit_vbin(m, KJIT_V_MULU32, r, r, y);
        kjit_vmov(m, kjit_r(FS), kjit_r(y));
        kjit_vshift(m, KJIT_VSHR64, FS, 32);
        kjit_vbin(m, KJIT_V_MULU32, FS, FS, x);
        kjit_vbin(m, KJIT_V_ADD64, r, r, FS);
        kjit_vshift(m, KJIT_VSHL64, r, 32);
        kjit_vbin(m, KJIT_V_MULU32, FS, x, y);
        kjit_vbin(m, KJIT_V_ADD64, r, r, FS);
        break;
    }
    case KINT_OP_I8X16_SWIZZLE: { /* indices of 16 and more saturated past 0x7f: zero lanes */
        kjit_reg i = vin_own(cg, sb);
        kjit_vbin_label(m, KJIT_V_ADDSAT8U, i, vconst8(cg, 0x70));
        r = vin_own(cg, sa);
        kjit_vbin(m, KJIT_V_SHUFB, r, r, i);
        break;
    }
    case KINT_OP_I16X8_Q15MULR_SAT_S: { /* pmulhrsw, 0x8000 * 0x8000 flipped to 0x7fff */
        r = vin_own(cg, sa);
        kjit_vbin(m, KJIT_V_MULHRS16, r, r, vin(cg, sb));
        kjit_vmov(m, kjit_r(FS), kjit_r(r));
        kjit_vbin_label(m, KJIT_V_EQ16, FS, vconst(cg, 0x8000800080008000ull, 0x8000800080008000ull));
        kjit_vbin(m, KJIT_V_XOR, r, r, FS);
        break;
    }
    default: return false;
    }
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* ---- instructions --------------------------------------------------------------------------------- */

static bool has(const kjit_cg *cg, kint_op base)
{
    if (g_bin[base].vop == KJIT_V_GT64S && g_bin[base].how != H_NONE)
        return (cg->m->cpu & KJIT_CPU_SSE42) != 0;
    return g_bin[base].how != H_NONE;
}

static kint_shape shape(kint_op op) { return (kint_shape)kint_ops[op].shape; }

/* Address form of a SIMD memory shape. */
static uint8_t addr_form(kint_shape sh)
{
    switch (sh) {
    case KINT_SHAPE_SIMD_LOAD_CHECKED:
    case KINT_SHAPE_SIMD_STORE_CHECKED: return KJIT_ADDR_CHECKED;
    case KINT_SHAPE_SIMD_LOAD_ADD:
    case KINT_SHAPE_SIMD_STORE_ADD: return KJIT_ADDR_ADD;
    case KINT_SHAPE_SIMD_LOAD_ADD_IMM:
    case KINT_SHAPE_SIMD_STORE_ADD_IMM: return KJIT_ADDR_ADD_IMM;
    case KINT_SHAPE_SIMD_LOAD_SHL_ADD:
    case KINT_SHAPE_SIMD_STORE_SHL_ADD: return KJIT_ADDR_SHL_ADD;
    default: return KJIT_ADDR_PLAIN;
    }
}

/* The 16-byte access at the current instruction's address: a load into
 * r, or a store of r. */
static void access16(kjit_cg *cg, bool store, kjit_reg r)
{
    bool site;
    kjit_opnd at = kjit_mem_operand(cg, addr_form(shape(cg->op)), 16, &site);
    if (site)
        kjit_site_add(&cg->u->sites, kjit_masm_offset(cg->m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
                      cg->pos);
    if (store)
        kjit_vmov(cg->m, at, kjit_r(r));
    else
        kjit_vmov(cg->m, kjit_r(r), at);
}

/* A 16-byte constant of the function: its label (in the pool after the
 * function's code, 16-byte aligned, each value once). */
typedef struct kjit_vconst {
    kjit_label label;
    uint64_t lo, hi;
} kjit_vconst;

static kjit_label vconst(kjit_cg *cg, uint64_t lo, uint64_t hi)
{
    for (uint32_t i = 0; i < cg->nvconsts; i++)
        if (cg->vconsts[i].lo == lo && cg->vconsts[i].hi == hi)
            return cg->vconsts[i].label;
    kjit_label l = kjit_label_new(cg->m);
    if (cg->nvconsts == cg->vconstcap) {
        uint32_t cap = cg->vconstcap ? cg->vconstcap * 2 : 8;
        kjit_vconst *p = kutil_realloc(cg->m->alloc, cg->vconsts, (size_t)cap * sizeof(*p));
        if (!p) {
            cg->m->oom = true;
            return l;
        }
        cg->vconsts = p;
        cg->vconstcap = cap;
    }
    cg->vconsts[cg->nvconsts++] = (kjit_vconst){l, lo, hi};
    return l;
}

static kjit_label vconst_bytes(kjit_cg *cg, const uint8_t *b)
{
    uint64_t lo, hi;
    memcpy(&lo, b, 8);
    memcpy(&hi, b + 8, 8);
    return vconst(cg, lo, hi);
}

/* A constant with every byte b. */
static kjit_label vconst8(kjit_cg *cg, uint8_t b) { return vconst(cg, 0x0101010101010101ull * b, 0x0101010101010101ull * b); }

void kjit_simd_pool(kjit_cg *cg)
{
    if (!cg->nvconsts)
        return;
    kjit_align(cg->m, 16);
    for (uint32_t i = 0; i < cg->nvconsts; i++) {
        kjit_bind(cg->m, cg->vconsts[i].label);
        kjit_emit_u64(cg->m, cg->vconsts[i].lo);
        kjit_emit_u64(cg->m, cg->vconsts[i].hi);
    }
}

/* i8x16.shuffle of a and b by 16 index bytes (mask): pshufb of each by
 * its own indices (a side no lane comes from is left out), or'ed. */
static kjit_reg shuffle(kjit_cg *cg, const uint8_t *mask, bool two)
{
    kjit_masm *m = cg->m;
    uint8_t ma[16], mb[16];
    bool use_a = false, use_b = false;
    for (int i = 0; i < 16; i++) {
        ma[i] = mask[i] < 16 ? mask[i] : 0x80;
        mb[i] = mask[i] >= 16 ? (uint8_t)(mask[i] - 16) : 0x80;
        use_a |= mask[i] < 16;
        use_b |= mask[i] >= 16;
    }
    if (!two || !use_b) {
        kjit_reg x = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_vbin_label(m, KJIT_V_SHUFB, x, vconst_bytes(cg, ma));
        return x;
    }
    kjit_reg y = vin_own(cg, kjit_fld(cg, KINT_FN_b));
    kjit_vbin_label(m, KJIT_V_SHUFB, y, vconst_bytes(cg, mb));
    if (!use_a)
        return y;
    kjit_reg x = vin_own(cg, kjit_fld(cg, KINT_FN_a));
    kjit_vbin_label(m, KJIT_V_SHUFB, x, vconst_bytes(cg, ma));
    kjit_vbin(m, KJIT_V_OR, x, x, y);
    return x;
}

static unsigned lane_bits(kint_op base)
{
    switch (base) {
    case KINT_OP_I8X16_SPLAT:
    case KINT_OP_I8X16_EXTRACT_LANE_S:
    case KINT_OP_I8X16_EXTRACT_LANE_U:
    case KINT_OP_I8X16_REPLACE_LANE: return 8;
    case KINT_OP_I16X8_SPLAT:
    case KINT_OP_I16X8_EXTRACT_LANE_S:
    case KINT_OP_I16X8_EXTRACT_LANE_U:
    case KINT_OP_I16X8_REPLACE_LANE: return 16;
    case KINT_OP_I64X2_SPLAT:
    case KINT_OP_F64X2_SPLAT:
    case KINT_OP_I64X2_EXTRACT_LANE:
    case KINT_OP_F64X2_EXTRACT_LANE:
    case KINT_OP_I64X2_REPLACE_LANE:
    case KINT_OP_F64X2_REPLACE_LANE: return 64;
    default: return 32;
    }
}

/* A v128 temporary with every w-bit lane the low bits of integer register
 * g (own: a temporary of the caller's, which may be clobbered). */
static kjit_reg splat_gpr(kjit_cg *cg, unsigned w, kjit_reg g, bool own)
{
    kjit_masm *m = cg->m;
    kjit_reg r = vtmp(cg);
    if (w < 32) { /* the lane repeated in 32 bits */
        kjit_reg t = own ? g : kjit_gtmp(cg);
        kjit_unop(m, w == 8 ? KJIT_EXT8U : KJIT_EXT16U, 32, t, g);
        kjit_alu(m, KJIT_MUL, 32, t, t, kjit_i(w == 8 ? 0x01010101 : 0x00010001));
        g = t;
    }
    kjit_mov_i2f(m, w == 64 ? 64 : 32, r, g);
    kjit_vshuf32(m, r, r, w == 64 ? 0x44 : 0x00);
    return r;
}

static void emit_splat(kjit_cg *cg, kint_op base)
{
    unsigned w = lane_bits(base);
    kjit_reg g = kjit_gin(cg, kjit_fld(cg, KINT_FN_a), w == 64 ? 64 : 32);
    vout(cg, kjit_fld(cg, KINT_FN_dst), splat_gpr(cg, w, g, false));
}

/* v128.loadN_lane and v128.storeN_lane (checked accesses of any memory). */
static bool emit_lane_access(kjit_cg *cg, kint_op base, bool store)
{
    kjit_masm *m = cg->m;
    unsigned w;
    switch (base) {
    case KINT_OP_V128_LOAD8_LANE:
    case KINT_OP_V128_STORE8_LANE: w = 8; break;
    case KINT_OP_V128_LOAD16_LANE:
    case KINT_OP_V128_STORE16_LANE: w = 16; break;
    case KINT_OP_V128_LOAD32_LANE:
    case KINT_OP_V128_STORE32_LANE: w = 32; break;
    default: w = 64; break;
    }
    unsigned lane = kjit_fld(cg, KINT_FN_lane);
    bool site;
    if (store) { /* the lane into a register first: the store right after its address */
        kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_val));
        kjit_reg g = kjit_gtmp(cg);
        kjit_vextract(m, w, g, x, lane);
        kjit_opnd at = kjit_mem_operand(cg, KJIT_ADDR_CHECKED, w / 8, &site);
        kjit_mov(m, w, at, kjit_r(g));
        return true;
    }
    kjit_opnd at = kjit_mem_operand(cg, KJIT_ADDR_CHECKED, w / 8, &site);
    kjit_reg g = kjit_gtmp(cg);
    static const kjit_load_kind kinds[] = {KJIT_L8U, KJIT_L16U, KJIT_L32U, KJIT_L64};
    kjit_load(m, kinds[w == 8 ? 0 : w == 16 ? 1 : w == 32 ? 2 : 3], g, at);
    kjit_reg r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
    kjit_vinsert(m, w, r, g, lane);
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

static void emit_extract(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    unsigned w = lane_bits(base), lane = kjit_fld(cg, KINT_FN_lane);
    kjit_reg v = vin(cg, kjit_fld(cg, KINT_FN_a));
    kjit_reg g = kjit_gtmp(cg);
    kjit_vextract(m, w, g, v, lane);
    if (base == KINT_OP_I8X16_EXTRACT_LANE_S || base == KINT_OP_I16X8_EXTRACT_LANE_S)
        kjit_unop(m, w == 8 ? KJIT_EXT8S : KJIT_EXT16S, 32, g, g);
    kjit_raw_done(cg, kjit_fld(cg, KINT_FN_dst), g);
}

static void emit_replace(kjit_cg *cg, kint_op base)
{
    unsigned w = lane_bits(base), lane = kjit_fld(cg, KINT_FN_lane);
    kjit_reg g = kjit_gin(cg, kjit_fld(cg, KINT_FN_b), w == 64 ? 64 : 32);
    kjit_reg v = vin_own(cg, kjit_fld(cg, KINT_FN_a));
    kjit_vinsert(cg->m, w, v, g, lane);
    vout(cg, kjit_fld(cg, KINT_FN_dst), v);
}

/* A v128 constant: made in a register (zero and all ones by idiom, others
 * from the function's pool), not stored to its slots, so that the next
 * instruction reads it without a 16-byte load of two 8-byte stores (which
 * store forwarding cannot serve). */
static void emit_const2(kjit_cg *cg)
{
    uint64_t lo = kjit_fld64(cg, KINT_FN_value), hi = kjit_fld64(cg, KINT_FN_value_hi);
    kjit_reg r = vtmp(cg);
    if (lo == 0 && hi == 0)
        kjit_vbin(cg->m, KJIT_V_XOR, r, r, r);
    else if (lo == UINT64_MAX && hi == UINT64_MAX)
        ones(cg->m, r);
    else
        kjit_vload_label(cg->m, r, vconst(cg, lo, hi));
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
}

void kjit_simd_copy2(kjit_cg *cg, uint32_t dst, uint32_t src)
{
    if (dst == src)
        return;
    vout(cg, dst, vin_own(cg, src));
}

/* dst = op(a) for a unary machine operation (of a's high half: high). */
static bool unary1(kjit_cg *cg, kjit_vop op, bool high)
{
    kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
    kjit_reg r = vtmp(cg);
    if (high) {
        kjit_vshuf32(cg->m, r, x, 0xEE); /* the high half, low */
        kjit_vbin(cg->m, op, r, r, r);
    } else {
        kjit_vbin(cg->m, op, r, r, x);
    }
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* Float lanes rounded (roundps/roundpd, as simd_x86.h with SSE4.1). */
static bool vround(kjit_cg *cg, unsigned p, kjit_fround_mode mode)
{
    kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
    kjit_reg r = vtmp(cg);
    kjit_vround(cg->m, p, mode, r, x);
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* The high half's lanes zero-extended: interleaved with zeros. */
static bool unpack_high(kjit_cg *cg, kjit_vop op)
{
    kjit_reg r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
    kjit_vbin(cg->m, KJIT_V_XOR, FS, FS, FS);
    kjit_vbin(cg->m, op, r, r, FS);
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* Shifts (SIMD_SHIFT): the count modulo the lane width, as Wasm says.
 * 8-bit lanes shift in 16-bit ones and mask (constant counts only). */
static bool emit_shift(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    static const struct {
        kint_op op;
        uint8_t w, kind; /* 0 shl, 1 shr_u, 2 shr_s */
    } shifts[] = {
        {KINT_OP_I8X16_SHL, 8, 0},  {KINT_OP_I8X16_SHR_U, 8, 1},  {KINT_OP_I8X16_SHR_S, 8, 2},
        {KINT_OP_I16X8_SHL, 16, 0}, {KINT_OP_I16X8_SHR_U, 16, 1}, {KINT_OP_I16X8_SHR_S, 16, 2},
        {KINT_OP_I32X4_SHL, 32, 0}, {KINT_OP_I32X4_SHR_U, 32, 1}, {KINT_OP_I32X4_SHR_S, 32, 2},
        {KINT_OP_I64X2_SHL, 64, 0}, {KINT_OP_I64X2_SHR_U, 64, 1}, {KINT_OP_I64X2_SHR_S, 64, 2},
    };
    unsigned w = 0, kind = 0;
    for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++)
        if (shifts[i].op == base) {
            w = shifts[i].w;
            kind = shifts[i].kind;
        }
    uint64_t c;
    bool konst = kjit_const(cg, kjit_fld(cg, KINT_FN_b), &c);
    if (!w || (w == 8 && !konst))
        return false;
    if (w == 64 && kind == 2) { /* no psraq: ((a ^ s) >> n) ^ s, s the lanes' signs (as simd_x86.h) */
        kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg r = vtmp(cg), t = vtmp(cg);
        kjit_vshuf32(m, t, x, 0xF5);
        kjit_vshift(m, KJIT_VSAR32, t, 31);
        kjit_vbin(m, KJIT_V_XOR, r, x, t);
        if (konst) {
            if (c & 63)
                kjit_vshift(m, KJIT_VSHR64, r, (unsigned)c & 63);
        } else {
            kjit_reg g = kjit_gin(cg, kjit_fld(cg, KINT_FN_b), 32);
            kjit_reg u = kjit_gtmp(cg);
            kjit_alu(m, KJIT_AND, 32, u, g, kjit_i(63));
            kjit_mov_i2f(m, 32, FS, u);
            kjit_vbin(m, KJIT_V_SRL64, r, r, FS);
        }
        kjit_vbin(m, KJIT_V_XOR, r, r, t);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    unsigned lw = w == 8 ? 16 : w; /* the machine's lanes */
    unsigned li = lw == 16 ? 0 : lw == 32 ? 1 : 2;
    kjit_reg r;
    if (konst) {
        unsigned n = (unsigned)c & (w - 1);
        r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        static const kjit_vshift_op imm[3][3] = {{KJIT_VSHL16, KJIT_VSHL32, KJIT_VSHL64},
                                                 {KJIT_VSHR16, KJIT_VSHR32, KJIT_VSHR64},
                                                 {KJIT_VSAR16, KJIT_VSAR32, KJIT_VSAR32}};
        if (n) {
            kjit_vshift(m, imm[w == 8 ? (kind == 0 ? 0 : 1) : kind][li], r, n);
            if (w == 8) {
                uint8_t keep = kind == 0 ? (uint8_t)(0xFF << n) : (uint8_t)(0xFF >> n);
                kjit_vbin_label(m, KJIT_V_AND, r, vconst8(cg, keep));
                if (kind == 2) { /* sign-extend from bit 7 - n: (x ^ s) - s */
                    kjit_label sign = vconst8(cg, (uint8_t)(0x80 >> n));
                    kjit_vbin_label(m, KJIT_V_XOR, r, sign);
                    kjit_vbin_label(m, KJIT_V_SUB8, r, sign);
                }
            }
        }
    } else {
        kjit_reg g = kjit_gin(cg, kjit_fld(cg, KINT_FN_b), 32);
        kjit_reg t = kjit_gtmp(cg);
        kjit_alu(m, KJIT_AND, 32, t, g, kjit_i(w - 1));
        r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_mov_i2f(m, 32, FS, t);
        static const kjit_vop reg[3][3] = {{KJIT_V_SLL16, KJIT_V_SLL32, KJIT_V_SLL64},
                                           {KJIT_V_SRL16, KJIT_V_SRL32, KJIT_V_SRL64},
                                           {KJIT_V_SRA16, KJIT_V_SRA32, KJIT_V_SRA32}};
        kjit_vbin(m, reg[kind][li], r, r, FS);
    }
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* v128 -> i32 tests (SIMD_TEST). */
static bool emit_test(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    kjit_vop eq;
    unsigned mw = 0;
    switch (base) {
    case KINT_OP_V128_ANY_TRUE: eq = KJIT_V_COUNT; break;
    case KINT_OP_I8X16_ALL_TRUE: eq = KJIT_V_EQ8; break;
    case KINT_OP_I16X8_ALL_TRUE: eq = KJIT_V_EQ16; break;
    case KINT_OP_I32X4_ALL_TRUE: eq = KJIT_V_EQ32; break;
    case KINT_OP_I64X2_ALL_TRUE: eq = KJIT_V_EQ64; break;
    case KINT_OP_I8X16_BITMASK: mw = 8; break;
    case KINT_OP_I16X8_BITMASK: mw = 16; break;
    case KINT_OP_I32X4_BITMASK: mw = 32; break;
    case KINT_OP_I64X2_BITMASK: mw = 64; break;
    default: return false;
    }
    kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
    kjit_reg g = kjit_gtmp(cg);
    if (mw == 16) { /* signed saturation keeps each lane's sign: bytes */
        kjit_vmov(m, kjit_r(FS), kjit_r(x));
        kjit_vbin(m, KJIT_V_PACKSS16, FS, FS, FS);
        kjit_vmovmsk(m, 8, g, FS);
        kjit_unop(m, KJIT_EXT8U, 32, g, g);
    } else if (mw) {
        kjit_vmovmsk(m, mw, g, x);
    } else if (eq == KJIT_V_COUNT) {
        kjit_vtest(m, x, x);
        kjit_setcc(m, KJIT_NE, g);
    } else { /* no lane equal to zero */
        kjit_vbin(m, KJIT_V_XOR, FS, FS, FS);
        kjit_vbin(m, eq, FS, FS, x);
        kjit_vtest(m, FS, FS);
        kjit_setcc(m, KJIT_EQ, g);
    }
    kjit_gdone(cg, kjit_fld(cg, KINT_FN_dst), g, 32);
    return true;
}

/* Unary operations with a short inline sequence; false for the others. */
static bool emit_unary(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    kjit_vop sub;
    switch (base) {
    case KINT_OP_V128_NOT: {
        kjit_reg x = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        vnot(m, x);
        vout(cg, kjit_fld(cg, KINT_FN_dst), x);
        return true;
    }
    case KINT_OP_F32X4_ABS:
    case KINT_OP_F64X2_ABS:
    case KINT_OP_F32X4_NEG:
    case KINT_OP_F64X2_NEG: {
        bool abs = base == KINT_OP_F32X4_ABS || base == KINT_OP_F64X2_ABS;
        bool p64 = base == KINT_OP_F64X2_ABS || base == KINT_OP_F64X2_NEG;
        kjit_reg x = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg t = FS;
        ones(m, t);
        if (abs)
            kjit_vshift(m, p64 ? KJIT_VSHR64 : KJIT_VSHR32, t, 1);
        else
            kjit_vshift(m, p64 ? KJIT_VSHL64 : KJIT_VSHL32, t, p64 ? 63 : 31);
        kjit_vbin(m, abs ? KJIT_V_AND : KJIT_V_XOR, x, x, t);
        vout(cg, kjit_fld(cg, KINT_FN_dst), x);
        return true;
    }
    case KINT_OP_I8X16_ABS: return unary1(cg, KJIT_V_ABS8, false);
    case KINT_OP_I16X8_ABS: return unary1(cg, KJIT_V_ABS16, false);
    case KINT_OP_I32X4_ABS: return unary1(cg, KJIT_V_ABS32, false);
    case KINT_OP_I16X8_EXTEND_LOW_I8X16_S: return unary1(cg, KJIT_V_EXT8S16, false);
    case KINT_OP_I16X8_EXTEND_HIGH_I8X16_S: return unary1(cg, KJIT_V_EXT8S16, true);
    case KINT_OP_I16X8_EXTEND_LOW_I8X16_U: return unary1(cg, KJIT_V_EXT8U16, false);
    case KINT_OP_I16X8_EXTEND_HIGH_I8X16_U: return unpack_high(cg, KJIT_V_UNPACKHI8);
    case KINT_OP_I32X4_EXTEND_LOW_I16X8_S: return unary1(cg, KJIT_V_EXT16S32, false);
    case KINT_OP_I32X4_EXTEND_HIGH_I16X8_S: return unary1(cg, KJIT_V_EXT16S32, true);
    case KINT_OP_I32X4_EXTEND_LOW_I16X8_U: return unary1(cg, KJIT_V_EXT16U32, false);
    case KINT_OP_I32X4_EXTEND_HIGH_I16X8_U: return unpack_high(cg, KJIT_V_UNPACKHI16);
    case KINT_OP_I64X2_EXTEND_LOW_I32X4_S: return unary1(cg, KJIT_V_EXT32S64, false);
    case KINT_OP_I64X2_EXTEND_HIGH_I32X4_S: return unary1(cg, KJIT_V_EXT32S64, true);
    case KINT_OP_I64X2_EXTEND_LOW_I32X4_U: return unary1(cg, KJIT_V_EXT32U64, false);
    case KINT_OP_I64X2_EXTEND_HIGH_I32X4_U: return unpack_high(cg, KJIT_V_UNPACKHI32);
    case KINT_OP_F32X4_CONVERT_I32X4_S: return unary1(cg, KJIT_V_CVT_I32_F32, false);
    case KINT_OP_F64X2_CONVERT_LOW_I32X4_S: return unary1(cg, KJIT_V_CVT_I32_F64, false);
    case KINT_OP_F64X2_PROMOTE_LOW_F32X4: return unary1(cg, KJIT_V_CVT_F32_F64, false);
    case KINT_OP_F32X4_DEMOTE_F64X2_ZERO: return unary1(cg, KJIT_V_CVT_F64_F32, false);
    case KINT_OP_F32X4_SQRT: return unary1(cg, KJIT_V_FSQRT32, false);
    case KINT_OP_F64X2_SQRT: return unary1(cg, KJIT_V_FSQRT64, false);
    case KINT_OP_I32X4_RELAXED_TRUNC_F32X4_S: return unary1(cg, KJIT_V_CVTT_F32_I32, false);
    case KINT_OP_I32X4_RELAXED_TRUNC_F64X2_S_ZERO: return unary1(cg, KJIT_V_CVTT_F64_I32, false);
    case KINT_OP_I64X2_ABS: { /* (a ^ s) - s, s the lanes' signs */
        kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg r = vtmp(cg);
        kjit_vshuf32(m, FS, x, 0xF5);
        kjit_vshift(m, KJIT_VSAR32, FS, 31);
        kjit_vbin(m, KJIT_V_XOR, r, x, FS);
        kjit_vbin(m, KJIT_V_SUB64, r, r, FS);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_F32X4_CEIL: return vround(cg, 32, KJIT_ROUND_CEIL);
    case KINT_OP_F32X4_FLOOR: return vround(cg, 32, KJIT_ROUND_FLOOR);
    case KINT_OP_F32X4_TRUNC: return vround(cg, 32, KJIT_ROUND_TRUNC);
    case KINT_OP_F32X4_NEAREST: return vround(cg, 32, KJIT_ROUND_NEAREST);
    case KINT_OP_F64X2_CEIL: return vround(cg, 64, KJIT_ROUND_CEIL);
    case KINT_OP_F64X2_FLOOR: return vround(cg, 64, KJIT_ROUND_FLOOR);
    case KINT_OP_F64X2_TRUNC: return vround(cg, 64, KJIT_ROUND_TRUNC);
    case KINT_OP_F64X2_NEAREST: return vround(cg, 64, KJIT_ROUND_NEAREST);
    case KINT_OP_I16X8_EXTADD_PAIRWISE_I8X16_S: { /* pmaddubsw(ones, a) */
        kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg r = vtmp(cg);
        kjit_vload_label(m, r, vconst8(cg, 1));
        kjit_vbin(m, KJIT_V_MADDUBS, r, r, x);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_I16X8_EXTADD_PAIRWISE_I8X16_U: { /* pmaddubsw(a, ones) */
        kjit_reg r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_vbin_label(m, KJIT_V_MADDUBS, r, vconst8(cg, 1));
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_I32X4_EXTADD_PAIRWISE_I16X8_S: { /* pmaddwd(a, ones) */
        kjit_reg r = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_vbin_label(m, KJIT_V_MADD16, r, vconst(cg, 0x0001000100010001ull, 0x0001000100010001ull));
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_I8X16_POPCNT: { /* a table of nibbles, by pshufb */
        kjit_label lut = vconst(cg, 0x0302020102010100ull, 0x0403030203020201ull);
        kjit_label low = vconst8(cg, 0x0F);
        kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg r = vtmp(cg), t = vtmp(cg);
        kjit_vmov(m, kjit_r(t), kjit_r(x));
        kjit_vbin_label(m, KJIT_V_AND, t, low);
        kjit_vload_label(m, r, lut);
        kjit_vbin(m, KJIT_V_SHUFB, r, r, t);
        kjit_vmov(m, kjit_r(t), kjit_r(x));
        kjit_vshift(m, KJIT_VSHR16, t, 4);
        kjit_vbin_label(m, KJIT_V_AND, t, low);
        kjit_vload_label(m, FS, lut);
        kjit_vbin(m, KJIT_V_SHUFB, FS, FS, t);
        kjit_vbin(m, KJIT_V_ADD8, r, r, FS);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_I8X16_NEG: sub = KJIT_V_SUB8; break;
    case KINT_OP_I16X8_NEG: sub = KJIT_V_SUB16; break;
    case KINT_OP_I32X4_NEG: sub = KJIT_V_SUB32; break;
    case KINT_OP_I64X2_NEG: sub = KJIT_V_SUB64; break;
    default: return false;
    }
    kjit_reg x = vin(cg, kjit_fld(cg, KINT_FN_a));
    kjit_reg z = vtmp(cg);
    kjit_vbin(m, KJIT_V_XOR, z, z, z);
    kjit_vbin(m, sub, z, z, x);
    vout(cg, kjit_fld(cg, KINT_FN_dst), z);
    return true;
}

/* Loads (every address form): plain, extending, splatting, zeroing. */
static bool emit_load(kjit_cg *cg, kint_op base)
{
    kjit_masm *m = cg->m;
    kjit_vop op;
    unsigned size = 8, splat = 0;
    switch (base) {
    case KINT_OP_V128_LOAD: {
        kjit_reg r = vtmp(cg);
        access16(cg, false, r);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_OP_V128_LOAD8X8_S: op = KJIT_V_EXT8S16; break;
    case KINT_OP_V128_LOAD8X8_U: op = KJIT_V_EXT8U16; break;
    case KINT_OP_V128_LOAD16X4_S: op = KJIT_V_EXT16S32; break;
    case KINT_OP_V128_LOAD16X4_U: op = KJIT_V_EXT16U32; break;
    case KINT_OP_V128_LOAD32X2_S: op = KJIT_V_EXT32S64; break;
    case KINT_OP_V128_LOAD32X2_U: op = KJIT_V_EXT32U64; break;
    case KINT_OP_V128_LOAD32_ZERO: op = KJIT_V_LOAD32, size = 4; break;
    case KINT_OP_V128_LOAD64_ZERO: op = KJIT_V_LOAD64; break;
    case KINT_OP_V128_LOAD32_SPLAT: op = KJIT_V_LOAD32, size = 4, splat = 0x00; break;
    case KINT_OP_V128_LOAD64_SPLAT: op = KJIT_V_LOAD64, splat = 0x44; break;
    case KINT_OP_V128_LOAD8_SPLAT:
    case KINT_OP_V128_LOAD16_SPLAT: {
        unsigned w = base == KINT_OP_V128_LOAD8_SPLAT ? 8 : 16;
        bool site;
        kjit_opnd at = kjit_mem_operand(cg, addr_form(shape(cg->op)), w / 8, &site);
        kjit_reg g = kjit_gtmp(cg);
        if (site)
            kjit_site_add(&cg->u->sites, kjit_masm_offset(m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
                          cg->pos);
        kjit_load(m, w == 8 ? KJIT_L8U : KJIT_L16U, g, at);
        vout(cg, kjit_fld(cg, KINT_FN_dst), splat_gpr(cg, w, g, true));
        return true;
    }
    default: return false;
    }
    kjit_reg r = vtmp(cg);
    bool site;
    kjit_opnd at = kjit_mem_operand(cg, addr_form(shape(cg->op)), size, &site);
    if (site)
        kjit_site_add(&cg->u->sites, kjit_masm_offset(m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
                      cg->pos);
    kjit_vop_mem(m, op, r, at);
    if (base == KINT_OP_V128_LOAD32_SPLAT || base == KINT_OP_V128_LOAD64_SPLAT)
        kjit_vshuf32(m, r, r, (uint8_t)splat);
    vout(cg, kjit_fld(cg, KINT_FN_dst), r);
    return true;
}

/* The instruction inline; false when it has no inline sequence. */
static bool emit_inline(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    kint_op base = (kint_op)(g_base[cg->op] - 1);
    switch (shape(cg->op)) {
    case KINT_SHAPE_CONST2: emit_const2(cg); return true;
    case KINT_SHAPE_SIMD_BINARY: {
        if (!has(cg, base))
            return emit_binary_special(cg, base);
        kjit_reg r = binary(cg, base, kjit_fld(cg, KINT_FN_a), kjit_fld(cg, KINT_FN_b), KJIT_NOREG);
        vout(cg, kjit_fld(cg, KINT_FN_dst), r);
        return true;
    }
    case KINT_SHAPE_SIMD_BINARY_LOAD: {
        if (!has(cg, base))
            return false;
        kjit_reg y = vtmp(cg);
        access16(cg, false, y);
        vout(cg, kjit_fld(cg, KINT_FN_dst), binary(cg, base, kjit_fld(cg, KINT_FN_a), 0, y));
        return true;
    }
    case KINT_SHAPE_SIMD_BINARY_STORE: {
        if (!has(cg, base))
            return false;
        access16(cg, true, binary(cg, base, kjit_fld(cg, KINT_FN_a), kjit_fld(cg, KINT_FN_b), KJIT_NOREG));
        return true;
    }
    case KINT_SHAPE_SIMD_BINARY_UPDATE: {
        if (!has(cg, base))
            return false;
        /* the address once: loaded from, then stored to */
        kjit_reg y = vtmp(cg);
        bool site;
        kjit_opnd at = kjit_mem_operand(cg, KJIT_ADDR_PLAIN, 16, &site);
        kjit_site_add(&cg->u->sites, kjit_masm_offset(m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
                      cg->pos);
        kjit_vmov(m, kjit_r(y), at);
        kjit_vmov(m, at, kjit_r(binary(cg, base, kjit_fld(cg, KINT_FN_a), 0, y)));
        return true;
    }
    case KINT_SHAPE_SIMD_TERNARY: {
        if (base != KINT_OP_V128_BITSELECT && base != KINT_OP_I8X16_RELAXED_LANESELECT &&
            base != KINT_OP_I16X8_RELAXED_LANESELECT && base != KINT_OP_I32X4_RELAXED_LANESELECT &&
            base != KINT_OP_I64X2_RELAXED_LANESELECT)
            return false; /* (laneselect: kite's choice is bitselect, as simd_x86.h) */
        /* (a & c) | (b & ~c), as kx_select */
        kjit_reg a = vin_own(cg, kjit_fld(cg, KINT_FN_a));
        kjit_reg c = vin(cg, kjit_fld(cg, KINT_FN_c));
        kjit_reg b = vin(cg, kjit_fld(cg, KINT_FN_b));
        kjit_vbin(m, KJIT_V_AND, a, a, c);
        kjit_vbin(m, KJIT_V_ANDN, FS, c, b);
        kjit_vbin(m, KJIT_V_OR, a, a, FS);
        vout(cg, kjit_fld(cg, KINT_FN_dst), a);
        return true;
    }
    case KINT_SHAPE_SIMD_UNARY: return emit_unary(cg, base);
    case KINT_SHAPE_SIMD_SHIFT: return emit_shift(cg, base);
    case KINT_SHAPE_SIMD_LOAD_LANE: return emit_lane_access(cg, base, false);
    case KINT_SHAPE_SIMD_STORE_LANE: return emit_lane_access(cg, base, true);
    case KINT_SHAPE_SIMD_TEST: return emit_test(cg, base);
    case KINT_SHAPE_SIMD_SPLAT: emit_splat(cg, base); return true;
    case KINT_SHAPE_SIMD_EXTRACT: emit_extract(cg, base); return true;
    case KINT_SHAPE_SIMD_REPLACE: emit_replace(cg, base); return true;
    case KINT_SHAPE_SIMD_SHUFFLE:
    case KINT_SHAPE_SIMD_SHUFFLE1: {
        bool two = shape(cg->op) == KINT_SHAPE_SIMD_SHUFFLE;
        uint8_t mask[16];
        uint64_t lo = kjit_fld64(cg, KINT_FN_mask_lo), hi = kjit_fld64(cg, KINT_FN_mask_hi);
        memcpy(mask, &lo, 8);
        memcpy(mask + 8, &hi, 8);
        vout(cg, kjit_fld(cg, KINT_FN_dst), shuffle(cg, mask, two));
        return true;
    }
    case KINT_SHAPE_SIMD_LOAD:
    case KINT_SHAPE_SIMD_LOAD_CHECKED:
    case KINT_SHAPE_SIMD_LOAD_ADD:
    case KINT_SHAPE_SIMD_LOAD_ADD_IMM:
    case KINT_SHAPE_SIMD_LOAD_SHL_ADD: {
        return emit_load(cg, base);
    }
    case KINT_SHAPE_SIMD_STORE:
    case KINT_SHAPE_SIMD_STORE_CHECKED:
    case KINT_SHAPE_SIMD_STORE_ADD:
    case KINT_SHAPE_SIMD_STORE_ADD_IMM:
    case KINT_SHAPE_SIMD_STORE_SHL_ADD: {
        kjit_reg r = vin(cg, kjit_fld(cg, KINT_FN_val)); /* (before the address: the store is the site) */
        access16(cg, true, r);
        return true;
    }
    default: return false;
    }
}

bool kjit_emit_simd(kjit_cg *cg)
{
    kjit_simd_helper fn = kjit_h_simd[cg->op];
    if (!fn)
        return false;
    if ((cg->m->cpu & KJIT_CPU_SSE41) && emit_inline(cg))
        return true;
    emit_helper(cg, fn);
    return true;
}
