/* Clocks, sleeping, poll_oneoff, randomness and sched_yield. */
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

volatile uint64_t sink; /* keeps the busy loop */

static uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void clocks(void)
{
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 1600000000, "realtime is after 2020");
    clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                       CLOCK_THREAD_CPUTIME_ID};
    const char *names[] = {"realtime", "monotonic", "process cputime", "thread cputime"};
    char what[80];
    for (int i = 0; i < 4; i++) {
        snprintf(what, sizeof(what), "%s resolution is positive and at most 1 ms", names[i]);
        CHECK(clock_getres(ids[i], &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec > 0 &&
                  ts.tv_nsec <= 1000000,
              what);
    }
    uint64_t m0 = now_ns(CLOCK_MONOTONIC), m1 = now_ns(CLOCK_MONOTONIC);
    CHECK(m1 >= m0, "monotonic does not go back");
    uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < 3000000; i++)
        sink += (uint64_t)i * 7;
    CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) > c0, "process cputime advances while computing");
    CHECK(now_ns(CLOCK_THREAD_CPUTIME_ID) > t0, "thread cputime advances while computing");
    uint64_t out;
    CHECK_WASI(__wasi_clock_time_get(4, 0, &out), __WASI_ERRNO_INVAL, "clock_time_get(4)");
    CHECK_WASI(__wasi_clock_res_get(99, &out), __WASI_ERRNO_INVAL, "clock_res_get(99)");
}

static void sleeping(void)
{
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec d = {0, 30000000};
    CHECK(nanosleep(&d, NULL) == 0, "nanosleep 30 ms");
    uint64_t t1 = now_ns(CLOCK_MONOTONIC);
    CHECK(t1 - t0 >= 30000000, "at least 30 ms passed");
    CHECK(usleep(10000) == 0, "usleep 10 ms");
    CHECK(now_ns(CLOCK_MONOTONIC) - t1 >= 10000000, "at least 10 ms passed");

    /* Absolute deadlines on both clocks. */
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0,
          "clock_nanosleep monotonic absolute");
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &after);
    CHECK(after.tv_sec > abs.tv_sec || (after.tv_sec == abs.tv_sec && after.tv_nsec >= abs.tv_nsec),
          "woke after the deadline");
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_sec -= 10; /* in the past: returns at once */
    uint64_t p0 = now_ns(CLOCK_MONOTONIC);
    CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL) == 0,
          "clock_nanosleep realtime absolute in the past");
    CHECK(now_ns(CLOCK_MONOTONIC) - p0 < 1000000000, "returned at once");
    CHECK(poll(NULL, 0, 15) == 0, "poll with only a timeout");
}

static void poll_oneoff(void)
{
    __wasi_subscription_t subs[4];
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    memset(subs, 0, sizeof(subs));
    /* A long timeout and a descriptor ready at once: only the descriptor fires. */
    subs[0].userdata = 11;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 5000000000u;
    subs[1].userdata = 22;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 2;
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_WASI(__wasi_poll_oneoff(subs, ev, 2, &n), 0, "poll_oneoff clock + stderr writable");
    CHECK(n == 1 && ev[0].userdata == 22 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE &&
              ev[0].error == 0,
          "only the descriptor event");
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 1000000000, "without waiting for the clock");

    /* Two clocks: the earlier fires; a bad descriptor and a bad clock report errors. */
    memset(subs, 0, sizeof(subs));
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 10000000;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_REALTIME;
    subs[1].u.u.clock.timeout = 3000000000u;
    CHECK_WASI(__wasi_poll_oneoff(subs, ev, 2, &n), 0, "poll_oneoff two clocks");
    CHECK(n == 1 && ev[0].userdata == 1 && ev[0].type == __WASI_EVENTTYPE_CLOCK, "the earlier fired");
    subs[2].userdata = 3;
    subs[2].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[2].u.u.fd_read.file_descriptor = 999;
    subs[3].userdata = 4;
    subs[3].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[3].u.u.clock.id = 77;
    CHECK_WASI(__wasi_poll_oneoff(subs + 2, ev, 2, &n), 0, "poll_oneoff bad fd + bad clock");
    CHECK(n == 2 && ev[0].userdata == 3 && ev[0].error == __WASI_ERRNO_BADF &&
              ev[1].userdata == 4 && ev[1].error == __WASI_ERRNO_INVAL,
          "both reported with their errors");
    /* An absolute realtime deadline in the past fires at once. */
    subs[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
    subs[0].u.u.clock.timeout = 1;
    subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    CHECK_WASI(__wasi_poll_oneoff(subs, ev, 1, &n), 0, "poll_oneoff absolute past deadline");
    CHECK(n == 1 && ev[0].userdata == 1, "fired");
    CHECK_WASI(__wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL, "poll_oneoff nothing");
}

static void randomness(void)
{
    unsigned char a[64] = {0}, b[64] = {0}, zero[64] = {0};
    CHECK(getentropy(a, sizeof(a)) == 0 && getentropy(b, sizeof(b)) == 0, "getentropy");
    CHECK(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, sizeof(a)) != 0, "random bytes differ");
    static unsigned char big[1 << 20];
    CHECK_WASI(__wasi_random_get(big, sizeof(big)), 0, "random_get 1 MiB");
    int ones = 0;
    for (size_t i = 0; i < sizeof(big); i++)
        ones += __builtin_popcount(big[i]);
    CHECK(ones > 4100000 && ones < 4300000, "about half the bits are set");
    CHECK(sched_yield() == 0, "sched_yield");
}

int main(void)
{
    clocks();
    sleeping();
    poll_oneoff();
    randomness();
    printf("clock: %d failures\n", failures);
    return failures != 0;
}
