/*
 * Virtual memory on POSIX systems: a reservation is an inaccessible
 * anonymous mapping; committing a range makes it read-write, decommitting
 * maps fresh inaccessible pages over it.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS, MAP_NORESERVE, madvise */
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "runtime/os/os.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0 /* only an accounting hint; absent on some systems */
#endif

/* A cache of a process constant (sysconf): threads that race store the same
 * value. */
static atomic_size_t g_page_size;

size_t kos_page_size(void)
{
    size_t size = atomic_load_explicit(&g_page_size, memory_order_relaxed);
    if (size == 0) {
        long n = sysconf(_SC_PAGESIZE);
        size = n > 0 ? (size_t)n : 4096;
        atomic_store_explicit(&g_page_size, size, memory_order_relaxed);
    }
    return size;
}

static int misaligned(const void *addr, size_t size)
{
    size_t mask = kos_page_size() - 1;
    return ((uintptr_t)addr & mask) != 0 || (size & mask) != 0;
}

/*
 * PROT_NONE pages are never charged against the commit limit, and
 * MAP_NORESERVE keeps Linux from charging them even if an overcommit policy
 * would; so a reservation costs only address space (and page tables once
 * touched).
 */
int kos_reserve(size_t size, void **out)
{
    *out = NULL;
    if (size == 0 || misaligned(NULL, size))
        return EINVAL;
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return errno ? errno : ENOMEM;
    *out = p;
    return 0;
}

/*
 * mprotect, not a fresh mapping: Linux charges only the newly writable range
 * here, and the kernel supplies zero pages lazily on first touch, so resident
 * memory grows with what the program writes, not with what it commits.
 */
int kos_commit(void *addr, size_t size)
{
    if (misaligned(addr, size))
        return EINVAL;
    if (size == 0)
        return 0;
    if (mprotect(addr, size, PROT_READ | PROT_WRITE) != 0)
        return errno ? errno : ENOMEM;
    return 0;
}

/*
 * Mapping fresh PROT_NONE pages over the range (MAP_FIXED replaces the old
 * pages atomically) both frees the memory and guarantees zeros on recommit
 * on every system; madvise(MADV_DONTNEED) zero-fills only on Linux.
 */
int kos_decommit(void *addr, size_t size)
{
    if (misaligned(addr, size))
        return EINVAL;
    if (size == 0)
        return 0;
    void *p = mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                   -1, 0);
    if (p == MAP_FAILED)
        return errno ? errno : ENOMEM;
    return 0;
}

int kos_release(void *addr, size_t size)
{
    if (misaligned(addr, size))
        return EINVAL;
    if (!addr || size == 0)
        return 0;
    if (munmap(addr, size) != 0)
        return errno ? errno : EINVAL;
    return 0;
}
