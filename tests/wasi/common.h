/*
 * Shared by the WASI test programs: errno names, checks that print one line
 * each (the expected output lists them), and raw imports that take a
 * pointer and a length, so tests can pass what libc never would.
 */
#ifndef KITE_WASI_TEST_COMMON_H
#define KITE_WASI_TEST_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* WASI errno values are wasi-libc's errno values. */
static const char *const errno_names[] = {
    "OK", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN",
    "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED",
    "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST",
    "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
    "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
    "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
    "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
    "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
    "ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO",
    "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
    "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
};

static inline const char *errname(int e)
{
    return e >= 0 && e < (int)(sizeof(errno_names) / sizeof(errno_names[0])) ? errno_names[e]
                                                                            : "E?";
}

static int failures;

/* A libc call that should succeed (cond true); errno is shown when not. */
#define CHECK(cond, what)                                                                     \
    do {                                                                                      \
        if (cond)                                                                             \
            printf("ok %s\n", what);                                                          \
        else {                                                                                \
            printf("FAIL %s (errno %s)\n", what, errname(errno));                              \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

/* A libc call that should fail (cond true means it failed) with errno want. */
#define CHECK_ERRNO(cond, want, what)                                                         \
    do {                                                                                      \
        errno = 0;                                                                            \
        if ((cond) && errno == (want))                                                        \
            printf("ok %s: %s\n", what, errname(want));                                        \
        else {                                                                                \
            printf("FAIL %s: got %s, expected %s\n", what, errname(errno), errname(want));      \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

/* A raw WASI call returning an errno, which should be `want`. */
#define CHECK_WASI(call, want, what)                                                          \
    do {                                                                                      \
        int got_ = (call);                                                                    \
        if (got_ == (want))                                                                   \
            printf("ok %s: %s\n", what, errname(want));                                        \
        else {                                                                                \
            printf("FAIL %s: got %s, expected %s\n", what, errname(got_), errname(want));       \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

/* The descriptor of the pre-opened directory named `name`, or -1. */
static inline int preopen_fd(const char *name)
{
    for (int fd = 3;; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            return -1;
        char buf[256];
        size_t n = ps.u.dir.pr_name_len;
        if (n >= sizeof(buf) || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, n) != 0)
            continue;
        buf[n] = 0;
        if (strcmp(buf, name) == 0)
            return fd;
    }
}

#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

/* Imports with every pointer and length explicit. */
RAW(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);
RAW(path_filestat_get)
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);
RAW(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
RAW(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
RAW(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
RAW(fd_readdir)
int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out);
RAW(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nout);
RAW(proc_raise) int32_t raw_proc_raise(int32_t sig);
RAW(path_symlink)
int32_t raw_path_symlink(int32_t old, int32_t oldlen, int32_t fd, int32_t path, int32_t len);

/* A guest address as the raw imports take it. */
#define ADDR(p) ((int32_t)(uintptr_t)(p))
/* Past the end of linear memory (4 GiB - 16). */
#define BAD_ADDR ((int32_t)0xFFFFFFF0u)

#endif
