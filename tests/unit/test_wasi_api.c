/*
 * WASI as an embedder uses it (kite.h only): configuration (arguments,
 * environment, stdin bytes, captured output with a limit), exit codes,
 * standard streams on host files (streams, or files on request),
 * pre-opened sockets (sock_accept/recv/send/shutdown), configuration
 * errors, and a race: a directory swapped for a symbolic link out of the
 * sandbox while the guest opens paths through it, under openat2 and under
 * the portable walker.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kite.h"

#include "check.h"

static kite_engine_t *engine;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static kite_module_t *load(const char *what, bool text)
{
    kite_module_t *m = NULL;
    kite_error_t *err;
    if (text) {
        err = kite_module_new_text(engine, what, strlen(what), &m);
    } else {
        char path[512];
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/tests/wasi/%s", KITE_SOURCE_DIR, what);
        char *bytes = read_file(path, &len);
        CHECK(bytes != NULL, "cannot read %s", path);
        if (!bytes)
            return NULL;
        err = kite_module_new(engine, (const uint8_t *)bytes, len, &m);
        free(bytes);
    }
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    return m;
}

/* One guest: a store with WASI defined and the module instantiated. */
typedef struct guest {
    kite_store_t *store;
    kite_linker_t *linker;
    kite_wasi_t *wasi;
    kite_instance_t *inst;
} guest;

static bool start(guest *g, kite_module_t *m, kite_wasi_config_t *cfg)
{
    memset(g, 0, sizeof(*g));
    kite_error_t *err = kite_wasi_new(engine, cfg, &g->wasi);
    CHECK(!err, "kite_wasi_new: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (!g->wasi || !m)
        return false;
    g->store = kite_store_new(engine);
    g->linker = kite_linker_new(engine);
    err = kite_wasi_define(g->wasi, g->linker, g->store);
    kite_trap_t *trap = NULL;
    if (!err)
        err = kite_linker_instantiate(g->linker, g->store, m, &g->inst, &trap);
    CHECK(!err && !trap, "instantiate: %s", err ? kite_error_message(err) : "trap");
    kite_error_free(err);
    kite_trap_free(trap);
    return g->inst != NULL;
}

static void stop(guest *g)
{
    kite_store_free(g->store);
    kite_linker_free(g->linker);
    kite_wasi_free(g->wasi);
}

/* Calls export `name` with i32 arguments; returns its i32 result (or 0), the
 * trap in *trap when given. */
static int32_t call(guest *g, const char *name, const int32_t *args, size_t nargs,
                    kite_trap_t **trap_out)
{
    kite_extern_t ext;
    if (!kite_instance_export(g->inst, name, strlen(name), &ext)) {
        CHECK(false, "no export %s", name);
        return 0;
    }
    kite_val_t a[8], r[1];
    for (size_t i = 0; i < nargs; i++)
        a[i] = (kite_val_t){.kind = KITE_I32, .of.i32 = args[i]};
    size_t nr = kite_func_result_count(ext.of.func);
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(g->store, ext.of.func, a, nargs, r, nr, &trap);
    CHECK(!err, "call %s: %s", name, err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (trap_out)
        *trap_out = trap;
    else {
        CHECK(!trap, "call %s trapped: %s", name, trap ? kite_trap_message(trap) : "");
        kite_trap_free(trap);
    }
    return nr && !trap ? r[0].of.i32 : 0;
}

static uint8_t *memory(guest *g)
{
    kite_extern_t ext;
    return kite_instance_export(g->inst, "memory", 6, &ext) ? kite_memory_data(ext.of.memory)
                                                           : NULL;
}

/* ---- configuration, stdio, exit -------------------------------------------------- */

static void expect_captured(guest *g, int stream, const char *want)
{
    size_t len = 0;
    const uint8_t *p = kite_wasi_captured(g->wasi, stream, &len);
    CHECK(p && len == strlen(want) && memcmp(p, want, len) == 0,
          "stream %d: got \"%.*s\", expected \"%s\"", stream, (int)len, p ? (const char *)p : "",
          want);
}

static void test_stdio_and_args(void)
{
    kite_module_t *args = load("args.wasm", false), *stdio = load("stdio.wasm", false);
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    CHECK(!kite_wasi_config_push_arg(cfg, "prog"), "push_arg");
    CHECK(!kite_wasi_config_push_arg(cfg, "one two"), "push_arg");
    CHECK(!kite_wasi_config_push_env(cfg, "B", "2"), "push_env");
    CHECK(!kite_wasi_config_push_env(cfg, "A", "old"), "push_env");
    CHECK(!kite_wasi_config_push_env(cfg, "A", "1=1"), "push_env replaces");
    CHECK(!kite_wasi_config_stdio_capture(cfg, 1, 0), "capture stdout");
    CHECK(!kite_wasi_config_stdio_capture(cfg, 2, 4), "capture stderr, 4 bytes at most");
    CHECK(!kite_wasi_config_stdin_bytes(cfg, "some input\n", 11), "stdin bytes");
    guest g;
    if (start(&g, args, cfg)) {
        call(&g, "_start", NULL, 0, NULL);
        expect_captured(&g, 1,
                        "argc=2\nargv[0]=[prog]\nargv[1]=[one two]\nenviron: 2\n  A=1=1\n  B=2\n"
                        "getenv(KITE_TEST)=(unset)\n");
        size_t len;
        CHECK(kite_wasi_captured(g.wasi, 0, &len) == NULL, "stdin is not captured");
        uint32_t code = 99;
        CHECK(!kite_wasi_exit_code(g.wasi, &code) && code == 99, "no proc_exit when main returns 0");
    }
    stop(&g);
    if (start(&g, stdio, cfg)) {
        call(&g, "_start", NULL, 0, NULL);
        expect_captured(&g, 1, "SOME INPUT\n");
        /* "11 bytes\n" does not fit in 4: the write fails whole. */
        expect_captured(&g, 2, "");
    }
    stop(&g);
    kite_wasi_config_free(cfg);

    /* exit(42) from inside: a host trap, and the code on the WASI object. */
    cfg = kite_wasi_config_new();
    kite_wasi_config_push_arg(cfg, "args");
    kite_wasi_config_push_arg(cfg, "exit");
    kite_wasi_config_push_arg(cfg, "42");
    kite_wasi_config_stdio_capture(cfg, 1, 0);
    if (start(&g, args, cfg)) {
        kite_trap_t *trap = NULL;
        call(&g, "_start", NULL, 0, &trap);
        CHECK(trap && kite_trap_kind(trap) == KITE_TRAP_HOST, "proc_exit traps");
        kite_trap_free(trap);
        uint32_t code = 0;
        CHECK(kite_wasi_exit_code(g.wasi, &code) && code == 42, "exit code %u", code);
        expect_captured(&g, 1, "leaving with 42\n");
    }
    stop(&g);
    kite_wasi_config_free(cfg);
    kite_module_free(args);
    kite_module_free(stdio);
}

static void test_config_errors(void)
{
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    kite_error_t *err = kite_wasi_config_push_env(cfg, "A=B", "x");
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "env name with '='");
    kite_error_free(err);
    err = kite_wasi_config_push_env(cfg, "", "x");
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "empty env name");
    kite_error_free(err);
    err = kite_wasi_config_stdio_capture(cfg, 0, 0);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "capturing stdin");
    kite_error_free(err);
    err = kite_wasi_config_stdio_fd(cfg, 3, 1);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "stream 3");
    kite_error_free(err);
    err = kite_wasi_config_preopen_dir(cfg, "/nonexistent/kite-test", "/x", 0);
    CHECK(!err, "a missing directory is found missing only by kite_wasi_new");
    kite_wasi_t *w = NULL;
    err = kite_wasi_new(engine, cfg, &w);
    CHECK(err && kite_error_code(err) == KITE_ERROR_IO && !w, "opening a missing directory");
    kite_error_free(err);
    kite_wasi_config_free(cfg);

    cfg = kite_wasi_config_new();
    err = kite_wasi_config_preopen_socket(cfg, 0);
    CHECK(!err, "preopen_socket takes any descriptor");
    err = kite_wasi_new(engine, cfg, &w);
    CHECK(err && !w, "stdin is no socket");
    kite_error_free(err);
    kite_wasi_config_free(cfg);
}

/* A guest that makes stdin non-blocking must not leave the host's
 * description (shared with a terminal, say) that way. */
static void test_stdio_flags_restored(void)
{
    static const char *wat =
        "(module\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_fdstat_set_flags\"\n"
        "    (func $set (param i32 i32) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_close\" (func $close (param i32) (result i32)))\n"
        "  (memory (export \"memory\") 1)\n"
        "  (func (export \"go\") (result i32)\n"
        "    (i32.or (call $set (i32.const 0) (i32.const 5)) (call $close (i32.const 0)))))\n";
    int p[2];
    if (pipe(p) != 0)
        return;
    kite_module_t *m = load(wat, true);
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    kite_wasi_config_stdio_fd(cfg, 0, p[0]);
    guest g;
    if (start(&g, m, cfg)) {
        CHECK(call(&g, "go", NULL, 0, NULL) == 0, "set append|nonblock on stdin, close it");
        CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "the shared description is non-blocking now");
    }
    stop(&g);
    CHECK(!(fcntl(p[0], F_GETFL) & (O_NONBLOCK | O_APPEND)), "and blocking again after kite_wasi_free");
    kite_wasi_config_free(cfg);
    kite_module_free(m);
    close(p[0]);
    close(p[1]);
}

/* A regular file given as stdout is a stream (kite_wasi_config_stdio_fd):
 * the guest can neither move, size nor grow it, and writes land at its end
 * even where the host's description is at 0 without O_APPEND. Given with
 * kite_wasi_config_stdio_file it is the file itself. */
static void test_stdio_stream_or_file(void)
{
    static const char *wat =
        "(module\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_pwrite\"\n"
        "    (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $write (param i32 i32 i32 i32) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_seek\" (func $seek (param i32 i64 i32 i32) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_filestat_set_size\" (func $size (param i32 i64) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_allocate\" (func $alloc (param i32 i64 i64) (result i32)))\n"
        "  (import \"wasi_snapshot_preview1\" \"fd_fdstat_get\" (func $fdstat (param i32 i32) (result i32)))\n"
        "  (memory (export \"memory\") 1)\n"
        "  (data (i32.const 16) \"XXXX\")\n"
        "  (func $iov (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 4)))\n"
        "  (func (export \"pwrite\") (param $at i32) (result i32)\n"
        "    (call $iov) (call $pwrite (i32.const 1) (i32.const 0) (i32.const 1)\n"
        "      (i64.extend_i32_u (local.get $at)) (i32.const 8)))\n"
        "  (func (export \"write\") (result i32)\n"
        "    (call $iov) (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
        "  (func (export \"seek\") (result i32) (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 8)))\n"
        "  (func (export \"size\") (param $n i32) (result i32)\n"
        "    (call $size (i32.const 1) (i64.extend_i32_u (local.get $n))))\n"
        "  (func (export \"alloc\") (result i32) (call $alloc (i32.const 1) (i64.const 0) (i64.const 1000000)))\n"
        "  (func (export \"type\") (result i32)\n"
        "    (drop (call $fdstat (i32.const 1) (i32.const 32))) (i32.load8_u (i32.const 32))))\n";
    char path[] = "/tmp/kite-stdio-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temporary file");
    if (fd < 0)
        return;
    unlink(path);
    kite_module_t *m = load(wat, true);
    struct stat st;
    char buf[32];

    /* As a stream: nothing but appending. */
    CHECK(pwrite(fd, "0123456789", 10, 0) == 10 && lseek(fd, 0, SEEK_SET) == 0, "file at 0");
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    kite_wasi_config_stdio_fd(cfg, 1, fd);
    guest g;
    if (start(&g, m, cfg)) {
        CHECK(fcntl(fd, F_GETFL) & O_APPEND, "append-only while the guest may write");
        CHECK(call(&g, "type", NULL, 0, NULL) == 0, "the stream has no file type");
        CHECK(call(&g, "pwrite", (int32_t[]){0}, 1, NULL) == 70, "pwrite: ESPIPE");
        CHECK(call(&g, "seek", NULL, 0, NULL) == 70, "seek: ESPIPE");
        CHECK(call(&g, "alloc", NULL, 0, NULL) == 70, "allocate: ESPIPE");
        CHECK(call(&g, "size", (int32_t[]){1 << 30}, 1, NULL) == 28, "set size: EINVAL");
        CHECK(call(&g, "write", NULL, 0, NULL) == 0, "write");
    }
    stop(&g);
    kite_wasi_config_free(cfg);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 14, "size 14 (%lld)",
          (long long)st.st_size);
    CHECK(pread(fd, buf, sizeof(buf), 0) == 14 && memcmp(buf, "0123456789XXXX", 14) == 0,
          "the write went to the end");
    CHECK(!(fcntl(fd, F_GETFL) & O_APPEND), "the description's flags are back");

    /* As a file, on request. */
    CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, "0123456789", 10, 0) == 10, "file again");
    cfg = kite_wasi_config_new();
    CHECK(!kite_wasi_config_stdio_file(cfg, 1, fd), "stdio_file");
    if (start(&g, m, cfg)) {
        CHECK(call(&g, "type", NULL, 0, NULL) == 4, "a regular file");
        CHECK(call(&g, "pwrite", (int32_t[]){2}, 1, NULL) == 0, "pwrite at 2");
        CHECK(call(&g, "size", (int32_t[]){8}, 1, NULL) == 0, "set size 8");
        CHECK(call(&g, "seek", NULL, 0, NULL) == 0, "seek");
    }
    stop(&g);
    kite_wasi_config_free(cfg);
    CHECK(pread(fd, buf, sizeof(buf), 0) == 8 && memcmp(buf, "01XXXX67", 8) == 0,
          "the guest wrote and truncated the file");
    cfg = kite_wasi_config_new();
    kite_error_t *err = kite_wasi_config_stdio_file(cfg, 1, -1);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "stdio_file needs a descriptor");
    kite_error_free(err);
    kite_wasi_config_free(cfg);
    kite_module_free(m);
    close(fd);
}

/* ---- sockets ------------------------------------------------------------------------- */

static const char *socket_wat =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"sock_accept\" (func $accept (param i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"sock_recv\" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"sock_send\" (func $send (param i32 i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"sock_shutdown\" (func $shutdown (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_fdstat_get\" (func $fdstat (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  ;; results: accept -> 100, recv -> 300 (size) 304 (flags), send -> 308, fdstat -> 400\n"
    "  ;; buffers: recv 1024, send 2048\n"
    "  (func (export \"accept\") (param $fd i32) (result i32)\n"
    "    (call $accept (local.get $fd) (i32.const 0) (i32.const 100)))\n"
    "  (func (export \"recv\") (param $fd i32) (param $len i32) (param $flags i32) (result i32)\n"
    "    (i32.store (i32.const 200) (i32.const 1024))\n"
    "    (i32.store (i32.const 204) (local.get $len))\n"
    "    (call $recv (local.get $fd) (i32.const 200) (i32.const 1) (local.get $flags)\n"
    "      (i32.const 300) (i32.const 304)))\n"
    "  (func (export \"send\") (param $fd i32) (param $len i32) (result i32)\n"
    "    (i32.store (i32.const 208) (i32.const 2048))\n"
    "    (i32.store (i32.const 212) (local.get $len))\n"
    "    (call $send (local.get $fd) (i32.const 208) (i32.const 1) (i32.const 0) (i32.const 308)))\n"
    "  (func (export \"write\") (param $fd i32) (param $len i32) (result i32)\n"
    "    (i32.store (i32.const 208) (i32.const 2048))\n"
    "    (i32.store (i32.const 212) (local.get $len))\n"
    "    (call $write (local.get $fd) (i32.const 208) (i32.const 1) (i32.const 308)))\n"
    "  (func (export \"shutdown\") (param $fd i32) (param $how i32) (result i32)\n"
    "    (call $shutdown (local.get $fd) (local.get $how)))\n"
    "  (func (export \"fdstat\") (param $fd i32) (result i32)\n"
    "    (call $fdstat (local.get $fd) (i32.const 400))))\n";

static uint32_t ld32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void test_sockets(void)
{
    int pair[2];
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(addr);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0 || listener < 0 ||
        bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &alen) != 0) {
        printf("skipping the socket tests: %s\n", strerror(errno));
        return;
    }
    int client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect");

    kite_module_t *m = load(socket_wat, true);
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    CHECK(!kite_wasi_config_preopen_socket(cfg, pair[0]), "preopen the pair's end"); /* fd 3 */
    CHECK(!kite_wasi_config_preopen_socket(cfg, listener), "preopen the listener");  /* fd 4 */
    guest g;
    if (start(&g, m, cfg)) {
        uint8_t *mem = memory(&g);
        CHECK(call(&g, "fdstat", (int32_t[]){3}, 1, NULL) == 0 && mem[400] == 6,
              "a stream socket");
        memcpy(mem + 2048, "ping", 4);
        CHECK(call(&g, "send", (int32_t[]){3, 4}, 2, NULL) == 0 && ld32(mem + 308) == 4, "send");
        char buf[16] = {0};
        CHECK(read(pair[1], buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0, "host got ping");
        CHECK(write(pair[1], "pong!", 5) == 5, "host sends");
        CHECK(call(&g, "recv", (int32_t[]){3, 3, 1 /* peek */}, 3, NULL) == 0 &&
                  ld32(mem + 300) == 3 && memcmp(mem + 1024, "pon", 3) == 0,
              "recv with peek");
        CHECK(call(&g, "recv", (int32_t[]){3, 16, 0}, 3, NULL) == 0 && ld32(mem + 300) == 5 &&
                  memcmp(mem + 1024, "pong!", 5) == 0,
              "recv");
        CHECK(call(&g, "recv", (int32_t[]){3, 16, 4}, 3, NULL) == 28, "recv flags 4: EINVAL");
        CHECK(call(&g, "shutdown", (int32_t[]){3, 2}, 2, NULL) == 0, "shutdown wr");
        CHECK(read(pair[1], buf, sizeof(buf)) == 0, "host reads end of stream");
        CHECK(call(&g, "shutdown", (int32_t[]){3, 0}, 2, NULL) == 28, "shutdown 0: EINVAL");
        close(pair[1]);
        memcpy(mem + 2048, "late", 4);
        CHECK(call(&g, "write", (int32_t[]){3, 4}, 2, NULL) == 64, "fd_write to a closed peer: EPIPE, no signal");

        CHECK(call(&g, "accept", (int32_t[]){4}, 1, NULL) == 0, "accept");
        int32_t conn = (int32_t)ld32(mem + 100);
        CHECK(conn > 4, "a new descriptor (got %d)", conn);
        CHECK(write(client, "hi", 2) == 2, "client sends");
        CHECK(call(&g, "recv", (int32_t[]){conn, 2, 2 /* waitall */}, 3, NULL) == 0 &&
                  ld32(mem + 300) == 2 && memcmp(mem + 1024, "hi", 2) == 0,
              "recv on the connection");
        memcpy(mem + 2048, "yo", 2);
        CHECK(call(&g, "send", (int32_t[]){conn, 2}, 2, NULL) == 0, "send on the connection");
        CHECK(read(client, buf, sizeof(buf)) == 2 && memcmp(buf, "yo", 2) == 0, "client got yo");
        CHECK(call(&g, "accept", (int32_t[]){conn}, 1, NULL) == 76, "no accept right on a connection");
        /* A descriptor that is no socket says so before its rights are looked at. */
        CHECK(call(&g, "accept", (int32_t[]){1}, 1, NULL) == 57, "accept on stdout: ENOTSOCK");
        CHECK(call(&g, "shutdown", (int32_t[]){1, 2}, 2, NULL) == 57, "shutdown on stdout: ENOTSOCK");
        CHECK(call(&g, "shutdown", (int32_t[]){99, 2}, 2, NULL) == 8, "shutdown on a closed fd: EBADF");
    }
    stop(&g);
    kite_wasi_config_free(cfg);
    kite_module_free(m);
    close(pair[0]);
    close(client);
    close(listener);
}

/* ---- a race with the sandbox ------------------------------------------------------------ */

static const char *race_wat =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"path_open\"\n"
    "    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_read\" (func $read (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_close\" (func $close (param i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"swap/secret\")\n"
    "  (data (i32.const 32) \"swap/../swap/secret\")\n"
    "  ;; Opens path (16: 11 bytes, or 32: 19 bytes) beneath fd 3 and returns\n"
    "  ;; the first byte read, or 1000 + errno.\n"
    "  (func (export \"try\") (param $which i32) (result i32) (local $e i32) (local $fd i32)\n"
    "    (local.set $e (call $open (i32.const 3) (i32.const 1)\n"
    "      (select (i32.const 32) (i32.const 16) (local.get $which))\n"
    "      (select (i32.const 19) (i32.const 11) (local.get $which))\n"
    "      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))\n"
    "    (if (local.get $e) (then (return (i32.add (i32.const 1000) (local.get $e)))))\n"
    "    (local.set $fd (i32.load (i32.const 100)))\n"
    "    (i32.store8 (i32.const 200) (i32.const 0))\n"
    "    (i32.store (i32.const 300) (i32.const 200))\n"
    "    (i32.store (i32.const 304) (i32.const 8))\n"
    "    (drop (call $read (local.get $fd) (i32.const 300) (i32.const 1) (i32.const 308)))\n"
    "    (drop (call $close (local.get $fd)))\n"
    "    (i32.load8_u (i32.const 200))))\n";

static atomic_bool swapping;
static char sandbox[256];

/* Keeps turning sandbox/swap from a directory into a link out and back. */
static void *swapper(void *arg)
{
    (void)arg;
    char swap[300], dir[300], link[300];
    snprintf(swap, sizeof(swap), "%s/swap", sandbox);
    snprintf(dir, sizeof(dir), "%s/swap_dir", sandbox);
    snprintf(link, sizeof(link), "%s/swap_link", sandbox);
    while (atomic_load(&swapping)) {
        rename(dir, swap);
        rename(swap, dir);
        rename(link, swap);
        rename(swap, link);
    }
    return NULL;
}

static void race(kite_module_t *m, bool walker)
{
    kite_wasi_config_t *cfg = kite_wasi_config_new();
    kite_wasi_config_preopen_dir(cfg, sandbox, "/sandbox", 0);
    kite_wasi_config_no_openat2(cfg, walker);
    guest g;
    bool ok = start(&g, m, cfg);
    int inside = 0, leaked = 0, refused = 0, other = 0;
    if (ok) {
        pthread_t t;
        atomic_store(&swapping, true);
        pthread_create(&t, NULL, swapper, NULL);
        for (int i = 0; i < 40000; i++) {
            int32_t r = call(&g, "try", (int32_t[]){i & 1}, 1, NULL);
            if (r == 'i')
                inside++;
            else if (r == 'S')
                leaked++;
            else if (r == 1076)
                refused++;
            else
                other++;
        }
        atomic_store(&swapping, false);
        pthread_join(t, NULL);
    }
    printf("race (%s): %d inside, %d refused, %d other, %d leaked\n",
           walker ? "walker" : "openat2 if available", inside, refused, other, leaked);
    CHECK(leaked == 0, "the guest read a file outside the sandbox %d times", leaked);
    stop(&g);
    kite_wasi_config_free(cfg);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_race(void)
{
    char root[] = "/tmp/kite-wasi-race-XXXXXX";
    if (!mkdtemp(root)) {
        CHECK(false, "mkdtemp");
        return;
    }
    char path[512];
    snprintf(sandbox, sizeof(sandbox), "%s/sandbox", root);
    mkdir(sandbox, 0755);
    snprintf(path, sizeof(path), "%s/outside", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/outside/secret", root);
    write_text(path, "SECRET");
    snprintf(path, sizeof(path), "%s/swap_dir", sandbox);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/swap_dir/secret", sandbox);
    write_text(path, "inside");
    snprintf(path, sizeof(path), "%s/swap_link", sandbox);
    CHECK(symlink("../outside", path) == 0, "symlink");

    kite_module_t *m = load(race_wat, true);
    race(m, false);
    race(m, true);
    kite_module_free(m);

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(system(cmd) == 0, "cleanup");
}

int main(void)
{
    engine = kite_engine_new(NULL);
    test_stdio_and_args();
    test_config_errors();
    test_stdio_flags_restored();
    test_stdio_stream_or_file();
    test_sockets();
    test_race();
    kite_engine_free(engine);
    if (g_failures)
        printf("%d failures\n", g_failures);
    return g_failures != 0;
}
