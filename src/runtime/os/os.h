/*
 * The OS layer: the few operating-system services the runtime needs, behind
 * one small interface so the rest of kite never calls mmap or sigaction.
 *
 *   - virtual memory: reserve address space without backing it, commit and
 *     decommit page ranges inside a reservation, release it;
 *   - fault recovery: a process-wide SIGSEGV/SIGBUS handler that turns a
 *     fault inside a registered guard range, taken while the faulting thread
 *     runs Wasm code, into a jump back to the executor's entry point, and a
 *     fault at a recorded trap site of compiled code into a jump to that
 *     code's landing pad; every other fault goes to whoever handled it
 *     before us (or kills the process as it would have without kite);
 *   - code memory (W^X: written while not executable, then sealed read and
 *     execute, never both writable and executable) and the registry of
 *     compiled code ranges with their trap sites;
 *   - the bounds of the current thread's stack.
 *
 * Functions return 0 on success or an errno value; none of them aborts.
 * Implemented for POSIX systems (Linux, macOS) in os_posix.c and
 * os_signals.c. Needs the POSIX declarations (sigjmp_buf): the build's
 * gnu17 mode provides them; a file compiled as strict C17 defines
 * _DEFAULT_SOURCE before its first include.
 */
#ifndef KITE_RUNTIME_OS_OS_H
#define KITE_RUNTIME_OS_OS_H

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__APPLE__)
#include <dispatch/dispatch.h>
#else
#include <semaphore.h>
#endif

/* ---- virtual memory ------------------------------------------------------- */

/* The OS page size in bytes (a power of two), the unit of every range below. */
size_t kos_page_size(void);

/*
 * Reserves `size` bytes (a multiple of the page size) of address space with
 * no access and no commit charge, so that reserving far more than the machine
 * has costs nothing until pages are committed. *out is the page-aligned start.
 */
int kos_reserve(size_t size, void **out);

/* Makes [addr, addr+size) of a reservation readable and writable. Pages read
 * as zero until written. Both arguments must be page-aligned. */
int kos_commit(void *addr, size_t size);

/* Returns [addr, addr+size) to the reserved state: its contents are dropped
 * (zero again if recommitted), the memory is given back to the OS and any
 * access faults. */
int kos_decommit(void *addr, size_t size);

/* Gives a whole reservation back (start and size as reserved). */
int kos_release(void *addr, size_t size);

/* ---- code memory ------------------------------------------------------------ */

/* Maps `size` bytes (a multiple of the page size) readable and writable,
 * not executable: where code is written. */
int kos_code_map(size_t size, void **out);

/* Makes [addr, addr+size) of a kos_code_map mapping read-only and
 * executable (and synchronises the instruction cache where that is
 * needed). It is never made writable again: code is immutable once sealed. */
int kos_code_seal(void *addr, size_t size);

/* Unmaps a kos_code_map mapping (start and size as mapped). */
int kos_code_unmap(void *addr, size_t size);

/* ---- compiled code and its trap sites ----------------------------------------------- */

/*
 * A trap site: an instruction of compiled code that may fault on purpose
 * (a memory access relying on guard pages). `kind` and `pos` are the
 * compiler's (trap kind and code position); this layer only passes the
 * site on.
 */
typedef struct kos_trap_site {
    uint32_t offset; /* of the instruction, from the range's start */
    uint32_t flags;  /* KOS_SITE_* */
    uint32_t kind;
    uint32_t pos;
} kos_trap_site;

/* A fault at this site is a trap only if the faulting address lies in a
 * registered guard range (a memory access). */
#define KOS_SITE_MEMORY 1u

/*
 * A range of compiled code. When a thread faults (SIGSEGV/SIGBUS raised by
 * the kernel) with its program counter exactly at one of `sites` (sorted
 * by offset), the handler resumes it at `landing` with the first integer
 * argument register (rdi on x86-64, x0 on AArch64) holding the site's
 * address and the second the faulting program counter; the stack pointer
 * and every other register are as at the fault. A fault anywhere else in
 * the range is not a trap: it is passed on like any other fault.
 */
typedef struct kos_code_range {
    uintptr_t start;
    size_t size;
    const kos_trap_site *sites;
    uint32_t nsites;
    uintptr_t landing;
} kos_code_range;

/*
 * Publishes a range for the fault handler (lock-free, like the guard
 * registry). *range must stay valid and unchanged until it is
 * unregistered, and the code must stay mapped. ENOTSUP when faults cannot
 * be redirected on this platform.
 */
int kos_code_register(const kos_code_range *range, void **handle);
/* Whether this platform can redirect a faulting thread (kos_code_register
 * works); without it, compiled code must check every access explicitly. */
int kos_code_traps_supported(void);
void kos_code_unregister(void *handle);

/* The registered range holding pc and its trap site at pc (NULL when pc
 * is in the range but not at a site); NULL when pc is in no range.
 * Async-signal-safe. */
const kos_code_range *kos_code_find(uintptr_t pc, const kos_trap_site **site);

/* ---- the native stack --------------------------------------------------------------------- */

/* The lowest stack pointer code running here may reach while leaving
 * `reserve` bytes below it (or half the room left, if that is less), from
 * kos_stack_bounds. */
uintptr_t kos_stack_limit(size_t reserve);

/* ---- fault recovery ------------------------------------------------------- */

/*
 * Installs the fault handler for SIGSEGV and SIGBUS, once per process
 * (later calls return the first call's result). The handlers found in place
 * are kept and chained to for every fault that is not a Wasm memory fault.
 * A handler installed after ours sees every fault first and must chain to
 * ours for Wasm faults to become traps.
 */
int kos_signals_install(void);

/*
 * Guard ranges: address ranges (usually a linear memory's whole reservation)
 * where a fault taken during Wasm execution means "out of bounds memory
 * access". The registry is lock-free so the signal handler can read it.
 * A range must stay mapped (reserved) until it is unregistered.
 * kos_guard_register stores a handle for kos_guard_unregister in *handle.
 */
int kos_guard_register(const void *start, size_t size, void **handle);
void kos_guard_unregister(void *handle);
/* Whether addr lies inside a registered range (async-signal-safe). */
int kos_guard_contains(uintptr_t addr);

/*
 * One Wasm execution on the current thread. The executor runs its
 * interpreter loop through kos_exec_run:
 *
 *     kos_exec ex;
 *     if (kos_exec_run(&ex, interp_loop, &state) == KOS_EXEC_FAULT)
 *         return trap("out of bounds memory access");  // ex.fault_addr says where
 *
 * If the body faults inside a guard range, the handler unwinds straight back
 * into kos_exec_run (siglongjmp), which returns KOS_EXEC_FAULT. The body's
 * own C frames are abandoned, so it must not own resources (locks, mallocs)
 * across guarded memory accesses, and anything the caller reads after a
 * fault (the Wasm pc for the backtrace, say) must be stored to memory
 * reachable from `arg` before the access, not only kept in locals.
 *
 * Calls may nest (Wasm -> host -> Wasm); each level has its own kos_exec.
 * Host code called from Wasm must run outside the Wasm context, so that a
 * fault in the host is never mistaken for a Wasm trap: wrap host calls in
 * kos_exec_pause / kos_exec_resume.
 *
 * The first run on a thread installs the handler if needed and gives the
 * thread an alternate signal stack (freed when the thread exits); faults are
 * recovered only if kos_signals_install succeeds, so call it first to learn
 * whether it did.
 */
enum {
    KOS_EXEC_OK = 0,    /* body returned normally */
    KOS_EXEC_FAULT = 1, /* a guarded memory access faulted */
};

typedef struct kos_exec {
    sigjmp_buf jmp;
    struct kos_exec *prev;          /* the context this one is nested in */
    volatile uintptr_t fault_addr;  /* set on KOS_EXEC_FAULT */
    volatile int fault_signal;      /* SIGSEGV or SIGBUS */
} kos_exec;

typedef void kos_exec_body(void *arg);

int kos_exec_run(kos_exec *ex, kos_exec_body *body, void *arg);

/* The innermost running Wasm execution of this thread, or NULL. */
kos_exec *kos_exec_current(void);

/* Leaves the Wasm context around a host call; returns what to pass to
 * kos_exec_resume afterwards. */
kos_exec *kos_exec_pause(void);
void kos_exec_resume(kos_exec *saved);

/* ---- parking a thread --------------------------------------------------------- */

/*
 * A counting semaphore, the one primitive a parked thread sleeps on
 * (runtime/parking.c). Posting is async-signal-safe (sem_post; a dispatch
 * semaphore's signal on macOS), which is what lets kite_store_interrupt,
 * itself callable from a signal handler, wake a thread blocked in
 * memory.atomic.wait.
 */
typedef struct kos_sem {
#if defined(__APPLE__)
    dispatch_semaphore_t sem;
#else
    sem_t sem;
#endif
} kos_sem;

int kos_sem_init(kos_sem *s);
void kos_sem_destroy(kos_sem *s);
void kos_sem_post(kos_sem *s);
/* Sleeps until the semaphore is posted (0) or the monotonic clock reaches
 * deadline_ns (ETIMEDOUT; UINT64_MAX: no deadline). May return 0 early
 * (EINTR): callers re-check their condition. */
int kos_sem_wait_until(kos_sem *s, uint64_t deadline_ns);

/* The monotonic clock in nanoseconds (since an unspecified start). */
uint64_t kos_monotonic_ns(void);

/* ---- thread stacks ------------------------------------------------------------------ */

/*
 * The calling thread's C stack as [*lo, *hi): stacks grow down on every
 * system kite supports, so *lo is where a deep call chain ends. Asked of
 * the system on the thread's first call (pthread_getattr_np on Linux,
 * pthread_get_stackaddr_np/_stacksize_np on macOS) and kept for the
 * thread, so later calls cost a thread-local read. ENOSYS where the
 * system does not tell. A caller running on a stack of its own making (a
 * coroutine) sees an address of its frame outside the range: the range
 * says nothing about that stack.
 */
int kos_stack_bounds(uintptr_t *lo, uintptr_t *hi);

/* An address in the calling function's frame: how far down the stack is in
 * use (the frame address, not a local, which a sanitizer may move to the
 * heap). */
#if defined(__GNUC__) || defined(__clang__)
#define KOS_STACK_HERE() ((uintptr_t)__builtin_frame_address(0))
#else
uintptr_t kos_stack_here(void);
#define KOS_STACK_HERE() kos_stack_here()
#endif

#endif
