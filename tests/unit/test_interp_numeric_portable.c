/*
 * The numeric core's portable fallbacks (no builtins, no __int128, no
 * signed >>): the same tests with KINT_PORTABLE defined, so the inline
 * functions the randomized comparisons call take the fallback paths.
 */
#define KINT_PORTABLE 1
#include "test_interp_numeric.c"
