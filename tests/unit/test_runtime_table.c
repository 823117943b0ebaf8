/*
 * Tables: creation, growth against the maximum and the configured limits,
 * allocation failure, bounds-checked get/set, and table.fill/copy/init with
 * their all-or-nothing bounds rule.
 */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/table.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"
#include "fail_alloc.h"

static kir_limits limits(uint64_t min, uint64_t max, bool has_max, bool is64)
{
    return (kir_limits){.min = min, .max = max, .has_max = has_max, .is64 = is64};
}

static krt_table *make(kir_limits lim, uintptr_t init, const krt_table_opts *opts)
{
    krt_table *t = NULL;
    kite_error_t *err = krt_table_new(&g_fail_alloc, KIR_FUNCREF, &lim, init, opts, &t);
    CHECK(!err, "krt_table_new(min %llu): %s", (unsigned long long)lim.min,
          err ? kite_error_message(err) : "");
    kite_error_free(err);
    return t;
}

/* Whether elements [from, to) all hold ref. */
static bool all(const krt_table *t, uint64_t from, uint64_t to, uintptr_t ref)
{
    for (uint64_t i = from; i < to; i++) {
        uintptr_t got = 0;
        if (krt_table_get(t, i, &got) != KRT_TABLE_OK || got != ref)
            return false;
    }
    return true;
}

static void test_new_get_set(void)
{
    krt_table *t = make(limits(3, 10, true, false), 0x1000, NULL);
    if (!t)
        return;
    CHECK(t->elem == KIR_FUNCREF && t->size == 3 && t->max == 10 && !t->is64, "fields");
    CHECK(all(t, 0, 3, 0x1000), "initial elements");
    uintptr_t r = 1;
    CHECK(krt_table_get(t, 3, &r) == KRT_TABLE_OUT_OF_BOUNDS && r == 1, "get at size");
    CHECK(krt_table_get(t, UINT64_MAX, &r) == KRT_TABLE_OUT_OF_BOUNDS, "get huge index");
    CHECK(krt_table_set(t, 2, 0x2001) == KRT_TABLE_OK, "set");
    CHECK(krt_table_get(t, 2, &r) == KRT_TABLE_OK && r == 0x2001, "get after set");
    CHECK(krt_table_set(t, 3, 5) == KRT_TABLE_OUT_OF_BOUNDS, "set at size");
    krt_table_free(t);

    t = make(limits(0, 0, false, false), 0, NULL);
    if (t) {
        CHECK(t->size == 0 && t->max == UINT32_MAX, "empty table without a maximum");
        CHECK(krt_table_get(t, 0, &r) == KRT_TABLE_OUT_OF_BOUNDS, "get in an empty table");
        krt_table_free(t);
    }
    krt_table_free(NULL);
}

static void test_grow(void)
{
    krt_table *t = make(limits(1, 5, true, false), 0, NULL);
    if (t) {
        CHECK(krt_table_grow(t, 2, 0x30) == 1 && t->size == 3, "grow 2");
        CHECK(all(t, 0, 1, 0) && all(t, 1, 3, 0x30), "grown elements take the init value");
        CHECK(krt_table_grow(t, 3, 0) == KRT_TABLE_GROW_FAILED && t->size == 3, "past max");
        CHECK(krt_table_grow(t, 2, 0x40) == 3 && all(t, 3, 5, 0x40), "to max");
        CHECK(krt_table_grow(t, 1, 0) == KRT_TABLE_GROW_FAILED, "at max");
        CHECK(krt_table_grow(t, 0, 0) == 5, "grow 0 at max returns the size");
        CHECK(krt_table_grow(t, UINT64_MAX, 0) == KRT_TABLE_GROW_FAILED, "huge delta");
        krt_table_free(t);
    }

    /* One element at a time, many times: amortised, contents kept. */
    t = make(limits(0, 0, false, false), 0, NULL);
    if (t) {
        bool ok = true;
        for (uint64_t i = 0; i < 100000 && ok; i++)
            ok = krt_table_grow(t, 1, (uintptr_t)(i * 2 + 1)) == i;
        CHECK(ok && t->size == 100000, "100000 single grows");
        CHECK(t->elems[0] == 1 && t->elems[99999] == 199999, "contents kept");
        CHECK(krt_table_grow(t, UINT32_MAX, 0) == KRT_TABLE_GROW_FAILED, "past the i32 maximum");
        krt_table_free(t);
    }

    /* table64 indices go beyond 2^32 in principle; the limit holds them. */
    t = make(limits(2, 0, false, true), 0, NULL);
    if (t) {
        CHECK(t->is64 && t->max == UINT64_MAX, "table64 maximum");
        uintptr_t r;
        CHECK(krt_table_get(t, (UINT64_C(1) << 32) + 1, &r) == KRT_TABLE_OUT_OF_BOUNDS,
              "64-bit index out of bounds");
        CHECK(krt_table_grow(t, UINT64_C(1) << 40, 0) == KRT_TABLE_GROW_FAILED,
              "past the element limit");
        krt_table_free(t);
    }
}

static void test_limits(void)
{
    krt_table_opts opts = {.max_elems = 8};
    krt_table *t = make(limits(4, 0, false, false), 0, &opts);
    if (t) {
        CHECK(krt_table_grow(t, 4, 0) == 4, "grow to the element limit");
        CHECK(krt_table_grow(t, 1, 0) == KRT_TABLE_GROW_FAILED, "past the element limit");
        krt_table_free(t);
    }
    kir_limits big = limits(9, 0, false, false);
    krt_table *out = NULL;
    kite_error_t *err = krt_table_new(&g_fail_alloc, KIR_FUNCREF, &big, 0, &opts, &out);
    CHECK(err && kite_error_code(err) == KITE_ERROR_LIMIT && !out, "initial size over the limit");
    kite_error_free(err);

    /* A store-wide budget shared by two tables. */
    krt_budget budget;
    krt_budget_init(&budget, 10);
    krt_table_opts with_budget = {.budget = &budget};
    krt_table *a = make(limits(4, 0, false, false), 0, &with_budget);
    krt_table *b = make(limits(4, 0, false, true), 0, &with_budget);
    if (a && b) {
        CHECK(krt_table_grow(a, 2, 0) == 4, "grow within the budget");
        CHECK(krt_table_grow(b, 1, 0) == KRT_TABLE_GROW_FAILED && b->size == 4, "past the budget");
        kir_limits one = limits(1, 0, false, false);
        err = krt_table_new(&g_fail_alloc, KIR_EXTERNREF, &one, 0, &with_budget, &out);
        CHECK(err && kite_error_code(err) == KITE_ERROR_LIMIT, "new past the budget");
        kite_error_free(err);
        krt_table_free(a);
        a = NULL;
        CHECK(krt_table_grow(b, 6, 0) == 4, "grow after the refund");
    }
    krt_table_free(a);
    krt_table_free(b);
    CHECK(atomic_load(&budget.used) == 0, "all refunded");

    /* Allocation failures: at creation, and at growth (nothing changes). */
    kir_limits some = limits(4, 0, false, false);
    for (unsigned long n = 1; n <= 2; n++) {
        fail_after(n);
        err = krt_table_new(&g_fail_alloc, KIR_FUNCREF, &some, 0, NULL, &out);
        fail_after(0);
        CHECK(err && kite_error_code(err) == KITE_ERROR_OUT_OF_MEMORY && !out,
              "allocation %lu fails", n);
        kite_error_free(err);
    }
}

static void test_grow_allocation_failure(void)
{
    krt_table *t = make(limits(4, 0, false, false), 7, NULL);
    if (!t)
        return;
    /* The doubled array fails; the exact size is tried next and succeeds. */
    fail_after(1);
    CHECK(krt_table_grow(t, 1, 9) == 4 && t->size == 5 && t->capacity == 5,
          "grow falls back to the exact size (capacity %llu)", (unsigned long long)t->capacity);
    fail_after(0);
    /* Both fail: -1 and nothing changes. */
    uintptr_t *elems = t->elems;
    fail_all(true);
    CHECK(krt_table_grow(t, 1, 9) == KRT_TABLE_GROW_FAILED, "grow fails without memory");
    fail_all(false);
    CHECK(t->size == 5 && t->elems == elems && all(t, 0, 4, 7) && all(t, 4, 5, 9),
          "a failed grow changes nothing");
    CHECK(krt_table_grow(t, 1, 9) == 5, "grow works again");
    krt_table_free(t);
}

static void test_fill_copy_init(void)
{
    krt_table *t = make(limits(8, 0, false, false), 0, NULL);
    krt_table *u = make(limits(4, 0, false, true), 0x99, NULL);
    if (!t || !u) {
        krt_table_free(t);
        krt_table_free(u);
        return;
    }
    CHECK(krt_table_fill(t, 2, 0x11, 3) == KRT_TABLE_OK && all(t, 2, 5, 0x11), "fill");
    CHECK(all(t, 0, 2, 0) && all(t, 5, 8, 0), "fill stays in its range");
    CHECK(krt_table_fill(t, 6, 0x22, 3) == KRT_TABLE_OUT_OF_BOUNDS && all(t, 5, 8, 0),
          "no partial fill");
    CHECK(krt_table_fill(t, 8, 0x22, 0) == KRT_TABLE_OK, "empty fill at the end");
    CHECK(krt_table_fill(t, 9, 0x22, 0) == KRT_TABLE_OUT_OF_BOUNDS, "empty fill past the end");
    CHECK(krt_table_fill(t, 1, 0, UINT64_MAX) == KRT_TABLE_OUT_OF_BOUNDS, "fill overflow");

    for (uintptr_t i = 0; i < 8; i++)
        t->elems[i] = i + 1;
    CHECK(krt_table_copy(t, 2, t, 0, 5) == KRT_TABLE_OK, "overlapping copy up");
    CHECK(t->elems[2] == 1 && t->elems[6] == 5 && t->elems[1] == 2, "copy up");
    for (uintptr_t i = 0; i < 8; i++)
        t->elems[i] = i + 1;
    CHECK(krt_table_copy(t, 0, t, 3, 5) == KRT_TABLE_OK, "overlapping copy down");
    CHECK(t->elems[0] == 4 && t->elems[4] == 8 && t->elems[5] == 6, "copy down");
    CHECK(krt_table_copy(t, 5, t, 0, 4) == KRT_TABLE_OUT_OF_BOUNDS && t->elems[5] == 6,
          "no partial copy");
    CHECK(krt_table_copy(t, 0, t, 5, 4) == KRT_TABLE_OUT_OF_BOUNDS && t->elems[0] == 4,
          "copy source out of bounds");
    CHECK(krt_table_copy(t, 8, t, 8, 0) == KRT_TABLE_OK, "empty copy at the end");
    CHECK(krt_table_copy(t, 0, u, 5, 0) == KRT_TABLE_OUT_OF_BOUNDS, "empty copy past the end");
    CHECK(krt_table_copy(u, 0, t, 0, 4) == KRT_TABLE_OK && u->elems[3] == 7,
          "copy between tables");

    static const uintptr_t seg[] = {0x100, 0x200, 0x300};
    CHECK(krt_table_init(t, 6, seg, 3, 1, 2) == KRT_TABLE_OK && t->elems[6] == 0x200 &&
              t->elems[7] == 0x300,
          "init");
    CHECK(krt_table_init(t, 0, seg, 3, 2, 2) == KRT_TABLE_OUT_OF_BOUNDS && t->elems[0] == 4,
          "init source out of bounds");
    CHECK(krt_table_init(t, 7, seg, 3, 0, 2) == KRT_TABLE_OUT_OF_BOUNDS && t->elems[7] == 0x300,
          "init destination out of bounds");
    CHECK(krt_table_init(t, 8, NULL, 0, 0, 0) == KRT_TABLE_OK, "dropped segment, n = 0");
    CHECK(krt_table_init(t, 0, NULL, 0, 1, 0) == KRT_TABLE_OUT_OF_BOUNDS, "dropped, s = 1");
    krt_table_free(t);
    krt_table_free(u);
}

int main(void)
{
    test_new_get_set();
    test_grow();
    test_limits();
    test_grow_allocation_failure();
    test_fill_copy_init();
    if (g_failures) {
        printf("%d check(s) failed\n", g_failures);
        return 1;
    }
    printf("all table tests passed\n");
    return 0;
}
