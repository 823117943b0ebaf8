#!/usr/bin/env python3
"""Generates jit_x64_cases.h: macro-assembler calls with the bytes GNU as
makes of the same instructions, for test_jit_x64_encode.c.

Each case is a C statement over `m` (a kjit_masm) and the Intel-syntax
assembly it must produce. The expected bytes come from assembling every
case once with `as` (binutils), between labels, and reading the object
back with objcopy and nm; they are committed, so the test itself needs no
binutils. Rerun after changing the encoder or adding cases:

    python3 tests/unit/jit_x64_cases.py > tests/unit/jit_x64_cases.h

The expected assembly mirrors the instruction selection of
src/jit/x64/masm_x64.c (which moves a three-address operation needs, which
short forms it picks); the bytes of each instruction are GNU as's.
"""
import os
import subprocess
import sys
import tempfile

G64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] + ['r%d' % i for i in range(8, 16)]
G32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] + ['r%dd' % i for i in range(8, 16)]
G16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] + ['r%dw' % i for i in range(8, 16)]
G8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'] + ['r%db' % i for i in range(8, 16)]
CG = ['KJIT_RAX', 'KJIT_RCX', 'KJIT_RDX', 'KJIT_RBX', 'KJIT_RSP', 'KJIT_RBP', 'KJIT_RSI', 'KJIT_RDI'] + \
     ['KJIT_R%d' % i for i in range(8, 16)]
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 = range(16)
SCRATCH = R11
FSCRATCH = 15

cases = []


def case(asm, c, cpu='ALL'):
    cases.append((cpu, asm, c))


def R(w, r):
    return {64: G64, 32: G32, 16: G16, 8: G8}[w][r]


def hx(v):
    return ('-0x%x' % -v) if v < 0 else ('0x%x' % v)


# ---- memory operands -----------------------------------------------------------------

class Mem:
    def __init__(self, base, disp=0, index=None, scale=1):
        self.base, self.disp, self.index, self.scale = base, disp, index, scale

    def asm(self, size=None):
        s = G64[self.base]
        if self.index is not None:
            s += '+%s*%d' % (G64[self.index], self.scale)
        if self.disp:
            s += ('+' if self.disp > 0 else '-') + '0x%x' % abs(self.disp)
        pfx = {8: 'byte ptr ', 16: 'word ptr ', 32: 'dword ptr ', 64: 'qword ptr ', None: ''}[size]
        return '%s[%s]' % (pfx, s)

    def c(self):
        if self.index is None:
            return 'kjit_m(%s, %d)' % (CG[self.base], self.disp)
        return 'kjit_mx(%s, %s, %d, %d)' % (CG[self.base], CG[self.index], self.scale, self.disp)


ALL_MEMS = [Mem(b, d) for b in range(16) for d in (0, 8, -8, 127, -128, 128, -129, 0x12345678)] + \
    [Mem(b, d, i, s) for b in (RAX, RSP, RBP, R12, R13, R15) for i in (RCX, RBP, R12, R13, R15)
     for s in (1, 2, 4, 8) for d in (0, 8, 0x1000)]
MEMS = [Mem(RBX, 8), Mem(R14, 0, RAX, 1), Mem(RSP, 0), Mem(R13, 0), Mem(R12, -0x100, R9, 8),
        Mem(RBP, 0x12345), Mem(RDI, 0, R15, 4)]


def creg(r):
    return 'kjit_r(%s)' % CG[r]


def cimm(v):
    return 'kjit_i(%sLL)' % v if v >= 0 else 'kjit_i(-%sLL)' % -v


# ---- moves --------------------------------------------------------------------------------

def fits8(v):
    return -128 <= v <= 127


def fits32(v):
    return -2**31 <= v < 2**31


def s32(v):
    v &= 0xffffffff
    return v - 2**32 if v >= 2**31 else v


def mov_ri_asm(w, d, v):
    if w != 64:
        v &= 0xffffffff
    if 0 <= v <= 0xffffffff:
        return 'mov %s, %s' % (G32[d], hx(v))
    if fits32(v):
        return 'mov %s, %s' % (G64[d], hx(v))
    return 'movabs %s, %s' % (G64[d], hx(v & 0xffffffffffffffff))


def mov_if(w, d, a):
    return [] if d == a else ['mov %s, %s' % (R(64 if w == 64 else 32, d), R(64 if w == 64 else 32, a))]


for d in range(16):
    for s in range(16):
        if d != s:
            case('mov %s, %s' % (G64[d], G64[s]), 'kjit_mov(m, 64, %s, %s)' % (creg(d), creg(s)))
        case('mov %s, %s' % (G32[d], G32[s]), 'kjit_mov(m, 32, %s, %s)' % (creg(d), creg(s)))
case('', 'kjit_mov(m, 64, kjit_r(KJIT_RAX), kjit_r(KJIT_RAX))')
IMMS = [0, 1, 127, 128, -1, -128, 0x7fffffff, 0x80000000, 0xffffffff, -0x80000000, -0x80000001,
        0x100000000, 0x123456789abcdef0, -0x123456789abcdef0]
for d in (RAX, RCX, RSP, R8, R11, R15):
    for v in IMMS:
        case(mov_ri_asm(64, d, v), 'kjit_mov(m, 64, %s, %s)' % (creg(d), cimm(v)))
        case(mov_ri_asm(32, d, v), 'kjit_mov(m, 32, %s, %s)' % (creg(d), cimm(v)))
for mem in ALL_MEMS:
    case('mov rax, %s' % mem.asm(64), 'kjit_mov(m, 64, kjit_r(KJIT_RAX), %s)' % mem.c())
for d in (RAX, RCX, RSP, RBP, RSI, RDI, R8, R12, R13, R15):
    for mem in MEMS:
        case('mov %s, %s' % (G64[d], mem.asm(64)), 'kjit_mov(m, 64, %s, %s)' % (creg(d), mem.c()))
        case('mov %s, %s' % (G32[d], mem.asm(32)), 'kjit_mov(m, 32, %s, %s)' % (creg(d), mem.c()))
        for w in (8, 16, 32, 64):
            case('mov %s, %s' % (mem.asm(w), R(w, d)), 'kjit_mov(m, %d, %s, %s)' % (w, mem.c(), creg(d)))
for mem in MEMS:
    for w, vals in ((8, (0, 0x7f, 0xff)), (16, (0, 0x1234, 0xffff)), (32, (0, 5, -1, 0x12345678)),
                    (64, (0, -1, 0x7fffffff, -0x80000000))):
        for v in vals:
            case('mov %s, %s' % (mem.asm(w), hx(v)), 'kjit_mov(m, %d, %s, %s)' % (w, mem.c(), cimm(v)))
    case('movabs r11, 0x123456789; mov %s, r11' % mem.asm(64),
         'kjit_mov(m, 64, %s, %s)' % (mem.c(), cimm(0x123456789)))

LOADS = [('KJIT_L8U', 'movzx', 32, 8), ('KJIT_L8S32', 'movsx', 32, 8), ('KJIT_L8S64', 'movsx', 64, 8),
         ('KJIT_L16U', 'movzx', 32, 16), ('KJIT_L16S32', 'movsx', 32, 16), ('KJIT_L16S64', 'movsx', 64, 16),
         ('KJIT_L32U', 'mov', 32, 32), ('KJIT_L32S64', 'movsxd', 64, 32), ('KJIT_L64', 'mov', 64, 64)]
for kind, ins, w, mw in LOADS:
    for d in (RAX, RCX, RSP, RBP, RSI, RDI, R8, R12, R13, R15):
        for mem in MEMS[:3]:
            case('%s %s, %s' % (ins, R(w, d), mem.asm(mw)), 'kjit_load(m, %s, %s, %s)' % (kind, CG[d], mem.c()))
for d in (RAX, R9, RSP, R13):
    for mem in MEMS:
        for w in (32, 64):
            case('lea %s, %s' % (R(w, d), mem.asm()), 'kjit_lea(m, %d, %s, %s)' % (w, CG[d], mem.c()))

# ---- integer arithmetic ------------------------------------------------------------------------

ALU = {'KJIT_ADD': 'add', 'KJIT_SUB': 'sub', 'KJIT_AND': 'and', 'KJIT_OR': 'or', 'KJIT_XOR': 'xor',
       'KJIT_MUL': 'imul'}


def opnd_c(b):
    k, v = b
    return creg(v) if k == 'r' else cimm(v) if k == 'i' else v.c()


def alu2_asm(op, w, d, b):
    k, v = b
    name = ALU[op]
    if k == 'i':
        x = v
        if w != 64:
            x = s32(x)
        elif not fits32(x):
            return [mov_ri_asm(64, SCRATCH, x), '%s %s, %s' % (name, R(w, d), R(w, SCRATCH))]
        if op == 'KJIT_MUL':
            return ['imul %s, %s, %s' % (R(w, d), R(w, d), hx(x))]
        return ['%s %s, %s' % (name, R(w, d), hx(x))]
    if k == 'r':
        return ['%s %s, %s' % (name, R(w, d), R(w, v))]
    return ['%s %s, %s' % (name, R(w, d), v.asm(w))]


def alu_asm(op, w, d, a, b):
    k, v = b
    if d == a:
        return alu2_asm(op, w, d, b)
    if k == 'r' and v == d:
        if op != 'KJIT_SUB':
            return alu2_asm(op, w, d, ('r', a))
        return ['neg %s' % R(w, d)] + alu2_asm('KJIT_ADD', w, d, ('r', a))
    if k == 'm' and (v.base == d or v.index == d):
        return ['mov r11, %s' % G64[a]] + alu2_asm(op, w, SCRATCH, b) + ['mov %s, r11' % G64[d]]
    if op == 'KJIT_ADD' and k == 'r':
        return ['lea %s, %s' % (R(w, d), Mem(a, 0, v, 1).asm())]
    if k == 'i':
        x = s32(v) if w != 64 else v
        if op == 'KJIT_ADD' and fits32(x):
            return ['lea %s, %s' % (R(w, d), Mem(a, x).asm())]
        if op == 'KJIT_MUL' and fits32(x):
            return ['imul %s, %s, %s' % (R(w, d), R(w, a), hx(x))]
    return mov_if(w, d, a) + alu2_asm(op, w, d, b)


for op in ALU:
    for w in (32, 64):
        bs = [('r', RCX), ('r', R9), ('r', RAX), ('i', 1), ('i', -1), ('i', 127), ('i', 128), ('i', 0x12345678),
              ('i', 0x80000000), ('i', 0x123456789), ('m', Mem(RBX, 16)), ('m', Mem(RAX, 8)),
              ('m', Mem(R14, 0, RAX, 1))]
        for d, a in ((RAX, RAX), (R10, R10), (RAX, RDX), (R13, RSI), (RCX, RAX), (RAX, R12)):
            for b in bs:
                case('; '.join(alu_asm(op, w, d, a, b)),
                     'kjit_alu(m, %s, %d, %s, %s, %s)' % (op, w, CG[d], CG[a], opnd_c(b)))
for op in ('KJIT_ADD', 'KJIT_SUB', 'KJIT_AND', 'KJIT_OR', 'KJIT_XOR'):
    for w in (32, 64):
        for mem in MEMS[:3]:
            for b in (('r', RCX), ('r', R13), ('i', 1), ('i', 1000)):
                ins = ALU[op]
                asm = '%s %s, %s' % (ins, mem.asm(w), R(w, b[1]) if b[0] == 'r' else hx(b[1]))
                case(asm, 'kjit_alu_mem(m, %s, %d, %s, %s)' % (op, w, mem.c(), opnd_c(b)))
        case('mov r11, 0x123456789; %s %s, r11' % (ALU[op], MEMS[0].asm(64)) if w == 64 else
             '%s %s, 0x23456789' % (ALU[op], MEMS[0].asm(32)),
             'kjit_alu_mem(m, %s, %d, %s, %s)' % (op, w, MEMS[0].c(), cimm(0x123456789)))
for w in (32, 64):
    for a in (RAX, RCX, R12):
        for b in (('r', RDX), ('r', R15), ('i', 0), ('i', -5), ('i', 1000), ('m', Mem(RBX, 24))):
            if b[0] == 'r':
                asm = 'cmp %s, %s' % (R(w, a), R(w, b[1]))
            elif b[0] == 'i':
                asm = 'cmp %s, %s' % (R(w, a), hx(b[1]))
            else:
                asm = 'cmp %s, %s' % (R(w, a), b[1].asm(w))
            case(asm, 'kjit_cmp(m, %d, %s, %s)' % (w, CG[a], opnd_c(b)))
            if b[0] == 'r':
                case('test %s, %s' % (R(w, a), R(w, b[1])), 'kjit_test(m, %d, %s, %s)' % (w, CG[a], opnd_c(b)))
            elif b[0] == 'i':
                case('test %s, %s' % (R(w, a), hx(b[1])), 'kjit_test(m, %d, %s, %s)' % (w, CG[a], opnd_c(b)))
    case('mov r11, 0x123456789; cmp rax, r11' if w == 64 else 'cmp eax, 0x23456789',
         'kjit_cmp(m, %d, KJIT_RAX, %s)' % (w, cimm(0x123456789)))
    for mem in MEMS[:3]:
        case('cmp %s, ecx' % mem.asm(32) if w == 32 else 'cmp %s, rcx' % mem.asm(64),
             'kjit_cmp_mem(m, %d, %s, kjit_r(KJIT_RCX))' % (w, mem.c()))
        case('cmp %s, 7' % mem.asm(w), 'kjit_cmp_mem(m, %d, %s, kjit_i(7))' % (w, mem.c()))

CONDS = [('KJIT_EQ', 'e'), ('KJIT_NE', 'ne'), ('KJIT_LT_S', 'l'), ('KJIT_LE_S', 'le'), ('KJIT_GT_S', 'g'),
         ('KJIT_GE_S', 'ge'), ('KJIT_LT_U', 'b'), ('KJIT_LE_U', 'be'), ('KJIT_GT_U', 'a'), ('KJIT_GE_U', 'ae')]
for cnd, x in CONDS:
    for d in (RAX, RSI, RDI, R8, R15, RSP):
        case('set%s %s; movzx %s, %s' % (x, G8[d], G32[d], G8[d]), 'kjit_setcc(m, %s, %s)' % (cnd, CG[d]))
    for w in (32, 64):
        case('cmov%s %s, %s' % (x, R(w, RAX), R(w, R9)), 'kjit_cmov(m, %s, %d, KJIT_RAX, kjit_r(KJIT_R9))' % (cnd, w))
        case('cmov%s %s, %s' % (x, R(w, R12), MEMS[1].asm(w)),
             'kjit_cmov(m, %s, %d, KJIT_R12, %s)' % (cnd, w, MEMS[1].c()))

SHIFTS = {'KJIT_SHL': 'shl', 'KJIT_SHR': 'shr', 'KJIT_SAR': 'sar', 'KJIT_ROL': 'rol', 'KJIT_ROR': 'ror'}


def shift_asm(op, w, d, a, b):
    name = SHIFTS[op]
    k, v = b
    if k == 'i':
        n = v & (w - 1)
        out = mov_if(w, d, a)
        if n == 0:
            return out
        return out + ['%s %s, %d' % (name, R(w, d), n)]
    if v == RCX and d != RCX:
        return mov_if(w, d, a) + ['%s %s, cl' % (name, R(w, d))]
    out = ['mov r11, %s' % G64[a]]
    if v != RCX:
        out.append('mov ecx, %s' % G32[v])
    return out + ['%s %s, cl' % (name, R(w, SCRATCH))] + mov_if(w, d, SCRATCH)


for op in SHIFTS:
    for w in (32, 64):
        for d, a, b in ((RAX, RAX, ('i', 3)), (RAX, RDX, ('i', 1)), (R9, R9, ('i', 0)), (R9, R8, ('i', 0)),
                        (RSI, RSI, ('i', 65)), (RAX, RAX, ('r', RCX)), (RDX, RAX, ('r', RCX)),
                        (RCX, RAX, ('r', RCX)), (RAX, RAX, ('r', RDX)), (RCX, RCX, ('r', RDX)),
                        (R13, RDI, ('r', R8))):
            case('; '.join(shift_asm(op, w, d, a, b)),
                 'kjit_shift(m, %s, %d, %s, %s, %s)' % (op, w, CG[d], CG[a], opnd_c(b)))

for w in (32, 64):
    for d, a in ((RAX, RAX), (RAX, RCX), (R9, R13), (RSI, RDI)):
        c = lambda op: 'kjit_unop(m, %s, %d, %s, %s)' % (op, w, CG[d], CG[a])
        case('; '.join(mov_if(w, d, a) + ['neg %s' % R(w, d)]), c('KJIT_NEG'))
        case('; '.join(mov_if(w, d, a) + ['not %s' % R(w, d)]), c('KJIT_NOT'))
        case('lzcnt %s, %s' % (R(w, d), R(w, a)), c('KJIT_CLZ'))
        case('bsr %s, %s; jne 1f; mov r11, -1; 1: mov %s, %d; sub %s, %s' %
             (R(w, SCRATCH), R(w, a), G32[d], w - 1, R(w, d), R(w, SCRATCH)), c('KJIT_CLZ'), cpu='0')
        case('tzcnt %s, %s' % (R(w, d), R(w, a)), c('KJIT_CTZ'))
        case('bsf %s, %s; jne 1f; mov r11d, %d; 1: mov %s, r11' % (R(w, SCRATCH), R(w, a), w, G64[d]),
             c('KJIT_CTZ'), cpu='0')
        case('popcnt %s, %s' % (R(w, d), R(w, a)), c('KJIT_POPCNT'))
        case('movsx %s, %s' % (R(w, d), G8[a]), c('KJIT_EXT8S'))
        case('movsx %s, %s' % (R(w, d), G16[a]), c('KJIT_EXT16S'))
        case('movzx %s, %s' % (G32[d], G8[a]), c('KJIT_EXT8U'))
        case('movzx %s, %s' % (G32[d], G16[a]), c('KJIT_EXT16U'))
        if w == 64:
            case('movsxd %s, %s' % (G64[d], G32[a]), c('KJIT_EXT32S'))

DIVS = {'KJIT_DIVS': (True, RAX), 'KJIT_DIVU': (False, RAX), 'KJIT_REMS': (True, RDX), 'KJIT_REMU': (False, RDX)}
for op, (sgn, res) in DIVS.items():
    for w in (32, 64):
        for d, a, b in ((RAX, RAX, RCX), (RCX, RAX, RDX), (RDX, RCX, RAX), (R9, R10, R13)):
            out = []
            bb = b
            if b in (RAX, RDX):
                out.append('mov r11, %s' % G64[b])
                bb = SCRATCH
            out += mov_if(w, RAX, a)
            out.append(('cqo' if w == 64 else 'cdq') if sgn else 'xor edx, edx')
            out.append('%s %s' % ('idiv' if sgn else 'div', R(w, bb)))
            out += mov_if(w, d, res)
            case('; '.join(out), 'kjit_div(m, %s, %d, %s, %s, %s)' % (op, w, CG[d], CG[a], CG[b]))

# ---- floating point ---------------------------------------------------------------------------

def X(r):
    return 'xmm%d' % r


def CX(r):
    return 'KJIT_X%d' % r


def fsuf(p):
    return 'ss' if p == 32 else 'sd'


def fmov_rr(d, s):
    return [] if d == s else ['movaps %s, %s' % (X(d), X(s))]


for p in (32, 64):
    for d, s in ((0, 1), (3, 3), (8, 2), (15, 9), (1, 12)):
        case('; '.join(fmov_rr(d, s)), 'kjit_fmov(m, %d, kjit_r(%s), kjit_r(%s))' % (p, CX(d), CX(s)))
    for r in (0, 7, 8, 15):
        for mem in MEMS:
            case('mov%s %s, %s' % (fsuf(p), X(r), mem.asm(p)), 'kjit_fmov(m, %d, kjit_r(%s), %s)' % (p, CX(r), mem.c()))
            case('mov%s %s, %s' % (fsuf(p), mem.asm(p), X(r)), 'kjit_fmov(m, %d, %s, kjit_r(%s))' % (p, mem.c(), CX(r)))

FOPS = [('KJIT_FADD', 'add', True), ('KJIT_FSUB', 'sub', False), ('KJIT_FMUL', 'mul', True),
        ('KJIT_FDIV', 'div', False), ('KJIT_FMIN_RAW', 'min', False), ('KJIT_FMAX_RAW', 'max', False),
        ('KJIT_FAND', 'and', True), ('KJIT_FOR', 'or', True), ('KJIT_FXOR', 'xor', True),
        ('KJIT_FANDN', 'andn', False)]


def fop2(op, name, p, d, b):
    bitwise = op in ('KJIT_FAND', 'KJIT_FOR', 'KJIT_FXOR', 'KJIT_FANDN')
    k, v = b
    if not bitwise:
        return ['%s%s %s, %s' % (name, fsuf(p), X(d), X(v) if k == 'r' else v.asm(p))]
    out = []
    if k == 'm':
        out.append('mov%s xmm15, %s' % (fsuf(p), v.asm(p)))
        v = FSCRATCH
    return out + ['%s%s %s, %s' % (name, 'ps' if p == 32 else 'pd', X(d), X(v))]


for op, name, comm in FOPS:
    for p in (32, 64):
        for d, a, b in ((0, 0, ('r', 1)), (0, 1, ('r', 2)), (2, 1, ('r', 2)), (9, 14, ('r', 9)),
                        (0, 0, ('m', Mem(RBX, 8))), (3, 4, ('m', Mem(R14, 0, RAX, 1)))):
            if d == a:
                out = fop2(op, name, p, d, b)
            elif b[0] == 'r' and b[1] == d:
                if comm:
                    out = fop2(op, name, p, d, ('r', a))
                else:
                    out = ['movaps xmm15, %s' % X(b[1])] + fmov_rr(d, a) + fop2(op, name, p, d, ('r', FSCRATCH))
            else:
                out = fmov_rr(d, a) + fop2(op, name, p, d, b)
            bc = 'kjit_r(%s)' % CX(b[1]) if b[0] == 'r' else b[1].c()
            case('; '.join(out), 'kjit_fbin(m, %s, %d, %s, %s, %s)' % (op, p, CX(d), CX(a), bc))
for p in (32, 64):
    for d, s in ((0, 1), (13, 13)):
        case('sqrt%s %s, %s' % (fsuf(p), X(d), X(s)), 'kjit_fsqrt(m, %d, %s, kjit_r(%s))' % (p, CX(d), CX(s)))
    case('sqrt%s xmm1, %s' % (fsuf(p), MEMS[0].asm(p)), 'kjit_fsqrt(m, %d, KJIT_X1, %s)' % (p, MEMS[0].c()))
    for mode, imm in (('KJIT_ROUND_NEAREST', 8), ('KJIT_ROUND_FLOOR', 9), ('KJIT_ROUND_CEIL', 10),
                      ('KJIT_ROUND_TRUNC', 11)):
        for d, s in ((0, 1), (9, 12)):
            case('round%s %s, %s, %d' % (fsuf(p), X(d), X(s), imm),
                 'kjit_fround(m, %d, %s, %s, %s)' % (p, mode, CX(d), CX(s)))

FCONDS = ['KJIT_FEQ', 'KJIT_FNE', 'KJIT_FLT', 'KJIT_FLE', 'KJIT_FGT', 'KJIT_FGE']


def fcompare(p, cnd, a, b):
    ucom = 'ucomis' + ('s' if p == 32 else 'd')
    if cnd in ('KJIT_FLT', 'KJIT_FLE'):
        out = []
        if b[0] == 'r':
            rb = b[1]
        else:
            out.append('mov%s xmm15, %s' % (fsuf(p), b[1].asm(p)))
            rb = FSCRATCH
        return out + ['%s %s, %s' % (ucom, X(rb), X(a))], 'KJIT_FGT' if cnd == 'KJIT_FLT' else 'KJIT_FGE'
    return ['%s %s, %s' % (ucom, X(a), X(b[1]) if b[0] == 'r' else b[1].asm(p))], cnd


for p in (32, 64):
    for cnd in FCONDS:
        for d, a, b in ((RAX, 0, ('r', 1)), (RSI, 9, ('r', 3)), (R12, 2, ('m', Mem(RBX, 40)))):
            out, c2 = fcompare(p, cnd, a, b)
            if c2 in ('KJIT_FEQ', 'KJIT_FNE'):
                e = c2 == 'KJIT_FEQ'
                out += ['set%s %s' % ('e' if e else 'ne', G8[d]), 'set%s r11b' % ('np' if e else 'p'),
                        '%s %s, r11b' % ('and' if e else 'or', G8[d])]
            else:
                out += ['set%s %s' % ('a' if c2 == 'KJIT_FGT' else 'ae', G8[d])]
            out.append('movzx %s, %s' % (G32[d], G8[d]))
            bc = 'kjit_r(%s)' % CX(b[1]) if b[0] == 'r' else b[1].c()
            case('; '.join(out), 'kjit_fcmp_set(m, %d, %s, %s, %s, %s)' % (p, cnd, CG[d], CX(a), bc))
            for when in (True, False):
                out, c2 = fcompare(p, cnd, a, b)
                if c2 == 'KJIT_FNE':
                    c2, w2 = 'KJIT_FEQ', not when
                else:
                    w2 = when
                if c2 == 'KJIT_FEQ':
                    out += ['jp 2f', '{disp32} je 1f', '2:'] if w2 else ['{disp32} jp 1f', '{disp32} jne 1f']
                elif c2 == 'KJIT_FGT':
                    out += ['{disp32} j%s 1f' % ('a' if w2 else 'be')]
                else:
                    out += ['{disp32} j%s 1f' % ('ae' if w2 else 'b')]
                out.append('1:')
                case('; '.join(out), '{ kjit_label l = kjit_label_new(m); kjit_fcmp_jump(m, %d, %s, %s, %s, %s, l); '
                     'kjit_bind(m, l); }' % (p, cnd, CX(a), bc, 'true' if when else 'false'))

for p in (32, 64):
    cvt = 'cvtsi2s' + ('s' if p == 32 else 'd')
    for w in (32, 64):
        for d, s in ((0, RAX), (9, R13)):
            xz = 'xorps %s, %s' % (X(d), X(d))
            case('%s; %s %s, %s' % (xz, cvt, X(d), R(w, s)), 'kjit_cvt_i2f(m, %d, %d, true, %s, %s)' % (p, w, CX(d), CG[s]))
            if w == 32:
                asm = '%s; mov r11d, %s; %s %s, r11' % (xz, G32[s], cvt, X(d))
            else:
                asm = ('%s; test %s, %s; js 1f; %s %s, %s; jmp 2f; 1: mov r11, %s; shr r11, 1; jae 3f; or r11, 1; '
                       '3: %s %s, r11; add%s %s, %s; 2:' % (xz, G64[s], G64[s], cvt, X(d), G64[s], G64[s], cvt,
                                                          X(d), fsuf(p), X(d), X(d)))
            case(asm, 'kjit_cvt_i2f(m, %d, %d, false, %s, %s)' % (p, w, CX(d), CG[s]))
            ct = 'cvtts%s2si' % ('s' if p == 32 else 'd')
            case('%s %s, %s' % (ct, R(w, s), X(d)), 'kjit_cvt_f2i(m, %d, %d, true, %s, %s)' % (p, w, CG[s], CX(d)))
            if w == 32:
                case('%s %s, %s' % (ct, G64[s], X(d)), 'kjit_cvt_f2i(m, %d, 32, false, %s, %s)' % (p, CG[s], CX(d)))
    for d, s, t in ((RAX, 0, 1), (R9, 4, 12)):
        two63 = 'movabs r11, 0x43e0000000000000; movq xmm15, r11' if p == 64 else \
            'mov r11d, 0x5f000000; movd xmm15, r11d'
        ct = 'cvtts%s2si' % ('s' if p == 32 else 'd')
        asm = ('%s; ucomis%s %s, xmm15; jae 1f; %s %s, %s; jmp 2f; 1: movaps %s, %s; sub%s %s, xmm15; '
               '%s %s, %s; btc %s, 63; 2:' % (two63, 's' if p == 32 else 'd', X(s), ct, G64[d], X(s), X(t), X(s),
                                             fsuf(p), X(t), ct, G64[d], X(t), G64[d]))
        case(asm, 'kjit_cvt_f2u64(m, %d, %s, %s, %s)' % (p, CG[d], CX(s), CX(t)))
    for d, s in ((0, 1), (10, 3)):
        case('cvt%s2%s %s, %s' % ('sd' if p == 32 else 'ss', fsuf(p), X(d), X(s)),
             'kjit_fcvt(m, %d, %s, %s)' % (p, CX(d), CX(s)))
for w in (32, 64):
    for x, r in ((0, RAX), (15, R11), (8, RSI)):
        ins = 'movd' if w == 32 else 'movq'
        case('%s %s, %s' % (ins, X(x), R(w, r)), 'kjit_mov_i2f(m, %d, %s, %s)' % (w, CX(x), CG[r]))
        case('%s %s, %s' % (ins, R(w, r), X(x)), 'kjit_mov_f2i(m, %d, %s, %s)' % (w, CG[r], CX(x)))

# ---- SIMD ------------------------------------------------------------------------------------------

VOPS = [('ADD8', 'paddb', 1), ('ADD16', 'paddw', 1), ('ADD32', 'paddd', 1), ('ADD64', 'paddq', 1),
        ('SUB8', 'psubb', 0), ('SUB16', 'psubw', 0), ('SUB32', 'psubd', 0), ('SUB64', 'psubq', 0),
        ('MUL16', 'pmullw', 1), ('MUL32', 'pmulld', 1), ('AND', 'pand', 1), ('ANDN', 'pandn', 0),
        ('OR', 'por', 1), ('XOR', 'pxor', 1), ('EQ8', 'pcmpeqb', 1), ('EQ16', 'pcmpeqw', 1),
        ('EQ32', 'pcmpeqd', 1), ('EQ64', 'pcmpeqq', 1), ('GT8S', 'pcmpgtb', 0), ('GT16S', 'pcmpgtw', 0),
        ('GT32S', 'pcmpgtd', 0), ('MIN8S', 'pminsb', 1), ('MIN8U', 'pminub', 1), ('MIN16S', 'pminsw', 1),
        ('MIN16U', 'pminuw', 1), ('MIN32S', 'pminsd', 1), ('MIN32U', 'pminud', 1), ('MAX8S', 'pmaxsb', 1),
        ('MAX8U', 'pmaxub', 1), ('MAX16S', 'pmaxsw', 1), ('MAX16U', 'pmaxuw', 1), ('MAX32S', 'pmaxsd', 1),
        ('MAX32U', 'pmaxud', 1), ('ADDSAT8S', 'paddsb', 1), ('ADDSAT8U', 'paddusb', 1),
        ('ADDSAT16S', 'paddsw', 1), ('ADDSAT16U', 'paddusw', 1), ('SUBSAT8S', 'psubsb', 0),
        ('SUBSAT8U', 'psubusb', 0), ('SUBSAT16S', 'psubsw', 0), ('SUBSAT16U', 'psubusw', 0),
        ('AVG8U', 'pavgb', 1), ('AVG16U', 'pavgw', 1),
        ('FADD32', 'addps', 0), ('FSUB32', 'subps', 0), ('FMUL32', 'mulps', 0), ('FDIV32', 'divps', 0),
        ('FMIN32', 'minps', 0), ('FMAX32', 'maxps', 0), ('FADD64', 'addpd', 0), ('FSUB64', 'subpd', 0),
        ('FMUL64', 'mulpd', 0), ('FDIV64', 'divpd', 0), ('FMIN64', 'minpd', 0), ('FMAX64', 'maxpd', 0),
        ('FEQ32', 'cmpeqps', 1), ('FLT32', 'cmpltps', 0), ('FLE32', 'cmpleps', 0),
        ('FUNORD32', 'cmpunordps', 1), ('FNE32', 'cmpneqps', 1), ('FEQ64', 'cmpeqpd', 1),
        ('FLT64', 'cmpltpd', 0), ('FLE64', 'cmplepd', 0), ('FUNORD64', 'cmpunordpd', 1),
        ('FNE64', 'cmpneqpd', 1), ('SHUFB', 'pshufb', 0), ('UNPACKLO64', 'punpcklqdq', 0),
        ('SLL16', 'psllw', 0), ('SLL32', 'pslld', 0), ('SLL64', 'psllq', 0), ('SRL16', 'psrlw', 0),
        ('SRL32', 'psrld', 0), ('SRL64', 'psrlq', 0), ('SRA16', 'psraw', 0), ('SRA32', 'psrad', 0),
        ('PACKSS16', 'packsswb', 0), ('PACKUS16', 'packuswb', 0), ('PACKSS32', 'packssdw', 0),
        ('PACKUS32', 'packusdw', 0), ('MADD16', 'pmaddwd', 1), ('UNPACKHI8', 'punpckhbw', 0),
        ('UNPACKHI16', 'punpckhwd', 0), ('UNPACKHI32', 'punpckhdq', 0), ('ABS8', 'pabsb', 0),
        ('ABS16', 'pabsw', 0), ('ABS32', 'pabsd', 0), ('EXT8S16', 'pmovsxbw', 0), ('EXT8U16', 'pmovzxbw', 0),
        ('EXT16S32', 'pmovsxwd', 0), ('EXT16U32', 'pmovzxwd', 0), ('EXT32S64', 'pmovsxdq', 0),
        ('EXT32U64', 'pmovzxdq', 0), ('CVT_I32_F32', 'cvtdq2ps', 0), ('CVT_I32_F64', 'cvtdq2pd', 0),
        ('CVT_F32_F64', 'cvtps2pd', 0), ('CVT_F64_F32', 'cvtpd2ps', 0), ('FSQRT32', 'sqrtps', 0),
        ('FSQRT64', 'sqrtpd', 0), ('LOAD64', 'movq', 0), ('MULHI16S', 'pmulhw', 1), ('MULHI16U', 'pmulhuw', 1),
        ('MULU32', 'pmuludq', 1), ('MULS32', 'pmuldq', 1), ('UNPACKLO16', 'punpcklwd', 0),
        ('MULHRS16', 'pmulhrsw', 1), ('MADDUBS', 'pmaddubsw', 0), ('GT64S', 'pcmpgtq', 0),
        ('CVTT_F32_I32', 'cvttps2dq', 0), ('CVTT_F64_I32', 'cvttpd2dq', 0)]
for name, ins, commutes in VOPS:
    for d, a, b in ((0, 0, 1), (9, 9, 2), (3, 12, 8)):
        case('%s %s, %s' % (ins, X(d), X(b)) if d == a else 'movaps %s, %s; %s %s, %s' % (X(d), X(a), ins, X(d), X(b)),
             'kjit_vbin(m, KJIT_V_%s, %s, %s, %s)' % (name, CX(d), CX(a), CX(b)))
    # dst is b: commuted, or b through the scratch
    asm = '%s xmm4, xmm1' % ins if commutes else 'movaps xmm15, xmm4; movaps xmm4, xmm1; %s xmm4, xmm15' % ins
    case(asm, 'kjit_vbin(m, KJIT_V_%s, KJIT_X4, KJIT_X1, KJIT_X4)' % name)
# With AVX, the VEX forms: three operands, any aliasing, no copies (the
# unary operations have no second source).
UNARY = {'ABS8', 'ABS16', 'ABS32', 'EXT8S16', 'EXT8U16', 'EXT16S32', 'EXT16U32', 'EXT32S64', 'EXT32U64',
         'CVT_I32_F32', 'CVT_I32_F64', 'CVT_F32_F64', 'CVT_F64_F32', 'FSQRT32', 'FSQRT64', 'LOAD64',
         'CVTT_F32_I32', 'CVTT_F64_I32'}
for name, ins, commutes in VOPS:
    for d, a, b in ((0, 0, 1), (9, 9, 2), (3, 12, 8), (4, 1, 4), (13, 2, 10), (1, 11, 1)):
        if name in UNARY:
            # ({load}: as would pick movq's store form, 66 0F D6, for a
            # shorter prefix; both are right, the encoder makes the load form)
            asm = '%sv%s %s, %s' % ('{load} ' if name == 'LOAD64' else '', ins, X(d), X(b))
        else:
            asm = 'v%s %s, %s, %s' % (ins, X(d), X(a), X(b))
        case(asm, 'kjit_vbin(m, KJIT_V_%s, %s, %s, %s)' % (name, CX(d), CX(a), CX(b)), cpu='AVX')
for mem in MEMS + [Mem(R15, 0x40), Mem(R14, 0x7fffffff, RCX, 1)]:
    for x in (0, 10):
        case('movdqu %s, %s' % (X(x), mem.asm()), 'kjit_vmov(m, kjit_r(%s), %s)' % (CX(x), mem.c()))
        case('movdqu %s, %s' % (mem.asm(), X(x)), 'kjit_vmov(m, %s, kjit_r(%s))' % (mem.c(), CX(x)))
case('movaps xmm2, xmm13', 'kjit_vmov(m, kjit_r(KJIT_X2), kjit_r(KJIT_X13))')
for name, ins in (('VSHL16', 'psllw'), ('VSHL32', 'pslld'), ('VSHL64', 'psllq'), ('VSHR16', 'psrlw'),
                  ('VSHR32', 'psrld'), ('VSHR64', 'psrlq'), ('VSAR16', 'psraw'), ('VSAR32', 'psrad')):
    for x, n in ((1, 10), (11, 1), (14, 63 if '64' in name else 15)):
        case('%s %s, %d' % (ins, X(x), n), 'kjit_vshift(m, KJIT_%s, %s, %d)' % (name, CX(x), n))
for d, s2, sel in ((0, 0, 0), (5, 12, 0x44), (9, 1, 0x1b)):
    case('pshufd %s, %s, %d' % (X(d), X(s2), sel), 'kjit_vshuf32(m, %s, %s, %d)' % (CX(d), CX(s2), sel))
for name, ins, sz in (('EXT8S16', 'pmovsxbw', 'qword'), ('EXT32U64', 'pmovzxdq', 'qword'), ('LOAD32', 'movd', 'dword'),
                      ('LOAD64', 'movq', 'qword'), ('SHUFB', 'pshufb', 'xmmword'), ('FADD32', 'addps', 'xmmword')):
    for x, mem in ((2, Mem(R14, 0x10, RAX, 1)), (12, Mem(RBX, 8)), (7, Mem(R9, -0x100))):
        case('%s %s, %s ptr %s' % (ins, X(x), sz, mem.asm()[:]),
             'kjit_vop_mem(m, KJIT_V_%s, %s, %s)' % (name, CX(x), mem.c()))
for name, ins in (('SHUFB', 'pshufb'), ('AND', 'pand'), ('FLT32', 'cmpltps'), ('SUB8', 'psubb')):
    for x in (1, 11):
        case('%s %s, [rip+1f]; nop; 1:' % (ins, X(x)),
             '{ kjit_label l = kjit_label_new(m); kjit_vbin_label(m, KJIT_V_%s, %s, l); kjit_emit_u8(m, 0x90); '
             'kjit_bind(m, l); }' % (name, CX(x)))
for p in (32, 64):
    for mode, imm in (('KJIT_ROUND_NEAREST', 8), ('KJIT_ROUND_FLOOR', 9), ('KJIT_ROUND_CEIL', 10), ('KJIT_ROUND_TRUNC', 11)):
        for d, s2 in ((0, 1), (9, 14)):
            case('round%s %s, %s, %d' % ('ps' if p == 32 else 'pd', X(d), X(s2), imm),
                 'kjit_vround(m, %d, %s, %s, %s)' % (p, mode, CX(d), CX(s2)))
for a, b in ((0, 0), (3, 10), (15, 1)):
    case('ptest %s, %s' % (X(a), X(b)), 'kjit_vtest(m, %s, %s)' % (CX(a), CX(b)))
for w, ins in ((8, 'pmovmskb'), (32, 'movmskps'), (64, 'movmskpd')):
    for r, x in ((RAX, 0), (R10, 9), (RSI, 15)):
        case('%s %s, %s' % (ins, G32[r], X(x)), 'kjit_vmovmsk(m, %d, %s, %s)' % (w, CG[r], CX(x)))
for x in (0, 13):
    case('movdqu %s, [rip+1f]; nop; 1:' % X(x),
         '{ kjit_label l = kjit_label_new(m); kjit_vload_label(m, %s, l); kjit_emit_u8(m, 0x90); kjit_bind(m, l); }' % CX(x))
for w in (8, 16, 32, 64):
    for r, x, lane in ((RAX, 0, 1), (R9, 12, 0), (RSI, 3, {8: 15, 16: 7, 32: 3, 64: 1}[w])):
        if w in (32, 64) and lane == 0:
            ext = '%s %s, %s' % ('movd' if w == 32 else 'movq', R(w, r), X(x))
        else:
            ext = '%s %s, %s, %d' % ({8: 'pextrb', 16: 'pextrw', 32: 'pextrd', 64: 'pextrq'}[w],
                                     R(64 if w == 64 else 32, r), X(x), lane)
        case(ext, 'kjit_vextract(m, %d, %s, %s, %d)' % (w, CG[r], CX(x), lane))
        ins = {8: 'pinsrb', 16: 'pinsrw', 32: 'pinsrd', 64: 'pinsrq'}[w]
        case('%s %s, %s, %d' % (ins, X(x), R(64 if w == 64 else 32, r), lane),
             'kjit_vinsert(m, %d, %s, %s, %d)' % (w, CX(x), CG[r], lane))


# ---- control ---------------------------------------------------------------------------------------

for r in range(16):
    case('push %s' % G64[r], 'kjit_push(m, %s)' % CG[r])
    case('pop %s' % G64[r], 'kjit_pop(m, %s)' % CG[r])
    case('call %s' % G64[r], 'kjit_call_reg(m, %s)' % CG[r])
    case('jmp %s' % G64[r], 'kjit_jmp_reg(m, %s)' % CG[r])
case('ret', 'kjit_ret(m)')
case('movabs r11, 0x123456789abc; call r11', 'kjit_call_abs(m, (const void *)(uintptr_t)0x123456789abcULL)')
case('{disp32} jmp 1f; nop; 1:', '{ kjit_label l = kjit_label_new(m); kjit_jmp(m, l); kjit_emit_u8(m, 0x90); kjit_bind(m, l); }')
case('1: nop; jmp 1b', '{ kjit_label l = kjit_label_new(m); kjit_bind(m, l); kjit_emit_u8(m, 0x90); kjit_jmp(m, l); }')
case('1: .fill 200, 1, 0x90; jmp 1b',
     '{ kjit_label l = kjit_label_new(m); kjit_bind(m, l); for (int i = 0; i < 200; i++) kjit_emit_u8(m, 0x90); '
     'kjit_jmp(m, l); }')
for cnd, x in CONDS:
    case('{disp32} j%s 1f; 1:' % x, '{ kjit_label l = kjit_label_new(m); kjit_jcc(m, %s, l); kjit_bind(m, l); }' % cnd)
    case('1: j%s 1b' % x, '{ kjit_label l = kjit_label_new(m); kjit_bind(m, l); kjit_jcc(m, %s, l); }' % cnd)
    case('1: .fill 130, 1, 0x90; j%s 1b' % x,
         '{ kjit_label l = kjit_label_new(m); kjit_bind(m, l); for (int i = 0; i < 130; i++) kjit_emit_u8(m, 0x90); '
         'kjit_jcc(m, %s, l); }' % cnd)
case('call 1f; 1:', '{ kjit_label l = kjit_label_new(m); kjit_call_label(m, l); kjit_bind(m, l); }')
case('1: nop; call 1b', '{ kjit_label l = kjit_label_new(m); kjit_bind(m, l); kjit_emit_u8(m, 0x90); kjit_call_label(m, l); }')
for r in (RCX, R13):
    case('lea %s, [rip+1f]; nop; 1:' % G64[r],
         '{ kjit_label l = kjit_label_new(m); kjit_lea_label(m, %s, l); kjit_emit_u8(m, 0x90); kjit_bind(m, l); }' % CG[r])
for idx in (RAX, R9):
    case('lea r11, [rip+3f]; movsxd %s, dword ptr [r11+%s*4]; add %s, r11; jmp %s; .p2align 2, 0x90; '
         '3: .long 4f-3b, 5f-3b, 4f-3b; 4: nop; 5: nop' % (G64[idx], G64[idx], G64[idx], G64[idx]),
         '{ kjit_label t[3] = {kjit_label_new(m), kjit_label_new(m), 0}; t[2] = t[0]; '
         'kjit_jump_table(m, %s, t, 3); kjit_bind(m, t[0]); kjit_emit_u8(m, 0x90); kjit_bind(m, t[1]); '
         'kjit_emit_u8(m, 0x90); }' % CG[idx])


# ---- assembling ---------------------------------------------------------------------------------------

def assemble():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'c.s')
        with open(src, 'w') as f:
            f.write('.intel_syntax noprefix\n.text\n')
            for i, (_, asm, _) in enumerate(cases):
                if i:
                    f.write('e_%d:\n' % (i - 1))
                # each case starts 16-aligned, as in a fresh buffer
                f.write('.p2align 4, 0xcc\nc_%d:\n' % i)
                for ins in asm.split(';'):
                    ins = ins.strip()
                    while ins and ins[0].isdigit() and ':' in ins.split()[0]:
                        lab, ins = ins.split(':', 1)
                        f.write('%s:\n' % lab)
                        ins = ins.strip()
                    if ins:
                        f.write('  %s\n' % ins)
            f.write('e_%d:\n' % (len(cases) - 1))
        obj = os.path.join(tmp, 'c.o')
        binf = os.path.join(tmp, 'c.bin')
        subprocess.run(['as', '--64', '-o', obj, src], check=True)
        subprocess.run(['objcopy', '-O', 'binary', '-j', '.text', obj, binf], check=True)
        data = open(binf, 'rb').read()
        syms = {}
        for line in subprocess.run(['nm', obj], check=True, capture_output=True, text=True).stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2][:2] in ('c_', 'e_'):
                syms[parts[2]] = int(parts[0], 16)
        return [data[syms['c_%d' % i]:syms['e_%d' % i]] for i in range(len(cases))]


def main():
    blobs = assemble()
    out = sys.stdout
    out.write('/* Generated by tests/unit/jit_x64_cases.py from GNU as output: do not edit. */\n')
    out.write('/* X64_CASE(cpu features, Intel assembly, expected bytes (hex), statement over m) */\n')
    for (cpu, asm, c), blob in zip(cases, blobs):
        cpu_c = {'ALL': 'KJIT_CPU_ALL', 'AVX': 'KJIT_CPU_ALL | KJIT_CPU_AVX'}.get(cpu, '0')
        out.write('X64_CASE(%s, "%s", "%s", %s)\n' % (cpu_c, asm.replace('"', '\\"'), blob.hex(), c))


main()
