/*
 * Consistency of the opcode table (src/ir/opcodes.def) and its lookups:
 * every encoding and mnemonic resolves back to its row, the per-row data is
 * well-formed, and a sample of encodings matches the spec.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ir/opcodes.h"
#include "kite.h"

#include "check.h"

/* The enum id of every row as written, to check the naming rule. */
static const char *const g_ids[KIR_OP_COUNT] = {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) #id,
#include "ir/opcodes.def"
#undef OP
};

static const char *prefix_name(uint8_t prefix)
{
    switch (prefix) {
    case KIR_PREFIX_NONE: return "plain";
    case KIR_PREFIX_FB: return "FB";
    case KIR_PREFIX_FC: return "FC";
    case KIR_PREFIX_FD: return "FD";
    case KIR_PREFIX_FE: return "FE";
    default: return "?";
    }
}

static kir_op by_name(const char *name) { return kir_op_by_mnemonic(name, strlen(name)); }

/* The id the naming rule gives a mnemonic: upper case, '.' -> '_'. */
static void expected_id(const char *mnemonic, char *out, size_t size)
{
    size_t i = 0;
    for (; mnemonic[i] && i + 1 < size; i++)
        out[i] = mnemonic[i] == '.' ? '_' : (char)toupper((unsigned char)mnemonic[i]);
    out[i] = 0;
}

/* One '>' between params and results, types from "iIfFva", and at most six
 * types in all (kir_op_sig packs a signature into one word, 3 bits per
 * position of the string). */
static bool sig_well_formed(const char *sig)
{
    const char *gt = strchr(sig, '>');
    if (!gt || strchr(gt + 1, '>') || strlen(sig) - 1 > 6)
        return false;
    for (const char *p = sig; *p; p++)
        if (p != gt && !strchr("iIfFva", *p))
            return false;
    return true;
}

/* kir_op_sig, packed by constant expressions, says what the string says. */
static void check_packed_sig(const char *mn, const char *sig, uint64_t w)
{
    if (!sig) {
        CHECK(w == 0, "%s: a packed signature without a signature", mn);
        return;
    }
    CHECK(w & KIR_SIG_PRESENT, "%s: its signature is not packed", mn);
    const char *gt = strchr(sig, '>');
    if (!gt)
        return;
    unsigned np = (unsigned)(gt - sig), nr = (unsigned)strlen(gt + 1);
    CHECK(kir_sig_nparams(w) == np && kir_sig_nresults(w) == nr, "%s: packed %u>%u, sig \"%s\"", mn,
          kir_sig_nparams(w), kir_sig_nresults(w), sig);
    for (unsigned i = 0; i < np + nr; i++) {
        char c = i < np ? sig[i] : gt[1 + i - np];
        unsigned want = c == 'I'   ? KIR_SIG_I64
                        : c == 'f' ? KIR_SIG_F32
                        : c == 'F' ? KIR_SIG_F64
                        : c == 'v' ? KIR_SIG_V128
                                   : KIR_SIG_I32;
        CHECK(kir_sig_kind(w, i) == want && kir_sig_addr(w, i) == (c == 'a'),
              "%s: type %u of \"%s\" packed as kind %u%s", mn, i, sig, kir_sig_kind(w, i),
              kir_sig_addr(w, i) ? " (address)" : "");
    }
}

static void check_rows(void)
{
    for (uint32_t op = 0; op < KIR_OP_COUNT; op++) {
        const kir_opinfo *info = kir_op_info((kir_op)op);
        const char *mn = info->mnemonic;
        CHECK(mn && *mn, "op %u has no mnemonic", op);
        if (!mn || !*mn)
            continue;

        /* Encoding -> row: also proves every (prefix, code) is unique. */
        kir_op found = kir_op_lookup(info->prefix, info->code);
        CHECK(found == (kir_op)op, "%s (%s 0x%X): lookup gives %s", mn, prefix_name(info->prefix),
              info->code, found < KIR_OP_COUNT ? kir_opinfo_table[found].mnemonic : "nothing");
        CHECK(info->prefix != KIR_PREFIX_NONE || info->code < 0xFB || info->code > 0xFE,
              "%s uses a prefix byte as its opcode", mn);

        /* Mnemonic -> row: the first row with that mnemonic. */
        kir_op named = by_name(mn);
        uint32_t first = 0;
        while (strcmp(kir_opinfo_table[first].mnemonic, mn) != 0)
            first++;
        CHECK(named == (kir_op)first, "%s: by_mnemonic gives %d, first row is %u", mn, (int)named, first);

        /* Naming rule of the enum ids. */
        char want[64];
        expected_id(mn, want, sizeof want);
        if (op == KIR_OP_REF_TEST_NULL || op == KIR_OP_REF_CAST_NULL || op == KIR_OP_SELECT_T)
            CHECK(strcmp(g_ids[op], want) != 0, "%s: shared-mnemonic id %s", mn, g_ids[op]);
        else
            CHECK(strcmp(g_ids[op], want) == 0, "%s: id %s, expected %s", mn, g_ids[op], want);

        if (info->sig)
            CHECK(sig_well_formed(info->sig), "%s: malformed sig \"%s\"", mn, info->sig);
        check_packed_sig(mn, info->sig, kir_op_sig[op]);

        bool memarg = info->imm == KIR_IMM_MEMARG || info->imm == KIR_IMM_MEMARG_LANE;
        if (memarg) {
            uint8_t w = info->width;
            CHECK(w == 1 || w == 2 || w == 4 || w == 8 || w == 16, "%s: width %u", mn, w);
            CHECK(info->sig && info->sig[0] == 'a', "%s: memarg op sig should start with the address",
                  mn);
        } else {
            CHECK(info->width == 0, "%s: width %u without a memarg", mn, info->width);
        }

        CHECK(info->feature == KIR_FEATURE_CORE || info->feature < KITE_FEATURE_COUNT,
              "%s: bad feature %u", mn, info->feature);
        CHECK((info->flags & ~KIR_OPF_CONST) == 0, "%s: unknown flags 0x%x", mn, info->flags);
        if (info->prefix == KIR_PREFIX_FD)
            CHECK(info->feature == (info->code >= 0x100 ? KITE_FEATURE_RELAXED_SIMD : KITE_FEATURE_SIMD),
                  "%s: SIMD op with feature %u", mn, info->feature);
        if (info->prefix == KIR_PREFIX_FE)
            CHECK(info->feature == KITE_FEATURE_THREADS, "%s: atomic op with feature %u", mn,
                  info->feature);
        if (info->prefix == KIR_PREFIX_FB)
            CHECK(info->feature == KITE_FEATURE_GC, "%s: GC op with feature %u", mn, info->feature);
    }
}

/* Exactly these instructions are constant (incl. extended-const and GC). */
static void check_const_set(void)
{
    static const char *const consts[] = {
        "i32.const", "i64.const", "f32.const", "f64.const", "v128.const", "ref.null",
        "ref.func", "global.get", "i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub",
        "i64.mul", "struct.new", "struct.new_default", "array.new", "array.new_default",
        "array.new_fixed", "ref.i31", "any.convert_extern", "extern.convert_any",
    };
    size_t n = sizeof consts / sizeof consts[0];
    for (uint32_t op = 0; op < KIR_OP_COUNT; op++) {
        const char *mn = kir_opinfo_table[op].mnemonic;
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed |= strcmp(consts[i], mn) == 0;
        CHECK(listed == ((kir_opinfo_table[op].flags & KIR_OPF_CONST) != 0), "%s: CONST flag %s", mn,
              listed ? "missing" : "unexpected");
    }
}

typedef struct spot {
    const char *mnemonic;
    uint8_t prefix;
    uint32_t code;
    kir_imm imm;
    const char *sig; /* NULL: expect NULL */
    uint8_t width;
} spot;

/* Encodings checked by hand against the spec's binary format, the
 * threads overview and the wide-arithmetic testsuite. */
static const spot g_spots[] = {
    {"unreachable", KIR_PREFIX_NONE, 0x00, KIR_IMM_NONE, NULL, 0},
    {"try", KIR_PREFIX_NONE, 0x06, KIR_IMM_BLOCK, NULL, 0},
    {"throw_ref", KIR_PREFIX_NONE, 0x0A, KIR_IMM_NONE, NULL, 0},
    {"return_call_ref", KIR_PREFIX_NONE, 0x15, KIR_IMM_TYPE, NULL, 0},
    {"delegate", KIR_PREFIX_NONE, 0x18, KIR_IMM_LABEL, NULL, 0},
    {"select", KIR_PREFIX_NONE, 0x1B, KIR_IMM_NONE, NULL, 0},
    {"try_table", KIR_PREFIX_NONE, 0x1F, KIR_IMM_TRY_TABLE, NULL, 0},
    {"i64.load32_u", KIR_PREFIX_NONE, 0x35, KIR_IMM_MEMARG, "a>I", 4},
    {"i64.store32", KIR_PREFIX_NONE, 0x3E, KIR_IMM_MEMARG, "aI>", 4},
    {"memory.grow", KIR_PREFIX_NONE, 0x40, KIR_IMM_MEM, "a>a", 0},
    {"f64.const", KIR_PREFIX_NONE, 0x44, KIR_IMM_F64, ">F", 0},
    {"i32.add", KIR_PREFIX_NONE, 0x6A, KIR_IMM_NONE, "ii>i", 0},
    {"i64.rotr", KIR_PREFIX_NONE, 0x8A, KIR_IMM_NONE, "II>I", 0},
    {"f64.copysign", KIR_PREFIX_NONE, 0xA6, KIR_IMM_NONE, "FF>F", 0},
    {"f64.reinterpret_i64", KIR_PREFIX_NONE, 0xBF, KIR_IMM_NONE, "I>F", 0},
    {"i64.extend32_s", KIR_PREFIX_NONE, 0xC4, KIR_IMM_NONE, "I>I", 0},
    {"ref.as_non_null", KIR_PREFIX_NONE, 0xD4, KIR_IMM_NONE, NULL, 0},
    {"br_on_non_null", KIR_PREFIX_NONE, 0xD6, KIR_IMM_LABEL, NULL, 0},
    {"array.new_fixed", KIR_PREFIX_FB, 8, KIR_IMM_TYPE_U32, NULL, 0},
    {"array.copy", KIR_PREFIX_FB, 17, KIR_IMM_TYPE_TYPE, NULL, 0},
    {"br_on_cast_fail", KIR_PREFIX_FB, 25, KIR_IMM_BR_ON_CAST, NULL, 0},
    {"i31.get_u", KIR_PREFIX_FB, 30, KIR_IMM_NONE, NULL, 0},
    {"i64.trunc_sat_f64_u", KIR_PREFIX_FC, 7, KIR_IMM_NONE, "F>I", 0},
    {"memory.fill", KIR_PREFIX_FC, 11, KIR_IMM_MEM, "aia>", 0},
    {"table.init", KIR_PREFIX_FC, 12, KIR_IMM_ELEM_TABLE, NULL, 0},
    {"table.fill", KIR_PREFIX_FC, 17, KIR_IMM_TABLE, NULL, 0},
    {"i64.add128", KIR_PREFIX_FC, 19, KIR_IMM_NONE, "IIII>II", 0},
    {"i64.mul_wide_u", KIR_PREFIX_FC, 22, KIR_IMM_NONE, "II>II", 0},
    {"v128.load", KIR_PREFIX_FD, 0x00, KIR_IMM_MEMARG, "a>v", 16},
    {"v128.load64_splat", KIR_PREFIX_FD, 0x0A, KIR_IMM_MEMARG, "a>v", 8},
    {"i8x16.shuffle", KIR_PREFIX_FD, 0x0D, KIR_IMM_SHUFFLE, "vv>v", 0},
    {"f64x2.replace_lane", KIR_PREFIX_FD, 0x22, KIR_IMM_LANE, "vF>v", 0},
    {"v128.any_true", KIR_PREFIX_FD, 0x53, KIR_IMM_NONE, "v>i", 0},
    {"v128.store16_lane", KIR_PREFIX_FD, 0x59, KIR_IMM_MEMARG_LANE, "av>", 2},
    {"v128.load64_zero", KIR_PREFIX_FD, 0x5D, KIR_IMM_MEMARG, "a>v", 8},
    {"f64x2.promote_low_f32x4", KIR_PREFIX_FD, 0x5F, KIR_IMM_NONE, "v>v", 0},
    {"f32x4.ceil", KIR_PREFIX_FD, 0x67, KIR_IMM_NONE, "v>v", 0},
    {"f64x2.trunc", KIR_PREFIX_FD, 0x7A, KIR_IMM_NONE, "v>v", 0},
    {"i16x8.q15mulr_sat_s", KIR_PREFIX_FD, 0x82, KIR_IMM_NONE, "vv>v", 0},
    {"f64x2.nearest", KIR_PREFIX_FD, 0x94, KIR_IMM_NONE, "v>v", 0},
    {"i32x4.dot_i16x8_s", KIR_PREFIX_FD, 0xBA, KIR_IMM_NONE, "vv>v", 0},
    {"i64x2.shr_u", KIR_PREFIX_FD, 0xCD, KIR_IMM_NONE, "vi>v", 0},
    {"i64x2.ge_s", KIR_PREFIX_FD, 0xDB, KIR_IMM_NONE, "vv>v", 0},
    {"f64x2.pmax", KIR_PREFIX_FD, 0xF7, KIR_IMM_NONE, "vv>v", 0},
    {"f64x2.convert_low_i32x4_s", KIR_PREFIX_FD, 0xFE, KIR_IMM_NONE, "v>v", 0},
    {"i8x16.relaxed_swizzle", KIR_PREFIX_FD, 0x100, KIR_IMM_NONE, "vv>v", 0},
    {"i32x4.relaxed_trunc_f64x2_u_zero", KIR_PREFIX_FD, 0x104, KIR_IMM_NONE, "v>v", 0},
    {"f64x2.relaxed_max", KIR_PREFIX_FD, 0x110, KIR_IMM_NONE, "vv>v", 0},
    {"i32x4.relaxed_dot_i8x16_i7x16_add_s", KIR_PREFIX_FD, 0x113, KIR_IMM_NONE, "vvv>v", 0},
    {"memory.atomic.notify", KIR_PREFIX_FE, 0x00, KIR_IMM_MEMARG, "ai>i", 4},
    {"memory.atomic.wait64", KIR_PREFIX_FE, 0x02, KIR_IMM_MEMARG, "aII>i", 8},
    {"atomic.fence", KIR_PREFIX_FE, 0x03, KIR_IMM_ZERO_BYTE, ">", 0},
    {"i64.atomic.load32_u", KIR_PREFIX_FE, 0x16, KIR_IMM_MEMARG, "a>I", 4},
    {"i32.atomic.store16", KIR_PREFIX_FE, 0x1A, KIR_IMM_MEMARG, "ai>", 2},
    {"i32.atomic.rmw8.add_u", KIR_PREFIX_FE, 0x20, KIR_IMM_MEMARG, "ai>i", 1},
    {"i64.atomic.rmw.xor", KIR_PREFIX_FE, 0x3B, KIR_IMM_MEMARG, "aI>I", 8},
    {"i64.atomic.rmw16.xchg_u", KIR_PREFIX_FE, 0x46, KIR_IMM_MEMARG, "aI>I", 2},
    {"i32.atomic.rmw.cmpxchg", KIR_PREFIX_FE, 0x48, KIR_IMM_MEMARG, "aii>i", 4},
    {"i64.atomic.rmw32.cmpxchg_u", KIR_PREFIX_FE, 0x4E, KIR_IMM_MEMARG, "aII>I", 4},
};

static void check_spots(void)
{
    for (size_t i = 0; i < sizeof g_spots / sizeof g_spots[0]; i++) {
        const spot *s = &g_spots[i];
        kir_op op = by_name(s->mnemonic);
        CHECK(op < KIR_OP_COUNT, "%s: not found", s->mnemonic);
        if (op >= KIR_OP_COUNT)
            continue;
        const kir_opinfo *info = kir_op_info(op);
        CHECK(info->prefix == s->prefix && info->code == s->code, "%s: encoded %s 0x%X, expected %s 0x%X",
              s->mnemonic, prefix_name(info->prefix), info->code, prefix_name(s->prefix), s->code);
        CHECK(info->imm == s->imm, "%s: imm %d, expected %d", s->mnemonic, info->imm, s->imm);
        CHECK((info->sig == NULL) == (s->sig == NULL) && (!s->sig || strcmp(info->sig, s->sig) == 0),
              "%s: sig %s, expected %s", s->mnemonic, info->sig ? info->sig : "NULL",
              s->sig ? s->sig : "NULL");
        CHECK(info->width == s->width, "%s: width %u, expected %u", s->mnemonic, info->width, s->width);
    }
}

static void check_shared_and_missing(void)
{
    /* Shared mnemonics: the text name finds the first form. */
    CHECK(by_name("ref.test") == KIR_OP_REF_TEST, "ref.test by name");
    CHECK(by_name("ref.cast") == KIR_OP_REF_CAST, "ref.cast by name");
    CHECK(by_name("select") == KIR_OP_SELECT, "select by name");
    CHECK(kir_op_lookup(KIR_PREFIX_FB, 21) == KIR_OP_REF_TEST_NULL, "FB 21");
    CHECK(kir_op_lookup(KIR_PREFIX_FB, 23) == KIR_OP_REF_CAST_NULL, "FB 23");
    CHECK(kir_op_lookup(KIR_PREFIX_NONE, 0x1C) == KIR_OP_SELECT_T, "0x1C");
    CHECK(kir_op_info(KIR_OP_SELECT_T)->imm == KIR_IMM_SELECT_T, "select t imm");

    /* Holes in the encoding space and unknown prefixes. */
    static const struct { uint8_t prefix; uint32_t code; } holes[] = {
        {KIR_PREFIX_NONE, 0x16}, {KIR_PREFIX_NONE, 0x17}, {KIR_PREFIX_NONE, 0x1D},
        {KIR_PREFIX_NONE, 0x1E}, {KIR_PREFIX_NONE, 0x27}, {KIR_PREFIX_NONE, 0xC5},
        {KIR_PREFIX_NONE, 0xD7}, {KIR_PREFIX_NONE, 0xFB}, {KIR_PREFIX_NONE, 0xFF},
        {KIR_PREFIX_FB, 31}, {KIR_PREFIX_FB, 1000}, {KIR_PREFIX_FC, 18}, {KIR_PREFIX_FC, 23},
        {KIR_PREFIX_FD, 0x9A}, {KIR_PREFIX_FD, 0xA2}, {KIR_PREFIX_FD, 0xAF}, {KIR_PREFIX_FD, 0xBB},
        {KIR_PREFIX_FD, 0xEE}, {KIR_PREFIX_FD, 0x114}, {KIR_PREFIX_FD, 0xFFFFFFFFu},
        {KIR_PREFIX_FE, 0x04}, {KIR_PREFIX_FE, 0x0F}, {KIR_PREFIX_FE, 0x4F}, {0xFA, 0},
    };
    for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
        CHECK(kir_op_lookup(holes[i].prefix, holes[i].code) == KIR_OP_COUNT, "0x%02X 0x%X should be unused",
              holes[i].prefix, holes[i].code);

    /* Names are length-delimited and exact. */
    CHECK(kir_op_by_mnemonic("i32.addx", 7) == KIR_OP_I32_ADD, "length-delimited lookup");
    CHECK(kir_op_by_mnemonic("i32.add", 6) == KIR_OP_COUNT, "prefix of a mnemonic");
    CHECK(by_name("") == KIR_OP_COUNT, "empty name");
    CHECK(by_name("i32.wrap") == KIR_OP_COUNT, "i32.wrap");
    CHECK(by_name("f32x4.convert_s") == KIR_OP_COUNT, "old SIMD name");
    CHECK(by_name("I32.ADD") == KIR_OP_COUNT, "names are case-sensitive");
}

static void report_counts(void)
{
    static const uint8_t prefixes[] = {KIR_PREFIX_NONE, KIR_PREFIX_FB, KIR_PREFIX_FC, KIR_PREFIX_FD,
                                       KIR_PREFIX_FE};
    unsigned total = 0;
    printf("rows:");
    for (size_t p = 0; p < sizeof prefixes; p++) {
        unsigned n = 0;
        for (uint32_t op = 0; op < KIR_OP_COUNT; op++)
            n += kir_opinfo_table[op].prefix == prefixes[p];
        printf(" %s=%u", prefix_name(prefixes[p]), n);
        total += n;
    }
    printf(" total=%u\n", total);
    CHECK(total == KIR_OP_COUNT, "rows with an unknown prefix");
}

int main(void)
{
    check_rows();
    check_const_set();
    check_spots();
    check_shared_and_missing();
    report_counts();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
