/*
 * Scaffolding shared by the kite benchmark workloads.
 *
 * Every workload defines `uint32_t run(void)`, which does all the work and
 * returns a checksum. The same source builds three ways (see ../build.sh):
 *   - native, for the baseline timing;
 *   - a WASI command module: _start -> main -> run, printing the checksum
 *     through fd_write; `run` is exported as well;
 *   - a "bare" module (BENCH_BARE) with no imports at all, exporting only
 *     `run` and memory, for engines that have no WASI yet.
 *
 * run() uses no libc: buffers are static arrays (zeroed by the loader, so no
 * start-up code is needed) and nothing is allocated, so calling the exported
 * `run` directly, without _start, is valid.
 *
 * Output format, identical across builds: "<name> <checksum as 8 hex digits>\n".
 */
#ifndef KITE_BENCH_H
#define KITE_BENCH_H

#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT __attribute__((export_name("run")))
#else
#define BENCH_EXPORT
#endif

#define BENCH_NOINLINE __attribute__((noinline))

/* Workload parameters are read through volatile globals so the compiler
 * cannot fold a whole benchmark into a constant. */
#define BENCH_PARAM(type, name, value) static volatile type name = (value)

uint32_t run(void);

/* FNV-1a style mixing of a 32-bit word into a running checksum. */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xffu;
        h *= 16777619u;
    }
    return h;
}

#define BENCH_MIX_INIT 2166136261u

#ifndef BENCH_BARE
#include <unistd.h>

static void bench_report(const char *name, uint32_t sum)
{
    static const char hex[] = "0123456789abcdef";
    char buf[64];
    unsigned n = 0;
    while (*name && n < sizeof buf - 10)
        buf[n++] = *name++;
    buf[n++] = ' ';
    for (int shift = 28; shift >= 0; shift -= 4)
        buf[n++] = hex[(sum >> shift) & 0xfu];
    buf[n++] = '\n';
    /* A short write to a pipe or terminal is not worth a retry loop here;
     * a truncated line shows up as a checksum mismatch in run.sh. */
    if (write(1, buf, n) != (ssize_t)n)
        _exit(2);
}

#define BENCH_MAIN(name)                                                       \
    int main(void)                                                             \
    {                                                                          \
        bench_report(name, run());                                             \
        return 0;                                                              \
    }
#else
#include <stddef.h>

/* Without libc, these back the memset/memcpy calls the compiler emits for
 * clearing and copying loops. no_builtin stops it from turning these very
 * loops back into calls to themselves. Word stores keep them close in speed
 * to wasi-libc's versions, which the WASI build uses. */
typedef uint64_t __attribute__((may_alias)) bench_word;

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

__attribute__((no_builtin("memset"))) void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    for (; n && ((uintptr_t)d & 7); n--)
        *d++ = b;
    bench_word w = b * 0x0101010101010101ull;
    for (; n >= 8; n -= 8, d += 8)
        *(bench_word *)d = w;
    for (; n; n--)
        *d++ = b;
    return dst;
}

__attribute__((no_builtin("memcpy"))) void *memcpy(void *restrict dst,
                                                   const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        for (; n && ((uintptr_t)d & 7); n--)
            *d++ = *s++;
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(bench_word *)d = *(const bench_word *)s;
    }
    for (; n; n--)
        *d++ = *s++;
    return dst;
}

#define BENCH_MAIN(name)
#endif

#endif
