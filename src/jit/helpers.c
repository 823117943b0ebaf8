/*
 * The C side of compiled code: calls that leave compiled code (host
 * functions, the interpreter, code not compiled yet), fuel, stack
 * exhaustion, and uncommon instructions run on the frame in memory.
 */
#include "jit/helpers.h"

#include <errno.h>
#include <string.h>

#include "interp/numeric.h"
#include "types/canon.h"

/* Operand field `name` of the instruction at pc (op): its value. */
static uint64_t fld(const kint_word *pc, kint_op op, kint_fname name)
{
    const kint_field *f = kint_layout_field(op, name);
    return f ? kint_layout_get(pc, f) : 0;
}

#define F(name) fld(pc, (kint_op)op, KINT_FN_##name)
#define SLOT(name) fp[F(name)]

/* Slot readers and writers by the opcode table's type letters (as the
 * interpreter's). */
#define GET_i(v) ((uint32_t)(v))
#define GET_I(v) ((uint64_t)(v))
#define GET_f(v) kint_f32_from_bits((uint32_t)(v))
#define GET_F(v) kint_f64_from_bits((uint64_t)(v))
#define PUT_i(x) ((uint64_t)(uint32_t)(x))
#define PUT_I(x) ((uint64_t)(x))
#define PUT_f(x) ((uint64_t)kint_f32_bits(x))
#define PUT_F(x) kint_f64_bits(x)

static int numeric(uint64_t *fp, const kint_word *pc, uint32_t op)
{
    switch (op) {
#define UN(id, fn, ta, tr) \
    case KINT_OP_##id: SLOT(dst) = PUT_##tr(fn(GET_##ta(SLOT(a)))); return 0;
#define WIDE4(id, fn)                                                             \
    case KINT_OP_##id: {                                                          \
        uint64_t lo_, hi_;                                                        \
        fn(SLOT(a_lo), SLOT(a_hi), SLOT(b_lo), SLOT(b_hi), &lo_, &hi_);           \
        SLOT(dst_lo) = lo_;                                                       \
        SLOT(dst_hi) = hi_;                                                       \
        return 0;                                                                 \
    }
#define WIDE2(id, fn)                                                             \
    case KINT_OP_##id: {                                                          \
        uint64_t lo_, hi_;                                                        \
        fn(SLOT(a_lo), SLOT(a_hi), &lo_, &hi_);                                   \
        SLOT(dst_lo) = lo_;                                                       \
        SLOT(dst_hi) = hi_;                                                       \
        return 0;                                                                 \
    }
#define TEST(id, fn, a)
#define BIN(id, fn, a, r)
#define CMP(id, fn, a)
#define BINI(id, fn, a, r)
#define CMPI(id, fn, a)
#define TRAP_UN(id, fn, a, R)
#define TRAP_BIN(id, fn, R)
#include "interp/numeric_ops.def"
#undef UN
#undef WIDE4
#undef WIDE2
#undef TEST
#undef BIN
#undef CMP
#undef BINI
#undef CMPI
#undef TRAP_UN
#undef TRAP_BIN
    default: return -1;
    }
}

int kjit_h_exec(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op)
{
    kint_instance *ki = th->top->ki;
    int r = numeric(fp, pc, op);
    if (r >= 0)
        return r;
    switch (op) {
    case KINT_OP_MEMORY_GROW: {
        krt_memory *m = ki->mems[F(mem)];
        uint64_t g = krt_store_memory_grow(th->store, m, SLOT(delta)); /* (tells the embedder why it failed) */
        SLOT(dst) = g == KRT_MEMORY_GROW_FAILED && !m->is64 ? UINT32_MAX : g;
        return 0;
    }
    case KINT_OP_MEMORY_FILL:
        return krt_memory_fill(ki->mems[F(mem)], SLOT(d), (uint8_t)SLOT(val), SLOT(n)) == KRT_MEM_OK
                   ? 0
                   : KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
    case KINT_OP_MEMORY_COPY:
        return krt_memory_copy(ki->mems[F(dmem)], SLOT(d), ki->mems[F(smem)], SLOT(s), SLOT(n)) == KRT_MEM_OK
                   ? 0
                   : KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
    case KINT_OP_MEMORY_INIT: {
        uint32_t x = (uint32_t)F(data);
        const kir_data *d = &ki->inst->m->datas[x];
        uint64_t len = ki->inst->data_dropped[x] ? 0 : d->len;
        return krt_memory_init(ki->mems[F(mem)], SLOT(d), d->bytes, len, SLOT(s), SLOT(n)) == KRT_MEM_OK
                   ? 0
                   : KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
    }
    case KINT_OP_DATA_DROP: ki->inst->data_dropped[F(data)] = true; return 0;
    case KINT_OP_TABLE_GET: {
        uintptr_t v;
        if (krt_table_get(ki->tables[F(table)], SLOT(idx), &v) != KRT_TABLE_OK)
            return KITE_TRAP_TABLE_OUT_OF_BOUNDS;
        SLOT(dst) = v;
        return 0;
    }
    case KINT_OP_TABLE_SET:
        return krt_table_set(ki->tables[F(table)], SLOT(idx), (uintptr_t)SLOT(val)) == KRT_TABLE_OK
                   ? 0
                   : KITE_TRAP_TABLE_OUT_OF_BOUNDS;
    case KINT_OP_TABLE_SIZE: SLOT(dst) = ki->tables[F(table)]->size; return 0;
    case KINT_OP_TABLE_GROW: {
        krt_table *t = ki->tables[F(table)];
        uint64_t g = krt_table_grow(t, SLOT(delta), (uintptr_t)SLOT(init));
        SLOT(dst) = g == KRT_TABLE_GROW_FAILED && !t->is64 ? UINT32_MAX : g;
        return 0;
    }
    case KINT_OP_TABLE_FILL:
        return krt_table_fill(ki->tables[F(table)], SLOT(d), (uintptr_t)SLOT(val), SLOT(n)) == KRT_TABLE_OK
                   ? 0
                   : KITE_TRAP_TABLE_OUT_OF_BOUNDS;
    case KINT_OP_TABLE_COPY:
        return krt_table_copy(ki->tables[F(dtable)], SLOT(d), ki->tables[F(stable)], SLOT(s), SLOT(n)) ==
                       KRT_TABLE_OK
                   ? 0
                   : KITE_TRAP_TABLE_OUT_OF_BOUNDS;
    case KINT_OP_TABLE_INIT: {
        const krt_elem_seg *seg = &ki->inst->elems[F(elem)];
        return krt_table_init(ki->tables[F(table)], SLOT(d), seg->refs, seg->count, SLOT(s), SLOT(n)) ==
                       KRT_TABLE_OK
                   ? 0
                   : KITE_TRAP_TABLE_OUT_OF_BOUNDS;
    }
    case KINT_OP_ELEM_DROP: ki->inst->elems[F(elem)].count = 0; return 0;
    default: return KITE_TRAP_UNREACHABLE; /* never emitted for other ops */
    }
}

int kjit_h_stack_exhausted(kint_thread *th)
{
    const kint_frame *top = th->top;
    th->trap_kind = KITE_TRAP_CALL_STACK_EXHAUSTED;
    th->trap_pos = top >= th->frames && top->pc ? (uint32_t)(top->pc - top->code->code) - 1 : UINT32_MAX;
    return KINT_RUN_TRAP;
}

int kjit_h_fuel(kint_thread *th, uint32_t cost, uint32_t pos)
{
    kite_trap_kind_t stop;
    if (krt_store_check(th->store, cost, &stop))
        return KINT_RUN_OK;
    th->trap_kind = stop;
    th->trap_pos = pos;
    return KINT_RUN_TRAP;
}

int kjit_h_sig_ok(kint_instance *ki, const krt_func *f, uint32_t canon)
{
    return ktype_canon_is_subtype(ki->canon, f->hdr.canon, canon);
}

/* Code position of the call the innermost frame is making. */
static uint32_t call_pos(const kint_thread *th)
{
    return (uint32_t)(th->top->pc - th->top->code->code) - 1;
}

/*
 * Runs Wasm code `code` of instance ki with its frame at cfp: natively
 * when it is compiled, else in the interpreter. A tail call first moves
 * the arguments down to the innermost frame and retires its record, so
 * the callee takes its place (the compiled caller then returns without
 * popping it).
 */
static int run(kint_thread *th, uint64_t *cfp, const kint_code *code, kint_instance *ki, bool tail)
{
    if (tail) {
        uint64_t *fp = th->top->fp;
        memmove(fp, cfp, (size_t)code->param_slots * sizeof(uint64_t));
        th->top--;
        cfp = fp;
    }
    if (th->tier_up && !atomic_load_explicit(&code->native, memory_order_acquire))
        kint_hot(th, ki, code); /* (compiled now, kint_run_frame runs it natively) */
    kint_frame *caller = th->top;
    int status = kint_run_frame(th, cfp, code, ki);
    if (status == KINT_RUN_EXN)
        th->top = caller; /* where the compiled caller goes on unwinding */
    return status;
}

int kjit_h_call_cell(kint_thread *th, uint64_t *cfp, _Atomic(kint_code *) *cell, uint32_t tail)
{
    kint_instance *ki = th->top->ki;
    kint_code *code = atomic_load_explicit(cell, memory_order_acquire);
    if (!code && !(code = kint_code_get(ki, (uint32_t)(cell - ki->cells), kint_handlers(), th))) {
        th->trap_kind = KITE_TRAP_OUT_OF_MEMORY;
        th->trap_pos = call_pos(th);
        return KINT_RUN_TRAP;
    }
    return run(th, cfp, code, ki, tail != 0);
}

int kjit_h_call_func(kint_thread *th, uint64_t *cfp, krt_func *f, uint32_t tail)
{
    kint_instance *ki = th->top->ki;
    if (f->host) {
        kint_frame *self = th->top;
        kite_store_t *store = th->store;
        th->sp = th->top->fp + th->top->code->frame_slots;
        kite_trap_t *t = kint_host_call(store, f, cfp, ki->inst);
        th->checks = krt_store_checks(store);
        if (t) {
            krt_exn *thrown = krt_trap_take_exn(t, store); /* (as the interpreter) */
            if (thrown) {
                /* (a tail call ended this frame: its handlers do not apply) */
                th->top = tail ? self - 1 : self;
                th->exn = thrown;
                return KINT_RUN_EXN;
            }
            th->trap_obj = t;
            th->trap_pos = call_pos(th);
            return KINT_RUN_TRAP_OBJ;
        }
        if (tail) {
            memmove(th->top->fp, cfp, (size_t)f->result_slots * sizeof(uint64_t));
            th->top--;
        }
        return KINT_RUN_OK;
    }
    kint_instance *cki = f->instance == ki->inst ? ki : kint_instance_get(f->instance);
    kint_code *code = NULL;
    if (cki) {
        code = atomic_load_explicit(&cki->cells[f->index], memory_order_acquire);
        if (!code)
            code = kint_code_get(cki, f->index, kint_handlers(), th);
    }
    if (!code) {
        th->trap_kind = KITE_TRAP_OUT_OF_MEMORY;
        th->trap_pos = call_pos(th);
        return KINT_RUN_TRAP;
    }
    return run(th, cfp, code, cki, tail != 0);
}
