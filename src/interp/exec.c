/*
 * The executor: one loop that runs internal code (code.h) until the entry
 * function returns, a trap, or an exception leaves it.
 *
 * Dispatch is direct threading with computed goto under GCC and Clang (each
 * instruction's first word is its handler's address), or a switch over op
 * numbers when KINT_SWITCH_DISPATCH is defined or the compiler has no
 * label addresses; a unit test builds this file that way
 * (tests/unit/test_interpswitch_exec.c: its kint_exec_call takes the
 * place of the library's when it is linked). Handlers read their operands
 * by name through the layout definition (layout.h) and advance by their
 * op's size; those of the numeric and memory instructions are generated
 * from numeric_ops.def and memory_ops.def, one line each.
 *
 * Wasm calls push a frame record and continue in the same loop (no C
 * recursion); tail calls reuse the frame. A trap is a normal exit from the
 * loop with its kind and position; only a fault in a guarded memory access
 * leaves by siglongjmp (os/os.h), which is why the loop keeps the frame
 * record stack's top in memory (th->top) at every call and return.
 */
#include <string.h>

#include "binary/reader.h"
#include "gc/gc.h"
#include "interp/interp.h"
#include "interp/numeric.h"
#include "interp/simd.h"
#include "runtime/os/os.h"
#include "runtime/parking.h"
#include "runtime/tsan.h"

#if defined(KITE_TSAN)
/* Under ThreadSanitizer the executor's copies (linear memory accesses, and
 * store-local frames) are hidden from it: see runtime/tsan.h. */
#define memcpy krt_guest_copy
#endif

#if defined(__GNUC__) && !defined(KINT_SWITCH_DISPATCH)
#define KINT_GOTO 1
#else
#define KINT_GOTO 0
#endif

#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define UNLIKELY(x) (x)
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#if defined(__GNUC__)
#error "the interpreter's memory accesses assume a little-endian host"
#endif
#endif

/* How a run ended. */
enum { RUN_OK = KINT_RUN_OK, RUN_TRAP = KINT_RUN_TRAP, RUN_TRAP_OBJ = KINT_RUN_TRAP_OBJ, RUN_EXN = KINT_RUN_EXN };

/* What the entry and the loop share; in memory, so it survives a fault. */
typedef struct kint_run {
    kint_thread *th; /* NULL: only fetch the handler table */
    kite_store_t *store;
    kint_frame *entry;
    const void *const *labels;
    int status;
    kite_trap_kind_t kind; /* RUN_TRAP */
    const char *detail;    /* RUN_TRAP: a message to use instead of the kind's, or NULL */
    uint32_t pos;          /* RUN_TRAP, RUN_TRAP_OBJ: code position in the innermost frame */
    kite_trap_t *trap;     /* RUN_TRAP_OBJ: a trap made by a host function */
    krt_exn *exn;          /* RUN_EXN */
} kint_run;

/*
 * Locals zeroed, constants copied: a new frame's fixed part. Most functions
 * have few of either, so the first KINT_INIT_WORDS of each are written
 * unconditionally (the translator pads frames and constant arrays for
 * that; zeros past the locals land where the constants then go).
 */
static inline void init_frame(uint64_t *fp, const kint_code *c)
{
    uint64_t *p = fp + c->param_slots;
    uint32_t n = c->local_slots;
    for (int i = 0; i < KINT_INIT_WORDS; i++)
        p[i] = 0;
    if (UNLIKELY(n > KINT_INIT_WORDS))
        memset(p + KINT_INIT_WORDS, 0, (size_t)(n - KINT_INIT_WORDS) * sizeof(uint64_t));
    if (c->nconsts) {
        p += n;
        for (int i = 0; i < KINT_INIT_WORDS; i++)
            p[i] = c->consts[i];
        if (UNLIKELY(c->nconsts > KINT_INIT_WORDS))
            memcpy(p + KINT_INIT_WORDS, c->consts + KINT_INIT_WORDS,
                   (size_t)(c->nconsts - KINT_INIT_WORDS) * sizeof(uint64_t));
    }
}

static kite_trap_kind_t numeric_trap(kint_trapcode c)
{
    switch (c) {
    case KINT_TRAP_INT_DIV_BY_ZERO: return KITE_TRAP_INTEGER_DIVIDE_BY_ZERO;
    case KINT_TRAP_INT_OVERFLOW: return KITE_TRAP_INTEGER_OVERFLOW;
    default: return KITE_TRAP_INVALID_CONVERSION;
    }
}

/* ---- atomics ---------------------------------------------------------------------------- */

#if KINT_GNUC
#define A_LOAD(T, p) __atomic_load_n((T *)(p), __ATOMIC_SEQ_CST)
#define A_STORE(T, p, v) __atomic_store_n((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_add(T, p, v) __atomic_fetch_add((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_sub(T, p, v) __atomic_fetch_sub((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_and(T, p, v) __atomic_fetch_and((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_or(T, p, v) __atomic_fetch_or((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_xor(T, p, v) __atomic_fetch_xor((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_RMW_xchg(T, p, v) __atomic_exchange_n((T *)(p), (T)(v), __ATOMIC_SEQ_CST)
#define A_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define A_CMPXCHG(T, p, e, r)                                                                    \
    do {                                                                                         \
        __atomic_compare_exchange_n((T *)(p), &(e), (r), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    } while (0)
#else
/* Without the builtins: plain accesses (no atomicity between threads). */
#define A_LOAD(T, p) kint_a_load_##T(p)
#define A_STORE(T, p, v) do { T v_ = (T)(v); memcpy((p), &v_, sizeof(T)); } while (0)
#define A_RMW_(T, p, v, expr) kint_a_rmw_##T((p), (T)(v), expr)
#define A_RMW_add(T, p, v) kint_a_rmw_##T((p), (T)(v), 0)
#define A_RMW_sub(T, p, v) kint_a_rmw_##T((p), (T)(v), 1)
#define A_RMW_and(T, p, v) kint_a_rmw_##T((p), (T)(v), 2)
#define A_RMW_or(T, p, v) kint_a_rmw_##T((p), (T)(v), 3)
#define A_RMW_xor(T, p, v) kint_a_rmw_##T((p), (T)(v), 4)
#define A_RMW_xchg(T, p, v) kint_a_rmw_##T((p), (T)(v), 5)
#define A_FENCE() atomic_thread_fence(memory_order_seq_cst)
#define A_CMPXCHG(T, p, e, r)                        \
    do {                                             \
        T old_ = A_LOAD(T, p);                       \
        if (old_ == (e))                             \
            A_STORE(T, p, (r));                      \
        (e) = old_;                                  \
    } while (0)
#define KINT_PLAIN_ATOMICS(T)                                              \
    static inline T kint_a_load_##T(const void *p)                         \
    {                                                                      \
        T v;                                                               \
        memcpy(&v, p, sizeof v);                                           \
        return v;                                                          \
    }                                                                      \
    static inline T kint_a_rmw_##T(void *p, T v, int op)                   \
    {                                                                      \
        T old = kint_a_load_##T(p), n;                                     \
        switch (op) {                                                      \
        case 0: n = (T)(old + v); break;                                   \
        case 1: n = (T)(old - v); break;                                   \
        case 2: n = old & v; break;                                        \
        case 3: n = old | v; break;                                        \
        case 4: n = old ^ v; break;                                        \
        default: n = v; break;                                             \
        }                                                                  \
        memcpy(p, &n, sizeof n);                                           \
        return old;                                                        \
    }
KINT_PLAIN_ATOMICS(uint8_t)
KINT_PLAIN_ATOMICS(uint16_t)
KINT_PLAIN_ATOMICS(uint32_t)
KINT_PLAIN_ATOMICS(uint64_t)
#endif

/* ---- the loop ------------------------------------------------------------------------------- */

/* Operand fields of the current instruction, by op and field name
 * (layout.h): compile-time word and half, so one load (and shift) each. */
/* Bytes accessed by each memory instruction of opcodes.def, as constants. */
enum {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) KINT_WIDTH_##id = (width),
#include "ir/opcodes.def"
#undef OP
};

#define OPND(op, f) KINT_OPND(pc, op, f)
#define OPND64(op, f) KINT_OPND64(pc, op, f)
#define SIZE(op) KINT_SIZE(op)
/* Code shared by several ops reads them with one op's layout. */
#define SAME_LAYOUT(op1, op2) \
    _Static_assert(KINT_SHAPE_OF_##op1 == KINT_SHAPE_OF_##op2, #op1 " and " #op2 " share a handler")

/* Slot readers and writers by the opcode table's type letters. */
#define GET_i(v) ((uint32_t)(v))
#define GET_I(v) ((uint64_t)(v))
#define GET_f(v) kint_f32_from_bits((uint32_t)(v))
#define GET_F(v) kint_f64_from_bits((uint64_t)(v))
#define PUT_i(x) ((uint64_t)(uint32_t)(x))
#define PUT_I(x) ((uint64_t)(x))
#define PUT_f(x) ((uint64_t)kint_f32_bits(x))
#define PUT_F(x) kint_f64_bits(x)
/* An immediate operand of an i32 / i64 operation. */
#define IMM_i(x) ((uint32_t)(x))
#define IMM_I(x) ((uint64_t)(int64_t)kint_s32((uint32_t)(x)))
/* A loaded T as an i32/f32 slot (X = 32) or an i64/f64 slot (X = 64);
 * signed types sign-extend, unsigned ones zero-extend. */
#define EXT32(v) ((uint64_t)(uint32_t)(v))
#define EXT64(v) ((uint64_t)(v))

#if KINT_GOTO
#define CASE(name) L_##name:
#define NEXT() goto *(const void *)(uintptr_t)(*pc)
#else
#define CASE(name) case KINT_OP_##name:
#define NEXT() goto dispatch
#endif
/* On to the next instruction after one of op. */
#define NEXT_AFTER(op) \
    do {               \
        pc += SIZE(op); \
        NEXT();        \
    } while (0)

#define TRAP(k)                        \
    do {                               \
        run->kind = KITE_TRAP_##k;     \
        goto trap_exit;                \
    } while (0)
#define TRAP_KIND(k)                   \
    do {                               \
        run->kind = (k);               \
        goto trap_exit;                \
    } while (0)

/* Pushes a frame for code c with its parameters at fp[base..], the caller
 * resuming at ret, in instance cki, and starts it. Compiled code runs
 * natively (its prologue pushes the record); when it does not return
 * normally, native_stop takes over with its status. */
#define ENTER(c, base, ret, cki)                                                     \
    do {                                                                             \
        const kint_code *c_ = (c);                                                   \
        kint_instance *k_ = (cki);                                                   \
        uint64_t *nfp_ = fp + (base);                                                \
        const kint_native *n_ = atomic_load_explicit(&c_->native, memory_order_acquire); \
        if (UNLIKELY(hot_on) && !n_)                                                 \
            n_ = kint_hot(th, k_, c_);                                               \
        if (n_) {                                                                    \
            top->pc = (ret);                                                         \
            th->top = top;                                                           \
            native_status = n_->enter(th, nfp_, k_, n_->entry);                       \
            fuel_on = krt_store_checks(store);                                       \
            if (UNLIKELY(native_status != RUN_OK))                                   \
                goto native_stop;                                                    \
            pc = (ret);                                                              \
            NEXT();                                                                  \
        }                                                                            \
        if (UNLIKELY((size_t)(stack_end - nfp_) < c_->frame_slots || top + 1 == frames_end)) \
            TRAP(CALL_STACK_EXHAUSTED);                                              \
        top->pc = (ret);                                                             \
        top++;                                                                       \
        top->fp = nfp_;                                                              \
        top->code = c_;                                                              \
        top->ki = k_;                                                                \
        th->top = top;                                                               \
        init_frame(nfp_, c_);                                                        \
        fp = nfp_;                                                                   \
        ki = k_;                                                                     \
        mem = k_->mem0;                                                              \
        pc = c_->code;                                                               \
        if (UNLIKELY(fuel_on))                                                       \
            FUEL(1);                                                                 \
        NEXT();                                                                      \
    } while (0)

/* Charges fuel and takes a pending interrupt (only called when checks are
 * on: fuel_on). */
#define FUEL(cost)                                 \
    do {                                           \
        kite_trap_kind_t stop_;                    \
        if (!krt_store_check(store, (cost), &stop_)) \
            TRAP_KIND(stop_);                      \
    } while (0)

/* Takes the branch of the current instruction of op (its label and fuel). */
#define TAKE(op)                                   \
    do {                                           \
        if (UNLIKELY(fuel_on))                     \
            FUEL(OPND(op, fuel));                  \
        if (UNLIKELY(hot_on) && OPND(op, fuel)) {  \
            pc += (int32_t)OPND(op, label);        \
            goto hot_loop;                         \
        }                                          \
        pc += (int32_t)OPND(op, label);            \
        NEXT();                                    \
    } while (0)
/* A conditional branch of op: taken when cond holds, else on to the next. */
#define BRANCH_IF(op, cond) \
    do {                    \
        if (cond)           \
            TAKE(op);       \
        NEXT_AFTER(op);     \
    } while (0)

/* A checked memory access of n bytes by op: its address operand, memory
 * index and 64-bit offset. */
#define CHECKED(op, p, n)                                                                     \
    uint8_t *p = krt_memory_ptr(ki->mems[OPND(op, mem)], fp[OPND(op, addr)], OPND64(op, offset), (n)); \
    if (UNLIKELY(!p))                                                                         \
        TRAP(MEMORY_OUT_OF_BOUNDS)

/* Fused address computations of op: i32.add of fields a and b (or imm),
 * and i32.add of a and x shifted by k. */
#define ADDR_ADD(op) kint_i32_add((uint32_t)fp[OPND(op, a)], (uint32_t)fp[OPND(op, b)])
#define ADDR_ADD_I(op) kint_i32_add((uint32_t)fp[OPND(op, a)], OPND(op, imm))
#define ADDR_SHL_ADD(op) kint_i32_add((uint32_t)fp[OPND(op, a)], kint_i32_shl((uint32_t)fp[OPND(op, x)], OPND(op, k)))

/* An atomic access: also naturally aligned. */
#define ATOMIC(op, p, n)                                                            \
    if (UNLIKELY((fp[OPND(op, addr)] + OPND64(op, offset)) & ((n) - 1)))            \
        TRAP(UNALIGNED_ATOMIC);                                                    \
    CHECKED(op, p, n)

/* Handlers that serve more than one op. */
SAME_LAYOUT(CALL, RETURN_CALL);
SAME_LAYOUT(CALL_INDIRECT, RETURN_CALL_INDIRECT);
SAME_LAYOUT(CALL_REF, RETURN_CALL_REF);
SAME_LAYOUT(CALL_FUNC, RETURN_CALL_FUNC);

/*
 * memory.atomic.wait32/64 at host address p of memory m (bounds and
 * alignment checked): the parking lot's wait, outside the Wasm execution
 * context like a host call. A trap's kind goes to *kind, and an interrupt
 * says where it found the program.
 */
static uint32_t wait_in_loop(kint_run *run, krt_memory *m, const uint8_t *p, uint64_t expected,
                             bool is64, uint64_t timeout, kite_trap_kind_t *kind)
{
    if (!m->shared) {
        *kind = KITE_TRAP_EXPECTED_SHARED_MEMORY;
        return KRT_WAIT_TRAP;
    }
    kos_exec *saved = kos_exec_pause();
    uint32_t r = krt_atomic_wait(run->store, m, (uint64_t)(p - m->base), expected, is64,
                                 (int64_t)timeout, kind);
    kos_exec_resume(saved);
    if (r == KRT_WAIT_TRAP && *kind == KITE_TRAP_INTERRUPTED)
        run->detail = "interrupted while blocked in memory.atomic.wait";
    return r;
}

/* The result of wait_in_loop for op into its destination slot, or its trap. */
#define WAIT(op, p, is64)                                                                       \
    do {                                                                                        \
        kite_trap_kind_t k_;                                                                    \
        uint32_t r_ = wait_in_loop(run, ki->mems[OPND(op, mem)], (p), fp[OPND(op, expected)], (is64), \
                                   fp[OPND(op, timeout)], &k_);                                 \
        if (r_ == KRT_WAIT_TRAP)                                                                \
            TRAP_KIND(k_);                                                                      \
        fp[OPND(op, dst)] = r_;                                                                 \
        NEXT_AFTER(op);                                                                         \
    } while (0)

/* The loop starts on a cache line wherever the linker places it, so that
 * its speed does not depend on the size of unrelated code before it (a
 * 32-byte shift made some benchmarks 15% slower). */
#if defined(__GNUC__)
#define KINT_LOOP_ALIGN __attribute__((aligned(64)))
#else
#define KINT_LOOP_ALIGN
#endif

KINT_LOOP_ALIGN static void run_loop(void *arg)
{
    kint_run *const run = arg;
#if KINT_GOTO
    static const void *const labels[KINT_OP_COUNT] = {
#define KINT_OP(name, shape) [KINT_OP_##name] = &&L_##name,
#include "interp/ops_all.h"
    };
    if (!run->th) {
        run->labels = labels;
        return;
    }
#else
    const void *const *const labels = NULL;
#endif
    kint_thread *const th = run->th;
    kite_store_t *const store = run->store;
    kint_frame *const entry = run->entry;
    kint_frame *const frames_end = th->frames_end;
    uint64_t *const stack_end = th->stack_end;
    kint_frame *top = th->top;
    const kint_word *pc = top->code->code;
    uint64_t *fp = top->fp;
    kint_instance *ki = top->ki;
    uint8_t *mem = ki->mem0;
    bool fuel_on = krt_store_checks(store);
    /* tier auto: count calls and loop iterations (kint_hot) */
    const bool hot_on = th->tier_up != NULL;

    /* Shared by the call paths. */
    krt_func *callf = NULL;
    const kint_code *callee = NULL;
    kint_instance *cki = NULL;
    uint32_t callbase = 0;
    const kint_word *retpc = pc;
    bool tail = false;
    /* Shared by the throw paths. */
    krt_exn *exn = NULL;
    uint32_t throw_pos = 0;
    /* How a compiled callee stopped. */
    int native_status = RUN_OK;

#if KINT_GOTO
    NEXT();
#else
dispatch:
    switch ((kint_op)*pc) {
#endif

    /* ---- numerics ---- */
#define UN(id, fn, ta, tr)                                        \
    CASE(id)                                                      \
    {                                                             \
        fp[OPND(id, dst)] = PUT_##tr(fn(GET_##ta(fp[OPND(id, a)]))); \
        NEXT_AFTER(id);                                           \
    }
#define TEST(id, fn, ta)                                                   \
    UN(id, fn, ta, i)                                                      \
    CASE(BR_##id) BRANCH_IF(BR_##id, fn(GET_##ta(fp[OPND(BR_##id, a)])));   \
    CASE(BRN_##id) BRANCH_IF(BRN_##id, !fn(GET_##ta(fp[OPND(BRN_##id, a)])));
#define BIN(id, fn, ta, tr)                                                                   \
    CASE(id)                                                                                  \
    {                                                                                         \
        fp[OPND(id, dst)] = PUT_##tr(fn(GET_##ta(fp[OPND(id, a)]), GET_##ta(fp[OPND(id, b)]))); \
        NEXT_AFTER(id);                                                                       \
    }
#define CMP(id, fn, ta)                                                                        \
    BIN(id, fn, ta, i)                                                                         \
    CASE(BR_##id) BRANCH_IF(BR_##id, fn(GET_##ta(fp[OPND(BR_##id, a)]), GET_##ta(fp[OPND(BR_##id, b)]))); \
    CASE(BRN_##id) BRANCH_IF(BRN_##id, !fn(GET_##ta(fp[OPND(BRN_##id, a)]), GET_##ta(fp[OPND(BRN_##id, b)])));
#define BINI(id, fn, ta, tr)                                                                       \
    BIN(id, fn, ta, tr)                                                                            \
    CASE(id##_I)                                                                                   \
    {                                                                                              \
        fp[OPND(id##_I, dst)] = PUT_##tr(fn(GET_##ta(fp[OPND(id##_I, a)]), IMM_##ta(OPND(id##_I, imm)))); \
        NEXT_AFTER(id##_I);                                                                        \
    }
#define CMPI(id, fn, ta)                                                                           \
    CMP(id, fn, ta)                                                                                \
    CASE(id##_I)                                                                                   \
    {                                                                                              \
        fp[OPND(id##_I, dst)] = PUT_i(fn(GET_##ta(fp[OPND(id##_I, a)]), IMM_##ta(OPND(id##_I, imm)))); \
        NEXT_AFTER(id##_I);                                                                        \
    }                                                                                              \
    CASE(BR_##id##_I)                                                                              \
    BRANCH_IF(BR_##id##_I, fn(GET_##ta(fp[OPND(BR_##id##_I, a)]), IMM_##ta(OPND(BR_##id##_I, imm)))); \
    CASE(BRN_##id##_I)                                                                             \
    BRANCH_IF(BRN_##id##_I, !fn(GET_##ta(fp[OPND(BRN_##id##_I, a)]), IMM_##ta(OPND(BRN_##id##_I, imm))));
#define TRAP_UN(id, fn, ta, R)                                \
    CASE(id)                                                  \
    {                                                         \
        R v_;                                                 \
        kint_trapcode c_ = fn(GET_##ta(fp[OPND(id, a)]), &v_); \
        if (UNLIKELY(c_ != KINT_TRAP_NONE))                   \
            TRAP_KIND(numeric_trap(c_));                      \
        fp[OPND(id, dst)] = v_;                               \
        NEXT_AFTER(id);                                       \
    }
#define TRAP_BIN(id, fn, R)                                               \
    CASE(id)                                                              \
    {                                                                     \
        R v_;                                                             \
        kint_trapcode c_ = fn((R)fp[OPND(id, a)], (R)fp[OPND(id, b)], &v_); \
        if (UNLIKELY(c_ != KINT_TRAP_NONE))                               \
            TRAP_KIND(numeric_trap(c_));                                  \
        fp[OPND(id, dst)] = v_;                                           \
        NEXT_AFTER(id);                                                   \
    }
#define WIDE4(id, fn)                                                                       \
    CASE(id)                                                                                \
    {                                                                                       \
        uint64_t lo_, hi_;                                                                  \
        fn(fp[OPND(id, a_lo)], fp[OPND(id, a_hi)], fp[OPND(id, b_lo)], fp[OPND(id, b_hi)], &lo_, &hi_); \
        fp[OPND(id, dst_lo)] = lo_;                                                         \
        fp[OPND(id, dst_hi)] = hi_;                                                         \
        NEXT_AFTER(id);                                                                     \
    }
#define WIDE2(id, fn)                                                   \
    CASE(id)                                                            \
    {                                                                   \
        uint64_t lo_, hi_;                                              \
        fn(fp[OPND(id, a_lo)], fp[OPND(id, a_hi)], &lo_, &hi_);         \
        fp[OPND(id, dst_lo)] = lo_;                                     \
        fp[OPND(id, dst_hi)] = hi_;                                     \
        NEXT_AFTER(id);                                                 \
    }
#include "interp/numeric_ops.def"

    /* ---- memory ---- */
#define LOAD(id, T, X)                                                                  \
    CASE(id)                                                                            \
    {                                                                                   \
        T v_;                                                                           \
        memcpy(&v_, mem + (uint64_t)(uint32_t)fp[OPND(id, addr)] + OPND(id, offset), sizeof v_); \
        fp[OPND(id, dst)] = EXT##X(v_);                                                 \
        NEXT_AFTER(id);                                                                 \
    }                                                                                   \
    CASE(C_##id)                                                                        \
    {                                                                                   \
        T v_;                                                                           \
        CHECKED(C_##id, p_, sizeof v_);                                                 \
        memcpy(&v_, p_, sizeof v_);                                                     \
        fp[OPND(C_##id, dst)] = EXT##X(v_);                                             \
        NEXT_AFTER(C_##id);                                                             \
    }                                                                                   \
    CASE(LA_##id)                                                                       \
    {                                                                                   \
        T v_;                                                                           \
        memcpy(&v_, mem + (uint64_t)ADDR_ADD(LA_##id) + OPND(LA_##id, offset), sizeof v_); \
        fp[OPND(LA_##id, dst)] = EXT##X(v_);                                            \
        NEXT_AFTER(LA_##id);                                                            \
    }                                                                                   \
    CASE(LAI_##id)                                                                      \
    {                                                                                   \
        T v_;                                                                           \
        memcpy(&v_, mem + (uint64_t)ADDR_ADD_I(LAI_##id) + OPND(LAI_##id, offset), sizeof v_); \
        fp[OPND(LAI_##id, dst)] = EXT##X(v_);                                           \
        NEXT_AFTER(LAI_##id);                                                           \
    }                                                                                   \
    CASE(LSA_##id)                                                                      \
    {                                                                                   \
        T v_;                                                                           \
        memcpy(&v_, mem + (uint64_t)ADDR_SHL_ADD(LSA_##id) + OPND(LSA_##id, offset), sizeof v_); \
        fp[OPND(LSA_##id, dst)] = EXT##X(v_);                                           \
        NEXT_AFTER(LSA_##id);                                                           \
    }
#define STORE(id, T)                                                                    \
    CASE(id)                                                                            \
    {                                                                                   \
        T v_ = (T)fp[OPND(id, val)];                                                    \
        memcpy(mem + (uint64_t)(uint32_t)fp[OPND(id, addr)] + OPND(id, offset), &v_, sizeof v_); \
        NEXT_AFTER(id);                                                                 \
    }                                                                                   \
    CASE(C_##id)                                                                        \
    {                                                                                   \
        T v_ = (T)fp[OPND(C_##id, val)];                                                \
        CHECKED(C_##id, p_, sizeof v_);                                                 \
        memcpy(p_, &v_, sizeof v_);                                                     \
        NEXT_AFTER(C_##id);                                                             \
    }                                                                                   \
    CASE(SA_##id)                                                                       \
    {                                                                                   \
        T v_ = (T)fp[OPND(SA_##id, val)];                                               \
        memcpy(mem + (uint64_t)ADDR_ADD(SA_##id) + OPND(SA_##id, offset), &v_, sizeof v_); \
        NEXT_AFTER(SA_##id);                                                            \
    }                                                                                   \
    CASE(SAI_##id)                                                                      \
    {                                                                                   \
        T v_ = (T)fp[OPND(SAI_##id, val)];                                              \
        memcpy(mem + (uint64_t)ADDR_ADD_I(SAI_##id) + OPND(SAI_##id, offset), &v_, sizeof v_); \
        NEXT_AFTER(SAI_##id);                                                           \
    }                                                                                   \
    CASE(SSA_##id)                                                                      \
    {                                                                                   \
        T v_ = (T)fp[OPND(SSA_##id, val)];                                              \
        memcpy(mem + (uint64_t)ADDR_SHL_ADD(SSA_##id) + OPND(SSA_##id, offset), &v_, sizeof v_); \
        NEXT_AFTER(SSA_##id);                                                           \
    }
#define ALOAD(id, T, X)                                                        \
    CASE(id)                                                                   \
    {                                                                          \
        ATOMIC(id, p_, sizeof(T));                                             \
        fp[OPND(id, dst)] = EXT##X(A_LOAD(T, p_));                             \
        NEXT_AFTER(id);                                                        \
    }
#define ASTORE(id, T)                                                          \
    CASE(id)                                                                   \
    {                                                                          \
        ATOMIC(id, p_, sizeof(T));                                             \
        A_STORE(T, p_, fp[OPND(id, val)]);                                     \
        NEXT_AFTER(id);                                                        \
    }
#define ARMW(id, T, X, OP)                                                     \
    CASE(id)                                                                   \
    {                                                                          \
        ATOMIC(id, p_, sizeof(T));                                             \
        fp[OPND(id, dst)] = EXT##X(A_RMW_##OP(T, p_, fp[OPND(id, val)]));      \
        NEXT_AFTER(id);                                                        \
    }
#define ACMPXCHG(id, T, X)                                                     \
    CASE(id)                                                                   \
    {                                                                          \
        ATOMIC(id, p_, sizeof(T));                                             \
        T e_ = (T)fp[OPND(id, expected)], r_ = (T)fp[OPND(id, replacement)];   \
        A_CMPXCHG(T, p_, e_, r_);                                              \
        fp[OPND(id, dst)] = EXT##X(e_);                                        \
        NEXT_AFTER(id);                                                        \
    }
#include "interp/memory_ops.def"

    /* ---- SIMD (simd_ops.def): each handler is its kint_simd_<id> (simd.h)
     * inlined between the slot reads and writes ---- */
#define VIN(op, f) kint_v128_load(fp + OPND(op, f))
#define VOUT(op, v) kint_v128_store(fp + OPND(op, dst), (v))
#define UN(id)                                    \
    CASE(id)                                      \
    {                                             \
        VOUT(id, kint_simd_##id(VIN(id, a)));     \
        NEXT_AFTER(id);                           \
    }
#define BIN(id)                                                \
    CASE(id)                                                   \
    {                                                          \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b)));      \
        NEXT_AFTER(id);                                        \
    }
/* With b loaded from, or the result stored to, memory 0, or both at one
 * address (unchecked, as the plain v128.load and v128.store). */
#define BINM(id)                                                                                         \
    BIN(id)                                                                                              \
    CASE(BL_##id)                                                                                        \
    {                                                                                                    \
        const uint8_t *p_ = mem + (uint64_t)(uint32_t)fp[OPND(BL_##id, addr)] + OPND(BL_##id, offset);   \
        VOUT(BL_##id, kint_simd_##id(VIN(BL_##id, a), kint_simd_V128_LOAD(p_)));                         \
        NEXT_AFTER(BL_##id);                                                                             \
    }                                                                                                    \
    CASE(BS_##id)                                                                                        \
    {                                                                                                    \
        uint8_t *p_ = mem + (uint64_t)(uint32_t)fp[OPND(BS_##id, addr)] + OPND(BS_##id, offset);         \
        kint_simd_V128_STORE(p_, kint_simd_##id(VIN(BS_##id, a), VIN(BS_##id, b)));                      \
        NEXT_AFTER(BS_##id);                                                                             \
    }                                                                                                    \
    CASE(BU_##id)                                                                                        \
    {                                                                                                    \
        uint8_t *p_ = mem + (uint64_t)(uint32_t)fp[OPND(BU_##id, addr)] + OPND(BU_##id, offset);         \
        kint_simd_V128_STORE(p_, kint_simd_##id(VIN(BU_##id, a), kint_simd_V128_LOAD(p_)));              \
        NEXT_AFTER(BU_##id);                                                                             \
    }
#define TERN(id)                                                          \
    CASE(id)                                                              \
    {                                                                     \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b), VIN(id, c)));     \
        NEXT_AFTER(id);                                                   \
    }
#define SHIFT(id)                                                                 \
    CASE(id)                                                                      \
    {                                                                             \
        VOUT(id, kint_simd_##id(VIN(id, a), (uint32_t)fp[OPND(id, b)]));          \
        NEXT_AFTER(id);                                                           \
    }
#define TEST(id)                                                  \
    CASE(id)                                                      \
    {                                                             \
        fp[OPND(id, dst)] = kint_simd_##id(VIN(id, a));           \
        NEXT_AFTER(id);                                           \
    }
#define SPLAT(id)                                         \
    CASE(id)                                              \
    {                                                     \
        VOUT(id, kint_simd_##id(fp[OPND(id, a)]));        \
        NEXT_AFTER(id);                                   \
    }
#define EXTRACT(id)                                                           \
    CASE(id)                                                                  \
    {                                                                         \
        fp[OPND(id, dst)] = kint_simd_##id(VIN(id, a), OPND(id, lane));       \
        NEXT_AFTER(id);                                                       \
    }
#define REPLACE(id)                                                                       \
    CASE(id)                                                                              \
    {                                                                                     \
        VOUT(id, kint_simd_##id(VIN(id, a), OPND(id, lane), fp[OPND(id, b)]));            \
        NEXT_AFTER(id);                                                                   \
    }
#define SHUFFLE(id)                                                                              \
    CASE(id)                                                                                     \
    {                                                                                            \
        VOUT(id, kint_simd_##id(VIN(id, a), VIN(id, b), (const uint8_t *)&OPND64(id, mask_lo))); \
        NEXT_AFTER(id);                                                                          \
    }                                                                                            \
    CASE(id##1)                                                                                  \
    {                                                                                            \
        VOUT(id##1, kint_simd_shuffle1(VIN(id##1, a), (const uint8_t *)&OPND64(id##1, mask_lo)));  \
        NEXT_AFTER(id##1);                                                                       \
    }
#define CONST(id)                                                     \
    CASE(CONST2)                                                      \
    {                                                                 \
        fp[OPND(CONST2, dst)] = OPND64(CONST2, value);                \
        fp[OPND(CONST2, dst) + 1] = OPND64(CONST2, value_hi);         \
        NEXT_AFTER(CONST2);                                           \
    }
/* Memory: a load's width is its row's in opcodes.def (KINT_WIDTH_<id>). */
#define LOAD(id)                                                                                      \
    CASE(id)                                                                                          \
    {                                                                                                 \
        VOUT(id, kint_simd_##id(mem + (uint64_t)(uint32_t)fp[OPND(id, addr)] + OPND(id, offset)));    \
        NEXT_AFTER(id);                                                                               \
    }                                                                                                 \
    CASE(C_##id)                                                                                      \
    {                                                                                                 \
        CHECKED(C_##id, p_, KINT_WIDTH_##id);                                                         \
        VOUT(C_##id, kint_simd_##id(p_));                                                             \
        NEXT_AFTER(C_##id);                                                                           \
    }                                                                                                 \
    CASE(LA_##id)                                                                                     \
    {                                                                                                 \
        VOUT(LA_##id, kint_simd_##id(mem + (uint64_t)ADDR_ADD(LA_##id) + OPND(LA_##id, offset)));     \
        NEXT_AFTER(LA_##id);                                                                          \
    }                                                                                                 \
    CASE(LAI_##id)                                                                                    \
    {                                                                                                 \
        VOUT(LAI_##id, kint_simd_##id(mem + (uint64_t)ADDR_ADD_I(LAI_##id) + OPND(LAI_##id, offset))); \
        NEXT_AFTER(LAI_##id);                                                                         \
    }                                                                                                 \
    CASE(LSA_##id)                                                                                    \
    {                                                                                                 \
        VOUT(LSA_##id, kint_simd_##id(mem + (uint64_t)ADDR_SHL_ADD(LSA_##id) + OPND(LSA_##id, offset))); \
        NEXT_AFTER(LSA_##id);                                                                         \
    }
#define STORE(id)                                                                                          \
    CASE(id)                                                                                               \
    {                                                                                                      \
        kint_simd_##id(mem + (uint64_t)(uint32_t)fp[OPND(id, addr)] + OPND(id, offset), VIN(id, val));     \
        NEXT_AFTER(id);                                                                                    \
    }                                                                                                      \
    CASE(C_##id)                                                                                           \
    {                                                                                                      \
        CHECKED(C_##id, p_, KINT_WIDTH_##id);                                                              \
        kint_simd_##id(p_, VIN(C_##id, val));                                                              \
        NEXT_AFTER(C_##id);                                                                                \
    }                                                                                                      \
    CASE(SA_##id)                                                                                          \
    {                                                                                                      \
        kint_simd_##id(mem + (uint64_t)ADDR_ADD(SA_##id) + OPND(SA_##id, offset), VIN(SA_##id, val));      \
        NEXT_AFTER(SA_##id);                                                                               \
    }                                                                                                      \
    CASE(SAI_##id)                                                                                         \
    {                                                                                                      \
        kint_simd_##id(mem + (uint64_t)ADDR_ADD_I(SAI_##id) + OPND(SAI_##id, offset), VIN(SAI_##id, val)); \
        NEXT_AFTER(SAI_##id);                                                                              \
    }                                                                                                      \
    CASE(SSA_##id)                                                                                         \
    {                                                                                                      \
        kint_simd_##id(mem + (uint64_t)ADDR_SHL_ADD(SSA_##id) + OPND(SSA_##id, offset), VIN(SSA_##id, val)); \
        NEXT_AFTER(SSA_##id);                                                                              \
    }
#define LOAD_LANE(id)                                                             \
    CASE(id)                                                                      \
    {                                                                             \
        CHECKED(id, p_, KINT_WIDTH_##id);                                         \
        VOUT(id, kint_simd_##id(p_, VIN(id, a), OPND(id, lane)));                 \
        NEXT_AFTER(id);                                                           \
    }
#define STORE_LANE(id)                                                            \
    CASE(id)                                                                      \
    {                                                                             \
        CHECKED(id, p_, KINT_WIDTH_##id);                                         \
        kint_simd_##id(p_, VIN(id, val), OPND(id, lane));                         \
        NEXT_AFTER(id);                                                           \
    }
#include "interp/simd_ops.def"
#undef VIN
#undef VOUT

    CASE(ATOMIC_NOTIFY)
    {
        ATOMIC(ATOMIC_NOTIFY, p_, 4);
        krt_memory *m = ki->mems[OPND(ATOMIC_NOTIFY, mem)];
        fp[OPND(ATOMIC_NOTIFY, dst)] = krt_atomic_notify(m, (uint64_t)(p_ - m->base), (uint32_t)fp[OPND(ATOMIC_NOTIFY, count)]);
        NEXT_AFTER(ATOMIC_NOTIFY);
    }
    CASE(ATOMIC_WAIT32)
    {
        ATOMIC(ATOMIC_WAIT32, p_, 4);
        WAIT(ATOMIC_WAIT32, p_, false);
    }
    CASE(ATOMIC_WAIT64)
    {
        ATOMIC(ATOMIC_WAIT64, p_, 8);
        WAIT(ATOMIC_WAIT64, p_, true);
    }
    CASE(ATOMIC_FENCE)
    {
        A_FENCE();
        NEXT_AFTER(ATOMIC_FENCE);
    }

    CASE(MEMORY_SIZE)
    {
        fp[OPND(MEMORY_SIZE, dst)] = krt_memory_pages(ki->mems[OPND(MEMORY_SIZE, mem)]);
        NEXT_AFTER(MEMORY_SIZE);
    }
    CASE(MEMORY_GROW)
    {
        krt_memory *m = ki->mems[OPND(MEMORY_GROW, mem)];
        uint64_t r = krt_store_memory_grow(store, m, fp[OPND(MEMORY_GROW, delta)]);
        fp[OPND(MEMORY_GROW, dst)] = r == KRT_MEMORY_GROW_FAILED && !m->is64 ? UINT32_MAX : r;
        NEXT_AFTER(MEMORY_GROW);
    }
    CASE(MEMORY_FILL)
    {
        if (krt_memory_fill(ki->mems[OPND(MEMORY_FILL, mem)], fp[OPND(MEMORY_FILL, d)],
                            (uint8_t)fp[OPND(MEMORY_FILL, val)], fp[OPND(MEMORY_FILL, n)]) != KRT_MEM_OK)
            TRAP(MEMORY_OUT_OF_BOUNDS);
        NEXT_AFTER(MEMORY_FILL);
    }
    CASE(MEMORY_COPY)
    {
        if (krt_memory_copy(ki->mems[OPND(MEMORY_COPY, dmem)], fp[OPND(MEMORY_COPY, d)],
                            ki->mems[OPND(MEMORY_COPY, smem)], fp[OPND(MEMORY_COPY, s)],
                            fp[OPND(MEMORY_COPY, n)]) != KRT_MEM_OK)
            TRAP(MEMORY_OUT_OF_BOUNDS);
        NEXT_AFTER(MEMORY_COPY);
    }
    CASE(MEMORY_INIT)
    {
        uint32_t x = OPND(MEMORY_INIT, data);
        const kir_data *d = &ki->inst->m->datas[x];
        uint64_t len = ki->inst->data_dropped[x] ? 0 : d->len;
        if (krt_memory_init(ki->mems[OPND(MEMORY_INIT, mem)], fp[OPND(MEMORY_INIT, d)], d->bytes, len,
                            fp[OPND(MEMORY_INIT, s)], fp[OPND(MEMORY_INIT, n)]) != KRT_MEM_OK)
            TRAP(MEMORY_OUT_OF_BOUNDS);
        NEXT_AFTER(MEMORY_INIT);
    }
    CASE(DATA_DROP)
    {
        ki->inst->data_dropped[OPND(DATA_DROP, data)] = true;
        NEXT_AFTER(DATA_DROP);
    }

    /* ---- tables ---- */
    CASE(TABLE_GET)
    {
        uintptr_t r;
        if (krt_table_get(ki->tables[OPND(TABLE_GET, table)], fp[OPND(TABLE_GET, idx)], &r) != KRT_TABLE_OK)
            TRAP(TABLE_OUT_OF_BOUNDS);
        fp[OPND(TABLE_GET, dst)] = r;
        NEXT_AFTER(TABLE_GET);
    }
    CASE(TABLE_SET)
    {
        if (krt_table_set(ki->tables[OPND(TABLE_SET, table)], fp[OPND(TABLE_SET, idx)],
                          (uintptr_t)fp[OPND(TABLE_SET, val)]) != KRT_TABLE_OK)
            TRAP(TABLE_OUT_OF_BOUNDS);
        NEXT_AFTER(TABLE_SET);
    }
    CASE(TABLE_SIZE)
    {
        fp[OPND(TABLE_SIZE, dst)] = ki->tables[OPND(TABLE_SIZE, table)]->size;
        NEXT_AFTER(TABLE_SIZE);
    }
    CASE(TABLE_GROW)
    {
        krt_table *t = ki->tables[OPND(TABLE_GROW, table)];
        uint64_t r = krt_store_table_grow(store, t, fp[OPND(TABLE_GROW, delta)],
                                          (uintptr_t)fp[OPND(TABLE_GROW, init)]);
        fp[OPND(TABLE_GROW, dst)] = r == KRT_TABLE_GROW_FAILED && !t->is64 ? UINT32_MAX : r;
        NEXT_AFTER(TABLE_GROW);
    }
    CASE(TABLE_FILL)
    {
        if (krt_table_fill(ki->tables[OPND(TABLE_FILL, table)], fp[OPND(TABLE_FILL, d)],
                           (uintptr_t)fp[OPND(TABLE_FILL, val)], fp[OPND(TABLE_FILL, n)]) != KRT_TABLE_OK)
            TRAP(TABLE_OUT_OF_BOUNDS);
        NEXT_AFTER(TABLE_FILL);
    }
    CASE(TABLE_COPY)
    {
        if (krt_table_copy(ki->tables[OPND(TABLE_COPY, dtable)], fp[OPND(TABLE_COPY, d)],
                           ki->tables[OPND(TABLE_COPY, stable)], fp[OPND(TABLE_COPY, s)],
                           fp[OPND(TABLE_COPY, n)]) != KRT_TABLE_OK)
            TRAP(TABLE_OUT_OF_BOUNDS);
        NEXT_AFTER(TABLE_COPY);
    }
    CASE(TABLE_INIT)
    {
        const krt_elem_seg *s = &ki->inst->elems[OPND(TABLE_INIT, elem)];
        if (krt_table_init(ki->tables[OPND(TABLE_INIT, table)], fp[OPND(TABLE_INIT, d)], s->refs, s->count,
                           fp[OPND(TABLE_INIT, s)], fp[OPND(TABLE_INIT, n)]) != KRT_TABLE_OK)
            TRAP(TABLE_OUT_OF_BOUNDS);
        NEXT_AFTER(TABLE_INIT);
    }
    CASE(ELEM_DROP)
    {
        ki->inst->elems[OPND(ELEM_DROP, elem)].count = 0;
        NEXT_AFTER(ELEM_DROP);
    }

    /* ---- variables and references ---- */
    CASE(COPY)
    {
        fp[OPND(COPY, dst)] = fp[OPND(COPY, src)];
        NEXT_AFTER(COPY);
    }
    CASE(COPY_COPY)
    {
        fp[OPND(COPY_COPY, dst)] = fp[OPND(COPY_COPY, src)];
        fp[OPND(COPY_COPY, dst2)] = fp[OPND(COPY_COPY, src2)];
        NEXT_AFTER(COPY_COPY);
    }
    CASE(COPY_BR)
    {
        fp[OPND(COPY_BR, dst)] = fp[OPND(COPY_BR, src)];
        TAKE(COPY_BR);
    }
    CASE(COPY2)
    {
        uint64_t a = fp[OPND(COPY2, src)], b = fp[OPND(COPY2, src) + 1];
        fp[OPND(COPY2, dst)] = a;
        fp[OPND(COPY2, dst) + 1] = b;
        NEXT_AFTER(COPY2);
    }
    CASE(CONST)
    {
        fp[OPND(CONST, dst)] = OPND64(CONST, value);
        NEXT_AFTER(CONST);
    }
#define FCHAIN(T, t, L, O1, o1, O2, o2)                                                        \
    CASE(T##_##O1##_##O2##_L)                                                                  \
    {                                                                                          \
        fp[OPND(T##_##O1##_##O2##_L, dst)] =                                                   \
            PUT_##L(kint_##t##_##o2(kint_##t##_##o1(GET_##L(fp[OPND(T##_##O1##_##O2##_L, a)]), \
                                                    GET_##L(fp[OPND(T##_##O1##_##O2##_L, b)])), \
                                    GET_##L(fp[OPND(T##_##O1##_##O2##_L, c)])));               \
        NEXT_AFTER(T##_##O1##_##O2##_L);                                                       \
    }                                                                                          \
    CASE(T##_##O1##_##O2##_R)                                                                  \
    {                                                                                          \
        fp[OPND(T##_##O1##_##O2##_R, dst)] =                                                   \
            PUT_##L(kint_##t##_##o2(GET_##L(fp[OPND(T##_##O1##_##O2##_R, c)]),                 \
                                    kint_##t##_##o1(GET_##L(fp[OPND(T##_##O1##_##O2##_R, a)]), \
                                                    GET_##L(fp[OPND(T##_##O1##_##O2##_R, b)])))); \
        NEXT_AFTER(T##_##O1##_##O2##_R);                                                       \
    }
    KINT_FCHAIN(FCHAIN)
#undef FCHAIN

    CASE(I32_SHL_ADD)
    {
        fp[OPND(I32_SHL_ADD, dst)] = PUT_i(ADDR_SHL_ADD(I32_SHL_ADD));
        NEXT_AFTER(I32_SHL_ADD);
    }
    CASE(SELECT)
    {
        /* Without a branch: select is often fed unpredictable conditions. */
        uint64_t m = 0 - (uint64_t)((uint32_t)fp[OPND(SELECT, cond)] != 0);
        fp[OPND(SELECT, dst)] = (fp[OPND(SELECT, a)] & m) | (fp[OPND(SELECT, b)] & ~m);
        NEXT_AFTER(SELECT);
    }
    CASE(SELECT2)
    {
        uint32_t s = (uint32_t)fp[OPND(SELECT2, cond)] ? OPND(SELECT2, a) : OPND(SELECT2, b);
        uint64_t a = fp[s], b = fp[s + 1];
        fp[OPND(SELECT2, dst)] = a;
        fp[OPND(SELECT2, dst) + 1] = b;
        NEXT_AFTER(SELECT2);
    }
    CASE(GLOBAL_GET)
    {
        fp[OPND(GLOBAL_GET, dst)] = *ki->globals[OPND(GLOBAL_GET, global)];
        NEXT_AFTER(GLOBAL_GET);
    }
    CASE(GLOBAL_SET)
    {
        *ki->globals[OPND(GLOBAL_SET, global)] = fp[OPND(GLOBAL_SET, src)];
        NEXT_AFTER(GLOBAL_SET);
    }
    CASE(GLOBAL_GET2)
    {
        const uint64_t *g = ki->globals[OPND(GLOBAL_GET2, global)];
        fp[OPND(GLOBAL_GET2, dst)] = g[0];
        fp[OPND(GLOBAL_GET2, dst) + 1] = g[1];
        NEXT_AFTER(GLOBAL_GET2);
    }
    CASE(GLOBAL_SET2)
    {
        uint64_t *g = ki->globals[OPND(GLOBAL_SET2, global)];
        g[0] = fp[OPND(GLOBAL_SET2, src)];
        g[1] = fp[OPND(GLOBAL_SET2, src) + 1];
        NEXT_AFTER(GLOBAL_SET2);
    }
    CASE(REF_FUNC)
    {
        fp[OPND(REF_FUNC, dst)] = (uint64_t)krt_ref_from_obj(ki->inst->funcs[OPND(REF_FUNC, func)]);
        NEXT_AFTER(REF_FUNC);
    }
    CASE(REF_AS_NON_NULL)
    {
        if (!fp[OPND(REF_AS_NON_NULL, src)])
            TRAP(NULL_REFERENCE);
        NEXT_AFTER(REF_AS_NON_NULL);
    }


    /* ---- GC: structs, arrays, i31, casts ---- */

/* Allocates `size` bytes of GC heap into `o` for op: the fast path inline;
 * the slow path (which may collect) after recording where this frame
 * resumes, the end of this instruction, which keys its stack map. */
#define GC_ALLOC(op, o, size)                                                    \
    void *o = kgc_alloc_fast(ki->heap, (size));                                \
    if (UNLIKELY(!o)) {                                                          \
        top->pc = pc + SIZE(op);                                                 \
        o = kgc_alloc_slow(ki->heap, (size));                                   \
        if (UNLIKELY(!o))                                                        \
            TRAP(GC_HEAP_EXHAUSTED);                                             \
    }
#define GC_HEADER(o, rtt)                                                        \
    do {                                                                         \
        (o)->hdr.kind = (rtt)->kind;                                             \
        (o)->hdr.canon = (rtt)->canon;                                           \
        (o)->rtt = (uintptr_t)(rtt);                                             \
    } while (0)
/* The object a struct / array operand points at, or a trap for null. */
#define STRUCT_AT(k) ((uint8_t *)(uintptr_t)fp[k])
#define NONNULL(k, trap)                                                         \
    if (UNLIKELY(!fp[k]))                                                        \
        TRAP(trap)
/* The array operand of op with its index operand inside it. */
#define ARRAY_ELEM(op, a, p, width)                                              \
    NONNULL(OPND(op, arr), NULL_ARRAY_REFERENCE);                                \
    kgc_array *a = (kgc_array *)(uintptr_t)fp[OPND(op, arr)];                    \
    uint32_t i_ = (uint32_t)fp[OPND(op, idx)];                                   \
    if (UNLIKELY(i_ >= a->len))                                                  \
        TRAP(ARRAY_OUT_OF_BOUNDS);                                               \
    uint8_t *p = kgc_array_data(a) + (size_t)i_ * (width)
#define CAST_OK(r, target)                                                       \
    kgc_ref_test(ki->canon, (krt_ref)(r), (target) & KINT_CAST_HEAP,             \
                 ((target) & KINT_CAST_CONCRETE) != 0, ((target) & KINT_CAST_NULLABLE) != 0)

    CASE(STRUCT_NEW)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(STRUCT_NEW, type)];
        GC_ALLOC(STRUCT_NEW, o_, rtt->size);
        kgc_obj *o = o_;
        GC_HEADER(o, rtt);
        const uint64_t *src = fp + OPND(STRUCT_NEW, base);
        if (rtt->all64) {
            /* Word by word: structs are small, a memcpy call would cost more. */
            uint64_t *dst = (uint64_t *)(void *)((uint8_t *)o + KGC_STRUCT_FIELDS);
            for (uint32_t i = 0; i < rtt->nfields; i++)
                dst[i] = src[i];
        } else {
            for (uint32_t i = 0; i < rtt->nfields; i++) {
                const kgc_field *f = &rtt->fields[i];
                kgc_store_value((uint8_t *)o + f->offset, f->width, src + f->slot);
            }
        }
        fp[OPND(STRUCT_NEW, dst)] = (uint64_t)(uintptr_t)o;
        NEXT_AFTER(STRUCT_NEW);
    }
    CASE(STRUCT_NEW_DEFAULT)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(STRUCT_NEW_DEFAULT, type)];
        GC_ALLOC(STRUCT_NEW_DEFAULT, o_, rtt->size);
        kgc_obj *o = o_;
        GC_HEADER(o, rtt);
        memset((uint8_t *)o + KGC_STRUCT_FIELDS, 0, rtt->size - KGC_STRUCT_FIELDS);
        fp[OPND(STRUCT_NEW_DEFAULT, dst)] = (uint64_t)(uintptr_t)o;
        NEXT_AFTER(STRUCT_NEW_DEFAULT);
    }
#define STRUCT_GET(name, T, EXT)                                                 \
    CASE(STRUCT_GET_##name)                                                      \
    {                                                                            \
        NONNULL(OPND(STRUCT_GET_##name, obj), NULL_STRUCTURE_REFERENCE);         \
        T v_;                                                                    \
        memcpy(&v_, STRUCT_AT(OPND(STRUCT_GET_##name, obj)) + OPND(STRUCT_GET_##name, offset), sizeof v_); \
        fp[OPND(STRUCT_GET_##name, dst)] = EXT(v_);                              \
        NEXT_AFTER(STRUCT_GET_##name);                                           \
    }
#define STRUCT_SET(name, T)                                                      \
    CASE(STRUCT_SET_##name)                                                      \
    {                                                                            \
        NONNULL(OPND(STRUCT_SET_##name, obj), NULL_STRUCTURE_REFERENCE);         \
        T v_ = (T)fp[OPND(STRUCT_SET_##name, val)];                              \
        memcpy(STRUCT_AT(OPND(STRUCT_SET_##name, obj)) + OPND(STRUCT_SET_##name, offset), &v_, sizeof v_); \
        NEXT_AFTER(STRUCT_SET_##name);                                           \
    }
#define ARRAY_GET(name, T, EXT)                                                  \
    CASE(ARRAY_GET_##name)                                                       \
    {                                                                            \
        ARRAY_ELEM(ARRAY_GET_##name, a_, p_, sizeof(T));                         \
        T v_;                                                                    \
        memcpy(&v_, p_, sizeof v_);                                              \
        fp[OPND(ARRAY_GET_##name, dst)] = EXT(v_);                               \
        NEXT_AFTER(ARRAY_GET_##name);                                            \
    }
#define ARRAY_SET(name, T)                                                       \
    CASE(ARRAY_SET_##name)                                                       \
    {                                                                            \
        ARRAY_ELEM(ARRAY_SET_##name, a_, p_, sizeof(T));                         \
        T v_ = (T)fp[OPND(ARRAY_SET_##name, val)];                               \
        memcpy(p_, &v_, sizeof v_);                                              \
        NEXT_AFTER(ARRAY_SET_##name);                                            \
    }
#define EXT_S8(v) ((uint64_t)(uint32_t)(int32_t)(int8_t)(v))
#define EXT_S16(v) ((uint64_t)(uint32_t)(int32_t)(int16_t)(v))
#define EXT_U(v) ((uint64_t)(v))
    STRUCT_GET(8S, uint8_t, EXT_S8)
    STRUCT_GET(8U, uint8_t, EXT_U)
    STRUCT_GET(16S, uint16_t, EXT_S16)
    STRUCT_GET(16U, uint16_t, EXT_U)
    STRUCT_GET(32, uint32_t, EXT_U)
    STRUCT_GET(64, uint64_t, EXT_U)
    STRUCT_SET(8, uint8_t)
    STRUCT_SET(16, uint16_t)
    STRUCT_SET(32, uint32_t)
    STRUCT_SET(64, uint64_t)
    ARRAY_GET(8S, uint8_t, EXT_S8)
    ARRAY_GET(8U, uint8_t, EXT_U)
    ARRAY_GET(16S, uint16_t, EXT_S16)
    ARRAY_GET(16U, uint16_t, EXT_U)
    ARRAY_GET(32, uint32_t, EXT_U)
    ARRAY_GET(64, uint64_t, EXT_U)
    ARRAY_SET(8, uint8_t)
    ARRAY_SET(16, uint16_t)
    ARRAY_SET(32, uint32_t)
    ARRAY_SET(64, uint64_t)
#undef STRUCT_GET
#undef STRUCT_SET
#undef ARRAY_GET
#undef ARRAY_SET
#undef EXT_S8
#undef EXT_S16
#undef EXT_U
    CASE(STRUCT_GET_128)
    {
        NONNULL(OPND(STRUCT_GET_128, obj), NULL_STRUCTURE_REFERENCE);
        uint64_t v[2];
        memcpy(v, STRUCT_AT(OPND(STRUCT_GET_128, obj)) + OPND(STRUCT_GET_128, offset), 16);
        fp[OPND(STRUCT_GET_128, dst)] = v[0];
        fp[OPND(STRUCT_GET_128, dst) + 1] = v[1];
        NEXT_AFTER(STRUCT_GET_128);
    }
    CASE(STRUCT_SET_128)
    {
        NONNULL(OPND(STRUCT_SET_128, obj), NULL_STRUCTURE_REFERENCE);
        const uint64_t v[2] = {fp[OPND(STRUCT_SET_128, val)], fp[OPND(STRUCT_SET_128, val) + 1]};
        memcpy(STRUCT_AT(OPND(STRUCT_SET_128, obj)) + OPND(STRUCT_SET_128, offset), v, 16);
        NEXT_AFTER(STRUCT_SET_128);
    }
    CASE(ARRAY_GET_128)
    {
        ARRAY_ELEM(ARRAY_GET_128, a_, p_, 16);
        uint64_t v[2];
        memcpy(v, p_, 16);
        fp[OPND(ARRAY_GET_128, dst)] = v[0];
        fp[OPND(ARRAY_GET_128, dst) + 1] = v[1];
        NEXT_AFTER(ARRAY_GET_128);
    }
    CASE(ARRAY_SET_128)
    {
        ARRAY_ELEM(ARRAY_SET_128, a_, p_, 16);
        const uint64_t v[2] = {fp[OPND(ARRAY_SET_128, val)], fp[OPND(ARRAY_SET_128, val) + 1]};
        memcpy(p_, v, 16);
        NEXT_AFTER(ARRAY_SET_128);
    }
    CASE(ARRAY_NEW)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(ARRAY_NEW, type)];
        uint32_t n = (uint32_t)fp[OPND(ARRAY_NEW, n)];
        uint64_t size = kgc_array_size(n, rtt->elem_width);
        if (UNLIKELY(!size))
            TRAP(ARRAY_TOO_LARGE);
        GC_ALLOC(ARRAY_NEW, a_, size);
        kgc_array *a = a_;
        GC_HEADER(&a->obj, rtt);
        a->len = n;
        kgc_fill(kgc_array_data(a), rtt->elem_width, n, fp + OPND(ARRAY_NEW, init));
        fp[OPND(ARRAY_NEW, dst)] = (uint64_t)(uintptr_t)a;
        NEXT_AFTER(ARRAY_NEW);
    }
    CASE(ARRAY_NEW_DEFAULT)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(ARRAY_NEW_DEFAULT, type)];
        uint32_t n = (uint32_t)fp[OPND(ARRAY_NEW_DEFAULT, n)];
        uint64_t size = kgc_array_size(n, rtt->elem_width);
        if (UNLIKELY(!size))
            TRAP(ARRAY_TOO_LARGE);
        GC_ALLOC(ARRAY_NEW_DEFAULT, a_, size);
        kgc_array *a = a_;
        GC_HEADER(&a->obj, rtt);
        a->len = n;
        memset(kgc_array_data(a), 0, (size_t)n * rtt->elem_width);
        fp[OPND(ARRAY_NEW_DEFAULT, dst)] = (uint64_t)(uintptr_t)a;
        NEXT_AFTER(ARRAY_NEW_DEFAULT);
    }
    CASE(ARRAY_NEW_FIXED)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(ARRAY_NEW_FIXED, type)];
        uint32_t n = OPND(ARRAY_NEW_FIXED, n), w = rtt->elem_width;
        uint64_t size = kgc_array_size(n, w);
        if (UNLIKELY(!size))
            TRAP(ARRAY_TOO_LARGE);
        GC_ALLOC(ARRAY_NEW_FIXED, a_, size);
        kgc_array *a = a_;
        GC_HEADER(&a->obj, rtt);
        a->len = n;
        const uint64_t *src = fp + OPND(ARRAY_NEW_FIXED, base);
        if (w == 8) {
            memcpy(kgc_array_data(a), src, (size_t)n * 8);
        } else {
            uint32_t step = w == 16 ? 2 : 1;
            for (uint32_t i = 0; i < n; i++)
                kgc_store_value(kgc_array_data(a) + (size_t)i * w, w, src + (size_t)i * step);
        }
        fp[OPND(ARRAY_NEW_FIXED, dst)] = (uint64_t)(uintptr_t)a;
        NEXT_AFTER(ARRAY_NEW_FIXED);
    }
    CASE(ARRAY_NEW_DATA)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(ARRAY_NEW_DATA, type)];
        uint32_t s = (uint32_t)fp[OPND(ARRAY_NEW_DATA, soff)], n = (uint32_t)fp[OPND(ARRAY_NEW_DATA, n)];
        uint32_t w = rtt->elem_width, x = OPND(ARRAY_NEW_DATA, data);
        const kir_data *d = &ki->inst->m->datas[x];
        uint64_t dlen = ki->inst->data_dropped[x] ? 0 : d->len;
        if ((uint64_t)s + (uint64_t)n * w > dlen)
            TRAP(MEMORY_OUT_OF_BOUNDS);
        uint64_t size = kgc_array_size(n, w);
        if (UNLIKELY(!size))
            TRAP(ARRAY_TOO_LARGE);
        GC_ALLOC(ARRAY_NEW_DATA, a_, size);
        kgc_array *a = a_;
        GC_HEADER(&a->obj, rtt);
        a->len = n;
        if (n)
            memcpy(kgc_array_data(a), d->bytes + s, (size_t)n * w);
        fp[OPND(ARRAY_NEW_DATA, dst)] = (uint64_t)(uintptr_t)a;
        NEXT_AFTER(ARRAY_NEW_DATA);
    }
    CASE(ARRAY_NEW_ELEM)
    {
        const kgc_rtt *rtt = ki->rtts[OPND(ARRAY_NEW_ELEM, type)];
        uint32_t s = (uint32_t)fp[OPND(ARRAY_NEW_ELEM, soff)], n = (uint32_t)fp[OPND(ARRAY_NEW_ELEM, n)];
        const krt_elem_seg *seg = &ki->inst->elems[OPND(ARRAY_NEW_ELEM, elem)];
        if ((uint64_t)s + n > seg->count)
            TRAP(TABLE_OUT_OF_BOUNDS);
        uint64_t size = kgc_array_size(n, 8);
        if (UNLIKELY(!size))
            TRAP(ARRAY_TOO_LARGE);
        GC_ALLOC(ARRAY_NEW_ELEM, a_, size);
        kgc_array *a = a_;
        GC_HEADER(&a->obj, rtt);
        a->len = n;
        uint64_t *e = (uint64_t *)(void *)kgc_array_data(a);
        for (uint32_t i = 0; i < n; i++)
            e[i] = (uint64_t)seg->refs[s + i];
        fp[OPND(ARRAY_NEW_ELEM, dst)] = (uint64_t)(uintptr_t)a;
        NEXT_AFTER(ARRAY_NEW_ELEM);
    }
    CASE(ARRAY_LEN)
    {
        NONNULL(OPND(ARRAY_LEN, arr), NULL_ARRAY_REFERENCE);
        fp[OPND(ARRAY_LEN, dst)] = ((const kgc_array *)(uintptr_t)fp[OPND(ARRAY_LEN, arr)])->len;
        NEXT_AFTER(ARRAY_LEN);
    }
    CASE(ARRAY_FILL)
    {
        NONNULL(OPND(ARRAY_FILL, arr), NULL_ARRAY_REFERENCE);
        kgc_array *a = (kgc_array *)(uintptr_t)fp[OPND(ARRAY_FILL, arr)];
        uint64_t d = (uint32_t)fp[OPND(ARRAY_FILL, doff)], n = (uint32_t)fp[OPND(ARRAY_FILL, n)];
        uint32_t w = OPND(ARRAY_FILL, width);
        if (d + n > a->len)
            TRAP(ARRAY_OUT_OF_BOUNDS);
        kgc_fill(kgc_array_data(a) + d * w, w, n, fp + OPND(ARRAY_FILL, val));
        NEXT_AFTER(ARRAY_FILL);
    }
    CASE(ARRAY_COPY)
    {
        NONNULL(OPND(ARRAY_COPY, darr), NULL_ARRAY_REFERENCE);
        NONNULL(OPND(ARRAY_COPY, sarr), NULL_ARRAY_REFERENCE);
        kgc_array *da = (kgc_array *)(uintptr_t)fp[OPND(ARRAY_COPY, darr)];
        kgc_array *sa = (kgc_array *)(uintptr_t)fp[OPND(ARRAY_COPY, sarr)];
        uint64_t d = (uint32_t)fp[OPND(ARRAY_COPY, doff)], s = (uint32_t)fp[OPND(ARRAY_COPY, soff)];
        uint64_t n = (uint32_t)fp[OPND(ARRAY_COPY, n)];
        uint32_t w = OPND(ARRAY_COPY, width);
        if (d + n > da->len || s + n > sa->len)
            TRAP(ARRAY_OUT_OF_BOUNDS);
        if (n)
            memmove(kgc_array_data(da) + d * w, kgc_array_data(sa) + s * w, (size_t)(n * w));
        NEXT_AFTER(ARRAY_COPY);
    }
    CASE(ARRAY_INIT_DATA)
    {
        NONNULL(OPND(ARRAY_INIT_DATA, arr), NULL_ARRAY_REFERENCE);
        kgc_array *a = (kgc_array *)(uintptr_t)fp[OPND(ARRAY_INIT_DATA, arr)];
        uint64_t d = (uint32_t)fp[OPND(ARRAY_INIT_DATA, doff)], s = (uint32_t)fp[OPND(ARRAY_INIT_DATA, soff)];
        uint64_t n = (uint32_t)fp[OPND(ARRAY_INIT_DATA, n)];
        uint32_t w = OPND(ARRAY_INIT_DATA, width), x = OPND(ARRAY_INIT_DATA, data);
        const kir_data *seg = &ki->inst->m->datas[x];
        uint64_t dlen = ki->inst->data_dropped[x] ? 0 : seg->len;
        if (d + n > a->len)
            TRAP(ARRAY_OUT_OF_BOUNDS);
        if (s + n * w > dlen)
            TRAP(MEMORY_OUT_OF_BOUNDS);
        if (n)
            memcpy(kgc_array_data(a) + d * w, seg->bytes + s, (size_t)(n * w));
        NEXT_AFTER(ARRAY_INIT_DATA);
    }
    CASE(ARRAY_INIT_ELEM)
    {
        NONNULL(OPND(ARRAY_INIT_ELEM, arr), NULL_ARRAY_REFERENCE);
        kgc_array *a = (kgc_array *)(uintptr_t)fp[OPND(ARRAY_INIT_ELEM, arr)];
        uint64_t d = (uint32_t)fp[OPND(ARRAY_INIT_ELEM, doff)], s = (uint32_t)fp[OPND(ARRAY_INIT_ELEM, soff)];
        uint64_t n = (uint32_t)fp[OPND(ARRAY_INIT_ELEM, n)];
        const krt_elem_seg *seg = &ki->inst->elems[OPND(ARRAY_INIT_ELEM, elem)];
        if (d + n > a->len)
            TRAP(ARRAY_OUT_OF_BOUNDS);
        if (s + n > seg->count)
            TRAP(TABLE_OUT_OF_BOUNDS);
        uint64_t *e = (uint64_t *)(void *)kgc_array_data(a);
        for (uint64_t i = 0; i < n; i++)
            e[d + i] = (uint64_t)seg->refs[s + i];
        NEXT_AFTER(ARRAY_INIT_ELEM);
    }
    CASE(REF_I31)
    {
        fp[OPND(REF_I31, dst)] = (uint64_t)krt_ref_i31_new((uint32_t)fp[OPND(REF_I31, src)]);
        NEXT_AFTER(REF_I31);
    }
    CASE(I31_GET_S)
    {
        NONNULL(OPND(I31_GET_S, src), NULL_I31_REFERENCE);
        fp[OPND(I31_GET_S, dst)] = krt_ref_i31_get_s((krt_ref)fp[OPND(I31_GET_S, src)]);
        NEXT_AFTER(I31_GET_S);
    }
    CASE(I31_GET_U)
    {
        NONNULL(OPND(I31_GET_U, src), NULL_I31_REFERENCE);
        fp[OPND(I31_GET_U, dst)] = krt_ref_i31_get_u((krt_ref)fp[OPND(I31_GET_U, src)]);
        NEXT_AFTER(I31_GET_U);
    }
    CASE(REF_TEST)
    {
        fp[OPND(REF_TEST, dst)] = CAST_OK(fp[OPND(REF_TEST, src)], OPND(REF_TEST, cast));
        NEXT_AFTER(REF_TEST);
    }
    CASE(REF_CAST)
    {
        if (UNLIKELY(!CAST_OK(fp[OPND(REF_CAST, src)], OPND(REF_CAST, cast))))
            TRAP(CAST_FAILURE);
        NEXT_AFTER(REF_CAST);
    }
    CASE(BR_CAST) BRANCH_IF(BR_CAST, CAST_OK(fp[OPND(BR_CAST, src)], OPND(BR_CAST, cast)));
    CASE(BRN_CAST) BRANCH_IF(BRN_CAST, !CAST_OK(fp[OPND(BRN_CAST, src)], OPND(BRN_CAST, cast)));
#undef GC_ALLOC
#undef GC_HEADER
#undef STRUCT_AT
#undef NONNULL
#undef ARRAY_ELEM
#undef CAST_OK

    /* ---- control ---- */
    CASE(UNREACHABLE) TRAP(UNREACHABLE);
    CASE(TRAP) TRAP_KIND((kite_trap_kind_t)OPND(TRAP, trap));
    CASE(BR) TAKE(BR);
    CASE(BR_TABLE)
    {
        uint32_t i = (uint32_t)fp[OPND(BR_TABLE, idx)], n = OPND(BR_TABLE, n);
        if (i > n)
            i = n;
        if (UNLIKELY(fuel_on))
            FUEL(1);
        pc += KINT_BR_TABLE_LABEL(pc, i);
        NEXT();
    }
    CASE(RET1)
    {
        fp[0] = fp[OPND(RET1, src)];
        goto do_return;
    }
    CASE(RETN)
    {
        uint32_t src = OPND(RETN, src), n = OPND(RETN, n);
        for (uint32_t i = 0; i < n; i++)
            fp[i] = fp[src + i];
        goto do_return;
    }
    CASE(RET)
    do_return:
    {
        if (top == entry) {
            run->status = RUN_OK;
            th->top = top;
            return;
        }
        top--;
        pc = top->pc;
        fp = top->fp;
        ki = top->ki;
        mem = ki->mem0;
        th->top = top;
        NEXT();
    }

    /* ---- calls ---- */
    CASE(CALL)
    {
        _Atomic(kint_code *) *cell = (_Atomic(kint_code *) *)(uintptr_t)OPND64(CALL, cell);
        const kint_code *c = atomic_load_explicit(cell, memory_order_acquire);
        if (UNLIKELY(!c)) {
            c = kint_code_get(ki, (uint32_t)(cell - ki->cells), labels, th);
            if (!c)
                TRAP(OUT_OF_MEMORY);
        }
        ENTER(c, OPND(CALL, base), pc + SIZE(CALL), ki);
    }
    do_enter:
        ENTER(callee, callbase, retpc, cki);
    CASE(CALL_FUNC)
    {
        callf = ki->inst->funcs[OPND(CALL_FUNC, func)];
        callbase = OPND(CALL_FUNC, base);
        retpc = pc + SIZE(CALL_FUNC);
        tail = false;
        goto do_call_func;
    }
    CASE(CALL_INDIRECT)
    {
        tail = false;
        retpc = pc + SIZE(CALL_INDIRECT);
    do_call_indirect:
    {
        /* Also RETURN_CALL_INDIRECT's. */
        const krt_table *tab = ki->tables[OPND(CALL_INDIRECT, table)];
        uint64_t i = fp[OPND(CALL_INDIRECT, idx)];
        if (UNLIKELY(i >= tab->size))
            TRAP(UNDEFINED_ELEMENT);
        krt_ref r = tab->elems[i];
        if (UNLIKELY(!r))
            TRAP(UNINITIALIZED_ELEMENT);
        callf = (krt_func *)r;
        uint32_t canon = OPND(CALL_INDIRECT, canon);
        if (UNLIKELY(callf->hdr.canon != canon) && !ktype_canon_is_subtype(ki->canon, callf->hdr.canon, canon))
            TRAP(INDIRECT_CALL_TYPE_MISMATCH);
        callbase = OPND(CALL_INDIRECT, base);
        goto do_call_func;
    }
    }
    CASE(CALL_REF)
    {
        tail = false;
        retpc = pc + SIZE(CALL_REF);
    do_call_ref:
        /* Also RETURN_CALL_REF's. */
        if (UNLIKELY(!fp[OPND(CALL_REF, ref)]))
            TRAP(NULL_FUNCTION_REFERENCE);
        callf = (krt_func *)(uintptr_t)fp[OPND(CALL_REF, ref)];
        callbase = OPND(CALL_REF, base);
    do_call_func:
        if (callf->host)
            goto do_host;
        cki = callf->instance == ki->inst ? ki : kint_instance_get(callf->instance);
        if (UNLIKELY(!cki))
            TRAP(OUT_OF_MEMORY);
        callee = atomic_load_explicit(&cki->cells[callf->index], memory_order_acquire);
        if (UNLIKELY(!callee)) {
            callee = kint_code_get(cki, callf->index, labels, th);
            if (!callee)
                TRAP(OUT_OF_MEMORY);
        }
        if (tail)
            goto do_tail;
        goto do_enter;
    }
    CASE(RETURN_CALL)
    {
        _Atomic(kint_code *) *cell = (_Atomic(kint_code *) *)(uintptr_t)OPND64(RETURN_CALL, cell);
        callee = atomic_load_explicit(cell, memory_order_acquire);
        callbase = OPND(RETURN_CALL, base);
        cki = ki;
        if (UNLIKELY(!callee)) {
            callee = kint_code_get(ki, (uint32_t)(cell - ki->cells), labels, th);
            if (!callee)
                TRAP(OUT_OF_MEMORY);
        }
    do_tail:
    {
        /* The arguments move down to the start of this frame, which the
         * callee then takes over. */
        if (UNLIKELY((size_t)(stack_end - fp) < callee->frame_slots))
            TRAP(CALL_STACK_EXHAUSTED);
        for (uint32_t i = 0; i < callee->param_slots; i++)
            fp[i] = fp[callbase + i];
        const kint_native *n = atomic_load_explicit(&callee->native, memory_order_acquire);
        if (n) {
            /* This frame ends here; the compiled callee takes its place. */
            kint_frame *self = top--;
            th->top = top;
            native_status = n->enter(th, fp, cki, n->entry);
            fuel_on = krt_store_checks(store);
            top = self;
            if (UNLIKELY(native_status != RUN_OK)) {
                if (native_status == RUN_EXN)
                    goto native_exn_done; /* (compiled code searched the callee's handlers) */
                goto native_stop;
            }
            goto do_return;
        }
        top->code = callee;
        top->ki = cki;
        init_frame(fp, callee);
        ki = cki;
        mem = ki->mem0;
        pc = callee->code;
        if (UNLIKELY(fuel_on))
            FUEL(1);
        NEXT();
    }
    }
    CASE(RETURN_CALL_FUNC)
    {
        callf = ki->inst->funcs[OPND(RETURN_CALL_FUNC, func)];
        callbase = OPND(RETURN_CALL_FUNC, base);
        retpc = pc + SIZE(RETURN_CALL_FUNC);
        tail = true;
        goto do_call_func;
    }
    CASE(RETURN_CALL_INDIRECT)
    {
        tail = true;
        retpc = pc + SIZE(RETURN_CALL_INDIRECT);
        goto do_call_indirect;
    }
    CASE(RETURN_CALL_REF)
    {
        tail = true;
        retpc = pc + SIZE(RETURN_CALL_REF);
        goto do_call_ref;
    }

    /*
     * A host function: arguments and results at fp[callbase..]. It may call
     * back into Wasm, which then runs above this frame (th->sp).
     */
do_host:
    {
        top->pc = retpc;
        th->top = top;
        th->sp = fp + top->code->frame_slots;
        kite_trap_t *t = kint_host_call(store, callf, fp + callbase, ki->inst);
        fuel_on = krt_store_checks(store);
        if (UNLIKELY(t != NULL)) {
            krt_exn *thrown = krt_trap_take_exn(t, store);
            if (thrown) {
                /* An exception from Wasm called by the host: keep unwinding
                 * here, or from the caller after a tail call, which ended
                 * this frame and with it the reach of its handlers. */
                exn = thrown;
                if (tail)
                    goto unwind_to_caller;
                throw_pos = (uint32_t)(retpc - top->code->code) - 1;
                goto do_throw;
            }
            run->trap = t;
            run->pos = (uint32_t)(retpc - top->code->code) - 1;
            run->status = RUN_TRAP_OBJ;
            return;
        }
        if (tail) {
            for (uint32_t i = 0; i < callf->result_slots; i++)
                fp[i] = fp[callbase + i];
            goto do_return;
        }
        pc = retpc;
        NEXT();
    }

    /* ---- exceptions ---- */
    CASE(THROW)
    {
        top->pc = pc + SIZE(THROW); /* the throw's stack map roots the payload */
        exn = kgc_exn_new(ki->heap, ki->inst->tags[OPND(THROW, tag)], fp + OPND(THROW, base));
        if (!exn)
            TRAP(GC_HEAP_EXHAUSTED);
        goto do_throw_here;
    }
    CASE(THROW_REF)
    {
        if (!fp[OPND(THROW_REF, src)])
            TRAP(NULL_EXCEPTION_REFERENCE);
        exn = (krt_exn *)(uintptr_t)fp[OPND(THROW_REF, src)];
    do_throw_here:
        if (UNLIKELY(fuel_on))
            FUEL(1);
        throw_pos = (uint32_t)(pc - top->code->code);
    do_throw:
        /* Unwind frame by frame to the innermost matching handler. */
        for (;;) {
            const kint_code *c = top->code;
            const kint_catch *k = kint_find_catch(c, throw_pos, exn, ki->inst);
            if (k) {
                if (k->kind == KDEC_CATCH || k->kind == KDEC_CATCH_REF)
                    memcpy(fp + k->dst, exn->slots, (size_t)exn->nslots * sizeof(uint64_t));
                if (k->ref_slot != UINT32_MAX)
                    fp[k->ref_slot] = (uint64_t)krt_ref_from_obj(exn);
                pc = c->code + k->target;
                NEXT();
            }
        unwind_to_caller:
            if (top == entry) {
                run->exn = exn;
                run->status = RUN_EXN;
                th->top = top;
                return;
            }
            top--;
            fp = top->fp;
            ki = top->ki;
            mem = ki->mem0;
            th->top = top;
            throw_pos = (uint32_t)(top->pc - top->code->code) - 1;
        }
    }

#if !KINT_GOTO
    default: TRAP(UNREACHABLE);
    }
#endif

trap_exit:
    run->pos = (uint32_t)(pc - top->code->code);
    run->status = RUN_TRAP;
    th->top = top;
    return;

hot_loop:
    /*
     * A backward branch of the frame `top` was taken to pc, a loop header.
     * Once the function is compiled, the frame continues there in native
     * code (on-stack replacement), which returns from the function.
     */
    {
        const kint_native *n = kint_hot(th, ki, top->code);
        const void *at = n ? kint_osr_entry(n, (uint32_t)(pc - top->code->code)) : NULL;
        if (!at)
            NEXT();
        th->top = top;
        native_status = n->enter(th, fp, ki, at);
        fuel_on = krt_store_checks(store);
        if (UNLIKELY(native_status == RUN_EXN))
            goto native_exn_done; /* (compiled code searched this frame's handlers) */
        if (UNLIKELY(native_status != RUN_OK))
            goto native_stop;
        goto do_return;
    }

native_exn_done:
    /*
     * An exception left compiled code that ran the frame `top` itself (it
     * continued there by on-stack replacement, or took it over by a tail
     * call): the compiled code searched that frame's handlers, so the
     * search goes on in its caller.
     */
    exn = th->exn;
    goto unwind_to_caller;

native_stop:
    /* A compiled callee called from pc (in the frame of `top`) trapped or
     * threw; th holds the outcome, and for a trap th->top its innermost
     * frame, which the backtrace starts from. */
    switch (native_status) {
    case RUN_EXN:
        exn = th->exn;
        th->top = top;
        throw_pos = (uint32_t)(pc - top->code->code);
        goto do_throw;
    case RUN_TRAP_OBJ:
        run->trap = th->trap_obj;
        run->pos = th->trap_pos;
        run->status = RUN_TRAP_OBJ;
        return;
    default:
        run->kind = (kite_trap_kind_t)th->trap_kind;
        run->detail = th->trap_detail;
        run->pos = th->trap_pos;
        run->status = RUN_TRAP;
        return;
    }
}

const kint_native *kint_hot(kint_thread *th, kint_instance *ki, const kint_code *code)
{
    kint_code *c = (kint_code *)(uintptr_t)code; /* (the counter is the one mutable field) */
    uint32_t hot = atomic_load_explicit(&c->hot, memory_order_relaxed);
    if (hot < th->hot) {
        atomic_store_explicit(&c->hot, hot + 1, memory_order_relaxed);
        return NULL;
    }
    /* one attempt, by one thread: a function the compiler refuses stays
     * interpreted */
    if (hot == th->hot && atomic_compare_exchange_strong_explicit(&c->hot, &hot, hot + 1, memory_order_relaxed,
                                                                  memory_order_relaxed))
        th->tier_up(th, ki, c);
    return atomic_load_explicit(&c->native, memory_order_acquire);
}

const void *kint_osr_entry(const kint_native *n, uint32_t pos)
{
    uint32_t lo = 0, hi = n->nosr;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (n->osr[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n->nosr && n->osr[lo].pos == pos ? n->osr[lo].entry : NULL;
}

const void *const *kint_handlers(void)
{
#if KINT_GOTO
    kint_run r;
    memset(&r, 0, sizeof(r));
    run_loop(&r);
    return r.labels;
#else
    return NULL;
#endif
}

static kite_trap_t *new_trap(const kite_store_t *store, kite_trap_kind_t kind)
{
    kite_trap_t *t = krt_trap_new(store->alloc, kind);
    return t ? t : krt_trap_oom();
}

/*
 * Interprets the frame of code at fp, record rec (pushed), to its end: the
 * part of kint_run_frame and kint_exec_call after the frame is set up.
 */
static int interpret(kint_thread *th, kint_frame *rec)
{
    kint_run run;
    memset(&run, 0, sizeof(run));
    run.th = th;
    run.store = th->store;
    run.entry = rec;
    kos_exec ex;
    th->nesting++;
    int r = kos_exec_run(&ex, run_loop, &run);
    th->nesting--;
    if (r == KOS_EXEC_FAULT) {
        /* Where exactly in the innermost function is not known. */
        th->trap_kind = KITE_TRAP_MEMORY_OUT_OF_BOUNDS;
        th->trap_pos = UINT32_MAX;
        return RUN_TRAP;
    }
    switch (run.status) {
    case RUN_OK: th->top = rec - 1; break;
    case RUN_TRAP:
        th->trap_kind = run.kind;
        th->trap_detail = run.detail;
        th->trap_pos = run.pos;
        break;
    case RUN_TRAP_OBJ:
        th->trap_obj = run.trap;
        th->trap_pos = run.pos;
        break;
    default: th->exn = run.exn; break;
    }
    return run.status;
}

/* Pushes the record of a frame about to be interpreted; false (with the
 * trap in th, at the caller's call) when a stack is full. */
static bool push_frame(kint_thread *th, uint64_t *fp, const kint_code *code, kint_instance *ki)
{
    kint_frame *rec = th->top + 1;
    if ((size_t)(th->stack_end - fp) < code->frame_slots || rec >= th->frames_end ||
        !kint_c_stack_ok(th)) {
        th->trap_kind = KITE_TRAP_CALL_STACK_EXHAUSTED;
        th->trap_pos = th->top >= th->frames && th->top->pc ? (uint32_t)(th->top->pc - th->top->code->code) - 1
                                                             : UINT32_MAX;
        return false;
    }
    init_frame(fp, code);
    rec->pc = NULL;
    rec->fp = fp;
    rec->code = code;
    rec->ki = ki;
    th->top = rec;
    return true;
}

int kint_run_frame(kint_thread *th, uint64_t *fp, const kint_code *code, kint_instance *ki)
{
    const kint_native *n = atomic_load_explicit(&code->native, memory_order_acquire);
    if (n)
        return n->enter(th, fp, ki, n->entry);
    if (!push_frame(th, fp, code, ki))
        return RUN_TRAP;
    kite_trap_kind_t stop;
    if (th->checks && !krt_store_check(th->store, 1, &stop)) {
        th->trap_kind = stop;
        th->trap_pos = 0;
        return RUN_TRAP;
    }
    return interpret(th, th->top);
}

kite_trap_t *kint_exec_call(kite_store_t *store, krt_func *f, uint64_t *slots)
{
    kint_thread *th = kint_thread_get(store);
    if (!th)
        return krt_trap_oom();
    if (!kint_c_stack_ok(th))
        return new_trap(store, KITE_TRAP_CALL_STACK_EXHAUSTED);
    kint_instance *ki = kint_instance_get(f->instance);
    kint_code *code = ki ? kint_code_get(ki, f->index, kint_handlers(), th) : NULL;
    if (!code)
        return krt_trap_oom();
    uint64_t *base = th->sp;
    kint_frame *rec = th->top + 1;
    if ((size_t)(th->stack_end - base) < code->frame_slots || rec >= th->frames_end)
        return new_trap(store, KITE_TRAP_CALL_STACK_EXHAUSTED);
    th->checks = krt_store_checks(store);
    if (th->native_sp == 0)
        th->native_limit = kos_stack_limit(kint_native_stack_reserve(store));
    const kint_native *n = atomic_load_explicit(&code->native, memory_order_acquire);
    if (!n && th->tier_up)
        n = kint_hot(th, ki, code);
    memcpy(base, slots, (size_t)f->param_slots * sizeof(uint64_t));

    int status;
    if (n) {
        th->nesting++;
        status = n->enter(th, base, ki, n->entry);
        th->nesting--;
    } else {
        push_frame(th, base, code, ki);
        /* The entry costs 1, charged in the new frame (as a call from Wasm,
         * kint_run_frame and compiled code's prologue charge it). */
        kite_trap_kind_t stop;
        if (th->checks && !krt_store_check(store, 1, &stop)) {
            th->trap_kind = stop;
            th->trap_pos = 0;
            status = RUN_TRAP;
        } else {
            status = interpret(th, rec);
        }
    }

    kite_trap_t *trap = NULL;
    switch (status) {
    case RUN_OK: memcpy(slots, base, (size_t)f->result_slots * sizeof(uint64_t)); break;
    case RUN_TRAP:
        trap = th->trap_detail ? krt_trap_new_message(store->alloc, (kite_trap_kind_t)th->trap_kind,
                                                      th->trap_detail)
                               : NULL;
        th->trap_detail = NULL;
        if (!trap)
            trap = new_trap(store, (kite_trap_kind_t)th->trap_kind);
        kint_trap_backtrace(trap, rec, th->top, th->trap_pos);
        break;
    case RUN_TRAP_OBJ:
        trap = th->trap_obj;
        th->trap_obj = NULL;
        kint_trap_backtrace(trap, rec, th->top, th->trap_pos);
        break;
    default:
        trap = new_trap(store, KITE_TRAP_EXCEPTION);
        krt_trap_hold_exn(trap, store, th->exn);
        th->exn = NULL;
        break;
    }
    th->top = rec - 1;
    th->sp = base;
    return trap;
}
