/*
 * kite run [OPTIONS] FILE [ARGS...] (and `kite FILE [ARGS...]`): run a WASI
 * program, or call one export.
 *
 * Without --invoke, FILE is a WASI command: its "_start" runs with argv
 * FILE ARGS..., the pre-opened directories and environment the options
 * give. With --invoke NAME, ARGS are NAME's typed arguments and its results
 * are printed one per line; a reactor's "_initialize" runs first.
 *
 * Exit status: the guest's proc_exit code (modulo 256, as a native exit),
 * 0 when _start or the export returns; otherwise the CLI_EXIT_* statuses
 * every subcommand shares (cli.h).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

/* What the options of kite run set beyond the store limits. */
typedef struct run_settings {
    kite_wasi_config_t *wasi; /* --dir, --dir-ro go straight here */
    const char *invoke;       /* export to call, or NULL: a WASI command's _start */
    const char *argv0;        /* the guest's argv[0]; NULL: FILE as given */
    bool has_fuel;
    uint64_t fuel;
    uint64_t timeout_ns;      /* 0: no time limit */
    const char *timeout;      /* as given */
    /* Environment: the whole host's first (--inherit-env), then each --env
     * in order, whatever the order on the command line (as Wasmtime does). */
    bool inherit_env;
    const char **envs;
    int nenvs;
    /* -S tcplisten sockets: kite_wasi_new duplicates them, these are closed
     * after it. */
    int *listeners;
    size_t nlisteners;
} run_settings;

/* ---- options ---------------------------------------------------------------------- */

static const char *set_invoke(void *ctx, const char *value, bool on)
{
    (void)on;
    ((run_settings *)ctx)->invoke = value;
    return NULL;
}

static const char *set_argv0(void *ctx, const char *value, bool on)
{
    (void)on;
    ((run_settings *)ctx)->argv0 = value;
    return NULL;
}

/* HOST[::GUEST]: a pre-opened directory. */
static const char *add_dir(run_settings *s, const char *value, uint32_t flags)
{
    const char *sep = strstr(value, "::");
    const char *guest = sep ? sep + 2 : value;
    size_t hlen = sep ? (size_t)(sep - value) : strlen(value);
    if (hlen == 0 || !*guest)
        return "expected HOST or HOST::GUEST";
    char *host = strndup(value, hlen);
    if (!host)
        return "out of memory";
    kite_error_t *err = kite_wasi_config_preopen_dir(s->wasi, host, guest, flags);
    free(host);
    if (!err)
        return NULL;
    kite_error_free(err);
    return "cannot be pre-opened";
}

static const char *set_dir(void *ctx, const char *value, bool on)
{
    (void)on;
    return add_dir(ctx, value, 0);
}

static const char *set_dir_ro(void *ctx, const char *value, bool on)
{
    (void)on;
    return add_dir(ctx, value, KITE_WASI_READONLY);
}

static const char *set_env(void *ctx, const char *value, bool on)
{
    (void)on;
    run_settings *s = ctx;
    if (!*value || *value == '=')
        return "expected NAME=VALUE or NAME";
    s->envs[s->nenvs++] = value; /* room for one per argument */
    return NULL;
}

static const char *set_inherit_env(void *ctx, const char *value, bool on)
{
    (void)value;
    ((run_settings *)ctx)->inherit_env = on;
    return NULL;
}

/* ADDRESS:PORT ([ADDRESS]:PORT for IPv6): a listening TCP socket for the
 * guest. Numeric addresses (and localhost) only: name lookup would tie the
 * statically linked command to the C library's run-time plug-ins. */
static const char *set_tcplisten(void *ctx, const char *value, bool on)
{
    (void)on;
    run_settings *s = ctx;
    const char *colon = strrchr(value, ':');
    uint64_t port;
    if (!colon || colon == value || !cli_parse_int(colon + 1, 16, &port) || colon[1] == '-')
        return "expected ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)";
    char host[INET6_ADDRSTRLEN];
    size_t hlen = (size_t)(colon - value);
    if (value[0] == '[' && hlen >= 2 && value[hlen - 1] == ']')
        value++, hlen -= 2;
    if (hlen >= sizeof(host))
        return "expected a numeric IPv4 or IPv6 address";
    memcpy(host, value, hlen);
    host[hlen] = 0;
    struct sockaddr_storage addr = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    socklen_t len;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        len = sizeof(*v6);
    } else {
        return "expected a numeric IPv4 or IPv6 address (or localhost)";
    }
    int yes = 1, fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 128) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return strerror(err);
    }
    int *grown = realloc(s->listeners, (s->nlisteners + 1) * sizeof(int));
    kite_error_t *e = grown ? kite_wasi_config_preopen_socket(s->wasi, fd) : NULL;
    if (grown)
        s->listeners = grown;
    if (!grown || e) {
        kite_error_free(e);
        close(fd);
        return "out of memory";
    }
    s->listeners[s->nlisteners++] = fd;
    return NULL;
}

static const char *set_fuel(void *ctx, const char *value, bool on)
{
    (void)on;
    run_settings *s = ctx;
    if (!cli_parse_size(value, &s->fuel) || s->fuel == 0)
        return "expected a number more than 0 (decimal or 0x hex, k, m or g suffix)";
    s->has_fuel = true;
    return NULL;
}

static const char *set_timeout(void *ctx, const char *value, bool on)
{
    (void)on;
    run_settings *s = ctx;
    if (!cli_parse_duration(value, &s->timeout_ns))
        return "expected a time more than 0: digits and a unit us, ms, s (the default), m or h";
    s->timeout = value;
    return NULL;
}

static const cli_option run_options[] = {
    {"--invoke", NULL, 0, NULL, "NAME",
     "call the export NAME with ARGS instead of running _start", set_invoke},
    {"--dir", NULL, 0, NULL, "HOST[::GUEST]",
     "let the program use host directory HOST and everything beneath it, under the "
     "name GUEST (default: HOST as written, e.g. `--dir .`); repeatable",
     set_dir},
    {"--dir-ro", NULL, 0, NULL, "HOST[::GUEST]",
     "the same, read-only: the program cannot create, change, rename or remove "
     "anything beneath HOST",
     set_dir_ro},
    {"--env", NULL, 0, NULL, "NAME[=VALUE]",
     "set an environment variable of the program; without =VALUE, pass the host's "
     "value of NAME (if set); repeatable",
     set_env},
    {"--inherit-env", NULL, 'S', "inherit-env", NULL,
     "pass the whole host environment (--env still applies)", set_inherit_env},
    {NULL, NULL, 'S', "tcplisten", "ADDRESS:PORT",
     "listen on this TCP address and give the socket to the program (descriptors "
     "after the --dir ones, for sock_accept); repeatable",
     set_tcplisten},
    {"--argv0", NULL, 0, NULL, "NAME", "the program's argv[0] (default: FILE as given)",
     set_argv0},
    {"--fuel", NULL, 'W', "fuel", "N",
     "trap (\"all fuel consumed\") after about N instructions", set_fuel},
    {"--timeout", NULL, 'W', "timeout", "TIME",
     "stop the program (a trap: \"interrupted\") after TIME of wall-clock time: a "
     "number and a unit us, ms, s (the default), m or h, e.g. 500ms or 10",
     set_timeout},
    {0},
};

/* ---- running -------------------------------------------------------------------------- */

typedef struct run {
    const run_settings *s;
    const char *path; /* the module's ("-": stdin) */
    const char *file; /* its name in messages */
    char **args; /* the guest's arguments, or --invoke's */
    int nargs;
    kite_wasi_t *wasi;
} run;

static int report_trap(const run *r, kite_trap_t *trap)
{
    char message[200];
    const char *override = NULL;
    /* An interrupt's message may say where the program was ("interrupted
     * while blocked in memory.atomic.wait"). */
    const char *where = kite_trap_message(trap);
    where = strncmp(where, "interrupted while ", 18) == 0 ? where + 11 : "";
    if (kite_trap_kind(trap) == KITE_TRAP_INTERRUPTED && r->s->timeout) {
        snprintf(message, sizeof(message), "interrupted: time limit (--timeout %s) exceeded%s",
                 r->s->timeout, where);
        override = message;
    }
    cli_report_trap(trap, override, r->file);
    kite_trap_free(trap);
    return CLI_EXIT_TRAP;
}

static int report_error(const char *what, kite_error_t *err)
{
    cli_error("%s%s", what, kite_error_message(err));
    kite_error_free(err);
    return CLI_EXIT_ERROR;
}

/* After a trap: the guest's exit code if it called proc_exit (in any
 * thread), the trap of the thread that ended the program, else the trap. */
static int finish_trap(const run *r, kite_trap_t *trap)
{
    uint32_t code;
    if (kite_wasi_exit_code(r->wasi, &code)) {
        kite_trap_free(trap);
        return (int)(code & 0xff); /* what exit(code) gives a native program */
    }
    const kite_trap_t *ended = kite_wasi_threads_trap(r->wasi);
    if (ended) {
        kite_trap_free(trap);
        cli_report_thread_trap(ended, r->file);
        return CLI_EXIT_TRAP;
    }
    return report_trap(r, trap);
}

/* Only WASI can be imported: name the first other import. */
static bool check_imports(const run *r, const kite_module_t *module)
{
    size_t n = kite_module_import_count(module);
    for (size_t i = 0; i < n; i++) {
        kite_import_desc_t d = kite_module_import(module, i);
        if ((d.module_len == 22 && memcmp(d.module, "wasi_snapshot_preview1", 22) == 0) ||
            cli_run_import_supported(&d))
            continue;
        bool old = d.module_len == 13 && memcmp(d.module, "wasi_unstable", 13) == 0;
        cli_error("%s: unknown import: %.*s.%.*s%s", r->file, (int)d.module_len, d.module,
                  (int)d.name_len, d.name,
                  old ? " (the old WASI 'wasi_unstable' is not supported; rebuild for "
                        "wasi_snapshot_preview1)"
                      : " (kite run provides wasi_snapshot_preview1, wasi thread-spawn and "
                        "memories)");
        return false;
    }
    return true;
}

/* ", f, g, h" : the function exports, for a message about a missing one. */
static void list_functions(cli_buf *b, const kite_instance_t *inst)
{
    size_t n = kite_instance_export_count(inst), listed = 0;
    for (size_t i = 0; i < n; i++) {
        kite_export_desc_t d = kite_instance_export_desc(inst, i);
        if (d.kind != KITE_EXTERN_FUNC)
            continue;
        if (listed++ == 8) {
            cli_buf_printf(b, ", ...");
            return;
        }
        cli_buf_printf(b, "%s%.*s", listed > 1 ? ", " : "", (int)d.name_len, d.name);
    }
    if (!listed)
        cli_buf_printf(b, "none");
}

static const char *const extern_kinds[] = {
    [KITE_EXTERN_FUNC] = "a function", [KITE_EXTERN_TABLE] = "a table",
    [KITE_EXTERN_MEMORY] = "a memory",  [KITE_EXTERN_GLOBAL] = "a global",
    [KITE_EXTERN_TAG] = "a tag",
};

/* The export `name` as a function, or NULL (with a message). */
static kite_func_t *export_func(const run *r, kite_instance_t *inst, const char *name)
{
    kite_extern_t ext;
    cli_buf functions = {.len = 0};
    list_functions(&functions, inst);
    if (!kite_instance_export(inst, name, strlen(name), &ext)) {
        if (r->s->invoke)
            cli_error("%s: no export named '%s' (its exported functions: %s)", r->file, name,
                      functions.text);
        else if (strcmp(functions.text, "none") == 0)
            cli_error("%s: no _start export, so it is not a WASI command (and it exports no "
                      "function to call with --invoke)", r->file);
        else
            cli_error("%s: no _start export, so it is not a WASI command; call one of its "
                      "exported functions (%s) with --invoke NAME",
                      r->file, functions.text);
        return NULL;
    }
    if (ext.kind != KITE_EXTERN_FUNC) {
        cli_error("%s: export '%s' is %s, not a function (its exported functions: %s)", r->file,
                  name, extern_kinds[ext.kind], functions.text);
        return NULL;
    }
    return ext.of.func;
}

/* Calls a function without parameters, ignoring its results (_start,
 * _initialize). */
static int call_void(const run *r, kite_store_t *store, kite_func_t *func, const char *name)
{
    if (kite_func_param_count(func) != 0 || kite_func_result_count(func) != 0) {
        cli_error("%s: %s must take no parameters and return nothing", r->file, name);
        return CLI_EXIT_ERROR;
    }
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(store, func, NULL, 0, NULL, 0, &trap);
    if (err)
        return report_error("call failed: ", err);
    if (trap)
        return finish_trap(r, trap);
    return CLI_EXIT_OK;
}

/* --invoke's arguments by the parameter types; false after a message. */
static bool parse_args(const run *r, const char *prog, kite_func_t *func, kite_val_t *args)
{
    const char *name = r->s->invoke;
    size_t np = kite_func_param_count(func);
    if ((size_t)r->nargs != np) {
        cli_buf types = {.len = 0};
        for (size_t i = 0; i < np; i++)
            cli_buf_printf(&types, "%s%s", i ? " " : "",
                           kite_valkind_name(kite_func_param(func, i).kind));
        cli_usage_error(prog, "%s takes %zu argument%s%s%s%s, got %d", name, np, np == 1 ? "" : "s",
                        np ? " (" : "", types.text, np ? ")" : "", r->nargs);
        return false;
    }
    for (size_t i = 0; i < np; i++) {
        kite_valtype_t t = kite_func_param(func, i);
        if (!cli_parse_value(r->args[i], t, &args[i])) {
            cli_usage_error(prog, "%s: argument %zu, '%s', is not a valid %s: expected %s", name,
                            i + 1, r->args[i], kite_valkind_name(t.kind), cli_value_syntax(t.kind));
            return false;
        }
    }
    return true;
}

static int call_export(const run *r, const char *prog, kite_store_t *store, kite_instance_t *inst)
{
    const char *name = r->s->invoke ? r->s->invoke : "_start";
    kite_func_t *func = export_func(r, inst, name);
    if (!func)
        return CLI_EXIT_ERROR;
    if (!r->s->invoke)
        return call_void(r, store, func, "_start");
    size_t np = kite_func_param_count(func), nr = kite_func_result_count(func);
    kite_val_t *args = calloc(np ? np : 1, sizeof(*args));
    kite_val_t *results = calloc(nr ? nr : 1, sizeof(*results));
    int status = CLI_EXIT_OK;
    if (!args || !results) {
        cli_error("out of memory");
        status = CLI_EXIT_ERROR;
    } else if (!parse_args(r, prog, func, args)) {
        status = CLI_EXIT_USAGE;
    }
    /* A reactor is initialized before any other export is used. */
    kite_extern_t init;
    if (status == CLI_EXIT_OK && strcmp(name, "_initialize") != 0 &&
        kite_instance_export(inst, "_initialize", 11, &init) && init.kind == KITE_EXTERN_FUNC)
        status = call_void(r, store, init.of.func, "_initialize");
    if (status == CLI_EXIT_OK) {
        kite_trap_t *trap = NULL;
        kite_error_t *err = kite_func_call(store, func, args, np, results, nr, &trap);
        if (err) {
            status = report_error("call failed: ", err);
        } else if (trap) {
            status = finish_trap(r, trap);
        } else {
            for (size_t i = 0; i < nr; i++) {
                cli_buf text = {.len = 0};
                cli_format_value(&text, &results[i], CLI_VALUE_PLAIN);
                printf("%s\n", text.text);
            }
        }
    }
    free(args);
    free(results);
    return status;
}

/* The guest's argv and environment (the directories are in already). False
 * after a message. */
static bool configure_wasi(const run *r)
{
    const run_settings *s = r->s;
    kite_error_t *err = kite_wasi_config_push_arg(s->wasi, s->argv0 ? s->argv0 : r->path);
    for (int i = 0; !err && !s->invoke && i < r->nargs; i++)
        err = kite_wasi_config_push_arg(s->wasi, r->args[i]);
    if (!err && s->inherit_env)
        err = kite_wasi_config_inherit_env(s->wasi);
    for (int i = 0; !err && i < s->nenvs; i++) {
        const char *e = s->envs[i], *eq = strchr(e, '=');
        if (!eq) {
            const char *v = getenv(e);
            if (v)
                err = kite_wasi_config_push_env(s->wasi, e, v);
            continue;
        }
        char *name = strndup(e, (size_t)(eq - e));
        if (!name) {
            cli_error("out of memory");
            return false;
        }
        err = kite_wasi_config_push_env(s->wasi, name, eq + 1);
        free(name);
    }
    /* KITE_WASI_NO_OPENAT2=1: the portable path walker on Linux too
     * (tests/wasi/run-tests.sh). */
    const char *walk = getenv("KITE_WASI_NO_OPENAT2");
    if (walk && *walk && strcmp(walk, "0") != 0)
        kite_wasi_config_no_openat2(s->wasi, true);
    if (err)
        report_error("", err);
    return !err;
}

static int instantiate_and_call(const run *r, const char *prog, kite_engine_t *engine,
                                kite_store_t *store, const kite_module_t *module,
                                const kite_store_limits_t *limits)
{
    kite_linker_t *linker = kite_linker_new(engine);
    if (!linker) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    int status;
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = cli_run_prepare(r->file, engine, store, r->wasi, linker, module, limits,
                                        r->s->has_fuel ? r->s->fuel : 0);
    if (!err)
        err = kite_wasi_define_imports(r->wasi, linker, store, module);
    if (!err)
        err = kite_linker_instantiate(linker, store, module, &inst, &trap);
    if (err)
        status = report_error("cannot instantiate: ", err);
    else if (trap)
        status = finish_trap(r, trap);
    else
        status = call_export(r, prog, store, inst);
    kite_linker_free(linker);
    return cli_run_finish(r->wasi, status);
}

static int run_module(run *r, const char *prog, kite_engine_t *engine,
                      const kite_store_limits_t *limits)
{
    kite_module_t *module;
    cli_compile_file(engine, r->path, &module);
    if (!module)
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    kite_store_t *store = NULL;
    cli_watchdog *watchdog = NULL;
    if (!check_imports(r, module) || !configure_wasi(r))
        goto done;
    kite_error_t *err = kite_wasi_new(engine, r->s->wasi, &r->wasi);
    if (err) {
        report_error("", err);
        goto done;
    }
    if (!(store = kite_store_new(engine))) {
        cli_error("out of memory");
        goto done;
    }
    kite_store_set_limits(store, limits);
    if (r->s->has_fuel)
        kite_store_set_fuel(store, r->s->fuel);
    if (r->s->timeout_ns && !(watchdog = cli_watchdog_start(store, r->s->timeout_ns))) {
        cli_error("cannot start the thread of --timeout");
        goto done;
    }
    status = instantiate_and_call(r, prog, engine, store, module, limits);
    cli_watchdog_stop(watchdog);
    fflush(stdout);
done:
    /* The store's host functions point at the WASI object: store first. */
    kite_store_free(store);
    kite_wasi_free(r->wasi);
    kite_module_free(module);
    return status;
}

/* FILE [ARGS...] after the options (n > 0); -1 when fine, else the exit status. */
static int take_operands(run *r, run_settings *s, const char *prog, int n, char **operands)
{
    r->path = operands[0];
    r->file = cli_file_label(r->path);
    int i = 1;
    /* `kite run FILE --invoke NAME ARGS...` is accepted too: --invoke right
     * after FILE is taken as the option (only there, and only once). `--`
     * right after FILE ends the options, for a guest whose first argument
     * is itself `--invoke`. */
    if (i < n && strcmp(operands[i], "--") == 0) {
        i++;
    } else if (!s->invoke && i < n && strncmp(operands[i], "--invoke", 8) == 0 &&
               (operands[i][8] == 0 || operands[i][8] == '=')) {
        if (operands[i][8] == '=') {
            s->invoke = operands[i] + 9;
            i += 1;
        } else if (i + 1 < n) {
            s->invoke = operands[i + 1];
            i += 2;
        } else {
            cli_usage_error(prog, "--invoke needs a value (--invoke NAME)");
            return CLI_EXIT_USAGE;
        }
    }
    r->args = operands + i;
    r->nargs = n - i;
    /* --invoke's arguments are numbers or `null`: an option after FILE is a
     * mistake in the order, not an argument. (A WASI program's arguments
     * are its own business.) */
    for (int k = 0; s->invoke && k < r->nargs; k++) {
        if (strncmp(r->args[k], "--", 2) == 0 && r->args[k][2] != 0) {
            cli_usage_error(prog, "options go before FILE ('%s' comes after it)", r->args[k]);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

static int run_main(const char *prog, int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    run_settings s = {.wasi = kite_wasi_config_new(),
                      .envs = calloc((size_t)argc + 1, sizeof(char *))};
    kite_store_limits_t limits = {0};
    kite_engine_t *engine = NULL;
    int status = CLI_EXIT_ERROR, n;
    run r = {.s = &s};
    if (!config || !s.wasi || !s.envs) {
        cli_error("out of memory");
        goto done;
    }
    cli_fail_alloc_setup(config);
    void *const ctxs[] = {&s, &limits, config, config};
    status = cli_parse_options(&cli_run_command, prog, ctxs, config,
                               CLI_STOP_AT_OPERAND | CLI_NEED_FILE, argc, argv, &n);
    if (status < 0)
        status = take_operands(&r, &s, prog, n, argv);
    if (status >= 0)
        goto done;
    if (!(engine = kite_engine_new(config))) {
        cli_error("out of memory");
        status = CLI_EXIT_ERROR;
        goto done;
    }
    /* A guest writing to a closed pipe gets EPIPE, as programs of most
     * runtimes do, instead of killing kite. */
    signal(SIGPIPE, SIG_IGN);
    status = run_module(&r, prog, engine, &limits);
done:
    kite_engine_free(engine);
    cli_fail_alloc_report();
    kite_config_free(config);
    kite_wasi_config_free(s.wasi);
    free(s.envs);
    for (size_t i = 0; i < s.nlisteners; i++)
        close(s.listeners[i]);
    free(s.listeners);
    return status;
}

static void run_notes(FILE *out)
{
    fprintf(out, "arguments of --invoke, by the function's parameter types:\n");
    for (kite_valkind_t k = KITE_I32; k <= KITE_REF; k++)
        fprintf(out, "  %-5s %s\n", kite_valkind_name(k), cli_value_syntax(k));
    fprintf(out, "results: one per line, written as arguments are (floats with enough digits\n"
                 "to read back exactly); references as null, ref.func, ref.host N, ...\n"
                 "\n"
                 "exit status: the program's exit code (proc_exit, modulo 256), else 0 when\n"
                 "it returns; 1, 2 and 133 as for every command (`kite help`).\n");
}

static const cli_option *const run_option_tables[] = {run_options, cli_limit_options,
                                                      cli_tier_options, cli_engine_options, NULL};

const cli_command cli_run_command = {
    .name = "run",
    .synopsis = "[OPTIONS] FILE [ARGS...]",
    .summary = "run a WASI program, or call an export (--invoke); `kite FILE` is the same",
    .description =
        "Run FILE (.wasm or .wat; - reads it from stdin, which the program then\n"
        "finds at its end). Options come before FILE; everything after\n"
        "FILE is an argument, except that `kite run FILE --invoke NAME ARGS...`\n"
        "is accepted as well (`kite run FILE -- ARGS...` passes ARGS as they are).\n"
        "\n"
        "Without --invoke, FILE is a WASI program (wasi_snapshot_preview1): its\n"
        "_start export runs with the arguments FILE ARGS... It sees no files and\n"
        "no environment unless the options grant them: paths resolve only beneath\n"
        "the --dir directories (no \"..\", absolute path or symbolic link leads out\n"
        "of them); stdin, stdout and stderr are kite's own.\n"
        "With --invoke NAME, the export NAME is called with ARGS as its typed\n"
        "arguments and its results are printed, one per line; a reactor's\n"
        "_initialize export runs first.\n",
    .notes = run_notes,
    .options = run_option_tables,
    .features = true,
    .main = run_main,
};
