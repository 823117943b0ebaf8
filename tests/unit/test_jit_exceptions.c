/*
 * Exceptions in compiled code (docs/JIT.md, "Exceptions"), through the
 * public API, each tier against the interpreter:
 *
 *   - an exception that no handler catches leaves compiled code to the
 *     embedder as the interpreter's does: kind, message, tag, payload;
 *   - exceptions cross host frames both ways (Wasm -> host -> Wasm ...,
 *     compiled or interpreted) and are caught at any level;
 *   - a trap inside try blocks is not caught by catch_all: the same kind,
 *     message and backtrace as the interpreter's;
 *   - an exception from a tail-called function (Wasm or host) is not caught
 *     by the handlers of the frame that made the tail call;
 *   - throwing and catching in a loop runs in constant memory (the
 *     engine's live bytes and the GC heap's peak stay flat).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"
#include "tier_env.h"

/* ---- an allocator that counts the bytes it has handed out ----------------------------------- */

static size_t g_live;

static void *counting_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    unsigned char *old = ptr ? (unsigned char *)ptr - 16 : NULL;
    size_t old_size = 0;
    if (old)
        memcpy(&old_size, old, sizeof(old_size));
    if (size == 0) {
        g_live -= old_size;
        free(old);
        return NULL;
    }
    unsigned char *p = realloc(old, size + 16);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof(size));
    g_live += size - old_size;
    return p + 16;
}

static const kite_allocator_t g_counting = {counting_realloc, NULL};

static const char *const g_wat =
    "(module\n"
    "  (type $bounce_t (func (param i32 i32) (result i32)))\n"
    "  (import \"host\" \"bounce\" (func $bounce (type $bounce_t)))\n"
    "  (elem declare func $bounce)\n"
    "  (tag $e (export \"e\") (param i32 i64))\n"
    "  (tag $i (param i32))\n"
    "  (func $thrower (param i32) (throw $e (local.get 0) (i64.const -5)))\n"
    "  (func $div (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))\n"
    /* level n of a chain Wasm -> host -> Wasm ...: throws at level 0; the
     * level `catcher` (if any) catches, adding 1000 */
    "  (func (export \"level\") (param $n i32) (param $catcher i32) (result i32)\n"
    "    (if (i32.eqz (local.get $n)) (then (call $thrower (i32.const 77))))\n"
    "    (if (i32.ne (local.get $n) (local.get $catcher))\n"
    "      (then (return (i32.add (call $bounce (i32.sub (local.get $n) (i32.const 1)) (local.get $catcher))\n"
    "                             (i32.const 1)))))\n"
    "    (block $h (result i32 i64)\n"
    "      (try_table (catch $e $h)\n"
    "        (return (call $bounce (i32.sub (local.get $n) (i32.const 1)) (local.get $catcher))))\n"
    "      (unreachable))\n"
    "    (drop)\n"
    "    (i32.add (i32.const 1000)))\n"
    "  (func (export \"outer\") (param $n i32) (result i32)\n"
    "    (block $h (result i32 i64)\n"
    "      (try_table (catch $e $h) (return (call $bounce (local.get $n) (i32.const -1))))\n"
    "      (unreachable))\n"
    "    (drop))\n"
    "  (func (export \"uncaught\") (param $n i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $i $h) (return (call $bounce (local.get $n) (i32.const -1))))\n"
    "      (unreachable)))\n"
    /* traps are not exceptions */
    "  (func $trap_in_try (param i32) (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch_all $h) (return (call $div (i32.const 1) (local.get 0)))))\n"
    "    (i32.const -1))\n"
    "  (func (export \"trap\") (param i32) (result i32)\n"
    "    (block $h (result exnref)\n"
    "      (try_table (catch_all_ref $h) (return (call $trap_in_try (local.get 0))))\n"
    "      (unreachable))\n"
    "    (drop)\n"
    "    (i32.const -2))\n"
    /* a tail call ends its frame: the callee's exception passes this
     * frame's handlers by, whether the callee is Wasm or the host */
    "  (func $throw_r (param i32) (result i32) (throw $e (local.get 0) (i64.const -5)))\n"
    "  (func (export \"tail_host\") (param $n i32) (result i32)\n"
    "    (block $h (try_table (catch_all $h) (return_call $bounce (local.get $n) (i32.const -1))))\n"
    "    (i32.const -3))\n"
    "  (func (export \"tail_wasm\") (param $n i32) (result i32)\n"
    "    (block $h (try_table (catch_all $h) (return_call $throw_r (i32.const 77))))\n"
    "    (i32.const -3))\n"
    "  (func (export \"tail_ref\") (param $n i32) (result i32)\n"
    "    (block $h (try_table (catch_all $h)\n"
    "      (return_call_ref $bounce_t (local.get $n) (i32.const -1) (ref.func $bounce))))\n"
    "    (i32.const -3))\n"
    /* n throws caught, the sum of their payloads */
    "  (func (export \"loop\") (param $n i32) (result i32) (local $sum i32)\n"
    "    (loop $l\n"
    "      (block $h (result i32)\n"
    "        (try_table (catch $i $h) (throw $i (local.get $n)))\n"
    "        (unreachable))\n"
    "      (local.set $sum (i32.add (local.get $sum)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (local.get $sum))\n"
    /* the same through a callee, with exnrefs */
    "  (func $throw_i (param i32) (throw $i (local.get 0)))\n"
    "  (func (export \"loop_ref\") (param $n i32) (result i32) (local $sum i32)\n"
    "    (loop $l\n"
    "      (block $o (result i32)\n"
    "        (try_table (catch $i $o)\n"
    "          (block $h (result exnref)\n"
    "            (try_table (catch_all_ref $h) (call $throw_i (local.get $n)))\n"
    "            (unreachable))\n"
    "          (throw_ref))\n"
    "        (unreachable))\n"
    "      (local.set $sum (i32.add (local.get $sum)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "    (local.get $sum))\n"
    ")\n";

typedef struct env {
    tier_env t;
    kite_func_t *level;
    int host_calls;
} env;

static kite_val_t i32v(int32_t v) { return (kite_val_t){.kind = KITE_I32, .of.i32 = v}; }

/* host.bounce(n, catcher): calls the instance's "level"(n, catcher) and
 * hands back its result or its trap (an exception continues in the Wasm
 * caller). */
static kite_trap_t *host_bounce(void *user, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    env *e = user;
    e->host_calls++;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(kite_caller_store(caller), e->level, args, 2, results, 1, &trap);
    CHECK(!err, "bounce: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    return trap;
}

static bool setup(env *e, kite_tier_t tier, uint32_t threshold, uint64_t heap_limit)
{
    memset(e, 0, sizeof(*e));
    kite_config_t *c = kite_config_new();
    kite_config_set_tier_threshold(c, threshold);
    kite_config_set_allocator(c, &g_counting);
    if (!tier_env_open(&e->t, c, tier, g_wat))
        return false;
    if (heap_limit) {
        kite_store_limits_t limits = {.gc_heap_bytes = heap_limit};
        kite_store_set_limits(e->t.store, &limits);
    }
    kite_valtype_t i32 = {KITE_I32, false, 0}, params[2] = {i32, i32};
    kite_func_t *bounce;
    kite_error_t *err = kite_func_new_host(e->t.store, params, 2, &i32, 1, host_bounce, e, NULL, &bounce);
    CHECK(!err, "host function");
    kite_error_free(err);
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = bounce};
    if (err || !tier_env_instantiate(&e->t, &imp, 1))
        return false;
    e->level = tier_env_func(&e->t, "level");
    return e->level != NULL;
}

static kite_trap_t *call(env *e, const char *name, int32_t a, int32_t b, kite_val_t *res)
{
    kite_val_t args[2] = {i32v(a), i32v(b)};
    size_t nargs = strcmp(name, "level") == 0 ? 2 : 1;
    return tier_env_call(&e->t, name, args, nargs, res, 1);
}

/* The same outcome in both tiers: result, or a trap of the same kind,
 * message and backtrace; for an exception, the same tag and payload. */
static void same(const char *what, env *ei, env *ej, const char *name, int32_t a, int32_t b)
{
    kite_val_t ra = i32v(0), rb = i32v(0);
    kite_trap_t *ta = call(ei, name, a, b, &ra), *tb = call(ej, name, a, b, &rb);
    CHECK(!ta == !tb, "%s(%d, %d): interp %s, compiled %s", what, a, b, ta ? kite_trap_message(ta) : "returns",
          tb ? kite_trap_message(tb) : "returns");
    if (!ta && !tb)
        CHECK(ra.of.i32 == rb.of.i32, "%s(%d, %d): %d, compiled %d", what, a, b, ra.of.i32, rb.of.i32);
    if (ta && tb) {
        tier_same_trap(what, ta, tb);
        if (kite_trap_kind(ta) == KITE_TRAP_EXCEPTION) {
            kite_val_t pa[2], pb[2];
            size_t na = kite_trap_exception_values(ta, pa, 2), nb = kite_trap_exception_values(tb, pb, 2);
            CHECK(na == 2 && nb == 2 && pa[0].of.i32 == pb[0].of.i32 && pa[1].of.i64 == pb[1].of.i64 &&
                      pb[0].of.i32 == 77 && pb[1].of.i64 == -5,
                  "%s: payload (%d, %lld), compiled (%d, %lld)", what, pa[0].of.i32, (long long)pa[1].of.i64,
                  pb[0].of.i32, (long long)pb[1].of.i64);
            kite_extern_t ext;
            CHECK(kite_instance_export(ej->t.inst, "e", 1, &ext) && kite_trap_exception_tag(tb) == ext.of.tag,
                  "%s: the exception's tag is the instance's", what);
        }
    }
    kite_trap_free(ta);
    kite_trap_free(tb);
}

static void compare(kite_tier_t tier, uint32_t threshold)
{
    env ei, ej;
    if (!setup(&ei, KITE_TIER_INTERP, 0, 0))
        return;
    if (!setup(&ej, tier, threshold, 0)) {
        tier_env_close(&ei.t);
        return;
    }
    /* twice: under auto the second round runs what the first compiled */
    for (int round = 0; round < 2; round++) {
        for (int32_t n = 0; n <= 6; n++) {
            same("outer", &ei, &ej, "outer", n, 0);
            same("uncaught", &ei, &ej, "uncaught", n, 0);
            for (int32_t c = 1; c <= n; c++)
                same("level", &ei, &ej, "level", n, c);
            same("level, uncaught", &ei, &ej, "level", n, -1);
        }
        same("trap", &ei, &ej, "trap", 0, 0);
        same("no trap", &ei, &ej, "trap", 1, 0);
        same("loop", &ei, &ej, "loop", 1000, 0);
        same("loop_ref", &ei, &ej, "loop_ref", 1000, 0);
        static const char *const tails[] = {"tail_host", "tail_wasm", "tail_ref"};
        for (int i = 0; i < 3; i++)
            for (int32_t n = 0; n <= 2; n++) {
                same(tails[i], &ei, &ej, tails[i], n, 0);
                for (env *e = &ei; e; e = e == &ei ? &ej : NULL) {
                    kite_val_t r = i32v(0);
                    kite_trap_t *t = call(e, tails[i], n, 0, &r);
                    CHECK(t && kite_trap_kind(t) == KITE_TRAP_EXCEPTION,
                          "%s(%d), tier %d: the exception leaves the frame that tail-called (%s %d)", tails[i],
                          n, (int)e->t.tier, t ? kite_trap_message(t) : "result", r.of.i32);
                    kite_trap_free(t);
                }
            }
    }
    CHECK(ei.host_calls == ej.host_calls, "host calls: %d, compiled %d", ei.host_calls, ej.host_calls);
    /* throws cost fuel as in the interpreter, and running out of it in
     * the middle of a throw loop traps at the same point */
    static const char *const fueled[] = {"loop", "loop_ref", "trap"};
    for (int i = 0; i < 3; i++) {
        kite_store_set_fuel(ei.t.store, 100000);
        kite_store_set_fuel(ej.t.store, 100000);
        same(fueled[i], &ei, &ej, fueled[i], 300, 0);
        CHECK(kite_store_fuel(ei.t.store) == kite_store_fuel(ej.t.store), "%s: fuel left %llu, compiled %llu",
              fueled[i], (unsigned long long)kite_store_fuel(ei.t.store), (unsigned long long)kite_store_fuel(ej.t.store));
        kite_store_set_fuel(ei.t.store, 2000);
        kite_store_set_fuel(ej.t.store, 2000);
        same(fueled[i], &ei, &ej, fueled[i], 100000, 0);
    }
    /* through host frames (shallow: how deep Wasm -> host -> Wasm nests
     * depends on each tier's C stack use), running out at every point */
    for (uint64_t fuel = 1; fuel <= 60; fuel++) {
        kite_store_set_fuel(ei.t.store, fuel);
        kite_store_set_fuel(ej.t.store, fuel);
        same("outer, fuel", &ei, &ej, "outer", 4, 0);
        same("level, fuel", &ei, &ej, "level", 4, 2);
        CHECK(kite_store_fuel(ei.t.store) == kite_store_fuel(ej.t.store), "fuel %llu: fuel left %llu, compiled %llu",
              (unsigned long long)fuel, (unsigned long long)kite_store_fuel(ei.t.store),
              (unsigned long long)kite_store_fuel(ej.t.store));
    }
    kite_store_set_fuel(ei.t.store, 0);
    kite_store_set_fuel(ej.t.store, 0);
    tier_env_close(&ei.t);
    tier_env_close(&ej.t);
}

/* n throws caught in compiled code: the engine's live bytes and the GC
 * heap stay within bounds however many run. */
static size_t live_after(env *e, const char *name, int32_t n)
{
    kite_val_t r = i32v(0);
    kite_trap_t *t = call(e, name, n, 0, &r);
    int32_t want = (int32_t)((uint64_t)n * (uint64_t)(n + 1) / 2);
    CHECK(!t && r.of.i32 == want, "%s(%d): %s %d (expected %d)", name, n, t ? kite_trap_message(t) : "", r.of.i32,
          want);
    kite_trap_free(t);
    return g_live;
}

static void constant_memory(kite_tier_t tier, uint32_t threshold)
{
    env e;
    const uint64_t limit = 1u << 20;
    if (!setup(&e, tier, threshold, limit))
        return;
    static const char *const names[] = {"loop", "loop_ref"};
    for (int i = 0; i < 2; i++) {
        live_after(&e, names[i], 20000); /* (compiled, translated, first collections) */
        size_t small = live_after(&e, names[i], 1000);
        /* 2 million exceptions of some 48 bytes each: 96 MB through a 1 MB heap */
        size_t big = live_after(&e, names[i], 2000000);
        CHECK(big <= small + limit, "%s, tier %d: %zu live bytes after 2M throws, %zu after 1000", names[i],
              (int)tier, big, small);
    }
    kite_gc_stats_t st;
    kite_store_gc_stats(e.t.store, &st);
    CHECK(st.collections >= 10 && st.peak_heap_bytes <= limit,
          "tier %d: exceptions are collected: %llu collections, peak heap %llu", (int)tier,
          (unsigned long long)st.collections, (unsigned long long)st.peak_heap_bytes);
    tier_env_close(&e.t);
}

int main(void)
{
    compare(KITE_TIER_JIT, 0);
    compare(KITE_TIER_AUTO, 1);
    compare(KITE_TIER_AUTO, 3);
    compare(KITE_TIER_AUTO, 20);
    constant_memory(KITE_TIER_JIT, 0);
    constant_memory(KITE_TIER_AUTO, 5);
    printf("%s\n", g_failures ? "FAILED" : "ok");
    return g_failures ? 1 : 0;
}
