/*
 * What the kite command tells the user when something goes wrong: every
 * message on stderr, starting with "kite", saying what failed and why.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

/* A backtrace longer than MAX_FRAMES shows its first frames and its last
 * OUTER_FRAMES: deep recursion can leave many thousands. */
#define MAX_FRAMES 30
#define OUTER_FRAMES 5

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kite: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_format_position(cli_buf *b, const char *file, const kite_error_t *err)
{
    kite_position_t pos = kite_error_position(err);
    if (pos.has_line)
        cli_buf_printf(b, "%s:%" PRIu32 ":%" PRIu32, file, pos.line, pos.column);
    else if (pos.has_offset)
        cli_buf_printf(b, "%s+0x%" PRIx64, file, pos.offset);
    else
        cli_buf_printf(b, "%s", file);
}

void cli_module_error(const char *file, kite_error_t *err)
{
    cli_buf where = {.len = 0};
    cli_format_position(&where, file, err);
    const char *what = "";
    switch (kite_error_code(err)) {
    case KITE_ERROR_MALFORMED: what = "malformed module: "; break;
    case KITE_ERROR_INVALID: what = "invalid module: "; break;
    default: break;
    }
    cli_error("%s: %s%s", where.text, what, kite_error_message(err));
    kite_error_free(err);
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void cli_format_frame(cli_buf *b, const kite_frame_t *f, const char *file)
{
    if (f->func_name)
        cli_buf_printf(b, "%s", f->func_name);
    else
        cli_buf_printf(b, "func[%" PRIu32 "]", f->func_index);
    if (f->line)
        cli_buf_printf(b, " (%s:%" PRIu32 ":%" PRIu32 ")", file, f->line, f->column);
    else
        cli_buf_printf(b, " (%s+0x%" PRIx64 ")",
                       f->module_name ? f->module_name : basename_of(file), f->code_offset);
}

void cli_report_trap(const kite_trap_t *trap, const char *message, const char *file)
{
    cli_error("trap: %s", message ? message : kite_trap_message(trap));
    size_t n = kite_trap_frame_count(trap);
    for (size_t i = 0; i < n; i++) {
        if (n > MAX_FRAMES && i == MAX_FRAMES - OUTER_FRAMES) {
            fprintf(stderr, "  ... %zu more frames ...\n", n - MAX_FRAMES);
            i = n - OUTER_FRAMES;
        }
        kite_frame_t f = kite_trap_frame(trap, i);
        cli_buf frame = {.len = 0};
        cli_format_frame(&frame, &f, file);
        fprintf(stderr, "  at %s\n", frame.text);
    }
}
