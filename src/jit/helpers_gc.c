/*
 * The C side of compiled GC code (codegen_gc.c): allocation, bulk array
 * operations, v128 fields and elements, and casts to function types.
 *
 * Each runs one instruction on the frame in memory, exactly as the
 * interpreter's handler in exec.c does (the same checks in the same order,
 * the same trap kinds), and returns a trap kind or 0. Compiled code has
 * written every register-held value back first; before anything that can
 * collect, the record's pc is set to the end of the instruction, the key
 * of the stack map the translator recorded for it (gcmap.c), so the
 * collector finds the operands still in their slots.
 */
#include <string.h>

#include "gc/gc.h"
#include "jit/helpers_gc.h"

static uint64_t fld(const kint_word *pc, kint_op op, kint_fname name)
{
    const kint_field *f = kint_layout_field(op, name);
    return f ? kint_layout_get(pc, f) : 0;
}

#define F(name) fld(pc, (kint_op)op, KINT_FN_##name)
#define SLOT(name) fp[F(name)]

/* An allocation's safepoint: where this frame resumes. */
static void safepoint(kint_thread *th, const kint_word *pc, uint32_t op)
{
    th->top->pc = pc + kint_ops[op].size;
}

/* A new array of n elements of rtt, uninitialized but for its header; a
 * trap kind in *trap when NULL. */
static kgc_array *array_alloc(kint_thread *th, const kint_word *pc, uint32_t op, const kgc_rtt *rtt,
                              uint32_t n, uint32_t width, int *trap)
{
    uint64_t size = kgc_array_size(n, width);
    if (!size) {
        *trap = KITE_TRAP_ARRAY_TOO_LARGE;
        return NULL;
    }
    safepoint(th, pc, op);
    kgc_array *a = kgc_alloc(th->top->ki->heap, size);
    if (!a) {
        *trap = KITE_TRAP_GC_HEAP_EXHAUSTED;
        return NULL;
    }
    a->obj.hdr.kind = rtt->kind;
    a->obj.hdr.canon = rtt->canon;
    a->obj.rtt = (uintptr_t)rtt;
    a->len = n;
    a->pad_ = 0;
    return a;
}

static int array_new(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op)
{
    kint_instance *ki = th->top->ki;
    const kgc_rtt *rtt = ki->rtts[F(type)];
    uint32_t w = rtt->elem_width;
    int trap = 0;
    kgc_array *a;
    switch (op) {
    case KINT_OP_ARRAY_NEW: {
        uint32_t n = (uint32_t)SLOT(n);
        if (!(a = array_alloc(th, pc, op, rtt, n, w, &trap)))
            return trap;
        kgc_fill(kgc_array_data(a), w, n, fp + F(init)); /* (read after the allocation: rooted) */
        break;
    }
    case KINT_OP_ARRAY_NEW_DEFAULT: {
        uint32_t n = (uint32_t)SLOT(n);
        if (!(a = array_alloc(th, pc, op, rtt, n, w, &trap)))
            return trap;
        memset(kgc_array_data(a), 0, (size_t)n * w);
        break;
    }
    case KINT_OP_ARRAY_NEW_FIXED: {
        uint32_t n = (uint32_t)F(n);
        if (!(a = array_alloc(th, pc, op, rtt, n, w, &trap)))
            return trap;
        const uint64_t *src = fp + F(base);
        uint32_t step = w == 16 ? 2 : 1;
        for (uint32_t i = 0; i < n; i++)
            kgc_store_value(kgc_array_data(a) + (size_t)i * w, w, src + (size_t)i * step);
        break;
    }
    case KINT_OP_ARRAY_NEW_DATA: {
        uint32_t s = (uint32_t)SLOT(soff), n = (uint32_t)SLOT(n), x = (uint32_t)F(data);
        const kir_data *d = &ki->inst->m->datas[x];
        uint64_t dlen = ki->inst->data_dropped[x] ? 0 : d->len;
        if ((uint64_t)s + (uint64_t)n * w > dlen)
            return KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
        if (!(a = array_alloc(th, pc, op, rtt, n, w, &trap)))
            return trap;
        if (n)
            memcpy(kgc_array_data(a), d->bytes + s, (size_t)n * w);
        break;
    }
    case KINT_OP_ARRAY_NEW_ELEM: {
        uint32_t s = (uint32_t)SLOT(soff), n = (uint32_t)SLOT(n);
        const krt_elem_seg *seg = &ki->inst->elems[F(elem)];
        if ((uint64_t)s + n > seg->count)
            return KITE_TRAP_TABLE_OUT_OF_BOUNDS;
        if (!(a = array_alloc(th, pc, op, rtt, n, 8, &trap)))
            return trap;
        uint64_t *e = (uint64_t *)(void *)kgc_array_data(a);
        for (uint32_t i = 0; i < n; i++)
            e[i] = (uint64_t)seg->refs[s + i];
        break;
    }
    default: return KITE_TRAP_UNREACHABLE; /* never emitted for other ops */
    }
    SLOT(dst) = (uint64_t)(uintptr_t)a;
    return 0;
}

/* The array in slot k, or NULL. */
static kgc_array *array_at(const uint64_t *fp, uint64_t k) { return (kgc_array *)(uintptr_t)fp[k]; }

static int array_bulk(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op)
{
    kint_instance *ki = th->top->ki;
    switch (op) {
    case KINT_OP_ARRAY_FILL: {
        kgc_array *a = array_at(fp, F(arr));
        if (!a)
            return KITE_TRAP_NULL_ARRAY_REFERENCE;
        uint64_t d = (uint32_t)SLOT(doff), n = (uint32_t)SLOT(n);
        uint32_t w = (uint32_t)F(width);
        if (d + n > a->len)
            return KITE_TRAP_ARRAY_OUT_OF_BOUNDS;
        kgc_fill(kgc_array_data(a) + d * w, w, n, fp + F(val));
        return 0;
    }
    case KINT_OP_ARRAY_COPY: {
        kgc_array *da = array_at(fp, F(darr)), *sa = array_at(fp, F(sarr));
        if (!da || !sa)
            return KITE_TRAP_NULL_ARRAY_REFERENCE;
        uint64_t d = (uint32_t)SLOT(doff), s = (uint32_t)SLOT(soff), n = (uint32_t)SLOT(n);
        uint32_t w = (uint32_t)F(width);
        if (d + n > da->len || s + n > sa->len)
            return KITE_TRAP_ARRAY_OUT_OF_BOUNDS;
        if (n)
            memmove(kgc_array_data(da) + d * w, kgc_array_data(sa) + s * w, (size_t)(n * w));
        return 0;
    }
    case KINT_OP_ARRAY_INIT_DATA: {
        kgc_array *a = array_at(fp, F(arr));
        if (!a)
            return KITE_TRAP_NULL_ARRAY_REFERENCE;
        uint64_t d = (uint32_t)SLOT(doff), s = (uint32_t)SLOT(soff), n = (uint32_t)SLOT(n);
        uint32_t w = (uint32_t)F(width), x = (uint32_t)F(data);
        const kir_data *seg = &ki->inst->m->datas[x];
        uint64_t dlen = ki->inst->data_dropped[x] ? 0 : seg->len;
        if (d + n > a->len)
            return KITE_TRAP_ARRAY_OUT_OF_BOUNDS;
        if (s + n * w > dlen)
            return KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
        if (n)
            memcpy(kgc_array_data(a) + d * w, seg->bytes + s, (size_t)(n * w));
        return 0;
    }
    case KINT_OP_ARRAY_INIT_ELEM: {
        kgc_array *a = array_at(fp, F(arr));
        if (!a)
            return KITE_TRAP_NULL_ARRAY_REFERENCE;
        uint64_t d = (uint32_t)SLOT(doff), s = (uint32_t)SLOT(soff), n = (uint32_t)SLOT(n);
        const krt_elem_seg *seg = &ki->inst->elems[F(elem)];
        if (d + n > a->len)
            return KITE_TRAP_ARRAY_OUT_OF_BOUNDS;
        if (s + n > seg->count)
            return KITE_TRAP_TABLE_OUT_OF_BOUNDS;
        uint64_t *e = (uint64_t *)(void *)kgc_array_data(a);
        for (uint64_t i = 0; i < n; i++)
            e[d + i] = (uint64_t)seg->refs[s + i];
        return 0;
    }
    default: return KITE_TRAP_UNREACHABLE;
    }
}

/* v128 fields and elements: two slots each. */
static int access128(uint64_t *fp, const kint_word *pc, uint32_t op)
{
    uint8_t *p;
    if (op == KINT_OP_STRUCT_GET_128 || op == KINT_OP_STRUCT_SET_128) {
        if (!SLOT(obj))
            return KITE_TRAP_NULL_STRUCTURE_REFERENCE;
        p = (uint8_t *)(uintptr_t)SLOT(obj) + F(offset);
    } else {
        kgc_array *a = array_at(fp, F(arr));
        if (!a)
            return KITE_TRAP_NULL_ARRAY_REFERENCE;
        uint32_t i = (uint32_t)SLOT(idx);
        if (i >= a->len)
            return KITE_TRAP_ARRAY_OUT_OF_BOUNDS;
        p = kgc_array_data(a) + (size_t)i * 16;
    }
    uint64_t v[2];
    if (op == KINT_OP_STRUCT_GET_128 || op == KINT_OP_ARRAY_GET_128) {
        memcpy(v, p, 16);
        fp[F(dst)] = v[0];
        fp[F(dst) + 1] = v[1];
    } else {
        v[0] = fp[F(val)];
        v[1] = fp[F(val) + 1];
        memcpy(p, v, 16);
    }
    return 0;
}

int kjit_h_gc(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op)
{
    kint_instance *ki = th->top->ki;
    switch (op) {
    case KINT_OP_STRUCT_NEW:
    case KINT_OP_STRUCT_NEW_DEFAULT: {
        const kgc_rtt *rtt = ki->rtts[F(type)];
        safepoint(th, pc, op);
        /* (struct.new's field values are read after the allocation: they
         * are rooted by the stack map) */
        kgc_obj *o = kgc_struct_new(ki->heap, rtt, op == KINT_OP_STRUCT_NEW ? fp + F(base) : NULL);
        if (!o)
            return KITE_TRAP_GC_HEAP_EXHAUSTED;
        SLOT(dst) = (uint64_t)(uintptr_t)o;
        return 0;
    }
    case KINT_OP_ARRAY_NEW:
    case KINT_OP_ARRAY_NEW_DEFAULT:
    case KINT_OP_ARRAY_NEW_FIXED:
    case KINT_OP_ARRAY_NEW_DATA:
    case KINT_OP_ARRAY_NEW_ELEM: return array_new(th, fp, pc, op);
    case KINT_OP_ARRAY_FILL:
    case KINT_OP_ARRAY_COPY:
    case KINT_OP_ARRAY_INIT_DATA:
    case KINT_OP_ARRAY_INIT_ELEM: return array_bulk(th, fp, pc, op);
    case KINT_OP_STRUCT_GET_128:
    case KINT_OP_STRUCT_SET_128:
    case KINT_OP_ARRAY_GET_128:
    case KINT_OP_ARRAY_SET_128: return access128(fp, pc, op);
    default: return KITE_TRAP_UNREACHABLE; /* never emitted for other ops */
    }
}

int kjit_h_ref_test(kint_instance *ki, uint64_t ref, uint32_t cast)
{
    return kgc_ref_test(ki->canon, (krt_ref)ref, cast & KINT_CAST_HEAP,
                        (cast & KINT_CAST_CONCRETE) != 0, (cast & KINT_CAST_NULLABLE) != 0);
}
