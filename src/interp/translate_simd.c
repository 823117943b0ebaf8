/*
 * The translator's SIMD instructions. Each 0xFD instruction becomes the
 * internal op of the same id (simd_ops.def gives its class, hence its
 * shape); v128 operands and results take two slots. v128 constants live in
 * the constant pool (two slots, no instruction) when it has room, else a
 * CONST2 writes them. Memory forms are unchecked (memory 0 with the guarded
 * layout) or checked, and v128.load / v128.store fuse with the i32.add (of
 * a shift) that computed their address, as the scalar accesses do.
 */
#include "interp/simd.h"
#include "interp/translate.h"

/* ---- the class table, checked against opcodes.def and simd.h ---------------------------- */

enum {
    SIMD_NONE,
    SIMD_UN,
    SIMD_BIN,
    SIMD_TERN,
    SIMD_SHIFT,
    SIMD_TEST,
    SIMD_SPLAT,
    SIMD_EXTRACT,
    SIMD_REPLACE,
    SIMD_SHUFFLE,
    SIMD_CONST,
    SIMD_LOAD,
    SIMD_STORE,
    SIMD_LOAD_LANE,
    SIMD_STORE_LANE,
};

static const uint8_t simd_class[KIR_OP_COUNT] = {
#define UN(id) [KIR_OP_##id] = SIMD_UN,
#define BIN(id) [KIR_OP_##id] = SIMD_BIN,
#define TERN(id) [KIR_OP_##id] = SIMD_TERN,
#define SHIFT(id) [KIR_OP_##id] = SIMD_SHIFT,
#define TEST(id) [KIR_OP_##id] = SIMD_TEST,
#define SPLAT(id) [KIR_OP_##id] = SIMD_SPLAT,
#define EXTRACT(id) [KIR_OP_##id] = SIMD_EXTRACT,
#define REPLACE(id) [KIR_OP_##id] = SIMD_REPLACE,
#define SHUFFLE(id) [KIR_OP_##id] = SIMD_SHUFFLE,
#define CONST(id) [KIR_OP_##id] = SIMD_CONST,
#define LOAD(id) [KIR_OP_##id] = SIMD_LOAD,
#define STORE(id) [KIR_OP_##id] = SIMD_STORE,
#define LOAD_LANE(id) [KIR_OP_##id] = SIMD_LOAD_LANE,
#define STORE_LANE(id) [KIR_OP_##id] = SIMD_STORE_LANE,
#include "interp/simd_ops.def"
};

/* Every 0xFD row of opcodes.def has a line in simd_ops.def: as many lines
 * as rows, each naming a row (KIR_OP_<id> exists), none twice (a repeated
 * designated initializer is an error with -Werror=override-init). */
#define KINT_COUNT_FD_NONE
#define KINT_COUNT_FD_FB
#define KINT_COUNT_FD_FC
#define KINT_COUNT_FD_FE
#define KINT_COUNT_FD_FD +1
enum {
    KINT_FD_ROWS = 0
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) KINT_COUNT_FD_##prefix
#include "ir/opcodes.def"
#undef OP
};
#undef UN
#undef BIN
#undef TERN
#undef SHIFT
#undef TEST
#undef SPLAT
#undef EXTRACT
#undef REPLACE
#undef SHUFFLE
#undef CONST
#undef LOAD
#undef STORE
#undef LOAD_LANE
#undef STORE_LANE
#define ONE(id) +1
enum {
    KINT_SIMD_LINES = 0
#define UN ONE
#define BIN ONE
#define TERN ONE
#define SHIFT ONE
#define TEST ONE
#define SPLAT ONE
#define EXTRACT ONE
#define REPLACE ONE
#define SHUFFLE ONE
#define CONST ONE
#define LOAD ONE
#define STORE ONE
#define LOAD_LANE ONE
#define STORE_LANE ONE
#include "interp/simd_ops.def"
};
_Static_assert((int)KINT_SIMD_LINES == (int)KINT_FD_ROWS, "simd_ops.def must list every 0xFD row of opcodes.def once");
#undef UN
#undef BIN
#undef TERN
#undef SHIFT
#undef TEST
#undef SPLAT
#undef EXTRACT
#undef REPLACE
#undef SHUFFLE
#undef CONST
#undef LOAD
#undef STORE
#undef LOAD_LANE
#undef STORE_LANE
#undef ONE

/* Each line's class agrees with the type of its kint_simd_<id> (simd.h). */
#define KINT_SIMD_CLASS_OF(f)                                                                   \
    _Generic(&(f),                                                                              \
        kint_v128 (*)(kint_v128): SIMD_UN,                                                      \
        kint_v128 (*)(kint_v128, kint_v128): SIMD_BIN,                                          \
        kint_v128 (*)(kint_v128, kint_v128, kint_v128): SIMD_TERN,                              \
        kint_v128 (*)(kint_v128, uint32_t): SIMD_SHIFT,                                         \
        uint32_t (*)(kint_v128): SIMD_TEST,                                                     \
        kint_v128 (*)(uint32_t): SIMD_SPLAT,                                                    \
        kint_v128 (*)(uint64_t): SIMD_SPLAT,                                                    \
        uint32_t (*)(kint_v128, unsigned): SIMD_EXTRACT,                                        \
        uint64_t (*)(kint_v128, unsigned): SIMD_EXTRACT,                                        \
        kint_v128 (*)(kint_v128, unsigned, uint32_t): SIMD_REPLACE,                             \
        kint_v128 (*)(kint_v128, unsigned, uint64_t): SIMD_REPLACE,                             \
        kint_v128 (*)(kint_v128, kint_v128, const uint8_t *): SIMD_SHUFFLE,                     \
        kint_v128 (*)(const uint8_t *): SIMD_CONST,                                             \
        kint_v128 (*)(const void *): SIMD_LOAD,                                                 \
        void (*)(void *, kint_v128): SIMD_STORE,                                                \
        kint_v128 (*)(const void *, kint_v128, unsigned): SIMD_LOAD_LANE,                       \
        void (*)(void *, kint_v128, unsigned): SIMD_STORE_LANE)
#define CHECK_CLASS(cls, id) \
    _Static_assert(KINT_SIMD_CLASS_OF(kint_simd_##id) == SIMD_##cls, #id ": class does not match kint_simd_" #id);
#define UN(id) CHECK_CLASS(UN, id)
#define BIN(id) CHECK_CLASS(BIN, id)
#define TERN(id) CHECK_CLASS(TERN, id)
#define SHIFT(id) CHECK_CLASS(SHIFT, id)
#define TEST(id) CHECK_CLASS(TEST, id)
#define SPLAT(id) CHECK_CLASS(SPLAT, id)
#define EXTRACT(id) CHECK_CLASS(EXTRACT, id)
#define REPLACE(id) CHECK_CLASS(REPLACE, id)
#define SHUFFLE(id) CHECK_CLASS(SHUFFLE, id)
#define CONST(id) CHECK_CLASS(CONST, id)
#define LOAD(id) CHECK_CLASS(LOAD, id)
#define STORE(id) CHECK_CLASS(STORE, id)
#define LOAD_LANE(id) CHECK_CLASS(LOAD_LANE, id)
#define STORE_LANE(id) CHECK_CLASS(STORE_LANE, id)
#include "interp/simd_ops.def"
#undef CHECK_CLASS

/* The memory forms of each load and store. */
typedef struct simd_mem {
    uint16_t op, checked, add, add_imm, shl_add;
} simd_mem;

static const simd_mem simd_memops[KIR_OP_COUNT] = {
#define UN(id)
#define BIN(id)
#define TERN(id)
#define SHIFT(id)
#define TEST(id)
#define SPLAT(id)
#define EXTRACT(id)
#define REPLACE(id)
#define SHUFFLE(id)
#define CONST(id)
#define LOAD(id) [KIR_OP_##id] = {KINT_OP_##id, KINT_OP_C_##id, KINT_OP_LA_##id, KINT_OP_LAI_##id, KINT_OP_LSA_##id},
#define STORE(id) [KIR_OP_##id] = {KINT_OP_##id, KINT_OP_C_##id, KINT_OP_SA_##id, KINT_OP_SAI_##id, KINT_OP_SSA_##id},
#define LOAD_LANE(id) [KIR_OP_##id] = {KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#define STORE_LANE(id) [KIR_OP_##id] = {KINT_OP_##id, KINT_OP_##id, 0, 0, 0},
#include "interp/simd_ops.def"
};

/* The fused forms of the BINM/BINMC lines: by Wasm instruction, and by
 * internal op (the BIN a v128.store consumes). */
typedef struct simd_fused {
    uint16_t load, store;
    bool commutative;
} simd_fused;

#define KINT_SIMD_OPS_FUSED_ONLY
static const simd_fused simd_fusedops[KIR_OP_COUNT] = {
#define BINM(id) [KIR_OP_##id] = {KINT_OP_BL_##id, KINT_OP_BS_##id, false},
#define BINMC(id) [KIR_OP_##id] = {KINT_OP_BL_##id, KINT_OP_BS_##id, true},
#include "interp/simd_ops.def"
};
/* By the internal op a v128.store consumes: a BIN's BS_, a BL_'s BU_. */
static const uint16_t simd_store_fused[KINT_OP_COUNT] = {
#define KINT_SIMD_OPS_FUSED_ONLY
#define BINM(id) [KINT_OP_##id] = KINT_OP_BS_##id, [KINT_OP_BL_##id] = KINT_OP_BU_##id,
#include "interp/simd_ops.def"
};

/* ---- translation ------------------------------------------------------------------------ */

/* The internal op of SIMD instruction op: the same id (simd_ops.def). */
static const uint16_t simd_op[KIR_OP_COUNT] = {
#define UN(id) [KIR_OP_##id] = KINT_OP_##id,
#define BIN UN
#define TERN UN
#define SHIFT UN
#define TEST UN
#define SPLAT UN
#define EXTRACT UN
#define REPLACE UN
#define SHUFFLE UN
#define CONST(id) [KIR_OP_##id] = KINT_OP_CONST2,
#define LOAD UN
#define STORE UN
#define LOAD_LANE UN
#define STORE_LANE UN
#include "interp/simd_ops.def"
};

/* Whether accesses to memory x go unchecked (as translate_ops.c). */
static bool guarded(const kint_tr *t, uint32_t x)
{
    const kir_memory *mem = &t->m->memories[x];
    return t->variant == KINT_VARIANT_GUARDED && x == 0 && !mem->limits.is64 && mem->page_size_log2 == 16;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Two consecutive pool slots holding (lo, hi): found, or given out while
 * reserved slots remain. */
static bool const_pair_slot(kint_tr *t, uint64_t lo, uint64_t hi, uint32_t *slot)
{
    for (uint32_t i = 0; i + 1 < t->nconsts; i++) {
        if (t->consts[i] == lo && t->consts[i + 1] == hi) {
            *slot = t->param_slots + t->local_slots + i;
            return true;
        }
    }
    if (t->nconsts + 2 > t->npool)
        return false;
    t->consts[t->nconsts] = lo;
    t->consts[t->nconsts + 1] = hi;
    *slot = t->param_slots + t->local_slots + t->nconsts;
    t->nconsts += 2;
    return true;
}

/* A v128 result of the instruction at pos in slots dst, dst + 1: recorded
 * so that a local.set after it can retarget its `dst`. */
static void result2(kint_tr *t, uint32_t pos, uint32_t dst) { kint_tr_set_last(t, pos, dst); }

static void v128_const(kint_tr *t, const uint8_t *bytes)
{
    uint64_t lo = le64(bytes), hi = le64(bytes + 8);
    uint32_t slot;
    if (const_pair_slot(t, lo, hi, &slot)) {
        kint_tv *v = kint_tr_push(t, KINT_TV_REF, 2, false);
        if (v)
            v->slot = slot;
        return;
    }
    uint32_t dst = kint_tr_push_home(t, 2);
    result2(t, kint_emit_CONST2(t, KINT_OP_CONST2, dst, lo, hi), dst);
}

static void simd_load(kint_tr *t, const kdec_instr *in, const simd_mem *mm)
{
    kint_tv a = kint_tr_pop(t);
    uint32_t dst, pos;
    if (guarded(t, in->memidx) && in->memoffset <= UINT32_MAX) {
        uint32_t offset = (uint32_t)in->memoffset;
        if (kint_tr_is_last(t, &a, KINT_OP_I32_ADD)) {
            kint_last l = kint_tr_unemit_last(t);
            dst = kint_tr_push_home(t, 2);
            pos = kint_emit_SIMD_LOAD_ADD(t, (kint_op)mm->add, KINT_OPND(l.words, I32_ADD, a),
                                          KINT_OPND(l.words, I32_ADD, b), dst, offset);
            result2(t, pos, dst);
            return;
        }
        if (kint_tr_is_last(t, &a, KINT_OP_I32_ADD_I)) {
            kint_last l = kint_tr_unemit_last(t);
            dst = kint_tr_push_home(t, 2);
            pos = kint_emit_SIMD_LOAD_ADD_IMM(t, (kint_op)mm->add_imm, KINT_OPND(l.words, I32_ADD_I, a),
                                              KINT_OPND(l.words, I32_ADD_I, imm), dst, offset);
            result2(t, pos, dst);
            return;
        }
        if (kint_tr_is_last(t, &a, KINT_OP_I32_SHL_ADD)) {
            kint_last l = kint_tr_unemit_last(t);
            dst = kint_tr_push_home(t, 2);
            pos = kint_emit_SIMD_LOAD_SHL_ADD(t, (kint_op)mm->shl_add, KINT_OPND(l.words, I32_SHL_ADD, x),
                                              KINT_OPND(l.words, I32_SHL_ADD, k),
                                              KINT_OPND(l.words, I32_SHL_ADD, a), dst, offset);
            result2(t, pos, dst);
            return;
        }
        uint32_t s = kint_tr_use(t, &a);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_LOAD(t, (kint_op)mm->op, s, dst, offset), dst);
        return;
    }
    uint32_t s = kint_tr_use(t, &a);
    dst = kint_tr_push_home(t, 2);
    result2(t, kint_emit_SIMD_LOAD_CHECKED(t, (kint_op)mm->checked, s, dst, in->memidx, in->memoffset), dst);
}

/* v128.store of a binary operation's result, the operation just emitted
 * (a BINM line): one BS_<id> instead; or, when that operation loaded its b
 * (BL_<id>) from the address stored to, one BU_<id> (at the load's Wasm
 * offset: the store cannot trap where the load did not). */
static bool binary_store(kint_tr *t, const kdec_instr *in, const kint_tv *v, kint_tv *a)
{
    uint32_t sa;
    if (!guarded(t, in->memidx) || in->memoffset > UINT32_MAX || v->kind != KINT_TV_HOME ||
        !t->last.valid || t->last.dst != v->home || !simd_store_fused[t->last.op] ||
        !kint_tr_use_free(t, a, &sa))
        return false;
    uint16_t fused = simd_store_fused[t->last.op];
    if (kint_ops[fused].shape == KINT_SHAPE_SIMD_BINARY_UPDATE) {
        const kint_word *w = t->code + t->last.pos;
        /* Every BL_ op has the SIMD_BINARY_LOAD shape: BL_V128_AND's fields are its. */
        if (KINT_OPND(w, BL_V128_AND, addr) != sa ||
            KINT_OPND(w, BL_V128_AND, offset) != in->memoffset)
            return false;
        uint64_t here = t->offset;
        if (t->npcmap && t->pcmap[t->npcmap - 1].pos == t->last.pos)
            t->offset = t->pcmap[t->npcmap - 1].offset;
        kint_last l = kint_tr_unemit_last(t);
        kint_emit_SIMD_BINARY_UPDATE(t, (kint_op)fused, KINT_OPND(l.words, BL_V128_AND, a), sa,
                                     (uint32_t)in->memoffset);
        t->offset = here;
        return true;
    }
    /* Every BINM op has the SIMD_BINARY shape: V128_AND's fields are its. */
    kint_last l = kint_tr_unemit_last(t);
    kint_emit_SIMD_BINARY_STORE(t, (kint_op)fused, KINT_OPND(l.words, V128_AND, a),
                                KINT_OPND(l.words, V128_AND, b), sa, (uint32_t)in->memoffset);
    return true;
}

/* A BINM line whose b (or, commutative, a) is a plain v128.load just
 * emitted: one BL_<id> instead, at the load's Wasm offset (only the load
 * can trap). */
static bool binary_load(kint_tr *t, kir_op op, kint_tv *v)
{
    const simd_fused *fz = &simd_fusedops[op];
    if (!fz->load)
        return false;
    uint32_t other;
    if (!(kint_tr_is_last(t, &v[1], KINT_OP_V128_LOAD) && kint_tr_use_free(t, &v[0], &other)) &&
        !(fz->commutative && kint_tr_is_last(t, &v[0], KINT_OP_V128_LOAD) &&
          kint_tr_use_free(t, &v[1], &other)))
        return false;
    uint64_t here = t->offset;
    if (t->npcmap && t->pcmap[t->npcmap - 1].pos == t->last.pos)
        t->offset = t->pcmap[t->npcmap - 1].offset;
    kint_last l = kint_tr_unemit_last(t);
    uint32_t dst = kint_tr_push_home(t, 2);
    result2(t,
            kint_emit_SIMD_BINARY_LOAD(t, (kint_op)fz->load, other,
                                       KINT_OPND(l.words, V128_LOAD, addr), dst,
                                       KINT_OPND(l.words, V128_LOAD, offset)),
            dst);
    t->offset = here;
    return true;
}

static void simd_store(kint_tr *t, const kdec_instr *in, const simd_mem *mm)
{
    kint_tv v = kint_tr_pop(t), a = kint_tr_pop(t);
    uint32_t sv;
    if (in->op == KIR_OP_V128_STORE && binary_store(t, in, &v, &a))
        return;
    if (guarded(t, in->memidx) && in->memoffset <= UINT32_MAX && kint_tr_use_free(t, &v, &sv)) {
        uint32_t offset = (uint32_t)in->memoffset;
        if (kint_tr_is_last(t, &a, KINT_OP_I32_ADD)) {
            kint_last l = kint_tr_unemit_last(t);
            kint_emit_SIMD_STORE_ADD(t, (kint_op)mm->add, KINT_OPND(l.words, I32_ADD, a),
                                     KINT_OPND(l.words, I32_ADD, b), sv, offset);
            return;
        }
        if (kint_tr_is_last(t, &a, KINT_OP_I32_ADD_I)) {
            kint_last l = kint_tr_unemit_last(t);
            kint_emit_SIMD_STORE_ADD_IMM(t, (kint_op)mm->add_imm, KINT_OPND(l.words, I32_ADD_I, a),
                                         KINT_OPND(l.words, I32_ADD_I, imm), sv, offset);
            return;
        }
        if (kint_tr_is_last(t, &a, KINT_OP_I32_SHL_ADD)) {
            kint_last l = kint_tr_unemit_last(t);
            kint_emit_SIMD_STORE_SHL_ADD(t, (kint_op)mm->shl_add, KINT_OPND(l.words, I32_SHL_ADD, x),
                                         KINT_OPND(l.words, I32_SHL_ADD, k),
                                         KINT_OPND(l.words, I32_SHL_ADD, a), sv, offset);
            return;
        }
    }
    uint32_t sa = kint_tr_use(t, &a);
    sv = kint_tr_use(t, &v);
    if (guarded(t, in->memidx) && in->memoffset <= UINT32_MAX)
        kint_emit_SIMD_STORE(t, (kint_op)mm->op, sa, sv, (uint32_t)in->memoffset);
    else
        kint_emit_SIMD_STORE_CHECKED(t, (kint_op)mm->checked, sa, sv, in->memidx, in->memoffset);
}

/* A shuffle taking every lane from one operand: I8X16_SHUFFLE1 on it,
 * with the indices reduced to it (one pshufb or tbl instead of two). */
static bool shuffle1(kint_tr *t, const kdec_instr *in, kint_tv *v)
{
    unsigned from_b = 0;
    for (unsigned i = 0; i < 16; i++)
        from_b += in->bytes[i] >= 16;
    if (from_b != 0 && from_b != 16)
        return false;
    uint8_t idx[16];
    for (unsigned i = 0; i < 16; i++)
        idx[i] = in->bytes[i] & 15;
    uint32_t s = kint_tr_use(t, &v[from_b ? 1 : 0]);
    uint32_t dst = kint_tr_push_home(t, 2);
    result2(t, kint_emit_SIMD_SHUFFLE1(t, KINT_OP_I8X16_SHUFFLE1, s, dst, le64(idx), le64(idx + 8)),
            dst);
    return true;
}

bool kint_tr_simd(kint_tr *t, const kdec_instr *in)
{
    uint8_t cls = simd_class[in->op];
    kint_op op = (kint_op)simd_op[in->op];
    kint_tv v[3];
    uint32_t s[3], dst;
    switch (cls) {
    case SIMD_UN:
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_UNARY(t, op, s[0], dst), dst);
        return true;
    case SIMD_BIN:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        if (binary_load(t, in->op, v))
            return true;
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_BINARY(t, op, s[0], s[1], dst), dst);
        return true;
    case SIMD_TERN:
        for (int i = 3; i-- > 0;)
            v[i] = kint_tr_pop(t);
        for (int i = 0; i < 3; i++)
            s[i] = kint_tr_use(t, &v[i]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_TERNARY(t, op, s[0], s[1], s[2], dst), dst);
        return true;
    case SIMD_SHIFT:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_SHIFT(t, op, s[0], s[1], dst), dst);
        return true;
    case SIMD_TEST: {
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 1);
        uint32_t pos = kint_emit_SIMD_TEST(t, op, s[0], dst);
        KINT_TR_RESULT(t, SIMD_TEST, pos, dst);
        return true;
    }
    case SIMD_SPLAT:
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_SPLAT(t, op, s[0], dst), dst);
        return true;
    case SIMD_EXTRACT: {
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        dst = kint_tr_push_home(t, 1);
        uint32_t pos = kint_emit_SIMD_EXTRACT(t, op, s[0], dst, in->lane);
        KINT_TR_RESULT(t, SIMD_EXTRACT, pos, dst);
        return true;
    }
    case SIMD_REPLACE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_REPLACE(t, op, s[0], s[1], dst, in->lane), dst);
        return true;
    case SIMD_SHUFFLE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        if (shuffle1(t, in, v))
            return true;
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_SHUFFLE(t, op, s[0], s[1], dst, le64(in->bytes), le64(in->bytes + 8)), dst);
        return true;
    case SIMD_CONST: v128_const(t, in->bytes); return true;
    case SIMD_LOAD: simd_load(t, in, &simd_memops[in->op]); return true;
    case SIMD_STORE: simd_store(t, in, &simd_memops[in->op]); return true;
    case SIMD_LOAD_LANE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        dst = kint_tr_push_home(t, 2);
        result2(t, kint_emit_SIMD_LOAD_LANE(t, op, s[0], s[1], dst, in->lane, in->memidx, in->memoffset), dst);
        return true;
    case SIMD_STORE_LANE:
        v[1] = kint_tr_pop(t);
        v[0] = kint_tr_pop(t);
        s[0] = kint_tr_use(t, &v[0]);
        s[1] = kint_tr_use(t, &v[1]);
        kint_emit_SIMD_STORE_LANE(t, op, s[0], s[1], in->lane, in->memidx, in->memoffset);
        return true;
    default: return false;
    }
}
