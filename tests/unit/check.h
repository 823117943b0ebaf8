/* The unit tests' one assertion macro: CHECK(cond, printf-args) counts and
 * reports a failure without stopping the test. */
#ifndef KITE_TESTS_CHECK_H
#define KITE_TESTS_CHECK_H

#include <stdio.h>

static int g_failures;

#define CHECK(cond, ...)                                \
    do {                                                \
        if (!(cond)) {                                  \
            g_failures++;                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                        \
            printf("\n");                               \
        }                                               \
    } while (0)

#endif
