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

/* Canonical ids fit in the 24-bit heap field of a kir_valtype. */
#define KVAL_CANON_MAX_TYPES (1u << 24)
/* Longest chain of declared supertypes (as in other engines and the JS API). */
#define KVAL_CANON_MAX_DEPTH 63u

/*
 * A canonical type, for code that inspects types after validation (casts,
 * the runtime's type checks, the host API). Value types in `types` and
 * `fields` are canonical: a concrete heap type holds a canonical id. The
 * types of one rec group have consecutive ids starting at `group`.
 * `ancestors[d]` is the supertype at depth d (ancestors[depth] is the type
 * itself), which makes subtype tests constant time.
 */
typedef struct kval_ctype {
    kir_comp comp;
    bool final;
    uint32_t super;      /* canonical id, or KIR_NO_SUPER */
    uint32_t depth;      /* number of declared supertypes above this type */
    const uint32_t *ancestors; /* depth + 1 entries */
    uint32_t group, group_size;
    uint32_t nparams, nresults;
    const kir_valtype *types; /* nparams + nresults */
    uint32_t nfields;
    const kir_field *fields;
} kval_ctype;

/* The canonical type `id` (which must have been handed out by this registry). */
const kval_ctype *kval_canon_type(const kval_canon *c, uint32_t id);

/*
 * The canonical id of the plain function type [params] -> [results] (final,
 * no supertype, alone in its rec group), registering it if it is new: what
 * a module's `(type (func ...))` with the same value types canonicalizes
 * to. For host functions and tags made through the API; value types must
 * be numeric or abstract references (KITE_ERROR_ARGUMENT otherwise).
 */
kite_error_t *kval_canon_func(kval_canon *c, const kir_valtype *params, uint32_t nparams,
                              const kir_valtype *results, uint32_t nresults, uint32_t *out);

/* Subtyping of canonical value types (concrete heap types hold canonical
 * ids): numeric types match only themselves; references by nullability and
 * heap type. */
bool kval_canon_heap_sub(const kval_canon *c, kir_valtype a, kir_valtype b);
bool kval_canon_valtype_sub(const kval_canon *c, kir_valtype a, kir_valtype b);

#endif
