/*
 * A WASI program with a pre-opened directory: the program (cat.wat) prints
 * its arguments and reads "greeting.txt" from the directory it is given as
 * "/data", which is the only part of the host's file system it can reach.
 *
 *     wasi [DIRECTORY]     DIRECTORY defaults to this file's directory
 */
#include <stdio.h>
#include <stdlib.h>

#include <kite.h>

#include "../common/example.h"

static int fail(const char *what, kite_error_t *err)
{
    fprintf(stderr, "%s: %s\n", what, kite_error_message(err));
    kite_error_free(err);
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : EXAMPLE_DIR;
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module = example_module(engine, "cat.wat");
    if (!module) {
        kite_engine_free(engine);
        return 1;
    }

    /* What the program sees: its arguments, and `dir` as /data. */
    kite_wasi_config_t *config = kite_wasi_config_new();
    kite_wasi_config_push_arg(config, "cat");
    kite_wasi_config_push_arg(config, "/data/greeting.txt");
    kite_wasi_config_preopen_dir(config, dir, "/data", KITE_WASI_READONLY);
    kite_wasi_t *wasi;
    kite_error_t *err = kite_wasi_new(engine, config, &wasi);
    kite_wasi_config_free(config);
    if (err)
        return fail(dir, err);

    kite_store_t *store = kite_store_new(engine);
    kite_linker_t *linker = kite_linker_new(engine);
    kite_instance_t *instance = NULL;
    kite_trap_t *trap = NULL;
    err = kite_wasi_define(wasi, linker, store);
    if (!err)
        err = kite_linker_instantiate(linker, store, module, &instance, &trap);
    if (err)
        return fail("instantiate", err);

    int status = 1;
    kite_extern_t start;
    if (!trap && kite_instance_export(instance, "_start", 6, &start)) {
        err = kite_func_call(store, start.of.func, NULL, 0, NULL, 0, &trap);
        if (err)
            return fail("_start", err);
    }
    uint32_t code;
    fflush(stdout);
    if (kite_wasi_exit_code(wasi, &code)) {
        printf("exit status %u\n", code);
        status = (int)code;
    } else if (trap) {
        printf("trap: %s\n", kite_trap_message(trap));
    }
    kite_trap_free(trap);
    kite_linker_free(linker);
    kite_store_free(store);
    kite_wasi_free(wasi); /* after the store, whose functions use it */
    kite_module_free(module);
    kite_engine_free(engine);
    return status;
}
