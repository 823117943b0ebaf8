/*
 * C functions that compiled GC code calls (helpers_gc.c, codegen_gc.c).
 */
#ifndef KITE_JIT_HELPERS_GC_H
#define KITE_JIT_HELPERS_GC_H

#include <stdint.h>

#include "interp/interp.h"

/* Allocation, bulk array operations and v128 fields and elements: the GC
 * instruction at pc (op) run on the frame at fp of th's innermost record,
 * with the record's pc set to the instruction's end before anything that
 * can collect: a trap kind, or 0. */
int kjit_h_gc(kint_thread *th, uint64_t *fp, const kint_word *pc, uint32_t op);
/* kgc_ref_test of `ref` against cast target `cast` (KINT_CAST_*): 0 or 1. */
int kjit_h_ref_test(kint_instance *ki, uint64_t ref, uint32_t cast);

#endif
