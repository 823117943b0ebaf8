/* WASI configuration, and making and freeing the WASI object from one. */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"

extern char **environ;

/* STDIO_FD: a host descriptor seen as a stream; STDIO_FILE: a host
 * descriptor the guest may use as the file it is (opt-in). */
enum stdio_mode { STDIO_FD, STDIO_FILE, STDIO_BYTES, STDIO_CAPTURE };

typedef struct cfg_dir {
    char *host, *guest;
    uint32_t flags;
} cfg_dir;

typedef struct str_list {
    char **items;
    size_t n, cap;
} str_list;

struct kite_wasi_config {
    str_list args;
    str_list env; /* "NAME=VALUE" */
    cfg_dir *dirs;
    size_t ndirs, dirs_cap;
    int *socks;
    size_t nsocks, socks_cap;
    uint8_t stdio_mode[3];
    int stdio_fd[3];
    size_t capture_max[3];
    uint8_t *stdin_data;
    size_t stdin_len;
    bool no_openat2;
};

/* A configuration exists without an engine: the C library allocates it
 * and its errors. */
#define L (&kutil_libc)

static char *copy_str(const kite_allocator_t *a, const char *s, size_t n)
{
    char *p = kutil_malloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Grows *items (of `size`-byte elements) so that one more fits. */
static bool grow(const kite_allocator_t *a, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 8;
    if (c > SIZE_MAX / size)
        return false;
    void *p = kutil_realloc(a, *items, c * size);
    if (!p)
        return false;
    *items = p;
    *cap = c;
    return true;
}

static kite_error_t *list_push(str_list *l, char *s)
{
    if (!s || !grow(L, (void **)&l->items, &l->cap, l->n, sizeof(char *))) {
        kutil_free(L, s);
        return kutil_error_oom();
    }
    l->items[l->n++] = s;
    return NULL;
}

static void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        kutil_free(L, l->items[i]);
    kutil_free(L, l->items);
}

kite_wasi_config_t *kite_wasi_config_new(void)
{
    kite_wasi_config_t *c = kutil_calloc(L, 1, sizeof(*c));
    if (!c)
        return NULL;
    for (int i = 0; i < 3; i++) {
        c->stdio_mode[i] = STDIO_FD;
        c->stdio_fd[i] = i;
    }
    return c;
}

void kite_wasi_config_free(kite_wasi_config_t *c)
{
    if (!c)
        return;
    list_free(&c->args);
    list_free(&c->env);
    for (size_t i = 0; i < c->ndirs; i++) {
        kutil_free(L, c->dirs[i].host);
        kutil_free(L, c->dirs[i].guest);
    }
    kutil_free(L, c->dirs);
    kutil_free(L, c->socks);
    kutil_free(L, c->stdin_data);
    kutil_free(L, c);
}

kite_error_t *kite_wasi_config_push_arg(kite_wasi_config_t *c, const char *arg)
{
    if (!arg)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "WASI argument is NULL");
    return list_push(&c->args, copy_str(L, arg, strlen(arg)));
}

/* NAME=VALUE, replacing the entry for NAME if there is one. */
static kite_error_t *env_set(kite_wasi_config_t *c, const char *name, size_t nlen,
                             const char *value)
{
    size_t vlen = strlen(value);
    if (nlen > SIZE_MAX / 2 || vlen > SIZE_MAX / 2)
        return kutil_error_oom();
    char *s = kutil_malloc(L, nlen + vlen + 2);
    if (!s)
        return kutil_error_oom();
    memcpy(s, name, nlen);
    s[nlen] = '=';
    memcpy(s + nlen + 1, value, vlen + 1);
    for (size_t i = 0; i < c->env.n; i++) {
        if (strncmp(c->env.items[i], s, nlen + 1) == 0) {
            kutil_free(L, c->env.items[i]);
            c->env.items[i] = s;
            return NULL;
        }
    }
    return list_push(&c->env, s);
}

kite_error_t *kite_wasi_config_push_env(kite_wasi_config_t *c, const char *name,
                                        const char *value)
{
    if (!name || !value || !*name || strchr(name, '='))
        return kutil_error_new(L, KITE_ERROR_ARGUMENT,
                               "WASI environment variable name must be non-empty without '='");
    return env_set(c, name, strlen(name), value);
}

kite_error_t *kite_wasi_config_inherit_env(kite_wasi_config_t *c)
{
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e)
            continue;
        kite_error_t *err = env_set(c, *e, (size_t)(eq - *e), eq + 1);
        if (err)
            return err;
    }
    return NULL;
}

kite_error_t *kite_wasi_config_preopen_dir(kite_wasi_config_t *c, const char *host_path,
                                           const char *guest_path, uint32_t flags)
{
    if (!host_path || !guest_path || !*host_path || !*guest_path)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT,
                               "pre-opened directory needs a host and a "
                               "guest path");
    if (flags & ~KITE_WASI_READONLY)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "unknown pre-open flags 0x%x", flags);
    if (!grow(L, (void **)&c->dirs, &c->dirs_cap, c->ndirs, sizeof(cfg_dir)))
        return kutil_error_oom();
    cfg_dir d = {copy_str(L, host_path, strlen(host_path)),
                 copy_str(L, guest_path, strlen(guest_path)), flags};
    if (!d.host || !d.guest) {
        kutil_free(L, d.host);
        kutil_free(L, d.guest);
        return kutil_error_oom();
    }
    c->dirs[c->ndirs++] = d;
    return NULL;
}

kite_error_t *kite_wasi_config_preopen_socket(kite_wasi_config_t *c, int host_fd)
{
    if (host_fd < 0)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "bad socket descriptor %d", host_fd);
    if (!grow(L, (void **)&c->socks, &c->socks_cap, c->nsocks, sizeof(int)))
        return kutil_error_oom();
    c->socks[c->nsocks++] = host_fd;
    return NULL;
}

kite_error_t *kite_wasi_config_stdio_fd(kite_wasi_config_t *c, int stream, int host_fd)
{
    if (stream < 0 || stream > 2 || host_fd < -1)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "bad stdio stream %d or descriptor %d",
                               stream, host_fd);
    c->stdio_mode[stream] = STDIO_FD;
    c->stdio_fd[stream] = host_fd;
    return NULL;
}

kite_error_t *kite_wasi_config_stdio_file(kite_wasi_config_t *c, int stream, int host_fd)
{
    if (stream < 0 || stream > 2 || host_fd < 0)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "bad stdio stream %d or descriptor %d",
                               stream, host_fd);
    c->stdio_mode[stream] = STDIO_FILE;
    c->stdio_fd[stream] = host_fd;
    return NULL;
}

kite_error_t *kite_wasi_config_stdin_bytes(kite_wasi_config_t *c, const void *data, size_t len)
{
    uint8_t *copy = kutil_malloc(L, len ? len : 1);
    if (!copy)
        return kutil_error_oom();
    if (len)
        memcpy(copy, data, len);
    kutil_free(L, c->stdin_data);
    c->stdin_data = copy;
    c->stdin_len = len;
    c->stdio_mode[0] = STDIO_BYTES;
    return NULL;
}

void kite_wasi_config_no_openat2(kite_wasi_config_t *c, bool enabled) { c->no_openat2 = enabled; }

kite_error_t *kite_wasi_config_stdio_capture(kite_wasi_config_t *c, int stream, size_t max_bytes)
{
    if (stream != 1 && stream != 2)
        return kutil_error_new(L, KITE_ERROR_ARGUMENT, "only streams 1 and 2 can be captured");
    c->stdio_mode[stream] = STDIO_CAPTURE;
    c->capture_max[stream] = max_bytes;
    return NULL;
}

#undef L

/* ---- the WASI object --------------------------------------------------------------- */

static kite_error_t *copy_strings(kite_wasi_t *w, const str_list *l, char ***out, size_t *n,
                                  size_t *bytes)
{
    *out = kutil_calloc(&w->alloc, l->n ? l->n : 1, sizeof(char *));
    if (!*out)
        return kutil_error_oom();
    *bytes = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t len = strlen(l->items[i]);
        (*out)[i] = copy_str(&w->alloc, l->items[i], len);
        if (!(*out)[i])
            return kutil_error_oom();
        *n = i + 1;
        *bytes += len + 1;
    }
    /* The guest's sizes are 32-bit. */
    if (*bytes > UINT32_MAX || l->n > UINT32_MAX / 4)
        return kutil_error_new(&w->alloc, KITE_ERROR_LIMIT,
                               "WASI arguments or environment too large");
    return NULL;
}

/* Rights of a descriptor the embedder gave (stdio, sockets). */
static uint64_t given_rights(uint8_t filetype, bool tty)
{
    switch (filetype) {
    case KWASI_FT_DIRECTORY: return KWASI_RIGHTS_DIR;
    case KWASI_FT_SOCKET_STREAM:
    case KWASI_FT_SOCKET_DGRAM: return KWASI_RIGHTS_SOCKET;
    default:
        /* wasi-libc's isatty(): a character device without seek rights. */
        return tty ? KWASI_RIGHTS_FILE & ~(KWASI_R_FD_SEEK | KWASI_R_FD_TELL) : KWASI_RIGHTS_FILE;
    }
}

/* Puts a new entry at descriptor number `at` (the table has room); NULL
 * when out of memory. */
static kwasi_fd *slot(kite_wasi_t *w, uint32_t at)
{
    kwasi_fd *f = kwasi_fd_new(w);
    if (!f)
        return NULL;
    w->fds[at] = f;
    if (at >= w->nfds)
        w->nfds = at + 1;
    return f;
}

static kite_error_t *io_error(kite_wasi_t *w, const char *what, const char *path, int e)
{
    return kutil_error_new(&w->alloc, KITE_ERROR_IO, "%s %s: %s", what, path, strerror(e));
}

/* A standard stream on a host descriptor: as a stream (a terminal and a
 * socket keep their kind, anything else looks like a pipe: no file type,
 * a file's rights) unless the embedder handed it over as a file. */
static void host_stdio(kwasi_fd *f, int h, bool as_file)
{
    bool tty;
    uint8_t type = kwasi_host_filetype(h, &tty);
    f->kind = KWASI_FD_HOST;
    f->host = h;
    f->host_stream = !as_file;
    if (!as_file && !tty && type != KWASI_FT_SOCKET_STREAM && type != KWASI_FT_SOCKET_DGRAM)
        type = KWASI_FT_UNKNOWN;
    f->filetype = type;
    f->rights = given_rights(type, tty);
}

static kite_error_t *add_stdio(kite_wasi_t *w, const kite_wasi_config_t *c, int s)
{
    uint8_t mode = c->stdio_mode[s];
    if (mode == STDIO_FD || mode == STDIO_FILE) {
        if (c->stdio_fd[s] < 0)
            return NULL;
        int h = fcntl(c->stdio_fd[s], F_DUPFD_CLOEXEC, 0);
        if (h < 0)
            return errno == EBADF ? NULL
                                  : kutil_error_new(&w->alloc, KITE_ERROR_IO,
                                                    "cannot use descriptor %d for "
                                                    "stdio stream %d: %s",
                                                    c->stdio_fd[s], s, strerror(errno));
        w->stdio_flags[s] = fcntl(h, F_GETFL);
        w->stdio_restore[s] = w->stdio_flags[s] >= 0 ? fcntl(h, F_DUPFD_CLOEXEC, 0) : -1;
        kwasi_fd *f = slot(w, (uint32_t)s);
        if (!f) {
            close(h);
            return kutil_error_oom();
        }
        host_stdio(f, h, mode == STDIO_FILE);
        if (f->host_stream && w->stdio_flags[s] >= 0 && (w->stdio_flags[s] & O_APPEND))
            f->flags = KWASI_FDFLAG_APPEND;
        return NULL;
    }
    kwasi_fd *f = slot(w, (uint32_t)s);
    if (!f)
        return kutil_error_oom();
    f->kind = mode == STDIO_BYTES ? KWASI_FD_BUF_IN : KWASI_FD_BUF_OUT;
    f->stream = (uint8_t)s;
    f->filetype = KWASI_FT_UNKNOWN;
    f->rights = KWASI_R_FD_FDSTAT_SET_FLAGS | KWASI_R_FD_FILESTAT_GET | KWASI_R_POLL_FD_READWRITE |
                (mode == STDIO_BYTES ? KWASI_R_FD_READ : KWASI_R_FD_WRITE);
    kwasi_buf *b = &w->bufs[s];
    if (mode == STDIO_BYTES) {
        b->data = kutil_malloc(&w->alloc, c->stdin_len ? c->stdin_len : 1);
        if (!b->data)
            return kutil_error_oom();
        if (c->stdin_len)
            memcpy(b->data, c->stdin_data, c->stdin_len);
        b->len = c->stdin_len;
    } else {
        b->max = c->capture_max[s] ? c->capture_max[s] : SIZE_MAX;
        w->captured[s] = true;
    }
    return NULL;
}

/*
 * A stream on a regular file writes only at the file's current end, as a
 * pipe would carry the bytes on: the description (shared with the host,
 * which may have opened it without O_APPEND, `> out.txt`) is made
 * append-only while the WASI object lives; kite_wasi_free puts the flags
 * back. Without it the guest would write at the description's position,
 * which need not be the end (`1<> file`, or another writer that truncated
 * the file).
 */
static kite_error_t *append_only(kite_wasi_t *w, int s)
{
    kwasi_fd *f = w->fds[s];
    struct stat st;
    if (!f || !f->host_stream || fstat(f->host, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    /* Only with the copy that puts the flags back (none: F_GETFL or the
     * copy failed when the stream was added). */
    int fl = w->stdio_restore[s] < 0 ? -1 : fcntl(f->host, F_GETFL);
    if (fl < 0 || fcntl(f->host, F_SETFL, fl | O_APPEND) != 0)
        return kutil_error_new(&w->alloc, KITE_ERROR_IO,
                               "cannot make stdio stream %d append-only: %s", s,
                               fl < 0 && w->stdio_restore[s] < 0 ? "no descriptor to restore it"
                                                                 : strerror(errno));
    return NULL;
}

static kite_error_t *add_dir(kite_wasi_t *w, const cfg_dir *d, uint32_t at)
{
    int h = open(d->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h < 0)
        return io_error(w, "cannot open directory", d->host, errno);
    kwasi_fd *f = slot(w, at);
    if (!f) {
        close(h);
        return kutil_error_oom();
    }
    f->kind = KWASI_FD_HOST;
    f->host = h;
    f->filetype = KWASI_FT_DIRECTORY;
    uint64_t keep = d->flags & KITE_WASI_READONLY ? ~KWASI_RIGHTS_MODIFY : KWASI_RIGHTS_ALL;
    f->rights = KWASI_RIGHTS_DIR & keep;
    f->inheriting = (KWASI_RIGHTS_DIR | KWASI_RIGHTS_FILE) & keep;
    f->preopen_len = strlen(d->guest);
    f->preopen = copy_str(&w->alloc, d->guest, f->preopen_len);
    if (!f->preopen)
        return kutil_error_oom();
    if (f->preopen_len > UINT32_MAX)
        return kutil_error_new(&w->alloc, KITE_ERROR_LIMIT, "guest path too long");
    return NULL;
}

static kite_error_t *add_socket(kite_wasi_t *w, int fd, uint32_t at)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (h < 0)
        return kutil_error_new(&w->alloc, KITE_ERROR_IO, "cannot use socket descriptor %d: %s", fd,
                               strerror(errno));
    kwasi_fd *f = slot(w, at);
    if (!f) {
        close(h);
        return kutil_error_oom();
    }
    f->kind = KWASI_FD_HOST;
    f->host = h;
    bool tty;
    f->filetype = kwasi_host_filetype(h, &tty);
    if (f->filetype != KWASI_FT_SOCKET_STREAM && f->filetype != KWASI_FT_SOCKET_DGRAM)
        return kutil_error_new(&w->alloc, KITE_ERROR_ARGUMENT, "descriptor %d is not a socket", fd);
    f->rights = KWASI_RIGHTS_SOCKET;
    f->inheriting = KWASI_RIGHTS_SOCKET;
    return NULL;
}

static kite_error_t *fill(kite_wasi_t *w, const kite_wasi_config_t *c)
{
    kite_error_t *err = copy_strings(w, &c->args, &w->argv, &w->argc, &w->argv_bytes);
    if (!err)
        err = copy_strings(w, &c->env, &w->envp, &w->envc, &w->env_bytes);
    if (err)
        return err;
    size_t n = 3 + c->ndirs + c->nsocks;
    if (n > UINT32_MAX / 2)
        return kutil_error_new(&w->alloc, KITE_ERROR_LIMIT, "too many pre-opened descriptors");
    w->fds = kutil_calloc(&w->alloc, n, sizeof(kwasi_fd *));
    if (!w->fds)
        return kutil_error_oom();
    w->nfds = 3;
    for (int s = 0; s < 3 && !err; s++)
        err = add_stdio(w, c, s);
    /* After all three recorded their flags: streams may share a description. */
    for (int s = 0; s < 3 && !err; s++)
        err = append_only(w, s);
    uint32_t at = 3;
    for (size_t i = 0; i < c->ndirs && !err; i++)
        err = add_dir(w, &c->dirs[i], at++);
    for (size_t i = 0; i < c->nsocks && !err; i++)
        err = add_socket(w, c->socks[i], at++);
    if (!err && c->ndirs)
        w->no_openat2 = c->no_openat2 || !kwasi_openat2_works(w->fds[3]->host);
    return err;
}

kite_error_t *kite_wasi_new(kite_engine_t *engine, const kite_wasi_config_t *config,
                            kite_wasi_t **out)
{
    *out = NULL;
    if (!engine || !config)
        return kutil_error_new(&kutil_libc, KITE_ERROR_ARGUMENT,
                               "kite_wasi_new needs an engine and a configuration");
    kite_allocator_t alloc = kite_engine_allocator(engine);
    kite_wasi_t *w = kutil_calloc(&alloc, 1, sizeof(*w));
    if (!w)
        return kutil_error_oom();
    w->alloc = alloc;
    if (pthread_mutex_init(&w->lock, NULL) != 0) {
        kutil_free(&alloc, w);
        return kutil_error_oom();
    }
    atomic_init(&w->exited, false);
    for (int s = 0; s < 3; s++)
        w->stdio_restore[s] = -1;
    kite_error_t *err = fill(w, config);
    if (err) {
        kite_wasi_free(w);
        return err;
    }
    *out = w;
    return NULL;
}

void kite_wasi_free(kite_wasi_t *w)
{
    if (!w)
        return;
    kwasi_threads_free(w);
    for (size_t i = 0; i < w->argc; i++)
        kutil_free(&w->alloc, w->argv[i]);
    kutil_free(&w->alloc, w->argv);
    for (size_t i = 0; i < w->envc; i++)
        kutil_free(&w->alloc, w->envp[i]);
    kutil_free(&w->alloc, w->envp);
    for (uint32_t i = 0; i < w->nfds; i++)
        kwasi_fd_unref(w->fds[i]);
    for (int s = 0; s < 3; s++) {
        int h = w->stdio_restore[s];
        if (h < 0)
            continue;
        int now = fcntl(h, F_GETFL), mask = O_NONBLOCK | O_APPEND;
        if (now >= 0 && (now & mask) != (w->stdio_flags[s] & mask))
            fcntl(h, F_SETFL, (now & ~mask) | (w->stdio_flags[s] & mask));
        close(h);
    }
    kutil_free(&w->alloc, w->fds);
    for (int i = 0; i < 3; i++)
        kutil_free(&w->alloc, w->bufs[i].data);
    kutil_free(&w->alloc, w->bindings);
    pthread_mutex_destroy(&w->lock);
    kite_allocator_t a = w->alloc;
    kutil_free(&a, w);
}

bool kite_wasi_exit_code(const kite_wasi_t *w, uint32_t *code)
{
    if (!atomic_load_explicit(&w->exited, memory_order_acquire))
        return false;
    if (code)
        *code = w->exit_code;
    return true;
}

const uint8_t *kite_wasi_captured(const kite_wasi_t *w, int stream, size_t *len)
{
    *len = 0;
    if ((stream != 1 && stream != 2) || !w->captured[stream])
        return NULL;
    const kwasi_buf *b = &w->bufs[stream];
    pthread_mutex_lock((pthread_mutex_t *)&w->lock);
    *len = b->len;
    pthread_mutex_unlock((pthread_mutex_t *)&w->lock);
    return b->data ? b->data : (const uint8_t *)"";
}
