/*
 * Calls every wasi_snapshot_preview1 function from Wasm with arguments and
 * memory contents drawn from a byte source: pointers near and past the end
 * of memory, huge lengths, random flags, descriptor numbers, paths with
 * "..", links and NULs. Nothing may crash, hang or touch a host file outside
 * the sandbox. Shared by the unit test test_wasi_fuzz (a seeded PRNG as the
 * source) and the libFuzzer target fuzz_wasi (the input as the source).
 *
 * The guest module imports each function and exports a wrapper "f<i>" with
 * the same signature. Its sandbox is a temporary directory holding files,
 * a subdirectory and links (one pointing out of it, at a canary file that
 * must stay unchanged); stdin reads bytes, stdout and stderr are captured.
 *
 * Arguments are shaped only where the host would otherwise really wait or
 * fill the disk: poll_oneoff's clock timeouts are made short and
 * fd_allocate's length small. Everything else is as random as it comes.
 */
#ifndef KITE_TESTS_WASI_HARNESS_H
#define KITE_TESTS_WASI_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kite.h"

typedef struct wh_func {
    const char *name, *params, *results;
} wh_func;

/*
 * Parameters by what they mean, which decides how they are drawn; 'I' is
 * an i64, everything else an i32:
 *   f descriptor   p pointer      l length or count    i flags, ids, codes
 *   s path pointer (a path is written there; the next l is its length)
 *   v iovec array pointer (iovecs are written there; the next l is 1 to 4)
 *   q subscriptions pointer (written there; the next l is their count)
 */
static const wh_func wh_funcs[] = {
    {"args_get", "pp", "i"}, {"args_sizes_get", "pp", "i"}, {"environ_get", "pp", "i"},
    {"environ_sizes_get", "pp", "i"}, {"clock_res_get", "ip", "i"},
    {"clock_time_get", "iIp", "i"}, {"fd_advise", "fIIi", "i"}, {"fd_allocate", "fII", "i"},
    {"fd_close", "f", "i"}, {"fd_datasync", "f", "i"}, {"fd_fdstat_get", "fp", "i"},
    {"fd_fdstat_set_flags", "fi", "i"}, {"fd_fdstat_set_rights", "fII", "i"},
    {"fd_filestat_get", "fp", "i"}, {"fd_filestat_set_size", "fI", "i"},
    {"fd_filestat_set_times", "fIIi", "i"}, {"fd_pread", "fvlIp", "i"},
    {"fd_prestat_get", "fp", "i"}, {"fd_prestat_dir_name", "fpl", "i"},
    {"fd_pwrite", "fvlIp", "i"}, {"fd_read", "fvlp", "i"}, {"fd_readdir", "fplIp", "i"},
    {"fd_renumber", "ff", "i"}, {"fd_seek", "fIip", "i"}, {"fd_sync", "f", "i"},
    {"fd_tell", "fp", "i"}, {"fd_write", "fvlp", "i"}, {"path_create_directory", "fsl", "i"},
    {"path_filestat_get", "fislp", "i"}, {"path_filestat_set_times", "fislIIi", "i"},
    {"path_link", "fislfsl", "i"}, {"path_open", "fisliIIip", "i"},
    {"path_readlink", "fslplp", "i"}, {"path_remove_directory", "fsl", "i"},
    {"path_rename", "fslfsl", "i"}, {"path_symlink", "slfsl", "i"},
    {"path_unlink_file", "fsl", "i"}, {"poll_oneoff", "qplp", "i"}, {"proc_exit", "i", ""},
    {"proc_raise", "i", "i"}, {"sched_yield", "", "i"}, {"random_get", "pl", "i"},
    {"sock_accept", "fip", "i"}, {"sock_recv", "fvlipp", "i"}, {"sock_send", "fvlip", "i"},
    {"sock_shutdown", "fi", "i"},
};
#define WH_NFUNCS (sizeof(wh_funcs) / sizeof(wh_funcs[0]))
#define WH_PAGES 2
#define WH_MEM (WH_PAGES * 65536u)

/* The byte source. */
typedef struct wh_src {
    const uint8_t *data; /* NULL: the PRNG */
    size_t len, at;
    uint64_t state;
} wh_src;

static uint8_t wh_byte(wh_src *s)
{
    if (s->data)
        return s->at < s->len ? s->data[s->at++] : 0;
    s->state = s->state * 6364136223846793005u + 1442695040888963407u;
    return (uint8_t)(s->state >> 56);
}

static inline bool wh_done(const wh_src *s) { return s->data && s->at >= s->len; }

static uint32_t wh_u32(wh_src *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | wh_byte(s);
    return v;
}

static uint64_t wh_u64(wh_src *s) { return (uint64_t)wh_u32(s) << 32 | wh_u32(s); }

/* An i32 argument: mostly values that mean something to WASI. */
static uint32_t wh_arg32(wh_src *s)
{
    switch (wh_byte(s) % 10) {
    case 0: return 0;
    case 1: return wh_byte(s) % 8;               /* a descriptor, a flag */
    case 2: return wh_byte(s) % 64;              /* a small length */
    case 3: return WH_MEM - wh_byte(s) % 64;     /* at the end of memory */
    case 4: return 0xFFFFFFFFu - wh_byte(s) % 16; /* far past it */
    case 5: return 1u << (wh_byte(s) % 32);
    case 6: return wh_u32(s) % WH_MEM;           /* anywhere inside */
    case 7: return (wh_u32(s) % 64) * 64;        /* where paths and structs are put */
    default: return wh_u32(s);
    }
}

static uint64_t wh_arg64(wh_src *s)
{
    switch (wh_byte(s) % 7) {
    case 0: return 0;
    case 1: return wh_byte(s);
    case 2: return UINT64_MAX - wh_byte(s);
    case 3: return (uint64_t)1 << (wh_byte(s) % 64);
    case 4: return ((uint64_t)1 << 30) - 1; /* every right */
    default: return wh_u64(s);
    }
}

/* A 64-byte slot in the first 4 KiB... 64 KiB of memory. */
static uint32_t wh_slot(wh_src *s) { return (wh_u32(s) % 1024) * 64; }

/* Mostly the writable pre-open (3), else the read-only one (4), stdio,
 * what the guest opened (5...), or anything. */
static uint32_t wh_fd(wh_src *s)
{
    uint8_t k = wh_byte(s) % 10;
    return k < 3 ? 3u : k < 4 ? 4u : k < 6 ? 5u + wh_byte(s) % 2u : k < 8 ? wh_byte(s) % 9u : wh_arg32(s);
}

static uint32_t wh_ptr(wh_src *s)
{
    uint8_t k = wh_byte(s) % 10;
    return k < 7 ? wh_slot(s) : wh_arg32(s);
}
static const char *const wh_paths[] = {
    "a", "sub", "sub/b", "..", "../canary", "sub/../..", "link_out", "link_out/x", "link_in",
    "loop", "/etc/passwd", ".", "sub/", "a/", "new", "sub/new", "dangling", "x/../a",
    "link_in/../a", "\xff\xfe", "",
};

/* Fills memory: random bytes here and there, paths and iovec-like records
 * at 64-byte slots (where wh_arg32 points often). */
static void wh_fill(wh_src *s, uint8_t *mem)
{
    int n = wh_byte(s) % 8;
    for (int i = 0; i < n; i++) {
        uint32_t at = (wh_u32(s) % 64) * 64;
        switch (wh_byte(s) % 4) {
        case 0: {
            const char *p = wh_paths[wh_byte(s) % (sizeof(wh_paths) / sizeof(wh_paths[0]))];
            memcpy(mem + at, p, strlen(p) + 1);
            break;
        }
        case 1: /* iovecs pointing at 64-byte slots */
            for (int k = 0; k < 4; k++) {
                uint32_t buf = (wh_u32(s) % 1024) * 64, len = wh_byte(s);
                memcpy(mem + at + 8 * k, &buf, 4);
                memcpy(mem + at + 8 * k + 4, &len, 4);
            }
            break;
        default:
            for (int k = 0; k < 64; k++)
                mem[at + k] = wh_byte(s);
        }
    }
}

/* Writes a path from the list at a slot; returns the slot, *len its length. */
static uint32_t wh_put_path(wh_src *s, uint8_t *mem, uint32_t *len)
{
    uint32_t at = wh_slot(s);
    char path[64];
    size_t n = 0;
    path[0] = 0;
    /* One to three pieces joined by '/'. */
    int pieces = 1 + wh_byte(s) % 3;
    for (int i = 0; i < pieces; i++) {
        const char *p = wh_paths[wh_byte(s) % (sizeof(wh_paths) / sizeof(wh_paths[0]))];
        size_t pl = strlen(p);
        if (n + pl + 2 >= sizeof(path))
            break;
        if (i)
            path[n++] = '/';
        memcpy(path + n, p, pl);
        n += pl;
    }
    memcpy(mem + at, path, n);
    mem[at + n] = 0;
    *len = (uint32_t)n;
    return at;
}

/* Up to four iovecs at a slot, over other slots. */
static uint32_t wh_put_iovs(wh_src *s, uint8_t *mem, uint32_t *count)
{
    uint32_t at = wh_slot(s);
    *count = 1 + wh_byte(s) % 4;
    for (uint32_t k = 0; k < *count; k++) {
        uint32_t buf = wh_byte(s) % 8 ? wh_slot(s) + 1024 * 64 : wh_arg32(s);
        uint32_t len = wh_byte(s) % 8 ? wh_byte(s) : wh_arg32(s);
        memcpy(mem + at + 8 * k, &buf, 4);
        memcpy(mem + at + 8 * k + 4, &len, 4);
    }
    return at;
}

/* Up to four subscriptions of every type at a slot (48 bytes each). */
static uint32_t wh_put_subs(wh_src *s, uint8_t *mem, uint32_t *count)
{
    uint32_t at = wh_slot(s) % (WH_MEM - 4 * 48);
    *count = 1 + wh_byte(s) % 4;
    for (uint32_t k = 0; k < *count; k++) {
        uint8_t *sub = mem + at + 48 * k;
        for (int b = 0; b < 48; b++)
            sub[b] = wh_byte(s);
        sub[8] = wh_byte(s) % 4; /* clock, fd_read, fd_write, or bad */
        uint32_t id = sub[8] == 0 ? wh_byte(s) % 5 : wh_byte(s) % 9; /* clock id or fd */
        memcpy(sub + 16, &id, 4);
    }
    return at;
}

/* poll_oneoff's subscriptions at `in`: clock timeouts under 2 ms. */
static void wh_tame_poll(uint8_t *mem, uint32_t in, uint32_t n)
{
    if ((uint64_t)in + (uint64_t)n * 48 > WH_MEM)
        return; /* EFAULT anyway */
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *sub = mem + in + i * 48;
        uint64_t timeout;
        memcpy(&timeout, sub + 24, 8);
        timeout %= 2000000;
        memcpy(sub + 24, &timeout, 8);
    }
}

/* How often each function returned each errno (79: anything larger). */
static unsigned wh_results[WH_NFUNCS][80];

/* One line per function: calls that succeeded, and the errnos seen. */
static inline void wh_report(FILE *out)
{
    for (size_t i = 0; i < WH_NFUNCS; i++) {
        fprintf(out, "  %-24s", wh_funcs[i].name);
        for (int e = 0; e < 80; e++)
            if (wh_results[i][e])
                fprintf(out, " %d:%u", e, wh_results[i][e]);
        fprintf(out, "\n");
    }
}

typedef struct wh_guest {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_linker_t *linker;
    kite_wasi_t *wasi;
    kite_func_t *funcs[WH_NFUNCS];
    uint8_t *mem;
    char root[64]; /* root/sandbox is pre-opened; root/canary must stay */
    bool no_openat2; /* resolve paths with the portable walker */
} wh_guest;

static char *wh_module_text(void)
{
    size_t cap = 64 * 1024, len = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    len += (size_t)snprintf(t + len, cap - len, "(module\n");
    /* Imports first (the text format wants them before functions), then wrappers. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < WH_NFUNCS; i++) {
            const wh_func *f = &wh_funcs[i];
            char params[128] = "", args[256] = "";
            for (size_t k = 0; f->params[k]; k++) {
                strcat(params, f->params[k] == 'I' ? " i64" : " i32");
                char a[24];
                snprintf(a, sizeof(a), " (local.get %zu)", k);
                strcat(args, a);
            }
            const char *res = f->results[0] ? "(result i32)" : "";
            if (pass == 0)
                len += (size_t)snprintf(t + len, cap - len,
                                        "  (import \"wasi_snapshot_preview1\" \"%s\" (func $i%zu "
                                        "(param%s) %s))\n",
                                        f->name, i, params, res);
            else
                len += (size_t)snprintf(t + len, cap - len,
                                        "  (func (export \"f%zu\") (param%s) %s (call $i%zu%s))\n", i,
                                        params, res, i, args);
        }
    }
    snprintf(t + len, cap - len, "  (memory (export \"memory\") %u %u))\n", WH_PAGES, WH_PAGES);
    return t;
}

static void wh_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The sandbox: files, a directory, links in, out and in a loop. */
static bool wh_sandbox(wh_guest *g)
{
    strcpy(g->root, "/tmp/kite-wasi-fuzz-XXXXXX");
    if (!mkdtemp(g->root))
        return false;
    char p[128], q[128];
    snprintf(p, sizeof(p), "%s/canary", g->root);
    wh_write(p, "CANARY");
    snprintf(p, sizeof(p), "%s/sandbox", g->root);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/sandbox/sub", g->root);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/sandbox/a", g->root);
    wh_write(p, "file a");
    snprintf(p, sizeof(p), "%s/sandbox/sub/b", g->root);
    wh_write(p, "file b");
    snprintf(p, sizeof(p), "%s/sandbox/link_out", g->root);
    snprintf(q, sizeof(q), "%s/canary", g->root);
    if (symlink(q, p) != 0)
        return false;
    snprintf(p, sizeof(p), "%s/sandbox/link_in", g->root);
    if (symlink("sub", p) != 0)
        return false;
    snprintf(p, sizeof(p), "%s/sandbox/loop", g->root);
    if (symlink("loop", p) != 0)
        return false;
    snprintf(p, sizeof(p), "%s/sandbox/dangling", g->root);
    return symlink("nowhere", p) == 0;
}

/* Whether the canary is intact and nothing new appeared beside the sandbox. */
static bool wh_canary_ok(const wh_guest *g)
{
    char p[128], buf[16] = {0};
    snprintf(p, sizeof(p), "%s/canary", g->root);
    FILE *f = fopen(p, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'canary sandbox '", g->root);
    return n == 6 && strcmp(buf, "CANARY") == 0 && system(cmd) == 0;
}

static void wh_stop(wh_guest *g)
{
    kite_store_free(g->store);
    kite_linker_free(g->linker);
    kite_wasi_free(g->wasi);
    g->store = NULL;
    g->linker = NULL;
    g->wasi = NULL;
}

/* A fresh WASI object and instance (after proc_exit or closing stdio). */
static bool wh_start(wh_guest *g)
{
    wh_stop(g);
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    char p[128];
    snprintf(p, sizeof(p), "%s/sandbox", g->root);
    kite_wasi_config_push_arg(cfg, "fuzz");
    kite_wasi_config_push_arg(cfg, "arg");
    kite_wasi_config_push_env(cfg, "K", "V");
    kite_wasi_config_preopen_dir(cfg, p, "/sandbox", 0);
    kite_wasi_config_preopen_dir(cfg, p, "/ro", KITE_WASI_READONLY);
    kite_wasi_config_stdin_bytes(cfg, "stdin bytes\n", 12);
    kite_wasi_config_stdio_capture(cfg, 1, 1 << 20);
    kite_wasi_config_stdio_capture(cfg, 2, 1 << 20);
    kite_wasi_config_no_openat2(cfg, g->no_openat2);
    kite_error_t *err = kite_wasi_new(g->engine, cfg, &g->wasi);
    kite_wasi_config_free(cfg);
    g->store = kite_store_new(g->engine);
    g->linker = kite_linker_new(g->engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    if (!err)
        err = kite_wasi_define(g->wasi, g->linker, g->store);
    if (!err)
        err = kite_linker_instantiate(g->linker, g->store, g->module, &inst, &trap);
    if (err || trap) {
        printf("wasi harness: cannot start: %s\n", err ? kite_error_message(err) : "trap");
        kite_error_free(err);
        kite_trap_free(trap);
        return false;
    }
    for (size_t i = 0; i < WH_NFUNCS; i++) {
        char name[16];
        kite_extern_t ext;
        snprintf(name, sizeof(name), "f%zu", i);
        if (!kite_instance_export(inst, name, strlen(name), &ext))
            return false;
        g->funcs[i] = ext.of.func;
    }
    kite_extern_t mem;
    if (!kite_instance_export(inst, "memory", 6, &mem))
        return false;
    g->mem = kite_memory_data(mem.of.memory);
    return true;
}

static bool wh_init(wh_guest *g)
{
    memset(g, 0, sizeof(*g));
    g->engine = kite_engine_new(NULL);
    char *text = wh_module_text();
    kite_error_t *err = g->engine && text
                            ? kite_module_new_text(g->engine, text, strlen(text), &g->module)
                            : NULL;
    free(text);
    if (err || !g->module) {
        printf("wasi harness: module: %s\n", err ? kite_error_message(err) : "no memory");
        kite_error_free(err);
        return false;
    }
    return wh_sandbox(g) && wh_start(g);
}

static inline void wh_fini(wh_guest *g)
{
    wh_stop(g);
    kite_module_free(g->module);
    kite_engine_free(g->engine);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g->root);
    if (g->root[0] && system(cmd) != 0)
        printf("wasi harness: cannot remove %s\n", g->root);
}

/* One call of a function chosen by the source. Returns false when the guest
 * had to be restarted and could not be. */
static bool wh_step(wh_guest *g, wh_src *s)
{
    size_t fi = wh_byte(s) % WH_NFUNCS;
    /* Calls that end the guest's descriptors or the guest itself, less often. */
    const char *n = wh_funcs[fi].name;
    if ((!strcmp(n, "fd_close") || !strcmp(n, "fd_renumber") || !strcmp(n, "proc_exit")) &&
        wh_byte(s) % 4)
        fi = wh_byte(s) % WH_NFUNCS;
    const wh_func *f = &wh_funcs[fi];
    wh_fill(s, g->mem);
    kite_val_t args[9], res[1];
    size_t np = strlen(f->params);
    uint32_t pending = 0; /* the length or count the next 'l' takes */
    bool have_pending = false;
    for (size_t k = 0; k < np; k++) {
        char kind = f->params[k];
        uint32_t v;
        switch (kind) {
        case 'I':
            args[k] = (kite_val_t){.kind = KITE_I64, .of.i64 = (int64_t)wh_arg64(s)};
            continue;
        case 'f': v = wh_fd(s); break;
        case 'p': v = wh_ptr(s); break;
        case 's': v = wh_put_path(s, g->mem, &pending); have_pending = true; break;
        case 'v': v = wh_put_iovs(s, g->mem, &pending); have_pending = true; break;
        case 'q': v = wh_put_subs(s, g->mem, &pending); have_pending = true; break;
        case 'l':
            v = have_pending && wh_byte(s) % 8 ? pending : wh_byte(s) % 2 ? wh_byte(s) : wh_arg32(s);
            have_pending = false;
            break;
        default: {
            uint8_t k2 = wh_byte(s) % 4;
            v = k2 < 2 ? wh_byte(s) % 4 : k2 == 2 ? wh_byte(s) % 32 : wh_arg32(s);
            break;
        }
        }
        args[k] = (kite_val_t){.kind = KITE_I32, .of.i32 = (int32_t)v};
    }
    if (strcmp(f->name, "path_open") == 0 && wh_byte(s) % 2) {
        /* Half the opens ask for something that can succeed, so that the
         * fd_* calls meet real files and directories. */
        static const char *const benign[] = {"a", "sub/b", "new", "sub/new", "link_in/b", "sub"};
        const char *p = benign[wh_byte(s) % 6];
        uint32_t at = wh_slot(s);
        memcpy(g->mem + at, p, strlen(p));
        args[0].of.i32 = 3;
        args[1].of.i32 = 1; /* follow links */
        args[2].of.i32 = (int32_t)at;
        args[3].of.i32 = (int32_t)strlen(p);
        args[4].of.i32 = wh_byte(s) % 3 == 0 ? 1 /* creat */ : 0;
        args[5].of.i64 = ((int64_t)1 << 30) - 1;
        args[7].of.i32 = 0;
    }
    if (strcmp(f->name, "poll_oneoff") == 0)
        wh_tame_poll(g->mem, (uint32_t)args[0].of.i32, (uint32_t)args[2].of.i32);
    if (strcmp(f->name, "fd_allocate") == 0)
        args[2].of.i64 = (int64_t)((uint64_t)args[2].of.i64 % 65536);
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(g->store, g->funcs[fi], args, np, res, f->results[0] ? 1 : 0,
                                       &trap);
    if (err) {
        printf("wasi harness: %s: %s\n", f->name, kite_error_message(err));
        kite_error_free(err);
        return false;
    }
    bool restart = trap != NULL;
    if (!trap && f->results[0])
        wh_results[fi][(uint32_t)res[0].of.i32 < 80 ? res[0].of.i32 : 79]++;
    kite_trap_free(trap);
    /* A guest that lost its stdio or pre-opens says less: start over now and then. */
    if (restart || wh_byte(s) < 2)
        return wh_start(g);
    return true;
}

#endif
