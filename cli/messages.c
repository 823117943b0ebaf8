/*
 * What the kite command tells the user when something goes wrong: every
 * message on stderr, starting with "kite", saying what failed and why.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

const char *cli_frame_label(const kite_frame_t *frame, const char *file)
{
    if (frame->line)
        return file;
    const char *slash = strrchr(file, '/');
    return slash ? slash + 1 : file;
}

void cli_report_trap(const kite_trap_t *trap, const char *message, const char *file)
{
    /* The program is one module: its first frame tells which label. */
    const char *label = file;
    if (kite_trap_frame_count(trap)) {
        kite_frame_t first = kite_trap_frame(trap, 0);
        label = cli_frame_label(&first, file);
    }
    /* The library's text starts with the trap's own message, followed by
     * the backtrace; `message` replaces the former. */
    const char *own = kite_trap_message(trap);
    size_t len = kite_trap_format(trap, label, NULL, 0);
    char *text = malloc(len + 1);
    if (!text) {
        cli_error("trap: %s", message ? message : own);
        return;
    }
    kite_trap_format(trap, label, text, len + 1);
    cli_error("trap: %s%s", message ? message : own, text + strlen(own));
    free(text);
}
