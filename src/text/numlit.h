/*
 * Internal to src/text: the syntax of numeric literals, shared by the lexer
 * (which classifies tokens) and the literal converters (which compute
 * values). One scanner, so the two can never disagree about what a number is.
 */
#ifndef KITE_TEXT_NUMLIT_H
#define KITE_TEXT_NUMLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/lexer.h"

typedef enum ktext_numform {
    KTEXT_NUM_PLAIN, /* digits, optional fraction and exponent */
    KTEXT_NUM_INF,
    KTEXT_NUM_NAN,         /* nan */
    KTEXT_NUM_NAN_PAYLOAD, /* nan:0xN, digits = N */
} ktext_numform;

/*
 * A scanned number. For PLAIN: value = int.frac * base^(exp) where the
 * digit runs still contain underscores (already checked to sit between
 * digits).
 */
typedef struct ktext_numsyn {
    ktext_numform form;
    bool has_sign, neg, hex;
    const char *int_s, *int_e;   /* integer digits (also the nan payload) */
    const char *frac_s, *frac_e; /* fraction digits, possibly empty */
    bool has_dot, has_exp, exp_neg;
    const char *exp_s, *exp_e; /* decimal exponent digits */
} ktext_numsyn;

/* Scan s[0..len) as a whole number token. Returns KTEXT_NAT, KTEXT_INT or
 * KTEXT_FLOAT, or KTEXT_RESERVED when the text is not a number. */
ktext_tok ktext_numscan(const char *s, size_t len, ktext_numsyn *out);

/*
 * Incremental UTF-8 checking: feed bytes one at a time. `need` counts the
 * continuation bytes still expected; lo/hi bound the next one (the first
 * continuation byte has tighter bounds to exclude overlong forms,
 * surrogates and code points above U+10FFFF).
 */
typedef struct ktext_utf8 {
    uint8_t need, lo, hi;
} ktext_utf8;

static inline bool ktext_utf8_feed(ktext_utf8 *u, uint8_t b)
{
    if (u->need) {
        if (b < u->lo || b > u->hi)
            return false;
        u->lo = 0x80;
        u->hi = 0xBF;
        u->need--;
        return true;
    }
    u->lo = 0x80;
    u->hi = 0xBF;
    if (b < 0x80)
        return true;
    if (b >= 0xC2 && b <= 0xDF)
        u->need = 1;
    else if (b >= 0xE0 && b <= 0xEF) {
        u->need = 2;
        if (b == 0xE0)
            u->lo = 0xA0;
        else if (b == 0xED)
            u->hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        u->need = 3;
        if (b == 0xF0)
            u->lo = 0x90;
        else if (b == 0xF4)
            u->hi = 0x8F;
    } else
        return false;
    return true;
}

/*
 * Decode one element of a string body at *p (end = closing quote or end of
 * text): a raw byte or an escape. Writes 1..4 bytes to buf and returns the
 * count, 0 on a malformed escape. Does not check raw bytes.
 */
int ktext_string_elem(const char **p, const char *end, uint8_t buf[4]);

#endif
