/*
 * Integer / control-flow workload: a small register-machine bytecode
 * interpreter (switch dispatch, 64-bit registers) running a program that sums
 * Collatz trajectory lengths. Stresses indirect branches (br_table in Wasm),
 * unpredictable conditional branches and i64 arithmetic.
 */
#include "bench.h"

enum {
    OP_LOADI, /* r[a] = imm */
    OP_MOV,   /* r[a] = r[b] */
    OP_ADD,   /* r[a] = r[b] + r[c] */
    OP_ADDI,  /* r[a] = r[b] + imm */
    OP_MULI,  /* r[a] = r[b] * imm */
    OP_ANDI,  /* r[a] = r[b] & imm */
    OP_XOR,   /* r[a] = r[b] ^ r[c] */
    OP_SHRI,  /* r[a] = r[b] >> imm */
    OP_ROTLI, /* r[a] = rotl(r[b], imm) */
    OP_JMP,   /* pc = imm */
    OP_JZ,    /* if r[a] == 0: pc = imm */
    OP_JEQI,  /* if r[a] == c: pc = imm (c is a small constant) */
    OP_JLE,   /* if r[a] <= r[b]: pc = imm */
    OP_HALT,  /* return r[a] */
};

typedef struct insn {
    uint8_t op, a, b, c;
    int32_t imm;
} insn;

/* Registers: r0 n, r1 limit, r2 acc, r3 x, r4 steps, r5 scratch. */
static const insn program[] = {
    /*  0 */ {OP_LOADI, 0, 0, 0, 1},
    /*  1 */ {OP_MOV, 1, 6, 0, 0}, /* r6 holds the limit on entry */
    /*  2 */ {OP_LOADI, 2, 0, 0, 0},
    /*  3 */ {OP_MOV, 3, 0, 0, 0},     /* next_n: x = n */
    /*  4 */ {OP_LOADI, 4, 0, 0, 0},   /* steps = 0 */
    /*  5 */ {OP_JEQI, 3, 0, 1, 13},   /* loop: if x == 1 goto done */
    /*  6 */ {OP_ANDI, 5, 3, 0, 1},
    /*  7 */ {OP_JZ, 5, 0, 0, 10},     /* even? */
    /*  8 */ {OP_MULI, 3, 3, 0, 3},    /* x = 3x + 1 */
    /*  9 */ {OP_ADDI, 3, 3, 0, 1},
    /* 10 */ {OP_SHRI, 3, 3, 0, 1},    /* (3x+1 is even: fold its halving in) */
    /* 11 */ {OP_ADDI, 4, 4, 0, 1},
    /* 12 */ {OP_JMP, 0, 0, 0, 5},
    /* 13 */ {OP_ROTLI, 2, 2, 0, 7},   /* done: acc = rotl(acc, 7) ^ steps */
    /* 14 */ {OP_XOR, 2, 2, 4, 0},
    /* 15 */ {OP_ADD, 2, 2, 0, 0},     /* acc += n */
    /* 16 */ {OP_ADDI, 0, 0, 0, 1},
    /* 17 */ {OP_JLE, 0, 1, 0, 3},
    /* 18 */ {OP_HALT, 2, 0, 0, 0},
};

BENCH_PARAM(uint32_t, limit, 400000);

static BENCH_NOINLINE uint64_t execute(const insn *code, uint64_t arg)
{
    uint64_t r[8] = {0};
    uint32_t pc = 0;
    r[6] = arg;
    for (;;) {
        const insn *i = &code[pc++];
        switch (i->op) {
        case OP_LOADI: r[i->a] = (uint64_t)(int64_t)i->imm; break;
        case OP_MOV: r[i->a] = r[i->b]; break;
        case OP_ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case OP_ADDI: r[i->a] = r[i->b] + (uint64_t)(int64_t)i->imm; break;
        case OP_MULI: r[i->a] = r[i->b] * (uint64_t)(int64_t)i->imm; break;
        case OP_ANDI: r[i->a] = r[i->b] & (uint64_t)(int64_t)i->imm; break;
        case OP_XOR: r[i->a] = r[i->b] ^ r[i->c]; break;
        case OP_SHRI: r[i->a] = r[i->b] >> (i->imm & 63); break;
        case OP_ROTLI: {
            unsigned s = (unsigned)i->imm & 63;
            r[i->a] = (r[i->b] << s) | (r[i->b] >> ((64 - s) & 63));
            break;
        }
        case OP_JMP: pc = (uint32_t)i->imm; break;
        case OP_JZ:
            if (r[i->a] == 0)
                pc = (uint32_t)i->imm;
            break;
        case OP_JEQI:
            if (r[i->a] == i->c)
                pc = (uint32_t)i->imm;
            break;
        case OP_JLE:
            if (r[i->a] <= r[i->b])
                pc = (uint32_t)i->imm;
            break;
        case OP_HALT: return r[i->a];
        default: return 0;
        }
    }
}

BENCH_EXPORT uint32_t run(void)
{
    uint64_t acc = execute(program, limit);
    return bench_mix(bench_mix(BENCH_MIX_INIT, (uint32_t)acc), (uint32_t)(acc >> 32));
}

BENCH_MAIN("intvm")
