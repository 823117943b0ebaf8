/*
 * The fused forms of the SIMD binary operations marked BINM/BINMC in
 * simd_ops.def, each against its plain form: b loaded (BL_<id>), a loaded
 * and swapped (BL_<id>, commutative ones only), the result stored
 * (BS_<id>), and both at one address (BU_<id>). For every marked line a
 * module computes op(x, y) from memory the plain way and each fused way;
 * the results must agree byte for byte, the listing (kite explore's) must
 * show that each fused form was used (or, for a loaded a of an ordered
 * operation, not used), and a fused access out of bounds must trap.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ir/opcodes.h"
#include "kite.h"

/* Byte offsets from p: the operands, then one result per form. */
enum {
    AT_X = 0,
    AT_Y = 16,
    AT_PLAIN = 64,
    AT_BL = 80,
    AT_BLA = 96,
    AT_BS = 112,
    AT_BU = 128,
    AREA = 144
};

static const char module_fmt[] =
    "(module\n"
    "  (memory (export \"m\") 1)\n"
    "  (func (export \"plain\") (param $p i32) (local $x v128) (local $y v128)\n"
    "    (local.set $x (v128.load offset=0 (local.get $p)))\n"
    "    (local.set $y (v128.load offset=16 (local.get $p)))\n"
    "    (local.set $x (%1$s (local.get $x) (local.get $y)))\n"
    "    (v128.store offset=64 (local.get $p) (local.get $x)))\n"
    "  (func (export \"bl\") (param $p i32) (local $x v128)\n"
    "    (local.set $x (v128.load offset=0 (local.get $p)))\n"
    "    (local.set $x (%1$s (local.get $x) (v128.load offset=16 (local.get $p))))\n"
    "    (v128.store offset=80 (local.get $p) (local.get $x)))\n"
    "  (func (export \"bla\") (param $p i32) (local $x v128) (local $y v128)\n"
    "    (local.set $y (v128.load offset=16 (local.get $p)))\n"
    "    (local.set $x (%1$s (v128.load offset=0 (local.get $p)) (local.get $y)))\n"
    "    (v128.store offset=96 (local.get $p) (local.get $x)))\n"
    "  (func (export \"bs\") (param $p i32) (local $x v128) (local $y v128)\n"
    "    (local.set $x (v128.load offset=0 (local.get $p)))\n"
    "    (local.set $y (v128.load offset=16 (local.get $p)))\n"
    "    (v128.store offset=112 (local.get $p) (%1$s (local.get $x) (local.get $y))))\n"
    "  (func (export \"bu\") (param $p i32) (local $x v128) (local $y v128)\n"
    "    (local.set $y (v128.load offset=16 (local.get $p)))\n"
    "    (v128.store offset=128 (local.get $p) (local.get $y))\n"
    "    (local.set $x (v128.load offset=0 (local.get $p)))\n"
    "    (v128.store offset=128 (local.get $p)\n"
    "      (%1$s (local.get $x) (v128.load offset=128 (local.get $p))))))\n";

typedef struct text {
    char buf[8192];
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

/* Whether function `name`'s listing has an instruction named `op`. */
static bool listing_has(const kite_module_t *module, const char *name, const char *op)
{
    uint32_t idx;
    text t = {.len = 0};
    t.buf[0] = 0;
    if (!kite_module_func_index(module, name, strlen(name), &idx))
        return false;
    kite_error_t *err = kite_module_disassemble(module, idx, to_text, &t);
    kite_error_free(err);
    char word[96];
    snprintf(word, sizeof word, " %s ", op);
    return strstr(t.buf, word) != NULL;
}

/* Calls export `name` with p; the trap kind, or KITE_TRAP_KIND_COUNT. */
static kite_trap_kind_t call(kite_store_t *store, kite_instance_t *inst, const char *name,
                             int32_t p)
{
    kite_extern_t f;
    if (!kite_instance_export(inst, name, strlen(name), &f) || f.kind != KITE_EXTERN_FUNC)
        return KITE_TRAP_INTERNAL;
    kite_val_t arg = {.kind = KITE_I32, .of.i32 = p};
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(store, f.of.func, &arg, 1, NULL, 0, &trap);
    kite_trap_kind_t kind = KITE_TRAP_KIND_COUNT;
    if (err)
        kind = KITE_TRAP_INTERNAL;
    if (trap)
        kind = kite_trap_kind(trap);
    kite_error_free(err);
    kite_trap_free(trap);
    return kind;
}

static unsigned g_seed = 12345;
static uint8_t rnd_byte(void)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return (uint8_t)(g_seed >> 16);
}

static void check_op(kite_engine_t *engine, const char *id, kir_op op, bool commutative,
                     unsigned *fused)
{
    const char *mn = kir_op_info(op)->mnemonic;
    char wat[sizeof module_fmt + 256];
    snprintf(wat, sizeof wat, module_fmt, mn);
    kite_module_t *module = NULL;
    kite_error_t *err = kite_module_new_text(engine, wat, strlen(wat), &module);
    CHECK(!err, "%s: %s", mn, err ? kite_error_message(err) : "");
    kite_error_free(err);
    if (!module)
        return;

    char bl[64], bs[64], bu[64];
    snprintf(bl, sizeof bl, "BL_%s", id);
    snprintf(bs, sizeof bs, "BS_%s", id);
    snprintf(bu, sizeof bu, "BU_%s", id);
    CHECK(listing_has(module, "bl", bl), "%s: no %s for a loaded b", mn, bl);
    CHECK(listing_has(module, "bla", bl) == commutative, "%s: %s for a loaded a: %s", mn, bl,
          commutative ? "missing" : "operands swapped");
    CHECK(listing_has(module, "bs", bs), "%s: no %s for a stored result", mn, bs);
    CHECK(listing_has(module, "bu", bu), "%s: no %s for c = a op c", mn, bu);
    CHECK(!listing_has(module, "plain", bl) && !listing_has(module, "plain", bs),
          "%s: plain form fused", mn);

    kite_store_t *store = kite_store_new(engine);
    kite_instance_t *inst = NULL;
    kite_trap_t *trap = NULL;
    err = kite_instance_new(store, module, NULL, 0, &inst, &trap);
    CHECK(!err && !trap && inst, "%s: instantiation", mn);
    kite_error_free(err);
    kite_trap_free(trap);
    kite_extern_t m;
    if (inst && kite_instance_export(inst, "m", 1, &m) && m.kind == KITE_EXTERN_MEMORY) {
        uint8_t *mem = kite_memory_data(m.of.memory);
        uint32_t size = (uint32_t)kite_memory_size(m.of.memory);
        static const char *const forms[] = {"plain", "bl", "bla", "bs", "bu"};
        static const unsigned at[] = {AT_PLAIN, AT_BL, AT_BLA, AT_BS, AT_BU};
        for (unsigned round = 0; round < 8; round++) {
            int32_t p = (int32_t)(round * 1000 + round); /* unaligned too */
            for (unsigned i = 0; i < AREA; i++)
                mem[p + i] = rnd_byte();
            for (unsigned f = 0; f < 5; f++)
                CHECK(call(store, inst, forms[f], p) == KITE_TRAP_KIND_COUNT, "%s: %s trapped", mn,
                      forms[f]);
            for (unsigned f = 1; f < 5; f++)
                CHECK(memcmp(mem + p + AT_PLAIN, mem + p + at[f], 16) == 0,
                      "%s: %s differs from plain (round %u)", mn, forms[f], round);
        }
        /* Out of bounds by 8 bytes in the fused access (the load of BL, the
         * store of BS): a trap, and nothing written. */
        CHECK(call(store, inst, "bl", (int32_t)(size - AT_Y - 8)) == KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
              "%s: BL out of bounds", mn);
        uint8_t before[8];
        memcpy(before, mem + size - 8, 8);
        CHECK(call(store, inst, "bs", (int32_t)(size - AT_BS - 8)) ==
                  KITE_TRAP_MEMORY_OUT_OF_BOUNDS,
              "%s: BS out of bounds", mn);
        CHECK(memcmp(before, mem + size - 8, 8) == 0, "%s: BS wrote before trapping", mn);
        (*fused)++;
    }
    kite_store_free(store);
    kite_module_free(module);
}

int main(void)
{
    kite_config_t *config = kite_config_new();
    kite_engine_t *engine = kite_engine_new(config);
    unsigned lines = 0, fused = 0;
#define UN(id)
#define BIN(id)
#define TERN(id)
#define SHIFT(id)
#define TEST(id)
#define SPLAT(id)
#define EXTRACT(id)
#define REPLACE(id)
#define SHUFFLE(id)
#define CONST(id)
#define LOAD(id)
#define STORE(id)
#define LOAD_LANE(id)
#define STORE_LANE(id)
#define BINM(id) (lines++, check_op(engine, #id, KIR_OP_##id, false, &fused));
#define BINMC(id) (lines++, check_op(engine, #id, KIR_OP_##id, true, &fused));
#include "interp/simd_ops.def"
    kite_engine_free(engine);
    kite_config_free(config);
    CHECK(lines > 0 && fused == lines, "%u of %u fused operations checked", fused, lines);
    printf("simd fused: %u operations, %d failures\n", fused, g_failures);
    return g_failures != 0;
}
