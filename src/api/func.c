/* Functions in kite.h: types, calls from the host, host functions, callers. */
#include <stdio.h>
#include <string.h>

#include "api/module_internal.h"
#include "runtime/objects.h"
#include "util/alloc.h"
#include "util/error.h"

const kite_functype_t *kite_func_type(const kite_func_t *func)
{
    return krt_functype(func->store->engine, func->hdr.canon);
}

size_t kite_func_param_count(const kite_func_t *func) { return func->nparams; }
size_t kite_func_result_count(const kite_func_t *func) { return func->nresults; }

kite_valtype_t kite_func_param(const kite_func_t *func, size_t index)
{
    kite_valtype_t none = {KITE_I32, false, 0};
    return index < func->nparams ? krt_valtype_to_api(func->params[index]) : none;
}

kite_valtype_t kite_func_result(const kite_func_t *func, size_t index)
{
    kite_valtype_t none = {KITE_I32, false, 0};
    return index < func->nresults ? krt_valtype_to_api(func->results[index]) : none;
}

static kite_error_t *check_args(const kite_store_t *store, const krt_func *f,
                                const kite_val_t *args, size_t nargs, size_t nresults)
{
    if (nargs != f->nparams)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the function takes %u arguments, %zu given", f->nparams, nargs);
    if (nresults != f->nresults)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "the function returns %u results, room for %zu given", f->nresults,
                               nresults);
    for (size_t i = 0; i < nargs; i++) {
        char what[32];
        snprintf(what, sizeof(what), "argument %zu", i);
        kite_error_t *err =
            krt_val_check(store->alloc, store->engine->canon, &args[i], f->params[i], what);
        if (err)
            return err;
    }
    return NULL;
}

/* Small calls use a slot buffer on the C stack. */
#define CALL_SLOTS 16

kite_error_t *kite_func_call(kite_store_t *store, kite_func_t *func, const kite_val_t *args,
                             size_t nargs, kite_val_t *results, size_t nresults,
                             kite_trap_t **trap)
{
    if (!trap)
        return kutil_error_new(store->alloc, KITE_ERROR_ARGUMENT,
                               "kite_func_call needs a place for a trap");
    *trap = NULL;
    kite_error_t *err = check_args(store, func, args, nargs, nresults);
    if (err)
        return err;
    uint32_t n = func->param_slots > func->result_slots ? func->param_slots : func->result_slots;
    uint64_t small[CALL_SLOTS];
    uint64_t *slots = small;
    if (n > CALL_SLOTS) {
        slots = kutil_malloc(store->alloc, (size_t)n * sizeof(uint64_t));
        if (!slots)
            return kutil_error_oom();
    }
    uint32_t at = 0;
    for (size_t i = 0; i < nargs; i++) {
        krt_val_to_slots(&args[i], slots + at);
        at += krt_slots(func->params[i]);
    }
    *trap = krt_call(store, func, slots);
    if (!*trap) {
        at = 0;
        for (size_t i = 0; i < nresults; i++) {
            results[i] = krt_val_from_slots(func->results[i], slots + at);
            at += krt_slots(func->results[i]);
        }
    }
    if (slots != small)
        kutil_free(store->alloc, slots);
    return NULL;
}

/* Public value types to kir value types, into an array the caller frees. */
static kite_error_t *convert_types(const kite_store_t *store, const kite_valtype_t *in, size_t n,
                                   kir_valtype **out)
{
    *out = NULL;
    if (n > UINT32_MAX / 4)
        return kutil_error_new(store->alloc, KITE_ERROR_LIMIT, "too many parameters or results");
    kir_valtype *types = kutil_malloc(store->alloc, n ? n * sizeof(kir_valtype) : 1);
    if (!types)
        return kutil_error_oom();
    for (size_t i = 0; i < n; i++) {
        kite_error_t *err = krt_valtype_from_api(store->alloc, in[i], &types[i]);
        if (err) {
            kutil_free(store->alloc, types);
            return err;
        }
    }
    *out = types;
    return NULL;
}

kite_error_t *kite_func_new_host(kite_store_t *store, const kite_valtype_t *params,
                                 size_t nparams, const kite_valtype_t *results, size_t nresults,
                                 kite_host_func_t callback, void *env, void (*finalize)(void *env),
                                 kite_func_t **out)
{
    *out = NULL;
    kir_valtype *ps = NULL, *rs = NULL;
    kite_error_t *err = convert_types(store, params, nparams, &ps);
    if (!err)
        err = convert_types(store, results, nresults, &rs);
    if (!err)
        err = krt_host_func_new(store, ps, (uint32_t)nparams, rs, (uint32_t)nresults, callback,
                                env, finalize, out);
    kutil_free(store->alloc, ps);
    kutil_free(store->alloc, rs);
    return err;
}

kite_store_t *kite_caller_store(kite_caller_t *caller) { return caller->store; }

bool kite_caller_export(kite_caller_t *caller, const char *name, size_t name_len,
                        kite_extern_t *out)
{
    if (!caller->instance)
        return false;
    return kite_instance_export(caller->instance, name, name_len, out);
}
