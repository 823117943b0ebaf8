/*
 * Load a module (binary .wasm or text .wat), show what it exports, and
 * call one of its functions:
 *
 *     call [MODULE [N]]     MODULE defaults to fib.wat beside this file
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <kite.h>

#ifndef EXAMPLE_DIR
#define EXAMPLE_DIR "."
#endif

/* The whole file, or NULL. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *grown = realloc(buf, cap);
            if (!grown)
                break;
            buf = grown;
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : EXAMPLE_DIR "/fib.wat";
    int64_t n = argc > 2 ? strtoll(argv[2], NULL, 10) : 20;
    printf("kite %s\n", kite_version());

    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        perror(path);
        return 1;
    }
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module;
    kite_error_t *err = kite_module_new_any(engine, bytes, len, &module);
    free(bytes);
    if (err) {
        fprintf(stderr, "%s: %s\n", path, kite_error_message(err));
        kite_error_free(err);
        kite_engine_free(engine);
        return 1;
    }

    /* Exports with their types. */
    for (size_t i = 0; i < kite_module_export_count(module); i++) {
        kite_export_desc_t e = kite_module_export(module, i);
        printf("export \"%.*s\"", (int)e.name_len, e.name);
        if (e.kind == KITE_EXTERN_FUNC) {
            const kite_functype_t *t = e.type.of.func;
            printf(": func (");
            for (size_t p = 0; p < kite_functype_param_count(t); p++)
                printf("%s%s", p ? " " : "", kite_valkind_name(kite_functype_param(t, p).kind));
            printf(") -> (");
            for (size_t r = 0; r < kite_functype_result_count(t); r++)
                printf("%s%s", r ? " " : "", kite_valkind_name(kite_functype_result(t, r).kind));
            printf(")");
        }
        printf("\n");
    }

    kite_store_t *store = kite_store_new(engine);
    kite_instance_t *instance;
    kite_trap_t *trap = NULL;
    err = kite_instance_new(store, module, NULL, 0, &instance, &trap);
    kite_extern_t fib;
    int status = 1;
    if (err || trap) {
        fprintf(stderr, "instantiation failed: %s\n",
                err ? kite_error_message(err) : kite_trap_message(trap));
    } else if (!kite_instance_export(instance, "fib", 3, &fib) || fib.kind != KITE_EXTERN_FUNC) {
        fprintf(stderr, "the module has no function \"fib\"\n");
    } else {
        kite_val_t arg = {.kind = KITE_I64, .of.i64 = n}, result;
        err = kite_func_call(store, fib.of.func, &arg, 1, &result, 1, &trap);
        if (err || trap) {
            fprintf(stderr, "fib(%" PRId64 ") failed: %s\n", n,
                    err ? kite_error_message(err) : kite_trap_message(trap));
        } else {
            printf("fib(%" PRId64 ") = %" PRId64 "\n", n, result.of.i64);
            status = 0;
        }
    }
    kite_error_free(err);
    kite_trap_free(trap);
    kite_store_free(store);
    kite_module_free(module);
    kite_engine_free(engine);
    return status;
}
