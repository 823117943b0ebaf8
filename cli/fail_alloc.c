/*
 * Fault injection for the out-of-memory sweeps (a testing aid, like
 * KITE_GC_STRESS): an allocator for the command's engines that counts every
 * allocation (a new block, or a block grown or shrunk by realloc), can fail
 * one of them, and counts the blocks still live, so that a run can say
 * whether everything the library allocated was freed. The library has no
 * fault injection of its own; it takes this allocator as any embedder's.
 *
 * The counters are the process's (a wast script's threads share the
 * engine) and survive fork(), which the wast sweep uses to run one
 * failure per child from a snapshot of the script's state.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static atomic_uint_fast64_t g_count;     /* allocations so far */
static atomic_uint_fast64_t g_fail_at;   /* the one to fail (1-based), 0: none */
static atomic_uint_fast64_t g_fired_at;  /* the one that failed, 0: none yet */
static atomic_int_fast64_t g_live;       /* blocks allocated and not freed */
static bool g_active;

static void *counting_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        if (ptr)
            atomic_fetch_sub(&g_live, 1);
        free(ptr);
        return NULL;
    }
    uint_fast64_t n = atomic_fetch_add(&g_count, 1) + 1;
    if (n == atomic_load(&g_fail_at)) {
        atomic_store(&g_fired_at, n);
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p && !ptr)
        atomic_fetch_add(&g_live, 1);
    return p;
}

static const kite_allocator_t g_counting = {counting_realloc, NULL};

bool cli_fail_alloc_setup(kite_config_t *config)
{
    const char *v = getenv("KITE_FAIL_ALLOC");
    if (!v || !*v)
        return false;
    uint64_t n = 0;
    if (!cli_parse_int(v, 64, &n)) {
        cli_error("KITE_FAIL_ALLOC=%s: expected the number of the allocation to fail (0: none)", v);
        return false;
    }
    kite_config_set_allocator(config, &g_counting);
    atomic_store(&g_fail_at, n);
    g_active = true;
    return true;
}

bool cli_fail_alloc_active(void) { return g_active; }

void cli_fail_alloc_arm(uint64_t n)
{
    atomic_store(&g_fired_at, 0);
    atomic_store(&g_fail_at, n);
}

uint64_t cli_fail_alloc_count(void) { return atomic_load(&g_count); }
uint64_t cli_fail_alloc_fired(void) { return atomic_load(&g_fired_at); }
int64_t cli_fail_alloc_live(void) { return atomic_load(&g_live); }

bool cli_fail_alloc_report(void)
{
    if (!g_active)
        return true;
    uint64_t fired = cli_fail_alloc_fired();
    int64_t live = cli_fail_alloc_live();
    fprintf(stderr, "kite: fail-alloc: %llu allocations, ", (unsigned long long)cli_fail_alloc_count());
    if (fired)
        fprintf(stderr, "allocation %llu failed, ", (unsigned long long)fired);
    else
        fprintf(stderr, "none failed, ");
    fprintf(stderr, "%lld blocks leaked\n", (long long)live);
    return live == 0;
}
