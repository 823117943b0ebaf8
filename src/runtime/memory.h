/*
 * Linear memories.
 *
 * A memory's address space is reserved once at creation and the memory never
 * moves: growing only commits more of the reservation. Two layouts:
 *
 *   guarded (32-bit memories with 64 KiB pages, when the reservation works):
 *
 *     base                 base+size            base+4 GiB          base+8 GiB+64 KiB
 *     |  committed (RW)    |  reserved, no access (faults)                       |
 *
 *   Addresses and offsets are both below 2^32 and an access is at most 16
 *   bytes, so base + addr + offset + 15 < base + 8 GiB + 64 KiB: every
 *   access either lies below `size` or faults inside the reservation, and
 *   the fault handler (os/os.h) turns the fault into the trap "out of bounds
 *   memory access". Code may then skip bounds checks entirely, as long as it
 *   runs inside kos_exec_run. Creating such a memory installs the handler.
 *
 *   bounds-checked (memory64, page sizes below the OS page size, or when the
 *   8 GiB reservation fails, e.g. under `ulimit -v`): the reservation covers
 *   the declared maximum (capped by krt_memory_opts.reserve_cap) and every
 *   access must be checked with krt_memory_check; needs_bounds_checks says so.
 *
 * Shared memories use the same layouts, reserved once up to their declared
 * maximum: the guarded layout when the engine's shared-memory reservation
 * cap (krt_memory_opts.shared_reserve_cap) allows its 8 GiB, else a
 * bounds-checked reservation of the maximum within that cap. Since they
 * never move, growing one while other threads access it is safe: growth
 * takes grow_lock, commits, then publishes the new size with a release
 * store, and every reader (bounds checks, memory.size, the host API) loads
 * it with acquire. Memory reads as zero when grown (fresh pages from the
 * OS) and only what is committed costs memory. A shared memory also owns
 * the parking lot of memory.atomic.wait/notify (parking.c).
 *
 * Ownership: a memory is reference-counted (shared memories are held by
 * several instances and threads); krt_memory_new returns one reference.
 */
#ifndef KITE_RUNTIME_MEMORY_H
#define KITE_RUNTIME_MEMORY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ir/types.h"
#include "kite.h"
#include "runtime/budget.h"

/* What krt_memory_grow returns when the memory cannot grow (-1 as i32/i64). */
#define KRT_MEMORY_GROW_FAILED UINT64_MAX

/* The reservation of a guarded memory: 8 GiB of addresses plus offsets, and
 * one 64 KiB page for the tail of the widest access. */
#define KRT_MEMORY_GUARDED_RESERVE ((UINT64_C(8) << 30) + (UINT64_C(64) << 10))

/* The default cap on a bounds-checked memory's reservation, which bounds
 * how far a memory without a (small enough) maximum can grow. */
#define KRT_MEMORY_DEFAULT_RESERVE_CAP (UINT64_C(16) << 30)

/* The default cap on a shared memory's reservation (guard included): any
 * 32-bit shared memory fits in it with the guarded layout, and a memory64
 * one can grow to 64 GiB. It costs only address space. */
#define KRT_SHARED_RESERVE_DEFAULT_CAP (UINT64_C(64) << 30)

typedef struct krt_memory_opts {
    krt_budget *budget;       /* store-wide byte limit, or NULL */
    uint64_t max_bytes;       /* this memory's own size limit; 0: none */
    uint64_t reserve_cap;     /* unshared reservations; below KRT_MEMORY_GUARDED_RESERVE it
                                 rules out the guarded layout; 0: the default */
    uint64_t shared_reserve_cap; /* shared memories' reservations; 0: the default */
    bool force_bounds_checks; /* never use the guarded layout */
} krt_memory_opts;

struct krt_parking;

typedef struct krt_memory {
    uint8_t *base;               /* start of the reservation; never moves */
    _Atomic(uint64_t) size;      /* accessible bytes: pages << page_size_log2 */
    _Atomic(uint64_t) pages;
    uint64_t max_pages;          /* the declared maximum, or the address type's */
    uint32_t page_size_log2;     /* 16, or 0 with custom-page-sizes */
    bool is64;
    bool shared;
    bool needs_bounds_checks;    /* bounds-checked layout (see above) */
    uint64_t reserved;           /* bytes of address space reserved at base */
    uint64_t committed;          /* bytes committed at base (OS pages); under grow_lock */
    uint64_t max_bytes;          /* opts.max_bytes, or UINT64_MAX */
    krt_budget *budget;
    const kite_allocator_t *alloc; /* of this struct: the engine's */
    void *guard;                 /* registration in the fault handler's registry */
    _Atomic(uint32_t) refs;
    pthread_mutex_t grow_lock;   /* serialises growth (concurrent for shared memories) */
    struct krt_parking *lot;     /* shared memories: waiters of memory.atomic.wait */
} krt_memory;

/* Why a memory.grow failed: the module's own limit (the spec's -1), or
 * something of the host's that the embedder may want to hear about. */
typedef enum krt_grow_failure {
    KRT_GROW_OVER_MAX,         /* past the declared maximum or the address type */
    KRT_GROW_OVER_RESERVATION, /* the reservation (capped, or cut by the OS) ends first */
    KRT_GROW_OVER_LIMIT,       /* the store's memory limit or the memory's max_bytes */
    KRT_GROW_OS_REFUSED,       /* the OS would not commit the pages */
} krt_grow_failure;

/* Result of the memory instructions' helpers below. The executor maps
 * KRT_MEM_OUT_OF_BOUNDS to the trap "out of bounds memory access". */
typedef enum krt_mem_status {
    KRT_MEM_OK = 0,
    KRT_MEM_OUT_OF_BOUNDS = 1,
} krt_mem_status;

/*
 * Creates a memory (its bookkeeping allocated with `alloc`, which must
 * outlive it) of limits->min pages of 2^page_size_log2 bytes, with the
 * limits' maximum, address type (is64) and sharing. opts may be NULL for no
 * limits and defaults. Errors: KITE_ERROR_LIMIT when the initial size is over
 * a limit, KITE_ERROR_OUT_OF_MEMORY when the OS refuses the reservation or
 * the initial commit.
 */
kite_error_t *krt_memory_new(const kite_allocator_t *alloc, const kir_limits *limits,
                             uint32_t page_size_log2, const krt_memory_opts *opts,
                             krt_memory **out);

void krt_memory_retain(krt_memory *m);
/* krt_memory_release by a store whose budget may have been charged for m
 * (the creator of a shared memory others still hold): the budget is
 * refunded and no longer charged. NULL m is ignored. */
void krt_memory_release_from(krt_memory *m, krt_budget *budget);
/* Drops one reference; the last one unmaps the memory. NULL is ignored. */
void krt_memory_release(krt_memory *m);

/*
 * memory.grow: adds delta pages and returns the old page count, or
 * KRT_MEMORY_GROW_FAILED when the result would exceed the maximum, a limit
 * (max_bytes, budget), the reservation, or the OS refuses to commit. On
 * failure nothing changes. Safe to call from several threads at once.
 */
uint64_t krt_memory_grow(krt_memory *m, uint64_t delta);
/* The same, saying why it failed in *why (when not NULL). */
uint64_t krt_memory_grow_why(krt_memory *m, uint64_t delta, krt_grow_failure *why);

/* Current size in bytes / pages. Acquire loads: a thread that sees a size
 * also sees the memory below it committed. */
static inline uint64_t krt_memory_size(const krt_memory *m)
{
    return atomic_load_explicit(&((krt_memory *)m)->size, memory_order_acquire);
}

static inline uint64_t krt_memory_pages(const krt_memory *m)
{
    return atomic_load_explicit(&((krt_memory *)m)->pages, memory_order_acquire);
}

/* Whether an access of `size` bytes at addr + offset lies inside the memory,
 * without overflowing for any 64-bit addr and offset. */
static inline bool krt_memory_check(const krt_memory *m, uint64_t addr, uint64_t offset,
                                    uint64_t size)
{
    uint64_t ea = addr + offset;
    if (ea < addr)
        return false;
    uint64_t limit = krt_memory_size(m);
    return size <= limit && ea <= limit - size;
}

/* The host address of a checked access, or NULL when it is out of bounds. */
static inline uint8_t *krt_memory_ptr(const krt_memory *m, uint64_t addr, uint64_t offset,
                                      uint64_t size)
{
    return krt_memory_check(m, addr, offset, size) ? m->base + addr + offset : NULL;
}

/* memory.fill: n bytes of val at d. Out of bounds writes nothing. */
krt_mem_status krt_memory_fill(krt_memory *m, uint64_t d, uint8_t val, uint64_t n);

/* memory.copy: n bytes from src at s to dst at d (the same or another
 * memory); overlapping ranges copy as if through a temporary buffer. */
krt_mem_status krt_memory_copy(krt_memory *dst, uint64_t d, const krt_memory *src, uint64_t s,
                               uint64_t n);

/* memory.init: n bytes of a data segment (data_len bytes long; 0 once
 * dropped) from s to the memory at d. Either range out of bounds traps. */
krt_mem_status krt_memory_init(krt_memory *m, uint64_t d, const uint8_t *data, uint64_t data_len,
                               uint64_t s, uint64_t n);

#endif
