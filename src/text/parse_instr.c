/*
 * WAT instructions to the binary instruction encoding.
 *
 * Instructions come plain (`i32.add`, `block ... end`) or folded
 * (`(i32.add (a) (b))`, `(if (cond) (then ...) (else ...))`), mixed freely
 * and nested to any depth. Nesting is tracked on an explicit stack of frames
 * (never the C stack), one per open construct:
 *
 *   FK_ROOT   the expression itself, ended by `)` (or one folded instruction)
 *   FK_FOLD   a folded plain instruction: its opcode and immediates wait in
 *             the pending buffer until its operands have been emitted
 *   FK_BLOCK  block / loop / try_table, plain or folded
 *   FK_IF     if; folded, its `if` and block type wait in the pending
 *             buffer while the condition operands are emitted
 *   FK_TRY    legacy try with its do / catch / catch_all / delegate clauses
 *
 * Pending bytes form a stack as well: a frame's bytes start at frame.pend
 * and everything above belongs to frames nested inside it, which are closed
 * (and flushed) first.
 *
 * Immediates follow the opcode table's immediate kind; only instructions
 * whose text syntax differs from their binary immediates are special-cased
 * (select, ref.test/ref.cast nullability, call_indirect, optional indices).
 */
#include <string.h>

#include "text/numlit.h"
#include "text/parse_int.h"
#include "util/alloc.h"
#include "util/error.h"

enum frame_kind { FK_ROOT, FK_FOLD, FK_BLOCK, FK_IF, FK_TRY };

enum frame_state {
    ST_BODY,           /* instructions: root, block body */
    ST_THEN,           /* if: then branch (instructions) */
    ST_ELSE,           /* if: else branch (instructions) */
    ST_DO,             /* try: protected body (instructions) */
    ST_CATCH,          /* try: catch body (instructions) */
    ST_CATCH_ALL,      /* try: catch_all body (instructions) */
    ST_OPERANDS,       /* folded plain instruction: folded operands or `)` */
    ST_COND,           /* folded if: folded condition operands, then `(then` */
    ST_AFTER_THEN,     /* folded if: `(else` or `)` */
    ST_AFTER_ELSE,     /* folded if: `)` */
    ST_NEED_DO,        /* folded try: `(do` */
    ST_AFTER_CLAUSE,   /* folded try: `(catch`, `(catch_all`, `(delegate` or `)` */
    ST_AFTER_DELEGATE, /* folded try: `)` */
};

static bool is_body_state(uint8_t st)
{
    return st <= ST_CATCH_ALL;
}

/* ---- frames, labels, source positions ----------------------------------- */

static ktext_frame *push_frame(ktext_parser *p, uint8_t kind, uint8_t state, bool folded,
                               const ktext_token *at)
{
    if (p->nframes == p->frame_cap) {
        uint32_t cap = p->frame_cap ? p->frame_cap * 2 : 64;
        if (cap > (1u << 26)) {
            ktext_oom(p);
            return NULL;
        }
        ktext_frame *n = kutil_realloc(p->alloc, p->frames, (size_t)cap * sizeof(*n));
        if (!n) {
            ktext_oom(p);
            return NULL;
        }
        p->frames = n;
        p->frame_cap = cap;
    }
    ktext_frame *f = &p->frames[p->nframes++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->state = state;
    f->folded = folded;
    f->pend = (uint32_t)p->pending.len;
    f->else_at = UINT32_MAX;
    if (at) {
        f->line = at->line;
        f->col = at->col;
    }
    return f;
}

/* Record that the instruction about to be emitted into p->code comes from
 * line:col (instruction offsets only grow, so srcpos stays sorted). */
static bool mark(ktext_parser *p, uint32_t line, uint32_t col)
{
    kir_srcpos *s = KIR_PUSH(p->m, p->m->srcpos, p->m->nsrcpos);
    if (!s)
        return ktext_oom(p);
    s->offset = p->vpos + (uint32_t)p->code.len;
    s->line = line;
    s->col = col;
    return true;
}

static bool mark_tok(ktext_parser *p, const ktext_token *t)
{
    return mark(p, t->line, t->col);
}

/*
 * Labels: the identifier map holds, for each label name in scope, the
 * nesting level of its innermost block; a block shadowing an outer label
 * keeps the outer level and restores it when it closes. Lookups are
 * constant time whatever the nesting depth.
 */
static bool label_push(ktext_parser *p, ktext_frame *f)
{
    uint32_t level = p->label_depth++;
    if (!f->has_name)
        return true;
    if (!ktext_sym_get(p, KTEXT_SP_LABEL, 0, f->name, &f->saved))
        f->saved = KIR_NONE;
    return ktext_sym_set(p, KTEXT_SP_LABEL, 0, f->name, level);
}

static bool label_pop(ktext_parser *p, ktext_frame *f)
{
    p->label_depth--;
    if (!f->has_name)
        return true;
    return ktext_sym_set(p, KTEXT_SP_LABEL, 0, f->name, f->saved);
}

/* A label use: a relative depth, or an identifier of an enclosing block. */
static bool label_idx(ktext_parser *p, const ktext_token *t, uint32_t *out)
{
    if (t->kind != KTEXT_ID)
        return ktext_resolve(p, KTEXT_SP_LABEL, 0, t, out);
    ktext_name n;
    uint32_t level;
    if (!ktext_id_name(p, t, &n))
        return false;
    if (!ktext_sym_get(p, KTEXT_SP_LABEL, 0, n, &level)) {
        int len = t->len > 60 ? 60 : (int)t->len;
        return ktext_fail(p, t, "unknown label %.*s", len, t->text);
    }
    *out = p->label_depth - 1 - level;
    return true;
}

static bool label_imm(ktext_parser *p, ktext_buf *b)
{
    ktext_token t;
    uint32_t x;
    return ktext_get(p, &t) && label_idx(p, &t, &x) && ktext_u64(p, b, x);
}

/* The optional label identifier after block, loop, if, try, try_table. */
static bool block_name(ktext_parser *p, bool *has, ktext_name *name)
{
    ktext_token t;
    *has = false;
    if (!ktext_look(p, &t))
        return false;
    if (t.kind != KTEXT_ID)
        return true;
    *has = true;
    return ktext_get(p, &t) && ktext_id_name(p, &t, name);
}

/* `end $l` / `else $l`: the identifier must repeat the block's label. */
static bool check_end_label(ktext_parser *p, const ktext_frame *f)
{
    ktext_token t;
    ktext_name n;
    if (!ktext_look(p, &t))
        return false;
    if (t.kind != KTEXT_ID)
        return true;
    if (!ktext_get(p, &t) || !ktext_id_name(p, &t, &n))
        return false;
    if (!f->has_name || n.len != f->name.len || memcmp(n.ptr, f->name.ptr, n.len) != 0)
        return ktext_fail(p, &t, "mismatching label");
    return true;
}

/* ---- immediates ---------------------------------------------------------- */

/* blocktype: empty (0x40), one value type, or a type index as s33. */
static bool blocktype(ktext_parser *p, ktext_buf *b)
{
    ktext_typeuse tu;
    uint32_t idx;
    if (!ktext_parse_typeuse(p, false, &tu))
        return false;
    if (!tu.has_type && tu.nparams == 0) {
        if (tu.nresults == 0)
            return ktext_byte(p, b, 0x40);
        if (tu.nresults == 1)
            return ktext_valtype_enc(p, b, p->vt[0]);
    }
    return ktext_typeuse_index(p, &tu, &idx) && ktext_s64(p, b, (int64_t)idx);
}

/* try_table handlers: (catch x l) (catch_ref x l) (catch_all l)
 * (catch_all_ref l), labels resolved outside the try_table's own label. */
static bool try_catches(ktext_parser *p, ktext_buf *b)
{
    static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
    uint32_t n = 0;
    p->scratch.len = 0;
    for (;;) {
        ktext_token t1, t2;
        uint32_t x;
        unsigned kind = 4;
        if (!ktext_look2(p, &t1, &t2))
            return false;
        if (t1.kind != KTEXT_LPAREN)
            break;
        for (unsigned i = 0; i < 4; i++)
            if (ktext_is_kw(&t2, kinds[i]))
                kind = i;
        if (kind == 4)
            break;
        if (!ktext_get(p, &t1) || !ktext_get(p, &t2) ||
            !ktext_byte(p, &p->scratch, (uint8_t)kind))
            return false;
        if (kind < 2 && (!ktext_idx(p, KTEXT_SP_TAG, 0, &x) || !ktext_u64(p, &p->scratch, x)))
            return false;
        if (!label_imm(p, &p->scratch) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
        n++;
    }
    return ktext_u64(p, b, n) && ktext_bytes(p, b, p->scratch.data, p->scratch.len);
}

/* An optional pair of indices (table.copy, memory.copy): none or both. */
static bool opt_pair(ktext_parser *p, ktext_space sp, ktext_buf *b)
{
    uint32_t x = 0, y = 0;
    bool present;
    if (!ktext_opt_idx(p, sp, 0, &x, &present))
        return false;
    if (present && !ktext_idx(p, sp, 0, &y))
        return false;
    return ktext_u64(p, b, x) && ktext_u64(p, b, y);
}

/* table.init / memory.init: `x y` (first is the table/memory) or just `y`;
 * the binary order is segment index, then table/memory index. */
static bool seg_and_target(ktext_parser *p, ktext_space target, ktext_space seg, ktext_buf *b)
{
    ktext_token t1, t2;
    uint32_t x = 0, y;
    if (!ktext_get(p, &t1) || !ktext_look(p, &t2))
        return false;
    if (ktext_is_idx_tok(&t2)) {
        if (!ktext_resolve(p, target, 0, &t1, &x) || !ktext_get(p, &t2) ||
            !ktext_resolve(p, seg, 0, &t2, &y))
            return false;
    } else if (!ktext_resolve(p, seg, 0, &t1, &y)) {
        return false;
    }
    return ktext_u64(p, b, y) && ktext_u64(p, b, x);
}

static bool opt_idx_imm(ktext_parser *p, ktext_space sp, ktext_buf *b)
{
    uint32_t x = 0;
    bool present;
    return ktext_opt_idx(p, sp, 0, &x, &present) && ktext_u64(p, b, x);
}

static bool idx_imm(ktext_parser *p, ktext_space sp, uint32_t scope, ktext_buf *b)
{
    uint32_t x;
    return ktext_idx(p, sp, scope, &x) && ktext_u64(p, b, x);
}

static bool kw_prefix(const ktext_token *t, const char *prefix, size_t n)
{
    return t->kind == KTEXT_KEYWORD && t->len > n && memcmp(t->text, prefix, n) == 0;
}

/* The number after offset= / align= (a keyword whose suffix is no natural
 * number is an unknown keyword altogether). */
static bool memarg_value(ktext_parser *p, const ktext_token *t, size_t skip, uint64_t *v)
{
    ktext_token n = *t;
    ktext_numsyn syn;
    n.kind = KTEXT_NAT;
    n.text += skip;
    n.len -= (uint32_t)skip;
    if (ktext_numscan(n.text, n.len, &syn) != KTEXT_NAT)
        return ktext_unexpected(p, t);
    if (!ktext_nat(&n, 64, v))
        return ktext_fail(p, t, "i64 constant out of range");
    return true;
}

static unsigned log2_u64(uint64_t v)
{
    unsigned n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

/* offset=N? align=N?, then the encoded memarg: alignment exponent (with
 * bit 6 set when a memory index follows), memory index, offset. */
static bool memarg_tail(ktext_parser *p, ktext_buf *b, uint32_t mem, unsigned width)
{
    ktext_token t;
    uint64_t offset = 0, align = width ? log2_u64(width) : 0, v;
    if (!ktext_look(p, &t))
        return false;
    if (kw_prefix(&t, "offset=", 7)) {
        if (!ktext_get(p, &t) || !memarg_value(p, &t, 7, &offset) || !ktext_look(p, &t))
            return false;
    }
    if (kw_prefix(&t, "align=", 6)) {
        if (!ktext_get(p, &t) || !memarg_value(p, &t, 6, &v))
            return false;
        if (v == 0 || (v & (v - 1)) != 0)
            return ktext_fail(p, &t, "alignment must be a power of two");
        align = log2_u64(v);
    }
    if (!ktext_u64(p, b, align | (mem ? 0x40 : 0)))
        return false;
    if (mem && !ktext_u64(p, b, mem))
        return false;
    return ktext_u64(p, b, offset);
}

static bool lane_imm(ktext_parser *p, ktext_buf *b)
{
    ktext_token t;
    uint64_t v;
    return ktext_nat_tok(p, 8, &t, &v) && ktext_byte(p, b, (uint8_t)v);
}

/* v128.load8_lane etc.: memidx? offset=? align=? lane. A leading number is
 * the memory index only when more immediates follow it. */
static bool memarg_lane(ktext_parser *p, ktext_buf *b, unsigned width)
{
    ktext_token t1, t2;
    uint32_t mem = 0;
    if (!ktext_look2(p, &t1, &t2))
        return false;
    if (t1.kind == KTEXT_ID ||
        (t1.kind == KTEXT_NAT && (t2.kind == KTEXT_NAT || kw_prefix(&t2, "offset=", 7) ||
                                  kw_prefix(&t2, "align=", 6)))) {
        if (!ktext_idx(p, KTEXT_SP_MEMORY, 0, &mem))
            return false;
    }
    return memarg_tail(p, b, mem, width) && lane_imm(p, b);
}

static bool is_num_tok(const ktext_token *t)
{
    return t->kind == KTEXT_NAT || t->kind == KTEXT_INT || t->kind == KTEXT_FLOAT;
}

static bool num_tok(ktext_parser *p, ktext_token *t)
{
    if (!ktext_get(p, t))
        return false;
    if (!is_num_tok(t))
        return ktext_unexpected(p, t);
    return true;
}

static bool int_imm(ktext_parser *p, ktext_buf *b, unsigned bits)
{
    ktext_token t;
    uint64_t v;
    if (!num_tok(p, &t))
        return false;
    if (!ktext_int(&t, bits, &v))
        return ktext_fail(p, &t, "constant out of range");
    int64_t s = bits == 32 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
    return ktext_s64(p, b, s);
}

static void put_le(uint8_t *dst, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        dst[i] = (uint8_t)(v >> (8 * i));
}

static bool float_imm(ktext_parser *p, ktext_buf *b, unsigned bits)
{
    ktext_token t;
    uint8_t out[8];
    if (!num_tok(p, &t))
        return false;
    if (bits == 32) {
        uint32_t v;
        if (!ktext_f32(&t, &v))
            return ktext_fail(p, &t, "constant out of range");
        put_le(out, v, 4);
    } else {
        uint64_t v;
        if (!ktext_f64(&t, &v))
            return ktext_fail(p, &t, "constant out of range");
        put_le(out, v, 8);
    }
    return ktext_bytes(p, b, out, bits / 8);
}

/* Numeric tokens that follow (v128.const lanes, shuffle lanes): up to 16
 * are kept, all are counted. */
static bool num_list(ktext_parser *p, ktext_token lanes[16], uint32_t *count)
{
    ktext_token t;
    *count = 0;
    for (;;) {
        if (!ktext_look(p, &t))
            return false;
        if (!is_num_tok(&t))
            return true;
        if (!ktext_get(p, &t))
            return false;
        if (*count < 16)
            lanes[*count] = t;
        if (*count < UINT32_MAX)
            (*count)++;
    }
}

static bool v128_imm(ktext_parser *p, ktext_buf *b)
{
    static const struct {
        const char *name;
        unsigned lanes, bits;
        bool is_float;
    } shapes[] = {
        {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
        {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true},
    };
    ktext_token shape, lanes[16];
    uint32_t count;
    uint8_t out[16];
    unsigned s = 6;
    if (!ktext_get(p, &shape))
        return false;
    for (unsigned i = 0; i < 6; i++)
        if (ktext_is_kw(&shape, shapes[i].name))
            s = i;
    if (s == 6)
        return ktext_unexpected(p, &shape);
    if (!num_list(p, lanes, &count))
        return false;
    if (count != shapes[s].lanes)
        return ktext_fail(p, &shape, "wrong number of lane literals");
    unsigned bytes = shapes[s].bits / 8;
    for (unsigned i = 0; i < count; i++) {
        uint64_t v;
        bool ok;
        if (!shapes[s].is_float) {
            ok = ktext_int(&lanes[i], shapes[s].bits, &v);
        } else if (shapes[s].bits == 32) {
            uint32_t f;
            ok = ktext_f32(&lanes[i], &f);
            v = f;
        } else {
            ok = ktext_f64(&lanes[i], &v);
        }
        if (!ok)
            return ktext_fail(p, &lanes[i], "constant out of range");
        put_le(out + i * bytes, v, bytes);
    }
    return ktext_bytes(p, b, out, 16);
}

static bool shuffle_imm(ktext_parser *p, ktext_buf *b, const ktext_token *op)
{
    ktext_token lanes[16];
    uint32_t count;
    uint8_t out[16];
    if (!num_list(p, lanes, &count))
        return false;
    if (count != 16)
        return ktext_fail(p, count ? &lanes[0] : op, "invalid lane length");
    for (unsigned i = 0; i < 16; i++) {
        uint64_t v;
        if (!ktext_nat(&lanes[i], 8, &v))
            return ktext_fail(p, &lanes[i], "i8 constant out of range");
        out[i] = (uint8_t)v;
    }
    return ktext_bytes(p, b, out, 16);
}

/* select, or typed select when (result t*) clauses follow. */
static bool select_instr(ktext_parser *p, ktext_buf *b)
{
    bool yes;
    p->nvt = 0;
    uint32_t n = 0;
    bool typed = false;
    for (;;) {
        if (!ktext_take_sexpr(p, "result", &yes))
            return false;
        if (!yes)
            break;
        typed = true;
        for (;;) {
            ktext_token t;
            kir_valtype vt;
            if (!ktext_look(p, &t))
                return false;
            if (t.kind == KTEXT_RPAREN) {
                if (!ktext_get(p, &t))
                    return false;
                break;
            }
            if (!ktext_valtype(p, &vt) || !ktext_vt_push(p, vt))
                return false;
            n++;
        }
    }
    if (!typed)
        return ktext_op(p, b, KIR_OP_SELECT);
    if (!ktext_op(p, b, KIR_OP_SELECT_T) || !ktext_u64(p, b, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!ktext_valtype_enc(p, b, p->vt[i]))
            return false;
    return true;
}

/* ref.test / ref.cast take a reference type; its nullability picks the
 * opcode. */
static bool ref_cast_instr(ktext_parser *p, kir_op op, ktext_buf *b)
{
    kir_valtype rt;
    if (!ktext_reftype(p, &rt))
        return false;
    if (kir_vt_nullable(rt))
        op = op == KIR_OP_REF_TEST ? KIR_OP_REF_TEST_NULL : KIR_OP_REF_CAST_NULL;
    return ktext_op(p, b, op) && ktext_heaptype_enc(p, b, rt);
}

static bool br_on_cast_imm(ktext_parser *p, ktext_buf *b)
{
    ktext_token t;
    uint32_t l;
    kir_valtype rt1, rt2;
    if (!ktext_get(p, &t) || !label_idx(p, &t, &l) || !ktext_reftype(p, &rt1) ||
        !ktext_reftype(p, &rt2))
        return false;
    uint8_t flags = (uint8_t)((kir_vt_nullable(rt1) ? 1 : 0) | (kir_vt_nullable(rt2) ? 2 : 0));
    return ktext_byte(p, b, flags) && ktext_u64(p, b, l) && ktext_heaptype_enc(p, b, rt1) &&
           ktext_heaptype_enc(p, b, rt2);
}

static bool br_table_imm(ktext_parser *p, ktext_buf *b, const ktext_token *op)
{
    uint32_t n = 0;
    p->scratch.len = 0;
    for (;;) {
        ktext_token t;
        uint32_t x;
        if (!ktext_look(p, &t))
            return false;
        if (!ktext_is_idx_tok(&t))
            break;
        if (!ktext_get(p, &t) || !label_idx(p, &t, &x) || !ktext_u64(p, &p->scratch, x))
            return false;
        n++;
    }
    if (n == 0) {
        ktext_token t;
        if (!ktext_get(p, &t))
            return false;
        (void)op;
        return ktext_unexpected(p, &t);
    }
    return ktext_u64(p, b, n - 1) && ktext_bytes(p, b, p->scratch.data, p->scratch.len);
}

static bool call_indirect_imm(ktext_parser *p, ktext_buf *b)
{
    uint32_t table = 0, type;
    bool present;
    ktext_typeuse tu;
    return ktext_opt_idx(p, KTEXT_SP_TABLE, 0, &table, &present) &&
           ktext_parse_typeuse(p, false, &tu) && ktext_typeuse_index(p, &tu, &type) &&
           ktext_u64(p, b, type) && ktext_u64(p, b, table);
}

static bool type_field_imm(ktext_parser *p, ktext_buf *b)
{
    ktext_token t;
    uint32_t x, y;
    if (!ktext_idx(p, KTEXT_SP_TYPE, 0, &x) || !ktext_get(p, &t) ||
        !ktext_resolve(p, KTEXT_SP_FIELD, x, &t, &y))
        return false;
    return ktext_u64(p, b, x) && ktext_u64(p, b, y);
}

static bool type_u32_imm(ktext_parser *p, ktext_buf *b)
{
    ktext_token t;
    uint32_t x;
    uint64_t n;
    return ktext_idx(p, KTEXT_SP_TYPE, 0, &x) && ktext_nat_tok(p, 32, &t, &n) &&
           ktext_u64(p, b, x) && ktext_u64(p, b, n);
}

static bool two_idx_imm(ktext_parser *p, ktext_space a, ktext_space c, ktext_buf *b)
{
    return idx_imm(p, a, 0, b) && idx_imm(p, c, 0, b);
}

/* Opcode and immediates of a plain (non-block) instruction. */
static bool encode_instr(ktext_parser *p, kir_op op, const ktext_token *optok, ktext_buf *b)
{
    const kir_opinfo *info = kir_op_info(op);
    uint32_t mem = 0;
    bool present;
    if (op == KIR_OP_SELECT)
        return select_instr(p, b);
    if (op == KIR_OP_REF_TEST || op == KIR_OP_REF_CAST)
        return ref_cast_instr(p, op, b);
    if (!ktext_op(p, b, op))
        return false;
    if (info->imm == KIR_IMM_DATA || info->imm == KIR_IMM_DATA_MEM ||
        info->imm == KIR_IMM_TYPE_DATA)
        p->uses_data = true;
    switch (info->imm) {
    case KIR_IMM_NONE: return true;
    case KIR_IMM_LABEL: return label_imm(p, b);
    case KIR_IMM_BR_TABLE: return br_table_imm(p, b, optok);
    case KIR_IMM_FUNC: return idx_imm(p, KTEXT_SP_FUNC, 0, b);
    case KIR_IMM_CALL_INDIRECT: return call_indirect_imm(p, b);
    case KIR_IMM_TYPE: return idx_imm(p, KTEXT_SP_TYPE, 0, b);
    case KIR_IMM_LOCAL: return idx_imm(p, KTEXT_SP_LOCAL, p->local_scope, b);
    case KIR_IMM_GLOBAL: return idx_imm(p, KTEXT_SP_GLOBAL, 0, b);
    case KIR_IMM_TABLE: return opt_idx_imm(p, KTEXT_SP_TABLE, b);
    case KIR_IMM_TABLE_TABLE: return opt_pair(p, KTEXT_SP_TABLE, b);
    case KIR_IMM_ELEM: return idx_imm(p, KTEXT_SP_ELEM, 0, b);
    case KIR_IMM_ELEM_TABLE: return seg_and_target(p, KTEXT_SP_TABLE, KTEXT_SP_ELEM, b);
    case KIR_IMM_DATA: return idx_imm(p, KTEXT_SP_DATA, 0, b);
    case KIR_IMM_DATA_MEM: return seg_and_target(p, KTEXT_SP_MEMORY, KTEXT_SP_DATA, b);
    case KIR_IMM_MEMARG:
        return ktext_opt_idx(p, KTEXT_SP_MEMORY, 0, &mem, &present) &&
               memarg_tail(p, b, mem, info->width);
    case KIR_IMM_MEM: return opt_idx_imm(p, KTEXT_SP_MEMORY, b);
    case KIR_IMM_MEM_MEM: return opt_pair(p, KTEXT_SP_MEMORY, b);
    case KIR_IMM_I32: return int_imm(p, b, 32);
    case KIR_IMM_I64: return int_imm(p, b, 64);
    case KIR_IMM_F32: return float_imm(p, b, 32);
    case KIR_IMM_F64: return float_imm(p, b, 64);
    case KIR_IMM_V128: return v128_imm(p, b);
    case KIR_IMM_HEAPTYPE: {
        kir_valtype ht;
        return ktext_heaptype(p, &ht) && ktext_heaptype_enc(p, b, ht);
    }
    case KIR_IMM_BR_ON_CAST: return br_on_cast_imm(p, b);
    case KIR_IMM_TYPE_FIELD: return type_field_imm(p, b);
    case KIR_IMM_TYPE_U32: return type_u32_imm(p, b);
    case KIR_IMM_TYPE_DATA: return two_idx_imm(p, KTEXT_SP_TYPE, KTEXT_SP_DATA, b);
    case KIR_IMM_TYPE_ELEM: return two_idx_imm(p, KTEXT_SP_TYPE, KTEXT_SP_ELEM, b);
    case KIR_IMM_TYPE_TYPE: return two_idx_imm(p, KTEXT_SP_TYPE, KTEXT_SP_TYPE, b);
    case KIR_IMM_TAG: return idx_imm(p, KTEXT_SP_TAG, 0, b);
    case KIR_IMM_LANE: return lane_imm(p, b);
    case KIR_IMM_MEMARG_LANE: return memarg_lane(p, b, info->width);
    case KIR_IMM_SHUFFLE: return shuffle_imm(p, b, optok);
    case KIR_IMM_ZERO_BYTE: return ktext_byte(p, b, 0x00);
    case KIR_IMM_SELECT_T:
    case KIR_IMM_BLOCK:
    case KIR_IMM_TRY_TABLE: break;
    }
    return ktext_unexpected(p, optok);
}

/* ---- structured instructions --------------------------------------------- */

/* block / loop / try_table / plain if: opcode, label, block type (and the
 * try_table handlers, whose labels are resolved outside the new block). */
static bool open_block(ktext_parser *p, kir_op op, const ktext_token *t, bool folded)
{
    ktext_name name;
    bool has;
    if (!block_name(p, &has, &name) || !mark_tok(p, t) || !ktext_op(p, &p->code, op) ||
        !blocktype(p, &p->code))
        return false;
    if (op == KIR_OP_TRY_TABLE && !try_catches(p, &p->code))
        return false;
    uint8_t kind = op == KIR_OP_IF ? FK_IF : op == KIR_OP_TRY ? FK_TRY : FK_BLOCK;
    uint8_t state = op == KIR_OP_IF ? ST_THEN : op == KIR_OP_TRY ? (folded ? ST_NEED_DO : ST_DO)
                                                                   : ST_BODY;
    ktext_frame *f = push_frame(p, kind, state, folded, t);
    if (!f)
        return false;
    f->has_name = has;
    f->name = name;
    return label_push(p, f);
}

/* Folded if: `if` and its block type wait until `(then` (the condition
 * operands come first in the binary); the label opens at `(then`. */
static bool open_folded_if(ktext_parser *p, const ktext_token *t)
{
    ktext_name name;
    bool has;
    if (!block_name(p, &has, &name))
        return false;
    ktext_frame *f = push_frame(p, FK_IF, ST_COND, true, t);
    if (!f)
        return false;
    f->has_name = has;
    f->name = name;
    return ktext_op(p, &p->pending, KIR_OP_IF) && blocktype(p, &p->pending);
}

static bool flush_pending(ktext_parser *p, const ktext_frame *f)
{
    size_t from = f->pend;
    if (!mark(p, f->line, f->col) ||
        !ktext_bytes(p, &p->code, p->pending.data + from, p->pending.len - from))
        return false;
    p->pending.len = from;
    return true;
}

/* The `else` of an if (its position is kept: an empty else branch is
 * dropped at `end`, as the binary encoder of the reference interpreter
 * does). */
static bool emit_else(ktext_parser *p, ktext_frame *f, const ktext_token *t)
{
    f->else_at = (uint32_t)p->code.len;
    f->state = ST_ELSE;
    return mark_tok(p, t) && ktext_op(p, &p->code, KIR_OP_ELSE);
}

/* `end` of the top frame (a block, if or try), at token t. */
static bool close_block(ktext_parser *p, const ktext_token *t)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    if (f->else_at != UINT32_MAX && f->else_at + 1 == p->code.len) {
        p->code.len--;
        p->m->nsrcpos--;
    }
    if (!mark_tok(p, t) || !ktext_op(p, &p->code, KIR_OP_END) || !label_pop(p, f))
        return false;
    p->nframes--;
    return true;
}

/* delegate l: the try's own label is out of scope for l. */
static bool delegate(ktext_parser *p, const ktext_token *t)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    return label_pop(p, f) && mark_tok(p, t) && ktext_op(p, &p->code, KIR_OP_DELEGATE) &&
           label_imm(p, &p->code);
}

static bool legacy_catch(ktext_parser *p, const ktext_token *t)
{
    return mark_tok(p, t) && ktext_op(p, &p->code, KIR_OP_CATCH) &&
           idx_imm(p, KTEXT_SP_TAG, 0, &p->code);
}

/* After `(` (token lp): a folded instruction, positioned at its `(`. */
static bool folded_start(ktext_parser *p, const ktext_token *lp)
{
    ktext_token t;
    if (!ktext_get(p, &t))
        return false;
    kir_op op = ktext_lookup_op(p, &t);
    switch (op) {
    case KIR_OP_COUNT:
    case KIR_OP_END:
    case KIR_OP_ELSE:
    case KIR_OP_CATCH:
    case KIR_OP_CATCH_ALL:
    case KIR_OP_DELEGATE: return ktext_unexpected(p, &t);
    case KIR_OP_BLOCK:
    case KIR_OP_LOOP:
    case KIR_OP_TRY_TABLE:
    case KIR_OP_TRY: return open_block(p, op, lp, true);
    case KIR_OP_IF: return open_folded_if(p, lp);
    default: {
        ktext_frame *f = push_frame(p, FK_FOLD, ST_OPERANDS, true, lp);
        return f && encode_instr(p, op, &t, &p->pending);
    }
    }
}

/* A keyword in instruction position of a plain (unfolded) sequence. */
static bool plain_instr(ktext_parser *p, const ktext_token *t)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    kir_op op = ktext_lookup_op(p, t);
    bool flat = !f->folded;
    switch (op) {
    case KIR_OP_COUNT: return ktext_unexpected(p, t);
    case KIR_OP_END:
        if (!flat || f->kind == FK_ROOT)
            return ktext_unexpected(p, t);
        return check_end_label(p, f) && close_block(p, t);
    case KIR_OP_ELSE:
        if (!flat || f->kind != FK_IF || f->state != ST_THEN)
            return ktext_unexpected(p, t);
        return check_end_label(p, f) && emit_else(p, f, t);
    case KIR_OP_CATCH:
    case KIR_OP_CATCH_ALL:
        if (!flat || f->kind != FK_TRY || (f->state != ST_DO && f->state != ST_CATCH))
            return ktext_unexpected(p, t);
        if (op == KIR_OP_CATCH) {
            if (!legacy_catch(p, t))
                return false;
            f = &p->frames[p->nframes - 1];
            f->state = ST_CATCH;
            return true;
        }
        if (!mark_tok(p, t) || !ktext_op(p, &p->code, KIR_OP_CATCH_ALL))
            return false;
        f->state = ST_CATCH_ALL;
        return true;
    case KIR_OP_DELEGATE:
        if (!flat || f->kind != FK_TRY || f->state != ST_DO)
            return ktext_unexpected(p, t);
        if (!delegate(p, t))
            return false;
        p->nframes--;
        return true;
    case KIR_OP_BLOCK:
    case KIR_OP_LOOP:
    case KIR_OP_IF:
    case KIR_OP_TRY:
    case KIR_OP_TRY_TABLE: return open_block(p, op, t, false);
    default: return mark_tok(p, t) && encode_instr(p, op, t, &p->code);
    }
}

/* `)` in an instruction sequence: ends the expression or a folded clause. */
static bool body_rparen(ktext_parser *p, const ktext_token *t, bool *done)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    if (f->kind == FK_ROOT) {
        *done = true;
        return true;
    }
    if (!f->folded)
        return ktext_unexpected(p, t);
    switch (f->kind) {
    case FK_BLOCK: return close_block(p, t);
    case FK_IF: f->state = f->state == ST_THEN ? ST_AFTER_THEN : ST_AFTER_ELSE; return true;
    default: f->state = ST_AFTER_CLAUSE; return true;
    }
}

/* After `(` in a folded if/try: whether keyword kw comes next (consumed if
 * so; *kwtok is the next token either way). */
static bool clause_kw(ktext_parser *p, const char *kw, bool *yes, ktext_token *kwtok)
{
    if (!ktext_look(p, kwtok))
        return false;
    *yes = ktext_is_kw(kwtok, kw);
    if (*yes) {
        ktext_token skip;
        return ktext_get(p, &skip);
    }
    return true;
}

/* The folded-try clause after `(` (already consumed). */
static bool try_clause(ktext_parser *p)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    ktext_token t;
    if (!ktext_get(p, &t))
        return false;
    if (ktext_is_kw(&t, "catch") && !f->had_catch_all) {
        if (!legacy_catch(p, &t))
            return false;
        f = &p->frames[p->nframes - 1];
        f->state = ST_CATCH;
        f->had_catch = true;
        return true;
    }
    if (ktext_is_kw(&t, "catch_all") && !f->had_catch_all) {
        if (!mark_tok(p, &t) || !ktext_op(p, &p->code, KIR_OP_CATCH_ALL))
            return false;
        f->state = ST_CATCH_ALL;
        f->had_catch_all = true;
        return true;
    }
    if (ktext_is_kw(&t, "delegate") && !f->had_catch && !f->had_catch_all) {
        if (!delegate(p, &t) || !ktext_expect(p, KTEXT_RPAREN, NULL))
            return false;
        f = &p->frames[p->nframes - 1];
        f->state = ST_AFTER_DELEGATE;
        return true;
    }
    return ktext_unexpected(p, &t);
}

/* One token in a non-body state of the top frame. */
static bool clause_token(ktext_parser *p, const ktext_token *t)
{
    ktext_frame *f = &p->frames[p->nframes - 1];
    bool yes;
    ktext_token kw;
    switch (f->state) {
    case ST_OPERANDS:
        if (t->kind == KTEXT_RPAREN) {
            if (!flush_pending(p, f))
                return false;
            p->nframes--;
            return true;
        }
        if (t->kind == KTEXT_LPAREN)
            return folded_start(p, t);
        break;
    case ST_COND:
        if (t->kind != KTEXT_LPAREN)
            break;
        if (!clause_kw(p, "then", &yes, &kw))
            return false;
        if (!yes)
            return folded_start(p, t);
        if (!flush_pending(p, f) || !label_push(p, f))
            return false;
        f->state = ST_THEN;
        return true;
    case ST_AFTER_THEN:
        if (t->kind == KTEXT_RPAREN)
            return close_block(p, t);
        if (t->kind != KTEXT_LPAREN)
            break;
        if (!clause_kw(p, "else", &yes, &kw))
            return false;
        if (!yes)
            return ktext_get(p, &kw) && ktext_unexpected(p, &kw);
        return emit_else(p, f, &kw);
    case ST_AFTER_ELSE:
        if (t->kind == KTEXT_RPAREN)
            return close_block(p, t);
        break;
    case ST_NEED_DO:
        if (t->kind != KTEXT_LPAREN)
            break;
        if (!clause_kw(p, "do", &yes, &kw))
            return false;
        if (!yes)
            return ktext_get(p, &kw) && ktext_unexpected(p, &kw);
        f->state = ST_DO;
        return true;
    case ST_AFTER_CLAUSE:
        if (t->kind == KTEXT_RPAREN)
            return close_block(p, t);
        if (t->kind == KTEXT_LPAREN)
            return try_clause(p);
        break;
    case ST_AFTER_DELEGATE:
        if (t->kind == KTEXT_RPAREN) {
            p->nframes--;
            return true;
        }
        break;
    default: break;
    }
    return ktext_unexpected(p, t);
}

/* The instruction loop. *close receives the last `)` read. */
static bool run(ktext_parser *p, bool single, ktext_token *close)
{
    if (single) {
        ktext_token t;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind != KTEXT_LPAREN)
            return ktext_unexpected(p, &t);
        if (!folded_start(p, &t))
            return false;
    }
    for (;;) {
        if (single && p->nframes == 1)
            return true;
        ktext_token t;
        if (!ktext_get(p, &t))
            return false;
        if (t.kind == KTEXT_RPAREN)
            *close = t;
        ktext_frame *f = &p->frames[p->nframes - 1];
        if (!is_body_state(f->state)) {
            if (!clause_token(p, &t))
                return false;
            continue;
        }
        bool ok, done = false;
        switch (t.kind) {
        case KTEXT_RPAREN: ok = body_rparen(p, &t, &done); break;
        case KTEXT_LPAREN: ok = folded_start(p, &t); break;
        case KTEXT_KEYWORD: ok = plain_instr(p, &t); break;
        default: ok = ktext_unexpected(p, &t); break;
        }
        if (!ok)
            return false;
        if (done)
            return true;
    }
}

static bool finish_expr(ktext_parser *p, const ktext_token *close, kir_expr *out)
{
    if (!mark_tok(p, close) || !ktext_op(p, &p->code, KIR_OP_END))
        return false;
    if ((uint64_t)p->vpos + p->code.len > UINT32_MAX) {
        if (!p->err)
            p->err = kutil_error_at_line(p->alloc, KITE_ERROR_LIMIT, close->line, close->col,
                                         "module code too large");
        return false;
    }
    uint8_t *c = kutil_arena_dup(&p->m->arena, p->code.data, p->code.len);
    if (!c)
        return ktext_oom(p);
    out->code = c;
    out->len = (uint32_t)p->code.len;
    out->offset = p->vpos;
    p->vpos += (uint32_t)p->code.len;
    return true;
}

bool ktext_parse_expr(ktext_parser *p, bool single, kir_expr *out)
{
    ktext_token close = {0};
    p->code.len = 0;
    p->pending.len = 0;
    p->nframes = 0;
    p->label_depth = 1;
    if (!push_frame(p, FK_ROOT, ST_BODY, false, NULL))
        return false;
    if (!run(p, single, &close))
        return false;
    return finish_expr(p, &close, out);
}

bool ktext_make_const_expr(ktext_parser *p, kir_op op, uint64_t value, const ktext_token *at,
                           kir_expr *out)
{
    p->code.len = 0;
    if (!mark_tok(p, at) || !ktext_op(p, &p->code, op))
        return false;
    bool ok = op == KIR_OP_REF_FUNC ? ktext_u64(p, &p->code, value)
                                     : ktext_s64(p, &p->code, (int64_t)value);
    return ok && finish_expr(p, at, out);
}

void ktext_code_release(ktext_parser *p)
{
    kutil_free(p->alloc, p->code.data);
    kutil_free(p->alloc, p->pending.data);
    kutil_free(p->alloc, p->scratch.data);
    kutil_free(p->alloc, p->frames);
    p->code.data = p->pending.data = p->scratch.data = NULL;
    p->frames = NULL;
}
