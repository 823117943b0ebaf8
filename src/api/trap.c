/* Traps as text: kite_trap_format, kite_frame_format. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "kite.h"
#include "util/error.h"

/* How many frames a long backtrace shows: the innermost and the outermost
 * (as the kite command does). */
#define TRAP_FORMAT_INNER 25
#define TRAP_FORMAT_OUTER 5

/* An snprintf that keeps going past the end of the buffer, counting. */
typedef struct text_out {
    char *buf;
    size_t size, len;
} text_out;

static void out_printf(text_out *o, const char *fmt, ...) KITE_PRINTF(2, 3);

static void out_printf(text_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void out_frame(text_out *o, const kite_frame_t *f, const char *module_label)
{
    const char *label = module_label ? module_label : "wasm";
    if (f->func_name)
        out_printf(o, "%s", f->func_name);
    else
        out_printf(o, "func[%" PRIu32 "]", f->func_index);
    if (f->line)
        out_printf(o, " (%s:%" PRIu32 ":%" PRIu32 ")", label, f->line, f->column);
    else
        out_printf(o, " (%s+0x%" PRIx64 ")", f->module_name ? f->module_name : label,
                   f->code_offset);
}

size_t kite_frame_format(const kite_frame_t *frame, const char *module_label, char *buf,
                         size_t size)
{
    text_out o = {buf, buf ? size : 0, 0};
    if (o.size)
        buf[0] = '\0';
    out_frame(&o, frame, module_label);
    return o.len;
}

size_t kite_trap_format(const kite_trap_t *trap, const char *module_label, char *buf, size_t size)
{
    text_out o = {buf, buf ? size : 0, 0};
    if (o.size)
        buf[0] = '\0';
    out_printf(&o, "%s", kite_trap_message(trap));
    size_t n = kite_trap_frame_count(trap);
    const size_t shown = TRAP_FORMAT_INNER + TRAP_FORMAT_OUTER;
    for (size_t i = 0; i < n; i++) {
        if (n > shown && i == TRAP_FORMAT_INNER) {
            out_printf(&o, "\n  ... %zu more frames ...", n - shown);
            i = n - TRAP_FORMAT_OUTER;
        }
        kite_frame_t f = kite_trap_frame(trap, i);
        out_printf(&o, "\n  at ");
        out_frame(&o, &f, module_label);
    }
    return o.len;
}
