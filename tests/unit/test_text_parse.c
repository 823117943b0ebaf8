/*
 * The WAT module parser: encodings of instructions whose text syntax differs
 * from their binary immediates, identifier resolution, implicit types,
 * segment forms, error messages, deep nesting and source positions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/module.h"
#include "kite.h"
#include "text/parse.h"
#include "check.h"


static kir_module *parse(const char *text)
{
    kir_module *m = NULL;
    kite_error_t *e = ktext_parse_module(NULL, text, strlen(text), 1, 1, &m);
    if (e) {
        printf("unexpected error: %s (%s)\n", kite_error_message(e), text);
        kite_error_free(e);
        g_failures++;
        return NULL;
    }
    return m;
}

/* The body of function `func` (after its locals) must be exactly `bytes`
 * followed by `end`. */
static void expect_body(const char *text, uint32_t func, const uint8_t *bytes, size_t n)
{
    kir_module *m = parse(text);
    if (!m)
        return;
    const kir_expr *b = func < m->nfuncs ? &m->funcs[func].body : NULL;
    bool ok = b && b->len == n + 1 && memcmp(b->code, bytes, n) == 0 && b->code[n] == 0x0B;
    if (!ok) {
        g_failures++;
        printf("body mismatch for %s\n  got:", text);
        for (uint32_t i = 0; b && i < b->len; i++)
            printf(" %02x", b->code[i]);
        printf("\n want:");
        for (size_t i = 0; i < n; i++)
            printf(" %02x", bytes[i]);
        printf(" 0b\n");
    }
    kir_module_free(m);
}

#define BODY(text, ...)                                                                    \
    do {                                                                                   \
        static const uint8_t want_[] = {__VA_ARGS__};                                      \
        expect_body(text, 0, want_, sizeof(want_));                                        \
    } while (0)

static void expect_error(const char *text, const char *prefix)
{
    kir_module *m = NULL;
    kite_error_t *e = ktext_parse_module(NULL, text, strlen(text), 1, 1, &m);
    if (!e) {
        g_failures++;
        printf("accepted, expected \"%s\": %s\n", prefix, text);
        kir_module_free(m);
        return;
    }
    CHECK(kite_error_code(e) == KITE_ERROR_MALFORMED, "error code for %s", text);
    CHECK(strncmp(kite_error_message(e), prefix, strlen(prefix)) == 0,
          "message \"%s\", expected \"%s\" for %s", kite_error_message(e), prefix, text);
    CHECK(kite_error_position(e).has_line, "no position for %s", text);
    kite_error_free(e);
}

static void test_instructions(void)
{
    /* labels by name and depth; flat and folded forms mix */
    BODY("(func (block $a (block $b (br $a) (br $b) (br 0))))", 0x02, 0x40, 0x02, 0x40, 0x0C, 0x01,
         0x0C, 0x00, 0x0C, 0x00, 0x0B, 0x0B);
    BODY("(func block $a loop $b br $a br_if $b end $b end $a)", 0x02, 0x40, 0x03, 0x40, 0x0C,
         0x01, 0x0D, 0x00, 0x0B, 0x0B);
    /* shadowed labels resolve to the innermost block */
    BODY("(func (block $l (block $l (br $l)) (br $l)))", 0x02, 0x40, 0x02, 0x40, 0x0C, 0x00, 0x0B,
         0x0C, 0x00, 0x0B);
    /* folded if: condition first, empty else dropped */
    BODY("(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const "
         "3))))",
         0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x05, 0x41, 0x03, 0x0B);
    BODY("(func (if (i32.const 0) (then) (else)))", 0x41, 0x00, 0x04, 0x40, 0x0B);
    /* operands of folded instructions come first */
    BODY("(func (result i32) (i32.sub (i32.const 1) (i32.const 2)))", 0x41, 0x01, 0x41, 0x02,
         0x6B);
    /* select: plain, typed, typed with no types */
    BODY("(func (drop (select (i32.const 1) (i32.const 2) (i32.const 3))))", 0x41, 0x01, 0x41,
         0x02, 0x41, 0x03, 0x1B, 0x1A);
    BODY("(func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)))",
         0x41, 0x01, 0x41, 0x02, 0x41, 0x03, 0x1C, 0x01, 0x7F);
    /* call_indirect: type index then table index */
    BODY("(table $a 1 funcref) (table $b 1 funcref) (type $s (func)) "
         "(func (call_indirect $b (type $s) (i32.const 0)))",
         0x41, 0x00, 0x11, 0x00, 0x01);
    /* memargs: natural alignment by default, memory index flag, offset */
    BODY("(memory 1) (memory $m 1) (func (drop (i32.load $m offset=4 align=1 (i32.const 0))) "
         "(drop (i64.load (i32.const 0))))",
         0x41, 0x00, 0x28, 0x40, 0x01, 0x04, 0x1A, 0x41, 0x00, 0x29, 0x03, 0x00, 0x1A);
    /* table.init / memory.init with one or two indices; copies */
    BODY("(table $t 1 funcref) (table $u 1 funcref) (elem $e func) (memory 1) (data $d \"\") "
         "(func (table.init $u $e (i32.const 0) (i32.const 0) (i32.const 0)) "
         "(memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) "
         "(table.copy $u $t (i32.const 0) (i32.const 0) (i32.const 0)))",
         0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0C, 0x00, 0x01, 0x41, 0x00, 0x41, 0x00, 0x41,
         0x00, 0xFC, 0x08, 0x00, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0E, 0x01, 0x00);
    /* constants */
    BODY("(func (drop (i32.const -1)) (drop (i64.const 0x8000000000000000)) (drop (f32.const 1)))",
         0x41, 0x7F, 0x1A, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F, 0x1A,
         0x43, 0x00, 0x00, 0x80, 0x3F, 0x1A);
    /* SIMD */
    BODY("(func (drop (v128.const i32x4 1 2 3 -1)))", 0xFD, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0,
         0, 0xFF, 0xFF, 0xFF, 0xFF, 0x1A);
    BODY("(memory 1) (func (param v128) (drop (v128.load8_lane 1 (i32.const 0) (local.get 0))))",
         0x41, 0x00, 0x20, 0x00, 0xFD, 0x54, 0x00, 0x00, 0x01, 0x1A);
    BODY("(memory 1) (memory 1) (func (param v128) "
         "(drop (v128.load8_lane 1 offset=2 3 (i32.const 0) (local.get 0))))",
         0x41, 0x00, 0x20, 0x00, 0xFD, 0x54, 0x40, 0x01, 0x02, 0x03, 0x1A);
    /* GC: field names, nullability selects the cast opcode, cast flags */
    BODY("(type $t (struct (field $a i32) (field $b (mut i64)))) "
         "(func (param (ref $t)) (drop (struct.get $t $b (local.get 0))))",
         0x20, 0x00, 0xFB, 0x02, 0x00, 0x01, 0x1A);
    BODY("(type $t (struct)) (func (param anyref) (drop (ref.test (ref null $t) (local.get 0))) "
         "(drop (ref.cast (ref any) (local.get 0))))",
         0x20, 0x00, 0xFB, 0x15, 0x00, 0x1A, 0x20, 0x00, 0xFB, 0x16, 0x6E, 0x1A);
    BODY("(type $t (struct)) (func (param anyref) (result anyref) "
         "(br_on_cast 0 anyref (ref $t) (local.get 0)))",
         0x20, 0x00, 0xFB, 0x18, 0x01, 0x00, 0x6E, 0x00);
    BODY("(type $a (array i8)) (func (drop (array.new_fixed $a 2 (i32.const 1) (i32.const 2))))",
         0x41, 0x01, 0x41, 0x02, 0xFB, 0x08, 0x00, 0x02, 0x1A);
    /* exceptions: try_table handlers use labels outside the block */
    BODY("(tag $e) (func (block $out (try_table (catch $e $out) (catch_all_ref 0))))", 0x02, 0x40,
         0x1F, 0x40, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x0B, 0x0B);
    /* legacy exceptions: catch clauses, delegate ends the try without end */
    BODY("(tag $e) (func (try (do (nop)) (catch $e (nop)) (catch_all)))", 0x06, 0x40, 0x01, 0x07,
         0x00, 0x01, 0x19, 0x0B);
    BODY("(func (block $b (try (do) (delegate $b))))", 0x02, 0x40, 0x06, 0x40, 0x18, 0x00, 0x0B);
    BODY("(tag $e) (func try $l nop catch $e rethrow $l catch_all end)", 0x06, 0x40, 0x01, 0x07,
         0x00, 0x09, 0x00, 0x19, 0x0B);
    /* block types: a type use naming a type stays an index */
    BODY("(type $v (func)) (func (block (type $v)))", 0x02, 0x00, 0x0B);
    BODY("(func (param i32) (block (param i32) (drop)))", 0x02, 0x00, 0x1A, 0x0B);
}

static void test_module(void)
{
    kir_module *m;

    /* implicit types: reuse an identical plain type (even one defined
     * later), else append after all explicit types */
    m = parse("(func $f (result f64) (f64.const 0)) (func $g (param i32)) "
              "(func $h (result f64) (f64.const 1)) (type $t (func (param i32))) "
              "(type (sub (func (param i64)))) (func (param i64))");
    if (m) {
        CHECK(m->ntypes == 4, "ntypes %u", m->ntypes);
        CHECK(m->funcs[0].type == 2 && m->funcs[1].type == 0 && m->funcs[2].type == 2 &&
                  m->funcs[3].type == 3,
              "implicit types %u %u %u %u", m->funcs[0].type, m->funcs[1].type, m->funcs[2].type,
              m->funcs[3].type);
        CHECK(m->func_names && strcmp(m->func_names[1].ptr, "g") == 0, "func names");
        kir_module_free(m);
    }

    /* rec groups and subtypes */
    m = parse("(rec (type $a (sub (struct (field (ref null $b))))) (type $b (sub final $a "
              "(struct (field (ref null $b)))))) (type (array (mut i16)))");
    if (m) {
        CHECK(m->ntypes == 3, "ntypes");
        CHECK(m->types[0].rec_start == 0 && m->types[0].rec_size == 2 && !m->types[0].final,
              "rec 0");
        CHECK(m->types[1].super == 0 && m->types[1].final, "sub final");
        CHECK(m->types[1].fields[0].type == kir_vt_ref(true, true, 1), "field ref");
        CHECK(m->types[2].rec_start == 2 && m->types[2].rec_size == 1 &&
                  m->types[2].comp == KIR_COMP_ARRAY && m->types[2].fields[0].mutable_ &&
                  m->types[2].fields[0].type == kir_vt(KIR_I16),
              "array");
        kir_module_free(m);
    }

    /* imports come first in every index space; inline imports/exports */
    m = parse("(module $M (import \"a\" \"f\" (func $imp (param i32))) "
              "(func $i2 (import \"a\" \"g\") (result i32)) (global $g (import \"a\" \"h\") i32) "
              "(tag $e (import \"a\" \"t\") (param i32)) "
              "(func (export \"x\") (export \"y\") (call $imp (global.get $g))) "
              "(memory (export \"mem\") 1 2 shared) (table i64 0 10 funcref) (start 2))");
    if (m) {
        CHECK(strcmp(m->module_name.ptr, "M") == 0, "module name");
        CHECK(m->nimports == 4 && m->nfuncs == 3 && m->nfunc_imports == 2, "imports");
        CHECK(m->imports[1].kind == KIR_EXTERN_FUNC && m->imports[1].index == 1, "import 1");
        CHECK(m->funcs[2].import == KIR_NONE && m->nexports == 3, "exports");
        CHECK(m->exports[1].index == 2 && strcmp(m->exports[2].name.ptr, "mem") == 0, "export");
        CHECK(m->memories[0].limits.shared && m->memories[0].limits.max == 2, "memory");
        CHECK(m->tables[0].limits.is64 && m->tables[0].limits.max == 10, "table64");
        CHECK(m->ntags == 1 && m->ntag_imports == 1, "tag");
        CHECK(m->start == 2, "start");
        kir_module_free(m);
    }

    /* element segments in their binary forms */
    m = parse("(table $t 10 funcref) (func $f) (func $g) "
              "(elem (i32.const 0) $f $g) (elem funcref (ref.func $f) (ref.null func)) "
              "(elem declare func $g) (elem (table $t) (offset (i32.const 1)) (ref func) "
              "(item ref.func $f)) (table $u funcref (elem $f $g))");
    if (m) {
        CHECK(m->nelems == 5, "nelems %u", m->nelems);
        const kir_elem *e0 = &m->elems[0];
        CHECK(e0->mode == KIR_SEG_ACTIVE && e0->funcs && e0->count == 2 && e0->funcs[1] == 1 &&
                  e0->type == kir_vt_ref(false, false, KIR_HEAP_FUNC),
              "elem 0");
        CHECK(m->elems[1].mode == KIR_SEG_PASSIVE && m->elems[1].exprs && m->elems[1].count == 2,
              "elem 1");
        CHECK(m->elems[2].mode == KIR_SEG_DECLARATIVE && m->elems[2].funcs, "elem 2");
        CHECK(m->elems[3].funcs && m->elems[3].funcs[0] == 0, "elem 3 as indices");
        CHECK(m->elems[4].funcs && m->elems[4].table == 1 && m->elems[4].type == KIR_FUNCREF,
              "inline elem: funcref with plain ref.func items kept as indices");
        CHECK(m->tables[1].limits.min == 2 && m->tables[1].limits.max == 2, "inline table size");
        kir_module_free(m);
    }

    /* data segments, inline memory data, custom page sizes */
    m = parse("(memory $m 1) (memory $n (pagesize 1) (data \"ab\" \"c\")) "
              "(data (memory $n) (i32.const 1) \"x\") (data \"\\01\\02\") (func (data.drop 1))");
    if (m) {
        CHECK(m->ndatas == 3, "ndatas");
        CHECK(m->memories[1].limits.min == 3 && m->memories[1].page_size_log2 == 0, "pagesize");
        CHECK(m->datas[0].len == 3 && memcmp(m->datas[0].bytes, "abc", 3) == 0, "inline data");
        CHECK(m->datas[1].memory == 1 && m->datas[1].mode == KIR_SEG_ACTIVE, "data 1");
        CHECK(m->datas[2].mode == KIR_SEG_PASSIVE && m->datas[2].bytes[1] == 2, "data 2");
        CHECK(m->has_data_count && m->data_count == 3, "data count");
        kir_module_free(m);
    }

    /* locals: names, groups */
    m = parse("(func $f (param $a i32) (param f32) (local $x i64) (local i64 i32) "
              "(drop (local.get $x)))");
    if (m) {
        const kir_func *f = &m->funcs[0];
        CHECK(f->nlocals == 3 && f->nlocal_groups == 2 && f->local_groups[0].count == 2,
              "local groups");
        CHECK(f->body.code[1] == 2, "local index");
        CHECK(m->nlocal_names == 2 && m->local_names[1].local == 2, "local names");
        kir_module_free(m);
    }

    /* source positions of instructions */
    m = parse("(func\n  (drop\n    (i32.const 7)))");
    if (m) {
        uint32_t line = 0, col = 0, base = m->funcs[0].body.offset;
        CHECK(kir_module_srcpos(m, base, &line, &col) && line == 3 && col == 5,
              "srcpos const %u:%u", line, col);
        CHECK(kir_module_srcpos(m, base + 2, &line, &col) && line == 2 && col == 3,
              "srcpos drop %u:%u", line, col);
        kir_module_free(m);
    }
}

static void test_errors(void)
{
    expect_error("(func (br $nope))", "unknown label");
    expect_error("(func block $a end $b)", "mismatching label");
    expect_error("(func i32.const 0 if $a else $b end)", "mismatching label");
    expect_error("(func $f) (func $f)", "duplicate func");
    expect_error("(func (param $x i32) (local $x i32))", "duplicate local");
    expect_error("(type (struct (field $x i32) (field $x i32)))", "duplicate field");
    expect_error("(func) (import \"\" \"\" (global i32))", "import after function");
    expect_error("(memory 0) (func (import \"\" \"\"))", "import after memory");
    expect_error("(type $t (func (param i32))) (func (type $t) (param i64))",
                 "inline function type");
    expect_error("(func (type 5) (param i32))", "unknown type");
    expect_error("(func (call $missing))", "unknown function");
    expect_error("(func (i32.foo))", "unknown operator");
    expect_error("(table 0 anyfunc)", "unknown operator");
    expect_error("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment");
    expect_error("(func (drop (i32.const 4294967296)))", "constant out of range");
    expect_error("(func (drop (f32.const 1e39)))", "constant out of range");
    expect_error("(func (drop (v128.const i32x4 1 2 3)))", "wrong number of lane literals");
    expect_error("(func (i8x16.shuffle 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))",
                 "invalid lane length");
    expect_error("(func (drop (i8x16.extract_lane_s 256 (v128.const i64x2 0 0))))",
                 "i8 constant out of range");
    expect_error("(func (nop) (local i32))", "unexpected token");
    expect_error("(func (result i32) (param i32))", "unexpected token");
    expect_error("(func (if (i32.const 1)))", "unexpected token");
    expect_error("(func (try (do) (catch_all) (delegate 0)))", "unexpected token");
    expect_error("(func $a) (start $a) (start $a)", "multiple start sections");
    expect_error("(import \"\\ff\" \"\" (func))", "malformed UTF-8 encoding");
    expect_error("(memory 0 (pagesize 3))", "invalid custom page size");
    expect_error("(func (block)", "unexpected");
    expect_error("(module (func)) (func)", "unexpected token");
}

/* Instructions of a disabled feature are unknown operators. */
static void test_features(void)
{
    kite_config_t *c = kite_config_new();
    kir_module *m = NULL;
    const char *text = "(func (drop (v128.const i64x2 0 0)))";
    if (!c) {
        g_failures++;
        return;
    }
    kite_config_set_feature(c, KITE_FEATURE_SIMD, false);
    kite_error_t *e = ktext_parse_module(c, text, strlen(text), 1, 1, &m);
    CHECK(e && strncmp(kite_error_message(e), "unknown operator", 16) == 0,
          "disabled SIMD: %s", e ? kite_error_message(e) : "accepted");
    kite_error_free(e);
    kir_module_free(m);
    kite_config_free(c);
}

/* Nesting is limited by memory, never by the C stack. */
static void test_deep(void)
{
    enum { DEPTH = 100000 };
    const char *open = "(i32.add (i32.const 1) ";
    size_t n = strlen(open);
    char *text = malloc(DEPTH * (n + 1) + 64);
    if (!text) {
        g_failures++;
        return;
    }
    char *p = text;
    p += sprintf(p, "(func (result i32) ");
    for (int i = 0; i < DEPTH; i++, p += n)
        memcpy(p, open, n);
    p += sprintf(p, "(i32.const 0)");
    for (int i = 0; i < DEPTH; i++)
        *p++ = ')';
    strcpy(p, ")");
    kir_module *m = parse(text);
    if (m) {
        CHECK(m->funcs[0].body.len == (uint32_t)DEPTH * 3 + 3, "deep body length %u",
              m->funcs[0].body.len);
        kir_module_free(m);
    }
    p = text + sprintf(text, "(func ");
    for (int i = 0; i < DEPTH; i++)
        p += sprintf(p, "block ");
    for (int i = 0; i < DEPTH; i++)
        p += sprintf(p, "end ");
    strcpy(p, ")");
    m = parse(text);
    kir_module_free(m);
    free(text);
}

int main(void)
{
    test_instructions();
    test_module();
    test_errors();
    test_features();
    test_deep();
    if (g_failures)
        printf("%d failure(s)\n", g_failures);
    return g_failures != 0;
}
