/*
 * kite's side of the differential fuzzer (tests/fuzz/diff.mjs): instantiate
 * one module, call every exported function in export order with default
 * arguments, and print a trace that the V8 side (diff_v8.mjs) prints the
 * same way for the same behaviour.
 *
 * The imports are those of binaryen's fuzzer ("fuzzing-support": log-*,
 * throw, call-export*, call-ref*, table-get/set, sleep, wasmtag, jstag) with
 * the semantics a JavaScript host gives them, because V8 is the reference:
 * values cross the boundary as JavaScript would convert them (every number
 * a double, i64 a BigInt, i31 a number, structs and arrays opaque objects),
 * JavaScript errors (a TypeError at the boundary, the "throw" import's
 * Error) are exceptions with the JS tag that Wasm can catch, and traps are
 * not catchable. The host makes the tags; its exceptions are raised by a
 * small helper module (kite's API has host functions return traps only),
 * whose exception a host function returns to rethrow it in its caller.
 *
 * Trace lines (diff.mjs compares them):
 *   instantiate ok | instantiate link-error | instantiate <outcome>
 *   call NAME
 *   log VALUE
 *   result VALUE... | <outcome>
 *   mem NAME PAGES HASH        after each call, for each exported memory
 *   table NAME SIZE V,V,...    after each call: each exported table's first entries
 *   global NAME VALUE          after each call, for each exported global
 * where <outcome> is "trap KIND" (kite's trap message), "exception" (a Wasm
 * exception), "jsthrow VALUE" (an exception with the JS tag, e.g. the
 * TypeError of a signature JavaScript cannot call: i64 or non-nullable
 * parameters, v128 or exnref anywhere) or "limit WHAT" (a host limit: stack,
 * memory; the comparison stops). "unsupported WHAT" ends a run that the
 * execution tier cannot do yet.
 *
 * Usage: kite-diff-exec [--tier=NAME] [--tier-threshold=N] [--gc-stress] [--enable-F|--disable-F]... FILE
 * (.wasm, or .wat by hand). A low --tier-threshold under --tier=auto moves
 * calls and loops from the interpreter to compiled code early: the switch
 * itself (on-stack replacement) is then under test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kite.h"

/* Host references the host makes: JavaScript values as externref. */
enum {
    JS_ERROR = 1,       /* new Error() from the "throw" import */
    JS_TYPE_ERROR = 2,  /* a value JavaScript cannot convert */
    JS_RANGE_ERROR = 3, /* a table index out of bounds in Table.get/set */
    JS_PAYLOAD = 4,     /* { payload: N } for an imported global: N << 8 | JS_PAYLOAD */
};

/* Throws the host's exceptions (made on first use: a tier may not compile
 * throw yet, and most modules never need it). */
static const char helper_wat[] =
    "(module\n"
    "  (import \"h\" \"wasmtag\" (tag $wasm (param i32)))\n"
    "  (import \"h\" \"jstag\" (tag $js (param externref)))\n"
    "  (func (export \"throw-wasm\") (param i32) (throw $wasm (local.get 0)))\n"
    "  (func (export \"throw-js\") (param externref) (throw $js (local.get 0))))\n";

typedef struct harness {
    kite_engine_t *engine;
    kite_store_t *store;
    kite_module_t *helper_module;
    kite_linker_t *helper_linker;
    kite_instance_t *helper, *instance;
    kite_func_t *throw_wasm, *throw_js;
    kite_tag_t *wasmtag, *jstag, *j2wasmtag;
    size_t nexports;
    kite_extern_t *exports;
    kite_export_desc_t *descs;
    int32_t temp_ret0;
} harness;

static harness H;

static void die(const char *what, kite_error_t *err)
{
    printf("harness-error %s: %s\n", what, err ? kite_error_message(err) : "");
    exit(3);
}

/* ---- values as JavaScript sees them ------------------------------------------------ */

static void print_number(double d)
{
    if (d != d) {
        printf("nan");
        return;
    }
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    printf("n:%016" PRIx64, bits);
}

static void print_ref(kite_ref_t ref)
{
    uint32_t v;
    uintptr_t host;
    switch (kite_ref_kind(ref)) {
    case KITE_REFKIND_NULL: printf("null"); return;
    case KITE_REFKIND_FUNC: printf("function"); return;
    case KITE_REFKIND_I31:
        kite_ref_i31_get(ref, true, &v);
        print_number((double)(int32_t)v);
        return;
    case KITE_REFKIND_STRUCT:
    case KITE_REFKIND_ARRAY: printf("object"); return;
    case KITE_REFKIND_EXN: printf("exnref"); return;
    case KITE_REFKIND_HOST:
        kite_ref_host_value(ref, &host);
        switch (host & 0xff) {
        case JS_ERROR: printf("jserror:Error"); return;
        case JS_TYPE_ERROR: printf("jserror:TypeError"); return;
        case JS_RANGE_ERROR: printf("jserror:RangeError"); return;
        case JS_PAYLOAD: printf("externref(%u)", (unsigned)(host >> 8)); return;
        default: printf("host?"); return;
        }
    }
    printf("ref?");
}

static void print_val(const kite_val_t *v)
{
    switch (v->kind) {
    case KITE_I32: print_number((double)v->of.i32); return;
    case KITE_I64: printf("%" PRId64, v->of.i64); return;
    case KITE_F32: {
        float f;
        memcpy(&f, &v->of.f32_bits, sizeof f);
        print_number((double)f);
        return;
    }
    case KITE_F64: {
        double d;
        memcpy(&d, &v->of.f64_bits, sizeof d);
        print_number(d);
        return;
    }
    case KITE_V128: printf("unreadable"); return;
    case KITE_REF: print_ref(v->of.ref); return;
    }
}

/* JavaScript's ToWebAssemblyValue(null) for a parameter: false when it
 * throws a TypeError (i64 wants a BigInt, v128 and exnref never cross,
 * a non-nullable reference cannot be null). */
static bool js_null_arg(kite_valtype_t t, kite_val_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = t.kind;
    switch (t.kind) {
    case KITE_I32:
    case KITE_F32:
    case KITE_F64: return true;
    case KITE_I64:
    case KITE_V128: return false;
    case KITE_REF:
        if (t.heap == KITE_HEAP_EXN || t.heap == KITE_HEAP_NOEXN)
            return false;
        return t.nullable;
    }
    return false;
}

/* Types that can cross to JavaScript: not v128, not exnref. */
static bool js_result_ok(kite_valtype_t t)
{
    if (t.kind == KITE_V128)
        return false;
    return !(t.kind == KITE_REF && (t.heap == KITE_HEAP_EXN || t.heap == KITE_HEAP_NOEXN));
}

/* ---- throwing what JavaScript would throw ---------------------------------------- */

/* An error that says the execution tier cannot run something: not a
 * difference, the driver counts the module as skipped. */
static void unsupported(const char *what, kite_error_t *err)
{
    printf("unsupported %s: %s\n", what, err ? kite_error_message(err) : "");
    fflush(stdout);
    _exit(0);
}

static void make_helper(void)
{
    kite_error_t *err =
        kite_module_new_text(H.engine, helper_wat, sizeof helper_wat - 1, &H.helper_module);
    if (err)
        die("helper module", err);
    H.helper_linker = kite_linker_new(H.engine);
    kite_linker_define(H.helper_linker, "h", 1, "wasmtag", 7,
                       (kite_extern_t){.kind = KITE_EXTERN_TAG, .of.tag = H.wasmtag});
    kite_linker_define(H.helper_linker, "h", 1, "jstag", 5,
                       (kite_extern_t){.kind = KITE_EXTERN_TAG, .of.tag = H.jstag});
    kite_trap_t *trap = NULL;
    err = kite_linker_instantiate(H.helper_linker, H.store, H.helper_module, &H.helper, &trap);
    if (err)
        unsupported("helper", err);
    if (trap)
        die("helper trapped", NULL);
    kite_extern_t e;
    kite_instance_export(H.helper, "throw-wasm", 10, &e);
    H.throw_wasm = e.of.func;
    kite_instance_export(H.helper, "throw-js", 8, &e);
    H.throw_js = e.of.func;
}

static kite_trap_t *call_helper(kite_func_t *f, kite_val_t arg)
{
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(H.store, f, &arg, 1, NULL, 0, &trap);
    if (err)
        die("helper call", err);
    return trap;
}

static kite_trap_t *throw_js(uintptr_t what)
{
    if (!H.helper)
        make_helper();
    kite_val_t v = {.kind = KITE_REF};
    kite_error_t *err = kite_ref_new_host(H.store, what, &v.of.ref);
    if (err)
        die("host ref", err);
    return call_helper(H.throw_js, v);
}

static bool is_host_limit(kite_trap_kind_t kind)
{
    return kind == KITE_TRAP_CALL_STACK_EXHAUSTED || kind == KITE_TRAP_OUT_OF_MEMORY ||
           kind == KITE_TRAP_GC_HEAP_EXHAUSTED || kind == KITE_TRAP_ARRAY_TOO_LARGE;
}

/*
 * Call a function as JavaScript's callFunc does (null for every argument).
 * Returns NULL when it returned; otherwise the trap (an exception, a JS
 * exception for a TypeError, or a trap). Results are printed when `print`.
 */
static kite_trap_t *js_call(kite_func_t *f, bool print)
{
    /* Wasm -> host -> Wasm nesting needs no cut here: kite traps "call
     * stack exhausted" before the C stack runs out (the store's
     * c_stack_margin), a host limit like V8's RangeError. */
    size_t np = kite_func_param_count(f), nr = kite_func_result_count(f);
    kite_val_t args[np ? np : 1], results[nr ? nr : 1];
    /* A signature with v128 or exnref cannot be called from JavaScript at all. */
    for (size_t i = 0; i < nr; i++)
        if (!js_result_ok(kite_func_result(f, i)))
            return throw_js(JS_TYPE_ERROR);
    for (size_t i = 0; i < np; i++)
        if (!js_null_arg(kite_func_param(f, i), &args[i]))
            return throw_js(JS_TYPE_ERROR);
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(H.store, f, args, np, results, nr, &trap);
    if (err)
        die("call", err);
    if (trap)
        return trap;
    if (print) {
        printf("result");
        for (size_t i = 0; i < nr; i++) {
            printf(" ");
            print_val(&results[i]);
        }
        printf("\n");
    }
    return NULL;
}

/* ---- the fuzzing-support imports ------------------------------------------------- */

static kite_trap_t *host_log(void *env, kite_caller_t *caller, const kite_val_t *args,
                             kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    printf("log ");
    print_val(&args[0]);
    printf("\n");
    return NULL;
}

static kite_trap_t *host_log_v128(void *env, kite_caller_t *caller, const kite_val_t *args,
                                  kite_val_t *results)
{
    (void)env, (void)caller, (void)args, (void)results;
    return throw_js(JS_TYPE_ERROR);
}

static kite_trap_t *host_throw(void *env, kite_caller_t *caller, const kite_val_t *args,
                               kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    if (args[0].of.i32 == 0)
        return throw_js(JS_ERROR);
    if (!H.helper)
        make_helper();
    return call_helper(H.throw_wasm, args[0]);
}

/* A call from the host that catches exceptions (1) but lets traps through. */
static kite_trap_t *catching(kite_trap_t *trap, kite_val_t *result)
{
    result->kind = KITE_I32;
    result->of.i32 = 0;
    if (trap && kite_trap_kind(trap) == KITE_TRAP_EXCEPTION) {
        kite_trap_free(trap);
        result->of.i32 = 1;
        return NULL;
    }
    return trap;
}

static kite_trap_t *call_export_at(int32_t index)
{
    if (index < 0 || (size_t)index >= H.nexports || H.exports[index].kind != KITE_EXTERN_FUNC)
        return throw_js(JS_TYPE_ERROR);
    return js_call(H.exports[index].of.func, false);
}

static kite_trap_t *call_ref(kite_ref_t ref)
{
    kite_func_t *f = kite_ref_func(ref);
    if (!f)
        return throw_js(JS_TYPE_ERROR);
    return js_call(f, false);
}

static kite_trap_t *host_call_export(void *env, kite_caller_t *caller, const kite_val_t *args,
                                     kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    return call_export_at(args[0].of.i32);
}

static kite_trap_t *host_call_export_catch(void *env, kite_caller_t *caller,
                                           const kite_val_t *args, kite_val_t *results)
{
    (void)env, (void)caller;
    return catching(call_export_at(args[0].of.i32), &results[0]);
}

static kite_trap_t *host_call_ref(void *env, kite_caller_t *caller, const kite_val_t *args,
                                  kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    return call_ref(args[0].of.ref);
}

static kite_trap_t *host_call_ref_catch(void *env, kite_caller_t *caller, const kite_val_t *args,
                                        kite_val_t *results)
{
    (void)env, (void)caller;
    return catching(call_ref(args[0].of.ref), &results[0]);
}

static kite_table_t *export_table(void)
{
    kite_extern_t ext;
    if (!H.instance || !kite_instance_export(H.instance, "table", 5, &ext) ||
        ext.kind != KITE_EXTERN_TABLE)
        return NULL;
    return ext.of.table;
}

static kite_trap_t *host_table_get(void *env, kite_caller_t *caller, const kite_val_t *args,
                                   kite_val_t *results)
{
    (void)env, (void)caller;
    kite_table_t *t = export_table();
    if (!t)
        return throw_js(JS_TYPE_ERROR);
    kite_ref_t ref;
    if (!kite_table_get(t, (uint32_t)args[0].of.i32, &ref))
        return throw_js(JS_RANGE_ERROR);
    kite_refkind_t k = kite_ref_kind(ref);
    if (k != KITE_REFKIND_NULL && k != KITE_REFKIND_FUNC)
        return throw_js(JS_TYPE_ERROR);
    results[0].kind = KITE_REF;
    results[0].of.ref = ref;
    return NULL;
}

static kite_trap_t *host_table_set(void *env, kite_caller_t *caller, const kite_val_t *args,
                                   kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    kite_table_t *t = export_table();
    if (!t)
        return throw_js(JS_TYPE_ERROR);
    uint32_t index = (uint32_t)args[0].of.i32;
    if (index >= kite_table_size(t))
        return throw_js(JS_RANGE_ERROR);
    kite_error_t *err = kite_table_set(t, index, args[1].of.ref);
    if (err) {
        kite_error_free(err);
        return throw_js(JS_TYPE_ERROR);
    }
    return NULL;
}

static kite_trap_t *host_sleep(void *env, kite_caller_t *caller, const kite_val_t *args,
                               kite_val_t *results)
{
    (void)env, (void)caller;
    results[0] = args[1];
    return NULL;
}

static kite_trap_t *host_log_branch(void *env, kite_caller_t *caller, const kite_val_t *args,
                                    kite_val_t *results)
{
    (void)env, (void)caller;
    printf("log-branch %d %d %d\n", args[0].of.i32, args[1].of.i32, args[2].of.i32);
    results[0] = args[0];
    return NULL;
}

static kite_trap_t *host_set_temp_ret0(void *env, kite_caller_t *caller, const kite_val_t *args,
                                       kite_val_t *results)
{
    (void)env, (void)caller, (void)results;
    H.temp_ret0 = args[0].of.i32;
    return NULL;
}

static kite_trap_t *host_get_temp_ret0(void *env, kite_caller_t *caller, const kite_val_t *args,
                                       kite_val_t *results)
{
    (void)env, (void)caller, (void)args;
    results[0].kind = KITE_I32;
    results[0].of.i32 = H.temp_ret0;
    return NULL;
}

#define VT(k) ((kite_valtype_t){.kind = (k)})
#define REFT(h) ((kite_valtype_t){.kind = KITE_REF, .nullable = true, .heap = (h)})

typedef struct host_import {
    const char *module, *name;
    kite_host_func_t fn;
    int nparams, nresults;
    kite_valtype_t params[3], results[1];
} host_import;

static const host_import host_imports[] = {
    {"fuzzing-support", "log-i32", host_log, 1, 0, {VT(KITE_I32)}, {{0}}},
    {"fuzzing-support", "log-i64", host_log, 1, 0, {VT(KITE_I64)}, {{0}}},
    {"fuzzing-support", "log-f32", host_log, 1, 0, {VT(KITE_F32)}, {{0}}},
    {"fuzzing-support", "log-f64", host_log, 1, 0, {VT(KITE_F64)}, {{0}}},
    {"fuzzing-support", "log-v128", host_log_v128, 1, 0, {VT(KITE_V128)}, {{0}}},
    {"fuzzing-support", "log-anyref", host_log, 1, 0, {REFT(KITE_HEAP_ANY)}, {{0}}},
    {"fuzzing-support", "log-funcref", host_log, 1, 0, {REFT(KITE_HEAP_FUNC)}, {{0}}},
    {"fuzzing-support", "log-externref", host_log, 1, 0, {REFT(KITE_HEAP_EXTERN)}, {{0}}},
    {"fuzzing-support", "throw", host_throw, 1, 0, {VT(KITE_I32)}, {{0}}},
    {"fuzzing-support", "table-get", host_table_get, 1, 1, {VT(KITE_I32)}, {REFT(KITE_HEAP_FUNC)}},
    {"fuzzing-support", "table-set", host_table_set, 2, 0, {VT(KITE_I32), REFT(KITE_HEAP_FUNC)},
     {{0}}},
    {"fuzzing-support", "call-export", host_call_export, 2, 0, {VT(KITE_I32), VT(KITE_I32)},
     {{0}}},
    {"fuzzing-support", "call-export-catch", host_call_export_catch, 1, 1, {VT(KITE_I32)},
     {VT(KITE_I32)}},
    {"fuzzing-support", "call-ref", host_call_ref, 2, 0, {REFT(KITE_HEAP_FUNC), VT(KITE_I32)},
     {{0}}},
    {"fuzzing-support", "call-ref-catch", host_call_ref_catch, 1, 1, {REFT(KITE_HEAP_FUNC)},
     {VT(KITE_I32)}},
    {"fuzzing-support", "sleep", host_sleep, 2, 1, {VT(KITE_I32), VT(KITE_I32)}, {VT(KITE_I32)}},
    {"fuzzing-support", "log-branch", host_log_branch, 3, 1,
     {VT(KITE_I32), VT(KITE_I32), VT(KITE_I32)}, {VT(KITE_I32)}},
    {"env", "setTempRet0", host_set_temp_ret0, 1, 0, {VT(KITE_I32)}, {{0}}},
    {"env", "getTempRet0", host_get_temp_ret0, 0, 1, {{0}}, {VT(KITE_I32)}},
};

/* binaryen's payload for an imported global: the import's names summed mod 251. */
static unsigned global_payload(const kite_import_desc_t *d)
{
    unsigned p = 0;
    for (size_t i = 0; i < d->module_len; i++)
        p = (p + (unsigned char)d->module[i]) % 251;
    for (size_t i = 0; i < d->name_len; i++)
        p = (p + (unsigned char)d->name[i]) % 251;
    return p;
}

static void define_imports(kite_linker_t *linker, kite_module_t *module)
{
    kite_error_t *err;
    for (size_t i = 0; i < sizeof host_imports / sizeof host_imports[0]; i++) {
        const host_import *h = &host_imports[i];
        kite_func_t *f;
        err = kite_func_new_host(H.store, h->params, (size_t)h->nparams, h->results,
                                 (size_t)h->nresults, h->fn, NULL, NULL, &f);
        if (err)
            die("host function", err);
        err = kite_linker_define(linker, h->module, strlen(h->module), h->name, strlen(h->name),
                                 (kite_extern_t){.kind = KITE_EXTERN_FUNC, .of.func = f});
        if (err)
            die("define", err);
    }
    kite_valtype_t i32 = VT(KITE_I32), externref = REFT(KITE_HEAP_EXTERN);
    if ((err = kite_tag_new(H.store, &i32, 1, &H.wasmtag)) ||
        (err = kite_tag_new(H.store, &externref, 1, &H.jstag)) ||
        (err = kite_tag_new(H.store, &externref, 1, &H.j2wasmtag)))
        die("tag", err);
    const struct {
        const char *module, *name;
        kite_tag_t *tag;
    } tags[] = {{"fuzzing-support", "wasmtag", H.wasmtag},
                {"fuzzing-support", "jstag", H.jstag},
                {"imports", "j2wasm.ExceptionUtils.tag", H.j2wasmtag}};
    for (size_t i = 0; i < 3; i++) {
        kite_extern_t tag = {.kind = KITE_EXTERN_TAG, .of.tag = tags[i].tag};
        if ((err = kite_linker_define(linker, tags[i].module, strlen(tags[i].module), tags[i].name,
                                      strlen(tags[i].name), tag)))
            die("define", err);
    }
    /* Imported globals: JavaScript objects { payload } as non-null externrefs. */
    for (size_t i = 0; i < kite_module_import_count(module); i++) {
        kite_import_desc_t d = kite_module_import(module, i);
        if (d.kind != KITE_EXTERN_GLOBAL)
            continue;
        kite_val_t v = {.kind = KITE_REF};
        if ((err = kite_ref_new_host(H.store, (uintptr_t)global_payload(&d) << 8 | JS_PAYLOAD,
                                     &v.of.ref)))
            die("host ref", err);
        kite_global_t *g;
        kite_valtype_t t = {.kind = KITE_REF, .nullable = false, .heap = KITE_HEAP_EXTERN};
        if ((err = kite_global_new(H.store, t, false, &v, &g)))
            die("global", err);
        err = kite_linker_define(linker, d.module, d.module_len, d.name, d.name_len,
                                 (kite_extern_t){.kind = KITE_EXTERN_GLOBAL, .of.global = g});
        if (err)
            die("define", err);
    }
}

/* ---- the run ---------------------------------------------------------------------- */

/* FNV-1a over little-endian 32-bit words (diff_v8.mjs computes the same). */
static uint32_t hash_memory(const uint8_t *p, uint64_t len)
{
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i + 4 <= len; i += 4) {
        uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                     (uint32_t)p[i + 3] << 24;
        h = (h ^ w) * 16777619u;
    }
    return h;
}

enum { TABLE_ENTRIES_SHOWN = 64 };

static void print_state(void)
{
    for (size_t i = 0; i < H.nexports; i++) {
        kite_extern_t *e = &H.exports[i];
        if (e->kind == KITE_EXTERN_MEMORY) {
            printf("mem %.*s %" PRIu64 " %08x\n", (int)H.descs[i].name_len, H.descs[i].name,
                   kite_memory_pages(e->of.memory),
                   hash_memory(kite_memory_data(e->of.memory), kite_memory_size(e->of.memory)));
        } else if (e->kind == KITE_EXTERN_TABLE) {
            /* Its size and first entries (JavaScript's Table.get). */
            uint64_t size = kite_table_size(e->of.table);
            printf("table %.*s %" PRIu64, (int)H.descs[i].name_len, H.descs[i].name, size);
            for (uint64_t k = 0; k < size && k < TABLE_ENTRIES_SHOWN; k++) {
                kite_ref_t ref = KITE_REF_NULL;
                kite_table_get(e->of.table, k, &ref);
                printf(k ? "," : " ");
                if (kite_ref_kind(ref) == KITE_REFKIND_EXN)
                    printf("unreadable");
                else
                    print_ref(ref);
            }
            printf("\n");
        } else if (e->kind == KITE_EXTERN_GLOBAL) {
            kite_val_t v = kite_global_get(e->of.global);
            printf("global %.*s ", (int)H.descs[i].name_len, H.descs[i].name);
            if (v.kind == KITE_REF && kite_ref_kind(v.of.ref) == KITE_REFKIND_EXN)
                printf("unreadable");
            else
                print_val(&v);
            printf("\n");
        }
    }
}

/* An outcome other than a normal return, as a trace word. */
static void print_outcome(kite_trap_t *trap)
{
    kite_trap_kind_t kind = kite_trap_kind(trap);
    if (kind == KITE_TRAP_EXCEPTION) {
        if (kite_trap_exception_tag(trap) == H.jstag) {
            kite_val_t v;
            kite_trap_exception_values(trap, &v, 1);
            printf("jsthrow ");
            print_ref(v.of.ref);
            printf("\n");
        } else {
            printf("exception\n");
        }
    } else if (is_host_limit(kind)) {
        printf("limit %s\n", kite_trap_message(trap));
    } else {
        printf("trap %s\n", kite_trap_message(trap));
    }
    kite_trap_free(trap);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

#ifdef KITE_DIFF_HAVE_TIERS
static bool set_tier(kite_config_t *config, const char *name)
{
    int t = kite_tier_by_name(name);
    if (t < 0)
        return false;
    kite_config_set_tier(config, (kite_tier_t)t);
    return true;
}
#else
static bool set_tier(kite_config_t *config, const char *name)
{
    (void)config;
    /* This kite has one tier, the interpreter. */
    return strcmp(name, "interp") == 0;
}
#endif

static const char USAGE[] =
    "usage: kite-diff-exec [--tier=NAME] [--tier-threshold=N] [--gc-stress] [--enable-F|--disable-F]... FILE\n";

int main(int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--tier=", 7) == 0) {
            if (!set_tier(config, a + 7)) {
                fprintf(stderr, "kite-diff-exec: unknown tier %s\n", a + 7);
                return 2;
            }
        } else if (strncmp(a, "--tier-threshold=", 17) == 0) {
#ifdef KITE_DIFF_HAVE_TIERS
            kite_config_set_tier_threshold(config, (uint32_t)strtoul(a + 17, NULL, 10));
#endif
        } else if (strcmp(a, "--gc-stress") == 0) {
            /* A collection at every allocation: a missing GC root shows as a difference. */
            kite_config_set_gc_stress(config, true);
        } else if (strncmp(a, "--enable-", 9) == 0 || strncmp(a, "--disable-", 10) == 0) {
            bool on = a[2] == 'e';
            int f = kite_feature_by_name(a + (on ? 9 : 10));
            if (f < 0) {
                fprintf(stderr, "kite-diff-exec: unknown feature in %s\n", a);
                return 2;
            }
            kite_config_set_feature(config, (kite_feature_t)f, on);
        } else if (a[0] == '-' || path) {
            fputs(USAGE, stderr);
            return 2;
        } else {
            path = a;
        }
    }
    if (!path) {
        fputs(USAGE, stderr);
        return 2;
    }
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "kite-diff-exec: cannot read %s\n", path);
        return 2;
    }
    kite_engine_t *engine = H.engine = kite_engine_new(config);
    kite_config_free(config);
    kite_module_t *module = NULL;
    kite_linker_t *linker = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_module_new_any(engine, bytes, len, &module);
    if (err) {
        printf("compile-error %s\n", kite_error_message(err));
        kite_error_free(err);
        goto done;
    }
    H.store = kite_store_new(engine);
    linker = kite_linker_new(engine);
    define_imports(linker, module);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    err = kite_linker_instantiate(linker, H.store, module, &H.instance, &trap);
    if (err) {
        if (kite_error_code(err) == KITE_ERROR_UNLINKABLE)
            printf("instantiate link-error\n");
        else
            printf("unsupported module: %s\n", kite_error_message(err));
        kite_error_free(err);
        goto done;
    }
    if (trap) {
        printf("instantiate ");
        print_outcome(trap);
        goto done;
    }
    printf("instantiate ok\n");
    H.nexports = kite_instance_export_count(H.instance);
    H.exports = calloc(H.nexports + 1, sizeof *H.exports);
    H.descs = calloc(H.nexports + 1, sizeof *H.descs);
    for (size_t i = 0; i < H.nexports; i++) {
        H.exports[i] = kite_instance_export_at(H.instance, i);
        H.descs[i] = kite_instance_export_desc(H.instance, i);
    }
    for (size_t i = 0; i < H.nexports; i++) {
        if (H.exports[i].kind != KITE_EXTERN_FUNC)
            continue;
        printf("call %.*s\n", (int)H.descs[i].name_len, H.descs[i].name);
        trap = js_call(H.exports[i].of.func, true);
        if (trap)
            print_outcome(trap);
        print_state();
        fflush(stdout);
    }
done:
    fflush(stdout);
    /* Everything freed, so that the sanitizer build's leak check means something. */
    free(H.exports);
    free(H.descs);
    kite_linker_free(linker);
    kite_linker_free(H.helper_linker);
    kite_store_free(H.store);
    kite_module_free(H.helper_module);
    kite_module_free(module);
    kite_engine_free(engine);
    free(bytes);
    return 0;
}
