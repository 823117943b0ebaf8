/*
 * Floating-point workload: an O(n^2) gravitational n-body simulation in f64
 * (sqrt, division, many dependent multiply-adds). Bodies are generated from a
 * fixed pseudo-random seed. Results are bit-exact across runtimes because
 * Wasm f64 arithmetic is IEEE-754 with no contraction or reassociation, and
 * the native build (x86-64 baseline, no -ffast-math) does not fuse either.
 */
#include "bench.h"

#define NBODIES 64

BENCH_PARAM(uint32_t, steps, 50000);

typedef struct body {
    double x, y, z, vx, vy, vz, mass;
} body;

static body bodies[NBODIES];

static uint32_t rng_state;

static uint32_t rng(void)
{
    /* xorshift32 */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Uniform in [-1, 1). */
static double rnd(void)
{
    return (double)(rng() >> 8) / 8388608.0 - 1.0;
}

static void init(void)
{
    rng_state = 0x12345678u;
    for (int i = 0; i < NBODIES; i++) {
        body *b = &bodies[i];
        b->x = rnd() * 10.0;
        b->y = rnd() * 10.0;
        b->z = rnd() * 2.0;
        b->vx = rnd() * 0.1;
        b->vy = rnd() * 0.1;
        b->vz = rnd() * 0.01;
        b->mass = 0.5 + (rnd() + 1.0);
    }
}

static BENCH_NOINLINE void advance(double dt)
{
    for (int i = 0; i < NBODIES; i++) {
        body *a = &bodies[i];
        for (int j = i + 1; j < NBODIES; j++) {
            body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            /* Plummer softening keeps close encounters finite. */
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double d = __builtin_sqrt(d2);
            double mag = dt / (d2 * d);
            double ma = a->mass * mag, mb = b->mass * mag;
            a->vx -= dx * mb;
            a->vy -= dy * mb;
            a->vz -= dz * mb;
            b->vx += dx * ma;
            b->vy += dy * ma;
            b->vz += dz * ma;
        }
    }
    for (int i = 0; i < NBODIES; i++) {
        body *b = &bodies[i];
        b->x += dt * b->vx;
        b->y += dt * b->vy;
        b->z += dt * b->vz;
    }
}

static double energy(void)
{
    double e = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        body *a = &bodies[i];
        e += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
        for (int j = i + 1; j < NBODIES; j++) {
            body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            e -= a->mass * b->mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}

static uint32_t mix_double(uint32_t h, double v)
{
    union {
        double d;
        uint64_t u;
    } pun = {v};
    return bench_mix(bench_mix(h, (uint32_t)pun.u), (uint32_t)(pun.u >> 32));
}

BENCH_EXPORT uint32_t run(void)
{
    init();
    uint32_t h = mix_double(BENCH_MIX_INIT, energy());
    uint32_t n = steps;
    for (uint32_t s = 0; s < n; s++)
        advance(0.001);
    h = mix_double(h, energy());
    for (int i = 0; i < NBODIES; i++) {
        h = mix_double(h, bodies[i].x);
        h = mix_double(h, bodies[i].vy);
    }
    return h;
}

BENCH_MAIN("nbody")
