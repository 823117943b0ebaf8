/*
 * Engines and modules in kite.h: kite_engine_new connects the runtime to
 * the execution tier, and modules are made from bytes or text here (decode
 * or parse, then the runtime validates and wraps them), validated without
 * being kept, or made again from their serialized form.
 */
#include <string.h>

#include "api/module_internal.h"
#include "binary/decode.h"
#include "gc/gc.h"
#include "interp/interp.h"
#include "runtime/engine.h"
#include "text/parse.h"
#include "jit/tier.h"
#include "util/error.h"
#include "valid/validate.h"

/* The runtime's way up: the interpreter runs code, the GC makes the
 * objects of constant expressions. */
static const krt_hooks g_hooks = {
    .call = kint_call,
    .code_free = kint_code_free,
    .gc_new = kgc_new_for_const,
};

const char *kite_version(void) { return KITE_VERSION_STRING; }

kite_engine_t *kite_engine_new(const kite_config_t *config)
{
    kite_engine_t *e = krt_engine_new(config, &g_hooks);
    if (!e)
        return NULL;
    if (e->config.tier == KITE_TIER_JIT)
        e->prepare_instance = kjit_prepare_instance;
    if (e->config.tier == KITE_TIER_AUTO && kjit_available())
        e->tier_up = kjit_tier_up;
    return e;
}

/* An empty input may come as NULL (an empty wasm.h vector, say); the
 * decoder and parser want a pointer. */
static const uint8_t *input(const void *bytes, size_t len)
{
    return len || bytes ? bytes : (const uint8_t *)"";
}

kite_error_t *kite_module_new(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                              kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    kite_error_t *err = kdec_decode(&engine->config, input(bytes, len), len, &ir);
    if (err)
        return err;
    return krt_module_new(engine, ir, out);
}

kite_error_t *kapi_module_new_text_at(kite_engine_t *engine, const char *text, size_t len,
                                      uint32_t base_line, uint32_t base_col, kite_module_t **out)
{
    *out = NULL;
    kir_module *ir = NULL;
    text = (const char *)input(text, len);
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

kite_error_t *kite_module_validate(kite_engine_t *engine, const uint8_t *bytes, size_t len)
{
    kir_module *ir = NULL;
    kite_error_t *err = kdec_decode(&engine->config, input(bytes, len), len, &ir);
    if (!err)
        err = kval_validate(&engine->config, engine->canon, ir);
    if (ir)
        kir_module_free(ir);
    return err;
}

/* The serialized form is described with kite_module_serialize
 * (runtime/module.c); this reads it back by decoding and validating the
 * binary again. */
kite_error_t *kite_module_deserialize(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                                      kite_module_t **out)
{
    const kite_allocator_t *a = &engine->config.alloc;
    *out = NULL;
    if (len < KRT_SERIAL_HEADER || memcmp(bytes, KRT_SERIAL_MAGIC, KRT_SERIAL_MAGIC_LEN) != 0)
        return kutil_error_new(a, KITE_ERROR_MALFORMED, "not a serialized kite module");
    if (bytes[KRT_SERIAL_MAGIC_LEN] != KRT_SERIAL_FORMAT)
        return kutil_error_new(a, KITE_ERROR_MALFORMED,
                               "serialized kite module of format %u, this kite reads format %u",
                               bytes[KRT_SERIAL_MAGIC_LEN], KRT_SERIAL_FORMAT);
    size_t body = 0;
    for (int i = 0; i < 4; i++)
        body |= (size_t)bytes[12 + i] << (8 * i);
    if (body != len - KRT_SERIAL_HEADER)
        return kutil_error_new(a, KITE_ERROR_MALFORMED,
                               "serialized kite module truncated or padded: %zu bytes of "
                               "module expected, %zu present",
                               body, len - KRT_SERIAL_HEADER);
    return kite_module_new(engine, bytes + KRT_SERIAL_HEADER, body, out);
}
