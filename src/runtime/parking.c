/*
 * The parking lot of memory.atomic.wait / notify (see parking.h).
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include "runtime/parking.h"

#include <errno.h>
#include <pthread.h>

#include "runtime/os/os.h"
#include "runtime/runtime.h"
#include "util/alloc.h"

#define PARKING_BUCKETS 64u

typedef struct waiter {
    struct waiter *prev, *next;
    uint64_t ea;
    bool woken; /* unlinked by a notify; under the bucket lock */
    kos_sem sem;
} waiter;

typedef struct bucket {
    pthread_mutex_t lock;
    waiter *head, *tail;
} bucket;

struct krt_parking {
    bucket buckets[PARKING_BUCKETS];
    const kite_allocator_t *alloc;
};

krt_parking *krt_parking_new(const kite_allocator_t *alloc)
{
    krt_parking *lot = kutil_calloc(alloc, 1, sizeof(*lot));
    if (!lot)
        return NULL;
    lot->alloc = alloc;
    for (unsigned i = 0; i < PARKING_BUCKETS; i++) {
        if (pthread_mutex_init(&lot->buckets[i].lock, NULL) != 0) {
            while (i--)
                pthread_mutex_destroy(&lot->buckets[i].lock);
            kutil_free(alloc, lot);
            return NULL;
        }
    }
    return lot;
}

void krt_parking_free(krt_parking *lot)
{
    if (!lot)
        return;
    for (unsigned i = 0; i < PARKING_BUCKETS; i++)
        pthread_mutex_destroy(&lot->buckets[i].lock);
    kutil_free(lot->alloc, lot);
}

/* Waits on nearby addresses (the words of one lock, say) spread over buckets. */
static bucket *bucket_of(krt_parking *lot, uint64_t ea)
{
    uint64_t h = (ea >> 2) * UINT64_C(0x9E3779B97F4A7C15);
    return &lot->buckets[h >> 58];
}

static void unlink_waiter(bucket *b, waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        b->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        b->tail = w->prev;
    w->prev = w->next = NULL;
}

static uint64_t load_value(const krt_memory *m, uint64_t ea, bool is64)
{
    const uint8_t *p = m->base + ea;
    if (is64)
        return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_SEQ_CST);
    return __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_SEQ_CST);
}

/* now + ns, saturating at UINT64_MAX ("no deadline"). */
static uint64_t deadline_after(uint64_t now, uint64_t ns)
{
    return ns >= UINT64_MAX - now ? UINT64_MAX : now + ns;
}

/*
 * The store's current wait, for kite_store_interrupt: the semaphore to post.
 * An interrupter takes the pointer with an exchange and posts it inside a
 * window counted by `wakers`; the waiter, before its semaphore goes away,
 * takes the pointer back and waits out any window still open (a few
 * instructions, never blocking).
 */
static void publish_wait(kite_store_t *store, kos_sem *sem)
{
    atomic_store_explicit(&store->wait_sem, (void *)sem, memory_order_seq_cst);
}

static void retract_wait(kite_store_t *store)
{
    atomic_exchange_explicit(&store->wait_sem, NULL, memory_order_seq_cst);
    while (atomic_load_explicit(&store->wait_wakers, memory_order_seq_cst) != 0) {
    }
}

void krt_parking_interrupt(kite_store_t *store)
{
    atomic_fetch_add_explicit(&store->wait_wakers, 1, memory_order_seq_cst);
    kos_sem *sem = atomic_exchange_explicit(&store->wait_sem, NULL, memory_order_seq_cst);
    if (sem)
        kos_sem_post(sem);
    atomic_fetch_sub_explicit(&store->wait_wakers, 1, memory_order_seq_cst);
}

static bool interrupt_pending(kite_store_t *store)
{
    return store->interrupts_enabled &&
           atomic_load_explicit(&store->interrupt_requested, memory_order_seq_cst);
}

uint32_t krt_atomic_wait(kite_store_t *store, krt_memory *m, uint64_t ea, uint64_t expected,
                         bool is64, int64_t timeout_ns, kite_trap_kind_t *trap)
{
    bucket *b = bucket_of(m->lot, ea);
    waiter w = {.ea = ea};
    if (kos_sem_init(&w.sem) != 0) {
        *trap = KITE_TRAP_OUT_OF_MEMORY;
        return KRT_WAIT_TRAP;
    }
    uint64_t start = kos_monotonic_ns();
    uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : deadline_after(start, (uint64_t)timeout_ns);
    /* With fuel, the fuel left bounds the sleep (one unit per nanosecond). */
    bool fuel_bound = false;
    if (store->fuel_enabled && deadline_after(start, store->fuel) <= deadline) {
        deadline = deadline_after(start, store->fuel);
        fuel_bound = true;
    }

    pthread_mutex_lock(&b->lock);
    if (load_value(m, ea, is64) != (is64 ? expected : (uint32_t)expected)) {
        pthread_mutex_unlock(&b->lock);
        kos_sem_destroy(&w.sem);
        return KRT_WAIT_NOT_EQUAL;
    }
    w.prev = b->tail;
    if (b->tail)
        b->tail->next = &w;
    else
        b->head = &w;
    b->tail = &w;
    pthread_mutex_unlock(&b->lock);

    publish_wait(store, &w.sem);
    uint32_t result = KRT_WAIT_TIMED_OUT;
    bool interrupted = false, timed_out = false;
    for (;;) {
        interrupted = interrupt_pending(store);
        timed_out = kos_monotonic_ns() >= deadline;
        if (!interrupted && !timed_out)
            kos_sem_wait_until(&w.sem, deadline);
        pthread_mutex_lock(&b->lock);
        if (w.woken) {
            result = KRT_WAIT_WOKEN;
            pthread_mutex_unlock(&b->lock);
            break;
        }
        if (interrupted || timed_out) {
            unlink_waiter(b, &w);
            pthread_mutex_unlock(&b->lock);
            break;
        }
        pthread_mutex_unlock(&b->lock);
    }
    retract_wait(store);
    kos_sem_destroy(&w.sem);

    if (store->fuel_enabled) {
        uint64_t slept = kos_monotonic_ns() - start;
        store->fuel = slept >= store->fuel ? 0 : store->fuel - slept;
    }
    if (result == KRT_WAIT_WOKEN)
        return result;
    if (interrupted) {
        /* Consumed, as a check in Wasm code would. */
        atomic_store_explicit(&store->interrupt_requested, false, memory_order_relaxed);
        *trap = KITE_TRAP_INTERRUPTED;
        return KRT_WAIT_TRAP;
    }
    if (fuel_bound) {
        store->fuel = 0;
        *trap = KITE_TRAP_OUT_OF_FUEL;
        return KRT_WAIT_TRAP;
    }
    return KRT_WAIT_TIMED_OUT;
}

uint32_t krt_parking_count(krt_memory *m, uint64_t ea)
{
    if (!m->shared)
        return 0;
    bucket *b = bucket_of(m->lot, ea);
    uint32_t n = 0;
    pthread_mutex_lock(&b->lock);
    for (waiter *w = b->head; w; w = w->next)
        n += w->ea == ea;
    pthread_mutex_unlock(&b->lock);
    return n;
}

uint32_t krt_atomic_notify(krt_memory *m, uint64_t ea, uint32_t count)
{
    if (!m->shared || count == 0)
        return 0;
    bucket *b = bucket_of(m->lot, ea);
    uint32_t woken = 0;
    pthread_mutex_lock(&b->lock);
    for (waiter *w = b->head; w && woken < count;) {
        waiter *next = w->next;
        if (w->ea == ea) {
            unlink_waiter(b, w);
            w->woken = true;
            kos_sem_post(&w->sem); /* under the lock: the waiter is still there */
            woken++;
        }
        w = next;
    }
    pthread_mutex_unlock(&b->lock);
    return woken;
}
