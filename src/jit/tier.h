/*
 * The compiler tier's entry points for the rest of kite: compiling units
 * of functions, the tier policies (jit: everything before it runs; auto:
 * what becomes hot), and the hooks the runtime and the interpreter call.
 */
#ifndef KITE_JIT_TIER_H
#define KITE_JIT_TIER_H

#include <stdbool.h>
#include <stdint.h>

#include "interp/interp.h"

/* Whether this build and platform can compile (x86-64, and faults can be
 * redirected at trap sites). */
bool kjit_available(void);

/*
 * Compiles defined functions funcs[0..n) of ki's code cells (translating
 * them first where needed, with th's translator buffers; th may be NULL)
 * into one chunk and publishes their native code; functions compiled
 * already are left out. With `osr`, loop headers get entries for frames
 * the interpreter is running. NULL, or an error naming the function and
 * instruction the compiler refused (then nothing is published).
 */
kite_error_t *kjit_compile(kint_instance *ki, const uint32_t *funcs, uint32_t n, kint_thread *th, bool osr);

/* Tier jit: compiles every defined function of inst before it runs. */
kite_error_t *kjit_prepare_instance(krt_instance *inst);

/* Tier auto: compiles a function that became hot, with entries at its
 * loop headers for the frames the interpreter is running. A function the
 * compiler refuses stays interpreted. */
void kjit_tier_up(kint_thread *th, kint_instance *ki, kint_code *code);

#endif
