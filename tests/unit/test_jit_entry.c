/*
 * Entering and leaving compiled code, with small functions written by hand
 * through the macro-assembler: the entry stub's result and register set-up,
 * explicit traps, faults at trap sites of a guarded memory, the native
 * stack limit, nested entries, and that a fault elsewhere in compiled code
 * is not swallowed (in a child process). Also that code pages are never
 * writable once sealed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "jit/jit.h"
#include "util/alloc.h"

#if KJIT_HAVE_BACKEND

#define FP(i) kjit_m(KJIT_R_FP, (i) * 8)
#define TH(field) kjit_m(KJIT_R_TH, (int32_t)offsetof(kint_thread, field))

enum { POS_FAULT = 99, POS_EXPLICIT = 42, KIND_EXPLICIT = 7 };

typedef struct fixture {
    kjit_chunk *chunk;
    uint32_t f_add, f_trap, f_load, f_load_unrecorded, f_recurse, f_outer;
} fixture;

static kint_thread g_th;
static kint_instance g_ki;
static fixture g_fx;
static uint64_t g_inner_slots[4];

static void prologue(kjit_masm *m)
{
    kjit_push(m, KJIT_RBP);
    kjit_mov(m, 64, kjit_r(KJIT_RBP), kjit_r(KJIT_RSP));
}

static void epilogue(kjit_masm *m)
{
    kjit_pop(m, KJIT_RBP);
    kjit_ret(m);
}

/* What f_outer calls: a nested entry that traps; returns its status. */
static int64_t nested_entry(kint_thread *th)
{
    return g_fx.chunk->enter(th, g_inner_slots, &g_ki, kjit_chunk_addr(g_fx.chunk, g_fx.f_trap));
}

static void build(void)
{
    kjit_masm mm, *m = &mm;
    kjit_masm_init(m, kjit_cpu_features(), &kutil_libc);
    kjit_sites sites = {.alloc = &kutil_libc};
    kjit_stubs stubs;
    kjit_emit_stubs(m, &stubs);

    /* fp[0] = fp[0] + fp[1] */
    g_fx.f_add = kjit_masm_offset(m);
    prologue(m);
    kjit_mov(m, 64, kjit_r(KJIT_RAX), FP(0));
    kjit_alu(m, KJIT_ADD, 64, KJIT_RAX, KJIT_RAX, FP(1));
    kjit_mov(m, 64, FP(0), kjit_r(KJIT_RAX));
    epilogue(m);

    /* an explicit trap */
    g_fx.f_trap = kjit_masm_offset(m);
    prologue(m);
    kjit_mov(m, 32, kjit_r(KJIT_TRAP_KIND_REG), kjit_i(KIND_EXPLICIT));
    kjit_mov(m, 32, kjit_r(KJIT_TRAP_POS_REG), kjit_i(POS_EXPLICIT));
    kjit_jmp(m, stubs.trap);

    /* fp[0] = i32 at memory 0 + fp[0]: a recorded trap site */
    g_fx.f_load = kjit_masm_offset(m);
    prologue(m);
    kjit_load(m, KJIT_L32U, KJIT_RAX, FP(0));
    kjit_site_add(&sites, kjit_masm_offset(m), KOS_SITE_MEMORY, KITE_TRAP_MEMORY_OUT_OF_BOUNDS, POS_FAULT);
    kjit_load(m, KJIT_L32U, KJIT_RAX, kjit_mx(KJIT_R_MEM, KJIT_RAX, 1, 0));
    kjit_mov(m, 64, FP(0), kjit_r(KJIT_RAX));
    epilogue(m);

    /* the same access, not recorded as a trap site */
    g_fx.f_load_unrecorded = kjit_masm_offset(m);
    prologue(m);
    kjit_load(m, KJIT_L32U, KJIT_RAX, FP(0));
    kjit_load(m, KJIT_L32U, KJIT_RAX, kjit_mx(KJIT_R_MEM, KJIT_RAX, 1, 0));
    kjit_mov(m, 64, FP(0), kjit_r(KJIT_RAX));
    epilogue(m);

    /* fp[0]++ and recurse, until the native stack limit traps */
    g_fx.f_recurse = kjit_masm_offset(m);
    kjit_label overflow = kjit_label_new(m);
    kjit_label self = kjit_label_new(m);
    kjit_bind(m, self);
    prologue(m);
    kjit_cmp(m, 64, KJIT_RSP, TH(native_limit));
    kjit_jcc(m, KJIT_LT_U, overflow);
    kjit_alu_mem(m, KJIT_ADD, 64, FP(0), kjit_i(1));
    kjit_call_label(m, self);
    epilogue(m);
    kjit_bind(m, overflow);
    kjit_mov(m, 32, kjit_r(KJIT_TRAP_KIND_REG), kjit_i(KITE_TRAP_CALL_STACK_EXHAUSTED));
    kjit_mov(m, 32, kjit_r(KJIT_TRAP_POS_REG), kjit_i(0));
    kjit_jmp(m, stubs.trap);

    /* fp[0] = status of a nested entry that traps; fp[1] = 5 afterwards */
    g_fx.f_outer = kjit_masm_offset(m);
    prologue(m);
    kjit_mov(m, 64, kjit_r(KJIT_ARG0), kjit_r(KJIT_R_TH));
    kjit_call_abs(m, (const void *)nested_entry);
    kjit_mov(m, 64, FP(0), kjit_r(KJIT_RET));
    kjit_mov(m, 64, FP(1), kjit_i(5));
    epilogue(m);

    int err = kjit_chunk_new(m, &stubs, &sites, &g_fx.chunk);
    CHECK(err == 0, "chunk: error %d", err);
    kjit_masm_free(m);
    kjit_sites_free(&sites);
}

static int run(uint32_t f, uint64_t *slots)
{
    return g_fx.chunk->enter(&g_th, slots, &g_ki, kjit_chunk_addr(g_fx.chunk, f));
}

/* The permissions of the mapping holding addr, from /proc/self/maps. */
static void check_not_writable(const void *addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return; /* not Linux */
    char line[512];
    bool found = false;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
            found = true;
            CHECK(strcmp(perms, "r-xp") == 0, "code mapping has permissions %s", perms);
        }
    }
    fclose(f);
    CHECK(found, "code mapping not found");
}

/* Runs f in a child process; true when the child died of a signal or
 * otherwise did not come back from the entry (the fault was not taken for
 * a trap). */
static bool crashes_in_child(uint32_t f, uint64_t addr)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* the crash (or a sanitizer's report of it) is expected: keep it quiet */
        FILE *devnull = freopen("/dev/null", "w", stderr);
        (void)devnull;
        uint64_t slots[4] = {addr};
        int status = run(f, slots);
        _exit(status == KINT_RUN_TRAP ? 42 : 43);
    }
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) != pid)
        return false;
    if (WIFSIGNALED(ws))
        return true;
    /* a sanitizer's handler reports the fault and exits with its own code */
    return WIFEXITED(ws) && WEXITSTATUS(ws) != 42 && WEXITSTATUS(ws) != 43;
}

int main(void)
{
    if (kos_signals_install() != 0) {
        printf("no fault handler: skipped\n");
        return 0;
    }
    /* a guarded memory: 64 KiB accessible in an 8 GiB reservation */
    const size_t reserve = ((size_t)8 << 30) + 65536;
    void *mem, *guard;
    if (kos_reserve(reserve, &mem) != 0 || kos_commit(mem, 65536) != 0 ||
        kos_guard_register(mem, reserve, &guard) != 0) {
        printf("no 8 GiB reservation: skipped\n");
        return 0;
    }
    ((uint32_t *)mem)[4] = 0xCAFE;
    g_ki.mem0 = mem;
    g_th.native_limit = kos_stack_limit(KINT_NATIVE_STACK_RESERVE);

    build();
    if (!g_fx.chunk)
        return 1;
    check_not_writable(g_fx.chunk->mem);

    uint64_t s[4] = {40, 2};
    CHECK(run(g_fx.f_add, s) == KINT_RUN_OK && s[0] == 42, "add: %llu", (unsigned long long)s[0]);
    CHECK(g_th.native_sp == 0, "native_sp not restored");

    for (int i = 0; i < 1000; i++) {
        g_th.trap_kind = g_th.trap_pos = 0;
        int st = run(g_fx.f_trap, s);
        if (st != KINT_RUN_TRAP || g_th.trap_kind != KIND_EXPLICIT || g_th.trap_pos != POS_EXPLICIT ||
            g_th.native_sp != 0) {
            CHECK(false, "explicit trap %d: status %d kind %u pos %u", i, st, g_th.trap_kind, g_th.trap_pos);
            break;
        }
    }

    s[0] = 16;
    CHECK(run(g_fx.f_load, s) == KINT_RUN_OK && s[0] == 0xCAFE, "load in bounds: %llx", (unsigned long long)s[0]);
    uint64_t oob[] = {65536, 65535, 0xFFFFFFFF, 0x80000000};
    for (int rep = 0; rep < 200; rep++) {
        for (size_t i = 0; i < sizeof(oob) / sizeof(oob[0]); i++) {
            g_th.trap_kind = g_th.trap_pos = 0;
            s[0] = oob[i];
            int st = run(g_fx.f_load, s);
            if (st != KINT_RUN_TRAP || g_th.trap_kind != KITE_TRAP_MEMORY_OUT_OF_BOUNDS ||
                g_th.trap_pos != POS_FAULT || g_th.native_sp != 0) {
                CHECK(false, "fault at a trap site (addr %llx): status %d kind %u pos %u",
                      (unsigned long long)oob[i], st, g_th.trap_kind, g_th.trap_pos);
                rep = 1000;
                break;
            }
        }
    }

    s[0] = 0;
    g_th.trap_kind = 0;
    int st = run(g_fx.f_recurse, s);
    CHECK(st == KINT_RUN_TRAP && g_th.trap_kind == KITE_TRAP_CALL_STACK_EXHAUSTED && s[0] > 1000,
          "recursion: status %d kind %u depth %llu", st, g_th.trap_kind, (unsigned long long)s[0]);
    CHECK(g_th.native_sp == 0, "native_sp not restored after stack exhaustion");

    s[0] = s[1] = 0;
    st = run(g_fx.f_outer, s);
    CHECK(st == KINT_RUN_OK && s[0] == KINT_RUN_TRAP && s[1] == 5 && g_th.native_sp == 0,
          "nested entry: status %d inner %llu after %llu", st, (unsigned long long)s[0], (unsigned long long)s[1]);

    /* Not traps: a fault in compiled code away from a trap site, and one
     * at a trap site whose address is outside every guard range. */
    CHECK(crashes_in_child(g_fx.f_load_unrecorded, 65536), "a fault at no trap site was swallowed");
    g_ki.mem0 = (uint8_t *)(uintptr_t)4096; /* unmapped, and no guard range */
    CHECK(crashes_in_child(g_fx.f_load, 0), "a fault outside the guard ranges was swallowed");
    g_ki.mem0 = mem;

    kjit_chunk_free(g_fx.chunk);
    kos_guard_unregister(guard);
    kos_release(mem, reserve);
    printf("%s\n", g_failures ? "FAILED" : "ok");
    return g_failures ? 1 : 0;
}

#else

int main(void)
{
    printf("no compiler backend on this host: skipped\n");
    return 0;
}

#endif
