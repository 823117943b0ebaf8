/*
 * The translator: one validated function -> internal code (code.h), in one
 * linear pass with explicit stacks (no recursion on nesting). This file has
 * the driver, emission, the virtual value stack and control flow (blocks,
 * branches, returns, exception handlers); translate_ops.c the remaining
 * instructions.
 */
#include "interp/translate.h"

#include <string.h>

#include "runtime/engine.h"
#include "util/alloc.h"

/* ---- growing arrays and emission ------------------------------------------------------- */

bool kint_tr_grow(const kite_allocator_t *a, void **arr, uint32_t *cap, uint32_t n, size_t sz)
{
    if (n <= *cap)
        return true;
    uint64_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    if (c > UINT32_MAX)
        return false;
    void *p = kutil_realloc(a, *arr, (size_t)c * sz);
    if (!p)
        return false;
    *arr = p;
    *cap = (uint32_t)c;
    return true;
}

kint_last kint_tr_unemit_last(kint_tr *t)
{
    kint_last l = t->last;
    memcpy(l.words, t->code + l.pos, kint_ops[l.op].size * sizeof(kint_word));
    kint_tr_unemit(t, l.pos);
    return l;
}

uint32_t kint_tr_emit_like(kint_tr *t, kint_op op, const kint_word *from, kint_op from_op)
{
    const kint_op_info *info = &kint_ops[op];
    kint_word w[KINT_MAX_SIZE] = {(kint_word)op};
    for (const kint_field *f = kint_shapes[info->shape].fields; f->kind != KINT_FK_NONE; f++) {
        const kint_field *g = kint_layout_field(from_op, (kint_fname)f->id);
        if (g)
            kint_layout_set(w, f, kint_layout_get(from, g));
    }
    return kint_tr_emit(t, op, (kint_shape)info->shape, w, info->size);
}

/* Sets the label of the branch at instr (entry KINT_NONE) or entry `entry`
 * of the br_table there to code position target. */
static void set_label(kint_tr *t, uint32_t instr, uint32_t entry, uint32_t target)
{
    uint32_t off = target - instr;
    if (entry == KINT_NONE) {
        kint_tr_patch(t, instr, KINT_FN_label, off);
        return;
    }
    uint32_t at = instr + KINT_BR_TABLE_WORD(entry);
    if (at >= t->ncode)
        return; /* only after running out of memory */
    kint_word w = t->code[at];
    t->code[at] = KINT_BR_TABLE_HALF(entry) ? (w & 0xFFFFFFFFu) | ((uint64_t)off << 32)
                                            : (w & ~(uint64_t)0xFFFFFFFFu) | off;
}

/* A label is bound here: code before it can no longer be fused with what follows. */
static void bind_here(kint_tr *t)
{
    t->last.valid = false;
    t->copy_pos = KINT_NONE;
}

/* Resolves a chain of forward references to code position pos (a label
 * nothing jumps to is no merge point). */
static void bind_chain(kint_tr *t, uint32_t chain, uint32_t pos)
{
    if (chain == KINT_NONE)
        return;
    for (uint32_t i = chain; i != KINT_NONE; i = t->fix[i].next) {
        const kint_fix *x = &t->fix[i];
        if (x->kind == KINT_FIX_CATCH)
            t->catches[x->entry].target = pos;
        else
            set_label(t, x->instr, x->entry, pos);
    }
    bind_here(t);
}

static void add_fix(kint_tr *t, uint32_t *chain, uint32_t instr, uint32_t entry, uint8_t kind)
{
    if (!KINT_TR_GROW(t, fix, fixcap, t->nfix + 1))
        return;
    t->fix[t->nfix] = (kint_fix){instr, entry, *chain, kind};
    *chain = t->nfix++;
}

/* ---- block types -------------------------------------------------------------------------- */

static void ctl_params(const kint_tr *t, const kint_ctl *c, const kir_valtype **ts, uint32_t *n)
{
    if (c->type != KINT_NONE) {
        *ts = t->m->types[c->type].types;
        *n = t->m->types[c->type].nparams;
    } else {
        *ts = NULL;
        *n = 0;
    }
}

static void ctl_results(const kint_tr *t, const kint_ctl *c, const kir_valtype **ts, uint32_t *n)
{
    if (c->type != KINT_NONE) {
        *ts = kir_type_results(&t->m->types[c->type]);
        *n = t->m->types[c->type].nresults;
    } else {
        *ts = &c->single;
        *n = c->single ? 1 : 0;
    }
}

/* The values a branch to the label of frame c carries. */
static uint32_t label_arity(const kint_tr *t, const kint_ctl *c)
{
    const kir_valtype *ts;
    uint32_t n;
    if (c->kind == KINT_CTL_LOOP)
        ctl_params(t, c, &ts, &n);
    else
        ctl_results(t, c, &ts, &n);
    return n;
}

static uint32_t slots_of(const kir_valtype *ts, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += krt_slots(ts[i]);
    return s;
}

/* ---- the value stack ---------------------------------------------------------------------- */

uint32_t kint_tr_push_type(kint_tr *t, kir_valtype type)
{
    kint_tv *v = kint_tr_push(t, KINT_TV_HOME, krt_slots(type), kir_vt_is_ref(type));
    return v ? v->home : 0;
}

static void push_ref(kint_tr *t, uint32_t slot, uint32_t local, uint32_t size, bool ref)
{
    kint_tv *v = kint_tr_push(t, KINT_TV_REF, size, ref);
    if (!v)
        return;
    v->slot = slot;
    v->local = local;
    if (local != KINT_NONE)
        t->pending[local]++;
}

/* A constant: placed when a consumer needs it in a slot. */
static void push_const(kint_tr *t, uint64_t value)
{
    kint_tv *v = kint_tr_push(t, KINT_TV_IMM, 1, false);
    if (v)
        v->imm = value;
}

/* The pool slot of a constant: found, or given out while reserved slots
 * remain (`add`). False when it has none. */
bool kint_tr_const_slot(kint_tr *t, uint64_t value, bool add, uint32_t *slot)
{
    uint32_t h = (uint32_t)((value * UINT64_C(0x9E3779B97F4A7C15)) >> 57) & (2 * KINT_CONST_POOL - 1);
    for (;; h = (h + 1) & (2 * KINT_CONST_POOL - 1)) {
        uint32_t i = t->chash[h];
        if (!i)
            break;
        if (t->consts[i - 1] == value) {
            *slot = t->param_slots + t->local_slots + i - 1;
            return true;
        }
    }
    if (!add || t->nconsts == t->npool)
        return false;
    t->consts[t->nconsts++] = value;
    t->chash[h] = (uint16_t)t->nconsts;
    *slot = t->param_slots + t->local_slots + t->nconsts - 1;
    return true;
}

/* Whether the last instruction is a COPY (which a copy or branch after it
 * can join). */
static bool last_is_copy(const kint_tr *t)
{
    return t->copy_pos != KINT_NONE && t->copy_pos + KINT_SIZE(COPY) == t->ncode;
}

/* Emits a copy of entry v to slot dst (nothing if it is there already). */
static void copy_to(kint_tr *t, const kint_tv *v, uint32_t dst)
{
    if (v->kind == KINT_TV_IMM) {
        kint_emit_CONST(t, KINT_OP_CONST, dst, v->imm);
        return;
    }
    uint32_t src = v->kind == KINT_TV_HOME ? v->home : v->slot;
    if (src == dst)
        return;
    if (v->size == 2) {
        kint_emit_SRC_DST2(t, KINT_OP_COPY2, src, dst);
        return;
    }
    if (last_is_copy(t)) {
        /* Two copies in a row: one instruction. */
        const kint_word *c = t->code + t->copy_pos;
        uint32_t src1 = KINT_OPND(c, COPY, src), dst1 = KINT_OPND(c, COPY, dst);
        kint_tr_unemit(t, t->copy_pos);
        kint_emit_COPY_COPY(t, KINT_OP_COPY_COPY, src1, dst1, src, dst);
        return;
    }
    t->copy_pos = kint_emit_SRC_DST(t, KINT_OP_COPY, src, dst);
}

static void materialize(kint_tr *t, kint_tv *v)
{
    if (v->kind == KINT_TV_HOME)
        return;
    copy_to(t, v, v->home);
    if (v->kind == KINT_TV_REF && v->local != KINT_NONE)
        t->pending[v->local]--;
    v->kind = KINT_TV_HOME;
    if (v->ref)
        t->refver++;
}

static void materialize_all(kint_tr *t)
{
    for (uint32_t i = t->vlow; i < t->nvals; i++)
        materialize(t, &t->vals[i]);
    t->vlow = t->nvals;
}

void kint_tr_materialize_top(kint_tr *t, uint32_t n)
{
    for (uint32_t i = t->nvals - n; i < t->nvals; i++)
        materialize(t, &t->vals[i]);
}

uint32_t kint_tr_top_slots(const kint_tr *t, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = t->nvals - n; i < t->nvals; i++)
        s += t->vals[i].size;
    return s;
}

/* ---- stack maps ------------------------------------------------------------------------------ */

void kint_tr_safepoint(kint_tr *t, uint32_t exclude)
{
    t->sp_pending = KINT_NONE;
    uint32_t limit = t->nvals - exclude;
    if (!t->sp_cached || t->sp_ver != t->refver || t->sp_limit != limit) {
        uint32_t first = t->nspslots, count = 0;
        for (uint32_t i = 0; i < t->nrefstk && t->refstk[i] < limit; i++) {
            const kint_tv *v = &t->vals[t->refstk[i]];
            /* Values still in a local are found through the locals;
             * constants are never references. */
            if (v->kind != KINT_TV_HOME)
                continue;
            if (!KINT_TR_GROW(t, spslots, spslotcap, t->nspslots + 1))
                return;
            t->spslots[t->nspslots++] = v->home;
            count++;
        }
        t->sp_cached = true;
        t->sp_ver = t->refver;
        t->sp_limit = limit;
        t->sp_first = first;
        t->sp_count = count;
    }
    if (t->sp_count == 0 || !KINT_TR_GROW(t, sps, spcap, t->nsps + 1))
        return;
    t->sps[t->nsps] = (kint_safepoint){KINT_NONE, t->sp_first, t->sp_count};
    t->sp_pending = t->nsps++;
}

void kint_tr_safepoint_end(kint_tr *t)
{
    if (t->sp_pending == KINT_NONE)
        return;
    t->sps[t->sp_pending].pos = t->ncode;
    t->sp_pending = KINT_NONE;
}

uint32_t kint_tr_use(kint_tr *t, kint_tv *v)
{
    uint32_t s;
    if (kint_tr_use_free(t, v, &s))
        return s;
    copy_to(t, v, v->home);
    return v->home;
}

/* Before local x changes: copy the entries still reading it to their homes.
 * A long scan materializes everything it passes, so scans stay linear. */
static void flush_local(kint_tr *t, uint32_t x)
{
    if (!t->pending[x])
        return;
    if (t->nvals - t->vlow > 32) {
        materialize_all(t);
        return;
    }
    for (uint32_t i = t->nvals; i-- > t->vlow && t->pending[x];) {
        kint_tv *v = &t->vals[i];
        if (v->kind == KINT_TV_REF && v->local == x)
            materialize(t, v);
    }
}

/* local.set / local.tee x. */
static void local_set(kint_tr *t, uint32_t x, bool tee)
{
    uint32_t slot = t->local_slot[x];
    uint32_t size = t->local_slot[x + 1] - slot;
    kint_tv *top = &t->vals[t->nvals - 1];
    if (top->kind == KINT_TV_HOME && t->last.valid && t->last.dst == top->home && !t->pending[x]) {
        /* The instruction that computed the value writes the local instead. */
        kint_tr_patch(t, t->last.pos, KINT_FN_dst, slot);
        t->last.dst = slot;
        t->last.fusable = false;
        kint_tr_pop(t);
    } else {
        kint_tv v = kint_tr_pop(t);
        flush_local(t, x);
        copy_to(t, &v, slot);
    }
    if (tee)
        push_ref(t, slot, x, size, kir_vt_is_ref(t->local_type[x]));
}

/* ---- control frames --------------------------------------------------------------------- */

static kint_ctl *push_ctl(kint_tr *t, uint8_t kind, uint32_t type, kir_valtype single)
{
    if (!KINT_TR_GROW(t, ctl, ccap, t->nctl + 1))
        return NULL;
    kint_ctl *c = &t->ctl[t->nctl++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->type = type;
    c->single = single;
    c->fixups = c->else_fix = KINT_NONE;
    c->handler = c->hmark = c->delegates = KINT_NONE;
    if (kind == KINT_CTL_FUNC)
        return c; /* the function's parameters are locals, not stack values */
    const kir_valtype *ps;
    uint32_t np;
    ctl_params(t, c, &ps, &np);
    c->height = t->nvals - np;
    c->base = t->height - slots_of(ps, np);
    return c;
}

/* Block type of a decoded block instruction. */
static void block_type(const kdec_instr *in, uint32_t *type, kir_valtype *single)
{
    *type = KINT_NONE;
    *single = 0;
    if (in->bt.kind == KDEC_BT_TYPEIDX)
        *type = in->bt.typeidx;
    else if (in->bt.kind == KDEC_BT_VALTYPE)
        *single = in->bt.valtype;
}

/* Enters a block, loop, if or try: the values below it move to their
 * homes, so every path into and out of the block sees the same layout. */
static kint_ctl *enter(kint_tr *t, uint8_t kind, const kdec_instr *in)
{
    uint32_t type;
    kir_valtype single;
    block_type(in, &type, &single);
    materialize_all(t);
    bind_here(t);
    return push_ctl(t, kind, type, single);
}

/* Records that delegates to frame c resume at handler index hmark. */
static void set_hmark(kint_tr *t, kint_ctl *c)
{
    if (c->hmark != KINT_NONE)
        return;
    c->hmark = t->nhandlers;
    for (uint32_t d = c->delegates; d != KINT_NONE; d = t->dnext[d])
        t->handlers[d].delegate = c->hmark;
    c->delegates = KINT_NONE;
}

/* Fuel a taken branch to frame c costs: the loop body's instructions for a
 * backward branch, nothing for a forward one. */
static uint32_t branch_fuel(const kint_tr *t, const kint_ctl *c)
{
    return c->kind == KINT_CTL_LOOP ? t->icount - c->icount + 1 : 0;
}

/* Points the label of the branch at `instr` (entry KINT_NONE), or entry
 * `entry` of the br_table there, at the label of frame ci. */
static void ref_label(kint_tr *t, uint32_t ci, uint32_t instr, uint32_t entry)
{
    kint_ctl *c = &t->ctl[ci];
    if (c->kind == KINT_CTL_LOOP) {
        set_label(t, instr, entry, c->label);
    } else {
        c->reached = true;
        add_fix(t, &c->fixups, instr, entry, KINT_FIX_LABEL);
    }
}

/* Emits a BR to frame ci's label (with the copy just before it, if any). */
static void emit_br(kint_tr *t, uint32_t ci)
{
    uint32_t pos, fuel = branch_fuel(t, &t->ctl[ci]);
    if (last_is_copy(t)) {
        const kint_word *c = t->code + t->copy_pos;
        uint32_t src = KINT_OPND(c, COPY, src), dst = KINT_OPND(c, COPY, dst);
        kint_tr_unemit(t, t->copy_pos);
        pos = kint_emit_COPY_BR(t, KINT_OP_COPY_BR, src, dst, 0, fuel);
    } else {
        pos = kint_emit_BR(t, KINT_OP_BR, 0, fuel);
    }
    ref_label(t, ci, pos, KINT_NONE);
}

/* Whether the top values are already where a branch to frame ci wants them. */
static bool needs_moves(const kint_tr *t, uint32_t ci)
{
    const kint_ctl *c = &t->ctl[ci];
    uint32_t n = label_arity(t, c);
    uint32_t dst = t->opbase + c->base;
    for (uint32_t i = t->nvals - n; i < t->nvals; i++) {
        const kint_tv *v = &t->vals[i];
        if (v->kind != KINT_TV_HOME || v->home != dst)
            return true;
        dst += v->size;
    }
    return false;
}

/* Copies the top n values to the slots of frame c's base. Ascending order
 * is safe: a value is never below its destination. */
static void moves_to_base(kint_tr *t, const kint_ctl *c, uint32_t n)
{
    uint32_t dst = t->opbase + c->base;
    for (uint32_t i = t->nvals - n; i < t->nvals; i++) {
        copy_to(t, &t->vals[i], dst);
        dst += t->vals[i].size;
    }
}

/* Copies the values a branch to frame ci carries into the label's slots. */
static void emit_moves(kint_tr *t, uint32_t ci)
{
    moves_to_base(t, &t->ctl[ci], label_arity(t, &t->ctl[ci]));
}

/* Leaving the current part of the innermost frame at its end (or else,
 * catch): its results go to the frame's base. */
static void end_moves(kint_tr *t)
{
    const kint_ctl *c = &t->ctl[t->nctl - 1];
    const kir_valtype *rs;
    uint32_t nr;
    if (c->dead)
        return;
    ctl_results(t, c, &rs, &nr);
    moves_to_base(t, c, nr);
}

/* Returns the function's results (the top values). Leaves the value stack
 * as it is, so it may sit on a conditional path. */
static void emit_return(kint_tr *t)
{
    uint32_t n = t->m->types[t->f->type].nresults;
    if (n == 0) {
        kint_emit_NONE(t, KINT_OP_RET);
        return;
    }
    kint_tv *first = &t->vals[t->nvals - n];
    if (n == 1 && first->size == 1) {
        kint_emit_SRC(t, KINT_OP_RET1, kint_tr_use(t, first));
        return;
    }
    /* Through the home slots: results may read locals that the first
     * results would overwrite. */
    for (uint32_t i = t->nvals - n; i < t->nvals; i++)
        copy_to(t, &t->vals[i], t->vals[i].home);
    uint32_t src = first->home;
    if (src == 0) {
        kint_emit_NONE(t, KINT_OP_RET);
        return;
    }
    kint_emit_RETN(t, KINT_OP_RETN, src, kint_tr_top_slots(t, n));
}

/* The rest of the current block is unreachable. */
static void set_dead(kint_tr *t) { t->ctl[t->nctl - 1].dead = true; }

/* Unconditional branch to frame ci. */
static void branch(kint_tr *t, uint32_t ci)
{
    if (t->ctl[ci].kind == KINT_CTL_FUNC) {
        emit_return(t);
    } else {
        emit_moves(t, ci);
        emit_br(t, ci);
    }
    set_dead(t);
}

/*
 * Emits a jump taken when the condition `cond` (already popped) is
 * `when` (nonzero for true), its label still to be set. A comparison or
 * test computed by the instruction just before becomes part of the branch:
 * the fused branch takes its operands by name. Returns the branch's
 * position.
 */
static uint32_t emit_cond(kint_tr *t, kint_tv *cond, bool when, uint32_t fuel)
{
    const kint_last *l = &t->last;
    if (cond->kind == KINT_TV_HOME && l->valid && l->fusable && l->dst == cond->home) {
        kint_last saved = kint_tr_unemit_last(t);
        uint32_t pos = kint_tr_emit_like(t, when ? saved.br_op : saved.brn_op, saved.words, saved.op);
        kint_tr_patch(t, pos, KINT_FN_fuel, fuel);
        return pos;
    }
    uint32_t s = kint_tr_use(t, cond);
    return kint_emit_BR_UNARY(t, when ? KINT_OP_BRN_I32_EQZ : KINT_OP_BR_I32_EQZ, s, 0, fuel);
}

/* br_if to frame ci with the condition popped. */
static void branch_if(kint_tr *t, uint32_t ci, kint_tv *cond)
{
    uint32_t pos;
    if (t->ctl[ci].kind == KINT_CTL_FUNC) {
        pos = emit_cond(t, cond, false, 0);
        emit_return(t);
    } else if (!needs_moves(t, ci)) {
        pos = emit_cond(t, cond, true, branch_fuel(t, &t->ctl[ci]));
        ref_label(t, ci, pos, KINT_NONE);
        return;
    } else {
        pos = emit_cond(t, cond, false, 0);
        emit_moves(t, ci);
        emit_br(t, ci);
    }
    set_label(t, pos, KINT_NONE, t->ncode);
    bind_here(t);
}

/*
 * A conditional branch to label ci, in two steps around emitting it. When
 * the label needs no value moves (cond_branch_direct), the branch jumps
 * straight to it when the condition holds (charging the label's fuel);
 * otherwise the branch is the negation, skipping an inline move-and-branch
 * (or return) that cond_branch_end adds.
 */
static bool cond_branch_direct(const kint_tr *t, uint32_t ci)
{
    return t->ctl[ci].kind != KINT_CTL_FUNC && !needs_moves(t, ci);
}

static void cond_branch_end(kint_tr *t, uint32_t ci, uint32_t pos, bool direct)
{
    if (direct) {
        ref_label(t, ci, pos, KINT_NONE);
        return;
    }
    if (t->ctl[ci].kind == KINT_CTL_FUNC) {
        emit_return(t);
    } else {
        emit_moves(t, ci);
        emit_br(t, ci);
    }
    set_label(t, pos, KINT_NONE, t->ncode);
    bind_here(t);
}

/* A conditional branch to ci on whether the reference in slot s is null. */
static void branch_if_null(kint_tr *t, uint32_t ci, bool null, uint32_t s)
{
    bool direct = cond_branch_direct(t, ci);
    kint_op op = direct == null ? KINT_OP_BR_I64_EQZ : KINT_OP_BRN_I64_EQZ;
    uint32_t pos = kint_emit_BR_UNARY(t, op, s, 0, direct ? branch_fuel(t, &t->ctl[ci]) : 0);
    cond_branch_end(t, ci, pos, direct);
}

/* br_on_null (null: jump) and br_on_non_null (non-null: jump with it). */
static void branch_on_null(kint_tr *t, uint32_t ci, bool on_null)
{
    uint32_t s = kint_tr_use(t, &t->vals[t->nvals - 1]);
    if (!on_null) {
        branch_if_null(t, ci, false, s);
        kint_tr_pop(t);
        return;
    }
    /* The label takes the values below the reference. */
    kint_tv saved = kint_tr_pop(t);
    branch_if_null(t, ci, true, s);
    /* Back on the stack, now known to be non-null. */
    kint_tv *v = kint_tr_push(t, saved.kind, saved.size, saved.ref);
    if (v) {
        v->slot = saved.slot;
        v->imm = saved.imm;
        v->local = saved.local;
        if (saved.kind == KINT_TV_REF && saved.local != KINT_NONE)
            t->pending[saved.local]++;
    }
}

/* br_on_cast (jump when the reference passes the cast to `target`) and
 * br_on_cast_fail (when it does not). The reference stays on the stack on
 * both paths; only its static type differs. */
static void branch_on_cast(kint_tr *t, uint32_t ci, bool on_fail, uint32_t target)
{
    uint32_t s = kint_tr_use(t, &t->vals[t->nvals - 1]);
    bool direct = cond_branch_direct(t, ci);
    kint_op op = direct != on_fail ? KINT_OP_BR_CAST : KINT_OP_BRN_CAST;
    uint32_t pos = kint_emit_BR_CAST(t, op, s, target, 0, direct ? branch_fuel(t, &t->ctl[ci]) : 0);
    cond_branch_end(t, ci, pos, direct);
}

/* br_table: a jump table; targets whose values must move first go through
 * a small trampoline after the table, one per target frame. scratch[ci]
 * (KINT_NONE between uses) marks the frames that need one; the marked
 * frames are listed in scratch[nctl ..] so that clearing stays linear. */
static void branch_table(kint_tr *t, const kdec_instr *in)
{
    kint_tv idx = kint_tr_pop(t);
    uint32_t s = kint_tr_use(t, &idx);
    uint32_t n = in->count;
    uint32_t old = t->scap;
    if (!KINT_TR_GROW(t, scratch, scap, 2 * t->nctl)) {
        set_dead(t);
        return;
    }
    for (uint32_t i = old; i < t->scap; i++)
        t->scratch[i] = KINT_NONE;
    uint32_t *marked = t->scratch + t->nctl, nmarked = 0;
    uint32_t pos = kint_emit_BR_TABLE(t, KINT_OP_BR_TABLE, s, n);
    for (uint32_t i = 0; i < KINT_BR_TABLE_TAIL_WORDS(n); i++)
        kint_tr_w64(t, 0);
    kdec_reader cur;
    kdec_list_reader(&t->r, in, &cur);
    /* Direct targets get their offsets; the others are marked. */
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t depth = in->idx[0];
        if (i < n && !kdec_br_table_next(&cur, &depth))
            break;
        uint32_t ci = t->nctl - 1 - depth;
        if (t->scratch[ci] != KINT_NONE)
            continue;
        if (t->ctl[ci].kind != KINT_CTL_FUNC && !needs_moves(t, ci)) {
            ref_label(t, ci, pos, i);
        } else {
            t->scratch[ci] = 0;
            marked[nmarked++] = ci;
        }
    }
    /* One trampoline per marked frame. */
    for (uint32_t k = 0; k < nmarked; k++) {
        uint32_t ci = marked[k];
        t->scratch[ci] = t->ncode;
        if (t->ctl[ci].kind == KINT_CTL_FUNC) {
            emit_return(t);
        } else {
            emit_moves(t, ci);
            emit_br(t, ci);
        }
    }
    if (nmarked) {
        kdec_list_reader(&t->r, in, &cur);
        for (uint32_t i = 0; i <= n; i++) {
            uint32_t depth = in->idx[0];
            if (i < n && !kdec_br_table_next(&cur, &depth))
                break;
            uint32_t ci = t->nctl - 1 - depth;
            if (t->scratch[ci] != KINT_NONE)
                set_label(t, pos, i, t->scratch[ci]);
        }
        for (uint32_t k = 0; k < nmarked; k++) {
            t->scratch[marked[k]] = KINT_NONE;
            marked[k] = KINT_NONE;
        }
    }
    set_dead(t);
}

/* ---- block ends ---------------------------------------------------------------------------- */

/* Resets the value stack to the frame's base and pushes `types` as homes. */
static void reset_stack(kint_tr *t, const kint_ctl *c, const kir_valtype *ts, uint32_t n)
{
    while (t->nvals > c->height)
        kint_tr_pop(t);
    for (uint32_t i = 0; i < n; i++)
        kint_tr_push_type(t, ts[i]);
}

/* The first catch, catch_all or delegate of a legacy try: its body ends. */
static void end_try_body(kint_tr *t, kint_ctl *c)
{
    set_hmark(t, c);
    if (!KINT_TR_GROW(t, handlers, hcap, t->nhandlers + 1) || !KINT_TR_GROW(t, dnext, dcap, t->nhandlers + 1))
        return;
    c->handler = t->nhandlers;
    t->dnext[t->nhandlers] = KINT_NONE;
    t->handlers[t->nhandlers++] = (kint_handler){c->try_start, t->ncode, 0, 0, KINT_NONE};
}

/* else */
static void op_else(kint_tr *t)
{
    kint_ctl *c = &t->ctl[t->nctl - 1];
    if (!c->dead) {
        end_moves(t);
        emit_br(t, t->nctl - 1);
    }
    bind_chain(t, c->else_fix, t->ncode);
    c->else_fix = KINT_NONE;
    const kir_valtype *ps;
    uint32_t np;
    ctl_params(t, c, &ps, &np);
    reset_stack(t, c, ps, np);
    c->kind = KINT_CTL_ELSE;
    c->dead = false;
}

/* catch / catch_all of a legacy try. */
static void op_catch(kint_tr *t, const kdec_instr *in)
{
    kint_ctl *c = &t->ctl[t->nctl - 1];
    if (c->kind == KINT_CTL_TRY)
        end_try_body(t, c);
    if (!c->dead) {
        end_moves(t);
        emit_br(t, t->nctl - 1);
    }
    bind_here(t);
    reset_stack(t, c, NULL, 0);
    kint_tr_push_type(t, KIR_EXNREF); /* the caught exception, for rethrow */
    uint32_t dst = t->opbase + c->base;
    uint32_t kind = KDEC_CATCH_ALL, tag = 0;
    if (in->op == KIR_OP_CATCH) {
        kind = KDEC_CATCH;
        tag = in->idx[0];
        const kir_type *tt = &t->m->types[t->m->tags[tag].type];
        for (uint32_t i = 0; i < tt->nparams; i++)
            kint_tr_push_type(t, tt->types[i]);
    }
    if (KINT_TR_GROW(t, pend, pendcap, t->npend + 1))
        t->pend[t->npend++] = (kint_catch){kind, tag, t->ncode, dst + 1, dst};
    c->kind = KINT_CTL_CATCH;
    c->dead = false;
}

/* end (and delegate, which ends a legacy try): returns true when the
 * function body ended. */
static bool op_end(kint_tr *t, const kdec_instr *in)
{
    uint32_t ci = t->nctl - 1;
    kint_ctl *c = &t->ctl[ci];
    if (c->kind == KINT_CTL_FUNC) {
        set_hmark(t, c);
        if (c->fixups != KINT_NONE) {
            /* Catch clauses branch to the function's end with the results
             * in the label slots. */
            end_moves(t);
            bind_chain(t, c->fixups, t->ncode);
            const kir_valtype *rs;
            uint32_t nr;
            ctl_results(t, c, &rs, &nr);
            reset_stack(t, c, rs, nr);
            emit_return(t);
        } else if (!c->dead) {
            emit_return(t);
        }
        t->nctl--;
        return true;
    }
    uint32_t body_end = t->ncode;
    bool reachable = !c->dead || c->reached || c->kind == KINT_CTL_IF;
    end_moves(t);
    switch (c->kind) {
    case KINT_CTL_TRY_TABLE:
        set_hmark(t, c);
        if (KINT_TR_GROW(t, handlers, hcap, t->nhandlers + 1) && KINT_TR_GROW(t, dnext, dcap, t->nhandlers + 1)) {
            t->dnext[t->nhandlers] = KINT_NONE;
            t->handlers[t->nhandlers++] =
                (kint_handler){c->try_start, body_end, c->catch_first, c->catch_count, KINT_NONE};
        }
        break;
    case KINT_CTL_TRY:
        if (in->op == KIR_OP_DELEGATE) {
            end_try_body(t, c);
            uint32_t h = c->handler;
            kint_ctl *target = &t->ctl[ci - 1 - in->idx[0]];
            if (h != KINT_NONE) {
                if (target->hmark != KINT_NONE) {
                    t->handlers[h].delegate = target->hmark;
                } else {
                    t->dnext[h] = target->delegates;
                    target->delegates = h;
                }
            }
        } else {
            set_hmark(t, c);
        }
        break;
    case KINT_CTL_CATCH:
        if (c->handler != KINT_NONE && KINT_TR_GROW(t, catches, catchcap, t->ncatches + (t->npend - c->pend_first))) {
            kint_handler *h = &t->handlers[c->handler];
            h->first = t->ncatches;
            h->count = t->npend - c->pend_first;
            memcpy(t->catches + t->ncatches, t->pend + c->pend_first, h->count * sizeof(kint_catch));
            t->ncatches += h->count;
        }
        t->npend = c->pend_first;
        break;
    default:
        set_hmark(t, c);
        break;
    }
    if (c->kind == KINT_CTL_IF)
        bind_chain(t, c->else_fix, t->ncode);
    bind_chain(t, c->fixups, t->ncode);
    const kir_valtype *rs;
    uint32_t nr;
    ctl_results(t, c, &rs, &nr);
    kir_valtype single = c->single;
    if (c->type == KINT_NONE)
        rs = &single;
    reset_stack(t, c, rs, nr);
    t->nctl--;
    if (!reachable)
        set_dead(t);
    return false;
}

/* try_table: its catch clauses branch to labels outside it. */
static void op_try_table(kint_tr *t, const kdec_instr *in)
{
    uint32_t first = t->ncatches;
    kdec_reader cur;
    kdec_list_reader(&t->r, in, &cur);
    if (!KINT_TR_GROW(t, catches, catchcap, t->ncatches + in->count))
        return;
    /* Resolve the clauses before the try_table's own frame exists. */
    uint32_t type;
    kir_valtype single;
    block_type(in, &type, &single);
    materialize_all(t);
    for (uint32_t i = 0; i < in->count; i++) {
        kdec_catch_kind kind;
        uint32_t tag = 0, label = 0;
        if (!kdec_catch_next(&cur, &kind, &tag, &label))
            break;
        uint32_t ci = t->nctl - 1 - label;
        kint_ctl *target = &t->ctl[ci];
        uint32_t dst = t->opbase + target->base;
        uint32_t ref = KINT_NONE;
        if (kind == KDEC_CATCH_REF)
            ref = dst + slots_of(t->m->types[t->m->tags[tag].type].types,
                                 t->m->types[t->m->tags[tag].type].nparams);
        else if (kind == KDEC_CATCH_ALL_REF)
            ref = dst;
        uint32_t k = t->ncatches++;
        t->catches[k] = (kint_catch){(uint32_t)kind, tag, 0, dst, ref};
        if (target->kind == KINT_CTL_LOOP) {
            t->catches[k].target = target->label;
        } else {
            target->reached = true;
            add_fix(t, &target->fixups, 0, k, KINT_FIX_CATCH);
        }
    }
    bind_here(t);
    kint_ctl *c = push_ctl(t, KINT_CTL_TRY_TABLE, type, single);
    if (!c)
        return;
    c->try_start = t->ncode;
    c->catch_first = first;
    c->catch_count = t->ncatches - first;
}

/* ---- the driver ----------------------------------------------------------------------------- */

/* Control instructions; false for everything else. Sets *done at the
 * function's end. */
static bool control(kint_tr *t, const kdec_instr *in, bool *done)
{
    kint_ctl *c;
    switch (in->op) {
    case KIR_OP_NOP: return true;
    case KIR_OP_UNREACHABLE:
        kint_emit_NONE(t, KINT_OP_UNREACHABLE);
        set_dead(t);
        return true;
    case KIR_OP_BLOCK: enter(t, KINT_CTL_BLOCK, in); return true;
    case KIR_OP_LOOP:
        c = enter(t, KINT_CTL_LOOP, in);
        if (c) {
            c->label = t->ncode;
            c->icount = t->icount;
        }
        return true;
    case KIR_OP_IF: {
        kint_tv cond = kint_tr_pop(t);
        uint32_t type;
        kir_valtype single;
        block_type(in, &type, &single);
        if (t->vlow < t->nvals) {
            materialize_all(t);
            bind_here(t); /* no fusion across the copies */
        }
        uint32_t pos = emit_cond(t, &cond, false, 0);
        bind_here(t);
        c = push_ctl(t, KINT_CTL_IF, type, single);
        if (c)
            add_fix(t, &c->else_fix, pos, KINT_NONE, KINT_FIX_LABEL);
        return true;
    }
    case KIR_OP_ELSE: op_else(t); return true;
    case KIR_OP_TRY:
        c = enter(t, KINT_CTL_TRY, in);
        if (c) {
            c->try_start = t->ncode;
            c->pend_first = t->npend;
        }
        return true;
    case KIR_OP_CATCH:
    case KIR_OP_CATCH_ALL: op_catch(t, in); return true;
    case KIR_OP_TRY_TABLE: op_try_table(t, in); return true;
    case KIR_OP_END:
    case KIR_OP_DELEGATE: *done = op_end(t, in); return true;
    case KIR_OP_BR: branch(t, t->nctl - 1 - in->idx[0]); return true;
    case KIR_OP_BR_IF: {
        kint_tv cond = kint_tr_pop(t);
        branch_if(t, t->nctl - 1 - in->idx[0], &cond);
        return true;
    }
    case KIR_OP_BR_TABLE: branch_table(t, in); return true;
    case KIR_OP_BR_ON_NULL: branch_on_null(t, t->nctl - 1 - in->idx[0], true); return true;
    case KIR_OP_BR_ON_NON_NULL: branch_on_null(t, t->nctl - 1 - in->idx[0], false); return true;
    case KIR_OP_BR_ON_CAST:
    case KIR_OP_BR_ON_CAST_FAIL:
        branch_on_cast(t, t->nctl - 1 - in->idx[0], in->op == KIR_OP_BR_ON_CAST_FAIL,
                       kint_tr_cast_target(t, in->ref2));
        return true;
    case KIR_OP_RETURN:
        emit_return(t);
        set_dead(t);
        return true;
    case KIR_OP_THROW: {
        const kir_type *tt = &t->m->types[t->m->tags[in->idx[0]].type];
        kint_tr_materialize_top(t, tt->nparams);
        uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, tt->nparams);
        kint_tr_safepoint(t, 0); /* it allocates the exception */
        kint_emit_THROW(t, KINT_OP_THROW, base, in->idx[0]);
        kint_tr_safepoint_end(t);
        set_dead(t);
        return true;
    }
    case KIR_OP_THROW_REF: {
        kint_tv v = kint_tr_pop(t);
        kint_emit_SRC(t, KINT_OP_THROW_REF, kint_tr_use(t, &v));
        set_dead(t);
        return true;
    }
    case KIR_OP_RETHROW:
        c = &t->ctl[t->nctl - 1 - in->idx[0]];
        kint_emit_SRC(t, KINT_OP_THROW_REF, t->opbase + c->base);
        set_dead(t);
        return true;
    case KIR_OP_CALL:
    case KIR_OP_CALL_INDIRECT:
    case KIR_OP_CALL_REF:
    case KIR_OP_RETURN_CALL:
    case KIR_OP_RETURN_CALL_INDIRECT:
    case KIR_OP_RETURN_CALL_REF:
        kint_tr_call(t, in);
        if (in->op == KIR_OP_RETURN_CALL || in->op == KIR_OP_RETURN_CALL_INDIRECT ||
            in->op == KIR_OP_RETURN_CALL_REF)
            set_dead(t);
        return true;
    default: return false;
    }
}

/* Variables and parametric instructions. */
static bool variable(kint_tr *t, const kdec_instr *in)
{
    switch (in->op) {
    case KIR_OP_LOCAL_GET: {
        uint32_t x = in->idx[0];
        push_ref(t, t->local_slot[x], x, t->local_slot[x + 1] - t->local_slot[x],
                 kir_vt_is_ref(t->local_type[x]));
        return true;
    }
    case KIR_OP_LOCAL_SET: local_set(t, in->idx[0], false); return true;
    case KIR_OP_LOCAL_TEE: local_set(t, in->idx[0], true); return true;
    case KIR_OP_DROP: kint_tr_pop(t); return true;
    case KIR_OP_SELECT:
    case KIR_OP_SELECT_T: {
        kint_tv cond = kint_tr_pop(t);
        kint_tv b = kint_tr_pop(t);
        kint_tv a = kint_tr_pop(t);
        uint32_t sa = kint_tr_use(t, &a), sb = kint_tr_use(t, &b), sc = kint_tr_use(t, &cond);
        kint_tv *r = kint_tr_push(t, KINT_TV_HOME, a.size, a.ref || b.ref);
        uint32_t dst = r ? r->home : 0;
        if (a.size == 2) {
            kint_emit_SELECT2(t, KINT_OP_SELECT2, sa, sb, sc, dst);
        } else {
            uint32_t pos = kint_emit_SELECT(t, KINT_OP_SELECT, sa, sb, sc, dst);
            KINT_TR_RESULT(t, SELECT, pos, dst);
        }
        return true;
    }
    case KIR_OP_I32_CONST: push_const(t, (uint32_t)in->num); return true;
    case KIR_OP_I64_CONST:
    case KIR_OP_F64_CONST: push_const(t, in->num); return true;
    case KIR_OP_F32_CONST: push_const(t, (uint32_t)in->num); return true;
    case KIR_OP_REF_NULL: push_const(t, 0); return true;
    default: return false;
    }
}

/* Skips an instruction in unreachable code, keeping track of nesting.
 * Returns true when the instruction closes or splits the current frame,
 * so that it is translated after all. */
static bool dead_code(kint_tr *t, const kdec_instr *in)
{
    switch (in->op) {
    case KIR_OP_BLOCK:
    case KIR_OP_LOOP:
    case KIR_OP_IF:
    case KIR_OP_TRY:
    case KIR_OP_TRY_TABLE: t->dead_depth++; return false;
    case KIR_OP_END:
    case KIR_OP_DELEGATE:
        if (t->dead_depth) {
            t->dead_depth--;
            return false;
        }
        return true;
    case KIR_OP_ELSE:
    case KIR_OP_CATCH:
    case KIR_OP_CATCH_ALL: return t->dead_depth == 0;
    default: return false;
    }
}

/* Sets up the locals' slots; false if the frame would be too large. */
static bool setup_frame(kint_tr *t)
{
    const kir_type *ft = &t->m->types[t->f->type];
    uint64_t n = (uint64_t)ft->nparams + t->f->nlocals;
    /* At least one slot per local: reject huge frames before allocating. */
    if (n + (uint64_t)t->f->max_stack * 2 + KINT_CONST_POOL > KINT_MAX_FRAME_SLOTS)
        return false;
    t->nlocals = (uint32_t)n;
    if (!KINT_TR_GROW(t, local_slot, lslotcap, n + 1) || !KINT_TR_GROW(t, local_type, ltypecap, n + 1) ||
        !KINT_TR_GROW(t, localrefs, lrefcap, n + 1) || !KINT_TR_GROW(t, pending, pendingcap, n + 1))
        return true;
    memset(t->pending, 0, (n + 1) * sizeof(uint32_t));
    uint32_t s = 0, x = 0;
    for (uint32_t i = 0; i < ft->nparams; i++, x++) {
        t->local_slot[x] = s;
        t->local_type[x] = ft->types[i];
        if (kir_vt_is_ref(ft->types[i]))
            t->localrefs[t->nlocalrefs++] = s;
        s += krt_slots(ft->types[i]);
    }
    t->param_slots = s;
    for (uint32_t g = 0; g < t->f->nlocal_groups; g++) {
        const kir_local_group *lg = &t->f->local_groups[g];
        uint32_t size = krt_slots(lg->type);
        for (uint32_t i = 0; i < lg->count; i++, x++) {
            t->local_slot[x] = s;
            t->local_type[x] = lg->type;
            if (kir_vt_is_ref(lg->type))
                t->localrefs[t->nlocalrefs++] = s;
            s += size;
        }
    }
    t->local_slot[x] = s;
    t->local_slots = s - t->param_slots;
    return (uint64_t)s + (uint64_t)t->f->max_stack * 2 + KINT_CONST_POOL <= KINT_MAX_FRAME_SLOTS;
}

/* Pool slots: one per constant instruction the validator counted, up to
 * the pool's size (repeated constants share a slot, so a few may stay
 * unused; counting exactly would take another pass over the code). */
static void reserve_pool(kint_tr *t)
{
    t->npool = t->f->const_instrs < KINT_CONST_POOL ? t->f->const_instrs : KINT_CONST_POOL;
}

/* Translates the body; false if the code cannot be read (never for
 * validated code) or memory ran out. */
static bool translate_body(kint_tr *t)
{
    kdec_reader_init(&t->r, t->alloc, t->f->body.code, t->f->body.len, t->f->body.offset);
    push_ctl(t, KINT_CTL_FUNC, t->f->type, 0);
    bool done = false;
    kdec_instr in;
    while (!done && !t->oom) {
        if (kdec_at_end(&t->r) || !kdec_instr_read(&t->r, &in))
            return false;
        if (t->ctl[t->nctl - 1].dead && !dead_code(t, &in))
            continue;
        t->offset = in.offset;
        t->icount++;
        if (!control(t, &in, &done) && !variable(t, &in) && !kint_tr_numeric(t, &in) &&
            !kint_tr_memory(t, &in) && !kint_tr_misc(t, &in) && !kint_tr_gc(t, &in) &&
            !kint_tr_simd(t, &in)) {
            /* Every instruction the validator accepts has a translation
             * (test_interp_coverage); one without is a bug: fail. */
            t->bad_layout = true;
            return false;
        }
    }
    return !t->oom;
}

/* Code that traps with `kind` when called (frames too large to run). */
static void trap_body(kint_tr *t, kite_trap_kind_t kind)
{
    t->ncode = t->npcmap = t->nhandlers = t->ncatches = t->nconsts = 0;
    t->nsps = t->nspslots = 0;
    /* Only the parameters are left of the frame. */
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nlocalrefs; i++)
        if (t->localrefs[i] < t->param_slots)
            t->localrefs[k++] = t->localrefs[i];
    t->nlocalrefs = k;
    t->copy_pos = KINT_NONE;
    t->local_slots = 0;
    t->max_height = 0;
    t->opbase = t->param_slots;
    t->offset = t->f->body.offset;
    kint_emit_TRAP(t, KINT_OP_TRAP, kind);
}

/* Everything in one allocation: the header, then the arrays. */
static kint_code *finish(kint_tr *t, const void *const *labels)
{
    size_t size = sizeof(kint_code), at;
    size_t o_code = size = (size + 7) & ~(size_t)7;
    size += (size_t)t->ncode * sizeof(kint_word);
    size_t o_consts = size;
    uint32_t nconsts_padded = t->nconsts > KINT_INIT_WORDS ? t->nconsts : KINT_INIT_WORDS;
    size += (size_t)nconsts_padded * sizeof(uint64_t);
    size_t o_pcmap = size;
    size += (size_t)t->npcmap * sizeof(kint_pcmap);
    size_t o_handlers = size;
    size += (size_t)t->nhandlers * sizeof(kint_handler);
    size_t o_catches = size;
    size += (size_t)t->ncatches * sizeof(kint_catch);
    size_t o_safepoints = size;
    size += (size_t)t->nsps * sizeof(kint_safepoint);
    size_t o_refslots = size;
    size += ((size_t)t->nlocalrefs + t->nspslots) * sizeof(uint32_t);
    char *p = kutil_malloc(t->alloc, size);
    if (!p)
        return NULL;
    kint_code *c = (kint_code *)p;
    c->func_index = t->funcidx;
    c->param_slots = t->param_slots;
    c->local_slots = t->local_slots;
    c->nconsts = t->nconsts;
    c->frame_slots = t->opbase + t->max_height;
    if (c->frame_slots < t->param_slots + t->local_slots + KINT_INIT_WORDS)
        c->frame_slots = t->param_slots + t->local_slots + KINT_INIT_WORDS;
    c->nwords = t->ncode;
    c->npcmap = t->npcmap;
    c->nhandlers = t->nhandlers;
    c->ncatches = t->ncatches;
    c->code = (kint_word *)(p + o_code);
    c->consts = (const uint64_t *)(p + o_consts);
    c->pcmap = (const kint_pcmap *)(p + o_pcmap);
    c->handlers = (const kint_handler *)(p + o_handlers);
    c->catches = (const kint_catch *)(p + o_catches);
    c->nlocal_refs = t->nlocalrefs;
    c->nsafepoints = t->nsps;
    c->safepoints = (const kint_safepoint *)(p + o_safepoints);
    c->refslots = (const uint32_t *)(p + o_refslots);
    atomic_init(&c->native, NULL);
    atomic_init(&c->hot, 0);
    if (t->nsps)
        memcpy(p + o_safepoints, t->sps, t->nsps * sizeof(kint_safepoint));
    if (t->nlocalrefs)
        memcpy(p + o_refslots, t->localrefs, t->nlocalrefs * sizeof(uint32_t));
    if (t->nspslots)
        memcpy(p + o_refslots + t->nlocalrefs * sizeof(uint32_t), t->spslots,
               t->nspslots * sizeof(uint32_t));
    if (t->ncode)
        memcpy(c->code, t->code, t->ncode * sizeof(kint_word));
    memset(p + o_consts, 0, nconsts_padded * sizeof(uint64_t));
    if (t->nconsts)
        memcpy(p + o_consts, t->consts, t->nconsts * sizeof(uint64_t));
    if (t->npcmap)
        memcpy(p + o_pcmap, t->pcmap, t->npcmap * sizeof(kint_pcmap));
    if (t->nhandlers)
        memcpy(p + o_handlers, t->handlers, t->nhandlers * sizeof(kint_handler));
    if (t->ncatches)
        memcpy(p + o_catches, t->catches, t->ncatches * sizeof(kint_catch));
    /* Op numbers become handler addresses (every instruction has a pcmap entry). */
    if (labels) {
        for (at = 0; at < t->npcmap; at++) {
            kint_word *w = &c->code[t->pcmap[at].pos];
            *w = (kint_word)(uintptr_t)labels[*w];
        }
    }
    return c;
}

/* Buffers larger than this are not kept after a translation (a huge
 * function should not pin its working memory for the thread's lifetime). */
enum { KEEP_MAX_BYTES = 1u << 20 };

static void load_buffers(kint_tr *t, const kint_tr_keep *keep)
{
#define LOAD(arr, cap) \
    t->arr = keep->arr;   \
    t->cap = keep->cap;
    KINT_TR_BUFFERS(LOAD)
#undef LOAD
}

/* Hands the buffers back to `keep` (NULL: frees them). */
static void store_buffers(kint_tr *t, kint_tr_keep *keep)
{
#define STORE(arr, cap)                                                        \
    if (keep && (uint64_t)t->cap * sizeof(*t->arr) <= KEEP_MAX_BYTES) {         \
        keep->arr = t->arr;                                                    \
        keep->cap = t->cap;                                                    \
    } else {                                                                   \
        kutil_free(t->alloc, t->arr);                                          \
        if (keep) {                                                            \
            keep->arr = NULL;                                                  \
            keep->cap = 0;                                                     \
        }                                                                      \
    }
    KINT_TR_BUFFERS(STORE)
#undef STORE
}

void kint_tr_keep_free(const kite_allocator_t *a, kint_tr_keep *keep)
{
    if (!keep)
        return;
#define FREE(arr, cap) kutil_free(a, keep->arr);
    KINT_TR_BUFFERS(FREE)
#undef FREE
    kutil_free(a, keep);
}

kint_code *kint_translate(const kite_module_t *module, uint32_t funcidx, unsigned variant,
                          _Atomic(kint_code *) *cells, const struct kgc_rtt *const *rtts,
                          const void *const *labels, kint_tr_keep **keep)
{
    kint_tr t;
    memset(&t, 0, sizeof(t));
    t.alloc = &module->engine->config.alloc;
    if (keep && !*keep)
        *keep = kutil_calloc(t.alloc, 1, sizeof(kint_tr_keep));
    kint_tr_keep *kept = keep ? *keep : NULL;
    if (kept)
        load_buffers(&t, kept);
    t.m = module->ir;
    t.f = &t.m->funcs[funcidx];
    t.funcidx = funcidx;
    t.variant = variant;
    t.cells = cells;
    t.rtts = rtts;
    t.copy_pos = KINT_NONE;
    t.sp_pending = KINT_NONE;
    kint_code *code = NULL;
    bool fits = setup_frame(&t);
    if (!t.oom) {
        if (fits) {
            reserve_pool(&t);
            t.opbase = t.param_slots + t.local_slots + t.npool;
            if (!translate_body(&t) && !t.oom)
                trap_body(&t, KITE_TRAP_UNREACHABLE);
            if (!t.oom && (uint64_t)t.opbase + t.max_height > KINT_MAX_FRAME_SLOTS)
                trap_body(&t, KITE_TRAP_CALL_STACK_EXHAUSTED);
        } else {
            trap_body(&t, KITE_TRAP_CALL_STACK_EXHAUSTED);
        }
        if (!t.oom && !t.bad_layout)
            code = finish(&t, labels);
    }
    if (t.r.error)
        kite_error_free(t.r.error);
    store_buffers(&t, kept);
    return code;
}

void kint_code_free(const kite_allocator_t *a, kint_code *code) { kutil_free(a, code); }
