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

static void struct_new(kint_tr *t, uint32_t x, bool defaults)
{
    uint32_t n = defaults ? 0 : t->m->types[x].nfields;
    kint_tr_materialize_top(t, n);
    uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, n);
    kint_tr_safepoint(t, 0);
    for (uint32_t i = 0; i < n; i++)
        kint_tr_pop(t);
    uint32_t dst = kint_tr_push_type(t, kir_vt_ref(false, true, x)), pos;
    if (defaults) {
        pos = kint_emit_STRUCT_NEW_DEFAULT(t, KINT_OP_STRUCT_NEW_DEFAULT, dst, x);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, STRUCT_NEW_DEFAULT, pos, dst);
    } else {
        pos = kint_emit_STRUCT_NEW(t, KINT_OP_STRUCT_NEW, base, dst, x);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, STRUCT_NEW, pos, dst);
    }
}

/* array.new, array.new_default, array.new_data, array.new_elem: the
 * operands are popped after the safepoint (the allocation reads them). */
static void array_new(kint_tr *t, kir_op wasm_op, uint32_t x, uint32_t seg)
{
    uint32_t s[2] = {0, 0}, dst, pos;
    kint_tr_safepoint(t, 0);
    pop_use(t, wasm_op == KIR_OP_ARRAY_NEW_DEFAULT ? 1 : 2, s);
    dst = kint_tr_push_type(t, kir_vt_ref(false, true, x));
    switch (wasm_op) {
    case KIR_OP_ARRAY_NEW_DEFAULT:
        pos = kint_emit_ARRAY_NEW_DEFAULT(t, KINT_OP_ARRAY_NEW_DEFAULT, s[0], dst, x);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, ARRAY_NEW_DEFAULT, pos, dst);
        break;
    case KIR_OP_ARRAY_NEW_DATA:
        pos = kint_emit_ARRAY_NEW_DATA(t, KINT_OP_ARRAY_NEW_DATA, s[0], s[1], dst, x, seg);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, ARRAY_NEW_DATA, pos, dst);
        break;
    case KIR_OP_ARRAY_NEW_ELEM:
        pos = kint_emit_ARRAY_NEW_ELEM(t, KINT_OP_ARRAY_NEW_ELEM, s[0], s[1], dst, x, seg);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, ARRAY_NEW_ELEM, pos, dst);
        break;
    default:
        pos = kint_emit_ARRAY_NEW(t, KINT_OP_ARRAY_NEW, s[0], s[1], dst, x);
        kint_tr_safepoint_end(t);
        KINT_TR_RESULT(t, ARRAY_NEW, pos, dst);
        break;
    }
}

static void array_new_fixed(kint_tr *t, uint32_t x, uint32_t n)
{
    kint_tr_materialize_top(t, n);
    uint32_t base = t->opbase + t->height - kint_tr_top_slots(t, n);
    kint_tr_safepoint(t, 0);
    for (uint32_t i = 0; i < n; i++)
        kint_tr_pop(t);
    uint32_t dst = kint_tr_push_type(t, kir_vt_ref(false, true, x));
    uint32_t pos = kint_emit_ARRAY_NEW_FIXED(t, KINT_OP_ARRAY_NEW_FIXED, base, dst, x, n);
    kint_tr_safepoint_end(t);
    KINT_TR_RESULT(t, ARRAY_NEW_FIXED, pos, dst);
}

/* struct.get and array.get of a value of storage type st, of `width` bytes. */
static void emit_get(kint_tr *t, bool array, bool sign, uint32_t width, kir_valtype st, const uint32_t *s,
                     uint32_t offset)
{
    kint_op op = get_op(array, width, sign);
    uint32_t dst = kint_tr_push_type(t, unpacked(st)), pos;
    if (width == 16) {
        if (array)
            kint_emit_ARRAY_GET2(t, op, s[0], s[1], dst);
        else
            kint_emit_STRUCT_GET2(t, op, s[0], dst, offset);
    } else if (array) {
        pos = kint_emit_ARRAY_GET(t, op, s[0], s[1], dst);
        KINT_TR_RESULT(t, ARRAY_GET, pos, dst);
    } else {
        pos = kint_emit_STRUCT_GET(t, op, s[0], dst, offset);
        KINT_TR_RESULT(t, STRUCT_GET, pos, dst);
    }
}

/* An i32 or reference result of a one-operand instruction [src|dst]. */
static void emit_src_dst(kint_tr *t, kint_op op, kir_valtype type)
{
    uint32_t s[1];
    pop_use(t, 1, s);
    uint32_t dst = kint_tr_push_type(t, type);
    uint32_t pos = kint_emit_SRC_DST(t, op, s[0], dst);
    KINT_TR_RESULT(t, SRC_DST, pos, dst);
}

/*
 * Only the instructions that have them read the type and field indices:
 * the reader leaves in->idx unset for the others (ref.i31, i31.get_*,
 * extern.convert_any, casts to abstract types), so reading it there would
 * branch on uninitialised memory.
 */
bool kint_tr_gc(kint_tr *t, const kdec_instr *in)
{
    uint32_t s[5], pos, dst;
    switch (in->op) {
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT: struct_new(t, in->idx[0], in->op == KIR_OP_STRUCT_NEW_DEFAULT); return true;
    case KIR_OP_STRUCT_GET:
    case KIR_OP_STRUCT_GET_S:
    case KIR_OP_STRUCT_GET_U: {
        uint32_t x = in->idx[0], y = in->idx[1];
        const kgc_field *f = &t->rtts[x]->fields[y];
        pop_use(t, 1, s);
        emit_get(t, false, in->op == KIR_OP_STRUCT_GET_S, f->width, t->m->types[x].fields[y].type, s, f->offset);
        return true;
    }
    case KIR_OP_STRUCT_SET: {
        const kgc_field *f = &t->rtts[in->idx[0]]->fields[in->idx[1]];
        pop_use(t, 2, s);
        kint_op op = set_op(false, f->width);
        if (f->width == 16)
            kint_emit_STRUCT_SET2(t, op, s[0], s[1], f->offset);
        else
            kint_emit_STRUCT_SET(t, op, s[0], s[1], f->offset);
        return true;
    }
    case KIR_OP_ARRAY_NEW:
    case KIR_OP_ARRAY_NEW_DEFAULT: array_new(t, in->op, in->idx[0], 0); return true;
    case KIR_OP_ARRAY_NEW_DATA:
    case KIR_OP_ARRAY_NEW_ELEM: array_new(t, in->op, in->idx[0], in->idx[1]); return true;
    case KIR_OP_ARRAY_NEW_FIXED: array_new_fixed(t, in->idx[0], in->idx[1]); return true;
    case KIR_OP_ARRAY_GET:
    case KIR_OP_ARRAY_GET_S:
    case KIR_OP_ARRAY_GET_U: {
        uint32_t x = in->idx[0];
        pop_use(t, 2, s);
        emit_get(t, true, in->op == KIR_OP_ARRAY_GET_S, t->rtts[x]->elem_width, t->m->types[x].fields[0].type, s,
                 0);
        return true;
    }
    case KIR_OP_ARRAY_SET: {
        uint32_t width = t->rtts[in->idx[0]]->elem_width;
        pop_use(t, 3, s);
        kint_op op = set_op(true, width);
        if (width == 16)
            kint_emit_ARRAY_SET2(t, op, s[0], s[1], s[2]);
        else
            kint_emit_ARRAY_SET(t, op, s[0], s[1], s[2]);
        return true;
    }
    case KIR_OP_ARRAY_LEN:
        pop_use(t, 1, s);
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_ARRAY_LEN(t, KINT_OP_ARRAY_LEN, s[0], dst);
        KINT_TR_RESULT(t, ARRAY_LEN, pos, dst);
        return true;
    case KIR_OP_ARRAY_FILL:
        pop_use(t, 4, s);
        kint_emit_ARRAY_FILL(t, KINT_OP_ARRAY_FILL, s[0], s[1], s[2], s[3], t->rtts[in->idx[0]]->elem_width);
        return true;
    case KIR_OP_ARRAY_COPY:
        pop_use(t, 5, s);
        kint_emit_ARRAY_COPY(t, KINT_OP_ARRAY_COPY, s[0], s[1], s[2], s[3], s[4], t->rtts[in->idx[0]]->elem_width);
        return true;
    case KIR_OP_ARRAY_INIT_DATA:
        pop_use(t, 4, s);
        kint_emit_ARRAY_INIT_DATA(t, KINT_OP_ARRAY_INIT_DATA, s[0], s[1], s[2], s[3], in->idx[1],
                                  t->rtts[in->idx[0]]->elem_width);
        return true;
    case KIR_OP_ARRAY_INIT_ELEM:
        pop_use(t, 4, s);
        kint_emit_ARRAY_INIT_ELEM(t, KINT_OP_ARRAY_INIT_ELEM, s[0], s[1], s[2], s[3], in->idx[1]);
        return true;
    case KIR_OP_REF_I31: emit_src_dst(t, KINT_OP_REF_I31, kir_vt_ref(false, false, KIR_HEAP_I31)); return true;
    case KIR_OP_I31_GET_S: emit_src_dst(t, KINT_OP_I31_GET_S, kir_vt(KIR_I32)); return true;
    case KIR_OP_I31_GET_U: emit_src_dst(t, KINT_OP_I31_GET_U, kir_vt(KIR_I32)); return true;
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY: return true;
    case KIR_OP_REF_TEST:
    case KIR_OP_REF_TEST_NULL:
        pop_use(t, 1, s);
        dst = kint_tr_push_home(t, 1);
        pos = kint_emit_REF_TEST(t, KINT_OP_REF_TEST, s[0], dst, kint_tr_cast_target(t, in->ref));
        KINT_TR_RESULT(t, REF_TEST, pos, dst);
        return true;
    case KIR_OP_REF_CAST:
    case KIR_OP_REF_CAST_NULL:
        /* The reference stays where it is. */
        kint_emit_REF_CAST(t, KINT_OP_REF_CAST, kint_tr_use(t, &t->vals[t->nvals - 1]),
                           kint_tr_cast_target(t, in->ref));
        return true;
    default: return false;
    }
}
