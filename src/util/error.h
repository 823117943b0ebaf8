/* Building kite_error_t values (see kite.h for the public side). */
#ifndef KITE_UTIL_ERROR_H
#define KITE_UTIL_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#include "kite.h"

#if defined(__GNUC__)
#define KITE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KITE_PRINTF(f, a)
#endif

/* An error and its message, in one block of the allocator that made it (a
 * copy: an error may outlive its engine), which kite_error_free uses. */
struct kite_error {
    kite_error_code_t code;
    kite_position_t pos;
    char *message;
    kite_allocator_t alloc;
};

/* Each returns a new error made with allocator a, or the shared
 * out-of-memory error if even that allocation fails (kite_error_free knows
 * not to release it). */
kite_error_t *kutil_error_new(const kite_allocator_t *a, kite_error_code_t code, const char *fmt,
                              ...) KITE_PRINTF(3, 4);
kite_error_t *kutil_error_at_offset(const kite_allocator_t *a, kite_error_code_t code,
                                    uint64_t offset, const char *fmt, ...) KITE_PRINTF(4, 5);
kite_error_t *kutil_error_at_line(const kite_allocator_t *a, kite_error_code_t code, uint32_t line,
                                  uint32_t col, const char *fmt, ...) KITE_PRINTF(5, 6);
kite_error_t *kutil_error_vnew(const kite_allocator_t *a, kite_error_code_t code,
                               kite_position_t pos, const char *fmt, va_list ap);
kite_error_t *kutil_error_oom(void);

#endif
