/* The unit tests' one assertion macro: CHECK(cond, printf-args) counts and
 * reports a failure without stopping the test; CHECK_THAT(cond) reports the
 * condition's text. Only the first CHECK_MAX_REPORTS failures are printed
 * (a broken operation swept over many inputs would flood the log); all are
 * counted in g_failures, and every check in g_checks (atomic: tests check
 * from several threads). */
#ifndef KITE_TESTS_CHECK_H
#define KITE_TESTS_CHECK_H

#include <stdio.h>

static _Atomic int g_failures;
static _Atomic long g_checks;

#define CHECK_MAX_REPORTS 100

#define CHECK(cond, ...)                                    \
    do {                                                    \
        g_checks++;                                         \
        if (!(cond) && ++g_failures <= CHECK_MAX_REPORTS) { \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
            printf(__VA_ARGS__);                            \
            printf("\n");                                   \
        }                                                   \
    } while (0)

#define CHECK_THAT(cond) CHECK(cond, "%s", #cond)

#endif
