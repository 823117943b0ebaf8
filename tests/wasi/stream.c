/*
 * Standard streams are streams, whatever the host put behind them. Run
 * with stdin and stdout on host files (`<in.txt >out.txt`): every call
 * that could move, size or grow the file fails as on a pipe, and what the
 * program writes lands only at the end of the host file. Reports go to
 * stderr; stdout gets "first\n", "second\n" and "third\n" only. The driver
 * checks the host file's size and content afterwards.
 */
#include <unistd.h>

#include "common.h"

/* The checks of common.h report on stderr here: stdout is under test. */
#define printf(...) fprintf(stderr, __VA_ARGS__)

#define TIB ((__wasi_filesize_t)1 << 40)

static void say(const char *s)
{
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n;
    if (__wasi_fd_write(1, &iov, 1, &n) != 0 || n != iov.buf_len) {
        fprintf(stderr, "FAIL writing %s", s); /* ends with a newline */
        failures++;
    }
}

/* What a pipe says to each call that needs a file, on stream `fd`. */
static void no_file_calls(__wasi_fd_t fd, const char *name)
{
    char what[80];
    __wasi_filesize_t pos;
    char buf[8];
    __wasi_ciovec_t ciov = {(const uint8_t *)"XXXX", 4};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof(buf)};
    __wasi_size_t n;
#define ON(call, want, label)                                                                 \
    do {                                                                                      \
        snprintf(what, sizeof(what), "%s: %s", name, label);                                   \
        CHECK_WASI(call, want, what);                                                         \
    } while (0)
    ON(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_SPIPE, "seek to 0");
    ON(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE, "seek by 0");
    ON(__wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos), __WASI_ERRNO_SPIPE, "seek to the end");
    ON(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_SPIPE, "tell");
    ON(__wasi_fd_pwrite(fd, &ciov, 1, 0, &n), __WASI_ERRNO_SPIPE, "pwrite at 0");
    ON(__wasi_fd_pwrite(fd, &ciov, 1, TIB, &n), __WASI_ERRNO_SPIPE, "pwrite at 1 TiB");
    ON(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_SPIPE, "pread at 0");
    ON(__wasi_fd_allocate(fd, 0, 200 << 20), __WASI_ERRNO_SPIPE, "allocate 200 MiB");
    ON(__wasi_fd_filestat_set_size(fd, TIB), __WASI_ERRNO_INVAL, "set size 1 TiB");
    ON(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_INVAL, "set size 0");
    ON(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
       __WASI_ERRNO_SPIPE, "set times");
    ON(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED), __WASI_ERRNO_SPIPE, "advise");
    ON(__wasi_fd_sync(fd), __WASI_ERRNO_INVAL, "sync");
    ON(__wasi_fd_datasync(fd), __WASI_ERRNO_INVAL, "datasync");
    /* What it is: no file type (a pipe's), no size. */
    __wasi_fdstat_t st;
    __wasi_filestat_t fst;
    ON(__wasi_fd_fdstat_get(fd, &st), 0, "fdstat");
    snprintf(what, sizeof(what), "%s: of unknown type, not a tty", name);
    CHECK(st.fs_filetype == __WASI_FILETYPE_UNKNOWN && !isatty(fd), what);
    ON(__wasi_fd_filestat_get(fd, &fst), 0, "filestat");
    snprintf(what, sizeof(what), "%s: filestat of unknown type, size 0", name);
    CHECK(fst.filetype == __WASI_FILETYPE_UNKNOWN && fst.size == 0, what);
#undef ON
}

int main(void)
{
    /* stdin reads in order from where the host left it. */
    char buf[64] = {0};
    CHECK(read(0, buf, 3) == 3 && memcmp(buf, "inp", 3) == 0, "stdin: read 3 bytes");
    no_file_calls(0, "stdin");
    CHECK(read(0, buf, sizeof(buf)) == 3 && memcmp(buf, "ut\n", 3) == 0, "stdin: read the rest");

    say("first\n");
    no_file_calls(1, "stdout");
    /* Clearing APPEND changes what fdstat says, not where writes go. */
    __wasi_fdstat_t st;
    CHECK_WASI(__wasi_fd_fdstat_set_flags(1, 0), 0, "stdout: clear append");
    CHECK(__wasi_fd_fdstat_get(1, &st) == 0 && !(st.fs_flags & __WASI_FDFLAGS_APPEND),
          "stdout: no append flag");
    say("second\n");
    CHECK_WASI(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND), 0, "stdout: set append");
    CHECK(__wasi_fd_fdstat_get(1, &st) == 0 && (st.fs_flags & __WASI_FDFLAGS_APPEND),
          "stdout: append flag");
    CHECK_WASI(__wasi_fd_fdstat_set_flags(1, 0), 0, "stdout: clear append again");
    say("third\n");
    fprintf(stderr, "stream: %d failures\n", failures);
    return failures != 0;
}
