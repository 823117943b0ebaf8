/*
 * WASI calls made directly, with what libc never passes: pointers past the
 * end of memory (EFAULT), bad descriptors, flags and strings; descriptor
 * bookkeeping (rights, renumber, prestat); the calls libc does not use.
 * Run with --dir EMPTY_DIR::/work.
 */
#include <unistd.h>

#include "common.h"

static int dir;

static void faults(void)
{
    uint32_t n32;
    uint64_t n64;
    char buf[16];
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_ciovec_t bad_iov = {(const uint8_t *)(uintptr_t)0xFFFFFFF0u, 100};
    CHECK_WASI(raw_fd_write(1, BAD_ADDR, 1, ADDR(&n32)), __WASI_ERRNO_FAULT, "fd_write iovs out of memory");
    CHECK_WASI(raw_fd_write(1, ADDR(&bad_iov), 1, ADDR(&n32)), __WASI_ERRNO_FAULT,
               "fd_write buffer out of memory");
    CHECK_WASI(raw_fd_write(1, ADDR(&iov), 0x10000000, ADDR(&n32)), __WASI_ERRNO_FAULT,
               "fd_write iovec count past memory");
    CHECK_WASI(raw_fd_write(1, ADDR(&iov), 1, BAD_ADDR), __WASI_ERRNO_FAULT, "fd_write result out of memory");
    CHECK_WASI(raw_fd_read(0, ADDR(&bad_iov), 1, ADDR(&n32)), __WASI_ERRNO_FAULT, "fd_read buffer out of memory");
    CHECK_WASI(raw_args_get(BAD_ADDR, ADDR(buf)), __WASI_ERRNO_FAULT, "args_get argv out of memory");
    CHECK_WASI(raw_random_get(ADDR(buf), -1), __WASI_ERRNO_FAULT, "random_get 4 GiB");
    CHECK_WASI(raw_random_get(BAD_ADDR, 16), __WASI_ERRNO_FAULT, "random_get at the end");
    CHECK_WASI(raw_random_get(BAD_ADDR, 0), __WASI_ERRNO_FAULT, "random_get empty past the end");
    CHECK_WASI(raw_clock_time_get(0, 0, BAD_ADDR), __WASI_ERRNO_FAULT, "clock_time_get result out of memory");
    CHECK_WASI(raw_clock_time_get(0, 0, ADDR(&n64)), 0, "clock_time_get");
    CHECK_WASI(raw_path_open(dir, 0, BAD_ADDR, 10, 0, 0, 0, 0, ADDR(&n32)), __WASI_ERRNO_FAULT,
               "path_open path out of memory");
    CHECK_WASI(raw_path_open(dir, 0, ADDR("."), 1, 0, 0, 0, 0, BAD_ADDR), __WASI_ERRNO_FAULT,
               "path_open result out of memory");
    CHECK_WASI(raw_path_filestat_get(dir, 0, ADDR("."), 1, BAD_ADDR), __WASI_ERRNO_FAULT,
               "path_filestat_get result out of memory");
    CHECK_WASI(raw_fd_readdir(dir, BAD_ADDR, 64, 0, ADDR(&n32)), __WASI_ERRNO_FAULT,
               "fd_readdir buffer out of memory");
    CHECK_WASI(raw_poll_oneoff(BAD_ADDR, ADDR(buf), 1, ADDR(&n32)), __WASI_ERRNO_FAULT,
               "poll_oneoff subscriptions out of memory");
    CHECK_WASI(raw_path_symlink(BAD_ADDR, 5, dir, ADDR("l"), 1), __WASI_ERRNO_FAULT,
               "path_symlink target out of memory");
}

static void strings(void)
{
    uint32_t fd;
    CHECK_WASI(raw_path_open(dir, 0, ADDR("a\0b"), 3, 0, 0, 0, 0, ADDR(&fd)), __WASI_ERRNO_INVAL,
               "path with a NUL inside");
    CHECK_WASI(raw_path_open(dir, 0, ADDR("\xff\xfe"), 2, 0, 0, 0, 0, ADDR(&fd)), __WASI_ERRNO_ILSEQ,
               "path that is not UTF-8");
    CHECK_WASI(raw_path_open(dir, 0, ADDR(""), 0, 0, 0, 0, 0, ADDR(&fd)), __WASI_ERRNO_NOENT,
               "empty path");
    CHECK_WASI(raw_path_open(dir, 0, ADDR("\xc3\xa9t\xc3\xa9"), 5, __WASI_OFLAGS_CREAT,
                             __WASI_RIGHTS_FD_WRITE, 0, 0, ADDR(&fd)),
               0, "UTF-8 path (été) created");
    static char longname[300];
    memset(longname, 'n', 299);
    CHECK_WASI(raw_path_open(dir, 0, ADDR(longname), 299, 0, 0, 0, 0, ADDR(&fd)),
               __WASI_ERRNO_NAMETOOLONG, "299-byte name");
}

/* Errors as Linux gives them and the WASI test suite expects: writing to a
 * directory is EISDIR (with O_DIRECTORY too), a link's new name with a
 * trailing slash is ENOENT unless something is there. */
static void host_errnos(void)
{
    __wasi_fd_t fd;
    const __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;
    CHECK_WASI(__wasi_path_create_directory(dir, "sub"), 0, "mkdir sub");
    CHECK_WASI(__wasi_path_open(dir, 0, ".", __WASI_OFLAGS_DIRECTORY, rw, 0, 0, &fd), __WASI_ERRNO_ISDIR,
               "open . with O_DIRECTORY for writing");
    CHECK_WASI(__wasi_path_open(dir, 0, ".", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd), __WASI_ERRNO_ISDIR,
               "open . for writing");
    CHECK_WASI(__wasi_path_open(dir, 0, "sub/", 0, rw, 0, 0, &fd), __WASI_ERRNO_ISDIR, "open sub/ for writing");
    CHECK_WASI(__wasi_path_open(dir, 0, "\xc3\xa9t\xc3\xa9", __WASI_OFLAGS_DIRECTORY, rw, 0, 0, &fd),
               __WASI_ERRNO_NOTDIR, "open a file with O_DIRECTORY for writing");
    CHECK_WASI(__wasi_path_open(dir, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0, &fd), 0,
               "open . with O_DIRECTORY for reading");
    CHECK_WASI(__wasi_fd_close(fd), 0, "close it");
    CHECK_WASI(__wasi_path_link(dir, 0, "\xc3\xa9t\xc3\xa9", dir, "nolink/"), __WASI_ERRNO_NOENT,
               "link to a new name with a trailing slash");
    CHECK_WASI(__wasi_path_link(dir, 0, "\xc3\xa9t\xc3\xa9", dir, "sub/"), __WASI_ERRNO_EXIST,
               "link to a directory's name with a trailing slash");
    CHECK_WASI(__wasi_path_link(dir, 0, "missing", dir, "nolink/"), __WASI_ERRNO_NOENT,
               "link from a missing file");
    CHECK_WASI(__wasi_path_link(dir, 0, "\xc3\xa9t\xc3\xa9/", dir, "nolink"), __WASI_ERRNO_NOTDIR,
               "link from file/");
    CHECK_WASI(__wasi_path_link(dir, 0, "sub", dir, "nolink"), __WASI_ERRNO_PERM, "link a directory");
    CHECK_WASI(__wasi_path_link(dir, 0, "sub/", dir, "nolink"), __WASI_ERRNO_PERM, "link a directory/");
    CHECK_WASI(__wasi_path_remove_directory(dir, "sub"), 0, "rmdir sub");
}

static void descriptors(void)
{
    __wasi_fdstat_t st;
    CHECK_WASI(__wasi_fd_fdstat_get(dir, &st), 0, "fdstat of the pre-open");
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY &&
              (st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) &&
              (st.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE),
          "a directory with path_open and inheritable fd_write");
    CHECK_WASI(__wasi_fd_fdstat_get(77, &st), __WASI_ERRNO_BADF, "fdstat of a closed descriptor");

    __wasi_prestat_t ps;
    char name[8];
    CHECK_WASI(__wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF, "prestat of stdout");
    CHECK_WASI(__wasi_fd_prestat_get(dir, &ps), 0, "prestat of the pre-open");
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 5, "a directory named 5 bytes");
    CHECK_WASI(__wasi_fd_prestat_dir_name(dir, (uint8_t *)name, 3), __WASI_ERRNO_NAMETOOLONG,
               "prestat_dir_name into 3 bytes");

    /* A file to play with. */
    __wasi_fd_t f, g;
    CHECK_WASI(__wasi_path_open(dir, 0, "r.txt", __WASI_OFLAGS_CREAT,
                                __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                                    __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET |
                                    __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |
                                    __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS,
                                0, 0, &f),
               0, "path_open r.txt");
    CHECK_WASI(__wasi_path_open(dir, 0, "s.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &g),
               0, "path_open s.txt");
    CHECK_WASI(__wasi_fd_fdstat_get(f, &st), 0, "fdstat of a file");
    CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) &&
              !(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN),
          "a regular file, writable, no directory rights");
    __wasi_ciovec_t iov = {(const uint8_t *)"renumbered", 10};
    __wasi_size_t n;
    CHECK_WASI(__wasi_fd_write(f, &iov, 1, &n), 0, "write r.txt");
    __wasi_filesize_t pos;
    CHECK_WASI(__wasi_fd_tell(f, &pos), 0, "fd_tell");
    CHECK(pos == 10, "at 10");
    CHECK_WASI(__wasi_fd_seek(f, 0, 7, &pos), __WASI_ERRNO_INVAL, "fd_seek whence 7");
    CHECK_WASI(__wasi_fd_advise(f, 0, 0, 9), __WASI_ERRNO_INVAL, "fd_advise advice 9");
    CHECK_WASI(__wasi_fd_advise(f, 0, 10, __WASI_ADVICE_WILLNEED), 0, "fd_advise willneed");
    CHECK_WASI(__wasi_fd_allocate(f, 0, 100), 0, "fd_allocate");
    CHECK_WASI(__wasi_fd_allocate(dir, 0, 100), __WASI_ERRNO_NOTCAPABLE, "fd_allocate on a directory");
    CHECK_WASI(__wasi_fd_filestat_set_times(f, 1, 2, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
               __WASI_ERRNO_INVAL, "set times with atim and atim_now");
    CHECK_WASI(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), 0, "set mtime now");
    CHECK_WASI(__wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_NOTSUP,
               "set the sync flag later");
    CHECK_WASI(__wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_APPEND), 0, "set append");
    CHECK_WASI(__wasi_fd_write(g, &iov, 1, &n), __WASI_ERRNO_NOTCAPABLE, "write without the right");
    CHECK_WASI(__wasi_fd_pwrite(g, &iov, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE, "pwrite without the right");

    /* Renumber f onto g: g's file closes, f's number goes away. */
    CHECK_WASI(__wasi_fd_renumber(f, 500), __WASI_ERRNO_BADF, "renumber onto a closed number");
    CHECK_WASI(__wasi_fd_renumber(f, g), 0, "renumber");
    CHECK_WASI(__wasi_fd_fdstat_get(f, &st), __WASI_ERRNO_BADF, "the old number is closed");
    char buf[16] = {0};
    __wasi_iovec_t riov = {(uint8_t *)buf, 10};
    CHECK_WASI(__wasi_fd_pread(g, &riov, 1, 0, &n), 0, "pread through the new number");
    CHECK(n == 10 && memcmp(buf, "renumbered", 10) == 0, "it is r.txt");

    /* Rights only shrink. */
    CHECK_WASI(__wasi_fd_fdstat_set_rights(g, __WASI_RIGHTS_FD_READ, 0), 0, "drop rights");
    CHECK_WASI(__wasi_fd_pread(g, &riov, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE, "pread needs fd_seek now");
    CHECK_WASI(__wasi_fd_fdstat_set_rights(g, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0),
               __WASI_ERRNO_NOTCAPABLE, "rights cannot come back");
    CHECK_WASI(__wasi_fd_close(g), 0, "close");
    CHECK_WASI(__wasi_fd_close(g), __WASI_ERRNO_BADF, "close twice");

    /* Directory reading with cookies. */
    uint8_t dbuf[512];
    __wasi_size_t used;
    CHECK_WASI(__wasi_fd_readdir(dir, dbuf, sizeof(dbuf), 0, &used), 0, "fd_readdir");
    int entries = 0;
    uint64_t last_cookie = 0;
    for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, dbuf + at, sizeof(d));
        at += sizeof(d) + d.d_namlen;
        entries++;
        last_cookie = d.d_next;
    }
    CHECK(entries == 5, "5 entries (., .., r.txt, s.txt, été)");
    CHECK_WASI(__wasi_fd_readdir(dir, dbuf, sizeof(dbuf), last_cookie, &used), 0, "fd_readdir at the end");
    CHECK(used == 0, "nothing more");
    CHECK_WASI(__wasi_fd_readdir(dir, dbuf, 10, 0, &used), 0, "fd_readdir into 10 bytes");
    CHECK(used == 10, "a cut-off record fills the buffer");
    CHECK_WASI(__wasi_fd_readdir(1, dbuf, sizeof(dbuf), 0, &used), __WASI_ERRNO_NOTCAPABLE,
               "fd_readdir on stdout");
    CHECK_WASI(__wasi_fd_fdstat_set_rights(dir, 0, 0), 0, "drop every right of the pre-open");
    CHECK_WASI(__wasi_path_open(dir, 0, "r.txt", 0, 0, 0, 0, &f), __WASI_ERRNO_NOTCAPABLE,
               "path_open without path_open");
    CHECK_WASI(__wasi_fd_close(dir), 0, "close the pre-open");
    CHECK_WASI(__wasi_fd_prestat_get(dir, &ps), __WASI_ERRNO_BADF, "it is gone");
}

static void unsupported(void)
{
    CHECK_WASI(raw_proc_raise(6), __WASI_ERRNO_NOSYS, "proc_raise");
    __wasi_fd_t fd;
    __wasi_size_t n;
    __wasi_roflags_t ro;
    __wasi_iovec_t iov = {(uint8_t *)&n, 1};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    /* Not a socket: ENOTSOCK, as the host's calls say, whatever the rights. */
    CHECK_WASI(__wasi_sock_accept(1, 0, &fd), __WASI_ERRNO_NOTSOCK, "sock_accept on stdout");
    CHECK_WASI(__wasi_sock_accept(99, 0, &fd), __WASI_ERRNO_BADF, "sock_accept on a closed fd");
    CHECK_WASI(__wasi_sock_recv(0, &iov, 1, 0, &n, &ro), __WASI_ERRNO_NOTSOCK, "sock_recv on stdin");
    CHECK_WASI(__wasi_sock_send(1, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK, "sock_send on stdout");
    CHECK_WASI(__wasi_sock_send(1, &ciov, 1, 1, &n), __WASI_ERRNO_NOTSOCK, "sock_send with flags on stdout");
    CHECK_WASI(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK, "sock_shutdown on stdout");
    CHECK_WASI(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF, "sock_shutdown on a closed fd");
}

int main(void)
{
    dir = preopen_fd("/work");
    if (dir < 0)
        return 1;
    faults();
    strings();
    host_errnos();
    descriptors();
    unsupported();
    printf("raw: %d failures\n", failures);
    return failures != 0;
}
