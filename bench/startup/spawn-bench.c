/*
 * Start-up timing of command lines, run interleaved: round r runs every
 * command once (in a rotating order), so that drift in the machine's speed
 * (frequency, other load) falls on all of them alike instead of on whichever
 * ran last. Each run's wall time is from posix_spawn to waitpid; stdout and
 * stderr go to /dev/null.
 *
 *   spawn-bench [-n RUNS] [-w WARMUP] -- 'CMD ARGS...' ['CMD ARGS...' ...]
 *
 * Commands are split on spaces (no quoting). Prints, per command, the
 * median, mean, 10th and 90th percentile in microseconds, and its median
 * relative to the first command's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { MAX_CMDS = 16, MAX_ARGS = 64 };

typedef struct command {
    const char *line;
    char *argv[MAX_ARGS + 1];
    double *times;
} command;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int split(char *line, char **argv)
{
    int n = 0;
    for (char *tok = strtok(line, " "); tok && n < MAX_ARGS; tok = strtok(NULL, " "))
        argv[n++] = tok;
    argv[n] = NULL;
    return n;
}

/* One run; its wall time in microseconds, or -1 if it failed. */
static double run_once(command *c, posix_spawn_file_actions_t *fa)
{
    pid_t pid;
    double t0 = now_us();
    if (posix_spawnp(&pid, c->argv[0], fa, NULL, c->argv, environ) != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    double t = now_us() - t0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = 1000, warmup = 50, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: spawn-bench [-n RUNS] [-w WARMUP] -- 'CMD ARGS...' ...\n");
            return 2;
        }
    }
    int ncmds = argc - i - 1;
    if (ncmds < 1 || ncmds > MAX_CMDS || runs < 1) {
        fprintf(stderr, "spawn-bench: give 1 to %d commands after --\n", MAX_CMDS);
        return 2;
    }
    command cmds[MAX_CMDS];
    for (int k = 0; k < ncmds; k++) {
        cmds[k].line = argv[i + 1 + k];
        char *copy = strdup(cmds[k].line);
        cmds[k].times = calloc((size_t)runs, sizeof(double));
        if (!copy || !cmds[k].times || split(copy, cmds[k].argv) == 0) {
            fprintf(stderr, "spawn-bench: bad command '%s'\n", cmds[k].line);
            return 2;
        }
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    for (int r = -warmup; r < runs; r++) {
        for (int j = 0; j < ncmds; j++) {
            command *c = &cmds[((r < 0 ? -r : r) + j) % ncmds];
            double t = run_once(c, &fa);
            if (t < 0) {
                fprintf(stderr, "spawn-bench: '%s' failed\n", c->line);
                return 1;
            }
            if (r >= 0)
                c->times[r] = t;
        }
    }
    double base = 0;
    printf("%-60s %9s %9s %9s %9s %7s\n", "command", "median", "mean", "p10", "p90", "ratio");
    for (int k = 0; k < ncmds; k++) {
        command *c = &cmds[k];
        double sum = 0;
        for (int r = 0; r < runs; r++)
            sum += c->times[r];
        qsort(c->times, (size_t)runs, sizeof(double), cmp_double);
        double median = c->times[runs / 2];
        if (k == 0)
            base = median;
        printf("%-60s %9.1f %9.1f %9.1f %9.1f %7.3f\n", c->line, median, sum / runs,
               c->times[runs / 10], c->times[runs * 9 / 10], median / base);
    }
    return 0;
}
