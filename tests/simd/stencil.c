/*
 * Stencils over a W x W grid for T steps (argv[1] = W, default 64; T = 8):
 * a 5-point f32 Jacobi step and a 3x3 u8 box blur with rounding
 * ((a + b + 1) >> 1 averages: i8x16.avgr_u-like code, widening adds,
 * narrowing). Both vectorize along rows with -msimd128.
 */
#include "common.h"

#define MAXW 2048
#define STEPS 8

static float g0[MAXW * MAXW], g1[MAXW * MAXW];
static uint8_t p0[MAXW * MAXW], p1[MAXW * MAXW];

static void jacobi(unsigned w, const float *restrict in, float *restrict out)
{
    for (unsigned y = 1; y + 1 < w; y++)
        for (unsigned x = 1; x + 1 < w; x++)
            out[y * w + x] = 0.2f * (in[y * w + x] + in[y * w + x - 1] + in[y * w + x + 1] +
                                     in[(y - 1) * w + x] + in[(y + 1) * w + x]);
}

static void blur(unsigned w, const uint8_t *restrict in, uint8_t *restrict out)
{
    for (unsigned y = 1; y + 1 < w; y++)
        for (unsigned x = 1; x + 1 < w; x++) {
            unsigned s = 0;
            for (int dy = -1; dy <= 1; dy++)
                s += (unsigned)in[(y + dy) * w + x - 1] + in[(y + dy) * w + x] + in[(y + dy) * w + x + 1];
            out[y * w + x] = (uint8_t)((s * 7282u) >> 16); /* about s / 9 */
        }
}

int main(int argc, char **argv)
{
    unsigned w = arg_size(argc, argv, 64, MAXW);
    for (unsigned i = 0; i < w * w; i++) {
        g0[i] = g1[i] = (float)(rng() % 1000) / 7.0f;
        p0[i] = p1[i] = (uint8_t)rng();
    }
    for (unsigned t = 0; t < STEPS; t++) {
        jacobi(w, t % 2 ? g1 : g0, t % 2 ? g0 : g1);
        blur(w, t % 2 ? p1 : p0, t % 2 ? p0 : p1);
    }
    printf("stencil w=%u f32 %08x u8 %08x\n", w, fnv(FNV_INIT, g0, w * w * sizeof(float)),
           fnv(FNV_INIT, p0, w * w));
    printf("g[mid]=%.9g p[mid]=%u\n", (double)g0[w * w / 2 + w / 2], p0[w * w / 2 + w / 2]);
    return 0;
}
