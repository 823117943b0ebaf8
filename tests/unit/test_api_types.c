/*
 * kite.h where an embedder looks first: the version, validate-only,
 * import/export/extern types, serialized modules and module references,
 * trap text and frames, (pointer, length) names in the linker, and objects
 * of one store refused by another.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

#define STR(x) #x
#define XSTR(x) STR(x)

static kite_engine_t *g_engine;

static kite_module_t *text_module(const char *text)
{
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new_text(g_engine, text, strlen(text), &m);
    if (err) {
        printf("module: %s\n", kite_error_message(err));
        kite_error_free(err);
    }
    return m;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*len);
    if (b && fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static void test_version(void)
{
    CHECK(strcmp(kite_version(), KITE_VERSION_STRING) == 0, "kite_version");
    static const char made[] =
        XSTR(KITE_VERSION_MAJOR) "." XSTR(KITE_VERSION_MINOR) "." XSTR(KITE_VERSION_PATCH);
    CHECK(strcmp(KITE_VERSION_STRING, made) == 0, "the version string is made of the numbers");
}

static void test_validate(void)
{
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    static const uint8_t bad_version[] = {0, 'a', 's', 'm', 2, 0, 0, 0};
    /* (module (func (result i32))): a body without its result */
    static const uint8_t invalid[] = {0,    'a',  's',  'm',  1,    0,    0,    0,   1,
                                      5,    1,    0x60, 0,    1,    0x7f, 3,    2,   1,
                                      0,    10,   4,    1,    2,    0,    0x0b};
    CHECK(kite_module_validate(g_engine, empty, sizeof(empty)) == NULL, "valid");
    kite_error_t *err = kite_module_validate(g_engine, bad_version, sizeof(bad_version));
    CHECK(err && kite_error_code(err) == KITE_ERROR_MALFORMED, "malformed");
    kite_error_free(err);
    err = kite_module_validate(g_engine, invalid, sizeof(invalid));
    CHECK(err && kite_error_code(err) == KITE_ERROR_INVALID &&
              strstr(kite_error_message(err), "type mismatch"),
          "invalid: %s", err ? kite_error_message(err) : "(none)");
    kite_error_free(err);
}

static void test_types(void)
{
    kite_module_t *m = text_module(
        "(module"
        "  (type $s (struct))"
        "  (import \"env\" \"f\" (func (param i32 f64) (result (ref null $s) i64)))"
        "  (import \"env\" \"t\" (table 1 5 funcref))"
        "  (import \"env\" \"m\" (memory i64 2))"
        "  (import \"env\" \"g\" (global (mut externref)))"
        "  (import \"env\" \"e\" (tag (param i32)))"
        "  (table (export \"table\") 3 externref)"
        "  (memory (export \"memory\") 1 4)"
        "  (global (export \"global\") f32 (f32.const 1))"
        "  (func (export \"func\") (param v128)))");
    if (!m)
        return;
    CHECK(kite_module_import_count(m) == 5 && kite_module_export_count(m) == 4, "counts");
    kite_import_desc_t f = kite_module_import(m, 0);
    CHECK(f.kind == KITE_EXTERN_FUNC && f.type.kind == KITE_EXTERN_FUNC, "func import");
    const kite_functype_t *ft = f.type.of.func;
    CHECK(kite_functype_param_count(ft) == 2 && kite_functype_result_count(ft) == 2 &&
              kite_functype_param(ft, 1).kind == KITE_F64 &&
              kite_functype_result(ft, 0).kind == KITE_REF &&
              kite_functype_result(ft, 0).nullable &&
              kite_functype_result(ft, 0).heap == KITE_HEAP_CONCRETE &&
              kite_functype_result(ft, 1).kind == KITE_I64,
          "function signature");
    kite_import_desc_t t = kite_module_import(m, 1);
    CHECK(t.type.of.table.elem.heap == KITE_HEAP_FUNC && t.type.of.table.limits.min == 1 &&
              t.type.of.table.limits.has_max && t.type.of.table.limits.max == 5,
          "table import");
    kite_import_desc_t mem = kite_module_import(m, 2);
    CHECK(mem.type.of.memory.limits.is64 && mem.type.of.memory.limits.min == 2 &&
              !mem.type.of.memory.limits.has_max && mem.type.of.memory.page_size_log2 == 16,
          "memory64 import");
    kite_import_desc_t g = kite_module_import(m, 3);
    CHECK(g.type.of.global.mutable_ && g.type.of.global.type.heap == KITE_HEAP_EXTERN,
          "global import");
    kite_import_desc_t e = kite_module_import(m, 4);
    CHECK(e.kind == KITE_EXTERN_TAG && kite_functype_param_count(e.type.of.tag) == 1 &&
              e.name_len == 1 && e.name[1] == '\0',
          "tag import, NUL-terminated name");
    kite_export_desc_t x = kite_module_export(m, 3);
    CHECK(x.type.kind == KITE_EXTERN_FUNC &&
              kite_functype_param(x.type.of.func, 0).kind == KITE_V128,
          "v128 param");
    kite_export_desc_t none = kite_module_export(m, 99);
    CHECK(none.name == NULL && none.name_len == 0, "out of range");

    /* Extern types are current: sizes grow. */
    kite_module_t *m2 = text_module("(module (table (export \"t\") 1 3 funcref) "
                                    "(memory (export \"m\") 1) "
                                    "(global (export \"g\") (mut i64) (i64.const 0)))");
    kite_store_t *store = kite_store_new(g_engine);
    kite_instance_t *inst;
    kite_trap_t *trap;
    CHECK(kite_instance_new(store, m2, NULL, 0, &inst, &trap) == NULL, "instance");
    kite_extern_t te, me, ge;
    kite_instance_export(inst, "t", 1, &te);
    kite_instance_export(inst, "m", 1, &me);
    kite_instance_export(inst, "g", 1, &ge);
    kite_table_grow(te.of.table, 2, KITE_REF_NULL);
    kite_memory_grow(me.of.memory, 1);
    kite_externtype_t tt = kite_extern_type(&te), mt = kite_extern_type(&me);
    kite_externtype_t gt = kite_extern_type(&ge);
    CHECK(tt.of.table.limits.min == 3 && tt.of.table.limits.max == 3, "table now");
    CHECK(mt.of.memory.limits.min == 2 && !mt.of.memory.limits.has_max, "memory now");
    CHECK(gt.of.global.mutable_ && gt.of.global.type.kind == KITE_I64, "global type");
    kite_store_free(store);
    kite_module_free(m2);
    kite_module_free(m);
}

static void test_serialize(void)
{
    size_t len;
    uint8_t *bytes = read_file(KITE_SOURCE_DIR "/tests/wasi/hello.wasm", &len);
    CHECK(bytes != NULL, "hello.wasm");
    if (!bytes)
        return;
    kite_module_t *m;
    kite_error_t *err = kite_module_new(g_engine, bytes, len, &m);
    CHECK(err == NULL, "module");
    if (err)
        return;
    size_t need = 0;
    CHECK(kite_module_serialize(m, NULL, 0, &need) == NULL && need > 16, "size: %zu", need);
    uint8_t *ser = malloc(need);
    size_t wrote = 0;
    CHECK(kite_module_serialize(m, ser, need, &wrote) == NULL && wrote == need, "written");
    CHECK(memcmp(ser, "\0kite-mod", 9) == 0 && memcmp(ser + 16, "\0asm", 4) == 0, "header");
    kite_module_t *d;
    err = kite_module_deserialize(g_engine, ser, need, &d);
    CHECK(err == NULL && kite_module_export_count(d) == kite_module_export_count(m),
          "deserialized");
    kite_error_free(err);
    if (!err) {
        /* Serializing the deserialized module gives the same bytes. */
        size_t again;
        uint8_t *ser2 = malloc(need);
        CHECK(kite_module_serialize(d, ser2, need, &again) == NULL && again == need &&
                  memcmp(ser, ser2, need) == 0,
              "stable");
        free(ser2);
        kite_module_free(d);
    }
    err = kite_module_deserialize(g_engine, bytes, len, &d);
    CHECK(err && strstr(kite_error_message(err), "not a serialized kite module"), "a plain binary");
    kite_error_free(err);
    err = kite_module_deserialize(g_engine, ser, need - 1, &d);
    CHECK(err && strstr(kite_error_message(err), "truncated"), "truncated");
    kite_error_free(err);
    ser[9] = 99;
    err = kite_module_deserialize(g_engine, ser, need, &d);
    CHECK(err && strstr(kite_error_message(err), "format 99"), "another format");
    kite_error_free(err);
    free(ser);

    /* References: the clone outlives the original. */
    kite_module_t *c = kite_module_clone(m);
    kite_module_free(m);
    kite_store_t *store = kite_store_new(g_engine);
    CHECK(kite_module_import_count(c) > 0, "the clone is usable");
    kite_store_free(store);
    kite_module_free(c);

    kite_module_t *t = text_module("(module)");
    err = kite_module_serialize(t, NULL, 0, &need);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "text modules do not serialize");
    kite_error_free(err);
    kite_module_free(t);
    free(bytes);
}

/* ---- traps ---------------------------------------------------------------------------------- */

static void test_trap_text(void)
{
    kite_module_t *m = text_module("(module $calc"
                                   "  (func $deep (export \"deep\") (param i32)"
                                   "    (if (local.get 0) (then (call $deep (i32.sub (local.get 0) "
                                   "(i32.const 1)))) (else unreachable)))"
                                   "  (func (export \"div\") (param i32) (result i32)"
                                   "    (i32.div_u (i32.const 1) (local.get 0))))");
    kite_store_t *store = kite_store_new(g_engine);
    kite_instance_t *inst;
    kite_trap_t *trap = NULL;
    CHECK(kite_instance_new(store, m, NULL, 0, &inst, &trap) == NULL, "instance");
    kite_extern_t div, deep;
    kite_instance_export(inst, "div", 3, &div);
    kite_instance_export(inst, "deep", 4, &deep);
    kite_val_t zero = {.kind = KITE_I32, .of.i32 = 0}, r;
    kite_func_call(store, div.of.func, &zero, 1, &r, 1, &trap);
    CHECK(trap != NULL, "trap");
    if (trap) {
        kite_frame_t f = kite_trap_frame(trap, 0);
        /* i32.const 1 and local.get 0 take 2 bytes each: the division is
         * 4 bytes into the function (a text function starts at its first
         * instruction). */
        CHECK(f.instance == inst && f.func_index == 1 && f.func_offset == 4 &&
                  f.code_offset > f.func_offset,
              "frame: instance, function offset %llu", (unsigned long long)f.func_offset);
        char buf[256];
        size_t n = kite_trap_format(trap, "calc.wat", buf, sizeof(buf));
        const char *want = "integer divide by zero\n  at func[1] (calc.wat:1:";
        CHECK(n == strlen(buf) && strncmp(buf, want, strlen(want)) == 0, "formatted: %s", buf);
        char small[8];
        CHECK(kite_trap_format(trap, "calc.wat", small, sizeof(small)) == n && strlen(small) == 7,
              "truncated like snprintf");
        CHECK(kite_trap_format(trap, "calc.wat", NULL, 0) == n, "length only");
        char one[64];
        size_t frame_len = kite_frame_format(&f, "calc.wat", one, sizeof(one));
        CHECK(frame_len == strlen(one) && strncmp(one, "func[1] (calc.wat:1:", 20) == 0 &&
                  strstr(buf, one) != NULL,
              "one frame, as in the trap's text: %s", one);
        CHECK(kite_frame_format(&f, "calc.wat", NULL, 0) == frame_len, "frame length only");
        kite_trap_free(trap);
    }
    kite_val_t many = {.kind = KITE_I32, .of.i32 = 100};
    trap = NULL;
    kite_func_call(store, deep.of.func, &many, 1, NULL, 0, &trap);
    CHECK(trap && kite_trap_frame_count(trap) == 101, "deep trap");
    if (trap) {
        size_t n = kite_trap_format(trap, NULL, NULL, 0);
        char *text = malloc(n + 1);
        kite_trap_format(trap, NULL, text, n + 1);
        size_t lines = 0;
        for (char *p = text; *p; p++)
            lines += *p == '\n';
        CHECK(strstr(text, "\n  ... 71 more frames ...\n") != NULL && lines == 31 &&
                  strstr(text, "at deep (wasm:1:") != NULL,
              "long backtraces elided: %zu lines", lines);
        free(text);
        kite_trap_free(trap);
    }
    kite_store_free(store);
    kite_module_free(m);
}

/* ---- linker names and stores ----------------------------------------------------------------- */

static kite_trap_t *nop(void *env, kite_caller_t *caller, const kite_val_t *args,
                        kite_val_t *results)
{
    (void)env;
    (void)caller;
    (void)args;
    (void)results;
    return NULL;
}

static void test_linker_and_stores(void)
{
    kite_module_t *m = text_module("(module (import \"a\\00b\" \"c\\00\" (func)))");
    kite_store_t *s1 = kite_store_new(g_engine), *s2 = kite_store_new(g_engine);
    kite_func_t *f1;
    CHECK(kite_func_new_host(s1, NULL, 0, NULL, 0, nop, NULL, NULL, &f1) == NULL, "host func");
    CHECK(kite_functype_param_count(kite_func_type(f1)) == 0, "host func type");
    kite_linker_t *lk = kite_linker_new(g_engine);
    kite_extern_t ext = {.kind = KITE_EXTERN_FUNC, .of.func = f1}, got;
    CHECK(kite_linker_define(lk, "a\0b", 3, "c\0", 2, ext) == NULL, "define with NUL bytes");
    CHECK(kite_linker_get(lk, "a\0b", 3, "c\0", 2, &got) && got.of.func == f1, "get");
    CHECK(!kite_linker_get(lk, "a", 1, "c", 1, &got), "a prefix is another name");
    kite_instance_t *inst;
    kite_trap_t *trap = NULL;
    CHECK(kite_linker_instantiate(lk, s1, m, &inst, &trap) == NULL && inst, "linked by bytes");
    kite_error_t *err = kite_linker_instantiate(lk, s2, m, &inst, &trap);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT &&
              strstr(kite_error_message(err), "belongs to another store"),
          "an extern of another store: %s", err ? kite_error_message(err) : "(none)");
    kite_error_free(err);
    kite_linker_free(lk);
    kite_store_free(s1);
    kite_store_free(s2);
    kite_module_free(m);
}

int main(void)
{
    g_engine = kite_engine_new(NULL);
    test_version();
    test_validate();
    test_types();
    test_serialize();
    test_trap_text();
    test_linker_and_stores();
    kite_engine_free(g_engine);
    if (g_failures)
        printf("%d failures\n", g_failures);
    return g_failures != 0;
}
