/*
 * Validator internals shared by the files of src/valid/: the validation
 * context, subtyping over module-relative value types, message helpers.
 *
 * Value types inside the validator are the module's own kir_valtype words
 * (a concrete heap type is a module type index); whenever identity or
 * subtyping of concrete types matters they are compared through the
 * module's canonical ids (m->canon), so two structurally equal types
 * declared twice are the same type.
 */
#ifndef KITE_VALID_INTERNAL_H
#define KITE_VALID_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"
#include "types/canon.h"
#include "util/error.h"

struct kite_config;
struct kval_code;

/* The heap type of a reference whose heap type is unknown (unreachable
 * code): a subtype of every heap type. Not a valid binary heap code. */
#define KVAL_HEAP_BOT 0u

/* No position for an error (module-level definitions have none recorded). */
#define KVAL_NOPOS UINT64_MAX

typedef struct kval_ctx {
    const struct kite_config *config; /* NULL: defaults */
    const kite_allocator_t *alloc;    /* the configuration's */
    ktype_canon *canon;
    kir_module *m;
    struct kval_code *code; /* scratch for code validation, reused per body */
} kval_ctx;

/* An error of kind `code` at code offset `offset` (KVAL_NOPOS: none); text
 * modules report the source line:column of that offset. */
kite_error_t *kval_error_kind(const kval_ctx *v, kite_error_code_t code, uint64_t offset,
                              const char *fmt, ...) KITE_PRINTF(4, 5);
kite_error_t *kval_verror_kind(const kval_ctx *v, kite_error_code_t code, uint64_t offset,
                               const char *fmt, va_list ap);
#define kval_error(v, offset, ...) kval_error_kind((v), KITE_ERROR_INVALID, (offset), __VA_ARGS__)

/* ---- types ------------------------------------------------------------- */

static inline bool kval_is_num(kir_valtype t)
{
    kir_kind k = kir_vt_kind(t);
    return k == KIR_I32 || k == KIR_I64 || k == KIR_F32 || k == KIR_F64;
}
static inline bool kval_is_numvec(kir_valtype t) { return kval_is_num(t) || kir_vt_kind(t) == KIR_V128; }
static inline bool kval_is_packed(kir_valtype t)
{
    return kir_vt_kind(t) == KIR_I8 || kir_vt_kind(t) == KIR_I16;
}
/* The operand type of a storage type (packed types widen to i32). */
static inline kir_valtype kval_unpack(kir_valtype t) { return kval_is_packed(t) ? kir_vt(KIR_I32) : t; }
/* Whether locals / fields of this type have a default value. */
static inline bool kval_defaultable(kir_valtype t) { return !kir_vt_is_ref(t) || kir_vt_nullable(t); }

/* Whether the module type `x` exists and is of composite kind `comp`. */
static inline bool kval_type_is(const kir_module *m, uint32_t x, kir_comp comp)
{
    return x < m->ntypes && m->types[x].comp == comp;
}

/* Heap-type subtyping between the heap types of two reference types. */
bool kval_heap_sub(const kval_ctx *v, kir_valtype a, kir_valtype b);
/* Value type subtyping a <: b (KIR_BOT is below everything). */
bool kval_sub(const kval_ctx *v, kir_valtype a, kir_valtype b);
/* Storage type subtyping (packed types only match themselves). */
bool kval_storage_sub(const kval_ctx *v, kir_valtype a, kir_valtype b);
/* Field subtyping: equal mutability, covariant if immutable, invariant if mutable. */
bool kval_field_sub(const kval_ctx *v, const kir_field *a, const kir_field *b);
/* The abstract top heap type (any, func, extern, exn) of a reference type. */
uint32_t kval_top_heap(const kval_ctx *v, kir_valtype ref);

/* A value or storage type well-formed in the module: "unknown type" if it
 * names a type index out of range (or beyond `limit`, for rec groups). */
kite_error_t *kval_check_valtype(const kval_ctx *v, kir_valtype t, uint32_t limit, uint64_t offset);

/* ---- messages ------------------------------------------------------------ */

/* A bounded string builder for messages (truncates with "..."). */
typedef struct kval_sb {
    char buf[320];
    size_t n;
} kval_sb;

void kval_sb_puts(kval_sb *sb, const char *s);
void kval_sb_type(kval_sb *sb, kir_valtype t);
/* "[t1 t2 ...]" */
void kval_sb_types(kval_sb *sb, const kir_valtype *ts, uint32_t n);

/* ---- the parts of validation ------------------------------------------- */

/* types.c: rec groups, subtype declarations; canonicalizes the types. */
kite_error_t *kval_check_types(kval_ctx *v);

/* code.c: a function body, or a constant expression of type `t` that may
 * read globals below `nglobals` (constant expressions also mark the
 * functions they name as declared). */
kite_error_t *kval_check_body(kval_ctx *v, uint32_t funcidx);
kite_error_t *kval_check_const(kval_ctx *v, const kir_expr *e, kir_valtype t, uint32_t nglobals);
void kval_code_free(kval_ctx *v);

#endif
