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
#include "tier_env.h"

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

static kite_trap_t *host_fail(void *e, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    (void)e;
    (void)args;
    (void)results;
    return kite_trap_new(kite_caller_store(caller), "the host says no");
}

static bool setup(tier_env *e, kite_tier_t tier, uint32_t threshold)
{
    kite_config_t *c = kite_config_new();
    kite_config_set_tier_threshold(c, threshold);
    kite_config_set_feature(c, KITE_FEATURE_CUSTOM_PAGE_SIZES, true);
    if (!tier_env_open(e, c, tier, g_wat))
        return false;
    kite_func_t *fail;
    kite_error_t *err = kite_func_new_host(e->store, NULL, 0, NULL, 0, host_fail, NULL, NULL, &fail);
    CHECK(!err, "host function");
    kite_error_free(err);
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = fail};
    return !err && tier_env_instantiate(e, &imp, 1);
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
    tier_env ei, ej;
    if (!setup(&ei, KITE_TIER_INTERP, 0) || !setup(&ej, tier, threshold))
        return;
    for (size_t i = 0; i < sizeof(g_traps) / sizeof(g_traps[0]); i++) {
        kite_val_t r[1];
        kite_extern_t ext;
        size_t nres = 0;
        if (kite_instance_export(ei.inst, g_traps[i], strlen(g_traps[i]), &ext))
            nres = kite_func_result_count(ext.of.func);
        kite_trap_t *a = tier_env_call(&ei, g_traps[i], NULL, 0, r, nres);
        kite_trap_t *b = tier_env_call(&ej, g_traps[i], NULL, 0, r, nres);
        tier_same_trap(g_traps[i], a, b);
        if (a)
            kite_trap_free(a);
        if (b)
            kite_trap_free(b);
    }
    /* results, and a trap after a loop has run long enough to tier up */
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = 5000}, ra, rb;
    kite_trap_t *a = tier_env_call(&ei, "sum", &arg, 1, &ra, 1), *b = tier_env_call(&ej, "sum", &arg, 1, &rb, 1);
    CHECK(!a && !b && ra.of.i64 == rb.of.i64 && ra.of.i64 == 12502500, "sum: %lld and %lld",
          (long long)ra.of.i64, (long long)rb.of.i64);
    a = tier_env_call(&ei, "loop-trap", &arg, 1, &ra, 1);
    b = tier_env_call(&ej, "loop-trap", &arg, 1, &rb, 1);
    tier_same_trap("loop-trap", a, b);
    if (a)
        kite_trap_free(a);
    if (b)
        kite_trap_free(b);
    arg.of.i32 = 41;
    a = tier_env_call(&ei, "indirect", &arg, 1, &ra, 1);
    b = tier_env_call(&ej, "indirect", &arg, 1, &rb, 1);
    CHECK(!a && !b && ra.of.i32 == 42 && rb.of.i32 == 42, "indirect call");
    /* fuel and interrupts */
    kite_store_set_fuel(ei.store, 1000);
    kite_store_set_fuel(ej.store, 1000);
    a = tier_env_call(&ei, "spin", NULL, 0, NULL, 0);
    b = tier_env_call(&ej, "spin", NULL, 0, NULL, 0);
    tier_same_trap("fuel", a, b);
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
    b = tier_env_call(&ej, "spin", NULL, 0, NULL, 0);
    CHECK(b && kite_trap_kind(b) == KITE_TRAP_INTERRUPTED, "interrupt");
    if (b)
        kite_trap_free(b);
    tier_env_close(&ei);
    tier_env_close(&ej);
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
        kite_config_set_tier_threshold(c, 1);
        tier_env e;
        if (!tier_env_open(&e, c, t ? KITE_TIER_AUTO : KITE_TIER_JIT, wat) || !tier_env_instantiate(&e, NULL, 0)) {
            tier_env_close(&e);
            continue;
        }
        for (int call = 0; call < 3; call++) { /* (auto: interpreted, then compiled) */
            kite_val_t r;
            kite_trap_t *trap = tier_env_call(&e, "f", NULL, 0, &r, 1);
            CHECK(!trap && r.of.i32 == 5, "part 2 result, tier %d call %d", t, call);
            kite_trap_free(trap);
        }
        tier_env_close(&e);
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
