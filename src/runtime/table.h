/*
 * Tables: growable arrays of references.
 *
 * An element is a pointer-sized reference in the runtime's one encoding
 * (null is 0, an i31 has the low bit set, anything else points at an object).
 * The element array may move when the table grows: code must reload `elems`
 * after any call that can grow the table.
 *
 * Every operation checks its bounds first and changes nothing when out of
 * bounds, as the spec requires of table.fill/copy/init.
 */
#ifndef KITE_RUNTIME_TABLE_H
#define KITE_RUNTIME_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/types.h"
#include "kite.h"
#include "runtime/budget.h"

/* What krt_table_grow returns when the table cannot grow (-1 as i32/i64). */
#define KRT_TABLE_GROW_FAILED UINT64_MAX

/* The default cap on one table's elements (80 MB of references): a table
 * without a maximum cannot take the host down. */
#define KRT_TABLE_DEFAULT_MAX_ELEMS (UINT64_C(10) * 1000 * 1000)

typedef struct krt_table_opts {
    krt_budget *budget; /* store-wide element limit, or NULL */
    uint64_t max_elems; /* this table's own limit; 0: KRT_TABLE_DEFAULT_MAX_ELEMS */
} krt_table_opts;

typedef struct krt_table {
    kir_valtype elem;     /* the element (reference) type */
    bool is64;            /* table64: i64 indices */
    uint64_t size;        /* elements */
    uint64_t max;         /* the declared maximum, or the index type's */
    uint64_t capacity;    /* elements allocated at elems */
    uint64_t max_elems;   /* the configured limit */
    uintptr_t *elems;
    krt_budget *budget;
    const kite_allocator_t *alloc; /* of this struct and elems: the engine's */
} krt_table;

/* The executor maps KRT_TABLE_OUT_OF_BOUNDS to "out of bounds table access". */
typedef enum krt_table_status {
    KRT_TABLE_OK = 0,
    KRT_TABLE_OUT_OF_BOUNDS = 1,
} krt_table_status;

/*
 * Creates a table (allocated with `alloc`, which must outlive it) of elem type with limits->min
 * elements, each `init`, and the limits' maximum and index type (is64). opts may be NULL. Errors:
 * KITE_ERROR_LIMIT when the initial size exceeds a limit,
 * KITE_ERROR_OUT_OF_MEMORY when the allocation fails.
 */
kite_error_t *krt_table_new(const kite_allocator_t *alloc, kir_valtype elem,
                            const kir_limits *limits, uintptr_t init, const krt_table_opts *opts,
                            krt_table **out);
void krt_table_free(krt_table *t); /* NULL is ignored */

/*
 * table.grow: appends delta elements set to init and returns the old size,
 * or KRT_TABLE_GROW_FAILED past the maximum, a limit, or when allocation
 * fails; then nothing changes.
 */
uint64_t krt_table_grow(krt_table *t, uint64_t delta, uintptr_t init);
/* The same, saying in *out_of_memory whether the allocation failed (rather
 * than a maximum or limit refusing). */
uint64_t krt_table_grow_why(krt_table *t, uint64_t delta, uintptr_t init, bool *out_of_memory);

static inline krt_table_status krt_table_get(const krt_table *t, uint64_t i, uintptr_t *out)
{
    if (i >= t->size)
        return KRT_TABLE_OUT_OF_BOUNDS;
    *out = t->elems[i];
    return KRT_TABLE_OK;
}

static inline krt_table_status krt_table_set(krt_table *t, uint64_t i, uintptr_t ref)
{
    if (i >= t->size)
        return KRT_TABLE_OUT_OF_BOUNDS;
    t->elems[i] = ref;
    return KRT_TABLE_OK;
}

/* table.fill: n elements from i set to ref. */
krt_table_status krt_table_fill(krt_table *t, uint64_t i, uintptr_t ref, uint64_t n);

/* table.copy: n elements from src at s to dst at d (the same or another
 * table); overlapping ranges copy as if through a temporary buffer. */
krt_table_status krt_table_copy(krt_table *dst, uint64_t d, const krt_table *src, uint64_t s,
                                uint64_t n);

/* table.init: n references of an element segment (src_len long; 0 once
 * dropped), already evaluated, from s to the table at d. */
krt_table_status krt_table_init(krt_table *t, uint64_t d, const uintptr_t *src, uint64_t src_len,
                                uint64_t s, uint64_t n);

#endif
