/*
 * kite wast FILE...: run WebAssembly scripts (the spec testsuite's format).
 *
 * Module-level commands are carried out: modules must be accepted,
 * assert_invalid / assert_malformed modules rejected with the expected
 * message (kite's message must start with the script's). Commands that need
 * execution are counted as skipped until the runtime exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/module_internal.h"
#include "cli.h"
#include "text/script.h"

typedef struct wast_counts {
    unsigned long passed, failed, skipped;
} wast_counts;

typedef struct wast_run {
    const char *file;
    kite_engine_t *engine;
    wast_counts counts;
    bool verbose;
} wast_run;

/* Build (decode or parse, then validate) a script module. */
static kite_error_t *load_module(wast_run *run, const kscr_module *m, kite_module_t **out)
{
    switch (m->kind) {
    case KSCR_MOD_BINARY:
        return kite_module_new(run->engine, m->bytes, m->len, out);
    case KSCR_MOD_TEXT:
        return kapi_module_new_text_at(run->engine, m->text, m->len, m->line, m->col, out);
    case KSCR_MOD_QUOTE:
        return kapi_module_new_text_at(run->engine, m->text, m->len, 1, 1, out);
    }
    return NULL;
}

static const char *cmd_name(kscr_cmd_kind kind)
{
    switch (kind) {
    case KSCR_CMD_MODULE: return "module";
    case KSCR_CMD_MODULE_INSTANCE: return "module instance";
    case KSCR_CMD_REGISTER: return "register";
    case KSCR_CMD_ACTION: return "action";
    case KSCR_CMD_ASSERT_RETURN: return "assert_return";
    case KSCR_CMD_ASSERT_TRAP: return "assert_trap";
    case KSCR_CMD_ASSERT_EXHAUSTION: return "assert_exhaustion";
    case KSCR_CMD_ASSERT_EXCEPTION: return "assert_exception";
    case KSCR_CMD_ASSERT_INVALID: return "assert_invalid";
    case KSCR_CMD_ASSERT_MALFORMED: return "assert_malformed";
    case KSCR_CMD_ASSERT_UNLINKABLE: return "assert_unlinkable";
    case KSCR_CMD_ASSERT_UNINSTANTIABLE: return "assert_uninstantiable";
    case KSCR_CMD_ASSERT_INVALID_CUSTOM: return "assert_invalid_custom";
    case KSCR_CMD_ASSERT_MALFORMED_CUSTOM: return "assert_malformed_custom";
    }
    return "command";
}

static void fail(wast_run *run, const kscr_cmd *cmd, const char *fmt, const char *a, const char *b)
{
    run->counts.failed++;
    printf("%s:%u:%u: %s failed: ", run->file, cmd->line, cmd->col, cmd_name(cmd->kind));
    printf(fmt, a, b);
    printf("\n");
}

static void run_module_cmd(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = NULL;
    kite_error_t *err = load_module(run, &cmd->module, &module);
    if (err) {
        fail(run, cmd, "module rejected: %s%s", kite_error_message(err), "");
        kite_error_free(err);
        return;
    }
    kite_module_free(module);
    run->counts.passed++;
}

/* assert_invalid / assert_malformed: the module must be rejected with the message. */
static void run_reject_cmd(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = NULL;
    kite_error_t *err = load_module(run, &cmd->module, &module);
    if (!err) {
        kite_module_free(module);
        fail(run, cmd, "module was accepted, expected \"%s\"%s", cmd->message, "");
        return;
    }
    const char *msg = kite_error_message(err);
    if (strncmp(msg, cmd->message, strlen(cmd->message)) == 0)
        run->counts.passed++;
    else
        fail(run, cmd, "expected \"%s\", got \"%s\"", cmd->message, msg);
    kite_error_free(err);
}

static void run_cmd(wast_run *run, const kscr_cmd *cmd)
{
    switch (cmd->kind) {
    case KSCR_CMD_MODULE:
        run_module_cmd(run, cmd);
        return;
    case KSCR_CMD_ASSERT_INVALID:
    case KSCR_CMD_ASSERT_MALFORMED:
        run_reject_cmd(run, cmd);
        return;
    default:
        /* Needs execution (or is about custom annotations, which kite
         * ignores as the spec allows). */
        run->counts.skipped++;
        return;
    }
}

static bool run_file(wast_run *run, const char *path)
{
    size_t len;
    char *src = cli_read_file(path, &len);
    if (!src)
        return false;
    kscr_script *script = NULL;
    kite_error_t *err = kscr_parse(src, len, &script);
    if (err) {
        cli_print_error(stdout, path, err);
        kite_error_free(err);
        free(src);
        return false;
    }
    run->file = path;
    for (uint32_t i = 0; i < script->ncmds; i++)
        run_cmd(run, &script->cmds[i]);
    kscr_free(script);
    free(src);
    return true;
}

int cli_wast(int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    if (!config) {
        fprintf(stderr, "kite: out of memory\n");
        return 2;
    }
    wast_run run = {0};
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_feature_flag(config, argv[i]))
            continue;
        if (strcmp(argv[i], "-v") == 0) {
            run.verbose = true;
            continue;
        }
        if (argv[i][0] == '-') {
            fprintf(stderr, "kite wast: unknown option '%s'\n", argv[i]);
            kite_config_free(config);
            return 2;
        }
        nfiles++;
    }
    if (nfiles == 0) {
        fprintf(stderr, "usage: kite wast [-v] [--enable-F|--disable-F]... FILE...\n");
        kite_config_free(config);
        return 2;
    }
    wast_counts total = {0};
    unsigned long broken_files = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        run.engine = kite_engine_new(config);
        if (!run.engine) {
            fprintf(stderr, "kite: out of memory\n");
            break;
        }
        run.counts = (wast_counts){0};
        if (!run_file(&run, argv[i])) {
            broken_files++;
            run.counts.failed++;
        }
        printf("%s: %lu passed, %lu failed, %lu skipped\n", argv[i], run.counts.passed,
               run.counts.failed, run.counts.skipped);
        total.passed += run.counts.passed;
        total.failed += run.counts.failed;
        total.skipped += run.counts.skipped;
        kite_engine_free(run.engine);
    }
    kite_config_free(config);
    if (broken_files)
        printf("%lu file(s) could not be read or parsed\n", broken_files);
    printf("%lu passed, %lu failed, %lu skipped\n", total.passed, total.failed, total.skipped);
    return total.failed ? 1 : 0;
}
