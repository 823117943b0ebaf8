/*
 * Linear memories and the OS layer under them: both layouts (guarded and
 * bounds-checked), growth and its limits, the memory instructions' helpers,
 * resident memory staying proportional to use, and fault recovery: a guarded
 * out-of-bounds access inside a Wasm execution becomes a trap, while every
 * other fault still kills the process (checked in forked children).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/memory.h"
#include "runtime/os/os.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"
#include "fail_alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define PAGE UINT64_C(65536)

static bool g_can_guard; /* the address space has room for a guarded memory */
/* Set by tests/memcheck.sh: valgrind reports the faults the signal tests
 * cause on purpose, and cannot itself run under an address-space limit. */
static bool g_under_valgrind;

static kir_limits limits(uint64_t min, uint64_t max, bool has_max, bool is64, bool shared)
{
    return (kir_limits){.min = min, .max = max, .has_max = has_max, .is64 = is64, .shared = shared};
}

/* A memory that must be created; NULL (after a failure) otherwise. */
static krt_memory *make(kir_limits lim, uint32_t log2, const krt_memory_opts *opts)
{
    krt_memory *m = NULL;
    kite_error_t *err = krt_memory_new(&g_fail_alloc, &lim, log2, opts, &m);
    CHECK(!err, "krt_memory_new(min %llu): %s", (unsigned long long)lim.min,
          err ? kite_error_message(err) : "");
    kite_error_free(err);
    return m;
}

/* ---- forked children ---------------------------------------------------------- */

typedef void child_fn(void);

/* Runs fn in a child with stderr silenced and no core dumps; returns the
 * wait status. */
static int run_child(child_fn *fn)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        fn();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

/* Whether the child died of its fault, as it would have without kite. Under
 * AddressSanitizer the fault reaches ASan's handler, which reports it and
 * exits with status 1 instead. */
static bool died_of_fault(int status)
{
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS;
    return UNDER_ASAN && WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

static volatile uint8_t *g_fault_at;  /* what the child or body dereferences */
static volatile uint8_t g_sink;

static void touch(void) { g_sink = *g_fault_at; }

static void chain_handler(int signo, siginfo_t *info, void *uctx)
{
    (void)signo, (void)info, (void)uctx;
    _exit(42);
}

/* A handler installed before kite's sees the faults that are not kite's. */
static void child_chain_to_previous(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = chain_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (kos_signals_install() != 0)
        _exit(3);
    touch();
}

static void test_chaining_before_install(void)
{
    if (g_under_valgrind) {
        printf("skip: handler chaining test (valgrind reports its fault)\n");
        return;
    }
    void *region;
    if (kos_reserve(kos_page_size(), &region) != 0) {
        CHECK(0, "kos_reserve");
        return;
    }
    g_fault_at = region;
    int status = run_child(child_chain_to_previous);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42,
          "a host fault must reach the previously installed handler (status %#x)", status);
    kos_release(region, kos_page_size());
}

/* ---- layouts and growth ----------------------------------------------------------- */

static void test_guarded_32bit(void)
{
    krt_memory *m = make(limits(1, 4, true, false, false), 16, NULL);
    if (!m)
        return;
    if (g_can_guard) {
        CHECK(!m->needs_bounds_checks, "a 32-bit memory should use the guarded layout");
        CHECK(m->reserved == KRT_MEMORY_GUARDED_RESERVE, "reserved %llu",
              (unsigned long long)m->reserved);
    }
    CHECK(krt_memory_size(m) == PAGE && krt_memory_pages(m) == 1, "initial size");
    uint8_t *base = m->base;
    base[0] = 1;
    base[PAGE - 1] = 2;
    CHECK(krt_memory_grow(m, 1) == 1, "grow 1 from 1");
    CHECK(m->base == base, "the base must not move");
    if (krt_memory_size(m) != 2 * PAGE) {
        CHECK(0, "size after grow");
        krt_memory_release(m);
        return;
    }
    CHECK(base[PAGE] == 0 && base[2 * PAGE - 1] == 0, "grown memory reads zero");
    base[2 * PAGE - 1] = 3;
    CHECK(krt_memory_grow(m, 3) == KRT_MEMORY_GROW_FAILED, "grow past max must fail");
    CHECK(krt_memory_pages(m) == 2, "a failed grow changes nothing");
    CHECK(krt_memory_grow(m, 2) == 2, "grow to max");
    CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "grow at max must fail");
    CHECK(krt_memory_grow(m, 0) == 4, "grow 0 returns the size, even at max");
    CHECK(krt_memory_grow(m, UINT64_MAX) == KRT_MEMORY_GROW_FAILED, "huge delta");
    CHECK(base[0] == 1 && base[PAGE - 1] == 2 && base[2 * PAGE - 1] == 3, "contents kept");
    CHECK(m->base == base, "the base must not move");
    krt_memory_release(m);
}

/* 65536 pages is the whole 4 GiB: committing it is cheap, only touched
 * pages cost memory. */
static void test_full_4gib(void)
{
    if (!g_can_guard) {
        printf("skip: 4 GiB memory (address space limited)\n");
        return;
    }
    krt_memory *m = make(limits(0, 0, false, false, false), 16, NULL);
    if (!m)
        return;
    CHECK(m->max_pages == 65536, "max pages of a 32-bit memory: %llu",
          (unsigned long long)m->max_pages);
    CHECK(krt_memory_grow(m, 65537) == KRT_MEMORY_GROW_FAILED, "grow past 4 GiB");
    CHECK(krt_memory_grow(m, 65536) == 0, "grow to 4 GiB");
    CHECK(krt_memory_size(m) == (UINT64_C(1) << 32), "size 4 GiB");
    if (krt_memory_size(m) == (UINT64_C(1) << 32)) {
        m->base[(UINT64_C(1) << 32) - 1] = 7;
        CHECK(m->base[(UINT64_C(1) << 32) - 1] == 7, "last byte");
    }
    CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "grow past 4 GiB");
    krt_memory_release(m);
}

static void test_forced_bounds_checks(void)
{
    krt_memory_opts opts = {.force_bounds_checks = true};
    krt_memory *m = make(limits(1, 3, true, false, false), 16, &opts);
    if (!m)
        return;
    CHECK(m->needs_bounds_checks, "forced bounds checks");
    CHECK(m->reserved == 3 * PAGE, "reserves the maximum: %llu", (unsigned long long)m->reserved);
    CHECK(krt_memory_grow(m, 2) == 1 && krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "grow");
    if (krt_memory_size(m) == 3 * PAGE)
        m->base[3 * PAGE - 1] = 1;
    krt_memory_release(m);
}

static void test_memory64(void)
{
    krt_memory *m = make(limits(1, 10, true, true, false), 16, NULL);
    if (m) {
        CHECK(m->needs_bounds_checks, "memory64 is bounds-checked");
        CHECK(m->reserved >= 10 * PAGE, "reserves the maximum");
        uint8_t *base = m->base;
        CHECK(krt_memory_grow(m, 9) == 1, "grow to max");
        CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "grow past max");
        CHECK(m->base == base, "the base must not move");
        uint64_t size = krt_memory_size(m);
        if (size == 10 * PAGE)
            base[10 * PAGE - 1] = 9;
        CHECK(krt_memory_check(m, size - 1, 0, 1), "last byte in bounds");
        CHECK(krt_memory_check(m, size - 8, 0, 8), "last i64 in bounds");
        CHECK(!krt_memory_check(m, size - 7, 0, 8), "straddling i64 out of bounds");
        CHECK(!krt_memory_check(m, size, 0, 1), "size is out of bounds");
        CHECK(krt_memory_check(m, size, 0, 0), "empty access at size");
        CHECK(!krt_memory_check(m, UINT64_MAX, 1, 1), "addr + offset overflow");
        CHECK(!krt_memory_check(m, 1, UINT64_MAX, 1), "offset overflow");
        CHECK(!krt_memory_check(m, 0, size - 1, 16), "offset + size past the end");
        CHECK(!krt_memory_check(m, UINT64_MAX - 3, 0, 8), "wrapping end");
        CHECK(krt_memory_ptr(m, 8, 2, 4) == m->base + 10, "ptr");
        CHECK(krt_memory_ptr(m, size, 0, 1) == NULL, "ptr out of bounds");
        krt_memory_release(m);
    }

    /* Without a maximum the reservation cap bounds growth. */
    krt_memory_opts opts = {.reserve_cap = 16 * PAGE};
    m = make(limits(0, 0, false, true, false), 16, &opts);
    if (m) {
        CHECK(m->max_pages == (UINT64_C(1) << 48), "memory64 max pages");
        CHECK(krt_memory_grow(m, UINT64_C(1) << 48) == KRT_MEMORY_GROW_FAILED, "2^48 pages");
        CHECK(krt_memory_grow(m, UINT64_MAX) == KRT_MEMORY_GROW_FAILED, "huge delta");
        CHECK(krt_memory_grow(m, 16) == 0, "grow within the reservation");
        CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "grow past the reservation");
        krt_memory_release(m);
    }

    /* A cap below the guarded layout's reservation makes a 32-bit memory
     * check bounds within the cap (kite_config_set_memory_reserve); a cap
     * above it changes nothing. */
    krt_memory_opts small_cap = {.reserve_cap = UINT64_C(4) << 30};
    m = make(limits(1, 0, false, false, false), 16, &small_cap);
    if (m) {
        CHECK(m->needs_bounds_checks && m->reserved <= small_cap.reserve_cap,
              "capped at 4 GiB: bounds checks (reserved %llu)", (unsigned long long)m->reserved);
        krt_memory_release(m);
    }
    krt_memory_opts large_cap = {.reserve_cap = UINT64_C(32) << 30};
    m = make(limits(1, 0, false, false, false), 16, &large_cap);
    if (m) {
        CHECK(m->needs_bounds_checks == !g_can_guard, "capped at 32 GiB: the guarded layout");
        krt_memory_release(m);
    }

    /* The largest declarable memory64 is refused (limit), not a crash. */
    kir_limits huge = limits(UINT64_C(1) << 48, 0, false, true, false);
    krt_memory *out = NULL;
    kite_error_t *err = krt_memory_new(&g_fail_alloc, &huge, 16, NULL, &out);
    CHECK(err && !out, "2^48 initial pages must fail cleanly");
    kite_error_free(err);
}

static void test_byte_pages(void)
{
    krt_memory *m = make(limits(10, 100000, true, false, false), 0, NULL);
    if (m) {
        CHECK(m->needs_bounds_checks, "1-byte pages are bounds-checked");
        CHECK(krt_memory_size(m) == 10, "size in bytes");
        CHECK(krt_memory_grow(m, 5) == 10 && krt_memory_size(m) == 15, "grow by bytes");
        CHECK(krt_memory_check(m, 14, 0, 1) && !krt_memory_check(m, 15, 0, 1), "bounds");
        CHECK(!krt_memory_check(m, 12, 0, 4), "straddling");
        m->base[14] = 1;
        CHECK(krt_memory_grow(m, 100000 - 15) == 15, "grow to max");
        CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "past max");
        krt_memory_release(m);
    }
    m = make(limits(0, 0, false, false, false), 0, NULL);
    if (m) {
        CHECK(m->max_pages == UINT32_MAX, "i32 1-byte pages: max %llu",
              (unsigned long long)m->max_pages);
        CHECK(krt_memory_grow(m, 3) == 0 && krt_memory_size(m) == 3, "grow 3 bytes");
        krt_memory_release(m);
    }
    m = make(limits(1, 0, false, true, false), 0, NULL);
    if (m) {
        CHECK(m->max_pages == UINT64_MAX, "i64 1-byte pages: max");
        CHECK(krt_memory_grow(m, UINT64_MAX) == KRT_MEMORY_GROW_FAILED, "huge delta");
        krt_memory_release(m);
    }
}

static void test_limits(void)
{
    krt_memory_opts opts = {.max_bytes = 3 * PAGE};
    krt_memory *m = make(limits(1, 0, false, false, false), 16, &opts);
    if (m) {
        CHECK(krt_memory_grow(m, 2) == 1, "grow to the byte limit");
        CHECK(krt_memory_grow(m, 1) == KRT_MEMORY_GROW_FAILED, "past the byte limit");
        krt_memory_release(m);
    }
    kir_limits big = limits(4, 0, false, false, false);
    krt_memory *out = NULL;
    kite_error_t *err = krt_memory_new(&g_fail_alloc, &big, 16, &opts, &out);
    CHECK(err && kite_error_code(err) == KITE_ERROR_LIMIT && !out, "initial size over the limit");
    kite_error_free(err);

    /* One budget shared by two memories, refunded when one goes away. */
    krt_budget budget;
    krt_budget_init(&budget, 4 * PAGE);
    krt_memory_opts shared_budget = {.budget = &budget};
    krt_memory *a = make(limits(2, 0, false, false, false), 16, &shared_budget);
    krt_memory *b = make(limits(1, 0, false, true, false), 16, &shared_budget);
    if (a && b) {
        CHECK(atomic_load(&budget.used) == 3 * PAGE, "charged");
        CHECK(krt_memory_grow(b, 1) == 1, "grow within the budget");
        CHECK(krt_memory_grow(a, 1) == KRT_MEMORY_GROW_FAILED, "grow past the budget");
        kir_limits one = limits(1, 0, false, false, false);
        err = krt_memory_new(&g_fail_alloc, &one, 16, &shared_budget, &out);
        CHECK(err && kite_error_code(err) == KITE_ERROR_LIMIT, "new past the budget");
        kite_error_free(err);
        krt_memory_release(b);
        b = NULL;
        CHECK(atomic_load(&budget.used) == 2 * PAGE, "refunded");
        CHECK(krt_memory_grow(a, 2) == 2, "grow after the refund");
    }
    krt_memory_release(a);
    krt_memory_release(b);
    CHECK(atomic_load(&budget.used) == 0, "all refunded");

    /* Out of memory for the memory object itself. */
    kir_limits one = limits(1, 0, false, false, false);
    fail_after(1);
    err = krt_memory_new(&g_fail_alloc, &one, 16, NULL, &out);
    fail_after(0);
    CHECK(err && kite_error_code(err) == KITE_ERROR_OUT_OF_MEMORY && !out, "allocation failure");
    kite_error_free(err);

    /* Reference counting. */
    m = make(one, 16, NULL);
    if (m) {
        krt_memory_retain(m);
        krt_memory_release(m);
        m->base[0] = 1; /* still alive */
        krt_memory_release(m);
    }
}

/* ---- shared memories ----------------------------------------------------------------- */

#define GROWERS 8
#define GROWS_EACH 16

typedef struct grower {
    krt_memory *m;
    uint64_t got[GROWS_EACH];
} grower;

/* Each successful grow owns the page it added: write it while others grow. */
static void *grow_thread(void *arg)
{
    grower *g = arg;
    for (int i = 0; i < GROWS_EACH; i++) {
        g->got[i] = krt_memory_grow(g->m, 1);
        if (g->got[i] != KRT_MEMORY_GROW_FAILED)
            memset(g->m->base + (g->got[i] << g->m->page_size_log2), 0xAB,
                   (size_t)1 << g->m->page_size_log2);
    }
    return NULL;
}

static void grow_concurrently(krt_memory *m, uint64_t expect_pages)
{
    grower g[GROWERS];
    pthread_t th[GROWERS];
    uint8_t *base = m->base;
    int started = 0;
    for (int i = 0; i < GROWERS; i++) {
        g[i].m = m;
        if (pthread_create(&th[i], NULL, grow_thread, &g[i]) == 0)
            started++;
        else
            break;
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    CHECK(started == GROWERS, "threads");
    uint64_t successes = 0;
    bool seen[GROWERS * GROWS_EACH + 1] = {0};
    for (int i = 0; i < started; i++)
        for (int k = 0; k < GROWS_EACH; k++) {
            uint64_t old = g[i].got[k];
            if (old == KRT_MEMORY_GROW_FAILED)
                continue;
            successes++;
            CHECK(old >= 1 && old <= GROWERS * GROWS_EACH && !seen[old], "old size %llu twice",
                  (unsigned long long)old);
            if (old <= GROWERS * GROWS_EACH)
                seen[old] = true;
        }
    CHECK(1 + successes == expect_pages && krt_memory_pages(m) == expect_pages,
          "pages %llu, successes %llu, expected %llu", (unsigned long long)krt_memory_pages(m),
          (unsigned long long)successes, (unsigned long long)expect_pages);
    CHECK(m->base == base, "a shared memory never moves");
    uint64_t size = krt_memory_size(m);
    CHECK(m->base[size - 1] == 0xAB, "grown pages were written");
}

static void test_shared(void)
{
    krt_memory *m = make(limits(1, 1000, true, false, true), 16, NULL);
    if (m) {
        CHECK(m->shared && (!m->needs_bounds_checks || !g_can_guard),
              "32-bit shared memory is guarded");
        grow_concurrently(m, 1 + GROWERS * GROWS_EACH);
        krt_memory_release(m);
    }
    /* Reaching the maximum mid-way: exactly max pages, the rest fail. */
    m = make(limits(1, 50, true, false, true), 16, NULL);
    if (m) {
        grow_concurrently(m, 50);
        krt_memory_release(m);
    }
    m = make(limits(1, 64, true, true, true), 16, NULL);
    if (m) {
        CHECK(m->needs_bounds_checks && m->reserved >= 64 * PAGE, "shared memory64 reserves max");
        grow_concurrently(m, 64);
        krt_memory_release(m);
    }
    m = make(limits(1, 1000, true, false, true), 0, NULL);
    if (m) {
        grow_concurrently(m, 1 + GROWERS * GROWS_EACH);
        krt_memory_release(m);
    }
}

/* ---- instruction helpers ------------------------------------------------------------- */

static bool all_equal(const uint8_t *p, uint64_t n, uint8_t v)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void test_fill_copy_init(void)
{
    krt_memory *m = make(limits(1, 2, true, false, false), 16, NULL);
    krt_memory *m2 = make(limits(1, 1, true, true, false), 16, NULL);
    if (!m || !m2) {
        krt_memory_release(m);
        krt_memory_release(m2);
        return;
    }
    uint8_t *b = m->base;
    CHECK(krt_memory_fill(m, 10, 0x55, 6) == KRT_MEM_OK && all_equal(b + 10, 6, 0x55), "fill");
    CHECK(b[9] == 0 && b[16] == 0, "fill stays in its range");
    CHECK(krt_memory_fill(m, PAGE - 2, 1, 4) == KRT_MEM_OUT_OF_BOUNDS, "fill past the end");
    CHECK(b[PAGE - 2] == 0 && b[PAGE - 1] == 0, "no partial fill");
    CHECK(krt_memory_fill(m, PAGE, 1, 0) == KRT_MEM_OK, "empty fill at the end");
    CHECK(krt_memory_fill(m, PAGE + 1, 1, 0) == KRT_MEM_OUT_OF_BOUNDS, "empty fill past the end");
    CHECK(krt_memory_fill(m, 1, 1, UINT64_MAX) == KRT_MEM_OUT_OF_BOUNDS, "fill overflow");
    CHECK(krt_memory_fill(m, 0, 7, PAGE) == KRT_MEM_OK && all_equal(b, PAGE, 7), "fill all");

    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)i;
    CHECK(krt_memory_copy(m, 4, m, 0, 8) == KRT_MEM_OK, "overlapping copy up");
    CHECK(b[4] == 0 && b[11] == 7 && b[3] == 3, "copy up reads before writing");
    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)i;
    CHECK(krt_memory_copy(m, 0, m, 4, 8) == KRT_MEM_OK, "overlapping copy down");
    CHECK(b[0] == 4 && b[7] == 11 && b[8] == 8, "copy down");
    CHECK(krt_memory_copy(m, PAGE - 4, m, 0, 8) == KRT_MEM_OUT_OF_BOUNDS, "copy dst out");
    CHECK(all_equal(b + PAGE - 4, 4, 7), "no partial copy");
    CHECK(krt_memory_copy(m, 0, m, PAGE - 4, 8) == KRT_MEM_OUT_OF_BOUNDS, "copy src out");
    CHECK(b[0] == 4, "no partial copy");
    CHECK(krt_memory_copy(m, PAGE, m, PAGE, 0) == KRT_MEM_OK, "empty copy at the end");
    CHECK(krt_memory_copy(m, 0, m, PAGE + 1, 0) == KRT_MEM_OUT_OF_BOUNDS, "empty copy past");
    CHECK(krt_memory_copy(m2, 100, m, 0, 16) == KRT_MEM_OK && m2->base[100] == 4,
          "copy between memories");
    CHECK(krt_memory_copy(m2, 0, m, 0, PAGE + 1) == KRT_MEM_OUT_OF_BOUNDS, "copy too long");

    static const uint8_t data[] = "hello, world";
    CHECK(krt_memory_init(m, 100, data, 12, 7, 5) == KRT_MEM_OK && memcmp(b + 100, "world", 5) == 0,
          "init");
    CHECK(krt_memory_init(m, 200, data, 12, 8, 5) == KRT_MEM_OUT_OF_BOUNDS, "init source out");
    CHECK(b[200] == 7, "no partial init");
    CHECK(krt_memory_init(m, PAGE - 2, data, 12, 0, 5) == KRT_MEM_OUT_OF_BOUNDS, "init dst out");
    CHECK(krt_memory_init(m, 0, NULL, 0, 0, 0) == KRT_MEM_OK, "dropped segment, n = 0");
    CHECK(krt_memory_init(m, 0, NULL, 0, 1, 0) == KRT_MEM_OUT_OF_BOUNDS, "dropped segment, s = 1");
    CHECK(krt_memory_init(m, 0, data, 12, 12, 0) == KRT_MEM_OK, "empty init at the end");
    krt_memory_release(m);
    krt_memory_release(m2);
}

/* ---- resident memory ---------------------------------------------------------------- */

/* Resident and total pages of this process, from /proc (Linux only). */
static bool statm(uint64_t *size, uint64_t *resident)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return false;
    unsigned long long s = 0, r = 0;
    bool ok = fscanf(f, "%llu %llu", &s, &r) == 2;
    fclose(f);
    *size = s * (uint64_t)sysconf(_SC_PAGESIZE);
    *resident = r * (uint64_t)sysconf(_SC_PAGESIZE);
    return ok;
}

static void test_resident(void)
{
    uint64_t size0, rss0, size1, rss1;
    if (!statm(&size0, &rss0)) {
        printf("skip: resident memory check (no /proc/self/statm)\n");
        return;
    }
    enum { N = 4 };
    krt_memory *ms[N] = {0};
    for (int i = 0; i < N; i++) {
        ms[i] = make(limits(1, 0, false, false, false), 16, NULL);
        if (ms[i])
            memset(ms[i]->base, 1, PAGE);
    }
    if (!statm(&size1, &rss1))
        return;
    uint64_t grew = rss1 > rss0 ? rss1 - rss0 : 0;
    CHECK(grew < N * (UINT64_C(2) << 20), "%d one-page memories made %llu KiB resident", N,
          (unsigned long long)(grew >> 10));
    if (ms[0] && !ms[0]->needs_bounds_checks)
        CHECK(size1 - size0 >= N * (UINT64_C(8) << 30), "the reservations are address space only");
    for (int i = 0; i < N; i++)
        krt_memory_release(ms[i]);
}

/* ---- faults and traps ------------------------------------------------------------------ */

typedef struct mem_access {
    volatile uint8_t *at;
    int reached_after; /* set if the access did not fault */
    uint8_t value;
} mem_access;

static void body_read(void *arg)
{
    mem_access *a = arg;
    a->value = *a->at;
    a->reached_after = 1;
}

static void body_write(void *arg)
{
    mem_access *a = arg;
    *a->at = 0x5A;
    a->reached_after = 1;
}

/* Runs one access as Wasm code; returns the kos_exec_run result. */
static int wasm_access(kos_exec_body *body, volatile uint8_t *at, kos_exec *ex)
{
    mem_access a = {.at = at};
    int r = kos_exec_run(ex, body, &a);
    CHECK(r == KOS_EXEC_FAULT || a.reached_after, "body neither finished nor faulted");
    CHECK(kos_exec_current() == NULL, "the context is left after the run");
    return r;
}

typedef struct nested {
    krt_memory *m;
    int inner_result;
} nested;

static void body_nested(void *arg)
{
    nested *n = arg;
    kos_exec inner;
    mem_access a = {.at = n->m->base + 4 * PAGE};
    kos_exec *outer = kos_exec_current();
    n->inner_result = kos_exec_run(&inner, body_write, &a);
    CHECK(kos_exec_current() == outer, "the outer context is restored after a nested fault");
}

static void *thread_trap(void *arg)
{
    krt_memory *m = arg;
    kos_exec ex;
    int *ok = malloc(sizeof(int));
    if (ok)
        *ok = wasm_access(body_write, m->base + 4 * PAGE + 17, &ex) == KOS_EXEC_FAULT;
    return ok;
}

static krt_memory *g_guarded; /* for the children below */

/* Outside any Wasm execution, a fault in a guard range is the host's. */
static void child_host_fault_in_guard(void)
{
    g_fault_at = g_guarded->base + (UINT64_C(5) << 30);
    touch();
}

/* In Wasm code, a fault outside every guard range is not a trap either. */
static void child_wasm_fault_outside_guard(void)
{
    void *region;
    if (kos_reserve(kos_page_size(), &region) != 0)
        _exit(3);
    kos_exec ex;
    if (wasm_access(body_read, region, &ex) == KOS_EXEC_FAULT)
        _exit(42);
}

/* A host call from Wasm code is outside the Wasm context. */
static void paused_body(void *arg)
{
    (void)arg;
    kos_exec *saved = kos_exec_pause();
    g_fault_at = g_guarded->base + (UINT64_C(5) << 30);
    touch();
    kos_exec_resume(saved);
}

static void child_fault_in_paused_host_call(void)
{
    kos_exec ex;
    if (kos_exec_run(&ex, paused_body, NULL) == KOS_EXEC_FAULT)
        _exit(42);
}

/* SIGSEGV sent by kill is never a Wasm trap. */
static void raise_body(void *arg)
{
    (void)arg;
    raise(SIGSEGV);
}

static void child_raised_segv(void)
{
    kos_exec ex;
    if (kos_exec_run(&ex, raise_body, NULL) == KOS_EXEC_FAULT)
        _exit(42);
    _exit(43);
}

static void test_traps(void)
{
    CHECK(kos_signals_install() == 0, "install");
    CHECK(kos_signals_install() == 0, "install twice");
    krt_memory *m = make(limits(1, 0, false, false, false), 16, NULL);
    if (!m)
        return;
    if (m->needs_bounds_checks) {
        printf("skip: fault tests (no guarded layout available)\n");
        krt_memory_release(m);
        return;
    }
    g_guarded = m;
    kos_exec ex;
    CHECK(wasm_access(body_write, m->base + PAGE - 1, &ex) == KOS_EXEC_OK, "in bounds write");
    CHECK(m->base[PAGE - 1] == 0x5A, "the write landed");
    CHECK(wasm_access(body_read, m->base + PAGE, &ex) == KOS_EXEC_FAULT, "read at size traps");
    CHECK(ex.fault_addr == (uintptr_t)(m->base + PAGE), "fault address");
    CHECK(wasm_access(body_write, m->base + PAGE, &ex) == KOS_EXEC_FAULT, "write at size traps");
    /* The farthest byte a 32-bit access can reach: addr + offset + 15. */
    uint64_t far = 2 * (uint64_t)UINT32_MAX + 15;
    CHECK(wasm_access(body_read, m->base + far, &ex) == KOS_EXEC_FAULT, "farthest access traps");
    /* The signal stays usable: trap many times in a row. */
    int traps = 0;
    for (int i = 0; i < 1000; i++)
        traps += wasm_access(body_read, m->base + PAGE + (uint64_t)i * 4099, &ex) == KOS_EXEC_FAULT;
    CHECK(traps == 1000, "repeated traps: %d", traps);

    /* After growing, the same address is memory. */
    CHECK(krt_memory_grow(m, 3) == 1, "grow");
    CHECK(wasm_access(body_write, m->base + PAGE, &ex) == KOS_EXEC_OK, "grown memory is writable");
    CHECK(wasm_access(body_read, m->base + 4 * PAGE, &ex) == KOS_EXEC_FAULT, "new size traps");

    /* Nested executions: the inner one traps, the outer one carries on. */
    nested n = {.m = m};
    kos_exec outer;
    CHECK(kos_exec_run(&outer, body_nested, &n) == KOS_EXEC_OK, "outer run completes");
    CHECK(n.inner_result == KOS_EXEC_FAULT, "inner run traps");
    CHECK(kos_exec_current() == NULL, "no context after the outer run");

    /* Another thread (with its own alternate stack). */
    pthread_t th;
    if (pthread_create(&th, NULL, thread_trap, m) == 0) {
        void *ret = NULL;
        pthread_join(th, &ret);
        CHECK(ret && *(int *)ret, "trap on another thread");
        free(ret);
    } else {
        CHECK(0, "pthread_create");
    }

    /* Faults that are not Wasm traps still kill the process. */
    int status = run_child(child_host_fault_in_guard);
    CHECK(died_of_fault(status), "host fault in a guard range (status %#x)", status);
    status = run_child(child_wasm_fault_outside_guard);
    CHECK(died_of_fault(status), "Wasm fault outside guard ranges (status %#x)", status);
    status = run_child(child_fault_in_paused_host_call);
    CHECK(died_of_fault(status), "fault in a host call (status %#x)", status);
    status = run_child(child_raised_segv);
    CHECK(died_of_fault(status), "raised SIGSEGV (status %#x)", status);

    uintptr_t base = (uintptr_t)m->base;
    krt_memory_release(m);
    g_guarded = NULL;
    /* A released memory's range is no longer a guard. */
    CHECK(!kos_guard_contains(base + PAGE), "registry emptied");
}

/* ---- restricted address space ----------------------------------------------------------- */

static void child_restricted(void)
{
    uint64_t size, rss;
    if (!statm(&size, &rss))
        _exit(0);
    struct rlimit lim = {size + (UINT64_C(1) << 30), size + (UINT64_C(1) << 30)};
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        _exit(0);
    kir_limits l = limits(1, 0, false, false, false);
    krt_memory *m = NULL;
    kite_error_t *err = krt_memory_new(&g_fail_alloc, &l, 16, NULL, &m);
    if (err || !m)
        _exit(10);
    if (!m->needs_bounds_checks || m->reserved >= KRT_MEMORY_GUARDED_RESERVE)
        _exit(11);
    if (krt_memory_grow(m, 4) != 1 || m->base[5 * PAGE - 1] != 0)
        _exit(12);
    if (krt_memory_grow(m, 65535) != KRT_MEMORY_GROW_FAILED)
        _exit(13);
    krt_memory_release(m);
    _exit(0);
}

static void test_restricted_address_space(void)
{
    if (UNDER_ASAN || g_under_valgrind) {
        printf("skip: address-space limit test (sanitizer or valgrind shadow memory)\n");
        return;
    }
    int status = run_child(child_restricted);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "fallback under ulimit -v: status %#x (exit %d)", status,
          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- OS layer ---------------------------------------------------------------------------- */

static void test_os(void)
{
    size_t page = kos_page_size();
    CHECK(page >= 4096 && (page & (page - 1)) == 0, "page size %zu", page);
    void *p;
    CHECK(kos_reserve(0, &p) == EINVAL, "empty reservation");
    CHECK(kos_reserve(page + 1, &p) == EINVAL, "unaligned reservation");
    if (kos_reserve(4 * page, &p) != 0) {
        CHECK(0, "reserve");
        return;
    }
    uint8_t *b = p;
    CHECK(kos_commit(b + 1, page) == EINVAL, "unaligned commit");
    CHECK(kos_commit(b + page, 2 * page) == 0, "commit");
    b[page] = 1;
    b[3 * page - 1] = 2;
    CHECK(kos_decommit(b + page, page) == 0, "decommit");
    CHECK(kos_commit(b + page, page) == 0, "recommit");
    CHECK(b[page] == 0 && b[3 * page - 1] == 2, "decommitted pages come back zero");
    CHECK(kos_release(p, 4 * page) == 0, "release");

    void *h1, *h2;
    CHECK(kos_guard_register((void *)0x10000, 0x1000, &h1) == 0, "register");
    CHECK(kos_guard_register((void *)0x20000, 0x1000, &h2) == 0, "register");
    CHECK(kos_guard_contains(0x10000) && kos_guard_contains(0x10fff), "contains");
    CHECK(!kos_guard_contains(0x11000) && !kos_guard_contains(0xffff), "bounds");
    kos_guard_unregister(h1);
    CHECK(!kos_guard_contains(0x10000) && kos_guard_contains(0x20000), "unregister");
    kos_guard_unregister(h2);
    /* Many at once: the registry grows past one chunk. */
    enum { MANY = 200 };
    void *hs[MANY];
    for (uintptr_t i = 0; i < MANY; i++)
        CHECK(kos_guard_register((void *)(0x100000 + i * 0x1000), 0x800, &hs[i]) == 0, "many");
    CHECK(kos_guard_contains(0x100000 + 150 * 0x1000 + 0x7ff), "contains in a later chunk");
    CHECK(!kos_guard_contains(0x100000 + 150 * 0x1000 + 0x800), "gap between ranges");
    for (int i = 0; i < MANY; i++)
        kos_guard_unregister(hs[i]);
    CHECK(!kos_guard_contains(0x100000 + 150 * 0x1000), "all unregistered");
}

int main(void)
{
    g_under_valgrind = getenv("KITE_TESTS_UNDER_VALGRIND") != NULL;
    void *probe;
    g_can_guard = kos_reserve((size_t)KRT_MEMORY_GUARDED_RESERVE, &probe) == 0;
    if (g_can_guard)
        kos_release(probe, (size_t)KRT_MEMORY_GUARDED_RESERVE);
    else
        printf("note: no room for an 8 GiB reservation; testing the fallback layout\n");
    /* First, while no kite handler is installed in this process. */
    test_chaining_before_install();
    test_os();
    test_guarded_32bit();
    test_full_4gib();
    test_forced_bounds_checks();
    test_memory64();
    test_byte_pages();
    test_limits();
    test_shared();
    test_fill_copy_init();
    test_resident();
    test_traps();
    test_restricted_address_space();
    if (g_failures) {
        printf("%d check(s) failed\n", g_failures);
        return 1;
    }
    printf("all memory tests passed\n");
    return 0;
}
