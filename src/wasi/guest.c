/*
 * Checked access to the guest's linear memory, host errno to WASI errno, and
 * the calls that touch no descriptor: args, environ, clocks, random, proc,
 * sched.
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "util/alloc.h"

/* ---- memory ------------------------------------------------------------------- */

bool kwasi_memory(kwasi_call *c)
{
    if (c->have_mem)
        return true;
    kite_extern_t ext;
    if (!kite_caller_export(c->caller, "memory", 6, &ext) || ext.kind != KITE_EXTERN_MEMORY) {
        c->trap = kite_trap_new(kite_caller_store(c->caller),
                                "WASI: the calling module exports no memory named \"memory\"");
        return false;
    }
    c->mem = kite_memory_data(ext.of.memory);
    c->mem_size = kite_memory_size(ext.of.memory);
    if (!c->mem)
        c->mem_size = 0;
    c->have_mem = true;
    return true;
}

/* Byte by byte, so that the layout is little-endian whatever the host. */
void kwasi_st16(kwasi_call *c, uint32_t at, uint16_t v)
{
    c->mem[at] = (uint8_t)v;
    c->mem[at + 1] = (uint8_t)(v >> 8);
}

void kwasi_st32(kwasi_call *c, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        c->mem[at + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

void kwasi_st64(kwasi_call *c, uint32_t at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        c->mem[at + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

uint16_t kwasi_ld16(const kwasi_call *c, uint32_t at)
{
    return (uint16_t)(c->mem[at] | (unsigned)c->mem[at + 1] << 8);
}

uint32_t kwasi_ld32(const kwasi_call *c, uint32_t at)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | c->mem[at + (uint32_t)i];
    return v;
}

uint64_t kwasi_ld64(const kwasi_call *c, uint32_t at)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | c->mem[at + (uint32_t)i];
    return v;
}

uint16_t kwasi_out32(kwasi_call *c, uint32_t at, uint32_t v)
{
    if (!kwasi_in(c, at, 4))
        return KWASI_EFAULT;
    kwasi_st32(c, at, v);
    return KWASI_ESUCCESS;
}

uint16_t kwasi_out64(kwasi_call *c, uint32_t at, uint64_t v)
{
    if (!kwasi_in(c, at, 8))
        return KWASI_EFAULT;
    kwasi_st64(c, at, v);
    return KWASI_ESUCCESS;
}

uint64_t kwasi_ts_ns(const struct timespec *ts)
{
    if (ts->tv_sec < 0)
        return 0;
    if ((uint64_t)ts->tv_sec >= UINT64_MAX / 1000000000u)
        return UINT64_MAX;
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* ---- errno ---------------------------------------------------------------------- */

uint16_t kwasi_errno(int e)
{
    switch (e) {
    case 0: return KWASI_ESUCCESS;
    case E2BIG: return KWASI_E2BIG;
    case EACCES: return KWASI_EACCES;
    case EADDRINUSE: return KWASI_EADDRINUSE;
    case EADDRNOTAVAIL: return KWASI_EADDRNOTAVAIL;
    case EAFNOSUPPORT: return KWASI_EAFNOSUPPORT;
    case EAGAIN: return KWASI_EAGAIN;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return KWASI_EAGAIN;
#endif
    case EALREADY: return KWASI_EALREADY;
    case EBADF: return KWASI_EBADF;
    case EBADMSG: return KWASI_EBADMSG;
    case EBUSY: return KWASI_EBUSY;
    case ECANCELED: return KWASI_ECANCELED;
    case ECHILD: return KWASI_ECHILD;
    case ECONNABORTED: return KWASI_ECONNABORTED;
    case ECONNREFUSED: return KWASI_ECONNREFUSED;
    case ECONNRESET: return KWASI_ECONNRESET;
    case EDEADLK: return KWASI_EDEADLK;
    case EDESTADDRREQ: return KWASI_EDESTADDRREQ;
    case EDOM: return KWASI_EDOM;
    case EDQUOT: return KWASI_EDQUOT;
    case EEXIST: return KWASI_EEXIST;
    case EFAULT: return KWASI_EFAULT;
    case EFBIG: return KWASI_EFBIG;
    case EHOSTUNREACH: return KWASI_EHOSTUNREACH;
    case EIDRM: return KWASI_EIDRM;
    case EILSEQ: return KWASI_EILSEQ;
    case EINPROGRESS: return KWASI_EINPROGRESS;
    case EINTR: return KWASI_EINTR;
    case EINVAL: return KWASI_EINVAL;
    case EIO: return KWASI_EIO;
    case EISCONN: return KWASI_EISCONN;
    case EISDIR: return KWASI_EISDIR;
    case ELOOP: return KWASI_ELOOP;
    case EMFILE: return KWASI_EMFILE;
    case EMLINK: return KWASI_EMLINK;
    case EMSGSIZE: return KWASI_EMSGSIZE;
#ifdef EMULTIHOP
    case EMULTIHOP: return KWASI_EMULTIHOP;
#endif
    case ENAMETOOLONG: return KWASI_ENAMETOOLONG;
    case ENETDOWN: return KWASI_ENETDOWN;
    case ENETRESET: return KWASI_ENETRESET;
    case ENETUNREACH: return KWASI_ENETUNREACH;
    case ENFILE: return KWASI_ENFILE;
    case ENOBUFS: return KWASI_ENOBUFS;
    case ENODEV: return KWASI_ENODEV;
    case ENOENT: return KWASI_ENOENT;
    case ENOEXEC: return KWASI_ENOEXEC;
    case ENOLCK: return KWASI_ENOLCK;
#ifdef ENOLINK
    case ENOLINK: return KWASI_ENOLINK;
#endif
    case ENOMEM: return KWASI_ENOMEM;
    case ENOMSG: return KWASI_ENOMSG;
    case ENOPROTOOPT: return KWASI_ENOPROTOOPT;
    case ENOSPC: return KWASI_ENOSPC;
    case ENOSYS: return KWASI_ENOSYS;
    case ENOTCONN: return KWASI_ENOTCONN;
    case ENOTDIR: return KWASI_ENOTDIR;
    case ENOTEMPTY: return KWASI_ENOTEMPTY;
#ifdef ENOTRECOVERABLE
    case ENOTRECOVERABLE: return KWASI_ENOTRECOVERABLE;
#endif
    case ENOTSOCK: return KWASI_ENOTSOCK;
    case ENOTSUP: return KWASI_ENOTSUP;
#if EOPNOTSUPP != ENOTSUP
    case EOPNOTSUPP: return KWASI_ENOTSUP;
#endif
    case ENOTTY: return KWASI_ENOTTY;
    case ENXIO: return KWASI_ENXIO;
    case EOVERFLOW: return KWASI_EOVERFLOW;
#ifdef EOWNERDEAD
    case EOWNERDEAD: return KWASI_EOWNERDEAD;
#endif
    case EPERM: return KWASI_EPERM;
    case EPIPE: return KWASI_EPIPE;
    case EPROTO: return KWASI_EPROTO;
    case EPROTONOSUPPORT: return KWASI_EPROTONOSUPPORT;
    case EPROTOTYPE: return KWASI_EPROTOTYPE;
    case ERANGE: return KWASI_ERANGE;
    case EROFS: return KWASI_EROFS;
    case ESPIPE: return KWASI_ESPIPE;
    case ESRCH: return KWASI_ESRCH;
    case ESTALE: return KWASI_ESTALE;
    case ETIMEDOUT: return KWASI_ETIMEDOUT;
    case ETXTBSY: return KWASI_ETXTBSY;
    case EXDEV: return KWASI_EXDEV;
    default: return KWASI_EIO;
    }
}

/* ---- args and environ --------------------------------------------------------------- */

/* Writes `n` pointers at `ptrs` and the NUL-terminated strings at `buf`. */
static uint16_t put_strings(kwasi_call *c, char *const *strs, size_t n, size_t bytes,
                            uint32_t ptrs, uint32_t buf)
{
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, ptrs, (uint64_t)n * 4) || !kwasi_in(c, buf, bytes))
        return KWASI_EFAULT;
    uint32_t at = buf;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(strs[i]) + 1;
        kwasi_st32(c, ptrs + (uint32_t)i * 4, at);
        memcpy(c->mem + at, strs[i], len);
        at += (uint32_t)len;
    }
    return KWASI_ESUCCESS;
}

static uint16_t put_sizes(kwasi_call *c, size_t n, size_t bytes, uint32_t n_out,
                          uint32_t bytes_out)
{
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    uint16_t e = kwasi_out32(c, n_out, (uint32_t)n);
    return e ? e : kwasi_out32(c, bytes_out, (uint32_t)bytes);
}

uint16_t kwasi_args_get(kwasi_call *c, const kite_val_t *args)
{
    kite_wasi_t *w = c->wasi;
    return put_strings(c, w->argv, w->argc, w->argv_bytes, KWASI_U32(args, 0), KWASI_U32(args, 1));
}

uint16_t kwasi_args_sizes_get(kwasi_call *c, const kite_val_t *args)
{
    return put_sizes(c, c->wasi->argc, c->wasi->argv_bytes, KWASI_U32(args, 0), KWASI_U32(args, 1));
}

uint16_t kwasi_environ_get(kwasi_call *c, const kite_val_t *args)
{
    kite_wasi_t *w = c->wasi;
    return put_strings(c, w->envp, w->envc, w->env_bytes, KWASI_U32(args, 0), KWASI_U32(args, 1));
}

uint16_t kwasi_environ_sizes_get(kwasi_call *c, const kite_val_t *args)
{
    return put_sizes(c, c->wasi->envc, c->wasi->env_bytes, KWASI_U32(args, 0), KWASI_U32(args, 1));
}

/* ---- clocks ---------------------------------------------------------------------------- */

static bool host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

uint16_t kwasi_clock_res_get(kwasi_call *c, const kite_val_t *args)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(KWASI_U32(args, 0), &id))
        return KWASI_EINVAL;
    if (clock_getres(id, &ts) != 0)
        return kwasi_errno(errno);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    return kwasi_out64(c, KWASI_U32(args, 1), kwasi_ts_ns(&ts));
}

uint16_t kwasi_clock_time_get(kwasi_call *c, const kite_val_t *args)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(KWASI_U32(args, 0), &id))
        return KWASI_EINVAL;
    if (clock_gettime(id, &ts) != 0)
        return kwasi_errno(errno);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    return kwasi_out64(c, KWASI_U32(args, 2), kwasi_ts_ns(&ts));
}

/* ---- random, proc, sched ------------------------------------------------------------------- */

/* Fills buf from the OS's random source. */
static int fill_random(uint8_t *buf, size_t len)
{
#if defined(__linux__)
    while (len) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOSYS)
                break; /* old kernel: read the device below */
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    if (!len)
        return 0;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    while (len) {
        ssize_t n = read(fd, buf, len);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            int e = n < 0 ? errno : EIO;
            close(fd);
            return e;
        }
        buf += n;
        len -= (size_t)n;
    }
    close(fd);
    return 0;
}

uint16_t kwasi_random_get(kwasi_call *c, const kite_val_t *args)
{
    uint32_t buf = KWASI_U32(args, 0), len = KWASI_U32(args, 1);
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, buf, len))
        return KWASI_EFAULT;
    if (!len)
        return KWASI_ESUCCESS;
    return kwasi_errno(fill_random(c->mem + buf, len));
}

/* Stops the guest: a trap unwinds the Wasm stack; the embedder reads the
 * code with kite_wasi_exit_code. */
uint16_t kwasi_proc_exit(kwasi_call *c, const kite_val_t *args)
{
    kwasi_program_exit(c->wasi, KWASI_U32(args, 0), NULL, kite_caller_store(c->caller));
    c->trap = kite_trap_new(kite_caller_store(c->caller), "WASI proc_exit");
    return KWASI_ESUCCESS;
}

uint16_t kwasi_proc_raise(kwasi_call *c, const kite_val_t *args)
{
    (void)c;
    (void)args;
    return KWASI_ENOSYS;
}

uint16_t kwasi_sched_yield(kwasi_call *c, const kite_val_t *args)
{
    (void)c;
    (void)args;
    sched_yield();
    return KWASI_ESUCCESS;
}
