/*
 * Engine-wide canonical types (iso-recursive): structurally equal rec
 * groups, in any module, get the same canonical ids, so a type identity test
 * is an integer comparison. Thread-safe; ids are never reused while the
 * registry lives.
 */
#ifndef KITE_VALID_CANON_H
#define KITE_VALID_CANON_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"

typedef struct kval_canon kval_canon;

kval_canon *kval_canon_new(void);
void kval_canon_free(kval_canon *c);

/*
 * Canonicalize every type of `m` (whose types were checked well-formed),
 * filling m->canon[i] for each type index i.
 */
kite_error_t *kval_canon_module(kval_canon *c, kir_module *m);

/* Whether canonical type `sub` is canonical type `super` or a declared
 * (transitive) subtype of it. Constant time. */
bool kval_canon_is_subtype(const kval_canon *c, uint32_t sub, uint32_t super);

#endif
