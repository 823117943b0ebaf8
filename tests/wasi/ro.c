/*
 * A read-only pre-open (--dir-ro RO::/ro, holding `data` and `sub/f`):
 * everything reads, nothing changes. The driver checks the host side.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int main(void)
{
    char buf[64] = {0};
    int fd = open("/ro/data", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 13 && strcmp(buf, "readonly data") == 0,
          "read data");
    CHECK_ERRNO(write(fd, "x", 1) < 0, EBADF, "write to a read-only descriptor");
    CHECK_ERRNO(ftruncate(fd, 0) < 0, ENOTCAPABLE, "ftruncate");
    close(fd);
    struct stat st;
    CHECK(stat("/ro/sub/f", &st) == 0 && st.st_size == 1, "stat sub/f");
    DIR *d = opendir("/ro/sub");
    int n = 0;
    while (d && readdir(d))
        n++;
    CHECK(d && n == 3, "list sub");
    if (d)
        closedir(d);

    fd = open("/ro/data", O_RDWR);
    CHECK(fd >= 0, "O_RDWR opens for reading only");
    CHECK_ERRNO(write(fd, "x", 1) < 0, EBADF, "and writing fails (libc says EBADF)");
    close(fd);
    CHECK_ERRNO(fopen("/ro/data", "w") == NULL, ENOTCAPABLE, "fopen w (truncate)");
    CHECK_ERRNO(fopen("/ro/new", "w") == NULL, ENOTCAPABLE, "fopen w (create)");
    CHECK_ERRNO(open("/ro/sub/new", O_WRONLY | O_CREAT, 0644) < 0, ENOTCAPABLE, "create in sub");
    CHECK_ERRNO(mkdir("/ro/newdir", 0755) < 0, ENOTCAPABLE, "mkdir");
    CHECK_ERRNO(rmdir("/ro/sub") < 0, ENOTCAPABLE, "rmdir");
    CHECK_ERRNO(unlink("/ro/data") < 0, ENOTCAPABLE, "unlink");
    CHECK_ERRNO(rename("/ro/data", "/ro/moved") < 0, ENOTCAPABLE, "rename");
    CHECK_ERRNO(link("/ro/data", "/ro/hard") < 0, ENOTCAPABLE, "link");
    CHECK_ERRNO(symlink("data", "/ro/sym") < 0, ENOTCAPABLE, "symlink");
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    CHECK_ERRNO(utimensat(AT_FDCWD, "/ro/data", ts, 0) < 0, ENOTCAPABLE, "utimensat");
    fd = open("/ro/sub", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0, "open sub");
    CHECK_ERRNO(futimens(fd, ts) < 0, ENOTCAPABLE, "futimens");
    close(fd);
    printf("ro: %d failures\n", failures);
    return failures != 0;
}
