/*
 * The code generator's driver: decoding and analysing a function's
 * translated code, its frame (prologue, epilogue, pinned locals), the
 * register cache, control flow and calls. codegen_ops.c has the numeric,
 * memory and variable instructions. docs/JIT.md describes the conventions.
 */
#include "jit/codegen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/opcodes.h"
#include "jit/helpers.h"
#include "util/alloc.h"

#define TH(f) kjit_m(KJIT_R_TH, (int32_t)offsetof(kint_thread, f))
#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))
#define REC(r, f) kjit_m((r), (int32_t)offsetof(kint_frame, f))

static const kjit_reg g_tmp_gprs[KJIT_NTMP_GPRS] = KJIT_TMP_GPRS;
static const kjit_reg g_tmp_fprs[KJIT_NTMP_FPRS] = KJIT_TMP_FPRS;
static const kjit_reg g_pin_gprs[KJIT_NPIN_GPRS] = KJIT_PIN_GPRS;
static const kjit_reg g_pin_fprs[KJIT_NPIN_FPRS] = KJIT_PIN_FPRS;

void kjit_fail(kjit_cg *cg, const char *fmt, ...)
{
    if (!cg->u->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cg->u->error, sizeof(cg->u->error), fmt, ap);
        va_end(ap);
    }
    cg->failed = true;
}

uint32_t kjit_fld(kjit_cg *cg, kint_fname name)
{
    const kint_field *f = kint_layout_field(cg->op, name);
    if (!f) {
        kjit_fail(cg, "internal error: %s has no operand %u", kint_ops[cg->op].name, (unsigned)name);
        return 0;
    }
    return (uint32_t)kint_layout_get(cg->w + cg->pos, f);
}

uint64_t kjit_fld64(kjit_cg *cg, kint_fname name)
{
    const kint_field *f = kint_layout_field(cg->op, name);
    if (!f) {
        kjit_fail(cg, "internal error: %s has no operand %u", kint_ops[cg->op].name, (unsigned)name);
        return 0;
    }
    return kint_layout_get(cg->w + cg->pos, f);
}

kjit_label kjit_ool_add(kjit_cg *cg, uint8_t kind, uint32_t a, uint32_t b, kjit_label resume)
{
    if (cg->nool == cg->oolcap) {
        uint32_t cap = cg->oolcap ? cg->oolcap * 2 : 32;
        kjit_ool *p = kutil_realloc(cg->m->alloc, cg->ool, (size_t)cap * sizeof(*p));
        if (!p) {
            cg->m->oom = true;
            return 0;
        }
        cg->ool = p;
        cg->oolcap = cap;
    }
    kjit_label l = kjit_label_new(cg->m);
    cg->ool[cg->nool++] = (kjit_ool){l, resume, kind, a, b};
    return l;
}

kjit_label kjit_trap_label(kjit_cg *cg, kite_trap_kind_t kind)
{
    return kjit_ool_add(cg, KJIT_OOL_TRAP, (uint32_t)kind, cg->pos, 0);
}

void kjit_trap_if(kjit_cg *cg, kjit_cond c, kite_trap_kind_t kind)
{
    kjit_jcc(cg->m, c, kjit_trap_label(cg, kind));
}

/* ---- temporaries and the slot cache ----------------------------------------------------------- */

/*
 * Temporaries cache slots write-back: a result stays in its register
 * (dirty) until the register is needed for something else, or control
 * leaves the straight-line code (a branch, a label, a call), when every
 * dirty temporary is stored. A value overwritten before then is never
 * stored at all. Registers of the pinned sets the function does not use
 * serve as temporaries too.
 */

static bool is_const(const kjit_cg *cg, uint32_t s) { return s >= cg->cbase && s < cg->cend; }
static uint64_t const_of(const kjit_cg *cg, uint32_t s) { return cg->code->consts[s - cg->cbase]; }

static bool is_fpin(const kjit_cg *cg, uint32_t s)
{
    return cg->pin[s] != KJIT_NOREG && cg->cls[s] != KJIT_CLASS_GPR;
}
static bool is_gpin(const kjit_cg *cg, uint32_t s)
{
    return cg->pin[s] != KJIT_NOREG && cg->cls[s] == KJIT_CLASS_GPR;
}

bool kjit_pinned(const kjit_cg *cg, uint32_t s) { return cg->pin[s] != KJIT_NOREG; }

bool kjit_const(const kjit_cg *cg, uint32_t s, uint64_t *v)
{
    if (!is_const(cg, s))
        return false;
    *v = const_of(cg, s);
    return true;
}

static bool is_gtmp(const kjit_cg *cg, kjit_reg r) { return r < KJIT_NGPR && ((cg->gtmps >> r) & 1u); }
static bool is_ftmp(const kjit_cg *cg, kjit_reg r) { return r < KJIT_NFPR && ((cg->ftmps >> r) & 1u); }

static void store_gtmp(kjit_cg *cg, kjit_reg r)
{
    kjit_mov(cg->m, 64, SLOT(cg->gslot[r]), kjit_r(r));
    cg->gdirty &= ~(1u << r);
}

/* Slots hold f32 bits zero-extended (the translator drops
 * i64.extend_i32_u and the reinterprets on that promise), and a 32-bit
 * store leaves the slot's high half as it was: clear it too. */
static void store_fslot(kjit_cg *cg, unsigned p, uint32_t s, kjit_reg r)
{
    kjit_fmov(cg->m, p, SLOT(s), kjit_r(r));
    if (p == 32)
        kjit_mov(cg->m, 32, kjit_m(KJIT_R_FP, (int32_t)(s * 8u + 4u)), kjit_i(0));
}

static void store_ftmp(kjit_cg *cg, kjit_reg r)
{
    if (cg->fwidth[r] == 128) /* a v128: slots s and s + 1 (codegen_simd.c) */
        kjit_vmov(cg->m, SLOT(cg->fslot[r]), kjit_r(r));
    else
        store_fslot(cg, cg->fwidth[r], cg->fslot[r], r);
    cg->fdirty &= ~(1u << r);
}

/* Whether float temporary r caches slot s (a v128 covers two). */
static bool fcovers(const kjit_cg *cg, kjit_reg r, uint32_t s)
{
    return cg->fslot[r] == s || (cg->fwidth[r] == 128 && cg->fslot[r] != KJIT_NONE && cg->fslot[r] + 1 == s);
}

/* Stores every dirty temporary (before control leaves straight-line code). */
static void flush_all(kjit_cg *cg)
{
    for (kjit_reg r = 0; r < KJIT_NGPR; r++)
        if ((cg->gdirty >> r) & 1u)
            store_gtmp(cg, r);
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if ((cg->fdirty >> r) & 1u)
            store_ftmp(cg, r);
}

void kjit_flush(kjit_cg *cg) { flush_all(cg); }

/* Stores the dirty temporaries whose slot is live where control goes next
 * (block starts t1 and t2, KJIT_NONE for none); the others are dead
 * there: they are forgotten without a store. */
static void flush_live(kjit_cg *cg, uint32_t t1, uint32_t t2)
{
    for (kjit_reg r = 0; r < KJIT_NGPR; r++) {
        if (!((cg->gdirty >> r) & 1u))
            continue;
        uint32_t s = cg->gslot[r];
        if ((t1 != KJIT_NONE && kjit_live_at(cg, t1, s)) || (t2 != KJIT_NONE && kjit_live_at(cg, t2, s))) {
            store_gtmp(cg, r);
        } else {
            cg->gdirty &= ~(1u << r);
            cg->gslot[r] = KJIT_NONE;
        }
    }
    for (kjit_reg r = 0; r < KJIT_NFPR; r++) {
        if (!((cg->fdirty >> r) & 1u))
            continue;
        uint32_t s = cg->fslot[r];
        bool two = cg->fwidth[r] == 128;
        if ((t1 != KJIT_NONE && (kjit_live_at(cg, t1, s) || (two && kjit_live_at(cg, t1, s + 1)))) ||
            (t2 != KJIT_NONE && (kjit_live_at(cg, t2, s) || (two && kjit_live_at(cg, t2, s + 1))))) {
            store_ftmp(cg, r);
        } else {
            cg->fdirty &= ~(1u << r);
            cg->fslot[r] = KJIT_NONE;
        }
    }
}

/* Forgets every temporary's slot (after flush_all: at labels, after calls). */
static void forget_all(kjit_cg *cg)
{
    for (int i = 0; i < KJIT_NGPR; i++)
        cg->gslot[i] = KJIT_NONE;
    for (int i = 0; i < KJIT_NFPR; i++)
        cg->fslot[i] = KJIT_NONE;
    cg->gdirty = cg->fdirty = 0;
}

/* Slot s gets a new value (written to memory before or after this call):
 * no temporary holds it any more (a dirty old value is dropped, never
 * stored; of a dirty v128, the other half is stored, which keeps its value). */
static void forget_slot(kjit_cg *cg, uint32_t s)
{
    for (kjit_reg r = 0; r < KJIT_NGPR; r++)
        if (cg->gslot[r] == s) {
            cg->gslot[r] = KJIT_NONE;
            cg->gdirty &= ~(1u << r);
        }
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (fcovers(cg, r, s)) {
            if (cg->fwidth[r] == 128 && ((cg->fdirty >> r) & 1u)) {
                if (cg->fslot[r] == s) { /* the high half */
                    kjit_vshuf32(cg->m, KJIT_MASM_FSCRATCH, r, 0xEE);
                    kjit_fmov(cg->m, 64, SLOT(s + 1), kjit_r(KJIT_MASM_FSCRATCH));
                } else {
                    kjit_fmov(cg->m, 64, SLOT(s - 1), kjit_r(r));
                }
            }
            cg->fslot[r] = KJIT_NONE;
            cg->fdirty &= ~(1u << r);
        }
}

/* Slot s is about to be read from memory: store a dirty copy of it. */
static void flush_slot(kjit_cg *cg, uint32_t s)
{
    for (kjit_reg r = 0; r < KJIT_NGPR; r++)
        if (cg->gslot[r] == s && ((cg->gdirty >> r) & 1u))
            store_gtmp(cg, r);
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (fcovers(cg, r, s) && ((cg->fdirty >> r) & 1u))
            store_ftmp(cg, r);
}

void kjit_flush_slot(kjit_cg *cg, uint32_t s) { flush_slot(cg, s); }
void kjit_forget_slot(kjit_cg *cg, uint32_t s) { forget_slot(cg, s); }

void kjit_gclobber(kjit_cg *cg, kjit_reg r)
{
    if (r >= KJIT_NGPR)
        return;
    if ((cg->gdirty >> r) & 1u)
        store_gtmp(cg, r);
    cg->gslot[r] = KJIT_NONE;
}

/* A temporary of `set` (mask) that is not busy: an empty one, else a
 * clean one, else a dirty one (the caller stores it first). */
static kjit_reg pick(uint32_t set, uint32_t busy, const uint32_t *slot, uint32_t dirty, int nregs)
{
    kjit_reg best = KJIT_NOREG;
    int rank = 3;
    for (kjit_reg r = 0; r < nregs; r++) {
        if (!((set >> r) & 1u) || ((busy >> r) & 1u))
            continue;
        int k = slot[r] == KJIT_NONE ? 0 : ((dirty >> r) & 1u) ? 2 : 1;
        if (k < rank) {
            rank = k;
            best = r;
        }
    }
    return best;
}

kjit_reg kjit_gtmp(kjit_cg *cg)
{
    kjit_reg r = pick(cg->gtmps, cg->busy, cg->gslot, cg->gdirty, KJIT_NGPR);
    if (r == KJIT_NOREG) {
        kjit_fail(cg, "internal error: out of temporary registers in %s", kint_ops[cg->op].name);
        return KJIT_RAX;
    }
    kjit_gclobber(cg, r);
    cg->busy |= 1u << r;
    return r;
}

kjit_reg kjit_ftmp(kjit_cg *cg)
{
    kjit_reg r = pick(cg->ftmps, cg->fbusy, cg->fslot, cg->fdirty, KJIT_NFPR);
    if (r == KJIT_NOREG) {
        kjit_fail(cg, "internal error: out of float temporaries in %s", kint_ops[cg->op].name);
        return KJIT_X0;
    }
    if ((cg->fdirty >> r) & 1u)
        store_ftmp(cg, r);
    cg->fslot[r] = KJIT_NONE;
    cg->fbusy |= 1u << r;
    return r;
}

/* The temporary holding slot s (as an integer: any width, since a 32-bit
 * value is kept zero-extended), marked busy; NOREG if none. */
/* The temporary caching slot s, if it holds at least w bits of it: a
 * 64-bit slot read as 32 bits (an i64 shift's count) leaves a register
 * with only its low half, which a later 64-bit read must not take for the
 * whole value. */
static kjit_reg gcached(kjit_cg *cg, uint32_t s, unsigned w)
{
    for (kjit_reg r = 0; r < KJIT_NGPR; r++)
        if (cg->gslot[r] == s && is_gtmp(cg, r)) {
            if (cg->gwidth[r] < w) {
                kjit_gclobber(cg, r);
                continue;
            }
            cg->busy |= 1u << r;
            return r;
        }
    return KJIT_NOREG;
}

static kjit_reg fcached(kjit_cg *cg, uint32_t s, unsigned p)
{
    for (kjit_reg r = 0; r < KJIT_NFPR; r++)
        if (cg->fslot[r] == s && cg->fwidth[r] == p && is_ftmp(cg, r)) {
            cg->fbusy |= 1u << r;
            return r;
        }
    return KJIT_NOREG;
}

kjit_reg kjit_gin(kjit_cg *cg, uint32_t s, unsigned w)
{
    if (is_gpin(cg, s))
        return cg->pin[s];
    if (is_fpin(cg, s)) {
        kjit_reg r = kjit_gtmp(cg);
        kjit_mov_f2i(cg->m, w, r, cg->pin[s]);
        return r;
    }
    kjit_reg r = gcached(cg, s, w);
    if (r != KJIT_NOREG)
        return r;
    flush_slot(cg, s);
    r = kjit_gtmp(cg);
    if (is_const(cg, s))
        kjit_mov(cg->m, w, kjit_r(r), kjit_i((int64_t)const_of(cg, s)));
    else
        kjit_mov(cg->m, w, kjit_r(r), SLOT(s));
    cg->gslot[r] = s;
    cg->gwidth[r] = (uint8_t)w;
    return r;
}

kjit_opnd kjit_gopnd(kjit_cg *cg, uint32_t s, unsigned w)
{
    if (is_gpin(cg, s))
        return kjit_r(cg->pin[s]);
    if (is_fpin(cg, s))
        return kjit_r(kjit_gin(cg, s, w));
    kjit_reg r = gcached(cg, s, w);
    if (r != KJIT_NOREG)
        return kjit_r(r);
    if (is_const(cg, s)) {
        int64_t v = (int64_t)const_of(cg, s);
        if (w == 32 || (v >= INT32_MIN && v <= INT32_MAX))
            return kjit_i(v);
        return kjit_r(kjit_gin(cg, s, w));
    }
    flush_slot(cg, s);
    return SLOT(s);
}

kjit_reg kjit_gout(kjit_cg *cg, uint32_t s)
{
    if (is_gpin(cg, s))
        return cg->pin[s];
    return kjit_gtmp(cg);
}

kjit_reg kjit_gout_reuse(kjit_cg *cg, uint32_t s, kjit_reg r)
{
    if (cg->pin[s] != KJIT_NOREG || !is_gtmp(cg, r))
        return kjit_gout(cg, s);
    if (cg->gslot[r] == s)
        cg->gdirty &= ~(1u << r); /* the old value of s, about to be replaced */
    kjit_gclobber(cg, r);
    return r;
}

void kjit_gdone(kjit_cg *cg, uint32_t s, kjit_reg r, unsigned w)
{
    forget_slot(cg, s);
    if (is_gpin(cg, s)) { /* (r is the pin when it came from kjit_gdst) */
        if (r != cg->pin[s])
            kjit_mov(cg->m, 64, kjit_r(cg->pin[s]), kjit_r(r));
        return;
    }
    if (is_fpin(cg, s)) { /* an integer result into a float local: raw bits */
        kjit_mov_i2f(cg->m, 64, cg->pin[s], r);
        return;
    }
    if (!is_gtmp(cg, r)) {
        kjit_mov(cg->m, 64, SLOT(s), kjit_r(r));
        return;
    }
    cg->gslot[r] = s;
    cg->gwidth[r] = (uint8_t)w;
    cg->gdirty |= 1u << r;
}

kjit_reg kjit_fin(kjit_cg *cg, uint32_t s, unsigned p)
{
    if (is_fpin(cg, s))
        return cg->pin[s];
    kjit_reg r;
    if (is_gpin(cg, s)) {
        r = kjit_ftmp(cg);
        kjit_mov_i2f(cg->m, p, r, cg->pin[s]);
        return r;
    }
    r = fcached(cg, s, p);
    if (r != KJIT_NOREG)
        return r;
    flush_slot(cg, s);
    r = kjit_ftmp(cg);
    kjit_fmov(cg->m, p, kjit_r(r), SLOT(s)); /* constants are in their slots too */
    cg->fslot[r] = s;
    cg->fwidth[r] = (uint8_t)p;
    return r;
}

kjit_opnd kjit_fopnd(kjit_cg *cg, uint32_t s, unsigned p)
{
    if (is_fpin(cg, s) || is_gpin(cg, s))
        return kjit_r(kjit_fin(cg, s, p));
    kjit_reg r = fcached(cg, s, p);
    if (r != KJIT_NOREG)
        return kjit_r(r);
    flush_slot(cg, s);
    return SLOT(s);
}

kjit_reg kjit_fout(kjit_cg *cg, uint32_t s)
{
    if (is_fpin(cg, s))
        return cg->pin[s];
    return kjit_ftmp(cg);
}

kjit_reg kjit_fout_reuse(kjit_cg *cg, uint32_t s, kjit_reg r)
{
    if (cg->pin[s] != KJIT_NOREG || !is_ftmp(cg, r))
        return kjit_fout(cg, s);
    if (cg->fslot[r] == s)
        cg->fdirty &= ~(1u << r); /* the old value of s, about to be replaced */
    if ((cg->fdirty >> r) & 1u)
        store_ftmp(cg, r);
    cg->fslot[r] = KJIT_NONE;
    return r;
}

void kjit_fdone(kjit_cg *cg, uint32_t s, kjit_reg r, unsigned p)
{
    forget_slot(cg, s);
    if (is_fpin(cg, s)) { /* (r is the pin when it came from kjit_fdst) */
        if (r != cg->pin[s])
            kjit_fmov(cg->m, 64, kjit_r(cg->pin[s]), kjit_r(r));
        return;
    }
    if (is_gpin(cg, s)) {
        kjit_mov_f2i(cg->m, p, cg->pin[s], r);
        return;
    }
    cg->fslot[r] = s;
    cg->fwidth[r] = (uint8_t)p;
    cg->fdirty |= 1u << r;
}

kjit_reg kjit_fconst(kjit_cg *cg, unsigned p, uint64_t bits)
{
    kjit_reg g = kjit_gtmp(cg);
    kjit_reg f = kjit_ftmp(cg);
    kjit_mov(cg->m, 64, kjit_r(g), kjit_i((int64_t)bits));
    kjit_mov_i2f(cg->m, p, f, g);
    return f;
}

kjit_reg kjit_raw_in(kjit_cg *cg, uint32_t s)
{
    if (is_fpin(cg, s)) {
        kjit_reg r = kjit_gtmp(cg);
        kjit_mov_f2i(cg->m, cg->cls[s] == KJIT_CLASS_F32 ? 32 : 64, r, cg->pin[s]);
        return r;
    }
    return kjit_gin(cg, s, 64);
}

void kjit_raw_done(kjit_cg *cg, uint32_t s, kjit_reg r)
{
    if (is_fpin(cg, s)) {
        forget_slot(cg, s);
        kjit_mov_i2f(cg->m, cg->cls[s] == KJIT_CLASS_F32 ? 32 : 64, cg->pin[s], r);
        return;
    }
    if (is_gpin(cg, s)) {
        forget_slot(cg, s);
        kjit_mov(cg->m, 64, kjit_r(cg->pin[s]), kjit_r(r));
        return;
    }
    kjit_gdone(cg, s, r, 64);
}

void kjit_copy_slot(kjit_cg *cg, uint32_t dst, uint32_t src)
{
    if (dst == src)
        return;
    if (is_fpin(cg, dst) && is_fpin(cg, src)) {
        forget_slot(cg, dst);
        kjit_fmov(cg->m, 64, kjit_r(cg->pin[dst]), kjit_r(cg->pin[src]));
        return;
    }
    if (is_gpin(cg, dst) && !is_fpin(cg, src)) {
        kjit_opnd o = kjit_gopnd(cg, src, 64);
        forget_slot(cg, dst);
        kjit_mov(cg->m, 64, kjit_r(cg->pin[dst]), o);
        return;
    }
    if (is_fpin(cg, dst) || is_gpin(cg, dst)) {
        kjit_raw_done(cg, dst, kjit_raw_in(cg, src));
        return;
    }
    /* into memory: copies usually put values where a label expects them */
    if (is_const(cg, src)) {
        int64_t v = (int64_t)const_of(cg, src);
        forget_slot(cg, dst);
        if (v >= INT32_MIN && v <= INT32_MAX) {
            kjit_mov(cg->m, 64, SLOT(dst), kjit_i(v));
        } else {
            kjit_reg t = kjit_gtmp(cg);
            kjit_mov(cg->m, 64, kjit_r(t), kjit_i(v));
            kjit_mov(cg->m, 64, SLOT(dst), kjit_r(t));
        }
        return;
    }
    kjit_reg r = kjit_raw_in(cg, src);
    forget_slot(cg, dst);
    kjit_mov(cg->m, 64, SLOT(dst), kjit_r(r));
}

/* ---- C calls ------------------------------------------------------------------------------ */

static void store_pin(kjit_cg *cg, uint32_t s)
{
    switch (cg->cls[s]) {
    case KJIT_CLASS_GPR: kjit_mov(cg->m, 64, SLOT(s), kjit_r(cg->pin[s])); break;
    case KJIT_CLASS_F32: store_fslot(cg, 32, s, cg->pin[s]); break;
    default: kjit_fmov(cg->m, 64, SLOT(s), kjit_r(cg->pin[s])); break;
    }
}

static void load_pin(kjit_cg *cg, uint32_t s)
{
    switch (cg->cls[s]) {
    case KJIT_CLASS_GPR: kjit_mov(cg->m, 64, kjit_r(cg->pin[s]), SLOT(s)); break;
    case KJIT_CLASS_F32: kjit_fmov(cg->m, 32, kjit_r(cg->pin[s]), SLOT(s)); break;
    default: kjit_fmov(cg->m, 64, kjit_r(cg->pin[s]), SLOT(s)); break;
    }
}

void kjit_sync_out(kjit_cg *cg)
{
    flush_all(cg);
    for (uint32_t i = 0; i < cg->npins; i++)
        if (cg->written[cg->pinned[i]]) /* (a parameter never written is in its slot) */
            store_pin(cg, cg->pinned[i]);
}

void kjit_sync_in(kjit_cg *cg)
{
    forget_all(cg);
    for (uint32_t i = 0; i < cg->npins; i++)
        load_pin(cg, cg->pinned[i]);
}

void kjit_call_c(kjit_cg *cg, const void *fn) { kjit_call_abs(cg->m, fn); }

void kjit_check_kind(kjit_cg *cg)
{
    kjit_test(cg->m, 32, KJIT_RET, kjit_r(KJIT_RET));
    kjit_jcc(cg->m, KJIT_NE, kjit_ool_add(cg, KJIT_OOL_TRAP_REG, 0, cg->pos, 0));
}

/* After a helper returning a KINT_RUN_ status: leave with it unless OK. */
static void check_status(kjit_cg *cg)
{
    kjit_test(cg->m, 32, KJIT_RET, kjit_r(KJIT_RET));
    kjit_jcc(cg->m, KJIT_NE, cg->u->stubs.exit);
}

/*
 * The generic slow path: the helper kjit_h_exec runs the current
 * instruction against the frame in memory (rare instructions: bulk memory,
 * tables, wide arithmetic, and what the CPU lacks an instruction for).
 */
void kjit_call_exec_helper(kjit_cg *cg, const void *fn)
{
    kjit_sync_out(cg);
    kjit_mov(cg->m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_mov(cg->m, 64, kjit_r(KJIT_ARG1), kjit_r(KJIT_R_FP));
    kjit_mov(cg->m, 64, kjit_r(KJIT_ARG2), kjit_i((int64_t)(uintptr_t)(cg->w + cg->pos)));
    kjit_mov(cg->m, 32, kjit_r(KJIT_ARG3), kjit_i(cg->op));
    kjit_call_c(cg, fn);
    kjit_sync_in(cg);
    kjit_check_kind(cg);
}

static void emit_exec(kjit_cg *cg) { kjit_call_exec_helper(cg, (const void *)kjit_h_exec); }

/* ---- branches ----------------------------------------------------------------------------------- */

/* Where a taken branch to `target` goes: its label, or for a backward
 * branch that costs fuel, a stub that checks fuel first. */
static kjit_label branch_label(kjit_cg *cg, uint32_t target, uint32_t fuel)
{
    if (target > cg->pos || fuel == 0 || cg->check_of[cg->pos] == KJIT_NONE)
        return cg->labels[target];
    return cg->backedges[cg->check_of[cg->pos]].check; /* checked before the loop header */
}

void kjit_branch(kjit_cg *cg, kjit_cond c, bool always, uint32_t target, uint32_t fuel)
{
    flush_live(cg, target, always ? KJIT_NONE : cg->next); /* (stores leave the flags alone) */
    kjit_label l = branch_label(cg, target, fuel);
    if (always)
        kjit_jmp(cg->m, l);
    else
        kjit_jcc(cg->m, c, l);
}

/* The taken target of the current (conditional) branch instruction. */
static kjit_label taken(kjit_cg *cg)
{
    int32_t off = (int32_t)kjit_fld(cg, KINT_FN_label);
    uint32_t target = (uint32_t)((int32_t)cg->pos + off);
    flush_live(cg, target, cg->next); /* (stores leave the flags alone) */
    return branch_label(cg, target, kjit_fld(cg, KINT_FN_fuel));
}

/* ---- frames ------------------------------------------------------------------------------------ */

static void epilogue(kjit_cg *cg, bool pop_record)
{
    if (pop_record)
        kjit_alu_mem(cg->m, KJIT_SUB, 64, TH(top), kjit_i((int64_t)sizeof(kint_frame)));
    kjit_pop(cg->m, KJIT_R_NATIVE_FP);
    kjit_ret(cg->m);
}

/* Zeroes slots [from, to) in memory. */
static void zero_slots(kjit_cg *cg, uint32_t from, uint32_t to)
{
    if (to - from <= 16) {
        for (uint32_t s = from; s < to; s++)
            kjit_mov(cg->m, 64, SLOT(s), kjit_i(0));
        return;
    }
    kjit_lea(cg->m, 64, KJIT_RCX, SLOT(from));
    kjit_lea(cg->m, 64, KJIT_RDX, SLOT(to));
    kjit_label loop = kjit_label_new(cg->m);
    kjit_bind(cg->m, loop);
    kjit_mov(cg->m, 64, kjit_m(KJIT_RCX, 0), kjit_i(0));
    kjit_alu(cg->m, KJIT_ADD, 64, KJIT_RCX, KJIT_RCX, kjit_i(8));
    kjit_cmp(cg->m, 64, KJIT_RCX, kjit_r(KJIT_RDX));
    kjit_jcc(cg->m, KJIT_LT_U, loop);
}

static void prologue(kjit_cg *cg, kjit_ufunc *uf)
{
    kjit_masm *m = cg->m;
    const kint_code *c = cg->code;
    kjit_label stack = kjit_ool_add(cg, KJIT_OOL_STACK, 0, 0, 0);

    /* entry: a new frame record */
    kjit_bind(m, uf->entry);
    kjit_push(m, KJIT_R_NATIVE_FP);
    kjit_cmp(m, 64, KJIT_RSP, TH(native_limit));
    kjit_jcc(m, KJIT_LT_U, stack);
    kjit_mov(m, 64, kjit_r(KJIT_RAX), TH(top));
    kjit_alu(m, KJIT_ADD, 64, KJIT_RAX, KJIT_RAX, kjit_i((int64_t)sizeof(kint_frame)));
    kjit_cmp(m, 64, KJIT_RAX, TH(frames_end));
    kjit_jcc(m, KJIT_GE_U, stack);
    kjit_lea(m, 64, KJIT_RCX, SLOT(c->frame_slots));
    kjit_cmp(m, 64, KJIT_RCX, TH(stack_end));
    kjit_jcc(m, KJIT_GT_U, stack);
    kjit_mov(m, 64, TH(top), kjit_r(KJIT_RAX));
    kjit_mov(m, 64, REC(KJIT_RAX, fp), kjit_r(KJIT_R_FP));

    /* (the tail entry, emitted after the body, joins here) */
    kjit_bind(m, cg->common);
    kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_i((int64_t)(uintptr_t)c));
    kjit_mov(m, 64, REC(KJIT_RAX, code), kjit_r(KJIT_RCX));
    kjit_mov(m, 64, REC(KJIT_RAX, ki), kjit_r(KJIT_R_KI));
    kjit_exn_prologue(cg);
    zero_slots(cg, c->param_slots, c->param_slots + c->local_slots);
    for (uint32_t i = 0; i < c->nconsts; i++) {
        int64_t v = (int64_t)c->consts[i];
        if (v >= INT32_MIN && v <= INT32_MAX) {
            kjit_mov(m, 64, SLOT(cg->cbase + i), kjit_i(v));
        } else {
            kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_i(v));
            kjit_mov(m, 64, SLOT(cg->cbase + i), kjit_r(KJIT_RCX));
        }
    }
    /* fuel and interrupts: the entry costs 1, charged in the new frame */
    kjit_label go = kjit_label_new(m);
    kjit_cmp_mem(m, 32, TH(checks), kjit_i(0));
    kjit_jcc(m, KJIT_NE, kjit_ool_add(cg, KJIT_OOL_FUEL_ENTRY, 1, 0, go));
    kjit_bind(m, go);
    for (uint32_t i = 0; i < cg->npins; i++) {
        uint32_t s = cg->pinned[i];
        if (s < c->param_slots)
            load_pin(cg, s);
        else if (cg->cls[s] == KJIT_CLASS_GPR)
            kjit_mov(m, 32, kjit_r(cg->pin[s]), kjit_i(0));
        else
            kjit_fbin(m, KJIT_FXOR, 64, cg->pin[s], cg->pin[s], kjit_r(cg->pin[s]));
    }
}

/* The tail entry (after the body: tail calls are the rarer way in). */
static void tail_entry(kjit_cg *cg, kjit_ufunc *uf)
{
    kjit_masm *m = cg->m;
    kjit_bind(m, uf->tail_entry);
    kjit_push(m, KJIT_R_NATIVE_FP);
    kjit_lea(m, 64, KJIT_RCX, SLOT(cg->code->frame_slots));
    kjit_cmp(m, 64, KJIT_RCX, TH(stack_end));
    kjit_jcc(m, KJIT_GT_U, kjit_ool_add(cg, KJIT_OOL_STACK, 0, 0, 0));
    kjit_mov(m, 64, kjit_r(KJIT_RAX), TH(top));
    kjit_jmp(m, cg->common);
}

/* ---- calls ----------------------------------------------------------------------------------------- */

/* This frame's record: where it resumes after the current instruction. */
static void set_resume(kjit_cg *cg)
{
    kjit_mov(cg->m, 64, kjit_r(KJIT_RAX), TH(top));
    kjit_mov(cg->m, 64, kjit_r(KJIT_RCX), kjit_i((int64_t)(uintptr_t)(cg->w + cg->next)));
    kjit_mov(cg->m, 64, REC(KJIT_RAX, pc), kjit_r(KJIT_RCX));
}

/* Calls native code at `target` (a label, or a register when target_reg
 * is not NOREG) with the callee's frame at base. */
static void call_native(kjit_cg *cg, uint32_t base, kjit_label target, kjit_reg target_reg)
{
    kjit_masm *m = cg->m;
    kjit_lea(m, 64, KJIT_R_FP, SLOT(base));
    if (target_reg != KJIT_NOREG)
        kjit_call_reg(m, target_reg);
    else
        kjit_call_label(m, target);
    kjit_lea(m, 64, KJIT_R_FP, kjit_m(KJIT_R_FP, -(int32_t)(base * 8u)));
}

/* The unit function a code cell of this unit belongs to, or NULL. */
static kjit_ufunc *cell_func(kjit_cg *cg, uint64_t cell)
{
    uintptr_t c = (uintptr_t)cell, b = (uintptr_t)cg->u->cells;
    if (c < b || (c - b) % sizeof(*cg->u->cells) != 0)
        return NULL;
    uintptr_t idx = (c - b) / sizeof(*cg->u->cells);
    if (idx >= cg->u->nfuncs || !cg->u->funcs[idx].code)
        return NULL;
    return &cg->u->funcs[idx];
}

/* Loads the native descriptor of the code in cell register r (into r),
 * jumping to slow when there is none yet. */
/*
 * Compiled code reads published code pointers (a cell, then its native
 * code) with plain loads: acquire loads on x86-64. ThreadSanitizer does not
 * see loads in code it did not instrument, so in its builds calls through
 * cells take the helpers' path, whose C loads it sees, or it reports the
 * translator's writes as racing with the compiled callee's reads.
 */
#if defined(KITE_TSAN)
enum { CELL_FAST_PATH = 0 };
#else
enum { CELL_FAST_PATH = 1 };
#endif

static void load_native(kjit_cg *cg, kjit_reg r, kjit_label slow)
{
    kjit_masm *m = cg->m;
    if (!CELL_FAST_PATH) {
        kjit_jmp(m, slow);
        return;
    }
    kjit_mov(m, 64, kjit_r(r), kjit_m(r, 0));
    kjit_test(m, 64, r, kjit_r(r));
    kjit_jcc(m, KJIT_EQ, slow);
    kjit_mov(m, 64, kjit_r(r), kjit_m(r, (int32_t)offsetof(kint_code, native)));
    kjit_test(m, 64, r, kjit_r(r));
    kjit_jcc(m, KJIT_EQ, slow);
}

/* Arguments fp[base..base+n) down to fp[0..n) for a tail call. */
static void move_args(kjit_cg *cg, uint32_t base, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        kjit_mov(cg->m, 64, kjit_r(KJIT_RCX), SLOT(base + i));
        kjit_mov(cg->m, 64, SLOT(i), kjit_r(KJIT_RCX));
    }
}

/* The same with the count in register `count` (32 bits; clobbers it and
 * RCX, RDX). */
static void move_args_reg(kjit_cg *cg, uint32_t base, kjit_reg count)
{
    kjit_masm *m = cg->m;
    kjit_label loop = kjit_label_new(m), done = kjit_label_new(m);
    kjit_mov(m, 32, kjit_r(KJIT_RDX), kjit_i(0));
    kjit_bind(m, loop);
    kjit_cmp(m, 32, KJIT_RDX, kjit_r(count));
    kjit_jcc(m, KJIT_GE_U, done);
    kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_mx(KJIT_R_FP, KJIT_RDX, 8, (int32_t)(base * 8u)));
    kjit_mov(m, 64, kjit_mx(KJIT_R_FP, KJIT_RDX, 8, 0), kjit_r(KJIT_RCX));
    kjit_alu(m, KJIT_ADD, 32, KJIT_RDX, KJIT_RDX, kjit_i(1));
    kjit_jmp(m, loop);
    kjit_bind(m, done);
}

/* A direct call (CALL, RETURN_CALL): [base][cell]. */
static void emit_call_direct(kjit_cg *cg, bool tail)
{
    kjit_masm *m = cg->m;
    uint32_t base = kjit_fld(cg, KINT_FN_base);
    uint64_t cell = kjit_fld64(cg, KINT_FN_cell);
    kjit_ufunc *uf = cell_func(cg, cell);
    kjit_sync_out(cg);
    set_resume(cg);
    if (tail && uf) {
        move_args(cg, base, uf->code->param_slots);
        kjit_pop(m, KJIT_R_NATIVE_FP);
        kjit_jmp(m, uf->tail_entry);
        return;
    }
    if (uf) {
        call_native(cg, base, uf->entry, KJIT_NOREG);
        kjit_sync_in(cg);
        return;
    }
    kjit_label slow = kjit_label_new(m), after = kjit_label_new(m);
    kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_i((int64_t)cell));
    load_native(cg, KJIT_RAX, slow);
    if (tail) {
        kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_i((int64_t)cell)); /* the code: its parameter count */
        kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_m(KJIT_RDX, 0));
        kjit_load(m, KJIT_L32U, KJIT_RSI, kjit_m(KJIT_RDX, (int32_t)offsetof(kint_code, param_slots)));
        move_args_reg(cg, base, KJIT_RSI);
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_RAX, (int32_t)offsetof(kint_native, tail_entry)));
        kjit_pop(m, KJIT_R_NATIVE_FP);
        kjit_jmp_reg(m, KJIT_RAX);
    } else {
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_RAX, (int32_t)offsetof(kint_native, entry)));
        call_native(cg, base, 0, KJIT_RAX);
        kjit_jmp(m, after);
    }
    kjit_bind(m, slow);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_lea(m, 64, KJIT_ARG1, SLOT(base));
    kjit_mov(m, 64, kjit_r(KJIT_ARG2), kjit_i((int64_t)cell));
    kjit_mov(m, 32, kjit_r(KJIT_ARG3), kjit_i(tail));
    kjit_call_c(cg, (const void *)kjit_h_call_cell);
    check_status(cg);
    if (tail) {
        epilogue(cg, false); /* the helper ran the callee in this frame's place */
        return;
    }
    kjit_bind(m, after);
    kjit_sync_in(cg);
}

/*
 * A call of the krt_func in RAX with its frame at base: compiled code of
 * this instance natively, anything else (host functions, other instances,
 * code not compiled yet) through kjit_h_call_func.
 */
static void call_func_rax(kjit_cg *cg, uint32_t base, bool tail)
{
    kjit_masm *m = cg->m;
    kjit_label slow = kjit_label_new(m), after = kjit_label_new(m);
    if (!CELL_FAST_PATH)
        kjit_jmp(m, slow);
    kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, inst)));
    kjit_cmp_mem(m, 64, kjit_m(KJIT_RAX, (int32_t)offsetof(krt_func, instance)), kjit_r(KJIT_RCX));
    kjit_jcc(m, KJIT_NE, slow);
    kjit_load(m, KJIT_L32U, KJIT_RCX, kjit_m(KJIT_RAX, (int32_t)offsetof(krt_func, index)));
    kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, cells)));
    kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_mx(KJIT_RDX, KJIT_RCX, 8, 0));
    kjit_test(m, 64, KJIT_RDX, kjit_r(KJIT_RDX));
    kjit_jcc(m, KJIT_EQ, slow);
    kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_m(KJIT_RDX, (int32_t)offsetof(kint_code, native)));
    kjit_test(m, 64, KJIT_RDX, kjit_r(KJIT_RDX));
    kjit_jcc(m, KJIT_EQ, slow);
    if (tail) {
        kjit_load(m, KJIT_L32U, KJIT_RSI, kjit_m(KJIT_RAX, (int32_t)offsetof(krt_func, param_slots)));
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_RDX, (int32_t)offsetof(kint_native, tail_entry)));
        move_args_reg(cg, base, KJIT_RSI);
        kjit_pop(m, KJIT_R_NATIVE_FP);
        kjit_jmp_reg(m, KJIT_RAX);
    } else {
        kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_m(KJIT_RDX, (int32_t)offsetof(kint_native, entry)));
        call_native(cg, base, 0, KJIT_RDX);
        kjit_jmp(m, after);
    }
    kjit_bind(m, slow);
    kjit_mov(m, 64, kjit_r(KJIT_ARG2), kjit_r(KJIT_RAX));
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_lea(m, 64, KJIT_ARG1, SLOT(base));
    kjit_mov(m, 32, kjit_r(KJIT_ARG3), kjit_i(tail));
    kjit_call_c(cg, (const void *)kjit_h_call_func);
    check_status(cg);
    if (tail) {
        epilogue(cg, false);
        return;
    }
    kjit_bind(m, after);
    kjit_sync_in(cg);
}

static void emit_call(kjit_cg *cg, bool tail)
{
    kjit_masm *m = cg->m;
    uint32_t base = kjit_fld(cg, KINT_FN_base);
    switch (kint_ops[cg->op].shape) {
    case KINT_SHAPE_CALL: emit_call_direct(cg, tail); return;
    case KINT_SHAPE_CALL_FUNC: {
        uint32_t fi = kjit_fld(cg, KINT_FN_func);
        kjit_sync_out(cg);
        set_resume(cg);
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, inst)));
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_RAX, (int32_t)offsetof(krt_instance, funcs)));
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_RAX, (int32_t)(fi * 8u)));
        call_func_rax(cg, base, tail);
        return;
    }
    case KINT_SHAPE_CALL_INDIRECT: {
        uint32_t t = kjit_fld(cg, KINT_FN_table), canon = kjit_fld(cg, KINT_FN_canon);
        kjit_reg i = kjit_gin(cg, kjit_fld(cg, KINT_FN_idx), 64);
        kjit_sync_out(cg);
        kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_r(i)); /* (set_resume clobbers rax, rcx) */
        set_resume(cg);
        kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, tables)));
        kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_m(KJIT_RCX, (int32_t)(t * 8u)));
        kjit_cmp(m, 64, KJIT_RDX, kjit_m(KJIT_RCX, (int32_t)offsetof(krt_table, size)));
        kjit_trap_if(cg, KJIT_GE_U, KITE_TRAP_UNDEFINED_ELEMENT);
        kjit_mov(m, 64, kjit_r(KJIT_RCX), kjit_m(KJIT_RCX, (int32_t)offsetof(krt_table, elems)));
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_mx(KJIT_RCX, KJIT_RDX, 8, 0));
        kjit_test(m, 64, KJIT_RAX, kjit_r(KJIT_RAX));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_UNINITIALIZED_ELEMENT);
        /* the signature: equal canonical ids, else a subtype (a C call) */
        kjit_label ok = kjit_label_new(m);
        kjit_cmp_mem(m, 32, kjit_m(KJIT_RAX, (int32_t)(offsetof(krt_func, hdr) + offsetof(krt_obj, canon))),
                     kjit_i(canon));
        kjit_jcc(m, KJIT_EQ, ok);
        kjit_push(m, KJIT_RAX);
        kjit_push(m, KJIT_RAX);
        kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_KI));
        kjit_mov(m, 64, kjit_r(KJIT_ARG1), kjit_r(KJIT_RAX));
        kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i(canon));
        kjit_call_c(cg, (const void *)kjit_h_sig_ok);
        kjit_mov(m, 32, kjit_r(KJIT_RCX), kjit_r(KJIT_RET));
        kjit_pop(m, KJIT_RAX);
        kjit_pop(m, KJIT_RAX);
        kjit_test(m, 32, KJIT_RCX, kjit_r(KJIT_RCX));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
        kjit_bind(m, ok);
        call_func_rax(cg, base, tail);
        return;
    }
    default: { /* CALL_REF */
        kjit_reg r = kjit_gin(cg, kjit_fld(cg, KINT_FN_ref), 64);
        kjit_sync_out(cg);
        kjit_mov(m, 64, kjit_r(KJIT_RDX), kjit_r(r));
        set_resume(cg);
        kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_r(KJIT_RDX));
        kjit_test(m, 64, KJIT_RAX, kjit_r(KJIT_RAX));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_NULL_FUNCTION_REFERENCE);
        call_func_rax(cg, base, tail);
        return;
    }
    }
}

/* ---- control and variables ------------------------------------------------------------------------ */

/* Results fp[src..src+n) to fp[0..n) in memory, then return. */
static void emit_return(kjit_cg *cg, uint32_t src, uint32_t n)
{
    if (src == 0) {
        flush_all(cg);
        /* results in place: pinned ones among them go to memory */
        for (uint32_t i = 0; i < cg->npins; i++)
            if (cg->pinned[i] < n)
                store_pin(cg, cg->pinned[i]);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            cg->busy = 0;
            kjit_reg r = kjit_raw_in(cg, src + i);
            kjit_mov(cg->m, 64, SLOT(i), kjit_r(r));
            forget_slot(cg, i);
        }
    }
    epilogue(cg, true);
}

static void emit_br_table(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    uint32_t n = kjit_fld(cg, KINT_FN_n);
    /* the interpreter charges 1 per br_table; the fuel check calls C, so
     * nothing stays in a temporary across it */
    flush_all(cg);
    forget_all(cg);
    kjit_label go = kjit_label_new(m);
    kjit_cmp_mem(m, 32, TH(checks), kjit_i(0));
    kjit_jcc(m, KJIT_NE, kjit_ool_add(cg, KJIT_OOL_FUEL, 1, cg->pos, go));
    kjit_bind(m, go);
    kjit_reg idx = kjit_gin(cg, kjit_fld(cg, KINT_FN_idx), 32);
    kjit_reg t = kjit_gtmp(cg);
    kjit_mov(m, 32, kjit_r(t), kjit_r(idx));
    kjit_label inrange = kjit_label_new(m);
    kjit_cmp(m, 32, t, kjit_i(n));
    kjit_jcc(m, KJIT_LE_U, inrange);
    kjit_mov(m, 32, kjit_r(t), kjit_i(n));
    kjit_bind(m, inrange);
    kjit_label *targets = kutil_malloc(cg->m->alloc, ((size_t)n + 1) * sizeof(kjit_label));
    if (!targets) {
        m->oom = true;
        return;
    }
    for (uint32_t i = 0; i <= n; i++)
        targets[i] = cg->labels[(uint32_t)((int32_t)cg->pos + KINT_BR_TABLE_LABEL(cg->w + cg->pos, i))];
    kjit_jump_table(m, t, targets, n + 1);
    kutil_free(cg->m->alloc, targets);
}

static void emit_const(kjit_cg *cg, uint32_t dst, uint64_t v)
{
    if (is_gpin(cg, dst)) {
        kjit_mov(cg->m, 64, kjit_r(cg->pin[dst]), kjit_i((int64_t)v));
        return;
    }
    kjit_reg r = kjit_gtmp(cg);
    kjit_mov(cg->m, 64, kjit_r(r), kjit_i((int64_t)v));
    kjit_raw_done(cg, dst, r);
}

static void emit_select(kjit_cg *cg, bool two)
{
    kjit_masm *m = cg->m;
    uint32_t a = kjit_fld(cg, KINT_FN_a), b = kjit_fld(cg, KINT_FN_b);
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    if (two)
        flush_all(cg); /* v128 slots are read in memory */
    uint32_t cond = kjit_fld(cg, KINT_FN_cond);
    /* right after the comparison that made cond, its flags still say it
     * (nothing below but moves runs before the cmov) */
    bool flags = !two && cg->flags_next == cg->pos && cg->flags_slot == cond && cg->labels[cg->pos] == KJIT_NONE;
    kjit_reg c = flags ? KJIT_NOREG : kjit_gin(cg, cond, 32);
    if (two) { /* v128 slots: never pinned */
        kjit_reg t = kjit_gtmp(cg), u = kjit_gtmp(cg);
        kjit_label use_b = kjit_label_new(m), done = kjit_label_new(m);
        kjit_test(m, 32, c, kjit_r(c));
        kjit_jcc(m, KJIT_EQ, use_b);
        kjit_mov(m, 64, kjit_r(t), SLOT(a));
        kjit_mov(m, 64, kjit_r(u), SLOT(a + 1));
        kjit_jmp(m, done);
        kjit_bind(m, use_b);
        kjit_mov(m, 64, kjit_r(t), SLOT(b));
        kjit_mov(m, 64, kjit_r(u), SLOT(b + 1));
        kjit_bind(m, done);
        forget_slot(cg, dst);
        forget_slot(cg, dst + 1);
        kjit_mov(m, 64, SLOT(dst), kjit_r(t));
        kjit_mov(m, 64, SLOT(dst + 1), kjit_r(u));
        return;
    }
    /* r = b; if (c) r = a, or r = a; if (!c) r = b: cmov takes a register
     * or memory, so an operand that is a constant or a float local goes
     * into r first. Three registers at most: c, r, and one such operand. */
    bool a_first = (is_const(cg, a) || is_fpin(cg, a)) && !is_const(cg, b) && !is_fpin(cg, b);
    uint32_t first = a_first ? a : b, other = a_first ? b : a;
    kjit_reg r = kjit_gtmp(cg);
    if (is_fpin(cg, first))
        kjit_mov_f2i(m, cg->cls[first] == KJIT_CLASS_F32 ? 32 : 64, r, cg->pin[first]);
    else if (is_const(cg, first))
        kjit_mov(m, 64, kjit_r(r), kjit_i((int64_t)const_of(cg, first)));
    else
        kjit_mov(m, 64, kjit_r(r), kjit_gopnd(cg, first, 64));
    kjit_opnd oo = is_fpin(cg, other) ? kjit_r(kjit_raw_in(cg, other)) : kjit_gopnd(cg, other, 64);
    if (oo.kind == KJIT_O_IMM)
        oo = kjit_r(kjit_gin(cg, other, 64));
    kjit_cond when = KJIT_NE; /* c != 0 */
    if (flags)
        when = cg->flags_cond;
    else
        kjit_test(m, 32, c, kjit_r(c));
    kjit_cmov(m, a_first ? kjit_cond_negate(when) : when, 64, r, oo);
    kjit_raw_done(cg, dst, r);
}

/* The value of global g (its cell's address in a temporary). */
static kjit_reg global_cell(kjit_cg *cg, uint32_t g)
{
    kjit_reg t = kjit_gtmp(cg);
    kjit_mov(cg->m, 64, kjit_r(t), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, globals)));
    kjit_mov(cg->m, 64, kjit_r(t), kjit_m(t, (int32_t)(g * 8u)));
    return t;
}

static bool emit_control(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    switch (cg->op) {
    case KINT_OP_UNREACHABLE: kjit_jmp(m, kjit_trap_label(cg, KITE_TRAP_UNREACHABLE)); return true;
    case KINT_OP_TRAP:
        kjit_jmp(m, kjit_trap_label(cg, (kite_trap_kind_t)kjit_fld(cg, KINT_FN_trap)));
        return true;
    case KINT_OP_BR:
        kjit_branch(cg, KJIT_EQ, true, (uint32_t)((int32_t)cg->pos + (int32_t)kjit_fld(cg, KINT_FN_label)),
                    kjit_fld(cg, KINT_FN_fuel));
        return true;
    case KINT_OP_BR_TABLE: emit_br_table(cg); return true;
    case KINT_OP_RET: emit_return(cg, 0, cg->nresult_slots); return true;
    case KINT_OP_RET1: emit_return(cg, kjit_fld(cg, KINT_FN_src), 1); return true;
    case KINT_OP_RETN: emit_return(cg, kjit_fld(cg, KINT_FN_src), kjit_fld(cg, KINT_FN_n)); return true;
    case KINT_OP_COPY: kjit_copy_slot(cg, kjit_fld(cg, KINT_FN_dst), kjit_fld(cg, KINT_FN_src)); return true;
    case KINT_OP_COPY_COPY:
        kjit_copy_slot(cg, kjit_fld(cg, KINT_FN_dst), kjit_fld(cg, KINT_FN_src));
        cg->busy = cg->fbusy = 0;
        kjit_copy_slot(cg, kjit_fld(cg, KINT_FN_dst2), kjit_fld(cg, KINT_FN_src2));
        return true;
    case KINT_OP_COPY_BR:
        kjit_copy_slot(cg, kjit_fld(cg, KINT_FN_dst), kjit_fld(cg, KINT_FN_src));
        kjit_branch(cg, KJIT_EQ, true, (uint32_t)((int32_t)cg->pos + (int32_t)kjit_fld(cg, KINT_FN_label)),
                    kjit_fld(cg, KINT_FN_fuel));
        return true;
    case KINT_OP_COPY2: kjit_simd_copy2(cg, kjit_fld(cg, KINT_FN_dst), kjit_fld(cg, KINT_FN_src)); return true;
    case KINT_OP_CONST: emit_const(cg, kjit_fld(cg, KINT_FN_dst), kjit_fld64(cg, KINT_FN_value)); return true;
    case KINT_OP_SELECT: emit_select(cg, false); return true;
    case KINT_OP_SELECT2: emit_select(cg, true); return true;
    case KINT_OP_GLOBAL_GET: {
        kjit_reg t = global_cell(cg, kjit_fld(cg, KINT_FN_global));
        kjit_mov(m, 64, kjit_r(t), kjit_m(t, 0));
        kjit_raw_done(cg, kjit_fld(cg, KINT_FN_dst), t);
        return true;
    }
    case KINT_OP_GLOBAL_SET: {
        kjit_reg v = kjit_raw_in(cg, kjit_fld(cg, KINT_FN_src));
        kjit_reg t = global_cell(cg, kjit_fld(cg, KINT_FN_global));
        kjit_mov(m, 64, kjit_m(t, 0), kjit_r(v));
        return true;
    }
    case KINT_OP_GLOBAL_GET2:
    case KINT_OP_GLOBAL_SET2: {
        bool get = cg->op == KINT_OP_GLOBAL_GET2;
        uint32_t s = kjit_fld(cg, get ? KINT_FN_dst : KINT_FN_src);
        flush_all(cg); /* v128 slots are accessed in memory */
        kjit_reg t = global_cell(cg, kjit_fld(cg, KINT_FN_global));
        kjit_reg v = kjit_gtmp(cg);
        for (int i = 0; i < 2; i++) {
            if (get) {
                kjit_mov(m, 64, kjit_r(v), kjit_m(t, 8 * i));
                forget_slot(cg, s + (uint32_t)i);
                kjit_mov(m, 64, SLOT(s + (uint32_t)i), kjit_r(v));
            } else {
                kjit_mov(m, 64, kjit_r(v), SLOT(s + (uint32_t)i));
                kjit_mov(m, 64, kjit_m(t, 8 * i), kjit_r(v));
            }
        }
        return true;
    }
    case KINT_OP_REF_FUNC: {
        kjit_reg t = kjit_gtmp(cg);
        kjit_mov(m, 64, kjit_r(t), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, inst)));
        kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)offsetof(krt_instance, funcs)));
        kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)(kjit_fld(cg, KINT_FN_func) * 8u)));
        kjit_raw_done(cg, kjit_fld(cg, KINT_FN_dst), t);
        return true;
    }
    case KINT_OP_REF_AS_NON_NULL: {
        kjit_reg r = kjit_gin(cg, kjit_fld(cg, KINT_FN_src), 64);
        kjit_test(m, 64, r, kjit_r(r));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_NULL_REFERENCE);
        return true;
    }
    case KINT_OP_CALL:
    case KINT_OP_CALL_FUNC:
    case KINT_OP_CALL_INDIRECT:
    case KINT_OP_CALL_REF: emit_call(cg, false); return true;
    case KINT_OP_RETURN_CALL:
    case KINT_OP_RETURN_CALL_FUNC:
    case KINT_OP_RETURN_CALL_INDIRECT:
    case KINT_OP_RETURN_CALL_REF: emit_call(cg, true); return true;
    case KINT_OP_MEMORY_GROW:
    case KINT_OP_MEMORY_FILL:
    case KINT_OP_MEMORY_COPY:
    case KINT_OP_MEMORY_INIT:
    case KINT_OP_DATA_DROP:
    case KINT_OP_TABLE_GET:
    case KINT_OP_TABLE_SET:
    case KINT_OP_TABLE_SIZE:
    case KINT_OP_TABLE_GROW:
    case KINT_OP_TABLE_FILL:
    case KINT_OP_TABLE_COPY:
    case KINT_OP_TABLE_INIT:
    case KINT_OP_ELEM_DROP: emit_exec(cg); return true;
    default: return false;
    }
}

kjit_label kjit_taken(kjit_cg *cg) { return taken(cg); }
void kjit_emit_exec(kjit_cg *cg) { emit_exec(cg); }

/* ---- out-of-line code --------------------------------------------------------------------------------- */

static void emit_ool(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    /* reached from branches that stored every temporary: only the pinned
     * registers hold values here */
    forget_all(cg);
    for (uint32_t i = 0; i < cg->nool; i++) {
        const kjit_ool *o = &cg->ool[i];
        kjit_bind(m, o->label);
        switch (o->kind) {
        case KJIT_OOL_TRAP:
            kjit_mov(m, 32, kjit_r(KJIT_TRAP_KIND_REG), kjit_i(o->a));
            kjit_mov(m, 32, kjit_r(KJIT_TRAP_POS_REG), kjit_i(o->b));
            kjit_jmp(m, cg->u->stubs.trap);
            break;
        case KJIT_OOL_TRAP_REG:
            kjit_mov(m, 32, kjit_r(KJIT_TRAP_KIND_REG), kjit_r(KJIT_RET));
            kjit_mov(m, 32, kjit_r(KJIT_TRAP_POS_REG), kjit_i(o->b));
            kjit_jmp(m, cg->u->stubs.trap);
            break;
        case KJIT_OOL_STATUS: kjit_jmp(m, cg->u->stubs.exit); break;
        case KJIT_OOL_STACK:
            /* a stack is full: trap in the caller, before this frame exists */
            kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
            kjit_call_c(cg, (const void *)kjit_h_stack_exhausted);
            kjit_jmp(m, cg->u->stubs.exit);
            break;
        case KJIT_OOL_FUEL_ENTRY:
            kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
            kjit_mov(m, 32, kjit_r(KJIT_ARG1), kjit_i(o->a));
            kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i(o->b));
            kjit_call_c(cg, (const void *)kjit_h_fuel);
            check_status(cg);
            kjit_jmp(m, o->resume);
            break;
        case KJIT_OOL_FUEL:
            /* a backward branch (or an entry): charge fuel when checks are on */
            kjit_cmp_mem(m, 32, TH(checks), kjit_i(0));
            kjit_jcc(m, KJIT_EQ, o->resume);
            kjit_sync_out(cg);
            kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
            kjit_mov(m, 32, kjit_r(KJIT_ARG1), kjit_i(o->a));
            kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i(o->b));
            kjit_call_c(cg, (const void *)kjit_h_fuel);
            check_status(cg);
            for (uint32_t k = 0; k < cg->npins; k++)
                load_pin(cg, cg->pinned[k]);
            kjit_jmp(m, o->resume);
            break;
        }
    }
}

/* ---- analysis ----------------------------------------------------------------------------------------- */

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;
    return x < y ? -1 : x > y;
}

/* The op of a code word (a handler address, or an op number). */
static kint_op decode(const kjit_unit *u, kint_word w)
{
    if (!u->handlers)
        return w < KINT_OP_COUNT ? (kint_op)w : KINT_OP_COUNT;
    uint32_t lo = 0, hi = KINT_OP_COUNT;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)u->sorted[mid] < (uintptr_t)w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < KINT_OP_COUNT && (uintptr_t)u->sorted[lo] == (uintptr_t)w ? (kint_op)u->sorted_ops[lo]
                                                                          : KINT_OP_COUNT;
}

bool kjit_unit_decoder(kjit_unit *u)
{
    u->handlers = kint_handlers();
    if (!u->handlers)
        return true;
    u->sorted = kutil_malloc(u->m.alloc, KINT_OP_COUNT * sizeof(*u->sorted));
    u->sorted_ops = kutil_malloc(u->m.alloc, KINT_OP_COUNT * sizeof(*u->sorted_ops));
    if (!u->sorted || !u->sorted_ops)
        return false;
    for (uint32_t i = 0; i < KINT_OP_COUNT; i++)
        u->sorted[i] = u->handlers[i];
    qsort(u->sorted, KINT_OP_COUNT, sizeof(*u->sorted), cmp_ptr);
    for (uint32_t i = 0; i < KINT_OP_COUNT; i++) {
        /* which op has this address: a binary search of the original table is not possible,
         * so match the sorted entry back (once per unit; ops are few hundred) */
        for (uint32_t k = 0; k < KINT_OP_COUNT; k++)
            if (u->handlers[k] == u->sorted[i]) {
                u->sorted_ops[i] = (uint16_t)k;
                break;
            }
    }
    return true;
}

bool kjit_unconditional(kint_op op)
{
    switch (op) {
    case KINT_OP_BR:
    case KINT_OP_COPY_BR:
    case KINT_OP_BR_TABLE:
    case KINT_OP_RET:
    case KINT_OP_RET1:
    case KINT_OP_RETN:
    case KINT_OP_UNREACHABLE:
    case KINT_OP_TRAP:
    case KINT_OP_RETURN_CALL:
    case KINT_OP_RETURN_CALL_FUNC:
    case KINT_OP_RETURN_CALL_INDIRECT:
    case KINT_OP_RETURN_CALL_REF: return true;
    default: return false;
    }
}

/* The Wasm instruction at code position pos of cg's function, by its
 * mnemonic (for messages). */
static const char *wasm_name(const kjit_cg *cg, uint32_t pos)
{
    const kir_module *mod = cg->u->ki->inst->m;
    const kir_expr *body = &mod->funcs[cg->funcidx].body;
    uint64_t off = kint_wasm_offset(cg->code, pos);
    if (off < body->offset || off - body->offset >= body->len)
        return "?";
    const uint8_t *p = body->code + (off - body->offset), *end = body->code + body->len;
    uint8_t prefix = *p++;
    uint32_t code = prefix;
    if (prefix >= KIR_PREFIX_FB && prefix <= KIR_PREFIX_FE) {
        code = 0;
        for (unsigned shift = 0; p < end && shift < 35; shift += 7) {
            code |= (uint32_t)(*p & 0x7F) << shift;
            if (!(*p++ & 0x80))
                break;
        }
    } else {
        prefix = KIR_PREFIX_NONE;
    }
    kir_op op = kir_op_lookup(prefix, code);
    return op == KIR_OP_COUNT ? "?" : kir_op_info(op)->mnemonic;
}

static uint32_t instr_size(const kjit_cg *cg, uint32_t pos, kint_op op)
{
    uint32_t size = kint_ops[op].size;
    if (op == KINT_OP_BR_TABLE)
        size += KINT_BR_TABLE_TAIL_WORDS((uint32_t)(cg->w[pos + 1] >> 32));
    return size;
}

static void mark_target(kjit_cg *cg, uint32_t from, int64_t target, uint32_t *depth)
{
    if (target < 0 || target >= cg->nwords || cg->ops[target] == KINT_OP_COUNT) {
        kjit_fail(cg, "internal error: branch from %u to %lld", from, (long long)target);
        return;
    }
    uint32_t t = (uint32_t)target;
    if (cg->labels[t] == KJIT_NONE)
        cg->labels[t] = kjit_label_new(cg->m);
    if (t <= from) {
        cg->loop_head[t] = true;
        depth[t]++;
        depth[from + 1]--;
    }
}

static int cmp_edge(const void *a, const void *b)
{
    const kjit_backedge *x = a, *y = b;
    return x->header != y->header ? (x->header < y->header ? -1 : 1) : (x->branch < y->branch ? -1 : 1);
}

/* The backward branches that cost fuel (their checks go before the loop
 * header, backedge_checks). */
static void collect_backedges(kjit_cg *cg)
{
    uint32_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t pos = 0; pos < cg->nwords; pos++) {
            kint_op op = cg->ops[pos];
            if (op == KINT_OP_COUNT)
                continue;
            const kint_field *lf = kint_layout_field(op, KINT_FN_label);
            const kint_field *ff = kint_layout_field(op, KINT_FN_fuel);
            if (!lf || !ff)
                continue;
            uint32_t t = (uint32_t)((int32_t)pos + (int32_t)kint_layout_get(cg->w + pos, lf));
            uint32_t fuel = (uint32_t)kint_layout_get(cg->w + pos, ff);
            if (t > pos || fuel == 0)
                continue;
            if (pass == 1)
                cg->backedges[cg->nbackedges++] = (kjit_backedge){t, pos, fuel, kjit_label_new(cg->m)};
            n++;
        }
        if (pass == 0) {
            if (!n)
                return;
            cg->backedges = kutil_malloc(cg->m->alloc, (size_t)n * sizeof(*cg->backedges));
            if (!cg->backedges) {
                cg->m->oom = true;
                return;
            }
        }
    }
    qsort(cg->backedges, cg->nbackedges, sizeof(*cg->backedges), cmp_edge);
    for (uint32_t i = 0; i < cg->nbackedges; i++)
        cg->check_of[cg->backedges[i].branch] = i;
}

static kir_valtype local_type_at(const kir_module *m, const kir_func *f, uint32_t x)
{
    const kir_type *ft = &m->types[f->type];
    if (x < ft->nparams)
        return ft->types[x];
    x -= ft->nparams;
    for (uint32_t g = 0; g < f->nlocal_groups; g++) {
        if (x < f->local_groups[g].count)
            return f->local_groups[g].type;
        x -= f->local_groups[g].count;
    }
    return 0;
}

/* Classes of params and locals; pinned registers by use weighted by loop depth. */
static void choose_pins(kjit_cg *cg, const uint32_t *depth)
{
    const kir_module *mod = cg->u->ki->inst->m;
    const kir_func *f = &mod->funcs[cg->funcidx];
    uint32_t nlocals = mod->types[f->type].nparams + f->nlocals;
    uint32_t s = 0;
    for (uint32_t x = 0; x < nlocals && s < cg->local_end; x++) {
        kir_valtype t = local_type_at(mod, f, x);
        uint8_t c = KJIT_CLASS_GPR;
        switch (kir_vt_kind(t)) {
        case KIR_F32: c = KJIT_CLASS_F32; break;
        case KIR_F64: c = KJIT_CLASS_F64; break;
        case KIR_V128: c = KJIT_CLASS_NONE; break;
        default: break;
        }
        cg->cls[s] = c;
        if (c == KJIT_CLASS_NONE)
            cg->cls[++s] = KJIT_CLASS_NONE;
        s++;
    }
    /* weights: uses of each local slot, times 8 per loop level */
    uint64_t *weight = kutil_calloc(cg->m->alloc, cg->local_end ? cg->local_end : 1, sizeof(uint64_t));
    if (!weight) {
        cg->m->oom = true;
        return;
    }
    int64_t d = 0;
    for (uint32_t pos = 0; pos < cg->nwords; pos++) {
        d += (int32_t)depth[pos];
        kint_op op = cg->ops[pos];
        if (op == KINT_OP_COUNT)
            continue;
        uint64_t w = (uint64_t)1 << (3 * (d < 6 ? d : 6));
        for (const kint_field *fl = kint_shapes[kint_ops[op].shape].fields; fl->kind != KINT_FK_NONE; fl++) {
            if (fl->kind != KINT_FK_IN && fl->kind != KINT_FK_OUT)
                continue;
            uint64_t sl = kint_layout_get(cg->w + pos, fl);
            if (sl < cg->local_end) {
                weight[sl] += w;
                if (fl->kind == KINT_FK_OUT)
                    cg->written[sl] = true;
            }
        }
    }
    /* greedy: the heaviest slots of each class get the registers */
    uint32_t ng = 0, nf = 0;
    for (;;) {
        uint32_t best = KJIT_NONE;
        for (uint32_t i = 0; i < cg->local_end; i++) {
            if (cg->pin[i] != KJIT_NOREG || cg->cls[i] == KJIT_CLASS_NONE || weight[i] < 2)
                continue;
            bool gpr = cg->cls[i] == KJIT_CLASS_GPR;
            if ((gpr && ng == KJIT_NPIN_GPRS) || (!gpr && nf == KJIT_NPIN_FPRS))
                continue;
            if (best == KJIT_NONE || weight[i] > weight[best])
                best = i;
        }
        if (best == KJIT_NONE)
            break;
        cg->pin[best] = cg->cls[best] == KJIT_CLASS_GPR ? g_pin_gprs[ng++] : g_pin_fprs[nf++];
        cg->pinned[cg->npins++] = best;
    }
    kutil_free(cg->m->alloc, weight);
}

static bool analyze(kjit_cg *cg)
{
    uint32_t *depth = kutil_calloc(cg->m->alloc, (size_t)cg->nwords + 2, sizeof(uint32_t));
    if (!depth) {
        cg->m->oom = true;
        return false;
    }
    for (uint32_t pos = 0; pos < cg->nwords; pos++)
        cg->ops[pos] = KINT_OP_COUNT;
    for (uint32_t pos = 0; pos < cg->nwords;) {
        kint_op op = decode(cg->u, cg->w[pos]);
        if (op == KINT_OP_COUNT) {
            kjit_fail(cg, "function %u: unknown instruction word at %u", cg->funcidx, pos);
            break;
        }
        cg->ops[pos] = op;
        pos += instr_size(cg, pos, op);
    }
    for (uint32_t pos = 0; pos < cg->nwords && !cg->failed; pos++) {
        kint_op op = cg->ops[pos];
        if (op == KINT_OP_COUNT)
            continue;
        for (const kint_field *fl = kint_shapes[kint_ops[op].shape].fields; fl->kind != KINT_FK_NONE; fl++)
            if (fl->kind == KINT_FK_LABEL)
                mark_target(cg, pos, (int64_t)pos + (int32_t)kint_layout_get(cg->w + pos, fl), depth);
        if (op == KINT_OP_BR_TABLE) {
            uint32_t n = (uint32_t)(cg->w[pos + 1] >> 32);
            for (uint32_t i = 0; i <= n; i++)
                mark_target(cg, pos, (int64_t)pos + KINT_BR_TABLE_LABEL(cg->w + pos, i), depth);
        }
    }
    if (!cg->failed)
        kjit_exn_mark_targets(cg);
    if (!cg->failed)
        choose_pins(cg, (const uint32_t *)depth);
    kutil_free(cg->m->alloc, depth);
    if (!cg->failed)
        collect_backedges(cg);
    return !cg->failed;
}

/* ---- one function --------------------------------------------------------------------------------- */

/*
 * Before loop header pos: the fuel checks of the backward branches to it,
 * one block each (a branch's own cost and position), falling into the
 * header; straight-line code before them jumps over. On a loop's every
 * iteration this costs one compare and a branch not taken.
 */
static void backedge_checks(kjit_cg *cg, uint32_t pos)
{
    kjit_masm *m = cg->m;
    if (!kjit_unconditional(cg->prev_op)) /* (at 0: the prologue) */
        kjit_jmp(m, cg->labels[pos]);
    while (cg->nextedge < cg->nbackedges && cg->backedges[cg->nextedge].header == pos) {
        const kjit_backedge *e = &cg->backedges[cg->nextedge++];
        kjit_bind(m, e->check);
        kjit_cmp_mem(m, 32, TH(checks), kjit_i(0));
        kjit_jcc(m, KJIT_NE, kjit_ool_add(cg, KJIT_OOL_FUEL, e->fuel, e->branch, cg->labels[pos]));
        if (cg->nextedge < cg->nbackedges && cg->backedges[cg->nextedge].header == pos)
            kjit_jmp(m, cg->labels[pos]);
    }
}

static bool emit_instr(kjit_cg *cg)
{
    if (emit_control(cg) || kjit_emit_numeric(cg) || kjit_emit_memory(cg) || kjit_emit_atomic(cg) ||
        kjit_emit_exn(cg) || kjit_emit_gc(cg) || kjit_emit_simd(cg))
        return true;
    kjit_fail(cg, "function %u: %s (internal %s) is not supported by the compiler", cg->funcidx,
              wasm_name(cg, cg->pos), kint_ops[cg->op].name);
    return false;
}

bool kjit_compile_function(kjit_unit *u, uint32_t funcidx)
{
    kjit_ufunc *uf = &u->funcs[funcidx];
    const kint_code *c = uf->code;
    kjit_cg cg;
    memset(&cg, 0, sizeof(cg));
    cg.u = u;
    cg.m = &u->m;
    cg.code = c;
    cg.funcidx = funcidx;
    cg.w = c->code;
    cg.nwords = c->nwords;
    cg.nslots = c->frame_slots;
    cg.param_slots = c->param_slots;
    cg.local_end = c->param_slots + c->local_slots;
    cg.cbase = cg.local_end;
    cg.cend = cg.cbase + c->nconsts;
    cg.flags_next = KJIT_NONE;
    cg.prev_op = KINT_OP_COPY; /* (the prologue falls through) */
    const kir_module *mod = u->ki->inst->m;
    const kir_type *ft = &mod->types[mod->funcs[funcidx].type];
    for (uint32_t i = 0; i < ft->nresults; i++)
        cg.nresult_slots += krt_slots(kir_type_results(ft)[i]);
    forget_all(&cg);

    size_t nw = (size_t)c->nwords + 1;
    cg.ops = kutil_malloc(u->m.alloc, nw * sizeof(*cg.ops));
    cg.labels = kutil_malloc(u->m.alloc, nw * sizeof(*cg.labels));
    cg.loop_head = kutil_calloc(u->m.alloc, nw, sizeof(*cg.loop_head));
    cg.cls = kutil_calloc(u->m.alloc, (size_t)cg.local_end + 2, 1);
    cg.written = kutil_calloc(u->m.alloc, (size_t)cg.local_end + 2, sizeof(bool));
    cg.pin = kutil_malloc(u->m.alloc, ((size_t)cg.nslots + 2) * sizeof(*cg.pin));
    cg.check_of = kutil_malloc(u->m.alloc, nw * sizeof(*cg.check_of));
    bool ok = cg.ops && cg.labels && cg.loop_head && cg.cls && cg.written && cg.pin && cg.check_of;
    if (ok) {
        for (size_t i = 0; i < nw; i++)
            cg.labels[i] = cg.check_of[i] = KJIT_NONE;
        memset(cg.pin, KJIT_NOREG, ((size_t)cg.nslots + 2) * sizeof(*cg.pin));
        ok = analyze(&cg);
        /* (without it every slot counts as live; exception edges are not
         * in its flow graph) */
        if (ok && !c->nhandlers)
            kjit_live_compute(&cg);
        /* temporaries: the fixed ones, and pinned registers left unused */
        for (int i = 0; i < KJIT_NTMP_GPRS; i++)
            cg.gtmps |= 1u << g_tmp_gprs[i];
        for (int i = 0; i < KJIT_NTMP_FPRS; i++)
            cg.ftmps |= 1u << g_tmp_fprs[i];
        for (int i = 0; i < KJIT_NPIN_GPRS; i++)
            cg.gtmps |= 1u << g_pin_gprs[i];
        for (int i = 0; i < KJIT_NPIN_FPRS; i++)
            cg.ftmps |= 1u << g_pin_fprs[i];
        for (uint32_t i = 0; i < cg.npins; i++) {
            uint32_t s = cg.pinned[i];
            if (cg.cls[s] == KJIT_CLASS_GPR)
                cg.gtmps &= ~(1u << cg.pin[s]);
            else
                cg.ftmps &= ~(1u << cg.pin[s]);
        }
    } else {
        u->m.oom = true;
    }
    if (ok) {
        kjit_align(cg.m, 16);
        cg.common = kjit_label_new(cg.m);
        prologue(&cg, uf);
        for (uint32_t pos = 0; pos < cg.nwords && !cg.failed && !cg.m->oom;) {
            kint_op op = cg.ops[pos];
            cg.op = op;
            cg.pos = pos;
            cg.next = pos + instr_size(&cg, pos, op);
            if (cg.labels[pos] != KJIT_NONE) {
                flush_live(&cg, pos, KJIT_NONE);
                if (cg.nextedge < cg.nbackedges && cg.backedges[cg.nextedge].header == pos)
                    backedge_checks(&cg, pos);
                kjit_bind(cg.m, cg.labels[pos]);
                forget_all(&cg);
                if (cg.loop_head[pos] && u->osr_wanted) {
                    /* an entry for a frame the interpreter runs (on-stack replacement) */
                    if (u->nosr == u->osrcap) {
                        uint32_t cap = u->osrcap ? u->osrcap * 2 : 16;
                        kjit_osr_site *p = kutil_realloc(u->m.alloc, u->osr, (size_t)cap * sizeof(*p));
                        if (!p) {
                            cg.m->oom = true;
                            break;
                        }
                        u->osr = p;
                        u->osrcap = cap;
                    }
                    if (uf->nosr == 0)
                        uf->osr_first = u->nosr;
                    uf->nosr++;
                    u->osr[u->nosr++] = (kjit_osr_site){pos, kjit_label_new(cg.m)};
                }
            }
            cg.busy = cg.fbusy = 0;
            emit_instr(&cg);
            cg.prev_op = op;
            pos = cg.next;
        }
        forget_all(&cg);
        tail_entry(&cg, uf);
        /* OSR entries: load the pinned locals, continue at the loop header */
        for (uint32_t i = 0; i < uf->nosr && !cg.failed; i++) {
            const kjit_osr_site *o = &u->osr[uf->osr_first + i];
            kjit_bind(cg.m, o->label);
            kjit_push(cg.m, KJIT_R_NATIVE_FP);
            kjit_exn_osr_entry(&cg);
            for (uint32_t k = 0; k < cg.npins; k++)
                load_pin(&cg, cg.pinned[k]);
            kjit_jmp(cg.m, cg.labels[o->pos]);
        }
        if (!cg.failed)
            kjit_exn_landings(&cg, uf);
        emit_ool(&cg);
        kjit_simd_pool(&cg);
        ok = !cg.failed;
    }
    kutil_free(u->m.alloc, cg.ops);
    kutil_free(u->m.alloc, cg.labels);
    kutil_free(u->m.alloc, cg.loop_head);
    kutil_free(u->m.alloc, cg.cls);
    kutil_free(u->m.alloc, cg.written);
    kutil_free(u->m.alloc, cg.pin);
    kutil_free(u->m.alloc, cg.ool);
    kutil_free(u->m.alloc, cg.check_of);
    kutil_free(u->m.alloc, cg.backedges);
    kutil_free(u->m.alloc, cg.vconsts);
    kjit_live_free(&cg.live);
    return ok && !u->m.oom;
}
