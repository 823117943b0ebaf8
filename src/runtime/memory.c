#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* POSIX declarations (sigjmp_buf in os.h) under strict -std=c17 */
#endif

#include "runtime/memory.h"

#include <string.h>

#include "runtime/os/os.h"
#include "runtime/parking.h"
#include "runtime/tsan.h"
#include "util/alloc.h"
#include "util/error.h"

/* n rounded up to a multiple of align (a power of two), saturating. */
static uint64_t round_up(uint64_t n, uint64_t align)
{
    uint64_t mask = align - 1;
    return n > UINT64_MAX - mask ? UINT64_MAX & ~mask : (n + mask) & ~mask;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* pages << log2, saturating at UINT64_MAX. */
static uint64_t pages_to_bytes(uint64_t pages, uint32_t log2)
{
    return pages > (UINT64_MAX >> log2) ? UINT64_MAX : pages << log2;
}

/* The most pages the address type allows: 2^32 or 2^64 bytes' worth, and no
 * more than the limits' encoding (u32 / u64) can state. */
static uint64_t address_max_pages(bool is64, uint32_t log2)
{
    if (is64)
        return log2 == 0 ? UINT64_MAX : UINT64_C(1) << (64 - log2);
    return min_u64(UINT64_C(1) << (32 - log2), UINT32_MAX);
}

static uint64_t shared_cap(const krt_memory_opts *opts)
{
    return opts->shared_reserve_cap ? opts->shared_reserve_cap : KRT_SHARED_RESERVE_DEFAULT_CAP;
}

/*
 * Reserves the guarded layout if this memory can use it. Fails quietly
 * (leaving m->base NULL) so the caller falls back to the bounds-checked
 * layout, which also covers systems that limit address space.
 */
static void reserve_guarded(krt_memory *m, const krt_memory_opts *opts)
{
    bool small_pages = (UINT64_C(1) << m->page_size_log2) < kos_page_size();
    if (m->is64 || small_pages || opts->force_bounds_checks)
        return;
    if (!m->shared && opts->reserve_cap && opts->reserve_cap < KRT_MEMORY_GUARDED_RESERVE)
        return;
#if defined(KITE_TSAN)
    /* ThreadSanitizer does not survive leaving a SIGSEGV handler by
     * siglongjmp: its builds check bounds instead. */
    return;
#endif
    if (m->shared && shared_cap(opts) < KRT_MEMORY_GUARDED_RESERVE)
        return;
    if (KRT_MEMORY_GUARDED_RESERVE > SIZE_MAX || kos_signals_install() != 0)
        return;
    void *base;
    if (kos_reserve((size_t)KRT_MEMORY_GUARDED_RESERVE, &base) != 0)
        return;
    m->base = base;
    m->reserved = KRT_MEMORY_GUARDED_RESERVE;
    /* Without a registration faults would not become traps; the reservation
     * is still good for the bounds-checked layout. */
    m->needs_bounds_checks = kos_guard_register(base, (size_t)m->reserved, &m->guard) != 0;
}

/*
 * The bounds-checked layout reserves what the memory can ever grow to (its
 * maximum, within the limits and the cap), halving on failure down to the
 * initial size: a smaller reservation only limits growth.
 */
static kite_error_t *reserve_checked(krt_memory *m, const krt_memory_opts *opts,
                                     uint64_t min_bytes)
{
    uint64_t page = kos_page_size();
    uint64_t cap = opts->reserve_cap ? opts->reserve_cap : KRT_MEMORY_DEFAULT_RESERVE_CAP;
    uint64_t want = pages_to_bytes(m->max_pages, m->page_size_log2);
    /* A shared memory is reserved up to its maximum, whatever the store's
     * limit now (which a shared memory outlives), within its own cap. */
    want = min_u64(want, m->shared ? shared_cap(opts) : cap);
    want = min_u64(want, m->max_bytes);
    if (opts->budget && !m->shared)
        want = min_u64(want, opts->budget->limit);
    want = min_u64(want, SIZE_MAX);
    uint64_t floor = round_up(min_bytes, page);
    if (floor == 0)
        floor = page;
    want = round_up(want, page);
    if (want < floor)
        want = floor;
    for (;;) {
        void *base;
        if (want <= SIZE_MAX && kos_reserve((size_t)want, &base) == 0) {
            m->base = base;
            m->reserved = want;
            m->needs_bounds_checks = true;
            return NULL;
        }
        if (want == floor)
            return kutil_error_new(m->alloc, KITE_ERROR_OUT_OF_MEMORY,
                                   "cannot reserve %llu bytes of address space for a memory",
                                   (unsigned long long)want);
        want = round_up(want / 2, page);
        if (want < floor)
            want = floor;
    }
}

static void destroy(krt_memory *m)
{
    kos_guard_unregister(m->guard);
    if (m->base)
        kos_release(m->base, (size_t)m->reserved);
    krt_budget_refund(m->budget, atomic_load(&m->size));
    pthread_mutex_destroy(&m->grow_lock);
    krt_parking_free(m->lot);
    kutil_free(m->alloc, m);
}

kite_error_t *krt_memory_new(const kite_allocator_t *alloc, const kir_limits *limits,
                             uint32_t page_size_log2, const krt_memory_opts *opts, krt_memory **out)
{
    static const krt_memory_opts defaults = {0};
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (page_size_log2 > 16)
        return kutil_error_new(alloc, KITE_ERROR_ARGUMENT, "unsupported memory page size 2^%u",
                               page_size_log2);
    uint64_t max_pages = address_max_pages(limits->is64, page_size_log2);
    if (limits->has_max)
        max_pages = min_u64(max_pages, limits->max);
    if (limits->min > max_pages)
        return kutil_error_new(alloc, KITE_ERROR_LIMIT, "memory size must be at most %llu pages",
                               (unsigned long long)max_pages);
    uint64_t max_bytes = opts->max_bytes ? opts->max_bytes : UINT64_MAX;
    uint64_t min_bytes = pages_to_bytes(limits->min, page_size_log2);
    if (min_bytes == UINT64_MAX || min_bytes > max_bytes || min_bytes > SIZE_MAX)
        return kutil_error_new(alloc, KITE_ERROR_LIMIT,
                               "memory of %llu pages exceeds the memory limit",
                               (unsigned long long)limits->min);

    krt_memory *m = kutil_calloc(alloc, 1, sizeof(*m));
    if (!m)
        return kutil_error_oom();
    if (pthread_mutex_init(&m->grow_lock, NULL) != 0) {
        kutil_free(alloc, m);
        return kutil_error_oom();
    }
    m->alloc = alloc;
    atomic_init(&m->size, 0);
    atomic_init(&m->pages, 0);
    atomic_init(&m->refs, 1);
    m->max_pages = max_pages;
    m->page_size_log2 = page_size_log2;
    m->is64 = limits->is64;
    m->shared = limits->shared;
    m->max_bytes = max_bytes;

    if (m->shared && !(m->lot = krt_parking_new(alloc))) {
        destroy(m);
        return kutil_error_oom();
    }
    reserve_guarded(m, opts);
    kite_error_t *err = m->base ? NULL : reserve_checked(m, opts, min_bytes);
    if (err) {
        destroy(m);
        return err;
    }
    if (!krt_budget_charge(opts->budget, min_bytes)) {
        destroy(m);
        return kutil_error_new(alloc, KITE_ERROR_LIMIT,
                               "memory of %llu bytes exceeds the store's memory limit",
                               (unsigned long long)min_bytes);
    }
    m->budget = opts->budget;
    atomic_store(&m->size, min_bytes); /* refunded by destroy from here on */
    atomic_store(&m->pages, limits->min);
    uint64_t commit = round_up(min_bytes, kos_page_size());
    if (commit > m->reserved || kos_commit(m->base, (size_t)commit) != 0) {
        destroy(m);
        return kutil_error_new(alloc, KITE_ERROR_OUT_OF_MEMORY,
                               "cannot commit %llu bytes of memory", (unsigned long long)commit);
    }
    m->committed = commit;
    *out = m;
    return NULL;
}

void krt_memory_retain(krt_memory *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

void krt_memory_release(krt_memory *m)
{
    if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
        destroy(m);
}

static uint64_t grow_locked(krt_memory *m, uint64_t delta, krt_grow_failure *why)
{
    uint64_t old = atomic_load_explicit(&m->pages, memory_order_relaxed);
    if (delta == 0)
        return old;
    *why = KRT_GROW_OVER_MAX;
    if (delta > m->max_pages - old)
        return KRT_MEMORY_GROW_FAILED;
    uint64_t pages = old + delta;
    *why = KRT_GROW_OVER_RESERVATION;
    if (pages > (m->reserved >> m->page_size_log2))
        return KRT_MEMORY_GROW_FAILED;
    uint64_t old_bytes = old << m->page_size_log2, bytes = pages << m->page_size_log2;
    *why = KRT_GROW_OVER_LIMIT;
    if (bytes > m->max_bytes || !krt_budget_charge(m->budget, bytes - old_bytes))
        return KRT_MEMORY_GROW_FAILED;
    uint64_t commit = round_up(bytes, kos_page_size());
    if (commit > m->committed) {
        if (kos_commit(m->base + m->committed, (size_t)(commit - m->committed)) != 0) {
            krt_budget_refund(m->budget, bytes - old_bytes);
            *why = KRT_GROW_OS_REFUSED;
            return KRT_MEMORY_GROW_FAILED;
        }
        m->committed = commit;
    }
    /* Release: whoever sees the new size sees the pages committed. */
    atomic_store_explicit(&m->pages, pages, memory_order_release);
    atomic_store_explicit(&m->size, bytes, memory_order_release);
    return old;
}

/* The lock is uncontended for unshared memories; growth is rare enough that
 * one path for both is worth more than the saved lock. */
uint64_t krt_memory_grow_why(krt_memory *m, uint64_t delta, krt_grow_failure *why)
{
    krt_grow_failure ignored;
    if (!why)
        why = &ignored;
    *why = KRT_GROW_OS_REFUSED;
    if (pthread_mutex_lock(&m->grow_lock) != 0)
        return KRT_MEMORY_GROW_FAILED;
    uint64_t result = grow_locked(m, delta, why);
    pthread_mutex_unlock(&m->grow_lock);
    return result;
}

uint64_t krt_memory_grow(krt_memory *m, uint64_t delta) { return krt_memory_grow_why(m, delta, NULL); }

void krt_memory_release_from(krt_memory *m, krt_budget *budget)
{
    if (m && m->shared && pthread_mutex_lock(&m->grow_lock) == 0) {
        if (m->budget == budget) {
            krt_budget_refund(budget, atomic_load_explicit(&m->size, memory_order_relaxed));
            m->budget = NULL;
        }
        pthread_mutex_unlock(&m->grow_lock);
    }
    krt_memory_release(m);
}

/* Whether [start, start+n) fits in `limit` bytes, overflow-safe. */
static bool range_ok(uint64_t start, uint64_t n, uint64_t limit)
{
    return n <= limit && start <= limit - n;
}

krt_mem_status krt_memory_fill(krt_memory *m, uint64_t d, uint8_t val, uint64_t n)
{
    if (!range_ok(d, n, krt_memory_size(m)))
        return KRT_MEM_OUT_OF_BOUNDS;
    if (n)
        krt_guest_set(m->base + d, val, (size_t)n);
    return KRT_MEM_OK;
}

krt_mem_status krt_memory_copy(krt_memory *dst, uint64_t d, const krt_memory *src, uint64_t s,
                               uint64_t n)
{
    if (!range_ok(d, n, krt_memory_size(dst)) || !range_ok(s, n, krt_memory_size(src)))
        return KRT_MEM_OUT_OF_BOUNDS;
    if (n)
        krt_guest_move(dst->base + d, src->base + s, (size_t)n);
    return KRT_MEM_OK;
}

krt_mem_status krt_memory_init(krt_memory *m, uint64_t d, const uint8_t *data, uint64_t data_len,
                               uint64_t s, uint64_t n)
{
    if (!range_ok(d, n, krt_memory_size(m)) || !range_ok(s, n, data_len))
        return KRT_MEM_OUT_OF_BOUNDS;
    if (n)
        krt_guest_copy(m->base + d, data + s, (size_t)n);
    return KRT_MEM_OK;
}
