/*
 * The WAT/WAST lexer.
 *
 * Tokens follow the longest-match rule of the text format: a token is a
 * maximal run of idchars, strings and the reserved punctuation , ; [ ] { }
 * (a ';' that starts a line comment ends the run). A run that is not exactly
 * one keyword, id, number or string is a single RESERVED token, so `0$x`,
 * `"a""b"` and `1a` are never split into two tokens.
 *
 * Nothing here recurses: block comments and annotations nest through
 * counters.
 */
#include "text/lexer.h"

#include <string.h>

#include "text/numlit.h"
#include "util/alloc.h"
#include "util/error.h"

void ktext_lexer_init(ktext_lexer *lx, const kite_allocator_t *alloc, const char *src, size_t len,
                      uint32_t base_line, uint32_t base_col)
{
    lx->alloc = alloc;
    lx->src = src;
    lx->cur = src;
    lx->end = src + len;
    lx->line = base_line ? base_line : 1;
    lx->line_start = src;
    lx->error = NULL;
    lx->base_col = base_col ? base_col : 1;
    lx->annots = NULL;
}

void ktext_annots_free(ktext_annots *a, const kite_allocator_t *alloc)
{
    kutil_free(alloc, a->items);
    memset(a, 0, sizeof(*a));
}

static uint32_t col_of(const ktext_lexer *lx, const char *at)
{
    uint32_t col = (uint32_t)(at - lx->line_start) + 1;
    if (lx->line_start == lx->src)
        col += lx->base_col - 1;
    return col;
}

static bool fail_at(ktext_lexer *lx, uint32_t line, uint32_t col, const char *msg)
{
    lx->error = kutil_error_at_line(lx->alloc, KITE_ERROR_MALFORMED, line, col, "%s", msg);
    return false;
}

static bool fail(ktext_lexer *lx, const char *at, const char *msg)
{
    return fail_at(lx, lx->line, col_of(lx, at), msg);
}

/* Characters allowed in keywords, ids and numbers. */
static bool is_idchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '/': case ':': case '<': case '=': case '>': case '?':
    case '@': case '\\': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

/* Punctuation that only ever forms reserved tokens. ';' is handled apart. */
static bool is_reserved_punct(unsigned char c)
{
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t utf8_seq(const char *p, const char *end)
{
    ktext_utf8 u = {0, 0x80, 0xBF};
    size_t n = 0;
    do {
        if (p + n >= end || !ktext_utf8_feed(&u, (uint8_t)p[n]))
            return 0;
        n++;
    } while (u.need);
    return n;
}

/* Length of a newline at p (LF, CR, CR LF or U+0085), or 0. */
static size_t newline_len(const char *p, const char *end)
{
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return (p + 1 < end && p[1] == '\n') ? 2 : 1;
    if ((unsigned char)*p == 0xC2 && p + 1 < end && (unsigned char)p[1] == 0x85)
        return 2;
    return 0;
}

static void take_newline(ktext_lexer *lx, size_t n)
{
    lx->cur += n;
    lx->line++;
    lx->line_start = lx->cur;
}

/* Inside a comment any character is fine, but it must be well-formed UTF-8. */
static bool comment_char(ktext_lexer *lx)
{
    unsigned char c = (unsigned char)*lx->cur;
    if (c < 0x80) {
        lx->cur++;
        return true;
    }
    size_t n = utf8_seq(lx->cur, lx->end);
    if (!n)
        return fail(lx, lx->cur, "malformed UTF-8 encoding");
    lx->cur += n;
    return true;
}

/* A block comment starting at lx->cur ("(;"), nested ones included. */
static bool skip_block_comment(ktext_lexer *lx)
{
    uint32_t line = lx->line, col = col_of(lx, lx->cur);
    size_t depth = 1;
    lx->cur += 2;
    while (depth) {
        if (lx->cur >= lx->end)
            return fail_at(lx, line, col, "unclosed comment");
        const char *p = lx->cur;
        size_t nl;
        if (p[0] == '(' && p + 1 < lx->end && p[1] == ';') {
            depth++;
            lx->cur += 2;
        } else if (p[0] == ';' && p + 1 < lx->end && p[1] == ')') {
            depth--;
            lx->cur += 2;
        } else if ((nl = newline_len(p, lx->end)) != 0) {
            take_newline(lx, nl);
        } else if (!comment_char(lx)) {
            return false;
        }
    }
    return true;
}

/* White space and comments. */
static bool skip_space(ktext_lexer *lx)
{
    while (lx->cur < lx->end) {
        const char *p = lx->cur;
        size_t nl;
        if (*p == ' ' || *p == '\t') {
            lx->cur++;
        } else if ((nl = newline_len(p, lx->end)) != 0) {
            take_newline(lx, nl);
        } else if (*p == ';' && p + 1 < lx->end && p[1] == ';') {
            lx->cur += 2;
            while (lx->cur < lx->end && !newline_len(lx->cur, lx->end))
                if (!comment_char(lx))
                    return false;
        } else if (*p == '(' && p + 1 < lx->end && p[1] == ';') {
            if (!skip_block_comment(lx))
                return false;
        } else {
            break;
        }
    }
    return true;
}

/*
 * A string starting at lx->cur ('"'); on success lx->cur is past the closing
 * quote. `ctx` replaces the message of a malformed string where the string
 * is part of something else (an id or annotation id) whose error the
 * testsuite names instead.
 */
static bool scan_string(ktext_lexer *lx, const char *ctx)
{
    const char *p = lx->cur + 1;
    for (;;) {
        if (p >= lx->end)
            return fail(lx, p, ctx ? ctx : "unclosed string");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\n' || c == '\r')
            return fail(lx, p, ctx ? ctx : "unclosed string");
        if (c < 0x20 || c == 0x7F)
            return fail(lx, p, ctx ? ctx : "illegal control character in string");
        if (c == '\\') {
            uint8_t buf[4];
            const char *q = p;
            if (!ktext_string_elem(&q, lx->end, buf))
                return fail(lx, p, ctx ? ctx : "illegal escape");
            p = q;
        } else if (c >= 0x80) {
            size_t n = utf8_seq(p, lx->end);
            if (!n)
                return fail(lx, p, "malformed UTF-8 encoding");
            p += n;
        } else {
            p++;
        }
    }
    lx->cur = p + 1;
    return true;
}

/*
 * Check a decoded name given as a string token body (between the quotes):
 * non-empty and well-formed UTF-8.
 */
static bool check_name(ktext_lexer *lx, const char *at, const char *s, const char *e,
                       const char *empty_msg)
{
    if (s == e)
        return fail(lx, at, empty_msg);
    ktext_utf8 u = {0, 0x80, 0xBF};
    while (s < e) {
        uint8_t buf[4];
        int n = ktext_string_elem(&s, e, buf);
        if (n == 0)
            return fail(lx, at, "illegal escape");
        for (int i = 0; i < n; i++)
            if (!ktext_utf8_feed(&u, buf[i]))
                return fail(lx, at, "malformed UTF-8 encoding");
    }
    if (u.need)
        return fail(lx, at, "malformed UTF-8 encoding");
    return true;
}

typedef struct run_info {
    unsigned nstrings;
    bool punct;               /* reserved punctuation seen */
    const char *last_str;     /* start of the last string */
    const char *last_str_end; /* just past its closing quote */
} run_info;

/*
 * Scan a maximal run of token characters at lx->cur. When the run starts
 * with `$"`, a malformed string is reported as `first_string_ctx` (the
 * testsuite calls a bad $"..." an "empty identifier").
 */
static bool scan_run(ktext_lexer *lx, run_info *ri, const char *first_string_ctx)
{
    const char *start = lx->cur;
    memset(ri, 0, sizeof(*ri));
    while (lx->cur < lx->end) {
        unsigned char c = (unsigned char)*lx->cur;
        if (is_idchar(c)) {
            lx->cur++;
        } else if (is_reserved_punct(c)) {
            ri->punct = true;
            lx->cur++;
        } else if (c == ';') {
            if (lx->cur + 1 < lx->end && lx->cur[1] == ';')
                break;
            ri->punct = true;
            lx->cur++;
        } else if (c == '"') {
            const char *ctx = NULL;
            if (first_string_ctx && lx->cur == start + 1 && *start == '$')
                ctx = first_string_ctx;
            ri->last_str = lx->cur;
            if (!scan_string(lx, ctx))
                return false;
            ri->last_str_end = lx->cur;
            ri->nstrings++;
        } else {
            break;
        }
    }
    return true;
}

/* The character at lx->cur cannot start a token. */
static bool illegal_char(ktext_lexer *lx)
{
    unsigned char c = (unsigned char)*lx->cur;
    if (c >= 0x80 && !utf8_seq(lx->cur, lx->end))
        return fail(lx, lx->cur, "malformed UTF-8 encoding");
    return fail(lx, lx->cur, "illegal character");
}

/* The next token, annotations not treated specially. */
static bool raw_next(ktext_lexer *lx, ktext_token *out);

bool ktext_next_raw(ktext_lexer *lx, ktext_token *out)
{
    return raw_next(lx, out);
}

static bool raw_next(ktext_lexer *lx, ktext_token *out)
{
    if (!skip_space(lx))
        return false;
    const char *s = lx->cur;
    out->text = s;
    out->line = lx->line;
    out->col = col_of(lx, s);
    out->len = 0;
    if (s >= lx->end) {
        out->kind = KTEXT_EOF;
        return true;
    }
    if (*s == '(' || *s == ')') {
        out->kind = *s == '(' ? KTEXT_LPAREN : KTEXT_RPAREN;
        out->len = 1;
        lx->cur++;
        return true;
    }
    run_info ri;
    if (!scan_run(lx, &ri, "empty identifier"))
        return false;
    const char *e = lx->cur;
    if (e == s)
        return illegal_char(lx);
    if ((size_t)(e - s) > UINT32_MAX)
        return fail(lx, s, "token too long");
    out->len = (uint32_t)(e - s);

    bool one_string = ri.nstrings == 1 && ri.last_str_end == e;
    if (one_string && ri.last_str == s) {
        out->kind = KTEXT_STRING;
        return true;
    }
    if (*s == '$') {
        if (e - s == 1)
            return fail(lx, s, "empty identifier");
        if (one_string && ri.last_str == s + 1) {
            if (!check_name(lx, s, s + 2, e - 1, "empty identifier"))
                return false;
            out->kind = KTEXT_ID;
            return true;
        }
        out->kind = (ri.nstrings || ri.punct) ? KTEXT_RESERVED : KTEXT_ID;
        return true;
    }
    if (ri.nstrings || ri.punct) {
        out->kind = KTEXT_RESERVED;
        return true;
    }
    ktext_numsyn syn;
    ktext_tok k = ktext_numscan(s, out->len, &syn);
    if (k != KTEXT_RESERVED)
        out->kind = k;
    else if (*s >= 'a' && *s <= 'z')
        out->kind = KTEXT_KEYWORD;
    else
        out->kind = KTEXT_RESERVED;
    return true;
}

/* The kind of a plain annotation id [s, e), or -1 for one without a
 * meaning here (the quoted form @"..." never has one). */
static int annot_kind(const char *s, const char *e)
{
    static const char *const ids[] = {"custom", "name", "metadata.code.branch_hint"};
    for (int k = 0; k < 3; k++)
        if ((size_t)(e - s) == strlen(ids[k]) && memcmp(s, ids[k], (size_t)(e - s)) == 0)
            return k;
    return -1;
}

/* Records the annotation [lpar, lx->cur) of kind k, unless it already is
 * (a parser reads text again after looking ahead, and in two passes). */
static bool record_annot(ktext_lexer *lx, int k, const ktext_token *lpar, const ktext_lexer *body)
{
    ktext_annots *a = lx->annots;
    uint32_t lo = 0, hi = a->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a->items[mid].start < lpar->text)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->n && a->items[lo].start == lpar->text)
        return true;
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 8;
        ktext_annot *n = cap > (1u << 24) ? NULL : kutil_realloc(lx->alloc, a->items, cap * sizeof(*n));
        if (!n) {
            lx->error = kutil_error_oom();
            return false;
        }
        a->items = n;
        a->cap = cap;
    }
    memmove(a->items + lo + 1, a->items + lo, (a->n - lo) * sizeof(*a->items));
    ktext_annot *r = &a->items[lo];
    memset(r, 0, sizeof(*r));
    r->kind = (uint8_t)k;
    r->start = lpar->text;
    r->end = lx->cur;
    r->line = lpar->line;
    r->col = lpar->col;
    r->end_line = lx->line;
    r->end_col = col_of(lx, lx->cur);
    r->body = *body;
    r->body.annots = NULL;
    r->body.error = NULL;
    a->n++;
    a->count[k]++;
    return true;
}

/*
 * Skip an annotation whose "(" was just read and whose '@' is at lx->cur:
 * an id, then any tokens with balanced parentheses.
 */
static bool skip_annotation(ktext_lexer *lx, const ktext_token *lpar)
{
    const char *at = lx->cur;
    lx->cur++; /* '@' */
    const char *s = lx->cur;
    int kind = -1;
    if (s >= lx->end || !(is_idchar((unsigned char)*s) || *s == '"'))
        return fail(lx, at, "empty annotation id");
    if (*s == '"') {
        if (!scan_string(lx, "empty annotation id"))
            return false;
        if (!check_name(lx, at, s + 1, lx->cur - 1, "empty annotation id"))
            return false;
    } else {
        run_info ri;
        if (!scan_run(lx, &ri, NULL))
            return false;
        if (lx->annots)
            kind = annot_kind(s, lx->cur);
    }
    ktext_lexer body = *lx;
    size_t depth = 1;
    while (depth) {
        ktext_token t;
        if (!raw_next(lx, &t))
            return false;
        if (t.kind == KTEXT_EOF)
            return fail_at(lx, lpar->line, lpar->col, "unclosed annotation");
        if (t.kind == KTEXT_LPAREN)
            depth++;
        else if (t.kind == KTEXT_RPAREN)
            depth--;
    }
    return kind < 0 || record_annot(lx, kind, lpar, &body);
}

bool ktext_next(ktext_lexer *lx, ktext_token *out)
{
    for (;;) {
        if (!raw_next(lx, out))
            return false;
        if (out->kind == KTEXT_LPAREN && lx->cur < lx->end && *lx->cur == '@') {
            if (!skip_annotation(lx, out))
                return false;
            continue;
        }
        return true;
    }
}

bool ktext_peek(ktext_lexer *lx, ktext_token *out)
{
    ktext_lexer tmp = *lx;
    if (ktext_next(&tmp, out))
        return true;
    lx->error = tmp.error;
    return false;
}

bool ktext_skip_sexpr(ktext_lexer *lx)
{
    size_t depth = 1;
    while (depth) {
        ktext_token t;
        if (!ktext_next(lx, &t))
            return false;
        if (t.kind == KTEXT_EOF)
            return fail_at(lx, t.line, t.col, "unexpected end of input: missing ')'");
        if (t.kind == KTEXT_LPAREN)
            depth++;
        else if (t.kind == KTEXT_RPAREN)
            depth--;
    }
    return true;
}

bool ktext_tok_is(const ktext_token *t, const char *keyword)
{
    size_t n = strlen(keyword);
    return t->kind == KTEXT_KEYWORD && t->len == n && memcmp(t->text, keyword, n) == 0;
}
