/* The validator: checks a decoded or parsed module against Wasm 3.0. */
#ifndef KITE_VALID_VALIDATE_H
#define KITE_VALID_VALIDATE_H

#include "ir/module.h"
#include "kite.h"
#include "types/canon.h"

struct kite_config;

/*
 * Validate `m` in one linear pass over its code, canonicalizing its types
 * in `canon`. Errors are KITE_ERROR_INVALID with the spec's wording ("type
 * mismatch", "unknown function", "alignment must not be larger than
 * natural", ...) and the byte offset of the offending instruction (text
 * modules map it to line:column through m->srcpos). On success sets
 * m->validated and m->canon.
 */
kite_error_t *kval_validate(const struct kite_config *config, ktype_canon *canon, kir_module *m);

#endif
