/*
 * Deep nesting must never overflow the C stack: deeply nested input is
 * handled with explicit stacks, and Wasm -> host -> Wasm re-entry traps
 * with "call stack exhausted" before the C stack runs out, on the main
 * thread and on threads with small stacks (256 KiB, 64 KiB).
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kite.h"

enum { DEPTH = 200000 };

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

/* (module (func (block (block ... (nop) ... )))) in text, folded. */
static void folded_text(kite_engine_t *engine)
{
    size_t cap = (size_t)DEPTH * 10 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)sprintf(s + n, "(module (func ");
    for (int i = 0; i < DEPTH; i++)
        n += (size_t)sprintf(s + n, "(block ");
    n += (size_t)sprintf(s + n, "(nop)");
    for (int i = 0; i < DEPTH; i++)
        s[n++] = ')';
    n += (size_t)sprintf(s + n, "))");
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new_text(engine, s, n, &m);
    check(err == NULL, "deeply nested folded text module is valid");
    if (err)
        printf("  %s\n", kite_error_message(err));
    kite_error_free(err);
    kite_module_free(m);

    /* The same with one closing paren missing: an error, not a crash. */
    err = kite_module_new_text(engine, s, n - 1, &m);
    check(err != NULL, "unbalanced deeply nested text is rejected");
    kite_error_free(err);
    free(s);
}

/* A binary function body of DEPTH nested blocks. */
static void nested_binary(kite_engine_t *engine)
{
    size_t body_len = 1 + (size_t)DEPTH * 2 + (size_t)DEPTH + 1; /* locals, blocks, ends, end */
    size_t cap = body_len + 64, n = 0;
    unsigned char *b = malloc(cap);
    static const unsigned char head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
    memcpy(b, head, sizeof(head));
    n = sizeof(head);
    b[n++] = 10; /* code section */
    size_t sec_len = 1 + 5 + body_len;
    for (int i = 0; i < 5; i++, sec_len >>= 7)
        b[n++] = (unsigned char)((sec_len & 0x7f) | (i < 4 ? 0x80 : 0));
    b[n++] = 1;
    size_t len = body_len;
    for (int i = 0; i < 5; i++, len >>= 7)
        b[n++] = (unsigned char)((len & 0x7f) | (i < 4 ? 0x80 : 0));
    b[n++] = 0; /* no locals */
    for (int i = 0; i < DEPTH; i++) {
        b[n++] = 0x02;
        b[n++] = 0x40;
    }
    for (int i = 0; i < DEPTH; i++)
        b[n++] = 0x0b;
    b[n++] = 0x0b;
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new(engine, b, n, &m);
    check(err == NULL, "deeply nested binary module is valid");
    if (err)
        printf("  %s\n", kite_error_message(err));
    kite_error_free(err);
    kite_module_free(m);
    free(b);
}

/* ---- host re-entry ------------------------------------------------------------- */

/* f(n) calls the host's reenter(n), which calls f(n - 1) again, down to 0:
 * n levels of Wasm -> host -> Wasm. */
static const char *reenter_wat =
    "(module\n"
    "  (import \"host\" \"reenter\" (func $reenter (param i32) (result i32)))\n"
    "  (func (export \"f\") (param $n i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get $n))\n"
    "      (then (i32.const 0))\n"
    "      (else (i32.add (call $reenter (i32.sub (local.get $n) (i32.const 1))) (i32.const 1))))))\n";

typedef struct reentry {
    kite_engine_t *engine;
    uint32_t margin;     /* c_stack_margin to set; 0: the default */
    int32_t depth;       /* levels asked for */
    int32_t deepest;     /* lowest n the host saw */
    uintptr_t first, at_deepest; /* a frame address at n = depth and at the lowest n */
    kite_trap_t *trap;   /* what the outermost call returned */
    int32_t result;
    int32_t again;       /* a call of depth 3 afterwards (-1: it trapped) */
    int recording;       /* the first call is under way */
} reentry;

static kite_trap_t *reenter(void *env, kite_caller_t *caller, const kite_val_t *args,
                            kite_val_t *results)
{
    reentry *r = env;
    int32_t n = args[0].of.i32;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (r->recording && n < r->deepest) {
        r->deepest = n;
        r->at_deepest = here;
    }
    if (r->recording && n == r->depth - 1)
        r->first = here;
    kite_extern_t f;
    if (!kite_caller_export(caller, "f", 1, &f))
        return kite_trap_new(kite_caller_store(caller), "no export f");
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = n};
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(kite_caller_store(caller), f.of.func, &arg, 1, results, 1, &trap);
    if (err) {
        kite_error_free(err);
        return kite_trap_new(kite_caller_store(caller), "kite_func_call failed");
    }
    return trap;
}

/* Runs f(depth) in a new store; fills r. */
static void *run_reentry(void *arg)
{
    reentry *r = arg;
    r->deepest = r->depth;
    kite_store_t *store = kite_store_new(r->engine);
    kite_linker_t *linker = kite_linker_new(r->engine);
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new_text(r->engine, reenter_wat, strlen(reenter_wat), &m);
    if (!store || !linker || err) {
        check(0, "set up the re-entry module");
        kite_error_free(err);
        return NULL;
    }
    if (r->margin) {
        kite_store_limits_t limits = {.c_stack_margin = r->margin};
        kite_store_set_limits(store, &limits);
    }
    kite_valtype_t i32 = {.kind = KITE_I32};
    kite_func_t *host = NULL;
    err = kite_func_new_host(store, &i32, 1, &i32, 1, reenter, r, NULL, &host);
    if (!err)
        err = kite_linker_define(linker, "host", 4, "reenter", 7,
                                 (kite_extern_t){.kind = KITE_EXTERN_FUNC, .of.func = host});
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    if (!err)
        err = kite_linker_instantiate(linker, store, m, &inst, &trap);
    kite_extern_t f;
    if (err || trap || !kite_instance_export(inst, "f", 1, &f)) {
        check(0, "instantiate the re-entry module");
    } else {
        kite_val_t a = {.kind = KITE_I32, .of.i32 = r->depth}, res = {.kind = KITE_I32};
        r->recording = 1;
        err = kite_func_call(store, f.of.func, &a, 1, &res, 1, &r->trap);
        r->recording = 0;
        r->result = res.of.i32;
        /* The store is still usable after the trap. */
        kite_trap_t *t2 = NULL;
        a.of.i32 = 3;
        if (!err)
            err = kite_func_call(store, f.of.func, &a, 1, &res, 1, &t2);
        r->again = t2 ? -1 : res.of.i32;
        kite_trap_free(t2);
    }
    check(err == NULL, "re-entry calls return no error");
    kite_error_free(err);
    kite_trap_free(trap);
    kite_linker_free(linker);
    kite_store_free(store);
    kite_module_free(m);
    return NULL;
}

/* Re-enters `depth` levels on a thread with a `stack_kib` KiB stack (0: this
 * thread); expects either all levels or a clean "call stack exhausted". */
static void reentry_case(kite_engine_t *engine, size_t stack_kib, uint32_t margin, int32_t depth,
                         int32_t want_at_least, int32_t want_again, const char *what)
{
    reentry r = {.engine = engine, .margin = margin, .depth = depth};
    if (stack_kib) {
        /* A stack of exactly this size with an inaccessible page below (the
         * system's thread stack cache may hand out a bigger one). */
        size_t page = (size_t)sysconf(_SC_PAGESIZE), size = stack_kib << 10;
        char *map = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        check(map != MAP_FAILED && mprotect(map, page, PROT_NONE) == 0, "map a thread stack");
        if (map == MAP_FAILED)
            return;
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        int e = pthread_attr_setstack(&attr, map + page, size);
        if (!e)
            e = pthread_create(&t, &attr, run_reentry, &r);
        pthread_attr_destroy(&attr);
        check(e == 0, "create a thread");
        if (!e)
            pthread_join(t, NULL);
        munmap(map, size + page);
        if (e)
            return;
    } else {
        run_reentry(&r);
    }
    int32_t levels = depth - r.deepest;
    char msg[200];
    if (r.trap) {
        snprintf(msg, sizeof(msg), "%s: trap \"call stack exhausted\", got \"%s\"", what,
                 kite_trap_message(r.trap));
        check(kite_trap_kind(r.trap) == KITE_TRAP_CALL_STACK_EXHAUSTED, msg);
    } else {
        snprintf(msg, sizeof(msg), "%s: result %d", what, r.result);
        check(r.result == depth, msg);
    }
    snprintf(msg, sizeof(msg), "%s: %d levels, expected at least %d", what, levels, want_at_least);
    check(levels >= want_at_least, msg);
    snprintf(msg, sizeof(msg), "%s: a call of depth 3 after it gave %d, expected %d", what, r.again,
             want_again);
    check(r.again == want_again, msg);
    printf("%s: %d levels, %s", what, levels, r.trap ? "then call stack exhausted" : "all done");
    if (levels > 2)
        printf(", %.0f bytes of C stack per level", (double)(r.first - r.at_deepest) / (levels - 1));
    printf("\n");
    kite_trap_free(r.trap);
}

/* Under the sanitizers the interpreter loop's frame alone is ~170 KB (an
 * unoptimized build of a function with hundreds of handlers), so a small
 * thread cannot enter Wasm at all: it must still trap cleanly. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#if defined(SANITIZED)
enum { MAIN_LEVELS = 8, LEVELS_256K = 0, LEVELS_64K = 0, SMALL_AGAIN = -1 };
#else
enum { MAIN_LEVELS = 1000, LEVELS_256K = 64, LEVELS_64K = 8, SMALL_AGAIN = 3 };
#endif

static void host_reentry(kite_engine_t *engine)
{
    /* The main thread's 8 MiB hold well over the old fixed cap of 256
     * levels in the normal build. */
    reentry_case(engine, 0, 0, 20, 20, 3, "main thread, 20 levels");
    reentry_case(engine, 0, 0, 1000000, MAIN_LEVELS, 3, "main thread, unbounded");
    reentry_case(engine, 256, 0, 1000000, LEVELS_256K, SMALL_AGAIN, "256 KiB thread");
    reentry_case(engine, 64, 0, 1000000, LEVELS_64K, SMALL_AGAIN, "64 KiB thread");
    /* A margin larger than the stack: not even the first entry. */
    reentry_case(engine, 256, 1u << 30, 10, 0, -1, "256 KiB thread, 1 GiB margin");
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    if (!engine)
        return 1;
    folded_text(engine);
    nested_binary(engine);
    host_reentry(engine);
    kite_engine_free(engine);
    if (failures == 0)
        printf("ok\n");
    return failures != 0;
}
