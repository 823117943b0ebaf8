/* Module entry points for kite's own tools (not part of the public API). */
#ifndef KITE_API_MODULE_INTERNAL_H
#define KITE_API_MODULE_INTERNAL_H

#include "ir/module.h"
#include "kite.h"

/* Like kite_module_new_text, with text[0] at base_line:base_col of its file. */
kite_error_t *kapi_module_new_text_at(kite_engine_t *engine, const char *text, size_t len,
                                      uint32_t base_line, uint32_t base_col, kite_module_t **out);
const kir_module *kapi_module_ir(const kite_module_t *module);

#endif
