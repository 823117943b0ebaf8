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
