/*
 * The compiler tier's internal interface: code chunks, the stubs every
 * chunk starts with, trap sites, and entering compiled code. docs/JIT.md
 * describes frames, registers and the conventions between tiers.
 *
 * Compiled code runs on the interpreter's stacks: a Wasm frame is the same
 * array of slots (kint_thread.stack), with the same frame record
 * (kint_frame) pushed at entry, so stack maps, backtraces and exception
 * handler tables keyed by code position serve both tiers. The native stack
 * holds only return addresses and saved frame pointers.
 */
#ifndef KITE_JIT_JIT_H
#define KITE_JIT_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "interp/interp.h"
#include "jit/masm.h"
#include "runtime/os/os.h"

/*
 * The entry stub, a C function: runs compiled code at `target` with frame
 * slots fp of instance ki on thread th, and returns a KINT_RUN_ status (interp.h)
 * when that code returns or traps. It saves what the C ABI says a callee
 * saves, records its stack pointer in th->native_sp (restoring the previous
 * value on the way out, so entries nest), and sets up the fixed registers
 * (regs.h). A trap anywhere below unwinds straight back to the innermost
 * entry's stack pointer.
 */
typedef kint_native_enter kjit_enter_fn;

/* Where a trapping compiled function jumps: `trap` with the trap kind in
 * KJIT_TRAP_KIND_REG and the code position in KJIT_TRAP_POS_REG. */
#define KJIT_TRAP_KIND_REG KJIT_ARG1
#define KJIT_TRAP_POS_REG KJIT_ARG2

/* The stubs at the start of every chunk: `enter` (kjit_enter_fn), `exit`
 * (status in KJIT_RET: unwind to the innermost entry and return it),
 * `trap` (see above) and `landing` (where the fault handler resumes a
 * thread that faulted at a trap site). */
typedef struct kjit_stubs {
    kjit_label enter, exit, trap, landing;
} kjit_stubs;

void kjit_emit_stubs(kjit_masm *m, kjit_stubs *stubs);
/* The exit stub's part for KINT_RUN_EXN (codegen_exn.c): unwinds to a
 * handler of a compiled frame of this entry and resumes it there, else
 * leaves through `plain` (the rest of exit) with the status. */
void kjit_emit_unwind_stub(kjit_masm *m, kjit_label unwind, kjit_label plain);
/* Where the entry stub keeps th->top as it was at entry (the record below
 * the entry's compiled frames): this far above th->native_sp. */
#define KJIT_ENTRY_BASE_OFFSET 8

/* Trap sites collected while emitting, in increasing offset order. */
typedef struct kjit_sites {
    kos_trap_site *v;
    uint32_t n, cap;
    bool oom;
    const kite_allocator_t *alloc; /* of v (set before the first site) */
} kjit_sites;

void kjit_site_add(kjit_sites *s, uint32_t offset, uint32_t flags, uint32_t kind, uint32_t pos);
void kjit_sites_free(kjit_sites *s);

/* A chunk: sealed, immutable code with its trap sites, registered with the
 * fault handler for as long as it lives. */
typedef struct kjit_chunk {
    uint8_t *mem;            /* the mapping */
    size_t mapped;
    kos_code_range range;    /* what the fault handler sees */
    kos_trap_site *sites;
    void *registration;
    kjit_enter_fn *enter;
    const kite_allocator_t *alloc; /* the masm's: of this record and `sites` */
} kjit_chunk;

/*
 * Copies the finished code of m (stubs first) into new code memory, seals
 * it and registers it with its sites (taken over: *sites is emptied).
 * 0 or an errno value: ENOMEM (also when m ran out of memory or has an
 * unbound label), ENOTSUP when there are trap sites but faults cannot be
 * redirected here.
 */
int kjit_chunk_new(kjit_masm *m, const kjit_stubs *stubs, kjit_sites *sites, kjit_chunk **out);
void kjit_chunk_free(kjit_chunk *c);

static inline const void *kjit_chunk_addr(const kjit_chunk *c, uint32_t offset)
{
    return c->mem + offset;
}

#endif
