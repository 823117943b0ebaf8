/*
 * GC values in kite.h: i31, structs, arrays, root handles, collections.
 *
 * Values the host passes in are rooted while an allocation may collect
 * (a root frame over the caller's kite_val_t array).
 */
#include <string.h>

#include "gc/gc.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- i31 ------------------------------------------------------------------------------------ */

kite_ref_t kite_ref_i31(uint32_t value) { return (kite_ref_t)krt_ref_i31_new(value); }

bool kite_ref_i31_get(kite_ref_t ref, bool sign_extend, uint32_t *out)
{
    if (!krt_ref_is_i31((krt_ref)ref))
        return false;
    *out = sign_extend ? krt_ref_i31_get_s((krt_ref)ref) : krt_ref_i31_get_u((krt_ref)ref);
    return true;
}

/* ---- making objects ----------------------------------------------------------------------- */

/* The host's values as a root frame. */
typedef struct val_roots {
    krt_roots roots; /* first */
    const kite_val_t *vals;
    size_t n;
} val_roots;

static void scan_vals(const krt_roots *r, krt_marker *m)
{
    const val_roots *v = (const val_roots *)(const void *)r;
    for (size_t i = 0; i < v->n; i++)
        if (v->vals[i].kind == KITE_REF)
            m->mark(m, (krt_ref)v->vals[i].of.ref);
}

/* The RTT of type `index` of `module` if it is of composite kind `comp`. */
static kite_error_t *rtt_of(kite_store_t *store, const kite_module_t *module, uint32_t index,
                            kir_comp comp, const kgc_rtt **out)
{
    *out = NULL;
    if (module->engine != store->engine)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the module and the store belong to different engines");
    const kir_module *m = module->ir;
    if (index >= m->ntypes || m->types[index].comp != comp)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "type %u of the module is not a%s type", index,
                               comp == KIR_COMP_STRUCT ? " struct" : "n array");
    *out = kgc_rtt_get(store->gc, m->canon[index]);
    return *out ? NULL : kutil_error_oom();
}

/* Checks v against canonical storage type st (packed types take an i32)
 * and writes its slot form. */
static kite_error_t *to_slots(const kite_store_t *store, const ktype_canon *c, const kite_val_t *v,
                              kir_valtype st, const char *what, uint64_t *slots)
{
    kir_kind k = kir_vt_kind(st);
    kir_valtype t = k == KIR_I8 || k == KIR_I16 ? kir_vt(KIR_I32) : st;
    kite_error_t *err = krt_val_check(store->alloc, c, v, t, what);
    if (err)
        return err;
    krt_val_to_slots(v, slots);
    return NULL;
}

static kite_error_t *exhausted(const kite_store_t *store, kite_trap_kind_t why)
{
    return kutil_error_new(store->alloc, KITE_ERROR_LIMIT, "%s", krt_trap_kind_message(why));
}

kite_error_t *kite_struct_new(kite_store_t *store, const kite_module_t *module,
                              uint32_t type_index, const kite_val_t *fields, size_t nfields,
                              kite_ref_t *out)
{
    *out = KITE_REF_NULL;
    const kgc_rtt *rtt;
    kite_error_t *err = rtt_of(store, module, type_index, KIR_COMP_STRUCT, &rtt);
    if (err)
        return err;
    if (nfields != (fields ? rtt->nfields : 0))
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the struct type has %u fields, %zu given", rtt->nfields, nfields);
    uint64_t small[16], *slots = NULL;
    if (fields) {
        slots = rtt->nslots <= 16
                    ? small
                    : kutil_malloc(store->alloc, (size_t)rtt->nslots * sizeof(uint64_t));
        if (!slots)
            return kutil_error_oom();
        for (size_t i = 0; i < nfields && !err; i++)
            err = to_slots(store, store->engine->canon, &fields[i], rtt->type->fields[i].type,
                           "field", slots + rtt->fields[i].slot);
    }
    if (!err) {
        val_roots roots = {{NULL, scan_vals}, fields, nfields};
        krt_roots_push(store, &roots.roots);
        kgc_obj *o = kgc_struct_new(store->gc, rtt, slots);
        krt_roots_pop(store, &roots.roots);
        if (o)
            *out = (kite_ref_t)krt_ref_from_obj(o);
        else
            err = exhausted(store, KITE_TRAP_GC_HEAP_EXHAUSTED);
    }
    if (slots != small)
        kutil_free(store->alloc, slots);
    return err;
}

kite_error_t *kite_array_new(kite_store_t *store, const kite_module_t *module,
                             uint32_t type_index, uint32_t length, const kite_val_t *init,
                             kite_ref_t *out)
{
    *out = KITE_REF_NULL;
    const kgc_rtt *rtt;
    kite_error_t *err = rtt_of(store, module, type_index, KIR_COMP_ARRAY, &rtt);
    if (err)
        return err;
    uint64_t slots[2] = {0, 0};
    if (init && (err = to_slots(store, store->engine->canon, init, rtt->type->fields[0].type,
                                "initial element", slots)) != NULL)
        return err;
    val_roots roots = {{NULL, scan_vals}, init, init ? 1 : 0};
    krt_roots_push(store, &roots.roots);
    kite_trap_kind_t why = KITE_TRAP_GC_HEAP_EXHAUSTED;
    kgc_array *a = kgc_array_new(store->gc, rtt, length, slots, &why);
    krt_roots_pop(store, &roots.roots);
    if (!a)
        return exhausted(store, why);
    *out = (kite_ref_t)krt_ref_from_obj(a);
    return NULL;
}

kite_error_t *kite_array_new_fixed(kite_store_t *store, const kite_module_t *module,
                                   uint32_t type_index, const kite_val_t *elems, size_t n,
                                   kite_ref_t *out)
{
    *out = KITE_REF_NULL;
    const kgc_rtt *rtt;
    kite_error_t *err = rtt_of(store, module, type_index, KIR_COMP_ARRAY, &rtt);
    if (err)
        return err;
    if (n > UINT32_MAX || (n && !elems))
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "array too large");
    size_t step = rtt->elem_width == 16 ? 2 : 1;
    uint64_t small[32];
    uint64_t *slots =
        n * step <= 32 ? small : kutil_malloc(store->alloc, n * step * sizeof(uint64_t));
    if (!slots)
        return kutil_error_oom();
    for (size_t i = 0; i < n && !err; i++)
        err = to_slots(store, store->engine->canon, &elems[i], rtt->type->fields[0].type, "element",
                       slots + i * step);
    if (!err) {
        val_roots roots = {{NULL, scan_vals}, elems, n};
        krt_roots_push(store, &roots.roots);
        kite_trap_kind_t why = KITE_TRAP_GC_HEAP_EXHAUSTED;
        kgc_array *a = kgc_array_new_fixed(store->gc, rtt, (uint32_t)n, slots, &why);
        krt_roots_pop(store, &roots.roots);
        if (a)
            *out = (kite_ref_t)krt_ref_from_obj(a);
        else
            err = exhausted(store, why);
    }
    if (slots != small)
        kutil_free(store->alloc, slots);
    return err;
}

/* ---- reading and writing ---------------------------------------------------------------------- */

static kgc_obj *gc_obj(kite_ref_t ref, uint32_t kind)
{
    krt_obj *o = krt_ref_obj((krt_ref)ref);
    return o && o->kind == kind ? (kgc_obj *)o : NULL;
}

/* A value of canonical storage type st read from p. */
static void read_value(const uint8_t *p, kir_valtype st, uint32_t width, kite_val_t *out)
{
    uint64_t slots[2] = {0, 0};
    kgc_load_value(p, width, slots);
    kir_kind k = kir_vt_kind(st);
    *out = krt_val_from_slots(k == KIR_I8 || k == KIR_I16 ? kir_vt(KIR_I32) : st, slots);
}

size_t kite_struct_field_count(kite_ref_t ref)
{
    kgc_obj *o = gc_obj(ref, KRT_OBJ_STRUCT);
    return o ? kgc_rtt_of(o)->nfields : 0;
}

/* The struct and its field `field`, or an error. */
static kite_error_t *field_of(const kite_store_t *store, kite_ref_t ref, size_t field, kgc_obj **o,
                              const kgc_rtt **rtt)
{
    *o = gc_obj(ref, KRT_OBJ_STRUCT);
    if (!*o)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "%s",
                               ref ? "not a struct" : "null structure reference");
    *rtt = kgc_rtt_of(*o);
    if (field >= (*rtt)->nfields)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the struct has %u fields, no field %zu", (*rtt)->nfields, field);
    return NULL;
}

kite_error_t *kite_struct_get(kite_store_t *store, kite_ref_t ref, size_t field, kite_val_t *out)
{
    kgc_obj *o = NULL;
    const kgc_rtt *rtt = NULL;
    kite_error_t *err = field_of(store, ref, field, &o, &rtt);
    if (err)
        return err;
    const kgc_field *f = &rtt->fields[field];
    read_value((const uint8_t *)o + f->offset, rtt->type->fields[field].type, f->width, out);
    return NULL;
}

kite_error_t *kite_struct_set(kite_store_t *store, kite_ref_t ref, size_t field,
                              const kite_val_t *value)
{
    kgc_obj *o = NULL;
    const kgc_rtt *rtt = NULL;
    kite_error_t *err = field_of(store, ref, field, &o, &rtt);
    if (err)
        return err;
    if (!rtt->type->fields[field].mutable_)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "field %zu is immutable", field);
    uint64_t slots[2] = {0, 0};
    err = to_slots(store, rtt->registry, value, rtt->type->fields[field].type, "value", slots);
    if (err)
        return err;
    const kgc_field *f = &rtt->fields[field];
    kgc_store_value((uint8_t *)o + f->offset, f->width, slots);
    return NULL;
}

uint32_t kite_array_len(kite_ref_t ref)
{
    kgc_obj *o = gc_obj(ref, KRT_OBJ_ARRAY);
    return o ? ((kgc_array *)o)->len : 0;
}

static kite_error_t *elem_of(const kite_store_t *store, kite_ref_t ref, uint32_t index,
                             kgc_array **a)
{
    kgc_obj *o = gc_obj(ref, KRT_OBJ_ARRAY);
    if (!o)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "%s",
                               ref ? "not an array" : "null array reference");
    *a = (kgc_array *)o;
    if (index >= (*a)->len)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "out of bounds array access: index %u, length %u", index, (*a)->len);
    return NULL;
}

kite_error_t *kite_array_get(kite_store_t *store, kite_ref_t ref, uint32_t index, kite_val_t *out)
{
    kgc_array *a = NULL;
    kite_error_t *err = elem_of(store, ref, index, &a);
    if (err)
        return err;
    const kgc_rtt *rtt = kgc_rtt_of(&a->obj);
    read_value(kgc_array_data(a) + (size_t)index * rtt->elem_width, rtt->type->fields[0].type,
               rtt->elem_width, out);
    return NULL;
}

kite_error_t *kite_array_set(kite_store_t *store, kite_ref_t ref, uint32_t index,
                             const kite_val_t *value)
{
    kgc_array *a = NULL;
    kite_error_t *err = elem_of(store, ref, index, &a);
    if (err)
        return err;
    const kgc_rtt *rtt = kgc_rtt_of(&a->obj);
    if (!rtt->type->fields[0].mutable_)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT, "the array is immutable");
    uint64_t slots[2] = {0, 0};
    err = to_slots(store, rtt->registry, value, rtt->type->fields[0].type, "value", slots);
    if (err)
        return err;
    kgc_store_value(kgc_array_data(a) + (size_t)index * rtt->elem_width, rtt->elem_width, slots);
    return NULL;
}

/* ---- roots and collections ---------------------------------------------------------------------- */

kite_error_t *kite_root_new(kite_store_t *store, kite_ref_t ref, kite_root_t **out)
{
    *out = kgc_handle_new(store->gc, (krt_ref)ref);
    return *out ? NULL : kutil_error_oom();
}

kite_ref_t kite_root_get(const kite_root_t *root) { return (kite_ref_t)root->ref; }
void kite_root_set(kite_root_t *root, kite_ref_t ref) { root->ref = (krt_ref)ref; }

void kite_root_free(kite_root_t *root)
{
    if (root)
        kgc_handle_free(root);
}

void kite_store_gc(kite_store_t *store) { kgc_collect(store->gc); }

void kite_store_gc_stats(const kite_store_t *store, kite_gc_stats_t *out)
{
    const kgc_heap *h = store->gc;
    out->collections = h->collections;
    out->heap_bytes = h->bytes;
    out->peak_heap_bytes = h->peak_bytes;
    out->live_bytes = h->live_bytes;
}
