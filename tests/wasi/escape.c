/*
 * Sandbox escapes, each of which must fail with the right errno. Run with
 * --dir SANDBOX::/sandbox, where the driver (run-tests.sh) made:
 *
 *   OUTSIDE/secret          "SECRET", beside the sandbox (must stay as it is)
 *   SANDBOX/file            "inside"
 *   SANDBOX/sub/            a directory
 *   SANDBOX/abs_dir_link    -> /etc                  (absolute, to a directory)
 *   SANDBOX/abs_file_link   -> OUTSIDE/secret        (absolute, to a file)
 *   SANDBOX/dangling_abs    -> OUTSIDE/created       (absolute, to nothing)
 *   SANDBOX/rel_link        -> ../outside            (relative, out)
 *   SANDBOX/dotdot_link     -> ..
 *   SANDBOX/sub/deep_link   -> ../../outside/secret
 *   SANDBOX/in_link         -> sub                   (stays inside: allowed)
 *   SANDBOX/loop1 <-> SANDBOX/loop2                  (a loop)
 *
 * The driver then checks that OUTSIDE holds only `secret`, unchanged.
 */
#include "common.h"

static int dir;

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET)
#define R_WRITE (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static int open_at(const char *path, int follow, int oflags, uint64_t rights, int *fd)
{
    __wasi_fd_t out = (__wasi_fd_t)-1;
    int e = __wasi_path_open(dir, follow, path, oflags, rights, 0, 0, &out);
    *fd = (int)out;
    return e;
}

/* Opening `path` must fail with `want`; on success, say what was read. */
static void try_open(const char *path, int follow, int oflags, uint64_t rights, int want)
{
    int fd;
    int e = open_at(path, follow, oflags, rights, &fd);
    char what[512];
    snprintf(what, sizeof(what), "open %s%s%s", path, follow ? "" : " (nofollow)",
             oflags & __WASI_OFLAGS_CREAT ? " (create)" : oflags & __WASI_OFLAGS_TRUNC ? " (trunc)" : "");
    if (e == 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof(buf) - 1};
        __wasi_size_t n = 0;
        if (__wasi_fd_read(fd, &iov, 1, &n) == 0)
            printf("  (%s read \"%s\")\n", path, buf);
        __wasi_fd_close(fd);
    }
    CHECK_WASI(e, want, what);
}

int main(void)
{
    dir = preopen_fd("/sandbox");
    if (dir < 0) {
        printf("no /sandbox pre-open\n");
        return 1;
    }

    /* Reading inside works. */
    try_open("file", FOLLOW, 0, R_READ, 0);
    try_open("sub/../file", FOLLOW, 0, R_READ, 0);
    try_open("./sub/./../file", FOLLOW, 0, R_READ, 0);
    try_open("in_link/../file", FOLLOW, 0, R_READ, 0);

    /* ".." walks. */
    try_open("..", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTCAPABLE);
    try_open("../outside/secret", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("sub/../../outside/secret", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("sub/../sub/../../outside/secret", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("sub/..", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, 0);
    try_open("sub/../..", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTCAPABLE);
    {
        /* A long walk of "." components, then one "..". */
        static char p[3000];
        size_t at = 0;
        while (at < 2400) {
            memcpy(p + at, "./", 2);
            at += 2;
        }
        strcpy(p + at, "../outside/secret");
        int fd;
        CHECK_WASI(open_at(p, FOLLOW, 0, R_READ, &fd), __WASI_ERRNO_NOTCAPABLE,
                   "open ./ x 1200 + ../outside/secret");
    }

    /* Absolute paths. */
    try_open("/etc/passwd", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("/", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTCAPABLE);

    /* Symbolic links out. */
    try_open("abs_dir_link/passwd", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("abs_dir_link", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTCAPABLE);
    try_open("abs_file_link", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("abs_file_link", 0, 0, R_READ, __WASI_ERRNO_LOOP);
    try_open("rel_link/secret", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("rel_link/secret", 0, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("sub/deep_link", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("dotdot_link/outside/secret", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    try_open("dotdot_link", FOLLOW, __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTCAPABLE);
    try_open("abs_dir_link/", 0, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);

    /* Loops. */
    try_open("loop1", FOLLOW, 0, R_READ, __WASI_ERRNO_LOOP);
    try_open("loop1/x", FOLLOW, 0, R_READ, __WASI_ERRNO_LOOP);
    try_open("loop1", 0, 0, R_READ, __WASI_ERRNO_LOOP);

    /* Creating and truncating out there. */
    try_open("../outside/created", FOLLOW, __WASI_OFLAGS_CREAT, R_WRITE, __WASI_ERRNO_NOTCAPABLE);
    try_open("rel_link/created", FOLLOW, __WASI_OFLAGS_CREAT, R_WRITE, __WASI_ERRNO_NOTCAPABLE);
    try_open("dangling_abs", FOLLOW, __WASI_OFLAGS_CREAT, R_WRITE, __WASI_ERRNO_NOTCAPABLE);
    try_open("dangling_abs", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_WRITE,
             __WASI_ERRNO_EXIST);
    try_open("abs_file_link", FOLLOW, __WASI_OFLAGS_TRUNC, R_WRITE, __WASI_ERRNO_NOTCAPABLE);
    try_open("sub/deep_link", FOLLOW, __WASI_OFLAGS_TRUNC, R_WRITE, __WASI_ERRNO_NOTCAPABLE);

    /* Directories. */
    CHECK_WASI(__wasi_path_create_directory(dir, "../outside/newdir"), __WASI_ERRNO_NOTCAPABLE,
               "mkdir ../outside/newdir");
    CHECK_WASI(__wasi_path_create_directory(dir, "rel_link/newdir"), __WASI_ERRNO_NOTCAPABLE,
               "mkdir rel_link/newdir");
    CHECK_WASI(__wasi_path_remove_directory(dir, ".."), __WASI_ERRNO_NOTCAPABLE, "rmdir ..");
    CHECK_WASI(__wasi_path_remove_directory(dir, "rel_link"), __WASI_ERRNO_NOTDIR,
               "rmdir rel_link (a link, not followed)");
    CHECK_WASI(__wasi_path_remove_directory(dir, "rel_link/"), __WASI_ERRNO_NOTCAPABLE,
               "rmdir rel_link/ (followed)");

    /* Removing out there. */
    CHECK_WASI(__wasi_path_unlink_file(dir, "../outside/secret"), __WASI_ERRNO_NOTCAPABLE,
               "unlink ../outside/secret");
    CHECK_WASI(__wasi_path_unlink_file(dir, "rel_link/secret"), __WASI_ERRNO_NOTCAPABLE,
               "unlink rel_link/secret");

    /* Renames and links across the boundary. */
    CHECK_WASI(__wasi_path_rename(dir, "file", dir, "../outside/moved"), __WASI_ERRNO_NOTCAPABLE,
               "rename file -> ../outside/moved");
    CHECK_WASI(__wasi_path_rename(dir, "file", dir, "rel_link/moved"), __WASI_ERRNO_NOTCAPABLE,
               "rename file -> rel_link/moved");
    CHECK_WASI(__wasi_path_rename(dir, "../outside/secret", dir, "stolen"),
               __WASI_ERRNO_NOTCAPABLE, "rename ../outside/secret -> stolen");
    CHECK_WASI(__wasi_path_rename(dir, "rel_link/secret", dir, "stolen"),
               __WASI_ERRNO_NOTCAPABLE, "rename rel_link/secret -> stolen");
    CHECK_WASI(__wasi_path_link(dir, 0, "file", dir, "../outside/hard"), __WASI_ERRNO_NOTCAPABLE,
               "link file -> ../outside/hard");
    CHECK_WASI(__wasi_path_link(dir, FOLLOW, "abs_file_link", dir, "stolen_hard"),
               __WASI_ERRNO_NOTCAPABLE, "link (follow) abs_file_link -> stolen_hard");
    CHECK_WASI(__wasi_path_link(dir, 0, "rel_link/secret", dir, "stolen_hard"),
               __WASI_ERRNO_NOTCAPABLE, "link rel_link/secret -> stolen_hard");

    /* Making links: absolute targets are refused, relative ones stay inert. */
    CHECK_WASI(__wasi_path_symlink("/etc/passwd", dir, "new_abs"), __WASI_ERRNO_NOTCAPABLE,
               "symlink /etc/passwd <- new_abs");
    CHECK_WASI(__wasi_path_symlink("../outside/secret", dir, "new_rel"), 0,
               "symlink ../outside/secret <- new_rel");
    try_open("new_rel", FOLLOW, 0, R_READ, __WASI_ERRNO_NOTCAPABLE);
    CHECK_WASI(__wasi_path_symlink("x", dir, "../outside/new_link"), __WASI_ERRNO_NOTCAPABLE,
               "symlink x <- ../outside/new_link");

    /* Metadata through links. */
    __wasi_filestat_t st;
    CHECK_WASI(__wasi_path_filestat_get(dir, FOLLOW, "abs_file_link", &st), __WASI_ERRNO_NOTCAPABLE,
               "stat (follow) abs_file_link");
    CHECK_WASI(__wasi_path_filestat_get(dir, 0, "abs_file_link", &st), 0,
               "stat (nofollow) abs_file_link");
    printf("  abs_file_link is a %s\n",
           st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK ? "symbolic link" : "something else");
    CHECK_WASI(__wasi_path_filestat_get(dir, FOLLOW, "../outside/secret", &st),
               __WASI_ERRNO_NOTCAPABLE, "stat ../outside/secret");
    CHECK_WASI(__wasi_path_filestat_set_times(dir, FOLLOW, "abs_file_link", 0, 0,
                                              __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
               __WASI_ERRNO_NOTCAPABLE, "set times (follow) abs_file_link");
    CHECK_WASI(__wasi_path_filestat_set_times(dir, FOLLOW, "rel_link/secret", 0, 0,
                                              __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
               __WASI_ERRNO_NOTCAPABLE, "set times rel_link/secret");
    char buf[64] = {0};
    __wasi_size_t n = 0;
    CHECK_WASI(__wasi_path_readlink(dir, "abs_dir_link", (uint8_t *)buf, sizeof(buf) - 1, &n), 0,
               "readlink abs_dir_link (its text is no escape)");
    printf("  abs_dir_link -> %.*s\n", (int)n, buf);
    CHECK_WASI(__wasi_path_readlink(dir, "../outside/x", (uint8_t *)buf, sizeof(buf), &n),
               __WASI_ERRNO_NOTCAPABLE, "readlink ../outside/x");

    /* A link inside can be removed: that removes the link, not its target. */
    CHECK_WASI(__wasi_path_unlink_file(dir, "abs_file_link"), 0, "unlink abs_file_link");

    printf("escape: %d failures\n", failures);
    return failures != 0;
}
