/*
 * Sandboxed path resolution: the one place where a guest path becomes a
 * host file, and so the security boundary of WASI.
 *
 * A guest path is resolved beneath a directory descriptor and must never
 * leave it: not through "..", not through an absolute path, not through a
 * symbolic link (absolute, or relative with enough ".."), not through a
 * directory renamed while we walk. The host's absolute paths are never used.
 *
 * Shape of a resolution: the path splits into its directory part and its
 * last component. The directory part is opened beneath the base directory:
 *
 *   - with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) on Linux 5.6+,
 *     where the kernel refuses every escape (EXDEV), races included;
 *   - otherwise component by component from the base: each component is
 *     opened with O_NOFOLLOW relative to the previous directory descriptor;
 *     a symbolic link is read (readlinkat) and its target spliced into the
 *     rest of the path; ".." pops back to the descriptor we came from (the
 *     kernel never sees ".."), and popping past the base is an escape; an
 *     absolute link target is an escape; expansions are bounded (ELOOP).
 *
 * The last component stays a name in that directory, so that each
 * operation acts on it with a *at() call that does not follow links
 * (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW). When the operation follows links, the
 * last component is expanded here first, as many times as needed within the
 * same bound; a link swapped in after that is then not followed, so a race
 * can only make the operation fail, never escape.
 *
 * Escapes are ENOTCAPABLE ("capabilities insufficient").
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "util/alloc.h"

/* Symbolic links expanded in one resolution, as Linux's limit. */
#define KWASI_MAX_LINKS 40
/* Longest guest path, and longest path while expanding links. */
#define KWASI_PATH_MAX 4096
#define KWASI_EXPANDED_MAX 65536
/* Directories held open while walking by hand (".." needs them). */
#define KWASI_MAX_DEPTH 512
/* openat2 may ask to retry (EAGAIN) when a rename races with it. */
#define KWASI_OPENAT2_TRIES 8

#if defined(O_PATH)
#define KWASI_O_DIRSEARCH O_PATH /* search permission suffices */
#elif defined(O_SEARCH)
#define KWASI_O_DIRSEARCH O_SEARCH
#else
#define KWASI_O_DIRSEARCH O_RDONLY
#endif

/* ---- openat2 ------------------------------------------------------------------ */

#if defined(__linux__) && defined(SYS_openat2)
#define KWASI_HAVE_OPENAT2 1
/* struct open_how and the RESOLVE_* flags of <linux/openat2.h>, which older
 * systems lack. */
struct kwasi_open_how {
    uint64_t flags, mode, resolve;
};
#define KWASI_RESOLVE_NO_MAGICLINKS 0x02
#define KWASI_RESOLVE_BENEATH 0x08

static int openat2_beneath(int dirfd, const char *path, int flags)
{
    struct kwasi_open_how how = {(uint64_t)(unsigned)flags, 0,
                                 KWASI_RESOLVE_BENEATH | KWASI_RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}
#endif

bool kwasi_openat2_works(int dirfd)
{
#if defined(KWASI_HAVE_OPENAT2)
    int fd = openat2_beneath(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
#else
    (void)dirfd;
    return false;
#endif
}

/* ---- walking by hand ------------------------------------------------------------ */

typedef struct walk {
    const kite_allocator_t *alloc;
    int *fds; /* fds[0] is the base (not ours), the rest are ours */
    size_t depth, cap;
    char *rest; /* what is left to walk, NUL-terminated, owned */
    int links;  /* expansions left */
} walk;

static int walk_top(const walk *k) { return k->fds[k->depth]; }

static void walk_free(walk *k)
{
    for (size_t i = 1; i <= k->depth; i++)
        close(k->fds[i]);
    kutil_free(k->alloc, k->fds);
    kutil_free(k->alloc, k->rest);
}

/* Replaces k->rest by "target/after". */
static uint16_t splice_rest(const kite_allocator_t *a, char **rest, const char *target, size_t tlen,
                            const char *after)
{
    size_t alen = strlen(after);
    if (tlen + alen + 2 > KWASI_EXPANDED_MAX)
        return KWASI_ENAMETOOLONG;
    char *p = kutil_malloc(a, tlen + alen + 2);
    if (!p)
        return KWASI_ENOMEM;
    memcpy(p, target, tlen);
    p[tlen] = '/';
    memcpy(p + tlen + 1, after, alen + 1);
    kutil_free(a, *rest);
    *rest = p;
    return KWASI_ESUCCESS;
}

/* Reads the link `name` in `dirfd`; its length, or -1 with errno set. */
static ssize_t read_link(int dirfd, const char *name, char *buf, size_t size)
{
    ssize_t n = readlinkat(dirfd, name, buf, size);
    if (n >= 0 && (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return n;
}

/* One link met while walking: its target replaces it in the rest. */
static uint16_t expand_link(const kite_allocator_t *a, int *links, char **rest, const char *target,
                            size_t tlen, const char *after)
{
    if (tlen > 0 && target[0] == '/')
        return KWASI_ENOTCAPABLE;
    if (--*links < 0)
        return KWASI_ELOOP;
    if (tlen == 0)
        return KWASI_ENOENT;
    return splice_rest(a, rest, target, tlen, after);
}

static uint16_t walk_push(walk *k, int fd)
{
    if (k->depth + 1 >= KWASI_MAX_DEPTH) {
        close(fd);
        return KWASI_ENAMETOOLONG;
    }
    if (k->depth + 1 >= k->cap) {
        size_t cap = k->cap * 2;
        int *fds = kutil_realloc(k->alloc, k->fds, cap * sizeof(int));
        if (!fds) {
            close(fd);
            return KWASI_ENOMEM;
        }
        k->fds = fds;
        k->cap = cap;
    }
    k->fds[++k->depth] = fd;
    return KWASI_ESUCCESS;
}

/* One component `comp` of length n, followed by `after`. */
static uint16_t walk_step(walk *k, char *comp, size_t n, const char *after)
{
    if (n == 1 && comp[0] == '.')
        return KWASI_ESUCCESS;
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
        if (k->depth == 0)
            return KWASI_ENOTCAPABLE;
        close(k->fds[k->depth--]);
        return KWASI_ESUCCESS;
    }
    char saved = comp[n];
    comp[n] = 0;
    int fd = openat(walk_top(k), comp, KWASI_O_DIRSEARCH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    if (fd >= 0) {
        comp[n] = saved;
        return walk_push(k, fd);
    }
    /* O_NOFOLLOW met a link (ELOOP; ENOTDIR with O_PATH; EMLINK on BSD):
     * read it and walk its target instead. */
    if (e == ELOOP || e == ENOTDIR || e == EMLINK) {
        char target[KWASI_PATH_MAX + 1];
        ssize_t tl = read_link(walk_top(k), comp, target, sizeof(target));
        if (tl >= 0) {
            comp[n] = saved;
            return expand_link(k->alloc, &k->links, &k->rest, target, (size_t)tl, after);
        }
        if (errno == ENAMETOOLONG)
            e = ENAMETOOLONG;
    }
    comp[n] = saved;
    return kwasi_errno(e);
}

/* Opens directory `path` beneath `base` component by component. */
static uint16_t walk_beneath(const kite_allocator_t *a, int base, const char *path, int *links,
                             int *out)
{
    walk k = {0};
    k.alloc = a;
    k.cap = 16;
    k.fds = kutil_malloc(a, k.cap * sizeof(int));
    size_t plen = strlen(path);
    k.rest = kutil_malloc(a, plen + 1);
    if (!k.fds || !k.rest) {
        walk_free(&k);
        return KWASI_ENOMEM;
    }
    memcpy(k.rest, path, plen + 1);
    k.fds[0] = base;
    k.links = *links;
    uint16_t e = KWASI_ESUCCESS;
    size_t at = 0;
    while (!e) {
        char *r = k.rest;
        while (r[at] == '/')
            at++;
        if (!r[at])
            break;
        size_t n = strcspn(r + at, "/");
        char *comp = r + at;
        at += n;
        char *before = k.rest;
        e = walk_step(&k, comp, n, r + at);
        if (k.rest != before)
            at = 0; /* a link was spliced in: walk the new rest from its start */
    }
    *links = k.links;
    if (!e)
        *out = k.depth == 0 ? base : k.fds[k.depth--]; /* the top is the caller's now */
    walk_free(&k);
    return e;
}

/* ---- opening a directory beneath the base ------------------------------------------- */

/*
 * Opens directory `path` beneath `base`; *out is `base` itself for an empty
 * path (then *owned is false).
 */
static uint16_t open_dir_beneath(kwasi_call *c, int base, const char *path, int *links, int *out,
                                 bool *owned)
{
    *owned = false;
    const char *p = path;
    while (*p == '/')
        p++;
    if (!*p) {
        *out = base;
        return KWASI_ESUCCESS;
    }
#if defined(KWASI_HAVE_OPENAT2)
    if (!c->wasi->no_openat2) {
        for (int i = 0; i < KWASI_OPENAT2_TRIES; i++) {
            int fd = openat2_beneath(base, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                *out = fd;
                *owned = true;
                return KWASI_ESUCCESS;
            }
            if (errno == EXDEV)
                return KWASI_ENOTCAPABLE;
            if (errno != EAGAIN && errno != EINTR)
                return kwasi_errno(errno);
        }
        /* Still racing: the walk below is immune to it. */
    }
#else
    (void)c;
#endif
    int fd = -1;
    uint16_t e = walk_beneath(&c->wasi->alloc, base, path, links, &fd);
    if (!e) {
        *out = fd;
        *owned = fd != base;
    }
    return e;
}

/* ---- the guest path ---------------------------------------------------------------- */

/* Whether s[0..n) is valid UTF-8 (WASI strings are). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t len;
        uint32_t cp;
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

void kwasi_path_free(kwasi_path *p)
{
    if (p->owned && p->dirfd >= 0)
        close(p->dirfd);
    if (p->buf)
        kutil_free(p->alloc, p->buf);
    p->dirfd = -1;
    p->owned = false;
    p->buf = NULL;
    p->name = NULL;
}

uint16_t kwasi_string(kwasi_call *c, uint32_t ptr, uint32_t len, char **out)
{
    *out = NULL;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, ptr, len))
        return KWASI_EFAULT;
    if (len == 0)
        return KWASI_ENOENT;
    if (len > KWASI_PATH_MAX)
        return KWASI_ENAMETOOLONG;
    const uint8_t *src = c->mem + ptr;
    if (memchr(src, 0, len))
        return KWASI_EINVAL;
    if (!valid_utf8(src, len))
        return KWASI_EILSEQ;
    /* Copied, so that the guest cannot change it while we use it. */
    char *buf = kutil_malloc(&c->wasi->alloc, (size_t)len + 1);
    if (!buf)
        return KWASI_ENOMEM;
    memcpy(buf, src, len);
    buf[len] = 0;
    *out = buf;
    return KWASI_ESUCCESS;
}

uint16_t kwasi_resolve(kwasi_call *c, int base, uint32_t ptr, uint32_t len, bool follow,
                       kwasi_path *out)
{
    memset(out, 0, sizeof(*out));
    out->dirfd = -1;
    out->alloc = &c->wasi->alloc;
    char *buf;
    uint16_t err = kwasi_string(c, ptr, len, &buf);
    if (err)
        return err;
    if (buf[0] == '/') {
        kutil_free(out->alloc, buf);
        return KWASI_ENOTCAPABLE;
    }
    int links = KWASI_MAX_LINKS;
    for (;;) {
        /* buf: the whole path; split it into the directory part and the
         * last component, which "." and ".." cannot be: "a/.." names a
         * directory, opened whole, and the operation acts on its ".". */
        size_t n = strlen(buf);
        bool slash = false;
        while (n > 1 && buf[n - 1] == '/') {
            buf[--n] = 0;
            slash = true;
        }
        const char *dir = "";
        char *name = buf;
        char *last = strrchr(buf, '/');
        if (last)
            name = last + 1;
        bool dot = strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
        if (dot) {
            dir = buf;
            name = (char *)".";
        } else if (last) {
            *last = 0;
            dir = buf;
        }
        int dirfd = -1;
        bool owned = false;
        uint16_t e = open_dir_beneath(c, base, dir, &links, &dirfd, &owned);
        if (e) {
            kutil_free(out->alloc, buf);
            return e;
        }
        out->dirfd = dirfd;
        out->owned = owned;
        out->slash = slash;
        out->buf = buf;
        out->name = name;
        if (dot || !(follow || slash))
            return KWASI_ESUCCESS;
        char target[KWASI_PATH_MAX + 1];
        ssize_t tl = read_link(dirfd, name, target, sizeof(target));
        if (tl < 0)
            return KWASI_ESUCCESS; /* not a link (or gone): the operation will say */
        /* A link as the last component: resolve "dir/target[/]" instead. */
        char *next = NULL;
        e = tl > 0 && target[0] == '/' ? KWASI_ENOTCAPABLE
            : --links < 0              ? KWASI_ELOOP
            : tl == 0                  ? KWASI_ENOENT
                                       : KWASI_ESUCCESS;
        size_t dl = strlen(dir);
        if (!e) {
            size_t total = dl + 2 + (size_t)tl;
            if (total > KWASI_EXPANDED_MAX)
                e = KWASI_ENAMETOOLONG;
            else if (!(next = kutil_malloc(out->alloc, total + 1)))
                e = KWASI_ENOMEM;
        }
        if (e) {
            kwasi_path_free(out);
            return e;
        }
        size_t at = 0;
        if (dl) {
            memcpy(next, dir, dl);
            next[dl] = '/';
            at = dl + 1;
        }
        memcpy(next + at, target, (size_t)tl);
        at += (size_t)tl;
        if (slash)
            next[at++] = '/';
        next[at] = 0;
        kwasi_path_free(out);
        buf = next;
    }
}
