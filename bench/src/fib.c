/*
 * Call-heavy workload: naive doubly recursive Fibonacci plus Takeuchi's tak
 * function. Nearly all time goes to call/return overhead and argument passing.
 */
#include "bench.h"

BENCH_PARAM(uint32_t, fib_n, 41);
BENCH_PARAM(int32_t, tak_x, 27);
BENCH_PARAM(int32_t, tak_y, 18);
BENCH_PARAM(int32_t, tak_z, 9);

static BENCH_NOINLINE uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static BENCH_NOINLINE int32_t tak(int32_t x, int32_t y, int32_t z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

BENCH_EXPORT uint32_t run(void)
{
    uint32_t h = bench_mix(BENCH_MIX_INIT, fib(fib_n));
    return bench_mix(h, (uint32_t)tak(tak_x, tak_y, tak_z));
}

BENCH_MAIN("fib")
