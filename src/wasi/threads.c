/*
 * wasi-threads: the "wasi" "thread-spawn" import, the threads it starts, and
 * how a program made of several threads ends.
 *
 * A spawn instantiates the program's module again, in a new store, with the
 * WASI functions, thread-spawn and the shared memories the embedder gave
 * (kite_wasi_share_memory), on the spawning thread (so a failure is the
 * spawn's -1), then starts a thread that calls wasi_thread_start(tid, arg)
 * and frees the store when it returns. The module's code is translated once
 * for all of them (kite_module.code).
 *
 * The program ends at the first proc_exit or trap in any thread (or when
 * the embedder's _start returns and it calls kite_wasi_threads_stop): every
 * other thread's store is interrupted (enabled for all of them), which also
 * wakes a memory.atomic.wait at once, so threads running Wasm stop
 * promptly; a thread blocked in a host call (fd_read on a terminal) stops
 * when the call returns. The embedder's on_exit hook hears of an end that
 * came from a spawned thread, since its own thread may be blocked in such a
 * call and need to be ended by it.
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/error.h"

/* Thread ids are positive and leave the top bits free (wasi-libc keeps
 * flags there in its mutexes). */
#define KWASI_TID_MAX 0x1FFFFFFF

typedef struct kwasi_thread {
    struct kwasi_thread *next;
    kite_wasi_t *wasi;
    pthread_t thread;
    kite_store_t *store;   /* NULL once the thread freed it (under the lock) */
    kite_func_t *start;
    int32_t tid;
    uint32_t arg;
    bool done;             /* the thread is leaving: join it */
} kwasi_thread;

typedef struct kwasi_share {
    char *module, *name; /* Wasm names: any bytes, with their lengths */
    size_t module_len, name_len;
    kite_shared_memory_t *memory;
} kwasi_share;

typedef struct kwasi_threads {
    kite_wasi_threads_config_t cfg;
    bool enabled;
    kwasi_share *shares;
    size_t nshares;
    kwasi_thread *threads;     /* running, or done and not joined yet */
    uint32_t live;             /* threads not done */
    kite_store_t **stores;     /* the embedder's stores, interrupted at the end */
    size_t nstores, cap_stores;
    pthread_cond_t changed;    /* a thread finished */
    int32_t last_tid;
    bool ended;                /* the program is over: no more spawns */
    kite_trap_t *trap;         /* the trap in a spawned thread that ended it */
} kwasi_threads;

static kite_error_t *threads_get(kite_wasi_t *w, kwasi_threads **out)
{
    if (!w->threads) {
        kwasi_threads *t = kutil_calloc(&w->alloc, 1, sizeof(*t));
        if (!t)
            return kutil_error_oom();
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
#if !defined(__APPLE__)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
#endif
        int e = pthread_cond_init(&t->changed, &attr);
        pthread_condattr_destroy(&attr);
        if (e) {
            kutil_free(&w->alloc, t);
            return kutil_error_oom();
        }
        w->threads = t;
    }
    *out = w->threads;
    return NULL;
}

static char *dup_bytes(const kite_allocator_t *a, const char *s, size_t len)
{
    char *p = kutil_malloc(a, len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

kite_error_t *kite_wasi_share_memory(kite_wasi_t *wasi, const char *module, size_t module_len,
                                     const char *name, size_t name_len,
                                     kite_shared_memory_t *memory)
{
    if ((!module && module_len) || (!name && name_len) || module_len == SIZE_MAX ||
        name_len == SIZE_MAX)
        return kutil_error_new(&wasi->alloc, KITE_ERROR_ARGUMENT,
                               "kite_wasi_share_memory: bad name");
    kwasi_threads *t = NULL;
    kite_error_t *err = threads_get(wasi, &t);
    if (err)
        return err;
    kwasi_share s = {dup_bytes(&wasi->alloc, module, module_len),
                     dup_bytes(&wasi->alloc, name, name_len), module_len, name_len,
                     kite_shared_memory_clone(memory)};
    kwasi_share *n = kutil_realloc(&wasi->alloc, t->shares, (t->nshares + 1) * sizeof(*n));
    if (!s.module || !s.name || !s.memory || !n) {
        kutil_free(&wasi->alloc, s.module);
        kutil_free(&wasi->alloc, s.name);
        kite_shared_memory_free(s.memory);
        if (n)
            t->shares = n;
        return kutil_error_oom();
    }
    t->shares = n;
    t->shares[t->nshares++] = s;
    return NULL;
}

kite_error_t *kite_wasi_threads_enable(kite_wasi_t *wasi, const kite_wasi_threads_config_t *config)
{
    if (!config || !config->engine || !config->module)
        return kutil_error_new(&wasi->alloc, KITE_ERROR_ARGUMENT,
                               "wasi-threads needs an engine and a module");
    kwasi_threads *t = NULL;
    kite_error_t *err = threads_get(wasi, &t);
    if (err)
        return err;
    t->cfg = *config;
    t->enabled = true;
    return NULL;
}

/* ---- defining the imports ------------------------------------------------------------- */

static kite_trap_t *spawn(void *env, kite_caller_t *caller, const kite_val_t *args,
                          kite_val_t *results);

static bool is_name(const char *s, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(s, want, len) == 0;
}

/*
 * The parts of kwasi_define_extras for one import of `module` (or for any,
 * when imp.module is NULL): thread-spawn and shared memories. Called with
 * every store the program's instances live in (the embedder's through
 * kite_wasi_define*, the threads' here).
 */
static kite_error_t *define_extra(kite_wasi_t *w, kite_linker_t *linker, kite_store_t *store,
                                  kite_import_desc_t imp)
{
    kwasi_threads *t = w->threads;
    bool any = imp.module == NULL;
    if (t->enabled && (any || (imp.kind == KITE_EXTERN_FUNC && is_name(imp.module, imp.module_len, "wasi") &&
                               is_name(imp.name, imp.name_len, "thread-spawn")))) {
        kite_valtype_t i32 = {KITE_I32, false, 0};
        kite_func_t *f;
        kite_error_t *err = kite_func_new_host(store, &i32, 1, &i32, 1, spawn, w, NULL, &f);
        if (err)
            return err;
        kite_extern_t ext = {.kind = KITE_EXTERN_FUNC, .of.func = f};
        err = kite_linker_define(linker, "wasi", 4, "thread-spawn", 12, ext);
        if (err || !any)
            return err;
    }
    if (!any && imp.kind != KITE_EXTERN_MEMORY)
        return NULL;
    for (size_t i = 0; i < t->nshares; i++) {
        const kwasi_share *s = &t->shares[i];
        if (!any && (imp.module_len != s->module_len || imp.name_len != s->name_len ||
                     memcmp(imp.module, s->module, s->module_len) != 0 ||
                     memcmp(imp.name, s->name, s->name_len) != 0))
            continue;
        kite_memory_t *mem;
        kite_error_t *err = kite_shared_memory_attach(s->memory, store, &mem);
        if (err)
            return err;
        kite_extern_t ext = {.kind = KITE_EXTERN_MEMORY, .of.memory = mem};
        err = kite_linker_define(linker, s->module, s->module_len, s->name, s->name_len, ext);
        if (err || !any)
            return err;
    }
    return NULL;
}

kite_error_t *kwasi_define_extras(kite_wasi_t *w, kite_linker_t *linker, kite_store_t *store,
                                  const kite_module_t *module, bool embedder)
{
    kwasi_threads *t = w->threads;
    if (!t)
        return NULL;
    if (embedder && t->enabled) {
        pthread_mutex_lock(&w->lock);
        bool ok = true;
        if (t->nstores == t->cap_stores) {
            size_t cap = t->cap_stores ? t->cap_stores * 2 : 4;
            kite_store_t **n = kutil_realloc(&w->alloc, t->stores, cap * sizeof(*n));
            if (n) {
                t->stores = n;
                t->cap_stores = cap;
            }
            ok = n != NULL;
        }
        if (ok)
            t->stores[t->nstores++] = store;
        pthread_mutex_unlock(&w->lock);
        if (!ok)
            return kutil_error_oom();
        kite_store_enable_interrupts(store);
    }
    if (!module)
        return define_extra(w, linker, store, (kite_import_desc_t){0});
    size_t n = kite_module_import_count(module);
    kite_error_t *err = NULL;
    for (size_t i = 0; !err && i < n; i++)
        err = define_extra(w, linker, store, kite_module_import(module, i));
    return err;
}

/* ---- the end of the program ------------------------------------------------------------ */

/* Interrupts every store but `except` (its own thread is already leaving).
 * Called locked. */
static void interrupt_all(kwasi_threads *t, const kite_store_t *except)
{
    for (kwasi_thread *th = t->threads; th; th = th->next)
        if (th->store && th->store != except)
            kite_store_interrupt(th->store);
    for (size_t i = 0; i < t->nstores; i++)
        if (t->stores[i] != except)
            kite_store_interrupt(t->stores[i]);
}

bool kwasi_program_exit(kite_wasi_t *w, uint32_t code, kite_trap_t *trap, const kite_store_t *from)
{
    kwasi_threads *t = w->threads;
    pthread_mutex_lock(&w->lock);
    bool first = t ? !t->ended : !atomic_load_explicit(&w->exited, memory_order_relaxed);
    bool spawned = false;
    for (kwasi_thread *th = t ? t->threads : NULL; th && !spawned; th = th->next)
        spawned = from && th->store == from;
    if (first) {
        if (trap) {
            t->trap = trap;
            trap = NULL;
        } else {
            w->exit_code = code;
            atomic_store_explicit(&w->exited, true, memory_order_release);
        }
        if (t) {
            t->ended = true;
            interrupt_all(t, from);
        }
    }
    void (*hook)(void *) = t ? t->cfg.on_exit : NULL;
    void *user = t ? t->cfg.user : NULL;
    pthread_mutex_unlock(&w->lock);
    if (trap)
        kite_trap_free(trap);
    if (first && spawned && hook)
        hook(user);
    return first;
}

const kite_trap_t *kite_wasi_threads_trap(const kite_wasi_t *wasi)
{
    if (!wasi->threads)
        return NULL;
    pthread_mutex_lock((pthread_mutex_t *)&wasi->lock);
    const kite_trap_t *trap = wasi->threads->trap;
    pthread_mutex_unlock((pthread_mutex_t *)&wasi->lock);
    return trap;
}

/* Unlinks the threads that are done (called locked); join them unlocked. */
static kwasi_thread *take_done(kwasi_threads *t)
{
    kwasi_thread *done = NULL, **p = &t->threads;
    while (*p) {
        kwasi_thread *th = *p;
        if (th->done) {
            *p = th->next;
            th->next = done;
            done = th;
        } else {
            p = &th->next;
        }
    }
    return done;
}

static void join_all(const kite_allocator_t *a, kwasi_thread *list)
{
    while (list) {
        kwasi_thread *next = list->next;
        pthread_join(list->thread, NULL);
        kutil_free(a, list);
        list = next;
    }
}

bool kite_wasi_threads_stop(kite_wasi_t *wasi, uint64_t timeout_ns)
{
    kwasi_threads *t = wasi->threads;
    if (!t)
        return true;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ns != UINT64_MAX) {
        uint64_t ns = (uint64_t)deadline.tv_nsec + timeout_ns % 1000000000u;
        deadline.tv_sec += (time_t)(timeout_ns / 1000000000u + ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
    }
    pthread_mutex_lock(&wasi->lock);
    t->ended = true;
    t->nstores = 0; /* the embedder is done with its stores */
    interrupt_all(t, NULL);
    while (t->live > 0) {
        int e = timeout_ns == UINT64_MAX ? pthread_cond_wait(&t->changed, &wasi->lock)
#if defined(__APPLE__)
                                         : pthread_cond_timedwait_relative_np(&t->changed, &wasi->lock, &(struct timespec){(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)});
#else
                                         : pthread_cond_timedwait(&t->changed, &wasi->lock, &deadline);
#endif
        if (e == ETIMEDOUT)
            break;
    }
    bool all = t->live == 0;
    kwasi_thread *done = take_done(t);
    pthread_mutex_unlock(&wasi->lock);
    join_all(&wasi->alloc, done);
    return all;
}

void kwasi_threads_free(kite_wasi_t *w)
{
    kwasi_threads *t = w->threads;
    if (!t)
        return;
    kite_wasi_threads_stop(w, UINT64_MAX);
    for (size_t i = 0; i < t->nshares; i++) {
        kutil_free(&w->alloc, t->shares[i].module);
        kutil_free(&w->alloc, t->shares[i].name);
        kite_shared_memory_free(t->shares[i].memory);
    }
    kutil_free(&w->alloc, t->shares);
    kutil_free(&w->alloc, t->stores);
    if (t->trap)
        kite_trap_free(t->trap);
    pthread_cond_destroy(&t->changed);
    kutil_free(&w->alloc, t);
    w->threads = NULL;
}

/* ---- spawning --------------------------------------------------------------------------- */

static void *thread_main(void *arg)
{
    kwasi_thread *th = arg;
    kite_wasi_t *w = th->wasi;
    kite_val_t args[2] = {{.kind = KITE_I32, .of.i32 = th->tid},
                          {.kind = KITE_I32, .of.i32 = (int32_t)th->arg}};
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(th->store, th->start, args, 2, NULL, 0, &trap);
    if (err) {
        trap = kite_trap_new(th->store, kite_error_message(err));
        kite_error_free(err);
    }
    if (trap) {
        /* proc_exit already ended the program; an interrupt is the end
         * reaching this thread; anything else ends it now. */
        bool exited = atomic_load_explicit(&w->exited, memory_order_acquire);
        pthread_mutex_lock(&w->lock);
        bool ended = w->threads->ended;
        pthread_mutex_unlock(&w->lock);
        if (exited || (ended && kite_trap_kind(trap) == KITE_TRAP_INTERRUPTED))
            kite_trap_free(trap);
        else
            kwasi_program_exit(w, 0, trap, th->store);
    }
    pthread_mutex_lock(&w->lock);
    kite_store_t *store = th->store;
    th->store = NULL;
    pthread_mutex_unlock(&w->lock);
    kite_store_free(store);
    pthread_mutex_lock(&w->lock);
    th->done = true;
    w->threads->live--;
    pthread_cond_broadcast(&w->threads->changed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* A thread id no running thread has: counting up, wrapping to 1. Locked. */
static int32_t next_tid(kwasi_threads *t)
{
    for (uint32_t tries = 0; tries <= t->live; tries++) {
        int32_t tid = t->last_tid >= KWASI_TID_MAX ? 1 : t->last_tid + 1;
        t->last_tid = tid;
        bool taken = false;
        for (kwasi_thread *th = t->threads; th && !taken; th = th->next)
            taken = !th->done && th->tid == tid;
        if (!taken)
            return tid;
    }
    return -1;
}

/* The new thread's store and instance, with everything linked; NULL (and
 * nothing left behind) on failure. */
static kite_store_t *instantiate(kite_wasi_t *w, kite_func_t **start)
{
    kwasi_threads *t = w->threads;
    kite_store_t *store = kite_store_new(t->cfg.engine);
    kite_linker_t *linker = kite_linker_new(t->cfg.engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = store && linker ? NULL : kutil_error_oom();
    if (!err) {
        kite_store_enable_interrupts(store);
        if (t->cfg.setup)
            err = t->cfg.setup(t->cfg.user, store, linker);
    }
    if (!err)
        err = kwasi_define_imports_of(w, linker, store, t->cfg.module, false);
    if (!err)
        err = kite_linker_instantiate(linker, store, t->cfg.module, &inst, &trap);
    kite_extern_t ext;
    bool ok = !err && !trap && kite_instance_export(inst, "wasi_thread_start", 17, &ext) &&
              ext.kind == KITE_EXTERN_FUNC && kite_func_param_count(ext.of.func) == 2 &&
              kite_func_result_count(ext.of.func) == 0;
    if (err)
        kite_error_free(err);
    if (trap)
        kite_trap_free(trap);
    kite_linker_free(linker);
    if (!ok) {
        kite_store_free(store);
        return NULL;
    }
    *start = ext.of.func;
    return store;
}

static kite_trap_t *spawn(void *env, kite_caller_t *caller, const kite_val_t *args,
                          kite_val_t *results)
{
    (void)caller;
    kite_wasi_t *w = env;
    kwasi_threads *t = w->threads;
    results[0].kind = KITE_I32;
    results[0].of.i32 = -1;

    pthread_mutex_lock(&w->lock);
    bool ended = t->ended;
    kwasi_thread *done = take_done(t);
    pthread_mutex_unlock(&w->lock);
    join_all(&w->alloc, done);
    if (ended)
        return NULL;

    kwasi_thread *th = kutil_calloc(&w->alloc, 1, sizeof(*th));
    if (!th)
        return NULL;
    th->wasi = w;
    th->arg = (uint32_t)args[0].of.i32;
    th->store = instantiate(w, &th->start);
    if (!th->store) {
        kutil_free(&w->alloc, th);
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    th->tid = t->ended ? -1 : next_tid(t);
    bool ok = th->tid > 0;
    if (ok) {
        th->next = t->threads;
        t->threads = th;
        t->live++;
        ok = pthread_create(&th->thread, NULL, thread_main, th) == 0;
        if (!ok) {
            t->threads = th->next;
            t->live--;
        }
    }
    int32_t tid = th->tid; /* th is the thread's once it runs */
    pthread_mutex_unlock(&w->lock);
    if (!ok) {
        kite_store_free(th->store);
        kutil_free(&w->alloc, th);
        return NULL;
    }
    results[0].of.i32 = tid;
    return NULL;
}
