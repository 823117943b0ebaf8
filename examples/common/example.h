/*
 * What the examples that run a module of their own share: finding it beside
 * the example's source (EXAMPLE_DIR, set by the example's CMakeLists.txt)
 * and compiling it. Included by path ("../common/example.h"), so that each
 * example still builds from its one source file with pkg-config.
 */
#ifndef KITE_EXAMPLE_H
#define KITE_EXAMPLE_H

#include <stdio.h>

#include <kite.h>

#ifndef EXAMPLE_DIR
#define EXAMPLE_DIR "."
#endif

/* The text-format module EXAMPLE_DIR/FILE compiled for ENGINE, or NULL
 * after saying on stderr why not. */
static kite_module_t *example_module(kite_engine_t *engine, const char *file)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", EXAMPLE_DIR, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof(text), f);
    fclose(f);
    kite_module_t *module;
    kite_error_t *err = kite_module_new_text(engine, text, len, &module);
    if (err) {
        fprintf(stderr, "%s: %s\n", file, kite_error_message(err));
        kite_error_free(err);
        return NULL;
    }
    return module;
}

#endif
