/*
 * The translator's state, shared by translate.c (driver, value stack,
 * control flow) and translate_ops.c (the other instructions).
 *
 * The translator walks the validated code once, keeping a virtual operand
 * stack: each entry says where its value is right now. An entry is either
 * in its home slot (opbase + its stack height in slots: TV_HOME), still in
 * another slot it was read from (a local after local.get: TV_REF), or a
 * constant (TV_IMM), which an instruction takes as an immediate or reads
 * from the function's constant pool (slots filled at entry). Consumers read entries
 * wherever they are, so local.get and constants cost nothing; an entry is
 * "materialized" (copied to its home) only when its value must live there:
 * before the local it refers to changes, at control-flow merges, for call
 * arguments and branch values.
 */
#ifndef KITE_INTERP_TRANSLATE_H
#define KITE_INTERP_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "binary/reader.h"
#include "interp/code.h"
#include "interp/interp.h"

#define KINT_NONE UINT32_MAX
/* Distinct constants given frame slots per function (more are materialized
 * where used). */
#define KINT_CONST_POOL 64u

enum { KINT_TV_HOME, KINT_TV_REF, KINT_TV_IMM };

typedef struct kint_tv {
    uint32_t home;  /* its operand slot */
    uint32_t slot;  /* KINT_TV_REF: the slot holding the value */
    uint32_t local; /* KINT_TV_REF of a local: its index, else KINT_NONE */
    uint8_t kind;
    uint8_t size;   /* slots: 1, or 2 for v128 */
    bool ref;       /* a reference (for the stack maps); constants never are */
    uint64_t imm;   /* KINT_TV_IMM */
} kint_tv;

enum {
    KINT_CTL_FUNC,
    KINT_CTL_BLOCK,
    KINT_CTL_LOOP,
    KINT_CTL_IF,
    KINT_CTL_ELSE,
    KINT_CTL_TRY_TABLE,
    KINT_CTL_TRY,   /* legacy try, in its body */
    KINT_CTL_CATCH, /* legacy try, in a catch or catch_all clause */
};

typedef struct kint_ctl {
    uint8_t kind;
    bool dead;          /* the rest of the current part is unreachable */
    bool reached;       /* a branch goes to the end label */
    uint32_t height;    /* value stack entries below the block */
    uint32_t base;      /* slot height below the block (from opbase) */
    uint32_t type;      /* block type: function type index, or KINT_NONE */
    kir_valtype single; /* single result type when type is KINT_NONE (0: none) */
    uint32_t label;     /* loop: the header's code position */
    uint32_t icount;    /* loop: instructions translated before the header */
    uint32_t fixups;    /* chain of forward branches to the end label */
    uint32_t else_fix;  /* if: chain of the branch to the else part */
    uint32_t try_start; /* try_table / try: code position where the body starts */
    uint32_t catch_first, catch_count; /* try_table: its clauses */
    uint32_t handler;   /* legacy try: its handler entry, once the body ended */
    uint32_t pend_first;/* legacy try: its first clause on the pending stack */
    uint32_t hmark;     /* handler index delegates to this label resume at */
    uint32_t delegates; /* chain of delegate entries waiting for hmark */
} kint_ctl;

enum { KINT_FIX_LABEL, KINT_FIX_CATCH };

/* A forward reference to a label: the label field of the branch at
 * `instr` (entry KINT_NONE) or entry `entry` of a br_table's tail, to be
 * set to (label - instr); or a catch clause's target (catches[entry]). */
typedef struct kint_fix {
    uint32_t instr, entry, next;
    uint8_t kind;
} kint_fix;

/* What the last emitted instruction produced, for fusing it with what
 * follows: retargeting its destination (local.set) or turning a
 * comparison and a conditional branch into one instruction. Its fields are
 * read and patched by name (layout.h). */
typedef struct kint_last {
    bool valid;
    bool fusable;       /* a comparison or test: br_op/brn_op apply */
    uint32_t pos;       /* code position */
    uint32_t dst;       /* the slot it writes (its field `dst`) */
    kint_op op;         /* its internal op */
    kint_op br_op, brn_op;
    kint_word words[KINT_MAX_SIZE]; /* kint_tr_unemit_last: the instruction removed */
} kint_last;

typedef struct kint_tr {
    const kite_allocator_t *alloc; /* the module's engine's */
    const kir_module *m;
    const kir_func *f;
    uint32_t funcidx;
    unsigned variant;
    _Atomic(kint_code *) *cells;
    const struct kgc_rtt *const *rtts; /* per struct/array type index: layouts */
    kdec_reader r;
    uint64_t offset;    /* Wasm offset of the instruction being translated */
    uint32_t icount;    /* instructions translated */
    bool oom;
    bool bad_layout;    /* an op emitted or patched against its shape (a bug): fail */

    /* frame layout */
    uint32_t nlocals;   /* params included */
    uint32_t *local_slot; /* nlocals + 1 entries: slot of each local, then the end */
    kir_valtype *local_type; /* nlocals entries */
    uint32_t *pending;  /* per local: KINT_TV_REF entries reading it */
    uint32_t lslotcap, ltypecap, pendingcap, lrefcap;
    uint32_t param_slots, local_slots, opbase;
    uint32_t max_height;

    /* constant pool: npool slots reserved (one per constant instruction,
     * at most KINT_CONST_POOL), given to distinct constants in order of
     * first use; constants only used as immediates take none */
    uint64_t consts[KINT_CONST_POOL];
    uint32_t nconsts, npool;
    uint16_t chash[2 * KINT_CONST_POOL]; /* index + 1, open addressing */

    /* value stack */
    kint_tv *vals;
    uint32_t nvals, vcap;
    uint32_t height;    /* in slots, from opbase */
    uint32_t vlow;      /* entries below vlow are all KINT_TV_HOME */

    /* control stack */
    kint_ctl *ctl;
    uint32_t nctl, ccap;
    uint32_t dead_depth; /* blocks opened inside unreachable code */

    /* output */
    kint_word *code;
    uint32_t ncode, codecap;
    kint_pcmap *pcmap;
    uint32_t npcmap, pcmapcap;
    kint_fix *fix;
    uint32_t nfix, fixcap;
    kint_handler *handlers;
    uint32_t nhandlers, hcap;
    kint_catch *catches;
    uint32_t ncatches, catchcap;
    kint_catch *pend;   /* legacy catch clauses of the open tries */
    uint32_t npend, pendcap;
    uint32_t *dnext;    /* per handler entry: next in its delegate chain */
    uint32_t dcap;
    uint32_t *scratch;  /* per control frame (br_table trampolines) */
    uint32_t scap;

    kint_last last;
    uint32_t copy_pos;  /* the last instruction, if it is a COPY (else KINT_NONE) */

    /* stack maps: refstk lists the value stack entries that are references
     * (ascending); refver changes whenever the set of slots they occupy may
     * have, so consecutive safepoints with the same set share their list */
    uint32_t *refstk;
    uint32_t nrefstk, refstkcap;
    uint32_t refver;
    uint32_t *localrefs; /* reference-typed param and local slots */
    uint32_t nlocalrefs;
    kint_safepoint *sps;
    uint32_t nsps, spcap;
    uint32_t *spslots;
    uint32_t nspslots, spslotcap;
    bool sp_cached;
    uint32_t sp_ver, sp_limit, sp_first, sp_count;
    uint32_t sp_pending; /* safepoint waiting for its position, or KINT_NONE */
} kint_tr;

/* Every growable buffer of kint_tr with its capacity: what a kint_tr_keep
 * carries from one translation to the next. */
#define KINT_TR_BUFFERS(X)                                                                        \
    X(local_slot, lslotcap) X(local_type, ltypecap) X(localrefs, lrefcap) X(pending, pendingcap) \
    X(vals, vcap) X(ctl, ccap) X(code, codecap) X(pcmap, pcmapcap) X(fix, fixcap)                 \
    X(handlers, hcap) X(catches, catchcap) X(pend, pendcap) X(dnext, dcap) X(scratch, scap)       \
    X(refstk, refstkcap) X(sps, spcap) X(spslots, spslotcap)

struct kint_tr_keep {
#define KINT_TR_KEEP_FIELD(arr, cap) \
    void *arr;                       \
    uint32_t cap;
    KINT_TR_BUFFERS(KINT_TR_KEEP_FIELD)
#undef KINT_TR_KEEP_FIELD
};

/* Grows *arr (elements of size sz, capacity *cap) to hold n; false when out of memory. */
bool kint_tr_grow(const kite_allocator_t *a, void **arr, uint32_t *cap, uint32_t n, size_t sz);

/* Makes room for n elements in buffer t->arr (see KINT_TR_BUFFERS); false
 * (and t->oom set) when out of memory. */
#define KINT_TR_GROW(t, arr, cap, n)                                                               \
    ((n) <= (t)->cap ||                                                                            \
     kint_tr_grow((t)->alloc, (void **)&(t)->arr, &(t)->cap, (n), sizeof(*(t)->arr)) ||            \
     ((t)->oom = true, false))

/* The emission and value-stack primitives below run several times per
 * instruction, so they are inline; growing buffers is out of line. */

/* Appends a raw word (br_table's tail). */
static inline void kint_tr_w64(kint_tr *t, uint64_t w)
{
    if (!KINT_TR_GROW(t, code, codecap, t->ncode + 1))
        return;
    t->code[t->ncode++] = w;
}

/* Appends instruction w[0..n) of op (w[0] is op), recording its Wasm
 * offset; returns its position. */
static inline uint32_t kint_tr_emit(kint_tr *t, kint_op op, kint_shape shape, const kint_word *w,
                                    uint32_t n)
{
    uint32_t pos = t->ncode;
    if (kint_ops[op].shape != shape)
        t->bad_layout = true;
    if (KINT_TR_GROW(t, pcmap, pcmapcap, t->npcmap + 1))
        t->pcmap[t->npcmap++] = (kint_pcmap){pos, (uint32_t)t->offset};
    if (KINT_TR_GROW(t, code, codecap, pos + n)) {
        memcpy(t->code + pos, w, n * sizeof(*w));
        t->ncode = pos + n;
    }
    t->last.valid = false;
    t->copy_pos = KINT_NONE;
    return pos;
}

/*
 * One emitter per shape, derived from layout.h: kint_emit_<SHAPE>(t, op,
 * fields...) takes the shape's fields in declared order (64-bit fields as
 * uint64_t) and returns the instruction's position.
 */
#define KINT_EMIT_PARAM(X, f, kind, word, half) , KINT_EMIT_TYPE_##half f_##f
#define KINT_EMIT_TYPE_LO uint32_t
#define KINT_EMIT_TYPE_HI uint32_t
#define KINT_EMIT_TYPE_W uint64_t
#define KINT_EMIT_PUT(X, f, kind, word, half) w[word] |= KINT_EMIT_PUT_##half(f_##f);
#define KINT_EMIT_PUT_LO(v) (uint64_t)(v)
#define KINT_EMIT_PUT_HI(v) ((uint64_t)(v) << 32)
#define KINT_EMIT_PUT_W(v) (v)
#define KINT_EMITTER(shape, words)                                                          \
    static inline uint32_t kint_emit_##shape(kint_tr *t, kint_op op KINT_FIELDS_##shape(KINT_EMIT_PARAM, shape)) \
    {                                                                                       \
        kint_word w[1 + (words)] = {(kint_word)op};                                         \
        KINT_FIELDS_##shape(KINT_EMIT_PUT, shape)                                           \
        return kint_tr_emit(t, op, KINT_SHAPE_##shape, w, 1 + (words));                     \
    }
KINT_SHAPES(KINT_EMITTER)
#undef KINT_EMITTER

/* Emits op with each of its fields taken from the same-named field of
 * instruction `from` (of op from_op), 0 where that has none: a fused form
 * of an instruction just removed. */
uint32_t kint_tr_emit_like(kint_tr *t, kint_op op, const kint_word *from, kint_op from_op);

/* Sets field `name` of the instruction at code position pos, found by
 * name through its op's shape. */
static inline void kint_tr_patch(kint_tr *t, uint32_t pos, kint_fname name, uint64_t v)
{
    if (pos >= t->ncode)
        return; /* out of memory */
    const kint_field *f = kint_layout_field((kint_op)t->code[pos], name);
    if (!f) {
        t->bad_layout = true;
        return;
    }
    kint_layout_set(t->code + pos, f, v);
}

/* Records the instruction at pos (of `shape`) as the last one, producing
 * slot dst: its field `dst`, a single slot written. */
#define KINT_TR_RESULT(t, shape, pos, dst)                                                  \
    do {                                                                                    \
        _Static_assert(KINT_KIND_##shape##_dst == (int)KINT_FK_OUT, #shape ": dst is not one slot written"); \
        kint_tr_set_last((t), (pos), (dst));                                                \
    } while (0)

static inline void kint_tr_set_last(kint_tr *t, uint32_t pos, uint32_t dst)
{
    if (pos >= t->ncode)
        return; /* out of memory */
    t->last.valid = true;
    t->last.fusable = false;
    t->last.pos = pos;
    t->last.dst = dst;
    t->last.op = (kint_op)t->code[pos];
}

/* Whether entry v (just popped) is the result of the last instruction and
 * that instruction is `op`: then it can be fused into its consumer. */
static inline bool kint_tr_is_last(const kint_tr *t, const kint_tv *v, kint_op op)
{
    return v->kind == KINT_TV_HOME && t->last.valid && t->last.op == op && t->last.dst == v->home;
}

/* Removes the last instruction emitted, which starts at pos. */
static inline void kint_tr_unemit(kint_tr *t, uint32_t pos)
{
    t->ncode = pos;
    if (t->npcmap && t->pcmap[t->npcmap - 1].pos == pos)
        t->npcmap--;
    t->last.valid = false;
    t->copy_pos = KINT_NONE;
}

/* Removes the last instruction (to emit a fused one instead); returns it
 * with its words. */
kint_last kint_tr_unemit_last(kint_tr *t);

/* Pushes an entry of `kind` taking `size` slots; NULL when out of memory. */
static inline kint_tv *kint_tr_push(kint_tr *t, uint8_t kind, uint32_t size, bool ref)
{
    if (!KINT_TR_GROW(t, vals, vcap, t->nvals + 1))
        return NULL;
    if (ref) {
        if (!KINT_TR_GROW(t, refstk, refstkcap, t->nrefstk + 1))
            return NULL;
        t->refstk[t->nrefstk++] = t->nvals;
        t->refver++;
    }
    kint_tv *v = &t->vals[t->nvals++];
    *v = (kint_tv){.home = t->opbase + t->height, .slot = 0, .local = KINT_NONE, .kind = kind,
                   .size = (uint8_t)size, .ref = ref};
    t->height += size;
    if (t->height > t->max_height)
        t->max_height = t->height;
    return v;
}

/* Value stack. push_home pushes a non-reference; push_type a value of type t. */
static inline uint32_t kint_tr_push_home(kint_tr *t, uint32_t size)
{
    kint_tv *v = kint_tr_push(t, KINT_TV_HOME, size, false);
    return v ? v->home : 0;
}

uint32_t kint_tr_push_type(kint_tr *t, kir_valtype type);

static inline kint_tv kint_tr_pop(kint_tr *t)
{
    kint_tv v = t->vals[--t->nvals];
    t->height -= v.size;
    if (v.ref) {
        t->nrefstk--;
        t->refver++;
    }
    if (v.kind == KINT_TV_REF && v.local != KINT_NONE)
        t->pending[v.local]--;
    if (t->vlow > t->nvals)
        t->vlow = t->nvals;
    return v;
}

/* The pool slot of constant `value`: found, or given out while reserved
 * slots remain (`add`). False when it has none. */
bool kint_tr_const_slot(kint_tr *t, uint64_t value, bool add, uint32_t *slot);

/* The slot an operand can be read from only if that needs no instruction:
 * false otherwise. */
static inline bool kint_tr_use_free(kint_tr *t, const kint_tv *v, uint32_t *slot)
{
    switch (v->kind) {
    case KINT_TV_REF: *slot = v->slot; return true;
    case KINT_TV_IMM: return kint_tr_const_slot(t, v->imm, true, slot);
    default: *slot = v->home; return true;
    }
}

/* The slot an operand can be read from (a pool slot for a constant, or
 * its home after materializing it). */
uint32_t kint_tr_use(kint_tr *t, kint_tv *v);
/* Copies the top n entries to their home slots (call arguments). */
void kint_tr_materialize_top(kint_tr *t, uint32_t n);
/* Slots taken by the top n entries. */
uint32_t kint_tr_top_slots(const kint_tr *t, uint32_t n);

/* Instructions of translate_ops.c: false if `in` is not one of them. */
bool kint_tr_numeric(kint_tr *t, const kdec_instr *in);
bool kint_tr_memory(kint_tr *t, const kdec_instr *in);
bool kint_tr_misc(kint_tr *t, const kdec_instr *in);
/* Calls: direct, indirect, by reference; tail calls when `tail`. */
void kint_tr_call(kint_tr *t, const kdec_instr *in);
/* SIMD instructions (translate_simd.c): false if `in` is not one of them. */
bool kint_tr_simd(kint_tr *t, const kdec_instr *in);
/* GC instructions (translate_gc.c): false if `in` is not one of them. */
bool kint_tr_gc(kint_tr *t, const kdec_instr *in);
/* The cast target operand (KINT_CAST_*) of reference type rt. */
uint32_t kint_tr_cast_target(const kint_tr *t, kir_valtype rt);

/* Stack maps: before an instruction that may collect, record the operand
 * slots holding references, all but the top `exclude` entries (a call's
 * arguments, which become the callee's frame); after emitting it, fix the
 * safepoint's position (the end of the instruction). */
void kint_tr_safepoint(kint_tr *t, uint32_t exclude);
void kint_tr_safepoint_end(kint_tr *t);

#endif
