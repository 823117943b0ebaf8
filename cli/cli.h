/*
 * The kite command: what its subcommands share. main.c dispatches over the
 * table of subcommands declared at the end; each subcommand is a module of
 * its own that uses this header (and kite.h), never main.c or another
 * subcommand.
 */
#ifndef KITE_CLI_H
#define KITE_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kite.h"

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* ---- exit statuses (the same for every subcommand; `kite help` lists them) ---- */

#define CLI_EXIT_TABLE(X)                                                                      \
    X(CLI_EXIT_OK, 0, "success; kite run: the program's exit code when it gives one "            \
                      "(proc_exit, modulo 256)")                                              \
    X(CLI_EXIT_ERROR, 1, "the module cannot be read, compiled (malformed or invalid), linked "  \
                         "or called; kite wast: an assertion failed")                         \
    X(CLI_EXIT_USAGE, 2, "a usage mistake: unknown option, bad option value, missing FILE, "   \
                         "wrong --invoke arguments")                                           \
    X(CLI_EXIT_TRAP, 133, "the Wasm code trapped (128 + SIGTRAP, as a shell shows a native "   \
                          "program stopped by a trap); the trap and a backtrace go to stderr")

enum cli_exit {
#define CLI_EXIT_ENUM(id, code, help) id = code,
    CLI_EXIT_TABLE(CLI_EXIT_ENUM)
#undef CLI_EXIT_ENUM
};

/* A bounded text buffer (truncates, never fails), for values and reports. */
typedef struct cli_buf {
    char text[2048];
    size_t len;
} cli_buf;
void cli_buf_printf(cli_buf *b, const char *fmt, ...) CLI_PRINTF(2, 3);
void cli_buf_vprintf(cli_buf *b, const char *fmt, va_list ap);

/* ---- messages: every one goes to stderr, starts with "kite" and says why ---- */

/* "kite: MESSAGE\n" on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* "PROG: MESSAGE\n" on stderr, for usage mistakes ("kite run: ..."). */
void cli_usage_error(const char *prog, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Where an error is: FILE:LINE:COLUMN in a text, FILE+0xOFFSET in a
 * binary, else FILE. */
void cli_format_position(cli_buf *b, const char *file, const kite_error_t *err);
/* "kite: POSITION: invalid module: MESSAGE" (or malformed, ...) on stderr;
 * frees err. */
void cli_module_error(const char *file, kite_error_t *err);

/* ---- files and modules ---------------------------------------------------------- */

/* A whole file ("-": standard input), NUL-terminated; NULL after "kite:
 * cannot open/read FILE: REASON" on stderr. Caller frees. */
char *cli_read_file(const char *path, size_t *len);
/* How messages name the file at `path`: "<stdin>" for "-". */
const char *cli_file_label(const char *path);

/* Whether input starts the way every text module and script does (white
 * space and comments up to a "(" or the end), or its name says it is text
 * (.wat, .wast), in which case its syntax errors are worth more than "not
 * a module". */
bool cli_looks_like_text(const char *path, const uint8_t *bytes, size_t len);

/*
 * Compiles FILE ("-": standard input): the binary format when it starts with "\0asm", the text
 * format when its first token (after white space and comments) is "(" or
 * its name ends in .wat or .wast; anything else is reported as "not a
 * WebAssembly module". *out is NULL and the problem reported on stderr
 * when it fails.
 */
void cli_compile_file(kite_engine_t *engine, const char *path, kite_module_t **out);

/* The module label for kite_trap_format / kite_frame_format: a text
 * module's frames name the file as given (FILE:LINE:COL, like its syntax
 * errors), a binary's its base name (NAME+0xOFFSET, as other runtimes
 * print). */
const char *cli_frame_label(const kite_frame_t *frame, const char *file);
/* "kite: trap: MESSAGE" and the backtrace on stderr, as kite_trap_format
 * writes it (FILE:LINE:COL in a text module, FILE+0xOFFSET in a binary;
 * long ones shortened); `message`, when not NULL, replaces the trap's. */
void cli_report_trap(const kite_trap_t *trap, const char *message, const char *file);

/* ---- numbers and values (values.c) ----------------------------------------------- */

/* An integer of `bits` bits: decimal or 0x hexadecimal, optionally signed;
 * either the signed or the unsigned range. */
bool cli_parse_int(const char *s, unsigned bits, uint64_t *out);
/* A byte count or amount: decimal or 0x hexadecimal with an optional k, m
 * or g suffix (times 1024, 1024^2, 1024^3). */
bool cli_parse_size(const char *s, uint64_t *out);
/* A duration: decimal digits with an optional unit us, ms, s (the default),
 * m or h; more than zero. */
bool cli_parse_duration(const char *s, uint64_t *ns);
/* A value of `type` as a user writes it (see cli_value_syntax). */
bool cli_parse_value(const char *s, kite_valtype_t type, kite_val_t *out);
/* How a value of that kind is written, for help texts and messages. */
const char *cli_value_syntax(kite_valkind_t kind);

/* Values as `kite run --invoke` prints them (readable back by
 * cli_parse_value), or typed with their bits as `kite wast` reports them
 * ("i32 -1 (0xffffffff)", v128 split into lanes of `lane_bits`). */
typedef enum cli_value_style { CLI_VALUE_PLAIN, CLI_VALUE_TYPED } cli_value_style;
void cli_format_value(cli_buf *b, const kite_val_t *v, cli_value_style style);
/* Lane i of a v128 split into lanes of `bits` bits (little-endian). */
uint64_t cli_v128_lane(const uint8_t *bytes, unsigned bits, unsigned i);
/* The lanes of a v128 ("v128 i32x4 1 2 3 4"); floats with their bits. */
void cli_format_lanes(cli_buf *b, const uint8_t bytes[16], unsigned lane_bits, bool lane_float);
/* A float's bits: "1.5", "-inf", "nan", "nan:0x200000", typed: + " (0x...)". */
void cli_format_float(cli_buf *b, uint64_t bits, unsigned width, cli_value_style style);

/* ---- options ------------------------------------------------------------------------ */

/*
 * One table row per option: every spelling, whether it takes a value, its
 * help, and its handler. Usage texts, parsing (--opt VALUE, --opt=VALUE,
 * -W KEY=VALUE, -S KEY) and application all come from the row.
 *
 * `set` gets the context given for the table, the value (NULL for a flag)
 * and, for a flag, whether it is turned on (-S inherit-env=n turns it off).
 * It returns NULL when the value is taken, else why not ("not a size").
 */
typedef const char *(*cli_option_fn)(void *ctx, const char *value, bool on);

typedef struct cli_option {
    const char *name;       /* "--fuel", or NULL: only the -W/-S key */
    const char *alias;      /* another spelling ("-h"), or NULL */
    char group;             /* 'W' (-W, --wasm) or 'S' (-S, --wasi): also KEY there, or 0 */
    const char *key;        /* the key in that group, as Wasmtime spells it ("fuel") */
    const char *value_name; /* "N", "BYTES", ...; NULL for a flag */
    const char *help;       /* lines separated by \n */
    cli_option_fn set;
} cli_option;

/* Options of the store: the kite_store_limits_t they fill (run and wast). */
extern const cli_option cli_limit_options[];
/* Options of the engine configuration: the execution tier (run and wast). */
extern const cli_option cli_tier_options[];
/* Options of the engine: the kite_config_t they set (run and wast). */
extern const cli_option cli_engine_options[];

typedef struct cli_command cli_command;

/* How cli_parse_options treats operands (what is not an option). */
enum {
    CLI_STOP_AT_OPERAND = 1, /* the first operand ends the options (kite run FILE ARGS...) */
    CLI_NEED_FILE = 2,       /* no operand is a usage mistake: "no FILE given" */
};

/*
 * Parses argv[0..argc) with the command's option tables (ctxs[i] is the
 * context of options[i]); with `config`, also the feature options
 * (--enable-F, --disable-F, -W F[=y|n], -W all-proposals). The operands
 * are moved to the front of argv in order and counted in *noperands; "--"
 * ends the options. `how` is a set of the flags above. Returns -1 when
 * parsed, else the exit status (0 after --help or -W help, CLI_EXIT_USAGE
 * after a message).
 */
int cli_parse_options(const cli_command *cmd, const char *prog, void *const *ctxs,
                      kite_config_t *config, unsigned how, int argc, char **argv, int *noperands);

/* Text for a help column: from column `col` where the caller's output
 * stands, continued at `column` (on a new line when col is past it),
 * wrapped at word boundaries before column 80; "\n" breaks a line. */
void cli_print_wrapped(FILE *out, int col, int column, const char *text);

/* `kite CMD --help` (full) or the few lines after a usage mistake. */
void cli_print_usage(const cli_command *cmd, const char *prog, FILE *out, bool full);

/* ---- the watchdog of --timeout (watchdog.c) ------------------------------------- */

/* Interrupts the store's Wasm code after timeout_ns (enabling interrupts in
 * the store); NULL when it cannot start a thread. Stopping returns whether
 * the time ran out. */
typedef struct cli_watchdog cli_watchdog;
cli_watchdog *cli_watchdog_start(kite_store_t *store, uint64_t timeout_ns);
bool cli_watchdog_stop(cli_watchdog *w);

/* ---- fault injection (fail_alloc.c), a testing aid ----------------------------------- */

/* With KITE_FAIL_ALLOC=N in the environment: the engines made with config
 * allocate through a counting allocator that fails allocation N (counted
 * from the start of the process; 0: none, only count). Returns whether it
 * is installed. */
bool cli_fail_alloc_setup(kite_config_t *config);
bool cli_fail_alloc_active(void);
/* Fail allocation n instead (0: none). */
void cli_fail_alloc_arm(uint64_t n);
/* Allocations so far; the one that failed (0: none yet); blocks live. */
uint64_t cli_fail_alloc_count(void);
uint64_t cli_fail_alloc_fired(void);
int64_t cli_fail_alloc_live(void);
/* When installed: "kite: fail-alloc: M allocations, allocation N failed, K
 * blocks leaked" on stderr. False when blocks leaked. */
bool cli_fail_alloc_report(void);

/* ---- subcommands ------------------------------------------------------------------ */

struct cli_command {
    const char *name;                 /* "run" */
    const char *synopsis;             /* "[OPTIONS] FILE [ARGS...]" */
    const char *summary;              /* one line for `kite help` */
    const char *description;          /* before the options in --help, or NULL */
    void (*notes)(FILE *out);         /* prints what follows the options in --help, or NULL */
    const cli_option *const *options; /* its option tables, NULL-terminated */
    bool features;                    /* takes the feature options */
    /* argv[0..argc) are the arguments after the command's name; prog is
     * how it was invoked ("kite run", or "kite" for `kite FILE`). */
    int (*main)(const char *prog, int argc, char **argv);
};

extern const cli_command cli_run_command;
extern const cli_command cli_validate_command;
extern const cli_command cli_wast_command;
extern const cli_command cli_explore_command;

/* kite run's support of threaded programs (run_threads.c). */
/* Imports kite run provides besides WASI: memories, wasi thread-spawn. */
bool cli_run_import_supported(const kite_import_desc_t *d);
/* The program's memory imports, wasi-threads (each thread's store gets the
 * main store's limits and fuel, 0: none) and the grow diagnostic. */
kite_error_t *cli_run_prepare(const char *file, kite_engine_t *engine, kite_store_t *store,
                              kite_wasi_t *wasi, kite_linker_t *linker, const kite_module_t *module,
                              const kite_store_limits_t *limits, uint64_t fuel);
/* "kite: trap: MESSAGE (in a spawned thread)" with its backtrace. */
void cli_report_thread_trap(const kite_trap_t *trap, const char *file);
/* After _start: stops the other threads; returns the status (or ends the
 * process when a thread does not stop). */
int cli_run_finish(kite_wasi_t *wasi, int status);

#endif
