/*
 * kite_config_set_memory_reserve: a cap below the guarded layout's 8 GiB +
 * 64 KiB makes 32-bit memories check bounds (what `make memcheck` runs
 * with, since valgrind reports every access to a guard page): out-of-bounds
 * accesses still trap, in-bounds ones at the very end still work, and
 * memory.grow stops at the cap with a diagnostic.
 */
#include <stdint.h>
#include <string.h>

#include "kite.h"
#include "check.h"

static const char *const g_wat =
    "(module (memory (export \"mem\") 1)"
    "  (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))"
    "  (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";

typedef struct fixture {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *instance;
    int diagnostics;
} fixture;

static void count_diagnostic(void *user, const char *message)
{
    (void)message;
    ++*(int *)user;
}

static bool setup(fixture *f, uint64_t reserve)
{
    kite_config_t *cfg = kite_config_new();
    kite_config_set_memory_reserve(cfg, reserve);
    f->engine = kite_engine_new(cfg);
    kite_config_free(cfg);
    f->module = NULL;
    f->store = NULL;
    f->instance = NULL;
    f->diagnostics = 0;
    kite_error_t *err = kite_module_new_text(f->engine, g_wat, strlen(g_wat), &f->module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    if (err) {
        kite_error_free(err);
        return false;
    }
    f->store = kite_store_new(f->engine);
    kite_store_set_diagnostic_handler(f->store, count_diagnostic, &f->diagnostics);
    kite_trap_t *trap = NULL;
    err = kite_instance_new(f->store, f->module, NULL, 0, &f->instance, &trap);
    CHECK(!err && !trap, "instance");
    kite_error_free(err);
    kite_trap_free(trap);
    return f->instance != NULL;
}

static void teardown(fixture *f)
{
    kite_store_free(f->store);
    kite_module_free(f->module);
    kite_engine_free(f->engine);
}

/* Calls export NAME; *trapped says whether it trapped. Returns the i32
 * result, or 0. */
static int32_t call(fixture *f, const char *name, int32_t a, int32_t b, bool *trapped)
{
    kite_extern_t e;
    *trapped = false;
    if (!kite_instance_export(f->instance, name, strlen(name), &e) || e.kind != KITE_EXTERN_FUNC) {
        CHECK(false, "no export %s", name);
        return 0;
    }
    kite_val_t args[2] = {{.kind = KITE_I32, .of.i32 = a}, {.kind = KITE_I32, .of.i32 = b}};
    kite_val_t result = {.kind = KITE_I32};
    size_t nargs = strcmp(name, "store") == 0 ? 2 : 1, nresults = nargs == 2 ? 0 : 1;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(f->store, e.of.func, args, nargs, &result, nresults, &trap);
    CHECK(!err, "%s: %s", name, err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (trap) {
        *trapped = true;
        CHECK(strstr(kite_trap_message(trap), "out of bounds memory access") != NULL,
              "%s traps with \"%s\"", name, kite_trap_message(trap));
        kite_trap_free(trap);
        return 0;
    }
    return nresults ? result.of.i32 : 0;
}

/* The same behaviour at the memory's end under any reservation. */
static void test_bounds(uint64_t reserve)
{
    fixture f;
    if (!setup(&f, reserve)) {
        teardown(&f);
        return;
    }
    bool trapped;
    call(&f, "store", 65532, 0x12345678, &trapped);
    CHECK(!trapped, "reserve %llu: store at the last word", (unsigned long long)reserve);
    CHECK(call(&f, "load", 65532, 0, &trapped) == 0x12345678 && !trapped,
          "reserve %llu: load of the last word", (unsigned long long)reserve);
    call(&f, "load", 65533, 0, &trapped);
    CHECK(trapped, "reserve %llu: a load across the end traps", (unsigned long long)reserve);
    call(&f, "store", 65536, 1, &trapped);
    CHECK(trapped, "reserve %llu: a store past the end traps", (unsigned long long)reserve);
    call(&f, "load", -4, 0, &trapped);
    CHECK(trapped, "reserve %llu: a load at 4 GiB - 4 traps", (unsigned long long)reserve);
    teardown(&f);
}

/* A 1 MiB cap: the memory grows to 16 pages and no further, and says why. */
static void test_growth_stops_at_the_cap(void)
{
    fixture f;
    if (!setup(&f, UINT64_C(1) << 20)) {
        teardown(&f);
        return;
    }
    bool trapped;
    CHECK(call(&f, "grow", 15, 0, &trapped) == 1, "grow to 16 pages within the cap");
    CHECK(f.diagnostics == 0, "no diagnostic within the cap");
    call(&f, "store", 16 * 65536 - 4, 7, &trapped);
    CHECK(!trapped, "store at the end of the grown memory");
    call(&f, "load", 16 * 65536 - 2, 0, &trapped);
    CHECK(trapped, "a load across the grown memory's end traps");
    CHECK(call(&f, "grow", 1, 0, &trapped) == -1, "grow past the cap fails");
    const char *d = kite_store_last_diagnostic(f.store);
    CHECK(f.diagnostics == 1 && d && strstr(d, "kite_config_set_memory_reserve"),
          "the diagnostic names the cap: %s", d ? d : "none");
    teardown(&f);
}

int main(void)
{
    test_bounds(0);                                  /* the default: guarded */
    test_bounds(UINT64_C(4) << 30);                  /* bounds checks, 4 GiB */
    test_bounds((UINT64_C(8) << 30) + (64 << 10) - 1); /* just below the guarded layout */
    test_growth_stops_at_the_cap();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
