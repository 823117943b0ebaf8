/*
 * Literal tokens to values: integers, floats (correctly rounded, without
 * the C library so the result never depends on locale or libc quality) and
 * strings.
 */
#include <string.h>

#include "text/lexer.h"
#include "text/numlit.h"

/* ---- syntax -------------------------------------------------------------- */

static bool is_dec(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c)
{
    return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(char c)
{
    if (is_dec(c))
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    return (unsigned)(c - 'A' + 10);
}

/* digit ('_'? digit)*: the end of the run, or NULL if there is none or an
 * underscore is not between two digits. */
static const char *scan_digits(const char *p, const char *e, bool hex)
{
    bool (*isd)(char) = hex ? is_hex : is_dec;
    if (p >= e || !isd(*p))
        return NULL;
    p++;
    while (p < e) {
        if (*p == '_') {
            if (p + 1 >= e || !isd(p[1]))
                return NULL;
            p += 2;
        } else if (isd(*p)) {
            p++;
        } else {
            break;
        }
    }
    return p;
}

ktext_tok ktext_numscan(const char *s, size_t len, ktext_numsyn *out)
{
    const char *p = s, *e = s + len, *q;
    memset(out, 0, sizeof(*out));
    if (p < e && (*p == '+' || *p == '-')) {
        out->has_sign = true;
        out->neg = *p == '-';
        p++;
    }
    size_t rest = (size_t)(e - p);
    if (rest == 3 && memcmp(p, "inf", 3) == 0) {
        out->form = KTEXT_NUM_INF;
        return KTEXT_FLOAT;
    }
    if (rest == 3 && memcmp(p, "nan", 3) == 0) {
        out->form = KTEXT_NUM_NAN;
        return KTEXT_FLOAT;
    }
    if (rest > 6 && memcmp(p, "nan:0x", 6) == 0) {
        q = scan_digits(p + 6, e, true);
        if (q != e)
            return KTEXT_RESERVED;
        out->form = KTEXT_NUM_NAN_PAYLOAD;
        out->hex = true;
        out->int_s = p + 6;
        out->int_e = e;
        return KTEXT_FLOAT;
    }
    out->form = KTEXT_NUM_PLAIN;
    if (rest >= 2 && p[0] == '0' && p[1] == 'x') {
        out->hex = true;
        p += 2;
    }
    q = scan_digits(p, e, out->hex);
    if (!q)
        return KTEXT_RESERVED;
    out->int_s = p;
    out->int_e = p = q;
    out->frac_s = out->frac_e = p;
    if (p < e && *p == '.') {
        out->has_dot = true;
        p++;
        out->frac_s = out->frac_e = p;
        if (p < e && (out->hex ? is_hex(*p) : is_dec(*p))) {
            q = scan_digits(p, e, out->hex);
            if (!q)
                return KTEXT_RESERVED;
            out->frac_e = p = q;
        }
    }
    if (p < e && (out->hex ? (*p == 'p' || *p == 'P') : (*p == 'e' || *p == 'E'))) {
        out->has_exp = true;
        p++;
        if (p < e && (*p == '+' || *p == '-')) {
            out->exp_neg = *p == '-';
            p++;
        }
        q = scan_digits(p, e, false);
        if (!q)
            return KTEXT_RESERVED;
        out->exp_s = p;
        out->exp_e = p = q;
    }
    if (p != e)
        return KTEXT_RESERVED;
    if (!out->has_dot && !out->has_exp)
        return out->has_sign ? KTEXT_INT : KTEXT_NAT;
    return KTEXT_FLOAT;
}

/* The value of a digit run (underscores skipped); false on overflow. */
static bool digits_u64(const char *p, const char *e, bool hex, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = hex ? 16 : 10;
    for (; p < e; p++) {
        if (*p == '_')
            continue;
        unsigned d = hex_val(*p);
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* ---- integers ------------------------------------------------------------ */

bool ktext_nat(const ktext_token *t, unsigned bits, uint64_t *out)
{
    ktext_numsyn syn;
    uint64_t v;
    if (t->kind != KTEXT_NAT || ktext_numscan(t->text, t->len, &syn) != KTEXT_NAT)
        return false;
    if (!digits_u64(syn.int_s, syn.int_e, syn.hex, &v))
        return false;
    if (bits < 64 && (v >> bits) != 0)
        return false;
    *out = v;
    return true;
}

/*
 * Unsigned literals may use the whole range 0..2^bits-1; signed ones follow
 * the spec's sN: +n needs n < 2^(bits-1), -n needs n <= 2^(bits-1).
 */
bool ktext_int(const ktext_token *t, unsigned bits, uint64_t *out)
{
    ktext_numsyn syn;
    uint64_t v;
    if (t->kind != KTEXT_NAT && t->kind != KTEXT_INT)
        return false;
    ktext_tok k = ktext_numscan(t->text, t->len, &syn);
    if (k != KTEXT_NAT && k != KTEXT_INT)
        return false;
    if (!digits_u64(syn.int_s, syn.int_e, syn.hex, &v))
        return false;
    if (bits == 0 || bits > 64)
        return false;
    uint64_t half = (uint64_t)1 << (bits - 1);
    uint64_t mask = bits >= 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
    if (syn.neg) {
        if (v > half)
            return false;
        v = (0 - v) & mask;
    } else if (syn.has_sign) {
        if (v >= half)
            return false;
    } else if (bits < 64 && (v >> bits) != 0) {
        return false;
    }
    *out = v;
    return true;
}

/* ---- floats -------------------------------------------------------------- */

typedef struct fformat {
    unsigned prec;    /* significand bits including the implicit one */
    int64_t emin, emax; /* unbiased exponent range of normal numbers */
} fformat;

static const fformat F32 = {24, -126, 127};
static const fformat F64 = {53, -1022, 1023};

static unsigned bitlen64(uint64_t q)
{
    unsigned n = 0;
    while (q) {
        n++;
        q >>= 1;
    }
    return n;
}

/*
 * Round the value (q + s) * 2^e2 to the format, where q != 0 and s is either
 * 0 or (when `sticky`) some amount strictly between 0 and 1. Ties go to
 * even. Writes the magnitude bits (no sign); false when the result
 * overflows to infinity.
 */
static bool round_pack(uint64_t q, int64_t e2, bool sticky, const fformat *f, uint64_t *bits)
{
    int64_t top = (int64_t)bitlen64(q) - 1 + e2; /* exponent of the leading bit */
    if (top > f->emax)
        return false;
    int64_t ulp = (top > f->emin ? top : f->emin) - (int64_t)(f->prec - 1);
    int64_t shift = ulp - e2;
    uint64_t mant;
    bool half, rest;
    if (shift <= 0) {
        mant = q << -shift; /* exact: the result has at most prec bits */
        half = false;
        rest = false;
    } else if (shift > 64) {
        mant = 0;
        half = false;
        rest = true;
    } else if (shift == 64) {
        mant = 0;
        half = q >> 63;
        rest = (q & (UINT64_MAX >> 1)) != 0 || sticky;
    } else {
        mant = q >> shift;
        half = (q >> (shift - 1)) & 1;
        rest = (q & (((uint64_t)1 << (shift - 1)) - 1)) != 0 || sticky;
    }
    if (half && (rest || (mant & 1))) {
        mant++;
        if (mant == (uint64_t)1 << f->prec) {
            mant >>= 1;
            ulp++;
        }
    }
    uint64_t frac_mask = ((uint64_t)1 << (f->prec - 1)) - 1;
    if (mant > frac_mask) {
        int64_t biased = ulp + (int64_t)(f->prec - 1) + f->emax;
        if (biased >= 2 * f->emax + 1)
            return false;
        *bits = ((uint64_t)biased << (f->prec - 1)) | (mant & frac_mask);
    } else {
        *bits = mant; /* subnormal or zero */
    }
    return true;
}

/* Saturating value of decimal exponent digits: large enough to over- or
 * underflow anything, small enough to never overflow int64 arithmetic. */
static int64_t exp_value(const ktext_numsyn *syn)
{
    int64_t v = 0;
    if (!syn->has_exp)
        return 0;
    for (const char *p = syn->exp_s; p < syn->exp_e; p++) {
        if (*p == '_')
            continue;
        if (v < 100000000)
            v = v * 10 + (*p - '0');
    }
    return syn->exp_neg ? -v : v;
}

/* A hexadecimal float: the leading 60 significant bits are kept exactly,
 * everything further only matters as "non-zero" (sticky). */
static bool hex_float(const ktext_numsyn *syn, const fformat *f, uint64_t *bits)
{
    uint64_t q = 0;
    int kept = 0;
    int64_t e2 = exp_value(syn), dropped = 0;
    bool sticky = false;
    for (int part = 0; part < 2; part++) {
        const char *p = part ? syn->frac_s : syn->int_s;
        const char *e = part ? syn->frac_e : syn->int_e;
        for (; p < e; p++) {
            if (*p == '_')
                continue;
            unsigned d = hex_val(*p);
            if (part)
                e2 -= 4;
            if (kept == 0 && d == 0)
                continue;
            if (kept < 15) {
                q = q << 4 | d;
                kept++;
            } else {
                dropped++;
                sticky |= d != 0;
            }
        }
    }
    if (q == 0) {
        *bits = 0;
        return true;
    }
    return round_pack(q, e2 + 4 * dropped, sticky, f, bits);
}

/*
 * Minimal fixed-size unsigned big integers for decimal conversion. The sizes
 * the conversion needs are bounded (see dec_float), so no allocation.
 */
#define BIG_LIMBS 160

typedef struct big {
    uint32_t n; /* limbs in use; w[n-1] != 0 unless n == 0 */
    uint32_t w[BIG_LIMBS];
} big;

static void big_trim(big *a)
{
    while (a->n && a->w[a->n - 1] == 0)
        a->n--;
}

static bool big_muladd(big *a, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t v = (uint64_t)a->w[i] * m + carry;
        a->w[i] = (uint32_t)v;
        carry = v >> 32;
    }
    if (carry) {
        if (a->n == BIG_LIMBS)
            return false;
        a->w[a->n++] = (uint32_t)carry;
    }
    return true;
}

static bool big_shl(big *a, uint64_t k)
{
    if (a->n == 0)
        return true;
    uint64_t limbs = k / 32;
    unsigned bitsh = (unsigned)(k % 32);
    if (limbs + a->n + 1 > BIG_LIMBS)
        return false;
    uint32_t n = a->n + (uint32_t)limbs;
    a->w[n] = 0;
    for (uint32_t i = a->n; i-- > 0;) {
        uint64_t v = (uint64_t)a->w[i] << bitsh;
        a->w[i + limbs + 1] |= (uint32_t)(v >> 32);
        a->w[i + limbs] = (uint32_t)v;
    }
    for (uint32_t i = 0; i < limbs; i++)
        a->w[i] = 0;
    a->n = n + 1;
    big_trim(a);
    return true;
}

static uint64_t big_bitlen(const big *a)
{
    if (a->n == 0)
        return 0;
    return (uint64_t)(a->n - 1) * 32 + bitlen64(a->w[a->n - 1]);
}

static uint32_t big_limb(const big *a, uint64_t i) { return i < a->n ? a->w[i] : 0; }

/* The 64 bits of a starting at bit `from`. */
static uint64_t big_bits64(const big *a, uint64_t from)
{
    uint64_t i = from / 32;
    unsigned sh = (unsigned)(from % 32);
    uint64_t lo = big_limb(a, i) | (uint64_t)big_limb(a, i + 1) << 32;
    if (sh == 0)
        return lo;
    return (lo >> sh) | (uint64_t)big_limb(a, i + 2) << (64 - sh);
}

static bool big_pow10(big *a, int64_t k)
{
    for (; k >= 9; k -= 9)
        if (!big_muladd(a, 1000000000u, 0))
            return false;
    uint32_t m = 1;
    while (k-- > 0)
        m *= 10;
    return big_muladd(a, m, 0);
}

/*
 * Significant decimal digits kept exactly. Every point where rounding
 * changes (a midpoint between two adjacent doubles) has at most 767
 * significant digits, so with 800 digits plus a sticky "1" standing in for
 * any non-zero tail, truncation never moves a value across such a point.
 */
#define DEC_KEEP 800

/* floor(t / 2^32) without relying on the sign behaviour of >> */
static int64_t floor_div32(int64_t t)
{
    return t >= 0 ? t / 4294967296 : -((-t + 4294967295) / 4294967296);
}

/*
 * floor(a / b) for a quotient known to fit 64 bits (long division by limbs,
 * Knuth's algorithm D); *rem says whether the remainder is non-zero. a and
 * b are clobbered.
 */
static bool big_div64(big *a, big *b, uint64_t *q, bool *rem)
{
    /* normalize so that b's top limb has its high bit set: the quotient
     * digit estimates below are then off by at most two */
    unsigned z = 32 - bitlen64(b->w[b->n - 1]);
    if (!big_shl(a, z) || !big_shl(b, z))
        return false;
    uint32_t nb = b->n, na = a->n;
    if (na < nb) {
        *q = 0;
        *rem = na != 0;
        return true;
    }
    if (na + 1 > BIG_LIMBS)
        return false;
    a->w[na] = 0;
    uint64_t btop = b->w[nb - 1], bnext = nb >= 2 ? b->w[nb - 2] : 0;
    uint64_t quot = 0;
    for (uint32_t j = na - nb + 1; j-- > 0;) {
        uint64_t num = ((uint64_t)a->w[j + nb] << 32) | a->w[j + nb - 1];
        uint64_t qhat = num / btop, rhat = num % btop;
        uint64_t below = nb >= 2 ? a->w[j + nb - 2] : 0;
        while (qhat > 0xFFFFFFFFu || qhat * bnext > ((rhat << 32) | below)) {
            qhat--;
            rhat += btop;
            if (rhat > 0xFFFFFFFFu)
                break;
        }
        /* a[j..j+nb] -= qhat * b */
        int64_t k = 0, t;
        for (uint32_t i = 0; i < nb; i++) {
            uint64_t prod = qhat * b->w[i];
            t = (int64_t)a->w[i + j] - k - (int64_t)(prod & 0xFFFFFFFFu);
            a->w[i + j] = (uint32_t)((uint64_t)t & 0xFFFFFFFFu);
            k = (int64_t)(prod >> 32) - floor_div32(t);
        }
        t = (int64_t)a->w[j + nb] - k;
        a->w[j + nb] = (uint32_t)((uint64_t)t & 0xFFFFFFFFu);
        if (t < 0) {
            /* the estimate was one too large: add b back */
            qhat--;
            uint64_t c = 0;
            for (uint32_t i = 0; i < nb; i++) {
                uint64_t v = (uint64_t)a->w[i + j] + b->w[i] + c;
                a->w[i + j] = (uint32_t)v;
                c = v >> 32;
            }
            a->w[j + nb] = (uint32_t)(a->w[j + nb] + c);
        }
        quot = quot << 32 | qhat;
    }
    a->n = na + 1;
    big_trim(a);
    *q = quot;
    *rem = a->n != 0;
    return true;
}

/*
 * A decimal float, exactly: value = D * 10^E. For E >= 0 that is an integer
 * whose top 64 bits (and whether any bit below them is set) decide the
 * rounding. For E < 0, divide D * 2^s by 10^-E with s chosen so that the
 * quotient has 63 or 64 bits; the remainder gives the sticky bit. Either
 * way, round once.
 */
static bool dec_float(const ktext_numsyn *syn, const fformat *f, uint64_t *bits)
{
    big n, m;
    int64_t e10 = exp_value(syn);
    int64_t kept = 0;
    bool tail = false;
    uint32_t chunk = 0, chunk_mul = 1;
    n.n = 0;
    for (int part = 0; part < 2; part++) {
        const char *p = part ? syn->frac_s : syn->int_s;
        const char *e = part ? syn->frac_e : syn->int_e;
        for (; p < e; p++) {
            if (*p == '_')
                continue;
            unsigned d = (unsigned)(*p - '0');
            if (part)
                e10--;
            if (kept == 0 && d == 0)
                continue;
            if (kept < DEC_KEEP) {
                chunk = chunk * 10 + d;
                chunk_mul *= 10;
                kept++;
                if (chunk_mul == 1000000000u) {
                    if (!big_muladd(&n, chunk_mul, chunk))
                        return false;
                    chunk = 0;
                    chunk_mul = 1;
                }
            } else {
                e10++;
                tail |= d != 0;
            }
        }
    }
    if (tail) {
        chunk = chunk * 10 + 1;
        chunk_mul *= 10;
        kept++;
        e10--;
    }
    if (chunk_mul > 1 && !big_muladd(&n, chunk_mul, chunk))
        return false;
    if (n.n == 0) {
        *bits = 0;
        return true;
    }
    /* 10^(kept-1+e10) <= value < 10^(kept+e10) */
    if (kept - 1 + e10 > 310)
        return false;
    if (kept + e10 < -400) {
        *bits = 0;
        return true;
    }
    uint64_t q;
    bool sticky = false;
    int64_t e2;
    if (e10 >= 0) {
        if (!big_pow10(&n, e10))
            return false;
        uint64_t len = big_bitlen(&n);
        e2 = len > 64 ? (int64_t)len - 64 : 0;
        q = big_bits64(&n, (uint64_t)e2);
        /* sticky: any bit below e2 */
        uint32_t limb = (uint32_t)(e2 / 32), sh = (uint32_t)(e2 % 32);
        for (uint32_t i = 0; i < limb && !sticky; i++)
            sticky = n.w[i] != 0;
        if (sh && (n.w[limb] & ((1u << sh) - 1)))
            sticky = true;
    } else {
        m.n = 1;
        m.w[0] = 1;
        if (!big_pow10(&m, -e10))
            return false;
        int64_t s = 63 - ((int64_t)big_bitlen(&n) - (int64_t)big_bitlen(&m));
        if (!big_shl(s >= 0 ? &n : &m, (uint64_t)(s >= 0 ? s : -s)))
            return false;
        if (!big_div64(&n, &m, &q, &sticky))
            return false;
        e2 = -s;
    }
    return round_pack(q, e2, sticky, f, bits);
}

static bool parse_float(const ktext_token *t, const fformat *f, uint64_t *out)
{
    ktext_numsyn syn;
    if (t->kind != KTEXT_FLOAT && t->kind != KTEXT_NAT && t->kind != KTEXT_INT)
        return false;
    if (ktext_numscan(t->text, t->len, &syn) == KTEXT_RESERVED)
        return false;
    uint64_t frac_mask = ((uint64_t)1 << (f->prec - 1)) - 1;
    uint64_t inf = (uint64_t)(2 * f->emax + 1) << (f->prec - 1);
    uint64_t mag;
    switch (syn.form) {
    case KTEXT_NUM_INF:
        mag = inf;
        break;
    case KTEXT_NUM_NAN:
        mag = inf | ((uint64_t)1 << (f->prec - 2));
        break;
    case KTEXT_NUM_NAN_PAYLOAD: {
        uint64_t payload;
        if (!digits_u64(syn.int_s, syn.int_e, true, &payload))
            return false;
        if (payload == 0 || payload > frac_mask)
            return false;
        mag = inf | payload;
        break;
    }
    default:
        if (!(syn.hex ? hex_float(&syn, f, &mag) : dec_float(&syn, f, &mag)))
            return false;
        break;
    }
    unsigned width = f->prec == 24 ? 32 : 64;
    *out = mag | ((uint64_t)syn.neg << (width - 1));
    return true;
}

bool ktext_f32(const ktext_token *t, uint32_t *bits)
{
    uint64_t v;
    if (!parse_float(t, &F32, &v))
        return false;
    *bits = (uint32_t)v;
    return true;
}

bool ktext_f64(const ktext_token *t, uint64_t *bits) { return parse_float(t, &F64, bits); }

/* ---- strings ------------------------------------------------------------- */

/* Encode a scalar value as UTF-8 (the caller checked the range). */
static int utf8_encode(uint32_t c, uint8_t buf[4])
{
    if (c < 0x80) {
        buf[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (uint8_t)(0xC0 | (c >> 6));
        buf[1] = (uint8_t)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (uint8_t)(0xE0 | (c >> 12));
        buf[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (uint8_t)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (uint8_t)(0xF0 | (c >> 18));
    buf[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}

int ktext_string_elem(const char **pp, const char *end, uint8_t buf[4])
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    if (*p != '\\') {
        buf[0] = (uint8_t)*p;
        *pp = p + 1;
        return 1;
    }
    if (++p >= end)
        return 0;
    int n = 1;
    switch (*p) {
    case 't': buf[0] = '\t'; p++; break;
    case 'n': buf[0] = '\n'; p++; break;
    case 'r': buf[0] = '\r'; p++; break;
    case '"': buf[0] = '"'; p++; break;
    case '\'': buf[0] = '\''; p++; break;
    case '\\': buf[0] = '\\'; p++; break;
    case 'u': {
        if (++p >= end || *p != '{')
            return 0;
        const char *q = scan_digits(++p, end, true);
        if (!q || q >= end || *q != '}')
            return 0;
        uint32_t c = 0;
        for (; p < q; p++) {
            if (*p == '_')
                continue;
            if (c > 0x10FFFF)
                return 0;
            c = c * 16 + hex_val(*p);
        }
        if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
            return 0;
        n = utf8_encode(c, buf);
        p = q + 1;
        break;
    }
    default:
        if (p + 1 >= end || !is_hex(p[0]) || !is_hex(p[1]))
            return 0;
        buf[0] = (uint8_t)(hex_val(p[0]) << 4 | hex_val(p[1]));
        p += 2;
        break;
    }
    *pp = p;
    return n;
}

/* Accepts a KTEXT_STRING, and also an id of the form $"..." (decoding the
 * name), so parsers can compare ids by their decoded names. */
bool ktext_string_decode(const ktext_token *t, uint8_t *out, size_t *out_len)
{
    const char *p = t->text, *e = t->text + t->len;
    if (t->kind == KTEXT_ID && t->len >= 3 && p[0] == '$' && p[1] == '"')
        p++;
    else if (t->kind != KTEXT_STRING)
        return false;
    if (e - p < 2 || *p != '"' || e[-1] != '"')
        return false;
    p++;
    e--;
    size_t n = 0;
    while (p < e) {
        uint8_t buf[4];
        int k = ktext_string_elem(&p, e, buf);
        if (k == 0)
            return false;
        memcpy(out + n, buf, (size_t)k);
        n += (size_t)k;
    }
    *out_len = n;
    return true;
}

bool ktext_utf8_valid(const uint8_t *s, size_t len)
{
    ktext_utf8 u = {0, 0x80, 0xBF};
    for (size_t i = 0; i < len; i++)
        if (!ktext_utf8_feed(&u, s[i]))
            return false;
    return u.need == 0;
}
