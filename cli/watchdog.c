/*
 * --timeout: a thread that waits for the time limit and then interrupts the
 * store's Wasm code (kite_store_interrupt). A guest blocked inside a WASI
 * call (reading a terminal, say) does not return to Wasm to notice; if it
 * has not stopped a grace period later, the watchdog ends the process with
 * the trap status itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define GRACE_NS (2 * UINT64_C(1000000000))

struct cli_watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopped; /* the run ended: the watchdog has nothing to do */
    bool fired;
    kite_store_t *store;
    uint64_t timeout_ns;
};

static struct timespec deadline_after(uint64_t ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t total = (uint64_t)ts.tv_nsec + ns % 1000000000u;
    ts.tv_sec += (time_t)(ns / 1000000000u + total / 1000000000u);
    ts.tv_nsec = (long)(total % 1000000000u);
    return ts;
}

/* Waits until stopped or the deadline; true if stopped. Called locked. */
static bool wait_until(cli_watchdog *w, const struct timespec *deadline)
{
    while (!w->stopped)
        if (pthread_cond_timedwait(&w->cond, &w->lock, deadline) == ETIMEDOUT)
            return w->stopped;
    return true;
}

static void *watch(void *arg)
{
    cli_watchdog *w = arg;
    struct timespec deadline = deadline_after(w->timeout_ns);
    pthread_mutex_lock(&w->lock);
    if (!wait_until(w, &deadline)) {
        w->fired = true;
        kite_store_interrupt(w->store);
        deadline = deadline_after(GRACE_NS);
        if (!wait_until(w, &deadline)) {
            /* Still inside a host call: stop here. write(2) is safe while
             * the main thread may hold stdio's locks. */
            static const char msg[] = "kite: trap: interrupted: time limit (--timeout) exceeded "
                                       "while the program was blocked in a WASI call\n";
            ssize_t ignored = write(2, msg, sizeof(msg) - 1);
            (void)ignored;
            _exit(CLI_EXIT_TRAP);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cli_watchdog *cli_watchdog_start(kite_store_t *store, uint64_t timeout_ns)
{
    cli_watchdog *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->store = store;
    w->timeout_ns = timeout_ns;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&w->lock, NULL);
    kite_store_enable_interrupts(store);
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

bool cli_watchdog_stop(cli_watchdog *w)
{
    if (!w)
        return false;
    pthread_mutex_lock(&w->lock);
    w->stopped = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    bool fired = w->fired;
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return fired;
}
