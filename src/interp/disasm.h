/*
 * The disassembler (disasm.c): translated code as text, derived from the
 * layout definition (layout.h). A debugging aid; the format is not stable.
 */
#ifndef KITE_INTERP_DISASM_H
#define KITE_INTERP_DISASM_H

#include <stdbool.h>

#include "interp/interp.h"

/* Lists code c of module m (translated without handler addresses: op
 * numbers in the code) through write; `cells` are the code cells its calls
 * refer to. False when the code does not follow its layout (an
 * instruction found where none starts), which the text then shows. */
bool kint_disasm_code(const kir_module *m, const kint_code *c, _Atomic(kint_code *) *cells,
                      kite_write_fn *write, void *ud);

/* Translates defined function funcidx of module (every defined function
 * when UINT32_MAX) as an instance with the guarded memory layout would run
 * it, with the struct and array layouts `rtts` (per type index, as
 * kint_translate takes them), and lists it. */
kite_error_t *kint_disassemble(const kite_module_t *module, uint32_t funcidx,
                               const struct kgc_rtt *const *rtts, kite_write_fn *write, void *ud);

#endif
