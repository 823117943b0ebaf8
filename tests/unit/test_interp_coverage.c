/*
 * No silent gaps: every instruction of the opcode table, of every feature
 * (all enabled), is validated, translated and executed. For an instruction
 * with a signature the test writes the function itself (parameters from the
 * signature, the instruction, its results dropped); the others, typed by
 * rules in the validator, get a snippet from the table below, and a row of
 * opcodes.def with neither fails the test. Each function is called with
 * zero arguments: it may return or trap (division by zero, bounds, null),
 * but a module that does not validate or translate, or a trap that is not
 * about the instruction's semantics (an internal error, out of memory),
 * fails. (Before SIMD ran, its instructions trapped "unsupported
 * instruction"; that trap kind is gone.)
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ir/opcodes.h"
#include "kite.h"

/* What every module declares, so that instructions find their indices. */
static const char *const prelude =
    "  (type $s (struct (field (mut i32)) (field (mut i8))))\n"
    "  (type $a (array (mut i32)))\n"
    "  (type $a8 (array (mut i8)))\n"
    "  (type $fa (array (mut funcref)))\n"
    "  (type $v (func))\n"
    "  (memory 1 1)\n"
    "  (table $t 2 funcref)\n"
    "  (global $g (mut i32) (i32.const 0))\n"
    "  (tag $e)\n"
    "  (data $d \"abcd\")\n"
    "  (elem $el func $nop)\n"
    "  (func $nop)\n";

/* Instructions without a signature: a function body using each. */
static const struct {
    kir_op op;
    const char *body;
} snippets[] = {
    {KIR_OP_UNREACHABLE, "unreachable"},
    {KIR_OP_BLOCK, "(block)"},
    {KIR_OP_LOOP, "(loop)"},
    {KIR_OP_IF, "(if (i32.const 1) (then))"},
    {KIR_OP_ELSE, "(if (i32.const 0) (then) (else))"},
    {KIR_OP_END, "(block)"},
    {KIR_OP_BR, "(block (br 0))"},
    {KIR_OP_BR_IF, "(block (br_if 0 (i32.const 1)))"},
    {KIR_OP_BR_TABLE, "(block (block (br_table 0 1 (i32.const 1))))"},
    {KIR_OP_RETURN, "return"},
    {KIR_OP_CALL, "call $nop"},
    {KIR_OP_CALL_INDIRECT, "(call_indirect $t (type $v) (i32.const 0))"},
    {KIR_OP_CALL_REF, "(call_ref $v (ref.func $nop))"},
    {KIR_OP_BR_ON_NULL, "(block (br_on_null 0 (ref.null func)) (drop))"},
    {KIR_OP_BR_ON_NON_NULL, "(drop (block (result funcref) (br_on_non_null 0 (ref.func $nop)) (ref.null func)))"},
    {KIR_OP_RETURN_CALL, "return_call $nop"},
    {KIR_OP_RETURN_CALL_INDIRECT, "(return_call_indirect $t (type $v) (i32.const 1))"},
    {KIR_OP_RETURN_CALL_REF, "(return_call_ref $v (ref.func $nop))"},
    {KIR_OP_THROW, "(throw $e)"},
    {KIR_OP_THROW_REF, "(block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable)) (throw_ref)"},
    {KIR_OP_TRY_TABLE, "(block $h (try_table (catch $e $h) (throw $e)))"},
    {KIR_OP_TRY, "(try (do (throw $e)) (catch $e))"},
    {KIR_OP_CATCH, "(try (do (throw $e)) (catch $e))"},
    {KIR_OP_RETHROW, "(try (do (throw $e)) (catch_all (try (do (rethrow 1)) (catch_all))))"},
    {KIR_OP_DELEGATE, "(try (do (try (do (throw $e)) (delegate 0))) (catch_all))"},
    {KIR_OP_CATCH_ALL, "(try (do (throw $e)) (catch_all))"},
    {KIR_OP_DROP, "(drop (i32.const 1))"},
    {KIR_OP_SELECT, "(drop (select (i32.const 1) (i32.const 2) (i32.const 0)))"},
    {KIR_OP_SELECT_T, "(drop (select (result v128) (v128.const i64x2 1 2) (v128.const i64x2 3 4) (i32.const 0)))"},
    {KIR_OP_LOCAL_GET, "(local v128) (drop (local.get 0))"},
    {KIR_OP_LOCAL_SET, "(local v128) (local.set 0 (v128.const i64x2 1 2))"},
    {KIR_OP_LOCAL_TEE, "(local i32) (drop (local.tee 0 (i32.const 1)))"},
    {KIR_OP_GLOBAL_GET, "(drop (global.get $g))"},
    {KIR_OP_GLOBAL_SET, "(global.set $g (i32.const 3))"},
    {KIR_OP_TABLE_GET, "(drop (table.get $t (i32.const 0)))"},
    {KIR_OP_TABLE_SET, "(table.set $t (i32.const 0) (ref.func $nop))"},
    {KIR_OP_TABLE_INIT, "(table.init $t $el (i32.const 0) (i32.const 0) (i32.const 1))"},
    {KIR_OP_TABLE_COPY, "(table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))"},
    {KIR_OP_TABLE_GROW, "(drop (table.grow $t (ref.null func) (i32.const 1)))"},
    {KIR_OP_TABLE_SIZE, "(drop (table.size $t))"},
    {KIR_OP_TABLE_FILL, "(table.fill $t (i32.const 0) (ref.null func) (i32.const 2))"},
    {KIR_OP_MEMORY_INIT, "(memory.init $d (i32.const 0) (i32.const 0) (i32.const 4))"},
    {KIR_OP_MEMORY_COPY, "(memory.copy (i32.const 0) (i32.const 8) (i32.const 4))"},
    {KIR_OP_REF_NULL, "(drop (ref.null any))"},
    {KIR_OP_REF_IS_NULL, "(drop (ref.is_null (ref.null func)))"},
    {KIR_OP_REF_FUNC, "(drop (ref.func $nop))"},
    {KIR_OP_REF_EQ, "(drop (ref.eq (ref.null eq) (ref.i31 (i32.const 1))))"},
    {KIR_OP_REF_AS_NON_NULL, "(drop (ref.as_non_null (ref.func $nop)))"},
    {KIR_OP_STRUCT_NEW, "(drop (struct.new $s (i32.const 1) (i32.const 2)))"},
    {KIR_OP_STRUCT_NEW_DEFAULT, "(drop (struct.new_default $s))"},
    {KIR_OP_STRUCT_GET, "(drop (struct.get $s 0 (struct.new_default $s)))"},
    {KIR_OP_STRUCT_GET_S, "(drop (struct.get_s $s 1 (struct.new_default $s)))"},
    {KIR_OP_STRUCT_GET_U, "(drop (struct.get_u $s 1 (struct.new_default $s)))"},
    {KIR_OP_STRUCT_SET, "(struct.set $s 0 (struct.new_default $s) (i32.const 5))"},
    {KIR_OP_ARRAY_NEW, "(drop (array.new $a (i32.const 1) (i32.const 3)))"},
    {KIR_OP_ARRAY_NEW_DEFAULT, "(drop (array.new_default $a (i32.const 3)))"},
    {KIR_OP_ARRAY_NEW_FIXED, "(drop (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))"},
    {KIR_OP_ARRAY_NEW_DATA, "(drop (array.new_data $a8 $d (i32.const 0) (i32.const 4)))"},
    {KIR_OP_ARRAY_NEW_ELEM, "(drop (array.new_elem $fa $el (i32.const 0) (i32.const 1)))"},
    {KIR_OP_ARRAY_GET, "(drop (array.get $a (array.new_default $a (i32.const 3)) (i32.const 1)))"},
    {KIR_OP_ARRAY_GET_S, "(drop (array.get_s $a8 (array.new_default $a8 (i32.const 3)) (i32.const 1)))"},
    {KIR_OP_ARRAY_GET_U, "(drop (array.get_u $a8 (array.new_default $a8 (i32.const 3)) (i32.const 1)))"},
    {KIR_OP_ARRAY_SET, "(array.set $a (array.new_default $a (i32.const 3)) (i32.const 1) (i32.const 7))"},
    {KIR_OP_ARRAY_LEN, "(drop (array.len (array.new_default $a (i32.const 3))))"},
    {KIR_OP_ARRAY_FILL, "(array.fill $a (array.new_default $a (i32.const 3)) (i32.const 0) (i32.const 9) (i32.const 3))"},
    {KIR_OP_ARRAY_COPY,
     "(array.copy $a $a (array.new_default $a (i32.const 3)) (i32.const 0) (array.new_default $a (i32.const 3)) "
     "(i32.const 1) (i32.const 2))"},
    {KIR_OP_ARRAY_INIT_DATA,
     "(array.init_data $a8 $d (array.new_default $a8 (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 4))"},
    {KIR_OP_ARRAY_INIT_ELEM,
     "(array.init_elem $fa $el (array.new_default $fa (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 1))"},
    {KIR_OP_REF_TEST, "(drop (ref.test (ref $s) (struct.new_default $s)))"},
    {KIR_OP_REF_TEST_NULL, "(drop (ref.test (ref null $s) (ref.null any)))"},
    {KIR_OP_REF_CAST, "(drop (ref.cast (ref $s) (struct.new_default $s)))"},
    {KIR_OP_REF_CAST_NULL, "(drop (ref.cast (ref null $s) (ref.null any)))"},
    {KIR_OP_BR_ON_CAST,
     "(drop (block (result (ref $s)) (br_on_cast 0 anyref (ref $s) (struct.new_default $s)) (unreachable)))"},
    {KIR_OP_BR_ON_CAST_FAIL,
     "(drop (block (result anyref) (br_on_cast_fail 0 anyref (ref $a) (struct.new_default $s)) (unreachable)))"},
    {KIR_OP_ANY_CONVERT_EXTERN, "(drop (any.convert_extern (ref.null extern)))"},
    {KIR_OP_EXTERN_CONVERT_ANY, "(drop (extern.convert_any (ref.null any)))"},
    {KIR_OP_REF_I31, "(drop (ref.i31 (i32.const 5)))"},
    {KIR_OP_I31_GET_S, "(drop (i31.get_s (ref.i31 (i32.const 5))))"},
    {KIR_OP_I31_GET_U, "(drop (i31.get_u (ref.i31 (i32.const 5))))"},
};

static const char *snippet(kir_op op)
{
    for (size_t i = 0; i < sizeof snippets / sizeof snippets[0]; i++)
        if (snippets[i].op == op)
            return snippets[i].body;
    return NULL;
}

static const char *valtype(char c)
{
    switch (c) {
    case 'i': case 'a': return "i32";
    case 'I': return "i64";
    case 'f': return "f32";
    case 'F': return "f64";
    case 'v': return "v128";
    default: return NULL;
    }
}

/* The body for an instruction with a signature: its operands from the
 * params, its immediates in text, its results dropped. */
static bool sig_body(const kir_opinfo *info, char *buf, size_t size)
{
    char params[128] = "", code[384] = "";
    size_t np = 0, nc = 0;
    unsigned k = 0;
    const char *p = info->sig;
    for (; *p && *p != '>'; p++, k++) {
        const char *t = valtype(*p);
        if (!t || k >= 8)
            return false;
        np += (size_t)snprintf(params + np, sizeof params - np, " %s", t);
        nc += (size_t)snprintf(code + nc, sizeof code - nc, "(local.get %u) ", k);
    }
    const char *imm = "";
    switch (info->imm) {
    case KIR_IMM_NONE: case KIR_IMM_MEMARG: case KIR_IMM_MEM: case KIR_IMM_ZERO_BYTE: break;
    case KIR_IMM_LANE: case KIR_IMM_MEMARG_LANE: imm = " 1"; break;
    case KIR_IMM_SHUFFLE: imm = " 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31"; break;
    case KIR_IMM_V128: imm = " i32x4 1 2 3 4"; break;
    case KIR_IMM_I32: case KIR_IMM_I64: imm = " 7"; break;
    case KIR_IMM_F32: case KIR_IMM_F64: imm = " 1.5"; break;
    case KIR_IMM_DATA: imm = " $d"; break;
    case KIR_IMM_ELEM: imm = " $el"; break;
    default: return false;
    }
    nc += (size_t)snprintf(code + nc, sizeof code - nc, "%s%s", info->mnemonic, imm);
    for (p++; *p; p++)
        nc += (size_t)snprintf(code + nc, sizeof code - nc, " drop");
    int n = snprintf(buf, size, "%s%s%s %s", np ? "(param" : "", params, np ? ")" : "", code);
    return nc < sizeof code && n > 0 && (size_t)n < size;
}

static unsigned checked;

static void check_op(kite_engine_t *engine, kir_op op)
{
    const kir_opinfo *info = kir_op_info(op);
    char body[1200];
    if (info->sig) {
        if (!sig_body(info, body, sizeof body)) {
            CHECK(0, "%s: no way to write a test for its immediate kind", info->mnemonic);
            return;
        }
    } else {
        const char *s = snippet(op);
        if (!s) {
            CHECK(0, "%s: no snippet (typed by a rule: add one to this test)", info->mnemonic);
            return;
        }
        snprintf(body, sizeof body, "%s", s);
    }
    char text[4096];
    snprintf(text, sizeof text, "(module\n%s  (func (export \"f\") %s)\n)\n", prelude, body);
    kite_module_t *module = NULL;
    kite_error_t *err = kite_module_new_text(engine, text, strlen(text), &module);
    if (err) {
        CHECK(0, "%s: module does not validate: %s\n%s", info->mnemonic, kite_error_message(err), text);
        kite_error_free(err);
        return;
    }
    kite_store_t *store = kite_store_new(engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    err = kite_instance_new(store, module, NULL, 0, &inst, &trap);
    CHECK(!err && !trap, "%s: instantiate", info->mnemonic);
    kite_error_free(err);
    kite_trap_free(trap);
    trap = NULL;
    kite_extern_t f;
    if (inst && kite_instance_export(inst, "f", 1, &f)) {
        kite_val_t args[8];
        memset(args, 0, sizeof args);
        unsigned k = 0;
        for (const char *p = info->sig ? info->sig : ">"; *p && *p != '>'; p++, k++)
            args[k].kind = *p == 'I' ? KITE_I64 : *p == 'f' ? KITE_F32 : *p == 'F' ? KITE_F64 : *p == 'v' ? KITE_V128 : KITE_I32;
        err = kite_func_call(store, f.of.func, args, k, NULL, 0, &trap);
        CHECK(!err, "%s: call: %s", info->mnemonic, err ? kite_error_message(err) : "");
        kite_error_free(err);
        if (trap) {
            kite_trap_kind_t kind = kite_trap_kind(trap);
            CHECK(kind != KITE_TRAP_OUT_OF_MEMORY && kind != KITE_TRAP_HOST && kind != KITE_TRAP_CALL_STACK_EXHAUSTED &&
                      kind != KITE_TRAP_INTERNAL,
                  "%s: trap \"%s\"", info->mnemonic, kite_trap_message(trap));
            kite_trap_free(trap);
        }
        checked++;
    }
    kite_store_free(store);
    kite_module_free(module);
}

int main(void)
{
    kite_config_t *config = kite_config_new();
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        if (f != KITE_FEATURE_CUSTOM_PAGE_SIZES)
            kite_config_set_feature(config, (kite_feature_t)f, true);
    kite_engine_t *engine = kite_engine_new(config);
    for (unsigned op = 0; op < KIR_OP_COUNT; op++)
        check_op(engine, (kir_op)op);
    kite_engine_free(engine);
    kite_config_free(config);
    CHECK(checked == KIR_OP_COUNT, "%u of %u instructions ran", checked, (unsigned)KIR_OP_COUNT);
    printf("coverage: %u instructions executed, %d failures\n", checked, g_failures);
    return g_failures != 0;
}
