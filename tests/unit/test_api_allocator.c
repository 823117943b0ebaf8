/*
 * Allocators are per engine (kite_config_set_allocator): everything an
 * engine makes — modules, stores and what they hold, GC objects, linkers,
 * WASI objects, errors and traps — is allocated, resized and freed through
 * that engine's allocator. Two engines whose allocators tag their blocks run
 * side by side; a block resized or freed through the other engine's
 * allocator, or still live when everything is freed, fails the test. An
 * error kept after its engine is freed is still freed through the allocator
 * that made it. Where the C library's malloc can be interposed (glibc, no
 * sanitizer), the test also counts the library's own malloc calls while the
 * engines work: there must be none.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

/* ---- the C library's allocator, watched ----------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define NO_INTERPOSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define NO_INTERPOSE 1
#endif
#endif

#if defined(__GLIBC__) && !defined(NO_INTERPOSE)
#define WATCH_LIBC 1
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

static atomic_bool g_watching;
static atomic_long g_libc_calls;

/* The program's malloc family: glibc's, counted while g_watching. */
void *malloc(size_t size)
{
    if (atomic_load(&g_watching))
        atomic_fetch_add(&g_libc_calls, 1);
    return __libc_malloc(size);
}
void *calloc(size_t count, size_t size)
{
    if (atomic_load(&g_watching))
        atomic_fetch_add(&g_libc_calls, 1);
    return __libc_calloc(count, size);
}
void *realloc(void *ptr, size_t size)
{
    if (atomic_load(&g_watching))
        atomic_fetch_add(&g_libc_calls, 1);
    return __libc_realloc(ptr, size);
}
void free(void *ptr) { __libc_free(ptr); }
#define RAW_REALLOC __libc_realloc
#define RAW_FREE __libc_free
#else
#define RAW_REALLOC realloc
#define RAW_FREE free
#endif

static void watch(bool on)
{
#ifdef WATCH_LIBC
    atomic_store(&g_watching, on);
#else
    (void)on;
#endif
}

/* A tagged allocator: each block starts with a header naming its maker. */
typedef struct tagged {
    uint32_t tag;
    atomic_long live;  /* blocks made and not freed */
    atomic_long made;  /* blocks made in all */
    atomic_long wrong; /* blocks resized or freed through the wrong allocator */
} tagged;

typedef struct header {
    uint32_t tag;
    uint32_t pad_;
    uint64_t pad2_; /* blocks stay 16-byte aligned */
} header;

static void *tagged_realloc(void *user, void *ptr, size_t size)
{
    tagged *t = user;
    header *h = ptr ? (header *)ptr - 1 : NULL;
    if (h && h->tag != t->tag)
        atomic_fetch_add(&t->wrong, 1);
    if (size == 0) {
        if (h)
            atomic_fetch_sub(&t->live, 1);
        RAW_FREE(h);
        return NULL;
    }
    header *n = RAW_REALLOC(h, sizeof(header) + size);
    if (!n)
        return NULL;
    if (!h) {
        atomic_fetch_add(&t->live, 1);
        atomic_fetch_add(&t->made, 1);
    }
    n->tag = t->tag;
    return n + 1;
}

static const char *const wat =
    "(module"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
    "  (import \"host\" \"fail\" (func $fail))"
    "  (memory (export \"memory\") 1)"
    "  (type $node (struct (field i32) (field (ref null $node))))"
    "  (func (export \"exit\") (call $exit (i32.const 3)))"
    "  (func (export \"fail\") (call $fail))"
    "  (func $deep (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) "
    "    (i32.const 1)))) (else (unreachable))))"
    "  (func (export \"boom\") (call $deep (i32.const 20)))"
    "  (func (export \"list\") (param $n i32) (result anyref) (local $l (ref null $node))"
    "    (block $done (loop $next"
    "      (br_if $done (i32.eqz (local.get $n)))"
    "      (local.set $l (struct.new $node (local.get $n) (local.get $l)))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))"
    "      (br $next)))"
    "    (local.get $l)))";

static kite_trap_t *host_fail(void *env, kite_caller_t *caller, const kite_val_t *args,
                              kite_val_t *results)
{
    (void)env, (void)args, (void)results;
    return kite_trap_new(kite_caller_store(caller), "the host says no");
}

/* One engine's world: all of it made through the engine. */
typedef struct world {
    tagged alloc;
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_linker_t *linker;
    kite_wasi_t *wasi;
    kite_instance_t *inst;
} world;

/* World b compiles every function as soon as it runs (tier auto with a
 * threshold of 1; the GC functions stay interpreted) where the compiler
 * exists, so that the compiler's tables, code chunks and trap sites are
 * checked too. */
static bool make_world(world *w, uint32_t tag, kite_tier_t tier)
{
    memset(w, 0, sizeof(*w));
    w->alloc.tag = tag;
    kite_config_t *config = kite_config_new();
    kite_allocator_t a = {tagged_realloc, &w->alloc};
    kite_config_set_allocator(config, &a);
    kite_config_set_tier(config, tier);
    if (tier == KITE_TIER_AUTO && tag == 0xB)
        kite_config_set_tier_threshold(config, 1);
    w->engine = kite_engine_new(config);
    kite_config_free(config);
    CHECK(w->engine != NULL, "engine");
    if (!w->engine)
        return false;
    kite_allocator_t back = kite_engine_allocator(w->engine);
    CHECK(back.realloc == tagged_realloc && back.user == &w->alloc, "the engine's allocator");
    kite_error_t *err = kite_module_new_text(w->engine, wat, strlen(wat), &w->module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    w->store = kite_store_new(w->engine);
    w->linker = kite_linker_new(w->engine);
    kite_wasi_config_t *wc = kite_wasi_config_new();
    kite_wasi_config_push_arg(wc, "prog");
    kite_wasi_config_push_env(wc, "K", "V");
    err = kite_wasi_new(w->engine, wc, &w->wasi);
    kite_wasi_config_free(wc);
    CHECK(!err, "wasi: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (!w->module || !w->store || !w->linker || !w->wasi)
        return false;
    err = kite_wasi_define(w->wasi, w->linker, w->store);
    kite_func_t *fail = NULL;
    if (!err)
        err = kite_func_new_host(w->store, NULL, 0, NULL, 0, host_fail, NULL, NULL, &fail);
    if (!err)
        err = kite_linker_define(w->linker, "host", 4, "fail", 4,
                                 (kite_extern_t){.kind = KITE_EXTERN_FUNC, .of.func = fail});
    kite_trap_t *trap = NULL;
    if (!err)
        err = kite_linker_instantiate(w->linker, w->store, w->module, &w->inst, &trap);
    CHECK(!err && !trap && w->inst, "instantiate: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    kite_trap_free(trap);
    return w->inst != NULL;
}

static kite_trap_t *call(world *w, const char *name, const kite_val_t *args, size_t nargs,
                         kite_val_t *results, size_t nresults)
{
    kite_extern_t ext;
    if (!kite_instance_export(w->inst, name, strlen(name), &ext))
        return NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err =
        kite_func_call(w->store, ext.of.func, args, nargs, results, nresults, &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    kite_error_free(err);
    return trap;
}

/* Traps of every origin, GC objects, errors: one round in a world. */
static void exercise(world *w)
{
    kite_trap_t *t = call(w, "boom", NULL, 0, NULL, 0);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_UNREACHABLE && kite_trap_frame_count(t) >= 20,
          "a trap with a long backtrace");
    kite_trap_free(t);
    t = call(w, "fail", NULL, 0, NULL, 0);
    CHECK(t && kite_trap_kind(t) == KITE_TRAP_HOST, "a host trap");
    kite_trap_free(t);
    t = call(w, "exit", NULL, 0, NULL, 0);
    uint32_t code = 0;
    CHECK(t && kite_wasi_exit_code(w->wasi, &code) && code == 3, "proc_exit");
    kite_trap_free(t);
    kite_val_t n = {.kind = KITE_I32, .of.i32 = 2000}, list;
    t = call(w, "list", &n, 1, &list, 1);
    CHECK(!t && kite_ref_kind(list.of.ref) == KITE_REFKIND_STRUCT, "a GC list");
    kite_trap_free(t);
    kite_val_t field;
    kite_error_t *err = kite_struct_get(w->store, list.of.ref, 0, &field);
    CHECK(!err && field.of.i32 == 1, "its head");
    kite_error_free(err);
    kite_store_gc(w->store);
    err = kite_struct_get(w->store, KITE_REF_NULL, 0, &field);
    CHECK(err != NULL, "an error from a GC accessor");
    kite_error_free(err);
    kite_module_t *bad = NULL;
    err = kite_module_new_text(w->engine, "(module (func (result i32)))", 28, &bad);
    CHECK(err && kite_error_code(err) == KITE_ERROR_INVALID, "an invalid module");
    kite_error_free(err);
}

static void free_world(world *w)
{
    kite_linker_free(w->linker);
    kite_store_free(w->store);
    kite_wasi_free(w->wasi);
    kite_module_free(w->module);
    kite_engine_free(w->engine);
}

int main(void)
{
    world a, b;
    bool ok = make_world(&a, 0xA, KITE_TIER_AUTO), ok_b = make_world(&b, 0xB, KITE_TIER_AUTO);
    if (ok && ok_b) {
        watch(true);
        for (int round = 0; round < 3; round++) {
            exercise(&a);
            exercise(&b);
        }
        watch(false);
    }
    /* An error that outlives its engine. */
    kite_module_t *m = NULL;
    kite_error_t *late = kite_module_new_text(a.engine, "(module", 7, &m);
    CHECK(late != NULL, "a malformed module");
    free_world(&a);
    free_world(&b);
    kite_error_free(late);

    CHECK(atomic_load(&a.alloc.made) > 100 && atomic_load(&b.alloc.made) > 100,
          "each engine allocated through its own allocator (%ld, %ld blocks)",
          atomic_load(&a.alloc.made), atomic_load(&b.alloc.made));
    CHECK(atomic_load(&a.alloc.wrong) == 0 && atomic_load(&b.alloc.wrong) == 0,
          "no block resized or freed through another engine's allocator (%ld, %ld)",
          atomic_load(&a.alloc.wrong), atomic_load(&b.alloc.wrong));
    CHECK(atomic_load(&a.alloc.live) == 0 && atomic_load(&b.alloc.live) == 0,
          "every block freed through the allocator that made it (%ld, %ld left)",
          atomic_load(&a.alloc.live), atomic_load(&b.alloc.live));
#ifdef WATCH_LIBC
    CHECK(atomic_load(&g_libc_calls) == 0, "the engines called the C library's allocator %ld times",
          atomic_load(&g_libc_calls));
#endif
    if (g_failures) {
        printf("%d check(s) failed\n", g_failures);
        return 1;
    }
    printf("all allocator tests passed\n");
    return 0;
}
