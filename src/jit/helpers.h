/*
 * C functions that compiled code calls (helpers.c). They run on the
 * thread's state like the interpreter's handlers do; each states what it
 * returns: a KINT_RUN_ status (calls, fuel), a trap kind (0: none), or a
 * value. Compiled code has written the frame's register-held locals back
 * and set its record's pc before calling any of them that can call Wasm,
 * allocate or trap.
 */
#ifndef KITE_JIT_HELPERS_H
#define KITE_JIT_HELPERS_H

#include <stdint.h>

#include "interp/interp.h"

/* The current instruction of an uncommon op (pc, op), run on the frame
 * at fp of th's innermost record: a trap kind, or 0. */
int kjit_h_exec(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op);
/* A prologue found a stack full: the trap "call stack exhausted" at the
 * caller's call. KINT_RUN_TRAP. */
int kjit_h_stack_exhausted(kint_thread *th);
/* Charges fuel and takes a pending interrupt at code position pos of the
 * innermost frame: a status. */
int kjit_h_fuel(kint_thread *th, uint32_t cost, uint32_t pos);
/* Calls (or, when tail, tail-calls in place of the innermost frame) the
 * function of code cell `cell` of the innermost frame's instance, or
 * function f, with its frame at cfp: a status. */
int kjit_h_call_cell(kint_thread *th, uint64_t *cfp, _Atomic(kint_code *) *cell, uint32_t tail);
int kjit_h_call_func(kint_thread *th, uint64_t *cfp, krt_func *f, uint32_t tail);
/* Whether function f's type is a subtype of canonical type `canon`. */
int kjit_h_sig_ok(kint_instance *ki, const krt_func *f, uint32_t canon);
/* memory.atomic.wait32/64 or memory.atomic.notify (op) at pc on the
 * frame at fp, checked as the interpreter checks it; a wait blocks in the
 * parking lot outside the Wasm context: a trap kind, or 0
 * (helpers_atomic.c). */
int kjit_h_atomic_wait_notify(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op);

/* Exceptions (helpers_exn.c). throw of tag `tag` with its payload at
 * fp[base..] / throw_ref of the exnref in fp[src], at code position pos
 * of the innermost frame: KINT_RUN_EXN (th->exn set), or KINT_RUN_TRAP
 * (a null exnref, the GC heap exhausted, fuel or an interrupt). */
int kjit_h_throw(kint_thread *th, uint64_t *fp, uint32_t tag, uint32_t base, uint32_t pos);
int kjit_h_throw_ref(kint_thread *th, uint64_t *fp, uint32_t src, uint32_t pos);
/* Looks for a handler of th->exn in the compiled frames of the innermost
 * entry into compiled code, from th->top (each record at its pc): the
 * landing pad to resume (th->top is then its frame, the payload in its
 * slots), or NULL (th->top is then the record below those frames). */
const void *kjit_h_unwind(kint_thread *th);

#endif
