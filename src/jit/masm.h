/*
 * The macro-assembler: what the compiler emits machine code through.
 *
 * The interface is architecture-neutral; a backend (x64/masm_x64.c now,
 * arm64/ later) implements it as a file of instruction encodings. Its shape
 * follows what both targets can do directly or with one scratch register:
 *
 *   - three-address integer and float operations, dst = a OP b, where b is
 *     a register, an immediate or a memory operand (kjit_opnd); a backend
 *     with two-address instructions (x86) inserts the moves, one with
 *     load/store instructions only (AArch64) loads memory operands first;
 *   - comparisons set flags, which one conditional jump, set or move reads;
 *     float comparisons take their condition at once (kjit_fcmp_set,
 *     kjit_fcmp_jump) since how NaN shows in the flags differs per target;
 *   - loads and stores of 8/16/32/64 bits with sign or zero extension;
 *   - labels with forward and backward references, jump tables, calls of C
 *     functions by address.
 *
 * Registers are small numbers from the backend's register file (see
 * kjit_regs.h of the backend, included below), which also names the roles
 * the compiler gives them. Each operation states which registers it may
 * clobber besides its destination: none, unless its comment says so (the
 * backend's own scratch register, KJIT_MASM_SCRATCH, is never an operand).
 *
 * Emission never fails midway: the buffer grows, and running out of memory
 * sets `oom`, after which everything is ignored; kjit_masm_finish reports it.
 */
#ifndef KITE_JIT_MASM_H
#define KITE_JIT_MASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(_M_X64)
#include "jit/x64/regs.h"
#include "kite.h"
#define KJIT_HAVE_BACKEND 1
#else
#define KJIT_HAVE_BACKEND 0
#endif

typedef uint8_t kjit_reg;
#define KJIT_NOREG ((kjit_reg)0xFF)

/* ---- operands ----------------------------------------------------------------------- */

enum { KJIT_O_REG, KJIT_O_IMM, KJIT_O_MEM };

/* A register, an immediate, or memory at base + index * scale + disp
 * (index KJIT_NOREG for none; scale 1, 2, 4 or 8). */
typedef struct kjit_opnd {
    uint8_t kind;
    kjit_reg reg;   /* KJIT_O_REG; base register for KJIT_O_MEM */
    kjit_reg index;
    uint8_t scale;
    int32_t disp;
    int64_t imm;    /* KJIT_O_IMM */
} kjit_opnd;

static inline kjit_opnd kjit_r(kjit_reg r)
{
    return (kjit_opnd){.kind = KJIT_O_REG, .reg = r, .index = KJIT_NOREG, .scale = 1};
}
static inline kjit_opnd kjit_i(int64_t v)
{
    return (kjit_opnd){.kind = KJIT_O_IMM, .reg = KJIT_NOREG, .index = KJIT_NOREG, .scale = 1, .imm = v};
}
static inline kjit_opnd kjit_m(kjit_reg base, int32_t disp)
{
    return (kjit_opnd){.kind = KJIT_O_MEM, .reg = base, .index = KJIT_NOREG, .scale = 1, .disp = disp};
}
static inline kjit_opnd kjit_mx(kjit_reg base, kjit_reg index, uint8_t scale, int32_t disp)
{
    return (kjit_opnd){.kind = KJIT_O_MEM, .reg = base, .index = index, .scale = scale, .disp = disp};
}

/* ---- the buffer, labels --------------------------------------------------------------- */

typedef uint32_t kjit_label;

typedef struct kjit_label_rec {
    int64_t pos;        /* bound offset, or -1 */
    uint32_t fixups;    /* chain of references waiting for it (UINT32_MAX: none) */
} kjit_label_rec;

typedef struct kjit_fixup {
    uint32_t at;        /* offset of the field to patch */
    uint32_t base;      /* what the displacement is relative to */
    uint32_t next;
    uint8_t kind;       /* backend-specific */
} kjit_fixup;

/* CPU features a backend may use (detected by kjit_cpu_features). */
enum {
    KJIT_CPU_SSE41 = 1u << 0,  /* roundss/roundsd */
    KJIT_CPU_POPCNT = 1u << 1,
    KJIT_CPU_LZCNT = 1u << 2,  /* lzcnt */
    KJIT_CPU_BMI1 = 1u << 3,   /* tzcnt */
    KJIT_CPU_SSE42 = 1u << 4,  /* pcmpgtq */
    KJIT_CPU_AVX = 1u << 5,    /* VEX encodings: three-operand SIMD (kjit_vbin) */
};

typedef struct kjit_masm {
    uint8_t *buf;
    size_t len, cap;
    bool oom;
    uint32_t cpu;       /* KJIT_CPU_* the code may use */
    kjit_label_rec *labels;
    uint32_t nlabels, labelcap;
    kjit_fixup *fixups;
    uint32_t nfixups, fixupcap;
    uint32_t unresolved; /* references to labels not bound yet */
    const kite_allocator_t *alloc; /* of everything here, and of the compiler's tables */
} kjit_masm;

/* The features of the CPU this process runs on. */
uint32_t kjit_cpu_features(void);

/* An empty buffer emitting for CPU features `cpu`, allocated with `alloc`
 * (the engine's). */
void kjit_masm_init(kjit_masm *m, uint32_t cpu, const kite_allocator_t *alloc);
/* Frees the buffer and the label tables. */
void kjit_masm_free(kjit_masm *m);
/* Empties the buffer (keeping its memory) for the next function. */
void kjit_masm_reset(kjit_masm *m);
/* False when out of memory or a referenced label was never bound. */
bool kjit_masm_finish(kjit_masm *m);

static inline uint32_t kjit_masm_offset(const kjit_masm *m) { return (uint32_t)m->len; }

/* Appends raw bytes (the backend's encoders, and data such as jump tables). */
void kjit_emit_bytes(kjit_masm *m, const void *bytes, size_t n);
void kjit_emit_u8(kjit_masm *m, uint8_t v);
void kjit_emit_u32(kjit_masm *m, uint32_t v);
void kjit_emit_u64(kjit_masm *m, uint64_t v);
/* Pads with the backend's no-op to a multiple of `align` (a power of two). */
void kjit_align(kjit_masm *m, uint32_t align);

/* A new, unbound label; binding it to the current offset resolves every
 * reference made so far and lets later references jump straight to it. */
kjit_label kjit_label_new(kjit_masm *m);
void kjit_bind(kjit_masm *m, kjit_label l);
/* Whether l is bound, and where. */
bool kjit_label_bound(const kjit_masm *m, kjit_label l);
uint32_t kjit_label_pos(const kjit_masm *m, kjit_label l);
/* Records that the field at `at` refers to label l (for the backends). */
void kjit_label_use(kjit_masm *m, kjit_label l, uint32_t at, uint32_t base, uint8_t kind);
/* Backend: writes label position `target` into the field of fixup f. */
void kjit_backend_patch(kjit_masm *m, const kjit_fixup *f, uint32_t target);

/* ---- integer operations ----------------------------------------------------------------- */

/* Widths in bits: 32 or 64 for arithmetic; 8, 16, 32, 64 for stores. */
typedef enum kjit_alu_op {
    KJIT_ADD, KJIT_SUB, KJIT_AND, KJIT_OR, KJIT_XOR, KJIT_MUL,
} kjit_alu_op;

typedef enum kjit_shift_op {
    KJIT_SHL, KJIT_SHR, KJIT_SAR, KJIT_ROL, KJIT_ROR,
} kjit_shift_op;

typedef enum kjit_un_op {
    KJIT_NEG, KJIT_NOT,
    KJIT_CLZ, KJIT_CTZ, KJIT_POPCNT, /* Wasm semantics: clz/ctz of 0 is the width */
    KJIT_EXT8S, KJIT_EXT16S, KJIT_EXT32S, /* sign-extend the low bits to the width */
    KJIT_EXT8U, KJIT_EXT16U,             /* zero-extend likewise */
} kjit_un_op;

typedef enum kjit_div_op { KJIT_DIVS, KJIT_DIVU, KJIT_REMS, KJIT_REMU } kjit_div_op;

/* Integer conditions (after kjit_cmp: a ? b; after kjit_test: a & b ? 0). */
typedef enum kjit_cond {
    KJIT_EQ, KJIT_NE,
    KJIT_LT_S, KJIT_LE_S, KJIT_GT_S, KJIT_GE_S,
    KJIT_LT_U, KJIT_LE_U, KJIT_GT_U, KJIT_GE_U,
    KJIT_COND_COUNT
} kjit_cond;

/* The condition that holds exactly when c does not. */
kjit_cond kjit_cond_negate(kjit_cond c);

/* Loads: the extension from memory width to register. */
typedef enum kjit_load_kind {
    KJIT_L8U, KJIT_L8S32, KJIT_L8S64,
    KJIT_L16U, KJIT_L16S32, KJIT_L16S64,
    KJIT_L32U, KJIT_L32S64,
    KJIT_L64,
} kjit_load_kind;

/* dst = src, `w` bits: register from register, immediate or memory; memory
 * from register or immediate (a 64-bit immediate store that does not fit
 * in 32 signed bits goes through KJIT_MASM_SCRATCH). A 32-bit write
 * zero-extends into the whole register. Flags are left alone. */
void kjit_mov(kjit_masm *m, unsigned w, kjit_opnd dst, kjit_opnd src);
/* dst = the memory operand, extended as `kind` says. */
void kjit_load(kjit_masm *m, kjit_load_kind kind, kjit_reg dst, kjit_opnd mem);
/* dst = the address of the memory operand (w bits: a 32-bit result wraps). */
void kjit_lea(kjit_masm *m, unsigned w, kjit_reg dst, kjit_opnd mem);
/* dst = a OP b. */
void kjit_alu(kjit_masm *m, kjit_alu_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_opnd b);
/* Memory operand dst OP= b (a register or an immediate): counters. */
void kjit_alu_mem(kjit_masm *m, kjit_alu_op op, unsigned w, kjit_opnd dst, kjit_opnd b);
/* dst = a SHIFT b, b a register or an immediate (taken modulo w, as Wasm
 * does). A register count may clobber KJIT_SHIFT_CLOBBER. */
void kjit_shift(kjit_masm *m, kjit_shift_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_opnd b);
void kjit_unop(kjit_masm *m, kjit_un_op op, unsigned w, kjit_reg dst, kjit_reg a);
/* dst = a DIV b, with b != 0 and no signed overflow (the caller checks:
 * the machine instruction may fault otherwise). Clobbers KJIT_DIV_CLOBBER. */
void kjit_div(kjit_masm *m, kjit_div_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_reg b);
/* Flags from a - b, or from a & b. */
void kjit_cmp(kjit_masm *m, unsigned w, kjit_reg a, kjit_opnd b);
void kjit_cmp_mem(kjit_masm *m, unsigned w, kjit_opnd a, kjit_opnd b);
void kjit_test(kjit_masm *m, unsigned w, kjit_reg a, kjit_opnd b);
/* dst = condition ? 1 : 0 (32 bits). */
void kjit_setcc(kjit_masm *m, kjit_cond c, kjit_reg dst);
/* if condition: dst = src (w bits; src a register or memory). */
void kjit_cmov(kjit_masm *m, kjit_cond c, unsigned w, kjit_reg dst, kjit_opnd src);

/* ---- floating point (scalar) -------------------------------------------------------------- */

/* Precision: 32 (f32) or 64 (f64) bits. Float registers are the backend's
 * KJIT_F* numbers. */
typedef enum kjit_fop {
    KJIT_FADD, KJIT_FSUB, KJIT_FMUL, KJIT_FDIV,
    KJIT_FMIN_RAW, KJIT_FMAX_RAW, /* the machine's min/max (not Wasm's: see codegen) */
    KJIT_FAND, KJIT_FOR, KJIT_FXOR, KJIT_FANDN, /* bitwise on the whole register; ANDN: ~a & b */
} kjit_fop;

typedef enum kjit_fround_mode {
    KJIT_ROUND_NEAREST = 0, KJIT_ROUND_FLOOR = 1, KJIT_ROUND_CEIL = 2, KJIT_ROUND_TRUNC = 3,
} kjit_fround_mode;

/* Float conditions with IEEE semantics: every one but NE is false when an
 * operand is NaN. */
typedef enum kjit_fcond { KJIT_FEQ, KJIT_FNE, KJIT_FLT, KJIT_FLE, KJIT_FGT, KJIT_FGE } kjit_fcond;

/* dst = src, p bits: float register from float register or memory; memory
 * from float register. */
void kjit_fmov(kjit_masm *m, unsigned p, kjit_opnd dst, kjit_opnd src);
void kjit_fbin(kjit_masm *m, kjit_fop op, unsigned p, kjit_reg dst, kjit_reg a, kjit_opnd b);
void kjit_fsqrt(kjit_masm *m, unsigned p, kjit_reg dst, kjit_opnd src);
/* Rounding to an integral value; only with KJIT_CPU_SSE41 on x86-64 (the
 * caller calls a C function otherwise). */
void kjit_fround(kjit_masm *m, unsigned p, kjit_fround_mode mode, kjit_reg dst, kjit_reg src);
/* dst = (a COND b) ? 1 : 0 (32 bits). May clobber KJIT_FCMP_CLOBBER. */
void kjit_fcmp_set(kjit_masm *m, unsigned p, kjit_fcond c, kjit_reg dst, kjit_reg a, kjit_opnd b);
/* Jumps to l when (a COND b) == when. */
void kjit_fcmp_jump(kjit_masm *m, unsigned p, kjit_fcond c, kjit_reg a, kjit_opnd b, bool when,
                    kjit_label l);
/* Float <-> integer: the integer has w bits. */
void kjit_cvt_i2f(kjit_masm *m, unsigned p, unsigned w, bool is_signed, kjit_reg dst, kjit_reg src);
/* Truncating conversion of an in-range value (the caller checks the range):
 * signed, or unsigned for w = 32 (through a 64-bit signed conversion).
 * Unsigned 64-bit goes through kjit_cvt_f2u64. */
void kjit_cvt_f2i(kjit_masm *m, unsigned p, unsigned w, bool is_signed, kjit_reg dst, kjit_reg src);
/* Unsigned 64-bit truncation of an in-range value; clobbers float register tmp. */
void kjit_cvt_f2u64(kjit_masm *m, unsigned p, kjit_reg dst, kjit_reg src, kjit_reg tmp);
/* f32 <-> f64: dst gets precision p from the other one. */
void kjit_fcvt(kjit_masm *m, unsigned p, kjit_reg dst, kjit_reg src);
/* Bit moves between integer and float registers (w bits). */
void kjit_mov_i2f(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src);
void kjit_mov_f2i(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src);

/* ---- control --------------------------------------------------------------------------------- */

void kjit_jmp(kjit_masm *m, kjit_label l);
void kjit_jcc(kjit_masm *m, kjit_cond c, kjit_label l);
void kjit_jmp_reg(kjit_masm *m, kjit_reg r);
void kjit_call_label(kjit_masm *m, kjit_label l);
void kjit_call_reg(kjit_masm *m, kjit_reg r);
/* Calls C function fn (clobbers KJIT_MASM_SCRATCH for its address). */
void kjit_call_abs(kjit_masm *m, const void *fn);
void kjit_ret(kjit_masm *m);
void kjit_push(kjit_masm *m, kjit_reg r);
void kjit_pop(kjit_masm *m, kjit_reg r);
/* Loads the address of label l into r. */
void kjit_lea_label(kjit_masm *m, kjit_reg r, kjit_label l);
/*
 * Jumps to targets[index] (index an unsigned 32-bit value in register
 * `index`, which the caller has already bounded by n), through a table of
 * relative offsets placed right after the jump. Clobbers `index` and
 * KJIT_MASM_SCRATCH.
 */
void kjit_jump_table(kjit_masm *m, kjit_reg index, const kjit_label *targets, uint32_t n);

/* ---- atomics ------------------------------------------------------------------------------- */

/*
 * Sequentially consistent read-modify-writes of the w bits (8, 16, 32, 64)
 * at memory operand `mem`, the other operand in register r:
 *   xadd:    mem += r, r = the old value;
 *   xchg:    mem <-> r;
 *   cmpxchg: if mem == KJIT_CMPXCHG_EXPECTED (its low w bits) then mem = r,
 *            flags EQ; else that register's low w bits = mem, flags NE.
 * A register written with 8 or 16 bits keeps its other bits, one written
 * with 32 is zero-extended. Plain loads are sequentially consistent as
 * they are (x86-64 TSO with locked stores); kjit_fence is a full barrier.
 */
void kjit_atomic_xadd(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r);
void kjit_atomic_xchg(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r);
void kjit_atomic_cmpxchg(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r);
void kjit_fence(kjit_masm *m);

/* ---- SIMD: 128-bit vectors in the float registers ----------------------------------------------- */

/* Lane-wise operations dst = a OP b on whole registers (lanes of 8 to 64
 * bits; S/U signed or unsigned; F float). Compares give all-ones lanes
 * where they hold. ANDN is ~a & b. FMIN/FMAX are the machine's (minps:
 * a < b ? a : b), not Wasm's. FLT/FLE/FNE/FUNORD: IEEE (NE and UNORD hold
 * for NaN). SHUFB: a's bytes picked by b's (an index byte with its top bit
 * set gives 0). Some need SSE4.1 (KJIT_CPU_SSE41): MUL32, EQ64, the 8-bit
 * signed and 16/32-bit unsigned MIN/MAX, and MIN32S/MAX32S. */
typedef enum kjit_vop {
    KJIT_V_ADD8, KJIT_V_ADD16, KJIT_V_ADD32, KJIT_V_ADD64,
    KJIT_V_SUB8, KJIT_V_SUB16, KJIT_V_SUB32, KJIT_V_SUB64,
    KJIT_V_MUL16, KJIT_V_MUL32,
    KJIT_V_AND, KJIT_V_ANDN, KJIT_V_OR, KJIT_V_XOR,
    KJIT_V_EQ8, KJIT_V_EQ16, KJIT_V_EQ32, KJIT_V_EQ64,
    KJIT_V_GT8S, KJIT_V_GT16S, KJIT_V_GT32S,
    KJIT_V_MIN8S, KJIT_V_MIN8U, KJIT_V_MIN16S, KJIT_V_MIN16U, KJIT_V_MIN32S, KJIT_V_MIN32U,
    KJIT_V_MAX8S, KJIT_V_MAX8U, KJIT_V_MAX16S, KJIT_V_MAX16U, KJIT_V_MAX32S, KJIT_V_MAX32U,
    KJIT_V_ADDSAT8S, KJIT_V_ADDSAT8U, KJIT_V_ADDSAT16S, KJIT_V_ADDSAT16U,
    KJIT_V_SUBSAT8S, KJIT_V_SUBSAT8U, KJIT_V_SUBSAT16S, KJIT_V_SUBSAT16U,
    KJIT_V_AVG8U, KJIT_V_AVG16U,
    KJIT_V_FADD32, KJIT_V_FSUB32, KJIT_V_FMUL32, KJIT_V_FDIV32, KJIT_V_FMIN32, KJIT_V_FMAX32,
    KJIT_V_FADD64, KJIT_V_FSUB64, KJIT_V_FMUL64, KJIT_V_FDIV64, KJIT_V_FMIN64, KJIT_V_FMAX64,
    KJIT_V_FEQ32, KJIT_V_FLT32, KJIT_V_FLE32, KJIT_V_FUNORD32, KJIT_V_FNE32,
    KJIT_V_FEQ64, KJIT_V_FLT64, KJIT_V_FLE64, KJIT_V_FUNORD64, KJIT_V_FNE64,
    KJIT_V_SHUFB,
    KJIT_V_UNPACKLO64, /* the low 64 bits of a, then those of b */
    /* shifts of a's lanes by the count in b's low 64 bits (all bits out
     * when it is the width or more) */
    KJIT_V_SLL16, KJIT_V_SLL32, KJIT_V_SLL64, KJIT_V_SRL16, KJIT_V_SRL32, KJIT_V_SRL64,
    KJIT_V_SRA16, KJIT_V_SRA32,
    /* narrowing with saturation: a's lanes, then b's (PACKUS32: SSE4.1) */
    KJIT_V_PACKSS16, KJIT_V_PACKUS16, KJIT_V_PACKSS32, KJIT_V_PACKUS32,
    KJIT_V_MADD16,     /* pairs of 16-bit products summed to 32 bits */
    KJIT_V_UNPACKHI8, KJIT_V_UNPACKHI16, KJIT_V_UNPACKHI32, /* the high halves of a and b interleaved */
    /* unary: dst = f(b), a ignored (b may be memory: 64 bits for the
     * extensions, 32 for LOAD32, 64 for LOAD64, which zero the rest) */
    KJIT_V_ABS8, KJIT_V_ABS16, KJIT_V_ABS32,
    KJIT_V_EXT8S16, KJIT_V_EXT8U16, KJIT_V_EXT16S32, KJIT_V_EXT16U32, KJIT_V_EXT32S64, KJIT_V_EXT32U64,
    KJIT_V_CVT_I32_F32, KJIT_V_CVT_I32_F64, KJIT_V_CVT_F32_F64, KJIT_V_CVT_F64_F32,
    KJIT_V_FSQRT32, KJIT_V_FSQRT64,
    KJIT_V_LOAD32, KJIT_V_LOAD64,
    KJIT_V_MULHI16S, KJIT_V_MULHI16U, /* the high halves of the 32-bit products */
    KJIT_V_MULU32, KJIT_V_MULS32,     /* even 32-bit lanes to 64-bit products (MULS32: SSE4.1) */
    KJIT_V_UNPACKLO16,                /* the low halves of a and b interleaved */
    KJIT_V_MULHRS16,                  /* (a * b + 0x4000) >> 15, 16-bit lanes */
    KJIT_V_MADDUBS,                   /* a's bytes unsigned times b's signed, pairs summed, saturated */
    KJIT_V_GT64S,                     /* SSE4.2 (KJIT_CPU_SSE42) */
    KJIT_V_CVTT_F32_I32, KJIT_V_CVTT_F64_I32, /* truncating to i32 (0x80000000 when out of range) */
    KJIT_V_COUNT
} kjit_vop;

/* Shifts of every lane by an immediate count (below the lane width). */
typedef enum kjit_vshift_op {
    KJIT_VSHL16, KJIT_VSHL32, KJIT_VSHL64, KJIT_VSHR16, KJIT_VSHR32, KJIT_VSHR64, KJIT_VSAR16, KJIT_VSAR32,
} kjit_vshift_op;

/* dst = src, 128 bits: register from register or (unaligned) memory;
 * memory from register. */
void kjit_vmov(kjit_masm *m, kjit_opnd dst, kjit_opnd src);
/* dst = a OP b (registers; may clobber KJIT_MASM_FSCRATCH). */
void kjit_vbin(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_reg a, kjit_reg b);
/* dst = dst OP src, src a register or memory (16-byte aligned, but for
 * the unary operations' narrower reads). */
void kjit_vop_mem(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_opnd src);
/* dst = src's float lanes (p bits) rounded as mode says (SSE4.1). */
void kjit_vround(kjit_masm *m, unsigned p, kjit_fround_mode mode, kjit_reg dst, kjit_reg src);
/* Flags from a & b: EQ when it is all zeros. */
void kjit_vtest(kjit_masm *m, kjit_reg a, kjit_reg b);
/* Integer register dst = the top bit of each w-bit lane of src (w = 8,
 * 32 or 64), lane 0 in bit 0. */
void kjit_vmovmsk(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src);
/* dst SHIFT= count, in place. */
void kjit_vshift(kjit_masm *m, kjit_vshift_op op, kjit_reg dst, unsigned count);
/* dst = the 32-bit lanes of src picked by the four 2-bit fields of sel. */
void kjit_vshuf32(kjit_masm *m, kjit_reg dst, kjit_reg src, uint8_t sel);
/* dst = the 16 bytes at label l (a constant the code carries). */
void kjit_vload_label(kjit_masm *m, kjit_reg dst, kjit_label l);
/* dst = dst OP the 16 bytes at label l, which is 16-byte aligned. */
void kjit_vbin_label(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_label l);
/* Integer register dst = lane `lane` of src (w = 8, 16, 32, 64 bits),
 * zero-extended (SSE4.1 for 8, 32 and 64 but lane 0). */
void kjit_vextract(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src, unsigned lane);
/* Lane `lane` (w bits) of dst = integer register src (SSE4.1 but for 16). */
void kjit_vinsert(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src, unsigned lane);

#endif
