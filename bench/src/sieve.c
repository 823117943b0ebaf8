/*
 * Memory-heavy workload: a byte-per-number sieve of Eratosthenes over a 32 MiB
 * array (strided stores far beyond the caches), followed by streaming passes
 * over a 16 MiB u32 array that records the gaps between primes.
 */
#include "bench.h"

#define SIEVE_N (64u << 20)
#define GAPS_MAX (4u << 20)

BENCH_PARAM(uint32_t, sieve_n, SIEVE_N);
BENCH_PARAM(uint32_t, passes, 24);

static uint8_t composite[SIEVE_N];
static uint32_t gaps[GAPS_MAX];

BENCH_EXPORT uint32_t run(void)
{
    uint32_t n = sieve_n;
    if (n > SIEVE_N)
        n = SIEVE_N;
    for (uint32_t i = 0; i < n; i++)
        composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (uint32_t p = 2; (uint64_t)p * p < n; p++) {
        if (composite[p])
            continue;
        for (uint32_t m = p * p; m < n; m += p)
            composite[m] = 1;
    }

    /* Gather: one streaming read of the whole sieve. */
    uint32_t count = 0, last = 2;
    for (uint32_t i = 3; i < n; i++) {
        if (!composite[i]) {
            if (count < GAPS_MAX)
                gaps[count++] = i - last;
            last = i;
        }
    }

    /* Streaming read-modify-write passes over the gap array. */
    uint32_t h = bench_mix(BENCH_MIX_INIT, count);
    uint32_t np = passes;
    for (uint32_t pass = 0; pass < np; pass++) {
        uint32_t carry = pass;
        for (uint32_t i = 0; i < count; i++) {
            carry = carry * 2654435761u + gaps[i];
            gaps[i] = carry >> 7;
        }
        h = bench_mix(h, carry);
    }
    return h;
}

BENCH_MAIN("sieve")
