/*
 * A budget: a limit on some resource (bytes of linear memory, table
 * elements) shared by everything a store creates, so that "this store may use
 * at most N" holds across all its memories and tables together. Charges are
 * atomic because shared memories grow from several threads.
 *
 * The budget must outlive everything charged to it. A NULL budget means
 * "no limit" to both helpers.
 */
#ifndef KITE_RUNTIME_BUDGET_H
#define KITE_RUNTIME_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct krt_budget {
    _Atomic(uint64_t) used;
    uint64_t limit;
} krt_budget;

static inline void krt_budget_init(krt_budget *b, uint64_t limit)
{
    atomic_init(&b->used, 0);
    b->limit = limit;
}

/* Takes n units if that keeps the total within the limit. */
static inline bool krt_budget_charge(krt_budget *b, uint64_t n)
{
    if (!b)
        return true;
    uint64_t used = atomic_load_explicit(&b->used, memory_order_relaxed);
    do {
        if (n > b->limit || used > b->limit - n)
            return false;
    } while (!atomic_compare_exchange_weak_explicit(&b->used, &used, used + n,
                                                    memory_order_relaxed, memory_order_relaxed));
    return true;
}

static inline void krt_budget_refund(krt_budget *b, uint64_t n)
{
    if (b)
        atomic_fetch_sub_explicit(&b->used, n, memory_order_relaxed);
}

#endif
