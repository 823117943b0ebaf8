/*
 * Typing rules for the instructions without a signature in the opcode table
 * that are not control flow, calls or variables: tables, bulk memory,
 * references, GC structs / arrays / casts / i31, throw_ref.
 */
#include "valid/code.h"

#include "ir/opcodes.h"

#define TRY(x)                   \
    do {                         \
        kite_error_t *e_ = (x);  \
        if (e_)                  \
            return e_;           \
    } while (0)

static const kir_valtype I32 = KIR_I32;

/* ---- index spaces ---------------------------------------------------------------- */

static kite_error_t *table_of(kval_code *c, uint32_t x, const kir_table **out)
{
    if (x >= c->m->ntables)
        return kval_cerr(c, "unknown table %u", x);
    *out = &c->m->tables[x];
    return NULL;
}

static kite_error_t *memory_of(kval_code *c, uint32_t x, bool *is64)
{
    if (x >= c->m->nmemories)
        return kval_cerr(c, "unknown memory %u", x);
    *is64 = c->m->memories[x].limits.is64;
    return NULL;
}

static kite_error_t *elem_of(kval_code *c, uint32_t x, kir_valtype *type)
{
    if (x >= c->m->nelems)
        return kval_cerr(c, "unknown elem segment %u", x);
    *type = c->m->elems[x].type;
    return NULL;
}

static kite_error_t *comp_of(kval_code *c, uint32_t x, kir_comp comp, const kir_type **out)
{
    static const char *const names[] = {"function", "struct", "array"};
    if (x >= c->m->ntypes)
        return kval_cerr(c, "unknown type %u", x);
    if (c->m->types[x].comp != comp)
        return kval_cerr(c, "type mismatch: type %u is not a%s %s type", x, comp == KIR_COMP_ARRAY ? "n" : "",
                         names[comp]);
    *out = &c->m->types[x];
    return NULL;
}

static kite_error_t *type_mismatch(kval_code *c, const char *what, kir_valtype have, kir_valtype want)
{
    kval_sb a = {0}, b = {0};
    kval_sb_type(&a, have);
    kval_sb_type(&b, want);
    return kval_cerr(c, "type mismatch: %s %s does not match %s", what, a.buf, b.buf);
}

static kir_valtype ref_to(uint32_t x, bool nullable) { return kir_vt_ref(nullable, true, x); }
static kir_valtype abstract_ref(uint32_t heap, bool nullable) { return kir_vt_ref(nullable, false, heap); }

/* ---- tables and bulk memory ----------------------------------------------------- */

static kite_error_t *op_table(kval_code *c, const kdec_instr *in)
{
    const kir_table *t = NULL, *s = NULL;
    kir_valtype et = 0;
    switch (in->op) {
    case KIR_OP_TABLE_GET:
        TRY(table_of(c, in->idx[0], &t));
        TRY(kval_pop(c, kval_addr(t->limits.is64)));
        return kval_push(c, t->elem);
    case KIR_OP_TABLE_SET:
        TRY(table_of(c, in->idx[0], &t));
        TRY(kval_pop(c, t->elem));
        return kval_pop(c, kval_addr(t->limits.is64));
    case KIR_OP_TABLE_SIZE:
        TRY(table_of(c, in->idx[0], &t));
        return kval_push(c, kval_addr(t->limits.is64));
    case KIR_OP_TABLE_GROW:
        TRY(table_of(c, in->idx[0], &t));
        TRY(kval_pop(c, kval_addr(t->limits.is64)));
        TRY(kval_pop(c, t->elem));
        return kval_push(c, kval_addr(t->limits.is64));
    case KIR_OP_TABLE_FILL:
        TRY(table_of(c, in->idx[0], &t));
        TRY(kval_pop(c, kval_addr(t->limits.is64)));
        TRY(kval_pop(c, t->elem));
        return kval_pop(c, kval_addr(t->limits.is64));
    case KIR_OP_TABLE_COPY:
        TRY(table_of(c, in->idx[0], &t));
        TRY(table_of(c, in->idx[1], &s));
        if (!kval_sub(c->v, s->elem, t->elem))
            return type_mismatch(c, "source element type", s->elem, t->elem);
        TRY(kval_pop(c, kval_addr(t->limits.is64 && s->limits.is64)));
        TRY(kval_pop(c, kval_addr(s->limits.is64)));
        return kval_pop(c, kval_addr(t->limits.is64));
    default: /* table.init: elem, table */
        TRY(table_of(c, in->idx[1], &t));
        TRY(elem_of(c, in->idx[0], &et));
        if (!kval_sub(c->v, et, t->elem))
            return type_mismatch(c, "element segment's type", et, t->elem);
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        return kval_pop(c, kval_addr(t->limits.is64));
    }
}

static kite_error_t *op_memory(kval_code *c, const kdec_instr *in)
{
    bool d64 = false, s64 = false;
    if (in->op == KIR_OP_MEMORY_INIT) { /* data, memory */
        TRY(memory_of(c, in->idx[1], &d64));
        TRY(kval_check_data(c, in->idx[0]));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        return kval_pop(c, kval_addr(d64));
    }
    TRY(memory_of(c, in->idx[0], &d64)); /* memory.copy: dst, src */
    TRY(memory_of(c, in->idx[1], &s64));
    TRY(kval_pop(c, kval_addr(d64 && s64)));
    TRY(kval_pop(c, kval_addr(s64)));
    return kval_pop(c, kval_addr(d64));
}

/* ---- references ------------------------------------------------------------------ */

static kite_error_t *op_ref(kval_code *c, const kdec_instr *in)
{
    kir_valtype t = 0;
    switch (in->op) {
    case KIR_OP_REF_NULL:
        TRY(kval_check_valtype(c->v, in->ref, c->m->ntypes, c->off));
        return kval_push(c, kir_vt_with_nullable(in->ref, true));
    case KIR_OP_REF_IS_NULL:
        TRY(kval_pop_ref(c, &t));
        return kval_push(c, I32);
    case KIR_OP_REF_AS_NON_NULL:
        TRY(kval_pop_ref(c, &t));
        return kval_push(c, kir_vt_with_nullable(t, false));
    case KIR_OP_REF_FUNC: {
        uint32_t f = in->idx[0];
        if (f >= c->m->nfuncs)
            return kval_cerr(c, "unknown function %u", f);
        if (c->konst)
            c->m->func_declared[f] = 1; /* constant expressions declare what they name */
        else if (!c->m->func_declared[f])
            return kval_cerr(c, "undeclared function reference %u", f);
        return kval_push(c, ref_to(c->m->funcs[f].type, false));
    }
    case KIR_OP_REF_EQ:
        TRY(kval_pop(c, abstract_ref(KIR_HEAP_EQ, true)));
        TRY(kval_pop(c, abstract_ref(KIR_HEAP_EQ, true)));
        return kval_push(c, I32);
    case KIR_OP_REF_I31:
        TRY(kval_pop(c, I32));
        return kval_push(c, abstract_ref(KIR_HEAP_I31, false));
    case KIR_OP_I31_GET_S:
    case KIR_OP_I31_GET_U:
        TRY(kval_pop(c, abstract_ref(KIR_HEAP_I31, true)));
        return kval_push(c, I32);
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY: {
        bool to_any = in->op == KIR_OP_ANY_CONVERT_EXTERN;
        TRY(kval_pop_ref(c, &t));
        kir_valtype want = abstract_ref(to_any ? KIR_HEAP_EXTERN : KIR_HEAP_ANY, true);
        if (!kval_sub(c->v, t, want))
            return type_mismatch(c, "operand type", t, want);
        return kval_push(c, abstract_ref(to_any ? KIR_HEAP_ANY : KIR_HEAP_EXTERN, kir_vt_nullable(t)));
    }
    default: /* throw_ref */
        TRY(kval_pop(c, abstract_ref(KIR_HEAP_EXN, true)));
        kval_set_unreachable(c);
        return NULL;
    }
}

static kite_error_t *op_br_on_null(kval_code *c, const kdec_instr *in)
{
    const kir_valtype *ts = NULL;
    uint32_t n = 0;
    kir_valtype t = 0;
    TRY(kval_label(c, in->idx[0], &ts, &n));
    if (in->op == KIR_OP_BR_ON_NULL) {
        TRY(kval_pop_ref(c, &t));
        TRY(kval_pop_types(c, ts, n));
        TRY(kval_push_types(c, ts, n));
        return kval_push(c, kir_vt_with_nullable(t, false));
    }
    if (n == 0 || !kir_vt_is_ref(ts[n - 1])) {
        kval_sb sb = {0};
        kval_sb_types(&sb, ts, n);
        return kval_cerr(c, "type mismatch: instruction requires reference type but label has %s", sb.buf);
    }
    TRY(kval_pop(c, kir_vt_with_nullable(ts[n - 1], true)));
    TRY(kval_pop_types(c, ts, n - 1));
    return kval_push_types(c, ts, n - 1);
}

/* The type of a value that failed a cast to rt2 after having type rt1. */
static kir_valtype cast_diff(kir_valtype rt1, kir_valtype rt2)
{
    return kir_vt_nullable(rt2) ? kir_vt_with_nullable(rt1, false) : rt1;
}

static kite_error_t *op_cast(kval_code *c, const kdec_instr *in)
{
    kir_valtype rt = in->ref;
    TRY(kval_check_valtype(c->v, rt, c->m->ntypes, c->off));
    TRY(kval_pop(c, abstract_ref(kval_top_heap(c->v, rt), true)));
    bool test = in->op == KIR_OP_REF_TEST || in->op == KIR_OP_REF_TEST_NULL;
    return kval_push(c, test ? I32 : rt);
}

static kite_error_t *op_br_on_cast(kval_code *c, const kdec_instr *in)
{
    kir_valtype rt1 = in->ref, rt2 = in->ref2;
    TRY(kval_check_valtype(c->v, rt1, c->m->ntypes, c->off));
    TRY(kval_check_valtype(c->v, rt2, c->m->ntypes, c->off));
    if (!kval_sub(c->v, rt2, rt1))
        return type_mismatch(c, "on cast: type", rt2, rt1);
    const kir_valtype *ts = NULL;
    uint32_t n = 0;
    TRY(kval_label(c, in->idx[0], &ts, &n));
    bool fail = in->op == KIR_OP_BR_ON_CAST_FAIL;
    kir_valtype to_label = fail ? cast_diff(rt1, rt2) : rt2;
    kir_valtype fallthrough = fail ? rt2 : cast_diff(rt1, rt2);
    if (n == 0 || !kval_sub(c->v, to_label, ts[n - 1])) {
        kval_sb a = {0}, b = {0};
        kval_sb_type(&a, to_label);
        kval_sb_types(&b, ts, n);
        return kval_cerr(c, "type mismatch: instruction requires type %s but label has %s", a.buf, b.buf);
    }
    TRY(kval_pop(c, rt1));
    TRY(kval_pop_types(c, ts, n - 1));
    TRY(kval_push_types(c, ts, n - 1));
    return kval_push(c, fallthrough);
}

/* ---- structs ------------------------------------------------------------------- */

static kite_error_t *op_struct(kval_code *c, const kdec_instr *in)
{
    const kir_type *st = NULL;
    uint32_t x = in->idx[0];
    TRY(comp_of(c, x, KIR_COMP_STRUCT, &st));
    if (in->op == KIR_OP_STRUCT_NEW || in->op == KIR_OP_STRUCT_NEW_DEFAULT) {
        for (uint32_t i = st->nfields; i-- > 0;) {
            kir_valtype ft = st->fields[i].type;
            if (in->op == KIR_OP_STRUCT_NEW)
                TRY(kval_pop(c, kval_unpack(ft)));
            else if (!kval_defaultable(ft))
                return kval_cerr(c, "type mismatch: field %u of type %u is not defaultable", i, x);
        }
        return kval_push(c, ref_to(x, false));
    }
    uint32_t fi = in->idx[1];
    if (fi >= st->nfields)
        return kval_cerr(c, "unknown field %u", fi);
    const kir_field *f = &st->fields[fi];
    if (in->op == KIR_OP_STRUCT_SET) {
        if (!f->mutable_)
            return kval_cerr(c, "immutable field %u", fi);
        TRY(kval_pop(c, kval_unpack(f->type)));
        return kval_pop(c, ref_to(x, true));
    }
    bool packed_op = in->op != KIR_OP_STRUCT_GET;
    if (packed_op != kval_is_packed(f->type))
        return kval_cerr(c, "type mismatch: field is %s", packed_op ? "unpacked" : "packed");
    TRY(kval_pop(c, ref_to(x, true)));
    return kval_push(c, kval_unpack(f->type));
}

/* ---- arrays --------------------------------------------------------------------- */

/* Pop n values that must all be subtypes of `t` (array.new_fixed). */
static kite_error_t *pop_n(kval_code *c, kir_valtype t, uint32_t n)
{
    const kval_frame *f = &c->ctl[c->nctl - 1];
    uint32_t avail = c->nvals - f->height;
    uint32_t k = n < avail ? n : avail;
    if (k < n && !f->unreachable)
        return kval_cerr(c, "type mismatch: instruction requires %u operands but stack has %u", n, avail);
    for (uint32_t i = 1; i <= k; i++) {
        if (!kval_sub(c->v, c->vals[c->nvals - i], t))
            return type_mismatch(c, "operand type", c->vals[c->nvals - i], t);
    }
    c->nvals -= k;
    return NULL;
}

static kite_error_t *mutable_array(kval_code *c, const kir_type *at)
{
    return at->fields[0].mutable_ ? NULL : kval_cerr(c, "immutable array");
}

static kite_error_t *numeric_array(kval_code *c, const kir_type *at)
{
    kir_valtype t = kval_unpack(at->fields[0].type);
    return kval_is_numvec(t) ? NULL : kval_cerr(c, "array type is not numeric or vector");
}

static kite_error_t *elem_fits(kval_code *c, const kir_type *at, uint32_t e)
{
    kir_valtype et = 0;
    TRY(elem_of(c, e, &et));
    if (!kval_sub(c->v, et, at->fields[0].type))
        return type_mismatch(c, "element segment's type", et, at->fields[0].type);
    return NULL;
}

static kite_error_t *op_array(kval_code *c, const kdec_instr *in)
{
    const kir_type *at = NULL, *src = NULL;
    uint32_t x = in->idx[0];
    if (in->op == KIR_OP_ARRAY_LEN) {
        TRY(kval_pop(c, abstract_ref(KIR_HEAP_ARRAY, true)));
        return kval_push(c, I32);
    }
    TRY(comp_of(c, x, KIR_COMP_ARRAY, &at));
    kir_valtype ft = at->fields[0].type, t = kval_unpack(ft);
    kir_valtype ref = ref_to(x, true);
    switch (in->op) {
    case KIR_OP_ARRAY_NEW:
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, t));
        return kval_push(c, ref_to(x, false));
    case KIR_OP_ARRAY_NEW_DEFAULT:
        if (!kval_defaultable(ft))
            return kval_cerr(c, "type mismatch: array type %u is not defaultable", x);
        TRY(kval_pop(c, I32));
        return kval_push(c, ref_to(x, false));
    case KIR_OP_ARRAY_NEW_FIXED:
        TRY(pop_n(c, t, in->idx[1]));
        return kval_push(c, ref_to(x, false));
    case KIR_OP_ARRAY_NEW_DATA:
        TRY(kval_check_data(c, in->idx[1]));
        TRY(numeric_array(c, at));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        return kval_push(c, ref_to(x, false));
    case KIR_OP_ARRAY_NEW_ELEM:
        TRY(elem_fits(c, at, in->idx[1]));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        return kval_push(c, ref_to(x, false));
    case KIR_OP_ARRAY_GET:
    case KIR_OP_ARRAY_GET_S:
    case KIR_OP_ARRAY_GET_U: {
        bool packed_op = in->op != KIR_OP_ARRAY_GET;
        if (packed_op != kval_is_packed(ft))
            return kval_cerr(c, "type mismatch: array is %s", packed_op ? "unpacked" : "packed");
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, ref));
        return kval_push(c, t);
    }
    case KIR_OP_ARRAY_SET:
        TRY(mutable_array(c, at));
        TRY(kval_pop(c, t));
        TRY(kval_pop(c, I32));
        return kval_pop(c, ref);
    case KIR_OP_ARRAY_FILL:
        TRY(mutable_array(c, at));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, t));
        TRY(kval_pop(c, I32));
        return kval_pop(c, ref);
    case KIR_OP_ARRAY_COPY:
        TRY(comp_of(c, in->idx[1], KIR_COMP_ARRAY, &src));
        TRY(mutable_array(c, at));
        if (!kval_storage_sub(c->v, src->fields[0].type, ft))
            return kval_cerr(c, "array types do not match");
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, ref_to(in->idx[1], true)));
        TRY(kval_pop(c, I32));
        return kval_pop(c, ref);
    default: /* array.init_data, array.init_elem */
        TRY(mutable_array(c, at));
        if (in->op == KIR_OP_ARRAY_INIT_DATA) {
            TRY(kval_check_data(c, in->idx[1]));
            TRY(numeric_array(c, at));
        } else {
            TRY(elem_fits(c, at, in->idx[1]));
        }
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        TRY(kval_pop(c, I32));
        return kval_pop(c, ref);
    }
}

bool kval_check_op(kval_code *c, const kdec_instr *in, kite_error_t **err)
{
    switch (in->op) {
    case KIR_OP_TABLE_GET:
    case KIR_OP_TABLE_SET:
    case KIR_OP_TABLE_SIZE:
    case KIR_OP_TABLE_GROW:
    case KIR_OP_TABLE_FILL:
    case KIR_OP_TABLE_COPY:
    case KIR_OP_TABLE_INIT: *err = op_table(c, in); return true;
    case KIR_OP_MEMORY_INIT:
    case KIR_OP_MEMORY_COPY: *err = op_memory(c, in); return true;
    case KIR_OP_REF_NULL:
    case KIR_OP_REF_IS_NULL:
    case KIR_OP_REF_AS_NON_NULL:
    case KIR_OP_REF_FUNC:
    case KIR_OP_REF_EQ:
    case KIR_OP_REF_I31:
    case KIR_OP_I31_GET_S:
    case KIR_OP_I31_GET_U:
    case KIR_OP_ANY_CONVERT_EXTERN:
    case KIR_OP_EXTERN_CONVERT_ANY:
    case KIR_OP_THROW_REF: *err = op_ref(c, in); return true;
    case KIR_OP_BR_ON_NULL:
    case KIR_OP_BR_ON_NON_NULL: *err = op_br_on_null(c, in); return true;
    case KIR_OP_REF_TEST:
    case KIR_OP_REF_TEST_NULL:
    case KIR_OP_REF_CAST:
    case KIR_OP_REF_CAST_NULL: *err = op_cast(c, in); return true;
    case KIR_OP_BR_ON_CAST:
    case KIR_OP_BR_ON_CAST_FAIL: *err = op_br_on_cast(c, in); return true;
    case KIR_OP_STRUCT_NEW:
    case KIR_OP_STRUCT_NEW_DEFAULT:
    case KIR_OP_STRUCT_GET:
    case KIR_OP_STRUCT_GET_S:
    case KIR_OP_STRUCT_GET_U:
    case KIR_OP_STRUCT_SET: *err = op_struct(c, in); return true;
    case KIR_OP_ARRAY_NEW:
    case KIR_OP_ARRAY_NEW_DEFAULT:
    case KIR_OP_ARRAY_NEW_FIXED:
    case KIR_OP_ARRAY_NEW_DATA:
    case KIR_OP_ARRAY_NEW_ELEM:
    case KIR_OP_ARRAY_GET:
    case KIR_OP_ARRAY_GET_S:
    case KIR_OP_ARRAY_GET_U:
    case KIR_OP_ARRAY_SET:
    case KIR_OP_ARRAY_LEN:
    case KIR_OP_ARRAY_FILL:
    case KIR_OP_ARRAY_COPY:
    case KIR_OP_ARRAY_INIT_DATA:
    case KIR_OP_ARRAY_INIT_ELEM: *err = op_array(c, in); return true;
    default: return false;
    }
}
