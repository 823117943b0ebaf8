/* A trap deep in named functions: status 133 and a backtrace naming them. */
#include <stdio.h>

__attribute__((noinline)) int divide(int a, int b)
{
    return a / b;
}

__attribute__((noinline)) void crash_here(void)
{
    fprintf(stderr, "about to trap\n");
    __builtin_trap();
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return divide(argc, argc - 2); /* one argument: divide by zero */
    crash_here();
    return 0;
}
