/* kite explore FILE [--func N|NAME]: the interpreter's translated code of a
 * module's functions (kite_module_disassemble), for debugging. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void write_stdout(void *ud, const char *text, size_t len)
{
    (void)ud;
    fwrite(text, 1, len, stdout);
}

static const char *set_func(void *ctx, const char *value, bool on)
{
    (void)on;
    *(const char **)ctx = value;
    return NULL;
}

static const cli_option explore_options[] = {
    {"--func", NULL, 0, NULL, "N|NAME",
     "only function N (an index, imports first) or NAME (an export, or a name from the name "
     "section, with or without its $)",
     set_func},
    {0},
};

/* The function the command line names: an index, or a name. */
static bool func_by_arg(const kite_module_t *module, const char *arg, uint32_t *index)
{
    if (*arg >= '0' && *arg <= '9') {
        uint64_t v;
        if (!cli_parse_int(arg, 32, &v) || v >= KITE_FUNC_ALL)
            return false;
        *index = (uint32_t)v;
        return true;
    }
    if (*arg == '$')
        arg++;
    return kite_module_func_index(module, arg, strlen(arg), index);
}

static int explore_main(const char *prog, int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    if (!config) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    const char *func = NULL;
    void *const ctxs[] = {&func};
    int nfiles;
    int status = cli_parse_options(&cli_explore_command, prog, ctxs, config, CLI_NEED_FILE, argc, argv,
                                   &nfiles);
    kite_engine_t *engine = status < 0 ? kite_engine_new(config) : NULL;
    kite_config_free(config);
    if (status >= 0)
        return status;
    if (nfiles != 1) {
        cli_usage_error(prog, "takes one FILE");
        kite_engine_free(engine);
        return CLI_EXIT_USAGE;
    }
    if (!engine) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    kite_module_t *module;
    cli_compile_file(engine, argv[0], &module);
    status = module ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    uint32_t index = KITE_FUNC_ALL;
    if (module && func && !func_by_arg(module, func, &index)) {
        cli_error("%s has no function '%s'", argv[0], func);
        status = CLI_EXIT_ERROR;
    } else if (module) {
        kite_error_t *err = kite_module_disassemble(module, index, write_stdout, NULL);
        if (err) {
            cli_error("%s: %s", argv[0], kite_error_message(err));
            kite_error_free(err);
            status = CLI_EXIT_ERROR;
        }
    }
    kite_module_free(module);
    kite_engine_free(engine);
    return status;
}

static const cli_option *const explore_option_tables[] = {explore_options, NULL};

const cli_command cli_explore_command = {
    .name = "explore",
    .synopsis = "[OPTIONS] FILE",
    .summary = "print the interpreter's translated code of each function (debugging)",
    .description = "Translate each function of FILE as the interpreter does and print its\n"
                   "code: per instruction its position, Wasm offset, internal op and operand\n"
                   "fields (slots as s12, branch targets as @position). The format is not\n"
                   "stable.\n",
    .options = explore_option_tables,
    .features = true,
    .main = explore_main,
};
