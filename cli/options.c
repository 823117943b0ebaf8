/*
 * Command-line options, from the subcommands' tables (cli_option): parsing
 * of every spelling (--opt VALUE, --opt=VALUE, -W KEY=VALUE,KEY..., -S KEY,
 * --wasm=..., --wasi ...), the feature options derived from the library's
 * feature table, and the help texts.
 *
 * The -W and -S groups follow Wasmtime's: comma-separated KEY[=VALUE], a
 * flag's value y/yes/true or n/no/false (none: on), numbers also in 0x
 * hexadecimal, and `-W help` listing the keys.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 24

typedef struct parser {
    const cli_command *cmd;
    const char *prog;
    void *const *ctxs;
    kite_config_t *config;
} parser;

/* ---- finding options ---------------------------------------------------------------- */

typedef struct found {
    const cli_option *opt;
    void *ctx;
} found;

/* The option spelled `name` (len bytes): with group 0 its long name or
 * alias, else its key in that group (-W, -S). */
static bool find_option(const parser *p, char group, const char *name, size_t len, found *out)
{
    for (size_t t = 0; p->cmd->options && p->cmd->options[t]; t++) {
        for (const cli_option *o = p->cmd->options[t]; o->set; o++) {
            const char *spellings[2] = {group ? (o->group == group ? o->key : NULL) : o->name,
                                        group ? NULL : o->alias};
            for (size_t k = 0; k < 2; k++) {
                if (spellings[k] && strlen(spellings[k]) == len &&
                    memcmp(spellings[k], name, len) == 0) {
                    *out = (found){o, p->ctxs[t]};
                    return true;
                }
            }
        }
    }
    return false;
}

/* y/yes/true/(nothing) or n/no/false; false when neither. */
static bool parse_switch(const char *value, bool *on)
{
    static const char *const yes[] = {"y", "yes", "true"}, *const no[] = {"n", "no", "false"};
    *on = true;
    if (!value)
        return true;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(value, yes[i]) == 0)
            return true;
        if (strcmp(value, no[i]) == 0) {
            *on = false;
            return true;
        }
    }
    return false;
}

/* ---- applying --------------------------------------------------------------------------- */

/* Hands the value to the option; false after a message. `spelled` is how
 * the user named the option ("--fuel", "-W fuel"). */
static bool apply(const parser *p, const found *f, const char *spelled, const char *value, bool on)
{
    const char *why = f->opt->set(f->ctx, value, on);
    if (!why)
        return true;
    if (value)
        cli_usage_error(p->prog, "bad value '%s' for %s: %s", value, spelled, why);
    else
        cli_usage_error(p->prog, "%s: %s", spelled, why);
    return false;
}

/* --enable-F / --disable-F; 0 when `arg` is not one, -1 after a message. */
static int feature_flag(const parser *p, const char *arg)
{
    bool enable = strncmp(arg, "--enable-", 9) == 0;
    if (!p->config || (!enable && strncmp(arg, "--disable-", 10) != 0))
        return 0;
    const char *eq = strchr(arg, '=');
    if (eq) {
        cli_usage_error(p->prog, "%.*s takes no value (got '%s')", (int)(eq - arg), arg, eq + 1);
        return -1;
    }
    int f = kite_feature_by_name(arg + (enable ? 9 : 10));
    if (f < 0) {
        cli_usage_error(p->prog, "unknown feature '%s' in %s (`kite help` lists the features)",
                        arg + (enable ? 9 : 10), arg);
        return -1;
    }
    kite_config_set_feature(p->config, (kite_feature_t)f, enable);
    return 1;
}

static void print_group_help(const parser *p, char group);

/* One KEY[=VALUE] of -W or -S, split in place (the value lives on in argv,
 * where handlers may keep it); false after a message. */
static bool group_item(const parser *p, char group, char *item)
{
    char *value = strchr(item, '=');
    if (value)
        *value++ = 0;
    char spelled[128];
    snprintf(spelled, sizeof(spelled), "-%c %s", group, item);
    bool ok = false, on;
    found f;
    int feature = -1;
    if (find_option(p, group, item, strlen(item), &f)) {
        if (f.opt->value_name && !value)
            cli_usage_error(p->prog, "%s needs a value (%s=%s)", spelled, spelled,
                            f.opt->value_name);
        else if (!f.opt->value_name && !parse_switch(value, &on))
            cli_usage_error(p->prog, "bad value '%s' for %s: expected y or n", value, spelled);
        else
            ok = apply(p, &f, spelled, f.opt->value_name ? value : NULL,
                       f.opt->value_name ? true : on);
    } else if (group == 'W' && p->config &&
               (strcmp(item, "all-proposals") == 0 ||
                (feature = kite_feature_by_name(item)) >= 0)) {
        if (!parse_switch(value, &on)) {
            cli_usage_error(p->prog, "bad value '%s' for %s: expected y or n", value, spelled);
        } else {
            for (int k = 0; k < KITE_FEATURE_COUNT; k++)
                if (feature < 0 || k == feature)
                    kite_config_set_feature(p->config, (kite_feature_t)k, on);
            ok = true;
        }
    } else {
        cli_usage_error(p->prog, "unknown option %s (`%s -%c help` lists them)", spelled, p->prog,
                        group);
    }
    return ok;
}

/* The value of -W/-S: "help", or items separated by commas (split in
 * place). -1 when done, else the exit status. */
static int group_option(const parser *p, char group, char *list)
{
    if (strcmp(list, "help") == 0) {
        print_group_help(p, group);
        return CLI_EXIT_OK;
    }
    if (!*list || *list == ',' || strstr(list, ",,") || list[strlen(list) - 1] == ',') {
        cli_usage_error(p->prog, "empty item in -%c %s", group, list);
        return CLI_EXIT_USAGE;
    }
    for (char *item = list; item;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma++ = 0;
        if (!group_item(p, group, item))
            return CLI_EXIT_USAGE;
        item = comma;
    }
    return -1;
}

/* -W, -WKEY, --wasm, --wasm=KEY (and the same for -S, --wasi): the group
 * letter, or 0 when `arg` is none of them. *attached is the value glued on. */
static char group_of(char *arg, char **attached)
{
    static const struct {
        char letter;
        const char *longname;
    } groups[] = {{'W', "--wasm"}, {'S', "--wasi"}};
    for (size_t g = 0; g < 2; g++) {
        size_t n = strlen(groups[g].longname);
        if (arg[0] == '-' && arg[1] == groups[g].letter) {
            *attached = arg[2] ? arg + 2 : NULL;
            return groups[g].letter;
        }
        if (strncmp(arg, groups[g].longname, n) == 0 && (arg[n] == 0 || arg[n] == '=')) {
            *attached = arg[n] ? arg + n + 1 : NULL;
            return groups[g].letter;
        }
    }
    return 0;
}

/* The option at argv[*i] (advanced past its value); -1 when taken, else
 * the exit status. */
static int one_option(const parser *p, int argc, char **argv, int *i)
{
    char *arg = argv[*i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        cli_print_usage(p->cmd, p->prog, stdout, true);
        return CLI_EXIT_OK;
    }
    char *attached;
    char group = group_of(arg, &attached);
    if (group) {
        if (!attached && *i + 1 == argc) {
            cli_usage_error(p->prog, "%s needs KEY[=VALUE] (`%s -%c help` lists the keys)", arg,
                            p->prog, group);
            return CLI_EXIT_USAGE;
        }
        return group_option(p, group, attached ? attached : argv[++*i]);
    }
    int feature = feature_flag(p, arg);
    if (feature)
        return feature > 0 ? -1 : CLI_EXIT_USAGE;
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    found f;
    if (!find_option(p, 0, arg, nlen, &f)) {
        cli_usage_error(p->prog, "unknown option '%.*s' (`%s --help` lists the options)",
                        (int)nlen, arg, p->prog);
        return CLI_EXIT_USAGE;
    }
    char spelled[128];
    snprintf(spelled, sizeof(spelled), "%.*s", (int)nlen, arg);
    if (!f.opt->value_name) {
        if (eq) {
            cli_usage_error(p->prog, "%s takes no value (got '%s')", spelled, eq + 1);
            return CLI_EXIT_USAGE;
        }
        return apply(p, &f, spelled, NULL, true) ? -1 : CLI_EXIT_USAGE;
    }
    if (!eq && *i + 1 == argc) {
        cli_usage_error(p->prog, "%s needs a value (%s %s)", spelled, spelled, f.opt->value_name);
        return CLI_EXIT_USAGE;
    }
    const char *value = eq ? eq + 1 : argv[++*i];
    return apply(p, &f, spelled, value, true) ? -1 : CLI_EXIT_USAGE;
}

int cli_parse_options(const cli_command *cmd, const char *prog, void *const *ctxs,
                      kite_config_t *config, unsigned how, int argc, char **argv, int *noperands)
{
    parser p = {cmd, prog, ctxs, config};
    int n = 0, i = 0;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == 0) { /* an operand ("-" too) */
            argv[n++] = argv[i];
            if (how & CLI_STOP_AT_OPERAND) {
                i++;
                break;
            }
            continue;
        }
        int status = one_option(&p, argc, argv, &i);
        if (status >= 0)
            return status;
    }
    while (i < argc)
        argv[n++] = argv[i++];
    *noperands = n;
    if (n == 0 && (how & CLI_NEED_FILE)) {
        cli_usage_error(prog, "no FILE given");
        cli_print_usage(cmd, prog, stderr, false);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* ---- help ---------------------------------------------------------------------------------- */

void cli_print_wrapped(FILE *out, int col, int column, const char *text)
{
    const int width = 79 - column;
    if (col > 0 && col >= column - 1) {
        fputc('\n', out);
        col = 0;
    }
    const char *s = text;
    while (*s == ' ')
        s++;
    while (*s) {
        /* The longest run of whole words that fits (or one long word). */
        int len = 0, fit = 0;
        while (s[len] && s[len] != '\n' && len <= width) {
            if (s[len] == ' ')
                fit = len;
            len++;
        }
        if (len <= width)
            fit = len; /* the rest of the line fits */
        else if (fit == 0)
            while (s[fit] && s[fit] != ' ' && s[fit] != '\n')
                fit++;
        fprintf(out, "%*s%.*s\n", column - col, "", fit, s);
        col = 0;
        s += fit;
        while (*s == ' ' || *s == '\n')
            s++;
    }
}

static void print_help_text(FILE *out, int col, const char *help)
{
    cli_print_wrapped(out, col, HELP_COLUMN, help);
}

static int print_spellings(FILE *out, const cli_option *o)
{
    int col = fprintf(out, "  ");
    const char *sep = "";
    if (o->name) {
        col += fprintf(out, "%s", o->name);
        if (o->value_name)
            col += fprintf(out, " %s", o->value_name);
        sep = ", ";
    }
    if (o->alias) {
        col += fprintf(out, "%s%s", sep, o->alias);
        sep = ", ";
    }
    if (o->group)
        col += fprintf(out, "%s-%c %s%s%s", sep, o->group, o->key, o->value_name ? "=" : "",
                       o->value_name ? o->value_name : "[=y|n]");
    return col;
}

/* The feature names, as help text from column `col`. */
static void print_feature_names(FILE *out, int col, const char *intro)
{
    cli_buf names = {.len = 0};
    cli_buf_printf(&names, "%s", intro);
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        cli_buf_printf(&names, "%s%s", kite_feature_name((kite_feature_t)f),
                       f + 1 < KITE_FEATURE_COUNT ? ", " : "");
    print_help_text(out, col, names.text);
}

static bool has_group(const cli_command *cmd, char group)
{
    for (size_t t = 0; cmd->options && cmd->options[t]; t++)
        for (const cli_option *o = cmd->options[t]; o->set; o++)
            if (o->group == group)
                return true;
    return false;
}

void cli_print_usage(const cli_command *cmd, const char *prog, FILE *out, bool full)
{
    fprintf(out, "usage: %s %s\n", prog, cmd->synopsis);
    if (!full) {
        fprintf(out, "(`%s --help` explains the options)\n", prog);
        return;
    }
    if (cmd->description)
        fprintf(out, "\n%s", cmd->description);
    fprintf(out, "\noptions:\n");
    for (size_t t = 0; cmd->options && cmd->options[t]; t++)
        for (const cli_option *o = cmd->options[t]; o->set; o++)
            print_help_text(out, print_spellings(out, o), o->help);
    if (cmd->features)
        print_feature_names(out, fprintf(out, "  --enable-F, --disable-F, -W F[=y|n]"),
                            "turn the Wasm feature F on or off (-W all-proposals: all; "
                            "`kite help` explains them): ");
    print_help_text(out, fprintf(out, "  -h, --help"), "this text");
    bool has_s = has_group(cmd, 'S');
    fprintf(out, "\n");
    cli_buf note = {.len = 0};
    cli_buf_printf(&note, "Every option taking a value is also written --opt=VALUE. %s "
                          "KEY[=VALUE] items separated by commas, as Wasmtime's do; "
                          "`%s -W help`%s them.",
                   has_s ? "-W and -S (long forms --wasm and --wasi) take"
                         : "-W (long form --wasm) takes",
                   prog, has_s ? " and `-S help` list" : " lists");
    cli_print_wrapped(out, 0, 0, note.text);
    if (cmd->notes) {
        fputc('\n', out);
        cmd->notes(out);
    }
}

static void print_group_help(const parser *p, char group)
{
    printf("-%c (--%s) options of %s: -%c KEY[=VALUE][,KEY[=VALUE]...]\n", group,
           group == 'W' ? "wasm" : "wasi", p->prog, group);
    for (size_t t = 0; p->cmd->options && p->cmd->options[t]; t++) {
        for (const cli_option *o = p->cmd->options[t]; o->set; o++) {
            if (o->group != group)
                continue;
            int col = printf("  -%c %s%s%s", group, o->key, o->value_name ? "=" : "[=y|n]",
                             o->value_name ? o->value_name : "");
            print_help_text(stdout, col, o->help);
        }
    }
    if (group == 'W' && p->config) {
        print_feature_names(stdout, printf("  -W FEATURE[=y|n]"),
                            "turn a Wasm feature on or off: ");
        print_help_text(stdout, printf("  -W all-proposals[=y|n]"), "every feature");
    }
}

/* ---- options shared by subcommands: store limits ----------------------------------------- */

/* A size more than zero, at most max. */
static const char *positive_size(const char *value, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!cli_parse_size(value, &v))
        return "expected a number (decimal or 0x hex) with an optional k, m or g suffix";
    if (v == 0)
        return "expected more than 0";
    if (v > max)
        return "too large";
    *out = v;
    return NULL;
}

static const char *set_max_memory(void *ctx, const char *value, bool on)
{
    (void)on;
    return positive_size(value, UINT64_MAX, &((kite_store_limits_t *)ctx)->memory_bytes);
}

static const char *set_max_table_elements(void *ctx, const char *value, bool on)
{
    (void)on;
    return positive_size(value, UINT64_MAX, &((kite_store_limits_t *)ctx)->table_elements);
}

static const char *set_max_instances(void *ctx, const char *value, bool on)
{
    (void)on;
    uint64_t n;
    const char *why = positive_size(value, UINT32_MAX, &n);
    if (!why)
        ((kite_store_limits_t *)ctx)->instances = (uint32_t)n;
    return why;
}

static const char *set_max_wasm_stack(void *ctx, const char *value, bool on)
{
    (void)on;
    uint64_t bytes;
    const char *why = positive_size(value, (uint64_t)UINT32_MAX * 8, &bytes);
    if (!why && bytes < 8)
        why = "expected at least 8 bytes (one value)";
    if (!why)
        ((kite_store_limits_t *)ctx)->stack_slots = (uint32_t)(bytes / 8);
    return why;
}

static const char *set_gc_heap_limit(void *ctx, const char *value, bool on)
{
    (void)on;
    return positive_size(value, UINT64_MAX, &((kite_store_limits_t *)ctx)->gc_heap_bytes);
}

const cli_option cli_limit_options[] = {
    {"--max-memory", NULL, 'W', "max-memory-size", "BYTES",
     "limit all linear memories together to BYTES; memory.grow beyond it returns -1 "
     "(k, m, g suffixes: times 1024, 1024^2, 1024^3)",
     set_max_memory},
    {NULL, NULL, 'W', "max-table-elements", "N", "limit all tables together to N elements",
     set_max_table_elements},
    {NULL, NULL, 'W', "max-instances", "N", "allow at most N instances", set_max_instances},
    {NULL, NULL, 'W', "max-wasm-stack", "BYTES",
     "the size of the Wasm value stack (default 8m); exhausting it traps with "
     "\"call stack exhausted\"",
     set_max_wasm_stack},
    {"--gc-heap-limit", NULL, 'W', "gc-heap-limit", "BYTES",
     "limit the GC heap (structs, arrays, exceptions, host references); a GC "
     "allocation that does not fit after "
     "a collection traps",
     set_gc_heap_limit},
    {0},
};

/* ---- options shared by subcommands: the execution tier ------------------------------------ */

static const char *set_tier(void *ctx, const char *value, bool on)
{
    (void)on;
    int t = kite_tier_by_name(value);
    if (t < 0)
        return "expected interp, jit or auto";
    kite_config_set_tier((kite_config_t *)ctx, (kite_tier_t)t);
    return NULL;
}

static const char *set_tier_threshold(void *ctx, const char *value, bool on)
{
    (void)on;
    uint64_t n;
    if (!cli_parse_size(value, &n) || n == 0 || n > UINT32_MAX)
        return "expected a number from 1 to 4294967295";
    kite_config_set_tier_threshold((kite_config_t *)ctx, (uint32_t)n);
    return NULL;
}

static const char *set_jit_baseline(void *ctx, const char *value, bool on)
{
    (void)value;
    kite_config_set_jit_baseline((kite_config_t *)ctx, on);
    return NULL;
}

static const char *set_jit_no_avx(void *ctx, const char *value, bool on)
{
    (void)value;
    kite_config_set_jit_avx((kite_config_t *)ctx, !on);
    return NULL;
}

const cli_option cli_tier_options[] = {
    {"--tier", NULL, 0, NULL, "TIER",
     "how Wasm code runs: auto (the default: interpreted, hot functions compiled to "
     "native code), interp (the interpreter only) or jit (every function compiled before "
     "it runs; a module using what the compiler does not handle yet is refused, naming "
     "the instruction)",
     set_tier},
    {"--tier-threshold", NULL, 0, NULL, "N",
     "with --tier=auto: calls plus loop iterations after which a function is compiled "
     "(default 1000)",
     set_tier_threshold},
    {"--jit-baseline", NULL, 0, NULL, NULL,
     "compiled code uses only the baseline instruction set (x86-64: SSE2), none of the "
     "extensions detected at start-up",
     set_jit_baseline},
    {"--jit-no-avx", NULL, 0, NULL, NULL,
     "compiled SIMD code uses the SSE encodings even where the CPU has AVX",
     set_jit_no_avx},
    {0},
};

/* ---- options shared by subcommands: the engine's configuration ---------------------------- */

static const char *set_memory_reservation(void *ctx, const char *value, bool on)
{
    (void)on;
    uint64_t bytes;
    const char *why = positive_size(value, UINT64_MAX, &bytes);
    if (!why) {
        kite_config_set_memory_reserve(ctx, bytes);
        kite_config_set_shared_memory_reserve(ctx, bytes);
    }
    return why;
}

const cli_option cli_engine_options[] = {
    {"--memory-reservation", NULL, 'W', "memory-reservation", "BYTES",
     "reserve at most BYTES of address space for each linear memory; below 8g + 64k, "
     "32-bit memories check bounds instead of faulting in a guard region (for valgrind, "
     "or where address space is scarce), and memory.grow past BYTES returns -1",
     set_memory_reservation},
    {0},
};
