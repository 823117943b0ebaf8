/*
 * fd_readdir. A cookie is an entry's index in the directory stream: entry i
 * carries d_next = i + 1, and cookie 0 is the start. The host stream stays
 * open between calls, so reading on from where the last call stopped (the
 * usual case) costs nothing; any other cookie rewinds and skips.
 *
 * Records are packed into the guest's buffer as the witx lays them out
 * (24-byte dirent header, then the name without NUL); the last one may be
 * cut off, which tells the guest to read again with a bigger buffer. An
 * entry cut off is not consumed: the stream is put back before it.
 */
#include "wasi/wasi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KWASI_DIRENT_SIZE 24

static uint8_t dirent_type(DIR *d, const struct dirent *ent)
{
#if defined(DT_UNKNOWN)
    switch (ent->d_type) {
    case DT_REG: return KWASI_FT_REGULAR_FILE;
    case DT_DIR: return KWASI_FT_DIRECTORY;
    case DT_LNK: return KWASI_FT_SYMBOLIC_LINK;
    case DT_CHR: return KWASI_FT_CHARACTER_DEVICE;
    case DT_BLK: return KWASI_FT_BLOCK_DEVICE;
    case DT_SOCK: return KWASI_FT_SOCKET_STREAM;
    case DT_FIFO: return KWASI_FT_UNKNOWN;
    default: break;
    }
#endif
    /* The file system does not say: ask, without following a link. */
    struct stat st;
    if (fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return KWASI_FT_UNKNOWN;
    if (S_ISREG(st.st_mode))
        return KWASI_FT_REGULAR_FILE;
    if (S_ISDIR(st.st_mode))
        return KWASI_FT_DIRECTORY;
    if (S_ISLNK(st.st_mode))
        return KWASI_FT_SYMBOLIC_LINK;
    if (S_ISCHR(st.st_mode))
        return KWASI_FT_CHARACTER_DEVICE;
    if (S_ISBLK(st.st_mode))
        return KWASI_FT_BLOCK_DEVICE;
    if (S_ISSOCK(st.st_mode))
        return KWASI_FT_SOCKET_STREAM;
    return KWASI_FT_UNKNOWN;
}

/* The descriptor's directory stream, positioned at entry `cookie`. */
static uint16_t stream_at(kwasi_fd *f, uint64_t cookie, DIR **out)
{
    if (!f->dir) {
        /* A description of its own, so the guest's descriptor keeps its offset. */
        int fd = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return kwasi_errno(errno);
        f->dir = fdopendir(fd);
        if (!f->dir) {
            int e = errno;
            close(fd);
            return kwasi_errno(e);
        }
        f->dir_pos = 0;
    }
    DIR *d = f->dir;
    if (cookie < f->dir_pos) {
        rewinddir(d);
        f->dir_pos = 0;
    }
    while (f->dir_pos < cookie) {
        errno = 0;
        if (!readdir(d)) {
            if (errno)
                return kwasi_errno(errno);
            break; /* past the end: nothing more to list */
        }
        f->dir_pos++;
    }
    *out = d;
    return KWASI_ESUCCESS;
}

uint16_t kwasi_fd_readdir(kwasi_call *c, const kite_val_t *args)
{
    uint32_t buf = KWASI_U32(args, 1), len = KWASI_U32(args, 2), out = KWASI_U32(args, 4);
    uint64_t cookie = KWASI_U64(args, 3);
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, KWASI_U32(args, 0), KWASI_R_FD_READDIR, &f);
    if (e)
        return e;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, buf, len) || !kwasi_in(c, out, 4))
        return KWASI_EFAULT;
    if (f->kind != KWASI_FD_HOST || f->filetype != KWASI_FT_DIRECTORY)
        return KWASI_ENOTDIR;
    /* The entry's directory stream is one per descriptor: one call at a time. */
    pthread_mutex_lock(&f->dir_lock);
    DIR *d = NULL;
    e = stream_at(f, cookie, &d);
    if (e) {
        pthread_mutex_unlock(&f->dir_lock);
        return e;
    }
    uint32_t used = 0;
    while (used < len) {
        long loc = telldir(d);
        errno = 0;
        struct dirent *ent = readdir(d);
        if (!ent) {
            e = errno ? kwasi_errno(errno) : KWASI_ESUCCESS;
            break;
        }
        size_t namlen = strlen(ent->d_name);
        uint8_t rec[KWASI_DIRENT_SIZE] = {0};
        uint64_t next = f->dir_pos + 1, ino = (uint64_t)ent->d_ino;
        for (int i = 0; i < 8; i++) {
            rec[i] = (uint8_t)(next >> (8 * i));
            rec[8 + i] = (uint8_t)(ino >> (8 * i));
        }
        for (int i = 0; i < 4; i++)
            rec[16 + i] = (uint8_t)(namlen >> (8 * i));
        rec[20] = dirent_type(d, ent);
        uint32_t room = len - used;
        uint32_t n = room < KWASI_DIRENT_SIZE ? room : KWASI_DIRENT_SIZE;
        memcpy(c->mem + buf + used, rec, n);
        used += n;
        room -= n;
        uint32_t m = room < namlen ? room : (uint32_t)namlen;
        memcpy(c->mem + buf + used, ent->d_name, m);
        used += m;
        if (n < KWASI_DIRENT_SIZE || m < namlen) {
            seekdir(d, loc); /* cut off: give it again next time */
            break;
        }
        f->dir_pos++;
    }
    pthread_mutex_unlock(&f->dir_lock);
    if (e)
        return e;
    kwasi_st32(c, out, used);
    return KWASI_ESUCCESS;
}
