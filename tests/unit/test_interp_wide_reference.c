/*
 * Wide arithmetic (i64.add128, i64.sub128, i64.mul_wide_s/u) against a
 * reference in C (unsigned/signed __int128), on random and edge operands:
 * the differential fuzzer cannot compare these with V8, which does not have
 * the proposal yet. Operands arrive as parameters, as constants (which the
 * translator may treat differently) and from locals.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kite.h"

static const uint64_t edges[] = {0,
                                 1,
                                 2,
                                 UINT64_MAX,
                                 UINT64_MAX - 1,
                                 INT64_MAX,
                                 (uint64_t)INT64_MIN,
                                 (uint64_t)INT64_MIN + 1,
                                 0xffffffffu,
                                 0x100000000u,
                                 0x80000000u,
                                 0x7fffffffu,
                                 UINT64_C(0x5555555555555555),
                                 UINT64_C(0xaaaaaaaaaaaaaaaa),
                                 UINT64_C(0x0123456789abcdef)};

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t next_random(void)
{
    uint64_t x = rng_state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return rng_state = x;
}

static uint64_t operand(void)
{
    uint64_t r = next_random();
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])] + ((r >> 32) % 5) - 2;
    default: return next_random();
    }
}

enum { ADD128, SUB128, MUL_WIDE_S, MUL_WIDE_U, NOPS };
static const char *const op_names[NOPS] = {"i64.add128", "i64.sub128", "i64.mul_wide_s",
                                           "i64.mul_wide_u"};
static const int op_arity[NOPS] = {4, 4, 2, 2};

static void reference(int op, const uint64_t *a, uint64_t *lo, uint64_t *hi)
{
    unsigned __int128 r = 0;
    unsigned __int128 x = (unsigned __int128)a[1] << 64 | a[0];
    unsigned __int128 y = (unsigned __int128)a[3] << 64 | a[2];
    switch (op) {
    case ADD128: r = x + y; break;
    case SUB128: r = x - y; break;
    case MUL_WIDE_S: r = (unsigned __int128)((__int128)(int64_t)a[0] * (__int128)(int64_t)a[1]); break;
    case MUL_WIDE_U: r = (unsigned __int128)a[0] * a[1]; break;
    }
    *lo = (uint64_t)r;
    *hi = (uint64_t)(r >> 64);
}

typedef struct runner {
    kite_engine_t *engine;
    kite_store_t *store;
    kite_module_t *modules[512]; /* freed after the store */
    int nmodules;
} runner;

static kite_instance_t *instantiate(runner *r, const char *text)
{
    kite_module_t *module;
    kite_error_t *err = kite_module_new_text(r->engine, text, strlen(text), &module);
    if (err) {
        CHECK(0, "module: %s\n%s", kite_error_message(err), text);
        kite_error_free(err);
        return NULL;
    }
    if (r->nmodules < (int)(sizeof r->modules / sizeof r->modules[0]))
        r->modules[r->nmodules++] = module;
    kite_instance_t *inst;
    kite_trap_t *trap = NULL;
    err = kite_instance_new(r->store, module, NULL, 0, &inst, &trap);
    CHECK(!err && !trap, "instantiate");
    return err || trap ? NULL : inst;
}

static void call_and_check(runner *r, kite_instance_t *inst, const char *name, int op,
                           const uint64_t *a, const char *how)
{
    kite_extern_t f;
    if (!kite_instance_export(inst, name, strlen(name), &f)) {
        CHECK(0, "no export %s", name);
        return;
    }
    size_t np = kite_func_param_count(f.of.func);
    kite_val_t args[4], res[2];
    for (size_t i = 0; i < np; i++)
        args[i] = (kite_val_t){.kind = KITE_I64, .of.i64 = (int64_t)a[i]};
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(r->store, f.of.func, args, np, res, 2, &trap);
    CHECK(!err && !trap, "%s trapped", op_names[op]);
    if (err || trap)
        return;
    uint64_t lo, hi;
    reference(op, a, &lo, &hi);
    CHECK((uint64_t)res[0].of.i64 == lo && (uint64_t)res[1].of.i64 == hi,
          "%s (%s) of %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64
          ": kite %016" PRIx64 " %016" PRIx64 ", reference %016" PRIx64 " %016" PRIx64,
          op_names[op], how, a[0], a[1], a[2], a[3], (uint64_t)res[0].of.i64,
          (uint64_t)res[1].of.i64, lo, hi);
}

int main(void)
{
    runner r = {.engine = kite_engine_new(NULL)};
    r.store = kite_store_new(r.engine);

    /* Operands as parameters, and through locals. */
    char text[4096];
    int n = snprintf(text, sizeof text, "(module\n");
    for (int op = 0; op < NOPS; op++) {
        const char *params = op_arity[op] == 4 ? "(param i64 i64 i64 i64)" : "(param i64 i64)";
        const char *gets = op_arity[op] == 4 ? "(local.get 0) (local.get 1) (local.get 2) (local.get 3)"
                                             : "(local.get 0) (local.get 1)";
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "  (func (export \"p%d\") %s (result i64 i64) %s %s)\n"
                      "  (func (export \"l%d\") %s (result i64 i64) (local i64 i64)\n"
                      "    (local.set 4 (local.get 0)) (local.set 5 (local.get 1))\n"
                      "    (local.set 0 (local.get 5)) (local.set 1 (local.get 4))\n"
                      "    %s %s)\n",
                      op, params, gets, op_names[op], op, op_arity[op] == 4 ? params : "(param i64 i64 i64 i64)",
                      op_arity[op] == 4 ? "(local.get 1) (local.get 0) (local.get 2) (local.get 3)"
                                        : "(local.get 1) (local.get 0)",
                      op_names[op]);
    }
    snprintf(text + n, sizeof text - (size_t)n, ")\n");
    kite_instance_t *inst = instantiate(&r, text);
    for (int i = 0; inst && i < 20000; i++) {
        int op = (int)(next_random() % NOPS);
        uint64_t a[4] = {operand(), operand(), operand(), operand()};
        char name[8];
        snprintf(name, sizeof name, "p%d", op);
        call_and_check(&r, inst, name, op, a, "parameters");
        snprintf(name, sizeof name, "l%d", op);
        call_and_check(&r, inst, name, op, a, "locals");
    }

    /* Operands as constants, some mixed with parameters. */
    for (int i = 0; i < 300; i++) {
        int op = (int)(next_random() % NOPS);
        uint64_t a[4] = {operand(), operand(), operand(), operand()};
        int from_param = (int)(next_random() % (op_arity[op] + 1)); /* operand that is a param */
        char ops[512] = "";
        int m = 0;
        for (int k = 0; k < op_arity[op]; k++) {
            if (k == from_param)
                m += snprintf(ops + m, sizeof ops - (size_t)m, " (local.get 0)");
            else
                m += snprintf(ops + m, sizeof ops - (size_t)m, " (i64.const %" PRId64 ")", (int64_t)a[k]);
        }
        snprintf(text, sizeof text,
                 "(module (func (export \"c\") (param i64) (result i64 i64)%s %s))", ops, op_names[op]);
        kite_instance_t *ci = instantiate(&r, text);
        if (!ci)
            continue;
        uint64_t args[4] = {from_param < op_arity[op] ? a[from_param] : 0};
        kite_extern_t f;
        kite_instance_export(ci, "c", 1, &f);
        kite_val_t arg = {.kind = KITE_I64, .of.i64 = (int64_t)args[0]}, res[2];
        kite_trap_t *trap = NULL;
        kite_error_t *err = kite_func_call(r.store, f.of.func, &arg, 1, res, 2, &trap);
        CHECK(!err && !trap, "constant %s trapped", op_names[op]);
        if (err || trap)
            continue;
        uint64_t lo, hi;
        reference(op, a, &lo, &hi);
        CHECK((uint64_t)res[0].of.i64 == lo && (uint64_t)res[1].of.i64 == hi,
              "%s (constants) in %s: kite %016" PRIx64 " %016" PRIx64 ", reference %016" PRIx64
              " %016" PRIx64,
              op_names[op], text, (uint64_t)res[0].of.i64, (uint64_t)res[1].of.i64, lo, hi);
    }
    kite_store_free(r.store);
    for (int i = 0; i < r.nmodules; i++)
        kite_module_free(r.modules[i]);
    kite_engine_free(r.engine);
    printf("%s: %d failures\n", __FILE__, g_failures);
    return g_failures != 0;
}
