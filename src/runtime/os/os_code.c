/*
 * Code memory, the registry of compiled code ranges, and stack bounds (see
 * os.h).
 *
 * Code memory is W^X: a mapping is read-write while the compiler copies
 * code into it, then read-execute for good. Nothing is ever writable and
 * executable at once, so a bug that writes through a wild pointer cannot
 * plant code, and code cannot be patched in place.
 *
 * The code registry is read by the fault handler, so it is lock-free and
 * never allocates on the read side: fixed-size chunks of slots in a list
 * that only grows (like the guard registry in os_signals.c). A slot holds
 * a range's [start, end) and its descriptor, published in that order
 * (descriptor, then end, release), withdrawn in the reverse. A reader
 * dereferences a descriptor only when the faulting pc lies in the slot's
 * range, which means the faulting thread is executing that code, so the
 * code (and the descriptor, which lives as long as the code) cannot be
 * freed under it.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "runtime/os/os.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "util/alloc.h"

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

/* ---- code memory ----------------------------------------------------------------- */

static bool page_aligned(const void *addr, size_t size)
{
    size_t mask = kos_page_size() - 1;
    return ((uintptr_t)addr & mask) == 0 && (size & mask) == 0;
}

int kos_code_map(size_t size, void **out)
{
    *out = NULL;
    if (size == 0 || !page_aligned(NULL, size))
        return EINVAL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return errno ? errno : ENOMEM;
    *out = p;
    return 0;
}

int kos_code_seal(void *addr, size_t size)
{
    if (!page_aligned(addr, size))
        return EINVAL;
#if defined(__GNUC__) && !defined(__x86_64__) && !defined(__i386__)
    /* x86 keeps instruction fetch coherent with stores; others need a flush */
    __builtin___clear_cache((char *)addr, (char *)addr + size);
#endif
    if (mprotect(addr, size, PROT_READ | PROT_EXEC) != 0)
        return errno ? errno : EACCES;
    return 0;
}

int kos_code_unmap(void *addr, size_t size)
{
    if (!addr)
        return 0;
    if (!page_aligned(addr, size))
        return EINVAL;
    return munmap(addr, size) == 0 ? 0 : (errno ? errno : EINVAL);
}

/* ---- the code registry --------------------------------------------------------------- */

#define CODE_SLOTS 32

typedef struct code_slot {
    _Atomic(uintptr_t) start;
    _Atomic(uintptr_t) end;
    _Atomic(const kos_code_range *) range;
} code_slot;

typedef struct code_chunk {
    code_slot slots[CODE_SLOTS];
    _Atomic(struct code_chunk *) next;
} code_chunk;

/* The registry's first chunk; further chunks are allocated as needed and
 * never freed (their number is bounded by the most code ranges alive). */
static code_chunk g_code;

int kos_code_register(const kos_code_range *range, void **handle)
{
    *handle = NULL;
    if (!kos_code_traps_supported())
        return ENOTSUP;
    uintptr_t s = range->start;
    if (s == 0 || range->size == 0 || range->size > UINTPTR_MAX - s)
        return EINVAL;
    for (code_chunk *c = &g_code;;) {
        for (int i = 0; i < CODE_SLOTS; i++) {
            code_slot *slot = &c->slots[i];
            uintptr_t expected = 0;
            if (atomic_load_explicit(&slot->start, memory_order_relaxed) == 0 &&
                atomic_compare_exchange_strong(&slot->start, &expected, s)) {
                atomic_store_explicit(&slot->range, range, memory_order_release);
                atomic_store_explicit(&slot->end, s + range->size, memory_order_release);
                *handle = slot;
                return 0;
            }
        }
        code_chunk *next = atomic_load_explicit(&c->next, memory_order_acquire);
        if (!next) {
            code_chunk *fresh = kutil_calloc(&kutil_libc, 1, sizeof(*fresh));
            if (!fresh)
                return ENOMEM;
            if (atomic_compare_exchange_strong(&c->next, &next, fresh))
                next = fresh;
            else
                kutil_free(&kutil_libc, fresh); /* another thread appended first */
        }
        c = next;
    }
}

void kos_code_unregister(void *handle)
{
    code_slot *slot = handle;
    if (!slot)
        return;
    atomic_store_explicit(&slot->end, 0, memory_order_release);
    atomic_store_explicit(&slot->range, NULL, memory_order_release);
    atomic_store_explicit(&slot->start, 0, memory_order_release);
}

/* The site at pc in r's sorted table, or NULL. */
static const kos_trap_site *site_at(const kos_code_range *r, uintptr_t pc)
{
    uintptr_t off = pc - r->start;
    uint32_t lo = 0, hi = r->nsites;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->sites[mid].offset < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->nsites && r->sites[lo].offset == off ? &r->sites[lo] : NULL;
}

const kos_code_range *kos_code_find(uintptr_t pc, const kos_trap_site **site)
{
    *site = NULL;
    for (code_chunk *c = &g_code; c; c = atomic_load_explicit(&c->next, memory_order_acquire)) {
        for (int i = 0; i < CODE_SLOTS; i++) {
            code_slot *slot = &c->slots[i];
            uintptr_t s = atomic_load_explicit(&slot->start, memory_order_acquire);
            if (s == 0 || pc < s || pc >= atomic_load_explicit(&slot->end, memory_order_acquire))
                continue;
            const kos_code_range *r = atomic_load_explicit(&slot->range, memory_order_acquire);
            /* re-check against the descriptor: the slot may have been reused */
            if (!r || pc < r->start || pc - r->start >= r->size)
                continue;
            *site = site_at(r, pc);
            return r;
        }
    }
    return NULL;
}
