/*
 * Matrix multiply, f32 and i32, N x N (argv[1], default 48): the i-k-j loop
 * order, whose inner loop clang vectorizes with -msimd128 (f32x4.mul/add,
 * i32x4.mul/add, splats of a[i][k]). Each element is summed in the same
 * order in both builds, so the f32 results are bit-identical.
 */
#include "common.h"

#define MAXN 512

static float fa[MAXN * MAXN], fb[MAXN * MAXN], fc[MAXN * MAXN];
static int32_t ia[MAXN * MAXN], ib[MAXN * MAXN], ic[MAXN * MAXN];

static void matmul_f32(unsigned n, const float *restrict a, const float *restrict b, float *restrict c)
{
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++)
            c[i * n + j] = 0.0f;
        for (unsigned k = 0; k < n; k++) {
            float x = a[i * n + k];
            for (unsigned j = 0; j < n; j++)
                c[i * n + j] += x * b[k * n + j];
        }
    }
}

static void matmul_i32(unsigned n, const int32_t *restrict a, const int32_t *restrict b, int32_t *restrict c)
{
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++)
            c[i * n + j] = 0;
        for (unsigned k = 0; k < n; k++) {
            int32_t x = a[i * n + k];
            for (unsigned j = 0; j < n; j++)
                c[i * n + j] += x * b[k * n + j];
        }
    }
}

int main(int argc, char **argv)
{
    unsigned n = arg_size(argc, argv, 48, MAXN);
    for (unsigned i = 0; i < n * n; i++) {
        fa[i] = (float)(int)(rng() % 2001 - 1000) / 64.0f;
        fb[i] = (float)(int)(rng() % 2001 - 1000) / 3.0f;
        ia[i] = (int32_t)(rng() % 65536) - 32768;
        ib[i] = (int32_t)rng();
    }
    matmul_f32(n, fa, fb, fc);
    matmul_i32(n, ia, ib, ic);
    printf("matmul n=%u f32 %08x i32 %08x\n", n, fnv(FNV_INIT, fc, n * n * sizeof(float)),
           fnv(FNV_INIT, ic, n * n * sizeof(int32_t)));
    printf("c[0]=%.9g c[last]=%.9g\n", (double)fc[0], (double)fc[n * n - 1]);
    return 0;
}
