/*
 * A reactor (built with -mexec-model=reactor): no _start; _initialize runs
 * the constructors, then the host calls exports. Run with
 * `kite run --invoke next reactor.wasm`.
 */
#include <stdio.h>

static int counter;

__attribute__((constructor)) static void init(void)
{
    counter = 41; /* set by _initialize: `next` sees 42 only if it ran */
}

__attribute__((export_name("next"))) int next(void)
{
    printf("reactor: next called\n");
    fflush(stdout);
    return ++counter;
}

__attribute__((export_name("add"))) long long add(long long a, int b)
{
    return a + b;
}
