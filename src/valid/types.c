/*
 * Module-level type checks: the type section's rec groups and subtype
 * declarations.
 *
 * Order matters: references must be in range before the types can be
 * canonicalized, and subtype declarations are checked after
 * canonicalization because matching a type against its declared supertype
 * may itself need subtyping between types of the same rec group (whose
 * declared supertypes the canonical display already records).
 */
#include "valid/internal.h"

static kite_error_t *check_refs(const kval_ctx *v, uint32_t x)
{
    const kir_module *m = v->m;
    const kir_type *t = &m->types[x];
    uint32_t limit = t->rec_start + t->rec_size; /* own rec group included */
    if (t->super != KIR_NO_SUPER) {
        if (t->super >= m->ntypes)
            return kval_error(v, KVAL_NOPOS, "unknown type %u", t->super);
        if (t->super >= x)
            return kval_error(v, KVAL_NOPOS, "unknown type %u: forward use of type in sub type definition of %u",
                              t->super, x);
    }
    kite_error_t *err = NULL;
    if (t->comp == KIR_COMP_FUNC) {
        for (uint32_t i = 0; i < t->nparams + t->nresults && !err; i++)
            err = kval_check_valtype(v, t->types[i], limit, KVAL_NOPOS);
    } else {
        if (t->comp == KIR_COMP_ARRAY && t->nfields != 1)
            return kval_error(v, KVAL_NOPOS, "type mismatch: array type %u must have one field", x);
        for (uint32_t i = 0; i < t->nfields && !err; i++)
            err = kval_check_valtype(v, t->fields[i].type, limit, KVAL_NOPOS);
    }
    return err;
}

/* Whether all of `a` are subtypes of the corresponding `b`. */
static bool results_sub(const kval_ctx *v, const kir_valtype *a, const kir_valtype *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!kval_sub(v, a[i], b[i]))
            return false;
    return true;
}

/* Comptype_sub: does the composite type of `sub` match that of `sup`? */
static bool comp_sub(const kval_ctx *v, const kir_type *sub, const kir_type *sup)
{
    if (sub->comp != sup->comp)
        return false;
    switch (sub->comp) {
    case KIR_COMP_FUNC:
        return sub->nparams == sup->nparams && sub->nresults == sup->nresults &&
               results_sub(v, sup->types, sub->types, sub->nparams) &&
               results_sub(v, kir_type_results(sub), kir_type_results(sup), sub->nresults);
    case KIR_COMP_STRUCT:
    case KIR_COMP_ARRAY:
        if (sub->nfields < sup->nfields)
            return false;
        for (uint32_t i = 0; i < sup->nfields; i++)
            if (!kval_field_sub(v, &sub->fields[i], &sup->fields[i]))
                return false;
        return true;
    }
    return false;
}

kite_error_t *kval_check_types(kval_ctx *v)
{
    const kir_module *m = v->m;
    for (uint32_t x = 0; x < m->ntypes; x++) {
        const kir_type *t = &m->types[x];
        if (t->rec_size == 0 || t->rec_start > x || x - t->rec_start >= t->rec_size ||
            t->rec_size > m->ntypes - t->rec_start ||
            m->types[t->rec_start].rec_size != t->rec_size)
            return kval_error(v, KVAL_NOPOS, "unknown type: inconsistent rec group of type %u", x);
        kite_error_t *err = check_refs(v, x);
        if (err)
            return err;
    }
    kite_error_t *err = ktype_canon_module(v->canon, v->m);
    if (err)
        return err;
    for (uint32_t x = 0; x < m->ntypes; x++) {
        const kir_type *t = &m->types[x];
        if (t->super == KIR_NO_SUPER)
            continue;
        const kir_type *sup = &m->types[t->super];
        if (sup->final)
            return kval_error(v, KVAL_NOPOS, "sub type %u has final super type %u", x, t->super);
        if (!comp_sub(v, t, sup))
            return kval_error(v, KVAL_NOPOS, "sub type %u does not match super type %u", x, t->super);
    }
    return NULL;
}
