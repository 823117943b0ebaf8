/*
 * What an instance costs its store. A store keeps every instance until it
 * is freed (docs/NOTES.md: funcrefs, frames and handles may still point
 * into it), so an instance must be small: one allocation for itself, its
 * index spaces and everything it defines (element segments apart), not a
 * dozen. Counted with an allocator of the test's own, through kite.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

typedef struct counts {
    size_t allocations; /* new blocks */
    size_t bytes;       /* asked for by them and by resizes that grow */
} counts;

static void *counting_realloc(void *user, void *ptr, size_t size)
{
    counts *c = user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (!ptr)
        c->allocations++;
    c->bytes += size;
    return realloc(ptr, size);
}

int main(void)
{
    counts c = {0, 0};
    kite_config_t *config = kite_config_new();
    kite_allocator_t alloc = {counting_realloc, &c};
    kite_config_set_allocator(config, &alloc);
    kite_engine_t *engine = kite_engine_new(config);
    kite_config_free(config);
    /* Three functions and a global, as small programs and the wasm-c-api
     * finalize example make by the hundred thousand. */
    const char *text = "(module (global (mut i32) (i32.const 7))"
                       "  (func (export \"f\")) (func (export \"g\")) (func (export \"h\")))";
    kite_module_t *module = NULL;
    kite_error_t *err = kite_module_new_text(engine, text, strlen(text), &module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    if (err)
        return 1;
    kite_store_t *store = kite_store_new(engine);
    enum { N = 1000 };
    for (int warm = 0; warm < 2; warm++) {
        counts before = c;
        for (int i = 0; i < N; i++) {
            kite_instance_t *inst = NULL;
            kite_trap_t *trap = NULL;
            err = kite_instance_new(store, module, NULL, 0, &inst, &trap);
            CHECK(!err && !trap && inst, "instance %d", i);
            kite_error_free(err);
            kite_trap_free(trap);
        }
        size_t allocations = c.allocations - before.allocations, bytes = c.bytes - before.bytes;
        /* The store's list of instances grows by doubling: a few more. */
        CHECK(allocations <= N + N / 50, "%zu allocations for %d instances (one each)", allocations,
              N);
        /* krt_func is ~100 bytes: three of them, the instance and its
         * arrays fit in well under 1 KB. */
        CHECK(bytes / N < 640, "%zu bytes per instance", bytes / N);
        if (warm)
            printf("%zu allocations, %zu bytes per instance\n", allocations / N, bytes / N);
    }
    kite_store_free(store);
    kite_module_free(module);
    kite_engine_free(engine);
    return g_failures ? 1 : 0;
}
