/*
 * A WASI command run through the standard C API (wasm.h), with kite's
 * WASI for wasm.h stores (kite_wasm.h):
 *
 *     wasm-wasi [PROGRAM.wasm [ARGS...]]
 *
 * Without a program it runs the small one below, which prints a line and
 * exits with status 3. The current directory is pre-opened, read-only, as
 * ".". The exit status is the program's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kite_wasm.h>
#include <wasm.h>

/*
 * (module
 *   (import "wasi_snapshot_preview1" "fd_write"
 *     (func $fd_write (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 16) "Hello from wasm.h and WASI!\n")
 *   (func (export "_start")
 *     (i32.store (i32.const 0) (i32.const 16))
 *     (i32.store (i32.const 4) (i32.const 28))
 *     (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
 *     (call $proc_exit (i32.const 3))))
 */
static const unsigned char hello_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x10, 0x03, 0x60,
    0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60,
    0x00, 0x00, 0x02, 0x46, 0x02, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73,
    0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76,
    0x69, 0x65, 0x77, 0x31, 0x08, 0x66, 0x64, 0x5f, 0x77, 0x72, 0x69, 0x74,
    0x65, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61,
    0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65,
    0x77, 0x31, 0x09, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x65, 0x78, 0x69, 0x74,
    0x00, 0x01, 0x03, 0x02, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07,
    0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
    0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x02, 0x0a, 0x21, 0x01, 0x1f,
    0x00, 0x41, 0x00, 0x41, 0x10, 0x36, 0x02, 0x00, 0x41, 0x04, 0x41, 0x1c,
    0x36, 0x02, 0x00, 0x41, 0x01, 0x41, 0x00, 0x41, 0x01, 0x41, 0x08, 0x10,
    0x00, 0x1a, 0x41, 0x03, 0x10, 0x01, 0x0b, 0x0b, 0x22, 0x01, 0x00, 0x41,
    0x10, 0x0b, 0x1c, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72, 0x6f,
    0x6d, 0x20, 0x77, 0x61, 0x73, 0x6d, 0x2e, 0x68, 0x20, 0x61, 0x6e, 0x64,
    0x20, 0x57, 0x41, 0x53, 0x49, 0x21, 0x0a,
};

/* The whole file into *out, or false. */
static bool read_file(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        if (f)
            fclose(f);
        return false;
    }
    long size = ftell(f);
    rewind(f);
    wasm_byte_vec_new_uninitialized(out, size > 0 ? (size_t)size : 0);
    bool ok = size >= 0 && fread(out->data, 1, out->size, f) == out->size;
    fclose(f);
    return ok;
}

static int fail(const char *what, wasm_message_t *why)
{
    fprintf(stderr, "wasm-wasi: %s: %s\n", what, why->data);
    wasm_name_delete(why);
    return 1;
}

int main(int argc, char **argv)
{
    wasm_byte_vec_t binary;
    if (argc > 1) {
        if (!read_file(argv[1], &binary)) {
            perror(argv[1]);
            return 1;
        }
    } else {
        wasm_byte_vec_new(&binary, sizeof(hello_wasm), (const wasm_byte_t *)hello_wasm);
    }
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_message_t why;
    wasm_module_t *module = kite_wasm_module_new(store, &binary, &why);
    wasm_byte_vec_delete(&binary);
    if (!module)
        return fail(argc > 1 ? argv[1] : "hello", &why);

    /* The program's arguments, stdio (inherited by default) and files. */
    kite_wasi_config_t *config = kite_wasi_config_new();
    kite_wasi_config_push_arg(config, argc > 1 ? argv[1] : "hello");
    for (int i = 2; i < argc; i++)
        kite_wasi_config_push_arg(config, argv[i]);
    kite_wasi_config_preopen_dir(config, ".", ".", KITE_WASI_READONLY);
    bool ok = kite_wasm_store_set_wasi(store, config, &why);
    kite_wasi_config_free(config);
    if (!ok)
        return fail("WASI", &why);

    wasm_extern_vec_t imports;
    if (!kite_wasm_wasi_imports(store, module, &imports, &why))
        return fail("imports", &why);
    wasm_trap_t *trap = NULL;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
    wasm_extern_vec_delete(&imports);

    /* Find and call "_start". */
    if (instance) {
        wasm_exporttype_vec_t types;
        wasm_extern_vec_t exports;
        wasm_module_exports(module, &types);
        wasm_instance_exports(instance, &exports);
        for (size_t i = 0; i < types.size; i++) {
            const wasm_name_t *name = wasm_exporttype_name(types.data[i]);
            wasm_func_t *start = wasm_extern_as_func(exports.data[i]);
            if (start && name->size == 6 && memcmp(name->data, "_start", 6) == 0) {
                wasm_val_vec_t none = WASM_EMPTY_VEC;
                trap = wasm_func_call(start, &none, &none);
            }
        }
        wasm_extern_vec_delete(&exports);
        wasm_exporttype_vec_delete(&types);
        wasm_instance_delete(instance);
    }

    int status = 0;
    uint32_t code;
    fflush(stdout);
    if (kite_wasm_wasi_exit_code(store, &code)) {
        status = (int)code;
    } else if (trap) {
        wasm_message_t text;
        kite_wasm_trap_format(trap, argc > 1 ? argv[1] : "hello", &text);
        fprintf(stderr, "wasm-wasi: trap: %s\n", text.data);
        wasm_name_delete(&text);
        status = 134;
    }
    wasm_trap_delete(trap);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return status;
}
