/*
 * The WAT lexer: token kinds and boundaries (longest match, reserved
 * tokens), positions, comments, annotations, strings and the lexical errors
 * the spec testsuite expects.
 */
#include <stdio.h>
#include <string.h>

#include "text/lexer.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"

static const char *kind_name(ktext_tok k)
{
    switch (k) {
    case KTEXT_EOF: return "EOF";
    case KTEXT_LPAREN: return "(";
    case KTEXT_RPAREN: return ")";
    case KTEXT_KEYWORD: return "KW";
    case KTEXT_ID: return "ID";
    case KTEXT_STRING: return "STR";
    case KTEXT_NAT: return "NAT";
    case KTEXT_INT: return "INT";
    case KTEXT_FLOAT: return "FLOAT";
    case KTEXT_RESERVED: return "RES";
    }
    return "?";
}

/*
 * Lex `src` and render the tokens as "KIND:text KIND:text ...", or
 * "ERROR line:col message" at the first error.
 */
static void render(const char *src, size_t len, char *out, size_t cap)
{
    ktext_lexer lx;
    ktext_lexer_init(&lx, &kutil_libc, src, len, 1, 1);
    size_t n = 0;
    out[0] = 0;
    for (;;) {
        ktext_token t;
        if (!ktext_next(&lx, &t)) {
            kite_position_t pos = kite_error_position(lx.error);
            snprintf(out + n, cap - n, "%sERROR %u:%u %s", n ? " " : "", pos.line, pos.column,
                     kite_error_message(lx.error));
            kite_error_free(lx.error);
            return;
        }
        if (t.kind == KTEXT_EOF)
            return;
        int w;
        if (t.kind == KTEXT_LPAREN || t.kind == KTEXT_RPAREN)
            w = snprintf(out + n, cap - n, "%s%s", n ? " " : "", kind_name(t.kind));
        else
            w = snprintf(out + n, cap - n, "%s%s:%.*s", n ? " " : "", kind_name(t.kind),
                         (int)t.len, t.text);
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

static void expect_lex_n(const char *src, size_t len, const char *want, int line)
{
    char got[1024];
    render(src, len, got, sizeof(got));
    if (strcmp(got, want) != 0) {
        g_failures++;
        printf("FAIL %s:%d: lexing \"%.*s\"\n  got:  %s\n  want: %s\n", __FILE__, line, (int)len,
               src, got, want);
    }
}

#define EXPECT_LEX(src, want) expect_lex_n(src, strlen(src), want, __LINE__)
/* For sources with embedded NUL bytes. */
#define EXPECT_LEXB(src, want) expect_lex_n(src, sizeof(src) - 1, want, __LINE__)

static void test_basic(void)
{
    EXPECT_LEX("", "");
    EXPECT_LEX("  \t\n\r\n ", "");
    EXPECT_LEX("(module $m (func i32.add))",
               "( KW:module ID:$m ( KW:func KW:i32.add ) )");
    EXPECT_LEX("(func(nop))", "( KW:func ( KW:nop ) )");
    EXPECT_LEX("offset=4 align=8 nan:canonical nan:arithmetic i8x16",
               "KW:offset=4 KW:align=8 KW:nan:canonical KW:nan:arithmetic KW:i8x16");
    EXPECT_LEX("$a $0 $!?@#a$%^&*b-+_.:9'`|/\\<=>~ $l$l",
               "ID:$a ID:$0 ID:$!?@#a$%^&*b-+_.:9'`|/\\<=>~ ID:$l$l");
}

static void test_numbers(void)
{
    EXPECT_LEX("0 123 1_000 0x1F 0xa_b", "NAT:0 NAT:123 NAT:1_000 NAT:0x1F NAT:0xa_b");
    EXPECT_LEX("+1 -1 -0x10 +0_1", "INT:+1 INT:-1 INT:-0x10 INT:+0_1");
    EXPECT_LEX("1.5 1. -1e10 1E+5 1.e-3 0x1p-3 0x1.P1 0x.", "FLOAT:1.5 FLOAT:1. FLOAT:-1e10 "
               "FLOAT:1E+5 FLOAT:1.e-3 FLOAT:0x1p-3 FLOAT:0x1.P1 RES:0x.");
    EXPECT_LEX("inf +inf -inf nan -nan +nan nan:0x8 -nan:0x7f_ffff",
               "FLOAT:inf FLOAT:+inf FLOAT:-inf FLOAT:nan FLOAT:-nan FLOAT:+nan FLOAT:nan:0x8 "
               "FLOAT:-nan:0x7f_ffff");
    /* malformed numbers are one reserved token (or a keyword) */
    EXPECT_LEX("0x1x 1a 1_ _1 1__0 0x 1e 1e+ 0x_1 1._5 1_.5 - + -inf1",
               "RES:0x1x RES:1a RES:1_ RES:_1 RES:1__0 RES:0x RES:1e RES:1e+ RES:0x_1 RES:1._5 "
               "RES:1_.5 RES:- RES:+ RES:-inf1");
    EXPECT_LEX("nan:0x nan:1 infinity nan:0xg", "KW:nan:0x KW:nan:1 KW:infinity KW:nan:0xg");
    EXPECT_LEX("0X10", "RES:0X10");
}

/* Tokens must be separated; a run of token characters is one token. */
static void test_longest_match(void)
{
    EXPECT_LEX("0$x", "RES:0$x");
    EXPECT_LEX("\"a\"\"b\"", "RES:\"a\"\"b\"");
    EXPECT_LEX("$l\"a\"", "RES:$l\"a\"");
    EXPECT_LEX("$\"l\"0", "RES:$\"l\"0");
    EXPECT_LEX("data\"a\"", "RES:data\"a\"");
    EXPECT_LEX("\"a\"x", "RES:\"a\"x");
    EXPECT_LEX("0\"a\"", "RES:0\"a\"");
    EXPECT_LEX("i32.const0", "KW:i32.const0");
    EXPECT_LEX(", ; [ ] { } a,b x;y", "RES:, RES:; RES:[ RES:] RES:{ RES:} RES:a,b RES:x;y");
    /* delimiters: parentheses, space and comments */
    EXPECT_LEX("a(b)c", "KW:a ( KW:b ) KW:c");
    EXPECT_LEX("func;;bla\nnop", "KW:func KW:nop");
    EXPECT_LEX("$f(;c;)$g", "ID:$f ID:$g");
    EXPECT_LEX("\"a\"(\"b\")", "STR:\"a\" ( STR:\"b\" )");
    EXPECT_LEX("x;", "RES:x;");
}

static void test_strings(void)
{
    EXPECT_LEX("\"\" \"abc\" \"\\n\\t\\r\\\\\\'\\\"\" \"\\00\\ff\" \"\\u{41}\\u{10FFFF}\\u{1_F600}\"",
               "STR:\"\" STR:\"abc\" STR:\"\\n\\t\\r\\\\\\'\\\"\" STR:\"\\00\\ff\" "
               "STR:\"\\u{41}\\u{10FFFF}\\u{1_F600}\"");
    EXPECT_LEX("\"Hei\xc3\x9f\x65 \xf0\x9f\x98\x80\"", "STR:\"Hei\xc3\x9f\x65 \xf0\x9f\x98\x80\"");
    EXPECT_LEX("\"(;\" \";;\" x", "STR:\"(;\" STR:\";;\" KW:x");
    /* errors */
    EXPECT_LEX("  \"abc", "ERROR 1:7 unclosed string");
    EXPECT_LEX("\"ab\ncd\"", "ERROR 1:4 unclosed string");
    EXPECT_LEX("\"a\tb\"", "ERROR 1:3 illegal control character in string");
    EXPECT_LEX("\"a\x7f\"", "ERROR 1:3 illegal control character in string");
    EXPECT_LEX("\"\\q\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\0\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\u{D800}\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\u{110000}\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\u{}\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\u{41\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\\u{FFFFFFFFFFFFFFFFFFFF41}\"", "ERROR 1:2 illegal escape");
    EXPECT_LEX("\"\x80\"", "ERROR 1:2 malformed UTF-8 encoding");
    EXPECT_LEX("\"\xc3\"", "ERROR 1:2 malformed UTF-8 encoding");
    EXPECT_LEX("\"\xed\xa0\x80\"", "ERROR 1:2 malformed UTF-8 encoding"); /* surrogate */
    EXPECT_LEX("\"\xc0\xaf\"", "ERROR 1:2 malformed UTF-8 encoding");     /* overlong */
    EXPECT_LEX("(@x \"", "ERROR 1:6 unclosed string");
}

static void test_decode(void)
{
    static const struct {
        const char *src;
        const char *bytes;
        size_t len;
    } cases[] = {
        {"\"\"", "", 0},
        {"\"abc\"", "abc", 3},
        {"\"\\t\\n\\r\\\"\\'\\\\\"", "\t\n\r\"'\\", 6},
        {"\"\\00\\41\\fF\"", "\0A\xff", 3},
        {"\"\\u{0}\\u{7f}\\u{80}\\u{7FF}\\u{800}\\u{FFFF}\\u{10000}\\u{10FFFF}\"",
         "\0\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 20},
        {"\"\\u{00_41}\"", "A", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ktext_lexer lx;
        ktext_token t;
        ktext_lexer_init(&lx, &kutil_libc, cases[i].src, strlen(cases[i].src), 1, 1);
        CHECK(ktext_next(&lx, &t) && t.kind == KTEXT_STRING, "string %zu", i);
        uint8_t buf[64];
        size_t n = 99;
        CHECK(ktext_string_decode(&t, buf, &n), "decode %zu", i);
        CHECK(n == cases[i].len && memcmp(buf, cases[i].bytes, n) == 0, "decode %zu bytes", i);
    }
    /* $"..." ids decode to their name */
    ktext_lexer lx;
    ktext_token t;
    const char *src = "$\"a\\62c\"";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    CHECK(ktext_next(&lx, &t) && t.kind == KTEXT_ID, "quoted id");
    uint8_t buf[16];
    size_t n = 0;
    CHECK(ktext_string_decode(&t, buf, &n) && n == 3 && memcmp(buf, "abc", 3) == 0, "id name");
    /* a plain keyword is not a string */
    ktext_token kw = {KTEXT_KEYWORD, "abc", 3, 1, 1};
    CHECK(!ktext_string_decode(&kw, buf, &n), "keyword decode");

    CHECK(ktext_utf8_valid((const uint8_t *)"", 0), "utf8 empty");
    CHECK(ktext_utf8_valid((const uint8_t *)"a\xc3\x9f\xe2\x82\xac\xf0\x9f\x98\x80", 10),
          "utf8 mixed");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\x80", 1), "utf8 lone continuation");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xc2", 1), "utf8 truncated");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xc1\xbf", 2), "utf8 overlong 2");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xe0\x9f\xbf", 3), "utf8 overlong 3");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xf0\x8f\xbf\xbf", 4), "utf8 overlong 4");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xed\xbf\xbf", 3), "utf8 surrogate");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4), "utf8 > 10FFFF");
    CHECK(!ktext_utf8_valid((const uint8_t *)"\xfe", 1), "utf8 fe");
    CHECK(ktext_utf8_valid((const uint8_t *)"\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7), "utf8 max");
}

static void test_ids(void)
{
    EXPECT_LEX("$\"a b\" $\"\\41\" $\"\\t\"", "ID:$\"a b\" ID:$\"\\41\" ID:$\"\\t\"");
    EXPECT_LEX("(func $)", "( KW:func ERROR 1:7 empty identifier");
    EXPECT_LEX("$\"\"", "ERROR 1:1 empty identifier");
    EXPECT_LEX("$ \"a\"", "ERROR 1:1 empty identifier");
    EXPECT_LEX("$\"a\nb\"", "ERROR 1:4 empty identifier");
    EXPECT_LEX("$\"a\tb\"", "ERROR 1:4 empty identifier");
    EXPECT_LEX("$\"\\ef\"", "ERROR 1:1 malformed UTF-8 encoding");
    EXPECT_LEX("$(@a)", "ERROR 1:1 empty identifier");
}

static void test_comments(void)
{
    EXPECT_LEX(";; line\nx ;; eof", "KW:x");
    EXPECT_LEX("(;;) (;a;) (;;a;) (;;;;;) (;(((( ;) (;)));) x", "KW:x");
    EXPECT_LEX("(; a (; nested (; deeper ;) ;) still ;) x", "KW:x");
    EXPECT_LEX("(;a;;b;) x", "KW:x");
    EXPECT_LEX("(;\"a;) x", "KW:x");
    EXPECT_LEXB("(;\0\x01\x7f;) ;; \x02\x1f\n x", "KW:x");
    EXPECT_LEX("(;Hei\xc3\x9f\x65;) x", "KW:x");
    EXPECT_LEX(";;)\n;; (;\n x", "KW:x");
    EXPECT_LEX("a (; x", "KW:a ERROR 1:3 unclosed comment");
    EXPECT_LEX("a\n  (; (; ;) x", "KW:a ERROR 2:3 unclosed comment");
    EXPECT_LEX("(; \xff ;)", "ERROR 1:4 malformed UTF-8 encoding");
    EXPECT_LEX(";; \xc3", "ERROR 1:4 malformed UTF-8 encoding");
    /* ;; ends at CR too */
    EXPECT_LEX(";; c\rx", "KW:x");
}

static void test_annotations(void)
{
    EXPECT_LEX("(@a) x", "KW:x");
    EXPECT_LEX("(@a x y (z (w)) \"s)\" ;; )\n (; ) ;) ) x", "KW:x");
    EXPECT_LEX("(@\"name\" 1 2) x", "KW:x");
    EXPECT_LEX("(@a , ; ] [ }} }x{ ({) ,{{};}] ;) x", "KW:x");
    EXPECT_LEX("(@a (@b) (@) (@(@))) x", "KW:x");
    EXPECT_LEX("((@a) module (@b c))", "( KW:module )");
    EXPECT_LEX("( @a)", "( RES:@a )");
    EXPECT_LEX("(@)", "ERROR 1:2 empty annotation id");
    EXPECT_LEX("(@ x)", "ERROR 1:2 empty annotation id");
    EXPECT_LEX("(@\"\")", "ERROR 1:2 empty annotation id");
    EXPECT_LEX("(@\"\n\")", "ERROR 1:4 empty annotation id");
    EXPECT_LEX("(@\"\\ef\")", "ERROR 1:2 malformed UTF-8 encoding");
    EXPECT_LEX("(@x (y", "ERROR 1:1 unclosed annotation");
    EXPECT_LEX("x\n (@x (@y )", "KW:x ERROR 2:2 unclosed annotation");
    EXPECT_LEX("(@x))", ")");
    EXPECT_LEXB("(@a \0)", "ERROR 1:5 illegal character");
    EXPECT_LEX("(@a \x80)", "ERROR 1:5 malformed UTF-8 encoding");
    EXPECT_LEX("(@a Hei\xc3\x9f\x65)", "ERROR 1:8 illegal character");
}

static void test_illegal(void)
{
    EXPECT_LEXB("a \x01", "KW:a ERROR 1:3 illegal character");
    EXPECT_LEX("\x7f", "ERROR 1:1 illegal character");
    EXPECT_LEX("\x0b", "ERROR 1:1 illegal character");
    EXPECT_LEX("\xc3\x9f", "ERROR 1:1 illegal character");
    EXPECT_LEX("ab\xc3\x9f", "KW:ab ERROR 1:3 illegal character");
    EXPECT_LEX("\x80", "ERROR 1:1 malformed UTF-8 encoding");
    EXPECT_LEX("\xff", "ERROR 1:1 malformed UTF-8 encoding");
    /* U+0085 NEXT LINE is white space */
    EXPECT_LEX("a\xc2\x85" "b", "KW:a KW:b");
}

static void expect_pos(ktext_lexer *lx, ktext_tok kind, uint32_t line, uint32_t col, int srcline)
{
    ktext_token t;
    if (!ktext_next(lx, &t)) {
        g_failures++;
        printf("FAIL %s:%d: lex error %s\n", __FILE__, srcline, kite_error_message(lx->error));
        kite_error_free(lx->error);
        return;
    }
    if (t.kind != kind || t.line != line || t.col != col) {
        g_failures++;
        printf("FAIL %s:%d: got %s at %u:%u, want %s at %u:%u\n", __FILE__, srcline,
               kind_name(t.kind), t.line, t.col, kind_name(kind), line, col);
    }
}

#define EXPECT_POS(lx, kind, line, col) expect_pos(lx, kind, line, col, __LINE__)

static void test_positions(void)
{
    ktext_lexer lx;
    const char *src = "(a\n  b)\r\nc\rd\xc2\x85" "e (;\n;) f ;;x\n\tg";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    EXPECT_POS(&lx, KTEXT_LPAREN, 1, 1);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 1, 2);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 2, 3);
    EXPECT_POS(&lx, KTEXT_RPAREN, 2, 4);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 3, 1);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 4, 1);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 5, 1);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 6, 4);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 7, 2);
    EXPECT_POS(&lx, KTEXT_EOF, 7, 3);

    /* base position: only the first line is shifted by base_col */
    src = "x  y\n z";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 10, 5);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 10, 5);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 10, 8);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 11, 2);

    /* columns count bytes */
    src = "\"\xc3\x9f\" x";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    EXPECT_POS(&lx, KTEXT_STRING, 1, 1);
    EXPECT_POS(&lx, KTEXT_KEYWORD, 1, 6);

    /* error positions carry the base too */
    src = "a \x01";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 3, 7);
    ktext_token t;
    CHECK(ktext_next(&lx, &t), "first token");
    CHECK(!ktext_next(&lx, &t), "illegal char");
    kite_position_t pos = kite_error_position(lx.error);
    CHECK(pos.has_line && pos.line == 3 && pos.column == 9, "error pos %u:%u", pos.line,
          pos.column);
    CHECK(kite_error_code(lx.error) == KITE_ERROR_MALFORMED, "error code");
    kite_error_free(lx.error);
}

static void test_peek_skip(void)
{
    ktext_lexer lx;
    ktext_token t, u;
    const char *src = "(a (b (c) \"))\") (@x ())) d";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    CHECK(ktext_peek(&lx, &t) && t.kind == KTEXT_LPAREN, "peek (");
    CHECK(ktext_peek(&lx, &u) && u.text == t.text, "peek twice");
    CHECK(ktext_next(&lx, &t) && t.kind == KTEXT_LPAREN, "next (");
    CHECK(ktext_skip_sexpr(&lx), "skip");
    CHECK(ktext_next(&lx, &t) && ktext_tok_is(&t, "d"), "after skip");
    CHECK(!ktext_tok_is(&t, "dd") && !ktext_tok_is(&t, ""), "tok_is");
    CHECK(ktext_next(&lx, &t) && t.kind == KTEXT_EOF, "eof");
    CHECK(ktext_next(&lx, &t) && t.kind == KTEXT_EOF, "eof again");

    /* saving and restoring the struct rewinds */
    src = "a b";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    ktext_lexer save = lx;
    CHECK(ktext_next(&lx, &t) && ktext_tok_is(&t, "a"), "a");
    lx = save;
    CHECK(ktext_next(&lx, &t) && ktext_tok_is(&t, "a"), "a again");

    src = "(a (b)";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    CHECK(ktext_next(&lx, &t), "(");
    CHECK(!ktext_skip_sexpr(&lx), "unbalanced");
    kite_error_free(lx.error);

    src = "\x01";
    ktext_lexer_init(&lx, &kutil_libc, src, strlen(src), 1, 1);
    CHECK(!ktext_peek(&lx, &t) && lx.error, "peek error");
    kite_error_free(lx.error);
}

/* Deep nesting must not recurse. */
static void test_deep(void)
{
    enum { DEPTH = 1000000 };
    static char buf[4 * DEPTH + 16];
    size_t n = 0;
    for (size_t i = 0; i < DEPTH; i++) {
        buf[n++] = '(';
        buf[n++] = ';';
    }
    for (size_t i = 0; i < DEPTH; i++) {
        buf[n++] = ';';
        buf[n++] = ')';
    }
    buf[n++] = 'x';
    expect_lex_n(buf, n, "KW:x", __LINE__);

    n = 0;
    memcpy(buf, "(@a ", 4);
    n = 4;
    for (size_t i = 0; i < DEPTH; i++)
        buf[n++] = '(';
    for (size_t i = 0; i < DEPTH; i++)
        buf[n++] = ')';
    buf[n++] = ')';
    expect_lex_n(buf, n, "", __LINE__);

    n = 0;
    for (size_t i = 0; i < DEPTH; i++)
        buf[n++] = '(';
    ktext_lexer lx;
    ktext_token t;
    ktext_lexer_init(&lx, &kutil_libc, buf, n, 1, 1);
    CHECK(ktext_next(&lx, &t), "(");
    CHECK(!ktext_skip_sexpr(&lx), "deep unclosed");
    kite_error_free(lx.error);
}

int main(void)
{
    test_basic();
    test_numbers();
    test_longest_match();
    test_strings();
    test_decode();
    test_ids();
    test_comments();
    test_annotations();
    test_illegal();
    test_positions();
    test_peek_skip();
    test_deep();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
