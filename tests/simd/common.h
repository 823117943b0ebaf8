/*
 * Shared by the SIMD test programs: a deterministic generator, an FNV-1a
 * checksum, and the size argument. Every program prints lines that must be
 * identical between its SIMD build (-msimd128) and its scalar build.
 */
#ifndef KITE_TESTS_SIMD_COMMON_H
#define KITE_TESTS_SIMD_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng_state = 12345u;

static inline uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static inline uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

#define FNV_INIT 2166136261u

/* argv[1] as a positive count, else `dflt`, at most `max`. */
static inline unsigned arg_size(int argc, char **argv, unsigned dflt, unsigned max)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : (long)dflt;
    if (n <= 0)
        n = (long)dflt;
    return n > (long)max ? max : (unsigned)n;
}

#endif
