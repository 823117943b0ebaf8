/*
 * The compiled tiers against the interpreter, through the public API:
 *
 *   - every trap kind compiled code can raise (explicit checks, faults at
 *     guard pages, stack exhaustion, fuel, interrupts, a host function's
 *     trap passing through compiled frames) gives the same kind, message
 *     and backtrace (frames, function names, offsets) as the interpreter;
 *   - results agree, in tier jit and in tier auto at several thresholds
 *     (tier-up in the middle of a running loop: on-stack replacement);
 *   - a module using part 2's instructions (GC, exceptions, SIMD, atomics)
 *     compiles whole under tier jit: nothing the interpreter runs is refused.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "kite.h"

static const char *const g_wat =
    "(module $traps"
    "  (import \"host\" \"fail\" (func $fail))"
    "  (type $t (func (result i32)))"
    "  (type $u (func (param i32) (result i32)))"
    "  (table 3 funcref) (elem (i32.const 0) $seven $plus)"
    "  (memory 1)"
    "  (memory $m64 i64 1)"
    "  (memory $small 1 (pagesize 1))"
    "  (data $d \"abcd\")"
    "  (elem $e func $seven $plus)"
    "  (func $seven (result i32) (i32.const 7))"
    "  (func $plus (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))"
    "  (func $unreachable (unreachable))"
    "  (func (export \"unreachable\") (call $unreachable))"
    "  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
    "  (func (export \"div0\") (result i32) (call $div (i32.const 1) (i32.const 0)))"
    "  (func (export \"overflow\") (result i32) (call $div (i32.const 0x80000000) (i32.const -1)))"
    "  (func (export \"rem\") (result i32) (i32.rem_s (i32.const 0x80000000) (i32.const -1)))"
    "  (func (export \"nan\") (result i32) (i32.trunc_f32_s (f32.const nan)))"
    "  (func (export \"toobig\") (result i64) (i64.trunc_f64_u (f64.const 1e20)))"
    "  (func $load (param i32) (result i32) (i32.load offset=4 (local.get 0)))"
    "  (func (export \"oob\") (result i32) (call $load (i32.const 65532)))"
    "  (func (export \"oob-high\") (result i32) (call $load (i32.const -1)))"
    "  (func (export \"oob64\") (result i32) (i32.load $m64 (i64.const 65534)))"
    "  (func $store (param i32) (i64.store offset=1 (local.get 0) (i64.const 1)))"
    "  (func (export \"store-oob\") (call $store (i32.const 65530)))"
    "  (func (export \"small-oob\") (result i32) (i32.load16_u $small (i32.const 0)))"
    "  (func (export \"small-store\") (i32.store8 $small (i32.const 1) (i32.const 1)))"
    "  (func (export \"fill-oob\") (memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000)))"
    "  (func (export \"copy-oob\") (memory.copy (i32.const 0) (i32.const 65535) (i32.const 2)))"
    "  (func (export \"init-oob\") (memory.init $d (i32.const 0) (i32.const 2) (i32.const 3)))"
    "  (func (export \"table-init-oob\") (table.init $e (i32.const 2) (i32.const 0) (i32.const 2)))"
    "  (func (export \"table-copy-oob\") (table.copy (i32.const 2) (i32.const 0) (i32.const 2)))"
    "  (func (export \"table-set-oob\") (table.set (i32.const 3) (ref.null func)))"
    "  (func (export \"rem-u0\") (result i64) (i64.rem_u (i64.const 5) (i64.const 0)))"
    "  (func (export \"table-oob\") (result funcref) (table.get (i32.const 9)))"
    "  (func (export \"undefined\") (result i32) (call_indirect (type $t) (i32.const 9)))"
    "  (func (export \"uninit\") (result i32) (call_indirect (type $t) (i32.const 2)))"
    "  (func (export \"mismatch\") (result i32) (call_indirect (type $t) (i32.const 1)))"
    "  (func (export \"null\") (ref.as_non_null (ref.null func)) (drop))"
    "  (func (export \"null-call\") (result i32) (call_ref $t (ref.null $t)))"
    "  (func $deep (param i32) (result i32) (i32.add (call $deep (i32.add (local.get 0) (i32.const 1)))"
    "    (i32.const 1)))"
    "  (func (export \"stack\") (result i32) (call $deep (i32.const 0)))"
    "  (func $through (call $fail))"
    "  (func (export \"host\") (call $through))"
    "  (func (export \"spin\") (loop (br 0)))"
    "  (func (export \"loop-trap\") (param i32) (result i32) (local i32)"
    "    (loop (local.set 1 (i32.add (local.get 1) (i32.const 3)))"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))"
    "      (br_if 0 (local.get 0)))"
    "    (i32.div_u (local.get 1) (local.get 0)))"
    "  (func (export \"sum\") (param i32) (result i64) (local i64)"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))"
    "      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))"
    "      (br 0)))"
    "    (local.get 1))"
    "  (func (export \"indirect\") (param i32) (result i32) (call_indirect (type $u) (local.get 0) (i32.const 1)))"
    "  (func $vload (param i32) (result v128) (v128.load offset=8 (local.get 0)))"
    "  (func (export \"v128-oob\") (result v128) (call $vload (i32.const 65528)))"
    "  (func $vstore (param i32 v128) (v128.store (local.get 0) (i32x4.add (local.get 1) (local.get 1))))"
    "  (func (export \"v128-store-oob\") (call $vstore (i32.const 65521) (v128.const i64x2 1 2)))"
    "  (func (export \"v128-oob64\") (result v128) (v128.load $m64 (i64.const 65521)))"
    "  (func (export \"v128-lane-oob\") (result v128) (v128.load32_lane 0 (i32.const 65533) (v128.const i64x2 0 0)))"
    ")";

typedef struct env {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *inst;
} env;

static kite_trap_t *host_fail(void *e, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    (void)e;
    (void)args;
    (void)results;
    return kite_trap_new(kite_caller_store(caller), "the host says no");
}

static bool setup(env *e, kite_tier_t tier, uint32_t threshold)
{
    memset(e, 0, sizeof(*e));
    kite_config_t *c = kite_config_new();
    kite_config_set_tier(c, tier);
    kite_config_set_tier_threshold(c, threshold);
    kite_config_set_feature(c, KITE_FEATURE_CUSTOM_PAGE_SIZES, true);
    e->engine = kite_engine_new(c);
    kite_config_free(c);
    kite_error_t *err = kite_module_new_text(e->engine, g_wat, strlen(g_wat), &e->module);
    if (err) {
        printf("module: %s\n", kite_error_message(err));
        kite_error_free(err);
        return false;
    }
    e->store = kite_store_new(e->engine);
    kite_func_t *fail;
    err = kite_func_new_host(e->store, NULL, 0, NULL, 0, host_fail, NULL, NULL, &fail);
    CHECK(!err, "host function");
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = fail};
    kite_trap_t *trap = NULL;
    err = kite_instance_new(e->store, e->module, &imp, 1, &e->inst, &trap);
    CHECK(!err && !trap, "instantiate (tier %d): %s", (int)tier, err ? kite_error_message(err) : "trap");
    if (err)
        kite_error_free(err);
    return e->inst != NULL;
}

static void teardown(env *e)
{
    kite_store_free(e->store);
    kite_module_free(e->module);
    kite_engine_free(e->engine);
}

static kite_trap_t *call(env *e, const char *name, const kite_val_t *args, size_t nargs, kite_val_t *res,
                         size_t nres)
{
    kite_extern_t ext;
    if (!kite_instance_export(e->inst, name, strlen(name), &ext))
        return NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(e->store, ext.of.func, args, nargs, res, nres, &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    if (err)
        kite_error_free(err);
    return trap;
}

/* The same trap: kind, message and every frame. */
static void same_trap(const char *what, kite_trap_t *want, kite_trap_t *got)
{
    CHECK(want && got, "%s: a trap in both tiers (interp %p, compiled %p)", what, (void *)want, (void *)got);
    if (!want || !got)
        return;
    CHECK(kite_trap_kind(want) == kite_trap_kind(got), "%s: kind %d, compiled %d", what,
          (int)kite_trap_kind(want), (int)kite_trap_kind(got));
    CHECK(strcmp(kite_trap_message(want), kite_trap_message(got)) == 0, "%s: message \"%s\", compiled \"%s\"",
          what, kite_trap_message(want), kite_trap_message(got));
    size_t n = kite_trap_frame_count(want);
    CHECK(n == kite_trap_frame_count(got), "%s: %zu frames, compiled %zu", what, n, kite_trap_frame_count(got));
    for (size_t i = 0; i < n && i < kite_trap_frame_count(got); i++) {
        kite_frame_t a = kite_trap_frame(want, i), b = kite_trap_frame(got, i);
        /* After a guard-page fault the interpreter does not know where in
         * the innermost function it was (offset 0); compiled code does. */
        if (i == 0 && a.code_offset == 0 && kite_trap_kind(want) == KITE_TRAP_MEMORY_OUT_OF_BOUNDS)
            b.code_offset = 0;
        CHECK(a.func_index == b.func_index && a.code_offset == b.code_offset &&
                  (a.func_name == b.func_name || (a.func_name && b.func_name && !strcmp(a.func_name, b.func_name))),
              "%s: frame %zu: func %u at %llu, compiled func %u at %llu", what, i, a.func_index,
              (unsigned long long)a.code_offset, b.func_index, (unsigned long long)b.code_offset);
    }
}

static const char *const g_traps[] = {
    "unreachable", "div0",  "overflow",  "nan",    "toobig", "oob",       "oob-high", "oob64",
    "table-oob",   "undefined", "uninit", "mismatch", "null", "null-call", "stack",    "host",
    "store-oob",   "small-oob", "small-store", "fill-oob", "copy-oob", "init-oob", "table-init-oob",
    "table-copy-oob", "table-set-oob", "rem-u0",
    "v128-oob", "v128-store-oob", "v128-oob64", "v128-lane-oob",
};

static void compare_tiers(kite_tier_t tier, uint32_t threshold)
{
    env ei, ej;
    if (!setup(&ei, KITE_TIER_INTERP, 0) || !setup(&ej, tier, threshold))
        return;
    for (size_t i = 0; i < sizeof(g_traps) / sizeof(g_traps[0]); i++) {
        kite_val_t r[1];
        kite_extern_t ext;
        size_t nres = 0;
        if (kite_instance_export(ei.inst, g_traps[i], strlen(g_traps[i]), &ext))
            nres = kite_func_result_count(ext.of.func);
        kite_trap_t *a = call(&ei, g_traps[i], NULL, 0, r, nres);
        kite_trap_t *b = call(&ej, g_traps[i], NULL, 0, r, nres);
        same_trap(g_traps[i], a, b);
        if (a)
            kite_trap_free(a);
        if (b)
            kite_trap_free(b);
    }
    /* results, and a trap after a loop has run long enough to tier up */
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = 5000}, ra, rb;
    kite_trap_t *a = call(&ei, "sum", &arg, 1, &ra, 1), *b = call(&ej, "sum", &arg, 1, &rb, 1);
    CHECK(!a && !b && ra.of.i64 == rb.of.i64 && ra.of.i64 == 12502500, "sum: %lld and %lld",
          (long long)ra.of.i64, (long long)rb.of.i64);
    a = call(&ei, "loop-trap", &arg, 1, &ra, 1);
    b = call(&ej, "loop-trap", &arg, 1, &rb, 1);
    same_trap("loop-trap", a, b);
    if (a)
        kite_trap_free(a);
    if (b)
        kite_trap_free(b);
    arg.of.i32 = 41;
    a = call(&ei, "indirect", &arg, 1, &ra, 1);
    b = call(&ej, "indirect", &arg, 1, &rb, 1);
    CHECK(!a && !b && ra.of.i32 == 42 && rb.of.i32 == 42, "indirect call");
    /* fuel and interrupts */
    kite_store_set_fuel(ei.store, 1000);
    kite_store_set_fuel(ej.store, 1000);
    a = call(&ei, "spin", NULL, 0, NULL, 0);
    b = call(&ej, "spin", NULL, 0, NULL, 0);
    same_trap("fuel", a, b);
    CHECK(kite_store_fuel(ei.store) == kite_store_fuel(ej.store), "fuel left: %llu, compiled %llu",
          (unsigned long long)kite_store_fuel(ei.store), (unsigned long long)kite_store_fuel(ej.store));
    if (a)
        kite_trap_free(a);
    if (b)
        kite_trap_free(b);
    kite_store_set_fuel(ei.store, 0);
    kite_store_set_fuel(ej.store, 0);
    kite_store_enable_interrupts(ej.store);
    kite_store_interrupt(ej.store);
    b = call(&ej, "spin", NULL, 0, NULL, 0);
    CHECK(b && kite_trap_kind(b) == KITE_TRAP_INTERRUPTED, "interrupt");
    if (b)
        kite_trap_free(b);
    teardown(&ei);
    teardown(&ej);
}

/* Part 2's instructions compile under jit (no refusal) and agree under auto. */
static void check_part2_compiles(void)
{
    static const char *const wat = "(module (type $s (struct (field i32))) (tag $e (param i32))"
                                   "  (memory 1 1 shared)"
                                   "  (func (export \"f\") (result i32)"
                                   "    (block $h (result i32)"
                                   "      (try_table (catch $e $h)"
                                   "        (throw $e (i32.add (i32x4.extract_lane 1 (i32x4.splat (i32.const 2)))"
                                   "          (i32.add (struct.get $s 0 (struct.new $s (i32.const 3)))"
                                   "                   (i32.atomic.load (i32.const 0))))))"
                                   "      (i32.const -1))))";
    for (int t = 0; t < 2; t++) {
        kite_config_t *c = kite_config_new();
        kite_config_set_tier(c, t ? KITE_TIER_AUTO : KITE_TIER_JIT);
        kite_config_set_tier_threshold(c, 1);
        kite_engine_t *engine = kite_engine_new(c);
        kite_config_free(c);
        kite_module_t *m;
        kite_error_t *err = kite_module_new_text(engine, wat, strlen(wat), &m);
        CHECK(!err, "part 2 module: %s", err ? kite_error_message(err) : "");
        if (err) {
            kite_error_free(err);
            kite_engine_free(engine);
            continue;
        }
        kite_store_t *s = kite_store_new(engine);
        kite_instance_t *inst = NULL;
        kite_trap_t *trap = NULL;
        err = kite_instance_new(s, m, NULL, 0, &inst, &trap);
        CHECK(!err && inst, "tier %d compiles GC, exceptions, SIMD and atomics: %s", t,
              err ? kite_error_message(err) : "");
        kite_extern_t ext;
        kite_val_t r;
        if (inst && kite_instance_export(inst, "f", 1, &ext)) {
            for (int call = 0; call < 3; call++) { /* (auto: interpreted, then compiled) */
                kite_error_t *e2 = kite_func_call(s, ext.of.func, NULL, 0, &r, 1, &trap);
                CHECK(!e2 && !trap && r.of.i32 == 5, "part 2 result, tier %d call %d", t, call);
            }
        }
        if (err)
            kite_error_free(err);
        kite_store_free(s);
        kite_module_free(m);
        kite_engine_free(engine);
    }
}

int main(void)
{
    compare_tiers(KITE_TIER_JIT, 0);
    compare_tiers(KITE_TIER_AUTO, 1);
    compare_tiers(KITE_TIER_AUTO, 7);
    compare_tiers(KITE_TIER_AUTO, 0);
    check_part2_compiles();
    printf("%s\n", g_failures ? "FAILED" : "ok");
    return g_failures ? 1 : 0;
}
