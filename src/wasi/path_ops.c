/*
 * path_* calls. Each resolves its path(s) with kwasi_resolve (the sandbox)
 * and then acts on the last component with a *at() call that never follows
 * a symbolic link itself.
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

/* A directory descriptor with `rights`. */
static uint16_t dir_fd(kwasi_call *c, uint32_t fd, uint64_t rights, kwasi_fd **out)
{
    uint16_t e = kwasi_fd_get(c, fd, rights, out);
    if (e)
        return e;
    if ((*out)->kind != KWASI_FD_HOST || (*out)->filetype != KWASI_FT_DIRECTORY)
        return KWASI_ENOTDIR;
    return KWASI_ESUCCESS;
}

/* Resolves path argument pair (ptr, len) of args at `at`, beneath fd. */
static uint16_t resolve_arg(kwasi_call *c, const kwasi_fd *dir, const kite_val_t *args, int at,
                            bool follow, kwasi_path *p)
{
    return kwasi_resolve(c, dir->host, KWASI_U32(args, at), KWASI_U32(args, at + 1), follow, p);
}

/* What a trailing slash demands: the object must be a directory. */
static uint16_t must_be_dir(const kwasi_path *p)
{
    struct stat st;
    if (fstatat(p->dirfd, p->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return kwasi_errno(errno);
    return S_ISDIR(st.st_mode) ? KWASI_ESUCCESS : KWASI_ENOTDIR;
}

static uint16_t result(int r) { return r == 0 ? KWASI_ESUCCESS : kwasi_errno(errno); }

/* ---- open -------------------------------------------------------------------------- */

static int host_open_flags(uint32_t oflags, uint32_t fdflags, uint64_t rights, bool slash)
{
    int fl = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    bool rd = rights & (KWASI_R_FD_READ | KWASI_R_FD_READDIR);
    bool wr = rights & (KWASI_R_FD_WRITE | KWASI_R_FD_ALLOCATE | KWASI_R_FD_FILESTAT_SET_SIZE);
    /* A directory opened for writing fails with EISDIR, as on the host. */
    if (oflags & KWASI_O_DIRECTORY || slash)
        fl |= O_DIRECTORY;
    fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & KWASI_O_CREAT)
        fl |= O_CREAT;
    if (oflags & KWASI_O_EXCL)
        fl |= O_EXCL;
    if (oflags & KWASI_O_TRUNC)
        fl |= O_TRUNC;
    if (fdflags & KWASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (fdflags & KWASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
#if defined(O_DSYNC)
    if (fdflags & KWASI_FDFLAG_DSYNC)
        fl |= O_DSYNC;
#endif
#if defined(O_RSYNC)
    if (fdflags & KWASI_FDFLAG_RSYNC)
        fl |= O_RSYNC;
#endif
    if (fdflags & KWASI_FDFLAG_SYNC)
        fl |= O_SYNC;
    return fl;
}

uint16_t kwasi_path_open(kwasi_call *c, const kite_val_t *args)
{
    uint32_t dirflags = KWASI_U32(args, 1), oflags = KWASI_U32(args, 4);
    uint64_t base = KWASI_U64(args, 5), inheriting = KWASI_U64(args, 6);
    uint32_t fdflags = KWASI_U32(args, 7), out = KWASI_U32(args, 8);
    uint64_t need = KWASI_R_PATH_OPEN;
    if (oflags & KWASI_O_CREAT)
        need |= KWASI_R_PATH_CREATE_FILE;
    if (oflags & KWASI_O_TRUNC)
        need |= KWASI_R_PATH_FILESTAT_SET_SIZE;
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), need, &dir);
    if (e)
        return e;
    if (oflags & ~0xFu || fdflags & ~0x1Fu)
        return KWASI_EINVAL;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 4))
        return KWASI_EFAULT;
    /* O_CREAT|O_EXCL never follows a link in the last component (POSIX). */
    bool excl = (oflags & (KWASI_O_CREAT | KWASI_O_EXCL)) == (KWASI_O_CREAT | KWASI_O_EXCL);
    bool follow = dirflags & KWASI_LOOKUP_SYMLINK_FOLLOW && !excl;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 2, follow, &p);
    if (e)
        return e;
    /* The new descriptor gets what it asks for, as far as the directory may pass on. */
    uint64_t rights = base & dir->inheriting, inh = inheriting & dir->inheriting;
    int h = openat(p.dirfd, p.name, host_open_flags(oflags, fdflags, rights, p.slash), 0666);
    int err = errno;
    kwasi_path_free(&p);
    if (h < 0)
        return kwasi_errno(err);
    bool tty;
    uint8_t type = kwasi_host_filetype(h, &tty);
    if (type == KWASI_FT_DIRECTORY) {
        rights &= KWASI_RIGHTS_DIR;
    } else {
        rights &= type == KWASI_FT_SOCKET_STREAM || type == KWASI_FT_SOCKET_DGRAM
                      ? KWASI_RIGHTS_SOCKET
                      : KWASI_RIGHTS_FILE;
        inh = 0;
    }
    uint32_t fd;
    e = kwasi_fd_add(c->wasi, h, type, rights, inh, &fd);
    if (!e)
        kwasi_st32(c, out, fd);
    return e;
}

/* ---- directories ---------------------------------------------------------------------- */

uint16_t kwasi_path_create_directory(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_CREATE_DIRECTORY, &dir);
    if (e)
        return e;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 1, false, &p);
    if (e)
        return e;
    e = result(mkdirat(p.dirfd, p.name, 0777));
    kwasi_path_free(&p);
    return e;
}

uint16_t kwasi_path_remove_directory(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_REMOVE_DIRECTORY, &dir);
    if (e)
        return e;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 1, false, &p);
    if (e)
        return e;
    e = result(unlinkat(p.dirfd, p.name, AT_REMOVEDIR));
    kwasi_path_free(&p);
    return e;
}

uint16_t kwasi_path_unlink_file(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_UNLINK_FILE, &dir);
    if (e)
        return e;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 1, false, &p);
    if (e)
        return e;
    struct stat st;
    if (p.slash) {
        /* "file/" names no file; "dir/" is a directory, not for unlink. */
        e = fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) != 0 ? kwasi_errno(errno)
            : S_ISDIR(st.st_mode)                                 ? KWASI_EISDIR
                                                                  : KWASI_ENOTDIR;
    } else if (unlinkat(p.dirfd, p.name, 0) != 0) {
        e = kwasi_errno(errno);
        /* Some systems say EPERM for a directory; WASI programs expect EISDIR. */
        if (e == KWASI_EPERM && fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(st.st_mode))
            e = KWASI_EISDIR;
    }
    kwasi_path_free(&p);
    return e;
}

/* ---- attributes ------------------------------------------------------------------------- */

uint16_t kwasi_path_filestat_get(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_FILESTAT_GET, &dir);
    if (e)
        return e;
    uint32_t out = KWASI_U32(args, 4);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 64))
        return KWASI_EFAULT;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 2, KWASI_U32(args, 1) & KWASI_LOOKUP_SYMLINK_FOLLOW, &p);
    if (e)
        return e;
    struct stat st;
    if (fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        e = kwasi_errno(errno);
    else if (p.slash && !S_ISDIR(st.st_mode))
        e = KWASI_ENOTDIR;
    else
        e = kwasi_put_filestat(c, out, &st);
    kwasi_path_free(&p);
    return e;
}

uint16_t kwasi_path_filestat_set_times(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_FILESTAT_SET_TIMES, &dir);
    if (e)
        return e;
    struct timespec ts[2];
    e = kwasi_times(KWASI_U64(args, 4), KWASI_U64(args, 5), KWASI_U32(args, 6), ts);
    if (e)
        return e;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 2, KWASI_U32(args, 1) & KWASI_LOOKUP_SYMLINK_FOLLOW, &p);
    if (e)
        return e;
    e = p.slash ? must_be_dir(&p) : KWASI_ESUCCESS;
    if (!e)
        e = result(utimensat(p.dirfd, p.name, ts, AT_SYMLINK_NOFOLLOW));
    kwasi_path_free(&p);
    return e;
}

/* ---- links and renames --------------------------------------------------------------------- */

uint16_t kwasi_path_link(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *from, *to;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_LINK_SOURCE, &from);
    if (!e)
        e = dir_fd(c, KWASI_U32(args, 4), KWASI_R_PATH_LINK_TARGET, &to);
    if (e)
        return e;
    kwasi_path old, new_;
    e = resolve_arg(c, from, args, 2, KWASI_U32(args, 1) & KWASI_LOOKUP_SYMLINK_FOLLOW, &old);
    if (e)
        return e;
    e = resolve_arg(c, to, args, 5, false, &new_);
    if (e) {
        kwasi_path_free(&old);
        return e;
    }
    /* The errors in the order Linux finds them: the source ("file/" is no
     * file), then the new name (a trailing slash there can only name an
     * existing object, EEXIST, since a link is never a directory; else
     * ENOENT), then the link itself (EPERM for a directory). */
    struct stat st;
    if (old.slash)
        e = must_be_dir(&old);
    else if (new_.slash && fstatat(old.dirfd, old.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        e = kwasi_errno(errno);
    if (!e && new_.slash)
        e = fstatat(new_.dirfd, new_.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? KWASI_EEXIST
            : errno == ENOENT                                              ? KWASI_ENOENT
                                                                           : kwasi_errno(errno);
    if (!e)
        e = result(linkat(old.dirfd, old.name, new_.dirfd, new_.name, 0));
    kwasi_path_free(&old);
    kwasi_path_free(&new_);
    return e;
}

uint16_t kwasi_path_rename(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *from, *to;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_RENAME_SOURCE, &from);
    if (!e)
        e = dir_fd(c, KWASI_U32(args, 3), KWASI_R_PATH_RENAME_TARGET, &to);
    if (e)
        return e;
    kwasi_path old, new_;
    e = resolve_arg(c, from, args, 1, false, &old);
    if (e)
        return e;
    e = resolve_arg(c, to, args, 4, false, &new_);
    if (e) {
        kwasi_path_free(&old);
        return e;
    }
    if (old.slash || new_.slash)
        e = must_be_dir(&old);
    if (!e)
        e = result(renameat(old.dirfd, old.name, new_.dirfd, new_.name));
    kwasi_path_free(&old);
    kwasi_path_free(&new_);
    return e;
}

uint16_t kwasi_path_symlink(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 2), KWASI_R_PATH_SYMLINK, &dir);
    if (e)
        return e;
    char *target;
    e = kwasi_string(c, KWASI_U32(args, 0), KWASI_U32(args, 1), &target);
    if (e)
        return e;
    /* A link the guest could never follow, but the host's tools would. */
    if (target[0] == '/') {
        kutil_free(&c->wasi->alloc, target);
        return KWASI_ENOTCAPABLE;
    }
    kwasi_path p;
    e = resolve_arg(c, dir, args, 3, false, &p);
    if (!e) {
        struct stat st;
        if (p.slash)
            e = fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? KWASI_EEXIST
                                                                        : KWASI_ENOENT;
        else
            e = result(symlinkat(target, p.dirfd, p.name));
        kwasi_path_free(&p);
    }
    kutil_free(&c->wasi->alloc, target);
    return e;
}

uint16_t kwasi_path_readlink(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *dir;
    uint16_t e = dir_fd(c, KWASI_U32(args, 0), KWASI_R_PATH_READLINK, &dir);
    if (e)
        return e;
    uint32_t buf = KWASI_U32(args, 3), len = KWASI_U32(args, 4), out = KWASI_U32(args, 5);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, buf, len) || !kwasi_in(c, out, 4))
        return KWASI_EFAULT;
    kwasi_path p;
    e = resolve_arg(c, dir, args, 1, false, &p);
    if (e)
        return e;
    char target[4097];
    ssize_t n = readlinkat(p.dirfd, p.name, target, sizeof(target));
    int err = errno;
    kwasi_path_free(&p);
    if (n < 0)
        return kwasi_errno(err);
    /* Cut to the buffer, as readlink(2) does. */
    uint32_t m = (size_t)n < len ? (uint32_t)n : len;
    if (m)
        memcpy(c->mem + buf, target, m);
    kwasi_st32(c, out, m);
    return KWASI_ESUCCESS;
}
