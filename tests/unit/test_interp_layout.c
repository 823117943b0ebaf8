/*
 * The interpreter's instruction layout (src/interp/layout.h) as data: the
 * descriptor tables are well-formed (fields in layout order, names from the
 * vocabulary, sizes), the tables it is built from agree with the opcode
 * table (numeric_ops.def's type letters with opcodes.def's signatures,
 * memory_ops.def's result widths with its results, simd_ops.def's classes
 * with the signatures and immediates of the 0xFD rows), and the disassembler
 * derived from it walks translated code of every kind of instruction. Run
 * under valgrind too (tests/CMakeLists.txt): translating GC instructions
 * without a type index must read no uninitialised memory.
 */
#include <string.h>

#include "interp/layout.h"
#include "interp/simd.h"
#include "ir/opcodes.h"
#include "kite.h"

#include "check.h"

static const char *const g_fnames[KINT_FN_COUNT] = {
#define NAME(name, doc) [KINT_FN_##name] = #name,
    KINT_FIELD_NAMES(NAME)
#undef NAME
};

/* A field's first and one-past-last half (2 * word + half). */
static unsigned field_start(const kint_field *f) { return 2u * f->word + (f->half == KINT_HALF_HI); }
static unsigned field_end(const kint_field *f) { return field_start(f) + (f->half == KINT_HALF_W ? 2u : 1u); }

static void check_shapes(void)
{
    bool name_used[KINT_FN_COUNT] = {false};
    bool shape_used[KINT_SHAPE_COUNT] = {false};
    for (unsigned op = 0; op < KINT_OP_COUNT; op++) {
        const kint_op_info *info = &kint_ops[op];
        CHECK(info->name && info->shape < KINT_SHAPE_COUNT, "op %u: no name or shape", op);
        if (info->shape >= KINT_SHAPE_COUNT)
            continue;
        shape_used[info->shape] = true;
        CHECK(info->size == 1u + kint_shapes[info->shape].words, "%s: size %u, shape has %u words", info->name,
              info->size, kint_shapes[info->shape].words);
        CHECK(info->size <= KINT_MAX_SIZE, "%s: larger than KINT_MAX_SIZE", info->name);
    }
    for (unsigned s = 0; s < KINT_SHAPE_COUNT; s++) {
        const kint_shape_info *sh = &kint_shapes[s];
        CHECK(sh->name != NULL, "shape %u has no name", s);
        CHECK(shape_used[s], "shape %s: no op has it", sh->name);
        unsigned n = 0, end = 2;
        for (const kint_field *f = sh->fields; f->kind != KINT_FK_NONE; f++, n++) {
            CHECK(f->id < KINT_FN_COUNT && strcmp(f->name, g_fnames[f->id]) == 0, "%s.%s: name and id differ",
                  sh->name, f->name);
            if (f->id < KINT_FN_COUNT)
                name_used[f->id] = true;
            CHECK(f->word >= 1 && f->word <= sh->words, "%s.%s: word %u outside the shape", sh->name, f->name,
                  f->word);
            CHECK(field_start(f) >= end, "%s.%s: not after the field before it", sh->name, f->name);
            end = field_end(f);
            for (const kint_field *g = sh->fields; g != f; g++)
                CHECK(g->id != f->id, "%s: two fields named %s", sh->name, f->name);
        }
        CHECK(n == sh->nfields && n <= KINT_MAX_FIELDS, "%s: %u fields, nfields %u", sh->name, n, sh->nfields);
    }
    for (unsigned i = 0; i < KINT_FN_COUNT; i++)
        CHECK(name_used[i], "field name %s: no shape uses it", g_fnames[i]);
}

/* Lookups by name and the compile-time accessors agree. */
static void check_accessors(void)
{
    const kint_field *dst = kint_layout_field(KINT_OP_I32_ADD, KINT_FN_dst);
    CHECK(dst && dst->word == 2 && dst->half == KINT_HALF_LO && dst->kind == KINT_FK_OUT, "I32_ADD.dst");
    CHECK(kint_layout_field(KINT_OP_I32_ADD, KINT_FN_label) == NULL, "I32_ADD has no label");
    uint64_t w[KINT_MAX_SIZE] = {KINT_OP_BR_I32_LT_S_I};
    kint_layout_set(w, kint_layout_field(KINT_OP_BR_I32_LT_S_I, KINT_FN_a), 7);
    kint_layout_set(w, kint_layout_field(KINT_OP_BR_I32_LT_S_I, KINT_FN_imm), 0xFFFFFFFEu);
    kint_layout_set(w, kint_layout_field(KINT_OP_BR_I32_LT_S_I, KINT_FN_label), (uint32_t)-6);
    kint_layout_set(w, kint_layout_field(KINT_OP_BR_I32_LT_S_I, KINT_FN_fuel), 3);
    CHECK(KINT_OPND(w, BR_I32_LT_S_I, a) == 7 && KINT_OPND(w, BR_I32_LT_S_I, imm) == 0xFFFFFFFEu &&
              (int32_t)KINT_OPND(w, BR_I32_LT_S_I, label) == -6 && KINT_OPND(w, BR_I32_LT_S_I, fuel) == 3,
          "fields set by name read back through KINT_OPND");
    uint64_t c[KINT_MAX_SIZE] = {KINT_OP_CONST};
    kint_layout_set(c, kint_layout_field(KINT_OP_CONST, KINT_FN_value), UINT64_C(0x123456789ABCDEF0));
    CHECK(KINT_OPND64(c, CONST, value) == UINT64_C(0x123456789ABCDEF0), "64-bit field");
    CHECK(KINT_SIZE(CONST) == 3 && KINT_SIZE(ATOMIC_FENCE) == 1 && KINT_SIZE(I32_ADD) == 3, "sizes");
}

/* ---- the tables the layout is built from, against the opcode table ---------------------- */

/* Whether an opcode-table row is a plain numeric instruction: numeric
 * operands and results, no immediate, no memory access, not SIMD. */
static bool plain_numeric(const kir_opinfo *info)
{
    const char *sig = info->sig;
    if (!sig || info->imm != KIR_IMM_NONE || info->width || info->prefix == KIR_PREFIX_FD)
        return false;
    const char *gt = strchr(sig, '>');
    if (!gt || gt == sig || !gt[1])
        return false;
    for (const char *p = sig; *p; p++)
        if (p != gt && !strchr("iIfF", *p))
            return false;
    return true;
}

static void check_numeric_letters(void)
{
    bool listed[KIR_OP_COUNT] = {false};
#define SIG(id, want)                                                                          \
    do {                                                                                       \
        const char *sig_ = kir_op_info(KIR_OP_##id)->sig;                                      \
        listed[KIR_OP_##id] = true;                                                            \
        CHECK(sig_ && strcmp(sig_, want) == 0, "numeric_ops.def %s: \"%s\", opcode table \"%s\"", #id, want, \
              sig_ ? sig_ : "NULL");                                                           \
    } while (0)
#define LETTER(T) (sizeof(T) == 4 ? "i" : "I")
#define UN(id, fn, a, r) SIG(id, #a ">" #r);
#define TEST(id, fn, a) SIG(id, #a ">i");
#define BIN(id, fn, a, r) SIG(id, #a #a ">" #r);
#define CMP(id, fn, a) SIG(id, #a #a ">i");
#define BINI BIN
#define CMPI CMP
#define TRAP_UN(id, fn, a, R)                                                                   \
    {                                                                                           \
        char want_[4] = #a ">";                                                                 \
        strcat(want_, LETTER(R));                                                               \
        SIG(id, want_);                                                                         \
    }
#define TRAP_BIN(id, fn, R)                                                                     \
    {                                                                                           \
        char want_[5] = "";                                                                     \
        strcat(strcat(strcat(strcat(want_, LETTER(R)), LETTER(R)), ">"), LETTER(R));            \
        SIG(id, want_);                                                                         \
    }
#define WIDE4(id, fn) SIG(id, "IIII>II");
#define WIDE2(id, fn) SIG(id, "II>II");
#include "interp/numeric_ops.def"
#undef LETTER
#undef SIG
    for (unsigned op = 0; op < KIR_OP_COUNT; op++)
        CHECK(!plain_numeric(kir_op_info((kir_op)op)) || listed[op], "%s is missing from numeric_ops.def",
              kir_op_info((kir_op)op)->mnemonic);
}

/* memory_ops.def's X (the slot width a load extends to) against the
 * instruction's result type; its T's width is checked at compile time. */
static void check_memory_results(void)
{
#define RESULT(id, X)                                                                          \
    do {                                                                                       \
        const char *sig_ = kir_op_info(KIR_OP_##id)->sig;                                      \
        const char *r_ = sig_ ? strchr(sig_, '>') : NULL;                                      \
        bool is64_ = r_ && (r_[1] == 'I' || r_[1] == 'F');                                     \
        CHECK(r_ && r_[1] && (is64_ ? 64 : 32) == (X), "memory_ops.def %s: X %d, result '%s'", #id, X, \
              r_ ? r_ + 1 : "?");                                                              \
    } while (0)
#define LOAD(id, T, X) RESULT(id, X);
#define STORE(id, T)
#define ALOAD(id, T, X) RESULT(id, X);
#define ASTORE(id, T)
#define ARMW(id, T, X, OP) RESULT(id, X);
#define ACMPXCHG(id, T, X) RESULT(id, X);
#include "interp/memory_ops.def"
#undef RESULT
}

/* simd_ops.def's class of each 0xFD row against the row's immediate and
 * signature (what the preprocessor cannot read from opcodes.def), and the
 * width of a scalar operand or result against its kint_simd_<id>; the
 * compiler checks each class against the function's type and that every
 * row is listed once (translate_simd.c). */
typedef struct simd_class_rule {
    const char *name;
    kir_imm imm;
    const char *sig; /* '*' stands for one scalar letter: i I f F */
} simd_class_rule;

static bool sig_matches(const char *sig, const char *pattern, char *scalar)
{
    for (; *pattern; sig++, pattern++) {
        if (*pattern == '*') {
            if (!*sig || !strchr("iIfF", *sig))
                return false;
            *scalar = *sig;
        } else if (*sig != *pattern) {
            return false;
        }
    }
    return *sig == 0;
}

#define SIMD_SCALAR_BYTES(f)                                                                   \
    _Generic(&(f),                                                                              \
        kint_v128 (*)(uint64_t): 8,                                                             \
        uint64_t (*)(kint_v128, unsigned): 8,                                                   \
        kint_v128 (*)(kint_v128, unsigned, uint64_t): 8,                                        \
        default: 4)

static void check_simd_classes(void)
{
    static const simd_class_rule rules[] = {
        {"UN", KIR_IMM_NONE, "v>v"},       {"BIN", KIR_IMM_NONE, "vv>v"},
        {"TERN", KIR_IMM_NONE, "vvv>v"},   {"SHIFT", KIR_IMM_NONE, "vi>v"},
        {"TEST", KIR_IMM_NONE, "v>i"},     {"SPLAT", KIR_IMM_NONE, "*>v"},
        {"EXTRACT", KIR_IMM_LANE, "v>*"},  {"REPLACE", KIR_IMM_LANE, "v*>v"},
        {"SHUFFLE", KIR_IMM_SHUFFLE, "vv>v"}, {"CONST", KIR_IMM_V128, ">v"},
        {"LOAD", KIR_IMM_MEMARG, "a>v"},   {"STORE", KIR_IMM_MEMARG, "av>"},
        {"LOAD_LANE", KIR_IMM_MEMARG_LANE, "av>v"}, {"STORE_LANE", KIR_IMM_MEMARG_LANE, "av>"},
    };
    int previous = -1;
    unsigned lines = 0;
#define LINE(cls, id, bytes)                                                                   \
    do {                                                                                       \
        const kir_opinfo *info_ = kir_op_info(KIR_OP_##id);                                    \
        const simd_class_rule *rule_ = NULL;                                                   \
        for (size_t i_ = 0; i_ < sizeof rules / sizeof rules[0]; i_++)                         \
            if (strcmp(rules[i_].name, #cls) == 0)                                             \
                rule_ = &rules[i_];                                                            \
        char scalar_ = 0;                                                                      \
        lines++;                                                                               \
        CHECK(rule_ != NULL, "simd_ops.def: no rule for class %s", #cls);                      \
        CHECK((int)KIR_OP_##id > previous, "simd_ops.def %s: not in opcodes.def's order", #id); \
        previous = (int)KIR_OP_##id;                                                           \
        if (!rule_)                                                                            \
            break;                                                                             \
        CHECK(info_->prefix == KIR_PREFIX_FD, "simd_ops.def %s: not a 0xFD row", #id);        \
        CHECK(info_->imm == rule_->imm,                                                        \
              "simd_ops.def %s: class %s, immediate kind %d in the opcode table", #id, #cls,   \
              (int)info_->imm);                                                                \
        CHECK(info_->sig && sig_matches(info_->sig, rule_->sig, &scalar_),                     \
              "simd_ops.def %s: class %s (\"%s\"), opcode table \"%s\"", #id, #cls, rule_->sig,  \
              info_->sig ? info_->sig : "NULL");                                               \
        if (scalar_)                                                                           \
            CHECK((strchr("IF", scalar_) ? 8 : 4) == (bytes),                                  \
                  "simd_ops.def %s: '%c' in the opcode table, a %d-byte scalar in kint_simd_%s", \
                  #id, scalar_, (int)(bytes), #id);                                            \
    } while (0);
#define UN(id) LINE(UN, id, 0)
#define BIN(id) LINE(BIN, id, 0)
#define TERN(id) LINE(TERN, id, 0)
#define SHIFT(id) LINE(SHIFT, id, 0)
#define TEST(id) LINE(TEST, id, 0)
#define SPLAT(id) LINE(SPLAT, id, SIMD_SCALAR_BYTES(kint_simd_##id))
#define EXTRACT(id) LINE(EXTRACT, id, SIMD_SCALAR_BYTES(kint_simd_##id))
#define REPLACE(id) LINE(REPLACE, id, SIMD_SCALAR_BYTES(kint_simd_##id))
#define SHUFFLE(id) LINE(SHUFFLE, id, 0)
#define CONST(id) LINE(CONST, id, 0)
#define LOAD(id) LINE(LOAD, id, 0)
#define STORE(id) LINE(STORE, id, 0)
#define LOAD_LANE(id) LINE(LOAD_LANE, id, 0)
#define STORE_LANE(id) LINE(STORE_LANE, id, 0)
#include "interp/simd_ops.def"
#undef LINE
    unsigned rows = 0;
    for (unsigned op = 0; op < KIR_OP_COUNT; op++)
        rows += kir_op_info((kir_op)op)->prefix == KIR_PREFIX_FD;
    CHECK(lines == rows && lines > 0, "simd_ops.def: %u lines, %u 0xFD rows", lines, rows);
}

/* ---- the disassembler ------------------------------------------------------------------------- */

typedef struct text {
    char buf[1 << 16];
    size_t len;
} text;

static void to_text(void *ud, const char *s, size_t len)
{
    text *t = ud;
    if (len > sizeof(t->buf) - 1 - t->len)
        len = sizeof(t->buf) - 1 - t->len;
    memcpy(t->buf + t->len, s, len);
    t->len += len;
    t->buf[t->len] = 0;
}

/* Every kind of instruction the translator emits, most of them first in
 * their function (nothing before them sets an immediate or index). */
static const char g_wat[] =
    "(module\n"
    "  (type $s (struct (field i32) (field (mut i64))))\n"
    "  (type $a (array (mut i8)))\n"
    "  (type $ft (func (param i32) (result i32)))\n"
    "  (import \"env\" \"f\" (func $imp (param i32) (result i32)))\n"
    "  (memory 1) (table 2 funcref) (tag $t (param i32))\n"
    "  (global $g (mut i32) (i32.const 0))\n"
    "  (func $i31 (export \"i31\") (result i32) (i31.get_s (ref.i31 (i32.const -5))))\n"
    "  (func (export \"conv\") (param externref) (result externref)\n"
    "    (extern.convert_any (any.convert_extern (local.get 0))))\n"
    "  (func (export \"cast\") (result i32)\n"
    "    (ref.test i31ref (ref.cast anyref (ref.i31 (i32.const 9)))))\n"
    "  (func (export \"brcast\") (param anyref) (result i32)\n"
    "    (block $l (result i31ref) (drop (br_on_cast $l anyref i31ref (local.get 0))) (ref.i31 (i32.const 0)))\n"
    "    (i31.get_u))\n"
    "  (func (export \"gc\") (result i64)\n"
    "    (local $p (ref null $s)) (local $x (ref null $a))\n"
    "    (local.set $p (struct.new $s (i32.const 1) (i64.const 2)))\n"
    "    (struct.set $s 1 (local.get $p) (i64.const 3))\n"
    "    (local.set $x (array.new_default $a (i32.const 4)))\n"
    "    (array.set $a (local.get $x) (i32.const 1) (i32.const 7))\n"
    "    (drop (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))\n"
    "    (i64.add (struct.get $s 1 (local.get $p)) (i64.extend_i32_u (array.get_u $a (local.get $x) (i32.const 1)))))\n"
    "  (func $loop (export \"loop\") (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
    "    (loop $l\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $i) (i32.const 16)))))\n"
    "      (i32.store (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 4)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (local.get $s))\n"
    "  (func (export \"fma\") (param f64 f64 f64) (result f64)\n"
    "    (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))\n"
    "  (func (export \"switch\") (param i32) (result i32)\n"
    "    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))\n"
    "    (i32.const 3))\n"
    "  (func (export \"calls\") (param i32) (result i32)\n"
    "    (global.set $g (call $imp (call $loop (local.get 0))))\n"
    "    (call_indirect (type $ft) (global.get $g) (i32.const 0)))\n"
    "  (func (export \"exn\") (result i32)\n"
    "    (block $h (result i32) (try_table (catch $t $h) (throw $t (i32.const 5))) (i32.const 0)))\n"
    "  (func (export \"atomic\") (param i32) (result i32)\n"
    "    (i32.atomic.rmw.cmpxchg (local.get 0) (i32.const 1) (i32.const 2)))\n"
    "  (func (export \"simd\") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))\n"
    ")\n";

static bool has(const text *t, const char *s) { return strstr(t->buf, s) != NULL; }

static void check_disassembly(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module = NULL;
    kite_error_t *err = kite_module_new_text(engine, g_wat, strlen(g_wat), &module);
    CHECK(!err, "module: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (!module) {
        kite_engine_free(engine);
        return;
    }
    static text all;
    err = kite_module_disassemble(module, KITE_FUNC_ALL, to_text, &all);
    CHECK(!err, "disassemble: %s", err ? kite_error_message(err) : "");
    kite_error_free(err);
    CHECK(!has(&all, "no instruction starts here") && !has(&all, "past the end"),
          "the listing follows the layout:\n%s", all.buf);
    static const char *const want[] = {
        "REF_I31 ", "I31_GET_S ", "REF_TEST ", "cast=(ref null i31)", "REF_CAST ", "BRN_CAST ",
        "STRUCT_NEW ", "STRUCT_SET_64 ", "ARRAY_NEW_DEFAULT ", "ARRAY_SET_8 ", "ARRAY_NEW_FIXED ",
        "STRUCT_GET_64 ", "ARRAY_GET_8U ", "LAI_I32_LOAD ", "imm=16", "SSA_I32_STORE ", "k=2",
        "BR_I32_LT_U ", "label=@0 ", "F64_MUL_ADD_L ", "BR_TABLE ", "default=@", "CALL ",
        "cell=func#", "CALL_FUNC ", "func=func#0", "GLOBAL_SET ", "CALL_INDIRECT ", "THROW ", "tag=tag#0",
        "try [", "I32_ATOMIC_RMW_CMPXCHG ", "replacement=s", "I32X4_EXTRACT_LANE ", "lane=0", "(export \"loop\")", "$loop",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CHECK(has(&all, want[i]), "the listing has no \"%s\"", want[i]);

    /* One function, by an index found by name; errors. */
    uint32_t idx = 0;
    CHECK(kite_module_func_index(module, "i31", 3, &idx) && idx == 1, "export i31 is function 1");
    CHECK(kite_module_func_index(module, "loop", 4, &idx) && idx == 6, "$loop is function 6");
    CHECK(!kite_module_func_index(module, "nope", 4, &idx), "no function nope");
    static text one;
    err = kite_module_disassemble(module, 1, to_text, &one);
    CHECK(!err && has(&one, "func 1 $i31 (export \"i31\")") && !has(&one, "func 2"), "function 1 alone:\n%s",
          one.buf);
    kite_error_free(err);
    static text none;
    err = kite_module_disassemble(module, 0, to_text, &none);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT && none.len == 0, "an import has no code");
    kite_error_free(err);
    err = kite_module_disassemble(module, 1000, to_text, &none);
    CHECK(err && kite_error_code(err) == KITE_ERROR_ARGUMENT, "index out of range");
    kite_error_free(err);
    kite_module_free(module);
    kite_engine_free(engine);
}

int main(void)
{
    check_shapes();
    check_accessors();
    check_numeric_letters();
    check_memory_results();
    check_simd_classes();
    check_disassembly();
    printf(g_failures ? "%d failures\n" : "ok\n", g_failures);
    return g_failures != 0;
}
