/*
 * memory.atomic.wait32/64 and memory.atomic.notify for compiled code: the
 * same checks, in the same order, and the same parking lot
 * (runtime/parking.c) as the interpreter (interp/exec.c, ATOMIC and
 * wait_in_loop). A wait is a call out of Wasm: compiled code has written
 * its frame back, and the frame's record says where it resumes.
 */
#include "jit/helpers.h"

#include "runtime/os/os.h"
#include "runtime/parking.h"

/* Operand field `name` of the instruction at pc (op). */
static uint64_t fld(const kint_word *pc, kint_op op, kint_fname name)
{
    const kint_field *f = kint_layout_field(op, name);
    return f ? kint_layout_get(pc, f) : 0;
}

#define F(name) fld(pc, (kint_op)op, KINT_FN_##name)
#define SLOT(name) fp[F(name)]

int kjit_h_atomic_wait_notify(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op)
{
    krt_memory *m = th->top->ki->mems[F(mem)];
    uint64_t addr = SLOT(addr), offset = F(offset);
    unsigned size = op == KINT_OP_ATOMIC_WAIT64 ? 8 : 4;
    if ((addr + offset) & (size - 1))
        return KITE_TRAP_UNALIGNED_ATOMIC;
    uint8_t *p = krt_memory_ptr(m, addr, offset, size);
    if (!p)
        return KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
    uint64_t ea = (uint64_t)(p - m->base);
    if (op == KINT_OP_ATOMIC_NOTIFY) {
        SLOT(dst) = krt_atomic_notify(m, ea, (uint32_t)SLOT(count));
        return 0;
    }
    if (!m->shared)
        return KITE_TRAP_EXPECTED_SHARED_MEMORY;
    th->top->pc = pc + kint_ops[op].size; /* (a call's record: resumes after it) */
    kite_trap_kind_t kind = KITE_TRAP_UNREACHABLE;
    kos_exec *saved = kos_exec_pause();
    uint32_t r = krt_atomic_wait(th->store, m, ea, SLOT(expected), op == KINT_OP_ATOMIC_WAIT64,
                                 (int64_t)SLOT(timeout), &kind);
    kos_exec_resume(saved);
    if (r == KRT_WAIT_TRAP) {
        if (kind == KITE_TRAP_INTERRUPTED)
            th->trap_detail = "interrupted while blocked in memory.atomic.wait";
        return (int)kind;
    }
    SLOT(dst) = r;
    return 0;
}
