/*
 * The interpreter's internal code: what the translator makes of a validated
 * function and the executor runs.
 *
 * A register machine over frame slots. A frame is an array of 8-byte slots
 * (a v128 takes two):
 *
 *   fp[0]                                                          fp[frame_slots]
 *   | params | locals (zeroed) | constants (copied) | operand slots              |
 *   |<-------------------- opbase -------------->|
 *
 * Every Wasm operand-stack position has a fixed slot (opbase + its height in
 * slots) and every instruction names the slots it reads and writes, so the
 * operand stack costs nothing at run time: local.get is folded into its
 * consumer, which reads the local's slot, and so are constants, taken as
 * immediates by the common integer operations (i32.add x c, comparisons
 * with c and the branches they fuse into) and otherwise read from the
 * constant slots (at most KINT_CONST_POOL per function, copied in at entry).
 * A call passes its arguments in the caller's operand slots: the callee's
 * frame starts at the first argument (its fp[0]), and its results come back
 * at the same place.
 *
 * Code is an array of 64-bit words. An instruction is a handler word (the
 * address of its handler in the executor under computed goto, its op number
 * with switch dispatch) followed by its shape's operand words, each holding
 * one 64-bit field or two 32-bit ones (low and high half):
 *
 *   word 0                      word 1                      word 2
 *   +-------------------------+ +------------+------------+ +------------+-------+
 *   | handler (64)            | | a (lo 32)  | b (hi 32)  | | dst (lo)   | -     |   i32.add
 *   +-------------------------+ +------------+------------+ +------------+-------+
 *   | handler                 | | a          | b          | | label (s32)| fuel  |   br_if a<b
 *   +-------------------------+ +------------+------------+ +------------+-------+
 *   | handler                 | | a          | imm        | | dst        | -     |   i32.add a c
 *   +-------------------------+ +------------+------------+ +------------+-------+
 *
 * layout.h defines every shape and ops_all.h gives each op its shape; the
 * executor, the translator and the disassembler all work from that one
 * definition. Labels count words from the start of the branching
 * instruction; blocks and loops emit nothing. Only br_table has a variable
 * length.
 */
#ifndef KITE_INTERP_CODE_H
#define KITE_INTERP_CODE_H

#include <stdatomic.h>
#include <stdint.h>

typedef uint64_t kint_word;

#include "interp/layout.h"

/* Code position (word index) -> Wasm byte offset of the instruction that
 * starts there; one entry per instruction, sorted. Used for backtraces
 * (only when trapping) and to turn op numbers into handler addresses. */
typedef struct kint_pcmap {
    uint32_t pos;
    uint32_t offset;
} kint_pcmap;

/*
 * Exception handlers. A try_table (or legacy try) covers the code range
 * [start, end) of its body; entries are ordered innermost first (by the end
 * of their body), so the first entry whose range holds the throwing
 * position and whose clauses match wins. A legacy `delegate` entry sends
 * the search on at entry `delegate` (entries from there on are the
 * delegate's target and what encloses it).
 */
typedef struct kint_catch {
    uint32_t kind;     /* kdec_catch_kind */
    uint32_t tag;      /* module tag index (catch, catch_ref) */
    uint32_t target;   /* code position of the handler (the label) */
    uint32_t dst;      /* first slot of the payload */
    uint32_t ref_slot; /* slot for the exnref, or UINT32_MAX */
} kint_catch;

typedef struct kint_handler {
    uint32_t start, end;   /* code range */
    uint32_t first, count; /* catches[first .. first+count) */
    uint32_t delegate;     /* UINT32_MAX, or the entry the search continues at */
} kint_handler;

/*
 * Stack maps for the collector. A frame's reference slots at a point where
 * a collection can happen (a call, or an instruction that allocates) are
 * its params and locals of reference type (the same everywhere in the
 * function) plus the operand slots holding references there. Safepoints
 * are keyed by the code position where the frame resumes (what its record's
 * pc holds then): the end of the call or allocating instruction. Only
 * positions with operand references are listed; anywhere else the locals
 * are all.
 */
typedef struct kint_safepoint {
    uint32_t pos;          /* code position after the instruction */
    uint32_t first, count; /* its operand slots: refslots[nlocal_refs + first ..] */
} kint_safepoint;

/* Frame set-up writes this many locals and constants unconditionally:
 * frame_slots >= param_slots + local_slots + KINT_INIT_WORDS, and consts
 * has at least KINT_INIT_WORDS entries (zero padding). */
#define KINT_INIT_WORDS 4

/*
 * Compiled code of a function (src/jit), published in its kint_code once
 * made: `entry` is its native code (`tail_entry` for tail calls), `enter`
 * the stub that runs native code
 * from C (the KINT_RUN_* status of interp.h), and per loop header the
 * native address where a frame the interpreter is running can continue
 * (on-stack replacement), sorted by code position.
 */
struct kint_thread;
struct kint_instance;
typedef int kint_native_enter(struct kint_thread *th, uint64_t *fp, struct kint_instance *ki,
                              const void *target);
typedef struct kint_osr {
    uint32_t pos;
    const void *entry;
} kint_osr;
typedef struct kint_native {
    kint_native_enter *enter;
    const void *entry;
    const void *tail_entry; /* a tail call's: the caller's frame record is reused */
    uint32_t nosr;
    const kint_osr *osr;
    /* per exception handler's code position, its native landing pad (sorted) */
    uint32_t ncatch;
    const kint_osr *catches;
} kint_native;

/* One translated function (immutable once published, but for `native`,
 * set once when it is compiled, and the `hot` counter). */
typedef struct kint_code {
    uint32_t func_index;
    uint32_t param_slots;
    uint32_t local_slots;  /* zeroed at entry, from fp[param_slots] */
    uint32_t nconsts;      /* copied at entry, from fp[param_slots + local_slots] */
    uint32_t frame_slots;  /* the whole frame */
    uint32_t nwords, npcmap, nhandlers, ncatches;
    const uint64_t *consts;
    const kint_pcmap *pcmap;
    const kint_handler *handlers;
    const kint_catch *catches;
    kint_word *code;
    /* stack maps (last: the fields above are the ones calls read) */
    uint32_t nlocal_refs;  /* params and locals of reference type: refslots[0 ..) */
    uint32_t nsafepoints;  /* sorted by pos */
    const uint32_t *refslots;
    const kint_safepoint *safepoints;
    /* the compiler tier */
    _Atomic(const kint_native *) native; /* NULL until compiled */
    /* calls and loop iterations so far (tier auto); threads running the
     * code count with relaxed loads and stores (an increment may be lost,
     * never torn); passing the threshold is a compare-and-swap (kint_hot) */
    _Atomic uint32_t hot;
} kint_code;

#endif
