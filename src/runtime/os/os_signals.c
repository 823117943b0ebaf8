/*
 * Fault recovery for guarded linear memories and compiled code (see os.h).
 *
 * A Wasm access out of bounds of a 32-bit memory lands in the inaccessible
 * part of its reservation and raises SIGSEGV (SIGBUS on some systems). The
 * handler decides, using only async-signal-safe reads, whether the fault is
 * ours:
 *
 *   1. it was raised by the kernel for a memory access (si_code > 0), not
 *      sent by kill/raise;
 *   2. this thread is running Wasm code (its current kos_exec is set);
 *   3. the faulting address lies inside a registered guard range.
 *
 * Then it siglongjmps to the kos_exec_run frame of the running execution.
 *
 * A fault whose program counter lies in registered compiled code
 * (kos_code_register) is decided by that alone: at a recorded trap site
 * (for a memory access, also with the address in a guard range) the thread
 * resumes at the code's landing pad, which unwinds to the innermost entry
 * into compiled code; anywhere else in compiled code it is not ours.
 *
 * Anything else is handed to the handler that was installed before ours, or,
 * when that was the default action, the default action is restored and the
 * faulting instruction re-executes and kills the process as usual: host
 * faults are never swallowed.
 *
 * The handler is installed with SA_NODEFER so that jumping out of it leaves
 * the signal unblocked without the cost of saving the signal mask at every
 * entry (sigsetjmp(..., 0)); and with SA_ONSTACK so that it still runs if
 * the thread's stack is exhausted, on a per-thread alternate stack set up at
 * the thread's first Wasm entry.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* the register names of ucontext_t (REG_RIP) */
#endif
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "runtime/os/os.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "util/alloc.h"

#if ATOMIC_POINTER_LOCK_FREE != 2
#error "the guard registry needs lock-free pointer-sized atomics"
#endif

/*
 * Thread-locals read by the signal handler use the initial-exec model where
 * available: its accesses are plain loads, whereas the general model may
 * allocate on a thread's first access, which is not async-signal-safe.
 */
#if defined(__GNUC__) && defined(__ELF__)
#define KOS_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define KOS_TLS_MODEL
#endif

/* Process-wide by nature (signal dispositions belong to the process): the
 * handler finds the execution a thread is running through a thread-local,
 * and a thread sets up its alternate signal stack once. */
static _Thread_local kos_exec *volatile tls_current KOS_TLS_MODEL;
static _Thread_local bool tls_altstack_checked;

/* ---- guard registry --------------------------------------------------------- */

/*
 * Fixed-size chunks of [start, end) slots in a list that only ever grows, so
 * the handler can walk it without locks while other threads register and
 * unregister. A slot is claimed by CAS on `start` (0 = free) and published
 * by storing `end`; a slot with end == 0 matches nothing. Chunks are never
 * freed: their number is bounded by the most memories alive at once. The
 * registry is the process's (the signal handler is), shared by every engine,
 * so its chunks come from the C library's allocator, not an engine's.
 *
 * A handler racing with another thread that frees one slot and reuses it
 * for a new range could pair one range's start with the other's end; that
 * needs a fault in Wasm code at the very moment of an unrelated memory's
 * replacement, and even then only turns a crash into a trap.
 */
#define GUARD_SLOTS 64

typedef struct guard_slot {
    _Atomic(uintptr_t) start;
    _Atomic(uintptr_t) end;
} guard_slot;

typedef struct guard_chunk {
    guard_slot slots[GUARD_SLOTS];
    _Atomic(struct guard_chunk *) next;
} guard_chunk;

static guard_chunk g_guards;

static guard_slot *guard_claim(guard_chunk *c, uintptr_t start)
{
    for (int i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t expected = 0;
        if (atomic_load_explicit(&c->slots[i].start, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&c->slots[i].start, &expected, start))
            return &c->slots[i];
    }
    return NULL;
}

int kos_guard_register(const void *start, size_t size, void **handle)
{
    uintptr_t s = (uintptr_t)start;
    *handle = NULL;
    if (s == 0 || size == 0 || size > UINTPTR_MAX - s)
        return EINVAL;
    guard_chunk *c = &g_guards;
    for (;;) {
        guard_slot *slot = guard_claim(c, s);
        if (slot) {
            atomic_store_explicit(&slot->end, s + size, memory_order_release);
            *handle = slot;
            return 0;
        }
        guard_chunk *next = atomic_load_explicit(&c->next, memory_order_acquire);
        if (!next) {
            guard_chunk *fresh = kutil_calloc(&kutil_libc, 1, sizeof(*fresh));
            if (!fresh)
                return ENOMEM;
            if (atomic_compare_exchange_strong(&c->next, &next, fresh))
                next = fresh;
            else
                kutil_free(&kutil_libc, fresh); /* another thread appended first: use theirs */
        }
        c = next;
    }
}

void kos_guard_unregister(void *handle)
{
    guard_slot *slot = handle;
    if (!slot)
        return;
    atomic_store_explicit(&slot->end, 0, memory_order_release);
    atomic_store_explicit(&slot->start, 0, memory_order_release);
}

int kos_guard_contains(uintptr_t addr)
{
    for (guard_chunk *c = &g_guards; c; c = atomic_load_explicit(&c->next, memory_order_acquire)) {
        for (int i = 0; i < GUARD_SLOTS; i++) {
            uintptr_t s = atomic_load_explicit(&c->slots[i].start, memory_order_acquire);
            if (s == 0 || addr < s)
                continue;
            if (addr < atomic_load_explicit(&c->slots[i].end, memory_order_acquire))
                return 1;
        }
    }
    return 0;
}

/* ---- the handler -------------------------------------------------------------- */

/* Written once, before our handler is installed; read-only afterwards. */
static struct sigaction g_prev_segv, g_prev_bus, g_default;
static pthread_once_t g_install_once = PTHREAD_ONCE_INIT;
static int g_install_result;
static pthread_key_t g_altstack_key;
static bool g_altstack_key_ok;

/*
 * Passes a fault that is not ours on. A previous function handler is called
 * as if it had received the signal. For the default action (and for an
 * ignored signal, which the kernel would not honour for a real fault), the
 * default disposition is restored: returning re-executes the faulting
 * instruction, which then terminates the process; a signal sent by
 * kill/raise is raised again instead, since nothing would repeat it.
 */
static void chain(int signo, siginfo_t *info, void *uctx)
{
    const struct sigaction *prev = signo == SIGBUS ? &g_prev_bus : &g_prev_segv;
    bool from_kernel = info && info->si_code > 0;
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(signo, info, uctx);
        return;
    }
    if (prev->sa_handler == SIG_IGN && !from_kernel)
        return;
    if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(signo);
        return;
    }
    sigaction(signo, &g_default, NULL);
    if (!from_kernel)
        raise(signo);
}

/*
 * The interrupted context's program counter, and resuming it elsewhere:
 * pc = landing, first argument register = a, second = b.
 */
#if defined(__linux__) && defined(__x86_64__)
#define CTX_SUPPORTED 1
static uintptr_t ctx_pc(void *uctx) { return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP]; }
static void ctx_redirect(void *uctx, uintptr_t landing, uintptr_t a, uintptr_t b)
{
    greg_t *g = ((ucontext_t *)uctx)->uc_mcontext.gregs;
    g[REG_RIP] = (greg_t)landing;
    g[REG_RDI] = (greg_t)a;
    g[REG_RSI] = (greg_t)b;
}
#elif defined(__linux__) && defined(__aarch64__)
#define CTX_SUPPORTED 1
static uintptr_t ctx_pc(void *uctx) { return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.pc; }
static void ctx_redirect(void *uctx, uintptr_t landing, uintptr_t a, uintptr_t b)
{
    mcontext_t *mc = &((ucontext_t *)uctx)->uc_mcontext;
    mc->pc = landing;
    mc->regs[0] = a;
    mc->regs[1] = b;
}
#elif defined(__APPLE__) && defined(__x86_64__)
#define CTX_SUPPORTED 1
static uintptr_t ctx_pc(void *uctx) { return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext->__ss.__rip; }
static void ctx_redirect(void *uctx, uintptr_t landing, uintptr_t a, uintptr_t b)
{
    struct __darwin_x86_thread_state64 *ss = &((ucontext_t *)uctx)->uc_mcontext->__ss;
    ss->__rip = landing;
    ss->__rdi = a;
    ss->__rsi = b;
}
#elif defined(__APPLE__) && defined(__aarch64__)
#define CTX_SUPPORTED 1
static uintptr_t ctx_pc(void *uctx) { return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext->__ss.__pc; }
static void ctx_redirect(void *uctx, uintptr_t landing, uintptr_t a, uintptr_t b)
{
    struct __darwin_arm_thread_state64 *ss = &((ucontext_t *)uctx)->uc_mcontext->__ss;
    ss->__pc = landing;
    ss->__x[0] = a;
    ss->__x[1] = b;
}
#else
#define CTX_SUPPORTED 0
#endif

int kos_code_traps_supported(void) { return CTX_SUPPORTED && kos_signals_install() == 0; }

/*
 * A fault in compiled code: 1 when it was a trap site (the thread will
 * resume at the landing pad), -1 when it is compiled code but no trap,
 * 0 when the pc is not in compiled code.
 */
static int code_fault(siginfo_t *info, void *uctx)
{
#if CTX_SUPPORTED
    uintptr_t pc = ctx_pc(uctx);
    const kos_trap_site *site;
    const kos_code_range *range = kos_code_find(pc, &site);
    if (!range)
        return 0;
    if (!site || ((site->flags & KOS_SITE_MEMORY) && !kos_guard_contains((uintptr_t)info->si_addr)))
        return -1;
    ctx_redirect(uctx, range->landing, (uintptr_t)site, pc);
    return 1;
#else
    (void)info;
    (void)uctx;
    return 0;
#endif
}

static void fault_handler(int signo, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    if (info && info->si_code > 0 && uctx) {
        int r = code_fault(info, uctx);
        if (r != 0) {
            if (r < 0)
                chain(signo, info, uctx);
            errno = saved_errno;
            return;
        }
    }
    kos_exec *ex = tls_current;
    if (ex && info && info->si_code > 0 && kos_guard_contains((uintptr_t)info->si_addr)) {
        ex->fault_addr = (uintptr_t)info->si_addr;
        ex->fault_signal = signo;
        siglongjmp(ex->jmp, KOS_EXEC_FAULT);
    }
    chain(signo, info, uctx);
    errno = saved_errno;
}

static void altstack_free(void *mapping);

static void install(void)
{
    g_default.sa_handler = SIG_DFL;
    sigemptyset(&g_default.sa_mask);
    g_altstack_key_ok = pthread_key_create(&g_altstack_key, altstack_free) == 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, NULL, &g_prev_segv) != 0 || sigaction(SIGBUS, NULL, &g_prev_bus) != 0) {
        g_install_result = errno ? errno : EINVAL;
        return;
    }
    if (sigaction(SIGSEGV, &sa, NULL) != 0) {
        g_install_result = errno ? errno : EINVAL;
        return;
    }
    if (sigaction(SIGBUS, &sa, NULL) != 0) {
        g_install_result = errno ? errno : EINVAL;
        sigaction(SIGSEGV, &g_prev_segv, NULL);
    }
}

int kos_signals_install(void)
{
    if (pthread_once(&g_install_once, install) != 0)
        return EINVAL;
    return g_install_result;
}

/* ---- alternate signal stacks ---------------------------------------------------- */

#define ALTSTACK_MIN (64u * 1024u)

/* The size of our alternate stacks: generous, since a chained handler
 * (a sanitizer's, a crash reporter's) runs on it too. */
static size_t altstack_size(void)
{
    size_t size = ALTSTACK_MIN;
#ifdef _SC_SIGSTKSZ
    long n = sysconf(_SC_SIGSTKSZ);
    if (n > 0 && (size_t)n * 4 > size)
        size = (size_t)n * 4;
#endif
    size_t page = kos_page_size();
    return (size + page - 1) & ~(page - 1);
}

/* The mapping is [guard page | stack]; the guard catches an overflowing
 * handler instead of letting it write below the stack. */
static void altstack_free(void *mapping)
{
    size_t page = kos_page_size(), size = altstack_size();
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == (char *)mapping + page) {
        stack_t off = {.ss_flags = SS_DISABLE};
        if (sigaltstack(&off, NULL) != 0)
            return; /* still in use: leaking beats unmapping a live stack */
    }
    kos_release(mapping, page + size);
}

/*
 * Gives the thread an alternate signal stack unless it has one already
 * (its own, or a sanitizer's), once per thread, at its first Wasm entry;
 * this also installs the handler if nobody has yet (pthread_once makes the
 * install's results visible to this thread). Best effort: without an
 * alternate stack the handler runs on the thread's stack, which is fine
 * whenever that is not exhausted.
 */
static void altstack_ensure(void)
{
    if (tls_altstack_checked)
        return;
    tls_altstack_checked = true;
    stack_t old;
    if (kos_signals_install() != 0 || !g_altstack_key_ok || sigaltstack(NULL, &old) != 0 ||
        !(old.ss_flags & SS_DISABLE))
        return;
    size_t page = kos_page_size(), size = altstack_size();
    void *mapping;
    if (kos_reserve(page + size, &mapping) != 0)
        return;
    stack_t ss = {.ss_sp = (char *)mapping + page, .ss_size = size, .ss_flags = 0};
    if (kos_commit(ss.ss_sp, size) != 0 || sigaltstack(&ss, NULL) != 0) {
        kos_release(mapping, page + size);
        return;
    }
    if (pthread_setspecific(g_altstack_key, mapping) != 0) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        kos_release(mapping, page + size);
    }
}

/* ---- executions ------------------------------------------------------------------ */

int kos_exec_run(kos_exec *ex, kos_exec_body *body, void *arg)
{
    altstack_ensure();
    ex->prev = tls_current;
    ex->fault_addr = 0;
    ex->fault_signal = 0;
    if (sigsetjmp(ex->jmp, 0) != 0) {
        tls_current = ex->prev;
        return KOS_EXEC_FAULT;
    }
    tls_current = ex;
    body(arg);
    tls_current = ex->prev;
    return KOS_EXEC_OK;
}

kos_exec *kos_exec_current(void) { return tls_current; }

kos_exec *kos_exec_pause(void)
{
    kos_exec *saved = tls_current;
    tls_current = NULL;
    return saved;
}

void kos_exec_resume(kos_exec *saved) { tls_current = saved; }
