/*
 * Atomics (the threads proposal) in compiled code: loads, stores,
 * read-modify-writes and compare-exchanges of 8 to 64 bits, atomic.fence
 * inline; memory.atomic.wait32/64 and memory.atomic.notify through a C
 * helper on the parking lot the interpreter uses.
 *
 * Every access is sequentially consistent, lock-free, and checked as the
 * interpreter checks it (exec.c, ATOMIC): the effective address
 * addr + offset must be naturally aligned ("unaligned atomic"), then the
 * access must be in bounds ("out of bounds memory access"), both as
 * explicit checks that jump to a trap stub. Atomics never rely on the
 * guard pages: the interpreter checks them in every variant, and an
 * explicit check costs little next to a locked instruction.
 *
 * Lowering on x86-64 (TSO): a load is a plain load; a store is xchg (a
 * locked write, so later loads cannot pass it); add/sub are lock xadd;
 * xchg is xchg; and/or/xor are a lock cmpxchg loop; cmpxchg is lock
 * cmpxchg; the fence is mfence.
 */
#include "jit/codegen.h"
#include "jit/helpers.h"

#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))

enum { A_NONE, A_LOAD, A_STORE, A_RMW, A_CMPXCHG, A_WAIT, A_NOTIFY, A_FENCE };
enum { RMW_add, RMW_sub, RMW_and, RMW_or, RMW_xor, RMW_xchg };

typedef struct atomic_op {
    uint8_t kind; /* A_ */
    uint8_t size; /* bytes accessed */
    uint8_t x;    /* result width: 32 or 64 */
    uint8_t rmw;  /* RMW_ */
} atomic_op;

/* From the same table as the interpreter's handlers (memory_ops.def). */
static const atomic_op g_atomic[KINT_OP_COUNT] = {
#define LOAD(id, T, X)
#define STORE(id, T)
#define ALOAD(id, T, X) [KINT_OP_##id] = {A_LOAD, sizeof(T), X, 0},
#define ASTORE(id, T) [KINT_OP_##id] = {A_STORE, sizeof(T), 64, 0},
#define ARMW(id, T, X, OP) [KINT_OP_##id] = {A_RMW, sizeof(T), X, RMW_##OP},
#define ACMPXCHG(id, T, X) [KINT_OP_##id] = {A_CMPXCHG, sizeof(T), X, 0},
#include "interp/memory_ops.def"
#undef LOAD
#undef STORE
#undef ALOAD
#undef ASTORE
#undef ARMW
#undef ACMPXCHG
    [KINT_OP_ATOMIC_NOTIFY] = {A_NOTIFY, 4, 32, 0},
    [KINT_OP_ATOMIC_WAIT32] = {A_WAIT, 4, 32, 0},
    [KINT_OP_ATOMIC_WAIT64] = {A_WAIT, 8, 32, 0},
    [KINT_OP_ATOMIC_FENCE] = {A_FENCE, 0, 0, 0},
};

static bool is_tmp(const kjit_cg *cg, kjit_reg r) { return r < KJIT_NGPR && ((cg->gtmps >> r) & 1u); }

/* Temporary r is no longer needed by the current instruction (it holds no slot). */
static void release(kjit_cg *cg, kjit_reg r) { cg->busy &= ~(1u << r); }

/* Register r (a temporary) for this instruction alone: what it held is stored and forgotten. */
static void claim(kjit_cg *cg, kjit_reg r)
{
    kjit_gclobber(cg, r);
    cg->busy |= 1u << r;
}

/*
 * Integer slot s as an operand that occupies no temporary: its pinned
 * register, an immediate (32-bit), or its slot in memory (a temporary
 * caching it is stored first and freed).
 */
static kjit_opnd value(kjit_cg *cg, uint32_t s, unsigned w)
{
    kjit_opnd o = kjit_gopnd(cg, s, w);
    if (o.kind == KJIT_O_REG && is_tmp(cg, o.reg) && !kjit_pinned(cg, s)) {
        kjit_gclobber(cg, o.reg);
        release(cg, o.reg);
        return SLOT(s);
    }
    if (o.kind == KJIT_O_IMM && w == 32)
        o.imm = (int64_t)(int32_t)(uint32_t)o.imm;
    return o;
}

/*
 * The host address of the current instruction's access of `size` bytes
 * plus size, in a temporary (the access is at [result - size]), after
 * the interpreter's checks in its order: alignment of addr + offset
 * (taken modulo 2^64), then bounds.
 */
static kjit_reg effective_address(kjit_cg *cg, unsigned size)
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
    kjit_label oob = kjit_trap_label(cg, KITE_TRAP_MEMORY_OUT_OF_BOUNDS);
    kjit_label unaligned = size > 1 ? kjit_trap_label(cg, KITE_TRAP_UNALIGNED_ATOMIC) : 0;
    kjit_mov(m, 64, kjit_r(t), kjit_r(a));
    if (offset) {
        kjit_alu(m, KJIT_ADD, 64, t, t, kjit_i((int64_t)offset)); /* (large ones through the scratch) */
        kjit_label in_range = kjit_label_new(m);
        kjit_jcc(m, KJIT_GE_U, in_range); /* no carry */
        /* past 2^64: out of bounds, unless the wrapped address is unaligned */
        if (size > 1) {
            kjit_test(m, 32, t, kjit_i(size - 1));
            kjit_jcc(m, KJIT_NE, unaligned);
        }
        kjit_jmp(m, oob);
        kjit_bind(m, in_range);
    }
    if (size > 1) {
        kjit_test(m, 32, t, kjit_i(size - 1));
        kjit_jcc(m, KJIT_NE, unaligned);
    }
    kjit_alu(m, KJIT_ADD, 64, t, t, kjit_i(size));
    kjit_jcc(m, KJIT_LT_U, oob); /* carry */
    kjit_reg mr = kjit_gtmp(cg);
    kjit_mov(m, 64, kjit_r(mr), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, mems)));
    kjit_mov(m, 64, kjit_r(mr), kjit_m(mr, (int32_t)(mem * 8u)));
    /* (a shared memory's size may grow meanwhile: growing never makes this wrong) */
    kjit_cmp(m, 64, t, kjit_m(mr, (int32_t)offsetof(krt_memory, size)));
    kjit_jcc(m, KJIT_GT_U, oob);
    kjit_alu(m, KJIT_ADD, 64, t, t, kjit_m(mr, (int32_t)offsetof(krt_memory, base)));
    release(cg, mr);
    return t;
}

static kjit_load_kind zext_load(unsigned size)
{
    return size == 1 ? KJIT_L8U : size == 2 ? KJIT_L16U : size == 4 ? KJIT_L32U : KJIT_L64;
}

/* The low `size` bytes of r, zero-extended in place. */
static void zero_extend(kjit_cg *cg, unsigned size, kjit_reg r)
{
    if (size == 1)
        kjit_unop(cg->m, KJIT_EXT8U, 32, r, r);
    else if (size == 2)
        kjit_unop(cg->m, KJIT_EXT16U, 32, r, r);
    else if (size == 4)
        kjit_mov(cg->m, 32, kjit_r(r), kjit_r(r));
}

/* The register the result for slot dst is computed in: its pinned
 * register, else a temporary (`fallback` when it is one). */
static kjit_reg result_reg(kjit_cg *cg, uint32_t dst, kjit_reg fallback)
{
    if (kjit_pinned(cg, dst))
        return cg->pin[dst];
    return fallback != KJIT_NOREG ? fallback : kjit_gtmp(cg);
}

/* Result r (a temporary or dst's pinned register) into slot dst. */
static void finish(kjit_cg *cg, uint32_t dst, kjit_reg r, unsigned x)
{
    if (kjit_pinned(cg, dst) && cg->pin[dst] != r)
        kjit_mov(cg->m, 64, kjit_r(cg->pin[dst]), kjit_r(r));
    kjit_gdone(cg, dst, kjit_pinned(cg, dst) ? cg->pin[dst] : r, x);
}

static void emit_load(kjit_cg *cg, const atomic_op *o)
{
    kjit_reg t = effective_address(cg, o->size);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = result_reg(cg, dst, t);
    kjit_load(cg->m, zext_load(o->size), r, kjit_m(t, -(int32_t)o->size));
    kjit_gdone(cg, dst, r, o->x);
}

static void emit_store(kjit_cg *cg, const atomic_op *o)
{
    kjit_reg t = effective_address(cg, o->size);
    kjit_opnd v = value(cg, kjit_fld(cg, KINT_FN_val), o->size == 8 ? 64 : 32);
    kjit_reg c = kjit_gtmp(cg);
    kjit_mov(cg->m, 64, kjit_r(c), v);
    kjit_atomic_xchg(cg->m, o->size * 8u, kjit_m(t, -(int32_t)o->size), c);
}

static const kjit_alu_op g_loop_alu[] = {[RMW_and] = KJIT_AND, [RMW_or] = KJIT_OR, [RMW_xor] = KJIT_XOR};

static void emit_rmw(kjit_cg *cg, const atomic_op *o)
{
    kjit_masm *m = cg->m;
    unsigned w = o->size * 8u, aw = o->size == 8 ? 64 : 32;
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    bool loop = o->rmw != RMW_add && o->rmw != RMW_sub && o->rmw != RMW_xchg;
    if (loop)
        claim(cg, KJIT_CMPXCHG_EXPECTED);
    kjit_reg t = effective_address(cg, o->size);
    kjit_opnd at = kjit_m(t, -(int32_t)o->size);
    kjit_opnd v = value(cg, kjit_fld(cg, KINT_FN_val), aw);
    if (!loop) {
        /* the operand in the result's register, the old value back in it */
        kjit_reg r = result_reg(cg, dst, KJIT_NOREG);
        kjit_mov(m, 64, kjit_r(r), v);
        if (o->rmw == RMW_sub)
            kjit_unop(m, KJIT_NEG, aw, r, r);
        if (o->rmw == RMW_xchg)
            kjit_atomic_xchg(m, w, at, r);
        else
            kjit_atomic_xadd(m, w, at, r);
        zero_extend(cg, o->size, r);
        kjit_gdone(cg, dst, r, o->x);
        return;
    }
    /* old = *at; do new = old OP v; while (!cmpxchg(at, old, new)) (a failed
     * cmpxchg reloads old) */
    kjit_reg old = KJIT_CMPXCHG_EXPECTED, n = kjit_gtmp(cg);
    kjit_load(m, zext_load(o->size), old, at);
    kjit_label retry = kjit_label_new(m);
    kjit_bind(m, retry);
    kjit_mov(m, 64, kjit_r(n), kjit_r(old));
    kjit_alu(m, g_loop_alu[o->rmw], aw, n, n, v);
    kjit_atomic_cmpxchg(m, w, at, n);
    kjit_jcc(m, KJIT_NE, retry);
    /* (old was loaded zero-extended and only its low w bits change) */
    finish(cg, dst, old, o->x);
}

static void emit_cmpxchg(kjit_cg *cg, const atomic_op *o)
{
    kjit_masm *m = cg->m;
    unsigned aw = o->size == 8 ? 64 : 32;
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    claim(cg, KJIT_CMPXCHG_EXPECTED);
    kjit_reg t = effective_address(cg, o->size);
    kjit_mov(m, 64, kjit_r(KJIT_CMPXCHG_EXPECTED), value(cg, kjit_fld(cg, KINT_FN_expected), aw));
    kjit_opnd rep = value(cg, kjit_fld(cg, KINT_FN_replacement), aw);
    kjit_reg r = rep.kind == KJIT_O_REG ? rep.reg : kjit_gtmp(cg);
    if (rep.kind != KJIT_O_REG)
        kjit_mov(m, 64, kjit_r(r), rep);
    kjit_atomic_cmpxchg(m, o->size * 8u, kjit_m(t, -(int32_t)o->size), r);
    /* expected's bits above the width survive a success (and a narrow failure) */
    zero_extend(cg, o->size, KJIT_CMPXCHG_EXPECTED);
    finish(cg, dst, KJIT_CMPXCHG_EXPECTED, o->x);
}

/* wait and notify: a call out (the wait blocks, and an interrupt ends it),
 * with the frame written back as around any call. */
static void emit_wait_notify(kjit_cg *cg) { kjit_call_exec_helper(cg, (const void *)kjit_h_atomic_wait_notify); }

bool kjit_emit_atomic(kjit_cg *cg)
{
    const atomic_op *o = &g_atomic[cg->op];
    switch (o->kind) {
    case A_LOAD: emit_load(cg, o); return true;
    case A_STORE: emit_store(cg, o); return true;
    case A_RMW: emit_rmw(cg, o); return true;
    case A_CMPXCHG: emit_cmpxchg(cg, o); return true;
    case A_WAIT:
    case A_NOTIFY: emit_wait_notify(cg); return true;
    case A_FENCE: kjit_fence(cg->m); return true;
    default: return false;
    }
}
