/*
 * Semaphores and the monotonic clock (see os.h): what a thread parked in
 * memory.atomic.wait sleeps on.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* sem_clockwait */
#endif

#include "runtime/os/os.h"

#include <errno.h>
#include <time.h>

uint64_t kos_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

#if defined(__APPLE__)

int kos_sem_init(kos_sem *s)
{
    s->sem = dispatch_semaphore_create(0);
    return s->sem ? 0 : ENOMEM;
}

void kos_sem_destroy(kos_sem *s) { dispatch_release(s->sem); }

void kos_sem_post(kos_sem *s) { dispatch_semaphore_signal(s->sem); }

int kos_sem_wait_until(kos_sem *s, uint64_t deadline_ns)
{
    dispatch_time_t when = DISPATCH_TIME_FOREVER;
    if (deadline_ns != UINT64_MAX) {
        uint64_t now = kos_monotonic_ns();
        int64_t rel = deadline_ns > now ? (int64_t)(deadline_ns - now > INT64_MAX ? INT64_MAX : deadline_ns - now) : 0;
        when = dispatch_time(DISPATCH_TIME_NOW, rel);
    }
    return dispatch_semaphore_wait(s->sem, when) == 0 ? 0 : ETIMEDOUT;
}

#else

int kos_sem_init(kos_sem *s) { return sem_init(&s->sem, 0, 0) == 0 ? 0 : errno; }

void kos_sem_destroy(kos_sem *s) { sem_destroy(&s->sem); }

void kos_sem_post(kos_sem *s) { sem_post(&s->sem); }

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define KOS_HAVE_SEM_CLOCKWAIT 1
#endif

static struct timespec timespec_of(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    return ts;
}

int kos_sem_wait_until(kos_sem *s, uint64_t deadline_ns)
{
    if (deadline_ns == UINT64_MAX)
        return sem_wait(&s->sem) == 0 || errno == EINTR ? 0 : errno;
#if KOS_HAVE_SEM_CLOCKWAIT
    struct timespec ts = timespec_of(deadline_ns);
    if (sem_clockwait(&s->sem, CLOCK_MONOTONIC, &ts) == 0)
        return 0;
#else
    /* The realtime clock may jump; a wait that ends early is re-checked
     * against the monotonic deadline by the caller. */
    uint64_t now = kos_monotonic_ns();
    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    uint64_t rel = deadline_ns > now ? deadline_ns - now : 0;
    uint64_t abs = (uint64_t)real.tv_sec * UINT64_C(1000000000) + (uint64_t)real.tv_nsec;
    struct timespec ts = timespec_of(rel > UINT64_MAX - abs ? UINT64_MAX : abs + rel);
    if (sem_timedwait(&s->sem, &ts) == 0)
        return 0;
#endif
    return errno == EINTR ? 0 : errno;
}

#endif
