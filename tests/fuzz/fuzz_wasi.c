/*
 * libFuzzer target: the input chooses WASI functions, their arguments and
 * memory contents (tests/fuzz/wasi_harness.h). One guest serves many
 * inputs; it is restarted after proc_exit and now and then.
 */
#include "wasi_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wh_guest g_guest;
static bool g_ready;

static void cleanup(void) { wh_fini(&g_guest); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready) {
        if (!wh_init(&g_guest))
            abort();
        g_ready = true;
        atexit(cleanup); /* the sandbox directory goes when the run ends */
    }
    wh_src src = {.data = data, .len = size};
    while (!wh_done(&src))
        if (!wh_step(&g_guest, &src))
            abort();
    if (!wh_canary_ok(&g_guest))
        abort();
    return 0;
}
