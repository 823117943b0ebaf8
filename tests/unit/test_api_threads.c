/*
 * Threads through the embedding API: one shared memory imported by
 * instances in several stores, each used by its own pthread, with atomics,
 * memory.atomic.wait/notify (count and FIFO order), concurrent memory.grow
 * up to the maximum, interrupts and fuel waking waits, the shared-memory
 * reservation cap and its diagnostic, and one module's code shared by all.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "kite.h"
#include "interp/interp.h"
#include "runtime/parking.h"
#include "runtime/runtime.h"

#define NTHREADS 8
#define PAGES_MAX 16384 /* 1 GiB */
#define GROWS_EACH 1000

static const char *const g_wat =
    "(module"
    "  (memory (import \"env\" \"memory\") 1 16384 shared)"
    "  (func (export \"add\") (param i32 i32) (result i32)"
    "    (i32.atomic.rmw.add (local.get 0) (local.get 1)))"
    "  (func (export \"count\") (param $n i32)"           /* n atomic increments of word 0 */
    "    (block (loop (br_if 1 (i32.eqz (local.get $n)))"
    "      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0))))"
    "  (func (export \"grow_each\") (param $n i32) (result i32)" /* grows that failed */
    "    (local $bad i32)"
    "    (block (loop (br_if 1 (i32.eqz (local.get $n)))"
    "      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))"
    "        (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0)))"
    "    (local.get $bad))"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
    "  (func (export \"size\") (result i32) (memory.size))"
    "  (func (export \"wait\") (param i32 i32 i64) (result i32)"
    "    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))"
    "  (func (export \"notify\") (param i32 i32) (result i32)"
    "    (memory.atomic.notify (local.get 0) (local.get 1)))"
    "  (func (export \"store\") (param i32 i32) (i32.atomic.store (local.get 0) (local.get 1)))"
    "  (func (export \"load\") (param i32) (result i32) (i32.atomic.load (local.get 0)))"
    ")";

static kite_engine_t *g_engine;
static kite_module_t *g_module;
static kite_shared_memory_t *g_mem;

typedef struct worker {
    pthread_t thread;
    kite_store_t *store;
    kite_instance_t *inst;
    int id;
    int32_t result;
    kite_trap_kind_t trap_kind;
    bool trapped;
    const char *trap_message;
    char message[128];
    atomic_int *log; /* wake order */
    atomic_int *nlog;
} worker;

static bool make_instance(worker *w)
{
    w->store = kite_store_new(g_engine);
    kite_memory_t *mem;
    kite_error_t *err = kite_shared_memory_attach(g_mem, w->store, &mem);
    CHECK(!err, "attach");
    kite_extern_t imp = {.kind = KITE_EXTERN_MEMORY, .of.memory = mem};
    kite_trap_t *trap = NULL;
    err = kite_instance_new(w->store, g_module, &imp, 1, &w->inst, &trap);
    CHECK(!err && !trap, "instantiate: %s", err ? kite_error_message(err) : "trap");
    if (err)
        kite_error_free(err);
    return !err && !trap;
}

static int32_t call(worker *w, const char *name, const kite_val_t *args, size_t nargs)
{
    kite_extern_t ext;
    kite_val_t result = {.kind = KITE_I32};
    w->trapped = false;
    if (!kite_instance_export(w->inst, name, strlen(name), &ext))
        return -99;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(w->store, ext.of.func, args, nargs, &result,
                                       kite_func_result_count(ext.of.func), &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    if (err)
        kite_error_free(err);
    if (trap) {
        w->trapped = true;
        w->trap_kind = kite_trap_kind(trap);
        snprintf(w->message, sizeof(w->message), "%s", kite_trap_message(trap));
        kite_trap_free(trap);
    }
    return result.of.i32;
}

static kite_val_t i32(int32_t v) { return (kite_val_t){.kind = KITE_I32, .of.i32 = v}; }
static kite_val_t i64(int64_t v) { return (kite_val_t){.kind = KITE_I64, .of.i64 = v}; }

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---- atomics from every thread --------------------------------------------------- */

static void *count_main(void *arg)
{
    worker *w = arg;
    kite_val_t n = i32(20000);
    call(w, "count", &n, 1);
    return NULL;
}

static void *grow_main(void *arg)
{
    worker *w = arg;
    kite_val_t n = i32(GROWS_EACH);
    w->result = call(w, "grow_each", &n, 1);
    return NULL;
}

static void run_all(worker *ws, void *(*fn)(void *))
{
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&ws[i].thread, NULL, fn, &ws[i]);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(ws[i].thread, NULL);
}

static void test_atomics_and_growth(worker *ws)
{
    run_all(ws, count_main);
    kite_val_t a = i32(0);
    CHECK(call(&ws[0], "load", &a, 1) == NTHREADS * 20000, "atomic counter lost updates");

    /* 8 threads grow one page at a time, 8000 pages in all: every grow works. */
    run_all(ws, grow_main);
    for (int i = 0; i < NTHREADS; i++)
        CHECK(ws[i].result == 0, "thread %d: %d grows failed", i, ws[i].result);
    int32_t size = call(&ws[1], "size", NULL, 0);
    CHECK(size == 1 + NTHREADS * GROWS_EACH, "size %d after concurrent growth", size);
    /* Past the maximum: -1 and nothing changes; then exactly up to it. */
    kite_val_t over = i32(PAGES_MAX - size + 1), exact = i32(PAGES_MAX - size);
    CHECK(call(&ws[2], "grow", &over, 1) == -1, "grow past the maximum");
    CHECK(call(&ws[3], "size", NULL, 0) == size, "failed grow changed the size");
    CHECK(call(&ws[4], "grow", &exact, 1) == size, "grow to exactly the maximum");
    CHECK(call(&ws[5], "size", NULL, 0) == PAGES_MAX, "size at the maximum");
    kite_val_t one = i32(1);
    CHECK(call(&ws[6], "grow", &one, 1) == -1, "grow at the maximum");
    /* Every thread sees the last page. */
    kite_val_t last[2] = {i32(PAGES_MAX * 65536 - 4), i32(7)};
    call(&ws[7], "store", last, 2);
    CHECK(call(&ws[0], "load", last, 1) == 7, "last page from another store");
}

/* ---- wait and notify --------------------------------------------------------------- */

static void *wait_main(void *arg)
{
    worker *w = arg;
    kite_val_t args[3] = {i32(64), i32(0), i64(-1)};
    w->result = call(w, "wait", args, 3);
    int at = atomic_fetch_add(w->nlog, 1);
    w->log[at] = w->id;
    return NULL;
}

static uint32_t parked(uint64_t ea)
{
    /* The shared memory behind the handle: the API keeps krt_memory first. */
    return krt_parking_count(*(krt_memory **)(void *)g_mem, ea);
}

static void test_wait_notify(worker *ws)
{
    atomic_int log[NTHREADS], nlog = 0;
    /* Waiters park one after the other: FIFO order is then known. */
    for (int i = 0; i < 4; i++) {
        ws[i].log = log;
        ws[i].nlog = &nlog;
        pthread_create(&ws[i].thread, NULL, wait_main, &ws[i]);
        while (parked(64) != (uint32_t)i + 1)
            sleep_ms(1);
    }
    kite_val_t other[2] = {i32(68), i32(10)};
    CHECK(call(&ws[5], "notify", other, 2) == 0, "notify of another address woke someone");
    kite_val_t zero[2] = {i32(64), i32(0)};
    CHECK(call(&ws[5], "notify", zero, 2) == 0, "notify with count 0 woke someone");
    kite_val_t one[2] = {i32(64), i32(1)};
    CHECK(call(&ws[5], "notify", one, 2) == 1, "notify 1");
    pthread_join(ws[0].thread, NULL);
    CHECK(atomic_load(&nlog) == 1 && log[0] == 0, "first waiter woke first");
    kite_val_t two[2] = {i32(64), i32(2)};
    CHECK(call(&ws[5], "notify", two, 2) == 2, "notify 2");
    pthread_join(ws[1].thread, NULL);
    pthread_join(ws[2].thread, NULL);
    CHECK(parked(64) == 1, "one waiter left");
    kite_val_t many[2] = {i32(64), i32(100)};
    CHECK(call(&ws[5], "notify", many, 2) == 1, "notify more than wait");
    pthread_join(ws[3].thread, NULL);
    for (int i = 0; i < 4; i++)
        CHECK(ws[i].result == 0 && !ws[i].trapped, "waiter %d: %d", i, ws[i].result);

    /* Not equal, and a timeout. */
    kite_val_t ne[3] = {i32(64), i32(5), i64(-1)};
    CHECK(call(&ws[0], "wait", ne, 3) == 1, "wait on a different value");
    kite_val_t to[3] = {i32(64), i32(0), i64(20 * 1000 * 1000)};
    CHECK(call(&ws[0], "wait", to, 3) == 2, "wait with a timeout");
    kite_val_t unaligned[3] = {i32(66), i32(0), i64(0)};
    call(&ws[0], "wait", unaligned, 3);
    CHECK(ws[0].trapped && ws[0].trap_kind == KITE_TRAP_UNALIGNED_ATOMIC, "unaligned wait");
}

/* ---- interrupts and fuel wake a wait --------------------------------------------- */

static void *long_wait_main(void *arg)
{
    worker *w = arg;
    /* 2^63 - 1 ns: must neither overflow nor return before the interrupt. */
    kite_val_t args[3] = {i32(128), i32(0), i64(INT64_MAX)};
    w->result = call(w, "wait", args, 3);
    return NULL;
}

static void test_interrupt_and_fuel(worker *ws)
{
    worker *w = &ws[0];
    kite_store_enable_interrupts(w->store);
    pthread_create(&w->thread, NULL, long_wait_main, w);
    while (parked(128) != 1)
        sleep_ms(1);
    kite_store_interrupt(w->store);
    pthread_join(w->thread, NULL);
    CHECK(w->trapped && w->trap_kind == KITE_TRAP_INTERRUPTED, "interrupted wait");
    CHECK(strstr(w->message, "memory.atomic.wait") != NULL, "message: %s", w->message);
    CHECK(parked(128) == 0, "interrupted waiter still parked");

    /* Fuel alone: an endless wait ends when the fuel (1 unit per ns) does. */
    worker *f = &ws[1];
    kite_store_set_fuel(f->store, 50 * 1000 * 1000);
    kite_val_t args[3] = {i32(128), i32(0), i64(-1)};
    call(f, "wait", args, 3);
    CHECK(f->trapped && f->trap_kind == KITE_TRAP_OUT_OF_FUEL, "fuel ends a wait");
    CHECK(parked(128) == 0, "out-of-fuel waiter still parked");
}

/* ---- the reservation cap and its diagnostic ------------------------------------- */

static void diag(void *user, const char *message)
{
    (*(int *)user)++;
    (void)message;
}

static void test_reservation_cap(void)
{
    kite_config_t *cfg = kite_config_new();
    kite_config_set_shared_memory_reserve(cfg, 1 << 20); /* 16 pages */
    kite_engine_t *e = kite_engine_new(cfg);
    kite_config_free(cfg);
    kite_limits_t lim = {.min = 1, .max = 100, .has_max = true, .shared = true};
    kite_shared_memory_t *shm;
    kite_error_t *err = kite_shared_memory_new(e, &lim, &shm);
    CHECK(!err, "capped shared memory");
    kite_store_t *s = kite_store_new(e);
    int calls = 0;
    kite_store_set_diagnostic_handler(s, diag, &calls);
    const char *wat = "(module (memory (import \"env\" \"memory\") 1 100 shared)"
                      "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";
    kite_module_t *m = NULL;
    err = kite_module_new_text(e, wat, strlen(wat), &m);
    kite_memory_t *mem = NULL;
    err = err ? err : kite_shared_memory_attach(shm, s, &mem);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_extern_t imp = {.kind = KITE_EXTERN_MEMORY, .of.memory = mem};
    err = err ? err : kite_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(!err && !trap, "instance");
    worker w = {.store = s, .inst = inst};
    kite_val_t d = i32(15);
    CHECK(call(&w, "grow", &d, 1) == 1, "grow within the cap");
    CHECK(calls == 0 && !kite_store_last_diagnostic(s), "no diagnostic yet");
    d = i32(1);
    CHECK(call(&w, "grow", &d, 1) == -1, "grow past the cap");
    CHECK(calls == 1 && kite_store_last_diagnostic(s) &&
              strstr(kite_store_last_diagnostic(s), "reservation"),
          "diagnostic: %s", kite_store_last_diagnostic(s) ? kite_store_last_diagnostic(s) : "none");
    d = i32(100);
    CHECK(call(&w, "grow", &d, 1) == -1 && calls == 1, "past the maximum: no diagnostic");
    kite_store_free(s);
    kite_shared_memory_free(shm);
    kite_module_free(m);
    kite_engine_free(e);
}

/* ---- WASI from every thread, and a shared memory outliving its creator ------------- */

static const char *const g_wasi_wat =
    "(module"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))"
    "  (import \"wasi_snapshot_preview1\" \"fd_fdstat_get\" (func $s (param i32 i32) (result i32)))"
    "  (import \"wasi_snapshot_preview1\" \"fd_close\" (func $c (param i32) (result i32)))"
    "  (memory (export \"memory\") 1)"
    "  (data (i32.const 0) \"\\10\\00\\00\\00\\03\\00\\00\\00\")"   /* iovec: 3 bytes at 16 */
    "  (data (i32.const 16) \"ok\\n\")"
    "  (func (export \"run\") (param $n i32) (result i32) (local $bad i32)"
    "    (block (loop (br_if 1 (i32.eqz (local.get $n)))"
    "      (local.set $bad (i32.or (local.get $bad) (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32))))"
    "      (local.set $bad (i32.or (local.get $bad) (call $s (i32.const 1) (i32.const 64))))"
    "      (drop (call $c (i32.const 77)))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0)))"
    "    (local.get $bad)))";

typedef struct wasi_worker {
    pthread_t thread;
    kite_wasi_t *wasi;
    kite_module_t *module;
    int32_t bad;
} wasi_worker;

static void *wasi_main(void *arg)
{
    wasi_worker *w = arg;
    kite_store_t *s = kite_store_new(g_engine);
    kite_linker_t *l = kite_linker_new(g_engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_wasi_define_imports(w->wasi, l, s, w->module);
    if (!err)
        err = kite_linker_instantiate(l, s, w->module, &inst, &trap);
    CHECK(!err && !trap, "WASI instance");
    worker wk = {.store = s, .inst = inst};
    kite_val_t n = i32(500);
    w->bad = inst ? call(&wk, "run", &n, 1) : -1;
    kite_linker_free(l);
    kite_store_free(s);
    return NULL;
}

static void test_wasi_from_threads(void)
{
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    kite_wasi_config_stdio_capture(cfg, 1, 0);
    kite_wasi_t *wasi;
    kite_error_t *err = kite_wasi_new(g_engine, cfg, &wasi);
    kite_wasi_config_free(cfg);
    kite_module_t *m = NULL;
    err = err ? err : kite_module_new_text(g_engine, g_wasi_wat, strlen(g_wasi_wat), &m);
    CHECK(!err, "WASI module: %s", err ? kite_error_message(err) : "");
    if (err)
        return;
    wasi_worker ws[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        ws[i] = (wasi_worker){.wasi = wasi, .module = m};
        pthread_create(&ws[i].thread, NULL, wasi_main, &ws[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(ws[i].thread, NULL);
        CHECK(ws[i].bad == 0, "thread %d: a WASI call failed", i);
    }
    size_t len;
    kite_wasi_captured(wasi, 1, &len);
    CHECK(len == (size_t)NTHREADS * 500 * 3, "captured %zu bytes from %d threads", len, NTHREADS);
    kite_wasi_free(wasi);
    kite_module_free(m);
}

/* A shared memory made in store A (charged to A's limit) and used by store B
 * after A is gone: B's growth no longer touches A's budget. */
static void test_memory_outlives_creator(void)
{
    kite_store_t *a = kite_store_new(g_engine), *b = kite_store_new(g_engine);
    kite_store_limits_t lim = {.memory_bytes = 4 << 20};
    kite_store_set_limits(a, &lim);
    kite_limits_t type = {.min = 1, .max = 128, .has_max = true, .shared = true};
    kite_memory_t *ma, *mb = NULL;
    kite_error_t *err = kite_memory_new(a, &type, &ma);
    CHECK(!err, "memory in A");
    if (err)
        return;
    CHECK(kite_memory_grow(ma, 100) == UINT64_MAX, "A's limit holds");
    kite_shared_memory_t *shm = kite_memory_share(ma);
    CHECK(shm && !kite_shared_memory_attach(shm, b, &mb), "attach to B");
    kite_store_free(a);
    CHECK(kite_memory_grow(mb, 100) == 1, "grows past A's old limit once A is gone");
    CHECK(kite_memory_pages(mb) == 101, "pages");
    kite_shared_memory_free(shm);
    kite_store_free(b);
}

int main(void)
{
    g_engine = kite_engine_new(NULL);
    kite_error_t *err = kite_module_new_text(g_engine, g_wat, strlen(g_wat), &g_module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    kite_limits_t lim = {.min = 1, .max = PAGES_MAX, .has_max = true, .shared = true};
    err = kite_shared_memory_new(g_engine, &lim, &g_mem);
    CHECK(!err, "shared memory: %s", err ? kite_error_message(err) : "");
    if (g_failures)
        return 1;
    worker ws[NTHREADS];
    memset(ws, 0, sizeof(ws));
    bool ok = true;
    for (int i = 0; i < NTHREADS; i++) {
        ws[i].id = i;
        ok = ok && make_instance(&ws[i]);
    }
    if (ok) {
        test_atomics_and_growth(ws);
        test_wait_notify(ws);
        test_interrupt_and_fuel(ws);
    }
    /* One translation of each function for all eight instances: they all
     * run the module's code cells. */
    for (int i = 0; ok && i < NTHREADS; i++) {
        const kint_instance *ki = ws[i].inst->kint;
        CHECK(ki && ki->cells >= g_module->code && ki->cells < g_module->code + 2 * g_module->ir->nfuncs,
              "instance %d runs its own copy of the code", i);
    }
    for (int i = 0; i < NTHREADS; i++)
        kite_store_free(ws[i].store);
    kite_shared_memory_free(g_mem);
    test_reservation_cap();
    test_wasi_from_threads();
    test_memory_outlives_creator();
    kite_module_free(g_module);
    kite_engine_free(g_engine);
    if (g_failures)
        printf("%d failure(s)\n", g_failures);
    return g_failures ? 1 : 0;
}
