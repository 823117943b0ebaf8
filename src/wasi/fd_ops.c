/* fd_* calls: reading, writing, seeking, syncing and describing descriptors. */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/alloc.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
#define KWASI_IOV_MAX (IOV_MAX < 1024 ? IOV_MAX : 1024)

#if defined(__APPLE__)
#define KWASI_ATIM(st) ((st)->st_atimespec)
#define KWASI_MTIM(st) ((st)->st_mtimespec)
#define KWASI_CTIM(st) ((st)->st_ctimespec)
#else
#define KWASI_ATIM(st) ((st)->st_atim)
#define KWASI_MTIM(st) ((st)->st_mtim)
#define KWASI_CTIM(st) ((st)->st_ctim)
#endif

/* ---- iovecs --------------------------------------------------------------------- */

/* Checks a guest iovec array and makes host iovecs of its non-empty
 * buffers: at most KWASI_IOV_MAX of them and UINT32_MAX bytes in all (the
 * guest's count is 32-bit), which a short read or write allows. */
uint16_t kwasi_iovs_get(kwasi_call *c, uint32_t ptr, uint32_t count, kwasi_iovs *out)
{
    out->alloc = &c->wasi->alloc;
    out->v = out->small;
    out->n = 0;
    out->total = 0;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, ptr, (uint64_t)count * 8))
        return KWASI_EFAULT;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t buf = kwasi_ld32(c, ptr + i * 8), len = kwasi_ld32(c, ptr + i * 8 + 4);
        if (!kwasi_in(c, buf, len))
            return KWASI_EFAULT;
        if (!len || out->n == KWASI_IOV_MAX || out->total == UINT32_MAX)
            continue;
        if (len > UINT32_MAX - out->total)
            len = (uint32_t)(UINT32_MAX - out->total);
        if (out->v == out->small && out->n == KWASI_IOVS_SMALL) {
            struct iovec *v = kutil_malloc(out->alloc, KWASI_IOV_MAX * sizeof(struct iovec));
            if (!v)
                return KWASI_ENOMEM;
            memcpy(v, out->small, sizeof(out->small));
            out->v = v;
        }
        out->v[out->n].iov_base = c->mem + buf;
        out->v[out->n].iov_len = len;
        out->n++;
        out->total += len;
    }
    return KWASI_ESUCCESS;
}

void kwasi_iovs_free(kwasi_iovs *v)
{
    if (v->v != v->small)
        kutil_free(v->alloc, v->v);
}

/* Reads from the stdin bytes into the iovecs. */
static uint32_t buf_read(kwasi_buf *b, const kwasi_iovs *v)
{
    uint32_t done = 0;
    for (int i = 0; i < v->n && b->pos < b->len; i++) {
        size_t n = v->v[i].iov_len;
        if (n > b->len - b->pos)
            n = b->len - b->pos;
        memcpy(v->v[i].iov_base, b->data + b->pos, n);
        b->pos += n;
        done += (uint32_t)n;
    }
    return done;
}

/* Appends the iovecs to a capture buffer. */
static uint16_t buf_write(const kite_allocator_t *a, kwasi_buf *b, const kwasi_iovs *v,
                          uint32_t *done)
{
    *done = 0;
    if (v->total > b->max - b->len)
        return KWASI_ENOSPC;
    if (b->len + v->total > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + v->total)
            cap = cap > SIZE_MAX / 2 ? b->len + v->total : cap * 2;
        uint8_t *p = kutil_realloc(a, b->data, cap);
        if (!p)
            return KWASI_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    for (int i = 0; i < v->n; i++) {
        memcpy(b->data + b->len, v->v[i].iov_base, v->v[i].iov_len);
        b->len += v->v[i].iov_len;
    }
    *done = (uint32_t)v->total;
    return KWASI_ESUCCESS;
}

/* ---- read and write ---------------------------------------------------------------- */

#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#define kwasi_preadv preadv
#define kwasi_pwritev pwritev
#else
/* One buffer at a time, stopping at the first short transfer. */
static ssize_t positioned(int fd, const struct iovec *v, int n, off_t off, bool write)
{
    ssize_t done = 0;
    for (int i = 0; i < n; i++) {
        ssize_t r = write ? pwrite(fd, v[i].iov_base, v[i].iov_len, off + done)
                          : pread(fd, v[i].iov_base, v[i].iov_len, off + done);
        if (r < 0)
            return done ? done : -1;
        done += r;
        if ((size_t)r < v[i].iov_len)
            break;
    }
    return done;
}
static ssize_t kwasi_preadv(int fd, const struct iovec *v, int n, off_t off)
{
    return positioned(fd, v, n, off, false);
}
static ssize_t kwasi_pwritev(int fd, const struct iovec *v, int n, off_t off)
{
    return positioned(fd, v, n, off, true);
}
#endif

/* Reads (write=false) or writes through descriptor fd; offset < 0: at the
 * current position. The count goes to out (checked first, so that data is
 * never consumed without the guest learning how much). */
static uint16_t transfer(kwasi_call *c, uint32_t fd, uint32_t iovs, uint32_t n, int64_t offset,
                         bool write, uint32_t out)
{
    kwasi_fd *f;
    uint64_t need = (write ? KWASI_R_FD_WRITE : KWASI_R_FD_READ) | (offset >= 0 ? KWASI_R_FD_SEEK : 0);
    uint16_t e = kwasi_fd_get(c, fd, need, &f);
    if (e)
        return e;
    kwasi_iovs v;
    e = kwasi_iovs_get(c, iovs, n, &v);
    if (!e && !kwasi_in(c, out, 4))
        e = KWASI_EFAULT;
    if (e) {
        kwasi_iovs_free(&v);
        return e;
    }
    uint32_t done = 0;
    if (offset >= 0 && kwasi_is_stream(f)) {
        e = KWASI_ESPIPE;
    } else if (f->kind != KWASI_FD_HOST) {
        pthread_mutex_lock(&c->wasi->lock);
        if (write)
            e = buf_write(&c->wasi->alloc, &c->wasi->bufs[f->stream], &v, &done);
        else
            done = buf_read(&c->wasi->bufs[f->stream], &v);
        pthread_mutex_unlock(&c->wasi->lock);
    } else if (v.n > 0) {
        ssize_t r;
        do {
            if (offset >= 0)
                r = write ? kwasi_pwritev(f->host, v.v, v.n, offset)
                          : kwasi_preadv(f->host, v.v, v.n, offset);
            else if (write && (f->filetype == KWASI_FT_SOCKET_STREAM ||
                               f->filetype == KWASI_FT_SOCKET_DGRAM))
                r = kwasi_send(f->host, &v); /* EPIPE rather than SIGPIPE */
            else
                r = write ? writev(f->host, v.v, v.n) : readv(f->host, v.v, v.n);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            e = kwasi_errno(errno);
        else
            done = (uint32_t)r;
    }
    kwasi_iovs_free(&v);
    if (!e)
        kwasi_st32(c, out, done);
    return e;
}

uint16_t kwasi_fd_read(kwasi_call *c, const kite_val_t *args)
{
    return transfer(c, KWASI_U32(args, 0), KWASI_U32(args, 1), KWASI_U32(args, 2), -1, false,
                    KWASI_U32(args, 3));
}

uint16_t kwasi_fd_write(kwasi_call *c, const kite_val_t *args)
{
    return transfer(c, KWASI_U32(args, 0), KWASI_U32(args, 1), KWASI_U32(args, 2), -1, true,
                    KWASI_U32(args, 3));
}

uint16_t kwasi_fd_pread(kwasi_call *c, const kite_val_t *args)
{
    uint64_t off = KWASI_U64(args, 3);
    if (off > INT64_MAX)
        return KWASI_EINVAL;
    return transfer(c, KWASI_U32(args, 0), KWASI_U32(args, 1), KWASI_U32(args, 2), (int64_t)off,
                    false, KWASI_U32(args, 4));
}

uint16_t kwasi_fd_pwrite(kwasi_call *c, const kite_val_t *args)
{
    uint64_t off = KWASI_U64(args, 3);
    if (off > INT64_MAX)
        return KWASI_EINVAL;
    return transfer(c, KWASI_U32(args, 0), KWASI_U32(args, 1), KWASI_U32(args, 2), (int64_t)off,
                    true, KWASI_U32(args, 4));
}

/* ---- position ------------------------------------------------------------------------ */

uint16_t kwasi_fd_seek(kwasi_call *c, const kite_val_t *args)
{
    uint32_t fd = KWASI_U32(args, 0), whence = KWASI_U32(args, 2), out = KWASI_U32(args, 3);
    int64_t off = args[1].of.i64;
    if (whence > 2)
        return KWASI_EINVAL;
    /* Asking where we are needs only the tell right. */
    uint64_t need = whence == 1 && off == 0 ? KWASI_R_FD_TELL : KWASI_R_FD_SEEK;
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, fd, need, &f);
    if (e)
        return e;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 8))
        return KWASI_EFAULT;
    if (kwasi_is_stream(f))
        return KWASI_ESPIPE;
    static const int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    off_t pos = lseek(f->host, (off_t)off, host_whence[whence]);
    if (pos < 0)
        return kwasi_errno(errno);
    kwasi_st64(c, out, (uint64_t)pos);
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_tell(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), KWASI_R_FD_TELL, &f);
    if (e)
        return e;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, KWASI_U32(args, 1), 8))
        return KWASI_EFAULT;
    if (kwasi_is_stream(f))
        return KWASI_ESPIPE;
    off_t pos = lseek(f->host, 0, SEEK_CUR);
    if (pos < 0)
        return kwasi_errno(errno);
    kwasi_st64(c, KWASI_U32(args, 1), (uint64_t)pos);
    return KWASI_ESUCCESS;
}

/* ---- sync, advise, allocate ------------------------------------------------------------- */

/* The host descriptor of a file (not a stream, which gives `on_stream`:
 * see kwasi_is_stream for which errno each call gives). */
static uint16_t file_fd(kwasi_call *c, uint32_t fd, uint64_t rights, uint16_t on_stream, int *out)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, fd, rights, &f);
    if (e)
        return e;
    if (kwasi_is_stream(f))
        return on_stream;
    *out = f->host;
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_sync(kwasi_call *c, const kite_val_t *args)
{
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_SYNC, KWASI_EINVAL, &h);
    if (e)
        return e;
    return fsync(h) == 0 ? KWASI_ESUCCESS : kwasi_errno(errno);
}

uint16_t kwasi_fd_datasync(kwasi_call *c, const kite_val_t *args)
{
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_DATASYNC, KWASI_EINVAL, &h);
    if (e)
        return e;
#if defined(__APPLE__)
    int r = fsync(h);
#else
    int r = fdatasync(h);
#endif
    return r == 0 ? KWASI_ESUCCESS : kwasi_errno(errno);
}

uint16_t kwasi_fd_advise(kwasi_call *c, const kite_val_t *args)
{
    uint64_t off = KWASI_U64(args, 1), len = KWASI_U64(args, 2);
    uint32_t advice = KWASI_U32(args, 3);
    if (advice > 5)
        return KWASI_EINVAL;
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_ADVISE, KWASI_ESPIPE, &h);
    if (e)
        return e;
    if (off > INT64_MAX || len > INT64_MAX)
        return KWASI_EINVAL;
#if defined(__linux__)
    static const int host_advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                      POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                      POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    return kwasi_errno(posix_fadvise(h, (off_t)off, (off_t)len, host_advice[advice]));
#else
    return KWASI_ESUCCESS; /* advice only */
#endif
}

uint16_t kwasi_fd_allocate(kwasi_call *c, const kite_val_t *args)
{
    uint64_t off = KWASI_U64(args, 1), len = KWASI_U64(args, 2);
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_ALLOCATE, KWASI_ESPIPE, &h);
    if (e)
        return e;
    if (off > INT64_MAX || len > INT64_MAX - off)
        return KWASI_EFBIG;
    if (len == 0)
        return KWASI_EINVAL;
    int r = EOPNOTSUPP;
#if defined(__linux__)
    r = posix_fallocate(h, (off_t)off, (off_t)len);
#endif
    if (r == EOPNOTSUPP || r == ENOSYS) {
        /* A file system without preallocation: at least make the size. */
        struct stat st;
        if (fstat(h, &st) != 0)
            return kwasi_errno(errno);
        if (!S_ISREG(st.st_mode))
            return KWASI_ENODEV;
        r = (uint64_t)st.st_size < off + len && ftruncate(h, (off_t)(off + len)) != 0 ? errno : 0;
    }
    return kwasi_errno(r);
}

/* ---- descriptor state ------------------------------------------------------------------- */

uint16_t kwasi_fd_close(kwasi_call *c, const kite_val_t *args)
{
    return kwasi_fdt_close(c->wasi, KWASI_U32(args, 0));
}

uint16_t kwasi_fd_renumber(kwasi_call *c, const kite_val_t *args)
{
    return kwasi_fdt_renumber(c->wasi, KWASI_U32(args, 0), KWASI_U32(args, 1));
}

static uint16_t host_fdflags(int fl)
{
    uint16_t flags = 0;
    if (fl & O_APPEND)
        flags |= KWASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK)
        flags |= KWASI_FDFLAG_NONBLOCK;
#if defined(O_SYNC)
    if ((fl & O_SYNC) == O_SYNC)
        flags |= KWASI_FDFLAG_SYNC;
    else
#endif
#if defined(O_DSYNC)
        if (fl & O_DSYNC)
        flags |= KWASI_FDFLAG_DSYNC;
#endif
    return flags;
}

uint16_t kwasi_fd_fdstat_get(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), 0, &f);
    if (e)
        return e;
    uint32_t out = KWASI_U32(args, 1);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 24))
        return KWASI_EFAULT;
    pthread_mutex_lock(&c->wasi->lock);
    uint16_t flags = f->flags, own = f->flags;
    uint64_t rights = f->rights, inheriting = f->inheriting;
    pthread_mutex_unlock(&c->wasi->lock);
    if (f->kind == KWASI_FD_HOST) {
        int fl = fcntl(f->host, F_GETFL);
        if (fl < 0)
            return kwasi_errno(errno);
        flags = host_fdflags(fl);
        if (f->host_stream)
            flags = (uint16_t)((flags & ~KWASI_FDFLAG_APPEND) | own);
    }
    memset(c->mem + out, 0, 24);
    c->mem[out] = f->filetype;
    kwasi_st16(c, out + 2, flags);
    kwasi_st64(c, out + 8, rights);
    kwasi_st64(c, out + 16, inheriting);
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_fdstat_set_flags(kwasi_call *c, const kite_val_t *args)
{
    uint32_t flags = KWASI_U32(args, 1);
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), KWASI_R_FD_FDSTAT_SET_FLAGS, &f);
    if (e)
        return e;
    if (flags & ~0x1Fu)
        return KWASI_EINVAL;
    /* POSIX systems cannot switch synchronized I/O on an open descriptor. */
    if (flags & (KWASI_FDFLAG_DSYNC | KWASI_FDFLAG_RSYNC | KWASI_FDFLAG_SYNC))
        return KWASI_ENOTSUP;
    if (f->kind != KWASI_FD_HOST) {
        pthread_mutex_lock(&c->wasi->lock);
        f->flags = (uint16_t)flags;
        pthread_mutex_unlock(&c->wasi->lock);
        return KWASI_ESUCCESS;
    }
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return kwasi_errno(errno);
    /* A stream appends whatever the guest says (its APPEND is its own);
     * the host description's O_APPEND stays as it is. */
    int change = f->host_stream ? O_NONBLOCK : O_APPEND | O_NONBLOCK;
    fl &= ~change;
    if (flags & KWASI_FDFLAG_APPEND)
        fl |= O_APPEND & change;
    if (flags & KWASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    if (fcntl(f->host, F_SETFL, fl) != 0)
        return kwasi_errno(errno);
    if (f->host_stream) {
        pthread_mutex_lock(&c->wasi->lock);
        f->flags = (uint16_t)(flags & KWASI_FDFLAG_APPEND);
        pthread_mutex_unlock(&c->wasi->lock);
    }
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_fdstat_set_rights(kwasi_call *c, const kite_val_t *args)
{
    uint64_t base = KWASI_U64(args, 1), inheriting = KWASI_U64(args, 2);
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), 0, &f);
    if (e)
        return e;
    /* Rights can only be dropped. Under the lock: kwasi_fd_get reads them. */
    pthread_mutex_lock(&c->wasi->lock);
    bool ok = !(base & ~f->rights) && !(inheriting & ~f->inheriting);
    if (ok) {
        f->rights = base;
        f->inheriting = inheriting;
    }
    pthread_mutex_unlock(&c->wasi->lock);
    return ok ? KWASI_ESUCCESS : KWASI_ENOTCAPABLE;
}

/* ---- file attributes ------------------------------------------------------------------------ */

static uint8_t mode_filetype(mode_t m)
{
    if (S_ISREG(m))
        return KWASI_FT_REGULAR_FILE;
    if (S_ISDIR(m))
        return KWASI_FT_DIRECTORY;
    if (S_ISCHR(m))
        return KWASI_FT_CHARACTER_DEVICE;
    if (S_ISBLK(m))
        return KWASI_FT_BLOCK_DEVICE;
    if (S_ISLNK(m))
        return KWASI_FT_SYMBOLIC_LINK;
    if (S_ISSOCK(m))
        return KWASI_FT_SOCKET_STREAM;
    return KWASI_FT_UNKNOWN;
}

uint16_t kwasi_put_filestat(kwasi_call *c, uint32_t out, const struct stat *st)
{
    if (!kwasi_in(c, out, 64))
        return KWASI_EFAULT;
    memset(c->mem + out, 0, 64);
    kwasi_st64(c, out, (uint64_t)st->st_dev);
    kwasi_st64(c, out + 8, (uint64_t)st->st_ino);
    c->mem[out + 16] = mode_filetype(st->st_mode);
    kwasi_st64(c, out + 24, (uint64_t)st->st_nlink);
    kwasi_st64(c, out + 32, st->st_size > 0 ? (uint64_t)st->st_size : 0);
    kwasi_st64(c, out + 40, kwasi_ts_ns(&KWASI_ATIM(st)));
    kwasi_st64(c, out + 48, kwasi_ts_ns(&KWASI_MTIM(st)));
    kwasi_st64(c, out + 56, kwasi_ts_ns(&KWASI_CTIM(st)));
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_filestat_get(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), KWASI_R_FD_FILESTAT_GET, &f);
    if (e)
        return e;
    uint32_t out = KWASI_U32(args, 1);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (f->kind != KWASI_FD_HOST) {
        if (!kwasi_in(c, out, 64))
            return KWASI_EFAULT;
        memset(c->mem + out, 0, 64);
        c->mem[out + 16] = f->filetype;
        kwasi_st64(c, out + 24, 1);
        return KWASI_ESUCCESS;
    }
    struct stat st;
    if (fstat(f->host, &st) != 0)
        return kwasi_errno(errno);
    uint16_t r = kwasi_put_filestat(c, out, &st);
    /* A socket's kind comes from its type, which stat does not tell; a
     * stream is what it was made as, and has no size. */
    if (!r && (f->host_stream || f->filetype == KWASI_FT_SOCKET_DGRAM ||
               f->filetype == KWASI_FT_SOCKET_STREAM))
        c->mem[out + 16] = f->filetype;
    if (!r && f->host_stream)
        kwasi_st64(c, out + 32, 0);
    return r;
}

uint16_t kwasi_fd_filestat_set_size(kwasi_call *c, const kite_val_t *args)
{
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_FILESTAT_SET_SIZE, KWASI_EINVAL, &h);
    if (e)
        return e;
    uint64_t size = KWASI_U64(args, 1);
    if (size > INT64_MAX)
        return KWASI_EINVAL;
    return ftruncate(h, (off_t)size) == 0 ? KWASI_ESUCCESS : kwasi_errno(errno);
}

uint16_t kwasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
    if (fst & ~0xFu)
        return KWASI_EINVAL;
    if ((fst & KWASI_FST_ATIM && fst & KWASI_FST_ATIM_NOW) ||
        (fst & KWASI_FST_MTIM && fst & KWASI_FST_MTIM_NOW))
        return KWASI_EINVAL;
    uint64_t t[2] = {atim, mtim};
    uint32_t set[2] = {KWASI_FST_ATIM, KWASI_FST_MTIM}, now[2] = {KWASI_FST_ATIM_NOW,
                                                                  KWASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        ts[i].tv_sec = 0;
        if (fst & set[i]) {
            ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
            ts[i].tv_nsec = (long)(t[i] % 1000000000u);
        } else {
            ts[i].tv_nsec = fst & now[i] ? UTIME_NOW : UTIME_OMIT;
        }
    }
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_filestat_set_times(kwasi_call *c, const kite_val_t *args)
{
    int h;
    uint16_t e = file_fd(c, KWASI_U32(args, 0), KWASI_R_FD_FILESTAT_SET_TIMES, KWASI_ESPIPE, &h);
    if (e)
        return e;
    struct timespec ts[2];
    e = kwasi_times(KWASI_U64(args, 1), KWASI_U64(args, 2), KWASI_U32(args, 3), ts);
    if (e)
        return e;
    return futimens(h, ts) == 0 ? KWASI_ESUCCESS : kwasi_errno(errno);
}

/* ---- pre-opened directories ---------------------------------------------------------------------- */

uint16_t kwasi_fd_prestat_get(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), 0, &f);
    if (e)
        return e;
    if (!f->preopen)
        return KWASI_EBADF;
    uint32_t out = KWASI_U32(args, 1);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 8))
        return KWASI_EFAULT;
    memset(c->mem + out, 0, 8); /* tag 0: a directory */
    kwasi_st32(c, out + 4, (uint32_t)f->preopen_len);
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_prestat_dir_name(kwasi_call *c, const kite_val_t *args)
{
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), 0, &f);
    if (e)
        return e;
    if (!f->preopen)
        return KWASI_EBADF;
    uint32_t buf = KWASI_U32(args, 1), len = KWASI_U32(args, 2);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, buf, len))
        return KWASI_EFAULT;
    if (len < f->preopen_len)
        return KWASI_ENAMETOOLONG;
    memcpy(c->mem + buf, f->preopen, f->preopen_len);
    return KWASI_ESUCCESS;
}
