/*
 * Numbers and values as users write them on the command line and as kite
 * prints them: one parser and one formatter for every subcommand (option
 * values, --invoke arguments and results, kite wast reports).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- numbers ----------------------------------------------------------------------- */

/* Unsigned digits, decimal or 0x hexadecimal, at the start of s; false when
 * there are none or they overflow. */
static bool scan_unsigned(const char *s, const char **end, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
        return false;
    char *e;
    errno = 0;
    unsigned long long v = strtoull(s, &e, base);
    if (errno == ERANGE)
        return false;
    *end = e;
    *out = v;
    return true;
}

bool cli_parse_int(const char *s, unsigned bits, uint64_t *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    const char *end;
    uint64_t v;
    if (!scan_unsigned(s, &end, &v) || *end)
        return false;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t nmax = UINT64_C(1) << (bits - 1); /* magnitude of the most negative */
    if (neg ? v > nmax : v > umax)
        return false;
    *out = neg ? (uint64_t)0 - v : v;
    if (bits < 64)
        *out &= umax;
    return true;
}

bool cli_parse_size(const char *s, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (!scan_unsigned(s, &end, &v))
        return false;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    }
    if (shift)
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = v << shift;
    return true;
}

bool cli_parse_duration(const char *s, uint64_t *ns)
{
    static const struct {
        const char *unit;
        uint64_t ns;
    } units[] = {
        {"", 1000000000u}, {"s", 1000000000u}, {"ms", 1000000u}, {"us", 1000u},
        {"m", 60 * UINT64_C(1000000000)}, {"h", 3600 * UINT64_C(1000000000)},
    };
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || v == 0)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) == 0) {
            if (v > UINT64_MAX / units[i].ns)
                return false;
            *ns = (uint64_t)v * units[i].ns;
            return true;
        }
    }
    return false;
}

/* "nan", "nan:0xPAYLOAD" (sign already taken off); false if not a NaN form. */
static bool parse_nan(const char *s, unsigned mant_bits, uint64_t *payload, bool *ok)
{
    *ok = false;
    if (strncmp(s, "nan", 3) != 0)
        return false;
    if (!s[3]) {
        *payload = UINT64_C(1) << (mant_bits - 1); /* the canonical NaN */
        *ok = true;
        return true;
    }
    if (strncmp(s + 3, ":0x", 3) != 0)
        return true;
    char *end;
    errno = 0;
    unsigned long long p = strtoull(s + 6, &end, 16);
    *ok = isxdigit((unsigned char)s[6]) && !*end && errno != ERANGE && p != 0 &&
          p < (UINT64_C(1) << mant_bits);
    *payload = p;
    return true;
}

static bool parse_float(const char *s, unsigned width, uint64_t *bits)
{
    bool is64 = width == 64;
    bool neg = *s == '-';
    const char *body = (*s == '-' || *s == '+') ? s + 1 : s;
    uint64_t payload;
    bool ok;
    if (parse_nan(body, is64 ? 52 : 23, &payload, &ok)) {
        if (!ok)
            return false;
        *bits = is64 ? (UINT64_C(0x7ff) << 52) | payload | ((uint64_t)neg << 63)
                     : (UINT64_C(0xff) << 23) | payload | ((uint64_t)neg << 31);
        return true;
    }
    if (!*body || isspace((unsigned char)*body) || *body == '-' || *body == '+')
        return false;
    char *end;
    if (is64) {
        double d = strtod(s, &end);
        memcpy(bits, &d, sizeof(d));
    } else {
        /* strtof rounds once, straight to single precision */
        float f = strtof(s, &end);
        uint32_t b;
        memcpy(&b, &f, sizeof(f));
        *bits = b;
    }
    return *end == 0;
}

/* 0x and up to 32 hex digits: a 128-bit integer, little-endian in out. */
static bool parse_v128(const char *s, uint8_t out[16])
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    size_t n = strlen(s + 2);
    if (n > 32)
        return false;
    memset(out, 0, 16);
    for (size_t i = 0; i < n; i++) {
        char c = s[2 + n - 1 - i]; /* least significant digit first */
        if (!isxdigit((unsigned char)c))
            return false;
        unsigned d = isdigit((unsigned char)c) ? (unsigned)(c - '0')
                                               : (unsigned)(tolower((unsigned char)c) - 'a' + 10);
        out[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return true;
}

/* ---- values ----------------------------------------------------------------------- */

const char *cli_value_syntax(kite_valkind_t kind)
{
    switch (kind) {
    case KITE_I32:
    case KITE_I64: return "a decimal or 0x hexadecimal integer, optionally negative";
    case KITE_F32:
    case KITE_F64: return "a decimal or hexadecimal float, inf, nan or nan:0xPAYLOAD";
    case KITE_V128: return "0x and up to 32 hex digits (one 128-bit integer)";
    case KITE_REF: return "null (only a null reference can be written)";
    }
    return "a value";
}

bool cli_parse_value(const char *s, kite_valtype_t type, kite_val_t *out)
{
    uint64_t x;
    memset(out, 0, sizeof(*out));
    out->kind = type.kind;
    switch (type.kind) {
    case KITE_I32:
        if (!cli_parse_int(s, 32, &x))
            return false;
        out->of.i32 = (int32_t)(uint32_t)x;
        return true;
    case KITE_I64:
        if (!cli_parse_int(s, 64, &x))
            return false;
        out->of.i64 = (int64_t)x;
        return true;
    case KITE_F32:
        if (!parse_float(s, 32, &x))
            return false;
        out->of.f32_bits = (uint32_t)x;
        return true;
    case KITE_F64:
        return parse_float(s, 64, &out->of.f64_bits);
    case KITE_V128:
        return parse_v128(s, out->of.v128);
    case KITE_REF:
        out->of.ref = KITE_REF_NULL;
        return strcmp(s, "null") == 0 || strcmp(s, "ref.null") == 0;
    }
    return false;
}

/* ---- formatting ---------------------------------------------------------------------- */

void cli_buf_vprintf(cli_buf *b, const char *fmt, va_list ap)
{
    size_t room = sizeof(b->text) - b->len;
    if (room <= 1)
        return;
    int n = vsnprintf(b->text + b->len, room, fmt, ap);
    if (n < 0)
        return;
    b->len += (size_t)n < room ? (size_t)n : room - 1;
}

void cli_buf_printf(cli_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void cli_format_float(cli_buf *b, uint64_t bits, unsigned width, cli_value_style style)
{
    bool is64 = width == 64;
    unsigned mant_bits = is64 ? 52 : 23;
    uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
    uint64_t exp = (bits >> mant_bits) & (is64 ? 0x7ff : 0xff);
    const char *sign = (bits >> (width - 1)) & 1 ? "-" : "";
    if (exp == (is64 ? 0x7ffu : 0xffu)) {
        if (!mant)
            cli_buf_printf(b, "%sinf", sign);
        else if (mant == UINT64_C(1) << (mant_bits - 1))
            cli_buf_printf(b, "%snan", sign);
        else
            cli_buf_printf(b, "%snan:0x%" PRIx64, sign, mant);
    } else if (is64) {
        double d;
        memcpy(&d, &bits, sizeof(d));
        cli_buf_printf(b, "%.17g", d);
    } else {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof(f));
        cli_buf_printf(b, "%.9g", (double)f);
    }
    if (style == CLI_VALUE_TYPED)
        cli_buf_printf(b, " (0x%0*" PRIx64 ")", (int)(width / 4), bits);
}

uint64_t cli_v128_lane(const uint8_t *bytes, unsigned bits, unsigned i)
{
    uint64_t x = 0;
    for (unsigned k = 0; k < bits / 8; k++)
        x |= (uint64_t)bytes[i * (bits / 8) + k] << (8 * k);
    return x;
}

void cli_format_lanes(cli_buf *b, const uint8_t bytes[16], unsigned lane_bits, bool lane_float)
{
    cli_buf_printf(b, "v128 %c%ux%u", lane_float ? 'f' : 'i', lane_bits, 128u / lane_bits);
    for (unsigned i = 0; i < 128u / lane_bits; i++) {
        uint64_t x = cli_v128_lane(bytes, lane_bits, i);
        cli_buf_printf(b, " ");
        if (lane_float)
            cli_format_float(b, x, lane_bits, CLI_VALUE_TYPED);
        else
            cli_buf_printf(b, "0x%0*" PRIx64, (int)(lane_bits / 4), x);
    }
}

static void format_ref(cli_buf *b, kite_ref_t ref, cli_value_style style)
{
    static const char *const names[] = {
        [KITE_REFKIND_NULL] = "ref.null",     [KITE_REFKIND_FUNC] = "ref.func",
        [KITE_REFKIND_HOST] = "ref.host",     [KITE_REFKIND_EXN] = "ref.exn",
        [KITE_REFKIND_I31] = "ref.i31",       [KITE_REFKIND_STRUCT] = "ref.struct",
        [KITE_REFKIND_ARRAY] = "ref.array",
    };
    kite_refkind_t kind = kite_ref_kind(ref);
    uintptr_t host;
    if (kind == KITE_REFKIND_NULL && style == CLI_VALUE_PLAIN)
        cli_buf_printf(b, "null"); /* as an argument is written */
    else if ((unsigned)kind < sizeof(names) / sizeof(names[0]))
        cli_buf_printf(b, "%s", names[kind]);
    else
        cli_buf_printf(b, "ref (unknown kind %d)", (int)kind);
    if (kite_ref_host_value(ref, &host))
        cli_buf_printf(b, " %" PRIuPTR, host);
}

void cli_format_value(cli_buf *b, const kite_val_t *v, cli_value_style style)
{
    bool typed = style == CLI_VALUE_TYPED;
    switch (v->kind) {
    case KITE_I32:
        if (typed)
            cli_buf_printf(b, "i32 %" PRId32 " (0x%08" PRIx32 ")", v->of.i32, (uint32_t)v->of.i32);
        else
            cli_buf_printf(b, "%" PRId32, v->of.i32);
        return;
    case KITE_I64:
        if (typed)
            cli_buf_printf(b, "i64 %" PRId64 " (0x%016" PRIx64 ")", v->of.i64, (uint64_t)v->of.i64);
        else
            cli_buf_printf(b, "%" PRId64, v->of.i64);
        return;
    case KITE_F32:
    case KITE_F64:
        if (typed)
            cli_buf_printf(b, "%s ", kite_valkind_name(v->kind));
        if (v->kind == KITE_F32)
            cli_format_float(b, v->of.f32_bits, 32, style);
        else
            cli_format_float(b, v->of.f64_bits, 64, style);
        return;
    case KITE_V128:
        if (typed) {
            cli_format_lanes(b, v->of.v128, 32, false);
            return;
        }
        cli_buf_printf(b, "0x");
        for (int i = 15; i >= 0; i--)
            cli_buf_printf(b, "%02x", v->of.v128[i]);
        return;
    case KITE_REF:
        format_ref(b, v->of.ref, style);
        return;
    }
    cli_buf_printf(b, "(a value of unknown kind %d)", (int)v->kind);
}
