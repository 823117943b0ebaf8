/*
 * Code chunks and the stubs at their start: entering compiled code from C,
 * and leaving it on a trap (explicit, or a fault at a trap site) by
 * unwinding to the innermost entry.
 *
 * The entry stub's native frame (x86-64; the stack grows down):
 *
 *   [return address into C]
 *   [saved rbp]          <- rbp
 *   [saved rbx, r12, r13, r14, r15]
 *   [th->top at entry, twice]  (where unwinding an exception stops; codegen_exn.c)
 *   [previous th->native_sp]   <- rsp = th->native_sp while compiled code runs
 *   [return address into the stub]   (then the compiled frames)
 *
 * Every exit, normal or not, reloads rsp from th->native_sp, so a trap
 * deep in compiled code drops all compiled frames at once; the frame
 * records (th->top) still describe them for the backtrace.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "jit/jit.h"
#include "util/alloc.h"

#if KJIT_HAVE_BACKEND

#define TH(field) kjit_m(KJIT_R_TH, (int32_t)offsetof(kint_thread, field))

void kjit_emit_stubs(kjit_masm *m, kjit_stubs *s)
{
    static const kjit_reg saved[] = {KJIT_RBX, KJIT_R12, KJIT_R13, KJIT_R14, KJIT_R15};
    const int nsaved = (int)(sizeof(saved) / sizeof(saved[0]));
    s->enter = kjit_label_new(m);
    s->exit = kjit_label_new(m);
    s->trap = kjit_label_new(m);
    s->landing = kjit_label_new(m);

    /* enter(th = ARG0, fp = ARG1, ki = ARG2, target = ARG3) */
    kjit_bind(m, s->enter);
    kjit_push(m, KJIT_RBP);
    kjit_mov(m, 64, kjit_r(KJIT_RBP), kjit_r(KJIT_RSP));
    for (int i = 0; i < nsaved; i++)
        kjit_push(m, saved[i]);
    kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_ARG0, (int32_t)offsetof(kint_thread, top)));
    kjit_push(m, KJIT_RAX);
    kjit_push(m, KJIT_RAX); /* (keeps the stack 16-byte aligned) */
    kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_m(KJIT_ARG0, (int32_t)offsetof(kint_thread, native_sp)));
    kjit_push(m, KJIT_RAX);
    kjit_mov(m, 64, kjit_m(KJIT_ARG0, (int32_t)offsetof(kint_thread, native_sp)), kjit_r(KJIT_RSP));
    kjit_mov(m, 64, kjit_r(KJIT_R_TH), kjit_r(KJIT_ARG0));
    kjit_mov(m, 64, kjit_r(KJIT_R_FP), kjit_r(KJIT_ARG1));
    kjit_mov(m, 64, kjit_r(KJIT_R_KI), kjit_r(KJIT_ARG2));
    kjit_mov(m, 64, kjit_r(KJIT_R_MEM), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, mem0)));
    kjit_call_reg(m, KJIT_ARG3);
    kjit_mov(m, 32, kjit_r(KJIT_RET), kjit_i(KINT_RUN_OK));

    /* exit: status in RET; an exception first looks for a handler in the
     * compiled frames of this entry */
    kjit_label unwind = kjit_label_new(m), plain = kjit_label_new(m);
    kjit_bind(m, s->exit);
    kjit_cmp(m, 32, KJIT_RET, kjit_i(KINT_RUN_EXN));
    kjit_jcc(m, KJIT_EQ, unwind);
    kjit_bind(m, plain);
    kjit_mov(m, 64, kjit_r(KJIT_RSP), TH(native_sp));
    kjit_pop(m, KJIT_RCX);
    kjit_mov(m, 64, TH(native_sp), kjit_r(KJIT_RCX));
    kjit_pop(m, KJIT_RCX);
    kjit_pop(m, KJIT_RCX);
    for (int i = nsaved - 1; i >= 0; i--)
        kjit_pop(m, saved[i]);
    kjit_pop(m, KJIT_RBP);
    kjit_ret(m);

    /* trap: kind and position in their registers */
    kjit_bind(m, s->trap);
    kjit_mov(m, 32, TH(trap_kind), kjit_r(KJIT_TRAP_KIND_REG));
    kjit_mov(m, 32, TH(trap_pos), kjit_r(KJIT_TRAP_POS_REG));
    kjit_mov(m, 32, kjit_r(KJIT_RET), kjit_i(KINT_RUN_TRAP));
    kjit_jmp(m, s->exit);

    /* landing: the fault handler passes the trap site in ARG0 */
    kjit_bind(m, s->landing);
    kjit_load(m, KJIT_L32U, KJIT_TRAP_KIND_REG, kjit_m(KJIT_ARG0, (int32_t)offsetof(kos_trap_site, kind)));
    kjit_load(m, KJIT_L32U, KJIT_TRAP_POS_REG, kjit_m(KJIT_ARG0, (int32_t)offsetof(kos_trap_site, pos)));
    kjit_jmp(m, s->trap);
    kjit_emit_unwind_stub(m, unwind, plain);
    kjit_align(m, 16);
}

#endif

void kjit_site_add(kjit_sites *s, uint32_t offset, uint32_t flags, uint32_t kind, uint32_t pos)
{
    if (s->oom)
        return;
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 64;
        kos_trap_site *p = cap > s->cap ? kutil_realloc(s->alloc, s->v, (size_t)cap * sizeof(*p)) : NULL;
        if (!p) {
            s->oom = true;
            return;
        }
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = (kos_trap_site){offset, flags, kind, pos};
}

void kjit_sites_free(kjit_sites *s)
{
    const kite_allocator_t *alloc = s->alloc;
    kutil_free(alloc, s->v);
    *s = (kjit_sites){.alloc = alloc};
}

int kjit_chunk_new(kjit_masm *m, const kjit_stubs *stubs, kjit_sites *sites, kjit_chunk **out)
{
    *out = NULL;
    if (!kjit_masm_finish(m) || sites->oom || m->len == 0)
        return ENOMEM;
    bool traps = kos_code_traps_supported();
    if (sites->n && !traps)
        return ENOTSUP;
    kjit_chunk *c = kutil_calloc(m->alloc, 1, sizeof(*c));
    if (!c)
        return ENOMEM;
    c->alloc = m->alloc;
    size_t page = kos_page_size();
    c->mapped = (m->len + page - 1) & ~(page - 1);
    int err = kos_code_map(c->mapped, (void **)&c->mem);
    if (err) {
        kutil_free(m->alloc, c);
        return err;
    }
    memcpy(c->mem, m->buf, m->len);
    memset(c->mem + m->len, 0, c->mapped - m->len);
    err = kos_code_seal(c->mem, c->mapped);
    if (err) {
        kos_code_unmap(c->mem, c->mapped);
        kutil_free(m->alloc, c);
        return err;
    }
    c->sites = sites->v;
    c->range = (kos_code_range){
        .start = (uintptr_t)c->mem,
        .size = m->len,
        .sites = c->sites,
        .nsites = sites->n,
        .landing = (uintptr_t)c->mem + kjit_label_pos(m, stubs->landing),
    };
    *sites = (kjit_sites){.alloc = sites->alloc};
    if (traps && (err = kos_code_register(&c->range, &c->registration)) != 0) {
        kjit_chunk_free(c);
        return err;
    }
    /* The entry stub is code, called as a C function: the conversion
     * between object and function pointers is what POSIX dlsym relies on. */
    const void *enter = c->mem + kjit_label_pos(m, stubs->enter);
    memcpy(&c->enter, &enter, sizeof(enter));
    *out = c;
    return 0;
}

void kjit_chunk_free(kjit_chunk *c)
{
    if (!c)
        return;
    kos_code_unregister(c->registration);
    kos_code_unmap(c->mem, c->mapped);
    kutil_free(c->alloc, c->sites);
    kutil_free(c->alloc, c);
}
