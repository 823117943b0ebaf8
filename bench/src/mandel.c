/*
 * Floating-point workload with data-dependent exits: escape-time Mandelbrot
 * over a fixed window (f64 multiply/add/compare in a tight inner loop).
 */
#include "bench.h"

BENCH_PARAM(uint32_t, width, 1600);
BENCH_PARAM(uint32_t, height, 1200);
BENCH_PARAM(uint32_t, max_iter, 400);

static BENCH_NOINLINE uint32_t escape(double cr, double ci, uint32_t limit)
{
    double zr = 0.0, zi = 0.0;
    uint32_t k = 0;
    while (k < limit) {
        double zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0)
            break;
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        k++;
    }
    return k;
}

BENCH_EXPORT uint32_t run(void)
{
    uint32_t w = width, hgt = height, limit = max_iter;
    uint32_t h = BENCH_MIX_INIT;
    for (uint32_t y = 0; y < hgt; y++) {
        double ci = -1.2 + 2.4 * (double)y / (double)hgt;
        uint32_t row = 0;
        for (uint32_t x = 0; x < w; x++) {
            double cr = -2.1 + 3.0 * (double)x / (double)w;
            row = row * 31u + escape(cr, ci, limit);
        }
        h = bench_mix(h, row);
    }
    return h;
}

BENCH_MAIN("mandel")
