#include "util/error.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

/* Immutable: shared by every thread and engine, never freed. */
static kite_error_t g_oom = {KITE_ERROR_OUT_OF_MEMORY, {0}, (char *)"out of memory", {0}};

kite_error_t *kutil_error_oom(void) { return &g_oom; }

kite_error_t *kutil_error_vnew(const kite_allocator_t *a, kite_error_code_t code,
                               kite_position_t pos, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    kite_error_t *e = kutil_malloc(a, sizeof(*e) + (size_t)n + 1);
    if (!e)
        return &g_oom;
    e->message = (char *)(e + 1);
    vsnprintf(e->message, (size_t)n + 1, fmt, ap);
    e->code = code;
    e->pos = pos;
    e->alloc = *a;
    return e;
}

kite_error_t *kutil_error_new(const kite_allocator_t *a, kite_error_code_t code, const char *fmt,
                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    kite_error_t *e = kutil_error_vnew(a, code, (kite_position_t){0}, fmt, ap);
    va_end(ap);
    return e;
}

kite_error_t *kutil_error_at_offset(const kite_allocator_t *a, kite_error_code_t code,
                                    uint64_t offset, const char *fmt, ...)
{
    kite_position_t pos = {.has_offset = true, .offset = offset};
    va_list ap;
    va_start(ap, fmt);
    kite_error_t *e = kutil_error_vnew(a, code, pos, fmt, ap);
    va_end(ap);
    return e;
}

kite_error_t *kutil_error_at_line(const kite_allocator_t *a, kite_error_code_t code, uint32_t line,
                                  uint32_t col, const char *fmt, ...)
{
    kite_position_t pos = {.has_line = true, .line = line, .column = col};
    va_list ap;
    va_start(ap, fmt);
    kite_error_t *e = kutil_error_vnew(a, code, pos, fmt, ap);
    va_end(ap);
    return e;
}

kite_error_code_t kite_error_code(const kite_error_t *error) { return error->code; }
const char *kite_error_message(const kite_error_t *error) { return error->message; }
kite_position_t kite_error_position(const kite_error_t *error) { return error->pos; }

void kite_error_free(kite_error_t *error)
{
    if (!error || error == &g_oom)
        return;
    kite_allocator_t a = error->alloc;
    kutil_free(&a, error);
}
