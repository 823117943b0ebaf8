/*
 * Annotations of the text format turned into the custom sections they
 * denote: @custom (contents and placement), @name (the names kite shows and
 * the name section's bytes), branch hints (the metadata.code.branch_hint
 * section's bytes), and the errors of malformed or misplaced ones.
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
    CHECK(strncmp(kite_error_message(e), prefix, strlen(prefix)) == 0,
          "message \"%s\", expected \"%s\" for %s", kite_error_message(e), prefix, text);
    CHECK(kite_error_position(e).has_line, "no position for %s", text);
    kite_error_free(e);
}

static const kir_custom *custom(const kir_module *m, const char *name, uint32_t nth)
{
    for (uint32_t i = 0; i < m->ncustoms; i++)
        if (m->customs[i].name.len == strlen(name) && memcmp(m->customs[i].name.ptr, name, strlen(name)) == 0 &&
            nth-- == 0)
            return &m->customs[i];
    return NULL;
}

static void expect_bytes(const kir_custom *c, const uint8_t *want, size_t n, const char *what)
{
    bool ok = c && c->len == n && (n == 0 || memcmp(c->bytes, want, n) == 0);
    if (!ok) {
        g_failures++;
        printf("%s: section bytes differ\n  got:", what);
        for (uint32_t i = 0; c && i < c->len; i++)
            printf(" %02x", c->bytes[i]);
        printf("\n want:");
        for (size_t i = 0; i < n; i++)
            printf(" %02x", want[i]);
        printf("\n");
    }
}

#define BYTES(c, what, ...)                                                                \
    do {                                                                                   \
        static const uint8_t want_[] = {__VA_ARGS__};                                      \
        expect_bytes(c, want_, sizeof(want_), what);                                       \
    } while (0)

/* The placement example of the spec's appendix on custom annotations. */
static void test_custom(void)
{
    kir_module *m = parse("(module\n"
                          "  (@custom \"A\" \"aaa\")\n"
                          "  (type $t (func))\n"
                          "  (@custom \"B\" (after func) \"bbb\")\n"
                          "  (@custom \"C\" (before func) \"ccc\")\n"
                          "  (@custom \"D\" (after last) \"ddd\")\n"
                          "  (table 10 funcref)\n"
                          "  (func (type $t))\n"
                          "  (@custom \"E\" (after import) \"eee\")\n"
                          "  (@custom \"F\" (before type) \"fff\")\n"
                          "  (@custom \"G\" (after data) \"ggg\")\n"
                          "  (@custom \"H\" (after code) \"hhh\")\n"
                          "  (@custom \"I\" (after func) \"iii\")\n"
                          "  (@custom \"J\" (before func) \"jjj\")\n"
                          "  (@custom \"K\" (before first) \"kkk\")\n"
                          "  (@custom \"L\" \"\" \"1\" \"\" \"\\02\\ff\" \"\")\n"
                          "  (@custom \"\")\n"
                          ")");
    if (!m)
        return;
    static const struct {
        const char *name;
        bool before;
        uint8_t section;
    } want[] = {
        {"A", false, KIR_PLACE_LAST},       {"B", false, KIR_SECTION_FUNCTION},
        {"C", true, KIR_SECTION_FUNCTION},  {"D", false, KIR_PLACE_LAST},
        {"E", false, KIR_SECTION_IMPORT},   {"F", true, KIR_SECTION_TYPE},
        {"G", false, KIR_SECTION_DATA},     {"H", false, KIR_SECTION_CODE},
        {"I", false, KIR_SECTION_FUNCTION}, {"J", true, KIR_SECTION_FUNCTION},
        {"K", true, KIR_PLACE_FIRST},       {"L", false, KIR_PLACE_LAST},
        {"", false, KIR_PLACE_LAST},
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    CHECK(m->ncustoms == n, "%u custom sections, expected %zu", m->ncustoms, n);
    for (size_t i = 0; i < n && i < m->ncustoms; i++) {
        const kir_custom *c = &m->customs[i];
        CHECK(strcmp(c->name.ptr, want[i].name) == 0 && c->before == want[i].before &&
                  c->section == want[i].section,
              "custom %zu: \"%s\" before %d section %u", i, c->name.ptr, c->before, c->section);
    }
    BYTES(custom(m, "A", 0), "A", 'a', 'a', 'a');
    BYTES(custom(m, "L", 0), "L", '1', 0x02, 0xff);
    BYTES(custom(m, "", 0), "empty");
    kir_module_free(m);

    /* An inline module of annotations only. */
    m = parse("(@custom \"x\" (before first) \"1\")");
    if (m) {
        CHECK(m->ncustoms == 1 && m->customs[0].before && m->customs[0].section == KIR_PLACE_FIRST,
              "inline module's custom section");
        kir_module_free(m);
    }

    expect_error("(@custom)", "@custom annotation: missing section name");
    expect_error("(@custom 4)", "@custom annotation: missing section name");
    expect_error("(@custom \"\\df\")", "@custom annotation: malformed UTF-8 encoding");
    expect_error("(@custom \"bla\" here)", "@custom annotation: unexpected token");
    expect_error("(@custom \"bla\" (after))", "@custom annotation: malformed section kind");
    expect_error("(@custom \"bla\" (type))", "@custom annotation: malformed placement");
    expect_error("(@custom \"bla\" (before types))", "@custom annotation: malformed section kind");
    expect_error("(@custom \"bla\" (before type x))", "@custom annotation: unexpected token");
    expect_error("(@custom \"bla\" \"x\" (before type))", "@custom annotation: unexpected token");
    expect_error("(type (@custom \"bla\") $t (func))", "misplaced @custom annotation");
    expect_error("(func (block (@custom \"bla\")))", "misplaced @custom annotation");
    expect_error("(module (@custom \"bla\") $m)", "misplaced @custom annotation");
    /* Other annotations stay ignored, wherever they are. */
    m = parse("(module (@other x (y)) (func (@custom2 \"a\") (nop (@x))))");
    if (m) {
        CHECK(m->ncustoms == 0, "unknown annotations make no sections");
        kir_module_free(m);
    }
}

static void test_names(void)
{
    kir_module *m = parse("(module $id (@name \"Modül\")\n"
                          "  (type $t (@name \"T\") (struct (field $a (@name \"fa\") i32)\n"
                          "                               (field (@name \"fb\") i64)))\n"
                          "  (import \"m\" \"f\" (func $imp (@name \"imported\") (param (@name \"p\") i32)))\n"
                          "  (tag (@name \"θ\"))\n"
                          "  (func $lambda (@name \"λ\") (param $x (@name \"x!\") i32) (param i64)\n"
                          "    (local (@name \"l\") f32) (local $y f64))\n"
                          "  (func $plain))");
    if (!m)
        return;
    CHECK(strcmp(m->module_name.ptr, "Modül") == 0, "module name %s", m->module_name.ptr);
    CHECK(m->func_names && strcmp(m->func_names[0].ptr, "imported") == 0 &&
              strcmp(m->func_names[1].ptr, "λ") == 0 && strcmp(m->func_names[2].ptr, "plain") == 0,
          "function names");
    bool x = false, l = false, y = false;
    for (uint32_t i = 0; i < m->nlocal_names; i++) {
        const kir_local_name *n = &m->local_names[i];
        x |= n->func == 1 && n->local == 0 && strcmp(n->name.ptr, "x!") == 0;
        l |= n->func == 1 && n->local == 2 && strcmp(n->name.ptr, "l") == 0;
        y |= n->func == 1 && n->local == 3 && strcmp(n->name.ptr, "y") == 0;
    }
    CHECK(x && l && y, "local names (annotations over ids, ids kept)");
    /* The name section holds what the annotations say, by subsection. */
    const kir_custom *c = custom(m, "name", 0);
    CHECK(c && !c->before && c->section == KIR_SECTION_DATA, "name section after data");
    BYTES(c, "name section",
          0, 7, 6, 'M', 'o', 'd', 0xC3, 0xBC, 'l',                      /* module */
          1, 15, 2, 0, 8, 'i', 'm', 'p', 'o', 'r', 't', 'e', 'd', 1, 2, 0xCE, 0xBB, /* functions */
          2, 15, 2, 0, 1, 0, 1, 'p', 1, 2, 0, 2, 'x', '!', 2, 1, 'l',  /* locals */
          4, 4, 1, 0, 1, 'T',                                          /* types */
          10, 11, 1, 0, 2, 0, 2, 'f', 'a', 1, 2, 'f', 'b',             /* fields */
          11, 5, 1, 0, 2, 0xCE, 0xB8);                                 /* tags */
    kir_module_free(m);

    expect_error("(module (@name \"M1\") (@name \"M2\"))", "@name annotation: multiple module");
    expect_error("(module (func) (@name \"M\"))", "misplaced @name annotation");
    expect_error("(module (start $f (@name \"M\")) (func $f))", "misplaced @name annotation");
    expect_error("(module (func $f (@name \"a\") (@name \"b\")))", "@name annotation: multiple function names");
    expect_error("(module (func (param (@name \"a\") i32 i64)))", "misplaced @name annotation");
    expect_error("(module (func (local (@name \"a\") i32 i64)))", "misplaced @name annotation");
    expect_error("(module (global (@name \"g\") i32 (i32.const 0)))", "misplaced @name annotation");
    expect_error("(module (func (@name 1)))", "@name annotation: string expected");
    expect_error("(module (func (@name \"a\" \"b\")))", "@name annotation: unexpected token");
    expect_error("(module (func (@name \"\\ff\")))", "malformed UTF-8 encoding");
}

static void test_branch_hints(void)
{
    /* Function 1 (after an import): locals 01 01 7f (3 bytes); body
     * 20 00 (local.get), 04 40 (if at 2), 01, 0b, 20 00, 0d 00 (br_if at 8). */
    kir_module *m = parse("(module\n"
                          "  (import \"m\" \"f\" (func))\n"
                          "  (func (param i32) (local i32)\n"
                          "    (@metadata.code.branch_hint \"\\01\")\n"
                          "    (if (local.get 0) (then (nop)))\n"
                          "    (block local.get 0 (@metadata.code.branch_hint \"\" \"\\00\") br_if 0)))");
    if (!m)
        return;
    const kir_custom *c = custom(m, "metadata.code.branch_hint", 0);
    CHECK(c && c->before && c->section == KIR_SECTION_CODE, "hint section before code");
    BYTES(c, "branch hints", 1, 1, 2, 5, 1, 1, 13, 1, 0);
    kir_module_free(m);

    /* Plain if after a hint; two functions. */
    m = parse("(func $a (@metadata.code.branch_hint \"\\00\") (if (i32.const 1) (then)))\n"
              "(func $b i32.const 0 (@metadata.code.branch_hint \"\\01\") if end)");
    if (m) {
        BYTES(custom(m, "metadata.code.branch_hint", 0), "two functions", 2, 0, 1, 3, 1, 0, 1, 1, 3, 1, 1);
        kir_module_free(m);
    }

    expect_error("(func i32.const 0 (@metadata.code.branch_hint \"\\01\") (@metadata.code.branch_hint \"\\01\") if end)",
                 "@metadata.code.branch_hint annotation: duplicate annotation");
    expect_error("(module (@metadata.code.branch_hint \"\\01\") (func))",
                 "@metadata.code.branch_hint annotation: not in a function");
    expect_error("(func i32.const 0 (@metadata.code.branch_hint \"\\01\") drop)",
                 "@metadata.code.branch_hint annotation: invalid target");
    expect_error("(func (nop) (@metadata.code.branch_hint \"\\01\"))",
                 "@metadata.code.branch_hint annotation: invalid placement");
    expect_error("(func i32.const 0 (@metadata.code.branch_hint \"\\02\") if end)",
                 "@metadata.code.branch_hint annotation: invalid hint value");
    expect_error("(func i32.const 0 (@metadata.code.branch_hint \"\\00\\00\") if end)",
                 "@metadata.code.branch_hint annotation: invalid hint value");
    expect_error("(func i32.const 0 (@metadata.code.branch_hint x) if end)",
                 "@metadata.code.branch_hint annotation: unexpected token");
}

int main(void)
{
    test_custom();
    test_names();
    test_branch_hints();
    if (g_failures)
        printf("%d failures\n", g_failures);
    else
        printf("ok\n");
    return g_failures != 0;
}
