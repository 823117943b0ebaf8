/*
 * memory.atomic.wait32/64 and memory.atomic.notify: a parking lot per shared
 * memory, keyed by address.
 *
 * A waiter is a node on its own stack, queued at the tail of the list of the
 * bucket its address hashes to, and sleeps on its own semaphore; notify
 * walks the bucket from the head and wakes the first `count` waiters on the
 * address (FIFO), unlinking each and posting its semaphore while it holds
 * the bucket's lock, so a waiter never leaves while it can still be posted.
 * Nothing is allocated per address: an address nobody waits on costs
 * nothing, however many were waited on before.
 *
 * A wait wakes at once when the store is interrupted (kite_store_interrupt
 * posts the semaphore of the store's current wait, lock-free), and, with
 * fuel, is charged one unit of fuel per nanosecond it sleeps: a wait longer
 * than the fuel left traps "all fuel consumed" when that runs out, so a
 * program limited by fuel alone always ends, even in a deadlock.
 */
#ifndef KITE_RUNTIME_PARKING_H
#define KITE_RUNTIME_PARKING_H

#include <stdbool.h>
#include <stdint.h>

#include "kite.h"
#include "runtime/memory.h"

typedef struct krt_parking krt_parking;

/* A memory's lot; NULL when out of memory. krt_parking_free(NULL) is a no-op. */
krt_parking *krt_parking_new(const kite_allocator_t *alloc);
void krt_parking_free(krt_parking *lot);

/* What memory.atomic.wait returns, or KRT_WAIT_TRAP with the trap kind. */
enum { KRT_WAIT_WOKEN = 0, KRT_WAIT_NOT_EQUAL = 1, KRT_WAIT_TIMED_OUT = 2, KRT_WAIT_TRAP = 3 };

/*
 * memory.atomic.wait32 (is64 false) or wait64 on shared memory m at byte
 * address ea, which the caller checked for bounds and alignment: sleeps
 * while the value there equals `expected` until notified, for at most
 * timeout_ns (negative: no limit). `store` is the store whose code waits
 * (for interrupts and fuel).
 */
uint32_t krt_atomic_wait(kite_store_t *store, krt_memory *m, uint64_t ea, uint64_t expected,
                         bool is64, int64_t timeout_ns, kite_trap_kind_t *trap);

/* memory.atomic.notify: wakes up to `count` waiters on ea, oldest first;
 * returns how many. 0 for an unshared memory (nobody can wait there). */
uint32_t krt_atomic_notify(krt_memory *m, uint64_t ea, uint32_t count);

/* How many waiters are parked on ea now (for tests). */
uint32_t krt_parking_count(krt_memory *m, uint64_t ea);

/* kite_store_interrupt's wake-up of a waiting store (async-signal-safe). */
void krt_parking_interrupt(kite_store_t *store);

#endif
