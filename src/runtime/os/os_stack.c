/*
 * The bounds of the calling thread's C stack (see os.h), for checking how
 * much is left before entering Wasm again from a host function.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* pthread_getattr_np */
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
#include <stdbool.h>

/* Per thread: 0 not asked yet, else the answer (an errno, or KNOWN). */
enum { KNOWN = -1 };
static _Thread_local int tls_state;
static _Thread_local uintptr_t tls_lo, tls_hi;

/* Asks the system. On Linux, glibc finds the main thread's stack in
 * /proc/self/maps (bounded by RLIMIT_STACK): slow, hence the cache. */
static int query(uintptr_t *lo, uintptr_t *hi)
{
#if defined(__linux__)
    pthread_attr_t attr;
    int e = pthread_getattr_np(pthread_self(), &attr);
    if (e)
        return e;
    void *addr = NULL;
    size_t size = 0;
    e = pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    if (e)
        return e;
    *lo = (uintptr_t)addr;
    *hi = (uintptr_t)addr + size;
    return 0;
#elif defined(__APPLE__)
    pthread_t self = pthread_self();
    uintptr_t top = (uintptr_t)pthread_get_stackaddr_np(self);
    size_t size = pthread_get_stacksize_np(self);
    *lo = top - size;
    *hi = top;
    return 0;
#else
    (void)lo;
    (void)hi;
    return ENOSYS;
#endif
}

int kos_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    if (tls_state == 0) {
        int e = query(&tls_lo, &tls_hi);
        tls_state = e ? e : KNOWN;
        if (!e && tls_lo >= tls_hi)
            tls_state = EINVAL;
    }
    if (tls_state != KNOWN)
        return tls_state;
    *lo = tls_lo;
    *hi = tls_hi;
    return 0;
}

#if !(defined(__GNUC__) || defined(__clang__))
uintptr_t kos_stack_here(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}
#endif

uintptr_t kos_stack_limit(size_t reserve)
{
    volatile char probe = 0;
    uintptr_t here = (uintptr_t)&probe;
    uintptr_t low, high;
    if (kos_stack_bounds(&low, &high) != 0 || low >= here || here > high)
        /* unknown (or not this thread's system stack): assume room for twice the reserve */
        return here > 2 * reserve ? here - 2 * reserve : here;
    uintptr_t room = here - low;
    return low + (room / 2 < reserve ? room / 2 : reserve);
}
