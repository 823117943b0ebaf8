/*
 * The translator's GC instructions: structs, arrays, i31 and casts (the
 * br_on_cast branches are with the other branches in translate.c).
 *
 * Field offsets and element widths come from the instance's RTTs (a pure
 * function of the type, so the code stays valid for every instance of the
 * module). Instructions that allocate are safepoints: the stack map is
 * taken with their operands still on the stack (they are read after the
 * allocation, which may collect) and without their result.
 * any.convert_extern and extern.convert_any change only the static type:
 * they emit nothing.
 */
#include "gc/gc.h"
#include "interp/translate.h"

/* Pops n (at most 5) operands, deepest first in s. */
static void pop_use(kint_tr *t, uint32_t n, uint32_t *s)
{
    kint_tv v[5];
    for (uint32_t i = n; i-- > 0;)
        v[i] = kint_tr_pop(t);
    for (uint32_t i = 0; i < n; i++)
        s[i] = kint_tr_use(t, &v[i]);
}

/* A cast target operand for reference type rt (module-relative). */
uint32_t kint_tr_cast_target(const kint_tr *t, kir_valtype rt)
{
    uint32_t heap = kir_vt_heap(rt), flags = kir_vt_nullable(rt) ? KINT_CAST_NULLABLE : 0;
    if (kir_vt_concrete(rt)) {
        heap = t->m->canon[heap];
        flags |= KINT_CAST_CONCRETE;
    }
    return (heap & KINT_CAST_HEAP) | flags;
}

/* Load ops by width (and sign for packed widths). */
static kint_op get_op(bool array, uint32_t width, bool sign)
{
    switch (width) {
    case 1:
        return array ? (sign ? KINT_OP_ARRAY_GET_8S : KINT_OP_ARRAY_GET_8U)
                     : (sign ? KINT_OP_STRUCT_GET_8S : KINT_OP_STRUCT_GET_8U);
    case 2:
        return array ? (sign ? KINT_OP_ARRAY_GET_16S : KINT_OP_ARRAY_GET_16U)
                     : (sign ? KINT_OP_STRUCT_GET_16S : KINT_OP_STRUCT_GET_16U);
    case 4: return array ? KINT_OP_ARRAY_GET_32 : KINT_OP_STRUCT_GET_32;
    case 8: return array ? KINT_OP_ARRAY_GET_64 : KINT_OP_STRUCT_GET_64;
    default: return array ? KINT_OP_ARRAY_GET_128 : KINT_OP_STRUCT_GET_128;
    }
}

static kint_op set_op(bool array, uint32_t width)
{
    switch (width) {
    case 1: return array ? KINT_OP_ARRAY_SET_8 : KINT_OP_STRUCT_SET_8;
    case 2: return array ? KINT_OP_ARRAY_SET_16 : KINT_OP_STRUCT_SET_16;
    case 4: return array ? KINT_OP_ARRAY_SET_32 : KINT_OP_STRUCT_SET_32;
    case 8: return array ? KINT_OP_ARRAY_SET_64 : KINT_OP_STRUCT_SET_64;
    default: return array ? KINT_OP_ARRAY_SET_128 : KINT_OP_STRUCT_SET_128;
    }
}

/* The value type a get of storage type st pushes (packed types read as i32). */
static kir_valtype unpacked(kir_valtype st)
{
    kir_kind k = kir_vt_kind(st);
    return k == KIR_I8 || k == KIR_I16 ? kir_vt(KIR_I32) : st;
}

/* Operand layouts of instructions with a result. */
enum { L_A_DST, L_A_DST_B, L_A_B_DST };

/* Pushes the result (of `type`) and emits op: [a|dst], [a|dst][b|-] or [a|b][dst|-]. */
static void emit_result(kint_tr *t, kint_op op, kir_valtype type, int layout, uint32_t a, uint32_t b)
{
    uint32_t dst = kint_tr_push_type(t, type);
    uint32_t pos = kint_tr_op(t, op);
    if (layout == L_A_B_DST) {
        kint_tr_w(t, a, b);
        kint_tr_w(t, dst, 0);
    } else {
        kint_tr_w(t, a, dst);
        if (layout == L_A_DST_B)
            kint_tr_w(t, b, 0);
    }
    if (krt_slots(type) == 1)
        kint_tr_set_last(t, pos, dst, layout == L_A_B_DST ? pos + 2 : pos + 1, layout != L_A_B_DST);
}

static void struct_new(kint_tr *t, uint32_t x, bool defaults)
{
    uint32_t n = defaults ? 0 : t->m->types[x].nfields;
    kint_tr_materialize_top(t, n);
    uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, n);
    kint_tr_safepoint(t, 0);
    for (uint32_t i = 0; i < n; i++)
        kint_tr_pop(t);
    uint32_t dst = kint_tr_push_type(t, kir_vt_ref(false, true, x));
    uint32_t pos = kint_tr_op(t, defaults ? KINT_OP_STRUCT_NEW_DEFAULT : KINT_OP_STRUCT_NEW);
    if (defaults) {
        kint_tr_w(t, x, dst);
    } else {
        kint_tr_w(t, x, base);
        kint_tr_w(t, dst, 0);
    }
    kint_tr_safepoint_end(t);
    if (defaults)
        kint_tr_set_last(t, pos, dst, pos + 1, true);
    else
        kint_tr_set_last(t, pos, dst, pos + 2, false);
}

/* array.new, array.new_default, array.new_data, array.new_elem: [a|b][x|dst](extra). */
static void array_new(kint_tr *t, kint_op op, uint32_t npop, uint32_t x, uint32_t extra)
{
    uint32_t s[2] = {0, 0};
    kint_tr_safepoint(t, 0);
    pop_use(t, npop, s);
    uint32_t dst = kint_tr_push_type(t, kir_vt_ref(false, true, x));
    uint32_t pos = kint_tr_op(t, op);
    if (op == KINT_OP_ARRAY_NEW_DEFAULT) {
        kint_tr_w(t, s[0], dst);
        kint_tr_w(t, x, 0);
    } else {
        kint_tr_w(t, s[0], s[1]);
        kint_tr_w(t, x, dst);
        if (op != KINT_OP_ARRAY_NEW)
            kint_tr_w(t, extra, 0);
    }
    kint_tr_safepoint_end(t);
    if (op == KINT_OP_ARRAY_NEW_DEFAULT)
        kint_tr_set_last(t, pos, dst, pos + 1, true);
    else
        kint_tr_set_last(t, pos, dst, pos + 2, true);
}

static void array_new_fixed(kint_tr *t, uint32_t x, uint32_t n)
{
    kint_tr_materialize_top(t, n);
    uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, n);
    kint_tr_safepoint(t, 0);
    for (uint32_t i = 0; i < n; i++)
        kint_tr_pop(t);
    uint32_t dst = kint_tr_push_type(t, kir_vt_ref(false, true, x));
    uint32_t pos = kint_tr_op(t, KINT_OP_ARRAY_NEW_FIXED);
    kint_tr_w(t, base, n);
    kint_tr_w(t, x, dst);
    kint_tr_safepoint_end(t);
    kint_tr_set_last(t, pos, dst, pos + 2, true);
}

/* Emits op with operand words built from s[] and immediates. */
static void emit_words(kint_tr *t, kint_op op, const uint32_t *w, uint32_t n)
{
    kint_tr_op(t, op);
    for (uint32_t i = 0; i + 1 < n; i += 2)
        kint_tr_w(t, w[i], w[i + 1]);
}

bool kint_tr_gc(kint_tr *t, const kdec_instr *in)
{
    uint32_t x = in->idx[0], y = in->idx[1], s[5];
    const kir_type *ty = x < t->m->ntypes ? &t->m->types[x] : NULL;
    switch (in->op) {
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT: struct_new(t, x, in->op == KIR_OP_STRUCT_NEW_DEFAULT); return true;
    case KIR_OP_STRUCT_GET:
    case KIR_OP_STRUCT_GET_S:
    case KIR_OP_STRUCT_GET_U: {
        const kgc_field *f = &t->rtts[x]->fields[y];
        pop_use(t, 1, s);
        emit_result(t, get_op(false, f->width, in->op == KIR_OP_STRUCT_GET_S),
                    unpacked(ty->fields[y].type), L_A_DST_B, s[0], f->offset);
        return true;
    }
    case KIR_OP_STRUCT_SET: {
        const kgc_field *f = &t->rtts[x]->fields[y];
        pop_use(t, 2, s);
        const uint32_t w[] = {s[0], s[1], f->offset, 0};
        emit_words(t, set_op(false, f->width), w, 4);
        return true;
    }
    case KIR_OP_ARRAY_NEW: array_new(t, KINT_OP_ARRAY_NEW, 2, x, 0); return true;
    case KIR_OP_ARRAY_NEW_DEFAULT: array_new(t, KINT_OP_ARRAY_NEW_DEFAULT, 1, x, 0); return true;
    case KIR_OP_ARRAY_NEW_DATA: array_new(t, KINT_OP_ARRAY_NEW_DATA, 2, x, y); return true;
    case KIR_OP_ARRAY_NEW_ELEM: array_new(t, KINT_OP_ARRAY_NEW_ELEM, 2, x, y); return true;
    case KIR_OP_ARRAY_NEW_FIXED: array_new_fixed(t, x, y); return true;
    case KIR_OP_ARRAY_GET:
    case KIR_OP_ARRAY_GET_S:
    case KIR_OP_ARRAY_GET_U:
        pop_use(t, 2, s);
        emit_result(t, get_op(true, t->rtts[x]->elem_width, in->op == KIR_OP_ARRAY_GET_S),
                    unpacked(ty->fields[0].type), L_A_B_DST, s[0], s[1]);
        return true;
    case KIR_OP_ARRAY_SET: {
        pop_use(t, 3, s);
        const uint32_t w[] = {s[0], s[1], s[2], 0};
        emit_words(t, set_op(true, t->rtts[x]->elem_width), w, 4);
        return true;
    }
    case KIR_OP_ARRAY_LEN:
        pop_use(t, 1, s);
        emit_result(t, KINT_OP_ARRAY_LEN, kir_vt(KIR_I32), L_A_DST, s[0], 0);
        return true;
    case KIR_OP_ARRAY_FILL: {
        pop_use(t, 4, s);
        const uint32_t w[] = {s[0], s[1], s[2], s[3], t->rtts[x]->elem_width, 0};
        emit_words(t, KINT_OP_ARRAY_FILL, w, 6);
        return true;
    }
    case KIR_OP_ARRAY_COPY: {
        pop_use(t, 5, s);
        const uint32_t w[] = {s[0], s[1], s[2], s[3], s[4], t->rtts[x]->elem_width};
        emit_words(t, KINT_OP_ARRAY_COPY, w, 6);
        return true;
    }
    case KIR_OP_ARRAY_INIT_DATA:
    case KIR_OP_ARRAY_INIT_ELEM: {
        pop_use(t, 4, s);
        bool data = in->op == KIR_OP_ARRAY_INIT_DATA;
        const uint32_t w[] = {s[0], s[1], s[2], s[3], y, data ? t->rtts[x]->elem_width : 0};
        emit_words(t, data ? KINT_OP_ARRAY_INIT_DATA : KINT_OP_ARRAY_INIT_ELEM, w, 6);
        return true;
    }
    case KIR_OP_REF_I31:
        pop_use(t, 1, s);
        emit_result(t, KINT_OP_REF_I31, kir_vt_ref(false, false, KIR_HEAP_I31), L_A_DST, s[0], 0);
        return true;
    case KIR_OP_I31_GET_S:
    case KIR_OP_I31_GET_U:
        pop_use(t, 1, s);
        emit_result(t, in->op == KIR_OP_I31_GET_S ? KINT_OP_I31_GET_S : KINT_OP_I31_GET_U,
                    kir_vt(KIR_I32), L_A_DST, s[0], 0);
        return true;
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY: return true;
    case KIR_OP_REF_TEST:
    case KIR_OP_REF_TEST_NULL:
        pop_use(t, 1, s);
        emit_result(t, KINT_OP_REF_TEST, kir_vt(KIR_I32), L_A_B_DST, s[0],
                    kint_tr_cast_target(t, in->ref));
        return true;
    case KIR_OP_REF_CAST:
    case KIR_OP_REF_CAST_NULL: {
        /* The reference stays where it is. */
        uint32_t src = kint_tr_use(t, &t->vals[t->nvals - 1]);
        kint_tr_op(t, KINT_OP_REF_CAST);
        kint_tr_w(t, src, kint_tr_cast_target(t, in->ref));
        return true;
    }
    default: return false;
    }
}
