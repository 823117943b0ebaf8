/* The binary decoder: Wasm binary format to an ir module. */
#ifndef KITE_BINARY_DECODE_H
#define KITE_BINARY_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ir/module.h"
#include "kite.h"

struct kite_config;

/*
 * Decode a whole binary module. On success *out is the caller's. Errors are
 * KITE_ERROR_MALFORMED with the byte offset and the spec's wording
 * ("unexpected end", "integer too large", "malformed UTF-8 encoding",
 * "section size mismatch", ...). Function bodies and constant expressions
 * are copied into the module as they are (their instructions are checked by
 * the validator, which reads them with kdec_reader below).
 */
kite_error_t *kdec_decode(const struct kite_config *config, const uint8_t *bytes, size_t len,
                          kir_module **out);

#endif
