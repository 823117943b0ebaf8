/*
 * ThreadSanitizer builds (KITE_TSAN, `make tsan-test`): accesses to linear
 * memory are the guest's. Wasm lets a program race on its shared memory
 * (plain loads and stores from several threads are defined, if
 * unpredictable, behaviour), so those races are the guest's, not kite's:
 * krt_guest_copy is memcpy with TSan told to ignore the accesses, used for
 * linear memory by the executor's loads and stores and the bulk memory
 * operations. Atomic instructions stay visible (they synchronize), and so
 * does everything kite itself shares between threads. Elsewhere this is
 * plain memcpy.
 */
#ifndef KITE_RUNTIME_TSAN_H
#define KITE_RUNTIME_TSAN_H

#include <string.h>

#if defined(KITE_TSAN)
/* The TSan runtime's dynamic annotations (compiler-rt tsan_interface_ann). */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);

static inline void *krt_guest_move(void *dst, const void *src, size_t n)
{
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    memmove(dst, src, n);
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    return dst;
}

static inline void *krt_guest_set(void *dst, int c, size_t n)
{
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    memset(dst, c, n);
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    return dst;
}
#define krt_guest_copy krt_guest_move
#else
#define krt_guest_copy memcpy
#define krt_guest_move memmove
#define krt_guest_set memset
#endif

#endif
