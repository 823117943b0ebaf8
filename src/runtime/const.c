/*
 * Constant expressions: global initializers, table initializers, segment
 * offsets and element expressions, evaluated at instantiation.
 *
 * The expressions were validated, so the walk trusts their typing but not
 * blindly: a stack that would under- or overflow ends the evaluation with
 * a trap instead of a wild access. The GC constructors allocate in the
 * store's GC heap (through the engine's hooks: the GC sits above the
 * runtime), which may collect: the evaluation stack is a root frame for that
 * time (each entry knows whether it is a reference).
 */
#include <string.h>

#include "binary/reader.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct cval {
    uint64_t v[2];
    bool ref;
} cval;

/* The evaluation stack, scanned by the collector. */
typedef struct cstack {
    krt_roots roots; /* first: the collector hands this back */
    cval *vals;
    size_t sp, cap;
} cstack;

static void scan_cstack(const krt_roots *r, krt_marker *m)
{
    const cstack *cs = (const cstack *)(const void *)r;
    for (size_t i = 0; i < cs->sp; i++)
        if (cs->vals[i].ref)
            m->mark(m, (krt_ref)cs->vals[i].v[0]);
}

/* Every instruction takes at least one byte and pushes at most one value,
 * so an expression of n bytes never holds more than n values. */
#define SMALL_STACK 32

static uint64_t le64(const uint8_t *b)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | b[i];
    return x;
}

/* The binary operators of extended-const, on i32 (wrapping at 32 bits) or
 * i64. */
static uint64_t arith(kir_op op, uint64_t a, uint64_t b)
{
    switch (op) {
    case KIR_OP_I32_ADD: return (uint32_t)(a + b);
    case KIR_OP_I32_SUB: return (uint32_t)(a - b);
    case KIR_OP_I32_MUL: return (uint32_t)((uint32_t)a * (uint32_t)b);
    case KIR_OP_I64_ADD: return a + b;
    case KIR_OP_I64_SUB: return a - b;
    default: return a * b; /* KIR_OP_I64_MUL */
    }
}

static kite_trap_t *trap_of(const krt_instance *inst, kite_trap_kind_t kind)
{
    kite_trap_t *t = krt_trap_new(inst->store->alloc, kind);
    return t ? t : krt_trap_oom();
}

/* The trap for an expression validation would have rejected (never NULL):
 * validation allows only the instructions step() evaluates, so this is a
 * kite bug, reported as one instead of a crash. */
static kite_trap_t *internal_trap(const krt_instance *inst)
{
    return trap_of(inst, KITE_TRAP_INTERNAL);
}

/* Slots a field or element of storage type t takes in struct.new's and
 * array.new_fixed's operands (two for v128). */
static uint32_t storage_slots(kir_valtype t) { return kir_vt_kind(t) == KIR_V128 ? 2u : 1u; }

/*
 * The GC constructors (struct.new, struct.new_default, array.new,
 * array.new_default, array.new_fixed of type x). Their operands are the top
 * values, which stay on the stack (rooted) until the object exists; the
 * engine's GC (krt_hooks.gc_new) makes it from their slot form.
 */
static kite_trap_t *new_gc_object(krt_instance *inst, const kdec_instr *in, cstack *cs, cval *out)
{
    uint32_t x = in->idx[0];
    if (x >= inst->m->ntypes)
        return internal_trap(inst);
    uint32_t canon = inst->canon[x];
    const ktype_ctype *ct = ktype_canon_type(inst->store->engine->canon, canon);
    bool is_struct = in->op == KIR_OP_STRUCT_NEW || in->op == KIR_OP_STRUCT_NEW_DEFAULT;
    if (ct->comp != (is_struct ? KIR_COMP_STRUCT : KIR_COMP_ARRAY))
        return internal_trap(inst);
    /* Values popped, and the values among them that are the operands. */
    size_t pop = 0, nvals = 0;
    uint32_t count = 0;
    switch (in->op) {
    case KIR_OP_STRUCT_NEW: pop = nvals = ct->nfields; break;
    case KIR_OP_STRUCT_NEW_DEFAULT: break;
    case KIR_OP_ARRAY_NEW: pop = 2, nvals = 1; break;
    case KIR_OP_ARRAY_NEW_DEFAULT: pop = 1; break;
    default: pop = nvals = count = in->idx[1]; break; /* KIR_OP_ARRAY_NEW_FIXED */
    }
    if (cs->sp < pop)
        return internal_trap(inst);
    if (in->op == KIR_OP_ARRAY_NEW || in->op == KIR_OP_ARRAY_NEW_DEFAULT)
        count = (uint32_t)cs->vals[cs->sp - 1].v[0];
    uint64_t small[32], *slots = NULL;
    if (nvals) {
        size_t nslots = 0;
        for (size_t i = 0; i < nvals; i++)
            nslots += storage_slots(ct->fields[is_struct ? i : 0].type);
        slots = nslots <= 32 ? small : kutil_malloc(inst->store->alloc, nslots * sizeof(uint64_t));
        if (!slots)
            return krt_trap_oom();
        const cval *v = &cs->vals[cs->sp - pop];
        for (size_t i = 0, at = 0; i < nvals; i++) {
            slots[at++] = v[i].v[0];
            if (storage_slots(ct->fields[is_struct ? i : 0].type) == 2)
                slots[at++] = v[i].v[1];
        }
    }
    krt_ref ref;
    kite_trap_kind_t why;
    bool ok =
        inst->store->engine->hooks->gc_new(inst->store, in->op, canon, slots, count, &ref, &why);
    if (slots != small)
        kutil_free(inst->store->alloc, slots);
    if (!ok)
        return trap_of(inst, why);
    cs->sp -= pop;
    out->v[0] = (uint64_t)ref;
    return NULL;
}

/* One instruction. Returns false (with *trap set) to stop. */
static bool step(krt_instance *inst, const kdec_instr *in, cstack *cs, kite_trap_t **trap)
{
    cval v = {{0, 0}, false};
    switch (in->op) {
    case KIR_OP_I32_CONST: v.v[0] = (uint32_t)in->num; break;
    case KIR_OP_I64_CONST:
    case KIR_OP_F64_CONST: v.v[0] = in->num; break;
    case KIR_OP_F32_CONST: v.v[0] = (uint32_t)in->num; break;
    case KIR_OP_V128_CONST:
        v.v[0] = le64(in->bytes);
        v.v[1] = le64(in->bytes + 8);
        break;
    case KIR_OP_REF_NULL: v.ref = true; break;
    case KIR_OP_REF_FUNC:
        if (in->idx[0] >= inst->m->nfuncs)
            goto internal;
        v.v[0] = (uint64_t)krt_ref_from_obj(inst->funcs[in->idx[0]]);
        v.ref = true;
        break;
    case KIR_OP_GLOBAL_GET:
        if (in->idx[0] >= inst->m->nglobals || !inst->globals[in->idx[0]])
            goto internal;
        v.v[0] = inst->globals[in->idx[0]]->value[0];
        v.v[1] = inst->globals[in->idx[0]]->value[1];
        v.ref = kir_vt_is_ref(inst->globals[in->idx[0]]->type);
        break;
    case KIR_OP_I32_ADD:
    case KIR_OP_I32_SUB:
    case KIR_OP_I32_MUL:
    case KIR_OP_I64_ADD:
    case KIR_OP_I64_SUB:
    case KIR_OP_I64_MUL:
        if (cs->sp < 2)
            goto internal;
        cs->vals[cs->sp - 2].v[0] = arith(in->op, cs->vals[cs->sp - 2].v[0], cs->vals[cs->sp - 1].v[0]);
        cs->sp--;
        return true;
    case KIR_OP_REF_I31:
        if (cs->sp < 1)
            goto internal;
        cs->vals[cs->sp - 1].v[0] = (uint64_t)krt_ref_i31_new((uint32_t)cs->vals[cs->sp - 1].v[0]);
        cs->vals[cs->sp - 1].ref = true;
        return true;
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY:
        /* The same reference in the other hierarchy. */
        if (cs->sp < 1)
            goto internal;
        return true;
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT:
    case KIR_OP_ARRAY_NEW:
    case KIR_OP_ARRAY_NEW_DEFAULT:
    case KIR_OP_ARRAY_NEW_FIXED:
        v.ref = true;
        *trap = new_gc_object(inst, in, cs, &v);
        if (*trap)
            return false;
        break;
    default:
        goto internal;
    }
    if (cs->sp == cs->cap)
        goto internal;
    cs->vals[cs->sp++] = v;
    return true;
internal:
    *trap = internal_trap(inst);
    return false;
}

kite_trap_t *krt_eval_const(krt_instance *inst, const kir_expr *e, uint64_t out[2])
{
    cval small[SMALL_STACK];
    cstack cs = {.roots = {.scan = scan_cstack}, .vals = small, .sp = 0, .cap = SMALL_STACK};
    if (e->len > SMALL_STACK) {
        cs.vals = kutil_malloc(inst->store->alloc, (size_t)e->len * sizeof(cval));
        if (!cs.vals)
            return krt_trap_oom();
        cs.cap = e->len;
    }
    krt_roots_push(inst->store, &cs.roots);
    kdec_reader r;
    kdec_reader_init(&r, inst->store->alloc, e->code, e->len, e->offset);
    kite_trap_t *trap = NULL;
    kdec_instr in;
    for (;;) {
        if (!kdec_instr_read(&r, &in)) {
            /* Cannot happen for a validated expression; still no crash. */
            kite_error_free(r.error);
            trap = internal_trap(inst);
            break;
        }
        if (in.op == KIR_OP_END)
            break;
        if (!step(inst, &in, &cs, &trap))
            break;
    }
    krt_roots_pop(inst->store, &cs.roots);
    if (!trap && cs.sp == 0)
        trap = internal_trap(inst);
    if (!trap) {
        out[0] = cs.vals[cs.sp - 1].v[0];
        out[1] = cs.vals[cs.sp - 1].v[1];
    }
    if (cs.vals != small)
        kutil_free(inst->store->alloc, cs.vals);
    return trap;
}
