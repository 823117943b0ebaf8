/*
 * WAST scripts: the command layer of the spec testsuite's format. Modules
 * are not parsed here: a text module is recorded as its source span, a
 * quoted one as its concatenated text and a binary one as its bytes, so the
 * runner can feed each to the right front end (and check for the expected
 * error) when the command runs.
 */
#include "text/script.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ir/types.h"
#include "text/lexer.h"
#include "util/alloc.h"
#include "util/error.h"

typedef struct sparser {
    ktext_lexer lx;
    kscr_script *s;
    kite_error_t *err;
    const kite_allocator_t *alloc;
    /* Command list, grown with realloc and moved into the arena at the end. */
    kscr_cmd *cmds;
    size_t ncmds, cap_cmds;
    /* A stack of values under construction (argument and result lists, and
     * the alternatives of an `either`), copied into the arena per list. */
    kscr_value *vals;
    size_t nvals, cap_vals;
    /* Bytes of the string list being decoded. */
    uint8_t *bytes;
    size_t nbytes, cap_bytes;
} sparser;

static bool oom(sparser *p)
{
    p->err = kutil_error_oom();
    return false;
}

static bool fail_tok(sparser *p, const ktext_token *t, const char *fmt, ...) KITE_PRINTF(3, 4);

static bool fail_tok(sparser *p, const ktext_token *t, const char *fmt, ...)
{
    kite_position_t pos = {.has_line = true, .line = t->line, .column = t->col};
    va_list ap;
    va_start(ap, fmt);
    p->err = kutil_error_vnew(p->alloc, KITE_ERROR_MALFORMED, pos, fmt, ap);
    va_end(ap);
    return false;
}

static bool next(sparser *p, ktext_token *t)
{
    if (ktext_next(&p->lx, t))
        return true;
    p->err = p->lx.error;
    p->lx.error = NULL;
    return false;
}

static bool peek(sparser *p, ktext_token *t)
{
    if (ktext_peek(&p->lx, t))
        return true;
    p->err = p->lx.error;
    p->lx.error = NULL;
    return false;
}

static bool expect(sparser *p, ktext_tok kind, ktext_token *t, const char *what)
{
    if (!next(p, t))
        return false;
    if (t->kind != kind)
        return fail_tok(p, t, "unexpected token: expected %s", what);
    return true;
}

static bool expect_rparen(sparser *p)
{
    ktext_token t;
    return expect(p, KTEXT_RPAREN, &t, "')'");
}

/* Whether the next two tokens are '(' and the given keyword; consumes
 * nothing. */
static bool peek_sexpr(sparser *p, const char *kw, bool *yes)
{
    ktext_lexer save = p->lx;
    ktext_token t;
    *yes = false;
    if (!next(p, &t))
        return false;
    if (t.kind == KTEXT_LPAREN) {
        if (!next(p, &t))
            return false;
        *yes = ktext_tok_is(&t, kw);
    }
    p->lx = save;
    return true;
}

/* ---- strings and names --------------------------------------------------- */

static bool bytes_append(sparser *p, const ktext_token *t)
{
    if (p->cap_bytes - p->nbytes < t->len) {
        size_t cap = p->cap_bytes ? p->cap_bytes : 256;
        while (cap - p->nbytes < t->len) {
            if (cap > SIZE_MAX / 2)
                return oom(p);
            cap *= 2;
        }
        uint8_t *b = kutil_realloc(p->alloc, p->bytes, cap);
        if (!b)
            return oom(p);
        p->bytes = b;
        p->cap_bytes = cap;
    }
    size_t n;
    if (!ktext_string_decode(t, p->bytes + p->nbytes, &n))
        return fail_tok(p, t, "malformed string");
    p->nbytes += n;
    return true;
}

/* The decoded bytes gathered so far, NUL-terminated, moved to the arena. */
static uint8_t *bytes_take(sparser *p, size_t *len)
{
    uint8_t *out = kutil_arena_alloc(&p->s->arena, p->nbytes + 1);
    if (!out) {
        oom(p);
        return NULL;
    }
    if (p->nbytes)
        memcpy(out, p->bytes, p->nbytes);
    out[p->nbytes] = 0;
    *len = p->nbytes;
    p->nbytes = 0;
    return out;
}

/* A string token, decoded and NUL-terminated in the arena. */
static bool string_tok(sparser *p, const ktext_token *t, const uint8_t **out, size_t *len)
{
    if (t->kind != KTEXT_STRING)
        return fail_tok(p, t, "unexpected token: expected a string");
    p->nbytes = 0;
    if (!bytes_append(p, t))
        return false;
    *out = bytes_take(p, len);
    return *out != NULL;
}

static bool expect_string(sparser *p, const char **out)
{
    ktext_token t;
    const uint8_t *s = NULL;
    size_t len;
    if (!next(p, &t) || !string_tok(p, &t, &s, &len))
        return false;
    *out = (const char *)s;
    return true;
}

/* An id as "$name": $"..." forms are decoded, so `$"m"` and `$m` agree. */
static bool id_tok(sparser *p, const ktext_token *t, const char **out)
{
    char *s;
    if (t->len >= 2 && t->text[1] == '"') {
        s = kutil_arena_alloc(&p->s->arena, (size_t)t->len + 1);
        size_t n;
        if (!s)
            return oom(p);
        s[0] = '$';
        if (!ktext_string_decode(t, (uint8_t *)s + 1, &n))
            return fail_tok(p, t, "malformed identifier");
        s[n + 1] = 0;
    } else {
        s = kutil_arena_alloc(&p->s->arena, (size_t)t->len + 1);
        if (!s)
            return oom(p);
        memcpy(s, t->text, t->len);
        s[t->len] = 0;
    }
    *out = s;
    return true;
}

/* An optional $id. */
static bool opt_id(sparser *p, const char **out)
{
    ktext_token t;
    *out = NULL;
    if (!peek(p, &t))
        return false;
    if (t.kind != KTEXT_ID)
        return true;
    next(p, &t);
    return id_tok(p, &t, out);
}

/* ---- values -------------------------------------------------------------- */

static bool val_push(sparser *p, const kscr_value *v)
{
    if (p->nvals == p->cap_vals) {
        size_t cap = p->cap_vals ? p->cap_vals * 2 : 16;
        kscr_value *n = kutil_realloc(p->alloc, p->vals, cap * sizeof(*n));
        if (!n)
            return oom(p);
        p->vals = n;
        p->cap_vals = cap;
    }
    p->vals[p->nvals++] = *v;
    return true;
}

/* Move the values pushed since `base` into the arena. */
static bool val_take(sparser *p, size_t base, kscr_value **out, uint32_t *count)
{
    size_t n = p->nvals - base;
    *out = NULL;
    *count = (uint32_t)n;
    if (n) {
        *out = kutil_arena_dup(&p->s->arena, p->vals + base, n * sizeof(kscr_value));
        if (!*out)
            return oom(p);
    }
    p->nvals = base;
    return true;
}

/* A float literal, or in a result nan:canonical / nan:arithmetic. */
static bool float_lit(sparser *p, bool is64, bool result, kscr_nan *nan, uint64_t *bits)
{
    ktext_token t;
    if (!next(p, &t))
        return false;
    *nan = KSCR_EXACT;
    if (result && ktext_tok_is(&t, "nan:canonical")) {
        *nan = KSCR_NAN_CANONICAL;
        *bits = 0;
        return true;
    }
    if (result && ktext_tok_is(&t, "nan:arithmetic")) {
        *nan = KSCR_NAN_ARITHMETIC;
        *bits = 0;
        return true;
    }
    if (is64) {
        if (ktext_f64(&t, bits))
            return true;
    } else {
        uint32_t b;
        if (ktext_f32(&t, &b)) {
            *bits = b;
            return true;
        }
    }
    return fail_tok(p, &t, "constant out of range or malformed: %.*s", (int)t.len, t.text);
}

static bool int_lit(sparser *p, unsigned bits, uint64_t *out)
{
    ktext_token t;
    if (!next(p, &t))
        return false;
    if (!ktext_int(&t, bits, out))
        return fail_tok(p, &t, "constant out of range or malformed: %.*s", (int)t.len, t.text);
    return true;
}

static bool v128_lit(sparser *p, bool result, kscr_value *v)
{
    static const struct {
        const char *name;
        uint8_t bits;
        bool fl;
    } shapes[] = {{"i8x16", 8, false},  {"i16x8", 16, false}, {"i32x4", 32, false},
                  {"i64x2", 64, false}, {"f32x4", 32, true},  {"f64x2", 64, true}};
    ktext_token t;
    if (!next(p, &t))
        return false;
    size_t k;
    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
        if (ktext_tok_is(&t, shapes[k].name))
            break;
    if (k == sizeof(shapes) / sizeof(shapes[0]))
        return fail_tok(p, &t, "unexpected token: expected a v128 shape");
    v->lane_bits = shapes[k].bits;
    v->lane_float = shapes[k].fl;
    unsigned lanes = 128 / shapes[k].bits;
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t x;
        if (shapes[k].fl) {
            if (!float_lit(p, shapes[k].bits == 64, result, &v->lane_nan[i], &x))
                return false;
        } else if (!int_lit(p, shapes[k].bits, &x)) {
            return false;
        }
        /* lanes are stored little-endian, as in memory */
        for (unsigned b = 0; b < shapes[k].bits / 8u; b++)
            v->u.v128[i * (shapes[k].bits / 8u) + b] = (uint8_t)(x >> (8 * b));
    }
    return true;
}

static const struct {
    const char *name;
    uint32_t heap;
} heap_names[] = {
    {"func", KIR_HEAP_FUNC},     {"extern", KIR_HEAP_EXTERN},     {"any", KIR_HEAP_ANY},
    {"none", KIR_HEAP_NONE},     {"noextern", KIR_HEAP_NOEXTERN}, {"nofunc", KIR_HEAP_NOFUNC},
    {"eq", KIR_HEAP_EQ},         {"struct", KIR_HEAP_STRUCT},     {"array", KIR_HEAP_ARRAY},
    {"i31", KIR_HEAP_I31},       {"exn", KIR_HEAP_EXN},           {"noexn", KIR_HEAP_NOEXN},
};

/* Results-only reference patterns: (ref.func) etc., with an optional index. */
static const struct {
    const char *name;
    kscr_vkind kind;
} ref_patterns[] = {
    {"ref.extern", KSCR_REF_EXTERN}, {"ref.host", KSCR_REF_HOST}, {"ref.func", KSCR_REF_FUNC},
    {"ref.struct", KSCR_REF_STRUCT}, {"ref.array", KSCR_REF_ARRAY}, {"ref.i31", KSCR_REF_I31},
    {"ref.eq", KSCR_REF_EQ},         {"ref.any", KSCR_REF_ANY},     {"ref.exn", KSCR_REF_EXN},
};

static bool parse_value(sparser *p, bool result, bool allow_either, kscr_value *v);

static bool parse_either(sparser *p, kscr_value *v)
{
    size_t base = p->nvals;
    ktext_token t;
    for (;;) {
        if (!peek(p, &t))
            return false;
        if (t.kind != KTEXT_LPAREN)
            break;
        kscr_value alt;
        if (!parse_value(p, true, false, &alt) || !val_push(p, &alt))
            return false;
    }
    if (p->nvals == base)
        return fail_tok(p, &t, "unexpected token: expected a value");
    return val_take(p, base, &v->alts, &v->nalts);
}

/* One (const ...) value; `allow_either` keeps `either` from nesting. */
static bool parse_value(sparser *p, bool result, bool allow_either, kscr_value *v)
{
    ktext_token t, kw;
    memset(v, 0, sizeof(*v));
    if (!expect(p, KTEXT_LPAREN, &t, "'('") || !expect(p, KTEXT_KEYWORD, &kw, "a value"))
        return false;
    uint64_t x;
    if (ktext_tok_is(&kw, "i32.const")) {
        v->kind = KSCR_I32;
        if (!int_lit(p, 32, &x))
            return false;
        v->u.i32 = (uint32_t)x;
    } else if (ktext_tok_is(&kw, "i64.const")) {
        v->kind = KSCR_I64;
        if (!int_lit(p, 64, &v->u.i64))
            return false;
    } else if (ktext_tok_is(&kw, "f32.const")) {
        v->kind = KSCR_F32;
        if (!float_lit(p, false, result, &v->nan, &x))
            return false;
        v->u.f32 = (uint32_t)x;
    } else if (ktext_tok_is(&kw, "f64.const")) {
        v->kind = KSCR_F64;
        if (!float_lit(p, true, result, &v->nan, &v->u.f64))
            return false;
    } else if (ktext_tok_is(&kw, "v128.const")) {
        v->kind = KSCR_V128;
        if (!v128_lit(p, result, v))
            return false;
    } else if (ktext_tok_is(&kw, "ref.null")) {
        v->kind = KSCR_REF_NULL;
        if (!peek(p, &t))
            return false;
        if (t.kind == KTEXT_KEYWORD) {
            size_t k;
            for (k = 0; k < sizeof(heap_names) / sizeof(heap_names[0]); k++)
                if (ktext_tok_is(&t, heap_names[k].name))
                    break;
            if (k == sizeof(heap_names) / sizeof(heap_names[0]))
                return fail_tok(p, &t, "unknown heap type %.*s", (int)t.len, t.text);
            v->heap = heap_names[k].heap;
            next(p, &t);
        }
    } else if (allow_either && result && ktext_tok_is(&kw, "either")) {
        v->kind = KSCR_EITHER;
        if (!parse_either(p, v))
            return false;
    } else {
        size_t k;
        for (k = 0; k < sizeof(ref_patterns) / sizeof(ref_patterns[0]); k++)
            if (ktext_tok_is(&kw, ref_patterns[k].name))
                break;
        if (k == sizeof(ref_patterns) / sizeof(ref_patterns[0]))
            return fail_tok(p, &kw, "unexpected token: unknown value %.*s", (int)kw.len, kw.text);
        v->kind = ref_patterns[k].kind;
        if (!result && v->kind != KSCR_REF_EXTERN && v->kind != KSCR_REF_HOST)
            return fail_tok(p, &kw, "%.*s is only allowed in results", (int)kw.len, kw.text);
        if (!peek(p, &t))
            return false;
        if (t.kind == KTEXT_NAT) {
            next(p, &t);
            if (!ktext_nat(&t, 32, &x))
                return fail_tok(p, &t, "constant out of range");
            v->has_index = true;
            v->index = (uint32_t)x;
        } else if (v->kind == KSCR_REF_HOST || (!result && v->kind == KSCR_REF_EXTERN)) {
            return fail_tok(p, &t, "unexpected token: expected a reference index");
        }
    }
    return expect_rparen(p);
}

/* Values until the closing ')' of the enclosing command (not consumed). */
static bool parse_values(sparser *p, bool result, kscr_value **out, uint32_t *count)
{
    size_t base = p->nvals;
    for (;;) {
        ktext_token t;
        if (!peek(p, &t))
            return false;
        if (t.kind != KTEXT_LPAREN)
            break;
        kscr_value v;
        if (!parse_value(p, result, true, &v) || !val_push(p, &v))
            return false;
    }
    return val_take(p, base, out, count);
}

/* ---- modules and actions ------------------------------------------------- */

/* Strings up to the closing ')' (consumed), decoded and concatenated. */
static bool string_list(sparser *p)
{
    p->nbytes = 0;
    for (;;) {
        ktext_token t;
        if (!next(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        if (t.kind != KTEXT_STRING)
            return fail_tok(p, &t, "unexpected token: expected a string");
        if (!bytes_append(p, &t))
            return false;
    }
}

/*
 * A module whose '(' (open) and `module` keyword were read: the rest
 * through its ')'. For a text module only the span is kept.
 */
static bool parse_module(sparser *p, const ktext_token *open, kscr_module *m)
{
    ktext_token t;
    memset(m, 0, sizeof(*m));
    if (!peek(p, &t))
        return false;
    if (ktext_tok_is(&t, "definition")) {
        m->definition = true;
        next(p, &t);
    }
    if (!opt_id(p, &m->id) || !peek(p, &t))
        return false;
    if (ktext_tok_is(&t, "binary") || ktext_tok_is(&t, "quote")) {
        bool bin = ktext_tok_is(&t, "binary");
        next(p, &t);
        if (!string_list(p))
            return false;
        size_t len;
        uint8_t *b = bytes_take(p, &len);
        if (!b)
            return false;
        m->kind = bin ? KSCR_MOD_BINARY : KSCR_MOD_QUOTE;
        m->len = len;
        if (bin)
            m->bytes = b;
        else
            m->text = (const char *)b;
        m->line = 1;
        m->col = 1;
        return true;
    }
    if (!ktext_skip_sexpr(&p->lx)) {
        p->err = p->lx.error;
        p->lx.error = NULL;
        return false;
    }
    m->kind = KSCR_MOD_TEXT;
    m->text = open->text;
    m->len = (size_t)(p->lx.cur - open->text);
    m->line = open->line;
    m->col = open->col;
    return true;
}

/* An action whose keyword (invoke or get) was read, through its ')'. */
static bool parse_action_rest(sparser *p, const ktext_token *kw, kscr_action *a)
{
    ktext_token t;
    memset(a, 0, sizeof(*a));
    a->kind = ktext_tok_is(kw, "invoke") ? KSCR_INVOKE : KSCR_GET;
    if (!opt_id(p, &a->module) || !next(p, &t) || !string_tok(p, &t, &a->name, &a->name_len))
        return false;
    if (a->kind == KSCR_INVOKE && !parse_values(p, false, &a->args, &a->nargs))
        return false;
    return expect_rparen(p);
}

/* "(invoke ...)" or "(get ...)". */
static bool parse_action(sparser *p, kscr_action *a)
{
    ktext_token t, kw;
    if (!expect(p, KTEXT_LPAREN, &t, "'('") || !expect(p, KTEXT_KEYWORD, &kw, "an action"))
        return false;
    if (!ktext_tok_is(&kw, "invoke") && !ktext_tok_is(&kw, "get"))
        return fail_tok(p, &kw, "unexpected token: expected invoke or get");
    return parse_action_rest(p, &kw, a);
}

/* After "(module instance": the names of the instance and of the
 * definition, both optional (one name is the definition's), and ')'. */
static bool parse_instance_rest(sparser *p, kscr_cmd *c)
{
    const char *a, *b;
    if (!opt_id(p, &a) || !opt_id(p, &b))
        return false;
    c->instantiates_def = true;
    c->instance_id = b ? a : NULL;
    c->reg_module = b ? b : a;
    return expect_rparen(p);
}

/* "(module ...)" inside an assertion; with `instance` true also
 * "(module instance ...)" (assert_unlinkable, assert_trap), where a
 * module definition is misplaced. */
static bool parse_nested_module(sparser *p, kscr_cmd *c, bool instance)
{
    ktext_token open, kw, t;
    if (!expect(p, KTEXT_LPAREN, &open, "'('") || !expect(p, KTEXT_KEYWORD, &kw, "module") ||
        !peek(p, &t))
        return false;
    if (!ktext_tok_is(&kw, "module"))
        return fail_tok(p, &kw, "unexpected token: expected module");
    if (instance && ktext_tok_is(&t, "instance")) {
        next(p, &t);
        return parse_instance_rest(p, c);
    }
    if (instance && ktext_tok_is(&t, "definition"))
        return fail_tok(p, &t, "misplaced module definition");
    c->has_module = true;
    return parse_module(p, &open, &c->module);
}

/* ---- commands ------------------------------------------------------------ */

static const struct {
    const char *name;
    kscr_cmd_kind kind;
} module_asserts[] = {
    {"assert_invalid", KSCR_CMD_ASSERT_INVALID},
    {"assert_malformed", KSCR_CMD_ASSERT_MALFORMED},
    {"assert_unlinkable", KSCR_CMD_ASSERT_UNLINKABLE},
    {"assert_uninstantiable", KSCR_CMD_ASSERT_UNINSTANTIABLE},
    {"assert_invalid_custom", KSCR_CMD_ASSERT_INVALID_CUSTOM},
    {"assert_malformed_custom", KSCR_CMD_ASSERT_MALFORMED_CUSTOM},
};

static bool parse_module_cmd(sparser *p, const ktext_token *open, kscr_cmd *c)
{
    ktext_token t;
    if (!peek(p, &t))
        return false;
    if (ktext_tok_is(&t, "instance")) {
        next(p, &t);
        c->kind = KSCR_CMD_MODULE_INSTANCE;
        return parse_instance_rest(p, c);
    }
    c->kind = KSCR_CMD_MODULE;
    c->has_module = true;
    return parse_module(p, open, &c->module);
}

static bool parse_command(sparser *p, const ktext_token *open, kscr_cmd *c)
{
    ktext_token kw;
    bool yes;
    memset(c, 0, sizeof(*c));
    c->line = open->line;
    c->col = open->col;
    if (!expect(p, KTEXT_KEYWORD, &kw, "a command"))
        return false;
    if (ktext_tok_is(&kw, "module"))
        return parse_module_cmd(p, open, c);
    if (ktext_tok_is(&kw, "wait")) {
        c->kind = KSCR_CMD_WAIT;
        return opt_id(p, &c->instance_id) && expect_rparen(p);
    }
    if (ktext_tok_is(&kw, "register")) {
        c->kind = KSCR_CMD_REGISTER;
        return expect_string(p, &c->reg_name) && opt_id(p, &c->reg_module) &&
               expect_rparen(p);
    }
    if (ktext_tok_is(&kw, "invoke") || ktext_tok_is(&kw, "get")) {
        c->kind = KSCR_CMD_ACTION;
        c->has_action = true;
        return parse_action_rest(p, &kw, &c->action);
    }
    if (ktext_tok_is(&kw, "assert_return")) {
        c->kind = KSCR_CMD_ASSERT_RETURN;
        c->has_action = true;
        return parse_action(p, &c->action) &&
               parse_values(p, true, &c->results, &c->nresults) && expect_rparen(p);
    }
    if (ktext_tok_is(&kw, "assert_trap")) {
        c->kind = KSCR_CMD_ASSERT_TRAP;
        if (!peek_sexpr(p, "module", &yes))
            return false;
        if (yes) {
            if (!parse_nested_module(p, c, true))
                return false;
        } else {
            c->has_action = true;
            if (!parse_action(p, &c->action))
                return false;
        }
        return expect_string(p, &c->message) && expect_rparen(p);
    }
    if (ktext_tok_is(&kw, "assert_exhaustion")) {
        c->kind = KSCR_CMD_ASSERT_EXHAUSTION;
        c->has_action = true;
        return parse_action(p, &c->action) && expect_string(p, &c->message) &&
               expect_rparen(p);
    }
    if (ktext_tok_is(&kw, "assert_exception")) {
        c->kind = KSCR_CMD_ASSERT_EXCEPTION;
        c->has_action = true;
        return parse_action(p, &c->action) && expect_rparen(p);
    }
    for (size_t k = 0; k < sizeof(module_asserts) / sizeof(module_asserts[0]); k++) {
        if (ktext_tok_is(&kw, module_asserts[k].name)) {
            c->kind = module_asserts[k].kind;
            bool instance = c->kind == KSCR_CMD_ASSERT_UNLINKABLE ||
                            c->kind == KSCR_CMD_ASSERT_UNINSTANTIABLE;
            return parse_nested_module(p, c, instance) && expect_string(p, &c->message) &&
                   expect_rparen(p);
        }
    }
    return fail_tok(p, &kw, "unknown command %.*s", (int)kw.len, kw.text);
}

static bool cmd_push(sparser *p, const kscr_cmd *c);

/* (shared (module $id)*) of a thread, '(' and `shared` read; ids appended. */
static bool parse_shared(sparser *p, const char ***ids, uint32_t *n)
{
    for (;;) {
        ktext_token t, kw;
        if (!next(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            return true;
        const char *id;
        if (t.kind != KTEXT_LPAREN || !expect(p, KTEXT_KEYWORD, &kw, "module"))
            return fail_tok(p, &t, "unexpected token: expected (module $id)");
        if (!ktext_tok_is(&kw, "module"))
            return fail_tok(p, &kw, "unexpected token: expected module");
        if (!opt_id(p, &id) || !expect_rparen(p))
            return false;
        if (!id)
            return fail_tok(p, &kw, "unexpected token: expected a module id");
        const char **grown = kutil_arena_alloc(&p->s->arena, (*n + 1) * sizeof(*grown));
        if (!grown)
            return oom(p);
        if (*n)
            memcpy(grown, *ids, *n * sizeof(*grown));
        grown[(*n)++] = id;
        *ids = grown;
    }
}

static bool parse_one(sparser *p, const ktext_token *open);

/* (thread $t (shared ...)* cmd*), '(' read: the thread command, then its body. */
static bool parse_thread(sparser *p, const ktext_token *open)
{
    ktext_token kw, t;
    kscr_cmd c;
    memset(&c, 0, sizeof(c));
    c.kind = KSCR_CMD_THREAD;
    c.line = open->line;
    c.col = open->col;
    next(p, &kw);
    if (!opt_id(p, &c.instance_id))
        return false;
    for (;;) {
        bool yes;
        if (!peek_sexpr(p, "shared", &yes))
            return false;
        if (!yes)
            break;
        next(p, &t);
        next(p, &t);
        if (!parse_shared(p, &c.shared, &c.nshared))
            return false;
    }
    size_t at = p->ncmds;
    if (!cmd_push(p, &c))
        return false;
    for (;;) {
        if (!next(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            break;
        if (t.kind != KTEXT_LPAREN)
            return fail_tok(p, &t, "unexpected token: expected a command or ')'");
        if (!parse_one(p, &t))
            return false;
    }
    if (p->ncmds - at - 1 > UINT32_MAX)
        return oom(p);
    p->cmds[at].nbody = (uint32_t)(p->ncmds - at - 1);
    return true;
}

/* One command, '(' read (a thread pushes its body too). */
static bool parse_one(sparser *p, const ktext_token *open)
{
    ktext_token kw;
    if (!peek(p, &kw))
        return false;
    if (ktext_tok_is(&kw, "thread"))
        return parse_thread(p, open);
    kscr_cmd c;
    return parse_command(p, open, &c) && cmd_push(p, &c);
}

static bool cmd_push(sparser *p, const kscr_cmd *c)
{
    if (p->ncmds == p->cap_cmds) {
        size_t cap = p->cap_cmds ? p->cap_cmds * 2 : 64;
        kscr_cmd *n = kutil_realloc(p->alloc, p->cmds, cap * sizeof(*n));
        if (!n)
            return oom(p);
        p->cmds = n;
        p->cap_cmds = cap;
    }
    p->cmds[p->ncmds++] = *c;
    return true;
}

/*
 * The spec's inline module: a script that is just module fields, e.g.
 * "(func) (memory 0)", is one text module spanning the whole source.
 */
static bool inline_module(sparser *p, bool *yes)
{
    static const char *const fields[] = {"type", "rec",  "import", "func", "table", "memory",
                                         "global", "export", "start", "elem", "data", "tag"};
    *yes = false;
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]) && !*yes; k++)
        if (!peek_sexpr(p, fields[k], yes))
            return false;
    if (!*yes)
        return true;
    kscr_cmd c;
    memset(&c, 0, sizeof(c));
    c.kind = KSCR_CMD_MODULE;
    c.line = c.col = 1;
    c.has_module = true;
    c.module.kind = KSCR_MOD_TEXT;
    c.module.text = p->lx.src;
    c.module.len = (size_t)(p->lx.end - p->lx.src);
    c.module.line = c.module.col = 1;
    p->lx.cur = p->lx.end;
    return cmd_push(p, &c);
}

static bool parse_script(sparser *p)
{
    bool inl;
    if (!inline_module(p, &inl))
        return false;
    for (;;) {
        ktext_token t;
        if (!next(p, &t))
            return false;
        if (t.kind == KTEXT_EOF)
            break;
        if (t.kind != KTEXT_LPAREN)
            return fail_tok(p, &t, "unexpected token: expected '('");
        if (!parse_one(p, &t))
            return false;
    }
    if (p->ncmds > UINT32_MAX)
        return oom(p);
    p->s->ncmds = (uint32_t)p->ncmds;
    if (p->ncmds) {
        p->s->cmds = kutil_arena_dup(&p->s->arena, p->cmds, p->ncmds * sizeof(kscr_cmd));
        if (!p->s->cmds)
            return oom(p);
    }
    return true;
}

kite_error_t *kscr_parse(const kite_allocator_t *alloc, const char *src, size_t len,
                         kscr_script **out)
{
    *out = NULL;
    kscr_script *s = kutil_malloc(alloc, sizeof(*s));
    if (!s)
        return kutil_error_oom();
    memset(s, 0, sizeof(*s));
    kutil_arena_init(&s->arena, alloc);
    sparser p;
    memset(&p, 0, sizeof(p));
    p.s = s;
    p.alloc = alloc;
    ktext_lexer_init(&p.lx, alloc, src, len, 1, 1);
    bool ok = parse_script(&p);
    kutil_free(alloc, p.cmds);
    kutil_free(alloc, p.vals);
    kutil_free(alloc, p.bytes);
    if (!ok) {
        kscr_free(s);
        return p.err ? p.err : kutil_error_oom();
    }
    *out = s;
    return NULL;
}

void kscr_free(kscr_script *script)
{
    if (!script)
        return;
    const kite_allocator_t *alloc = script->arena.alloc;
    kutil_arena_release(&script->arena);
    kutil_free(alloc, script);
}
