/* Unit test: the engine-wide canonical type registry (valid/canon.c). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ir/module.h"
#include "types/canon.h"
#include "util/alloc.h"
#include "util/error.h"
#include "check.h"

static kir_type *add_type(kir_module *m, kir_comp comp, uint32_t rec_start, uint32_t rec_size)
{
    kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
    t->comp = comp;
    t->final = true;
    t->super = KIR_NO_SUPER;
    t->rec_start = rec_start;
    t->rec_size = rec_size;
    return t;
}

/* A singleton rec group holding a function type. */
static kir_type *add_func(kir_module *m, const kir_valtype *ps, uint32_t np, const kir_valtype *rs, uint32_t nr)
{
    kir_type *t = add_type(m, KIR_COMP_FUNC, m->ntypes, 1);
    t->nparams = np;
    t->nresults = nr;
    t->types = kutil_arena_array(&m->arena, np + nr + 1, sizeof(kir_valtype));
    if (np)
        memcpy(t->types, ps, np * sizeof(kir_valtype));
    if (nr)
        memcpy(t->types + np, rs, nr * sizeof(kir_valtype));
    return t;
}

/* A struct type with one field, in group [rec_start, rec_start + rec_size). */
static kir_type *add_struct1(kir_module *m, kir_valtype ft, bool mut, uint32_t rec_start, uint32_t rec_size)
{
    kir_type *t = add_type(m, KIR_COMP_STRUCT, rec_start, rec_size);
    t->nfields = 1;
    t->fields = kutil_arena_alloc(&m->arena, sizeof(kir_field));
    t->fields[0].type = ft;
    t->fields[0].mutable_ = mut;
    return t;
}

static uint32_t canon1(ktype_canon *c, kir_module *m, uint32_t idx)
{
    kite_error_t *e = ktype_canon_module(c, m);
    if (e) {
        fprintf(stderr, "canon error: %s\n", kite_error_message(e));
        kite_error_free(e);
        g_failures++;
        return UINT32_MAX;
    }
    return m->canon[idx];
}

static void test_same_group(ktype_canon *c)
{
    kir_valtype p[] = {kir_vt(KIR_I32), kir_vt(KIR_F64)}, r[] = {kir_vt(KIR_I64)};
    kir_module *a = kir_module_new(&kutil_libc), *b = kir_module_new(&kutil_libc);
    add_func(a, p, 2, r, 1);
    add_struct1(b, kir_vt(KIR_I32), false, 0, 1); /* shifts the index in b */
    add_func(b, p, 2, r, 1);
    uint32_t ia = canon1(c, a, 0), ib = canon1(c, b, 1);
    CHECK_THAT(ia == ib);
    CHECK_THAT(b->canon[0] != ib);
    const ktype_ctype *ct = ktype_canon_type(c, ia);
    CHECK_THAT(ct->comp == KIR_COMP_FUNC && ct->nparams == 2 && ct->nresults == 1);
    CHECK_THAT(ct->types[1] == kir_vt(KIR_F64) && ct->types[2] == kir_vt(KIR_I64));
    kir_module_free(a);
    kir_module_free(b);
}

static void test_differences(ktype_canon *c)
{
    kir_module *m = kir_module_new(&kutil_libc);
    add_struct1(m, kir_vt(KIR_I32), false, 0, 1);                 /* 0: final, immutable */
    add_struct1(m, kir_vt(KIR_I32), true, 1, 1);                  /* 1: mutable field */
    add_struct1(m, kir_vt(KIR_I32), false, 2, 1)->final = false;  /* 2: not final */
    kir_type *t3 = add_struct1(m, kir_vt(KIR_I32), false, 3, 1);  /* 3: sub 2 */
    t3->super = 2;
    add_struct1(m, kir_vt(KIR_I32), false, 4, 1);                 /* 4: same as 0 */
    CHECK_THAT(canon1(c, m, 0) != UINT32_MAX);
    CHECK_THAT(m->canon[0] != m->canon[1]);
    CHECK_THAT(m->canon[0] != m->canon[2]);
    CHECK_THAT(m->canon[0] != m->canon[3]);
    CHECK_THAT(m->canon[2] != m->canon[3]);
    CHECK_THAT(m->canon[0] == m->canon[4]);
    CHECK_THAT(ktype_canon_is_subtype(c, m->canon[3], m->canon[2]));
    CHECK_THAT(!ktype_canon_is_subtype(c, m->canon[2], m->canon[3]));
    CHECK_THAT(!ktype_canon_is_subtype(c, m->canon[3], m->canon[0]));
    kir_module_free(m);

    /* Nullability and heap types of fields matter too. */
    kir_module *n = kir_module_new(&kutil_libc);
    add_struct1(n, kir_vt_ref(true, false, KIR_HEAP_ANY), false, 0, 1);
    add_struct1(n, kir_vt_ref(false, false, KIR_HEAP_ANY), false, 1, 1);
    add_struct1(n, kir_vt_ref(true, false, KIR_HEAP_EQ), false, 2, 1);
    CHECK_THAT(canon1(c, n, 0) != UINT32_MAX);
    CHECK_THAT(n->canon[0] != n->canon[1] && n->canon[0] != n->canon[2] && n->canon[1] != n->canon[2]);
    kir_module_free(n);
}

static void test_rec_groups(ktype_canon *c)
{
    /* rec { struct i32, struct i64 } vs the same two types as singletons. */
    kir_module *a = kir_module_new(&kutil_libc), *b = kir_module_new(&kutil_libc),
               *d = kir_module_new(&kutil_libc);
    add_struct1(a, kir_vt(KIR_I32), false, 0, 2);
    add_struct1(a, kir_vt(KIR_I64), false, 0, 2);
    add_struct1(b, kir_vt(KIR_I32), false, 0, 1);
    add_struct1(b, kir_vt(KIR_I64), false, 1, 1);
    add_struct1(d, kir_vt(KIR_F32), false, 0, 1);
    add_struct1(d, kir_vt(KIR_I32), false, 1, 2);
    add_struct1(d, kir_vt(KIR_I64), false, 1, 2);
    CHECK_THAT(canon1(c, a, 0) != UINT32_MAX && canon1(c, b, 0) != UINT32_MAX && canon1(c, d, 0) != UINT32_MAX);
    CHECK_THAT(a->canon[0] != b->canon[0]);
    CHECK_THAT(a->canon[1] != b->canon[1]);
    CHECK_THAT(a->canon[1] == a->canon[0] + 1);
    CHECK_THAT(d->canon[1] == a->canon[0] && d->canon[2] == a->canon[1]);
    kir_module_free(a);
    kir_module_free(b);
    kir_module_free(d);

    /* Recursive references: rec { A = struct (ref null B), B = struct (ref null A) }. */
    kir_module *r1 = kir_module_new(&kutil_libc), *r2 = kir_module_new(&kutil_libc);
    add_struct1(r1, kir_vt_ref(true, true, 1), false, 0, 2);
    add_struct1(r1, kir_vt_ref(true, true, 0), false, 0, 2);
    add_func(r2, NULL, 0, NULL, 0);
    add_struct1(r2, kir_vt_ref(true, true, 2), false, 1, 2);
    add_struct1(r2, kir_vt_ref(true, true, 1), false, 1, 2);
    /* Same shape, but the first field points to itself: a different group. */
    kir_module *r3 = kir_module_new(&kutil_libc);
    add_struct1(r3, kir_vt_ref(true, true, 0), false, 0, 2);
    add_struct1(r3, kir_vt_ref(true, true, 0), false, 0, 2);
    CHECK_THAT(canon1(c, r1, 0) != UINT32_MAX && canon1(c, r2, 0) != UINT32_MAX && canon1(c, r3, 0) != UINT32_MAX);
    CHECK_THAT(r1->canon[0] == r2->canon[1] && r1->canon[1] == r2->canon[2]);
    CHECK_THAT(r3->canon[0] != r1->canon[0]);
    const ktype_ctype *ct = ktype_canon_type(c, r1->canon[0]);
    CHECK_THAT(ct->group == r1->canon[0] && ct->group_size == 2);
    CHECK_THAT(kir_vt_heap(ct->fields[0].type) == r1->canon[1]);
    kir_module_free(r1);
    kir_module_free(r2);
    kir_module_free(r3);

    /* A reference to an earlier group is by canonical id. */
    kir_module *e1 = kir_module_new(&kutil_libc), *e2 = kir_module_new(&kutil_libc);
    kir_valtype p1 = kir_vt_ref(false, true, 0), p2 = kir_vt_ref(false, true, 1);
    add_struct1(e1, kir_vt(KIR_I32), false, 0, 1);
    add_func(e1, &p1, 1, NULL, 0);
    add_func(e2, NULL, 0, NULL, 0);
    add_struct1(e2, kir_vt(KIR_I32), false, 1, 1);
    add_func(e2, &p2, 1, NULL, 0);
    CHECK_THAT(canon1(c, e1, 0) != UINT32_MAX && canon1(c, e2, 0) != UINT32_MAX);
    CHECK_THAT(e1->canon[1] == e2->canon[2]);
    kir_module_free(e1);
    kir_module_free(e2);
}

static void test_display(ktype_canon *c)
{
    /* t0 <- t1 <- ... <- t5, plus a sibling s2 of t2 (sub t1). */
    kir_module *m = kir_module_new(&kutil_libc);
    for (uint32_t i = 0; i < 6; i++) {
        kir_type *t = add_struct1(m, kir_vt(KIR_I32), true, i, 1);
        t->final = false;
        t->super = i == 0 ? KIR_NO_SUPER : i - 1;
    }
    kir_type *s2 = add_struct1(m, kir_vt(KIR_I32), true, 6, 1);
    s2->final = false;
    s2->super = 1;
    CHECK_THAT(canon1(c, m, 0) != UINT32_MAX);
    uint32_t *id = m->canon;
    for (uint32_t i = 0; i < 6; i++)
        for (uint32_t j = 0; j < 6; j++)
            CHECK_THAT(ktype_canon_is_subtype(c, id[i], id[j]) == (i >= j));
    CHECK_THAT(ktype_canon_type(c, id[5])->depth == 5);
    CHECK_THAT(ktype_canon_type(c, id[5])->ancestors[0] == id[0]);
    CHECK_THAT(id[6] == id[2]); /* structurally identical to t2, same supertype */
    kir_module_free(m);

    kir_module *n = kir_module_new(&kutil_libc);
    for (uint32_t i = 0; i < 3; i++) {
        kir_type *t = add_struct1(n, kir_vt(KIR_I32), true, i, 1);
        t->final = false;
        t->super = i == 0 ? KIR_NO_SUPER : i - 1;
    }
    kir_type *o = add_struct1(n, kir_vt(KIR_I64), true, 3, 1); /* sub t1 with another field type */
    o->final = false;
    o->super = 1;
    CHECK_THAT(canon1(c, n, 0) != UINT32_MAX);
    CHECK_THAT(ktype_canon_is_subtype(c, n->canon[3], n->canon[0]));
    CHECK_THAT(ktype_canon_is_subtype(c, n->canon[3], n->canon[1]));
    CHECK_THAT(!ktype_canon_is_subtype(c, n->canon[3], n->canon[2]));
    CHECK_THAT(!ktype_canon_is_subtype(c, n->canon[2], n->canon[3]));
    kir_module_free(n);
}

/* Many threads canonicalizing equal modules get equal ids. */
typedef struct job {
    ktype_canon *c;
    uint32_t ids[64];
    int ok;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    kir_module *m = kir_module_new(&kutil_libc);
    for (uint32_t i = 0; i < 64; i++) {
        kir_valtype p = kir_vt(KIR_I32 + (i % 4)), r[4];
        for (int k = 0; k < 4; k++)
            r[k] = kir_vt(KIR_I32 + (i / 4 % 4));
        kir_type *t = add_func(m, &p, 1, r, i / 16);
        t->final = (i & 1) != 0;
    }
    kite_error_t *e = ktype_canon_module(j->c, m);
    j->ok = e == NULL;
    kite_error_free(e);
    if (j->ok)
        memcpy(j->ids, m->canon, sizeof(j->ids));
    kir_module_free(m);
    return NULL;
}

static void test_threads(ktype_canon *c)
{
    enum { N = 8 };
    pthread_t th[N];
    static job jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i].c = c;
        pthread_create(&th[i], NULL, worker, &jobs[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK_THAT(jobs[i].ok);
        CHECK_THAT(memcmp(jobs[i].ids, jobs[0].ids, sizeof(jobs[0].ids)) == 0);
    }
}

int main(void)
{
    ktype_canon *c = ktype_canon_new(&kutil_libc);
    if (!c)
        return 1;
    test_same_group(c);
    test_differences(c);
    test_rec_groups(c);
    test_display(c);
    test_threads(c);
    ktype_canon_free(c);
    if (g_failures)
        fprintf(stderr, "test_valid_canon: %d failure(s)\n", g_failures);
    else
        printf("test_valid_canon: ok\n");
    return g_failures != 0;
}
