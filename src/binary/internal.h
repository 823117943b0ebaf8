/*
 * Shared by the decoder's files (decode.c, sections.c, code.c): the decoding
 * state and the helpers that more than one section needs.
 *
 * Like the reference interpreter, the decoder reads every section through one
 * reader over the whole module rather than one bounded by the section's
 * size: content that overruns its section is read on, and the mismatch is
 * reported when the section ends ("section size mismatch"). The spec
 * testsuite's expected messages depend on this (a vector count larger than
 * the rest of the *module* is "length out of bounds", running off the end of
 * the module is "unexpected end of section or function").
 */
#ifndef KITE_BINARY_INTERNAL_H
#define KITE_BINARY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "binary/reader.h"
#include "ir/config.h"
#include "ir/module.h"

typedef struct kdec_state {
    kdec_reader r;                   /* over the whole module (the arena copy) */
    const struct kite_config *config;
    kir_module *m;
    const uint8_t *bytes;            /* the module's copy of the input */
    uint32_t nfunc_decls;            /* entries of the function section */
    uint32_t ncode;                  /* entries of the code section */
    /* The first "name" custom section, decoded once everything else is. */
    const uint8_t *names;
    uint32_t names_len;
} kdec_state;

/*
 * Implementation limits, those of the JS API (which the major engines
 * share). Besides keeping kite compatible with them, they bound the memory a
 * hostile module can make the decoder allocate per input byte.
 */
#define KDEC_MAX_LOCALS 50000u
#define KDEC_MAX_TYPES 1000000u
#define KDEC_MAX_FUNCS 1000000u
#define KDEC_MAX_IMPORTS 100000u
#define KDEC_MAX_EXPORTS 100000u
#define KDEC_MAX_GLOBALS 1000000u
#define KDEC_MAX_TAGS 1000000u
#define KDEC_MAX_TABLES 100000u
#define KDEC_MAX_MEMORIES 100000u
#define KDEC_MAX_ELEMS 1000000u
#define KDEC_MAX_DATAS 100000u
#define KDEC_MAX_FIELDS 10000u

/* KITE_ERROR_LIMIT "too many <what>" when have + more exceeds max; false. */
bool kdec_limit(kdec_reader *r, uint64_t have, uint64_t more, uint64_t max, const char *what);

/* Record out-of-memory (unless an error is already recorded); false. */
bool kdec_oom(kdec_reader *r);

/* A vector length or byte count: a u32 not larger than what is left of the
 * input ("length out of bounds"), so it can size an allocation safely. */
bool kdec_count(kdec_reader *r, uint32_t *n);

/* name ::= len:u32 bytes, valid UTF-8 ("malformed UTF-8 encoding"), copied
 * into the module arena NUL-terminated. */
bool kdec_name(kdec_reader *r, kir_module *m, kir_name *out);

/* True if the bytes are well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF). */
bool kdec_utf8_valid(const uint8_t *s, size_t len);

/*
 * Skip instructions up to and including the `end` that closes the sequence
 * starting at the reader's position (nested blocks are counted, not
 * recursed into). Used for constant expressions, and to find out what is
 * wrong with a function body whose last byte is not `end`.
 */
bool kdec_skip_code(kdec_reader *r);

/* A constant expression, up to and including its `end`. */
bool kdec_const_expr(kdec_state *d, kir_expr *out);

/* Section bodies (the reader is just past the section's size). */
bool kdec_type_section(kdec_state *d);
bool kdec_import_section(kdec_state *d);
bool kdec_function_section(kdec_state *d);
bool kdec_table_section(kdec_state *d);
bool kdec_memory_section(kdec_state *d);
bool kdec_tag_section(kdec_state *d);
bool kdec_global_section(kdec_state *d);
bool kdec_export_section(kdec_state *d);
bool kdec_start_section(kdec_state *d);
bool kdec_elem_section(kdec_state *d);
bool kdec_datacount_section(kdec_state *d);
bool kdec_code_section(kdec_state *d);
bool kdec_data_section(kdec_state *d);

/* The "name" custom section; a malformed one is ignored, not an error. */
kite_error_t *kdec_name_section(kdec_state *d);

#endif
