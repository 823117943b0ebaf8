/*
 * kite: the command-line front of the library. This file only dispatches:
 * `kite COMMAND ...` to the command of that name in the table below, and
 * `kite FILE [ARGS...]` (or `kite --option ... FILE`) to `kite run`.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef KITE_CLI_VERSION
#error "KITE_CLI_VERSION (the project's version) comes from CMakeLists.txt"
#endif

static int help_main(const char *prog, int argc, char **argv);
static int version_main(const char *prog, int argc, char **argv);

static const cli_command help_command = {
    .name = "help",
    .synopsis = "[COMMAND]",
    .summary = "this text, or the options of COMMAND",
    .main = help_main,
};

static const cli_command version_command = {
    .name = "version",
    .synopsis = "",
    .summary = "kite's version (also kite --version)",
    .main = version_main,
};

static const cli_command *const commands[] = {
    &cli_run_command,
    &cli_validate_command,
    &cli_wast_command,
    &cli_explore_command,
    &help_command,
    &version_command,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void short_usage(FILE *out)
{
    fprintf(out, "usage: kite FILE [ARGS...]          run a WebAssembly program (kite run)\n"
                 "       kite COMMAND [OPTIONS] ...   (`kite help` lists the commands)\n");
}

static int version_main(const char *prog, int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        cli_usage_error(prog, "takes no arguments");
        return CLI_EXIT_USAGE;
    }
    printf("kite %s\n", KITE_CLI_VERSION);
    return CLI_EXIT_OK;
}

static int help_main(const char *prog, int argc, char **argv)
{
    if (argc > 1) {
        cli_usage_error(prog, "takes at most one COMMAND");
        return CLI_EXIT_USAGE;
    }
    if (argc == 1) {
        const cli_command *cmd = find_command(argv[0]);
        if (!cmd) {
            cli_usage_error(prog, "no command named '%s' (`kite help` lists them)", argv[0]);
            return CLI_EXIT_USAGE;
        }
        char name[64];
        snprintf(name, sizeof(name), "kite %s", cmd->name);
        cli_print_usage(cmd, name, stdout, true);
        return CLI_EXIT_OK;
    }
    printf("kite %s, a WebAssembly runtime\n\n", KITE_CLI_VERSION);
    short_usage(stdout);
    printf("\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int col = printf("  %s %s", commands[i]->name, commands[i]->synopsis);
        cli_print_wrapped(stdout, col, 32, commands[i]->summary);
    }
    printf("`kite help COMMAND` or `kite COMMAND --help` shows its options.\n"
           "\nexit status, the same for every command:\n");
#define CLI_EXIT_HELP(id, code, help) cli_print_wrapped(stdout, printf("  %d", code), 7, help);
    CLI_EXIT_TABLE(CLI_EXIT_HELP)
#undef CLI_EXIT_HELP
    printf("\nfeatures (--enable-F / --disable-F, or -W F=y / -W F=n):\n");
    kite_config_t *defaults = kite_config_new();
    for (int f = 0; f < KITE_FEATURE_COUNT && defaults; f++)
        cli_print_wrapped(stdout,
                          printf("  %-19s %s", kite_feature_name((kite_feature_t)f),
                                 kite_config_feature(defaults, (kite_feature_t)f) ? "on" : "off"),
                          27, kite_feature_help((kite_feature_t)f));
    kite_config_free(defaults);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        short_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0)
        return version_main("kite", argc - 2, argv + 2);
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
        return help_main("kite help", argc - 2, argv + 2);
    const cli_command *cmd = find_command(first);
    if (cmd) {
        char prog[64];
        snprintf(prog, sizeof(prog), "kite %s", cmd->name);
        return cmd->main(prog, argc - 2, argv + 2);
    }
    /* `kite FILE` runs FILE. A word that is no file and does not look like
     * one (no '.' or '/') is more likely a mistyped command. */
    if (first[0] != '-' && !strpbrk(first, "./") && access(first, F_OK) != 0) {
        cli_error("'%s' is neither a command nor a file (`kite help` lists the commands)", first);
        return CLI_EXIT_USAGE;
    }
    return cli_run_command.main("kite", argc - 1, argv + 1);
}
