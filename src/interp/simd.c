/*
 * kint_simd_eval: every SIMD instruction of the opcode table (the 0xFD
 * prefix) dispatched to its kint_simd_<ID> function, with the operands
 * marshalled according to that function's type (_Generic), so nothing here
 * lists instructions and a missing function does not compile.
 */
#include "interp/simd.h"

/* A v128 operand in slot form (two slots, low half first). */
static inline kint_v128 arg_v128(const uint64_t *slots) { return kint_v128_load(slots); }

static inline void put_v128(uint64_t *slots, kint_v128 v) { kint_v128_store(slots, v); }

typedef kint_v128 (*fn_v_v)(kint_v128);
typedef kint_v128 (*fn_vv_v)(kint_v128, kint_v128);
typedef kint_v128 (*fn_vvv_v)(kint_v128, kint_v128, kint_v128);
typedef kint_v128 (*fn_vi_v)(kint_v128, uint32_t);
typedef uint32_t (*fn_v_i)(kint_v128);
typedef kint_v128 (*fn_i_v)(uint32_t);
typedef kint_v128 (*fn_l_v)(uint64_t);
typedef uint32_t (*fn_extract_i)(kint_v128, unsigned);
typedef uint64_t (*fn_extract_l)(kint_v128, unsigned);
typedef kint_v128 (*fn_replace_i)(kint_v128, unsigned, uint32_t);
typedef kint_v128 (*fn_replace_l)(kint_v128, unsigned, uint64_t);
typedef kint_v128 (*fn_const)(const uint8_t *);
typedef kint_v128 (*fn_shuffle)(kint_v128, kint_v128, const uint8_t *);
typedef kint_v128 (*fn_load)(const void *);
typedef void (*fn_store)(void *, kint_v128);
typedef kint_v128 (*fn_load_lane)(const void *, kint_v128, unsigned);
typedef void (*fn_store_lane)(void *, kint_v128, unsigned);

/* Each reads every operand before writing a result (results may be args). */
static inline bool ev_v_v(fn_v_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f(arg_v128(a)));
    return true;
}
static inline bool ev_vv_v(fn_vv_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f(arg_v128(a), arg_v128(a + 2)));
    return true;
}
static inline bool ev_vvv_v(fn_vvv_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f(arg_v128(a), arg_v128(a + 2), arg_v128(a + 4)));
    return true;
}
static inline bool ev_vi_v(fn_vi_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f(arg_v128(a), (uint32_t)a[2]));
    return true;
}
static inline bool ev_v_i(fn_v_i f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    r[0] = f(arg_v128(a));
    return true;
}
static inline bool ev_i_v(fn_i_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f((uint32_t)a[0]));
    return true;
}
static inline bool ev_l_v(fn_l_v f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)imm;
    put_v128(r, f(a[0]));
    return true;
}
static inline bool ev_extract_i(fn_extract_i f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    r[0] = f(arg_v128(a), imm[0]);
    return true;
}
static inline bool ev_extract_l(fn_extract_l f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    r[0] = f(arg_v128(a), imm[0]);
    return true;
}
static inline bool ev_replace_i(fn_replace_i f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    put_v128(r, f(arg_v128(a), imm[0], (uint32_t)a[2]));
    return true;
}
static inline bool ev_replace_l(fn_replace_l f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    put_v128(r, f(arg_v128(a), imm[0], a[2]));
    return true;
}
static inline bool ev_const(fn_const f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    (void)a;
    put_v128(r, f(imm));
    return true;
}
static inline bool ev_shuffle(fn_shuffle f, const uint64_t *a, const uint8_t *imm, uint64_t *r)
{
    put_v128(r, f(arg_v128(a), arg_v128(a + 2), imm));
    return true;
}
/* Memory instructions need an address and bounds: not evaluated here. */
#define KINT_EV_MEMORY(name, F)                                                         \
    static inline bool name(F f, const uint64_t *a, const uint8_t *imm, uint64_t *r)    \
    {                                                                                   \
        (void)f, (void)a, (void)imm, (void)r;                                           \
        return false;                                                                   \
    }
KINT_EV_MEMORY(ev_load, fn_load)
KINT_EV_MEMORY(ev_store, fn_store)
KINT_EV_MEMORY(ev_load_lane, fn_load_lane)
KINT_EV_MEMORY(ev_store_lane, fn_store_lane)
#undef KINT_EV_MEMORY

#define KINT_EV(f)                                                                           \
    _Generic(&(f), fn_v_v: ev_v_v, fn_vv_v: ev_vv_v, fn_vvv_v: ev_vvv_v, fn_vi_v: ev_vi_v,   \
             fn_v_i: ev_v_i, fn_i_v: ev_i_v, fn_l_v: ev_l_v, fn_extract_i: ev_extract_i,     \
             fn_extract_l: ev_extract_l, fn_replace_i: ev_replace_i,                         \
             fn_replace_l: ev_replace_l, fn_const: ev_const, fn_shuffle: ev_shuffle,         \
             fn_load: ev_load, fn_store: ev_store, fn_load_lane: ev_load_lane,               \
             fn_store_lane: ev_store_lane)(&(f), args, imm, results)

#define KINT_EV_PREFIX_NONE(id)
#define KINT_EV_PREFIX_FB(id)
#define KINT_EV_PREFIX_FC(id)
#define KINT_EV_PREFIX_FE(id)
#define KINT_EV_PREFIX_FD(id) \
    case KIR_OP_##id:         \
        return KINT_EV(kint_simd_##id);

bool kint_simd_eval(kir_op op, const uint64_t *args, const uint8_t *imm, uint64_t *results)
{
    switch (op) {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) KINT_EV_PREFIX_##prefix(id)
#include "ir/opcodes.def"
#undef OP
    default:
        return false;
    }
}

const char *kint_simd_backend(void)
{
#if defined(KINT_SIMD_BACKEND)
    return KINT_SIMD_BACKEND;
#elif defined(KINT_SIMD_NEON)
    return "neon";
#elif defined(__AVX2__)
    return "avx2";
#elif defined(__SSE4_1__)
    return "sse4.1";
#elif defined(__SSSE3__)
    return "ssse3";
#else
    return "sse2";
#endif
}
