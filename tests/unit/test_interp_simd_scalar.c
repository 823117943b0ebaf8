/*
 * The SIMD library's per-lane fallback (what targets without a native
 * backend run): the same tests with KINT_SIMD_SCALAR defined.
 */
#define KINT_SIMD_SCALAR 1
#include "test_interp_simd.c"
