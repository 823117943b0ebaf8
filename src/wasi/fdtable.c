/*
 * The guest's descriptor table: guest numbers index an array of entries;
 * a new descriptor takes the lowest free number, as in POSIX. Any thread
 * may call in (wasi-threads): the table is changed and read under the WASI
 * object's lock, and entries are reference-counted (wasi.h).
 */
#include "wasi/wasi.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

/* Guest descriptors at most; beyond, EMFILE. */
#define KWASI_MAX_FDS 65536u

static bool hold(kwasi_call *c, kwasi_fd *f)
{
    if (c->nheld == c->cap_held) {
        if (!c->held) {
            c->held = c->held_small;
            c->cap_held = KWASI_HELD_SMALL;
        } else {
            uint32_t cap = c->cap_held * 2;
            kwasi_fd **n = kutil_malloc(&c->wasi->alloc, (size_t)cap * sizeof(*n));
            if (!n)
                return false;
            memcpy(n, c->held, c->nheld * sizeof(*n));
            if (c->held != c->held_small)
                kutil_free(&c->wasi->alloc, c->held);
            c->held = n;
            c->cap_held = cap;
        }
    }
    c->held[c->nheld++] = f;
    return true;
}

void kwasi_call_release(kwasi_call *c)
{
    for (uint32_t i = 0; i < c->nheld; i++)
        kwasi_fd_unref(c->held[i]);
    if (c->held != c->held_small)
        kutil_free(&c->wasi->alloc, c->held);
    c->held = NULL;
    c->nheld = c->cap_held = 0;
}

uint16_t kwasi_fd_get(kwasi_call *c, uint32_t fd, uint64_t rights, kwasi_fd **out)
{
    kite_wasi_t *w = c->wasi;
    uint16_t e = KWASI_ESUCCESS;
    pthread_mutex_lock(&w->lock);
    kwasi_fd *f = fd < w->nfds ? w->fds[fd] : NULL;
    if (!f)
        e = KWASI_EBADF;
    else if ((f->rights & rights) != rights)
        e = KWASI_ENOTCAPABLE;
    else
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&w->lock);
    if (e)
        return e;
    if (!hold(c, f)) {
        kwasi_fd_unref(f);
        return KWASI_ENOMEM;
    }
    *out = f;
    return KWASI_ESUCCESS;
}

uint8_t kwasi_host_filetype(int host, bool *is_tty)
{
    struct stat st;
    *is_tty = false;
    if (fstat(host, &st) != 0)
        return KWASI_FT_UNKNOWN;
    if (S_ISREG(st.st_mode))
        return KWASI_FT_REGULAR_FILE;
    if (S_ISDIR(st.st_mode))
        return KWASI_FT_DIRECTORY;
    if (S_ISCHR(st.st_mode)) {
        *is_tty = isatty(host) == 1;
        return KWASI_FT_CHARACTER_DEVICE;
    }
    if (S_ISBLK(st.st_mode))
        return KWASI_FT_BLOCK_DEVICE;
    if (S_ISLNK(st.st_mode))
        return KWASI_FT_SYMBOLIC_LINK;
    if (S_ISSOCK(st.st_mode)) {
        int type = 0;
        socklen_t len = sizeof(type);
        if (getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
            return KWASI_FT_SOCKET_DGRAM;
        return KWASI_FT_SOCKET_STREAM;
    }
    return KWASI_FT_UNKNOWN; /* pipes and anything else */
}

kwasi_fd *kwasi_fd_new(kite_wasi_t *w)
{
    kwasi_fd *f = kutil_calloc(&w->alloc, 1, sizeof(*f));
    if (f && pthread_mutex_init(&f->dir_lock, NULL) != 0) {
        kutil_free(&w->alloc, f);
        return NULL;
    }
    if (f) {
        atomic_init(&f->refs, 1);
        f->alloc = &w->alloc;
        f->host = -1;
    }
    return f;
}

uint16_t kwasi_fd_add(kite_wasi_t *w, int host, uint8_t filetype, uint64_t rights,
                      uint64_t inheriting, uint32_t *out)
{
    kwasi_fd *f = kwasi_fd_new(w);
    if (!f) {
        close(host);
        return KWASI_ENOMEM;
    }
    f->kind = KWASI_FD_HOST;
    f->host = host;
    f->filetype = filetype;
    f->rights = rights;
    f->inheriting = inheriting;
    pthread_mutex_lock(&w->lock);
    uint32_t fd = 0;
    while (fd < w->nfds && w->fds[fd])
        fd++;
    uint16_t e = KWASI_ESUCCESS;
    if (fd >= KWASI_MAX_FDS) {
        e = KWASI_EMFILE;
    } else if (fd == w->nfds) {
        /* Doubling keeps appends amortized; the table never shrinks. */
        uint32_t cap = 1;
        while (cap <= fd)
            cap *= 2;
        kwasi_fd **fds = kutil_realloc(&w->alloc, w->fds, (size_t)cap * sizeof(*fds));
        if (!fds) {
            e = KWASI_ENOMEM;
        } else {
            memset(fds + w->nfds, 0, (size_t)(cap - w->nfds) * sizeof(*fds));
            w->fds = fds;
            w->nfds = fd + 1;
        }
    }
    if (!e)
        w->fds[fd] = f;
    pthread_mutex_unlock(&w->lock);
    if (e) {
        kwasi_fd_unref(f);
        return e;
    }
    *out = fd;
    return KWASI_ESUCCESS;
}

void kwasi_fd_unref(kwasi_fd *f)
{
    if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (f->dir)
        closedir(f->dir);
    if (f->kind == KWASI_FD_HOST && f->host >= 0)
        close(f->host);
    kutil_free(f->alloc, f->preopen);
    pthread_mutex_destroy(&f->dir_lock);
    kutil_free(f->alloc, f);
}

uint16_t kwasi_fdt_close(kite_wasi_t *w, uint32_t fd)
{
    pthread_mutex_lock(&w->lock);
    kwasi_fd *f = fd < w->nfds ? w->fds[fd] : NULL;
    if (f)
        w->fds[fd] = NULL;
    pthread_mutex_unlock(&w->lock);
    if (!f)
        return KWASI_EBADF;
    kwasi_fd_unref(f);
    return KWASI_ESUCCESS;
}

/* Moves `from` onto `to`, closing what `to` was; both must be open (as in
 * other runtimes: the guest cannot make up descriptor numbers). */
uint16_t kwasi_fdt_renumber(kite_wasi_t *w, uint32_t from, uint32_t to)
{
    pthread_mutex_lock(&w->lock);
    kwasi_fd *f = from < w->nfds ? w->fds[from] : NULL;
    kwasi_fd *t = to < w->nfds ? w->fds[to] : NULL;
    bool ok = f && t;
    if (ok && from != to) {
        w->fds[to] = f;
        w->fds[from] = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    if (!ok)
        return KWASI_EBADF;
    if (from != to)
        kwasi_fd_unref(t);
    return KWASI_ESUCCESS;
}
