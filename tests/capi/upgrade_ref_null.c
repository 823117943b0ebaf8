/*
 * upgrade_ref_null IN OUT: copies a module, rewriting the pre-standard
 * encoding of `ref.null` in global initializers (0xD0 with no heap type,
 * from early drafts of reference types) into the standard one (0xD0 and
 * the global's heap type). The wasm-c-api repository's hostref.wasm still
 * has the old encoding, which the standard (and kite) reject as malformed;
 * the example's C code runs unchanged on the upgraded binary. A module
 * without the old encoding is copied as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t in[1 << 20], out[1 << 21];

static size_t leb(const uint8_t *p, size_t *at, size_t end)
{
    size_t v = 0;
    for (unsigned shift = 0; *at < end; shift += 7) {
        uint8_t b = p[(*at)++];
        v |= (size_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

static size_t put_leb(uint8_t *p, size_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

/* The global section's contents with old `ref.null`s upgraded; its size. */
static size_t upgrade_globals(const uint8_t *s, size_t len, uint8_t *o, int *changed)
{
    size_t at = 0, n = 0;
    size_t count = leb(s, &at, len);
    n += put_leb(o, count);
    for (size_t g = 0; g < count && at + 2 <= len; g++) {
        uint8_t type = s[at], mut = s[at + 1];
        at += 2;
        o[n++] = type;
        o[n++] = mut;
        if (at + 1 < len && s[at] == 0xD0 && s[at + 1] == 0x0B &&
            (at + 2 == len || g + 1 < count)) {
            o[n++] = 0xD0;
            o[n++] = type; /* externref 0x6F -> extern, funcref 0x70 -> func */
            o[n++] = 0x0B;
            at += 2;
            *changed = 1;
            continue;
        }
        while (at < len) { /* a standard constant expression: copy to its end */
            uint8_t b = s[at++];
            o[n++] = b;
            if (b == 0x0B)
                break;
        }
    }
    memcpy(o + n, s + at, len - at);
    return n + (len - at);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: upgrade_ref_null IN OUT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t len = fread(in, 1, sizeof(in), f);
    fclose(f);
    size_t at = 8, n = 8;
    int changed = 0;
    memcpy(out, in, len < 8 ? len : 8);
    while (at < len) {
        size_t start = at++;
        size_t size = leb(in, &at, len);
        if (size > len - at)
            size = len - at;
        static uint8_t body[1 << 21];
        int upgraded = 0;
        size_t bl = in[start] == 6 ? upgrade_globals(in + at, size, body, &upgraded) : 0;
        if (upgraded) {
            out[n++] = in[start];
            n += put_leb(out + n, bl);
            memcpy(out + n, body, bl);
            n += bl;
            changed = 1;
        } else { /* as it was, size encoding included (offsets stay the same) */
            memcpy(out + n, in + start, at + size - start);
            n += at + size - start;
        }
        at += size;
    }
    f = fopen(argv[2], "wb");
    if (!f || fwrite(out, 1, n, f) != n || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    if (changed)
        fprintf(stderr, "%s: upgraded the pre-standard ref.null encoding\n", argv[1]);
    return 0;
}
