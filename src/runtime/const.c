/*
 * Constant expressions: global initializers, table initializers, segment
 * offsets and element expressions, evaluated at instantiation.
 *
 * The expressions were validated, so the walk trusts their typing but not
 * blindly: a stack that would under- or overflow ends the evaluation with
 * a trap instead of a wild access. The GC constructors (struct.new,
 * array.new*, ref.i31, any/extern conversions) need the GC heap and trap
 * as unsupported until it exists.
 */
#include <string.h>

#include "binary/reader.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct cval {
    uint64_t v[2];
} cval;

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

/* One instruction. Returns false (with *trap set) to stop. */
static bool step(krt_instance *inst, const kdec_instr *in, cval *stack, size_t *sp, size_t cap,
                 kite_trap_t **trap)
{
    cval v = {{0, 0}};
    switch (in->op) {
    case KIR_OP_I32_CONST: v.v[0] = (uint32_t)in->num; break;
    case KIR_OP_I64_CONST:
    case KIR_OP_F64_CONST: v.v[0] = in->num; break;
    case KIR_OP_F32_CONST: v.v[0] = (uint32_t)in->num; break;
    case KIR_OP_V128_CONST:
        v.v[0] = le64(in->bytes);
        v.v[1] = le64(in->bytes + 8);
        break;
    case KIR_OP_REF_NULL: break;
    case KIR_OP_REF_FUNC:
        if (in->idx[0] >= inst->m->nfuncs)
            goto unsupported;
        v.v[0] = (uint64_t)krt_ref_from_obj(inst->funcs[in->idx[0]]);
        break;
    case KIR_OP_GLOBAL_GET:
        if (in->idx[0] >= inst->m->nglobals || !inst->globals[in->idx[0]])
            goto unsupported;
        v.v[0] = inst->globals[in->idx[0]]->value[0];
        v.v[1] = inst->globals[in->idx[0]]->value[1];
        break;
    case KIR_OP_I32_ADD:
    case KIR_OP_I32_SUB:
    case KIR_OP_I32_MUL:
    case KIR_OP_I64_ADD:
    case KIR_OP_I64_SUB:
    case KIR_OP_I64_MUL:
        if (*sp < 2)
            goto unsupported;
        stack[*sp - 2].v[0] = arith(in->op, stack[*sp - 2].v[0], stack[*sp - 1].v[0]);
        (*sp)--;
        return true;
    default:
        goto unsupported;
    }
    if (*sp == cap)
        goto unsupported;
    stack[(*sp)++] = v;
    return true;
unsupported:
    *trap = unsupported_trap();
    return false;
}

kite_trap_t *krt_eval_const(krt_instance *inst, const kir_expr *e, uint64_t out[2])
{
    cval small[SMALL_STACK];
    cval *stack = small;
    size_t cap = SMALL_STACK, sp = 0;
    if (e->len > SMALL_STACK) {
        stack = kite_malloc((size_t)e->len * sizeof(cval));
        if (!stack)
            return krt_trap_oom();
        cap = e->len;
    }
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
        if (!step(inst, &in, stack, &sp, cap, &trap))
            break;
    }
    if (!trap && sp == 0)
        trap = unsupported_trap();
    if (!trap) {
        out[0] = stack[sp - 1].v[0];
        out[1] = stack[sp - 1].v[1];
    }
    if (stack != small)
        kite_free(stack);
    return trap;
}
