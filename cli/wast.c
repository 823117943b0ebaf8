/*
 * kite wast FILE...: run WebAssembly scripts (the spec testsuite's format).
 *
 * Every command is carried out: modules are compiled and instantiated
 * through a linker that holds the `spectest` module and the registered
 * instances; actions run, and assertions check results, traps and errors.
 * Messages match when the script's text is a prefix of kite's. Each script
 * file gets its own engine and store, so registered instances live until
 * the file ends. With --skip-list, listed files only have their modules
 * compiled and their assert_invalid/assert_malformed checked (execution
 * commands count as skipped), and listed file:line commands are skipped.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/module_internal.h"
#include "cli.h"
#include "util/alloc.h"
#include "wast.h"

/* ---- bookkeeping ------------------------------------------------------------ */

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
    case KSCR_CMD_THREAD: return "thread";
    case KSCR_CMD_WAIT: return "wait";
    }
    return "command";
}

static void skip(wast_run *run, const kscr_cmd *cmd, const char *reason);

static void fail(wast_run *run, const kscr_cmd *cmd, const cli_buf *why)
{
    if (run->unsupported) {
        /* not a failure: the module uses what the execution tier cannot run */
        skip(run, cmd, run->unsupported);
        return;
    }
    run->counts.failed++;
    if (wast_oom_failure(run, cmd->line, cmd_name(cmd->kind), why->text))
        return;
    printf("%s:%u:%u: %s failed: %s\n", run->file, cmd->line, cmd->col, cmd_name(cmd->kind),
           why->text);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void failf(wast_run *run, const kscr_cmd *cmd, const char *fmt, ...)
{
    cli_buf why = {.len = 0};
    va_list ap;
    va_start(ap, fmt);
    cli_buf_vprintf(&why, fmt, ap);
    va_end(ap);
    fail(run, cmd, &why);
}

static void pass(wast_run *run)
{
    run->counts.passed++;
}

static void skip(wast_run *run, const kscr_cmd *cmd, const char *reason)
{
    run->counts.skipped++;
    if (run->verbose)
        printf("%s:%u:%u: %s skipped: %s\n", run->file, cmd->line, cmd->col,
               cmd_name(cmd->kind), reason);
}

static bool prefix(const char *want, const char *got)
{
    return strncmp(got, want, strlen(want)) == 0;
}

/*
 * A trap's message is the spec's wording for its kind. The script's text
 * must start with it, except that the reference interpreter sometimes adds
 * a detail after a space ("uninitialized element 2"), which kite's fixed
 * per-kind message cannot know.
 */
static bool trap_message_matches(const char *want, const char *got)
{
    size_t n = strlen(got);
    return prefix(want, got) || (n > 0 && strncmp(want, got, n) == 0 && want[n] == ' ');
}

static bool keep_module(wast_run *run, kite_module_t *module)
{
    if (run->nmodules == run->cap_modules) {
        size_t cap = run->cap_modules ? run->cap_modules * 2 : 16;
        kite_module_t **n = realloc(run->modules, cap * sizeof(*n));
        if (!n)
            return false;
        run->modules = n;
        run->cap_modules = cap;
    }
    run->modules[run->nmodules++] = module;
    return true;
}

/* Bind `id` (rebinding replaces: a later module of the same name wins). */
static bool bind(wast_bindings *b, const char *id, kite_module_t *module,
                 kite_instance_t *instance)
{
    for (size_t i = 0; i < b->count; i++) {
        if (strcmp(b->items[i].id, id) == 0) {
            b->items[i].module = module;
            b->items[i].instance = instance;
            b->items[i].unsupported = false;
            return true;
        }
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        wast_binding *n = realloc(b->items, cap * sizeof(*n));
        if (!n)
            return false;
        b->items = n;
        b->cap = cap;
    }
    b->items[b->count++] = (wast_binding){id, module, instance, false, false};
    return true;
}

static const wast_binding *lookup(const wast_bindings *b, const char *id)
{
    for (size_t i = 0; i < b->count; i++)
        if (strcmp(b->items[i].id, id) == 0)
            return &b->items[i];
    return NULL;
}

/* ---- modules ------------------------------------------------------------------ */

/* Build (decode or parse, then validate) a script module; kept until the file ends. */
static kite_error_t *load_module(wast_run *run, const kscr_module *m, kite_module_t **out)
{
    kite_error_t *err = NULL;
    *out = NULL;
    switch (m->kind) {
    case KSCR_MOD_BINARY:
        err = kite_module_new(run->engine, m->bytes, m->len, out);
        break;
    case KSCR_MOD_TEXT:
        err = kapi_module_new_text_at(run->engine, m->text, m->len, m->line, m->col, out);
        break;
    case KSCR_MOD_QUOTE:
        err = kapi_module_new_text_at(run->engine, m->text, m->len, 1, 1, out);
        break;
    }
    if (!err && *out && !keep_module(run, *out)) {
        kite_module_free(*out);
        *out = NULL;
        err = NULL;
    }
    return err;
}

/* Compile a command's module, reporting a failure; NULL when it failed. */
static kite_module_t *compile_or_fail(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = NULL;
    kite_error_t *err = load_module(run, &cmd->module, &module);
    if (err) {
        failf(run, cmd, "module rejected: %s", kite_error_message(err));
        kite_error_free(err);
        return NULL;
    }
    if (!module)
        failf(run, cmd, "out of memory");
    return module;
}

static void report_trap(const wast_run *run, cli_buf *why, kite_trap_t *trap)
{
    cli_buf_printf(why, "trap: %s", kite_trap_message(trap));
    size_t n = kite_trap_frame_count(trap);
    for (size_t i = 0; i < n && i < 8; i++) {
        kite_frame_t f = kite_trap_frame(trap, i);
        char frame[512];
        kite_frame_format(&f, cli_frame_label(&f, run->file), frame, sizeof(frame));
        cli_buf_printf(why, "\n    at %s", frame);
    }
}

/* An instantiation error that says the execution tier cannot run the
 * module's code (the compiler tier's part 2 instructions): what depends on
 * the module is skipped, with this reason. */
static void note_unsupported(wast_run *run, const kite_error_t *err, const kite_module_t *module)
{
    if (kite_error_code(err) == KITE_ERROR_UNLINKABLE) {
        /* importing from a module that was not run for that reason */
        for (size_t i = 0; i < kite_module_import_count(module); i++) {
            kite_import_desc_t d = kite_module_import(module, i);
            for (size_t k = 0; k < run->unsupported_regs.count; k++) {
                const char *id = run->unsupported_regs.items[k].id;
                if (strlen(id) == d.module_len && memcmp(id, d.module, d.module_len) == 0) {
                    snprintf(run->unsupported_why, sizeof(run->unsupported_why),
                             "imports from \"%s\", which the execution tier could not run", id);
                    run->unsupported = run->unsupported_why;
                    return;
                }
            }
        }
        return;
    }
    if (kite_error_code(err) != KITE_ERROR_UNSUPPORTED)
        return;
    snprintf(run->unsupported_why, sizeof(run->unsupported_why), "not supported by the execution tier: %s",
             kite_error_message(err));
    run->unsupported = run->unsupported_why;
}

/* Instantiate, reporting an error or trap as a failure; NULL when it failed. */
static kite_instance_t *instantiate_or_fail(wast_run *run, const kscr_cmd *cmd,
                                            kite_module_t *module)
{
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_linker_instantiate(run->linker, run->store, module, &inst, &trap);
    if (err) {
        note_unsupported(run, err, module);
        failf(run, cmd, "instantiation failed: %s", kite_error_message(err));
        kite_error_free(err);
        return NULL;
    }
    if (trap) {
        cli_buf why = {.len = 0};
        cli_buf_printf(&why, "instantiation ");
        report_trap(run, &why, trap);
        fail(run, cmd, &why);
        kite_trap_free(trap);
        return NULL;
    }
    return inst;
}

/* Make `inst` (NULL: a failed instantiation) the latest instance and bind its id. */
static void set_current(wast_run *run, const char *id, kite_instance_t *inst)
{
    run->current = inst;
    run->current_failed = inst == NULL;
    run->current_unsupported = !inst && run->unsupported;
    if (id && !bind(&run->insts, id, NULL, inst))
        fprintf(stderr, "kite: out of memory\n");
    if (id && run->current_unsupported)
        run->insts.items[run->insts.count - 1].unsupported = true;
}

static void run_module_cmd(wast_run *run, const kscr_cmd *cmd)
{
    const kscr_module *m = &cmd->module;
    kite_module_t *module = compile_or_fail(run, cmd);
    if (m->id && !bind(&run->defs, m->id, module, NULL))
        fprintf(stderr, "kite: out of memory\n");
    run->current_def = module;
    if (m->definition || run->skip_reason) {
        /* A definition is only compiled; in a skipped file modules are not
         * instantiated, so whatever uses them is skipped too. */
        if (module)
            pass(run);
        if (!m->definition)
            set_current(run, m->id, NULL);
        return;
    }
    kite_instance_t *inst = module ? instantiate_or_fail(run, cmd, module) : NULL;
    set_current(run, m->id, inst);
    if (inst)
        pass(run);
}

/* The definition a (module instance ...) names, or the latest; NULL with
 * a failure reported. */
static kite_module_t *definition_or_fail(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = run->current_def;
    if (cmd->reg_module) {
        const wast_binding *b = lookup(&run->defs, cmd->reg_module);
        if (!b) {
            failf(run, cmd, "unknown module definition %s", cmd->reg_module);
            return NULL;
        }
        module = b->module;
    }
    if (!module)
        failf(run, cmd, "no module definition to instantiate (%s)",
              cmd->reg_module ? "it failed to compile" : "none yet, or it failed to compile");
    return module;
}

/* (module instance $i? $def?) */
static void run_instance_cmd(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = definition_or_fail(run, cmd);
    if (!module) {
        set_current(run, cmd->instance_id, NULL);
        return;
    }
    kite_instance_t *inst = instantiate_or_fail(run, cmd, module);
    set_current(run, cmd->instance_id, inst);
    if (inst)
        pass(run);
}

/* The instance named by `id`, or the latest; NULL with a reason. */
static kite_instance_t *find_instance(wast_run *run, const char *id, cli_buf *why)
{
    if (!id) {
        if (!run->current)
            cli_buf_printf(why, run->current_failed ? "the latest module did not instantiate"
                                                     : "no module instantiated yet");
        if (!run->current && run->current_unsupported)
            run->unsupported = run->unsupported_why;
        return run->current;
    }
    const wast_binding *b = lookup(&run->insts, id);
    if (!b)
        cli_buf_printf(why, "unknown module %s", id);
    else if (!b->instance)
        cli_buf_printf(why, "module %s did not instantiate", id);
    if (b && !b->instance && b->unsupported)
        run->unsupported = run->unsupported_why;
    else if (b && b->foreign)
        cli_buf_printf(why, "module %s belongs to another thread: only its memories are shared", id);
    return b && !b->foreign ? b->instance : NULL;
}

/* (register "name" $m) of a module shared from another thread: its shared
 * memories, attached to this thread's store (nothing else crosses stores). */
static kite_error_t *register_foreign(wast_run *run, const char *name, kite_instance_t *inst)
{
    size_t n = kite_instance_export_count(inst);
    for (size_t i = 0; i < n; i++) {
        kite_export_desc_t d = kite_instance_export_desc(inst, i);
        kite_extern_t ext = kite_instance_export_at(inst, i);
        kite_shared_memory_t *shared;
        if (ext.kind != KITE_EXTERN_MEMORY || !(shared = kite_memory_share(ext.of.memory)))
            continue;
        kite_memory_t *mem;
        kite_error_t *err = kite_shared_memory_attach(shared, run->store, &mem);
        kite_shared_memory_free(shared);
        if (!err)
            err = kite_linker_define(run->linker, name, strlen(name), d.name, d.name_len,
                                     (kite_extern_t){.kind = KITE_EXTERN_MEMORY, .of.memory = mem});
        if (err)
            return err;
    }
    return NULL;
}

static void run_register_cmd(wast_run *run, const kscr_cmd *cmd)
{
    cli_buf why = {.len = 0};
    const wast_binding *shared = cmd->reg_module ? lookup(&run->insts, cmd->reg_module) : NULL;
    kite_instance_t *inst = shared && shared->foreign ? shared->instance
                                                      : find_instance(run, cmd->reg_module, &why);
    if (!inst) {
        if (run->unsupported && !bind(&run->unsupported_regs, cmd->reg_name, NULL, NULL))
            fprintf(stderr, "kite: out of memory\n");
        fail(run, cmd, &why);
        return;
    }
    size_t reg_len = strlen(cmd->reg_name);
    kite_error_t *err =
        shared && shared->foreign
            ? register_foreign(run, cmd->reg_name, inst)
            : kite_linker_define_instance(run->linker, cmd->reg_name, reg_len, inst);
    if (err) {
        failf(run, cmd, "%s", kite_error_message(err));
        kite_error_free(err);
        return;
    }
    pass(run);
}

/* assert_invalid / assert_malformed: the module must be rejected with the message. */
static void run_reject_cmd(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = NULL;
    kite_error_t *err = load_module(run, &cmd->module, &module);
    if (!err) {
        failf(run, cmd, "module was accepted, expected \"%s\"", cmd->message);
        return;
    }
    const char *msg = kite_error_message(err);
    if (prefix(cmd->message, msg))
        pass(run);
    else
        failf(run, cmd, "expected \"%s\", got \"%s\"", cmd->message, msg);
    kite_error_free(err);
}

/* assert_unlinkable, assert_uninstantiable, assert_trap on (module ...) or
 * (module instance ...). */
static void run_bad_instance_cmd(wast_run *run, const kscr_cmd *cmd)
{
    kite_module_t *module = cmd->instantiates_def ? definition_or_fail(run, cmd)
                                                  : compile_or_fail(run, cmd);
    if (!module)
        return;
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_linker_instantiate(run->linker, run->store, module, &inst, &trap);
    bool want_link_error = cmd->kind == KSCR_CMD_ASSERT_UNLINKABLE;
    cli_buf why = {.len = 0};
    if (err) {
        const char *msg = kite_error_message(err);
        kite_error_code_t code = kite_error_code(err);
        note_unsupported(run, err, module);
        bool code_ok = want_link_error ? code == KITE_ERROR_UNLINKABLE
                                       : code == KITE_ERROR_UNINSTANTIABLE;
        if (code_ok && prefix(cmd->message, msg))
            pass(run);
        else
            cli_buf_printf(&why, "expected %s \"%s\", got error %d \"%s\"",
                            want_link_error ? "link error" : "trap", cmd->message, (int)code,
                            msg);
        kite_error_free(err);
    } else if (trap) {
        const char *msg = kite_trap_message(trap);
        if (!want_link_error && trap_message_matches(cmd->message, msg))
            pass(run);
        else
            cli_buf_printf(&why, "expected %s \"%s\", got trap \"%s\"",
                            want_link_error ? "link error" : "trap", cmd->message, msg);
        kite_trap_free(trap);
    } else {
        cli_buf_printf(&why, "module instantiated, expected %s \"%s\"",
                        want_link_error ? "link error" : "trap", cmd->message);
    }
    if (why.len)
        fail(run, cmd, &why);
}

/* ---- actions ------------------------------------------------------------------- */

typedef struct action_out {
    kite_trap_t *trap;
    kite_val_t *results;
    size_t nresults;
} action_out;

static void action_out_free(action_out *out)
{
    if (out->trap)
        kite_trap_free(out->trap);
    free(out->results);
}

/* `invoke $m "name": `, with control characters, quotes and backslashes of
 * the name escaped as in the text format so a report stays on one line. */
static void describe_action(cli_buf *b, const kscr_action *a)
{
    cli_buf_printf(b, "%s%s%s \"", a->kind == KSCR_INVOKE ? "invoke" : "get",
                    a->module ? " " : "", a->module ? a->module : "");
    for (size_t i = 0; i < a->name_len; i++) {
        uint8_t c = a->name[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            cli_buf_printf(b, "\\%02x", c);
        else
            cli_buf_printf(b, "%c", c);
    }
    cli_buf_printf(b, "\": ");
}

static bool run_get(const kscr_action *a, const kite_extern_t *ext, action_out *out,
                    cli_buf *why)
{
    if (ext->kind != KITE_EXTERN_GLOBAL) {
        cli_buf_printf(why, "export is not a global");
        return false;
    }
    out->results = malloc(sizeof(*out->results));
    if (!out->results) {
        cli_buf_printf(why, "out of memory");
        return false;
    }
    (void)a;
    out->results[0] = kite_global_get(ext->of.global);
    out->nresults = 1;
    return true;
}

static bool run_invoke(wast_run *run, const kscr_action *a, const kite_extern_t *ext,
                       action_out *out, cli_buf *why)
{
    if (ext->kind != KITE_EXTERN_FUNC) {
        cli_buf_printf(why, "export is not a function");
        return false;
    }
    kite_func_t *func = ext->of.func;
    size_t nres = kite_func_result_count(func);
    kite_val_t *args = calloc(a->nargs ? a->nargs : 1, sizeof(*args));
    out->results = calloc(nres ? nres : 1, sizeof(*out->results));
    bool ok = args && out->results;
    if (!ok)
        cli_buf_printf(why, "out of memory");
    for (uint32_t i = 0; ok && i < a->nargs; i++)
        ok = wast_arg(run, &a->args[i], &args[i], why);
    if (ok) {
        kite_error_t *err =
            kite_func_call(run->store, func, args, a->nargs, out->results, nres, &out->trap);
        if (err) {
            cli_buf_printf(why, "call failed: %s", kite_error_message(err));
            kite_error_free(err);
            ok = false;
        }
    }
    free(args);
    out->nresults = nres;
    return ok;
}

/* Run a command's action; false (with why) when it could not be run at all. */
static bool run_action(wast_run *run, const kscr_action *a, action_out *out, cli_buf *why)
{
    memset(out, 0, sizeof(*out));
    describe_action(why, a);
    kite_instance_t *inst = find_instance(run, a->module, why);
    if (!inst)
        return false;
    kite_extern_t ext;
    if (!kite_instance_export(inst, (const char *)a->name, a->name_len, &ext)) {
        cli_buf_printf(why, "no such export");
        return false;
    }
    return a->kind == KSCR_GET ? run_get(a, &ext, out, why) : run_invoke(run, a, &ext, out, why);
}

static void format_results(cli_buf *b, const action_out *out, const kscr_cmd *cmd)
{
    cli_buf_printf(b, "(");
    for (size_t i = 0; i < out->nresults; i++) {
        if (i)
            cli_buf_printf(b, ", ");
        wast_format_value(b, &out->results[i], i < cmd->nresults ? &cmd->results[i] : NULL);
    }
    cli_buf_printf(b, ")");
}

static void check_return(wast_run *run, const kscr_cmd *cmd, const action_out *out,
                         cli_buf *why)
{
    bool ok = out->nresults == cmd->nresults;
    for (size_t i = 0; ok && i < out->nresults; i++)
        ok = wast_match(&cmd->results[i], &out->results[i]);
    if (ok) {
        pass(run);
        return;
    }
    cli_buf_printf(why, "expected (");
    for (uint32_t i = 0; i < cmd->nresults; i++) {
        if (i)
            cli_buf_printf(why, ", ");
        wast_format_expected(why, &cmd->results[i]);
    }
    cli_buf_printf(why, "), got ");
    format_results(why, out, cmd);
    fail(run, cmd, why);
}

static const char *trap_expectation(const kscr_cmd *cmd)
{
    switch (cmd->kind) {
    case KSCR_CMD_ASSERT_EXHAUSTION: return "call stack exhaustion";
    case KSCR_CMD_ASSERT_EXCEPTION: return "an exception";
    default: return "a trap";
    }
}

static bool trap_matches(const kscr_cmd *cmd, const kite_trap_t *trap)
{
    switch (cmd->kind) {
    case KSCR_CMD_ASSERT_EXHAUSTION:
        return kite_trap_kind(trap) == KITE_TRAP_CALL_STACK_EXHAUSTED;
    case KSCR_CMD_ASSERT_EXCEPTION:
        return kite_trap_kind(trap) == KITE_TRAP_EXCEPTION;
    default:
        return trap_message_matches(cmd->message, kite_trap_message(trap));
    }
}

static void run_action_cmd(wast_run *run, const kscr_cmd *cmd)
{
    action_out out;
    cli_buf why = {.len = 0};
    if (!run_action(run, &cmd->action, &out, &why)) {
        fail(run, cmd, &why);
        action_out_free(&out);
        return;
    }
    switch (cmd->kind) {
    case KSCR_CMD_ASSERT_RETURN:
    case KSCR_CMD_ACTION:
        if (out.trap) {
            report_trap(run, &why, out.trap);
            fail(run, cmd, &why);
        } else if (cmd->kind == KSCR_CMD_ASSERT_RETURN) {
            check_return(run, cmd, &out, &why);
        } else {
            pass(run);
        }
        break;
    default:
        if (out.trap && trap_matches(cmd, out.trap)) {
            pass(run);
            break;
        }
        cli_buf_printf(&why, "expected %s", trap_expectation(cmd));
        if (cmd->message)
            cli_buf_printf(&why, " \"%s\"", cmd->message);
        cli_buf_printf(&why, ", got ");
        if (out.trap) {
            report_trap(run, &why, out.trap);
        } else {
            cli_buf_printf(&why, "results ");
            format_results(&why, &out, cmd);
        }
        fail(run, cmd, &why);
        break;
    }
    action_out_free(&out);
}

/* ---- commands ------------------------------------------------------------------ */

static bool is_validation_cmd(kscr_cmd_kind kind)
{
    return kind == KSCR_CMD_MODULE || kind == KSCR_CMD_ASSERT_INVALID ||
           kind == KSCR_CMD_ASSERT_MALFORMED || kind == KSCR_CMD_ASSERT_INVALID_CUSTOM ||
           kind == KSCR_CMD_ASSERT_MALFORMED_CUSTOM;
}

/* ---- threads (the threads proposal's script extension) ------------------------------ */

static bool setup(wast_run *run);
static void teardown(wast_run *run);
static void run_cmds(wast_run *run, const kscr_cmd *cmds, uint32_t n);

/* A (thread $t ...): its own run (store, linker, registry) on its own thread,
 * seeing only the modules it shares with its parent. */
struct wast_thread {
    wast_thread *next;
    const char *id;
    pthread_t thread;
    wast_run run;
    const kscr_cmd *body;
    uint32_t nbody;
    bool started;
};

static void join_thread(wast_run *parent, wast_thread *t);

static void *thread_main(void *arg)
{
    wast_thread *t = arg;
    if (setup(&t->run))
        run_cmds(&t->run, t->body, t->nbody);
    else
        t->run.counts.failed++;
    /* Threads it started end with it. */
    while (t->run.threads) {
        wast_thread *child = t->run.threads;
        t->run.threads = child->next;
        join_thread(&t->run, child);
    }
    teardown(&t->run);
    return NULL;
}

static void join_thread(wast_run *parent, wast_thread *t)
{
    if (t->started)
        pthread_join(t->thread, NULL);
    parent->counts.passed += t->run.counts.passed;
    parent->counts.failed += t->run.counts.failed;
    parent->counts.skipped += t->run.counts.skipped;
    free(t);
}

static void start_thread(wast_run *run, const kscr_cmd *cmd, const kscr_cmd *body)
{
    wast_thread *t = calloc(1, sizeof(*t));
    if (!t) {
        failf(run, cmd, "out of memory");
        return;
    }
    t->id = cmd->instance_id;
    t->body = body;
    t->nbody = cmd->nbody;
    wast_run *r = &t->run;
    r->file = run->file;
    r->base = run->base;
    r->engine = run->engine;
    r->verbose = run->verbose;
    r->limits = run->limits;
    r->skips = run->skips;
    bool ok = true;
    for (uint32_t i = 0; ok && i < cmd->nshared; i++) {
        const wast_binding *b = lookup(&run->insts, cmd->shared[i]);
        if (!b || !b->instance) {
            failf(run, cmd, "cannot share %s: no such instance", cmd->shared[i]);
            ok = false;
        } else {
            ok = bind(&r->insts, b->id, NULL, b->instance);
            r->insts.items[r->insts.count - 1].foreign = true;
        }
    }
    if (ok && pthread_create(&t->thread, NULL, thread_main, t) != 0) {
        failf(run, cmd, "cannot start a thread");
        ok = false;
    }
    t->started = ok;
    if (!ok) {
        free(r->insts.items);
        free(t);
        return;
    }
    t->next = run->threads;
    run->threads = t;
    pass(run);
}

static void run_wait_cmd(wast_run *run, const kscr_cmd *cmd)
{
    wast_thread **p = &run->threads;
    while (*p && !((*p)->id && cmd->instance_id && strcmp((*p)->id, cmd->instance_id) == 0))
        p = &(*p)->next;
    if (!*p) {
        failf(run, cmd, "no running thread %s", cmd->instance_id ? cmd->instance_id : "");
        return;
    }
    wast_thread *t = *p;
    *p = t->next;
    join_thread(run, t);
    pass(run);
}

static void run_cmd(wast_run *run, const kscr_cmd *cmd)
{
    run->unsupported = NULL;
    const char *reason = wast_skipped(run->skips, run->base, cmd->line);
    if (reason || (run->skip_reason && !is_validation_cmd(cmd->kind))) {
        skip(run, cmd, reason ? reason : run->skip_reason);
        /* A skipped module leaves no instance for what follows. */
        if (reason && cmd->kind == KSCR_CMD_MODULE && !cmd->module.definition)
            set_current(run, cmd->module.id, NULL);
        return;
    }
    if (run->verbose) {
        /* Before running, so a hang or crash shows where it happened. */
        printf("%s:%u:%u: %s\n", run->file, cmd->line, cmd->col, cmd_name(cmd->kind));
        fflush(stdout);
    }
    switch (cmd->kind) {
    case KSCR_CMD_MODULE:
        run_module_cmd(run, cmd);
        return;
    case KSCR_CMD_MODULE_INSTANCE:
        run_instance_cmd(run, cmd);
        return;
    case KSCR_CMD_REGISTER:
        run_register_cmd(run, cmd);
        return;
    case KSCR_CMD_ASSERT_INVALID:
    case KSCR_CMD_ASSERT_MALFORMED:
    case KSCR_CMD_ASSERT_INVALID_CUSTOM:
    case KSCR_CMD_ASSERT_MALFORMED_CUSTOM:
        run_reject_cmd(run, cmd);
        return;
    case KSCR_CMD_ASSERT_UNLINKABLE:
    case KSCR_CMD_ASSERT_UNINSTANTIABLE:
        run_bad_instance_cmd(run, cmd);
        return;
    case KSCR_CMD_ASSERT_TRAP:
        if (cmd->has_module || cmd->instantiates_def)
            run_bad_instance_cmd(run, cmd);
        else
            run_action_cmd(run, cmd);
        return;
    case KSCR_CMD_ACTION:
    case KSCR_CMD_ASSERT_RETURN:
    case KSCR_CMD_ASSERT_EXHAUSTION:
    case KSCR_CMD_ASSERT_EXCEPTION:
        run_action_cmd(run, cmd);
        return;
    case KSCR_CMD_WAIT:
        run_wait_cmd(run, cmd);
        return;
    case KSCR_CMD_THREAD:
        return; /* run_cmds starts threads */
    }
}

/* Runs commands in order; a (thread ...) starts its body on a new thread. */
static void run_cmds(wast_run *run, const kscr_cmd *cmds, uint32_t n)
{
    for (uint32_t i = 0; i < n && !wast_oom_stopped(); i++) {
        const kscr_cmd *cmd = &cmds[i];
        wast_oom_checkpoint(run);
        if (cmd->kind == KSCR_CMD_THREAD) {
            if (run->skip_reason || wast_skipped(run->skips, run->base, cmd->line))
                skip(run, cmd, run->skip_reason ? run->skip_reason : "skip list");
            else
                start_thread(run, cmd, cmds + i + 1);
            i += cmd->nbody;
            continue;
        }
        run_cmd(run, cmd);
    }
}

/* ---- files --------------------------------------------------------------------- */

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Per-file state: store, linker with spectest. False on failure (reported). */
static bool setup(wast_run *run)
{
    run->store = kite_store_new(run->engine);
    run->linker = kite_linker_new(run->engine);
    if (!run->store || !run->linker) {
        cli_error("%s: out of memory", run->file);
        return false;
    }
    kite_store_set_limits(run->store, &run->limits);
    kite_error_t *err = wast_define_spectest(run->linker, run->store);
    if (err) {
        cli_error("%s: cannot set up the spectest module: %s", run->file, kite_error_message(err));
        kite_error_free(err);
        return false;
    }
    return true;
}

static void teardown(wast_run *run)
{
    for (size_t i = 0; i < run->nhostrefs; i++)
        kite_root_free(run->hostrefs[i].root);
    if (run->linker)
        kite_linker_free(run->linker);
    if (run->store)
        kite_store_free(run->store);
    for (size_t i = 0; i < run->nmodules; i++)
        kite_module_free(run->modules[i]);
    free(run->modules);
    free(run->defs.items);
    free(run->insts.items);
    free(run->unsupported_regs.items);
    run->unsupported_regs = (wast_bindings){0};
    free(run->hostrefs);
    run->linker = NULL;
    run->store = NULL;
    run->modules = NULL;
    run->nmodules = run->cap_modules = 0;
    run->defs = (wast_bindings){0};
    run->insts = (wast_bindings){0};
    run->hostrefs = NULL;
    run->nhostrefs = run->cap_hostrefs = 0;
    run->current = NULL;
    run->current_def = NULL;
    run->current_failed = false;
    run->current_unsupported = false;
}

static bool run_file(wast_run *run, const char *path)
{
    size_t len;
    char *src = cli_read_file(path, &len);
    if (!src)
        return false;
    if (!cli_looks_like_text(path, (const uint8_t *)src, len)) {
        cli_error("%s: not a WebAssembly script (the text format, which starts with \"(\")",
                  path);
        free(src);
        return false;
    }
    kscr_script *script = NULL;
    kite_error_t *err = kscr_parse(&kutil_libc, src, len, &script);
    if (err) {
        cli_buf where = {.len = 0};
        cli_format_position(&where, path, err);
        cli_error("%s: malformed script: %s", where.text, kite_error_message(err));
        kite_error_free(err);
        free(src);
        return false;
    }
    run->file = path;
    run->base = basename_of(path);
    run->skip_reason = wast_skipped(run->skips, run->base, 0);
    bool ok = setup(run);
    if (ok)
        run_cmds(run, script->cmds, script->ncmds);
    while (run->threads) {
        wast_thread *t = run->threads;
        run->threads = t->next;
        join_thread(run, t);
    }
    teardown(run);
    kscr_free(script);
    free(src);
    return ok;
}

static const char *set_verbose(void *ctx, const char *value, bool on)
{
    (void)value;
    ((wast_run *)ctx)->verbose = on;
    return NULL;
}

static const char *set_skip_list(void *ctx, const char *value, bool on)
{
    (void)on;
    wast_skiplist *skips = ctx;
    /* a message has told why */
    return wast_skiplist_load(skips, value) ? NULL : "cannot be read (see above)";
}

static const cli_option wast_run_options[] = {
    {"--verbose", "-v", 0, NULL, NULL,
     "print each command before it runs, and why skipped ones are", set_verbose},
    {0},
};

static const cli_option wast_skip_options[] = {
    {"--skip-list", NULL, 0, NULL, "LIST",
     "do not execute the scripts (globs of file names) or commands (GLOB:LINE) that "
     "LIST names, one a line with a reason; repeatable",
     set_skip_list},
    {0},
};

static int wast_main(const char *prog, int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    if (!config) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    /* KITE_GC_STRESS=1: the GC scripts again, collecting at every allocation
     * (ctest gc-stress). */
    const char *stress = getenv("KITE_GC_STRESS");
    if (stress && *stress && strcmp(stress, "0") != 0)
        kite_config_set_gc_stress(config, true);
    /* KITE_FAIL_ALLOC=N, KITE_OOM_SWEEP=S: fault injection (wast_oom.c). */
    if (!wast_oom_setup(config)) {
        kite_config_free(config);
        return CLI_EXIT_USAGE;
    }
    wast_run run = {0};
    wast_skiplist skips = {0};
    int nfiles;
    void *const ctxs[] = {&run, &skips, &run.limits, config, config};
    int status = cli_parse_options(&cli_wast_command, prog, ctxs, config, CLI_NEED_FILE, argc,
                                   argv, &nfiles);
    if (status >= 0) {
        kite_config_free(config);
        wast_skiplist_free(&skips);
        return status;
    }
    run.skips = skips.count ? &skips : NULL;
    wast_counts total = {0};
    unsigned long broken_files = 0;
    for (int i = 0; i < nfiles; i++) {
        wast_oom_file_start(argv[i]);
        run.engine = kite_engine_new(config);
        if (!run.engine) {
            cli_error("out of memory");
            break;
        }
        run.counts = (wast_counts){0};
        if (!run_file(&run, argv[i])) {
            broken_files++;
            run.counts.failed++;
        }
        printf("%s: %lu passed, %lu failed, %lu skipped\n", argv[i], run.counts.passed,
               run.counts.failed, run.counts.skipped);
        fflush(stdout);
        total.passed += run.counts.passed;
        total.failed += run.counts.failed;
        total.skipped += run.counts.skipped;
        kite_engine_free(run.engine);
        wast_oom_file_done();
    }
    kite_config_free(config);
    wast_skiplist_free(&skips);
    if (broken_files)
        printf("%lu file(s) could not be read, parsed or set up\n", broken_files);
    printf("%lu passed, %lu failed, %lu skipped\n", total.passed, total.failed, total.skipped);
    return wast_oom_finish(total.failed ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}

static const cli_option *const wast_option_tables[] = {wast_run_options, wast_skip_options,
                                                       cli_limit_options, cli_tier_options,
                                                       cli_engine_options, NULL};

const cli_command cli_wast_command = {
    .name = "wast",
    .synopsis = "[OPTIONS] FILE...",
    .summary = "run WebAssembly scripts (.wast, the spec testsuite's format)",
    .description =
        "Run each script FILE: its modules are compiled and instantiated, its\n"
        "actions run and its assertions checked. A failed assertion is reported\n"
        "on stdout as FILE:LINE:COLUMN and why; each file's counts and a closing\n"
        "\"N passed, N failed, N skipped\" follow. The exit status is 1 when an\n"
        "assertion failed or a file could not be read or parsed.\n",
    .options = wast_option_tables,
    .features = true,
    .main = wast_main,
};
