/*
 * GC instructions in compiled code (docs/JIT.md, "GC").
 *
 * Inline: field and element reads and writes of every width but v128
 * (null check, bounds check against the array's length, one load or
 * store), array.len, the i31 encoding of runtime.h (ref.i31 is
 * `lea r32, [x + x + 1]`, i31.get_s/u a 32-bit sar/shr by one), and
 * ref.test / ref.cast / br_on_cast* against every abstract type and every
 * concrete struct or array type: a concrete test compares the object's
 * canonical id, then reads the supertype display of its RTT's canonical
 * type at the target's depth, a constant known when compiling (the
 * interpreter's kgc_ref_test, ktype_canon_is_subtype, in machine code).
 *
 * Calls out, with the frame written back (kjit_sync_out), through
 * helpers_gc.c: allocation (which sets the record's pc, the key of the
 * translator's stack map, before it can collect), the bulk array
 * operations, v128 fields and elements, and casts to function types
 * (rare; their subtype test stays in C).
 *
 * References are 8-byte slot values (0 null, odd an i31, else a pointer):
 * every store of one, of any kind, is a plain 64-bit move that never looks
 * at the value, so an i31 anywhere is just bits.
 */
#include <stddef.h>

#include "gc/gc.h"
#include "jit/codegen.h"
#include "jit/helpers_gc.h"

#define SLOT(s) kjit_m(KJIT_R_FP, (int32_t)((s) * 8u))

static void null_check(kjit_cg *cg, kjit_reg r, kite_trap_kind_t kind)
{
    kjit_test(cg->m, 64, r, kjit_r(r));
    kjit_trap_if(cg, KJIT_EQ, kind);
}

/* Runs the current instruction in kjit_h_gc on the frame in memory; traps
 * with the kind it returns. */
static void call_helper(kjit_cg *cg) { kjit_call_exec_helper(cg, (const void *)kjit_h_gc); }

#ifndef KGC_ASAN /* (the inline paths it ends are not built under ASan) */
/* The end of an inline allocation: the new object o goes to slot dst;
 * then the slow path (the helper), which starts from the state at the
 * branch to it: what the fast path loaded is forgotten (nothing is dirty). */
static void finish_alloc(kjit_cg *cg, uint32_t dst, kjit_reg o, kjit_label slow, kjit_label done)
{
    kjit_masm *m = cg->m;
    if (kjit_pinned(cg, dst))
        kjit_mov(m, 64, kjit_r(cg->pin[dst]), kjit_r(o));
    else
        kjit_mov(m, 64, SLOT(dst), kjit_r(o));
    kjit_jmp(m, done);
    for (kjit_reg r = 0; r < KJIT_NGPR; r++)
        if ((cg->gtmps >> r) & 1u)
            kjit_gclobber(cg, r);
    kjit_bind(m, slow);
    call_helper(cg); /* (ends with every temporary forgotten) */
    kjit_bind(m, done);
}
#endif

/* ---- allocation fast paths ---- */

/*
 * struct.new, struct.new_default and array.new_fixed of a size class
 * (at most KGC_SMALL_MAX bytes, known when compiling): kgc_alloc_fast
 * inline (pop the class's free list), the header and every field written
 * from the operand slots; an empty free list (always, in stress mode)
 * takes the helper, which may collect. Both paths end with every
 * temporary forgotten and the result in its slot or pinned register.
 * Under AddressSanitizer the free cells are poisoned and only the C fast
 * path unpoisons them: there every allocation calls the helper.
 */
static bool alloc_inline(kjit_cg *cg)
{
#ifdef KGC_ASAN
    (void)cg;
    return false;
#else
    kjit_masm *m = cg->m;
    uint32_t type = kjit_fld(cg, KINT_FN_type);
    const kgc_rtt *rtt = cg->u->ki->rtts[type]; /* (its layout only: the pointer is the store's) */
    uint64_t size;
    uint32_t n = 0;
    if (cg->op == KINT_OP_ARRAY_NEW_FIXED) {
        n = kjit_fld(cg, KINT_FN_n);
        size = kgc_array_size(n, rtt->elem_width);
    } else {
        size = rtt->size;
    }
    if (!size || size > KGC_SMALL_MAX)
        return false;
    int32_t list =
        (int32_t)(offsetof(kgc_heap, free) + ((size - 1) / KGC_GRANULE) * sizeof(kgc_cell *));
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_label slow = kjit_label_new(m), done = kjit_label_new(m);

    kjit_flush(cg); /* (nothing dirty: the two paths join with nothing cached) */
    kjit_reg h = kjit_gtmp(cg), o = kjit_gtmp(cg), t = kjit_gtmp(cg);
    kjit_mov(m, 64, kjit_r(h), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, heap)));
    kjit_mov(m, 64, kjit_r(o), kjit_m(h, list));
    kjit_test(m, 64, o, kjit_r(o));
    kjit_jcc(m, KJIT_EQ, slow);
    kjit_mov(m, 64, kjit_r(t), kjit_m(o, (int32_t)offsetof(kgc_cell, next)));
    kjit_mov(m, 64, kjit_m(h, list), kjit_r(t));
    /* header: kind and canonical id, then this store's RTT */
    kjit_mov(m, 64, kjit_r(t), kjit_i((int64_t)((uint64_t)rtt->kind | (uint64_t)rtt->canon << 32)));
    kjit_mov(m, 64, kjit_m(o, 0), kjit_r(t));
    kjit_mov(m, 64, kjit_r(t), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, rtts)));
    kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)(type * sizeof(void *))));
    kjit_mov(m, 64, kjit_m(o, (int32_t)offsetof(kgc_obj, rtt)), kjit_r(t));
    cg->busy = 1u << o; /* (h and t are free again) */
    switch (cg->op) {
    case KINT_OP_STRUCT_NEW_DEFAULT:
        for (uint32_t off = KGC_STRUCT_FIELDS; off < size; off += 8)
            kjit_mov(m, 64, kjit_m(o, (int32_t)off), kjit_i(0));
        break;
    case KINT_OP_STRUCT_NEW: {
        uint32_t base = kjit_fld(cg, KINT_FN_base);
        if (!rtt->all64) /* (padding and packed fields' other bytes: zero, as kgc_struct_new) */
            for (uint32_t off = KGC_STRUCT_FIELDS; off < size; off += 8)
                kjit_mov(m, 64, kjit_m(o, (int32_t)off), kjit_i(0));
        for (uint32_t i = 0; i < rtt->nfields; i++) {
            const kgc_field *f = &rtt->fields[i];
            for (uint32_t part = 0; part < (f->width == 16 ? 2u : 1u); part++) {
                kjit_reg v = kjit_raw_in(cg, base + f->slot + part);
                unsigned w = f->width == 16 ? 64u : f->width * 8u;
                kjit_mov(m, w, kjit_m(o, (int32_t)(f->offset + 8 * part)), kjit_r(v));
                cg->busy = 1u << o;
            }
        }
        break;
    }
    default: { /* array.new_fixed */
        uint32_t base = kjit_fld(cg, KINT_FN_base), w = rtt->elem_width;
        kjit_mov(m, 64, kjit_m(o, (int32_t)offsetof(kgc_array, len)),
                 kjit_i(n)); /* (and pad_ = 0) */
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t part = 0; part < (w == 16 ? 2u : 1u); part++) {
                uint32_t slot = base + (w == 16 ? 2 * i : i) + part;
                kjit_reg v = kjit_raw_in(cg, slot);
                kjit_mov(m, w == 16 ? 64u : w * 8u,
                         kjit_m(o, (int32_t)(KGC_ARRAY_DATA + i * w + 8 * part)), kjit_r(v));
                cg->busy = 1u << o;
            }
        break;
    }
    }
    finish_alloc(cg, dst, o, slow, done);
    return true;
#endif
}

/*
 * array.new_default and array.new of a size known only at run time: the
 * same fast path when the array fits a size class (n <= (KGC_SMALL_MAX -
 * 24) / width), its class computed from n: granules g = (n * width + 24 +
 * 15) / 16, free list g - 1; the elements (and the padding after them)
 * zeroed, or each set to the initial value (not v128: the helper).
 */
static bool alloc_array_inline(kjit_cg *cg)
{
#ifdef KGC_ASAN
    (void)cg;
    return false;
#else
    kjit_masm *m = cg->m;
    uint32_t type = kjit_fld(cg, KINT_FN_type), nslot = kjit_fld(cg, KINT_FN_n),
             dst = kjit_fld(cg, KINT_FN_dst);
    const kgc_rtt *rtt = cg->u->ki->rtts[type];
    if (cg->op == KINT_OP_ARRAY_NEW && rtt->elem_width == 16)
        return false; /* (its value takes two registers) */
    uint32_t w = rtt->elem_width, shift = w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : w == 8 ? 3 : 4;
    kjit_label slow = kjit_label_new(m), done = kjit_label_new(m), zero = kjit_label_new(m),
               zeroed = kjit_label_new(m);

    kjit_flush(cg); /* (n's slot is current in memory from here on) */
    kjit_reg n = kjit_gin(cg, nslot, 32);
    kjit_cmp(m, 32, n, kjit_i((KGC_SMALL_MAX - KGC_ARRAY_DATA) / w));
    kjit_jcc(m, KJIT_GT_U, slow);
    kjit_reg t = kjit_gtmp(cg);
    kjit_mov(m, 32, kjit_r(t), kjit_r(n));
    cg->busy = 1u << t; /* (n is read again from its slot or register) */
    if (shift)
        kjit_shift(m, KJIT_SHL, 32, t, t, kjit_i(shift));
    kjit_alu(m, KJIT_ADD, 32, t, t, kjit_i(KGC_ARRAY_DATA + KGC_GRANULE - 1));
    kjit_shift(m, KJIT_SHR, 32, t, t, kjit_i(4)); /* granules */
    kjit_reg h = kjit_gtmp(cg);
    kjit_mov(m, 64, kjit_r(h), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, heap)));
    kjit_lea(m, 64, t, kjit_mx(h, t, 8, (int32_t)(offsetof(kgc_heap, free) - sizeof(kgc_cell *))));
    kjit_reg o = kjit_gtmp(cg);
    kjit_mov(m, 64, kjit_r(o), kjit_m(t, 0));
    kjit_test(m, 64, o, kjit_r(o));
    kjit_jcc(m, KJIT_EQ, slow);
    kjit_mov(m, 64, kjit_r(h), kjit_m(o, (int32_t)offsetof(kgc_cell, next)));
    kjit_mov(m, 64, kjit_m(t, 0), kjit_r(h));
    kjit_mov(m, 64, kjit_r(h), kjit_i((int64_t)((uint64_t)rtt->kind | (uint64_t)rtt->canon << 32)));
    kjit_mov(m, 64, kjit_m(o, 0), kjit_r(h));
    kjit_mov(m, 64, kjit_r(h), kjit_m(KJIT_R_KI, (int32_t)offsetof(kint_instance, rtts)));
    kjit_mov(m, 64, kjit_r(h), kjit_m(h, (int32_t)(type * sizeof(void *))));
    kjit_mov(m, 64, kjit_m(o, (int32_t)offsetof(kgc_obj, rtt)), kjit_r(h));
    /* len and pad_, then zeroes from the first element to the end of the
     * cell: [h, t) with t = o + ((n * width + 39) & ~15) */
    if (kjit_pinned(cg, nslot))
        kjit_mov(m, 32, kjit_r(h), kjit_r(cg->pin[nslot]));
    else
        kjit_load(m, KJIT_L32U, h, SLOT(nslot));
    kjit_mov(m, 64, kjit_m(o, (int32_t)offsetof(kgc_array, len)), kjit_r(h));
    if (cg->op == KINT_OP_ARRAY_NEW) {
        /* elements n-1 down to 0 get the initial value (read before the
         * result is stored: the result's slot may be the value's) */
        cg->busy = (1u << o) | (1u << h);
        kjit_reg v = kjit_raw_in(cg, kjit_fld(cg, KINT_FN_init));
        kjit_bind(m, zero);
        kjit_test(m, 32, h, kjit_r(h));
        kjit_jcc(m, KJIT_EQ, zeroed);
        kjit_alu(m, KJIT_SUB, 32, h, h, kjit_i(1));
        kjit_mov(m, w * 8u, kjit_mx(o, h, (uint8_t)w, (int32_t)KGC_ARRAY_DATA), kjit_r(v));
        kjit_jmp(m, zero);
    }
    if (cg->op == KINT_OP_ARRAY_NEW_DEFAULT) {
        kjit_mov(m, 32, kjit_r(t), kjit_r(h));
        if (shift)
            kjit_shift(m, KJIT_SHL, 32, t, t, kjit_i(shift));
        kjit_alu(m, KJIT_ADD, 32, t, t, kjit_i(KGC_ARRAY_DATA + KGC_GRANULE - 1));
        kjit_alu(m, KJIT_AND, 32, t, t, kjit_i(-(int64_t)KGC_GRANULE));
        kjit_alu(m, KJIT_ADD, 64, t, t, kjit_r(o));
        kjit_lea(m, 64, h, kjit_m(o, (int32_t)KGC_ARRAY_DATA));
        kjit_bind(m, zero);
        kjit_cmp(m, 64, h, kjit_r(t));
        kjit_jcc(m, KJIT_GE_U, zeroed);
        kjit_mov(m, 64, kjit_m(h, 0), kjit_i(0));
        kjit_alu(m, KJIT_ADD, 64, h, h, kjit_i(8));
        kjit_jmp(m, zero);
    }
    kjit_bind(m, zeroed);
    finish_alloc(cg, dst, o, slow, done);
    return true;
#endif
}

/* ---- fields and elements ---- */

typedef struct access_op {
    uint8_t width; /* bytes; 0: not a plain access */
    bool array, store;
    kjit_load_kind load;
} access_op;

static access_op access_of(kint_op op)
{
    switch (op) {
    case KINT_OP_STRUCT_GET_8S: return (access_op){1, false, false, KJIT_L8S32};
    case KINT_OP_STRUCT_GET_8U: return (access_op){1, false, false, KJIT_L8U};
    case KINT_OP_STRUCT_GET_16S: return (access_op){2, false, false, KJIT_L16S32};
    case KINT_OP_STRUCT_GET_16U: return (access_op){2, false, false, KJIT_L16U};
    case KINT_OP_STRUCT_GET_32: return (access_op){4, false, false, KJIT_L32U};
    case KINT_OP_STRUCT_GET_64: return (access_op){8, false, false, KJIT_L64};
    case KINT_OP_STRUCT_SET_8: return (access_op){1, false, true, KJIT_L8U};
    case KINT_OP_STRUCT_SET_16: return (access_op){2, false, true, KJIT_L8U};
    case KINT_OP_STRUCT_SET_32: return (access_op){4, false, true, KJIT_L8U};
    case KINT_OP_STRUCT_SET_64: return (access_op){8, false, true, KJIT_L8U};
    case KINT_OP_ARRAY_GET_8S: return (access_op){1, true, false, KJIT_L8S32};
    case KINT_OP_ARRAY_GET_8U: return (access_op){1, true, false, KJIT_L8U};
    case KINT_OP_ARRAY_GET_16S: return (access_op){2, true, false, KJIT_L16S32};
    case KINT_OP_ARRAY_GET_16U: return (access_op){2, true, false, KJIT_L16U};
    case KINT_OP_ARRAY_GET_32: return (access_op){4, true, false, KJIT_L32U};
    case KINT_OP_ARRAY_GET_64: return (access_op){8, true, false, KJIT_L64};
    case KINT_OP_ARRAY_SET_8: return (access_op){1, true, true, KJIT_L8U};
    case KINT_OP_ARRAY_SET_16: return (access_op){2, true, true, KJIT_L8U};
    case KINT_OP_ARRAY_SET_32: return (access_op){4, true, true, KJIT_L8U};
    case KINT_OP_ARRAY_SET_64: return (access_op){8, true, true, KJIT_L8U};
    default: return (access_op){0, false, false, KJIT_L8U};
    }
}

/* A struct field or array element read or write: null check, bounds check,
 * then one load or store. Values are raw bits (a float local gets them as
 * they are), references plain 64-bit words. */
static void emit_access(kjit_cg *cg, access_op a)
{
    kjit_masm *m = cg->m;
    kjit_opnd at;
    kjit_reg obj, idx = KJIT_NOREG;
    if (a.array) {
        obj = kjit_gin(cg, kjit_fld(cg, KINT_FN_arr), 64);
        null_check(cg, obj, KITE_TRAP_NULL_ARRAY_REFERENCE);
        /* (an i32 in a register is zero-extended: a valid index register) */
        idx = kjit_gin(cg, kjit_fld(cg, KINT_FN_idx), 32);
        kjit_cmp(m, 32, idx, kjit_m(obj, (int32_t)offsetof(kgc_array, len)));
        kjit_trap_if(cg, KJIT_GE_U, KITE_TRAP_ARRAY_OUT_OF_BOUNDS);
        at = kjit_mx(obj, idx, a.width, (int32_t)KGC_ARRAY_DATA);
    } else {
        obj = kjit_gin(cg, kjit_fld(cg, KINT_FN_obj), 64);
        null_check(cg, obj, KITE_TRAP_NULL_STRUCTURE_REFERENCE);
        at = kjit_m(obj, (int32_t)kjit_fld(cg, KINT_FN_offset));
    }
    if (a.store) {
        kjit_reg v = kjit_raw_in(cg, kjit_fld(cg, KINT_FN_val));
        kjit_mov(m, a.width * 8u, at, kjit_r(v));
        return;
    }
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg d = kjit_gtmp(cg); /* (not an operand's register: the address needs them) */
    kjit_load(m, a.load, d, at);
    kjit_raw_done(cg, dst, d);
}

/* ---- casts ---- */

/* Whether cast target `cast` is a concrete function type (tested in C). */
static bool cast_in_c(const kjit_cg *cg, uint32_t cast)
{
    if (!(cast & KINT_CAST_CONCRETE))
        return false;
    const ktype_ctype *t = ktype_canon_type(cg->u->ki->canon, cast & KINT_CAST_HEAP);
    return !t || t->comp == KIR_COMP_FUNC;
}

/*
 * Tests the reference in r against cast target `cast` (not a function
 * type): jumps to `yes` when it passes, else to `no`. t is a temporary.
 * The same decisions as kgc_ref_test.
 */
static void cast_branches(kjit_cg *cg, kjit_reg r, kjit_reg t, uint32_t cast, kjit_label yes,
                          kjit_label no)
{
    kjit_masm *m = cg->m;
    uint32_t heap = cast & KINT_CAST_HEAP;
    bool concrete = (cast & KINT_CAST_CONCRETE) != 0, nullable = (cast & KINT_CAST_NULLABLE) != 0;
    kjit_test(m, 64, r, kjit_r(r));
    kjit_jcc(m, KJIT_EQ, nullable ? yes : no);
    bool i31_ok = !concrete && (heap == KIR_HEAP_I31 || heap == KIR_HEAP_EQ ||
                                heap == KIR_HEAP_ANY || heap == KIR_HEAP_EXTERN);
    kjit_test(m, 64, r, kjit_i(1));
    kjit_jcc(m, KJIT_NE, i31_ok ? yes : no);
    kjit_load(m, KJIT_L32U, t, kjit_m(r, (int32_t)offsetof(krt_obj, kind)));
    if (!concrete) {
        switch (heap) {
        case KIR_HEAP_ANY:
        case KIR_HEAP_EXTERN:
            kjit_cmp(m, 32, t, kjit_i(KRT_OBJ_FUNC));
            kjit_jcc(m, KJIT_EQ, no);
            kjit_cmp(m, 32, t, kjit_i(KRT_OBJ_EXN));
            kjit_jcc(m, KJIT_EQ, no);
            kjit_jmp(m, yes);
            return;
        case KIR_HEAP_EQ:
            kjit_cmp(m, 32, t, kjit_i(KRT_OBJ_STRUCT));
            kjit_jcc(m, KJIT_EQ, yes);
            kjit_cmp(m, 32, t, kjit_i(KRT_OBJ_ARRAY));
            kjit_jcc(m, KJIT_EQ, yes);
            kjit_jmp(m, no);
            return;
        case KIR_HEAP_STRUCT:
        case KIR_HEAP_ARRAY:
        case KIR_HEAP_FUNC:
        case KIR_HEAP_EXN: {
            uint32_t kind = heap == KIR_HEAP_STRUCT  ? KRT_OBJ_STRUCT
                            : heap == KIR_HEAP_ARRAY ? KRT_OBJ_ARRAY
                            : heap == KIR_HEAP_FUNC  ? KRT_OBJ_FUNC
                                                     : KRT_OBJ_EXN;
            kjit_cmp(m, 32, t, kjit_i(kind));
            kjit_jcc(m, KJIT_EQ, yes);
            kjit_jmp(m, no);
            return;
        }
        default: kjit_jmp(m, no); return; /* i31 (not an i31 here), none, noextern, nofunc, noexn */
        }
    }
    /* a concrete struct or array type: the object's kind, its canonical
     * id, then its type's ancestor at the target's depth */
    const ktype_ctype *target = ktype_canon_type(cg->u->ki->canon, heap);
    kjit_cmp(m, 32, t, kjit_i(target->comp == KIR_COMP_STRUCT ? KRT_OBJ_STRUCT : KRT_OBJ_ARRAY));
    kjit_jcc(m, KJIT_NE, no);
    kjit_cmp_mem(m, 32, kjit_m(r, (int32_t)offsetof(krt_obj, canon)), kjit_i((int64_t)heap));
    kjit_jcc(m, KJIT_EQ, yes);
    if (target->final) { /* no subtypes */
        kjit_jmp(m, no);
        return;
    }
    kjit_mov(m, 64, kjit_r(t), kjit_m(r, (int32_t)offsetof(kgc_obj, rtt)));
    kjit_alu(m, KJIT_AND, 64, t, t, kjit_i(-2)); /* (the mark bit, were a collection running) */
    kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)offsetof(kgc_rtt, type)));
    kjit_cmp_mem(m, 32, kjit_m(t, (int32_t)offsetof(ktype_ctype, depth)),
                 kjit_i((int64_t)target->depth));
    kjit_jcc(m, KJIT_LE_U, no);
    kjit_mov(m, 64, kjit_r(t), kjit_m(t, (int32_t)offsetof(ktype_ctype, ancestors)));
    kjit_cmp_mem(m, 32, kjit_m(t, (int32_t)(target->depth * 4u)), kjit_i((int64_t)heap));
    kjit_jcc(m, KJIT_EQ, yes);
    kjit_jmp(m, no);
}

/* A cast to a function type: kjit_h_ref_test on the slot, 0/1 in KJIT_RET
 * (the frame written back and reloaded around it). */
static void cast_call(kjit_cg *cg, uint32_t src, uint32_t cast)
{
    kjit_masm *m = cg->m;
    kjit_sync_out(cg);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_KI));
    kjit_mov(m, 64, kjit_r(KJIT_ARG1), SLOT(src));
    kjit_mov(m, 32, kjit_r(KJIT_ARG2), kjit_i((int64_t)cast));
    kjit_call_c(cg, (const void *)kjit_h_ref_test);
    kjit_sync_in(cg);
}

static void emit_ref_test(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    uint32_t src = kjit_fld(cg, KINT_FN_src), dst = kjit_fld(cg, KINT_FN_dst),
             cast = kjit_fld(cg, KINT_FN_cast);
    if (cast_in_c(cg, cast)) {
        cast_call(cg, src, cast);
        kjit_reg d = kjit_gtmp(cg);
        if (d != KJIT_RET)
            kjit_mov(m, 32, kjit_r(d), kjit_r(KJIT_RET));
        kjit_gdone(cg, dst, d, 32);
        return;
    }
    kjit_reg r = kjit_gin(cg, src, 64);
    kjit_reg t = kjit_gtmp(cg), d = kjit_gtmp(cg);
    kjit_label yes = kjit_label_new(m), no = kjit_label_new(m), done = kjit_label_new(m);
    cast_branches(cg, r, t, cast, yes, no);
    kjit_bind(m, no);
    kjit_mov(m, 32, kjit_r(d), kjit_i(0));
    kjit_jmp(m, done);
    kjit_bind(m, yes);
    kjit_mov(m, 32, kjit_r(d), kjit_i(1));
    kjit_bind(m, done);
    kjit_gdone(cg, dst, d, 32);
}

static void emit_ref_cast(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    uint32_t src = kjit_fld(cg, KINT_FN_src), cast = kjit_fld(cg, KINT_FN_cast);
    if (cast_in_c(cg, cast)) {
        cast_call(cg, src, cast);
        kjit_test(m, 32, KJIT_RET, kjit_r(KJIT_RET));
        kjit_trap_if(cg, KJIT_EQ, KITE_TRAP_CAST_FAILURE);
        return;
    }
    kjit_reg r = kjit_gin(cg, src, 64);
    kjit_reg t = kjit_gtmp(cg);
    kjit_label ok = kjit_label_new(m);
    cast_branches(cg, r, t, cast, ok, kjit_trap_label(cg, KITE_TRAP_CAST_FAILURE));
    kjit_bind(m, ok);
}

/* br_on_cast (BR_CAST: jump when the test passes) and br_on_cast_fail
 * (BRN_CAST: when it fails). */
static void emit_br_cast(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    bool on_pass = cg->op == KINT_OP_BR_CAST;
    uint32_t src = kjit_fld(cg, KINT_FN_src), cast = kjit_fld(cg, KINT_FN_cast);
    if (cast_in_c(cg, cast)) {
        cast_call(cg, src, cast);
        kjit_test(m, 32, KJIT_RET, kjit_r(KJIT_RET));
        kjit_jcc(m, on_pass ? KJIT_NE : KJIT_EQ,
                 kjit_taken(cg)); /* (nothing to store after sync_in) */
        return;
    }
    kjit_reg r = kjit_gin(cg, src, 64);
    kjit_reg t = kjit_gtmp(cg);
    kjit_label taken = kjit_taken(cg); /* (stores what the target needs: before any branch) */
    kjit_label fall = kjit_label_new(m);
    cast_branches(cg, r, t, cast, on_pass ? taken : fall, on_pass ? fall : taken);
    kjit_bind(m, fall);
}

/* ---- i31 and arrays' length ---- */

static void emit_i31(kjit_cg *cg)
{
    kjit_masm *m = cg->m;
    uint32_t src = kjit_fld(cg, KINT_FN_src), dst = kjit_fld(cg, KINT_FN_dst);
    if (cg->op == KINT_OP_REF_I31) {
        /* krt_ref_i31_new: ((x & 0x7fffffff) << 1) | 1, as a 32-bit lea
         * (bit 31 of x falls off the top) */
        kjit_reg x = kjit_gin(cg, src, 32);
        kjit_reg d = kjit_gout_reuse(cg, dst, x);
        kjit_lea(m, 32, d, kjit_mx(x, x, 1, 1));
        kjit_gdone(cg, dst, d, 64);
        return;
    }
    /* krt_ref_i31_get_s/u: the low 32 bits shifted right by one, arithmetic
     * for get_s (bit 30 of the value is bit 31 of the encoding) */
    kjit_reg r = kjit_gin(cg, src, 64);
    null_check(cg, r, KITE_TRAP_NULL_I31_REFERENCE);
    kjit_reg d = kjit_gout_reuse(cg, dst, r);
    kjit_shift(m, cg->op == KINT_OP_I31_GET_S ? KJIT_SAR : KJIT_SHR, 32, d, r, kjit_i(1));
    kjit_gdone(cg, dst, d, 32);
}

static void emit_array_len(kjit_cg *cg)
{
    uint32_t dst = kjit_fld(cg, KINT_FN_dst);
    kjit_reg r = kjit_gin(cg, kjit_fld(cg, KINT_FN_arr), 64);
    null_check(cg, r, KITE_TRAP_NULL_ARRAY_REFERENCE);
    kjit_reg d = kjit_gout_reuse(cg, dst, r);
    kjit_load(cg->m, KJIT_L32U, d, kjit_m(r, (int32_t)offsetof(kgc_array, len)));
    kjit_gdone(cg, dst, d, 32);
}

bool kjit_emit_gc(kjit_cg *cg)
{
    switch (cg->op) {
    case KINT_OP_STRUCT_NEW:
    case KINT_OP_STRUCT_NEW_DEFAULT:
    case KINT_OP_ARRAY_NEW_FIXED:
        if (!alloc_inline(cg))
            call_helper(cg);
        return true;
    case KINT_OP_ARRAY_NEW:
    case KINT_OP_ARRAY_NEW_DEFAULT:
        if (!alloc_array_inline(cg))
            call_helper(cg);
        return true;
    case KINT_OP_ARRAY_NEW_DATA:
    case KINT_OP_ARRAY_NEW_ELEM:
    case KINT_OP_ARRAY_FILL:
    case KINT_OP_ARRAY_COPY:
    case KINT_OP_ARRAY_INIT_DATA:
    case KINT_OP_ARRAY_INIT_ELEM:
    case KINT_OP_STRUCT_GET_128:
    case KINT_OP_STRUCT_SET_128:
    case KINT_OP_ARRAY_GET_128:
    case KINT_OP_ARRAY_SET_128: call_helper(cg); return true;
    case KINT_OP_ARRAY_LEN: emit_array_len(cg); return true;
    case KINT_OP_REF_I31:
    case KINT_OP_I31_GET_S:
    case KINT_OP_I31_GET_U: emit_i31(cg); return true;
    case KINT_OP_REF_TEST: emit_ref_test(cg); return true;
    case KINT_OP_REF_CAST: emit_ref_cast(cg); return true;
    case KINT_OP_BR_CAST:
    case KINT_OP_BRN_CAST: emit_br_cast(cg); return true;
    default: break;
    }
    access_op a = access_of(cg->op);
    if (!a.width)
        return false;
    emit_access(cg, a);
    return true;
}
