/*
 * GC instructions in the compiled tiers against the interpreter, through
 * the public API: every trap a GC instruction can raise in compiled code
 * (a failed ref.cast to concrete, abstract and function types, null
 * struct, array and i31 accesses, array indices and bulk ranges out of
 * bounds, an array too large, data and element segments out of range,
 * the heap exhausted by allocations inline and in helpers)
 * gives the interpreter's kind, message and backtrace (function and code
 * offset per frame) under jit and under auto, from a call chain, and in
 * a function already compiled by a loop; and results agree, with and
 * without GC stress (a collection at every allocation).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "kite.h"
#include "tier_env.h"

static const char *const g_wat =
    "(module"
    "  (type $p (sub (struct (field i32))))"
    "  (type $q (sub $p (struct (field i32) (field i64))))"
    "  (type $r (sub $p (struct (field i32) (field f32))))"
    "  (type $m (struct (field (mut i64))))"
    "  (type $bytes (array (mut i8)))"
    "  (type $refs (array (mut anyref)))"
    "  (type $link (struct (field (ref null $link)) (field i64)))"
    "  (type $chunks (struct (field (ref null $chunks)) (field (ref $refs))))"
    "  (type $ft (func (result i32)))"
    "  (type $gt (func (param i32) (result i32)))"
    "  (data $d \"abcdefgh\")"
    "  (elem $e anyref (item (ref.i31 (i32.const 1))) (item (ref.null any)))"
    "  (global $obj (mut anyref) (ref.null any))"
    "  (func $seven (type $ft) (i32.const 7))"
    "  (elem declare func $seven)"
    "  (func $cast (param anyref) (result i32) (struct.get $q 0 (ref.cast (ref $q) (local.get 0))))"
    "  (func (export \"cast-sibling\") (result i32) (call $cast (struct.new $r (i32.const 1) (f32.const 2))))"
    "  (func (export \"cast-parent\") (result i32) (call $cast (struct.new $p (i32.const 1))))"
    "  (func (export \"cast-i31\") (result i32) (call $cast (ref.i31 (i32.const 262136))))"
    "  (func (export \"cast-null\") (result i32) (call $cast (ref.null none)))"
    "  (func (export \"cast-array\") (result i32)"
    "    (drop (ref.cast (ref struct) (array.new_default $bytes (i32.const 1)))) (i32.const 0))"
    "  (func (export \"cast-extern\") (result i32)"
    "    (drop (ref.cast (ref i31) (any.convert_extern (extern.convert_any (struct.new $p (i32.const 3))))))"
    "    (i32.const 0))"
    "  (func (export \"cast-func\") (result i32)"
    "    (drop (ref.cast (ref $gt) (ref.func $seven))) (i32.const 0))"
    "  (func (export \"cast-ok\") (result i32) (call $cast (struct.new $q (i32.const 9) (i64.const 1))))"
    "  (func $get (param (ref null $p)) (result i32) (struct.get $p 0 (local.get 0)))"
    "  (func (export \"null-struct\") (result i32) (call $get (ref.null $p)))"
    "  (func (export \"null-struct-set\") (struct.set $m 0 (ref.null $m) (i64.const 1)))"
    "  (func (export \"null-array\") (result i32) (array.len (ref.null $bytes)))"
    "  (func (export \"null-array-get\") (result i32) (array.get_u $bytes (ref.null $bytes) (i32.const 0)))"
    "  (func (export \"null-i31\") (result i32) (i31.get_s (ref.null i31)))"
    "  (func (export \"null-fill\") (array.fill $bytes (ref.null $bytes) (i32.const 0) (i32.const 0) (i32.const 0)))"
    "  (func $at (param (ref $bytes) i32) (result i32) (array.get_s $bytes (local.get 0) (local.get 1)))"
    "  (func (export \"oob-get\") (result i32) (call $at (array.new_default $bytes (i32.const 10)) (i32.const 10)))"
    "  (func (export \"oob-neg\") (result i32) (call $at (array.new_default $bytes (i32.const 10)) (i32.const -1)))"
    "  (func (export \"oob-set\") (array.set $refs (array.new_default $refs (i32.const 2)) (i32.const 2)"
    "    (ref.i31 (i32.const 1))))"
    "  (func (export \"oob-fill\") (array.fill $bytes (array.new_default $bytes (i32.const 4)) (i32.const 2)"
    "    (i32.const 0) (i32.const 3)))"
    "  (func (export \"oob-copy\") (array.copy $bytes $bytes (array.new_default $bytes (i32.const 4)) (i32.const 0)"
    "    (array.new_default $bytes (i32.const 4)) (i32.const 3) (i32.const 2)))"
    "  (func (export \"oob-init-data\") (array.init_data $bytes $d (array.new_default $bytes (i32.const 4))"
    "    (i32.const 0) (i32.const 7) (i32.const 2)))"
    "  (func (export \"oob-init-elem\") (array.init_elem $refs $e (array.new_default $refs (i32.const 4))"
    "    (i32.const 0) (i32.const 1) (i32.const 2)))"
    "  (func (export \"oob-new-data\") (result i32) (array.len (array.new_data $bytes $d (i32.const 4) (i32.const 5))))"
    "  (func (export \"oob-new-elem\") (result i32) (array.len (array.new_elem $refs $e (i32.const 1) (i32.const 2))))"
    "  (func $big (param i32) (result i32) (array.len (array.new_default $refs (local.get 0))))"
    "  (func (export \"too-large\") (result i32) (call $big (i32.const 0x20000000)))"
    "  (func (export \"too-large-fill\") (result i32) (array.len (array.new $bytes (i32.const 1) (i32.const -1))))"
    "  (func (export \"loop-then-cast\") (result i32) (local $i i32) (local $s i32)"
    "    (loop $l (local.set $s (i32.add (local.get $s) (struct.get $p 0 (struct.new $p (local.get $i)))))"
    "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100))))"
    "    (global.set $obj (struct.new $p (local.get $s)))"
    "    (ref.test (ref $q) (global.get $obj)) (drop)"
    "    (struct.get $q 0 (ref.cast (ref $q) (global.get $obj))))"
    "  (func $grow (result i32) (local $l (ref null $link))"
    "    (loop $l (local.set $l (struct.new $link (local.get $l) (i64.const 1))) (br $l)) (i32.const 0))"
    "  (func (export \"exhaust\") (result i32) (call $grow))"
    "  (func (export \"exhaust-array\") (result i32) (local $l (ref null $chunks))"
    "    (loop $l (local.set $l (struct.new $chunks (local.get $l) (array.new $refs (ref.i31 (i32.const 1))"
    "      (i32.const 1000)))) (br $l)) (i32.const 0))"
    "  (func (export \"sum\") (param i32) (result i32) (local $a (ref null $refs)) (local $i i32) (local $s i32)"
    "    (local.set $a (array.new_default $refs (local.get 0)))"
    "    (loop $l (array.set $refs (local.get $a) (local.get $i) (struct.new $q (local.get $i) (i64.const 5)))"
    "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get 0))))"
    "    (loop $m (local.set $i (i32.sub (local.get $i) (i32.const 1)))"
    "      (local.set $s (i32.add (local.get $s) (struct.get $p 0 (ref.cast (ref $p) (array.get $refs (local.get $a)"
    "        (local.get $i))))))"
    "      (br_if $m (local.get $i)))"
    "    (local.get $s))"
    ")";

static bool setup(tier_env *e, kite_tier_t tier, uint32_t threshold, bool stress)
{
    kite_config_t *c = kite_config_new();
    kite_config_set_tier_threshold(c, threshold);
    kite_config_set_gc_stress(c, stress);
    return tier_env_open(e, c, tier, g_wat) && tier_env_instantiate(e, NULL, 0);
}

static void same_trap(const char *what, kite_trap_t *want, kite_trap_t *got, kite_trap_kind_t kind)
{
    tier_same_trap(what, want, got);
    CHECK(want && kite_trap_kind(want) == kind, "%s: the interpreter's kind %d, expected %d", what,
          want ? (int)kite_trap_kind(want) : -1, (int)kind);
    CHECK(want && kite_trap_frame_count(want) > 0, "%s: no backtrace", what);
}

typedef struct trap_case {
    const char *name;
    kite_trap_kind_t kind;
} trap_case;

static const trap_case g_traps[] = {
    {"cast-sibling", KITE_TRAP_CAST_FAILURE},
    {"cast-parent", KITE_TRAP_CAST_FAILURE},
    {"cast-i31", KITE_TRAP_CAST_FAILURE},
    {"cast-null", KITE_TRAP_CAST_FAILURE},
    {"cast-array", KITE_TRAP_CAST_FAILURE},
    {"cast-extern", KITE_TRAP_CAST_FAILURE},
    {"cast-func", KITE_TRAP_CAST_FAILURE},
    {"null-struct", KITE_TRAP_NULL_STRUCTURE_REFERENCE},
    {"null-struct-set", KITE_TRAP_NULL_STRUCTURE_REFERENCE},
    {"null-array", KITE_TRAP_NULL_ARRAY_REFERENCE},
    {"null-array-get", KITE_TRAP_NULL_ARRAY_REFERENCE},
    {"null-i31", KITE_TRAP_NULL_I31_REFERENCE},
    {"null-fill", KITE_TRAP_NULL_ARRAY_REFERENCE},
    {"oob-get", KITE_TRAP_ARRAY_OUT_OF_BOUNDS},
    {"oob-neg", KITE_TRAP_ARRAY_OUT_OF_BOUNDS},
    {"oob-set", KITE_TRAP_ARRAY_OUT_OF_BOUNDS},
    {"oob-fill", KITE_TRAP_ARRAY_OUT_OF_BOUNDS},
    {"oob-copy", KITE_TRAP_ARRAY_OUT_OF_BOUNDS},
    {"oob-init-data", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"oob-init-elem", KITE_TRAP_TABLE_OUT_OF_BOUNDS},
    {"oob-new-data", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"oob-new-elem", KITE_TRAP_TABLE_OUT_OF_BOUNDS},
    {"too-large", KITE_TRAP_ARRAY_TOO_LARGE},
    {"too-large-fill", KITE_TRAP_ARRAY_TOO_LARGE},
    {"loop-then-cast", KITE_TRAP_CAST_FAILURE},
    {"exhaust", KITE_TRAP_GC_HEAP_EXHAUSTED},
    {"exhaust-array", KITE_TRAP_GC_HEAP_EXHAUSTED},
};

static void compare_tiers(kite_tier_t tier, uint32_t threshold, bool stress)
{
    tier_env ei, ej;
    if (!setup(&ei, KITE_TIER_INTERP, 0, stress) || !setup(&ej, tier, threshold, stress))
        return;
    kite_store_limits_t limits = {.gc_heap_bytes = stress ? 64u << 10 : 4u << 20};
    kite_store_set_limits(ei.store, &limits);
    kite_store_set_limits(ej.store, &limits);
    /* twice: under auto the second round runs what the first compiled */
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof(g_traps) / sizeof(g_traps[0]); i++) {
            kite_val_t r[1];
            kite_extern_t ext;
            size_t nres = 0;
            if (kite_instance_export(ei.inst, g_traps[i].name, strlen(g_traps[i].name), &ext))
                nres = kite_func_result_count(ext.of.func);
            kite_trap_t *a = tier_env_call(&ei, g_traps[i].name, NULL, 0, r, nres);
            kite_trap_t *b = tier_env_call(&ej, g_traps[i].name, NULL, 0, r, nres);
            same_trap(g_traps[i].name, a, b, g_traps[i].kind);
            if (a)
                kite_trap_free(a);
            if (b)
                kite_trap_free(b);
        }
    kite_val_t ra, rb;
    kite_trap_t *a = tier_env_call(&ei, "cast-ok", NULL, 0, &ra, 1), *b = tier_env_call(&ej, "cast-ok", NULL, 0, &rb, 1);
    CHECK(!a && !b && ra.of.i32 == 9 && rb.of.i32 == 9, "cast-ok");
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = 300};
    for (int k = 0; k < 3; k++) {
        a = tier_env_call(&ei, "sum", &arg, 1, &ra, 1);
        b = tier_env_call(&ej, "sum", &arg, 1, &rb, 1);
        CHECK(!a && !b && ra.of.i32 == 44850 && rb.of.i32 == 44850, "sum: %d and %d", ra.of.i32, rb.of.i32);
    }
    tier_env_close(&ei);
    tier_env_close(&ej);
}

int main(void)
{
    for (int stress = 0; stress < 2; stress++) {
        compare_tiers(KITE_TIER_JIT, 0, stress != 0);
        compare_tiers(KITE_TIER_AUTO, 1, stress != 0);
        compare_tiers(KITE_TIER_AUTO, 5, stress != 0);
    }
    printf("%s\n", g_failures ? "FAILED" : "ok");
    return g_failures ? 1 : 0;
}
