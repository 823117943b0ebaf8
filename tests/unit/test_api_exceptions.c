/*
 * Exceptions and host references are collected: throw-and-catch loops
 * (i32 and 80 KB array payloads), exnrefs kept in a global and a table
 * and then dropped, throw_ref of a caught exnref, exceptions escaping to the
 * host as traps (rooted by the trap, freed with it, let go when the store
 * goes first), a trap that a host function hands back to Wasm, and host
 * references with finalizers, rooted or reachable only from Wasm.
 *
 * Memory is measured two ways that do not depend on how the runtime is
 * built: the engine's allocator counts the bytes it has handed out and not
 * got back, and the GC's own statistics. Both must stay flat however many
 * iterations run. Last, every allocation of these paths fails in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

/* ---- an allocator that counts what is live ---------------------------------------------- */

typedef struct counted {
    size_t live_bytes, live_blocks;
    unsigned long count, fail_at; /* fail allocation fail_at (from 1) of those counted; 0: none */
} counted;

/* Each block carries its size in a 16-byte header. */
static void *counting_realloc(void *user, void *ptr, size_t size)
{
    counted *c = user;
    unsigned char *old = ptr ? (unsigned char *)ptr - 16 : NULL;
    size_t old_size = 0;
    if (old)
        memcpy(&old_size, old, sizeof(old_size));
    if (size == 0) {
        if (old) {
            c->live_bytes -= old_size;
            c->live_blocks--;
        }
        free(old);
        return NULL;
    }
    if (c->fail_at && ++c->count == c->fail_at)
        return NULL;
    unsigned char *p = realloc(old, size + 16);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof(size));
    c->live_bytes += size - old_size;
    if (!old)
        c->live_blocks++;
    return p + 16;
}

static counted g_counted;
static const kite_allocator_t g_counting = {counting_realloc, &g_counted};

/* ---- the module --------------------------------------------------------------------------- */

static const char *const wat =
    "(module\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (import \"host\" \"call_throw\" (func $host (param i32) (result i32)))\n"
    "  (tag $i (param i32))\n"
    "  (tag $arr (param (ref $bytes)))\n"
    "  (tag $ext (param externref))\n"
    "  (tag $nested (param exnref))\n"
    "  (global $g (mut exnref) (ref.null exn))\n"
    "  (table $t 4 exnref)\n"
    "  (table $ext 2 externref)\n"
    "  (func $throw_i (export \"throw_i\") (param i32) (throw $i (local.get 0)))\n"
    /* n throws with an i32 payload, each caught: the sum of the payloads */
    "  (func (export \"loop_i32\") (param $n i32) (result i32) (local $sum i32)\n"
    "    (loop $l\n"
    "      (block $h (result i32)\n"
    "        (try_table (catch $i $h) (throw $i (local.get $n)))\n"
    "        (unreachable))\n"
    "      (local.set $sum (i32.add (local.get $sum)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (local.get $sum))\n"
    /* n throws of a new array of `size` bytes, each caught: the total length */
    "  (func (export \"loop_array\") (param $n i32) (param $size i32) (result i32)\n"
    "    (local $sum i32)\n"
    "    (loop $l\n"
    "      (block $h (result (ref $bytes))\n"
    "        (try_table (catch $arr $h)\n"
    "          (throw $arr (array.new_default $bytes (local.get $size))))\n"
    "        (unreachable))\n"
    "      (array.len) (local.get $sum) (i32.add) (local.set $sum)\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (local.get $sum))\n"
    /* n exceptions caught as exnrefs and kept in the global and the table,
     * each replacing an older one */
    "  (func (export \"loop_keep\") (param $n i32) (param $size i32)\n"
    "    (loop $l\n"
    "      (block $h (result exnref)\n"
    "        (try_table (catch_all_ref $h)\n"
    "          (throw $arr (array.new_default $bytes (local.get $size))))\n"
    "        (unreachable))\n"
    "      (global.set $g)\n"
    "      (table.set $t (i32.and (local.get $n) (i32.const 3)) (global.get $g))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    "  (func (export \"drop_kept\")\n"
    "    (global.set $g (ref.null exn))\n"
    "    (table.fill $t (i32.const 0) (ref.null exn) (i32.const 4)))\n"
    "  (func (export \"rethrow_kept\") (result i32)\n"
    "    (block $h (result (ref $bytes))\n"
    "      (try_table (catch $arr $h) (throw_ref (global.get $g)))\n"
    "      (unreachable))\n"
    "    (array.len))\n"
    /* n times: an array thrown, caught with catch_ref, garbage made, the
     * exnref rethrown with throw_ref to an outer handler */
    "  (func (export \"loop_throw_ref\") (param $n i32) (param $size i32) (result i32)\n"
    "    (local $sum i32) (local $x exnref)\n"
    "    (loop $l\n"
    "      (block $outer (result (ref $bytes))\n"
    "        (try_table (catch $arr $outer)\n"
    "          (block $inner (result (ref $bytes) exnref)\n"
    "            (try_table (catch_ref $arr $inner)\n"
    "              (throw $arr (array.new_default $bytes (local.get $size))))\n"
    "            (unreachable))\n"
    "          (local.set $x)\n"
    "          (drop)\n"
    "          (drop (array.new_default $bytes (i32.const 1000)))\n"
    "          (throw_ref (local.get $x)))\n"
    "        (unreachable))\n"
    "      (array.len) (local.get $sum) (i32.add) (local.set $sum)\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (local.get $sum))\n"
    /* an exception whose payload is another exception */
    "  (func (export \"nested\") (param $size i32) (result i32)\n"
    "    (block $o (result exnref)\n"
    "      (try_table (catch $nested $o)\n"
    "        (block $i (result exnref)\n"
    "          (try_table (catch_all_ref $i)\n"
    "            (throw $arr (array.new_default $bytes (local.get $size))))\n"
    "          (unreachable))\n"
    "        (drop (array.new_default $bytes (i32.const 100)))\n"
    "        (throw $nested))\n"
    "      (unreachable))\n"
    "    (drop (array.new_default $bytes (i32.const 100)))\n"
    "    (block $h (param exnref) (result (ref $bytes))\n"
    "      (try_table (param exnref) (catch $arr $h) (throw_ref))\n"
    "      (unreachable))\n"
    "    (array.len))\n"
    "  (func (export \"throw_array\") (param $size i32)\n"
    "    (throw $arr (array.new_default $bytes (local.get $size))))\n"
    "  (func (export \"throw_ext\") (param externref) (throw $ext (local.get 0)))\n"
    "  (func (export \"set_ext\") (param i32 externref) (table.set $ext (local.get 0) (local.get 1)))\n"
    /* catches what the host function hands back */
    "  (func (export \"via_host\") (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $i $h) (drop (call $host (local.get 0))))\n"
    "      (i32.const -1)))\n"
    "  (func (export \"via_host_all\") (param i32) (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch_all $h) (drop (call $host (local.get 0))))\n"
    "      (return (i32.const -1)))\n"
    "    (i32.const 1))\n"
    ")\n";

typedef struct fixture {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *inst;
    kite_store_t *callee_store; /* where call_throw calls throw_i (the same store by default) */
    kite_instance_t *callee;
    int host_calls;
} fixture;

static kite_trap_t *call_in(kite_store_t *store, kite_instance_t *inst, const char *name,
                            const kite_val_t *args, size_t nargs, kite_val_t *results,
                            size_t nresults)
{
    kite_extern_t ext;
    if (!kite_instance_export(inst, name, strlen(name), &ext)) {
        CHECK(0, "no export %s", name);
        return NULL;
    }
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(store, ext.of.func, args, nargs, results, nresults, &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    kite_error_free(err);
    return trap;
}

static kite_trap_t *call(fixture *f, const char *name, const kite_val_t *args, size_t nargs,
                         kite_val_t *results, size_t nresults)
{
    return call_in(f->store, f->inst, name, args, nargs, results, nresults);
}

static kite_val_t i32_val(int32_t v) { return (kite_val_t){.kind = KITE_I32, .of.i32 = v}; }
static kite_val_t ref_val(kite_ref_t r) { return (kite_val_t){.kind = KITE_REF, .of.ref = r}; }

/* host.call_throw: calls throw_i, collects while the trap holds the
 * exception, and hands the trap back to its Wasm caller. */
static kite_trap_t *host_call_throw(void *user, kite_caller_t *caller, const kite_val_t *args,
                                    kite_val_t *results)
{
    (void)caller;
    fixture *f = user;
    f->host_calls++;
    kite_trap_t *t = call_in(f->callee_store, f->callee, "throw_i", args, 1, NULL, 0);
    kite_store_gc(f->callee_store);
    results[0] = i32_val(0);
    return t;
}

static kite_instance_t *instantiate(fixture *f, kite_store_t *store)
{
    kite_valtype_t i32 = {KITE_I32, false, 0};
    kite_func_t *host;
    kite_error_t *err =
        kite_func_new_host(store, &i32, 1, &i32, 1, host_call_throw, f, NULL, &host);
    CHECK(!err, "host function");
    kite_error_free(err);
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = host};
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    err = kite_instance_new(store, f->module, &imp, 1, &inst, &trap);
    CHECK(!err && !trap, "instantiate");
    kite_error_free(err);
    kite_trap_free(trap);
    return inst;
}

static bool setup(fixture *f, uint64_t heap_limit, bool stress)
{
    memset(f, 0, sizeof(*f));
    kite_config_t *config = kite_config_new();
    kite_config_set_allocator(config, &g_counting);
    kite_config_set_gc_stress(config, stress);
    f->engine = kite_engine_new(config);
    kite_config_free(config);
    kite_error_t *err = kite_module_new_text(f->engine, wat, strlen(wat), &f->module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    if (err) {
        kite_error_free(err);
        kite_engine_free(f->engine);
        return false;
    }
    f->store = kite_store_new(f->engine);
    if (heap_limit) {
        kite_store_limits_t limits = {.gc_heap_bytes = heap_limit};
        kite_store_set_limits(f->store, &limits);
    }
    f->inst = instantiate(f, f->store);
    f->callee_store = f->store;
    f->callee = f->inst;
    return f->inst != NULL;
}

static void teardown(fixture *f)
{
    kite_store_free(f->store);
    kite_module_free(f->module);
    kite_engine_free(f->engine);
}

static kite_gc_stats_t stats(const fixture *f)
{
    kite_gc_stats_t st;
    kite_store_gc_stats(f->store, &st);
    return st;
}

/* ---- throw and catch in a loop ---------------------------------------------------------------- */

/* The engine's live bytes after n iterations of `name` (args: n and more). */
static size_t live_after(fixture *f, const char *name, int32_t n, int32_t size, int32_t expect)
{
    kite_val_t args[2] = {i32_val(n), i32_val(size)}, res[1];
    kite_trap_t *t = call(f, name, args, size ? 2 : 1, res, 1);
    CHECK(!t && res[0].of.i32 == expect, "%s(%d): %s %d", name, n, t ? kite_trap_message(t) : "",
          t ? 0 : res[0].of.i32);
    kite_trap_free(t);
    return g_counted.live_bytes;
}

static void test_loop_i32(void)
{
    fixture f;
    if (!setup(&f, 0, false))
        return;
    /* Translation and the first collections' buffers happen in the warm-up. */
    live_after(&f, "loop_i32", 300000, 0, (int32_t)(300000ull * 300001ull / 2));
    size_t small = live_after(&f, "loop_i32", 1000, 0, 1000 * 1001 / 2);
    size_t big = live_after(&f, "loop_i32", 2000000, 0, (int32_t)(2000000ull * 2000001ull / 2));
    kite_gc_stats_t st = stats(&f);
    /* 2 million exceptions of 48 bytes are 96 MB: collected, they stay
     * within the heap's first trigger (8 MB) and a block. */
    CHECK(big <= small + (9u << 20), "2M caught i32 exceptions: %zu live bytes after, %zu before",
          big, small);
    CHECK(st.collections >= 5 && st.peak_heap_bytes <= (9u << 20),
          "exceptions are collected: %llu collections, peak heap %llu",
          (unsigned long long)st.collections, (unsigned long long)st.peak_heap_bytes);
    teardown(&f);
}

static void test_loop_array(void)
{
    fixture f;
    const uint64_t limit = 2u << 20;
    if (!setup(&f, limit, false))
        return;
    size_t small = live_after(&f, "loop_array", 10, 81920, 10 * 81920);
    /* 100,000 exceptions holding 80 KB each (8 GB) through a 2 MB heap. */
    size_t big = live_after(&f, "loop_array", 100000, 81920, (int32_t)(100000u * 81920u));
    kite_gc_stats_t st = stats(&f);
    CHECK(big <= small + limit, "array payloads: %zu live bytes after, %zu before", big, small);
    CHECK(st.peak_heap_bytes <= limit, "peak heap %llu", (unsigned long long)st.peak_heap_bytes);
    teardown(&f);
}

/* exnrefs kept in a global and a table live as long as they are there. */
static void test_keep_and_drop(void)
{
    fixture f;
    if (!setup(&f, 4u << 20, false))
        return;
    kite_val_t args[2] = {i32_val(20000), i32_val(40000)}, res[1];
    kite_trap_t *t = call(&f, "loop_keep", args, 2, NULL, 0);
    CHECK(!t, "loop_keep: %s", t ? kite_trap_message(t) : "");
    kite_trap_free(t);
    kite_store_gc(f.store);
    uint64_t kept = stats(&f).live_bytes;
    /* Four table entries (one of them also the global's) of 40 KB. */
    CHECK(kept >= 4 * 40000 && kept < 5 * 40000 + 65536, "kept exceptions: %llu live bytes",
          (unsigned long long)kept);
    t = call(&f, "rethrow_kept", NULL, 0, res, 1);
    CHECK(!t && res[0].of.i32 == 40000, "the kept exception's payload survived collections");
    kite_trap_free(t);
    t = call(&f, "drop_kept", NULL, 0, NULL, 0);
    kite_trap_free(t);
    kite_store_gc(f.store);
    CHECK(stats(&f).live_bytes < 40000, "dropped exceptions are freed: %llu live bytes",
          (unsigned long long)stats(&f).live_bytes);
    teardown(&f);
}

static void test_throw_ref(bool stress)
{
    fixture f;
    if (!setup(&f, 2u << 20, stress))
        return;
    int32_t n = stress ? 300 : 50000;
    kite_val_t args[2] = {i32_val(n), i32_val(30000)}, res[1];
    kite_trap_t *t = call(&f, "loop_throw_ref", args, 2, res, 1);
    CHECK(!t && res[0].of.i32 == n * 30000, "throw_ref of a caught exnref%s: %s",
          stress ? " (stress)" : "", t ? kite_trap_message(t) : "");
    kite_trap_free(t);
    kite_val_t size = i32_val(777);
    t = call(&f, "nested", &size, 1, res, 1);
    CHECK(!t && res[0].of.i32 == 777, "an exception inside an exception's payload%s",
          stress ? " (stress)" : "");
    kite_trap_free(t);
    teardown(&f);
}

/* ---- exceptions that reach the host ---------------------------------------------------------- */

static void test_escape(void)
{
    fixture f;
    if (!setup(&f, 2u << 20, false))
        return;
    kite_val_t size = i32_val(50000), payload[2];
    kite_trap_t *t = call(&f, "throw_array", &size, 1, NULL, 0);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION, "an exception reaches the host");
    if (!t) {
        teardown(&f);
        return;
    }
    kite_store_gc(f.store);
    CHECK(kite_trap_exception_values(t, payload, 2) == 1 && payload[0].kind == KITE_REF &&
              kite_array_len(payload[0].of.ref) == 50000,
          "the trap keeps its exception and payload through a collection");
    kite_ref_t exn = kite_trap_exception_ref(t);
    CHECK(kite_ref_kind(exn) == KITE_REFKIND_EXN, "an exnref");
    CHECK(stats(&f).live_bytes >= 50000, "live while the trap holds it");
    /* A root handle keeps it after the trap is gone. */
    kite_root_t *root = NULL;
    CHECK(kite_root_new(f.store, exn, &root) == NULL, "root");
    kite_trap_free(t);
    kite_store_gc(f.store);
    CHECK(stats(&f).live_bytes >= 50000, "live while a root holds it");
    kite_root_free(root);
    kite_store_gc(f.store);
    CHECK(stats(&f).live_bytes < 50000, "freed with the last holder: %llu",
          (unsigned long long)stats(&f).live_bytes);

    /* Many escapes, each trap freed: the heap stays within its limit. */
    size_t before = g_counted.live_bytes;
    for (int i = 0; i < 2000; i++) {
        size = i32_val(80000);
        t = call(&f, "throw_array", &size, 1, NULL, 0);
        CHECK(t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION, "escape %d", i);
        kite_trap_free(t);
    }
    CHECK(g_counted.live_bytes <= before + (2u << 20), "2000 escaped exceptions: %zu -> %zu",
          before, g_counted.live_bytes);

    /* A trap outlives its store: it no longer has the exception. */
    size = i32_val(100);
    t = call(&f, "throw_array", &size, 1, NULL, 0);
    kite_trap_t *t2 = call(&f, "throw_array", &size, 1, NULL, 0);
    kite_trap_free(t2); /* unlinked from the middle of the store's list */
    teardown(&f);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION && !kite_trap_exception_tag(t) &&
              kite_trap_exception_values(t, payload, 2) == 0 &&
              kite_trap_exception_ref(t) == KITE_REF_NULL,
          "a trap that outlives its store lets go of the exception");
    kite_trap_free(t);
}

/* A host function returns the trap of a call it made: the exception
 * continues in its Wasm caller, if it belongs to the caller's store. */
static void test_via_host(bool stress)
{
    fixture f;
    if (!setup(&f, 0, stress))
        return;
    kite_val_t arg = i32_val(41), res[1];
    kite_trap_t *t = call(&f, "via_host", &arg, 1, res, 1);
    CHECK(!t && res[0].of.i32 == 41 && f.host_calls == 1,
          "the Wasm caller catches what the host handed back%s", stress ? " (stress)" : "");
    kite_trap_free(t);

    /* The callee in another store: its exception cannot be caught here. */
    kite_store_t *other = kite_store_new(f.engine);
    f.callee_store = other;
    f.callee = instantiate(&f, other);
    t = call(&f, "via_host_all", &arg, 1, res, 1);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION,
          "another store's exception passes through as a trap");
    kite_trap_free(t);
    kite_store_free(other);
    teardown(&f);
}

/* ---- host references ---------------------------------------------------------------------------- */

static unsigned long g_finalized;
static uintptr_t g_last_finalized;

static void count_finalize(uintptr_t value)
{
    g_finalized++;
    g_last_finalized = value;
}

static void test_host_refs(void)
{
    fixture f;
    if (!setup(&f, 1u << 20, false))
        return;
    g_finalized = 0;
    kite_ref_t r, kept, in_table, in_exn;
    CHECK(kite_ref_new_host_with_finalizer(f.store, 1, count_finalize, &r) == NULL, "host ref");
    kite_store_gc(f.store);
    CHECK(g_finalized == 1 && g_last_finalized == 1, "an unreachable host reference is finalized");

    kite_root_t *root = NULL;
    CHECK(kite_ref_new_host_with_finalizer(f.store, 2, count_finalize, &kept) == NULL &&
              kite_root_new(f.store, kept, &root) == NULL,
          "rooted host ref");
    CHECK(kite_ref_new_host_with_finalizer(f.store, 3, count_finalize, &in_table) == NULL,
          "host ref for a table");
    kite_val_t args[2] = {i32_val(0), ref_val(in_table)};
    kite_trap_t *t = call(&f, "set_ext", args, 2, NULL, 0);
    kite_trap_free(t);
    CHECK(kite_ref_new_host_with_finalizer(f.store, 4, count_finalize, &in_exn) == NULL,
          "host ref for an exception");
    kite_val_t arg = ref_val(in_exn), payload[1];
    kite_trap_t *exn = call(&f, "throw_ext", &arg, 1, NULL, 0);
    kite_store_gc(f.store);
    uintptr_t v = 0;
    CHECK(g_finalized == 1, "rooted, in a table, in a held exception: none finalized");
    CHECK(kite_ref_host_value(kite_root_get(root), &v) && v == 2, "the rooted one");
    CHECK(exn && kite_trap_exception_values(exn, payload, 1) == 1 &&
              kite_ref_host_value(payload[0].of.ref, &v) && v == 4,
          "the one in the exception");
    kite_root_free(root);
    kite_trap_free(exn);
    args[1] = ref_val(KITE_REF_NULL);
    t = call(&f, "set_ext", args, 2, NULL, 0);
    kite_trap_free(t);
    kite_store_gc(f.store);
    CHECK(g_finalized == 4, "each finalized once let go: %lu", g_finalized);

    /* A million host references made and dropped: a 1 MB heap holds. */
    size_t before = g_counted.live_bytes;
    bool ok = true;
    for (uint32_t i = 0; i < 1000000 && ok; i++)
        ok = kite_ref_new_host_with_finalizer(f.store, 10 + i, count_finalize, &r) == NULL;
    CHECK(ok, "a million host references within a 1 MB heap");
    CHECK(g_counted.live_bytes <= before + (1u << 20), "host references are freed: %zu -> %zu",
          before, g_counted.live_bytes);
    CHECK(stats(&f).peak_heap_bytes <= (1u << 20), "peak heap %llu",
          (unsigned long long)stats(&f).peak_heap_bytes);
    /* The last ones are finalized when the store goes. */
    CHECK(kite_ref_new_host(f.store, 99, &r) == NULL, "a host ref without a finalizer");
    teardown(&f);
    CHECK(g_finalized == 4 + 1000000, "every host reference finalized by the end: %lu",
          g_finalized);
}

/* ---- out of memory ------------------------------------------------------------------------------ */

/* What a call under a failing allocator may give: success, or a trap that
 * says memory ran out (the exception kinds are the program's own). */
static bool oom_trap(const kite_trap_t *t)
{
    kite_trap_kind_t k = kite_trap_kind(t);
    return k == KITE_TRAP_OUT_OF_MEMORY || k == KITE_TRAP_GC_HEAP_EXHAUSTED;
}

static unsigned long g_oom_made, g_oom_finalized;
static void oom_finalize(uintptr_t value)
{
    (void)value;
    g_oom_finalized++;
}

/* One run of the exception and host-reference paths with allocation n
 * failing: every step either works or says it ran out of memory, every
 * host reference made is finalized once, nothing stays allocated. Returns
 * whether the failure happened (false: n is past the last allocation). */
static bool oom_run(unsigned long n)
{
    g_counted.count = 0;
    g_counted.fail_at = n;
    g_oom_made = g_oom_finalized = 0;
    kite_config_t *config = kite_config_new();
    kite_config_set_allocator(config, &g_counting);
    kite_engine_t *engine = config ? kite_engine_new(config) : NULL;
    kite_config_free(config);
    kite_module_t *module = NULL;
    kite_store_t *store = NULL;
    kite_instance_t *inst = NULL;
    kite_error_t *err = NULL;
    kite_trap_t *t = NULL;
    if (!engine)
        goto done;
    err = kite_module_new_text(engine, wat, strlen(wat), &module);
    if (err)
        goto done;
    store = kite_store_new(engine);
    if (!store)
        goto done;
    kite_store_limits_t limits = {.gc_heap_bytes = 1u << 20};
    kite_store_set_limits(store, &limits);
    fixture f = {.engine = engine, .module = module, .store = store, .callee_store = store};
    kite_valtype_t i32 = {KITE_I32, false, 0};
    kite_func_t *host;
    err = kite_func_new_host(store, &i32, 1, &i32, 1, host_call_throw, &f, NULL, &host);
    if (err)
        goto done;
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = host};
    err = kite_instance_new(store, module, &imp, 1, &inst, &t);
    CHECK(!t || oom_trap(t), "allocation %lu: instantiation trapped: %s", n, kite_trap_message(t));
    if (err || t)
        goto done;
    f.inst = f.callee = inst;

    /* Thrown and caught in a loop, with collections. */
    kite_val_t args[2] = {i32_val(300), i32_val(5000)}, res[2];
    t = call(&f, "loop_throw_ref", args, 2, res, 1);
    CHECK(t ? oom_trap(t) : res[0].of.i32 == 300 * 5000, "allocation %lu: loop_throw_ref: %s", n,
          t ? kite_trap_message(t) : "a wrong result");
    kite_trap_free(t);
    /* Escaped to the host, kept by a root past its trap. */
    t = call(&f, "throw_array", &args[1], 1, NULL, 0);
    CHECK(t && (oom_trap(t) || kite_trap_kind(t) == KITE_TRAP_EXCEPTION),
          "allocation %lu: throw_array: %s", n, t ? kite_trap_message(t) : "returned");
    if (t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION) {
        kite_root_t *root = NULL;
        kite_error_t *e = kite_root_new(store, kite_trap_exception_ref(t), &root);
        kite_error_free(e);
        kite_store_gc(store);
        CHECK(kite_trap_exception_values(t, res, 2) == 1 && kite_array_len(res[0].of.ref) == 5000,
              "allocation %lu: the escaped exception's payload", n);
        kite_trap_free(t);
        kite_store_gc(store);
        if (root)
            CHECK(kite_ref_kind(kite_root_get(root)) == KITE_REFKIND_EXN,
                  "allocation %lu: the rooted exnref", n);
        kite_root_free(root);
    } else {
        kite_trap_free(t);
    }
    /* Through a host function that hands its callee's trap back. */
    t = call(&f, "via_host", args, 1, res, 1);
    CHECK(t ? oom_trap(t) : res[0].of.i32 == 300, "allocation %lu: via_host: %s", n,
          t ? kite_trap_message(t) : "a wrong result");
    kite_trap_free(t);
    /* Host references: dropped, in a table, in an exception. */
    for (int i = 0; i < 40; i++) {
        kite_ref_t r;
        kite_error_t *e = kite_ref_new_host_with_finalizer(store, (uintptr_t)i, oom_finalize, &r);
        if (e) {
            kite_error_free(e);
            continue;
        }
        g_oom_made++;
        kite_val_t a[2] = {i32_val(i & 1), ref_val(r)};
        t = call(&f, i % 3 ? "set_ext" : "throw_ext", i % 3 ? a : &a[1], i % 3 ? 2 : 1, NULL, 0);
        CHECK(!t || oom_trap(t) || kite_trap_kind(t) == KITE_TRAP_EXCEPTION,
              "allocation %lu: host reference %d: %s", n, i, kite_trap_message(t));
        kite_trap_free(t);
        if (i % 8 == 0)
            kite_store_gc(store);
    }
    t = NULL;
done:
    kite_error_free(err);
    kite_trap_free(t);
    kite_store_free(store);
    kite_module_free(module);
    kite_engine_free(engine);
    bool fired = g_counted.count >= n;
    g_counted.fail_at = 0;
    CHECK(g_oom_finalized == g_oom_made, "allocation %lu: %lu host references made, %lu finalized",
          n, g_oom_made, g_oom_finalized);
    CHECK(g_counted.live_bytes == 0 && g_counted.live_blocks == 0,
          "allocation %lu: %zu bytes in %zu blocks left allocated", n, g_counted.live_bytes,
          g_counted.live_blocks);
    g_counted.live_bytes = g_counted.live_blocks = 0;
    return fired;
}

static void test_out_of_memory(void)
{
    int before = g_failures;
    unsigned long n = 1;
    while (oom_run(n) && g_failures - before < 10)
        n++;
    CHECK(n > 100, "the run makes allocations: %lu", n);
    printf("exceptions and host references: out of memory at each of %lu allocations: %s\n",
           n - 1, g_failures == before ? "handled" : "FAILED");
}

int main(void)
{
    test_loop_i32();
    test_loop_array();
    test_keep_and_drop();
    test_throw_ref(false);
    test_throw_ref(true);
    test_escape();
    test_via_host(false);
    test_via_host(true);
    test_host_refs();
    CHECK(g_counted.live_bytes == 0 && g_counted.live_blocks == 0,
          "everything the engines allocated was freed: %zu bytes in %zu blocks",
          g_counted.live_bytes, g_counted.live_blocks);
    test_out_of_memory();
    if (g_failures)
        printf("%d failure(s)\n", g_failures);
    return g_failures ? 1 : 0;
}
