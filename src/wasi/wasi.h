/*
 * WASI preview1 (wasi_snapshot_preview1), written against the public
 * embedding API (kite.h) only: host functions reach the guest's linear
 * memory through kite_caller_export(caller, "memory").
 *
 * Files:
 *   config.c   kite_wasi_config_*, kite_wasi_new/free, exit code, captures
 *   define.c   the table of functions with their Wasm signatures, the
 *              trampoline every call goes through, kite_wasi_define
 *   guest.c    checked access to linear memory, errno mapping, misc calls
 *              (args, environ, clocks, random, proc, sched)
 *   fdtable.c  the guest's descriptor table
 *   fd_ops.c   fd_* calls; readdir.c: fd_readdir
 *   resolve.c  sandboxed path resolution (the security boundary)
 *   path_ops.c path_* calls
 *   poll.c     poll_oneoff; sock.c: sock_* calls
 *
 * Include this first in every wasi/ file: it selects the POSIX/GNU
 * declarations the host side needs.
 */
#ifndef KITE_WASI_WASI_H
#define KITE_WASI_WASI_H

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* O_PATH, openat2's syscall number, preadv */
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "kite.h"

/* ---- WASI numbering (typenames.witx) ---------------------------------------- */

/* errno, in the witx order (success = 0 ... notcapable = 76). */
enum {
    KWASI_ESUCCESS, KWASI_E2BIG, KWASI_EACCES, KWASI_EADDRINUSE, KWASI_EADDRNOTAVAIL,
    KWASI_EAFNOSUPPORT, KWASI_EAGAIN, KWASI_EALREADY, KWASI_EBADF, KWASI_EBADMSG, KWASI_EBUSY,
    KWASI_ECANCELED, KWASI_ECHILD, KWASI_ECONNABORTED, KWASI_ECONNREFUSED, KWASI_ECONNRESET,
    KWASI_EDEADLK, KWASI_EDESTADDRREQ, KWASI_EDOM, KWASI_EDQUOT, KWASI_EEXIST, KWASI_EFAULT,
    KWASI_EFBIG, KWASI_EHOSTUNREACH, KWASI_EIDRM, KWASI_EILSEQ, KWASI_EINPROGRESS, KWASI_EINTR,
    KWASI_EINVAL, KWASI_EIO, KWASI_EISCONN, KWASI_EISDIR, KWASI_ELOOP, KWASI_EMFILE, KWASI_EMLINK,
    KWASI_EMSGSIZE, KWASI_EMULTIHOP, KWASI_ENAMETOOLONG, KWASI_ENETDOWN, KWASI_ENETRESET,
    KWASI_ENETUNREACH, KWASI_ENFILE, KWASI_ENOBUFS, KWASI_ENODEV, KWASI_ENOENT, KWASI_ENOEXEC,
    KWASI_ENOLCK, KWASI_ENOLINK, KWASI_ENOMEM, KWASI_ENOMSG, KWASI_ENOPROTOOPT, KWASI_ENOSPC,
    KWASI_ENOSYS, KWASI_ENOTCONN, KWASI_ENOTDIR, KWASI_ENOTEMPTY, KWASI_ENOTRECOVERABLE,
    KWASI_ENOTSOCK, KWASI_ENOTSUP, KWASI_ENOTTY, KWASI_ENXIO, KWASI_EOVERFLOW, KWASI_EOWNERDEAD,
    KWASI_EPERM, KWASI_EPIPE, KWASI_EPROTO, KWASI_EPROTONOSUPPORT, KWASI_EPROTOTYPE, KWASI_ERANGE,
    KWASI_EROFS, KWASI_ESPIPE, KWASI_ESRCH, KWASI_ESTALE, KWASI_ETIMEDOUT, KWASI_ETXTBSY,
    KWASI_EXDEV, KWASI_ENOTCAPABLE,
};

/* rights (u64 flags, bit n = the n-th right of the witx). */
#define KWASI_R(n) ((uint64_t)1 << (n))
#define KWASI_R_FD_DATASYNC KWASI_R(0)
#define KWASI_R_FD_READ KWASI_R(1)
#define KWASI_R_FD_SEEK KWASI_R(2)
#define KWASI_R_FD_FDSTAT_SET_FLAGS KWASI_R(3)
#define KWASI_R_FD_SYNC KWASI_R(4)
#define KWASI_R_FD_TELL KWASI_R(5)
#define KWASI_R_FD_WRITE KWASI_R(6)
#define KWASI_R_FD_ADVISE KWASI_R(7)
#define KWASI_R_FD_ALLOCATE KWASI_R(8)
#define KWASI_R_PATH_CREATE_DIRECTORY KWASI_R(9)
#define KWASI_R_PATH_CREATE_FILE KWASI_R(10)
#define KWASI_R_PATH_LINK_SOURCE KWASI_R(11)
#define KWASI_R_PATH_LINK_TARGET KWASI_R(12)
#define KWASI_R_PATH_OPEN KWASI_R(13)
#define KWASI_R_FD_READDIR KWASI_R(14)
#define KWASI_R_PATH_READLINK KWASI_R(15)
#define KWASI_R_PATH_RENAME_SOURCE KWASI_R(16)
#define KWASI_R_PATH_RENAME_TARGET KWASI_R(17)
#define KWASI_R_PATH_FILESTAT_GET KWASI_R(18)
#define KWASI_R_PATH_FILESTAT_SET_SIZE KWASI_R(19)
#define KWASI_R_PATH_FILESTAT_SET_TIMES KWASI_R(20)
#define KWASI_R_FD_FILESTAT_GET KWASI_R(21)
#define KWASI_R_FD_FILESTAT_SET_SIZE KWASI_R(22)
#define KWASI_R_FD_FILESTAT_SET_TIMES KWASI_R(23)
#define KWASI_R_PATH_SYMLINK KWASI_R(24)
#define KWASI_R_PATH_REMOVE_DIRECTORY KWASI_R(25)
#define KWASI_R_PATH_UNLINK_FILE KWASI_R(26)
#define KWASI_R_POLL_FD_READWRITE KWASI_R(27)
#define KWASI_R_SOCK_SHUTDOWN KWASI_R(28)
#define KWASI_R_SOCK_ACCEPT KWASI_R(29)
#define KWASI_RIGHTS_ALL (KWASI_R(30) - 1)

/* What a descriptor of each kind can ever do. */
#define KWASI_RIGHTS_FILE                                                                      \
    (KWASI_R_FD_DATASYNC | KWASI_R_FD_READ | KWASI_R_FD_SEEK | KWASI_R_FD_FDSTAT_SET_FLAGS |   \
     KWASI_R_FD_SYNC | KWASI_R_FD_TELL | KWASI_R_FD_WRITE | KWASI_R_FD_ADVISE |                \
     KWASI_R_FD_ALLOCATE | KWASI_R_FD_FILESTAT_GET | KWASI_R_FD_FILESTAT_SET_SIZE |            \
     KWASI_R_FD_FILESTAT_SET_TIMES | KWASI_R_POLL_FD_READWRITE)
#define KWASI_RIGHTS_DIR                                                                       \
    (KWASI_R_FD_DATASYNC | KWASI_R_FD_FDSTAT_SET_FLAGS | KWASI_R_FD_SYNC |                     \
     KWASI_R_PATH_CREATE_DIRECTORY | KWASI_R_PATH_CREATE_FILE | KWASI_R_PATH_LINK_SOURCE |     \
     KWASI_R_PATH_LINK_TARGET | KWASI_R_PATH_OPEN | KWASI_R_FD_READDIR |                       \
     KWASI_R_PATH_READLINK | KWASI_R_PATH_RENAME_SOURCE | KWASI_R_PATH_RENAME_TARGET |         \
     KWASI_R_PATH_FILESTAT_GET | KWASI_R_PATH_FILESTAT_SET_SIZE |                              \
     KWASI_R_PATH_FILESTAT_SET_TIMES | KWASI_R_FD_FILESTAT_GET | KWASI_R_FD_FILESTAT_SET_TIMES | \
     KWASI_R_PATH_SYMLINK | KWASI_R_PATH_REMOVE_DIRECTORY | KWASI_R_PATH_UNLINK_FILE |         \
     KWASI_R_POLL_FD_READWRITE)
#define KWASI_RIGHTS_SOCKET                                                                    \
    (KWASI_R_FD_READ | KWASI_R_FD_WRITE | KWASI_R_FD_FDSTAT_SET_FLAGS |                        \
     KWASI_R_FD_FILESTAT_GET | KWASI_R_POLL_FD_READWRITE | KWASI_R_SOCK_SHUTDOWN |             \
     KWASI_R_SOCK_ACCEPT)
/* Everything that changes the file system: absent under a read-only preopen. */
#define KWASI_RIGHTS_MODIFY                                                                    \
    (KWASI_R_FD_WRITE | KWASI_R_FD_ALLOCATE | KWASI_R_PATH_CREATE_DIRECTORY |                  \
     KWASI_R_PATH_CREATE_FILE | KWASI_R_PATH_LINK_SOURCE | KWASI_R_PATH_LINK_TARGET |          \
     KWASI_R_PATH_RENAME_SOURCE | KWASI_R_PATH_RENAME_TARGET | KWASI_R_PATH_FILESTAT_SET_SIZE | \
     KWASI_R_PATH_FILESTAT_SET_TIMES | KWASI_R_FD_FILESTAT_SET_SIZE |                          \
     KWASI_R_FD_FILESTAT_SET_TIMES | KWASI_R_PATH_SYMLINK | KWASI_R_PATH_REMOVE_DIRECTORY |    \
     KWASI_R_PATH_UNLINK_FILE)

enum { /* filetype */
    KWASI_FT_UNKNOWN, KWASI_FT_BLOCK_DEVICE, KWASI_FT_CHARACTER_DEVICE, KWASI_FT_DIRECTORY,
    KWASI_FT_REGULAR_FILE, KWASI_FT_SOCKET_DGRAM, KWASI_FT_SOCKET_STREAM, KWASI_FT_SYMBOLIC_LINK,
};

/* fdflags */
#define KWASI_FDFLAG_APPEND 1u
#define KWASI_FDFLAG_DSYNC 2u
#define KWASI_FDFLAG_NONBLOCK 4u
#define KWASI_FDFLAG_RSYNC 8u
#define KWASI_FDFLAG_SYNC 16u
/* oflags */
#define KWASI_O_CREAT 1u
#define KWASI_O_DIRECTORY 2u
#define KWASI_O_EXCL 4u
#define KWASI_O_TRUNC 8u
/* lookupflags */
#define KWASI_LOOKUP_SYMLINK_FOLLOW 1u
/* fstflags */
#define KWASI_FST_ATIM 1u
#define KWASI_FST_ATIM_NOW 2u
#define KWASI_FST_MTIM 4u
#define KWASI_FST_MTIM_NOW 8u

/* ---- the WASI object --------------------------------------------------------- */

enum kwasi_fd_kind {
    KWASI_FD_HOST,    /* a host descriptor the table owns */
    KWASI_FD_BUF_IN,  /* stdin from the embedder's bytes */
    KWASI_FD_BUF_OUT, /* stdout/stderr captured into a buffer */
};

/*
 * A descriptor. Entries never move (the table holds pointers) and are
 * reference-counted: the table holds one reference, and every WASI call
 * using the entry one more (kwasi_fd_get, dropped when the call returns), so
 * a descriptor closed or renumbered by one thread while another thread's
 * call still uses it stays valid, with its host descriptor, until that call
 * is done.
 */
typedef struct kwasi_fd {
    _Atomic(uint32_t) refs;
    const kite_allocator_t *alloc; /* its WASI object's */
    /* A standard stream (see kwasi_is_stream): set for the host descriptors
     * the embedder gave with kite_wasi_config_stdio_fd. */
    bool host_stream;
    uint8_t kind;      /* enum kwasi_fd_kind */
    uint8_t filetype;  /* KWASI_FT_*, fixed when the descriptor is made */
    uint8_t stream;    /* for buffers: 0 stdin, 1 stdout, 2 stderr */
    /* fdflags of a buffer; of a host stream only FDFLAG_APPEND, which is
     * the guest's own (other host descriptors ask the host). */
    uint16_t flags;
    int host;          /* KWASI_FD_HOST: the host descriptor */
    uint64_t rights, inheriting;
    char *preopen;     /* guest name of a pre-opened directory, or NULL */
    size_t preopen_len;
    pthread_mutex_t dir_lock; /* fd_readdir's use of dir and dir_pos */
    void *dir;         /* DIR* for fd_readdir, opened on first use */
    uint64_t dir_pos;  /* index (cookie) of the entry readdir returns next */
} kwasi_fd;

typedef struct kwasi_buf {
    uint8_t *data;
    size_t len, cap, max, pos; /* pos: read position (stdin) */
} kwasi_buf;

typedef struct kwasi_binding kwasi_binding;

struct kite_wasi {
    kite_allocator_t alloc; /* the engine's: everything below is allocated with it */
    char **argv;           /* argc strings */
    size_t argc, argv_bytes; /* argv_bytes: sum of lengths + NULs */
    char **envp;           /* "NAME=VALUE" */
    size_t envc, env_bytes;
    /* The lock guards the table (fds, nfds), the buffers, the exit state and
     * the threads; every WASI call may come from any thread of a
     * wasi-threads program. It is never held across a blocking call. */
    pthread_mutex_t lock;
    kwasi_fd **fds;        /* NULL: free */
    uint32_t nfds;         /* slots in fds (used or not) */
    kwasi_buf bufs[3];     /* stdin bytes, stdout and stderr captures */
    bool captured[3];
    /* Host stdio descriptors (our copies) and their status flags when we got
     * them: the guest may set O_NONBLOCK or O_APPEND on a description the
     * host shares (a terminal), which kite_wasi_free puts back. -1: none. */
    int stdio_restore[3];
    int stdio_flags[3];
    kwasi_binding *bindings;
    _Atomic bool exited;   /* the first proc_exit (any thread) sets it ... */
    uint32_t exit_code;    /* ... after this (under the lock) */
    struct kwasi_threads *threads; /* wasi-threads, when enabled */
    bool no_openat2;       /* resolve component by component */
};

/* ---- one call --------------------------------------------------------------- */

/* The state of one host call: the WASI object, the caller, the memory (found
 * on first use) and a trap to return instead of an errno. */
#define KWASI_HELD_SMALL 4
typedef struct kwasi_call {
    kite_wasi_t *wasi;
    kite_caller_t *caller;
    uint8_t *mem;
    uint64_t mem_size;
    bool have_mem;
    kite_trap_t *trap;
    /* descriptors this call holds (kwasi_fd_get), released when it returns */
    kwasi_fd **held;
    uint32_t nheld, cap_held;
    kwasi_fd *held_small[KWASI_HELD_SMALL];
} kwasi_call;

/* Every WASI function: arguments as the Wasm signature has them; returns the
 * errno (ignored for proc_exit). */
typedef uint16_t (*kwasi_fn)(kwasi_call *c, const kite_val_t *args);

/* Finds the caller's "memory"; false (with c->trap set) when there is none. */
bool kwasi_memory(kwasi_call *c);
/* Whether [ptr, ptr+len) lies inside the memory (memory already found). */
static inline bool kwasi_in(const kwasi_call *c, uint64_t ptr, uint64_t len)
{
    return ptr <= c->mem_size && len <= c->mem_size - ptr;
}
/* Little-endian stores and loads; the range must have been checked. */
void kwasi_st16(kwasi_call *c, uint32_t at, uint16_t v);
void kwasi_st32(kwasi_call *c, uint32_t at, uint32_t v);
void kwasi_st64(kwasi_call *c, uint32_t at, uint64_t v);
uint16_t kwasi_ld16(const kwasi_call *c, uint32_t at);
uint32_t kwasi_ld32(const kwasi_call *c, uint32_t at);
uint64_t kwasi_ld64(const kwasi_call *c, uint32_t at);
/* Stores a result through a guest pointer: EFAULT when out of bounds. */
uint16_t kwasi_out32(kwasi_call *c, uint32_t at, uint32_t v);
uint16_t kwasi_out64(kwasi_call *c, uint32_t at, uint64_t v);

/* Argument n as an unsigned 32- or 64-bit value. */
#define KWASI_U32(args, n) ((uint32_t)(args)[n].of.i32)
#define KWASI_U64(args, n) ((uint64_t)(args)[n].of.i64)

/* A host errno value as a WASI errno. */
uint16_t kwasi_errno(int host_errno);

/* Nanoseconds of a timespec, saturating. */
uint64_t kwasi_ts_ns(const struct timespec *ts);

/* ---- descriptor table (fdtable.c) ----------------------------------------------- */

/*
 * Whether the guest sees descriptor `f` as a stream, like a pipe, whatever
 * is behind it: the standard streams the embedder gave as descriptors
 * (even a regular file: `kite run prog.wasm > out.txt`) and the buffers.
 * A stream has no position and no size the guest can use or change:
 * fd_seek, fd_tell, fd_pread, fd_pwrite, fd_allocate and fd_advise fail
 * with ESPIPE (as Linux says for a pipe), fd_filestat_set_size, fd_sync
 * and fd_datasync with EINVAL (likewise), fd_filestat_set_times with
 * ESPIPE (Linux would set a pipe's own times; a stream has none the guest
 * may set). Writes go to the current end (config.c makes a regular file's
 * description append-only).
 */
static inline bool kwasi_is_stream(const kwasi_fd *f)
{
    return f->host_stream || f->kind != KWASI_FD_HOST;
}

/* The open descriptor `fd` having all of `rights`: EBADF when not open,
 * ENOTCAPABLE when a right is missing (ENOMEM when the call cannot hold
 * it). The call holds it until it returns. */
uint16_t kwasi_fd_get(kwasi_call *c, uint32_t fd, uint64_t rights, kwasi_fd **out);
/* Drops what the call holds (the trampoline, when a call returns). */
void kwasi_call_release(kwasi_call *c);
/* A new descriptor (lowest free number) for `host`, owned by the table from
 * now on (closed on failure). */
uint16_t kwasi_fd_add(kite_wasi_t *w, int host, uint8_t filetype, uint64_t rights,
                      uint64_t inheriting, uint32_t *out);
/* A new, unlinked entry with one reference (host -1); NULL when out of memory. */
kwasi_fd *kwasi_fd_new(kite_wasi_t *w);
/* The WASI file type of a host descriptor (and whether it is a terminal). */
uint8_t kwasi_host_filetype(int host, bool *is_tty);
/* Drops one reference; the last closes what the entry holds and frees it. */
void kwasi_fd_unref(kwasi_fd *f);
uint16_t kwasi_fdt_close(kite_wasi_t *w, uint32_t fd);
uint16_t kwasi_fdt_renumber(kite_wasi_t *w, uint32_t from, uint32_t to);

/* ---- shared helpers of the fd and path calls (fd_ops.c) ------------------------------ */

/* Guest iovecs as host iovecs (see kwasi_iovs_get). */
#define KWASI_IOVS_SMALL 16
typedef struct kwasi_iovs {
    const kite_allocator_t *alloc; /* of v, when it is not small */
    struct iovec *v;
    int n;
    uint64_t total;
    struct iovec small[KWASI_IOVS_SMALL];
} kwasi_iovs;
uint16_t kwasi_iovs_get(kwasi_call *c, uint32_t ptr, uint32_t count, kwasi_iovs *out);
void kwasi_iovs_free(kwasi_iovs *v);
/* Writes iovecs to a socket without raising SIGPIPE (sock.c). */
ssize_t kwasi_send(int host, const kwasi_iovs *v);

struct stat;
/* Writes a filestat record (64 bytes) at `out`: EFAULT when out of bounds. */
uint16_t kwasi_put_filestat(kwasi_call *c, uint32_t out, const struct stat *st);
/* The timespecs for futimens/utimensat from WASI times and fstflags. */
uint16_t kwasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* ---- wasi-threads (threads.c) --------------------------------------------------------- */

/*
 * The program ends (proc_exit with `code`, or `trap`, whose ownership passes
 * here), as seen from the thread running store `from`: the first end wins
 * (a later one is ignored, its trap freed); with threads, every other store
 * of the program is interrupted, and an end in a spawned thread calls the
 * embedder's on_exit hook. Returns whether this was the first end.
 */
bool kwasi_program_exit(kite_wasi_t *w, uint32_t code, kite_trap_t *trap, const kite_store_t *from);
/* What kite_wasi_define* adds with threads or shared memories: thread-spawn
 * and the shared memories `module` imports (all, for a NULL module); an
 * embedder's store is remembered, to be interrupted when the program ends. */
kite_error_t *kwasi_define_extras(kite_wasi_t *w, kite_linker_t *linker, kite_store_t *store,
                                  const kite_module_t *module, bool embedder);
/* kite_wasi_define_imports, for the embedder's stores or a thread's. */
kite_error_t *kwasi_define_imports_of(kite_wasi_t *w, kite_linker_t *linker, kite_store_t *store,
                                      const kite_module_t *module, bool embedder);
/* Stops and joins every thread, frees the threads' state. */
void kwasi_threads_free(kite_wasi_t *w);

/* ---- path resolution (resolve.c) --------------------------------------------------- */

/*
 * A guest path resolved beneath a directory descriptor: `dirfd` is a host
 * directory inside the sandbox (possibly the base descriptor itself, then
 * `owned` is false) and `name` one component in it (no '/'; "." when the path
 * names the directory itself). `slash`: the guest wrote a trailing slash, so
 * the result must be a directory.
 */
typedef struct kwasi_path {
    int dirfd;
    bool owned;
    bool slash;
    char *name;    /* points into `buf` */
    char *buf;     /* owned copy of the path being resolved */
    const kite_allocator_t *alloc; /* of buf */
} kwasi_path;

/* Resolves guest path [ptr, ptr+len) beneath descriptor `base` (a host
 * directory). follow: expand symbolic links in the final component too
 * (always expanded in the others). */
uint16_t kwasi_resolve(kwasi_call *c, int base, uint32_t ptr, uint32_t len, bool follow,
                       kwasi_path *out);
void kwasi_path_free(kwasi_path *p);
/* A guest string (a path) copied out of memory, NUL-terminated: EFAULT out
 * of bounds, ENOENT empty, EINVAL with a NUL inside, EILSEQ not UTF-8. */
uint16_t kwasi_string(kwasi_call *c, uint32_t ptr, uint32_t len, char **out);
/* Whether openat2(RESOLVE_BENEATH) works beneath `dirfd` on this host. */
bool kwasi_openat2_works(int dirfd);

/* ---- host functions, by file --------------------------------------------------------- */

#define KWASI_FUNCS(X)                                                                         \
    X(args_get, "ii", "i") X(args_sizes_get, "ii", "i") X(environ_get, "ii", "i")              \
    X(environ_sizes_get, "ii", "i") X(clock_res_get, "ii", "i")                                \
    X(clock_time_get, "iIi", "i") X(fd_advise, "iIIi", "i") X(fd_allocate, "iII", "i")         \
    X(fd_close, "i", "i") X(fd_datasync, "i", "i") X(fd_fdstat_get, "ii", "i")                 \
    X(fd_fdstat_set_flags, "ii", "i") X(fd_fdstat_set_rights, "iII", "i")                      \
    X(fd_filestat_get, "ii", "i") X(fd_filestat_set_size, "iI", "i")                           \
    X(fd_filestat_set_times, "iIIi", "i") X(fd_pread, "iiiIi", "i")                            \
    X(fd_prestat_get, "ii", "i") X(fd_prestat_dir_name, "iii", "i")                            \
    X(fd_pwrite, "iiiIi", "i") X(fd_read, "iiii", "i") X(fd_readdir, "iiiIi", "i")             \
    X(fd_renumber, "ii", "i") X(fd_seek, "iIii", "i") X(fd_sync, "i", "i")                     \
    X(fd_tell, "ii", "i") X(fd_write, "iiii", "i") X(path_create_directory, "iii", "i")        \
    X(path_filestat_get, "iiiii", "i") X(path_filestat_set_times, "iiiiIIi", "i")              \
    X(path_link, "iiiiiii", "i") X(path_open, "iiiiiIIii", "i")                                \
    X(path_readlink, "iiiiii", "i") X(path_remove_directory, "iii", "i")                       \
    X(path_rename, "iiiiii", "i") X(path_symlink, "iiiii", "i")                                \
    X(path_unlink_file, "iii", "i") X(poll_oneoff, "iiii", "i") X(proc_exit, "i", "")          \
    X(proc_raise, "i", "i") X(sched_yield, "", "i") X(random_get, "ii", "i")                   \
    X(sock_accept, "iii", "i") X(sock_recv, "iiiiii", "i") X(sock_send, "iiiii", "i")          \
    X(sock_shutdown, "ii", "i")

#define KWASI_DECLARE(name, params, results) uint16_t kwasi_##name(kwasi_call *c, const kite_val_t *args);
KWASI_FUNCS(KWASI_DECLARE)
#undef KWASI_DECLARE

#endif
