/*
 * Stores: the owner of everything instantiated or made by the host, limits,
 * fuel and interrupts. kite_store_new and kite_store_free are in src/api/:
 * a store also holds the GC heap and the interpreter's stacks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/objects.h"
#include "runtime/parking.h"
#include "util/alloc.h"
#include "util/error.h"

/* A budget limit of 0 in kite_store_limits_t means "none". */
static uint64_t limit_or_none(uint64_t limit) { return limit ? limit : UINT64_MAX; }

kite_store_t *krt_store_new(kite_engine_t *engine)
{
    kite_store_t *s = kutil_calloc(&engine->config.alloc, 1, sizeof(*s));
    if (!s)
        return NULL;
    s->engine = engine;
    s->alloc = &engine->config.alloc;
    atomic_init(&s->interrupt_requested, false);
    atomic_init(&s->wait_sem, NULL);
    atomic_init(&s->wait_wakers, 0);
    krt_budget_init(&s->memory_budget, UINT64_MAX);
    krt_budget_init(&s->table_budget, UINT64_MAX);
    return s;
}

/*
 * The owned list is pushed at the front, so walking it destroys objects in
 * the reverse order of their creation: an instance goes before the host
 * functions and memories it imported (destroying one never touches another,
 * but host finalizers then run after every user of their function is gone).
 */
void krt_store_destroy_objects(kite_store_t *store)
{
    krt_store_release_traps(store);
    krt_owned *o = store->owned;
    while (o) {
        krt_owned *next = o->next;
        o->destroy(o, store);
        o = next;
    }
    store->owned = NULL;
}

void krt_store_free(kite_store_t *store)
{
    kutil_free(store->alloc, store->roots.instances);
    kutil_free(store->alloc, store->roots.globals);
    kutil_free(store->alloc, store->roots.tables);
    kutil_free(store->alloc, store);
}

void krt_store_own(kite_store_t *store, krt_owned *o)
{
    o->next = store->owned;
    store->owned = o;
}

/* ---- roots ---------------------------------------------------------------------------- */

static bool push_ptr(const kite_store_t *store, void ***arr, uint32_t *n, uint32_t *cap, void *p)
{
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 16;
        void **a = kutil_realloc(store->alloc, *arr, (size_t)c * sizeof(void *));
        if (!a)
            return false;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = p;
    return true;
}

bool krt_root_instance(kite_store_t *store, struct kite_instance *inst)
{
    krt_rootset *r = &store->roots;
    return push_ptr(store, (void ***)&r->instances, &r->ninstances, &r->cap_instances, inst);
}

void krt_unroot_instance(kite_store_t *store, struct kite_instance *inst)
{
    krt_rootset *r = &store->roots;
    /* Almost always the last one added. */
    for (uint32_t i = r->ninstances; i-- > 0;) {
        if (r->instances[i] == inst) {
            memmove(&r->instances[i], &r->instances[i + 1],
                    (size_t)(r->ninstances - i - 1) * sizeof(r->instances[0]));
            r->ninstances--;
            return;
        }
    }
}

bool krt_root_global(kite_store_t *store, struct kite_global *g)
{
    krt_rootset *r = &store->roots;
    return push_ptr(store, (void ***)&r->globals, &r->nglobals, &r->cap_globals, g);
}

bool krt_root_table(kite_store_t *store, struct kite_table *t)
{
    krt_rootset *r = &store->roots;
    return push_ptr(store, (void ***)&r->tables, &r->ntables, &r->cap_tables, t);
}

/* ---- limits, fuel, interrupts ------------------------------------------------------------ */

void krt_store_set_limits(kite_store_t *store, const kite_store_limits_t *limits)
{
    store->limits = *limits;
    store->memory_budget.limit = limit_or_none(limits->memory_bytes);
    store->table_budget.limit = limit_or_none(limits->table_elements);
}

void kite_store_set_fuel(kite_store_t *store, uint64_t fuel)
{
    store->fuel_enabled = fuel != 0;
    store->fuel = fuel;
}

uint64_t kite_store_fuel(const kite_store_t *store) { return store->fuel; }

void kite_store_enable_interrupts(kite_store_t *store) { store->interrupts_enabled = true; }

/* Lock-free atomics and sem_post: safe from other threads and signal
 * handlers. A memory.atomic.wait in progress wakes at once. */
void kite_store_interrupt(kite_store_t *store)
{
    atomic_store_explicit(&store->interrupt_requested, true, memory_order_seq_cst);
    krt_parking_interrupt(store);
}

void kite_store_set_diagnostic_handler(kite_store_t *store,
                                       void (*handler)(void *user, const char *message),
                                       void *user)
{
    store->diag_handler = handler;
    store->diag_user = user;
}

const char *kite_store_last_diagnostic(const kite_store_t *store)
{
    return store->last_diag[0] ? store->last_diag : NULL;
}

static void diagnose(kite_store_t *store, const char *fmt, ...) KITE_PRINTF(2, 3);

static void diagnose(kite_store_t *store, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(store->last_diag, sizeof(store->last_diag), fmt, ap);
    va_end(ap);
    if (store->diag_handler)
        store->diag_handler(store->diag_user, store->last_diag);
}

uint64_t krt_store_memory_grow(kite_store_t *store, krt_memory *m, uint64_t delta)
{
    krt_grow_failure why;
    uint64_t r = krt_memory_grow_why(m, delta, &why);
    /* The module's maximum is the spec's -1, and the store's limit is the
     * embedder's own: neither needs telling. */
    if (r != KRT_MEMORY_GROW_FAILED || why == KRT_GROW_OVER_MAX || why == KRT_GROW_OVER_LIMIT)
        return r;
    unsigned long long pages = krt_memory_pages(m), max = m->max_pages, d = delta;
    unsigned long long reserved = m->reserved >> m->page_size_log2;
    const char *what = m->shared ? "shared memory" : "memory";
    switch (why) {
    case KRT_GROW_OVER_RESERVATION:
        diagnose(store,
                 "memory.grow by %llu pages failed: the %s's address-space reservation ends at "
                 "%llu pages, below its maximum of %llu (%s)",
                 d, what, reserved, max,
                 m->shared ? "kite_config_set_shared_memory_reserve caps it; the OS may give less"
                           : "kite_config_set_memory_reserve caps it; the OS may give less");
        break;
    default:
        diagnose(store,
                 "memory.grow by %llu pages failed: the OS refused to commit memory for the %s "
                 "(%llu pages, maximum %llu)",
                 d, what, pages, max);
        break;
    }
    return r;
}

uint64_t krt_store_table_grow(kite_store_t *store, krt_table *t, uint64_t delta, uintptr_t init)
{
    bool oom;
    uint64_t r = krt_table_grow_why(t, delta, init, &oom);
    if (oom)
        diagnose(store, "table.grow by %llu elements failed: out of memory for %llu elements",
                 (unsigned long long)delta, (unsigned long long)(t->size + delta));
    return r;
}
