/*
 * Host functions and traps: the module calls back into C (reading its
 * memory through the caller), a host function stops it with a trap, and
 * a trap in Wasm code is shown with its backtrace.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kite.h>

#include "../common/example.h"

/* host.log(ptr, len): prints a string of the caller's memory. */
static kite_trap_t *host_log(void *env, kite_caller_t *caller, const kite_val_t *args,
                             kite_val_t *results)
{
    (void)env;
    (void)results;
    kite_extern_t mem;
    if (!kite_caller_export(caller, "memory", 6, &mem) || mem.kind != KITE_EXTERN_MEMORY)
        return kite_trap_new(kite_caller_store(caller), "log: the caller exports no memory");
    uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
    if ((uint64_t)ptr + len > kite_memory_size(mem.of.memory))
        return kite_trap_new(kite_caller_store(caller), "log: string out of bounds");
    printf("log: %.*s\n", (int)len, (const char *)kite_memory_data(mem.of.memory) + ptr);
    return NULL;
}

/* host.check(x): x itself, or a trap when x is negative; counts its calls
 * in *env. */
static kite_trap_t *host_check(void *env, kite_caller_t *caller, const kite_val_t *args,
                               kite_val_t *results)
{
    ++*(int *)env;
    if (args[0].of.i32 < 0)
        return kite_trap_new(kite_caller_store(caller), "check: negative input");
    results[0] = args[0];
    return NULL;
}

static kite_func_t *export_func(kite_instance_t *instance, const char *name, size_t len)
{
    kite_extern_t e;
    return kite_instance_export(instance, name, len, &e) && e.kind == KITE_EXTERN_FUNC ? e.of.func
                                                                                         : NULL;
}

/* Calls f(a, b...) and prints the result or the trap with its backtrace. */
static void call(kite_store_t *store, kite_func_t *f, const char *what, const kite_val_t *args,
                 size_t nargs, size_t nresults)
{
    kite_val_t result;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(store, f, args, nargs, &result, nresults, &trap);
    if (err) {
        printf("%s: error: %s\n", what, kite_error_message(err));
        kite_error_free(err);
    } else if (trap) {
        char text[1024];
        kite_trap_format(trap, "host.wat", text, sizeof(text));
        printf("%s: trap: %s\n", what, text);
        kite_trap_free(trap);
    } else if (nresults) {
        printf("%s = %d\n", what, result.of.i32);
    } else {
        printf("%s: done\n", what);
    }
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module = example_module(engine, "host.wat");
    if (!module) {
        kite_engine_free(engine);
        return 1;
    }
    kite_store_t *store = kite_store_new(engine);

    /* The host functions, defined in a linker by (module, name). */
    int checks = 0;
    const kite_valtype_t i32 = {KITE_I32, false, 0};
    const kite_valtype_t two_i32[2] = {i32, i32};
    kite_func_t *log_fn, *check_fn;
    kite_linker_t *linker = kite_linker_new(engine);
    kite_error_t *err = kite_func_new_host(store, two_i32, 2, NULL, 0, host_log, NULL, NULL, &log_fn);
    if (!err)
        err = kite_func_new_host(store, &i32, 1, &i32, 1, host_check, &checks, NULL, &check_fn);
    if (!err)
        err = kite_linker_define(linker, "host", 4, "log", 3,
                                 (kite_extern_t){.kind = KITE_EXTERN_FUNC, .of.func = log_fn});
    if (!err)
        err = kite_linker_define(linker, "host", 4, "check", 5,
                                 (kite_extern_t){.kind = KITE_EXTERN_FUNC, .of.func = check_fn});
    kite_instance_t *instance = NULL;
    kite_trap_t *trap = NULL;
    if (!err)
        err = kite_linker_instantiate(linker, store, module, &instance, &trap);
    if (err || trap) {
        fprintf(stderr, "instantiation failed: %s\n",
                err ? kite_error_message(err) : kite_trap_message(trap));
        return 1;
    }

    call(store, export_func(instance, "greet", 5), "greet()", NULL, 0, 0);
    kite_val_t args[2] = {{.kind = KITE_I32, .of.i32 = 42}, {.kind = KITE_I32, .of.i32 = 6}};
    call(store, export_func(instance, "validate", 8), "validate(42)", args, 1, 1);
    call(store, export_func(instance, "average", 7), "average(42, 6)", args, 2, 1);
    args[0].of.i32 = -1;
    call(store, export_func(instance, "average", 7), "average(-1, 6)", args, 2, 1);
    args[0].of.i32 = 1;
    args[1].of.i32 = 0;
    call(store, export_func(instance, "average", 7), "average(1, 0)", args, 2, 1);
    printf("check was called %d times\n", checks);

    kite_linker_free(linker);
    kite_store_free(store);
    kite_module_free(module);
    kite_engine_free(engine);
    return 0;
}
