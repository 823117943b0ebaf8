/*
 * libFuzzer target for the text front end: the bytes as a WAT module
 * (parse + validate) and as a WAST script (parse only).
 */
#include <stddef.h>
#include <stdint.h>

#include "kite.h"
#include "text/script.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kite_engine_t *g_engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_engine) {
        g_engine = kite_engine_new(NULL);
        if (!g_engine)
            return 0;
    }
    kite_module_t *module = NULL;
    kite_error_t *error = kite_module_new_text(g_engine, (const char *)data, size, &module);
    kite_error_free(error);
    kite_module_free(module);

    kscr_script *script = NULL;
    error = kscr_parse(&kutil_libc, (const char *)data, size, &script);
    kite_error_free(error);
    kscr_free(script);
    return 0;
}
