/*
 * libFuzzer target: decode and validate arbitrary bytes as a binary module.
 * Any input must end in a module or an error, never a crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "kite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One engine for the whole run, as an embedder would have. */
static kite_engine_t *g_engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_engine) {
        g_engine = kite_engine_new(NULL);
        if (!g_engine)
            return 0;
    }
    kite_module_t *module = NULL;
    kite_error_t *error = kite_module_new(g_engine, data, size, &module);
    kite_error_free(error);
    kite_module_free(module);
    return 0;
}
