#include "runtime/table.h"

#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Whether [start, start+n) fits in `limit` elements, overflow-safe. */
static bool range_ok(uint64_t start, uint64_t n, uint64_t limit)
{
    return n <= limit && start <= limit - n;
}

static void fill_elems(uintptr_t *elems, uint64_t from, uint64_t to, uintptr_t ref)
{
    for (uint64_t i = from; i < to; i++)
        elems[i] = ref;
}

/*
 * Makes room for `need` elements. Capacity doubles so that a table grown one
 * element at a time costs amortised constant time, but never beyond what the
 * table may hold; if the doubled array cannot be had, the exact size is
 * tried before giving up.
 */
static bool reserve_elems(krt_table *t, uint64_t need)
{
    if (need <= t->capacity)
        return true;
    uint64_t hard = min_u64(min_u64(t->max, t->max_elems), SIZE_MAX / sizeof(uintptr_t));
    if (need > hard)
        return false;
    uint64_t cap = t->capacity > hard / 2 ? hard : t->capacity * 2;
    if (cap < need)
        cap = need;
    uintptr_t *elems = kutil_realloc(t->alloc, t->elems, (size_t)cap * sizeof(uintptr_t));
    if (!elems && cap > need) {
        cap = need;
        elems = kutil_realloc(t->alloc, t->elems, (size_t)cap * sizeof(uintptr_t));
    }
    if (!elems)
        return false;
    t->elems = elems;
    t->capacity = cap;
    return true;
}

kite_error_t *krt_table_new(const kite_allocator_t *alloc, kir_valtype elem,
                            const kir_limits *limits, uintptr_t init, const krt_table_opts *opts,
                            krt_table **out)
{
    static const krt_table_opts defaults = {0};
    *out = NULL;
    if (!opts)
        opts = &defaults;
    uint64_t max = limits->is64 ? UINT64_MAX : UINT32_MAX;
    if (limits->has_max)
        max = min_u64(max, limits->max);
    if (limits->min > max)
        return kutil_error_new(alloc, KITE_ERROR_LIMIT, "table size must be at most %llu elements",
                               (unsigned long long)max);
    uint64_t max_elems = opts->max_elems ? opts->max_elems : KRT_TABLE_DEFAULT_MAX_ELEMS;
    if (limits->min > max_elems)
        return kutil_error_new(alloc, KITE_ERROR_LIMIT,
                               "table of %llu elements exceeds the table limit",
                               (unsigned long long)limits->min);

    krt_table *t = kutil_calloc(alloc, 1, sizeof(*t));
    if (!t)
        return kutil_error_oom();
    t->alloc = alloc;
    t->elem = elem;
    t->is64 = limits->is64;
    t->max = max;
    t->max_elems = max_elems;
    if (!reserve_elems(t, limits->min)) {
        krt_table_free(t);
        return kutil_error_oom();
    }
    if (!krt_budget_charge(opts->budget, limits->min)) {
        krt_table_free(t);
        return kutil_error_new(alloc, KITE_ERROR_LIMIT,
                               "table of %llu elements exceeds the store's table limit",
                               (unsigned long long)limits->min);
    }
    t->budget = opts->budget;
    t->size = limits->min;
    fill_elems(t->elems, 0, t->size, init);
    *out = t;
    return NULL;
}

void krt_table_free(krt_table *t)
{
    if (!t)
        return;
    krt_budget_refund(t->budget, t->size);
    kutil_free(t->alloc, t->elems);
    kutil_free(t->alloc, t);
}

uint64_t krt_table_grow(krt_table *t, uint64_t delta, uintptr_t init)
{
    bool oom;
    return krt_table_grow_why(t, delta, init, &oom);
}

uint64_t krt_table_grow_why(krt_table *t, uint64_t delta, uintptr_t init, bool *out_of_memory)
{
    *out_of_memory = false;
    uint64_t old = t->size;
    if (delta == 0)
        return old;
    if (delta > t->max - old || old + delta > t->max_elems)
        return KRT_TABLE_GROW_FAILED;
    if (!krt_budget_charge(t->budget, delta))
        return KRT_TABLE_GROW_FAILED;
    if (!reserve_elems(t, old + delta)) {
        krt_budget_refund(t->budget, delta);
        *out_of_memory = true;
        return KRT_TABLE_GROW_FAILED;
    }
    fill_elems(t->elems, old, old + delta, init);
    t->size = old + delta;
    return old;
}

krt_table_status krt_table_fill(krt_table *t, uint64_t i, uintptr_t ref, uint64_t n)
{
    if (!range_ok(i, n, t->size))
        return KRT_TABLE_OUT_OF_BOUNDS;
    fill_elems(t->elems, i, i + n, ref);
    return KRT_TABLE_OK;
}

krt_table_status krt_table_copy(krt_table *dst, uint64_t d, const krt_table *src, uint64_t s,
                                uint64_t n)
{
    if (!range_ok(d, n, dst->size) || !range_ok(s, n, src->size))
        return KRT_TABLE_OUT_OF_BOUNDS;
    if (n)
        memmove(dst->elems + d, src->elems + s, (size_t)n * sizeof(uintptr_t));
    return KRT_TABLE_OK;
}

krt_table_status krt_table_init(krt_table *t, uint64_t d, const uintptr_t *src, uint64_t src_len,
                                uint64_t s, uint64_t n)
{
    if (!range_ok(d, n, t->size) || !range_ok(s, n, src_len))
        return KRT_TABLE_OUT_OF_BOUNDS;
    if (n)
        memcpy(t->elems + d, src + s, (size_t)n * sizeof(uintptr_t));
    return KRT_TABLE_OK;
}
