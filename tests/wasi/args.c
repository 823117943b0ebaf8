/*
 * Arguments, environment and exit codes.
 *   args.wasm ARGS...      prints argc, argv and the sorted environment
 *   args.wasm exit N       exits with N through exit() from a nested call,
 *                          after output that only stdio's buffer holds
 *   args.wasm return N     returns N from main
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((noinline)) static void leave(int code)
{
    printf("leaving with %d\n", code);
    exit(code);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit") == 0)
        leave(atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "return") == 0)
        return atoi(argv[2]);
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    int n = 0;
    while (environ[n])
        n++;
    qsort(environ, (size_t)n, sizeof(char *), cmp);
    printf("environ: %d\n", n);
    for (int i = 0; i < n; i++)
        printf("  %s\n", environ[i]);
    const char *v = getenv("KITE_TEST");
    printf("getenv(KITE_TEST)=%s\n", v ? v : "(unset)");
    return 0;
}
