/*
 * Execution tests of the interpreter through the public API, shared by
 * test_interp_exec.c (the normal build) and test_interpswitch_exec.c (the
 * executor built with switch dispatch). The includer defines main() and
 * calls run_exec_cases(), which returns the number of failures.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

static void check(int ok, const char *what) { CHECK(ok, "%s", what); }

typedef struct env {
    kite_engine_t *engine;
    kite_store_t *store;
    kite_module_t *module;
    kite_instance_t *inst;
} env;

static bool load(env *e, const char *wat, const kite_extern_t *imports, size_t nimports)
{
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_module_new_text(e->engine, wat, strlen(wat), &e->module);
    if (err) {
        printf("module error: %s\n", kite_error_message(err));
        kite_error_free(err);
        g_failures++;
        return false;
    }
    err = kite_instance_new(e->store, e->module, imports, nimports, &e->inst, &trap);
    if (err || trap) {
        printf("instantiate: %s\n", err ? kite_error_message(err) : kite_trap_message(trap));
        kite_error_free(err);
        kite_trap_free(trap);
        g_failures++;
        return false;
    }
    return true;
}

static void unload(env *e)
{
    kite_module_free(e->module);
    e->module = NULL;
    e->inst = NULL;
}

static kite_func_t *export_func(env *e, const char *name)
{
    kite_extern_t ex;
    if (!kite_instance_export(e->inst, name, strlen(name), &ex) || ex.kind != KITE_EXTERN_FUNC)
        return NULL;
    return ex.of.func;
}

static kite_val_t i32(int32_t v)
{
    kite_val_t x;
    x.kind = KITE_I32;
    x.of.i32 = v;
    return x;
}

static kite_val_t i64(int64_t v)
{
    kite_val_t x;
    x.kind = KITE_I64;
    x.of.i64 = v;
    return x;
}

/* Calls `name`; on success the results are in res and NULL is returned. */
static kite_trap_t *call(env *e, const char *name, const kite_val_t *args, size_t nargs, kite_val_t *res,
                         size_t nres)
{
    kite_func_t *f = export_func(e, name);
    if (!f) {
        printf("no export %s\n", name);
        g_failures++;
        return NULL;
    }
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(e->store, f, args, nargs, res, nres, &trap);
    if (err) {
        printf("call %s: %s\n", name, kite_error_message(err));
        kite_error_free(err);
        g_failures++;
    }
    return trap;
}

/* Expects `name`(args) to return one integer result (i32 or i64). */
static void expect_int(env *e, const char *name, const kite_val_t *args, size_t nargs, int64_t want)
{
    kite_val_t r[1];
    memset(r, 0, sizeof(r));
    kite_trap_t *trap = call(e, name, args, nargs, r, 1);
    char what[160];
    if (trap) {
        snprintf(what, sizeof what, "%s: unexpected trap \"%s\"", name, kite_trap_message(trap));
        check(0, what);
        kite_trap_free(trap);
        return;
    }
    int64_t got = r[0].kind == KITE_I32 ? r[0].of.i32 : r[0].of.i64;
    snprintf(what, sizeof what, "%s: got %" PRId64 ", want %" PRId64, name, got, want);
    check(got == want, what);
}

/* Expects `name`(args) to trap with `message`. */
static void expect_trap(env *e, const char *name, const kite_val_t *args, size_t nargs, size_t nres,
                        const char *message)
{
    kite_val_t r[4];
    kite_trap_t *trap = call(e, name, args, nargs, r, nres);
    char what[200];
    snprintf(what, sizeof what, "%s: want trap \"%s\", got \"%s\"", name, message,
             trap ? kite_trap_message(trap) : "no trap");
    check(trap && strncmp(kite_trap_message(trap), message, strlen(message)) == 0, what);
    kite_trap_free(trap);
}

/* ---- cases ----------------------------------------------------------------------------- */

static void test_arith_control(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    const char *wat =
        "(module"
        " (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))"
        " (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
        " (func (export \"sum\") (param i32) (result i32) (local i32)"
        "   (block (loop (br_if 1 (i32.eqz (local.get 0)))"
        "     (local.set 1 (i32.add (local.get 1) (local.get 0)))"
        "     (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0))) (local.get 1))"
        " (func (export \"table\") (param i32) (result i32)"
        "   (block (block (block (block (br_table 0 1 2 3 (local.get 0)))"
        "     (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))"
        " (func (export \"tableval\") (param i32) (result i32)"
        "   (block (result i32) (block (result i32) (br_table 0 1 (i32.const 7) (local.get 0)))"
        "     (i32.add (i32.const 100))))"
        /* multi-value blocks and if with parameters */
        " (func (export \"multi\") (param i32) (result i32)"
        "   (i32.const 3) (i32.const 4)"
        "   (block (param i32 i32) (result i32 i32) (br_if 0 (local.get 0)) (i32.add) (i32.const 1))"
        "   (i32.sub))"
        " (func (export \"ifparam\") (param i32) (result i32)"
        "   (i32.const 5) (local.get 0)"
        "   (if (param i32) (result i32) (then (i32.const 2) (i32.mul)) (else (i32.const 3) (i32.add))))"
        /* local.get stays pending: a later local.set must not change it */
        " (func (export \"pending\") (param i32) (result i32)"
        "   (local.get 0) (local.set 0 (i32.const 100)) (local.get 0) (i32.sub))"
        " (func (export \"tee\") (param i32) (result i32) (local i32)"
        "   (i32.add (local.tee 1 (i32.mul (local.get 0) (i32.const 3))) (local.get 1)))"
        " (func (export \"swap\") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))"
        " (func (export \"swapped\") (result i32)"
        "   (call 9 (i32.const 1) (i32.const 2)) (i32.sub))"
        " (func (export \"select\") (param i32) (result i32)"
        "   (select (i32.const 10) (i32.const 20) (local.get 0)))"
        " (func (export \"wide\") (param i64 i64) (result i64)"
        "   (i64.mul_wide_u (local.get 0) (local.get 1)) (i64.add))"
        " (func (export \"fcmp\") (param f64) (result i32)"
        "   (if (result i32) (f64.gt (local.get 0) (f64.const 4)) (then (i32.const 1)) (else (i32.const 0))))"
        " (func (export \"cvt\") (param i32) (result i32)"
        "   (i32.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get 0)) (f64.const 1.5))))"
        " (func (export \"nan\") (result i32) (i32.trunc_f32_s (f32.const nan)))"
        ")";
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_val_t a[2] = {i32(20), i32(22)};
    expect_int(&e, "add", a, 2, 42);
    a[0] = i32(-7);
    a[1] = i32(2);
    expect_int(&e, "div", a, 2, -3);
    a[1] = i32(0);
    expect_trap(&e, "div", a, 2, 1, "integer divide by zero");
    a[0] = i32(INT32_MIN);
    a[1] = i32(-1);
    expect_trap(&e, "div", a, 2, 1, "integer overflow");
    a[0] = i32(100);
    expect_int(&e, "sum", a, 1, 5050);
    for (int i = 0; i < 6; i++) {
        a[0] = i32(i);
        expect_int(&e, "table", a, 1, i < 4 ? 10 + i : 13);
    }
    a[0] = i32(0);
    expect_int(&e, "tableval", a, 1, 107);
    a[0] = i32(5);
    expect_int(&e, "tableval", a, 1, 7);
    a[0] = i32(0);
    expect_int(&e, "multi", a, 1, 6);
    a[0] = i32(1);
    expect_int(&e, "multi", a, 1, -1);
    expect_int(&e, "ifparam", a, 1, 10);
    a[0] = i32(0);
    expect_int(&e, "ifparam", a, 1, 8);
    a[0] = i32(7);
    expect_int(&e, "pending", a, 1, -93);
    expect_int(&e, "tee", a, 1, 42);
    expect_int(&e, "swapped", NULL, 0, 1);
    a[0] = i32(1);
    expect_int(&e, "select", a, 1, 10);
    a[0] = i32(0);
    expect_int(&e, "select", a, 1, 20);
    kite_val_t w[2] = {i64(-1), i64(2)};
    /* (2^64-1) * 2 = 2^65 - 2: lo = -2, hi = 1 */
    expect_int(&e, "wide", w, 2, -1);
    kite_val_t f[1];
    f[0].kind = KITE_F64;
    double x = 4.5;
    memcpy(&f[0].of.f64_bits, &x, 8);
    expect_int(&e, "fcmp", f, 1, 1);
    x = 4.0;
    memcpy(&f[0].of.f64_bits, &x, 8);
    expect_int(&e, "fcmp", f, 1, 0);
    a[0] = i32(-5);
    expect_int(&e, "cvt", a, 1, -7);
    expect_trap(&e, "nan", NULL, 0, 1, "invalid conversion to integer");
out:
    unload(&e);
    kite_store_free(e.store);
}

static void test_calls(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    const char *wat =
        "(module"
        " (type $ii (func (param i32) (result i32)))"
        " (type $v (func))"
        " (table 4 funcref) (elem (i32.const 0) $fib $inc $nop)"
        " (func $fib (export \"fib\") (type $ii)"
        "   (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))"
        "     (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))"
        "                    (call $fib (i32.sub (local.get 0) (i32.const 2)))))))"
        " (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))"
        " (func $nop (type $v))"
        " (func $deep (export \"deep\") (param i32) (result i32)"
        "   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))"
        "     (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))"
        " (func $count (export \"count\") (param i32 i32) (result i32)"
        "   (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))"
        "     (else (return_call $count (i32.sub (local.get 0) (i32.const 1))"
        "                               (i32.add (local.get 1) (i32.const 2))))))"
        " (func $tcind (export \"tcind\") (param i32) (result i32)"
        "   (return_call_indirect (type $ii) (i32.const 41) (local.get 0)))"
        " (func (export \"ind\") (param i32 i32) (result i32)"
        "   (call_indirect (type $ii) (local.get 1) (local.get 0)))"
        " (func (export \"ref\") (param i32) (result i32)"
        "   (call_ref $ii (local.get 0) (ref.func $inc)))"
        " (func (export \"nullref\") (result i32)"
        "   (call_ref $ii (i32.const 0) (ref.null $ii)))"
        ")";
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_val_t a[2] = {i32(25), i32(0)};
    expect_int(&e, "fib", a, 1, 75025);
    a[0] = i32(1000);
    expect_int(&e, "deep", a, 1, 1000);
    a[0] = i32(10000000);
    expect_trap(&e, "deep", a, 1, 1, "call stack exhausted");
    /* The store still works after exhausting the stack. */
    a[0] = i32(20);
    expect_int(&e, "fib", a, 1, 6765);
    /* Tail calls run in constant space. */
    a[0] = i32(1000000);
    a[1] = i32(0);
    expect_int(&e, "count", a, 2, 2000000);
    a[0] = i32(1);
    expect_int(&e, "tcind", a, 1, 42);
    a[0] = i32(0);
    a[1] = i32(10);
    expect_int(&e, "ind", a, 2, 55);
    a[0] = i32(2);
    expect_trap(&e, "ind", a, 2, 1, "indirect call type mismatch");
    a[0] = i32(3);
    expect_trap(&e, "ind", a, 2, 1, "uninitialized element");
    a[0] = i32(4);
    expect_trap(&e, "ind", a, 2, 1, "undefined element");
    a[0] = i32(9);
    expect_int(&e, "ref", a, 1, 10);
    expect_trap(&e, "nullref", NULL, 0, 1, "null function reference");
out:
    unload(&e);
    kite_store_free(e.store);
}

static void test_memory(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    const char *wat =
        "(module"
        " (memory 1)"
        " (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))"
        " (func (export \"load\") (param i32) (result i32) (i32.load offset=4 (local.get 0)))"
        " (func (export \"load8\") (param i32) (result i32) (i32.load8_s (local.get 0)))"
        " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
        " (func (export \"size\") (result i32) (memory.size))"
        " (func (export \"fill\") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))"
        " (func (export \"aload\") (param i32) (result i32) (i32.atomic.load (local.get 0)))"
        " (func (export \"wait\") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))"
        ")";
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_val_t a[3] = {i32(8), i32(-2), i32(0)};
    check(call(&e, "store", a, 2, NULL, 0) == NULL, "store");
    a[0] = i32(4);
    expect_int(&e, "load", a, 1, -2);
    a[0] = i32(8);
    expect_int(&e, "load8", a, 1, -2);
    a[0] = i32(65532);
    expect_trap(&e, "load", a, 1, 1, "out of bounds memory access");
    a[0] = i32(-1);
    expect_trap(&e, "load8", a, 1, 1, "out of bounds memory access");
    a[0] = i32(1);
    expect_int(&e, "grow", a, 1, 1);
    expect_int(&e, "size", NULL, 0, 2);
    a[0] = i32(65532);
    expect_int(&e, "load", a, 1, 0);
    a[0] = i32(70000);
    expect_int(&e, "grow", a, 1, -1);
    a[0] = i32(131000);
    a[1] = i32(1);
    a[2] = i32(1000);
    expect_trap(&e, "fill", a, 3, 0, "out of bounds memory access");
    a[0] = i32(2);
    expect_trap(&e, "aload", a, 1, 1, "unaligned atomic");
    expect_trap(&e, "wait", NULL, 0, 1, "expected shared memory");
    unload(&e);

    /* memory64: explicit bounds checks. */
    const char *wat64 =
        "(module (memory i64 1)"
        " (func (export \"load\") (param i64) (result i32) (i32.load (local.get 0)))"
        " (func (export \"store\") (param i64 i32) (i32.store offset=2 (local.get 0) (local.get 1))))";
    if (!load(&e, wat64, NULL, 0))
        goto out;
    kite_val_t b[2] = {i64(100), i32(77)};
    check(call(&e, "store", b, 2, NULL, 0) == NULL, "store64");
    b[0] = i64(102);
    expect_int(&e, "load", b, 1, 77);
    b[0] = i64(65533);
    expect_trap(&e, "load", b, 1, 1, "out of bounds memory access");
    b[0] = i64(-2);
    expect_trap(&e, "load", b, 1, 1, "out of bounds memory access");
out:
    unload(&e);
    kite_store_free(e.store);
}

static void test_exceptions(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    const char *wat =
        "(module"
        " (tag $e (param i32)) (tag $f)"
        " (func $thrower (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))"
        " (func (export \"catch\") (param i32) (result i32)"
        "   (block $h (result i32)"
        "     (try_table (catch $e $h) (call $thrower (local.get 0)))"
        "     (i32.const -1)))"
        " (func (export \"catchref\") (param i32) (result i32)"
        "   (block $h (result i32 exnref)"
        "     (try_table (catch_ref $e $h) (call $thrower (local.get 0)))"
        "     (return (i32.const -1)))"
        "   (drop))"
        " (func (export \"rethrow\") (param i32) (result i32)"
        "   (block $outer (result i32)"
        "     (try_table (catch $e $outer)"
        "       (block $h (result exnref)"
        "         (try_table (catch_all_ref $h) (call $thrower (local.get 0)))"
        "         (return (i32.const -1)))"
        "       (throw_ref))"
        "     (i32.const -2)))"
        " (func (export \"uncaught\") (param i32) (call $thrower (local.get 0)))"
        " (func (export \"legacy\") (param i32) (result i32)"
        "   (try (result i32) (do (call $thrower (local.get 0)) (i32.const 0))"
        "     (catch $f (i32.const 1))"
        "     (catch $e (i32.const 100) (i32.add))))"
        " (func (export \"legacy_rethrow\") (param i32) (result i32)"
        "   (try (result i32) (do"
        "       (try (result i32) (do (call $thrower (local.get 0)) (i32.const 0))"
        "         (catch_all (rethrow 0))))"
        "     (catch $e (i32.const 1000) (i32.add))))"
        " (func (export \"delegate\") (param i32) (result i32)"
        "   (try $l (result i32) (do"
        "       (try (result i32) (do"
        "           (try (result i32) (do (call $thrower (local.get 0)) (i32.const 0)) (delegate $l)))"
        "         (catch $e (i32.const -100) (drop))))"
        "     (catch $e (i32.const 7) (i32.add))))"
        ")";
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_val_t a[1] = {i32(5)};
    expect_int(&e, "catch", a, 1, 5);
    expect_int(&e, "catchref", a, 1, 5);
    expect_int(&e, "rethrow", a, 1, 5);
    expect_int(&e, "legacy", a, 1, 105);
    expect_int(&e, "legacy_rethrow", a, 1, 1005);
    expect_int(&e, "delegate", a, 1, 12);
    a[0] = i32(0);
    expect_int(&e, "catch", a, 1, -1);
    expect_int(&e, "rethrow", a, 1, -1);
    expect_int(&e, "legacy", a, 1, 0);
    a[0] = i32(9);
    kite_trap_t *trap = call(&e, "uncaught", a, 1, NULL, 0);
    check(trap && kite_trap_kind(trap) == KITE_TRAP_EXCEPTION, "uncaught exception is a trap");
    if (trap) {
        kite_val_t v[2];
        check(kite_trap_exception_values(trap, v, 2) == 1 && v[0].of.i32 == 9, "exception payload");
        kite_trap_free(trap);
    }
out:
    unload(&e);
    kite_store_free(e.store);
}

/* Host functions: a callback into Wasm, a host trap, an exception through the host. */
static env *g_host_env;

static kite_trap_t *host_double(void *envp, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    (void)envp;
    (void)caller;
    if (args[0].of.i32 < 0)
        return kite_trap_new(kite_caller_store(caller), "negative");
    if (args[0].of.i32 == 0)
        return NULL; /* result stays 0 */
    /* Re-enter Wasm: results[0] = 2 * back(args[0] - 1) + 2 */
    kite_val_t a = i32(args[0].of.i32 - 1), r;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(g_host_env->store, export_func(g_host_env, "back"), &a, 1, &r, 1, &trap);
    if (err) {
        kite_error_free(err);
        return kite_trap_new(kite_caller_store(caller), "call failed");
    }
    if (trap)
        return trap;
    results[0] = i32(r.of.i32 + 2);
    return NULL;
}

static void test_host(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    kite_valtype_t t32 = {KITE_I32, false, 0};
    kite_func_t *hf = NULL;
    kite_error_t *err = kite_func_new_host(e.store, &t32, 1, &t32, 1, host_double, NULL, NULL, &hf);
    check(err == NULL, "host function");
    if (err) {
        kite_error_free(err);
        kite_store_free(e.store);
        return;
    }
    const char *wat =
        "(module (import \"h\" \"f\" (func $h (param i32) (result i32)))"
        " (tag $e (param i32))"
        " (func (export \"back\") (param i32) (result i32)"
        "   (if (i32.eq (local.get 0) (i32.const 77)) (then (throw $e (i32.const 3))))"
        "   (call $h (local.get 0)))"
        " (func (export \"start\") (param i32) (result i32) (call $h (local.get 0)))"
        " (func (export \"tail\") (param i32) (result i32) (return_call $h (local.get 0)))"
        " (func (export \"catch\") (param i32) (result i32)"
        "   (block $k (result i32) (try_table (catch $e $k) (return (call $h (local.get 0))))"
        "     (unreachable))))";
    kite_extern_t imp;
    imp.kind = KITE_EXTERN_FUNC;
    imp.of.func = hf;
    if (!load(&e, wat, &imp, 1))
        goto out;
    g_host_env = &e;
    kite_val_t a[1] = {i32(10)};
    expect_int(&e, "start", a, 1, 20);
    expect_int(&e, "tail", a, 1, 20);
    a[0] = i32(-1);
    expect_trap(&e, "start", a, 1, 1, "negative");
    /* The exception thrown by Wasm under the host comes back out and is caught. */
    a[0] = i32(78);
    expect_int(&e, "catch", a, 1, 3);
out:
    unload(&e);
    kite_store_free(e.store);
}

static void test_fuel_and_traps(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    const char *wat =
        "(module"
        " (func (export \"spin\") (loop (br 0)))"
        " (func (export \"spin_table\") (loop (br_table 0 0 (i32.const 0))))"
        " (func (export \"one\") (result i32) (i32.const 1))"
        " (func $in (unreachable))"
        " (func (export \"outer\") (nop) (call $in))"
        " (func (export \"simd\") (param i32) (result i32)"
        "   (if (local.get 0) (then (drop (i32x4.splat (i32.const 1))))) (i32.const 5))"
        " (func (export \"v128\") (param v128) (result v128) (local v128) (local.set 1 (local.get 0)) (local.get 1))"
        " (func (export \"nonnull\") (param funcref) (result i32)"
        "   (block $n (br_on_null $n (local.get 0)) (drop) (return (i32.const 1))) (i32.const 0))"
        " (func (export \"asnonnull\") (param externref) (result i32) (ref.is_null (ref.as_non_null (local.get 0))))"
        ")";
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_store_set_fuel(e.store, 100000);
    expect_trap(&e, "spin", NULL, 0, 0, "all fuel consumed");
    kite_store_set_fuel(e.store, 100000);
    expect_trap(&e, "spin_table", NULL, 0, 0, "all fuel consumed");
    kite_store_set_fuel(e.store, 100);
    expect_int(&e, "one", NULL, 0, 1);
    check(kite_store_fuel(e.store) < 100, "fuel was consumed");
    kite_store_set_fuel(e.store, 0);
    kite_trap_t *trap = call(&e, "outer", NULL, 0, NULL, 0);
    check(trap && kite_trap_frame_count(trap) == 2, "backtrace has two frames");
    if (trap && kite_trap_frame_count(trap) == 2) {
        check(kite_trap_frame(trap, 0).func_index == 3 && kite_trap_frame(trap, 1).func_index == 4,
              "backtrace function indices");
        check(kite_trap_frame(trap, 0).code_offset != 0, "backtrace offset");
    }
    kite_trap_free(trap);
    kite_val_t a[1] = {i32(0)};
    expect_int(&e, "simd", a, 1, 5);
    a[0] = i32(1);
    expect_int(&e, "simd", a, 1, 5);
    kite_val_t v[1], r[1];
    v[0].kind = KITE_V128;
    for (int i = 0; i < 16; i++)
        v[0].of.v128[i] = (uint8_t)(i * 7);
    trap = call(&e, "v128", v, 1, r, 1);
    check(!trap && r[0].kind == KITE_V128 && memcmp(r[0].of.v128, v[0].of.v128, 16) == 0, "v128 passes through");
    kite_trap_free(trap);
    v[0].kind = KITE_REF;
    v[0].of.ref = KITE_REF_NULL;
    expect_int(&e, "nonnull", v, 1, 0);
    expect_trap(&e, "asnonnull", v, 1, 1, "null reference");
out:
    unload(&e);
    kite_store_free(e.store);
}

/* The translator's fused forms: immediates, address arithmetic, float chains. */
static void test_fusions(kite_engine_t *engine)
{
    env e = {engine, kite_store_new(engine), NULL, NULL};
    char *wat = malloc(16384);
    size_t n = (size_t)sprintf(wat,
        "(module (memory 1)"
        " (func (export \"imm\") (param i32 i64) (result i64)"
        "   (i64.add (i64.extend_i32_u (i32.sub (i32.shl (local.get 0) (i32.const 33)) (i32.const 3)))"
        "            (i64.sub (i64.shr_s (local.get 1) (i64.const 65)) (i64.const -2147483648))))"
        " (func (export \"csub\") (param i32) (result i32) (i32.sub (i32.const 5) (local.get 0)))"
        " (func (export \"cmp64\") (param i64) (result i32)"
        "   (block (br_if 0 (i64.lt_s (local.get 0) (i64.const -5))) (return (i32.const 1))) (i32.const 2))"
        " (func (export \"cmpbig\") (param i64) (result i32) (i64.eq (local.get 0) (i64.const 0x100000000)))"
        " (func (export \"mem\") (param i32) (result i32) (local i32)"
        "   (i32.store (i32.add (local.get 0) (i32.const 8)) (i32.const 11))"
        "   (i32.store (i32.add (local.get 0) (local.get 0)) (i32.const 22))"
        "   (i32.store offset=4 (i32.add (i32.const 100) (i32.shl (local.get 0) (i32.const 2))) (i32.const 33))"
        "   (local.set 1 (i32.load (i32.add (local.get 0) (i32.const 8))))"
        "   (local.set 1 (i32.add (local.get 1) (i32.load (i32.add (local.get 0) (local.get 0)))))"
        "   (i32.add (local.get 1) (i32.load offset=4 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 100)))))"
        " (func (export \"wrap\") (result i32) (i32.load8_u (i32.add (i32.const -1) (i32.const 2))))"
        " (func (export \"wrapoob\") (result i32) (i32.load offset=65534 (i32.add (i32.const -1) (i32.const 1))))"
        " (func (export \"fchain\") (param f64 f64) (result i32)"
        "   (i32.trunc_f64_s (f64.add (f64.sub (f64.const 10) (f64.mul (local.get 0) (local.get 1)))"
        "                             (f64.sub (f64.mul (local.get 0) (local.get 1)) (f64.const 1)))))"
        " (func (export \"manyconsts\") (result i32) (i32.const 0)");
    for (int i = 1; i <= 100; i++)
        n += (size_t)sprintf(wat + n, " (i32.add (i32.mul (i32.const %d) (i32.const %d)))", i * 1000, 3);
    n += (size_t)sprintf(wat + n, ")"
        " (func (export \"v128sel\") (param v128 v128 i32) (result v128)"
        "   (select (local.get 0) (local.get 1) (local.get 2))))");
    (void)n;
    if (!load(&e, wat, NULL, 0))
        goto out;
    kite_val_t a[3] = {i32(3), i64(-64)};
    /* (3 << 1) - 3 = 3; (-64 >> 1) + 2^31 = 2147483616 */
    expect_int(&e, "imm", a, 2, 3 + 2147483616LL);
    expect_int(&e, "csub", a, 1, 2);
    a[0] = i64(-6);
    expect_int(&e, "cmp64", a, 1, 2);
    a[0] = i64(-5);
    expect_int(&e, "cmp64", a, 1, 1);
    a[0] = i64(0x100000000LL);
    expect_int(&e, "cmpbig", a, 1, 1);
    a[0] = i64(0);
    expect_int(&e, "cmpbig", a, 1, 0);
    a[0] = i32(40);
    expect_int(&e, "mem", a, 1, 66);
    expect_int(&e, "wrap", NULL, 0, 0);
    expect_trap(&e, "wrapoob", NULL, 0, 1, "out of bounds memory access");
    kite_val_t f[2];
    double x = 2.5, y = 4.0;
    f[0].kind = f[1].kind = KITE_F64;
    memcpy(&f[0].of.f64_bits, &x, 8);
    memcpy(&f[1].of.f64_bits, &y, 8);
    expect_int(&e, "fchain", f, 2, 9);
    int64_t sum = 0;
    for (int i = 1; i <= 100; i++)
        sum += i * 3000;
    expect_int(&e, "manyconsts", NULL, 0, sum);
    kite_val_t v[3], r[1];
    v[0].kind = v[1].kind = KITE_V128;
    memset(v[0].of.v128, 1, 16);
    memset(v[1].of.v128, 2, 16);
    v[2] = i32(0);
    kite_trap_t *trap = call(&e, "v128sel", v, 3, r, 1);
    check(!trap && r[0].of.v128[0] == 2 && r[0].of.v128[15] == 2, "v128 select");
    kite_trap_free(trap);
out:
    free(wat);
    unload(&e);
    kite_store_free(e.store);
}

static int run_exec_cases(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    test_fusions(engine);
    test_arith_control(engine);
    test_calls(engine);
    test_memory(engine);
    test_exceptions(engine);
    test_host(engine);
    test_fuel_and_traps(engine);
    kite_engine_free(engine);
    return g_failures;
}
