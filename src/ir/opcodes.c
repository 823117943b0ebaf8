#include "ir/opcodes.h"

#include <pthread.h>
#include <string.h>

#include "kite.h"

#define FEAT_CORE KIR_FEATURE_CORE
#define FEAT_REFERENCE_TYPES KITE_FEATURE_REFERENCE_TYPES
#define FEAT_SIMD KITE_FEATURE_SIMD
#define FEAT_RELAXED_SIMD KITE_FEATURE_RELAXED_SIMD
#define FEAT_THREADS KITE_FEATURE_THREADS
#define FEAT_GC KITE_FEATURE_GC
#define FEAT_EXCEPTIONS KITE_FEATURE_EXCEPTIONS
#define FEAT_LEGACY_EXCEPTIONS KITE_FEATURE_LEGACY_EXCEPTIONS
#define FEAT_TAIL_CALL KITE_FEATURE_TAIL_CALL
#define FEAT_MEMORY64 KITE_FEATURE_MEMORY64
#define FEAT_MULTI_MEMORY KITE_FEATURE_MULTI_MEMORY
#define FEAT_WIDE_ARITHMETIC KITE_FEATURE_WIDE_ARITHMETIC

const kir_opinfo kir_opinfo_table[KIR_OP_COUNT] = {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) \
    [KIR_OP_##id] = {mnemonic, KIR_PREFIX_##prefix, code, KIR_IMM_##imm, sig, width, flags, FEAT_##feature},
#include "ir/opcodes.def"
#undef OP
};

const uint8_t kir_op_imm[KIR_OP_COUNT] = {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) [KIR_OP_##id] = KIR_IMM_##imm,
#include "ir/opcodes.def"
#undef OP
};

/*
 * Signatures packed at compile time (the layout is in opcodes.h). The
 * preprocessor turns a row's `sig` into a string literal whatever it is —
 * #sig is "\"ii>i\"" for a signature and "NULL" for an instruction typed by
 * a rule — and constant expressions read its characters: S[j + 1] is the
 * signature's character j, and there are sizeof(S) - 3 of them.
 */
#define SIG_LEN(S) (sizeof(S) - 3u)
/* (The index stays within S even where the condition is false: compilers
 * check the bounds of constant indexes in both branches.) */
#define SIG_CH(S, j) ((j) < SIG_LEN(S) ? (S)[(j) + 1u < sizeof(S) ? (j) + 1u : 0u] : '\0')
#define SIG_GT(S)                                                                                  \
    (SIG_CH(S, 0) == '>'   ? 0u                                                                    \
     : SIG_CH(S, 1) == '>' ? 1u                                                                    \
     : SIG_CH(S, 2) == '>' ? 2u                                                                    \
     : SIG_CH(S, 3) == '>' ? 3u                                                                    \
     : SIG_CH(S, 4) == '>' ? 4u                                                                    \
     : SIG_CH(S, 5) == '>' ? 5u                                                                    \
     : SIG_CH(S, 6) == '>' ? 6u                                                                    \
                           : 7u)
#define SIG_KIND(c)                                                                                \
    ((c) == 'I'   ? KIR_SIG_I64                                                                    \
     : (c) == 'f' ? KIR_SIG_F32                                                                    \
     : (c) == 'F' ? KIR_SIG_F64                                                                    \
     : (c) == 'v' ? KIR_SIG_V128                                                                   \
                  : KIR_SIG_I32)
#define SIG_POS(S, j)                                                                              \
    ((uint64_t)SIG_KIND(SIG_CH(S, j)) << (KIR_SIG_KIND_SHIFT + 3u * (j)) |                         \
     (uint64_t)(SIG_CH(S, j) == 'a') << (KIR_SIG_ADDR_SHIFT + (j)))
#define SIG_WORD(S)                                                                                \
    ((S)[0] != '"' ? UINT64_C(0)                                                                   \
                   : KIR_SIG_PRESENT | SIG_GT(S) | (uint64_t)(SIG_LEN(S) - SIG_GT(S) - 1u) << 3 |  \
                         SIG_POS(S, 0) | SIG_POS(S, 1) | SIG_POS(S, 2) | SIG_POS(S, 3) |           \
                         SIG_POS(S, 4) | SIG_POS(S, 5) | SIG_POS(S, 6))

const uint64_t kir_op_sig[KIR_OP_COUNT] = {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature)                            \
    [KIR_OP_##id] = SIG_WORD(#sig),
#include "ir/opcodes.def"
#undef OP
};

/*
 * Encoding -> opcode tables, one per prefix, built at compile time: each
 * table's initializer keeps only the rows of its own prefix (the SEL_*
 * macros expand a row for one prefix and drop it for the others). Entries
 * hold opcode + 1 so that 0 means "no such instruction".
 */
#define ROW(code, id) [code] = KIR_OP_##id + 1,
#define DROP(code, id)

#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) SEL_##prefix(code, id)
#define SEL_NONE ROW
#define SEL_FB DROP
#define SEL_FC DROP
#define SEL_FD DROP
#define SEL_FE DROP
const uint16_t kir_plain_ops[256] = {
#include "ir/opcodes.def"
};
#undef SEL_NONE
#undef SEL_FB
#define SEL_NONE DROP
#define SEL_FB ROW
static const uint16_t g_fb[0x40] = {
#include "ir/opcodes.def"
};
#undef SEL_FB
#undef SEL_FC
#define SEL_FB DROP
#define SEL_FC ROW
static const uint16_t g_fc[0x40] = {
#include "ir/opcodes.def"
};
#undef SEL_FC
#undef SEL_FD
#define SEL_FC DROP
#define SEL_FD ROW
static const uint16_t g_fd[0x140] = {
#include "ir/opcodes.def"
};
#undef SEL_FD
#undef SEL_FE
#define SEL_FD DROP
#define SEL_FE ROW
static const uint16_t g_fe[0x80] = {
#include "ir/opcodes.def"
};
#undef OP

kir_op kir_op_lookup(uint8_t prefix, uint32_t code)
{
    const uint16_t *table;
    uint32_t size;
    switch (prefix) {
    case KIR_PREFIX_NONE: table = kir_plain_ops, size = 256; break;
    case KIR_PREFIX_FB: table = g_fb, size = 0x40; break;
    case KIR_PREFIX_FC: table = g_fc, size = 0x40; break;
    case KIR_PREFIX_FD: table = g_fd, size = 0x140; break;
    case KIR_PREFIX_FE: table = g_fe, size = 0x80; break;
    default: return KIR_OP_COUNT;
    }
    if (code >= size || table[code] == 0)
        return KIR_OP_COUNT;
    return (kir_op)(table[code] - 1);
}

/*
 * Mnemonic -> opcode: an open-addressing hash table built once, on first
 * use, and read-only afterwards (so threads may share it).
 */
enum { MNEMONIC_SLOTS = 2048 };
static uint16_t g_by_name[MNEMONIC_SLOTS]; /* opcode + 1, 0 = empty */
static pthread_once_t g_by_name_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void build_by_name(void)
{
    for (uint32_t op = 0; op < KIR_OP_COUNT; op++) {
        const char *name = kir_opinfo_table[op].mnemonic;
        uint32_t slot = name_hash(name, strlen(name)) & (MNEMONIC_SLOTS - 1);
        for (;;) {
            uint16_t cur = g_by_name[slot];
            if (cur == 0) {
                g_by_name[slot] = (uint16_t)(op + 1);
                break;
            }
            if (strcmp(kir_opinfo_table[cur - 1].mnemonic, name) == 0)
                break; /* keep the first opcode with this mnemonic */
            slot = (slot + 1) & (MNEMONIC_SLOTS - 1);
        }
    }
}

kir_op kir_op_by_mnemonic(const char *name, size_t len)
{
    pthread_once(&g_by_name_once, build_by_name);
    uint32_t slot = name_hash(name, len) & (MNEMONIC_SLOTS - 1);
    for (;;) {
        uint16_t cur = g_by_name[slot];
        if (cur == 0)
            return KIR_OP_COUNT;
        const char *m = kir_opinfo_table[cur - 1].mnemonic;
        if (strncmp(m, name, len) == 0 && m[len] == 0)
            return (kir_op)(cur - 1);
        slot = (slot + 1) & (MNEMONIC_SLOTS - 1);
    }
}
