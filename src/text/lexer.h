/*
 * The WAT/WAST lexer: turns source text into tokens with line:column
 * positions, skipping whitespace, line and (nested) block comments and
 * annotations `(@...)` (recording those the text format gives a meaning,
 * when asked to). Also converts literal tokens to values.
 *
 * The lexer is a plain value: copying the struct saves its state, assigning
 * it back restores it (parsers use this for lookahead).
 */
#ifndef KITE_TEXT_LEXER_H
#define KITE_TEXT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kite.h"

typedef enum ktext_tok {
    KTEXT_EOF,
    KTEXT_LPAREN,
    KTEXT_RPAREN,
    KTEXT_KEYWORD,  /* starts with a lowercase letter: module, i32.add, offset=4, nan:canonical */
    KTEXT_ID,       /* $name or $"name" (text includes the $) */
    KTEXT_STRING,   /* "..." (text includes the quotes; see ktext_string_decode) */
    KTEXT_NAT,      /* unsigned integer: 123, 0x1F, 1_000 */
    KTEXT_INT,      /* signed integer: +1, -0x10 */
    KTEXT_FLOAT,    /* any other number: 1.5, -1e10, 0x1p-3, inf, -nan, nan:0x8 */
    KTEXT_RESERVED, /* anything else made of idchars: an error wherever it is used */
} ktext_tok;

typedef struct ktext_token {
    ktext_tok kind;
    const char *text;
    uint32_t len;
    uint32_t line, col; /* 1-based */
} ktext_token;

/* The annotations with a meaning in the text format (see ktext_annots). */
typedef enum ktext_annot_kind {
    KTEXT_ANNOT_CUSTOM,      /* (@custom ...): a custom section */
    KTEXT_ANNOT_NAME,        /* (@name ...): the name section */
    KTEXT_ANNOT_BRANCH_HINT, /* (@metadata.code.branch_hint ...) */
} ktext_annot_kind;

struct ktext_annots;

typedef struct ktext_lexer {
    const char *src, *cur, *end;
    uint32_t line;
    const char *line_start;
    kite_error_t *error; /* set when ktext_next fails; the caller owns it */
    const kite_allocator_t *alloc; /* of errors */
    uint32_t base_col;   /* column of src[0]: applies while on the first line */
    /* When set, the annotations of ktext_annot_kind that ktext_next skips
     * are recorded there (once each, however often they are lexed again). */
    struct ktext_annots *annots;
} ktext_lexer;

/* An annotation recorded by the lexer: where it is, and a lexer placed
 * after its id, ready to read its contents with ktext_next_raw. */
typedef struct ktext_annot {
    uint8_t kind;         /* ktext_annot_kind */
    bool used;            /* claimed by the parser */
    const char *start;    /* its '(' */
    const char *end;      /* just after its ')' */
    uint32_t line, col;   /* of '(' */
    uint32_t end_line, end_col; /* just after ')' */
    ktext_lexer body;
} ktext_annot;

/* The recorded annotations, sorted by position (allocated with the lexer's
 * allocator, which ktext_annots_free takes). */
typedef struct ktext_annots {
    ktext_annot *items;
    uint32_t n, cap;
    uint32_t count[3]; /* per ktext_annot_kind */
} ktext_annots;
void ktext_annots_free(ktext_annots *a, const kite_allocator_t *alloc);

/* base_line/base_col (1-based) give the position of src[0] in its file;
 * errors are made with `alloc`. */
void ktext_lexer_init(ktext_lexer *lx, const kite_allocator_t *alloc, const char *src, size_t len,
                      uint32_t base_line, uint32_t base_col);
/* The next token; false on a lexical error (lx->error says which, with
 * position, e.g. "unclosed comment", "unclosed string"). */
bool ktext_next(ktext_lexer *lx, ktext_token *out);
/* The next token, an annotation's '(' being no different from any other
 * (for reading an annotation's contents). */
bool ktext_next_raw(ktext_lexer *lx, ktext_token *out);
/* The next token without consuming it. */
bool ktext_peek(ktext_lexer *lx, ktext_token *out);
/* Skip the rest of an s-expression whose '(' was already consumed,
 * through its matching ')'. */
bool ktext_skip_sexpr(ktext_lexer *lx);

bool ktext_tok_is(const ktext_token *t, const char *keyword);

/*
 * Literal conversion. Each returns false when the token is not a literal of
 * that kind or is out of range ("constant out of range" at the call site).
 *  - nat: KTEXT_NAT only, value < 2^bits
 *  - int: KTEXT_NAT or KTEXT_INT, -2^(bits-1) <= value < 2^bits, result is
 *    the two's-complement bit pattern truncated to `bits`
 *  - f32/f64: KTEXT_FLOAT, KTEXT_NAT or KTEXT_INT; IEEE bits, correctly
 *    rounded (round to nearest, ties to even), decimal and hex forms,
 *    inf, nan, nan:0xN with N a non-zero payload that fits the mantissa
 */
bool ktext_nat(const ktext_token *t, unsigned bits, uint64_t *out);
bool ktext_int(const ktext_token *t, unsigned bits, uint64_t *out);
bool ktext_f32(const ktext_token *t, uint32_t *bits);
bool ktext_f64(const ktext_token *t, uint64_t *bits);

/*
 * Decode a KTEXT_STRING's escapes (\n \t \\ \' \" \hh \u{...}) into `out`,
 * which must have room for t->len bytes. False on a malformed escape.
 * Also accepts a KTEXT_ID of the form $"..." and decodes its name.
 */
bool ktext_string_decode(const ktext_token *t, uint8_t *out, size_t *out_len);
/* Whether bytes are well-formed UTF-8 (names must be). */
bool ktext_utf8_valid(const uint8_t *s, size_t len);

#endif
