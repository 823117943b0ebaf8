/*
 * poll_oneoff: wait until at least one subscription fires.
 *
 * Clock subscriptions (realtime or monotonic, relative or absolute) become
 * deadlines on the monotonic clock. Descriptor subscriptions on host
 * descriptors that can block (pipes, sockets, terminals) go to poll(2);
 * regular files, directories and the embedder's buffers are always ready,
 * as are subscriptions that fail (bad descriptor, missing right), which are
 * reported with their error. Without any ready subscription the call sleeps
 * until the earliest deadline, or forever when there is none.
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"

#define KWASI_SUB_SIZE 48
#define KWASI_EVENT_SIZE 32
enum { EV_CLOCK, EV_FD_READ, EV_FD_WRITE };
#define KWASI_EVENT_HANGUP 1u
#define KWASI_NO_DEADLINE UINT64_MAX

typedef struct psub {
    uint64_t userdata;
    uint64_t deadline; /* clock: monotonic ns; else KWASI_NO_DEADLINE */
    uint64_t nbytes;
    int poll_index;    /* in the pollfd array, or -1 */
    uint16_t error;
    uint16_t flags;
    uint8_t type;
    bool ready;
} psub;

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return kwasi_ts_ns(&ts);
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

/* A clock subscription at `at` (the union's start). */
static void parse_clock(kwasi_call *c, uint32_t at, uint64_t now, psub *s)
{
    uint32_t id = kwasi_ld32(c, at);
    uint64_t timeout = kwasi_ld64(c, at + 8);
    bool abstime = kwasi_ld16(c, at + 24) & 1;
    clockid_t host;
    if (id == 0)
        host = CLOCK_REALTIME;
    else if (id == 1)
        host = CLOCK_MONOTONIC;
    else {
        /* CPU-time clocks do not advance while we sleep: not waitable. */
        s->error = id <= 3 ? KWASI_ENOTSUP : KWASI_EINVAL;
        s->ready = true;
        return;
    }
    uint64_t remaining = timeout;
    if (abstime) {
        struct timespec ts;
        clock_gettime(host, &ts);
        uint64_t t = kwasi_ts_ns(&ts);
        remaining = timeout > t ? timeout - t : 0;
    }
    s->deadline = sat_add(now, remaining);
}

/* A descriptor subscription: ready now, or a pollfd to wait on. */
static void parse_fd(kwasi_call *c, uint32_t fd, psub *s, struct pollfd *pfds, int *npoll)
{
    bool read = s->type == EV_FD_READ;
    kwasi_fd *f;
    uint16_t e = kwasi_fd_get(c, fd,
                              KWASI_R_POLL_FD_READWRITE | (read ? KWASI_R_FD_READ : KWASI_R_FD_WRITE),
                              &f);
    if (e) {
        s->error = e;
        s->ready = true;
        return;
    }
    if (f->kind != KWASI_FD_HOST) {
        const kwasi_buf *b = &c->wasi->bufs[f->stream];
        s->ready = true;
        pthread_mutex_lock(&c->wasi->lock);
        s->nbytes = read ? b->len - b->pos : b->max - b->len;
        pthread_mutex_unlock(&c->wasi->lock);
        return;
    }
    if (f->filetype == KWASI_FT_REGULAR_FILE || f->filetype == KWASI_FT_DIRECTORY) {
        s->ready = true;
        if (read && f->filetype == KWASI_FT_REGULAR_FILE) {
            struct stat st;
            off_t pos = lseek(f->host, 0, SEEK_CUR);
            if (fstat(f->host, &st) == 0 && pos >= 0 && st.st_size > pos)
                s->nbytes = (uint64_t)(st.st_size - pos);
        }
        return;
    }
    s->poll_index = *npoll;
    pfds[*npoll].fd = f->host;
    pfds[*npoll].events = read ? POLLIN : POLLOUT;
    pfds[*npoll].revents = 0;
    ++*npoll;
}

/* Waits until `deadline` (monotonic ns) or a descriptor is ready. */
static uint16_t wait_once(struct pollfd *pfds, int npoll, uint64_t deadline, bool nowait)
{
    uint64_t now = mono_now();
    uint64_t left = nowait || deadline <= now ? 0 : deadline - now;
    if (npoll == 0) {
        if (!left)
            return KWASI_ESUCCESS;
        if (deadline == KWASI_NO_DEADLINE)
            return KWASI_EINVAL; /* nothing could ever fire (cannot happen) */
        struct timespec ts = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        nanosleep(&ts, NULL); /* an early wake-up is looped over by the caller */
        return KWASI_ESUCCESS;
    }
    int ms;
    if (deadline == KWASI_NO_DEADLINE && !nowait)
        ms = -1;
    else if (left / 1000000u >= INT_MAX)
        ms = INT_MAX;
    else
        ms = (int)((left + 999999u) / 1000000u); /* round up: never fire early */
    if (poll(pfds, (nfds_t)npoll, ms) < 0 && errno != EINTR)
        return kwasi_errno(errno);
    return KWASI_ESUCCESS;
}

static void collect(psub *subs, uint32_t n, const struct pollfd *pfds)
{
    uint64_t now = mono_now();
    for (uint32_t i = 0; i < n; i++) {
        psub *s = &subs[i];
        if (s->ready)
            continue;
        if (s->type == EV_CLOCK) {
            s->ready = s->deadline <= now;
            continue;
        }
        short re = pfds[s->poll_index].revents;
        if (!re)
            continue;
        s->ready = true;
        if (re & POLLNVAL)
            s->error = KWASI_EBADF;
        else if (re & POLLERR)
            s->error = KWASI_EIO;
        if (re & POLLHUP)
            s->flags = KWASI_EVENT_HANGUP;
        int avail = 0;
        if (s->type == EV_FD_READ && ioctl(pfds[s->poll_index].fd, FIONREAD, &avail) == 0 &&
            avail > 0)
            s->nbytes = (uint64_t)avail;
    }
}

uint16_t kwasi_poll_oneoff(kwasi_call *c, const kite_val_t *args)
{
    uint32_t in = KWASI_U32(args, 0), out = KWASI_U32(args, 1), n = KWASI_U32(args, 2);
    uint32_t nout = KWASI_U32(args, 3);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (n == 0)
        return KWASI_EINVAL;
    if (!kwasi_in(c, in, (uint64_t)n * KWASI_SUB_SIZE) ||
        !kwasi_in(c, out, (uint64_t)n * KWASI_EVENT_SIZE) || !kwasi_in(c, nout, 4))
        return KWASI_EFAULT;
    psub *subs = kutil_calloc(&c->wasi->alloc, n, sizeof(psub));
    struct pollfd *pfds = kutil_calloc(&c->wasi->alloc, n, sizeof(struct pollfd));
    if (!subs || !pfds) {
        kutil_free(&c->wasi->alloc, subs);
        kutil_free(&c->wasi->alloc, pfds);
        return KWASI_ENOMEM;
    }
    /* Read every subscription before writing any event: the arrays may overlap. */
    int npoll = 0;
    uint64_t now = mono_now(), deadline = KWASI_NO_DEADLINE;
    bool any_ready = false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = in + i * KWASI_SUB_SIZE;
        psub *s = &subs[i];
        s->userdata = kwasi_ld64(c, at);
        s->type = c->mem[at + 8];
        s->deadline = KWASI_NO_DEADLINE;
        s->poll_index = -1;
        if (s->type == EV_CLOCK)
            parse_clock(c, at + 16, now, s);
        else if (s->type == EV_FD_READ || s->type == EV_FD_WRITE)
            parse_fd(c, kwasi_ld32(c, at + 16), s, pfds, &npoll);
        else {
            s->error = KWASI_EINVAL;
            s->ready = true;
        }
        any_ready |= s->ready;
        if (s->deadline < deadline)
            deadline = s->deadline;
    }
    uint16_t e = KWASI_ESUCCESS;
    for (;;) {
        e = wait_once(pfds, npoll, deadline, any_ready);
        if (e)
            break;
        collect(subs, n, pfds);
        for (uint32_t i = 0; i < n && !any_ready; i++)
            any_ready = subs[i].ready;
        if (any_ready)
            break;
    }
    if (!e) {
        uint32_t count = 0;
        for (uint32_t i = 0; i < n; i++) {
            const psub *s = &subs[i];
            if (!s->ready)
                continue;
            uint32_t at = out + count++ * KWASI_EVENT_SIZE;
            memset(c->mem + at, 0, KWASI_EVENT_SIZE);
            kwasi_st64(c, at, s->userdata);
            kwasi_st16(c, at + 8, s->error);
            c->mem[at + 10] = s->type;
            if (s->type != EV_CLOCK) {
                kwasi_st64(c, at + 16, s->nbytes);
                kwasi_st16(c, at + 24, s->flags);
            }
        }
        kwasi_st32(c, nout, count);
    }
    kutil_free(&c->wasi->alloc, subs);
    kutil_free(&c->wasi->alloc, pfds);
    return e;
}
