/*
 * kite run [OPTIONS] FILE [ARGS...]: run a WASI program, or call one export.
 *
 * Without --invoke, FILE is a WASI command: its "_start" runs with argv
 * FILE ARGS..., the pre-opened directories and environment the options
 * give. With --invoke NAME, ARGS are NAME's typed arguments and its results
 * are printed one per line; a reactor's "_initialize" runs first.
 *
 * Exit status: the guest's proc_exit code (modulo 256, as a native exit),
 * 0 when _start or the export returns; a usage mistake (unknown option, bad
 * option value, wrong argument count or text) is 2; a module that cannot be
 * read, compiled, linked or called is 1; a trap (also in the start function
 * or while initializing) is 133, i.e. 128 + SIGTRAP, the status a shell
 * shows for a native program stopped by a trap.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define RUN_EXIT_OK 0
#define RUN_EXIT_ERROR 1
#define RUN_EXIT_USAGE 2
#define RUN_EXIT_TRAP (128 + 5)

/* A backtrace longer than RUN_MAX_FRAMES shows its first frames and its
 * last RUN_OUTER_FRAMES. */
#define RUN_MAX_FRAMES 30
#define RUN_OUTER_FRAMES 5

typedef struct run_dir {
    const char *host;
    char *guest; /* owned */
    bool readonly;
} run_dir;

typedef struct run_opts {
    const char *file;
    const char *invoke;   /* export to call, or NULL: a WASI command's _start */
    bool has_fuel;
    uint64_t fuel;
    uint64_t timeout_ns;  /* 0: no time limit */
    const char *timeout;  /* as given */
    uint64_t max_memory;  /* bytes; 0: no limit */
    uint64_t gc_heap_limit; /* bytes; 0: no limit */
    char **args;
    int nargs;
    run_dir *dirs;        /* --dir, --dir-ro in order */
    int ndirs;
    const char **envs;    /* --env values in order */
    int nenvs;
    bool inherit_env;
} run_opts;

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: kite run [OPTIONS] FILE [ARGS...]\n"
            "\n"
            "Run FILE (.wasm or .wat). Options come before FILE; everything after\n"
            "FILE is an argument, except that `kite run FILE --invoke NAME ARGS...`\n"
            "is accepted as well (`kite run FILE -- ARGS...` passes ARGS as they are).\n"
            "\n"
            "Without --invoke, FILE is a WASI program (wasi_snapshot_preview1): its\n"
            "_start export runs with the arguments FILE ARGS... (argv[0] is FILE as\n"
            "given). It sees no files and no environment unless the options grant them.\n"
            "With --invoke NAME, the export NAME is called with ARGS as its typed\n"
            "arguments and its results are printed, one per line; a reactor's\n"
            "_initialize export runs first.\n"
            "\n"
            "options:\n"
            "  --invoke NAME       call the export NAME instead of running _start\n"
            "  --dir HOST[::GUEST] let the program use host directory HOST and\n"
            "                      everything beneath it, under the name GUEST (default:\n"
            "                      HOST as written, e.g. `--dir .`); repeatable\n"
            "  --dir-ro HOST[::GUEST]\n"
            "                      the same, read-only: the program cannot create,\n"
            "                      change, rename or remove anything beneath HOST\n"
            "  --env NAME=VALUE    set an environment variable of the program; --env NAME\n"
            "                      passes the host's value of NAME (if set); repeatable\n"
            "  --inherit-env       pass the whole host environment (--env still applies)\n"
            "  --fuel N            trap (\"all fuel consumed\") after about N instructions;\n"
            "                      N > 0, a k, m or g suffix as for --max-memory\n"
            "  --timeout TIME      stop the program (a trap: \"interrupted\") when it has\n"
            "                      run TIME of wall-clock time: a number with a unit\n"
            "                      us, ms, s (the default), m or h, e.g. 500ms or 10\n"
            "  --gc-heap-limit BYTES\n"
            "                      limit the GC heap (structs and arrays); a GC allocation\n"
            "                      that does not fit after a collection traps\n"
            "  --max-memory BYTES  limit all linear memories together; a k, m or g\n"
            "                      suffix multiplies by 1024, 1024^2 or 1024^3\n"
            "  --enable-F, --disable-F\n"
            "                      turn a feature on or off (see `kite help`)\n"
            "  --help              this text\n"
            "\n"

            "The sandbox: paths resolve only beneath the --dir directories (no \"..\",\n"
            "absolute path or symbolic link leads out of them); stdin, stdout and\n"
            "stderr are kite's own.\n"
            "\n"
            "arguments of --invoke, by the function's parameter types:\n"
            "  i32, i64   decimal or 0x hexadecimal, optionally negative\n"
            "  f32, f64   decimal or hexadecimal float, inf, nan, nan:0xPAYLOAD\n"
            "  v128       0x followed by up to 32 hex digits (a 128-bit integer)\n"
            "  references `null`\n"
            "\n"
            "results: i32/i64 as signed decimal, f32/f64 with enough digits to read\n"
            "back exactly (or inf, -inf, nan, nan:0xPAYLOAD), v128 as 0x + 32 hex\n"
            "digits, references as null, ref.func, ref.host N, ref.exn, ...\n"
            "\n"
            "exit status: the program's exit code (proc_exit; modulo 256), else 0 when\n"
            "it returns; 1 the module cannot be read, compiled, linked or called (also\n"
            "a missing or non-function export); 2 a usage mistake; 133 (128 + SIGTRAP)\n"
            "a trap, reported as `kite: trap: MESSAGE` with a backtrace on stderr.\n");
}

/* ---- numbers ----------------------------------------------------------------- */

/* An integer of `bits` bits: decimal or 0x hex, negative allowed; signed or
 * unsigned range. */
static bool parse_int(const char *s, unsigned bits, uint64_t *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || errno == ERANGE)
        return false;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t nmax = UINT64_C(1) << (bits - 1); /* magnitude of the most negative */
    if (neg ? v > nmax : v > umax)
        return false;
    *out = neg ? (uint64_t)0 - v : v;
    if (bits < 64)
        *out &= umax;
    return true;
}

/* "nan", "nan:0xPAYLOAD" (sign already taken off); false if not a NaN form. */
static bool parse_nan(const char *s, unsigned mant_bits, uint64_t *payload, bool *ok)
{
    *ok = false;
    if (strncmp(s, "nan", 3) != 0)
        return false;
    uint64_t quiet = UINT64_C(1) << (mant_bits - 1);
    if (!s[3]) {
        *payload = quiet;
        *ok = true;
        return true;
    }
    if (strncmp(s + 3, ":0x", 3) != 0)
        return true;
    char *end;
    errno = 0;
    unsigned long long p = strtoull(s + 6, &end, 16);
    *ok = s[6] && !*end && errno != ERANGE && p != 0 && p < (UINT64_C(1) << mant_bits);
    *payload = p;
    return true;
}

static bool parse_float(const char *s, bool is64, uint64_t *bits)
{
    bool neg = *s == '-';
    const char *body = (*s == '-' || *s == '+') ? s + 1 : s;
    uint64_t payload;
    bool ok;
    if (parse_nan(body, is64 ? 52 : 23, &payload, &ok)) {
        if (!ok)
            return false;
        *bits = is64 ? (UINT64_C(0x7ff) << 52) | payload | ((uint64_t)neg << 63)
                     : (UINT64_C(0xff) << 23) | payload | ((uint64_t)neg << 31);
        return true;
    }
    if (!*body || isspace((unsigned char)*body) || *body == '-' || *body == '+' ||
        strncmp(body, "nan", 3) == 0)
        return false;
    char *end;
    if (is64) {
        double d = strtod(s, &end);
        memcpy(bits, &d, sizeof(d));
    } else {
        /* strtof rounds once, straight to single precision */
        float f = strtof(s, &end);
        uint32_t b;
        memcpy(&b, &f, sizeof(f));
        *bits = b;
    }
    return *end == 0;
}

static bool parse_v128(const char *s, uint8_t out[16])
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    size_t n = strlen(s + 2);
    if (n > 32)
        return false;
    memset(out, 0, 16);
    for (size_t i = 0; i < n; i++) {
        char c = s[2 + n - 1 - i]; /* least significant digit first */
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        out[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return true;
}

static const char *type_name(kite_valtype_t t)
{
    switch (t.kind) {
    case KITE_I32: return "i32";
    case KITE_I64: return "i64";
    case KITE_F32: return "f32";
    case KITE_F64: return "f64";
    case KITE_V128: return "v128";
    case KITE_REF: return "a reference";
    }
    return "a value";
}

static bool parse_arg(const char *s, kite_valtype_t type, kite_val_t *out)
{
    uint64_t x;
    memset(out, 0, sizeof(*out));
    out->kind = type.kind;
    switch (type.kind) {
    case KITE_I32:
        if (!parse_int(s, 32, &x))
            return false;
        out->of.i32 = (int32_t)(uint32_t)x;
        return true;
    case KITE_I64:
        if (!parse_int(s, 64, &x))
            return false;
        out->of.i64 = (int64_t)x;
        return true;
    case KITE_F32:
        if (!parse_float(s, false, &x))
            return false;
        out->of.f32_bits = (uint32_t)x;
        return true;
    case KITE_F64:
        return parse_float(s, true, &out->of.f64_bits);
    case KITE_V128:
        return parse_v128(s, out->of.v128);
    case KITE_REF:
        out->of.ref = KITE_REF_NULL;
        return strcmp(s, "null") == 0;
    }
    return false;
}

/* ---- results ------------------------------------------------------------------ */

static void print_float(uint64_t bits, bool is64)
{
    unsigned mant_bits = is64 ? 52 : 23;
    uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
    uint64_t exp = (bits >> mant_bits) & (is64 ? 0x7ff : 0xff);
    bool neg = (bits >> (is64 ? 63 : 31)) & 1;
    if (exp == (is64 ? 0x7ffu : 0xffu)) {
        if (!mant)
            printf("%sinf\n", neg ? "-" : "");
        else if (mant == UINT64_C(1) << (mant_bits - 1))
            printf("%snan\n", neg ? "-" : "");
        else
            printf("%snan:0x%" PRIx64 "\n", neg ? "-" : "", mant);
        return;
    }
    if (is64) {
        double d;
        memcpy(&d, &bits, sizeof(d));
        printf("%.17g\n", d);
    } else {
        uint32_t b = (uint32_t)bits;
        float f;
        memcpy(&f, &b, sizeof(f));
        printf("%.9g\n", (double)f);
    }
}

static void print_ref(kite_ref_t ref)
{
    uintptr_t hv;
    switch (kite_ref_kind(ref)) {
    case KITE_REFKIND_NULL: printf("null\n"); return;
    case KITE_REFKIND_FUNC: printf("ref.func\n"); return;
    case KITE_REFKIND_HOST:
        if (kite_ref_host_value(ref, &hv))
            printf("ref.host %" PRIuPTR "\n", hv);
        else
            printf("ref.host\n");
        return;
    case KITE_REFKIND_EXN: printf("ref.exn\n"); return;
    case KITE_REFKIND_I31: printf("ref.i31\n"); return;
    case KITE_REFKIND_STRUCT: printf("ref.struct\n"); return;
    case KITE_REFKIND_ARRAY: printf("ref.array\n"); return;
    }
    printf("ref\n");
}

static void print_value(const kite_val_t *v)
{
    switch (v->kind) {
    case KITE_I32:
        printf("%" PRId32 "\n", v->of.i32);
        return;
    case KITE_I64:
        printf("%" PRId64 "\n", v->of.i64);
        return;
    case KITE_F32:
        print_float(v->of.f32_bits, false);
        return;
    case KITE_F64:
        print_float(v->of.f64_bits, true);
        return;
    case KITE_V128:
        printf("0x");
        for (int i = 15; i >= 0; i--)
            printf("%02x", v->of.v128[i]);
        printf("\n");
        return;
    case KITE_REF:
        print_ref(v->of.ref);
        return;
    }
}

/* ---- running -------------------------------------------------------------------- */

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int report_trap(const run_opts *o, kite_trap_t *trap)
{
    if (kite_trap_kind(trap) == KITE_TRAP_INTERRUPTED && o->timeout)
        fprintf(stderr, "kite: trap: interrupted: time limit (--timeout %s) exceeded\n", o->timeout);
    else
        fprintf(stderr, "kite: trap: %s\n", kite_trap_message(trap));
    /* Deep recursion can leave many thousands of frames: show the
     * innermost and the outermost ones. */
    size_t n = kite_trap_frame_count(trap);
    for (size_t i = 0; i < n; i++) {
        if (n > RUN_MAX_FRAMES && i == RUN_MAX_FRAMES - RUN_OUTER_FRAMES) {
            fprintf(stderr, "  ... %zu more frames ...\n", n - RUN_MAX_FRAMES);
            i = n - RUN_OUTER_FRAMES;
        }
        kite_frame_t f = kite_trap_frame(trap, i);
        fprintf(stderr, "  at ");
        if (f.func_name)
            fprintf(stderr, "%s", f.func_name);
        else
            fprintf(stderr, "func[%" PRIu32 "]", f.func_index);
        fprintf(stderr, " (%s+0x%" PRIx64 ")\n",
                f.module_name ? f.module_name : basename_of(o->file), f.code_offset);
    }
    kite_trap_free(trap);
    return RUN_EXIT_TRAP;
}

static int report_error(const char *what, kite_error_t *err)
{
    fprintf(stderr, "kite: %s%s\n", what, kite_error_message(err));
    kite_error_free(err);
    return RUN_EXIT_ERROR;
}

/* After a trap: the guest's exit code if it called proc_exit, else the trap. */
static int finish_trap(const run_opts *o, kite_wasi_t *wasi, kite_trap_t *trap)
{
    uint32_t code;
    if (kite_wasi_exit_code(wasi, &code)) {
        kite_trap_free(trap);
        return (int)(code & 0xff); /* what exit(code) gives a native program */
    }
    return report_trap(o, trap);
}

/* Only WASI can be imported: name the first other import. */
static bool check_imports(const kite_module_t *module)
{
    size_t n = kite_module_import_count(module);
    for (size_t i = 0; i < n; i++) {
        kite_import_desc_t d = kite_module_import(module, i);
        if (d.module_len == 22 && memcmp(d.module, "wasi_snapshot_preview1", 22) == 0)
            continue;
        bool old = d.module_len == 13 && memcmp(d.module, "wasi_unstable", 13) == 0;
        fprintf(stderr, "kite: unknown import: %.*s.%.*s%s\n", (int)d.module_len, d.module,
                (int)d.name_len, d.name,
                old ? " (the old WASI 'wasi_unstable' is not supported; rebuild for "
                      "wasi_snapshot_preview1)"
                    : "");
        return false;
    }
    return true;
}

/* The export `name` as a function, or NULL (with a message). */
static kite_func_t *export_func(kite_instance_t *inst, const char *name, bool invoked)
{
    kite_extern_t ext;
    if (!kite_instance_export(inst, name, strlen(name), &ext)) {
        if (invoked)
            fprintf(stderr, "kite: no export named '%s'\n", name);
        else
            fprintf(stderr, "kite: no _start export; use --invoke NAME\n");
        return NULL;
    }
    if (ext.kind != KITE_EXTERN_FUNC) {
        fprintf(stderr, "kite: export '%s' is not a function\n", name);
        return NULL;
    }
    return ext.of.func;
}

/* Calls a function without parameters, ignoring its results (_start,
 * _initialize). */
static int call_void(const run_opts *o, kite_store_t *store, kite_wasi_t *wasi, kite_func_t *func,
                     const char *name)
{
    if (kite_func_param_count(func) != 0 || kite_func_result_count(func) != 0) {
        fprintf(stderr, "kite: %s must take no parameters and return nothing\n", name);
        return RUN_EXIT_ERROR;
    }
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(store, func, NULL, 0, NULL, 0, &trap);
    if (err)
        return report_error("call failed: ", err);
    if (trap)
        return finish_trap(o, wasi, trap);
    return RUN_EXIT_OK;
}

static int call_export(const run_opts *o, kite_store_t *store, kite_instance_t *inst,
                       kite_wasi_t *wasi)
{
    if (!o->invoke) {
        kite_func_t *start = export_func(inst, "_start", false);
        return start ? call_void(o, store, wasi, start, "_start") : RUN_EXIT_ERROR;
    }
    const char *name = o->invoke;
    kite_func_t *func = export_func(inst, name, true);
    if (!func)
        return RUN_EXIT_ERROR;
    size_t np = kite_func_param_count(func), nr = kite_func_result_count(func);
    if ((size_t)o->nargs != np) {
        fprintf(stderr, "kite: %s: expected %zu argument%s, got %d\n", name, np,
                np == 1 ? "" : "s", o->nargs);
        return RUN_EXIT_USAGE;
    }
    kite_val_t *args = calloc(np ? np : 1, sizeof(*args));
    kite_val_t *results = calloc(nr ? nr : 1, sizeof(*results));
    int status = RUN_EXIT_OK;
    if (!args || !results) {
        fprintf(stderr, "kite: out of memory\n");
        status = RUN_EXIT_ERROR;
    }
    for (size_t i = 0; status == RUN_EXIT_OK && i < np; i++) {
        kite_valtype_t t = kite_func_param(func, i);
        if (!parse_arg(o->args[i], t, &args[i])) {
            fprintf(stderr, "kite: %s: argument %zu: '%s' is not %s\n", name, i + 1, o->args[i],
                    type_name(t));
            status = RUN_EXIT_USAGE;
        }
    }
    /* A reactor is initialized before any other export is used. */
    kite_extern_t init;
    if (status == RUN_EXIT_OK && strcmp(name, "_initialize") != 0 &&
        kite_instance_export(inst, "_initialize", 11, &init) && init.kind == KITE_EXTERN_FUNC)
        status = call_void(o, store, wasi, init.of.func, "_initialize");
    if (status == RUN_EXIT_OK) {
        kite_trap_t *trap = NULL;
        kite_error_t *err = kite_func_call(store, func, args, np, results, nr, &trap);
        if (err)
            status = report_error("call failed: ", err);
        else if (trap)
            status = finish_trap(o, wasi, trap);
        else
            for (size_t i = 0; i < nr; i++)
                print_value(&results[i]);
    }
    free(args);
    free(results);
    return status;
}

/* The guest's view: argv, environment, pre-opened directories. False (with
 * a message) on failure. */
static bool configure_wasi(const run_opts *o, kite_wasi_config_t *cfg)
{
    kite_error_t *err = kite_wasi_config_push_arg(cfg, o->file);
    for (int i = 0; !err && !o->invoke && i < o->nargs; i++)
        err = kite_wasi_config_push_arg(cfg, o->args[i]);
    if (!err && o->inherit_env)
        err = kite_wasi_config_inherit_env(cfg);
    for (int i = 0; !err && i < o->nenvs; i++) {
        const char *e = o->envs[i], *eq = strchr(e, '=');
        if (!eq) {
            const char *v = getenv(e);
            if (v)
                err = kite_wasi_config_push_env(cfg, e, v);
            continue;
        }
        size_t n = (size_t)(eq - e);
        char *name = malloc(n + 1);
        if (!name) {
            fprintf(stderr, "kite: out of memory\n");
            return false;
        }
        memcpy(name, e, n);
        name[n] = 0;
        err = kite_wasi_config_push_env(cfg, name, eq + 1);
        free(name);
    }
    for (int i = 0; !err && i < o->ndirs; i++)
        err = kite_wasi_config_preopen_dir(cfg, o->dirs[i].host, o->dirs[i].guest,
                                           o->dirs[i].readonly ? KITE_WASI_READONLY : 0);
    if (err)
        report_error("", err);
    return !err;
}

static int instantiate_and_call(const run_opts *o, kite_store_t *store, kite_wasi_t *wasi,
                                const kite_module_t *module)
{
    kite_linker_t *linker = kite_linker_new();
    if (!linker) {
        fprintf(stderr, "kite: out of memory\n");
        return RUN_EXIT_ERROR;
    }
    int status;
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_wasi_define_imports(wasi, linker, store, module);
    if (!err)
        err = kite_linker_instantiate(linker, store, module, &inst, &trap);
    if (err)
        status = report_error("cannot instantiate: ", err);
    else if (trap)
        status = finish_trap(o, wasi, trap);
    else
        status = call_export(o, store, inst, wasi);
    kite_linker_free(linker);
    return status;
}

/*
 * Compiles FILE. A regular file is mapped rather than read: start-up time
 * is what `kite run` is judged by, and mapping a file already in the page
 * cache costs a fraction of copying it into fresh heap pages.
 */
static kite_error_t *compile_file(const run_opts *o, kite_engine_t *engine, kite_module_t **out)
{
    int fd = open(o->file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX) {
        size_t len = (size_t)st.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (map != MAP_FAILED) {
            kite_error_t *err = kite_module_new_any(engine, map, len, out);
            munmap(map, len);
            return err;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    size_t len;
    char *bytes = cli_read_file(o->file, &len);
    if (!bytes)
        return NULL; /* reported; *out stays NULL */
    kite_error_t *err = kite_module_new_any(engine, (const uint8_t *)bytes, len, out);
    free(bytes);
    return err;
}

static int run_module(const run_opts *o, kite_engine_t *engine)
{
    kite_module_t *module = NULL;
    kite_error_t *err = compile_file(o, engine, &module);
    if (!err && !module)
        return RUN_EXIT_ERROR;
    if (err) {
        fprintf(stderr, "kite: ");
        cli_print_error(stderr, o->file, err);
        kite_error_free(err);
        return RUN_EXIT_ERROR;
    }
    int status = RUN_EXIT_ERROR;
    kite_store_t *store = NULL;
    kite_wasi_t *wasi = NULL;
    kite_wasi_config_t *cfg = NULL;
    if (!check_imports(module))
        goto done;
    cfg = kite_wasi_config_new();
    store = kite_store_new(engine);
    if (!store || !cfg) {
        fprintf(stderr, "kite: out of memory\n");
        goto done;
    }
    if (!configure_wasi(o, cfg))
        goto done;
    err = kite_wasi_new(cfg, &wasi);
    if (err) {
        report_error("", err);
        goto done;
    }
    if (o->max_memory || o->gc_heap_limit) {
        kite_store_limits_t limits = {.memory_bytes = o->max_memory,
                                      .gc_heap_bytes = o->gc_heap_limit};
        kite_store_set_limits(store, &limits);
    }
    if (o->has_fuel)
        kite_store_set_fuel(store, o->fuel);
    cli_watchdog *watchdog = NULL;
    if (o->timeout_ns && !(watchdog = cli_watchdog_start(store, o->timeout_ns))) {
        fprintf(stderr, "kite: cannot start the --timeout thread\n");
        goto done;
    }
    status = instantiate_and_call(o, store, wasi, module);
    cli_watchdog_stop(watchdog);
    fflush(stdout);
done:
    /* The store's host functions point at the WASI object: store first. */
    kite_store_free(store);
    kite_wasi_free(wasi);
    kite_wasi_config_free(cfg);
    kite_module_free(module);
    return status;
}

/* ---- options -------------------------------------------------------------------- */

/* HOST[::GUEST] of --dir and --dir-ro. */
static bool parse_dir(const char *v, bool readonly, run_dir *out)
{
    const char *sep = strstr(v, "::");
    const char *guest = sep ? sep + 2 : v;
    size_t hl = sep ? (size_t)(sep - v) : strlen(v);
    if (hl == 0 || !*guest)
        return false;
    char *host = malloc(hl + 1 + strlen(guest) + 1);
    if (!host)
        return false;
    memcpy(host, v, hl);
    host[hl] = 0;
    /* One allocation: the host path, then the guest name. */
    out->guest = host + hl + 1;
    strcpy(out->guest, guest);
    out->host = host;
    out->readonly = readonly;
    return true;
}

/* Whether option `a` takes a value. */
static bool takes_value(const char *a)
{
    static const char *const with_value[] = {"--invoke", "--fuel",   "--max-memory", "--gc-heap-limit",
                                             "--dir",    "--dir-ro", "--env",        "--timeout"};
    for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
        if (strcmp(a, with_value[k]) == 0)
            return true;
    return false;
}

static bool parse_value(const char *a, const char *v, run_opts *o)
{
    if (strcmp(a, "--invoke") == 0) {
        o->invoke = v;
        return true;
    }
    if (strcmp(a, "--fuel") == 0) {
        o->has_fuel = true;
        return cli_parse_size(v, &o->fuel) && o->fuel > 0;
    }
    if (strcmp(a, "--max-memory") == 0)
        return cli_parse_size(v, &o->max_memory);
    if (strcmp(a, "--timeout") == 0) {
        o->timeout = v;
        return cli_parse_duration(v, &o->timeout_ns);
    }
    if (strcmp(a, "--gc-heap-limit") == 0)
        return cli_parse_size(v, &o->gc_heap_limit) && o->gc_heap_limit > 0;
    if (strcmp(a, "--env") == 0) {
        if (*v == '=' || !*v)
            return false;
        o->envs[o->nenvs++] = v;
        return true;
    }
    bool ro = strcmp(a, "--dir-ro") == 0;
    if (!parse_dir(v, ro, &o->dirs[o->ndirs]))
        return false;
    o->ndirs++;
    return true;
}

/* Options before FILE; returns -1 when parsed, else the exit status. */
static int parse_opts(int argc, char **argv, kite_config_t *config, run_opts *o)
{
    /* At most one --dir or --env per argument. */
    o->dirs = calloc((size_t)argc + 1, sizeof(run_dir));
    o->envs = calloc((size_t)argc + 1, sizeof(char *));
    if (!o->dirs || !o->envs) {
        fprintf(stderr, "kite: out of memory\n");
        return RUN_EXIT_ERROR;
    }
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_usage(stdout);
            return RUN_EXIT_OK;
        }
        if (strcmp(a, "--inherit-env") == 0) {
            o->inherit_env = true;
            continue;
        }
        if (cli_feature_flag(config, a))
            continue;
        if (!takes_value(a)) {
            fprintf(stderr, "kite run: unknown option '%s'\n", a);
            return RUN_EXIT_USAGE;
        }
        if (i + 1 == argc) {
            fprintf(stderr, "kite run: %s needs a value\n", a);
            return RUN_EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (!parse_value(a, v, o)) {
            fprintf(stderr, "kite run: bad value '%s' for %s\n", v, a);
            return RUN_EXIT_USAGE;
        }
    }
    if (i == argc) {
        fprintf(stderr, "kite run: no FILE given\n");
        run_usage(stderr);
        return RUN_EXIT_USAGE;
    }
    o->file = argv[i];
    /* `kite run FILE --invoke NAME ARGS...` is accepted too: --invoke right
     * after FILE is taken as the option (only there, and only once). `--`
     * right after FILE ends the options, for a guest whose first argument
     * is itself `--invoke`. */
    if (i + 1 < argc && strcmp(argv[i + 1], "--") == 0) {
        i++;
    } else if (!o->invoke && i + 1 < argc && strcmp(argv[i + 1], "--invoke") == 0) {
        if (i + 2 >= argc) {
            fprintf(stderr, "kite run: --invoke needs a NAME\n");
            return RUN_EXIT_USAGE;
        }
        o->invoke = argv[i + 2];
        i += 2;
    }
    o->args = argv + i + 1;
    o->nargs = argc - i - 1;
    /* --invoke's arguments are numbers or `null`: an option after FILE is a
     * mistake in the order, not an argument. (A WASI program's arguments
     * are its own business.) */
    for (int k = 0; o->invoke && k < o->nargs; k++) {
        if (strncmp(o->args[k], "--", 2) == 0 && o->args[k][2] != 0) {
            fprintf(stderr, "kite run: options go before FILE ('%s' comes after it)\n",
                    o->args[k]);
            return RUN_EXIT_USAGE;
        }
    }
    return -1;
}

static void free_opts(run_opts *o)
{
    for (int i = 0; o->dirs && i < o->ndirs; i++)
        free((char *)o->dirs[i].host);
    free(o->dirs);
    free(o->envs);
}

int cli_run(int argc, char **argv)
{
    kite_config_t *config = kite_config_new();
    if (!config) {
        fprintf(stderr, "kite: out of memory\n");
        return RUN_EXIT_ERROR;
    }
    run_opts o = {0};
    int status = parse_opts(argc, argv, config, &o);
    if (status >= 0) {
        kite_config_free(config);
        free_opts(&o);
        return status;
    }
    kite_engine_t *engine = kite_engine_new(config);
    kite_config_free(config);
    if (!engine) {
        fprintf(stderr, "kite: out of memory\n");
        free_opts(&o);
        return RUN_EXIT_ERROR;
    }
    /* A guest writing to a closed pipe gets EPIPE, as programs of most
     * runtimes do, instead of killing kite. */
    signal(SIGPIPE, SIG_IGN);
    status = run_module(&o, engine);
    kite_engine_free(engine);
    free_opts(&o);
    return status;
}
