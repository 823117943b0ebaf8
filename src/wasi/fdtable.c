/*
 * The guest's descriptor table: guest numbers index an array of entries;
 * a new descriptor takes the lowest free number, as in POSIX.
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

uint16_t kwasi_fd_get(kite_wasi_t *w, uint32_t fd, uint64_t rights, kwasi_fd **out)
{
    if (fd >= w->nfds || !w->fds[fd].used)
        return KWASI_EBADF;
    kwasi_fd *f = &w->fds[fd];
    if ((f->rights & rights) != rights)
        return KWASI_ENOTCAPABLE;
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

uint16_t kwasi_fd_add(kite_wasi_t *w, int host, uint8_t filetype, uint64_t rights,
                      uint64_t inheriting, uint32_t *out)
{
    uint32_t fd = 0;
    while (fd < w->nfds && w->fds[fd].used)
        fd++;
    if (fd >= KWASI_MAX_FDS) {
        close(host);
        return KWASI_EMFILE;
    }
    if (fd == w->nfds) {
        /* Doubling keeps appends amortized; the table never shrinks. */
        uint32_t cap = 1;
        while (cap <= fd)
            cap *= 2;
        kwasi_fd *fds = kite_realloc(w->fds, (size_t)cap * sizeof(kwasi_fd));
        if (!fds) {
            close(host);
            return KWASI_ENOMEM;
        }
        memset(fds + w->nfds, 0, (size_t)(cap - w->nfds) * sizeof(kwasi_fd));
        w->fds = fds;
        w->nfds = fd + 1;
    }
    kwasi_fd *f = &w->fds[fd];
    memset(f, 0, sizeof(*f));
    f->used = true;
    f->kind = KWASI_FD_HOST;
    f->host = host;
    f->filetype = filetype;
    f->rights = rights;
    f->inheriting = inheriting;
    *out = fd;
    return KWASI_ESUCCESS;
}

void kwasi_fd_release(kwasi_fd *f)
{
    if (f->dir)
        closedir(f->dir);
    if (f->kind == KWASI_FD_HOST && f->host >= 0)
        close(f->host);
    kite_free(f->preopen);
    memset(f, 0, sizeof(*f));
}

uint16_t kwasi_fdt_close(kite_wasi_t *w, uint32_t fd)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(w, fd, 0, &f);
    if (e)
        return e;
    kwasi_fd_release(f);
    return KWASI_ESUCCESS;
}

/* Moves `from` onto `to`, closing what `to` was; both must be open (as in
 * other runtimes: the guest cannot make up descriptor numbers). */
uint16_t kwasi_fdt_renumber(kite_wasi_t *w, uint32_t from, uint32_t to)
{
    kwasi_fd *f, *t;
    uint16_t e = kwasi_fd_get(w, from, 0, &f);
    if (!e)
        e = kwasi_fd_get(w, to, 0, &t);
    if (e || from == to)
        return e;
    kwasi_fd_release(t);
    *t = *f;
    memset(f, 0, sizeof(*f));
    return KWASI_ESUCCESS;
}
