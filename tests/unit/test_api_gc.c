/*
 * The GC through the public API: i31 values at the boundaries of their
 * encoding, structs and arrays made and read by the host, root handles,
 * host functions that allocate while Wasm frames hold references, the heap
 * limit (a trap, then a usable store), bounded memory under churn, the
 * mark stack running out of memory, and the stress mode.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fail_alloc.h"
#include "kite.h"

static const char *const wat =
    "(module\n"
    "  (type $s (struct (field (mut i8)) (field (mut i32)) (field i64) (field (mut f64))\n"
    "                   (field (mut anyref))))\n"
    "  (type $node (struct (field i32) (field (ref null $node))))\n"
    "  (type $a (array (mut anyref)))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (import \"host\" \"alloc\" (func $alloc (param i32) (result anyref)))\n"
    "  (global $keep (mut (ref null $node)) (ref.null $node))\n"
    "  (func (export \"i31_s\") (param anyref) (result i32) (i31.get_s (ref.cast i31ref (local.get 0))))\n"
    "  (func (export \"i31_u\") (param anyref) (result i32) (i31.get_u (ref.cast i31ref (local.get 0))))\n"
    "  (func (export \"new_i31\") (param i32) (result anyref) (ref.i31 (local.get 0)))\n"
    "  (func (export \"field1\") (param (ref $s)) (result i32) (struct.get $s 1 (local.get 0)))\n"
    "  (func (export \"field0_s\") (param (ref $s)) (result i32) (struct.get_s $s 0 (local.get 0)))\n"
    "  (func (export \"make\") (param i32) (result (ref $s))\n"
    "    (struct.new $s (local.get 0) (local.get 0) (i64.const -5) (f64.const 2.5) (ref.null any)))\n"
    "  (func (export \"is_eq\") (param anyref) (result i32) (ref.test eqref (local.get 0)))\n"
    "  (func (export \"is_any\") (param anyref) (result i32) (ref.test (ref any) (local.get 0)))\n"
    "  (func (export \"internalize\") (param externref) (result anyref) (any.convert_extern (local.get 0)))\n"
    "  (func (export \"externalize\") (param anyref) (result externref) (extern.convert_any (local.get 0)))\n"
    /* A node list of n; the host allocates in the middle of it. */
    "  (func (export \"host_allocs\") (param $n i32) (result i32)\n"
    "    (local $l (ref null $node)) (local $sum i32) (local $x anyref)\n"
    "    (loop $b\n"
    "      (local.set $l (struct.new $node (local.get $n) (local.get $l)))\n"
    "      (local.set $x (call $alloc (local.get $n)))\n"
    "      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (loop $s\n"
    "      (local.set $sum (i32.add (local.get $sum) (struct.get $node 0 (local.get $l))))\n"
    "      (br_if $s (i32.eqz (ref.is_null (local.tee $l (struct.get $node 1 (local.get $l)))))))\n"
    "    (i32.add (local.get $sum) (i31.get_u (ref.cast i31ref (local.get $x)))))\n"
    /* Keeps n nodes reachable from a global (for the limit). */
    "  (func (export \"hoard\") (param $n i32)\n"
    "    (loop $b\n"
    "      (global.set $keep (struct.new $node (local.get $n) (global.get $keep)))\n"
    "      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    "  (func (export \"drop_hoard\") (global.set $keep (ref.null $node)))\n"
    /* n byte arrays of `size`, all garbage at once. */
    "  (func (export \"churn\") (param $n i32) (param $size i32)\n"
    "    (loop $b\n"
    "      (drop (array.new_default $bytes (local.get $size)))\n"
    "      (drop (struct.new $node (local.get $n) (ref.null $node)))\n"
    "      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    ")\n";

typedef struct env {
    kite_store_t *store;
    const kite_module_t *module;
    int calls;
} env;

/* host.alloc: makes garbage and an i31, with collections in between. */
static kite_trap_t *host_alloc(void *user, kite_caller_t *caller, const kite_val_t *args,
                               kite_val_t *results)
{
    (void)caller;
    env *e = user;
    e->calls++;
    kite_ref_t r;
    kite_val_t init = {.kind = KITE_REF, .of.ref = kite_ref_i31(7)};
    kite_error_t *err = kite_array_new(e->store, e->module, 2, 100, &init, &r);
    if (err) {
        kite_error_free(err);
        return kite_trap_new(e->store, "host allocation failed");
    }
    if (e->calls % 50 == 0)
        kite_store_gc(e->store);
    results[0].kind = KITE_REF;
    results[0].of.ref = kite_ref_i31((uint32_t)args[0].of.i32);
    return NULL;
}

typedef struct fixture {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *inst;
    env env;
} fixture;

static bool setup(fixture *f, uint64_t heap_limit, bool stress)
{
    memset(f, 0, sizeof(*f));
    kite_config_t *config = kite_config_new();
    kite_config_set_allocator(config, &g_fail_alloc);
    kite_config_set_gc_stress(config, stress);
    f->engine = kite_engine_new(config);
    kite_config_free(config);
    kite_error_t *err = kite_module_new_text(f->engine, wat, strlen(wat), &f->module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    if (err) {
        kite_error_free(err);
        return false;
    }
    f->store = kite_store_new(f->engine);
    if (heap_limit) {
        kite_store_limits_t limits = {.gc_heap_bytes = heap_limit};
        kite_store_set_limits(f->store, &limits);
    }
    f->env = (env){f->store, f->module, 0};
    kite_valtype_t i32 = {KITE_I32, false, 0}, any = {KITE_REF, true, KITE_HEAP_ANY};
    kite_func_t *alloc;
    err = kite_func_new_host(f->store, &i32, 1, &any, 1, host_alloc, &f->env, NULL, &alloc);
    CHECK(!err, "host function");
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = alloc};
    kite_trap_t *trap = NULL;
    err = kite_instance_new(f->store, f->module, &imp, 1, &f->inst, &trap);
    CHECK(!err && !trap, "instantiate");
    kite_error_free(err);
    kite_trap_free(trap);
    return f->inst != NULL;
}

static void teardown(fixture *f)
{
    kite_store_free(f->store);
    kite_module_free(f->module);
    kite_engine_free(f->engine);
}

/* Calls export `name`; returns the trap (caller frees) or NULL. */
static kite_trap_t *call(fixture *f, const char *name, const kite_val_t *args, size_t nargs,
                         kite_val_t *results, size_t nresults)
{
    kite_extern_t ext;
    if (!kite_instance_export(f->inst, name, strlen(name), &ext)) {
        CHECK(0, "no export %s", name);
        return NULL;
    }
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(f->store, ext.of.func, args, nargs, results, nresults, &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    kite_error_free(err);
    return trap;
}

static kite_val_t ref_val(kite_ref_t r) { return (kite_val_t){.kind = KITE_REF, .of.ref = r}; }
static kite_val_t i32_val(int32_t v) { return (kite_val_t){.kind = KITE_I32, .of.i32 = v}; }

static void test_i31(fixture *f)
{
    static const uint32_t vals[] = {0, 1, 0xffffffffu, 262135, 262136, 0x3fffffff,
                                    0x40000000, 0x7fffffff, 0x80000000u, 0xc0000000u};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint32_t v = vals[i], u = v & 0x7fffffffu, s = (u & 0x40000000u) ? (u | 0x80000000u) : u;
        kite_ref_t r = kite_ref_i31(v);
        uint32_t got;
        CHECK(kite_ref_kind(r) == KITE_REFKIND_I31, "i31 kind of %#x", v);
        CHECK(kite_ref_i31_get(r, true, &got) && got == s, "host get_s %#x: %#x", v, got);
        CHECK(kite_ref_i31_get(r, false, &got) && got == u, "host get_u %#x: %#x", v, got);
        kite_val_t arg = ref_val(r), res[1];
        kite_trap_t *t = call(f, "i31_s", &arg, 1, res, 1);
        CHECK(!t && (uint32_t)res[0].of.i32 == s, "wasm get_s of a host i31 %#x", v);
        kite_trap_free(t);
        t = call(f, "i31_u", &arg, 1, res, 1);
        CHECK(!t && (uint32_t)res[0].of.i32 == u, "wasm get_u of a host i31 %#x", v);
        kite_trap_free(t);
        kite_val_t in = i32_val((int32_t)v);
        t = call(f, "new_i31", &in, 1, res, 1);
        CHECK(!t && res[0].of.ref == r, "wasm ref.i31 %#x is the host's encoding", v);
        kite_trap_free(t);
        /* Through a host global and a host table. */
        kite_global_t *g;
        kite_valtype_t anyref = {KITE_REF, true, KITE_HEAP_ANY};
        kite_error_t *err = kite_global_new(f->store, anyref, true, &arg, &g);
        CHECK(!err && kite_global_get(g).of.ref == r, "i31 in a host global");
        kite_error_free(err);
        kite_table_t *tab;
        kite_limits_t lim = {.min = 1, .max = 4, .has_max = true};
        err = kite_table_new(f->store, anyref, &lim, r, &tab);
        CHECK(!err, "table of i31");
        kite_error_free(err);
        if (tab) {
            kite_ref_t back = 0;
            CHECK(kite_table_grow(tab, 2, r) == 1, "table grow with an i31");
            CHECK(kite_table_set(tab, 0, r) == NULL, "table set with an i31");
            kite_store_gc(f->store);
            CHECK(kite_table_get(tab, 2, &back) && back == r, "i31 back from a table");
        }
    }
    kite_ref_t x;
    uint32_t out;
    CHECK(!kite_ref_i31_get(KITE_REF_NULL, true, &out), "null is no i31");
    CHECK(kite_struct_new(f->store, f->module, 0, NULL, 0, &x) == NULL, "default struct");
    CHECK(!kite_ref_i31_get(x, true, &out), "a struct is no i31");
}

static void test_structs(fixture *f)
{
    kite_val_t fields[5] = {
        i32_val(0x1ff), i32_val(-7), {.kind = KITE_I64, .of.i64 = 1234567890123LL},
        {.kind = KITE_F64, .of.f64_bits = 0x4004000000000000ULL}, ref_val(kite_ref_i31(99))};
    kite_ref_t s;
    kite_error_t *err = kite_struct_new(f->store, f->module, 0, fields, 5, &s);
    CHECK(!err, "struct_new: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    kite_root_t *root;
    CHECK(kite_root_new(f->store, s, &root) == NULL, "root");
    /* Lots of garbage and explicit collections: the rooted struct stays. */
    kite_val_t args[2] = {i32_val(200), i32_val(70000)};
    kite_trap_t *t = call(f, "churn", args, 2, NULL, 0);
    CHECK(!t, "churn");
    kite_trap_free(t);
    kite_store_gc(f->store);
    s = kite_root_get(root);
    CHECK(kite_ref_kind(s) == KITE_REFKIND_STRUCT && kite_struct_field_count(s) == 5, "struct kind");
    kite_val_t v;
    CHECK(!kite_struct_get(f->store, s, 0, &v) && v.kind == KITE_I32 && v.of.i32 == 0xff,
          "packed field reads zero-extended");
    CHECK(!kite_struct_get(f->store, s, 1, &v) && v.of.i32 == -7, "i32 field");
    CHECK(!kite_struct_get(f->store, s, 2, &v) && v.kind == KITE_I64 && v.of.i64 == 1234567890123LL,
          "i64 field");
    CHECK(!kite_struct_get(f->store, s, 3, &v) && v.kind == KITE_F64 &&
              v.of.f64_bits == 0x4004000000000000ULL,
          "f64 field");
    CHECK(!kite_struct_get(f->store, s, 4, &v) && v.kind == KITE_REF &&
              v.of.ref == kite_ref_i31(99),
          "ref field");
    kite_val_t arg = ref_val(s), res[1];
    t = call(f, "field1", &arg, 1, res, 1);
    CHECK(!t && res[0].of.i32 == -7, "wasm reads the host's struct");
    kite_trap_free(t);
    t = call(f, "field0_s", &arg, 1, res, 1);
    CHECK(!t && res[0].of.i32 == -1, "wasm get_s of the packed field");
    kite_trap_free(t);
    err = kite_struct_set(f->store, s, 2, &fields[2]);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "immutable field");
    kite_error_free(err);
    err = kite_struct_set(f->store, s, 1, &fields[4]);
    CHECK(err != NULL, "wrong value type for a field");
    kite_error_free(err);
    kite_val_t nv = i32_val(31);
    CHECK(kite_struct_set(f->store, s, 1, &nv) == NULL, "struct_set");
    t = call(f, "field1", &arg, 1, res, 1);
    CHECK(!t && res[0].of.i32 == 31, "wasm sees the host's write");
    kite_trap_free(t);
    kite_root_free(root);

    /* Wasm makes one, the host reads it. */
    kite_val_t n = i32_val(300);
    t = call(f, "make", &n, 1, res, 1);
    CHECK(!t && kite_ref_kind(res[0].of.ref) == KITE_REFKIND_STRUCT, "wasm-made struct");
    kite_trap_free(t);
    CHECK(!kite_struct_get(f->store, res[0].of.ref, 0, &v) && v.of.i32 == 300 % 256,
          "wrapped i8 field");
    CHECK(!kite_struct_get(f->store, res[0].of.ref, 2, &v) && v.of.i64 == -5, "its i64 field");

    /* Errors. */
    err = kite_struct_new(f->store, f->module, 2, NULL, 0, &s);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "an array type is no struct type");
    kite_error_free(err);
    err = kite_struct_new(f->store, f->module, 0, fields, 4, &s);
    CHECK(err != NULL, "field count");
    kite_error_free(err);
    err = kite_struct_get(f->store, KITE_REF_NULL, 0, &v);
    CHECK(err != NULL && strstr(kite_error_message(err), "null structure reference"), "null struct");
    kite_error_free(err);
}

static void test_arrays(fixture *f)
{
    kite_val_t elems[3] = {ref_val(kite_ref_i31(1)), ref_val(KITE_REF_NULL), ref_val(kite_ref_i31(3))};
    kite_ref_t a;
    CHECK(kite_array_new_fixed(f->store, f->module, 2, elems, 3, &a) == NULL, "array_new_fixed");
    kite_root_t *root;
    CHECK(kite_root_new(f->store, a, &root) == NULL, "root");
    kite_store_gc(f->store);
    a = kite_root_get(root);
    CHECK(kite_array_len(a) == 3, "array len");
    kite_val_t v;
    CHECK(!kite_array_get(f->store, a, 2, &v) && v.of.ref == kite_ref_i31(3), "array get");
    kite_error_t *err = kite_array_get(f->store, a, 3, &v);
    CHECK(err && strstr(kite_error_message(err), "out of bounds array access"), "array bounds");
    kite_error_free(err);
    kite_ref_t b;
    kite_val_t byte = i32_val(0x1234);
    CHECK(kite_array_new(f->store, f->module, 3, 10, &byte, &b) == NULL, "byte array");
    CHECK(!kite_array_get(f->store, b, 9, &v) && v.of.i32 == 0x34, "byte array element");
    /* An array holds a struct; only the root keeps the array. */
    kite_ref_t s;
    CHECK(kite_struct_new(f->store, f->module, 0, NULL, 0, &s) == NULL, "struct");
    kite_val_t sv = ref_val(s);
    CHECK(kite_array_set(f->store, a, 1, &sv) == NULL, "array set");
    kite_store_gc(f->store);
    CHECK(!kite_array_get(f->store, kite_root_get(root), 1, &v) &&
              kite_ref_kind(v.of.ref) == KITE_REFKIND_STRUCT,
          "struct kept through the rooted array");
    kite_root_free(root);
}

static void test_extern(fixture *f)
{
    kite_ref_t h;
    kite_error_t *err = kite_ref_new_host(f->store, 42, &h);
    CHECK(!err, "host ref");
    kite_val_t arg = ref_val(h), res[1], back[1];
    kite_trap_t *t = call(f, "internalize", &arg, 1, res, 1);
    CHECK(!t, "internalize");
    kite_trap_free(t);
    t = call(f, "is_any", res, 1, back, 1);
    CHECK(!t && back[0].of.i32 == 1, "an internalized host ref is an anyref");
    kite_trap_free(t);
    t = call(f, "is_eq", res, 1, back, 1);
    CHECK(!t && back[0].of.i32 == 0, "but not an eqref");
    kite_trap_free(t);
    t = call(f, "externalize", res, 1, back, 1);
    uintptr_t hv = 0;
    CHECK(!t && kite_ref_host_value(back[0].of.ref, &hv) && hv == 42, "round trip");
    kite_trap_free(t);
}

static void test_host_allocates(fixture *f)
{
    kite_val_t n = i32_val(2000), res[1];
    kite_trap_t *t = call(f, "host_allocs", &n, 1, res, 1);
    CHECK(!t && res[0].of.i32 == 2000 * 2001 / 2 + 1, "host allocations during a Wasm call: %d",
          res[0].of.i32);
    kite_trap_free(t);
    CHECK(f->env.calls == 2000, "host calls");
}

static void test_limit(void)
{
    fixture f;
    const uint64_t limit = 1u << 20;
    if (!setup(&f, limit, false))
        return;
    kite_val_t n = i32_val(1000000);
    kite_trap_t *t = call(&f, "hoard", &n, 1, NULL, 0);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_GC_HEAP_EXHAUSTED, "hoarding past the limit traps");
    CHECK(t && strcmp(kite_trap_message(t), "GC heap exhausted") == 0, "its message");
    kite_trap_free(t);
    kite_gc_stats_t st;
    kite_store_gc_stats(f.store, &st);
    CHECK(st.peak_heap_bytes <= limit, "the heap stayed within its limit: %llu",
          (unsigned long long)st.peak_heap_bytes);
    /* The store goes on: the hoard is dropped, churn works. */
    t = call(&f, "drop_hoard", NULL, 0, NULL, 0);
    kite_trap_free(t);
    kite_val_t args[2] = {i32_val(2000), i32_val(4096)};
    t = call(&f, "churn", args, 2, NULL, 0);
    CHECK(!t, "churn after exhaustion");
    kite_trap_free(t);
    kite_ref_t r;
    kite_error_t *err = kite_array_new(f.store, f.module, 3, 2u << 20, NULL, &r);
    CHECK(err && kite_error_code(err) == KITE_ERROR_LIMIT, "the host cannot pass the limit either");
    kite_error_free(err);
    teardown(&f);
}

static void test_bounded(void)
{
    fixture f;
    const uint64_t limit = 4u << 20;
    if (!setup(&f, limit, false))
        return;
    /* 200 MB of garbage through a 4 MB heap. */
    kite_val_t args[2] = {i32_val(50000), i32_val(4000)};
    kite_trap_t *t = call(&f, "churn", args, 2, NULL, 0);
    CHECK(!t, "churn: %s", t ? kite_trap_message(t) : "");
    kite_trap_free(t);
    kite_gc_stats_t st;
    kite_store_gc_stats(f.store, &st);
    CHECK(st.collections > 10 && st.peak_heap_bytes <= limit, "collections %llu, peak %llu",
          (unsigned long long)st.collections, (unsigned long long)st.peak_heap_bytes);
    teardown(&f);
}

/* The mark stack cannot be had: the collector rescans the heap instead. */
static void test_mark_overflow(void)
{
    fixture f;
    if (!setup(&f, 0, false))
        return;
    kite_ref_t a;
    CHECK(kite_array_new(f.store, f.module, 2, 5000, NULL, &a) == NULL, "array");
    kite_root_t *root;
    CHECK(kite_root_new(f.store, a, &root) == NULL, "root");
    for (uint32_t i = 0; i < 5000; i++) {
        kite_val_t fields[2] = {i32_val((int32_t)i), ref_val(KITE_REF_NULL)};
        kite_ref_t s;
        if (kite_struct_new(f.store, f.module, 1, fields, 2, &s) != NULL)
            break;
        kite_val_t sv = ref_val(s);
        kite_array_set(f.store, kite_root_get(root), i, &sv);
    }
    fail_after(1);
    kite_store_gc(f.store);
    fail_after(0);
    kite_val_t args[2] = {i32_val(3000), i32_val(1000)};
    kite_trap_t *t = call(&f, "churn", args, 2, NULL, 0); /* reuses what was freed */
    kite_trap_free(t);
    bool ok = true;
    for (uint32_t i = 0; i < 5000 && ok; i++) {
        kite_val_t v, fld;
        ok = !kite_array_get(f.store, kite_root_get(root), i, &v) &&
             !kite_struct_get(f.store, v.of.ref, 0, &fld) && fld.of.i32 == (int32_t)i;
    }
    CHECK(ok, "every struct survived a collection without a mark stack");
    kite_root_free(root);
    teardown(&f);
}

static void test_stress(void)
{
    fixture f;
    bool ok = setup(&f, 0, true);
    if (!ok)
        return;
    test_host_allocates(&f);
    kite_val_t args[2] = {i32_val(300), i32_val(100)};
    kite_trap_t *t = call(&f, "churn", args, 2, NULL, 0);
    kite_trap_free(t);
    kite_gc_stats_t st;
    kite_store_gc_stats(f.store, &st);
    CHECK(st.collections >= 2000 + 600, "stress mode collects at every allocation: %llu",
          (unsigned long long)st.collections);
    teardown(&f);
}

/* Every allocation failing in turn, from compiling to collecting: errors
 * and traps, never a crash or a leak (the sanitizer build checks both). */
static void test_oom(void)
{
    for (unsigned long n = 1; n < 400; n++) {
        kite_config_t *config = kite_config_new();
        kite_config_set_allocator(config, &g_fail_alloc);
        kite_engine_t *engine = kite_engine_new(config);
        kite_config_free(config);
        kite_module_t *module = NULL;
        kite_error_t *err = engine ? kite_module_new_text(engine, wat, strlen(wat), &module) : NULL;
        kite_error_free(err);
        if (!module) {
            kite_engine_free(engine);
            continue;
        }
        fail_after(n);
        kite_store_t *store = kite_store_new(engine);
        if (store) {
            env e = {store, module, 0};
            kite_valtype_t i32 = {KITE_I32, false, 0}, any = {KITE_REF, true, KITE_HEAP_ANY};
            kite_func_t *alloc = NULL;
            err = kite_func_new_host(store, &i32, 1, &any, 1, host_alloc, &e, NULL, &alloc);
            kite_error_free(err);
            kite_instance_t *inst = NULL;
            kite_trap_t *trap = NULL;
            if (alloc) {
                kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = alloc};
                err = kite_instance_new(store, module, &imp, 1, &inst, &trap);
                kite_error_free(err);
                kite_trap_free(trap);
            }
            kite_extern_t ext;
            if (inst && kite_instance_export(inst, "host_allocs", 11, &ext)) {
                kite_val_t arg = i32_val(300), res;
                trap = NULL;
                err = kite_func_call(store, ext.of.func, &arg, 1, &res, 1, &trap);
                kite_error_free(err);
                kite_trap_free(trap);
            }
            kite_store_gc(store);
        }
        fail_after(0);
        kite_store_free(store);
        kite_module_free(module);
        kite_engine_free(engine);
    }
}

int main(void)
{
    fixture f;
    if (setup(&f, 0, false)) {
        test_i31(&f);
        test_structs(&f);
        test_arrays(&f);
        test_extern(&f);
        test_host_allocates(&f);
        teardown(&f);
    }
    test_limit();
    test_bounded();
    test_mark_overflow();
    test_stress();
    test_oom();
    if (g_failures)
        printf("%d failure(s)\n", g_failures);
    return g_failures ? 1 : 0;
}
