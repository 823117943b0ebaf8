/*
 * Running a module in one execution tier and writing down everything
 * observable (kite-diff-tiers and the fuzz_run target compare these
 * transcripts between tiers). For binaryen's `wasm-opt -ttf` modules the
 * imports are "fuzzing-support" functions: log-* (recorded), call-export
 * (calls another export) and anything else (a no-op returning zeros);
 * imported globals get zero, null or a host reference.
 *
 * Each export is called in order with zero arguments under a fuel limit
 * (so loops end the same way in every tier: fuel is charged identically);
 * the transcript records each call's results or trap, every logged value,
 * and at the end every global, table element (as null or function index)
 * and a hash of every memory. NaN payloads are not compared (Wasm leaves
 * them open), everything else is.
 */
#ifndef KITE_TESTS_DIFF_RUN_H
#define KITE_TESTS_DIFF_RUN_H
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kite.h"
#include "runtime/objects.h"
#include "runtime/runtime.h"


typedef struct transcript {
    char *text;
    size_t len, cap;
} transcript;

static void out(transcript *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(t->text, cap);
        if (!p)
            abort();
        t->text = p;
        t->cap = cap;
    }
    memcpy(t->text + t->len, buf, (size_t)n);
    t->len += (size_t)n;
    t->text[t->len] = 0;
}

static void value(transcript *t, kite_val_t v)
{
    switch (v.kind) {
    case KITE_I32: out(t, " i32:%" PRIu32, (uint32_t)v.of.i32); break;
    case KITE_I64: out(t, " i64:%" PRIu64, (uint64_t)v.of.i64); break;
    case KITE_F32: {
        float f;
        memcpy(&f, &v.of.f32_bits, 4);
        if (isnan(f))
            out(t, " f32:nan");
        else
            out(t, " f32:%08" PRIx32, v.of.f32_bits);
        break;
    }
    case KITE_F64: {
        double d;
        memcpy(&d, &v.of.f64_bits, 8);
        if (isnan(d))
            out(t, " f64:nan");
        else
            out(t, " f64:%016" PRIx64, v.of.f64_bits);
        break;
    }
    case KITE_V128: out(t, " v128"); break;
    default: out(t, " ref:%s", v.of.ref ? "non-null" : "null"); break;
    }
}

typedef struct run {
    transcript log;
    kite_store_t *store;
    kite_instance_t *inst;
    int depth;
} run;

static kite_val_t zero_of(kite_valtype_t t)
{
    kite_val_t v;
    memset(&v, 0, sizeof(v));
    v.kind = t.kind;
    return v;
}

/* Calls export i with zero arguments; the trap, if any. */
static kite_trap_t *call_export(run *r, size_t i, bool record)
{
    /* (call-export from the start function, before the instance exists,
     * or with an index out of range: nothing) */
    if (!r->inst || i >= kite_instance_export_count(r->inst))
        return NULL;
    kite_extern_t ext = kite_instance_export_at(r->inst, i);
    if (ext.kind != KITE_EXTERN_FUNC || !ext.of.func)
        return NULL;
    kite_func_t *f = ext.of.func;
    size_t np = kite_func_param_count(f), nr = kite_func_result_count(f);
    kite_val_t args[64], res[64];
    if (np > 64 || nr > 64)
        return NULL;
    for (size_t k = 0; k < np; k++)
        args[k] = zero_of(kite_func_param(f, k));
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_func_call(r->store, f, args, np, res, nr, &trap);
    if (err) {
        out(&r->log, " error %s", kite_error_message(err));
        kite_error_free(err);
        return NULL;
    }
    if (record) {
        if (trap) {
            out(&r->log, " trap \"%s\"", kite_trap_message(trap));
        } else {
            for (size_t k = 0; k < nr; k++)
                value(&r->log, res[k]);
        }
    }
    return trap;
}

/* fuzzing-support imports: logs, call-export, and no-ops. */
static kite_trap_t *host(void *env, kite_caller_t *caller, const kite_val_t *args, kite_val_t *results)
{
    (void)caller;
    run *r = *(run **)env;
    const char *name = (const char *)env + sizeof(run *);
    if (strncmp(name, "log", 3) == 0) {
        out(&r->log, "\n  %s", name);
        for (size_t k = 0; k < 4 && args && args[k].kind >= KITE_I32 && args[k].kind <= KITE_REF; k++) {
            value(&r->log, args[k]);
            break; /* one argument */
        }
        return NULL;
    }
    if (strcmp(name, "call-export") == 0 || strcmp(name, "call-export-catch") == 0) {
        if (r->depth > 8)
            return NULL;
        r->depth++;
        out(&r->log, "\n  %s %" PRIu32, name, (uint32_t)args[0].of.i32);
        kite_trap_t *t = call_export(r, (uint32_t)args[0].of.i32, true);
        r->depth--;
        if (strcmp(name, "call-export-catch") == 0) {
            results[0].kind = KITE_I32;
            results[0].of.i32 = t != NULL;
            if (t)
                kite_trap_free(t);
            return NULL;
        }
        if (t) {
            kite_trap_t *u = kite_trap_new(kite_caller_store(caller), kite_trap_message(t));
            kite_trap_free(t);
            return u;
        }
        return NULL;
    }
    (void)results; /* other imports: results stay zero (kind set by the caller) */
    return NULL;
}

static uint64_t fnv(const uint8_t *p, uint64_t n)
{
    uint64_t h = 1469598103934665603u;
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

/* The final state: globals, tables and memories. */
static void state(run *r)
{
    const krt_instance *in = r->inst;
    const kir_module *m = in->m;
    out(&r->log, "\nstate:");
    for (uint32_t i = 0; i < m->nglobals; i++) {
        kite_val_t v = kite_global_get(in->globals[i]);
        out(&r->log, "\n  global %u", i);
        value(&r->log, v);
    }
    for (uint32_t i = 0; i < m->ntables; i++) {
        const krt_table *t = in->tables[i]->table;
        out(&r->log, "\n  table %u size %" PRIu64 ":", i, t->size);
        for (uint64_t k = 0; k < t->size && k < 4096; k++) {
            krt_ref e = t->elems[k];
            const krt_obj *o = krt_ref_obj(e);
            if (!e)
                out(&r->log, " -");
            else if (o && o->kind == KRT_OBJ_FUNC)
                out(&r->log, " f%u", ((const krt_func *)(const void *)o)->index);
            else
                out(&r->log, " x");
        }
    }
    for (uint32_t i = 0; i < m->nmemories; i++) {
        const krt_memory *mem = in->memories[i]->mem;
        uint64_t size = krt_memory_size(mem);
        out(&r->log, "\n  memory %u: %" PRIu64 " bytes, hash %016" PRIx64, i, size, fnv(mem->base, size));
    }
    out(&r->log, "\n");
}

/* Runs the module in one tier; false when it cannot be run at all. */
static bool run_module(const uint8_t *bytes, size_t len, kite_tier_t tier, uint32_t threshold, uint64_t fuel,
                       transcript *log, bool *unsupported)
{
    kite_config_t *c = kite_config_new();
    kite_config_set_tier(c, tier);
    kite_config_set_tier_threshold(c, threshold);
    kite_engine_t *engine = kite_engine_new(c);
    kite_config_free(c);
    kite_module_t *module;
    kite_error_t *err = kite_module_new(engine, bytes, len, &module);
    if (err) {
        kite_error_free(err);
        kite_engine_free(engine);
        return false;
    }
    run r;
    memset(&r, 0, sizeof(r));
    r.store = kite_store_new(engine);
    size_t nimp = kite_module_import_count(module);
    kite_extern_t *imps = calloc(nimp ? nimp : 1, sizeof(*imps));
    char **envs = calloc(nimp ? nimp : 1, sizeof(*envs));
    bool ok = imps && envs;
    run *self = &r;
    for (size_t i = 0; ok && i < nimp; i++) {
        kite_import_desc_t d = kite_module_import(module, i);
        const kir_import *imp = &module->ir->imports[i];
        if (d.kind == KITE_EXTERN_GLOBAL) {
            /* zero, null, or for a non-nullable externref a host reference */
            const kir_global *g = &module->ir->globals[imp->index];
            kite_valtype_t vt = krt_valtype_to_api(g->type);
            kite_val_t v;
            memset(&v, 0, sizeof(v));
            v.kind = vt.kind;
            if (vt.kind == KITE_REF && !vt.nullable) {
                if (vt.heap != KITE_HEAP_EXTERN) {
                    ok = false;
                    break;
                }
                kite_error_t *e2 = kite_ref_new_host(r.store, 42, &v.of.ref);
                if (e2) {
                    kite_error_free(e2);
                    ok = false;
                    break;
                }
            }
            imps[i].kind = KITE_EXTERN_GLOBAL;
            err = kite_global_new(r.store, vt, g->mutable_, &v, &imps[i].of.global);
            if (err) {
                kite_error_free(err);
                ok = false;
            }
            continue;
        }
        if (d.kind != KITE_EXTERN_FUNC) {
            ok = false; /* (only functions and globals) */
            break;
        }
        envs[i] = calloc(1, sizeof(run *) + d.name_len + 1);
        memcpy(envs[i], &self, sizeof(run *));
        memcpy(envs[i] + sizeof(run *), d.name, d.name_len);
        kite_valtype_t params[16], results[16];
        const kir_type *ft = kir_func_type(module->ir, module->ir->imports[i].index);
        size_t np = ft->nparams, nr = ft->nresults;
        if (np > 16 || nr > 16) {
            ok = false;
            break;
        }
        for (size_t k = 0; k < np + nr && ok; k++) {
            kir_valtype t = ft->types[k];
            if (kir_vt_is_ref(t) && kir_vt_concrete(t))
                ok = false; /* (abstract reference types only) */
            else
                *(k < np ? &params[k] : &results[k - np]) = krt_valtype_to_api(t);
        }
        if (!ok)
            break;
        imps[i].kind = KITE_EXTERN_FUNC;
        err = kite_func_new_host(r.store, params, np, results, nr, host, envs[i], NULL, &imps[i].of.func);
        if (err) {
            kite_error_free(err);
            ok = false;
        }
    }
    if (ok) {
        kite_trap_t *trap = NULL;
        err = kite_instance_new(r.store, module, imps, nimp, &r.inst, &trap);
        if (err) {
            *unsupported = kite_error_code(err) == KITE_ERROR_UNSUPPORTED;
            if (!*unsupported)
                out(log, "instantiation error: %s\n", kite_error_message(err));
            kite_error_free(err);
            ok = *unsupported ? false : true;
        } else if (trap) {
            out(&r.log, "start trap \"%s\"\n", kite_trap_message(trap));
            kite_trap_free(trap);
        }
    }
    if (ok && r.inst) {
        size_t n = kite_instance_export_count(r.inst);
        for (size_t i = 0; i < n; i++) {
            kite_export_desc_t d = kite_instance_export_desc(r.inst, i);
            if (d.kind != KITE_EXTERN_FUNC)
                continue;
            out(&r.log, "call %.*s:", (int)d.name_len, d.name);
            kite_store_set_fuel(r.store, fuel);
            kite_trap_t *t = call_export(&r, i, true);
            if (t)
                kite_trap_free(t);
            out(&r.log, "\n");
        }
        kite_store_set_fuel(r.store, 0);
        state(&r);
    }
    if (r.log.text)
        out(log, "%s", r.log.text);
    free(r.log.text);
    kite_store_free(r.store);
    for (size_t i = 0; i < nimp; i++)
        if (envs)
            free(envs[i]);
    free(envs);
    free(imps);
    kite_module_free(module);
    kite_engine_free(engine);
    return ok;
}

#endif
