/*
 * Exceptions in compiled code (docs/JIT.md, "Exceptions"): throw and
 * throw_ref, the landing pads of catch targets, and the part of the exit
 * stub that unwinds to a handler of a compiled frame.
 *
 * Handler tables are the interpreter's (code positions, interp/code.h).
 * An exception raised in compiled code, or coming back from a call out of
 * it, goes to the chunk's exit stub with KINT_RUN_EXN; the stub calls
 * kjit_h_unwind, which walks the frame records of the innermost entry
 * into compiled code (all of them compiled frames) from th->top, as the
 * interpreter's unwinder walks its own. A frame with a matching handler
 * gets the payload in its slots and is resumed at the landing pad of the
 * handler's code position, on its own native stack pointer (kept in its
 * record by the prologue of every function with handlers): compiled
 * frames above it are dropped at once, as a trap drops them. Without a
 * handler in this entry the status leaves through the exit stub to
 * whoever entered compiled code (the interpreter, a helper, the
 * embedder), which goes on unwinding its own frames.
 *
 * Every instruction that can raise (a call, throw, throw_ref) writes the
 * frame back first (kjit_sync_out), so at a landing pad the slots are
 * authoritative: it reloads the pinned locals and jumps to the handler's
 * label, where the register state is canonical as at any label.
 */
#include "jit/codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jit/helpers.h"
#include "util/alloc.h"

#define TH(f) kjit_m(KJIT_R_TH, (int32_t)offsetof(kint_thread, f))
#define REC(r, f) kjit_m((r), (int32_t)offsetof(kint_frame, f))

#if KJIT_HAVE_BACKEND

void kjit_emit_unwind_stub(kjit_masm *m, kjit_label unwind, kjit_label plain)
{
    kjit_label out = kjit_label_new(m);
    kjit_bind(m, unwind);
    /* (reached from any depth of compiled code: the stack pointer is
     * reset below either way) */
    kjit_alu(m, KJIT_AND, 64, KJIT_RSP, KJIT_RSP, kjit_i(-16));
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_call_abs(m, (const void *)kjit_h_unwind);
    kjit_test(m, 64, KJIT_RET, kjit_r(KJIT_RET));
    kjit_jcc(m, KJIT_EQ, out);
    /* resume the handler's frame: th->top is its record */
    kjit_mov(m, 64, kjit_r(KJIT_RCX), TH(top));
    kjit_mov(m, 64, kjit_r(KJIT_RSP), REC(KJIT_RCX, nsp));
    kjit_mov(m, 64, kjit_r(KJIT_R_FP), REC(KJIT_RCX, fp));
    kjit_mov(m, 64, kjit_r(KJIT_R_KI), REC(KJIT_RCX, ki));
    kjit_mov(m, 64, kjit_r(KJIT_R_MEM), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, mem0)));
    kjit_jmp_reg(m, KJIT_RET);
    kjit_bind(m, out);
    kjit_mov(m, 32, kjit_r(KJIT_RET), kjit_i(KINT_RUN_EXN));
    kjit_jmp(m, plain);
}

#endif

void kjit_exn_mark_targets(kjit_cg *cg)
{
    const kint_code *c = cg->code;
    for (uint32_t i = 0; i < c->ncatches && !cg->failed; i++) {
        uint32_t t = c->catches[i].target;
        if (t >= cg->nwords || cg->ops[t] == KINT_OP_COUNT) {
            kjit_fail(cg, "internal error: function %u: catch target %u", cg->funcidx, t);
            return;
        }
        if (cg->labels[t] == KJIT_NONE)
            cg->labels[t] = kjit_label_new(cg->m);
    }
}

void kjit_exn_prologue(kjit_cg *cg)
{
    if (cg->code->nhandlers)
        kjit_mov(cg->m, 64, REC(KJIT_RAX, nsp), kjit_r(KJIT_RSP));
}

void kjit_exn_osr_entry(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    if (!cg->code->nhandlers)
        return;
    kjit_mov(m, 64, kjit_r(KJIT_RAX), TH(top));
    kjit_mov(m, 64, REC(KJIT_RAX, nsp), kjit_r(KJIT_RSP));
    /* The interpreter's record is this entry's first compiled frame: the
     * entry stub's saved record (where unwinding stops) is one lower. */
    kjit_mov(m, 64, kjit_r(KJIT_RAX), TH(native_sp));
    kjit_alu_mem(m, KJIT_SUB, 64, kjit_m(KJIT_RAX, KJIT_ENTRY_BASE_OFFSET), kjit_i((int64_t)sizeof(kint_frame)));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void kjit_exn_landings(kjit_cg *cg, kjit_ufunc *uf)
{
    const kint_code *c = cg->code;
    kjit_unit *u = cg->u;
    uf->nland = 0;
    if (!c->ncatches)
        return;
    uint32_t *t = kutil_malloc(cg->m->alloc, (size_t)c->ncatches * sizeof(uint32_t));
    if (!t) {
        cg->m->oom = true;
        return;
    }
    for (uint32_t i = 0; i < c->ncatches; i++)
        t[i] = c->catches[i].target;
    qsort(t, c->ncatches, sizeof(uint32_t), cmp_u32);
    uf->land_first = u->nland;
    for (uint32_t i = 0; i < c->ncatches; i++) {
        if (i && t[i] == t[i - 1])
            continue;
        if (u->nland == u->landcap) {
            uint32_t cap = u->landcap ? u->landcap * 2 : 16;
            kjit_osr_site *p = kutil_realloc(cg->m->alloc, u->land, (size_t)cap * sizeof(*p));
            if (!p) {
                cg->m->oom = true;
                break;
            }
            u->land = p;
            u->landcap = cap;
        }
        kjit_label l = kjit_label_new(cg->m);
        u->land[u->nland++] = (kjit_osr_site){t[i], l};
        uf->nland++;
        kjit_bind(cg->m, l);
        kjit_sync_in(cg);
        kjit_jmp(cg->m, cg->labels[t[i]]);
    }
    kutil_free(cg->m->alloc, t);
}

/* This frame's record: where it resumes (the stack map of a throw). */
static void set_resume(kjit_cg *cg)
{
    kjit_mov(cg->m, 64, kjit_r(KJIT_RAX), TH(top));
    kjit_mov(cg->m, 64, kjit_r(KJIT_RCX), kjit_i((int64_t)(uintptr_t)(cg->w + cg->next)));
    kjit_mov(cg->m, 64, REC(KJIT_RAX, pc), kjit_r(KJIT_RCX));
}

bool kjit_emit_exn(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    if (cg->op != KINT_OP_THROW && cg->op != KINT_OP_THROW_REF)
        return false;
    /* The helper makes the exception (a safepoint: the payload is in the
     * slots the throw's stack map names) and returns KINT_RUN_EXN, or a
     * trap; the exit stub takes either from there. */
    kjit_sync_out(cg);
    set_resume(cg);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_mov(m, 64, kjit_r(KJIT_ARG1), kjit_r(KJIT_R_FP));
    if (cg->op == KINT_OP_THROW) {
        kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i(kjit_fld(cg, KINT_FN_tag)));
        kjit_mov(m, 32, kjit_r(KJIT_ARG3), kjit_i(kjit_fld(cg, KINT_FN_base)));
        kjit_mov(m, 32, kjit_r(KJIT_ARG4), kjit_i(cg->pos));
        kjit_call_c(cg, (const void *)kjit_h_throw);
    } else {
        kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i(kjit_fld(cg, KINT_FN_src)));
        kjit_mov(m, 32, kjit_r(KJIT_ARG3), kjit_i(cg->pos));
        kjit_call_c(cg, (const void *)kjit_h_throw_ref);
    }
    kjit_jmp(m, cg->u->stubs.exit);
    return true;
}
