/* kite wast: the script runner's shared state, split over wast*.c and spectest.c. */
#ifndef KITE_CLI_WAST_H
#define KITE_CLI_WAST_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "text/script.h"

typedef struct wast_counts {
    unsigned long passed, failed, skipped;
} wast_counts;

/* A script name ("$id") bound to a module definition or an instance. */
typedef struct wast_binding {
    const char *id;
    kite_module_t *module;     /* definitions */
    kite_instance_t *instance; /* instances; NULL when its instantiation failed */
    bool foreign;              /* an instance of another thread's store (thread ... shared) */
    bool unsupported;          /* ... because the execution tier cannot run its code */
} wast_binding;

typedef struct wast_bindings {
    wast_binding *items;
    size_t count, cap;
} wast_bindings;

/* Host references made for (ref.extern N) / (ref.host N) arguments, reused
 * so that a script's repeated arguments do not pile up in the store; each
 * rooted, as the script may name it again after collections. */
typedef struct wast_hostref {
    uintptr_t value;
    kite_root_t *root;
} wast_hostref;

/* The skip list: `<glob of file basename>` or `<glob>:<line>`, with a reason. */
typedef struct wast_skip {
    char *pattern;   /* file glob */
    unsigned line;   /* 0: the whole file's execution */
    char *reason;
} wast_skip;

typedef struct wast_skiplist {
    wast_skip *items;
    size_t count, cap;
} wast_skiplist;

typedef struct wast_thread wast_thread;

/* One script file's run (or one (thread ...) of it, on its own thread). */
typedef struct wast_run {
    const char *file;     /* as given, for messages */
    const char *base;     /* its basename, for the skip list */
    kite_engine_t *engine;
    kite_store_t *store;  /* one per file: registered instances stay alive */
    kite_linker_t *linker;
    wast_counts counts;
    bool verbose;
    kite_store_limits_t limits; /* of each file's store */
    const wast_skiplist *skips;
    const char *skip_reason; /* the whole file's execution is skipped, why */

    kite_module_t **modules; /* every module compiled, freed after the store */
    size_t nmodules, cap_modules;
    wast_bindings defs;      /* (module definition $id ...) and (module $id ...) */
    wast_bindings insts;
    kite_module_t *current_def;
    kite_instance_t *current;
    bool current_failed;     /* the latest module did not instantiate */
    bool current_unsupported; /* ... because the execution tier cannot run its code */
    /* Set while running a command that depends on such a module: its
     * failure is reported as skipped, with this reason. */
    const char *unsupported;
    char unsupported_why[256];
    wast_bindings unsupported_regs; /* register names such modules would have had */

    wast_hostref *hostrefs;
    size_t nhostrefs, cap_hostrefs;

    wast_thread *threads;    /* (thread ...) started here, not waited for yet */
} wast_run;

/* ---- wast_values.c ---- */

/* Turn a script argument into a value; false (with why) when it cannot be. */
bool wast_arg(wast_run *run, const kscr_value *in, kite_val_t *out, cli_buf *why);
/* Does a result match an assert_return pattern? */
bool wast_match(const kscr_value *expected, const kite_val_t *got);
void wast_format_expected(cli_buf *b, const kscr_value *v);
/* A result, typed; `shape` (may be NULL) picks the lane layout of a v128. */
void wast_format_value(cli_buf *b, const kite_val_t *v, const kscr_value *shape);

/* ---- spectest.c ---- */

/* Define the spec harness's `spectest` module in the linker, its objects in the store. */
kite_error_t *wast_define_spectest(kite_linker_t *linker, kite_store_t *store);

/* ---- wast_oom.c: fault injection (KITE_FAIL_ALLOC, KITE_OOM_SWEEP) ---- */

/* Reads the environment and installs the counting allocator in config;
 * false (after a message) on a bad value. */
bool wast_oom_setup(kite_config_t *config);
/* Around each file (before its engine is made, after it is freed) and
 * before each command; a sweep's child ends in wast_oom_file_done. */
void wast_oom_file_start(const char *file);
void wast_oom_file_done(void);
void wast_oom_checkpoint(const wast_run *run);
/* A failed command under injection: judged (and reported when it is a
 * finding) instead of printed; true when taken. */
bool wast_oom_failure(const wast_run *run, unsigned line, const char *what, const char *why);
/* Whether the run must stop (an out-of-memory failure ended it). */
bool wast_oom_stopped(void);
/* The exit status after all files. */
int wast_oom_finish(int status);

/* ---- wast_skip.c ---- */

/* Read a skip list file (adding to what the list holds); false (and a
 * message on stderr) on failure. */
bool wast_skiplist_load(wast_skiplist *list, const char *path);
void wast_skiplist_free(wast_skiplist *list);
/* The reason a file's execution (line 0) or one command (line > 0) is skipped, or NULL. */
const char *wast_skipped(const wast_skiplist *list, const char *base, unsigned line);

#endif
