/*
 * The `spectest` module that the spec testsuite imports from, built with
 * the public API only: the print functions (which print nothing, to keep
 * the runner's output to its verdicts), four immutable globals holding 666
 * or 666.6, a funcref table of 10..20 elements (and a 64-bit one), a memory
 * of 1..2 pages and a shared one.
 */
#include <string.h>

#include "wast.h"

static kite_trap_t *print_nothing(void *env, kite_caller_t *caller, const kite_val_t *args,
                                  kite_val_t *results)
{
    (void)env;
    (void)caller;
    (void)args;
    (void)results;
    return NULL;
}

static kite_valtype_t num_type(kite_valkind_t kind)
{
    return (kite_valtype_t){.kind = kind};
}

static kite_error_t *define(kite_linker_t *linker, const char *name, kite_extern_t ext)
{
    return kite_linker_define(linker, "spectest", 8, name, strlen(name), ext);
}

static kite_error_t *define_prints(kite_linker_t *linker, kite_store_t *store)
{
    static const struct {
        const char *name;
        size_t nparams;
        kite_valkind_t params[2];
    } prints[] = {
        {"print", 0, {KITE_I32, KITE_I32}},
        {"print_i32", 1, {KITE_I32, KITE_I32}},
        {"print_i64", 1, {KITE_I64, KITE_I32}},
        {"print_f32", 1, {KITE_F32, KITE_I32}},
        {"print_f64", 1, {KITE_F64, KITE_I32}},
        {"print_i32_f32", 2, {KITE_I32, KITE_F32}},
        {"print_f64_f64", 2, {KITE_F64, KITE_F64}},
    };
    for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
        kite_valtype_t params[2] = {num_type(prints[i].params[0]), num_type(prints[i].params[1])};
        kite_func_t *func;
        kite_error_t *err = kite_func_new_host(store, params, prints[i].nparams, NULL, 0,
                                               print_nothing, NULL, NULL, &func);
        if (!err)
            err = define(linker, prints[i].name, (kite_extern_t){KITE_EXTERN_FUNC, {.func = func}});
        if (err)
            return err;
    }
    return NULL;
}

static kite_error_t *define_globals(kite_linker_t *linker, kite_store_t *store)
{
    float f32 = 666.6f;
    double f64 = 666.6;
    kite_val_t vals[4] = {{.kind = KITE_I32, .of.i32 = 666}, {.kind = KITE_I64, .of.i64 = 666},
                          {.kind = KITE_F32}, {.kind = KITE_F64}};
    memcpy(&vals[2].of.f32_bits, &f32, sizeof(f32));
    memcpy(&vals[3].of.f64_bits, &f64, sizeof(f64));
    static const char *const names[4] = {"global_i32", "global_i64", "global_f32", "global_f64"};
    for (size_t i = 0; i < 4; i++) {
        kite_global_t *global;
        kite_error_t *err = kite_global_new(store, num_type(vals[i].kind), false, &vals[i], &global);
        if (!err)
            err = define(linker, names[i], (kite_extern_t){KITE_EXTERN_GLOBAL, {.global = global}});
        if (err)
            return err;
    }
    return NULL;
}

static kite_error_t *define_tables(kite_linker_t *linker, kite_store_t *store)
{
    kite_valtype_t funcref = {.kind = KITE_REF, .nullable = true, .heap = KITE_HEAP_FUNC};
    for (int is64 = 0; is64 < 2; is64++) {
        kite_limits_t limits = {.min = 10, .max = 20, .has_max = true, .is64 = is64 != 0};
        kite_table_t *table;
        kite_error_t *err = kite_table_new(store, funcref, &limits, KITE_REF_NULL, &table);
        if (!err)
            err = define(linker, is64 ? "table64" : "table",
                         (kite_extern_t){KITE_EXTERN_TABLE, {.table = table}});
        if (err)
            return err;
    }
    return NULL;
}

static kite_error_t *define_memories(kite_linker_t *linker, kite_store_t *store)
{
    for (int shared = 0; shared < 2; shared++) {
        kite_limits_t pages = {.min = 1, .max = 2, .has_max = true, .shared = shared != 0};
        kite_memory_t *memory;
        kite_error_t *err = kite_memory_new(store, &pages, &memory);
        if (!err)
            err = define(linker, shared ? "shared_memory" : "memory",
                         (kite_extern_t){KITE_EXTERN_MEMORY, {.memory = memory}});
        if (err)
            return err;
    }
    return NULL;
}

kite_error_t *wast_define_spectest(kite_linker_t *linker, kite_store_t *store)
{
    kite_error_t *err = define_prints(linker, store);
    if (!err)
        err = define_globals(linker, store);
    if (!err)
        err = define_tables(linker, store);
    if (!err)
        err = define_memories(linker, store);
    return err;
}
