/*
 * Engines and modules in kite.h: kite_engine_new connects the runtime to
 * the execution tier, and modules are made from bytes or text here (decode
 * or parse, then the runtime validates and wraps them).
 */
#include <string.h>

#include "api/module_internal.h"
#include "binary/decode.h"
#include "gc/gc.h"
#include "interp/interp.h"
#include "runtime/engine.h"
#include "text/parse.h"

/* The runtime's way up: the interpreter runs code, the GC makes the
 * objects of constant expressions. */
static const krt_hooks g_hooks = {
    .call = kint_call,
    .code_free = kint_code_free,
    .gc_new = kgc_new_for_const,
};

kite_engine_t *kite_engine_new(const kite_config_t *config)
{
    return krt_engine_new(config, &g_hooks);
}

kite_error_t *kite_module_new(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                              kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    kite_error_t *err = kdec_decode(&engine->config, bytes, len, &ir);
    if (err)
        return err;
    return krt_module_new(engine, ir, out);
}

kite_error_t *kapi_module_new_text_at(kite_engine_t *engine, const char *text, size_t len,
                                      uint32_t base_line, uint32_t base_col, kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    kite_error_t *err = ktext_parse_module(&engine->config, text, len, base_line, base_col, &ir);
    if (err)
        return err;
    return krt_module_new(engine, ir, out);
}

kite_error_t *kite_module_new_text(kite_engine_t *engine, const char *text, size_t len,
                                   kite_module_t **out)
{
    return kapi_module_new_text_at(engine, text, len, 1, 1, out);
}

const kir_module *kapi_module_ir(const kite_module_t *module) { return module->ir; }

kite_error_t *kite_module_new_any(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                                  kite_module_t **out)
{
    if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0)
        return kite_module_new(engine, bytes, len, out);
    return kite_module_new_text(engine, (const char *)bytes, len, out);
}
