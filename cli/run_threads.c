/*
 * kite run: what a threaded WASI program needs beyond plain WASI.
 *
 *   - Memory imports that nothing provides (the toolchains' "env" "memory")
 *     are created from the import's declared type, as other runtimes do: a
 *     shared one is handed to the WASI object for every thread's instance.
 *   - "wasi" "thread-spawn": wasi-threads, each thread in its own store with
 *     the same --fuel, --max-memory and --gc-heap-limit as the main one.
 *   - The end: when _start returns or traps, the other threads are stopped
 *     (interrupted); when a spawned thread ends the program (proc_exit or a
 *     trap) while the main thread is blocked in a WASI call, the process
 *     ends after a short grace period with the program's status.
 *   - A memory.grow refused by a host limit (not the module's maximum) is
 *     explained once on stderr.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define GRACE_NS (500 * UINT64_C(1000000))

static struct {
    _Atomic bool claimed;  /* who reports the program's end: main or the reaper */
    _Atomic bool noted;    /* the diagnostic was printed */
    kite_wasi_t *wasi;
    kite_store_limits_t limits;
    uint64_t fuel;
    const char *file;
} g_run;

static bool is_name(const char *s, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(s, want, len) == 0;
}

bool cli_run_import_supported(const kite_import_desc_t *d)
{
    if (d->kind == KITE_EXTERN_MEMORY)
        return true;
    return d->kind == KITE_EXTERN_FUNC && is_name(d->module, d->module_len, "wasi") &&
           is_name(d->name, d->name_len, "thread-spawn");
}

static void note(void *user, const char *message)
{
    (void)user;
    if (!atomic_exchange(&g_run.noted, true))
        cli_error("note: %s", message);
}

static kite_error_t *thread_setup(void *user, kite_store_t *store, kite_linker_t *linker)
{
    (void)user;
    (void)linker;
    kite_store_set_limits(store, &g_run.limits);
    if (g_run.fuel)
        kite_store_set_fuel(store, g_run.fuel);
    kite_store_set_diagnostic_handler(store, note, NULL);
    return NULL;
}

void cli_report_thread_trap(const kite_trap_t *trap, const char *file)
{
    cli_buf b = {.len = 0};
    cli_buf_printf(&b, "%s (in a spawned thread)", kite_trap_message(trap));
    cli_report_trap(trap, b.text, file);
}

/* Ends the process with the program's status, unless main got there first. */
static void *reaper(void *arg)
{
    (void)arg;
    struct timespec ts = {0, (long)GRACE_NS};
    while (nanosleep(&ts, &ts) != 0) {
    }
    if (atomic_exchange(&g_run.claimed, true))
        return NULL;
    uint32_t code;
    if (kite_wasi_exit_code(g_run.wasi, &code)) {
        fflush(stdout);
        _exit((int)(code & 0xff));
    }
    const kite_trap_t *trap = kite_wasi_threads_trap(g_run.wasi);
    if (trap)
        cli_report_thread_trap(trap, g_run.file);
    fflush(stdout);
    _exit(CLI_EXIT_TRAP);
}

static void on_exit_hook(void *user)
{
    (void)user;
    pthread_t t;
    if (pthread_create(&t, NULL, reaper, NULL) == 0)
        pthread_detach(t);
}

kite_error_t *cli_run_prepare(const char *file, kite_engine_t *engine, kite_store_t *store,
                              kite_wasi_t *wasi, kite_linker_t *linker, const kite_module_t *module,
                              const kite_store_limits_t *limits, uint64_t fuel)
{
    g_run.file = file;
    g_run.wasi = wasi;
    g_run.limits = *limits;
    g_run.fuel = fuel;
    kite_store_set_diagnostic_handler(store, note, NULL);
    bool threads = false;
    size_t n = kite_module_import_count(module);
    for (size_t i = 0; i < n; i++) {
        kite_import_desc_t d = kite_module_import(module, i);
        if (d.kind == KITE_EXTERN_FUNC && cli_run_import_supported(&d)) {
            threads = true;
            continue;
        }
        if (d.kind != KITE_EXTERN_MEMORY)
            continue;
        /* With the import's page size (custom-page-sizes): pages of
         * another size would not match it. */
        const kite_limits_t type = d.type.of.memory.limits;
        kite_memory_t *mem;
        kite_error_t *err = kite_memory_new_paged(store, &type, d.type.of.memory.page_size_log2, &mem);
        if (err)
            return err;
        kite_shared_memory_t *shared = type.shared ? kite_memory_share(mem) : NULL;
        if (shared)
            err = kite_wasi_share_memory(wasi, d.module, d.module_len, d.name, d.name_len, shared);
        else
            err = kite_linker_define(linker, d.module, d.module_len, d.name, d.name_len,
                                     (kite_extern_t){.kind = KITE_EXTERN_MEMORY, .of.memory = mem});
        kite_shared_memory_free(shared);
        if (err)
            return err;
    }
    if (!threads)
        return NULL;
    kite_wasi_threads_config_t cfg = {.engine = engine, .module = module, .setup = thread_setup,
                                      .on_exit = on_exit_hook};
    return kite_wasi_threads_enable(wasi, &cfg);
}

int cli_run_finish(kite_wasi_t *wasi, int status)
{
    if (atomic_exchange(&g_run.claimed, true)) {
        /* The reaper is ending the process. */
        for (;;)
            pause();
    }
    if (!kite_wasi_threads_stop(wasi, GRACE_NS)) {
        /* A thread is blocked in a WASI call: end here. */
        fflush(stdout);
        fflush(stderr);
        _exit(status);
    }
    return status;
}
