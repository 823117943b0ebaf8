/* kite validate FILE: decode or parse, then validate. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_validate(int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    const char *file = NULL;
    if (!config) {
        fprintf(stderr, "kite: out of memory\n");
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        if (cli_feature_flag(config, argv[i]))
            continue;
        if (argv[i][0] == '-' || file) {
            fprintf(stderr, "kite validate: unexpected argument '%s'\n", argv[i]);
            kite_config_free(config);
            return 2;
        }
        file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "usage: kite validate [--enable-F|--disable-F]... FILE\n");
        kite_config_free(config);
        return 2;
    }
    size_t len;
    char *bytes = cli_read_file(file, &len);
    kite_engine_t *engine = bytes ? kite_engine_new(config) : NULL;
    kite_config_free(config);
    if (!engine) {
        free(bytes);
        return 2;
    }
    kite_module_t *module = NULL;
    kite_error_t *err = kite_module_new_any(engine, (const uint8_t *)bytes, len, &module);
    int status = 0;
    if (err) {
        cli_print_error(stdout, file, err);
        kite_error_free(err);
        status = 1;
    }
    kite_module_free(module);
    kite_engine_free(engine);
    free(bytes);
    return status;
}
