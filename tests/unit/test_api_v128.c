/*
 * v128 values through the public API, byte for byte: host functions with
 * v128 params and results (called directly, through a table and through
 * call_ref, next to other kinds so slot offsets matter), kite_func_call,
 * host and Wasm globals, GC struct and array fields made and read on both
 * sides, and exception payloads that reach the host. The bytes used
 * include NaN patterns in every float lane position, which must not be
 * touched on the way.
 */
#include <string.h>

#include "check.h"
#include "kite.h"

static const char *const wat =
    "(module\n"
    "  (type $hs (func (param i32 v128 f64 v128) (result v128 i32 v128)))\n"
    "  (type $pair (struct (field (mut v128)) (field i32) (field v128)))\n"
    "  (type $vec (array (mut v128)))\n"
    "  (import \"host\" \"mix\" (func $mix (type $hs)))\n"
    "  (import \"host\" \"g\" (global $hg (mut v128)))\n"
    "  (tag $e (param v128 i32))\n"
    "  (table $t 1 funcref)\n"
    "  (elem (table $t) (i32.const 0) func $mix)\n"
    "  (global $wg (export \"wg\") (mut v128) (v128.const i64x2 0x1111111111111111 0x2222222222222222))\n"
    "  (func (export \"direct\") (param v128 v128) (result v128 i32 v128)\n"
    "    (call $mix (i32.const 3) (local.get 0) (f64.const 0.5) (local.get 1)))\n"
    "  (func (export \"indirect\") (param v128 v128) (result v128 i32 v128)\n"
    "    (call_indirect $t (type $hs) (i32.const 4) (local.get 0) (f64.const 0.5) (local.get 1) (i32.const 0)))\n"
    "  (func (export \"by_ref\") (param v128 v128) (result v128 i32 v128)\n"
    "    (call_ref $hs (i32.const 5) (local.get 0) (f64.const 0.5) (local.get 1) (ref.func $mix)))\n"
    "  (func (export \"host_global\") (param v128) (result v128)\n"
    "    (global.get $hg) (global.set $hg (local.get 0)))\n"
    "  (func (export \"make_pair\") (param v128 v128) (result (ref $pair))\n"
    "    (struct.new $pair (local.get 0) (i32.const 42) (local.get 1)))\n"
    "  (func (export \"pair_a\") (param (ref $pair)) (result v128) (struct.get $pair 0 (local.get 0)))\n"
    "  (func (export \"pair_b\") (param (ref $pair)) (result v128) (struct.get $pair 2 (local.get 0)))\n"
    "  (func (export \"vec_at\") (param (ref $vec) i32) (result v128)\n"
    "    (array.get $vec (local.get 0) (local.get 1)))\n"
    "  (func (export \"throw\") (param v128) (throw $e (local.get 0) (i32.const -7)))\n"
    ")\n";

static const uint8_t A[16] = {0x01, 0x00, 0xC0, 0x7F, 0x01, 0x00, 0x80, 0x7F,
                              0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x80};
static const uint8_t B[16] = {0x45, 0x23, 0x01, 0x00, 0x00, 0x00, 0xF4, 0x7F,
                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xFF};

static kite_val_t v128(const uint8_t *bytes)
{
    kite_val_t v = {.kind = KITE_V128};
    memcpy(v.of.v128, bytes, 16);
    return v;
}

static bool is_v128(const kite_val_t *v, const uint8_t *bytes)
{
    return v->kind == KITE_V128 && memcmp(v->of.v128, bytes, 16) == 0;
}

static int host_calls;

/* mix(n, x, d, y) = (y, n + (d == 0.5), x): v128s swapped around the scalars. */
static kite_trap_t *host_mix(void *env, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    (void)env, (void)caller;
    host_calls++;
    CHECK(args[0].kind == KITE_I32 && args[1].kind == KITE_V128 && args[2].kind == KITE_F64 &&
              args[3].kind == KITE_V128,
          "host param kinds");
    double d;
    memcpy(&d, &args[2].of.f64_bits, sizeof d);
    results[0] = args[3];
    results[1] = (kite_val_t){.kind = KITE_I32, .of.i32 = args[0].of.i32 + (d == 0.5)};
    results[2] = args[1];
    return NULL;
}

typedef struct fixture {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *inst;
    kite_global_t *hg;
    kite_func_t *mix;
} fixture;

static kite_func_t *export_func(fixture *f, const char *name)
{
    kite_extern_t ext;
    bool ok = kite_instance_export(f->inst, name, strlen(name), &ext) && ext.kind == KITE_EXTERN_FUNC;
    CHECK(ok, "export %s", name);
    return ok ? ext.of.func : NULL;
}

static bool call(fixture *f, const char *name, const kite_val_t *args, size_t nargs, kite_val_t *results,
                 size_t nresults)
{
    kite_func_t *fn = export_func(f, name);
    if (!fn)
        return false;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(f->store, fn, args, nargs, results, nresults, &trap);
    CHECK(!err && !trap, "call %s: %s", name, err ? kite_error_message(err) : trap ? kite_trap_message(trap) : "");
    bool ok = !err && !trap;
    kite_error_free(err);
    kite_trap_free(trap);
    return ok;
}

static bool setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->engine = kite_engine_new(NULL);
    kite_error_t *err = kite_module_new_text(f->engine, wat, strlen(wat), &f->module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    if (err) {
        kite_error_free(err);
        return false;
    }
    f->store = kite_store_new(f->engine);
    kite_valtype_t i32 = {KITE_I32, false, 0}, f64 = {KITE_F64, false, 0}, vt = {KITE_V128, false, 0};
    kite_valtype_t params[4] = {i32, vt, f64, vt}, results[3] = {vt, i32, vt};
    err = kite_func_new_host(f->store, params, 4, results, 3, host_mix, NULL, NULL, &f->mix);
    CHECK(!err, "host function");
    kite_error_free(err);
    kite_val_t init = v128(B);
    err = kite_global_new(f->store, vt, true, &init, &f->hg);
    CHECK(!err, "host v128 global");
    kite_error_free(err);
    kite_extern_t imports[2] = {{.kind = KITE_EXTERN_FUNC, .of.func = f->mix},
                                {.kind = KITE_EXTERN_GLOBAL, .of.global = f->hg}};
    kite_trap_t *trap = NULL;
    err = kite_instance_new(f->store, f->module, imports, 2, &f->inst, &trap);
    CHECK(!err && !trap, "instantiate: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    kite_trap_free(trap);
    return f->inst != NULL;
}

static void test_host_calls(fixture *f)
{
    static const char *const names[] = {"direct", "indirect", "by_ref"};
    for (int i = 0; i < 3; i++) {
        kite_val_t args[2] = {v128(A), v128(B)}, res[3];
        int before = host_calls;
        if (!call(f, names[i], args, 2, res, 3))
            continue;
        CHECK(host_calls == before + 1, "%s reached the host", names[i]);
        CHECK(is_v128(&res[0], B) && res[1].kind == KITE_I32 && res[1].of.i32 == 4 + i && is_v128(&res[2], A),
              "%s: v128 results through the host", names[i]);
    }
    /* The host function itself, called by the host. */
    kite_val_t args[4] = {{.kind = KITE_I32, .of.i32 = 9}, v128(A), {.kind = KITE_F64}, v128(B)}, res[3];
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(f->store, f->mix, args, 4, res, 3, &trap);
    CHECK(!err && !trap && is_v128(&res[0], B) && res[1].of.i32 == 9 && is_v128(&res[2], A),
          "host function called by the host");
    kite_error_free(err);
    kite_trap_free(trap);
    args[1] = args[0];
    err = kite_func_call(f->store, f->mix, args, 4, res, 3, &trap);
    CHECK(err != NULL, "an i32 for a v128 parameter is refused");
    kite_error_free(err);
    kite_trap_free(trap);
}

static void test_globals(fixture *f)
{
    kite_val_t arg = v128(A), res;
    if (call(f, "host_global", &arg, 1, &res, 1))
        CHECK(is_v128(&res, B), "Wasm reads the host's v128 global");
    kite_val_t now = kite_global_get(f->hg);
    CHECK(is_v128(&now, A), "the host sees Wasm's global.set");
    kite_val_t back = v128(B);
    kite_error_t *err = kite_global_set(f->hg, &back);
    CHECK(!err, "host sets a v128 global");
    kite_error_free(err);
    kite_val_t wrong = {.kind = KITE_I32, .of.i32 = 1};
    err = kite_global_set(f->hg, &wrong);
    CHECK(err != NULL, "an i32 for a v128 global is refused");
    kite_error_free(err);
    kite_extern_t ext;
    if (kite_instance_export(f->inst, "wg", 2, &ext) && ext.kind == KITE_EXTERN_GLOBAL) {
        kite_val_t g = kite_global_get(ext.of.global);
        uint8_t want[16];
        memset(want, 0x11, 8);
        memset(want + 8, 0x22, 8);
        CHECK(is_v128(&g, want), "exported v128 global from its initializer");
    } else {
        CHECK(0, "export wg");
    }
}

static void test_gc_fields(fixture *f)
{
    /* Made by Wasm, read by the host. */
    kite_val_t args[2] = {v128(A), v128(B)}, res[1];
    if (call(f, "make_pair", args, 2, res, 1)) {
        kite_val_t got;
        kite_error_t *err = kite_struct_get(f->store, res[0].of.ref, 0, &got);
        CHECK(!err && is_v128(&got, A), "host reads a v128 field");
        kite_error_free(err);
        err = kite_struct_get(f->store, res[0].of.ref, 2, &got);
        CHECK(!err && is_v128(&got, B), "host reads the v128 field after an i32");
        kite_error_free(err);
        kite_val_t setv = v128(B);
        err = kite_struct_set(f->store, res[0].of.ref, 0, &setv);
        CHECK(!err, "host writes a v128 field");
        kite_error_free(err);
        kite_val_t r;
        if (call(f, "pair_a", res, 1, &r, 1))
            CHECK(is_v128(&r, B), "Wasm reads the host's write");
    }
    /* Made by the host, read by Wasm. */
    kite_val_t fields[3] = {v128(B), {.kind = KITE_I32, .of.i32 = 1}, v128(A)};
    kite_ref_t s;
    kite_error_t *err = kite_struct_new(f->store, f->module, 1, fields, 3, &s);
    CHECK(!err, "host makes a struct with v128 fields");
    kite_error_free(err);
    if (!err) {
        kite_val_t arg = {.kind = KITE_REF, .of.ref = s}, r;
        if (call(f, "pair_b", &arg, 1, &r, 1))
            CHECK(is_v128(&r, A), "Wasm reads a host-made v128 field");
    }
    kite_val_t init = v128(A);
    kite_ref_t arr;
    err = kite_array_new(f->store, f->module, 2, 5, &init, &arr);
    CHECK(!err, "host makes an array of v128");
    kite_error_free(err);
    if (!err) {
        kite_val_t setv = v128(B);
        err = kite_array_set(f->store, arr, 3, &setv);
        CHECK(!err, "host sets a v128 element");
        kite_error_free(err);
        kite_val_t got;
        err = kite_array_get(f->store, arr, 3, &got);
        CHECK(!err && is_v128(&got, B), "host reads a v128 element");
        kite_error_free(err);
        kite_val_t a2[2] = {{.kind = KITE_REF, .of.ref = arr}, {.kind = KITE_I32, .of.i32 = 3}}, r;
        if (call(f, "vec_at", a2, 2, &r, 1))
            CHECK(is_v128(&r, B), "Wasm reads the host's v128 element");
        a2[1].of.i32 = 4;
        if (call(f, "vec_at", a2, 2, &r, 1))
            CHECK(is_v128(&r, A), "Wasm reads the initial v128 element");
    }
}

static void test_exception(fixture *f)
{
    kite_func_t *fn = export_func(f, "throw");
    if (!fn)
        return;
    kite_val_t arg = v128(B);
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(f->store, fn, &arg, 1, NULL, 0, &trap);
    CHECK(!err && trap, "the exception reaches the host");
    kite_error_free(err);
    if (trap) {
        kite_val_t vals[4];
        size_t n = kite_trap_exception_values(trap, vals, 4);
        CHECK(n == 2 && is_v128(&vals[0], B) && vals[1].kind == KITE_I32 && vals[1].of.i32 == -7,
              "the v128 payload reaches the host (%zu values)", n);
        kite_trap_free(trap);
    }
}

int main(void)
{
    fixture f;
    if (setup(&f)) {
        test_host_calls(&f);
        test_globals(&f);
        test_gc_fields(&f);
        test_exception(&f);
    }
    kite_store_free(f.store);
    kite_module_free(f.module);
    kite_engine_free(f.engine);
    printf("api v128: %d failures\n", g_failures);
    return g_failures != 0;
}
