/* The fixture of the tests that run one module in two execution tiers
 * (test_jit_*): an engine made from a configuration, the module from text,
 * a store and an instance; calls by export name; and the comparison of two
 * traps that must be the same in every tier: kind, message and backtrace. */
#ifndef KITE_TESTS_TIER_ENV_H
#define KITE_TESTS_TIER_ENV_H

#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "kite.h"

typedef struct tier_env {
    kite_engine_t *engine;
    kite_module_t *module;
    kite_store_t *store;
    kite_instance_t *inst;
    kite_tier_t tier;
} tier_env;

/* Makes the engine from `config` (freed here) set to `tier`, the module
 * from `wat` and a store; false (a failed check) when the module is
 * refused. The caller defines its host functions in e->store, then calls
 * tier_env_instantiate. */
static inline bool tier_env_open(tier_env *e, kite_config_t *config, kite_tier_t tier, const char *wat)
{
    memset(e, 0, sizeof(*e));
    e->tier = tier;
    kite_config_set_tier(config, tier);
    e->engine = kite_engine_new(config);
    kite_config_free(config);
    kite_error_t *err = kite_module_new_text(e->engine, wat, strlen(wat), &e->module);
    CHECK(!err, "module (tier %d): %s", (int)tier, err ? kite_error_message(err) : "");
    if (err) {
        kite_error_free(err);
        kite_engine_free(e->engine);
        e->engine = NULL;
        return false;
    }
    e->store = kite_store_new(e->engine);
    return e->store != NULL;
}

static inline bool tier_env_instantiate(tier_env *e, const kite_extern_t *imports, size_t nimports)
{
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_instance_new(e->store, e->module, imports, nimports, &e->inst, &trap);
    CHECK(!err && !trap, "instantiate (tier %d): %s", (int)e->tier,
          err ? kite_error_message(err) : trap ? kite_trap_message(trap) : "");
    kite_error_free(err);
    kite_trap_free(trap);
    return e->inst != NULL;
}

static inline void tier_env_close(tier_env *e)
{
    kite_store_free(e->store);
    kite_module_free(e->module);
    kite_engine_free(e->engine);
    memset(e, 0, sizeof(*e));
}

static inline kite_func_t *tier_env_func(tier_env *e, const char *name)
{
    kite_extern_t ext;
    bool found = e->inst && kite_instance_export(e->inst, name, strlen(name), &ext) &&
                 ext.kind == KITE_EXTERN_FUNC;
    CHECK(found, "no exported function %s", name);
    return found ? ext.of.func : NULL;
}

/* Calls export `name`; returns its trap (NULL: it returned). */
static inline kite_trap_t *tier_env_call(tier_env *e, const char *name, const kite_val_t *args, size_t nargs,
                                         kite_val_t *results, size_t nresults)
{
    kite_func_t *f = tier_env_func(e, name);
    if (!f)
        return NULL;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(e->store, f, args, nargs, results, nresults, &trap);
    CHECK(!err, "call %s (tier %d): %s", name, (int)e->tier, err ? kite_error_message(err) : "");
    kite_error_free(err);
    return trap;
}

/* The interpreter's trap `want` and the compiled tier's `got`: the same
 * kind, message and frames (function, name and code offset). */
static inline void tier_same_trap(const char *what, kite_trap_t *want, kite_trap_t *got)
{
    CHECK(want && got, "%s: a trap in both tiers (interp %p, compiled %p)", what, (void *)want, (void *)got);
    if (!want || !got)
        return;
    CHECK(kite_trap_kind(want) == kite_trap_kind(got), "%s: kind %d, compiled %d", what,
          (int)kite_trap_kind(want), (int)kite_trap_kind(got));
    CHECK(strcmp(kite_trap_message(want), kite_trap_message(got)) == 0, "%s: message \"%s\", compiled \"%s\"",
          what, kite_trap_message(want), kite_trap_message(got));
    size_t n = kite_trap_frame_count(want);
    CHECK(n == kite_trap_frame_count(got), "%s: %zu frames, compiled %zu", what, n, kite_trap_frame_count(got));
    for (size_t i = 0; i < n && i < kite_trap_frame_count(got); i++) {
        kite_frame_t a = kite_trap_frame(want, i), b = kite_trap_frame(got, i);
        /* After a guard-page fault the interpreter does not know where in
         * the innermost function it was (offset 0); compiled code does. */
        if (i == 0 && a.code_offset == 0 && kite_trap_kind(want) == KITE_TRAP_MEMORY_OUT_OF_BOUNDS)
            b.code_offset = 0;
        CHECK(a.func_index == b.func_index && a.code_offset == b.code_offset &&
                  (a.func_name == b.func_name || (a.func_name && b.func_name && !strcmp(a.func_name, b.func_name))),
              "%s: frame %zu: func %u at %llu, compiled func %u at %llu", what, i, a.func_index,
              (unsigned long long)a.code_offset, b.func_index, (unsigned long long)b.code_offset);
    }
}

#endif
