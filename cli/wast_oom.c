/*
 * kite wast under fault injection, a testing aid (as KITE_GC_STRESS is):
 *
 *   KITE_FAIL_ALLOC=N kite wast FILE...   allocation N fails (counted from
 *                                         the start; 0: none), then the
 *                                         oracle below judges the run
 *   KITE_OOM_SWEEP=S kite wast FILE...    every S-th allocation of each
 *                                         script fails in turn, one per
 *                                         child process (1: every one)
 *
 * The oracle: before the failing allocation every command passes (the
 * scripts given must pass without injection); from it on, a command may
 * pass (the runtime coped) or fail with an out-of-memory error or trap
 * ("out of memory", or "GC heap exhausted" for a GC allocation), which
 * ends the run (what follows depends on what could not be made). Any other
 * failure, a crash, a hang, or a block of the engine's allocator still live
 * once the engine is freed is a finding, reported with the allocation's
 * number and the child's output, so that KITE_FAIL_ALLOC=N reproduces it.
 *
 * The sweep is fast because a child does not replay the script: the parent
 * runs the script once, and every few commands it forks a snapshot process
 * that waits until the parent has run those commands and knows how many
 * allocations they made; the snapshot then forks one child per sampled
 * allocation in that range, each continuing from the snapshot's state with
 * that allocation armed to fail. Snapshots are only taken on the main
 * thread with no script thread running.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wast.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WAST_OOM_LSAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define WAST_OOM_LSAN 1
#endif
#ifdef WAST_OOM_LSAN
#include <sanitizer/lsan_interface.h>
#endif

enum { ROLE_OFF, ROLE_ONE, ROLE_PARENT, ROLE_CHILD };

/* Commands between snapshots; snapshots working at once; a child's time. */
#define BATCH 16u
#define MAX_SHADOWS 2
#define CHILD_SECONDS 120

typedef struct shadow {
    pid_t pid;
    int to;   /* write end: the range's last allocation */
    int from; /* read end: the shadow's counts */
} shadow;

typedef struct shadow_result {
    uint64_t points, findings;
} shadow_result;

static struct {
    int role;
    uint64_t stride;
    pthread_t main_thread;
    const char *file;
    unsigned since; /* commands since the last snapshot */
    shadow shadows[MAX_SHADOWS];
    int nshadows;
    uint64_t points, findings; /* the parent's totals */
    /* a child's (or KITE_FAIL_ALLOC's) run */
    bool stop, bad;
} g;

/* ---- setup ------------------------------------------------------------------------------- */

bool wast_oom_setup(kite_config_t *config)
{
    const char *sweep = getenv("KITE_OOM_SWEEP");
    if (sweep && *sweep) {
        if (!cli_parse_int(sweep, 64, &g.stride) || g.stride == 0) {
            cli_error("KITE_OOM_SWEEP=%s: expected a sampling step (1: every allocation)", sweep);
            return false;
        }
        setenv("KITE_FAIL_ALLOC", "0", 1);
        g.role = ROLE_PARENT;
        g.main_thread = pthread_self();
        fflush(stdout);
    }
    if (!cli_fail_alloc_setup(config))
        return true;
    if (g.role == ROLE_OFF)
        g.role = ROLE_ONE;
    return true;
}

/* ---- the oracle ------------------------------------------------------------------------------ */

static bool out_of_memory(const char *why)
{
    return strstr(why, "out of memory") || strstr(why, "GC heap exhausted");
}

bool wast_oom_failure(const wast_run *run, unsigned line, const char *what, const char *why)
{
    if (g.role != ROLE_ONE && g.role != ROLE_CHILD)
        return false;
    uint64_t fired = cli_fail_alloc_fired();
    /* table.grow returns -1 when it cannot allocate (the spec allows it),
     * and says so in a diagnostic. */
    const char *note = run->store ? kite_store_last_diagnostic(run->store) : NULL;
    if (fired && (out_of_memory(why) || (note && out_of_memory(note)))) {
        g.stop = true;
        return true;
    }
    g.stop = g.bad = true;
    fprintf(stderr, "%s:%u: %s failed %s the failure of allocation %llu: %s\n", run->file, line,
            what, fired ? "after" : "before", (unsigned long long)(fired ? fired : 0), why);
    return true;
}

bool wast_oom_stopped(void) { return g.stop; }

/* ---- snapshots and children ----------------------------------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits for pid, killing it after `seconds`; its wait status, or -1 when
 * it had to be killed. */
static int wait_child(pid_t pid, unsigned seconds)
{
    uint64_t deadline = now_ms() + (uint64_t)seconds * 1000u;
    struct timespec nap = {0, 100000};
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return 0;
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 10000000)
            nap.tv_nsec *= 2;
    }
}

static bool read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        p += r;
        n -= (size_t)r;
    }
}

/* The end of a child's output, after a finding. */
static void show_output(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > 6000 ? end - 6000 : 0;
    char buf[6001];
    if (end <= 0 || lseek(fd, from, SEEK_SET) < 0)
        return;
    ssize_t n = read(fd, buf, (size_t)(end - from));
    if (n <= 0)
        return;
    fprintf(stderr, "  its output%s:\n", from ? " (the end)" : "");
    fwrite(buf, 1, (size_t)n, stderr);
    if (buf[n - 1] != '\n')
        fputc('\n', stderr);
}

/*
 * A snapshot: waits for the last allocation of its range, then runs a
 * child for each sampled allocation in (start, end]. A child returns from
 * here into the script with its allocation armed; the snapshot never
 * returns.
 */
static void run_shadow(int from_parent, int to_parent, uint64_t start)
{
    pid_t parent = getppid();
    uint64_t end = 0;
    shadow_result res = {0, 0};
    char path[] = "/tmp/kite-oom-XXXXXX";
    int out = mkstemp(path);
    if (out >= 0)
        unlink(path);
    if (!read_all(from_parent, &end, sizeof(end)) || out < 0)
        _exit(0);
    /* Spread the sampled points differently over each script. */
    uint64_t phase = 0;
    for (const char *p = g.file; *p; p++)
        phase = phase * 31 + (unsigned char)*p;
    for (uint64_t n = start + 1; n <= end; n++) {
        if ((n + phase) % g.stride != 0)
            continue;
        if (getppid() != parent)
            break; /* the sweep was stopped (killed, timed out): no more children */
        res.points++;
        if (ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0)
            break;
        pid_t pid = fork();
        if (pid == 0) {
            close(from_parent);
            close(to_parent);
            dup2(out, 1);
            dup2(out, 2);
            close(out);
            g.role = ROLE_CHILD;
            g.nshadows = 0;
            cli_fail_alloc_arm(n);
            return;
        }
        if (pid < 0) {
            res.findings++;
            fprintf(stderr, "%s: allocation %llu: cannot fork: %s\n", g.file,
                    (unsigned long long)n, strerror(errno));
            break;
        }
        int status = wait_child(pid, CHILD_SECONDS);
        if (status == 0)
            continue;
        res.findings++;
        if (status == -1)
            fprintf(stderr, "%s: allocation %llu: still running after %u s (a hang?)\n", g.file,
                    (unsigned long long)n, CHILD_SECONDS);
        else if (WIFSIGNALED(status))
            fprintf(stderr, "%s: allocation %llu: crashed (signal %d)\n", g.file,
                    (unsigned long long)n, WTERMSIG(status));
        else
            fprintf(stderr, "%s: allocation %llu: exit status %d\n", g.file,
                    (unsigned long long)n, WEXITSTATUS(status));
        show_output(out);
    }
    write_all(to_parent, &res, sizeof(res));
    _exit(0);
}

/* Tells the oldest snapshot where its range ends, or (end == 0) waits for
 * it and adds up its counts. */
static void finish_shadow(shadow *s)
{
    shadow_result res = {0, 0};
    close(s->to);
    int status = wait_child(s->pid, 24 * 3600);
    if (!read_all(s->from, &res, sizeof(res)) || status != 0) {
        fprintf(stderr, "%s: a snapshot process failed (status %d)\n", g.file, status);
        res.findings++;
    }
    close(s->from);
    g.points += res.points;
    g.findings += res.findings;
}

static void release_oldest(void)
{
    finish_shadow(&g.shadows[0]);
    memmove(&g.shadows[0], &g.shadows[1], (size_t)(g.nshadows - 1) * sizeof(shadow));
    g.nshadows--;
}

/* Ends the range of the newest snapshot at the current allocation. */
static void close_range(void)
{
    if (!g.nshadows)
        return;
    shadow *s = &g.shadows[g.nshadows - 1];
    if (s->to < 0)
        return;
    uint64_t end = cli_fail_alloc_count();
    write_all(s->to, &end, sizeof(end));
    close(s->to);
    s->to = -1;
}

static void snapshot(void)
{
    close_range();
    while (g.nshadows >= MAX_SHADOWS)
        release_oldest();
    int down[2], up[2];
    if (pipe(down) != 0)
        return;
    if (pipe(up) != 0) {
        close(down[0]);
        close(down[1]);
        return;
    }
    fflush(NULL);
    uint64_t start = cli_fail_alloc_count();
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        for (int i = 0; i < g.nshadows; i++) {
            if (g.shadows[i].to >= 0)
                close(g.shadows[i].to);
            close(g.shadows[i].from);
        }
        run_shadow(down[0], up[1], start);
        /* a child, from here on */
        return;
    }
    close(down[0]);
    close(up[1]);
    if (pid < 0) {
        close(down[1]);
        close(up[0]);
        g.findings++;
        fprintf(stderr, "%s: cannot fork: %s\n", g.file, strerror(errno));
        return;
    }
    g.shadows[g.nshadows++] = (shadow){pid, down[1], up[0]};
}

void wast_oom_file_start(const char *file)
{
    g.file = file;
    g.since = 0;
    if (g.role == ROLE_PARENT)
        snapshot();
}

void wast_oom_checkpoint(const wast_run *run)
{
    if (g.role != ROLE_PARENT || run->threads || !pthread_equal(pthread_self(), g.main_thread))
        return;
    if (++g.since < BATCH)
        return;
    g.since = 0;
    snapshot();
}

/* After a file, once its engine is freed: the engine's allocator must have
 * got every block back. A child ends here. */
void wast_oom_file_done(void)
{
    if (g.role == ROLE_PARENT) {
        close_range();
        while (g.nshadows)
            release_oldest();
        return;
    }
    if (g.role != ROLE_ONE && g.role != ROLE_CHILD)
        return;
    int64_t live = cli_fail_alloc_live();
    if (live != 0) {
        g.bad = true;
        fprintf(stderr, "%s: %lld blocks of the engine's allocator leaked (allocation %llu failed)\n",
                g.file ? g.file : "?", (long long)live, (unsigned long long)cli_fail_alloc_fired());
    }
    if (g.role == ROLE_CHILD) {
#ifdef WAST_OOM_LSAN
        if (__lsan_do_recoverable_leak_check())
            g.bad = true;
#endif
        fflush(NULL);
        _exit(g.bad ? 1 : 0);
    }
    g.stop = false;
}

int wast_oom_finish(int status)
{
    wast_oom_file_done();
    if (g.role == ROLE_PARENT) {
        printf("oom sweep (every %llu. allocation): %llu allocations failed in turn, %llu findings\n",
               (unsigned long long)g.stride, (unsigned long long)g.points,
               (unsigned long long)g.findings);
        return g.findings ? CLI_EXIT_ERROR : status;
    }
    if (g.role == ROLE_ONE) {
        cli_fail_alloc_report();
        return g.bad ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    }
    return status;
}
