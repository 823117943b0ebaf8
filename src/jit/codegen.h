/*
 * The code generator's state, shared by codegen.c (driver: analysis,
 * frames, registers, control, calls) and codegen_ops.c (numeric, memory
 * and variable instructions).
 *
 * It walks a function's translated code (interp/code.h) once, emitting
 * each instruction through the macro-assembler. Register state (see
 * docs/JIT.md):
 *
 *   - pinned locals: up to KJIT_NPIN_GPRS integer and KJIT_NPIN_FPRS float
 *     params/locals live in a register for the whole function; their slot
 *     is stale except around calls (written back before, reloaded after);
 *   - every other slot is authoritative in memory: results are written
 *     through, and a small cache remembers which temporary register still
 *     holds which slot, so the next instruction does not reload it. The
 *     cache is forgotten at labels and calls.
 */
#ifndef KITE_JIT_CODEGEN_H
#define KITE_JIT_CODEGEN_H

#include "jit/jit.h"

#define KJIT_NONE UINT32_MAX

/* Out-of-line code after a function's body: trap stubs and slow paths. */
enum {
    KJIT_OOL_TRAP,      /* trap kind a at position b */
    KJIT_OOL_TRAP_REG,  /* trap of the kind in KJIT_RET (a helper's result) at position b */
    KJIT_OOL_STATUS,    /* a helper returned a KINT_RUN_ status in KJIT_RET: exit with it */
    KJIT_OOL_FUEL,      /* charge fuel a (position b), then jump to label `resume` */
    KJIT_OOL_FUEL_ENTRY,/* the same in a prologue, before the pinned locals are loaded */
    KJIT_OOL_STACK,     /* a prologue found a stack full */
};

typedef struct kjit_ool {
    kjit_label label;
    kjit_label resume;
    uint8_t kind;
    uint32_t a, b;
} kjit_ool;

/* Slot classes for pinning. */
enum { KJIT_CLASS_NONE, KJIT_CLASS_GPR, KJIT_CLASS_F32, KJIT_CLASS_F64 };

/* A function of the unit being compiled. */
typedef struct kjit_ufunc {
    kint_code *code;
    kjit_label entry, tail_entry;
    uint32_t entry_off, tail_off; /* after emission */
    uint32_t osr_first, nosr;     /* its loop headers in the unit's osr list */
    uint32_t land_first, nland;   /* its exception landing pads in the unit's land list */
} kjit_ufunc;

typedef struct kjit_osr_site {
    uint32_t pos;
    kjit_label label;
} kjit_osr_site;

/* What a unit (one chunk: several functions of one instance's code
 * cells) shares. */
typedef struct kjit_unit {
    kint_instance *ki;
    _Atomic(kint_code *) *cells;  /* the code cells (ki->cells) */
    kjit_ufunc *funcs;            /* by function index; code NULL when not in the unit */
    uint32_t nfuncs;
    kjit_masm m;
    kjit_sites sites;
    kjit_stubs stubs;
    kjit_osr_site *osr;
    uint32_t nosr, osrcap;
    bool osr_wanted;              /* emit entries at loop headers */
    kjit_osr_site *land;          /* landing pads of catch targets (codegen_exn.c) */
    uint32_t nland, landcap;
    const void *const *handlers;  /* the interpreter's handler addresses (NULL: op numbers) */
    const void **sorted;          /* handler addresses sorted, for the reverse map */
    uint16_t *sorted_ops;
    /* the first error */
    char error[160];
} kjit_unit;

/* Slots live where control enters each block (liveness.c). */
typedef struct kjit_live {
    bool valid;          /* false: every slot counts as live */
    uint32_t words;      /* per set */
    uint32_t nblocks;
    uint32_t *block_of;  /* per instruction start */
    uint64_t *live_in;   /* nblocks sets */
    const kite_allocator_t *alloc;
} kjit_live;

/* A backward branch that costs fuel, checked just before its loop header. */
typedef struct kjit_backedge {
    uint32_t header, branch, fuel;
    kjit_label check;
} kjit_backedge;

typedef struct kjit_cg {
    kjit_unit *u;
    kjit_masm *m;
    const kint_code *code;
    uint32_t funcidx;
    const kint_word *w;       /* code->code */
    uint32_t pos;             /* current instruction */
    uint32_t next;            /* the one after it */
    kint_op op;

    /* per code position */
    kint_op *ops;             /* op of each instruction start (KINT_OP_COUNT elsewhere) */
    kjit_label *labels;       /* label of each branch target, else KJIT_NONE */
    bool *loop_head;          /* target of a backward branch */
    uint32_t nwords;

    /* slots */
    uint32_t nslots, param_slots, local_end, cbase, cend;
    uint8_t *cls;             /* per param/local slot: KJIT_CLASS_ */
    bool *written;            /* per param/local slot: some instruction writes it */
    kjit_reg *pin;            /* per slot: pinned register or KJIT_NOREG */
    uint32_t npins;
    uint32_t pinned[KJIT_NPIN_GPRS + KJIT_NPIN_FPRS]; /* the pinned slots */
    uint32_t nresult_slots;

    /* temporaries (bit sets by register number): which slot each holds
     * (KJIT_NONE), at what width, and whether the slot's memory is stale */
    uint32_t gtmps, ftmps;    /* the temporaries of this function */
    uint32_t gslot[KJIT_NGPR];
    uint8_t gwidth[KJIT_NGPR];
    uint32_t fslot[KJIT_NFPR];
    uint8_t fwidth[KJIT_NFPR];
    uint32_t gdirty, fdirty;
    uint32_t busy;            /* temporaries in use by the current instruction */
    uint32_t fbusy;

    kjit_ool *ool;
    uint32_t nool, oolcap;
    kjit_live live;
    kjit_backedge *backedges; /* sorted by header */
    uint32_t nbackedges, nextedge;
    uint32_t *check_of;       /* per position: index in backedges of its check, or KJIT_NONE */
    kint_op prev_op;          /* the instruction emitted last */
    kjit_label common;        /* the prologue after the record is in place */
    /* An integer comparison that produced a 0/1 slot leaves its flags for
     * the instruction right after it (a select of that slot): */
    uint32_t flags_slot, flags_next;
    kjit_cond flags_cond;
    bool failed;
    /* 16-byte constants placed after the function (codegen_simd.c) */
    struct kjit_vconst *vconsts;
    uint32_t nvconsts, vconstcap;
} kjit_cg;

/* ---- codegen.c: shared services ---------------------------------------------------------- */

/* Records the first error of the unit (printf-style) and fails the function. */
void kjit_fail(kjit_cg *cg, const char *fmt, ...);
/* An operand field of the current instruction, by name (layout.h). */
uint32_t kjit_fld(kjit_cg *cg, kint_fname name);
uint64_t kjit_fld64(kjit_cg *cg, kint_fname name);
/* A label for an out-of-line piece; returns it. */
kjit_label kjit_ool_add(kjit_cg *cg, uint8_t kind, uint32_t a, uint32_t b, kjit_label resume);
/* Jumps to a trap of `kind` at the current position when c holds. */
void kjit_trap_if(kjit_cg *cg, kjit_cond c, kite_trap_kind_t kind);
kjit_label kjit_trap_label(kjit_cg *cg, kite_trap_kind_t kind);

/* Integer slots: the register holding slot s (w bits), loading it into a
 * temporary if needed; s as an ALU operand (register, immediate for
 * constants, or memory); the register for result slot s; and finishing a
 * result computed in r. */
kjit_reg kjit_gin(kjit_cg *cg, uint32_t s, unsigned w);
kjit_opnd kjit_gopnd(kjit_cg *cg, uint32_t s, unsigned w);
kjit_reg kjit_gout(kjit_cg *cg, uint32_t s);
/* The same, computing in the temporary of an operand r when it has one
 * (the operand's slot is then forgotten): one move and register fewer. */
kjit_reg kjit_gout_reuse(kjit_cg *cg, uint32_t s, kjit_reg r);
void kjit_gdone(kjit_cg *cg, uint32_t s, kjit_reg r, unsigned w);
/* A free integer temporary (marked busy for this instruction). */
kjit_reg kjit_gtmp(kjit_cg *cg);
/* Register r is about to be clobbered: what it held is stored if dirty
 * and forgotten (call before the clobbering instruction). */
void kjit_gclobber(kjit_cg *cg, kjit_reg r);
/* Stores every dirty temporary (before leaving straight-line code). */
void kjit_flush(kjit_cg *cg);
/* Slot s is about to be read from memory: a dirty temporary caching it is
 * stored. Slot s gets a new value in memory: no temporary holds it any more. */
void kjit_flush_slot(kjit_cg *cg, uint32_t s);
void kjit_forget_slot(kjit_cg *cg, uint32_t s);

/* Whether slot s is one of the function's constants, and its value. */
bool kjit_const(const kjit_cg *cg, uint32_t s, uint64_t *v);
/* Whether slot s lives in a register for the whole function. */
bool kjit_pinned(const kjit_cg *cg, uint32_t s);

/* Float slots, likewise (p = 32 or 64). */
kjit_reg kjit_fin(kjit_cg *cg, uint32_t s, unsigned p);
kjit_opnd kjit_fopnd(kjit_cg *cg, uint32_t s, unsigned p);
kjit_reg kjit_fout(kjit_cg *cg, uint32_t s);
kjit_reg kjit_fout_reuse(kjit_cg *cg, uint32_t s, kjit_reg r);
void kjit_fdone(kjit_cg *cg, uint32_t s, kjit_reg r, unsigned p);
kjit_reg kjit_ftmp(kjit_cg *cg);
/* A float temporary holding constant bits (p bits). */
kjit_reg kjit_fconst(kjit_cg *cg, unsigned p, uint64_t bits);

/* Raw 64-bit copies between slots (type-agnostic instructions). */
void kjit_copy_slot(kjit_cg *cg, uint32_t dst, uint32_t src);
/* The slot's current value as raw bits in an integer register. */
kjit_reg kjit_raw_in(kjit_cg *cg, uint32_t s);
/* Stores raw bits in r to slot s (a pinned float slot gets them too). */
void kjit_raw_done(kjit_cg *cg, uint32_t s, kjit_reg r);

/* Around a C call: pinned slots written back (all, or only those a helper
 * reads), and afterwards every temporary forgotten and pinned slots
 * reloaded. */
void kjit_sync_out(kjit_cg *cg);
void kjit_sync_in(kjit_cg *cg);
/* Calls C function fn with up to 6 integer arguments already in place
 * (KJIT_ARG0..); the result in KJIT_RET. */
void kjit_call_c(kjit_cg *cg, const void *fn);
/* After a helper returning a trap kind (0: none): trap with it here. */
void kjit_check_kind(kjit_cg *cg);
/* Runs the current instruction in helper fn(th, fp, pc, op), which reads
 * and writes the frame in memory and returns a trap kind (0: none). */
void kjit_call_exec_helper(kjit_cg *cg, const void *fn);

/* A branch to code position `target` (always, or when c holds), through
 * a fuel check when it goes backward and costs fuel. */
void kjit_branch(kjit_cg *cg, kjit_cond c, bool always, uint32_t target, uint32_t fuel);
/* Where the current conditional branch instruction jumps when taken. */
kjit_label kjit_taken(kjit_cg *cg);
/* The generic slow path: a C helper runs the current instruction on the
 * frame in memory (kjit_h_exec). */
void kjit_emit_exec(kjit_cg *cg);

/* The unit's reverse map from handler addresses to ops; false when out of memory. */
bool kjit_unit_decoder(kjit_unit *u);
/* Compiles unit function funcidx into the unit's buffer; false on an
 * error (u->error says which) or when out of memory. */
bool kjit_compile_function(kjit_unit *u, uint32_t funcidx);

/* ---- liveness.c ---- */

/* Computes cg->live (needs ops and labels); false when it is not
 * available (too large, out of memory): then every slot counts as live. */
bool kjit_live_compute(kjit_cg *cg);
void kjit_live_free(kjit_live *lv);
/* Whether slot is live where the block starting at pos is entered. */
bool kjit_live_at(const kjit_cg *cg, uint32_t pos, uint32_t slot);

/* ---- codegen_ops.c ------------------------------------------------------------------------ */

/* Emits the current instruction if it is a numeric, memory or variable
 * one; false if it is not one of those. */
bool kjit_emit_numeric(kjit_cg *cg);
bool kjit_emit_memory(kjit_cg *cg);
/* Address forms of memory instructions (memory_ops.def, simd_ops.def). */
enum { KJIT_ADDR_PLAIN = 1, KJIT_ADDR_CHECKED, KJIT_ADDR_ADD, KJIT_ADDR_ADD_IMM, KJIT_ADDR_SHL_ADD };
/* The memory operand of the current instruction's access of `size` bytes
 * in address form `form` (bounds checked first for KJIT_ADDR_CHECKED);
 * *site tells whether the access must be recorded as a trap site (a
 * guarded memory 0). Load a stored value before: the access must come
 * right after. */
kjit_opnd kjit_mem_operand(kjit_cg *cg, uint8_t form, unsigned size, bool *site);

/* ---- codegen_atomic.c ---- */

/* Emits the current instruction if it is an atomic one (threads); false if not. */
bool kjit_emit_atomic(kjit_cg *cg);

/* Whether control never falls through op to the next instruction (the
 * end of a block, for the code generator and the liveness analysis). */
bool kjit_unconditional(kint_op op);

/* ---- codegen_exn.c: exceptions ---- */

/* Gives every catch target of the function a label (analysis). */
void kjit_exn_mark_targets(kjit_cg *cg);
/* A function with handlers: its prologue (record in RAX) and OSR entries
 * keep the native stack pointer in the record (kint_frame.nsp). */
void kjit_exn_prologue(kjit_cg *cg);
void kjit_exn_osr_entry(kjit_cg *cg);
/* After the body: a landing pad per catch target (pinned locals reloaded,
 * then its label), listed in the unit for publishing. */
void kjit_exn_landings(kjit_cg *cg, kjit_ufunc *uf);
/* Emits the current instruction if it is throw or throw_ref; false if not. */
bool kjit_emit_exn(kjit_cg *cg);

/* ---- codegen_gc.c ---- */

/* Emits the current instruction if it is a GC one (structs, arrays, i31, casts); false if not. */
bool kjit_emit_gc(kjit_cg *cg);

/* ---- codegen_simd.c ---- */

/* Emits the current instruction if it is a SIMD one (v128 operands); false if not. */
bool kjit_emit_simd(kjit_cg *cg);
/* Emits the function's 16-byte constants (after its out-of-line code)
 * and frees their table. */
void kjit_simd_pool(kjit_cg *cg);
/* COPY2: the v128 in slots src, src + 1 to dst, dst + 1 (in a register). */
void kjit_simd_copy2(kjit_cg *cg, uint32_t dst, uint32_t src);

#endif
