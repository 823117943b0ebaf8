/*
 * The x86-64 backend of the macro-assembler (masm.h): instruction encodings.
 *
 * Every instruction with a register or memory operand goes through enc_rm,
 * which lays out
 *
 *   [66|F2|F3] [REX 0100WRXB] opcode(1-3) ModRM [SIB] [disp8|disp32]  (immediate)
 *
 *   ModRM = mod(2) reg(3) rm(3)        SIB = scale(2) index(3) base(3)
 *
 * with the special cases of the encoding: rm = 100 means a SIB byte follows
 * (so rsp and r12 as a base need one), mod = 00 with rm/base = 101 means
 * no base register (so rbp and r13 as a base need a zero disp8), index 100
 * without REX.X means no index, and byte registers 4-7 mean spl..dil only
 * with a REX prefix (ah..bh without). The unit test
 * tests/unit/test_jit_x64_encode.c checks the output against GNU as.
 */
#include "jit/masm.h"

#if KJIT_HAVE_BACKEND && (defined(__x86_64__) || defined(_M_X64))

#include <string.h>

#if defined(__GNUC__)
#include <cpuid.h>
#endif

#define REX_W 8u
#define REX_R 4u
#define REX_X 2u
#define REX_B 1u

/* enc_rm flags: which operands are byte registers (they need a REX for
 * spl, bpl, sil, dil). */
#define BYTE_REG 1u
#define BYTE_RM 2u

/* Fixup kinds (kjit_fixup.kind): a 32-bit displacement target - base. */
enum { FIX_REL32 = 1 };

uint32_t kjit_cpu_features(void)
{
    uint32_t f = 0;
#if defined(__GNUC__)
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        if (c & (1u << 19))
            f |= KJIT_CPU_SSE41;
        if (c & (1u << 20))
            f |= KJIT_CPU_SSE42;
        if (c & (1u << 23))
            f |= KJIT_CPU_POPCNT;
        /* AVX, and the OS saves the vector registers' state (XCR0: SSE and
         * AVX state) */
        if ((c & (1u << 28)) && (c & (1u << 27))) {
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            (void)hi;
            if ((lo & 6u) == 6u)
                f |= KJIT_CPU_AVX;
        }
    }
    if (__get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & (1u << 5)))
        f |= KJIT_CPU_LZCNT;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (b & (1u << 3))
            f |= KJIT_CPU_BMI1;
    }
#endif
    return f;
}

static bool fits8(int64_t v) { return v >= -128 && v <= 127; }
static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void kjit_backend_patch(kjit_masm *m, const kjit_fixup *f, uint32_t target)
{
    if (m->oom || f->at + 4 > m->len)
        return;
    put32(m->buf + f->at, target - f->base);
}

/*
 * One instruction with a ModRM operand (see the file comment). `op` holds
 * nop opcode bytes, first byte in the lowest 8 bits; `reg` is the ModRM reg
 * field (a register number or an opcode extension); `rm` a register or a
 * memory operand. Any immediate is emitted by the caller afterwards.
 */
static int put_modrm(uint8_t *b, int n, unsigned reg, kjit_opnd rm);

static void enc_rm(kjit_masm *m, uint8_t pfx, bool w, uint32_t op, int nop, unsigned reg, kjit_opnd rm,
                   unsigned flags)
{
    uint8_t b[16];
    int n = 0;
    unsigned rex = (w ? REX_W : 0) | ((reg & 8) ? REX_R : 0);
    bool force = (flags & BYTE_REG) && reg >= 4 && reg < 8;
    if (pfx)
        b[n++] = pfx;
    if (rm.kind == KJIT_O_REG) {
        rex |= (rm.reg & 8) ? REX_B : 0;
        if ((flags & BYTE_RM) && rm.reg >= 4 && rm.reg < 8)
            force = true;
    } else {
        rex |= (rm.reg & 8) ? REX_B : 0;
        if (rm.index != KJIT_NOREG)
            rex |= (rm.index & 8) ? REX_X : 0;
    }
    if (rex || force)
        b[n++] = (uint8_t)(0x40 | rex);
    for (int i = 0; i < nop; i++)
        b[n++] = (uint8_t)(op >> (8 * i));
    n = put_modrm(b, n, reg, rm);
    kjit_emit_bytes(m, b, (size_t)n);
}

/* The ModRM byte for register reg and operand rm, with its SIB byte and
 * displacement, at b[n]; returns the new length. */
static int put_modrm(uint8_t *b, int n, unsigned reg, kjit_opnd rm)
{
    if (rm.kind == KJIT_O_REG) {
        b[n++] = (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm.reg & 7));
        return n;
    }
    unsigned base = rm.reg & 7;
    unsigned mod = (rm.disp == 0 && base != 5) ? 0 : fits8(rm.disp) ? 1 : 2;
    if (rm.index == KJIT_NOREG && base != 4) {
        b[n++] = (uint8_t)((mod << 6) | ((reg & 7) << 3) | base);
    } else {
        unsigned ss = rm.scale == 8 ? 3 : rm.scale == 4 ? 2 : rm.scale == 2 ? 1 : 0;
        unsigned idx = rm.index == KJIT_NOREG ? 4 : (rm.index & 7);
        b[n++] = (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4);
        b[n++] = (uint8_t)((ss << 6) | (idx << 3) | base);
    }
    if (mod == 1) {
        b[n++] = (uint8_t)(int8_t)rm.disp;
    } else if (mod == 2) {
        put32(b + n, (uint32_t)rm.disp);
        n += 4;
    }
    return n;
}

/*
 * The VEX form (AVX) of a legacy SSE instruction given as enc_rm takes it
 * (prefix 66/F3/F2 or none; opcode bytes 0F xx, 0F 38 xx or 0F 3A xx):
 * reg, vvvv (the extra source register; KJIT_NOREG for none) and rm. The
 * two-byte VEX prefix where it can say everything, else the three-byte one.
 */
static void enc_vex(kjit_masm *m, uint8_t pfx, uint32_t op, int nop, unsigned reg, unsigned vvvv, kjit_opnd rm)
{
    uint8_t b[16];
    int n = 0;
    unsigned pp = pfx == 0x66 ? 1 : pfx == 0xF3 ? 2 : pfx == 0xF2 ? 3 : 0;
    unsigned map = nop == 2 ? 1 : ((op >> 8) & 0xFF) == 0x38 ? 2 : 3;
    unsigned x = rm.kind != KJIT_O_REG && rm.index != KJIT_NOREG && (rm.index & 8);
    unsigned bx = (rm.reg & 8) != 0;
    unsigned v = vvvv == KJIT_NOREG ? 0 : vvvv;
    unsigned tail = ((~v & 15u) << 3) | pp; /* vvvv inverted, L = 0 (128 bits) */
    if (map == 1 && !x && !bx) {
        b[n++] = 0xC5;
        b[n++] = (uint8_t)(((reg & 8) ? 0 : 0x80) | tail);
    } else {
        b[n++] = 0xC4;
        b[n++] = (uint8_t)(((reg & 8) ? 0 : 0x80) | (x ? 0 : 0x40) | (bx ? 0 : 0x20) | map);
        b[n++] = (uint8_t)tail; /* W = 0 */
    }
    b[n++] = (uint8_t)(op >> (8 * (nop - 1)));
    n = put_modrm(b, n, reg, rm);
    kjit_emit_bytes(m, b, (size_t)n);
}

/* An instruction with the register in the opcode byte (push, pop, mov imm). */
static void enc_oreg(kjit_masm *m, bool w, uint8_t op, kjit_reg r)
{
    unsigned rex = (w ? REX_W : 0) | ((r & 8) ? REX_B : 0);
    if (rex)
        kjit_emit_u8(m, (uint8_t)(0x40 | rex));
    kjit_emit_u8(m, (uint8_t)(op + (r & 7)));
}

static void emit_imm(kjit_masm *m, int64_t v, int bytes)
{
    if (bytes == 1)
        kjit_emit_u8(m, (uint8_t)v);
    else if (bytes == 2) {
        kjit_emit_u8(m, (uint8_t)v);
        kjit_emit_u8(m, (uint8_t)(v >> 8));
    } else
        kjit_emit_u32(m, (uint32_t)v);
}

/* x86 condition codes (the low nibble of jcc/setcc/cmovcc). */
static uint8_t cc(kjit_cond c)
{
    static const uint8_t code[KJIT_COND_COUNT] = {
        [KJIT_EQ] = 0x4,   [KJIT_NE] = 0x5,   [KJIT_LT_S] = 0xC, [KJIT_LE_S] = 0xE,
        [KJIT_GT_S] = 0xF, [KJIT_GE_S] = 0xD, [KJIT_LT_U] = 0x2, [KJIT_LE_U] = 0x6,
        [KJIT_GT_U] = 0x7, [KJIT_GE_U] = 0x3,
    };
    return code[c];
}

enum { CC_P = 0xA, CC_NP = 0xB, CC_A = 0x7, CC_AE = 0x3, CC_B = 0x2, CC_BE = 0x6, CC_E = 0x4, CC_NE = 0x5 };

/* ---- moves ------------------------------------------------------------------------------ */

static void mov_rr(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src)
{
    if (dst == src && w == 64)
        return;
    enc_rm(m, 0, w == 64, 0x89, 1, src, kjit_r(dst), 0);
}

/* dst = a before an operation on dst of w bits (which zero-extends a
 * 32-bit result by itself, so a register already in place needs nothing). */
static void mov_if(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg a)
{
    if (dst != a)
        mov_rr(m, w == 64 ? 64 : 32, dst, a);
}

static void mov_ri(kjit_masm *m, unsigned w, kjit_reg dst, int64_t v)
{
    if (w != 64)
        v = (int64_t)(uint32_t)v;
    if (v >= 0 && v <= (int64_t)UINT32_MAX) {
        enc_oreg(m, false, 0xB8, dst); /* mov r32, imm32: zero-extends */
        kjit_emit_u32(m, (uint32_t)v);
    } else if (fits32(v)) {
        enc_rm(m, 0, true, 0xC7, 1, 0, kjit_r(dst), 0);
        kjit_emit_u32(m, (uint32_t)v);
    } else {
        enc_oreg(m, true, 0xB8, dst);
        kjit_emit_u64(m, (uint64_t)v);
    }
}

void kjit_mov(kjit_masm *m, unsigned w, kjit_opnd dst, kjit_opnd src)
{
    if (dst.kind == KJIT_O_REG) {
        if (src.kind == KJIT_O_REG)
            mov_rr(m, w, dst.reg, src.reg);
        else if (src.kind == KJIT_O_IMM)
            mov_ri(m, w, dst.reg, src.imm);
        else
            enc_rm(m, 0, w == 64, 0x8B, 1, dst.reg, src, 0);
        return;
    }
    /* to memory */
    uint8_t pfx = w == 16 ? 0x66 : 0;
    if (src.kind == KJIT_O_REG) {
        enc_rm(m, pfx, w == 64, w == 8 ? 0x88 : 0x89, 1, src.reg, dst, w == 8 ? BYTE_REG : 0);
    } else if (src.kind == KJIT_O_IMM) {
        if (w == 64 && !fits32(src.imm)) {
            mov_ri(m, 64, KJIT_MASM_SCRATCH, src.imm);
            enc_rm(m, 0, true, 0x89, 1, KJIT_MASM_SCRATCH, dst, 0);
            return;
        }
        enc_rm(m, pfx, w == 64, w == 8 ? 0xC6 : 0xC7, 1, 0, dst, 0);
        emit_imm(m, src.imm, w == 8 ? 1 : w == 16 ? 2 : 4);
    }
}

void kjit_load(kjit_masm *m, kjit_load_kind kind, kjit_reg dst, kjit_opnd mem)
{
    switch (kind) {
    case KJIT_L8U: enc_rm(m, 0, false, 0xB60F, 2, dst, mem, 0); break;
    case KJIT_L8S32: enc_rm(m, 0, false, 0xBE0F, 2, dst, mem, 0); break;
    case KJIT_L8S64: enc_rm(m, 0, true, 0xBE0F, 2, dst, mem, 0); break;
    case KJIT_L16U: enc_rm(m, 0, false, 0xB70F, 2, dst, mem, 0); break;
    case KJIT_L16S32: enc_rm(m, 0, false, 0xBF0F, 2, dst, mem, 0); break;
    case KJIT_L16S64: enc_rm(m, 0, true, 0xBF0F, 2, dst, mem, 0); break;
    case KJIT_L32U: enc_rm(m, 0, false, 0x8B, 1, dst, mem, 0); break;
    case KJIT_L32S64: enc_rm(m, 0, true, 0x63, 1, dst, mem, 0); break;
    case KJIT_L64: enc_rm(m, 0, true, 0x8B, 1, dst, mem, 0); break;
    }
}

void kjit_lea(kjit_masm *m, unsigned w, kjit_reg dst, kjit_opnd mem)
{
    enc_rm(m, 0, w == 64, 0x8D, 1, dst, mem, 0);
}

/* ---- integer arithmetic ---------------------------------------------------------------------- */

/* The ALU group's /digit (81 /n, 83 /n) and its "op r/m, r" opcode (8*n + 1). */
static unsigned alu_digit(kjit_alu_op op)
{
    switch (op) {
    case KJIT_ADD: return 0;
    case KJIT_OR: return 1;
    case KJIT_AND: return 4;
    case KJIT_SUB: return 5;
    default: return 6; /* XOR */
    }
}
#define DIGIT_CMP 7u

/* op r/m, imm (w bits), with the short forms for 8-bit immediates and for
 * the accumulator. */
static void alu_imm(kjit_masm *m, unsigned digit, unsigned w, kjit_opnd rm, int64_t v)
{
    if (!fits8(v) && rm.kind == KJIT_O_REG && rm.reg == KJIT_RAX) {
        if (w == 64)
            kjit_emit_u8(m, 0x48);
        kjit_emit_u8(m, (uint8_t)(8 * digit + 5));
        kjit_emit_u32(m, (uint32_t)v);
    } else if (fits8(v)) {
        enc_rm(m, 0, w == 64, 0x83, 1, digit, rm, 0);
        kjit_emit_u8(m, (uint8_t)v);
    } else {
        enc_rm(m, 0, w == 64, 0x81, 1, digit, rm, 0);
        kjit_emit_u32(m, (uint32_t)v);
    }
}

/* An immediate as the instruction will see it: w = 32 keeps the low 32
 * bits (sign-extended for the encoding); false when a 64-bit value does
 * not fit in a sign-extended 32-bit field. */
static bool imm_fits(unsigned w, int64_t *v)
{
    if (w != 64) {
        *v = (int32_t)(uint32_t)*v;
        return true;
    }
    return fits32(*v);
}

/* dst op= b (two-address), b any operand; an immediate that does not fit
 * goes through the scratch register. */
static void alu2(kjit_masm *m, kjit_alu_op op, unsigned w, kjit_reg dst, kjit_opnd b)
{
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (!imm_fits(w, &v)) {
            mov_ri(m, 64, KJIT_MASM_SCRATCH, v);
            b = kjit_r(KJIT_MASM_SCRATCH);
        } else if (op == KJIT_MUL) {
            if (fits8(v)) {
                enc_rm(m, 0, w == 64, 0x6B, 1, dst, kjit_r(dst), 0);
                kjit_emit_u8(m, (uint8_t)v);
            } else {
                enc_rm(m, 0, w == 64, 0x69, 1, dst, kjit_r(dst), 0);
                kjit_emit_u32(m, (uint32_t)v);
            }
            return;
        } else {
            alu_imm(m, alu_digit(op), w, kjit_r(dst), v);
            return;
        }
    }
    if (op == KJIT_MUL) {
        enc_rm(m, 0, w == 64, 0xAF0F, 2, dst, b, 0);
        return;
    }
    if (b.kind == KJIT_O_REG) /* op r/m, r (what assemblers pick): opcode 8*digit + 1 */
        enc_rm(m, 0, w == 64, 8 * alu_digit(op) + 1, 1, b.reg, kjit_r(dst), 0);
    else /* op r, m: opcode 8*digit + 3 */
        enc_rm(m, 0, w == 64, 8 * alu_digit(op) + 3, 1, dst, b, 0);
}

static bool commutes(kjit_alu_op op) { return op != KJIT_SUB; }

void kjit_alu(kjit_masm *m, kjit_alu_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_opnd b)
{
    if (dst == a) {
        alu2(m, op, w, dst, b);
        return;
    }
    if (b.kind == KJIT_O_REG && b.reg == dst) {
        if (commutes(op)) {
            alu2(m, op, w, dst, kjit_r(a));
        } else { /* dst = a - dst */
            enc_rm(m, 0, w == 64, 0xF7, 1, 3, kjit_r(dst), 0); /* neg */
            alu2(m, KJIT_ADD, w, dst, kjit_r(a));
        }
        return;
    }
    if (b.kind == KJIT_O_MEM && (b.reg == dst || b.index == dst)) {
        /* dst is needed for the address: compute in the scratch register */
        mov_rr(m, 64, KJIT_MASM_SCRATCH, a);
        alu2(m, op, w, KJIT_MASM_SCRATCH, b);
        mov_rr(m, 64, dst, KJIT_MASM_SCRATCH);
        return;
    }
    /* Three-address forms: lea for additions, imul r, r/m, imm for products. */
    if (op == KJIT_ADD && b.kind == KJIT_O_REG) {
        kjit_lea(m, w, dst, kjit_mx(a, b.reg, 1, 0));
        return;
    }
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (op == KJIT_ADD && imm_fits(w, &v)) {
            kjit_lea(m, w, dst, kjit_m(a, (int32_t)v));
            return;
        }
        if (op == KJIT_MUL && imm_fits(w, &v)) {
            if (fits8(v)) {
                enc_rm(m, 0, w == 64, 0x6B, 1, dst, kjit_r(a), 0);
                kjit_emit_u8(m, (uint8_t)v);
            } else {
                enc_rm(m, 0, w == 64, 0x69, 1, dst, kjit_r(a), 0);
                kjit_emit_u32(m, (uint32_t)v);
            }
            return;
        }
    }
    mov_if(m, w, dst, a);
    alu2(m, op, w, dst, b);
}

void kjit_alu_mem(kjit_masm *m, kjit_alu_op op, unsigned w, kjit_opnd dst, kjit_opnd b)
{
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (imm_fits(w, &v)) {
            alu_imm(m, alu_digit(op), w, dst, v);
            return;
        }
        mov_ri(m, 64, KJIT_MASM_SCRATCH, v);
        b = kjit_r(KJIT_MASM_SCRATCH);
    }
    enc_rm(m, 0, w == 64, 8 * alu_digit(op) + 1, 1, b.reg, dst, 0);
}

void kjit_cmp(kjit_masm *m, unsigned w, kjit_reg a, kjit_opnd b)
{
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (imm_fits(w, &v)) {
            alu_imm(m, DIGIT_CMP, w, kjit_r(a), v);
            return;
        }
        mov_ri(m, 64, KJIT_MASM_SCRATCH, v);
        b = kjit_r(KJIT_MASM_SCRATCH);
    }
    if (b.kind == KJIT_O_REG)
        enc_rm(m, 0, w == 64, 0x39, 1, b.reg, kjit_r(a), 0);
    else
        enc_rm(m, 0, w == 64, 0x3B, 1, a, b, 0);
}

void kjit_cmp_mem(kjit_masm *m, unsigned w, kjit_opnd a, kjit_opnd b)
{
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (imm_fits(w, &v)) {
            alu_imm(m, DIGIT_CMP, w, a, v);
            return;
        }
        mov_ri(m, 64, KJIT_MASM_SCRATCH, v);
        b = kjit_r(KJIT_MASM_SCRATCH);
    }
    enc_rm(m, 0, w == 64, 0x39, 1, b.reg, a, 0);
}

void kjit_test(kjit_masm *m, unsigned w, kjit_reg a, kjit_opnd b)
{
    if (b.kind == KJIT_O_IMM) {
        int64_t v = b.imm;
        if (imm_fits(w, &v)) {
            if (a == KJIT_RAX) {
                if (w == 64)
                    kjit_emit_u8(m, 0x48);
                kjit_emit_u8(m, 0xA9);
            } else {
                enc_rm(m, 0, w == 64, 0xF7, 1, 0, kjit_r(a), 0);
            }
            kjit_emit_u32(m, (uint32_t)v);
            return;
        }
        mov_ri(m, 64, KJIT_MASM_SCRATCH, v);
        b = kjit_r(KJIT_MASM_SCRATCH);
    }
    enc_rm(m, 0, w == 64, 0x85, 1, b.kind == KJIT_O_REG ? b.reg : a, b.kind == KJIT_O_REG ? kjit_r(a) : b, 0);
}

void kjit_setcc(kjit_masm *m, kjit_cond c, kjit_reg dst)
{
    enc_rm(m, 0, false, 0x900F | ((uint32_t)cc(c) << 8), 2, 0, kjit_r(dst), BYTE_RM);
    enc_rm(m, 0, false, 0xB60F, 2, dst, kjit_r(dst), BYTE_RM); /* movzx r32, r8 */
}

void kjit_cmov(kjit_masm *m, kjit_cond c, unsigned w, kjit_reg dst, kjit_opnd src)
{
    enc_rm(m, 0, w == 64, 0x400F | ((uint32_t)cc(c) << 8), 2, dst, src, 0);
}

void kjit_shift(kjit_masm *m, kjit_shift_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_opnd b)
{
    static const unsigned digit[] = {[KJIT_SHL] = 4, [KJIT_SHR] = 5, [KJIT_SAR] = 7, [KJIT_ROL] = 0,
                                     [KJIT_ROR] = 1};
    unsigned dg = digit[op];
    if (b.kind == KJIT_O_IMM) {
        unsigned n = (unsigned)b.imm & (w - 1);
        mov_if(m, w, dst, a);
        if (n == 0)
            return;
        if (n == 1) {
            enc_rm(m, 0, w == 64, 0xD1, 1, dg, kjit_r(dst), 0);
        } else {
            enc_rm(m, 0, w == 64, 0xC1, 1, dg, kjit_r(dst), 0);
            kjit_emit_u8(m, (uint8_t)n);
        }
        return;
    }
    kjit_reg cnt = b.reg;
    if (cnt == KJIT_RCX && dst != KJIT_RCX) {
        mov_if(m, w, dst, a);
        enc_rm(m, 0, w == 64, 0xD3, 1, dg, kjit_r(dst), 0);
        return;
    }
    mov_rr(m, 64, KJIT_MASM_SCRATCH, a);
    if (cnt != KJIT_RCX)
        mov_rr(m, 32, KJIT_RCX, cnt);
    enc_rm(m, 0, w == 64, 0xD3, 1, dg, kjit_r(KJIT_MASM_SCRATCH), 0);
    mov_if(m, w, dst, KJIT_MASM_SCRATCH);
}

/* jcc to an offset in this buffer known to be within 127 bytes ahead (a
 * local skip inside one operation): the caller patches the displacement. */
static uint32_t short_jcc(kjit_masm *m, uint8_t code)
{
    kjit_emit_u8(m, (uint8_t)(0x70 | code));
    kjit_emit_u8(m, 0);
    return (uint32_t)m->len;
}

static void short_land(kjit_masm *m, uint32_t after)
{
    if (!m->oom)
        m->buf[after - 1] = (uint8_t)(m->len - after);
}

void kjit_unop(kjit_masm *m, kjit_un_op op, unsigned w, kjit_reg dst, kjit_reg a)
{
    bool q = w == 64;
    switch (op) {
    case KJIT_NEG:
    case KJIT_NOT:
        mov_if(m, w, dst, a);
        enc_rm(m, 0, q, 0xF7, 1, op == KJIT_NEG ? 3 : 2, kjit_r(dst), 0);
        return;
    case KJIT_CLZ:
        if (m->cpu & KJIT_CPU_LZCNT) {
            enc_rm(m, 0xF3, q, 0xBD0F, 2, dst, kjit_r(a), 0);
            return;
        }
        {
            /* bsr gives the highest set bit's index, and ZF for 0:
             * clz = (w - 1) - index, with index -1 for 0. */
            enc_rm(m, 0, q, 0xBD0F, 2, KJIT_MASM_SCRATCH, kjit_r(a), 0);
            uint32_t j = short_jcc(m, CC_NE);
            mov_ri(m, 64, KJIT_MASM_SCRATCH, -1);
            short_land(m, j);
            mov_ri(m, 32, dst, w - 1);
            alu2(m, KJIT_SUB, w, dst, kjit_r(KJIT_MASM_SCRATCH));
        }
        return;
    case KJIT_CTZ:
        if (m->cpu & KJIT_CPU_BMI1) {
            enc_rm(m, 0xF3, q, 0xBC0F, 2, dst, kjit_r(a), 0);
            return;
        }
        {
            enc_rm(m, 0, q, 0xBC0F, 2, KJIT_MASM_SCRATCH, kjit_r(a), 0); /* bsf */
            uint32_t j = short_jcc(m, CC_NE);
            mov_ri(m, 32, KJIT_MASM_SCRATCH, w);
            short_land(m, j);
            mov_rr(m, 64, dst, KJIT_MASM_SCRATCH);
        }
        return;
    case KJIT_POPCNT: enc_rm(m, 0xF3, q, 0xB80F, 2, dst, kjit_r(a), 0); return;
    case KJIT_EXT8S: enc_rm(m, 0, q, 0xBE0F, 2, dst, kjit_r(a), BYTE_RM); return;
    case KJIT_EXT16S: enc_rm(m, 0, q, 0xBF0F, 2, dst, kjit_r(a), 0); return;
    case KJIT_EXT32S: enc_rm(m, 0, true, 0x63, 1, dst, kjit_r(a), 0); return;
    case KJIT_EXT8U: enc_rm(m, 0, false, 0xB60F, 2, dst, kjit_r(a), BYTE_RM); return;
    case KJIT_EXT16U: enc_rm(m, 0, false, 0xB70F, 2, dst, kjit_r(a), 0); return;
    }
}

void kjit_div(kjit_masm *m, kjit_div_op op, unsigned w, kjit_reg dst, kjit_reg a, kjit_reg b)
{
    bool q = w == 64;
    if (b == KJIT_RAX || b == KJIT_RDX) {
        mov_rr(m, 64, KJIT_MASM_SCRATCH, b);
        b = KJIT_MASM_SCRATCH;
    }
    mov_if(m, w, KJIT_RAX, a);
    bool sgn = op == KJIT_DIVS || op == KJIT_REMS;
    if (sgn) {
        if (q)
            kjit_emit_u8(m, 0x48);
        kjit_emit_u8(m, 0x99); /* cdq / cqo */
    } else {
        enc_rm(m, 0, false, 0x31, 1, KJIT_RDX, kjit_r(KJIT_RDX), 0); /* xor edx, edx */
    }
    enc_rm(m, 0, q, 0xF7, 1, sgn ? 7 : 6, kjit_r(b), 0);
    mov_if(m, w, dst, (op == KJIT_DIVS || op == KJIT_DIVU) ? KJIT_RAX : KJIT_RDX);
}

/* ---- floating point ------------------------------------------------------------------------- */

static uint8_t spfx(unsigned p) { return p == 64 ? 0xF2 : 0xF3; }

/* movaps dst, src: a whole-register copy (no dependency on dst's old value). */
static void fmov_rr(kjit_masm *m, kjit_reg dst, kjit_reg src)
{
    if (dst != src)
        enc_rm(m, 0, false, 0x280F, 2, dst, kjit_r(src), 0);
}

void kjit_fmov(kjit_masm *m, unsigned p, kjit_opnd dst, kjit_opnd src)
{
    if (dst.kind == KJIT_O_REG && src.kind == KJIT_O_REG)
        fmov_rr(m, dst.reg, src.reg);
    else if (dst.kind == KJIT_O_REG)
        enc_rm(m, spfx(p), false, 0x100F, 2, dst.reg, src, 0); /* movss/movsd xmm, m */
    else
        enc_rm(m, spfx(p), false, 0x110F, 2, src.reg, dst, 0); /* movss/movsd m, xmm */
}

/* The scalar (ss/sd) or packed-bitwise (ps/pd) encoding of op. */
static void fop2(kjit_masm *m, kjit_fop op, unsigned p, kjit_reg dst, kjit_opnd b)
{
    static const uint8_t scalar[] = {[KJIT_FADD] = 0x58, [KJIT_FSUB] = 0x5C, [KJIT_FMUL] = 0x59,
                                     [KJIT_FDIV] = 0x5E, [KJIT_FMIN_RAW] = 0x5D, [KJIT_FMAX_RAW] = 0x5F};
    static const uint8_t bitwise[] = {[KJIT_FAND] = 0x54, [KJIT_FANDN] = 0x55, [KJIT_FOR] = 0x56,
                                      [KJIT_FXOR] = 0x57};
    if (op <= KJIT_FMAX_RAW) {
        enc_rm(m, spfx(p), false, 0x0F | ((uint32_t)scalar[op] << 8), 2, dst, b, 0);
        return;
    }
    if (b.kind == KJIT_O_MEM) {
        /* the packed forms want 16 aligned bytes in memory: load the scalar */
        kjit_fmov(m, p, kjit_r(KJIT_MASM_FSCRATCH), b);
        b = kjit_r(KJIT_MASM_FSCRATCH);
    }
    enc_rm(m, p == 64 ? 0x66 : 0, false, 0x0F | ((uint32_t)bitwise[op] << 8), 2, dst, b, 0);
}

static bool fcommutes(kjit_fop op)
{
    return op == KJIT_FADD || op == KJIT_FMUL || op == KJIT_FAND || op == KJIT_FOR || op == KJIT_FXOR;
}

void kjit_fbin(kjit_masm *m, kjit_fop op, unsigned p, kjit_reg dst, kjit_reg a, kjit_opnd b)
{
    if (dst == a) {
        fop2(m, op, p, dst, b);
        return;
    }
    if (b.kind == KJIT_O_REG && b.reg == dst) {
        if (fcommutes(op)) {
            fop2(m, op, p, dst, kjit_r(a));
            return;
        }
        fmov_rr(m, KJIT_MASM_FSCRATCH, b.reg);
        b = kjit_r(KJIT_MASM_FSCRATCH);
    }
    fmov_rr(m, dst, a);
    fop2(m, op, p, dst, b);
}

void kjit_fsqrt(kjit_masm *m, unsigned p, kjit_reg dst, kjit_opnd src)
{
    enc_rm(m, spfx(p), false, 0x510F, 2, dst, src, 0);
}

void kjit_fround(kjit_masm *m, unsigned p, kjit_fround_mode mode, kjit_reg dst, kjit_reg src)
{
    /* roundss/roundsd; imm bit 3 suppresses the inexact exception */
    enc_rm(m, 0x66, false, p == 64 ? 0x0B3A0F : 0x0A3A0F, 3, dst, kjit_r(src), 0);
    kjit_emit_u8(m, (uint8_t)(mode | 8));
}

static void ucomis(kjit_masm *m, unsigned p, kjit_reg a, kjit_opnd b)
{
    enc_rm(m, p == 64 ? 0x66 : 0, false, 0x2E0F, 2, a, b, 0);
}

/* Compares so that the condition reads as a (ucomis) "above" test: a < b
 * and a <= b become b > a and b >= a. Returns the condition to test:
 * FEQ, FNE, FGT or FGE. */
static kjit_fcond fcompare(kjit_masm *m, unsigned p, kjit_fcond c, kjit_reg a, kjit_opnd b)
{
    if (c == KJIT_FLT || c == KJIT_FLE) {
        kjit_reg rb;
        if (b.kind == KJIT_O_REG) {
            rb = b.reg;
        } else {
            kjit_fmov(m, p, kjit_r(KJIT_MASM_FSCRATCH), b);
            rb = KJIT_MASM_FSCRATCH;
        }
        ucomis(m, p, rb, kjit_r(a));
        return c == KJIT_FLT ? KJIT_FGT : KJIT_FGE;
    }
    ucomis(m, p, a, b);
    return c;
}

static void setcc_raw(kjit_masm *m, uint8_t code, kjit_reg r)
{
    enc_rm(m, 0, false, 0x900F | ((uint32_t)code << 8), 2, 0, kjit_r(r), BYTE_RM);
}

void kjit_fcmp_set(kjit_masm *m, unsigned p, kjit_fcond c, kjit_reg dst, kjit_reg a, kjit_opnd b)
{
    c = fcompare(m, p, c, a, b);
    switch (c) {
    case KJIT_FEQ: /* ZF and not PF */
    case KJIT_FNE: /* not ZF, or PF */
        setcc_raw(m, c == KJIT_FEQ ? CC_E : CC_NE, dst);
        setcc_raw(m, c == KJIT_FEQ ? CC_NP : CC_P, KJIT_MASM_SCRATCH);
        enc_rm(m, 0, false, c == KJIT_FEQ ? 0x20 : 0x08, 1, KJIT_MASM_SCRATCH, kjit_r(dst),
               BYTE_RM | BYTE_REG); /* and/or dst8, r11b */
        break;
    default: setcc_raw(m, c == KJIT_FGT ? CC_A : CC_AE, dst); break;
    }
    enc_rm(m, 0, false, 0xB60F, 2, dst, kjit_r(dst), BYTE_RM);
}

static void jcc_raw(kjit_masm *m, uint8_t code, kjit_label l);

void kjit_fcmp_jump(kjit_masm *m, unsigned p, kjit_fcond c, kjit_reg a, kjit_opnd b, bool when,
                    kjit_label l)
{
    c = fcompare(m, p, c, a, b);
    if (c == KJIT_FNE) {
        c = KJIT_FEQ;
        when = !when;
    }
    switch (c) {
    case KJIT_FEQ:
        if (when) {
            uint32_t skip = short_jcc(m, CC_P);
            jcc_raw(m, CC_E, l);
            short_land(m, skip);
        } else {
            jcc_raw(m, CC_P, l);
            jcc_raw(m, CC_NE, l);
        }
        break;
    case KJIT_FGT: jcc_raw(m, when ? CC_A : CC_BE, l); break;
    default: jcc_raw(m, when ? CC_AE : CC_B, l); break;
    }
}

void kjit_cvt_i2f(kjit_masm *m, unsigned p, unsigned w, bool is_signed, kjit_reg dst, kjit_reg src)
{
    uint32_t cvt = 0x2A0F; /* cvtsi2ss / cvtsi2sd */
    enc_rm(m, 0, false, 0x570F, 2, dst, kjit_r(dst), 0); /* xorps: no false dependency */
    if (is_signed) {
        enc_rm(m, spfx(p), w == 64, cvt, 2, dst, kjit_r(src), 0);
        return;
    }
    if (w == 32) {
        mov_rr(m, 32, KJIT_MASM_SCRATCH, src); /* zero-extended: exact as a signed 64-bit value */
        enc_rm(m, spfx(p), true, cvt, 2, dst, kjit_r(KJIT_MASM_SCRATCH), 0);
        return;
    }
    /* u64: below 2^63 directly; else halve, keeping the lost bit sticky so
     * that rounding stays correct, convert, and double. */
    enc_rm(m, 0, true, 0x85, 1, src, kjit_r(src), 0); /* test src, src */
    uint32_t big = short_jcc(m, 0x8 /* S */);
    enc_rm(m, spfx(p), true, cvt, 2, dst, kjit_r(src), 0);
    uint32_t done = (uint32_t)(m->len + 2);
    kjit_emit_u8(m, 0xEB);
    kjit_emit_u8(m, 0);
    short_land(m, big);
    mov_rr(m, 64, KJIT_MASM_SCRATCH, src);
    enc_rm(m, 0, true, 0xD1, 1, 5, kjit_r(KJIT_MASM_SCRATCH), 0); /* shr r11, 1: CF = lost bit */
    uint32_t even = short_jcc(m, 0x3 /* NC */);
    alu_imm(m, 1 /* or */, 64, kjit_r(KJIT_MASM_SCRATCH), 1);
    short_land(m, even);
    enc_rm(m, spfx(p), true, cvt, 2, dst, kjit_r(KJIT_MASM_SCRATCH), 0);
    fop2(m, KJIT_FADD, p, dst, kjit_r(dst));
    short_land(m, done);
}

void kjit_cvt_f2i(kjit_masm *m, unsigned p, unsigned w, bool is_signed, kjit_reg dst, kjit_reg src)
{
    bool q = w == 64 || !is_signed; /* u32 through the 64-bit conversion */
    enc_rm(m, spfx(p), q, 0x2C0F, 2, dst, kjit_r(src), 0);
}

void kjit_cvt_f2u64(kjit_masm *m, unsigned p, kjit_reg dst, kjit_reg src, kjit_reg tmp)
{
    /* below 2^63 directly; else convert x - 2^63 and set the top bit */
    uint64_t two63 = p == 64 ? UINT64_C(0x43E0000000000000) : UINT64_C(0x5F000000);
    mov_ri(m, 64, KJIT_MASM_SCRATCH, (int64_t)two63);
    kjit_mov_i2f(m, p, KJIT_MASM_FSCRATCH, KJIT_MASM_SCRATCH);
    ucomis(m, p, src, kjit_r(KJIT_MASM_FSCRATCH));
    uint32_t big = short_jcc(m, CC_AE);
    enc_rm(m, spfx(p), true, 0x2C0F, 2, dst, kjit_r(src), 0);
    uint32_t done = (uint32_t)(m->len + 2);
    kjit_emit_u8(m, 0xEB);
    kjit_emit_u8(m, 0);
    short_land(m, big);
    fmov_rr(m, tmp, src);
    fop2(m, KJIT_FSUB, p, tmp, kjit_r(KJIT_MASM_FSCRATCH));
    enc_rm(m, spfx(p), true, 0x2C0F, 2, dst, kjit_r(tmp), 0);
    enc_rm(m, 0, true, 0xBA0F, 2, 7, kjit_r(dst), 0); /* btc dst, 63 */
    kjit_emit_u8(m, 63);
    short_land(m, done);
}

void kjit_fcvt(kjit_masm *m, unsigned p, kjit_reg dst, kjit_reg src)
{
    /* cvtss2sd (F3) to f64, cvtsd2ss (F2) to f32 */
    enc_rm(m, p == 64 ? 0xF3 : 0xF2, false, 0x5A0F, 2, dst, kjit_r(src), 0);
}

void kjit_mov_i2f(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src)
{
    enc_rm(m, 0x66, w == 64, 0x6E0F, 2, dst, kjit_r(src), 0);
}

void kjit_mov_f2i(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src)
{
    enc_rm(m, 0x66, w == 64, 0x7E0F, 2, src, kjit_r(dst), 0);
}

/* ---- control ------------------------------------------------------------------------------------ */

/* A jump (opcode short8 with an 8-bit displacement, or the long form
 * long_op of long_len bytes with a 32-bit one) to label l: the short form
 * when l is bound and near enough. */
static void jump(kjit_masm *m, uint8_t short8, uint32_t long_op, int long_len, kjit_label l)
{
    if (kjit_label_bound(m, l)) {
        int64_t d = (int64_t)kjit_label_pos(m, l) - (int64_t)(m->len + 2);
        if (fits8(d)) {
            kjit_emit_u8(m, short8);
            kjit_emit_u8(m, (uint8_t)(int8_t)d);
            return;
        }
    }
    for (int i = 0; i < long_len; i++)
        kjit_emit_u8(m, (uint8_t)(long_op >> (8 * i)));
    uint32_t at = (uint32_t)m->len;
    kjit_emit_u32(m, 0);
    kjit_label_use(m, l, at, at + 4, FIX_REL32);
}

static void jcc_raw(kjit_masm *m, uint8_t code, kjit_label l)
{
    jump(m, (uint8_t)(0x70 | code), 0x800F | ((uint32_t)code << 8), 2, l);
}

void kjit_jmp(kjit_masm *m, kjit_label l) { jump(m, 0xEB, 0xE9, 1, l); }
void kjit_jcc(kjit_masm *m, kjit_cond c, kjit_label l) { jcc_raw(m, cc(c), l); }
void kjit_jmp_reg(kjit_masm *m, kjit_reg r) { enc_rm(m, 0, false, 0xFF, 1, 4, kjit_r(r), 0); }
void kjit_call_reg(kjit_masm *m, kjit_reg r) { enc_rm(m, 0, false, 0xFF, 1, 2, kjit_r(r), 0); }

void kjit_call_label(kjit_masm *m, kjit_label l)
{
    kjit_emit_u8(m, 0xE8);
    uint32_t at = (uint32_t)m->len;
    kjit_emit_u32(m, 0);
    kjit_label_use(m, l, at, at + 4, FIX_REL32);
}

void kjit_call_abs(kjit_masm *m, const void *fn)
{
    mov_ri(m, 64, KJIT_MASM_SCRATCH, (int64_t)(uintptr_t)fn);
    kjit_call_reg(m, KJIT_MASM_SCRATCH);
}

void kjit_ret(kjit_masm *m) { kjit_emit_u8(m, 0xC3); }
void kjit_push(kjit_masm *m, kjit_reg r) { enc_oreg(m, false, 0x50, r); }
void kjit_pop(kjit_masm *m, kjit_reg r) { enc_oreg(m, false, 0x58, r); }

void kjit_lea_label(kjit_masm *m, kjit_reg r, kjit_label l)
{
    /* lea r, [rip + disp32] */
    kjit_emit_u8(m, (uint8_t)(0x48 | ((r & 8) ? REX_R : 0)));
    kjit_emit_u8(m, 0x8D);
    kjit_emit_u8(m, (uint8_t)(((r & 7) << 3) | 5));
    uint32_t at = (uint32_t)m->len;
    kjit_emit_u32(m, 0);
    kjit_label_use(m, l, at, at + 4, FIX_REL32);
}

void kjit_jump_table(kjit_masm *m, kjit_reg index, const kjit_label *targets, uint32_t n)
{
    kjit_label table = kjit_label_new(m);
    kjit_lea_label(m, KJIT_MASM_SCRATCH, table);
    /* movsxd index, [r11 + index*4]; add index, r11; jmp index */
    enc_rm(m, 0, true, 0x63, 1, index, kjit_mx(KJIT_MASM_SCRATCH, index, 4, 0), 0);
    alu2(m, KJIT_ADD, 64, index, kjit_r(KJIT_MASM_SCRATCH));
    kjit_jmp_reg(m, index);
    kjit_align(m, 4);
    kjit_bind(m, table);
    uint32_t base = (uint32_t)m->len;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = (uint32_t)m->len;
        kjit_emit_u32(m, 0);
        kjit_label_use(m, targets[i], at, base, FIX_REL32);
    }
}

/* Pads with the recommended multi-byte no-ops (as assemblers do): padding
 * before a loop header or a function is executed. */
void kjit_align(kjit_masm *m, uint32_t align)
{
    static const uint8_t nops[8][8] = {
        {0x90},
        {0x66, 0x90},
        {0x0F, 0x1F, 0x00},
        {0x0F, 0x1F, 0x40, 0x00},
        {0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };
    while (!m->oom && (m->len & (align - 1)) != 0) {
        size_t n = align - (m->len & (align - 1));
        if (n > 8)
            n = 8;
        kjit_emit_bytes(m, nops[n - 1], n);
    }
}

/* ---- atomics ------------------------------------------------------------------------------- */

/* op8/op: the opcode bytes of the 8-bit and the wider form; `lock`: a
 * lock prefix (xchg with memory is locked without one). */
static void atomic_rm(kjit_masm *m, bool lock, uint32_t op8, uint32_t op, int nop, unsigned w, kjit_opnd mem,
                      kjit_reg r)
{
    if (w == 16)
        kjit_emit_u8(m, 0x66); /* (before the lock prefix, as GNU as orders them) */
    enc_rm(m, lock ? 0xF0 : 0, w == 64, w == 8 ? op8 : op, nop, r, mem, w == 8 ? BYTE_REG : 0);
}

void kjit_atomic_xadd(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r)
{
    atomic_rm(m, true, 0xC00F, 0xC10F, 2, w, mem, r);
}

void kjit_atomic_xchg(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r)
{
    atomic_rm(m, false, 0x86, 0x87, 1, w, mem, r);
}

void kjit_atomic_cmpxchg(kjit_masm *m, unsigned w, kjit_opnd mem, kjit_reg r)
{
    atomic_rm(m, true, 0xB00F, 0xB10F, 2, w, mem, r);
}

void kjit_fence(kjit_masm *m)
{
    static const uint8_t mfence[] = {0x0F, 0xAE, 0xF0};
    kjit_emit_bytes(m, mfence, sizeof mfence);
}

#endif

/* ---- SIMD ------------------------------------------------------------------------------------------ */

/* The SSE encoding of each kjit_vop: prefix, opcode bytes (first in the
 * lowest 8 bits), their count, the cmpps/cmppd predicate (or -1), whether
 * the operation commutes exactly (bit for bit, NaNs included), and whether
 * it is unary (dst = f(b): its VEX form has no second source). */
typedef struct vop_enc {
    uint8_t pfx, nop;
    uint32_t op;
    int8_t pred;
    bool commutes, unary;
} vop_enc;

#define P2(pfx, b, c) {pfx, 2, 0x0F | ((uint32_t)(b) << 8), -1, c, false}
#define P3(b, c) {0x66, 3, 0x380F | ((uint32_t)(b) << 16), -1, c, false}
#define U2(pfx, b) {pfx, 2, 0x0F | ((uint32_t)(b) << 8), -1, false, true}
#define U3(b) {0x66, 3, 0x380F | ((uint32_t)(b) << 16), -1, false, true}
#define PC(pfx, pred, c) {pfx, 2, 0xC20F, pred, c, false}
static const vop_enc g_vop[KJIT_V_COUNT] = {
    [KJIT_V_ADD8] = P2(0x66, 0xFC, true),     [KJIT_V_ADD16] = P2(0x66, 0xFD, true),
    [KJIT_V_ADD32] = P2(0x66, 0xFE, true),    [KJIT_V_ADD64] = P2(0x66, 0xD4, true),
    [KJIT_V_SUB8] = P2(0x66, 0xF8, false),    [KJIT_V_SUB16] = P2(0x66, 0xF9, false),
    [KJIT_V_SUB32] = P2(0x66, 0xFA, false),   [KJIT_V_SUB64] = P2(0x66, 0xFB, false),
    [KJIT_V_MUL16] = P2(0x66, 0xD5, true),    [KJIT_V_MUL32] = P3(0x40, true),
    [KJIT_V_AND] = P2(0x66, 0xDB, true),      [KJIT_V_ANDN] = P2(0x66, 0xDF, false),
    [KJIT_V_OR] = P2(0x66, 0xEB, true),       [KJIT_V_XOR] = P2(0x66, 0xEF, true),
    [KJIT_V_EQ8] = P2(0x66, 0x74, true),      [KJIT_V_EQ16] = P2(0x66, 0x75, true),
    [KJIT_V_EQ32] = P2(0x66, 0x76, true),     [KJIT_V_EQ64] = P3(0x29, true),
    [KJIT_V_GT8S] = P2(0x66, 0x64, false),    [KJIT_V_GT16S] = P2(0x66, 0x65, false),
    [KJIT_V_GT32S] = P2(0x66, 0x66, false),
    [KJIT_V_MIN8S] = P3(0x38, true),          [KJIT_V_MIN8U] = P2(0x66, 0xDA, true),
    [KJIT_V_MIN16S] = P2(0x66, 0xEA, true),   [KJIT_V_MIN16U] = P3(0x3A, true),
    [KJIT_V_MIN32S] = P3(0x39, true),         [KJIT_V_MIN32U] = P3(0x3B, true),
    [KJIT_V_MAX8S] = P3(0x3C, true),          [KJIT_V_MAX8U] = P2(0x66, 0xDE, true),
    [KJIT_V_MAX16S] = P2(0x66, 0xEE, true),   [KJIT_V_MAX16U] = P3(0x3E, true),
    [KJIT_V_MAX32S] = P3(0x3D, true),         [KJIT_V_MAX32U] = P3(0x3F, true),
    [KJIT_V_ADDSAT8S] = P2(0x66, 0xEC, true), [KJIT_V_ADDSAT8U] = P2(0x66, 0xDC, true),
    [KJIT_V_ADDSAT16S] = P2(0x66, 0xED, true), [KJIT_V_ADDSAT16U] = P2(0x66, 0xDD, true),
    [KJIT_V_SUBSAT8S] = P2(0x66, 0xE8, false), [KJIT_V_SUBSAT8U] = P2(0x66, 0xD8, false),
    [KJIT_V_SUBSAT16S] = P2(0x66, 0xE9, false), [KJIT_V_SUBSAT16U] = P2(0x66, 0xD9, false),
    [KJIT_V_AVG8U] = P2(0x66, 0xE0, true),    [KJIT_V_AVG16U] = P2(0x66, 0xE3, true),
    [KJIT_V_FADD32] = P2(0, 0x58, false),     [KJIT_V_FSUB32] = P2(0, 0x5C, false),
    [KJIT_V_FMUL32] = P2(0, 0x59, false),     [KJIT_V_FDIV32] = P2(0, 0x5E, false),
    [KJIT_V_FMIN32] = P2(0, 0x5D, false),     [KJIT_V_FMAX32] = P2(0, 0x5F, false),
    [KJIT_V_FADD64] = P2(0x66, 0x58, false),  [KJIT_V_FSUB64] = P2(0x66, 0x5C, false),
    [KJIT_V_FMUL64] = P2(0x66, 0x59, false),  [KJIT_V_FDIV64] = P2(0x66, 0x5E, false),
    [KJIT_V_FMIN64] = P2(0x66, 0x5D, false),  [KJIT_V_FMAX64] = P2(0x66, 0x5F, false),
    [KJIT_V_FEQ32] = PC(0, 0, true),          [KJIT_V_FLT32] = PC(0, 1, false),
    [KJIT_V_FLE32] = PC(0, 2, false),         [KJIT_V_FUNORD32] = PC(0, 3, true),
    [KJIT_V_FNE32] = PC(0, 4, true),
    [KJIT_V_FEQ64] = PC(0x66, 0, true),       [KJIT_V_FLT64] = PC(0x66, 1, false),
    [KJIT_V_FLE64] = PC(0x66, 2, false),      [KJIT_V_FUNORD64] = PC(0x66, 3, true),
    [KJIT_V_FNE64] = PC(0x66, 4, true),
    [KJIT_V_SHUFB] = P3(0x00, false),
    [KJIT_V_UNPACKLO64] = P2(0x66, 0x6C, false),
    [KJIT_V_SLL16] = P2(0x66, 0xF1, false),   [KJIT_V_SLL32] = P2(0x66, 0xF2, false),
    [KJIT_V_SLL64] = P2(0x66, 0xF3, false),   [KJIT_V_SRL16] = P2(0x66, 0xD1, false),
    [KJIT_V_SRL32] = P2(0x66, 0xD2, false),   [KJIT_V_SRL64] = P2(0x66, 0xD3, false),
    [KJIT_V_SRA16] = P2(0x66, 0xE1, false),   [KJIT_V_SRA32] = P2(0x66, 0xE2, false),
    [KJIT_V_PACKSS16] = P2(0x66, 0x63, false), [KJIT_V_PACKUS16] = P2(0x66, 0x67, false),
    [KJIT_V_PACKSS32] = P2(0x66, 0x6B, false), [KJIT_V_PACKUS32] = P3(0x2B, false),
    [KJIT_V_MADD16] = P2(0x66, 0xF5, true),
    [KJIT_V_UNPACKHI8] = P2(0x66, 0x68, false), [KJIT_V_UNPACKHI16] = P2(0x66, 0x69, false),
    [KJIT_V_UNPACKHI32] = P2(0x66, 0x6A, false),
    [KJIT_V_ABS8] = U3(0x1C),          [KJIT_V_ABS16] = U3(0x1D),
    [KJIT_V_ABS32] = U3(0x1E),
    [KJIT_V_EXT8S16] = U3(0x20),       [KJIT_V_EXT8U16] = U3(0x30),
    [KJIT_V_EXT16S32] = U3(0x23),      [KJIT_V_EXT16U32] = U3(0x33),
    [KJIT_V_EXT32S64] = U3(0x25),      [KJIT_V_EXT32U64] = U3(0x35),
    [KJIT_V_CVT_I32_F32] = U2(0, 0x5B), [KJIT_V_CVT_I32_F64] = U2(0xF3, 0xE6),
    [KJIT_V_CVT_F32_F64] = U2(0, 0x5A), [KJIT_V_CVT_F64_F32] = U2(0x66, 0x5A),
    [KJIT_V_FSQRT32] = U2(0, 0x51),    [KJIT_V_FSQRT64] = U2(0x66, 0x51),
    [KJIT_V_LOAD32] = U2(0x66, 0x6E),  [KJIT_V_LOAD64] = U2(0xF3, 0x7E),
    [KJIT_V_MULHI16S] = P2(0x66, 0xE5, true), [KJIT_V_MULHI16U] = P2(0x66, 0xE4, true),
    [KJIT_V_MULU32] = P2(0x66, 0xF4, true),   [KJIT_V_MULS32] = P3(0x28, true),
    [KJIT_V_UNPACKLO16] = P2(0x66, 0x61, false),
    [KJIT_V_MULHRS16] = P3(0x0B, true),       [KJIT_V_MADDUBS] = P3(0x04, false),
    [KJIT_V_GT64S] = P3(0x37, false),
    [KJIT_V_CVTT_F32_I32] = U2(0xF3, 0x5B), [KJIT_V_CVTT_F64_I32] = U2(0x66, 0xE6),
};
#undef P2
#undef P3
#undef U2
#undef U3
#undef PC

void kjit_vop_mem(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_opnd src)
{
    const vop_enc *e = &g_vop[op];
    enc_rm(m, e->pfx, false, e->op, e->nop, dst, src, 0);
    if (e->pred >= 0)
        kjit_emit_u8(m, (uint8_t)e->pred);
}

static void vop2(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_reg src) { kjit_vop_mem(m, op, dst, kjit_r(src)); }

void kjit_vround(kjit_masm *m, unsigned p, kjit_fround_mode mode, kjit_reg dst, kjit_reg src)
{
    /* roundps/roundpd; imm bit 3 suppresses the inexact exception */
    enc_rm(m, 0x66, false, p == 64 ? 0x093A0F : 0x083A0F, 3, dst, kjit_r(src), 0);
    kjit_emit_u8(m, (uint8_t)(mode | 8));
}

void kjit_vtest(kjit_masm *m, kjit_reg a, kjit_reg b)
{
    enc_rm(m, 0x66, false, 0x17380F, 3, a, kjit_r(b), 0); /* ptest */
}

void kjit_vmovmsk(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src)
{
    if (w == 8)
        enc_rm(m, 0x66, false, 0xD70F, 2, dst, kjit_r(src), 0); /* pmovmskb */
    else
        enc_rm(m, w == 64 ? 0x66 : 0, false, 0x500F, 2, dst, kjit_r(src), 0); /* movmskps/pd */
}

void kjit_vmov(kjit_masm *m, kjit_opnd dst, kjit_opnd src)
{
    if (dst.kind == KJIT_O_REG && src.kind == KJIT_O_REG)
        fmov_rr(m, dst.reg, src.reg);
    else if (dst.kind == KJIT_O_REG)
        enc_rm(m, 0xF3, false, 0x6F0F, 2, dst.reg, src, 0); /* movdqu xmm, m128 */
    else
        enc_rm(m, 0xF3, false, 0x7F0F, 2, src.reg, dst, 0); /* movdqu m128, xmm */
}

void kjit_vbin(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_reg a, kjit_reg b)
{
    if (m->cpu & KJIT_CPU_AVX) {
        /* three operands: no copy, whichever registers alias */
        const vop_enc *e = &g_vop[op];
        enc_vex(m, e->pfx, e->op, e->nop, dst, e->unary ? KJIT_NOREG : a, kjit_r(b));
        if (e->pred >= 0)
            kjit_emit_u8(m, (uint8_t)e->pred);
        return;
    }
    if (dst == a) {
        vop2(m, op, dst, b);
        return;
    }
    if (b == dst) {
        if (g_vop[op].commutes) {
            vop2(m, op, dst, a);
            return;
        }
        fmov_rr(m, KJIT_MASM_FSCRATCH, b);
        b = KJIT_MASM_FSCRATCH;
    }
    fmov_rr(m, dst, a);
    vop2(m, op, dst, b);
}

void kjit_vshift(kjit_masm *m, kjit_vshift_op op, kjit_reg dst, unsigned count)
{
    static const uint8_t opc[] = {[KJIT_VSHL16] = 0x71, [KJIT_VSHL32] = 0x72, [KJIT_VSHL64] = 0x73,
                                  [KJIT_VSHR16] = 0x71, [KJIT_VSHR32] = 0x72, [KJIT_VSHR64] = 0x73,
                                  [KJIT_VSAR16] = 0x71, [KJIT_VSAR32] = 0x72};
    static const uint8_t digit[] = {[KJIT_VSHL16] = 6, [KJIT_VSHL32] = 6, [KJIT_VSHL64] = 6,
                                    [KJIT_VSHR16] = 2, [KJIT_VSHR32] = 2, [KJIT_VSHR64] = 2,
                                    [KJIT_VSAR16] = 4, [KJIT_VSAR32] = 4};
    enc_rm(m, 0x66, false, 0x0F | ((uint32_t)opc[op] << 8), 2, digit[op], kjit_r(dst), 0);
    kjit_emit_u8(m, (uint8_t)count);
}

void kjit_vshuf32(kjit_masm *m, kjit_reg dst, kjit_reg src, uint8_t sel)
{
    enc_rm(m, 0x66, false, 0x700F, 2, dst, kjit_r(src), 0); /* pshufd */
    kjit_emit_u8(m, sel);
}

/* An instruction with operand [rip + disp32] referring to label l:
 * prefix, opcode bytes, ModRM reg field `reg`, `imm` immediate bytes after. */
static void enc_rip(kjit_masm *m, uint8_t pfx, uint32_t op, int nop, unsigned reg, kjit_label l, int imm)
{
    if (pfx)
        kjit_emit_u8(m, pfx);
    if (reg & 8)
        kjit_emit_u8(m, (uint8_t)(0x40 | REX_R));
    for (int i = 0; i < nop; i++)
        kjit_emit_u8(m, (uint8_t)(op >> (8 * i)));
    kjit_emit_u8(m, (uint8_t)(((reg & 7) << 3) | 5));
    uint32_t at = (uint32_t)m->len;
    kjit_emit_u32(m, 0);
    kjit_label_use(m, l, at, at + 4 + (uint32_t)imm, FIX_REL32);
}

void kjit_vload_label(kjit_masm *m, kjit_reg dst, kjit_label l)
{
    enc_rip(m, 0xF3, 0x6F0F, 2, dst, l, 0); /* movdqu xmm, [rip + disp32] */
}

void kjit_vbin_label(kjit_masm *m, kjit_vop op, kjit_reg dst, kjit_label l)
{
    const vop_enc *e = &g_vop[op];
    enc_rip(m, e->pfx, e->op, e->nop, dst, l, e->pred >= 0 ? 1 : 0);
    if (e->pred >= 0)
        kjit_emit_u8(m, (uint8_t)e->pred);
}

void kjit_vextract(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src, unsigned lane)
{
    switch (w) {
    case 8: enc_rm(m, 0x66, false, 0x143A0F, 3, src, kjit_r(dst), 0); break; /* pextrb */
    case 16: enc_rm(m, 0x66, false, 0xC50F, 2, dst, kjit_r(src), 0); break;  /* pextrw */
    default:
        if (lane == 0) {
            kjit_mov_f2i(m, w, dst, src);
            return;
        }
        enc_rm(m, 0x66, w == 64, 0x163A0F, 3, src, kjit_r(dst), 0); /* pextrd/q */
        break;
    }
    kjit_emit_u8(m, (uint8_t)lane);
}

void kjit_vinsert(kjit_masm *m, unsigned w, kjit_reg dst, kjit_reg src, unsigned lane)
{
    switch (w) {
    case 8: enc_rm(m, 0x66, false, 0x203A0F, 3, dst, kjit_r(src), 0); break;  /* pinsrb */
    case 16: enc_rm(m, 0x66, false, 0xC40F, 2, dst, kjit_r(src), 0); break;   /* pinsrw */
    default: enc_rm(m, 0x66, w == 64, 0x223A0F, 3, dst, kjit_r(src), 0); break; /* pinsrd/q */
    }
    kjit_emit_u8(m, (uint8_t)lane);
}
