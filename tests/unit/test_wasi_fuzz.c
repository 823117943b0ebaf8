/*
 * Property test of the WASI layer: random arguments and memory contents
 * for every wasi_snapshot_preview1 function (tests/fuzz/wasi_harness.h),
 * from a seeded PRNG, half of the run with the portable path walker instead
 * of openat2. Passing means: no crash (the sanitizer build checks memory
 * safety too), no hang, and the canary beside the sandbox untouched.
 *
 * KITE_WASI_FUZZ_ITERS sets the number of calls (default 200000),
 * KITE_WASI_FUZZ_SEED the seed (default fixed, so failures reproduce).
 */
#include "../fuzz/wasi_harness.h"

int main(void)
{
    const char *it = getenv("KITE_WASI_FUZZ_ITERS"), *sd = getenv("KITE_WASI_FUZZ_SEED");
    long iters = it ? atol(it) : 200000;
    uint64_t seed = sd ? strtoull(sd, NULL, 0) : 0x6b697465u;
    wh_guest g;
    if (!wh_init(&g)) {
        printf("FAIL: cannot set up the guest\n");
        return 1;
    }
    wh_src src = {.state = seed};
    int failures = 0;
    for (long i = 0; i < iters; i++) {
        if (i == iters / 2) {
            /* The walker is chosen when a WASI object is made. */
            g.no_openat2 = true;
            if (!wh_start(&g))
                failures++;
        }
        if (!wh_step(&g, &src)) {
            printf("FAIL: call %ld\n", i);
            failures++;
            break;
        }
    }
    if (!wh_canary_ok(&g)) {
        printf("FAIL: the canary beside the sandbox changed, or something appeared beside it\n");
        failures++;
    }
    wh_fini(&g);
    if (getenv("KITE_WASI_FUZZ_REPORT"))
        wh_report(stdout); /* errno:count per function, to see what the run reached */
    printf("%ld random WASI calls (seed 0x%llx), %d failures\n", iters, (unsigned long long)seed,
           failures);
    return failures != 0;
}
