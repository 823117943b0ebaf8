/*
 * Standard streams: copies stdin to stdout upper-cased, reports the byte
 * count on stderr, and what kind of descriptor each stream is.
 */
#include <ctype.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "types") == 0) {
        for (int fd = 0; fd < 3; fd++) {
            __wasi_fdstat_t st;
            int e = __wasi_fd_fdstat_get(fd, &st);
            printf("fd %d: %s type %d tty %d\n", fd, errname(e), e ? -1 : st.fs_filetype, isatty(fd));
        }
        return 0;
    }
    /* Wait for input with poll_oneoff before reading. */
    __wasi_subscription_t sub = {.userdata = 5, .u = {.tag = __WASI_EVENTTYPE_FD_READ}};
    sub.u.u.fd_read.file_descriptor = 0;
    __wasi_event_t ev;
    __wasi_size_t nev = 0;
    int e = __wasi_poll_oneoff(&sub, &ev, 1, &nev);
    if (e || nev != 1 || ev.userdata != 5 || ev.error)
        fprintf(stderr, "poll on stdin: %s, %u events\n", errname(e), (unsigned)nev);
    char buf[4096];
    long total = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (write(1, buf, (size_t)n) != n)
            return 1;
        total += n;
    }
    fprintf(stderr, "%ld bytes\n", total);
    return n < 0;
}
