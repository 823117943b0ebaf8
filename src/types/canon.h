/*
 * Engine-wide canonical types (iso-recursive): structurally equal rec
 * groups, in any module, get the same canonical ids, so a type identity test
 * is an integer comparison. Thread-safe; ids are never reused while the
 * registry lives.
 *
 * Its own layer (src/types/, above ir/, beside binary/ and text/): the
 * validator fills the registry, the runtime, the GC and the interpreter read
 * it, so it sits below all of them; it is not part of ir/ because a module's
 * IR is plain data of one module, while the registry is shared, locked state
 * of an engine.
 */
#ifndef KITE_TYPES_CANON_H
#define KITE_TYPES_CANON_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"

typedef struct ktype_canon ktype_canon;

/* A registry allocating with `alloc` (which must outlive it); NULL when out
 * of memory. */
ktype_canon *ktype_canon_new(const kite_allocator_t *alloc);
void ktype_canon_free(ktype_canon *c);

/*
 * Canonicalize every type of `m` (whose types were checked well-formed),
 * filling m->canon[i] for each type index i.
 */
kite_error_t *ktype_canon_module(ktype_canon *c, kir_module *m);

/* Whether canonical type `sub` is canonical type `super` or a declared
 * (transitive) subtype of it. Constant time. */
bool ktype_canon_is_subtype(const ktype_canon *c, uint32_t sub, uint32_t super);

/* Canonical ids fit in the 24-bit heap field of a kir_valtype. */
#define KTYPE_CANON_MAX_TYPES (1u << 24)
/* Longest chain of declared supertypes (as in other engines and the JS API). */
#define KTYPE_CANON_MAX_DEPTH 63u

/*
 * A canonical type, for code that inspects types after validation (casts,
 * the runtime's type checks, the host API). Value types in `types` and
 * `fields` are canonical: a concrete heap type holds a canonical id. The
 * types of one rec group have consecutive ids starting at `group`.
 * `ancestors[d]` is the supertype at depth d (ancestors[depth] is the type
 * itself), which makes subtype tests constant time.
 */
typedef struct ktype_ctype {
    kir_comp comp;
    bool final;
    uint32_t super;            /* canonical id, or KIR_NO_SUPER */
    uint32_t depth;            /* number of declared supertypes above this type */
    const uint32_t *ancestors; /* depth + 1 entries */
    uint32_t group, group_size;
    uint32_t nparams, nresults;
    const kir_valtype *types; /* nparams + nresults */
    uint32_t nfields;
    const kir_field *fields;
} ktype_ctype;

/* The canonical type `id` (which must have been handed out by this registry). */
const ktype_ctype *ktype_canon_type(const ktype_canon *c, uint32_t id);

/*
 * The canonical id of the plain function type [params] -> [results] (final,
 * no supertype, alone in its rec group), registering it if it is new: what
 * a module's `(type (func ...))` with the same value types canonicalizes
 * to. For host functions and tags made through the API; value types must
 * be numeric or abstract references (KITE_ERROR_ARGUMENT otherwise).
 */
kite_error_t *ktype_canon_func(ktype_canon *c, const kir_valtype *params, uint32_t nparams,
                               const kir_valtype *results, uint32_t nresults, uint32_t *out);

/* Subtyping of canonical value types (concrete heap types hold canonical
 * ids): numeric types match only themselves; references by nullability and
 * heap type. */
bool ktype_canon_heap_sub(const ktype_canon *c, kir_valtype a, kir_valtype b);
bool ktype_canon_valtype_sub(const ktype_canon *c, kir_valtype a, kir_valtype b);

#endif
