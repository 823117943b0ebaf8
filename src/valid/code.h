/*
 * Code validation state shared by code.c (the driver: operand and control
 * stacks, control flow, calls, locals) and code_ops.c (typing rules of the
 * other instructions that have no signature in the opcode table).
 *
 * The walk is one linear pass with two explicit, heap-allocated stacks (no
 * recursion on nesting depth). The operand stack holds module-relative
 * value types, KIR_BOT for values of unknown type in unreachable code.
 */
#ifndef KITE_VALID_CODE_H
#define KITE_VALID_CODE_H

#include "binary/reader.h"
#include "valid/internal.h"

/* Implementation limits (KITE_ERROR_LIMIT beyond them). */
#define KVAL_MAX_OPERANDS (1u << 22)
#define KVAL_MAX_FRAMES (1u << 21)
#define KVAL_MAX_TRACKED_LOCALS (1u << 26)

typedef enum kval_fkind {
    KVAL_F_BLOCK,
    KVAL_F_LOOP,
    KVAL_F_IF,
    KVAL_F_ELSE,
    KVAL_F_TRY_TABLE,
    KVAL_F_TRY,       /* legacy try, before any catch */
    KVAL_F_CATCH,     /* legacy catch clause */
    KVAL_F_CATCH_ALL, /* legacy catch_all clause */
    KVAL_F_FUNC,      /* the function body (or constant expression) */
} kval_fkind;

typedef struct kval_frame {
    uint8_t kind;
    bool unreachable;
    uint32_t height;    /* operand stack height at entry (params above it) */
    uint32_t undo;      /* local-init undo log length at entry */
    uint32_t type;      /* function type index of the block type, or KIR_NONE */
    kir_valtype single; /* the one result when type == KIR_NONE (0: no result) */
    uint64_t stamp;     /* br_table: offset of the last br_table that checked this label */
} kval_frame;

/* Declared locals, grouped as in the binary (index = params + position). */
typedef struct kval_lgroup {
    uint32_t first, count;
    kir_valtype type;
    uint32_t tracked; /* index of the first in the init flags, or KIR_NONE (defaultable) */
} kval_lgroup;

typedef struct kval_code {
    kval_ctx *v;
    kir_module *m;
    kdec_reader r;
    uint64_t off; /* offset of the instruction being checked */

    kir_valtype *vals;
    uint32_t nvals, vcap, max;
    uint32_t nconst_instrs; /* constant instructions seen (for kir_func) */
    kval_frame *ctl;
    uint32_t nctl, ccap;

    /* Locals of the current function. */
    const kir_valtype *params;
    uint32_t nparams, nlocals;
    kval_lgroup *groups;
    uint32_t ngroups, gcap;
    uint8_t *init; /* per non-defaultable declared local: set? */
    uint32_t initcap;
    uint32_t *undo; /* init flags set since the start of the function */
    uint32_t nundo, undocap;

    const kir_valtype *results; /* of the function (return, tail calls) */
    uint32_t nresults;

    bool konst;        /* checking a constant expression */
    uint32_t nglobals; /* globals a constant expression may read */
} kval_code;

kite_error_t *kval_cerr(kval_code *c, const char *fmt, ...) KITE_PRINTF(2, 3);

/* The out-of-line halves of kval_push and kval_pop_types. */
kite_error_t *kval_push_grow(kval_code *c, kir_valtype t);
kite_error_t *kval_pop_types_sub(kval_code *c, const kir_valtype *ts, uint32_t n);

static inline kite_error_t *kval_push(kval_code *c, kir_valtype t)
{
    if (c->nvals == c->vcap)
        return kval_push_grow(c, t);
    c->vals[c->nvals++] = t;
    if (c->nvals > c->max)
        c->max = c->nvals;
    return NULL;
}

kite_error_t *kval_push_types(kval_code *c, const kir_valtype *ts, uint32_t n);

/* Pop the values `ts` (ts[n-1] on top), checking subtyping. Inline when the
 * stack holds exactly those types; subtyping, unreachable code and errors
 * take the out-of-line path. */
static inline kite_error_t *kval_pop_types(kval_code *c, const kir_valtype *ts, uint32_t n)
{
    uint32_t height = c->ctl[c->nctl - 1].height;
    if (c->nvals - height >= n) {
        const kir_valtype *top = c->vals + c->nvals - n;
        uint32_t i = 0;
        while (i < n && top[i] == ts[i])
            i++;
        if (i == n) {
            c->nvals -= n;
            return NULL;
        }
    }
    return kval_pop_types_sub(c, ts, n);
}
static inline kite_error_t *kval_pop(kval_code *c, kir_valtype t) { return kval_pop_types(c, &t, 1); }
/* Pop one value of any type (KIR_BOT when unknown). */
kite_error_t *kval_pop_any(kval_code *c, kir_valtype *out);
/* Pop a reference (a reference with heap KVAL_HEAP_BOT, non-null, when unknown). */
kite_error_t *kval_pop_ref(kval_code *c, kir_valtype *out);
/* The rest of the current block is unreachable. */
void kval_set_unreachable(kval_code *c);

/* Types of label `l` (relative depth); error "unknown label". */
kite_error_t *kval_label(kval_code *c, uint32_t l, const kir_valtype **ts, uint32_t *n);

/* The data index of memory.init, data.drop, array.new_data, array.init_data:
 * "unknown data segment", or "data count section required" (malformed) when
 * the module has no data count (the text parser sets it when data is used). */
kite_error_t *kval_check_data(kval_code *c, uint32_t x);

static inline kir_valtype kval_addr(bool is64) { return kir_vt(is64 ? KIR_I64 : KIR_I32); }

/* code_ops.c: memory, tables, references, GC, exceptions. Returns
 * true if it handled `in` (setting *err). */
bool kval_check_op(kval_code *c, const kdec_instr *in, kite_error_t **err);

#endif
