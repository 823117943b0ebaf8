/*
 * Force-included into every PolyBench/C kernel by bench/compare.sh: the
 * array dump of POLYBENCH_DUMP_ARRAYS goes into a checksum printed at exit
 * ("NAME HEX") instead of megabytes of text, so a run checks its result at
 * the cost of reading it once. A double's lowest 20 mantissa bits are left
 * out, so that the last-place differences between C libraries' exp/pow
 * (native glibc, WASI libc) do not count; everything else does.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t pb_sum_ = 1469598103934665603u;
static int pb_registered_;

static void pb_mix_(uint64_t v)
{
    for (int i = 0; i < 8; i++)
        pb_sum_ = (pb_sum_ ^ ((v >> (8 * i)) & 0xFF)) * 1099511628211u;
}

static void pb_print_(void) { printf("%s %016llx\n", PB_NAME, (unsigned long long)pb_sum_); }

static int pb_fprintf(FILE *f, const char *fmt, ...)
{
    (void)f;
    if (!pb_registered_) {
        pb_registered_ = 1;
        atexit(pb_print_);
    }
    va_list ap;
    va_start(ap, fmt);
    if (strstr(fmt, "%s") == NULL && strchr(fmt, '%')) {
        if (strchr(fmt, 'f')) {
            double d = va_arg(ap, double);
            uint64_t bits;
            memcpy(&bits, &d, sizeof(bits));
            pb_mix_(bits & ~(uint64_t)0xFFFFF);
        } else {
            pb_mix_((uint64_t)(int64_t)va_arg(ap, int));
        }
    }
    va_end(ap);
    return 0;
}
#define fprintf pb_fprintf
