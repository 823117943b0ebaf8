/*
 * Internal to the WAT module parser (parse.c, parse_util.c, parse_instr.c):
 * the parser state and the helpers the three files share.
 *
 * The parser works in two passes over the token stream. Pass 1 walks the
 * module fields without looking inside bodies, binding every symbolic
 * identifier of the module-level index spaces and recording where each
 * field starts. Pass 2 re-lexes each field from its saved lexer state: first
 * all type definitions (so that inline type uses can be matched against
 * them), then every other field in text order, encoding code into the binary
 * instruction format as it goes.
 */
#ifndef KITE_TEXT_PARSE_INT_H
#define KITE_TEXT_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ir/module.h"
#include "ir/opcodes.h"
#include "kite.h"
#include "text/lexer.h"
#include "util/arena.h"

struct kite_config;

/* A growable byte buffer (the parser's allocator, released when parsing ends). */
typedef struct ktext_buf {
    uint8_t *data;
    size_t len, cap;
} ktext_buf;

/* Identifier name spaces. Locals and fields are further split by a scope
 * (the function's scope number, the struct's type index). */
typedef enum ktext_space {
    KTEXT_SP_TYPE,
    KTEXT_SP_FUNC,
    KTEXT_SP_TABLE,
    KTEXT_SP_MEMORY,
    KTEXT_SP_GLOBAL,
    KTEXT_SP_TAG,
    KTEXT_SP_ELEM,
    KTEXT_SP_DATA,
    KTEXT_SP_LOCAL,
    KTEXT_SP_LABEL,
    KTEXT_SP_FIELD,
    KTEXT_SP_COUNT
} ktext_space;

/* An identifier without its `$`, decoded when it was written $"...". */
typedef struct ktext_name {
    const char *ptr;
    uint32_t len;
} ktext_name;

typedef struct ktext_sym {
    const char *name; /* NULL: empty slot */
    uint32_t len, scope, value, hash;
    uint8_t space;
} ktext_sym;

typedef struct ktext_symtab {
    ktext_sym *slots;
    uint32_t cap, count;
} ktext_symtab;

/* An open block-like construct of the instruction parser (parse_instr.c). */
typedef struct ktext_frame {
    uint8_t kind, state;
    bool folded;
    bool has_name;   /* the construct carries a label identifier */
    bool had_catch, had_catch_all;
    ktext_name name;
    uint32_t saved;  /* label map value shadowed by this label */
    uint32_t pend;   /* start of this frame's bytes in the pending buffer */
    uint32_t else_at; /* if: code offset of its `else` opcode, or UINT32_MAX */
    uint32_t line, col;
} ktext_frame;

/* Kinds of @name annotations (the name section's subsections). */
typedef enum ktext_name_sub {
    KTEXT_NAME_MODULE,
    KTEXT_NAME_FUNC,
    KTEXT_NAME_LOCAL,
    KTEXT_NAME_TYPE,
    KTEXT_NAME_FIELD,
    KTEXT_NAME_TAG,
    KTEXT_NAME_COUNT
} ktext_name_sub;

/* A name given by an @name annotation: idx (function, type, tag) and
 * sub_idx (local, field). */
typedef struct ktext_named {
    uint8_t sub; /* ktext_name_sub */
    uint32_t idx, sub_idx;
    kir_name name;
} ktext_named;

/* A module field's extent in the text, for placing annotations. */
typedef struct ktext_span {
    const char *open, *close; /* its '(' and just after its ')' */
    uint32_t func;            /* a function field: its index, else KIR_NONE */
} ktext_span;

/* The result of parsing `(type x)? (param ...)* (result ...)*`. The
 * parameter and result types are in p->vt (params first). */
typedef struct ktext_typeuse {
    bool has_type;
    uint32_t type;
    ktext_token type_tok;
    uint32_t nparams, nresults;
} ktext_typeuse;

typedef struct ktext_parser {
    const struct kite_config *config; /* NULL: defaults */
    const kite_allocator_t *alloc;    /* the configuration's */
    kir_module *m;
    ktext_lexer lx;
    kite_error_t *err;
    kutil_arena tmp; /* decoded identifiers and other scratch that lives until the end */
    ktext_symtab syms;

    /* Implicit function types: hash set of type indices keyed by signature. */
    uint32_t *sigs;
    uint32_t sig_cap, sig_count;

    /* Code encoding. */
    ktext_buf code;    /* the expression being encoded */
    ktext_buf pending; /* folded operators waiting for their operands */
    ktext_buf scratch; /* small temporaries (try_table catch clauses) */
    ktext_frame *frames;
    uint32_t nframes, frame_cap;
    uint32_t label_depth; /* labels in scope, the function's own included */
    uint32_t vpos;        /* next free offset of the virtual code offset space */
    uint32_t local_scope; /* scope of the locals of the code being parsed */
    uint32_t next_scope;
    bool uses_data;       /* some instruction names a data segment */

    /* The last keyword classified (lookahead reads tokens repeatedly). */
    const char *kw_text;
    bool kw_known;
    kir_op kw_op;

    /* Annotations (annot.c): those the lexer recorded, the names given by
     * @name, and the function whose parameters a type use names (KIR_NONE:
     * none, a type or a tag). */
    ktext_annots annots;
    ktext_named *named;
    uint32_t nnamed, named_cap;
    uint32_t names_func;

    /* Type use scratch: value types and (optional) parameter names. */
    kir_valtype *vt;
    uint32_t nvt, vt_cap;
    ktext_name *pnames;
    ktext_token *pname_toks;
    uint32_t npnames, pnames_cap;
} ktext_parser;

/* ---- errors (each returns false so callers can `return ktext_fail(...)`) */
bool ktext_fail(ktext_parser *p, const ktext_token *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "unexpected token", or "unknown operator X" when the token is no keyword
 * of the text format at all (as the reference lexer reports it). */
bool ktext_unexpected(ktext_parser *p, const ktext_token *t);
bool ktext_oom(ktext_parser *p);

/* ---- tokens */
bool ktext_get(ktext_parser *p, ktext_token *t);
/* The next token, which must be an unsigned integer below 2^bits
 * ("iN constant out of range" otherwise); *t is the token. */
bool ktext_nat_tok(ktext_parser *p, unsigned bits, ktext_token *t, uint64_t *out);
bool ktext_look(ktext_parser *p, ktext_token *t);
/* The two tokens after the current position, without consuming them. */
bool ktext_look2(ktext_parser *p, ktext_token *t1, ktext_token *t2);
/* Whether the next tokens are `(` and keyword kw (nothing consumed). */
bool ktext_at_sexpr(ktext_parser *p, const char *kw, bool *yes);
/* Consume `(` kw when they come next. */
bool ktext_take_sexpr(ktext_parser *p, const char *kw, bool *taken);
bool ktext_expect(ktext_parser *p, ktext_tok kind, ktext_token *t);
bool ktext_expect_kw(ktext_parser *p, const char *kw);
/* Inline so that strlen of a literal keyword folds to a constant. */
static inline bool ktext_is_kw(const ktext_token *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == KTEXT_KEYWORD && t->len == n && memcmp(t->text, kw, n) == 0;
}
/* Whether the keyword names an instruction enabled in the configuration. */
kir_op ktext_lookup_op(ktext_parser *p, const ktext_token *t);

/* ---- buffers and encodings */
bool ktext_reserve(ktext_parser *p, ktext_buf *b, size_t extra);
bool ktext_byte(ktext_parser *p, ktext_buf *b, uint8_t v);
bool ktext_bytes(ktext_parser *p, ktext_buf *b, const void *src, size_t n);
bool ktext_u64(ktext_parser *p, ktext_buf *b, uint64_t v);
bool ktext_s64(ktext_parser *p, ktext_buf *b, int64_t v);
bool ktext_op(ktext_parser *p, ktext_buf *b, kir_op op);
bool ktext_valtype_enc(ktext_parser *p, ktext_buf *b, kir_valtype t);
bool ktext_heaptype_enc(ktext_parser *p, ktext_buf *b, kir_valtype t);

/* ---- identifiers and index spaces */
bool ktext_id_name(ktext_parser *p, const ktext_token *t, ktext_name *out);
bool ktext_sym_get(ktext_parser *p, ktext_space sp, uint32_t scope, ktext_name n,
                   uint32_t *value);
bool ktext_sym_set(ktext_parser *p, ktext_space sp, uint32_t scope, ktext_name n,
                   uint32_t value);
/* Bind a new identifier; "duplicate ..." when it is already bound. */
bool ktext_sym_bind(ktext_parser *p, ktext_space sp, uint32_t scope, const ktext_token *t,
                    uint32_t value);
/* An index (number or identifier) of the given space. */
bool ktext_resolve(ktext_parser *p, ktext_space sp, uint32_t scope, const ktext_token *t,
                   uint32_t *out);
bool ktext_idx(ktext_parser *p, ktext_space sp, uint32_t scope, uint32_t *out);
/* An optional index: *present false (nothing consumed) when none follows. */
bool ktext_opt_idx(ktext_parser *p, ktext_space sp, uint32_t scope, uint32_t *out,
                   bool *present);
static inline bool ktext_is_idx_tok(const ktext_token *t)
{
    return t->kind == KTEXT_NAT || t->kind == KTEXT_ID;
}

/* ---- types */
bool ktext_heaptype(ktext_parser *p, kir_valtype *out); /* a ref type word, nullable clear */
bool ktext_reftype(ktext_parser *p, kir_valtype *out);
bool ktext_valtype(ktext_parser *p, kir_valtype *out);
bool ktext_storagetype(ktext_parser *p, kir_valtype *out);
bool ktext_vt_push(ktext_parser *p, kir_valtype t);
bool ktext_parse_typeuse(ktext_parser *p, bool param_names, ktext_typeuse *tu);
/* The type index a parsed type use denotes (explicit, checked against the
 * inline signature, or the implicit type found or appended). */
bool ktext_typeuse_index(ktext_parser *p, const ktext_typeuse *tu, uint32_t *out);
bool ktext_sig_insert(ktext_parser *p, uint32_t typeidx);
bool ktext_func_type_params(const kir_module *m, uint32_t typeidx, uint32_t *nparams);

/* ---- annotations (annot.c) */
/* The @name annotation between the last token read and the next one, if
 * any ("@name annotation: multiple ... names" when there are more). */
bool ktext_name_find(ktext_parser *p, ktext_name_sub sub, ktext_annot **out);
/* Claims annotation a as the name of binding idx (and sub_idx); idx
 * KIR_NONE: a binding the name section has no place for (accepted, kept
 * nowhere). */
bool ktext_name_take(ktext_parser *p, ktext_annot *a, ktext_name_sub sub, uint32_t idx,
                     uint32_t sub_idx);
/* Both: the name of a binding whose keyword (and id) were just read. */
bool ktext_name_here(ktext_parser *p, ktext_name_sub sub, uint32_t idx, uint32_t sub_idx);
/* Once the module is parsed: the @custom sections, the module's name, the
 * name section and the branch hints, or the error of a malformed or
 * misplaced annotation. `spans` are the module fields in text order;
 * header_end is where the module's fields may start (after `module $id`). */
bool ktext_annots_finish(ktext_parser *p, const ktext_span *spans, uint32_t nspans,
                         const char *header_end);

/* ---- code (parse_instr.c) */
/*
 * Parse an instruction sequence into a new expression ending in `end`:
 * single=false reads instructions up to and including the `)` that closes
 * the enclosing s-expression; single=true reads exactly one folded
 * instruction `( ... )`.
 */
bool ktext_parse_expr(ktext_parser *p, bool single, kir_expr *out);
/* A synthesized constant expression `<op> <value> end` (inline segments). */
bool ktext_make_const_expr(ktext_parser *p, kir_op op, uint64_t value, const ktext_token *at,
                           kir_expr *out);
void ktext_code_release(ktext_parser *p);

#endif
