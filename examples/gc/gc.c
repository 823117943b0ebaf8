/*
 * GC values from the host: make structs and arrays of the module's types,
 * pass them to Wasm, keep what Wasm returns across collections with root
 * handles, and read their fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kite.h>

#include "../common/example.h"

/* The module's type indices (gc.wat). */
enum { TYPE_POINT = 0, TYPE_POINTS = 1 };

static kite_store_t *g_store;
static kite_instance_t *g_instance;

/* kite keeps floats as their bit patterns. */
static kite_val_t f64_val(double x)
{
    kite_val_t v = {.kind = KITE_F64};
    memcpy(&v.of.f64_bits, &x, sizeof(x));
    return v;
}

static double f64_of(kite_val_t v)
{
    double x;
    memcpy(&x, &v.of.f64_bits, sizeof(x));
    return x;
}

static kite_val_t ref_val(kite_ref_t r) { return (kite_val_t){.kind = KITE_REF, .of.ref = r}; }

static void check(kite_error_t *err, const char *what)
{
    if (err) {
        fprintf(stderr, "%s: %s\n", what, kite_error_message(err));
        exit(1);
    }
}

/* Calls export `name` with `nargs` arguments and returns its one result;
 * exits on failure (this is an example). */
static kite_val_t call(const char *name, const kite_val_t *args, size_t nargs)
{
    kite_extern_t f;
    kite_val_t result;
    kite_trap_t *trap = NULL;
    if (!kite_instance_export(g_instance, name, strlen(name), &f)) {
        fprintf(stderr, "no export %s\n", name);
        exit(1);
    }
    check(kite_func_call(g_store, f.of.func, args, nargs, &result, 1, &trap), name);
    if (trap) {
        fprintf(stderr, "%s: trap: %s\n", name, kite_trap_message(trap));
        exit(1);
    }
    return result;
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module = example_module(engine, "gc.wat");
    if (!module)
        return 1;
    g_store = kite_store_new(engine);
    kite_trap_t *trap = NULL;
    check(kite_instance_new(g_store, module, NULL, 0, &g_instance, &trap), "instantiate");

    /* A struct made by the host, passed to Wasm. */
    kite_val_t xy[2] = {f64_val(3), f64_val(4)};
    kite_ref_t point;
    check(kite_struct_new(g_store, module, TYPE_POINT, xy, 2, &point), "struct.new");
    kite_val_t arg = ref_val(point);
    printf("norm(3, 4) = %g\n", f64_of(call("norm", &arg, 1)));

    /* An array of 1000 points. Host variables are not roots: a root handle
     * keeps the array alive while more objects are allocated. */
    kite_ref_t array;
    check(kite_array_new(g_store, module, TYPE_POINTS, 1000, NULL, &array), "array.new");
    kite_root_t *array_root;
    check(kite_root_new(g_store, array, &array_root), "root");
    for (uint32_t i = 0; i < 1000; i++) {
        kite_val_t fields[2] = {f64_val(i), f64_val(0)};
        kite_ref_t p;
        check(kite_struct_new(g_store, module, TYPE_POINT, fields, 2, &p), "struct.new");
        kite_val_t elem = ref_val(p);
        check(kite_array_set(g_store, kite_root_get(array_root), i, &elem), "array.set");
    }
    kite_store_gc(g_store);
    arg = ref_val(kite_root_get(array_root));
    printf("sum_x(0 .. 999) = %g\n", f64_of(call("sum_x", &arg, 1)));

    /* A struct made by Wasm, kept across a collection and changed by the host. */
    kite_val_t made = call("make", xy, 2);
    kite_root_t *made_root;
    check(kite_root_new(g_store, made.of.ref, &made_root), "root");
    kite_root_set(array_root, KITE_REF_NULL); /* the array may go now */
    kite_store_gc(g_store);
    kite_val_t x;
    check(kite_struct_get(g_store, kite_root_get(made_root), 0, &x), "struct.get");
    kite_val_t nine = f64_val(9);
    check(kite_struct_set(g_store, kite_root_get(made_root), 1, &nine), "struct.set");
    arg = ref_val(kite_root_get(made_root));
    double norm = f64_of(call("norm", &arg, 1));
    printf("made by Wasm: x = %g, norm after y = 9: %g\n", f64_of(x), norm);

    /* i31 references are plain values. */
    arg = ref_val(kite_ref_i31((uint32_t)-21));
    printf("twice(i31 -21) = %d\n", call("twice", &arg, 1).of.i32);

    kite_gc_stats_t stats;
    kite_store_gc_stats(g_store, &stats);
    printf("at least the 2 collections asked for: %s\n", stats.collections >= 2 ? "yes" : "no");

    kite_root_free(array_root);
    kite_root_free(made_root);
    kite_store_free(g_store);
    kite_module_free(module);
    kite_engine_free(engine);
    return 0;
}
