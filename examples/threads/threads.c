/*
 * Several threads calling into one module: the module is compiled once and
 * shared (each thread holds its own reference, kite_module_clone); each
 * thread has its own store, since a store is used by one thread at a time.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <kite.h>

#include "../common/example.h"

#define THREADS 8
#define CALLS 50

typedef struct job {
    kite_engine_t *engine;
    kite_module_t *module; /* this thread's reference */
    int id;
    uint64_t result;
    const char *error;
} job;

static void *run(void *arg)
{
    job *j = arg;
    kite_store_t *store = kite_store_new(j->engine);
    kite_instance_t *instance;
    kite_trap_t *trap = NULL;
    kite_error_t *err = kite_instance_new(store, j->module, NULL, 0, &instance, &trap);
    kite_extern_t f;
    if (err || trap || !kite_instance_export(instance, "sum_squares", 11, &f)) {
        j->error = "instantiation failed";
    } else {
        for (int i = 0; i < CALLS && !j->error; i++) {
            kite_val_t n = {.kind = KITE_I64, .of.i64 = 1000 * (j->id + 1) + i}, r;
            err = kite_func_call(store, f.of.func, &n, 1, &r, 1, &trap);
            if (err || trap)
                j->error = "call failed";
            else
                j->result += (uint64_t)r.of.i64;
        }
    }
    kite_error_free(err);
    kite_trap_free(trap);
    kite_store_free(store);
    kite_module_free(j->module);
    return NULL;
}

/* What the threads compute, in C, to check them. */
static uint64_t expected(int id)
{
    uint64_t total = 0;
    for (int i = 0; i < CALLS; i++)
        for (uint64_t k = 0; k < (uint64_t)(1000 * (id + 1) + i); k++)
            total += k * k;
    return total;
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    kite_module_t *module = example_module(engine, "work.wat");
    if (!module) {
        kite_engine_free(engine);
        return 1;
    }
    pthread_t threads[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){engine, kite_module_clone(module), i, 0, NULL};
        if (pthread_create(&threads[i], NULL, run, &jobs[i]) != 0) {
            fprintf(stderr, "cannot start a thread\n");
            return 1;
        }
    }
    kite_module_free(module); /* the threads hold their own references */
    int status = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        bool ok = !jobs[i].error && jobs[i].result == expected(i);
        printf("thread %d: %s\n", i, jobs[i].error ? jobs[i].error : ok ? "ok" : "wrong result");
        status |= !ok;
    }
    kite_engine_free(engine);
    return status;
}
