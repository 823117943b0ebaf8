/*
 * Constant expressions: global initializers, table initializers, segment
 * offsets and element expressions, evaluated at instantiation.
 *
 * The expressions were validated, so the walk trusts their typing but not
 * blindly: a stack that would under- or overflow ends the evaluation with
 * a trap instead of a wild access. The GC constructors allocate in the
 * store's GC heap, which may collect: the evaluation stack is a root frame
 * for that time (each entry knows whether it is a reference).
 */
#include <string.h>

#include "binary/reader.h"
#include "gc/gc.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct cval {
    uint64_t v[2];
    bool ref;
} cval;

/* The evaluation stack, scanned by the collector. */
typedef struct cstack {
    kgc_roots roots; /* first: the collector hands this back */
    cval *vals;
    size_t sp, cap;
} cstack;

static void scan_cstack(kgc_roots *r, kgc_heap *h)
{
    const cstack *cs = (const cstack *)(void *)r;
    for (size_t i = 0; i < cs->sp; i++)
        if (cs->vals[i].ref)
            kgc_mark(h, (krt_ref)cs->vals[i].v[0]);
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

/* The trap for what this evaluator cannot do (never NULL). */
static kite_trap_t *unsupported_trap(void)
{
    kite_trap_t *t = krt_trap_new(KITE_TRAP_UNSUPPORTED);
    return t ? t : krt_trap_oom();
}

static kite_trap_t *trap_of(kite_trap_kind_t kind)
{
    kite_trap_t *t = krt_trap_new(kind);
    return t ? t : krt_trap_oom();
}

/* The top n values in slot form (v128 taking two), for the GC
 * constructors: into `small` when they fit, else a new array (NULL when out
 * of memory). */
static uint64_t *gather(const cstack *cs, size_t n, bool wide, uint64_t *small, size_t nsmall)
{
    size_t step = wide ? 2 : 1;
    uint64_t *out = n * step <= nsmall ? small : kite_malloc(n * step * sizeof(uint64_t) + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const cval *v = &cs->vals[cs->sp - n + i];
        out[i * step] = v->v[0];
        if (wide)
            out[i * step + 1] = v->v[1];
    }
    return out;
}

/* struct.new / struct.new_default of type x: the fields (if any) are the
 * top values; they stay on the stack (rooted) until the struct exists. */
static kite_trap_t *new_struct(krt_instance *inst, uint32_t x, bool with_values, cstack *cs,
                               cval *out)
{
    kgc_heap *h = inst->store->gc;
    const kgc_rtt *rtt = x < inst->m->ntypes ? kgc_rtt_get(h, inst->canon[x]) : NULL;
    if (!rtt || rtt->kind != KRT_OBJ_STRUCT)
        return rtt ? unsupported_trap() : krt_trap_oom();
    uint32_t n = with_values ? rtt->nfields : 0;
    if (cs->sp < n)
        return unsupported_trap();
    uint64_t small[16], *slots = NULL;
    if (with_values) {
        /* One slot per field, two for v128: gather in struct.new's layout. */
        slots = rtt->nslots <= 16 ? small : kite_malloc((size_t)rtt->nslots * sizeof(uint64_t));
        if (!slots)
            return krt_trap_oom();
        for (uint32_t i = 0; i < n; i++) {
            const cval *v = &cs->vals[cs->sp - n + i];
            slots[rtt->fields[i].slot] = v->v[0];
            if (rtt->fields[i].width == 16)
                slots[rtt->fields[i].slot + 1] = v->v[1];
        }
    }
    kgc_obj *o = kgc_struct_new(h, rtt, slots);
    if (slots != small)
        kite_free(slots);
    if (!o)
        return trap_of(KITE_TRAP_GC_HEAP_EXHAUSTED);
    cs->sp -= n;
    out->v[0] = (uint64_t)krt_ref_from_obj(o);
    return NULL;
}

/* array.new, array.new_default, array.new_fixed of type x. */
static kite_trap_t *new_array(krt_instance *inst, const kdec_instr *in, cstack *cs, cval *out)
{
    kgc_heap *h = inst->store->gc;
    uint32_t x = in->idx[0];
    const kgc_rtt *rtt = x < inst->m->ntypes ? kgc_rtt_get(h, inst->canon[x]) : NULL;
    if (!rtt || rtt->kind != KRT_OBJ_ARRAY)
        return rtt ? unsupported_trap() : krt_trap_oom();
    kite_trap_kind_t why = KITE_TRAP_GC_HEAP_EXHAUSTED;
    kgc_array *a;
    size_t pop;
    if (in->op == KIR_OP_ARRAY_NEW_FIXED) {
        pop = in->idx[1];
        if (cs->sp < pop)
            return unsupported_trap();
        uint64_t small[32];
        uint64_t *slots = gather(cs, pop, rtt->elem_width == 16, small, 32);
        if (!slots)
            return krt_trap_oom();
        a = kgc_array_new_fixed(h, rtt, (uint32_t)pop, slots, &why);
        if (slots != small)
            kite_free(slots);
    } else {
        bool init = in->op == KIR_OP_ARRAY_NEW;
        pop = init ? 2 : 1;
        if (cs->sp < pop)
            return unsupported_trap();
        uint32_t n = (uint32_t)cs->vals[cs->sp - 1].v[0];
        a = kgc_array_new(h, rtt, n, init ? cs->vals[cs->sp - 2].v : NULL, &why);
    }
    if (!a)
        return trap_of(why);
    cs->sp -= pop;
    out->v[0] = (uint64_t)krt_ref_from_obj(a);
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
            goto unsupported;
        v.v[0] = (uint64_t)krt_ref_from_obj(inst->funcs[in->idx[0]]);
        v.ref = true;
        break;
    case KIR_OP_GLOBAL_GET:
        if (in->idx[0] >= inst->m->nglobals || !inst->globals[in->idx[0]])
            goto unsupported;
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
            goto unsupported;
        cs->vals[cs->sp - 2].v[0] = arith(in->op, cs->vals[cs->sp - 2].v[0], cs->vals[cs->sp - 1].v[0]);
        cs->sp--;
        return true;
    case KIR_OP_REF_I31:
        if (cs->sp < 1)
            goto unsupported;
        cs->vals[cs->sp - 1].v[0] = (uint64_t)krt_ref_i31_new((uint32_t)cs->vals[cs->sp - 1].v[0]);
        cs->vals[cs->sp - 1].ref = true;
        return true;
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY:
        /* The same reference in the other hierarchy. */
        if (cs->sp < 1)
            goto unsupported;
        return true;
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT:
        v.ref = true;
        *trap = new_struct(inst, in->idx[0], in->op == KIR_OP_STRUCT_NEW, cs, &v);
        if (*trap)
            return false;
        break;
    case KIR_OP_ARRAY_NEW:
    case KIR_OP_ARRAY_NEW_DEFAULT:
    case KIR_OP_ARRAY_NEW_FIXED:
        v.ref = true;
        *trap = new_array(inst, in, cs, &v);
        if (*trap)
            return false;
        break;
    default:
        goto unsupported;
    }
    if (cs->sp == cs->cap)
        goto unsupported;
    cs->vals[cs->sp++] = v;
    return true;
unsupported:
    *trap = unsupported_trap();
    return false;
}

kite_trap_t *krt_eval_const(krt_instance *inst, const kir_expr *e, uint64_t out[2])
{
    cval small[SMALL_STACK];
    cstack cs = {.roots = {.scan = scan_cstack}, .vals = small, .sp = 0, .cap = SMALL_STACK};
    if (e->len > SMALL_STACK) {
        cs.vals = kite_malloc((size_t)e->len * sizeof(cval));
        if (!cs.vals)
            return krt_trap_oom();
        cs.cap = e->len;
    }
    kgc_heap *h = inst->store->gc;
    kgc_roots_push(h, &cs.roots);
    kdec_reader r;
    kdec_reader_init(&r, e->code, e->len, e->offset);
    kite_trap_t *trap = NULL;
    kdec_instr in;
    for (;;) {
        if (!kdec_instr_read(&r, &in)) {
            /* Cannot happen for a validated expression; still no crash. */
            kite_error_free(r.error);
            trap = unsupported_trap();
            break;
        }
        if (in.op == KIR_OP_END)
            break;
        if (!step(inst, &in, &cs, &trap))
            break;
    }
    kgc_roots_pop(h, &cs.roots);
    if (!trap && cs.sp == 0)
        trap = unsupported_trap();
    if (!trap) {
        out[0] = cs.vals[cs.sp - 1].v[0];
        out[1] = cs.vals[cs.sp - 1].v[1];
    }
    if (cs.vals != small)
        kite_free(cs.vals);
    return trap;
}
