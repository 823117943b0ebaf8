/*
 * Byte scanning over a generated text of N KiB (argv[1], default 64): line,
 * space, digit and high-byte counts, a byte sum, the largest byte, and an
 * ASCII lower-casing pass. Each loop is a vectorizable map or integer
 * reduction (i8x16 compares, masks, extends, adds, bitmask-free sums).
 */
#include "common.h"

#define MAXKB 65536

static uint8_t text[MAXKB * 1024];

static unsigned count_eq(const uint8_t *p, size_t n, uint8_t c)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == c;
    return k;
}

static unsigned count_range(const uint8_t *p, size_t n, uint8_t lo, uint8_t hi)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] >= lo && p[i] <= hi;
    return k;
}

static uint32_t byte_sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

static uint8_t byte_max(const uint8_t *p, size_t n)
{
    uint8_t m = 0;
    for (size_t i = 0; i < n; i++)
        m = p[i] > m ? p[i] : m;
    return m;
}

static void lower(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
}

int main(int argc, char **argv)
{
    size_t n = (size_t)arg_size(argc, argv, 64, MAXKB) * 1024;
    static const char alphabet[] = "etaoinshrdlu ETAOIN SHRDLU 0123456789 .,;\n";
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rng();
        text[i] = r % 97 == 0 ? (uint8_t)(128 + r % 128) : (uint8_t)alphabet[r % (sizeof alphabet - 1)];
    }
    unsigned lines = 0, spaces = 0, digits = 0, high = 0;
    uint32_t sum = 0;
    uint8_t max = 0;
    for (int pass = 0; pass < 4; pass++) {
        lines += count_eq(text, n, '\n');
        spaces += count_eq(text, n, ' ');
        digits += count_range(text, n, '0', '9');
        high += count_range(text, n, 128, 255);
        sum += byte_sum(text, n);
        max = byte_max(text + pass, n - (size_t)pass);
    }
    lower(text, n);
    printf("bytescan n=%zu lines %u spaces %u digits %u high %u sum %u max %u\n", n, lines, spaces, digits,
           high, sum, max);
    printf("lower %08x upper-left %u\n", fnv(FNV_INIT, text, n), count_range(text, n, 'A', 'Z'));
    return 0;
}
