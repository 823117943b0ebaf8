/*
 * WAST script parsing: every command form of the spec testsuite, values and
 * result patterns, module spans, and errors with positions.
 */
#include <stdio.h>
#include <string.h>

#include "ir/types.h"
#include "text/script.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"

static kscr_script *parse_ok(const char *src, int line)
{
    kscr_script *s = NULL;
    kite_error_t *e = kscr_parse(&kutil_libc, src, strlen(src), &s);
    if (e) {
        g_failures++;
        printf("FAIL %s:%d: parse error %u:%u %s\n", __FILE__, line, kite_error_position(e).line,
               kite_error_position(e).column, kite_error_message(e));
        kite_error_free(e);
        return NULL;
    }
    return s;
}

static void parse_err(const char *src, uint32_t line, uint32_t col, const char *msg, int srcline)
{
    kscr_script *s = (kscr_script *)1;
    kite_error_t *e = kscr_parse(&kutil_libc, src, strlen(src), &s);
    if (!e) {
        g_failures++;
        printf("FAIL %s:%d: parsed \"%s\"\n", __FILE__, srcline, src);
        kscr_free(s);
        return;
    }
    kite_position_t pos = kite_error_position(e);
    if (s != NULL || kite_error_code(e) != KITE_ERROR_MALFORMED || pos.line != line ||
        pos.column != col || !strstr(kite_error_message(e), msg)) {
        g_failures++;
        printf("FAIL %s:%d: \"%s\": got %u:%u %s, want %u:%u %s\n", __FILE__, srcline, src,
               pos.line, pos.column, kite_error_message(e), line, col, msg);
    }
    kite_error_free(e);
}

#define PARSE(src) parse_ok(src, __LINE__)
#define PARSE_ERR(src, line, col, msg) parse_err(src, line, col, msg, __LINE__)

static bool streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void test_modules(void)
{
    const char *src = ";; header\n"
                      "(module $m (func (export \"f\")) (; ) ;) \")\")\n"
                      "  (module definition $d (memory 1))\n"
                      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
                      "(module $q quote \"(func\" \" (nop))\")\n"
                      "(module instance $i $d)\n"
                      "(module instance $d)\n"
                      "(module)\n"
                      "(module $\"x y\")\n"
                      "(module instance)\n";
    kscr_script *s = PARSE(src);
    if (!s)
        return;
    CHECK(s->ncmds == 9, "ncmds %u", s->ncmds);
    if (s->ncmds != 9) {
        kscr_free(s);
        return;
    }
    kscr_cmd *c = s->cmds;
    const char *m0 = "(module $m (func (export \"f\")) (; ) ;) \")\")";
    CHECK(c[0].kind == KSCR_CMD_MODULE && c[0].has_module, "module cmd");
    CHECK(c[0].module.kind == KSCR_MOD_TEXT && streq(c[0].module.id, "$m") &&
              !c[0].module.definition,
          "module $m");
    CHECK(c[0].module.len == strlen(m0) && memcmp(c[0].module.text, m0, strlen(m0)) == 0,
          "module span: %.*s", (int)c[0].module.len, c[0].module.text);
    CHECK(c[0].module.line == 2 && c[0].module.col == 1 && c[0].line == 2 && c[0].col == 1,
          "module pos");

    CHECK(c[1].module.kind == KSCR_MOD_TEXT && c[1].module.definition &&
              streq(c[1].module.id, "$d") && c[1].module.line == 3 && c[1].module.col == 3,
          "module definition");
    CHECK(c[1].module.len == strlen("(module definition $d (memory 1))"), "definition span");

    CHECK(c[2].module.kind == KSCR_MOD_BINARY && c[2].module.len == 8 &&
              memcmp(c[2].module.bytes, "\0asm\1\0\0\0", 8) == 0 && !c[2].module.id,
          "binary");

    CHECK(c[3].module.kind == KSCR_MOD_QUOTE && streq(c[3].module.text, "(func (nop))") &&
              c[3].module.len == 12 && streq(c[3].module.id, "$q") && c[3].module.line == 1 &&
              c[3].module.col == 1,
          "quote");

    CHECK(c[4].kind == KSCR_CMD_MODULE_INSTANCE && streq(c[4].instance_id, "$i") &&
              streq(c[4].reg_module, "$d") && !c[4].has_module,
          "instance");
    CHECK(c[5].kind == KSCR_CMD_MODULE_INSTANCE && !c[5].instance_id &&
              streq(c[5].reg_module, "$d"),
          "instance without id");
    CHECK(c[6].kind == KSCR_CMD_MODULE && c[6].module.len == 8 && !c[6].module.id, "(module)");
    CHECK(streq(c[7].module.id, "$x y"), "quoted module id: %s", c[7].module.id);
    CHECK(c[8].kind == KSCR_CMD_MODULE_INSTANCE && c[8].instantiates_def && !c[8].instance_id &&
              !c[8].reg_module && !c[8].has_module,
          "instance of the latest definition, no names");
    kscr_free(s);
}

static void test_actions(void)
{
    kscr_script *s = PARSE("(register \"M\" $m) (register \"N\")\n"
                           "(invoke \"f\" (i32.const -1) (i64.const 0x8000_0000_0000_0000))\n"
                           "(invoke $m \"g\\u{e9}\")\n"
                           "(get \"glob\") (get $\"m\" \"glob\")");
    if (!s)
        return;
    CHECK(s->ncmds == 6, "ncmds %u", s->ncmds);
    if (s->ncmds == 6) {
        kscr_cmd *c = s->cmds;
        CHECK(c[0].kind == KSCR_CMD_REGISTER && streq(c[0].reg_name, "M") &&
                  streq(c[0].reg_module, "$m"),
              "register");
        CHECK(c[1].kind == KSCR_CMD_REGISTER && streq(c[1].reg_name, "N") && !c[1].reg_module,
              "register latest");
        kscr_action *a = &c[2].action;
        CHECK(c[2].kind == KSCR_CMD_ACTION && c[2].has_action && a->kind == KSCR_INVOKE &&
                  !a->module && a->name_len == 1 && streq((const char *)a->name, "f"),
              "invoke");
        CHECK(a->nargs == 2 && a->args[0].kind == KSCR_I32 && a->args[0].u.i32 == 0xffffffffu &&
                  a->args[1].kind == KSCR_I64 && a->args[1].u.i64 == 0x8000000000000000ull,
              "invoke args");
        a = &c[3].action;
        CHECK(streq(a->module, "$m") && a->name_len == 3 &&
                  memcmp(a->name, "g\xc3\xa9", 4) == 0 && a->nargs == 0,
              "invoke $m");
        CHECK(c[4].action.kind == KSCR_GET && streq((const char *)c[4].action.name, "glob"),
              "get");
        CHECK(c[5].action.kind == KSCR_GET && streq(c[5].action.module, "$m"), "get $m");
    }
    kscr_free(s);
}

static void test_values(void)
{
    kscr_script *s = PARSE(
        "(assert_return (invoke \"f\"\n"
        "    (f32.const -0x1p-1) (f64.const nan:0x1) (ref.null) (ref.null func)\n"
        "    (ref.null extern) (ref.extern 7) (ref.host 3)\n"
        "    (v128.const i8x16 -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 255)\n"
        "    (v128.const i16x8 -1 0 0 0 0 0 0 0x8000)\n"
        "    (v128.const i64x2 1 -1))\n"
        "  (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -nan)\n"
        "  (v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)\n"
        "  (v128.const f64x2 nan:arithmetic inf)\n"
        "  (ref.func) (ref.extern) (ref.extern 1) (ref.struct) (ref.array) (ref.i31) (ref.eq)\n"
        "  (ref.any) (ref.exn) (ref.null none) (ref.null noexn)\n"
        "  (either (i32.const 1) (i32.const 2) (ref.null any)))");
    if (!s)
        return;
    CHECK(s->ncmds == 1, "ncmds");
    kscr_cmd *c = s->cmds;
    CHECK(c->kind == KSCR_CMD_ASSERT_RETURN && c->has_action, "assert_return");
    kscr_value *v = c->action.args;
    CHECK(c->action.nargs == 10, "nargs %u", c->action.nargs);
    if (c->action.nargs == 10) {
        CHECK(v[0].kind == KSCR_F32 && v[0].u.f32 == 0xbf000000u && v[0].nan == KSCR_EXACT,
              "f32 arg");
        CHECK(v[1].kind == KSCR_F64 && v[1].u.f64 == 0x7ff0000000000001ull, "f64 arg");
        CHECK(v[2].kind == KSCR_REF_NULL && v[2].heap == 0, "ref.null");
        CHECK(v[3].kind == KSCR_REF_NULL && v[3].heap == KIR_HEAP_FUNC, "ref.null func");
        CHECK(v[4].kind == KSCR_REF_NULL && v[4].heap == KIR_HEAP_EXTERN, "ref.null extern");
        CHECK(v[5].kind == KSCR_REF_EXTERN && v[5].has_index && v[5].index == 7, "ref.extern");
        CHECK(v[6].kind == KSCR_REF_HOST && v[6].has_index && v[6].index == 3, "ref.host");
        static const uint8_t i8[16] = {0xff, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xff};
        CHECK(v[7].kind == KSCR_V128 && v[7].lane_bits == 8 && !v[7].lane_float &&
                  memcmp(v[7].u.v128, i8, 16) == 0,
              "i8x16");
        static const uint8_t i16[16] = {0xff, 0xff, 0, 0, 0, 0, 0, 0,
                                        0,    0,    0, 0, 0, 0, 0, 0x80};
        CHECK(v[8].lane_bits == 16 && memcmp(v[8].u.v128, i16, 16) == 0, "i16x8");
        static const uint8_t i64[16] = {1,    0,    0,    0,    0,    0,    0,    0,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        CHECK(v[9].lane_bits == 64 && memcmp(v[9].u.v128, i64, 16) == 0, "i64x2");
    }
    CHECK(c->nresults == 17, "nresults %u", c->nresults);
    if (c->nresults == 17) {
        kscr_value *r = c->results;
        CHECK(r[0].kind == KSCR_F32 && r[0].nan == KSCR_NAN_CANONICAL, "nan:canonical");
        CHECK(r[1].kind == KSCR_F64 && r[1].nan == KSCR_NAN_ARITHMETIC, "nan:arithmetic");
        CHECK(r[2].kind == KSCR_F32 && r[2].nan == KSCR_EXACT && r[2].u.f32 == 0xffc00000u,
              "-nan");
        CHECK(r[3].kind == KSCR_V128 && r[3].lane_float && r[3].lane_bits == 32 &&
                  r[3].lane_nan[0] == KSCR_NAN_CANONICAL && r[3].lane_nan[1] == KSCR_EXACT &&
                  r[3].lane_nan[2] == KSCR_NAN_ARITHMETIC && r[3].lane_nan[3] == KSCR_EXACT,
              "f32x4 patterns");
        uint32_t lane1, lane3;
        memcpy(&lane1, r[3].u.v128 + 4, 4);
        memcpy(&lane3, r[3].u.v128 + 12, 4);
        CHECK(lane1 == 0x3f800000u && lane3 == 0x80000000u, "f32x4 lanes %x %x", lane1, lane3);
        uint64_t l1;
        memcpy(&l1, r[4].u.v128 + 8, 8);
        CHECK(r[4].lane_bits == 64 && r[4].lane_nan[0] == KSCR_NAN_ARITHMETIC &&
                  r[4].lane_nan[1] == KSCR_EXACT && l1 == 0x7ff0000000000000ull,
              "f64x2");
        CHECK(r[5].kind == KSCR_REF_FUNC && !r[5].has_index, "ref.func");
        CHECK(r[6].kind == KSCR_REF_EXTERN && !r[6].has_index, "ref.extern any");
        CHECK(r[7].kind == KSCR_REF_EXTERN && r[7].has_index && r[7].index == 1, "ref.extern 1");
        CHECK(r[8].kind == KSCR_REF_STRUCT && r[9].kind == KSCR_REF_ARRAY &&
                  r[10].kind == KSCR_REF_I31 && r[11].kind == KSCR_REF_EQ &&
                  r[12].kind == KSCR_REF_ANY && r[13].kind == KSCR_REF_EXN,
              "ref patterns");
        CHECK(r[14].heap == KIR_HEAP_NONE && r[15].heap == KIR_HEAP_NOEXN, "null heaps");
        CHECK(r[16].kind == KSCR_EITHER && r[16].nalts == 3 && r[16].alts[0].u.i32 == 1 &&
                  r[16].alts[1].u.i32 == 2 && r[16].alts[2].kind == KSCR_REF_NULL &&
                  r[16].alts[2].heap == KIR_HEAP_ANY,
              "either");
    }
    kscr_free(s);
}

static void test_asserts(void)
{
    kscr_script *s = PARSE(
        "(assert_trap (invoke \"f\") \"unreachable\")\n"
        "(assert_trap (module (func unreachable) (start 0)) \"unreachable executed\")\n"
        "(assert_exhaustion (invoke \"r\" (i32.const 1)) \"call stack exhausted\")\n"
        "(assert_exception (invoke \"t\"))\n"
        "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
        "(assert_malformed (module quote \"(func\" \")\") \"unexpected \\\"token\\\"\")\n"
        "(assert_malformed (module binary \"\") \"unexpected end\")\n"
        "(assert_unlinkable (module (import \"a\" \"b\" (func))) \"unknown import\")\n"
        "(assert_uninstantiable (module $u (memory 1)) \"out of bounds\")\n"
        "(assert_invalid_custom (module) \"x\")\n"
        "(assert_malformed_custom (module quote \"\") \"y\")\n"
        "(assert_return (get \"g\"))\n"
        "(assert_trap (module instance $i $d) \"unreachable\")\n"
        "(assert_unlinkable (module instance) \"unknown import\")\n");
    if (!s)
        return;
    CHECK(s->ncmds == 14, "ncmds %u", s->ncmds);
    if (s->ncmds == 14) {
        kscr_cmd *c = s->cmds;
        CHECK(c[0].kind == KSCR_CMD_ASSERT_TRAP && c[0].has_action && !c[0].has_module &&
                  streq(c[0].message, "unreachable"),
              "assert_trap action");
        CHECK(c[1].kind == KSCR_CMD_ASSERT_TRAP && !c[1].has_action && c[1].has_module &&
                  c[1].module.kind == KSCR_MOD_TEXT && c[1].module.line == 2 &&
                  c[1].module.col == 14 && streq(c[1].message, "unreachable executed"),
              "assert_trap module");
        CHECK(c[2].kind == KSCR_CMD_ASSERT_EXHAUSTION && c[2].action.nargs == 1 &&
                  streq(c[2].message, "call stack exhausted"),
              "assert_exhaustion");
        CHECK(c[3].kind == KSCR_CMD_ASSERT_EXCEPTION && c[3].has_action && !c[3].message,
              "assert_exception");
        CHECK(c[4].kind == KSCR_CMD_ASSERT_INVALID && c[4].has_module &&
                  streq(c[4].message, "type mismatch"),
              "assert_invalid");
        CHECK(c[5].kind == KSCR_CMD_ASSERT_MALFORMED && c[5].module.kind == KSCR_MOD_QUOTE &&
                  streq(c[5].module.text, "(func)") && streq(c[5].message, "unexpected \"token\""),
              "assert_malformed quote");
        CHECK(c[6].module.kind == KSCR_MOD_BINARY && c[6].module.len == 0, "empty binary");
        CHECK(c[7].kind == KSCR_CMD_ASSERT_UNLINKABLE, "assert_unlinkable");
        CHECK(c[8].kind == KSCR_CMD_ASSERT_UNINSTANTIABLE && streq(c[8].module.id, "$u"),
              "assert_uninstantiable");
        CHECK(c[9].kind == KSCR_CMD_ASSERT_INVALID_CUSTOM, "assert_invalid_custom");
        CHECK(c[10].kind == KSCR_CMD_ASSERT_MALFORMED_CUSTOM && c[10].module.len == 0,
              "assert_malformed_custom");
        CHECK(c[11].kind == KSCR_CMD_ASSERT_RETURN && c[11].nresults == 0 &&
                  c[11].action.kind == KSCR_GET,
              "assert_return get");
        CHECK(c[12].kind == KSCR_CMD_ASSERT_TRAP && c[12].instantiates_def && !c[12].has_module &&
                  !c[12].has_action && streq(c[12].reg_module, "$d") &&
                  streq(c[12].message, "unreachable"),
              "assert_trap on a module instance");
        CHECK(c[13].kind == KSCR_CMD_ASSERT_UNLINKABLE && c[13].instantiates_def &&
                  !c[13].reg_module && streq(c[13].message, "unknown import"),
              "assert_unlinkable on a module instance");
    }
    kscr_free(s);
}

static void test_misc(void)
{
    /* the inline module form: a script that is only module fields */
    const char *src = "(func) (memory 0) (func (export \"f\"))";
    kscr_script *s = PARSE(src);
    if (s) {
        CHECK(s->ncmds == 1 && s->cmds[0].kind == KSCR_CMD_MODULE &&
                  s->cmds[0].module.kind == KSCR_MOD_TEXT &&
                  s->cmds[0].module.text == src && s->cmds[0].module.len == strlen(src),
              "inline module");
        kscr_free(s);
    }
    /* annotations anywhere */
    s = PARSE("((@a) module (@b) $m (@c)) (@x (y)) ((@a) register (@a) \"m\" (@a))");
    if (s) {
        CHECK(s->ncmds == 2 && streq(s->cmds[0].module.id, "$m") &&
                  s->cmds[1].kind == KSCR_CMD_REGISTER,
              "annotations");
        kscr_free(s);
    }
    s = PARSE("");
    if (s) {
        CHECK(s->ncmds == 0, "empty script");
        kscr_free(s);
    }
    kscr_free(NULL);
}

static void test_errors(void)
{
    PARSE_ERR("(module)\n  (bogus)", 2, 4, "unknown command");
    PARSE_ERR("foo", 1, 1, "unexpected token");
    PARSE_ERR("(module", 1, 8, "unexpected end");
    PARSE_ERR("(module binary \"a\" x)", 1, 20, "unexpected token");
    PARSE_ERR("(invoke \"f\" (i32.const 4294967296))", 1, 24, "constant out of range");
    PARSE_ERR("(invoke \"f\" (i32.const 1.5))", 1, 24, "constant out of range");
    PARSE_ERR("(invoke \"f\" (f32.const 1e39))", 1, 24, "constant out of range");
    PARSE_ERR("(invoke \"f\" (f32.const nan:canonical))", 1, 24, "constant");
    PARSE_ERR("(invoke \"f\" (ref.func))", 1, 14, "only allowed in results");
    PARSE_ERR("(invoke \"f\" (ref.null bogus))", 1, 23, "unknown heap type");
    PARSE_ERR("(invoke \"f\" (v128.const i8x16 1))", 1, 32, "constant");
    PARSE_ERR("(invoke \"f\" (v128.const i9x16 1))", 1, 25, "v128 shape");
    PARSE_ERR("(assert_return (invoke \"f\") (either))", 1, 36, "expected a value");
    PARSE_ERR("(assert_return (invoke \"f\") (either (either (i32.const 1))))", 1, 38,
              "unknown value");
    PARSE_ERR("(assert_trap (invoke \"f\"))", 1, 26, "expected a string");
    PARSE_ERR("(register $m)", 1, 11, "expected a string");
    PARSE_ERR("(module) \"\x01\"", 1, 11, "illegal control character");
    PARSE_ERR("(module (; x", 1, 9, "unclosed comment");
    PARSE_ERR("(module instance $a $b $c)", 1, 24, "expected ')'");
    PARSE_ERR("(assert_trap (module definition (func)) \"x\")", 1, 22, "misplaced module definition");
    PARSE_ERR("(assert_invalid (invoke \"f\") \"x\")", 1, 18, "expected module");
}

int main(void)
{
    test_modules();
    test_actions();
    test_values();
    test_asserts();
    test_misc();
    test_errors();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
