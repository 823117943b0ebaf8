/*
 * Literal conversion: integer ranges, correctly rounded floats (decimal and
 * hexadecimal, including the rounding edge cases of the spec testsuite's
 * const.wast), NaN payloads and out-of-range constants.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text/lexer.h"
#include "util/alloc.h"

#include "check.h"

/* Lex `s` as exactly one token. */
static ktext_token tok(const char *s)
{
    ktext_lexer lx;
    ktext_token t, end;
    ktext_lexer_init(&lx, &kutil_libc, s, strlen(s), 1, 1);
    if (!ktext_next(&lx, &t) || !ktext_next(&lx, &end) || end.kind != KTEXT_EOF) {
        printf("FAIL: \"%s\" is not one token\n", s);
        g_failures++;
        t.kind = KTEXT_RESERVED;
    }
    return t;
}

/* ---- integers ------------------------------------------------------------ */

static void test_ints(void)
{
    static const struct {
        const char *s;
        unsigned bits;
        bool nat_ok, int_ok;
        uint64_t v;
    } cases[] = {
        {"0", 32, true, true, 0},
        {"4294967295", 32, true, true, 0xffffffffu},
        {"4294967296", 32, false, false, 0},
        {"0xffff_ffff", 32, true, true, 0xffffffffu},
        {"0x1_0000_0000", 32, false, false, 0},
        {"-2147483648", 32, false, true, 0x80000000u},
        {"-0x8000_0000", 32, false, true, 0x80000000u},
        {"-2147483649", 32, false, false, 0},
        {"-1", 32, false, true, 0xffffffffu},
        {"-0", 32, false, true, 0},
        {"+2147483647", 32, false, true, 0x7fffffffu},
        {"+2147483648", 32, false, false, 0},
        {"+0x7fff_ffff", 32, false, true, 0x7fffffffu},
        {"0_123_456_789", 32, true, true, 123456789},
        {"18446744073709551615", 64, true, true, UINT64_MAX},
        {"0xffff_ffff_ffff_ffff", 64, true, true, UINT64_MAX},
        {"18446744073709551616", 64, false, false, 0},
        {"0x1_0000_0000_0000_0000", 64, false, false, 0},
        {"99999999999999999999999", 64, false, false, 0},
        {"-9223372036854775808", 64, false, true, 0x8000000000000000ull},
        {"-9223372036854775809", 64, false, false, 0},
        {"+9223372036854775807", 64, false, true, 0x7fffffffffffffffull},
        {"+9223372036854775808", 64, false, false, 0},
        {"-0x8000000000000000", 64, false, true, 0x8000000000000000ull},
        {"255", 8, true, true, 255},
        {"256", 8, false, false, 0},
        {"-128", 8, false, true, 0x80},
        {"-129", 8, false, false, 0},
        {"-1", 8, false, true, 0xff},
        {"65535", 16, true, true, 0xffff},
        {"-32768", 16, false, true, 0x8000},
        {"-32769", 16, false, false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ktext_token t = tok(cases[i].s);
        uint64_t v = 12345;
        bool ok = ktext_nat(&t, cases[i].bits, &v);
        CHECK(ok == cases[i].nat_ok && (!ok || v == cases[i].v), "nat %s/%u: %d %llx",
              cases[i].s, cases[i].bits, ok, (unsigned long long)v);
        ok = ktext_int(&t, cases[i].bits, &v);
        CHECK(ok == cases[i].int_ok && (!ok || v == cases[i].v), "int %s/%u: %d %llx",
              cases[i].s, cases[i].bits, ok, (unsigned long long)v);
    }
    /* non-integers */
    static const char *const bad[] = {"1.0", "1e3", "0x1p1", "inf", "nan", "$x", "\"1\"", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ktext_token t = tok(bad[i]);
        uint64_t v;
        CHECK(!ktext_nat(&t, 64, &v) && !ktext_int(&t, 64, &v), "not an integer: %s", bad[i]);
    }
}

/* ---- floats: spec testsuite vectors (const.wast) -------------------------- */

static const struct {
    const char *s;
    uint32_t bits;
} g_f32_const[] = {
    {"+0x1.00000100000000000p-50", 0x26800000},
    {"-0x1.00000100000000000p-50", 0xa6800000},
    {"+0x1.00000100000000001p-50", 0x26800001},
    {"-0x1.00000100000000001p-50", 0xa6800001},
    {"+0x1.000001fffffffffffp-50", 0x26800001},
    {"-0x1.000001fffffffffffp-50", 0xa6800001},
    {"+0x1.00000200000000000p-50", 0x26800001},
    {"-0x1.00000200000000000p-50", 0xa6800001},
    {"+0x1.00000200000000001p-50", 0x26800001},
    {"-0x1.00000200000000001p-50", 0xa6800001},
    {"+0x1.000002fffffffffffp-50", 0x26800001},
    {"-0x1.000002fffffffffffp-50", 0xa6800001},
    {"+0x1.00000300000000000p-50", 0x26800002},
    {"-0x1.00000300000000000p-50", 0xa6800002},
    {"+0x1.00000300000000001p-50", 0x26800002},
    {"-0x1.00000300000000001p-50", 0xa6800002},
    {"+0x1.000003fffffffffffp-50", 0x26800002},
    {"-0x1.000003fffffffffffp-50", 0xa6800002},
    {"+0x1.00000400000000000p-50", 0x26800002},
    {"-0x1.00000400000000000p-50", 0xa6800002},
    {"+0x1.00000400000000001p-50", 0x26800002},
    {"-0x1.00000400000000001p-50", 0xa6800002},
    {"+0x1.000004fffffffffffp-50", 0x26800002},
    {"-0x1.000004fffffffffffp-50", 0xa6800002},
    {"+0x1.00000500000000000p-50", 0x26800002},
    {"-0x1.00000500000000000p-50", 0xa6800002},
    {"+0x1.00000500000000001p-50", 0x26800003},
    {"-0x1.00000500000000001p-50", 0xa6800003},
    {"+0x4000.004000000p-64", 0x26800000},
    {"-0x4000.004000000p-64", 0xa6800000},
    {"+0x4000.004000001p-64", 0x26800001},
    {"-0x4000.004000001p-64", 0xa6800001},
    {"+0x4000.007ffffffp-64", 0x26800001},
    {"-0x4000.007ffffffp-64", 0xa6800001},
    {"+0x4000.008000000p-64", 0x26800001},
    {"-0x4000.008000000p-64", 0xa6800001},
    {"+0x4000.008000001p-64", 0x26800001},
    {"-0x4000.008000001p-64", 0xa6800001},
    {"+0x4000.00bffffffp-64", 0x26800001},
    {"-0x4000.00bffffffp-64", 0xa6800001},
    {"+0x4000.00c000000p-64", 0x26800002},
    {"-0x4000.00c000000p-64", 0xa6800002},
    {"+0x4000.00c000001p-64", 0x26800002},
    {"-0x4000.00c000001p-64", 0xa6800002},
    {"+0x4000.00fffffffp-64", 0x26800002},
    {"-0x4000.00fffffffp-64", 0xa6800002},
    {"+0x4000.010000001p-64", 0x26800002},
    {"-0x4000.010000001p-64", 0xa6800002},
    {"+0x4000.013ffffffp-64", 0x26800002},
    {"-0x4000.013ffffffp-64", 0xa6800002},
    {"+0x4000.014000001p-64", 0x26800003},
    {"-0x4000.014000001p-64", 0xa6800003},
    {"+8.8817847263968443573e-16", 0x26800000},
    {"-8.8817847263968443573e-16", 0xa6800000},
    {"+8.8817847263968443574e-16", 0x26800001},
    {"-8.8817847263968443574e-16", 0xa6800001},
    {"+8.8817857851880284252e-16", 0x26800001},
    {"-8.8817857851880284252e-16", 0xa6800001},
    {"+8.8817857851880284253e-16", 0x26800002},
    {"-8.8817857851880284253e-16", 0xa6800002},
    {"+0x1.00000100000000000p+50", 0x58800000},
    {"-0x1.00000100000000000p+50", 0xd8800000},
    {"+0x1.00000100000000001p+50", 0x58800001},
    {"-0x1.00000100000000001p+50", 0xd8800001},
    {"+0x1.000001fffffffffffp+50", 0x58800001},
    {"-0x1.000001fffffffffffp+50", 0xd8800001},
    {"+0x1.00000200000000000p+50", 0x58800001},
    {"-0x1.00000200000000000p+50", 0xd8800001},
    {"+0x1.00000200000000001p+50", 0x58800001},
    {"-0x1.00000200000000001p+50", 0xd8800001},
    {"+0x1.000002fffffffffffp+50", 0x58800001},
    {"-0x1.000002fffffffffffp+50", 0xd8800001},
    {"+0x1.00000300000000000p+50", 0x58800002},
    {"-0x1.00000300000000000p+50", 0xd8800002},
    {"+0x1.00000300000000001p+50", 0x58800002},
    {"-0x1.00000300000000001p+50", 0xd8800002},
    {"+0x1.000003fffffffffffp+50", 0x58800002},
    {"-0x1.000003fffffffffffp+50", 0xd8800002},
    {"+0x1.00000400000000000p+50", 0x58800002},
    {"-0x1.00000400000000000p+50", 0xd8800002},
    {"+0x1.00000400000000001p+50", 0x58800002},
    {"-0x1.00000400000000001p+50", 0xd8800002},
    {"+0x1.000004fffffffffffp+50", 0x58800002},
    {"-0x1.000004fffffffffffp+50", 0xd8800002},
    {"+0x1.00000500000000000p+50", 0x58800002},
    {"-0x1.00000500000000000p+50", 0xd8800002},
    {"+0x1.00000500000000001p+50", 0x58800003},
    {"-0x1.00000500000000001p+50", 0xd8800003},
    {"+0x4000004000000", 0x58800000},
    {"-0x4000004000000", 0xd8800000},
    {"+0x4000004000001", 0x58800001},
    {"-0x4000004000001", 0xd8800001},
    {"+0x4000007ffffff", 0x58800001},
    {"-0x4000007ffffff", 0xd8800001},
    {"+0x4000008000000", 0x58800001},
    {"-0x4000008000000", 0xd8800001},
    {"+0x4000008000001", 0x58800001},
    {"-0x4000008000001", 0xd8800001},
    {"+0x400000bffffff", 0x58800001},
    {"-0x400000bffffff", 0xd8800001},
    {"+0x400000c000000", 0x58800002},
    {"-0x400000c000000", 0xd8800002},
    {"+1125899973951488", 0x58800000},
    {"-1125899973951488", 0xd8800000},
    {"+1125899973951489", 0x58800001},
    {"-1125899973951489", 0xd8800001},
    {"+1125900108169215", 0x58800001},
    {"-1125900108169215", 0xd8800001},
    {"+1125900108169216", 0x58800002},
    {"-1125900108169216", 0xd8800002},
    {"+0x0.00000100000000000p-126", 0x0},
    {"-0x0.00000100000000000p-126", 0x80000000},
    {"+0x0.00000100000000001p-126", 0x1},
    {"-0x0.00000100000000001p-126", 0x80000001},
    {"+0x0.000001fffffffffffp-126", 0x1},
    {"-0x0.000001fffffffffffp-126", 0x80000001},
    {"+0x0.00000200000000000p-126", 0x1},
    {"-0x0.00000200000000000p-126", 0x80000001},
    {"+0x0.00000200000000001p-126", 0x1},
    {"-0x0.00000200000000001p-126", 0x80000001},
    {"+0x0.000002fffffffffffp-126", 0x1},
    {"-0x0.000002fffffffffffp-126", 0x80000001},
    {"+0x0.00000300000000000p-126", 0x2},
    {"-0x0.00000300000000000p-126", 0x80000002},
    {"+0x0.00000300000000001p-126", 0x2},
    {"-0x0.00000300000000001p-126", 0x80000002},
    {"+0x0.000003fffffffffffp-126", 0x2},
    {"-0x0.000003fffffffffffp-126", 0x80000002},
    {"+0x0.00000400000000000p-126", 0x2},
    {"-0x0.00000400000000000p-126", 0x80000002},
    {"+0x0.00000400000000001p-126", 0x2},
    {"-0x0.00000400000000001p-126", 0x80000002},
    {"+0x0.000004fffffffffffp-126", 0x2},
    {"-0x0.000004fffffffffffp-126", 0x80000002},
    {"+0x0.00000500000000000p-126", 0x2},
    {"-0x0.00000500000000000p-126", 0x80000002},
    {"+0x0.00000500000000001p-126", 0x3},
    {"-0x0.00000500000000001p-126", 0x80000003},
    {"+0x1.fffffe8p127", 0x7f7fffff},
    {"-0x1.fffffe8p127", 0xff7fffff},
    {"+0x1.fffffefffffff8p127", 0x7f7fffff},
    {"-0x1.fffffefffffff8p127", 0xff7fffff},
    {"+0x1.fffffefffffffffffp127", 0x7f7fffff},
    {"-0x1.fffffefffffffffffp127", 0xff7fffff},
};

static const struct {
    const char *s;
    uint64_t bits;
} g_f64_const[] = {
    {"+0x1.000000000000080000000000p-600", 0x1a70000000000000ull},
    {"-0x1.000000000000080000000000p-600", 0x9a70000000000000ull},
    {"+0x1.000000000000080000000001p-600", 0x1a70000000000001ull},
    {"-0x1.000000000000080000000001p-600", 0x9a70000000000001ull},
    {"+0x1.0000000000000fffffffffffp-600", 0x1a70000000000001ull},
    {"-0x1.0000000000000fffffffffffp-600", 0x9a70000000000001ull},
    {"+0x1.000000000000100000000000p-600", 0x1a70000000000001ull},
    {"-0x1.000000000000100000000000p-600", 0x9a70000000000001ull},
    {"+0x1.000000000000100000000001p-600", 0x1a70000000000001ull},
    {"-0x1.000000000000100000000001p-600", 0x9a70000000000001ull},
    {"+0x1.00000000000017ffffffffffp-600", 0x1a70000000000001ull},
    {"-0x1.00000000000017ffffffffffp-600", 0x9a70000000000001ull},
    {"+0x1.000000000000180000000000p-600", 0x1a70000000000002ull},
    {"-0x1.000000000000180000000000p-600", 0x9a70000000000002ull},
    {"+0x1.000000000000180000000001p-600", 0x1a70000000000002ull},
    {"-0x1.000000000000180000000001p-600", 0x9a70000000000002ull},
    {"+0x1.0000000000001fffffffffffp-600", 0x1a70000000000002ull},
    {"-0x1.0000000000001fffffffffffp-600", 0x9a70000000000002ull},
    {"+0x1.000000000000200000000000p-600", 0x1a70000000000002ull},
    {"-0x1.000000000000200000000000p-600", 0x9a70000000000002ull},
    {"+0x1.000000000000200000000001p-600", 0x1a70000000000002ull},
    {"-0x1.000000000000200000000001p-600", 0x9a70000000000002ull},
    {"+0x1.00000000000027ffffffffffp-600", 0x1a70000000000002ull},
    {"-0x1.00000000000027ffffffffffp-600", 0x9a70000000000002ull},
    {"+0x1.000000000000280000000001p-600", 0x1a70000000000003ull},
    {"-0x1.000000000000280000000001p-600", 0x9a70000000000003ull},
    {"+0x8000000.000000400000000000p-627", 0x1a70000000000000ull},
    {"-0x8000000.000000400000000000p-627", 0x9a70000000000000ull},
    {"+0x8000000.000000400000000001p-627", 0x1a70000000000001ull},
    {"-0x8000000.000000400000000001p-627", 0x9a70000000000001ull},
    {"+0x8000000.0000007fffffffffffp-627", 0x1a70000000000001ull},
    {"-0x8000000.0000007fffffffffffp-627", 0x9a70000000000001ull},
    {"+0x8000000.000000800000000000p-627", 0x1a70000000000001ull},
    {"-0x8000000.000000800000000000p-627", 0x9a70000000000001ull},
    {"+0x8000000.000000800000000001p-627", 0x1a70000000000001ull},
    {"-0x8000000.000000800000000001p-627", 0x9a70000000000001ull},
    {"+0x8000000.000000bfffffffffffp-627", 0x1a70000000000001ull},
    {"-0x8000000.000000bfffffffffffp-627", 0x9a70000000000001ull},
    {"+0x8000000.000000c00000000000p-627", 0x1a70000000000002ull},
    {"-0x8000000.000000c00000000000p-627", 0x9a70000000000002ull},
    {"+0x8000000.000000c00000000001p-627", 0x1a70000000000002ull},
    {"-0x8000000.000000c00000000001p-627", 0x9a70000000000002ull},
    {"+0x8000000.000000ffffffffffffp-627", 0x1a70000000000002ull},
    {"-0x8000000.000000ffffffffffffp-627", 0x9a70000000000002ull},
    {"+0x8000000.000001000000000000p-627", 0x1a70000000000002ull},
    {"-0x8000000.000001000000000000p-627", 0x9a70000000000002ull},
    {"+0x8000000.000001000000000001p-627", 0x1a70000000000002ull},
    {"-0x8000000.000001000000000001p-627", 0x9a70000000000002ull},
    {"+0x8000000.0000013fffffffffffp-627", 0x1a70000000000002ull},
    {"-0x8000000.0000013fffffffffffp-627", 0x9a70000000000002ull},
    {"+0x8000000.000001400000000001p-627", 0x1a70000000000003ull},
    {"-0x8000000.000001400000000001p-627", 0x9a70000000000003ull},
    {"+5.3575430359313371995e+300", 0x7e60000000000000ull},
    {"-5.3575430359313371995e+300", 0xfe60000000000000ull},
    {"+5.3575430359313371996e+300", 0x7e60000000000001ull},
    {"-5.3575430359313371996e+300", 0xfe60000000000001ull},
    {"+5.3575430359313383891e+300", 0x7e60000000000001ull},
    {"-5.3575430359313383891e+300", 0xfe60000000000001ull},
    {"+5.3575430359313383892e+300", 0x7e60000000000002ull},
    {"-5.3575430359313383892e+300", 0xfe60000000000002ull},
    {"+0x1.000000000000080000000000p+600", 0x6570000000000000ull},
    {"-0x1.000000000000080000000000p+600", 0xe570000000000000ull},
    {"+0x1.000000000000080000000001p+600", 0x6570000000000001ull},
    {"-0x1.000000000000080000000001p+600", 0xe570000000000001ull},
    {"+0x1.0000000000000fffffffffffp+600", 0x6570000000000001ull},
    {"-0x1.0000000000000fffffffffffp+600", 0xe570000000000001ull},
    {"+0x1.000000000000100000000000p+600", 0x6570000000000001ull},
    {"-0x1.000000000000100000000000p+600", 0xe570000000000001ull},
    {"+0x1.000000000000100000000001p+600", 0x6570000000000001ull},
    {"-0x1.000000000000100000000001p+600", 0xe570000000000001ull},
    {"+0x1.00000000000017ffffffffffp+600", 0x6570000000000001ull},
    {"-0x1.00000000000017ffffffffffp+600", 0xe570000000000001ull},
    {"+0x1.000000000000180000000000p+600", 0x6570000000000002ull},
    {"-0x1.000000000000180000000000p+600", 0xe570000000000002ull},
    {"+0x1.000000000000180000000001p+600", 0x6570000000000002ull},
    {"-0x1.000000000000180000000001p+600", 0xe570000000000002ull},
    {"+0x1.0000000000001fffffffffffp+600", 0x6570000000000002ull},
    {"-0x1.0000000000001fffffffffffp+600", 0xe570000000000002ull},
    {"+0x1.000000000000200000000000p+600", 0x6570000000000002ull},
    {"-0x1.000000000000200000000000p+600", 0xe570000000000002ull},
    {"+0x1.000000000000200000000001p+600", 0x6570000000000002ull},
    {"-0x1.000000000000200000000001p+600", 0xe570000000000002ull},
    {"+0x1.00000000000027ffffffffffp+600", 0x6570000000000002ull},
    {"-0x1.00000000000027ffffffffffp+600", 0xe570000000000002ull},
    {"+0x1.000000000000280000000000p+600", 0x6570000000000002ull},
    {"-0x1.000000000000280000000000p+600", 0xe570000000000002ull},
    {"+0x1.000000000000280000000001p+600", 0x6570000000000003ull},
    {"-0x1.000000000000280000000001p+600", 0xe570000000000003ull},
    {"+0x2000000000000100000000000", 0x4600000000000000ull},
    {"-0x2000000000000100000000000", 0xc600000000000000ull},
    {"+0x2000000000000100000000001", 0x4600000000000001ull},
    {"-0x2000000000000100000000001", 0xc600000000000001ull},
    {"+0x20000000000001fffffffffff", 0x4600000000000001ull},
    {"-0x20000000000001fffffffffff", 0xc600000000000001ull},
    {"+0x2000000000000200000000000", 0x4600000000000001ull},
    {"-0x2000000000000200000000000", 0xc600000000000001ull},
    {"+0x2000000000000200000000001", 0x4600000000000001ull},
    {"-0x2000000000000200000000001", 0xc600000000000001ull},
    {"+0x20000000000002fffffffffff", 0x4600000000000001ull},
    {"-0x20000000000002fffffffffff", 0xc600000000000001ull},
    {"+0x2000000000000300000000000", 0x4600000000000002ull},
    {"-0x2000000000000300000000000", 0xc600000000000002ull},
    {"+0x2000000000000300000000001", 0x4600000000000002ull},
    {"-0x2000000000000300000000001", 0xc600000000000002ull},
    {"+0x20000000000003fffffffffff", 0x4600000000000002ull},
    {"-0x20000000000003fffffffffff", 0xc600000000000002ull},
    {"+0x2000000000000400000000000", 0x4600000000000002ull},
    {"-0x2000000000000400000000000", 0xc600000000000002ull},
    {"+0x2000000000000400000000001", 0x4600000000000002ull},
    {"-0x2000000000000400000000001", 0xc600000000000002ull},
    {"+0x20000000000004fffffffffff", 0x4600000000000002ull},
    {"-0x20000000000004fffffffffff", 0xc600000000000002ull},
    {"+0x2000000000000500000000000", 0x4600000000000002ull},
    {"-0x2000000000000500000000000", 0xc600000000000002ull},
    {"+0x2000000000000500000000001", 0x4600000000000003ull},
    {"-0x2000000000000500000000001", 0xc600000000000003ull},
    {"+1152921504606847104", 0x43b0000000000000ull},
    {"-1152921504606847104", 0xc3b0000000000000ull},
    {"+1152921504606847105", 0x43b0000000000001ull},
    {"-1152921504606847105", 0xc3b0000000000001ull},
    {"+1152921504606847359", 0x43b0000000000001ull},
    {"-1152921504606847359", 0xc3b0000000000001ull},
    {"+1152921504606847360", 0x43b0000000000002ull},
    {"-1152921504606847360", 0xc3b0000000000002ull},
    {"+0x0.000000000000080000000000p-1022", 0x0ull},
    {"-0x0.000000000000080000000000p-1022", 0x8000000000000000ull},
    {"+0x0.000000000000080000000001p-1022", 0x1ull},
    {"-0x0.000000000000080000000001p-1022", 0x8000000000000001ull},
    {"+0x0.0000000000000fffffffffffp-1022", 0x1ull},
    {"-0x0.0000000000000fffffffffffp-1022", 0x8000000000000001ull},
    {"+0x0.000000000000100000000000p-1022", 0x1ull},
    {"-0x0.000000000000100000000000p-1022", 0x8000000000000001ull},
    {"+0x0.000000000000100000000001p-1022", 0x1ull},
    {"-0x0.000000000000100000000001p-1022", 0x8000000000000001ull},
    {"+0x0.00000000000017ffffffffffp-1022", 0x1ull},
    {"-0x0.00000000000017ffffffffffp-1022", 0x8000000000000001ull},
    {"+0x0.000000000000180000000000p-1022", 0x2ull},
    {"-0x0.000000000000180000000000p-1022", 0x8000000000000002ull},
    {"+0x0.000000000000180000000001p-1022", 0x2ull},
    {"-0x0.000000000000180000000001p-1022", 0x8000000000000002ull},
    {"+0x0.0000000000001fffffffffffp-1022", 0x2ull},
    {"-0x0.0000000000001fffffffffffp-1022", 0x8000000000000002ull},
    {"+0x0.000000000000200000000000p-1022", 0x2ull},
    {"-0x0.000000000000200000000000p-1022", 0x8000000000000002ull},
    {"+0x0.000000000000200000000001p-1022", 0x2ull},
    {"-0x0.000000000000200000000001p-1022", 0x8000000000000002ull},
    {"+0x0.00000000000027ffffffffffp-1022", 0x2ull},
    {"-0x0.00000000000027ffffffffffp-1022", 0x8000000000000002ull},
    {"+0x0.000000000000280000000000p-1022", 0x2ull},
    {"-0x0.000000000000280000000000p-1022", 0x8000000000000002ull},
    {"+0x1.000000000000280000000001p-1022", 0x10000000000003ull},
    {"-0x1.000000000000280000000001p-1022", 0x8010000000000003ull},
    {"+0x1.fffffffffffff4p1023", 0x7fefffffffffffffull},
    {"-0x1.fffffffffffff4p1023", 0xffefffffffffffffull},
    {"+0x1.fffffffffffff7ffffffp1023", 0x7fefffffffffffffull},
    {"-0x1.fffffffffffff7ffffffp1023", 0xffefffffffffffffull},
};

static void test_const_wast(void)
{
    for (size_t i = 0; i < sizeof(g_f32_const) / sizeof(g_f32_const[0]); i++) {
        ktext_token t = tok(g_f32_const[i].s);
        uint32_t b = 0;
        bool ok = ktext_f32(&t, &b);
        CHECK(ok && b == g_f32_const[i].bits, "f32 %s: %d %08x want %08x", g_f32_const[i].s, ok,
              b, g_f32_const[i].bits);
    }
    for (size_t i = 0; i < sizeof(g_f64_const) / sizeof(g_f64_const[0]); i++) {
        ktext_token t = tok(g_f64_const[i].s);
        uint64_t b = 0;
        bool ok = ktext_f64(&t, &b);
        CHECK(ok && b == g_f64_const[i].bits, "f64 %s: %d %016llx want %016llx",
              g_f64_const[i].s, ok, (unsigned long long)b,
              (unsigned long long)g_f64_const[i].bits);
    }
}

/* ---- floats: hand-picked cases ------------------------------------------- */

static void test_f32(void)
{
    static const struct {
        const char *s;
        bool ok;
        uint32_t bits;
    } cases[] = {
        {"0", true, 0},
        {"-0", true, 0x80000000u},
        {"-0.0", true, 0x80000000u},
        {"1", true, 0x3f800000u},
        {"0x10", true, 0x41800000u},
        {"-1.5", true, 0xbfc00000u},
        {"0.1", true, 0x3dcccccdu},
        {"1e0", true, 0x3f800000u},
        {"1.e1", true, 0x41200000u},
        {"0x1p-1", true, 0x3f000000u},
        {"0x1.8p1", true, 0x40400000u},
        {"0x.8p1", false, 0}, /* not a token of the float grammar */
        {"0x1P+2", true, 0x40800000u},
        {"3.4028234663852886e38", true, 0x7f7fffffu},
        {"340282356779733623858607532500980858879", true, 0x7f7fffffu},
        {"340282356779733623858607532500980858880", true, 0x7f7fffffu},  /* tie: to even */
        {"340282356779733661637539395458142568447", true, 0x7f7fffffu},
        {"340282356779733661637539395458142568448", false, 0}, /* rounds to inf */
        {"1e39", false, 0},
        {"1e1000000000000", false, 0},
        {"0x1p128", false, 0},
        {"0x1.ffffffp127", false, 0},
        {"0x1.fffffe7ffffffffffffffffp127", true, 0x7f7fffffu},
        {"0x1p-149", true, 1},
        {"0x1p-150", true, 0},            /* tie with zero: to even */
        {"0x1.0000000001p-150", true, 1}, /* just above the tie */
        {"0x1.8p-149", true, 2},          /* tie 1.5 -> 2 */
        {"0x1p-126", true, 0x00800000u},
        {"0x0.ffffffp-126", true, 0x00800000u}, /* subnormal rounding up to normal */
        {"0x0.fffffep-126", true, 0x007fffffu},
        {"1.401298464324817e-45", true, 1},
        {"7.006492321624085e-46", true, 0},   /* just below half of the smallest */
        {"7.006492321624086e-46", true, 1},   /* just above */
        {"1e-1000000000000", true, 0},
        {"-1e-1000000000000", true, 0x80000000u},
        {"0e1000000000000", true, 0},
        {"0x0p1000000000000", true, 0},
        {"1_000.000_1", true, 0x447a0002u},
        {"inf", true, 0x7f800000u},
        {"-inf", true, 0xff800000u},
        {"+inf", true, 0x7f800000u},
        {"nan", true, 0x7fc00000u},
        {"-nan", true, 0xffc00000u},
        {"nan:0x1", true, 0x7f800001u},
        {"-nan:0x7f_ffff", true, 0xffffffffu},
        {"nan:0x200000", true, 0x7fa00000u},
        {"nan:0x0", false, 0},
        {"nan:0x80_0000", false, 0},
        {"nan:0xffffffffffffffffffff", false, 0},
        /* f32 must be rounded from the decimal directly: rounding through
         * double first would give 0x3f800001 (double rounding) */
        {"1.00000005960464477550", true, 0x3f800001u},
        {"1.000000059604644775390625", true, 0x3f800000u}, /* exact tie: to even */
        {"1.0000000596046447753906250000000000000000001", true, 0x3f800001u},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ktext_token t = tok(cases[i].s);
        uint32_t b = 0;
        bool ok = ktext_f32(&t, &b);
        CHECK(ok == cases[i].ok && (!ok || b == cases[i].bits), "f32 %s: %d %08x want %d %08x",
              cases[i].s, ok, b, cases[i].ok, cases[i].bits);
    }
}

static void test_f64(void)
{
    static const struct {
        const char *s;
        bool ok;
        uint64_t bits;
    } cases[] = {
        {"0", true, 0},
        {"-0", true, 0x8000000000000000ull},
        {"1", true, 0x3ff0000000000000ull},
        {"0.1", true, 0x3fb999999999999aull},
        {"-0x1.8p1", true, 0xc008000000000000ull},
        {"1.7976931348623157e308", true, 0x7fefffffffffffffull},
        {"1.7976931348623158e308", true, 0x7fefffffffffffffull},
        {"1.797693134862315807937289714053034150799e308", true, 0x7fefffffffffffffull},
        {"1.797693134862315807937289714053034150800e308", false, 0}, /* tie -> inf */
        {"1e309", false, 0},
        {"0x1p1024", false, 0},
        {"0x1.fffffffffffff8p1023", false, 0},
        {"0x1.fffffffffffff7ffffffp1023", true, 0x7fefffffffffffffull},
        {"4.9406564584124654e-324", true, 1},
        {"2.4703282292062327e-324", true, 0},  /* below the tie */
        {"2.4703282292062328e-324", true, 1},  /* above the tie */
        {"0x1p-1074", true, 1},
        {"0x1p-1075", true, 0},
        {"0x1.8p-1074", true, 2},
        {"2.2250738585072011e-308", true, 0x000fffffffffffffull},
        {"2.2250738585072014e-308", true, 0x0010000000000000ull},
        /* the classic hard cases for naive converters */
        {"2.2250738585072012e-308", true, 0x0010000000000000ull},
        {"9007199254740993", true, 0x4340000000000000ull},  /* 2^53+1: tie to even */
        {"9007199254740995", true, 0x4340000000000002ull},  /* 2^53+3: tie to even (up) */
        {"9007199254740993.0000000000000000000000000001", true, 0x4340000000000001ull},
        {"123456789012345678901234567890", true, 0x45f8ee90ff6c373eull},
        {"0.000000000000000000000000000000000000000000001", true, 0x3696d601ad376ab9ull},
        {"inf", true, 0x7ff0000000000000ull},
        {"-inf", true, 0xfff0000000000000ull},
        {"nan", true, 0x7ff8000000000000ull},
        {"-nan", true, 0xfff8000000000000ull},
        {"nan:0x1", true, 0x7ff0000000000001ull},
        {"nan:0xf_ffff_ffff_ffff", true, 0x7fffffffffffffffull},
        {"nan:0x10_0000_0000_0000", false, 0},
        {"nan:0x0", false, 0},
        {"1e-400", true, 0},
        {"0x0.0000000000001p-1022", true, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ktext_token t = tok(cases[i].s);
        uint64_t b = 0;
        bool ok = ktext_f64(&t, &b);
        CHECK(ok == cases[i].ok && (!ok || b == cases[i].bits),
              "f64 %s: %d %016llx want %d %016llx", cases[i].s, ok, (unsigned long long)b,
              cases[i].ok, (unsigned long long)cases[i].bits);
    }
}

/* Very long literals: truncation to the significant prefix must keep the
 * sticky information of the tail. */
static void test_long(void)
{
    static char buf[20000];
    /* 1 + 2^-53 exactly (a tie between 1 and 1+2^-52) followed by zeros... */
    const char *tie = "1.00000000000000011102230246251565404236316680908203125";
    size_t n = strlen(tie);
    memcpy(buf, tie, n);
    while (n < 10000)
        buf[n++] = '0';
    buf[n] = 0;
    ktext_token t = {KTEXT_FLOAT, buf, (uint32_t)n, 1, 1};
    uint64_t b;
    CHECK(ktext_f64(&t, &b) && b == 0x3ff0000000000000ull, "long tie: %016llx",
          (unsigned long long)b);
    /* ...and with a 1 far out in the tail it rounds up */
    buf[n - 1] = '1';
    CHECK(ktext_f64(&t, &b) && b == 0x3ff0000000000001ull, "long tie+: %016llx",
          (unsigned long long)b);
    /* many leading zeros before the significant digits */
    n = 0;
    buf[n++] = '0';
    buf[n++] = '.';
    for (int i = 0; i < 5000; i++)
        buf[n++] = '0';
    buf[n++] = '1';
    memcpy(buf + n, "e5001", 6);
    n += 5;
    t.len = (uint32_t)n;
    CHECK(ktext_f64(&t, &b) && b == 0x3ff0000000000000ull, "leading zeros: %016llx",
          (unsigned long long)b);
    /* a long hexadecimal mantissa */
    n = 0;
    memcpy(buf, "0x1.", 4);
    n = 4;
    for (int i = 0; i < 13; i++)
        buf[n++] = '0';
    buf[n++] = '8';
    for (int i = 0; i < 3000; i++)
        buf[n++] = '0';
    buf[n++] = '1';
    t.len = (uint32_t)n;
    CHECK(ktext_f64(&t, &b) && b == 0x3ff0000000000001ull, "long hex: %016llx",
          (unsigned long long)b);
    /* a long integer */
    n = 0;
    buf[n++] = '1';
    for (int i = 0; i < 308; i++)
        buf[n++] = '0';
    t.kind = KTEXT_NAT;
    t.len = (uint32_t)n;
    CHECK(ktext_f64(&t, &b) && b == 0x7fe1ccf385ebc8a0ull, "1e308 digits: %016llx",
          (unsigned long long)b);
    buf[n++] = '0';
    t.len = (uint32_t)n;
    CHECK(!ktext_f64(&t, &b), "1e309 digits");
}

/* Not floats at all. */
static void test_float_syntax(void)
{
    static const char *const bad[] = {".0", ".0e0", "0e", "0e+", "0.0e", "0.0e-", "0x", "1x",
                                      "0xg", "0x.", "0x0.g", "0x0p", "0x0p+", "0x0p-", "0x0.0p",
                                      "0x0.0p+", "0x0.0p-", "0x0pA", "nan:1", "nan:0x", "1_",
                                      "1__0", "1._0", "0x_1", "infinity", "nan:canonical"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ktext_lexer lx;
        ktext_token t;
        ktext_lexer_init(&lx, &kutil_libc, bad[i], strlen(bad[i]), 1, 1);
        if (!ktext_next(&lx, &t))
            continue;
        uint32_t b32;
        uint64_t b64;
        CHECK(!ktext_f32(&t, &b32) && !ktext_f64(&t, &b64), "accepted %s", bad[i]);
        /* forcing the kind must not make the converter accept it either */
        t.kind = KTEXT_FLOAT;
        CHECK(!ktext_f32(&t, &b32) && !ktext_f64(&t, &b64), "accepted forced %s", bad[i]);
    }
}

/* Every f32 decimal printed with 9 significant digits must read back as
 * itself, and with 17 digits every sampled double likewise. */
static void test_roundtrip(void)
{
    uint32_t x = 12345;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t bits = x;
        if ((bits & 0x7f800000u) == 0x7f800000u)
            continue;
        float f;
        memcpy(&f, &bits, 4);
        snprintf(buf, sizeof(buf), "%.9g", (double)f);
        ktext_token t = tok(buf);
        uint32_t got = 0;
        if (!ktext_f32(&t, &got) || got != bits) {
            CHECK(false, "f32 roundtrip %s: %08x want %08x", buf, got, bits);
            break;
        }
        snprintf(buf, sizeof(buf), "%a", (double)f);
        t = tok(buf);
        if (!ktext_f32(&t, &got) || got != bits) {
            CHECK(false, "f32 hex roundtrip %s: %08x want %08x", buf, got, bits);
            break;
        }
    }
    uint64_t y = 987654321;
    for (int i = 0; i < 200000; i++) {
        y = y * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t bits = y;
        if ((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull)
            continue;
        double d;
        memcpy(&d, &bits, 8);
        snprintf(buf, sizeof(buf), "%.17g", d);
        ktext_token t = tok(buf);
        uint64_t got = 0;
        if (!ktext_f64(&t, &got) || got != bits) {
            CHECK(false, "f64 roundtrip %s: %016llx want %016llx", buf,
                  (unsigned long long)got, (unsigned long long)bits);
            break;
        }
        snprintf(buf, sizeof(buf), "%a", d);
        t = tok(buf);
        if (!ktext_f64(&t, &got) || got != bits) {
            CHECK(false, "f64 hex roundtrip %s: %016llx want %016llx", buf,
                  (unsigned long long)got, (unsigned long long)bits);
            break;
        }
    }
}

int main(void)
{
    test_ints();
    test_const_wast();
    test_f32();
    test_f64();
    test_long();
    test_float_syntax();
    test_roundtrip();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
