/*
 * libFuzzer target: decode and validate arbitrary bytes as a binary module
 * (as fuzz_decode does), and when that succeeds, run it: instantiate it and
 * call every export with zero arguments under a fuel limit, in the
 * interpreter, in tier jit and in tier auto (tiering up after 2 calls or
 * loop iterations), and compare everything observable (tests/diff/diff_run.h).
 * Any input must end without a crash, hang or leak, and with the same
 * transcript in every tier: a difference aborts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../diff/diff_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    transcript ref = {0}, got = {0};
    bool unsupported = false;
    if (run_module(data, size, KITE_TIER_INTERP, 0, 100000, &ref, &unsupported)) {
        static const kite_tier_t tiers[] = {KITE_TIER_JIT, KITE_TIER_AUTO};
        for (size_t t = 0; t < 2; t++) {
            got.len = 0;
            if (got.text)
                got.text[0] = 0;
            unsupported = false;
            run_module(data, size, tiers[t], t ? 2 : 0, 100000, &got, &unsupported);
            if (!unsupported && strcmp(ref.text ? ref.text : "", got.text ? got.text : "") != 0) {
                printf("--- interp\n%s--- tier %d\n%s", ref.text ? ref.text : "", (int)tiers[t],
                       got.text ? got.text : "");
                abort();
            }
        }
    }
    free(ref.text);
    free(got.text);
    return 0;
}
