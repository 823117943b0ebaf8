/* kite validate FILE...: decode or parse, then validate; silent when valid. */
#include <stdlib.h>

#include "cli.h"

static int validate_main(const char *prog, int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    if (!config) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int nfiles;
    int status = cli_parse_options(&cli_validate_command, prog, NULL, config, CLI_NEED_FILE,
                                   argc, argv, &nfiles);
    kite_engine_t *engine = status < 0 ? kite_engine_new(config) : NULL;
    kite_config_free(config);
    if (status >= 0)
        return status;
    if (!engine) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    status = CLI_EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        kite_module_t *module;
        cli_compile_file(engine, argv[i], &module);
        if (!module)
            status = CLI_EXIT_ERROR;
        kite_module_free(module);
    }
    kite_engine_free(engine);
    return status;
}

const cli_command cli_validate_command = {
    .name = "validate",
    .synopsis = "[OPTIONS] FILE...",
    .summary = "check modules (.wasm or .wat): silent when valid, else why not",
    .description = "Decode or parse each FILE and validate it. Nothing is printed for a valid\n"
                   "module; a problem is reported on stderr as FILE:LINE:COLUMN (text) or\n"
                   "FILE+0xOFFSET (binary) and the reason, and the exit status is 1.\n",
    .features = true,
    .main = validate_main,
};
