/*
 * Sorting workload: an iterative quicksort (median-of-three, explicit stack,
 * insertion sort for short runs) and a bottom-up merge sort, each on the same
 * pseudo-random u32 data. Mixes data-dependent branches, loads and stores.
 */
#include "bench.h"

#define MAX_N (1u << 22)

BENCH_PARAM(uint32_t, count, 1u << 22);
BENCH_PARAM(uint32_t, seed, 0x9e3779b9u);

static uint32_t data[MAX_N];
static uint32_t copy[MAX_N];
static uint32_t scratch[MAX_N];

static void fill(uint32_t *a, uint32_t n, uint32_t s)
{
    for (uint32_t i = 0; i < n; i++) {
        /* xorshift32 */
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        a[i] = s;
    }
}

static void insertion_sort(uint32_t *a, int32_t lo, int32_t hi)
{
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(uint32_t *a, int32_t i, int32_t j)
{
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static BENCH_NOINLINE void quicksort(uint32_t *a, int32_t n)
{
    /* Pushing the larger half and looping on the smaller bounds the stack by
     * log2(n) entries. */
    int32_t stack[2 * 64];
    int sp = 0;
    int32_t lo = 0, hi = n - 1;
    for (;;) {
        while (hi - lo > 16) {
            int32_t mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo])
                swap(a, mid, lo);
            if (a[hi] < a[lo])
                swap(a, hi, lo);
            if (a[hi] < a[mid])
                swap(a, hi, mid);
            uint32_t pivot = a[mid];
            int32_t i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot)
                    i++;
                while (a[j] > pivot)
                    j--;
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                stack[sp++] = i;
                stack[sp++] = hi;
                hi = j;
            } else {
                stack[sp++] = lo;
                stack[sp++] = j;
                lo = i;
            }
        }
        insertion_sort(a, lo, hi);
        if (sp == 0)
            break;
        hi = stack[--sp];
        lo = stack[--sp];
    }
}

static BENCH_NOINLINE void merge_sort(uint32_t *a, uint32_t *tmp, uint32_t n)
{
    uint32_t *src = a, *dst = tmp;
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        for (uint32_t i = 0; i < n; i++)
            a[i] = src[i];
}

static uint32_t digest(const uint32_t *a, uint32_t n)
{
    /* Sampled positions plus an order check, so an unsorted result is caught
     * even when the samples happen to match. */
    uint32_t h = BENCH_MIX_INIT, unsorted = 0;
    for (uint32_t i = 1; i < n; i++)
        unsorted += a[i - 1] > a[i];
    h = bench_mix(h, unsorted);
    for (uint32_t i = 0; i < n; i += 997)
        h = bench_mix(h, a[i]);
    return h;
}

BENCH_EXPORT uint32_t run(void)
{
    uint32_t n = count;
    if (n > MAX_N)
        n = MAX_N;
    fill(data, n, seed);
    for (uint32_t i = 0; i < n; i++)
        copy[i] = data[i];
    quicksort(data, (int32_t)n);
    merge_sort(copy, scratch, n);
    uint32_t h = bench_mix(digest(data, n), digest(copy, n));
    return h;
}

BENCH_MAIN("sort")
