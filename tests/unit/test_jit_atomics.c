/*
 * Atomics in compiled code against the interpreter, through the public API:
 *
 *   - every trap an atomic instruction raises (unaligned, out of bounds,
 *     past 2^64 with memory64, wait on an unshared memory) gives the same
 *     kind, message and backtrace (frames and code offsets) in tier jit as
 *     in the interpreter;
 *   - a wait blocked in compiled code ends with the interpreter's trap when
 *     another thread interrupts the store, and when fuel runs out;
 *   - the module compiles under tier jit at all (atomics are not refused).
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "kite.h"
#include "tier_env.h"

static const char *const g_wat =
    "(module"
    "  (memory 1 1 shared)"
    "  (memory $plain 1)"
    "  (memory $m64 i64 1 1 shared)"
    "  (func $ld (param i32) (result i32) (i32.atomic.load offset=4 (local.get 0)))"
    "  (func (export \"unaligned-load\") (result i32) (call $ld (i32.const 2)))"
    "  (func (export \"oob-load\") (result i32) (call $ld (i32.const 65532)))"
    "  (func (export \"oob-high\") (result i32) (call $ld (i32.const -4)))"
    "  (func $st (param i32 i64) (i64.atomic.store16 (local.get 0) (local.get 1)))"
    "  (func (export \"unaligned-store\") (call $st (i32.const 7) (i64.const 1)))"
    "  (func (export \"oob-store\") (call $st (i32.const 65536) (i64.const 1)))"
    "  (func (export \"unaligned-add\") (result i64) (i64.atomic.rmw.add (i32.const 4) (i64.const 1)))"
    "  (func (export \"oob-xor\") (result i32) (i32.atomic.rmw8.xor_u (i32.const 65536) (i32.const 1)))"
    "  (func (export \"unaligned-or\") (result i32) (i32.atomic.rmw16.or_u (i32.const 1) (i32.const 1)))"
    "  (func (export \"unaligned-cmpxchg\") (result i32)"
    "    (i32.atomic.rmw.cmpxchg (i32.const 6) (i32.const 0) (i32.const 1)))"
    "  (func (export \"oob-cmpxchg\") (result i64)"
    "    (i64.atomic.rmw32.cmpxchg_u offset=65533 (i32.const 3) (i64.const 0) (i64.const 1)))"
    "  (func (export \"wrap64\") (result i64) (i64.atomic.load $m64 offset=0xfffffffffffffff8 (i64.const 8)))"
    "  (func (export \"wrap64-unaligned\") (result i64)"
    "    (i64.atomic.load $m64 offset=0xfffffffffffffff8 (i64.const 12)))"
    "  (func (export \"unaligned-notify\") (result i32) (memory.atomic.notify (i32.const 1) (i32.const 1)))"
    "  (func (export \"oob-notify\") (result i32) (memory.atomic.notify (i32.const 65536) (i32.const 1)))"
    "  (func (export \"unshared-wait\") (result i32)"
    "    (memory.atomic.wait32 $plain (i32.const 0) (i32.const 0) (i64.const 0)))"
    "  (func (export \"unaligned-wait\") (result i32)"
    "    (memory.atomic.wait64 (i32.const 4) (i64.const 0) (i64.const 0)))"
    "  (func $block (result i32) (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const -1)))"
    "  (func (export \"wait-forever\") (result i32) (call $block))"
    ")";

static bool setup(tier_env *e, kite_tier_t tier)
{
    return tier_env_open(e, kite_config_new(), tier, g_wat) && tier_env_instantiate(e, NULL, 0);
}

/* Calls export `name`, which takes no arguments. */
static kite_trap_t *call(tier_env *e, const char *name)
{
    kite_func_t *f = tier_env_func(e, name);
    kite_val_t r;
    return f ? tier_env_call(e, name, NULL, 0, &r, kite_func_result_count(f)) : NULL;
}

/* The same trap, with a backtrace. */
static void same_trap(const char *what, kite_trap_t *want, kite_trap_t *got)
{
    tier_same_trap(what, want, got);
    CHECK(want && kite_trap_frame_count(want) > 0, "%s: no backtrace", what);
}

static const struct {
    const char *name;
    kite_trap_kind_t kind;
} g_traps[] = {
    {"unaligned-load", KITE_TRAP_UNALIGNED_ATOMIC},
    {"oob-load", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"oob-high", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"unaligned-store", KITE_TRAP_UNALIGNED_ATOMIC},
    {"oob-store", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"unaligned-add", KITE_TRAP_UNALIGNED_ATOMIC},
    {"oob-xor", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"unaligned-or", KITE_TRAP_UNALIGNED_ATOMIC},
    {"unaligned-cmpxchg", KITE_TRAP_UNALIGNED_ATOMIC},
    {"oob-cmpxchg", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"wrap64", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"wrap64-unaligned", KITE_TRAP_UNALIGNED_ATOMIC},
    {"unaligned-notify", KITE_TRAP_UNALIGNED_ATOMIC},
    {"oob-notify", KITE_TRAP_MEMORY_OUT_OF_BOUNDS},
    {"unshared-wait", KITE_TRAP_EXPECTED_SHARED_MEMORY},
    {"unaligned-wait", KITE_TRAP_UNALIGNED_ATOMIC},
};

static void compare_traps(tier_env *ei, tier_env *ej)
{
    for (size_t i = 0; i < sizeof(g_traps) / sizeof(g_traps[0]); i++) {
        kite_trap_t *a = call(ei, g_traps[i].name), *b = call(ej, g_traps[i].name);
        same_trap(g_traps[i].name, a, b);
        CHECK(b && kite_trap_kind(b) == g_traps[i].kind, "%s: kind %d, expected %d", g_traps[i].name,
              b ? (int)kite_trap_kind(b) : -1, (int)g_traps[i].kind);
        if (a)
            kite_trap_free(a);
        if (b)
            kite_trap_free(b);
    }
}

static void *interrupt_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kite_store_interrupt((kite_store_t *)arg);
    return NULL;
}

/* A wait that nothing notifies: interrupted from another thread. */
static kite_trap_t *interrupted_wait(tier_env *e)
{
    kite_store_enable_interrupts(e->store);
    pthread_t t;
    if (pthread_create(&t, NULL, interrupt_later, e->store) != 0) {
        CHECK(false, "pthread_create");
        return NULL;
    }
    kite_trap_t *trap = call(e, "wait-forever");
    pthread_join(t, NULL);
    return trap;
}

int main(void)
{
#if !defined(__x86_64__) && !defined(_M_X64)
    printf("no compiler tier on this host: skipped\n");
    return 0;
#endif
    tier_env ei, ej;
    if (!setup(&ei, KITE_TIER_INTERP) || !setup(&ej, KITE_TIER_JIT))
        return 1;
    compare_traps(&ei, &ej);

    kite_trap_t *a = interrupted_wait(&ei), *b = interrupted_wait(&ej);
    same_trap("interrupted wait", a, b);
    CHECK(b && kite_trap_kind(b) == KITE_TRAP_INTERRUPTED, "interrupted wait: kind %d", b ? (int)kite_trap_kind(b) : -1);
    if (a)
        kite_trap_free(a);
    if (b)
        kite_trap_free(b);
    tier_env_close(&ei);
    tier_env_close(&ej);

    /* fuel: a wait is charged for the time it sleeps, so it ends */
    if (!setup(&ei, KITE_TIER_INTERP) || !setup(&ej, KITE_TIER_JIT))
        return 1;
    kite_store_set_fuel(ei.store, 20 * 1000 * 1000);
    kite_store_set_fuel(ej.store, 20 * 1000 * 1000);
    a = call(&ei, "wait-forever");
    b = call(&ej, "wait-forever");
    same_trap("wait out of fuel", a, b);
    CHECK(b && kite_trap_kind(b) == KITE_TRAP_OUT_OF_FUEL, "wait out of fuel: kind %d", b ? (int)kite_trap_kind(b) : -1);
    if (a)
        kite_trap_free(a);
    if (b)
        kite_trap_free(b);
    tier_env_close(&ei);
    tier_env_close(&ej);
    return g_failures ? 1 : 0;
}
