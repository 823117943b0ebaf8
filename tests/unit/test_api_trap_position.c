/*
 * Where a trap happened, through the public API: the frames of a text
 * module carry the line and column of each instruction (the trapping one,
 * and the calls below it), a binary module's only its byte offset; and the
 * names of value kinds.
 */
#include <string.h>

#include "check.h"
#include "kite.h"

static const char *const wat = "(module\n"
                               "  (func $inner (param i32) (result i32)\n"
                               "    i32.const 1\n"
                               "    local.get 0\n"
                               "    i32.div_u)\n"
                               "  (func (export \"outer\") (param i32) (result i32)\n"
                               "    (nop)\n"
                               "    (call $inner (local.get 0))))\n";

/* (func (export "f") unreachable) */
static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
                               7, 5, 1, 1, 'f', 0, 0, 10, 5, 1, 3, 0, 0, 0x0b};

/* Calls export `name` with (i32 0) when it takes one; the trap (caller frees). */
static kite_trap_t *trap_of(kite_engine_t *engine, kite_module_t *module, const char *name)
{
    kite_store_t *store = kite_store_new(engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_instance_new(store, module, NULL, 0, &inst, &trap);
    CHECK(!err && !trap, "instantiation");
    kite_extern_t f;
    CHECK(kite_instance_export(inst, name, strlen(name), &f), "export %s", name);
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = 0}, result;
    size_t nargs = kite_func_param_count(f.of.func);
    err = kite_func_call(store, f.of.func, &arg, nargs, &result, nargs, &trap);
    CHECK(!err && trap, "the call traps");
    kite_error_free(err);
    /* Frames stay readable after the store is gone: they borrow only names. */
    kite_store_free(store);
    return trap;
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *text = NULL, *binary = NULL;
    CHECK(!kite_module_new_text(engine, wat, strlen(wat), &text), "text module");
    CHECK(!kite_module_new(engine, wasm, sizeof(wasm), &binary), "binary module");

    kite_trap_t *trap = trap_of(engine, text, "outer");
    if (!trap)
        return 1;
    CHECK(kite_trap_frame_count(trap) == 2, "two frames, got %zu", kite_trap_frame_count(trap));
    kite_frame_t inner = kite_trap_frame(trap, 0), outer = kite_trap_frame(trap, 1);
    CHECK(inner.line == 5 && inner.column == 5, "i32.div_u at 5:5, got %u:%u", inner.line,
          inner.column);
    CHECK(outer.line == 8 && outer.column == 5, "the call at 8:5, got %u:%u", outer.line,
          outer.column);
    CHECK(inner.func_name && strcmp(inner.func_name, "inner") == 0, "inner's name");
    kite_trap_free(trap);

    trap = trap_of(engine, binary, "f");
    if (!trap)
        return 1;
    kite_frame_t f = kite_trap_frame(trap, 0);
    CHECK(f.line == 0 && f.column == 0, "a binary has no lines, got %u:%u", f.line, f.column);
    CHECK(f.code_offset == 0x1e, "unreachable at 0x1e, got 0x%llx",
          (unsigned long long)f.code_offset);
    kite_trap_free(trap);

    static const char *const names[] = {"i32", "i64", "f32", "f64", "v128", "ref"};
    for (kite_valkind_t k = KITE_I32; k <= KITE_REF; k++)
        CHECK(kite_valkind_name(k) && strcmp(kite_valkind_name(k), names[k]) == 0, "kind %d", k);
    CHECK(kite_valkind_name((kite_valkind_t)99) == NULL, "not a kind");

    kite_module_free(text);
    kite_module_free(binary);
    kite_engine_free(engine);
    return g_failures ? 1 : 0;
}
