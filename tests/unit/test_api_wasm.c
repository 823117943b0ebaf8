/*
 * The standard C API (wasm.h) beyond what the wasm-c-api examples show:
 * ownership of vectors and values, views and identity, host info and
 * finalizers of every kind of reference, references crossing into Wasm
 * (boxed objects, GC references), reflection, errors reported as traps,
 * serialization, sharing, kite_wasm.h, and every allocation failing in
 * turn.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"
#include "fail_alloc.h"
#include "kite_wasm.h"
#include "wasm.h"

static wasm_engine_t *g_engine;
static bool g_quiet; /* while allocations are made to fail */

/* A wasm.h module from text (through kite.h). */
static wasm_module_t *wat(wasm_store_t *store, const char *text)
{
    kite_module_t *km;
    kite_error_t *err = kite_module_new_text(kite_wasm_engine(g_engine), text, strlen(text), &km);
    if (err) {
        printf("module: %s\n", kite_error_message(err));
        kite_error_free(err);
        return NULL;
    }
    wasm_module_t *m = kite_wasm_module_from_kite(store, km);
    kite_module_free(km);
    return m;
}

static wasm_instance_t *instantiate(wasm_store_t *store, wasm_module_t *module,
                                    wasm_extern_t **imports, size_t n)
{
    wasm_extern_vec_t v = {n, imports};
    wasm_trap_t *trap = NULL;
    wasm_instance_t *i = wasm_instance_new(store, module, &v, &trap);
    if (trap) {
        wasm_message_t msg;
        wasm_trap_message(trap, &msg);
        if (!g_quiet)
            printf("instantiation trapped: %s\n", msg.data);
        wasm_name_delete(&msg);
        wasm_trap_delete(trap);
    }
    return i;
}

/* Export `index` of an instance (a new handle) or NULL. */
static wasm_extern_t *export_at(const wasm_instance_t *inst, size_t index)
{
    wasm_extern_vec_t exports;
    wasm_instance_exports(inst, &exports);
    wasm_extern_t *e = index < exports.size ? wasm_extern_copy(exports.data[index]) : NULL;
    wasm_extern_vec_delete(&exports);
    return e;
}

/* Whether a trap's message is `want` (then the trap is deleted). */
static bool trap_says(wasm_trap_t *trap, const char *want)
{
    if (!trap)
        return false;
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    bool ok = msg.size == strlen(msg.data) + 1 && strstr(msg.data, want) != NULL;
    if (!ok)
        printf("trap message: %s (wanted %s)\n", msg.data, want);
    wasm_name_delete(&msg);
    wasm_trap_delete(trap);
    return ok;
}

/* ---- vectors, values, types ------------------------------------------------------------------ */

static void test_vectors_and_types(void)
{
    wasm_byte_vec_t b, c;
    wasm_byte_vec_new(&b, 3, "abc");
    wasm_byte_vec_copy(&c, &b);
    CHECK(c.size == 3 && c.data != b.data && memcmp(c.data, "abc", 3) == 0, "byte copy");
    wasm_byte_vec_delete(&b);
    wasm_byte_vec_delete(&c);
    CHECK(b.size == 0 && b.data == NULL, "a deleted vector is empty");
    wasm_byte_vec_new_empty(&b);
    CHECK(b.size == 0 && b.data == NULL, "empty vector");
    wasm_byte_vec_delete(&b);

    wasm_valtype_t *ts[3] = {wasm_valtype_new_i32(), wasm_valtype_new_funcref(),
                             wasm_valtype_new(WASM_ANYREF)};
    wasm_valtype_vec_t params, copy;
    wasm_valtype_vec_new(&params, 3, ts);
    wasm_valtype_vec_copy(&copy, &params);
    CHECK(copy.size == 3 && copy.data[1] != params.data[1] &&
              wasm_valtype_kind(copy.data[1]) == WASM_FUNCREF,
          "valtype vector copies are deep");
    CHECK(wasm_valtype_is_ref(copy.data[2]) && wasm_valtype_is_num(copy.data[0]), "kinds");
    CHECK(wasm_valtype_new(77) == NULL, "unknown kind");
    wasm_valtype_vec_t results;
    wasm_valtype_vec_new_empty(&results);
    wasm_functype_t *f = wasm_functype_new(&params, &results);
    wasm_functype_t *g = wasm_functype_copy(f);
    CHECK(wasm_functype_params(g)->size == 3 && wasm_functype_results(g)->size == 0, "functype");
    wasm_externtype_t *e = wasm_functype_as_externtype(g);
    CHECK(wasm_externtype_kind(e) == WASM_EXTERN_FUNC && wasm_externtype_as_functype(e) == g &&
              wasm_externtype_as_globaltype(e) == NULL,
          "extern type views");
    wasm_externtype_t *ec = wasm_externtype_copy(e);
    CHECK(ec && wasm_externtype_as_functype_const(ec) != NULL, "extern type copy");
    wasm_externtype_delete(ec);
    wasm_functype_delete(f);
    wasm_valtype_vec_delete(&copy);

    wasm_limits_t lim = {1, wasm_limits_max_default};
    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
    wasm_memorytype_t *mt = wasm_memorytype_new(&lim);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_f64(), WASM_VAR);
    wasm_name_t mod, name;
    wasm_name_new_from_string(&mod, "m");
    wasm_name_new_from_string(&name, "t");
    wasm_importtype_t *it = wasm_importtype_new(&mod, &name, wasm_tabletype_as_externtype(tt));
    wasm_importtype_t *it2 = wasm_importtype_copy(it);
    CHECK(wasm_importtype_name(it2)->size == 1 &&
              wasm_tabletype_limits(wasm_externtype_as_tabletype_const(wasm_importtype_type(it2)))
                      ->max == wasm_limits_max_default,
          "import type copy");
    wasm_importtype_delete(it);
    wasm_importtype_delete(it2);
    CHECK(wasm_globaltype_mutability(gt) == WASM_VAR &&
              wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F64,
          "global type");
    wasm_globaltype_delete(gt);
    wasm_memorytype_delete(mt);
    wasm_functype_delete(g);
}

/* ---------------------------------------------------------------------------------------------- */

static const char *const REFLECT_WAT =
    "(module"
    "  (type $s (struct (field i32)))"
    "  (import \"env\" \"f\" (func (param i32 v128) (result (ref null $s))))"
    "  (import \"env\" \"t\" (table 2 7 externref))"
    "  (import \"env\" \"m\" (memory 1))"
    "  (import \"env\" \"g\" (global (mut anyref)))"
    "  (tag $e (export \"tag\"))"
    "  (func (export \"h\") (param exnref) (result i31ref) unreachable)"
    "  (memory (export \"mem\") 2 3))";

static void test_reflection(void)
{
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_module_t *m = wat(store, REFLECT_WAT);
    CHECK(m != NULL, "module");
    if (!m) {
        wasm_store_delete(store);
        return;
    }
    wasm_importtype_vec_t imports;
    wasm_module_imports(m, &imports);
    CHECK(imports.size == 4, "imports: %zu", imports.size);
    if (imports.size == 4) {
        const wasm_functype_t *f =
            wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
        CHECK(f && wasm_functype_params(f)->size == 2 &&
                  wasm_valtype_kind(wasm_functype_params(f)->data[1]) == WASM_V128 &&
                  wasm_valtype_kind(wasm_functype_results(f)->data[0]) == WASM_ANYREF,
              "function import type");
        const wasm_tabletype_t *t =
            wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[1]));
        CHECK(t && wasm_tabletype_limits(t)->min == 2 && wasm_tabletype_limits(t)->max == 7 &&
                  wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_EXTERNREF,
              "table import type");
        const wasm_memorytype_t *mem =
            wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[2]));
        CHECK(mem && wasm_memorytype_limits(mem)->max == wasm_limits_max_default,
              "memory without a maximum");
        const wasm_globaltype_t *g =
            wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[3]));
        CHECK(g && wasm_globaltype_mutability(g) == WASM_VAR &&
                  wasm_valtype_kind(wasm_globaltype_content(g)) == WASM_ANYREF,
              "global import type");
        CHECK(wasm_importtype_module(imports.data[3])->size == 3 &&
                  memcmp(wasm_importtype_name(imports.data[3])->data, "g", 1) == 0,
              "import names");
    }
    wasm_importtype_vec_delete(&imports);
    wasm_exporttype_vec_t exports;
    wasm_module_exports(m, &exports);
    CHECK(exports.size == 2, "the tag export is left out: %zu", exports.size);
    if (exports.size == 2) {
        const wasm_functype_t *h =
            wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[0]));
        CHECK(h && wasm_valtype_kind(wasm_functype_params(h)->data[0]) == WASM_EXNREF &&
                  wasm_valtype_kind(wasm_functype_results(h)->data[0]) == WASM_ANYREF,
              "exnref and i31ref");
        wasm_exporttype_t *copy = wasm_exporttype_copy(exports.data[1]);
        CHECK(copy && wasm_memorytype_limits(wasm_externtype_as_memorytype_const(
                                                 wasm_exporttype_type(copy)))->max == 3,
              "memory export type");
        wasm_exporttype_delete(copy);
    }
    wasm_exporttype_vec_delete(&exports);

    /* A tag import cannot be provided through wasm.h. */
    wasm_module_t *tagged = wat(store, "(module (import \"a\" \"t\" (tag)))");
    wasm_trap_t *trap = NULL;
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    CHECK(wasm_instance_new(store, tagged, &none, &trap) == NULL && trap_says(trap, "tag"),
          "tag import");
    wasm_module_delete(tagged);
    wasm_module_delete(m);
    wasm_store_delete(store);
}

/* ---------------------------------------------------------------------------------------------- */

static int g_finalized[16];

static void finalize(void *info) { g_finalized[(intptr_t)info]++; }

static wasm_trap_t *nop_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args;
    (void)results;
    return NULL;
}

static void test_host_info(void)
{
    memset(g_finalized, 0, sizeof(g_finalized));
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_module_t *m = wat(store, "(module (func (export \"f\")) (global (export \"g\") i32 "
                                  "(i32.const 1)) (table (export \"t\") 1 funcref) (memory "
                                  "(export \"m\") 1))");
    wasm_instance_t *inst = instantiate(store, m, NULL, 0);
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    CHECK(ex.size == 4, "exports");
    wasm_functype_t *ft = wasm_functype_new_0_0();
    wasm_func_t *host = wasm_func_new(store, ft, nop_callback);
    wasm_functype_delete(ft);
    wasm_foreign_t *foreign = wasm_foreign_new(store);
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "boom");
    wasm_trap_t *trap = wasm_trap_new(store, &msg);
    wasm_name_delete(&msg);

    /* Host info follows the object: set through one handle, seen through
     * another (a copy, a view, or a new handle from the instance). */
    wasm_func_set_host_info_with_finalizer(wasm_extern_as_func(ex.data[0]), (void *)1, finalize);
    wasm_global_set_host_info_with_finalizer(wasm_extern_as_global(ex.data[1]), (void *)2,
                                             finalize);
    wasm_table_set_host_info_with_finalizer(wasm_extern_as_table(ex.data[2]), (void *)3, finalize);
    wasm_memory_set_host_info_with_finalizer(wasm_extern_as_memory(ex.data[3]), (void *)4,
                                             finalize);
    wasm_instance_set_host_info_with_finalizer(inst, (void *)5, finalize);
    wasm_func_set_host_info_with_finalizer(host, (void *)6, finalize);
    wasm_foreign_set_host_info_with_finalizer(foreign, (void *)7, finalize);
    wasm_module_set_host_info_with_finalizer(m, (void *)8, finalize);
    wasm_trap_set_host_info_with_finalizer(trap, (void *)9, finalize);
    wasm_extern_t *again = export_at(inst, 1);
    CHECK(wasm_extern_get_host_info(again) == (void *)2, "host info through a new handle");
    CHECK(wasm_ref_get_host_info(wasm_global_as_ref(wasm_extern_as_global(again))) == (void *)2,
          "host info through a ref view");
    CHECK(wasm_global_same(wasm_extern_as_global(again), wasm_extern_as_global(ex.data[1])),
          "same global");
    CHECK(!wasm_extern_same(again, ex.data[0]), "different objects");
    wasm_extern_delete(again);
    wasm_module_t *mc = wasm_module_copy(m);
    CHECK(wasm_module_get_host_info(mc) == (void *)8 && wasm_module_same(mc, m), "module copy");
    wasm_module_delete(m);
    CHECK(g_finalized[8] == 0, "a module lives while a handle does");
    wasm_module_delete(mc);
    CHECK(g_finalized[8] == 1, "module finalized with its last handle");
    wasm_trap_t *tc = wasm_trap_copy(trap);
    wasm_trap_delete(trap);
    CHECK(g_finalized[9] == 0 && wasm_trap_get_host_info(tc) == (void *)9, "trap copy");
    wasm_trap_delete(tc);
    CHECK(g_finalized[9] == 1, "trap finalized with its last handle");

    /* Views: a function is an extern and a ref, and back. */
    wasm_ref_t *r = wasm_func_as_ref(host);
    CHECK(wasm_ref_as_func(r) == host && wasm_ref_as_global(r) == NULL &&
              wasm_ref_as_extern(r) == wasm_func_as_extern(host) &&
              wasm_ref_as_foreign_const(wasm_foreign_as_ref_const(foreign)) == foreign,
          "views");
    wasm_ref_t *rc = wasm_ref_copy(r);
    CHECK(wasm_ref_same(rc, r) && wasm_ref_get_host_info(rc) == (void *)6, "ref copy");
    wasm_ref_delete(rc);
    wasm_foreign_set_host_info(foreign, (void *)10); /* replaced: no finalizer now */

    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_func_delete(host);
    wasm_foreign_delete(foreign);
    for (int i = 1; i <= 7; i++)
        CHECK(g_finalized[i] == 0, "object %d lives until its store goes", i);
    wasm_store_delete(store);
    for (int i = 1; i <= 6; i++)
        CHECK(g_finalized[i] == 1, "object %d finalized once: %d", i, g_finalized[i]);
    CHECK(g_finalized[7] == 0, "replaced host info is not finalized");
}

/* ---------------------------------------------------------------------------------------------- */

static const char *const REFS_WAT =
    "(module"
    "  (type $s (struct (field (mut i32))))"
    "  (import \"\" \"cb\" (func $cb (param externref) (result externref)))"
    "  (global $keep (mut externref) (ref.null extern))"
    "  (table $t (export \"table\") 2 funcref)"
    "  (func (export \"id\") (param externref) (result externref) (call $cb (local.get 0)))"
    "  (func (export \"keep\") (param externref) (global.set $keep (local.get 0)))"
    "  (func (export \"kept\") (result externref) (global.get $keep))"
    "  (func (export \"make\") (param i32) (result (ref $s)) (struct.new $s (local.get 0)))"
    "  (func (export \"get\") (param (ref null $s)) (result i32) (struct.get $s 0 (local.get 0)))"
    "  (func (export \"fid\") (param funcref) (result funcref) (local.get 0)))";

static int g_callbacks;

static wasm_trap_t *echo_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    g_callbacks++;
    wasm_val_copy(&results->data[0], &args->data[0]);
    return NULL;
}

static wasm_val_t ref_val(wasm_ref_t *r)
{
    wasm_val_t v = WASM_REF_VAL(r);
    return v;
}

/* Calls f with one argument and returns its one result (kind I32 0 on a trap). */
static wasm_val_t call1(const wasm_func_t *f, wasm_val_t arg)
{
    wasm_val_t res = WASM_INIT_VAL;
    wasm_val_vec_t args = {1, &arg}, results = {1, &res};
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (trap) {
        trap_says(trap, "");
        res.kind = WASM_I32;
        res.of.i32 = 0;
    }
    return res;
}

static void test_references(void)
{
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_module_t *m = wat(store, REFS_WAT);
    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_externref(),
                                                wasm_valtype_new_externref());
    wasm_func_t *cb = wasm_func_new(store, ft, echo_callback);
    wasm_functype_delete(ft);
    wasm_extern_t *imports[] = {wasm_func_as_extern(cb)};
    wasm_instance_t *inst = instantiate(store, m, imports, 1);
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    CHECK(ex.size == 7, "exports");
    if (ex.size != 7)
        return;
    wasm_table_t *table = wasm_extern_as_table(ex.data[0]);
    wasm_func_t *id = wasm_extern_as_func(ex.data[1]), *keep = wasm_extern_as_func(ex.data[2]);
    wasm_func_t *kept = wasm_extern_as_func(ex.data[3]), *make = wasm_extern_as_func(ex.data[4]);
    wasm_func_t *get = wasm_extern_as_func(ex.data[5]), *fid = wasm_extern_as_func(ex.data[6]);

    /* Objects that are not externrefs cross as boxes and come back as themselves. */
    wasm_ref_t *objects[] = {wasm_table_as_ref(table), wasm_instance_as_ref(inst),
                             wasm_module_as_ref(m), wasm_func_as_ref(id)};
    for (size_t i = 0; i < 4; i++) {
        wasm_val_t r = call1(id, ref_val(objects[i]));
        CHECK(r.kind == WASM_EXTERNREF && r.of.ref && wasm_ref_same(r.of.ref, objects[i]),
              "object %zu through externref", i);
        wasm_val_delete(&r);
    }
    CHECK(g_callbacks == 4, "callbacks: %d", g_callbacks);
    wasm_val_t none = WASM_INIT_VAL;
    wasm_val_vec_t noargs = WASM_EMPTY_VEC, one = {1, &none};
    wasm_val_t arg = ref_val(wasm_instance_as_ref(inst));
    wasm_val_vec_t args = {1, &arg};
    CHECK(wasm_func_call(keep, &args, &noargs) == NULL, "keep");
    CHECK(wasm_func_call(kept, &noargs, &one) == NULL && wasm_ref_as_instance(none.of.ref) &&
              wasm_instance_same(wasm_ref_as_instance(none.of.ref), inst),
          "a boxed object is the same externref each time");
    wasm_val_delete(&none);

    /* Foreign objects are externrefs themselves; null is null. */
    wasm_foreign_t *fo = wasm_foreign_new(store);
    wasm_val_t r = call1(id, ref_val(wasm_foreign_as_ref(fo)));
    CHECK(wasm_ref_as_foreign(r.of.ref) && wasm_ref_same(r.of.ref, wasm_foreign_as_ref(fo)),
          "foreign");
    wasm_val_delete(&r);
    r = call1(id, ref_val(NULL));
    CHECK(r.kind == WASM_EXTERNREF && r.of.ref == NULL, "null");

    /* Functions as funcref, and in tables. */
    r = call1(fid, ref_val(wasm_func_as_ref(cb)));
    CHECK(r.kind == WASM_FUNCREF && wasm_ref_as_func(r.of.ref) &&
              wasm_func_same(wasm_ref_as_func(r.of.ref), cb),
          "funcref");
    wasm_val_delete(&r);
    CHECK(wasm_table_set(table, 1, wasm_func_as_ref(cb)), "table.set of a host function");
    CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(fo)), "a foreign is not a funcref");
    CHECK(!wasm_table_set(table, 2, NULL), "out of bounds");
    wasm_ref_t *t1 = wasm_table_get(table, 1);
    CHECK(t1 && wasm_ref_same(t1, wasm_func_as_ref(cb)), "table.get");
    wasm_ref_delete(t1);
    CHECK(wasm_table_get(table, 0) == NULL && wasm_table_get(table, 9) == NULL, "null, oob");

    /* GC references: handles keep them alive across collections. */
    wasm_val_t seven = WASM_I32_VAL(7);
    wasm_val_t s = call1(make, seven);
    CHECK(s.kind == WASM_ANYREF && s.of.ref != NULL, "a struct from Wasm");
    wasm_ref_set_host_info_with_finalizer(s.of.ref, (void *)11, finalize);
    wasm_val_t s2;
    wasm_val_copy(&s2, &s);
    kite_store_gc(kite_wasm_store(store));
    r = call1(get, s2);
    CHECK(r.kind == WASM_I32 && r.of.i32 == 7, "the struct survived a collection: %d", r.of.i32);
    CHECK(wasm_ref_same(s.of.ref, s2.of.ref) && wasm_ref_get_host_info(s2.of.ref) == (void *)11,
          "GC ref identity and host info");
    wasm_val_delete(&s);
    wasm_val_delete(&s2);
    kite_store_gc(kite_wasm_store(store));

    /* Type errors are traps, and nothing runs. */
    wasm_val_t bad = WASM_I64_VAL(1);
    wasm_val_vec_t badargs = {1, &bad};
    CHECK(trap_says(wasm_func_call(get, &badargs, &one), "argument 0: expected anyref, got i64"),
          "kind mismatch");
    wasm_val_t fref = ref_val(wasm_func_as_ref(cb));
    wasm_val_vec_t fargs = {1, &fref};
    CHECK(trap_says(wasm_func_call(get, &fargs, &one), "not a value of type"), "wrong reference");
    CHECK(trap_says(wasm_func_call(get, &noargs, &one), "takes 1 arguments, 0 given"), "arity");
    int before = g_callbacks;
    CHECK(trap_says(wasm_func_call(id, &args, &noargs), "room for 0"), "no room for the result");
    CHECK(g_callbacks == before + 1, "the call ran");

    /* Host references are GC objects in kite; the foreign objects and boxes
     * of wasm.h live as long as their store (regression: they were
     * collected under live handles, and a new foreign object made at the
     * same address inherited the old one's host info). */
    wasm_foreign_set_host_info(fo, (void *)12);
    wasm_val_t boxed = call1(id, ref_val(wasm_module_as_ref(m)));
    for (int round = 0; round < 3; round++) {
        kite_store_gc(kite_wasm_store(store));
        for (int i = 0; i < 200; i++) {
            wasm_foreign_t *f = wasm_foreign_new(store);
            CHECK(f && wasm_foreign_get_host_info(f) == NULL && !wasm_foreign_same(f, fo),
                  "a new foreign object is new (round %d, %d)", round, i);
            wasm_foreign_delete(f);
        }
    }
    CHECK(wasm_foreign_get_host_info(fo) == (void *)12, "foreign host info after collections");
    r = call1(id, ref_val(wasm_foreign_as_ref(fo)));
    CHECK(wasm_ref_as_foreign(r.of.ref) && wasm_ref_same(r.of.ref, wasm_foreign_as_ref(fo)) &&
              wasm_ref_get_host_info(r.of.ref) == (void *)12,
          "foreign after collections");
    wasm_val_delete(&r);
    r = call1(id, ref_val(wasm_module_as_ref(m)));
    CHECK(r.of.ref && boxed.of.ref && wasm_ref_same(r.of.ref, boxed.of.ref) &&
              wasm_ref_as_module(r.of.ref),
          "a box after collections");
    wasm_val_delete(&r);
    wasm_val_delete(&boxed);

    wasm_foreign_delete(fo);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_func_delete(cb);
    wasm_module_delete(m);
    memset(g_finalized, 0, sizeof(g_finalized));
    wasm_store_delete(store);
    CHECK(g_finalized[11] == 1, "GC object with host info finalized with its store");
}

/* ---------------------------------------------------------------------------------------------- */

static wasm_trap_t *wrong_result(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args;
    results->data[0].kind = WASM_F32;
    results->data[0].of.f32 = 1;
    return NULL;
}

static wasm_trap_t *failing(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args;
    (void)results;
    wasm_message_t msg = {4, "fail"}; /* without a NUL: the API accepts both */
    return wasm_trap_new(env, &msg);
}

static int g_env_finalized;
static void env_finalizer(void *env)
{
    (void)env;
    g_env_finalized++;
}

static void test_traps(void)
{
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_module_t *m = wat(store, "(module $mod (import \"\" \"a\" (func $a (result i32)))"
                                  " (import \"\" \"b\" (func $b))"
                                  " (func $outer (export \"outer\") (result i32) (call $inner))"
                                  " (func $inner (result i32) (call $b) (call $a)))");
    wasm_functype_t *t_i32 = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_functype_t *t_none = wasm_functype_new_0_0();
    wasm_func_t *a = wasm_func_new(store, t_i32, wrong_result);
    wasm_func_t *b = wasm_func_new_with_env(store, t_none, failing, store, env_finalizer);
    wasm_func_t *ok_b = wasm_func_new(store, t_none, nop_callback);
    wasm_extern_t *imports[] = {wasm_func_as_extern(a), wasm_func_as_extern(b)};
    wasm_instance_t *inst = instantiate(store, m, imports, 2);
    wasm_extern_t *outer = export_at(inst, 0);
    wasm_val_t res = WASM_INIT_VAL;
    wasm_val_vec_t none = WASM_EMPTY_VEC, results = {1, &res};
    wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(outer), &none, &results);
    CHECK(trap != NULL, "host trap");
    if (trap) {
        wasm_frame_vec_t trace;
        wasm_trap_trace(trap, &trace);
        CHECK(trace.size == 2, "frames: %zu", trace.size);
        if (trace.size == 2) {
            CHECK(wasm_frame_func_index(trace.data[0]) == 3 &&
                      wasm_frame_func_index(trace.data[1]) == 2,
                  "inner, then outer");
            CHECK(wasm_instance_same(wasm_frame_instance(trace.data[0]), inst), "frame instance");
            wasm_frame_t *copy = wasm_frame_copy(trace.data[1]);
            CHECK(wasm_frame_module_offset(copy) == wasm_frame_module_offset(trace.data[1]),
                  "frame copy");
            wasm_frame_delete(copy);
        }
        wasm_frame_t *origin = wasm_trap_origin(trap);
        CHECK(origin && wasm_frame_func_index(origin) == 3, "origin");
        wasm_frame_delete(origin);
        wasm_frame_vec_delete(&trace);
        wasm_message_t text;
        kite_wasm_trap_format(trap, "x.wat", &text);
        CHECK(strncmp(text.data, "fail\n  at inner (x.wat:1:", 25) == 0, "formatted: %s",
              text.data);
        wasm_name_delete(&text);
        CHECK(trap_says(trap, "fail"), "message");
    }

    /* A second instance whose "b" succeeds: "a" then returns an f32 for an i32. */
    wasm_extern_t *imports2[] = {wasm_func_as_extern(a), wasm_func_as_extern(ok_b)};
    wasm_instance_t *inst2 = instantiate(store, m, imports2, 2);
    wasm_extern_t *outer2 = export_at(inst2, 0);
    CHECK(trap_says(wasm_func_call(wasm_extern_as_func(outer2), &none, &results),
                    "host function result 0: expected i32, got f32"),
          "wrong result kind");

    /* Link errors become traps with the reason. */
    wasm_extern_t *wrong[] = {wasm_func_as_extern(ok_b), wasm_func_as_extern(ok_b)};
    wasm_extern_vec_t wv = {2, wrong};
    wasm_trap_t *lt = NULL;
    CHECK(wasm_instance_new(store, m, &wv, &lt) == NULL &&
              trap_says(lt, "incompatible import type"),
          "link error");
    wasm_extern_vec_t one = {1, wrong};
    CHECK(wasm_instance_new(store, m, &one, &lt) == NULL && trap_says(lt, "2 imports, 1 were"),
          "import count");
    CHECK(wasm_instance_new(store, m, &one, NULL) == NULL, "no trap wanted");
    wasm_store_t *other = wasm_store_new(g_engine);
    wasm_func_t *foreign_fn = wasm_func_new(other, t_i32, wrong_result);
    wasm_extern_t *mixed[] = {wasm_func_as_extern(foreign_fn), wasm_func_as_extern(ok_b)};
    wasm_extern_vec_t mv = {2, mixed};
    CHECK(wasm_instance_new(store, m, &mv, &lt) == NULL && trap_says(lt, "another store"),
          "import from another store");
    wasm_foreign_t *other_fo = wasm_foreign_new(other);
    wasm_val_t oarg = ref_val(wasm_foreign_as_ref(other_fo));
    wasm_val_vec_t oargs = {1, &oarg};
    wasm_module_t *idm = wat(store, "(module (func (export \"id\") (param externref)))");
    wasm_instance_t *idi = instantiate(store, idm, NULL, 0);
    wasm_extern_t *idf = export_at(idi, 0);
    CHECK(trap_says(wasm_func_call(wasm_extern_as_func(idf), &oargs, &none),
                    "not a value of type"),
          "a reference of another store");
    wasm_extern_delete(idf);
    wasm_instance_delete(idi);
    wasm_module_delete(idm);
    wasm_foreign_delete(other_fo);
    wasm_func_delete(foreign_fn);
    wasm_store_delete(other);

    wasm_extern_delete(outer);
    wasm_extern_delete(outer2);
    wasm_instance_delete(inst);
    wasm_instance_delete(inst2);
    wasm_func_delete(a);
    wasm_func_delete(b);
    wasm_func_delete(ok_b);
    wasm_functype_delete(t_i32);
    wasm_functype_delete(t_none);
    wasm_module_delete(m);
    g_env_finalized = 0;
    wasm_store_delete(store);
    CHECK(g_env_finalized == 1, "a host function's environment is finalized with its store");
}

/* ---------------------------------------------------------------------------------------------- */

static void test_host_objects(void)
{
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
    wasm_val_t v = WASM_I64_VAL(-5), bad = WASM_F32_VAL(1);
    wasm_global_t *g = wasm_global_new(store, gt, &v);
    CHECK(wasm_global_new(store, gt, &bad) == NULL, "a global of the wrong kind");
    wasm_global_set(g, &v); /* immutable: ignored */
    wasm_val_t got;
    wasm_global_get(g, &got);
    CHECK(got.kind == WASM_I64 && got.of.i64 == -5, "global");
    wasm_globaltype_t *gt2 = wasm_global_type(g);
    CHECK(wasm_globaltype_mutability(gt2) == WASM_CONST, "global type");
    wasm_globaltype_delete(gt2);
    wasm_globaltype_delete(gt);

    wasm_limits_t lim = {1, 2};
    wasm_memorytype_t *mt = wasm_memorytype_new(&lim);
    wasm_memory_t *mem = wasm_memory_new(store, mt);
    CHECK(wasm_memory_size(mem) == 1 && wasm_memory_data_size(mem) == MEMORY_PAGE_SIZE, "memory");
    CHECK(wasm_memory_grow(mem, 1) && !wasm_memory_grow(mem, 1), "grow to the maximum");
    wasm_memorytype_t *mt2 = wasm_memory_type(mem);
    CHECK(wasm_memorytype_limits(mt2)->min == 2 && wasm_memorytype_limits(mt2)->max == 2,
          "memory type is current");
    wasm_memorytype_delete(mt2);
    wasm_memorytype_delete(mt);

    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
    wasm_foreign_t *fo = wasm_foreign_new(store);
    wasm_table_t *t = wasm_table_new(store, tt, wasm_foreign_as_ref(fo));
    wasm_ref_t *e0 = wasm_table_get(t, 0);
    CHECK(e0 && wasm_ref_same(e0, wasm_foreign_as_ref(fo)), "initial element");
    wasm_ref_delete(e0);
    CHECK(wasm_table_grow(t, 1, NULL) && !wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 2,
          "table grow");
    wasm_extern_t *te = wasm_table_as_extern(t);
    CHECK(wasm_extern_kind(te) == WASM_EXTERN_TABLE, "extern kind");
    wasm_externtype_t *et = wasm_extern_type(te);
    CHECK(wasm_externtype_as_tabletype(et) &&
              wasm_tabletype_limits(wasm_externtype_as_tabletype(et))->min == 2,
          "extern type");
    wasm_externtype_delete(et);
    wasm_tabletype_delete(tt);

    wasm_table_delete(t);
    wasm_foreign_delete(fo);
    wasm_memory_delete(mem);
    wasm_global_delete(g);
    wasm_store_delete(store);
}

/* ---------------------------------------------------------------------------------------------- */

static bool read_file(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    wasm_byte_vec_new_uninitialized(out, (size_t)n);
    bool ok = fread(out->data, 1, out->size, f) == out->size;
    fclose(f);
    return ok;
}

static void test_modules(void)
{
    wasm_store_t *store = wasm_store_new(g_engine);
    wasm_byte_vec_t binary, garbage;
    CHECK(read_file(KITE_SOURCE_DIR "/tests/wasi/trap.wasm", &binary), "read trap.wasm");
    wasm_byte_vec_new(&garbage, 8, "\0asm\2\0\0\0");
    CHECK(wasm_module_validate(store, &binary) && !wasm_module_validate(store, &garbage),
          "validate");
    wasm_message_t why;
    CHECK(!kite_wasm_module_validate(store, &garbage, &why) && strstr(why.data, "version"),
          "why it is invalid");
    wasm_name_delete(&why);
    CHECK(kite_wasm_module_new(store, &garbage, &why) == NULL && why.data[why.size - 1] == '\0',
          "why it does not compile");
    wasm_name_delete(&why);
    CHECK(wasm_module_new(store, &garbage) == NULL, "no module");

    wasm_module_t *m = wasm_module_new(store, &binary);
    wasm_byte_vec_t ser;
    wasm_module_serialize(m, &ser);
    CHECK(ser.size > 16 && ser.size <= binary.size + 16, "serialized: %zu", ser.size);
    wasm_module_t *d = wasm_module_deserialize(store, &ser);
    CHECK(d != NULL, "deserialized");
    wasm_exporttype_vec_t e1, e2;
    wasm_module_exports(m, &e1);
    wasm_module_exports(d, &e2);
    CHECK(e1.size == e2.size && e1.size > 0, "same exports");
    wasm_exporttype_vec_delete(&e1);
    wasm_exporttype_vec_delete(&e2);
    ser.data[ser.size - 1] ^= 0x55;
    wasm_module_t *broken = wasm_module_deserialize(store, &ser);
    ser.size = 10;
    CHECK(wasm_module_deserialize(store, &ser) == NULL, "truncated");
    ser.size = 0;
    wasm_module_delete(broken); /* flipped bits may still decode; it is validated either way */
    wasm_byte_vec_delete(&ser);

    /* A text module cannot be serialized: an empty vector. */
    wasm_module_t *text = wat(store, "(module)");
    wasm_module_serialize(text, &ser);
    CHECK(ser.size == 0 && ser.data == NULL, "text modules do not serialize");
    wasm_module_delete(text);

    /* Sharing: obtained in another store of the engine; not of another engine. */
    wasm_shared_module_t *shared = wasm_module_share(d);
    wasm_store_t *store2 = wasm_store_new(g_engine);
    wasm_module_t *obtained = wasm_module_obtain(store2, shared);
    CHECK(obtained != NULL, "obtain");
    wasm_engine_t *engine2 = wasm_engine_new();
    wasm_store_t *store3 = wasm_store_new(engine2);
    CHECK(wasm_module_obtain(store3, shared) == NULL, "another engine");
    wasm_shared_module_delete(shared);
    wasm_module_delete(obtained);
    wasm_store_delete(store3);
    wasm_engine_delete(engine2);
    wasm_store_delete(store2);

    /* WASI through kite_wasm.h: a module importing something else is refused. */
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    CHECK(kite_wasm_store_set_wasi(store, cfg, NULL), "set WASI");
    CHECK(!kite_wasm_store_set_wasi(store, cfg, &why) && strstr(why.data, "already"), "twice");
    wasm_name_delete(&why);
    kite_wasi_config_free(cfg);
    wasm_extern_vec_t imports;
    CHECK(kite_wasm_wasi_imports(store, m, &imports, NULL) && imports.size > 0, "WASI imports");
    wasm_extern_vec_delete(&imports);
    wasm_module_t *env = wat(store, "(module (import \"wasi_snapshot_preview1\" \"fd_write\" "
                                    "(func (param i32 i32 i32 i32) (result i32))) (import \"env\" "
                                    "\"x\" (func)))");
    CHECK(!kite_wasm_wasi_imports(store, env, &imports, &why) &&
              strstr(why.data, "import 1 (\"env\" \"x\")"),
          "not WASI: %s", why.data);
    wasm_name_delete(&why);
    uint32_t code;
    CHECK(!kite_wasm_wasi_exit_code(store, &code), "no exit yet");

    wasm_module_delete(env);
    wasm_module_delete(m);
    wasm_module_delete(d);
    wasm_byte_vec_delete(&binary);
    wasm_byte_vec_delete(&garbage);
    wasm_store_delete(store);
}

/* ---------------------------------------------------------------------------------------------- */


/* An engine whose allocations can be made to fail (fail_alloc.h). */
static wasm_engine_t *failing_engine(void)
{
    wasm_config_t *config = wasm_config_new();
    if (!config)
        return NULL;
    kite_config_set_allocator(kite_wasm_config(config), &g_fail_alloc);
    return wasm_engine_new_with_config(config);
}

/* The hello flow, checking every step: false when something failed. */
static bool hello_flow(void)
{
    bool ok = false;
    wasm_engine_t *engine = failing_engine();
    wasm_store_t *store = engine ? wasm_store_new(engine) : NULL;
    wasm_module_t *m = NULL;
    wasm_func_t *cb = NULL;
    wasm_instance_t *inst = NULL;
    wasm_extern_vec_t ex = WASM_EMPTY_VEC;
    if (store) {
        kite_module_t *km;
        const char *text = "(module (import \"\" \"cb\" (func $cb (param externref) (result "
                           "externref))) (func (export \"run\") (param externref) (result "
                           "externref) (call $cb (local.get 0))))";
        kite_error_t *err =
            kite_module_new_text(kite_wasm_engine(engine), text, strlen(text), &km);
        if (!err) {
            m = kite_wasm_module_from_kite(store, km);
            kite_module_free(km);
        }
        kite_error_free(err);
    }
    wasm_functype_t *ft = m ? wasm_functype_new_1_1(wasm_valtype_new_externref(),
                                                    wasm_valtype_new_externref())
                            : NULL;
    if (ft)
        cb = wasm_func_new(store, ft, echo_callback);
    wasm_functype_delete(ft);
    if (cb) {
        wasm_extern_t *imports[] = {wasm_func_as_extern(cb)};
        inst = instantiate(store, m, imports, 1);
    }
    if (inst)
        wasm_instance_exports(inst, &ex);
    if (ex.size == 1) {
        wasm_foreign_t *fo = wasm_foreign_new(store);
        if (fo) {
            wasm_val_t arg = ref_val(wasm_foreign_as_ref(fo)), res = WASM_INIT_VAL;
            wasm_val_vec_t args = {1, &arg}, results = {1, &res};
            wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(ex.data[0]), &args, &results);
            ok = !trap && res.of.ref && wasm_ref_same(res.of.ref, wasm_foreign_as_ref(fo));
            wasm_trap_delete(trap);
            wasm_val_delete(&res);
            wasm_foreign_delete(fo);
        }
    }
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_func_delete(cb);
    wasm_module_delete(m);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return ok;
}

/* A WASI program through wasm.h: binary, serialized and back, reflected,
 * linked with kite_wasm.h, run to its trap, and the trap taken apart. */
static bool wasi_flow(void)
{
    bool ok = false;
    wasm_byte_vec_t binary = WASM_EMPTY_VEC, ser = WASM_EMPTY_VEC;
    wasm_engine_t *engine = failing_engine();
    wasm_store_t *store = engine ? wasm_store_new(engine) : NULL;
    wasm_module_t *m = NULL, *d = NULL;
    wasm_extern_vec_t imports = WASM_EMPTY_VEC, ex = WASM_EMPTY_VEC;
    wasm_exporttype_vec_t types = WASM_EMPTY_VEC;
    wasm_instance_t *inst = NULL;
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    FILE *out = tmpfile();
    if (store && cfg && out && read_file(KITE_SOURCE_DIR "/tests/wasi/trap.wasm", &binary))
        m = wasm_module_new(store, &binary);
    if (m)
        wasm_module_serialize(m, &ser);
    if (ser.size)
        d = wasm_module_deserialize(store, &ser);
    if (d && kite_wasi_config_stdio_fd(cfg, 1, fileno(out)) == NULL &&
        kite_wasi_config_stdio_fd(cfg, 2, fileno(out)) == NULL &&
        kite_wasm_store_set_wasi(store, cfg, NULL) &&
        kite_wasm_wasi_imports(store, d, &imports, NULL))
        inst = instantiate(store, d, imports.data, imports.size);
    if (inst) {
        wasm_module_exports(d, &types);
        wasm_instance_exports(inst, &ex);
    }
    for (size_t i = 0; i < ex.size && i < types.size; i++) {
        const wasm_name_t *name = wasm_exporttype_name(types.data[i]);
        if (name->size != 6 || memcmp(name->data, "_start", 6) != 0)
            continue;
        wasm_val_vec_t none = WASM_EMPTY_VEC;
        wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(ex.data[i]), &none, &none);
        wasm_frame_vec_t trace = WASM_EMPTY_VEC;
        wasm_message_t text = WASM_EMPTY_VEC;
        if (trap) {
            wasm_trap_trace(trap, &trace);
            kite_wasm_trap_format(trap, NULL, &text);
        }
        ok = trace.size == 6 && text.size > 0 && strstr(text.data, "at crash_here");
        wasm_name_delete(&text);
        wasm_frame_vec_delete(&trace);
        wasm_trap_delete(trap);
    }
    wasm_extern_vec_delete(&ex);
    wasm_exporttype_vec_delete(&types);
    wasm_extern_vec_delete(&imports);
    wasm_instance_delete(inst);
    wasm_module_delete(d);
    wasm_module_delete(m);
    wasm_byte_vec_delete(&ser);
    wasm_byte_vec_delete(&binary);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    kite_wasi_config_free(cfg);
    if (out)
        fclose(out);
    return ok;
}

/* Runs flow with its 1st, 2nd, ... allocation through its engine failing
 * until it needs no more: each run must fail cleanly (no crash; no leak
 * under LeakSanitizer). wasm.h's plain data (vectors, types) comes from the
 * C library and is not made to fail here. */
static void sweep(const char *what, bool (*flow)(void))
{
    CHECK(flow(), "%s works", what);
    unsigned long n = 1;
    g_quiet = true;
    for (; n < 20000; n++) {
        fail_after(n);
        bool ok = flow();
        fail_after(0);
        if (ok)
            break;
    }
    g_quiet = false;
    CHECK(n > 10 && n < 20000, "%s: every allocation failed once (the flow made %lu)", what, n);
    printf("%s: out of memory at each of %lu allocations: handled\n", what, n - 1);
}

static void test_out_of_memory(void)
{
    sweep("externref echo", hello_flow);
    sweep("WASI program", wasi_flow);
}

int main(void)
{
    g_engine = wasm_engine_new();
    test_vectors_and_types();
    test_reflection();
    test_host_info();
    test_references();
    test_traps();
    test_host_objects();
    test_modules();
    wasm_engine_delete(g_engine);
    test_out_of_memory();
    if (g_failures)
        printf("%d failures\n", g_failures);
    return g_failures != 0;
}
