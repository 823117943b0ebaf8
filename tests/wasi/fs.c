/*
 * Files and directories through wasi-libc, as ordinary programs use them.
 * Run with --dir EMPTY_DIR::/work; everything happens beneath /work.
 */
#define _GNU_SOURCE /* posix_fallocate, utimensat flags */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "fopen/fputs/fclose");
}

static void expect_content(const char *path, const char *want)
{
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    char what[300];
    snprintf(what, sizeof(what), "content of %s is \"%s\"", path, want);
    CHECK(n == (ssize_t)strlen(want) && strcmp(buf, want) == 0, what);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in `path`, without "." and "..". */
static void list(const char *path)
{
    DIR *d = opendir(path);
    CHECK(d != NULL, "opendir");
    if (!d)
        return;
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), cmp);
    printf("  %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void files(void)
{
    write_file("/work/a.txt", "hello");
    expect_content("/work/a.txt", "hello");

    /* Append mode and positions. */
    int fd = open("/work/a.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0, "open O_APPEND");
    CHECK(write(fd, ", world", 7) == 7, "append write");
    CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset after append is 12");
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_APPEND), "F_GETFL shows O_APPEND");
    CHECK(fcntl(fd, F_SETFL, fl & ~O_APPEND) == 0, "F_SETFL clears O_APPEND");
    CHECK(!(fcntl(fd, F_GETFL) & O_APPEND), "O_APPEND is off");
    CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK),
          "F_SETFL O_NONBLOCK");
    close(fd);
    expect_content("/work/a.txt", "hello, world");

    /* pread, pwrite, seek, tell, truncate, allocate, sync. */
    fd = open("/work/a.txt", O_RDWR);
    CHECK(fd >= 0, "open O_RDWR");
    char buf[32] = {0};
    CHECK(pread(fd, buf, 5, 7) == 5 && memcmp(buf, "world", 5) == 0, "pread at 7");
    CHECK(lseek(fd, 0, SEEK_CUR) == 0, "pread leaves the offset");
    CHECK(pwrite(fd, "W", 1, 7) == 1, "pwrite at 7");
    CHECK(lseek(fd, -5, SEEK_END) == 7, "lseek SEEK_END -5");
    CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "World", 5) == 0, "read after seek");
    CHECK_ERRNO(lseek(fd, -100, SEEK_CUR) < 0, EINVAL, "lseek before the start");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate to 5");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode), "fstat size 5");
    CHECK(posix_fallocate(fd, 0, 4096) == 0, "posix_fallocate 4096");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 4096, "size now 4096");
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "posix_fadvise");
    CHECK(fsync(fd) == 0, "fsync");
    CHECK(fdatasync(fd) == 0, "fdatasync");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate back to 5");
    close(fd);
    expect_content("/work/a.txt", "hello");

    /* Open flags. */
    CHECK_ERRNO(open("/work/a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0, EEXIST,
                "O_CREAT|O_EXCL on an existing file");
    CHECK_ERRNO(open("/work/none.txt", O_RDONLY) < 0, ENOENT, "open a missing file");
    CHECK_ERRNO(open("/work/a.txt", O_RDONLY | O_DIRECTORY) < 0, ENOTDIR,
                "O_DIRECTORY on a file");
    CHECK_ERRNO(open("/work/a.txt/", O_RDONLY) < 0, ENOTDIR, "a file with a trailing slash");
    fd = open("/work/a.txt", O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC empties");
    close(fd);
    fd = open("/work/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0 && write(fd, "new", 3) == 3, "O_CREAT|O_EXCL makes a file");
    CHECK_ERRNO(read(fd, buf, 1) < 0, EBADF, "read from a write-only descriptor");
    close(fd);
    CHECK_ERRNO(write(fd, "x", 1) < 0, EBADF, "write to a closed descriptor");

    /* Times. */
    struct timespec ts[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
    CHECK(utimensat(AT_FDCWD, "/work/new.txt", ts, 0) == 0, "utimensat");
    CHECK(stat("/work/new.txt", &st) == 0 && st.st_atim.tv_sec == 1000000000 &&
              st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 987654321,
          "stat shows the times set");
    fd = open("/work/new.txt", O_RDONLY);
    struct timespec ts2[2] = {{0, UTIME_OMIT}, {1600000000, 0}};
    CHECK(fd >= 0 && futimens(fd, ts2) == 0, "futimens (mtime only)");
    CHECK(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1600000000,
          "atime kept, mtime set");
    close(fd);
}

static void dirs_and_links(void)
{
    CHECK(mkdir("/work/d", 0755) == 0, "mkdir d");
    CHECK_ERRNO(mkdir("/work/d", 0755) < 0, EEXIST, "mkdir existing");
    CHECK(mkdir("/work/d/e/", 0755) == 0, "mkdir d/e/ (trailing slash)");
    struct stat st;
    CHECK(stat("/work/d/", &st) == 0 && S_ISDIR(st.st_mode), "stat d/");
    write_file("/work/d/e/f.txt", "deep");
    CHECK_ERRNO(rmdir("/work/d") < 0, ENOTEMPTY, "rmdir non-empty");
    CHECK_ERRNO(unlink("/work/d") < 0, EISDIR, "unlink a directory");
    CHECK_ERRNO(rmdir("/work/new.txt") < 0, ENOTDIR, "rmdir a file");
    CHECK_ERRNO(unlink("/work/new.txt/") < 0, ENOTDIR, "unlink file/");

    /* Renames. */
    CHECK(rename("/work/d/e/f.txt", "/work/d/g.txt") == 0, "rename across directories");
    expect_content("/work/d/g.txt", "deep");
    CHECK(rename("/work/new.txt", "/work/d/g.txt") == 0, "rename over an existing file");
    expect_content("/work/d/g.txt", "new");
    CHECK(rename("/work/d/e", "/work/e2") == 0, "rename a directory");
    CHECK_ERRNO(rename("/work/missing", "/work/x") < 0, ENOENT, "rename a missing file");

    /* Hard and symbolic links. */
    CHECK(link("/work/d/g.txt", "/work/hard.txt") == 0, "link");
    CHECK(stat("/work/hard.txt", &st) == 0 && st.st_nlink == 2, "nlink is 2");
    CHECK(symlink("d/g.txt", "/work/sym") == 0, "symlink");
    char buf[64] = {0};
    CHECK(readlink("/work/sym", buf, sizeof(buf)) == 7 && memcmp(buf, "d/g.txt", 7) == 0,
          "readlink");
    CHECK(readlink("/work/sym", buf, 3) == 3 && memcmp(buf, "d/g", 3) == 0,
          "readlink into a short buffer cuts");
    CHECK_ERRNO(readlink("/work/hard.txt", buf, sizeof(buf)) < 0, EINVAL, "readlink a file");
    CHECK(lstat("/work/sym", &st) == 0 && S_ISLNK(st.st_mode), "lstat sees a link");
    CHECK(stat("/work/sym", &st) == 0 && S_ISREG(st.st_mode), "stat follows it");
    expect_content("/work/sym", "new");
    CHECK(symlink("e2", "/work/dirlink") == 0, "symlink to a directory");
    write_file("/work/dirlink/through.txt", "via link");
    expect_content("/work/e2/through.txt", "via link");
    CHECK_ERRNO(open("/work/sym", O_RDONLY | O_NOFOLLOW) < 0, ELOOP, "O_NOFOLLOW on a link");
    CHECK(symlink("nowhere", "/work/dangling") == 0, "dangling symlink");
    int fd = open("/work/dangling", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "O_CREAT through a dangling link creates its target");
    close(fd);
    CHECK(access("/work/nowhere", F_OK) == 0, "the target exists");
    CHECK(unlink("/work/sym") == 0 && unlink("/work/dangling") == 0, "unlink links");
    CHECK(access("/work/d/g.txt", F_OK) == 0, "link targets stay");

    list("/work");
    list("/work/d");
    CHECK(unlink("/work/e2/through.txt") == 0 && rmdir("/work/e2") == 0, "rmdir after emptying");
    CHECK_ERRNO(rmdir("/work/e2") < 0, ENOENT, "rmdir again");
}

/* Many entries with long names: several fd_readdir calls, cookies, and
 * telldir/seekdir. */
static void many_entries(void)
{
    CHECK(mkdir("/work/many", 0755) == 0, "mkdir many");
    char path[200];
    int made = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path),
                 "/work/many/entry-with-a-rather-long-name-to-fill-buffers-%03d.txt", i);
        int fd = open(path, O_WRONLY | O_CREAT, 0644);
        made += fd >= 0;
        close(fd);
    }
    CHECK(made == 300, "created 300 files");
    DIR *d = opendir("/work/many");
    int seen = 0, sum = 0;
    long mark = -1;
    char marked[256] = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (seen == 150) {
            mark = telldir(d);
        }
        if (seen == 151 && mark >= 0)
            snprintf(marked, sizeof(marked), "%s", e->d_name);
        seen++;
        sum += atoi(e->d_name + strlen("entry-with-a-rather-long-name-to-fill-buffers-"));
    }
    CHECK(seen == 300 && sum == 299 * 300 / 2, "readdir saw each entry once");
    seekdir(d, mark);
    e = readdir(d);
    CHECK(e && strcmp(e->d_name, marked) == 0, "seekdir back to a telldir position");
    rewinddir(d);
    int again = 0;
    while ((e = readdir(d)))
        again += e->d_name[0] != '.';
    CHECK(again == 300, "rewinddir lists all again");
    closedir(d);
}

int main(void)
{
    files();
    dirs_and_links();
    many_entries();
    printf("fs: %d failures\n", failures);
    return failures != 0;
}
