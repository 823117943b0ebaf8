/*
 * Instantiation, linking and the execution API, through kite.h only:
 * imports of every kind and their type matching, exports, globals,
 * memory and table limits, segment initialization (and what a trap in it
 * leaves behind), start functions, calls, host functions, traps.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kite.h"
#include "check.h"

static kite_engine_t *engine;

static kite_module_t *wat(const char *text)
{
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new_text(engine, text, strlen(text), &m);
    if (err) {
        printf("FAIL: module rejected: %s\n  %s\n", kite_error_message(err), text);
        g_failures++;
        kite_error_free(err);
    }
    return m;
}

/* Instantiate; expects success without a trap. */
static kite_instance_t *inst(kite_store_t *s, kite_module_t *m, const kite_extern_t *imports,
                             size_t n)
{
    kite_instance_t *i = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_instance_new(s, m, imports, n, &i, &trap);
    if (err || trap) {
        printf("FAIL: instantiation: %s\n",
               err ? kite_error_message(err) : kite_trap_message(trap));
        g_failures++;
    }
    kite_error_free(err);
    kite_trap_free(trap);
    return i;
}

/* Expects an error with `code` whose message starts with `prefix`. */
static void expect_error(kite_error_t *err, kite_error_code_t code, const char *prefix,
                         int line)
{
    if (!err) {
        printf("FAIL line %d: expected an error \"%s\"\n", line, prefix);
        g_failures++;
        return;
    }
    if (kite_error_code(err) != code || strncmp(kite_error_message(err), prefix, strlen(prefix))) {
        printf("FAIL line %d: expected \"%s\" (code %d), got \"%s\" (code %d)\n", line, prefix,
               (int)code, kite_error_message(err), (int)kite_error_code(err));
        g_failures++;
    }
    kite_error_free(err);
}

static void expect_link_error(kite_store_t *s, kite_module_t *m, const kite_extern_t *imports,
                              size_t n, const char *prefix, int line)
{
    kite_instance_t *i = NULL;
    kite_trap_t *trap = NULL;
    expect_error(kite_instance_new(s, m, imports, n, &i, &trap), KITE_ERROR_UNLINKABLE, prefix,
                 line);
    CHECK_THAT(i == NULL && trap == NULL);
}

static kite_extern_t export_of(kite_instance_t *i, const char *name)
{
    kite_extern_t e;
    memset(&e, 0, sizeof(e));
    if (!i || !kite_instance_export(i, name, strlen(name), &e)) {
        printf("FAIL: no export \"%s\"\n", name);
        g_failures++;
    }
    return e;
}

/* Calls f; true when it returned without an error or a trap (reported). */
static bool call(kite_store_t *s, kite_func_t *f, const kite_val_t *args, size_t nargs,
                 kite_val_t *results, size_t nresults, int line)
{
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(s, f, args, nargs, results, nresults, &trap);
    bool ok = !err && !trap;
    if (!ok) {
        printf("FAIL line %d: call: %s\n", line,
               err ? kite_error_message(err) : kite_trap_message(trap));
        g_failures++;
    }
    kite_error_free(err);
    kite_trap_free(trap);
    return ok;
}

static kite_val_t i32(int32_t v)
{
    kite_val_t x = {.kind = KITE_I32, .of.i32 = v};
    return x;
}

/* ---- host functions ------------------------------------------------------------------ */

static int host_calls;

static kite_trap_t *host_add(void *env, kite_caller_t *caller, const kite_val_t *args,
                             kite_val_t *results)
{
    (void)caller;
    host_calls++;
    results[0] = i32(args[0].of.i32 + args[1].of.i32 + (int32_t)(intptr_t)env);
    return NULL;
}

static kite_trap_t *host_fail(void *env, kite_caller_t *caller, const kite_val_t *args,
                              kite_val_t *results)
{
    (void)env, (void)caller, (void)args, (void)results;
    return kite_trap_new(kite_caller_store(caller), "host says no");
}

static int finalized;
static void finalize(void *env) { finalized += (int)(intptr_t)env; }

static const kite_valtype_t T_I32 = {KITE_I32, false, 0};
static const kite_valtype_t T_I64 = {KITE_I64, false, 0};

static kite_func_t *make_add(kite_store_t *s, int bias)
{
    kite_valtype_t params[2] = {T_I32, T_I32};
    kite_func_t *f = NULL;
    kite_error_t *err = kite_func_new_host(s, params, 2, &T_I32, 1, host_add,
                                           (void *)(intptr_t)bias, finalize, &f);
    CHECK_THAT(err == NULL && f != NULL);
    kite_error_free(err);
    return f;
}

/* ---- tests --------------------------------------------------------------------------- */

/* Imports of every kind, exports, calls through Wasm into the host. */
static void test_imports_and_exports(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_func_t *add = make_add(s, 100);
    kite_limits_t mem_limits = {.min = 1, .max = 2, .has_max = true};
    kite_memory_t *mem = NULL;
    CHECK_THAT(kite_memory_new(s, &mem_limits, &mem) == NULL);
    kite_limits_t tab_limits = {.min = 4, .max = 10, .has_max = true};
    kite_valtype_t funcref = {KITE_REF, true, KITE_HEAP_FUNC};
    kite_table_t *tab = NULL;
    CHECK_THAT(kite_table_new(s, funcref, &tab_limits, KITE_REF_NULL, &tab) == NULL);
    kite_val_t g0 = i32(42);
    kite_global_t *glob = NULL;
    CHECK_THAT(kite_global_new(s, T_I32, false, &g0, &glob) == NULL);

    kite_module_t *m = wat("(module"
                           "  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))"
                           "  (import \"env\" \"mem\" (memory 1 2))"
                           "  (import \"env\" \"tab\" (table 1 funcref))"
                           "  (import \"env\" \"g\" (global $g i32))"
                           "  (global $h (export \"h\") i32"
                           "    (i32.add (global.get $g) (i32.const 8)))"
                           "  (global $m (export \"m\") (mut i64) (i64.const -5))"
                           "  (global (export \"f\") funcref (ref.func $add))"
                           "  (func (export \"call_add\") (param i32 i32) (result i32)"
                           "    (call $add (local.get 0) (local.get 1)))"
                           "  (export \"add_again\" (func $add))"
                           "  (export \"mem\" (memory 0))"
                           "  (data (i32.const 16) \"hello\"))");
    CHECK_THAT(kite_module_import_count(m) == 4);
    kite_import_desc_t d = kite_module_import(m, 1);
    CHECK_THAT(d.kind == KITE_EXTERN_MEMORY && d.name_len == 3 && memcmp(d.name, "mem", 3) == 0);
    CHECK_THAT(kite_module_export_count(m) == 6);
    kite_export_desc_t e = kite_module_export(m, 0);
    CHECK_THAT(e.kind == KITE_EXTERN_GLOBAL && e.name_len == 1 && e.name[0] == 'h');

    kite_extern_t imports[4] = {
        {.kind = KITE_EXTERN_FUNC, .of.func = add},
        {.kind = KITE_EXTERN_MEMORY, .of.memory = mem},
        {.kind = KITE_EXTERN_TABLE, .of.table = tab},
        {.kind = KITE_EXTERN_GLOBAL, .of.global = glob},
    };
    kite_instance_t *i = inst(s, m, imports, 4);
    CHECK_THAT(i != NULL);
    if (!i)
        goto out;
    CHECK_THAT(kite_instance_export_count(i) == 6);

    kite_val_t v = kite_global_get(export_of(i, "h").of.global);
    CHECK_THAT(v.kind == KITE_I32 && v.of.i32 == 50);
    kite_global_t *mg = export_of(i, "m").of.global;
    v = kite_global_get(mg);
    CHECK_THAT(v.kind == KITE_I64 && v.of.i64 == -5);
    kite_val_t nv = {.kind = KITE_I64, .of.i64 = 77};
    CHECK_THAT(kite_global_set(mg, &nv) == NULL);
    CHECK_THAT(kite_global_get(mg).of.i64 == 77);
    expect_error(kite_global_set(mg, &g0), KITE_ERROR_ARGUMENT, "global value", __LINE__);
    expect_error(kite_global_set(glob, &g0), KITE_ERROR_ARGUMENT, "global is immutable",
                 __LINE__);

    /* A function reference to an imported function is that function. */
    v = kite_global_get(export_of(i, "f").of.global);
    CHECK_THAT(v.kind == KITE_REF && kite_ref_func(v.of.ref) == add);
    CHECK_THAT(kite_ref_kind(v.of.ref) == KITE_REFKIND_FUNC);
    CHECK_THAT(export_of(i, "add_again").of.func == add);

    /* Data went into the imported memory. */
    CHECK_THAT(export_of(i, "mem").of.memory == mem);
    CHECK_THAT(memcmp(kite_memory_data(mem) + 16, "hello", 5) == 0);

    /* Calls: Wasm -> host, and host directly. */
    kite_func_t *call_add = export_of(i, "call_add").of.func;
    CHECK_THAT(kite_func_param_count(call_add) == 2 && kite_func_result_count(call_add) == 1);
    CHECK_THAT(kite_func_param(call_add, 0).kind == KITE_I32);
    kite_val_t args[2] = {i32(1), i32(2)}, res[1];
    kite_trap_t *trap = NULL;
    host_calls = 0;
    if (call(s, call_add, args, 2, res, 1, __LINE__))
        CHECK_THAT(res[0].kind == KITE_I32 && res[0].of.i32 == 103 && host_calls == 1);
    host_calls = 1;
    if (call(s, add, args, 2, res, 1, __LINE__))
        CHECK_THAT(res[0].of.i32 == 103 && host_calls == 2);

    /* Argument checks: nothing runs. */
    host_calls = 2;
    expect_error(kite_func_call(s, call_add, args, 1, res, 1, &trap), KITE_ERROR_ARGUMENT, "",
                 __LINE__);
    expect_error(kite_func_call(s, call_add, args, 2, res, 0, &trap), KITE_ERROR_ARGUMENT, "",
                 __LINE__);
    kite_val_t bad[2] = {i32(1), {.kind = KITE_I64, .of.i64 = 2}};
    expect_error(kite_func_call(s, call_add, bad, 2, res, 1, &trap), KITE_ERROR_ARGUMENT,
                 "argument 1", __LINE__);
    CHECK_THAT(host_calls == 2 && trap == NULL);
out:
    kite_module_free(m);
    finalized = 0;
    kite_store_free(s);
    CHECK_THAT(finalized == 100); /* the host function's finalizer ran */
}

/* Each kind of import type mismatch, and the linker's unknown import. */
static void test_import_matching(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_func_t *add = make_add(s, 0);
    kite_limits_t l12 = {.min = 1, .max = 2, .has_max = true}, l1 = {.min = 1};
    kite_memory_t *mem12 = NULL, *mem1 = NULL;
    CHECK_THAT(kite_memory_new(s, &l12, &mem12) == NULL && kite_memory_new(s, &l1, &mem1) == NULL);
    kite_val_t zero = i32(0);
    kite_global_t *gi = NULL, *gm = NULL;
    CHECK_THAT(kite_global_new(s, T_I32, false, &zero, &gi) == NULL);
    CHECK_THAT(kite_global_new(s, T_I32, true, &zero, &gm) == NULL);
    kite_valtype_t externref = {KITE_REF, true, KITE_HEAP_EXTERN};
    kite_valtype_t funcref = {KITE_REF, true, KITE_HEAP_FUNC};
    kite_table_t *tab = NULL;
    CHECK_THAT(kite_table_new(s, externref, &l12, KITE_REF_NULL, &tab) == NULL);

    kite_extern_t f = {.kind = KITE_EXTERN_FUNC, .of.func = add};
    kite_extern_t m12 = {.kind = KITE_EXTERN_MEMORY, .of.memory = mem12};
    kite_extern_t m1 = {.kind = KITE_EXTERN_MEMORY, .of.memory = mem1};
    kite_extern_t xi = {.kind = KITE_EXTERN_GLOBAL, .of.global = gi};
    kite_extern_t xm = {.kind = KITE_EXTERN_GLOBAL, .of.global = gm};
    kite_extern_t xt = {.kind = KITE_EXTERN_TABLE, .of.table = tab};

    kite_module_t *fm = wat("(module (import \"a\" \"b\" (func (param i32 i32) (result i32))))");
    kite_module_t *fm2 = wat("(module (import \"a\" \"b\" (func (param i32) (result i32))))");
    kite_module_t *mm = wat("(module (import \"a\" \"b\" (memory 1 2)))");
    kite_module_t *mm3 = wat("(module (import \"a\" \"b\" (memory 2)))");
    kite_module_t *gmi = wat("(module (import \"a\" \"b\" (global i32)))");
    kite_module_t *gmm = wat("(module (import \"a\" \"b\" (global (mut i32))))");
    kite_module_t *gm64 = wat("(module (import \"a\" \"b\" (global i64)))");
    kite_module_t *tm = wat("(module (import \"a\" \"b\" (table 1 2 externref)))");
    kite_module_t *tmf = wat("(module (import \"a\" \"b\" (table 1 funcref)))");

    kite_instance_t *i = inst(s, fm, &f, 1);
    CHECK_THAT(i != NULL);
    expect_link_error(s, fm2, &f, 1, "incompatible import type", __LINE__);
    expect_link_error(s, fm, &m12, 1, "incompatible import type", __LINE__);
    CHECK_THAT(inst(s, mm, &m12, 1) != NULL);
    /* A memory without a maximum does not match an import with one. */
    expect_link_error(s, mm, &m1, 1, "incompatible import type", __LINE__);
    /* Too small. */
    expect_link_error(s, mm3, &m12, 1, "incompatible import type", __LINE__);
    CHECK_THAT(kite_memory_grow(mem12, 1) == 1);
    CHECK_THAT(inst(s, mm3, &m12, 1) != NULL); /* grown to 2 pages: matches now */
    CHECK_THAT(inst(s, gmi, &xi, 1) != NULL);
    expect_link_error(s, gmi, &xm, 1, "incompatible import type", __LINE__);
    expect_link_error(s, gmm, &xi, 1, "incompatible import type", __LINE__);
    CHECK_THAT(inst(s, gmm, &xm, 1) != NULL);
    expect_link_error(s, gm64, &xi, 1, "incompatible import type", __LINE__);
    CHECK_THAT(inst(s, tm, &xt, 1) != NULL);
    expect_link_error(s, tmf, &xt, 1, "incompatible import type", __LINE__);

    kite_table_t *ftab = NULL;
    CHECK_THAT(kite_table_new(s, funcref, &l1, kite_func_ref(add), &ftab) == NULL);
    kite_extern_t xft = {.kind = KITE_EXTERN_TABLE, .of.table = ftab};
    CHECK_THAT(inst(s, tmf, &xft, 1) != NULL);
    expect_link_error(s, tm, &xft, 1, "incompatible import type", __LINE__);

    /* Host objects are type-checked too. */
    kite_table_t *t2 = NULL;
    expect_error(kite_table_new(s, externref, &l1, kite_func_ref(add), &t2), KITE_ERROR_ARGUMENT,
                 "initial element", __LINE__);
    kite_valtype_t nonnull = {KITE_REF, false, KITE_HEAP_FUNC};
    kite_global_t *g2 = NULL;
    kite_val_t null = {.kind = KITE_REF, .of.ref = KITE_REF_NULL};
    expect_error(kite_global_new(s, nonnull, false, &null, &g2), KITE_ERROR_ARGUMENT,
                 "global value", __LINE__);

    /* The linker. */
    kite_linker_t *lk = kite_linker_new(engine);
    CHECK_THAT(kite_linker_define(lk, "a", 1, "b", 1, f) == NULL);
    kite_instance_t *li = NULL;
    kite_trap_t *trap = NULL;
    CHECK_THAT(kite_linker_instantiate(lk, s, fm, &li, &trap) == NULL && li && !trap);
    kite_module_t *um = wat("(module (import \"a\" \"c\" (func)))");
    expect_error(kite_linker_instantiate(lk, s, um, &li, &trap), KITE_ERROR_UNLINKABLE,
                 "unknown import", __LINE__);
    CHECK_THAT(li == NULL);
    /* A later definition replaces an earlier one. */
    CHECK_THAT(kite_linker_define(lk, "a", 1, "b", 1, xi) == NULL);
    expect_error(kite_linker_instantiate(lk, s, fm, &li, &trap), KITE_ERROR_UNLINKABLE,
                 "incompatible import type", __LINE__);
    CHECK_THAT(kite_linker_instantiate(lk, s, gmi, &li, &trap) == NULL && li);
    kite_linker_free(lk);

    kite_module_t *mods[] = {fm, fm2, mm, mm3, gmi, gmm, gm64, tm, tmf, um};
    for (size_t k = 0; k < sizeof(mods) / sizeof(mods[0]); k++)
        kite_module_free(mods[k]);
    kite_store_free(s);
}

/* Exports registered under a name, imported by the next module. */
static void test_linker_instances(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_module_t *a = wat("(module"
                           "  (global (export \"g\") (mut i32) (i32.const 7))"
                           "  (memory (export \"mem\") 1)"
                           "  (table (export \"tab\") 2 funcref)"
                           "  (func (export \"seven\") (result i32) (i32.const 7)))");
    kite_module_t *b = wat("(module"
                           "  (import \"A\" \"g\" (global $g (mut i32)))"
                           "  (import \"A\" \"mem\" (memory 1))"
                           "  (import \"A\" \"tab\" (table 1 funcref))"
                           "  (import \"A\" \"seven\" (func $seven (result i32)))"
                           "  (elem (i32.const 1) $seven)"
                           "  (data (i32.const 0) \"\\2a\"))");
    kite_instance_t *ia = inst(s, a, NULL, 0);
    kite_linker_t *lk = kite_linker_new(engine);
    CHECK_THAT(ia && kite_linker_define_instance(lk, "A", 1, ia) == NULL);
    kite_instance_t *ib = NULL;
    kite_trap_t *trap = NULL;
    CHECK_THAT(kite_linker_instantiate(lk, s, b, &ib, &trap) == NULL && ib && !trap);
    if (ia && ib) {
        kite_ref_t r = KITE_REF_NULL;
        CHECK_THAT(kite_table_get(export_of(ia, "tab").of.table, 1, &r));
        CHECK_THAT(kite_ref_func(r) == export_of(ia, "seven").of.func);
        CHECK_THAT(!kite_table_get(export_of(ia, "tab").of.table, 2, &r));
        CHECK_THAT(kite_memory_data(export_of(ia, "mem").of.memory)[0] == 42);
    }
    kite_linker_free(lk);
    /* Instances keep their modules alive. */
    kite_module_free(a);
    kite_module_free(b);
    if (ia) {
        kite_export_desc_t d = kite_instance_export_desc(ia, 3);
        CHECK_THAT(d.kind == KITE_EXTERN_FUNC && d.name_len == 5 && memcmp(d.name, "seven", 5) == 0);
    }
    kite_store_free(s);
}

/*
 * A trap in segment initialization fails instantiation, and what earlier
 * segments wrote stays: elements first, then data, in order.
 */
static void test_segment_traps(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_limits_t one = {.min = 1};
    kite_memory_t *mem = NULL;
    CHECK_THAT(kite_memory_new(s, &one, &mem) == NULL);
    kite_limits_t two = {.min = 2};
    kite_valtype_t funcref = {KITE_REF, true, KITE_HEAP_FUNC};
    kite_table_t *tab = NULL;
    CHECK_THAT(kite_table_new(s, funcref, &two, KITE_REF_NULL, &tab) == NULL);
    kite_extern_t imports[2] = {{.kind = KITE_EXTERN_MEMORY, .of.memory = mem},
                                {.kind = KITE_EXTERN_TABLE, .of.table = tab}};

    kite_module_t *m = wat("(module"
                           "  (import \"env\" \"mem\" (memory 1))"
                           "  (import \"env\" \"tab\" (table 2 funcref))"
                           "  (func $f (result i32) (i32.const 5))"
                           "  (elem (i32.const 0) $f)"
                           "  (elem (i32.const 1) $f $f)" /* out of bounds */
                           "  (data (i32.const 0) \"abc\"))");
    kite_instance_t *i = NULL;
    kite_trap_t *trap = NULL;
    CHECK_THAT(kite_instance_new(s, m, imports, 2, &i, &trap) == NULL);
    CHECK_THAT(i == NULL && trap != NULL);
    if (trap) {
        CHECK_THAT(kite_trap_kind(trap) == KITE_TRAP_TABLE_OUT_OF_BOUNDS);
        CHECK_THAT(strcmp(kite_trap_message(trap), "out of bounds table access") == 0);
    }
    kite_trap_free(trap);
    kite_ref_t r = KITE_REF_NULL;
    CHECK_THAT(kite_table_get(tab, 0, &r) && kite_ref_func(r) != NULL);
    CHECK_THAT(kite_table_get(tab, 1, &r) && r == KITE_REF_NULL);
    CHECK_THAT(kite_memory_data(mem)[0] == 0); /* data comes after elements */
    /* The failed instance's function still works through the table. */
    CHECK_THAT(kite_table_get(tab, 0, &r));
    if (kite_ref_func(r)) {
        kite_val_t res[1];
        if (call(s, kite_ref_func(r), NULL, 0, res, 1, __LINE__))
            CHECK_THAT(res[0].of.i32 == 5);
    }
    kite_module_free(m);

    m = wat("(module"
            "  (import \"env\" \"mem\" (memory 1))"
            "  (data (i32.const 0) \"abc\")"
            "  (data (i32.const 65534) \"xyz\"))"); /* partly out of bounds */
    trap = NULL;
    CHECK_THAT(kite_instance_new(s, m, imports, 1, &i, &trap) == NULL);
    CHECK_THAT(i == NULL && trap && kite_trap_kind(trap) == KITE_TRAP_MEMORY_OUT_OF_BOUNDS);
    kite_trap_free(trap);
    CHECK_THAT(memcmp(kite_memory_data(mem), "abc", 3) == 0);
    CHECK_THAT(kite_memory_data(mem)[65534] == 0);
    kite_module_free(m);

    /* A start function's trap comes back as the instantiation's trap. */
    m = wat("(module (import \"env\" \"mem\" (memory 1))"
            "  (func $start (i32.store8 (i32.const 9) (i32.const 1)) unreachable)"
            "  (start $start))");
    trap = NULL;
    CHECK_THAT(kite_instance_new(s, m, imports, 1, &i, &trap) == NULL);
    CHECK_THAT(i == NULL && trap && kite_trap_kind(trap) == KITE_TRAP_UNREACHABLE);
    if (trap)
        CHECK_THAT(kite_trap_frame_count(trap) >= 1);
    kite_trap_free(trap);
    CHECK_THAT(kite_memory_data(mem)[9] == 1);
    kite_module_free(m);
    kite_store_free(s);
}

/* Constant expressions of every kind the runtime evaluates. */
static void test_const_exprs(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_module_t *m = wat("(module"
                           "  (global $a i32 (i32.const 6))"
                           "  (global (export \"b\") i32"
                           "    (i32.mul (global.get $a) (i32.sub (i32.const 10) (i32.const 3))))"
                           "  (global (export \"c\") i64 (i64.add (i64.const 0x7fffffffffffffff)"
                           "    (i64.const 1)))"
                           "  (global (export \"d\") f32 (f32.const -1.5))"
                           "  (global (export \"e\") f64 (f64.const nan:0x1234))"
                           "  (global (export \"v\") v128 (v128.const i32x4 1 2 3 4))"
                           "  (global (export \"n\") externref (ref.null extern))"
                           "  (func $f)"
                           "  (table $t (export \"t\") 3 funcref (ref.func $f))"
                           "  (elem declare func $f))");
    kite_instance_t *i = inst(s, m, NULL, 0);
    if (i) {
        CHECK_THAT(kite_global_get(export_of(i, "b").of.global).of.i32 == 42);
        CHECK_THAT(kite_global_get(export_of(i, "c").of.global).of.i64 == INT64_MIN);
        CHECK_THAT(kite_global_get(export_of(i, "d").of.global).of.f32_bits == 0xBFC00000u);
        CHECK_THAT(kite_global_get(export_of(i, "e").of.global).of.f64_bits ==
              0x7FF0000000001234ull);
        kite_val_t v = kite_global_get(export_of(i, "v").of.global);
        CHECK_THAT(v.kind == KITE_V128 && v.of.v128[0] == 1 && v.of.v128[4] == 2 &&
              v.of.v128[12] == 4);
        v = kite_global_get(export_of(i, "n").of.global);
        CHECK_THAT(v.kind == KITE_REF && v.of.ref == KITE_REF_NULL);
        kite_table_t *t = export_of(i, "t").of.table;
        kite_ref_t r0 = 0, r2 = 0;
        CHECK_THAT(kite_table_size(t) == 3);
        CHECK_THAT(kite_table_get(t, 0, &r0) && kite_table_get(t, 2, &r2) && r0 && r0 == r2);
    }
    kite_module_free(m);
    kite_store_free(s);
}

/* Store limits: memory bytes, table elements, instances. */
static void test_limits(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_store_limits_t lim = {.memory_bytes = 2 * 65536, .table_elements = 10, .instances = 3};
    kite_store_set_limits(s, &lim);
    kite_module_t *m = wat("(module (memory (export \"mem\") 1)"
                           "  (func (export \"grow\") (param i32) (result i32)"
                           "    (memory.grow (local.get 0))))");
    kite_instance_t *i = inst(s, m, NULL, 0);
    if (i) {
        kite_memory_t *mem = export_of(i, "mem").of.memory;
        CHECK_THAT(kite_memory_grow(mem, 2) == UINT64_MAX);
        CHECK_THAT(kite_memory_grow(mem, 1) == 1);
        CHECK_THAT(kite_memory_pages(mem) == 2 && kite_memory_size(mem) == 2 * 65536);
        CHECK_THAT(kite_memory_grow(mem, 1) == UINT64_MAX);
        kite_val_t arg = i32(1), res[1];
        if (call(s, export_of(i, "grow").of.func, &arg, 1, res, 1, __LINE__))
            CHECK_THAT(res[0].of.i32 == -1);
    }
    /* The memory budget is used up: a second memory does not fit. */
    kite_instance_t *j = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_instance_new(s, m, NULL, 0, &j, &trap);
    CHECK_THAT(err && kite_error_code(err) == KITE_ERROR_LIMIT && !j && !trap);
    kite_error_free(err);
    kite_module_free(m);

    kite_module_t *tm = wat("(module (table 8 funcref))");
    CHECK_THAT(inst(s, tm, NULL, 0) != NULL);
    err = kite_instance_new(s, tm, NULL, 0, &j, &trap);
    CHECK_THAT(err && kite_error_code(err) == KITE_ERROR_LIMIT);
    kite_error_free(err);
    /* The failed instantiations did not count: a third instance fits... */
    kite_module_t *e = wat("(module)");
    CHECK_THAT(inst(s, e, NULL, 0) != NULL);
    /* ...and a fourth does not. */
    err = kite_instance_new(s, e, NULL, 0, &j, &trap);
    CHECK_THAT(err && kite_error_code(err) == KITE_ERROR_LIMIT);
    kite_error_free(err);
    kite_module_free(tm);
    kite_module_free(e);
    kite_store_free(s);
}

/* Traps made by hosts, references made by hosts. */
static void test_traps_and_refs(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_func_t *fail = NULL;
    CHECK_THAT(kite_func_new_host(s, NULL, 0, NULL, 0, host_fail, NULL, NULL, &fail) == NULL);
    kite_trap_t *trap = NULL;
    CHECK_THAT(kite_func_call(s, fail, NULL, 0, NULL, 0, &trap) == NULL);
    CHECK_THAT(trap && kite_trap_kind(trap) == KITE_TRAP_HOST);
    if (trap)
        CHECK_THAT(strcmp(kite_trap_message(trap), "host says no") == 0);
    kite_trap_free(trap);

    kite_ref_t h = KITE_REF_NULL;
    uintptr_t hv = 0;
    CHECK_THAT(kite_ref_new_host(s, 1234, &h) == NULL && h != KITE_REF_NULL);
    CHECK_THAT(kite_ref_kind(h) == KITE_REFKIND_HOST && kite_ref_host_value(h, &hv) && hv == 1234);
    CHECK_THAT(kite_ref_func(h) == NULL && kite_ref_kind(KITE_REF_NULL) == KITE_REFKIND_NULL);
    CHECK_THAT(!kite_ref_host_value(kite_func_ref(fail), &hv));

    /* References through Wasm: an externref identity function. */
    kite_module_t *m = wat("(module (func (export \"id\") (param externref) (result externref)"
                           "  (local.get 0))"
                           "  (func (export \"nn\") (param (ref func)) (result i32) (i32.const 1))"
                           "  (func (export \"i64\") (param i64) (result i64)"
                           "    (i64.add (local.get 0) (i64.const 1))))");
    kite_instance_t *i = inst(s, m, NULL, 0);
    if (i) {
        kite_val_t arg = {.kind = KITE_REF, .of.ref = h}, res[1];
        if (call(s, export_of(i, "id").of.func, &arg, 1, res, 1, __LINE__))
            CHECK_THAT(res[0].kind == KITE_REF && res[0].of.ref == h);
        /* A function where an externref is expected, null where it may not be. */
        kite_val_t fr = {.kind = KITE_REF, .of.ref = kite_func_ref(fail)};
        expect_error(kite_func_call(s, export_of(i, "id").of.func, &fr, 1, res, 1, &trap),
                     KITE_ERROR_ARGUMENT, "argument 0", __LINE__);
        kite_val_t null = {.kind = KITE_REF, .of.ref = KITE_REF_NULL};
        expect_error(kite_func_call(s, export_of(i, "nn").of.func, &null, 1, res, 1, &trap),
                     KITE_ERROR_ARGUMENT, "argument 0", __LINE__);
        if (call(s, export_of(i, "nn").of.func, &fr, 1, res, 1, __LINE__))
            CHECK_THAT(res[0].of.i32 == 1);
        kite_val_t big = {.kind = KITE_I64, .of.i64 = INT64_MAX - 1};
        if (call(s, export_of(i, "i64").of.func, &big, 1, res, 1, __LINE__))
            CHECK_THAT(res[0].kind == KITE_I64 && res[0].of.i64 == INT64_MAX);
        kite_valtype_t p = kite_func_param(export_of(i, "nn").of.func, 0);
        CHECK_THAT(p.kind == KITE_REF && !p.nullable && p.heap == KITE_HEAP_FUNC);
        CHECK_THAT(kite_func_result(export_of(i, "i64").of.func, 0).kind == T_I64.kind);
    }
    kite_module_free(m);
    kite_store_free(s);
}

/* A host function imported where its canonical type is required by a
 * call_indirect: host function types are canonical too. */
static void test_host_func_types(void)
{
    kite_store_t *s = kite_store_new(engine);
    kite_func_t *add = make_add(s, 1);
    kite_module_t *m = wat("(module"
                           "  (type $bin (func (param i32 i32) (result i32)))"
                           "  (import \"env\" \"add\" (func $add (type $bin)))"
                           "  (table 1 funcref)"
                           "  (elem (i32.const 0) $add)"
                           "  (func (export \"go\") (result i32)"
                           "    (call_indirect (type $bin) (i32.const 2) (i32.const 3)"
                           "      (i32.const 0))))");
    kite_extern_t imp = {.kind = KITE_EXTERN_FUNC, .of.func = add};
    kite_instance_t *i = inst(s, m, &imp, 1);
    if (i) {
        kite_val_t res[1];
        if (call(s, export_of(i, "go").of.func, NULL, 0, res, 1, __LINE__))
            CHECK_THAT(res[0].of.i32 == 6);
    }
    kite_module_free(m);
    kite_store_free(s);
}

int main(void)
{
    engine = kite_engine_new(NULL);
    if (!engine) {
        printf("FAIL: no engine\n");
        return 1;
    }
    test_imports_and_exports();
    test_import_matching();
    test_linker_instances();
    test_segment_traps();
    test_const_exprs();
    test_limits();
    test_traps_and_refs();
    test_host_func_types();
    kite_engine_free(engine);
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
