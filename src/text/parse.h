/* The WAT module parser: text to an ir module (code in binary encoding). */
#ifndef KITE_TEXT_PARSE_H
#define KITE_TEXT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"

struct kite_config;

/*
 * Parse one module: either `(module [$id] field*)` or a bare sequence of
 * module fields (the spec's inline module form). base_line/base_col place
 * text[0] in its file so that errors carry file positions. On success *out
 * is the caller's; on error the error is KITE_ERROR_MALFORMED with
 * line:column and a message in the spec's words ("unknown operator",
 * "unexpected token", "unknown label", "constant out of range", ...).
 * Nothing is validated beyond what the text grammar itself requires.
 */
kite_error_t *ktext_parse_module(const struct kite_config *config, const char *text, size_t len,
                                 uint32_t base_line, uint32_t base_col, kir_module **out);

#endif
