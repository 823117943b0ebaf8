/*
 * Function bodies and constant expressions: the driver of code validation.
 *
 * One pass over the instructions (read with kdec_instr_read) keeps an
 * operand stack of value types and a control stack of frames, both on the
 * heap, as in the spec's validation algorithm. Instructions with a
 * signature in the opcode table are typed generically from it; the rest by
 * the rules here (control flow, calls, variables, parametric) and in
 * code_ops.c.
 *
 * Non-defaultable locals start unset; local.set / local.tee set them and log
 * the change, and the end of a block (or the start of an else / catch
 * clause) rolls the log back to the block's entry, so locals set inside a
 * block are unset again after it.
 */
#include "valid/code.h"

#include <string.h>

#include "ir/config.h"
#include "ir/opcodes.h"
#include "util/alloc.h"

#define TRY(x)                   \
    do {                         \
        kite_error_t *e_ = (x);  \
        if (e_)                  \
            return e_;           \
    } while (0)

kite_error_t *kval_cerr(kval_code *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kite_error_t *e = kval_verror_kind(c->v, KITE_ERROR_INVALID, c->off, fmt, ap);
    va_end(ap);
    return e;
}

static kite_error_t *limit_error(kval_code *c, const char *what)
{
    return kval_error_kind(c->v, KITE_ERROR_LIMIT, c->off, "%s exceeds the implementation limit", what);
}

/* Grow *p (elements of `size` bytes, capacity *cap) to hold `need`. */
static bool reserve(const kite_allocator_t *a, void **p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return true;
    uint64_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX || ncap > SIZE_MAX / size)
        return false;
    void *q = kutil_realloc(a, *p, (size_t)ncap * size);
    if (!q)
        return false;
    *p = q;
    *cap = (uint32_t)ncap;
    return true;
}

/* ---- operand stack ---------------------------------------------------------- */

static inline kval_frame *top_frame(kval_code *c) { return &c->ctl[c->nctl - 1]; }

kite_error_t *kval_push_grow(kval_code *c, kir_valtype t)
{
    if (c->nvals >= KVAL_MAX_OPERANDS)
        return limit_error(c, "operand stack height");
    if (!reserve(c->v->alloc, (void **)&c->vals, &c->vcap, c->nvals + 1, sizeof(kir_valtype)))
        return kutil_error_oom();
    return kval_push(c, t);
}

kite_error_t *kval_push_types(kval_code *c, const kir_valtype *ts, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        TRY(kval_push(c, ts[i]));
    return NULL;
}

static kite_error_t *mismatch(kval_code *c, const char *who, const kir_valtype *want, uint32_t nwant,
                              const kir_valtype *have, uint32_t nhave)
{
    kval_sb a = {0}, b = {0};
    kval_sb_types(&a, want, nwant);
    kval_sb_types(&b, have, nhave);
    return kval_cerr(c, "type mismatch: %s requires %s but stack has %s", who, a.buf, b.buf);
}

kite_error_t *kval_pop_types_sub(kval_code *c, const kir_valtype *ts, uint32_t n)
{
    const kval_frame *f = top_frame(c);
    uint32_t avail = c->nvals - f->height;
    uint32_t k = n < avail ? n : avail;
    bool ok = k == n || f->unreachable;
    for (uint32_t i = 1; ok && i <= k; i++)
        ok = kval_sub(c->v, c->vals[c->nvals - i], ts[n - i]);
    if (!ok)
        return mismatch(c, "instruction", ts, n, c->vals + c->nvals - k, k);
    c->nvals -= k;
    return NULL;
}

kite_error_t *kval_pop_any(kval_code *c, kir_valtype *out)
{
    const kval_frame *f = top_frame(c);
    if (c->nvals == f->height) {
        if (!f->unreachable)
            return kval_cerr(c, "type mismatch: instruction requires a value but stack has []");
        *out = kir_vt(KIR_BOT);
        return NULL;
    }
    *out = c->vals[--c->nvals];
    return NULL;
}

kite_error_t *kval_pop_ref(kval_code *c, kir_valtype *out)
{
    kir_valtype t = 0;
    TRY(kval_pop_any(c, &t));
    if (kir_vt_kind(t) == KIR_BOT) {
        *out = kir_vt_ref(false, false, KVAL_HEAP_BOT);
        return NULL;
    }
    if (!kir_vt_is_ref(t)) {
        kval_sb sb = {0};
        kval_sb_type(&sb, t);
        return kval_cerr(c, "type mismatch: instruction requires reference type but stack has %s", sb.buf);
    }
    *out = t;
    return NULL;
}

void kval_set_unreachable(kval_code *c)
{
    kval_frame *f = top_frame(c);
    c->nvals = f->height;
    f->unreachable = true;
}

/* ---- control stack ---------------------------------------------------------- */

static void frame_params(const kir_module *m, const kval_frame *f, const kir_valtype **ts, uint32_t *n)
{
    if (f->type != KIR_NONE && f->kind != KVAL_F_FUNC) {
        *ts = m->types[f->type].types;
        *n = m->types[f->type].nparams;
    } else {
        *ts = NULL;
        *n = 0;
    }
}

static void frame_results(const kir_module *m, const kval_frame *f, const kir_valtype **ts, uint32_t *n)
{
    if (f->type != KIR_NONE) {
        const kir_type *t = &m->types[f->type];
        *ts = kir_type_results(t);
        *n = t->nresults;
    } else if (f->single) {
        *ts = &f->single;
        *n = 1;
    } else {
        *ts = NULL;
        *n = 0;
    }
}

kite_error_t *kval_label(kval_code *c, uint32_t l, const kir_valtype **ts, uint32_t *n)
{
    if (l >= c->nctl)
        return kval_cerr(c, "unknown label %u", l);
    const kval_frame *f = &c->ctl[c->nctl - 1 - l];
    if (f->kind == KVAL_F_LOOP)
        frame_params(c->m, f, ts, n);
    else
        frame_results(c->m, f, ts, n);
    return NULL;
}

static kite_error_t *push_frame(kval_code *c, kval_fkind kind, uint32_t type, kir_valtype single)
{
    if (c->nctl == c->ccap) {
        if (c->nctl >= KVAL_MAX_FRAMES)
            return limit_error(c, "block nesting depth");
        if (!reserve(c->v->alloc, (void **)&c->ctl, &c->ccap, c->nctl + 1, sizeof(kval_frame)))
            return kutil_error_oom();
    }
    kval_frame *f = &c->ctl[c->nctl++];
    f->kind = (uint8_t)kind;
    f->unreachable = false;
    f->height = c->nvals;
    f->undo = c->nundo;
    f->type = type;
    f->single = single;
    f->stamp = UINT64_MAX;
    return NULL;
}

/* Roll back local initializations made since log position `to`. */
static void reset_locals(kval_code *c, uint32_t to)
{
    while (c->nundo > to)
        c->init[c->undo[--c->nundo]] = 0;
}

/* The end of a block body: exactly the block's results must be left. */
static kite_error_t *check_block_end(kval_code *c)
{
    const kval_frame *f = top_frame(c);
    const kir_valtype *ts = NULL;
    uint32_t n = 0;
    frame_results(c->m, f, &ts, &n);
    TRY(kval_pop_types(c, ts, n));
    if (c->nvals != f->height) {
        kval_sb a = {0}, b = {0};
        kval_sb_types(&a, ts, n);
        kval_sb_types(&b, c->vals + f->height, c->nvals - f->height);
        return kval_cerr(c, "type mismatch: block requires %s but stack has %s", a.buf, b.buf);
    }
    return NULL;
}

/* Resolve a block type to (function type index | single result). */
static kite_error_t *block_type(kval_code *c, const kdec_blocktype *bt, uint32_t *type, kir_valtype *single)
{
    *type = KIR_NONE;
    *single = 0;
    switch (bt->kind) {
    case KDEC_BT_EMPTY: return NULL;
    case KDEC_BT_VALTYPE:
        TRY(kval_check_valtype(c->v, bt->valtype, c->m->ntypes, c->off));
        *single = bt->valtype;
        return NULL;
    case KDEC_BT_TYPEIDX:
        if (bt->typeidx >= c->m->ntypes)
            return kval_cerr(c, "unknown type %u", bt->typeidx);
        if (c->m->types[bt->typeidx].comp != KIR_COMP_FUNC)
            return kval_cerr(c, "type mismatch: block type %u is not a function type", bt->typeidx);
        *type = bt->typeidx;
        return NULL;
    }
    return kval_cerr(c, "unknown type");
}

/* Enter a block: pop its parameters, push the frame, push the parameters. */
static kite_error_t *enter_block(kval_code *c, kval_fkind kind, uint32_t type, kir_valtype single)
{
    const kir_valtype *ps = NULL;
    uint32_t np = 0;
    if (type != KIR_NONE) {
        ps = c->m->types[type].types;
        np = c->m->types[type].nparams;
    }
    TRY(kval_pop_types(c, ps, np));
    TRY(push_frame(c, kind, type, single));
    return kval_push_types(c, ps, np);
}

/* Start a new clause (else, catch, catch_all) of the top frame. */
static kite_error_t *next_clause(kval_code *c, kval_fkind kind)
{
    TRY(check_block_end(c));
    kval_frame *f = top_frame(c);
    reset_locals(c, f->undo);
    c->nvals = f->height;
    f->kind = (uint8_t)kind;
    f->unreachable = false;
    return NULL;
}

/* Leave the top frame (its body already checked) and push its results. */
static kite_error_t *leave_block(kval_code *c)
{
    kval_frame f = *top_frame(c);
    reset_locals(c, f.undo);
    c->nctl--;
    if (c->nctl == 0)
        return NULL; /* the end of the function: results are returned */
    const kir_valtype *ts = NULL;
    uint32_t n = 0;
    frame_results(c->m, &f, &ts, &n);
    return kval_push_types(c, ts, n);
}

static kite_error_t *op_end(kval_code *c)
{
    kval_frame *f = top_frame(c);
    if (f->kind == KVAL_F_IF) {
        /* No else: an empty else branch must turn the params into the results. */
        TRY(check_block_end(c));
        const kir_valtype *ps = NULL;
        uint32_t np = 0;
        frame_params(c->m, f, &ps, &np);
        reset_locals(c, f->undo);
        c->nvals = f->height;
        f->unreachable = false;
        TRY(kval_push_types(c, ps, np));
    }
    TRY(check_block_end(c));
    return leave_block(c);
}

/* ---- branches ------------------------------------------------------------------ */

static kite_error_t *op_br_table(kval_code *c, const kdec_instr *in)
{
    TRY(kval_pop(c, kir_vt(KIR_I32)));
    const kir_valtype *dts = NULL;
    uint32_t arity = 0;
    TRY(kval_label(c, in->idx[0], &dts, &arity));
    const kval_frame *f = top_frame(c);
    uint32_t avail = c->nvals - f->height;
    kdec_reader cur;
    kdec_list_reader(&c->r, in, &cur);
    for (uint32_t i = 0; i <= in->count; i++) {
        uint32_t l = in->idx[0];
        if (i < in->count && !kdec_br_table_next(&cur, &l)) {
            kite_error_t *e = cur.error ? cur.error : kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off, "unexpected end");
            cur.error = NULL;
            return e;
        }
        const kir_valtype *lts = NULL;
        uint32_t n = 0;
        TRY(kval_label(c, l, &lts, &n));
        if (n != arity)
            return kval_cerr(c, "type mismatch: br_table targets have different arities (%u and %u)", n, arity);
        kval_frame *target = &c->ctl[c->nctl - 1 - l];
        if (target->stamp == c->off)
            continue; /* this label's types were already checked */
        target->stamp = c->off;
        for (uint32_t k = 1; k <= n; k++) {
            kir_valtype have = k <= avail ? c->vals[c->nvals - k] : kir_vt(KIR_BOT);
            if ((k > avail && !f->unreachable) || !kval_sub(c->v, have, lts[n - k])) {
                uint32_t shown = avail < n ? avail : n;
                return mismatch(c, "br_table", lts, n, c->vals + c->nvals - shown, shown);
            }
        }
    }
    TRY(kval_pop_types(c, dts, arity));
    kval_set_unreachable(c);
    return NULL;
}

/* ---- calls -------------------------------------------------------------------- */

static kite_error_t *func_type_of(kval_code *c, uint32_t x, const kir_type **out)
{
    if (x >= c->m->ntypes)
        return kval_cerr(c, "unknown type %u", x);
    if (c->m->types[x].comp != KIR_COMP_FUNC)
        return kval_cerr(c, "type mismatch: type %u is not a function type", x);
    *out = &c->m->types[x];
    return NULL;
}

/* Tail calls: the callee's results must match the caller's. */
static kite_error_t *check_tail(kval_code *c, const kir_type *t)
{
    const kir_valtype *rs = kir_type_results(t);
    bool ok = t->nresults == c->nresults;
    for (uint32_t i = 0; ok && i < t->nresults; i++)
        ok = kval_sub(c->v, rs[i], c->results[i]);
    if (!ok) {
        kval_sb a = {0}, b = {0};
        kval_sb_types(&a, c->results, c->nresults);
        kval_sb_types(&b, rs, t->nresults);
        return kval_cerr(c, "type mismatch: current function requires result type %s but callee returns %s",
                         a.buf, b.buf);
    }
    return NULL;
}

static kite_error_t *finish_call(kval_code *c, const kir_type *t, bool tail)
{
    if (tail)
        TRY(check_tail(c, t));
    TRY(kval_pop_types(c, t->types, t->nparams));
    if (tail) {
        kval_set_unreachable(c);
        return NULL;
    }
    return kval_push_types(c, kir_type_results(t), t->nresults);
}

static kite_error_t *op_call(kval_code *c, const kdec_instr *in, bool tail)
{
    uint32_t f = in->idx[0];
    if (f >= c->m->nfuncs)
        return kval_cerr(c, "unknown function %u", f);
    const kir_type *t = NULL;
    TRY(func_type_of(c, c->m->funcs[f].type, &t));
    return finish_call(c, t, tail);
}

static kite_error_t *op_call_indirect(kval_code *c, const kdec_instr *in, bool tail)
{
    uint32_t x = in->idx[0], ti = in->idx[1];
    if (ti >= c->m->ntables)
        return kval_cerr(c, "unknown table %u", ti);
    const kir_type *t = NULL;
    TRY(func_type_of(c, x, &t));
    const kir_table *tab = &c->m->tables[ti];
    if (!kval_sub(c->v, tab->elem, KIR_FUNCREF)) {
        kval_sb sb = {0};
        kval_sb_type(&sb, tab->elem);
        return kval_cerr(c, "type mismatch: instruction requires table of function type but table has element type %s",
                         sb.buf);
    }
    TRY(kval_pop(c, kval_addr(tab->limits.is64)));
    return finish_call(c, t, tail);
}

static kite_error_t *op_call_ref(kval_code *c, const kdec_instr *in, bool tail)
{
    const kir_type *t = NULL;
    TRY(func_type_of(c, in->idx[0], &t));
    TRY(kval_pop(c, kir_vt_ref(true, true, in->idx[0])));
    return finish_call(c, t, tail);
}

/* ---- variables ------------------------------------------------------------------ */

static bool local_lookup(const kval_code *c, uint32_t x, kir_valtype *t, uint32_t *tracked)
{
    if (x < c->nparams) {
        *t = c->params[x];
        *tracked = KIR_NONE;
        return true;
    }
    if (x >= c->nlocals)
        return false;
    uint32_t lo = 0, hi = c->ngroups; /* last group with first <= x */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->groups[mid].first <= x)
            lo = mid;
        else
            hi = mid;
    }
    const kval_lgroup *g = &c->groups[lo];
    *t = g->type;
    *tracked = g->tracked == KIR_NONE ? KIR_NONE : g->tracked + (x - g->first);
    return true;
}

static kite_error_t *set_local(kval_code *c, uint32_t tracked)
{
    if (tracked == KIR_NONE || c->init[tracked])
        return NULL;
    if (c->nundo == c->undocap &&
        !reserve(c->v->alloc, (void **)&c->undo, &c->undocap, c->nundo + 1, sizeof(uint32_t)))
        return kutil_error_oom();
    c->init[tracked] = 1;
    c->undo[c->nundo++] = tracked;
    return NULL;
}

static kite_error_t *op_local(kval_code *c, const kdec_instr *in)
{
    kir_valtype t = 0;
    uint32_t tracked = 0;
    if (!local_lookup(c, in->idx[0], &t, &tracked))
        return kval_cerr(c, "unknown local %u", in->idx[0]);
    switch (in->op) {
    case KIR_OP_LOCAL_GET:
        if (tracked != KIR_NONE && !c->init[tracked])
            return kval_cerr(c, "uninitialized local %u", in->idx[0]);
        return kval_push(c, t);
    case KIR_OP_LOCAL_SET:
        TRY(kval_pop(c, t));
        return set_local(c, tracked);
    default: /* local.tee */
        TRY(kval_pop(c, t));
        TRY(set_local(c, tracked));
        return kval_push(c, t);
    }
}

static kite_error_t *op_global(kval_code *c, const kdec_instr *in)
{
    uint32_t x = in->idx[0];
    uint32_t n = c->konst ? c->nglobals : c->m->nglobals;
    if (x >= n)
        return kval_cerr(c, "unknown global %u", x);
    const kir_global *g = &c->m->globals[x];
    if (in->op == KIR_OP_GLOBAL_GET) {
        if (c->konst && g->mutable_)
            return kval_cerr(c, "constant expression required: global %u is mutable", x);
        return kval_push(c, g->type);
    }
    if (!g->mutable_)
        return kval_cerr(c, "immutable global %u", x);
    return kval_pop(c, g->type);
}

/* ---- parametric ----------------------------------------------------------------- */

static kite_error_t *op_select(kval_code *c, const kdec_instr *in)
{
    if (in->op == KIR_OP_SELECT_T) {
        if (in->count != 1)
            return kval_cerr(c, "invalid result arity %u", in->count);
        kir_valtype t = in->types[0];
        TRY(kval_check_valtype(c->v, t, c->m->ntypes, c->off));
        TRY(kval_pop(c, kir_vt(KIR_I32)));
        TRY(kval_pop(c, t));
        TRY(kval_pop(c, t));
        return kval_push(c, t);
    }
    kir_valtype t1 = 0, t2 = 0;
    TRY(kval_pop(c, kir_vt(KIR_I32)));
    TRY(kval_pop_any(c, &t2));
    TRY(kval_pop_any(c, &t1));
    kir_valtype t = kir_vt_kind(t1) == KIR_BOT ? t2 : t1;
    if (kir_vt_kind(t) != KIR_BOT && !kval_is_numvec(t)) {
        kval_sb sb = {0};
        kval_sb_type(&sb, t);
        return kval_cerr(c, "type mismatch: instruction requires numeric or vector type but stack has %s", sb.buf);
    }
    if (!kval_sub(c->v, t1, t) || !kval_sub(c->v, t2, t)) {
        kir_valtype have[2] = {t1, t2};
        kir_valtype want[2] = {t, t};
        return mismatch(c, "select", want, 2, have, 2);
    }
    return kval_push(c, t);
}

/* ---- exceptions (control part) ---------------------------------------------- */

static kite_error_t *tag_type(kval_code *c, uint32_t x, const kir_type **out)
{
    if (x >= c->m->ntags)
        return kval_cerr(c, "unknown tag %u", x);
    return func_type_of(c, c->m->tags[x].type, out);
}

static kite_error_t *check_catch(kval_code *c, kdec_catch_kind kind, uint32_t tag, uint32_t label)
{
    const kir_type *t = NULL;
    if (kind == KDEC_CATCH || kind == KDEC_CATCH_REF)
        TRY(tag_type(c, tag, &t));
    const kir_valtype *lts = NULL;
    uint32_t nl = 0;
    TRY(kval_label(c, label, &lts, &nl));
    uint32_t np = t ? t->nparams : 0;
    bool ref = kind == KDEC_CATCH_REF || kind == KDEC_CATCH_ALL_REF;
    bool ok = nl == np + (ref ? 1u : 0u);
    for (uint32_t i = 0; ok && i < np; i++)
        ok = kval_sub(c->v, t->types[i], lts[i]);
    if (ok && ref)
        ok = kval_sub(c->v, kir_vt_ref(false, false, KIR_HEAP_EXN), lts[np]);
    if (!ok) {
        kval_sb a = {0};
        kval_sb_types(&a, lts, nl);
        return kval_cerr(c, "type mismatch: catch handler's values do not match label %u of type %s", label, a.buf);
    }
    return NULL;
}

static kite_error_t *op_try_table(kval_code *c, const kdec_instr *in)
{
    uint32_t type = 0;
    kir_valtype single = 0;
    TRY(block_type(c, &in->bt, &type, &single));
    kdec_reader cur;
    kdec_list_reader(&c->r, in, &cur);
    for (uint32_t i = 0; i < in->count; i++) {
        kdec_catch_kind kind;
        uint32_t tag = 0, label;
        if (!kdec_catch_next(&cur, &kind, &tag, &label)) {
            kite_error_t *e = cur.error ? cur.error : kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off, "unexpected end");
            cur.error = NULL;
            return e;
        }
        TRY(check_catch(c, kind, tag, label));
    }
    return enter_block(c, KVAL_F_TRY_TABLE, type, single);
}

static kite_error_t *malformed(kval_code *c, const char *what)
{
    return kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off, "%s", what);
}

static kite_error_t *op_legacy(kval_code *c, const kdec_instr *in)
{
    kval_frame *f = top_frame(c);
    switch (in->op) {
    case KIR_OP_CATCH: {
        if (f->kind != KVAL_F_TRY && f->kind != KVAL_F_CATCH)
            return malformed(c, "unexpected token: catch outside of a try block");
        const kir_type *t = NULL;
        TRY(tag_type(c, in->idx[0], &t));
        TRY(next_clause(c, KVAL_F_CATCH));
        return kval_push_types(c, t->types, t->nparams);
    }
    case KIR_OP_CATCH_ALL:
        if (f->kind != KVAL_F_TRY && f->kind != KVAL_F_CATCH)
            return malformed(c, "unexpected token: catch_all outside of a try block");
        return next_clause(c, KVAL_F_CATCH_ALL);
    case KIR_OP_DELEGATE: {
        if (f->kind != KVAL_F_TRY)
            return malformed(c, "unexpected token: delegate outside of a try block");
        TRY(check_block_end(c));
        kval_frame saved = *f;
        reset_locals(c, saved.undo);
        c->nctl--;
        if (in->idx[0] >= c->nctl)
            return kval_cerr(c, "unknown label %u", in->idx[0]);
        const kir_valtype *ts = NULL;
        uint32_t n = 0;
        frame_results(c->m, &saved, &ts, &n);
        return kval_push_types(c, ts, n);
    }
    default: { /* rethrow */
        uint32_t l = in->idx[0];
        if (l >= c->nctl)
            return kval_cerr(c, "unknown label %u", l);
        uint8_t k = c->ctl[c->nctl - 1 - l].kind;
        if (k != KVAL_F_CATCH && k != KVAL_F_CATCH_ALL)
            return kval_cerr(c, "invalid rethrow label %u", l);
        kval_set_unreachable(c);
        return NULL;
    }
    }
}

/* ---- generic instructions ------------------------------------------------------- */

static unsigned log2_width(unsigned w)
{
    unsigned n = 0;
    while ((1u << n) < w)
        n++;
    return n;
}

/* Lanes of a lane instruction, from its shape prefix ("i8x16." etc.). */
static unsigned lanes_of(const char *mnemonic)
{
    static const struct {
        const char *prefix;
        unsigned lanes;
    } shapes[] = {{"i8x16", 16}, {"i16x8", 8}, {"i32x4", 4}, {"i64x2", 2}, {"f32x4", 4}, {"f64x2", 2}};
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        if (strncmp(mnemonic, shapes[i].prefix, strlen(shapes[i].prefix)) == 0)
            return shapes[i].lanes;
    return 16;
}

static kite_error_t *check_memory(kval_code *c, uint32_t x, bool *is64)
{
    if (x >= c->m->nmemories)
        return kval_cerr(c, "unknown memory %u", x);
    *is64 = c->m->memories[x].limits.is64;
    return NULL;
}

static kite_error_t *check_memarg(kval_code *c, const kdec_instr *in, const kir_opinfo *oi, bool *is64)
{
    TRY(check_memory(c, in->memidx, is64));
    unsigned natural = log2_width(oi->width);
    if (oi->prefix == KIR_PREFIX_FE) {
        if (in->align != natural)
            return kval_cerr(c, "atomic alignment must be natural (%u bytes)", 1u << natural);
    } else if (in->align > natural) {
        return kval_cerr(c, "alignment must not be larger than natural");
    }
    if (!*is64 && in->memoffset > UINT32_MAX)
        return kval_cerr(c, "offset out of range");
    if (oi->imm == KIR_IMM_MEMARG_LANE && in->lane >= 16u / oi->width)
        return kval_cerr(c, "invalid lane index %u", in->lane);
    return NULL;
}

kite_error_t *kval_check_data(kval_code *c, uint32_t x)
{
    const kir_module *m = c->m;
    if (!m->has_data_count)
        return kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off, "data count section required");
    if (x >= m->ndatas)
        return kval_cerr(c, "unknown data segment %u", x);
    return NULL;
}

/* The value types of the opcode table's signature kinds (KIR_SIG_*). */
static const kir_kind sig_kinds[] = {KIR_I32, KIR_I64, KIR_F32, KIR_F64, KIR_V128};
_Static_assert(sizeof(sig_kinds) / sizeof(sig_kinds[0]) == KIR_SIG_V128 + 1,
               "one kind per KIR_SIG_*");

static kite_error_t *op_generic(kval_code *c, const kdec_instr *in, const kir_opinfo *oi)
{
    bool is64 = false;
    switch (oi->imm) {
    case KIR_IMM_MEMARG:
    case KIR_IMM_MEMARG_LANE: TRY(check_memarg(c, in, oi, &is64)); break;
    case KIR_IMM_MEM: TRY(check_memory(c, in->idx[0], &is64)); break;
    case KIR_IMM_LANE:
        if (in->lane >= lanes_of(oi->mnemonic))
            return kval_cerr(c, "invalid lane index %u", in->lane);
        break;
    case KIR_IMM_SHUFFLE:
        for (int i = 0; i < 16; i++)
            if (in->bytes[i] >= 32)
                return kval_cerr(c, "invalid lane index %u", in->bytes[i]);
        break;
    case KIR_IMM_DATA: TRY(kval_check_data(c, in->idx[0])); break;
    case KIR_IMM_ELEM:
        if (in->idx[0] >= c->m->nelems)
            return kval_cerr(c, "unknown elem segment %u", in->idx[0]);
        break;
    default: break;
    }
    /* The signature, packed at compile time (kir_op_sig). */
    uint64_t w = kir_op_sig[in->op];
    uint32_t np = kir_sig_nparams(w), n = np + kir_sig_nresults(w);
    kir_valtype ts[KIR_SIG_MAX_TYPES];
    for (uint32_t i = 0; i < n; i++)
        ts[i] =
            is64 && kir_sig_addr(w, i) ? kir_vt(KIR_I64) : kir_vt(sig_kinds[kir_sig_kind(w, i)]);
    TRY(kval_pop_types(c, ts, np));
    for (uint32_t i = np; i < n; i++)
        TRY(kval_push(c, ts[i]));
    return NULL;
}

/* ---- dispatch ------------------------------------------------------------------- */

static kite_error_t *step(kval_code *c, const kdec_instr *in)
{
    const kir_opinfo *oi = kir_op_info(in->op);
    const struct kite_config *cfg = c->v->config;
    if (oi->feature != KIR_FEATURE_CORE && cfg && !kir_feature(cfg, (kite_feature_t)oi->feature))
        return kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off, "illegal opcode: %s (feature %s disabled)",
                               oi->mnemonic, kite_feature_name((kite_feature_t)oi->feature));
    if (c->konst && !(oi->flags & KIR_OPF_CONST) && in->op != KIR_OP_END)
        return kval_cerr(c, "constant expression required: %s is not constant", oi->mnemonic);
    uint32_t type = 0;
    kir_valtype single = 0;
    switch (in->op) {
    case KIR_OP_UNREACHABLE: kval_set_unreachable(c); return NULL;
    case KIR_OP_BLOCK:
    case KIR_OP_LOOP:
    case KIR_OP_TRY:
        TRY(block_type(c, &in->bt, &type, &single));
        return enter_block(c, in->op == KIR_OP_BLOCK ? KVAL_F_BLOCK : in->op == KIR_OP_LOOP ? KVAL_F_LOOP : KVAL_F_TRY,
                           type, single);
    case KIR_OP_IF:
        TRY(block_type(c, &in->bt, &type, &single));
        TRY(kval_pop(c, kir_vt(KIR_I32)));
        return enter_block(c, KVAL_F_IF, type, single);
    case KIR_OP_ELSE: {
        if (top_frame(c)->kind != KVAL_F_IF)
            return malformed(c, "END opcode expected: else without if");
        TRY(next_clause(c, KVAL_F_ELSE));
        const kir_valtype *ps = NULL;
        uint32_t np = 0;
        frame_params(c->m, top_frame(c), &ps, &np);
        return kval_push_types(c, ps, np);
    }
    case KIR_OP_END: return op_end(c);
    case KIR_OP_BR:
    case KIR_OP_BR_IF: {
        const kir_valtype *ts = NULL;
        uint32_t n = 0;
        TRY(kval_label(c, in->idx[0], &ts, &n));
        if (in->op == KIR_OP_BR_IF)
            TRY(kval_pop(c, kir_vt(KIR_I32)));
        TRY(kval_pop_types(c, ts, n));
        if (in->op == KIR_OP_BR) {
            kval_set_unreachable(c);
            return NULL;
        }
        return kval_push_types(c, ts, n);
    }
    case KIR_OP_BR_TABLE: return op_br_table(c, in);
    case KIR_OP_RETURN:
        TRY(kval_pop_types(c, c->results, c->nresults));
        kval_set_unreachable(c);
        return NULL;
    case KIR_OP_CALL: return op_call(c, in, false);
    case KIR_OP_RETURN_CALL: return op_call(c, in, true);
    case KIR_OP_CALL_INDIRECT: return op_call_indirect(c, in, false);
    case KIR_OP_RETURN_CALL_INDIRECT: return op_call_indirect(c, in, true);
    case KIR_OP_CALL_REF: return op_call_ref(c, in, false);
    case KIR_OP_RETURN_CALL_REF: return op_call_ref(c, in, true);
    case KIR_OP_TRY_TABLE: return op_try_table(c, in);
    case KIR_OP_CATCH:
    case KIR_OP_CATCH_ALL:
    case KIR_OP_DELEGATE:
    case KIR_OP_RETHROW: return op_legacy(c, in);
    case KIR_OP_THROW: {
        const kir_type *t = NULL;
        TRY(tag_type(c, in->idx[0], &t));
        TRY(kval_pop_types(c, t->types, t->nparams));
        kval_set_unreachable(c);
        return NULL;
    }
    case KIR_OP_LOCAL_GET:
    case KIR_OP_LOCAL_SET:
    case KIR_OP_LOCAL_TEE: return op_local(c, in);
    case KIR_OP_GLOBAL_GET:
    case KIR_OP_GLOBAL_SET: return op_global(c, in);
    case KIR_OP_DROP: {
        kir_valtype t = 0;
        return kval_pop_any(c, &t);
    }
    case KIR_OP_SELECT:
    case KIR_OP_SELECT_T: return op_select(c, in);
    case KIR_OP_I32_CONST:
    case KIR_OP_I64_CONST:
    case KIR_OP_F32_CONST:
    case KIR_OP_F64_CONST:
    case KIR_OP_REF_NULL: c->nconst_instrs++; break;
    case KIR_OP_V128_CONST: c->nconst_instrs += 2; break; /* two pool slots */
    default: break;
    }
    if (oi->sig)
        return op_generic(c, in, oi);
    kite_error_t *err = NULL;
    if (kval_check_op(c, in, &err))
        return err;
    return kval_cerr(c, "unknown operator %s", oi->mnemonic);
}

/* Walk the code until the outermost frame ends. */
static kite_error_t *run(kval_code *c)
{
    while (c->nctl > 0) {
        if (kdec_at_end(&c->r)) {
            c->off = kdec_offset(&c->r);
            return kval_error_kind(c->v, KITE_ERROR_MALFORMED, c->off,
                                   "unexpected end of section or function: END opcode expected");
        }
        kdec_instr in;
        if (!kdec_instr_read(&c->r, &in)) {
            kite_error_t *e = c->r.error;
            c->r.error = NULL;
            return e ? e : kval_error_kind(c->v, KITE_ERROR_MALFORMED, kdec_offset(&c->r), "malformed instruction");
        }
        c->off = in.offset;
        TRY(step(c, &in));
    }
    if (!kdec_at_end(&c->r))
        return kval_error_kind(c->v, KITE_ERROR_MALFORMED, kdec_offset(&c->r),
                               "section size mismatch: instructions after the end of the function");
    return NULL;
}

/* ---- entry points --------------------------------------------------------------- */

static kite_error_t *code_state(kval_ctx *v, kval_code **out)
{
    if (!v->code) {
        v->code = kutil_calloc(v->alloc, 1, sizeof(kval_code));
        if (!v->code)
            return kutil_error_oom();
    }
    kval_code *c = v->code;
    /* The value stack always exists, so that views into it (error
     * messages over its top k entries) never start from a NULL pointer. */
    if (!reserve(v->alloc, (void **)&c->vals, &c->vcap, 64, sizeof(kir_valtype)))
        return kutil_error_oom();
    c->v = v;
    c->m = v->m;
    c->nvals = c->nctl = c->ngroups = c->nundo = c->max = c->nconst_instrs = 0;
    c->nparams = c->nlocals = 0;
    c->params = NULL;
    c->konst = false;
    c->nglobals = 0;
    c->off = 0;
    *out = c;
    return NULL;
}

/* Set up the locals of function `f` with type `t`. */
static kite_error_t *setup_locals(kval_code *c, const kir_func *f, const kir_type *t)
{
    c->params = t->types;
    c->nparams = t->nparams;
    uint64_t next = t->nparams, tracked = 0;
    if (!reserve(c->v->alloc, (void **)&c->groups, &c->gcap, f->nlocal_groups, sizeof(kval_lgroup)))
        return kutil_error_oom();
    for (uint32_t i = 0; i < f->nlocal_groups; i++) {
        const kir_local_group *lg = &f->local_groups[i];
        TRY(kval_check_valtype(c->v, lg->type, c->m->ntypes, f->body.offset));
        if (kval_is_packed(lg->type))
            return kval_cerr(c, "type mismatch: packed local type");
        if (lg->count == 0)
            continue;
        kval_lgroup *g = &c->groups[c->ngroups++];
        g->first = (uint32_t)next;
        g->count = lg->count;
        g->type = lg->type;
        g->tracked = KIR_NONE;
        if (!kval_defaultable(lg->type)) {
            g->tracked = (uint32_t)tracked;
            tracked += lg->count;
        }
        next += lg->count;
        if (next > UINT32_MAX || tracked > KVAL_MAX_TRACKED_LOCALS)
            return kval_error_kind(c->v, KITE_ERROR_LIMIT, f->body.offset, "too many locals");
    }
    c->nlocals = (uint32_t)next;
    if (!reserve(c->v->alloc, (void **)&c->init, &c->initcap, (uint32_t)tracked, 1))
        return kutil_error_oom();
    if (tracked)
        memset(c->init, 0, (size_t)tracked);
    return NULL;
}

kite_error_t *kval_check_body(kval_ctx *v, uint32_t funcidx)
{
    kval_code *c = NULL;
    TRY(code_state(v, &c));
    kir_func *f = &v->m->funcs[funcidx];
    const kir_type *t = &v->m->types[f->type];
    c->off = f->body.offset;
    TRY(setup_locals(c, f, t));
    c->results = kir_type_results(t);
    c->nresults = t->nresults;
    kdec_reader_init(&c->r, v->alloc, f->body.code, f->body.len, f->body.offset);
    TRY(push_frame(c, KVAL_F_FUNC, f->type, 0));
    TRY(run(c));
    f->max_stack = c->max;
    f->const_instrs = c->nconst_instrs;
    return NULL;
}

kite_error_t *kval_check_const(kval_ctx *v, const kir_expr *e, kir_valtype t, uint32_t nglobals)
{
    kval_code *c = NULL;
    TRY(code_state(v, &c));
    c->konst = true;
    c->nglobals = nglobals;
    c->results = NULL;
    c->nresults = 0;
    c->off = e->offset;
    kdec_reader_init(&c->r, v->alloc, e->code, e->len, e->offset);
    TRY(push_frame(c, KVAL_F_FUNC, KIR_NONE, t));
    return run(c);
}

void kval_code_free(kval_ctx *v)
{
    kval_code *c = v->code;
    if (!c)
        return;
    kutil_free(v->alloc, c->vals);
    kutil_free(v->alloc, c->ctl);
    kutil_free(v->alloc, c->groups);
    kutil_free(v->alloc, c->init);
    kutil_free(v->alloc, c->undo);
    kutil_free(v->alloc, c);
    v->code = NULL;
}
